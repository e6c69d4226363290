/*
 * Inline copies of the address tests the engines make for every record
 * and packet: the exported mcast_addr_is_v4(), mcast_addr_family() and
 * mcast_addr_is_multicast() are calls across files (a symbol of the
 * shared library), 1-3 % of a profile of the record path. The exported
 * functions return these.
 */
#ifndef MCAST_CORE_ADDR_H
#define MCAST_CORE_ADDR_H

#include "mcast/core.h"

/* ::ffff:0:0/96 as two loads and two compares, not a call to memcmp */
static inline bool addr_is_v4(const struct mcast_addr *a)
{
	static const uint8_t mapped[4] = { 0, 0, 0xff, 0xff };
	uint64_t hi;
	uint32_t mid, want;
	__builtin_memcpy(&hi, a->b, 8);
	__builtin_memcpy(&mid, a->b + 8, 4);
	__builtin_memcpy(&want, mapped, 4);
	return hi == 0 && mid == want;
}

/* The splitmix64 finalizer: a full-avalanche 64-bit mix (the address
 * hashes are built from it, core/addr.c). */
static inline uint64_t addr_mix64(uint64_t x)
{
	x ^= x >> 30;
	x *= 0xbf58476d1ce4e5b9ull;
	x ^= x >> 27;
	x *= 0x94d049bb133111ebull;
	x ^= x >> 31;
	return x;
}

static inline uint64_t addr_load_be64(const uint8_t *p)
{
	uint64_t v;
	__builtin_memcpy(&v, p, 8);
	return __builtin_bswap64(v);
}

/* mcast_addr_cmp(), inlined where sorted lists are searched and merged:
 * two big-endian 64-bit compares in address order. */
static inline int addr_cmp(const struct mcast_addr *a, const struct mcast_addr *b)
{
	uint64_t x = addr_load_be64(a->b), y = addr_load_be64(b->b);
	if (x != y)
		return x < y ? -1 : 1;
	x = addr_load_be64(a->b + 8);
	y = addr_load_be64(b->b + 8);
	return x < y ? -1 : x > y;
}

static inline enum mcast_family addr_family(const struct mcast_addr *a)
{
	return addr_is_v4(a) ? MCAST_AF_INET : MCAST_AF_INET6;
}

static inline bool addr_is_multicast(const struct mcast_addr *a)
{
	if (addr_is_v4(a))
		return (a->b[12] & 0xf0) == 0xe0;
	return a->b[0] == 0xff;
}

/* For a multicast address: of link scope or less (IPv4 224.0.0.0/24,
 * IPv6 scope 0-2), the groups RFC 4605 4.1 keeps on their link. */
static inline bool addr_is_link_scoped(const struct mcast_addr *a)
{
	if (addr_is_v4(a))
		return a->b[12] == 224 && a->b[13] == 0 && a->b[14] == 0;
	return (a->b[1] & 0x0f) <= 2;
}

#endif
