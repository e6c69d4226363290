/*
 * DOC: routing table dumps
 *
 * The kernel's /proc/net/ip_mr_vif, ip_mr_cache, ip6_mr_vif and
 * ip6_mr_cache formats, so that a Linux user can diff ours against the
 * real thing: IPv4 addresses as the kernel prints a __be32 with %08X on
 * a little-endian machine, IPv6 addresses in full (%pI6), oifs as
 * "vif:ttl". Entries come sorted by group then source (the kernel's
 * order is its hash order), unresolved entries after them with Iif -1
 * and zero counters, as ipmr_mfc_seq_show() prints them. Plus JSON.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mr.h"

/* VIF i as the dumps show it (the driver's view of its counters), or
 * false when it is not in use. */
static bool vif_at(const struct mcast_mr_table *t, unsigned i, struct mcast_vif_config *c, struct mcast_vif_stats *st)
{
	const struct mr_vif *v = &t->vifs[i];
	if (!v->used)
		return false;
	*c = v->cfg;
	*st = v->st;
	mr_vif_view(t, (uint16_t)i, c, st);
	return true;
}

/* %pI6: eight groups of four hex digits. */
static void full_v6(const struct mcast_addr *a, char out[40])
{
	char *p = out;
	for (int i = 0; i < 8; i++)
		p += sprintf(p, "%s%02x%02x", i ? ":" : "", a->b[2 * i], a->b[2 * i + 1]);
}

void mcast_mr_dump_proc_vif(const struct mcast_mr_table *t, mcast_line_fn out, void *ctx)
{
	char line[256];
	bool v4 = t->family == MCAST_AF_INET;
	out(ctx, v4 ? "Interface      BytesIn  PktsIn  BytesOut PktsOut Flags Local    Remote\n"
		    : "Interface      BytesIn  PktsIn  BytesOut PktsOut Flags\n");
	for (unsigned i = 0; i < t->cfg.max_vifs; i++) {
		struct mcast_vif_config c;
		struct mcast_vif_stats st;
		if (!vif_at(t, i, &c, &st))
			continue;
		int n = snprintf(line, sizeof(line), "%2u %-10s %8llu %7llu  %8llu %7llu %05X", i,
				 c.name[0] ? c.name : "none",
				 (unsigned long long)st.bytes_in, (unsigned long long)st.pkts_in,
				 (unsigned long long)st.bytes_out, (unsigned long long)st.pkts_out,
				 (unsigned)(c.flags & 0x7fff));
		if (v4)
			snprintf(line + n, sizeof(line) - (size_t)n, " %08X %08X\n", mcast_addr_u32_proc(&c.local),
				 mcast_addr_u32_proc(&c.remote));
		else
			snprintf(line + n, sizeof(line) - (size_t)n, "\n");
		out(ctx, line);
	}
}

static int cmp_entry(const void *a, const void *b)
{
	const struct mr_entry *x = *(const struct mr_entry *const *)a;
	const struct mr_entry *y = *(const struct mr_entry *const *)b;
	int c = mcast_addr_cmp(&x->group, &y->group);
	return c ? c : mcast_addr_cmp(&x->source, &y->source);
}

static int cmp_unres(const void *a, const void *b)
{
	const struct mr_unres *x = *(const struct mr_unres *const *)a;
	const struct mr_unres *y = *(const struct mr_unres *const *)b;
	int c = mcast_addr_cmp(&x->group, &y->group);
	return c ? c : mcast_addr_cmp(&x->source, &y->source);
}

static int addr_pair(const struct mcast_mr_table *t, char *buf, size_t len,
		     const struct mcast_addr *g, const struct mcast_addr *s)
{
	if (t->family == MCAST_AF_INET)
		return snprintf(buf, len, "%08X %08X", mcast_addr_u32_proc(g), mcast_addr_u32_proc(s));
	char a[40], b[40];
	full_v6(g, a);
	full_v6(s, b);
	return snprintf(buf, len, "%s %s", a, b);
}

