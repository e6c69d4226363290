/* Unit tests for src/host/report.c: the state-change table of RFC 3376
 * 5.1 row by row for both families, retransmissions and their merging,
 * responses to queries (5.2), older-querier compatibility (7.2). */
#include "hsutil.h"
#include "host/hs.h"

static const char *G(struct hsfx *f)
{
	return f->fam == MCAST_AF_INET ? "239.1.1.1" : "ff05::9";
}

struct row {
	bool old_in;
	const char *old;
	bool new_in;
	const char *nw;
	const char *records;
};

/* RFC 3376 5.1 / RFC 3810 6.1, with A = {s1 s2} and B = {s2 s3}. */
static const struct row rows[] = {
	{ true, "s1 s2", true, "s2 s3", "ALLOW G {s3} | BLOCK G {s1}" },   /* ALLOW (B-A), BLOCK (A-B) */
	{ false, "s1 s2", false, "s2 s3", "ALLOW G {s1} | BLOCK G {s3}" }, /* ALLOW (A-B), BLOCK (B-A) */
	{ true, "s1 s2", false, "s2 s3", "TO_EX G {s2 s3}" },              /* TO_EX (B) */
	{ false, "s1 s2", true, "s2 s3", "TO_IN G {s2 s3}" },              /* TO_IN (B) */
};

static void expand(char *out, size_t len, const char *tpl, const char *g)
{
	size_t k = 0;
	for (const char *p = tpl; *p && k + 40 < len; p++) {
		if (*p == 'G' && (p[1] == ' ' || p[1] == '\0')) {
			k += (size_t)snprintf(out + k, len - k, "%s", g);
		} else {
			out[k++] = *p;
		}
	}
	out[k] = '\0';
}

static void run_table(enum mcast_family fam)
{
	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		const struct row *w = &rows[i];
		struct hsfx *f = hsfx_new(fam, NULL);
		struct mcast_host_sock *s = mcast_host_socket(f->h);
		assert_int_equal(hfilter(f, s, G(f), w->old_in, w->old), 0);
		mcast_wheel_advance(&f->wheel, 10000); /* the first change's retransmissions */
		hsent(f, false);
		assert_int_equal(hfilter(f, s, G(f), w->new_in, w->nw), 0);
		char want[256], both[600];
		expand(want, sizeof(want), w->records, G(f));
		/* Sent at once, then once more within the Unsolicited Report
		 * Interval (1 s): [Robustness Variable] = 2 reports. */
		const char *got = hsent(f, false);
		if (strcmp(got, want))
			fail_msg("row %zu: got \"%s\", want \"%s\"", i, got, want);
		mcast_wheel_advance(&f->wheel, 11000);
		snprintf(both, sizeof(both), "%s", hsent(f, true));
		assert_non_null(strstr(both, want));
		assert_null(strchr(both, ';')); /* exactly one retransmission */
		unsigned long at = strtoul(both + 1, NULL, 10);
		assert_in_range(at, 10001, 11000);
		hsfx_free(f);
	}
}

static void test_state_change_v4(void **state)
{
	(void)state;
	run_table(MCAST_AF_INET);
}

static void test_state_change_v6(void **state)
{
	(void)state;
	run_table(MCAST_AF_INET6);
}

