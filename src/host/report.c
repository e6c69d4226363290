/*
 * DOC: host reports (RFC 3376 5, 7.2; RFC 3810 6, 8.2)
 *
 * Interface state (3.2): each group keeps, per source, how many
 * INCLUDE-mode sockets list it and how many EXCLUDE-mode sockets exclude
 * it. With any EXCLUDE socket the state is EXCLUDE of the sources every
 * EXCLUDE socket excludes and no INCLUDE socket lists; otherwise INCLUDE
 * of every listed source.
 *
 * State changes (5.1): a change of filter mode makes the next [RV]
 * reports carry a Filter-Mode-Change record (TO_IN with the sources to
 * forward, TO_EX with those to block), whatever source changes happen
 * meanwhile; a change of sources gives each changed source [RV]
 * retransmissions, sent once no mode change is pending as ALLOW (those
 * now to forward) and BLOCK (those now to block), empty records left
 * out. A change sends a report at once; retransmissions follow at random
 * times within the Unsolicited Report Interval.
 *
 * Queries (5.2): responses are delayed at random up to the Max Response
 * Time, an earlier pending response wins, group-and-source queries
 * accumulate their sources; answers are Current-State records. Older
 * queriers (7.2.1) switch the interface to v1/v2 (MLDv1) until their
 * Older Version Querier Present timer runs out; a switch cancels pending
 * responses and retransmissions. In v1/v2 a group is joined or not: a
 * report when it is joined, repeated, a leave when it is left and we
 * were the last to report, reports suppressed by other members'.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "hs.h"
#include "wire/internal.h"

_Static_assert(sizeof(struct hs_group) == 72, "a host group is 72 bytes");

uint64_t hs_group_hash(const void *rec, const void *arg)
{
	return hs_hash(arg, &((const struct hs_group *)rec)->addr);
}

/* A miss costs the home bucket's line only: the tags of the other
 * groups there are compared, not their records. */
static struct hs_group *find_hashed(const struct hs_iface *ifc, const struct mcast_addr *g, uint64_t hh)
{
	struct bidx_iter it;
	for (struct hs_group *grp = bidx_first(&ifc->groups, hh, &it); grp; grp = bidx_next(&ifc->groups, &it))
		if (mcast_addr_eq(&grp->addr, g))
			return grp;
	return NULL;
}

struct hs_group *hs_group_find(const struct hs_iface *ifc, const struct mcast_addr *g)
{
	return find_hashed(ifc, g, hs_hash(ifc->h, g));
}

static void group_timer(struct mcast_timer *t, void *arg);

/* A new group g (not on ifc), hh its hash. */
/* Whether the group's changes are reported at all (never for the
 * all-systems / all-nodes groups, and for 224.0.0.x only when the
 * interface is told to): fixed for the group's life, as the interface's
 * settings are, so worked out once when it is made. */
bool hs_reportable_addr(const struct hs_iface *ifc, const struct mcast_addr *g)
{
	if (addr_is_v4(g)) /* 224.0.0.1 never (RFC 3376 5), 224.0.0.x when told to */
		return !addr_is_link_scoped(g) || (ifc->cfg.report_link_local && g->b[15] != 1);
	return !mcast_addr_is_never_reported(g);
}

static struct hs_group *group_new(struct hs_iface *ifc, const struct mcast_addr *g, uint64_t hh)
{
	struct hs_group *grp = mcast_pool_get(&ifc->h->groups);
	if (!grp)
		return NULL;
	grp->addr = *g;
	grp->ifc = ifc;
	grp->reportable = hs_reportable_addr(ifc, g);
	if (bidx_insert(&ifc->groups, grp, hh) < 0) {
		mcast_pool_put(&ifc->h->groups, grp);
		return NULL;
	}
	return grp;
}

/* The interface's queue (hs_iface.pend) and its fresh groups
 * (hs_iface.fresh): a group joins either at the end and leaves it with
 * the last one taking its place. */
static void unfresh(struct hs_group *g)
{
	struct hs_iface *ifc = g->ifc;
	if (!g->fresh_at)
		return;
	struct hs_group *last = ifc->fresh[--ifc->nfresh];
	ifc->fresh[g->fresh_at - 1] = last;
	last->fresh_at = g->fresh_at;
	g->fresh_at = 0;
}

static void enqueue(struct hs_group *g)
{
	struct hs_iface *ifc = g->ifc;
	if (g->pend_at)
		return;
	ifc->pend[ifc->npend] = g; /* (room reserved: pend_cap >= groups) */
	g->pend_at = ++ifc->npend;
}

/* Queued and changed since its last report. Without room for it in the
 * fresh list (memory out), the report of this instant carries every
 * queued group instead (fresh_all): nothing is left out, some
 * retransmissions go early. The list's room is not reserved with the
 * change as the queue's is: a leave of a group already held needs no
 * memory (as in Linux), and should not start failing for a list that
 * only orders reports. */
static void mark_fresh(struct hs_group *g)
{
	struct hs_iface *ifc = g->ifc;
	enqueue(g);
	if (g->fresh_at)
		return;
	if (ifc->nfresh == ifc->fresh_cap) {
		size_t c = ifc->fresh_cap ? ifc->fresh_cap * 2 : 16;
		void *p = mcast_alloc_resize(ifc->h->env.al, ifc->fresh, ifc->fresh_cap * sizeof(*ifc->fresh),
					     c * sizeof(*ifc->fresh));
		if (!p) {
			ifc->fresh_all = true;
			return;
		}
		ifc->fresh = p;
		ifc->fresh_cap = c;
	}
	ifc->fresh[ifc->nfresh] = g;
	g->fresh_at = ++ifc->nfresh;
}

static void unqueue(struct hs_group *g)
{
	struct hs_iface *ifc = g->ifc;
	unfresh(g);
	if (!g->pend_at)
		return;
	struct hs_group *last = ifc->pend[--ifc->npend];
	ifc->pend[g->pend_at - 1] = last;
	last->pend_at = g->pend_at;
	g->pend_at = 0;
}

/* The group's wait record, made if it has none; NULL when memory is out. */
static struct hs_wait *wait_make(struct hs_group *g)
{
	if (g->wait)
		return g->wait;
	struct hs_wait *w = mcast_pool_get(&g->ifc->h->waits);
	if (!w)
		return NULL;
	mcast_timer_init(&w->timer, group_timer, g);
	mcast_srcset_init(&w->resp_srcs);
	g->wait = w;
	return w;
}

/* wait_make() for a response or report that is then not scheduled
 * without memory, counted. */
