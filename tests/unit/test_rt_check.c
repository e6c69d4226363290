/*
 * The router engine's invariant check (src/router/check.c) and the
 * limits it guards: a hostile LAN, one interface with mcastd's default
 * limits, and the most memory it can make the engine hold (the budget
 * stated in mcastd.conf(5) and mcastd(8)).
 */
#include "failalloc.h"
#include "rtutil.h"
#include "router/rt.h"

/* The limits mcastd applies to every interface (src/daemon/config.h). */
#define BUDGET_GROUPS 16384
#define BUDGET_SOURCES 512
#define BUDGET_TOTAL 65536
/* What one interface may cost at most with those limits: stated in
 * docs/mcastd.conf.5 and docs/mcastd.8. */
#define BUDGET_BYTES (9u << 20)


static void emit(void *ctx, const uint8_t *p, size_t n)
{
	mcast_router_input(ctx, 1, p, n);
}

static void addr_n(enum mcast_family f, uint32_t base, uint32_t i, struct mcast_addr *a)
{
	if (f == MCAST_AF_INET) {
		mcast_addr_from_u32(a, base + i);
	} else {
		*a = A(base >> 24 == 239 ? "ff0e::" : "2001:db8::");
		a->b[12] = (uint8_t)(i >> 24);
		a->b[13] = (uint8_t)(i >> 16);
		a->b[14] = (uint8_t)(i >> 8);
		a->b[15] = (uint8_t)i;
	}
}

/* Host h reports, for groups [g0, g0+ng), type with nsrc sources from s0. */
static void storm(struct mcast_router *r, enum mcast_family f, uint32_t h, uint32_t g0, uint32_t ng, uint8_t type,
		  uint32_t s0, uint32_t nsrc)
{
	static uint8_t out[1600];
	static struct mcast_addr srcs[256];
	struct mcast_addr host, g;
	if (f == MCAST_AF_INET)
		mcast_addr_from_u32(&host, 0x0a000000u + h);
	else {
		host = A("fe80::");
		host.b[12] = (uint8_t)(h >> 24);
		host.b[13] = (uint8_t)(h >> 16);
		host.b[14] = (uint8_t)(h >> 8);
		host.b[15] = (uint8_t)h;
	}
	for (uint32_t i = 0; i < nsrc; i++)
		addr_n(f, 0x0b000000u, s0 + i, &srcs[i]);
	struct mcast_report_builder rb;
	assert_int_equal(mcast_report_init(&rb, f, &host, NULL, 1500, out, sizeof(out), emit, r), 0);
	for (uint32_t i = 0; i < ng; i++) {
		addr_n(f, 0xef000000u, g0 + i, &g);
		assert_int_equal(mcast_report_add(&rb, type, &g, srcs, nsrc, NULL, 0), 0);
	}
	mcast_report_flush(&rb);
}

static void check_ok(const struct mcast_router *r)
{
	char why[256];
	if (mcast_router_check(r, why, sizeof(why)) < 0)
		fail_msg("invariant: %s", why);
}

static struct rt_iface *first_iface(struct mcast_router *r)
{
	for (size_t i = 0; i <= r->ifaces.mask; i++)
		if (r->ifaces.buckets[i])
			return mcast_container_of(r->ifaces.buckets[i], struct rt_iface, node);
	return NULL;
}