/* A second change before the first is fully retransmitted (5.1). */
static void test_merging(void **state)
{
	(void)state;
	struct hsfx *f = hsfx_new(MCAST_AF_INET, NULL);
	struct mcast_host_sock *s = mcast_host_socket(f->h);
	struct mcast_addr g = A("239.1.1.1");
	/* Changes made at one instant make one report (then its one
	 * retransmission), as Linux's one-jiffy report timer merges them. */
	assert_int_equal(mcast_host_join_source(f->h, s, 1, &g, &f->named[0]), 0);
	assert_int_equal(mcast_host_join_source(f->h, s, 1, &g, &f->named[1]), 0);
	mcast_wheel_advance(&f->wheel, 5000);
	assert_string_equal(hsent(f, false), "ALLOW 239.1.1.1 {s1 s2}; ALLOW 239.1.1.1 {s1 s2}");
	/* Source changes accumulate: each source keeps its own count. */
	assert_int_equal(mcast_host_leave_source(f->h, s, 1, &g, &f->named[1]), 0);
	hsent(f, false);
	assert_int_equal(mcast_host_join_source(f->h, s, 1, &g, &f->named[1]), 0);
	assert_string_equal(hsent(f, false), "ALLOW 239.1.1.1 {s2}");
	assert_int_equal(mcast_host_join_source(f->h, s, 1, &g, &f->named[2]), 0);
	mcast_wheel_advance(&f->wheel, 6000);
	assert_string_equal(hsent(f, false), "ALLOW 239.1.1.1 {s2 s3}; ALLOW 239.1.1.1 {s3}");
	assert_int_equal(mcast_host_leave_source(f->h, s, 1, &g, &f->named[2]), 0);
	mcast_wheel_advance(&f->wheel, 7000);
	hsent(f, false);
	/* A mode change wins for [RV] reports; a source change during them
	 * follows as a Source-List-Change record (RFC 9776 5.1). */
	struct mcast_addr g2 = A("239.2.2.2");
	assert_int_equal(mcast_host_join(f->h, s, 1, &g2), 0);
	assert_int_equal(mcast_host_block(f->h, s, 1, &g2, &f->named[0]), 0);
	mcast_wheel_advance(&f->wheel, 10000);
	assert_string_equal(hsent(f, false),
			    "TO_EX 239.2.2.2 {s1}; TO_EX 239.2.2.2 {s1}; BLOCK 239.2.2.2 {s1}; BLOCK 239.2.2.2 {s1}");
	/* A source blocked then unblocked before its retransmission: the
	 * retransmission says what is true now (ALLOW), not what was. */
	assert_int_equal(mcast_host_block(f->h, s, 1, &g2, &f->named[2]), 0);
	assert_string_equal(hsent(f, false), "BLOCK 239.2.2.2 {s3}");
	assert_int_equal(mcast_host_unblock(f->h, s, 1, &g2, &f->named[2]), 0);
	mcast_wheel_advance(&f->wheel, 20000);
	assert_string_equal(hsent(f, false), "ALLOW 239.2.2.2 {s3}; ALLOW 239.2.2.2 {s3}");
	/* Closing: the ASM group is left with TO_IN {}, the source-specific
	 * one with BLOCK of its sources (INCLUDE (A) to INCLUDE {}), both in
	 * one report, [RV] times (Linux too: tests/diff). */
	mcast_host_close(f->h, s);
	mcast_wheel_advance(&f->wheel, 30000);
	assert_string_equal(hsent(f, false), "BLOCK 239.1.1.1 {s1 s2} | TO_IN 239.2.2.2 {}; "
					     "BLOCK 239.1.1.1 {s1 s2} | TO_IN 239.2.2.2 {}");
	assert_string_equal(hstate(f, "239.1.1.1"), "none");
	assert_string_equal(hstate(f, "239.2.2.2"), "none");
	/* A change of another group while one's retransmission waits: the
	 * new report carries the new group only, and the first keeps its
	 * random retransmission time (then both go, packed). */
	s = mcast_host_socket(f->h);
	mcast_wheel_advance(&f->wheel, 40000);
	assert_int_equal(mcast_host_join(f->h, s, 1, &g), 0);
	assert_string_equal(hsent(f, false), "TO_EX 239.1.1.1 {}");
	assert_int_equal(mcast_host_join(f->h, s, 1, &g2), 0);
	assert_string_equal(hsent(f, false), "TO_EX 239.2.2.2 {}");
	mcast_wheel_advance(&f->wheel, 41000);
	assert_string_equal(hsent(f, false), "TO_EX 239.1.1.1 {} | TO_EX 239.2.2.2 {}");
	mcast_wheel_advance(&f->wheel, 50000);
	assert_string_equal(hsent(f, false), "");
	hsfx_free(f);
}

/* What was sent since the last look, G standing for the group. */
static void sent_is(struct hsfx *f, const char *tpl)
{
	char want[256];
	expand(want, sizeof(want), tpl, G(f));
	assert_string_equal(hsent(f, false), want);
}

/* Source changes of one socket among others (each call keeps its
 * socket's mode and membership, so only the changed source's counts
 * move): a source enters or leaves the interface state only when every
 * EXCLUDE socket excludes it and no INCLUDE socket lists it, or when the
 * first INCLUDE socket lists it / the last one drops it (RFC 3376 3.2),
 * and only then is it reported. */
