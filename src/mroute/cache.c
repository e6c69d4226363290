/*
 * DOC: forwarding cache, unresolved queue and forwarding
 *
 * Entries live in one index keyed by (source, group) (core/kidx.h:
 * two-line buckets, the keys and input VIFs in the first line, the
 * entry pointers in the second),
 * wildcards being the family's any address, so (S,G), (*,G) and (*,*)
 * share one mechanism; lookup tries them in that order, skipping
 * wildcard probes while none exist. An IPv4 (S,G) is its own 64-bit key
 * in the index: a lookup compares it in the bucket and reads the input
 * VIF there, one line a packet; an IPv6 one is keyed by its 64-bit
 * hash and its entry compared on a match. A hit on the wrong VIF counts
 * and may send a rate-limited WRONGVIF upcall; a hit on the right one
 * sends one copy, TTL decremented, out of each output VIF whose
 * threshold the TTL exceeds, never out of the incoming VIF. A miss holds
 * the packet on the unresolved queue and sends NOCACHE once per (S,G);
 * installing a matching entry releases what is held, and expiry drops
 * it.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "mcast/wire.h"
#include "mr.h"

static void unres_expire(struct mcast_timer *tm, void *arg);

static uint64_t key_hash(const struct mcast_mr_table *t, const struct mcast_addr *s,
			 const struct mcast_addr *g)
{
	return mcast_addr_hash2(s, g, t->env.hash_seed);
}

/* An IPv4 key's hash: the source enters with the seed and is mixed
 * before the group does, as core/addr.c hashes address pairs, so a
 * sender cannot pick pairs that share a bucket whatever the seed. An
 * IPv6 key is a hash already. */
KIDX_INLINE uint64_t key_hash4(const struct mcast_mr_table *t, uint64_t key)
{
	return addr_mix64(addr_mix64(t->env.hash_seed ^ (key >> 32)) ^ (uint32_t)key);
}

uint64_t mr_key_hash(uint64_t key, const void *table)
{
	const struct mcast_mr_table *t = table;
	return t->family == MCAST_AF_INET ? key_hash4(t, key) : key;
}

/* (s, g)'s key in the cache and its hash; false when they are not of
 * an IPv4 table's family (no entry has them: mfc_add refuses them). */
KIDX_INLINE bool key_of(const struct mcast_mr_table *t, const struct mcast_addr *s, const struct mcast_addr *g,
			struct mr_key *k)
{
	if (t->family == MCAST_AF_INET) {
		if (!addr_is_v4(s) || !addr_is_v4(g))
			return false;
		uint32_t s4, g4;
		memcpy(&s4, s->b + 12, 4);
		memcpy(&g4, g->b + 12, 4);
		k->key = (uint64_t)s4 << 32 | g4;
		k->h = key_hash4(t, k->key);
		return true;
	}
	k->key = k->h = key_hash(t, s, g);
	return true;
}

uint64_t mr_entry_key(const void *entry, const void *table)
{
	const struct mr_entry *e = entry;
	struct mr_key k = { 0, 0 };
	key_of(table, &e->source, &e->group, &k);
	return k.key;
}

/* The entry of (s, g) from e, the first record of an iteration it over
 * (s, g)'s key, on; *iif its input VIF, read from the index. */
KIDX_INLINE struct mr_entry *find_from(const struct mcast_mr_table *t, const struct mcast_addr *s,
				      const struct mcast_addr *g, struct mr_entry *e, struct kidx_iter *it,
				      uint16_t *iif)
{
	for (; e; e = kidx_next(&t->cache, it))
		if (t->family == MCAST_AF_INET || (mcast_addr_eq(&e->group, g) && mcast_addr_eq(&e->source, s))) {
			*iif = kidx_iter_val(&t->cache, it);
			return e;
		}
	return NULL;
}

/* The entry of (s, g) under key k; *iif its input VIF (for IPv4 the
 * entry is found without being compared). */
KIDX_INLINE struct mr_entry *find_keyed(const struct mcast_mr_table *t, const struct mcast_addr *s,
				       const struct mcast_addr *g, const struct mr_key *k, uint16_t *iif)
{
	struct kidx_iter it;
	return find_from(t, s, g, kidx_first(&t->cache, k->key, k->h, &it), &it, iif);
}

