/*
 * DOC: proxying (RFC 4605)
 *
 * A change from the router engine queues its (instance, group) — once
 * for a run of changes to the same group, so one IS_EX that touches many
 * sources is one item — and the queue is drained after the engine is
 * done. No record is kept per group on the proxy's side: the router
 * engine holds the downstream state, the host engine the upstream one,
 * and the queue is an array. Each drain reads the group's state back
 * from the router engine on every downstream of the instance (never
 * patches), so a drain after any sequence of events gives the same
 * answer, however often the group was queued. Each downstream's
 * subscription is
 *
 *   INCLUDE mode   -> INCLUDE {sources forwarded (access list applied)}
 *   EXCLUDE mode   -> EXCLUDE {sources with timer 0, the Y list}
 *   no state       -> INCLUDE {} (none)
 *
 * and the instance's is their merge (RFC 3376 3.2: INCLUDE lists
 * united; with any EXCLUDE, the EXCLUDE lists intersected less what an
 * INCLUDE asks for), which is what RFC 4605 4.1 asks of the membership
 * database. It goes to the host engine as the upstream's one direct
 * filter on the group (hs_set_state): the engine's counts are the
 * previous merge, so it reports exactly the difference, and a proxied
 * group costs the router's record and the upstream's group, nothing
 * per downstream.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "host/hs.h"
#include "router/rt.h"
#include "mcast/proxy.h"

struct px_item {                         /* a queued (instance, group) */
	unsigned domain;
	struct mcast_addr group;
	/* the router's record of the group on the downstream that changed
	 * it (grp_ifindex), good while the router's group_frees is gen
	 * (else looked up) */
	const struct rt_group *grp;
	unsigned grp_ifindex;
	uint64_t gen;
	/* found by the flush: */
	uint64_t hh;                     /* the group's hs_hash(); 0 until made (the router's, or the flush's) */
	struct px_up *up;                /* the instance's upstream, NULL = none */
};

struct px_down {
	unsigned ifindex, domain;
	/* the router engine's interface, kept while the router's
	 * iface_gen is rt_gen (a lookup by ifindex per group saved) */
	const struct rt_iface *rt;
	uint64_t rt_gen;
};

struct px_up {
	unsigned ifindex, domain;
	char name[32];
	char instance[32];      /* the instance's name, "" = its number */
	struct mcast_addr addr;
	struct hs_iface *ifc;   /* the host part's interface, from upstream_add to upstream_del */
	size_t ndowns;          /* downstreams in the instance */
	size_t solo;            /* with one, its place in px->downs */
};

struct mcast_proxy {
	struct mcast_proxy_env env;
	enum mcast_family family;
	const struct mcast_router *router;
	struct mcast_host *host;
	struct px_down *downs;
	size_t ndowns, dcap;
	struct px_up *ups;
	size_t nups, ucap;
	struct px_item *queue;
	size_t nqueue, qcap;
	struct mcast_timer timer;
	struct mcast_addr *tmp;          /* a subscription's sources */
	size_t scap;
	/* the merge of several downstreams' subscriptions: the EXCLUDE
	 * lists' intersection, the INCLUDE lists' union, a spare */
	struct mcast_addr *mx, *mi, *mt;
	size_t mxcap, micap, mtcap;
	struct mcast_proxy_stats stats;
	bool resync;                     /* a change was lost for memory: read every downstream again */
	bool ahead;                      /* the router calls mcast_proxy_groups_ahead() */
};

static struct px_down *down_find(const struct mcast_proxy *px, unsigned ifindex)
{
	for (size_t i = 0; i < px->ndowns; i++)
		if (px->downs[i].ifindex == ifindex)
			return &px->downs[i];
	return NULL;
}

static struct px_up *up_by_domain(const struct mcast_proxy *px, unsigned domain)
{
	for (size_t i = 0; i < px->nups; i++)
		if (px->ups[i].domain == domain)
			return &px->ups[i];
	return NULL;
}

static struct px_up *up_find(const struct mcast_proxy *px, unsigned ifindex)
{
	for (size_t i = 0; i < px->nups; i++)
		if (px->ups[i].ifindex == ifindex)
			return &px->ups[i];
	return NULL;
}

/* Each instance's downstream count, and its one downstream when alone
 * (the merge then reads that one as it is); after any downstream or
 * upstream comes or goes. */
