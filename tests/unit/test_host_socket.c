/* Unit tests for src/host/socket.c: the RFC 3678 calls and Linux's
 * errors, the interface state merge (RFC 3376 3.2), the interface's own
 * groups, the delivery check. */
#include "hsutil.h"

static void test_errors(void **state)
{
	(void)state;
	for (int fam = 0; fam < 2; fam++) {
		struct hsfx *f = hsfx_new(fam ? MCAST_AF_INET6 : MCAST_AF_INET, NULL);
		struct mcast_host *h = f->h;
		struct mcast_host_sock *s = mcast_host_socket(h);
		struct mcast_addr g = A(fam ? "ff05::9" : "239.1.1.1"), g2 = A(fam ? "ff05::10" : "239.1.1.2");
		struct mcast_addr s1 = f->named[0], s2 = f->named[1], uni = A(fam ? "2001:db8::99" : "10.9.9.9");
		assert_int_equal(mcast_host_join(h, s, 1, &g), 0);
		assert_int_equal(mcast_host_join(h, s, 1, &g), -EADDRINUSE);
		assert_int_equal(mcast_host_join(h, s, 7, &g), -ENODEV);
		assert_int_equal(mcast_host_join(h, s, 1, &uni), -EINVAL);
		/* sources that can never send (docs/wire.md, "Address rules") */
		static const char *const never4[] = { "0.0.0.0", "127.0.0.1", "224.1.1.1", "255.255.255.255" };
		static const char *const never6[] = { "::", "::1", "ff0e::99", "10.9.9.9" };
		for (int k = 0; k < 4; k++) {
			struct mcast_addr x = A(fam ? never6[k] : never4[k]);
			assert_int_equal(mcast_host_join_source(h, s, 1, &g2, &x), -EINVAL);
		}
		/* ASM membership with a block: source joins are refused (the
		 * other mode's call on a filter with sources); errors as
		 * Linux's ip_mc_source() (tests/diff compares them). */
		assert_int_equal(mcast_host_block(h, s, 1, &g, &s1), 0);
		assert_int_equal(mcast_host_join_source(h, s, 1, &g, &s1), -EINVAL);
		assert_int_equal(mcast_host_block(h, s, 1, &g, &s1), -EADDRNOTAVAIL); /* again: as Linux */
		assert_int_equal(mcast_host_unblock(h, s, 1, &g, &s2), -EADDRNOTAVAIL);
		assert_int_equal(mcast_host_unblock(h, s, 1, &g, &s1), 0);
		/* ...without one, a source join turns it into INCLUDE {s1} */
		assert_int_equal(mcast_host_join_source(h, s, 1, &g, &s1), 0);
		enum mcast_filter_mode mode;
		struct mcast_addr v[8];
		size_t n;
		assert_int_equal(mcast_host_get_filter(h, s, 1, &g, &mode, v, 8, &n), 0);
		assert_int_equal(mode, MCAST_MODE_INCLUDE);
		assert_int_equal(n, 1);
		assert_int_equal(mcast_host_leave_source(h, s, 1, &g, &s1), 0);
		assert_int_equal(mcast_host_join(h, s, 1, &g), 0);
		/* No membership: every source call but a join needs a prior join. */
		assert_int_equal(mcast_host_block(h, s, 1, &g2, &s1), -EINVAL);
		assert_int_equal(mcast_host_unblock(h, s, 1, &g2, &s1), -EINVAL);
		assert_int_equal(mcast_host_leave_source(h, s, 1, &g2, &s1), -EINVAL);
		assert_int_equal(mcast_host_leave(h, s, 1, &g2), -EADDRNOTAVAIL);
		/* SSM membership: blocks refused; the last source's leave leaves. */
		assert_int_equal(mcast_host_join_source(h, s, 1, &g2, &s1), 0);
		assert_int_equal(mcast_host_block(h, s, 1, &g2, &s2), -EINVAL);
		assert_int_equal(mcast_host_join_source(h, s, 1, &g2, &s2), 0);
		assert_int_equal(mcast_host_get_filter(h, s, 1, &g2, &mode, v, 8, &n), 0);
		assert_int_equal(mode, MCAST_MODE_INCLUDE);
		assert_int_equal(n, 2);
		assert_int_equal(mcast_host_leave_source(h, s, 1, &g2, &s1), 0);
		assert_int_equal(mcast_host_leave_source(h, s, 1, &g2, &s2), 0);
		assert_int_equal(mcast_host_get_filter(h, s, 1, &g2, &mode, v, 8, &n), -EADDRNOTAVAIL);
		/* Limits: 20 memberships, 10 (IPv4) / 64 (IPv6) sources. */
		for (int i = 0; i < 19; i++) {
			char b[48];
			snprintf(b, sizeof(b), fam ? "ff05::1:%x" : "239.2.0.%d", i + 1);
			struct mcast_addr gi = A(b);
			assert_int_equal(mcast_host_join(h, s, 1, &gi), 0);
		}
		assert_int_equal(mcast_host_join(h, s, 1, &g2), -ENOBUFS);
		unsigned max = fam ? 64 : 10;
		struct mcast_addr many[65];
		for (unsigned i = 0; i <= max; i++) {
			char b[48];
			snprintf(b, sizeof(b), fam ? "2001:db8::1:%x" : "10.2.0.%u", i + 1);
			many[i] = A(b);
		}
		assert_int_equal(mcast_host_set_filter(h, s, 1, &g, MCAST_MODE_EXCLUDE, many, max + 1), -ENOBUFS);
		assert_int_equal(mcast_host_set_filter(h, s, 1, &g, MCAST_MODE_EXCLUDE, many, max), 0);
		assert_int_equal(mcast_host_block(h, s, 1, &g, &many[max]), -ENOBUFS);
		/* close drops everything. */
		mcast_host_close(h, s);
		assert_string_equal(hstate(f, fam ? "ff05::9" : "239.1.1.1"), "none");
		hsfx_free(f);
	}
}

