/*
 * Every public operation of the engines either completes or leaves the
 * state exactly as it was, whichever allocation fails (failalloc.h):
 * router, routing table, routing logic, host and proxy.
 */
#include "failalloc.h"
#include "mcast/host.h"
#include "mcast/mroute.h"
#include "mcast/proxy.h"
#include "mcast/router.h"
#include "mcast/routing.h"
#include "host/hs.h"

/* ---- the router engine --------------------------------------------------- */

struct rtst {
	struct mcast_wheel w;
	struct mcast_router *r;
	struct fa_text ev;          /* forwarding changes told, in order */
	struct fa_text tx;          /* packets sent (queries), as lengths */
};

static void rt_tx(void *ctx, unsigned ifindex, const uint8_t *p, size_t len)
{
	(void)p;
	fa_printf(&((struct rtst *)ctx)->tx, "%u:%zu ", ifindex, len);
}

static void rt_ev(void *ctx, unsigned ifindex, const struct mcast_addr *g, const struct mcast_addr *s,
		  enum mcast_fwd old, enum mcast_fwd now)
{
	char a[MCAST_ADDR_STRLEN], b[MCAST_ADDR_STRLEN];
	fa_printf(&((struct rtst *)ctx)->ev, "%u %s %s %d>%d\n", ifindex, mcast_addr_str(s, a), mcast_addr_str(g, b),
		  old, now);
}

static void rt_emit(void *ctx, const uint8_t *p, size_t n)
{
	mcast_router_input(((struct rtst *)ctx)->r, 1, p, n);
}

/* One report from host: records "TYPE GROUP [SOURCE...]" separated by ';'. */
static void rt_report(struct rtst *st, const char *host, const char *recs)
{
	static uint8_t out[1600];
	struct mcast_report_builder rb;
	struct mcast_addr h = A(host);
	assert_int_equal(mcast_report_init(&rb, mcast_addr_family(&h), &h, NULL, 1500, out, sizeof(out), rt_emit, st),
			 0);
	char buf[1024];
	snprintf(buf, sizeof(buf), "%s", recs);
	for (char *s1 = NULL, *rec = strtok_r(buf, ";", &s1); rec; rec = strtok_r(NULL, ";", &s1)) {
		struct mcast_addr g = mcast_addr_any4, srcs[16];
		size_t n = 0, k = 0;
		int type = 0;
		char *s2 = NULL;
		/* TYPE GROUP SOURCE... */
		for (char *w = strtok_r(rec, " ", &s2); w; w = strtok_r(NULL, " ", &s2), k++) {
			if (k == 0)
				type = !strcmp(w, "IS_IN")   ? MCAST_MODE_IS_INCLUDE
				       : !strcmp(w, "IS_EX") ? MCAST_MODE_IS_EXCLUDE
				       : !strcmp(w, "TO_IN") ? MCAST_CHANGE_TO_INCLUDE
				       : !strcmp(w, "TO_EX") ? MCAST_CHANGE_TO_EXCLUDE
				       : !strcmp(w, "ALLOW") ? MCAST_ALLOW_NEW_SOURCES
							     : MCAST_BLOCK_OLD_SOURCES;
			else if (k == 1)
				g = A(w);
			else
				srcs[n++] = A(w);
		}
		assert_int_equal(mcast_report_add(&rb, (uint8_t)type, &g, srcs, n, NULL, 0), 0);
	}
	mcast_report_flush(&rb);
}

static struct rtst *rt_make(bool fast_leave)
{
	struct rtst *st = calloc(1, sizeof(*st));
	mcast_wheel_init(&st->w, 1000);
	struct mcast_router_env env = { .al = &fa_alloc, .wheel = &st->w, .send = rt_tx, .fwd_change = rt_ev,
					.ctx = st, .hash_seed = 9 };
	st->r = mcast_router_create(&env, MCAST_AF_INET);
	assert_non_null(st->r);
	struct mcast_router_config c;
	mcast_router_config_default(&c, MCAST_AF_INET);
	c.fast_leave = fast_leave;
	c.max_sources = 6;
	c.max_total_sources = 40;
	struct mcast_addr me = A("10.0.0.1");
	assert_int_equal(mcast_router_iface_add(st->r, 1, "lan", &me, 1500, &c), 0);
	rt_report(st, "10.0.0.9", "IS_EX 239.1.1.1;IS_IN 239.1.1.2 10.1.0.1 10.1.0.2;TO_EX 239.1.1.3 10.1.0.7");
	rt_report(st, "10.0.0.8", "ALLOW 239.1.1.2 10.1.0.3");
	mcast_wheel_advance(&st->w, 2000);
	st->ev.len = st->tx.len = 0;
	if (st->ev.p)
		st->ev.p[0] = '\0';
	if (st->tx.p)
		st->tx.p[0] = '\0';
	return st;
}

