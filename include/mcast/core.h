/*
 * mcast/core.h - the core layer of libmcast: addresses and prefixes,
 * sorted source sets, a timer wheel on an injected clock, an intrusive
 * hash table, an object pool, the allocator, log and random callbacks.
 *
 * Nothing here performs I/O, reads a clock or keeps global mutable state.
 * Errors are negative errno values (-EINVAL, -ENOMEM, -ENOBUFS, ...).
 */
#ifndef MCAST_CORE_H
#define MCAST_CORE_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* ------------------------------------------------------------------ */
/* Addresses                                                           */
/* ------------------------------------------------------------------ */

/*
 * One address type for both families. IPv4 addresses are stored
 * v4-mapped (::ffff:a.b.c.d), so that ordering, hashing and copying are
 * the same 16-byte operations for IGMP and MLD. The family is derived
 * from the bytes: the IPv4 "any" address is ::ffff:0.0.0.0, distinct
 * from the IPv6 "::".
 */
struct mcast_addr {
	uint8_t b[16];
};

enum mcast_family {
	MCAST_AF_INET = 4,
	MCAST_AF_INET6 = 6,
};

#define MCAST_ADDR_STRLEN 46 /* as INET6_ADDRSTRLEN */

extern const struct mcast_addr mcast_addr_any4;        /* 0.0.0.0 */
extern const struct mcast_addr mcast_addr_any6;        /* :: */
extern const struct mcast_addr mcast_addr_all_systems; /* 224.0.0.1 */
extern const struct mcast_addr mcast_addr_all_routers4; /* 224.0.0.2 */
extern const struct mcast_addr mcast_addr_igmpv3_routers; /* 224.0.0.22 */
extern const struct mcast_addr mcast_addr_all_nodes;   /* ff02::1 */
extern const struct mcast_addr mcast_addr_all_routers6; /* ff02::2 */
extern const struct mcast_addr mcast_addr_mldv2_routers; /* ff02::16 */

void mcast_addr_from_in4(struct mcast_addr *a, const uint8_t in4[4]);
void mcast_addr_from_in6(struct mcast_addr *a, const uint8_t in6[16]);
/* Builds an IPv4 address from a host-order 32-bit value. */
void mcast_addr_from_u32(struct mcast_addr *a, uint32_t v4);
/* The IPv4 address as a host-order value (0 for IPv6 addresses). */
uint32_t mcast_addr_u32(const struct mcast_addr *a);
/* An IPv4 address as Linux's /proc files print a __be32 with %08X on a
 * little-endian machine (10.0.0.1 is 0100000A). */
uint32_t mcast_addr_u32_proc(const struct mcast_addr *a);
/* The 4 or 16 bytes as they go on the wire; returns the length. */
size_t mcast_addr_wire(const struct mcast_addr *a, uint8_t out[16]);

bool mcast_addr_is_v4(const struct mcast_addr *a);
enum mcast_family mcast_addr_family(const struct mcast_addr *a);
/* Address length on the wire: 4 or 16. */
static inline size_t mcast_family_alen(enum mcast_family f)
{
	return f == MCAST_AF_INET ? 4 : 16;
}

/* Parses dotted-quad IPv4 or RFC 4291 IPv6 text. 0 or -EINVAL. */
int mcast_addr_parse(struct mcast_addr *a, const char *s);
/* Like mcast_addr_parse() but on a counted string. */
int mcast_addr_parse_n(struct mcast_addr *a, const char *s, size_t n);
/* Prints IPv4 dotted, IPv6 in RFC 5952 form. Returns buf. */
char *mcast_addr_str(const struct mcast_addr *a, char buf[MCAST_ADDR_STRLEN]);

int mcast_addr_cmp(const struct mcast_addr *a, const struct mcast_addr *b);
static inline bool mcast_addr_eq(const struct mcast_addr *a, const struct mcast_addr *b)
{
	uint64_t a0, a1, b0, b1;
	__builtin_memcpy(&a0, a->b, 8);
	__builtin_memcpy(&a1, a->b + 8, 8);
	__builtin_memcpy(&b0, b->b, 8);
	__builtin_memcpy(&b1, b->b + 8, 8);
	return ((a0 ^ b0) | (a1 ^ b1)) == 0;
}
/* Seeded 64-bit hash; seed it with a random value per table. */
uint64_t mcast_addr_hash(const struct mcast_addr *a, uint64_t seed);
/* Hash of an interface number for the engines' interface tables: a
 * seeded multiply (interface numbers are the stack's own, nothing a
 * network chooses, and are looked up several times per call). */
