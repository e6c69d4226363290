/*
 * DOC: router group state (RFC 3376 6.2-6.6, RFC 3810 7.2-7.6)
 *
 * A group record on an interface holds its filter mode, group timer and
 * a sorted array of sources with per-source timers, kept as absolute
 * deadlines; one wheel timer per group fires at the earliest of them.
 * A source's deadline 0 is "timer 0": the EXCLUDE mode's excluded list
 * (Y); any other source is requested (INCLUDE's A, EXCLUDE's X).
 *
 * The action tables of RFC 3376 6.4.1 and 6.4.2 (RFC 3810 7.4.1, 7.4.2)
 * are data: for each filter mode and record type, what happens to each
 * class of source (in X and in the record, in X only, in Y and in the
 * record, in Y only, new in the record), whether the mode becomes
 * EXCLUDE, whether the group timer is set to GMI, which classes are
 * queried and whether a group query is sent. Every change is computed
 * into a scratch array first, diffed against the current one to report
 * forwarding changes, then committed.
 */
#include <errno.h>
#include <string.h>

#include "rt.h"

enum { A_NONE, A_KEEP, A_DEL, A_GMI, A_ZERO, A_GT };
enum { C_XB, C_XN, C_YB, C_YN, C_NB, C_COUNT };
#define QC(c) (1u << (c))

struct rt_rule {
	uint8_t act[C_COUNT];
	uint8_t query;        /* classes that go into Q(G,...) */
	bool to_exclude;      /* the new mode is EXCLUDE */
	bool gt_gmi;          /* Group Timer = GMI */
	bool query_group;     /* Send Q(G) */
};

/* rules[exclude][record type]. IS_IN and ALLOW act alike (6.4.1/6.4.2). */
static const struct rt_rule rules[2][7] = {
	[0] = {
		/* INCLUDE (A) + IS_IN (B) -> INCLUDE (A+B); (B)=GMI */
		[MCAST_MODE_IS_INCLUDE] = { { A_GMI, A_KEEP, A_NONE, A_NONE, A_GMI }, 0, false, false, false },
		/* INCLUDE (A) + IS_EX (B) -> EXCLUDE (A*B, B-A); (B-A)=0, Delete (A-B), GT=GMI */
		[MCAST_MODE_IS_EXCLUDE] = { { A_KEEP, A_DEL, A_NONE, A_NONE, A_ZERO }, 0, true, true, false },
		/* INCLUDE (A) + TO_IN (B) -> INCLUDE (A+B); (B)=GMI, Send Q(G,A-B) */
		[MCAST_CHANGE_TO_INCLUDE] = { { A_GMI, A_KEEP, A_NONE, A_NONE, A_GMI }, QC(C_XN), false, false, false },
		/* INCLUDE (A) + TO_EX (B) -> EXCLUDE (A*B, B-A); (B-A)=0, Delete (A-B), Send Q(G,A*B), GT=GMI */
		[MCAST_CHANGE_TO_EXCLUDE] = { { A_KEEP, A_DEL, A_NONE, A_NONE, A_ZERO }, QC(C_XB), true, true, false },
		/* INCLUDE (A) + ALLOW (B) -> INCLUDE (A+B); (B)=GMI */
		[MCAST_ALLOW_NEW_SOURCES] = { { A_GMI, A_KEEP, A_NONE, A_NONE, A_GMI }, 0, false, false, false },
		/* INCLUDE (A) + BLOCK (B) -> INCLUDE (A); Send Q(G,A*B) */
		[MCAST_BLOCK_OLD_SOURCES] = { { A_KEEP, A_KEEP, A_NONE, A_NONE, A_NONE }, QC(C_XB), false, false, false },
	},
	[1] = {
		/* EXCLUDE (X,Y) + IS_IN (A) -> EXCLUDE (X+A, Y-A); (A)=GMI */
		[MCAST_MODE_IS_INCLUDE] = { { A_GMI, A_KEEP, A_GMI, A_KEEP, A_GMI }, 0, true, false, false },
		/* EXCLUDE (X,Y) + IS_EX (A) -> EXCLUDE (A-Y, Y*A); (A-X-Y)=GMI, Delete (X-A), Delete (Y-A), GT=GMI */
		[MCAST_MODE_IS_EXCLUDE] = { { A_KEEP, A_DEL, A_KEEP, A_DEL, A_GMI }, 0, true, true, false },
		/* EXCLUDE (X,Y) + TO_IN (A) -> EXCLUDE (X+A, Y-A); (A)=GMI, Send Q(G,X-A), Send Q(G) */
		[MCAST_CHANGE_TO_INCLUDE] = { { A_GMI, A_KEEP, A_GMI, A_KEEP, A_GMI }, QC(C_XN), true, false, true },
		/* EXCLUDE (X,Y) + TO_EX (A) -> EXCLUDE (A-Y, Y*A); (A-X-Y)=Group Timer, Delete (X-A),
		 * Delete (Y-A), Send Q(G,A-Y), GT=GMI */
		[MCAST_CHANGE_TO_EXCLUDE] = { { A_KEEP, A_DEL, A_KEEP, A_DEL, A_GT }, QC(C_XB) | QC(C_NB), true, true, false },
		/* EXCLUDE (X,Y) + ALLOW (A) -> EXCLUDE (X+A, Y-A); (A)=GMI */
		[MCAST_ALLOW_NEW_SOURCES] = { { A_GMI, A_KEEP, A_GMI, A_KEEP, A_GMI }, 0, true, false, false },
		/* EXCLUDE (X,Y) + BLOCK (A) -> EXCLUDE (X+(A-Y), Y); (A-X-Y)=Group Timer, Send Q(G,A-Y) */
		[MCAST_BLOCK_OLD_SOURCES] = { { A_KEEP, A_KEEP, A_KEEP, A_KEEP, A_GT }, QC(C_XB) | QC(C_NB), true, false, false },
	},
};


/* A limit refused something: counted by the caller, said here at most
 * three times in ten seconds per interface (a hostile host hits limits
 * at line rate). */
static void limit_hit(struct rt_iface *ifc, const struct mcast_addr *g, const char *what, const char *limit,
		      uint32_t value)
{
	if (!mcast_ratelimit_ok(&ifc->limit_log, ifc->r->env.wheel->now_ms))
		return;
	char a[MCAST_ADDR_STRLEN];
	mcast_logf(ifc->r->env.log, MCAST_LOG_WARNING, MCAST_D_STATES, "%s: %s %s refused: %s %u reached", ifc->name,
		   what, mcast_addr_str(g, a), limit, value);
}

static uint64_t group_hash(const struct mcast_router *r, const struct mcast_addr *g)
{
	return mcast_addr_hash(g, r->env.hash_seed);
}

uint64_t rt_group_hash(const void *group, const void *router)
{
	return group_hash(router, &((const struct rt_group *)group)->addr);
}

BIDX_INLINE struct rt_group *find_hashed(const struct rt_iface *ifc, const struct mcast_addr *g, uint64_t h)
{
	struct bidx_iter it;
	for (struct rt_group *grp = bidx_first(&ifc->groups, h, &it); grp; grp = bidx_next(&ifc->groups, &it))
		if (mcast_addr_eq(&grp->addr, g))
			return grp;
	return NULL;
}

