/*
 * mcastglue - libmcast's host engine as lwIP's IGMPv3 and MLDv2.
 *
 * lwIP 2.1 speaks IGMPv2 and MLDv1 and has no source filters. This glue
 * gives one lwIP netif the whole RFC 3376/3810 host side and the RFC 3678
 * socket calls, with lwIP's own code left as Debian builds it:
 *
 *   in    raw PCBs (IGMP; IPv6 hop-by-hop and ICMPv6) see every IGMP and
 *         MLD packet before igmp_input()/mld6_input() and hand it to the
 *         engine, which answers queries; lwIP's IGMP/MLD never sees one.
 *   out   the engine's reports (whole datagrams with Router Alert) go
 *         through ip4_output_if()/ip6_output_if() with the header
 *         included, so lwIP resolves the MAC and sends them.
 *   state the groups of the engine's interface state are mirrored into
 *         lwIP's group tables (igmp_joingroup_netif, mld6_joingroup_netif),
 *         which is what makes ip4_input/ip6_input accept the group and
 *         what updates the driver's MAC filter; the driver keeps the
 *         IGMPv2/MLDv1 messages lwIP sends for those joins off the wire.
 *   time  one lwIP timeout (sys_timeout) at the engine's next deadline.
 *
 * Threading: every function here runs with lwIP's core lock held (in
 * lwIP's thread, or between LOCK_TCPIP_CORE and UNLOCK_TCPIP_CORE).
 */
#ifndef MCASTGLUE_H
#define MCASTGLUE_H

#include <mcast/host.h>

#include "lwip/ip_addr.h"
#include "lwip/netif.h"
#include "tapdev.h"

#define MCASTGLUE_MAX_MIRROR 256

struct mcastglue {
	struct netif *netif;
	struct tapdev *dev;
	unsigned ifindex;
	struct mcast_wheel wheel;
	struct mcast_log log;
	struct mcast_host *host[2];      /* [0] IPv4, [1] IPv6 */
	struct mcast_host_sock *own6;    /* the solicited-node groups' joins */
	struct raw_pcb *pcb_igmp, *pcb_hbh, *pcb_icmp6;
	uint32_t last_ms;                /* sys_now() extended to 64 bits */
	uint64_t high_ms;
	struct mcast_addr mirror[MCASTGLUE_MAX_MIRROR]; /* groups joined in lwIP */
	unsigned nmirror;
	uint64_t rx_packets;             /* IGMP/MLD packets taken from lwIP's input */
	uint64_t rx_oversized;           /* and dropped: longer than the glue's 1600-byte copy */
};

/* Creates the engines for netif (its IPv4 address and IPv6 link-local
 * address 0 must be set) and joins the solicited-node group of each
 * IPv6 address. 0, or -1 with a message on stderr. */
int mcastglue_init(struct mcastglue *g, struct netif *netif, struct tapdev *dev, unsigned debug);

/* The RFC 3678 calls on one socket (mcast_host_socket() of g->host[f]).
 * op: join, leave, join-source, leave-source, block, unblock. Returns
 * the engine's result (0 or -errno). */
int mcastglue_call(struct mcastglue *g, struct mcast_host_sock *s, const char *op,
		   const struct mcast_addr *group, const struct mcast_addr *source);
int mcastglue_filter(struct mcastglue *g, struct mcast_host_sock *s, const struct mcast_addr *group,
		     enum mcast_filter_mode mode, const struct mcast_addr *srcs, size_t n);
/* Would the application's sockets take this datagram (RFC 3678 filters)? */
bool mcastglue_delivers(const struct mcastglue *g, const ip_addr_t *source, const ip_addr_t *group);

void mcastglue_addr(struct mcast_addr *out, const ip_addr_t *in);
struct mcast_host *mcastglue_host(struct mcastglue *g, const struct mcast_addr *group);

#endif
