/* Unit tests for src/wire/msg.c: decoding every message type from the
 * hand-checked vectors, and every drop reason. */
#include "testutil.h"
#include "vectors.h"

static struct msgbuf mb;
static uint8_t pkt[2048];
static size_t plen;

static enum mcast_drop dec_hex(const char *hex)
{
	plen = hex2bin(hex, pkt, sizeof(pkt));
	return mcast_msg_decode_packet(msgbuf_init(&mb), pkt, plen, NULL, NULL);
}

static enum mcast_drop dec(void)
{
	return mcast_msg_decode_packet(msgbuf_init(&mb), pkt, plen, NULL, NULL);
}

/* Builds a datagram from a message body; fixes checksums. */
static void build(const char *src, const char *dst, const char *body, bool ra)
{
	uint8_t m[1500];
	size_t n = hex2bin(body, m, sizeof(m));
	struct mcast_addr s = A(src), d = A(dst);
	size_t h = mcast_ip_build(pkt, sizeof(pkt), &s, &d, n, ra);
	assert_true(h > 0);
	memcpy(pkt + h, m, n);
	plen = h + n;
	mcast_ip_finish(pkt, plen);
}

static void test_decode_v1_v2(void **state)
{
	(void)state;
	struct mcast_msg *m = &mb.m;
	assert_int_equal(dec_hex(VEC_IGMPV1_QUERY), MCAST_DROP_NONE);
	assert_int_equal(m->kind, MCAST_MSG_QUERY);
	assert_int_equal(m->version, 1);
	assert_int_equal(m->max_resp_ms, 10000); /* RFC 2236 4 */
	assert_addr_equal(&m->group, "0.0.0.0");
	assert_string_equal(mcast_msg_name(m), "IGMPv1 query");

	assert_int_equal(dec_hex(VEC_IGMPV1_REPORT), MCAST_DROP_NONE);
	assert_int_equal(m->kind, MCAST_MSG_REPORT);
	assert_int_equal(m->version, 1);
	assert_addr_equal(&m->group, "239.1.1.1");

	assert_int_equal(dec_hex(VEC_IGMPV2_QUERY), MCAST_DROP_NONE);
	assert_int_equal(m->version, 2);
	assert_int_equal(m->max_resp_ms, 10000);
	assert_int_equal(dec_hex(VEC_IGMPV2_GSQ), MCAST_DROP_NONE);
	assert_int_equal(m->max_resp_ms, 1000);
	assert_addr_equal(&m->group, "239.1.1.1");
	assert_int_equal(dec_hex(VEC_IGMPV2_REPORT), MCAST_DROP_NONE);
	assert_string_equal(mcast_msg_name(m), "IGMPv2 report");
	assert_int_equal(dec_hex(VEC_IGMPV2_LEAVE), MCAST_DROP_NONE);
	assert_int_equal(m->kind, MCAST_MSG_LEAVE);
	assert_addr_equal(&m->group, "239.1.1.1");

	assert_int_equal(dec_hex(VEC_MLDV1_QUERY), MCAST_DROP_NONE);
	assert_int_equal(m->family, MCAST_AF_INET6);
	assert_int_equal(m->version, 1);
	assert_int_equal(m->max_resp_ms, 10000);
	assert_addr_equal(&m->group, "::");
	assert_int_equal(dec_hex(VEC_MLDV1_REPORT), MCAST_DROP_NONE);
	assert_string_equal(mcast_msg_name(m), "MLDv1 report");
	assert_addr_equal(&m->group, "ff05::9");
	assert_int_equal(dec_hex(VEC_MLDV1_DONE), MCAST_DROP_NONE);
	assert_string_equal(mcast_msg_name(m), "MLDv1 done");
}

