/* Unit tests for src/core/kidx.c: the forwarding cache's keyed index. */
#include "testutil.h"
#include "core/kidx.h"

/* The tests' keys hash through this: a key whose low byte is below 0x40
 * has its home among the last 8 buckets (runs spill and wrap past the
 * end), others anywhere. */
static uint64_t key_hash(uint64_t key, const void *arg)
{
	(void)arg;
	if ((key & 0xff) < 0x40)
		return UINT64_MAX - (key >> 8) % 8;
	return key * 0x9e3779b97f4a7c15ull;
}

struct rec {
	uint64_t key;
	uint16_t val;
	bool in;
};

static uint64_t rec_key(const void *r, const void *arg)
{
	(void)arg;
	return ((const struct rec *)r)->key;
}

static void check(const struct kidx *x)
{
	char why[256];
	if (kidx_check(x, rec_key, NULL, why, sizeof(why)) < 0)
		fail_msg("%s", why);
}

/* r if it is in the index under its key, with its value; else NULL. */
static struct rec *find(const struct kidx *x, const struct rec *want)
{
	struct kidx_iter it;
	for (bool f = kidx_seek(x, want->key, key_hash(want->key, NULL), &it); f; f = kidx_seek_next(x, &it))
		if (kidx_iter_rec(x, &it) == want) {
			assert_int_equal(kidx_iter_val(x, &it), want->val);
			return kidx_iter_rec(x, &it);
		}
	return NULL;
}

/* What the shared tests (idxtests.h) drive: record i's key aims a
 * quarter of the records at the last buckets, its value is i. */
#define IX kidx
#define IX_SLOTS KIDX_SLOTS

static void ix_init(struct kidx *x, const struct mcast_alloc *al)
{
	kidx_init(x, al, key_hash, NULL);
}

static void ix_make(struct rec *r, int i)
{
	*r = (struct rec){ .key = (uint64_t)(i + 1) << 8 | (uint64_t)(i % 4 ? 0x80 : 0x10), .val = (uint16_t)i };
}

static int ix_order(const struct rec *r)
{
	return r->val;
}

static int ix_insert(struct kidx *x, struct rec *r)
{
	return kidx_insert(x, r, r->key, key_hash(r->key, NULL), r->val);
}

static void ix_remove(struct kidx *x, struct rec *r)
{
	kidx_remove(x, r, r->key, key_hash(r->key, NULL));
}

#include "idxtests.h"

/* Random inserts, removes and value changes against a model, a quarter
 * of the keys aimed at the last buckets; every step checked now and
 * then, every record looked up. */
static void test_model(void **state)
{
	(void)state;
	enum { N = 3000, STEPS = 20000 };
	static struct rec r[N];
	struct kidx x;
	kidx_init(&x, &mcast_alloc_libc, key_hash, NULL);
	struct mcast_rng rng;
	mcast_rng_seed(&rng, 7);
	for (int i = 0; i < N; i++) {
		uint64_t key = ((uint64_t)mcast_rng_next(&rng) << 32 | mcast_rng_next(&rng)) & ~(uint64_t)0xff;
		key |= i % 4 == 0 ? mcast_rng_below(&rng, 0x40) : 0x40 + mcast_rng_below(&rng, 0xc0);
		r[i] = (struct rec){ .key = i == 0 ? 0 : key, .val = (uint16_t)(i == 1 ? 0xfffe : i) };
	}
	size_t in = 0;
	for (int s = 0; s < STEPS; s++) {
		struct rec *p = &r[mcast_rng_below(&rng, N)];
		if (p->in && s % 3 == 0) { /* a value changed in place */
			p->val = (uint16_t)mcast_rng_below(&rng, 0xffff);
			kidx_set_val(&x, p, p->key, key_hash(p->key, NULL), p->val);
		} else {
			ix_toggle(&x, p, &in);
		}
		ix_verify(&x, r, N, in, s, STEPS);
	}
	assert_true(x.count * 4 <= (x.mask + 1) * KIDX_SLOTS * 3);
	struct kidx_cursor c = { 0 };
	size_t walked = 0;
	for (struct rec *p; (p = kidx_each(&x, &c));) {
		assert_true(p->in);
		assert_int_equal(kidx_cursor_val(&x, &c), p->val);
		walked++;
	}
	assert_int_equal(walked, in);
	kidx_free(&x);
}

/* Equal keys (hashed keys may collide) are all found, in any number, and
 * a key of 0 is a key like any other, not a free slot. */
static void test_same_key(void **state)
{
	(void)state;
	enum { M = 40 };
	struct rec r[M];
	struct kidx x;
	kidx_init(&x, &mcast_alloc_libc, key_hash, NULL);
	struct kidx_iter it;
	assert_false(kidx_seek(&x, 0, key_hash(0, NULL), &it)); /* nothing yet */
	for (int i = 0; i < M; i++) {
		r[i] = (struct rec){ .key = 0, .val = (uint16_t)i };
		assert_int_equal(kidx_insert(&x, &r[i], 0, key_hash(0, NULL), r[i].val), 0);
	}
	check(&x);
	for (int i = 0; i < M; i++)
		assert_ptr_equal(find(&x, &r[i]), &r[i]);
	size_t n = 0;
	for (bool f = kidx_seek(&x, 0, key_hash(0, NULL), &it); f; f = kidx_seek_next(&x, &it))
		n++;
	assert_int_equal(n, M);
	assert_false(kidx_seek(&x, 0x4100, key_hash(0x4100, NULL), &it)); /* another key, free slots around */
	ix_remove_thirds(&x, r, M);
	kidx_free(&x);
}

