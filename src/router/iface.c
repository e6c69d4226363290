/*
 * DOC: router interfaces, querier election and input (RFC 3376 6.6.2,
 * 7.1, 8; RFC 3810 7.6.2, 9)
 *
 * Each interface starts as querier and sends Startup Query Count general
 * queries Startup Query Interval apart, then one every Query Interval.
 * A query from a lower address (the IPv4 address, or for MLD the
 * link-local one) makes it a non-querier until the Other Querier Present
 * timer runs out; as a non-querier it adopts the querier's QRV and QQIC
 * when non-zero (RFC 3376 4.1.6, 4.1.7). Received messages are decoded
 * with the interface's wire policy, counted, and handed to the group
 * engine: v1/v2 reports as IS_EX({}), leaves and dones as TO_IN({})
 * (7.3.2), IGMPv3/MLDv2 records as they are, sources sorted first.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "rt.h"

void mcast_router_config_default(struct mcast_router_config *c, enum mcast_family f)
{
	memset(c, 0, sizeof(*c));
	c->enabled = true;
	c->version = f == MCAST_AF_INET ? 3 : 2;
	c->robustness = 2;
	c->query_interval_ms = 125000;
	c->query_response_ms = 10000;
	c->last_member_interval_ms = 1000;
	c->startup_interval_ms = 125000 / 4;
	c->querier = true;
	c->max_hosts = 64;
	c->nssm = 1;
	mcast_prefix_parse(&c->ssm[0], f == MCAST_AF_INET ? "232.0.0.0/8" : "ff30::/12");
	mcast_wire_policy_default(&c->wire);
}

uint32_t mcast_router_gmi_ms(const struct mcast_router_config *c)
{
	return c->robustness * c->query_interval_ms + c->query_response_ms;
}

uint32_t mcast_router_oqpi_ms(const struct mcast_router_config *c)
{
	return c->robustness * c->query_interval_ms + c->query_response_ms / 2;
}

uint32_t mcast_router_lmqt_ms(const struct mcast_router_config *c)
{
	return c->last_member_interval_ms * (c->last_member_count ? c->last_member_count : c->robustness);
}

/* With the robustness and query interval in use (maybe adopted). */
uint32_t rt_gmi(const struct rt_iface *ifc)
{
	return ifc->rv * ifc->qi_ms + ifc->cfg.query_response_ms;
}

uint8_t rt_lmqc(const struct rt_iface *ifc)
{
	return ifc->cfg.last_member_count ? ifc->cfg.last_member_count : ifc->rv;
}

uint32_t rt_lmqt(const struct rt_iface *ifc)
{
	return ifc->cfg.last_member_interval_ms * rt_lmqc(ifc);
}

static uint32_t oqpi(const struct rt_iface *ifc)
{
	return ifc->rv * ifc->qi_ms + ifc->cfg.query_response_ms / 2;
}

/* The SSM ranges as masks over the address's two halves: every record of
 * every report asks (twice), so the prefixes are compiled when the
 * configuration is set instead of compared bit by bit each time. */
void rt_ssm_compile(struct rt_iface *ifc)
{
	ifc->nssm = 0;
	for (unsigned i = 0; i < ifc->cfg.nssm && i < MCAST_ROUTER_MAX_SSM_RANGES; i++) {
		const struct mcast_prefix *p = &ifc->cfg.ssm[i];
		uint8_t mask[16] = { 0 }, val[16];
		bool v4 = addr_is_v4(&p->addr);
		if (!v4 && p->len == 12 && p->addr.b[0] == 0xff && p->addr.b[1] == 0x30) {
			/* "ff30::/12" stands for RFC 4607's ff3x::/32: any
			 * scope, the prefix-length and prefix fields zero */
			static const uint8_t m[4] = { 0xff, 0xf0, 0xff, 0xff };
			memcpy(mask, m, sizeof(m));
		} else {
			unsigned bits = (v4 ? 96u : 0u) + p->len;
			for (unsigned b = 0; b < bits && b < 128; b++)
				mask[b / 8] |= (uint8_t)(0x80 >> (b % 8));
		}
		for (unsigned k = 0; k < 16; k++)
			val[k] = p->addr.b[k] & mask[k];
		struct rt_ssm_match *x = &ifc->ssm[ifc->nssm++];
		memcpy(x->mask, mask, 16);
		memcpy(x->val, val, 16);
		x->v4 = v4;
	}
}

bool rt_is_ssm(const struct rt_iface *ifc, const struct mcast_addr *g)
{
	if (!ifc->nssm)
		return false;
	uint64_t w[2];
	memcpy(w, g->b, 16);
	bool v4 = addr_is_v4(g);
	for (unsigned i = 0; i < ifc->nssm; i++) {
		const struct rt_ssm_match *x = &ifc->ssm[i];
		if (x->v4 == v4 && (w[0] & x->mask[0]) == x->val[0] && (w[1] & x->mask[1]) == x->val[1])
			return true;
	}
	return false;
}

