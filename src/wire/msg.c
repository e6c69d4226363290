/*
 * DOC: message decoding and validation
 *
 * One decoder for IGMP and MLD. The checks run in a fixed order so that
 * each bad packet gets exactly one reason: IP framing, protocol and
 * type, length, checksum, version by length (RFC 3376 7.1, RFC 3810
 * 8.1), TTL/hop limit, Router Alert, source address, group field,
 * destination address, and finally every count against the bytes
 * present. Nothing is trusted before it is bounded: counts from the
 * wire are checked against the remaining length before a single source
 * is copied, and copies go only into the caller's arrays.
 */
#include <string.h>

#include "internal.h"

static const char *const drop_names[MCAST_DROP__COUNT] = {
	[MCAST_DROP_NONE] = "none",
	[MCAST_DROP_TRUNCATED] = "truncated",
	[MCAST_DROP_BAD_IP_HEADER] = "bad_ip_header",
	[MCAST_DROP_BAD_IP_CHECKSUM] = "bad_ip_checksum",
	[MCAST_DROP_FRAGMENT] = "fragment",
	[MCAST_DROP_NOT_IGMP_MLD] = "not_igmp_mld",
	[MCAST_DROP_BAD_CHECKSUM] = "bad_checksum",
	[MCAST_DROP_BAD_LENGTH] = "bad_length",
	[MCAST_DROP_BAD_TTL] = "bad_ttl",
	[MCAST_DROP_NO_ROUTER_ALERT] = "no_router_alert",
	[MCAST_DROP_BAD_SOURCE] = "bad_source",
	[MCAST_DROP_BAD_DESTINATION] = "bad_destination",
	[MCAST_DROP_BAD_GROUP] = "bad_group",
	[MCAST_DROP_SOURCE_OVERRUN] = "source_overrun",
	[MCAST_DROP_TOO_MANY] = "too_many",
};

const char *mcast_drop_name(enum mcast_drop reason)
{
	if ((unsigned)reason >= MCAST_DROP__COUNT)
		return "unknown";
	return drop_names[reason];
}

const char *mcast_rec_type_name(unsigned type)
{
	static const char *const names[] = { NULL, "IS_IN", "IS_EX", "TO_IN",
					     "TO_EX", "ALLOW", "BLOCK" };
	return type >= 1 && type <= 6 ? names[type] : NULL;
}

void mcast_wire_policy_default(struct mcast_wire_policy *p)
{
	p->require_ttl1 = true;
	p->require_ra_igmpv3 = true;
	p->require_ra_igmpv2 = false;
	p->require_ra_mld = true;
	p->check_destination = true;
}

const char *mcast_msg_name(const struct mcast_msg *m)
{
	bool v4 = m->family == MCAST_AF_INET;
	switch (m->kind) {
	case MCAST_MSG_QUERY:
		if (v4)
			return m->version == 1 ? "IGMPv1 query"
			       : m->version == 2 ? "IGMPv2 query" : "IGMPv3 query";
		return m->version == 1 ? "MLDv1 query" : "MLDv2 query";
	case MCAST_MSG_REPORT:
		if (v4)
			return m->version == 1 ? "IGMPv1 report" : "IGMPv2 report";
		return "MLDv1 report";
	case MCAST_MSG_LEAVE:
		return v4 ? "IGMPv2 leave" : "MLDv1 done";
	case MCAST_MSG_V3_REPORT:
		return v4 ? "IGMPv3 report" : "MLDv2 report";
	}
	return "unknown";
}

