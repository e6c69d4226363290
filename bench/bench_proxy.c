/*
 * Proxy benchmark: CPU per downstream group record when N new groups
 * arrive in IGMPv3 reports of 20 IS_EX records each (a LAN's joins) and
 * each is taken upstream (RFC 4605: the host part's membership and its
 * report). The baseline, measured in the same run, is the router engine
 * alone taking the same reports (mcastd as a router). Printed for 1,000
 * to 1,000,000 groups with the ratio, then memory per proxied group.
 * The heap is faulted in first (bench_warm_heap): both rigs build their
 * state from nothing, and fresh pages' faults would otherwise weigh on
 * the one that uses more memory, and differently from run to run.
 * Each figure is the median of 5 to 15 runs of each rig, alternated;
 * the ratio is the median of each proxy run's time over the router run
 * just before it, so that a change of the machine's speed between
 * runs (this one swings by half from one second to the next) falls on
 * both sides of a ratio, not on one median. The lowest and highest of
 * those runs' ratios are printed beside it.
 *
 * The table is printed twice: on glibc's heap as it comes, then (the
 * program runs itself again) on glibc's heap on transparent huge pages
 * (GLIBC_TUNABLES=glibc.malloc.hugetlb=1), as dist/mcastd.service runs
 * mcastd. At a million groups a proxied group touches two index tables
 * and two records at random, the router path one of each, and with
 * 4 KiB pages each of those is a TLB miss as well: the heap on 2 MiB
 * pages is where the two differ by what they compute and fetch, not by
 * how many page walks they cause.
 */
#include <errno.h>
#include <stdbool.h>
#include <string.h>
#include <unistd.h>

#include "bench.h"
#include "mcast/proxy.h"
#include "mcast/router.h"

static uint8_t *pkts;
static size_t *lens, npkts;
static size_t upstream_reports;

static void keep(void *ctx, const uint8_t *p, size_t len)
{
	(void)ctx;
	memcpy(pkts + npkts * 1500, p, len);
	lens[npkts++] = len;
}

static void upstream(void *ctx, unsigned ifindex, const uint8_t *pkt, size_t len)
{
	(void)ctx;
	(void)ifindex;
	upstream_reports++;
	bench_sink += pkt[len - 1];
}

/* Reports of 20 records, one IS_EX {} per group, for n groups. */
static void build(size_t n)
{
	npkts = 0;
	struct mcast_addr host, g;
	mcast_addr_from_u32(&host, 0x0a000209);
	struct mcast_report_builder rb;
	static uint8_t out[1500];
	for (size_t i = 0; i < n; i += 20) {
		mcast_report_init(&rb, MCAST_AF_INET, &host, NULL, 1500, out, sizeof(out), keep, NULL);
		for (size_t k = i; k < i + 20 && k < n; k++) {
			mcast_addr_from_u32(&g, 0xef010000u + (uint32_t)k); /* 239.1.0.0 on */
			mcast_report_add(&rb, MCAST_MODE_IS_EXCLUDE, &g, NULL, 0, NULL, 0);
		}
		mcast_report_flush(&rb);
	}
}

struct counting {
	size_t now;
};

static void *count_realloc(void *ctx, void *p, size_t old, size_t size)
{
	struct counting *c = ctx;
	if (!size) {
		free(p);
		c->now -= old;
		return NULL;
	}
	void *q = realloc(p, size);
	if (q)
		c->now = c->now - old + size;
	return q;
}

struct rig {
	struct mcast_wheel w;
	struct mcast_router *r;
	struct mcast_proxy *px;
	struct counting mem;
	struct mcast_alloc al;
};

static void to_proxy(void *ctx, unsigned ifindex, const struct mcast_addr *g, const struct mcast_addr *s,
		     enum mcast_fwd old, enum mcast_fwd now)
{
	struct rig *k = ctx;
	if (k->px)
		mcast_proxy_fwd_change(k->px, ifindex, g, s, old, now);
}

static void ahead(void *ctx, unsigned ifindex, const struct mcast_group_record *recs, const uint64_t *hashes,
		  size_t n)
{
	struct rig *k = ctx;
	if (k->px)
		mcast_proxy_groups_ahead(k->px, ifindex, recs, hashes, n);
}

static void rig_init(struct rig *k, bool proxy)
{
	memset(k, 0, sizeof(*k));
	k->al = (struct mcast_alloc){ count_realloc, &k->mem };
	mcast_wheel_init(&k->w, 1);
	struct mcast_router_env re = { .al = &k->al, .wheel = &k->w, .fwd_change = to_proxy, .groups_ahead = ahead,
				       .ctx = k, .hash_seed = 5 };
	k->r = mcast_router_create(&re, MCAST_AF_INET);
	struct mcast_router_config c;
	mcast_router_config_default(&c, MCAST_AF_INET);
	c.querier = false; /* no queries in the way */
	struct mcast_addr me, up;
	mcast_addr_from_u32(&me, 0x0a000201);
	mcast_addr_from_u32(&up, 0x0a000002);
	mcast_router_iface_add(k->r, 2, "lan", &me, 1500, &c);
	if (proxy) {
		struct mcast_proxy_env pe = { .al = &k->al, .wheel = &k->w, .send = upstream, .ctx = k, .seed = 3,
					      .hash_seed = 5 }; /* the router's, as mcastd has it */
		k->px = mcast_proxy_create(&pe, MCAST_AF_INET, k->r);
		mcast_proxy_upstream_add(k->px, 1, 1, "wan", &up, NULL);
		mcast_proxy_downstream_add(k->px, 1, 2);
	}
}

