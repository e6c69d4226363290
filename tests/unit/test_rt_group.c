/* Unit tests for src/router/group.c: every row of RFC 3376 6.4.1 and
 * 6.4.2 (RFC 3810 7.4.1, 7.4.2) for both families, queries and
 * retransmissions (6.6.3), timer expiry (6.5), older-version hosts
 * (7.3.2), SSM (RFC 4604), fast leave, limits. */
#include "rtutil.h"
#include "router/rt.h"

static const char *G(enum mcast_family f)
{
	return f == MCAST_AF_INET ? "239.1.1.1" : "ff05::9";
}
static const char *H(enum mcast_family f)
{
	return f == MCAST_AF_INET ? "10.0.0.10" : "fe80::10";
}

struct row {
	bool exclude;     /* initial: INCLUDE {s1,s2} or EXCLUDE X {s1,s2} Y {s3,s4} */
	uint8_t type;
	const char *srcs;
	const char *state;
	const char *queries;
	/* the same row on a router that is not the querier: the table's
	 * actions without the querier's lowering to LMQT (6.6.3), which
	 * hides whether a timer was set to GT or GMI */
	const char *state_nq;
};

/* Timers 10 s after setup: GMI = 260000 (2*125 s + 10 s), those set at
 * setup 250000, the group timer 250000, LMQT 2000 (2 * 1 s). */
static const struct row rows[] = {
	/* 6.4.1 / 6.4.2, INCLUDE (A) with A = {s1, s2}, B = {s2, s3} */
	{ false, MCAST_MODE_IS_INCLUDE, "s2 s3", "INCLUDE s1=250000 s2=260000 s3=260000", "",
	  "INCLUDE s1=250000 s2=260000 s3=260000" },
	{ false, MCAST_MODE_IS_EXCLUDE, "s2 s3", "EXCLUDE gt=260000 s2=250000 s3=0", "",
	  "EXCLUDE gt=260000 s2=250000 s3=0" },
	{ false, MCAST_ALLOW_NEW_SOURCES, "s2 s3", "INCLUDE s1=250000 s2=260000 s3=260000", "",
	  "INCLUDE s1=250000 s2=260000 s3=260000" },
	{ false, MCAST_BLOCK_OLD_SOURCES, "s2 s3", "INCLUDE s1=250000 s2=2000", "Q(G,s2) S=0",
	  "INCLUDE s1=250000 s2=250000" },
	{ false, MCAST_CHANGE_TO_EXCLUDE, "s2 s3", "EXCLUDE gt=260000 s2=2000 s3=0", "Q(G,s2) S=0",
	  "EXCLUDE gt=260000 s2=250000 s3=0" },
	{ false, MCAST_CHANGE_TO_INCLUDE, "s2 s3", "INCLUDE s1=2000 s2=260000 s3=260000", "Q(G,s1) S=0",
	  "INCLUDE s1=250000 s2=260000 s3=260000" },
	/* EXCLUDE (X,Y) with X = {s1, s2}, Y = {s3, s4}, A = {s2, s4, s5} */
	{ true, MCAST_MODE_IS_INCLUDE, "s2 s4 s5", "EXCLUDE gt=250000 s1=250000 s2=260000 s3=0 s4=260000 s5=260000", "",
	  "EXCLUDE gt=250000 s1=250000 s2=260000 s3=0 s4=260000 s5=260000" },
	{ true, MCAST_MODE_IS_EXCLUDE, "s2 s4 s5", "EXCLUDE gt=260000 s2=250000 s4=0 s5=260000", "",
	  "EXCLUDE gt=260000 s2=250000 s4=0 s5=260000" },
	{ true, MCAST_ALLOW_NEW_SOURCES, "s2 s4 s5", "EXCLUDE gt=250000 s1=250000 s2=260000 s3=0 s4=260000 s5=260000", "",
	  "EXCLUDE gt=250000 s1=250000 s2=260000 s3=0 s4=260000 s5=260000" },
	/* (A-X-Y) = GT: s5 takes the group timer, 250000, not GMI */
	{ true, MCAST_BLOCK_OLD_SOURCES, "s2 s4 s5", "EXCLUDE gt=250000 s1=250000 s2=2000 s3=0 s4=0 s5=2000", "Q(G,s2 s5) S=0",
	  "EXCLUDE gt=250000 s1=250000 s2=250000 s3=0 s4=0 s5=250000" },
	{ true, MCAST_CHANGE_TO_EXCLUDE, "s2 s4 s5", "EXCLUDE gt=260000 s2=2000 s4=0 s5=2000", "Q(G,s2 s5) S=0",
	  "EXCLUDE gt=260000 s2=250000 s4=0 s5=250000" },
	{ true, MCAST_CHANGE_TO_INCLUDE, "s2 s4 s5", "EXCLUDE gt=2000 s1=2000 s2=260000 s3=0 s4=260000 s5=260000", "Q(G) S=0; Q(G,s1) S=0",
	  "EXCLUDE gt=250000 s1=250000 s2=260000 s3=0 s4=260000 s5=260000" },
};

