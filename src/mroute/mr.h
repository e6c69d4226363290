/* The routing table's internal structures, shared by the files of src/mroute. */
#ifndef MCAST_MR_INTERNAL_H
#define MCAST_MR_INTERNAL_H

#include "mcast/mroute.h"
#include "core/kidx.h"
#include "core/check.h"
#include "core/addr.h"

#define MR_INLINE_OIFS 4

struct mr_vif {
	bool used;
	struct mcast_vif_config cfg;
	struct mcast_vif_stats st;
	struct mcast_hnode by_ifindex; /* in table->vif_index, keyed by ifindex */
};

struct mr_entry {
	struct mcast_addr source, group; /* in table->cache, keyed by both */
	uint16_t iif;
	uint16_t noifs;
	uint16_t oif_cap;              /* > MR_INLINE_OIFS: oifs is allocated */
	bool is_static;
	bool asserted;                 /* a WRONGVIF was sent at last_assert_ms */
	struct mcast_mfc_oif *oifs;    /* sorted by VIF */
	struct mcast_mfc_oif inline_oifs[MR_INLINE_OIFS];
	struct mcast_mfc_stats st;
	mcast_time_ms last_assert_ms;
};

struct mr_held {                       /* a packet waiting on the unresolved queue */
	struct mr_held *next;
	size_t len;
	uint8_t data[];
};

struct mr_unres {
	struct mcast_hnode node;       /* in table->unres, keyed by (source, group) */
	struct mcast_addr source, group;
	uint16_t vif;
	uint32_t npkts;
	struct mr_held *head, **tail;
	struct mcast_timer expire;
	struct mcast_mr_table *t;
};

struct mcast_mr_table {
	struct mcast_mr_env env;
	struct mcast_mr_config cfg;
	enum mcast_family family;
	uint32_t id;
	bool owned;
	struct mcast_mr_owner owner;
	struct mr_vif *vifs;           /* cfg.max_vifs slots */
	uint16_t register_vif;         /* MCAST_MR_NO_VIF when none */
	struct mcast_htab vif_index;
	struct kidx cache;             /* the entries by (source, group), key_of() in cache.c */
	size_t n_star_g, n_star_star;  /* skip wildcard lookups when there are none */
	struct mcast_pool entries;
	struct mcast_htab unres;
	struct mcast_mr_stats stats;
	struct mcast_ratelimit drop_log; /* bad-packet lines per second in the log */
	uint64_t check_calls;          /* invariant checks asked for (MCAST_CHECK_INVARIANTS) */
	uint8_t *scratch;              /* the TTL-decremented copy being sent: */
	size_t scratch_cap;            /* grown to the largest packet forwarded */
};

/* table.c */
int mr_check_caller(const struct mcast_mr_table *t, const struct mcast_mr_owner *o,
		    bool is_static);

/* A VIF's configuration and counters as shown: the fast path's
 * (env.fetch_vif) when it gives them. cfg and st hold the table's. */
void mr_vif_view(const struct mcast_mr_table *t, uint16_t vif, struct mcast_vif_config *cfg,
		 struct mcast_vif_stats *st);

/* cache.c */
void mr_entry_free(struct mcast_mr_table *t, struct mr_entry *e);
/* An entry's key in the cache (64 bits: an IPv4 (S,G) itself, an IPv6
 * one's hash), and a key's hash (the index's home for it). */
struct mr_key {
	uint64_t key, h;
};
uint64_t mr_entry_key(const void *entry, const void *table);
uint64_t mr_key_hash(uint64_t key, const void *table);
enum mr_unres_end { MR_UNRES_RELEASED, MR_UNRES_EXPIRED, MR_UNRES_FLUSHED };
void mr_unres_free(struct mcast_mr_table *t, struct mr_unres *u, enum mr_unres_end why);
void mr_vif_removed(struct mcast_mr_table *t, uint16_t vif);

/* An entry's counters: the fast path's when env.fetch_stats gives them. */
struct mcast_mfc_stats mr_entry_stats(const struct mcast_mr_table *t, const struct mr_entry *e);
/* Tells the mirror (env.changed) about an entry's current state. */
void mr_notify_entry(struct mcast_mr_table *t, const struct mr_entry *e, bool gone, bool added);

/* The sanitizer build checks the table after each packet and entry
 * change: every time while small, every 1024th time once large. */
static inline void mr_check_invariants(struct mcast_mr_table *t)
{
#ifdef MCAST_CHECK_INVARIANTS
	if (t->cache.count > 4096 && (++t->check_calls & 1023))
		return;
#endif
	MCAST_CHECK_OR_ABORT(mcast_mr_check, t, "mroute");
}

static inline const struct mcast_addr *mr_any(const struct mcast_mr_table *t)
{
	return t->family == MCAST_AF_INET ? &mcast_addr_any4 : &mcast_addr_any6;
}

#endif