static void test_merge(void **state)
{
	(void)state;
	struct hsfx *f = hsfx_new(MCAST_AF_INET, NULL);
	struct mcast_host_sock *a = mcast_host_socket(f->h), *b = mcast_host_socket(f->h),
			       *c = mcast_host_socket(f->h);
	const char *g = "239.1.1.1";
	assert_int_equal(hfilter(f, a, g, true, "s1 s2"), 0);
	assert_int_equal(hfilter(f, b, g, true, "s2 s3"), 0);
	assert_string_equal(hstate(f, g), "IN {s1 s2 s3}"); /* union of INCLUDEs */
	assert_int_equal(hfilter(f, c, g, false, "s1 s4 s5"), 0);
	/* EXCLUDE: the exclusions minus what an INCLUDE socket lists */
	assert_string_equal(hstate(f, g), "EX {s4 s5}");
	assert_int_equal(hfilter(f, a, g, false, "s4 s6"), 0);
	assert_string_equal(hstate(f, g), "EX {s4}"); /* intersection of EXCLUDE lists */
	mcast_host_close(f->h, c);
	assert_string_equal(hstate(f, g), "EX {s4 s6}");
	mcast_host_close(f->h, a);
	assert_string_equal(hstate(f, g), "IN {s2 s3}");
	mcast_host_close(f->h, b);
	assert_string_equal(hstate(f, g), "none");
	hsfx_free(f);
}

static void test_delivery(void **state)
{
	(void)state;
	struct hsfx *f = hsfx_new(MCAST_AF_INET, NULL);
	struct mcast_host_sock *a = mcast_host_socket(f->h), *b = mcast_host_socket(f->h);
	struct mcast_addr g = A("239.1.1.1"), o = A("239.1.1.2");
	hfilter(f, a, "239.1.1.1", true, "s1");
	hfilter(f, b, "239.1.1.1", false, "s1 s2");
	assert_true(mcast_host_delivers(f->h, 1, &f->named[0], &g));  /* a takes s1 */
	assert_false(mcast_host_delivers(f->h, 1, &f->named[1], &g)); /* nobody takes s2 */
	assert_true(mcast_host_delivers(f->h, 1, &f->named[2], &g));  /* b takes s3 */
	assert_false(mcast_host_delivers(f->h, 1, &f->named[2], &o));
	assert_false(mcast_host_delivers(f->h, 2, &f->named[0], &g));
	/* Interface state alone is not enough: 224.0.0.1 has no socket. */
	struct mcast_addr all = A("224.0.0.1");
	assert_string_equal(hstate(f, "224.0.0.1"), "EX {}");
	assert_false(mcast_host_delivers(f->h, 1, &f->named[0], &all));
	hsfx_free(f);
}