static void test_decode_v3(void **state)
{
	(void)state;
	struct mcast_msg *m = &mb.m;
	assert_int_equal(dec_hex(VEC_IGMPV3_GSSQ), MCAST_DROP_NONE);
	assert_int_equal(m->version, 3);
	assert_int_equal(m->max_resp_code, 0x90);
	assert_int_equal(m->max_resp_ms, 25600);
	assert_true(m->s_flag);
	assert_int_equal(m->qrv, 2);
	assert_int_equal(m->qqi_s, 125);
	assert_int_equal(m->nsrcs, 2);
	assert_addr_equal(&m->srcs[0], "10.0.0.5");
	assert_addr_equal(&m->srcs[1], "10.0.0.6");

	assert_int_equal(dec_hex(VEC_IGMPV3_REPORT), MCAST_DROP_NONE);
	assert_int_equal(m->kind, MCAST_MSG_V3_REPORT);
	assert_int_equal(m->nrecs, 2);
	assert_int_equal(m->recs[0].type, MCAST_CHANGE_TO_EXCLUDE);
	assert_int_equal(m->recs[0].nsrcs, 0);
	assert_addr_equal(&m->recs[0].group, "239.1.1.1");
	assert_int_equal(m->recs[1].type, MCAST_ALLOW_NEW_SOURCES);
	assert_int_equal(m->recs[1].nsrcs, 2);
	assert_addr_equal(&m->srcs[m->recs[1].src_index + 1], "10.0.0.6");

	assert_int_equal(dec_hex(VEC_MLDV2_GSSQ), MCAST_DROP_NONE);
	assert_int_equal(m->version, 2);
	assert_int_equal(m->max_resp_ms, 60000);
	assert_false(m->s_flag);
	assert_int_equal(m->nsrcs, 1);
	assert_addr_equal(&m->srcs[0], "2001:db8::1");
	assert_int_equal(dec_hex(VEC_MLDV2_REPORT), MCAST_DROP_NONE);
	assert_int_equal(m->nrecs, 1);
	assert_int_equal(m->recs[0].type, MCAST_MODE_IS_INCLUDE);
	assert_addr_equal(&m->recs[0].group, "ff35::1:2");
}

/* RFC 3376 4.2.12: a record of unknown type is skipped, the rest kept;
 * auxiliary data is carried. */
static void test_unknown_record_and_aux(void **state)
{
	(void)state;
	build("10.0.0.10", "224.0.0.22",
	      "22 00 00 00 00 00 00 03"
	      "09 00 00 01 ef 01 01 01 0a 00 00 05"          /* type 9: unknown */
	      "05 01 00 01 ef 01 01 02 0a 00 00 06 de ad be ef" /* ALLOW, 1 aux word */
	      "00 00 00 00 ef 01 01 03",                     /* type 0: unknown */
	      true);
	struct mcast_msg *m = &mb.m;
	assert_int_equal(dec(), MCAST_DROP_NONE);
	assert_int_equal(m->nrecs_wire, 3);
	assert_int_equal(m->nrecs, 1);
	assert_int_equal(m->skipped_recs, 2);
	assert_addr_equal(&m->recs[0].group, "239.1.1.2");
	assert_int_equal(m->recs[0].aux_words, 1);
	assert_memory_equal(m->recs[0].aux, "\xde\xad\xbe\xef", 4);
	assert_int_equal(m->nsrcs, 1);
	assert_addr_equal(&m->srcs[0], "10.0.0.6");
}

