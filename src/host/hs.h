/* The host engine's internal structures, shared by the files of src/host. */
#ifndef MCAST_HS_INTERNAL_H
#define MCAST_HS_INTERNAL_H

#include "mcast/host.h"
#include "core/bidx.h"
#include "core/check.h"
#include "core/addr.h"

/* A source of the interface state: how many INCLUDE sockets list it, how
 * many EXCLUDE sockets exclude it, and its report retransmissions left. */
struct hs_src {
	struct mcast_addr addr;
	uint32_t in_cnt, ex_cnt;
	uint8_t rexmit;
};

/* What a group waits for besides its state-change retransmissions: the
 * response to a query, an IGMPv1/v2 (MLDv1) report. Made when a group
 * needs it and freed when nothing waits, so that a group at rest (nearly
 * all of them: a proxy holds one per upstream group) does not carry a
 * timer. */
struct hs_wait {
	struct mcast_timer timer;       /* at the earlier deadline below */
	mcast_time_ms resp_ms;          /* pending query response, 0 = none */
	mcast_time_ms v12_ms;           /* v1/v2 report timer, 0 = none */
	struct mcast_srcset resp_srcs;  /* the queried sources (resp_sources) */
	bool resp_sources;              /* the pending response is for resp_srcs only */
};

/* A group on an interface (the kernel's ip_mc_list / ifmcaddr6). The
 * small fields sit together after the counts: 72 bytes (a proxy holds
 * one per upstream group). n_ex and n_in are not in one 8-byte word:
 * GCC reads "!n_ex && !n_in" as one 64-bit load, which a 4-byte store
 * to either just before cannot forward (the load then waits for the
 * store to reach the cache: a third of hs_set_state()'s time in a
 * proxy's storm, measured). */
struct hs_group {
	struct mcast_addr addr;         /* the key in iface->groups; first, for the lookup's prefetch */
	struct hs_iface *ifc;
	uint32_t n_ex;                  /* EXCLUDE-mode sockets, plus the interface's own joins */
	uint32_t nsrcs;
	uint32_t n_in;                  /* INCLUDE-mode sockets */
	uint32_t cap;
	uint16_t own;                   /* the interface's own joins (224.0.0.1, ...): one or two */
	uint8_t mode_rexmit;            /* Filter-Mode-Change records left to send */
	uint8_t v12_rexmit;             /* unsolicited v1/v2 reports left */
	bool reporter;                  /* we sent the last v1/v2 report (leave rule) */
	bool reportable;                /* its changes are reported (not 224.0.0.1, ...) */
	uint8_t direct;                 /* a filter set with hs_set_state(): HS_DIRECT_IN/EX, 0 = none */
	uint32_t pend_at;               /* its place in iface->pend plus one, 0 = not there */
	uint32_t fresh_at;              /* its place in iface->fresh plus one, 0 = not there */
	struct hs_src *srcs;            /* sorted */
	struct hs_wait *wait;           /* NULL: no response or v1/v2 report pending */
};

static inline mcast_time_ms hs_resp_ms(const struct hs_group *g)
{
	return g->wait ? g->wait->resp_ms : 0;
}

static inline mcast_time_ms hs_v12_ms(const struct hs_group *g)
{
	return g->wait ? g->wait->v12_ms : 0;
}

/* hs_group.direct: the mode of the one filter hs_set_state() keeps in a
 * group's counts besides the sockets' (a proxy's merged subscription). */
#define HS_DIRECT_IN 1
#define HS_DIRECT_EX 2

struct hs_iface {
	struct mcast_hnode node;        /* in host->ifaces */
	struct mcast_host *h;
	unsigned ifindex;
	char name[16];
	struct mcast_addr addr;
	struct mcast_host_iface_config cfg;
	bool forwarding;
	uint8_t rv;                     /* robustness in use (adopted QRV) */
	uint32_t qi_ms;                 /* query interval in use (adopted QQIC) */
	mcast_time_ms v1_querier_ms;    /* Older Version Querier Present deadlines */
	mcast_time_ms v2_querier_ms;
	uint8_t level;                  /* version in use, IGMP numbering (MLDv2 = 3) */
	mcast_time_ms general_ms;       /* pending general query response, 0 = none */
	mcast_time_ms rexmit_ms;        /* next state-change retransmission, 0 = none */
	bool report_due;                /* a state change to report at this instant */
	mcast_time_ms full_ms;          /* next unsolicited whole-state report, 0 = none */
	struct mcast_addr querier;      /* the last query's source (valid when querier_ms) */
	mcast_time_ms querier_ms;       /* when it was heard, 0 = never */
	/* The groups with state-change retransmissions left (pend), and of
	 * those the ones changed since their last report (fresh), in no
	 * order. Each group knows its places (pend_at, fresh_at), so that
	 * one joins or leaves either in O(1), the last one taking its
	 * place, whatever thousands of others wait. pend has room for every
	 * group of the interface, reserved with the group (hs_reserve), so
	 * that queueing never allocates; fresh grows as changes come
	 * together, and when it cannot (memory), fresh_all says the report
	 * of this instant carries every queued group. */
	struct hs_group **pend, **fresh;
	uint32_t npend, nfresh;
	size_t pend_cap, fresh_cap;
	bool fresh_all;
	struct mcast_timer timer;       /* the earliest of the deadlines above */
	struct mcast_timer due;         /* report_due: armed for now by a change */
	struct bidx groups;             /* struct hs_group by address */
	struct mcast_host_stats stats;
	struct mcast_ratelimit drop_log; /* drop lines per second in the log */
};

