/*
 * DOC: host sockets and interfaces (RFC 3678, RFC 3376 3)
 *
 * Each socket holds its memberships: (interface, group, filter mode,
 * sorted sources). Every call validates first, builds the socket's new
 * filter, and only then commits it and hands the old and new filters to
 * the interface state (report.c), so a refused call changes nothing.
 * Errors follow Linux's ip_mc_*() and RFC 3678: ASM calls (block,
 * unblock) on an INCLUDE-mode membership and source joins on an
 * EXCLUDE-mode one give -EINVAL; duplicate source joins and blocks are
 * accepted silently, as Linux does.
 *
 * Interfaces join 224.0.0.1, or ff02::1 and ff01::1, when they come up,
 * and the all-routers groups while forwarding is on, as the kernel's
 * own memberships (never from a socket, counted apart).
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "hs.h"

void mcast_host_config_default(struct mcast_host_config *c, enum mcast_family f)
{
	c->max_memberships = 20;
	c->max_sources = f == MCAST_AF_INET ? 10 : 64;
}

void mcast_host_iface_config_default(struct mcast_host_iface_config *c)
{
	memset(c, 0, sizeof(*c));
	c->robustness = 2;
	c->unsolicited_v3_ms = 1000;
	c->unsolicited_v2_ms = 10000;
	c->report_link_local = true;
	c->mtu = 1500;
}

void hs_set_hash_seed(struct mcast_host *h, uint64_t seed)
{
	if (h->ifaces.count == 0)
		h->hash_seed = seed;
}

struct mcast_host *mcast_host_create(const struct mcast_host_env *env,
				     const struct mcast_host_config *cfg, enum mcast_family f)
{
	struct mcast_host *h = mcast_alloc_get(env->al, sizeof(*h));
	if (!h)
		return NULL;
	memset(h, 0, sizeof(*h));
	h->env = *env;
	h->family = f;
	h->pf = mcast_profile_of(f);
	if (cfg)
		h->cfg = *cfg;
	else
		mcast_host_config_default(&h->cfg, f);
	mcast_rng_seed(&h->rng, env->seed);
	h->hash_seed = env->seed;
	mcast_pool_init(&h->groups, env->al, sizeof(struct hs_group), 256, 0);
	mcast_pool_init(&h->waits, env->al, sizeof(struct hs_wait), 64, 0);
	if (hs_scratch(h, 16) < 0 || hs_buf(h, 256) < 0 || mcast_htab_init(&h->ifaces, env->al, 16) < 0) {
		mcast_host_destroy(h);
		return NULL;
	}
	return h;
}

static void free_socket_memberships(struct mcast_host *h, struct mcast_host_sock *s)
{
	for (uint32_t i = 0; i < s->n; i++)
		mcast_srcset_free(&s->m[i].srcs, h->env.al);
	mcast_alloc_free(h->env.al, s->m, s->cap * sizeof(*s->m));
	if (s->idx)
		mcast_alloc_free(h->env.al, s->idx, ((size_t)s->idx_mask + 1) * sizeof(*s->idx));
	s->idx = NULL;
}

/* ---- the socket's membership index ------------------------------------------- */

static size_t m_home(const struct mcast_host_sock *s, uint32_t key)
{
	return key & s->idx_mask;
}

struct hs_membership *hs_find_membership(const struct mcast_host_sock *s, unsigned ifindex,
					 const struct mcast_addr *g, uint64_t hh)
{
	/* the keys first: only a likely match reads its group */
	uint32_t key = hs_key(hh, ifindex);
	if (!s->idx) {
		for (uint32_t i = 0; i < s->n; i++)
			if (s->m[i].key == key && s->m[i].ifindex == ifindex && mcast_addr_eq(&s->m[i].grp->addr, g))
				return &s->m[i];
		return NULL;
	}
	for (size_t i = m_home(s, key); s->idx[i]; i = (i + 1) & s->idx_mask) {
		struct hs_membership *m = &s->m[s->idx[i] - 1];
		if (m->key == key && m->ifindex == ifindex && mcast_addr_eq(&m->grp->addr, g))
			return m;
	}
	return NULL;
}

