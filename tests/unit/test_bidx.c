/* Unit tests for src/core/bidx.c: the engines' bucketed group index. */
#include "testutil.h"
#include "core/bidx.h"

struct rec {
	uint64_t h; /* the test picks each record's hash */
	int key;
	bool in;
	uintptr_t as; /* the address the index is given: the record's, or with a tag in its top byte */
};

/* A tag in an address's top byte, as AArch64's memory tagging puts one
 * (the index must then keep plain pointers). */
#define TAGGED ((uintptr_t)0x5a << (8 * sizeof(uintptr_t) - 8))

static const struct rec *untag(const void *p)
{
	return (const struct rec *)((uintptr_t)p & ~TAGGED);
}

static size_t hash_calls;

static uint64_t rec_hash(const void *r, const void *arg)
{
	(void)arg;
	hash_calls++;
	return untag(r)->h;
}

static struct rec *find(const struct bidx *x, const struct rec *want)
{
	struct bidx_iter it;
	for (void *p = bidx_first(x, want->h, &it); p; p = bidx_next(x, &it)) {
		const struct rec *r = untag(p);
		if (r->key == want->key && r->h == want->h) {
			assert_true((uintptr_t)p == r->as); /* the address as given */
			return (struct rec *)(uintptr_t)r;
		}
	}
	return NULL;
}

static void check(const struct bidx *x)
{
	char why[256];
	if (bidx_check(x, why, sizeof(why)) < 0)
		fail_msg("%s", why);
}

/* What the shared tests (idxtests.h) drive. */
#define IX bidx
#define IX_SLOTS BIDX_SLOTS

static void ix_init(struct bidx *x, const struct mcast_alloc *al)
{
	bidx_init(x, al, rec_hash, NULL);
}

static void ix_make(struct rec *r, int i)
{
	*r = (struct rec){ .h = (uint64_t)i * 0x9e3779b97f4a7c15ull, .key = i, .as = (uintptr_t)r };
}

static int ix_order(const struct rec *r)
{
	return r->key;
}

static int ix_insert(struct bidx *x, struct rec *r)
{
	return bidx_insert(x, (void *)r->as, r->h);
}

static void ix_remove(struct bidx *x, struct rec *r)
{
	bidx_remove(x, (void *)r->as, r->h);
}

#include "idxtests.h"

static void count_fn(void *r, void *arg)
{
	(void)r;
	(*(size_t *)arg)++;
}

/* Random inserts and removes against a model, with hashes aimed at a few
 * home buckets so that records spill over, chains wrap past the last
 * bucket and the passed counts go up and down; every step checked. With
 * tagged, one record in 50 has a tagged address: the index switches to
 * plain pointers when the first goes in, with hundreds in it. */
static void run_model(bool tagged, const struct mcast_alloc *al)
{
	enum { N = 3000, STEPS = 20000 };
	static struct rec r[N];
	struct bidx x;
	bidx_init(&x, al, rec_hash, NULL);
	struct mcast_rng rng;
	mcast_rng_seed(&rng, 7);
	for (int i = 0; i < N; i++) {
		/* a quarter share 8 homes (the 16 bits below the tag), all
		 * near the top of the table; the rest random; some with the
		 * hash's top 16 bits zero */
		uint64_t h = ((uint64_t)mcast_rng_next(&rng) << 32) | mcast_rng_next(&rng);
		if (i % 4 == 0)
			h = (h & ~((uint64_t)0xffff << 32)) | (uint64_t)(0xfff8u + (unsigned)(i % 8)) << 32;
		if (i % 97 == 0)
			h &= 0x0000ffffffffffffull;
		r[i] = (struct rec){ .h = h, .key = i, .as = (uintptr_t)&r[i] | (tagged && i % 50 == 49 ? TAGGED : 0) };
	}
	size_t in = 0;
	for (int s = 0; s < STEPS; s++) {
		ix_toggle(&x, &r[mcast_rng_below(&rng, N)], &in);
		ix_verify(&x, r, N, in, s, STEPS);
	}
	/* load never passes 3/4 of the slots after a growth */
	assert_true(x.count * 4 <= (x.mask + 1) * BIDX_SLOTS * 3);
	assert_true(x.ptr_mask == UINTPTR_MAX || !tagged);
	if (!tagged) {
		size_t walked = 0;
		bidx_walk(&x, count_fn, &walked);
		assert_int_equal(walked, in);
	}
	bidx_free(&x);
}

static void test_model(void **state)
{
	(void)state;
	run_model(false, &mcast_alloc_libc);
}

static void test_model_tagged(void **state)
{
	(void)state;
	run_model(true, &mcast_alloc_libc);
}

/* Growth without room to count the new buckets' used slots finds them
 * in the buckets, with the same result (the model as above). */