/* Kind, version and minimum length from the type and the length. */
static enum mcast_drop classify(struct mcast_msg *m, const struct mcast_profile *pf,
				const uint8_t *p, size_t n)
{
	uint8_t t = p[0];
	m->type = t;
	if (pf->family == MCAST_AF_INET) {
		if (n < 8)
			return t == MCAST_IGMP_QUERY || t == MCAST_IGMP_V1_REPORT ||
					       t == MCAST_IGMP_V2_REPORT || t == MCAST_IGMP_V2_LEAVE ||
					       t == MCAST_IGMP_V3_REPORT
				       ? MCAST_DROP_TRUNCATED
				       : MCAST_DROP_NOT_IGMP_MLD;
		switch (t) {
		case MCAST_IGMP_QUERY:
			m->kind = MCAST_MSG_QUERY;
			/* RFC 3376 7.1: the version of a query is told by its length
			 * and, for 8 octets, by a zero Max Resp Code (v1). */
			if (n == 8)
				m->version = p[1] == 0 ? 1 : 2;
			else if (n >= 12)
				m->version = 3;
			else
				return MCAST_DROP_BAD_LENGTH;
			return MCAST_DROP_NONE;
		case MCAST_IGMP_V1_REPORT:
			m->kind = MCAST_MSG_REPORT;
			m->version = 1;
			return MCAST_DROP_NONE;
		case MCAST_IGMP_V2_REPORT:
			m->kind = MCAST_MSG_REPORT;
			m->version = 2;
			return MCAST_DROP_NONE;
		case MCAST_IGMP_V2_LEAVE:
			m->kind = MCAST_MSG_LEAVE;
			m->version = 2;
			return MCAST_DROP_NONE;
		case MCAST_IGMP_V3_REPORT:
			m->kind = MCAST_MSG_V3_REPORT;
			m->version = 3;
			return MCAST_DROP_NONE;
		default:
			return MCAST_DROP_NOT_IGMP_MLD;
		}
	}
	size_t min;
	switch (t) {
	case MCAST_MLD_QUERY:
		m->kind = MCAST_MSG_QUERY;
		min = 24;
		break;
	case MCAST_MLD_V1_REPORT:
		m->kind = MCAST_MSG_REPORT;
		m->version = 1;
		min = 24;
		break;
	case MCAST_MLD_V1_DONE:
		m->kind = MCAST_MSG_LEAVE;
		m->version = 1;
		min = 24;
		break;
	case MCAST_MLD_V2_REPORT:
		m->kind = MCAST_MSG_V3_REPORT;
		m->version = 2;
		min = 8;
		break;
	default:
		return MCAST_DROP_NOT_IGMP_MLD;
	}
	if (n < min)
		return MCAST_DROP_TRUNCATED;
	if (t == MCAST_MLD_QUERY) {
		/* RFC 3810 8.1: 24 octets is MLDv1, 28 or more MLDv2, others ignored. */
		if (n == 24)
			m->version = 1;
		else if (n >= 28)
			m->version = 2;
		else
			return MCAST_DROP_BAD_LENGTH;
	}
	return MCAST_DROP_NONE;
}

static bool needs_router_alert(const struct mcast_msg *m, const struct mcast_wire_policy *pol)
{
	if (m->family == MCAST_AF_INET6)
		return pol->require_ra_mld;
	if (m->version == 3)
		return pol->require_ra_igmpv3;
	if (m->version == 2)
		return pol->require_ra_igmpv2;
	return false; /* RFC 1112 hosts never send it */
}

static enum mcast_drop check_source(const struct mcast_msg *m, const struct mcast_ip_info *ip)
{
	const struct mcast_addr *s = &ip->src;
	if (m->family == MCAST_AF_INET) {
		/* 0.0.0.0 is allowed: RFC 3376 4.2.13 for reports, and snooping
		 * switches query from it (RFC 4541 2.1.1). */
		if (mcast_addr_eq(s, &mcast_addr_any4))
			return MCAST_DROP_NONE;
		/* Never multicast, broadcast, class E, 0/8 or loopback (RFC
		 * 1122 3.2.1.3, RFC 3376 4.2.13: a valid source for the subnet). */
		return mcast_addr_is_valid_source(s) ? MCAST_DROP_NONE : MCAST_DROP_BAD_SOURCE;
	}
	/* RFC 3810 5.1.14 and 5.2.13: link-local source; reports and dones
	 * may come from :: before the link-local address is ready
	 * (RFC 3590 4). Queries never. */
	if (mcast_addr_is_link_local(s))
		return MCAST_DROP_NONE;
	if (m->kind != MCAST_MSG_QUERY && mcast_addr_eq(s, &mcast_addr_any6))
		return MCAST_DROP_NONE;
	return MCAST_DROP_BAD_SOURCE;
}

