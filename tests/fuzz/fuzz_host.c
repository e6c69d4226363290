/*
 * libFuzzer target for the host engine: a program of socket calls (join,
 * leave, source joins and leaves, blocks, filters, close), queries of
 * every version, other members' reports, raw packets and clock jumps.
 * After every step the interface state must equal the merge of the
 * sockets' filters (RFC 3376 3.2), computed here independently from
 * getsourcefilter(); every call returns 0 or a documented error; and at
 * the end nothing leaks.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fuzzengine.h"
#include "mcast/host.h"


#define NSOCK 4
#define NGRP 3

static struct fuzz_prog prog; /* the input as a program */
static bool V4;
static struct mcast_host *H;

static void feed(void *ctx, const uint8_t *pkt, size_t len)
{
	(void)ctx;
	mcast_host_input(H, 1, pkt, len);
}

static void on_send(void *ctx, unsigned ifindex, const uint8_t *pkt, size_t len)
{
	(void)ctx;
	CHECK(ifindex == 1);
	static struct mcast_addr srcs[4096];
	static struct mcast_group_record recs[512];
	struct mcast_msg m = { .srcs = srcs, .srcs_cap = 4096, .recs = recs, .recs_cap = 512 };
	CHECK(mcast_msg_decode_packet(&m, pkt, len, NULL, NULL) == MCAST_DROP_NONE);
}

static struct mcast_addr grp(unsigned i)
{
	struct mcast_addr a;
	uint8_t b[16] = { 0xff, 0x05, [15] = (uint8_t)(i + 1) };
	if (V4)
		mcast_addr_from_u32(&a, 0xef010100u + i + 1);
	else
		mcast_addr_from_in6(&a, b);
	return a;
}

static struct mcast_addr src(unsigned i)
{
	struct mcast_addr a;
	uint8_t b[16] = { 0x20, 0x01, 0x0d, 0xb8, [15] = (uint8_t)(i + 1) };
	if (V4)
		mcast_addr_from_u32(&a, 0x0a010000u + i + 1);
	else
		mcast_addr_from_in6(&a, b);
	return a;
}

static bool ok_rc(int rc)
{
	return rc == 0 || rc == -EADDRINUSE || rc == -EADDRNOTAVAIL || rc == -EINVAL || rc == -ENOBUFS;
}

