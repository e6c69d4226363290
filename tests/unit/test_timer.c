/* Unit tests for src/core/timer.c */
#include "testutil.h"

struct rec {
	struct mcast_timer t;
	int id;
};

static int fired[10000];
static mcast_time_ms fired_at[10000];
static size_t nfired;
static struct mcast_wheel *W;

static void on_fire(struct mcast_timer *t, void *arg)
{
	(void)arg;
	struct rec *r = mcast_container_of(t, struct rec, t);
	fired_at[nfired] = W->now_ms;
	fired[nfired++] = r->id;
}

static void reset(struct mcast_wheel *w, mcast_time_ms now)
{
	mcast_wheel_init(w, now);
	W = w;
	nfired = 0;
}

static void test_order_and_ties(void **state)
{
	(void)state;
	struct mcast_wheel w;
	reset(&w, 1000);
	struct rec r[6];
	const mcast_time_ms when[6] = { 1500, 1200, 1500, 1001, 1200, 90000 };
	for (int i = 0; i < 6; i++) {
		mcast_timer_init(&r[i].t, on_fire, NULL);
		r[i].id = i;
		mcast_timer_start(&w, &r[i].t, when[i]);
	}
	assert_int_equal(w.count, 6);
	assert_int_equal(mcast_wheel_next(&w), 1001);
	assert_int_equal(mcast_wheel_advance(&w, 1000), 0);
	assert_int_equal(mcast_wheel_advance(&w, 1600), 5);
	/* Deadline order; equal deadlines in arming order. */
	const int want[5] = { 3, 1, 4, 0, 2 };
	for (int i = 0; i < 5; i++)
		assert_int_equal(fired[i], want[i]);
	assert_true(mcast_timer_armed(&r[5].t));
	assert_false(mcast_timer_armed(&r[0].t));
	assert_int_equal(mcast_timer_remaining(&w, &r[5].t), 90000 - 1600);
	/* The next deadline is a lower bound, exact once within 64 ms. */
	mcast_time_ms next = mcast_wheel_next(&w);
	assert_true(next <= 90000 && next > 1600);
	while (mcast_wheel_next(&w) != 90000) {
		assert_int_equal(mcast_wheel_advance(&w, mcast_wheel_next(&w)), 0);
	}
	assert_int_equal(mcast_wheel_advance(&w, 90000), 1);
	assert_int_equal(fired[5], 5);
	assert_int_equal(mcast_wheel_next(&w), MCAST_TIME_NEVER);
	assert_int_equal(w.count, 0);
}

static void test_stop_restart(void **state)
{
	(void)state;
	struct mcast_wheel w;
	reset(&w, 0);
	struct rec a = { .id = 1 }, b = { .id = 2 };
	mcast_timer_init(&a.t, on_fire, NULL);
	mcast_timer_init(&b.t, on_fire, NULL);
	mcast_timer_start(&w, &a.t, 100);
	mcast_timer_start(&w, &b.t, 100);
	mcast_timer_stop(&w, &a.t);
	mcast_timer_stop(&w, &a.t); /* idempotent */
	mcast_timer_start(&w, &b.t, 5000); /* re-arm moves it */
	assert_int_equal(w.count, 1);
	assert_int_equal(mcast_wheel_advance(&w, 4999), 0);
	assert_int_equal(mcast_wheel_advance(&w, 5000), 1);
	assert_int_equal(fired[0], 2);
	assert_int_equal(w.occupied[0] | w.occupied[1] | w.occupied[2], 0);
	/* A deadline in the past fires at the next advance, not at start. */
	mcast_timer_start(&w, &a.t, 10);
	assert_int_equal(nfired, 1);
	assert_int_equal(mcast_wheel_next(&w), 5000);
	assert_int_equal(mcast_wheel_advance(&w, 5000), 1);
	assert_int_equal(fired[1], 1);
}

