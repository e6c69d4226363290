/*
 * Hand-checked packets, one per message type, field by field against
 * RFC 1112, 2236, 3376 (IGMP) and RFC 2710, 3810 (MLD); checksums
 * checked independently with tshark. Used by test_msg.c (decode) and
 * test_encode.c (byte-exact encode).
 */
#ifndef MCAST_TEST_VECTORS_H
#define MCAST_TEST_VECTORS_H

/* IPv4: 45|46 (IHL 5 or 6 with RA), TOS c0, DF, TTL 1, proto 2, RA 94040000. */
#define VEC_IGMPV1_QUERY /* general, code 0, no RA (RFC 1112) */            \
	"45 c0 00 1c 00 00 40 00 01 02 8f 1e 0a 00 00 01 e0 00 00 01"      \
	"11 00 ee ff 00 00 00 00"
#define VEC_IGMPV1_REPORT /* 239.1.1.1 from 10.0.0.10, to the group */     \
	"45 c0 00 1c 00 00 40 00 01 02 7f 14 0a 00 00 0a ef 01 01 01"      \
	"12 00 fd fc ef 01 01 01"
#define VEC_IGMPV2_QUERY /* general, max resp 100 = 10 s */                \
	"46 c0 00 20 00 00 40 00 01 02 fa 15 0a 00 00 01 e0 00 00 01 94 04 00 00" \
	"11 64 ee 9b 00 00 00 00"
#define VEC_IGMPV2_GSQ /* 239.1.1.1, max resp 10 = 1 s, to the group */    \
	"46 c0 00 20 00 00 40 00 01 02 ea 14 0a 00 00 01 ef 01 01 01 94 04 00 00" \
	"11 0a fe f2 ef 01 01 01"
#define VEC_IGMPV2_REPORT                                                  \
	"46 c0 00 20 00 00 40 00 01 02 ea 0b 0a 00 00 0a ef 01 01 01 94 04 00 00" \
	"16 00 f9 fc ef 01 01 01"
#define VEC_IGMPV2_LEAVE /* to 224.0.0.2 */                                \
	"46 c0 00 20 00 00 40 00 01 02 fa 0b 0a 00 00 0a e0 00 00 02 94 04 00 00" \
	"17 00 f8 fc ef 01 01 01"
/* IGMPv3 group-and-source query 232.1.1.1: max resp code 0x90 (256 =
 * 25.6 s), S=1 QRV=2 (0x0a), QQIC 125, 2 sources. */
#define VEC_IGMPV3_GSSQ                                                    \
	"46 c0 00 2c 00 00 40 00 01 02 f1 08 0a 00 00 01 e8 01 01 01 94 04 00 00" \
	"11 90 e6 e2 e8 01 01 01 0a 7d 00 02 0a 00 00 05 0a 00 00 06"
/* IGMPv3 report to 224.0.0.22, 2 records: TO_EX 239.1.1.1 {},
 * ALLOW 232.1.1.1 {10.0.0.5, 10.0.0.6}. */
#define VEC_IGMPV3_REPORT                                                  \
	"46 c0 00 38 00 00 40 00 01 02 f9 df 0a 00 00 0a e0 00 00 16 94 04 00 00" \
	"22 00 e7 ea 00 00 00 02"                                          \
	"04 00 00 00 ef 01 01 01"                                          \
	"05 00 00 02 e8 01 01 01 0a 00 00 05 0a 00 00 06"

/* IPv6: hop limit 1, HBH (nh 58, RA value 0, PadN 2). */
#define VEC_IP6_HDR(plen, src, dst) "60 00 00 00 00 " plen " 00 01 " src dst "3a 00 05 02 00 00 01 00"
#define FE80_1 "fe 80 00 00 00 00 00 00 00 00 00 00 00 00 00 01 "
#define FE80_10 "fe 80 00 00 00 00 00 00 00 00 00 00 00 00 00 10 "
#define FF02_1 "ff 02 00 00 00 00 00 00 00 00 00 00 00 00 00 01 "
#define FF02_2 "ff 02 00 00 00 00 00 00 00 00 00 00 00 00 00 02 "
#define FF02_16 "ff 02 00 00 00 00 00 00 00 00 00 00 00 00 00 16 "
#define FF05_9 "ff 05 00 00 00 00 00 00 00 00 00 00 00 00 00 09 "
#define FF35_1_2 "ff 35 00 00 00 00 00 00 00 00 00 00 00 01 00 02 "

#define VEC_MLDV1_QUERY /* general, max resp delay 10000 ms */             \
	VEC_IP6_HDR("20", FE80_1, FF02_1)                                  \
	"82 00 59 17 27 10 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00"
#define VEC_MLDV1_REPORT                                                   \
	VEC_IP6_HDR("20", FE80_10, FF05_9)                                 \
	"83 00 7f fe 00 00 00 00" FF05_9
#define VEC_MLDV1_DONE                                                     \
	VEC_IP6_HDR("20", FE80_10, FF02_2)                                 \
	"84 00 7f 08 00 00 00 00" FF05_9
/* MLDv2 group-and-source query ff35::1:2: max resp code 0x8d4c
 * (60000 ms), S=0 QRV=2, QQIC 125, source 2001:db8::1. */
#define VEC_MLDV2_GSSQ                                                     \
	VEC_IP6_HDR("34", FE80_1, FF35_1_2)                                \
	"82 00 c3 20 8d 4c 00 00" FF35_1_2 "02 7d 00 01"                   \
	"20 01 0d b8 00 00 00 00 00 00 00 00 00 00 00 01"
/* MLDv2 report to ff02::16: IS_IN ff35::1:2 {2001:db8::1}. */
#define VEC_MLDV2_REPORT                                                   \
	VEC_IP6_HDR("34", FE80_10, FF02_16)                                \
	"8f 00 44 fa 00 00 00 01"                                          \
	"01 00 00 01" FF35_1_2 "20 01 0d b8 00 00 00 00 00 00 00 00 00 00 00 01"

#endif