/*
 * Destinations (RFC 3376 4.1.12 and 4.2.14, RFC 3810 5.1.15 and 5.2.14,
 * RFC 2236 3, RFC 2710 3): a general query to all-hosts, a specific
 * query to its group, a v1/v2 report to its group, a leave or done to
 * all-routers (or, from early RFC 2236 drafts, the group), a v3 report
 * to 224.0.0.22 or ff02::16.
 *
 * A unicast destination is accepted where the RFCs say a system MUST
 * accept any address of its interface: queries (RFC 3376 4.1.12, RFC
 * 3810 5.1.15) and v1/v2 reports (RFC 3376 4.2.14, RFC 3810 5.2.14);
 * whether the address is ours is the stack's check. For the others the
 * RFCs name only the multicast destination: a unicast IGMPv3/MLDv2
 * report, leave or done is dropped, so that a report that bypassed the
 * link's snooping switches cannot create state on the router alone.
 */
static enum mcast_drop check_destination(const struct mcast_msg *m,
					 const struct mcast_profile *pf,
					 const struct mcast_ip_info *ip)
{
	const struct mcast_addr *d = &ip->dst;
	if (!addr_is_multicast(d))
		return (m->kind == MCAST_MSG_QUERY || m->kind == MCAST_MSG_REPORT) &&
				       mcast_addr_is_valid_source(d)
			       ? MCAST_DROP_NONE
			       : MCAST_DROP_BAD_DESTINATION;
	bool ok = false;
	switch (m->kind) {
	case MCAST_MSG_QUERY:
		ok = mcast_addr_eq(d, pf->all_hosts) ||
		     (!mcast_addr_eq(&m->group, pf->any) && mcast_addr_eq(d, &m->group));
		break;
	case MCAST_MSG_REPORT:
		ok = mcast_addr_eq(d, &m->group);
		break;
	case MCAST_MSG_LEAVE:
		ok = mcast_addr_eq(d, pf->all_routers) || mcast_addr_eq(d, &m->group);
		break;
	case MCAST_MSG_V3_REPORT:
		ok = mcast_addr_eq(d, pf->v3_routers);
		break;
	}
	return ok ? MCAST_DROP_NONE : MCAST_DROP_BAD_DESTINATION;
}

/* Group field of queries, v1/v2 reports and leaves. */
static enum mcast_drop decode_v1v2(struct mcast_msg *m, const struct mcast_profile *pf,
				   const uint8_t *p)
{
	if (pf->family == MCAST_AF_INET) {
		m->max_resp_code = p[1];
		wire_get_addr(pf, p + 4, &m->group);
		if (m->kind == MCAST_MSG_QUERY && m->version == 1) {
			/* RFC 2236 4: a v1 query (code 0) means 10 seconds. RFC
			 * 1112 queries are general; the group field is ignored,
			 * as Linux's igmp_heard_query() does. */
			m->max_resp_ms = 10000;
			m->group = *pf->any;
		} else if (m->kind == MCAST_MSG_QUERY) {
			m->max_resp_ms = (uint32_t)p[1] * 100;
		}
	} else {
		m->max_resp_code = wire_be16(p + 4);
		wire_get_addr(pf, p + 8, &m->group);
		if (m->kind == MCAST_MSG_QUERY)
			m->max_resp_ms = m->max_resp_code;
		if (addr_is_v4(&m->group))
			return MCAST_DROP_BAD_GROUP; /* IPv4-mapped: not an IPv6 group (RFC 4291 2.5.5.2) */
	}
	return MCAST_DROP_NONE;
}

