/*
 * The tests both bucket indexes pass (core/bidx.h, core/kidx.h), written
 * once: test_bidx.c and test_kidx.c include this after defining
 *
 *   IX             the index's prefix (bidx, kidx) and IX_SLOTS its slots a bucket;
 *   struct rec     with a bool `in`;
 *   ix_init(x, al) the index over the test's records with allocator al;
 *   ix_make(r, i)  record i: a key of its own, ix_order(r) == i;
 *   ix_insert(x, r), ix_remove(x, r), find(x, r), check(x).
 */
#ifndef MCAST_IDXTESTS_H
#define MCAST_IDXTESTS_H

#include "refuse.h"

#define IX_CAT2(a, b) a##_##b
#define IX_CAT(a, b) IX_CAT2(a, b)
#define IXF(f) IX_CAT(IX, f)

struct ix_walk_arg {
	struct IX *x;
	size_t seen;
};

static void ix_remove_odd(void *p, void *arg)
{
	struct ix_walk_arg *a = arg;
	struct rec *r = p;
	a->seen++;
	if (ix_order(r) % 2)
		ix_remove(a->x, r);
}

static int ix_by_order(const void *a, const void *b)
{
	int x = ix_order(*(const struct rec *const *)a), y = ix_order(*(const struct rec *const *)b);
	return (x > y) - (x < y);
}

/* A model run's step: p goes in or out, as p->in says, and the count
 * follows; now and then (and in the last 50 of steps) the whole index is
 * checked and every record of r[0..n) looked up. */
static void ix_toggle(struct IX *x, struct rec *p, size_t *in)
{
	if (p->in) {
		ix_remove(x, p);
		(*in)--;
	} else {
		assert_int_equal(ix_insert(x, p), 0);
		(*in)++;
	}
	p->in = !p->in;
}

static void ix_verify(const struct IX *x, const struct rec *r, int n, size_t in, int s, int steps)
{
	assert_int_equal(x->count, in);
	if (s % 97 == 0 || s > steps - 50) {
		check(x);
		for (int i = 0; i < n; i++)
			assert_true((find(x, &r[i]) == &r[i]) == r[i].in);
	}
}

/* Removes every third of r[0..m), from the middle of a run of one home
 * (equal hashes or keys): the others stay reachable. */
static void ix_remove_thirds(struct IX *x, struct rec *r, int m)
{
	for (int i = 0; i < m; i += 3)
		ix_remove(x, &r[i]);
	check(x);
	for (int i = 0; i < m; i++)
		assert_true((find(x, &r[i]) != NULL) == (i % 3 != 0));
}

/* Records r[0..n) made and inserted, numbered in reverse when asked. */
static void ix_fill(struct IX *x, struct rec *r, int n, bool reverse)
{
	for (int i = 0; i < n; i++) {
		ix_make(&r[i], reverse ? n - 1 - i : i);
		assert_int_equal(ix_insert(x, &r[i]), 0);
	}
}

/* The sorted list holds every record in order; a walk may remove the
 * record it is given, and sees every record once. */
static void test_walk_and_sorted(void **state)
{
	(void)state;
	enum { N = 500 };
	static struct rec r[N];
	struct IX x;
	ix_init(&x, &mcast_alloc_libc);
	ix_fill(&x, r, N, true); /* inserted in reverse order */
	size_t n;
	void **v = IXF(sorted)(&x, ix_by_order, &n);
	assert_non_null(v);
	assert_int_equal(n, N);
	for (size_t i = 0; i < n; i++)
		assert_int_equal(ix_order(v[i]), (int)i);
	IXF(sorted_free)(&x, v, n);
	struct ix_walk_arg a = { &x, 0 };
	IXF(walk)(&x, ix_remove_odd, &a);
	assert_int_equal(a.seen, N);
	assert_int_equal(x.count, N / 2);
	check(&x);
	for (int i = 0; i < N; i++)
		assert_true((find(&x, &r[i]) != NULL) == (ix_order(&r[i]) % 2 == 0));
	IXF(free)(&x);
}

/* When growing fails the index fills its free slots, then refuses with
 * -ENOMEM and changes nothing; every record stays reachable. */
static void test_grow_fails(void **state)
{
	(void)state;
	enum { N = 200 };
	static struct rec r[N];
	struct IX x;
	ix_init(&x, &refusing);
	int i = 0;
	for (; i < 30; i++) {
		ix_make(&r[i], i);
		assert_int_equal(ix_insert(&x, &r[i]), 0);
		r[i].in = true;
	}
	size_t cap = (x.mask + 1) * IX_SLOTS;
	refuse = true;
	int refused = 0;
	for (; i < N; i++) {
		ix_make(&r[i], i);
		int rc = ix_insert(&x, &r[i]);
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
		assert_true((find(&x, &r[k]) == &r[k]) == r[k].in);
	refuse = false;
	IXF(free)(&x);
	assert_int_equal(held, 0);
}

/* Growth places the records by counting each new bucket's used slots;
 * without memory for the counts it finds them in the buckets: the same
 * records found, the same checks passed, nothing held after. */
static void test_grow_without_counts(void **state)
{
	(void)state;
	enum { N = 2000 };
	static struct rec r[N];
	struct IX x;
	ix_init(&x, &no_counts);
	counts_refused = 0;
	ix_fill(&x, r, N, false);
	assert_true(counts_refused >= 8); /* it grew that often, each time without */
	check(&x);
	ix_remove_thirds(&x, r, N);
	IXF(free)(&x);
}

#endif
