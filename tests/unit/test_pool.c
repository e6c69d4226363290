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

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_pool),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
