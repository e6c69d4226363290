/*
 * DOC: routing logic
 *
 * Desired state, kept apart from the table (as smcroute keeps conf_list
 * apart from kern_list): for each group, the (S,G) entries installed
 * because traffic arrived, with their incoming VIF and packet count at
 * the last check; and the static routes. An entry's outputs are always
 * recomputed from the router engine (mcast_router_wants) and the static
 * routes, never patched, so that a membership change, an interface
 * change and a cache miss all give the same answer.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mcast/routing.h"
#include "core/addr.h"

struct rg_entry {
	struct mcast_addr source;
	uint16_t iif;
	uint64_t last_pkts;
	mcast_time_ms active_ms;    /* when its packet count last moved */
};

struct rg_group {
	struct mcast_hnode node;
	struct mcast_addr group;
	uint32_t n, cap;
	struct rg_entry *e;
};

struct rg_iface {
	bool used;
	unsigned ifindex;
	uint16_t vif;                   /* MCAST_MR_NO_VIF: none now (on demand) */
	uint8_t threshold;
	enum mcast_routing_role role;
	unsigned domain;
	bool pinned, waiting;           /* on demand: keeps its VIF; needs one none is free for */
	char name[16];
};

struct rg_static {
	struct mcast_addr source, group;
	unsigned in;
	size_t n;
	unsigned out[64];
};

struct rg_member {                      /* a static group: a listener always there */
	unsigned ifindex;
	struct mcast_addr group, source; /* source any: every source */
};

struct mcast_routing {
	struct mcast_routing_env env;
	struct mcast_routing_config cfg;
	struct mcast_mr_table *table;
	const struct mcast_router *router;
	struct mcast_mr_owner owner;
	struct mcast_htab groups;
	struct rg_iface *ifaces;
	size_t nifaces, ifcap;
	struct rg_static *statics;
	size_t nstatics, scap;
	struct rg_member *members;
	size_t nmembers, mcap;
	struct mcast_timer timer;
	struct mcast_timer rebalance;   /* on demand: idle VIFs given back, at the next turn */
	struct mcast_routing_stats stats;
	bool stale;                     /* an update failed (no memory): the next check rewrites all */
};

void mcast_routing_config_default(struct mcast_routing_config *c)
{
	*c = (struct mcast_routing_config){ .idle_ms = 210000, .check_ms = 10000 };
}

static const struct mcast_addr *any_of(const struct mcast_routing *rt)
{
	return mcast_mr_family(rt->table) == MCAST_AF_INET ? &mcast_addr_any4 : &mcast_addr_any6;
}

static struct rg_iface *iface_by_index(struct mcast_routing *rt, unsigned ifindex)
{
	for (size_t i = 0; i < rt->nifaces; i++)
		if (rt->ifaces[i].used && rt->ifaces[i].ifindex == ifindex)
			return &rt->ifaces[i];
	return NULL;
}

static struct rg_iface *iface_by_vif(struct mcast_routing *rt, uint16_t vif)
{
	for (size_t i = 0; vif != MCAST_MR_NO_VIF && i < rt->nifaces; i++)
		if (rt->ifaces[i].used && rt->ifaces[i].vif == vif)
			return &rt->ifaces[i];
	return NULL;
}

static struct rg_group *group_find(const struct mcast_routing *rt, const struct mcast_addr *g)
{
	uint64_t h = mcast_addr_hash(g, rt->env.hash_seed);
	for (struct mcast_hnode *n = mcast_htab_first(&rt->groups, h); n; n = mcast_htab_next(n)) {
		struct rg_group *x = mcast_container_of(n, struct rg_group, node);
		if (mcast_addr_eq(&x->group, g))
			return x;
	}
	return NULL;
}

/* Doubles an array of elem-sized items (first: its first size); the
 * array stays as it was when memory is out (-ENOMEM). */
static int grow(struct mcast_routing *rt, void **arr, size_t *cap, size_t elem, size_t first)
{
	size_t n = *cap ? *cap * 2 : first;
	void *p = mcast_alloc_resize(rt->env.al, *arr, *cap * elem, n * elem);
	if (!p)
		return -ENOMEM;
	*arr = p;
	*cap = n;
	return 0;
}

static void add_oif(struct mcast_mfc_oif *o, size_t *n, uint16_t vif, uint8_t ttl)
{
	for (size_t i = 0; i < *n; i++)
		if (o[i].vif == vif)
			return;
	o[(*n)++] = (struct mcast_mfc_oif){ vif, ttl ? ttl : 1 };
}

/*
 * Does output x get (S,G) arriving on in? A router interface: when its
 * link wants (S,G). Proxy instances (RFC 4605 4.2) keep to their own
 * domain: the upstream gets everything that arrives on a downstream;
 * a downstream gets what its link wants, and only while this router is
 * the querier there, so that two proxies on one LAN do not both send.
 */
static bool static_member(const struct mcast_routing *rt, unsigned ifindex, const struct mcast_addr *s,
			  const struct mcast_addr *g)
{
	for (size_t i = 0; i < rt->nmembers; i++) {
		const struct rg_member *m = &rt->members[i];
		if (m->ifindex == ifindex && mcast_addr_eq(&m->group, g) &&
		    (mcast_addr_is_unspecified(&m->source) || mcast_addr_eq(&m->source, s)))
			return true;
	}
	return false;
}

/* detail: tell "no listener" from "source not wanted" (a lookup more,
 * for explain only). */
