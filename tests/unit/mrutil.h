/* Fixture for the routing table tests: a table on a virtual clock, the
 * copies it sends and the upcalls it makes, and data packets. */
#ifndef MCAST_MRUTIL_H
#define MCAST_MRUTIL_H

#include "mcast/mroute.h"
#include "testutil.h"

struct sent {
	unsigned ifindex;
	size_t len;
	uint8_t pkt[256];
};

struct fx {
	struct mcast_wheel wheel;
	struct mcast_mr_env env;
	struct mcast_mr_table *t;
	struct mcast_mr_owner owner;
	unsigned nsent;
	struct sent sent[2048];
	unsigned nup;
	struct mcast_upcall up[64];
	uint8_t up_pkt[64][128];       /* copies: u->pkt lives only during the call */
};

static inline void fx_xmit(void *ctx, unsigned ifindex, const uint8_t *pkt, size_t len)
{
	struct fx *f = ctx;
	if (f->nsent < 2048) {
		f->sent[f->nsent].ifindex = ifindex;
		f->sent[f->nsent].len = len;
		memcpy(f->sent[f->nsent].pkt, pkt, len < 256 ? len : 256);
	}
	f->nsent++;
}

static inline void fx_upcall(void *ctx, const struct mcast_upcall *u)
{
	struct fx *f = ctx;
	if (f->nup < 64) {
		f->up[f->nup] = *u;
		if (u->pkt) {
			memcpy(f->up_pkt[f->nup], u->pkt, u->len < 128 ? u->len : 128);
			f->up[f->nup].pkt = f->up_pkt[f->nup];
		}
	}
	f->nup++;
}

static inline struct fx *fx_new(enum mcast_family fam, const struct mcast_mr_config *cfg)
{
	struct fx *f = calloc(1, sizeof(*f));
	mcast_wheel_init(&f->wheel, 1000);
	f->env = (struct mcast_mr_env){ .al = &mcast_alloc_libc, .wheel = &f->wheel,
					.xmit = fx_xmit, .ctx = f, .hash_seed = 12345 };
	f->t = mcast_mr_create(&f->env, cfg, fam, MCAST_MR_DEFAULT_TABLE);
	assert_non_null(f->t);
	f->owner = (struct mcast_mr_owner){ fx_upcall, f };
	assert_int_equal(mcast_mr_init(f->t, &f->owner), 0);
	return f;
}

static inline void fx_free(struct fx *f)
{
	mcast_mr_destroy(f->t);
	free(f);
}

/* VIF i on ifindex 100+i named ethI. */
static inline void fx_vif(struct fx *f, uint16_t i, uint8_t threshold, uint16_t flags)
{
	struct mcast_vif_config c = { .ifindex = flags & MCAST_VIF_REGISTER ? 0 : 100u + i,
				      .flags = flags, .threshold = threshold };
	snprintf(c.name, sizeof(c.name), flags & MCAST_VIF_REGISTER ? "pimreg" : "eth%u", i);
	assert_int_equal(mcast_mr_vif_add(f->t, &f->owner, i, &c), 0);
}

/* Adds (S,G) (source "*" for any) with iif and outputs "vif:ttl". */
static inline int fx_mfc(struct fx *f, const char *s, const char *g, uint16_t iif, const char *oifs)
{
	struct mcast_mfc_oif o[64];
	size_t n = 0;
	for (const char *p = oifs; p && *p;) {
		unsigned v, ttl;
		int used;
		if (sscanf(p, "%u:%u%n", &v, &ttl, &used) != 2)
			break;
		o[n++] = (struct mcast_mfc_oif){ (uint16_t)v, (uint8_t)ttl };
		p += used;
		while (*p == ' ')
			p++;
	}
	bool v4 = mcast_mr_family(f->t) == MCAST_AF_INET;
	const struct mcast_addr *any = v4 ? &mcast_addr_any4 : &mcast_addr_any6;
	struct mcast_mfc_params p = { .source = strcmp(s, "*") ? A(s) : *any,
				      .group = strcmp(g, "*") ? A(g) : *any,
				      .iif = iif, .oifs = o, .noifs = n };
	return mcast_mr_mfc_add(f->t, &f->owner, &p);
}

/* A UDP datagram from s to g with the given TTL/hop limit and payload. */
static inline size_t udp_pkt(uint8_t *b, const char *s, const char *g, uint8_t ttl, size_t payload)
{
	struct mcast_addr src = A(s), dst = A(g);
	size_t n = mcast_udp_build(b, 48 + payload, &src, &dst, ttl, payload);
	assert_true(n > 0);
	return n;
}

static inline unsigned fx_in(struct fx *f, unsigned ifindex, const char *s, const char *g, uint8_t ttl)
{
	uint8_t b[256];
	size_t n = udp_pkt(b, s, g, ttl, 20);
	return mcast_mr_input(f->t, ifindex, b, n);
}

/* Every packet given to input ends in exactly one outcome. */
static inline void assert_counters_add_up(const struct mcast_mr_table *t)
{
	const struct mcast_mr_stats *s = mcast_mr_stats(t);
	assert_int_equal(s->input, s->no_vif + s->bad_packet + s->local_scope + s->hit + s->wrong_vif +
					   s->queued + s->no_owner + s->unres_full + s->unres_pkt_full);
}

#endif
