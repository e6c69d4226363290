/* Unit tests for src/core/pool.c */
#include "testutil.h"

static void test_pool(void **state)
{
	(void)state;
	struct mcast_pool p;
	mcast_pool_init(&p, &mcast_alloc_libc, 40, 8, 20);
	void *objs[21];
	for (int i = 0; i < 20; i++) {
		objs[i] = mcast_pool_get(&p);
		assert_non_null(objs[i]);
		assert_int_equal(((uintptr_t)objs[i]) % 16, 0);
		memset(objs[i], 0xab, 40);
	}
	assert_null(mcast_pool_get(&p)); /* limit reached */
	assert_int_equal(p.in_use, 20);
	assert_int_equal(p.allocated, 20);
	mcast_pool_put(&p, objs[3]);
	void *again = mcast_pool_get(&p);
	assert_ptr_equal(again, objs[3]); /* reused, not allocated */
	for (int i = 0; i < 40; i++)
		assert_int_equal(((uint8_t *)again)[i], 0); /* zeroed */
	for (int i = 0; i < 20; i++)
		mcast_pool_put(&p, objs[i]);
	assert_int_equal(p.in_use, 0);
	mcast_pool_destroy(&p);
}

/* Chunks start at 8 objects and double with the pool, up to per_chunk:
 * a small pool holds little, a large one few chunks. */
static void test_pool_growth(void **state)
{
	(void)state;
	struct mcast_pool p;
	mcast_pool_init(&p, &mcast_alloc_libc, 24, 64, 0);
	assert_int_equal(p.allocated, 0); /* nothing before the first get */
	void *o = mcast_pool_get(&p);
	assert_non_null(o);
	assert_int_equal(p.allocated, 8);
	static const size_t after[] = { 8, 16, 32, 64, 128, 192, 256 };
	size_t got = 1;
	for (size_t k = 0; k < sizeof(after) / sizeof(after[0]); k++) {
		while (got < after[k]) {
			assert_non_null(mcast_pool_get(&p));
			got++;
		}
		assert_int_equal(p.allocated, after[k]);
	}
	assert_non_null(mcast_pool_get(&p)); /* 257th: a chunk of per_chunk */
	assert_int_equal(p.allocated, 320);
	mcast_pool_destroy(&p);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_pool),
		cmocka_unit_test(test_pool_growth),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
