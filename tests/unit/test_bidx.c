/* Unit tests for src/core/bidx.c: the engines' bucketed group index. */
#include "testutil.h"
#include "refuse.h"
#include "core/bidx.h"

struct rec {
	uint64_t h; /* the test picks each record's hash */
	int key;
	bool in;
};

static uint64_t rec_hash(const void *r, const void *arg)
{
	(void)arg;
	return ((const struct rec *)r)->h;
}

static struct rec *find(const struct bidx *x, const struct rec *want)
{
	struct bidx_iter it;
	for (struct rec *r = bidx_first(x, want->h, &it); r; r = bidx_next(x, &it))
		if (r->key == want->key && r->h == want->h)
			return r;
	return NULL;
}

static void check(const struct bidx *x)
{
	char why[256];
	if (bidx_check(x, why, sizeof(why)) < 0)
		fail_msg("%s", why);
}

static void count_fn(void *r, void *arg)
{
	(void)r;
	(*(size_t *)arg)++;
}

/* Random inserts and removes against a model, with hashes aimed at a few
 * home buckets so that records spill over, chains wrap past the last
 * bucket and the passed counts go up and down; every step checked. */
static void test_model(void **state)
{
	(void)state;
	enum { N = 3000, STEPS = 20000 };
	static struct rec r[N];
	struct bidx x;
	bidx_init(&x, &mcast_alloc_libc, rec_hash, NULL);
	struct mcast_rng rng;
	mcast_rng_seed(&rng, 7);
	for (int i = 0; i < N; i++) {
		/* a quarter share 8 hashes' low bits (the home), all near the
		 * top of the table; the rest random; some with a zero tag */
		uint64_t h = ((uint64_t)mcast_rng_next(&rng) << 32) | mcast_rng_next(&rng);
		if (i % 4 == 0)
			h = (h & ~(uint64_t)0xffff) | (0xfff8u + (unsigned)(i % 8));
		if (i % 97 == 0)
			h &= 0x0000ffffffffffffull;
		r[i] = (struct rec){ .h = h, .key = i };
	}
	size_t in = 0;
	for (int s = 0; s < STEPS; s++) {
		struct rec *p = &r[mcast_rng_below(&rng, N)];
		if (p->in) {
			bidx_remove(&x, p, p->h);
			p->in = false;
			in--;
		} else {
			assert_int_equal(bidx_insert(&x, p, p->h), 0);
			p->in = true;
			in++;
		}
		assert_int_equal(x.count, in);
		if (s % 97 == 0 || s > STEPS - 50) {
			check(&x);
			for (int i = 0; i < N; i++)
				assert_true((find(&x, &r[i]) == &r[i]) == r[i].in);
		}
	}
	/* load never passes 3/4 of the slots after a growth */
	assert_true(x.count * 4 <= (x.mask + 1) * BIDX_SLOTS * 3);
	size_t walked = 0;
	bidx_walk(&x, count_fn, &walked);
	assert_int_equal(walked, in);
	bidx_free(&x);
}

/* Equal hashes are told apart by the caller's key; a zero tag is one. */
static void test_same_hash(void **state)
{
	(void)state;
	struct bidx x;
	bidx_init(&x, &mcast_alloc_libc, rec_hash, NULL);
	enum { M = 40 }; /* several buckets' worth of one hash */
	struct rec r[M];
	for (int i = 0; i < M; i++) {
		r[i] = (struct rec){ .h = 5, .key = i };
		assert_int_equal(bidx_insert(&x, &r[i], r[i].h), 0);
	}
	check(&x);
	for (int i = 0; i < M; i++)
		assert_ptr_equal(find(&x, &r[i]), &r[i]);
	struct rec absent = { .h = 5, .key = 1000 }, other = { .h = 6, .key = 1 };
	assert_null(find(&x, &absent));
	assert_null(find(&x, &other));
	assert_int_equal(bidx_tag(5), 1);
	/* removing from the middle of the run keeps the rest reachable */
	for (int i = 0; i < M; i += 3)
		bidx_remove(&x, &r[i], r[i].h);
	check(&x);
	for (int i = 0; i < M; i++)
		assert_true((find(&x, &r[i]) != NULL) == (i % 3 != 0));
	bidx_free(&x);
}

