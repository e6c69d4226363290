/*
 * lwip-mcast - an lwIP host on a TAP device whose IGMP and MLD are
 * libmcast's (IGMPv3, MLDv2, RFC 3678 source filters; mcastglue.c), with
 * a small application: it takes socket calls on standard input, one per
 * line, and counts the UDP datagrams its filters let through.
 *
 *   lwip-mcast --tap NAME --mac MAC --ip ADDR/LEN --ip6 ADDR [--port N] [--debug]
 *
 * Commands (each answered by one line "ok" or "error: ..."):
 *   join G | leave G                          any-source membership
 *   join-source G S | leave-source G S        source-specific (SSM)
 *   block G S | unblock G S                   sources excluded from an ASM join
 *   filter G include|exclude [S...]           setsourcefilter()
 *   state G          "state G include|exclude S..." or "state G none"
 *   counts           "count G S N" per group and source received, then "end"
 *   stats            "stats v4|v6 KEY=N..." (the engines), "stats dev ..."
 *   quit
 */
#define _GNU_SOURCE
#include <errno.h>
#include <getopt.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lwip/init.h"
#include "lwip/tcpip.h"
#include "lwip/udp.h"
#include "mcastglue.h"
#include "tapdev.h"

static struct netif nif;
static struct tapdev dev;
static struct mcastglue glue;
static struct mcast_host_sock *sock[2]; /* the application's socket, per family */

/* What the application received, per (group, source); under the core lock. */
#define MAX_FLOWS 64
static struct flow {
	struct mcast_addr group, source;
	uint64_t count;
} flows[MAX_FLOWS];
static unsigned nflows;
static uint64_t not_delivered; /* arrived, but no socket's filter takes it */

static void udp_in(void *arg, struct udp_pcb *pcb, struct pbuf *p, const ip_addr_t *addr, u16_t port)
{
	(void)arg;
	(void)pcb;
	(void)port;
	const ip_addr_t *dst = ip_current_dest_addr();
	struct mcast_addr g, s;
	mcastglue_addr(&g, dst);
	mcastglue_addr(&s, addr);
	if (mcast_addr_is_multicast(&g)) {
		/* lwIP matched the group only: the sources are the filters'. */
		if (!mcastglue_delivers(&glue, addr, dst))
			not_delivered++;
		else {
			unsigned i;
			for (i = 0; i < nflows; i++)
				if (mcast_addr_eq(&flows[i].group, &g) && mcast_addr_eq(&flows[i].source, &s))
					break;
			if (i == nflows && nflows < MAX_FLOWS)
				flows[nflows++] = (struct flow){ .group = g, .source = s };
			if (i < nflows)
				flows[i].count++;
		}
	}
	pbuf_free(p);
}

static pthread_mutex_t ready_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t ready_cond = PTHREAD_COND_INITIALIZER;
static int ready;

static void tcpip_ready(void *arg)
{
	(void)arg;
	pthread_mutex_lock(&ready_lock);
	ready = 1;
	pthread_cond_signal(&ready_cond);
	pthread_mutex_unlock(&ready_lock);
}

static int parse_mac(uint8_t mac[6], const char *s)
{
	unsigned v[6];
	if (sscanf(s, "%x:%x:%x:%x:%x:%x", &v[0], &v[1], &v[2], &v[3], &v[4], &v[5]) != 6)
		return -1;
	for (int i = 0; i < 6; i++) {
		if (v[i] > 255)
			return -1;
		mac[i] = (uint8_t)v[i];
	}
	return 0;
}

static void usage(void)
{
	fprintf(stderr, "usage: lwip-mcast --tap NAME --mac MAC --ip ADDR/LEN --ip6 ADDR [--port N] [--debug]\n");
	exit(2);
}

/* ---- the command loop -------------------------------------------------------- */

static void answer(int rc)
{
	if (rc == 0)
		printf("ok\n");
	else
		printf("error: %s\n", strerror(-rc));
}

static int addr_arg(struct mcast_addr *a, const char *s)
{
	return s && mcast_addr_parse(a, s) == 0 ? 0 : -1;
}