static void test_shared_sources(void **state)
{
	(void)state;
	for (int fam = 0; fam < 2; fam++) {
		struct hsfx *f = hsfx_new(fam ? MCAST_AF_INET6 : MCAST_AF_INET, NULL);
		struct mcast_host_sock *a = mcast_host_socket(f->h), *b = mcast_host_socket(f->h);
		struct mcast_addr g = A(G(f)), s1 = f->named[0], s2 = f->named[1];
		assert_int_equal(mcast_host_join(f->h, a, 1, &g), 0);
		assert_int_equal(mcast_host_join(f->h, b, 1, &g), 0);
		mcast_wheel_advance(&f->wheel, 5000);
		hsent(f, false);
		assert_int_equal(mcast_host_block(f->h, a, 1, &g, &s1), 0);
		assert_string_equal(hsent(f, false), ""); /* b still takes s1 */
		assert_string_equal(hstate(f, G(f)), "EX {}");
		assert_int_equal(mcast_host_block(f->h, b, 1, &g, &s1), 0);
		sent_is(f, "BLOCK G {s1}");
		assert_int_equal(mcast_host_block(f->h, a, 1, &g, &s2), 0);
		assert_string_equal(hsent(f, false), "");
		assert_int_equal(mcast_host_unblock(f->h, a, 1, &g, &s1), 0);
		sent_is(f, "ALLOW G {s1}");
		assert_string_equal(hstate(f, G(f)), "EX {}");
		mcast_host_close(f->h, a);
		mcast_host_close(f->h, b);
		mcast_wheel_advance(&f->wheel, 20000);
		hsent(f, false);
		assert_string_equal(hstate(f, G(f)), "none");

		/* INCLUDE: the first socket to list a source and the last to
		 * drop it are reported, the others change counts only */
		a = mcast_host_socket(f->h);
		b = mcast_host_socket(f->h);
		assert_int_equal(mcast_host_join_source(f->h, a, 1, &g, &s1), 0);
		assert_int_equal(mcast_host_join_source(f->h, b, 1, &g, &s1), 0);
		mcast_wheel_advance(&f->wheel, 30000);
		hsent(f, false);
		assert_int_equal(mcast_host_join_source(f->h, a, 1, &g, &s2), 0);
		sent_is(f, "ALLOW G {s2}");
		assert_int_equal(mcast_host_join_source(f->h, b, 1, &g, &s2), 0);
		assert_string_equal(hsent(f, false), "");
		assert_int_equal(mcast_host_leave_source(f->h, a, 1, &g, &s1), 0);
		assert_string_equal(hsent(f, false), "");
		assert_int_equal(mcast_host_leave_source(f->h, b, 1, &g, &s1), 0);
		/* with s2's retransmission still due: merged (5.1) */
		sent_is(f, "ALLOW G {s2} | BLOCK G {s1}");
		assert_string_equal(hstate(f, G(f)), "IN {s2}");

		/* mixed: an INCLUDE socket's source is let in whatever the
		 * EXCLUDE socket blocks; when the INCLUDE socket leaves (its
		 * last source), the block takes effect */
		assert_int_equal(mcast_host_leave_source(f->h, b, 1, &g, &s2), 0);
		struct mcast_host_sock *c = mcast_host_socket(f->h);
		assert_int_equal(mcast_host_join(f->h, c, 1, &g), 0);
		mcast_wheel_advance(&f->wheel, 40000);
		hsent(f, false);
		assert_int_equal(mcast_host_block(f->h, c, 1, &g, &s2), 0);
		assert_string_equal(hsent(f, false), ""); /* a lists s2 */
		assert_string_equal(hstate(f, G(f)), "EX {}");
		assert_int_equal(mcast_host_leave_source(f->h, a, 1, &g, &s2), 0);
		sent_is(f, "BLOCK G {s2}");
		assert_string_equal(hstate(f, G(f)), "EX {s2}");
		hsfx_free(f);
	}
}

/* A report lists its groups in address order, whatever order the changes
 * came in: descending (a list read newest first), shuffled beyond the
 * short-run sort (qsort), one out of place, already sorted. */
static void test_report_group_order(void **state)
{
	(void)state;
	static const size_t sizes[] = { 5, 40, 10, 12 };
	struct mcast_rng rng;
	mcast_rng_seed(&rng, 11);
	for (size_t t = 0; t < sizeof(sizes) / sizeof(sizes[0]); t++) {
		struct hsfx *f = hsfx_new(MCAST_AF_INET, NULL);
		/* sockets hold 20 memberships each (Linux's default) */
		struct mcast_host_sock *s[3] = { mcast_host_socket(f->h), mcast_host_socket(f->h),
						 mcast_host_socket(f->h) };
		size_t n = sizes[t];
		uint32_t order[64];
		for (size_t i = 0; i < n; i++)
			order[i] = t == 0 ? (uint32_t)(n - 1 - i) : (uint32_t)i;
		if (t == 1)
			for (size_t i = n - 1; i > 0; i--) {
				size_t j = mcast_rng_below(&rng, i + 1);
				uint32_t x = order[i];
				order[i] = order[j];
				order[j] = x;
			}
		if (t == 2) {
			order[3] = 7;
			order[7] = 3;
		}
		for (size_t i = 0; i < n; i++) {
			struct mcast_addr g;
			mcast_addr_from_u32(&g, 0xef050000u + order[i] * 257);
			assert_int_equal(mcast_host_join(f->h, s[i % 3], 1, &g), 0);
		}
		mcast_wheel_advance(&f->wheel, f->wheel.now_ms);
		assert_true(f->n >= 1);
		static struct msgbuf mb;
		struct mcast_msg *m = msgbuf_init(&mb);
		assert_int_equal(mcast_msg_decode_packet(m, f->pkt[0], f->len[0], NULL, NULL), MCAST_DROP_NONE);
		assert_int_equal(m->nrecs, n);
		for (unsigned r = 0; r < m->nrecs; r++) {
			struct mcast_addr want;
			mcast_addr_from_u32(&want, 0xef050000u + r * 257);
			assert_true(mcast_addr_eq(&m->recs[r].group, &want));
		}
		hsfx_free(f);
	}
}

