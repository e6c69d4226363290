/*
 * DOC: message encoding
 *
 * Every encoder writes a whole IP datagram: header (with Router Alert
 * except for IGMPv1, which predates it), message, checksums. Reports
 * go through the report builder, which packs records into MTU-sized
 * packets and splits records as RFC 3376 4.2.16 and RFC 3810 5.2.15
 * prescribe; long query source lists are split the same way.
 */
#include <errno.h>
#include <string.h>

#include "internal.h"

/* ---- v1/v2 reports, leaves, dones ------------------------------------- */

int mcast_v1v2_encode(enum mcast_family f, enum mcast_msg_kind kind, uint8_t version,
		      const struct mcast_addr *group, uint16_t max_resp_code,
		      const struct mcast_addr *src, const struct mcast_addr *dst, uint8_t *buf,
		      size_t cap)
{
	const struct mcast_profile *pf = mcast_profile_of(f);
	uint8_t type;
	if (addr_family(group) != f || addr_family(src) != f ||
	    !addr_is_multicast(group))
		return -EINVAL;
	if (kind == MCAST_MSG_REPORT && f == MCAST_AF_INET && (version == 1 || version == 2))
		type = version == 1 ? MCAST_IGMP_V1_REPORT : MCAST_IGMP_V2_REPORT;
	else if (kind == MCAST_MSG_LEAVE && f == MCAST_AF_INET && version == 2)
		type = MCAST_IGMP_V2_LEAVE;
	else if (f == MCAST_AF_INET6 && version == 1 &&
		 (kind == MCAST_MSG_REPORT || kind == MCAST_MSG_LEAVE))
		type = kind == MCAST_MSG_REPORT ? MCAST_MLD_V1_REPORT : MCAST_MLD_V1_DONE;
	else
		return -EINVAL;
	if (!dst)
		dst = kind == MCAST_MSG_LEAVE ? pf->all_routers : group;
	if (addr_family(dst) != f)
		return -EINVAL;

	bool ra = !(f == MCAST_AF_INET && version == 1);
	size_t hlen = mcast_ip_build(buf, cap, src, dst, pf->v1v2_len, ra);
	if (hlen == 0 || cap < hlen + pf->v1v2_len)
		return -EMSGSIZE;
	uint8_t *m = buf + hlen;
	memset(m, 0, pf->v1v2_len);
	m[0] = type;
	if (f == MCAST_AF_INET) {
		m[1] = (uint8_t)max_resp_code;
		wire_put_addr(pf, m + 4, group);
	} else {
		wire_put16(m + 4, max_resp_code);
		wire_put_addr(pf, m + 8, group);
	}
	mcast_ip_finish(buf, hlen + pf->v1v2_len);
	return (int)(hlen + pf->v1v2_len);
}

/* ---- queries ----------------------------------------------------------- */

/* Writes the query header (without sources) at m; returns its length. */
static size_t put_query_header(const struct mcast_profile *pf, const struct mcast_query_params *q,
			       uint8_t *m, size_t nsrcs)
{
	bool v3 = q->version == pf->max_version;
	size_t len = v3 ? pf->v3_query_hdr : pf->v1v2_len;
	memset(m, 0, len);
	m[0] = pf->type_query;
	uint8_t *tail;
	if (pf->family == MCAST_AF_INET) {
		if (q->version == 1)
			m[1] = 0;
		else if (q->version == 2)
			m[1] = (uint8_t)(q->max_resp_ms / 100 > 255 ? 255 : q->max_resp_ms / 100);
		else
			m[1] = mcast_code8_encode(q->max_resp_ms / 100);
		wire_put_addr(pf, m + 4, &q->group);
		tail = m + 8;
	} else {
		uint16_t code = v3 ? mcast_code16_encode(q->max_resp_ms)
				   : (uint16_t)(q->max_resp_ms > 0xffff ? 0xffff : q->max_resp_ms);
		wire_put16(m + 4, code);
		wire_put_addr(pf, m + 8, &q->group);
		tail = m + 24;
	}
	if (v3) {
		/* RFC 3376 4.1.6: a QRV over 7 is sent as 0. */
		tail[0] = (uint8_t)((q->s_flag ? 0x08 : 0) | (q->qrv <= 7 ? q->qrv : 0));
		tail[1] = mcast_code8_encode(q->qqi_s);
		wire_put16(tail + 2, (uint16_t)nsrcs);
	}
	return len;
}

