/* Fixture for the host tests: one host on a virtual clock, its sent
 * packets with their times, rendered as messages. */
#ifndef MCAST_HSUTIL_H
#define MCAST_HSUTIL_H

#include "mcast/host.h"
#include "testutil.h"

struct hsfx {
	struct mcast_wheel wheel;
	enum mcast_family fam;
	struct mcast_host *h;
	unsigned n;
	mcast_time_ms at[256];
	size_t len[256];
	uint8_t pkt[256][1600];
	const char *names[6];
	struct mcast_addr named[6];
};

static inline void hs_send(void *ctx, unsigned ifindex, const uint8_t *p, size_t len)
{
	struct hsfx *f = ctx;
	assert_int_equal(ifindex, 1);
	if (f->n < 256 && len <= 1600) {
		f->at[f->n] = f->wheel.now_ms;
		f->len[f->n] = len;
		memcpy(f->pkt[f->n], p, len);
		f->n++;
	}
}

/* A host with the given allocator (NULL: libc's). */
static inline struct hsfx *hsfx_new_al(enum mcast_family fam, const struct mcast_host_iface_config *ic,
				       const struct mcast_alloc *al)
{
	struct hsfx *f = calloc(1, sizeof(*f));
	f->fam = fam;
	mcast_wheel_init(&f->wheel, 0);
	struct mcast_host_env env = { .al = al ? al : &mcast_alloc_libc, .wheel = &f->wheel, .send = hs_send,
				      .ctx = f, .seed = 42 };
	f->h = mcast_host_create(&env, NULL, fam);
	assert_non_null(f->h);
	struct mcast_addr a = A(fam == MCAST_AF_INET ? "10.0.0.10" : "fe80::10");
	assert_int_equal(mcast_host_iface_add(f->h, 1, "eth0", &a, ic), 0);
	static const char *sym[] = { "s1", "s2", "s3", "s4", "s5", "s6" };
	for (int i = 0; i < 6; i++) {
		char b[48];
		snprintf(b, sizeof(b), fam == MCAST_AF_INET ? "10.1.0.%d" : "2001:db8::%d", i + 1);
		f->names[i] = sym[i];
		f->named[i] = A(b);
	}
	return f;
}

static inline struct hsfx *hsfx_new(enum mcast_family fam, const struct mcast_host_iface_config *ic)
{
	return hsfx_new_al(fam, ic, NULL);
}

static inline void hsfx_free(struct hsfx *f)
{
	mcast_host_destroy(f->h);
	free(f);
}

static inline struct mcast_addr hsym(struct hsfx *f, const char *n)
{
	for (int i = 0; i < 6; i++)
		if (!strcmp(f->names[i], n))
			return f->named[i];
	return A(n);
}

/* "s1 s2" to addresses; returns the count. */
static inline size_t hsyms(struct hsfx *f, const char *list, struct mcast_addr *out)
{
	char b[128];
	size_t n = 0;
	snprintf(b, sizeof(b), "%s", list ? list : "");
	for (char *sv = NULL, *t = strtok_r(b, " ", &sv); t; t = strtok_r(NULL, " ", &sv))
		out[n++] = hsym(f, t);
	return n;
}

static inline const char *hname(struct hsfx *f, const struct mcast_addr *a, char *buf)
{
	for (int i = 0; i < 6; i++)
		if (mcast_addr_eq(a, &f->named[i]))
			return f->names[i];
	return mcast_addr_str(a, buf);
}

/* Every packet sent since the last call: "TO_EX 239.1.1.1 {s1} | ALLOW ..." per
 * packet, packets joined with "; ". With times when at is true ("@1000 ..."). */
