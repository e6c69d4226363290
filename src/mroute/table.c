/*
 * DOC: routing table lifecycle, ownership and VIFs
 *
 * A table is the user-space twin of the kernel's struct mr_table: an id,
 * an owner (the holder of the routing socket, set by MRT_INIT and
 * cleared by MRT_DONE), the VIF table and the caches. Mutations come
 * from the owner, or from static configuration (owner NULL) whose
 * objects are flagged static and survive MRT_DONE, as the kernel's
 * VIFF_STATIC and MFC_STATIC do.
 */
#include <errno.h>
#include <string.h>

#include "mr.h"

void mcast_mr_config_default(struct mcast_mr_config *c)
{
	memset(c, 0, sizeof(*c));
	c->max_vifs = 32;
	c->max_unresolved = 10;
	c->max_unresolved_pkts = 4;
	c->unresolved_ms = 10000;
	c->assert_interval_ms = 3000;
}

struct mcast_mr_table *mcast_mr_create(const struct mcast_mr_env *env,
				       const struct mcast_mr_config *cfg,
				       enum mcast_family family, uint32_t id)
{
	struct mcast_mr_config def;
	if (!cfg) {
		mcast_mr_config_default(&def);
		cfg = &def;
	}
	if (cfg->max_vifs == 0 || cfg->max_vifs == MCAST_MR_NO_VIF)
		return NULL;
	struct mcast_mr_table *t = mcast_alloc_get(env->al, sizeof(*t));
	if (!t)
		return NULL;
	memset(t, 0, sizeof(*t));
	t->env = *env;
	t->cfg = *cfg;
	t->family = family;
	t->id = id;
	t->register_vif = MCAST_MR_NO_VIF;
	mcast_ratelimit_init(&t->drop_log, 1000, 10);
	t->vifs = mcast_alloc_get(env->al, cfg->max_vifs * sizeof(*t->vifs));
	if (!t->vifs)
		goto fail;
	memset(t->vifs, 0, cfg->max_vifs * sizeof(*t->vifs));
	if (mcast_htab_init(&t->vif_index, env->al, 16) < 0 ||
	    mcast_htab_init(&t->unres, env->al, 16) < 0)
		goto fail;
	kidx_init(&t->cache, env->al, mr_key_hash, t);
	mcast_pool_init(&t->entries, env->al, sizeof(struct mr_entry), 256, cfg->max_entries);
	return t;
fail:
	mcast_htab_free(&t->vif_index);
	mcast_htab_free(&t->unres);
	mcast_alloc_free(env->al, t->vifs, cfg->max_vifs * sizeof(*t->vifs));
	mcast_alloc_free(env->al, t, sizeof(*t));
	return NULL;
}

struct flush_arg {
	struct mcast_mr_table *t;
	bool keep_static;
};

static void flush_entry(void *rec, void *arg)
{
	struct flush_arg *a = arg;
	struct mr_entry *e = rec;
	if (!a->keep_static || !e->is_static)
		mr_entry_free(a->t, e);
}

static void flush_unres(struct mcast_hnode *n, void *arg)
{
	struct flush_arg *a = arg;
	mr_unres_free(a->t, mcast_container_of(n, struct mr_unres, node), MR_UNRES_FLUSHED);
}

/* Removes every entry (or every dynamic one) and every unresolved one. */
static void flush(struct mcast_mr_table *t, bool keep_static)
{
	struct flush_arg a = { t, keep_static };
	kidx_walk(&t->cache, flush_entry, &a);
	mcast_htab_walk_safe(&t->unres, flush_unres, &a);
}

void mcast_mr_destroy(struct mcast_mr_table *t)
{
	if (!t)
		return;
	flush(t, false);
	mcast_htab_free(&t->vif_index);
	kidx_free(&t->cache);
	mcast_htab_free(&t->unres);
	mcast_pool_destroy(&t->entries);
	mcast_alloc_free(t->env.al, t->vifs, t->cfg.max_vifs * sizeof(*t->vifs));
	mcast_alloc_free(t->env.al, t->scratch, t->scratch_cap);
	mcast_alloc_free(t->env.al, t, sizeof(*t));
}

uint32_t mcast_mr_id(const struct mcast_mr_table *t)
{
	return t->id;
}

enum mcast_family mcast_mr_family(const struct mcast_mr_table *t)
{
	return t->family;
}

const struct mcast_mr_stats *mcast_mr_stats(const struct mcast_mr_table *t)
{
	return &t->stats;
}

void mcast_mr_set_assert(struct mcast_mr_table *t, bool assert, bool pim)
{
	t->cfg.assert = assert;
	t->cfg.pim = pim;
}

/* ---- ownership --------------------------------------------------------- */

static bool is_owner(const struct mcast_mr_table *t, const struct mcast_mr_owner *o)
{
	return o && t->owned && o->upcall == t->owner.upcall && o->ctx == t->owner.ctx;
}

int mcast_mr_init(struct mcast_mr_table *t, const struct mcast_mr_owner *o)
{
	if (!o || !o->upcall)
		return -EINVAL;
	if (t->owned)
		return -EADDRINUSE;
	t->owner = *o;
	t->owned = true;
	mcast_logf(t->env.log, MCAST_LOG_INFO, MCAST_D_ROUTES, "mroute table %u: owner attached",
		   t->id);
	return 0;
}

