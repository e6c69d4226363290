/* The keyed index; see kidx.h. */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "core/kidx.h"
#include "core/lines.h"

_Static_assert(sizeof(struct kidx_bucket) == 2 * KIDX_LINE, "a bucket is two cache lines");
_Static_assert(offsetof(struct kidx_bucket, line2) == KIDX_LINE, "keys and values fill the first line");

void kidx_init(struct kidx *x, const struct mcast_alloc *al, uint64_t (*hash)(uint64_t key, const void *arg),
	       const void *hash_arg)
{
	memset(x, 0, sizeof(*x));
	x->al = al;
	x->hash = hash;
	x->hash_arg = hash_arg;
}

void kidx_free(struct kidx *x)
{
	lines_put(x->al, x->raw, x->raw_size);
	kidx_init(x, x->al, x->hash, x->hash_arg); /* empty, reusable */
}

size_t kidx_bytes(const struct kidx *x)
{
	return x->raw_size;
}

static size_t capacity(const struct kidx *x)
{
	return x->b ? (x->mask + 1) * KIDX_SLOTS : 0;
}

/* Puts (key, rec, val) in the first bucket from h's home with room,
 * counting it on the buckets it passes; false when every bucket is full. */
static bool place(struct kidx_bucket *b, size_t mask, void *rec, uint64_t key, uint64_t h, uint16_t val)
{
	size_t home = h & mask, i = home;
	for (size_t probes = 0; probes <= mask; probes++) {
		for (unsigned k = 0; k < KIDX_SLOTS; k++) {
			if (b[i].val1[k])
				continue;
			b[i].key[k] = key;
			b[i].rec[k] = rec;
			b[i].val1[k] = (uint16_t)(val + 1);
			for (size_t j = home; j != i; j = (j + 1) & mask)
				b[j].passed++;
			return true;
		}
		i = (i + 1) & mask;
	}
	return false;
}

static int resize(struct kidx *x, size_t nbuckets)
{
	void *raw;
	size_t size;
	struct kidx_bucket *b = lines_get(x->al, nbuckets, sizeof(*b), &raw, &size);
	if (!b)
		return -ENOMEM;
	/* the keys are here: the records stay where they are, unread */
	for (size_t i = 0; x->b && i <= x->mask; i++)
		for (unsigned k = 0; k < KIDX_SLOTS; k++)
			if (x->b[i].val1[k])
				place(b, nbuckets - 1, x->b[i].rec[k], x->b[i].key[k],
				      x->hash(x->b[i].key[k], x->hash_arg), (uint16_t)(x->b[i].val1[k] - 1));
	lines_put(x->al, x->raw, x->raw_size);
	x->raw = raw;
	x->raw_size = size;
	x->b = b;
	x->mask = nbuckets - 1;
	return 0;
}

int kidx_insert(struct kidx *x, void *rec, uint64_t key, uint64_t h, uint16_t val)
{
	if (val == UINT16_MAX)
		return -EINVAL; /* (0 in val1 marks a free slot) */
	/* Grow past 3/4 of the slots; if that fails, fill what is left. */
	if ((x->count + 1) * 4 > capacity(x) * 3 &&
	    resize(x, x->b ? (x->mask + 1) * 2 : 1) < 0 && x->count == capacity(x))
		return -ENOMEM;
	if (!place(x->b, x->mask, rec, key, h, val))
		return -ENOMEM; /* not reached: count < capacity leaves a free slot */
	x->count++;
	return 0;
}

/* The bucket and slot of rec under key, or false. */
static bool slot_of(const struct kidx *x, const void *rec, uint64_t key, uint64_t h, size_t *bi, unsigned *k)
{
	struct kidx_iter it;
	for (bool f = kidx_seek(x, key, h, &it); f; f = kidx_seek_next(x, &it))
		if (kidx_iter_rec(x, &it) == rec) {
			*bi = it.i;
			*k = it.k;
			return true;
		}
	return false;
}

void kidx_remove(struct kidx *x, const void *rec, uint64_t key, uint64_t h)
{
	size_t i;
	unsigned k;
	if (!slot_of(x, rec, key, h, &i, &k))
		return;
	x->b[i].val1[k] = 0;
	x->b[i].rec[k] = NULL;
	x->b[i].key[k] = 0;
	for (size_t j = h & x->mask; j != i; j = (j + 1) & x->mask)
		x->b[j].passed--;
	x->count--;
}

void kidx_set_val(struct kidx *x, const void *rec, uint64_t key, uint64_t h, uint16_t val)
{
	size_t i;
	unsigned k;
	if (slot_of(x, rec, key, h, &i, &k))
		x->b[i].val1[k] = (uint16_t)(val + 1);
}

void kidx_walk(const struct kidx *x, void (*fn)(void *rec, void *arg), void *arg)
{
	struct kidx_cursor c = { 0 };
	for (void *r; (r = kidx_each(x, &c));)
		fn(r, arg);
}

static void *each(const void *x, void *cursor)
{
	return kidx_each(x, cursor);
}

void **kidx_sorted(const struct kidx *x, int (*cmp)(const void *, const void *), size_t *n)
{
	struct kidx_cursor c = { 0 };
	return lines_sorted(x->al, x->count, each, x, &c, cmp, n);
}

void kidx_sorted_free(const struct kidx *x, void **v, size_t n)
{
	lines_sorted_free(x->al, v, n);
}

int kidx_check(const struct kidx *x, uint64_t (*key_of)(const void *rec, const void *arg), const void *arg,
	       char *why, size_t len)
{
	if (!x->b) {
		if (x->count) {
			snprintf(why, len, "index: %zu records and no buckets", x->count);
			return -1;
		}
		return 0;
	}
	if ((uintptr_t)x->b % sizeof(*x->b)) {
		snprintf(why, len, "index: buckets not aligned to their size");
		return -1;
	}
	/* As bidx_check: every bucket between a record's home and its own
	 * counts it as passed, and the counts add up to the probe lengths. */
	size_t n = 0;
	uint64_t passed_sum = 0, expected_sum = 0;
	for (size_t i = 0; i <= x->mask; i++) {
		const struct kidx_bucket *b = &x->b[i];
		passed_sum += b->passed;
		for (unsigned k = 0; k < KIDX_SLOTS; k++) {
			if (!b->val1[k]) {
				if (b->rec[k] || b->key[k]) {
					snprintf(why, len, "index: bucket %zu slot %u free but holds a record or key", i, k);
					return -1;
				}
				continue;
			}
			n++;
			if (!b->rec[k]) {
				snprintf(why, len, "index: bucket %zu slot %u used without a record", i, k);
				return -1;
			}
			uint64_t key = key_of(b->rec[k], arg);
			if (key != b->key[k]) {
				snprintf(why, len, "index: bucket %zu slot %u: key %016llx, the record's is %016llx", i, k,
					 (unsigned long long)b->key[k], (unsigned long long)key);
				return -1;
			}
			for (size_t j = x->hash(key, x->hash_arg) & x->mask; j != i; j = (j + 1) & x->mask) {
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
