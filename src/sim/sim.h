/*
 * The simulator: virtual hosts and routers running libmcast's engines,
 * joined by virtual links, in virtual time. Deterministic: the same
 * scenario and seed give the same packets, states and output.
 */
#ifndef MCAST_SIM_H
#define MCAST_SIM_H

#include <stdio.h>

#include "mcast/host.h"
#include "mcast/mroute.h"
#include "mcast/proxy.h"
#include "mcast/router.h"
#include "mcast/routing.h"
#include "tools.h"

#define SIM_MAX_IFS 8

struct sim_node;

struct sim_link {
	char name[32];
	bool up;
	unsigned nports, portcap;
	struct sim_iface **ports;
	/* the routers' ports: reports to 224.0.0.22 / ff02::16 and v2 leaves
	 * reach only these (hosts never join those groups), which keeps a LAN
	 * of 10,000 hosts from costing 10,000 deliveries per report */
	unsigned nrports, rportcap;
	struct sim_iface **rports;
	struct pcap_writer pcap;
	bool pcap_open;
};

struct sim_iface {
	char name[16];
	unsigned ifindex;
	struct sim_link *link;
	struct sim_node *node;
	struct mcast_addr a4, a6;       /* IPv4 address, IPv6 link-local */
	/* the router part's settings, [0] IPv4 [1] IPv6 (5 KB): a router's
	 * interfaces have them, a host's not (a line setting one there is
	 * refused) */
	struct mcast_router_config *rc;
	struct mcast_host_iface_config hc4, hc6;
	enum mcast_routing_role role;   /* in a proxy instance: upstream or downstream */
	unsigned domain;                /* the instance, 1.. */
	bool upstream_querier;          /* upstream also runs the router part (queries) */
};

struct sim_route {                      /* a static route, replayed on restart */
	unsigned in;
	struct mcast_addr s, g;
	unsigned out[SIM_MAX_IFS];
	size_t nout;
};

struct sim_rx {                         /* data packets a host received */
	struct mcast_addr s, g;
	uint64_t count;
};

struct sim_sock {                       /* a named socket: "h1.s1" */
	char name[16];
	struct mcast_host_sock *s[2];   /* per family, made at first use */
};

struct sim_node {
	char name[32];
	unsigned index;                 /* order of declaration: seeds the rng */
	struct sim_node *hnext;         /* name hash chain */
	bool router;
	bool stopped;
	unsigned nifs;
	struct sim_iface *ifs[SIM_MAX_IFS];
	struct mcast_host *h[2];        /* [0] IPv4, [1] IPv6 */
	struct mcast_host_sock *sock[2];   /* the node's default socket */
	struct sim_sock *socks;         /* named ones */
	unsigned nsocks, sockcap;
	struct mcast_router *r[2];
	struct mcast_mr_table *t[2];
	struct mcast_routing *rt[2];
	struct mcast_proxy *px[2];      /* when the router has proxy instances */
	unsigned nproxies;
	struct sim_world *w;
	unsigned nrx, rxcap;
	struct sim_rx *rx;
	unsigned nroutes;
	struct sim_route routes[16];
	uint32_t mfc_max;               /* forwarding cache limit, 0 = none */
	uint64_t load_reports, load_records; /* report-load measurement start */
	mcast_time_ms load_start;
};

struct sim_qpkt {
	struct sim_iface *from;
	size_t len;
	uint8_t data[1600];
};

struct sim_world {
	struct mcast_wheel wheel;
	uint64_t seed;
	unsigned nlinks, nnodes, linkcap, nodecap;
	struct sim_link **links;
	struct sim_node **nodes;
	struct sim_node **byname;       /* hash of node names, nodecap * 2 buckets */
	unsigned next_ifindex;
	/* packets in flight, delivered at the current time in order */
	struct sim_qpkt *q;
	size_t qhead, qtail, qcap;
	const char *pcap_dir;
	struct mcast_log log;
};

struct sim_world *sim_create(uint64_t seed, const char *pcap_dir);
void sim_destroy(struct sim_world *w);
struct sim_link *sim_link_add(struct sim_world *w, const char *name);
struct sim_link *sim_link_find(struct sim_world *w, const char *name);
struct sim_node *sim_node_add(struct sim_world *w, const char *name, bool router);
struct sim_node *sim_node_find(struct sim_world *w, const char *name);
struct sim_iface *sim_iface_add(struct sim_node *n, const char *name, struct sim_link *l,
				const struct mcast_addr *a4, const struct mcast_addr *a6);
struct sim_iface *sim_iface_find(struct sim_node *n, const char *name);
/* Creates the node's engines (at the start, and when a router restarts). */
int sim_node_start(struct sim_node *n);
void sim_node_stop(struct sim_node *n);
/* The node's socket of that name for family f (NULL or "": the
 * default one), made at first use; NULL when the node has no engine for
 * the family or no memory. */
struct mcast_host_sock *sim_node_sock(struct sim_node *n, const char *name, int f);
/* Closes a named socket (or the default one: its memberships all go). */
void sim_node_close_sock(struct sim_node *n, const char *name);
/* Sends a datagram out of the node's interface (any message, as a
 * querier or a host on the link would). */
void sim_node_send(struct sim_node *n, unsigned ifindex, const uint8_t *pkt, size_t len);
/* A host sends one UDP datagram from s to g with the given TTL. */
int sim_send_data(struct sim_node *n, const struct mcast_addr *s, const struct mcast_addr *g, uint8_t ttl);
/* Runs timers and delivers packets up to time t. */
void sim_run_until(struct sim_world *w, mcast_time_ms t);
uint64_t sim_received(const struct sim_node *n, const struct mcast_addr *s, const struct mcast_addr *g);
void sim_dump_json(struct sim_world *w, FILE *out);

/* scenario.c: runs a scenario file; returns the number of failed
 * expectations, or -1 when the file is bad (message on stderr). */
int sim_scenario_run(const char *path, uint64_t seed, const char *pcap_dir, bool json, bool verbose);

/* replay.c: feeds captures into one router, a capture per interface. */
struct sim_replay_iface {
	const char *name, *path;
	struct mcast_addr addr4, addr6;      /* the router's addresses there */
};
struct sim_replay_opts {
	const struct sim_replay_iface *ifs;
	size_t nifs;
	const char *const *sets;            /* "[IFACE:]KEY=VALUE" */
	size_t nsets;
	mcast_time_ms *at;                  /* sorted in place */
	size_t nat;
	const char *pcap_dir;               /* NULL: no pcap */
};
/* 0, or -1 after a message on stderr. */
int sim_replay(const struct sim_replay_opts *o);

#endif