static void recount(struct mcast_proxy *px)
{
	for (size_t i = 0; i < px->nups; i++) {
		struct px_up *u = &px->ups[i];
		u->ndowns = 0;
		for (size_t k = 0; k < px->ndowns; k++)
			if (px->downs[k].domain == u->domain) {
				u->ndowns++;
				u->solo = k;
			}
	}
}

static int grow(const struct mcast_alloc *al, void **v, size_t *cap, size_t n, size_t size)
{
	if (n < *cap)
		return 0;
	size_t c = *cap ? *cap * 2 : 4;
	void *p = mcast_alloc_resize(al, *v, *cap * size, c * size);
	if (!p)
		return -ENOMEM;
	*v = p;
	*cap = c;
	return 0;
}

static void resync_later(struct mcast_proxy *px)
{
	px->resync = true;
	mcast_timer_start(px->env.wheel, &px->timer, px->env.wheel->now_ms + 1000);
}

/* The per-record path's helpers are written once and inlined where a
 * change is queued and where a lone downstream's subscription is read
 * (as calls they were a sixth of the proxy's own instructions a record:
 * 954 -> 898 of them beside the router's 1,140, measured with
 * callgrind); the other callers call the out-of-line copy. */
#define PX_HOT static inline __attribute__((always_inline))

/* Queues (domain, g) unless it is the last item already (a record's
 * many source changes come one after the other). Without memory for
 * the queue the change is not lost: every downstream is read again in a
 * second (resync). */
PX_HOT void enqueue_hot(struct mcast_proxy *px, unsigned domain, const struct mcast_addr *g,
			const struct rt_group *grp, unsigned grp_ifindex, uint64_t hh)
{
	if (px->nqueue) {
		const struct px_item *last = &px->queue[px->nqueue - 1];
		if (last->domain == domain && mcast_addr_eq(&last->group, g))
			return;
	}
	if (grow(px->env.al, (void **)&px->queue, &px->qcap, px->nqueue, sizeof(*px->queue)) < 0) {
		px->stats.errors++;
		resync_later(px);
		return;
	}
	px->queue[px->nqueue++] = (struct px_item){ .domain = domain, .group = *g, .grp = grp,
						    .grp_ifindex = grp_ifindex,
						    .gen = px->router->group_frees, .hh = hh };
	if (!mcast_timer_armed(&px->timer))
		mcast_timer_start(px->env.wheel, &px->timer, px->env.wheel->now_ms);
}

static void enqueue(struct mcast_proxy *px, unsigned domain, const struct mcast_addr *g, const struct rt_group *grp,
		    unsigned grp_ifindex, uint64_t hh)
{
	enqueue_hot(px, domain, g, grp, grp_ifindex, hh);
}

/* Reads the subscription of downstream d to s's group from the router
 * engine (its group record, same library) into px->tmp: the record the
 * change came from when no group was freed since, else looked up with
 * s->hh, the group's hash in the host part (the proxy's hash seed: with
 * the router's seed, the router's lookup takes it as it is). */
PX_HOT int subscription_hot(struct mcast_proxy *px, struct px_down *d, const struct px_item *s,
			    enum mcast_filter_mode *mode, size_t *n)
{
	*mode = MCAST_MODE_INCLUDE;
	*n = 0;
	unsigned ifindex = d->ifindex;
	const struct mcast_addr *g = &s->group;
	if (d->rt_gen != px->router->iface_gen) {
		d->rt = rt_iface_get(px->router, ifindex);
		d->rt_gen = px->router->iface_gen;
	}
	const struct rt_group *grp;
	if (s->grp && s->gen == px->router->group_frees && s->grp_ifindex == ifindex)
		grp = s->grp; /* the one the change came from, still there */
	else
		grp = d->rt ? rt_lookup_in(d->rt, g, s->hh, px->env.hash_seed) : NULL;
	if (!grp)
		return 0;
	if (rt_nsrcs(grp) > px->scap) {
		void *p = mcast_alloc_get(px->env.al, rt_nsrcs(grp) * sizeof(*px->tmp));
		if (!p)
			return -ENOMEM;
		mcast_alloc_free(px->env.al, px->tmp, px->scap * sizeof(*px->tmp));
		px->tmp = p;
		px->scap = rt_nsrcs(grp);
	}
	*mode = rt_exclude(grp) ? MCAST_MODE_EXCLUDE : MCAST_MODE_INCLUDE;
	for (uint32_t i = 0; i < rt_nsrcs(grp); i++) {
		const struct rt_source *x = &grp->sv->v[i];
		/* A source no socket filter may hold (RFC 3678: unicast only)
		 * would make the host part refuse the whole filter and stall
		 * the group upstream; it is left out and counted. */
		if (!mcast_addr_is_valid_source(&x->addr)) {
			px->stats.invalid_sources++;
			continue;
		}
		/* RFC 3376 6.3: INCLUDE forwards its listed sources (those the
		 * access list lets in), EXCLUDE all but the timer-0 ones */
		bool forwarding = x->deadline_ms != 0;
		bool take = rt_exclude(grp) ? !forwarding : forwarding && rt_allows(px->router, ifindex, g, &x->addr);
		if (take)
			px->tmp[(*n)++] = x->addr;
	}
	return 0;
}

