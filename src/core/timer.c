/*
 * DOC: timer wheel
 *
 * Records keep absolute deadlines in an embedded struct mcast_timer; the
 * wheel indexes them so that the driver needs one OS timer. Levels have
 * 64 slots of 64^L ms each. A timer sits at the level of the highest
 * 6-bit digit in which its deadline differs from the wheel's time, in
 * the slot of that digit of its deadline. Invariant: at level L every
 * timer's digits above L equal those of now_ms and its digit L is
 * greater than now_ms's. Advancing time empties the slots whose digit
 * range was crossed and re-files their timers one level lower (or onto
 * the due list), so each timer moves at most once per level.
 *
 * Advancing steps from deadline to deadline: each callback sees now_ms
 * equal to its own deadline. Timers due at one instant fire in batches
 * sorted by (deadline, arming order); timers armed into the past by a
 * callback fire in the next batch. Same inputs, same firing order.
 *
 * A lean wheel has the same levels (16 slots each, allocated while it
 * holds a node) over bare nodes of one kind, and one timer in the wheel
 * above, armed at or before its earliest node, that steps it. A record
 * with one deadline among millions (a router's group) carries 24 bytes
 * instead of 48: one callback and argument serve the whole kind, and
 * equal deadlines are ordered by the owner's rule (a group's address)
 * instead of an arming number.
 */
#include <errno.h>
#include <string.h>

#include "core/check.h"
#include "mcast/core.h"

/* ---- levels: what the wheel and the lean wheel share ------------------- */

/* A wheel's levels seen with their geometry: `bits` per level (64 or 16
 * slots), `levels` of them, slots stored level after level. The
 * functions below are inlined with constant geometry. */
struct lv {
	uint64_t *occ;
	struct mcast_tnode **slot;
	struct mcast_tnode **due;
	unsigned bits, levels;
};

static inline struct lv main_lv(struct mcast_wheel *w)
{
	return (struct lv){ w->occupied, &w->slot[0][0], &w->due, MCAST_WHEEL_BITS, MCAST_WHEEL_LEVELS };
}

static inline struct lv lean_lv(struct mcast_lean_levels *l)
{
	return (struct lv){ l->occupied, &l->slot[0][0], &l->due, MCAST_LEAN_BITS, MCAST_LEAN_LEVELS };
}

static void list_push(struct mcast_tnode **head, struct mcast_tnode *t)
{
	t->next = *head;
	if (t->next)
		t->next->pprev = &t->next;
	*head = t;
	t->pprev = head;
}

static void list_unlink(struct mcast_tnode *t)
{
	*t->pprev = t->next;
	if (t->next)
		t->next->pprev = t->pprev;
	t->next = NULL;
	t->pprev = NULL;
}

static inline unsigned node_level(const struct lv *l, mcast_time_ms deadline, mcast_time_ms now)
{
	return (unsigned)(63 - __builtin_clzll(deadline ^ now)) / l->bits;
}

static inline unsigned node_slot(const struct lv *l, mcast_time_ms deadline, unsigned level)
{
	return (unsigned)(deadline >> (level * l->bits)) & ((1u << l->bits) - 1);
}

/* Files an armed-but-unlinked node relative to now. */
static inline void file_node(const struct lv *l, mcast_time_ms now, struct mcast_tnode *t)
{
	if (t->deadline_ms <= now) {
		list_push(l->due, t);
		return;
	}
	unsigned level = node_level(l, t->deadline_ms, now);
	unsigned slot = node_slot(l, t->deadline_ms, level);
	list_push(&l->slot[(level << l->bits) + slot], t);
	l->occ[level] |= 1ull << slot;
}

/* Clears the occupied bit when t was the last node of its slot. */
static inline void unlink_node(const struct lv *l, struct mcast_tnode *t)
{
	struct mcast_tnode **pp = t->pprev;
	list_unlink(t);
	/* pp points into the slot array only when t was a slot's head. */
	uintptr_t base = (uintptr_t)l->slot;
	uintptr_t end = (uintptr_t)&l->slot[(l->levels << l->bits) - 1];
	uintptr_t p = (uintptr_t)pp;
	if (p >= base && p <= end && *pp == NULL) {
		size_t idx = (size_t)(pp - l->slot);
		l->occ[idx >> l->bits] &= ~(1ull << (idx & ((1u << l->bits) - 1)));
	}
}

/* Moves the levels from *now to time t, re-filing the nodes of every
 * slot whose range was crossed. */