static void test_drop_framing(void **state)
{
	(void)state;
	/* truncated: an IGMP message of 7 bytes */
	build("10.0.0.10", "239.1.1.1", "16 00 00 00 ef 01 01", true);
	assert_int_equal(dec(), MCAST_DROP_TRUNCATED);
	build("fe80::10", "ff05::9", "83 00 00 00 00 00 00 00 ff 05", true);
	assert_int_equal(dec(), MCAST_DROP_TRUNCATED);
	/* An 8-byte query with code 0 is IGMPv1, general whatever its group. */
	build("10.0.0.1", "224.0.0.1", "11 00 00 00 ef 01 01 01", false);
	assert_int_equal(dec(), MCAST_DROP_NONE);
	assert_int_equal(mb.m.version, 1);
	assert_addr_equal(&mb.m.group, "0.0.0.0");
	/* not IGMP or MLD: DVMRP (0x13), ICMPv6 echo, UDP */
	build("10.0.0.10", "224.0.0.4", "13 00 00 00 00 00 00 00", true);
	assert_int_equal(dec(), MCAST_DROP_NOT_IGMP_MLD);
	build("fe80::10", "ff02::1", "80 00 00 00 00 01 00 01", true);
	assert_int_equal(dec(), MCAST_DROP_NOT_IGMP_MLD);
	dec_hex(VEC_IGMPV2_REPORT);
	pkt[9] = 17;
	mcast_ip_finish(pkt, plen);
	assert_int_equal(dec(), MCAST_DROP_NOT_IGMP_MLD);
	/* bad checksum: one payload bit flipped in each family */
	dec_hex(VEC_IGMPV2_REPORT);
	pkt[31] ^= 1;
	assert_int_equal(dec(), MCAST_DROP_BAD_CHECKSUM);
	dec_hex(VEC_MLDV1_REPORT);
	pkt[71] ^= 1;
	assert_int_equal(dec(), MCAST_DROP_BAD_CHECKSUM);
	/* bad IP header checksum, fragment */
	dec_hex(VEC_IGMPV2_REPORT);
	pkt[15] ^= 1;
	assert_int_equal(dec(), MCAST_DROP_BAD_IP_CHECKSUM);
	/* bad length: RFC 3376 7.1 (10-byte query), RFC 3810 8.1 (26-byte query) */
	build("10.0.0.1", "224.0.0.1", "11 64 00 00 00 00 00 00 00 00", true);
	assert_int_equal(dec(), MCAST_DROP_BAD_LENGTH);
	build("fe80::1", "ff02::1",
	      "82 00 00 00 27 10 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00", true);
	assert_int_equal(dec(), MCAST_DROP_BAD_LENGTH);
}

static void test_drop_ttl_and_router_alert(void **state)
{
	(void)state;
	dec_hex(VEC_IGMPV3_REPORT);
	pkt[8] = 2;
	mcast_ip_finish(pkt, plen);
	assert_int_equal(dec(), MCAST_DROP_BAD_TTL);
	dec_hex(VEC_MLDV2_REPORT);
	pkt[7] = 255;
	assert_int_equal(dec(), MCAST_DROP_BAD_TTL);
	/* The policy can relax the TTL check. */
	struct mcast_wire_policy pol;
	mcast_wire_policy_default(&pol);
	pol.require_ttl1 = false;
	assert_int_equal(mcast_msg_decode_packet(msgbuf_init(&mb), pkt, plen, &pol, NULL),
			 MCAST_DROP_NONE);

	/* IGMPv3 without RA: dropped by default, accepted when relaxed. */
	build("10.0.0.10", "224.0.0.22", "22 00 00 00 00 00 00 01 04 00 00 00 ef 01 01 01", false);
	assert_int_equal(dec(), MCAST_DROP_NO_ROUTER_ALERT);
	pol.require_ra_igmpv3 = false;
	assert_int_equal(mcast_msg_decode_packet(msgbuf_init(&mb), pkt, plen, &pol, NULL),
			 MCAST_DROP_NONE);
	/* IGMPv1 and v2 without RA: accepted (RFC 1112 hosts never set it). */
	assert_int_equal(dec_hex(VEC_IGMPV1_REPORT), MCAST_DROP_NONE);
	build("10.0.0.10", "239.1.1.1", "16 00 00 00 ef 01 01 01", false);
	assert_int_equal(dec(), MCAST_DROP_NONE);
	/* MLD without HBH, and with RA value 1 (not MLD): dropped. */
	build("fe80::10", "ff05::9", "83 00 00 00 00 00 00 00" FF05_9, false);
	assert_int_equal(dec(), MCAST_DROP_NO_ROUTER_ALERT);
	dec_hex(VEC_MLDV1_REPORT);
	pkt[45] = 1;
	assert_int_equal(dec(), MCAST_DROP_NO_ROUTER_ALERT);
}