/* ---- life cycle ---------------------------------------------------------- */

struct mcast_router *mcast_router_create(const struct mcast_router_env *env, enum mcast_family f)
{
	struct mcast_router *r = mcast_alloc_get(env->al, sizeof(*r));
	if (!r)
		return NULL;
	memset(r, 0, sizeof(*r));
	r->env = *env;
	r->family = f;
	r->pf = mcast_profile_of(f);
	/* Everything else grows on demand: the decode buffers with the
	 * largest packet, the query buffer with the largest MTU, the group
	 * pool with the groups (an embedded router with one interface and a
	 * few groups holds a few kilobytes). */
	if (mcast_htab_init(&r->ifaces, env->al, 4) < 0) {
		mcast_router_destroy(r);
		return NULL;
	}
	mcast_pool_init(&r->group_pool, env->al, sizeof(struct rt_group), 1024, 0);
	return r;
}

int rt_reserve(struct mcast_router *r, void **v, size_t *cap, size_t n, size_t size)
{
	if (n <= *cap)
		return 0;
	size_t c = *cap * 2 > n ? *cap * 2 : n;
	void *p = mcast_alloc_resize(r->env.al, *v, *cap * size, c * size);
	if (!p)
		return -ENOMEM;
	*v = p;
	*cap = c;
	return 0;
}

/* Room to decode a payload of len bytes: a source takes at least 4 (16)
 * bytes and a record 8 (20, RFC 3376 4.2.4 / RFC 3810 5.2.4), so a
 * packet never holds more than len/4 sources or len/8 records. */
static int reserve_decode(struct mcast_router *r, size_t len)
{
	size_t alen = mcast_family_alen(r->family);
	size_t srcs = len / alen + 1, recs = len / (alen + 4) + 1;
	if (rt_reserve(r, (void **)&r->dec_srcs, &r->dec_srcs_cap, srcs, sizeof(*r->dec_srcs)) < 0 ||
	    rt_reserve(r, (void **)&r->rec_srcs, &r->rec_srcs_cap, srcs, sizeof(*r->rec_srcs)) < 0 ||
	    rt_reserve(r, (void **)&r->dec_recs, &r->dec_recs_cap, recs, sizeof(*r->dec_recs)) < 0)
		return -ENOMEM;
	return 0;
}

static struct rt_iface *iface_find(const struct mcast_router *r, unsigned ifindex)
{
	uint64_t h = mcast_ifindex_hash(ifindex, r->env.hash_seed);
	for (struct mcast_hnode *n = mcast_htab_first(&r->ifaces, h); n; n = mcast_htab_next(n)) {
		struct rt_iface *ifc = mcast_container_of(n, struct rt_iface, node);
		if (ifc->ifindex == ifindex)
			return ifc;
	}
	return NULL;
}

struct destroy_arg {
	struct rt_iface *ifc;
	bool notify;
};

static void destroy_group(void *g, void *arg)
{
	const struct destroy_arg *a = arg;
	/* (told: each group leaves the index first, listeners may look;
	 * not told, the index goes whole: the walk reads only buckets) */
	if (a->notify)
		rt_group_destroy(a->ifc, g, true);
	else
		rt_group_drop(a->ifc, g);
}

static void iface_free(struct rt_iface *ifc, bool notify)
{
	struct mcast_router *r = ifc->r;
	struct destroy_arg a = { ifc, notify };
	bidx_walk(&ifc->groups, destroy_group, &a);
	mcast_timer_stop(r->env.wheel, &ifc->timer);
	mcast_lean_destroy(&ifc->gwheel);
	bidx_free(&ifc->groups);
	mcast_htab_remove(&r->ifaces, &ifc->node);
	r->iface_gen++;
	mcast_alloc_free(r->env.al, ifc, sizeof(*ifc));
}

static void free_iface_node(struct mcast_hnode *n, void *arg)
{
	(void)arg;
	iface_free(mcast_container_of(n, struct rt_iface, node), false);
}

void mcast_router_destroy(struct mcast_router *r)
{
	if (!r)
		return;
	mcast_htab_walk_safe(&r->ifaces, free_iface_node, NULL);
	mcast_htab_free(&r->ifaces);
	mcast_pool_destroy(&r->group_pool);
	const struct mcast_alloc *al = r->env.al;
	mcast_alloc_free(al, r->scratch, r->scratch_cap * sizeof(*r->scratch));
	mcast_alloc_free(al, r->prev, r->prev_cap * sizeof(*r->prev));
	mcast_alloc_free(al, r->dec_srcs, r->dec_srcs_cap * sizeof(*r->dec_srcs));
	mcast_alloc_free(al, r->rec_srcs, r->rec_srcs_cap * sizeof(*r->rec_srcs));
	mcast_alloc_free(al, r->dec_recs, r->dec_recs_cap * sizeof(*r->dec_recs));
	mcast_alloc_free(al, r->buf, r->buf_cap);
	mcast_alloc_free(al, r->touched, r->touched_cap * sizeof(*r->touched));
	mcast_alloc_free(al, r->prep, r->prep_cap * sizeof(*r->prep));
	mcast_alloc_free(al, r, sizeof(*r));
}