static void test_model_growth_without_counts(void **state)
{
	(void)state;
	counts_refused = 0;
	run_model(false, &no_counts);
	assert_true(counts_refused >= 8); /* grew that often, each time without */
	run_model(true, &no_counts);
}

/* Growing reads no record where the slots keep the hash bits (64-bit
 * machines): the hash function is never called until the check. Once a
 * tagged address is in, the slots hold plain pointers, growth calls it
 * for every record, and every record, tagged or not, stays found. */
static void test_growth_without_records(void **state)
{
	(void)state;
	enum { N = 4000, PLAIN = 1000 };
	static struct rec r[N];
	struct bidx x;
	bidx_init(&x, &mcast_alloc_libc, rec_hash, NULL);
	hash_calls = 0;
	ix_fill(&x, r, PLAIN, false);
	assert_true(x.mask + 1 >= 64); /* it grew, several times */
#ifdef BIDX_PACKED_MASK
	assert_int_equal(hash_calls, 0);
	assert_true(x.ptr_mask == BIDX_PACKED_MASK);
#else
	assert_true(hash_calls > 0); /* 32-bit: plain pointers from the start */
#endif
	check(&x);
	size_t before = hash_calls;
	for (int i = PLAIN; i < N; i++) {
		ix_make(&r[i], i);
		r[i].as |= TAGGED;
		assert_int_equal(ix_insert(&x, &r[i]), 0);
	}
	assert_true(x.ptr_mask == UINTPTR_MAX);
	assert_true(hash_calls - before >= PLAIN); /* grown since: each record hashed again */
	check(&x);
	for (int i = 0; i < N; i++)
		assert_ptr_equal(find(&x, &r[i]), &r[i]);
	for (int i = 0; i < N; i += 2)
		ix_remove(&x, &r[i]);
	check(&x);
	for (int i = 0; i < N; i++)
		assert_true((find(&x, &r[i]) != NULL) == (i % 2 == 1));
	bidx_free(&x);
}

/* Equal hashes are told apart by the caller's key (a hash with zero top
 * bits is one); so are hashes that differ only in the bit the tag does
 * not keep (its top bit is always set). */
static void test_same_hash(void **state)
{
	(void)state;
	struct bidx x;
	bidx_init(&x, &mcast_alloc_libc, rec_hash, NULL);
	enum { M = 40 }; /* several buckets' worth of one hash */
	struct rec r[M];
	for (int i = 0; i < M; i++) {
		r[i] = (struct rec){ .h = 5, .key = i, .as = (uintptr_t)&r[i] };
		assert_int_equal(bidx_insert(&x, &r[i], r[i].h), 0);
	}
	check(&x);
	for (int i = 0; i < M; i++)
		assert_ptr_equal(find(&x, &r[i]), &r[i]);
	struct rec absent = { .h = 5, .key = 1000 }, other = { .h = 6, .key = 1 };
	assert_null(find(&x, &absent));
	assert_null(find(&x, &other));
	struct rec top = { .h = 5 | 1ull << 63, .key = 0 }; /* r[0]'s key, its tag and home */
	assert_int_equal(bidx_tag(top.h), bidx_tag(r[0].h));
	assert_null(find(&x, &top));
	assert_int_equal(bidx_tag(5), 0x8000); /* the top bit set: never the free slot's 0 */
	ix_remove_thirds(&x, r, M);
	bidx_free(&x);
}

/* The tag match names exactly the slots holding the tag (two bits each),
 * never the passed count beside the tags, whatever it holds. */
static void test_match(void **state)
{
	(void)state;
	static struct bidx_bucket b __attribute__((aligned(BIDX_LINE)));
	struct mcast_rng rng;
	mcast_rng_seed(&rng, 5);
	for (int t = 0; t < 5000; t++) {
		memset(&b, 0, sizeof(b));
		uint16_t tag = (uint16_t)(1 + mcast_rng_below(&rng, 4)); /* few values: many equal */
		for (unsigned k = 0; k < BIDX_SLOTS; k++)
			b.tag[k] = (uint16_t)mcast_rng_below(&rng, 5);
		b.passed = (uint32_t)tag | (uint32_t)tag << 16;
		unsigned want = 0;
		for (unsigned k = 0; k < BIDX_SLOTS; k++)
			if (b.tag[k] == tag)
				want |= 3u << (2 * k);
		assert_int_equal(bidx_match(&b, tag), want);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_match),
		cmocka_unit_test(test_model),
		cmocka_unit_test(test_model_tagged),
		cmocka_unit_test(test_model_growth_without_counts),
		cmocka_unit_test(test_growth_without_records),
		cmocka_unit_test(test_same_hash),
		cmocka_unit_test(test_walk_and_sorted),
		cmocka_unit_test(test_grow_fails),
		cmocka_unit_test(test_grow_without_counts),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
