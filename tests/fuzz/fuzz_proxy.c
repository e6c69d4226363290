/*
 * libFuzzer target for the proxy (RFC 4605): a router engine with two
 * downstream interfaces (2 and 3) under an access list, and two proxy
 * instances, upstreams 1 and 4. The input is a program of downstream
 * records, old-version reports and leaves, raw downstream and upstream
 * packets, the providers' queries (all versions), clock jumps,
 * downstreams leaving an instance and joining one (the same or the
 * other), upstreams going and coming back and their settings changing.
 *
 * After every step, with the proxy's queue drained (its flush is due at
 * once), each upstream's state of every group must be what RFC 4605 4.1
 * asks of its instance's membership database: the merge (RFC 3376 3.2: INCLUDE
 * lists united, EXCLUDE lists intersected less what an INCLUDE asks
 * for) of each downstream's subscription as the router engine holds it
 * (INCLUDE: the forwarded sources the access list lets in; EXCLUDE: the
 * timer-0 sources), without sources no filter may hold, and nothing for
 * link-scoped groups. Both engines' invariant checks hold too, and
 * nothing leaks.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fuzzengine.h"
#include "mcast/proxy.h"
#include "mcast/router.h"

static struct fuzz_prog prog; /* the input as a program */
static struct mcast_router *R;
static struct mcast_proxy *PX;
static bool V4;
/* Two instances: domain 1 with upstream 1, domain 2 with upstream 4;
 * the downstreams 2 and 3 move between them. */
static unsigned down_dom[4];    /* [2], [3]: the downstream's instance, 0 = none */
static bool up_on[5];           /* [1], [4]: the upstream is there */

static unsigned up_of(unsigned domain)
{
	return domain == 1 ? 1 : 4;
}

static void on_send_down(void *ctx, unsigned ifindex, const uint8_t *pkt, size_t len)
{
	(void)ctx;
	CHECK(ifindex == 1 || ifindex == 2 || ifindex == 3);
	struct mcast_ip_info ip;
	CHECK(mcast_ip_parse(pkt, len, &ip) == MCAST_DROP_NONE);
}

static void on_send_up(void *ctx, unsigned ifindex, const uint8_t *pkt, size_t len)
{
	(void)ctx;
	CHECK((ifindex == 1 || ifindex == 4) && up_on[ifindex]);
	struct mcast_ip_info ip;
	CHECK(mcast_ip_parse(pkt, len, &ip) == MCAST_DROP_NONE);
}

static void on_fwd(void *ctx, unsigned ifindex, const struct mcast_addr *g, const struct mcast_addr *s,
		   enum mcast_fwd old, enum mcast_fwd now)
{
	(void)ctx;
	if (PX)
		mcast_proxy_fwd_change(PX, ifindex, g, s, old, now);
}

static void on_ahead(void *ctx, unsigned ifindex, const struct mcast_group_record *recs, const uint64_t *hashes,
		     size_t n)
{
	(void)ctx;
	/* the hint's promise: the report's groups, hashed with the router's seed */
	CHECK(n > 0 && n <= 64);
	for (size_t i = 0; i < n; i++)
		CHECK(hashes[i] == mcast_addr_hash(&recs[i].group, 3));
	if (PX)
		mcast_proxy_groups_ahead(PX, ifindex, recs, hashes, n);
}

/* The access list: the source ending in 3 is denied on interface 3. */
static bool allow(void *ctx, unsigned ifindex, const struct mcast_addr *g, const struct mcast_addr *s)
{
	(void)ctx;
	(void)g;
	return !(ifindex == 3 && s->b[15] == 3 && !mcast_addr_is_unspecified(s));
}

static unsigned cur_if = 2;

static void feed_down(void *ctx, const uint8_t *p, size_t n)
{
	(void)ctx;
	mcast_router_input(R, cur_if, p, n);
}

static void feed_up(void *ctx, const uint8_t *p, size_t n)
{
	mcast_proxy_input(PX, *(const unsigned *)ctx, p, n);
}

/* A subscription: mode and sorted sources. */
struct sub {
	bool exclude;
	size_t n;
	struct mcast_addr s[64];
};

static int cmp_addr(const void *a, const void *b)
{
	return mcast_addr_cmp(a, b);
}

static bool has(const struct sub *x, const struct mcast_addr *a)
{
	return bsearch(a, x->s, x->n, sizeof(x->s[0]), cmp_addr) != NULL;
}

