/* The bucketed index; see bidx.h. */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "core/bidx.h"
#include "core/lines.h"

_Static_assert(sizeof(struct bidx_bucket) == BIDX_LINE, "a bucket is one cache line");

void bidx_init(struct bidx *x, const struct mcast_alloc *al,
	       uint64_t (*hash)(const void *rec, const void *arg), const void *hash_arg)
{
	memset(x, 0, sizeof(*x));
	x->al = al;
	x->hash = hash;
	x->hash_arg = hash_arg;
}

void bidx_free(struct bidx *x)
{
	lines_put(x->al, x->raw, x->raw_size);
	bidx_init(x, x->al, x->hash, x->hash_arg); /* empty, reusable */
}

size_t bidx_bytes(const struct bidx *x)
{
	return x->raw_size;
}

static size_t capacity(const struct bidx *x)
{
	return x->b ? (x->mask + 1) * BIDX_SLOTS : 0;
}

/* Puts rec in the first bucket from its home with room, counting it on
 * the buckets it passes; false when every bucket is full. */
static bool place(struct bidx_bucket *b, size_t mask, void *rec, uint64_t h)
{
	size_t home = h & mask, i = home;
	for (size_t probes = 0; probes <= mask; probes++) {
		unsigned room = bidx_match(&b[i], 0); /* a free slot's tag is 0 */
		if (room) {
			unsigned k = (unsigned)__builtin_ctz(room) >> 1;
			b[i].tag[k] = bidx_tag(h);
			b[i].rec[k] = rec;
			for (size_t j = home; j != i; j = (j + 1) & mask)
				b[j].passed++;
			return true;
		}
		i = (i + 1) & mask;
	}
	return false;
}

static int resize(struct bidx *x, size_t nbuckets)
{
	void *raw;
	size_t size;
	struct bidx_bucket *b = lines_get(x->al, nbuckets, sizeof(*b), &raw, &size);
	if (!b)
		return -ENOMEM;
	/* Each record's hash is computed again from the record (it is not
	 * stored): the records of a bucket a few ahead are loaded while this
	 * one's are placed, so that their misses overlap. */
	enum { AHEAD = 4 };
	for (size_t i = 0; x->b && i <= x->mask; i++) {
		if (i + AHEAD <= x->mask)
			for (unsigned k = 0; k < BIDX_SLOTS; k++)
				if (x->b[i + AHEAD].rec[k])
					__builtin_prefetch(x->b[i + AHEAD].rec[k]);
		for (unsigned k = 0; k < BIDX_SLOTS; k++)
			if (x->b[i].tag[k])
				place(b, nbuckets - 1, x->b[i].rec[k], x->hash(x->b[i].rec[k], x->hash_arg));
	}
	lines_put(x->al, x->raw, x->raw_size);
	x->raw = raw;
	x->raw_size = size;
	x->b = b;
	x->mask = nbuckets - 1;
	return 0;
}

int bidx_insert(struct bidx *x, void *rec, uint64_t h)
{
	/* Grow past 3/4 of the slots; if that fails, fill what is left. */
	if ((x->count + 1) * 4 > capacity(x) * 3 &&
	    resize(x, x->b ? (x->mask + 1) * 2 : 1) < 0 && x->count == capacity(x))
		return -ENOMEM;
	if (!place(x->b, x->mask, rec, h))
		return -ENOMEM; /* not reached: count < capacity leaves a free slot */
	x->count++;
	return 0;
}

void bidx_remove(struct bidx *x, const void *rec, uint64_t h)
{
	if (!x->b)
		return;
	size_t home = h & x->mask, i = home;
	uint16_t tag = bidx_tag(h);
	for (size_t probes = 0; probes <= x->mask; probes++) {
		struct bidx_bucket *b = &x->b[i];
		for (unsigned k = 0; k < BIDX_SLOTS; k++)
			if (b->tag[k] == tag && b->rec[k] == rec) {
				b->tag[k] = 0;
				b->rec[k] = NULL;
				for (size_t j = home; j != i; j = (j + 1) & x->mask)
					x->b[j].passed--;
				x->count--;
				return;
			}
		if (!b->passed)
			return;
		i = (i + 1) & x->mask;
	}
}

void bidx_walk(const struct bidx *x, void (*fn)(void *rec, void *arg), void *arg)
{
	struct bidx_cursor c = { 0 };
	for (void *r; (r = bidx_each(x, &c));)
		fn(r, arg);
}

static void *each(const void *x, void *cursor)
{
	return bidx_each(x, cursor);
}

void **bidx_sorted(const struct bidx *x, int (*cmp)(const void *, const void *), size_t *n)
{
	struct bidx_cursor c = { 0 };
	return lines_sorted(x->al, x->count, each, x, &c, cmp, n);
}

void bidx_sorted_free(const struct bidx *x, void **v, size_t n)
{
	lines_sorted_free(x->al, v, n);
}

int bidx_check(const struct bidx *x, char *why, size_t len)
{
	if (!x->b) {
		if (x->count) {
			snprintf(why, len, "index: %zu records and no buckets", x->count);
			return -1;
		}
		return 0;
	}
	if ((uintptr_t)x->b % BIDX_LINE) {
		snprintf(why, len, "index: buckets not line-aligned");
		return -1;
	}
	/* Every bucket between a record's home and its own must count it as
	 * passed: each such bucket's count is nonzero, and the counts add up
	 * to the records' probe lengths (checked without extra memory). */
	size_t n = 0;
	uint64_t passed_sum = 0, expected_sum = 0;
	for (size_t i = 0; i <= x->mask; i++) {
		passed_sum += x->b[i].passed;
		for (unsigned k = 0; k < BIDX_SLOTS; k++) {
			if (!x->b[i].tag[k]) {
				if (x->b[i].rec[k]) {
					snprintf(why, len, "index: bucket %zu slot %u free but holds a record", i, k);
					return -1;
				}
				continue;
			}
			n++;
			uint64_t h = x->hash(x->b[i].rec[k], x->hash_arg);
			if (x->b[i].tag[k] != bidx_tag(h)) {
				snprintf(why, len, "index: bucket %zu slot %u: tag %04x, the record's hash says %04x", i,
					 k, x->b[i].tag[k], bidx_tag(h));
				return -1;
			}
			/* every bucket from home up to (not including) i must
			 * have been passed */
			for (size_t j = h & x->mask; j != i; j = (j + 1) & x->mask) {
				expected_sum++;
				if (!x->b[j].passed) {
					snprintf(why, len, "index: bucket %zu passed by a record in %zu, counts 0", j, i);
					return -1;
				}
			}
		}
	}
	if (n != x->count) {
		snprintf(why, len, "index: %zu records, counted %zu", n, x->count);
		return -1;
	}
	if (passed_sum != expected_sum) {
		snprintf(why, len, "index: passed counts sum to %llu, the records' probes to %llu",
			 (unsigned long long)passed_sum, (unsigned long long)expected_sum);
		return -1;
	}
	return 0;
}
