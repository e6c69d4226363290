/* Shared by the engine targets (router, host, proxy): a program's start,
 * the addresses it names, the records and queries it sends, and the
 * engines' invariant checks. */
#ifndef MCAST_FUZZENGINE_H
#define MCAST_FUZZENGINE_H

#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "fuzzutil.h"
#include "mcast/core.h"
#include "mcast/router.h"
#include "mcast/wire.h"

/* A program: the input left to read, its first byte (bit 0 picks IPv4,
 * the rest is the target's to read), the family and the clock. */
struct fuzz_prog {
	struct rd r;
	uint8_t hdr;
	bool v4;
	enum mcast_family fam;
	struct mcast_wheel w;
};

/* Starts p on the input; whether it is IPv4. */
static inline bool fuzz_begin(struct fuzz_prog *p, const uint8_t *data, size_t size)
{
	p->r = (struct rd){ data, size };
	p->hdr = rd(&p->r);
	p->v4 = p->hdr & 1;
	p->fam = p->v4 ? MCAST_AF_INET : MCAST_AF_INET6;
	mcast_wheel_init(&p->w, 0);
	return p->v4;
}

/* The next raw bytes of the program (as many as its next byte says, or
 * what is left): their length, *bytes where they start. */
static inline size_t fuzz_raw(struct rd *r, const uint8_t **bytes)
{
	size_t n = rd(r);
	if (n > r->n)
		n = r->n;
	*bytes = r->p;
	r->p += n;
	r->n -= n;
	return n;
}

/* A downstream interface's settings, from the program's first byte:
 * small limits (so that programs reach them), fast leave (bit 1), the
 * version (bits 2-7). */
static inline void fuzz_router_config(struct mcast_router_config *cfg, enum mcast_family fam, uint8_t hdr)
{
	bool v4 = fam == MCAST_AF_INET;
	mcast_router_config_default(cfg, fam);
	cfg->max_groups = 6;
	cfg->max_sources = 5;
	cfg->max_hosts = 3;
	cfg->max_total_sources = 12;
	cfg->fast_leave = hdr & 2;
	cfg->version = (uint8_t)(v4 ? 1 + (hdr >> 2) % 3 : 1 + (hdr >> 2) % 2);
}

/* Address x (0-7) of a kind: 0 a group (IPv4: two SSM, one link-local,
 * one from 233/8; IPv6: site-local ff05:: and SSM ff3e::), 1 a source,
 * 2 a host on the link (IPv6: link-local). */
static inline struct mcast_addr fuzz_addr(bool v4, int kind, uint8_t x)
{
	uint8_t b[16] = { 0 };
	struct mcast_addr a;
	x &= 7;
	if (v4) {
		static const uint8_t grp[8][4] = { { 239, 1, 1, 1 }, { 239, 1, 1, 2 }, { 232, 1, 1, 1 },
						   { 224, 0, 0, 5 }, { 239, 9, 9, 9 }, { 239, 1, 1, 3 },
						   { 233, 0, 0, 1 }, { 232, 0, 0, 9 } };
		if (kind == 0)
			memcpy(b, grp[x], 4);
		else
			b[0] = 10, b[1] = kind == 1 ? 1 : 0, b[3] = (uint8_t)(x + (kind == 2 ? 0 : 1));
		mcast_addr_from_in4(&a, b);
	} else {
		if (kind == 0)
			b[0] = 0xff, b[1] = (x & 1) ? 0x3e : 0x05, b[15] = x;
		else if (kind == 1)
			b[0] = 0x20, b[1] = 0x01, b[15] = x + 1;
		else
			b[0] = 0xfe, b[1] = 0x80, b[15] = x;
		mcast_addr_from_in6(&a, b);
	}
	return a;
}

static inline struct mcast_addr fuzz_pick(struct rd *r, bool v4, int kind)
{
	return fuzz_addr(v4, kind, rd(r));
}

/* A host's IGMPv3 / MLDv2 report of one record (any type, up to five
 * sources), handed to emit. */
static inline void fuzz_record(struct rd *r, bool v4, void (*emit)(void *, const uint8_t *, size_t), void *ctx)
{
	enum mcast_family fam = v4 ? MCAST_AF_INET : MCAST_AF_INET6;
	static uint8_t out[1600];
	struct mcast_addr host = fuzz_pick(r, v4, 2), g = fuzz_pick(r, v4, 0), s[6];
	uint8_t type = (uint8_t)(1 + rd(r) % 6);
	size_t n = rd(r) % 6;
	for (size_t i = 0; i < n; i++)
		s[i] = fuzz_pick(r, v4, 1);
	struct mcast_report_builder rb;
	if (mcast_report_init(&rb, fam, &host, NULL, 1500, out, sizeof(out), emit, ctx) == 0 &&
	    mcast_report_add(&rb, type, &g, s, n, NULL, 0) == 0)
		mcast_report_flush(&rb);
}

/* A host's IGMPv1/v2 report or leave (MLDv1 on IPv6) into out: its
 * length, or < 0. */
static inline int fuzz_old_report(struct rd *r, bool v4, uint8_t *out, size_t cap)
{
	struct mcast_addr host = fuzz_pick(r, v4, 2), g = fuzz_pick(r, v4, 0);
	uint8_t v = rd(r);
	enum mcast_msg_kind k = v & 1 ? MCAST_MSG_LEAVE : MCAST_MSG_REPORT;
	uint8_t ver = v4 ? (k == MCAST_MSG_LEAVE ? 2 : 1 + ((v >> 1) & 1)) : 1;
	return mcast_v1v2_encode(v4 ? MCAST_AF_INET : MCAST_AF_INET6, k, ver, &g, 0, &host, NULL, out, cap);
}

/* Another router's query (any version; general, group or
 * group-and-source), handed to emit. */
static inline void fuzz_query(struct rd *r, bool v4, void (*emit)(void *, const uint8_t *, size_t), void *ctx)
{
	enum mcast_family fam = v4 ? MCAST_AF_INET : MCAST_AF_INET6;
	static uint8_t out[1600];
	struct mcast_addr from = fuzz_pick(r, v4, 2), s[4];
	uint8_t v = rd(r);
	struct mcast_query_params q = { .family = fam, .version = (uint8_t)(v4 ? 1 + v % 3 : 1 + v % 2),
					.group = (v & 8) ? fuzz_pick(r, v4, 0) : *mcast_profile_of(fam)->any,
					.max_resp_ms = (uint32_t)rd(r) * 100, .s_flag = v & 16,
					.qrv = rd(r) & 7, .qqi_s = rd(r), .srcs = s };
	if ((v & 32) && !mcast_addr_is_unspecified(&q.group) && q.version == (v4 ? 3 : 2)) {
		q.nsrcs = rd(r) % 4;
		for (size_t i = 0; i < q.nsrcs; i++)
			s[i] = fuzz_pick(r, v4, 1);
	}
	(void)mcast_query_encode(&q, &from, NULL, 1500, out, sizeof(out), emit, ctx);
}

/* An engine's own invariant check (rc < 0: why says what broke). */
static inline void fuzz_invariant(int rc, const char *why)
{
	if (rc < 0) {
		fprintf(stderr, "invariant: %s\n", why);
		abort();
	}
}

#endif
