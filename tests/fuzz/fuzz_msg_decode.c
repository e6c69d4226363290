/*
 * libFuzzer target for the packet decoder (mcast_ip_parse +
 * mcast_msg_decode). For any input it must not crash or read out of
 * bounds, must produce self-consistent output, and whatever decodes must
 * re-encode (through the public encoders) to a packet that decodes to
 * the same message.
 */
#include <stdlib.h>
#include <string.h>

#include "fuzzutil.h"
#include "mcast/wire.h"


static struct mcast_addr srcs1[16384], srcs2[16384];
static struct mcast_group_record recs1[8192], recs2[8192];
static uint8_t out[65535];

static struct mcast_msg fresh(struct mcast_addr *s, struct mcast_group_record *r)
{
	struct mcast_msg m;
	memset(&m, 0, sizeof(m));
	m.srcs = s;
	m.srcs_cap = 16384;
	m.recs = r;
	m.recs_cap = 8192;
	return m;
}

struct capture {
	unsigned n;
	size_t len;
	uint8_t pkt[65535];
};
static struct capture cap;

static void emit(void *ctx, const uint8_t *p, size_t len)
{
	(void)ctx;
	if (cap.n++ == 0) {
		memcpy(cap.pkt, p, len);
		cap.len = len;
	}
}

static void same_message(const struct mcast_msg *a, const struct mcast_msg *b)
{
	CHECK(a->family == b->family && a->kind == b->kind && a->version == b->version);
	CHECK(mcast_addr_eq(&a->group, &b->group));
	if (a->kind == MCAST_MSG_QUERY) {
		CHECK(a->max_resp_ms == b->max_resp_ms);
		CHECK(a->nsrcs == b->nsrcs);
		if (a->version == (a->family == MCAST_AF_INET ? 3 : 2)) {
			CHECK(a->s_flag == b->s_flag && a->qrv == b->qrv && a->qqic == b->qqic);
			CHECK(a->max_resp_code == b->max_resp_code);
		}
		for (uint32_t i = 0; i < a->nsrcs; i++)
			CHECK(mcast_addr_eq(&a->srcs[i], &b->srcs[i]));
	}
	if (a->kind == MCAST_MSG_V3_REPORT) {
		CHECK(a->nrecs == b->nrecs && b->skipped_recs == 0);
		for (unsigned r = 0; r < a->nrecs; r++) {
			const struct mcast_group_record *x = &a->recs[r], *y = &b->recs[r];
			CHECK(x->type == y->type && x->nsrcs == y->nsrcs && x->aux_words == y->aux_words);
			CHECK(mcast_addr_eq(&x->group, &y->group));
			for (unsigned i = 0; i < x->nsrcs; i++)
				CHECK(mcast_addr_eq(&a->srcs[x->src_index + i], &b->srcs[y->src_index + i]));
			if (x->aux_words)
				CHECK(memcmp(x->aux, y->aux, x->aux_words * 4u) == 0);
		}
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct mcast_wire_policy pol;
	mcast_wire_policy_default(&pol);
	if (size > 0 && (data[0] & 1)) /* exercise the relaxed policy too */
		pol.require_ttl1 = pol.require_ra_igmpv3 = pol.require_ra_mld = false;

	/* On half the inputs, make the checksums right so that mutations
	 * reach the code behind the checksum checks. */
	static uint8_t fixed[65536];
	if (size > 1 && (data[size - 1] & 1) && size <= sizeof(fixed)) {
		memcpy(fixed, data, size);
		mcast_ip_finish(fixed, size);
		data = fixed;
	}

	struct mcast_ip_info ip;
	struct mcast_msg m = fresh(srcs1, recs1);
	enum mcast_drop r = mcast_msg_decode_packet(&m, data, size, &pol, &ip);
	CHECK((unsigned)r < MCAST_DROP__COUNT);
	if (r != MCAST_DROP_NONE)
		return 0;

	/* Self-consistency of what was decoded. */
	uint32_t total = 0;
	for (unsigned i = 0; i < m.nrecs; i++) {
		CHECK(m.recs[i].src_index == total);
		CHECK(mcast_rec_type_name(m.recs[i].type) != NULL);
		CHECK(mcast_addr_is_multicast(&m.recs[i].group));
		total += m.recs[i].nsrcs;
	}
	if (m.kind == MCAST_MSG_V3_REPORT)
		CHECK(total == m.nsrcs && m.nrecs + m.skipped_recs == m.nrecs_wire);

	/* Re-encode and decode again. */
	cap.n = 0;
	const struct mcast_profile *pf = mcast_profile_of(m.family);
	switch (m.kind) {
	case MCAST_MSG_QUERY: {
		struct mcast_query_params q = {
			.family = m.family, .version = m.version, .group = m.group,
			.max_resp_ms = m.max_resp_ms, .s_flag = m.s_flag, .qrv = m.qrv,
			.qqi_s = m.qqi_s, .srcs = m.srcs, .nsrcs = m.nsrcs,
		};
		CHECK(mcast_query_encode(&q, &ip.src, &ip.dst, 65535, out, sizeof(out), emit, NULL) >= 1);
		break;
	}
	case MCAST_MSG_REPORT:
	case MCAST_MSG_LEAVE: {
		int n = mcast_v1v2_encode(m.family, m.kind, m.version, &m.group, 0, &ip.src, &ip.dst,
					  out, sizeof(out));
		CHECK(n > 0);
		emit(NULL, out, (size_t)n);
		break;
	}
	case MCAST_MSG_V3_REPORT: {
		struct mcast_report_builder rb;
		CHECK(mcast_report_init(&rb, m.family, &ip.src, &ip.dst, 65535, out, sizeof(out), emit,
					NULL) == 0);
		for (unsigned i = 0; i < m.nrecs; i++) {
			const struct mcast_group_record *g = &m.recs[i];
			CHECK(mcast_report_add(&rb, g->type, &g->group, m.srcs + g->src_index, g->nsrcs,
					       g->aux, g->aux_words) == 0);
		}
		mcast_report_flush(&rb);
		if (m.nrecs == 0) {
			/* A report whose records were all unknown re-encodes to nothing. */
			CHECK(cap.n == 0);
			return 0;
		}
		break;
	}
	}
	(void)pf;
	if (cap.n != 1)
		return 0; /* split over several packets: a different message by design */
	struct mcast_msg m2 = fresh(srcs2, recs2);
	CHECK(mcast_msg_decode_packet(&m2, cap.pkt, cap.len, &pol, NULL) == MCAST_DROP_NONE);
	same_message(&m, &m2);
	return 0;
}
