/* Unit tests for src/core/timer.c */
#include "refuse.h"
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
		assert_int_equal(fired_at[i], x->t.node.deadline_ms);
		if (i) {
			const struct rec *p = &r[fired[i - 1]];
			assert_true(p->t.node.deadline_ms < x->t.node.deadline_ms ||
				    (p->t.node.deadline_ms == x->t.node.deadline_ms && p->t.seq < x->t.seq) ||
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
		assert_true(r[fired[i - 1]].t.node.deadline_ms <= r[fired[i]].t.node.deadline_ms);
	for (int i = 0; i < 500; i++)
		assert_int_equal(fired_at[i], r[fired[i]].t.node.deadline_ms);
	assert_int_equal(w.now_ms, 1ull << 40);
}

/* ---- the lean wheel ---------------------------------------------------- */

struct lrec {
	struct mcast_tnode n;
	int id;
	int key;            /* the tie order */
	mcast_time_ms want; /* the deadline it must fire at, 0 = none */
};

static struct mcast_lean_wheel *LW;
static struct lrec *lstop; /* a node the next callback stops */

static bool lrec_before(const struct mcast_tnode *a, const struct mcast_tnode *b)
{
	return mcast_container_of(a, struct lrec, n)->key < mcast_container_of(b, struct lrec, n)->key;
}

static void on_lean(struct mcast_tnode *n, void *arg)
{
	assert_ptr_equal(arg, LW);
	struct lrec *r = mcast_container_of(n, struct lrec, n);
	fired_at[nfired] = W->now_ms;
	fired[nfired++] = r->id;
	char why[200];
	if (mcast_lean_check(LW, why, sizeof(why)) < 0)
		fail_msg("in a callback: %s", why);
	if (lstop) {
		mcast_lean_stop(LW, &lstop->n);
		lstop = NULL;
	}
}

/* A wheel at now and a lean wheel on it (ties in list order). */
static void lean_setup(struct mcast_wheel *w, struct mcast_lean_wheel *lw, mcast_time_ms now)
{
	reset(w, now);
	LW = lw;
	mcast_lean_init(lw, w, &mcast_alloc_libc, on_lean, NULL, lw);
}

static void lean_ok(const struct mcast_lean_wheel *lw)
{
	char why[200];
	if (mcast_lean_check(lw, why, sizeof(why)) < 0)
		fail_msg("%s", why);
}

/* Nodes fire exactly at their deadlines through the driver's wheel, in
 * deadline then `before` order; re-arming moves a node, stopping removes
 * it; the levels exist only while a node is armed. */
static void test_lean_order(void **state)
{
	(void)state;
	struct mcast_wheel w;
	struct mcast_lean_wheel lw;
	reset(&w, 1000);
	LW = &lw;
	held = 0;
	mcast_lean_init(&lw, &w, &refusing, on_lean, lrec_before, &lw);
	assert_null(lw.lv);
	struct lrec r[6];
	const mcast_time_ms when[6] = { 1500, 1200, 1500, 1001, 1200, 90000 };
	const int key[6] = { 5, 4, 3, 2, 1, 0 };
	assert_int_equal(mcast_lean_reserve(&lw), 0);
	assert_int_equal(held, sizeof(*lw.lv));
	for (int i = 0; i < 6; i++) {
		r[i] = (struct lrec){ .id = i, .key = key[i] };
		mcast_lean_start(&lw, &r[i].n, when[i] + 7);
		lean_ok(&lw);
	}
	for (int i = 0; i < 6; i++)
		mcast_lean_start(&lw, &r[i].n, when[i]); /* moved earlier */
	assert_int_equal(lw.count, 6);
	lean_ok(&lw);
	assert_int_equal(mcast_wheel_next(&w), 1001);
	assert_true(mcast_wheel_advance(&w, 1600) >= 3); /* the driving timer: 1001, 1200, 1500 and where levels cascade */
	const int want[5] = { 3, 4, 1, 2, 0 }; /* equal deadlines by key */
	assert_int_equal(nfired, 5);
	for (int i = 0; i < 5; i++) {
		assert_int_equal(fired[i], want[i]);
		assert_int_equal(fired_at[i], when[want[i]]);
	}
	assert_true(mcast_tnode_armed(&r[5].n));
	assert_false(mcast_tnode_armed(&r[0].n));
	lean_ok(&lw);
	/* the last node re-armed, then stopped: the levels go at the next turn */
	mcast_lean_start(&lw, &r[5].n, 2000);
	mcast_lean_stop(&lw, &r[5].n);
	mcast_lean_stop(&lw, &r[5].n); /* idempotent */
	assert_non_null(lw.lv);
	lean_ok(&lw);
	assert_int_equal(mcast_wheel_advance(&w, 1600), 1);
	assert_null(lw.lv);
	assert_int_equal(held, 0);
	assert_int_equal(mcast_wheel_advance(&w, 100000), 0);
	assert_int_equal(nfired, 5);
	assert_int_equal(w.count, 0);
	/* no room: refused, nothing changed */
	refuse = true;
	assert_int_equal(mcast_lean_reserve(&lw), -ENOMEM);
	refuse = false;
	assert_null(lw.lv);
	lean_ok(&lw);
	assert_int_equal(mcast_lean_reserve(&lw), 0);
	mcast_lean_start(&lw, &r[0].n, 100500);
	mcast_lean_destroy(&lw);
	assert_int_equal(held, 0);
	assert_int_equal(w.count, 0);
}

/* Against a model: thousands of nodes started, re-armed (earlier and
 * later), stopped, some from callbacks, the driver stepping by next()
 * with irregular overshoots and one clock jump: each node fires once,
 * at its last deadline (or at the jump's time), never when stopped. */
static void test_lean_model(void **state)
{
	(void)state;
	enum { N = 3000 };
	static struct lrec r[N];
	struct mcast_wheel w;
	struct mcast_lean_wheel lw;
	reset(&w, 123456);
	LW = &lw;
	mcast_lean_init(&lw, &w, &mcast_alloc_libc, on_lean, lrec_before, &lw);
	struct mcast_rng rng;
	mcast_rng_seed(&rng, 7);
	assert_int_equal(mcast_lean_reserve(&lw), 0);
	for (int i = 0; i < N; i++) {
		r[i] = (struct lrec){ .id = i, .key = i };
		uint64_t span = (i % 3 == 0) ? 100 : (i % 3 == 1) ? 300000 : 50000000;
		r[i].want = w.now_ms + 1 + mcast_rng_below(&rng, (uint32_t)span);
		mcast_lean_start(&lw, &r[i].n, r[i].want);
	}
	for (int i = 0; i < N; i += 5) { /* a fifth stopped */
		mcast_lean_stop(&lw, &r[i].n);
		r[i].want = 0;
	}
	for (int i = 1; i < N; i += 7) { /* some re-armed */
		if (!r[i].want)
			continue;
		r[i].want = w.now_ms + 1 + mcast_rng_below(&rng, 1000000);
		mcast_lean_start(&lw, &r[i].n, r[i].want);
	}
	lean_ok(&lw);
	mcast_time_ms jump_at = 0;
	size_t rounds = 0;
	while (lw.count) {
		mcast_time_ms next = mcast_wheel_next(&w);
		assert_true(next != MCAST_TIME_NEVER);
		if (++rounds == 200) {
			jump_at = next + 400000; /* the clock jumped */
			mcast_wheel_jump(&w, jump_at);
		} else {
			mcast_wheel_advance(&w, next + (next % 7 == 0 ? 3 : 0));
		}
		lean_ok(&lw);
		if (rounds % 50 == 0) { /* re-arm a pending one, stop another, from outside */
			for (int i = 0, done = 0; i < N && done < 2; i++)
				if (r[i].want && r[i].want > w.now_ms + 10) {
					if (done++ == 0) {
						r[i].want = w.now_ms + 5;
						mcast_lean_start(&lw, &r[i].n, r[i].want);
					} else {
						r[i].want = 0;
						mcast_lean_stop(&lw, &r[i].n);
					}
				}
			lean_ok(&lw);
		}
	}
	static bool seen[N];
	memset(seen, 0, sizeof(seen));
	size_t expect = 0;
	for (int i = 0; i < N; i++)
		expect += r[i].want != 0;
	assert_int_equal(nfired, expect);
	for (size_t k = 0; k < nfired; k++) {
		const struct lrec *x = &r[fired[k]];
		assert_false(seen[x->id]);
		seen[x->id] = true;
		assert_true(x->want != 0);
		if (fired_at[k] == jump_at && x->want <= jump_at)
			continue; /* fired by the jump, at its time */
		assert_int_equal(fired_at[k], x->want);
		if (k && fired_at[k - 1] == fired_at[k] && r[fired[k - 1]].want == x->want)
			assert_true(r[fired[k - 1]].key < x->key);
	}
	assert_null(lw.lv);
	assert_int_equal(w.count, 0);
}

/* A callback may stop a node due in its own batch, and arm one due now:
 * the stopped one never fires, the armed one fires in the same turn. */
static void test_lean_reentrancy(void **state)
{
	(void)state;
	struct mcast_wheel w;
	struct mcast_lean_wheel lw;
	lean_setup(&w, &lw, 0);
	struct lrec r[3] = { { .id = 0 }, { .id = 1 }, { .id = 2 } };
	assert_int_equal(mcast_lean_reserve(&lw), 0);
	mcast_lean_start(&lw, &r[0].n, 50);
	mcast_lean_start(&lw, &r[1].n, 50);
	lstop = &r[1]; /* whichever fires first stops r[1] (or itself, already unlinked) */
	assert_int_equal(mcast_wheel_advance(&w, 60), 1);
	assert_true(nfired == 1 || nfired == 2);
	assert_false(mcast_tnode_armed(&r[0].n));
	assert_false(mcast_tnode_armed(&r[1].n));
	assert_int_equal(lw.count, 0);
	assert_null(lw.lv);
}

/* The check names what is damaged. */
static void test_lean_check(void **state)
{
	(void)state;
	struct mcast_wheel w;
	struct mcast_lean_wheel lw;
	lean_setup(&w, &lw, 0);
	struct lrec a = { .id = 0 }, b = { .id = 1 };
	assert_int_equal(mcast_lean_reserve(&lw), 0);
	mcast_lean_start(&lw, &a.n, 5000);
	mcast_lean_start(&lw, &b.n, 70);
	lean_ok(&lw);
	char why[200];
	a.n.deadline_ms = 9000000; /* filed where its deadline does not say */
	assert_int_equal(mcast_lean_check(&lw, why, sizeof(why)), -1);
	assert_non_null(strstr(why, "filed at level"));
	a.n.deadline_ms = 5000;
	lw.count++;
	assert_int_equal(mcast_lean_check(&lw, why, sizeof(why)), -1);
	assert_non_null(strstr(why, "count says"));
	lw.count--;
	mcast_timer_start(&w, &lw.timer, 71); /* later than its earliest node */
	assert_int_equal(mcast_lean_check(&lw, why, sizeof(why)), -1);
	assert_non_null(strstr(why, "not armed by its earliest"));
	mcast_timer_start(&w, &lw.timer, 70);
	lw.lv->occupied[3] |= 1; /* an empty slot marked occupied */
	assert_int_equal(mcast_lean_check(&lw, why, sizeof(why)), -1);
	assert_non_null(strstr(why, "occupied bit wrong"));
	lw.lv->occupied[3] &= ~1ull;
	lean_ok(&lw);
	mcast_lean_destroy(&lw);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_order_and_ties),
		cmocka_unit_test(test_stop_restart),
		cmocka_unit_test(test_reentrancy),
		cmocka_unit_test(test_random_vs_sorted),
		cmocka_unit_test(test_big_jump),
		cmocka_unit_test(test_lean_order),
		cmocka_unit_test(test_lean_model),
		cmocka_unit_test(test_lean_reentrancy),
		cmocka_unit_test(test_lean_check),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