static inline void step_levels(const struct lv *l, mcast_time_ms *now, mcast_time_ms t)
{
	if (t <= *now)
		return;
	const unsigned slots = 1u << l->bits;
	const uint64_t all = slots == 64 ? ~0ull : (1ull << slots) - 1;
	struct mcast_tnode *moved = NULL;
	for (unsigned level = 0; level < l->levels; level++) {
		uint64_t n = *now >> (level * l->bits);
		uint64_t e = t >> (level * l->bits);
		if (n == e)
			break;
		uint64_t mask;
		if (e - n >= slots) {
			mask = all;
		} else {
			unsigned start = (unsigned)(n + 1) & (slots - 1);
			unsigned cnt = (unsigned)(e - n);
			uint64_t run = (1ull << cnt) - 1;
			mask = start ? ((run << start) | (run >> (slots - start))) & all : run;
		}
		uint64_t hit = l->occ[level] & mask;
		while (hit) {
			unsigned sl = (unsigned)__builtin_ctzll(hit);
			hit &= hit - 1;
			struct mcast_tnode **head = &l->slot[(level << l->bits) + sl];
			struct mcast_tnode *x = *head;
			*head = NULL;
			l->occ[level] &= ~(1ull << sl);
			while (x) {
				struct mcast_tnode *nx = x->next;
				x->next = moved;
				moved = x;
				x = nx;
			}
		}
	}
	*now = t;
	while (moved) {
		struct mcast_tnode *nx = moved->next;
		file_node(l, t, moved);
		moved = nx;
	}
}

/* A time at or before the earliest node, exact when that node is in
 * level 0; MCAST_TIME_NEVER when there is none. */
static inline mcast_time_ms next_of(const struct lv *l, mcast_time_ms now)
{
	if (*l->due)
		return now;
	for (unsigned level = 0; level < l->levels; level++) {
		if (!l->occ[level])
			continue;
		unsigned s = (unsigned)__builtin_ctzll(l->occ[level]);
		unsigned up = (level + 1) * l->bits;
		uint64_t base = up >= 64 ? 0 : (now >> up) << up;
		return base | ((uint64_t)s << (level * l->bits));
	}
	return MCAST_TIME_NEVER;
}

/* Ties of the wheel's timers: arming order (its nodes are its timers'
 * first members). */
static bool seq_before(const struct mcast_tnode *a, const struct mcast_tnode *b)
{
	return ((const struct mcast_timer *)a)->seq < ((const struct mcast_timer *)b)->seq;
}

static bool node_before(const struct mcast_tnode *a, const struct mcast_tnode *b, mcast_lean_before_fn tie)
{
	if (a->deadline_ms != b->deadline_ms)
		return a->deadline_ms < b->deadline_ms;
	return tie && tie(a, b);
}

/* Stable merge sort of a singly linked list by deadline, then tie();
 * no allocation. */
static struct mcast_tnode *sort_list(struct mcast_tnode *head, mcast_lean_before_fn tie)
{
	if (!head || !head->next)
		return head;
	struct mcast_tnode *slow = head, *fast = head->next;
	while (fast && fast->next) {
		slow = slow->next;
		fast = fast->next->next;
	}
	struct mcast_tnode *b = slow->next;
	slow->next = NULL;
	struct mcast_tnode *a = sort_list(head, tie);
	b = sort_list(b, tie);
	struct mcast_tnode *out = NULL, **tail = &out;
	while (a && b) {
		if (node_before(b, a, tie)) {
			*tail = b;
			b = b->next;
		} else {
			*tail = a;
			a = a->next;
		}
		tail = &(*tail)->next;
	}
	*tail = a ? a : b;
	return out;
}

/* Takes the due list as one batch in firing order, its pprev links
 * remade so that callbacks can stop batch members. */
static struct mcast_tnode *take_due(struct mcast_tnode **due, mcast_lean_before_fn tie,
				    struct mcast_tnode **batch)
{
	*batch = sort_list(*due, tie);
	*due = NULL;
	struct mcast_tnode **pp = batch;
	for (struct mcast_tnode *x = *batch; x; x = x->next) {
		x->pprev = pp;
		pp = &x->next;
	}
	return *batch;
}

/* ---- the wheel ---------------------------------------------------------- */

void mcast_wheel_init(struct mcast_wheel *w, mcast_time_ms now_ms)
{
	memset(w, 0, sizeof(*w));
	w->now_ms = now_ms;
}

void mcast_timer_init(struct mcast_timer *t, mcast_timer_fn fn, void *arg)
{
	memset(t, 0, sizeof(*t));
	t->fn = fn;
	t->arg = arg;
}