static void budget(enum mcast_family f, bool fast_leave)
{
	memset(&FA, 0, sizeof(FA)); /* failalloc.h, never armed here: it counts */
	struct mcast_wheel w;
	mcast_wheel_init(&w, 0);
	struct mcast_router_env env = { .al = &fa_alloc, .wheel = &w, .hash_seed = 5 };
	struct mcast_router *r = mcast_router_create(&env, f);
	assert_non_null(r);
	struct mcast_router_config c;
	mcast_router_config_default(&c, f);
	c.max_groups = BUDGET_GROUPS;
	c.max_sources = BUDGET_SOURCES;
	c.max_total_sources = BUDGET_TOTAL;
	c.fast_leave = fast_leave;
	struct mcast_addr me = A(f == MCAST_AF_INET ? "10.0.0.1" : "fe80::1");
	assert_int_equal(mcast_router_iface_add(r, 1, "lan", &me, 1500, &c), 0);
	size_t base = FA.held;

	/* every way a hostile LAN grows state: more groups than allowed
	 * (EXCLUDE), sources on every group from many spoofed hosts
	 * (INCLUDE and EXCLUDE lists), each host tracked */
	storm(r, f, 1, 0, BUDGET_GROUPS + 4096, MCAST_MODE_IS_EXCLUDE, 0, 0);
	for (uint32_t h = 0; h < 64; h++)
		storm(r, f, 100 + h, h * 256, 256, MCAST_ALLOW_NEW_SOURCES, h * 64, 64);
	for (uint32_t h = 0; h < 32; h++)
		storm(r, f, 1000 + h, 0, 512, MCAST_CHANGE_TO_EXCLUDE, 100000 + h * 128, 128);
	for (uint32_t h = 0; h < 64; h++)
		storm(r, f, 2000 + h, h, 1, MCAST_ALLOW_NEW_SOURCES, 200000 + h * 256, 256);
	check_ok(r);

	struct mcast_router_iface_info info;
	assert_int_equal(mcast_router_iface_info(r, 1, &info), 0);
	assert_int_equal(info.groups, BUDGET_GROUPS);
	assert_true(info.stats->group_limit > 0);
	assert_true(info.stats->total_source_limit > 0);
	const struct rt_iface *ifc = first_iface(r);
	assert_true(ifc->nsources <= BUDGET_TOTAL);
	print_message("    %s%s: %zu groups, %u source records, peak %.2f MB (%.2f MB fixed), limit %.1f MB\n",
		      f == MCAST_AF_INET ? "IGMP" : "MLD", fast_leave ? " fast-leave" : "", info.groups,
		      ifc->nsources, FA.peak / 1048576.0, base / 1048576.0, BUDGET_BYTES / 1048576.0);
	assert_true(FA.peak <= BUDGET_BYTES);
	mcast_router_destroy(r);
	assert_int_equal(FA.held, 0); /* and nothing leaked */
}

static void test_budget_v4(void **state)
{
	(void)state;
	budget(MCAST_AF_INET, false);
	budget(MCAST_AF_INET, true);
}

static void test_budget_v6(void **state)
{
	(void)state;
	budget(MCAST_AF_INET6, false);
	budget(MCAST_AF_INET6, true);
}

/* ---- the check finds what it is for -------------------------------------- */

static struct rt_group *first_group(struct mcast_router *r)
{
	struct rt_iface *ifc = first_iface(r);
	struct bidx_cursor c = { 0 };
	return bidx_each(&ifc->groups, &c);
}

static void expect_broken(struct mcast_router *r, const char *what)
{
	char why[256] = "";
	assert_int_equal(mcast_router_check(r, why, sizeof(why)), -1);
	if (!strstr(why, what))
		fail_msg("expected \"%s\" in \"%s\"", what, why);
}