struct rm_arg {
	struct bidx *x;
	size_t seen;
};

static void remove_odd(void *p, void *arg)
{
	struct rm_arg *a = arg;
	struct rec *r = p;
	a->seen++;
	if (r->key % 2)
		bidx_remove(a->x, r, r->h);
}

/* A walk may remove the record it is given. */
static void test_walk_remove(void **state)
{
	(void)state;
	enum { N = 500 };
	static struct rec r[N];
	struct bidx x;
	bidx_init(&x, &mcast_alloc_libc, rec_hash, NULL);
	for (int i = 0; i < N; i++) {
		r[i] = (struct rec){ .h = (uint64_t)i * 0x9e3779b97f4a7c15ull, .key = i };
		assert_int_equal(bidx_insert(&x, &r[i], r[i].h), 0);
	}
	struct rm_arg a = { &x, 0 };
	bidx_walk(&x, remove_odd, &a);
	assert_int_equal(a.seen, N);
	assert_int_equal(x.count, N / 2);
	check(&x);
	for (int i = 0; i < N; i++)
		assert_true((find(&x, &r[i]) != NULL) == (i % 2 == 0));
	bidx_free(&x);
}

static int by_key(const void *a, const void *b)
{
	const struct rec *x = *(const struct rec *const *)a, *y = *(const struct rec *const *)b;
	return (x->key > y->key) - (x->key < y->key);
}

static void test_sorted(void **state)
{
	(void)state;
	struct rec r[50];
	struct bidx x;
	bidx_init(&x, &mcast_alloc_libc, rec_hash, NULL);
	for (int i = 0; i < 50; i++) {
		r[i] = (struct rec){ .h = (uint64_t)(49 - i) * 0x51ed27ull, .key = 49 - i };
		bidx_insert(&x, &r[i], r[i].h);
	}
	size_t n;
	void **v = bidx_sorted(&x, by_key, &n);
	assert_non_null(v);
	assert_int_equal(n, 50);
	for (size_t i = 0; i < n; i++)
		assert_int_equal(((struct rec *)v[i])->key, (int)i);
	bidx_sorted_free(&x, v, n);
	bidx_free(&x);
}

/* When growing fails the index fills its free slots, then refuses with
 * -ENOMEM and changes nothing; every record stays reachable. */
static void test_grow_fails(void **state)
{
	(void)state;
	enum { N = 200 };
	static struct rec r[N];
	struct bidx x;
	bidx_init(&x, &refusing, rec_hash, NULL);
	int i = 0;
	for (; i < 30; i++) {
		r[i] = (struct rec){ .h = (uint64_t)i * 0x9e3779b97f4a7c15ull, .key = i };
		assert_int_equal(bidx_insert(&x, &r[i], r[i].h), 0);
	}
	size_t cap = (x.mask + 1) * BIDX_SLOTS;
	refuse = true;
	int refused = 0;
	for (; i < N; i++) {
		r[i] = (struct rec){ .h = (uint64_t)i * 0x9e3779b97f4a7c15ull, .key = i };
		int rc = bidx_insert(&x, &r[i], r[i].h);
		if (rc == 0) {
			r[i].in = true;
			continue;
		}
		assert_int_equal(rc, -ENOMEM);
		refused++;
	}
	assert_int_equal(x.count, cap); /* filled to the last slot */
	assert_int_equal(refused, N - (int)cap);
	check(&x);
	for (int k = 0; k < N; k++)
		assert_true((find(&x, &r[k]) == &r[k]) == (k < 30 || r[k].in));
	refuse = false;
	bidx_free(&x);
	assert_int_equal(held, 0);
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
		cmocka_unit_test(test_same_hash),
		cmocka_unit_test(test_walk_remove),
		cmocka_unit_test(test_sorted),
		cmocka_unit_test(test_grow_fails),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
