/* Unit tests for src/wire/encode.c: byte-exact output for every message
 * type, MTU splitting of reports and queries, and argument checks. */
#include "testutil.h"
#include "wire/internal.h"
#include "vectors.h"

static uint8_t buf[65535];
static struct pkts out;

static void expect_hex(const uint8_t *got, size_t len, const char *hex)
{
	uint8_t want[2048];
	size_t n = hex2bin(hex, want, sizeof(want));
	assert_int_equal(len, n);
	assert_memory_equal(got, want, n);
}

static void test_v1v2_exact(void **state)
{
	(void)state;
	struct mcast_addr g = A("239.1.1.1"), s = A("10.0.0.10"), g6 = A("ff05::9"), s6 = A("fe80::10");
	int n;
	n = mcast_v1v2_encode(MCAST_AF_INET, MCAST_MSG_REPORT, 1, &g, 0, &s, NULL, buf, sizeof(buf));
	expect_hex(buf, (size_t)n, VEC_IGMPV1_REPORT);
	n = mcast_v1v2_encode(MCAST_AF_INET, MCAST_MSG_REPORT, 2, &g, 0, &s, NULL, buf, sizeof(buf));
	expect_hex(buf, (size_t)n, VEC_IGMPV2_REPORT);
	n = mcast_v1v2_encode(MCAST_AF_INET, MCAST_MSG_LEAVE, 2, &g, 0, &s, NULL, buf, sizeof(buf));
	expect_hex(buf, (size_t)n, VEC_IGMPV2_LEAVE);
	n = mcast_v1v2_encode(MCAST_AF_INET6, MCAST_MSG_REPORT, 1, &g6, 0, &s6, NULL, buf, sizeof(buf));
	expect_hex(buf, (size_t)n, VEC_MLDV1_REPORT);
	n = mcast_v1v2_encode(MCAST_AF_INET6, MCAST_MSG_LEAVE, 1, &g6, 0, &s6, NULL, buf, sizeof(buf));
	expect_hex(buf, (size_t)n, VEC_MLDV1_DONE);
	/* Refusals: v1 leave, v3 through this call, family mismatch, unicast
	 * group, buffer too small. */
	assert_int_equal(mcast_v1v2_encode(MCAST_AF_INET, MCAST_MSG_LEAVE, 1, &g, 0, &s, NULL, buf, 100), -EINVAL);
	assert_int_equal(mcast_v1v2_encode(MCAST_AF_INET, MCAST_MSG_REPORT, 3, &g, 0, &s, NULL, buf, 100), -EINVAL);
	assert_int_equal(mcast_v1v2_encode(MCAST_AF_INET6, MCAST_MSG_REPORT, 1, &g, 0, &s6, NULL, buf, 100), -EINVAL);
	assert_int_equal(mcast_v1v2_encode(MCAST_AF_INET, MCAST_MSG_REPORT, 2, &s, 0, &s, NULL, buf, 100), -EINVAL);
	assert_int_equal(mcast_v1v2_encode(MCAST_AF_INET, MCAST_MSG_REPORT, 2, &g, 0, &s, NULL, buf, 31), -EMSGSIZE);
}

static void query(const struct mcast_query_params *q, const char *src, size_t mtu)
{
	struct mcast_addr s = A(src);
	memset(&out, 0, sizeof(out));
	assert_true(mcast_query_encode(q, &s, NULL, mtu, buf, sizeof(buf), pkts_emit, &out) > 0);
}

