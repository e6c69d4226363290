/* Helpers shared by the wire layer's files; not part of the API. */
#ifndef MCAST_WIRE_INTERNAL_H
#define MCAST_WIRE_INTERNAL_H

#include "mcast/wire.h"
#include "core/addr.h"

static inline uint16_t wire_be16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

static inline void wire_put16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

/* Reads a 4- or 16-byte address of the profile's family. */
static inline void wire_get_addr(const struct mcast_profile *pf, const uint8_t *p,
				 struct mcast_addr *a)
{
	if (pf->alen == 4)
		mcast_addr_from_in4(a, p);
	else
		mcast_addr_from_in6(a, p);
}

static inline void wire_put_addr(const struct mcast_profile *pf, uint8_t *p,
				 const struct mcast_addr *a)
{
	__builtin_memcpy(p, pf->alen == 4 ? a->b + 12 : a->b, pf->alen);
}

bool mcast_ip_icmp6_cksum_ok(const struct mcast_ip_info *ip);

/* mcast_report_add() of a record without sources or auxiliary data, for
 * the engines, whose groups are valid by construction (multicast, of the
 * builder's family; mcast_report_init() checked that the MTU holds a
 * record): no checks, no loops. The commonest record of a report: an
 * any-source join or leave (TO_EX {}, TO_IN {}, IS_EX {}). */
void wire_report_add_group(struct mcast_report_builder *rb, uint8_t type, const struct mcast_addr *group);

#endif