struct rt_group *rt_group_find(const struct rt_iface *ifc, const struct mcast_addr *g)
{
	return find_hashed(ifc, g, group_hash(ifc->r, g));
}

struct rt_group *rt_group_find_hashed(const struct rt_iface *ifc, const struct mcast_addr *g, uint64_t h)
{
	return find_hashed(ifc, g, h);
}

uint8_t rt_group_level(const struct rt_iface *ifc, const struct rt_group *grp)
{
	const struct rt_group_more *x = grp->more;
	if (!x)
		return ifc->level;
	mcast_time_ms now = rt_now(ifc->r);
	if (x->v1_host_ms > now)
		return 1;
	if (x->v2_host_ms > now && ifc->level > 2)
		return 2;
	return ifc->level;
}

/* ---- forwarding changes ------------------------------------------------ */

static enum mcast_fwd src_fwd(const struct rt_source *s)
{
	return s->deadline_ms ? MCAST_FWD_INCLUDE : MCAST_FWD_EXCLUDE;
}

static void notify(struct rt_iface *ifc, const struct mcast_addr *g, const struct mcast_addr *src,
		   enum mcast_fwd old, enum mcast_fwd now)
{
	struct mcast_router *r = ifc->r;
	if (old != now && r->env.fwd_change)
		r->env.fwd_change(r->env.ctx, ifc->ifindex, g, src, old, now);
}

/* Reports the differences between two states of group g. Called after
 * the new state is in place, so that listeners asking the engine see it. */
static void diff(struct rt_iface *ifc, const struct mcast_addr *g, bool old_exclude,
		 const struct rt_source *ov, uint32_t on, bool new_exclude, const struct rt_source *nv,
		 uint32_t nn)
{
	uint32_t i = 0, j = 0;
	if (old_exclude != new_exclude)
		notify(ifc, g, ifc->r->pf->any, old_exclude ? MCAST_FWD_INCLUDE : MCAST_FWD_NONE,
		       new_exclude ? MCAST_FWD_INCLUDE : MCAST_FWD_NONE);
	while (i < on || j < nn) {
		int c = i == on ? 1 : j == nn ? -1 : addr_cmp(&ov[i].addr, &nv[j].addr);
		if (c < 0) {
			notify(ifc, g, &ov[i].addr, src_fwd(&ov[i]), MCAST_FWD_NONE);
			i++;
		} else if (c > 0) {
			notify(ifc, g, &nv[j].addr, MCAST_FWD_NONE, src_fwd(&nv[j]));
			j++;
		} else {
			notify(ifc, g, &nv[j].addr, src_fwd(&ov[i]), src_fwd(&nv[j]));
			i++;
			j++;
		}
	}
}

/* Room for n sources in an array of them that doubles from first: the
 * test inline (the packet path asks for room it has), the growth not. */
__attribute__((noinline)) static int grow_sources_slow(const struct mcast_alloc *al, struct rt_source **v,
						       uint32_t *cap, size_t n, size_t first)
{
	size_t c = *cap ? *cap : first;
	while (c < n)
		c *= 2;
	void *p = mcast_alloc_resize(al, *v, *cap * sizeof(**v), c * sizeof(**v));
	if (!p)
		return -ENOMEM;
	*v = p;
	*cap = (uint32_t)c;
	return 0;
}

static inline int grow_sources(const struct mcast_alloc *al, struct rt_source **v, uint32_t *cap, size_t n,
			       size_t first)
{
	return n <= *cap ? 0 : grow_sources_slow(al, v, cap, n, first);
}

/* Room for n sources in r->prev (the previous state kept for diff()). */
static int reserve_prev(struct mcast_router *r, size_t n)
{
	return grow_sources(r->env.al, &r->prev, &r->prev_cap, n, 64);
}

/* Room for n sources in the group's own list: from what the first
 * records ask (one for an SSM channel, IPTV's usual), doubling. */
static size_t srcs_bytes(size_t cap)
{
	return cap ? sizeof(struct rt_srcs) + cap * sizeof(struct rt_source) : 0;
}

/* Room for n elements in a counted array (a header of hdr bytes, then
 * elements) holding had, doubling from one: the block, moved or not,
 * with *cap its room (the caller writes both into its header), or NULL
 * with nothing changed when memory is out or the room would pass max. */
static void *grow_counted(const struct mcast_alloc *al, void *p, size_t hdr, size_t elem, size_t had, size_t n,
			  size_t max, size_t *cap)
{
	size_t c = had ? had : 1;
	while (c < n)
		c *= 2;
	if (c > max)
		return NULL;
	void *q = mcast_alloc_resize(al, p, had ? hdr + had * elem : 0, hdr + c * elem);
	if (q)
		*cap = c;
	return q;
}

__attribute__((noinline)) static int grow_srcs(struct rt_iface *ifc, struct rt_group *grp, size_t n)
{
	size_t had = grp->sv ? grp->sv->cap : 0, cap;
	struct rt_srcs *p = grow_counted(ifc->r->env.al, grp->sv, sizeof(*p), sizeof(p->v[0]), had, n, UINT32_MAX,
					 &cap);
	if (!p)
		return -ENOMEM;
	if (!had)
		p->n = 0;
	p->cap = (uint32_t)cap;
	grp->sv = p;
	return 0;
}

static inline int reserve_srcs(struct rt_iface *ifc, struct rt_group *grp, size_t n)
{
	return n <= (grp->sv ? grp->sv->cap : 0) ? 0 : grow_srcs(ifc, grp, n);
}

static size_t hosts_bytes(size_t cap)
{
	return cap ? sizeof(struct rt_hosts) + cap * sizeof(struct rt_host) : 0;
}

/* Room for n tracked hosts: from one, doubling. Most groups on a LAN
 * have one member (a set-top box, a receiver): a group tracks it in 48
 * bytes, not the 192 of a first room for four. */
static int reserve_hosts(struct rt_iface *ifc, struct rt_group *grp, size_t n)
{
	size_t had = grp->hosts ? grp->hosts->cap : 0, cap;
	if (n <= had)
		return 0;
	struct rt_hosts *p = grow_counted(ifc->r->env.al, grp->hosts, sizeof(*p), sizeof(p->v[0]), had, n,
					  UINT16_MAX, &cap);
	if (!p)
		return -ENOMEM;
	if (!had)
		p->n = 0;
	p->cap = (uint16_t)cap;
	grp->hosts = p;
	return 0;
}

/* The group's rarely needed part, made when first asked for (zeroed);
 * NULL when memory is out. */
static struct rt_group_more *more_get(struct rt_iface *ifc, struct rt_group *grp)
{
	if (!grp->more && (grp->more = mcast_alloc_get(ifc->r->env.al, sizeof(*grp->more))))
		memset(grp->more, 0, sizeof(*grp->more));
	return grp->more;
}

/* Copies the group's state to r->prev; false when memory is out. */
static bool save_prev(struct mcast_router *r, const struct rt_group *grp)
{
	if (reserve_prev(r, rt_nsrcs(grp)) < 0)
		return false;
	if (rt_nsrcs(grp))
		memcpy(r->prev, rt_srcs(grp), rt_nsrcs(grp) * sizeof(struct rt_source));
	return true;
}

