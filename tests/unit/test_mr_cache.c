/* Unit tests for src/mroute/cache.c: forwarding, thresholds, precedence,
 * wrong VIF and its rate limit, the unresolved queue, upcalls. */
#include "mrutil.h"

/* Three VIFs: 0 (in, eth0/100), 1 and 2 (out). */
static struct fx *three(enum mcast_family fam)
{
	struct fx *f = fx_new(fam, NULL);
	for (uint16_t i = 0; i < 3; i++)
		fx_vif(f, i, 1, 0);
	return f;
}

static void test_forward_v4(void **state)
{
	(void)state;
	struct fx *f = three(MCAST_AF_INET);
	assert_int_equal(fx_mfc(f, "10.0.0.1", "239.1.1.1", 0, "1:1 2:1 0:1"), 0);
	uint8_t in[256];
	size_t n = udp_pkt(in, "10.0.0.1", "239.1.1.1", 64, 100);
	uint8_t copy[256];
	memcpy(copy, in, n);
	assert_int_equal(mcast_mr_input(f->t, 100, in, n), 2);
	assert_memory_equal(in, copy, n); /* the input is not modified */
	/* Out of 1 and 2, never back out of 0 although it is listed. */
	assert_int_equal(f->nsent, 2);
	assert_int_equal(f->sent[0].ifindex, 101);
	assert_int_equal(f->sent[1].ifindex, 102);
	for (int i = 0; i < 2; i++) {
		const uint8_t *p = f->sent[i].pkt;
		assert_int_equal(f->sent[i].len, n);
		assert_int_equal(p[8], 63); /* TTL decremented */
		assert_int_equal(mcast_cksum_fold(mcast_cksum_add(0, p, 20)), 0); /* checksum valid */
		assert_memory_equal(p + 12, in + 12, n - 12); /* the rest unchanged */
	}
	struct mcast_mfc_stats st;
	uint16_t iif;
	struct mcast_addr s = A("10.0.0.1"), g = A("239.1.1.1");
	assert_int_equal(mcast_mr_mfc_get(f->t, &s, &g, &iif, &st, NULL, 0, NULL), 0);
	assert_int_equal(st.pkts, 1);
	assert_int_equal(st.bytes, n);
	assert_int_equal(st.last_use_ms, 1000);
	struct mcast_vif_stats vs;
	mcast_mr_vif_get(f->t, 0, NULL, &vs);
	assert_int_equal(vs.pkts_in, 1);
	assert_int_equal(vs.bytes_in, n);
	mcast_mr_vif_get(f->t, 2, NULL, &vs);
	assert_int_equal(vs.pkts_out, 1);
	assert_counters_add_up(f->t);
	fx_free(f);
}

static void test_forward_v6(void **state)
{
	(void)state;
	struct fx *f = three(MCAST_AF_INET6);
	assert_int_equal(fx_mfc(f, "2001:db8::1", "ff3e::1:2", 0, "2:1"), 0);
	assert_int_equal(fx_in(f, 100, "2001:db8::1", "ff3e::1:2", 5), 1);
	assert_int_equal(f->sent[0].ifindex, 102);
	assert_int_equal(f->sent[0].pkt[7], 4);
	/* Link-local and interface-local scopes stay on the link. */
	assert_int_equal(fx_mfc(f, "2001:db8::1", "ff02::1:2", 0, "2:1"), 0);
	assert_int_equal(fx_in(f, 100, "2001:db8::1", "ff02::1:2", 5), 0);
	assert_int_equal(mcast_mr_stats(f->t)->local_scope, 1);
	assert_counters_add_up(f->t);
	fx_free(f);
}

