/*
 * DOC: the host engine's invariants
 *
 * mcast_host_check() recounts every interface state from the sockets'
 * filters (RFC 3376 3.2, RFC 3810 4.2): per group the number of
 * EXCLUDE-mode sockets (plus the interface's own joins) and of
 * INCLUDE-mode ones, per source how many sockets include and exclude it;
 * these must equal the counts the engine keeps, which the reports are
 * made from. A group with a direct filter (hs_set_state(), the proxy's)
 * is held by no socket, and that one filter counts once at most per
 * group and source, in its mode. Source lists must be sorted and unique, a group must be
 * held by a socket, its own joins or a pending retransmission, and a
 * source by a count or a retransmission; a group with state-change
 * retransmissions left is on its interface's queue, at the place it
 * says, and the queue holds nothing else; whether a group is reported,
 * kept since it was made, must still be what its address and the
 * interface's settings say. A group's wait record exists only while a
 * response or v1/v2 report is pending, its timer at the earliest.
 * Tests and fuzzers call it after every step.
 */
#include "host/hs.h"
#include "core/check.h"

#define FAIL MCAST_CHECK_FAIL

static int check_group(const struct mcast_host *h, const struct hs_iface *ifc, const struct hs_group *g, char *why,
		       size_t len)
{
	char a[MCAST_ADDR_STRLEN];
	const char *gs = mcast_addr_str(&g->addr, a);
	uint32_t n_ex = g->own, n_in = 0;
	for (const struct mcast_host_sock *s = h->socks; s; s = s->next)
		for (uint32_t i = 0; i < s->n; i++) {
			const struct hs_membership *m = &s->m[i];
			if (m->ifindex != ifc->ifindex || m->grp != g)
				continue;
			if (m->mode == MCAST_MODE_EXCLUDE)
				n_ex++;
			else if (m->srcs.n)
				n_in++;
		}
	uint32_t d_ex = g->direct == HS_DIRECT_EX, d_in = g->direct == HS_DIRECT_IN;
	if (g->direct > HS_DIRECT_EX || (g->direct && (n_ex != g->own || n_in)))
		FAIL("%s %s: a direct filter (%u) on a group sockets hold", ifc->name, gs, g->direct);
	if (n_ex + d_ex != g->n_ex || n_in + d_in != g->n_in)
		FAIL("%s %s: %u EXCLUDE and %u INCLUDE filters counted as %u and %u", ifc->name, gs, n_ex + d_ex,
		     n_in + d_in, g->n_ex, g->n_in);
	if (g->nsrcs > g->cap)
		FAIL("%s %s: %u sources in room for %u", ifc->name, gs, g->nsrcs, g->cap);
	bool pending = g->mode_rexmit || g->v12_rexmit, queued = g->mode_rexmit != 0;
	for (uint32_t k = 0; k < g->nsrcs; k++) {
		const struct hs_src *x = &g->srcs[k];
		if (k && mcast_addr_cmp(&g->srcs[k - 1].addr, &x->addr) >= 0)
			FAIL("%s %s: sources out of order at %u", ifc->name, gs, k);
		uint32_t in = 0, ex = 0;
		for (const struct mcast_host_sock *s = h->socks; s; s = s->next)
			for (uint32_t i = 0; i < s->n; i++) {
				const struct hs_membership *m = &s->m[i];
				if (m->ifindex != ifc->ifindex || m->grp != g ||
				    !mcast_srcset_has(&m->srcs, &x->addr))
					continue;
				if (m->mode == MCAST_MODE_EXCLUDE)
					ex++;
				else
					in++;
			}
		char b[MCAST_ADDR_STRLEN];
		if (g->direct) {
			/* the direct filter's sources are its counts */
			if (x->in_cnt > d_in || x->ex_cnt > d_ex)
				FAIL("%s %s source %s: counted %u and %u for one filter", ifc->name, gs,
				     mcast_addr_str(&x->addr, b), x->in_cnt, x->ex_cnt);
			in = x->in_cnt;
			ex = x->ex_cnt;
		}
		if (in != x->in_cnt || ex != x->ex_cnt)
			FAIL("%s %s source %s: included %u and excluded %u times, counted %u and %u", ifc->name, gs,
			     mcast_addr_str(&x->addr, b), in, ex, x->in_cnt, x->ex_cnt);
		if (!in && !ex && !x->rexmit)
			FAIL("%s %s source %s: kept with nothing holding it", ifc->name, gs, mcast_addr_str(&x->addr, b));
		pending |= x->rexmit != 0;
		queued |= x->rexmit != 0;
	}
	/* state-change retransmissions left: on the interface's queue, where
	 * its place says (v1/v2 ones are timed by the wait record) */
	if (queued && !g->pend_at)
		FAIL("%s %s: retransmissions left but not queued", ifc->name, gs);
	if (g->pend_at && (g->pend_at > ifc->npend || ifc->pend[g->pend_at - 1] != g))
		FAIL("%s %s: queued at %u, not there", ifc->name, gs, g->pend_at);
	if (g->fresh_at && (!g->pend_at || g->fresh_at > ifc->nfresh || ifc->fresh[g->fresh_at - 1] != g))
		FAIL("%s %s: fresh at %u, not there or not queued", ifc->name, gs, g->fresh_at);
	if (!g->n_ex && !g->n_in && !pending)
		FAIL("%s %s: kept with nothing holding it", ifc->name, gs);
	if (g->reportable != hs_reportable_addr(ifc, &g->addr))
		FAIL("%s %s: kept as %sreported", ifc->name, gs, g->reportable ? "" : "not ");
	const struct hs_wait *w = g->wait;
	if (w) {
		mcast_time_ms next = w->resp_ms && (!w->v12_ms || w->resp_ms < w->v12_ms) ? w->resp_ms : w->v12_ms;
		if (!next)
			FAIL("%s %s: a wait record with nothing pending", ifc->name, gs);
		if (!mcast_timer_armed(&w->timer) || mcast_timer_deadline(&w->timer) != next)
			FAIL("%s %s: its timer is not at the earliest wait", ifc->name, gs);
		if (!w->resp_ms && (w->resp_sources || w->resp_srcs.n))
			FAIL("%s %s: queried sources without a response pending", ifc->name, gs);
		for (size_t k = 1; k < w->resp_srcs.n; k++)
			if (mcast_addr_cmp(&w->resp_srcs.v[k - 1], &w->resp_srcs.v[k]) >= 0)
				FAIL("%s %s: queried sources out of order", ifc->name, gs);
	}
	return 0;
}

