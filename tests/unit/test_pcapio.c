/* Unit tests for src/tools/pcapio.c, on the real Linux captures in
 * tests/data (made by tests/data/make-captures.sh in namespaces): they
 * must decode without a single rejection, to exactly the records the
 * kernel was asked to produce. */
#include "testutil.h"
#include "tools.h"

static struct msgbuf mb;

/* Decodes every IGMP/MLD frame of a capture; writes "NAME: REC..." lines. */
static unsigned decode_file(const char *name, char lines[][160], unsigned max, enum mcast_family family)
{
	char path[512], err[256];
	const char *dir = getenv("MCAST_TEST_DATA");
	snprintf(path, sizeof(path), "%s/%s", dir ? dir : "tests/data", name);
	struct pcap_reader r;
	if (pcap_reader_open(&r, path, err, sizeof(err)) != 0)
		fail_msg("%s", err);
	struct pcap_frame f;
	unsigned n = 0;
	while (pcap_reader_next(&r, &f) == 1) {
		if (!f.ip)
			continue;
		struct mcast_ip_info ip;
		if (mcast_ip_parse(f.ip, f.ip_len, &ip) != MCAST_DROP_NONE)
			fail_msg("frame %lu: IP header rejected", r.frames);
		if (ip.proto != MCAST_IPPROTO_IGMP && ip.proto != MCAST_IPPROTO_ICMPV6)
			continue;
		struct mcast_msg *m = msgbuf_init(&mb);
		enum mcast_drop why = mcast_msg_decode(m, &ip, NULL);
		if (why == MCAST_DROP_NOT_IGMP_MLD)
			continue; /* neighbour discovery */
		if (why != MCAST_DROP_NONE)
			fail_msg("%s frame %lu rejected: %s", name, r.frames, mcast_drop_name(why));
		if (m->family != family || n >= max)
			continue;
		FILE *s = fmemopen(lines[n], 160, "w");
		format_msg_text(s, m);
		fclose(s);
		n++;
	}
	pcap_reader_close(&r);
	return n;
}

static void test_linux_igmpv3(void **state)
{
	(void)state;
	char l[32][160];
	unsigned n = decode_file("linux-igmpv3.pcap", l, 32, MCAST_AF_INET);
	/* Each state change is sent twice (robustness variable 2). */
	const char *want[] = {
		"IGMPv3 report: TO_EX 239.1.1.1 {}",
		"IGMPv3 report: TO_EX 239.1.1.1 {}",
		"IGMPv3 report: ALLOW 232.1.1.1 {10.99.0.5 10.99.0.6}",
		"IGMPv3 report: ALLOW 232.1.1.1 {10.99.0.5 10.99.0.6}",
		"IGMPv3 report: BLOCK 239.1.1.1 {10.99.0.7}",
		"IGMPv3 report: BLOCK 239.1.1.1 {10.99.0.7}",
		"IGMPv3 report: BLOCK 232.1.1.1 {10.99.0.5}",
		"IGMPv3 report: BLOCK 232.1.1.1 {10.99.0.5}",
		"IGMPv3 report: TO_IN 239.1.1.1 {}",
		"IGMPv3 report: TO_IN 239.1.1.1 {}",
	};
	assert_int_equal(n, 10);
	for (unsigned i = 0; i < n; i++)
		assert_string_equal(l[i], want[i]);
}

static void test_linux_igmpv2_mldv1(void **state)
{
	(void)state;
	char l[32][160];
	unsigned n = decode_file("linux-igmpv2.pcap", l, 32, MCAST_AF_INET);
	assert_int_equal(n, 2);
	assert_string_equal(l[0], "IGMPv2 report 239.2.2.2");
	assert_string_equal(l[1], "IGMPv2 leave 239.2.2.2");
	n = decode_file("linux-mldv1.pcap", l, 32, MCAST_AF_INET6);
	unsigned reports = 0, dones = 0;
	for (unsigned i = 0; i < n; i++) {
		reports += strcmp(l[i], "MLDv1 report ff05::9") == 0;
		dones += strcmp(l[i], "MLDv1 done ff05::9") == 0;
	}
	assert_int_equal(reports, 1);
	assert_int_equal(dones, 1);
}

static void test_linux_mldv2(void **state)
{
	(void)state;
	char l[64][160];
	unsigned n = decode_file("linux-mldv2.pcap", l, 64, MCAST_AF_INET6);
	unsigned seen = 0;
	for (unsigned i = 0; i < n; i++) {
		seen += strcmp(l[i], "MLDv2 report: TO_EX ff05::9 {}") == 0;
		seen += strcmp(l[i], "MLDv2 report: ALLOW ff35::1:2 {2001:db8::1 2001:db8::2}") == 0;
		seen += strcmp(l[i], "MLDv2 report: BLOCK ff05::9 {2001:db8::7 2001:db8::8}") == 0;
		seen += strcmp(l[i], "MLDv2 report: TO_IN ff05::9 {}") == 0;
	}
	assert_int_equal(seen, 8);
}

static void test_write_read_roundtrip(void **state)
{
	(void)state;
	char path[] = "/tmp/mcast-test-XXXXXX";
	int fd = mkstemp(path);
	assert_true(fd >= 0);
	close(fd);
	struct pcap_writer w;
	char err[256];
	assert_int_equal(pcap_writer_open(&w, path, err, sizeof(err)), 0);
	uint8_t b[128];
	struct mcast_addr g = A("ff05::9"), s = A("fe80::10");
	int len = mcast_v1v2_encode(MCAST_AF_INET6, MCAST_MSG_REPORT, 1, &g, 0, &s, NULL, b, sizeof(b));
	pcap_writer_put(&w, 5000123, b, (size_t)len);
	pcap_writer_close(&w);
	struct pcap_reader r;
	assert_int_equal(pcap_reader_open(&r, path, err, sizeof(err)), 0);
	assert_int_equal(r.linktype, DLT_EN10MB);
	struct pcap_frame f;
	assert_int_equal(pcap_reader_next(&r, &f), 1);
	assert_int_equal(f.ts_us, 5000123);
	assert_int_equal(f.ip_len, (size_t)len);
	assert_memory_equal(f.ip, b, (size_t)len);
	assert_int_equal(pcap_reader_next(&r, &f), 0);
	pcap_reader_close(&r);
	unlink(path);
	assert_int_equal(pcap_reader_open(&r, "/nonexistent.pcap", err, sizeof(err)), -1);
	assert_non_null(strstr(err, "/nonexistent.pcap"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_linux_igmpv3),
		cmocka_unit_test(test_linux_igmpv2_mldv1),
		cmocka_unit_test(test_linux_mldv2),
		cmocka_unit_test(test_write_read_roundtrip),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
