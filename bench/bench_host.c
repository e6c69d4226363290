/*
 * Host engine benchmark: state changes per second with 10,000 sockets,
 * each a member of one of 10,000 groups (ASM), on one interface. One
 * operation is a block of a source followed by its unblock on a random
 * socket: two state changes, each recomputing the interface state and
 * sending a State-Change Report. The baseline, measured in the same
 * run, is encoding the two one-record reports alone (the least a host
 * must do for those changes). Then memory per membership and source.
 */
#include <string.h>

#include "bench.h"
#include "host/hs.h"
#include "mcast/host.h"

#define NSOCK 10000

static struct mcast_host *H;
static struct mcast_host_sock *socks[NSOCK];
static struct mcast_addr groups[NSOCK];
static struct mcast_rng rng;
static struct mcast_addr src;

static void nosend(void *ctx, unsigned ifindex, const uint8_t *pkt, size_t len)
{
	(void)ctx;
	(void)ifindex;
	bench_sink += pkt[len - 1];
}

static uint64_t do_change(void *arg)
{
	(void)arg;
	size_t i = mcast_rng_below(&rng, NSOCK);
	if (mcast_host_block(H, socks[i], 1, &groups[i], &src) != 0 ||
	    mcast_host_unblock(H, socks[i], 1, &groups[i], &src) != 0)
		abort();
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
	size_t i = mcast_rng_below(&rng, NSOCK);
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
	struct mcast_wheel w;
	mcast_wheel_init(&w, 0);
	struct mcast_host_env env = { .al = &mcast_alloc_libc, .wheel = &w, .send = nosend, .seed = 1 };
	H = mcast_host_create(&env, NULL, MCAST_AF_INET);
	struct mcast_addr me;
	mcast_addr_from_u32(&me, 0x0a00000a);
	mcast_host_iface_add(H, 1, "bench", &me, NULL);
	mcast_rng_seed(&rng, 3);
	mcast_addr_from_u32(&src, 0x0a010001);
	for (size_t i = 0; i < NSOCK; i++) {
		socks[i] = mcast_host_socket(H);
		mcast_addr_from_u32(&groups[i], 0xef000000u + (uint32_t)i + 1);
		if (mcast_host_join(H, socks[i], 1, &groups[i]) != 0)
			abort();
	}
	mcast_wheel_advance(&w, 60000); /* the joins' retransmissions */
	double ns = bench_run(do_change, NULL) / 2;
	double base = bench_run(do_baseline, NULL) / 2;
	printf("host engine: 10,000 sockets in 10,000 groups, one interface\n");
	printf("state change (block or unblock + report): %8.1f ns  %6.2f M/s\n", ns, 1e3 / ns);
	printf("baseline (encoding the report alone):     %8.1f ns  ratio %.1fx\n", base, ns / base);
	printf("memory: %zu bytes per interface membership, %zu per socket membership, "
	       "%zu per source (interface) + %zu (socket filter)\n",
	       sizeof(struct hs_group) + sizeof(void *), sizeof(struct hs_membership), sizeof(struct hs_src),
	       sizeof(struct mcast_addr));
	mcast_host_destroy(H);
	return 0;
}
