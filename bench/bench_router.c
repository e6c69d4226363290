/*
 * Router engine benchmark: group records processed per second on one
 * interface holding 1k, 100k and 1M groups, fed as full-MTU IGMPv3
 * reports through mcast_router_input() (decoding included), in random
 * group order. Two passes: the first creates the groups (IS_EX {}, as
 * hosts answer a general query), the second refreshes them (the steady
 * state). The baseline, measured in the same run on the same packets, is
 * decoding alone (mcast_msg_decode_packet), the least any router does.
 * The last column refreshes with fast leave on (each group tracks its
 * reporting host, as mcastd's storm in bench/netns.sh runs).
 * Then memory per group and per source. The goal: 2 million records a
 * second at a million groups. The heap is faulted in first
 * (bench_warm_heap), as in a daemon that has run a while.
 */
#include <string.h>

#include "bench.h"
#include "mcast/router.h"
#include "router/rt.h"

static uint8_t *pkts;
static size_t *lens;
static size_t npkts, nrecs_per_pkt;
static struct mcast_router *R;

static void keep(void *ctx, const uint8_t *p, size_t len)
{
	(void)ctx;
	memcpy(pkts + npkts * 1500, p, len);
	lens[npkts++] = len;
}

static void nosend(void *ctx, unsigned ifindex, const uint8_t *pkt, size_t len)
{
	(void)ctx;
	(void)ifindex;
	(void)pkt;
	(void)len;
}

static uint64_t run_all(void *arg)
{
	(void)arg;
	for (size_t i = 0; i < npkts; i++)
		mcast_router_input(R, 1, pkts + i * 1500, lens[i]);
	return npkts;
}

static struct mcast_addr dsrcs[4096];
static struct mcast_group_record drecs[512];

static uint64_t decode_all(void *arg)
{
	(void)arg;
	uint64_t n = 0;
	for (size_t i = 0; i < npkts; i++) {
		struct mcast_msg m = { .srcs = dsrcs, .srcs_cap = 4096, .recs = drecs, .recs_cap = 512 };
		if (mcast_msg_decode_packet(&m, pkts + i * 1500, lens[i], NULL, NULL) == MCAST_DROP_NONE)
			n += m.nrecs;
	}
	return n;
}

/* A router on the packets: ns per record creating the groups, then
 * refreshing them; with fast leave it tracks the reporting host of each
 * group as well (mcastd's bench/netns.sh storm runs so). */
static void measure(size_t ng, bool fast_leave, double *create, double *refresh)
{
	struct mcast_wheel w;
	mcast_wheel_init(&w, 0);
	struct mcast_router_env env = { .al = &mcast_alloc_libc, .wheel = &w, .send = nosend, .hash_seed = 11 };
	R = mcast_router_create(&env, MCAST_AF_INET);
	struct mcast_router_config cfg;
	mcast_router_config_default(&cfg, MCAST_AF_INET);
	cfg.fast_leave = fast_leave;
	struct mcast_addr me;
	mcast_addr_from_u32(&me, 0x0a000001);
	mcast_router_iface_add(R, 1, "bench", &me, 1500, &cfg);
	uint64_t t0 = bench_now_ns();
	run_all(NULL);
	*create = (double)(bench_now_ns() - t0) / (double)ng;
	struct mcast_router_iface_info ii;
	mcast_router_iface_info(R, 1, &ii);
	if (ii.groups != ng)
		abort();
	*refresh = bench_run(run_all, NULL) / (double)ng;
	mcast_router_destroy(R);
}

int main(void)
{
	/* the first pass creates a million groups from nothing: without this
	 * it would mostly time the kernel's first touch of 170 MB */
	bench_warm_heap(512);
	printf("router engine: IGMPv3 IS_EX {} records through mcast_router_input(), one interface\n");
	printf("%10s %14s %14s %14s %10s %14s\n", "groups", "create Mrec/s", "refresh Mrec/s",
	       "decode Mrec/s", "ns/record", "+fast leave");
	const size_t sizes[] = { 1000, 100000, 1000000 };
	for (size_t k = 0; k < 3; k++) {
		size_t ng = sizes[k];
		struct mcast_addr *groups = malloc(ng * sizeof(*groups));
		for (size_t i = 0; i < ng; i++)
			mcast_addr_from_u32(&groups[i], 0xe9000000u + (uint32_t)i + 1);
		struct mcast_rng rng;
		mcast_rng_seed(&rng, 7);
		for (size_t i = ng - 1; i > 0; i--) {
			size_t j = mcast_rng_below(&rng, i + 1);
			struct mcast_addr t = groups[i];
			groups[i] = groups[j];
			groups[j] = t;
		}
		nrecs_per_pkt = (1500 - 24 - 8) / 8;
		size_t maxp = ng / nrecs_per_pkt + 2;
		pkts = malloc(maxp * 1500);
		lens = malloc(maxp * sizeof(*lens));
		npkts = 0;
		struct mcast_report_builder rb;
		static uint8_t buf[1500];
		struct mcast_addr host;
		mcast_addr_from_u32(&host, 0x0a00000a);
		mcast_report_init(&rb, MCAST_AF_INET, &host, NULL, 1500, buf, sizeof(buf), keep, NULL);
		for (size_t i = 0; i < ng; i++)
			mcast_report_add(&rb, MCAST_MODE_IS_EXCLUDE, &groups[i], NULL, 0, NULL, 0);
		mcast_report_flush(&rb);

		double create, refresh, create_fl, refresh_fl;
		measure(ng, false, &create, &refresh);
		double dec = bench_run(decode_all, NULL) / (double)ng;
		measure(ng, true, &create_fl, &refresh_fl);
		printf("%10zu %14.2f %14.2f %14.2f %10.1f %14.2f\n", ng, 1e3 / create, 1e3 / refresh, 1e3 / dec,
		       refresh, 1e3 / refresh_fl);
		free(groups);
		free(pkts);
		free(lens);
	}
	printf("memory: %zu bytes per group record (with its timer) plus its share of the index "
	       "(bench_footprint measures both), %zu per source\n",
	       mcast_pool_obj_size(sizeof(struct rt_group)), sizeof(struct rt_source));
	return 0;
}
