/* The router engine's internal structures, shared by the files of src/router. */
#ifndef MCAST_RT_INTERNAL_H
#define MCAST_RT_INTERNAL_H

#include "mcast/router.h"
#include "core/bidx.h"
#include "core/check.h"
#include "core/addr.h"

struct rt_source {
	struct mcast_addr addr;
	mcast_time_ms deadline_ms;      /* 0: timer 0, the EXCLUDE mode's Y list */
	uint8_t rexmit;                 /* group-and-source query retransmissions left */
	uint8_t mark;                   /* scratch: picked by a rule's query set */
};

struct rt_host {                        /* explicit tracking (fast leave) */
	struct mcast_addr addr;
	mcast_time_ms deadline_ms;
	bool exclude;
	struct mcast_srcset srcs;
};

/* A group's sources, sorted by address, counted in their own
 * allocation (an any-source group pays the pointer only). */
struct rt_srcs {
	uint32_t n, cap;
	struct rt_source v[];
};

/* A group's tracked hosts, counted in their own allocation (a group
 * without fast leave pays a pointer for them). */
struct rt_hosts {
	uint16_t n, cap;
	struct rt_host v[];
};

/* What few groups need, made when a group first needs it (more_get) and
 * kept until the group goes: the Older Version Host Present timers (RFC
 * 3376 7.3.2) and the group-specific queries being sent (6.6.3). A group
 * refreshed by IGMPv3/MLDv2 members, the bulk of a large table, never
 * has one. */
struct rt_group_more {
	mcast_time_ms v1_host_ms;       /* IGMPv1 Host Present timer deadline */
	mcast_time_ms v2_host_ms;       /* IGMPv2 / MLDv1 Host Present timer deadline */
	mcast_time_ms next_query_ms;    /* next specific query retransmission, 0 = none */
	uint8_t group_rexmit;           /* group-specific query retransmissions left */
};

/* Times a group's word holds: below 2^46 ms, 2,200 years of the
 * driver's clock (mcastd's is the time since boot). */
#define RT_TIME_BITS 46
_Static_assert(RT_TIME_BITS + 2 <= 48, "the group's word: time, two flags, a 16-bit slot");

/* A group on an interface: 72 bytes (asserted below: a million groups
 * are 72 MB of them). It does not point at its interface
 * (functions are handed both; its timer's callback gets the interface
 * from its lean wheel); what is rarely needed is in `more`; a packet's
 * findings are in router->touched. */
struct rt_group {
	struct mcast_addr addr;         /* the key in iface->groups; first, for the lookup's prefetch */
	struct rt_srcs *sv;             /* its sources, NULL while none had room */
	/* one word, read and written whole (rt_group_deadline() and the
	 * others below): the EXCLUDE mode's group timer (a time below
	 * 2^46 ms, RT_TIME_BITS), the filter mode, whether tracking
	 * overflowed, the packet's slot */
	uint64_t word;
	struct rt_hosts *hosts;         /* NULL until a host is tracked */
	struct rt_group_more *more;     /* NULL until needed */
	struct mcast_tnode timer;       /* in its interface's gwheel, at or before the earliest deadline */
};

_Static_assert(sizeof(struct rt_group) <= 72, "the group record grew: bench_footprint's 96 B a group");

/* The group's word. Bit fields took one load and store per field, of
 * different widths: a narrow store read back whole stalls store
 * forwarding (7 ns a new group in bench_proxy); these read and write
 * all 64 bits. */
#define RT_W_TIME ((1ull << RT_TIME_BITS) - 1)
#define RT_W_EXCLUDE (1ull << RT_TIME_BITS)
#define RT_W_UNTRACKED (1ull << (RT_TIME_BITS + 1))
#define RT_W_SLOT_SHIFT 48

/* The EXCLUDE mode's group timer deadline, 0 = none. */
static inline mcast_time_ms rt_group_deadline(const struct rt_group *grp)
{
	return grp->word & RT_W_TIME;
}

static inline void rt_set_group_deadline(struct rt_group *grp, mcast_time_ms t)
{
	grp->word = (grp->word & ~RT_W_TIME) | (t & RT_W_TIME);
}

/* Filter mode EXCLUDE. */
static inline bool rt_exclude(const struct rt_group *grp)
{
	return (grp->word & RT_W_EXCLUDE) != 0;
}

static inline void rt_set_exclude(struct rt_group *grp, bool on)
{
	grp->word = on ? grp->word | RT_W_EXCLUDE : grp->word & ~RT_W_EXCLUDE;
}

/* Tracking overflowed: never fast leave. */
static inline bool rt_untracked(const struct rt_group *grp)
{
	return (grp->word & RT_W_UNTRACKED) != 0;
}

static inline void rt_set_untracked(struct rt_group *grp)
{
	grp->word |= RT_W_UNTRACKED;
}

