/*
 * libFuzzer target for the router engine: the input is a program of
 * host records, old-version reports and leaves, other routers' queries,
 * raw packets and clock jumps, fed to one router (IGMP or MLD). After
 * every step the engine's invariants must hold: sources sorted and
 * unique, no INCLUDE-mode source with timer 0 (RFC 3376 6.2.1), no
 * INCLUDE-mode group without sources, group timer running exactly in
 * EXCLUDE mode, memory within the configured limits; and nothing leaks.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fuzzutil.h"
#include "mcast/router.h"
#include "router/rt.h"


static struct mcast_router *R;
static bool V4;

static void on_send(void *ctx, unsigned ifindex, const uint8_t *pkt, size_t len)
{
	(void)ctx;
	CHECK(ifindex == 1);
	struct mcast_ip_info ip;
	CHECK(mcast_ip_parse(pkt, len, &ip) == MCAST_DROP_NONE); /* we send only what we can read */
}

static void on_fwd(void *ctx, unsigned ifindex, const struct mcast_addr *g, const struct mcast_addr *s,
		   enum mcast_fwd old, enum mcast_fwd now)
{
	(void)ctx;
	(void)g;
	(void)s;
	CHECK(ifindex == 1 && old != now);
}

static struct mcast_addr pick(struct rd *r, int kind)
{
	uint8_t x = rd(r) & 7, b[16] = { 0 };
	struct mcast_addr a;
	if (V4) {
		static const uint8_t grp[8][4] = { { 239, 1, 1, 1 }, { 239, 1, 1, 2 }, { 232, 1, 1, 1 },
						   { 224, 0, 0, 5 }, { 239, 9, 9, 9 }, { 239, 1, 1, 3 },
						   { 233, 0, 0, 1 }, { 232, 0, 0, 9 } };
		if (kind == 0)
			memcpy(b, grp[x], 4);
		else
			b[0] = 10, b[1] = kind == 1 ? 1 : 0, b[3] = (uint8_t)(x + (kind == 2 ? 0 : 1));
		mcast_addr_from_in4(&a, b);
	} else {
		if (kind == 0)
			b[0] = 0xff, b[1] = (x & 1) ? 0x3e : 0x05, b[15] = x;
		else if (kind == 1)
			b[0] = 0x20, b[1] = 0x01, b[15] = x + 1;
		else
			b[0] = 0xfe, b[1] = 0x80, b[15] = x;
		mcast_addr_from_in6(&a, b);
	}
	return a;
}

static void feed(void *ctx, const uint8_t *p, size_t n)
{
	(void)ctx;
	mcast_router_input(R, 1, p, n);
}

/* The engine's own invariant check (src/router/check.c), with the
 * limits this harness configured. */
static void check_invariants(void)
{
	char why[256];
	if (mcast_router_check(R, why, sizeof(why)) < 0) {
		fprintf(stderr, "invariant: %s\n", why);
		abort();
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct rd r = { data, size };
	uint8_t hdr = rd(&r);
	V4 = hdr & 1;
	enum mcast_family fam = V4 ? MCAST_AF_INET : MCAST_AF_INET6;
	struct mcast_wheel w;
	mcast_wheel_init(&w, 0);
	struct mcast_router_env env = { .al = &mcast_alloc_libc, .wheel = &w, .send = on_send,
					.fwd_change = on_fwd, .hash_seed = 3 };
	R = mcast_router_create(&env, fam);
	CHECK(R);
	struct mcast_router_config cfg;
	mcast_router_config_default(&cfg, fam);
	cfg.max_groups = 6;
	cfg.max_sources = 5;
	cfg.max_hosts = 3;
	cfg.max_total_sources = 12;
	cfg.fast_leave = hdr & 2;
	cfg.version = (uint8_t)(V4 ? 1 + (hdr >> 2) % 3 : 1 + (hdr >> 2) % 2);
	cfg.wire.require_ttl1 = !(hdr & 64);
	struct mcast_addr me = V4 ? (struct mcast_addr){ { [10] = 0xff, [11] = 0xff, 10, 0, 0, 4 } }
				  : (struct mcast_addr){ { 0xfe, 0x80, [15] = 4 } };
	CHECK(mcast_router_iface_add(R, 1, "fz", &me, 1500, &cfg) == 0);
	static uint8_t out[1600];
	while (r.n) {
		switch (rd(&r) % 6) {
		case 0: { /* a host's record */
			struct mcast_addr host = pick(&r, 2), g = pick(&r, 0), s[6];
			uint8_t type = (uint8_t)(1 + rd(&r) % 6);
			size_t n = rd(&r) % 6;
			for (size_t i = 0; i < n; i++)
				s[i] = pick(&r, 1);
			struct mcast_report_builder rb;
			if (mcast_report_init(&rb, fam, &host, NULL, 1500, out, sizeof(out), feed, NULL) == 0 &&
			    mcast_report_add(&rb, type, &g, s, n, NULL, 0) == 0)
				mcast_report_flush(&rb);
			break;
		}
		case 1: { /* an old report or leave */
			struct mcast_addr host = pick(&r, 2), g = pick(&r, 0);
			uint8_t v = rd(&r);
			enum mcast_msg_kind k = v & 1 ? MCAST_MSG_LEAVE : MCAST_MSG_REPORT;
			uint8_t ver = V4 ? (k == MCAST_MSG_LEAVE ? 2 : 1 + ((v >> 1) & 1)) : 1;
			int len = mcast_v1v2_encode(fam, k, ver, &g, 0, &host, NULL, out, sizeof(out));
			if (len > 0)
				mcast_router_input(R, 1, out, (size_t)len);
			break;
		}
		case 2: { /* another router's query */
			struct mcast_addr from = pick(&r, 2), s[4];
			uint8_t v = rd(&r);
			struct mcast_query_params q = { .family = fam, .version = (uint8_t)(V4 ? 1 + v % 3 : 1 + v % 2),
							.group = (v & 8) ? pick(&r, 0) : *mcast_profile_of(fam)->any,
							.max_resp_ms = (uint32_t)rd(&r) * 100, .s_flag = v & 16,
							.qrv = rd(&r) & 7, .qqi_s = rd(&r), .srcs = s };
			if ((v & 32) && !mcast_addr_is_unspecified(&q.group) && q.version == (V4 ? 3 : 2)) {
				q.nsrcs = rd(&r) % 4;
				for (size_t i = 0; i < q.nsrcs; i++)
					s[i] = pick(&r, 1);
			}
			(void)mcast_query_encode(&q, &from, NULL, 1500, out, sizeof(out), feed, NULL);
			break;
		}
		case 3: { /* raw bytes */
			size_t n = rd(&r);
			if (n > r.n)
				n = r.n;
			mcast_router_input(R, 1, r.p, n);
			r.p += n;
			r.n -= n;
			break;
		}
		case 4: /* time passes, up to 255 s */
			mcast_wheel_advance(&w, w.now_ms + (mcast_time_ms)rd(&r) * (rd(&r) & 1 ? 1000 : 7));
			break;
		case 5: { /* our address changes */
			struct mcast_addr a = pick(&r, 2);
			if (!mcast_addr_is_unspecified(&a) && mcast_addr_is_unicast(&a))
				(void)mcast_router_iface_set_addr(R, 1, &a);
			break;
		}
		}
		check_invariants();
	}
	mcast_router_destroy(R);
	return 0;
}