static inline uint64_t mcast_ifindex_hash(unsigned ifindex, uint64_t seed)
{
	return ((uint64_t)ifindex ^ seed) * 0x9e3779b97f4a7c15ull;
}
/* Hash of an ordered pair (source, group). */
uint64_t mcast_addr_hash2(const struct mcast_addr *a, const struct mcast_addr *b,
			  uint64_t seed);

bool mcast_addr_is_unspecified(const struct mcast_addr *a);
bool mcast_addr_is_multicast(const struct mcast_addr *a);
/* Unicast link-local: 169.254.0.0/16, fe80::/10. */
bool mcast_addr_is_link_local(const struct mcast_addr *a);
/* Link-local multicast: 224.0.0.0/24, ff02::/16. */
bool mcast_addr_is_link_local_mcast(const struct mcast_addr *a);
/* Unicast host address usable as a source: not multicast, not any, not
 * the IPv4 limited broadcast, not class E. */
bool mcast_addr_is_unicast(const struct mcast_addr *a);
/*
 * An address a multicast packet can come from on a network: unicast as
 * above and not loopback (127.0.0.0/8, ::1), which never appears on a
 * wire (RFC 1122 3.2.1.3, RFC 4291 2.5.3). Every source list a router
 * or proxy keeps holds only these (docs/wire.md, "Address rules").
 */
bool mcast_addr_is_valid_source(const struct mcast_addr *a);
/*
 * Groups whose packets never leave the link, so that no router keeps
 * state for them: 224.0.0.0/24 (RFC 5771 4) and IPv6 scopes 0, 1 and 2
 * (RFC 4291 2.7). They include the groups never reported.
 */
bool mcast_addr_is_local_group(const struct mcast_addr *a);

/*
 * Multicast scope as the IPv6 scope values (RFC 7346): 1 interface-local,
 * 2 link-local, 5 site-local, 8 organization-local, 14 global. IPv4
 * groups map to 2 (224.0.0.0/24), 5 (239.255.0.0/16), 8 (239.0.0.0/8)
 * and 14. Returns 0 for non-multicast addresses.
 */
unsigned mcast_addr_scope(const struct mcast_addr *a);

/* Default SSM ranges (RFC 4607): 232.0.0.0/8 and ff3x::/32. */
bool mcast_addr_is_ssm_default(const struct mcast_addr *a);

/*
 * Groups that are never reported (RFC 3376 5, RFC 3810 6): 224.0.0.1,
 * ff02::1, and IPv6 scopes 0 (reserved) and 1 (interface-local).
 */
bool mcast_addr_is_never_reported(const struct mcast_addr *a);

/* A prefix; len counts bits of the family's own address (0..32, 0..128). */
struct mcast_prefix {
	struct mcast_addr addr;
	uint8_t len;
};

/* Parses "A/len" or a bare address (host prefix). 0 or -EINVAL. Host
 * bits beyond len must be zero. */
int mcast_prefix_parse(struct mcast_prefix *p, const char *s);
bool mcast_prefix_contains(const struct mcast_prefix *p, const struct mcast_addr *a);
char *mcast_prefix_str(const struct mcast_prefix *p, char *buf, size_t len);

/* ------------------------------------------------------------------ */
/* Allocation                                                          */
/* ------------------------------------------------------------------ */

/*
 * The allocator callback: realloc semantics (p NULL = allocate, size 0 =
 * free, returns NULL on failure or on free). old_size is what the block
 * was allocated with (0 for new), for allocators that need it.
 */
struct mcast_alloc {
	void *(*realloc)(void *ctx, void *p, size_t old_size, size_t new_size);
	void *ctx;
};

/* The C library's allocator, for programs and tests. */
extern const struct mcast_alloc mcast_alloc_libc;

void *mcast_alloc_get(const struct mcast_alloc *al, size_t size);
void *mcast_alloc_resize(const struct mcast_alloc *al, void *p, size_t old_size,
			 size_t new_size);
void mcast_alloc_free(const struct mcast_alloc *al, void *p, size_t size);

/* ------------------------------------------------------------------ */
/* Sorted source sets (RFC 3376 notation: A+B union, A*B intersection, */
/* A-B difference)                                                     */
/* ------------------------------------------------------------------ */