static struct hs_wait *wait_get(struct hs_group *g)
{
	struct hs_wait *w = wait_make(g);
	if (!w)
		g->ifc->stats.nomem++;
	return w;
}

/* Frees the wait record once nothing is pending in it. */
static void wait_done(struct hs_group *g)
{
	struct hs_wait *w = g->wait;
	if (!w || w->resp_ms || w->v12_ms)
		return;
	struct mcast_host *h = g->ifc->h;
	mcast_timer_stop(h->env.wheel, &w->timer);
	mcast_srcset_free(&w->resp_srcs, h->env.al);
	mcast_pool_put(&h->waits, w);
	g->wait = NULL;
}

void hs_group_drop(struct hs_group *g)
{
	struct mcast_host *h = g->ifc->h;
	if (g->wait) {
		g->wait->resp_ms = g->wait->v12_ms = 0;
		wait_done(g);
	}
	mcast_alloc_free(h->env.al, g->srcs, g->cap * sizeof(*g->srcs));
	mcast_pool_put(&h->groups, g);
}

void hs_group_free(struct hs_group *g)
{
	unqueue(g);
	bidx_remove(&g->ifc->groups, g, hs_hash(g->ifc->h, &g->addr));
	hs_group_drop(g);
}

/* Whether the interface state's source list holds s (RFC 3376 3.2):
 * in EXCLUDE mode, the sources every EXCLUDE socket excludes and no
 * INCLUDE socket includes; in INCLUDE mode, any socket's sources. */
static inline bool listed(const struct hs_group *g, const struct hs_src *s)
{
	return g->n_ex ? s->ex_cnt == g->n_ex && s->in_cnt == 0 : s->in_cnt != 0;
}

/* hs_state() for this file's callers, inlined: a change asks for the
 * state before and after, a report once more. */
static inline bool state_of(const struct hs_group *g, enum mcast_filter_mode *mode, struct mcast_addr *out,
			    size_t *n)
{
	size_t k = 0;
	for (uint32_t i = 0; i < g->nsrcs; i++)
		if (listed(g, &g->srcs[i]))
			out[k++] = g->srcs[i].addr;
	*n = k;
	*mode = g->n_ex ? MCAST_MODE_EXCLUDE : MCAST_MODE_INCLUDE;
	return g->n_ex || k > 0;
}

bool hs_state(const struct hs_group *g, enum mcast_filter_mode *mode, struct mcast_addr *out,
	      size_t *n)
{
	return state_of(g, mode, out, n);
}

static inline bool reportable(const struct hs_group *g)
{
	return g->reportable;
}

static struct hs_src *src_get(struct hs_group *g, const struct mcast_addr *a)
{
	size_t lo = 0, hi = g->nsrcs;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int c = addr_cmp(&g->srcs[mid].addr, a);
		if (c == 0)
			return &g->srcs[mid];
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (g->nsrcs == g->cap) {
		size_t cap = g->cap ? g->cap * 2u : 1u;
		if (hs_scratch(g->ifc->h, cap) < 0)
			return NULL;
		void *p = mcast_alloc_resize(g->ifc->h->env.al, g->srcs, g->cap * sizeof(*g->srcs),
					     cap * sizeof(*g->srcs));
		if (!p)
			return NULL;
		g->srcs = p;
		g->cap = (uint32_t)cap;
	}
	memmove(&g->srcs[lo + 1], &g->srcs[lo], (g->nsrcs - lo) * sizeof(*g->srcs));
	memset(&g->srcs[lo], 0, sizeof(g->srcs[lo]));
	g->srcs[lo].addr = *a;
	g->nsrcs++;
	return &g->srcs[lo];
}

static void prune(struct hs_group *g)
{
	uint32_t k = 0;
	for (uint32_t i = 0; i < g->nsrcs; i++)
		if (g->srcs[i].in_cnt || g->srcs[i].ex_cnt || g->srcs[i].rexmit) {
			if (k != i)
				g->srcs[k] = g->srcs[i];
			k++;
		}
	g->nsrcs = k;
}

static bool srcs_pending(const struct hs_group *g)
{
	for (uint32_t i = 0; i < g->nsrcs; i++)
		if (g->srcs[i].rexmit)
			return true;
	return false;
}

static bool pending(const struct hs_group *g)
{
	return g->mode_rexmit || g->v12_rexmit || srcs_pending(g);
}

/* Frees the group when nothing holds it any more. */
static void maybe_free(struct hs_group *g)
{
	if (!g->n_ex && !g->n_in && !pending(g))
		hs_group_free(g);
}

static uint32_t unsolicited_ms(const struct hs_iface *ifc)
{
	return ifc->level == 3 ? ifc->cfg.unsolicited_v3_ms : ifc->cfg.unsolicited_v2_ms;
}

/* A random delay in (0, max] ms (0 when max is 0). */
static mcast_time_ms random_delay(struct mcast_host *h, uint32_t max)
{
	return max ? 1 + mcast_rng_below(&h->rng, max) : 0;
}

/* A deadline a random delay in [0, max] ms from now. Deadlines of 0 mean
 * "none", so one that falls on time 0 (a clock that starts at 0, a
 * delay of 0) is taken 1 ms later rather than lost. */
static mcast_time_ms deadline_in(struct mcast_host *h, uint32_t max)
{
	mcast_time_ms t = hs_now(h) + random_delay(h, max);
	return t ? t : 1;
}

static void iface_reschedule(struct hs_iface *ifc)
{
	mcast_time_ms next = MCAST_TIME_NEVER;
	mcast_time_ms cand[5] = { ifc->general_ms, ifc->rexmit_ms, ifc->v1_querier_ms, ifc->v2_querier_ms,
				  ifc->full_ms };
	for (int i = 0; i < 5; i++)
		if (cand[i] && cand[i] < next)
			next = cand[i];
	if (next == MCAST_TIME_NEVER)
		mcast_timer_stop(ifc->h->env.wheel, &ifc->timer);
	else if (!mcast_timer_armed(&ifc->timer) || mcast_timer_deadline(&ifc->timer) != next)
		mcast_timer_start(ifc->h->env.wheel, &ifc->timer, next); /* a burst of changes arms it once */
}

static void group_reschedule(struct hs_group *g)
{
	struct hs_wait *w = g->wait;
	if (!w)
		return;
	mcast_time_ms next = MCAST_TIME_NEVER;
	if (w->resp_ms)
		next = w->resp_ms;
	if (w->v12_ms && w->v12_ms < next)
		next = w->v12_ms;
	if (next == MCAST_TIME_NEVER)
		wait_done(g);
	else
		mcast_timer_start(g->ifc->h->env.wheel, &w->timer, next);
}

