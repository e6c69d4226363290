/* An allocator that refuses to grow anything while refuse is set (the
 * indexes' failed growth), counting the bytes it holds. */
#ifndef MCAST_REFUSE_H
#define MCAST_REFUSE_H

#include "testutil.h"

static bool refuse;
static size_t held;

static void *refusing_realloc(void *ctx, void *p, size_t old, size_t size)
{
	(void)ctx;
	if (size > old && refuse)
		return NULL;
	void *q = size ? realloc(p, size) : (free(p), NULL);
	if (size && !q)
		return NULL;
	held = held - old + size;
	return q;
}

static const struct mcast_alloc refusing = { refusing_realloc, NULL };

/* An allocator that refuses new blocks of a power of two of bytes (an
 * index's used-slot counts while it grows; its bucket arrays are not
 * that size), counting the refusals. */
static size_t counts_refused;

static void *no_counts_realloc(void *ctx, void *p, size_t old, size_t size)
{
	(void)ctx;
	if (!p && size >= 2 && !(size & (size - 1))) {
		counts_refused++;
		return NULL;
	}
	return mcast_alloc_libc.realloc(NULL, p, old, size);
}

static const struct mcast_alloc no_counts = { no_counts_realloc, NULL };

#endif