/*
 * The array algorithms take sorted arrays without duplicates and write
 * a sorted array without duplicates to out, which must have room for
 * na+nb (union), min(na,nb) (intersection) or na (difference) entries;
 * out may not overlap the inputs. They return the output count.
 */
size_t mcast_addrs_union(const struct mcast_addr *a, size_t na, const struct mcast_addr *b,
			 size_t nb, struct mcast_addr *out);
size_t mcast_addrs_intersect(const struct mcast_addr *a, size_t na,
			     const struct mcast_addr *b, size_t nb, struct mcast_addr *out);
size_t mcast_addrs_diff(const struct mcast_addr *a, size_t na, const struct mcast_addr *b,
			size_t nb, struct mcast_addr *out);
/* Binary search; returns the index of x, or -(insertion point) - 1. */
long mcast_addrs_find(const struct mcast_addr *a, size_t n, const struct mcast_addr *x);
/* Sorts and removes duplicates in place; returns the new count. */
size_t mcast_addrs_normalize(struct mcast_addr *a, size_t n);
bool mcast_addrs_is_sorted(const struct mcast_addr *a, size_t n);

/* A growable sorted set, for engines. */
struct mcast_srcset {
	struct mcast_addr *v;
	uint32_t n;
	uint32_t cap;
};

void mcast_srcset_init(struct mcast_srcset *s);
void mcast_srcset_free(struct mcast_srcset *s, const struct mcast_alloc *al);
/* Adds x; 1 if added, 0 if present, -ENOMEM. */
int mcast_srcset_add(struct mcast_srcset *s, const struct mcast_alloc *al,
		     const struct mcast_addr *x);
/* Removes x; 1 if removed, 0 if absent. */
int mcast_srcset_del(struct mcast_srcset *s, const struct mcast_addr *x);
bool mcast_srcset_has(const struct mcast_srcset *s, const struct mcast_addr *x);
/* Replaces s with the given sorted unique array. 0 or -ENOMEM. */
int mcast_srcset_assign(struct mcast_srcset *s, const struct mcast_alloc *al,
			const struct mcast_addr *a, size_t n);
/* In-place set algebra: s = s+o, s = s*o, s = s-o. 0 or -ENOMEM. */
/* Room for n sources: afterwards assign/add (n + 1) and union (n + no) within n never
 * allocate (and so never fail). 0 or -ENOMEM. */
int mcast_srcset_reserve(struct mcast_srcset *s, const struct mcast_alloc *al, size_t n);
int mcast_srcset_union(struct mcast_srcset *s, const struct mcast_alloc *al,
		       const struct mcast_addr *o, size_t no);
void mcast_srcset_intersect(struct mcast_srcset *s, const struct mcast_addr *o, size_t no);
void mcast_srcset_diff(struct mcast_srcset *s, const struct mcast_addr *o, size_t no);
bool mcast_srcset_equal(const struct mcast_srcset *s, const struct mcast_srcset *o);

/* ------------------------------------------------------------------ */
/* Time and the timer wheel                                            */
/* ------------------------------------------------------------------ */

/* Time is milliseconds on the driver's monotonic clock; names say _ms. */
typedef uint64_t mcast_time_ms;
#define MCAST_TIME_NEVER UINT64_MAX

struct mcast_timer;
typedef void (*mcast_timer_fn)(struct mcast_timer *t, void *arg);

/* A timer's place in a wheel: its links and its deadline. */
struct mcast_tnode {
	struct mcast_tnode *next;
	struct mcast_tnode **pprev; /* NULL while not armed */
	mcast_time_ms deadline_ms;
};

/* An intrusive timer: embed it in the record whose deadline it holds. */
struct mcast_timer {
	struct mcast_tnode node;    /* first */
	uint64_t seq;               /* arming order, breaks deadline ties */
	mcast_timer_fn fn;
	void *arg;
};

#define MCAST_WHEEL_BITS 6
#define MCAST_WHEEL_SLOTS (1u << MCAST_WHEEL_BITS)
#define MCAST_WHEEL_LEVELS 11 /* 6 * 11 = 66 bits: covers all of uint64 */

/*
 * A hierarchical timer wheel (64 slots per level, millisecond ticks).
 * Start and stop are O(1); a timer cascades at most once per level.
 * Timers fire in (deadline, arming order) order, so equal deadlines fire
 * in the order they were armed: the same inputs give the same run.
 */
