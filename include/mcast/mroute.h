/*
 * mcast/mroute.h - the multicast routing table (the kernel's mr_table):
 * virtual interfaces, the forwarding cache of (S,G), (*,G) and (*,*)
 * entries, the unresolved queue with its upcalls, and forwarding of
 * data packets, for IPv4 and IPv6 alike.
 *
 * It follows Linux's ipmr.c/ip6mr.c in behaviour (MRT_INIT/MRT_DONE
 * ownership, NOCACHE/WRONGVIF/WHOLEPKT upcalls, TTL thresholds, the
 * unresolved queue's limits and 10 s expiry, the 3 s assert rate limit)
 * and differs in structure: entries are hashed over a table that grows,
 * not 64 fixed chains; any number of VIFs up to a configured maximum;
 * output interfaces are a sorted list per entry, not a 32-byte array.
 *
 * Errors are negative errno values, chosen as the kernel's setsockopt()
 * would: -EADDRINUSE (VIF exists, second owner), -EADDRNOTAVAIL (no such
 * VIF), -ENOENT (no such entry), -ENFILE (VIF index out of range),
 * -EACCES (not the owner), -EINVAL, -ENOMEM, -ENOBUFS (limit reached).
 */
#ifndef MCAST_MROUTE_H
#define MCAST_MROUTE_H

#include "mcast/core.h"