static void *rt_make_plain(void)
{
	return rt_make(false);
}

static void *rt_make_tracking(void)
{
	return rt_make(true);
}

static void rt_text(void *p, struct fa_text *out)
{
	struct rtst *st = p;
	mcast_router_dump_json(st->r, fa_put, out);
	fa_printf(out, "\nevents:\n%s\nsent: %s\n", st->ev.p ? st->ev.p : "", st->tx.p ? st->tx.p : "");
}

static int rt_check(void *p, char *why, size_t len)
{
	return mcast_router_check(((struct rtst *)p)->r, why, len);
}

static void rt_destroy(void *p)
{
	struct rtst *st = p;
	mcast_router_destroy(st->r);
	free(st->ev.p);
	free(st->tx.p);
	free(st);
}

/* A report of many records: new groups, new sources, mode changes,
 * a group emptied and filled again in the same packet. */
static void rt_op_report(void *p)
{
	rt_report(p, "10.0.0.9",
		  "IS_EX 239.2.2.1 10.1.0.5;ALLOW 239.2.2.2 10.1.0.1 10.1.0.2 10.1.0.3;TO_IN 239.1.1.2;"
		  "ALLOW 239.1.1.2 10.1.0.4 10.1.0.5;TO_EX 239.1.1.1 10.1.0.9;BLOCK 239.1.1.3 10.1.0.7;"
		  "IS_IN 239.2.2.3 10.1.0.1 10.1.0.2 10.1.0.3 10.1.0.4 10.1.0.5 10.1.0.6 10.1.0.7");
}

static void rt_op_v2(void *p)
{
	struct rtst *st = p;
	uint8_t out[64];
	struct mcast_addr h = A("10.0.0.7"), g = A("239.3.3.3");
	int n = mcast_v1v2_encode(MCAST_AF_INET, MCAST_MSG_REPORT, 2, &g, 0, &h, NULL, out, sizeof(out));
	mcast_router_input(st->r, 1, out, (size_t)n);
}

static void rt_op_iface(void *p)
{
	struct rtst *st = p;
	struct mcast_router_config c;
	mcast_router_config_default(&c, MCAST_AF_INET);
	struct mcast_addr me = A("10.0.5.1");
	int rc = mcast_router_iface_add(st->r, 5, "lan5", &me, 1500, &c);
	assert_true(rc == 0 || rc == -ENOMEM);
}