/* ---- the querier --------------------------------------------------------- */

static void iface_reschedule(struct rt_iface *ifc)
{
	mcast_time_ms t = ifc->querier ? ifc->next_general_ms : ifc->other_querier_ms;
	if (ifc->cfg.enabled && t)
		mcast_timer_start(ifc->r->env.wheel, &ifc->timer, t);
	else
		mcast_timer_stop(ifc->r->env.wheel, &ifc->timer);
}

static void emit_general(void *ctx, const uint8_t *pkt, size_t len)
{
	struct rt_iface *ifc = ctx;
	ifc->r->env.send(ifc->r->env.ctx, ifc->ifindex, pkt, len);
}

static void send_general(struct rt_iface *ifc)
{
	struct mcast_router *r = ifc->r;
	struct mcast_query_params q = {
		.family = r->family,
		.version = ifc->cfg.version,
		.group = *r->pf->any,
		.max_resp_ms = ifc->cfg.query_response_ms,
		.qrv = ifc->rv,
		.qqi_s = ifc->qi_ms / 1000,
	};
	if (r->env.send &&
	    mcast_query_encode(&q, &ifc->addr, NULL, ifc->mtu, r->buf, r->buf_cap, emit_general, ifc) > 0)
		ifc->stats.tx_general_queries++;
}

/* The querier role changes; forwarding that depends on it hears of it. */
static void set_querier(struct rt_iface *ifc, bool on)
{
	if (ifc->querier == on)
		return;
	ifc->querier = on;
	ifc->stats.querier_changes++;
	if (ifc->r->env.querier_change)
		ifc->r->env.querier_change(ifc->r->env.ctx, ifc->ifindex, on);
}

/* Becomes querier (at start, or when the other querier went silent). */
static void become_querier(struct rt_iface *ifc, bool startup)
{
	mcast_time_ms now = rt_now(ifc->r);
	set_querier(ifc, true);
	ifc->querier_addr = ifc->addr;
	ifc->other_querier_ms = 0;
	/* Our own values again, not the ones adopted from the old querier. */
	ifc->rv = ifc->cfg.robustness;
	ifc->qi_ms = ifc->cfg.query_interval_ms;
	ifc->startup_left = startup ? (ifc->cfg.startup_count ? ifc->cfg.startup_count : ifc->rv) : 0;
	send_general(ifc);
	if (ifc->startup_left)
		ifc->startup_left--;
	ifc->next_general_ms = now + (ifc->startup_left ? ifc->cfg.startup_interval_ms : ifc->qi_ms);
	mcast_logf(ifc->r->env.log, MCAST_LOG_INFO, MCAST_D_STATES, "%s: now the querier", ifc->name);
}

static void iface_timer_fired(struct mcast_timer *t, void *arg)
{
	(void)t;
	struct rt_iface *ifc = arg;
	mcast_time_ms now = rt_now(ifc->r);
	if (ifc->querier) {
		if (ifc->next_general_ms <= now) {
			send_general(ifc);
			if (ifc->startup_left)
				ifc->startup_left--;
			ifc->next_general_ms = now + (ifc->startup_left ? ifc->cfg.startup_interval_ms : ifc->qi_ms);
		}
	} else if (ifc->other_querier_ms && ifc->other_querier_ms <= now && ifc->cfg.querier) {
		become_querier(ifc, false); /* RFC 3376 6.6.2: resume the role */
	}
	iface_reschedule(ifc);
}

