/*
 * libFuzzer target for the routing table: the input is a program of
 * table operations (VIFs, entries, owner changes, time) and packets.
 * Invariants checked after every step: no copy leaves through the
 * interface the packet came in on, no more copies than VIFs, every
 * input packet counted in exactly one outcome, the unresolved queue
 * within its bounds; and at the end nothing leaks (LeakSanitizer).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fuzzutil.h"
#include "mcast/mroute.h"
#include "mcast/wire.h"


static unsigned arrival;
static unsigned copies;
static unsigned upcalls;

static void xmit(void *ctx, unsigned ifindex, const uint8_t *pkt, size_t len)
{
	(void)ctx;
	(void)pkt;
	(void)len;
	CHECK(ifindex != arrival);
	copies++;
}

static void on_upcall(void *ctx, const struct mcast_upcall *u)
{
	(void)ctx;
	CHECK(u->type >= MCAST_UPCALL_NOCACHE && u->type <= MCAST_UPCALL_WHOLEPKT);
	upcalls++;
}

static void addr(struct rd *r, bool v4, bool mc, struct mcast_addr *a)
{
	uint8_t x = rd(r) & 7; /* a small universe so that keys repeat */
	if (x == 7) {
		*a = v4 ? mcast_addr_any4 : mcast_addr_any6;
		return;
	}
	uint8_t b[16] = { 0 };
	if (v4) {
		b[0] = mc ? 239 : 10;
		b[3] = x;
		if (mc && (rd(r) & 15) == 0)
			b[0] = 224, b[1] = 0, b[2] = 0; /* sometimes link-local */
		mcast_addr_from_in4(a, b);
	} else {
		b[0] = mc ? 0xff : 0x20;
		b[1] = mc ? ((rd(r) & 15) == 0 ? 0x02 : 0x0e) : 0x01;
		b[15] = x;
		mcast_addr_from_in6(a, b);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct rd r = { data, size };
	bool v4 = rd(&r) & 1;
	struct mcast_wheel w;
	mcast_wheel_init(&w, 0);
	struct mcast_mr_env env = { .al = &mcast_alloc_libc, .wheel = &w, .xmit = xmit, .hash_seed = 1 };
	struct mcast_mr_config cfg;
	mcast_mr_config_default(&cfg);
	cfg.max_vifs = 8;
	cfg.assert = true;
	struct mcast_mr_table *t = mcast_mr_create(&env, &cfg, v4 ? MCAST_AF_INET : MCAST_AF_INET6, 1);
	CHECK(t);
	struct mcast_mr_owner owner = { on_upcall, NULL };
	mcast_mr_init(t, &owner);

	while (r.n) {
		uint8_t op = rd(&r) % 8;
		switch (op) {
		case 0: { /* VIF add */
			struct mcast_vif_config c = { .ifindex = 1 + (rd(&r) & 7u), .threshold = rd(&r) & 3 };
			c.flags = (rd(&r) & 7) == 0 ? MCAST_VIF_REGISTER : 0;
			(void)mcast_mr_vif_add(t, &owner, rd(&r) & 7, &c);
			break;
		}
		case 1:
			(void)mcast_mr_vif_del(t, &owner, rd(&r) & 7);
			break;
		case 2: { /* entry add: may release held packets, whose arrival VIF
			   * the table itself excludes (checked in the unit tests) */
			arrival = 0;
			struct mcast_mfc_oif o[8];
			struct mcast_mfc_params p = { .iif = rd(&r) & 7, .oifs = o };
			addr(&r, v4, false, &p.source);
			addr(&r, v4, true, &p.group);
			p.noifs = rd(&r) & 7;
			for (size_t i = 0; i < p.noifs; i++)
				o[i] = (struct mcast_mfc_oif){ rd(&r) & 7, (uint8_t)(1 + (rd(&r) & 3)) };
			(void)mcast_mr_mfc_add(t, &owner, &p);
			break;
		}
		case 3: {
			struct mcast_addr s, g;
			addr(&r, v4, false, &s);
			addr(&r, v4, true, &g);
			(void)mcast_mr_mfc_del(t, &owner, &s, &g);
			break;
		}
		case 4:
		case 5: { /* a packet */
			struct mcast_addr s, g;
			addr(&r, v4, false, &s);
			addr(&r, v4, true, &g);
			uint8_t pkt[64];
			uint8_t ttl = rd(&r) & 7;
			size_t len = mcast_udp_build(pkt, sizeof(pkt), &s, &g, ttl, 0);
			CHECK(len > 0);
			if ((rd(&r) & 31) == 0)
				pkt[rd(&r) % len] ^= rd(&r); /* sometimes damaged */
			/* the batched lookup agrees with the entries one by one:
			 * (S,G), else (*,G), else (*,*) */
			const struct mcast_addr *any = v4 ? &mcast_addr_any4 : &mcast_addr_any6;
			uint16_t batched = 0, one = MCAST_MR_NO_VIF;
			size_t hits = mcast_mr_lookup_batch(t, 1, &s, &g, &batched);
			if (mcast_mr_mfc_get(t, &s, &g, &one, NULL, NULL, 0, NULL) != 0 &&
			    mcast_mr_mfc_get(t, any, &g, &one, NULL, NULL, 0, NULL) != 0)
				(void)mcast_mr_mfc_get(t, any, any, &one, NULL, NULL, 0, NULL);
			CHECK(batched == one && hits == (one != MCAST_MR_NO_VIF));
			arrival = 1 + (rd(&r) & 7u);
			unsigned before = copies;
			unsigned sent = mcast_mr_input(t, arrival, pkt, len);
			CHECK(sent == copies - before);
			CHECK(sent <= 7);
			break;
		}
		case 6: /* time passes */
			arrival = 0;
			mcast_wheel_advance(&w, w.now_ms + (uint64_t)rd(&r) * 100);
			break;
		case 7: /* owner leaves and maybe comes back */
			arrival = 0;
			if (rd(&r) & 1) {
				(void)mcast_mr_done(t, &owner);
				CHECK(mcast_mr_mfc_count(t) == 0 && mcast_mr_unresolved_count(t) == 0);
			} else {
				(void)mcast_mr_init(t, &owner);
			}
			break;
		}
		const struct mcast_mr_stats *s = mcast_mr_stats(t);
		CHECK(s->input == s->no_vif + s->bad_packet + s->local_scope + s->hit + s->wrong_vif +
					  s->queued + s->no_owner + s->unres_full + s->unres_pkt_full);
		CHECK(mcast_mr_unresolved_count(t) <= cfg.max_unresolved);
		CHECK(s->copies <= s->hit * 7 + s->released * 7);
		char why[256];
		if (mcast_mr_check(t, why, sizeof(why)) < 0) {
			fprintf(stderr, "invariant: %s\n", why);
			abort();
		}
	}
	mcast_mr_destroy(t);
	return 0;
}