/* Thresholds: a copy goes out only if TTL > threshold; TTL 1 never. */
static void test_ttl_thresholds(void **state)
{
	(void)state;
	struct fx *f = fx_new(MCAST_AF_INET, NULL);
	fx_vif(f, 0, 1, 0);
	fx_vif(f, 1, 1, 0);
	fx_vif(f, 2, 32, 0); /* the VIF's own threshold is higher than the entry's */
	assert_int_equal(fx_mfc(f, "10.0.0.1", "239.1.1.1", 0, "1:16 2:1"), 0);
	assert_int_equal(fx_in(f, 100, "10.0.0.1", "239.1.1.1", 16), 0); /* 16 is not > 16 */
	assert_int_equal(fx_in(f, 100, "10.0.0.1", "239.1.1.1", 17), 1);
	assert_int_equal(f->sent[0].ifindex, 101);
	assert_int_equal(fx_in(f, 100, "10.0.0.1", "239.1.1.1", 32), 1);
	assert_int_equal(fx_in(f, 100, "10.0.0.1", "239.1.1.1", 33), 2);
	assert_int_equal(fx_mfc(f, "10.0.0.1", "239.1.1.2", 0, "1:1"), 0);
	assert_int_equal(fx_in(f, 100, "10.0.0.1", "239.1.1.2", 1), 0);  /* TTL 1 */
	assert_int_equal(fx_in(f, 100, "10.0.0.1", "239.1.1.2", 0), 0);  /* TTL 0 */
	assert_int_equal(fx_in(f, 100, "10.0.0.1", "239.1.1.2", 2), 1);
	assert_int_equal(mcast_mr_stats(f->t)->ttl_below, 6);
	assert_counters_add_up(f->t);
	fx_free(f);
}

static void test_precedence(void **state)
{
	(void)state;
	struct fx *f = fx_new(MCAST_AF_INET, NULL);
	for (uint16_t i = 0; i < 4; i++)
		fx_vif(f, i, 1, 0);
	assert_int_equal(fx_mfc(f, "*", "*", 0, "3:1"), 0);
	assert_int_equal(fx_mfc(f, "*", "239.1.1.1", 0, "2:1"), 0);
	assert_int_equal(fx_mfc(f, "10.0.0.1", "239.1.1.1", 0, "1:1"), 0);
	fx_in(f, 100, "10.0.0.1", "239.1.1.1", 9); /* (S,G) */
	fx_in(f, 100, "10.0.0.2", "239.1.1.1", 9); /* (*,G) */
	fx_in(f, 100, "10.0.0.1", "239.5.5.5", 9); /* (*,*) */
	assert_int_equal(f->nsent, 3);
	assert_int_equal(f->sent[0].ifindex, 101);
	assert_int_equal(f->sent[1].ifindex, 102);
	assert_int_equal(f->sent[2].ifindex, 103);
	/* The batched lookup agrees, wildcards and misses included. */
	assert_int_equal(fx_mfc(f, "10.0.0.3", "239.3.3.3", 1, "2:1"), 0);
	struct mcast_addr bs[40], bg[40];
	uint16_t iif[40];
	for (int i = 0; i < 40; i++) {
		bs[i] = A(i % 2 ? "10.0.0.3" : "10.0.0.9");
		bg[i] = A(i % 4 < 2 ? "239.3.3.3" : "239.1.1.1");
	}
	assert_int_equal(mcast_mr_lookup_batch(f->t, 40, bs, bg, iif), 40);
	assert_int_equal(iif[0], 0); /* (10.0.0.9, 239.3.3.3): (*,*) */
	assert_int_equal(iif[1], 1); /* (10.0.0.3, 239.3.3.3): (S,G) */
	assert_int_equal(iif[2], 0); /* (*,G) */
	struct mcast_addr star = A("0.0.0.0");
	assert_int_equal(mcast_mr_mfc_del(f->t, &f->owner, &star, &star), 0);
	assert_int_equal(mcast_mr_lookup_batch(f->t, 40, bs, bg, iif), 30);
	assert_int_equal(iif[0], MCAST_MR_NO_VIF);
	assert_int_equal(fx_mfc(f, "*", "*", 0, "3:1"), 0);

	struct mcast_addr s = A("10.0.0.1"), g = A("239.1.1.1");
	assert_int_equal(mcast_mr_mfc_del(f->t, &f->owner, &s, &g), 0);
	assert_int_equal(mcast_mr_mfc_del(f->t, &f->owner, &s, &g), -ENOENT);
	fx_in(f, 100, "10.0.0.1", "239.1.1.1", 9); /* now (*,G) */
	assert_int_equal(f->sent[3].ifindex, 102);
	assert_int_equal(mcast_mr_stats(f->t)->hit, 4);
	assert_counters_add_up(f->t);
	fx_free(f);
}

