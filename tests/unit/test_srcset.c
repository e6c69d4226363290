/* Unit tests for src/core/srcset.c: the RFC 3376 set algebra checked
 * against a brute-force model on random sets. */
#include "testutil.h"

static struct mcast_addr addr_n(unsigned n)
{
	struct mcast_addr a;
	mcast_addr_from_u32(&a, 0x0a000000u + n);
	return a;
}

/* Random sorted set from a small universe so that overlaps happen. */
static size_t rand_set(struct mcast_rng *r, struct mcast_addr *out, bool member[64])
{
	size_t n = 0;
	for (unsigned i = 0; i < 64; i++) {
		member[i] = mcast_rng_below(r, 3) == 0;
		if (member[i])
			out[n++] = addr_n(i);
	}
	return n;
}

static void expect(const struct mcast_addr *got, size_t n, const bool want[64])
{
	size_t k = 0;
	for (unsigned i = 0; i < 64; i++) {
		if (!want[i])
			continue;
		assert_true(k < n);
		struct mcast_addr x = addr_n(i);
		assert_true(mcast_addr_eq(&got[k], &x));
		k++;
	}
	assert_int_equal(k, n);
	assert_true(mcast_addrs_is_sorted(got, n));
}

static void test_algebra_vs_model(void **state)
{
	(void)state;
	struct mcast_rng r;
	mcast_rng_seed(&r, 7);
	for (int iter = 0; iter < 2000; iter++) {
		struct mcast_addr a[64], b[64], out[128];
		bool ma[64], mb[64], want[64];
		size_t na = rand_set(&r, a, ma), nb = rand_set(&r, b, mb);
		for (int i = 0; i < 64; i++)
			want[i] = ma[i] || mb[i];
		expect(out, mcast_addrs_union(a, na, b, nb, out), want);
		for (int i = 0; i < 64; i++)
			want[i] = ma[i] && mb[i];
		expect(out, mcast_addrs_intersect(a, na, b, nb, out), want);
		for (int i = 0; i < 64; i++)
			want[i] = ma[i] && !mb[i];
		expect(out, mcast_addrs_diff(a, na, b, nb, out), want);

		/* The growable set gives the same answers in place. */
		struct mcast_srcset s;
		mcast_srcset_init(&s);
		assert_int_equal(mcast_srcset_assign(&s, &mcast_alloc_libc, a, na), 0);
		assert_int_equal(mcast_srcset_union(&s, &mcast_alloc_libc, b, nb), 0);
		for (int i = 0; i < 64; i++)
			want[i] = ma[i] || mb[i];
		expect(s.v, s.n, want);
		mcast_srcset_assign(&s, &mcast_alloc_libc, a, na);
		mcast_srcset_intersect(&s, b, nb);
		for (int i = 0; i < 64; i++)
			want[i] = ma[i] && mb[i];
		expect(s.v, s.n, want);
		mcast_srcset_assign(&s, &mcast_alloc_libc, a, na);
		mcast_srcset_diff(&s, b, nb);
		for (int i = 0; i < 64; i++)
			want[i] = ma[i] && !mb[i];
		expect(s.v, s.n, want);
		mcast_srcset_free(&s, &mcast_alloc_libc);
	}
}

