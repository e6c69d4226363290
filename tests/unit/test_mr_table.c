/* Unit tests for src/mroute/table.c: ownership (MRT_INIT/MRT_DONE),
 * VIFs, and isolation between tables. */
#include "mrutil.h"

static void test_ownership(void **state)
{
	(void)state;
	struct fx *f = fx_new(MCAST_AF_INET, NULL);
	struct mcast_mr_owner other = { fx_upcall, NULL };
	assert_true(mcast_mr_owned(f->t));
	assert_int_equal(mcast_mr_init(f->t, &other), -EADDRINUSE);
	assert_int_equal(mcast_mr_init(f->t, &f->owner), -EADDRINUSE);
	assert_int_equal(mcast_mr_done(f->t, &other), -EACCES);
	assert_int_equal(mcast_mr_done(f->t, NULL), -EACCES);

	/* Only the owner changes the table, or static configuration. */
	struct mcast_vif_config c = { .ifindex = 7, .name = "x" };
	assert_int_equal(mcast_mr_vif_add(f->t, &other, 0, &c), -EACCES);
	assert_int_equal(mcast_mr_vif_add(f->t, NULL, 0, &c), -EACCES);
	c.flags = MCAST_VIF_STATIC;
	assert_int_equal(mcast_mr_vif_add(f->t, NULL, 0, &c), 0); /* static */
	fx_vif(f, 1, 1, 0);
	fx_vif(f, 2, 1, 0);
	assert_int_equal(fx_mfc(f, "10.0.0.1", "239.1.1.1", 1, "2:1"), 0);
	struct mcast_addr s = A("10.0.0.2"), g = A("239.1.1.2");
	struct mcast_mfc_oif o = { 1, 1 };
	struct mcast_mfc_params sp = { .source = s, .group = g, .iif = 0, .oifs = &o, .noifs = 1, .is_static = true };
	assert_int_equal(mcast_mr_mfc_add(f->t, NULL, &sp), 0);
	sp.is_static = false;
	assert_int_equal(mcast_mr_mfc_add(f->t, &other, &sp), -EACCES);
	assert_int_equal(mcast_mr_mfc_del(f->t, &other, &s, &g), -EACCES);
	/* A held packet, to see the queue flushed too. */
	fx_in(f, 101, "10.9.9.9", "239.9.9.9", 64);
	assert_int_equal(mcast_mr_unresolved_count(f->t), 1);

	/* MRT_DONE: dynamic VIFs, entries and the queue go; static ones stay. */
	assert_int_equal(mcast_mr_done(f->t, &f->owner), 0);
	assert_false(mcast_mr_owned(f->t));
	assert_int_equal(mcast_mr_vif_get(f->t, 0, NULL, NULL), 0);
	assert_int_equal(mcast_mr_vif_get(f->t, 1, NULL, NULL), -EADDRNOTAVAIL);
	assert_int_equal(mcast_mr_mfc_count(f->t), 1);
	assert_int_equal(mcast_mr_mfc_get(f->t, &s, &g, NULL, NULL, NULL, 0, NULL), 0);
	assert_int_equal(mcast_mr_unresolved_count(f->t), 0);
	/* A new owner may come. */
	assert_int_equal(mcast_mr_init(f->t, &other), 0);
	assert_int_equal(mcast_mr_done(f->t, &other), 0);
	fx_free(f);
}

/* The mirror hook (what mcastd turns into MRT_ADD_VIF / MRT_ADD_MFC /
 * MRT_DEL_MFC / MRT_DEL_VIF) and the fast path's counters. */
static char mirror_log[1024];

static void mirror(void *ctx, const struct mcast_mr_event *ev)
{
	(void)ctx;
	char a[MCAST_ADDR_STRLEN], b[MCAST_ADDR_STRLEN], x[128];
	size_t k = 0;
	switch (ev->type) {
	case MCAST_MR_VIF_ADD:
		k = (size_t)snprintf(x, sizeof(x), "+vif%u(%u)", ev->vif, ev->vif_cfg->ifindex);
		break;
	case MCAST_MR_VIF_DEL:
		k = (size_t)snprintf(x, sizeof(x), "-vif%u", ev->vif);
		break;
	case MCAST_MR_MFC_SET:
		k = (size_t)snprintf(x, sizeof(x), "=(%s,%s)%u>", mcast_addr_str(&ev->source, a),
				     mcast_addr_str(&ev->group, b), ev->iif);
		for (size_t i = 0; i < ev->noifs; i++)
			k += (size_t)snprintf(x + k, sizeof(x) - k, "%s%u", i ? "," : "", ev->oifs[i].vif);
		break;
	case MCAST_MR_MFC_DEL:
		snprintf(x, sizeof(x), "-(%s,%s)", mcast_addr_str(&ev->source, a), mcast_addr_str(&ev->group, b));
		break;
	}
	size_t n = strlen(mirror_log);
	snprintf(mirror_log + n, sizeof(mirror_log) - n, "%s%s", n ? " " : "", x);
}

