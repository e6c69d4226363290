/*
 * mcast-vectors - write every IGMP and MLD message type, built by
 * libmcast's encoders, to a pcap file.
 *
 *   mcast-vectors OUT.pcap
 *
 * The file feeds the tshark cross-check in `make check` (tshark must
 * find no malformed packet and no bad checksum, and decode the same
 * types, records and sources as mcastdump) and the pre-simulator demo.
 * It covers: IGMPv1 query and report; IGMPv2 general and group-specific
 * query, report and leave; IGMPv3 general, group-specific and
 * group-and-source query (S flag, QRV, exponential codes), reports with
 * all six record types and auxiliary data, a report split over the MTU
 * and an EXCLUDE record cut to the MTU; the MLD equivalents.
 */
#include <stdlib.h>
#include <string.h>

#include "tools.h"

static struct pcap_writer w;
static uint64_t ts_us = 1700000000ull * 1000000u;
static unsigned count;

static void emit(void *ctx, const uint8_t *pkt, size_t len)
{
	(void)ctx;
	pcap_writer_put(&w, ts_us, pkt, len);
	ts_us += 1000;
	count++;
}

static struct mcast_addr A(const char *s)
{
	struct mcast_addr a;
	if (mcast_addr_parse(&a, s) < 0) {
		fprintf(stderr, "mcast-vectors: bad address %s\n", s);
		exit(1);
	}
	return a;
}

static uint8_t buf[65535];

static void check(int rc, const char *what)
{
	if (rc < 0) {
		fprintf(stderr, "mcast-vectors: encoding %s failed (%d)\n", what, rc);
		exit(1);
	}
}

static void v1v2(enum mcast_family f, enum mcast_msg_kind k, uint8_t ver, const char *group,
		 const char *src)
{
	struct mcast_addr g = A(group), s = A(src);
	int n = mcast_v1v2_encode(f, k, ver, &g, 0, &s, NULL, buf, sizeof(buf));
	check(n, "v1/v2 message");
	emit(NULL, buf, (size_t)n);
}

static void query(enum mcast_family f, uint8_t ver, const char *group, uint32_t mrt_ms,
		  bool s_flag, uint8_t qrv, uint32_t qqi, const char *const *srcs, size_t n,
		  const char *src, size_t mtu)
{
	struct mcast_addr sv[512];
	for (size_t i = 0; i < n; i++)
		sv[i] = A(srcs[i]);
	struct mcast_query_params q = {
		.family = f, .version = ver, .group = A(group), .max_resp_ms = mrt_ms,
		.s_flag = s_flag, .qrv = qrv, .qqi_s = qqi, .srcs = sv, .nsrcs = n,
	};
	struct mcast_addr s = A(src);
	check(mcast_query_encode(&q, &s, NULL, mtu, buf, sizeof(buf), emit, NULL), "query");
}

/* Sequential sources base+1 .. base+n in the family of base. */
static void seq_sources(struct mcast_addr *out, size_t n, const char *base)
{
	struct mcast_addr b = A(base);
	for (size_t i = 0; i < n; i++) {
		out[i] = b;
		uint32_t v = (uint32_t)(i + 1);
		out[i].b[14] = (uint8_t)(v >> 8);
		out[i].b[15] = (uint8_t)v;
	}
}

static void reports(enum mcast_family f, const char *src, const char *g1, const char *g2,
		    const char *s1, const char *s2, const char *s3, const char *base)
{
	struct mcast_report_builder rb;
	struct mcast_addr s = A(src);
	check(mcast_report_init(&rb, f, &s, NULL, 1500, buf, sizeof(buf), emit, NULL), "report");
	struct mcast_addr a = A(g1), b = A(g2);
	struct mcast_addr two[2] = { A(s1), A(s2) }, three[3] = { A(s1), A(s2), A(s3) };
	static const uint8_t aux[8] = { 0xde, 0xad, 0xbe, 0xef, 1, 2, 3, 4 };
	/* One packet with all six record types, one record with aux data. */
	check(mcast_report_add(&rb, MCAST_MODE_IS_INCLUDE, &a, two, 2, NULL, 0), "IS_IN");
	check(mcast_report_add(&rb, MCAST_MODE_IS_EXCLUDE, &b, NULL, 0, NULL, 0), "IS_EX");
	check(mcast_report_add(&rb, MCAST_CHANGE_TO_INCLUDE, &a, three, 3, NULL, 0), "TO_IN");
	check(mcast_report_add(&rb, MCAST_CHANGE_TO_EXCLUDE, &b, two, 1, NULL, 0), "TO_EX");
	check(mcast_report_add(&rb, MCAST_ALLOW_NEW_SOURCES, &a, three + 2, 1, aux, 2), "ALLOW");
	check(mcast_report_add(&rb, MCAST_BLOCK_OLD_SOURCES, &b, two, 2, NULL, 0), "BLOCK");
	mcast_report_flush(&rb);
	/* Leaving: TO_IN {} alone. */
	check(mcast_report_add(&rb, MCAST_CHANGE_TO_INCLUDE, &a, NULL, 0, NULL, 0), "leave");
	mcast_report_flush(&rb);
	/* An ALLOW too large for one packet: split by sources (RFC 3376 4.2.16). */
	static struct mcast_addr many[700];
	size_t n = f == MCAST_AF_INET ? 700 : 200;
	seq_sources(many, n, base);
	check(mcast_report_add(&rb, MCAST_ALLOW_NEW_SOURCES, &b, many, n, NULL, 0), "split");
	mcast_report_flush(&rb);
	/* A TO_EX too large: one record with the sources that fit. */
	check(mcast_report_add(&rb, MCAST_CHANGE_TO_EXCLUDE, &a, many, n, NULL, 0), "cut");
	mcast_report_flush(&rb);
}

