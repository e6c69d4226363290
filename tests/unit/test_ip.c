/* Unit tests for src/wire/ip.c: framing bytes, checksums, and every
 * malformed header the parser must refuse. */
#include "testutil.h"

/* An 8-byte IGMPv2 report inside an IPv4 header with RA. */
static size_t v4pkt(uint8_t *b)
{
	struct mcast_addr s = A("10.0.0.10"), g = A("239.1.1.1");
	int n = mcast_v1v2_encode(MCAST_AF_INET, MCAST_MSG_REPORT, 2, &g, 0, &s, NULL, b, 100);
	assert_int_equal(n, 32);
	return (size_t)n;
}

static size_t v6pkt(uint8_t *b)
{
	struct mcast_addr s = A("fe80::10"), g = A("ff05::9");
	int n = mcast_v1v2_encode(MCAST_AF_INET6, MCAST_MSG_REPORT, 1, &g, 0, &s, NULL, b, 100);
	assert_int_equal(n, 72);
	return (size_t)n;
}

static void test_build_v4(void **state)
{
	(void)state;
	uint8_t b[64];
	struct mcast_addr s = A("10.0.0.1"), d = A("224.0.0.22");
	assert_int_equal(mcast_ip_build(b, sizeof(b), &s, &d, 8, true), 24);
	uint8_t want[24];
	/* the header's checksum (fa 00) written from the values */
	hex2bin("46 c0 00 20 00 00 40 00 01 02 fa 00 0a 00 00 01 e0 00 00 16 94 04 00 00", want, 24);
	assert_memory_equal(b, want, 24);
	assert_int_equal(mcast_ip_build(b, sizeof(b), &s, &d, 8, false), 20);
	assert_int_equal(b[0], 0x45);
	assert_int_equal(mcast_cksum_fold(mcast_cksum_add(0, b, 20)), 0);
	struct mcast_addr s2 = A("192.168.201.254"), d2 = A("239.255.255.250");
	for (size_t len = 0; len < 70000; len += 997) {
		size_t h = mcast_ip_build(b, sizeof(b), &s2, &d2, len, len & 1);
		if (len > 0xffff - 24) {
			assert_int_equal(h, 0); /* the total length would not fit */
			continue;
		}
		assert_int_equal(h, len & 1 ? 24 : 20);
		assert_int_equal(mcast_cksum_fold(mcast_cksum_add(0, b, h)), 0);
	}
	assert_int_equal(mcast_ip_build(b, 23, &s, &d, 8, true), 0); /* no room */
	assert_int_equal(mcast_ip_header_len(MCAST_AF_INET6, true), 48);
}

