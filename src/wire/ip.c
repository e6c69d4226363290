/*
 * DOC: IP framing
 *
 * IGMP rides in IPv4 with the Router Alert option (RFC 2113: type 148,
 * length 4, value 0), TTL 1 and precedence Internetwork Control (RFC
 * 3376 4). MLD rides in IPv6 with a Hop-by-Hop Options header holding
 * Router Alert value 0 (RFC 2711) and a PadN, hop limit 1 (RFC 3810 5).
 * Parsing walks IPv4 options and IPv6 extension headers with every
 * length checked against the bytes that are there.
 */
#include <string.h>

#include "internal.h"

#define IPOPT_RA 0x94
#define IP6OPT_PAD1 0
#define IP6OPT_PADN 1
#define IP6OPT_RA 5

#define be16 wire_be16
#define put16 wire_put16

/* A sum with its carries out of 64 bits counted. */
struct csum64 {
	uint64_t s, carries;
};

static inline void csum64_add(struct csum64 *c, uint64_t v)
{
	c->s += v;
	c->carries += c->s < v;
}

/* The next n (1, 2, 4 or 8) bytes as one native-order number. */
static inline uint64_t load_n(const uint8_t *p, size_t n)
{
	uint64_t v = 0;
	uint32_t v4;
	uint16_t v2;
	if (n == 8)
		memcpy(&v, p, 8);
	else if (n == 4)
		memcpy(&v4, p, 4), v = v4;
	else if (n == 2)
		memcpy(&v2, p, 2), v = v2;
	else /* the first byte of a word padded with zero */
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
		v = (uint64_t)p[0] << 8;
#else
		v = p[0];
#endif
	return v;
}

/* Adds the next n bytes when at least n are left; how many it took. */
static inline size_t csum64_tail(struct csum64 *c, const uint8_t *p, size_t left, size_t n)
{
	if (left < n)
		return 0;
	csum64_add(c, load_n(p, n));
	return n;
}

/* RFC 1071 2(B): the one's complement sum does not depend on the byte
 * order of the words added, so the data is added in the machine's order,
 * eight bytes at a time with the carries counted (2^64 = 1 modulo
 * 0xffff), folded to 16 bits and swapped to network order once at the
 * end. The last 0-7 bytes go in as 4, 2 and 1: 16-bit lanes all weigh
 * the same, so where a piece lands does not matter, only that its bytes
 * keep their places in their words. A trailing odd byte is the high
 * byte of a last word padded with zero (each call starts at a word). */
uint32_t mcast_cksum_add(uint32_t sum, const uint8_t *data, size_t len)
{
	struct csum64 c = { 0, 0 };
	size_t i = 0;
	for (; i + 8 <= len; i += 8)
		csum64_add(&c, load_n(data + i, 8));
	i += csum64_tail(&c, data + i, len - i, 4);
	i += csum64_tail(&c, data + i, len - i, 2);
	csum64_tail(&c, data + i, len - i, 1);
	uint64_t t = (c.s & 0xffffffffu) + (c.s >> 32) + c.carries;
	while (t >> 16)
		t = (t & 0xffff) + (t >> 16);
#if !defined(__BYTE_ORDER__) || __BYTE_ORDER__ != __ORDER_BIG_ENDIAN__
	t = (uint16_t)(t << 8 | t >> 8);
#endif
	t += sum;
	while (t >> 32)
		t = (t & 0xffffffffu) + (t >> 32);
	return (uint32_t)t;
}

uint16_t mcast_cksum_fold(uint32_t sum)
{
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)~sum;
}

/* ---- parsing ----------------------------------------------------------- */

static enum mcast_drop parse_v4(const uint8_t *p, size_t len, struct mcast_ip_info *ip)
{
	if (len < 20)
		return MCAST_DROP_TRUNCATED;
	size_t hlen = (size_t)(p[0] & 0x0f) * 4;
	if (hlen < 20)
		return MCAST_DROP_BAD_IP_HEADER;
	if (len < hlen)
		return MCAST_DROP_TRUNCATED;
	size_t total = be16(p + 2);
	if (total < hlen)
		return MCAST_DROP_BAD_IP_HEADER;
	if (total > len)
		return MCAST_DROP_TRUNCATED;
	if (mcast_cksum_fold(mcast_cksum_add(0, p, hlen)) != 0)
		return MCAST_DROP_BAD_IP_CHECKSUM;
	if (be16(p + 6) & 0x3fff)
		return MCAST_DROP_FRAGMENT;

