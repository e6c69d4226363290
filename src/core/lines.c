/* Bucket arrays; see lines.h. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/lines.h"

void *lines_get(const struct mcast_alloc *al, size_t nbuckets, size_t bsize, void **raw, size_t *raw_size)
{
	size_t size = nbuckets * bsize + bsize - 1;
	void *p = mcast_alloc_get(al, size);
	if (!p)
		return NULL;
	void *b = (void *)(((uintptr_t)p + bsize - 1) & ~(uintptr_t)(bsize - 1));
	memset(b, 0, nbuckets * bsize);
	*raw = p;
	*raw_size = size;
	return b;
}

void lines_put(const struct mcast_alloc *al, void *raw, size_t raw_size)
{
	if (raw)
		mcast_alloc_free(al, raw, raw_size);
}

void **lines_sorted(const struct mcast_alloc *al, size_t count, void *(*each)(const void *x, void *cursor),
		    const void *x, void *cursor, int (*cmp)(const void *, const void *), size_t *n)
{
	*n = 0;
	void **v = mcast_alloc_get(al, (count + 1) * sizeof(*v));
	if (!v)
		return NULL;
	for (void *r; *n <= count && (r = each(x, cursor));)
		v[(*n)++] = r;
	qsort(v, *n, sizeof(*v), cmp);
	return v;
}

void lines_sorted_free(const struct mcast_alloc *al, void **v, size_t n)
{
	if (v)
		mcast_alloc_free(al, v, (n + 1) * sizeof(*v));
}
