/*
 * DOC: bucket arrays (internal)
 *
 * What the two open-addressing indexes (core/bidx.h, core/kidx.h) share:
 * an array of buckets aligned to their size (a power of two: one or two
 * cache lines), zeroed, from the caller's allocator, and the sorted list
 * of an index's records for the dumps.
 */
#ifndef MCAST_CORE_LINES_H
#define MCAST_CORE_LINES_H

#include <stddef.h>
#include <stdint.h>

#include "mcast/core.h"

/* nbuckets zeroed buckets of bsize bytes, aligned to bsize; *raw and
 * *raw_size are what to give lines_put(). NULL when memory is out. */
void *lines_get(const struct mcast_alloc *al, size_t nbuckets, size_t bsize, void **raw, size_t *raw_size);
void lines_put(const struct mcast_alloc *al, void *raw, size_t raw_size);

/* The count records each() gives, one a call from a zeroed cursor until
 * NULL, in an array sorted by cmp; NULL with *n = 0 when memory is out.
 * Free with lines_sorted_free(). */
void **lines_sorted(const struct mcast_alloc *al, size_t count, void *(*each)(const void *x, void *cursor),
		    const void *x, void *cursor, int (*cmp)(const void *, const void *), size_t *n);
void lines_sorted_free(const struct mcast_alloc *al, void **v, size_t n);

/*
 * The functions both indexes define the same way around their own types,
 * written once: P is the prefix (bidx, kidx), T the index's struct, H
 * the type of its hash function, SLOTS its slots per bucket. The index
 * has b, raw, raw_size, mask, count, al, hash and hash_arg, and
 * P##_each() with struct P##_cursor.
 */
