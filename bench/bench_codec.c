/*
 * Codec benchmark: nanoseconds per group record decoded and encoded for
 * full-MTU (1500) IGMPv3 and MLDv2 reports. The baseline, measured in
 * the same run on the same bytes, is one Internet checksum pass over
 * the packet: the least work any validating decoder must do. Ratios
 * say how much the decoder costs beyond that.
 */
#include <string.h>

#include "bench.h"
#include "mcast/wire.h"

struct job {
	enum mcast_family family;
	unsigned nsrc_per_rec;
	uint8_t pkt[1500];
	size_t len;
	unsigned nrecs;
	struct mcast_addr groups[200];
	struct mcast_addr srcs[8];
	uint8_t out[1500];
};

static struct mcast_addr dsrcs[2000];
static struct mcast_group_record drecs[400];

static void keep(void *ctx, const uint8_t *p, size_t len)
{
	struct job *j = ctx;
	memcpy(j->pkt, p, len);
	j->len = len;
}

static void discard(void *ctx, const uint8_t *p, size_t len)
{
	(void)ctx;
	bench_sink += p[len - 1];
}

static void build(struct job *j)
{
	struct mcast_addr src;
	mcast_addr_parse(&src, j->family == MCAST_AF_INET ? "10.0.0.10" : "fe80::10");
	for (unsigned i = 0; i < 200; i++) {
		mcast_addr_parse(&j->groups[i], j->family == MCAST_AF_INET ? "239.1.0.0" : "ff05::1:0");
		j->groups[i].b[14] = (uint8_t)(i >> 8);
		j->groups[i].b[15] = (uint8_t)i;
	}
	for (unsigned i = 0; i < 8; i++) {
		mcast_addr_parse(&j->srcs[i], j->family == MCAST_AF_INET ? "10.1.0.1" : "2001:db8::1");
		j->srcs[i].b[15] = (uint8_t)(i + 1);
	}
	/* As many records as fit one 1500-byte packet. */
	struct mcast_report_builder rb;
	size_t alen = mcast_family_alen(j->family);
	size_t hdr = mcast_ip_header_len(j->family, true) + 8;
	j->nrecs = (unsigned)((1500 - hdr) / (4 + alen + j->nsrc_per_rec * alen));
	mcast_report_init(&rb, j->family, &src, NULL, 1500, j->out, sizeof(j->out), keep, j);
	for (unsigned i = 0; i < j->nrecs; i++)
		mcast_report_add(&rb, j->nsrc_per_rec ? MCAST_MODE_IS_INCLUDE : MCAST_MODE_IS_EXCLUDE,
				 &j->groups[i], j->srcs, j->nsrc_per_rec, NULL, 0);
	mcast_report_flush(&rb);
}

static uint64_t do_decode(void *arg)
{
	struct job *j = arg;
	struct mcast_msg m = { .srcs = dsrcs, .srcs_cap = 2000, .recs = drecs, .recs_cap = 400 };
	if (mcast_msg_decode_packet(&m, j->pkt, j->len, NULL, NULL) != MCAST_DROP_NONE)
		abort();
	return m.nrecs;
}

static uint64_t do_encode(void *arg)
{
	struct job *j = arg;
	struct mcast_report_builder rb;
	struct mcast_addr src = j->family == MCAST_AF_INET ? mcast_addr_any4 : mcast_addr_any6;
	mcast_report_init(&rb, j->family, &src, NULL, 1500, j->out, sizeof(j->out), discard, NULL);
	for (unsigned i = 0; i < j->nrecs; i++)
		mcast_report_add(&rb, MCAST_MODE_IS_INCLUDE, &j->groups[i], j->srcs, j->nsrc_per_rec,
				 NULL, 0);
	mcast_report_flush(&rb);
	return rb.packets;
}

static uint64_t do_baseline(void *arg)
{
	struct job *j = arg;
	return mcast_cksum_add(0, j->pkt, j->len);
}

int main(void)
{
	printf("codec benchmark: full-MTU (1500 bytes) reports, ns per group record\n");
	printf("%-30s %7s %10s %10s %10s %8s %8s\n", "report", "records", "decode", "encode",
	       "baseline", "dec/base", "enc/base");
	const struct { enum mcast_family f; unsigned nsrc; const char *name; } cases[] = {
		{ MCAST_AF_INET, 0, "IGMPv3, records without sources" },
		{ MCAST_AF_INET, 2, "IGMPv3, 2 sources a record" },
		{ MCAST_AF_INET6, 0, "MLDv2, records without sources" },
		{ MCAST_AF_INET6, 2, "MLDv2, 2 sources a record" },
	};
	for (size_t c = 0; c < sizeof(cases) / sizeof(cases[0]); c++) {
		static struct job j;
		memset(&j, 0, sizeof(j));
		j.family = cases[c].f;
		j.nsrc_per_rec = cases[c].nsrc;
		build(&j);
		double dec = bench_run(do_decode, &j) / j.nrecs;
		double enc = bench_run(do_encode, &j) / j.nrecs;
		double base = bench_run(do_baseline, &j) / j.nrecs;
		printf("%-30s %7u %8.1fns %8.1fns %8.1fns %7.1fx %7.1fx\n", cases[c].name, j.nrecs, dec,
		       enc, base, dec / base, enc / base);
	}
	printf("(baseline: one Internet checksum pass over the same packet)\n");
	return 0;
}