/* Whether an IPv4 key has an entry, and its input VIF: the first line of
 * its bucket is all it reads (the key is the whole (S,G)). */
KIDX_INLINE bool find_iif4(const struct mcast_mr_table *t, const struct mr_key *k, uint16_t *iif)
{
	struct kidx_iter it;
	if (!kidx_seek(&t->cache, k->key, k->h, &it))
		return false;
	*iif = kidx_iter_val(&t->cache, &it);
	return true;
}

static struct mr_entry *find_exact(const struct mcast_mr_table *t, const struct mcast_addr *s,
				   const struct mcast_addr *g)
{
	struct mr_key k;
	uint16_t iif;
	return key_of(t, s, g, &k) ? find_keyed(t, s, g, &k, &iif) : NULL;
}

/* (S,G), then (*,G), then (*,*). */
static struct mr_entry *lookup(const struct mcast_mr_table *t, const struct mcast_addr *s,
			       const struct mcast_addr *g)
{
	struct mr_entry *e = find_exact(t, s, g);
	if (e)
		return e;
	if (t->n_star_g && (e = find_exact(t, mr_any(t), g)))
		return e;
	if (t->n_star_star)
		return find_exact(t, mr_any(t), mr_any(t));
	return NULL;
}

static struct mr_unres *find_unres(const struct mcast_mr_table *t, const struct mcast_addr *s,
				   const struct mcast_addr *g)
{
	uint64_t h = key_hash(t, s, g);
	for (struct mcast_hnode *n = mcast_htab_first(&t->unres, h); n; n = mcast_htab_next(n)) {
		struct mr_unres *u = mcast_container_of(n, struct mr_unres, node);
		if (mcast_addr_eq(&u->group, g) && mcast_addr_eq(&u->source, s))
			return u;
	}
	return NULL;
}

static void count_kind(struct mcast_mr_table *t, const struct mr_entry *e, int delta)
{
	if (!mcast_addr_eq(&e->source, mr_any(t)))
		return;
	if (mcast_addr_eq(&e->group, mr_any(t)))
		t->n_star_star += (size_t)delta;
	else
		t->n_star_g += (size_t)delta;
}

struct mcast_mfc_stats mr_entry_stats(const struct mcast_mr_table *t, const struct mr_entry *e)
{
	struct mcast_mfc_stats st = e->st, fp;
	if (t->env.fetch_stats && t->env.fetch_stats(t->env.ctx, &e->source, &e->group, &fp) == 0) {
		st.pkts = fp.pkts;
		st.bytes = fp.bytes;
		st.wrong_if = fp.wrong_if;
	}
	return st;
}

void mr_notify_entry(struct mcast_mr_table *t, const struct mr_entry *e, bool gone, bool added)
{
	if (!t->env.changed)
		return;
	struct mcast_mr_event ev = { .type = gone ? MCAST_MR_MFC_DEL : MCAST_MR_MFC_SET,
				     .source = e->source, .group = e->group, .iif = e->iif,
				     .oifs = gone ? NULL : e->oifs, .noifs = gone ? 0 : e->noifs,
				     .added = added && !gone };
	t->env.changed(t->env.ctx, &ev);
}

void mr_entry_free(struct mcast_mr_table *t, struct mr_entry *e)
{
	/* out of the table first: the mirror is told after the change, and
	 * may look the entry up (it is gone) */
	struct mr_key k;
	if (key_of(t, &e->source, &e->group, &k))
		kidx_remove(&t->cache, e, k.key, k.h);
	count_kind(t, e, -1);
	mr_notify_entry(t, e, true, false);
	if (e->oif_cap > MR_INLINE_OIFS)
		mcast_alloc_free(t->env.al, e->oifs, e->oif_cap * sizeof(*e->oifs));
	mcast_pool_put(&t->entries, e);
}

void mr_unres_free(struct mcast_mr_table *t, struct mr_unres *u, enum mr_unres_end why)
{
	mcast_htab_remove(&t->unres, &u->node);
	if (t->env.wheel)
		mcast_timer_stop(t->env.wheel, &u->expire);
	struct mr_held *h = u->head;
	while (h) {
		struct mr_held *next = h->next;
		mcast_alloc_free(t->env.al, h, sizeof(*h) + h->len);
		h = next;
	}
	if (why == MR_UNRES_EXPIRED) {
		t->stats.expired++;
		t->stats.expired_pkts += u->npkts;
	} else if (why == MR_UNRES_FLUSHED) {
		t->stats.flushed++;
		t->stats.flushed_pkts += u->npkts;
	}
	mcast_alloc_free(t->env.al, u, sizeof(*u));
}