static void test_wrong_vif(void **state)
{
	(void)state;
	struct fx *f = three(MCAST_AF_INET);
	assert_int_equal(fx_mfc(f, "10.0.0.1", "239.1.1.1", 0, "1:1"), 0);
	/* Asserts off: counted, nothing sent, no upcall. */
	assert_int_equal(fx_in(f, 101, "10.0.0.1", "239.1.1.1", 9), 0);
	assert_int_equal(f->nup, 0);
	mcast_mr_set_assert(f->t, true, false);
	/* From VIF 2, not an output: no upcall outside PIM mode. */
	fx_in(f, 102, "10.0.0.1", "239.1.1.1", 9);
	assert_int_equal(f->nup, 0);
	/* From VIF 1, an output: one upcall, then none for 3 s. */
	fx_in(f, 101, "10.0.0.1", "239.1.1.1", 9);
	assert_int_equal(f->nup, 1);
	assert_int_equal(f->up[0].type, MCAST_UPCALL_WRONGVIF);
	assert_int_equal(f->up[0].vif, 1);
	assert_addr_equal(&f->up[0].source, "10.0.0.1");
	mcast_wheel_advance(&f->wheel, 1000 + 2999);
	fx_in(f, 101, "10.0.0.1", "239.1.1.1", 9);
	assert_int_equal(f->nup, 1);
	mcast_wheel_advance(&f->wheel, 1000 + 3000);
	fx_in(f, 101, "10.0.0.1", "239.1.1.1", 9);
	assert_int_equal(f->nup, 2);
	/* PIM mode: any wrong VIF. */
	mcast_mr_set_assert(f->t, true, true);
	mcast_wheel_advance(&f->wheel, 1000 + 6000);
	fx_in(f, 102, "10.0.0.1", "239.1.1.1", 9);
	assert_int_equal(f->nup, 3);
	assert_int_equal(f->nsent, 0);
	struct mcast_mfc_stats st;
	struct mcast_addr s = A("10.0.0.1"), g = A("239.1.1.1");
	mcast_mr_mfc_get(f->t, &s, &g, NULL, &st, NULL, 0, NULL);
	assert_int_equal(st.wrong_if, 6);
	assert_int_equal(st.pkts, 0);
	assert_int_equal(mcast_mr_stats(f->t)->wrong_vif, 6);
	assert_counters_add_up(f->t);
	fx_free(f);
}

static void test_unresolved_queue(void **state)
{
	(void)state;
	struct fx *f = three(MCAST_AF_INET);
	/* First miss: held, one NOCACHE with (S, G, arrival VIF). */
	for (int i = 0; i < 6; i++)
		fx_in(f, 101, "10.0.0.1", "239.1.1.1", 9);
	assert_int_equal(f->nup, 1);
	assert_int_equal(f->up[0].type, MCAST_UPCALL_NOCACHE);
	assert_int_equal(f->up[0].vif, 1);
	assert_addr_equal(&f->up[0].group, "239.1.1.1");
	assert_int_equal(mcast_mr_stats(f->t)->queued, 4); /* 4 held, as Linux */
	assert_int_equal(mcast_mr_stats(f->t)->unres_pkt_full, 2);
	/* Installing the entry releases the 4 through it. */
	assert_int_equal(fx_mfc(f, "10.0.0.1", "239.1.1.1", 1, "2:1"), 0);
	assert_int_equal(f->nsent, 4);
	assert_int_equal(f->sent[3].ifindex, 102);
	assert_int_equal(f->sent[3].pkt[8], 8);
	assert_int_equal(mcast_mr_stats(f->t)->released, 4);
	assert_int_equal(mcast_mr_unresolved_count(f->t), 0);

	/* At most 10 unresolved entries. */
	char g[32];
	for (int i = 0; i < 12; i++) {
		snprintf(g, sizeof(g), "239.2.0.%d", i);
		fx_in(f, 101, "10.0.0.1", g, 9);
	}
	assert_int_equal(mcast_mr_unresolved_count(f->t), 10);
	assert_int_equal(mcast_mr_stats(f->t)->unres_full, 2);
	assert_int_equal(f->nup, 11);
	/* A (*,G) entry releases the matching ones; the rest expire at 10 s. */
	assert_int_equal(fx_mfc(f, "*", "239.2.0.3", 1, "0:1"), 0);
	assert_int_equal(mcast_mr_unresolved_count(f->t), 9);
	mcast_wheel_advance(&f->wheel, 1000 + 9999);
	assert_int_equal(mcast_mr_unresolved_count(f->t), 9);
	mcast_wheel_advance(&f->wheel, 1000 + 10000);
	assert_int_equal(mcast_mr_unresolved_count(f->t), 0);
	assert_int_equal(mcast_mr_stats(f->t)->expired, 9);
	assert_int_equal(mcast_mr_stats(f->t)->expired_pkts, 9);
	assert_counters_add_up(f->t);

	/* Deleting the VIF packets were held from drops them: the VIF number
	 * may come back for another interface. */
	fx_in(f, 101, "10.0.0.8", "239.4.4.4", 9);
	fx_in(f, 101, "10.0.0.8", "239.4.4.4", 9);
	assert_int_equal(mcast_mr_vif_del(f->t, &f->owner, 1), 0);
	assert_int_equal(mcast_mr_unresolved_count(f->t), 0);
	assert_int_equal(mcast_mr_stats(f->t)->flushed, 1);
	assert_int_equal(mcast_mr_stats(f->t)->flushed_pkts, 2);
	fx_vif(f, 1, 1, 0);

	/* Held packets that arrived on another VIF than the entry's are not sent. */
	fx_in(f, 102, "10.0.0.7", "239.3.3.3", 9);
	unsigned before = f->nsent;
	assert_int_equal(fx_mfc(f, "10.0.0.7", "239.3.3.3", 0, "1:1"), 0);
	assert_int_equal(f->nsent, before);
	fx_free(f);
}