/* The querier election (RFC 3376 6.6.2): a query from a lower address wins. */
static void query_heard(struct rt_iface *ifc, const struct mcast_addr *from, const struct mcast_msg *m)
{
	mcast_time_ms now = rt_now(ifc->r);
	if (mcast_addr_is_unspecified(from) || mcast_addr_eq(from, &ifc->addr))
		return; /* snooping switches' queries do not take part; nor do our own */
	/* The lowest address wins: a querier yields to a lower address; a
	 * non-querier follows only the querier or one lower still. */
	if (ifc->querier ? addr_cmp(from, &ifc->addr) > 0
			 : addr_cmp(from, &ifc->querier_addr) > 0)
		return;
	bool yield = ifc->querier;
	ifc->querier_addr = *from; /* (before the callback, which may ask) */
	if (yield) {
		set_querier(ifc, false);
		if (mcast_log_wants(ifc->r->env.log, MCAST_LOG_INFO, MCAST_D_STATES)) {
			char a[MCAST_ADDR_STRLEN];
			mcast_logf(ifc->r->env.log, MCAST_LOG_INFO, MCAST_D_STATES, "%s: querier is now %s",
				   ifc->name, mcast_addr_str(from, a));
		}
	}
	/* RFC 3376 4.1.6/4.1.7: adopt the querier's QRV and QQI when given. */
	if (m->version == ifc->r->pf->max_version) {
		if (m->qrv)
			ifc->rv = m->qrv;
		if (m->qqi_s)
			ifc->qi_ms = m->qqi_s * 1000;
	}
	ifc->other_querier_ms = now + oqpi(ifc);
	if (!ifc->cfg.querier)
		ifc->other_querier_ms = 0; /* never takes over anyway */
	iface_reschedule(ifc);
}

/* ---- interfaces ---------------------------------------------------------- */

static int level_of(enum mcast_family f, uint8_t version)
{
	if (f == MCAST_AF_INET)
		return version >= 1 && version <= 3 ? version : -1;
	return version >= 1 && version <= 2 ? version + 1 : -1;
}

static bool addr_ok(const struct mcast_router *r, const struct mcast_addr *a)
{
	if (addr_family(a) != r->family)
		return false;
	/* RFC 3810 5: MLD messages come from the link-local address. */
	return r->family == MCAST_AF_INET ? mcast_addr_is_unicast(a) : mcast_addr_is_link_local(a);
}

int mcast_router_iface_add(struct mcast_router *r, unsigned ifindex, const char *name,
			   const struct mcast_addr *addr, uint32_t mtu,
			   const struct mcast_router_config *cfg)
{
	if (iface_find(r, ifindex))
		return -EEXIST;
	int level = level_of(r->family, cfg->version);
	if (level < 0 || !addr_ok(r, addr) || cfg->robustness == 0 || cfg->query_interval_ms == 0 ||
	    cfg->query_response_ms >= cfg->query_interval_ms || mtu < 68)
		return -EINVAL;
	/* the query buffer holds one packet of the largest MTU */
	if (rt_reserve(r, (void **)&r->buf, &r->buf_cap, mtu, 1) < 0)
		return -ENOMEM;
	struct rt_iface *ifc = mcast_alloc_get(r->env.al, sizeof(*ifc));
	if (!ifc)
		return -ENOMEM;
	memset(ifc, 0, sizeof(*ifc));
	bidx_init(&ifc->groups, r->env.al, rt_group_hash, r);
	ifc->r = r;
	ifc->ifindex = ifindex;
	snprintf(ifc->name, sizeof(ifc->name), "%s", name ? name : "");
	ifc->addr = *addr;
	ifc->mtu = mtu;
	ifc->cfg = *cfg;
	rt_ssm_compile(ifc);
	ifc->level = (uint8_t)level;
	ifc->rv = cfg->robustness;
	ifc->qi_ms = cfg->query_interval_ms;
	mcast_timer_init(&ifc->timer, iface_timer_fired, ifc);
	mcast_lean_init(&ifc->gwheel, r->env.wheel, r->env.al, rt_group_timer_fired, rt_group_timer_before, ifc);
	mcast_ratelimit_init(&ifc->drop_log, 1000, 10);
	mcast_ratelimit_init(&ifc->limit_log, 10000, 3);
	mcast_htab_insert(&r->ifaces, &ifc->node, mcast_ifindex_hash(ifindex, r->env.hash_seed));
	r->iface_gen++;
	if (cfg->enabled) {
		if (cfg->querier) {
			ifc->querier = false;
			become_querier(ifc, true);
			ifc->stats.querier_changes = 0;
		} else {
			ifc->querier_addr = *r->pf->any;
		}
	}
	iface_reschedule(ifc);
	return 0;
}

int mcast_router_iface_set_config(struct mcast_router *r, unsigned ifindex,
				  const struct mcast_router_config *cfg)
{
	struct rt_iface *ifc = iface_find(r, ifindex);
	if (!ifc)
		return -ENODEV;
	int level = level_of(r->family, cfg->version);
	if (level < 0 || cfg->robustness == 0 || cfg->query_interval_ms == 0 ||
	    cfg->query_response_ms >= cfg->query_interval_ms)
		return -EINVAL;
	bool was_querier = ifc->querier;
	ifc->cfg = *cfg;
	rt_ssm_compile(ifc);
	ifc->level = (uint8_t)level;
	if (was_querier) {
		/* our own values, as when we became querier (RFC 3376 8.1, 8.2) */
		ifc->rv = cfg->robustness;
		ifc->qi_ms = cfg->query_interval_ms;
		if (!cfg->querier || !cfg->enabled) {
			ifc->querier_addr = *r->pf->any;
			set_querier(ifc, false);
		} else if (ifc->next_general_ms > rt_now(r) + cfg->query_interval_ms) {
			ifc->next_general_ms = rt_now(r) + cfg->query_interval_ms;
		}
	} else if (cfg->querier && cfg->enabled && mcast_addr_is_unspecified(&ifc->querier_addr)) {
		become_querier(ifc, true);
	}
	iface_reschedule(ifc);
	return 0;
}