/*
 * A VIF went: out of every output list it goes, and packets held from it
 * are dropped, so that a VIF number reused for another interface can
 * never send one back out of the interface it came in on.
 */
struct vif_arg {
	struct mcast_mr_table *t;
	uint16_t vif;
};

static void drop_held_from(struct mcast_hnode *n, void *arg)
{
	struct vif_arg *a = arg;
	struct mr_unres *u = mcast_container_of(n, struct mr_unres, node);
	if (u->vif == a->vif)
		mr_unres_free(a->t, u, MR_UNRES_FLUSHED);
}

static void drop_output(void *rec, void *arg)
{
	struct vif_arg *a = arg;
	struct mr_entry *e = rec;
	uint16_t k = 0;
	for (uint16_t j = 0; j < e->noifs; j++)
		if (e->oifs[j].vif != a->vif)
			e->oifs[k++] = e->oifs[j];
	bool changed = k != e->noifs;
	e->noifs = k;
	if (changed)
		mr_notify_entry(a->t, e, false, false);
}

void mr_vif_removed(struct mcast_mr_table *t, uint16_t vif)
{
	struct vif_arg a = { t, vif };
	mcast_htab_walk_safe(&t->unres, drop_held_from, &a);
	kidx_walk(&t->cache, drop_output, &a);
}

static int cmp_oif(const void *a, const void *b)
{
	const struct mcast_mfc_oif *x = a, *y = b;
	return (x->vif > y->vif) - (x->vif < y->vif);
}

/* ---- packets ----------------------------------------------------------- */

struct pkt_info {
	struct mcast_addr src, dst;
	uint8_t ttl;
	size_t len; /* the datagram's own length, link padding excluded */
};

static bool parse_packet(const struct mcast_mr_table *t, const uint8_t *p, size_t len,
			 struct pkt_info *pi)
{
	if (t->family == MCAST_AF_INET) {
		if (len < 20 || (p[0] >> 4) != 4)
			return false;
		size_t hl = (size_t)(p[0] & 0x0f) * 4, tot = (size_t)(p[2] << 8 | p[3]);
		if (hl < 20 || tot < hl || tot > len)
			return false;
		if (mcast_cksum_fold(mcast_cksum_add(0, p, hl)) != 0)
			return false;
		mcast_addr_from_in4(&pi->src, p + 12);
		mcast_addr_from_in4(&pi->dst, p + 16);
		pi->ttl = p[8];
		pi->len = tot;
	} else {
		if (len < 40 || (p[0] >> 4) != 6)
			return false;
		size_t tot = 40 + (size_t)(p[4] << 8 | p[5]);
		if (tot > len)
			return false;
		mcast_addr_from_in6(&pi->src, p + 8);
		mcast_addr_from_in6(&pi->dst, p + 24);
		pi->ttl = p[7];
		pi->len = tot;
	}
	return addr_is_multicast(&pi->dst) && !addr_is_multicast(&pi->src);
}

/* Link-local and narrower groups stay on their link (RFC 5771 for
 * 224.0.0.0/24, RFC 4291 scopes 0-2 for IPv6). */
static bool local_scope(const struct mcast_addr *g)
{
	return mcast_addr_scope(g) <= 2;
}

/* Writes the TTL-decremented copy to t->scratch (RFC 1624 incremental
 * checksum update for IPv4); -ENOMEM when the buffer cannot grow to len. */
static int prepare_copy(struct mcast_mr_table *t, const uint8_t *p, size_t len)
{
	if (len > t->scratch_cap) {
		size_t cap = len < 2048 ? 2048 : len;
		uint8_t *b = mcast_alloc_resize(t->env.al, t->scratch, t->scratch_cap, cap);
		if (!b)
			return -ENOMEM;
		t->scratch = b;
		t->scratch_cap = cap;
	}
	memcpy(t->scratch, p, len);
	if (t->family == MCAST_AF_INET) {
		uint8_t *q = t->scratch;
		uint16_t old = (uint16_t)(q[8] << 8 | q[9]);
		q[8]--;
		uint16_t new = (uint16_t)(q[8] << 8 | q[9]);
		uint32_t sum = (uint16_t)~(q[10] << 8 | q[11]);
		sum += (uint16_t)~old;
		sum += new;
		while (sum >> 16)
			sum = (sum & 0xffff) + (sum >> 16);
		sum = (uint16_t)~sum;
		q[10] = (uint8_t)(sum >> 8);
		q[11] = (uint8_t)sum;
	} else {
		t->scratch[7]--;
	}
	return 0;
}

