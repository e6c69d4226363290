/*
 * Host engine benchmark: state changes per second with N sockets (1,000,
 * 10,000, 100,000), each a member of its own group (ASM), on one
 * interface. One operation is a block of a source followed by its
 * unblock on a random socket: two state changes, each recomputing the
 * interface state and sending its State-Change Report (the wheel is
 * advanced after each call, so the report goes out then). The
 * baseline, measured in the same run, is encoding the two one-record
 * reports alone (the least a host must do for those changes); a flat
 * column across N says no work grows with the groups or sockets. Then
 * memory per membership and source.
 */
#include <string.h>

#include "bench.h"
#include "host/hs.h"
#include "mcast/host.h"

#define MAXSOCK 100000

static struct mcast_host *H;
static struct mcast_wheel W;
static size_t nsock;
static struct mcast_host_sock *socks[MAXSOCK];
static struct mcast_addr groups[MAXSOCK];
static struct mcast_rng rng;
static struct mcast_addr src;
static double index_per_group;

static void nosend(void *ctx, unsigned ifindex, const uint8_t *pkt, size_t len)
{
	(void)ctx;
	(void)ifindex;
	bench_sink += pkt[len - 1];
}

static uint64_t do_change(void *arg)
{
	(void)arg;
	size_t i = mcast_rng_below(&rng, (uint32_t)nsock);
	if (mcast_host_block(H, socks[i], 1, &groups[i], &src) != 0)
		abort();
	mcast_wheel_advance(&W, W.now_ms); /* its report */
	if (mcast_host_unblock(H, socks[i], 1, &groups[i], &src) != 0)
		abort();
	mcast_wheel_advance(&W, W.now_ms);
	return i;
}

static void emit(void *ctx, const uint8_t *pkt, size_t len)
{
	(void)ctx;
	bench_sink += pkt[len - 1];
}

static uint64_t do_baseline(void *arg)
{
	(void)arg;
	static uint8_t buf[1500];
	size_t i = mcast_rng_below(&rng, (uint32_t)nsock);
	struct mcast_addr me;
	mcast_addr_from_u32(&me, 0x0a00000a);
	for (int k = 0; k < 2; k++) {
		struct mcast_report_builder rb;
		mcast_report_init(&rb, MCAST_AF_INET, &me, NULL, 1500, buf, sizeof(buf), emit, NULL);
		mcast_report_add(&rb, k ? MCAST_ALLOW_NEW_SOURCES : MCAST_BLOCK_OLD_SOURCES, &groups[i], &src, 1,
				 NULL, 0);
		mcast_report_flush(&rb);
	}
	return i;
}

int main(void)
{
	static const size_t sizes[] = { 1000, 10000, 100000 };
	printf("host engine: N sockets, each in its own group, one interface\n");
	printf("%8s  %24s  %14s  %7s\n", "sockets", "state change + report ns", "encoding ns", "ratio");
	for (size_t k = 0; k < sizeof(sizes) / sizeof(sizes[0]); k++) {
		nsock = sizes[k];
		mcast_wheel_init(&W, 0);
		struct mcast_host_env env = { .al = &mcast_alloc_libc, .wheel = &W, .send = nosend, .seed = 1 };
		struct mcast_host_config hc;
		mcast_host_config_default(&hc, MCAST_AF_INET);
		H = mcast_host_create(&env, &hc, MCAST_AF_INET);
		struct mcast_addr me;
		mcast_addr_from_u32(&me, 0x0a00000a);
		mcast_host_iface_add(H, 1, "bench", &me, NULL);
		mcast_rng_seed(&rng, 3);
		mcast_addr_from_u32(&src, 0x0a010001);
		for (size_t i = 0; i < nsock; i++) {
			socks[i] = mcast_host_socket(H);
			mcast_addr_from_u32(&groups[i], 0xef000000u + (uint32_t)i + 1);
			if (mcast_host_join(H, socks[i], 1, &groups[i]) != 0)
				abort();
		}
		mcast_wheel_advance(&W, 60000); /* the joins' reports and retransmissions */
		double ns = bench_run(do_change, NULL) / 2;
		double base = bench_run(do_baseline, NULL) / 2;
		printf("%8zu  %24.1f  %14.1f  %6.1fx\n", nsock, ns, base, ns / base);
		const struct bidx *ix = &hs_iface_find(H, 1)->groups;
		index_per_group = (double)bidx_bytes(ix) / (double)ix->count;
		mcast_host_destroy(H);
	}
	printf("memory: %.0f bytes per interface membership (%zu + its index), %zu per socket membership, "
	       "%zu per source (interface) + %zu (socket filter)\n",
	       (double)sizeof(struct hs_group) + index_per_group, sizeof(struct hs_group),
	       sizeof(struct hs_membership), sizeof(struct hs_src), sizeof(struct mcast_addr));
	return 0;
}