static enum mcast_why oif_why(const struct mcast_routing *rt, const struct rg_iface *in,
			      const struct rg_iface *x, const struct mcast_addr *s, const struct mcast_addr *g,
			      bool detail)
{
	unsigned dom = in ? in->domain : 0;
	if (x->domain != dom)
		return MCAST_WHY_OTHER_DOMAIN;
	if (x->role == MCAST_ROUTING_UPSTREAM)
		return in && in->role == MCAST_ROUTING_DOWNSTREAM ? MCAST_WHY_PROXY_UPSTREAM
								   : MCAST_WHY_UPSTREAM_ONLY_DOWN;
	/* a static group is a listener that is always there */
	if (rt->nmembers && static_member(rt, x->ifindex, s, g))
		return MCAST_WHY_STATIC_GROUP;
	if (!rt->router || !mcast_router_wants(rt->router, x->ifindex, s, g)) {
		struct mcast_router_group_info gi;
		return detail && rt->router && mcast_router_group(rt->router, x->ifindex, g, &gi, NULL, 0) == 0
			       ? MCAST_WHY_SOURCE_NOT_WANTED
			       : MCAST_WHY_NO_LISTENER;
	}
	if (x->role == MCAST_ROUTING_DOWNSTREAM) {
		struct mcast_router_iface_info info;
		/* as querier, or with querier off and no querier heard */
		if (mcast_router_iface_info(rt->router, x->ifindex, &info) < 0 ||
		    !(info.querier || mcast_addr_is_unspecified(&info.querier_addr)))
			return MCAST_WHY_NOT_QUERIER;
	}
	return MCAST_WHY_MEMBERS;
}

static bool oif_wants(const struct mcast_routing *rt, const struct rg_iface *in,
		      const struct rg_iface *x, const struct mcast_addr *s, const struct mcast_addr *g)
{
	return mcast_why_forwards(oif_why(rt, in, x, s, g, false));
}

/* Every interface but the incoming one that should have (S,G), and the
 * static routes that match. */
static size_t compute_oifs(struct mcast_routing *rt, const struct mcast_addr *s,
			   const struct mcast_addr *g, uint16_t iif, struct mcast_mfc_oif *o)
{
	size_t n = 0;
	const struct rg_iface *in = iface_by_vif(rt, iif);
	for (size_t i = 0; i < rt->nifaces; i++) {
		const struct rg_iface *x = &rt->ifaces[i];
		if (!x->used || x->vif == iif || x->vif == MCAST_MR_NO_VIF)
			continue;
		if (oif_wants(rt, in, x, s, g))
			add_oif(o, &n, x->vif, x->threshold);
	}
	for (size_t k = 0; in && k < rt->nstatics; k++) {
		const struct rg_static *st = &rt->statics[k];
		if (st->in != in->ifindex || !mcast_addr_eq(&st->group, g) ||
		    !(mcast_addr_eq(&st->source, any_of(rt)) || mcast_addr_eq(&st->source, s)))
			continue;
		for (size_t j = 0; j < st->n; j++) {
			const struct rg_iface *x = iface_by_index(rt, st->out[j]);
			if (x && x->vif != iif && x->vif != MCAST_MR_NO_VIF)
				add_oif(o, &n, x->vif, x->threshold);
		}
	}
	return n;
}

static int cmp_oif(const void *a, const void *b)
{
	const struct mcast_mfc_oif *x = a, *y = b;
	return (x->vif > y->vif) - (x->vif < y->vif);
}

/* Installs (S,G) with its outputs unless the table already has exactly
 * those. 0 or the table's -errno (the table is then as it was). */
static int install(struct mcast_routing *rt, const struct mcast_addr *s, const struct mcast_addr *g,
		   uint16_t iif, bool update)
{
	struct mcast_mfc_oif o[1024], cur[1024];
	size_t n = compute_oifs(rt, s, g, iif, o), ncur;
	uint16_t cur_iif;
	qsort(o, n, sizeof(*o), cmp_oif);
	if (mcast_mr_mfc_get(rt->table, s, g, &cur_iif, NULL, cur, 1024, &ncur) == 0 && cur_iif == iif &&
	    ncur == n && (n == 0 || memcmp(cur, o, n * sizeof(*o)) == 0))
		return 0;
	struct mcast_mfc_params p = { .source = *s, .group = *g, .iif = iif, .oifs = o, .noifs = n };
	int rc = mcast_mr_mfc_add(rt->table, &rt->owner, &p);
	if (rc < 0) {
		rt->stats.errors++;
		/* an entry that stays as it was is written again at the next
		 * check (check_timer) */
		if (update)
			rt->stale = true;
		return rc;
	}
	rt->stats.installed++;
	if (update)
		rt->stats.updated++;
	char a[MCAST_ADDR_STRLEN], b[MCAST_ADDR_STRLEN];
	mcast_logf(rt->env.log, MCAST_LOG_DEBUG, MCAST_D_ROUTES, "(%s, %s) iif vif %u, %zu outputs",
		   mcast_addr_str(s, a), mcast_addr_str(g, b), iif, n);
	return 0;
}