struct mcast_wheel {
	mcast_time_ms now_ms;
	uint64_t next_seq;
	size_t count;
	uint64_t occupied[MCAST_WHEEL_LEVELS];
	struct mcast_tnode *slot[MCAST_WHEEL_LEVELS][MCAST_WHEEL_SLOTS];
	struct mcast_tnode *due; /* armed with a deadline <= now_ms */
};

void mcast_wheel_init(struct mcast_wheel *w, mcast_time_ms now_ms);
void mcast_timer_init(struct mcast_timer *t, mcast_timer_fn fn, void *arg);
/* Arms (or re-arms) t to fire at deadline_ms; a deadline in the past
 * fires at the next mcast_wheel_advance(). */
void mcast_timer_start(struct mcast_wheel *w, struct mcast_timer *t, mcast_time_ms deadline_ms);
void mcast_timer_stop(struct mcast_wheel *w, struct mcast_timer *t);
static inline bool mcast_timer_armed(const struct mcast_timer *t)
{
	return t->node.pprev != NULL;
}
/* The deadline t was last armed at (meaningful while armed). */
static inline mcast_time_ms mcast_timer_deadline(const struct mcast_timer *t)
{
	return t->node.deadline_ms;
}
/* Time left before t fires, 0 if not armed or due. */
mcast_time_ms mcast_timer_remaining(const struct mcast_wheel *w, const struct mcast_timer *t);
/*
 * Moves time forward to now_ms (never backward) and fires every timer
 * whose deadline is <= now_ms, in deadline then arming order; during a
 * callback the wheel's now_ms is that timer's deadline. Callbacks may
 * start and stop timers, including ones due in this same call. Returns
 * the number of timers fired.
 */
size_t mcast_wheel_advance(struct mcast_wheel *w, mcast_time_ms now_ms);
/*
 * For a clock that jumped (the driver was stopped or the machine slept):
 * moves time to now_ms and fires every timer due by then once, with the
 * wheel's now_ms equal to now_ms during every callback, in deadline then
 * arming order. Periodic timers re-armed from "now" then continue from
 * the present instead of replaying the lost interval as a burst.
 */
size_t mcast_wheel_jump(struct mcast_wheel *w, mcast_time_ms now_ms);
/*
 * A time at or before the earliest armed deadline (exact when that
 * deadline is within the next 64 ms), or MCAST_TIME_NEVER. Drivers arm
 * one OS timer there and call advance when it fires.
 */
mcast_time_ms mcast_wheel_next(const struct mcast_wheel *w);

/*
 * A lean wheel: many timers of one kind (a router interface's groups,
 * say) in a wheel of their own, each a bare struct mcast_tnode (24
 * bytes, where a struct mcast_timer takes 48): one callback and argument
 * serve them all, and the lean wheel is driven by one timer of its own
 * in the driver's wheel, armed at or before its earliest deadline. Its
 * levels (16 slots a level, 2 KiB) are allocated while it has a node to
 * hold: mcast_lean_reserve() before arming the first, and they go when
 * the last node is stopped outside a callback (so an idle owner pays
 * none). Nodes due at one instant fire in deadline order, equal
 * deadlines in the order of the owner's `before` (the groups: by
 * address), or without it in an order the same inputs always give;
 * during a callback the driver's wheel time is the time the lean wheel
 * was advanced to.
 */
typedef void (*mcast_lean_fn)(struct mcast_tnode *n, void *arg);
typedef bool (*mcast_lean_before_fn)(const struct mcast_tnode *a, const struct mcast_tnode *b);

#define MCAST_LEAN_BITS 4
#define MCAST_LEAN_SLOTS (1u << MCAST_LEAN_BITS)
#define MCAST_LEAN_LEVELS 16 /* 4 * 16 = 64 bits */

struct mcast_lean_levels {
	uint64_t occupied[MCAST_LEAN_LEVELS];
	struct mcast_tnode *slot[MCAST_LEAN_LEVELS][MCAST_LEAN_SLOTS];
	struct mcast_tnode *due;
	struct mcast_tnode *batch; /* while firing: the due nodes not yet fired */
};

struct mcast_lean_wheel {
	struct mcast_timer timer;  /* in *w: at or before the earliest node */
	struct mcast_wheel *w;
	const struct mcast_alloc *al;
	mcast_lean_fn fn;
	mcast_lean_before_fn before;
	void *arg;
	struct mcast_lean_levels *lv; /* NULL while nothing is armed */
	mcast_time_ms now_ms;      /* the levels' time (behind w's until it fires) */
	size_t count;
	bool firing;
};