void hs_prefetch(const struct hs_iface *ifc, uint64_t hh, bool next)
{
	if (!next)
		bidx_prefetch(&ifc->groups, hh);
	else
		(void)bidx_candidate(&ifc->groups, hh, sizeof(struct mcast_addr));
}

void hs_prefetch_buckets(const struct hs_iface *ifc, const uint64_t *hh, size_t n)
{
	for (size_t i = 0; i < n; i++)
		bidx_prefetch(&ifc->groups, hh[i]);
}

/* The index slots follow the memberships' keys: growing or deleting
 * never hashes a group again. */
static void idx_put(struct mcast_host_sock *s, uint32_t k)
{
	if (!s->idx)
		return;
	size_t i = m_home(s, s->m[k].key);
	while (s->idx[i])
		i = (i + 1) & s->idx_mask;
	s->idx[i] = k + 1;
}

static size_t idx_slot(const struct mcast_host_sock *s, uint32_t k)
{
	size_t i = m_home(s, s->m[k].key);
	while (s->idx[i] != k + 1)
		i = (i + 1) & s->idx_mask;
	return i;
}

/* The slot holding membership k, or SIZE_MAX without an index. */
static size_t idx_slot_if(const struct mcast_host_sock *s, uint32_t k)
{
	return s->idx ? idx_slot(s, k) : SIZE_MAX;
}

/* Takes membership k out (backward-shift deletion: no tombstones). */
static void idx_del(struct mcast_host_sock *s, uint32_t k)
{
	if (!s->idx)
		return;
	size_t i = idx_slot(s, k);
	s->idx[i] = 0;
	for (size_t j = (i + 1) & s->idx_mask; s->idx[j]; j = (j + 1) & s->idx_mask) {
		size_t home = m_home(s, s->m[s->idx[j] - 1].key);
		/* stays if its home lies cyclically in (i, j] */
		bool stays = i <= j ? (i < home && home <= j) : (i < home || home <= j);
		if (!stays) {
			s->idx[i] = s->idx[j];
			s->idx[j] = 0;
			i = j;
		}
	}
}

static void idx_rebuild(struct mcast_host_sock *s)
{
	if (!s->idx)
		return;
	memset(s->idx, 0, ((size_t)s->idx_mask + 1) * sizeof(*s->idx));
	for (uint32_t k = 0; k < s->n; k++)
		idx_put(s, k);
}

/* Room in the index for n memberships (none needed below HS_INDEX_MIN).
 * 0 or -ENOMEM, with the index as it was. */
static int idx_reserve(const struct mcast_host *h, struct mcast_host_sock *s, size_t n)
{
	if (n < HS_INDEX_MIN && !s->idx)
		return 0;
	size_t cap = s->idx ? (size_t)s->idx_mask + 1 : 16;
	if (2 * n <= cap && s->idx)
		return 0;
	while (cap < 2 * n)
		cap *= 2;
	uint32_t *v = mcast_alloc_get(h->env.al, cap * sizeof(*v));
	if (!v)
		return -ENOMEM;
	if (s->idx)
		mcast_alloc_free(h->env.al, s->idx, ((size_t)s->idx_mask + 1) * sizeof(*s->idx));
	s->idx = v;
	s->idx_mask = (uint32_t)(cap - 1);
	idx_rebuild(s);
	return 0;
}

static void free_group(void *g, void *arg)
{
	(void)arg;
	hs_group_drop(g); /* (the walk reads the buckets, not the records) */
}

static void iface_free(struct hs_iface *ifc)
{
	struct mcast_host *h = ifc->h;
	bidx_walk(&ifc->groups, free_group, NULL);
	mcast_timer_stop(h->env.wheel, &ifc->timer);
	mcast_timer_stop(h->env.wheel, &ifc->due);
	bidx_free(&ifc->groups);
	mcast_alloc_free(h->env.al, ifc->pend, ifc->pend_cap * sizeof(*ifc->pend));
	mcast_alloc_free(h->env.al, ifc->fresh, ifc->fresh_cap * sizeof(*ifc->fresh));
	mcast_htab_remove(&h->ifaces, &ifc->node);
	mcast_alloc_free(h->env.al, ifc, sizeof(*ifc));
}

static void free_iface_node(struct mcast_hnode *n, void *arg)
{
	(void)arg;
	iface_free(mcast_container_of(n, struct hs_iface, node));
}