void mcast_mr_dump_proc_cache(const struct mcast_mr_table *t, mcast_line_fn out, void *ctx)
{
	char line[16384];
	out(ctx, t->family == MCAST_AF_INET
			 ? "Group    Origin   Iif     Pkts    Bytes    Wrong Oifs\n"
			 : "Group                            Origin                           Iif      Pkts  Bytes     Wrong  Oifs\n");
	size_t n;
	void **v = kidx_sorted(&t->cache, cmp_entry, &n);
	for (size_t i = 0; v && i < n; i++) {
		const struct mr_entry *e = v[i];
		struct mcast_mfc_stats st = mr_entry_stats(t, e);
		size_t k = (size_t)addr_pair(t, line, sizeof(line), &e->group, &e->source);
		k += (size_t)snprintf(line + k, sizeof(line) - k, " %-3hd %8llu %8llu %8llu",
				      (short)e->iif, (unsigned long long)st.pkts,
				      (unsigned long long)st.bytes, (unsigned long long)st.wrong_if);
		for (uint16_t j = 0; j < e->noifs && k + 16 < sizeof(line); j++)
			k += (size_t)snprintf(line + k, sizeof(line) - k, " %2d:%-3d", e->oifs[j].vif,
					      e->oifs[j].ttl);
		snprintf(line + k, sizeof(line) - k, "\n");
		out(ctx, line);
	}
	kidx_sorted_free(&t->cache, v, n);
	v = mcast_htab_sorted(&t->unres, offsetof(struct mr_unres, node), cmp_unres, &n);
	for (size_t i = 0; v && i < n; i++) {
		const struct mr_unres *u = v[i];
		size_t k = (size_t)addr_pair(t, line, sizeof(line), &u->group, &u->source);
		snprintf(line + k, sizeof(line) - k, " %-3hd %8lu %8lu %8lu\n", (short)-1, 0ul, 0ul, 0ul);
		out(ctx, line);
	}
	mcast_htab_sorted_free(&t->unres, v);
}

static const char *addr_or_star(const struct mcast_mr_table *t, const struct mcast_addr *a,
				char buf[MCAST_ADDR_STRLEN])
{
	return mcast_addr_eq(a, mr_any(t)) ? "*" : mcast_addr_str(a, buf);
}