void mcast_lean_init(struct mcast_lean_wheel *lw, struct mcast_wheel *w, const struct mcast_alloc *al,
		     mcast_lean_fn fn, mcast_lean_before_fn before, void *arg);
/* Makes room to arm a node: 0, or -ENOMEM (nothing changed). */
int mcast_lean_reserve(struct mcast_lean_wheel *lw);
/* Arms (or re-arms) n; the room must have been reserved (an armed node,
 * or mcast_lean_reserve() since the wheel was last empty). */
void mcast_lean_start(struct mcast_lean_wheel *lw, struct mcast_tnode *n, mcast_time_ms deadline_ms);
void mcast_lean_stop(struct mcast_lean_wheel *lw, struct mcast_tnode *n);
static inline bool mcast_tnode_armed(const struct mcast_tnode *n)
{
	return n->pprev != NULL;
}
/* Stops the driving timer and frees the levels; armed nodes are dropped. */
void mcast_lean_destroy(struct mcast_lean_wheel *lw);
/* Checks the levels' invariant (every node filed where its deadline
 * says, counts and occupied bits agree): 0, or -1 with why. */
int mcast_lean_check(const struct mcast_lean_wheel *lw, char *why, size_t len);

/* ------------------------------------------------------------------ */
/* Intrusive hash table                                                */
/* ------------------------------------------------------------------ */

struct mcast_hnode {
	struct mcast_hnode *next;
	uint64_t hash;
};

/* Chained, power-of-two buckets, load factor at most 1. */
struct mcast_htab {
	struct mcast_hnode **buckets;
	size_t mask;
	size_t count;
	const struct mcast_alloc *al;
};

int mcast_htab_init(struct mcast_htab *t, const struct mcast_alloc *al, size_t hint);
void mcast_htab_free(struct mcast_htab *t);
/* Inserts n with hash h (duplicates are the caller's business). Grows
 * the table when needed; when growth fails the node is still inserted
 * and -ENOMEM is returned as a warning. */
int mcast_htab_insert(struct mcast_htab *t, struct mcast_hnode *n, uint64_t h);
void mcast_htab_remove(struct mcast_htab *t, struct mcast_hnode *n);
/* First node in h's chain with the same hash; walk with _next. */
static inline struct mcast_hnode *mcast_htab_first(const struct mcast_htab *t, uint64_t h)
{
	struct mcast_hnode *n = t->buckets[h & t->mask];
	while (n && n->hash != h)
		n = n->next;
	return n;
}
static inline struct mcast_hnode *mcast_htab_next(const struct mcast_hnode *n)
{
	uint64_t h = n->hash;
	n = n->next;
	while (n && n->hash != h)
		n = n->next;
	return (struct mcast_hnode *)n;
}
/* Visits every node; fn may not modify the table. */
void mcast_htab_walk(const struct mcast_htab *t,
		     void (*fn)(struct mcast_hnode *n, void *arg), void *arg);
/* Visits every node; fn may remove (and free) the node it is given. */
void mcast_htab_walk_safe(struct mcast_htab *t, void (*fn)(struct mcast_hnode *n, void *arg),
			  void *arg);
/*
 * The records of a table as an array of pointers, sorted by cmp (which
 * compares two record pointers); off is the offset of the hnode in the
 * record. Allocated with the table's allocator: free it with
 * mcast_htab_sorted_free(). NULL with *n = 0 when memory is out.
 */
void **mcast_htab_sorted(const struct mcast_htab *t, size_t off,
			 int (*cmp)(const void *, const void *), size_t *n);
void mcast_htab_sorted_free(const struct mcast_htab *t, void **v);

#define mcast_container_of(p, type, member) \
	((type *)(void *)((char *)(p) - offsetof(type, member)))

/* ------------------------------------------------------------------ */
/* Object pool                                                         */
/* ------------------------------------------------------------------ */

/*
 * Fixed-size objects carved from chunks; get and put are O(1) pointer
 * moves, so the packet path never calls the allocator once the pool is
 * warm. Chunks grow with the pool (8 objects first, then as many as it
 * has, at most per_chunk). max_objects (0 = no limit) bounds memory.
 */