static void upcall(struct mcast_mr_table *t, enum mcast_upcall_type type, uint16_t vif,
		   const struct mcast_addr *s, const struct mcast_addr *g, const uint8_t *pkt,
		   size_t len)
{
	if (!t->owned)
		return;
	struct mcast_upcall u = { .type = type, .table = t->id, .vif = vif, .source = *s,
				  .group = *g, .pkt = pkt, .len = len };
	switch (type) {
	case MCAST_UPCALL_NOCACHE:
		t->stats.upcall_nocache++;
		break;
	case MCAST_UPCALL_WRONGVIF:
		t->stats.upcall_wrongvif++;
		break;
	case MCAST_UPCALL_WHOLEPKT:
		t->stats.upcall_wholepkt++;
		break;
	}
	t->owner.upcall(t->owner.ctx, &u);
}

static bool has_oif(const struct mr_entry *e, uint16_t vif)
{
	for (uint16_t i = 0; i < e->noifs; i++)
		if (e->oifs[i].vif == vif)
			return true;
	return false;
}

/*
 * A packet matched e. Returns the copies sent, or -1 when it came in on
 * another VIF than e's (counted on e, and maybe a WRONGVIF upcall: like
 * ip_mr_forward(), only when asserts are on, the VIF is one of e's
 * outputs or PIM mode is on, and not within the assert interval).
 */
static int deliver(struct mcast_mr_table *t, struct mr_entry *e, uint16_t vif,
		   const struct pkt_info *pi, const uint8_t *p)
{
	mcast_time_ms now = t->env.wheel ? t->env.wheel->now_ms : 0;
	if (e->iif != vif) {
		e->st.wrong_if++;
		if (t->cfg.assert && (t->cfg.pim || has_oif(e, vif)) &&
		    (!e->asserted || now - e->last_assert_ms >= t->cfg.assert_interval_ms)) {
			e->asserted = true;
			e->last_assert_ms = now;
			upcall(t, MCAST_UPCALL_WRONGVIF, vif, &pi->src, &pi->dst, NULL, 0);
		}
		return -1;
	}
	e->st.pkts++;
	e->st.bytes += pi->len;
	e->st.last_use_ms = now;
	int copies = 0;
	bool prepared = false;
	for (uint16_t i = 0; i < e->noifs; i++) {
		uint16_t o = e->oifs[i].vif;
		struct mr_vif *v = &t->vifs[o];
		if (o == vif || !v->used)
			continue; /* never back out of the incoming VIF */
		/* The entry's threshold, or the VIF's if higher; TTL 1 never
		 * passes since thresholds are at least 1. */
		uint8_t thr = e->oifs[i].ttl > v->cfg.threshold ? e->oifs[i].ttl : v->cfg.threshold;
		if (pi->ttl <= thr || pi->ttl <= 1) {
			t->stats.ttl_below++;
			continue;
		}
		v->st.pkts_out++;
		v->st.bytes_out += pi->len;
		if (v->cfg.flags & MCAST_VIF_REGISTER) {
			upcall(t, MCAST_UPCALL_WHOLEPKT, o, &pi->src, &pi->dst, p, pi->len);
			continue;
		}
		if (!prepared) {
			if (prepare_copy(t, p, pi->len) < 0) {
				t->stats.no_memory++;
				return copies;
			}
			prepared = true;
		}
		if (t->env.xmit)
			t->env.xmit(t->env.ctx, v->cfg.ifindex, t->scratch, pi->len);
		t->stats.copies++;
		copies++;
	}
	return copies;
}

static unsigned input(struct mcast_mr_table *t, unsigned ifindex, const uint8_t *pkt, size_t len);

unsigned mcast_mr_input(struct mcast_mr_table *t, unsigned ifindex, const uint8_t *pkt, size_t len)
{
	unsigned copies = input(t, ifindex, pkt, len);
	mr_check_invariants(t);
	return copies;
}