int mcast_router_iface_del(struct mcast_router *r, unsigned ifindex)
{
	struct rt_iface *ifc = iface_find(r, ifindex);
	if (!ifc)
		return -ENODEV;
	iface_free(ifc, true);
	return 0;
}

int mcast_router_iface_set_addr(struct mcast_router *r, unsigned ifindex,
				const struct mcast_addr *addr)
{
	struct rt_iface *ifc = iface_find(r, ifindex);
	if (!ifc)
		return -ENODEV;
	if (!addr_ok(r, addr))
		return -EINVAL;
	if (mcast_addr_eq(&ifc->addr, addr))
		return 0;
	ifc->addr = *addr;
	if (ifc->querier) {
		ifc->querier_addr = *addr;
	} else if (ifc->cfg.querier && addr_cmp(addr, &ifc->querier_addr) < 0) {
		become_querier(ifc, false); /* we are now the lowest */
		iface_reschedule(ifc);
	}
	return 0;
}

/* ---- input ----------------------------------------------------------------- */

static bool dst_is_ours(const struct rt_iface *ifc, const struct mcast_addr *dst)
{
	return addr_is_multicast(dst) || mcast_addr_eq(dst, &ifc->addr);
}

static void input_ip(struct mcast_router *r, unsigned ifindex, const struct mcast_ip_info *ip);

/* The sources of the SSM map covering g (in an SSM range), sorted, in
 * out; 0 when no map covers it. */
static size_t ssm_mapped(struct rt_iface *ifc, const struct mcast_addr *g, struct mcast_addr *out)
{
	if (!ifc->cfg.nssm_map || !rt_is_ssm(ifc, g))
		return 0;
	for (unsigned i = 0; i < ifc->cfg.nssm_map && i < MCAST_ROUTER_MAX_SSM_MAPS; i++) {
		const struct mcast_router_ssm_map *m = &ifc->cfg.ssm_map[i];
		if (!mcast_prefix_contains(&m->group, g))
			continue;
		size_t n = m->nsrcs < MCAST_ROUTER_MAX_SSM_MAP_SOURCES ? m->nsrcs : MCAST_ROUTER_MAX_SSM_MAP_SOURCES;
		memcpy(out, m->srcs, n * sizeof(*out));
		return mcast_addrs_normalize(out, n);
	}
	return 0;
}

static void refused(struct rt_iface *ifc, const struct mcast_addr *from, const char *what,
		    const struct mcast_addr *a)
{
	char f[MCAST_ADDR_STRLEN], x[MCAST_ADDR_STRLEN];
	if (mcast_ratelimit_ok(&ifc->drop_log, rt_now(ifc->r)))
		mcast_logf(ifc->r->env.log, MCAST_LOG_DEBUG, MCAST_D_DROPS, "%s: report from %s: %s %s refused",
			   ifc->name, mcast_addr_str(from, f), what, mcast_addr_str(a, x));
}

/* A group the router keeps no state for (docs/wire.md, "Address rules"). */
static bool local_group(struct rt_iface *ifc, const struct mcast_addr *from, const struct mcast_addr *g)
{
	if (!addr_is_multicast(g) || !addr_is_link_scoped(g)) /* mcast_addr_is_local_group(), inline */
		return false;
	ifc->stats.local_group++;
	refused(ifc, from, "link-local group", g);
	return true;
}

/*
 * The address rules on a v3 report's records, in place: a record for a
 * group that never leaves the link is skipped (RFC 5771 4, RFC 4291 2.7:
 * no router forwards it, and it would take a max-groups slot), and a
 * source that can never send (unspecified, loopback, multicast,
 * broadcast, class E, or of the other family) is refused alone. Leaving
 * such a source out changes no record's meaning: no packet comes from
 * it, so INCLUDE or EXCLUDE of it forward the same packets as without.
 */