static int subscription(struct mcast_proxy *px, struct px_down *d, const struct px_item *s,
			enum mcast_filter_mode *mode, size_t *n)
{
	return subscription_hot(px, d, s, mode, n);
}

static int reserve_addrs(struct mcast_proxy *px, struct mcast_addr **v, size_t *cap, size_t n)
{
	if (n <= *cap)
		return 0;
	size_t c = *cap ? *cap : 4;
	while (c < n)
		c *= 2;
	void *p = mcast_alloc_resize(px->env.al, *v, *cap * sizeof(**v), c * sizeof(**v));
	if (!p)
		return -ENOMEM;
	*v = p;
	*cap = c;
	return 0;
}

/* One more downstream's subscription (mode m, sources s) into the merge:
 * the EXCLUDE ones intersected (mx), the INCLUDE ones united (mi). */
static int fold(struct mcast_proxy *px, enum mcast_filter_mode m, const struct mcast_addr *s, size_t k, bool *any_ex,
		size_t *nx, size_t *ni)
{
	if (m == MCAST_MODE_EXCLUDE) {
		if (*any_ex) {
			*nx = mcast_addrs_intersect(px->mx, *nx, s, k, px->mx); /* in place: writes trail reads */
			return 0;
		}
		if (reserve_addrs(px, &px->mx, &px->mxcap, k) < 0)
			return -ENOMEM;
		if (k)
			memcpy(px->mx, s, k * sizeof(*s));
		*nx = k;
		*any_ex = true;
		return 0;
	}
	if (reserve_addrs(px, &px->mt, &px->mtcap, *ni + k) < 0)
		return -ENOMEM;
	size_t n = mcast_addrs_union(px->mi, *ni, s, k, px->mt);
	struct mcast_addr *t = px->mi;
	size_t tc = px->micap;
	px->mi = px->mt;
	px->micap = px->mtcap;
	px->mt = t;
	px->mtcap = tc;
	*ni = n;
	return 0;
}

/*
 * The instance's subscription to s's group: its downstreams'
 * subscriptions merged (RFC 3376 3.2, as a host merges its sockets;
 * RFC 4605 4.1). *out points into the proxy's buffers. A group only one
 * downstream holds, the usual case, is that subscription as it was read.
 * -ENOMEM.
 */
