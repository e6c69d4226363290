/*
 * DOC: host dumps
 *
 * The kernel's /proc/net/igmp and /proc/net/mcfilter (IPv4) and
 * /proc/net/igmp6 and /proc/net/mcfilter6 (IPv6), as little-endian Linux
 * prints them: IPv4 groups as a __be32 with %08X, IPv6 addresses as 32
 * hex digits (%pi6), timers in clock ticks of 1/100 s. Groups are sorted
 * by address. Plus JSON.
 */
#include <stdio.h>
#include <string.h>

#include "hs.h"

static int cmp_iface(const void *a, const void *b)
{
	const struct hs_iface *x = *(const struct hs_iface *const *)a;
	const struct hs_iface *y = *(const struct hs_iface *const *)b;
	return (x->ifindex > y->ifindex) - (x->ifindex < y->ifindex);
}

static int cmp_group(const void *a, const void *b)
{
	const struct hs_group *x = *(const struct hs_group *const *)a;
	const struct hs_group *y = *(const struct hs_group *const *)b;
	return mcast_addr_cmp(&x->addr, &y->addr);
}

/* Visits interfaces by ifindex and, within each, groups by address. */
static void each_group(const struct mcast_host *h, void *ctx,
		       void (*iface_fn)(void *ctx, const struct hs_iface *ifc, size_t ngroups, size_t index),
		       void (*group_fn)(void *ctx, const struct hs_iface *ifc, const struct hs_group *g,
					size_t index))
{
	size_t ni;
	void **ifs = mcast_htab_sorted(&h->ifaces, offsetof(struct hs_iface, node), cmp_iface, &ni);
	for (size_t i = 0; ifs && i < ni; i++) {
		const struct hs_iface *ifc = ifs[i];
		size_t ng;
		void **gs = bidx_sorted(&ifc->groups, cmp_group, &ng);
		if (iface_fn)
			iface_fn(ctx, ifc, ng, i);
		for (size_t k = 0; gs && k < ng; k++)
			group_fn(ctx, ifc, gs[k], k);
		if (iface_fn)
			iface_fn(ctx, ifc, ng, (size_t)-1); /* end of the interface */
		bidx_sorted_free(&ifc->groups, gs, ng);
	}
	mcast_htab_sorted_free(&h->ifaces, ifs);
}

static void hex32(const struct mcast_addr *a, char out[33])
{
	for (int i = 0; i < 16; i++)
		sprintf(out + 2 * i, "%02x", a->b[i]);
}

/* The group's pending report timer, in 1/100 s, or 0. */
static unsigned long ticks(const struct hs_group *g, mcast_time_ms now)
{
	mcast_time_ms t = hs_v12_ms(g) ? hs_v12_ms(g) : hs_resp_ms(g);
	return t > now ? (unsigned long)((t - now) / 10) : 0;
}

struct out {
	const struct mcast_host *h;
	mcast_line_fn out;
	void *ctx;
	bool first;
};

static void groups_iface(void *arg, const struct hs_iface *ifc, size_t ng, size_t index)
{
	struct out *o = arg;
	char line[256];
	if (index == (size_t)-1 || o->h->family != MCAST_AF_INET)
		return;
	const char *q = ifc->level == 1 ? "V1" : ifc->level == 2 ? "V2" : "V3";
	snprintf(line, sizeof(line), "%u\t%-10s: %5zu %7s\n", ifc->ifindex, ifc->name, ng, q);
	o->out(o->ctx, line);
}

static void groups_group(void *arg, const struct hs_iface *ifc, const struct hs_group *g, size_t index)
{
	struct out *o = arg;
	char line[256], hex[33];
	(void)index;
	unsigned long t = ticks(g, hs_now(o->h));
	if (o->h->family == MCAST_AF_INET) {
		snprintf(line, sizeof(line), "\t\t\t\t%08X %5u %d:%08lX\t\t%d\n", mcast_addr_u32_proc(&g->addr),
			 g->n_ex + g->n_in, t != 0, t, g->reporter);
	} else {
		/* MAF_TIMER_RUNNING 1, MAF_LAST_REPORTER 2, MAF_LOADED 4, MAF_NOREPORT 8 */
		unsigned flags = 4u | (t ? 1u : 0u) | (g->reporter ? 2u : 0u) |
				 (mcast_addr_is_never_reported(&g->addr) ? 8u : 0u);
		hex32(&g->addr, hex);
		snprintf(line, sizeof(line), "%-4u %-15s %s %5u %08X %lu\n", ifc->ifindex, ifc->name, hex,
			 g->n_ex + g->n_in, flags, t);
	}
	o->out(o->ctx, line);
}

