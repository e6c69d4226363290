/*
 * DOC: wanted versus installed: the kernel reconciler
 *
 * libmcast's routing table (struct mcast_mr_table) is what mcastd wants
 * in the kernel; the kernel's own table is what is installed. Every
 * change of ours arrives through the table's mirror hook and is applied
 * at once (MRT_ADD_VIF, MRT_DEL_VIF, MRT_ADD_MFC, MRT_DEL_MFC). A call
 * that fails is not a log line but a state: the entry (or VIF) goes on
 * the pending list with its error and is tried again with exponential
 * backoff (RECONCILE_RETRY_MIN_MS doubling up to RECONCILE_RETRY_MAX_MS),
 * always with what is wanted at that moment, so a retry never installs
 * something that has since changed.
 *
 * An audit reads the kernel back (the VIFs from /proc/net/ip_mr_vif or
 * ip6_mr_vif, the entries by an rtnetlink dump) and repairs drift both
 * ways: entries or VIFs missing or different are written again, those
 * nobody wants are removed. It runs every audit-interval (default 60 s),
 * after a reload, after a netlink overrun, and on `mcastctl audit`.
 *
 * Everything is counted (show kernel, show stats) and the warnings are
 * rate-limited.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mcastd.h"

#define RECONCILE_RETRY_MIN_MS 100
#define RECONCILE_RETRY_MAX_MS 30000

struct kpending {                   /* an entry whose kernel state is not known good */
	struct mcast_hnode node;    /* in reconcile.pending, keyed by (source, group) */
	struct mcast_addr source, group;
	int err;                    /* errno of the last failed call */
	const char *call;           /* that call */
	uint32_t attempts;
	mcast_time_ms next_ms;      /* next try */
};

struct kdirty {                     /* an entry changed this turn */
	struct mcast_hnode node;    /* in reconcile.dirty, keyed by (source, group) */
	struct mcast_addr source, group;
	struct kdirty *next;        /* in first-change order */
};


static uint64_t key_hash(const struct reconcile *rc, const struct mcast_addr *s, const struct mcast_addr *g)
{
	return mcast_addr_hash2(s, g, rc->tb->fm->d->hash_seed);
}

static struct kpending *pending_find(const struct reconcile *rc, const struct mcast_addr *s,
				     const struct mcast_addr *g)
{
	uint64_t h = key_hash(rc, s, g);
	for (struct mcast_hnode *n = mcast_htab_first(&rc->pending, h); n; n = mcast_htab_next(n)) {
		struct kpending *p = mcast_container_of(n, struct kpending, node);
		if (mcast_addr_eq(&p->source, s) && mcast_addr_eq(&p->group, g))
			return p;
	}
	return NULL;
}

static mcast_time_ms backoff(uint32_t attempts)
{
	mcast_time_ms ms = RECONCILE_RETRY_MIN_MS;
	for (uint32_t k = 1; k < attempts && ms < RECONCILE_RETRY_MAX_MS; k++)
		ms *= 2;
	return ms < RECONCILE_RETRY_MAX_MS ? ms : RECONCILE_RETRY_MAX_MS;
}

static void arm_retry(struct reconcile *rc, mcast_time_ms at)
{
	struct mcast_wheel *w = &rc->tb->fm->d->wheel;
	if (!mcast_timer_armed(&rc->retry) || mcast_timer_deadline(&rc->retry) > at)
		mcast_timer_start(w, &rc->retry, at);
}