/* Every row as querier and as a router that is not the querier (its
 * querier setting off: it sends no query, so nothing lowers a timer). */
static void run_rows(enum mcast_family fam)
{
	for (size_t i = 0; i < 2 * sizeof(rows) / sizeof(rows[0]); i++) {
		const struct row *w = &rows[i / 2];
		bool nq = i % 2;
		struct mcast_router_config cfg;
		mcast_router_config_default(&cfg, fam);
		cfg.querier = !nq;
		struct rtfx *f = rtfx_new(fam, 1, &cfg);
		rt_queries(f); /* the startup query */
		rtfx_at(f, 1000);
		if (w->exclude) {
			host_rec(f, H(fam), G(fam), MCAST_MODE_IS_EXCLUDE, "s3 s4");
			host_rec(f, H(fam), G(fam), MCAST_ALLOW_NEW_SOURCES, "s1 s2");
			assert_string_equal(rt_state(f, 0, G(fam)), "EXCLUDE gt=260000 s1=260000 s2=260000 s3=0 s4=0");
		} else {
			host_rec(f, H(fam), G(fam), MCAST_MODE_IS_INCLUDE, "s1 s2");
			assert_string_equal(rt_state(f, 0, G(fam)), "INCLUDE s1=260000 s2=260000");
		}
		mcast_wheel_advance(&f->wheel, 11000);
		rt_queries(f);
		host_rec(f, H(fam), G(fam), w->type, w->srcs);
		const char *got = rt_state(f, 0, G(fam)), *want = nq ? w->state_nq : w->state;
		if (strcmp(got, want))
			fail_msg("%s %s %s + %s(%s): got \"%s\", want \"%s\"", nq ? "non-querier" : "querier",
				 fam == MCAST_AF_INET ? "IGMP" : "MLD", w->exclude ? "EXCLUDE" : "INCLUDE",
				 mcast_rec_type_name(w->type), w->srcs, got, want);
		got = rt_queries(f);
		want = nq ? "" : w->queries;
		if (strcmp(got, want))
			fail_msg("%s %s %s + %s: queries \"%s\", want \"%s\"", nq ? "non-querier" : "querier",
				 fam == MCAST_AF_INET ? "IGMP" : "MLD", w->exclude ? "EXCLUDE" : "INCLUDE",
				 mcast_rec_type_name(w->type), got, want);
		rtfx_free(f);
	}
}

static void test_rfc3376_tables(void **state)
{
	(void)state;
	run_rows(MCAST_AF_INET);
}

static void test_rfc3810_tables(void **state)
{
	(void)state;
	run_rows(MCAST_AF_INET6);
}

/* 6.6.3: LMQC-1 retransmissions LMQI apart; the S flag follows the
 * timers at each send; leave latency is LMQT. */
static void test_queries_and_leave_latency(void **state)
{
	(void)state;
	struct rtfx *f = rtfx_new(MCAST_AF_INET, 1, NULL);
	rt_queries(f);
	host_rec(f, "10.0.0.10", "239.1.1.1", MCAST_CHANGE_TO_EXCLUDE, "");
	assert_string_equal(rt_queries(f), "");
	struct mcast_addr g1 = A("239.1.1.1");
	assert_true(mcast_router_wants(f->r[0], 1, &f->named[0], &g1));
	assert_string_equal(f->ev, "+*");
	rtfx_at(f, 5000);
	host_rec(f, "10.0.0.10", "239.1.1.1", MCAST_CHANGE_TO_INCLUDE, ""); /* leave */
	assert_string_equal(rt_queries(f), "Q(G) S=0");
	mcast_wheel_advance(&f->wheel, 5999);
	assert_string_equal(rt_queries(f), "");
	mcast_wheel_advance(&f->wheel, 6000);
	assert_string_equal(rt_queries(f), "Q(G) S=0"); /* the one retransmission */
	mcast_wheel_advance(&f->wheel, 6999);
	assert_string_equal(rt_state(f, 0, "239.1.1.1"), "EXCLUDE gt=1");
	mcast_wheel_advance(&f->wheel, 7000); /* LMQT after the leave */
	assert_string_equal(rt_state(f, 0, "239.1.1.1"), "none");
	assert_string_equal(f->ev, "+* -*");
	mcast_wheel_advance(&f->wheel, 20000);
	assert_string_equal(rt_queries(f), "");

	/* A report during the retransmissions restores the group timer; the
	 * retransmitted Q(G) then carries S. */
	host_rec(f, "10.0.0.10", "239.1.1.1", MCAST_CHANGE_TO_EXCLUDE, "");
	host_rec(f, "10.0.0.10", "239.1.1.1", MCAST_CHANGE_TO_INCLUDE, "");
	assert_string_equal(rt_queries(f), "Q(G) S=0");
	host_rec(f, "10.0.0.11", "239.1.1.1", MCAST_MODE_IS_EXCLUDE, "");
	mcast_wheel_advance(&f->wheel, 21000);
	assert_string_equal(rt_queries(f), "Q(G) S=1");
	assert_string_equal(rt_state(f, 0, "239.1.1.1"), "EXCLUDE gt=259000");
	rtfx_free(f);
}

