/*
 * The Linux backend of mcastd: the kernel's multicast routing sockets
 * (mroute for IPv4, mroute6 for IPv6) and rtnetlink through libmnl.
 *
 * One struct lk_mroute per family holds the socket that owns the
 * kernel's table (MRT_INIT / MRT6_INIT). The same socket receives the
 * IGMP or MLD messages the router engine needs and the kernel's upcalls,
 * and sends the queries. Closing it (exit, crash, kill -9) makes the
 * kernel flush every VIF and entry it added: nothing of ours stays.
 */
#ifndef MCAST_LINUX_H
#define MCAST_LINUX_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "mcast/mroute.h"

/* The kernel's VIF limit (MAXVIFS / MAXMIFS in linux/mroute*.h). */
#define LK_MAXVIFS 32

struct lk_mroute {
	int fd;
	enum mcast_family family;
	uint32_t table;              /* the kernel's multicast routing table (253: the default one) */
	uint64_t errors;             /* kernel refusals of our changes */
	int queue_err;               /* -errno: the deep receive queue was refused */
};

/* What lk_mroute_recv_batch() read. */
struct lk_msg {
	enum { LK_NONE, LK_PACKET, LK_UPCALL } kind;
	unsigned ifindex;            /* LK_PACKET: arrival interface */
	const uint8_t *pkt;          /* LK_PACKET: the whole IP datagram */
	size_t len;
	struct mcast_upcall up;      /* LK_UPCALL */
};

/* Opens the socket and takes the kernel's table. -errno, with err set. */
/* table 0 or 253 is the kernel's default table; another one is chosen
 * with MRT_TABLE / MRT6_TABLE before MRT_INIT. */
#define LK_TABLE_DEFAULT 253u
/* IPv6's default table is another: RT6_TABLE_DFLT, the main one; the
 * code names the default table 253 for both families and maps it. */
#define LK_TABLE6_DEFAULT 254u
int lk_mroute_open(struct lk_mroute *k, enum mcast_family f, uint32_t table, char *err, size_t errlen);
/* Closing gives the table back (MRT_DONE) and the kernel flushes it
 * (also when MRT_DONE fails: the close does it). 0 or -errno. */
int lk_mroute_close(struct lk_mroute *k);

int lk_vif_add(struct lk_mroute *k, uint16_t vif, unsigned ifindex, uint8_t threshold);
int lk_vif_del(struct lk_mroute *k, uint16_t vif);
int lk_mfc_set(struct lk_mroute *k, const struct mcast_addr *s, const struct mcast_addr *g,
	       uint16_t iif, const struct mcast_mfc_oif *oifs, size_t n);
int lk_mfc_del(struct lk_mroute *k, const struct mcast_addr *s, const struct mcast_addr *g);
int lk_mfc_stats(struct lk_mroute *k, const struct mcast_addr *s, const struct mcast_addr *g,
		 struct mcast_mfc_stats *st);
/* Joins the link-scope groups g[0..n) on an interface (224.0.0.22,
 * ff02::16, the all-routers groups) so that reports reach us: on a socket
 * of the interface's own, since Linux allows a socket 20 IPv4 memberships
 * (net.ipv4.igmp_max_memberships); closing it leaves them. The socket, or
 * -errno with err naming the group. */
int lk_link_joins(enum mcast_family f, unsigned ifindex, const struct mcast_addr *g, size_t n, char *err,
		  size_t errlen);
/*
 * Reads up to LK_RX_BATCH messages with one recvmmsg(2) into rx's slots:
 * *n messages, each msgs[i] a datagram with its arrival interface
 * (LK_PACKET; IPv6 ones with their IPv6 and hop-by-hop headers rebuilt
 * from the ancillary data), an upcall (LK_UPCALL), or LK_NONE for what
 * is not ours and for a datagram larger than a slot, counted in
 * *truncated. msgs point into rx until its next
 * use. 0, -EAGAIN when nothing waits, -errno.
 */
#define LK_RX_BATCH 16
#define LK_RX_SLOT (40 + 2048 + 9216) /* a 9000-byte jumbo frame's message and its rebuilt header */
struct lk_rx;
struct lk_rx *lk_rx_new(void);
void lk_rx_free(struct lk_rx *rx);
int lk_mroute_recv_batch(struct lk_mroute *k, struct lk_rx *rx, struct lk_msg *msgs, size_t *n,
			 uint64_t *truncated);
/* Sends a whole IP datagram built by libmcast (Router Alert, TTL or hop
 * limit 1, our source address) out of ifindex. */
int lk_mroute_send(struct lk_mroute *k, unsigned ifindex, const uint8_t *pkt, size_t len);

