/*
 * libFuzzer target for the router engine: the input is a program of
 * host records, old-version reports and leaves, other routers' queries,
 * raw packets and clock jumps, fed to one router (IGMP or MLD). After
 * every step the engine's invariants must hold: sources sorted and
 * unique, no INCLUDE-mode source with timer 0 (RFC 3376 6.2.1), no
 * INCLUDE-mode group without sources, group timer running exactly in
 * EXCLUDE mode, memory within the configured limits; and nothing leaks.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fuzzengine.h"
#include "mcast/router.h"
#include "router/rt.h"


static struct fuzz_prog prog; /* the input as a program */
static struct mcast_router *R;
static bool V4;

static void on_send(void *ctx, unsigned ifindex, const uint8_t *pkt, size_t len)
{
	(void)ctx;
	CHECK(ifindex == 1);
	struct mcast_ip_info ip;
	CHECK(mcast_ip_parse(pkt, len, &ip) == MCAST_DROP_NONE); /* we send only what we can read */
}

static void on_fwd(void *ctx, unsigned ifindex, const struct mcast_addr *g, const struct mcast_addr *s,
		   enum mcast_fwd old, enum mcast_fwd now)
{
	(void)ctx;
	(void)g;
	(void)s;
	CHECK(ifindex == 1 && old != now);
}

static void feed(void *ctx, const uint8_t *p, size_t n)
{
	(void)ctx;
	mcast_router_input(R, 1, p, n);
}

/* The engine's own invariant check (src/router/check.c), with the
 * limits this harness configured. */
static void check_invariants(void)
{
	char why[256];
	fuzz_invariant(mcast_router_check(R, why, sizeof(why)), why);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	V4 = fuzz_begin(&prog, data, size);
	struct mcast_router_env env = { .al = &mcast_alloc_libc, .wheel = &prog.w, .send = on_send,
					.fwd_change = on_fwd, .hash_seed = 3 };
	R = mcast_router_create(&env, prog.fam);
	CHECK(R);
	struct mcast_router_config cfg;
	fuzz_router_config(&cfg, prog.fam, prog.hdr);
	cfg.wire.require_ttl1 = !(prog.hdr & 64);
	struct mcast_addr me = V4 ? (struct mcast_addr){ { [10] = 0xff, [11] = 0xff, 10, 0, 0, 4 } }
				  : (struct mcast_addr){ { 0xfe, 0x80, [15] = 4 } };
	CHECK(mcast_router_iface_add(R, 1, "fz", &me, 1500, &cfg) == 0);
	static uint8_t out[1600];
	while (prog.r.n) {
		switch (rd(&prog.r) % 6) {
		case 0: /* a host's record */
			fuzz_record(&prog.r, V4, feed, NULL);
			break;
		case 1: { /* an old report or leave */
			int len = fuzz_old_report(&prog.r, V4, out, sizeof(out));
			if (len > 0)
				mcast_router_input(R, 1, out, (size_t)len);
			break;
		}
		case 2: /* another router's query */
			fuzz_query(&prog.r, V4, feed, NULL);
			break;
		case 3: { /* raw bytes */
			const uint8_t *b;
			size_t n = fuzz_raw(&prog.r, &b);
			mcast_router_input(R, 1, b, n);
			break;
		}
		case 4: /* time passes, up to 255 s */
			mcast_wheel_advance(&prog.w, prog.w.now_ms + (mcast_time_ms)rd(&prog.r) * (rd(&prog.r) & 1 ? 1000 : 7));
			break;
		case 5: { /* our address changes */
			struct mcast_addr a = fuzz_pick(&prog.r, V4, 2);
			if (!mcast_addr_is_unspecified(&a) && mcast_addr_is_unicast(&a))
				(void)mcast_router_iface_set_addr(R, 1, &a);
			break;
		}
		}
		check_invariants();
	}
	mcast_router_destroy(R);
	return 0;
}