/* RFC 3376 5.2: responses to queries. */
static void test_queries(void **state)
{
	(void)state;
	struct hsfx *f = hsfx_new(MCAST_AF_INET, NULL);
	struct mcast_host_sock *s = mcast_host_socket(f->h);
	hfilter(f, s, "239.1.1.1", false, "");
	hfilter(f, s, "239.2.2.2", true, "s1 s2");
	hfilter(f, s, "239.3.3.3", false, "s1");
	mcast_wheel_advance(&f->wheel, 10000);
	hsent(f, false);
	/* General query: one report, all groups, current state, within 10 s. */
	hquery(f, 3, NULL, 10000, NULL);
	mcast_wheel_advance(&f->wheel, 20000);
	const char *got = hsent(f, true);
	assert_non_null(strstr(got, "IS_EX 239.1.1.1 {} | IS_IN 239.2.2.2 {s1 s2} | IS_EX 239.3.3.3 {s1}"));
	assert_null(strchr(got, ';'));
	assert_in_range(strtoul(got + 1, NULL, 10), 10001, 20000);
	/* Group query, and group-and-source queries: INCLUDE (A) answers
	 * IS_IN (A*Q), EXCLUDE (A) IS_IN (Q-A), nothing when empty. */
	hquery(f, 3, "239.2.2.2", 1000, NULL);
	hquery(f, 3, "239.3.3.3", 1000, "s1 s2");
	hquery(f, 3, "239.1.1.1", 1000, NULL);
	mcast_wheel_advance(&f->wheel, 22000);
	got = hsent(f, false);
	assert_non_null(strstr(got, "IS_IN 239.2.2.2 {s1 s2}"));
	assert_non_null(strstr(got, "IS_IN 239.3.3.3 {s2}"));
	assert_non_null(strstr(got, "IS_EX 239.1.1.1 {}"));
	hquery(f, 3, "239.2.2.2", 1000, "s3");
	mcast_wheel_advance(&f->wheel, 24000);
	assert_string_equal(hsent(f, false), "");
	/* Pending group-and-source queries accumulate their sources. */
	hquery(f, 3, "239.2.2.2", 1000, "s1");
	hquery(f, 3, "239.2.2.2", 1000, "s2");
	mcast_wheel_advance(&f->wheel, 26000);
	assert_string_equal(hsent(f, false), "IS_IN 239.2.2.2 {s1 s2}");
	/* A group query over a pending source one: the whole group. */
	hquery(f, 3, "239.2.2.2", 1000, "s1");
	hquery(f, 3, "239.2.2.2", 1000, NULL);
	mcast_wheel_advance(&f->wheel, 28000);
	assert_string_equal(hsent(f, false), "IS_IN 239.2.2.2 {s1 s2}");
	/* The querier's QRV is adopted. */
	hsfx_free(f);
}