void mcast_routing_upcall(struct mcast_routing *rt, const struct mcast_upcall *u)
{
	if (u->type == MCAST_UPCALL_WRONGVIF) {
		rt->stats.wrongvif++;
		return;
	}
	if (u->type != MCAST_UPCALL_NOCACHE || !iface_by_vif(rt, u->vif))
		return;
	rt->stats.nocache++;
	/* Whole or nothing: the group and the entry's room first, then the
	 * table; a table that refuses takes back what was added here. */
	struct rg_group *g = group_find(rt, &u->group);
	bool new_group = !g;
	if (new_group) {
		g = mcast_alloc_get(rt->env.al, sizeof(*g));
		if (!g) {
			rt->stats.errors++;
			return;
		}
		memset(g, 0, sizeof(*g));
		g->group = u->group;
	}
	struct rg_entry *e = NULL;
	for (uint32_t i = 0; i < g->n; i++)
		if (mcast_addr_eq(&g->e[i].source, &u->source))
			e = &g->e[i];
	bool new_entry = !e;
	if (new_entry && g->n == g->cap) {
		size_t cap = g->cap ? g->cap * 2u : 2u;
		void *p = mcast_alloc_resize(rt->env.al, g->e, g->cap * sizeof(*g->e), cap * sizeof(*g->e));
		if (!p) {
			if (new_group)
				mcast_alloc_free(rt->env.al, g, sizeof(*g));
			rt->stats.errors++;
			return;
		}
		g->e = p;
		g->cap = (uint32_t)cap;
	}
	struct rg_entry saved = e ? *e : (struct rg_entry){ 0 };
	if (new_entry) {
		e = &g->e[g->n++];
		memset(e, 0, sizeof(*e));
		e->source = u->source;
	}
	e->iif = u->vif;
	e->last_pkts = 0;
	e->active_ms = rt->env.wheel->now_ms;
	if (install(rt, &u->source, &u->group, u->vif, false) < 0) {
		if (new_entry)
			g->n--;
		else
			*e = saved;
		if (new_group) {
			mcast_alloc_free(rt->env.al, g->e, g->cap * sizeof(*g->e));
			mcast_alloc_free(rt->env.al, g, sizeof(*g));
		}
		return;
	}
	if (new_group)
		mcast_htab_insert(&rt->groups, &g->node, mcast_addr_hash(&u->group, rt->env.hash_seed));
}

static void reinstall_group(struct mcast_hnode *n, void *arg)
{
	struct mcast_routing *rt = arg;
	struct rg_group *g = mcast_container_of(n, struct rg_group, node);
	for (uint32_t i = 0; i < g->n; i++)
		install(rt, &g->e[i].source, &g->group, g->e[i].iif, true);
}

/* A static route's entry with the outputs that have VIFs now. 0, -ENFILE
 * when its input has none (on demand: it waits), or the table's -errno. */
static int static_install(struct mcast_routing *rt, const struct rg_static *st)
{
	const struct rg_iface *x = iface_by_index(rt, st->in);
	if (!x || x->vif == MCAST_MR_NO_VIF)
		return -ENFILE;
	struct mcast_mfc_oif o[64];
	size_t k = 0;
	for (size_t i = 0; i < st->n; i++) {
		const struct rg_iface *y = iface_by_index(rt, st->out[i]);
		if (y && y->vif != x->vif && y->vif != MCAST_MR_NO_VIF)
			add_oif(o, &k, y->vif, y->threshold);
	}
	struct mcast_mfc_params p = { .source = st->source, .group = st->group, .iif = x->vif, .oifs = o, .noifs = k };
	return mcast_mr_mfc_add(rt->table, &rt->owner, &p);
}

/* After VIF numbers changed: every entry with the outputs of now. */
static void reinstall_all(struct mcast_routing *rt)
{
	mcast_htab_walk_safe(&rt->groups, reinstall_group, rt);
	for (size_t k = 0; k < rt->nstatics; k++) {
		int rc = static_install(rt, &rt->statics[k]);
		if (rc < 0 && rc != -ENFILE)
			rt->stats.errors++;
	}
}

/* ---- VIFs on demand --------------------------------------------------------- */

/* Gives x the lowest free VIF. 0, or -ENFILE when none is free (x then
 * waits: counted and said once per wait), or the table's -errno. */
static int vif_take(struct mcast_routing *rt, struct rg_iface *x)
{
	if (x->vif != MCAST_MR_NO_VIF)
		return 0;
	struct mcast_vif_config c = { .ifindex = x->ifindex, .threshold = x->threshold };
	snprintf(c.name, sizeof(c.name), "%s", x->name);
	int rc = -ENFILE;
	for (uint16_t vif = 0; rc == -ENFILE || rc == -EADDRINUSE; vif++) {
		if (vif >= MCAST_MR_NO_VIF)
			break;
		bool taken = false;
		for (size_t i = 0; i < rt->nifaces && !taken; i++)
			taken = rt->ifaces[i].used && rt->ifaces[i].vif == vif;
		if (taken)
			continue;
		rc = mcast_mr_vif_add(rt->table, &rt->owner, vif, &c);
		if (rc == 0)
			x->vif = vif;
		else if (rc == -ENFILE)
			break; /* beyond the table's last VIF: none free */
	}
	if (rc == -ENFILE) {
		if (!x->waiting) {
			x->waiting = true;
			rt->stats.vif_waits++;
			mcast_logf(rt->env.log, MCAST_LOG_WARNING, MCAST_D_ROUTES,
				   "%s: needs a VIF and none is free; it forwards when one frees", x->name);
		}
		return rc;
	}
	if (rc == 0) {
		x->waiting = false;
		mcast_logf(rt->env.log, MCAST_LOG_INFO, MCAST_D_ROUTES, "%s: VIF %u taken", x->name, x->vif);
		reinstall_all(rt); /* entries may now send to it (or come in on it) */
	}
	return rc;
}

/* The VIFs that are the input of a live entry: one walk of the groups.
 * (64 words: 4096 VIFs; the kernel has 32, MAXVIFS.) */
struct iif_use {
	uint64_t bits[64];
};

static void iif_in_group(struct mcast_hnode *n, void *arg)
{
	struct iif_use *u = arg;
	const struct rg_group *g = mcast_container_of(n, struct rg_group, node);
	for (uint32_t i = 0; i < g->n; i++)
		if (g->e[i].iif < 64 * 64)
			u->bits[g->e[i].iif / 64] |= 1ull << (g->e[i].iif % 64);
}

/* Has x anything to forward (or to receive, for an entry)? u: the inputs
 * in use, or NULL when x has no VIF. */