int main(int argc, char **argv)
{
	if (argc != 2 || argv[1][0] == '-') {
		/* An option is never a file name: --help must not become one. */
		bool help = argc == 2 && strcmp(argv[1], "--help") == 0;
		fprintf(help ? stdout : stderr, "usage: mcast-vectors OUT.pcap\n");
		return help ? 0 : 2;
	}
	char err[512];
	if (pcap_writer_open(&w, argv[1], err, sizeof(err)) < 0) {
		fprintf(stderr, "mcast-vectors: %s\n", err);
		return 1;
	}
	const char *v4src[] = { "10.0.0.5", "10.0.0.6", "10.0.0.7" };
	const char *v6src[] = { "2001:db8::5", "2001:db8::6", "2001:db8::7" };
	static const char *v4many[400], *v6many[100];
	static char names[500][48];
	for (int i = 0; i < 400; i++) {
		snprintf(names[i], sizeof(names[i]), "10.1.%d.%d", i / 250, i % 250 + 1);
		v4many[i] = names[i];
	}
	for (int i = 0; i < 100; i++) {
		snprintf(names[400 + i], sizeof(names[0]), "2001:db8::1:%x", i + 1);
		v6many[i] = names[400 + i];
	}

	/* IGMPv1 */
	query(MCAST_AF_INET, 1, "0.0.0.0", 10000, false, 0, 0, NULL, 0, "10.0.0.1", 1500);
	v1v2(MCAST_AF_INET, MCAST_MSG_REPORT, 1, "239.1.1.1", "10.0.0.10");
	/* IGMPv2 */
	query(MCAST_AF_INET, 2, "0.0.0.0", 10000, false, 0, 0, NULL, 0, "10.0.0.1", 1500);
	query(MCAST_AF_INET, 2, "239.1.1.1", 1000, false, 0, 0, NULL, 0, "10.0.0.1", 1500);
	v1v2(MCAST_AF_INET, MCAST_MSG_REPORT, 2, "239.1.1.1", "10.0.0.10");
	v1v2(MCAST_AF_INET, MCAST_MSG_LEAVE, 2, "239.1.1.1", "10.0.0.10");
	/* IGMPv3 queries: general (exponential QQIC), group, group-and-source
	 * with the S flag, and one whose sources need two packets. */
	query(MCAST_AF_INET, 3, "0.0.0.0", 10000, false, 2, 125, NULL, 0, "10.0.0.1", 1500);
	query(MCAST_AF_INET, 3, "239.1.1.1", 1000, false, 2, 125, NULL, 0, "10.0.0.1", 1500);
	query(MCAST_AF_INET, 3, "232.1.1.1", 25600, true, 7, 3000, v4src, 3, "10.0.0.1", 1500);
	query(MCAST_AF_INET, 3, "232.1.1.2", 1000, false, 2, 125, v4many, 400, "10.0.0.1", 1000);
	reports(MCAST_AF_INET, "10.0.0.10", "239.1.1.1", "239.2.2.2", "10.0.0.5", "10.0.0.6",
		"10.0.0.7", "10.9.0.0");
	/* MLDv1 */
	query(MCAST_AF_INET6, 1, "::", 10000, false, 0, 0, NULL, 0, "fe80::1", 1500);
	query(MCAST_AF_INET6, 1, "ff05::9", 1000, false, 0, 0, NULL, 0, "fe80::1", 1500);
	v1v2(MCAST_AF_INET6, MCAST_MSG_REPORT, 1, "ff05::9", "fe80::10");
	v1v2(MCAST_AF_INET6, MCAST_MSG_LEAVE, 1, "ff05::9", "fe80::10");
	/* MLDv2 */
	query(MCAST_AF_INET6, 2, "::", 10000, false, 2, 125, NULL, 0, "fe80::1", 1500);
	query(MCAST_AF_INET6, 2, "ff05::9", 1000, false, 2, 125, NULL, 0, "fe80::1", 1500);
	query(MCAST_AF_INET6, 2, "ff35::1:2", 60000, true, 3, 600, v6src, 3, "fe80::1", 1500);
	query(MCAST_AF_INET6, 2, "ff35::1:3", 1000, false, 2, 125, v6many, 100, "fe80::1", 1280);
	reports(MCAST_AF_INET6, "fe80::10", "ff05::9", "ff35::1:2", "2001:db8::5", "2001:db8::6",
		"2001:db8::7", "2001:db8:9::");
	/* RFC 3590: an MLDv2 report from :: before the link-local address. */
	{
		struct mcast_report_builder rb;
		struct mcast_addr any = A("::"), g = A("ff02::1:ff00:10");
		check(mcast_report_init(&rb, MCAST_AF_INET6, &any, NULL, 1500, buf, sizeof(buf),
					emit, NULL), "report");
		check(mcast_report_add(&rb, MCAST_CHANGE_TO_EXCLUDE, &g, NULL, 0, NULL, 0), "dad");
		mcast_report_flush(&rb);
	}
	pcap_writer_close(&w);
	printf("mcast-vectors: wrote %u packets to %s\n", count, argv[1]);
	return 0;
}