void mcast_host_destroy(struct mcast_host *h)
{
	if (!h)
		return;
	while (h->socks) {
		struct mcast_host_sock *s = h->socks;
		h->socks = s->next;
		free_socket_memberships(h, s);
		mcast_alloc_free(h->env.al, s, sizeof(*s));
	}
	mcast_htab_walk_safe(&h->ifaces, free_iface_node, NULL);
	mcast_htab_free(&h->ifaces);
	mcast_pool_destroy(&h->groups);
	mcast_pool_destroy(&h->waits);
	mcast_alloc_free(h->env.al, h->tmp, h->tmp_cap * sizeof(*h->tmp));
	mcast_alloc_free(h->env.al, h->tmp2, 2 * h->tmp_cap * sizeof(*h->tmp2));
	mcast_alloc_free(h->env.al, h->recs, h->recs_cap * sizeof(*h->recs));
	mcast_alloc_free(h->env.al, h->buf, h->buf_cap);
	mcast_alloc_free(h->env.al, h, sizeof(*h));
}

int hs_scratch_grow(struct mcast_host *h, size_t n)
{
	if (n <= h->tmp_cap)
		return 0;
	size_t cap = h->tmp_cap ? h->tmp_cap : 16;
	while (cap < n)
		cap *= 2;
	/* both new blocks, or neither: tmp_cap names both sizes */
	struct mcast_addr *b = mcast_alloc_get(h->env.al, 2 * cap * sizeof(*b));
	if (!b)
		return -ENOMEM;
	struct mcast_addr *a = mcast_alloc_resize(h->env.al, h->tmp, h->tmp_cap * sizeof(*a), cap * sizeof(*a));
	if (!a) {
		mcast_alloc_free(h->env.al, b, 2 * cap * sizeof(*b));
		return -ENOMEM;
	}
	h->tmp = a;
	/* Keep both halves where HS_HALF will find them. */
	if (h->tmp2) {
		memcpy(b, h->tmp2, h->tmp_cap * sizeof(*b));
		memcpy(b + cap, h->tmp2 + h->tmp_cap, h->tmp_cap * sizeof(*b));
		mcast_alloc_free(h->env.al, h->tmp2, 2 * h->tmp_cap * sizeof(*b));
	}
	h->tmp2 = b;
	h->tmp_cap = cap;
	return 0;
}

int hs_recs(struct mcast_host *h, size_t n)
{
	if (n <= h->recs_cap)
		return 0;
	size_t cap = h->recs_cap ? h->recs_cap : 8;
	while (cap < n)
		cap *= 2;
	struct mcast_group_record *r =
		mcast_alloc_resize(h->env.al, h->recs, h->recs_cap * sizeof(*r), cap * sizeof(*r));
	if (!r)
		return -ENOMEM;
	h->recs = r;
	h->recs_cap = cap;
	return 0;
}

int hs_buf(struct mcast_host *h, size_t n)
{
	if (n <= h->buf_cap)
		return 0;
	uint8_t *b = mcast_alloc_resize(h->env.al, h->buf, h->buf_cap, n);
	if (!b)
		return -ENOMEM;
	h->buf = b;
	h->buf_cap = n;
	return 0;
}

/* ---- interfaces ------------------------------------------------------------------ */

static uint64_t ifindex_hash(const struct mcast_host *h, unsigned ifindex)
{
	return mcast_ifindex_hash(ifindex, h->hash_seed);
}

struct hs_iface *hs_iface_find(const struct mcast_host *h, unsigned ifindex)
{
	for (struct mcast_hnode *n = mcast_htab_first(&h->ifaces, ifindex_hash(h, ifindex)); n;
	     n = mcast_htab_next(n)) {
		struct hs_iface *ifc = mcast_container_of(n, struct hs_iface, node);
		if (ifc->ifindex == ifindex)
			return ifc;
	}
	return NULL;
}

/* The interface's own membership of a well-known group, on or off. */
static int own_join(struct hs_iface *ifc, const char *group, bool on)
{
	struct mcast_addr g;
	mcast_addr_parse(&g, group);
	if (on)
		return hs_change(ifc, &g, MCAST_MODE_INCLUDE, NULL, 0, MCAST_MODE_EXCLUDE, NULL, 0, true);
	return hs_change(ifc, &g, MCAST_MODE_EXCLUDE, NULL, 0, MCAST_MODE_INCLUDE, NULL, 0, true);
}