/* 6.5: group timer expiry moves EXCLUDE to INCLUDE keeping X; source
 * timers expire to Y in EXCLUDE and away in INCLUDE. */
static void test_timer_expiry(void **state)
{
	(void)state;
	struct rtfx *f = rtfx_new(MCAST_AF_INET, 1, NULL);
	host_rec(f, "10.0.0.10", "239.1.1.1", MCAST_MODE_IS_EXCLUDE, "s3");
	mcast_wheel_advance(&f->wheel, 100000);
	host_rec(f, "10.0.0.10", "239.1.1.1", MCAST_ALLOW_NEW_SOURCES, "s1");
	f->ev[0] = '\0';
	mcast_wheel_advance(&f->wheel, 260000); /* the group timer */
	assert_string_equal(rt_state(f, 0, "239.1.1.1"), "INCLUDE s1=100000");
	assert_string_equal(f->ev, "-* -s3");
	struct mcast_addr g1 = A("239.1.1.1");
	assert_true(mcast_router_wants(f->r[0], 1, &f->named[0], &g1));
	assert_false(mcast_router_wants(f->r[0], 1, &f->named[1], &g1));
	mcast_wheel_advance(&f->wheel, 360000);
	assert_string_equal(rt_state(f, 0, "239.1.1.1"), "none");
	assert_string_equal(f->ev, "-* -s3 -s1");
	/* In EXCLUDE mode an expired source moves to the excluded list. */
	host_rec(f, "10.0.0.10", "239.1.1.2", MCAST_MODE_IS_INCLUDE, "s1");
	mcast_wheel_advance(&f->wheel, 400000);
	host_rec(f, "10.0.0.10", "239.1.1.2", MCAST_MODE_IS_EXCLUDE, "");
	assert_string_equal(rt_state(f, 0, "239.1.1.2"), "EXCLUDE gt=260000");
	rtfx_free(f);
}

/* A refresh moves the group timer later without moving the wheel's
 * timer: it fires at the old deadline, changes nothing, and the group
 * lives to the new one (then expires on time). */
static void test_refresh_keeps_timer(void **state)
{
	(void)state;
	struct rtfx *f = rtfx_new(MCAST_AF_INET, 1, NULL);
	host_rec(f, "10.0.0.10", "239.1.1.5", MCAST_MODE_IS_EXCLUDE, "");
	mcast_wheel_advance(&f->wheel, 100000);
	host_rec(f, "10.0.0.10", "239.1.1.5", MCAST_MODE_IS_EXCLUDE, "");
	mcast_wheel_advance(&f->wheel, 200000);
	host_rec(f, "10.0.0.10", "239.1.1.5", MCAST_MODE_IS_EXCLUDE, "");
	f->ev[0] = '\0';
	mcast_wheel_advance(&f->wheel, 459999); /* past 260 s and 360 s: the first two deadlines */
	assert_string_equal(f->ev, "");
	assert_string_equal(rt_state(f, 0, "239.1.1.5"), "EXCLUDE gt=1"); /* ms left */
	mcast_wheel_advance(&f->wheel, 460000);
	assert_string_equal(f->ev, "-*");
	assert_string_equal(rt_state(f, 0, "239.1.1.5"), "none");
	rtfx_free(f);
}

/* The group timer is kept in 46 bits (RT_TIME_BITS): a clock far on
 * (2^45 ms, 1,100 years) still times a group exactly. */
static void test_late_clock(void **state)
{
	(void)state;
	struct rtfx *f = rtfx_new(MCAST_AF_INET, 1, NULL);
	const mcast_time_ms t0 = (1ull << 45) + 4321;
	mcast_wheel_jump(&f->wheel, t0); /* (the queries' timer once, not every 125 s) */
	rtfx_deliver(f);
	host_rec(f, "10.0.0.10", "239.1.1.5", MCAST_MODE_IS_EXCLUDE, "");
	assert_string_equal(rt_state(f, 0, "239.1.1.5"), "EXCLUDE gt=260000");
	f->ev[0] = '\0';
	mcast_wheel_advance(&f->wheel, t0 + 259999);
	assert_string_equal(rt_state(f, 0, "239.1.1.5"), "EXCLUDE gt=1");
	mcast_wheel_advance(&f->wheel, t0 + 260000);
	assert_string_equal(f->ev, "-*");
	assert_string_equal(rt_state(f, 0, "239.1.1.5"), "none");
	rtfx_free(f);
}