static int reserve_scratch(struct mcast_router *r, size_t n)
{
	return grow_sources(r->env.al, &r->scratch, &r->scratch_cap, n, 64);
}

static void reschedule(struct rt_iface *ifc, struct rt_group *grp)
{
	mcast_time_ms next = MCAST_TIME_NEVER;
#define EARLIER(t)                                                                   \
	do {                                                                         \
		if ((t) && (t) < next)                                               \
			next = (t);                                                  \
	} while (0)
	if (rt_exclude(grp))
		EARLIER(rt_group_deadline(grp));
	if (grp->more)
		EARLIER(grp->more->next_query_ms);
	for (uint32_t i = 0; i < rt_nsrcs(grp); i++)
		EARLIER(grp->sv->v[i].deadline_ms);
	for (uint16_t i = 0; i < rt_nhosts(grp); i++)
		EARLIER(grp->hosts->v[i].deadline_ms);
#undef EARLIER
	struct mcast_lean_wheel *w = &ifc->gwheel;
	if (next == MCAST_TIME_NEVER)
		mcast_lean_stop(w, &grp->timer);
	else if (!mcast_tnode_armed(&grp->timer) || grp->timer.deadline_ms > next)
		mcast_lean_start(w, &grp->timer, next);
	/* else the timer is armed earlier than needed and stays: a refresh
	 * (the common change) only moves deadlines later, and moving the
	 * timer would write to its neighbours in the wheel, two other
	 * groups' lines. It fires, finds nothing due (rt_group_timer_fired
	 * changes nothing then) and is armed at the deadline of that time. */
}

static void free_hosts(struct rt_iface *ifc, struct rt_group *grp)
{
	const struct mcast_alloc *al = ifc->r->env.al;
	struct rt_hosts *hs = grp->hosts;
	if (!hs)
		return;
	for (uint16_t i = 0; i < hs->n; i++) {
		ifc->nsources -= 1 + (uint32_t)hs->v[i].srcs.n;
		mcast_srcset_free(&hs->v[i].srcs, al);
	}
	mcast_alloc_free(al, hs, hosts_bytes(hs->cap));
	grp->hosts = NULL;
}

void rt_group_drop(struct rt_iface *ifc, struct rt_group *grp)
{
	struct mcast_router *r = ifc->r;
	ifc->nsources -= rt_nsrcs(grp);
	if (grp->sv)
		mcast_alloc_free(r->env.al, grp->sv, srcs_bytes(grp->sv->cap));
	free_hosts(ifc, grp);
	mcast_alloc_free(r->env.al, grp->more, sizeof(*grp->more));
	r->group_frees++;
	mcast_pool_put(&r->group_pool, grp);
}

static void group_free(struct rt_iface *ifc, struct rt_group *grp)
{
	mcast_lean_stop(&ifc->gwheel, &grp->timer);
	bidx_remove(&ifc->groups, grp, group_hash(ifc->r, &grp->addr));
	rt_group_drop(ifc, grp);
}

void rt_group_destroy(struct rt_iface *ifc, struct rt_group *grp, bool notify_fwd)
{
	struct mcast_router *r = ifc->r;
	struct mcast_addr g = grp->addr;
	bool ex = rt_exclude(grp);
	uint32_t n = rt_nsrcs(grp);
	bool saved = notify_fwd && save_prev(r, grp);
	group_free(ifc, grp);
	if (saved)
		diff(ifc, &g, ex, r->prev, n, false, NULL, 0);
}

/* Installs scratch[0..n) as the group's sources, then reports the
 * changes; the group goes when INCLUDE mode has no source left (RFC 3376
 * 6.5). */
static void commit(struct rt_iface *ifc, struct rt_group *grp, bool new_exclude, uint32_t n)
{
	struct mcast_router *r = ifc->r;
	struct mcast_addr g = grp->addr;
	bool old_exclude = rt_exclude(grp);
	uint32_t on = rt_nsrcs(grp);
	/* Callers reserved the room (rt_records_prepare, the timer), so
	 * neither of these fails; if one did, the old state stays whole. */
	if (!save_prev(r, grp))
		return;
	if (!new_exclude && n == 0 && !rt_slot(grp)) {
		group_free(ifc, grp);
		diff(ifc, &g, old_exclude, r->prev, on, false, NULL, 0);
		return;
	}
	/* (an emptied group of the packet being applied stays, with its
	 * room, until rt_records_done(): a later record may fill it again) */
	if (reserve_srcs(ifc, grp, n) < 0) {
		reschedule(ifc, grp);
		return;
	}
	if (n)
		memcpy(grp->sv->v, r->scratch, n * sizeof(struct rt_source));
	ifc->nsources = ifc->nsources - on + n;
	if (grp->sv)
		grp->sv->n = n;
	rt_set_exclude(grp, new_exclude);
	reschedule(ifc, grp);
	r->notify_grp = grp;
	diff(ifc, &g, old_exclude, r->prev, on, new_exclude, rt_srcs(grp), n);
	r->notify_grp = NULL;
}

/* ---- queries (RFC 3376 6.6.3) ------------------------------------------ */

static void emit_query(void *ctx, const uint8_t *pkt, size_t len)
{
	struct rt_iface *ifc = ctx;
	ifc->r->env.send(ifc->r->env.ctx, ifc->ifindex, pkt, len);
}

static void send_query(struct rt_iface *ifc, const struct mcast_addr *g, bool s_flag,
		       const struct mcast_addr *srcs, size_t n)
{
	struct mcast_router *r = ifc->r;
	struct mcast_query_params q = {
		.family = r->family,
		.version = ifc->cfg.version,
		.group = *g,
		.max_resp_ms = ifc->cfg.last_member_interval_ms,
		.s_flag = s_flag,
		.qrv = ifc->rv,
		.qqi_s = ifc->qi_ms / 1000,
		.srcs = srcs,
		.nsrcs = n,
	};
	if (r->env.send &&
	    mcast_query_encode(&q, &ifc->addr, NULL, ifc->mtu, r->buf, r->buf_cap, emit_query, ifc) > 0) {
		if (n)
			ifc->stats.tx_source_queries++;
		else
			ifc->stats.tx_group_queries++;
	}
}

/*
 * Sends this round of the group's specific queries: Q(G) while it has
 * retransmissions left, S set when the group timer is above LMQT; and
 * Q(G,X) as two messages, S set for the sources whose timers are above
 * LMQT and S clear for the others (6.6.3.2), the S-set one dropped when
 * Q(G) goes out in the same round.
 */