static void print_stats(const char *name, struct mcast_host *h)
{
	const struct mcast_host_stats *st = mcast_host_stats(h, glue.ifindex);
	struct mcast_addr q;
	mcast_time_ms ago;
	char qs[MCAST_ADDR_STRLEN] = "none";
	if (mcast_host_querier(h, glue.ifindex, &q, &ago) == 0)
		mcast_addr_str(&q, qs);
	unsigned long long drops = 0;
	for (int i = 0; i < MCAST_DROP__COUNT; i++)
		drops += st->drop.count[i];
	printf("stats %s rx_queries=%llu rx_reports=%llu tx_reports=%llu tx_leaves=%llu version=%d querier=%s "
	       "drops=%llu\n",
	       name, (unsigned long long)st->rx_queries, (unsigned long long)st->rx_reports,
	       (unsigned long long)st->tx_reports, (unsigned long long)st->tx_leaves,
	       mcast_host_version(h, glue.ifindex), qs, drops);
}

static void command(char *line)
{
	char *w[80];
	int n = 0;
	for (char *t = strtok(line, " \t\n"); t && n < 80; t = strtok(NULL, " \t\n"))
		w[n++] = t;
	if (n == 0)
		return;
	struct mcast_addr g, s, srcs[64];
	if (strcmp(w[0], "counts") == 0) {
		for (unsigned i = 0; i < nflows; i++) {
			char a[MCAST_ADDR_STRLEN], b[MCAST_ADDR_STRLEN];
			printf("count %s %s %llu\n", mcast_addr_str(&flows[i].group, a),
			       mcast_addr_str(&flows[i].source, b), (unsigned long long)flows[i].count);
		}
		printf("count not-delivered %llu\nend\n", (unsigned long long)not_delivered);
	} else if (strcmp(w[0], "stats") == 0) {
		print_stats("v4", glue.host[0]);
		print_stats("v6", glue.host[1]);
		printf("stats dev rx_frames=%llu rx_filtered=%llu tx_frames=%llu tx_suppressed=%llu taken=%llu "
		       "oversized=%llu\nend\n",
		       (unsigned long long)__atomic_load_n(&dev.rx_frames, __ATOMIC_RELAXED),
		       (unsigned long long)__atomic_load_n(&dev.rx_filtered, __ATOMIC_RELAXED),
		       (unsigned long long)dev.tx_frames, (unsigned long long)dev.tx_suppressed,
		       (unsigned long long)glue.rx_packets, (unsigned long long)glue.rx_oversized);
	} else if (strcmp(w[0], "state") == 0 && n == 2 && addr_arg(&g, w[1]) == 0) {
		enum mcast_filter_mode mode;
		size_t k = 0;
		int rc = mcast_host_iface_state(mcastglue_host(&glue, &g), glue.ifindex, &g, &mode, srcs, 64, &k);
		printf("state %s %s", w[1], rc < 0 ? "none" : mode == MCAST_MODE_INCLUDE ? "include" : "exclude");
		for (size_t i = 0; rc == 0 && i < k && i < 64; i++) {
			char a[MCAST_ADDR_STRLEN];
			printf(" %s", mcast_addr_str(&srcs[i], a));
		}
		printf("\n");
	} else if (strcmp(w[0], "filter") == 0 && n >= 3 && addr_arg(&g, w[1]) == 0 &&
		   (strcmp(w[2], "include") == 0 || strcmp(w[2], "exclude") == 0) && n - 3 <= 64) {
		size_t k = 0;
		for (int i = 3; i < n; i++)
			if (addr_arg(&srcs[k++], w[i]) < 0) {
				printf("error: bad source address %s\n", w[i]);
				return;
			}
		answer(mcastglue_filter(&glue, sock[mcast_addr_is_v4(&g) ? 0 : 1], &g,
					strcmp(w[2], "include") == 0 ? MCAST_MODE_INCLUDE : MCAST_MODE_EXCLUDE,
					srcs, k));
	} else if ((n == 2 || n == 3) && addr_arg(&g, w[1]) == 0) {
		if (n == 3 && addr_arg(&s, w[2]) < 0) {
			printf("error: bad source address %s\n", w[2]);
			return;
		}
		int rc = mcastglue_call(&glue, sock[mcast_addr_is_v4(&g) ? 0 : 1], w[0], &g, n == 3 ? &s : NULL);
		if (rc == -EOPNOTSUPP)
			printf("error: unknown command %s\n", w[0]);
		else
			answer(rc);
	} else
		printf("error: cannot parse \"%s\" (see the commands in main.c)\n", w[0]);
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "tap", required_argument, NULL, 't' }, { "mac", required_argument, NULL, 'm' },
		{ "ip", required_argument, NULL, '4' },  { "ip6", required_argument, NULL, '6' },
		{ "port", required_argument, NULL, 'p' }, { "debug", no_argument, NULL, 'd' },
		{ NULL, 0, NULL, 0 },
	};
	const char *tap = NULL, *ip = NULL, *ip6 = NULL;
	uint8_t mac[6] = { 0x02, 0, 0, 0, 0, 0x01 };
	unsigned port = 5001, debug = 0;
	int c;
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (c) {
		case 't': tap = optarg; break;
		case 'm': if (parse_mac(mac, optarg) < 0) usage(); break;
		case '4': ip = optarg; break;
		case '6': ip6 = optarg; break;
		case 'p': port = (unsigned)atoi(optarg); break;
		case 'd': debug = ~0u; break;
		default: usage();
		}
	}
	if (!tap || !ip || !ip6 || optind != argc)
		usage();
	char ipbuf[32];
	snprintf(ipbuf, sizeof(ipbuf), "%s", ip);
	char *slash = strchr(ipbuf, '/');
	int plen = slash ? atoi(slash + 1) : 24;
	if (slash)
		*slash = 0;
	ip4_addr_t a4, mask, gw;
	ip6_addr_t a6;
	if (!ip4addr_aton(ipbuf, &a4) || plen < 1 || plen > 32 || !ip6addr_aton(ip6, &a6)) {
		fprintf(stderr, "lwip-mcast: bad address %s or %s\n", ip, ip6);
		return 2;
	}
	ip4_addr_set_u32(&mask, lwip_htonl(0xffffffffu << (32 - plen)));
	ip4_addr_set_zero(&gw);

	if (tapdev_open(&dev, tap, mac) < 0) {
		fprintf(stderr, "lwip-mcast: TAP device %s: %s\n", tap, strerror(errno));
		return 1;
	}
	tcpip_init(tcpip_ready, NULL);
	pthread_mutex_lock(&ready_lock);
	while (!ready)
		pthread_cond_wait(&ready_cond, &ready_lock);
	pthread_mutex_unlock(&ready_lock);

	LOCK_TCPIP_CORE();
	netif_add(&nif, &a4, &mask, &gw, &dev, tapdev_init, tcpip_input);
	netif_set_default(&nif);
	/* Both addresses preferred at once (no duplicate address detection
	 * here): the engine needs the link-local one as its MLD source. */
	netif_create_ip6_linklocal_address(&nif, 1);
	netif_ip6_addr_set_state(&nif, 0, IP6_ADDR_PREFERRED);
	s8_t idx;
	if (netif_add_ip6_address(&nif, &a6, &idx) != ERR_OK) {
		fprintf(stderr, "lwip-mcast: cannot add %s\n", ip6);
		return 1;
	}
	netif_ip6_addr_set_state(&nif, idx, IP6_ADDR_PREFERRED);
	netif_set_link_up(&nif);
	netif_set_up(&nif);
	if (mcastglue_init(&glue, &nif, &dev, debug) < 0)
		return 1;
	sock[0] = mcast_host_socket(glue.host[0]);
	sock[1] = mcast_host_socket(glue.host[1]);
	struct udp_pcb *u = udp_new_ip_type(IPADDR_TYPE_ANY);
	if (!sock[0] || !sock[1] || !u || udp_bind(u, IP_ANY_TYPE, (u16_t)port) != ERR_OK) {
		fprintf(stderr, "lwip-mcast: cannot set up the sockets\n");
		return 1;
	}
	udp_recv(u, udp_in, NULL);
	UNLOCK_TCPIP_CORE();
	if (tapdev_start(&dev) != 0) {
		fprintf(stderr, "lwip-mcast: cannot start the receive thread\n");
		return 1;
	}
	printf("ready %s\n", tap);
	fflush(stdout);

	char line[1024];
	while (fgets(line, sizeof(line), stdin)) {
		if (strncmp(line, "quit", 4) == 0)
			break;
		LOCK_TCPIP_CORE();
		command(line);
		UNLOCK_TCPIP_CORE();
		fflush(stdout);
	}
	/* Leaving: the engines' leaves go out before the process ends. */
	LOCK_TCPIP_CORE();
	mcast_host_close(glue.host[0], sock[0]);
	mcast_host_close(glue.host[1], sock[1]);
	mcast_host_flush(glue.host[0], true);
	mcast_host_flush(glue.host[1], true);
	UNLOCK_TCPIP_CORE();
	printf("bye\n");
	return 0;
}