/* The interface's own groups for a role, all or none (leaving cannot
 * fail: the group is there). */
static int own_joins(struct hs_iface *ifc, const char *const *groups, size_t n, bool on)
{
	for (size_t i = 0; i < n; i++)
		if (own_join(ifc, groups[i], on) < 0) {
			while (i--)
				own_join(ifc, groups[i], !on);
			return -ENOMEM;
		}
	return 0;
}

static bool addr_ok(const struct mcast_host *h, const struct mcast_addr *a)
{
	if (addr_family(a) != h->family)
		return false;
	if (mcast_addr_is_unspecified(a))
		return true;
	return h->family == MCAST_AF_INET ? mcast_addr_is_unicast(a) : mcast_addr_is_link_local(a);
}

int mcast_host_iface_add(struct mcast_host *h, unsigned ifindex, const char *name,
			 const struct mcast_addr *addr, const struct mcast_host_iface_config *cfg)
{
	if (hs_iface_find(h, ifindex))
		return -EEXIST;
	struct mcast_host_iface_config def;
	if (!cfg) {
		mcast_host_iface_config_default(&def);
		cfg = &def;
	}
	int maxv = h->family == MCAST_AF_INET ? 3 : 2;
	if (!addr_ok(h, addr) || cfg->force_version > maxv || cfg->robustness == 0 || cfg->mtu < 68)
		return -EINVAL;
	if (hs_buf(h, cfg->mtu) < 0)
		return -ENOMEM;
	struct hs_iface *ifc = mcast_alloc_get(h->env.al, sizeof(*ifc));
	if (!ifc)
		return -ENOMEM;
	memset(ifc, 0, sizeof(*ifc));
	bidx_init(&ifc->groups, h->env.al, hs_group_hash, h); /* buckets come with the first group */
	ifc->h = h;
	ifc->ifindex = ifindex;
	snprintf(ifc->name, sizeof(ifc->name), "%s", name ? name : "");
	ifc->addr = *addr;
	ifc->cfg = *cfg;
	ifc->rv = cfg->robustness;
	ifc->qi_ms = 125000;
	ifc->level = cfg->force_version ? (uint8_t)(h->family == MCAST_AF_INET ? cfg->force_version
									       : cfg->force_version + 1)
					: 3;
	mcast_timer_init(&ifc->timer, hs_iface_timer, ifc);
	mcast_timer_init(&ifc->due, hs_iface_due, ifc);
	mcast_ratelimit_init(&ifc->drop_log, 1000, 10);
	if (cfg->full_report_ms) {
		ifc->full_ms = hs_now(h) + cfg->full_report_ms;
		mcast_timer_start(h->env.wheel, &ifc->timer, ifc->full_ms);
	}
	mcast_htab_insert(&h->ifaces, &ifc->node, ifindex_hash(h, ifindex));
	static const char *const all4[] = { "224.0.0.1" }, *const all6[] = { "ff02::1", "ff01::1" };
	if (h->family == MCAST_AF_INET ? own_joins(ifc, all4, 1, true) : own_joins(ifc, all6, 2, true)) {
		iface_free(ifc);
		return -ENOMEM;
	}
	return 0;
}

int mcast_host_iface_del(struct mcast_host *h, unsigned ifindex)
{
	struct hs_iface *ifc = hs_iface_find(h, ifindex);
	if (!ifc)
		return -ENODEV;
	/* Sockets lose their memberships on it, as when a device goes away. */
	for (struct mcast_host_sock *s = h->socks; s; s = s->next) {
		uint32_t k = 0;
		for (uint32_t i = 0; i < s->n; i++) {
			if (s->m[i].ifindex == ifindex)
				mcast_srcset_free(&s->m[i].srcs, h->env.al);
			else
				s->m[k++] = s->m[i];
		}
		s->n = k;
		idx_rebuild(s);
	}
	iface_free(ifc);
	return 0;
}