static int merged(struct mcast_proxy *px, const struct px_up *u, const struct px_item *s,
		  enum mcast_filter_mode *mode, const struct mcast_addr **out, size_t *n)
{
	unsigned domain = u->domain;
	if (u->ndowns == 1) {
		int rc = subscription_hot(px, &px->downs[u->solo], s, mode, n);
		*out = px->tmp; /* (after: the read may have grown it) */
		return rc;
	}
	enum mcast_filter_mode m1 = MCAST_MODE_INCLUDE;
	size_t n1 = 0, held = 0, nx = 0, ni = 0;
	bool any_ex = false, folded = false;
	for (size_t i = 0; i < px->ndowns; i++) {
		if (px->downs[i].domain != domain)
			continue;
		/* another downstream to read: the first subscription (in tmp,
		 * which the read overwrites) goes into the merge first */
		if (held == 1 && !folded) {
			if (fold(px, m1, px->tmp, n1, &any_ex, &nx, &ni) < 0)
				return -ENOMEM;
			folded = true;
		}
		enum mcast_filter_mode m;
		size_t k;
		if (subscription(px, &px->downs[i], s, &m, &k) < 0)
			return -ENOMEM;
		if (m == MCAST_MODE_INCLUDE && k == 0)
			continue; /* not held there */
		if (held++ == 0) {
			m1 = m;
			n1 = k;
			continue;
		}
		if (fold(px, m, px->tmp, k, &any_ex, &nx, &ni) < 0)
			return -ENOMEM;
	}
	if (!folded) {
		*mode = m1;
		*out = px->tmp;
		*n = n1;
		return 0;
	}
	if (!any_ex) {
		*mode = MCAST_MODE_INCLUDE;
		*out = px->mi;
		*n = ni;
		return 0;
	}
	if (reserve_addrs(px, &px->mt, &px->mtcap, nx) < 0)
		return -ENOMEM;
	*mode = MCAST_MODE_EXCLUDE;
	*out = px->mt;
	*n = mcast_addrs_diff(px->mx, nx, px->mi, ni, px->mt);
	return 0;
}

/* Hands one instance's subscription to the host part. false when memory
 * was out (the host part is as it was; the caller tries again). */
static bool apply(struct mcast_proxy *px, const struct px_item *s)
{
	if (!s->up)
		return true;
	enum mcast_filter_mode mode;
	const struct mcast_addr *srcs;
	size_t n;
	char a[MCAST_ADDR_STRLEN];
	if (merged(px, s->up, s, &mode, &srcs, &n) < 0) {
		/* the item stays: the next flush tries again */
		px->stats.errors++;
		mcast_logf(px->env.log, MCAST_LOG_WARNING, MCAST_D_STATES,
			   "proxy: %s of instance %u: out of memory reading its downstreams' sources",
			   mcast_addr_str(&s->group, a), s->domain);
		return false;
	}
	int rc = hs_set_state(s->up->ifc, &s->group, s->hh, mode, srcs, n);
	if (rc < 0 && rc != -EADDRNOTAVAIL) {
		px->stats.errors++;
		mcast_logf(px->env.log, MCAST_LOG_WARNING, MCAST_D_STATES, "proxy: %s of instance %u not taken upstream: %s",
			   mcast_addr_str(&s->group, a), s->domain, strerror(-rc));
		if (rc == -ENOMEM)
			return false;
	} else if (rc == 0) {
		px->stats.updates++;
		if (mcast_log_wants(px->env.log, MCAST_LOG_DEBUG, MCAST_D_STATES))
			mcast_logf(px->env.log, MCAST_LOG_DEBUG, MCAST_D_STATES, "proxy: instance %u %s %s with %zu sources",
				   s->domain, mcast_addr_str(&s->group, a),
				   mode == MCAST_MODE_EXCLUDE ? "EXCLUDE" : "INCLUDE", n);
	}
	return true;
}

static void resync(struct mcast_proxy *px);

void mcast_proxy_flush(struct mcast_proxy *px)
{
	if (px->resync)
		resync(px);
	/* Each item's upstream interface is found, and its group hashed,
	 * once, here. The host part's lookups for the whole queue start
	 * together (at scale each is a cache miss), in two passes
	 * (hs_prefetch); applying the items one by one then finds them
	 * loaded. An item hashed by the router had its bucket's load
	 * started already (mcast_proxy_groups_ahead(), else its change). */
	for (size_t i = 0; i < px->nqueue; i++) {
		struct px_item *it = &px->queue[i];
		it->up = up_by_domain(px, it->domain);
		if (it->up && !it->hh) { /* (0: not made by the router; a hash of 0 is made again) */
			it->hh = hs_hash(px->host, &it->group);
			hs_prefetch(it->up->ifc, it->hh, false);
		}
	}
	for (size_t i = 0; i < px->nqueue; i++)
		if (px->queue[i].up)
			hs_prefetch(px->queue[i].up->ifc, px->queue[i].hh, true);
	/* Items that found no memory stay, in order, at the queue's front. */
	size_t kept = 0;
	for (size_t i = 0; i < px->nqueue; i++)
		if (!apply(px, &px->queue[i]))
			px->queue[kept++] = px->queue[i];
	px->nqueue = kept;
	mcast_timer_stop(px->env.wheel, &px->timer);
	if (kept || px->resync) /* no memory: the same again in a second */
		mcast_timer_start(px->env.wheel, &px->timer, px->env.wheel->now_ms + 1000);
}

