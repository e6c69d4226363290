/*
 * tapdev - an lwIP netif driver for a Linux TAP device, with the
 * multicast MAC filter a NIC has in hardware kept in software: frames to
 * a multicast MAC address lwIP has not asked for (netif->igmp_mac_filter,
 * netif->mld_mac_filter) are dropped before lwIP sees them.
 */
#ifndef TAPDEV_H
#define TAPDEV_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>

#include "lwip/netif.h"

#define TAPDEV_MAX_FILTERS 64

struct tapdev {
	int fd;
	char name[16];
	uint8_t mac[6];
	struct netif *netif;
	pthread_t rx;
	pthread_mutex_t lock; /* the filter: written under lwIP's core lock, read by rx */
	struct {
		uint8_t mac[6];
		unsigned refs;
	} filter[TAPDEV_MAX_FILTERS];
	unsigned nfilter;
	/* While set, IGMP and MLD frames go out: they are libmcast's. lwIP's
	 * own IGMPv2/MLDv1 messages (sent when mcastglue mirrors a membership
	 * into lwIP's tables) are kept off the wire. Core lock held. */
	bool engine_tx;
	uint64_t rx_frames, rx_filtered, tx_frames, tx_suppressed;
};

/* Attaches to (or creates) the TAP device name. 0, or -1 with errno. */
int tapdev_open(struct tapdev *t, const char *name, const uint8_t mac[6]);
/* The netif init function for netif_add(); netif->state is the tapdev. */
err_t tapdev_init(struct netif *netif);
/* Starts the receive thread, which hands frames to netif->input
 * (tcpip_input: lwIP's thread takes them from there). */
int tapdev_start(struct tapdev *t);

#endif
