/*
 * Routing table benchmark.
 *
 * 1. Forwarding-cache lookups per second at 1k, 100k and 1M (S,G)
 *    entries, keys visited in random order (read in sequence from an
 *    array, as a router reads them from the packets in front of it, so
 *    the table's memory is the only random access), against a baseline measured
 *    in the same run: the seed's layout, 64 chained hash lines
 *    (mfc_cache_array[MFC_LINES]) holding the same entries; and the two
 *    layouts this cache had before: entries chained from a bucket array,
 *    and lines of 16-bit tags and entry pointers (core/bidx.h), where a
 *    hit read the bucket, then the entry for its key and input VIF.
 * 2. Packets forwarded per second to 1, 8 and 32 output VIFs through
 *    mcast_mr_input() (parse, lookup, TTL and checksum rewrite, one
 *    transmit call per copy).
 * 3. Memory per entry.
 */
#include <string.h>

#include "bench.h"
#include "mcast/mroute.h"
#include "mcast/wire.h"
#include "core/bidx.h"
#include "mroute/mr.h"

/* ---- the baseline: 64 chained lines, as the seed's mr_table ------------ */

struct line_entry {
	struct line_entry *next;
	struct mcast_addr s, g;
	uint16_t iif;
};

static struct line_entry *lines[64];

static unsigned line_of(const struct mcast_addr *s, const struct mcast_addr *g)
{
	/* Linux's MFC_HASH idea: fold both addresses into 6 bits. */
	uint32_t x = mcast_addr_u32(s) ^ mcast_addr_u32(g);
	x ^= x >> 16;
	x ^= x >> 8;
	return (x ^ (x >> 6)) & 63;
}

static const struct line_entry *line_find(const struct mcast_addr *s, const struct mcast_addr *g)
{
	for (const struct line_entry *e = lines[line_of(s, g)]; e; e = e->next)
		if (mcast_addr_eq(&e->g, g) && mcast_addr_eq(&e->s, s))
			return e;
	return NULL;
}

/* ---- setup ------------------------------------------------------------- */

static void noop_xmit(void *ctx, unsigned ifindex, const uint8_t *pkt, size_t len)
{
	(void)ctx;
	(void)ifindex;
	bench_sink += pkt[len - 1];
}

static void noop_upcall(void *ctx, const struct mcast_upcall *u)
{
	(void)ctx;
	(void)u;
}

static struct mcast_addr *S, *G, *QS, *QG; /* QS/QG: the keys in lookup order */
static uint32_t *order;
static size_t n_keys, cursor;
static struct mcast_mr_table *T;

static enum mcast_family fam;

static void key(size_t i, struct mcast_addr *s, struct mcast_addr *g)
{
	/* 1000 sources x n/1000 groups, as a big IPTV headend looks. */
	uint32_t si = (uint32_t)(i % 1000) + 1, gi = (uint32_t)(i / 1000) + 1;
	if (fam == MCAST_AF_INET) {
		mcast_addr_from_u32(s, 0x0a000000u + si);
		mcast_addr_from_u32(g, 0xe8000000u + gi);
		return;
	}
	uint8_t b[16] = { 0x20, 0x01, 0x0d, 0xb8 }; /* 2001:db8::si, ff3e::gi */
	memcpy(b + 12, &si, 4);
	mcast_addr_from_in6(s, b);
	memset(b, 0, sizeof(b));
	b[0] = 0xff;
	b[1] = 0x3e;
	memcpy(b + 12, &gi, 4);
	mcast_addr_from_in6(g, b);
}

static uint64_t do_lookup(void *arg)
{
	(void)arg;
	size_t i = cursor++ % n_keys;
	uint16_t iif;
	if (mcast_mr_mfc_get(T, &QS[i], &QG[i], &iif, NULL, NULL, 0, NULL) != 0)
		abort();
	return iif;
}

/* Where the next batch of B lookups starts in the keys (from the first
 * again when fewer are left). */