/* What downstream d asks for g, read from the router engine. */
static void subscription(unsigned d, const struct mcast_addr *g, struct sub *out)
{
	struct mcast_router_group_info info;
	struct mcast_router_source_info si[64];
	out->exclude = false;
	out->n = 0;
	if (mcast_router_group(R, d, g, &info, si, 64) < 0)
		return;
	CHECK(info.nsources <= 64);
	out->exclude = info.exclude;
	for (size_t i = 0; i < info.nsources; i++) {
		if (!mcast_addr_is_valid_source(&si[i].addr))
			continue;
		bool take = info.exclude ? !si[i].forwarding : si[i].forwarding && allow(NULL, d, g, &si[i].addr);
		if (take)
			out->s[out->n++] = si[i].addr;
	}
	qsort(out->s, out->n, sizeof(out->s[0]), cmp_addr);
}

/* RFC 3376 3.2 over the downstreams of an instance. */
static void merged(unsigned domain, const struct mcast_addr *g, struct sub *m)
{
	struct sub d[2];
	bool on[2];
	bool any_ex = false;
	for (unsigned k = 0; k < 2; k++) {
		on[k] = down_dom[2 + k] == domain;
		if (on[k])
			subscription(2 + k, g, &d[k]);
		any_ex |= on[k] && d[k].exclude;
	}
	m->exclude = any_ex;
	m->n = 0;
	/* candidates: every source any subscription names */
	struct mcast_addr cand[128];
	size_t nc = 0;
	for (unsigned k = 0; k < 2; k++)
		for (size_t i = 0; on[k] && i < d[k].n; i++)
			cand[nc++] = d[k].s[i];
	qsort(cand, nc, sizeof(cand[0]), cmp_addr);
	for (size_t i = 0; i < nc; i++) {
		if (i && mcast_addr_eq(&cand[i], &cand[i - 1]))
			continue;
		bool keep;
		if (any_ex) {
			keep = true;
			for (unsigned k = 0; k < 2; k++) {
				if (!on[k])
					continue;
				if (d[k].exclude)
					keep = keep && has(&d[k], &cand[i]);
				else
					keep = keep && !has(&d[k], &cand[i]);
			}
		} else {
			keep = true;
		}
		if (keep)
			m->s[m->n++] = cand[i];
	}
}

static void check_upstream(unsigned domain)
{
	const struct mcast_host *h = mcast_proxy_host(PX);
	unsigned up = up_of(domain);
	for (unsigned x = 0; x < 8; x++) {
		struct mcast_addr g = fuzz_addr(V4, 0, (uint8_t)x);
		enum mcast_filter_mode mode;
		struct mcast_addr s[64];
		size_t n = 0;
		int rc = mcast_host_iface_state(h, up, &g, &mode, s, 64, &n);
		if (!up_on[up]) {
			CHECK(rc == -ENODEV);
			continue;
		}
		if (mcast_addr_scope(&g) <= 2) {
			CHECK(rc == -ENOENT); /* RFC 4605 4.1: stays on its link */
			continue;
		}
		struct sub m;
		merged(domain, &g, &m);
		if (!m.exclude && m.n == 0) {
			CHECK(rc == -ENOENT);
			continue;
		}
		CHECK(rc == 0);
		CHECK((mode == MCAST_MODE_EXCLUDE) == m.exclude);
		CHECK(n == m.n);
		for (size_t i = 0; i < n; i++)
			CHECK(mcast_addr_eq(&s[i], &m.s[i]));
	}
}