int mcast_host_iface_set_addr(struct mcast_host *h, unsigned ifindex, const struct mcast_addr *addr)
{
	struct hs_iface *ifc = hs_iface_find(h, ifindex);
	if (!ifc)
		return -ENODEV;
	if (!addr_ok(h, addr))
		return -EINVAL;
	ifc->addr = *addr;
	return 0;
}

int mcast_host_iface_set_forwarding(struct mcast_host *h, unsigned ifindex, bool on)
{
	struct hs_iface *ifc = hs_iface_find(h, ifindex);
	if (!ifc)
		return -ENODEV;
	if (ifc->forwarding == on)
		return 0;
	static const char *const r4[] = { "224.0.0.2" }, *const r6[] = { "ff02::2", "ff01::2", "ff05::2" };
	if (h->family == MCAST_AF_INET ? own_joins(ifc, r4, 1, on) : own_joins(ifc, r6, 3, on))
		return -ENOMEM;
	ifc->forwarding = on;
	return 0;
}

/* ---- sockets ------------------------------------------------------------------------ */

struct mcast_host_sock *mcast_host_socket(struct mcast_host *h)
{
	struct mcast_host_sock *s = mcast_alloc_get(h->env.al, sizeof(*s));
	if (!s)
		return NULL;
	memset(s, 0, sizeof(*s));
	s->next = h->socks;
	if (s->next)
		s->next->pprev = &s->next;
	s->pprev = &h->socks;
	h->socks = s;
	return s;
}


/* The interface for a call on (ifindex, g[, src]), or NULL with *rc the error. */
static struct hs_iface *check_args(const struct mcast_host *h, unsigned ifindex, const struct mcast_addr *g,
				   const struct mcast_addr *src, int *rc)
{
	*rc = -EINVAL;
	if (addr_family(g) != h->family || !addr_is_multicast(g))
		return NULL;
	if (src && (addr_family(src) != h->family || !mcast_addr_is_valid_source(src)))
		return NULL;
	struct hs_iface *ifc = hs_iface_find(h, ifindex);
	*rc = ifc ? 0 : -ENODEV;
	return ifc;
}

/*
 * Sets the socket's filter for (ifc, g) to (mode, *nw) — INCLUDE with no
 * source removes the membership — and updates the interface. m is the
 * socket's membership of the group or NULL. The call takes nw: the
 * membership keeps it, or it is freed; the callers build the new list
 * once and it is never copied again.
 */
static int commit(struct mcast_host *h, struct mcast_host_sock *s, struct hs_iface *ifc,
		  struct hs_membership *m, const struct mcast_addr *g, uint64_t hh, enum mcast_filter_mode mode,
		  struct mcast_srcset *nw)
{
	bool leaving = mode == MCAST_MODE_INCLUDE && nw->n == 0;
	bool created = false;
	int rc = 0;
	if (!m && leaving)
		goto drop;
	if (!m) {
		created = true;
		rc = -ENOBUFS;
		if (s->n >= h->cfg.max_memberships)
			goto drop;
		rc = -ENOMEM;
		if (s->n == s->cap) {
			size_t cap = s->cap ? s->cap * 2u : 1u;
			void *p = mcast_alloc_resize(h->env.al, s->m, s->cap * sizeof(*s->m), cap * sizeof(*s->m));
			if (!p)
				goto drop;
			s->m = p;
			s->cap = (uint32_t)cap;
		}
		if (idx_reserve(h, s, (size_t)s->n + 1) < 0)
			goto drop;
		m = &s->m[s->n++];
		memset(m, 0, sizeof(*m));
		m->ifindex = ifc->ifindex;
		m->key = hs_key(hh, ifc->ifindex);
		m->mode = MCAST_MODE_INCLUDE; /* absent: INCLUDE {} (its group comes with the room) */
	}
	struct mcast_srcset old = m->srcs;
	enum mcast_filter_mode om = m->mode;
	/* Everything the change needs before anything changes: the
	 * interface's room (hs_reserve), so hs_change() below cannot fail
	 * half-way and leave the counts behind the filters. */
	struct hs_group *grp = m->grp ? hs_reserve_group(m->grp, old.n, nw->n) : hs_reserve(ifc, g, hh, old.n, nw->n);
	if (!grp) {
		if (created)
			s->n--; /* nothing was committed */
		rc = -ENOMEM;
		goto drop;
	}
	if (created)
		idx_put(s, s->n - 1);
	m->grp = grp;
	m->mode = mode;
	m->srcs = *nw;
	mcast_srcset_init(nw);
	rc = hs_change_group(grp, om, old.v, old.n, mode, m->srcs.v, m->srcs.n, false);
	mcast_srcset_free(&old, h->env.al);
	if (leaving) {
		/* the last membership takes its place, in the index too */
		mcast_srcset_free(&m->srcs, h->env.al);
		uint32_t k = (uint32_t)(m - s->m), last = s->n - 1;
		idx_del(s, k);
		if (k != last) {
			size_t slot = idx_slot_if(s, last);
			*m = s->m[last];
			if (slot != SIZE_MAX)
				s->idx[slot] = k + 1;
		}
		s->n--;
	}
	hs_check_invariants(h);
	return rc;
drop:
	mcast_srcset_free(nw, h->env.al);
	return rc;
}

