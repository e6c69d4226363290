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
		assert_int_equal(((uintptr_t)objs[i]) % 8, 0);
		if (i % 8) /* carved one after another in a chunk of 8: no padding */
			assert_int_equal((char *)objs[i] - (char *)objs[i - 1], 40);
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

static int cmp_ptr(const void *a, const void *b)
{
	uintptr_t x = (uintptr_t) * (void *const *)a, y = (uintptr_t) * (void *const *)b;
	return (x > y) - (x < y);
}

/* Freed objects are handed out again before a chunk's untouched ones,
 * and the objects live at once are always distinct, across chunks. */
static void test_pool_reuse_then_carve(void **state)
{
	(void)state;
	struct mcast_pool p;
	mcast_pool_init(&p, &mcast_alloc_libc, 48, 32, 0);
	void *live[200];
	size_t n = 0;
	for (; n < 100; n++)
		live[n] = mcast_pool_get(&p);
	size_t alloc_before = p.allocated;
	void *freed[34];
	size_t nf = 0;
	for (size_t i = 0; i < 100; i += 3)
		mcast_pool_put(&p, freed[nf++] = live[i]);
	size_t k = 0;
	for (size_t i = 0; i < 100; i++)
		if (i % 3)
			live[k++] = live[i];
	n = k;
	for (size_t i = 0; i < nf; i++) {
		void *o = mcast_pool_get(&p);
		assert_ptr_equal(o, freed[nf - 1 - i]); /* last freed, first reused */
		live[n++] = o;
	}
	assert_int_equal(p.allocated, alloc_before); /* no chunk for them */
	for (int i = 0; i < 60; i++)
		live[n++] = mcast_pool_get(&p);
	assert_int_equal(p.in_use, n);
	qsort(live, n, sizeof(live[0]), cmp_ptr);
	for (size_t i = 1; i < n; i++)
		assert_true((uintptr_t)live[i] >= (uintptr_t)live[i - 1] + p.obj_size);
	mcast_pool_destroy(&p);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_pool),
		cmocka_unit_test(test_pool_growth),
		cmocka_unit_test(test_pool_reuse_then_carve),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