void mcast_host_dump_proc_groups(const struct mcast_host *h, mcast_line_fn out, void *ctx)
{
	struct out o = { h, out, ctx, true };
	if (h->family == MCAST_AF_INET)
		out(ctx, "Idx\tDevice    :  Count Querier\tGroup    Users Timer\tReporter\n");
	each_group(h, &o, groups_iface, groups_group);
}

static void filters_group(void *arg, const struct hs_iface *ifc, const struct hs_group *g, size_t index)
{
	struct out *o = arg;
	char line[256], a[33], b[33];
	(void)index;
	for (uint32_t s = 0; s < g->nsrcs; s++) {
		const struct hs_src *x = &g->srcs[s];
		if (!x->in_cnt && !x->ex_cnt)
			continue;
		if (o->h->family == MCAST_AF_INET) {
			snprintf(line, sizeof(line), "%3u %6.6s 0x%08x 0x%08x %6u %6u\n", ifc->ifindex, ifc->name,
				 mcast_addr_u32(&g->addr), mcast_addr_u32(&x->addr), x->in_cnt, x->ex_cnt);
		} else {
			hex32(&g->addr, a);
			hex32(&x->addr, b);
			snprintf(line, sizeof(line), "%3u %6.6s %s %s %6u %6u\n", ifc->ifindex, ifc->name, a, b,
				 x->in_cnt, x->ex_cnt);
		}
		o->out(o->ctx, line);
	}
}

void mcast_host_dump_proc_filters(const struct mcast_host *h, mcast_line_fn out, void *ctx)
{
	struct out o = { h, out, ctx, true };
	out(ctx, h->family == MCAST_AF_INET
			 ? "Idx Device        MCA        SRC    INC    EXC\n"
			 : "Idx Device                Multicast Address                   Source Address    INC    EXC\n");
	each_group(h, &o, NULL, filters_group);
}

static void json_iface(void *arg, const struct hs_iface *ifc, size_t ng, size_t index)
{
	struct out *o = arg;
	char line[256];
	(void)ng;
	if (index == (size_t)-1) {
		o->out(o->ctx, "]}");
		return;
	}
	snprintf(line, sizeof(line), "%s{\"name\":\"%s\",\"ifindex\":%u,\"family\":\"%s\",\"version\":%d,\"groups\":[",
		 index ? "," : "", ifc->name, ifc->ifindex, o->h->family == MCAST_AF_INET ? "ipv4" : "ipv6",
		 mcast_host_version(o->h, ifc->ifindex));
	o->out(o->ctx, line);
	o->first = true;
}

static void json_group(void *arg, const struct hs_iface *ifc, const struct hs_group *g, size_t index)
{
	struct out *o = arg;
	const struct mcast_host *h = o->h;
	char line[512], a[MCAST_ADDR_STRLEN];
	enum mcast_filter_mode mode;
	size_t n;
	(void)ifc;
	(void)index;
	if (!hs_state(g, &mode, h->tmp, &n))
		return;
	snprintf(line, sizeof(line), "%s{\"group\":\"%s\",\"filter_mode\":\"%s\",\"users\":%u,\"sources\":[",
		 o->first ? "" : ",", mcast_addr_str(&g->addr, a), mode == MCAST_MODE_INCLUDE ? "include" : "exclude",
		 g->n_ex + g->n_in);
	o->out(o->ctx, line);
	o->first = false;
	for (size_t s = 0; s < n; s++) {
		snprintf(line, sizeof(line), "%s\"%s\"", s ? "," : "", mcast_addr_str(&h->tmp[s], a));
		o->out(o->ctx, line);
	}
	o->out(o->ctx, "]}");
}

void mcast_host_dump_json(const struct mcast_host *h, mcast_line_fn out, void *ctx)
{
	char line[64];
	struct out o = { h, out, ctx, true };
	snprintf(line, sizeof(line), "{\"time_ms\":%llu,\"interfaces\":[", (unsigned long long)hs_now(h));
	out(ctx, line);
	each_group(h, &o, json_iface, json_group);
	out(ctx, "]}\n");
}