int mcast_query_encode(const struct mcast_query_params *q, const struct mcast_addr *src,
		       const struct mcast_addr *dst, size_t mtu, uint8_t *buf, size_t cap,
		       mcast_emit_fn emit, void *ctx)
{
	const struct mcast_profile *pf = mcast_profile_of(q->family);
	if (q->version < 1 || q->version > pf->max_version ||
	    (q->family == MCAST_AF_INET6 && q->version > 2))
		return -EINVAL;
	if (addr_family(src) != q->family || addr_family(&q->group) != q->family)
		return -EINVAL;
	bool general = mcast_addr_eq(&q->group, pf->any);
	if (!general && !addr_is_multicast(&q->group))
		return -EINVAL;
	bool v3 = q->version == pf->max_version;
	if (q->nsrcs > 0 && (!v3 || general))
		return -EINVAL;
	/* IGMPv1 queries are general only (RFC 1112). */
	if (q->family == MCAST_AF_INET && q->version == 1 && !general)
		return -EINVAL;
	if (!dst)
		dst = general ? pf->all_hosts : &q->group;
	if (addr_family(dst) != q->family)
		return -EINVAL;
	if (mtu > 0xffff)
		mtu = 0xffff;
	if (cap < mtu)
		mtu = cap;

	bool ra = !(q->family == MCAST_AF_INET && q->version == 1);
	size_t iphdr = mcast_ip_header_len(q->family, ra);
	size_t qhdr = v3 ? pf->v3_query_hdr : pf->v1v2_len;
	if (mtu < iphdr + qhdr + (q->nsrcs ? pf->alen : 0))
		return -EINVAL;
	size_t per = (mtu - iphdr - qhdr) / pf->alen;
	if (per > 0xffff)
		per = 0xffff;
	size_t done = 0;
	int packets = 0;
	do {
		size_t n = q->nsrcs - done < per ? q->nsrcs - done : per;
		size_t len = qhdr + n * pf->alen;
		size_t hlen = mcast_ip_build(buf, cap, src, dst, len, ra);
		uint8_t *m = buf + hlen;
		put_query_header(pf, q, m, n);
		for (size_t i = 0; i < n; i++)
			wire_put_addr(pf, m + qhdr + i * pf->alen, &q->srcs[done + i]);
		mcast_ip_finish(buf, hlen + len);
		emit(ctx, buf, hlen + len);
		packets++;
		done += n;
	} while (done < q->nsrcs);
	return packets;
}

/* ---- the report builder ------------------------------------------------ */

int mcast_report_init(struct mcast_report_builder *rb, enum mcast_family f,
		      const struct mcast_addr *src, const struct mcast_addr *dst, size_t mtu,
		      uint8_t *buf, size_t cap, mcast_emit_fn emit, void *ctx)
{
	const struct mcast_profile *pf = mcast_profile_of(f);
	if (mtu > 0xffff)
		mtu = 0xffff;
	/* every field set (a memset of the whole builder compiles to a
	 * string store slower than the fields) */
	rb->family = f;
	rb->src = *src;
	rb->dst = dst ? *dst : *pf->v3_routers;
	rb->mtu = mtu;
	rb->buf = buf;
	rb->cap = cap;
	rb->hdr_len = mcast_ip_header_len(f, true) + 8;
	rb->len = 0;
	rb->nrec = 0;
	rb->sum = 0;
	rb->emit = emit;
	rb->ctx = ctx;
	rb->packets = 0;
	rb->truncated_srcs = 0;
	if (addr_family(src) != f || addr_family(&rb->dst) != f || cap < mtu ||
	    mtu < rb->hdr_len + 4 + 2u * pf->alen)
		return -EINVAL;
	return 0;
}