/* A socket's filter on one (interface, group). It holds its group
 * (the interface's record): while the filter is not INCLUDE {} it counts
 * in that group, which therefore stays; a change reaches the group
 * without the interface's index, and the group's address is the
 * membership's. */
struct hs_membership {
	unsigned ifindex;
	uint32_t key;                   /* hs_key(): its place in the socket's index */
	enum mcast_filter_mode mode;
	struct hs_group *grp;
	struct mcast_srcset srcs;
};

struct mcast_host_sock {
	struct mcast_host_sock *next, **pprev;
	struct hs_membership *m;
	uint32_t n, cap;
	/* An index of m by (ifindex, group) once the socket holds
	 * HS_INDEX_MIN memberships (a proxy's downstream socket holds one per
	 * group): open addressing, linear probing, each slot the position in
	 * m plus one, 0 free; at most half full. */
	uint32_t *idx;
	uint32_t idx_mask;
};

#define HS_INDEX_MIN 8

/* A group's hash in the host's tables (the interfaces' groups, the
 * sockets' indexes): a call hashes its group once and hands the hash on. */
static inline uint64_t hs_hash(const struct mcast_host *h, const struct mcast_addr *g);
/* A membership's key in its socket's index, from its group's hash. */
static inline uint32_t hs_key(uint64_t hh, unsigned ifindex)
{
	return (uint32_t)(hh ^ ((uint64_t)ifindex * 0x9e3779b97f4a7c15ull));
}

/* The socket's membership of (ifindex, g), or NULL: O(1) with the index;
 * hh is hs_hash(h, g). */
struct hs_membership *hs_find_membership(const struct mcast_host_sock *s, unsigned ifindex,
					 const struct mcast_addr *g, uint64_t hh);

struct mcast_host {
	struct mcast_host_env env;
	struct mcast_host_config cfg;
	enum mcast_family family;
	const struct mcast_profile *pf;
	struct mcast_htab ifaces;
	struct mcast_pool groups;    /* every interface's struct hs_group */
	struct mcast_pool waits;     /* their struct hs_wait */
	struct mcast_host_sock *socks;
	struct mcast_rng rng;
	/* Scratch space, grown on demand so that a host costs what it uses
	 * (10,000 simulated hosts must fit): tmp holds tmp_cap addresses and
	 * tmp2 twice that (its upper half from HS_HALF). tmp_cap is kept at
	 * least every group's source-array capacity, so an interface state
	 * always fits. */
	struct mcast_addr *tmp;
	struct mcast_addr *tmp2;
	size_t tmp_cap;
	struct mcast_group_record *recs;
	size_t recs_cap;
	uint8_t *buf; /* outgoing messages, at least every interface's MTU */
	size_t buf_cap;
	uint64_t check_calls;       /* invariant checks asked for (MCAST_CHECK_INVARIANTS) */
	uint64_t hash_seed;         /* the tables' hash: env.seed, or what the proxy set (hs_set_hash_seed) */
};

#define HS_HALF(h) ((h)->tmp2 + (h)->tmp_cap)

static inline uint64_t hs_hash(const struct mcast_host *h, const struct mcast_addr *g)
{
	return mcast_addr_hash(g, h->hash_seed);
}

/* A group's hash for its interface's index, from the record (the index
 * rehashes when it grows); arg is the host. */
uint64_t hs_group_hash(const void *rec, const void *arg);

/* The proxy's hash seed for the host part's tables (its env's
 * hash_seed; a host alone hashes with its env's seed). Only while the
 * host has no interface: nothing is hashed yet. */
void hs_set_hash_seed(struct mcast_host *h, uint64_t seed);

/* Grows tmp/tmp2 to hold n addresses (tmp2 2n; what they held is not
 * kept), buf to n bytes. 0 or -ENOMEM. */
int hs_scratch_grow(struct mcast_host *h, size_t n);
static inline int hs_scratch(struct mcast_host *h, size_t n)
{
	return n <= h->tmp_cap ? 0 : hs_scratch_grow(h, n);
}
int hs_buf(struct mcast_host *h, size_t n);
int hs_recs(struct mcast_host *h, size_t n);

/* The sanitizer build checks the engine after each socket call and
 * packet: the check recounts every state from every filter, so every
 * time while there are few memberships, every 256th time beyond. */
static inline void hs_check_invariants(struct mcast_host *h)
{
#ifdef MCAST_CHECK_INVARIANTS
	size_t n = 0;
	for (const struct mcast_host_sock *s = h->socks; s; s = s->next)
		n += s->n;
	if (n > 256 && (++h->check_calls & 255))
		return;
#endif
	MCAST_CHECK_OR_ABORT(mcast_host_check, h, "host");
}

