/*
 * mcast/router.h - the router side of IGMPv1/v2/v3 and MLDv1/v2: querier
 * election, general and specific queries, per-group filter mode with
 * group and source timers (RFC 3376 6, RFC 3810 7), older-version host
 * compatibility (RFC 3376 7.3.2, RFC 3810 8.3.2), SSM (RFC 4604), fast
 * leave with explicit host tracking, limits. One engine for both
 * families; its output is what each link wants forwarded.
 *
 * Versions are the family's own: IGMP 1..3, MLD 1..2.
 */
#ifndef MCAST_ROUTER_H
#define MCAST_ROUTER_H

#include "mcast/core.h"
#include "mcast/wire.h"

#ifdef __cplusplus
extern "C" {
#endif

#define MCAST_ROUTER_MAX_SSM_MAPS 16
#define MCAST_ROUTER_MAX_SSM_MAP_SOURCES 8
#define MCAST_ROUTER_MAX_SSM_RANGES 4

/* Per-interface settings; mcast_router_config_default() gives the RFCs'
 * defaults (RFC 3376 8, RFC 3810 9). Counts of 0 mean "the Robustness
 * Variable" as the RFCs define them. */
struct mcast_router_config {
	bool enabled;
	uint8_t version;                    /* IGMP 1..3 (default 3), MLD 1..2 (default 2) */
	uint8_t robustness;                 /* RV, default 2 */
	uint32_t query_interval_ms;         /* QI, default 125 s */
	uint32_t query_response_ms;         /* QRI, default 10 s */
	uint32_t last_member_interval_ms;   /* LMQI, default 1 s */
	uint8_t last_member_count;          /* LMQC, default RV */
	uint32_t startup_interval_ms;       /* SQI, default QI/4 */
	uint8_t startup_count;              /* SQC, default RV */
	bool querier;                       /* may become querier (default on) */
	bool fast_leave;                    /* explicit tracking, default off */
	uint32_t max_groups;                /* 0 = no limit */
	uint32_t max_sources;               /* per group, 0 = no limit */
	uint32_t max_hosts;                 /* tracked per group, default 64 */
	uint32_t max_total_sources;         /* per interface: group sources, tracked hosts and
					       their sources together; 0 = no limit */
	uint8_t nssm;                       /* SSM ranges in use */
	struct mcast_prefix ssm[MCAST_ROUTER_MAX_SSM_RANGES]; /* default 232/8, ff3x::/32 (written ff30::/12) */
	/* SSM mapping (as Cisco's ip igmp ssm-map static, Junos ssm-map):
	 * an IGMPv1/v2 or MLDv1 report, or an IGMPv3/MLDv2 record asking
	 * for all sources (IS_EX {}, TO_EX {}), for a group of an SSM range
	 * that a map covers becomes INCLUDE of the map's sources (the first
	 * map that covers the group). Other SSM ASM requests stay ignored. */
	uint8_t nssm_map;
	struct mcast_router_ssm_map {
		struct mcast_prefix group;
		uint8_t nsrcs;
		struct mcast_addr srcs[MCAST_ROUTER_MAX_SSM_MAP_SOURCES];
	} ssm_map[MCAST_ROUTER_MAX_SSM_MAPS];
	struct mcast_wire_policy wire;      /* receive checks */
};

void mcast_router_config_default(struct mcast_router_config *c, enum mcast_family f);

struct mcast_router;
/* Checks the engine's invariants (src/router/check.c): 0, or -1 with
 * the first violation described in why. For tests and fuzzers. */
int mcast_router_check(const struct mcast_router *r, char *why, size_t len);

/*
 * Sets one setting by name, as mcastd's configuration file and mcastsim
 * write it: version, robustness, query-interval (also sets the startup
 * interval to a quarter), query-response, lmqi, lmqc, startup-interval,
 * startup-count, querier on|off, fast-leave on|off, max-groups,
 * max-sources, max-hosts, max-total-sources, require-router-alert on|off, ssm-range
 * P1[,P2...]|none, ssm-map GROUP[/LEN]=S1[,S2...] (adds a map) or none (clears them). Times as mcast_time_parse(). 0, -ENOENT for an
 * unknown name, -EINVAL for a bad value (c unchanged).
 */
int mcast_router_config_set(struct mcast_router_config *c, const char *key, const char *val);
/*
 * The same for an interface's two families at once, as mcastd.conf's
 * interface lines, mcastsim scenarios and `mcastsim replay --set` write
 * it: igmp-version N (1-3) sets c4 only, mld-version N (1-2) c6 only,
 * ssm-range takes both families' prefixes in one list (a family left
 * out gets no SSM range), every other key goes to both. Either config
 * may be NULL. 0, -ENOENT, -EINVAL (both unchanged).
 */
int mcast_router_config_set_both(struct mcast_router_config *c4, struct mcast_router_config *c6,
				 const char *key, const char *val);
/* What a key accepts, for error messages ("1..7", "on or off", "a time
 * such as 500ms, 2s or 1m (1 s to 31744 s)"); NULL for an unknown key. */
const char *mcast_router_config_allowed(const char *key);
/* "500ms", "2s", "1.5s", "3m", "1h", or plain seconds. 0 or -EINVAL. */
int mcast_time_parse(const char *s, mcast_time_ms *t);

/* Derived timers (RFC 3376 8.4, 8.5, 8.13). */
uint32_t mcast_router_gmi_ms(const struct mcast_router_config *c);  /* RV*QI + QRI */
uint32_t mcast_router_oqpi_ms(const struct mcast_router_config *c); /* RV*QI + QRI/2 */
uint32_t mcast_router_lmqt_ms(const struct mcast_router_config *c); /* LMQI * LMQC */

/* What a link wants for (S,G), or for (*,G) with source any. */
enum mcast_fwd {
	MCAST_FWD_NONE = 0,     /* no interest */
	MCAST_FWD_INCLUDE = 1,  /* forward */
	MCAST_FWD_EXCLUDE = 2,  /* (S,G) only: do not forward although (*,G) is wanted */
};

struct mcast_router_env {
	const struct mcast_alloc *al;
	/* The router's clock: its times stay below 2^46 ms (a group keeps
	 * its timer in 46 bits; 2,200 years of a clock counted from boot,
	 * or from 1970). */
	struct mcast_wheel *wheel;
	const struct mcast_log *log;
	/* Sends a datagram (queries) out of an interface. */
	void (*send)(void *ctx, unsigned ifindex, const uint8_t *pkt, size_t len);
	/* What ifindex wants for (source, group) changed; source is the any
	 * address for (*,G). */
	void (*fwd_change)(void *ctx, unsigned ifindex, const struct mcast_addr *group,
			   const struct mcast_addr *source, enum mcast_fwd old, enum mcast_fwd now);
	/* Optional access list: may ifindex's hosts have (source, group)?
	 * Asked with source the any address for the group as a whole (a
	 * denied group's records are ignored and counted in acl_denied), and
	 * per source by mcast_router_wants(), so a denied source is never
	 * forwarded, also in EXCLUDE mode. */
	bool (*allow)(void *ctx, unsigned ifindex, const struct mcast_addr *group,
		      const struct mcast_addr *source);
	/* Optional: this router became, or stopped being, the querier on
	 * ifindex (proxies forward only where they are, RFC 4605 4.2). */
	void (*querier_change)(void *ctx, unsigned ifindex, bool querier);
	/* Optional: the groups of a report on ifindex, before any of its
	 * records is applied: recs[i].group, whose mcast_addr_hash() with
	 * hash_seed is hashes[i]. A hint for a consumer that will look the
	 * groups up in tables of its own (a proxy: its upstream's
	 * memberships, mcast_proxy_groups_ahead()): it starts loading them
	 * here, while the router's own lookups of the same groups are on
	 * their way. The records may still be refused. Reads only; must not
	 * call into the router. */
	void (*groups_ahead)(void *ctx, unsigned ifindex, const struct mcast_group_record *recs,
			     const uint64_t *hashes, size_t n);
	void *ctx;
	uint64_t hash_seed;
};

/* Per-interface counters; every received packet is counted once in rx
 * or in drop[reason]; the rest count refusals and events. */
struct mcast_router_stats {
	uint64_t rx_queries, rx_reports, rx_leaves, rx_records;
	uint64_t tx_general_queries, tx_group_queries, tx_source_queries;
	struct mcast_drop_stats drop;     /* wire-level rejections */
	uint64_t not_local;               /* unicast destination not ours */
	uint64_t version_ignored;         /* a message this interface's version ignores */
	uint64_t compat_ignored;          /* BLOCK, TO_EX lists, v1-mode leaves (RFC 3376 7.3.2) */
	uint64_t ssm_ignored;             /* EXCLUDE requests and v1/v2 reports for SSM groups */
	uint64_t group_limit;             /* groups refused: max_groups */
	uint64_t source_limit;            /* sources refused: max_sources */
	uint64_t host_limit;              /* hosts not tracked: max_hosts or max_total_sources */
	uint64_t total_source_limit;      /* sources refused: max_total_sources */
	uint64_t no_memory;               /* records not applied: no memory for them (nothing changed) */
	uint64_t older_querier;           /* queries of an older version heard */
	uint64_t querier_changes;
	uint64_t fast_leaves;             /* removals done without waiting for LMQT */
	uint64_t acl_denied;              /* records for groups the access list denies */
	/* the address rules (docs/wire.md, "Address rules") */
	uint64_t local_group;             /* records for groups that never leave the link */
	uint64_t invalid_source;          /* sources that can never send, refused one by one */
	uint64_t unspecified_reporter;    /* MLD reports and dones from :: (RFC 3590) */
	uint64_t ssm_mapped;              /* SSM ASM requests turned into INCLUDE of mapped sources */
};

/* The counters by name, as scenarios, mcastctl and JSON call them. */
struct mcast_stat_field {
	const char *name;
	size_t offset;               /* of a uint64_t in struct mcast_router_stats */
};
extern const struct mcast_stat_field mcast_router_stat_fields[];
extern const size_t mcast_router_stat_nfields;

static inline uint64_t mcast_router_stat(const struct mcast_router_stats *s, const struct mcast_stat_field *f)
{
	return *(const uint64_t *)(const void *)((const char *)s + f->offset);
}

struct mcast_router;

struct mcast_router *mcast_router_create(const struct mcast_router_env *env, enum mcast_family f);
void mcast_router_destroy(struct mcast_router *r);

/*
 * Adds an interface with its address (IPv4 primary address, or the MLD
 * link-local address) and MTU. The router starts as querier and sends
 * its startup queries. -EEXIST, -EINVAL (bad address or version), -ENOMEM.
 */
int mcast_router_iface_add(struct mcast_router *r, unsigned ifindex, const char *name,
			   const struct mcast_addr *addr, uint32_t mtu,
			   const struct mcast_router_config *cfg);
/* Removes an interface; every group it had reports MCAST_FWD_NONE. */
int mcast_router_iface_del(struct mcast_router *r, unsigned ifindex);
/* New settings for an interface, keeping its groups and querier state
 * (a reload): timers and limits apply from the next event on. -ENODEV,
 * -EINVAL as for mcast_router_iface_add(). */
int mcast_router_iface_set_config(struct mcast_router *r, unsigned ifindex,
				  const struct mcast_router_config *cfg);
/* A new address: the querier election is run again. */
int mcast_router_iface_set_addr(struct mcast_router *r, unsigned ifindex,
				const struct mcast_addr *addr);

/* An IGMP or MLD packet (whole IP datagram) received on ifindex at the
 * wheel's current time. Bad packets are counted and ignored. */
void mcast_router_input(struct mcast_router *r, unsigned ifindex, const uint8_t *pkt, size_t len);
/* The same for a message already parsed into its IP facts. */
void mcast_router_input_ip(struct mcast_router *r, unsigned ifindex,
			   const struct mcast_ip_info *ip);

/* ---- inspection ---- */

struct mcast_router_iface_info {
	bool querier;
	struct mcast_addr querier_addr;
	mcast_time_ms other_querier_ms;   /* time left on Other Querier Present */
	uint8_t robustness;               /* in use (adopted from the querier's QRV) */
	uint32_t query_interval_ms;       /* in use (adopted from the querier's QQIC) */
	size_t groups;
	const struct mcast_router_stats *stats;
};

int mcast_router_iface_info(const struct mcast_router *r, unsigned ifindex,
			    struct mcast_router_iface_info *info);

struct mcast_router_source_info {
	struct mcast_addr addr;
	mcast_time_ms timer_ms;           /* 0: excluded (EXCLUDE mode's Y list) */
	bool forwarding;
};

struct mcast_router_group_info {
	bool exclude;                     /* filter mode */
	uint8_t compat_version;           /* the family's own numbering */
	mcast_time_ms group_timer_ms;     /* 0 in INCLUDE mode */
	size_t nsources;
	size_t ntracked_hosts;
};

/* Group state; sources (up to cap, sorted) go to srcs if given.
 * -ENODEV (no interface) or -ENOENT (no state for the group). */
int mcast_router_group(const struct mcast_router *r, unsigned ifindex,
		       const struct mcast_addr *group, struct mcast_router_group_info *info,
		       struct mcast_router_source_info *srcs, size_t cap);

/* Does the link behind ifindex want packets from source to group (RFC
 * 3376 6.3)? */
/* Calls fn for every group the interface has (in no particular order);
 * fn must not change the router. -ENODEV for an unknown interface. */
int mcast_router_walk_groups(const struct mcast_router *r, unsigned ifindex,
			     void (*fn)(void *ctx, const struct mcast_addr *group), void *ctx);
bool mcast_router_wants(const struct mcast_router *r, unsigned ifindex,
			const struct mcast_addr *source, const struct mcast_addr *group);

/* The state as JSON (the schema of DESIGN.md), or as a table for people;
 * one line per out() call. */
void mcast_router_dump_json(const struct mcast_router *r, mcast_line_fn out, void *ctx);
void mcast_router_dump_text(const struct mcast_router *r, mcast_line_fn out, void *ctx);

#ifdef __cplusplus
}
#endif

#endif /* MCAST_ROUTER_H */