/*
 * The IGMP tap. Linux hands an IGMP message to the routing socket only
 * when its IP layer accepts the datagram: a group we joined (224.0.0.1,
 * .2, .22) or, for other groups, an interface with a VIF (mc_forwarding).
 * So without a VIF (VIFs on demand) the IGMPv1/v2 reports and leaves
 * sent to the group address itself are lost. The tap is a packet socket
 * that takes, by a socket filter, only IGMP to groups beyond 224.0.0.0/24
 * arriving from the link. -errno with err set, or the descriptor.
 */
int lk_igmp_tap_open(char *err, size_t errlen);
/* One datagram into buf (the IP header on): its length, 0 when there was
 * nothing for us, or -errno (-EAGAIN: no more). */
int lk_igmp_tap_recv(int fd, uint8_t *buf, size_t cap, unsigned *ifindex);

/* ---- rtnetlink --------------------------------------------------------- */

struct lk_link {
	unsigned ifindex;
	char name[16];
	bool up;                     /* IFF_UP and IFF_RUNNING */
	bool multicast;
	uint32_t mtu;
};

struct lk_addr {
	unsigned ifindex;
	struct mcast_addr addr;
	bool secondary;              /* IFA_F_SECONDARY (IPv4) */
	bool tentative;              /* IFA_F_TENTATIVE (IPv6 DAD not done) */
};

struct lk_nl_handler {
	void (*link)(void *ctx, const struct lk_link *l, bool gone);
	void (*addr)(void *ctx, const struct lk_addr *a, bool gone);
	void *ctx;
};

struct lk_nl;

/* Opens a netlink socket subscribed to link and address changes. */
struct lk_nl *lk_nl_open(char *err, size_t errlen);
void lk_nl_close(struct lk_nl *nl);
int lk_nl_fd(const struct lk_nl *nl);
/* Dumps every link, then every address, through h. 0 or -errno. */
int lk_nl_dump(struct lk_nl *nl, const struct lk_nl_handler *h);
/* Reads the pending notifications through h. 0 or -errno (-ENOBUFS:
 * the kernel dropped notifications; dump again). */
int lk_nl_read(struct lk_nl *nl, const struct lk_nl_handler *h);

/* ---- the kernel's multicast routing state, read back ------------------ */

/* One entry of the kernel's forwarding cache, from an rtnetlink dump
 * (RTM_GETROUTE with family RTNL_FAMILY_IPMR / RTNL_FAMILY_IP6MR). */
struct lk_mfc {
	struct mcast_addr source, group;
	unsigned iif;                /* ifindex of the incoming VIF's device, 0 if none */
	unsigned noifs;
	struct {
		unsigned ifindex;
		uint8_t ttl;
	} oif[LK_MAXVIFS];           /* sorted by ifindex */
	uint64_t pkts, bytes, wrong_if;
};

/* Dumps the kernel's resolved entries of the default table through fn.
 * The dump has its own socket, so notifications are never mixed in; a
 * kernel that does not answer within a second ends it with -ETIMEDOUT.
 * 0 or -errno. */
int lk_nl_mfc_dump(struct lk_nl *nl, enum mcast_family f, uint32_t table, void (*fn)(void *ctx, const struct lk_mfc *e),
		   void *ctx);

/* One VIF (MIF) of the kernel, from /proc/net/ip_mr_vif or ip6_mr_vif. */
struct lk_vif {
	bool used;
	char name[16];
	uint64_t bytes_in, pkts_in, bytes_out, pkts_out;
	uint32_t flags;
	uint32_t local;              /* as the file prints it (IPv4) */
};

/* Reads the kernel's VIFs of the default table into vifs[LK_MAXVIFS].
 * 0 or -errno. */
int lk_vif_read(enum mcast_family f, struct lk_vif vifs[LK_MAXVIFS]);
/*
 * The policy rules (ip mrule / ip -6 mrule) that send what arrives on
 * each named interface to the table: added (an existing one is fine),
 * or all of the table's removed (add false, names ignored). 0 or -errno.
 */
int lk_nl_rules(struct lk_nl *nl, enum mcast_family f, uint32_t table, const char *const *ifnames, size_t n,
		bool add);
/* The kernel's VIFs of the socket's table by ioctl (SIOCGETVIFCNT /
 * SIOCGETMIFCNT_IN6): which exist and their counters; no names (the
 * /proc files show only the default table). 0 or -errno. */
int lk_vif_read_ioctl(const struct lk_mroute *k, struct lk_vif vifs[LK_MAXVIFS]);

#endif