static void send_specific(struct rt_iface *ifc, struct rt_group *grp)
{
	struct mcast_router *r = ifc->r;
	mcast_time_ms now = rt_now(r), lmqt = rt_lmqt(ifc);
	bool sent_group = false;
	struct rt_group_more *x = grp->more;
	if (!ifc->querier || ifc->level == 1 || !x) {
		/* (a group with retransmissions to send has its more: made
		 * with the room for the record that started them) */
		for (uint32_t i = 0; i < rt_nsrcs(grp); i++)
			grp->sv->v[i].rexmit = 0;
		if (x) {
			x->group_rexmit = 0;
			x->next_query_ms = 0;
		}
		return;
	}
	if (x->group_rexmit) {
		bool s = rt_exclude(grp) && rt_group_deadline(grp) > now + lmqt;
		send_query(ifc, &grp->addr, s, NULL, 0);
		x->group_rexmit--;
		sent_group = true;
	}
	bool more = x->group_rexmit > 0;
	if (ifc->level == 3) {
		/* rec_srcs is free here: the record being handled, if any, was
		 * applied already. Without memory for every source, those
		 * that fit are queried now and the rest at the next turn. */
		size_t cap = rt_reserve(r, (void **)&r->rec_srcs, &r->rec_srcs_cap, rt_nsrcs(grp),
					sizeof(*r->rec_srcs)) == 0 ? rt_nsrcs(grp) : r->rec_srcs_cap;
		for (int pass = 0; pass < 2; pass++) {
			size_t n = 0;
			bool s_flag = pass == 0;
			for (uint32_t i = 0; i < rt_nsrcs(grp); i++) {
				struct rt_source *s = &grp->sv->v[i];
				if (!s->rexmit)
					continue;
				bool above = s->deadline_ms > now + lmqt;
				if (above != s_flag)
					continue;
				if (n == cap) {
					more = true;
					break;
				}
				r->rec_srcs[n++] = s->addr;
				s->rexmit--;
				more |= s->rexmit > 0;
			}
			if (n && !(s_flag && sent_group))
				send_query(ifc, &grp->addr, s_flag, r->rec_srcs, n);
		}
	} else {
		for (uint32_t i = 0; i < rt_nsrcs(grp); i++)
			grp->sv->v[i].rexmit = 0;
	}
	x->next_query_ms = more ? now + ifc->cfg.last_member_interval_ms : 0;
}

/* ---- explicit tracking (fast leave) ------------------------------------ */

static struct rt_host *host_find(struct rt_group *grp, const struct mcast_addr *h)
{
	for (uint16_t i = 0; i < rt_nhosts(grp); i++)
		if (mcast_addr_eq(&grp->hosts->v[i].addr, h))
			return &grp->hosts->v[i];
	return NULL;
}

static void host_remove(struct rt_iface *ifc, struct rt_group *grp, struct rt_host *h)
{
	ifc->nsources -= 1 + (uint32_t)h->srcs.n;
	mcast_srcset_free(&h->srcs, ifc->r->env.al);
	*h = grp->hosts->v[--grp->hosts->n];
}

/* Follows each host's own filter (RFC 3376 3.2 semantics per host). */
static void track(struct rt_iface *ifc, struct rt_group *grp, const struct mcast_addr *host, uint8_t type,
		  const struct mcast_addr *B, size_t nb)
{
	const struct mcast_alloc *al = ifc->r->env.al;
	if (rt_untracked(grp) || mcast_addr_is_unspecified(host))
		return;
	struct rt_host *h = host_find(grp, host);
	if (!h) {
		bool joins = type == MCAST_MODE_IS_EXCLUDE || type == MCAST_CHANGE_TO_EXCLUDE ||
			     ((type == MCAST_MODE_IS_INCLUDE || type == MCAST_CHANGE_TO_INCLUDE ||
			       type == MCAST_ALLOW_NEW_SOURCES) && nb > 0);
		if (!joins)
			return;
		if (rt_nhosts(grp) >= ifc->cfg.max_hosts ||
		    (ifc->cfg.max_total_sources && ifc->nsources >= ifc->cfg.max_total_sources)) {
			rt_set_untracked(grp); /* from now on, never fast leave this group */
			ifc->stats.host_limit++;
			limit_hit(ifc, &grp->addr, "host tracking for", "max-hosts or max-total-sources", ifc->cfg.max_hosts);
			return;
		}
		if (reserve_hosts(ifc, grp, (size_t)rt_nhosts(grp) + 1) < 0) {
			rt_set_untracked(grp);
			ifc->stats.host_limit++;
			return;
		}
		h = &grp->hosts->v[grp->hosts->n++];
		memset(h, 0, sizeof(*h));
		h->addr = *host;
		/* the room rt_records_prepare() reserved for this new host */
		struct mcast_router *r = ifc->r;
		if (rt_slot(grp) && r->touched[rt_slot(grp) - 1].spare.cap) {
			h->srcs = r->touched[rt_slot(grp) - 1].spare;
			mcast_srcset_init(&r->touched[rt_slot(grp) - 1].spare);
		}
		ifc->nsources++;
	}
	/* A host's list is bounded like a group's (max_sources) and counts
	 * toward the interface's total; past either, the group is no longer
	 * tracked (it leaves by LMQT as without fast leave). */
	size_t before = h->srcs.n, most = before + nb;
	if (type == MCAST_CHANGE_TO_INCLUDE || type == MCAST_CHANGE_TO_EXCLUDE || type == MCAST_MODE_IS_EXCLUDE)
		most = nb;
	if ((ifc->cfg.max_sources && most > ifc->cfg.max_sources) ||
	    (ifc->cfg.max_total_sources && ifc->nsources - before + most > ifc->cfg.max_total_sources)) {
		ifc->stats.host_limit++;
		free_hosts(ifc, grp);
		rt_set_untracked(grp);
		return;
	}
	int rc = 0;
	switch (type) {
	case MCAST_CHANGE_TO_INCLUDE:
	case MCAST_MODE_IS_EXCLUDE:
	case MCAST_CHANGE_TO_EXCLUDE:
		h->exclude = type != MCAST_CHANGE_TO_INCLUDE;
		if (nb || h->srcs.n) /* a refresh's IS_EX {} of IS_EX {}: nothing to copy */
			rc = mcast_srcset_assign(&h->srcs, al, B, nb);
		break;
	/* IS_IN may answer a group-and-source query, and then lists only the
	 * queried sources the host wants (RFC 3376 5.2, RFC 3810 6.3), not
	 * its whole state: it adds wanted sources, like ALLOW, and never
	 * replaces the list or the mode (that would forget sources it still
	 * wants and cut them off at its next BLOCK). */
	case MCAST_MODE_IS_INCLUDE:
	case MCAST_ALLOW_NEW_SOURCES:
		if (h->exclude)
			mcast_srcset_diff(&h->srcs, B, nb);
		else
			rc = mcast_srcset_union(&h->srcs, al, B, nb);
		break;
	case MCAST_BLOCK_OLD_SOURCES:
		if (h->exclude)
			rc = mcast_srcset_union(&h->srcs, al, B, nb);
		else
			mcast_srcset_diff(&h->srcs, B, nb);
		break;
	}
	ifc->nsources = ifc->nsources - (uint32_t)before + (uint32_t)h->srcs.n;
	if (rc < 0) {
		free_hosts(ifc, grp);
		rt_set_untracked(grp);
		return;
	}
	h->deadline_ms = rt_now(ifc->r) + rt_gmi(ifc);
	if (!h->exclude && h->srcs.n == 0)
		host_remove(ifc, grp, h);
}