static bool vif_needed(struct mcast_routing *rt, const struct rg_iface *x, const struct iif_use *u)
{
	if (x->pinned)
		return true;
	struct mcast_router_iface_info info;
	if (rt->router && mcast_router_iface_info(rt->router, x->ifindex, &info) == 0 && info.groups)
		return true;
	for (size_t i = 0; i < rt->nmembers; i++)
		if (rt->members[i].ifindex == x->ifindex)
			return true;
	for (size_t k = 0; k < rt->nstatics; k++) {
		const struct rg_static *st = &rt->statics[k];
		if (st->in == x->ifindex)
			return true;
		for (size_t j = 0; j < st->n; j++)
			if (st->out[j] == x->ifindex)
				return true;
	}
	return u && x->vif < 64 * 64 && (u->bits[x->vif / 64] >> (x->vif % 64) & 1);
}

/* Idle interfaces give their VIFs back; waiting ones take them. */
static void vifs_rebalance(struct mcast_routing *rt)
{
	if (!rt->cfg.vifs_on_demand)
		return;
	bool freed = false, candidates = false;
	for (size_t i = 0; i < rt->nifaces && !candidates; i++)
		candidates = rt->ifaces[i].used && rt->ifaces[i].vif != MCAST_MR_NO_VIF &&
			     !vif_needed(rt, &rt->ifaces[i], NULL);
	struct iif_use u = { { 0 } };
	if (candidates) /* the inputs in use: one walk of the entries */
		mcast_htab_walk(&rt->groups, iif_in_group, &u);
	for (size_t i = 0; i < rt->nifaces; i++) {
		struct rg_iface *x = &rt->ifaces[i];
		if (!x->used || x->vif == MCAST_MR_NO_VIF || vif_needed(rt, x, &u))
			continue;
		mcast_logf(rt->env.log, MCAST_LOG_INFO, MCAST_D_ROUTES, "%s: idle, VIF %u given back", x->name, x->vif);
		mcast_mr_vif_del(rt->table, &rt->owner, x->vif);
		x->vif = MCAST_MR_NO_VIF;
		rt->stats.vifs_released++;
		freed = true;
	}
	if (freed)
		reinstall_all(rt);
	for (size_t i = 0; i < rt->nifaces; i++) {
		struct rg_iface *x = &rt->ifaces[i];
		if (x->used && x->vif == MCAST_MR_NO_VIF && (x->waiting || x->pinned) && vif_needed(rt, x, NULL) &&
		    vif_take(rt, x) == -ENFILE)
			break;
		if (x->used && x->vif == MCAST_MR_NO_VIF && x->waiting && !vif_needed(rt, x, NULL))
			x->waiting = false; /* no longer needs one */
	}
}

/* On demand: an interface about to forward takes a VIF first. */
static void vif_for(struct mcast_routing *rt, unsigned ifindex)
{
	struct rg_iface *x = rt->cfg.vifs_on_demand ? iface_by_index(rt, ifindex) : NULL;
	if (x && x->vif == MCAST_MR_NO_VIF)
		vif_take(rt, x);
}

void mcast_routing_fwd_change(void *ctx, unsigned ifindex, const struct mcast_addr *group,
			      const struct mcast_addr *source, enum mcast_fwd old, enum mcast_fwd now)
{
	(void)source;
	(void)old;
	struct mcast_routing *rt = ctx;
	if (rt->cfg.vifs_on_demand) {
		struct rg_iface *x = iface_by_index(rt, ifindex);
		if (x && now != MCAST_FWD_NONE && x->vif == MCAST_MR_NO_VIF) {
			vif_take(rt, x); /* (reinstalls every group when it gets one) */
			return;
		}
		/* its last group going (the group itself may go right after
		 * this call): look again once this turn is over */
		struct mcast_router_iface_info info;
		if (x && now == MCAST_FWD_NONE && x->vif != MCAST_MR_NO_VIF && !x->pinned && rt->router &&
		    mcast_router_iface_info(rt->router, ifindex, &info) == 0 && info.groups <= 1 &&
		    !mcast_timer_armed(&rt->rebalance))
			mcast_timer_start(rt->env.wheel, &rt->rebalance, rt->env.wheel->now_ms);
	}
	struct rg_group *g = group_find(rt, group);
	for (uint32_t i = 0; g && i < g->n; i++)
		install(rt, &g->e[i].source, group, g->e[i].iif, true);
}

int mcast_routing_iface_pin(struct mcast_routing *rt, unsigned ifindex, bool pin)
{
	struct rg_iface *x = iface_by_index(rt, ifindex);
	if (!x)
		return -ENODEV;
	x->pinned = pin;
	if (pin)
		vif_take(rt, x);
	else
		vifs_rebalance(rt);
	return 0;
}

int mcast_routing_iface_vif(const struct mcast_routing *rt, unsigned ifindex, bool *waiting)
{
	for (size_t i = 0; i < rt->nifaces; i++)
		if (rt->ifaces[i].used && rt->ifaces[i].ifindex == ifindex) {
			if (waiting)
				*waiting = rt->ifaces[i].waiting;
			return rt->ifaces[i].vif;
		}
	return -ENODEV;
}

static void group_free(struct mcast_routing *rt, struct rg_group *g)
{
	mcast_htab_remove(&rt->groups, &g->node);
	mcast_alloc_free(rt->env.al, g->e, g->cap * sizeof(*g->e));
	mcast_alloc_free(rt->env.al, g, sizeof(*g));
}

struct sweep_arg {
	struct mcast_routing *rt;
	int vif;                         /* remove entries through it; -1: idle check */
};