	ip->router_alert = false;
	ip->ra_value = 0;
	for (size_t i = 20; i < hlen;) {
		uint8_t opt = p[i];
		if (opt == 0) /* end of option list */
			break;
		if (opt == 1) { /* no-operation */
			i++;
			continue;
		}
		if (i + 1 >= hlen)
			return MCAST_DROP_BAD_IP_HEADER;
		size_t olen = p[i + 1];
		if (olen < 2 || i + olen > hlen)
			return MCAST_DROP_BAD_IP_HEADER;
		if (opt == IPOPT_RA && olen == 4) {
			ip->router_alert = true;
			ip->ra_value = be16(p + i + 2);
		}
		i += olen;
	}
	ip->tos = p[1];
	ip->ttl = p[8];
	ip->proto = p[9];
	mcast_addr_from_in4(&ip->src, p + 12);
	mcast_addr_from_in4(&ip->dst, p + 16);
	ip->payload = p + hlen;
	ip->payload_len = total - hlen;
	return MCAST_DROP_NONE;
}

/* Router Alert inside a Hop-by-Hop header's option area. */
static enum mcast_drop parse_hbh_options(const uint8_t *o, size_t len, struct mcast_ip_info *ip)
{
	for (size_t i = 0; i < len;) {
		if (o[i] == IP6OPT_PAD1) {
			i++;
			continue;
		}
		if (i + 2 > len)
			return MCAST_DROP_BAD_IP_HEADER;
		size_t olen = o[i + 1];
		if (i + 2 + olen > len)
			return MCAST_DROP_BAD_IP_HEADER;
		if (o[i] == IP6OPT_RA && olen == 2) {
			ip->router_alert = true;
			ip->ra_value = be16(o + i + 2);
		}
		i += 2 + olen;
	}
	return MCAST_DROP_NONE;
}

static enum mcast_drop parse_v6(const uint8_t *p, size_t len, struct mcast_ip_info *ip)
{
	if (len < 40)
		return MCAST_DROP_TRUNCATED;
	size_t end = 40 + (size_t)be16(p + 4);
	if (end > len)
		return MCAST_DROP_TRUNCATED;
	ip->tos = (uint8_t)((p[0] & 0x0f) << 4 | p[1] >> 4);
	ip->ttl = p[7];
	ip->router_alert = false;
	ip->ra_value = 0;
	mcast_addr_from_in6(&ip->src, p + 8);
	mcast_addr_from_in6(&ip->dst, p + 24);
	/* RFC 4291 2.5.5.2: IPv4-mapped addresses are never on the wire;
	 * here they would read as IPv4 addresses in an IPv6 packet. */
	if (addr_is_v4(&ip->src))
		return MCAST_DROP_BAD_SOURCE;
	if (addr_is_v4(&ip->dst))
		return MCAST_DROP_BAD_DESTINATION;

	uint8_t nh = p[6];
	size_t off = 40;
	for (;;) {
		size_t hlen;
		switch (nh) {
		case MCAST_IPPROTO_HOPOPTS:
			/* RFC 8200 4.1: only immediately after the IPv6 header. */
			if (off != 40)
				return MCAST_DROP_BAD_IP_HEADER;
			/* fallthrough */
		case 60: /* destination options */
		case 43: /* routing */
			if (off + 2 > end)
				return MCAST_DROP_TRUNCATED;
			hlen = ((size_t)p[off + 1] + 1) * 8;
			if (off + hlen > end)
				return MCAST_DROP_TRUNCATED;
			if (nh == MCAST_IPPROTO_HOPOPTS) {
				enum mcast_drop r = parse_hbh_options(p + off + 2, hlen - 2, ip);
				if (r != MCAST_DROP_NONE)
					return r;
			}
			break;
		case 51: /* authentication header */
			if (off + 2 > end)
				return MCAST_DROP_TRUNCATED;
			hlen = ((size_t)p[off + 1] + 2) * 4;
			if (off + hlen > end)
				return MCAST_DROP_TRUNCATED;
			break;
		case 44: /* fragment */
			return MCAST_DROP_FRAGMENT;
		default:
			ip->proto = nh;
			ip->payload = p + off;
			ip->payload_len = end - off;
			return MCAST_DROP_NONE;
		}
		nh = p[off];
		off += hlen;
	}
}