/*
 * Fast leave on the next state in scratch: with every host's interest
 * known, what no host wants any more goes now instead of after LMQT.
 * Returns the possibly changed filter mode and count.
 */
static uint32_t fast_leave(struct rt_iface *ifc, struct rt_group *grp, bool *exclude, uint32_t n)
{
	struct mcast_router *r = ifc->r;
	for (uint16_t i = 0; i < rt_nhosts(grp); i++)
		if (grp->hosts->v[i].exclude)
			return n; /* someone still wants (*,G): nothing to cut */
	uint32_t k = 0;
	bool cut = false;
	for (uint32_t i = 0; i < n; i++) {
		const struct rt_source *s = &r->scratch[i];
		bool wanted = false;
		for (uint16_t h = 0; h < rt_nhosts(grp) && !wanted; h++)
			wanted = mcast_srcset_has(&grp->hosts->v[h].srcs, &s->addr);
		if (wanted && s->deadline_ms)
			r->scratch[k++] = *s;
		else
			cut = true;
	}
	if (*exclude) {
		*exclude = false;
		if (grp->more)
			grp->more->group_rexmit = 0;
		cut = true;
	}
	if (cut)
		ifc->stats.fast_leaves++;
	return k;
}

/* ---- records (RFC 3376 6.4) --------------------------------------------- */

static struct rt_group *group_create(struct rt_iface *ifc, const struct mcast_addr *g)
{
	struct mcast_router *r = ifc->r;
	if (ifc->cfg.max_groups && ifc->groups.count >= ifc->cfg.max_groups) {
		ifc->stats.group_limit++;
		limit_hit(ifc, g, "group", "max-groups", ifc->cfg.max_groups);
		return NULL;
	}
	struct rt_group *grp = mcast_pool_get(&r->group_pool);
	if (!grp) {
		ifc->stats.group_limit++;
		return NULL;
	}
	grp->addr = *g;
	grp->timer = (struct mcast_tnode){ 0 };
	if (mcast_lean_reserve(&ifc->gwheel) < 0 || bidx_insert(&ifc->groups, grp, group_hash(r, g)) < 0) {
		mcast_pool_put(&r->group_pool, grp);
		ifc->stats.no_memory++;
		return NULL;
	}
	return grp;
}

/* Whether a record of this type for g applies: the access list, then
 * RFC 4604 2.2.3 (in the SSM range EXCLUDE requests are ignored). */
static uint8_t record_verdict(struct rt_iface *ifc, const struct mcast_addr *g, uint8_t type)
{
	struct mcast_router *r = ifc->r;
	if (r->env.allow && !r->env.allow(r->env.ctx, ifc->ifindex, g, r->pf->any))
		return RT_REC_DENIED;
	if (rt_is_ssm(ifc, g) && (type == MCAST_MODE_IS_EXCLUDE || type == MCAST_CHANGE_TO_EXCLUDE))
		return RT_REC_SSM;
	return RT_REC_APPLIES;
}

static void group_record(struct rt_iface *ifc, const struct mcast_addr *g, uint8_t type,
			 const struct mcast_addr *B, size_t nb, const struct mcast_addr *host,
			 uint8_t older, const struct rt_prep *p);

/* The record's group and hash stay readable while it is applied: a
 * listener told of a change (the proxy) takes the hash as made. */
void rt_group_record(struct rt_iface *ifc, const struct mcast_addr *g, uint8_t type,
		     const struct mcast_addr *B, size_t nb, const struct mcast_addr *host,
		     uint8_t older, const struct rt_prep *p)
{
	struct mcast_router *r = ifc->r;
	r->rec_g = g;
	r->rec_hh = p->hh;
	group_record(ifc, g, type, B, nb, host, older, p);
	r->rec_g = NULL;
}

