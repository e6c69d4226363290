/*
 * DOC: bucketed index (internal)
 *
 * An open-addressing index of records by a 64-bit hash, for tables that
 * grow to millions of records and must stay small (the router's and the
 * host's groups; the forwarding cache, read far more than changed, uses
 * core/kidx.h, which keeps whole keys at twice the bytes). Each bucket is one 64-byte line of
 * BIDX_SLOTS (tag, record) pairs, the tag being the hash's top 16 bits.
 * A record's home bucket is taken from the hash's high half (bidx_h32():
 * the tag and the 16 bits below it), and it lives in the first bucket
 * from there with a free slot; each bucket counts the records that
 * passed it on their way further, so a lookup ends at the first bucket
 * that none passed. A hit costs the bucket's line and the one record
 * whose tag matches (32767 of 32768 others are rejected without being
 * touched while the table has up to 65536 buckets, 8191 of 8192 at a
 * million records, where the home takes two of the tag's bits), and
 * both loads can be prefetched ahead of use: the batched lookups issue
 * the bucket loads of a whole batch, then the record loads, then
 * compare. Compared with chaining this drops the bucket array's pointer
 * and the record's link and stored hash (16 bytes a record), for about
 * 16 bytes a record of buckets at the load kept (at most 3/4 of the
 * slots; the table doubles past it).
 *
 * Growth. On 64-bit machines a user-space pointer has its top 16 bits
 * clear (x86-64 and AArch64 give out 47- or 48-bit addresses unless
 * asked for more), and each slot keeps the 16 bits of the hash below the
 * tag there: a slot then holds the record's whole home, and growing the
 * table moves the slots without reading a record (each bucket's records
 * go to the same bucket of the new table or the one the old width
 * further, so both tables are walked in order). Computing each record's
 * hash again instead costs a cache miss a record: about a fifth of a new
 * group's cost at a million groups. When a record's address uses those
 * bits (tagged pointers: AArch64 memory tagging, a 57-bit address space
 * asked for) or pointers are 32 bits, the index keeps plain pointers
 * (ptr_mask is all ones) and growth hashes each record again with the
 * function given at init, loading records a few buckets ahead.
 *
 * Records do not move while in the index except when it grows. Removing
 * any record while walking is allowed; inserting is not. The names are
 * internal (not exported by the shared library).
 */
#ifndef MCAST_CORE_BIDX_H
#define MCAST_CORE_BIDX_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "mcast/core.h"

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

#define BIDX_LINE 64
/* What a record's hash is made from lies in its first BIDX_KEY_BYTES
 * bytes (an address, in every index of the library); growth loads both
 * ends ahead of use. */
#define BIDX_KEY_BYTES 16
#define BIDX_SLOTS ((BIDX_LINE - sizeof(uint32_t)) / (sizeof(void *) + sizeof(uint16_t)))

struct bidx_bucket {
	uint16_t tag[BIDX_SLOTS];  /* 0: the slot is free */
	uint32_t passed;           /* records whose home is before this bucket and that live after it */
	/* the record; with ptr_mask not all ones, bits 32-47 of its hash
	 * in the top 16 bits (BIDX_HASH_SHIFT) */
	uintptr_t rec[BIDX_SLOTS];
};

#if UINTPTR_MAX == UINT64_MAX && !defined(BIDX_PLAIN_POINTERS)
#define BIDX_HASH_SHIFT 48
#define BIDX_PACKED_MASK (((uintptr_t)1 << BIDX_HASH_SHIFT) - 1)
#endif

struct bidx {
	struct bidx_bucket *b;     /* mask + 1 buckets, line-aligned; NULL until the first insert */
	void *raw;                 /* the allocation b lies in */
	size_t raw_size;
	size_t mask;
	size_t count;
	/* what of a slot's word is the record: BIDX_PACKED_MASK while every
	 * record's address leaves the hash bits room, all ones after the
	 * first that does not (and on 32-bit machines) */
	uintptr_t ptr_mask;
	const struct mcast_alloc *al;
	uint64_t (*hash)(const void *rec, const void *arg);
	const void *hash_arg;
};

void bidx_init(struct bidx *x, const struct mcast_alloc *al,
	       uint64_t (*hash)(const void *rec, const void *arg), const void *hash_arg);
void bidx_free(struct bidx *x);
/* 0, or -ENOMEM when the index is full and cannot grow (rec not added). */
int bidx_insert(struct bidx *x, void *rec, uint64_t h);
/* Removes rec, which must be in the index under hash h. */
void bidx_remove(struct bidx *x, const void *rec, uint64_t h);
/* Every record in index order, without a callback:
 *   struct bidx_cursor c = { 0 };
 *   for (T *r; (r = bidx_each(x, &c));) ...
 * Removing the record just returned is allowed; inserting is not. */
struct bidx_cursor {
	size_t b;
	unsigned k;
};

static inline void *bidx_each(const struct bidx *x, struct bidx_cursor *c)
{
	for (; x->b && c->b <= x->mask; c->b++, c->k = 0)
		while (c->k < BIDX_SLOTS) {
			uintptr_t r = x->b[c->b].rec[c->k++] & x->ptr_mask;
			if (r)
				return (void *)r;
		}
	return NULL;
}

/* Calls fn for every record; fn may remove any record (not insert). */
void bidx_walk(const struct bidx *x, void (*fn)(void *rec, void *arg), void *arg);
/* The records in an array sorted by cmp (on the records), *n of them;
 * NULL with *n = 0 when memory is out. Free with bidx_sorted_free(). */
