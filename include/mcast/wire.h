/*
 * mcast/wire.h - the wire layer of libmcast: IGMPv1/v2/v3 and MLDv1/v2
 * messages, decoded into and encoded from one family-neutral model, with
 * their IPv4 (Router Alert option) and IPv6 (Hop-by-Hop Router Alert)
 * framing and checksums.
 *
 * Decoding validates the whole packet before returning anything, into
 * caller-owned arrays with explicit capacities; a packet is either
 * accepted whole (minus records of unknown type, which RFC 3376 4.2.12
 * and RFC 3810 5.2.12 say to skip) or rejected with one reason.
 * Encoding writes complete IP datagrams, splitting reports and queries
 * over several packets where the MTU requires (RFC 3376 4.2.16).
 */
#ifndef MCAST_WIRE_H
#define MCAST_WIRE_H

#include "mcast/core.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ------------------------------------------------------------------ */
/* Constants                                                           */
/* ------------------------------------------------------------------ */

#define MCAST_IPPROTO_IGMP 2
#define MCAST_IPPROTO_ICMPV6 58
#define MCAST_IPPROTO_HOPOPTS 0

/* IGMP types (RFC 1112, 2236, 3376) */
#define MCAST_IGMP_QUERY 0x11
#define MCAST_IGMP_V1_REPORT 0x12
#define MCAST_IGMP_V2_REPORT 0x16
#define MCAST_IGMP_V2_LEAVE 0x17
#define MCAST_IGMP_V3_REPORT 0x22

/* MLD types (RFC 2710, 3810) */
#define MCAST_MLD_QUERY 130
#define MCAST_MLD_V1_REPORT 131
#define MCAST_MLD_V1_DONE 132
#define MCAST_MLD_V2_REPORT 143

/* Group record types (RFC 3376 4.2.12, RFC 3810 5.2.12) */
enum mcast_rec_type {
	MCAST_MODE_IS_INCLUDE = 1,
	MCAST_MODE_IS_EXCLUDE = 2,
	MCAST_CHANGE_TO_INCLUDE = 3,
	MCAST_CHANGE_TO_EXCLUDE = 4,
	MCAST_ALLOW_NEW_SOURCES = 5,
	MCAST_BLOCK_OLD_SOURCES = 6,
};

/* Short names as RFC 3376 writes them: IS_IN, IS_EX, TO_IN, TO_EX,
 * ALLOW, BLOCK. NULL for an unknown type. */
const char *mcast_rec_type_name(unsigned type);

/*
 * The per-family profile: what differs between IGMP and MLD, so that one
 * engine serves both (DESIGN.md "One engine, two families"). MLDv1
 * plays the part of IGMPv2 and MLDv2 that of IGMPv3.
 */
struct mcast_profile {
	enum mcast_family family;
	const char *name;             /* "IGMP" or "MLD" */
	uint8_t alen;                 /* 4 or 16 */
	uint8_t proto;                /* 2 or 58 */
	uint8_t max_version;          /* 3 or 2 */
	uint8_t type_query;
	uint8_t type_v1_report;       /* MLD: MLDv1 report */
	uint8_t type_v2_report;       /* MLD: MLDv1 report */
	uint8_t type_leave;           /* IGMPv2 leave, MLDv1 done */
	uint8_t type_v3_report;       /* IGMPv3 / MLDv2 report */
	uint8_t v1v2_len;             /* 8 or 24 */
	uint8_t v3_query_hdr;         /* 12 or 28 */
	const struct mcast_addr *any;         /* 0.0.0.0 / :: */
	const struct mcast_addr *all_hosts;   /* 224.0.0.1 / ff02::1 */
	const struct mcast_addr *all_routers; /* 224.0.0.2 / ff02::2 */
	const struct mcast_addr *v3_routers;  /* 224.0.0.22 / ff02::16 */
};

extern const struct mcast_profile mcast_profile_igmp;
extern const struct mcast_profile mcast_profile_mld;
static inline const struct mcast_profile *mcast_profile_of(enum mcast_family f)
{
	return f == MCAST_AF_INET ? &mcast_profile_igmp : &mcast_profile_mld;
}

/* ------------------------------------------------------------------ */
/* Drop reasons                                                        */
/* ------------------------------------------------------------------ */

/*
 * Why a packet was rejected. Every rejection has exactly one reason,
 * counted by the caller in a struct mcast_drop_stats and logged
 * rate-limited. Names are stable: they appear in counters and JSON.
 */