static void test_parse_v4(void **state)
{
	(void)state;
	uint8_t b[128];
	struct mcast_ip_info ip;
	size_t n = v4pkt(b);
	assert_int_equal(mcast_ip_parse(b, n, &ip), MCAST_DROP_NONE);
	assert_true(ip.router_alert);
	assert_int_equal(ip.ttl, 1);
	assert_int_equal(ip.tos, 0xc0);
	assert_int_equal(ip.proto, 2);
	assert_int_equal(ip.payload_len, 8);
	assert_addr_equal(&ip.src, "10.0.0.10");
	assert_addr_equal(&ip.dst, "239.1.1.1");
	/* Ethernet padding after the datagram is ignored. */
	memset(b + n, 0xee, 14);
	assert_int_equal(mcast_ip_parse(b, n + 14, &ip), MCAST_DROP_NONE);
	assert_int_equal(ip.payload_len, 8);

	uint8_t c[128];
	memcpy(c, b, n);
	assert_int_equal(mcast_ip_parse(c, 0, &ip), MCAST_DROP_TRUNCATED);
	assert_int_equal(mcast_ip_parse(c, 19, &ip), MCAST_DROP_TRUNCATED);
	assert_int_equal(mcast_ip_parse(c, 22, &ip), MCAST_DROP_TRUNCATED); /* options cut */
	assert_int_equal(mcast_ip_parse(c, n - 1, &ip), MCAST_DROP_TRUNCATED); /* total length */
	c[0] = 0x44; /* IHL 4 */
	assert_int_equal(mcast_ip_parse(c, n, &ip), MCAST_DROP_BAD_IP_HEADER);
	c[0] = 0x56; /* version 5 */
	assert_int_equal(mcast_ip_parse(c, n, &ip), MCAST_DROP_BAD_IP_HEADER);
	memcpy(c, b, n);
	c[3] = 20; /* total length below the header length */
	assert_int_equal(mcast_ip_parse(c, n, &ip), MCAST_DROP_BAD_IP_HEADER);
	memcpy(c, b, n);
	c[8] = 2; /* TTL changed, checksum not */
	assert_int_equal(mcast_ip_parse(c, n, &ip), MCAST_DROP_BAD_IP_CHECKSUM);
	memcpy(c, b, n);
	c[6] = 0x20; /* more fragments */
	mcast_ip_finish(c, n);
	assert_int_equal(mcast_ip_parse(c, n, &ip), MCAST_DROP_FRAGMENT);
	memcpy(c, b, n);
	c[6] = 0x00;
	c[7] = 0x10; /* offset 16*8 */
	mcast_ip_finish(c, n);
	assert_int_equal(mcast_ip_parse(c, n, &ip), MCAST_DROP_FRAGMENT);
	/* Options: NOP then RA with a bad length (2 bytes long, too short to be RA). */
	memcpy(c, b, n);
	hex2bin("01 94 02 00", c + 20, 4);
	mcast_ip_finish(c, n);
	assert_int_equal(mcast_ip_parse(c, n, &ip), MCAST_DROP_NONE);
	assert_false(ip.router_alert);
	hex2bin("01 07 09 00", c + 20, 4); /* length overruns the header */
	mcast_ip_finish(c, n);
	assert_int_equal(mcast_ip_parse(c, n, &ip), MCAST_DROP_BAD_IP_HEADER);
	hex2bin("01 01 01 07", c + 20, 4); /* option type with no length byte */
	mcast_ip_finish(c, n);
	assert_int_equal(mcast_ip_parse(c, n, &ip), MCAST_DROP_BAD_IP_HEADER);
	hex2bin("00 94 04 00", c + 20, 4); /* end of list first: RA ignored */
	mcast_ip_finish(c, n);
	assert_int_equal(mcast_ip_parse(c, n, &ip), MCAST_DROP_NONE);
	assert_false(ip.router_alert);
}

static void test_parse_v6(void **state)
{
	(void)state;
	uint8_t b[160], c[160];
	struct mcast_ip_info ip;
	size_t n = v6pkt(b);
	uint8_t want[48];
	hex2bin("60 00 00 00 00 20 00 01 fe 80 00 00 00 00 00 00 00 00 00 00 00 00 00 10"
		"ff 05 00 00 00 00 00 00 00 00 00 00 00 00 00 09 3a 00 05 02 00 00 01 00",
		want, 48);
	assert_memory_equal(b, want, 48);
	assert_int_equal(mcast_ip_parse(b, n, &ip), MCAST_DROP_NONE);
	assert_true(ip.router_alert);
	assert_int_equal(ip.ra_value, 0);
	assert_int_equal(ip.proto, 58);
	assert_int_equal(ip.payload_len, 24);
	assert_int_equal(ip.ttl, 1);

	memcpy(c, b, n);
	assert_int_equal(mcast_ip_parse(c, 39, &ip), MCAST_DROP_TRUNCATED);
	assert_int_equal(mcast_ip_parse(c, n - 1, &ip), MCAST_DROP_TRUNCATED);
	c[5] = 4; /* payload shorter than the HBH header */
	assert_int_equal(mcast_ip_parse(c, n, &ip), MCAST_DROP_TRUNCATED);
	memcpy(c, b, n);
	c[42] = 0x05;
	c[43] = 0x09; /* RA option length overruns the header */
	assert_int_equal(mcast_ip_parse(c, n, &ip), MCAST_DROP_BAD_IP_HEADER);
	memcpy(c, b, n);
	c[44] = 0x00;
	c[45] = 0x01; /* RA value 1 (RSVP): present but not MLD */
	assert_int_equal(mcast_ip_parse(c, n, &ip), MCAST_DROP_NONE);
	assert_true(ip.router_alert);
	assert_int_equal(ip.ra_value, 1);
	memcpy(c, b, n);
	c[40] = 44; /* HBH then a fragment header */
	assert_int_equal(mcast_ip_parse(c, n, &ip), MCAST_DROP_FRAGMENT);
	memcpy(c, b, n);
	c[40] = 0; /* a second HBH header: only the first may be HBH */
	assert_int_equal(mcast_ip_parse(c, n, &ip), MCAST_DROP_BAD_IP_HEADER);
	memcpy(c, b, n);
	c[40] = 60; /* destination options (the MLD message as its body) */
	c[48] = 58;
	c[49] = 0;
	assert_int_equal(mcast_ip_parse(c, n, &ip), MCAST_DROP_NONE);
	assert_int_equal(ip.proto, 58);
	assert_int_equal(ip.payload_len, 16);
	memcpy(c, b, n);
	c[40] = 17; /* UDP */
	assert_int_equal(mcast_ip_parse(c, n, &ip), MCAST_DROP_NONE);
	assert_int_equal(ip.proto, 17);
	/* No HBH at all. */
	memcpy(c, b, 40);
	memcpy(c + 40, b + 48, 24);
	c[5] = 24;
	c[6] = 58;
	assert_int_equal(mcast_ip_parse(c, 64, &ip), MCAST_DROP_NONE);
	assert_false(ip.router_alert);
}

