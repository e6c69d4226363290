/* Unit tests for src/core/htab.c */
#include "testutil.h"

struct ent {
	struct mcast_hnode node;
	struct mcast_addr key;
	int value;
};

static struct ent *lookup(struct mcast_htab *t, const struct mcast_addr *k, uint64_t seed)
{
	uint64_t h = mcast_addr_hash(k, seed);
	for (struct mcast_hnode *n = mcast_htab_first(t, h); n; n = mcast_htab_next(n)) {
		struct ent *e = mcast_container_of(n, struct ent, node);
		if (mcast_addr_eq(&e->key, k))
			return e;
	}
	return NULL;
}

static void count_fn(struct mcast_hnode *n, void *arg)
{
	(void)n;
	(*(size_t *)arg)++;
}

static void test_insert_lookup_remove(void **state)
{
	(void)state;
	enum { N = 20000 };
	static struct ent e[N];
	struct mcast_htab t;
	const uint64_t seed = 0x1234;
	assert_int_equal(mcast_htab_init(&t, &mcast_alloc_libc, 0), 0);
	assert_int_equal(t.mask + 1, 16);
	for (int i = 0; i < N; i++) {
		mcast_addr_from_u32(&e[i].key, 0xe0000000u + (uint32_t)i * 3);
		e[i].value = i;
		assert_int_equal(mcast_htab_insert(&t, &e[i].node, mcast_addr_hash(&e[i].key, seed)), 0);
	}
	assert_int_equal(t.count, N);
	assert_true(t.mask + 1 >= N); /* load factor at most 1 */
	for (int i = 0; i < N; i++) {
		struct ent *x = lookup(&t, &e[i].key, seed);
		assert_non_null(x);
		assert_int_equal(x->value, i);
	}
	struct mcast_addr missing;
	mcast_addr_from_u32(&missing, 0xe0000001u);
	assert_null(lookup(&t, &missing, seed));
	for (int i = 0; i < N; i += 2)
		mcast_htab_remove(&t, &e[i].node);
	assert_int_equal(t.count, N / 2);
	for (int i = 0; i < N; i++)
		assert_true((lookup(&t, &e[i].key, seed) != NULL) == (i % 2 == 1));
	size_t walked = 0;
	mcast_htab_walk(&t, count_fn, &walked);
	assert_int_equal(walked, N / 2);
	mcast_htab_free(&t);
}

/* Equal hashes (a collision) are told apart by the key. */
static void test_collisions(void **state)
{
	(void)state;
	struct mcast_htab t;
	struct ent a = { .key = A("239.0.0.1"), .value = 1 }, b = { .key = A("239.0.0.2"), .value = 2 };
	mcast_htab_init(&t, &mcast_alloc_libc, 4);
	mcast_htab_insert(&t, &a.node, 77);
	mcast_htab_insert(&t, &b.node, 77);
	int seen = 0;
	for (struct mcast_hnode *n = mcast_htab_first(&t, 77); n; n = mcast_htab_next(n))
		seen += mcast_container_of(n, struct ent, node)->value;
	assert_int_equal(seen, 3);
	assert_null(mcast_htab_first(&t, 78));
	mcast_htab_remove(&t, &a.node);
	assert_ptr_equal(mcast_htab_first(&t, 77), &b.node);
	mcast_htab_free(&t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_insert_lookup_remove),
		cmocka_unit_test(test_collisions),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
