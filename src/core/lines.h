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

#endif