/* ---- sending --------------------------------------------------------------- */

static void emit(void *ctx, const uint8_t *pkt, size_t len)
{
	struct hs_iface *ifc = ctx;
	ifc->stats.tx_reports++;
	if (ifc->h->env.send)
		ifc->h->env.send(ifc->h->env.ctx, ifc->ifindex, pkt, len);
}

static void send_v12(struct hs_iface *ifc, struct hs_group *g, enum mcast_msg_kind kind)
{
	struct mcast_host *h = ifc->h;
	uint8_t version = h->family == MCAST_AF_INET ? ifc->level : 1;
	if (kind == MCAST_MSG_LEAVE && h->family == MCAST_AF_INET)
		version = 2;
	int n = mcast_v1v2_encode(h->family, kind, version, &g->addr, 0, &ifc->addr, NULL, h->buf,
				  h->buf_cap);
	if (n <= 0)
		return;
	if (kind == MCAST_MSG_LEAVE)
		ifc->stats.tx_leaves++;
	else
		ifc->stats.tx_reports++;
	if (h->env.send)
		h->env.send(h->env.ctx, ifc->ifindex, h->buf, (size_t)n);
}

static int cmp_group_ptr(const void *a, const void *b)
{
	const struct hs_group *x = *(const struct hs_group *const *)a;
	const struct hs_group *y = *(const struct hs_group *const *)b;
	return addr_cmp(&x->addr, &y->addr);
}

static bool group_before(const struct hs_group *x, const struct hs_group *y)
{
	return addr_cmp(&x->addr, &y->addr) < 0;
}

/* Sorts a report's groups by address. They usually come in order or
 * nearly (a proxy's flush hands them on in the order of the downstream
 * records): one pass sees that, a short run is sorted in place, and only
 * a long run in another order pays for qsort and its calls. */
static void sort_groups(struct hs_group **v, size_t n)
{
	size_t i = 1;
	while (i < n && group_before(v[i - 1], v[i]))
		i++;
	if (i >= n)
		return;
	if (n > 32) {
		qsort(v, n, sizeof(*v), cmp_group_ptr);
		return;
	}
	for (; i < n; i++) {
		struct hs_group *g = v[i];
		size_t k = i;
		for (; k > 0 && group_before(g, v[k - 1]); k--)
			v[k] = v[k - 1];
		v[k] = g;
	}
}

/* The interface's groups sorted by address (reports list them in order). */
static struct hs_group **sorted_groups(struct hs_iface *ifc, size_t *n)
{
	*n = 0;
	struct hs_group **v = mcast_alloc_get(ifc->h->env.al, (ifc->groups.count + 1) * sizeof(*v));
	if (!v)
		return NULL;
	struct bidx_cursor c = { 0 };
	for (struct hs_group *g; (g = bidx_each(&ifc->groups, &c));)
		v[(*n)++] = g;
	qsort(v, *n, sizeof(*v), cmp_group_ptr);
	return v;
}

/* send_state_change() of every queued group: the one at pend[i] leaves
 * the queue, its place left empty (so that freeing it moves nothing),
 * and is freed when nothing else holds it. */
static void take_out(struct hs_iface *ifc, uint32_t i)
{
	struct hs_group *g = ifc->pend[i];
	ifc->pend[i] = NULL;
	g->pend_at = 0;
	maybe_free(g);
}

/* The places take_out() emptied closed up, the others' written again. */
static void close_up(struct hs_iface *ifc)
{
	struct hs_group **v = ifc->pend;
	uint32_t k = 0;
	for (uint32_t i = 0; i < ifc->npend; i++)
		if (v[i]) {
			v[k] = v[i];
			v[k]->pend_at = k + 1;
			k++;
		}
	ifc->npend = k;
}

/* A reported group with nothing left, v[i] of the groups being reported. */
static void done(struct hs_iface *ifc, struct hs_group **v, uint32_t i, bool fresh_only)
{
	if (fresh_only) {
		unqueue(v[i]);
		maybe_free(v[i]);
	} else {
		take_out(ifc, i);
	}
}

/*
 * One State-Change Report with every group that has retransmissions
 * left, in group order; only the pending groups are visited. For a new
 * change while other groups' retransmissions wait for their random time
 * (fresh_only), only the changed groups go now (with whatever of their
 * own is pending: RFC 3376 5.1 merges changes of one group) and the
 * others keep their time: a burst of changes does not spend every
 * earlier group's retransmission microseconds after its first copy.
 */