static enum mcast_drop decode_v3_query(struct mcast_msg *m, const struct mcast_profile *pf,
				       const uint8_t *p, size_t n)
{
	const uint8_t *tail; /* Resv|S|QRV, QQIC, Number of Sources */
	if (pf->family == MCAST_AF_INET) {
		m->max_resp_code = p[1];
		m->max_resp_ms = mcast_code8_decode(p[1]) * 100;
		wire_get_addr(pf, p + 4, &m->group);
		tail = p + 8;
	} else {
		m->max_resp_code = wire_be16(p + 4);
		m->max_resp_ms = mcast_code16_decode((uint16_t)m->max_resp_code);
		wire_get_addr(pf, p + 8, &m->group);
		if (addr_is_v4(&m->group))
			return MCAST_DROP_BAD_GROUP; /* IPv4-mapped (RFC 4291 2.5.5.2) */
		tail = p + 24;
	}
	m->s_flag = (tail[0] & 0x08) != 0;
	m->qrv = tail[0] & 0x07;
	m->qqic = tail[1];
	m->qqi_s = mcast_code8_decode(tail[1]);
	size_t nsrcs = wire_be16(tail + 2);
	if (nsrcs > (n - pf->v3_query_hdr) / pf->alen)
		return MCAST_DROP_SOURCE_OVERRUN;
	if (nsrcs > m->srcs_cap)
		return MCAST_DROP_TOO_MANY;
	const uint8_t *s = p + pf->v3_query_hdr;
	for (size_t i = 0; i < nsrcs; i++)
		wire_get_addr(pf, s + i * pf->alen, &m->srcs[i]);
	m->nsrcs = (uint32_t)nsrcs;
	return MCAST_DROP_NONE;
}

static enum mcast_drop decode_v3_report(struct mcast_msg *m, const struct mcast_profile *pf,
					const uint8_t *p, size_t n)
{
	size_t nrec = wire_be16(p + 6);
	size_t off = 8;
	size_t rec_hdr = 4 + (size_t)pf->alen;
	m->nrecs_wire = (uint16_t)nrec;
	for (size_t r = 0; r < nrec; r++) {
		if (n - off < rec_hdr)
			return MCAST_DROP_SOURCE_OVERRUN;
		const uint8_t *rec = p + off;
		size_t nsrcs = wire_be16(rec + 2);
		size_t aux = (size_t)rec[1] * 4;
		size_t body = nsrcs * pf->alen + aux;
		if (n - off - rec_hdr < body)
			return MCAST_DROP_SOURCE_OVERRUN;
		off += rec_hdr + body;
		/* RFC 3376 4.2.12, RFC 3810 5.2.12: unknown types are ignored,
		 * the rest of the report is processed. */
		if (mcast_rec_type_name(rec[0]) == NULL) {
			m->skipped_recs++;
			continue;
		}
		/* The group checked on the wire and read straight into its
		 * record (a copy read back at once would wait on the stores
		 * that made it): IPv4 224/4; IPv6 ff00::/8, which an
		 * IPv4-mapped group (::ffff:a.b.c.d) never is. */
		bool multicast = pf->alen == 4 ? (rec[4] & 0xf0) == 0xe0 : rec[4] == 0xff;
		if (!multicast)
			return MCAST_DROP_BAD_GROUP;
		if (m->nrecs >= m->recs_cap || nsrcs > m->srcs_cap - m->nsrcs)
			return MCAST_DROP_TOO_MANY;
		struct mcast_group_record *g = &m->recs[m->nrecs++];
		g->type = rec[0];
		g->aux_words = rec[1];
		g->nsrcs = (uint16_t)nsrcs;
		wire_get_addr(pf, rec + 4, &g->group);
		g->src_index = m->nsrcs;
		g->aux = aux ? rec + rec_hdr + nsrcs * pf->alen : NULL;
		for (size_t i = 0; i < nsrcs; i++)
			wire_get_addr(pf, rec + rec_hdr + i * pf->alen, &m->srcs[m->nsrcs++]);
	}
	return MCAST_DROP_NONE;
}