/* 7.3.2 and RFC 3810 8.3.2: older-version hosts. */
static void test_compat(void **state)
{
	(void)state;
	struct rtfx *f = rtfx_new(MCAST_AF_INET, 1, NULL);
	rt_queries(f);
	struct mcast_router_group_info gi;
	struct mcast_addr g = A("239.1.1.1");
	host_old(f, "10.0.0.20", "239.1.1.1", MCAST_MSG_REPORT, 2); /* v2 report = IS_EX({}) */
	assert_int_equal(mcast_router_group(f->r[0], 1, &g, &gi, NULL, 0), 0);
	assert_int_equal(gi.compat_version, 2);
	assert_string_equal(rt_state(f, 0, "239.1.1.1"), "EXCLUDE gt=260000");
	/* BLOCK ignored; TO_EX's sources ignored. */
	host_rec(f, "10.0.0.10", "239.1.1.1", MCAST_BLOCK_OLD_SOURCES, "s1");
	host_rec(f, "10.0.0.10", "239.1.1.1", MCAST_CHANGE_TO_EXCLUDE, "s1");
	assert_string_equal(rt_state(f, 0, "239.1.1.1"), "EXCLUDE gt=260000");
	const struct mcast_router_stats *st;
	struct mcast_router_iface_info ii;
	mcast_router_iface_info(f->r[0], 1, &ii);
	st = ii.stats;
	assert_int_equal(st->compat_ignored, 2);
	/* The v2 leave = TO_IN({}): a group query. */
	host_old(f, "10.0.0.20", "239.1.1.1", MCAST_MSG_LEAVE, 2);
	assert_string_equal(rt_queries(f), "Q(G) S=0");
	/* The Host Present timer runs out: back to v3. */
	host_old(f, "10.0.0.20", "239.1.1.1", MCAST_MSG_REPORT, 2);
	mcast_wheel_advance(&f->wheel, 260001);
	host_rec(f, "10.0.0.10", "239.1.1.1", MCAST_MODE_IS_EXCLUDE, "");
	mcast_router_group(f->r[0], 1, &g, &gi, NULL, 0);
	assert_int_equal(gi.compat_version, 3);
	/* v1 reports: v1 mode, where leaves are ignored. */
	host_old(f, "10.0.0.21", "239.1.1.1", MCAST_MSG_REPORT, 1);
	mcast_router_group(f->r[0], 1, &g, &gi, NULL, 0);
	assert_int_equal(gi.compat_version, 1);
	rt_queries(f);
	host_old(f, "10.0.0.20", "239.1.1.1", MCAST_MSG_LEAVE, 2);
	assert_string_equal(rt_queries(f), "");
	assert_int_equal(st->compat_ignored, 3);
	rtfx_free(f);

	/* MLDv1 on an MLDv2 router: compatibility version 1 (MLD numbering). */
	f = rtfx_new(MCAST_AF_INET6, 1, NULL);
	host_old(f, "fe80::20", "ff05::9", MCAST_MSG_REPORT, 1);
	g = A("ff05::9");
	mcast_router_group(f->r[0], 1, &g, &gi, NULL, 0);
	assert_int_equal(gi.compat_version, 1);
	rt_queries(f);
	host_old(f, "fe80::20", "ff05::9", MCAST_MSG_LEAVE, 1); /* Done */
	assert_string_equal(rt_queries(f), "Q(G) S=0");
	rtfx_free(f);
}

/* What few groups need (rt_group_more: the specific queries'
 * retransmissions, the older hosts' timers) is made only for them: never
 * for a member's join or refresh, for a leave that queries, for an
 * older host's report; and it goes with its group (ASan: no leak). */