static void filter_records(struct rt_iface *ifc, const struct mcast_addr *from, struct mcast_msg *m)
{
	uint32_t w = 0;
	size_t kept = 0;
	for (size_t i = 0; i < m->nrecs; i++) {
		if (local_group(ifc, from, &m->recs[i].group))
			continue;
		if (!m->recs[i].nsrcs) { /* (most records: kept as they are) */
			if (kept != i)
				m->recs[kept] = m->recs[i];
			kept++;
			continue;
		}
		struct mcast_group_record rec = m->recs[i];
		/* the decoder lays sources out record by record: w <= src_index */
		uint32_t first = w;
		for (uint32_t k = 0; k < rec.nsrcs; k++) {
			const struct mcast_addr *s = &m->srcs[rec.src_index + k];
			if (addr_family(s) != ifc->r->family || !mcast_addr_is_valid_source(s)) {
				ifc->stats.invalid_source++;
				refused(ifc, from, "source", s);
				continue;
			}
			m->srcs[w++] = *s;
		}
		rec.src_index = first;
		rec.nsrcs = (uint16_t)(w - first);
		m->recs[kept++] = rec;
	}
	m->nrecs = kept;
	/* SSM mapping: a record asking for every source of a mapped SSM
	 * group asks for the map's sources (IS_EX {} -> IS_IN, TO_EX {} ->
	 * ALLOW: it adds them, it takes nothing away); they go after the
	 * records' own sources */
	for (size_t i = 0; ifc->cfg.nssm_map && i < m->nrecs; i++) {
		struct mcast_group_record *rec = &m->recs[i];
		struct mcast_addr ms[MCAST_ROUTER_MAX_SSM_MAP_SOURCES];
		size_t n;
		if (rec->nsrcs || (rec->type != MCAST_MODE_IS_EXCLUDE && rec->type != MCAST_CHANGE_TO_EXCLUDE) ||
		    !(n = ssm_mapped(ifc, &rec->group, ms)) || w + n > m->srcs_cap)
			continue;
		memcpy(&m->srcs[w], ms, n * sizeof(*ms));
		rec->src_index = w;
		rec->nsrcs = (uint16_t)n;
		rec->type = rec->type == MCAST_MODE_IS_EXCLUDE ? MCAST_MODE_IS_INCLUDE : MCAST_ALLOW_NEW_SOURCES;
		w += (uint32_t)n;
		ifc->stats.ssm_mapped++;
	}
}

/* An IGMPv1/v2 or MLDv1 report or leave: one record, in two phases. */
static void one_record(struct rt_iface *ifc, const struct mcast_addr *g, uint8_t type,
		       const struct mcast_addr *srcs, size_t n, const struct mcast_addr *host, uint8_t older)
{
	struct mcast_group_record rec = { .type = type, .group = *g, .nsrcs = (uint16_t)n };
	ifc->stats.rx_records++;
	if (rt_records_prepare(ifc, &rec, 1, host, older) < 0)
		return;
	rt_group_record(ifc, g, type, srcs, n, host, older, &ifc->r->prep[0]);
	rt_records_done(ifc);
}

void mcast_router_input_ip(struct mcast_router *r, unsigned ifindex, const struct mcast_ip_info *ip)
{
	input_ip(r, ifindex, ip);
	rt_check_invariants(r);
}