void mcast_report_flush(struct mcast_report_builder *rb)
{
	if (rb->len == 0)
		return;
	uint64_t sum;
	size_t iphdr = wire_ip_frame(rb->buf, rb->cap, &rb->src, &rb->dst,
				     rb->len - mcast_ip_header_len(rb->family, true), true, &sum);
	uint8_t *m = rb->buf + iphdr;
	uint8_t type = mcast_profile_of(rb->family)->type_v3_report;
	memset(m, 0, 8);
	m[0] = type;
	wire_put16(m + 6, rb->nrec);
	/* the records' sum kept as they were written (wire_sum32) */
	sum += rb->sum + ((uint64_t)type << 24 | rb->nrec);
	wire_put16(m + 2, mcast_cksum_fold(wire_sum_fold(sum)));
	rb->emit(rb->ctx, rb->buf, rb->len);
	rb->packets++;
	rb->len = 0;
	rb->nrec = 0;
	rb->sum = 0;
}

/* Appends one record with exactly these sources; the caller made room. */
static void put_record(struct mcast_report_builder *rb, const struct mcast_profile *pf,
		       uint8_t type, const struct mcast_addr *group, const struct mcast_addr *srcs,
		       size_t n, const uint8_t *aux, uint8_t aux_words)
{
	if (rb->len == 0)
		rb->len = rb->hdr_len;
	uint8_t *r = rb->buf + rb->len;
	bool v4 = pf->alen == 4;
	r[0] = type;
	r[1] = aux_words;
	wire_put16(r + 2, (uint16_t)n);
	wire_put_addr(pf, r + 4, group);
	uint64_t sum = ((uint64_t)type << 24 | (uint64_t)aux_words << 16 | n) + wire_sum_addr(group, v4);
	uint8_t *s = r + 4 + pf->alen;
	for (size_t i = 0; i < n; i++) {
		wire_put_addr(pf, s + i * pf->alen, &srcs[i]);
		sum += wire_sum_addr(&srcs[i], v4);
	}
	if (aux_words)
		memcpy(s + n * pf->alen, aux, (size_t)aux_words * 4);
	for (size_t i = 0; i < aux_words; i++)
		sum += wire_sum32(aux + 4 * i);
	rb->sum = wire_sum_fold(sum + rb->sum);
	rb->len += 4 + pf->alen + n * pf->alen + (size_t)aux_words * 4;
	rb->nrec++;
	if (rb->nrec == 0xffff)
		mcast_report_flush(rb);
}

int mcast_report_add(struct mcast_report_builder *rb, uint8_t type,
		     const struct mcast_addr *group, const struct mcast_addr *srcs, size_t nsrcs,
		     const uint8_t *aux, uint8_t aux_words)
{
	const struct mcast_profile *pf = mcast_profile_of(rb->family);
	if (addr_family(group) != rb->family || !addr_is_multicast(group) ||
	    type < MCAST_MODE_IS_INCLUDE || type > MCAST_BLOCK_OLD_SOURCES || (aux_words && !aux))
		return -EINVAL;
	size_t fixed = 4 + pf->alen + (size_t)aux_words * 4;
	size_t room_empty = rb->mtu - rb->hdr_len;
	if (fixed + pf->alen > room_empty)
		return -EINVAL; /* not even one source would fit */
	size_t need = fixed + nsrcs * pf->alen;
	size_t used = rb->len ? rb->len : rb->hdr_len;

	if (need <= rb->mtu - used) {
		put_record(rb, pf, type, group, srcs, nsrcs, aux, aux_words);
		return 0;
	}
	if (need <= room_empty) {
		mcast_report_flush(rb);
		put_record(rb, pf, type, group, srcs, nsrcs, aux, aux_words);
		return 0;
	}
	size_t per = (room_empty - fixed) / pf->alen;
	if (type == MCAST_MODE_IS_EXCLUDE || type == MCAST_CHANGE_TO_EXCLUDE) {
		/* One record with the sources that fit; the rest unreported. */
		mcast_report_flush(rb);
		put_record(rb, pf, type, group, srcs, per, aux, aux_words);
		rb->truncated_srcs += (uint32_t)(nsrcs - per);
		mcast_report_flush(rb);
		return 0;
	}
	/* Split by sources, each piece in its own packet. */
	mcast_report_flush(rb);
	for (size_t done = 0; done < nsrcs; done += per) {
		size_t n = nsrcs - done < per ? nsrcs - done : per;
		put_record(rb, pf, type, group, srcs + done, n, aux, aux_words);
		if (done + n < nsrcs)
			mcast_report_flush(rb);
	}
	return 0;
}