static void test_more_on_demand(void **state)
{
	(void)state;
	struct rtfx *f = rtfx_new(MCAST_AF_INET, 1, NULL);
	rt_queries(f);
	struct mcast_addr g1 = A("239.1.1.1"), g2 = A("239.1.1.2"), g3 = A("239.1.1.3");
	host_rec(f, "10.0.0.10", "239.1.1.1", MCAST_CHANGE_TO_EXCLUDE, ""); /* a join */
	host_rec(f, "10.0.0.10", "239.1.1.1", MCAST_MODE_IS_EXCLUDE, "");   /* its refresh */
	host_rec(f, "10.0.0.10", "239.1.1.2", MCAST_MODE_IS_INCLUDE, "s1 s2");
	host_rec(f, "10.0.0.10", "239.1.1.2", MCAST_ALLOW_NEW_SOURCES, "s3");
	const struct rt_iface *ifc = rt_iface_get(f->r[0], 1);
	assert_null(rt_group_find(ifc, &g1)->more);
	assert_null(rt_group_find(ifc, &g2)->more);
	assert_string_equal(rt_queries(f), "");

	/* the leave: Q(G) now and once more after LMQI, timed in the new part */
	rtfx_at(f, 5000);
	host_rec(f, "10.0.0.10", "239.1.1.1", MCAST_CHANGE_TO_INCLUDE, "");
	assert_string_equal(rt_queries(f), "Q(G) S=0");
	const struct rt_group *x = rt_group_find(ifc, &g1);
	assert_non_null(x->more);
	assert_int_equal(x->more->group_rexmit, 1);
	assert_int_equal(x->more->next_query_ms, 6000);
	/* a block of a source: Q(G,S), its retransmission timed there too */
	host_rec(f, "10.0.0.10", "239.1.1.2", MCAST_BLOCK_OLD_SOURCES, "s2");
	assert_string_equal(rt_queries(f), "Q(G,s2) S=0");
	x = rt_group_find(ifc, &g2);
	assert_non_null(x->more);
	assert_int_equal(x->more->group_rexmit, 0);
	assert_int_equal(x->more->next_query_ms, 6000);
	mcast_wheel_advance(&f->wheel, 6000);
	assert_string_equal(rt_queries(f), "Q(G) S=0; Q(G,s2) S=0");
	assert_int_equal(rt_group_find(ifc, &g1)->more->next_query_ms, 0);

	/* an IGMPv2 report: the group's Host Present timer */
	host_old(f, "10.0.0.20", "239.1.1.3", MCAST_MSG_REPORT, 2);
	x = rt_group_find(ifc, &g3);
	assert_non_null(x->more);
	assert_int_equal(x->more->v2_host_ms, 6000 + 260000);
	assert_int_equal(x->more->v1_host_ms, 0);
	assert_int_equal(rt_group_level(ifc, x), 2);
	char why[256];
	assert_int_equal(mcast_router_check(f->r[0], why, sizeof(why)), 0);
	rtfx_free(f);
}

/* RFC 4604: EXCLUDE requests and v1/v2 reports for SSM groups are ignored. */
static void test_ssm(void **state)
{
	(void)state;
	for (int fam = 0; fam < 2; fam++) {
		enum mcast_family fm = fam ? MCAST_AF_INET6 : MCAST_AF_INET;
		const char *ssm = fam ? "ff3e::8000:1" : "232.1.1.1";
		struct rtfx *f = rtfx_new(fm, 1, NULL);
		host_rec(f, H(fm), ssm, MCAST_MODE_IS_EXCLUDE, "");
		host_rec(f, H(fm), ssm, MCAST_CHANGE_TO_EXCLUDE, "s1");
		host_old(f, H(fm), ssm, MCAST_MSG_REPORT, fam ? 1 : 2);
		assert_string_equal(rt_state(f, 0, ssm), "none");
		host_rec(f, H(fm), ssm, MCAST_ALLOW_NEW_SOURCES, "s1");
		assert_string_equal(rt_state(f, 0, ssm), "INCLUDE s1=260000");
		struct mcast_router_iface_info ii;
		mcast_router_iface_info(f->r[0], 1, &ii);
		assert_int_equal(ii.stats->ssm_ignored, 3);
		rtfx_free(f);
	}
}

/* SSM mapping: an old host's report, or a record asking for every
 * source, of a mapped SSM group becomes INCLUDE of the map's sources;
 * unmapped ones stay ignored; an old host's leave queries the sources. */