static void test_query_exact(void **state)
{
	(void)state;
	struct mcast_query_params q = { .family = MCAST_AF_INET, .version = 1,
					.group = mcast_addr_any4, .max_resp_ms = 10000 };
	query(&q, "10.0.0.1", 1500);
	expect_hex(out.data[0], out.len[0], VEC_IGMPV1_QUERY);
	q.version = 2;
	query(&q, "10.0.0.1", 1500);
	expect_hex(out.data[0], out.len[0], VEC_IGMPV2_QUERY);
	q.group = A("239.1.1.1");
	q.max_resp_ms = 1000;
	query(&q, "10.0.0.1", 1500);
	expect_hex(out.data[0], out.len[0], VEC_IGMPV2_GSQ);
	struct mcast_addr s4[2] = { A("10.0.0.5"), A("10.0.0.6") };
	q = (struct mcast_query_params){ .family = MCAST_AF_INET, .version = 3, .group = A("232.1.1.1"),
					 .max_resp_ms = 25600, .s_flag = true, .qrv = 2, .qqi_s = 125,
					 .srcs = s4, .nsrcs = 2 };
	query(&q, "10.0.0.1", 1500);
	expect_hex(out.data[0], out.len[0], VEC_IGMPV3_GSSQ);
	struct mcast_query_params q6 = { .family = MCAST_AF_INET6, .version = 1,
					 .group = mcast_addr_any6, .max_resp_ms = 10000 };
	query(&q6, "fe80::1", 1500);
	expect_hex(out.data[0], out.len[0], VEC_MLDV1_QUERY);
	struct mcast_addr s6 = A("2001:db8::1");
	q6 = (struct mcast_query_params){ .family = MCAST_AF_INET6, .version = 2, .group = A("ff35::1:2"),
					  .max_resp_ms = 60000, .qrv = 2, .qqi_s = 125, .srcs = &s6,
					  .nsrcs = 1 };
	query(&q6, "fe80::1", 1500);
	expect_hex(out.data[0], out.len[0], VEC_MLDV2_GSSQ);
	/* RFC 3376 4.1.6: QRV above 7 goes out as 0. */
	q.qrv = 9;
	query(&q, "10.0.0.1", 1500);
	assert_int_equal(out.data[0][32] & 0x07, 0);
}

static void test_query_split_and_refusals(void **state)
{
	(void)state;
	static struct mcast_addr many[600];
	for (unsigned i = 0; i < 600; i++)
		mcast_addr_from_u32(&many[i], 0x0a010000u + i);
	struct mcast_query_params q = { .family = MCAST_AF_INET, .version = 3, .group = A("232.1.1.1"),
					.max_resp_ms = 1000, .qrv = 2, .qqi_s = 125, .srcs = many,
					.nsrcs = 600 };
	query(&q, "10.0.0.1", 1500);
	/* (1500 - 24 - 12) / 4 = 366 sources per packet: 366 + 234. */
	assert_int_equal(out.n, 2);
	unsigned total = 0;
	struct msgbuf mb;
	for (unsigned p = 0; p < out.n; p++) {
		assert_true(out.len[p] <= 1500);
		struct mcast_msg *m = msgbuf_init(&mb);
		assert_int_equal(mcast_msg_decode_packet(m, out.data[p], out.len[p], NULL, NULL), MCAST_DROP_NONE);
		for (unsigned i = 0; i < m->nsrcs; i++)
			assert_true(mcast_addr_eq(&m->srcs[i], &many[total + i]));
		total += m->nsrcs;
		assert_addr_equal(&m->group, "232.1.1.1");
	}
	assert_int_equal(total, 600);

	struct mcast_addr src = A("10.0.0.1");
	/* Sources on a v2 query, on a general query; a v1 group query; v3 MLD. */
	q.version = 2;
	assert_int_equal(mcast_query_encode(&q, &src, NULL, 1500, buf, sizeof(buf), pkts_emit, &out), -EINVAL);
	q.version = 3;
	q.group = mcast_addr_any4;
	assert_int_equal(mcast_query_encode(&q, &src, NULL, 1500, buf, sizeof(buf), pkts_emit, &out), -EINVAL);
	q.nsrcs = 0;
	q.version = 1;
	q.group = A("239.1.1.1");
	assert_int_equal(mcast_query_encode(&q, &src, NULL, 1500, buf, sizeof(buf), pkts_emit, &out), -EINVAL);
	q.family = MCAST_AF_INET6;
	q.version = 3;
	q.group = A("ff05::1");
	struct mcast_addr src6 = A("fe80::1");
	assert_int_equal(mcast_query_encode(&q, &src6, NULL, 1500, buf, sizeof(buf), pkts_emit, &out), -EINVAL);
}