static void warn(struct reconcile *rc, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void warn(struct reconcile *rc, const char *fmt, ...)
{
	struct mcastd *d = rc->tb->fm->d;
	if (!mcast_ratelimit_ok(&rc->log_rl, d->wheel.now_ms))
		return;
	char msg[400];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	char tn[32];
	mcast_logf(&d->log, MCAST_LOG_WARNING, MCAST_D_ROUTES, "%s %s", mcastd_tab_name(rc->tb, tn), msg);
}

/* A failed entry call: onto (or further along) the pending list. */
static void entry_failed(struct reconcile *rc, const struct mcast_addr *s, const struct mcast_addr *g,
			 const char *call, int err)
{
	struct mcastd *d = rc->tb->fm->d;
	char a[MCAST_ADDR_STRLEN], b[MCAST_ADDR_STRLEN];
	rc->st.failures++;
	struct kpending *p = pending_find(rc, s, g);
	if (!p) {
		p = calloc(1, sizeof(*p));
		if (!p) {
			/* no memory to remember it: the next audit finds it */
			rc->st.untracked++;
			return;
		}
		p->source = *s;
		p->group = *g;
		mcast_htab_insert(&rc->pending, &p->node, key_hash(rc, s, g));
	}
	p->err = err;
	p->call = call;
	p->attempts++;
	p->next_ms = d->wheel.now_ms + backoff(p->attempts);
	arm_retry(rc, p->next_ms);
	warn(rc, "%s (%s, %s): %s (try %u; again in %llu ms)", call, mcast_addr_str(s, a), mcast_addr_str(g, b),
	     strerror(err), p->attempts, (unsigned long long)backoff(p->attempts));
}

static void entry_ok(struct reconcile *rc, const struct mcast_addr *s, const struct mcast_addr *g)
{
	struct kpending *p = rc->pending.count ? pending_find(rc, s, g) : NULL;
	if (p) {
		mcast_htab_remove(&rc->pending, &p->node);
		free(p);
	}
}

/* Writes what is wanted now for (s, g): the entry, or its absence. */
static int entry_apply(struct reconcile *rc, const struct mcast_addr *s, const struct mcast_addr *g)
{
	struct dtab *tb = rc->tb;
	uint16_t iif;
	struct mcast_mfc_oif oifs[LK_MAXVIFS];
	size_t n;
	int r;
	const char *call;
	rc->st.calls++;
	if (mcast_mr_mfc_get(tb->t, s, g, &iif, NULL, oifs, LK_MAXVIFS, &n) == 0) {
		call = "MRT_ADD_MFC";
		r = lk_mfc_set(&tb->k, s, g, iif, oifs, n < LK_MAXVIFS ? n : LK_MAXVIFS);
	} else {
		call = "MRT_DEL_MFC";
		r = lk_mfc_del(&tb->k, s, g);
		if (r == -ENOENT)
			r = 0; /* the kernel dropped it already (its VIF went) */
	}
	if (r < 0 && r != -EBADF)
		entry_failed(rc, s, g, call, -r);
	else
		entry_ok(rc, s, g);
	return r;
}

/* Writes what is wanted now for VIF v. */
static int vif_apply(struct reconcile *rc, uint16_t v)
{
	struct dtab *tb = rc->tb;
	struct dfam *fm = tb->fm;
	struct mcast_vif_config cfg;
	int r;
	const char *call;
	rc->st.calls++;
	if (mcast_mr_vif_get(tb->t, v, &cfg, NULL) == 0) {
		call = "MRT_ADD_VIF";
		r = lk_vif_add(&tb->k, v, cfg.ifindex, cfg.threshold);
		if (r == -EADDRINUSE)
			r = 0; /* there already (an audit checks that it is the right device) */
	} else {
		call = "MRT_DEL_VIF";
		r = lk_vif_del(&tb->k, v);
		if (r == -EADDRNOTAVAIL)
			r = 0; /* the kernel removed it with its device */
	}
	struct reconcile_vif *kv = &rc->vif[v];
	if (r < 0 && r != -EBADF) {
		rc->st.failures++;
		kv->err = -r;
		kv->call = call;
		kv->attempts++;
		kv->next_ms = fm->d->wheel.now_ms + backoff(kv->attempts);
		if (!kv->pending)
			rc->nvif_pending++;
		kv->pending = true;
		arm_retry(rc, kv->next_ms);
		warn(rc, "%s vif %u: %s (try %u)", call, v, strerror(-r), kv->attempts);
	} else if (kv->pending) {
		kv->pending = false;
		rc->nvif_pending--;
		kv->attempts = 0;
		/* entries written while the VIF was missing lack it: check all */
		rc->audit_soon = true;
	}
	return r;
}

/* Marks (s, g) for the end of the turn. false when there is no memory
 * for the mark: the caller writes it at once instead. */
static bool mark_dirty(struct reconcile *rc, const struct mcast_addr *s, const struct mcast_addr *g)
{
	uint64_t h = key_hash(rc, s, g);
	for (struct mcast_hnode *n = mcast_htab_first(&rc->dirty, h); n; n = mcast_htab_next(n)) {
		struct kdirty *k = mcast_container_of(n, struct kdirty, node);
		if (mcast_addr_eq(&k->source, s) && mcast_addr_eq(&k->group, g)) {
			rc->st.coalesced++;
			return true;
		}
	}
	struct kdirty *k = malloc(sizeof(*k));
	if (!k)
		return false;
	k->source = *s;
	k->group = *g;
	k->next = NULL;
	mcast_htab_insert(&rc->dirty, &k->node, h);
	*rc->dirty_tail = k;
	rc->dirty_tail = &k->next;
	return true;
}

/*
 * The mirror hook of our table. A VIF is written at once (entries refer
 * to it), after the entries changed before it; an entry is marked and
 * written at the end of the turn, once, as it is wanted then: a batch of reports that changes an entry several
 * times (members arriving on several links) costs one MRT_ADD_MFC.
 */
void reconcile_changed(struct reconcile *rc, const struct mcast_mr_event *ev)
{
	if (rc->tb->k.fd < 0)
		return; /* the socket is closed: the kernel flushed everything of ours */
	switch (ev->type) {
	case MCAST_MR_VIF_ADD:
	case MCAST_MR_VIF_DEL:
		/* Entry changes made before a VIF change reach the kernel
		 * before it: Linux keeps a deleted VIF's number in its
		 * entries, so an entry rewritten to stop sending to a VIF
		 * must be written before that number is given to another
		 * interface (VIFs on demand). */
		reconcile_flush(rc);
		if (ev->vif < LK_MAXVIFS)
			vif_apply(rc, ev->vif);
		break;
	case MCAST_MR_MFC_SET:
	case MCAST_MR_MFC_DEL:
		if (!mark_dirty(rc, &ev->source, &ev->group))
			entry_apply(rc, &ev->source, &ev->group);
		break;
	}
}

void reconcile_flush(struct reconcile *rc)
{
	if (!rc->tb)
		return; /* the family is off */
	struct kdirty *k = rc->dirty_head;
	rc->dirty_head = NULL;
	rc->dirty_tail = &rc->dirty_head;
	while (k) {
		struct kdirty *next = k->next;
		mcast_htab_remove(&rc->dirty, &k->node);
		if (rc->tb->k.fd >= 0)
			entry_apply(rc, &k->source, &k->group);
		free(k);
		k = next;
	}
}

/* ---- retries ------------------------------------------------------------- */

struct retry_walk {
	struct reconcile *rc;
	mcast_time_ms now, next;
	size_t n;
	struct kpending **due;
};

static void collect_due(struct mcast_hnode *n, void *arg)
{
	struct retry_walk *w = arg;
	struct kpending *p = mcast_container_of(n, struct kpending, node);
	if (p->next_ms <= w->now)
		w->due[w->n++] = p;
	else if (p->next_ms < w->next)
		w->next = p->next_ms;
}

static void retry_fire(struct mcast_timer *t, void *arg)
{
	(void)t;
	struct reconcile *rc = arg;
	mcast_time_ms now = rc->tb->fm->d->wheel.now_ms;
	for (uint16_t v = 0; v < LK_MAXVIFS && rc->nvif_pending; v++)
		if (rc->vif[v].pending && rc->vif[v].next_ms <= now) {
			rc->st.retries++;
			vif_apply(rc, v);
		}
	if (rc->pending.count) {
		struct retry_walk w = { rc, now, MCAST_TIME_NEVER, 0, NULL };
		w.due = malloc(rc->pending.count * sizeof(*w.due));
		if (!w.due) {
			arm_retry(rc, now + RECONCILE_RETRY_MIN_MS);
			return;
		}
		mcast_htab_walk(&rc->pending, collect_due, &w);
		/* apply after the walk: a success removes from the table */
		for (size_t k = 0; k < w.n; k++) {
			struct mcast_addr s = w.due[k]->source, g = w.due[k]->group;
			rc->st.retries++;
			entry_apply(rc, &s, &g);
		}
		free(w.due);
		if (w.next != MCAST_TIME_NEVER)
			arm_retry(rc, w.next);
	}
	for (uint16_t v = 0; v < LK_MAXVIFS; v++)
		if (rc->vif[v].pending)
			arm_retry(rc, rc->vif[v].next_ms);
}

/* ---- audit ------------------------------------------------------------------ */

static int cmp_key(const struct mcast_addr *s1, const struct mcast_addr *g1, const struct mcast_addr *s2,
		   const struct mcast_addr *g2)
{
	int c = mcast_addr_cmp(g1, g2);
	return c ? c : mcast_addr_cmp(s1, s2);
}

static int cmp_kernel(const void *a, const void *b)
{
	const struct lk_mfc *x = a, *y = b;
	return cmp_key(&x->source, &x->group, &y->source, &y->group);
}

struct kernel_list {
	struct lk_mfc *v;
	size_t n, cap;
	bool failed;
};

static void collect_kernel(void *ctx, const struct lk_mfc *e)
{
	struct kernel_list *l = ctx;
	if (l->failed)
		return;
	if (l->n == l->cap) {
		size_t cap = l->cap ? l->cap * 2 : 256;
		struct lk_mfc *v = realloc(l->v, cap * sizeof(*v));
		if (!v) {
			l->failed = true;
			return;
		}
		l->v = v;
		l->cap = cap;
	}
	l->v[l->n++] = *e;
}

/* Reads the kernel's entries, sorted by (group, source). */
int reconcile_read_kernel(struct reconcile *rc, struct lk_mfc **out, size_t *n)
{
	struct kernel_list l = { 0 };
	int r = lk_nl_mfc_dump(rc->tb->fm->d->nl, rc->tb->fm->f, rc->tb->k.table, collect_kernel, &l);
	if (r == 0 && l.failed)
		r = -ENOMEM;
	if (r < 0) {
		free(l.v);
		return r;
	}
	if (l.n)
		qsort(l.v, l.n, sizeof(*l.v), cmp_kernel);
	*out = l.v;
	*n = l.n;
	return 0;
}

const struct lk_mfc *reconcile_kernel_find(const struct lk_mfc *v, size_t n, const struct mcast_addr *s,
					   const struct mcast_addr *g)
{
	size_t lo = 0, hi = n;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int c = cmp_key(&v[mid].source, &v[mid].group, s, g);
		if (c == 0)
			return &v[mid];
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

enum reconcile_diff reconcile_compare(struct reconcile *rc, const struct mcast_mfc_params *p,
				      const struct lk_mfc *k)
{
	struct dtab *tb = rc->tb;
	struct dfam *fm = tb->fm;
	if (!k)
		return RECONCILE_MISSING;
	struct mcast_vif_config cfg;
	if (p->iif >= LK_MAXVIFS || mcast_mr_vif_get(tb->t, p->iif, &cfg, NULL) < 0 || cfg.ifindex != k->iif)
		return RECONCILE_DIFFERS;
	/* outputs as (ifindex, ttl), sorted like the kernel's */
	struct {
		unsigned ifindex;
		uint8_t ttl;
	} want[LK_MAXVIFS];
	unsigned nw = 0;
	for (size_t i = 0; i < p->noifs && nw < LK_MAXVIFS; i++) {
		if (mcast_mr_vif_get(tb->t, p->oifs[i].vif, &cfg, NULL) < 0)
			continue;
		unsigned j = nw++;
		while (j > 0 && want[j - 1].ifindex > cfg.ifindex) {
			want[j] = want[j - 1];
			j--;
		}
		want[j].ifindex = cfg.ifindex;
		want[j].ttl = p->oifs[i].ttl;
	}
	if (nw != k->noifs)
		return RECONCILE_DIFFERS;
	for (unsigned i = 0; i < nw; i++) {
		if (want[i].ifindex != k->oif[i].ifindex)
			return RECONCILE_DIFFERS;
		/* IPv6 keeps only membership of the output set (TTL 1) */
		if (fm->f == MCAST_AF_INET && want[i].ttl != k->oif[i].ttl)
			return RECONCILE_DIFFERS;
	}
	return RECONCILE_INSTALLED;
}

struct audit_walk {
	struct reconcile *rc;
	const struct lk_mfc *kv;
	size_t kn;
	struct mcast_addr (*fixkey)[2]; /* (source, group) to write, collected during the walk */
	size_t nfix, capfix;
	bool failed;
};

static void audit_one(void *arg, const struct mcast_mfc_params *p)
{
	struct audit_walk *w = arg;
	const struct lk_mfc *k = reconcile_kernel_find(w->kv, w->kn, &p->source, &p->group);
	enum reconcile_diff dif = reconcile_compare(w->rc, p, k);
	if (dif == RECONCILE_INSTALLED)
		return;
	/* an entry whose incoming VIF is still failing waits for it */
	if (p->iif < LK_MAXVIFS && w->rc->vif[p->iif].pending)
		return;
	if (w->nfix == w->capfix) {
		size_t cap = w->capfix ? w->capfix * 2 : 64;
		void *x = realloc(w->fixkey, cap * sizeof(*w->fixkey));
		if (!x) {
			w->failed = true;
			return;
		}
		w->fixkey = x;
		w->capfix = cap;
	}
	w->fixkey[w->nfix][0] = p->source;
	w->fixkey[w->nfix][1] = p->group;
	w->nfix++;
	if (dif == RECONCILE_MISSING)
		w->rc->st.drift_added++;
	else
		w->rc->st.drift_changed++;
}

int reconcile_audit(struct reconcile *rc, const char *why)
{
	struct dtab *tb = rc->tb;
	struct dfam *fm = tb->fm;
	struct mcastd *d = fm->d;
	reconcile_flush(rc); /* what this turn changed is written, not "repaired" */
	rc->audit_soon = false;
	rc->st.audits++;
	rc->last_audit_ms = d->wheel.now_ms;
	uint64_t before = rc->st.drift_added + rc->st.drift_changed + rc->st.drift_removed + rc->st.vif_drift;
	/* VIFs first: entries refer to them */
	struct lk_vif kv[LK_MAXVIFS];
	int r = mcastd_vif_read(tb, kv);
	if (r < 0) {
		rc->st.audit_errors++;
		warn(rc, "audit: reading the kernel's VIFs: %s", strerror(-r));
		return r;
	}
	for (uint16_t v = 0; v < LK_MAXVIFS; v++) {
		struct mcast_vif_config cfg;
		bool ours = mcast_mr_vif_get(tb->t, v, &cfg, NULL) == 0;
		if (rc->vif[v].pending)
			continue; /* being retried */
		if (ours && kv[v].used && !strcmp(kv[v].name, cfg.name))
			continue;
		if (!ours && !kv[v].used)
			continue;
		rc->st.vif_drift++;
		if (kv[v].used) {
			/* the kernel's VIF goes first (another device, or unwanted) */
			rc->st.calls++;
			int dr = lk_vif_del(&tb->k, v);
			if (dr < 0 && dr != -EADDRNOTAVAIL) {
				rc->st.failures++;
				warn(rc, "audit: MRT_DEL_VIF vif %u (%s): %s", v, kv[v].name, strerror(-dr));
			}
		}
		if (ours)
			vif_apply(rc, v);
	}
	/* then the entries */
	struct lk_mfc *kmfc = NULL;
	size_t kn = 0;
	r = reconcile_read_kernel(rc, &kmfc, &kn);
	if (r < 0) {
		rc->st.audit_errors++;
		warn(rc, "audit: reading the kernel's forwarding cache: %s", strerror(-r));
		return r;
	}
	/* kernel entries nobody wants */
	for (size_t i = 0; i < kn; i++) {
		if (mcast_mr_mfc_get(tb->t, &kmfc[i].source, &kmfc[i].group, NULL, NULL, NULL, 0, NULL) == 0)
			continue;
		rc->st.drift_removed++;
		entry_apply(rc, &kmfc[i].source, &kmfc[i].group);
	}
	/* ours missing or different there */
	struct audit_walk w = { .rc = rc, .kv = kmfc, .kn = kn };
	mcast_mr_mfc_walk(tb->t, audit_one, &w);
	for (size_t i = 0; i < w.nfix; i++)
		entry_apply(rc, &w.fixkey[i][0], &w.fixkey[i][1]);
	free(w.fixkey);
	free(kmfc);
	uint64_t fixed = rc->st.drift_added + rc->st.drift_changed + rc->st.drift_removed + rc->st.vif_drift - before;
	char tn[32];
	if (fixed)
		mcast_logf(&d->log, MCAST_LOG_WARNING, 0, "%s audit (%s): %llu differences with the kernel repaired",
			   mcastd_tab_name(tb, tn), why, (unsigned long long)fixed);
	else
		mcast_logf(&d->log, MCAST_LOG_DEBUG, MCAST_D_ROUTES, "%s audit (%s): the kernel matches",
			   mcastd_tab_name(tb, tn), why);
	if (w.failed) {
		rc->audit_soon = true; /* out of memory: what was not checked, next turn */
		return -ENOMEM;
	}
	return 0;
}

static void audit_fire(struct mcast_timer *t, void *arg)
{
	struct reconcile *rc = arg;
	reconcile_audit(rc, "periodic");
	if (rc->audit_ms)
		mcast_timer_start(&rc->tb->fm->d->wheel, t, rc->tb->fm->d->wheel.now_ms + rc->audit_ms);
}

/* ---- life cycle ------------------------------------------------------------ */

int reconcile_init(struct reconcile *rc, struct dtab *tb, mcast_time_ms audit_ms)
{
	struct dfam *fm = tb->fm;
	memset(rc, 0, sizeof(*rc));
	rc->tb = tb;
	rc->audit_ms = audit_ms;
	mcast_ratelimit_init(&rc->log_rl, 1000, 10);
	mcast_timer_init(&rc->retry, retry_fire, rc);
	mcast_timer_init(&rc->audit, audit_fire, rc);
	rc->dirty_tail = &rc->dirty_head;
	if (mcast_htab_init(&rc->pending, &mcast_alloc_libc, 16) < 0)
		return -ENOMEM;
	if (mcast_htab_init(&rc->dirty, &mcast_alloc_libc, 16) < 0) {
		mcast_htab_free(&rc->pending);
		return -ENOMEM;
	}
	if (audit_ms)
		mcast_timer_start(&fm->d->wheel, &rc->audit, fm->d->wheel.now_ms + audit_ms);
	return 0;
}

void reconcile_set_interval(struct reconcile *rc, mcast_time_ms audit_ms)
{
	struct mcast_wheel *w = &rc->tb->fm->d->wheel;
	if (rc->audit_ms == audit_ms)
		return;
	rc->audit_ms = audit_ms;
	if (audit_ms)
		mcast_timer_start(w, &rc->audit, w->now_ms + audit_ms);
	else
		mcast_timer_stop(w, &rc->audit);
}

static void free_pending(struct mcast_hnode *n, void *arg)
{
	struct reconcile *rc = arg;
	mcast_htab_remove(&rc->pending, n);
	free(mcast_container_of(n, struct kpending, node));
}

void reconcile_destroy(struct reconcile *rc)
{
	if (!rc->tb)
		return;
	struct mcast_wheel *w = &rc->tb->fm->d->wheel;
	mcast_timer_stop(w, &rc->retry);
	mcast_timer_stop(w, &rc->audit);
	mcast_htab_walk_safe(&rc->pending, free_pending, rc);
	mcast_htab_free(&rc->pending);
	for (struct kdirty *k = rc->dirty_head, *next; k; k = next) {
		next = k->next;
		free(k);
	}
	mcast_htab_free(&rc->dirty);
	rc->tb = NULL;
}

/* ---- what show kernel tells ------------------------------------------------- */

struct pending_view {
	const struct reconcile *rc;
	struct dbuf *o;
	bool json, first;
	mcast_time_ms now;
};

static void show_pending_one(struct mcast_hnode *n, void *arg)
{
	struct pending_view *pv = arg;
	const struct kpending *p = mcast_container_of(n, struct kpending, node);
	char a[MCAST_ADDR_STRLEN], b[MCAST_ADDR_STRLEN];
	long long in = p->next_ms > pv->now ? (long long)(p->next_ms - pv->now) : 0;
	if (pv->json)
		dbuf_printf(pv->o,
			    "%s{\"source\":\"%s\",\"group\":\"%s\",\"state\":\"failing\",\"call\":\"%s\","
			    "\"error\":\"%s\",\"attempts\":%u,\"retry_in_ms\":%lld}",
			    pv->first ? "" : ",", mcast_addr_str(&p->source, a), mcast_addr_str(&p->group, b), p->call,
			    strerror(p->err), p->attempts, in);
	else
		dbuf_printf(pv->o, "  (%s, %s) failing: %s: %s, %u tries, next in %lld ms\n",
			    mcast_addr_str(&p->source, a), mcast_addr_str(&p->group, b), p->call, strerror(p->err),
			    p->attempts, in);
	pv->first = false;
}

void reconcile_show_pending(const struct reconcile *rc, struct dbuf *o, bool json)
{
	struct pending_view pv = { rc, o, json, true, rc->tb->fm->d->wheel.now_ms };
	for (uint16_t v = 0; v < LK_MAXVIFS; v++) {
		const struct reconcile_vif *kv = &rc->vif[v];
		if (!kv->pending)
			continue;
		long long in = kv->next_ms > pv.now ? (long long)(kv->next_ms - pv.now) : 0;
		if (json)
			dbuf_printf(o,
				    "%s{\"vif\":%u,\"state\":\"failing\",\"call\":\"%s\",\"error\":\"%s\","
				    "\"attempts\":%u,\"retry_in_ms\":%lld}",
				    pv.first ? "" : ",", v, kv->call, strerror(kv->err), kv->attempts, in);
		else
			dbuf_printf(o, "  vif %u failing: %s: %s, %u tries, next in %lld ms\n", v, kv->call,
				    strerror(kv->err), kv->attempts, in);
		pv.first = false;
	}
	mcast_htab_walk(&rc->pending, show_pending_one, &pv);
}

size_t reconcile_pending_count(const struct reconcile *rc)
{
	return rc->pending.count + rc->nvif_pending;
}