static unsigned input(struct mcast_mr_table *t, unsigned ifindex, const uint8_t *pkt, size_t len)
{
	t->stats.input++;
	uint16_t vif = mcast_mr_vif_of(t, ifindex);
	if (vif == MCAST_MR_NO_VIF) {
		t->stats.no_vif++;
		return 0;
	}
	struct pkt_info pi;
	if (!parse_packet(t, pkt, len, &pi)) {
		t->stats.bad_packet++;
		if (mcast_ratelimit_ok(&t->drop_log, t->env.wheel ? t->env.wheel->now_ms : 0))
			mcast_logf(t->env.log, MCAST_LOG_DEBUG, MCAST_D_DROPS,
				   "mroute table %u: dropped a malformed or non-multicast packet on ifindex %u",
				   t->id, ifindex);
		return 0;
	}
	struct mr_vif *v = &t->vifs[vif];
	v->st.pkts_in++;
	v->st.bytes_in += pi.len;
	if (local_scope(&pi.dst)) {
		t->stats.local_scope++;
		return 0;
	}
	struct mr_entry *e = lookup(t, &pi.src, &pi.dst);
	if (e) {
		int c = deliver(t, e, vif, &pi, pkt);
		if (c < 0) {
			t->stats.wrong_vif++;
			return 0;
		}
		t->stats.hit++;
		return (unsigned)c;
	}

	/* A miss: hold the packet and tell the owner (ipmr_cache_unresolved). */
	if (!t->owned) {
		t->stats.no_owner++;
		return 0;
	}
	struct mr_unres *u = find_unres(t, &pi.src, &pi.dst);
	if (u && u->npkts >= t->cfg.max_unresolved_pkts) {
		t->stats.unres_pkt_full++;
		return 0;
	}
	if (!u && t->unres.count >= t->cfg.max_unresolved) {
		t->stats.unres_full++;
		return 0;
	}
	struct mr_held *h = mcast_alloc_get(t->env.al, sizeof(*h) + pi.len);
	if (!h) {
		t->stats.unres_full++;
		return 0;
	}
	h->next = NULL;
	h->len = pi.len;
	memcpy(h->data, pkt, pi.len);
	bool created = false;
	if (!u) {
		u = mcast_alloc_get(t->env.al, sizeof(*u));
		if (!u) {
			mcast_alloc_free(t->env.al, h, sizeof(*h) + pi.len);
			t->stats.unres_full++;
			return 0;
		}
		memset(u, 0, sizeof(*u));
		u->source = pi.src;
		u->group = pi.dst;
		u->vif = vif;
		u->t = t;
		u->tail = &u->head;
		mcast_htab_insert(&t->unres, &u->node, key_hash(t, &pi.src, &pi.dst));
		created = true;
	}
	*u->tail = h;
	u->tail = &h->next;
	u->npkts++;
	t->stats.queued++;
	if (created) {
		if (t->env.wheel) {
			mcast_timer_init(&u->expire, unres_expire, u);
			mcast_timer_start(t->env.wheel, &u->expire,
					  t->env.wheel->now_ms + t->cfg.unresolved_ms);
		}
		upcall(t, MCAST_UPCALL_NOCACHE, vif, &pi.src, &pi.dst, pkt, pi.len);
	}
	return 0;
}

static void unres_expire(struct mcast_timer *tm, void *arg)
{
	(void)tm;
	struct mr_unres *u = arg;
	struct mcast_mr_table *t = u->t;
	char s[MCAST_ADDR_STRLEN], g[MCAST_ADDR_STRLEN];
	mcast_logf(t->env.log, MCAST_LOG_DEBUG, MCAST_D_ROUTES,
		   "mroute table %u: unresolved (%s, %s) expired, %u packets dropped", t->id,
		   mcast_addr_str(&u->source, s), mcast_addr_str(&u->group, g), u->npkts);
	mr_unres_free(t, u, MR_UNRES_EXPIRED);
}

static void release_one(struct mcast_hnode *n, void *arg)
{
	struct mcast_mr_table *t = arg;
	struct mr_unres *u = mcast_container_of(n, struct mr_unres, node);
	struct mr_entry *e = lookup(t, &u->source, &u->group);
	if (!e)
		return;
	for (struct mr_held *h = u->head; h; h = h->next) {
		struct pkt_info pi = { u->source, u->group, 0, h->len };
		pi.ttl = t->family == MCAST_AF_INET ? h->data[8] : h->data[7];
		if (deliver(t, e, u->vif, &pi, h->data) >= 0)
			t->stats.released++;
	}
	mr_unres_free(t, u, MR_UNRES_RELEASED);
}