/* Removes idle entries, or those arriving on a VIF that went. */
static void sweep_group(struct mcast_hnode *n, void *arg)
{
	struct sweep_arg *a = arg;
	struct mcast_routing *rt = a->rt;
	struct rg_group *g = mcast_container_of(n, struct rg_group, node);
	mcast_time_ms now = rt->env.wheel->now_ms;
	uint32_t k = 0;
	for (uint32_t i = 0; i < g->n; i++) {
		struct rg_entry *e = &g->e[i];
		struct mcast_mfc_stats st;
		bool gone = mcast_mr_mfc_get(rt->table, &e->source, &g->group, NULL, &st, NULL, 0, NULL) != 0;
		bool drop = gone || (a->vif >= 0 && e->iif == (uint16_t)a->vif);
		if (!drop && a->vif < 0) {
			if (st.pkts != e->last_pkts) {
				e->last_pkts = st.pkts;
				e->active_ms = now;
			} else if (now - e->active_ms >= rt->cfg.idle_ms) {
				drop = true;
			}
		}
		if (drop) {
			if (!gone)
				mcast_mr_mfc_del(rt->table, &rt->owner, &e->source, &g->group);
			rt->stats.removed++;
			continue;
		}
		g->e[k++] = *e;
	}
	g->n = k;
	if (!g->n)
		group_free(rt, g);
}

static void rebalance_timer(struct mcast_timer *t, void *arg)
{
	(void)t;
	vifs_rebalance(arg);
}

static void check_timer(struct mcast_timer *t, void *arg)
{
	struct mcast_routing *rt = arg;
	struct sweep_arg a = { rt, -1 };
	mcast_htab_walk_safe(&rt->groups, sweep_group, &a);
	if (rt->stale) {
		rt->stale = false; /* set again by a write that fails again */
		mcast_htab_walk_safe(&rt->groups, reinstall_group, rt);
	}
	vifs_rebalance(rt);
	mcast_timer_start(rt->env.wheel, t, rt->env.wheel->now_ms + rt->cfg.check_ms);
}

static void on_upcall(void *ctx, const struct mcast_upcall *u)
{
	mcast_routing_upcall(ctx, u);
}

struct mcast_routing *mcast_routing_create(const struct mcast_routing_env *env,
					   const struct mcast_routing_config *cfg,
					   struct mcast_mr_table *table, const struct mcast_router *router)
{
	struct mcast_routing *rt = mcast_alloc_get(env->al, sizeof(*rt));
	if (!rt)
		return NULL;
	memset(rt, 0, sizeof(*rt));
	rt->env = *env;
	if (cfg)
		rt->cfg = *cfg;
	else
		mcast_routing_config_default(&rt->cfg);
	rt->table = table;
	rt->router = router;
	rt->owner = (struct mcast_mr_owner){ on_upcall, rt };
	if (mcast_htab_init(&rt->groups, env->al, 64) < 0 || mcast_mr_init(table, &rt->owner) < 0) {
		mcast_htab_free(&rt->groups);
		mcast_alloc_free(env->al, rt, sizeof(*rt));
		return NULL;
	}
	mcast_timer_init(&rt->timer, check_timer, rt);
	mcast_timer_init(&rt->rebalance, rebalance_timer, rt);
	mcast_timer_start(env->wheel, &rt->timer, env->wheel->now_ms + rt->cfg.check_ms);
	return rt;
}

static void free_group_node(struct mcast_hnode *n, void *arg)
{
	group_free(arg, mcast_container_of(n, struct rg_group, node));
}

void mcast_routing_destroy(struct mcast_routing *rt)
{
	if (!rt)
		return;
	mcast_mr_done(rt->table, &rt->owner);
	mcast_timer_stop(rt->env.wheel, &rt->timer);
	mcast_timer_stop(rt->env.wheel, &rt->rebalance);
	mcast_htab_walk_safe(&rt->groups, free_group_node, rt);
	mcast_htab_free(&rt->groups);
	mcast_alloc_free(rt->env.al, rt->ifaces, rt->ifcap * sizeof(*rt->ifaces));
	mcast_alloc_free(rt->env.al, rt->statics, rt->scap * sizeof(*rt->statics));
	mcast_alloc_free(rt->env.al, rt->members, rt->mcap * sizeof(*rt->members));
	mcast_alloc_free(rt->env.al, rt, sizeof(*rt));
}

int mcast_routing_iface_add(struct mcast_routing *rt, unsigned ifindex, const char *name,
			    uint8_t threshold)
{
	if (iface_by_index(rt, ifindex))
		return -EEXIST;
	/* room for it first: the table then takes the VIF or nothing changed */
	size_t at = 0;
	while (at < rt->nifaces && rt->ifaces[at].used)
		at++;
	if (at == rt->ifcap && grow(rt, (void **)&rt->ifaces, &rt->ifcap, sizeof(*rt->ifaces), 8) < 0)
		return -ENOMEM;
	struct rg_iface x = { .used = true, .ifindex = ifindex, .vif = MCAST_MR_NO_VIF,
			      .threshold = threshold ? threshold : 1, .role = MCAST_ROUTING_ROUTER };
	snprintf(x.name, sizeof(x.name), "%s", name ? name : "");
	if (rt->cfg.vifs_on_demand) {
		/* known now, a VIF when it has something to forward */
		struct rg_iface *slot = &rt->ifaces[at];
		*slot = x;
		if (at == rt->nifaces)
			rt->nifaces++;
		if (vif_needed(rt, slot, NULL))
			vif_take(rt, slot);
		return 0;
	}
	/* The lowest free VIF number. */
	uint16_t vif = 0;
	for (bool clash = true; clash;) {
		clash = false;
		for (size_t i = 0; i < rt->nifaces; i++)
			if (rt->ifaces[i].used && rt->ifaces[i].vif == vif) {
				vif++;
				clash = true;
			}
	}
	struct mcast_vif_config c = { .ifindex = ifindex, .threshold = x.threshold };
	snprintf(c.name, sizeof(c.name), "%s", x.name);
	int rc = mcast_mr_vif_add(rt->table, &rt->owner, vif, &c);
	if (rc < 0)
		return rc;
	x.vif = vif;
	rt->ifaces[at] = x;
	if (at == rt->nifaces)
		rt->nifaces++;
	/* Entries waiting for this interface may now send to it. */
	mcast_htab_walk_safe(&rt->groups, reinstall_group, rt);
	return 0;
}

