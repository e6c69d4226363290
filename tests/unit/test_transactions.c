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
		{ "router: a report of 7 records", rt_make_plain, rt_op_report, rt_text, rt_check, rt_destroy },
		{ "router: the same with fast leave", rt_make_tracking, rt_op_report, rt_text, rt_check, rt_destroy },
		{ "router: an IGMPv2 report", rt_make_tracking, rt_op_v2, rt_text, rt_check, rt_destroy },
		{ "router: an interface added", rt_make_plain, rt_op_iface, rt_text, rt_check, rt_destroy },
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		assert_true(fa_run(&cases[i]) > 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_router),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
