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

/* ::ffff:0:0/96 as one load and four byte compares, not a call to memcmp */
static inline bool addr_is_v4(const struct mcast_addr *a)
{
	uint64_t hi;
	__builtin_memcpy(&hi, a->b, 8);
	return hi == 0 && a->b[8] == 0 && a->b[9] == 0 && a->b[10] == 0xff && a->b[11] == 0xff;
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

#endif