/* The merge of the sockets' filters, from the outside. */
static void check_merge(struct mcast_host *h, struct mcast_host_sock **s)
{
	struct mcast_addr S[8];
	for (unsigned j = 0; j < 8; j++)
		S[j] = src(j);
	for (unsigned g = 0; g < NGRP; g++) {
		struct mcast_addr ga = grp(g);
		unsigned in_cnt[8] = { 0 }, ex_cnt[8] = { 0 }, nex = 0, nin = 0;
		for (unsigned k = 0; k < NSOCK; k++) {
			if (!s[k])
				continue;
			enum mcast_filter_mode mode;
			struct mcast_addr v[80];
			size_t n;
			if (mcast_host_get_filter(h, s[k], 1, &ga, &mode, v, 80, &n) != 0)
				continue;
			mode == MCAST_MODE_EXCLUDE ? nex++ : nin++;
			for (size_t i = 0; i < n; i++)
				for (unsigned j = 0; j < 8; j++)
					if (mcast_addr_eq(&v[i], &S[j]))
						(mode == MCAST_MODE_EXCLUDE ? ex_cnt : in_cnt)[j]++;
		}
		enum mcast_filter_mode mode;
		struct mcast_addr v[80];
		size_t n;
		int rc = mcast_host_iface_state(h, 1, &ga, &mode, v, 80, &n);
		bool member = nex > 0;
		for (unsigned j = 0; j < 8; j++)
			member |= in_cnt[j] > 0;
		CHECK((rc == 0) == member);
		if (!member)
			continue;
		CHECK(mode == (nex ? MCAST_MODE_EXCLUDE : MCAST_MODE_INCLUDE));
		size_t want = 0;
		for (unsigned j = 0; j < 8; j++) {
			bool in = nex ? (ex_cnt[j] == nex && in_cnt[j] == 0) : in_cnt[j] > 0;
			if (!in)
				continue;
			CHECK(want < n && mcast_addr_eq(&v[want], &S[j]));
			want++;
		}
		CHECK(want == n);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	V4 = fuzz_begin(&prog, data, size);
	struct mcast_host_env env = { .al = &mcast_alloc_libc, .wheel = &prog.w, .send = on_send, .seed = prog.hdr };
	struct mcast_host *h = mcast_host_create(&env, NULL, prog.fam);
	CHECK(h);
	H = h;
	struct mcast_host_iface_config ic;
	mcast_host_iface_config_default(&ic);
	ic.force_version = (uint8_t)((prog.hdr >> 1) % (V4 ? 4 : 3));
	struct mcast_addr me = V4 ? src(200) : (struct mcast_addr){ { 0xfe, 0x80, [15] = 9 } };
	CHECK(mcast_host_iface_add(h, 1, "fz", &me, &ic) == 0);
	struct mcast_host_sock *s[NSOCK] = { 0 };
	static uint8_t buf[1600];
	while (prog.r.n) {
		uint8_t op = rd(&prog.r), k = rd(&prog.r) % NSOCK;
		struct mcast_addr g = grp(rd(&prog.r) % NGRP), sa = src(rd(&prog.r) % 8);
		if (!s[k])
			s[k] = mcast_host_socket(h);
		int rc = 0;
		switch (op % 11) {
		case 0: rc = mcast_host_join(h, s[k], 1, &g); break;
		case 1: rc = mcast_host_leave(h, s[k], 1, &g); break;
		case 2: rc = mcast_host_join_source(h, s[k], 1, &g, &sa); break;
		case 3: rc = mcast_host_leave_source(h, s[k], 1, &g, &sa); break;
		case 4: rc = mcast_host_block(h, s[k], 1, &g, &sa); break;
		case 5: rc = mcast_host_unblock(h, s[k], 1, &g, &sa); break;
		case 6: {
			struct mcast_addr v[12];
			size_t n = rd(&prog.r) % 12;
			for (size_t i = 0; i < n; i++)
				v[i] = src(rd(&prog.r) % 8);
			rc = mcast_host_set_filter(h, s[k], 1, &g, rd(&prog.r) & 1 ? MCAST_MODE_INCLUDE : MCAST_MODE_EXCLUDE, v, n);
			break;
		}
		case 7:
			mcast_host_close(h, s[k]);
			s[k] = NULL;
			break;
		case 8: { /* a query of any version, or another member's report */
			struct mcast_addr v[3] = { src(0), src(1), src(2) };
			uint8_t x = rd(&prog.r);
			struct mcast_addr from = V4 ? src(100) : (struct mcast_addr){ { 0xfe, 0x80, [15] = 1 } };
			if (x & 64) {
				int n = mcast_v1v2_encode(prog.fam, MCAST_MSG_REPORT, V4 ? (uint8_t)(1 + (x & 1)) : 1, &g, 0,
							  &from, NULL, buf, sizeof(buf));
				if (n > 0)
					mcast_host_input(h, 1, buf, (size_t)n);
				break;
			}
			struct mcast_query_params q = { .family = prog.fam, .version = (uint8_t)(1 + x % (V4 ? 3 : 2)),
							.group = x & 8 ? g : (V4 ? mcast_addr_any4 : mcast_addr_any6),
							.max_resp_ms = (uint32_t)rd(&prog.r) * 100, .qrv = rd(&prog.r) & 7,
							.qqi_s = rd(&prog.r), .srcs = v };
			if ((x & 16) && (x & 8) && q.version == (V4 ? 3 : 2))
				q.nsrcs = 1 + x % 3;
			if (V4 && q.version == 1)
				q.group = mcast_addr_any4;
			(void)mcast_query_encode(&q, &from, NULL, 1500, buf, sizeof(buf), feed, NULL);
			break;
		}
		case 9: /* time passes */
			mcast_wheel_advance(&prog.w, prog.w.now_ms + (mcast_time_ms)rd(&prog.r) * (rd(&prog.r) & 1 ? 1000 : 13));
			break;
		case 10: { /* raw bytes */
			const uint8_t *b;
			size_t n = fuzz_raw(&prog.r, &b);
			mcast_host_input(h, 1, b, n);
			break;
		}
		}
		CHECK(ok_rc(rc));
		check_merge(h, s);
		char why[256];
		fuzz_invariant(mcast_host_check(h, why, sizeof(why)), why);
	}
	mcast_host_destroy(h);
	return 0;
}