static void send_state_change(struct hs_iface *ifc)
{
	struct mcast_host *h = ifc->h;
	struct mcast_report_builder rb;
	bool fresh_only = ifc->report_due && ifc->rexmit_ms > hs_now(h);
	ifc->report_due = false; /* (also when nothing can be sent: no busy loop) */
	mcast_timer_stop(h->env.wheel, &ifc->due);
	if (mcast_report_init(&rb, h->family, &ifc->addr, NULL, ifc->cfg.mtu, h->buf, h->buf_cap,
			      emit, ifc) < 0)
		return;
	/* The groups to report: the fresh ones (a change's report at the
	 * instant of the change) or every queued one (the interface's
	 * retransmission, or fresh_all), sorted by address where they are
	 * (usually they came in order: a proxy's flush hands them on in
	 * the order of the downstream records). None is fresh once this
	 * report is out. A fresh group with nothing left leaves the queue
	 * at once (the queue's last takes its place); when every queued
	 * group is reported, one with nothing left is taken out as the
	 * loop goes and the queue closed up after. */
	if (ifc->fresh_all)
		fresh_only = false;
	ifc->fresh_all = false;
	for (uint32_t i = 0; !fresh_only && i < ifc->nfresh; i++)
		ifc->fresh[i]->fresh_at = 0;
	struct hs_group **v = fresh_only ? ifc->fresh : ifc->pend;
	uint32_t ng = fresh_only ? ifc->nfresh : ifc->npend;
	ifc->nfresh = 0;
	sort_groups(v, ng);
	for (uint32_t i = 0; i < ng; i++) {
		struct hs_group *g = v[i];
		g->fresh_at = 0;
		if (!pending(g)) {
			done(ifc, v, i, fresh_only);
			continue;
		}
		/* What is left to send after this report, from the counts as
		 * they are written, not read back: pending() right after the
		 * byte decrement below loads both counters as one 16-bit word,
		 * which a 1-byte store cannot forward, and the load then waits
		 * for the store to reach the cache (half of this function's
		 * time in the proxy's storm, measured). */
		bool left = g->v12_rexmit != 0;
		if (g->mode_rexmit) {
			enum mcast_filter_mode mode;
			size_t n;
			state_of(g, &mode, h->tmp, &n);
			uint8_t type = mode == MCAST_MODE_INCLUDE ? MCAST_CHANGE_TO_INCLUDE : MCAST_CHANGE_TO_EXCLUDE;
			if (n)
				mcast_report_add(&rb, type, &g->addr, h->tmp, n, NULL, 0);
			else
				wire_report_add_group(&rb, type, &g->addr);
			uint8_t m = (uint8_t)(g->mode_rexmit - 1);
			g->mode_rexmit = m;
			/* (sources changed since the mode keep their own counts) */
			left = left || m != 0 || srcs_pending(g);
		} else {
			/* RFC 3376 5.1: a source goes in ALLOW when the
			 * state now lets its traffic in (listed in INCLUDE,
			 * not listed in EXCLUDE), in BLOCK otherwise */
			size_t na = 0, nb = 0;
			for (uint32_t k = 0; k < g->nsrcs; k++) {
				struct hs_src *s = &g->srcs[k];
				if (!s->rexmit)
					continue;
				bool forward = listed(g, s) != (g->n_ex != 0);
				if (forward)
					h->tmp2[na++] = s->addr;
				else
					HS_HALF(h)[nb++] = s->addr;
				left |= --s->rexmit != 0;
			}
			if (na)
				mcast_report_add(&rb, MCAST_ALLOW_NEW_SOURCES, &g->addr, h->tmp2, na, NULL, 0);
			if (nb)
				mcast_report_add(&rb, MCAST_BLOCK_OLD_SOURCES, &g->addr, HS_HALF(h), nb,
						 NULL, 0);
		}
		if (g->nsrcs)
			prune(g);
		/* its records are in the builder (copied): done with the
		 * group when nothing is left to send */
		if (!left)
			done(ifc, v, i, fresh_only);
	}
	if (!fresh_only)
		close_up(ifc);
	mcast_report_flush(&rb);
	/* the retransmission time: kept when others already wait for it */
	bool more = ifc->npend != 0;
	if (!fresh_only || !more) {
		ifc->rexmit_ms = more ? deadline_in(h, unsolicited_ms(ifc)) : 0;
		iface_reschedule(ifc);
	}
}

static void flush_iface(struct mcast_hnode *n, void *arg)
{
	struct hs_iface *ifc = mcast_container_of(n, struct hs_iface, node);
	bool all = *(const bool *)arg;
	if (ifc->report_due)
		send_state_change(ifc);
	/* every retransmission left, back to back (at most [RV] reports) */
	for (unsigned k = 0; all && ifc->rexmit_ms && k < 8; k++)
		send_state_change(ifc);
}

void mcast_host_flush(struct mcast_host *h, bool all)
{
	mcast_htab_walk_safe(&h->ifaces, flush_iface, &all);
	hs_check_invariants(h);
}

/* ---- state changes ---------------------------------------------------------- */

static void contribute(struct hs_group *g, enum mcast_filter_mode m, const struct mcast_addr *s,
		       size_t n, int d, bool *oom)
{
	bool absent = m == MCAST_MODE_INCLUDE && n == 0;
	if (absent)
		return;
	if (m == MCAST_MODE_EXCLUDE)
		g->n_ex += (uint32_t)d;
	else
		g->n_in += (uint32_t)d;
	for (size_t i = 0; i < n; i++) {
		struct hs_src *x = src_get(g, &s[i]);
		if (!x) {
			*oom = true;
			continue;
		}
		if (m == MCAST_MODE_EXCLUDE)
			x->ex_cnt += (uint32_t)d;
		else
			x->in_cnt += (uint32_t)d;
	}
}

/* hs_reserve() for a caller that looked the group up: g, or NULL to make it. */
static struct hs_group *reserve(struct hs_iface *ifc, struct hs_group *g, const struct mcast_addr *ga, uint64_t hh,
				size_t on, size_t nn)
{
	struct mcast_host *h = ifc->h;
	bool made = !g;
	if (made && !(g = group_new(ifc, ga, hh)))
		return NULL;
	/* The group never holds more than nsrcs + on + nn sources during
	 * the change (the state-change report's sources are among them);
	 * the scratch space is kept at least twice the list's room, as
	 * src_get() keeps it. */
	size_t need = (size_t)g->nsrcs + on + nn, cap = g->cap ? g->cap : 1;
	while (cap < need)
		cap *= 2;
	if (hs_scratch(h, 2 * cap + 4) < 0)
		goto fail;
	if (ifc->pend_cap < ifc->groups.count + 1) {
		size_t pc = ifc->pend_cap ? ifc->pend_cap : 16;
		while (pc < ifc->groups.count + 1)
			pc *= 2;
		void *p = mcast_alloc_resize(h->env.al, ifc->pend, ifc->pend_cap * sizeof(*ifc->pend),
					     pc * sizeof(*ifc->pend));
		if (!p)
			goto fail;
		ifc->pend = p;
		ifc->pend_cap = pc;
	}
	/* in v1/v2 a change may start the group's report timer */
	if (ifc->level < 3 && !wait_make(g))
		goto fail;
	/* a group without sources (an ASM join: EXCLUDE {}) has no list */
	if (need > g->cap) {
		void *p = mcast_alloc_resize(h->env.al, g->srcs, g->cap * sizeof(*g->srcs), cap * sizeof(*g->srcs));
		if (!p)
			goto fail;
		g->srcs = p;
		g->cap = (uint32_t)cap;
	}
	return g;
fail:
	if (made)
		hs_group_free(g); /* empty and never reported: gone as it came */
	else
		wait_done(g);
	return NULL;
}

void hs_unreserve(struct hs_group *g)
{
	wait_done(g);
}

struct hs_group *hs_reserve(struct hs_iface *ifc, const struct mcast_addr *ga, uint64_t hh, size_t on, size_t nn)
{
	return reserve(ifc, find_hashed(ifc, ga, hh), ga, hh, on, nn);
}

struct hs_group *hs_reserve_group(struct hs_group *grp, size_t on, size_t nn)
{
	return reserve(grp->ifc, grp, &grp->addr, 0, on, nn);
}

int hs_change(struct hs_iface *ifc, const struct mcast_addr *ga, enum mcast_filter_mode om,
	      const struct mcast_addr *os, size_t on, enum mcast_filter_mode nm,
	      const struct mcast_addr *ns, size_t nn, bool own)
{
	/* all the room first */
	struct hs_group *g = hs_reserve(ifc, ga, hs_hash(ifc->h, ga), on, nn);
	if (!g)
		return -ENOMEM;
	return hs_change_group(g, om, os, on, nm, ns, nn, own);
}