/* Forwards what waits on the unresolved queue that the cache now matches. */
static void release(struct mcast_mr_table *t)
{
	if (t->unres.count)
		mcast_htab_walk_safe(&t->unres, release_one, t);
}

/* ---- entries ----------------------------------------------------------- */

static int mfc_add(struct mcast_mr_table *t, const struct mcast_mr_owner *o, const struct mcast_mfc_params *p);

int mcast_mr_mfc_add(struct mcast_mr_table *t, const struct mcast_mr_owner *o, const struct mcast_mfc_params *p)
{
	int rc = mfc_add(t, o, p);
	mr_check_invariants(t);
	return rc;
}

static int mfc_add(struct mcast_mr_table *t, const struct mcast_mr_owner *o,
		     const struct mcast_mfc_params *p)
{
	int rc = mr_check_caller(t, o, p->is_static);
	if (rc < 0)
		return rc;
	const struct mcast_addr *any = mr_any(t);
	if (addr_family(&p->source) != t->family || addr_family(&p->group) != t->family)
		return -EINVAL;
	bool star_g = mcast_addr_eq(&p->source, any);
	bool star_star = star_g && mcast_addr_eq(&p->group, any);
	if (!star_star && !addr_is_multicast(&p->group))
		return -EINVAL;
	if (!star_g && !mcast_addr_is_valid_source(&p->source))
		return -EINVAL;
	if (p->iif >= t->cfg.max_vifs || !t->vifs[p->iif].used)
		return -EADDRNOTAVAIL;
	if (p->noifs > t->cfg.max_vifs)
		return -EINVAL;
	for (size_t i = 0; i < p->noifs; i++) {
		const struct mcast_mfc_oif *x = &p->oifs[i];
		if (x->vif >= t->cfg.max_vifs || !t->vifs[x->vif].used)
			return -EADDRNOTAVAIL;
		if (x->ttl == 0 || x->ttl == 255)
			return -EINVAL;
		for (size_t j = 0; j < i; j++)
			if (p->oifs[j].vif == x->vif)
				return -EINVAL;
	}

	struct mr_key k;
	uint16_t old_iif = MCAST_MR_NO_VIF;
	if (!key_of(t, &p->source, &p->group, &k))
		return -EINVAL; /* (not reached: the family was checked) */
	struct mr_entry *e = find_keyed(t, &p->source, &p->group, &k, &old_iif);
	bool fresh = e == NULL;
	if (fresh) {
		e = mcast_pool_get(&t->entries);
		if (!e)
			return t->cfg.max_entries && t->entries.in_use >= t->cfg.max_entries ? -ENOBUFS
												: -ENOMEM;
		e->source = p->source;
		e->group = p->group;
		e->oifs = e->inline_oifs;
		e->oif_cap = MR_INLINE_OIFS;
	}
	/* Room for the outputs, keeping the old list until it succeeds. */
	if (p->noifs > e->oif_cap) {
		struct mcast_mfc_oif *n = mcast_alloc_get(t->env.al, p->noifs * sizeof(*n));
		if (!n) {
			if (fresh)
				mcast_pool_put(&t->entries, e);
			return -ENOMEM;
		}
		if (e->oif_cap > MR_INLINE_OIFS)
			mcast_alloc_free(t->env.al, e->oifs, e->oif_cap * sizeof(*e->oifs));
		e->oifs = n;
		e->oif_cap = (uint16_t)p->noifs;
	}
	if (fresh && kidx_insert(&t->cache, e, k.key, k.h, p->iif) < 0) {
		if (e->oif_cap > MR_INLINE_OIFS)
			mcast_alloc_free(t->env.al, e->oifs, e->oif_cap * sizeof(*e->oifs));
		mcast_pool_put(&t->entries, e);
		return -ENOMEM;
	}
	if (p->noifs)
		memcpy(e->oifs, p->oifs, p->noifs * sizeof(*e->oifs));
	e->noifs = (uint16_t)p->noifs;
	qsort(e->oifs, e->noifs, sizeof(*e->oifs), cmp_oif);
	e->iif = p->iif;
	if (!fresh && old_iif != p->iif)
		kidx_set_val(&t->cache, e, k.key, k.h, p->iif);
	e->is_static = p->is_static;
	if (fresh)
		count_kind(t, e, +1);
	mr_notify_entry(t, e, false, fresh);
	release(t);
	return 0;
}