static void group_record(struct rt_iface *ifc, const struct mcast_addr *g, uint8_t type,
			 const struct mcast_addr *B, size_t nb, const struct mcast_addr *host,
			 uint8_t older, const struct rt_prep *p)
{
	struct mcast_router *r = ifc->r;
	mcast_time_ms now = rt_now(r);
	uint32_t gmi = rt_gmi(ifc);

	if (p->verdict == RT_REC_DENIED) {
		ifc->stats.acl_denied++;
		return;
	}
	if (p->verdict == RT_REC_SSM) {
		ifc->stats.ssm_ignored++;
		return;
	}
	struct rt_group *grp = p->grp ? p->grp : find_hashed(ifc, g, p->hh);
	bool creates = type == MCAST_MODE_IS_EXCLUDE || type == MCAST_CHANGE_TO_EXCLUDE ||
		       (type != MCAST_BLOCK_OLD_SOURCES && nb > 0);
	if (!grp) {
		if (!creates)
			return; /* INCLUDE ({}) stays empty: nothing to do */
		if (!(grp = group_create(ifc, g)))
			return;
	}
	/* The commonest record by far, a member's refresh of an any-source
	 * group: IS_EX {} on EXCLUDE {} (RFC 3376 6.4.1: EXCLUDE (A-Y, Y*A)
	 * of nothing is nothing, delete nothing, Group Timer = GMI), in any
	 * compatibility mode (7.3.2 changes nothing for it; a v1/v2 report
	 * sets its Host Present timer below, so it takes the general path).
	 * Only the group timer moves, later (its wheel entry stays:
	 * reschedule). */
	if (type == MCAST_MODE_IS_EXCLUDE && !nb && !older && rt_exclude(grp) && !rt_nsrcs(grp)) {
		if (ifc->cfg.fast_leave && rt_group_level(ifc, grp) == 3)
			track(ifc, grp, host, type, B, nb);
		rt_set_group_deadline(grp, now + gmi);
		reschedule(ifc, grp);
		return;
	}
	/* RFC 3376 7.3.2: Older Version Host Present timers, then the
	 * compatibility mode's rules. */
	uint8_t was = rt_group_level(ifc, grp);
	if (older) {
		/* (made by rt_records_prepare; without it the timer is not
		 * set, the group stays in its mode, and that is counted) */
		struct rt_group_more *x = more_get(ifc, grp);
		if (!x)
			ifc->stats.no_memory++;
		else if (older == 1)
			x->v1_host_ms = now + gmi;
		else
			x->v2_host_ms = now + gmi;
	}
	uint8_t level = rt_group_level(ifc, grp);
	if (level != was && mcast_log_wants(ifc->r->env.log, MCAST_LOG_DEBUG, MCAST_D_STATES)) {
		char a[MCAST_ADDR_STRLEN];
		bool v6 = ifc->r->family == MCAST_AF_INET6;
		mcast_logf(ifc->r->env.log, MCAST_LOG_DEBUG, MCAST_D_STATES, "%s: %s in %s%u compatibility mode",
			   ifc->name, mcast_addr_str(g, a), v6 ? "MLDv" : "IGMPv", v6 ? level - 1u : level);
	}
	if (level < 3) {
		if (type == MCAST_BLOCK_OLD_SOURCES) {
			ifc->stats.compat_ignored++;
			goto done;
		}
		if (type == MCAST_CHANGE_TO_EXCLUDE && nb) {
			ifc->stats.compat_ignored++;
			nb = 0;
		}
		if (level == 1 && type == MCAST_CHANGE_TO_INCLUDE) {
			ifc->stats.compat_ignored++;
			goto done;
		}
	}
	if (ifc->cfg.fast_leave && level == 3)
		track(ifc, grp, host, type, B, nb);

	/* Apply the rule into scratch. */
	const struct rt_rule *ru = &rules[rt_exclude(grp)][type];
	if (reserve_scratch(r, (size_t)rt_nsrcs(grp) + nb) < 0)
		goto done;
	mcast_time_ms old_gt = rt_group_deadline(grp);
	uint32_t i = 0, n = 0, kept = 0, added = 0;
	size_t j = 0;
	bool queried = false;
	/* The limits count the sources that stay plus those added. */
	if (ifc->cfg.max_sources || ifc->cfg.max_total_sources) {
		for (uint32_t k = 0, jj = 0; k < rt_nsrcs(grp); k++) {
			while (jj < nb && addr_cmp(&B[jj], &grp->sv->v[k].addr) < 0)
				jj++;
			bool in_b = jj < nb && mcast_addr_eq(&B[jj], &grp->sv->v[k].addr);
			bool x = grp->sv->v[k].deadline_ms != 0;
			int cls = in_b ? (x ? C_XB : C_YB) : (x ? C_XN : C_YN);
			kept += ru->act[cls] != A_DEL;
		}
	}
	while (i < rt_nsrcs(grp) || j < nb) {
		int c = i == rt_nsrcs(grp) ? 1 : j == nb ? -1 : addr_cmp(&grp->sv->v[i].addr, &B[j]);
		struct rt_source s;
		int cls;
		if (c <= 0) {
			s = grp->sv->v[i++];
			bool x = s.deadline_ms != 0;
			cls = c == 0 ? (x ? C_XB : C_YB) : (x ? C_XN : C_YN);
			if (c == 0)
				j++;
		} else {
			memset(&s, 0, sizeof(s));
			s.addr = B[j++];
			cls = C_NB;
		}
		s.mark = 0;
		switch (ru->act[cls]) {
		case A_NONE:
		case A_DEL:
			continue;
		case A_KEEP:
			break;
		case A_GMI:
			s.deadline_ms = now + gmi;
			break;
		case A_ZERO:
			s.deadline_ms = 0;
			s.rexmit = 0;
			break;
		case A_GT:
			s.deadline_ms = old_gt;
			break;
		}
		if (cls == C_NB && (ifc->cfg.max_sources || ifc->cfg.max_total_sources)) {
			if (ifc->cfg.max_sources && kept + added >= ifc->cfg.max_sources) {
				ifc->stats.source_limit++;
				limit_hit(ifc, &grp->addr, "a source of", "max-sources", ifc->cfg.max_sources);
				continue;
			}
			/* others' sources + this group's next list */
			if (ifc->cfg.max_total_sources &&
			    (uint64_t)ifc->nsources - rt_nsrcs(grp) + kept + added >= ifc->cfg.max_total_sources) {
				ifc->stats.total_source_limit++;
				limit_hit(ifc, &grp->addr, "a source of", "max-total-sources", ifc->cfg.max_total_sources);
				continue;
			}
			added++;
		}
		if (ru->query & QC(cls))
			s.mark = 1;
		r->scratch[n++] = s;
	}
	bool exclude = rt_exclude(grp) || ru->to_exclude;
	if (ru->gt_gmi)
		rt_set_group_deadline(grp, now + gmi);

	/* 6.6.3: the querier lowers timers to LMQT and queries. */
	uint32_t lmqt = rt_lmqt(ifc);
	bool queries = false;
	for (uint32_t k = 0; ifc->querier && ifc->level == 3 && k < n; k++)
		queries |= r->scratch[k].mark && r->scratch[k].deadline_ms > now + lmqt;
	queries = ifc->querier && ifc->level > 1 && (queries || ru->query_group);
	/* The retransmissions are timed in the group's more part, which
	 * rt_records_prepare() made for every record that may query. Without
	 * it (a group made outside the packet's preparation, memory out) the
	 * timers stay as they are: lowered without the queries that let
	 * members answer, they would cut the members off. */
	if (queries && !more_get(ifc, grp)) {
		ifc->stats.no_memory++;
		queries = false;
	}
	if (queries) {
		for (uint32_t k = 0; ifc->level == 3 && k < n; k++) {
			struct rt_source *s = &r->scratch[k];
			if (s->mark && s->deadline_ms > now + lmqt) {
				s->deadline_ms = now + lmqt;
				s->rexmit = rt_lmqc(ifc);
				queried = true;
			}
		}
		if (ru->query_group) {
			grp->more->group_rexmit = rt_lmqc(ifc);
			if (rt_group_deadline(grp) > now + lmqt)
				rt_set_group_deadline(grp, now + lmqt);
			queried = true;
		}
	}
	if (ifc->cfg.fast_leave && level == 3 && !rt_untracked(grp) &&
	    (type == MCAST_CHANGE_TO_INCLUDE || type == MCAST_BLOCK_OLD_SOURCES ||
	     type == MCAST_CHANGE_TO_EXCLUDE))
		n = fast_leave(ifc, grp, &exclude, n);
	if (!exclude)
		rt_set_group_deadline(grp, 0);
	/* a group of the packet (prepare touched every group it found or
	 * made) stays until rt_records_done(); only one made here, outside
	 * the packet's groups, can go in commit */
	bool held = rt_slot(grp) != 0;
	commit(ifc, grp, exclude, n);
	if (!held && !(grp = rt_group_find(ifc, g)))
		return; /* the group went */
	if (queried) {
		send_specific(ifc, grp);
		reschedule(ifc, grp);
	}
	return;
done:
	if (rt_nsrcs(grp) == 0 && !rt_exclude(grp) && !rt_slot(grp))
		rt_group_destroy(ifc, grp, false);
}

/* ---- a packet's records, whole or not at all ------------------------------ */


static int touch(struct mcast_router *r, struct rt_group *grp)
{
	/* a packet of 64 KiB holds fewer records than a slot counts */
	if (r->ntouched == UINT16_MAX)
		return -ENOMEM;
	if (r->ntouched == r->touched_cap &&
	    rt_reserve(r, (void **)&r->touched, &r->touched_cap, (size_t)r->ntouched + 1, sizeof(*r->touched)) < 0)
		return -ENOMEM;
	r->touched[r->ntouched] = (struct rt_touched){ .grp = grp };
	mcast_srcset_init(&r->touched[r->ntouched].spare);
	rt_set_slot(grp, (uint16_t)++r->ntouched);
	return 0;
}

/* The room a list grown from one for n entries has: the power of two
 * at or above n. */
static size_t room_for(size_t n)
{
	size_t cap = 1;
	while (cap < n)
		cap *= 2;
	return cap;
}

/* Gives back room reserved for a packet and not used (a shrinking
 * realloc that fails keeps the larger block: nothing is lost). */