static void test_add_del_find(void **state)
{
	(void)state;
	struct mcast_srcset s, t;
	mcast_srcset_init(&s);
	mcast_srcset_init(&t);
	const unsigned order[] = { 5, 1, 9, 3, 7, 1, 5 };
	for (size_t i = 0; i < 7; i++) {
		struct mcast_addr x = addr_n(order[i]);
		assert_int_equal(mcast_srcset_add(&s, &mcast_alloc_libc, &x), i < 5 ? 1 : 0);
	}
	assert_int_equal(s.n, 5);
	assert_true(mcast_addrs_is_sorted(s.v, s.n));
	struct mcast_addr three = addr_n(3), four = addr_n(4);
	assert_true(mcast_srcset_has(&s, &three));
	assert_false(mcast_srcset_has(&s, &four));
	assert_int_equal(mcast_addrs_find(s.v, s.n, &three), 1);
	assert_int_equal(mcast_addrs_find(s.v, s.n, &four), -3); /* insert at 2 */
	assert_int_equal(mcast_srcset_del(&s, &three), 1);
	assert_int_equal(mcast_srcset_del(&s, &three), 0);
	assert_int_equal(s.n, 4);
	mcast_srcset_assign(&t, &mcast_alloc_libc, s.v, s.n);
	assert_true(mcast_srcset_equal(&s, &t));
	mcast_srcset_del(&t, &s.v[0]);
	assert_false(mcast_srcset_equal(&s, &t));
	mcast_srcset_free(&s, &mcast_alloc_libc);
	mcast_srcset_free(&t, &mcast_alloc_libc);
}

static void test_normalize(void **state)
{
	(void)state;
	struct mcast_addr v[6] = { A("10.0.0.9"), A("10.0.0.1"), A("10.0.0.9"), A("10.0.0.3"),
				   A("10.0.0.1"), A("10.0.0.2") };
	size_t n = mcast_addrs_normalize(v, 6);
	assert_int_equal(n, 4);
	assert_addr_equal(&v[0], "10.0.0.1");
	assert_addr_equal(&v[1], "10.0.0.2");
	assert_addr_equal(&v[2], "10.0.0.3");
	assert_addr_equal(&v[3], "10.0.0.9");
}

/* An allocator that fails on demand: sets report -ENOMEM and keep
 * their old contents. */
static int fail_after;
static void *failing_realloc(void *ctx, void *p, size_t old, size_t size)
{
	(void)ctx;
	(void)old;
	if (size == 0) {
		free(p);
		return NULL;
	}
	if (fail_after-- <= 0)
		return NULL;
	return realloc(p, size);
}

static void test_out_of_memory(void **state)
{
	(void)state;
	const struct mcast_alloc al = { failing_realloc, NULL };
	struct mcast_srcset s;
	mcast_srcset_init(&s);
	fail_after = 3; /* the room grows 1, 2, 4: three allocations for four sources */
	for (unsigned i = 0; i < 4; i++) {
		struct mcast_addr x = addr_n(i);
		assert_int_equal(mcast_srcset_add(&s, &al, &x), 1);
	}
	struct mcast_addr x = addr_n(100);
	assert_int_equal(mcast_srcset_add(&s, &al, &x), -ENOMEM);
	assert_int_equal(s.n, 4);
	struct mcast_addr more[8];
	for (unsigned i = 0; i < 8; i++)
		more[i] = addr_n(50 + i);
	assert_int_equal(mcast_srcset_union(&s, &al, more, 8), -ENOMEM);
	assert_int_equal(s.n, 4);
	for (unsigned i = 0; i < 4; i++) {
		struct mcast_addr y = addr_n(i);
		assert_true(mcast_srcset_has(&s, &y));
	}
	/* reserved room: union and assign within it never ask the allocator */
	fail_after = 1;
	assert_int_equal(mcast_srcset_reserve(&s, &al, 20), 0); /* n + no of both unions below */
	fail_after = 0;
	assert_int_equal(mcast_srcset_union(&s, &al, more, 8), 0);
	assert_int_equal(s.n, 12);
	for (unsigned i = 1; i < s.n; i++)
		assert_true(mcast_addr_cmp(&s.v[i - 1], &s.v[i]) < 0);
	assert_int_equal(mcast_srcset_union(&s, &al, more, 8), 0); /* all present: still 12 */
	assert_int_equal(s.n, 12);
	assert_int_equal(mcast_srcset_assign(&s, &al, more, 8), 0);
	assert_int_equal(s.n, 8);
	fail_after = 1;
	mcast_srcset_free(&s, &al);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_algebra_vs_model),
		cmocka_unit_test(test_add_del_find),
		cmocka_unit_test(test_normalize),
		cmocka_unit_test(test_out_of_memory),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