static void test_ssm_map(void **state)
{
	(void)state;
	for (int fam = 0; fam < 2; fam++) {
		enum mcast_family fm = fam ? MCAST_AF_INET6 : MCAST_AF_INET;
		struct mcast_router_config c;
		mcast_router_config_default(&c, fm);
		assert_int_equal(mcast_router_config_set(&c, "ssm-map", fam ? "ff3e::1:0/112=2001:db8::2,2001:db8::1"
									 : "232.1.1.0/24=10.1.0.2,10.1.0.1"), 0);
		/* bad maps: no sources, a source of the other family, not multicast */
		assert_int_equal(mcast_router_config_set(&c, "ssm-map", "232.1.1.0/24="), -EINVAL);
		assert_int_equal(mcast_router_config_set(&c, "ssm-map", "232.1.1.0/24=2001:db8::1"), -EINVAL);
		assert_int_equal(mcast_router_config_set(&c, "ssm-map", "10.0.0.0/8=10.1.0.1"), -EINVAL);
		assert_int_equal(c.nssm_map, 1);
		struct rtfx *f = rtfx_new(fm, 1, &c);
		const char *g1 = fam ? "ff3e::1:1" : "232.1.1.1", *g2 = fam ? "ff3e::1:2" : "232.1.1.2",
			   *g3 = fam ? "ff3e::1:3" : "232.1.1.3", *g4 = fam ? "ff3e::1:4" : "232.1.1.4",
			   *un = fam ? "ff3e::2:1" : "232.2.2.1";
		host_old(f, H(fm), g1, MCAST_MSG_REPORT, fam ? 1 : 2);
		assert_string_equal(rt_state(f, 0, g1), "INCLUDE s1=260000 s2=260000");
		host_rec(f, H(fm), g2, MCAST_MODE_IS_EXCLUDE, "");
		assert_string_equal(rt_state(f, 0, g2), "INCLUDE s1=260000 s2=260000");
		host_rec(f, H(fm), g3, MCAST_CHANGE_TO_EXCLUDE, "");
		assert_string_equal(rt_state(f, 0, g3), "INCLUDE s1=260000 s2=260000");
		/* EXCLUDE with sources, and unmapped groups: ignored as before */
		host_rec(f, H(fm), g4, MCAST_CHANGE_TO_EXCLUDE, "s3");
		host_old(f, H(fm), un, MCAST_MSG_REPORT, fam ? 1 : 2);
		assert_string_equal(rt_state(f, 0, g4), "none");
		assert_string_equal(rt_state(f, 0, un), "none");
		rt_queries(f);
		/* the old host leaves: Q(G,S) for the mapped sources, LMQT */
		host_old(f, H(fm), g1, MCAST_MSG_LEAVE, fam ? 1 : 2);
		assert_string_equal(rt_state(f, 0, g1), "INCLUDE s1=2000 s2=2000");
		assert_string_equal(rt_queries(f), "Q(G,s1 s2) S=0");
		struct mcast_router_iface_info ii;
		mcast_router_iface_info(f->r[0], 1, &ii);
		assert_int_equal(ii.stats->ssm_mapped, 4);
		assert_int_equal(ii.stats->ssm_ignored, 2);
		rtfx_free(f);
	}
}

/* Fast leave with explicit tracking: the last host's leave removes the
 * state at once; an earlier one does not cut off the others. */
static void test_fast_leave(void **state)
{
	(void)state;
	struct mcast_router_config cfg;
	mcast_router_config_default(&cfg, MCAST_AF_INET);
	cfg.fast_leave = true;
	struct rtfx *f = rtfx_new(MCAST_AF_INET, 1, &cfg);
	host_rec(f, "10.0.0.10", "239.1.1.1", MCAST_CHANGE_TO_EXCLUDE, "");
	host_rec(f, "10.0.0.11", "239.1.1.1", MCAST_CHANGE_TO_EXCLUDE, "");
	host_rec(f, "10.0.0.10", "239.1.1.1", MCAST_CHANGE_TO_INCLUDE, "");
	assert_string_equal(rt_state(f, 0, "239.1.1.1"), "EXCLUDE gt=2000"); /* .11 still there */
	host_rec(f, "10.0.0.11", "239.1.1.1", MCAST_CHANGE_TO_INCLUDE, "");
	assert_string_equal(rt_state(f, 0, "239.1.1.1"), "none");
	/* INCLUDE sources: one host leaves s1, another keeps s2 and s1. */
	host_rec(f, "10.0.0.10", "239.1.1.2", MCAST_ALLOW_NEW_SOURCES, "s1 s2");
	host_rec(f, "10.0.0.11", "239.1.1.2", MCAST_ALLOW_NEW_SOURCES, "s2");
	host_rec(f, "10.0.0.10", "239.1.1.2", MCAST_BLOCK_OLD_SOURCES, "s1 s2");
	assert_string_equal(rt_state(f, 0, "239.1.1.2"), "INCLUDE s2=2000");
	host_rec(f, "10.0.0.11", "239.1.1.2", MCAST_BLOCK_OLD_SOURCES, "s2");
	assert_string_equal(rt_state(f, 0, "239.1.1.2"), "none");
	/* An IS_IN answering a group-and-source query lists only the queried
	 * sources: .11's s2 must survive its BLOCK of s1 (found by a
	 * scenario, tests/scenarios/fast-leave-sources.scn). */
	host_rec(f, "10.0.0.11", "239.1.1.4", MCAST_ALLOW_NEW_SOURCES, "s1 s2");
	host_rec(f, "10.0.0.11", "239.1.1.4", MCAST_MODE_IS_INCLUDE, "s1");
	host_rec(f, "10.0.0.11", "239.1.1.4", MCAST_BLOCK_OLD_SOURCES, "s1");
	assert_string_equal(rt_state(f, 0, "239.1.1.4"), "INCLUDE s2=260000");
	/* ...and from an EXCLUDE host it does not turn the host to INCLUDE. */
	host_rec(f, "10.0.0.12", "239.1.1.5", MCAST_CHANGE_TO_EXCLUDE, "s1");
	host_rec(f, "10.0.0.12", "239.1.1.5", MCAST_MODE_IS_INCLUDE, "s2");
	host_rec(f, "10.0.0.12", "239.1.1.5", MCAST_BLOCK_OLD_SOURCES, "s2");
	assert_string_equal(rt_state(f, 0, "239.1.1.5"), "EXCLUDE gt=260000 s1=0 s2=2000");
	struct mcast_router_iface_info ii;
	mcast_router_iface_info(f->r[0], 1, &ii);
	assert_int_equal(ii.stats->fast_leaves, 4);
	/* Not in v2 compatibility: a suppressed report hides other viewers. */
	host_old(f, "10.0.0.12", "239.1.1.3", MCAST_MSG_REPORT, 2);
	host_old(f, "10.0.0.12", "239.1.1.3", MCAST_MSG_LEAVE, 2);
	assert_string_equal(rt_state(f, 0, "239.1.1.3"), "EXCLUDE gt=2000");
	rtfx_free(f);
}

