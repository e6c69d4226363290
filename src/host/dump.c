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

static void hex32(const struct mcast_addr *a, char out[33])
{
	for (int i = 0; i < 16; i++)
		sprintf(out + 2 * i, "%02x", a->b[i]);
}

static unsigned be32_of(const struct mcast_addr *a)
{
	return mcast_addr_u32(a);
}

/* The group's pending report timer, in 1/100 s, or 0. */
static unsigned long ticks(const struct hs_group *g, mcast_time_ms now)
{
	mcast_time_ms t = g->v12_ms ? g->v12_ms : g->resp_ms;
	return t > now ? (unsigned long)((t - now) / 10) : 0;
}

void mcast_host_dump_proc_groups(const struct mcast_host *h, mcast_line_fn out, void *ctx)
{
	char line[256], hex[33];
	bool v4 = h->family == MCAST_AF_INET;
	mcast_time_ms now = hs_now(h);
	if (v4)
		out(ctx, "Idx\tDevice    :  Count Querier\tGroup    Users Timer\tReporter\n");
	size_t ni;
	void **ifs = mcast_htab_sorted(&h->ifaces, offsetof(struct hs_iface, node), cmp_iface, &ni);
	for (size_t i = 0; ifs && i < ni; i++) {
		const struct hs_iface *ifc = ifs[i];
		size_t ng;
		void **gs = mcast_htab_sorted(&ifc->groups, offsetof(struct hs_group, node), cmp_group, &ng);
		if (v4) {
			const char *q = ifc->level == 1 ? "V1" : ifc->level == 2 ? "V2" : "V3";
			snprintf(line, sizeof(line), "%u\t%-10s: %5zu %7s\n", ifc->ifindex, ifc->name, ng, q);
			out(ctx, line);
		}
		for (size_t k = 0; gs && k < ng; k++) {
			const struct hs_group *g = gs[k];
			unsigned long t = ticks(g, now);
			if (v4) {
				snprintf(line, sizeof(line), "\t\t\t\t%08X %5u %d:%08lX\t\t%d\n", mcast_addr_u32_proc(&g->addr),
					 g->n_ex + g->n_in, t != 0, t, g->reporter);
			} else {
				/* MAF_TIMER_RUNNING 1, MAF_LAST_REPORTER 2, MAF_LOADED 4, MAF_NOREPORT 8 */
				unsigned flags = 4u | (t ? 1u : 0u) | (g->reporter ? 2u : 0u) |
						 (mcast_addr_is_never_reported(&g->addr) ? 8u : 0u);
				hex32(&g->addr, hex);
				snprintf(line, sizeof(line), "%-4u %-15s %s %5u %08X %lu\n", ifc->ifindex, ifc->name,
					 hex, g->n_ex + g->n_in, flags, t);
			}
			out(ctx, line);
		}
		mcast_htab_sorted_free(&ifc->groups, gs);
	}
	mcast_htab_sorted_free(&h->ifaces, ifs);
}

void mcast_host_dump_proc_filters(const struct mcast_host *h, mcast_line_fn out, void *ctx)
{
	char line[256], a[33], b[33];
	bool v4 = h->family == MCAST_AF_INET;
	out(ctx, v4 ? "Idx Device        MCA        SRC    INC    EXC\n"
		    : "Idx Device                Multicast Address                   Source Address    INC    EXC\n");
	size_t ni;
	void **ifs = mcast_htab_sorted(&h->ifaces, offsetof(struct hs_iface, node), cmp_iface, &ni);
	for (size_t i = 0; ifs && i < ni; i++) {
		const struct hs_iface *ifc = ifs[i];
		size_t ng;
		void **gs = mcast_htab_sorted(&ifc->groups, offsetof(struct hs_group, node), cmp_group, &ng);
		for (size_t k = 0; gs && k < ng; k++) {
			const struct hs_group *g = gs[k];
			for (uint32_t s = 0; s < g->nsrcs; s++) {
				const struct hs_src *x = &g->srcs[s];
				if (!x->in_cnt && !x->ex_cnt)
					continue;
				if (v4) {
					snprintf(line, sizeof(line), "%3u %6.6s 0x%08x 0x%08x %6u %6u\n", ifc->ifindex,
						 ifc->name, be32_of(&g->addr), be32_of(&x->addr), x->in_cnt, x->ex_cnt);
				} else {
					hex32(&g->addr, a);
					hex32(&x->addr, b);
					snprintf(line, sizeof(line), "%3u %6.6s %s %s %6u %6u\n", ifc->ifindex, ifc->name,
						 a, b, x->in_cnt, x->ex_cnt);
				}
				out(ctx, line);
			}
		}
		mcast_htab_sorted_free(&ifc->groups, gs);
	}
	mcast_htab_sorted_free(&h->ifaces, ifs);
}

void mcast_host_dump_json(const struct mcast_host *h, mcast_line_fn out, void *ctx)
{
	char line[512], a[MCAST_ADDR_STRLEN];
	snprintf(line, sizeof(line), "{\"time_ms\":%llu,\"interfaces\":[", (unsigned long long)hs_now(h));
	out(ctx, line);
	size_t ni;
	void **ifs = mcast_htab_sorted(&h->ifaces, offsetof(struct hs_iface, node), cmp_iface, &ni);
	for (size_t i = 0; ifs && i < ni; i++) {
		const struct hs_iface *ifc = ifs[i];
		snprintf(line, sizeof(line), "%s{\"name\":\"%s\",\"ifindex\":%u,\"family\":\"%s\",\"version\":%d,\"groups\":[",
			 i ? "," : "", ifc->name, ifc->ifindex, h->family == MCAST_AF_INET ? "ipv4" : "ipv6",
			 mcast_host_version(h, ifc->ifindex));
		out(ctx, line);
		size_t ng;
		void **gs = mcast_htab_sorted(&ifc->groups, offsetof(struct hs_group, node), cmp_group, &ng);
		bool first = true;
		for (size_t k = 0; gs && k < ng; k++) {
			const struct hs_group *g = gs[k];
			enum mcast_filter_mode mode;
			size_t n;
			if (!hs_state(g, &mode, h->tmp, &n))
				continue;
			snprintf(line, sizeof(line), "%s{\"group\":\"%s\",\"filter_mode\":\"%s\",\"users\":%u,\"sources\":[",
				 first ? "" : ",", mcast_addr_str(&g->addr, a),
				 mode == MCAST_MODE_INCLUDE ? "include" : "exclude", g->n_ex + g->n_in);
			out(ctx, line);
			first = false;
			for (size_t s = 0; s < n; s++) {
				snprintf(line, sizeof(line), "%s\"%s\"", s ? "," : "", mcast_addr_str(&h->tmp[s], a));
				out(ctx, line);
			}
			out(ctx, "]}");
		}
		mcast_htab_sorted_free(&ifc->groups, gs);
		out(ctx, "]}");
	}
	mcast_htab_sorted_free(&h->ifaces, ifs);
	out(ctx, "]}\n");
}
