/*
 * Allocation failure, one allocation at a time: an allocator that fails
 * the Nth allocation after it is armed, and a driver that runs an
 * operation on a fresh state once whole (counting its allocations N),
 * then N more times failing the 1st, 2nd, ... Nth. After each run the
 * state, as text, must be exactly the state before or exactly the state
 * the whole run left, its invariants must hold, and destroying it must
 * free every byte.
 */
#ifndef MCAST_FAILALLOC_H
#define MCAST_FAILALLOC_H

#include "testutil.h"

struct failalloc {
	long arm;          /* fail the arm-th allocation counted from fa_arm(); 0 = none */
	long calls;        /* allocations and growths since fa_arm() */
	bool fired;        /* the armed failure happened */
	size_t held;       /* bytes held now */
	size_t peak;       /* the most held at once */
};

static struct failalloc FA;

static void *fa_realloc(void *ctx, void *p, size_t old, size_t size)
{
	struct failalloc *f = ctx;
	if (size == 0) {
		free(p);
		f->held -= old;
		return NULL;
	}
	if (!p || size > old) {
		f->calls++;
		if (f->arm && f->calls == f->arm) {
			f->fired = true;
			return NULL;
		}
	}
	void *q = realloc(p, size);
	if (!q)
		return NULL;
	f->held = f->held - old + size;
	if (f->held > f->peak)
		f->peak = f->held;
	return q;
}

static const struct mcast_alloc fa_alloc = { fa_realloc, &FA };

static void fa_arm(long n)
{
	FA.arm = n;
	FA.calls = 0;
	FA.fired = false;
}

/* A growing text buffer (plain malloc: not counted). */
struct fa_text {
	char *p;
	size_t len, cap;
};

static void fa_put(void *ctx, const char *s)
{
	struct fa_text *t = ctx;
	size_t n = strlen(s);
	if (t->len + n + 1 > t->cap) {
		t->cap = (t->len + n + 1) * 2;
		t->p = realloc(t->p, t->cap);
		assert_non_null(t->p);
	}
	memcpy(t->p + t->len, s, n + 1);
	t->len += n;
}

static void fa_printf(struct fa_text *t, const char *fmt, ...) __attribute__((format(printf, 2, 3), unused));
static void fa_printf(struct fa_text *t, const char *fmt, ...)
{
	char line[512];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	fa_put(t, line);
}

struct fa_case {
	const char *name;
	void *(*make)(void);                                /* the state before */
	void (*op)(void *st);                               /* the operation under test */
	void (*text)(void *st, struct fa_text *out);        /* the state as text */
	int (*check)(void *st, char *why, size_t len);      /* its invariants, or NULL */
	void (*destroy)(void *st);
	/* optional: for an operation made of parts each whole or not at all,
	 * with what failed retried later (the proxy's queue): time given to
	 * settle, after which the state must be the whole run's, settled, or
	 * the one before, settled likewise */
	void (*settle)(void *st);
};

static char *fa_state(const struct fa_case *c, void *st)
{
	struct fa_text t = { 0 };
	fa_put(&t, "");
	long saved = FA.arm;
	FA.arm = 0; /* looking does not fail */
	c->text(st, &t);
	FA.arm = saved;
	return t.p;
}

static void fa_check(const struct fa_case *c, void *st, long k)
{
	char why[256];
	if (c->check && c->check(st, why, sizeof(why)) < 0)
		fail_msg("%s, allocation %ld failing: invariant broken: %s", c->name, k, why);
}

/* Returns the number of allocations the whole operation makes. */
__attribute__((unused)) static long fa_run(const struct fa_case *c)
{
	memset(&FA, 0, sizeof(FA));
	void *st = c->make();
	char *before = fa_state(c, st);
	fa_arm(0);
	c->op(st);
	long n = FA.calls;
	if (c->settle)
		c->settle(st);
	char *done = fa_state(c, st);
	fa_check(c, st, 0);
	c->destroy(st);
	if (FA.held)
		fail_msg("%s: %zu bytes not freed", c->name, FA.held);
	if (!strcmp(before, done))
		fail_msg("%s: the operation changes nothing; the case tests nothing", c->name);
	/* with settling, "as before" means as before and settled likewise */
	char *before_settled = NULL;
	if (c->settle) {
		memset(&FA, 0, sizeof(FA));
		st = c->make();
		c->settle(st);
		before_settled = fa_state(c, st);
		c->destroy(st);
	}
	unsigned saw_before = 0, saw_done = 0;
	for (long k = 1; k <= n; k++) {
		memset(&FA, 0, sizeof(FA));
		st = c->make();
		char *b = fa_state(c, st);
		if (strcmp(b, before))
			fail_msg("%s: the state to start from is not reproducible", c->name);
		free(b);
		fa_arm(k);
		c->op(st);
		fa_arm(0);
		if (c->settle)
			c->settle(st);
		char *after = fa_state(c, st);
		fa_check(c, st, k);
		if (!strcmp(after, c->settle ? before_settled : before))
			saw_before++;
		else if (!strcmp(after, done))
			saw_done++;
		else {
			/* where it parts from each, with some context */
			size_t i = 0, j = 0;
			while (after[i] && after[i] == before[i])
				i++;
			while (after[j] && after[j] == done[j])
				j++;
			size_t at = i > j ? i : j;
			size_t from = at > 60 ? at - 60 : 0;
			fail_msg("%s: allocation %ld of %ld failing left a third state; from byte %zu:\n"
				 "  after:  %.160s\n  before: %.160s\n  whole:  %.160s",
				 c->name, k, n, from, after + from, before + (from < strlen(before) ? from : strlen(before)),
				 done + (from < strlen(done) ? from : strlen(done)));
		}
		free(after);
		c->destroy(st);
		if (FA.held)
			fail_msg("%s, allocation %ld failing: %zu bytes not freed", c->name, k, FA.held);
	}
	print_message("    %-44s %3ld allocations; failing each: %u left it as before, %u %s\n", c->name, n,
		      saw_before, saw_done, c->settle ? "whole once settled" : "whole");
	free(before);
	free(before_settled);
	free(done);
	return n;
}

#endif