static void test_report_exact(void **state)
{
	(void)state;
	struct mcast_report_builder rb;
	struct mcast_addr s = A("10.0.0.10"), g = A("239.1.1.1"), g2 = A("232.1.1.1");
	struct mcast_addr s4[2] = { A("10.0.0.5"), A("10.0.0.6") };
	memset(&out, 0, sizeof(out));
	assert_int_equal(mcast_report_init(&rb, MCAST_AF_INET, &s, NULL, 1500, buf, sizeof(buf), pkts_emit, &out), 0);
	mcast_report_flush(&rb); /* nothing pending: nothing sent */
	assert_int_equal(out.n, 0);
	assert_int_equal(mcast_report_add(&rb, MCAST_CHANGE_TO_EXCLUDE, &g, NULL, 0, NULL, 0), 0);
	assert_int_equal(mcast_report_add(&rb, MCAST_ALLOW_NEW_SOURCES, &g2, s4, 2, NULL, 0), 0);
	mcast_report_flush(&rb);
	assert_int_equal(out.n, 1);
	expect_hex(out.data[0], out.len[0], VEC_IGMPV3_REPORT);

	struct mcast_addr s6 = A("fe80::10"), g6 = A("ff35::1:2"), src6 = A("2001:db8::1");
	memset(&out, 0, sizeof(out));
	mcast_report_init(&rb, MCAST_AF_INET6, &s6, NULL, 1500, buf, sizeof(buf), pkts_emit, &out);
	mcast_report_add(&rb, MCAST_MODE_IS_INCLUDE, &g6, &src6, 1, NULL, 0);
	mcast_report_flush(&rb);
	expect_hex(out.data[0], out.len[0], VEC_MLDV2_REPORT);

	/* Refusals: unknown type, unicast group, other family, tiny MTU. */
	assert_int_equal(mcast_report_add(&rb, 7, &g6, NULL, 0, NULL, 0), -EINVAL);
	assert_int_equal(mcast_report_add(&rb, MCAST_MODE_IS_INCLUDE, &src6, NULL, 0, NULL, 0), -EINVAL);
	assert_int_equal(mcast_report_add(&rb, MCAST_MODE_IS_INCLUDE, &g, NULL, 0, NULL, 0), -EINVAL);
	assert_int_equal(mcast_report_init(&rb, MCAST_AF_INET6, &s6, NULL, 90, buf, sizeof(buf), pkts_emit, &out), -EINVAL);
}

/* Decodes every emitted report and returns records and sources seen. */
static void decode_all(unsigned *nrec, unsigned *nsrc, struct msgbuf *mb, size_t mtu)
{
	*nrec = *nsrc = 0;
	for (unsigned p = 0; p < out.n; p++) {
		assert_true(out.len[p] <= mtu);
		struct mcast_msg *m = msgbuf_init(mb);
		assert_int_equal(mcast_msg_decode_packet(m, out.data[p], out.len[p], NULL, NULL), MCAST_DROP_NONE);
		*nrec += m->nrecs;
		*nsrc += m->nsrcs;
	}
}