/* Access list: 239.9/16 denied, and source s2 denied for every group. */
static bool acl(void *ctx, unsigned ifindex, const struct mcast_addr *g, const struct mcast_addr *s)
{
	(void)ctx;
	assert_int_equal(ifindex, 1);
	if ((mcast_addr_u32(g) >> 16) == 0xef09)
		return false;
	return mcast_addr_is_unspecified(s) || mcast_addr_u32(s) != 0x0a010002u;
}

/* An IPv4 router asking allow, with interface 1 ("lan", 10.0.0.1) in the
 * default configuration (in *c). */
static struct rtfx *acl_router(bool (*allow)(void *, unsigned, const struct mcast_addr *, const struct mcast_addr *),
			       struct mcast_router_config *c)
{
	struct rtfx *f = rtfx_new(MCAST_AF_INET, 1, NULL);
	mcast_router_destroy(f->r[0]);
	f->env[0].allow = allow;
	f->r[0] = mcast_router_create(&f->env[0], MCAST_AF_INET);
	mcast_router_config_default(c, MCAST_AF_INET);
	struct mcast_addr a = A("10.0.0.1");
	assert_int_equal(mcast_router_iface_add(f->r[0], 1, "lan", &a, 1500, c), 0);
	return f;
}

static void test_acl_and_reconfig(void **state)
{
	(void)state;
	struct mcast_router_config c;
	struct rtfx *f = acl_router(acl, &c);
	host_rec(f, "10.0.0.10", "239.9.1.1", MCAST_CHANGE_TO_EXCLUDE, "");
	host_old(f, "10.0.0.11", "239.9.1.2", MCAST_MSG_REPORT, 2);
	assert_string_equal(rt_state(f, 0, "239.9.1.1"), "none");
	assert_string_equal(rt_state(f, 0, "239.9.1.2"), "none");
	struct mcast_router_iface_info ii;
	mcast_router_iface_info(f->r[0], 1, &ii);
	assert_int_equal(ii.stats->acl_denied, 2);
	/* EXCLUDE {} for an allowed group: every source but s2 is wanted. */
	host_rec(f, "10.0.0.10", "239.1.1.1", MCAST_CHANGE_TO_EXCLUDE, "");
	struct mcast_addr g = A("239.1.1.1");
	assert_true(mcast_router_wants(f->r[0], 1, &f->named[0], &g));
	assert_false(mcast_router_wants(f->r[0], 1, &f->named[1], &g));

	/* A reload with other timers keeps the group; the next report uses
	 * the new Group Membership Interval (3 x 60 s + 10 s). */
	c.robustness = 3;
	c.query_interval_ms = 60000;
	assert_int_equal(mcast_router_iface_set_config(f->r[0], 1, &c), 0);
	assert_string_equal(rt_state(f, 0, "239.1.1.1"), "EXCLUDE gt=260000");
	host_rec(f, "10.0.0.10", "239.1.1.1", MCAST_MODE_IS_EXCLUDE, "");
	assert_string_equal(rt_state(f, 0, "239.1.1.1"), "EXCLUDE gt=190000");
	c.query_response_ms = c.query_interval_ms;
	assert_int_equal(mcast_router_iface_set_config(f->r[0], 1, &c), -EINVAL);
	assert_int_equal(mcast_router_iface_set_config(f->r[0], 9, &c), -ENODEV);
	rtfx_free(f);
}

static unsigned acl_calls;

static bool counting_acl(void *ctx, unsigned ifindex, const struct mcast_addr *g, const struct mcast_addr *s)
{
	acl_calls++;
	return acl(ctx, ifindex, g, s);
}

/* A report's records are checked and looked up once, when the packet is
 * prepared: the access list is asked once per record, and each record
 * is applied to the group prepare found or made, a group made by a
 * later record of the same packet included. */
