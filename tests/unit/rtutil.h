/* Fixture for the router tests: routers on a virtual clock whose sent
 * packets are queued (a link), message builders, and canonical text of
 * group state and of the queries sent. */
#ifndef MCAST_RTUTIL_H
#define MCAST_RTUTIL_H

#include "mcast/router.h"
#include "testutil.h"

#define RT_MAXPKT 256

struct rtpkt {
	unsigned from;          /* index of the sending router */
	size_t len;
	uint8_t data[1600];
};

struct rtfx {
	struct mcast_wheel wheel;
	enum mcast_family fam;
	unsigned nr;
	struct mcast_router *r[3];
	struct mcast_router_env env[3];
	unsigned npkt;           /* queued, not yet delivered */
	struct rtpkt pkt[RT_MAXPKT];
	unsigned nev;
	char ev[4096];           /* forwarding changes, "+S,G" / "-S,G" / "xS,G" */
	const char *names[8];    /* symbolic source names s1.. for rendering */
	struct mcast_addr named[8];
};

static inline void rt_send(void *ctx, unsigned ifindex, const uint8_t *pkt, size_t len)
{
	(void)ifindex;
	struct rtfx **pf = ctx; /* ctx points at the slot holding f, after the router index */
	struct rtfx *f = pf[0];
	unsigned from = (unsigned)(uintptr_t)pf[1];
	if (f->npkt < RT_MAXPKT && len <= 1600) {
		f->pkt[f->npkt].from = from;
		f->pkt[f->npkt].len = len;
		memcpy(f->pkt[f->npkt].data, pkt, len);
		f->npkt++;
	}
}

static inline const char *rt_name(struct rtfx *f, const struct mcast_addr *a, char *buf)
{
	for (int i = 0; i < 8; i++)
		if (f->names[i] && mcast_addr_eq(a, &f->named[i]))
			return f->names[i];
	return mcast_addr_str(a, buf);
}

static inline void rt_fwd(void *ctx, unsigned ifindex, const struct mcast_addr *g,
			  const struct mcast_addr *s, enum mcast_fwd old, enum mcast_fwd now)
{
	(void)ifindex;
	(void)old;
	(void)g;
	struct rtfx *f = ((struct rtfx **)ctx)[0];
	char b[MCAST_ADDR_STRLEN];
	const char *sym = now == MCAST_FWD_INCLUDE ? "+" : now == MCAST_FWD_EXCLUDE ? "x" : "-";
	const char *name = mcast_addr_is_unspecified(s) ? "*" : rt_name(f, s, b);
	size_t l = strlen(f->ev);
	snprintf(f->ev + l, sizeof(f->ev) - l, "%s%s%s", l ? " " : "", sym, name);
	f->nev++;
}

static void *rt_ctx[3][2];

/* n routers on one link, ifindex 1, addresses base+1.. (10.0.0.1, fe80::1). */
static inline struct rtfx *rtfx_new(enum mcast_family fam, unsigned n,
				    const struct mcast_router_config *cfg)
{
	struct rtfx *f = calloc(1, sizeof(*f));
	f->fam = fam;
	f->nr = n;
	mcast_wheel_init(&f->wheel, 0);
	const char *v4[] = { "10.0.0.1", "10.0.0.2", "10.0.0.3" };
	const char *v6[] = { "fe80::1", "fe80::2", "fe80::3" };
	const char *s4[] = { "10.1.0.1", "10.1.0.2", "10.1.0.3", "10.1.0.4", "10.1.0.5" };
	const char *s6[] = { "2001:db8::1", "2001:db8::2", "2001:db8::3", "2001:db8::4", "2001:db8::5" };
	static const char *sym[] = { "s1", "s2", "s3", "s4", "s5" };
	for (int i = 0; i < 5; i++) {
		f->names[i] = sym[i];
		f->named[i] = A(fam == MCAST_AF_INET ? s4[i] : s6[i]);
	}
	for (unsigned i = 0; i < n; i++) {
		rt_ctx[i][0] = f;
		rt_ctx[i][1] = (void *)(uintptr_t)i;
		f->env[i] = (struct mcast_router_env){ .al = &mcast_alloc_libc, .wheel = &f->wheel,
						       .send = rt_send, .fwd_change = rt_fwd,
						       .ctx = rt_ctx[i], .hash_seed = 77 };
		f->r[i] = mcast_router_create(&f->env[i], fam);
		assert_non_null(f->r[i]);
		struct mcast_router_config c;
		if (cfg)
			c = *cfg;
		else
			mcast_router_config_default(&c, fam);
		struct mcast_addr a = A(fam == MCAST_AF_INET ? v4[i] : v6[i]);
		assert_int_equal(mcast_router_iface_add(f->r[i], 1, "lan", &a, 1500, &c), 0);
	}
	return f;
}

static inline void rtfx_free(struct rtfx *f)
{
	for (unsigned i = 0; i < f->nr; i++)
		mcast_router_destroy(f->r[i]);
	free(f);
}

