/*
 * mcastglue.c - libmcast's host engine inside lwIP (see mcastglue.h).
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "lwip/igmp.h"
#include "lwip/ip.h"
#include "lwip/mld6.h"
#include "lwip/pbuf.h"
#include "lwip/prot/ip.h"
#include "lwip/prot/ip6.h"
#include "lwip/raw.h"
#include "lwip/tcpip.h"
#include "lwip/timeouts.h"
#include "groupmsg.h"
#include "mcastglue.h"

/* ---- time: lwIP's millisecond clock, widened ------------------------- */

static mcast_time_ms now_ms(struct mcastglue *g)
{
	uint32_t t = sys_now();
	if (t < g->last_ms)
		g->high_ms += (uint64_t)1 << 32;
	g->last_ms = t;
	return g->high_ms | t;
}

static void tick(void *arg);

/* One lwIP timeout at the engine's next deadline. Called after anything
 * that may have armed a timer: an engine's report is due "now" after a
 * socket call, so that calls made together share packed reports. */
static void schedule(struct mcastglue *g)
{
	sys_untimeout(tick, g);
	mcast_time_ms next = mcast_wheel_next(&g->wheel);
	if (next == MCAST_TIME_NEVER)
		return;
	mcast_time_ms now = now_ms(g);
	sys_timeout(next > now ? (u32_t)(next - now) : 0, tick, g);
}

static void tick(void *arg)
{
	struct mcastglue *g = arg;
	mcast_wheel_advance(&g->wheel, now_ms(g));
	schedule(g);
}

/* ---- addresses ------------------------------------------------------------ */

void mcastglue_addr(struct mcast_addr *out, const ip_addr_t *in)
{
	uint8_t b[16];
	if (IP_IS_V6(in)) {
		memcpy(b, ip_2_ip6(in)->addr, 16);
		mcast_addr_from_in6(out, b);
	} else {
		memcpy(b, &ip_2_ip4(in)->addr, 4);
		mcast_addr_from_in4(out, b);
	}
}

struct mcast_host *mcastglue_host(struct mcastglue *g, const struct mcast_addr *group)
{
	return g->host[mcast_addr_is_v4(group) ? 0 : 1];
}

/* ---- the engine's interface state mirrored into lwIP ------------------- */

static int mirror_find(const struct mcastglue *g, const struct mcast_addr *a)
{
	for (unsigned i = 0; i < g->nmirror; i++)
		if (mcast_addr_eq(&g->mirror[i], a))
			return (int)i;
	return -1;
}

/* After a call on group: lwIP holds the group exactly while the engine's
 * interface state for it is not INCLUDE {} (RFC 3376 3.2). */
static void sync_group(struct mcastglue *g, const struct mcast_addr *group)
{
	bool member = mcast_host_iface_state(mcastglue_host(g, group), g->ifindex, group, NULL, NULL,
					     0, NULL) == 0;
	int i = mirror_find(g, group);
	if (member == (i >= 0))
		return;
	uint8_t b[16];
	size_t len = mcast_addr_wire(group, b);
	err_t e;
	if (len == 4) {
		ip4_addr_t a;
		memcpy(&a.addr, b, 4);
		e = member ? igmp_joingroup_netif(g->netif, &a) : igmp_leavegroup_netif(g->netif, &a);
	} else {
		ip6_addr_t a;
		memset(&a, 0, sizeof(a));
		memcpy(a.addr, b, 16);
		e = member ? mld6_joingroup_netif(g->netif, &a) : mld6_leavegroup_netif(g->netif, &a);
	}
	if (e != ERR_OK) {
		char s[MCAST_ADDR_STRLEN];
		fprintf(stderr, "mcastglue: lwIP refused to %s %s: error %d\n", member ? "join" : "leave",
			mcast_addr_str(group, s), (int)e);
		return;
	}
	if (member && g->nmirror < MCASTGLUE_MAX_MIRROR)
		g->mirror[g->nmirror++] = *group;
	else if (!member)
		g->mirror[i] = g->mirror[--g->nmirror];
}

/* ---- out: the engine's datagrams through lwIP's IP output --------------- */