/* The interface's own groups, and the groups never reported. */
static void test_own_groups(void **state)
{
	(void)state;
	struct hsfx *f = hsfx_new(MCAST_AF_INET, NULL);
	assert_string_equal(hsent(f, false), ""); /* 224.0.0.1: never reported */
	assert_int_equal(mcast_host_iface_set_forwarding(f->h, 1, true), 0);
	assert_string_equal(hstate(f, "224.0.0.2"), "EX {}");
	assert_string_equal(hsent(f, false), "TO_EX 224.0.0.2 {}");
	mcast_host_iface_set_forwarding(f->h, 1, false);
	assert_string_equal(hsent(f, false), "TO_IN 224.0.0.2 {}");
	assert_string_equal(hstate(f, "224.0.0.2"), "none");
	hsfx_free(f);

	f = hsfx_new(MCAST_AF_INET6, NULL);
	assert_string_equal(hstate(f, "ff02::1"), "EX {}");
	assert_string_equal(hstate(f, "ff01::1"), "EX {}");
	assert_string_equal(hsent(f, false), "");
	mcast_host_iface_set_forwarding(f->h, 1, true);
	/* ff02::2 and ff05::2 reported, in one report; ff01::2 is
	 * interface-local. */
	assert_string_equal(hsent(f, false), "TO_EX ff02::2 {} | TO_EX ff05::2 {}");
	assert_string_equal(hstate(f, "ff01::2"), "EX {}");
	hsfx_free(f);

	/* Link-local IPv4 groups are reported unless told otherwise. */
	struct mcast_host_iface_config ic;
	mcast_host_iface_config_default(&ic);
	ic.report_link_local = false;
	f = hsfx_new(MCAST_AF_INET, &ic);
	struct mcast_host_sock *s = mcast_host_socket(f->h);
	struct mcast_addr mdns = A("224.0.0.251");
	assert_int_equal(mcast_host_join(f->h, s, 1, &mdns), 0);
	assert_string_equal(hsent(f, false), "");
	hsfx_free(f);
}

/* An interface that changes address reports from the new one; one that
 * goes takes the sockets' memberships on it along. */
static void test_iface_changes(void **state)
{
	(void)state;
	struct hsfx *f = hsfx_new(MCAST_AF_INET, NULL);
	struct mcast_host_sock *s = mcast_host_socket(f->h);
	struct mcast_addr g = A("239.1.1.1"), na = A("10.0.0.99"), bad = A("224.0.0.9");
	assert_int_equal(mcast_host_iface_set_addr(f->h, 1, &na), 0);
	assert_int_equal(mcast_host_iface_set_addr(f->h, 1, &bad), -EINVAL);
	assert_int_equal(mcast_host_iface_set_addr(f->h, 9, &na), -ENODEV);
	assert_int_equal(mcast_host_join(f->h, s, 1, &g), 0);
	mcast_wheel_advance(&f->wheel, f->wheel.now_ms); /* the report, due now */
	struct mcast_ip_info ip;
	assert_int_equal(mcast_ip_parse(f->pkt[0], f->len[0], &ip), MCAST_DROP_NONE);
	assert_addr_equal(&ip.src, "10.0.0.99");
	hsent(f, false);
	assert_int_equal(mcast_host_iface_del(f->h, 1), 0);
	assert_int_equal(mcast_host_iface_del(f->h, 1), -ENODEV);
	enum mcast_filter_mode mode;
	struct mcast_addr v[4];
	size_t n;
	assert_int_equal(mcast_host_get_filter(f->h, s, 1, &g, &mode, v, 4, &n), -EADDRNOTAVAIL);
	assert_int_equal(mcast_host_join(f->h, s, 1, &g), -ENODEV);
	mcast_host_close(f->h, s);
	hsfx_free(f);
}

static void big_list(struct mcast_addr *v, size_t from, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		size_t k = from + i;
		mcast_addr_from_u32(&v[i], (uint32_t)(0x0a020000u + k)); /* 10.2.x.y */
	}
}