/* A changed group goes in the next State-Change Report. */
static void report_change(struct hs_group *g)
{
	struct hs_iface *ifc = g->ifc;
	mark_fresh(g); /* (queued with it) */
	/* RFC 3376 5.1 / RFC 3810 6.1: sent at once, at this same instant
	 * but after the caller's other changes (a timer due now): a
	 * socket's close, a proxy's flush or a reload changing many groups
	 * make one report, packed, not one per group. Linux merges what
	 * changes within one jiffy the same way. The interface's own timer
	 * keeps its deadline (the next retransmission): a change arms only
	 * the one for now. */
	if (!ifc->report_due) {
		ifc->report_due = true;
		mcast_timer_start(ifc->h->env.wheel, &ifc->due, hs_now(ifc->h));
	}
}

/*
 * A filter that keeps its mode and stays a membership: the interface
 * state keeps its mode too (n_ex does not move), and a source can enter
 * or leave the state only when its own counts move. So only the sources
 * in one list and not the other are visited, each once: no copy of the
 * state before and after, nothing in proportion to the group's other
 * sources (RFC 3376 5.1: each source that changed gets [RV]
 * retransmissions).
 */
int hs_change_sources(struct hs_group *g, enum mcast_filter_mode m, const struct mcast_addr *os, size_t on,
		      const struct mcast_addr *ns, size_t nn)
{
	struct hs_iface *ifc = g->ifc;
	bool report = reportable(g) && ifc->level == 3;
	bool changed = false, emptied = false, oom = false;
	size_t i = 0, j = 0;
	while (i < on || j < nn) {
		int c = i == on ? 1 : j == nn ? -1 : addr_cmp(&os[i], &ns[j]);
		if (c == 0) {
			i++; /* in both lists: its count stays */
			j++;
			continue;
		}
		struct hs_src *x = c < 0 ? src_get(g, &os[i++]) : src_get(g, &ns[j++]);
		if (!x) {
			oom = true; /* (hs_reserve() made the room: not reached) */
			continue;
		}
		bool before = listed(g, x);
		uint32_t *cnt = m == MCAST_MODE_EXCLUDE ? &x->ex_cnt : &x->in_cnt;
		*cnt += c < 0 ? (uint32_t)-1 : 1u;
		emptied |= !x->in_cnt && !x->ex_cnt && !x->rexmit; /* prune() takes it */
		if (report && listed(g, x) != before) {
			x->rexmit = ifc->rv;
			changed = true;
		}
	}
	if (changed)
		report_change(g);
	if (emptied)
		prune(g);
	wait_done(g); /* (one hs_reserve() made for v1/v2: a source change starts no report) */
	return oom ? -ENOMEM : 0;
}

/* In v1/v2 (MLDv1) a group is joined or not: a report when it becomes
 * joined, repeated, a leave when it is left and we were the last to
 * report. */
static void v12_changed(struct hs_group *g, bool joined)
{
	struct hs_iface *ifc = g->ifc;
	if (joined) {
		/* RFC 2236 3: report at once, and again after a short delay. */
		send_v12(ifc, g, MCAST_MSG_REPORT);
		g->reporter = true;
		g->v12_rexmit = ifc->rv > 1 ? (uint8_t)(ifc->rv - 1) : 0;
		/* (the wait record was made with the room, hs_reserve) */
		struct hs_wait *w = g->v12_rexmit ? wait_get(g) : g->wait;
		if (w)
			w->v12_ms = g->v12_rexmit ? deadline_in(ifc->h, unsolicited_ms(ifc)) : 0;
	} else {
		/* RFC 2236 6: a leave when we were the last to report; v1 none. */
		if (g->reporter && ifc->level == 2)
			send_v12(ifc, g, MCAST_MSG_LEAVE);
		if (g->wait)
			g->wait->v12_ms = 0;
		g->v12_rexmit = 0;
		g->reporter = false;
	}
	group_reschedule(g);
}

int hs_set_state(struct hs_iface *ifc, const struct mcast_addr *ga, uint64_t hh, enum mcast_filter_mode nm,
		 const struct mcast_addr *ns, size_t nn)
{
	struct mcast_host *h = ifc->h;
	struct hs_group *g = find_hashed(ifc, ga, hh);
	bool leaving = nm == MCAST_MODE_INCLUDE && nn == 0;
	uint8_t was = g ? g->direct : 0;
	if (leaving && !was)
		return -EADDRNOTAVAIL;
	if (g && (g->n_ex - g->own - (was == HS_DIRECT_EX) || g->n_in - (was == HS_DIRECT_IN)))
		return -EBUSY;
	/* all the room first: afterwards nothing fails */
	if (!(g = reserve(ifc, g, ga, hh, g ? g->nsrcs : 0, nn)))
		return -ENOMEM;
	if (!nn && !g->nsrcs) {
		/* An any-source join or leave (EXCLUDE {} / INCLUDE {}) of a
		 * group without sources, the usual change: the state is the
		 * mode alone, member while n_ex is not 0. */
		bool joined = g->n_ex != 0;
		g->n_ex = g->n_ex - (was == HS_DIRECT_EX) + !leaving;
		g->direct = leaving ? 0 : HS_DIRECT_EX;
		if (joined != (g->n_ex != 0) && reportable(g)) {
			if (ifc->level == 3) {
				g->mode_rexmit = ifc->rv; /* TO_EX {} or TO_IN {} (RFC 3376 5.1) */
				report_change(g);
			} else {
				v12_changed(g, !joined);
			}
		}
		if (g->wait)
			wait_done(g);
		maybe_free(g);
		return 0;
	}
	/* The previous filter from the counts, into tmp2's lower half
	 * (hs_change_group() works in tmp and tmp2's upper half, and the
	 * room reserved means nothing reallocates them meanwhile). */
	enum mcast_filter_mode om = was == HS_DIRECT_EX ? MCAST_MODE_EXCLUDE : MCAST_MODE_INCLUDE;
	size_t on = 0;
	for (uint32_t i = 0; was && i < g->nsrcs; i++)
		if (was == HS_DIRECT_EX ? g->srcs[i].ex_cnt : g->srcs[i].in_cnt)
			h->tmp2[on++] = g->srcs[i].addr;
	g->direct = leaving ? 0 : nm == MCAST_MODE_EXCLUDE ? HS_DIRECT_EX : HS_DIRECT_IN;
	return hs_change_group(g, om, h->tmp2, on, nm, ns, nn, false);
}