enum mcast_drop {
	MCAST_DROP_NONE = 0,
	MCAST_DROP_TRUNCATED,         /* shorter than its headers or its own length fields */
	MCAST_DROP_BAD_IP_HEADER,     /* version, header length, option or extension layout */
	MCAST_DROP_BAD_IP_CHECKSUM,   /* IPv4 header checksum */
	MCAST_DROP_FRAGMENT,          /* a fragment: IGMP/MLD are never fragmented */
	MCAST_DROP_NOT_IGMP_MLD,      /* another protocol or ICMPv6 type */
	MCAST_DROP_BAD_CHECKSUM,      /* IGMP or ICMPv6 checksum */
	MCAST_DROP_BAD_LENGTH,        /* a length no version defines (RFC 3376 7.1, RFC 3810 8.1) */
	MCAST_DROP_BAD_TTL,           /* TTL or hop limit not 1 */
	MCAST_DROP_NO_ROUTER_ALERT,   /* Router Alert missing where required */
	MCAST_DROP_BAD_SOURCE,        /* source address not allowed for this message */
	MCAST_DROP_BAD_DESTINATION,   /* destination inconsistent with the message type */
	MCAST_DROP_BAD_GROUP,         /* group field not a multicast address (or not 0 in a general query) */
	MCAST_DROP_SOURCE_OVERRUN,    /* a source or record count overruns the packet */
	MCAST_DROP_TOO_MANY,          /* more records or sources than the caller's buffers hold */
	MCAST_DROP__COUNT
};

const char *mcast_drop_name(enum mcast_drop reason);

struct mcast_drop_stats {
	uint64_t count[MCAST_DROP__COUNT];
};

/* ------------------------------------------------------------------ */
/* Code encodings                                                      */
/* ------------------------------------------------------------------ */

/*
 * The 8-bit floating-point code of RFC 3376 4.1.1 and 4.1.7 (Max Resp
 * Code in tenths of a second, QQIC in seconds; also the MLDv2 QQIC, RFC
 * 3810 5.1.9): values below 128 are literal, otherwise
 * 1|exp(3)|mant(4) means (mant | 0x10) << (exp + 3). Max 31744.
 *
 * The 16-bit code of RFC 3810 5.1.3 (Maximum Response Code, in ms):
 * below 32768 literal, otherwise 1|exp(3)|mant(12) means
 * (mant | 0x1000) << (exp + 3). Max 8387584.
 *
 * Encoding rounds down to the nearest representable value (a host then
 * answers a little early rather than late) and saturates at the max.
 */
uint32_t mcast_code8_decode(uint8_t code);
uint8_t mcast_code8_encode(uint32_t value);
uint32_t mcast_code16_decode(uint16_t code);
uint16_t mcast_code16_encode(uint32_t value);

/* ------------------------------------------------------------------ */
/* IP framing                                                          */
/* ------------------------------------------------------------------ */

/* What the IP layer says about a received IGMP or MLD message. */
struct mcast_ip_info {
	struct mcast_addr src;
	struct mcast_addr dst;
	uint8_t ttl;          /* TTL or hop limit */
	uint8_t tos;          /* TOS or traffic class */
	bool router_alert;    /* IPv4 option 148 / IPv6 HBH option 5 */
	uint16_t ra_value;    /* its value; 0 = MLD for IPv6 (RFC 2711) */
	uint8_t proto;        /* upper-layer protocol: IGMP or ICMPv6 */
	const uint8_t *payload;
	size_t payload_len;
};

/*
 * Parses an IPv4 or IPv6 datagram (version from the first nibble) up to
 * its IGMP or ICMPv6 payload. Trailing bytes past the IP length (link
 * padding) are ignored. Returns MCAST_DROP_NONE or the reason.
 */
enum mcast_drop mcast_ip_parse(const uint8_t *pkt, size_t len, struct mcast_ip_info *ip);

/* IP header bytes our encoder writes: 24 (IPv4 + RA) or 48 (IPv6 + HBH). */
size_t mcast_ip_header_len(enum mcast_family f, bool router_alert);

/*
 * Writes an IP header with TTL/hop limit 1 and, when asked, Router Alert
 * for a payload of payload_len bytes at buf (cap bytes), an IPv4 header
 * with its checksum. The payload follows at the returned offset. 0 if
 * cap is too small.
 */
size_t mcast_ip_build(uint8_t *buf, size_t cap, const struct mcast_addr *src,
		      const struct mcast_addr *dst, size_t payload_len, bool router_alert);