static void test_drop_source(void **state)
{
	(void)state;
	build("224.0.0.5", "239.1.1.1", "16 00 00 00 ef 01 01 01", true);
	assert_int_equal(dec(), MCAST_DROP_BAD_SOURCE);
	build("255.255.255.255", "239.1.1.1", "16 00 00 00 ef 01 01 01", true);
	assert_int_equal(dec(), MCAST_DROP_BAD_SOURCE);
	/* loopback and the rest of 0/8 never come from a wire (RFC 1122 3.2.1.3) */
	build("127.0.0.1", "239.1.1.1", "16 00 00 00 ef 01 01 01", true);
	assert_int_equal(dec(), MCAST_DROP_BAD_SOURCE);
	build("0.0.0.7", "224.0.0.22", "22 00 00 00 00 00 00 01 04 00 00 00 ef 01 01 01", true);
	assert_int_equal(dec(), MCAST_DROP_BAD_SOURCE);
	/* RFC 3376 4.2.13: reports from 0.0.0.0 are accepted. */
	build("0.0.0.0", "224.0.0.22", "22 00 00 00 00 00 00 01 04 00 00 00 ef 01 01 01", true);
	assert_int_equal(dec(), MCAST_DROP_NONE);
	/* RFC 3810 5.1.14: queries from a global or unspecified address. */
	build("2001:db8::1", "ff02::1",
	      "82 00 00 00 27 10 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00", true);
	assert_int_equal(dec(), MCAST_DROP_BAD_SOURCE);
	build("::", "ff02::1",
	      "82 00 00 00 27 10 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00", true);
	assert_int_equal(dec(), MCAST_DROP_BAD_SOURCE);
	/* RFC 3590: reports and dones from :: are accepted, from a global not. */
	build("::", "ff02::16", "8f 00 00 00 00 00 00 01 04 00 00 00" FF05_9, true);
	assert_int_equal(dec(), MCAST_DROP_NONE);
	build("2001:db8::10", "ff02::16", "8f 00 00 00 00 00 00 01 04 00 00 00" FF05_9, true);
	assert_int_equal(dec(), MCAST_DROP_BAD_SOURCE);
	build("::", "ff02::2", "84 00 00 00 00 00 00 00" FF05_9, true);
	assert_int_equal(dec(), MCAST_DROP_NONE);
}