static void input_ip(struct mcast_router *r, unsigned ifindex, const struct mcast_ip_info *ip)
{
	struct rt_iface *ifc = iface_find(r, ifindex);
	if (!ifc || !ifc->cfg.enabled)
		return;
	if (reserve_decode(r, ip->payload_len) < 0) {
		ifc->stats.no_memory++;
		char a[MCAST_ADDR_STRLEN];
		if (mcast_ratelimit_ok(&ifc->drop_log, rt_now(r)))
			mcast_logf(r->env.log, MCAST_LOG_DEBUG, MCAST_D_DROPS,
				   "%s: dropped packet from %s: no memory to decode %zu bytes", ifc->name,
				   mcast_addr_str(&ip->src, a), ip->payload_len);
		return;
	}
	struct mcast_msg m = { .srcs = r->dec_srcs, .srcs_cap = r->dec_srcs_cap, .recs = r->dec_recs,
			       .recs_cap = r->dec_recs_cap };
	enum mcast_drop why = mcast_msg_decode(&m, ip, &ifc->cfg.wire);
	if (why != MCAST_DROP_NONE) {
		ifc->stats.drop.count[why]++;
		char a[MCAST_ADDR_STRLEN];
		if (mcast_ratelimit_ok(&ifc->drop_log, rt_now(r)))
			mcast_logf(r->env.log, MCAST_LOG_DEBUG, MCAST_D_DROPS, "%s: dropped packet from %s: %s",
				   ifc->name, mcast_addr_str(&ip->src, a), mcast_drop_name(why));
		return;
	}
	if (!dst_is_ours(ifc, &ip->dst)) {
		ifc->stats.not_local++;
		return;
	}
	/* RFC 3590 lets a host without a link-local address yet report from
	 * :: for the groups Duplicate Address Detection needs, which are
	 * link-local and never routed; it reports again from its address
	 * once it has one. A router keeps no state from such a report: it
	 * would be anonymous (no host to track or answer). */
	if (m.kind != MCAST_MSG_QUERY && r->family == MCAST_AF_INET6 && mcast_addr_is_unspecified(&ip->src)) {
		ifc->stats.unspecified_reporter++;
		char g[MCAST_ADDR_STRLEN];
		if (mcast_ratelimit_ok(&ifc->drop_log, rt_now(r)))
			mcast_logf(r->env.log, MCAST_LOG_DEBUG, MCAST_D_DROPS, "%s: %s from :: ignored (group %s)",
				   ifc->name, mcast_msg_name(&m), mcast_addr_str(&m.group, g));
		return;
	}
	/* The message's version as IGMP numbering (MLDv1 = 2, MLDv2 = 3). */
	uint8_t mlevel = r->family == MCAST_AF_INET ? m.version : (uint8_t)(m.version + 1);
	switch (m.kind) {
	case MCAST_MSG_QUERY:
		ifc->stats.rx_queries++;
		if (mlevel < ifc->level)
			ifc->stats.older_querier++; /* RFC 3376 7.3.1: configure the older version */
		query_heard(ifc, &ip->src, &m);
		/* 6.6.1: timer updates, unless S is set (v1/v2 have no S). */
		if (!m.s_flag && !mcast_addr_eq(&m.group, r->pf->any))
			rt_group_query_heard(ifc, &m.group, m.srcs, mcast_addrs_normalize(m.srcs, m.nsrcs));
		break;
	case MCAST_MSG_REPORT:
		ifc->stats.rx_reports++;
		if (local_group(ifc, &ip->src, &m.group))
			break;
		if (rt_is_ssm(ifc, &m.group)) {
			struct mcast_addr ms[MCAST_ROUTER_MAX_SSM_MAP_SOURCES];
			size_t n = ssm_mapped(ifc, &m.group, ms);
			if (n) { /* SSM mapping: the map's sources, for an old host */
				ifc->stats.ssm_mapped++;
				one_record(ifc, &m.group, MCAST_MODE_IS_INCLUDE, ms, n, &ip->src, mlevel);
			} else {
				ifc->stats.ssm_ignored++; /* RFC 4604 2.2.1: no v1/v2 in SSM */
			}
			break;
		}
		one_record(ifc, &m.group, MCAST_MODE_IS_EXCLUDE, NULL, 0, &ip->src, mlevel);
		break;
	case MCAST_MSG_LEAVE:
		ifc->stats.rx_leaves++;
		if (ifc->level == 1) {
			ifc->stats.version_ignored++;
			break;
		}
		if (local_group(ifc, &ip->src, &m.group))
			break;
		if (rt_is_ssm(ifc, &m.group)) {
			struct mcast_addr ms[MCAST_ROUTER_MAX_SSM_MAP_SOURCES];
			if (ssm_mapped(ifc, &m.group, ms)) {
				/* a mapped group's leave: TO_IN ({}), which queries
				 * the sources the old hosts asked for */
				ifc->stats.ssm_mapped++;
				one_record(ifc, &m.group, MCAST_CHANGE_TO_INCLUDE, NULL, 0, &ip->src, 0);
			} else {
				ifc->stats.ssm_ignored++;
			}
			break;
		}
		one_record(ifc, &m.group, MCAST_CHANGE_TO_INCLUDE, NULL, 0, &ip->src, 0);
		break;
	case MCAST_MSG_V3_REPORT:
		ifc->stats.rx_reports++;
		if (ifc->level < 3) {
			ifc->stats.version_ignored++; /* an older-version router ignores them */
			break;
		}
		ifc->stats.rx_records += m.nrecs;
		filter_records(ifc, &ip->src, &m);
		/* the whole report or none of it (rt_records_prepare) */
		if (rt_records_prepare(ifc, m.recs, m.nrecs, &ip->src, 0) < 0)
			break;
		for (unsigned i = 0; i < m.nrecs; i++) {
			const struct mcast_group_record *g = &m.recs[i];
			size_t n = 0;
			if (g->nsrcs) {
				memcpy(r->rec_srcs, m.srcs + g->src_index, g->nsrcs * sizeof(*r->rec_srcs));
				n = mcast_addrs_normalize(r->rec_srcs, g->nsrcs);
			}
			rt_group_record(ifc, &g->group, g->type, r->rec_srcs, n, &ip->src, 0, &r->prep[i]);
		}
		rt_records_done(ifc);
		break;
	}
}