static void test_no_owner_and_register(void **state)
{
	(void)state;
	struct fx *f = three(MCAST_AF_INET);
	fx_vif(f, 3, 1, MCAST_VIF_REGISTER);
	assert_int_equal(fx_mfc(f, "10.0.0.1", "239.1.1.1", 0, "1:1 3:1"), 0);
	assert_int_equal(fx_in(f, 100, "10.0.0.1", "239.1.1.1", 9), 1);
	assert_int_equal(f->nup, 1);
	assert_int_equal(f->up[0].type, MCAST_UPCALL_WHOLEPKT);
	assert_int_equal(f->up[0].vif, 3);
	assert_int_equal(f->up[0].len, 48);
	assert_int_equal(f->up[0].pkt[8], 9); /* the packet as received */
	/* Without an owner a miss is dropped, not queued. */
	mcast_mr_done(f->t, &f->owner);
	struct mcast_vif_config c = { .ifindex = 100, .flags = MCAST_VIF_STATIC };
	assert_int_equal(mcast_mr_vif_add(f->t, NULL, 0, &c), 0);
	fx_in(f, 100, "10.0.0.9", "239.1.1.9", 9);
	assert_int_equal(mcast_mr_stats(f->t)->no_owner, 1);
	assert_int_equal(mcast_mr_unresolved_count(f->t), 0);
	fx_free(f);
}

static void test_bad_packets(void **state)
{
	(void)state;
	struct fx *f = three(MCAST_AF_INET);
	uint8_t b[256];
	size_t n = udp_pkt(b, "10.0.0.1", "239.1.1.1", 9, 10);
	assert_int_equal(mcast_mr_input(f->t, 100, b, 19), 0);    /* truncated */
	assert_int_equal(mcast_mr_input(f->t, 100, b, n - 1), 0); /* shorter than its length */
	b[10] ^= 1;                                               /* bad header checksum */
	assert_int_equal(mcast_mr_input(f->t, 100, b, n), 0);
	n = udp_pkt(b, "10.0.0.1", "10.0.0.2", 9, 10); /* unicast destination */
	assert_int_equal(mcast_mr_input(f->t, 100, b, n), 0);
	n = udp_pkt(b, "fe80::1", "ff0e::1", 9, 10); /* IPv6 into an IPv4 table */
	assert_int_equal(mcast_mr_input(f->t, 100, b, n), 0);
	assert_int_equal(mcast_mr_stats(f->t)->bad_packet, 5);
	fx_in(f, 100, "10.0.0.1", "224.0.0.251", 9); /* mDNS: link-local */
	assert_int_equal(mcast_mr_stats(f->t)->local_scope, 1);
	fx_in(f, 555, "10.0.0.1", "239.1.1.1", 9); /* no VIF there */
	assert_int_equal(mcast_mr_stats(f->t)->no_vif, 1);
	assert_int_equal(f->nup, 0);
	assert_counters_add_up(f->t);
	fx_free(f);
}