static void test_drop_destination_and_group(void **state)
{
	(void)state;
	/* v3 report to all-systems, v2 report to another group, general
	 * query to a group, leave to all-systems, MLDv2 report to ff02::1 */
	build("10.0.0.10", "224.0.0.1", "22 00 00 00 00 00 00 01 04 00 00 00 ef 01 01 01", true);
	assert_int_equal(dec(), MCAST_DROP_BAD_DESTINATION);
	build("10.0.0.10", "239.9.9.9", "16 00 00 00 ef 01 01 01", true);
	assert_int_equal(dec(), MCAST_DROP_BAD_DESTINATION);
	build("10.0.0.1", "239.1.1.1", "11 64 00 00 00 00 00 00", true);
	assert_int_equal(dec(), MCAST_DROP_BAD_DESTINATION);
	build("10.0.0.10", "224.0.0.1", "17 00 00 00 ef 01 01 01", true);
	assert_int_equal(dec(), MCAST_DROP_BAD_DESTINATION);
	build("fe80::10", "ff02::1", "8f 00 00 00 00 00 00 01 04 00 00 00" FF05_9, true);
	assert_int_equal(dec(), MCAST_DROP_BAD_DESTINATION);
	/* A unicast destination is accepted for v1/v2 reports (RFC 3376
	 * 4.2.14, RFC 3810 5.2.14) and queries (4.1.12, 5.1.15); the stack
	 * decides whether it is ours. A group-specific query to all-hosts too. */
	build("10.0.0.10", "10.0.0.1", "16 00 00 00 ef 01 01 01", true);
	assert_int_equal(dec(), MCAST_DROP_NONE);
	build("10.0.0.10", "10.0.0.1", "12 00 00 00 ef 01 01 01", true);
	assert_int_equal(dec(), MCAST_DROP_NONE);
	build("10.0.0.1", "10.0.0.10", "11 64 00 00 00 00 00 00", true);
	assert_int_equal(dec(), MCAST_DROP_NONE);
	build("fe80::10", "fe80::1", "83 00 00 00 00 00 00 00" FF05_9, true);
	assert_int_equal(dec(), MCAST_DROP_NONE);
	/* ...but not for what the RFCs send only to a group: v3 and MLDv2
	 * reports, leaves and dones; nor a loopback or broadcast one. */
	build("10.0.0.10", "10.0.0.1", "22 00 00 00 00 00 00 01 04 00 00 00 ef 01 01 01", true);
	assert_int_equal(dec(), MCAST_DROP_BAD_DESTINATION);
	build("10.0.0.10", "10.0.0.1", "17 00 00 00 ef 01 01 01", true);
	assert_int_equal(dec(), MCAST_DROP_BAD_DESTINATION);
	build("fe80::10", "fe80::1", "8f 00 00 00 00 00 00 01 04 00 00 00" FF05_9, true);
	assert_int_equal(dec(), MCAST_DROP_BAD_DESTINATION);
	build("fe80::10", "2001:db8::1", "84 00 00 00 00 00 00 00" FF05_9, true);
	assert_int_equal(dec(), MCAST_DROP_BAD_DESTINATION);
	build("10.0.0.10", "127.0.0.1", "16 00 00 00 ef 01 01 01", true);
	assert_int_equal(dec(), MCAST_DROP_BAD_DESTINATION);
	build("10.0.0.10", "255.255.255.255", "16 00 00 00 ef 01 01 01", true);
	assert_int_equal(dec(), MCAST_DROP_BAD_DESTINATION);
	build("10.0.0.1", "224.0.0.1", "11 0a 00 00 ef 01 01 01", true);
	assert_int_equal(dec(), MCAST_DROP_NONE);
	/* The leave from early RFC 2236 drafts, sent to the group. */
	build("10.0.0.10", "239.1.1.1", "17 00 00 00 ef 01 01 01", true);
	assert_int_equal(dec(), MCAST_DROP_NONE);

	/* Group field not multicast: report, query, v3 record; and a
	 * general query carrying sources. */
	build("10.0.0.10", "10.0.0.1", "16 00 00 00 0a 00 00 07", true);
	assert_int_equal(dec(), MCAST_DROP_BAD_GROUP);
	build("10.0.0.1", "224.0.0.1", "11 0a 00 00 0a 00 00 07", true);
	assert_int_equal(dec(), MCAST_DROP_BAD_GROUP);
	build("10.0.0.10", "224.0.0.22", "22 00 00 00 00 00 00 01 04 00 00 00 0a 01 01 01", true);
	assert_int_equal(dec(), MCAST_DROP_BAD_GROUP);
	build("10.0.0.1", "224.0.0.1", "11 64 00 00 00 00 00 00 02 7d 00 01 0a 00 00 05", true);
	assert_int_equal(dec(), MCAST_DROP_BAD_GROUP);

	/* IPv4-mapped addresses in MLD (RFC 4291 2.5.5.2: never on the
	 * wire) would read as IPv4 ones: as the group of an MLDv1 query, of
	 * an MLDv2 query and of an MLDv2 record (fuzz_msg_decode found the
	 * first), and in the IPv6 header. */
#define V4MAPPED_239 "00000000 00000000 0000ffff effffffe"
	build("fe80::1", "ff02::1", "82 00 00 00 03 e8 00 00" V4MAPPED_239, true);
	assert_int_equal(dec(), MCAST_DROP_BAD_GROUP);
	build("fe80::1", "ff02::1", "82 00 00 00 03 e8 00 00" V4MAPPED_239 "02 7d 00 00", true);
	assert_int_equal(dec(), MCAST_DROP_BAD_GROUP);
	build("fe80::10", "ff0e::1", "83 00 00 00 00 00 00 00" V4MAPPED_239, true); /* MLDv1 report */
	assert_int_equal(dec(), MCAST_DROP_BAD_GROUP);
	build("fe80::10", "ff02::2", "84 00 00 00 00 00 00 00" V4MAPPED_239, true); /* done */
	assert_int_equal(dec(), MCAST_DROP_BAD_GROUP);
	build("fe80::10", "ff02::16", "8f 00 00 00 00 00 00 01 04 00 00 00" V4MAPPED_239, true);
	assert_int_equal(dec(), MCAST_DROP_BAD_GROUP);
	build("fe80::10", "ff02::16", "8f 00 00 00 00 00 00 01 04 00 00 00" FF05_9, true);
	assert_int_equal(dec(), MCAST_DROP_NONE);
	static const uint8_t mapped[16] = { [10] = 0xff, [11] = 0xff, 10, 0, 0, 1 };
	memcpy(pkt + 8, mapped, 16); /* the source */
	mcast_ip_finish(pkt, plen);
	assert_int_equal(dec(), MCAST_DROP_BAD_SOURCE);
	build("fe80::10", "ff02::16", "8f 00 00 00 00 00 00 01 04 00 00 00" FF05_9, true);
	memcpy(pkt + 24, mapped, 16); /* the destination */
	mcast_ip_finish(pkt, plen);
	assert_int_equal(dec(), MCAST_DROP_BAD_DESTINATION);
}