/* RFC 3376 7.2.1 and RFC 3810 8.2.1: older queriers. */
static void test_compat(void **state)
{
	(void)state;
	struct hsfx *f = hsfx_new(MCAST_AF_INET, NULL);
	struct mcast_host_sock *s = mcast_host_socket(f->h);
	struct mcast_addr g = A("239.1.1.1");
	hquery(f, 2, NULL, 10000, NULL);
	assert_int_equal(mcast_host_version(f->h, 1), 2);
	assert_int_equal(mcast_host_join(f->h, s, 1, &g), 0);
	assert_string_equal(hsent(f, false), "IGMPv2 report 239.1.1.1 to 239.1.1.1");
	mcast_wheel_advance(&f->wheel, 10000); /* the repeat, within 10 s */
	assert_string_equal(hsent(f, false), "IGMPv2 report 239.1.1.1 to 239.1.1.1");
	assert_int_equal(mcast_host_leave(f->h, s, 1, &g), 0);
	assert_string_equal(hsent(f, false), "IGMPv2 leave 239.1.1.1 to 224.0.0.2");
	/* Suppression: another member reports first; then no leave from us. */
	mcast_host_join(f->h, s, 1, &g);
	mcast_wheel_advance(&f->wheel, 20000);
	hsent(f, false);
	hquery(f, 2, NULL, 10000, NULL);
	uint8_t b[64];
	struct mcast_addr other = A("10.0.0.11");
	int n = mcast_v1v2_encode(MCAST_AF_INET, MCAST_MSG_REPORT, 2, &g, 0, &other, NULL, b, sizeof(b));
	mcast_host_input(f->h, 1, b, (size_t)n);
	mcast_wheel_advance(&f->wheel, 31000);
	assert_string_equal(hsent(f, false), "");
	assert_int_equal(mcast_host_stats(f->h, 1)->suppressed, 1);
	mcast_host_leave(f->h, s, 1, &g);
	assert_string_equal(hsent(f, false), "");
	/* The Older Version Querier Present timer (RV*QI+QRI) runs out: v3. */
	mcast_wheel_advance(&f->wheel, 20000 + 260000);
	assert_int_equal(mcast_host_version(f->h, 1), 3);
	mcast_host_join(f->h, s, 1, &g);
	assert_string_equal(hsent(f, false), "TO_EX 239.1.1.1 {}");
	/* v1 querier: v1 reports, and no leave. */
	hquery(f, 1, NULL, 10000, NULL);
	assert_int_equal(mcast_host_version(f->h, 1), 1);
	mcast_host_leave(f->h, s, 1, &g);
	hsent(f, false);
	mcast_host_join(f->h, s, 1, &g);
	assert_string_equal(hsent(f, false), "IGMPv1 report 239.1.1.1 to 239.1.1.1");
	mcast_wheel_advance(&f->wheel, f->wheel.now_ms + 20000);
	hsent(f, false);
	/* In IGMPv1 mode an IGMPv3 group-and-source query is a general one
	 * with 10 s to answer (RFC 3376 7.2.1, as Linux; found by tests/diff):
	 * no answer within its own 100 ms, one within 10 s. */
	hquery(f, 3, "239.1.1.1", 100, "s1");
	mcast_wheel_advance(&f->wheel, f->wheel.now_ms + 200);
	assert_string_equal(hsent(f, false), "");
	mcast_wheel_advance(&f->wheel, f->wheel.now_ms + 10000);
	assert_string_equal(hsent(f, false), "IGMPv1 report 239.1.1.1 to 239.1.1.1");
	mcast_host_leave(f->h, s, 1, &g);
	assert_string_equal(hsent(f, false), "");
	hsfx_free(f);


	/* MLD: a 24-byte query means MLDv1: reports and Done. */
	f = hsfx_new(MCAST_AF_INET6, NULL);
	s = mcast_host_socket(f->h);
	g = A("ff05::9");
	hquery(f, 1, NULL, 10000, NULL);
	assert_int_equal(mcast_host_version(f->h, 1), 1);
	mcast_host_join(f->h, s, 1, &g);
	assert_string_equal(hsent(f, false), "MLDv1 report ff05::9 to ff05::9");
	mcast_host_leave(f->h, s, 1, &g);
	assert_string_equal(hsent(f, false), "MLDv1 done ff05::9 to ff02::2");
	hsfx_free(f);

	/* A forced version: filters degrade to joined or not (the MLD seed's
	 * force_mld_version). */
	struct mcast_host_iface_config ic;
	mcast_host_iface_config_default(&ic);
	ic.force_version = 1;
	f = hsfx_new(MCAST_AF_INET6, &ic);
	s = mcast_host_socket(f->h);
	assert_int_equal(mcast_host_join_source(f->h, s, 1, &g, &f->named[0]), 0);
	assert_string_equal(hsent(f, false), "MLDv1 report ff05::9 to ff05::9");
	assert_int_equal(mcast_host_join_source(f->h, s, 1, &g, &f->named[1]), 0);
	assert_string_equal(hsent(f, false), ""); /* still joined: nothing to say */
	mcast_host_close(f->h, s);
	assert_string_equal(hsent(f, false), "MLDv1 done ff05::9 to ff02::2");
	hquery(f, 2, NULL, 10000, NULL);
	assert_int_equal(mcast_host_version(f->h, 1), 1);
	hsfx_free(f);
}

/* A clock that starts at 0 (the simulator's): a query there with a
 * Maximum Response Delay of 0 is answered at once (1 ms later: a deadline
 * of 0 means none), in IGMPv3 and MLDv1, not lost. */
static void test_answer_at_time_zero(void **state)
{
	(void)state;
	for (int v6 = 0; v6 < 2; v6++) {
		struct mcast_host_iface_config ic;
		mcast_host_iface_config_default(&ic);
		ic.force_version = (uint8_t)v6; /* MLDv1 */
		struct hsfx *f = hsfx_new(v6 ? MCAST_AF_INET6 : MCAST_AF_INET, &ic);
		struct mcast_host_sock *s = mcast_host_socket(f->h);
		assert_int_equal(hfilter(f, s, G(f), false, "s1"), 0);
		hsent(f, false);
		assert_int_equal(f->wheel.now_ms, 0);
		hquery(f, v6 ? 1 : 3, G(f), 0, NULL);
		mcast_wheel_advance(&f->wheel, 1);
		assert_string_equal(hsent(f, true), v6 ? "@1 MLDv1 report ff05::9 to ff05::9" : "@1 IS_EX 239.1.1.1 {s1}");
		hsfx_free(f);
	}
}

/* An allocator that refuses new memory while told to. */
static bool refuse;

static void *refusing_realloc(void *ctx, void *p, size_t old, size_t size)
{
	(void)ctx;
	(void)old;
	if (!size) {
		free(p);
		return NULL;
	}
	return refuse && (!p || size > old) ? NULL : realloc(p, size);
}