/* Growing places slots from their keys: the records are never read (here
 * they are addresses nothing may dereference), and 0xffff, the one value
 * that cannot be kept, is refused. */
static void test_grow_without_records(void **state)
{
	(void)state;
	enum { N = 5000 };
	struct kidx x;
	kidx_init(&x, &mcast_alloc_libc, key_hash, NULL);
	for (uintptr_t i = 1; i <= N; i++)
		assert_int_equal(kidx_insert(&x, (void *)(i * 64), i << 8 | 0x80, key_hash(i << 8 | 0x80, NULL),
					     (uint16_t)i),
				 0);
	assert_true(x.mask + 1 >= N / KIDX_SLOTS);
	for (uintptr_t i = 1; i <= N; i++) {
		struct kidx_iter it = { 0 };
		uint64_t key = i << 8 | 0x80;
		assert_true(kidx_seek(&x, key, key_hash(key, NULL), &it));
		assert_ptr_equal(kidx_iter_rec(&x, &it), (void *)(i * 64));
		assert_int_equal(kidx_iter_val(&x, &it), (uint16_t)i);
	}
	assert_int_equal(kidx_insert(&x, (void *)8, 1, key_hash(1, NULL), 0xffff), -EINVAL);
	assert_int_equal(x.count, N);
	kidx_free(&x);
}

/* The check names a slot whose key is not its record's, a record in no
 * slot's count and a passed count that does not add up. */
static void test_check_finds_damage(void **state)
{
	(void)state;
	enum { N = 100 };
	static struct rec r[N];
	struct kidx x;
	kidx_init(&x, &mcast_alloc_libc, key_hash, NULL);
	for (int i = 0; i < N; i++) {
		r[i] = (struct rec){ .key = (uint64_t)i << 8 | (i % 2 ? 0x10 : 0x90), .val = (uint16_t)i };
		assert_int_equal(kidx_insert(&x, &r[i], r[i].key, key_hash(r[i].key, NULL), r[i].val), 0);
	}
	check(&x);
	char why[256];
	r[5].key ^= 1 << 8; /* the record's key changed under the index */
	assert_int_equal(kidx_check(&x, rec_key, NULL, why, sizeof(why)), -1);
	assert_non_null(strstr(why, "the record's is"));
	r[5].key ^= 1 << 8;
	x.count++;
	assert_int_equal(kidx_check(&x, rec_key, NULL, why, sizeof(why)), -1);
	assert_non_null(strstr(why, "counted"));
	x.count--;
	size_t i = 0;
	while (x.b[i].passed == 0)
		i++; /* the keys aimed at the last buckets wrap: some bucket is passed */
	x.b[i].passed++;
	assert_int_equal(kidx_check(&x, rec_key, NULL, why, sizeof(why)), -1);
	assert_non_null(strstr(why, "passed counts"));
	x.b[i].passed--;
	check(&x);
	kidx_free(&x);
}

/* The match names exactly the slots holding the key and in use: keys
 * that share one 32-bit half with it, or are 0 in a free slot, are not
 * it. */
static void test_match(void **state)
{
	(void)state;
	static struct kidx_bucket b __attribute__((aligned(2 * KIDX_LINE)));
	const uint64_t pool[] = { 0, 0x1122334455667788ull, 0x1122334400000000ull, 0x0000000055667788ull,
				  0x5566778811223344ull, 0x1122334455667789ull };
	struct mcast_rng rng;
	mcast_rng_seed(&rng, 5);
	for (int t = 0; t < 20000; t++) {
		memset(&b, 0, sizeof(b));
		for (unsigned k = 0; k < KIDX_SLOTS; k++) {
			b.key[k] = pool[mcast_rng_below(&rng, 6)];
			b.val1[k] = (uint16_t)mcast_rng_below(&rng, 3); /* a third free */
		}
		b.spare = (uint32_t)mcast_rng_next(&rng);
		uint64_t key = pool[mcast_rng_below(&rng, 6)];
		unsigned want = 0;
		for (unsigned k = 0; k < KIDX_SLOTS; k++)
			if (b.key[k] == key && b.val1[k])
				want |= 1u << k;
		assert_int_equal(kidx_match(&b, key), want);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_match),
		cmocka_unit_test(test_model),
		cmocka_unit_test(test_same_key),
		cmocka_unit_test(test_grow_without_records),
		cmocka_unit_test(test_walk_and_sorted),
		cmocka_unit_test(test_grow_fails),
		cmocka_unit_test(test_grow_without_counts),
		cmocka_unit_test(test_check_finds_damage),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