#ifdef __cplusplus
extern "C" {
#endif

#define MCAST_MR_DEFAULT_TABLE 253 /* RT_TABLE_DEFAULT */
#define MCAST_MR_NO_VIF 0xffff

struct mcast_mr_config {
	uint16_t max_vifs;              /* default 32 (MAXVIFS); up to 65535 */
	uint32_t max_unresolved;        /* unresolved entries at once; default 10, as Linux */
	uint32_t max_unresolved_pkts;   /* packets held per unresolved entry; default 4, as Linux */
	mcast_time_ms unresolved_ms;    /* unresolved expiry; default 10000 */
	mcast_time_ms assert_interval_ms; /* WRONGVIF rate limit per entry; default 3000 */
	uint32_t max_entries;           /* forwarding cache entries; 0 = no limit */
	bool assert;                    /* send WRONGVIF upcalls (MRT_ASSERT) */
	bool pim;                       /* MRT_PIM: WRONGVIF even when the VIF is no output */
};

void mcast_mr_config_default(struct mcast_mr_config *c);

/* VIF flags, as the kernel's VIFF_*. */
#define MCAST_VIF_TUNNEL 0x1
#define MCAST_VIF_REGISTER 0x4
#define MCAST_VIF_USE_IFINDEX 0x8 /* the kernel's: its "local" then holds the ifindex */
#define MCAST_VIF_STATIC 0x8000 /* survives MRT_DONE */

struct mcast_vif_config {
	unsigned ifindex;          /* the interface (0 for a register VIF) */
	char name[16];
	uint16_t flags;
	uint8_t threshold;         /* TTL threshold: a packet goes out only if its TTL exceeds it */
	struct mcast_addr local;   /* local address (shown in the dumps) */
	struct mcast_addr remote;  /* tunnel peer */
};

struct mcast_vif_stats {
	uint64_t pkts_in, bytes_in, pkts_out, bytes_out;
};

/* One output interface of an entry. */
struct mcast_mfc_oif {
	uint16_t vif;
	uint8_t ttl;               /* the entry's threshold for this VIF (1..254) */
};

/* What the routing logic installs. source any = (*,G); source and group
 * any = (*,*). */
struct mcast_mfc_params {
	struct mcast_addr source;
	struct mcast_addr group;
	uint16_t iif;              /* incoming VIF */
	const struct mcast_mfc_oif *oifs;
	size_t noifs;
	bool is_static;            /* survives MRT_DONE */
};

struct mcast_mfc_stats {
	uint64_t pkts, bytes, wrong_if;
	mcast_time_ms last_use_ms;
};

enum mcast_upcall_type {
	MCAST_UPCALL_NOCACHE = 1,  /* IGMPMSG_NOCACHE: a packet missed the cache */
	MCAST_UPCALL_WRONGVIF = 2, /* IGMPMSG_WRONGVIF: arrived on another VIF than the entry's */
	MCAST_UPCALL_WHOLEPKT = 3, /* IGMPMSG_WHOLEPKT: a packet for the register VIF */
};

struct mcast_upcall {
	enum mcast_upcall_type type;
	uint32_t table;
	uint16_t vif;              /* arrival VIF (NOCACHE, WRONGVIF) or register VIF */
	struct mcast_addr source, group;
	const uint8_t *pkt;        /* the packet (WHOLEPKT, NOCACHE); valid during the call only */
	size_t len;
};

/* The routing socket's owner. */
struct mcast_mr_owner {
	void (*upcall)(void *ctx, const struct mcast_upcall *u);
	void *ctx;
};

/* Where forwarded copies go. */
/* A change of the table's VIFs or entries, for a fast path that mirrors
 * the table (mcastd keeps the kernel's forwarding cache equal to it). */
enum mcast_mr_event_type {
	MCAST_MR_VIF_ADD = 1,
	MCAST_MR_VIF_DEL,
	MCAST_MR_MFC_SET,          /* added or replaced: iif and every output */
	MCAST_MR_MFC_DEL,
};

struct mcast_mr_event {
	enum mcast_mr_event_type type;
	uint16_t vif;                          /* VIF_ADD, VIF_DEL */
	const struct mcast_vif_config *vif_cfg; /* VIF_ADD */
	struct mcast_addr source, group;       /* MFC_* */
	uint16_t iif;                          /* MFC_SET */
	const struct mcast_mfc_oif *oifs;      /* MFC_SET, sorted by VIF */
	size_t noifs;
	bool added;                            /* MFC_SET: a new entry (not a change) */
};

struct mcast_mfc_stats;

struct mcast_mr_env {
	const struct mcast_alloc *al;
	struct mcast_wheel *wheel;
	const struct mcast_log *log;
	/* Sends one forwarded copy out of ifindex; pkt is valid only during
	 * the call. */
	void (*xmit)(void *ctx, unsigned ifindex, const uint8_t *pkt, size_t len);
	/* Optional: told of every change after it is made. When an entry
	 * loses an output because its VIF went, MFC_SET comes before
	 * VIF_DEL, so a mirror never points at a removed VIF. */
	void (*changed)(void *ctx, const struct mcast_mr_event *ev);
	/* Optional: an entry's counters from the fast path that forwards
	 * for this table (the kernel); used by mcast_mr_mfc_get() and the
	 * dumps instead of the table's own. 0 or -errno (then the table's). */
	int (*fetch_stats)(void *ctx, const struct mcast_addr *source, const struct mcast_addr *group,
			   struct mcast_mfc_stats *st);
	/* Optional: a VIF's counters, flags and local address as the fast
	 * path has them; used by mcast_mr_vif_get() and the dumps instead of
	 * the table's own. cfg holds the table's view on entry; the hook
	 * may overwrite flags and local. 0 or -errno (then the table's). */
	int (*fetch_vif)(void *ctx, uint16_t vif, struct mcast_vif_config *cfg, struct mcast_vif_stats *st);
	void *ctx;
	uint64_t hash_seed;
};

/* Table-wide counters; every packet given to mcast_mr_input() ends in
 * exactly one of no_vif, bad_packet, local_scope, hit, wrong_vif,
 * queued, no_owner, unres_full, unres_pkt_full. */
struct mcast_mr_stats {
	uint64_t input;            /* packets given to mcast_mr_input() */
	uint64_t no_vif;           /* arrived on an interface without a VIF */
	uint64_t bad_packet;       /* not a well-formed IP multicast datagram */
	uint64_t local_scope;      /* link-local group: never forwarded */
	uint64_t hit;              /* matched an entry on its incoming VIF */
	uint64_t wrong_vif;        /* matched an entry but came in elsewhere */
	uint64_t queued;           /* missed, held on the unresolved queue */
	uint64_t no_owner;         /* missed with no routing socket: dropped */
	uint64_t unres_full;       /* missed, no room for another unresolved entry */
	uint64_t unres_pkt_full;   /* missed, its unresolved entry holds enough */
	uint64_t copies;           /* copies sent out of VIFs */
	uint64_t ttl_below;        /* copies not sent: TTL not above the threshold */
	uint64_t released;         /* queued packets forwarded when their entry came */
	uint64_t expired;          /* unresolved entries expired */
	uint64_t expired_pkts;     /* queued packets dropped with them */
	uint64_t flushed;          /* unresolved entries dropped: their VIF or the owner went */
	uint64_t flushed_pkts;     /* queued packets dropped with them */
	uint64_t upcall_nocache, upcall_wrongvif, upcall_wholepkt;
	uint64_t no_memory;        /* packets not forwarded: no memory for the copy */
};

struct mcast_mr_table;

/* A table of the given family and id. NULL on allocation failure. */
struct mcast_mr_table *mcast_mr_create(const struct mcast_mr_env *env,
				       const struct mcast_mr_config *cfg,
				       enum mcast_family family, uint32_t id);
/* Frees everything, held packets included. */
void mcast_mr_destroy(struct mcast_mr_table *t);
uint32_t mcast_mr_id(const struct mcast_mr_table *t);
/* Checks the table's invariants (src/mroute/check.c): 0, or -1 with the
 * first violation described in why. For tests and fuzzers. */
int mcast_mr_check(const struct mcast_mr_table *t, char *why, size_t len);
enum mcast_family mcast_mr_family(const struct mcast_mr_table *t);
const struct mcast_mr_stats *mcast_mr_stats(const struct mcast_mr_table *t);
/* Enables or disables WRONGVIF upcalls (MRT_ASSERT) and PIM mode. */
void mcast_mr_set_assert(struct mcast_mr_table *t, bool assert, bool pim);

/* MRT_INIT: o becomes the owner; -EADDRINUSE if the table has one. */
int mcast_mr_init(struct mcast_mr_table *t, const struct mcast_mr_owner *o);
/* MRT_DONE, or the owner going away: flushes every VIF and entry not
 * marked static, and the unresolved queue. -EACCES if o is not the owner. */
int mcast_mr_done(struct mcast_mr_table *t, const struct mcast_mr_owner *o);
bool mcast_mr_owned(const struct mcast_mr_table *t);

/*
 * VIFs. The caller is the owner, or NULL for static configuration
 * (MCAST_VIF_STATIC set). One register VIF per table. Deleting a VIF
 * removes it from every entry's output list.
 */
int mcast_mr_vif_add(struct mcast_mr_table *t, const struct mcast_mr_owner *o, uint16_t vif,
		     const struct mcast_vif_config *cfg);
int mcast_mr_vif_del(struct mcast_mr_table *t, const struct mcast_mr_owner *o, uint16_t vif);
/* The VIF of an interface, or MCAST_MR_NO_VIF. */
uint16_t mcast_mr_vif_of(const struct mcast_mr_table *t, unsigned ifindex);
/* 0 and the VIF's configuration and counters, or -EADDRNOTAVAIL. */
int mcast_mr_vif_get(const struct mcast_mr_table *t, uint16_t vif, struct mcast_vif_config *cfg,
		     struct mcast_vif_stats *st);

/*
 * Forwarding cache. Adding an existing (S,G) replaces its incoming VIF
 * and outputs and keeps its counters, as MRT_ADD_MFC does. Outputs must
 * be existing VIFs, thresholds 1..254, no duplicates (-EINVAL); the
 * incoming VIF must exist (-EADDRNOTAVAIL). Adding an entry releases the
 * packets waiting on the unresolved queue that it now matches.
 */
int mcast_mr_mfc_add(struct mcast_mr_table *t, const struct mcast_mr_owner *o,
		     const struct mcast_mfc_params *p);
int mcast_mr_mfc_del(struct mcast_mr_table *t, const struct mcast_mr_owner *o,
		     const struct mcast_addr *source, const struct mcast_addr *group);
/* Counters and outputs of an exact entry; 0 or -ENOENT. oifs may be
 * NULL; *noifs gets the count (up to cap copied). */
int mcast_mr_mfc_get(const struct mcast_mr_table *t, const struct mcast_addr *source,
		     const struct mcast_addr *group, uint16_t *iif, struct mcast_mfc_stats *st,
		     struct mcast_mfc_oif *oifs, size_t cap, size_t *noifs);
size_t mcast_mr_mfc_count(const struct mcast_mr_table *t);
/* Visits every entry of the forwarding cache (in no particular order);
 * p is valid during the call only. fn must not change the table. */
void mcast_mr_mfc_walk(const struct mcast_mr_table *t,
		       void (*fn)(void *arg, const struct mcast_mfc_params *p), void *arg);

/*
 * Looks up n packets' (S,G) at once ((S,G), then (*,G), then (*,*)),
 * writing each match's incoming VIF to iif[i] (MCAST_MR_NO_VIF for a
 * miss) and returning the number of matches. It prefetches every bucket
 * (for IPv6 then every candidate entry) before comparing, so that at a
 * million entries the memory latencies of a burst overlap instead of
 * adding up; an IPv4 hit reads its bucket's first line and nothing else.
 */
size_t mcast_mr_lookup_batch(const struct mcast_mr_table *t, size_t n,
			     const struct mcast_addr *source, const struct mcast_addr *group,
			     uint16_t *iif);
size_t mcast_mr_unresolved_count(const struct mcast_mr_table *t);

/*
 * A data packet (a whole IP datagram) arrived on ifindex at the wheel's
 * current time: look it up ((S,G), then (*,G), then (*,*)) and forward
 * it, queue it, or drop it, as described at struct mcast_mr_stats.
 * The packet is not modified. Returns the number of copies sent.
 */
unsigned mcast_mr_input(struct mcast_mr_table *t, unsigned ifindex, const uint8_t *pkt,
			size_t len);

/* Dumps, one line per call of out: the kernel's
 * /proc/net/ip_mr_vif and ip_mr_cache, or ip6_mr_vif and ip6_mr_cache
 * for IPv6 tables, byte for byte as on little-endian Linux; and JSON. */
void mcast_mr_dump_proc_vif(const struct mcast_mr_table *t, mcast_line_fn out, void *ctx);
void mcast_mr_dump_proc_cache(const struct mcast_mr_table *t, mcast_line_fn out, void *ctx);
void mcast_mr_dump_json(const struct mcast_mr_table *t, mcast_line_fn out, void *ctx);
/*
 * The same for people: a titled table per dump, addresses in their usual
 * notation and VIFs by interface name. Entries as
 * "(10.0.0.5, 239.1.2.3)  in wan  out lan1 lan2  packets bytes wrong idle"
 * ((*, G) for a (*,G) entry, waiting entries after them); VIFs with their
 * interface, local address, flags, threshold and counters.
 */
void mcast_mr_dump_text_cache(const struct mcast_mr_table *t, mcast_line_fn out, void *ctx);
void mcast_mr_dump_text_vif(const struct mcast_mr_table *t, mcast_line_fn out, void *ctx);

#ifdef __cplusplus
}
#endif

#endif /* MCAST_MROUTE_H */