/* A query that finds no memory for its answers changes nothing and is
 * counted (stats.nomem); the next one, with memory, is answered. Groups
 * keep no timer at rest: the record that holds one comes with the
 * query and goes with the answer. */
static void test_answer_without_memory(void **state)
{
	(void)state;
	static const struct mcast_alloc al = { refusing_realloc, NULL };
	struct mcast_host_iface_config ic;
	mcast_host_iface_config_default(&ic);
	ic.force_version = 2;
	struct hsfx *f = hsfx_new_al(MCAST_AF_INET, &ic, &al);
	struct mcast_host_sock *s = mcast_host_socket(f->h);
	struct mcast_addr g = A("239.1.1.1");
	assert_int_equal(mcast_host_join(f->h, s, 1, &g), 0);
	mcast_wheel_advance(&f->wheel, 20000); /* the join's report and its repetition (RFC 2236 3) */
	assert_string_equal(hsent(f, false), "IGMPv2 report 239.1.1.1 to 239.1.1.1; IGMPv2 report 239.1.1.1 to 239.1.1.1");
	assert_null(hs_group_find(hs_iface_find(f->h, 1), &g)->wait);
	/* a first query grows the receive buffers, and is answered */
	hquery(f, 2, NULL, 1000, NULL);
	mcast_wheel_advance(&f->wheel, 21000);
	assert_string_equal(hsent(f, false), "IGMPv2 report 239.1.1.1 to 239.1.1.1");
	refuse = true;
	hquery(f, 2, NULL, 1000, NULL);
	refuse = false;
	assert_int_equal(mcast_host_stats(f->h, 1)->nomem, 1);
	assert_int_equal(mcast_host_stats(f->h, 1)->rx_queries, 1); /* the second not taken at all */
	mcast_wheel_advance(&f->wheel, 22000);
	assert_string_equal(hsent(f, false), "");
	hquery(f, 2, NULL, 1000, NULL);
	assert_non_null(hs_group_find(hs_iface_find(f->h, 1), &g)->wait);
	mcast_wheel_advance(&f->wheel, 23000);
	assert_string_equal(hsent(f, false), "IGMPv2 report 239.1.1.1 to 239.1.1.1");
	assert_null(hs_group_find(hs_iface_find(f->h, 1), &g)->wait);
	char why[256];
	assert_int_equal(mcast_host_check(f->h, why, sizeof(why)), 0);
	hsfx_free(f);
}

/* The records sent since the last call, in order: (type, group's last
 * 32 bits); how many. */
static size_t sent_recs(struct hsfx *f, uint8_t *type, uint32_t *group, size_t max)
{
	static struct msgbuf mb;
	size_t n = 0;
	for (unsigned k = 0; k < f->n; k++) {
		struct mcast_msg *m = msgbuf_init(&mb);
		assert_int_equal(mcast_msg_decode_packet(m, f->pkt[k], f->len[k], NULL, NULL), MCAST_DROP_NONE);
		for (unsigned r = 0; r < m->nrecs && n < max; r++, n++) {
			type[n] = m->recs[r].type;
			group[n] = mcast_addr_u32(&m->recs[r].group);
		}
	}
	f->n = 0;
	return n;
}

static void host_checks(struct hsfx *f)
{
	char why[256];
	if (mcast_host_check(f->h, why, sizeof(why)) < 0)
		fail_msg("%s", why);
}

/*
 * The interface's queue of groups with retransmissions left (RFC 3376
 * 5.1): 40 groups joined in a shuffled order go out in one report, sorted;
 * before their retransmission 5 of them leave and 5 others join, in
 * another order, and the report of that instant holds exactly those 10
 * (the fresh ones), sorted; the retransmission then holds the 45 groups
 * with one left, each once, sorted, and the queue is empty after it.
 * Then groups done after their first report leave holes that waiting
 * groups fill. The invariant check follows every step, and names a
 * queue damaged.
 */