static void test_checksum(void **state)
{
	(void)state;
	/* RFC 1071 section 3 example: 0001 f203 f4f5 f6f7 sums to ddf2. */
	uint8_t d[8] = { 0x00, 0x01, 0xf2, 0x03, 0xf4, 0xf5, 0xf6, 0xf7 };
	assert_int_equal(mcast_cksum_fold(mcast_cksum_add(0, d, 8)), (uint16_t)~0xddf2);
	/* Odd length pads with a zero byte. */
	uint8_t o[3] = { 0x12, 0x34, 0x56 };
	assert_int_equal(mcast_cksum_fold(mcast_cksum_add(0, o, 3)), (uint16_t)~(0x1234 + 0x5600));
}

/* RFC 1071 word by word, as the definition reads: the reference for the
 * eight-bytes-at-a-time sum. */
static uint16_t ref_cksum(uint32_t sum, const uint8_t *d, size_t len)
{
	uint64_t s = sum;
	for (size_t i = 0; i < len; i += 2)
		s += (uint32_t)(d[i] << 8 | (i + 1 < len ? d[i + 1] : 0));
	while (s >> 16)
		s = (s & 0xffff) + (s >> 16);
	return (uint16_t)~s;
}

static void test_checksum_matches_reference(void **state)
{
	(void)state;
	uint8_t buf[1600];
	uint32_t x = 12345;
	for (size_t i = 0; i < sizeof(buf); i++) {
		x = x * 1103515245u + 12345u;
		buf[i] = (uint8_t)(x >> 16);
	}
	/* every length up to 70 at every alignment, then long ones, with and
	 * without a sum carried in (a pseudo-header's) */
	for (size_t off = 0; off < 8; off++)
		for (size_t len = 0; len < 70; len++)
			for (uint32_t sum = 0; sum < 0x30000; sum += 0x17fff) {
				uint16_t want = ref_cksum(sum, buf + off, len);
				assert_int_equal(mcast_cksum_fold(mcast_cksum_add(sum, buf + off, len)), want);
			}
	for (size_t len = 1400; len < 1600; len += 7)
		assert_int_equal(mcast_cksum_fold(mcast_cksum_add(0, buf + 3, len)), ref_cksum(0, buf + 3, len));
	/* all ones: every addition carries */
	memset(buf, 0xff, sizeof(buf));
	assert_int_equal(mcast_cksum_fold(mcast_cksum_add(0xffffffffu, buf, 1501)), ref_cksum(0xffffffffu, buf, 1501));
	assert_int_equal(mcast_cksum_fold(mcast_cksum_add(0, buf, 1500)), ref_cksum(0, buf, 1500));
	/* a datagram whose checksum field holds its sum checks to zero */
	uint8_t p[40];
	memcpy(p, buf, sizeof(p));
	p[2] = p[3] = 0;
	uint16_t c = mcast_cksum_fold(mcast_cksum_add(0, p, sizeof(p)));
	p[2] = (uint8_t)(c >> 8);
	p[3] = (uint8_t)c;
	assert_int_equal(mcast_cksum_fold(mcast_cksum_add(0, p, sizeof(p))), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_build_v4),
		cmocka_unit_test(test_parse_v4),
		cmocka_unit_test(test_parse_v6),
		cmocka_unit_test(test_checksum),
		cmocka_unit_test(test_checksum_matches_reference),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