struct mcast_pool {
	size_t obj_size;
	size_t per_chunk;
	size_t max_objects;
	size_t in_use;
	size_t allocated;
	void *free_list;
	void *chunks;
	const struct mcast_alloc *al;
};

void mcast_pool_init(struct mcast_pool *p, const struct mcast_alloc *al, size_t obj_size,
		     size_t per_chunk, size_t max_objects);
/* The bytes a pool gives each object of obj_size: at least a pointer,
 * rounded to 8 (the objects hold pointers and 64-bit numbers, nothing
 * wider). */
static inline size_t mcast_pool_obj_size(size_t obj_size)
{
	size_t n = obj_size < sizeof(void *) ? sizeof(void *) : obj_size;
	return (n + 7) & ~(size_t)7;
}
/* A zeroed object, or NULL when the limit is reached or memory is out. */
void *mcast_pool_get(struct mcast_pool *p);
void mcast_pool_put(struct mcast_pool *p, void *obj);
/* Frees every chunk (objects still in use become invalid). */
void mcast_pool_destroy(struct mcast_pool *p);

/* ------------------------------------------------------------------ */
/* Random numbers                                                      */
/* ------------------------------------------------------------------ */

/* A deterministic generator (splitmix64 seeded xoshiro256**), for the
 * simulator and as the default random callback. */
struct mcast_rng {
	uint64_t s[4];
};

void mcast_rng_seed(struct mcast_rng *r, uint64_t seed);
uint64_t mcast_rng_next(struct mcast_rng *r);
/* Uniform in [0, bound) without modulo bias; 0 if bound is 0. */
uint64_t mcast_rng_below(struct mcast_rng *r, uint64_t bound);

/* Receives text output (dumps) one line at a time, each ending in '\n'. */
typedef void (*mcast_line_fn)(void *ctx, const char *line);

/* ------------------------------------------------------------------ */
/* Logging                                                             */
/* ------------------------------------------------------------------ */

enum mcast_log_level {
	MCAST_LOG_ERR = 3,
	MCAST_LOG_WARNING = 4,
	MCAST_LOG_INFO = 6,
	MCAST_LOG_DEBUG = 7,
};

/* Debug categories, a bitmask (as BIRD's D_*). */
enum mcast_log_cat {
	MCAST_D_PACKETS = 1u << 0, /* packets in and out */
	MCAST_D_DROPS = 1u << 1,   /* rejected packets and their reasons */
	MCAST_D_STATES = 1u << 2,  /* state machine transitions */
	MCAST_D_TIMERS = 1u << 3,
	MCAST_D_ROUTES = 1u << 4,  /* forwarding cache changes */
	MCAST_D_EVENTS = 1u << 5,  /* interfaces and configuration */
};

/*
 * The log callback. Messages at INFO and above are always delivered;
 * DEBUG messages only for categories in debug_mask. The callback never
 * terminates the program.
 */
struct mcast_log {
	void (*fn)(void *ctx, enum mcast_log_level level, unsigned cat, const char *msg);
	void *ctx;
	unsigned debug_mask;
};

void mcast_logf(const struct mcast_log *log, enum mcast_log_level level, unsigned cat,
		const char *fmt, ...) __attribute__((format(printf, 4, 5)));
/* Would such a line be passed on? For callers whose arguments cost
 * something to make (addresses as text) on a hot path. */
static inline bool mcast_log_wants(const struct mcast_log *log, enum mcast_log_level level, unsigned cat)
{
	return log && log->fn && (level != MCAST_LOG_DEBUG || (log->debug_mask & cat));
}
void mcast_vlogf(const struct mcast_log *log, enum mcast_log_level level, unsigned cat,
		 const char *fmt, va_list ap) __attribute__((format(printf, 4, 0)));

/* A token bucket for rate-limited log lines: burst per interval. */
struct mcast_ratelimit {
	mcast_time_ms window_start_ms;
	mcast_time_ms interval_ms;
	uint32_t burst;
	uint32_t used;
	uint32_t suppressed; /* lines dropped in the previous window */
};

void mcast_ratelimit_init(struct mcast_ratelimit *rl, mcast_time_ms interval_ms,
			  uint32_t burst);
/* True when a line may be logged at now_ms. */
bool mcast_ratelimit_ok(struct mcast_ratelimit *rl, mcast_time_ms now_ms);

#ifdef __cplusplus
}
#endif

#endif /* MCAST_CORE_H */