static void test_check_finds_damage(void **state)
{
	(void)state;
	struct mcast_router_config c;
	mcast_router_config_default(&c, MCAST_AF_INET);
	c.fast_leave = true;
	struct rtfx *f = rtfx_new(MCAST_AF_INET, 1, &c);
	host_rec(f, "10.0.0.9", "239.1.1.1", MCAST_MODE_IS_INCLUDE, "s1 s2 s3");
	check_ok(f->r[0]);
	struct rt_group *g = first_group(f->r[0]);
	assert_non_null(g);

	uint32_t nsrc = g->sv->n; /* more sources than their room */
	g->sv->n = g->sv->cap + 1;
	expect_broken(f->r[0], "sources in room for");
	g->sv->n = nsrc;
	check_ok(f->r[0]);

	assert_non_null(g->hosts); /* more tracked hosts than their room */
	uint16_t nh = g->hosts->n;
	g->hosts->n = (uint16_t)(g->hosts->cap + 1);
	expect_broken(f->r[0], "tracked hosts (room");
	g->hosts->n = nh;
	check_ok(f->r[0]);

	struct rt_source keep = g->sv->v[0];
	g->sv->v[0] = g->sv->v[2]; /* out of order */
	expect_broken(f->r[0], "sources out of order");
	g->sv->v[0] = keep;
	check_ok(f->r[0]);

	g->sv->v[1].deadline_ms = 0; /* an excluded source in INCLUDE mode */
	expect_broken(f->r[0], "INCLUDE source without a timer");
	g->sv->v[1].deadline_ms = g->sv->v[0].deadline_ms;

	rt_set_group_deadline(g, 5); /* a group timer in INCLUDE mode */
	expect_broken(f->r[0], "filter mode INCLUDE with group timer");
	rt_set_group_deadline(g, 0);

	struct rt_iface *ifc = first_iface(f->r[0]);
	mcast_lean_stop(&ifc->gwheel, &g->timer); /* a group that never expires */
	expect_broken(f->r[0], "the timer is off");
	mcast_lean_start(&ifc->gwheel, &g->timer, g->sv->v[0].deadline_ms);
	check_ok(f->r[0]);

	mcast_time_ms at = g->timer.deadline_ms; /* the timer filed where its deadline does not say */
	g->timer.deadline_ms = at + 100000;
	expect_broken(f->r[0], "lean wheel: deadline");
	g->timer.deadline_ms = at;
	check_ok(f->r[0]);

	size_t n = ifc->gwheel.count; /* the wheel's count wrong */
	ifc->gwheel.count = n + 1;
	expect_broken(f->r[0], "nodes filed, count says");
	ifc->gwheel.count = n;
	check_ok(f->r[0]);

	mcast_timer_stop(&f->wheel, &ifc->gwheel.timer); /* nothing would step the groups' wheel */
	expect_broken(f->r[0], "lean wheel: its timer is not armed");
	mcast_timer_start(&f->wheel, &ifc->gwheel.timer, at);
	check_ok(f->r[0]);


	/* a source query retransmission with no time for it (a group its
	 * members only reported has no more part) */
	assert_null(g->more);
	g->sv->v[0].rexmit = 1;
	expect_broken(f->r[0], "a source query retransmission without its time");
	g->sv->v[0].rexmit = 0;
	check_ok(f->r[0]);

	ifc->nsources++; /* a count that does not count */
	expect_broken(f->r[0], "source records counted as");
	ifc->nsources--;
	check_ok(f->r[0]);

	/* the group index: a wrong tag, a passed count without a record */
	struct bidx *x = &ifc->groups;
	size_t b = 0;
	unsigned k = 0;
	while (bidx_rec(x, &x->b[b], k) != g)
		if (++k == BIDX_SLOTS) {
			k = 0;
			b++;
		}
	x->b[b].tag[k] ^= 0x100;
	expect_broken(f->r[0], "the record's hash says");
	x->b[b].tag[k] ^= 0x100;
#ifdef BIDX_PACKED_MASK
	/* the hash bits a packed slot keeps beside its record */
	x->b[b].rec[k] ^= (uintptr_t)1 << BIDX_HASH_SHIFT;
	expect_broken(f->r[0], "hash bits");
	x->b[b].rec[k] ^= (uintptr_t)1 << BIDX_HASH_SHIFT;
#endif
	x->b[b].passed++;
	expect_broken(f->r[0], "passed counts sum to");
	x->b[b].passed--;
	check_ok(f->r[0]);
	rtfx_free(f);
}

/* max-total-sources across groups: the second group gets what is left. */
static void test_total_sources(void **state)
{
	(void)state;
	struct mcast_router_config c;
	mcast_router_config_default(&c, MCAST_AF_INET);
	c.max_total_sources = 4;
	struct rtfx *f = rtfx_new(MCAST_AF_INET, 1, &c);
	host_rec(f, "10.0.0.9", "239.1.1.1", MCAST_MODE_IS_INCLUDE, "s1 s2 s3");
	host_rec(f, "10.0.0.9", "239.1.1.2", MCAST_MODE_IS_INCLUDE, "s1 s2 s3");
	assert_string_equal(rt_state(f, 0, "239.1.1.1"), "INCLUDE s1=260000 s2=260000 s3=260000");
	assert_string_equal(rt_state(f, 0, "239.1.1.2"), "INCLUDE s1=260000");
	struct mcast_router_iface_info info;
	assert_int_equal(mcast_router_iface_info(f->r[0], 1, &info), 0);
	assert_int_equal(info.stats->total_source_limit, 2);
	/* a source going frees room: s4 fits after s1..s3 of the first go */
	host_rec(f, "10.0.0.9", "239.1.1.1", MCAST_CHANGE_TO_INCLUDE, "s1");
	rtfx_at(f, 3000); /* the querier's group-and-source queries run out (LMQT 2 s) */
	assert_string_equal(rt_state(f, 0, "239.1.1.1"), "INCLUDE s1=257000");
	host_rec(f, "10.0.0.9", "239.1.1.2", MCAST_ALLOW_NEW_SOURCES, "s4 s5");
	assert_string_equal(rt_state(f, 0, "239.1.1.2"), "INCLUDE s1=257000 s4=260000 s5=260000");
	check_ok(f->r[0]);
	rtfx_free(f);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_budget_v4),
		cmocka_unit_test(test_budget_v6),
		cmocka_unit_test(test_check_finds_damage),
		cmocka_unit_test(test_total_sources),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
