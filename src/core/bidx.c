/* The bucketed index; see bidx.h. */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "core/bidx.h"
#include "core/lines.h"

_Static_assert(sizeof(struct bidx_bucket) == BIDX_LINE, "a bucket is one cache line");

typedef uint64_t (*hash_fn)(const void *rec, const void *arg);
LINES_INDEX_FUNCTIONS(bidx, struct bidx, struct bidx_bucket, hash_fn, BIDX_SLOTS)

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
			pass(b, mask, home, i, 1);
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
	 * one's are placed, so that their misses overlap: eight buckets
	 * (about 36 records) ahead; four left a fifth of the time waiting
	 * (a proxy's storm of 100,000 groups: 25 -> 20 ms of resizing).
	 * Both ends of the key: a record of 72 bytes puts one key in eight
	 * across two lines, and its second would be a full miss at hash
	 * time (the router's path at a million new groups: 87-88 -> 83 ns
	 * a group, bench_proxy). */
	enum { AHEAD = 8 };
	for (size_t i = 0; x->b && i <= x->mask; i++) {
		if (i + AHEAD <= x->mask)
			for (unsigned k = 0; k < BIDX_SLOTS; k++)
				if (x->b[i + AHEAD].rec[k]) {
					const char *r = x->b[i + AHEAD].rec[k];
					__builtin_prefetch(r);
					__builtin_prefetch(r + BIDX_KEY_BYTES - 1);
				}
		for (unsigned k = 0; k < BIDX_SLOTS; k++)
			if (x->b[i].tag[k])
				place(b, nbuckets - 1, x->b[i].rec[k], x->hash(x->b[i].rec[k], x->hash_arg));
	}
	adopt(x, b, nbuckets, raw, size);
	return 0;
}

int bidx_insert(struct bidx *x, void *rec, uint64_t h)
{
	if (!room_for_one(x))
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
				pass(x->b, x->mask, home, i, -1);
				x->count--;
				return;
			}
		if (!b->passed)
			return;
		i = (i + 1) & x->mask;
	}
}

static uint32_t passed_of(const void *x, size_t i)
{
	return ((const struct bidx *)x)->b[i].passed;
}

static int slot_of(const void *xv, size_t i, unsigned k, size_t *home, char *why, size_t len)
{
	const struct bidx *x = xv;
	const struct bidx_bucket *b = &x->b[i];
	if (!b->tag[k]) {
		if (b->rec[k]) {
			snprintf(why, len, "index: bucket %zu slot %u free but holds a record", i, k);
			return -1;
		}
		return 0;
	}
	uint64_t h = x->hash(b->rec[k], x->hash_arg);
	if (b->tag[k] != bidx_tag(h)) {
		snprintf(why, len, "index: bucket %zu slot %u: tag %04x, the record's hash says %04x", i, k, b->tag[k],
			 bidx_tag(h));
		return -1;
	}
	*home = (size_t)h;
	return 1;
}

int bidx_check(const struct bidx *x, char *why, size_t len)
{
	const struct lines_index ix = { x, x->b, x->b ? x->mask + 1 : 0, BIDX_LINE, BIDX_SLOTS, x->count,
					passed_of, slot_of };
	return lines_check(&ix, why, len);
}