static void test_report_prepared_once(void **state)
{
	(void)state;
	struct mcast_router_config c;
	struct rtfx *f = acl_router(counting_acl, &c);
	struct mcast_addr h = A("10.0.0.10");
	struct mcast_addr g1 = A("239.1.1.1"), g2 = A("239.1.1.2"), g9 = A("239.9.1.1");
	struct mcast_addr s12[2] = { rt_sym(f, "s1"), rt_sym(f, "s2") };
	struct mcast_report_builder rb;
	static uint8_t out[1600];
	assert_int_equal(mcast_report_init(&rb, MCAST_AF_INET, &h, NULL, 1500, out, sizeof(out), host_emit, f), 0);
	assert_int_equal(mcast_report_add(&rb, MCAST_BLOCK_OLD_SOURCES, &g2, &s12[1], 1, NULL, 0), 0); /* makes none */
	assert_int_equal(mcast_report_add(&rb, MCAST_MODE_IS_EXCLUDE, &g1, NULL, 0, NULL, 0), 0);
	assert_int_equal(mcast_report_add(&rb, MCAST_CHANGE_TO_EXCLUDE, &g9, NULL, 0, NULL, 0), 0); /* denied */
	assert_int_equal(mcast_report_add(&rb, MCAST_ALLOW_NEW_SOURCES, &g2, s12, 2, NULL, 0), 0);
	acl_calls = 0;
	mcast_report_flush(&rb);
	struct mcast_router_iface_info ii;
	mcast_router_iface_info(f->r[0], 1, &ii);
	assert_int_equal(ii.stats->rx_records, 4);
	assert_int_equal(acl_calls, 4);
	assert_int_equal(ii.stats->acl_denied, 1);
	assert_string_equal(rt_state(f, 0, "239.9.1.1"), "none");
	assert_string_equal(rt_state(f, 0, "239.1.1.1"), "EXCLUDE gt=260000");
	assert_string_equal(rt_state(f, 0, "239.1.1.2"), "INCLUDE s1=260000 s2=260000");
	rtfx_free(f);
}

static void test_limits(void **state)
{
	(void)state;
	struct mcast_router_config cfg;
	mcast_router_config_default(&cfg, MCAST_AF_INET);
	cfg.max_groups = 2;
	cfg.max_sources = 2;
	struct rtfx *f = rtfx_new(MCAST_AF_INET, 1, &cfg);
	host_rec(f, "10.0.0.10", "239.1.1.1", MCAST_MODE_IS_EXCLUDE, "");
	host_rec(f, "10.0.0.10", "239.1.1.2", MCAST_MODE_IS_INCLUDE, "s1 s2 s3");
	host_rec(f, "10.0.0.10", "239.1.1.3", MCAST_MODE_IS_EXCLUDE, "");
	assert_string_equal(rt_state(f, 0, "239.1.1.2"), "INCLUDE s1=260000 s2=260000");
	assert_string_equal(rt_state(f, 0, "239.1.1.3"), "none");
	struct mcast_router_iface_info ii;
	mcast_router_iface_info(f->r[0], 1, &ii);
	assert_int_equal(ii.stats->group_limit, 1);
	assert_int_equal(ii.stats->source_limit, 1);
	assert_int_equal(ii.groups, 2);
	/* A new source sorting before the kept ones is refused too. */
	host_rec(f, "10.0.0.10", "239.1.1.2", MCAST_ALLOW_NEW_SOURCES, "s1");
	host_rec(f, "10.0.0.10", "239.1.1.1", MCAST_MODE_IS_INCLUDE, "s4 s5");
	host_rec(f, "10.0.0.10", "239.1.1.1", MCAST_ALLOW_NEW_SOURCES, "s1");
	assert_string_equal(rt_state(f, 0, "239.1.1.1"), "EXCLUDE gt=260000 s4=260000 s5=260000");
	mcast_router_iface_info(f->r[0], 1, &ii);
	assert_int_equal(ii.stats->source_limit, 2);
	rtfx_free(f);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_rfc3376_tables),
		cmocka_unit_test(test_rfc3810_tables),
		cmocka_unit_test(test_queries_and_leave_latency),
		cmocka_unit_test(test_timer_expiry),
		cmocka_unit_test(test_refresh_keeps_timer),
		cmocka_unit_test(test_late_clock),
		cmocka_unit_test(test_compat),
		cmocka_unit_test(test_more_on_demand),
		cmocka_unit_test(test_ssm),
		cmocka_unit_test(test_ssm_map),
		cmocka_unit_test(test_fast_leave),
		cmocka_unit_test(test_acl_and_reconfig),
		cmocka_unit_test(test_report_prepared_once),
		cmocka_unit_test(test_limits),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
