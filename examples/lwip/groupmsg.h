/*
 * groupmsg.h - is an IP datagram group management: IGMP (IPv4 protocol
 * 2) or MLD (RFC 3810 5: ICMPv6 types 130, 131, 132, 143, behind the
 * IPv6 header and any hop-by-hop header)? Shared by the driver (which
 * keeps lwIP's own IGMP/MLD off the wire) and the glue (which takes
 * them ahead of lwIP's input).
 */
#ifndef GROUPMSG_H
#define GROUPMSG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

static inline bool ip_group_message(const uint8_t *ip, size_t n)
{
	if (n >= 20 && (ip[0] >> 4) == 4)
		return ip[9] == 2;
	if (n < 40 || (ip[0] >> 4) != 6)
		return false;
	unsigned nh = ip[6];
	size_t off = 40;
	while (nh == 0 && off + 8 <= n) { /* hop-by-hop options */
		nh = ip[off];
		off += ((size_t)ip[off + 1] + 1) * 8;
	}
	return nh == 58 && off < n &&
	       (ip[off] == 130 || ip[off] == 131 || ip[off] == 132 || ip[off] == 143);
}

#endif