int hs_change_group(struct hs_group *g, enum mcast_filter_mode om, const struct mcast_addr *os, size_t on,
		    enum mcast_filter_mode nm, const struct mcast_addr *ns, size_t nn, bool own)
{
	if (!own && om == nm && (om == MCAST_MODE_EXCLUDE || (on && nn)))
		return hs_change_sources(g, om, os, on, ns, nn);
	struct hs_iface *ifc = g->ifc;
	struct mcast_host *h = ifc->h;
	enum mcast_filter_mode m0, m1;
	size_t n0, n1;
	bool was, is, oom = false;
	/* Keep the old state in tmp2's upper half. */
	struct mcast_addr *old = HS_HALF(h);
	if (!g->nsrcs && !on && !nn) {
		/* No source on either side (an any-source join or leave): the
		 * state is its mode, member while any filter is EXCLUDE. */
		was = g->n_ex != 0;
		m0 = was ? MCAST_MODE_EXCLUDE : MCAST_MODE_INCLUDE;
		g->n_ex -= om == MCAST_MODE_EXCLUDE;
		g->n_ex += nm == MCAST_MODE_EXCLUDE;
		n0 = n1 = 0;
	} else {
		was = state_of(g, &m0, h->tmp, &n0);
		if (n0)
			memcpy(old, h->tmp, n0 * sizeof(*old));
		contribute(g, om, os, on, -1, &oom);
		contribute(g, nm, ns, nn, +1, &oom);
	}
	if (own) {
		if (nm == MCAST_MODE_EXCLUDE)
			g->own++;
		else
			g->own--;
	}
	if (!g->nsrcs && !n0) {
		is = g->n_ex != 0;
		m1 = is ? MCAST_MODE_EXCLUDE : MCAST_MODE_INCLUDE;
		n1 = 0;
	} else {
		is = state_of(g, &m1, h->tmp, &n1);
	}
	/* the sources both counts leave at zero stay until the prune()
	 * below: the difference finds every source it marks in place */
	if (reportable(g) && ifc->level == 3 && (m0 != m1 || n0 != n1 ||
						       memcmp(old, h->tmp, n0 * sizeof(*old)) != 0)) {
		if (m0 != m1) {
			g->mode_rexmit = ifc->rv;
			for (uint32_t i = 0; i < g->nsrcs; i++)
				g->srcs[i].rexmit = 0;
		} else {
			/* Every source in one state and not the other. */
			size_t i = 0, j = 0;
			while (i < n0 || j < n1) {
				int c = i == n0 ? 1 : j == n1 ? -1 : addr_cmp(&old[i], &h->tmp[j]);
				const struct mcast_addr *a = c < 0 ? &old[i] : &h->tmp[j];
				if (c != 0) {
					struct hs_src *x = src_get(g, a);
					if (x)
						x->rexmit = ifc->rv;
				}
				if (c <= 0)
					i++;
				if (c >= 0)
					j++;
			}
		}
		report_change(g);
	} else if (reportable(g) && ifc->level < 3 && was != is) {
		v12_changed(g, is);
	}
	if (g->wait)
		wait_done(g); /* (one hs_reserve() made and nothing needed) */
	prune(g); /* sources left without a count or a retransmission */
	maybe_free(g);
	return oom ? -ENOMEM : 0;
}

/* ---- queries -------------------------------------------------------------------- */

/* Current-State records for one group, or for the queried sources. */
static void current_state(struct hs_iface *ifc, struct hs_group *g, struct mcast_report_builder *rb,
			  bool only_sources)
{
	struct mcast_host *h = ifc->h;
	enum mcast_filter_mode mode;
	size_t n;
	if (!state_of(g, &mode, h->tmp, &n) || !reportable(g))
		return;
	if (!only_sources) {
		uint8_t type = mode == MCAST_MODE_INCLUDE ? MCAST_MODE_IS_INCLUDE : MCAST_MODE_IS_EXCLUDE;
		if (n)
			mcast_report_add(rb, type, &g->addr, h->tmp, n, NULL, 0);
		else
			wire_report_add_group(rb, type, &g->addr);
		return;
	}
	/* RFC 3376 5.2: INCLUDE (A) answers IS_IN (A*Q), EXCLUDE (A) IS_IN (Q-A). */
	size_t k = mode == MCAST_MODE_INCLUDE
			   ? mcast_addrs_intersect(h->tmp, n, g->wait->resp_srcs.v, g->wait->resp_srcs.n, h->tmp2)
			   : mcast_addrs_diff(g->wait->resp_srcs.v, g->wait->resp_srcs.n, h->tmp, n, h->tmp2);
	if (k)
		mcast_report_add(rb, MCAST_MODE_IS_INCLUDE, &g->addr, h->tmp2, k, NULL, 0);
}

static void group_timer(struct mcast_timer *t, void *arg)
{
	(void)t;
	struct hs_group *g = arg;
	struct hs_wait *w = g->wait;
	struct hs_iface *ifc = g->ifc;
	struct mcast_host *h = ifc->h;
	mcast_time_ms now = hs_now(h);
	if (w->resp_ms && w->resp_ms <= now) {
		w->resp_ms = 0;
		if (ifc->level == 3) {
			struct mcast_report_builder rb;
			if (mcast_report_init(&rb, h->family, &ifc->addr, NULL, ifc->cfg.mtu, h->buf,
					      h->buf_cap, emit, ifc) == 0) {
				current_state(ifc, g, &rb, w->resp_sources);
				mcast_report_flush(&rb);
			}
		}
		w->resp_sources = false;
		w->resp_srcs.n = 0;
	}
	if (w->v12_ms && w->v12_ms <= now) {
		w->v12_ms = 0;
		enum mcast_filter_mode mode;
		size_t n;
		if (state_of(g, &mode, h->tmp, &n) && reportable(g)) {
			send_v12(ifc, g, MCAST_MSG_REPORT);
			g->reporter = true;
		}
		if (g->v12_rexmit && --g->v12_rexmit)
			w->v12_ms = deadline_in(h, unsolicited_ms(ifc));
	}
	group_reschedule(g);
	maybe_free(g);
}

/* The version in use: forced, or the oldest querier heard recently. */
static uint8_t level_now(const struct hs_iface *ifc)
{
	const struct mcast_host *h = ifc->h;
	mcast_time_ms now = hs_now(h);
	if (ifc->cfg.force_version)
		return h->family == MCAST_AF_INET ? ifc->cfg.force_version
						  : (uint8_t)(ifc->cfg.force_version + 1);
	if (ifc->v1_querier_ms > now)
		return 1;
	if (ifc->v2_querier_ms > now)
		return 2;
	return 3;
}