void mcast_mr_dump_json(const struct mcast_mr_table *t, mcast_line_fn out, void *ctx)
{
	char line[16384], a[MCAST_ADDR_STRLEN], b[MCAST_ADDR_STRLEN];
	const struct mcast_mr_stats *s = &t->stats;
	snprintf(line, sizeof(line), "{\"table\":%u,\"family\":\"%s\",\"owned\":%s,\"vifs\":[", t->id,
		 t->family == MCAST_AF_INET ? "ipv4" : "ipv6", t->owned ? "true" : "false");
	out(ctx, line);
	bool first = true;
	for (unsigned i = 0; i < t->cfg.max_vifs; i++) {
		struct mcast_vif_config c;
		struct mcast_vif_stats st;
		if (!vif_at(t, i, &c, &st))
			continue;
		snprintf(line, sizeof(line),
			 "%s{\"vif\":%u,\"name\":\"%s\",\"ifindex\":%u,\"flags\":%u,\"threshold\":%u,"
			 "\"pkts_in\":%llu,\"bytes_in\":%llu,\"pkts_out\":%llu,\"bytes_out\":%llu}",
			 first ? "" : ",", i, c.name, c.ifindex, c.flags, c.threshold,
			 (unsigned long long)st.pkts_in, (unsigned long long)st.bytes_in,
			 (unsigned long long)st.pkts_out, (unsigned long long)st.bytes_out);
		out(ctx, line);
		first = false;
	}
	out(ctx, "],\"mfc\":[");
	size_t n;
	void **v = kidx_sorted(&t->cache, cmp_entry, &n);
	for (size_t i = 0; v && i < n; i++) {
		const struct mr_entry *e = v[i];
		struct mcast_mfc_stats st = mr_entry_stats(t, e);
		size_t k = (size_t)snprintf(line, sizeof(line),
					    "%s{\"source\":\"%s\",\"group\":\"%s\",\"iif\":%u,\"static\":%s,"
					    "\"pkts\":%llu,\"bytes\":%llu,\"wrong_if\":%llu,\"oifs\":[",
					    i ? "," : "", addr_or_star(t, &e->source, a),
					    addr_or_star(t, &e->group, b), e->iif, e->is_static ? "true" : "false",
					    (unsigned long long)st.pkts, (unsigned long long)st.bytes,
					    (unsigned long long)st.wrong_if);
		for (uint16_t j = 0; j < e->noifs && k + 40 < sizeof(line); j++)
			k += (size_t)snprintf(line + k, sizeof(line) - k, "%s{\"vif\":%u,\"ttl\":%u}",
					      j ? "," : "", e->oifs[j].vif, e->oifs[j].ttl);
		snprintf(line + k, sizeof(line) - k, "]}");
		out(ctx, line);
	}
	kidx_sorted_free(&t->cache, v, n);
	out(ctx, "],\"unresolved\":[");
	v = mcast_htab_sorted(&t->unres, offsetof(struct mr_unres, node), cmp_unres, &n);
	for (size_t i = 0; v && i < n; i++) {
		const struct mr_unres *u = v[i];
		snprintf(line, sizeof(line), "%s{\"source\":\"%s\",\"group\":\"%s\",\"vif\":%u,\"packets\":%u}",
			 i ? "," : "", mcast_addr_str(&u->source, a), mcast_addr_str(&u->group, b), u->vif,
			 u->npkts);
		out(ctx, line);
	}
	mcast_htab_sorted_free(&t->unres, v);
	snprintf(line, sizeof(line),
		 "],\"stats\":{\"input\":%llu,\"no_vif\":%llu,\"bad_packet\":%llu,\"local_scope\":%llu,"
		 "\"hit\":%llu,\"wrong_vif\":%llu,\"queued\":%llu,\"no_owner\":%llu,\"unres_full\":%llu,"
		 "\"unres_pkt_full\":%llu,\"copies\":%llu,\"ttl_below\":%llu,\"released\":%llu,"
		 "\"expired\":%llu,\"expired_pkts\":%llu,\"flushed\":%llu,\"flushed_pkts\":%llu,"
		 "\"upcall_nocache\":%llu,"
		 "\"upcall_wrongvif\":%llu,\"upcall_wholepkt\":%llu,\"no_memory\":%llu}}\n",
		 (unsigned long long)s->input, (unsigned long long)s->no_vif,
		 (unsigned long long)s->bad_packet, (unsigned long long)s->local_scope,
		 (unsigned long long)s->hit, (unsigned long long)s->wrong_vif,
		 (unsigned long long)s->queued, (unsigned long long)s->no_owner,
		 (unsigned long long)s->unres_full, (unsigned long long)s->unres_pkt_full,
		 (unsigned long long)s->copies, (unsigned long long)s->ttl_below,
		 (unsigned long long)s->released, (unsigned long long)s->expired,
		 (unsigned long long)s->expired_pkts, (unsigned long long)s->flushed,
		 (unsigned long long)s->flushed_pkts, (unsigned long long)s->upcall_nocache,
		 (unsigned long long)s->upcall_wrongvif, (unsigned long long)s->upcall_wholepkt,
		 (unsigned long long)s->no_memory);
	out(ctx, line);
}

/* ---- for people ----------------------------------------------------------- */

static const char *vif_name(const struct mcast_mr_table *t, uint16_t vif, char buf[24])
{
	if (vif < t->cfg.max_vifs && t->vifs[vif].used && t->vifs[vif].cfg.name[0])
		return t->vifs[vif].cfg.name;
	snprintf(buf, 24, "vif%u", (unsigned)vif);
	return buf;
}

/* "3s", "2m05s", "1h02m", or "-" for never. */
static const char *span(mcast_time_ms ms, bool never, char buf[24])
{
	unsigned long long s = ms / 1000;
	if (never)
		snprintf(buf, 24, "-");
	else if (s < 60)
		snprintf(buf, 24, "%llus", s);
	else if (s < 3600)
		snprintf(buf, 24, "%llum%02llus", s / 60, s % 60);
	else
		snprintf(buf, 24, "%lluh%02llum", s / 3600, s / 60 % 60);
	return buf;
}