int mcast_routing_iface_set_role(struct mcast_routing *rt, unsigned ifindex,
				 enum mcast_routing_role role, unsigned domain)
{
	struct rg_iface *x = iface_by_index(rt, ifindex);
	if (!x)
		return -ENODEV;
	if (role > MCAST_ROUTING_DOWNSTREAM || (role == MCAST_ROUTING_ROUTER) != (domain == 0))
		return -EINVAL;
	if (role == MCAST_ROUTING_UPSTREAM)
		for (size_t i = 0; i < rt->nifaces; i++) {
			const struct rg_iface *y = &rt->ifaces[i];
			if (y->used && y != x && y->domain == domain && y->role == MCAST_ROUTING_UPSTREAM)
				return -EEXIST;
		}
	if (x->role == role && x->domain == domain)
		return 0;
	x->role = role;
	x->domain = domain;
	mcast_routing_refresh(rt);
	return 0;
}

void mcast_routing_refresh(struct mcast_routing *rt)
{
	mcast_htab_walk_safe(&rt->groups, reinstall_group, rt);
}

int mcast_routing_iface_del(struct mcast_routing *rt, unsigned ifindex)
{
	struct rg_iface *x = iface_by_index(rt, ifindex);
	if (!x)
		return -ENODEV;
	if (x->vif != MCAST_MR_NO_VIF) {
		struct sweep_arg a = { rt, x->vif };
		mcast_htab_walk_safe(&rt->groups, sweep_group, &a);
		mcast_mr_vif_del(rt->table, &rt->owner, x->vif);
	}
	x->used = false;
	x->vif = MCAST_MR_NO_VIF;
	/* its static groups go with it (the caller adds them again) */
	for (size_t i = 0; i < rt->nmembers;)
		if (rt->members[i].ifindex == ifindex)
			rt->members[i] = rt->members[--rt->nmembers];
		else
			i++;
	vifs_rebalance(rt); /* its VIF may be what another waits for */
	return 0;
}

int mcast_routing_static_add(struct mcast_routing *rt, unsigned in, const struct mcast_addr *source,
			     const struct mcast_addr *group, const unsigned *out, size_t n)
{
	const struct rg_iface *x = iface_by_index(rt, in);
	if (!x)
		return -ENODEV;
	if (n > 64 || addr_family(group) != mcast_mr_family(rt->table) ||
	    addr_family(source) != mcast_mr_family(rt->table) || !addr_is_multicast(group))
		return -EINVAL;
	for (size_t i = 0; i < n; i++)
		if (!iface_by_index(rt, out[i]))
			return -ENODEV;
	if (rt->nstatics == rt->scap && grow(rt, (void **)&rt->statics, &rt->scap, sizeof(*rt->statics), 4) < 0)
		return -ENOMEM;
	struct rg_static *st = &rt->statics[rt->nstatics];
	memset(st, 0, sizeof(*st));
	st->source = *source;
	st->group = *group;
	st->in = in;
	st->n = n;
	memcpy(st->out, out, n * sizeof(*out));
	rt->nstatics++;
	vif_for(rt, in); /* on demand: the route's interfaces take VIFs */
	for (size_t i = 0; i < n; i++)
		vif_for(rt, out[i]);
	/* Installed at once: (S,G) or (*,G) with the route's outputs; on
	 * demand, when the input interface waits for a VIF, it stays here
	 * and is installed when that interface gets one. */
	int rc = static_install(rt, st);
	if (rc == -ENFILE)
		return 0;
	if (rc < 0) {
		rt->nstatics--;
		return rc;
	}
	rt->stats.installed++;
	return 0;
}

int mcast_routing_static_del(struct mcast_routing *rt, const struct mcast_addr *source,
			     const struct mcast_addr *group)
{
	for (size_t i = 0; i < rt->nstatics; i++) {
		struct rg_static *st = &rt->statics[i];
		if (mcast_addr_eq(&st->source, source) && mcast_addr_eq(&st->group, group)) {
			mcast_mr_mfc_del(rt->table, &rt->owner, source, group);
			*st = rt->statics[--rt->nstatics];
			vifs_rebalance(rt);
			return 0;
		}
	}
	return -ENOENT;
}

int mcast_routing_static_group(struct mcast_routing *rt, unsigned ifindex, const struct mcast_addr *group,
			       const struct mcast_addr *source, bool add)
{
	if (!iface_by_index(rt, ifindex))
		return -ENODEV;
	if (addr_family(group) != mcast_mr_family(rt->table) || !addr_is_multicast(group) ||
	    addr_family(source) != mcast_mr_family(rt->table))
		return -EINVAL;
	size_t i = 0;
	while (i < rt->nmembers &&
	       !(rt->members[i].ifindex == ifindex && mcast_addr_eq(&rt->members[i].group, group) &&
		 mcast_addr_eq(&rt->members[i].source, source)))
		i++;
	if (add) {
		if (i < rt->nmembers)
			return -EEXIST;
		vif_for(rt, ifindex);
		if (rt->nmembers == rt->mcap &&
		    grow(rt, (void **)&rt->members, &rt->mcap, sizeof(*rt->members), 8) < 0)
			return -ENOMEM;
		rt->members[rt->nmembers++] = (struct rg_member){ ifindex, *group, *source };
	} else {
		if (i == rt->nmembers)
			return -ENOENT;
		rt->members[i] = rt->members[--rt->nmembers];
	}
	/* the group's entries get (or lose) the interface at once */
	mcast_routing_fwd_change(rt, ifindex, group, source, MCAST_FWD_NONE, MCAST_FWD_NONE);
	if (!add)
		vifs_rebalance(rt);
	return 0;
}