static inline struct mcast_addr rt_sym(struct rtfx *f, const char *name)
{
	for (int i = 0; i < 8; i++)
		if (f->names[i] && !strcmp(f->names[i], name))
			return f->named[i];
	return A(name);
}

/* Delivers queued packets to every other router on the link, until quiet. */
static inline void rtfx_deliver(struct rtfx *f)
{
	for (unsigned k = 0; k < f->npkt; k++)
		for (unsigned i = 0; i < f->nr; i++)
			if (i != f->pkt[k].from)
				mcast_router_input(f->r[i], 1, f->pkt[k].data, f->pkt[k].len);
	f->npkt = 0;
}

static inline void rtfx_at(struct rtfx *f, mcast_time_ms t)
{
	mcast_wheel_advance(&f->wheel, t);
	rtfx_deliver(f);
}

/* A host's report or leave, delivered to every router. */
static inline void host_pkt(struct rtfx *f, const uint8_t *p, size_t n)
{
	for (unsigned i = 0; i < f->nr; i++)
		mcast_router_input(f->r[i], 1, p, n);
}

static void host_emit(void *ctx, const uint8_t *p, size_t n)
{
	host_pkt(ctx, p, n);
}

/* One IGMPv3/MLDv2 record from host h, sources as "s1 s2". */
static inline void host_rec(struct rtfx *f, const char *host, const char *group, uint8_t type,
			    const char *srcs)
{
	struct mcast_addr s[8];
	size_t n = 0;
	char buf[128];
	snprintf(buf, sizeof(buf), "%s", srcs ? srcs : "");
	for (char *save = NULL, *t = strtok_r(buf, " ", &save); t; t = strtok_r(NULL, " ", &save))
		s[n++] = rt_sym(f, t);
	struct mcast_report_builder rb;
	static uint8_t out[1600];
	struct mcast_addr h = A(host), g = A(group);
	assert_int_equal(mcast_report_init(&rb, f->fam, &h, NULL, 1500, out, sizeof(out), host_emit, f), 0);
	assert_int_equal(mcast_report_add(&rb, type, &g, s, n, NULL, 0), 0);
	mcast_report_flush(&rb);
}

static inline void host_old(struct rtfx *f, const char *host, const char *group,
			    enum mcast_msg_kind kind, uint8_t version)
{
	uint8_t out[128];
	struct mcast_addr h = A(host), g = A(group);
	int n = mcast_v1v2_encode(f->fam, kind, version, &g, 0, &h, NULL, out, sizeof(out));
	assert_true(n > 0);
	host_pkt(f, out, (size_t)n);
}

/* "INCLUDE s1=250000 s2=260000" or "EXCLUDE gt=... s1=... s3=0", "none". */
static inline const char *rt_state(struct rtfx *f, unsigned ri, const char *group)
{
	static char out[512];
	struct mcast_router_group_info gi;
	struct mcast_router_source_info si[16];
	struct mcast_addr g = A(group);
	if (mcast_router_group(f->r[ri], 1, &g, &gi, si, 16) != 0)
		return "none";
	int k = snprintf(out, sizeof(out), "%s", gi.exclude ? "EXCLUDE" : "INCLUDE");
	if (gi.exclude)
		k += snprintf(out + k, sizeof(out) - (size_t)k, " gt=%llu", (unsigned long long)gi.group_timer_ms);
	for (size_t i = 0; i < gi.nsources && i < 16; i++) {
		char b[MCAST_ADDR_STRLEN];
		k += snprintf(out + k, sizeof(out) - (size_t)k, " %s=%llu", rt_name(f, &si[i].addr, b),
			      (unsigned long long)si[i].timer_ms);
	}
	return out;
}

/* The queued packets rendered as queries, then dropped: "Q(G) S=0; Q(G,s1 s2) S=1". */
static inline const char *rt_queries(struct rtfx *f)
{
	static char out[1024];
	static struct msgbuf mb;
	out[0] = '\0';
	for (unsigned k = 0; k < f->npkt; k++) {
		struct mcast_msg *m = msgbuf_init(&mb);
		assert_int_equal(mcast_msg_decode_packet(m, f->pkt[k].data, f->pkt[k].len, NULL, NULL), MCAST_DROP_NONE);
		size_t l = strlen(out);
		char b[MCAST_ADDR_STRLEN];
		if (m->kind != MCAST_MSG_QUERY) {
			snprintf(out + l, sizeof(out) - l, "%s%s", l ? "; " : "", mcast_msg_name(m));
			continue;
		}
		if (mcast_addr_is_unspecified(&m->group)) {
			snprintf(out + l, sizeof(out) - l, "%sQ()", l ? "; " : "");
			continue;
		}
		l += (size_t)snprintf(out + l, sizeof(out) - l, "%sQ(G%s", l ? "; " : "", m->nsrcs ? "," : "");
		for (uint32_t i = 0; i < m->nsrcs; i++)
			l += (size_t)snprintf(out + l, sizeof(out) - l, "%s%s", i ? " " : "", rt_name(f, &m->srcs[i], b));
		snprintf(out + l, sizeof(out) - l, ") S=%d", m->s_flag);
	}
	f->npkt = 0;
	return out;
}

#endif