enum { B = 32 };
static size_t next_batch(void)
{
	size_t at = cursor;
	cursor += B;
	if (cursor + B > n_keys)
		cursor = 0;
	return at;
}

/* The batch's (S,G) hashes, each bucket's load started by load(). */
static void hash_batch(size_t at, uint64_t *h, void (*load)(uint64_t h))
{
	for (int i = 0; i < B; i++) {
		h[i] = mcast_addr_hash2(&QS[at + i], &QG[at + i], 0x9e3779b97f4a7c15ull);
		load(h[i]);
	}
}

/* The sum of the input VIFs a batch's lookups found with iif_of() (-1:
 * none, which must not happen). Inlined with its iif_of, so that each
 * layout's lookup runs as if written out. */
static inline __attribute__((always_inline)) uint64_t
sum_batch(size_t at, const uint64_t *h, int (*iif_of)(uint64_t h, const struct mcast_addr *s, const struct mcast_addr *g))
{
	uint64_t sum = 0;
	for (int i = 0; i < B; i++) {
		int iif = iif_of(h[i], &QS[at + i], &QG[at + i]);
		if (iif < 0)
			abort();
		sum += (uint64_t)iif;
	}
	return sum;
}

/* 32 lookups per call through the batched, prefetching lookup. */

static uint64_t do_batch(void *arg)
{
	(void)arg;
	size_t at = next_batch();
	uint16_t iif[B];
	if (mcast_mr_lookup_batch(T, B, QS + at, QG + at, iif) != B)
		abort();
	return iif[B - 1];
}

/* Until this layout, the cache chained 128-byte entries (hash link and
 * stored hash first, then the keys) from a bucket array at load <= 1,
 * and a batch prefetched buckets, then first entries, then walked. */
struct chained_entry {
	struct mcast_hnode node;
	struct mcast_addr s, g;
	uint16_t iif;
	uint8_t body[78]; /* the rest of the old entry: outputs, counters */
};

static struct mcast_htab chained;

static void chained_load(uint64_t h)
{
	__builtin_prefetch(&chained.buckets[h & chained.mask]);
}

static inline int chained_iif(uint64_t h, const struct mcast_addr *s, const struct mcast_addr *g)
{
	for (struct mcast_hnode *n = mcast_htab_first(&chained, h); n; n = mcast_htab_next(n)) {
		const struct chained_entry *c = mcast_container_of(n, struct chained_entry, node);
		if (mcast_addr_eq(&c->g, g) && mcast_addr_eq(&c->s, s))
			return c->iif;
	}
	return -1;
}

static uint64_t do_chained(void *arg)
{
	(void)arg;
	size_t at = next_batch();
	uint64_t h[B], sum = 0;
	hash_batch(at, h, chained_load);
	for (int i = 0; i < B; i++) {
		struct mcast_hnode *n = chained.buckets[h[i] & chained.mask];
		if (n)
			__builtin_prefetch(n);
	}
	return sum + sum_batch(at, h, chained_iif);
}

/* The layout before this one: buckets of 16-bit tags and entry pointers
 * (core/bidx.h) over entries of the cache's size keyed inside; a batch
 * prefetched the buckets, then each candidate entry, then compared. */
struct tagged_entry {
	struct mcast_addr s, g;
	uint16_t iif;
	uint8_t body[78];
};

static struct bidx tagged;

static uint64_t tagged_hash(const void *rec, const void *arg)
{
	(void)arg;
	const struct tagged_entry *e = rec;
	return mcast_addr_hash2(&e->s, &e->g, 0x9e3779b97f4a7c15ull);
}

static void tagged_load(uint64_t h)
{
	bidx_prefetch(&tagged, h);
}

static inline int tagged_iif(uint64_t h, const struct mcast_addr *s, const struct mcast_addr *g)
{
	struct bidx_iter it;
	for (const struct tagged_entry *c = bidx_first(&tagged, h, &it); c; c = bidx_next(&tagged, &it))
		if (mcast_addr_eq(&c->g, g) && mcast_addr_eq(&c->s, s))
			return c->iif;
	return -1;
}