void mcast_timer_start(struct mcast_wheel *w, struct mcast_timer *t, mcast_time_ms deadline_ms)
{
	struct lv l = main_lv(w);
	if (t->node.pprev)
		unlink_node(&l, &t->node);
	else
		w->count++;
	t->node.deadline_ms = deadline_ms;
	t->seq = w->next_seq++;
	file_node(&l, w->now_ms, &t->node);
}

void mcast_timer_stop(struct mcast_wheel *w, struct mcast_timer *t)
{
	if (!t->node.pprev)
		return;
	struct lv l = main_lv(w);
	unlink_node(&l, &t->node);
	w->count--;
}

mcast_time_ms mcast_timer_remaining(const struct mcast_wheel *w, const struct mcast_timer *t)
{
	if (!t->node.pprev || t->node.deadline_ms <= w->now_ms)
		return 0;
	return t->node.deadline_ms - w->now_ms;
}

/* Fires the due list in (deadline, seq) batches. */
static size_t fire_due(struct mcast_wheel *w)
{
	size_t fired = 0;
	while (w->due) {
		struct mcast_tnode *batch;
		take_due(&w->due, seq_before, &batch);
		while (batch) {
			struct mcast_timer *t = (struct mcast_timer *)batch;
			list_unlink(batch);
			w->count--;
			fired++;
			t->fn(t, t->arg);
		}
	}
	return fired;
}

size_t mcast_wheel_advance(struct mcast_wheel *w, mcast_time_ms now_ms)
{
	/* Step from deadline to deadline, so that each callback runs with
	 * now_ms equal to its own deadline and what it arms relative to
	 * "now" lands where it would in real time, whatever the size of the
	 * driver's step. */
	size_t fired = fire_due(w);
	/* Time not moving (a driver flushing what is due now): every timer
	 * in the slots is later than now_ms (the invariant), nothing more. */
	if (now_ms <= w->now_ms)
		return fired;
	struct lv l = main_lv(w);
	for (;;) {
		mcast_time_ms next = mcast_wheel_next(w);
		if (next == MCAST_TIME_NEVER || next > now_ms)
			break;
		step_levels(&l, &w->now_ms, next);
		fired += fire_due(w);
	}
	step_levels(&l, &w->now_ms, now_ms);
	return fired;
}

size_t mcast_wheel_jump(struct mcast_wheel *w, mcast_time_ms now_ms)
{
	/* the step re-files every timer of the crossed slots: those due by
	 * now_ms land on the due list and fire with now_ms as their time */
	struct lv l = main_lv(w);
	step_levels(&l, &w->now_ms, now_ms);
	return fire_due(w);
}

mcast_time_ms mcast_wheel_next(const struct mcast_wheel *w)
{
	struct lv l = main_lv((struct mcast_wheel *)w);
	return next_of(&l, w->now_ms);
}

/* ---- the lean wheel ----------------------------------------------------- */

static void lean_free_levels(struct mcast_lean_wheel *lw)
{
	if (!lw->lv)
		return;
	mcast_alloc_free(lw->al, lw->lv, sizeof(*lw->lv));
	lw->lv = NULL;
}

/* The driving timer: brings the levels to the wheel's time, fires what
 * is due (callbacks may arm nodes, due ones fire in a next batch), then
 * re-arms at the next node, or frees the levels when none is left. */
static void lean_fired(struct mcast_timer *t, void *arg)
{
	(void)t;
	struct mcast_lean_wheel *lw = arg;
	if (lw->count) {
		struct lv l = lean_lv(lw->lv);
		lw->firing = true;
		step_levels(&l, &lw->now_ms, lw->w->now_ms);
		while (lw->lv->due) {
			struct mcast_tnode **batch = &lw->lv->batch;
			take_due(&lw->lv->due, lw->before, batch);
			while (*batch) {
				struct mcast_tnode *n = *batch;
				list_unlink(n);
				lw->count--;
				lw->fn(n, lw->arg);
			}
		}
		lw->firing = false;
	}
	if (!lw->count) {
		lean_free_levels(lw);
		return;
	}
	struct lv l = lean_lv(lw->lv);
	mcast_timer_start(lw->w, &lw->timer, next_of(&l, lw->now_ms));
}

void mcast_lean_init(struct mcast_lean_wheel *lw, struct mcast_wheel *w, const struct mcast_alloc *al,
		     mcast_lean_fn fn, mcast_lean_before_fn before, void *arg)
{
	memset(lw, 0, sizeof(*lw));
	mcast_timer_init(&lw->timer, lean_fired, lw);
	lw->w = w;
	lw->al = al;
	lw->fn = fn;
	lw->before = before;
	lw->arg = arg;
}