/*
 * Writes a UDP datagram (a multicast data packet) from src to dst with
 * the given TTL or hop limit and payload_len bytes of payload (zeros, the
 * last one 0x5a), IPv4 header checksum set, UDP checksum 0 as IPv4
 * allows (simulators and tests do not check it). Returns its length, or
 * 0 if cap is too small.
 */
size_t mcast_udp_build(uint8_t *buf, size_t cap, const struct mcast_addr *src,
		       const struct mcast_addr *dst, uint8_t ttl, size_t payload_len);

/* Computes the IPv4 header checksum and the IGMP or ICMPv6 checksum of a
 * datagram written by mcast_ip_build() and filled in. Does nothing to a
 * datagram whose header does not fit in len. */
void mcast_ip_finish(uint8_t *pkt, size_t len);

/* The Internet checksum (RFC 1071) of data, added to sum. */
uint32_t mcast_cksum_add(uint32_t sum, const uint8_t *data, size_t len);
uint16_t mcast_cksum_fold(uint32_t sum);

/* ------------------------------------------------------------------ */
/* Messages                                                            */
/* ------------------------------------------------------------------ */

enum mcast_msg_kind {
	MCAST_MSG_QUERY = 1,     /* any version */
	MCAST_MSG_REPORT,        /* IGMPv1/v2 report, MLDv1 report */
	MCAST_MSG_LEAVE,         /* IGMPv2 leave, MLDv1 done */
	MCAST_MSG_V3_REPORT,     /* IGMPv3 report, MLDv2 report */
};

struct mcast_group_record {
	uint8_t type;            /* enum mcast_rec_type */
	uint8_t aux_words;       /* auxiliary data length in 32-bit words */
	uint16_t nsrcs;
	struct mcast_addr group;
	uint32_t src_index;      /* first source in msg->srcs */
	const uint8_t *aux;      /* aux_words * 4 bytes, in the packet */
};

/*
 * One message, either family. The caller provides recs and srcs with
 * their capacities before decoding; decoding fills the rest. Report
 * records point into srcs with src_index.
 */
struct mcast_msg {
	enum mcast_family family;
	enum mcast_msg_kind kind;
	uint8_t version;         /* IGMP 1..3, MLD 1..2, by type and length */
	uint8_t type;            /* the wire type */
	struct mcast_addr group; /* query, v1/v2 report, leave; any for general query */
	/* Query fields */
	uint16_t max_resp_code;  /* as on the wire (8 or 16 bits) */
	uint32_t max_resp_ms;    /* decoded; 10 s for an IGMPv1 query (RFC 2236 4) */
	bool s_flag;             /* suppress router-side processing */
	uint8_t qrv;             /* querier's robustness variable */
	uint8_t qqic;            /* querier's query interval code */
	uint32_t qqi_s;          /* decoded QQIC in seconds */
	/* Sources: a query's list, or every record's in order */
	struct mcast_addr *srcs;
	size_t srcs_cap;
	uint32_t nsrcs;          /* sources used in srcs */
	/* Report records kept (known types), in wire order */
	struct mcast_group_record *recs;
	size_t recs_cap;
	uint16_t nrecs;
	uint16_t nrecs_wire;     /* records on the wire, skipped ones included */
	uint16_t skipped_recs;   /* records of unknown type, skipped */
};

/* Checks applied on decode. mcast_wire_policy_default() fills the RFCs'
 * receive rules; a router may relax them for misbehaving hosts. */
struct mcast_wire_policy {
	bool require_ttl1;        /* TTL / hop limit must be 1 (RFC 3376 4, RFC 3810 5) */
	bool require_ra_igmpv3;   /* IGMPv3 messages carry Router Alert (RFC 3376 4) */
	bool require_ra_igmpv2;   /* IGMPv2 messages (RFC 2236 2 sends it; v1 hosts never do) */
	bool require_ra_mld;      /* MLD drops without it (RFC 3810 5.1.14, 5.2.13) */
	bool check_destination;   /* destination must fit the message type */
};

void mcast_wire_policy_default(struct mcast_wire_policy *p);

/*
 * Decodes and validates the message in ip (from mcast_ip_parse() or a
 * driver that received the payload with its IP facts on a raw socket).
 * Returns MCAST_DROP_NONE or the reason; on a drop msg is unspecified.
 * A NULL policy means the default.
 */
enum mcast_drop mcast_msg_decode(struct mcast_msg *msg, const struct mcast_ip_info *ip,
				 const struct mcast_wire_policy *policy);