static void flush_timer(struct mcast_timer *t, void *arg)
{
	(void)t;
	mcast_proxy_flush(arg);
}

void mcast_proxy_fwd_change(void *ctx, unsigned ifindex, const struct mcast_addr *group,
			    const struct mcast_addr *source, enum mcast_fwd old, enum mcast_fwd now)
{
	(void)source;
	(void)old;
	(void)now;
	struct mcast_proxy *px = ctx;
	const struct px_down *d = down_find(px, ifindex);
	if (!d)
		return;
	/* RFC 4605 4.1: groups of link scope stay on their link. */
	if (addr_is_link_scoped(group)) {
		px->stats.scoped++;
		return;
	}
	/* the router's record of the group, when it is the one changing,
	 * and its hash when the router made it for a record (same seed) */
	const struct mcast_router *r = px->router;
	const struct rt_group *grp = r->notify_grp;
	bool hashed = r->rec_g && r->env.hash_seed == px->env.hash_seed && mcast_addr_eq(r->rec_g, group);
	/* (the record changing is this interface's: commit() reports its
	 * own interface's changes) */
	size_t was = px->nqueue;
	enqueue_hot(px, d->domain, group, grp && mcast_addr_eq(&grp->addr, group) ? grp : NULL, ifindex,
		    hashed ? r->rec_hh : 0);
	/* Without mcast_proxy_groups_ahead(), the upstream's bucket for the
	 * group starts loading now, while the router goes on with the
	 * packet's other records: by the flush (after the packet) it has
	 * arrived, where a load issued by the flush itself would still be on
	 * its way for the first items. */
	if (hashed && px->nqueue != was && !px->ahead) {
		const struct px_up *u = up_by_domain(px, d->domain);
		if (u)
			hs_prefetch(u->ifc, r->rec_hh, false);
	}
}

void mcast_proxy_groups_ahead(void *ctx, unsigned ifindex, const struct mcast_group_record *recs,
			      const uint64_t *hashes, size_t n)
{
	(void)recs;
	struct mcast_proxy *px = ctx;
	px->ahead = true;
	/* The upstream's buckets for a report's groups start loading with
	 * the router's own (at scale each is a cache miss): by the flush,
	 * after the report, they have arrived. Loaded from fwd_change
	 * instead, record by record, the last ones were still on their way
	 * at the flush, and each went out behind the router's work on the
	 * records before it: at a million groups the router's input took
	 * 25 ns a record longer in the proxy than alone, 13-18 now. With
	 * another hash seed than the router's, the flush hashes and loads
	 * them itself. */
	if (px->router->env.hash_seed != px->env.hash_seed)
		return;
	const struct px_down *d = down_find(px, ifindex);
	const struct px_up *u = d ? up_by_domain(px, d->domain) : NULL;
	if (!u)
		return;
	hs_prefetch_buckets(u->ifc, hashes, n);
}

struct mcast_proxy *mcast_proxy_create(const struct mcast_proxy_env *env, enum mcast_family f,
				       const struct mcast_router *r)
{
	struct mcast_proxy *px = mcast_alloc_get(env->al, sizeof(*px));
	if (!px)
		return NULL;
	memset(px, 0, sizeof(*px));
	px->env = *env;
	px->family = f;
	px->router = r;
	/* The host part has no socket limits: each socket stands for a
	 * whole downstream link. */
	struct mcast_host_config hc = { .max_memberships = UINT32_MAX, .max_sources = UINT32_MAX };
	struct mcast_host_env he = { env->al, env->wheel, env->log, env->send, env->ctx, env->seed };
	px->host = mcast_host_create(&he, &hc, f);
	if (!px->host) {
		mcast_alloc_free(env->al, px, sizeof(*px));
		return NULL;
	}
	hs_set_hash_seed(px->host, env->hash_seed);
	mcast_timer_init(&px->timer, flush_timer, px);
	return px;
}

void mcast_proxy_flush_all(struct mcast_proxy *px)
{
	mcast_proxy_flush(px);
	mcast_host_flush(px->host, true);
}