static void test_mfc_changes(void **state)
{
	(void)state;
	struct fx *f = three(MCAST_AF_INET);
	assert_int_equal(fx_mfc(f, "10.0.0.1", "239.1.1.1", 0, "1:1 2:1"), 0);
	fx_in(f, 100, "10.0.0.1", "239.1.1.1", 9);
	/* Replacing keeps the counters and takes the new outputs. */
	assert_int_equal(fx_mfc(f, "10.0.0.1", "239.1.1.1", 0, "2:5"), 0);
	struct mcast_mfc_stats st;
	struct mcast_mfc_oif o[4];
	size_t no;
	struct mcast_addr s = A("10.0.0.1"), g = A("239.1.1.1");
	mcast_mr_mfc_get(f->t, &s, &g, NULL, &st, o, 4, &no);
	assert_int_equal(st.pkts, 1);
	assert_int_equal(no, 1);
	assert_int_equal(o[0].vif, 2);
	assert_int_equal(o[0].ttl, 5);
	assert_int_equal(mcast_mr_mfc_count(f->t), 1);
	/* Deleting a VIF takes it out of every output list. */
	assert_int_equal(fx_mfc(f, "10.0.0.1", "239.1.1.1", 0, "1:1 2:1"), 0);
	assert_int_equal(mcast_mr_vif_del(f->t, &f->owner, 1), 0);
	mcast_mr_mfc_get(f->t, &s, &g, NULL, NULL, o, 4, &no);
	assert_int_equal(no, 1);
	assert_int_equal(o[0].vif, 2);
	/* Refusals. */
	assert_int_equal(fx_mfc(f, "10.0.0.1", "239.1.1.1", 1, "2:1"), -EADDRNOTAVAIL); /* iif gone */
	assert_int_equal(fx_mfc(f, "10.0.0.1", "239.1.1.1", 0, "1:1"), -EADDRNOTAVAIL); /* oif gone */
	assert_int_equal(fx_mfc(f, "10.0.0.1", "239.1.1.1", 0, "2:0"), -EINVAL);
	assert_int_equal(fx_mfc(f, "10.0.0.1", "239.1.1.1", 0, "2:255"), -EINVAL);
	assert_int_equal(fx_mfc(f, "10.0.0.1", "239.1.1.1", 0, "2:1 2:3"), -EINVAL);
	assert_int_equal(fx_mfc(f, "10.0.0.1", "10.1.1.1", 0, "2:1"), -EINVAL);   /* unicast group */
	assert_int_equal(fx_mfc(f, "239.0.0.1", "239.1.1.1", 0, "2:1"), -EINVAL); /* multicast source */
	assert_int_equal(fx_mfc(f, "10.0.0.1", "*", 0, "2:1"), -EINVAL);          /* (S,*) */
	assert_int_equal(fx_mfc(f, "2001:db8::1", "ff0e::1", 0, "2:1"), -EINVAL); /* other family */
	/* Many outputs go out of line and back. */
	struct mcast_mr_config cfg;
	mcast_mr_config_default(&cfg);
	cfg.max_entries = 2;
	struct fx *h = fx_new(MCAST_AF_INET, &cfg);
	for (uint16_t i = 0; i < 10; i++)
		fx_vif(h, i, 1, 0);
	assert_int_equal(fx_mfc(h, "10.0.0.1", "239.1.1.1", 0, "9:1 8:1 7:1 6:1 5:1 4:1 3:1 2:1 1:1"), 0);
	assert_int_equal(fx_in(h, 100, "10.0.0.1", "239.1.1.1", 9), 9);
	assert_int_equal(h->sent[0].ifindex, 101); /* outputs sorted by VIF */
	assert_int_equal(fx_mfc(h, "10.0.0.1", "239.1.1.1", 0, "1:1"), 0);
	assert_int_equal(fx_mfc(h, "10.0.0.1", "239.1.1.2", 0, "1:1"), 0);
	assert_int_equal(fx_mfc(h, "10.0.0.1", "239.1.1.3", 0, "1:1"), -ENOBUFS); /* limit */
	fx_free(h);
	fx_free(f);
}

/* The i-th key of a table of family fam; unknown sources from 1 << 20. */
static void nth_key(enum mcast_family fam, uint32_t i, struct mcast_addr *s, struct mcast_addr *g)
{
	if (fam == MCAST_AF_INET) {
		mcast_addr_from_u32(s, 0x0a000000u + i);               /* 10.0.0.0 on */
		mcast_addr_from_u32(g, 0xef010000u + (i % 4099));      /* 239.1.0.0 on */
		return;
	}
	*s = A("2001:db8::");
	*g = A("ff0e::");
	memcpy(s->b + 12, &i, 4);
	uint32_t gi = i % 4099;
	memcpy(g->b + 12, &gi, 4);
}