enum mcast_drop mcast_msg_decode(struct mcast_msg *m, const struct mcast_ip_info *ip,
				 const struct mcast_wire_policy *policy)
{
	struct mcast_wire_policy def;
	if (!policy) {
		mcast_wire_policy_default(&def);
		policy = &def;
	}
	if (addr_family(&ip->src) != addr_family(&ip->dst))
		return MCAST_DROP_BAD_IP_HEADER;
	const struct mcast_profile *pf = mcast_profile_of(addr_family(&ip->dst));

	/* Reset the outputs, keep the caller's buffers. */
	struct mcast_addr *srcs = m->srcs;
	struct mcast_group_record *recs = m->recs;
	size_t srcs_cap = m->srcs_cap, recs_cap = m->recs_cap;
	memset(m, 0, sizeof(*m));
	m->srcs = srcs;
	m->recs = recs;
	m->srcs_cap = srcs ? srcs_cap : 0;
	m->recs_cap = recs ? recs_cap : 0;
	m->family = pf->family;
	m->group = *pf->any;

	if (ip->proto != pf->proto)
		return MCAST_DROP_NOT_IGMP_MLD;
	const uint8_t *p = ip->payload;
	size_t n = ip->payload_len;
	if (n < 1)
		return MCAST_DROP_TRUNCATED;
	enum mcast_drop r = classify(m, pf, p, n);
	if (r != MCAST_DROP_NONE)
		return r;

	bool cksum_ok = pf->family == MCAST_AF_INET
				? mcast_cksum_fold(mcast_cksum_add(0, p, n)) == 0
				: mcast_ip_icmp6_cksum_ok(ip);
	if (!cksum_ok)
		return MCAST_DROP_BAD_CHECKSUM;
	if (policy->require_ttl1 && ip->ttl != 1)
		return MCAST_DROP_BAD_TTL;
	/* For IPv6 the Router Alert value must say MLD (0, RFC 2711). */
	if (needs_router_alert(m, policy) &&
	    (!ip->router_alert || (pf->family == MCAST_AF_INET6 && ip->ra_value != 0)))
		return MCAST_DROP_NO_ROUTER_ALERT;
	if ((r = check_source(m, ip)) != MCAST_DROP_NONE)
		return r;

	switch (m->kind) {
	case MCAST_MSG_QUERY:
		r = m->version == pf->max_version ? decode_v3_query(m, pf, p, n)
						  : decode_v1v2(m, pf, p);
		if (r != MCAST_DROP_NONE)
			return r;
		if (!mcast_addr_eq(&m->group, pf->any) && !addr_is_multicast(&m->group))
			return MCAST_DROP_BAD_GROUP;
		/* RFC 3376 4.1.9 / RFC 3810 5.1.10: sources need a group. */
		if (mcast_addr_eq(&m->group, pf->any) && m->nsrcs > 0)
			return MCAST_DROP_BAD_GROUP;
		break;
	case MCAST_MSG_REPORT:
	case MCAST_MSG_LEAVE:
		if ((r = decode_v1v2(m, pf, p)) != MCAST_DROP_NONE)
			return r;
		if (!addr_is_multicast(&m->group))
			return MCAST_DROP_BAD_GROUP;
		break;
	case MCAST_MSG_V3_REPORT:
		if ((r = decode_v3_report(m, pf, p, n)) != MCAST_DROP_NONE)
			return r;
		break;
	}
	if (policy->check_destination && (r = check_destination(m, pf, ip)) != MCAST_DROP_NONE)
		return r;
	return MCAST_DROP_NONE;
}

enum mcast_drop mcast_msg_decode_packet(struct mcast_msg *msg, const uint8_t *pkt,
					size_t len, const struct mcast_wire_policy *policy,
					struct mcast_ip_info *ip)
{
	struct mcast_ip_info local;
	if (!ip)
		ip = &local;
	enum mcast_drop r = mcast_ip_parse(pkt, len, ip);
	if (r != MCAST_DROP_NONE)
		return r;
	return mcast_msg_decode(msg, ip, policy);
}
