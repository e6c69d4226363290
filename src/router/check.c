/*
 * DOC: the router engine's invariants
 *
 * mcast_router_check() walks every interface and group and checks what
 * the rest of the engine relies on: counts equal what they count, source
 * lists sorted without duplicates, filter mode consistent with the
 * timers (RFC 3376 6.2.1: INCLUDE has no group timer and no excluded
 * source; EXCLUDE has a group timer), limits respected, and every group
 * with a deadline holding an armed timer no later than it (a group that
 * can never expire is a leak). Tests and fuzzers call it after every
 * step; builds with MCAST_CHECK_INVARIANTS (the sanitizer build) also
 * call it after each received packet and abort on a violation.
 */
#include "router/rt.h"
#include "core/check.h"

#define FAIL MCAST_CHECK_FAIL

static int check_group(const struct rt_iface *ifc, const struct rt_group *g, uint64_t *count, char *why,
		       size_t len)
{
	char a[MCAST_ADDR_STRLEN];
	const char *gs = mcast_addr_str(&g->addr, a);
	if (g->sv && g->sv->n > g->sv->cap)
		FAIL("%s %s: %u sources in room for %u", ifc->name, gs, g->sv->n, g->sv->cap);
	if (!rt_exclude(g) && rt_nsrcs(g) == 0)
		FAIL("%s %s: INCLUDE with no source kept", ifc->name, gs);
	if (rt_exclude(g) != (rt_group_deadline(g) != 0))
		FAIL("%s %s: filter mode %s with group timer %llu", ifc->name, gs, rt_exclude(g) ? "EXCLUDE" : "INCLUDE",
		     (unsigned long long)rt_group_deadline(g));
	if (ifc->cfg.max_sources && rt_nsrcs(g) > ifc->cfg.max_sources)
		FAIL("%s %s: %u sources over max-sources %u", ifc->name, gs, rt_nsrcs(g), ifc->cfg.max_sources);
	mcast_time_ms first = rt_exclude(g) ? rt_group_deadline(g) : MCAST_TIME_NEVER;
	for (uint32_t k = 0; k < rt_nsrcs(g); k++) {
		const struct rt_source *s = &g->sv->v[k];
		if (k && mcast_addr_cmp(&g->sv->v[k - 1].addr, &s->addr) >= 0)
			FAIL("%s %s: sources out of order at %u", ifc->name, gs, k);
		if (!rt_exclude(g) && !s->deadline_ms)
			FAIL("%s %s: INCLUDE source without a timer", ifc->name, gs);
		if (s->deadline_ms && s->deadline_ms < first)
			first = s->deadline_ms;
	}
	*count += rt_nsrcs(g);
	if (g->hosts && (g->hosts->n > g->hosts->cap || (ifc->cfg.max_hosts && g->hosts->n > ifc->cfg.max_hosts)))
		FAIL("%s %s: %u tracked hosts (room %u, max %u)", ifc->name, gs, g->hosts->n, g->hosts->cap,
		     ifc->cfg.max_hosts);
	for (uint16_t h = 0; h < rt_nhosts(g); h++) {
		const struct mcast_srcset *ss = &g->hosts->v[h].srcs;
		for (size_t k = 1; k < ss->n; k++)
			if (mcast_addr_cmp(&ss->v[k - 1], &ss->v[k]) >= 0)
				FAIL("%s %s: a tracked host's sources out of order", ifc->name, gs);
		if (ss->n > ss->cap)
			FAIL("%s %s: a tracked host's set over its room", ifc->name, gs);
		if (g->hosts->v[h].deadline_ms && g->hosts->v[h].deadline_ms < first)
			first = g->hosts->v[h].deadline_ms;
		*count += 1 + ss->n;
	}
	const struct rt_group_more *x = g->more;
	if (x && x->next_query_ms && x->next_query_ms < first)
		first = x->next_query_ms;
	/* retransmissions are timed in the group's more (send_specific) */
	for (uint32_t k = 0; !x && k < rt_nsrcs(g); k++)
		if (g->sv->v[k].rexmit)
			FAIL("%s %s: a source query retransmission without its time", ifc->name, gs);
	if (first != MCAST_TIME_NEVER && (!mcast_tnode_armed(&g->timer) || g->timer.deadline_ms > first))
		FAIL("%s %s: deadline %llu but the timer is %s %llu", ifc->name, gs, (unsigned long long)first,
		     mcast_tnode_armed(&g->timer) ? "at" : "off", (unsigned long long)g->timer.deadline_ms);
	return 0;
}

int mcast_router_check(const struct mcast_router *r, char *why, size_t len)
{
	size_t nifc = 0;
	for (size_t i = 0; r->ifaces.buckets && i <= r->ifaces.mask; i++)
		for (const struct mcast_hnode *n = r->ifaces.buckets[i]; n; n = n->next) {
			const struct rt_iface *ifc = mcast_container_of(n, struct rt_iface, node);
			nifc++;
			if (ifc->cfg.max_groups && ifc->groups.count > ifc->cfg.max_groups)
				FAIL("%s: %zu groups over max-groups %u", ifc->name, ifc->groups.count,
				     ifc->cfg.max_groups);
			uint64_t count = 0;
			size_t ngroups = 0;
			if (bidx_check(&ifc->groups, why, len) < 0 || mcast_lean_check(&ifc->gwheel, why, len) < 0)
				return -1;
			struct bidx_cursor c = { 0 };
			for (const struct rt_group *g; (g = bidx_each(&ifc->groups, &c));) {
				ngroups++;
				if (check_group(ifc, g, &count, why, len) < 0)
					return -1;
			}
			if (ngroups != ifc->groups.count)
				FAIL("%s: %zu groups counted as %zu", ifc->name, ngroups, ifc->groups.count);
			if (count != ifc->nsources)
				FAIL("%s: %llu source records counted as %u", ifc->name, (unsigned long long)count,
				     ifc->nsources);
			if (ifc->cfg.max_total_sources && count > ifc->cfg.max_total_sources)
				FAIL("%s: %llu source records over max-total-sources %u", ifc->name,
				     (unsigned long long)count, ifc->cfg.max_total_sources);
		}
	if (nifc != r->ifaces.count)
		FAIL("%zu interfaces counted as %zu", nifc, r->ifaces.count);
	return 0;
}