static int kernel_stats(void *ctx, const struct mcast_addr *s, const struct mcast_addr *g,
			struct mcast_mfc_stats *st)
{
	(void)ctx;
	(void)g;
	if (mcast_addr_u32(s) != 0x0a000001u)
		return -ENOENT;
	st->pkts = 42;
	st->bytes = 4200;
	st->wrong_if = 1;
	return 0;
}

static void test_mirror(void **state)
{
	(void)state;
	mirror_log[0] = '\0';
	struct mcast_mr_env env = { .al = &mcast_alloc_libc, .changed = mirror, .fetch_stats = kernel_stats };
	struct mcast_mr_table *t = mcast_mr_create(&env, NULL, MCAST_AF_INET, 0);
	struct mcast_mr_owner o = { fx_upcall, NULL };
	assert_int_equal(mcast_mr_init(t, &o), 0);
	for (uint16_t i = 0; i < 3; i++) {
		struct mcast_vif_config c = { .ifindex = 10u + i, .threshold = 1 };
		assert_int_equal(mcast_mr_vif_add(t, &o, i, &c), 0);
	}
	struct mcast_mfc_oif oifs[] = { { 2, 1 }, { 1, 1 } };
	struct mcast_mfc_params p = { .source = A("10.0.0.1"), .group = A("239.1.1.1"), .iif = 0,
				      .oifs = oifs, .noifs = 2 };
	assert_int_equal(mcast_mr_mfc_add(t, &o, &p), 0);
	p.source = A("10.0.0.2");
	p.noifs = 1;
	assert_int_equal(mcast_mr_mfc_add(t, &o, &p), 0);
	/* Refused changes say nothing. */
	p.iif = 9;
	assert_int_equal(mcast_mr_mfc_add(t, &o, &p), -EADDRNOTAVAIL);
	struct mcast_mfc_stats st;
	struct mcast_addr s1 = A("10.0.0.1"), s2 = A("10.0.0.2"), s3 = A("10.0.0.3");
	assert_int_equal(mcast_mr_mfc_get(t, &s3, &p.group, NULL, &st, NULL, 0, NULL), -ENOENT);
	assert_int_equal(mcast_mr_mfc_get(t, &s1, &p.group, NULL, &st, NULL, 0, NULL), 0);
	assert_int_equal(st.pkts, 42);
	assert_int_equal(st.wrong_if, 1);
	assert_int_equal(mcast_mr_mfc_get(t, &s2, &p.group, NULL, &st, NULL, 0, NULL), 0);
	assert_int_equal(st.pkts, 0); /* the fast path knows nothing: the table's own */
	/* VIF 2 goes: the entry using it is rewritten first, then the VIF. */
	assert_int_equal(mcast_mr_vif_del(t, &o, 2), 0);
	assert_int_equal(mcast_mr_mfc_del(t, &o, &s2, &p.group), 0);
	assert_string_equal(mirror_log, "+vif0(10) +vif1(11) +vif2(12) =(10.0.0.1,239.1.1.1)0>1,2 "
					"=(10.0.0.2,239.1.1.1)0>2 =(10.0.0.1,239.1.1.1)0>1 "
					"=(10.0.0.2,239.1.1.1)0> -vif2 -(10.0.0.2,239.1.1.1)"); /* rewrites in hash order */
	/* MRT_DONE: every dynamic entry and VIF is reported gone. */
	mirror_log[0] = '\0';
	assert_int_equal(mcast_mr_done(t, &o), 0);
	assert_string_equal(mirror_log, "-(10.0.0.1,239.1.1.1) -vif0 -vif1");
	mcast_mr_destroy(t);
}