static void check_invariants(void)
{
	char why[256];
	fuzz_invariant(mcast_router_check(R, why, sizeof(why)), why);
	fuzz_invariant(mcast_host_check(mcast_proxy_host(PX), why, sizeof(why)), why);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	V4 = fuzz_begin(&prog, data, size);
	struct mcast_router_env env = { .al = &mcast_alloc_libc, .wheel = &prog.w, .send = on_send_down,
					.fwd_change = on_fwd, .groups_ahead = on_ahead, .allow = allow, .hash_seed = 3 };
	R = mcast_router_create(&env, prog.fam);
	CHECK(R);
	struct mcast_router_config cfg;
	fuzz_router_config(&cfg, prog.fam, prog.hdr);
	struct mcast_addr me[5];
	for (unsigned i = 1; i <= 4; i++) {
		me[i] = V4 ? (struct mcast_addr){ { [10] = 0xff, [11] = 0xff, 10, (uint8_t)i, 0, 4 } }
			   : (struct mcast_addr){ { 0xfe, 0x80, [14] = (uint8_t)i, [15] = 4 } };
		if (i == 2 || i == 3)
			CHECK(mcast_router_iface_add(R, i, i == 2 ? "d2" : "d3", &me[i], 1500, &cfg) == 0);
	}
	struct mcast_proxy_env pe = { .al = &mcast_alloc_libc, .wheel = &prog.w, .send = on_send_up, .seed = 5,
				      .hash_seed = prog.hdr & 128 ? 3 : 7 /* the router's seed, or another */ };
	PX = mcast_proxy_create(&pe, prog.fam, R);
	CHECK(PX);
	struct mcast_host_iface_config hc;
	mcast_host_iface_config_default(&hc);
	struct mcast_host_iface_config hcs[5] = { [1] = hc, [4] = hc };
	up_on[1] = up_on[4] = true; /* they report at once */
	CHECK(mcast_proxy_upstream_add(PX, 1, 1, "up1", &me[1], &hc) == 0);
	CHECK(mcast_proxy_upstream_add(PX, 2, 4, "up4", &me[4], &hc) == 0);
	CHECK(mcast_proxy_downstream_add(PX, 1, 2) == 0 && mcast_proxy_downstream_add(PX, 2, 3) == 0);
	down_dom[2] = 1;
	down_dom[3] = 2;
	static uint8_t out[1600];
	while (prog.r.n) {
		uint8_t op = rd(&prog.r);
		cur_if = 2 + ((op >> 4) & 1);
		unsigned up = op & 32 ? 4 : 1;
		switch (op % 8) {
		case 0: /* a downstream host's record */
			fuzz_record(&prog.r, V4, feed_down, NULL);
			break;
		case 1: { /* an old downstream report or leave */
			int len = fuzz_old_report(&prog.r, V4, out, sizeof(out));
			if (len > 0)
				mcast_router_input(R, cur_if, out, (size_t)len);
			break;
		}
		case 2: /* a provider's query upstream */
			if (up_on[up])
				fuzz_query(&prog.r, V4, feed_up, &up);
			break;
		case 3: { /* raw bytes, downstream or upstream */
			const uint8_t *b;
			size_t n = fuzz_raw(&prog.r, &b);
			if (op & 64)
				mcast_proxy_input(PX, up, b, n);
			else
				mcast_router_input(R, cur_if, b, n);
			break;
		}
		case 4: /* time passes, up to 255 s */
			mcast_wheel_advance(&prog.w, prog.w.now_ms + (mcast_time_ms)rd(&prog.r) * (rd(&prog.r) & 1 ? 1000 : 7));
			break;
		case 5: /* a downstream leaves its instance, or joins one */
			if (down_dom[cur_if]) {
				CHECK(mcast_proxy_downstream_del(PX, cur_if) == 0);
				down_dom[cur_if] = 0;
			} else {
				unsigned d = up == 1 ? 1 : 2;
				CHECK(mcast_proxy_downstream_add(PX, d, cur_if) == 0);
				down_dom[cur_if] = d;
			}
			break;
		case 6: /* an upstream goes down, or comes back */
			if (up_on[up]) {
				CHECK(mcast_proxy_upstream_del(PX, up) == 0);
				up_on[up] = false;
			} else {
				up_on[up] = true; /* it reports at once */
				CHECK(mcast_proxy_upstream_add(PX, up == 1 ? 1 : 2, up, up == 1 ? "up1" : "up4", &me[up],
							       &hcs[up]) == 0);
			}
			break;
		case 7: /* an upstream's settings change (a reload) */
			if (up_on[up]) {
				hcs[up].force_version = (uint8_t)(rd(&prog.r) % (V4 ? 4 : 3));
				CHECK(mcast_proxy_upstream_set_config(PX, up, &hcs[up]) == 0);
			}
			break;
		}
		mcast_wheel_advance(&prog.w, prog.w.now_ms); /* the proxy's flush, due at once */
		check_invariants();
		check_upstream(1);
		check_upstream(2);
	}
	mcast_proxy_destroy(PX);
	PX = NULL;
	mcast_router_destroy(R);
	return 0;
}