/* commit() of a filter given as a sorted list without duplicates. */
static int apply(struct mcast_host *h, struct mcast_host_sock *s, struct hs_iface *ifc,
		 struct hs_membership *m, const struct mcast_addr *g, uint64_t hh, enum mcast_filter_mode mode,
		 const struct mcast_addr *srcs, size_t n)
{
	struct mcast_srcset nw;
	mcast_srcset_init(&nw);
	if (mcast_srcset_assign(&nw, h->env.al, srcs, n) < 0)
		return -ENOMEM;
	return commit(h, s, ifc, m, g, hh, mode, &nw);
}

void mcast_host_close(struct mcast_host *h, struct mcast_host_sock *s)
{
	while (s->n) {
		struct hs_membership *m = &s->m[s->n - 1];
		struct mcast_addr g = m->grp->addr;
		apply(h, s, hs_iface_find(h, m->ifindex), m, &g, hs_hash(h, &g), MCAST_MODE_INCLUDE, NULL, 0);
	}
	free_socket_memberships(h, s);
	*s->pprev = s->next;
	if (s->next)
		s->next->pprev = s->pprev;
	mcast_alloc_free(h->env.al, s, sizeof(*s));
}

int mcast_host_join(struct mcast_host *h, struct mcast_host_sock *s, unsigned ifindex,
		    const struct mcast_addr *group)
{
	int rc;
	struct hs_iface *ifc = check_args(h, ifindex, group, NULL, &rc);
	if (!ifc)
		return rc;
	uint64_t hh = hs_hash(h, group);
	if (hs_find_membership(s, ifindex, group, hh))
		return -EADDRINUSE;
	return apply(h, s, ifc, NULL, group, hh, MCAST_MODE_EXCLUDE, NULL, 0);
}

int mcast_host_leave(struct mcast_host *h, struct mcast_host_sock *s, unsigned ifindex,
		     const struct mcast_addr *group)
{
	int rc;
	struct hs_iface *ifc = check_args(h, ifindex, group, NULL, &rc);
	if (!ifc)
		return rc;
	uint64_t hh = hs_hash(h, group);
	struct hs_membership *m = hs_find_membership(s, ifindex, group, hh);
	if (!m)
		return -EADDRNOTAVAIL;
	return apply(h, s, ifc, m, group, hh, MCAST_MODE_INCLUDE, NULL, 0);
}

