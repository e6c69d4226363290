/*
 * Footprint: the memory the engines hold, counted by the allocator they
 * are given (every byte they ask for, no allocator overhead), for an
 * embedded user: an idle host engine and its interface, an idle router
 * instance and interface, then per group and per source as they grow,
 * and the forwarding cache idle and per entry. Beside each figure its
 * target (issue 18); nothing here is asserted.
 */
#include <string.h>

#include "bench.h"
#include "mcast/host.h"
#include "mcast/mroute.h"
#include "mcast/router.h"

static size_t now_bytes, peak_bytes;

static void *count_realloc(void *ctx, void *p, size_t old, size_t size)
{
	(void)ctx;
	if (!size) {
		free(p);
		now_bytes -= old;
		return NULL;
	}
	void *q = realloc(p, size);
	if (q) {
		now_bytes = now_bytes - old + size;
		if (now_bytes > peak_bytes)
			peak_bytes = now_bytes;
	}
	return q;
}

static const struct mcast_alloc counting = { count_realloc, NULL };
static uint8_t pkt[1500], work[1500];
static size_t pkt_len;

static void keep(void *ctx, const uint8_t *p, size_t len)
{
	(void)ctx;
	memcpy(pkt, p, len);
	pkt_len = len;
}

static void row(const char *what, double bytes, const char *target)
{
	if (bytes >= 10240)
		printf("  %-46s %10.1f KiB   %s\n", what, bytes / 1024, target);
	else
		printf("  %-46s %10.0f B     %s\n", what, bytes, target);
}

/* One IGMPv3 report from host with up to 20 records: groups g0.. each
 * with nsrc sources (ALLOW) or none (IS_EX {}). */
static size_t report(uint32_t host, uint32_t g0, size_t ngroups, size_t nsrc)
{
	struct mcast_report_builder rb;
	struct mcast_addr h, g, s[16];
	mcast_addr_from_u32(&h, host);
	mcast_report_init(&rb, MCAST_AF_INET, &h, NULL, 1500, work, sizeof(work), keep, NULL);
	for (size_t i = 0; i < ngroups; i++) {
		mcast_addr_from_u32(&g, g0 + (uint32_t)i);
		for (size_t k = 0; k < nsrc; k++)
			mcast_addr_from_u32(&s[k], 0x0a010000u + (uint32_t)k + 1);
		mcast_report_add(&rb, nsrc ? MCAST_ALLOW_NEW_SOURCES : MCAST_MODE_IS_EXCLUDE, &g, s, nsrc, NULL, 0);
	}
	pkt_len = 0;
	mcast_report_flush(&rb);
	return pkt_len;
}

static void router_figures(void)
{
	struct mcast_wheel w;
	mcast_wheel_init(&w, 1);
	now_bytes = peak_bytes = 0;
	struct mcast_router_env env = { .al = &counting, .wheel = &w, .hash_seed = 5 };
	struct mcast_router *r = mcast_router_create(&env, MCAST_AF_INET);
	size_t instance = now_bytes;
	struct mcast_router_config c;
	mcast_router_config_default(&c, MCAST_AF_INET);
	c.querier = false;
	c.max_groups = 0;
	c.max_total_sources = 0;
	struct mcast_addr me;
	mcast_addr_from_u32(&me, 0x0a000001);
	mcast_router_iface_add(r, 1, "lan", &me, 1500, &c);
	size_t first = now_bytes - instance;
	mcast_addr_from_u32(&me, 0x0a000101);
	mcast_router_iface_add(r, 9, "lan2", &me, 1500, &c);
	size_t iface = now_bytes - instance - first;
	row("router instance, idle", (double)instance, "grows on demand");
	row("its first interface (+ query buffer, 1 MTU)", (double)first, "");
	row("each further interface, idle", (double)iface, "<= 4 KiB");
	iface += first;
	/* the first report: decode buffers and the first group */
	size_t len = report(0x0a000002, 0xef000000u, 1, 0);
	mcast_router_input(r, 1, pkt, len);
	row("after the first report (1 group)", (double)(now_bytes - instance - iface), "");
	size_t base = now_bytes;
	const size_t N = 100000;
	for (size_t i = 1; i < N; i += 20) {
		len = report(0x0a000002, 0xef000000u + (uint32_t)i, i + 20 <= N ? 20 : N - i, 0);
		mcast_router_input(r, 1, pkt, len);
	}
	row("per group (100,000 groups, one host)", (double)(now_bytes - base) / (double)(N - 1), "<= 96 B");
	/* 8 sources on each of 10,000 groups (INCLUDE, another range) */
	base = now_bytes;
	const size_t G = 10000, S = 8;
	for (size_t i = 0; i < G; i += 20) {
		len = report(0x0a000003, 0xe8000000u + (uint32_t)i, 20, S);
		mcast_router_input(r, 1, pkt, len);
	}
	double per_group = (double)(now_bytes - base) / (double)G;
	printf("  %-46s %10.0f B     (%zu sources each)\n", "per INCLUDE group with its sources", per_group, S);
	/* one source each: an SSM channel (IPTV's usual) */
	base = now_bytes;
	for (size_t i = 0; i < G; i += 20) {
		len = report(0x0a000003, 0xe8100000u + (uint32_t)i, 20, 1);
		mcast_router_input(r, 1, pkt, len);
	}
	row("per INCLUDE group of one source (a channel)", (double)(now_bytes - base) / (double)G, "");
	/* the same groups on an interface with fast leave: each tracks its
	 * one reporting host (a LAN of set-top boxes, mcastd's storm) */
	c.fast_leave = true;
	mcast_addr_from_u32(&me, 0x0a000201);
	if (mcast_router_iface_add(r, 10, "fl", &me, 1500, &c) != 0)
		abort();
	len = report(0x0a000202, 0xef000000u, 1, 0);
	mcast_router_input(r, 10, pkt, len);
	base = now_bytes;
	for (size_t i = 1; i < N; i += 20) {
		len = report(0x0a000202, 0xef000000u + (uint32_t)i, i + 20 <= N ? 20 : N - i, 0);
		mcast_router_input(r, 10, pkt, len);
	}
	row("per group with fast leave (one host tracked)", (double)(now_bytes - base) / (double)(N - 1), "");
	mcast_router_destroy(r);
}