static void test_queue(void **state)
{
	(void)state;
	struct hsfx *f = hsfx_new(MCAST_AF_INET, NULL);
	struct mcast_rng rng;
	mcast_rng_seed(&rng, 5);
	enum { N = 40, M = 5 };
	struct mcast_host_sock *s[N + M];
	uint32_t order[N + M];
	for (uint32_t i = 0; i < N + M; i++)
		order[i] = i;
	for (uint32_t i = N - 1; i > 0; i--) {
		uint32_t j = (uint32_t)mcast_rng_below(&rng, i + 1), x = order[i];
		order[i] = order[j];
		order[j] = x;
	}
	struct mcast_addr g[N + M];
	for (uint32_t i = 0; i < N + M; i++) {
		mcast_addr_from_u32(&g[i], 0xef070000u + i * 3);
		s[i] = mcast_host_socket(f->h);
	}
	for (uint32_t i = 0; i < N; i++)
		assert_int_equal(mcast_host_join(f->h, s[order[i]], 1, &g[order[i]]), 0);
	host_checks(f);
	mcast_wheel_advance(&f->wheel, f->wheel.now_ms);
	uint8_t type[128];
	uint32_t grp[128];
	assert_int_equal(sent_recs(f, type, grp, 128), N);
	for (uint32_t i = 0; i < N; i++) {
		assert_int_equal(type[i], MCAST_CHANGE_TO_EXCLUDE);
		assert_int_equal(grp[i], 0xef070000u + i * 3);
	}
	host_checks(f);
	struct hs_iface *ifc = hs_iface_find(f->h, 1);
	assert_int_equal(ifc->npend, N);
	assert_int_equal(ifc->nfresh, 0);
	/* before the retransmission: groups 31, 7, 22, 0, 39 leave, 44, 40,
	 * 43, 41, 42 join */
	f->wheel.now_ms += 1;
	assert_true(ifc->rexmit_ms > f->wheel.now_ms);
	static const uint32_t leave[M] = { 31, 7, 22, 0, 39 }, join[M] = { 44, 40, 43, 41, 42 };
	for (int i = 0; i < M; i++) {
		assert_int_equal(mcast_host_leave(f->h, s[leave[i]], 1, &g[leave[i]]), 0);
		assert_int_equal(mcast_host_join(f->h, s[join[i]], 1, &g[join[i]]), 0);
		host_checks(f);
	}
	assert_int_equal(ifc->nfresh, 2 * M);
	mcast_wheel_advance(&f->wheel, f->wheel.now_ms);
	size_t n = sent_recs(f, type, grp, 128);
	static const uint32_t fresh[2 * M] = { 0, 7, 22, 31, 39, 40, 41, 42, 43, 44 };
	assert_int_equal(n, 2 * M);
	for (size_t i = 0; i < n; i++) {
		assert_int_equal(grp[i], 0xef070000u + fresh[i] * 3);
		assert_int_equal(type[i], fresh[i] < N ? MCAST_CHANGE_TO_INCLUDE : MCAST_CHANGE_TO_EXCLUDE);
	}
	host_checks(f);
	assert_int_equal(ifc->npend, N + M);
	/* a damaged queue is named */
	char why[256];
	struct hs_group *q = ifc->pend[ifc->npend - 1];
	ifc->npend--; /* off the queue with its retransmission left */
	q->pend_at = 0;
	assert_int_equal(mcast_host_check(f->h, why, sizeof(why)), -1);
	assert_non_null(strstr(why, "not queued"));
	q->pend_at = ++ifc->npend;
	host_checks(f);
	q = ifc->pend[3];
	ifc->pend[3] = ifc->pend[4];
	ifc->pend[4] = q;
	assert_int_equal(mcast_host_check(f->h, why, sizeof(why)), -1);
	assert_non_null(strstr(why, "queue place 3"));
	ifc->pend[4] = ifc->pend[3];
	ifc->pend[3] = q;
	host_checks(f);
	/* the retransmission: every group once, sorted; then nothing left */
	mcast_wheel_advance(&f->wheel, ifc->rexmit_ms);
	n = sent_recs(f, type, grp, 128);
	assert_int_equal(n, N + M);
	for (size_t i = 0; i < n; i++) {
		assert_int_equal(grp[i], 0xef070000u + (uint32_t)i * 3);
		bool left = i == 0 || i == 7 || i == 22 || i == 31 || i == 39;
		assert_int_equal(type[i], left ? MCAST_CHANGE_TO_INCLUDE : MCAST_CHANGE_TO_EXCLUDE);
	}
	host_checks(f);
	assert_int_equal(ifc->npend, 0);
	assert_int_equal(ifc->rexmit_ms, 0);
	mcast_wheel_advance(&f->wheel, f->wheel.now_ms + 10000);
	assert_int_equal(sent_recs(f, type, grp, 128), 0);
	/* the five that left are gone, the others kept */
	for (uint32_t i = 0; i < N + M; i++) {
		bool left = i == 0 || i == 7 || i == 22 || i == 31 || i == 39;
		assert_true(!hs_group_find(ifc, &g[i]) == left);
	}
	hsfx_free(f);

	/* Groups done after one report while others wait: W joins
	 * reported (one retransmission left each), then a querier's QRV of
	 * 1 is adopted and D more groups join: their report is their only
	 * one, so they leave the queue and waiting groups take their places
	 * (all of them when fewer wait than leave). The retransmission then
	 * holds the W, sorted. */
	static const uint32_t waiting[2] = { 20, 2 }, done[2] = { 3, 6 };
	for (int t = 0; t < 2; t++) {
		uint32_t W = waiting[t], D = done[t];
		f = hsfx_new(MCAST_AF_INET, NULL);
		ifc = hs_iface_find(f->h, 1);
		for (uint32_t i = 0; i < W + D; i++)
			s[i] = mcast_host_socket(f->h);
		for (uint32_t i = 0; i < W; i++)
			assert_int_equal(mcast_host_join(f->h, s[i], 1, &g[i + D]), 0);
		mcast_wheel_advance(&f->wheel, f->wheel.now_ms);
		assert_int_equal(sent_recs(f, type, grp, 128), W);
		hquery_rv(f, 3, NULL, 10000, NULL, 1);
		assert_int_equal(ifc->rv, 1);
		f->wheel.now_ms += 1;
		for (uint32_t i = 0; i < D; i++) /* groups D-1 down to 0 */
			assert_int_equal(mcast_host_join(f->h, s[W + i], 1, &g[D - 1 - i]), 0);
		mcast_wheel_advance(&f->wheel, f->wheel.now_ms);
		n = sent_recs(f, type, grp, 128);
		assert_int_equal(n, D);
		for (size_t i = 0; i < n; i++)
			assert_int_equal(grp[i], 0xef070000u + (uint32_t)i * 3);
		host_checks(f);
		assert_int_equal(ifc->npend, W);
		mcast_wheel_advance(&f->wheel, ifc->rexmit_ms);
		n = sent_recs(f, type, grp, 128);
		assert_int_equal(n, W);
		for (size_t i = 0; i < n; i++)
			assert_int_equal(grp[i], 0xef070000u + (uint32_t)(i + D) * 3);
		host_checks(f);
		assert_int_equal(ifc->npend, 0);
		hsfx_free(f);
	}
}