int mcast_host_check(const struct mcast_host *h, char *why, size_t len)
{
	for (const struct mcast_host_sock *s = h->socks; s; s = s->next) {
		if (s->n > s->cap || s->n > h->cfg.max_memberships)
			FAIL("a socket holds %u memberships (room %u, max %u)", s->n, s->cap, h->cfg.max_memberships);
		/* the index finds every membership where it is, and only those */
		if (s->n >= HS_INDEX_MIN && !s->idx)
			FAIL("a socket of %u memberships without its index", s->n);
		if (s->idx) {
			uint32_t used = 0;
			for (size_t i = 0; i <= s->idx_mask; i++)
				if (s->idx[i] && (++used, s->idx[i] > s->n))
					FAIL("the membership index points past the %u memberships", s->n);
			if (used != s->n || 2 * (size_t)s->n > (size_t)s->idx_mask + 1)
				FAIL("the membership index holds %u of %u (room %u)", used, s->n, s->idx_mask + 1);
		}
		for (uint32_t i = 0; i < s->n; i++) {
			const struct hs_iface *ifc = hs_iface_find(h, s->m[i].ifindex);
			const struct hs_group *g = s->m[i].grp;
			if (!ifc)
				FAIL("a socket member on interface %u, which is gone", s->m[i].ifindex);
			/* its group is its interface's record of the group */
			if (!g || g->ifc != ifc || hs_group_find(ifc, &g->addr) != g)
				FAIL("membership %u without its interface's group", i);
			if (s->m[i].mode != MCAST_MODE_EXCLUDE && !s->m[i].srcs.n)
				FAIL("membership %u is INCLUDE {} (no membership)", i);
			if (s->m[i].key != hs_key(hs_hash(h, &g->addr), s->m[i].ifindex))
				FAIL("membership %u with the wrong index key", i);
			else if (hs_find_membership(s, s->m[i].ifindex, &g->addr, hs_hash(h, &g->addr)) != &s->m[i])
				FAIL("membership %u not found where it is", i);
		}
		for (uint32_t i = 0; i < s->n; i++) {
			const struct mcast_srcset *ss = &s->m[i].srcs;
			if (ss->n > h->cfg.max_sources)
				FAIL("a socket filter holds %u sources (max %u)", ss->n, h->cfg.max_sources);
			for (size_t k = 1; k < ss->n; k++)
				if (mcast_addr_cmp(&ss->v[k - 1], &ss->v[k]) >= 0)
					FAIL("a socket filter's sources out of order");
		}
	}
	for (size_t b = 0; h->ifaces.buckets && b <= h->ifaces.mask; b++)
		for (const struct mcast_hnode *n = h->ifaces.buckets[b]; n; n = n->next) {
			const struct hs_iface *ifc = mcast_container_of(n, struct hs_iface, node);
			if (bidx_check(&ifc->groups, why, len) < 0)
				return -1;
			if (ifc->nfresh > ifc->npend || ifc->nfresh > ifc->fresh_cap || ifc->npend > ifc->pend_cap ||
			    ifc->pend_cap < ifc->groups.count)
				FAIL("%s: %u fresh of %u queued groups, room for %zu and %zu (%zu groups)", ifc->name,
				     ifc->nfresh, ifc->npend, ifc->fresh_cap, ifc->pend_cap, ifc->groups.count);
			for (uint32_t i = 0; i < ifc->npend; i++)
				if (!ifc->pend[i] || ifc->pend[i]->pend_at != i + 1 || ifc->pend[i]->ifc != ifc)
					FAIL("%s: queue place %u holds %s", ifc->name, i,
					     ifc->pend[i] ? "a group that says it is elsewhere" : "nothing");
			for (uint32_t i = 0; i < ifc->nfresh; i++)
				if (!ifc->fresh[i] || ifc->fresh[i]->fresh_at != i + 1 || ifc->fresh[i]->ifc != ifc)
					FAIL("%s: fresh place %u holds %s", ifc->name, i,
					     ifc->fresh[i] ? "a group that says it is elsewhere" : "nothing");
			struct bidx_cursor c = { 0 };
			for (const struct hs_group *g; (g = bidx_each(&ifc->groups, &c));)
				if (check_group(h, ifc, g, why, len) < 0)
					return -1;
		}
	return 0;
}