void **bidx_sorted(const struct bidx *x, int (*cmp)(const void *, const void *), size_t *n);
void bidx_sorted_free(const struct bidx *x, void **v, size_t n);
/* Bytes of buckets (for footprint reports). */
size_t bidx_bytes(const struct bidx *x);
/* Checks slot tags against each record's hash and every bucket's passed
 * count; 0 or -1 with the reason in why. */
int bidx_check(const struct bidx *x, char *why, size_t len);

/* The tag: the hash's top 16 bits with the highest set (0 marks a free
 * slot; one OR, where making a zero tag 1 cost a compare and a move on
 * every lookup), 15 bits that tell records apart. */
static inline uint16_t bidx_tag(uint64_t h)
{
	return (uint16_t)(h >> 48) | 0x8000;
}

/* What a record's home is taken from: its tag and the 16 hash bits
 * below, as a slot keeps them (the tag as stored). */
static inline uint32_t bidx_h32(uint64_t h)
{
	return (uint32_t)(h >> 32) | 0x80000000u;
}

static inline const struct bidx_bucket *bidx_home(const struct bidx *x, uint64_t h)
{
	return &x->b[bidx_h32(h) & x->mask];
}

static inline void *bidx_rec(const struct bidx *x, const struct bidx_bucket *b, unsigned k)
{
	return (void *)(b->rec[k] & x->ptr_mask);
}

/* The prefetch helpers and the probe are always inlined: a helper GCC 12
 * sees as free of side effects (loads and prefetches only) may be marked
 * pure and its calls deleted, which is what happened to the first
 * version of bidx_candidate. */
#define BIDX_INLINE static inline __attribute__((always_inline))

/* The slots whose tag is tag, two bits a slot (slot k: bits 2k, 2k+1),
 * computed without a branch per slot: a probe's branches then depend on
 * whether it hit, which is predictable, not on where the tag sits, which
 * is not (mispredictions also cancel the loads issued after them). */
BIDX_INLINE unsigned bidx_match(const struct bidx_bucket *b, uint16_t tag)
{
#if defined(__SSE2__) && UINTPTR_MAX == UINT64_MAX
	/* six tags, then passed: the line's first 16 bytes */
	__m128i v = _mm_load_si128((const __m128i *)(const void *)b);
	unsigned m = (unsigned)_mm_movemask_epi8(_mm_cmpeq_epi16(v, _mm_set1_epi16((short)tag)));
	return m & ((1u << (2 * BIDX_SLOTS)) - 1);
#else
	unsigned m = 0;
	for (unsigned k = 0; k < BIDX_SLOTS; k++)
		m |= (unsigned)(b->tag[k] == tag) * 3u << (2 * k);
	return m;
#endif
}

/* The first stage of a batched lookup: start loading h's home bucket. */
BIDX_INLINE void bidx_prefetch(const struct bidx *x, uint64_t h)
{
	if (x->b)
		__builtin_prefetch(bidx_home(x, h));
}

/* The second stage: the first record in h's home bucket whose tag is h's
 * (NULL when none), with its first key_len bytes on their way to the
 * cache; the bucket should have arrived. Both ends of the key are asked
 * for: a key that straddles two lines would otherwise miss on its second
 * at compare time, a full memory latency for one record in four of a
 * 112-byte stride. The caller compares the key and, when it is not the
 * one, looks further with bidx_first() (another record with the same tag,
 * or one that lives past its home bucket). */
BIDX_INLINE void *bidx_candidate(const struct bidx *x, uint64_t h, size_t key_len)
{
	if (!x->b)
		return NULL;
	const struct bidx_bucket *b = bidx_home(x, h);
	unsigned m = bidx_match(b, bidx_tag(h));
	if (!m)
		return NULL;
	char *r = bidx_rec(x, b, (unsigned)__builtin_ctz(m) >> 1);
	__builtin_prefetch(r);
	__builtin_prefetch(r + (key_len - 1));
	return r;
}

/* Iteration over the records whose tag matches h's, in probe order:
 *   for (void *r = bidx_first(x, h, &it); r; r = bidx_next(x, &it))
 * The caller compares keys. */
struct bidx_iter {
	size_t i;                  /* the bucket */
	unsigned m;                /* its matching slots not yet returned */
	uint16_t tag;
};

BIDX_INLINE void *bidx_scan(const struct bidx *x, struct bidx_iter *it)
{
	for (;;) {
		if (it->m) {
			unsigned k = (unsigned)__builtin_ctz(it->m) >> 1;
			it->m &= ~(3u << (2 * k));
			return bidx_rec(x, &x->b[it->i], k);
		}
		if (!x->b[it->i].passed)
			return NULL;
		it->i = (it->i + 1) & x->mask;
		it->m = bidx_match(&x->b[it->i], it->tag);
	}
}

BIDX_INLINE void *bidx_first(const struct bidx *x, uint64_t h, struct bidx_iter *it)
{
	if (!x->b)
		return NULL;
	it->i = bidx_h32(h) & x->mask;
	it->tag = bidx_tag(h);
	it->m = bidx_match(&x->b[it->i], it->tag);
	return bidx_scan(x, it);
}

BIDX_INLINE void *bidx_next(const struct bidx *x, struct bidx_iter *it)
{
	return bidx_scan(x, it);
}

#endif