static inline const char *hsent(struct hsfx *f, bool at)
{
	static char out[4096];
	static struct msgbuf mb;
	out[0] = '\0';
	/* what is due now goes out (a state change's report is sent at the
	 * same instant, after the caller's other changes) */
	mcast_wheel_advance(&f->wheel, f->wheel.now_ms);
	for (unsigned k = 0; k < f->n; k++) {
		struct mcast_msg *m = msgbuf_init(&mb);
		struct mcast_ip_info ip;
		assert_int_equal(mcast_msg_decode_packet(m, f->pkt[k], f->len[k], NULL, &ip), MCAST_DROP_NONE);
		size_t l = strlen(out);
		char b[MCAST_ADDR_STRLEN], d[MCAST_ADDR_STRLEN];
		if (l)
			l += (size_t)snprintf(out + l, sizeof(out) - l, "; ");
		if (at)
			l += (size_t)snprintf(out + l, sizeof(out) - l, "@%llu ", (unsigned long long)f->at[k]);
		if (m->kind != MCAST_MSG_V3_REPORT) {
			snprintf(out + l, sizeof(out) - l, "%s %s to %s", mcast_msg_name(m), mcast_addr_str(&m->group, b),
				 mcast_addr_str(&ip.dst, d));
			continue;
		}
		for (unsigned r = 0; r < m->nrecs; r++) {
			const struct mcast_group_record *g = &m->recs[r];
			l += (size_t)snprintf(out + l, sizeof(out) - l, "%s%s %s {", r ? " | " : "",
					      mcast_rec_type_name(g->type), mcast_addr_str(&g->group, b));
			for (unsigned i = 0; i < g->nsrcs; i++)
				l += (size_t)snprintf(out + l, sizeof(out) - l, "%s%s", i ? " " : "",
						      hname(f, &m->srcs[g->src_index + i], b));
			l += (size_t)snprintf(out + l, sizeof(out) - l, "}");
		}
	}
	f->n = 0;
	return out;
}

/* A query from a router on the link, with its QRV. */
static inline void hquery_rv(struct hsfx *f, uint8_t version, const char *group, uint32_t mrt_ms,
			     const char *srcs, uint8_t qrv)
{
	struct mcast_addr s[6];
	size_t n = hsyms(f, srcs, s);
	struct mcast_query_params q = { .family = f->fam, .version = version,
					.group = group ? A(group) : (f->fam == MCAST_AF_INET ? mcast_addr_any4 : mcast_addr_any6),
					.max_resp_ms = mrt_ms, .qrv = qrv, .qqi_s = 125, .srcs = s, .nsrcs = n };
	struct mcast_addr from = A(f->fam == MCAST_AF_INET ? "10.0.0.1" : "fe80::1");
	struct pkts p = { 0 };
	static uint8_t buf[1600];
	assert_true(mcast_query_encode(&q, &from, NULL, 1500, buf, sizeof(buf), pkts_emit, &p) > 0);
	for (unsigned i = 0; i < p.n; i++)
		mcast_host_input(f->h, 1, p.data[i], p.len[i]);
}

/* A query from a router on the link (QRV 2). */
static inline void hquery(struct hsfx *f, uint8_t version, const char *group, uint32_t mrt_ms,
			  const char *srcs)
{
	hquery_rv(f, version, group, mrt_ms, srcs, 2);
}

static inline int hfilter(struct hsfx *f, struct mcast_host_sock *s, const char *g, bool include,
			  const char *srcs)
{
	struct mcast_addr v[6];
	size_t n = hsyms(f, srcs, v);
	struct mcast_addr ga = A(g);
	return mcast_host_set_filter(f->h, s, 1, &ga, include ? MCAST_MODE_INCLUDE : MCAST_MODE_EXCLUDE, v, n);
}

/* The interface state: "EX {s1}", "IN {s1 s2}" or "none". */
static inline const char *hstate(struct hsfx *f, const char *g)
{
	static char out[256];
	struct mcast_addr v[16], ga = A(g);
	enum mcast_filter_mode mode;
	size_t n;
	if (mcast_host_iface_state(f->h, 1, &ga, &mode, v, 16, &n) != 0)
		return "none";
	int k = snprintf(out, sizeof(out), "%s {", mode == MCAST_MODE_INCLUDE ? "IN" : "EX");
	for (size_t i = 0; i < n; i++) {
		char b[MCAST_ADDR_STRLEN];
		k += snprintf(out + k, sizeof(out) - (size_t)k, "%s%s", i ? " " : "", hname(f, &v[i], b));
	}
	snprintf(out + k, sizeof(out) - (size_t)k, "}");
	return out;
}

#endif