static inline mcast_time_ms hs_now(const struct mcast_host *h)
{
	return h->env.wheel->now_ms;
}

struct hs_iface *hs_iface_find(const struct mcast_host *h, unsigned ifindex);
struct hs_group *hs_group_find(const struct hs_iface *ifc, const struct mcast_addr *g);
/* Starts loading what a call on (ifc, g) looks up first, hh being
 * hs_hash(h, g), for a caller that knows its next calls: the proxy
 * prefetches its whole queue, and the cache misses of a batch overlap
 * instead of adding up. In two passes over the batch: first (next
 * false) the interface's group bucket, then (next true, once it has
 * come) the group whose tag matches, which the lookup compares first.
 * Out of line on purpose: made static inline here, GCC 12 took the
 * proxy's calls for calls without effect (loads and prefetches only)
 * and dropped every prefetch, 139 -> 178 ns a proxied group at a
 * million groups. */
void hs_prefetch(const struct hs_iface *ifc, uint64_t hh, bool next);
/* The first pass for n hashes at once (a report's groups). */
void hs_prefetch_buckets(const struct hs_iface *ifc, const uint64_t *hh, size_t n);

/* report.c */
/* Whether changes of g on ifc are reported at all (not the all-systems
 * or all-nodes group; 224.0.0.x only when the interface is told to);
 * a group keeps the answer from when it is made (reportable). */
bool hs_reportable_addr(const struct hs_iface *ifc, const struct mcast_addr *g);
/* The interface state: member or not, its mode and sources (into out). */
bool hs_state(const struct hs_group *g, enum mcast_filter_mode *mode, struct mcast_addr *out,
	      size_t *n);
/* A socket's filter on (ifc, g) goes from old to new (mode INCLUDE with
 * no source = absent). Updates counts, sends the reports. */
/* Room for such a change of (ifc, g) with on old and nn new sources:
 * the group (made if absent), the scratch space and its source list;
 * after it hs_change() cannot fail. NULL when memory is out, with
 * nothing changed. */
struct hs_group *hs_reserve(struct hs_iface *ifc, const struct mcast_addr *g, uint64_t hh, size_t on, size_t nn);
/* hs_reserve() of a group the caller holds (a membership's). */
struct hs_group *hs_reserve_group(struct hs_group *grp, size_t on, size_t nn);
/* For a caller that reserved and then cannot go on: gives back what
 * hs_reserve() made for a group that was there before (its wait record). */
void hs_unreserve(struct hs_group *g);
int hs_change(struct hs_iface *ifc, const struct mcast_addr *g, enum mcast_filter_mode om,
	      const struct mcast_addr *os, size_t on, enum mcast_filter_mode nm,
	      const struct mcast_addr *ns, size_t nn, bool own);
/* hs_change() for a group hs_reserve() returned (room reserved): cannot
 * fail for memory. */
int hs_change_group(struct hs_group *g, enum mcast_filter_mode om, const struct mcast_addr *os, size_t on,
		    enum mcast_filter_mode nm, const struct mcast_addr *ns, size_t nn, bool own);
/*
 * The filter of one contributor outside the sockets (a proxy: the merge
 * of its downstreams' subscriptions) on (ifc, g) becomes (mode, srcs),
 * sorted and unique; INCLUDE {} takes it away. The previous filter is
 * the group's own counts, so nothing else is stored for it, and the
 * change is reported as a socket's would be. hh is hs_hash(h, g).
 * -EBUSY when sockets hold the group too (the counts could not tell the
 * filters apart), -ENOMEM with nothing changed, -EADDRNOTAVAIL for
 * INCLUDE {} of a group not held.
 */
int hs_set_state(struct hs_iface *ifc, const struct mcast_addr *g, uint64_t hh, enum mcast_filter_mode mode,
		 const struct mcast_addr *srcs, size_t n);
/* A socket's filter on g keeps its mode m and stays a membership (an
 * EXCLUDE filter, or INCLUDE with sources before and after) while its
 * sources go from os to ns, both sorted; sources in both lists are left
 * alone, so a caller may pass only what changed (one source added:
 * os empty, ns that source). Room reserved with hs_reserve(). */
int hs_change_sources(struct hs_group *g, enum mcast_filter_mode m, const struct mcast_addr *os, size_t on,
		      const struct mcast_addr *ns, size_t nn);
void hs_input(struct hs_iface *ifc, const struct mcast_ip_info *ip);
/* Counts a rejected packet by reason, with a rate-limited debug line. */
void hs_dropped(struct hs_iface *ifc, const struct mcast_ip_info *ip, enum mcast_drop why);
void hs_iface_timer(struct mcast_timer *t, void *arg);
void hs_iface_due(struct mcast_timer *t, void *arg);
void hs_group_free(struct hs_group *g);
/* hs_group_free() of a group whose interface goes with it: left in the
 * index and the queue, which are freed whole (a million groups of a
 * proxy's upstream are dropped without a lookup or a swap each). */
void hs_group_drop(struct hs_group *g);

#endif