void mcast_mr_dump_text_cache(const struct mcast_mr_table *t, mcast_line_fn out, void *ctx)
{
	char line[16384], a[MCAST_ADDR_STRLEN], b[MCAST_ADDR_STRLEN], pair[2 * MCAST_ADDR_STRLEN + 8], nb[24],
		ib[24];
	mcast_time_ms now = t->env.wheel ? t->env.wheel->now_ms : 0;
	size_t n;
	void **v = kidx_sorted(&t->cache, cmp_entry, &n);
	snprintf(line, sizeof(line), "%s forwarding entries (table %u): %zu\n",
		 t->family == MCAST_AF_INET ? "IPv4" : "IPv6", t->id, n);
	out(ctx, line);
	if (n)
		out(ctx, "  (source, group)                                in               out"
			 "                               packets        bytes    wrong  idle\n");
	for (size_t i = 0; v && i < n; i++) {
		const struct mr_entry *e = v[i];
		struct mcast_mfc_stats st = mr_entry_stats(t, e);
		snprintf(pair, sizeof(pair), "(%s, %s)", addr_or_star(t, &e->source, a), mcast_addr_str(&e->group, b));
		char oifs[4096] = "-";
		size_t k = 0;
		for (uint16_t j = 0; j < e->noifs && k + 40 < sizeof(oifs); j++)
			k += (size_t)snprintf(oifs + k, sizeof(oifs) - k, "%s%s", j ? " " : "",
					      vif_name(t, e->oifs[j].vif, nb));
		bool never = st.last_use_ms == 0;
		snprintf(line, sizeof(line), "  %-46s %-16s %-33s %8llu %12llu %8llu  %s%s\n", pair,
			 e->iif == MCAST_MR_NO_VIF ? "-" : vif_name(t, e->iif, nb), oifs, (unsigned long long)st.pkts,
			 (unsigned long long)st.bytes, (unsigned long long)st.wrong_if,
			 span(now > st.last_use_ms ? now - st.last_use_ms : 0, never, ib), e->is_static ? "  static" : "");
		out(ctx, line);
	}
	kidx_sorted_free(&t->cache, v, n);
	v = mcast_htab_sorted(&t->unres, offsetof(struct mr_unres, node), cmp_unres, &n);
	for (size_t i = 0; v && i < n; i++) {
		const struct mr_unres *u = v[i];
		snprintf(line, sizeof(line), "  (%s, %s) waiting for a route: in %s, %u packets held\n",
			 mcast_addr_str(&u->source, a), mcast_addr_str(&u->group, b), vif_name(t, u->vif, nb),
			 (unsigned)u->npkts);
		out(ctx, line);
	}
	mcast_htab_sorted_free(&t->unres, v);
}

void mcast_mr_dump_text_vif(const struct mcast_mr_table *t, mcast_line_fn out, void *ctx)
{
	char line[512], a[MCAST_ADDR_STRLEN];
	unsigned used = 0;
	for (unsigned i = 0; i < t->cfg.max_vifs; i++)
		used += t->vifs[i].used;
	snprintf(line, sizeof(line), "%s VIFs (table %u): %u of %u\n", t->family == MCAST_AF_INET ? "IPv4" : "IPv6",
		 t->id, used, t->cfg.max_vifs);
	out(ctx, line);
	if (used)
		out(ctx, "  vif interface         ifindex local address              threshold  flags          "
			 "packets in     bytes in  packets out    bytes out\n");
	for (unsigned i = 0; i < t->cfg.max_vifs; i++) {
		struct mcast_vif_config c;
		struct mcast_vif_stats st;
		if (!vif_at(t, i, &c, &st))
			continue;
		char flags[32];
		snprintf(flags, sizeof(flags), "%s%s%s", c.flags & MCAST_VIF_REGISTER ? "register " : "",
			 c.flags & MCAST_VIF_TUNNEL ? "tunnel " : "", c.flags & MCAST_VIF_STATIC ? "static" : "");
		/* by ifindex, the kernel's "local" is no address */
		bool no_local = mcast_addr_is_unspecified(&c.local) || (c.flags & MCAST_VIF_USE_IFINDEX);
		snprintf(line, sizeof(line), "  %3u %-16s %7u %-26s %9u  %-14s %10llu %12llu %12llu %12llu\n", i,
			 c.name[0] ? c.name : "-", c.ifindex, no_local ? "-" : mcast_addr_str(&c.local, a), c.threshold,
			 flags[0] ? flags : "-", (unsigned long long)st.pkts_in, (unsigned long long)st.bytes_in,
			 (unsigned long long)st.pkts_out, (unsigned long long)st.bytes_out);
		out(ctx, line);
	}
}
