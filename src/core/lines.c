/* Bucket arrays; see lines.h. */
#include <stdint.h>
#include <stdio.h>
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

int lines_check(const struct lines_index *ix, char *why, size_t len)
{
	if (!ix->buckets) {
		if (ix->count) {
			snprintf(why, len, "index: %zu records and no buckets", ix->count);
			return -1;
		}
		return 0;
	}
	if ((uintptr_t)ix->buckets % ix->align) {
		snprintf(why, len, "index: buckets not aligned to %zu bytes", ix->align);
		return -1;
	}
	size_t n = 0, mask = ix->nbuckets - 1;
	uint64_t passed_sum = 0, expected_sum = 0;
	for (size_t i = 0; i <= mask; i++) {
		passed_sum += ix->passed(ix->x, i);
		for (unsigned k = 0; k < ix->slots; k++) {
			size_t home;
			int used = ix->slot(ix->x, i, k, &home, why, len);
			if (used < 0)
				return -1;
			if (!used)
				continue;
			n++;
			/* every bucket from home up to (not including) i */
			for (size_t j = home & mask; j != i; j = (j + 1) & mask) {
				expected_sum++;
				if (!ix->passed(ix->x, j)) {
					snprintf(why, len, "index: bucket %zu passed by a record in %zu, counts 0", j, i);
					return -1;
				}
			}
		}
	}
	if (n != ix->count) {
		snprintf(why, len, "index: %zu records, counted %zu", n, ix->count);
		return -1;
	}
	if (passed_sum != expected_sum) {
		snprintf(why, len, "index: passed counts sum to %llu, the records' probes to %llu",
			 (unsigned long long)passed_sum, (unsigned long long)expected_sum);
		return -1;
	}
	return 0;
}