const struct mcast_routing_stats *mcast_routing_stats(const struct mcast_routing *rt)
{
	return &rt->stats;
}

/* ---- explain ------------------------------------------------------------------ */

static const char *const why_names[] = {
	[MCAST_WHY_INPUT] = "input",
	[MCAST_WHY_MEMBERS] = "members",
	[MCAST_WHY_STATIC_GROUP] = "static group",
	[MCAST_WHY_STATIC_ROUTE] = "static route",
	[MCAST_WHY_PROXY_UPSTREAM] = "proxy upstream",
	[MCAST_WHY_NO_LISTENER] = "no listener",
	[MCAST_WHY_SOURCE_NOT_WANTED] = "source not wanted",
	[MCAST_WHY_NOT_QUERIER] = "not the querier",
	[MCAST_WHY_OTHER_DOMAIN] = "another proxy domain",
	[MCAST_WHY_UPSTREAM_ONLY_DOWN] = "upstream takes downstream traffic only",
	[MCAST_WHY_NO_VIF] = "no VIF",
};

const char *mcast_why_name(enum mcast_why w)
{
	return (unsigned)w < sizeof(why_names) / sizeof(why_names[0]) && why_names[w] ? why_names[w] : "?";
}

/* The static route for (S,G), an exact source before any source; with
 * in, only one from that interface. */
static const struct rg_static *static_for(const struct mcast_routing *rt, const struct rg_iface *in,
					  const struct mcast_addr *s, const struct mcast_addr *g)
{
	const struct rg_static *any = NULL;
	for (size_t k = 0; k < rt->nstatics; k++) {
		const struct rg_static *st = &rt->statics[k];
		if ((in && st->in != in->ifindex) || !mcast_addr_eq(&st->group, g))
			continue;
		if (mcast_addr_eq(&st->source, s))
			return st;
		if (mcast_addr_eq(&st->source, any_of(rt)))
			any = st;
	}
	return any;
}

int mcast_routing_explain(const struct mcast_routing *rt, const struct mcast_addr *s, const struct mcast_addr *g,
			  struct mcast_explain *e, struct mcast_explain_iface *ifs, size_t cap)
{
	enum mcast_family f = mcast_mr_family(rt->table);
	if (addr_family(s) != f || addr_family(g) != f)
		return -EINVAL;
	memset(e, 0, sizeof(*e));
	struct mcast_mfc_oif oifs[1024];
	size_t no = 0;
	uint16_t iif = MCAST_MR_NO_VIF;
	if (mcast_mr_mfc_get(rt->table, s, g, &iif, &e->stats, oifs, 1024, &no) == 0) {
		e->entry = true;
	} else if (mcast_mr_mfc_get(rt->table, any_of(rt), g, &iif, &e->stats, oifs, 1024, &no) == 0) {
		e->entry = e->wildcard = true;
	}
	if (no > 1024)
		no = 1024;
	const struct rg_iface *in = NULL;
	const struct rg_static *st = NULL;
	if (e->entry) {
		in = iface_by_vif((struct mcast_routing *)rt, iif);
		st = in ? static_for(rt, in, s, g) : NULL;
		e->in_why = st ? "a static route" : "packets arrived there, the kernel's upcall";
	} else if ((st = static_for(rt, NULL, s, g))) {
		in = iface_by_index((struct mcast_routing *)rt, st->in);
		e->in_why = "a static route (no packet yet)";
	} else {
		const struct rg_iface *up = NULL;
		unsigned nup = 0;
		for (size_t i = 0; i < rt->nifaces; i++)
			if (rt->ifaces[i].used && rt->ifaces[i].role == MCAST_ROUTING_UPSTREAM) {
				up = &rt->ifaces[i];
				nup++;
			}
		in = nup == 1 ? up : NULL;
		e->in_why = in ? "the proxy's upstream (no packet yet)"
			       : "unknown: no packet from the source has arrived (judged as for a router interface)";
	}
	e->static_route = st != NULL;
	e->in_ifindex = in ? in->ifindex : 0;
	for (size_t i = 0; i < rt->nifaces; i++) {
		const struct rg_iface *x = &rt->ifaces[i];
		if (!x->used)
			continue;
		if (e->n++ >= cap)
			continue;
		struct mcast_explain_iface *o = &ifs[e->n - 1];
		memset(o, 0, sizeof(*o));
		o->ifindex = x->ifindex;
		memcpy(o->name, x->name, sizeof(o->name));
		o->vif = x->vif;
		o->waiting = x->waiting;
		o->role = x->role;
		o->domain = x->domain;
		o->threshold = x->threshold;
		if (x == in) {
			o->why = MCAST_WHY_INPUT;
		} else if (x->vif == MCAST_MR_NO_VIF) {
			o->why = MCAST_WHY_NO_VIF;
		} else {
			o->why = oif_why(rt, in, x, s, g, true);
			if (!mcast_why_forwards(o->why) && st && in)
				for (size_t j = 0; j < st->n; j++)
					if (st->out[j] == x->ifindex)
						o->why = MCAST_WHY_STATIC_ROUTE;
		}
		for (size_t j = 0; j < no; j++)
			o->forwarded |= x->vif != MCAST_MR_NO_VIF && oifs[j].vif == x->vif;
		struct mcast_router_group_info gi;
		if (rt->router && mcast_router_group(rt->router, x->ifindex, g, &gi, NULL, 0) == 0) {
			o->has_group = true;
			o->exclude = gi.exclude;
			o->compat = gi.compat_version;
			o->group_timer_ms = gi.group_timer_ms;
			/* the source list, to find S in (allocated: it may be long) */
			size_t sz = gi.nsources * sizeof(struct mcast_router_source_info);
			struct mcast_router_source_info *srcs = sz ? mcast_alloc_get(rt->env.al, sz) : NULL;
			if (srcs && mcast_router_group(rt->router, x->ifindex, g, &gi, srcs, gi.nsources) == 0)
				for (size_t j = 0; j < gi.nsources; j++)
					if (mcast_addr_eq(&srcs[j].addr, s)) {
						o->source_listed = true;
						o->source_timer_ms = srcs[j].timer_ms;
					}
			if (srcs)
				mcast_alloc_free(rt->env.al, srcs, sz);
		}
		struct mcast_router_iface_info ii;
		if (rt->router && mcast_router_iface_info(rt->router, x->ifindex, &ii) == 0) {
			o->querier = ii.querier;
			o->querier_addr = ii.querier_addr;
		}
	}
	return 0;
}