/* Sources in every record of the reports sent since mark, by type. */
static size_t sent_sources(struct hsfx *f, unsigned mark, uint8_t type)
{
	size_t total = 0;
	static struct mcast_addr srcs[4096];
	static struct mcast_group_record recs[64];
	mcast_wheel_advance(&f->wheel, f->wheel.now_ms); /* what is due now goes out */
	for (unsigned i = mark; i < f->n; i++) {
		struct mcast_ip_info ip;
		assert_int_equal(mcast_ip_parse(f->pkt[i], f->len[i], &ip), MCAST_DROP_NONE);
		struct mcast_msg m = { .srcs = srcs, .srcs_cap = 4096, .recs = recs, .recs_cap = 64 };
		assert_int_equal(mcast_msg_decode(&m, &ip, NULL), MCAST_DROP_NONE);
		for (unsigned r = 0; r < m.nrecs; r++)
			if (m.recs[r].type == type)
				total += m.recs[r].nsrcs;
	}
	return total;
}

/* Thousands of sources: the host's scratch space starts small and grows
 * as filters, interface states and queries need it. */
static void test_big_filters(void **state)
{
	(void)state;
	struct hsfx *f = calloc(1, sizeof(*f));
	f->fam = MCAST_AF_INET;
	mcast_wheel_init(&f->wheel, 0);
	struct mcast_host_env env = { .al = &mcast_alloc_libc, .wheel = &f->wheel, .send = hs_send,
				      .ctx = f, .seed = 42 };
	struct mcast_host_config hc;
	mcast_host_config_default(&hc, MCAST_AF_INET);
	hc.max_sources = 3000;
	f->h = mcast_host_create(&env, &hc, MCAST_AF_INET);
	struct mcast_addr a = A("10.0.0.10"), g = A("239.9.9.9");
	assert_int_equal(mcast_host_iface_add(f->h, 1, "eth0", &a, NULL), 0);
	static struct mcast_addr v[3001], got[4096];
	struct mcast_host_sock *sa = mcast_host_socket(f->h), *sb = mcast_host_socket(f->h);

	/* a: INCLUDE 0..2999, sent as ALLOW records split over full packets. */
	big_list(v, 0, 3001);
	assert_int_equal(mcast_host_set_filter(f->h, sa, 1, &g, MCAST_MODE_INCLUDE, v, 3001), -ENOBUFS);
	assert_int_equal(mcast_host_set_filter(f->h, sa, 1, &g, MCAST_MODE_INCLUDE, v, 3000), 0);
	assert_int_equal(sent_sources(f, 0, MCAST_ALLOW_NEW_SOURCES), 3000);
	enum mcast_filter_mode mode;
	size_t n;
	assert_int_equal(mcast_host_iface_state(f->h, 1, &g, &mode, got, 4096, &n), 0);
	assert_int_equal(mode, MCAST_MODE_INCLUDE);
	assert_int_equal(n, 3000);
	for (size_t i = 0; i < n; i++)
		assert_true(mcast_addr_eq(&got[i], &v[i]));

	/* b: EXCLUDE 1500..4499 -> EXCLUDE (B - A) = 3000..4499 (RFC 3376 3.2). */
	unsigned mark = f->n;
	big_list(v, 1500, 3000);
	assert_int_equal(mcast_host_set_filter(f->h, sb, 1, &g, MCAST_MODE_EXCLUDE, v, 3000), 0);
	assert_int_equal(mcast_host_iface_state(f->h, 1, &g, &mode, got, 4096, &n), 0);
	assert_int_equal(mode, MCAST_MODE_EXCLUDE);
	assert_int_equal(n, 1500);
	assert_true(mcast_addr_eq(&got[0], &v[1500]));
	assert_true(mcast_addr_eq(&got[1499], &v[2999]));
	/* RFC 3376 4.2.16: a TO_EX record that does not fit is truncated to
	 * what one packet holds ((1500 - 24 - 8 - 8) / 4 = 365), not split. */
	assert_int_equal(sent_sources(f, mark, MCAST_CHANGE_TO_EXCLUDE), 365);

	/* A group-and-source query for 0..299 (none excluded): all 300 come
	 * back as IS_IN. */
	for (int t = 0; t < 20; t++)
		mcast_wheel_advance(&f->wheel, f->wheel.now_ms + 1000); /* retransmissions done */
	mark = f->n;
	big_list(v, 0, 300);
	struct mcast_query_params q = { .family = MCAST_AF_INET, .version = 3, .group = g, .max_resp_ms = 1000,
					.qrv = 2, .qqi_s = 125, .srcs = v, .nsrcs = 300 };
	struct mcast_addr from = A("10.0.0.1");
	struct pkts p = { 0 };
	static uint8_t buf[1600];
	assert_true(mcast_query_encode(&q, &from, NULL, 1500, buf, sizeof(buf), pkts_emit, &p) > 0);
	assert_int_equal(p.n, 1);
	mcast_host_input(f->h, 1, p.data[0], p.len[0]);
	mcast_wheel_advance(&f->wheel, f->wheel.now_ms + 1000);
	assert_int_equal(sent_sources(f, mark, MCAST_MODE_IS_INCLUDE), 300);
	mcast_host_close(f->h, sa);
	mcast_host_close(f->h, sb);
	hsfx_free(f);
}