/* RFC 3376 7.2.1: a change of mode cancels pending responses and
 * retransmissions. */
static void update_level(struct hs_iface *ifc)
{
	uint8_t l = level_now(ifc);
	if (l == ifc->level)
		return;
	ifc->level = l;
	ifc->general_ms = 0;
	ifc->rexmit_ms = 0;
	ifc->report_due = false;
	while (ifc->npend)
		unqueue(ifc->pend[ifc->npend - 1]);
	ifc->fresh_all = false;
	size_t ng;
	struct hs_group **v = sorted_groups(ifc, &ng);
	for (size_t i = 0; v && i < ng; i++) {
		struct hs_group *g = v[i];
		if (g->wait)
			g->wait->resp_ms = g->wait->v12_ms = 0;
		g->mode_rexmit = g->v12_rexmit = 0;
		unfresh(g);
		for (uint32_t k = 0; k < g->nsrcs; k++)
			g->srcs[k].rexmit = 0;
		prune(g);
		group_reschedule(g);
		maybe_free(g);
	}
	mcast_alloc_free(ifc->h->env.al, v, (ng + 1) * sizeof(*v));
}

void hs_iface_timer(struct mcast_timer *t, void *arg)
{
	(void)t;
	struct hs_iface *ifc = arg;
	struct mcast_host *h = ifc->h;
	mcast_time_ms now = hs_now(h);
	if (ifc->v1_querier_ms && ifc->v1_querier_ms <= now)
		ifc->v1_querier_ms = 0;
	if (ifc->v2_querier_ms && ifc->v2_querier_ms <= now)
		ifc->v2_querier_ms = 0;
	update_level(ifc);
	/* upstream-report-interval: the whole state, unasked, as the answer
	 * to a general query would give it (v1/v2: a report per group) */
	if (ifc->full_ms && ifc->full_ms <= now) {
		ifc->full_ms = now + ifc->cfg.full_report_ms;
		if (ifc->level == 3) {
			ifc->general_ms = now;
		} else {
			size_t ng;
			struct hs_group **v = sorted_groups(ifc, &ng);
			for (size_t i = 0; v && i < ng; i++) {
				enum mcast_filter_mode mode;
				size_t n;
				if (state_of(v[i], &mode, h->tmp, &n) && reportable(v[i]))
					send_v12(ifc, v[i], MCAST_MSG_REPORT);
			}
			mcast_alloc_free(h->env.al, v, (ng + 1) * sizeof(*v));
		}
	}
	if (ifc->general_ms && ifc->general_ms <= now) {
		ifc->general_ms = 0;
		struct mcast_report_builder rb;
		if (mcast_report_init(&rb, h->family, &ifc->addr, NULL, ifc->cfg.mtu, h->buf, h->buf_cap,
				      emit, ifc) == 0) {
			size_t ng;
			struct hs_group **v = sorted_groups(ifc, &ng);
			for (size_t i = 0; v && i < ng; i++)
				current_state(ifc, v[i], &rb, false);
			mcast_alloc_free(h->env.al, v, (ng + 1) * sizeof(*v));
			mcast_report_flush(&rb);
		}
	}
	if (ifc->report_due || (ifc->rexmit_ms && ifc->rexmit_ms <= now))
		send_state_change(ifc);
	iface_reschedule(ifc);
}

/* The report of the changes made at this instant (RFC 3376 5.1, RFC 3810
 * 6.1), in the version in use now. */
void hs_iface_due(struct mcast_timer *t, void *arg)
{
	(void)t;
	struct hs_iface *ifc = arg;
	/* (v3 with no older querier heard and nothing forced: nothing to look at) */
	if (ifc->level != 3 || ifc->v1_querier_ms || ifc->v2_querier_ms || ifc->cfg.force_version)
		update_level(ifc);
	if (ifc->report_due)
		send_state_change(ifc);
}

static void query_v3(struct hs_iface *ifc, const struct mcast_msg *m)
{
	struct mcast_host *h = ifc->h;
	mcast_time_ms at = deadline_in(h, m->max_resp_ms);
	/* 5.2 rule 1: an earlier pending general response covers it. */
	if (ifc->general_ms && ifc->general_ms <= at)
		return;
	if (mcast_addr_is_unspecified(&m->group)) {
		ifc->general_ms = at; /* rule 2 */
		iface_reschedule(ifc);
		return;
	}
	struct hs_group *g = hs_group_find(ifc, &m->group);
	enum mcast_filter_mode mode;
	size_t n;
	if (!g || !state_of(g, &mode, h->tmp, &n))
		return;
	/* room for the response and the queried sources first: no memory,
	 * no change (counted) */
	struct hs_wait *w = wait_get(g);
	if (!w)
		return;
	if ((!w->resp_ms || (m->nsrcs && w->resp_sources)) &&
	    mcast_srcset_reserve(&w->resp_srcs, h->env.al, (w->resp_ms ? w->resp_srcs.n : 0) + (size_t)m->nsrcs) < 0) {
		ifc->stats.nomem++;
		wait_done(g); /* (made for this query: nothing pending) */
		return;
	}
	if (!w->resp_ms) {
		/* Rule 3. */
		w->resp_ms = at;
		w->resp_sources = m->nsrcs > 0;
		mcast_srcset_assign(&w->resp_srcs, h->env.al, m->srcs, m->nsrcs);
	} else if (m->nsrcs == 0 || !w->resp_sources) {
		/* Rule 4: a group query, or one pending for the whole group. */
		w->resp_sources = false;
		w->resp_srcs.n = 0;
		if (at < w->resp_ms)
			w->resp_ms = at;
	} else {
		/* Rule 5: the queried sources accumulate. */
		mcast_srcset_union(&w->resp_srcs, h->env.al, m->srcs, m->nsrcs);
		if (at < w->resp_ms)
			w->resp_ms = at;
	}
	group_reschedule(g);
}

/* The groups a v1/v2 (MLDv1) query may ask about, each with its wait
 * record made. */
struct v12_plan {
	struct hs_group **v;
	size_t n, ng;        /* groups in v; the array's size (ng + 1) */
};

/*
 * Before a query changes anything: the groups it may ask about (group,
 * or all when general) with a wait record each, so that a query without
 * the memory changes nothing (counted). The groups are members, which
 * nothing the query does frees; update_level() may give their records
 * back to the pool, from which query_v12() then takes them without
 * allocating. false when memory is out.
 */