/* Callbacks may stop other due timers and arm new ones. */
static struct rec chain[3];
static void on_fire_chain(struct mcast_timer *t, void *arg)
{
	(void)arg;
	on_fire(t, NULL);
	struct rec *r = mcast_container_of(t, struct rec, t);
	if (r->id == 0) {
		mcast_timer_stop(W, &chain[1].t);       /* due in this batch */
		mcast_timer_start(W, &chain[2].t, W->now_ms); /* due now */
	}
}

static void test_reentrancy(void **state)
{
	(void)state;
	struct mcast_wheel w;
	reset(&w, 0);
	for (int i = 0; i < 3; i++) {
		mcast_timer_init(&chain[i].t, on_fire_chain, NULL);
		chain[i].id = i;
	}
	mcast_timer_start(&w, &chain[0].t, 50);
	mcast_timer_start(&w, &chain[1].t, 50);
	assert_int_equal(mcast_wheel_advance(&w, 60), 2);
	assert_int_equal(fired[0], 0);
	assert_int_equal(fired[1], 2);
	assert_int_equal(w.count, 0);
}

/* Random deadlines over many levels fire exactly once, at their
 * deadline when advanced 1 ms at a time near them, in sorted order. */
static void test_random_vs_sorted(void **state)
{
	(void)state;
	static struct rec r[3000];
	struct mcast_wheel w;
	reset(&w, 123456);
	struct mcast_rng rng;
	mcast_rng_seed(&rng, 3);
	for (int i = 0; i < 3000; i++) {
		mcast_timer_init(&r[i].t, on_fire, NULL);
		r[i].id = i;
		uint64_t span = (i % 3 == 0) ? 100 : (i % 3 == 1) ? 100000 : 50000000;
		mcast_timer_start(&w, &r[i].t, 123456 + 1 + mcast_rng_below(&rng, span));
	}
	/* Stop a third of them. */
	for (int i = 0; i < 3000; i += 3)
		mcast_timer_stop(&w, &r[i].t);
	size_t expect_n = w.count;
	/* Jump by irregular steps, using next() as a driver would. */
	while (w.count) {
		mcast_time_ms next = mcast_wheel_next(&w);
		assert_true(next != MCAST_TIME_NEVER);
		mcast_wheel_advance(&w, next + (next % 7 == 0 ? 3 : 0));
	}
	assert_int_equal(nfired, expect_n);
	for (size_t i = 0; i < nfired; i++) {
		const struct rec *x = &r[fired[i]];
		assert_true(fired[i] % 3 != 0);
		/* Each callback runs at exactly its deadline. */
		assert_int_equal(fired_at[i], x->t.deadline_ms);
		if (i) {
			const struct rec *p = &r[fired[i - 1]];
			assert_true(p->t.deadline_ms < x->t.deadline_ms ||
				    (p->t.deadline_ms == x->t.deadline_ms && p->t.seq < x->t.seq) ||
				    fired_at[i - 1] < fired_at[i]);
		}
	}
}

/* One big jump fires everything in (deadline, seq) order. */
static void test_big_jump(void **state)
{
	(void)state;
	static struct rec r[500];
	struct mcast_wheel w;
	reset(&w, 0);
	for (int i = 0; i < 500; i++) {
		mcast_timer_init(&r[i].t, on_fire, NULL);
		r[i].id = i;
		mcast_timer_start(&w, &r[i].t, (mcast_time_ms)((i * 7919) % 100000) + 1);
	}
	assert_int_equal(mcast_wheel_advance(&w, 1ull << 40), 500);
	for (int i = 1; i < 500; i++)
		assert_true(r[fired[i - 1]].t.deadline_ms <= r[fired[i]].t.deadline_ms);
	for (int i = 0; i < 500; i++)
		assert_int_equal(fired_at[i], r[fired[i]].t.deadline_ms);
	assert_int_equal(w.now_ms, 1ull << 40);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_order_and_ties),
		cmocka_unit_test(test_stop_restart),
		cmocka_unit_test(test_reentrancy),
		cmocka_unit_test(test_random_vs_sorted),
		cmocka_unit_test(test_big_jump),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
