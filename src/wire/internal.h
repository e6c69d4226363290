/* Helpers shared by the wire layer's files; not part of the API. */
#ifndef MCAST_WIRE_INTERNAL_H
#define MCAST_WIRE_INTERNAL_H

#include "mcast/wire.h"
#include "core/addr.h"

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

static inline uint16_t wire_be16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

static inline void wire_put16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

/* Reads a 4- or 16-byte address of the profile's family. An IPv4
 * address (::ffff:a.b.c.d) is written with one 16-byte store where the
 * machine has one: the decoder's callers read the address whole soon
 * after (a record's group is copied, hashed, compared), and a load
 * spanning several smaller stores waits for them to reach the cache (a
 * record's group copied right after mcast_addr_from_in4()'s 12- and
 * 4-byte copies was half of mcast_msg_decode()'s time in a storm). */
static inline void wire_get_addr(const struct mcast_profile *pf, const uint8_t *p,
				 struct mcast_addr *a)
{
	if (pf->alen != 4) {
		__builtin_memcpy(a->b, p, 16);
		return;
	}
	uint32_t v4;
	__builtin_memcpy(&v4, p, 4);
#if defined(__SSE2__) && defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
	/* bytes 8-11 00 00 ff ff, 12-15 the address as it came */
	_mm_storeu_si128((__m128i *)(void *)a->b, _mm_set_epi32((int)v4, (int)0xffff0000u, 0, 0));
#else
	mcast_addr_from_in4(a, p);
#endif
}

/* Writes a 4- or 16-byte address. Two copies of constant size: one of
 * the profile's length compiles to a microcoded string move (rep movs),
 * which took most of an MLDv2 record's encoding time. */
static inline void wire_put_addr(const struct mcast_profile *pf, uint8_t *p,
				 const struct mcast_addr *a)
{
	if (pf->alen == 4)
		__builtin_memcpy(p, a->b + 12, 4);
	else
		__builtin_memcpy(p, a->b, 16);
}

bool mcast_ip_icmp6_cksum_ok(const struct mcast_ip_info *ip);

/*
 * Checksums from the values written instead of the bytes read back. An
 * encoder writes a datagram a byte, two or four at a time; reading it
 * back as 8-byte words right after makes every load wait for the stores
 * it spans to reach the cache (a store forwards only to a load it
 * covers whole), which was most of a one-record report's checksum time
 * (perf annotate). So the report builder adds up each record as it
 * writes it, from its caller's addresses, and the header's sums come
 * from the same values.
 *
 * A sum is a plain 64-bit integer of big-endian 32-bit words (and
 * smaller values in their place within a word): 2^16 = 1 modulo 0xffff,
 * so a word counts as its two 16-bit halves (RFC 1071 1), and folding
 * gives the one's complement sum mcast_cksum_add() would.
 */
static inline uint64_t wire_sum32(const uint8_t *p)
{
	uint32_t v;
	__builtin_memcpy(&v, p, 4);
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
	return v;
#else
	return __builtin_bswap32(v);
#endif
}

static inline uint64_t wire_sum_addr(const struct mcast_addr *a, bool v4)
{
	if (v4)
		return wire_sum32(a->b + 12);
	return wire_sum32(a->b) + wire_sum32(a->b + 4) + wire_sum32(a->b + 8) + wire_sum32(a->b + 12);
}

/* The sum folded to 16 bits (not complemented: mcast_cksum_fold() does). */
static inline uint32_t wire_sum_fold(uint64_t s)
{
	s = (s & 0xffffffffu) + (s >> 32);
	s = (s & 0xffff) + (s >> 16);
	s = (s & 0xffff) + (s >> 16);
	return (uint32_t)((s & 0xffff) + (s >> 16));
}

/* mcast_ip_build(), with the IPv4 header's checksum written and
 * *msg_sum set to what the message's checksum starts from: 0 for IGMP,
 * the pseudo-header's sum for ICMPv6 (RFC 8200 8.1). */
size_t wire_ip_frame(uint8_t *buf, size_t cap, const struct mcast_addr *src, const struct mcast_addr *dst,
		     size_t payload_len, bool router_alert, uint64_t *msg_sum);

/* mcast_report_add() of a record without sources or auxiliary data, for
 * the engines, whose groups are valid by construction (multicast, of the
 * builder's family; mcast_report_init() checked that the MTU holds a
 * record): no checks, no loops. The commonest record of a report: an
 * any-source join or leave (TO_EX {}, TO_IN {}, IS_EX {}).
 * Inline: the host engine calls it once per group of a report (a call
 * was a fifth of its cost, measured with callgrind). */
static inline void wire_report_add_group(struct mcast_report_builder *rb, uint8_t type, const struct mcast_addr *group)
{
	bool v4 = rb->family == MCAST_AF_INET;
	size_t need = v4 ? 8 : 20;
	if (rb->len && need > rb->mtu - rb->len)
		mcast_report_flush(rb);
	if (rb->len == 0)
		rb->len = rb->hdr_len;
	uint8_t *r = rb->buf + rb->len;
	r[0] = type;
	r[1] = 0; /* no auxiliary data */
	r[2] = 0; /* no source */
	r[3] = 0;
	if (v4) /* (constant sizes: moves, not a call) */
		__builtin_memcpy(r + 4, group->b + 12, 4);
	else
		__builtin_memcpy(r + 4, group->b, 16);
	/* one folding step: the sum kept stays below 2^20 (a record adds
	 * less than 2^35; mcast_report_flush() folds the rest) */
	uint64_t sum = rb->sum + ((uint64_t)type << 24) + wire_sum_addr(group, v4);
	rb->sum = (uint32_t)((sum & 0xffff) + (sum >> 16));
	rb->len += need;
	if (++rb->nrec == 0xffff)
		mcast_report_flush(rb);
}

#endif