/*
 * The batched lookup against the table's own answers at a size that
 * makes the index grow many times, after input VIFs changed in place
 * (the index keeps a copy of each) and entries went: every hit gives the
 * entry's VIF as mcast_mr_mfc_get() does, every miss MCAST_MR_NO_VIF.
 */
static void batch_at_scale(enum mcast_family fam)
{
	enum { N = 6000, Q = 2 * N };
	struct fx *f = fx_new(fam, NULL);
	for (uint16_t i = 0; i < 4; i++)
		fx_vif(f, i, 1, 0);
	struct mcast_mfc_oif oif = { 3, 1 };
	for (uint32_t i = 0; i < N; i++) {
		struct mcast_mfc_params p = { .iif = (uint16_t)(i % 3), .oifs = &oif, .noifs = 1 };
		nth_key(fam, i, &p.source, &p.group);
		assert_int_equal(mcast_mr_mfc_add(f->t, &f->owner, &p), 0);
	}
	for (uint32_t i = 0; i < N; i += 7) { /* a new input VIF, in place */
		struct mcast_mfc_params p = { .iif = (uint16_t)((i + 1) % 3), .oifs = &oif, .noifs = 1 };
		nth_key(fam, i, &p.source, &p.group);
		assert_int_equal(mcast_mr_mfc_add(f->t, &f->owner, &p), 0);
	}
	for (uint32_t i = 0; i < N; i += 5) {
		struct mcast_addr s, g;
		nth_key(fam, i, &s, &g);
		assert_int_equal(mcast_mr_mfc_del(f->t, &f->owner, &s, &g), 0);
	}
	static struct mcast_addr qs[Q], qg[Q];
	static uint16_t iif[Q];
	static uint32_t qi[Q];
	struct mcast_rng rng;
	mcast_rng_seed(&rng, 11);
	size_t want_hits = 0;
	for (uint32_t q = 0; q < Q; q++) {
		uint32_t i = qi[q] = mcast_rng_below(&rng, N);
		nth_key(fam, q % 2 ? i : i + (1u << 20), &qs[q], &qg[q]); /* half unknown sources */
		want_hits += q % 2 && i % 5 != 0;
	}
	assert_int_equal(mcast_mr_lookup_batch(f->t, Q, qs, qg, iif), want_hits);
	for (uint32_t q = 0; q < Q; q++) {
		uint16_t one = MCAST_MR_NO_VIF;
		int rc = mcast_mr_mfc_get(f->t, &qs[q], &qg[q], &one, NULL, NULL, 0, NULL);
		assert_int_equal(rc == 0 ? one : MCAST_MR_NO_VIF, iif[q]);
		assert_int_equal(rc == 0, q % 2 && qi[q] % 5 != 0);
		if (rc == 0)
			assert_int_equal(one, qi[q] % 7 == 0 ? (qi[q] + 1) % 3 : qi[q] % 3);
	}
	/* Addresses of the other family are in no entry. */
	struct mcast_addr os = A(fam == MCAST_AF_INET ? "2001:db8::1" : "10.0.0.1"),
			  og = A(fam == MCAST_AF_INET ? "ff0e::1" : "239.1.0.1");
	assert_int_equal(mcast_mr_lookup_batch(f->t, 1, &os, &og, iif), 0);
	assert_int_equal(iif[0], MCAST_MR_NO_VIF);
	assert_int_equal(mcast_mr_mfc_get(f->t, &os, &og, NULL, NULL, NULL, 0, NULL), -ENOENT);
	char why[256];
	assert_int_equal(mcast_mr_check(f->t, why, sizeof(why)), 0);
	fx_free(f);
}

static void test_batch_at_scale_v4(void **state)
{
	(void)state;
	batch_at_scale(MCAST_AF_INET);
}

static void test_batch_at_scale_v6(void **state)
{
	(void)state;
	batch_at_scale(MCAST_AF_INET6);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_forward_v4),
		cmocka_unit_test(test_forward_v6),
		cmocka_unit_test(test_ttl_thresholds),
		cmocka_unit_test(test_precedence),
		cmocka_unit_test(test_wrong_vif),
		cmocka_unit_test(test_unresolved_queue),
		cmocka_unit_test(test_no_owner_and_register),
		cmocka_unit_test(test_bad_packets),
		cmocka_unit_test(test_mfc_changes),
		cmocka_unit_test(test_batch_at_scale_v4),
		cmocka_unit_test(test_batch_at_scale_v6),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