int mcast_lean_reserve(struct mcast_lean_wheel *lw)
{
	if (lw->lv)
		return 0;
	lw->lv = mcast_alloc_get(lw->al, sizeof(*lw->lv));
	if (!lw->lv)
		return -ENOMEM;
	memset(lw->lv, 0, sizeof(*lw->lv));
	lw->now_ms = lw->w->now_ms;
	return 0;
}

void mcast_lean_start(struct mcast_lean_wheel *lw, struct mcast_tnode *n, mcast_time_ms deadline_ms)
{
	struct lv l = lean_lv(lw->lv);
	if (n->pprev)
		unlink_node(&l, n);
	else
		lw->count++;
	n->deadline_ms = deadline_ms;
	file_node(&l, lw->now_ms, n);
	/* the driving timer at or before every node; while firing it is
	 * armed when the batch is done */
	if (!lw->firing && (!mcast_timer_armed(&lw->timer) || mcast_timer_deadline(&lw->timer) > deadline_ms))
		mcast_timer_start(lw->w, &lw->timer, deadline_ms);
}

void mcast_lean_stop(struct mcast_lean_wheel *lw, struct mcast_tnode *n)
{
	if (!n->pprev)
		return;
	struct lv l = lean_lv(lw->lv);
	unlink_node(&l, n);
	/* the last node gone: the driving timer frees the levels at the
	 * wheel's next turn (not now: room reserved for a node about to be
	 * armed in this turn stays good) */
	if (!--lw->count && !lw->firing)
		mcast_timer_start(lw->w, &lw->timer, lw->w->now_ms);
}

void mcast_lean_destroy(struct mcast_lean_wheel *lw)
{
	mcast_timer_stop(lw->w, &lw->timer);
	lean_free_levels(lw);
	lw->count = 0;
}

int mcast_lean_check(const struct mcast_lean_wheel *lw, char *why, size_t len)
{
	if (!lw->lv) {
		if (lw->count)
			MCAST_CHECK_FAIL("lean wheel: %zu nodes armed without levels", lw->count);
		return 0;
	}
	struct lv l = lean_lv(lw->lv);
	size_t count = 0;
	mcast_time_ms earliest = MCAST_TIME_NEVER;
	for (unsigned level = 0; level < l.levels; level++)
		for (unsigned s = 0; s < (1u << l.bits); s++) {
			struct mcast_tnode *const *pp = &l.slot[(level << l.bits) + s];
			if (!*pp != !(l.occ[level] & (1ull << s)))
				MCAST_CHECK_FAIL("lean wheel: level %u slot %u occupied bit wrong", level, s);
			for (const struct mcast_tnode *n = *pp; n; pp = &n->next, n = n->next) {
				if (n->pprev != pp)
					MCAST_CHECK_FAIL("lean wheel: broken link at level %u slot %u", level, s);
				if (n->deadline_ms <= lw->now_ms || node_level(&l, n->deadline_ms, lw->now_ms) != level ||
				    node_slot(&l, n->deadline_ms, level) != s)
					MCAST_CHECK_FAIL("lean wheel: deadline %llu filed at level %u slot %u (time %llu)",
							 (unsigned long long)n->deadline_ms, level, s,
							 (unsigned long long)lw->now_ms);
				if (n->deadline_ms < earliest)
					earliest = n->deadline_ms;
				count++;
			}
		}
	struct mcast_tnode *const *lists[2] = { &lw->lv->due, &lw->lv->batch };
	for (int k = 0; k < 2; k++) {
		struct mcast_tnode *const *pp = lists[k];
		for (const struct mcast_tnode *n = *pp; n; pp = &n->next, n = n->next) {
			if (n->pprev != pp || n->deadline_ms > lw->now_ms)
				MCAST_CHECK_FAIL("lean wheel: due list damaged");
			earliest = lw->now_ms;
			count++;
		}
	}
	if (count != lw->count)
		MCAST_CHECK_FAIL("lean wheel: %zu nodes filed, count says %zu", count, lw->count);
	if (count && !lw->firing &&
	    (!mcast_timer_armed(&lw->timer) || mcast_timer_deadline(&lw->timer) > earliest))
		MCAST_CHECK_FAIL("lean wheel: its timer is not armed by its earliest node (%llu)",
				 (unsigned long long)earliest);
	return 0;
}