static uint64_t do_tagged(void *arg)
{
	(void)arg;
	size_t at = next_batch();
	uint64_t h[B], sum = 0;
	hash_batch(at, h, tagged_load);
	for (int i = 0; i < B; i++)
		bidx_candidate(&tagged, h[i], offsetof(struct tagged_entry, g) + sizeof(struct mcast_addr));
	return sum + sum_batch(at, h, tagged_iif);
}

static uint64_t do_baseline(void *arg)
{
	(void)arg;
	size_t i = cursor++ % n_keys;
	const struct line_entry *e = line_find(&QS[i], &QG[i]);
	if (!e)
		abort();
	return e->iif;
}

static uint8_t pkt[1500];
static size_t pkt_len;

static uint64_t do_forward(void *arg)
{
	return mcast_mr_input(arg, 100, pkt, pkt_len);
}

int main(void)
{
	struct mcast_wheel w;
	mcast_wheel_init(&w, 0);
	struct mcast_mr_env env = { .al = &mcast_alloc_libc, .wheel = &w, .xmit = noop_xmit,
				    .hash_seed = 0x9e3779b97f4a7c15ull };
	struct mcast_mr_owner owner = { noop_upcall, NULL };
	struct mcast_mfc_oif oif = { 1, 1 };

	const size_t sizes[] = { 1000, 100000, 1000000 };
	for (int f = 0; f < 2; f++) {
	fam = f ? MCAST_AF_INET6 : MCAST_AF_INET;
	printf("%sforwarding-cache lookup, %s (S,G) entries, random order\n", f ? "\n" : "", f ? "IPv6" : "IPv4");
	printf("%10s %10s %10s %10s %10s %10s %11s %9s %9s %9s\n", "entries", "single ns", "batched ns",
	       "tagged ns", "chained ns", "64-line ns", "Mlookups/s", "vs tagged", "vs chain", "vs 64-line");
	for (size_t k = 0; k < 3; k++) {
		n_keys = sizes[k];
		S = malloc(n_keys * sizeof(*S));
		G = malloc(n_keys * sizeof(*G));
		order = malloc(n_keys * sizeof(*order));
		struct line_entry *le = malloc(n_keys * sizeof(*le));
		struct chained_entry *ce = malloc(n_keys * sizeof(*ce));
		struct tagged_entry *te = malloc(n_keys * sizeof(*te));
		bidx_init(&tagged, &mcast_alloc_libc, tagged_hash, NULL);
		mcast_htab_init(&chained, &mcast_alloc_libc, 16);
		memset(lines, 0, sizeof(lines));
		T = mcast_mr_create(&env, NULL, fam, 253);
		mcast_mr_init(T, &owner);
		mcast_mr_vif_add(T, &owner, 0, &(struct mcast_vif_config){ .ifindex = 100 });
		mcast_mr_vif_add(T, &owner, 1, &(struct mcast_vif_config){ .ifindex = 101 });
		for (size_t i = 0; i < n_keys; i++) {
			key(i, &S[i], &G[i]);
			struct mcast_mfc_params p = { .source = S[i], .group = G[i], .iif = 0, .oifs = &oif, .noifs = 1 };
			if (mcast_mr_mfc_add(T, &owner, &p) != 0)
				abort();
			le[i] = (struct line_entry){ .s = S[i], .g = G[i], .iif = 0 };
			ce[i] = (struct chained_entry){ .s = S[i], .g = G[i], .iif = 0 };
			te[i] = (struct tagged_entry){ .s = S[i], .g = G[i], .iif = 0 };
			if (bidx_insert(&tagged, &te[i], tagged_hash(&te[i], NULL)) != 0)
				abort();
			mcast_htab_insert(&chained, &ce[i].node,
					  mcast_addr_hash2(&S[i], &G[i], 0x9e3779b97f4a7c15ull));
			unsigned l = line_of(&S[i], &G[i]);
			le[i].next = lines[l];
			lines[l] = &le[i];
			order[i] = (uint32_t)i;
		}
		struct mcast_rng r;
		mcast_rng_seed(&r, 1);
		for (size_t i = n_keys - 1; i > 0; i--) {
			size_t j = mcast_rng_below(&r, i + 1);
			uint32_t x = order[i];
			order[i] = order[j];
			order[j] = x;
		}
		QS = malloc(n_keys * sizeof(*QS));
		QG = malloc(n_keys * sizeof(*QG));
		for (size_t i = 0; i < n_keys; i++) {
			QS[i] = S[order[i]];
			QG[i] = G[order[i]];
		}
		cursor = 0;
		double ours = bench_run(do_lookup, NULL);
		cursor = 0;
		double batch = bench_run(do_batch, NULL) / 32;
		cursor = 0;
		double tag = bench_run(do_tagged, NULL) / 32;
		cursor = 0;
		double chain = bench_run(do_chained, NULL) / 32;
		cursor = 0;
		double base = bench_run(do_baseline, NULL);
		printf("%10zu %10.1f %10.1f %10.1f %10.1f %10.1f %11.2f %8.2fx %8.2fx %8.0fx\n", n_keys, ours, batch,
		       tag, chain, base, 1e3 / batch, tag / batch, chain / batch, base / batch);
		if (k == 2 && f == 1)
			printf("memory per entry: %zu bytes (entry, up to %d outputs inline) + %.1f (index)\n",
			       mcast_pool_obj_size(sizeof(struct mr_entry)), MR_INLINE_OIFS,
			       (double)kidx_bytes(&T->cache) / (double)n_keys);
		mcast_mr_destroy(T);
		free(S);
		free(G);
		free(order);
		free(QS);
		free(QG);
		free(le);
		mcast_htab_free(&chained);
		free(ce);
		bidx_free(&tagged);
		free(te);
	}
	}

	fam = MCAST_AF_INET;
	printf("\nforwarding through mcast_mr_input(), 1000-byte UDP packets\n");
	printf("%10s %12s %12s %14s\n", "out VIFs", "ns/packet", "Mpackets/s", "ns/copy");
	const unsigned outs[] = { 1, 8, 32 };
	for (size_t k = 0; k < 3; k++) {
		struct mcast_mr_config cfg;
		mcast_mr_config_default(&cfg);
		cfg.max_vifs = 64;
		struct mcast_mr_table *t = mcast_mr_create(&env, &cfg, MCAST_AF_INET, 253);
		mcast_mr_init(t, &owner);
		struct mcast_mfc_oif o[64];
		for (uint16_t i = 0; i <= outs[k]; i++) {
			mcast_mr_vif_add(t, &owner, i, &(struct mcast_vif_config){ .ifindex = 100u + i });
			if (i)
				o[i - 1] = (struct mcast_mfc_oif){ i, 1 };
		}
		/* 10,000 entries so that the lookup is not a one-entry special case. */
		for (uint32_t i = 0; i < 10000; i++) {
			struct mcast_mfc_params p = { .iif = 0, .oifs = o, .noifs = outs[k] };
			mcast_addr_from_u32(&p.source, 0x0a000001u + i % 100);
			mcast_addr_from_u32(&p.group, 0xe8000001u + i / 100);
			mcast_mr_mfc_add(t, &owner, &p);
		}
		struct mcast_addr bsrc, bgrp;
		mcast_addr_from_u32(&bsrc, 0x0a000001u);
		mcast_addr_from_u32(&bgrp, 0xe8000032u);
		pkt_len = mcast_udp_build(pkt, sizeof(pkt), &bsrc, &bgrp, 64, 1000 - 28);
		double ns = bench_run(do_forward, t);
		if (mcast_mr_stats(t)->hit == 0)
			abort();
		printf("%10u %12.1f %12.2f %14.1f\n", outs[k], ns, 1e3 / ns, ns / outs[k]);
		mcast_mr_destroy(t);
	}
	return 0;
}
