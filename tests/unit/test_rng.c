/* Unit tests for src/core/rng.c */
#include "testutil.h"

static void test_rng(void **state)
{
	(void)state;
	struct mcast_rng a, b;
	mcast_rng_seed(&a, 99);
	mcast_rng_seed(&b, 99);
	for (int i = 0; i < 100; i++)
		assert_int_equal(mcast_rng_next(&a), mcast_rng_next(&b));
	mcast_rng_seed(&b, 100);
	assert_int_not_equal(mcast_rng_next(&a), mcast_rng_next(&b));
	unsigned hist[10] = { 0 };
	for (int i = 0; i < 10000; i++) {
		uint64_t x = mcast_rng_below(&a, 10);
		assert_true(x < 10);
		hist[x]++;
	}
	for (int i = 0; i < 10; i++)
		assert_in_range(hist[i], 850, 1150);
	assert_int_equal(mcast_rng_below(&a, 0), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_rng),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