static void count_sent(void *ctx, unsigned ifindex, const uint8_t *p, size_t len)
{
	(void)ifindex;
	(void)p;
	(void)len;
	(*(unsigned *)ctx)++;
}

static void check_host(const struct mcast_host *h)
{
	char why[256];
	if (mcast_host_check(h, why, sizeof(why)) < 0)
		fail_msg("invariant: %s", why);
}

/* A socket of a thousand memberships (a proxy's downstream socket): the
 * index finds each, through joins, leaves in random order (the last
 * membership moving into the hole) and joins again, and two interfaces
 * holding the same group apart. */
static void test_many_memberships(void **state)
{
	(void)state;
	struct mcast_wheel w;
	mcast_wheel_init(&w, 0);
	unsigned sent = 0;
	struct mcast_host_env env = { .al = &mcast_alloc_libc, .wheel = &w, .send = count_sent, .ctx = &sent, .seed = 3 };
	struct mcast_host_config c = { .max_memberships = 4096, .max_sources = 64 };
	struct mcast_host *h = mcast_host_create(&env, &c, MCAST_AF_INET);
	struct mcast_addr a1 = A("10.0.0.10"), a2 = A("10.0.1.10");
	assert_int_equal(mcast_host_iface_add(h, 1, "eth0", &a1, NULL), 0);
	assert_int_equal(mcast_host_iface_add(h, 2, "eth1", &a2, NULL), 0);
	struct mcast_host_sock *s = mcast_host_socket(h);
	enum { N = 1000 };
	static struct mcast_addr g[N];
	static bool in[N];
	for (unsigned i = 0; i < N; i++) {
		mcast_addr_from_u32(&g[i], 0xef010000u + i);
		assert_int_equal(mcast_host_join(h, s, 1, &g[i]), 0);
		in[i] = true;
	}
	assert_int_equal(mcast_host_join(h, s, 2, &g[7]), 0); /* the same group elsewhere */
	assert_int_equal(mcast_host_join(h, s, 1, &g[7]), -EADDRINUSE);
	check_host(h);
	struct mcast_rng r;
	mcast_rng_seed(&r, 11);
	for (unsigned k = 0; k < 4 * N; k++) {
		unsigned i = mcast_rng_below(&r, N);
		int rc = in[i] ? mcast_host_leave(h, s, 1, &g[i]) : mcast_host_join(h, s, 1, &g[i]);
		assert_int_equal(rc, 0);
		in[i] = !in[i];
		mcast_wheel_advance(&w, w.now_ms); /* each change's report */
		if (k % 97 == 0)
			check_host(h);
	}
	check_host(h);
	for (unsigned i = 0; i < N; i++) {
		enum mcast_filter_mode mode;
		size_t n;
		assert_int_equal(mcast_host_get_filter(h, s, 1, &g[i], &mode, NULL, 0, &n), in[i] ? 0 : -EADDRNOTAVAIL);
	}
	enum mcast_filter_mode mode;
	size_t n;
	assert_int_equal(mcast_host_get_filter(h, s, 2, &g[7], &mode, NULL, 0, &n), 0);
	assert_int_equal(mcast_host_iface_del(h, 1), 0); /* memberships on eth0 go; the index follows */
	check_host(h);
	assert_int_equal(mcast_host_get_filter(h, s, 2, &g[7], &mode, NULL, 0, &n), 0);
	assert_int_equal(mcast_host_get_filter(h, s, 1, &g[8], &mode, NULL, 0, &n), -EADDRNOTAVAIL);
	mcast_host_close(h, s);
	check_host(h);
	mcast_host_destroy(h);
	assert_true(sent > N);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_errors),
		cmocka_unit_test(test_merge),
		cmocka_unit_test(test_delivery),
		cmocka_unit_test(test_own_groups),
		cmocka_unit_test(test_iface_changes),
		cmocka_unit_test(test_big_filters),
		cmocka_unit_test(test_many_memberships),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
