/*
 * DOC: the routing table's invariants
 *
 * mcast_mr_check() walks the table: every VIF's ifindex index entry
 * points back at it and the register VIF is the one marked so; every
 * entry's incoming VIF is in range (it may have gone: as in Linux the
 * entry stays and matches nothing until rewritten) and its outputs are
 * VIFs in use (a VIF that goes leaves every list), sorted
 * without duplicates and with thresholds 1..254, the wildcard counts
 * and the pool's count equal what the cache holds; every unresolved
 * entry holds as many packets as it says, within the limits, with its
 * expiry armed. Tests and fuzzers call it; builds with
 * MCAST_CHECK_INVARIANTS run it after every packet and change.
 */
#include "mroute/mr.h"
#include "core/check.h"

#define FAIL MCAST_CHECK_FAIL

static bool vif_ok(const struct mcast_mr_table *t, uint16_t v)
{
	return v < t->cfg.max_vifs && t->vifs[v].used;
}

int mcast_mr_check(const struct mcast_mr_table *t, char *why, size_t len)
{
	char a[MCAST_ADDR_STRLEN], b[MCAST_ADDR_STRLEN];
	size_t nvif = 0;
	for (unsigned v = 0; v < t->cfg.max_vifs; v++) {
		const struct mr_vif *x = &t->vifs[v];
		if (!x->used)
			continue;
		if (x->cfg.flags & MCAST_VIF_REGISTER) {
			if (t->register_vif != v)
				FAIL("vif %u is a register VIF, the table says %u", v, t->register_vif);
		} else {
			nvif++;
			if (mcast_mr_vif_of(t, x->cfg.ifindex) != v)
				FAIL("vif %u (ifindex %u) not found by its ifindex", v, x->cfg.ifindex);
		}
	}
	if (nvif != t->vif_index.count)
		FAIL("%zu VIFs, %zu in the ifindex index", nvif, t->vif_index.count);
	size_t n = 0, star_g = 0, star_star = 0;
	if (kidx_check(&t->cache, mr_entry_key, t, why, len) < 0)
		return -1;
	struct kidx_cursor c = { 0 };
	for (const struct mr_entry *e; (e = kidx_each(&t->cache, &c));) {
		n++;
		if (mcast_addr_eq(&e->source, mr_any(t)))
			*(mcast_addr_eq(&e->group, mr_any(t)) ? &star_star : &star_g) += 1;
		if (kidx_cursor_val(&t->cache, &c) != e->iif)
			FAIL("(%s, %s): incoming vif %u, the cache's index says %u", mcast_addr_str(&e->source, a),
			     mcast_addr_str(&e->group, b), e->iif, kidx_cursor_val(&t->cache, &c));
		if (e->iif >= t->cfg.max_vifs)
			FAIL("(%s, %s): incoming vif %u out of range", mcast_addr_str(&e->source, a),
			     mcast_addr_str(&e->group, b), e->iif);
		if (e->noifs > e->oif_cap || (e->oif_cap > MR_INLINE_OIFS) == (e->oifs == e->inline_oifs))
			FAIL("(%s, %s): %u outputs in room for %u", mcast_addr_str(&e->source, a),
			     mcast_addr_str(&e->group, b), e->noifs, e->oif_cap);
		for (uint16_t k = 0; k < e->noifs; k++) {
			if (!vif_ok(t, e->oifs[k].vif) || e->oifs[k].ttl == 0 || e->oifs[k].ttl == 255 ||
			    (k && e->oifs[k - 1].vif >= e->oifs[k].vif))
				FAIL("(%s, %s): output %u (vif %u, ttl %u) out of order, unused or bad",
				     mcast_addr_str(&e->source, a), mcast_addr_str(&e->group, b), k, e->oifs[k].vif,
				     e->oifs[k].ttl);
		}
	}
	if (n != t->cache.count || n != t->entries.in_use)
		FAIL("%zu entries, counted %zu in the cache and %zu in the pool", n, t->cache.count, t->entries.in_use);
	if (star_g != t->n_star_g || star_star != t->n_star_star)
		FAIL("%zu (*,G) and %zu (*,*) entries, counted %zu and %zu", star_g, star_star, t->n_star_g,
		     t->n_star_star);
	if (t->unres.count > t->cfg.max_unresolved)
		FAIL("%zu unresolved entries over the limit %u", t->unres.count, t->cfg.max_unresolved);
	for (size_t i = 0; t->unres.buckets && i <= t->unres.mask; i++)
		for (const struct mcast_hnode *h = t->unres.buckets[i]; h; h = h->next) {
			const struct mr_unres *u = mcast_container_of(h, struct mr_unres, node);
			uint32_t held = 0;
			for (const struct mr_held *p = u->head; p; p = p->next)
				held++;
			if (held != u->npkts || held == 0 || held > t->cfg.max_unresolved_pkts)
				FAIL("unresolved (%s, %s): %u packets held, counted %u", mcast_addr_str(&u->source, a),
				     mcast_addr_str(&u->group, b), held, u->npkts);
			if (t->env.wheel && !mcast_timer_armed(&u->expire))
				FAIL("unresolved (%s, %s): no expiry armed", mcast_addr_str(&u->source, a),
				     mcast_addr_str(&u->group, b));
		}
	return 0;
}