/* RFC 3376 4.2.16 / RFC 3810 5.2.15. */
static void test_report_split(void **state)
{
	(void)state;
	static struct msgbuf mb;
	static struct mcast_addr many[1000], many6[300];
	for (unsigned i = 0; i < 1000; i++)
		mcast_addr_from_u32(&many[i], 0x0a020000u + i);
	for (unsigned i = 0; i < 300; i++) {
		many6[i] = A("2001:db8::");
		many6[i].b[14] = (uint8_t)(i >> 8);
		many6[i].b[15] = (uint8_t)i;
	}
	struct mcast_report_builder rb;
	struct mcast_addr s = A("10.0.0.10"), g = A("239.1.1.1"), s6 = A("fe80::10"), g6 = A("ff05::9");
	unsigned nrec, nsrc;

	/* 300 TO_EX {} records of 8 bytes: (1500 - 24 - 8) / 8 = 183 a packet. */
	memset(&out, 0, sizeof(out));
	mcast_report_init(&rb, MCAST_AF_INET, &s, NULL, 1500, buf, sizeof(buf), pkts_emit, &out);
	for (unsigned i = 0; i < 300; i++) {
		struct mcast_addr gi;
		mcast_addr_from_u32(&gi, 0xef000000u + i);
		mcast_report_add(&rb, MCAST_CHANGE_TO_EXCLUDE, &gi, NULL, 0, NULL, 0);
	}
	mcast_report_flush(&rb);
	assert_int_equal(out.n, 2);
	decode_all(&nrec, &nsrc, &mb, 1500);
	assert_int_equal(nrec, 300);

	/* ALLOW with 1000 sources: split by sources, (1500-24-8-8)/4 = 365 each. */
	memset(&out, 0, sizeof(out));
	mcast_report_init(&rb, MCAST_AF_INET, &s, NULL, 1500, buf, sizeof(buf), pkts_emit, &out);
	mcast_report_add(&rb, MCAST_ALLOW_NEW_SOURCES, &g, many, 1000, NULL, 0);
	mcast_report_flush(&rb);
	assert_int_equal(out.n, 3);
	decode_all(&nrec, &nsrc, &mb, 1500);
	assert_int_equal(nrec, 3);
	assert_int_equal(nsrc, 1000);
	assert_addr_equal(&mb.m.srcs[mb.m.nsrcs - 1], "10.2.3.231"); /* the last source, 999 */
	assert_int_equal(rb.truncated_srcs, 0);

	/* TO_EX with 1000 sources: one record with the 365 that fit. */
	memset(&out, 0, sizeof(out));
	mcast_report_init(&rb, MCAST_AF_INET, &s, NULL, 1500, buf, sizeof(buf), pkts_emit, &out);
	mcast_report_add(&rb, MCAST_CHANGE_TO_EXCLUDE, &g, many, 1000, NULL, 0);
	mcast_report_flush(&rb);
	assert_int_equal(out.n, 1);
	decode_all(&nrec, &nsrc, &mb, 1500);
	assert_int_equal(nsrc, 365);
	assert_int_equal(rb.truncated_srcs, 635);
	assert_true(mcast_addr_eq(&mb.m.srcs[0], &many[0]));

	/* MLDv2 at the IPv6 minimum MTU: (1280-48-8-20)/16 = 75 sources. */
	memset(&out, 0, sizeof(out));
	mcast_report_init(&rb, MCAST_AF_INET6, &s6, NULL, 1280, buf, sizeof(buf), pkts_emit, &out);
	mcast_report_add(&rb, MCAST_BLOCK_OLD_SOURCES, &g6, many6, 300, NULL, 0);
	mcast_report_add(&rb, MCAST_CHANGE_TO_EXCLUDE, &g6, NULL, 0, NULL, 0);
	mcast_report_flush(&rb);
	/* 4 full BLOCK pieces (1276 bytes each); the TO_EX (20 bytes) fits
	 * none of them and goes in a fifth packet. */
	assert_int_equal(out.n, 5);
	decode_all(&nrec, &nsrc, &mb, 1280);
	assert_int_equal(nrec, 5);
	assert_int_equal(nsrc, 300);
}

/* The engines' sourceless record (wire_report_add_group) makes the same
 * bytes as mcast_report_add(), packets split at the same records, for
 * both families and MTUs that end a packet exactly on a record and not,
 * mixed with records that carry sources. */
static void test_report_add_group(void **state)
{
	(void)state;
	static struct pkts a, b;
	static uint8_t buf2[1600];
	const size_t mtus[] = { 1500, 1280, 576, 1456 };
	for (int v6 = 0; v6 < 2; v6++)
		for (size_t k = 0; k < sizeof(mtus) / sizeof(mtus[0]); k++) {
			if (!v6 && mtus[k] == 1280)
				continue;
			enum mcast_family f = v6 ? MCAST_AF_INET6 : MCAST_AF_INET;
			struct mcast_addr me = A(v6 ? "fe80::10" : "10.0.0.10"), src = A(v6 ? "2001:db8::1" : "10.1.0.1");
			struct mcast_report_builder ra, rb;
			memset(&a, 0, sizeof(a));
			memset(&b, 0, sizeof(b));
			assert_int_equal(mcast_report_init(&ra, f, &me, NULL, mtus[k], buf, sizeof(buf), pkts_emit, &a), 0);
			assert_int_equal(mcast_report_init(&rb, f, &me, NULL, mtus[k], buf2, sizeof(buf2), pkts_emit, &b), 0);
			for (unsigned i = 0; i < 400; i++) {
				struct mcast_addr g = A(v6 ? "ff05::" : "239.0.0.0");
				g.b[14] = (uint8_t)(i >> 8);
				g.b[15] = (uint8_t)i;
				uint8_t type = i % 3 ? MCAST_CHANGE_TO_EXCLUDE : MCAST_MODE_IS_EXCLUDE;
				if (i % 37 == 5) { /* now and then a record with a source */
					mcast_report_add(&ra, MCAST_ALLOW_NEW_SOURCES, &g, &src, 1, NULL, 0);
					mcast_report_add(&rb, MCAST_ALLOW_NEW_SOURCES, &g, &src, 1, NULL, 0);
					continue;
				}
				assert_int_equal(mcast_report_add(&ra, type, &g, NULL, 0, NULL, 0), 0);
				wire_report_add_group(&rb, type, &g);
			}
			mcast_report_flush(&ra);
			mcast_report_flush(&rb);
			assert_true(a.n > 1);
			assert_int_equal(a.n, b.n);
			for (unsigned i = 0; i < a.n; i++) {
				assert_int_equal(a.len[i], b.len[i]);
				assert_memory_equal(a.data[i], b.data[i], a.len[i]);
			}
		}
}