static void vif_unlink(struct mcast_mr_table *t, uint16_t vif)
{
	struct mr_vif *v = &t->vifs[vif];
	if (!(v->cfg.flags & MCAST_VIF_REGISTER))
		mcast_htab_remove(&t->vif_index, &v->by_ifindex);
	else
		t->register_vif = MCAST_MR_NO_VIF;
	v->used = false;
	mr_vif_removed(t, vif);
	if (t->env.changed) {
		struct mcast_mr_event ev = { .type = MCAST_MR_VIF_DEL, .vif = vif };
		t->env.changed(t->env.ctx, &ev);
	}
}

int mcast_mr_done(struct mcast_mr_table *t, const struct mcast_mr_owner *o)
{
	if (!is_owner(t, o))
		return -EACCES;
	/* mroute_clean_tables(): dynamic VIFs and entries go, and the queue. */
	flush(t, true);
	for (uint16_t i = 0; i < t->cfg.max_vifs; i++)
		if (t->vifs[i].used && !(t->vifs[i].cfg.flags & MCAST_VIF_STATIC))
			vif_unlink(t, i);
	t->owned = false;
	memset(&t->owner, 0, sizeof(t->owner));
	mcast_logf(t->env.log, MCAST_LOG_INFO, MCAST_D_ROUTES,
		   "mroute table %u: owner gone, dynamic state flushed", t->id);
	return 0;
}

bool mcast_mr_owned(const struct mcast_mr_table *t)
{
	return t->owned;
}

/* The owner, or static configuration for a static object. */
int mr_check_caller(const struct mcast_mr_table *t, const struct mcast_mr_owner *o,
		    bool is_static)
{
	if (o == NULL)
		return is_static ? 0 : -EACCES;
	return is_owner(t, o) ? 0 : -EACCES;
}

/* ---- VIFs -------------------------------------------------------------- */

static uint64_t ifindex_hash(const struct mcast_mr_table *t, unsigned ifindex)
{
	return mcast_ifindex_hash(ifindex, t->env.hash_seed);
}

int mcast_mr_vif_add(struct mcast_mr_table *t, const struct mcast_mr_owner *o, uint16_t vif,
		     const struct mcast_vif_config *cfg)
{
	int rc = mr_check_caller(t, o, cfg->flags & MCAST_VIF_STATIC);
	if (rc < 0)
		return rc;
	if (vif >= t->cfg.max_vifs)
		return -ENFILE;
	if (t->vifs[vif].used)
		return -EADDRINUSE;
	bool reg = cfg->flags & MCAST_VIF_REGISTER;
	if (reg) {
		if (t->register_vif != MCAST_MR_NO_VIF)
			return -EADDRINUSE;
	} else {
		if (cfg->ifindex == 0)
			return -EINVAL;
		if (mcast_mr_vif_of(t, cfg->ifindex) != MCAST_MR_NO_VIF)
			return -EADDRINUSE;
	}
	struct mr_vif *v = &t->vifs[vif];
	memset(v, 0, sizeof(*v));
	v->cfg = *cfg;
	v->cfg.name[sizeof(v->cfg.name) - 1] = '\0';
	v->used = true;
	if (reg)
		t->register_vif = vif;
	else
		mcast_htab_insert(&t->vif_index, &v->by_ifindex, ifindex_hash(t, cfg->ifindex));
	mcast_logf(t->env.log, MCAST_LOG_DEBUG, MCAST_D_ROUTES, "mroute table %u: vif %u (%s) added",
		   t->id, vif, v->cfg.name);
	if (t->env.changed) {
		struct mcast_mr_event ev = { .type = MCAST_MR_VIF_ADD, .vif = vif, .vif_cfg = &v->cfg };
		t->env.changed(t->env.ctx, &ev);
	}
	return 0;
}

int mcast_mr_vif_del(struct mcast_mr_table *t, const struct mcast_mr_owner *o, uint16_t vif)
{
	if (vif >= t->cfg.max_vifs || !t->vifs[vif].used)
		return -EADDRNOTAVAIL;
	int rc = mr_check_caller(t, o, t->vifs[vif].cfg.flags & MCAST_VIF_STATIC);
	if (rc < 0)
		return rc;
	vif_unlink(t, vif);
	return 0;
}

uint16_t mcast_mr_vif_of(const struct mcast_mr_table *t, unsigned ifindex)
{
	uint64_t h = ifindex_hash(t, ifindex);
	for (struct mcast_hnode *n = mcast_htab_first(&t->vif_index, h); n; n = mcast_htab_next(n)) {
		const struct mr_vif *v = mcast_container_of(n, struct mr_vif, by_ifindex);
		if (v->cfg.ifindex == ifindex)
			return (uint16_t)(v - t->vifs);
	}
	return MCAST_MR_NO_VIF;
}

int mcast_mr_vif_get(const struct mcast_mr_table *t, uint16_t vif, struct mcast_vif_config *cfg,
		     struct mcast_vif_stats *st)
{
	if (vif >= t->cfg.max_vifs || !t->vifs[vif].used)
		return -EADDRNOTAVAIL;
	struct mcast_vif_config c = t->vifs[vif].cfg;
	struct mcast_vif_stats s = t->vifs[vif].st;
	mr_vif_view(t, vif, &c, &s);
	if (cfg)
		*cfg = c;
	if (st)
		*st = s;
	return 0;
}

void mr_vif_view(const struct mcast_mr_table *t, uint16_t vif, struct mcast_vif_config *cfg,
		 struct mcast_vif_stats *st)
{
	struct mcast_vif_config c = *cfg;
	struct mcast_vif_stats s;
	if (t->env.fetch_vif && t->env.fetch_vif(t->env.ctx, vif, &c, &s) == 0) {
		cfg->flags = c.flags;
		cfg->local = c.local;
		*st = s;
	}
}
