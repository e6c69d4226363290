/* The bucketed index; see bidx.h. */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "core/bidx.h"
#include "core/lines.h"

_Static_assert(sizeof(struct bidx_bucket) == BIDX_LINE, "a bucket is one cache line");

typedef uint64_t (*hash_fn)(const void *rec, const void *arg);
LINES_INDEX_FUNCTIONS(bidx, struct bidx, struct bidx_bucket, hash_fn, BIDX_SLOTS)

static inline bool packed(const struct bidx *x)
{
	return x->ptr_mask != UINTPTR_MAX;
}

/* Puts a slot's word (the record, and in a packed index its hash bits)
 * in the first bucket from its home with room, counting it on the
 * buckets it passes; false when every bucket is full. */
static bool place(struct bidx_bucket *b, size_t mask, uintptr_t word, uint32_t h32)
{
	size_t home = h32 & mask, i = home;
	for (size_t probes = 0; probes <= mask; probes++) {
		unsigned room = bidx_match(&b[i], 0); /* a free slot's tag is 0 */
		if (room) {
			unsigned k = (unsigned)__builtin_ctz(room) >> 1;
			b[i].tag[k] = (uint16_t)(h32 >> 16);
			b[i].rec[k] = word;
			pass(b, mask, home, i, 1);
			return true;
		}
		i = (i + 1) & mask;
	}
	return false;
}

/* The used slots of b, one bit each (slot k: bit 2k). */
static inline unsigned used_slots(const struct bidx_bucket *b)
{
	return ~bidx_match(b, 0) & ((1u << (2 * BIDX_SLOTS)) - 1) & 0x55555555u;
}

#ifdef BIDX_PACKED_MASK
/* A record whose address uses the top bits: from now on the slots hold
 * plain pointers and growth hashes the records again. */
static void go_plain(struct bidx *x)
{
	for (size_t i = 0; i <= x->mask; i++)
		for (unsigned k = 0; k < BIDX_SLOTS; k++)
			x->b[i].rec[k] &= x->ptr_mask;
	x->ptr_mask = UINTPTR_MAX;
}
#endif

static int resize(struct bidx *x, size_t nbuckets)
{
	void *raw;
	size_t size;
	struct bidx_bucket *b = lines_get(x->al, nbuckets, sizeof(*b), &raw, &size);
	if (!b)
		return -ENOMEM;
	if (!x->b) {
#ifdef BIDX_PACKED_MASK
		x->ptr_mask = BIDX_PACKED_MASK;
#else
		x->ptr_mask = UINTPTR_MAX;
#endif
		adopt(x, b, nbuckets, raw, size);
		return 0;
	}
	uint8_t *fill = grow_counts(x, nbuckets);
	size_t mask = nbuckets - 1;
	/* Where the slots hold their home (packed), the old buckets are read
	 * in order and the new ones written in two runs, no record touched;
	 * else each record's hash is computed again from the record: the
	 * records of a bucket a few ahead are loaded while this one's are
	 * placed, so that their misses overlap (eight buckets, about 36
	 * records, ahead; four left a fifth of the time waiting), both ends
	 * of the key (a record of 72 bytes puts one key in eight across two
	 * lines). The used slots are taken from a mask, not tested one by
	 * one: which slots a bucket uses is random, and a branch on each was
	 * a misprediction a record. */
	enum { AHEAD = 8 };
	bool rehash = !packed(x);
	for (size_t i = 0; i <= x->mask; i++) {
		if (rehash && i + AHEAD <= x->mask)
			for (unsigned k = 0; k < BIDX_SLOTS; k++)
				if (x->b[i + AHEAD].rec[k]) {
					const char *r = (const char *)x->b[i + AHEAD].rec[k];
					__builtin_prefetch(r);
					__builtin_prefetch(r + BIDX_KEY_BYTES - 1);
				}
		for (unsigned used = used_slots(&x->b[i]); used; used &= used - 1) {
			unsigned k = (unsigned)__builtin_ctz(used) >> 1;
			uintptr_t w = x->b[i].rec[k];
			uint32_t h32;
#ifdef BIDX_PACKED_MASK
			if (!rehash)
				h32 = (uint32_t)x->b[i].tag[k] << 16 | (uint32_t)(w >> BIDX_HASH_SHIFT);
			else
#endif
				h32 = bidx_h32(x->hash((const void *)w, x->hash_arg));
			if (fill) {
				size_t at;
				unsigned s = counted_slot(b, fill, mask, h32 & mask, &at);
				b[at].tag[s] = (uint16_t)(h32 >> 16);
				b[at].rec[s] = w;
			} else {
				place(b, mask, w, h32);
			}
		}
	}
	mcast_alloc_free(x->al, fill, nbuckets);
	adopt(x, b, nbuckets, raw, size);
	return 0;
}

int bidx_insert(struct bidx *x, void *rec, uint64_t h)
{
	if (!room_for_one(x))
		return -ENOMEM;
	uintptr_t w = (uintptr_t)rec;
#ifdef BIDX_PACKED_MASK
	if (packed(x) && (w & ~BIDX_PACKED_MASK))
		go_plain(x);
	if (packed(x))
		w |= (uintptr_t)(uint16_t)(h >> 32) << BIDX_HASH_SHIFT;
#endif
	if (!place(x->b, x->mask, w, bidx_h32(h)))
		return -ENOMEM; /* not reached: count < capacity leaves a free slot */
	x->count++;
	return 0;
}

void bidx_remove(struct bidx *x, const void *rec, uint64_t h)
{
	if (!x->b)
		return;
	size_t home = bidx_h32(h) & x->mask, i = home;
	uint16_t tag = bidx_tag(h);
	for (size_t probes = 0; probes <= x->mask; probes++) {
		struct bidx_bucket *b = &x->b[i];
		for (unsigned k = 0; k < BIDX_SLOTS; k++)
			if (b->tag[k] == tag && bidx_rec(x, b, k) == rec) {
				b->tag[k] = 0;
				b->rec[k] = 0;
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
	uint64_t h = x->hash(bidx_rec(x, b, k), x->hash_arg);
	if (b->tag[k] != bidx_tag(h)) {
		snprintf(why, len, "index: bucket %zu slot %u: tag %04x, the record's hash says %04x", i, k, b->tag[k],
			 bidx_tag(h));
		return -1;
	}
#ifdef BIDX_PACKED_MASK
	if (packed(x) && (uint16_t)(b->rec[k] >> BIDX_HASH_SHIFT) != (uint16_t)(h >> 32)) {
		snprintf(why, len, "index: bucket %zu slot %u: hash bits %04x, the record's hash says %04x", i, k,
			 (unsigned)(b->rec[k] >> BIDX_HASH_SHIFT), (unsigned)(uint16_t)(h >> 32));
		return -1;
	}
#endif
	*home = bidx_h32(h);
	return 1;
}

int bidx_check(const struct bidx *x, char *why, size_t len)
{
	const struct lines_index ix = { x, x->b, x->b ? x->mask + 1 : 0, BIDX_LINE, BIDX_SLOTS, x->count,
					passed_of, slot_of };
	return lines_check(&ix, why, len);
}
