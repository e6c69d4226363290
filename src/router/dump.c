/*
 * DOC: router state dumps
 *
 * The JSON schema of DESIGN.md, shared with mcastctl and mcastsim:
 * interfaces sorted by ifindex, groups and sources sorted by address, so
 * that the same state always prints the same bytes. In EXCLUDE mode the
 * sources with a running timer are the requested list (X) and those at
 * 0 the excluded list (Y), as in RFC 3376 6.2.1. And a table for people.
 */
#include <stdio.h>
#include <string.h>

#include "rt.h"

static int cmp_iface(const void *a, const void *b)
{
	const struct rt_iface *x = *(const struct rt_iface *const *)a;
	const struct rt_iface *y = *(const struct rt_iface *const *)b;
	return (x->ifindex > y->ifindex) - (x->ifindex < y->ifindex);
}

static int cmp_group(const void *a, const void *b)
{
	const struct rt_group *x = *(const struct rt_group *const *)a;
	const struct rt_group *y = *(const struct rt_group *const *)b;
	return mcast_addr_cmp(&x->addr, &y->addr);
}

static uint8_t own_version(const struct mcast_router *r, uint8_t level)
{
	return r->family == MCAST_AF_INET ? level : (uint8_t)(level - 1);
}

void mcast_router_dump_json(const struct mcast_router *r, mcast_line_fn out, void *ctx)
{
	char line[512], a[MCAST_ADDR_STRLEN];
	mcast_time_ms now = rt_now(r);
	snprintf(line, sizeof(line), "{\"time_ms\":%llu,\"interfaces\":[", (unsigned long long)now);
	out(ctx, line);
	size_t ni;
	void **ifs = mcast_htab_sorted(&r->ifaces, offsetof(struct rt_iface, node), cmp_iface, &ni);
	for (size_t i = 0; ifs && i < ni; i++) {
		const struct rt_iface *ifc = ifs[i];
		snprintf(line, sizeof(line),
			 "%s{\"name\":\"%s\",\"family\":\"%s\",\"querier\":%s,\"querier_address\":\"%s\","
			 "\"version\":%u,\"groups\":[",
			 i ? "," : "", ifc->name, r->family == MCAST_AF_INET ? "ipv4" : "ipv6",
			 ifc->querier ? "true" : "false", mcast_addr_str(&ifc->querier_addr, a),
			 ifc->cfg.version);
		out(ctx, line);
		size_t ng;
		void **gs = bidx_sorted(&ifc->groups, cmp_group, &ng);
		for (size_t k = 0; gs && k < ng; k++) {
			const struct rt_group *g = gs[k];
			mcast_time_ms gt = rt_exclude(g) && rt_group_deadline(g) > now ? rt_group_deadline(g) - now : 0;
			snprintf(line, sizeof(line),
				 "%s{\"group\":\"%s\",\"filter_mode\":\"%s\",\"compat_version\":%u,"
				 "\"group_timer_ms\":%llu,\"sources\":[",
				 k ? "," : "", mcast_addr_str(&g->addr, a), rt_exclude(g) ? "exclude" : "include",
				 own_version(r, rt_group_level(ifc, g)), (unsigned long long)gt);
			out(ctx, line);
			for (uint32_t s = 0; s < rt_nsrcs(g); s++) {
				const struct rt_source *src = &g->sv->v[s];
				mcast_time_ms t = src->deadline_ms > now ? src->deadline_ms - now : 0;
				snprintf(line, sizeof(line), "%s{\"address\":\"%s\",\"timer_ms\":%llu,\"forwarding\":%s}",
					 s ? "," : "", mcast_addr_str(&src->addr, a), (unsigned long long)t,
					 src->deadline_ms ? "true" : "false");
				out(ctx, line);
			}
			out(ctx, "]}");
		}
		bidx_sorted_free(&ifc->groups, gs, ng);
		out(ctx, "]}");
	}
	mcast_htab_sorted_free(&r->ifaces, ifs);
	out(ctx, "]}\n");
}

void mcast_router_dump_text(const struct mcast_router *r, mcast_line_fn out, void *ctx)
{
	char line[512], a[MCAST_ADDR_STRLEN], b[MCAST_ADDR_STRLEN];
	mcast_time_ms now = rt_now(r);
	size_t ni;
	void **ifs = mcast_htab_sorted(&r->ifaces, offsetof(struct rt_iface, node), cmp_iface, &ni);
	for (size_t i = 0; ifs && i < ni; i++) {
		const struct rt_iface *ifc = ifs[i];
		snprintf(line, sizeof(line), "%s %sv%u: %s, querier %s, %zu groups\n", ifc->name,
			 r->pf->name, ifc->cfg.version, ifc->querier ? "querier" : "non-querier",
			 mcast_addr_str(&ifc->querier_addr, a), ifc->groups.count);
		out(ctx, line);
		size_t ng;
		void **gs = bidx_sorted(&ifc->groups, cmp_group, &ng);
		if (ng)
			out(ctx, "  Group                                    Mode     Compat  Timer    Sources\n");
		for (size_t k = 0; gs && k < ng; k++) {
			const struct rt_group *g = gs[k];
			mcast_time_ms gt = rt_exclude(g) && rt_group_deadline(g) > now ? rt_group_deadline(g) - now : 0;
			snprintf(line, sizeof(line), "  %-40s %-8s v%-5u %6.1fs  %u\n", mcast_addr_str(&g->addr, a),
				 rt_exclude(g) ? "EXCLUDE" : "INCLUDE", own_version(r, rt_group_level(ifc, g)),
				 (double)gt / 1000.0, rt_nsrcs(g));
			out(ctx, line);
			for (uint32_t s = 0; s < rt_nsrcs(g); s++) {
				const struct rt_source *src = &g->sv->v[s];
				mcast_time_ms t = src->deadline_ms > now ? src->deadline_ms - now : 0;
				snprintf(line, sizeof(line), "    %-38s %-8s %6.1fs\n", mcast_addr_str(&src->addr, b),
					 src->deadline_ms ? "forward" : "blocked", (double)t / 1000.0);
				out(ctx, line);
			}
		}
		bidx_sorted_free(&ifc->groups, gs, ng);
	}
	mcast_htab_sorted_free(&r->ifaces, ifs);
}