/* A line to out, with its newline (mcast_line_fn's contract). */
static void put_nl(mcast_line_fn out, void *ctx, const char *line)
{
	char buf[600];
	snprintf(buf, sizeof(buf), "%s\n", line);
	out(ctx, buf);
}

void mcast_routing_explain_text(const struct mcast_explain *e, const struct mcast_explain_iface *ifs,
				const struct mcast_addr *s, const struct mcast_addr *g, const char *only,
				mcast_line_fn out, void *ctx)
{
	char a[MCAST_ADDR_STRLEN], b[MCAST_ADDR_STRLEN], line[512];
	const char *in = "none";
	for (size_t i = 0; i < e->n; i++)
		if (ifs[i].ifindex == e->in_ifindex)
			in = ifs[i].name;
	if (e->entry)
		snprintf(line, sizeof(line), "(%s, %s): %s entry in the table, input %s (%s); %llu packets, %llu wrong interface",
			 mcast_addr_str(s, a), mcast_addr_str(g, b), e->wildcard ? "a (*, G)" : "an", in, e->in_why,
			 (unsigned long long)e->stats.pkts, (unsigned long long)e->stats.wrong_if);
	else
		snprintf(line, sizeof(line), "(%s, %s): no entry in the table; input %s (%s)", mcast_addr_str(s, a),
			 mcast_addr_str(g, b), e->in_ifindex ? in : "-", e->in_why);
	put_nl(out, ctx, line);
	for (size_t i = 0; i < e->n; i++) {
		const struct mcast_explain_iface *x = &ifs[i];
		if (only && strcmp(only, x->name))
			continue;
		bool yes = mcast_why_forwards(x->why);
		const char *verdict = x->why == MCAST_WHY_INPUT ? "input"
				      : x->forwarded && yes ? "forwarded"
				      : x->forwarded ? "forwarded by the entry, no longer wanted"
				      : yes && e->entry ? "wanted, not yet in the entry"
				      : yes ? "would be forwarded"
					    : "not forwarded";
		size_t k = (size_t)snprintf(line, sizeof(line), "  %-15s %s", x->name, verdict);
		if (x->why != MCAST_WHY_INPUT)
			k += (size_t)snprintf(line + k, sizeof(line) - k, ": %s", mcast_why_name(x->why));
		if (x->why == MCAST_WHY_NO_VIF)
			k += (size_t)snprintf(line + k, sizeof(line) - k, x->waiting ? " (waiting for one)" : " (idle)");
		if (x->has_group && k < sizeof(line)) {
			k += (size_t)snprintf(line + k, sizeof(line) - k, "; %s mode", x->exclude ? "EXCLUDE" : "INCLUDE");
			if (x->exclude && k < sizeof(line))
				k += (size_t)snprintf(line + k, sizeof(line) - k, ", group timer %llu.%llus",
						      (unsigned long long)(x->group_timer_ms / 1000),
						      (unsigned long long)(x->group_timer_ms % 1000 / 100));
			if (k < sizeof(line))
				k += (size_t)snprintf(line + k, sizeof(line) - k, ", %s",
						      !x->source_listed ? (x->exclude ? "source not excluded" : "source not listed")
						      : x->source_timer_ms ? "source listed" : "source excluded");
			if (x->source_listed && x->source_timer_ms && k < sizeof(line))
				k += (size_t)snprintf(line + k, sizeof(line) - k, " (%llu.%llus)",
						      (unsigned long long)(x->source_timer_ms / 1000),
						      (unsigned long long)(x->source_timer_ms % 1000 / 100));
			if (k < sizeof(line))
				k += (size_t)snprintf(line + k, sizeof(line) - k, ", compatibility v%u", x->compat);
		}
		if (x->role != MCAST_ROUTING_ROUTER && k < sizeof(line))
			k += (size_t)snprintf(line + k, sizeof(line) - k, "; proxy %u %s", x->domain,
					      x->role == MCAST_ROUTING_UPSTREAM ? "upstream" : "downstream");
		if (x->why == MCAST_WHY_NOT_QUERIER && k < sizeof(line))
			k += (size_t)snprintf(line + k, sizeof(line) - k, "; querier %s", mcast_addr_str(&x->querier_addr, a));
		if (x->vif != MCAST_MR_NO_VIF && x->threshold > 1 && k < sizeof(line))
			snprintf(line + k, sizeof(line) - k, "; TTL threshold %u", x->threshold);
		put_nl(out, ctx, line);
	}
}