static void send_cb(void *ctx, unsigned ifindex, const uint8_t *pkt, size_t len)
{
	struct mcastglue *g = ctx;
	(void)ifindex;
	struct pbuf *p = pbuf_alloc(PBUF_LINK, (u16_t)len, PBUF_RAM);
	if (!p)
		return;
	memcpy(p->payload, pkt, len);
	g->dev->engine_tx = true;
	/* The header is the engine's (TTL/hop limit 1, Router Alert): lwIP
	 * takes it as it is and resolves the multicast MAC. */
	if ((pkt[0] >> 4) == 4)
		ip4_output_if(p, NULL, LWIP_IP_HDRINCL, 0, 0, 0, g->netif);
	else
		ip6_output_if(p, NULL, LWIP_IP_HDRINCL, 0, 0, 0, g->netif);
	g->dev->engine_tx = false;
	pbuf_free(p);
}

/* ---- in: IGMP and MLD taken ahead of lwIP's own ------------------------ */

/* p->payload is the IP header (lwIP 2.1 raw_input). Returns 1 when the
 * packet was the engine's (and freed), 0 to let lwIP go on with it. */
static u8_t raw_in(void *arg, struct raw_pcb *pcb, struct pbuf *p, const ip_addr_t *addr)
{
	struct mcastglue *g = arg;
	(void)pcb;
	(void)addr;
	uint8_t buf[1600];
	u16_t n = pbuf_copy_partial(p, buf, p->tot_len < sizeof(buf) ? p->tot_len : sizeof(buf), 0);
	if (!ip_group_message(buf, n))
		return 0; /* neighbour discovery and the rest: lwIP's */
	bool v4 = (buf[0] >> 4) == 4;
	if (p->tot_len > sizeof(buf)) {
		/* longer than any report an MTU of 1500 carries: taken from
		 * lwIP (its own IGMP/MLD must not see it either) and dropped */
		g->rx_oversized++;
		pbuf_free(p);
		return 1;
	}
	g->rx_packets++;
	/* The engine checks the rest (checksum, TTL/hop limit 1, Router
	 * Alert, source) and counts what it drops. */
	mcast_host_input(g->host[v4 ? 0 : 1], g->ifindex, buf, n);
	pbuf_free(p);
	schedule(g);
	return 1;
}

/* ---- set up ------------------------------------------------------------------ */

static void log_cb(void *ctx, enum mcast_log_level level, unsigned cat, const char *msg)
{
	(void)ctx;
	(void)cat;
	fprintf(stderr, "mcast[%d]: %s\n", (int)level, msg);
}

int mcastglue_init(struct mcastglue *g, struct netif *netif, struct tapdev *dev, unsigned debug)
{
	memset(g, 0, sizeof(*g));
	g->netif = netif;
	g->dev = dev;
	g->ifindex = netif_get_index(netif);
	mcast_wheel_init(&g->wheel, now_ms(g));
	g->log = (struct mcast_log){ .fn = log_cb, .debug_mask = debug };
	for (int f = 0; f < 2; f++) {
		enum mcast_family fam = f == 0 ? MCAST_AF_INET : MCAST_AF_INET6;
		struct mcast_host_env env = { .al = &mcast_alloc_libc, .wheel = &g->wheel, .log = &g->log,
					      .send = send_cb, .ctx = g, .seed = (uint64_t)sys_now() + (uint64_t)f };
		struct mcast_host_config c;
		mcast_host_config_default(&c, fam);
		g->host[f] = mcast_host_create(&env, &c, fam);
		if (!g->host[f]) {
			fprintf(stderr, "mcastglue: no memory for the host engine\n");
			return -1;
		}
		struct mcast_host_iface_config ic;
		mcast_host_iface_config_default(&ic);
		ic.mtu = netif->mtu;
		ip_addr_t a;
		if (f == 0)
			ip_addr_copy_from_ip4(a, *netif_ip4_addr(netif));
		else
			ip_addr_copy_from_ip6(a, *netif_ip6_addr(netif, 0));
		struct mcast_addr ma;
		mcastglue_addr(&ma, &a);
		char name[8];
		snprintf(name, sizeof(name), "%c%c%u", netif->name[0], netif->name[1], netif->num);
		int rc = mcast_host_iface_add(g->host[f], g->ifindex, name, &ma, &ic);
		if (rc < 0) {
			fprintf(stderr, "mcastglue: interface %s: %s\n", name, strerror(-rc));
			return -1;
		}
	}
	/* RFC 3810 5.2.2 (and 6): a node reports every group it listens to
	 * but ff02::1, the solicited-node ones of its addresses included.
	 * lwIP's ND would join them itself during duplicate address
	 * detection; here the engine holds them and reports them in MLDv2. */
	g->own6 = mcast_host_socket(g->host[1]);
	for (int i = 0; i < LWIP_IPV6_NUM_ADDRESSES; i++) {
		if (!ip6_addr_isvalid(netif_ip6_addr_state(netif, i)))
			continue;
		ip6_addr_t sn;
		ip6_addr_set_solicitednode(&sn, netif_ip6_addr(netif, i)->addr[3]);
		uint8_t b[16];
		memcpy(b, sn.addr, 16);
		struct mcast_addr ma;
		mcast_addr_from_in6(&ma, b);
		int rc = mcastglue_call(g, g->own6, "join", &ma, NULL);
		if (rc < 0 && rc != -EADDRINUSE) /* two addresses, one group */
			fprintf(stderr, "mcastglue: solicited-node join: %s\n", strerror(-rc));
	}
	/* IGMP: every packet of protocol 2. IPv6: MLD travels behind a
	 * hop-by-hop header (Router Alert, RFC 3810 5); lwIP's raw input
	 * matches the first next header, so both it and plain ICMPv6 are
	 * looked at, and all that is not MLD is given back. */
	g->pcb_igmp = raw_new_ip_type(IPADDR_TYPE_V4, IP_PROTO_IGMP);
	g->pcb_hbh = raw_new_ip_type(IPADDR_TYPE_V6, IP6_NEXTH_HOPBYHOP);
	g->pcb_icmp6 = raw_new_ip_type(IPADDR_TYPE_V6, IP6_NEXTH_ICMP6);
	if (!g->pcb_igmp || !g->pcb_hbh || !g->pcb_icmp6) {
		fprintf(stderr, "mcastglue: no raw PCB\n");
		return -1;
	}
	raw_recv(g->pcb_igmp, raw_in, g);
	raw_recv(g->pcb_hbh, raw_in, g);
	raw_recv(g->pcb_icmp6, raw_in, g);
	schedule(g);
	return 0;
}