/* Adds or removes one source of the socket's filter in the given mode. */
static int source_op(struct mcast_host *h, struct mcast_host_sock *s, unsigned ifindex,
		     const struct mcast_addr *group, const struct mcast_addr *source,
		     enum mcast_filter_mode mode, bool add)
{
	int rc;
	struct hs_iface *ifc = check_args(h, ifindex, group, source, &rc);
	if (!ifc)
		return rc;
	/* The errors as Linux's ip_mc_source() gives them (RFC 3678 names
	 * none): EINVAL without a prior join (only a source join makes
	 * one) or for the other mode's call on a filter with sources;
	 * EADDRNOTAVAIL for a source that is not in the filter. */
	uint64_t hh = hs_hash(h, group);
	struct hs_membership *m = hs_find_membership(s, ifindex, group, hh);
	if (!m) {
		if (mode == MCAST_MODE_EXCLUDE || !add)
			return -EINVAL;
		return apply(h, s, ifc, NULL, group, hh, MCAST_MODE_INCLUDE, source, 1);
	}
	if (m->mode != mode) {
		if (m->srcs.n || !add)
			return -EINVAL;         /* ASM call on SSM membership or the reverse */
		/* an empty filter switches mode: a source join on an
		 * any-source membership makes it INCLUDE {source}, as Linux */
		return apply(h, s, ifc, m, group, hh, mode, source, 1);
	}
	long pos = mcast_addrs_find(m->srcs.v, m->srcs.n, source);
	bool has = pos >= 0;
	if (add == has)
		return -EADDRNOTAVAIL;          /* already there, or not there */
	if (add && m->srcs.n >= h->cfg.max_sources)
		return -ENOBUFS;
	if (add || mode == MCAST_MODE_EXCLUDE || m->srcs.n > 1) {
		/* The filter keeps its mode and stays a membership: only this
		 * source's counts move, and the list changes in place (its
		 * room is kept: a block and unblock allocate nothing). All the
		 * room first, so nothing fails half-way. */
		struct hs_group *grp = hs_reserve_group(m->grp, !add, add);
		if (!grp)
			return -ENOMEM;
		if (add && mcast_srcset_reserve(&m->srcs, h->env.al, (size_t)m->srcs.n + 1) < 0) {
			hs_unreserve(grp);
			return -ENOMEM;
		}
		rc = hs_change_sources(grp, mode, source, !add, source, add);
		/* the source in or out at the place the search found */
		size_t at = add ? (size_t)(-pos - 1) : (size_t)pos;
		struct mcast_addr *v = m->srcs.v;
		if (add) {
			memmove(&v[at + 1], &v[at], (m->srcs.n - at) * sizeof(*v));
			v[at] = *source;
			m->srcs.n++;
		} else {
			memmove(&v[at], &v[at + 1], (m->srcs.n - at - 1) * sizeof(*v));
			m->srcs.n--;
		}
		hs_check_invariants(h);
		return rc;
	}
	/* the last source of an INCLUDE filter: the membership leaves */
	return apply(h, s, ifc, m, group, hh, MCAST_MODE_INCLUDE, NULL, 0);
}

int mcast_host_join_source(struct mcast_host *h, struct mcast_host_sock *s, unsigned ifindex,
			   const struct mcast_addr *group, const struct mcast_addr *source)
{
	return source_op(h, s, ifindex, group, source, MCAST_MODE_INCLUDE, true);
}

int mcast_host_leave_source(struct mcast_host *h, struct mcast_host_sock *s, unsigned ifindex,
			    const struct mcast_addr *group, const struct mcast_addr *source)
{
	return source_op(h, s, ifindex, group, source, MCAST_MODE_INCLUDE, false);
}

int mcast_host_block(struct mcast_host *h, struct mcast_host_sock *s, unsigned ifindex,
		     const struct mcast_addr *group, const struct mcast_addr *source)
{
	return source_op(h, s, ifindex, group, source, MCAST_MODE_EXCLUDE, true);
}

int mcast_host_unblock(struct mcast_host *h, struct mcast_host_sock *s, unsigned ifindex,
		       const struct mcast_addr *group, const struct mcast_addr *source)
{
	return source_op(h, s, ifindex, group, source, MCAST_MODE_EXCLUDE, false);
}

int mcast_host_set_filter(struct mcast_host *h, struct mcast_host_sock *s, unsigned ifindex,
			  const struct mcast_addr *group, enum mcast_filter_mode mode,
			  const struct mcast_addr *srcs, size_t n)
{
	int rc;
	struct hs_iface *ifc = check_args(h, ifindex, group, NULL, &rc);
	if (!ifc)
		return rc;
	uint64_t hh = hs_hash(h, group);
	if (mode != MCAST_MODE_INCLUDE && mode != MCAST_MODE_EXCLUDE)
		return -EINVAL;
	if (n > h->cfg.max_sources)
		return -ENOBUFS;
	for (size_t i = 0; i < n; i++)
		if (addr_family(&srcs[i]) != h->family || !mcast_addr_is_valid_source(&srcs[i]))
			return -EINVAL;
	struct hs_membership *m = hs_find_membership(s, ifc->ifindex, group, hh);
	if (mode == MCAST_MODE_INCLUDE && n == 0 && !m)
		return -EADDRNOTAVAIL;
	/* the new list, made once: the caller's, sorted, duplicates out */
	struct mcast_srcset t;
	mcast_srcset_init(&t);
	if (n) {
		if (mcast_srcset_assign(&t, h->env.al, srcs, n) < 0)
			return -ENOMEM;
		t.n = (uint32_t)mcast_addrs_normalize(t.v, t.n);
	}
	return commit(h, s, ifc, m, group, hh, mode, &t);
}