void mcast_router_input(struct mcast_router *r, unsigned ifindex, const uint8_t *pkt, size_t len)
{
	struct mcast_ip_info ip;
	enum mcast_drop why = mcast_ip_parse(pkt, len, &ip);
	if (why != MCAST_DROP_NONE) {
		struct rt_iface *ifc = iface_find(r, ifindex);
		if (ifc) {
			ifc->stats.drop.count[why]++;
			if (mcast_ratelimit_ok(&ifc->drop_log, rt_now(r)))
				mcast_logf(r->env.log, MCAST_LOG_DEBUG, MCAST_D_DROPS, "%s: dropped packet: %s",
					   ifc->name, mcast_drop_name(why));
		}
		return;
	}
	mcast_router_input_ip(r, ifindex, &ip);
}

/* ---- inspection ------------------------------------------------------------ */

int mcast_router_iface_info(const struct mcast_router *r, unsigned ifindex,
			    struct mcast_router_iface_info *info)
{
	const struct rt_iface *ifc = iface_find(r, ifindex);
	if (!ifc)
		return -ENODEV;
	mcast_time_ms now = rt_now(r);
	info->querier = ifc->querier;
	info->querier_addr = ifc->querier_addr;
	info->other_querier_ms = ifc->other_querier_ms > now ? ifc->other_querier_ms - now : 0;
	info->robustness = ifc->rv;
	info->query_interval_ms = ifc->qi_ms;
	info->groups = ifc->groups.count;
	info->stats = &ifc->stats;
	return 0;
}

int mcast_router_group(const struct mcast_router *r, unsigned ifindex,
		       const struct mcast_addr *group, struct mcast_router_group_info *info,
		       struct mcast_router_source_info *srcs, size_t cap)
{
	const struct rt_iface *ifc = iface_find(r, ifindex);
	if (!ifc)
		return -ENODEV;
	const struct rt_group *grp = rt_group_find(ifc, group);
	if (!grp)
		return -ENOENT;
	mcast_time_ms now = rt_now(r);
	uint8_t level = rt_group_level(ifc, grp);
	if (info) {
		info->exclude = rt_exclude(grp);
		info->compat_version = r->family == MCAST_AF_INET ? level : (uint8_t)(level - 1);
		info->group_timer_ms =
			rt_exclude(grp) && rt_group_deadline(grp) > now ? rt_group_deadline(grp) - now : 0;
		info->nsources = rt_nsrcs(grp);
		info->ntracked_hosts = rt_nhosts(grp);
	}
	for (size_t i = 0; srcs && i < rt_nsrcs(grp) && i < cap; i++) {
		const struct rt_source *s = &grp->sv->v[i];
		srcs[i].addr = s->addr;
		srcs[i].timer_ms = s->deadline_ms > now ? s->deadline_ms - now : 0;
		srcs[i].forwarding = s->deadline_ms != 0;
	}
	return 0;
}

int mcast_router_walk_groups(const struct mcast_router *r, unsigned ifindex,
			     void (*fn)(void *ctx, const struct mcast_addr *group), void *ctx)
{
	const struct rt_iface *ifc = iface_find(r, ifindex);
	if (!ifc)
		return -ENODEV;
	struct bidx_cursor c = { 0 };
	for (const struct rt_group *g; (g = bidx_each(&ifc->groups, &c));)
		fn(ctx, &g->addr);
	return 0;
}

const struct rt_iface *rt_iface_get(const struct mcast_router *r, unsigned ifindex)
{
	return iface_find(r, ifindex);
}

const struct rt_group *rt_lookup_in(const struct rt_iface *ifc, const struct mcast_addr *g, uint64_t hh,
				    uint64_t seed)
{
	return seed == ifc->r->env.hash_seed ? rt_group_find_hashed(ifc, g, hh) : rt_group_find(ifc, g);
}

bool rt_allows(const struct mcast_router *r, unsigned ifindex, const struct mcast_addr *g,
	       const struct mcast_addr *s)
{
	return !r->env.allow || mcast_addr_is_unspecified(s) || r->env.allow(r->env.ctx, ifindex, g, s);
}

bool mcast_router_wants(const struct mcast_router *r, unsigned ifindex,
			const struct mcast_addr *source, const struct mcast_addr *group)
{
	const struct rt_iface *ifc = iface_find(r, ifindex);
	const struct rt_group *grp = ifc ? rt_group_find(ifc, group) : NULL;
	if (!grp || !rt_allows(r, ifindex, group, source))
		return false;
	/* RFC 3376 6.3: INCLUDE forwards the listed sources; EXCLUDE all but
	 * the ones with timer 0. Sources are sorted: binary search. */
	uint32_t lo = 0, hi = rt_nsrcs(grp);
	while (lo < hi) {
		uint32_t mid = lo + (hi - lo) / 2;
		int c = addr_cmp(&grp->sv->v[mid].addr, source);
		if (c == 0)
			return grp->sv->v[mid].deadline_ms != 0;
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return rt_exclude(grp);
}