static void test_vif_errors(void **state)
{
	(void)state;
	struct fx *f = fx_new(MCAST_AF_INET, NULL);
	struct mcast_vif_config c = { .ifindex = 5 };
	assert_int_equal(mcast_mr_vif_add(f->t, &f->owner, 32, &c), -ENFILE); /* MAXVIFS 32 */
	assert_int_equal(mcast_mr_vif_add(f->t, &f->owner, 3, &c), 0);
	assert_int_equal(mcast_mr_vif_add(f->t, &f->owner, 3, &c), -EADDRINUSE);
	assert_int_equal(mcast_mr_vif_add(f->t, &f->owner, 4, &c), -EADDRINUSE); /* same interface */
	c.ifindex = 0;
	assert_int_equal(mcast_mr_vif_add(f->t, &f->owner, 4, &c), -EINVAL);
	c.flags = MCAST_VIF_REGISTER;
	assert_int_equal(mcast_mr_vif_add(f->t, &f->owner, 4, &c), 0);
	assert_int_equal(mcast_mr_vif_add(f->t, &f->owner, 5, &c), -EADDRINUSE); /* one register VIF */
	assert_int_equal(mcast_mr_vif_of(f->t, 5), 3);
	assert_int_equal(mcast_mr_vif_of(f->t, 6), MCAST_MR_NO_VIF);
	assert_int_equal(mcast_mr_vif_del(f->t, &f->owner, 9), -EADDRNOTAVAIL);
	assert_int_equal(mcast_mr_vif_del(f->t, &f->owner, 3), 0);
	assert_int_equal(mcast_mr_vif_of(f->t, 5), MCAST_MR_NO_VIF);
	assert_int_equal(mcast_mr_vif_del(f->t, &f->owner, 4), 0);
	assert_int_equal(mcast_mr_vif_add(f->t, &f->owner, 5, &c), 0); /* register slot free again */
	fx_free(f);
}

/* Two tables of one stack know nothing of each other. */
static void test_isolation(void **state)
{
	(void)state;
	struct fx *a = fx_new(MCAST_AF_INET, NULL);
	struct fx *b = fx_new(MCAST_AF_INET, NULL);
	fx_vif(a, 0, 1, 0);
	fx_vif(a, 1, 1, 0);
	assert_int_equal(fx_mfc(a, "10.0.0.1", "239.1.1.1", 0, "1:1"), 0);
	assert_int_equal(fx_in(a, 100, "10.0.0.1", "239.1.1.1", 64), 1);
	assert_int_equal(fx_in(b, 100, "10.0.0.1", "239.1.1.1", 64), 0);
	assert_int_equal(mcast_mr_stats(b->t)->no_vif, 1);
	assert_int_equal(mcast_mr_mfc_count(b->t), 0);
	fx_vif(b, 0, 1, 0); /* same VIF number and interface in b: fine */
	assert_int_equal(mcast_mr_mfc_count(a->t), 1);
	assert_int_equal(mcast_mr_id(a->t), 253);
	fx_free(a);
	fx_free(b);
}

/* The maximum is a setting: 1024 VIFs, one entry sending to 1023. */
static void test_1024_vifs(void **state)
{
	(void)state;
	struct mcast_mr_config cfg;
	mcast_mr_config_default(&cfg);
	cfg.max_vifs = 1024;
	struct fx *f = fx_new(MCAST_AF_INET, &cfg);
	static struct mcast_mfc_oif o[1024];
	for (uint16_t i = 0; i < 1024; i++) {
		fx_vif(f, i, 1, 0);
		o[i] = (struct mcast_mfc_oif){ i, 1 };
	}
	struct mcast_mfc_params p = { .source = A("10.0.0.1"), .group = A("239.1.1.1"), .iif = 1000,
				      .oifs = o, .noifs = 1024 };
	assert_int_equal(mcast_mr_mfc_add(f->t, &f->owner, &p), 0);
	assert_int_equal(fx_in(f, 100 + 1000, "10.0.0.1", "239.1.1.1", 64), 1023);
	/* Every VIF but the incoming one got exactly one copy. */
	static unsigned got[1024];
	for (unsigned i = 0; i < f->nsent; i++)
		got[f->sent[i].ifindex - 100]++;
	for (unsigned i = 0; i < 1024; i++)
		assert_int_equal(got[i], i == 1000 ? 0 : 1);
	struct mcast_vif_stats st;
	mcast_mr_vif_get(f->t, 1023, NULL, &st);
	assert_int_equal(st.pkts_out, 1);
	assert_int_equal(mcast_mr_vif_add(f->t, &f->owner, 1024, &(struct mcast_vif_config){ .ifindex = 9999 }), -ENFILE);
	fx_free(f);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_ownership),
		cmocka_unit_test(test_mirror),
		cmocka_unit_test(test_vif_errors),
		cmocka_unit_test(test_isolation),
		cmocka_unit_test(test_1024_vifs),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