static void shrink_srcs(struct rt_iface *ifc, struct rt_group *grp)
{
	struct rt_srcs *sv = grp->sv;
	if (!sv)
		return;
	/* what growing for its sources alone would have given: no more */
	if (sv->n == 0) {
		mcast_alloc_free(ifc->r->env.al, sv, srcs_bytes(sv->cap));
		grp->sv = NULL;
		return;
	}
	size_t cap = room_for(sv->n);
	if (sv->cap <= cap)
		return;
	struct rt_srcs *p = mcast_alloc_resize(ifc->r->env.al, sv, srcs_bytes(sv->cap), srcs_bytes(cap));
	if (p) {
		p->cap = (uint32_t)cap;
		grp->sv = p;
	}
}

static void shrink_host(const struct mcast_alloc *al, struct rt_host *h)
{
	if (!h->srcs.cap)
		return;
	if (h->srcs.n == 0) {
		mcast_srcset_free(&h->srcs, al);
		return;
	}
	if (h->srcs.cap > room_for(h->srcs.n)) {
		struct mcast_srcset t;
		mcast_srcset_init(&t);
		if (mcast_srcset_assign(&t, al, h->srcs.v, h->srcs.n) == 0) {
			mcast_srcset_free(&h->srcs, al);
			h->srcs = t;
		}
	}
}

void rt_records_done(struct rt_iface *ifc)
{
	struct mcast_router *r = ifc->r;
	for (uint32_t k = 0; k < r->ntouched; k++) {
		struct rt_group *grp = r->touched[k].grp;
		rt_set_slot(grp, 0);
		mcast_srcset_free(&r->touched[k].spare, r->env.al);
		shrink_srcs(ifc, grp);
		for (uint16_t h = 0; h < rt_nhosts(grp); h++)
			shrink_host(r->env.al, &grp->hosts->v[h]);
		/* emptied by the packet, or made for it and never filled (its
		 * forwarding changes, if any, were told when it emptied) */
		if (!rt_exclude(grp) && rt_nsrcs(grp) == 0)
			rt_group_destroy(ifc, grp, false);
	}
	r->ntouched = 0;
}

/* At scale each record's group lookup misses the cache, once for the
 * hash bucket and once for the group it leads to (and, with fast leave,
 * once more for the group's tracked hosts). A report's lookups are
 * independent: start every bucket load, then every first group's, then
 * the hosts those groups track, so that the misses of a whole report
 * overlap instead of adding up, and the records are then applied from
 * the cache. A listener's own loads for the same groups (groups_ahead:
 * the proxy's upstream) go out with the bucket loads. */
static void prefetch_groups(const struct rt_iface *ifc, const struct mcast_group_record *recs, size_t n,
			    struct rt_prep *prep)
{
	enum { CHUNK = 64 };
	const struct rt_group *c[CHUNK];
	uint64_t hv[CHUNK];
	const struct mcast_router_env *env = &ifc->r->env;
	const struct bidx *t = &ifc->groups;
	bool hosts = ifc->cfg.fast_leave;
	for (size_t base = 0; base < n; base += CHUNK) {
		size_t m = n - base < CHUNK ? n - base : CHUNK;
		const struct rt_prep *h = prep + base;
		for (size_t i = 0; i < m; i++) {
			hv[i] = prep[base + i].hh = group_hash(ifc->r, &recs[base + i].group);
			bidx_prefetch(t, hv[i]); /* (no table yet: nothing to load) */
		}
		/* the consumer's loads go out with the router's, all of them
		 * in flight while the candidates below wait for the first */
		if (env->groups_ahead)
			env->groups_ahead(env->ctx, ifc->ifindex, recs + base, hv, m);
		if (!t->b)
			continue;
		/* the candidate group, all of it: applying a record reads and
		 * writes its lines (state, deadlines, timer): its first and
		 * last, and the one between when it spans three (pool objects
		 * are 8-byte aligned: 80 bytes at 56 into a line) */
		for (size_t i = 0; i < m; i++) {
			const char *g = bidx_candidate(t, h[i].hh, sizeof(struct rt_group));
			if (g && sizeof(struct rt_group) > 64)
				__builtin_prefetch(g + 64);
			c[i] = (const struct rt_group *)(const void *)g;
		}
		/* a candidate's tracked hosts (a tag match may be another
		 * group: then a useless load, never a wrong result) */
		for (size_t i = 0; hosts && i < m; i++)
			if (c[i] && c[i]->hosts) {
				/* the count and the first host, both ends: an
				 * allocation need not start on a line */
				__builtin_prefetch(c[i]->hosts);
				__builtin_prefetch((const char *)c[i]->hosts->v + sizeof(struct rt_host) - 1);
			}
	}
}

