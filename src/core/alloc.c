/*
 * DOC: allocation
 *
 * Engines allocate through struct mcast_alloc so that embedders can give
 * them an arena or a fixed budget. mcast_alloc_libc wraps realloc/free.
 */
#include <stdlib.h>

#include "mcast/core.h"

static void *libc_realloc(void *ctx, void *p, size_t old_size, size_t new_size)
{
	(void)ctx;
	(void)old_size;
	if (new_size == 0) {
		free(p);
		return NULL;
	}
	return realloc(p, new_size);
}

const struct mcast_alloc mcast_alloc_libc = { libc_realloc, NULL };

void *mcast_alloc_get(const struct mcast_alloc *al, size_t size)
{
	return size ? al->realloc(al->ctx, NULL, 0, size) : NULL;
}

void *mcast_alloc_resize(const struct mcast_alloc *al, void *p, size_t old_size,
			 size_t new_size)
{
	return al->realloc(al->ctx, p, old_size, new_size);
}

void mcast_alloc_free(const struct mcast_alloc *al, void *p, size_t size)
{
	if (p)
		al->realloc(al->ctx, p, size, 0);
}