static void test_router(void **state)
{
	(void)state;
	const struct fa_case cases[] = {
		{ "router: a report of 7 records", rt_make_plain, rt_op_report, rt_text, rt_check, rt_destroy, NULL },
		{ "router: the same with fast leave", rt_make_tracking, rt_op_report, rt_text, rt_check, rt_destroy, NULL },
		{ "router: an IGMPv2 report", rt_make_tracking, rt_op_v2, rt_text, rt_check, rt_destroy, NULL },
		{ "router: an interface added", rt_make_plain, rt_op_iface, rt_text, rt_check, rt_destroy, NULL },
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		assert_true(fa_run(&cases[i]) > 0);
}

/* ---- the routing table (mroute) ------------------------------------------ */

struct mrst {
	struct mcast_wheel w;
	struct mcast_mr_table *t;
	struct mcast_mr_owner o;
	struct fa_text ev;
};

static void mr_changed(void *ctx, const struct mcast_mr_event *ev)
{
	char a[MCAST_ADDR_STRLEN], b[MCAST_ADDR_STRLEN];
	fa_printf(&((struct mrst *)ctx)->ev, "event %d vif %u (%s, %s) %zu\n", ev->type, ev->vif,
		  mcast_addr_str(&ev->source, a), mcast_addr_str(&ev->group, b), ev->noifs);
}

static void mr_upcall(void *ctx, const struct mcast_upcall *u)
{
	char a[MCAST_ADDR_STRLEN], b[MCAST_ADDR_STRLEN];
	fa_printf(&((struct mrst *)ctx)->ev, "upcall %d vif %u (%s, %s)\n", u->type, u->vif,
		  mcast_addr_str(&u->source, a), mcast_addr_str(&u->group, b));
}

static unsigned mr_copies;

static void mr_xmit(void *ctx, unsigned ifindex, const uint8_t *pkt, size_t len)
{
	(void)ctx;
	(void)ifindex;
	(void)pkt;
	(void)len;
	mr_copies++;
}

static void *mr_make(void)
{
	struct mrst *st = calloc(1, sizeof(*st));
	mcast_wheel_init(&st->w, 1000);
	struct mcast_mr_env env = { .al = &fa_alloc, .wheel = &st->w, .changed = mr_changed, .xmit = mr_xmit,
				    .ctx = st, .hash_seed = 3 };
	struct mcast_mr_config c;
	mcast_mr_config_default(&c);
	st->t = mcast_mr_create(&env, &c, MCAST_AF_INET, 0);
	assert_non_null(st->t);
	st->o = (struct mcast_mr_owner){ mr_upcall, st };
	assert_int_equal(mcast_mr_init(st->t, &st->o), 0);
	for (uint16_t v = 0; v < 8; v++) {
		struct mcast_vif_config vc = { .ifindex = 10u + v, .threshold = 1 };
		snprintf(vc.name, sizeof(vc.name), "eth%u", v);
		assert_int_equal(mcast_mr_vif_add(st->t, &st->o, v, &vc), 0);
	}
	struct mcast_mfc_oif o[2] = { { 1, 1 }, { 2, 1 } };
	struct mcast_mfc_params p = { .source = A("10.0.0.5"), .group = A("239.1.1.1"), .iif = 0, .oifs = o, .noifs = 2 };
	assert_int_equal(mcast_mr_mfc_add(st->t, &st->o, &p), 0);
	st->ev.len = 0;
	return st;
}

static void mr_text(void *p, struct fa_text *out)
{
	struct mrst *st = p;
	struct fa_text j = { 0 };
	fa_put(&j, "");
	mcast_mr_dump_json(st->t, fa_put, &j);
	char *stats = strstr(j.p, "\"stats\"");
	if (stats)
		*stats = '\0'; /* counters are not state: the table's, and each VIF's */
	for (const char *k = j.p; *k;) {
		if (!strncmp(k, "\"pkts_", 6) || !strncmp(k, "\"bytes_", 7)) {
			k = strchr(k, ':') + 1;
			while (*k >= '0' && *k <= '9')
				k++;
			continue;
		}
		char c[2] = { *k++, 0 };
		fa_put(out, c);
	}
	free(j.p);
	fa_printf(out, "\n%.*s", (int)st->ev.len, st->ev.p ? st->ev.p : "");
}

static int mr_check(void *p, char *why, size_t len)
{
	return mcast_mr_check(((struct mrst *)p)->t, why, len);
}

static void mr_destroy(void *p)
{
	struct mrst *st = p;
	mcast_mr_destroy(st->t);
	free(st->ev.p);
	free(st);
}

static void mr_op_add(void *p)
{
	struct mrst *st = p;
	struct mcast_mfc_oif o[6] = { { 1, 1 }, { 2, 1 }, { 3, 4 }, { 4, 1 }, { 5, 1 }, { 6, 1 } };
	struct mcast_mfc_params pr = { .source = A("10.0.0.6"), .group = A("239.1.1.2"), .iif = 0, .oifs = o, .noifs = 6 };
	mcast_mr_mfc_add(st->t, &st->o, &pr);
}

static void mr_op_replace(void *p)
{
	struct mrst *st = p;
	struct mcast_mfc_oif o[7] = { { 1, 1 }, { 2, 1 }, { 3, 1 }, { 4, 1 }, { 5, 1 }, { 6, 1 }, { 7, 1 } };
	struct mcast_mfc_params pr = { .source = A("10.0.0.5"), .group = A("239.1.1.1"), .iif = 0, .oifs = o, .noifs = 7 };
	mcast_mr_mfc_add(st->t, &st->o, &pr);
}

/* A UDP datagram from s to g (payload bytes) arriving on VIF 0's eth0. */
static void mr_datagram(struct mrst *st, const char *s, const char *g, size_t payload)
{
	uint8_t pkt[1400];
	struct mcast_addr src = A(s), grp = A(g);
	size_t n = mcast_udp_build(pkt, sizeof(pkt), &src, &grp, 16, payload);
	assert_true(n > 0);
	mcast_mr_input(st->t, 10, pkt, n);
}

static void mr_op_miss(void *p)
{
	mr_datagram(p, "10.0.0.9", "239.9.9.9", 5);
}

/* A hit on (10.0.0.5, 239.1.1.1): the copy buffer grows on the first
 * packet forwarded. */
static void mr_op_hit(void *p)
{
	mr_datagram(p, "10.0.0.5", "239.1.1.1", 1300);
}

/* Without memory for the copy, nothing goes out and the packet is
 * counted; with it, both outputs get their copy. */
static void test_mroute_copy_buffer(void **state)
{
	(void)state;
	struct mrst *st = mr_make();
	mr_copies = 0;
	fa_arm(1);
	mr_op_hit(st);
	assert_true(FA.fired);
	assert_int_equal(mr_copies, 0);
	assert_int_equal(mcast_mr_stats(st->t)->no_memory, 1);
	fa_arm(0);
	mr_op_hit(st);
	assert_int_equal(mr_copies, 2);
	assert_int_equal(mcast_mr_stats(st->t)->copies, 2);
	mr_destroy(st);
}

static void test_mroute(void **state)
{
	(void)state;
	const struct fa_case cases[] = {
		{ "mroute: a hit forwarded, its copy buffer grown", mr_make, mr_op_hit, mr_text, mr_check, mr_destroy, NULL },
		{ "mroute: an entry with 6 outputs", mr_make, mr_op_add, mr_text, mr_check, mr_destroy, NULL },
		{ "mroute: an entry rewritten with 7 outputs", mr_make, mr_op_replace, mr_text, mr_check, mr_destroy, NULL },
		{ "mroute: a miss queued, its upcall", mr_make, mr_op_miss, mr_text, mr_check, mr_destroy, NULL },
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		assert_true(fa_run(&cases[i]) > 0);
}

/* ---- the routing logic ------------------------------------------------------ */

struct rgst {
	struct mrst m;
	struct mcast_router *r;
	struct mcast_routing *rt;
};

static void rg_fwd(void *ctx, unsigned ifindex, const struct mcast_addr *g, const struct mcast_addr *s,
		   enum mcast_fwd old, enum mcast_fwd now)
{
	struct rgst *st = ctx;
	if (st->rt)
		mcast_routing_fwd_change(st->rt, ifindex, g, s, old, now);
}

static void rg_report(void *ctx, const uint8_t *p, size_t n)
{
	mcast_router_input(((struct rgst *)ctx)->r, 11, p, n);
}

static void *rg_make(void)
{
	struct rgst *st = calloc(1, sizeof(*st));
	mcast_wheel_init(&st->m.w, 1000);
	struct mcast_mr_env me = { .al = &fa_alloc, .wheel = &st->m.w, .changed = mr_changed, .ctx = &st->m, .hash_seed = 3 };
	struct mcast_mr_config c;
	mcast_mr_config_default(&c);
	st->m.t = mcast_mr_create(&me, &c, MCAST_AF_INET, 0);
	struct mcast_router_env re = { .al = &fa_alloc, .wheel = &st->m.w, .fwd_change = rg_fwd, .ctx = st, .hash_seed = 4 };
	st->r = mcast_router_create(&re, MCAST_AF_INET);
	struct mcast_routing_env ge = { .al = &fa_alloc, .wheel = &st->m.w, .hash_seed = 5 };
	struct mcast_routing_config gc;
	mcast_routing_config_default(&gc);
	st->rt = mcast_routing_create(&ge, &gc, st->m.t, st->r);
	assert_non_null(st->rt);
	struct mcast_router_config rc;
	mcast_router_config_default(&rc, MCAST_AF_INET);
	const char *names[] = { "wan", "lan1", "lan2" }, *addrs[] = { "10.0.0.1", "10.0.1.1", "10.0.2.1" };
	for (unsigned i = 0; i < 3; i++) {
		struct mcast_addr a = A(addrs[i]);
		assert_int_equal(mcast_router_iface_add(st->r, 10 + i, names[i], &a, 1500, &rc), 0);
		assert_true(mcast_routing_iface_add(st->rt, 10 + i, names[i], 1) >= 0);
	}
	/* a listener on lan1 for 239.1.1.1 */
	static uint8_t out[1600];
	struct mcast_report_builder rb;
	struct mcast_addr h = A("10.0.1.10"), g = A("239.1.1.1");
	mcast_report_init(&rb, MCAST_AF_INET, &h, NULL, 1500, out, sizeof(out), rg_report, st);
	mcast_report_add(&rb, MCAST_MODE_IS_EXCLUDE, &g, NULL, 0, NULL, 0);
	mcast_report_flush(&rb);
	st->m.ev.len = 0;
	return st;
}

static void rg_destroy(void *p)
{
	struct rgst *st = p;
	mcast_routing_destroy(st->rt);
	mcast_mr_destroy(st->m.t);
	mcast_router_destroy(st->r);
	free(st->m.ev.p);
	free(st);
}

static void rg_op_upcall(void *p)
{
	struct rgst *st = p;
	struct mcast_upcall u = { .type = MCAST_UPCALL_NOCACHE, .vif = mcast_mr_vif_of(st->m.t, 10),
				  .source = A("10.0.0.5"), .group = A("239.1.1.1") };
	mcast_routing_upcall(st->rt, &u);
}

static void rg_op_static(void *p)
{
	struct rgst *st = p;
	unsigned out[2] = { 11, 12 };
	struct mcast_addr s = A("10.0.0.7"), g = A("239.7.7.7");
	mcast_routing_static_add(st->rt, 10, &s, &g, out, 2);
}

static void *rg_make_full(void)
{
	struct rgst *st = rg_make();
	for (unsigned i = 0; i < 5; i++) /* 8 interfaces: the array is full */
		assert_true(mcast_routing_iface_add(st->rt, 20 + i, "more", 1) >= 0);
	st->m.ev.len = 0;
	return st;
}

static void rg_op_iface(void *p)
{
	struct rgst *st = p;
	mcast_routing_iface_add(st->rt, 30, "ninth", 1);
}

static void test_routing(void **state)
{
	(void)state;
	const struct fa_case cases[] = {
		{ "routing: an upcall answered with an entry", rg_make, rg_op_upcall, mr_text, mr_check, rg_destroy, NULL },
		{ "routing: a static route", rg_make, rg_op_static, mr_text, mr_check, rg_destroy, NULL },
		{ "routing: a ninth interface", rg_make_full, rg_op_iface, mr_text, mr_check, rg_destroy, NULL },
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		assert_true(fa_run(&cases[i]) > 0);
}

/* ---- the host engine ---------------------------------------------------------- */

struct hsst {
	struct mcast_wheel w;
	struct mcast_host *h;
	struct mcast_host_sock *s[2];
	struct fa_text tx;
};

static void hs_tx(void *ctx, unsigned ifindex, const uint8_t *p, size_t len)
{
	struct hsst *st = ctx;
	fa_printf(&st->tx, "%u:", ifindex);
	for (size_t i = 0; i < len; i++)
		fa_printf(&st->tx, "%02x", p[i]);
	fa_put(&st->tx, "\n");
}

static void *hs_make_version(int force)
{
	struct hsst *st = calloc(1, sizeof(*st));
	mcast_wheel_init(&st->w, 1000);
	struct mcast_host_env env = { .al = &fa_alloc, .wheel = &st->w, .send = hs_tx, .ctx = st, .seed = 7 };
	struct mcast_host_config c;
	mcast_host_config_default(&c, MCAST_AF_INET);
	st->h = mcast_host_create(&env, &c, MCAST_AF_INET);
	assert_non_null(st->h);
	struct mcast_addr me = A("10.0.1.10");
	struct mcast_host_iface_config ic;
	mcast_host_iface_config_default(&ic);
	ic.force_version = (uint8_t)force;
	assert_int_equal(mcast_host_iface_add(st->h, 1, "eth0", &me, &ic), 0);
	st->s[0] = mcast_host_socket(st->h);
	st->s[1] = mcast_host_socket(st->h);
	struct mcast_addr g1 = A("239.1.1.1"), g2 = A("239.1.1.2"), s1 = A("10.0.0.5"), s2 = A("10.0.0.6");
	assert_int_equal(mcast_host_join(st->h, st->s[0], 1, &g1), 0);
	assert_int_equal(mcast_host_block(st->h, st->s[0], 1, &g1, &s1), 0);
	assert_int_equal(mcast_host_join_source(st->h, st->s[1], 1, &g2, &s2), 0);
	mcast_wheel_advance(&st->w, 20000); /* retransmissions done */
	st->tx.len = 0;
	return st;
}

static void *hs_make(void)
{
	return hs_make_version(0);
}

/* IGMPv2 on the interface: a query starts a report timer per group. */
static void *hs_make_v2(void)
{
	return hs_make_version(2);
}

static void hs_text(void *p, struct fa_text *out)
{
	struct hsst *st = p;
	mcast_host_dump_json(st->h, fa_put, out);
	const char *groups[] = { "239.1.1.1", "239.1.1.2", "239.1.1.3" };
	for (int k = 0; k < 2; k++)
		for (int i = 0; i < 3; i++) {
			struct mcast_addr g = A(groups[i]), v[16];
			enum mcast_filter_mode mode;
			size_t n;
			if (mcast_host_get_filter(st->h, st->s[k], 1, &g, &mode, v, 16, &n) < 0)
				continue;
			fa_printf(out, "\nsocket %d %s %s", k, groups[i], mode == MCAST_MODE_EXCLUDE ? "EX" : "IN");
			for (size_t j = 0; j < n; j++) {
				char a[MCAST_ADDR_STRLEN];
				fa_printf(out, " %s", mcast_addr_str(&v[j], a));
			}
		}
	/* a pending query response shows as the next timer */
	fa_printf(out, "\nnext timer %llu\nsent:\n%.*s", (unsigned long long)mcast_wheel_next(&st->w), (int)st->tx.len,
		  st->tx.p ? st->tx.p : "");
}

static int hs_check(void *p, char *why, size_t len)
{
	return mcast_host_check(((struct hsst *)p)->h, why, len);
}

static void hs_destroy(void *p)
{
	struct hsst *st = p;
	mcast_host_destroy(st->h);
	free(st->tx.p);
	free(st);
}

static void hs_op_filter(void *p)
{
	struct hsst *st = p;
	struct mcast_addr g = A("239.1.1.3"), v[6] = { A("10.0.0.1"), A("10.0.0.2"), A("10.0.0.3"), A("10.0.0.4"),
							 A("10.0.0.5"), A("10.0.0.6") };
	mcast_host_set_filter(st->h, st->s[1], 1, &g, MCAST_MODE_EXCLUDE, v, 6);
}

static void hs_op_change(void *p)
{
	struct hsst *st = p;
	struct mcast_addr g = A("239.1.1.1"), v[5] = { A("10.0.0.7"), A("10.0.0.8"), A("10.0.0.9"), A("10.0.0.10"),
							 A("10.0.0.11") };
	mcast_host_set_filter(st->h, st->s[1], 1, &g, MCAST_MODE_INCLUDE, v, 5);
}

/* One source more in an EXCLUDE filter, and a source join that makes a
 * membership: each builds its new list once and hands it on. */
static void hs_op_block(void *p)
{
	struct hsst *st = p;
	struct mcast_addr g = A("239.1.1.1"), s = A("10.0.0.99");
	mcast_host_block(st->h, st->s[0], 1, &g, &s);
}

static void hs_op_source_join(void *p)
{
	struct hsst *st = p;
	struct mcast_addr g = A("239.1.1.9"), s = A("10.0.0.98");
	mcast_host_join_source(st->h, st->s[1], 1, &g, &s);
}

static void hs_op_query(void *p)
{
	struct hsst *st = p;
	uint8_t out[256];
	struct mcast_addr srcs[3] = { A("10.0.0.6"), A("10.0.0.7"), A("10.0.0.8") }, from = A("10.0.1.1");
	struct mcast_query_params q = { .family = MCAST_AF_INET, .version = 3, .group = A("239.1.1.2"),
					.max_resp_ms = 1000, .qrv = 2, .qqi_s = 125, .srcs = srcs, .nsrcs = 3 };
	struct pkts k = { 0 };
	assert_true(mcast_query_encode(&q, &from, NULL, 1500, out, sizeof(out), pkts_emit, &k) > 0);
	mcast_host_input(st->h, 1, k.data[0], k.len[0]);
}

/* A v2 general query: every group's report timer starts (each group
 * then has a wait record), or, without memory, none does. */
static void hs_op_query_v2(void *p)
{
	struct hsst *st = p;
	uint8_t out[256];
	struct mcast_addr from = A("10.0.1.1");
	struct mcast_query_params q = { .family = MCAST_AF_INET, .version = 2, .group = A("0.0.0.0"),
					.max_resp_ms = 1000 };
	struct pkts k = { 0 };
	assert_true(mcast_query_encode(&q, &from, NULL, 1500, out, sizeof(out), pkts_emit, &k) > 0);
	mcast_host_input(st->h, 1, k.data[0], k.len[0]);
}

/* Socket 0 joins n more groups from base on, and the reports are done. */
static struct hsst *hs_join_more(struct hsst *st, uint32_t base, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		struct mcast_addr g;
		mcast_addr_from_u32(&g, base + (uint32_t)i);
		assert_int_equal(mcast_host_join(st->h, st->s[0], 1, &g), 0);
	}
	mcast_wheel_advance(&st->w, st->w.now_ms + 20000);
	st->tx.len = 0;
	return st;
}

/* A socket of 8 memberships: the next one grows its index. */
static void *hs_make_many(void)
{
	return hs_join_more(hs_make(), 0xef020000u, 7);
}

static void hs_op_ninth(void *p)
{
	struct hsst *st = p;
	struct mcast_addr g = A("239.2.0.100");
	mcast_host_join(st->h, st->s[0], 1, &g);
}

static void hs_op_iface(void *p)
{
	struct hsst *st = p;
	struct mcast_addr me = A("10.0.2.10");
	mcast_host_iface_add(st->h, 2, "eth1", &me, NULL);
}

/* Groups come from a pool: fill its chunk, so that the next group needs
 * an allocation (which then fails at each point in turn). */
static void *hs_make_pool_full(void)
{
	struct hsst *st = hs_make();
	hs_join_more(st, 0xef030000u, st->h->groups.allocated - st->h->groups.in_use); /* a group each */
	assert_int_equal(st->h->groups.in_use, st->h->groups.allocated);
	return st;
}

static void hs_op_forwarding(void *p)
{
	mcast_host_iface_set_forwarding(((struct hsst *)p)->h, 1, true);
}

static void test_host(void **state)
{
	(void)state;
	const struct fa_case cases[] = {
		{ "host: EXCLUDE of 6 sources on a new group", hs_make, hs_op_filter, hs_text, hs_check, hs_destroy, NULL },
		{ "host: a second socket's filter on a group", hs_make, hs_op_change, hs_text, hs_check, hs_destroy, NULL },
		{ "host: a block of one more source", hs_make, hs_op_block, hs_text, hs_check, hs_destroy, NULL },
		{ "host: a source join on a new group", hs_make, hs_op_source_join, hs_text, hs_check, hs_destroy, NULL },
		{ "host: a group-and-source query", hs_make, hs_op_query, hs_text, hs_check, hs_destroy, NULL },
		{ "host: a v2 general query (a report timer per group)", hs_make_v2, hs_op_query_v2, hs_text, hs_check,
		  hs_destroy, NULL },
		{ "host: a block of one more source under v2", hs_make_v2, hs_op_block, hs_text, hs_check, hs_destroy,
		  NULL },
		{ "host: an interface added", hs_make, hs_op_iface, hs_text, hs_check, hs_destroy, NULL },
		{ "host: a ninth membership (the index grows)", hs_make_many, hs_op_ninth, hs_text, hs_check, hs_destroy,
		  NULL },
		{ "host: forwarding on (all-routers joined)", hs_make_pool_full, hs_op_forwarding, hs_text, hs_check, hs_destroy, NULL },
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		assert_true(fa_run(&cases[i]) > 0);
}

/* ---- the proxy ------------------------------------------------------------------- */

struct pxst {
	struct mcast_wheel w;
	struct mcast_router *r;
	struct mcast_proxy *px;
	struct fa_text tx;
};

static void px_fwd(void *ctx, unsigned ifindex, const struct mcast_addr *g, const struct mcast_addr *s,
		   enum mcast_fwd old, enum mcast_fwd now)
{
	struct pxst *st = ctx;
	if (st->px)
		mcast_proxy_fwd_change(st->px, ifindex, g, s, old, now);
}

static void px_tx(void *ctx, unsigned ifindex, const uint8_t *p, size_t len)
{
	struct pxst *st = ctx;
	fa_printf(&st->tx, "%u:", ifindex);
	for (size_t i = 0; i < len; i++)
		fa_printf(&st->tx, "%02x", p[i]);
	fa_put(&st->tx, "\n");
}

static void px_report(void *ctx, const uint8_t *p, size_t n)
{
	mcast_router_input(((struct pxst *)ctx)->r, 2, p, n);
}

static void *px_make(void)
{
	struct pxst *st = calloc(1, sizeof(*st));
	mcast_wheel_init(&st->w, 1000);
	struct mcast_router_env re = { .al = &fa_alloc, .wheel = &st->w, .fwd_change = px_fwd, .ctx = st, .hash_seed = 4 };
	st->r = mcast_router_create(&re, MCAST_AF_INET);
	struct mcast_proxy_env pe = { .al = &fa_alloc, .wheel = &st->w, .send = px_tx, .ctx = st, .seed = 8, .hash_seed = 9 };
	st->px = mcast_proxy_create(&pe, MCAST_AF_INET, st->r);
	assert_non_null(st->px);
	struct mcast_router_config rc;
	mcast_router_config_default(&rc, MCAST_AF_INET);
	struct mcast_addr d2 = A("10.0.2.1"), d3 = A("10.0.3.1"), up = A("10.0.0.2");
	assert_int_equal(mcast_router_iface_add(st->r, 2, "lan2", &d2, 1500, &rc), 0);
	assert_int_equal(mcast_router_iface_add(st->r, 3, "lan3", &d3, 1500, &rc), 0);
	assert_int_equal(mcast_proxy_upstream_add(st->px, 1, 1, "wan", &up, NULL), 0);
	assert_int_equal(mcast_proxy_downstream_add(st->px, 1, 2), 0);
	assert_int_equal(mcast_proxy_downstream_add(st->px, 1, 3), 0);
	mcast_wheel_advance(&st->w, 30000);
	st->tx.len = 0;
	return st;
}

static void px_text(void *p, struct fa_text *out)
{
	struct pxst *st = p;
	mcast_proxy_dump_json(st->px, fa_put, out);
	fa_put(out, "\n");
	mcast_host_dump_json(mcast_proxy_host(st->px), fa_put, out);
	fa_printf(out, "\nsent:\n%.*s", (int)st->tx.len, st->tx.p ? st->tx.p : "");
}

/* The state alone: a retried subscription sends its reports later, in
 * another order, and ends in the same state. */
static void px_state_text(void *p, struct fa_text *out)
{
	struct pxst *st = p;
	mcast_proxy_dump_json(st->px, fa_put, out);
	fa_put(out, "\n");
	mcast_host_dump_json(mcast_proxy_host(st->px), fa_put, out);
}

static int px_check(void *p, char *why, size_t len)
{
	struct pxst *st = p;
	int rc = mcast_router_check(st->r, why, len);
	return rc < 0 ? rc : mcast_host_check(mcast_proxy_host(st->px), why, len);
}

static void px_destroy(void *p)
{
	struct pxst *st = p;
	mcast_proxy_destroy(st->px);
	mcast_router_destroy(st->r);
	free(st->tx.p);
	free(st);
}

/* A new downstream group: its subscription taken upstream at once. */
static void px_op_one(void *p)
{
	struct pxst *st = p;
	static uint8_t out[1600];
	struct mcast_report_builder rb;
	struct mcast_addr h = A("10.0.2.10"), g = A("239.5.5.2");
	struct mcast_addr s[3] = { A("10.0.0.5"), A("10.0.0.6"), A("10.0.0.7") };
	mcast_report_init(&rb, MCAST_AF_INET, &h, NULL, 1500, out, sizeof(out), px_report, st);
	mcast_report_add(&rb, MCAST_ALLOW_NEW_SOURCES, &g, s, 3, NULL, 0);
	mcast_report_flush(&rb);
	mcast_wheel_advance(&st->w, st->w.now_ms); /* the proxy's flush, due at once */
}

/* Two seconds on: what failed is tried again (after one). */
static void px_settle(void *p)
{
	struct pxst *st = p;
	mcast_wheel_advance(&st->w, st->w.now_ms + 2000);
}

/* A downstream report of two groups: each subscription whole or not at all. */
static void px_op_report(void *p)
{
	struct pxst *st = p;
	static uint8_t out[1600];
	struct mcast_report_builder rb;
	struct mcast_addr h = A("10.0.2.10"), g1 = A("239.5.5.1"), g2 = A("239.5.5.2");
	struct mcast_addr s[3] = { A("10.0.0.5"), A("10.0.0.6"), A("10.0.0.7") };
	mcast_report_init(&rb, MCAST_AF_INET, &h, NULL, 1500, out, sizeof(out), px_report, st);
	mcast_report_add(&rb, MCAST_MODE_IS_EXCLUDE, &g1, s, 1, NULL, 0);
	mcast_report_add(&rb, MCAST_ALLOW_NEW_SOURCES, &g2, s, 3, NULL, 0);
	mcast_report_flush(&rb);
	mcast_wheel_advance(&st->w, st->w.now_ms); /* the proxy's flush, due at once */
}

static void test_proxy(void **state)
{
	(void)state;
	const struct fa_case cases[] = {
		{ "proxy: a new downstream group", px_make, px_op_one, px_text, px_check, px_destroy, NULL },
		{ "proxy: a report of two groups, retried", px_make, px_op_report, px_state_text, px_check, px_destroy,
		  px_settle },
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		assert_true(fa_run(&cases[i]) > 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_router),
		cmocka_unit_test(test_mroute),
		cmocka_unit_test(test_mroute_copy_buffer),
		cmocka_unit_test(test_routing),
		cmocka_unit_test(test_host),
		cmocka_unit_test(test_proxy),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