#define LINES_INDEX_FUNCTIONS(P, T, B, H, SLOTS)                                                           \
	void P##_init(T *x, const struct mcast_alloc *al, H hash, const void *hash_arg)                       \
	{                                                                                                 \
		memset(x, 0, sizeof(*x));                                                                 \
		x->al = al;                                                                               \
		x->hash = hash;                                                                           \
		x->hash_arg = hash_arg;                                                                   \
	}                                                                                                 \
	void P##_free(T *x)                                                                               \
	{                                                                                                 \
		lines_put(x->al, x->raw, x->raw_size);                                                    \
		P##_init(x, x->al, x->hash, x->hash_arg); /* empty, reusable */                           \
	}                                                                                                 \
	size_t P##_bytes(const T *x)                                                                      \
	{                                                                                                 \
		return x->raw_size;                                                                       \
	}                                                                                                 \
	static size_t capacity(const T *x)                                                                \
	{                                                                                                 \
		return x->b ? (x->mask + 1) * (SLOTS) : 0;                                                \
	}                                                                                                 \
	static int resize(T *x, size_t nbuckets);                                                         \
	/* Room for one more record: grows past 3/4 of the slots, and when                              \
	 * that fails fills what is left; false when full. */                                           \
	static bool room_for_one(T *x)                                                                    \
	{                                                                                                 \
		return (x->count + 1) * 4 <= capacity(x) * 3 || resize(x, x->b ? (x->mask + 1) * 2 : 1) == 0 || \
		       x->count < capacity(x);                                                            \
	}                                                                                                 \
	/* The new buckets b (nbuckets, allocated as raw of size bytes) in                              \
	 * place of the old. */                                                                         \
	static void adopt(T *x, B *b, size_t nbuckets, void *raw, size_t size)                            \
	{                                                                                                 \
		lines_put(x->al, x->raw, x->raw_size);                                                    \
		x->raw = raw;                                                                             \
		x->raw_size = size;                                                                       \
		x->b = b;                                                                                 \
		x->mask = nbuckets - 1;                                                                   \
	}                                                                                                 \
	/* A record of home living in bucket i counted (d = 1) or no longer                             \
	 * (d = -1) on the buckets it passed. */                                                        \
	static void pass(B *b, size_t mask, size_t home, size_t i, int d)                                 \
	{                                                                                                 \
		for (size_t j = home & mask; j != i; j = (j + 1) & mask)                                  \
			if (d > 0)                                                                        \
				b[j].passed++;                                                            \
			else                                                                              \
				b[j].passed--;                                                            \
	}                                                                                                 \
	/* Growth puts every record in a new, empty table with nothing                                  \
	 * removed meanwhile, so each bucket fills slot after slot: how many                            \
	 * slots it uses is counted beside the table for the growth (a byte                             \
	 * a bucket), not read back from the bucket. Reading a bucket's slots                           \
	 * right after a narrow store into one (the next record mostly goes                            \
	 * to the same bucket) waits for the store when the load is wider,                              \
	 * and a branch on each slot's use mispredicts; together 25 cycles a                           \
	 * record moved. NULL when memory is out (the caller then places by                            \
	 * the slots). */                                                                               \
	static uint8_t *grow_counts(T *x, size_t nbuckets)                                               \
	{                                                                                                 \
		uint8_t *fill = mcast_alloc_get(x->al, nbuckets);                                          \
		if (fill)                                                                                 \
			memset(fill, 0, nbuckets);                                                        \
		return fill;                                                                              \
	}                                                                                                 \
	/* The slot a record of home takes in the growing table: in *at, the                            \
	 * first bucket from home with room, counted on the buckets passed. */                         \
	static inline unsigned counted_slot(B *b, uint8_t *fill, size_t mask, size_t home, size_t *at)   \
	{                                                                                                 \
		size_t i = home;                                                                          \
		while (fill[i] == (SLOTS)) /* (twice the room: a bucket with room is ahead) */            \
			i = (i + 1) & mask;                                                               \
		if (i != home)                                                                            \
			pass(b, mask, home, i, 1);                                                        \
		*at = i;                                                                                  \
		return fill[i]++;                                                                         \
	}                                                                                                 \
	void P##_walk(const T *x, void (*fn)(void *rec, void *arg), void *arg)                            \
	{                                                                                                 \
		struct P##_cursor c = { 0 };                                                              \
		for (void *r; (r = P##_each(x, &c));)                                                     \
			fn(r, arg);                                                                       \
	}                                                                                                 \
	static void *each(const void *x, void *cursor)                                                    \
	{                                                                                                 \
		return P##_each(x, cursor);                                                               \
	}                                                                                                 \
	void **P##_sorted(const T *x, int (*cmp)(const void *, const void *), size_t *n)                  \
	{                                                                                                 \
		struct P##_cursor c = { 0 };                                                              \
		return lines_sorted(x->al, x->count, each, x, &c, cmp, n);                               \
	}                                                                                                 \
	void P##_sorted_free(const T *x, void **v, size_t n)                                              \
	{                                                                                                 \
		lines_sorted_free(x->al, v, n);                                                           \
	}

/*
 * The invariant both indexes keep, checked for the sanitizer build: a
 * record lives in the first bucket from its home with a free slot, and
 * every bucket from its home up to its own counts it as passed (each
 * such count is nonzero, and the counts add up to the records' probe
 * lengths: checked without extra memory). What differs between the two
 * is read through the callbacks: a bucket's passed count, and slot k of
 * bucket i (0 free, 1 used with *home its home bucket, -1 broken with
 * why written). buckets is NULL while the index has none.
 */
struct lines_index {
	const void *x;
	const void *buckets;
	size_t nbuckets;     /* a power of two */
	size_t align;        /* the buckets' alignment */
	unsigned slots;      /* per bucket */
	size_t count;        /* records the index counts */
	uint32_t (*passed)(const void *x, size_t i);
	int (*slot)(const void *x, size_t i, unsigned k, size_t *home, char *why, size_t len);
};
int lines_check(const struct lines_index *ix, char *why, size_t len);

#endif