enum mcast_drop mcast_ip_parse(const uint8_t *pkt, size_t len, struct mcast_ip_info *ip)
{
	memset(ip, 0, sizeof(*ip));
	if (len < 1)
		return MCAST_DROP_TRUNCATED;
	switch (pkt[0] >> 4) {
	case 4:
		return parse_v4(pkt, len, ip);
	case 6:
		return parse_v6(pkt, len, ip);
	default:
		return MCAST_DROP_BAD_IP_HEADER;
	}
}

/* ---- building ---------------------------------------------------------- */

size_t mcast_ip_header_len(enum mcast_family f, bool router_alert)
{
	if (f == MCAST_AF_INET)
		return router_alert ? 24 : 20;
	return router_alert ? 48 : 40;
}

size_t wire_ip_frame(uint8_t *buf, size_t cap, const struct mcast_addr *src, const struct mcast_addr *dst,
		     size_t payload_len, bool router_alert, uint64_t *msg_sum)
{
	enum mcast_family f = addr_family(dst);
	size_t hlen = mcast_ip_header_len(f, router_alert);
	if (cap < hlen || payload_len > 0xffff - hlen)
		return 0;
	/* (constant sizes: plain stores; a memset of a variable length is
	 * a microcoded string store, slow to start for 24 bytes) */
	if (f == MCAST_AF_INET) {
		memset(buf, 0, 20);
		buf[0] = (uint8_t)(0x40 | hlen / 4);
		buf[1] = 0xc0; /* precedence: Internetwork Control */
		put16(buf + 2, (uint16_t)(hlen + payload_len));
		put16(buf + 6, 0x4000); /* DF */
		buf[8] = 1;
		buf[9] = MCAST_IPPROTO_IGMP;
		memcpy(buf + 12, src->b + 12, 4);
		memcpy(buf + 16, dst->b + 12, 4);
		if (router_alert) {
			buf[20] = IPOPT_RA;
			buf[21] = 4;
			buf[22] = buf[23] = 0;
		}
		/* the header's checksum from the same values */
		uint64_t h = (uint64_t)buf[0] << 24 | 0xc0u << 16 | (hlen + payload_len);
		h += 0x4000 + (1u << 24 | MCAST_IPPROTO_IGMP << 16);
		h += wire_sum_addr(src, true) + wire_sum_addr(dst, true);
		if (router_alert)
			h += (uint32_t)IPOPT_RA << 24 | 4u << 16;
		put16(buf + 10, mcast_cksum_fold(wire_sum_fold(h)));
		*msg_sum = 0;
	} else {
		memset(buf, 0, 40);
		buf[0] = 0x60;
		put16(buf + 4, (uint16_t)(hlen - 40 + payload_len));
		buf[6] = router_alert ? MCAST_IPPROTO_HOPOPTS : MCAST_IPPROTO_ICMPV6;
		buf[7] = 1;
		memcpy(buf + 8, src->b, 16);
		memcpy(buf + 24, dst->b, 16);
		if (router_alert) {
			uint8_t *h = buf + 40;
			memset(h, 0, 8);
			h[0] = MCAST_IPPROTO_ICMPV6;
			h[1] = 0;          /* 8 bytes */
			h[2] = IP6OPT_RA;  /* Router Alert, MLD */
			h[3] = 2;
			h[6] = IP6OPT_PADN;
			h[7] = 0;
		}
		/* RFC 8200 8.1: the ICMPv6 pseudo-header, the upper-layer
		 * length being the message's */
		*msg_sum = wire_sum_addr(src, false) + wire_sum_addr(dst, false) + payload_len + MCAST_IPPROTO_ICMPV6;
	}
	return hlen;
}

