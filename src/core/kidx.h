/*
 * DOC: keyed index (internal)
 *
 * An open-addressing index of records by a 64-bit key that the index
 * keeps, for the forwarding cache. Each bucket is two 64-byte lines
 * holding KIDX_SLOTS (key, record, 16-bit value) slots. The key is either the
 * record's whole key (an IPv4 (S,G) is 64 bits: a match is then the
 * record, found without reading it) or a 64-bit hash of it (the caller
 * compares the record's key on a match; a stranger's key matches one
 * time in 2^64, not bidx's 2^16). The value is the caller's: the
 * forwarding cache keeps an entry's input VIF there, so that a batched
 * IPv4 lookup costs one line a packet.
 *
 * The hash of a hashed key is the key itself. An exact key should be
 * hashed with a seed (a sender must not be able to choose keys that
 * share a home), as mr_key_hash() does.
 *
 * Placement and lookup end as in bidx (core/bidx.h): a record lives in
 * the first bucket from its home with a free slot, each bucket counts
 * the records that passed it, a lookup stops at the first bucket none
 * passed. The home comes from a 64-bit hash the caller makes; growing
 * makes it again from each slot's key with the function given at init,
 * so records are never touched when the index grows. Against bidx a
 * slot costs twice the bytes (21 a slot, 28-57 a record as the load
 * goes from 3/4 to 3/8 between growths): bidx suits the tables that
 * must stay small (the engines' groups), this one the table that is
 * mostly read.
 *
 * Records do not move while in the index except when it grows.
 * Removing any record while walking is allowed; inserting is not.
 */
#ifndef MCAST_CORE_KIDX_H
#define MCAST_CORE_KIDX_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "mcast/core.h"

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

#define KIDX_LINE 64
#define KIDX_SLOTS 6

/*
 * A bucket is two lines. The first holds what a lookup of an exact key
 * reads: the keys and the values (a slot's value plus one: 0 marks a
 * free slot, so values go up to 0xfffe); the second the records and the
 * passed count, read for the record itself, for a hashed key's compare
 * and when a lookup goes past the home bucket (about 1 in 50 at the
 * load kept: six slots a bucket keep spills rare, where three a line
 * sent one lookup in eight to a second, dependent miss).
 */
struct kidx_bucket {
	uint64_t key[KIDX_SLOTS];
	uint16_t val1[KIDX_SLOTS];
	uint32_t spare;
	union {
		struct {
			void *rec[KIDX_SLOTS];
			uint32_t passed;   /* records whose home is before this bucket and that live after it */
		};
		uint8_t line2[KIDX_LINE];
	};
};

struct kidx {
	struct kidx_bucket *b;     /* mask + 1 buckets, aligned to a bucket; NULL until the first insert */
	void *raw;                 /* the allocation b lies in */
	size_t raw_size;
	size_t mask;
	size_t count;
	const struct mcast_alloc *al;
	uint64_t (*hash)(uint64_t key, const void *arg); /* a key's hash, for growing */
	const void *hash_arg;
};

void kidx_init(struct kidx *x, const struct mcast_alloc *al, uint64_t (*hash)(uint64_t key, const void *arg),
	       const void *hash_arg);
void kidx_free(struct kidx *x);
/* 0, or -ENOMEM when the index is full and cannot grow (rec not added).
 * h is hash(key); val at most 0xfffe. */
int kidx_insert(struct kidx *x, void *rec, uint64_t key, uint64_t h, uint16_t val);
/* Removes rec, which must be in the index under key (h its hash). */
void kidx_remove(struct kidx *x, const void *rec, uint64_t key, uint64_t h);
/* Sets the value kept with rec, which must be in the index under key. */
void kidx_set_val(struct kidx *x, const void *rec, uint64_t key, uint64_t h, uint16_t val);
/* Bytes of buckets (for footprint reports). */
size_t kidx_bytes(const struct kidx *x);
/* Checks every slot's key against key_of(record), every home's hash
 * against the slot's bucket and every bucket's passed count; 0 or -1
 * with the reason in why. */
int kidx_check(const struct kidx *x, uint64_t (*key_of)(const void *rec, const void *arg), const void *arg,
	       char *why, size_t len);

/* Every record in index order:
 *   struct kidx_cursor c = { 0 };
 *   for (T *r; (r = kidx_each(x, &c));) ... kidx_cursor_val(x, &c) ...
 * Removing the record just returned is allowed; inserting is not. */
struct kidx_cursor {
	size_t b;
	unsigned k;                /* the slot after the one returned */
};

static inline void *kidx_each(const struct kidx *x, struct kidx_cursor *c)
{
	for (; x->b && c->b <= x->mask; c->b++, c->k = 0)
		while (c->k < KIDX_SLOTS) {
			unsigned k = c->k++;
			if (x->b[c->b].val1[k])
				return x->b[c->b].rec[k];
		}
	return NULL;
}

/* Calls fn for every record; fn may remove any record (not insert). */
void kidx_walk(const struct kidx *x, void (*fn)(void *rec, void *arg), void *arg);
/* The records in an array sorted by cmp (on the records), *n of them;
 * NULL with *n = 0 when memory is out. Free with kidx_sorted_free(). */
void **kidx_sorted(const struct kidx *x, int (*cmp)(const void *, const void *), size_t *n);
void kidx_sorted_free(const struct kidx *x, void **v, size_t n);

#define KIDX_INLINE static inline __attribute__((always_inline))

/* The value kept with the record kidx_each() returned last. */
static inline uint16_t kidx_cursor_val(const struct kidx *x, const struct kidx_cursor *c)
{
	return (uint16_t)(x->b[c->b].val1[c->k - 1] - 1);
}