static void rig_free(struct rig *k)
{
	mcast_proxy_destroy(k->px);
	mcast_router_destroy(k->r);
}

/* ns per record to take every report (and flush the proxy's queue). */
static double feed(struct rig *k, size_t nrecs)
{
	uint64_t t0 = bench_now_ns();
	for (size_t i = 0; i < npkts; i++) {
		mcast_router_input(k->r, 2, pkts + i * 1500, lens[i]);
		mcast_wheel_advance(&k->w, k->w.now_ms); /* the proxy's flush, due at once */
	}
	return (double)(bench_now_ns() - t0) / (double)nrecs;
}

/* The kernel's transparent huge page setting, the bracketed word. */
static const char *thp_setting(char *buf, size_t len)
{
	FILE *f = fopen("/sys/kernel/mm/transparent_hugepage/enabled", "r");
	const char *r = "unknown";
	if (f) {
		if (fgets(buf, (int)len, f)) {
			char *a = strchr(buf, '['), *b = a ? strchr(a, ']') : NULL;
			if (a && b) {
				*b = 0;
				r = a + 1;
			}
		}
		fclose(f);
	}
	return r;
}

/* Runs this program again with glibc's heap on huge pages; returns only
 * when that cannot be done. */
static void again_on_huge_pages(char **argv)
{
#ifdef __GLIBC__
	char tun[512];
	const char *old = getenv("GLIBC_TUNABLES");
	snprintf(tun, sizeof(tun), "%s%sglibc.malloc.hugetlb=1", old ? old : "", old ? ":" : "");
	setenv("GLIBC_TUNABLES", tun, 1);
	setenv("MCAST_BENCH_HEAP", "huge", 1);
	fflush(stdout);
	execv("/proc/self/exe", argv);
	printf("(the run on huge pages skipped: /proc/self/exe: %s)\n", strerror(errno));
#else
	(void)argv;
	printf("(the run on huge pages skipped: not glibc's malloc)\n");
#endif
}

int main(int argc, char **argv)
{
	(void)argc;
	static const size_t sizes[] = { 1000, 10000, 100000, 1000000 };
	enum { MAX = 1000000 };
	const char *heap = getenv("MCAST_BENCH_HEAP");
	bool huge = heap && !strcmp(heap, "huge");
	bench_warm_heap(640); /* the proxy rig at a million groups holds about 450 MB */
	pkts = malloc(MAX / 20 * 1500 + 1500);
	lens = malloc((MAX / 20 + 1) * sizeof(*lens));
	char thp[128];
	if (huge)
		printf("\nthe same, glibc's heap on transparent huge pages (as dist/mcastd.service runs mcastd; "
		       "the kernel's setting: %s)\n",
		       thp_setting(thp, sizeof(thp)));
	else
		printf("proxy: new groups in IGMPv3 reports of 20 IS_EX records, taken upstream (glibc's heap as it comes)\n");
	printf("%9s  %14s  %14s  %7s  %13s  %16s\n", "groups", "router ns/rec", "proxy ns/rec", "ratio", "runs' ratios",
	       "upstream reports");
	for (size_t s = 0; s < sizeof(sizes) / sizeof(sizes[0]); s++) {
		size_t n = sizes[s];
		build(n);
		/* the median of several runs, more where a run is short (a
		 * thousand groups take a tenth of a millisecond) */
		enum { MAXRUNS = 15 };
		int runs = n <= 10000 ? MAXRUNS : n <= 100000 ? 9 : 5;
		double rt[MAXRUNS], px[MAXRUNS], ratio[MAXRUNS];
		size_t reports = 0, mem_router = 0, mem_proxy = 0;
		for (int t = 0; t < runs; t++) {
			struct rig k;
			rig_init(&k, false);
			rt[t] = feed(&k, n);
			mem_router = k.mem.now;
			rig_free(&k);
			rig_init(&k, true);
			upstream_reports = 0;
			px[t] = feed(&k, n);
			reports = upstream_reports;
			mem_proxy = k.mem.now;
			rig_free(&k);
			ratio[t] = px[t] / rt[t];
		}
		qsort(rt, (size_t)runs, sizeof(rt[0]), bench_cmp_double);
		qsort(px, (size_t)runs, sizeof(px[0]), bench_cmp_double);
		qsort(ratio, (size_t)runs, sizeof(ratio[0]), bench_cmp_double);
		double r = rt[runs / 2], p = px[runs / 2];
		printf("%9zu  %14.0f  %14.0f  %6.2fx  %6.2f-%-5.2f  %16zu\n", n, r, p, ratio[runs / 2], ratio[0],
		       ratio[runs - 1], reports);
		if (n == sizes[sizeof(sizes) / sizeof(sizes[0]) - 1])
			printf("memory per group at %zu: router %.0f B, proxied %.0f B (router group + upstream membership)\n",
			       n, (double)mem_router / (double)n, (double)mem_proxy / (double)n);
	}
	free(pkts);
	free(lens);
	if (!huge)
		again_on_huge_pages(argv);
	return 0;
}