static void host_figures(void)
{
	struct mcast_wheel w;
	mcast_wheel_init(&w, 1);
	now_bytes = peak_bytes = 0;
	struct mcast_host_env env = { .al = &counting, .wheel = &w };
	struct mcast_host_config hc;
	mcast_host_config_default(&hc, MCAST_AF_INET);
	hc.max_memberships = 1u << 30;
	struct mcast_host *h = mcast_host_create(&env, &hc, MCAST_AF_INET);
	size_t instance = now_bytes;
	struct mcast_host_iface_config ic;
	mcast_host_iface_config_default(&ic);
	struct mcast_addr me, g;
	mcast_addr_from_u32(&me, 0x0a000002);
	mcast_host_iface_add(h, 1, "eth0", &me, &ic);
	row("host engine, idle", (double)instance, "");
	row("host interface, idle", (double)(now_bytes - instance), "");
	struct mcast_host_sock *s = mcast_host_socket(h);
	mcast_addr_from_u32(&g, 0xef000000u);
	mcast_host_join(h, s, 1, &g);
	mcast_wheel_advance(&w, 2);
	size_t base = now_bytes;
	const size_t N = 10000;
	for (size_t i = 1; i < N; i++) {
		mcast_addr_from_u32(&g, 0xef000000u + (uint32_t)i);
		mcast_host_join(h, s, 1, &g);
	}
	mcast_wheel_advance(&w, 3);
	row("per joined group (membership and state)", (double)(now_bytes - base) / (double)(N - 1), "");
	/* a source-specific join each (an SSM channel, 232/8) */
	struct mcast_addr src;
	mcast_addr_from_u32(&src, 0x0a010001);
	base = now_bytes;
	for (size_t i = 0; i < N; i++) {
		mcast_addr_from_u32(&g, 0xe8000000u + (uint32_t)i);
		if (mcast_host_join_source(h, s, 1, &g, &src) != 0)
			abort();
	}
	mcast_wheel_advance(&w, 4);
	row("per joined channel (one source)", (double)(now_bytes - base) / (double)N, "");
	mcast_host_destroy(h);
}

static void no_upcall(void *ctx, const struct mcast_upcall *u)
{
	(void)ctx;
	(void)u;
}

static void mroute_figures(void)
{
	struct mcast_wheel w;
	mcast_wheel_init(&w, 1);
	now_bytes = peak_bytes = 0;
	struct mcast_mr_env env = { .al = &counting, .wheel = &w, .hash_seed = 7 };
	struct mcast_mr_table *t = mcast_mr_create(&env, NULL, MCAST_AF_INET, 253);
	struct mcast_mr_owner owner = { no_upcall, NULL };
	if (mcast_mr_init(t, &owner) < 0)
		abort();
	mcast_mr_vif_add(t, &owner, 0, &(struct mcast_vif_config){ .ifindex = 100 });
	mcast_mr_vif_add(t, &owner, 1, &(struct mcast_vif_config){ .ifindex = 101 });
	row("forwarding cache, 2 VIFs, no entry", (double)now_bytes, "");
	size_t base = now_bytes;
	struct mcast_mfc_oif oif = { 1, 1 };
	const size_t N = 100000;
	for (size_t i = 0; i < N; i++) {
		struct mcast_mfc_params p = { .iif = 0, .oifs = &oif, .noifs = 1 };
		mcast_addr_from_u32(&p.source, 0x0a000000u + (uint32_t)(i & 0xff) + 1);
		mcast_addr_from_u32(&p.group, 0xe8000000u + (uint32_t)i);
		if (mcast_mr_mfc_add(t, &owner, &p) < 0)
			abort();
	}
	row("per (S,G) entry (100,000)", (double)(now_bytes - base) / (double)N, "");
	mcast_mr_destroy(t);
}

int main(void)
{
	printf("footprint: bytes the engines asked their allocator for\n");
	router_figures();
	host_figures();
	mroute_figures();
	return 0;
}