/* mcast_ip_parse() then mcast_msg_decode(). ip may be NULL. */
enum mcast_drop mcast_msg_decode_packet(struct mcast_msg *msg, const uint8_t *pkt,
					size_t len, const struct mcast_wire_policy *policy,
					struct mcast_ip_info *ip);

/* Records and sources that a payload of len bytes can hold at most, to
 * size decode buffers for any packet (IPv4 worst case). */
#define MCAST_MSG_MAX_RECS(len) ((len) / 8 + 1)
#define MCAST_MSG_MAX_SRCS(len) ((len) / 4 + 1)

/* Short name of the message, e.g. "IGMPv3 report", "MLDv1 done". */
const char *mcast_msg_name(const struct mcast_msg *msg);

/* ------------------------------------------------------------------ */
/* Encoding                                                            */
/* ------------------------------------------------------------------ */

/* Called with each complete IP datagram an encoder produces. */
typedef void (*mcast_emit_fn)(void *ctx, const uint8_t *pkt, size_t len);

/* The fields of a query to send, any version. */
struct mcast_query_params {
	enum mcast_family family;
	uint8_t version;          /* IGMP 1..3, MLD 1..2 */
	struct mcast_addr group;  /* any (0.0.0.0 / ::) for a general query */
	uint32_t max_resp_ms;     /* encoded per version (rounded down) */
	bool s_flag;
	uint8_t qrv;              /* 0..7; larger values are sent as 0 (RFC 3376 4.1.6) */
	uint32_t qqi_s;
	const struct mcast_addr *srcs;
	size_t nsrcs;
};

/*
 * Encodes a query (splitting a long source list over several packets
 * when it exceeds mtu, each with the same header fields) and emits each
 * datagram. dst NULL means all-systems/all-nodes for a general query and
 * the group otherwise. Returns the number of packets, or -EINVAL.
 */
int mcast_query_encode(const struct mcast_query_params *q, const struct mcast_addr *src,
		       const struct mcast_addr *dst, size_t mtu, uint8_t *buf, size_t cap,
		       mcast_emit_fn emit, void *ctx);

/*
 * An IGMPv1/v2 report, IGMPv2 leave, MLDv1 report or done, written to
 * buf. dst NULL means the group for reports, all-routers for leaves and
 * dones. Returns the length or a negative errno.
 */
int mcast_v1v2_encode(enum mcast_family f, enum mcast_msg_kind kind, uint8_t version,
		      const struct mcast_addr *group, uint16_t max_resp_code,
		      const struct mcast_addr *src, const struct mcast_addr *dst, uint8_t *buf,
		      size_t cap);

/*
 * The report builder packs group records into as few IGMPv3/MLDv2
 * reports as the MTU allows and emits each full packet. A record whose
 * sources do not fit one packet is split by sources; an IS_EX or TO_EX
 * record is instead cut to the sources that fit, as RFC 3376 4.2.16 and
 * RFC 3810 5.2.15 say (the first sources in order, so that each report
 * carries the same ones).
 */
struct mcast_report_builder {
	enum mcast_family family;
	struct mcast_addr src;
	struct mcast_addr dst;
	size_t mtu;
	uint8_t *buf;
	size_t cap;
	size_t hdr_len;          /* IP header + report header */
	size_t len;              /* bytes used, 0 = no packet open */
	uint16_t nrec;
	uint32_t sum;            /* the open packet's records, summed as written (below 2^20) */
	mcast_emit_fn emit;
	void *ctx;
	uint32_t packets;        /* emitted so far */
	uint32_t truncated_srcs; /* EXCLUDE sources left out, total */
};

/* buf must hold mtu bytes. dst NULL = 224.0.0.22 / ff02::16. -EINVAL if
 * the MTU cannot hold a record with one source. */
int mcast_report_init(struct mcast_report_builder *rb, enum mcast_family f,
		      const struct mcast_addr *src, const struct mcast_addr *dst, size_t mtu,
		      uint8_t *buf, size_t cap, mcast_emit_fn emit, void *ctx);
/* Adds one record (srcs in any order, as given). 0 or -EINVAL. */
int mcast_report_add(struct mcast_report_builder *rb, uint8_t type,
		     const struct mcast_addr *group, const struct mcast_addr *srcs, size_t nsrcs,
		     const uint8_t *aux, uint8_t aux_words);
/* Emits the packet in progress, if any. */
void mcast_report_flush(struct mcast_report_builder *rb);

#ifdef __cplusplus
}
#endif

#endif /* MCAST_WIRE_H */