/*
 * A change whose group finds no room in the fresh list (memory out)
 * makes the report of that instant carry every queued group: 16 groups
 * joined together (the list's room is 16), then C and D one at a time;
 * with the allocator refusing, the 16 and C leave: C is the 17th change,
 * and the report holds the 16 and C (TO_IN) and D's retransmission
 * (TO_EX, early), sorted. Nothing is left out.
 */
static void test_fresh_without_memory(void **state)
{
	(void)state;
	static const struct mcast_alloc al = { refusing_realloc, NULL };
	struct hsfx *f = hsfx_new_al(MCAST_AF_INET, NULL, &al);
	struct hs_iface *ifc = hs_iface_find(f->h, 1);
	struct mcast_host_sock *s[18];
	struct mcast_addr g[18];
	for (uint32_t i = 0; i < 18; i++) {
		s[i] = mcast_host_socket(f->h);
		mcast_addr_from_u32(&g[i], 0xef080000u + i);
	}
	for (uint32_t i = 0; i < 16; i++)
		assert_int_equal(mcast_host_join(f->h, s[i], 1, &g[i]), 0);
	uint8_t type[64];
	uint32_t grp[64];
	mcast_wheel_advance(&f->wheel, f->wheel.now_ms);
	assert_int_equal(sent_recs(f, type, grp, 64), 16);
	assert_int_equal(ifc->fresh_cap, 16);
	for (uint32_t i = 16; i < 18; i++) { /* C, then D, each alone */
		f->wheel.now_ms += 1;
		assert_int_equal(mcast_host_join(f->h, s[i], 1, &g[i]), 0);
		mcast_wheel_advance(&f->wheel, f->wheel.now_ms);
		assert_int_equal(sent_recs(f, type, grp, 64), 1);
	}
	assert_true(ifc->rexmit_ms > f->wheel.now_ms + 1);
	f->wheel.now_ms += 1;
	refuse = true;
	for (uint32_t i = 0; i < 17; i++)
		assert_int_equal(mcast_host_leave(f->h, s[i], 1, &g[i]), 0);
	assert_true(ifc->fresh_all);
	host_checks(f);
	mcast_wheel_advance(&f->wheel, f->wheel.now_ms);
	refuse = false;
	size_t n = sent_recs(f, type, grp, 64);
	assert_int_equal(n, 18);
	for (uint32_t i = 0; i < 18; i++) {
		assert_int_equal(grp[i], 0xef080000u + i);
		assert_int_equal(type[i], i < 17 ? MCAST_CHANGE_TO_INCLUDE : MCAST_CHANGE_TO_EXCLUDE);
	}
	host_checks(f);
	assert_false(ifc->fresh_all);
	assert_int_equal(ifc->npend, 17); /* D's retransmissions are spent */
	mcast_wheel_advance(&f->wheel, ifc->rexmit_ms);
	assert_int_equal(sent_recs(f, type, grp, 64), 17);
	assert_int_equal(ifc->npend, 0);
	host_checks(f);
	hsfx_free(f);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_state_change_v4),
		cmocka_unit_test(test_state_change_v6),
		cmocka_unit_test(test_merging),
		cmocka_unit_test(test_shared_sources),
		cmocka_unit_test(test_report_group_order),
		cmocka_unit_test(test_queries),
		cmocka_unit_test(test_compat),
		cmocka_unit_test(test_answer_without_memory),
		cmocka_unit_test(test_answer_at_time_zero),
		cmocka_unit_test(test_queue),
		cmocka_unit_test(test_fresh_without_memory),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