/* ---- the socket calls ------------------------------------------------------- */

static void wake(void *arg)
{
	schedule(arg);
}

/* The application calls from its own thread with the core lock held.
 * lwIP's thread computed how long to sleep before this call armed the
 * engine's timer (a report is due at once after a change): a message in
 * its mailbox wakes it, and it re-arms the timeout from its own thread,
 * which is where lwIP wants sys_timeout() called. */
static void after_call(struct mcastglue *g, const struct mcast_addr *group)
{
	sync_group(g, group);
	if (tcpip_try_callback(wake, g) != ERR_OK)
		schedule(g); /* mailbox full: lwIP's thread is awake anyway */
}

int mcastglue_call(struct mcastglue *g, struct mcast_host_sock *s, const char *op,
		   const struct mcast_addr *group, const struct mcast_addr *source)
{
	struct mcast_host *h = mcastglue_host(g, group);
	int rc;
	if (strcmp(op, "join") == 0)
		rc = mcast_host_join(h, s, g->ifindex, group);
	else if (strcmp(op, "leave") == 0)
		rc = mcast_host_leave(h, s, g->ifindex, group);
	else if (!source)
		rc = -EINVAL;
	else if (strcmp(op, "join-source") == 0)
		rc = mcast_host_join_source(h, s, g->ifindex, group, source);
	else if (strcmp(op, "leave-source") == 0)
		rc = mcast_host_leave_source(h, s, g->ifindex, group, source);
	else if (strcmp(op, "block") == 0)
		rc = mcast_host_block(h, s, g->ifindex, group, source);
	else if (strcmp(op, "unblock") == 0)
		rc = mcast_host_unblock(h, s, g->ifindex, group, source);
	else
		rc = -EOPNOTSUPP;
	after_call(g, group);
	return rc;
}

int mcastglue_filter(struct mcastglue *g, struct mcast_host_sock *s, const struct mcast_addr *group,
		     enum mcast_filter_mode mode, const struct mcast_addr *srcs, size_t n)
{
	int rc = mcast_host_set_filter(mcastglue_host(g, group), s, g->ifindex, group, mode, srcs, n);
	after_call(g, group);
	return rc;
}

bool mcastglue_delivers(const struct mcastglue *g, const ip_addr_t *source, const ip_addr_t *group)
{
	struct mcast_addr s, d;
	mcastglue_addr(&s, source);
	mcastglue_addr(&d, group);
	return mcast_host_delivers(g->host[mcast_addr_is_v4(&d) ? 0 : 1], g->ifindex, &s, &d);
}
