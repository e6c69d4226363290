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
 */
#include <string.h>

#include "mcast/core.h"

static inline unsigned level_shift(unsigned level)
{
	return level * MCAST_WHEEL_BITS;
}

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

static void list_push(struct mcast_timer **head, struct mcast_timer *t)
{
	t->next = *head;
	if (t->next)
		t->next->pprev = &t->next;
	*head = t;
	t->pprev = head;
}

static void list_unlink(struct mcast_timer *t)
{
	*t->pprev = t->next;
	if (t->next)
		t->next->pprev = t->pprev;
	t->next = NULL;
	t->pprev = NULL;
}

/* Files an armed-but-unlinked timer relative to w->now_ms. */
static void file_timer(struct mcast_wheel *w, struct mcast_timer *t)
{
	if (t->deadline_ms <= w->now_ms) {
		list_push(&w->due, t);
		return;
	}
	uint64_t diff = t->deadline_ms ^ w->now_ms;
	unsigned level = (unsigned)(63 - __builtin_clzll(diff)) / MCAST_WHEEL_BITS;
	unsigned slot = (unsigned)(t->deadline_ms >> level_shift(level)) & (MCAST_WHEEL_SLOTS - 1);
	list_push(&w->slot[level][slot], t);
	w->occupied[level] |= 1ull << slot;
}

/* Clears the occupied bit when t was the last timer of its slot. */
static void unlink_timer(struct mcast_wheel *w, struct mcast_timer *t)
{
	struct mcast_timer **pp = t->pprev;
	list_unlink(t);
	/* pp points into a slot array only when t was a slot's head. */
	uintptr_t base = (uintptr_t)&w->slot[0][0];
	uintptr_t end = (uintptr_t)&w->slot[MCAST_WHEEL_LEVELS - 1][MCAST_WHEEL_SLOTS - 1];
	uintptr_t p = (uintptr_t)pp;
	if (p >= base && p <= end && *pp == NULL) {
		size_t idx = (size_t)(pp - &w->slot[0][0]);
		w->occupied[idx / MCAST_WHEEL_SLOTS] &= ~(1ull << (idx % MCAST_WHEEL_SLOTS));
	}
}

void mcast_timer_start(struct mcast_wheel *w, struct mcast_timer *t, mcast_time_ms deadline_ms)
{
	if (t->pprev)
		unlink_timer(w, t);
	else
		w->count++;
	t->deadline_ms = deadline_ms;
	t->seq = w->next_seq++;
	file_timer(w, t);
}

void mcast_timer_stop(struct mcast_wheel *w, struct mcast_timer *t)
{
	if (!t->pprev)
		return;
	unlink_timer(w, t);
	w->count--;
}

mcast_time_ms mcast_timer_remaining(const struct mcast_wheel *w, const struct mcast_timer *t)
{
	if (!t->pprev || t->deadline_ms <= w->now_ms)
		return 0;
	return t->deadline_ms - w->now_ms;
}

static bool timer_before(const struct mcast_timer *a, const struct mcast_timer *b)
{
	if (a->deadline_ms != b->deadline_ms)
		return a->deadline_ms < b->deadline_ms;
	return a->seq < b->seq;
}

/* Merge sort of a singly linked list by (deadline, seq); no allocation. */
static struct mcast_timer *sort_list(struct mcast_timer *head)
{
	if (!head || !head->next)
		return head;
	struct mcast_timer *slow = head, *fast = head->next;
	while (fast && fast->next) {
		slow = slow->next;
		fast = fast->next->next;
	}
	struct mcast_timer *b = slow->next;
	slow->next = NULL;
	struct mcast_timer *a = sort_list(head);
	b = sort_list(b);
	struct mcast_timer *out = NULL, **tail = &out;
	while (a && b) {
		if (timer_before(b, a)) {
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

/* Moves the wheel's structure to time t, re-filing the timers of every
 * slot whose range was crossed. */
static void step(struct mcast_wheel *w, mcast_time_ms t)
{
	if (t <= w->now_ms)
		return;
	struct mcast_timer *moved = NULL;
	for (unsigned level = 0; level < MCAST_WHEEL_LEVELS; level++) {
		uint64_t n = w->now_ms >> level_shift(level);
		uint64_t e = t >> level_shift(level);
		if (n == e)
			break;
		uint64_t mask;
		if (e - n >= MCAST_WHEEL_SLOTS) {
			mask = ~0ull;
		} else {
			unsigned start = (unsigned)(n + 1) & (MCAST_WHEEL_SLOTS - 1);
			unsigned cnt = (unsigned)(e - n);
			uint64_t run = (1ull << cnt) - 1;
			mask = start ? (run << start) | (run >> (64 - start)) : run;
		}
		uint64_t hit = w->occupied[level] & mask;
		while (hit) {
			unsigned sl = (unsigned)__builtin_ctzll(hit);
			hit &= hit - 1;
			struct mcast_timer *x = w->slot[level][sl];
			w->slot[level][sl] = NULL;
			w->occupied[level] &= ~(1ull << sl);
			while (x) {
				struct mcast_timer *nx = x->next;
				x->next = moved;
				moved = x;
				x = nx;
			}
		}
	}
	w->now_ms = t;
	while (moved) {
		struct mcast_timer *nx = moved->next;
		file_timer(w, moved);
		moved = nx;
	}
}

/* Fires the due list in (deadline, seq) batches. */
static size_t fire_due(struct mcast_wheel *w)
{
	size_t fired = 0;
	while (w->due) {
		struct mcast_timer *batch = sort_list(w->due);
		w->due = NULL;
		/* Re-link pprev so that callbacks can stop batch members. */
		struct mcast_timer **pp = &batch;
		for (struct mcast_timer *x = batch; x; x = x->next) {
			x->pprev = pp;
			pp = &x->next;
		}
		while (batch) {
			struct mcast_timer *t = batch;
			list_unlink(t);
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
	for (;;) {
		mcast_time_ms next = mcast_wheel_next(w);
		if (next == MCAST_TIME_NEVER || next > now_ms)
			break;
		step(w, next);
		fired += fire_due(w);
	}
	step(w, now_ms);
	return fired;
}

size_t mcast_wheel_jump(struct mcast_wheel *w, mcast_time_ms now_ms)
{
	/* step() re-files every timer of the crossed slots: those due by
	 * now_ms land on the due list and fire with now_ms as their time */
	step(w, now_ms);
	return fire_due(w);
}

mcast_time_ms mcast_wheel_next(const struct mcast_wheel *w)
{
	if (w->due)
		return w->now_ms;
	for (unsigned level = 0; level < MCAST_WHEEL_LEVELS; level++) {
		if (!w->occupied[level])
			continue;
		unsigned s = (unsigned)__builtin_ctzll(w->occupied[level]);
		unsigned up = level_shift(level + 1);
		uint64_t base = up >= 64 ? 0 : (w->now_ms >> up) << up;
		return base | ((uint64_t)s << level_shift(level));
	}
	return MCAST_TIME_NEVER;
}