/* During a packet: its index in router->touched + 1, 0 = none. */
static inline unsigned rt_slot(const struct rt_group *grp)
{
	return (unsigned)(grp->word >> RT_W_SLOT_SHIFT);
}

static inline void rt_set_slot(struct rt_group *grp, unsigned slot)
{
	grp->word = (grp->word & ~(0xffffull << RT_W_SLOT_SHIFT)) | ((uint64_t)(slot & 0xffff) << RT_W_SLOT_SHIFT);
}

static inline uint32_t rt_nsrcs(const struct rt_group *grp)
{
	return grp->sv ? grp->sv->n : 0;
}

static inline struct rt_source *rt_srcs(const struct rt_group *grp)
{
	return grp->sv ? grp->sv->v : NULL;
}

static inline uint16_t rt_nhosts(const struct rt_group *grp)
{
	return grp->hosts ? grp->hosts->n : 0;
}

/* A group of the packet being applied (rt_records_prepare): the sources
 * its records may add, and a source set reserved for a host tracked anew. */
struct rt_touched {
	struct rt_group *grp;
	uint32_t plan;
	struct mcast_srcset spare;
};

/* An SSM range as two masked 64-bit compares (rt_ssm_compile). */
struct rt_ssm_match {
	uint64_t mask[2], val[2];
	bool v4;
};

struct rt_iface {
	struct mcast_hnode node;        /* in router->ifaces, keyed by ifindex */
	struct mcast_router *r;
	unsigned ifindex;
	char name[16];
	struct mcast_addr addr;
	uint32_t mtu;
	struct mcast_router_config cfg;
	struct rt_ssm_match ssm[MCAST_ROUTER_MAX_SSM_RANGES]; /* cfg.ssm, compiled */
	uint8_t nssm;
	uint8_t level;                  /* configured version as IGMP numbering (MLDv2 = 3) */
	bool querier;
	struct mcast_addr querier_addr;
	mcast_time_ms other_querier_ms; /* Other Querier Present deadline (non-querier) */
	mcast_time_ms next_general_ms;  /* next general query (querier) */
	uint8_t startup_left;
	uint8_t rv;                     /* robustness in use */
	uint32_t qi_ms;                 /* query interval in use */
	struct mcast_timer timer;
	struct bidx groups;             /* struct rt_group by address */
	struct mcast_lean_wheel gwheel; /* the groups' timers */
	uint32_t nsources;              /* group sources + tracked hosts + their sources (max_total_sources) */
	struct mcast_router_stats stats;
	struct mcast_ratelimit drop_log; /* drop lines per second in the log */
	struct mcast_ratelimit limit_log; /* limit refusals in the log */
};

struct mcast_router {
	struct mcast_router_env env;
	enum mcast_family family;
	const struct mcast_profile *pf;
	struct mcast_htab ifaces;
	uint64_t iface_gen;             /* changes whenever an interface comes or goes (rt_iface_get) */
	uint64_t group_frees;           /* groups freed so far: a kept rt_group pointer is good while equal */
	const struct rt_group *notify_grp; /* during fwd_change calls of a commit: the group changed */
	const struct mcast_addr *rec_g; /* during rt_group_record(): its group, rec_hh its hash */
	uint64_t rec_hh;
	struct mcast_pool group_pool;
	struct rt_source *scratch;      /* the next state of the group being changed */
	uint32_t scratch_cap;
	struct rt_source *prev;         /* the previous state, for reporting changes */
	uint32_t prev_cap;
	/* decode buffers, grown to what the largest packet so far needs
	 * (rt_reserve_decode) */
	struct mcast_addr *dec_srcs;
	size_t dec_srcs_cap;
	struct mcast_group_record *dec_recs;
	size_t dec_recs_cap;
	struct mcast_addr *rec_srcs;    /* a record's sources, sorted; a query's sources */
	size_t rec_srcs_cap;
	uint64_t check_calls;           /* invariant checks asked for (MCAST_CHECK_INVARIANTS) */
	/* the packet being applied (rt_records_prepare): its groups */
	struct rt_touched *touched;
	uint32_t ntouched;
	size_t touched_cap;
	struct rt_prep *prep;           /* per record of the packet: rt_records_prepare's findings */
	size_t prep_cap;
	uint8_t *buf;                   /* queries being encoded: the largest MTU */
	size_t buf_cap;
};

/* Grows *v (cap items of size) to hold at least n; 0 or -ENOMEM with *v
 * as it was. */
int rt_reserve(struct mcast_router *r, void **v, size_t *cap, size_t n, size_t size);

/* The sanitizer build checks the engine after each packet and timer: the
 * whole check costs O(state), so every time while the state is small,
 * every 1024th time once it is large (a storm test). */