static bool v12_prepare(struct hs_iface *ifc, const struct mcast_addr *group, bool general, struct v12_plan *p)
{
	struct mcast_host *h = ifc->h;
	p->n = 0;
	p->v = sorted_groups(ifc, &p->ng);
	if (!p->v) {
		ifc->stats.nomem++;
		return false;
	}
	for (size_t i = 0; i < p->ng; i++) {
		struct hs_group *g = p->v[i];
		enum mcast_filter_mode mode;
		size_t n;
		if (!general && !mcast_addr_eq(group, &g->addr))
			continue;
		if (!state_of(g, &mode, h->tmp, &n) || !reportable(g))
			continue;
		p->v[p->n++] = g;
		if (!wait_make(g)) {
			ifc->stats.nomem++;
			for (size_t j = 0; j < p->n; j++)
				wait_done(p->v[j]); /* the ones made here: nothing pending */
			mcast_alloc_free(h->env.al, p->v, (p->ng + 1) * sizeof(*p->v));
			p->v = NULL;
			return false;
		}
	}
	return true;
}

static void v12_plan_free(struct hs_iface *ifc, struct v12_plan *p)
{
	for (size_t i = 0; i < p->n; i++)
		wait_done(p->v[i]); /* (made and not used: nothing pending) */
	if (p->v)
		mcast_alloc_free(ifc->h->env.al, p->v, (p->ng + 1) * sizeof(*p->v));
	p->v = NULL;
}

/* v1/v2: each group's report timer, kept if it would fire sooner. */
static void query_v12(struct hs_iface *ifc, const struct mcast_msg *m, struct v12_plan *p)
{
	struct mcast_host *h = ifc->h;
	bool general = mcast_addr_is_unspecified(&m->group);
	for (size_t i = 0; i < p->n; i++) {
		struct hs_group *g = p->v[i];
		if (!general && !mcast_addr_eq(&m->group, &g->addr))
			continue;
		struct hs_wait *w = wait_make(g); /* from the pool's free list if given back */
		if (!w) {
			ifc->stats.nomem++; /* not reached */
			continue;
		}
		mcast_time_ms at = deadline_in(h, m->max_resp_ms);
		if (!w->v12_ms || at < w->v12_ms)
			w->v12_ms = at;
		group_reschedule(g);
	}
	v12_plan_free(ifc, p);
}

void hs_dropped(struct hs_iface *ifc, const struct mcast_ip_info *ip, enum mcast_drop why)
{
	ifc->stats.drop.count[why]++;
	if (!mcast_ratelimit_ok(&ifc->drop_log, hs_now(ifc->h)))
		return;
	char a[MCAST_ADDR_STRLEN];
	mcast_logf(ifc->h->env.log, MCAST_LOG_DEBUG, MCAST_D_DROPS, "%s: dropped packet from %s: %s", ifc->name,
		   ip ? mcast_addr_str(&ip->src, a) : "?", mcast_drop_name(why));
}

void hs_input(struct hs_iface *ifc, const struct mcast_ip_info *ip)
{
	struct mcast_host *h = ifc->h;
	/* Room for whatever the payload can hold: a source takes at least 4
	 * bytes, a record at least 8. */
	if (hs_scratch(h, ip->payload_len / 4 + 1) < 0 || hs_recs(h, ip->payload_len / 8 + 1) < 0) {
		hs_dropped(ifc, ip, MCAST_DROP_TOO_MANY);
		return;
	}
	struct mcast_msg m = { .srcs = h->tmp2, .srcs_cap = h->tmp_cap, .recs = h->recs, .recs_cap = h->recs_cap };
	struct mcast_wire_policy pol;
	mcast_wire_policy_default(&pol);
	enum mcast_drop why = mcast_msg_decode(&m, ip, &pol);
	if (why != MCAST_DROP_NONE) {
		hs_dropped(ifc, ip, why);
		return;
	}
	uint8_t mlevel = h->family == MCAST_AF_INET ? m.version : (uint8_t)(m.version + 1);
	mcast_time_ms now = hs_now(h);
	if (m.kind == MCAST_MSG_QUERY) {
		/* A v1/v2 answer needs a wait record per group: made before
		 * anything changes (the level only goes down with a v1/v2
		 * query, and an IGMPv3 query in v1 mode asks for every group). */
		struct v12_plan plan = { 0 };
		if ((mlevel < 3 || ifc->level < 3) &&
		    !v12_prepare(ifc, &m.group,
				 mcast_addr_is_unspecified(&m.group) || (ifc->level == 1 && mlevel == 3), &plan))
			return;
		ifc->stats.rx_queries++;
		ifc->querier = ip->src;
		ifc->querier_ms = now ? now : 1;
		if (mlevel == 3) {
			/* RFC 3376 4.1.6, 4.1.7: adopt the querier's QRV and QQI. */
			if (m.qrv)
				ifc->rv = m.qrv;
			if (m.qqi_s)
				ifc->qi_ms = m.qqi_s * 1000;
		}
		/* 7.2.1 / RFC 3810 8.2.1: Older Version Querier Present. */
		mcast_time_ms ovqp = now + (mcast_time_ms)ifc->rv * ifc->qi_ms + 10000;
		if (mlevel == 1)
			ifc->v1_querier_ms = ovqp;
		else if (mlevel == 2)
			ifc->v2_querier_ms = ovqp;
		update_level(ifc);
		m.nsrcs = (uint32_t)mcast_addrs_normalize(m.srcs, m.nsrcs);
		/* RFC 3376 7.2.1: in IGMPv1 mode the host acts as an RFC 1112
		 * host, for which a query has no group and no response code:
		 * an IGMPv3 query is a general one with 10 s to answer (as
		 * Linux's igmp_heard_query()). An IGMPv2 query keeps its own. */
		if (ifc->level == 1 && mlevel == 3 && h->family == MCAST_AF_INET) {
			m.group = mcast_addr_any4;
			m.max_resp_ms = 10000;
		}
		if (ifc->level == 3 && mlevel == 3) {
			v12_plan_free(ifc, &plan);
			query_v3(ifc, &m);
		} else {
			query_v12(ifc, &m, &plan);
		}
		iface_reschedule(ifc);
		return;
	}
	if (m.kind == MCAST_MSG_REPORT) {
		ifc->stats.rx_reports++;
		/* RFC 2236 3: another member reported; ours is not needed. */
		struct hs_group *g = hs_group_find(ifc, &m.group);
		if (g && ifc->level < 3 && !mcast_addr_eq(&ip->src, &ifc->addr)) {
			if (hs_v12_ms(g)) {
				ifc->stats.suppressed++;
				g->wait->v12_ms = 0;
			}
			g->v12_rexmit = 0;
			g->reporter = false;
			group_reschedule(g);
		}
	}
}