static void test_drop_counts(void **state)
{
	(void)state;
	/* Query: 3 sources claimed, 2 present. */
	build("10.0.0.1", "232.1.1.1", "11 0a 00 00 e8 01 01 01 02 7d 00 03 0a 00 00 05 0a 00 00 06",
	      true);
	assert_int_equal(dec(), MCAST_DROP_SOURCE_OVERRUN);
	/* Absurd count: 65535 sources in a 12-byte query. */
	build("10.0.0.1", "232.1.1.1", "11 0a 00 00 e8 01 01 01 02 7d ff ff", true);
	assert_int_equal(dec(), MCAST_DROP_SOURCE_OVERRUN);
	/* Report: record claims 2 sources, has 1. */
	build("10.0.0.10", "224.0.0.22", "22 00 00 00 00 00 00 01 05 00 00 02 ef 01 01 01 0a 00 00 05",
	      true);
	assert_int_equal(dec(), MCAST_DROP_SOURCE_OVERRUN);
	/* Report: 2 records claimed, 1 present. */
	build("10.0.0.10", "224.0.0.22", "22 00 00 00 00 00 00 02 04 00 00 00 ef 01 01 01", true);
	assert_int_equal(dec(), MCAST_DROP_SOURCE_OVERRUN);
	/* Report: auxiliary data overruns. */
	build("10.0.0.10", "224.0.0.22", "22 00 00 00 00 00 00 01 04 02 00 00 ef 01 01 01 00 00 00 00",
	      true);
	assert_int_equal(dec(), MCAST_DROP_SOURCE_OVERRUN);
	/* MLDv2 query with a source count past the end. */
	build("fe80::1", "ff35::1:2", "82 00 00 00 27 10 00 00" FF35_1_2 "02 7d 00 02"
	      "20 01 0d b8 00 00 00 00 00 00 00 00 00 00 00 01", true);
	assert_int_equal(dec(), MCAST_DROP_SOURCE_OVERRUN);

	/* The caller's buffers bound what is accepted. */
	plen = hex2bin(VEC_IGMPV3_GSSQ, pkt, sizeof(pkt));
	struct mcast_msg *m = msgbuf_init(&mb);
	m->srcs_cap = 1;
	assert_int_equal(mcast_msg_decode_packet(m, pkt, plen, NULL, NULL), MCAST_DROP_TOO_MANY);
	plen = hex2bin(VEC_IGMPV3_REPORT, pkt, sizeof(pkt));
	m = msgbuf_init(&mb);
	m->recs_cap = 1;
	assert_int_equal(mcast_msg_decode_packet(m, pkt, plen, NULL, NULL), MCAST_DROP_TOO_MANY);
	m = msgbuf_init(&mb);
	m->srcs = NULL; /* no source buffer at all */
	assert_int_equal(mcast_msg_decode_packet(m, pkt, plen, NULL, NULL), MCAST_DROP_TOO_MANY);
}

static void test_names(void **state)
{
	(void)state;
	assert_string_equal(mcast_drop_name(MCAST_DROP_SOURCE_OVERRUN), "source_overrun");
	assert_string_equal(mcast_drop_name(MCAST_DROP__COUNT), "unknown");
	for (int i = 0; i < MCAST_DROP__COUNT; i++)
		assert_non_null(mcast_drop_name((enum mcast_drop)i));
	assert_string_equal(mcast_rec_type_name(MCAST_BLOCK_OLD_SOURCES), "BLOCK");
	assert_null(mcast_rec_type_name(7));
	assert_null(mcast_rec_type_name(0));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_decode_v1_v2),
		cmocka_unit_test(test_decode_v3),
		cmocka_unit_test(test_unknown_record_and_aux),
		cmocka_unit_test(test_drop_framing),
		cmocka_unit_test(test_drop_ttl_and_router_alert),
		cmocka_unit_test(test_drop_source),
		cmocka_unit_test(test_drop_destination_and_group),
		cmocka_unit_test(test_drop_counts),
		cmocka_unit_test(test_names),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