int mcast_proxy_set_name(struct mcast_proxy *px, unsigned domain, const char *name)
{
	for (size_t i = 0; i < px->nups; i++)
		if (px->ups[i].domain == domain) {
			snprintf(px->ups[i].instance, sizeof(px->ups[i].instance), "%s", name ? name : "");
			return 0;
		}
	return -ENOENT;
}

void mcast_proxy_destroy(struct mcast_proxy *px)
{
	if (!px)
		return;
	mcast_timer_stop(px->env.wheel, &px->timer);
	mcast_alloc_free(px->env.al, px->queue, px->qcap * sizeof(*px->queue));
	mcast_host_destroy(px->host);
	mcast_alloc_free(px->env.al, px->downs, px->dcap * sizeof(*px->downs));
	mcast_alloc_free(px->env.al, px->ups, px->ucap * sizeof(*px->ups));
	mcast_alloc_free(px->env.al, px->tmp, px->scap * sizeof(*px->tmp));
	mcast_alloc_free(px->env.al, px->mx, px->mxcap * sizeof(*px->mx));
	mcast_alloc_free(px->env.al, px->mi, px->micap * sizeof(*px->mi));
	mcast_alloc_free(px->env.al, px->mt, px->mtcap * sizeof(*px->mt));
	mcast_alloc_free(px->env.al, px, sizeof(*px));
}

static int cmp_item(const void *a, const void *b)
{
	const struct px_item *x = a, *y = b;
	int c = addr_cmp(&x->group, &y->group);
	return c ? c : (x->domain > y->domain) - (x->domain < y->domain);
}

struct requeue_arg {
	struct mcast_proxy *px;
	unsigned domain;
};

static void requeue_group(void *ctx, const struct mcast_addr *g)
{
	const struct requeue_arg *a = ctx;
	if (!addr_is_link_scoped(g))
		enqueue(a->px, a->domain, g, NULL, 0, 0);
}

/* Queues the groups the router engine has on one downstream, for the
 * downstream's instance. */
static void requeue_down(struct mcast_proxy *px, const struct px_down *d)
{
	struct requeue_arg a = { px, d->domain };
	mcast_router_walk_groups(px->router, d->ifindex, requeue_group, &a);
}

/* Queues every subscription of an instance (domain 0: of every one): the
 * groups the router engine has on its downstreams and the groups its
 * upstream holds (a leave still to be taken up), in address order, each
 * once; the host part reports only what differs. */
static void requeue_domain(struct mcast_proxy *px, unsigned domain)
{
	size_t from = px->nqueue;
	for (size_t i = 0; i < px->ndowns; i++)
		if (!domain || px->downs[i].domain == domain)
			requeue_down(px, &px->downs[i]);
	for (size_t i = 0; i < px->nups; i++) {
		const struct hs_iface *up = px->ups[i].ifc;
		if ((domain && px->ups[i].domain != domain) || !up)
			continue;
		struct bidx_cursor c = { 0 };
		for (const struct hs_group *g; (g = bidx_each(&up->groups, &c));)
			if (g->direct)
				enqueue(px, px->ups[i].domain, &g->addr, NULL, 0, 0);
	}
	if (px->nqueue <= from)
		return;
	qsort(px->queue + from, px->nqueue - from, sizeof(*px->queue), cmp_item);
	size_t k = from + 1; /* a group both engines have comes twice */
	for (size_t i = from + 1; i < px->nqueue; i++)
		if (cmp_item(&px->queue[i], &px->queue[k - 1]) != 0)
			px->queue[k++] = px->queue[i];
	px->nqueue = k;
}

/* After a change was lost for memory: every instance again. */
static void resync(struct mcast_proxy *px)
{
	px->resync = false; /* set again by what fails again */
	requeue_domain(px, 0);
}

int mcast_proxy_upstream_add(struct mcast_proxy *px, unsigned domain, unsigned ifindex,
			     const char *name, const struct mcast_addr *addr,
			     const struct mcast_host_iface_config *cfg)
{
	if (!domain || !ifindex)
		return -EINVAL;
	if (up_by_domain(px, domain) || up_find(px, ifindex) || down_find(px, ifindex))
		return -EEXIST;
	if (grow(px->env.al, (void **)&px->ups, &px->ucap, px->nups, sizeof(*px->ups)) < 0)
		return -ENOMEM;
	int rc = mcast_host_iface_add(px->host, ifindex, name, addr, cfg);
	if (rc < 0)
		return rc;
	struct px_up *u = &px->ups[px->nups++];
	*u = (struct px_up){ .ifindex = ifindex, .domain = domain, .addr = *addr,
			     .ifc = hs_iface_find(px->host, ifindex) };
	snprintf(u->name, sizeof(u->name), "%s", name ? name : "");
	recount(px);
	requeue_domain(px, domain);
	mcast_proxy_flush(px);
	return 0;
}