/* Checks each packet of k against the checksums computed from its bytes
 * (mcast_ip_finish() on a copy): the builder's sums, kept as it writes,
 * must give the same bytes. */
static void same_as_finished(const struct pkts *k)
{
	static uint8_t copy[1600];
	for (unsigned i = 0; i < k->n; i++) {
		memcpy(copy, k->data[i], k->len[i]);
		mcast_ip_finish(copy, k->len[i]);
		assert_memory_equal(copy, k->data[i], k->len[i]);
		struct mcast_ip_info ip;
		assert_int_equal(mcast_ip_parse(k->data[i], k->len[i], &ip), MCAST_DROP_NONE);
	}
}

/* Random reports of both families (types, groups, 0-150 sources, 0-3 aux
 * words, MTUs from the minimum up) through the builder and its
 * sourceless record: every packet's checksums as if read back. */
static void test_report_sums(void **state)
{
	(void)state;
	static struct pkts k;
	static struct mcast_addr srcs[150];
	static uint8_t big[1600];
	struct mcast_rng rng;
	mcast_rng_seed(&rng, 7);
	for (unsigned round = 0; round < 300; round++) {
		bool v6 = round & 1;
		enum mcast_family f = v6 ? MCAST_AF_INET6 : MCAST_AF_INET;
		struct mcast_addr me = A(v6 ? "fe80::1:10" : "192.168.7.10");
		size_t mtu = (v6 ? 1280 : 576) + mcast_rng_below(&rng, 221);
		struct mcast_report_builder rb;
		memset(&k, 0, sizeof(k));
		assert_int_equal(mcast_report_init(&rb, f, &me, NULL, mtu, big, sizeof(big), pkts_emit, &k), 0);
		unsigned nrec = 1 + (unsigned)mcast_rng_below(&rng, 12);
		for (unsigned r = 0; r < nrec && k.n < 40; r++) {
			struct mcast_addr g = A(v6 ? "ff3e::" : "232.0.0.0");
			for (int b = v6 ? 2 : 13; b < 16; b++)
				g.b[b] = (uint8_t)mcast_rng_below(&rng, 256);
			size_t n = mcast_rng_below(&rng, 4) ? mcast_rng_below(&rng, 20) : mcast_rng_below(&rng, 151);
			for (size_t i = 0; i < n; i++) {
				srcs[i] = A(v6 ? "2001:db8::" : "10.0.0.0");
				for (int b = v6 ? 4 : 13; b < 16; b++)
					srcs[i].b[b] = (uint8_t)mcast_rng_below(&rng, 256);
			}
			uint8_t type = (uint8_t)(MCAST_MODE_IS_INCLUDE + mcast_rng_below(&rng, 6));
			uint8_t aux[12];
			for (int b = 0; b < 12; b++)
				aux[b] = (uint8_t)mcast_rng_below(&rng, 256);
			uint8_t naux = (uint8_t)mcast_rng_below(&rng, 4);
			if (!n && mcast_rng_below(&rng, 2))
				wire_report_add_group(&rb, type, &g);
			else
				assert_int_equal(mcast_report_add(&rb, type, &g, srcs, n, aux, naux), 0);
		}
		mcast_report_flush(&rb);
		assert_true(k.n > 0);
		same_as_finished(&k);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_v1v2_exact),
		cmocka_unit_test(test_query_exact),
		cmocka_unit_test(test_query_split_and_refusals),
		cmocka_unit_test(test_report_exact),
		cmocka_unit_test(test_report_split),
		cmocka_unit_test(test_report_add_group),
		cmocka_unit_test(test_report_sums),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