/* The slots whose key is key (bit k: slot k); the first line only. The
 * keys are compared without a branch a slot (SSE2 where there is, for
 * x86-64; test_kidx_portable runs the other path); only a matching
 * slot's value is read to tell a free slot (key 0) from a key of 0. */
KIDX_INLINE unsigned kidx_match(const struct kidx_bucket *b, uint64_t key)
{
	_Static_assert(KIDX_SLOTS == 6, "kidx_match compares six keys");
#if defined(__SSE2__)
	/* two keys a vector: their 32-bit halves compared, a key equal
	 * when both halves are (each half ANDed with its neighbour), one
	 * sign bit a key */
	const __m128i *p = (const __m128i *)(const void *)b->key;
	__m128i want = _mm_set1_epi64x((long long)key);
	__m128i e0 = _mm_cmpeq_epi32(_mm_load_si128(p), want);
	__m128i e1 = _mm_cmpeq_epi32(_mm_load_si128(p + 1), want);
	__m128i e2 = _mm_cmpeq_epi32(_mm_load_si128(p + 2), want);
	e0 = _mm_and_si128(e0, _mm_shuffle_epi32(e0, _MM_SHUFFLE(2, 3, 0, 1)));
	e1 = _mm_and_si128(e1, _mm_shuffle_epi32(e1, _MM_SHUFFLE(2, 3, 0, 1)));
	e2 = _mm_and_si128(e2, _mm_shuffle_epi32(e2, _MM_SHUFFLE(2, 3, 0, 1)));
	unsigned m = (unsigned)_mm_movemask_pd(_mm_castsi128_pd(e0)) |
		     (unsigned)_mm_movemask_pd(_mm_castsi128_pd(e1)) << 2 |
		     (unsigned)_mm_movemask_pd(_mm_castsi128_pd(e2)) << 4;
#else
	unsigned m = (unsigned)(b->key[0] == key) | (unsigned)(b->key[1] == key) << 1 |
		     (unsigned)(b->key[2] == key) << 2 | (unsigned)(b->key[3] == key) << 3 |
		     (unsigned)(b->key[4] == key) << 4 | (unsigned)(b->key[5] == key) << 5;
#endif
	for (unsigned left = m; left; left &= left - 1) {
		unsigned k = (unsigned)__builtin_ctz(left);
		if (!b->val1[k])
			m &= ~(1u << k);
	}
	return m;
}

/* The first stage of a batched lookup: start loading h's home bucket,
 * its first line (all an exact key's hit reads) or both. */
KIDX_INLINE void kidx_prefetch(const struct kidx *x, uint64_t h, bool both)
{
	if (!x->b)
		return;
	const struct kidx_bucket *b = &x->b[h & x->mask];
	__builtin_prefetch(b);
	if (both)
		__builtin_prefetch(b->line2);
}

/* The slots whose key is key, in probe order:
 *   for (bool f = kidx_seek(x, key, h, &it); f; f = kidx_seek_next(x, &it))
 *           ... kidx_iter_val(x, &it), kidx_iter_rec(x, &it) ...
 * A hit in the home bucket reads its first line only, unless the record
 * is asked for. kidx_first()/kidx_next() return the records instead. */
struct kidx_iter {
	size_t i;                  /* the bucket */
	unsigned m;                /* its matching slots not yet returned */
	unsigned k;                /* the slot returned last */
	uint64_t key;
};

KIDX_INLINE bool kidx_scan(const struct kidx *x, struct kidx_iter *it)
{
	for (;;) {
		if (it->m) {
			it->k = (unsigned)__builtin_ctz(it->m);
			it->m &= it->m - 1;
			return true;
		}
		if (!x->b[it->i].passed)
			return false;
		it->i = (it->i + 1) & x->mask;
		it->m = kidx_match(&x->b[it->i], it->key);
	}
}

KIDX_INLINE bool kidx_seek(const struct kidx *x, uint64_t key, uint64_t h, struct kidx_iter *it)
{
	if (!x->b)
		return false;
	it->i = h & x->mask;
	it->key = key;
	it->m = kidx_match(&x->b[it->i], key);
	return kidx_scan(x, it);
}

KIDX_INLINE bool kidx_seek_next(const struct kidx *x, struct kidx_iter *it)
{
	return kidx_scan(x, it);
}

KIDX_INLINE void *kidx_iter_rec(const struct kidx *x, const struct kidx_iter *it)
{
	return x->b[it->i].rec[it->k];
}

KIDX_INLINE uint16_t kidx_iter_val(const struct kidx *x, const struct kidx_iter *it)
{
	return (uint16_t)(x->b[it->i].val1[it->k] - 1);
}

KIDX_INLINE void *kidx_first(const struct kidx *x, uint64_t key, uint64_t h, struct kidx_iter *it)
{
	return kidx_seek(x, key, h, it) ? kidx_iter_rec(x, it) : NULL;
}

KIDX_INLINE void *kidx_next(const struct kidx *x, struct kidx_iter *it)
{
	return kidx_seek_next(x, it) ? kidx_iter_rec(x, it) : NULL;
}

/* The second stage of a batched lookup when the slot keys are hashes:
 * kidx_first(), whose home bucket should have arrived, with the record
 * it returns (NULL when none) on its way to the cache, its first
 * key_len bytes (as bidx_candidate); the caller compares the record and
 * goes on with kidx_next(x, it) when it is not the one. */
KIDX_INLINE void *kidx_candidate(const struct kidx *x, uint64_t key, uint64_t h, size_t key_len,
				 struct kidx_iter *it)
{
	char *r = kidx_first(x, key, h, it);
	if (r) {
		__builtin_prefetch(r);
		__builtin_prefetch(r + (key_len - 1));
	}
	return r;
}

#endif