size_t mcast_ip_build(uint8_t *buf, size_t cap, const struct mcast_addr *src,
		      const struct mcast_addr *dst, size_t payload_len, bool router_alert)
{
	uint64_t unused;
	return wire_ip_frame(buf, cap, src, dst, payload_len, router_alert, &unused);
}

/* The ICMPv6 checksum's pseudo-header sum (RFC 8200 8.1). */
static uint32_t pseudo_sum(const uint8_t *src, const uint8_t *dst, size_t len, uint8_t nh)
{
	uint8_t tail[8] = { (uint8_t)(len >> 24), (uint8_t)(len >> 16), (uint8_t)(len >> 8),
			    (uint8_t)len, 0, 0, 0, nh };
	uint32_t s = mcast_cksum_add(0, src, 16);
	s = mcast_cksum_add(s, dst, 16);
	return mcast_cksum_add(s, tail, 8);
}

void mcast_ip_finish(uint8_t *pkt, size_t len)
{
	struct mcast_ip_info ip;
	if (len < 1)
		return;
	if (pkt[0] >> 4 == 4) {
		size_t hlen = (size_t)(pkt[0] & 0x0f) * 4;
		if (hlen < 20 || hlen > len)
			return;
		pkt[10] = pkt[11] = 0;
		put16(pkt + 10, mcast_cksum_fold(mcast_cksum_add(0, pkt, hlen)));
		if (len >= hlen + 4) {
			uint8_t *m = pkt + hlen;
			m[2] = m[3] = 0;
			put16(m + 2, mcast_cksum_fold(mcast_cksum_add(0, m, len - hlen)));
		}
		return;
	}
	if (mcast_ip_parse(pkt, len, &ip) != MCAST_DROP_NONE || ip.payload_len < 4)
		return;
	uint8_t *m = pkt + (ip.payload - pkt);
	m[2] = m[3] = 0;
	uint32_t s = pseudo_sum(pkt + 8, pkt + 24, ip.payload_len, MCAST_IPPROTO_ICMPV6);
	put16(m + 2, mcast_cksum_fold(mcast_cksum_add(s, m, ip.payload_len)));
}

/* Used by the decoder: is the ICMPv6 checksum of this payload right? */
bool mcast_ip_icmp6_cksum_ok(const struct mcast_ip_info *ip)
{
	uint32_t s = pseudo_sum(ip->src.b, ip->dst.b, ip->payload_len, MCAST_IPPROTO_ICMPV6);
	return mcast_cksum_fold(mcast_cksum_add(s, ip->payload, ip->payload_len)) == 0;
}

size_t mcast_udp_build(uint8_t *buf, size_t cap, const struct mcast_addr *src,
		       const struct mcast_addr *dst, uint8_t ttl, size_t payload_len)
{
	bool v4 = addr_is_v4(dst);
	size_t hlen = v4 ? 20 : 40, len = hlen + 8 + payload_len;
	if (cap < len || len > 0xffff)
		return 0;
	memset(buf, 0, len);
	if (v4) {
		buf[0] = 0x45;
		put16(buf + 2, (uint16_t)len);
		buf[8] = ttl;
		buf[9] = 17;
		memcpy(buf + 12, src->b + 12, 4);
		memcpy(buf + 16, dst->b + 12, 4);
		put16(buf + 10, mcast_cksum_fold(mcast_cksum_add(0, buf, 20)));
	} else {
		buf[0] = 0x60;
		put16(buf + 4, (uint16_t)(len - 40));
		buf[6] = 17;
		buf[7] = ttl;
		memcpy(buf + 8, src->b, 16);
		memcpy(buf + 24, dst->b, 16);
	}
	put16(buf + hlen + 4, (uint16_t)(8 + payload_len)); /* UDP length */
	if (payload_len)
		buf[len - 1] = 0x5a;
	return len;
}