int mcast_proxy_upstream_del(struct mcast_proxy *px, unsigned ifindex)
{
	struct px_up *u = up_find(px, ifindex);
	if (!u)
		return -ENODEV;
	mcast_host_iface_del(px->host, ifindex);
	*u = px->ups[--px->nups];
	return 0;
}

int mcast_proxy_upstream_set_addr(struct mcast_proxy *px, unsigned ifindex,
				  const struct mcast_addr *addr)
{
	struct px_up *u = up_find(px, ifindex);
	if (!u)
		return -ENODEV;
	int rc = mcast_host_iface_set_addr(px->host, ifindex, addr);
	if (rc == 0)
		u->addr = *addr;
	return rc;
}

int mcast_proxy_upstream_set_config(struct mcast_proxy *px, unsigned ifindex,
				    const struct mcast_host_iface_config *cfg)
{
	struct px_up *u = up_find(px, ifindex);
	if (!u)
		return -ENODEV;
	/* The host engine takes settings only when an interface comes: it
	 * is set up again and the membership reported at once, as after a
	 * link flap. */
	struct px_up old = *u;
	mcast_proxy_upstream_del(px, ifindex);
	int rc = mcast_proxy_upstream_add(px, old.domain, ifindex, old.name, &old.addr, cfg);
	if (rc == 0)
		mcast_proxy_set_name(px, old.domain, old.instance);
	return rc;
}

int mcast_proxy_downstream_add(struct mcast_proxy *px, unsigned domain, unsigned ifindex)
{
	if (!domain || !ifindex)
		return -EINVAL;
	if (down_find(px, ifindex) || up_find(px, ifindex))
		return -EEXIST;
	if (grow(px->env.al, (void **)&px->downs, &px->dcap, px->ndowns, sizeof(*px->downs)) < 0)
		return -ENOMEM;
	px->downs[px->ndowns++] = (struct px_down){ .ifindex = ifindex, .domain = domain };
	recount(px);
	/* the groups the router engine already has there (an interface
	 * joining an instance on a reload) go upstream now, not at their
	 * next report */
	requeue_down(px, &px->downs[px->ndowns - 1]);
	mcast_proxy_flush(px);
	return 0;
}

int mcast_proxy_downstream_del(struct mcast_proxy *px, unsigned ifindex)
{
	struct px_down *d = down_find(px, ifindex);
	if (!d)
		return -ENODEV;
	/* Its groups are merged again without it: what it alone asked
	 * for leaves upstream, reported. */
	struct px_down gone = *d;
	*d = px->downs[--px->ndowns];
	recount(px);
	requeue_down(px, &gone);
	mcast_proxy_flush(px);
	return 0;
}

void mcast_proxy_input(struct mcast_proxy *px, unsigned ifindex, const uint8_t *pkt, size_t len)
{
	mcast_host_input(px->host, ifindex, pkt, len);
}

unsigned mcast_proxy_upstream(const struct mcast_proxy *px, unsigned domain)
{
	const struct px_up *u = up_by_domain(px, domain);
	return u ? u->ifindex : 0;
}

const struct mcast_host *mcast_proxy_host(const struct mcast_proxy *px)
{
	return px->host;
}

const struct mcast_proxy_stats *mcast_proxy_stats(const struct mcast_proxy *px)
{
	return &px->stats;
}

/* ---- inspection ---- */

struct dump_ctx {
	const struct mcast_proxy *px;
	mcast_line_fn out;
	void *ctx;
	bool json;
};

static int cmp_group(const void *a, const void *b)
{
	const struct hs_group *x = *(const struct hs_group *const *)a;
	const struct hs_group *y = *(const struct hs_group *const *)b;
	return addr_cmp(&x->addr, &y->addr);
}

