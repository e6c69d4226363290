/* The keyed index; see kidx.h. */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "core/kidx.h"
#include "core/lines.h"

_Static_assert(sizeof(struct kidx_bucket) == 2 * KIDX_LINE, "a bucket is two cache lines");
_Static_assert(offsetof(struct kidx_bucket, line2) == KIDX_LINE, "keys and values fill the first line");

typedef uint64_t (*hash_fn)(uint64_t key, const void *arg);
LINES_INDEX_FUNCTIONS(kidx, struct kidx, struct kidx_bucket, hash_fn, KIDX_SLOTS)

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
			pass(b, mask, home, i, 1);
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
	/* the keys are here: the records stay where they are, unread; the
	 * new buckets' used slots are counted (lines.h, grow_counts()), the
	 * old ones' taken from a mask (a branch on each slot's use
	 * mispredicts) */
	uint8_t *fill = x->b ? grow_counts(x, nbuckets) : NULL;
	size_t mask = nbuckets - 1;
	for (size_t i = 0; x->b && i <= x->mask; i++) {
		const struct kidx_bucket *o = &x->b[i];
		unsigned used = 0;
		for (unsigned k = 0; k < KIDX_SLOTS; k++)
			used |= (unsigned)(o->val1[k] != 0) << k;
		for (; used; used &= used - 1) {
			unsigned k = (unsigned)__builtin_ctz(used);
			uint64_t h = x->hash(o->key[k], x->hash_arg);
			if (!fill) {
				place(b, mask, o->rec[k], o->key[k], h, (uint16_t)(o->val1[k] - 1));
				continue;
			}
			size_t at;
			unsigned s = counted_slot(b, fill, mask, h & mask, &at);
			b[at].key[s] = o->key[k];
			b[at].rec[s] = o->rec[k];
			b[at].val1[s] = o->val1[k];
		}
	}
	if (fill)
		mcast_alloc_free(x->al, fill, nbuckets);
	adopt(x, b, nbuckets, raw, size);
	return 0;
}

int kidx_insert(struct kidx *x, void *rec, uint64_t key, uint64_t h, uint16_t val)
{
	if (val == UINT16_MAX)
		return -EINVAL; /* (0 in val1 marks a free slot) */
	if (!room_for_one(x))
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
	pass(x->b, x->mask, (size_t)h, i, -1);
	x->count--;
}

void kidx_set_val(struct kidx *x, const void *rec, uint64_t key, uint64_t h, uint16_t val)
{
	size_t i;
	unsigned k;
	if (slot_of(x, rec, key, h, &i, &k))
		x->b[i].val1[k] = (uint16_t)(val + 1);
}

struct checked {                 /* kidx_check()'s index and how to read a record's key */
	const struct kidx *x;
	uint64_t (*key_of)(const void *rec, const void *arg);
	const void *arg;
};

static uint32_t passed_of(const void *c, size_t i)
{
	return ((const struct checked *)c)->x->b[i].passed;
}

static int check_slot(const void *cv, size_t i, unsigned k, size_t *home, char *why, size_t len)
{
	const struct checked *c = cv;
	const struct kidx_bucket *b = &c->x->b[i];
	if (!b->val1[k]) {
		if (b->rec[k] || b->key[k]) {
			snprintf(why, len, "index: bucket %zu slot %u free but holds a record or key", i, k);
			return -1;
		}
		return 0;
	}
	if (!b->rec[k]) {
		snprintf(why, len, "index: bucket %zu slot %u used without a record", i, k);
		return -1;
	}
	uint64_t key = c->key_of(b->rec[k], c->arg);
	if (key != b->key[k]) {
		snprintf(why, len, "index: bucket %zu slot %u: key %016llx, the record's is %016llx", i, k,
			 (unsigned long long)b->key[k], (unsigned long long)key);
		return -1;
	}
	*home = (size_t)c->x->hash(key, c->x->hash_arg);
	return 1;
}

int kidx_check(const struct kidx *x, uint64_t (*key_of)(const void *rec, const void *arg), const void *arg,
	       char *why, size_t len)
{
	const struct checked c = { x, key_of, arg };
	const struct lines_index ix = { &c, x->b, x->b ? x->mask + 1 : 0, sizeof(*x->b), KIDX_SLOTS, x->count,
					passed_of, check_slot };
	return lines_check(&ix, why, len);
}
