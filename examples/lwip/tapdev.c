/*
 * tapdev.c - the TAP netif driver (see tapdev.h).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <linux/if.h>
#include <linux/if_tun.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "lwip/etharp.h"
#include "lwip/ethip6.h"
#include "lwip/pbuf.h"
#include "lwip/tcpip.h"
#include "groupmsg.h"
#include "tapdev.h"

int tapdev_open(struct tapdev *t, const char *name, const uint8_t mac[6])
{
	memset(t, 0, sizeof(*t));
	pthread_mutex_init(&t->lock, NULL);
	memcpy(t->mac, mac, 6);
	snprintf(t->name, sizeof(t->name), "%s", name);
	t->fd = open("/dev/net/tun", O_RDWR | O_CLOEXEC);
	if (t->fd < 0)
		return -1;
	struct ifreq ifr;
	memset(&ifr, 0, sizeof(ifr));
	ifr.ifr_flags = IFF_TAP | IFF_NO_PI;
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", name);
	if (ioctl(t->fd, TUNSETIFF, &ifr) < 0) {
		int e = errno;
		close(t->fd);
		errno = e;
		return -1;
	}
	return 0;
}

/* ---- the multicast MAC filter ---------------------------------------- */

static void filter_change(struct tapdev *t, const uint8_t mac[6], bool add)
{
	pthread_mutex_lock(&t->lock);
	unsigned i;
	for (i = 0; i < t->nfilter; i++)
		if (memcmp(t->filter[i].mac, mac, 6) == 0)
			break;
	if (add) {
		if (i < t->nfilter)
			t->filter[i].refs++;
		else if (t->nfilter < TAPDEV_MAX_FILTERS) {
			memcpy(t->filter[t->nfilter].mac, mac, 6);
			t->filter[t->nfilter++].refs = 1;
		} else
			fprintf(stderr, "tapdev: multicast filter full\n");
	} else if (i < t->nfilter && --t->filter[i].refs == 0)
		t->filter[i] = t->filter[--t->nfilter];
	pthread_mutex_unlock(&t->lock);
}

static bool filter_has(struct tapdev *t, const uint8_t mac[6])
{
	pthread_mutex_lock(&t->lock);
	bool found = false;
	for (unsigned i = 0; i < t->nfilter && !found; i++)
		found = memcmp(t->filter[i].mac, mac, 6) == 0;
	pthread_mutex_unlock(&t->lock);
	return found;
}

/* RFC 1112 6.4: 01:00:5e and the group's low 23 bits. */
static err_t igmp_mac_filter(struct netif *netif, const ip4_addr_t *group,
			     enum netif_mac_filter_action action)
{
	const uint8_t *g = (const uint8_t *)&group->addr;
	uint8_t mac[6] = { 0x01, 0x00, 0x5e, (uint8_t)(g[1] & 0x7f), g[2], g[3] };
	filter_change(netif->state, mac, action == NETIF_ADD_MAC_FILTER);
	return ERR_OK;
}

/* RFC 2464 7: 33:33 and the group's last 32 bits. */
static err_t mld_mac_filter(struct netif *netif, const ip6_addr_t *group,
			    enum netif_mac_filter_action action)
{
	const uint8_t *g = (const uint8_t *)group->addr;
	uint8_t mac[6] = { 0x33, 0x33, g[12], g[13], g[14], g[15] };
	filter_change(netif->state, mac, action == NETIF_ADD_MAC_FILTER);
	return ERR_OK;
}

/* ---- sending ------------------------------------------------------------ */

/* Is this Ethernet frame an IGMP or MLD message? */
static bool group_management(const uint8_t *f, size_t n)
{
	if (n < 14)
		return false;
	unsigned type = (unsigned)f[12] << 8 | f[13];
	return (type == 0x0800 || type == 0x86dd) && ip_group_message(f + 14, n - 14);
}

static err_t linkoutput(struct netif *netif, struct pbuf *p)
{
	struct tapdev *t = netif->state;
	uint8_t buf[1600];
	if (p->tot_len > sizeof(buf))
		return ERR_BUF;
	u16_t n = pbuf_copy_partial(p, buf, p->tot_len, 0);
	if (!t->engine_tx && group_management(buf, n)) {
		t->tx_suppressed++;
		return ERR_OK;
	}
	if (write(t->fd, buf, n) != (ssize_t)n)
		return ERR_IF;
	t->tx_frames++;
	return ERR_OK;
}

err_t tapdev_init(struct netif *netif)
{
	struct tapdev *t = netif->state;
	t->netif = netif;
	netif->name[0] = 't';
	netif->name[1] = 'p';
	netif->hwaddr_len = 6;
	memcpy(netif->hwaddr, t->mac, 6);
	netif->mtu = 1500;
	netif->flags = NETIF_FLAG_BROADCAST | NETIF_FLAG_ETHARP | NETIF_FLAG_ETHERNET |
		       NETIF_FLAG_IGMP | NETIF_FLAG_MLD6;
	netif->output = etharp_output;
	netif->output_ip6 = ethip6_output;
	netif->linkoutput = linkoutput;
	netif_set_igmp_mac_filter(netif, igmp_mac_filter);
	netif_set_mld_mac_filter(netif, mld_mac_filter);
	/* lwIP takes ff02::1 without joining it: let its frames in. */
	ip6_addr_t all_nodes;
	ip6_addr_set_allnodes_linklocal(&all_nodes);
	mld_mac_filter(netif, &all_nodes, NETIF_ADD_MAC_FILTER);
	return ERR_OK;
}

/* ---- receiving ------------------------------------------------------------ */

static void *rx_thread(void *arg)
{
	struct tapdev *t = arg;
	uint8_t buf[1600];
	for (;;) {
		ssize_t n = read(t->fd, buf, sizeof(buf));
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			perror("tapdev: read");
			return NULL;
		}
		if (n < 14)
			continue;
		__atomic_add_fetch(&t->rx_frames, 1, __ATOMIC_RELAXED);
		static const uint8_t bcast[6] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };
		bool ok = (buf[0] & 1) ? memcmp(buf, bcast, 6) == 0 || filter_has(t, buf)
				       : memcmp(buf, t->mac, 6) == 0;
		if (!ok) {
			__atomic_add_fetch(&t->rx_filtered, 1, __ATOMIC_RELAXED);
			continue;
		}
		/* One contiguous buffer of the frame's size (PBUF_RAM): with
		 * Debian's build a PBUF_POOL allocation of a full-size frame
		 * overruns its pool element on the copy (ASan found it with
		 * the fragments of a 3,000-byte datagram). */
		struct pbuf *p = pbuf_alloc(PBUF_RAW, (u16_t)n, PBUF_RAM);
		if (!p)
			continue;
		pbuf_take(p, buf, (u16_t)n);
		if (t->netif->input(p, t->netif) != ERR_OK)
			pbuf_free(p);
	}
}

int tapdev_start(struct tapdev *t)
{
	return pthread_create(&t->rx, NULL, rx_thread, t);
}