int mcast_mr_mfc_del(struct mcast_mr_table *t, const struct mcast_mr_owner *o,
		     const struct mcast_addr *source, const struct mcast_addr *group)
{
	struct mr_entry *e = find_exact(t, source, group);
	if (!e)
		return -ENOENT;
	int rc = mr_check_caller(t, o, e->is_static);
	if (rc < 0)
		return rc;
	mr_entry_free(t, e);
	return 0;
}

int mcast_mr_mfc_get(const struct mcast_mr_table *t, const struct mcast_addr *source,
		     const struct mcast_addr *group, uint16_t *iif, struct mcast_mfc_stats *st,
		     struct mcast_mfc_oif *oifs, size_t cap, size_t *noifs)
{
	const struct mr_entry *e = find_exact(t, source, group);
	if (!e)
		return -ENOENT;
	if (iif)
		*iif = e->iif;
	if (st)
		*st = mr_entry_stats(t, e);
	if (oifs)
		memcpy(oifs, e->oifs, (e->noifs < cap ? e->noifs : cap) * sizeof(*oifs));
	if (noifs)
		*noifs = e->noifs;
	return 0;
}

size_t mcast_mr_lookup_batch(const struct mcast_mr_table *t, size_t n,
			     const struct mcast_addr *source, const struct mcast_addr *group,
			     uint16_t *iif)
{
	enum { CHUNK = 32 };
	struct mr_key k[CHUNK];
	struct kidx_iter it[CHUNK];
	struct mr_entry *cand[CHUNK];
	bool ok[CHUNK];
	bool v4 = t->family == MCAST_AF_INET;
	size_t found = 0;
	for (size_t base = 0; base < n; base += CHUNK) {
		size_t m = n - base < CHUNK ? n - base : CHUNK;
		/* the chunk's buckets; for IPv6 then their candidate entries;
		 * then the keys (an IPv4 one in the bucket) */
		for (size_t i = 0; i < m; i++)
			if ((ok[i] = key_of(t, &source[base + i], &group[base + i], &k[i])))
				kidx_prefetch(&t->cache, k[i].h, !v4);
		if (!v4)
			for (size_t i = 0; i < m; i++)
				cand[i] = ok[i] ? kidx_candidate(&t->cache, k[i].key, k[i].h,
								 offsetof(struct mr_entry, group) + sizeof(struct mcast_addr),
								 &it[i])
						: NULL;
		for (size_t i = 0; i < m; i++) {
			const struct mcast_addr *s = &source[base + i], *g = &group[base + i];
			uint16_t v = MCAST_MR_NO_VIF;
			bool hit = v4 ? ok[i] && find_iif4(t, &k[i], &v) : find_from(t, s, g, cand[i], &it[i], &v) != NULL;
			const struct mr_entry *e;
			if (!hit && (e = lookup(t, s, g)) != NULL) {
				v = e->iif; /* a wildcard entry */
				hit = true;
			}
			iif[base + i] = v;
			found += hit;
		}
	}
	return found;
}

struct walk_ctx {
	void (*fn)(void *arg, const struct mcast_mfc_params *p);
	void *arg;
};

static void walk_one(void *rec, void *arg)
{
	const struct walk_ctx *w = arg;
	const struct mr_entry *e = rec;
	struct mcast_mfc_params p = { .source = e->source, .group = e->group, .iif = e->iif, .oifs = e->oifs,
				      .noifs = e->noifs, .is_static = e->is_static };
	w->fn(w->arg, &p);
}

void mcast_mr_mfc_walk(const struct mcast_mr_table *t,
		       void (*fn)(void *arg, const struct mcast_mfc_params *p), void *arg)
{
	struct walk_ctx w = { fn, arg };
	kidx_walk(&t->cache, walk_one, &w);
}

size_t mcast_mr_mfc_count(const struct mcast_mr_table *t)
{
	return t->cache.count;
}

size_t mcast_mr_unresolved_count(const struct mcast_mr_table *t)
{
	return t->unres.count;
}