/* One instance: its merged records, each group once, in address order. */
static void dump_domain(struct dump_ctx *c, const struct px_up *u, bool last)
{
	const struct mcast_proxy *px = c->px;
	char line[512], a[MCAST_ADDR_STRLEN];
	int ver = mcast_host_version(px->host, u->ifindex);
	const char *proto = px->family == MCAST_AF_INET ? "IGMP" : "MLD";
	char num[16], q[MCAST_ADDR_STRLEN] = "";
	snprintf(num, sizeof(num), "%u", u->domain);
	const char *name = u->instance[0] ? u->instance : num;
	struct mcast_addr qa;
	if (mcast_host_querier(px->host, u->ifindex, &qa, NULL) == 0)
		mcast_addr_str(&qa, q);
	if (c->json)
		snprintf(line, sizeof(line),
			 "{\"name\":\"%s\",\"domain\":%u,\"upstream\":\"%s\",\"ifindex\":%u,\"version\":%d,"
			 "\"address\":\"%s\",\"querier\":%s%s%s,\"groups\":[",
			 name, u->domain, u->name, u->ifindex, ver, mcast_addr_str(&u->addr, a), q[0] ? "\"" : "",
			 q[0] ? q : "null", q[0] ? "\"" : "");
	else
		snprintf(line, sizeof(line), "proxy %s upstream %s %sv%d address %s querier %s\n", name, u->name, proto,
			 ver, mcast_addr_str(&u->addr, a), q[0] ? q : "none");
	c->out(c->ctx, line);
	/* the instance's groups: the upstream's that hold its merge */
	const struct hs_iface *up = u->ifc;
	size_t n = 0;
	void **v = up ? bidx_sorted(&up->groups, cmp_group, &n) : NULL;
	bool first = true;
	struct mcast_addr srcs[16];
	for (size_t i = 0; v && i < n; i++) {
		const struct hs_group *hg = v[i];
		const struct mcast_addr *g = &hg->addr;
		if (!hg->direct)
			continue;
		enum mcast_filter_mode mode;
		size_t ns;
		if (mcast_host_iface_state(px->host, u->ifindex, g, &mode, srcs, 16, &ns) < 0)
			continue;
		int k = snprintf(line, sizeof(line), c->json ? "%s{\"group\":\"%s\",\"mode\":\"%s\",\"sources\":["
							    : "  %s%s %s {",
				 c->json && !first ? "," : "", mcast_addr_str(g, a),
				 mode == MCAST_MODE_EXCLUDE ? (c->json ? "exclude" : "EXCLUDE")
							    : (c->json ? "include" : "INCLUDE"));
		for (size_t j = 0; j < ns && j < 16 && k > 0 && (size_t)k < sizeof(line) - 64; j++)
			k += snprintf(line + k, sizeof(line) - (size_t)k, c->json ? "%s\"%s\"" : "%s%s",
				      j ? (c->json ? "," : " ") : "", mcast_addr_str(&srcs[j], a));
		if (k > 0 && (size_t)k < sizeof(line) - 16)
			snprintf(line + k, sizeof(line) - (size_t)k, "%s%s", ns > 16 ? (c->json ? "" : " ...") : "",
				 c->json ? "]}" : "}\n");
		c->out(c->ctx, line);
		first = false;
	}
	if (up)
		bidx_sorted_free(&up->groups, v, n);
	if (c->json)
		c->out(c->ctx, last ? "]}" : "]},");
}

static void dump(const struct mcast_proxy *px, mcast_line_fn out, void *ctx, bool json)
{
	struct dump_ctx c = { px, out, ctx, json };
	if (json)
		out(ctx, "{\"proxies\":[");
	/* instances in domain order */
	unsigned last = 0;
	for (size_t k = 0; k < px->nups; k++) {
		const struct px_up *next = NULL;
		for (size_t i = 0; i < px->nups; i++)
			if (px->ups[i].domain > last && (!next || px->ups[i].domain < next->domain))
				next = &px->ups[i];
		last = next->domain;
		dump_domain(&c, next, k + 1 == px->nups);
	}
	if (json)
		out(ctx, "]}");
}

void mcast_proxy_dump_text(const struct mcast_proxy *px, mcast_line_fn out, void *ctx)
{
	dump(px, out, ctx, false);
}

void mcast_proxy_dump_json(const struct mcast_proxy *px, mcast_line_fn out, void *ctx)
{
	dump(px, out, ctx, true);
}