int rt_records_prepare(struct rt_iface *ifc, const struct mcast_group_record *recs, size_t n,
		       const struct mcast_addr *host, uint8_t older)
{
	struct mcast_router *r = ifc->r;
	const struct mcast_alloc *al = r->env.al;
	int rc = 0;
	r->ntouched = 0;
	if (rt_reserve(r, (void **)&r->prep, &r->prep_cap, n, sizeof(*r->prep)) < 0)
		rc = -ENOMEM;
	else
		prefetch_groups(ifc, recs, n, r->prep); /* and each group's hash, kept in prep */
	for (size_t i = 0; i < n && rc == 0; i++) {
		const struct mcast_group_record *rec = &recs[i];
		struct rt_prep *p = &r->prep[i];
		p->grp = NULL;
		p->verdict = record_verdict(ifc, &rec->group, rec->type);
		if (p->verdict != RT_REC_APPLIES)
			continue;
		struct rt_group *grp = find_hashed(ifc, &rec->group, p->hh);
		if (!grp) {
			bool creates = rec->type == MCAST_MODE_IS_EXCLUDE || rec->type == MCAST_CHANGE_TO_EXCLUDE ||
				       (rec->type != MCAST_BLOCK_OLD_SOURCES && rec->nsrcs > 0);
			if (!creates || (ifc->cfg.max_groups && ifc->groups.count >= ifc->cfg.max_groups))
				continue; /* nothing to make, or refused (and counted) when applied */
			grp = mcast_pool_get(&r->group_pool);
			if (!grp) {
				rc = -ENOMEM;
				break;
			}
			grp->addr = rec->group;
					grp->timer = (struct mcast_tnode){ 0 };
			if (mcast_lean_reserve(&ifc->gwheel) < 0 || bidx_insert(&ifc->groups, grp, p->hh) < 0) {
				mcast_pool_put(&r->group_pool, grp);
				rc = -ENOMEM;
				break;
			}
			if (touch(r, grp) < 0) {
				group_free(ifc, grp); /* empty, never told: gone as it came */
				rc = -ENOMEM;
				break;
			}
		} else if (!rt_slot(grp) && touch(r, grp) < 0) {
			rc = -ENOMEM;
			break;
		}
		p->grp = grp;
		r->touched[rt_slot(grp) - 1].plan += rec->nsrcs;
		/* the part a record may need besides the group's own (RFC
		 * 3376 6.4.2: the changes that query; 7.3.2: older hosts) */
		bool queries = rec->type == MCAST_CHANGE_TO_INCLUDE ||
			       ((rec->type == MCAST_CHANGE_TO_EXCLUDE || rec->type == MCAST_BLOCK_OLD_SOURCES) &&
				rec->nsrcs > 0);
		if ((older || queries) && !more_get(ifc, grp)) {
			rc = -ENOMEM;
			break;
		}
	}
	bool track = ifc->cfg.fast_leave && host && !mcast_addr_is_unspecified(host);
	/* Source records of the groups this packet cannot touch: the most a
	 * touched group can reach under max_total_sources is what they leave. */
	uint64_t touched_all = 0;
	for (uint32_t k = 0; ifc->cfg.max_total_sources && k < r->ntouched; k++) {
		const struct rt_group *grp = r->touched[k].grp;
		touched_all += rt_nsrcs(grp);
		for (uint16_t h = 0; h < rt_nhosts(grp); h++)
			touched_all += 1 + grp->hosts->v[h].srcs.n;
	}
	uint64_t untouched = ifc->nsources > touched_all ? ifc->nsources - touched_all : 0;
	for (uint32_t k = 0; k < r->ntouched && rc == 0; k++) {
		struct rt_group *grp = r->touched[k].grp;
		uint32_t plan = r->touched[k].plan;
		/* the most its list can hold after the packet: what the
		 * records may add, within the limits (which never cut what
		 * is already there) */
		size_t need = (size_t)rt_nsrcs(grp) + plan;
		if (ifc->cfg.max_sources && need > ifc->cfg.max_sources)
			need = rt_nsrcs(grp) > ifc->cfg.max_sources ? rt_nsrcs(grp) : ifc->cfg.max_sources;
		uint64_t room = UINT64_MAX;
		if (ifc->cfg.max_total_sources) {
			room = ifc->cfg.max_total_sources > untouched ? ifc->cfg.max_total_sources - untouched : 0;
			if (need > room)
				need = rt_nsrcs(grp) > room ? rt_nsrcs(grp) : (size_t)room;
		}
		if (reserve_scratch(r, need) < 0 || reserve_prev(r, need) < 0 || reserve_srcs(ifc, grp, need) < 0) {
			rc = -ENOMEM;
		} else if (track && !rt_untracked(grp)) {
			struct rt_host *h = host_find(grp, host);
			/* a host's list is bounded like the group's, and by the
			 * total; a host beyond max_hosts is not tracked (track(ifc, )) */
			size_t hmax = ifc->cfg.max_sources ? ifc->cfg.max_sources : SIZE_MAX;
			if (hmax > room)
				hmax = (size_t)room;
			if (!h && (rt_nhosts(grp) >= ifc->cfg.max_hosts ||
				   (ifc->cfg.max_total_sources && ifc->nsources >= ifc->cfg.max_total_sources)))
				continue;
			if (h) {
				size_t hn = h->srcs.n + (size_t)plan;
				size_t want = hn < hmax ? hn : hmax > h->srcs.n ? hmax : h->srcs.n;
				if (want > h->srcs.cap) /* a refresh's IS_EX {}: already room */
					rc = mcast_srcset_reserve(&h->srcs, al, want);
			} else if (reserve_hosts(ifc, grp, (size_t)rt_nhosts(grp) + 1) < 0 ||
				   (plan && mcast_srcset_reserve(&r->touched[k].spare, al, plan < hmax ? plan : hmax) < 0)) {
				rc = -ENOMEM;
			}
		}
	}
	if (rc < 0) {
		/* nothing applied: the groups made here are empty and go */
		rt_records_done(ifc);
		ifc->stats.no_memory += n;
		if (mcast_ratelimit_ok(&ifc->drop_log, rt_now(r)))
			mcast_logf(r->env.log, MCAST_LOG_WARNING, MCAST_D_DROPS,
				   "%s: %zu records not applied: out of memory", ifc->name, n);
	}
	return rc;
}

/* RFC 3376 6.6.1: a query with S clear lowers the group timer (group
 * query) or the listed sources' timers (group-and-source query) to LMQT. */
void rt_group_query_heard(struct rt_iface *ifc, const struct mcast_addr *g,
			  const struct mcast_addr *srcs, size_t n)
{
	struct rt_group *grp = rt_group_find(ifc, g);
	if (!grp)
		return;
	mcast_time_ms limit = rt_now(ifc->r) + rt_lmqt(ifc);
	if (n == 0) {
		if (rt_exclude(grp) && rt_group_deadline(grp) > limit)
			rt_set_group_deadline(grp, limit);
	} else {
		for (uint32_t i = 0; i < rt_nsrcs(grp); i++) {
			struct rt_source *s = &grp->sv->v[i];
			if (s->deadline_ms > limit && mcast_addrs_find(srcs, n, &s->addr) >= 0)
				s->deadline_ms = limit;
		}
	}
	reschedule(ifc, grp);
}

/* ---- timers (RFC 3376 6.5) ---------------------------------------------- */

bool rt_group_timer_before(const struct mcast_tnode *a, const struct mcast_tnode *b)
{
	return mcast_addr_cmp(&mcast_container_of(a, struct rt_group, timer)->addr,
			      &mcast_container_of(b, struct rt_group, timer)->addr) < 0;
}

void rt_group_timer_fired(struct mcast_tnode *t, void *arg)
{
	struct rt_group *grp = mcast_container_of(t, struct rt_group, timer);
	struct rt_iface *ifc = arg;
	struct mcast_router *r = ifc->r;
	mcast_time_ms now = rt_now(r);

	/* Room first: without it nothing changes and the timer tries again
	 * in a second (re-armed in the past it would fire again at once). */
	if (reserve_scratch(r, rt_nsrcs(grp)) < 0 || reserve_prev(r, rt_nsrcs(grp)) < 0) {
		ifc->stats.no_memory++;
		mcast_lean_start(&ifc->gwheel, &grp->timer, now + 1000);
		rt_check_invariants(r);
		return;
	}
	for (uint16_t i = 0; i < rt_nhosts(grp);) {
		if (grp->hosts->v[i].deadline_ms <= now)
			host_remove(ifc, grp, &grp->hosts->v[i]);
		else
			i++;
	}
	if (grp->more && grp->more->next_query_ms && grp->more->next_query_ms <= now)
		send_specific(ifc, grp);

	bool exclude = rt_exclude(grp);
	bool switch_mode = exclude && rt_group_deadline(grp) <= now;
	uint32_t n = 0;
	for (uint32_t i = 0; i < rt_nsrcs(grp); i++) {
		struct rt_source s = grp->sv->v[i];
		if (s.deadline_ms && s.deadline_ms <= now) {
			/* Source timer expired: INCLUDE deletes the source,
			 * EXCLUDE moves it to the excluded list. */
			if (!exclude)
				continue;
			s.deadline_ms = 0;
		}
		/* Group timer expired: to INCLUDE, without the excluded list. */
		if (switch_mode && !s.deadline_ms)
			continue;
		r->scratch[n++] = s;
	}
	if (switch_mode) {
		exclude = false;
		rt_set_group_deadline(grp, 0);
		if (grp->more)
			grp->more->group_rexmit = 0;
	}
	commit(ifc, grp, exclude, n);
	rt_check_invariants(r);
}
