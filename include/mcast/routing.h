/*
 * mcast/routing.h - the routing logic shared by mcastd and mcastsim: it
 * owns a multicast routing table (MRT_INIT), gives each interface a VIF,
 * and turns what the router engine says each link wants, plus static
 * routes, into forwarding-cache entries.
 *
 * On a NOCACHE upcall for (S,G) arriving on interface I it installs
 * (S,G) with incoming I and every other interface that wants (S,G) — an
 * entry with no output too, so that a source nobody wants costs no more
 * upcalls. When membership changes, every entry of the group is updated
 * at once, not at the next cache miss. Entries unused for the idle time
 * are removed. Static routes (from interface, optional source, group, to
 * interfaces) are installed as they are.
 */
#ifndef MCAST_ROUTING_H
#define MCAST_ROUTING_H

#include "mcast/mroute.h"
#include "mcast/router.h"

#ifdef __cplusplus
extern "C" {
#endif

struct mcast_routing_config {
	mcast_time_ms idle_ms;          /* remove a dynamic entry unused this long; default 210 s */
	mcast_time_ms check_ms;         /* how often entries are checked; default 10 s */
	/* VIFs on demand: an interface holds a VIF only while it has
	 * something to forward (a member, a static group, a static route
	 * through it, an entry arriving on it) or is pinned, so that any
	 * max-VIFs of many more interfaces forward at a time; one that
	 * needs a VIF while none is free waits for one. Default off: every
	 * interface takes a VIF when added. */
	bool vifs_on_demand;
};

void mcast_routing_config_default(struct mcast_routing_config *c);

struct mcast_routing_env {
	const struct mcast_alloc *al;
	struct mcast_wheel *wheel;
	const struct mcast_log *log;
	uint64_t hash_seed;
};

struct mcast_routing_stats {
	uint64_t nocache;               /* upcalls answered */
	uint64_t wrongvif;              /* upcalls seen (no assert processing here) */
	uint64_t installed;             /* entries added or replaced in the table */
	uint64_t updated;               /* of those, because membership changed */
	uint64_t removed;               /* entries removed (idle, interface gone) */
	uint64_t errors;                /* table refusals */
	uint64_t vif_waits;             /* interfaces that needed a VIF while none was free */
	uint64_t vifs_released;         /* VIFs given back by idle interfaces (on demand) */
};

struct mcast_routing;

/*
 * Creates the routing logic over a table it becomes the owner of, and a
 * router engine (NULL for static routing only) whose fwd_change callback
 * the caller points at mcast_routing_fwd_change() with this object as
 * ctx. NULL if the table already has an owner or memory is out.
 */
struct mcast_routing *mcast_routing_create(const struct mcast_routing_env *env,
					   const struct mcast_routing_config *cfg,
					   struct mcast_mr_table *table, const struct mcast_router *router);
/* Gives up ownership (MRT_DONE: the table's dynamic state goes). */
void mcast_routing_destroy(struct mcast_routing *rt);

/* An interface takes part in forwarding: it gets the lowest free VIF.
 * threshold is its TTL threshold (1 for normal links). */
int mcast_routing_iface_add(struct mcast_routing *rt, unsigned ifindex, const char *name,
			    uint8_t threshold);
/*
 * An interface's part in proxying (RFC 4605). Router interfaces (the
 * default, domain 0) forward among themselves by membership. A proxy
 * instance is a domain (> 0) of one upstream and any number of
 * downstream interfaces: upstream traffic goes to the downstreams that
 * want it and where this router is the querier; downstream traffic
 * goes to the upstream and to such other downstreams; nothing crosses
 * domains. Entries are updated at once. -ENODEV, -EINVAL (a router
 * interface with a domain, a proxy one without), -EEXIST (a second
 * upstream in the domain).
 */
enum mcast_routing_role {
	MCAST_ROUTING_ROUTER = 0,
	MCAST_ROUTING_UPSTREAM = 1,
	MCAST_ROUTING_DOWNSTREAM = 2,
};
int mcast_routing_iface_set_role(struct mcast_routing *rt, unsigned ifindex,
				 enum mcast_routing_role role, unsigned domain);
/* Recomputes every entry's outputs (after a querier change, say). */
void mcast_routing_refresh(struct mcast_routing *rt);

/* Removes the interface's VIF; entries through it are updated. */
int mcast_routing_iface_del(struct mcast_routing *rt, unsigned ifindex);
/* On demand: keeps the interface's VIF whatever it forwards (an input
 * interface: its senders are only seen through a VIF). -ENODEV. */
int mcast_routing_iface_pin(struct mcast_routing *rt, unsigned ifindex, bool pin);
/* The interface's VIF, or MCAST_MR_NO_VIF (then *waiting says whether it
 * needs one that is not free). -ENODEV as a negative value. */
int mcast_routing_iface_vif(const struct mcast_routing *rt, unsigned ifindex, bool *waiting);

/* ---- explain: why (S,G) is or is not forwarded out of each interface ---- */

enum mcast_why {
	MCAST_WHY_INPUT = 1,            /* the entry's input interface */
	/* forwarded (or would be, once a packet arrives) */
	MCAST_WHY_MEMBERS,              /* its link wants (S,G) (RFC 3376 6.3 / RFC 3810 7.3) */
	MCAST_WHY_STATIC_GROUP,         /* a static group there */
	MCAST_WHY_STATIC_ROUTE,         /* an output of a static route */
	MCAST_WHY_PROXY_UPSTREAM,       /* a proxy's upstream: what its downstreams send (RFC 4605 4.2) */
	/* not forwarded */
	MCAST_WHY_NO_LISTENER,          /* no state for the group on its link */
	MCAST_WHY_SOURCE_NOT_WANTED,    /* the group's state there leaves S out (INCLUDE without S, or S excluded) */
	MCAST_WHY_NOT_QUERIER,          /* a proxy downstream where another router is the querier */
	MCAST_WHY_OTHER_DOMAIN,         /* another proxy instance, or router interfaces vs a proxy's */
	MCAST_WHY_UPSTREAM_ONLY_DOWN,   /* a proxy's upstream gets only what its downstreams send */
	MCAST_WHY_NO_VIF,               /* no VIF (VIFs on demand: idle, or waiting for one) */
};
/* Short words for a reason ("members", "no listener", ...). */
const char *mcast_why_name(enum mcast_why w);
/* Does the reason forward? */
static inline bool mcast_why_forwards(enum mcast_why w)
{
	return w >= MCAST_WHY_MEMBERS && w <= MCAST_WHY_PROXY_UPSTREAM;
}

struct mcast_explain_iface {
	unsigned ifindex;
	char name[16];
	uint16_t vif;                   /* MCAST_MR_NO_VIF: none */
	bool waiting;                   /* on demand: waits for a VIF */
	enum mcast_routing_role role;
	unsigned domain;
	uint8_t threshold;              /* TTL threshold of its VIF */
	enum mcast_why why;             /* the first reason that decides */
	bool forwarded;                 /* an output of the table's entry now */
	/* the link's state for the group (the router engine's), if any */
	bool has_group, exclude;
	uint8_t compat;                 /* the group's compatibility version */
	mcast_time_ms group_timer_ms;   /* time left */
	bool source_listed;             /* S in the group's source list */
	mcast_time_ms source_timer_ms;  /* its time left (0: excluded) */
	bool querier;                   /* this router is the querier there */
	struct mcast_addr querier_addr;
};

struct mcast_explain {
	bool entry;                     /* the table has (S,G) (or (*,G)) */
	bool wildcard;                  /* ... as (*,G) */
	bool static_route;              /* a static route makes it */
	unsigned in_ifindex;            /* the input: the entry's, a static route's, or a proxy's upstream; 0 unknown */
	const char *in_why;             /* how the input is known, in words */
	struct mcast_mfc_stats stats;   /* the entry's counters */
	size_t n;                       /* interfaces (up to cap written) */
};

/*
 * Why (source, group) goes, or does not go, out of each interface: the
 * same decisions the entries are made from. Without an entry yet, the
 * input is a static route's, or the only proxy upstream, or unknown
 * (then each interface is judged as for a sender on a router interface).
 * 0, or -EINVAL for addresses of another family.
 */
int mcast_routing_explain(const struct mcast_routing *rt, const struct mcast_addr *source,
			  const struct mcast_addr *group, struct mcast_explain *e, struct mcast_explain_iface *ifs,
			  size_t cap);
/* The same in words, a line at a time: a header line, then one line per
 * interface ("lan2: not forwarded: no listener"), with its details. Only
 * the interface named only when only is not NULL. */
void mcast_routing_explain_text(const struct mcast_explain *e, const struct mcast_explain_iface *ifs,
				const struct mcast_addr *source, const struct mcast_addr *group, const char *only,
				mcast_line_fn out, void *ctx);

/* A static route: packets to group (from source, or any source when
 * source is the any address) arriving on in go out of out[0..n). */
int mcast_routing_static_add(struct mcast_routing *rt, unsigned in, const struct mcast_addr *source,
			     const struct mcast_addr *group, const unsigned *out, size_t n);
int mcast_routing_static_del(struct mcast_routing *rt, const struct mcast_addr *source,
			     const struct mcast_addr *group);

/*
 * A static group (as FRR's and Cisco's ip igmp static-group): ifindex
 * gets group (from source, or every source when source is the any
 * address) as if a listener were there, with no report and no join;
 * entries of the group are updated at once. 0, -ENODEV, -EINVAL,
 * -EEXIST (add) or -ENOENT (remove), -ENOMEM.
 */
int mcast_routing_static_group(struct mcast_routing *rt, unsigned ifindex, const struct mcast_addr *group,
			       const struct mcast_addr *source, bool add);

/* The router engine's fwd_change callback (ctx = the routing object). */
void mcast_routing_fwd_change(void *ctx, unsigned ifindex, const struct mcast_addr *group,
			      const struct mcast_addr *source, enum mcast_fwd old, enum mcast_fwd now);

/* An upcall from a fast path that mirrors the table (the kernel's
 * NOCACHE and WRONGVIF messages in mcastd); the VIF numbers are the
 * table's. The table's own upcalls arrive here by themselves. */
void mcast_routing_upcall(struct mcast_routing *rt, const struct mcast_upcall *u);

const struct mcast_routing_stats *mcast_routing_stats(const struct mcast_routing *rt);

#ifdef __cplusplus
}
#endif

#endif /* MCAST_ROUTING_H */