int mcast_host_get_filter(const struct mcast_host *h, const struct mcast_host_sock *s,
			  unsigned ifindex, const struct mcast_addr *group,
			  enum mcast_filter_mode *mode, struct mcast_addr *srcs, size_t cap, size_t *n)
{
	const struct hs_membership *m = hs_find_membership(s, ifindex, group, hs_hash(h, group));
	if (!m)
		return -EADDRNOTAVAIL;
	*mode = m->mode;
	*n = m->srcs.n;
	if (m->srcs.n && cap)
		memcpy(srcs, m->srcs.v, (m->srcs.n < cap ? m->srcs.n : cap) * sizeof(*srcs));
	return 0;
}

bool mcast_host_delivers(const struct mcast_host *h, unsigned ifindex,
			 const struct mcast_addr *source, const struct mcast_addr *group)
{
	uint64_t hh = hs_hash(h, group);
	for (const struct mcast_host_sock *s = h->socks; s; s = s->next) {
		const struct hs_membership *m = hs_find_membership(s, ifindex, group, hh);
		if (!m)
			continue;
		bool listed = mcast_srcset_has(&m->srcs, source);
		if (m->mode == MCAST_MODE_INCLUDE ? listed : !listed)
			return true;
	}
	return false;
}

void mcast_host_input(struct mcast_host *h, unsigned ifindex, const uint8_t *pkt, size_t len)
{
	struct hs_iface *ifc = hs_iface_find(h, ifindex);
	if (!ifc)
		return;
	struct mcast_ip_info ip;
	enum mcast_drop why = mcast_ip_parse(pkt, len, &ip);
	if (why != MCAST_DROP_NONE) {
		hs_dropped(ifc, NULL, why);
		return;
	}
	hs_input(ifc, &ip);
	hs_check_invariants(h);
}

int mcast_host_iface_state(const struct mcast_host *h, unsigned ifindex,
			   const struct mcast_addr *group, enum mcast_filter_mode *mode,
			   struct mcast_addr *srcs, size_t cap, size_t *n)
{
	const struct hs_iface *ifc = hs_iface_find(h, ifindex);
	if (!ifc)
		return -ENODEV;
	const struct hs_group *g = hs_group_find(ifc, group);
	size_t k;
	enum mcast_filter_mode m;
	if (!g || !hs_state(g, &m, h->tmp, &k))
		return -ENOENT;
	if (mode)
		*mode = m;
	if (n)
		*n = k;
	if (srcs && cap)
		memcpy(srcs, h->tmp, (k < cap ? k : cap) * sizeof(*srcs));
	return 0;
}

int mcast_host_version(const struct mcast_host *h, unsigned ifindex)
{
	const struct hs_iface *ifc = hs_iface_find(h, ifindex);
	if (!ifc)
		return -ENODEV;
	return h->family == MCAST_AF_INET ? ifc->level : ifc->level - 1;
}

const struct mcast_host_stats *mcast_host_stats(const struct mcast_host *h, unsigned ifindex)
{
	const struct hs_iface *ifc = hs_iface_find(h, ifindex);
	return ifc ? &ifc->stats : NULL;
}

int mcast_host_querier(const struct mcast_host *h, unsigned ifindex, struct mcast_addr *addr,
		       mcast_time_ms *ago)
{
	const struct hs_iface *ifc = hs_iface_find(h, ifindex);
	if (!ifc)
		return -ENODEV;
	if (!ifc->querier_ms)
		return -ENOENT;
	*addr = ifc->querier;
	if (ago) {
		mcast_time_ms now = hs_now(h);
		*ago = now > ifc->querier_ms ? now - ifc->querier_ms : 0;
	}
	return 0;
}