static inline void rt_check_invariants(struct mcast_router *r)
{
#ifdef MCAST_CHECK_INVARIANTS
	size_t groups = 0;
	for (size_t i = 0; r->ifaces.buckets && i <= r->ifaces.mask; i++)
		for (const struct mcast_hnode *n = r->ifaces.buckets[i]; n; n = n->next)
			groups += mcast_container_of(n, struct rt_iface, node)->groups.count;
	if (groups > 4096 && (++r->check_calls & 1023))
		return;
#endif
	MCAST_CHECK_OR_ABORT(mcast_router_check, r, "router");
}

static inline mcast_time_ms rt_now(const struct mcast_router *r)
{
	return r->env.wheel->now_ms;
}

/* Timers in use on an interface (RFC 3376 8). */
uint32_t rt_gmi(const struct rt_iface *ifc);
uint32_t rt_lmqt(const struct rt_iface *ifc);
uint8_t rt_lmqc(const struct rt_iface *ifc);
/* Compiles ifc->cfg.ssm into ifc->ssm (after every change of cfg). */
void rt_ssm_compile(struct rt_iface *ifc);
bool rt_is_ssm(const struct rt_iface *ifc, const struct mcast_addr *g);

/* group.c */
/* A group's hash in its interface's index (the index's rehash function). */
uint64_t rt_group_hash(const void *group, const void *router);
struct rt_group *rt_group_find(const struct rt_iface *ifc, const struct mcast_addr *g);
/* rt_group_find() with g's hash already made (rt_group_hash's). */
struct rt_group *rt_group_find_hashed(const struct rt_iface *ifc, const struct mcast_addr *g, uint64_t h);
/* For the proxy (same library): the interface of ifindex, or NULL. The
 * pointer stays good while r->iface_gen is what it was: a caller may
 * keep it that long (the proxy does, per downstream). */
const struct rt_iface *rt_iface_get(const struct mcast_router *r, unsigned ifindex);
/* The group g on the interface, or NULL; read it before any other call
 * into the router. hh is g's hash with seed (a caller's table may share
 * the router's seed: then the hash is not made again). */
const struct rt_group *rt_lookup_in(const struct rt_iface *ifc, const struct mcast_addr *g, uint64_t hh,
				    uint64_t seed);
/* Whether the access list lets source s of g in on ifindex (true
 * without one); what mcast_router_wants() asks besides forwarding. */
bool rt_allows(const struct mcast_router *r, unsigned ifindex, const struct mcast_addr *g,
	       const struct mcast_addr *s);
/* What rt_records_prepare() found for each record (r->prep[i]), so that
 * applying it neither asks the access list again nor looks the group up:
 * whether it applies, and its group (NULL: none then, looked up when the
 * record is applied, in case a later record of the packet made it). */
enum { RT_REC_APPLIES, RT_REC_DENIED, RT_REC_SSM };
struct rt_prep {
	struct rt_group *grp;
	uint64_t hh;                    /* the group's rt_group_hash(), made once per record */
	uint8_t verdict;
};
/* Handles one group record (already translated from v1/v2 messages);
 * B sorted and unique. older is 1 or 2 for a v1/v2 report (sets the Host
 * Present timer), 0 otherwise. p: the record's rt_prep. */
void rt_group_record(struct rt_iface *ifc, const struct mcast_addr *g, uint8_t type,
		     const struct mcast_addr *B, size_t nb, const struct mcast_addr *host,
		     uint8_t older, const struct rt_prep *p);
/* RFC 3376 6.6.1: a query heard with S clear lowers timers. */
void rt_group_query_heard(struct rt_iface *ifc, const struct mcast_addr *g,
			  const struct mcast_addr *srcs, size_t n);
/* Frees a group whose interface goes with it, telling no one
 * (mcast_router_destroy()): left in the index and the lean wheel, which
 * are freed whole, so a million groups go without a lookup each. */
void rt_group_drop(struct rt_iface *ifc, struct rt_group *grp);
void rt_group_destroy(struct rt_iface *ifc, struct rt_group *grp, bool notify);
/*
 * A packet's records are applied in two phases so that the packet is
 * applied whole or not at all: rt_records_prepare() creates the groups
 * the records create and reserves all the room applying them may take
 * (sources, scratch, tracked hosts, the part of a group that older
 * hosts or specific queries need); -ENOMEM leaves everything as it
 * was. Then rt_group_record() for each record cannot fail, and
 * rt_records_done() ends the packet (groups it emptied go then). older
 * as for rt_group_record().
 */
int rt_records_prepare(struct rt_iface *ifc, const struct mcast_group_record *recs, size_t n,
		       const struct mcast_addr *host, uint8_t older);
void rt_records_done(struct rt_iface *ifc);
/* The group's compatibility level (1..3, IGMP numbering). */
uint8_t rt_group_level(const struct rt_iface *ifc, const struct rt_group *grp);
/* A group's timer fired (the callback of its interface's gwheel). */
void rt_group_timer_fired(struct mcast_tnode *t, void *arg);
/* Groups due at one instant expire in address order. */
bool rt_group_timer_before(const struct mcast_tnode *a, const struct mcast_tnode *b);

#endif
