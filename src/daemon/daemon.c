/*
 * DOC: mcastd's engines on the Linux kernel
 *
 * Per family: the router engine (IGMP or MLD on every configured
 * interface that is up and has an address) and the proxies' host parts;
 * per kernel table of the family (mcastd's own, and one for each proxy
 * with a "table N" of its own): a user-space routing table that holds
 * what the routing logic wants for the table's interfaces, and the
 * kernel's table, kept equal to it through the table's mirror hook:
 * every VIF and entry our table gets or loses is one MRT_ADD_VIF /
 * MRT_ADD_MFC / MRT_DEL_MFC / MRT_DEL_VIF. The kernel forwards; its
 * upcalls (NOCACHE, WRONGVIF) go to the routing logic of their table,
 * which answers them by adding entries, and the idle check reads the
 * kernel's counters.
 *
 * Each table has a socket of its own (MRT_TABLE before MRT_INIT). The
 * kernel hands an IGMP or MLD message to more than one of them (every
 * raw socket of the protocol when the host listens, every router-alert
 * socket), but always to the table its arrival interface's policy rule
 * chooses: a message is taken from that table's socket only.
 *
 * Interfaces come and go through rtnetlink: mcastd_sync() compares what
 * each configured interface is (present, up, addressed) with what the
 * engines have and adds, removes or readdresses.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>
#include <netinet/in.h>

#include "mcastd.h"

static const char *fam_name(int f)
{
	return f ? "IPv6" : "IPv4";
}

mcast_time_ms mcastd_now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (mcast_time_ms)ts.tv_sec * 1000 + (mcast_time_ms)ts.tv_nsec / 1000000;
}

struct dif *mcastd_if_by_index(struct mcastd *d, unsigned ifindex)
{
	for (unsigned i = 0; i < d->nif; i++)
		if (d->ifs[i].ifindex == ifindex && ifindex)
			return &d->ifs[i];
	return NULL;
}

struct dif *mcastd_if_by_name(struct mcastd *d, const char *name)
{
	for (unsigned i = 0; i < d->nif; i++)
		if (!strcmp(d->ifs[i].name, name))
			return &d->ifs[i];
	return NULL;
}

const char *mcastd_tab_name(const struct dtab *tb, char buf[32])
{
	if (tb->fm->d->ntab > 1)
		snprintf(buf, 32, "%s table %u", fam_name(tb->fm->f == MCAST_AF_INET6), tb->id);
	else
		snprintf(buf, 32, "%s", fam_name(tb->fm->f == MCAST_AF_INET6));
	return buf;
}

int mcastd_tab_index(const struct mcastd *d, uint32_t id)
{
	for (unsigned k = 0; k < d->ntab; k++)
		if (d->tab_id[k] == id)
			return (int)k;
	return -1;
}

/* The index of the table the configuration gives interface c (0 when
 * the table is not running: a reload never names a table that is not). */
static unsigned cfg_tab(const struct mcastd *d, const struct cfg_iface *c)
{
	int k = c ? mcastd_tab_index(d, cfg_iface_table(&d->cfg, c)) : 0;
	return k > 0 ? (unsigned)k : 0;
}

struct dtab *mcastd_tab_of(struct mcastd *d, int f, unsigned ifindex)
{
	struct dfam *fm = &d->fam[f];
	if (fm->ntab <= 1)
		return fm->tab[0]; /* (NULL once stopped) */
	struct dif *i = mcastd_if_by_index(d, ifindex);
	if (i && i->active[f])
		return fm->tab[i->tab[f]];
	return fm->tab[i ? cfg_tab(d, cfg_iface_find(&d->cfg, i->name)) : 0];
}

/* ---- callbacks of the engines ------------------------------------------- */

static void mirror(void *ctx, const struct mcast_mr_event *ev)
{
	struct dtab *tb = ctx;
	reconcile_changed(&tb->rc, ev);
	mcastd_watch_entry(tb, ev);
}

/*
 * The kernel's VIFs of our table: the /proc file for the default table;
 * for another one (which no file shows) the counters by ioctl, and the
 * names of ours where the kernel has a VIF of that number.
 */
int mcastd_vif_read(struct dtab *tb, struct lk_vif vifs[LK_MAXVIFS])
{
	struct dfam *fm = tb->fm;
	if (tb->k.table == LK_TABLE_DEFAULT)
		return lk_vif_read(fm->f, vifs);
	int rc = lk_vif_read_ioctl(&tb->k, vifs);
	/* (not mcast_mr_vif_get(): its view asks this function again) */
	for (unsigned n = 0; rc == 0 && tb->t && n < fm->d->nif; n++) {
		const struct dif *i = &fm->d->ifs[n];
		int f = fm->f == MCAST_AF_INET6;
		uint16_t v = i->vif[f] && fm->tab[i->tab[f]] == tb ? mcast_mr_vif_of(tb->t, i->ifindex) : MCAST_MR_NO_VIF;
		if (v < LK_MAXVIFS && vifs[v].used)
			snprintf(vifs[v].name, sizeof(vifs[v].name), "%s", i->name);
	}
	return rc;
}

/* The kernel's VIF counters, flags and local address for the views;
 * the file is read once per request (or per 100 ms), not per VIF. */
static int kernel_vif(void *ctx, uint16_t vif, struct mcast_vif_config *cfg, struct mcast_vif_stats *st)
{
	struct dtab *tb = ctx;
	mcast_time_ms now = mcastd_now();
	if (!tb->kvifs_valid || now >= tb->kvifs_ms + 100) {
		if (mcastd_vif_read(tb, tb->kvifs) < 0) {
			tb->kvifs_valid = false;
			return -EIO;
		}
		tb->kvifs_valid = true;
		tb->kvifs_ms = now;
	}
	if (vif >= LK_MAXVIFS || !tb->kvifs[vif].used || strcmp(tb->kvifs[vif].name, cfg->name))
		return -ENOENT;
	const struct lk_vif *k = &tb->kvifs[vif];
	*st = (struct mcast_vif_stats){ .pkts_in = k->pkts_in, .bytes_in = k->bytes_in, .pkts_out = k->pkts_out,
					.bytes_out = k->bytes_out };
	cfg->flags = (uint16_t)k->flags;
	if (tb->fm->f == MCAST_AF_INET)
		mcast_addr_from_u32(&cfg->local, __builtin_bswap32(k->local));
	return 0;
}

static int kernel_stats(void *ctx, const struct mcast_addr *s, const struct mcast_addr *g,
			struct mcast_mfc_stats *st)
{
	struct dtab *tb = ctx;
	return lk_mfc_stats(&tb->k, s, g, st);
}

static void router_send(void *ctx, unsigned ifindex, const uint8_t *pkt, size_t len)
{
	struct dfam *fm = ctx;
	int rc = lk_mroute_send(&fm->tab[0]->k, ifindex, pkt, len); /* (any of them sends on any link) */
	if (rc < 0)
		mcast_logf(&fm->d->log, MCAST_LOG_DEBUG, MCAST_D_PACKETS, "%s send on ifindex %u: %s",
			   fam_name(fm->f), ifindex, strerror(-rc));
}

static void router_fwd(void *ctx, unsigned ifindex, const struct mcast_addr *g, const struct mcast_addr *s,
		       enum mcast_fwd old, enum mcast_fwd now)
{
	struct dfam *fm = ctx;
	struct dtab *tb = mcastd_tab_of(fm->d, fm->f == MCAST_AF_INET6, ifindex);
	if (tb && tb->rt)
		mcast_routing_fwd_change(tb->rt, ifindex, g, s, old, now);
	if (fm->px)
		mcast_proxy_fwd_change(fm->px, ifindex, g, s, old, now);
	mcastd_watch_fwd(fm, ifindex, g, s, old, now);
}

/* A report's groups before the router applies it: the proxy starts
 * loading its upstream's records of them. */
static void router_ahead(void *ctx, unsigned ifindex, const struct mcast_group_record *recs, const uint64_t *hashes,
			 size_t n)
{
	struct dfam *fm = ctx;
	if (fm->px)
		mcast_proxy_groups_ahead(fm->px, ifindex, recs, hashes, n);
}

/* Proxies forward only where they are the querier (RFC 4605 4.2). */
static void router_querier(void *ctx, unsigned ifindex, bool on)
{
	struct dfam *fm = ctx;
	struct dif *i = mcastd_if_by_index(fm->d, ifindex);
	int f = fm->f == MCAST_AF_INET6;
	if (i && i->active[f] && i->role[f] == MCAST_ROUTING_DOWNSTREAM && fm->ntab && fm->tab[i->tab[f]]->rt)
		mcast_routing_refresh(fm->tab[i->tab[f]]->rt);
	mcastd_watch_querier(fm, ifindex, on);
}

static bool router_allow(void *ctx, unsigned ifindex, const struct mcast_addr *g, const struct mcast_addr *s)
{
	struct dfam *fm = ctx;
	struct dif *i = mcastd_if_by_index(fm->d, ifindex);
	return !i || cfg_acl_allows(&fm->d->cfg, i->name, g, s);
}

/* ---- the tables' policy rules (table N) ------------------------------------- */

/*
 * A table other than the default one gets what arrives on each of its
 * interfaces by a policy rule (ip mrule / ip -6 mrule): the table's rules
 * are all removed (a killed mcastd's too), then one added per interface
 * the configuration puts in it; at stop only removed. Failures are
 * logged: forwarding then misses the interface, the rest runs.
 */
static void table_rules(struct mcastd *d, bool add)
{
	if (!d->nl)
		return;
	for (unsigned t = 0; t < d->ntab; t++) {
		uint32_t id = d->tab_id[t];
		if (id == LK_TABLE_DEFAULT)
			continue;
		const char *names[CFG_MAX_IFACES];
		size_t n = 0;
		for (unsigned i = 0; i < d->cfg.niface && n < CFG_MAX_IFACES; i++)
			if (cfg_iface_table(&d->cfg, &d->cfg.iface[i]) == id)
				names[n++] = d->cfg.iface[i].name;
		for (int f = 0; f < 2; f++) {
			if (!d->fam[f].on)
				continue;
			enum mcast_family fa = f ? MCAST_AF_INET6 : MCAST_AF_INET;
			int rc = lk_nl_rules(d->nl, fa, id, NULL, 0, false);
			if (rc == 0 && add && n)
				rc = lk_nl_rules(d->nl, fa, id, names, n, true);
			if (rc < 0)
				mcast_logf(&d->log, MCAST_LOG_ERR, 0, "%s: %s the policy rules of table %u: %s", fam_name(f),
					   add ? "setting" : "removing", id, strerror(-rc));
		}
	}
}

/* ---- start and stop -------------------------------------------------------- */

/* Table k of family fm: its socket, our table, the routing logic over
 * it. 0 or -errno with err set. */
static int tab_start(struct dfam *fm, unsigned k, char *err, size_t errlen)
{
	struct mcastd *d = fm->d;
	int f = fm->f == MCAST_AF_INET6;
	char tn[32];
	struct dtab *tb = calloc(1, sizeof(*tb));
	if (!tb) {
		snprintf(err, errlen, "%s: out of memory", fam_name(f));
		return -ENOMEM;
	}
	fm->tab[k] = tb;
	tb->fm = fm;
	tb->id = d->tab_id[k];
	int rc = lk_mroute_open(&tb->k, fm->f, tb->id, err, errlen);
	if (rc < 0) {
		char pre[24];
		size_t np = (size_t)snprintf(pre, sizeof(pre), "table %u: ", tb->id), len = strlen(err);
		if (d->ntab > 1 && np + len < errlen) { /* which of them */
			memmove(err + np, err, len + 1);
			memcpy(err, pre, np);
		}
		return rc;
	}
	tb->rx = lk_rx_new();
	if (!tb->rx) {
		snprintf(err, errlen, "no memory for the receive slots");
		return -ENOMEM;
	}
	if (tb->k.queue_err)
		mcast_logf(&d->log, MCAST_LOG_WARNING, 0,
			   "%s: a 16 MB receive queue was refused (%s): report storms beyond net.core.rmem_max are lost",
			   mcastd_tab_name(tb, tn), strerror(-tb->k.queue_err));
	uint64_t seed = d->hash_seed;
	struct mcast_mr_env me = { .al = &mcast_alloc_libc, .wheel = &d->wheel, .log = &d->log,
				   .changed = mirror, .fetch_stats = kernel_stats, .fetch_vif = kernel_vif, .ctx = tb,
				   .hash_seed = seed };
	struct mcast_mr_config mc;
	mcast_mr_config_default(&mc);
	mc.max_vifs = LK_MAXVIFS;
	mc.max_entries = d->cfg.max_mfc_entries;
	tb->t = mcast_mr_create(&me, &mc, fm->f, tb->id);
	struct mcast_routing_env rte = { .al = &mcast_alloc_libc, .wheel = &d->wheel, .log = &d->log,
					 .hash_seed = seed };
	struct mcast_routing_config rc2;
	mcast_routing_config_default(&rc2);
	rc2.idle_ms = d->cfg.mfc_idle_ms;
	rc2.vifs_on_demand = tb->on_demand = mcastd_vifs_on_demand(&d->cfg, f, tb->id);
	if (tb->on_demand)
		mcast_logf(&d->log, MCAST_LOG_INFO, 0,
			   "%s: VIFs on demand: an interface holds one of the kernel's %d while it forwards",
			   mcastd_tab_name(tb, tn), LK_MAXVIFS);
	tb->rt = tb->t ? mcast_routing_create(&rte, &rc2, tb->t, fm->r) : NULL;
	if (!tb->rt || reconcile_init(&tb->rc, tb, d->cfg.audit_ms) < 0) {
		snprintf(err, errlen, "%s: out of memory", fam_name(f));
		return -ENOMEM;
	}
	return 0;
}

static void tab_stop(struct dfam *fm, unsigned k)
{
	struct dtab *tb = fm->tab[k];
	char tn[32];
	if (!tb)
		return;
	/* The kernel flushes our VIFs and entries when the socket closes;
	 * close it first so the teardown below costs no system calls. */
	int c = lk_mroute_close(&tb->k);
	if (c < 0)
		mcast_logf(&fm->d->log, MCAST_LOG_DEBUG, 0, "%s: MRT_DONE/close: %s", mcastd_tab_name(tb, tn),
			   strerror(-c));
	lk_rx_free(tb->rx);
	mcast_routing_destroy(tb->rt);
	mcast_mr_destroy(tb->t);
	reconcile_destroy(&tb->rc); /* after the table: its teardown still calls the mirror */
	free(tb);
	fm->tab[k] = NULL;
}

static int fam_start(struct mcastd *d, int f, char *err, size_t errlen)
{
	struct dfam *fm = &d->fam[f];
	fm->d = d;
	fm->f = f ? MCAST_AF_INET6 : MCAST_AF_INET;
	uint64_t seed = d->hash_seed;
	struct mcast_router_env re = { .al = &mcast_alloc_libc, .wheel = &d->wheel, .log = &d->log,
				       .send = router_send, .fwd_change = router_fwd, .allow = router_allow,
				       .querier_change = router_querier, .groups_ahead = router_ahead, .ctx = fm,
				       .hash_seed = seed };
	fm->r = mcast_router_create(&re, fm->f);
	struct mcast_proxy_env pe = { .al = &mcast_alloc_libc, .wheel = &d->wheel, .log = &d->log,
				      .send = router_send, .ctx = fm, .seed = seed ^ 0x5bd1e995u, .hash_seed = seed };
	fm->px = fm->r ? mcast_proxy_create(&pe, fm->f, fm->r) : NULL;
	if (!fm->r || !fm->px) {
		snprintf(err, errlen, "%s: out of memory", fam_name(f));
		return -ENOMEM;
	}
	for (unsigned k = 0; k < d->ntab; k++) {
		fm->ntab = k + 1;
		int rc = tab_start(fm, k, err, errlen);
		if (rc < 0)
			return rc;
	}
	fm->on = true;
	return 0;
}

static void fam_stop(struct mcastd *d, int f)
{
	struct dfam *fm = &d->fam[f];
	for (unsigned k = 0; k < fm->ntab; k++)
		tab_stop(fm, k);
	fm->ntab = 0;
	mcast_proxy_destroy(fm->px);
	fm->px = NULL;
	mcast_router_destroy(fm->r);
	fm->r = NULL;
	fm->on = false;
}

int mcastd_start(struct mcastd *d, char *err, size_t errlen)
{
	mcast_wheel_init(&d->wheel, mcastd_now());
	for (int f = 0; f < 2; f++)
		d->join_fd[f] = -1;
	d->tap_fd = -1;
	d->ntab = cfg_tables(&d->cfg, d->tab_id);
	bool want[2] = { false, false };
	for (unsigned i = 0; i < d->cfg.niface; i++) {
		want[0] |= d->cfg.iface[i].v4;
		want[1] |= d->cfg.iface[i].v6;
	}
	for (int f = 0; f < 2; f++) {
		if (!want[f])
			continue;
		char e[256];
		int rc = fam_start(d, f, e, sizeof(e));
		if (rc < 0) {
			/* IPv6 may be off in this kernel: run IPv4 alone */
			if (f == 1 && d->fam[0].on && (rc == -EAFNOSUPPORT || rc == -ENOPROTOOPT)) {
				mcast_logf(&d->log, MCAST_LOG_WARNING, 0, "MLD disabled: %s", e);
				fam_stop(d, 1);
				continue;
			}
			snprintf(err, errlen, "%s", e);
			return rc;
		}
		/* daemon-owned joins (mcastctl join) go through this socket */
		d->join_fd[f] = socket(f ? AF_INET6 : AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
		if (d->join_fd[f] < 0) {
			snprintf(err, errlen, "%s join socket: %s", fam_name(f), strerror(errno));
			return -errno;
		}
	}
	bool tap = false;
	for (unsigned k = 0; d->fam[0].on && k < d->fam[0].ntab; k++)
		tap |= d->fam[0].tab[k]->on_demand;
	if (tap) {
		char e[256];
		d->tap_fd = lk_igmp_tap_open(e, sizeof(e));
		if (d->tap_fd < 0) /* (a sandbox without AF_PACKET) */
			mcast_logf(&d->log, MCAST_LOG_WARNING, 0,
				   "%s: IGMPv1/v2 reports on interfaces without a VIF go unheard; IGMPv3 is heard", e);
	}
	d->nl = lk_nl_open(err, errlen);
	if (!d->nl)
		return -1;
	table_rules(d, true);
	d->nif = d->cfg.niface;
	for (unsigned i = 0; i < d->nif; i++) {
		memcpy(d->ifs[i].name, d->cfg.iface[i].name, sizeof(d->ifs[i].name));
		d->ifs[i].link_fd[0] = d->ifs[i].link_fd[1] = -1;
	}
	d->nroute = d->cfg.nroute;
	for (unsigned i = 0; i < d->nroute; i++)
		d->routes[i] = (struct droute){ .r = d->cfg.route[i] };
	d->nsgroup = d->cfg.nsgroup;
	for (unsigned i = 0; i < d->nsgroup; i++)
		d->sgroups[i] = (struct dsgroup){ .g = d->cfg.sgroup[i] };
	return 0;
}

void mcastd_stop(struct mcastd *d)
{
	mcastd_metrics_close(d);
	table_rules(d, false);
	for (unsigned n = 0; n < d->nif; n++)
		for (int f = 0; f < 2; f++)
			if (d->ifs[n].link_fd[f] >= 0) {
				close(d->ifs[n].link_fd[f]);
				d->ifs[n].link_fd[f] = -1;
			}
	if (d->tap_fd >= 0 && close(d->tap_fd) < 0)
		mcast_logf(&d->log, MCAST_LOG_DEBUG, 0, "IGMP tap close: %s", strerror(errno));
	d->tap_fd = -1;
	for (int f = 0; f < 2; f++) {
		struct dfam *fm = &d->fam[f];
		/* The proxies leave upstream first, while the socket still
		 * sends: every group's leave in packed reports, each report
		 * [Robustness Variable] times back to back (no waiting for
		 * the random retransmission delay on the way out). */
		for (unsigned n = 0; fm->px && n < d->nif; n++)
			if (d->ifs[n].active[f] && d->ifs[n].role[f] == MCAST_ROUTING_DOWNSTREAM)
				mcast_proxy_downstream_del(fm->px, d->ifs[n].ifindex);
		if (fm->px)
			mcast_proxy_flush_all(fm->px);
		fam_stop(d, f);
	}
	lk_nl_close(d->nl);
	d->nl = NULL;
	for (int f = 0; f < 2; f++)
		if (d->join_fd[f] >= 0) {
			close(d->join_fd[f]);
			d->join_fd[f] = -1;
		}
}

/* ---- interfaces ------------------------------------------------------------ */

static const char *const link_groups[2][2] = { { "224.0.0.22", "224.0.0.2" }, { "ff02::16", "ff02::2" } };

/* The router part's link-scope groups on interface i: joined on a socket
 * of its own (join), or left by closing it. */
static void link_joins(struct dfam *fm, struct dif *i, bool join)
{
	int f = fm->f == MCAST_AF_INET6;
	if (i->link_fd[f] >= 0 && close(i->link_fd[f]) < 0)
		mcast_logf(&fm->d->log, MCAST_LOG_DEBUG, 0, "%s: closing the join socket: %s", i->name, strerror(errno));
	i->link_fd[f] = -1;
	if (!join)
		return;
	struct mcast_addr g[2];
	for (int k = 0; k < 2; k++)
		mcast_addr_parse(&g[k], link_groups[f][k]);
	char err[160];
	i->link_fd[f] = lk_link_joins(fm->f, i->ifindex, g, 2, err, sizeof(err));
	if (i->link_fd[f] < 0)
		mcast_logf(&fm->d->log, MCAST_LOG_WARNING, 0, "%s: %s: reports sent to it go unheard", i->name, err);
}

static const char *role_name(enum mcast_routing_role r)
{
	return r == MCAST_ROUTING_UPSTREAM ? " (proxy upstream)" : r == MCAST_ROUTING_DOWNSTREAM ? " (proxy downstream)" : "";
}

static void if_deactivate(struct mcastd *d, struct dif *i, int f)
{
	struct dfam *fm = &d->fam[f];
	if (!i->active[f])
		return;
	/* a downstream's subscriptions leave the merge (reported upstream)
	 * before the router part forgets them */
	if (i->role[f] == MCAST_ROUTING_DOWNSTREAM)
		mcast_proxy_downstream_del(fm->px, i->ifindex);
	if (i->role[f] == MCAST_ROUTING_UPSTREAM)
		mcast_proxy_upstream_del(fm->px, i->ifindex);
	if (i->vif[f])
		mcast_routing_iface_del(fm->tab[i->tab[f]]->rt, i->ifindex);
	if (i->rpart[f]) {
		mcast_router_iface_del(fm->r, i->ifindex);
		link_joins(fm, i, false);
	}
	i->active[f] = i->vif[f] = i->rpart[f] = false;
	mcast_logf(&d->log, MCAST_LOG_INFO, 0, "%s: %s off", i->name, f ? "MLD" : "IGMP");
}

bool mcastd_vifs_on_demand(const struct mcastd_config *c, int f, uint32_t id)
{
	if (c->vifs != CFG_VIFS_AUTO)
		return c->vifs == CFG_VIFS_ON_DEMAND;
	unsigned n = 0;
	for (unsigned k = 0; k < c->niface; k++)
		if (cfg_iface_table(c, &c->iface[k]) == id)
			n += f ? c->iface[k].v6 : c->iface[k].v4;
	return n > LK_MAXVIFS;
}

/* On demand, an interface keeps its VIF when it is an input: a proxy's
 * upstream (its senders are seen through the VIF only) or "vif always". */
static void pin_sync(struct dtab *tb, const struct dif *i, const struct cfg_iface *c)
{
	mcast_routing_iface_pin(tb->rt, i->ifindex, c->vif_always || c->role == MCAST_ROUTING_UPSTREAM);
}

static void if_activate(struct mcastd *d, struct dif *i, int f, const struct cfg_iface *c)
{
	struct dfam *fm = &d->fam[f];
	char a[MCAST_ADDR_STRLEN];
	const struct mcast_router_config *rc = f ? &c->rc6 : &c->rc4;
	/* A proxy's upstream has the host part, and the router part only
	 * with upstream-querier on. */
	bool up = c->role == MCAST_ROUTING_UPSTREAM;
	if (!up || c->upstream_querier) {
		int rc2 = mcast_router_iface_add(fm->r, i->ifindex, i->name, &i->addr[f], i->mtu, rc);
		if (rc2 < 0) {
			mcast_logf(&d->log, MCAST_LOG_ERR, 0, "%s: %s not started: %s", i->name, f ? "MLD" : "IGMP",
				   strerror(-rc2));
			return;
		}
		i->rpart[f] = true;
		link_joins(fm, i, true);
	}
	i->active[f] = true;
	i->used[f] = i->addr[f];
	i->role[f] = c->role;
	i->domain[f] = c->domain;
	i->tab[f] = cfg_tab(d, c);
	struct dtab *tb = fm->tab[i->tab[f]];
	int v = mcast_routing_iface_add(tb->rt, i->ifindex, i->name, c->threshold);
	if (v < 0)
		mcast_logf(&d->log, MCAST_LOG_WARNING, 0,
			   "%s: no %s forwarding on this interface (%s; the kernel has %d VIFs)", i->name,
			   fam_name(f), strerror(-v), LK_MAXVIFS);
	else
		i->vif[f] = true;
	if (i->vif[f] && c->role != MCAST_ROUTING_ROUTER)
		mcast_routing_iface_set_role(tb->rt, i->ifindex, c->role, c->domain);
	if (i->vif[f] && tb->on_demand)
		pin_sync(tb, i, c);
	int p = 0;
	if (up) {
		cfg_upstream_host(&d->cfg, c, f, i->mtu, &i->hc[f]);
		p = mcast_proxy_upstream_add(fm->px, c->domain, i->ifindex, i->name, &i->addr[f], &i->hc[f]);
		if (p == 0 && c->domain >= 1 && c->domain <= d->cfg.nproxy)
			mcast_proxy_set_name(fm->px, c->domain, d->cfg.proxy[c->domain - 1].name);
	} else if (c->role == MCAST_ROUTING_DOWNSTREAM) {
		p = mcast_proxy_downstream_add(fm->px, c->domain, i->ifindex);
	}
	if (p < 0)
		mcast_logf(&d->log, MCAST_LOG_ERR, 0, "%s: proxy part not started: %s", i->name, strerror(-p));
	mcast_logf(&d->log, MCAST_LOG_INFO, 0, "%s: %s on, address %s%s", i->name, f ? "MLD" : "IGMP",
		   mcast_addr_str(&i->addr[f], a), role_name(c->role));
}

static bool same_out(const struct droute *r, const unsigned *out, unsigned n)
{
	if (r->nout != n)
		return false;
	for (unsigned k = 0; k < n; k++)
		if (r->out[k] != out[k])
			return false;
	return true;
}

/* A static route is installed with the outputs whose interfaces forward
 * now; it is reinstalled only when that set changes. */
static void routes_sync(struct mcastd *d)
{
	for (unsigned i = 0; i < d->nroute; i++) {
		struct droute *r = &d->routes[i];
		int f = mcast_addr_is_v4(&r->r.group) ? 0 : 1;
		struct dfam *fm = &d->fam[f];
		if (!fm->on)
			continue;
		struct dif *in = mcastd_if_by_name(d, r->r.from);
		bool want = in && in->vif[f];
		/* (an output in another kernel table cannot be one) */
		unsigned out[CFG_MAX_OUT], n = 0;
		for (unsigned k = 0; want && k < r->r.nout; k++) {
			struct dif *o = mcastd_if_by_name(d, r->r.to[k]);
			if (o && o->vif[f] && o->tab[f] == in->tab[f])
				out[n++] = o->ifindex;
		}
		if (r->installed && (!want || r->in != in->ifindex || r->tab != in->tab[f] || !same_out(r, out, n))) {
			mcast_routing_static_del(fm->tab[r->tab]->rt, &r->r.source, &r->r.group);
			r->installed = false;
		}
		if (want && !r->installed) {
			int rc = mcast_routing_static_add(fm->tab[in->tab[f]]->rt, in->ifindex, &r->r.source, &r->r.group, out, n);
			if (rc < 0) {
				mcast_logf(&d->log, MCAST_LOG_WARNING, MCAST_D_ROUTES, "route at line %u: %s", r->r.line,
					   strerror(-rc));
				continue;
			}
			r->installed = true;
			r->in = in->ifindex;
			r->tab = in->tab[f];
			r->nout = n;
			memcpy(r->out, out, sizeof(out[0]) * n);
		}
	}
}

/* A static group is on its interface while that forwards (has a VIF). */
static void sgroups_sync(struct mcastd *d)
{
	for (unsigned k = 0; k < d->nsgroup; k++) {
		struct dsgroup *sg = &d->sgroups[k];
		int f = mcast_addr_is_v4(&sg->g.group) ? 0 : 1;
		struct dfam *fm = &d->fam[f];
		struct dif *i = mcastd_if_by_name(d, sg->g.iface);
		bool want = fm->on && i && i->ifindex && i->vif[f];
		if (sg->installed && (!want || sg->installed != i->ifindex || sg->tab != i->tab[f])) {
			if (fm->on)
				mcast_routing_static_group(fm->tab[sg->tab]->rt, sg->installed, &sg->g.group, &sg->g.source,
							   false);
			sg->installed = 0;
		}
		if (want) {
			/* (again after the interface came back: its groups went) */
			struct mcast_routing *rt = fm->tab[i->tab[f]]->rt;
			int rc = mcast_routing_static_group(rt, i->ifindex, &sg->g.group, &sg->g.source, true);
			if (rc < 0 && rc != -EEXIST) {
				char a[MCAST_ADDR_STRLEN];
				mcast_logf(&d->log, MCAST_LOG_WARNING, MCAST_D_ROUTES, "static group %s on %s: %s",
					   mcast_addr_str(&sg->g.group, a), sg->g.iface, strerror(-rc));
				continue;
			}
			sg->installed = i->ifindex;
			sg->tab = i->tab[f];
		}
	}
}

void mcastd_sync(struct mcastd *d)
{
	for (unsigned n = 0; n < d->nif; n++) {
		struct dif *i = &d->ifs[n];
		const struct cfg_iface *c = cfg_iface_find(&d->cfg, i->name);
		for (int f = 0; f < 2; f++) {
			bool on = d->fam[f].on && c && (f ? c->v6 : c->v4);
			bool want = on && i->ifindex && i->up && i->have[f];
			/* a new part in a proxy (or none): start it over */
			if (i->active[f] && want &&
			    (i->role[f] != c->role || i->domain[f] != c->domain || i->tab[f] != cfg_tab(d, c) ||
			     i->rpart[f] != (c->role != MCAST_ROUTING_UPSTREAM || c->upstream_querier)))
				if_deactivate(d, i, f);
			if (i->active[f] && !want) {
				if_deactivate(d, i, f);
			} else if (want && !i->active[f]) {
				if_activate(d, i, f, c);
			} else if (want && i->vif[f] && d->fam[f].tab[i->tab[f]]->on_demand) {
				pin_sync(d->fam[f].tab[i->tab[f]], i, c); /* (vif always may have changed) */
			}
			if (want && i->active[f] && !mcast_addr_eq(&i->used[f], &i->addr[f])) {
				char a[MCAST_ADDR_STRLEN];
				/* a new address: the querier election runs again */
				if (i->role[f] == MCAST_ROUTING_UPSTREAM)
					mcast_proxy_upstream_set_addr(d->fam[f].px, i->ifindex, &i->addr[f]);
				if (!i->rpart[f] || mcast_router_iface_set_addr(d->fam[f].r, i->ifindex, &i->addr[f]) == 0) {
					i->used[f] = i->addr[f];
					mcast_logf(&d->log, MCAST_LOG_INFO, 0, "%s: %s address now %s", i->name,
						   f ? "MLD" : "IGMP", mcast_addr_str(&i->addr[f], a));
				}
			}
		}
	}
	routes_sync(d);
	sgroups_sync(d);
}

/* ---- runtime routes and static groups (mcastctl) ------------------------------ */

static bool sgroup_same(const struct cfg_sgroup *a, const struct cfg_sgroup *b)
{
	return !strcmp(a->iface, b->iface) && mcast_addr_eq(&a->group, &b->group) &&
	       mcast_addr_eq(&a->source, &b->source);
}

static int need_iface(struct mcastd *d, const char *name, char *why, size_t len)
{
	if (cfg_iface_find(&d->cfg, name))
		return 0;
	size_t k = (size_t)snprintf(why, len, "no interface %s (configured:", name);
	for (unsigned i = 0; i < d->cfg.niface && k < len; i++)
		k += (size_t)snprintf(why + k, len - k, " %s", d->cfg.iface[i].name);
	if (k < len)
		snprintf(why + k, len - k, ")");
	return -1;
}

int mcastd_static_group(struct mcastd *d, bool add, const struct cfg_sgroup *g, char *why, size_t len)
{
	if (need_iface(d, g->iface, why, len) < 0)
		return -1;
	unsigned k = 0;
	while (k < d->nsgroup && !sgroup_same(&d->sgroups[k].g, g))
		k++;
	char a[MCAST_ADDR_STRLEN];
	if (add) {
		if (k < d->nsgroup) {
			snprintf(why, len, "static group %s on %s exists (%s)", mcast_addr_str(&g->group, a), g->iface,
				 d->sgroups[k].runtime ? "added at run time" : "in the configuration file");
			return -1;
		}
		if (d->nsgroup == CFG_MAX_SGROUPS) {
			snprintf(why, len, "too many static groups (at most %d)", CFG_MAX_SGROUPS);
			return -1;
		}
		d->sgroups[d->nsgroup++] = (struct dsgroup){ .g = *g, .runtime = true };
	} else {
		if (k == d->nsgroup || !d->sgroups[k].runtime) {
			snprintf(why, len, k == d->nsgroup ? "no static group %s on %s"
							  : "static group %s on %s is in the configuration file: remove it there and reload",
				 mcast_addr_str(&g->group, a), g->iface);
			return -1;
		}
		struct dsgroup *sg = &d->sgroups[k];
		int f = mcast_addr_is_v4(&sg->g.group) ? 0 : 1;
		if (sg->installed && d->fam[f].on)
			mcast_routing_static_group(d->fam[f].tab[sg->tab]->rt, sg->installed, &sg->g.group, &sg->g.source,
						   false);
		*sg = d->sgroups[--d->nsgroup];
	}
	mcastd_sync(d);
	return 0;
}

int mcastd_route(struct mcastd *d, bool add, const struct cfg_route *r, char *why, size_t len)
{
	char a[MCAST_ADDR_STRLEN], b[MCAST_ADDR_STRLEN];
	if (need_iface(d, r->from, why, len) < 0)
		return -1;
	for (unsigned k = 0; add && k < r->nout; k++)
		if (need_iface(d, r->to[k], why, len) < 0)
			return -1;
	unsigned k = 0;
	while (k < d->nroute && !(mcast_addr_eq(&d->routes[k].r.source, &r->source) &&
				  mcast_addr_eq(&d->routes[k].r.group, &r->group)))
		k++;
	const char *src = mcast_addr_is_unspecified(&r->source) ? "*" : mcast_addr_str(&r->source, a);
	if (add) {
		if (k < d->nroute) {
			snprintf(why, len, "a route for (%s, %s) exists (%s)", src, mcast_addr_str(&r->group, b),
				 d->routes[k].runtime ? "added at run time" : "in the configuration file");
			return -1;
		}
		if (d->nroute == CFG_MAX_ROUTES) {
			snprintf(why, len, "too many routes (at most %d)", CFG_MAX_ROUTES);
			return -1;
		}
		d->routes[d->nroute++] = (struct droute){ .r = *r, .runtime = true };
	} else {
		if (k == d->nroute || !d->routes[k].runtime || strcmp(d->routes[k].r.from, r->from)) {
			snprintf(why, len, k == d->nroute || strcmp(d->routes[k].r.from, r->from)
						   ? "no route for (%s, %s) from %s"
						   : "the route for (%s, %s) from %s is in the configuration file: remove it there and reload",
				 src, mcast_addr_str(&r->group, b), r->from);
			return -1;
		}
		struct droute *x = &d->routes[k];
		int f = mcast_addr_is_v4(&x->r.group) ? 0 : 1;
		if (x->installed && d->fam[f].on)
			mcast_routing_static_del(d->fam[f].tab[x->tab]->rt, &x->r.source, &x->r.group);
		*x = d->routes[--d->nroute];
	}
	mcastd_sync(d);
	return 0;
}

/* ---- netlink ----------------------------------------------------------------- */

static void on_link(void *ctx, const struct lk_link *l, bool gone)
{
	struct mcastd *d = ctx;
	struct dif *i = mcastd_if_by_index(d, l->ifindex);
	if (i && (gone || strcmp(i->name, l->name) != 0)) {
		/* gone, or renamed away: the index no longer means this name */
		for (int f = 0; f < 2; f++)
			if_deactivate(d, i, f);
		i->ifindex = 0;
		i->up = false;
		i->have[0] = i->have[1] = false;
		mcast_logf(&d->log, MCAST_LOG_INFO, 0, "%s: %s", i->name, gone ? "gone" : "renamed");
	}
	if (gone)
		return;
	i = mcastd_if_by_name(d, l->name);
	if (!i)
		return;
	if (i->ifindex != l->ifindex) {
		for (int f = 0; f < 2; f++)
			if_deactivate(d, i, f);
		i->have[0] = i->have[1] = false;
	}
	if (i->up != l->up)
		mcast_logf(&d->log, MCAST_LOG_INFO, 0, "%s: link %s", i->name, l->up ? "up" : "down");
	i->ifindex = l->ifindex;
	i->up = l->up;
	i->mtu = l->mtu;
}

static void on_addr(void *ctx, const struct lk_addr *a, bool gone)
{
	struct mcastd *d = ctx;
	struct dif *i = mcastd_if_by_index(d, a->ifindex);
	if (!i)
		return;
	int f = mcast_addr_is_v4(&a->addr) ? 0 : 1;
	if (f == 0 && a->secondary)
		return;
	if (f == 1 && !mcast_addr_is_link_local(&a->addr))
		return; /* MLD speaks from the link-local address (RFC 3590) */
	if (gone || a->tentative) {
		if (i->have[f] && mcast_addr_eq(&i->addr[f], &a->addr))
			i->have[f] = false;
		return;
	}
	i->have[f] = true;
	i->addr[f] = a->addr;
}

static const struct lk_nl_handler nl_handler = { on_link, on_addr, NULL };

void mcastd_read_netlink(struct mcastd *d)
{
	struct lk_nl_handler h = nl_handler;
	h.ctx = d;
	int rc = lk_nl_read(d->nl, &h);
	if (rc == -ENOBUFS) {
		/* We missed notifications: start over from a dump of every
		 * link and address, then check the kernel's tables (a VIF may
		 * have gone with a device we did not hear about). */
		d->netlink_overruns++;
		mcast_logf(&d->log, MCAST_LOG_WARNING, 0, "netlink overrun: reading every link and address again");
		rc = lk_nl_dump(d->nl, &h);
		for (int f = 0; f < 2; f++)
			for (unsigned k = 0; d->fam[f].on && k < d->fam[f].ntab; k++) {
				d->fam[f].tab[k]->rc.st.resyncs++;
				d->fam[f].tab[k]->rc.audit_soon = true;
			}
	}
	if (rc < 0)
		mcast_logf(&d->log, MCAST_LOG_WARNING, 0, "netlink: %s", strerror(-rc));
	mcastd_sync(d);
}

void mcastd_flush(struct mcastd *d)
{
	for (int f = 0; f < 2; f++)
		for (unsigned k = 0; d->fam[f].on && k < d->fam[f].ntab; k++) {
			struct reconcile *rc = &d->fam[f].tab[k]->rc;
			reconcile_flush(rc);
			if (rc->audit_soon)
				reconcile_audit(rc, "resync");
		}
}

int mcastd_netlink_dump(struct mcastd *d)
{
	struct lk_nl_handler h = nl_handler;
	h.ctx = d;
	int rc = lk_nl_dump(d->nl, &h);
	mcastd_sync(d);
	return rc;
}

/* ---- packets ------------------------------------------------------------------- */

/* An IGMP/MLD datagram that arrived on ifindex, to the engines; from
 * the socket of table tb (NULL: the IGMP tap). */
static void packet_in(struct mcastd *d, int f, struct dtab *tb, unsigned ifindex, const uint8_t *pkt, size_t len)
{
	struct dfam *fm = &d->fam[f];
	struct dif *i = mcastd_if_by_index(d, ifindex);
	if (tb && tb != mcastd_tab_of(d, f, ifindex)) {
		tb->elsewhere++; /* the interface's own table has it too (see the DOC) */
		return;
	}
	if (!i || !i->active[f]) {
		fm->not_ours++; /* an interface we do not run this family on */
		return;
	}
	struct mcast_ip_info ip;
	if (mcast_ip_parse(pkt, len, &ip) != MCAST_DROP_NONE) {
		/* the engine of the interface counts and logs it under its
		 * reason (a proxy upstream's: the host part) */
		if (i->role[f] == MCAST_ROUTING_UPSTREAM)
			mcast_proxy_input(fm->px, ifindex, pkt, len);
		if (i->rpart[f])
			mcast_router_input(fm->r, ifindex, pkt, len);
		return;
	}
	/* Our own reports (the kernel's host side, looped back because we
	 * joined 224.0.0.22 / ff02::16) are not members on the link. */
	if (mcast_addr_eq(&ip.src, &i->addr[f])) {
		fm->own_dropped++;
		return;
	}
	if (i->role[f] == MCAST_ROUTING_UPSTREAM)
		mcast_proxy_input(fm->px, ifindex, pkt, len);
	if (i->rpart[f]) {
		d->cur_host = ip.src; /* (watch: who caused what follows) */
		d->cur_host_set = true;
		mcast_router_input_ip(fm->r, ifindex, &ip);
		d->cur_host_set = false;
	}
}

void mcastd_read_mroute(struct mcastd *d, int f, unsigned tab)
{
	struct dfam *fm = &d->fam[f];
	struct dtab *tb = fm->tab[tab];
	/* Up to 256 messages a turn, LK_RX_BATCH per system call; the clock
	 * is read once per batch (timers due meanwhile fire at the end of
	 * the turn, a few hundred microseconds at most). */
	for (int round = 0; round < 256 / LK_RX_BATCH; round++) {
		struct lk_msg m[LK_RX_BATCH];
		size_t n;
		uint64_t cut = tb->truncated;
		int rc = lk_mroute_recv_batch(&tb->k, tb->rx, m, &n, &tb->truncated);
		if (rc < 0) {
			char tn[32];
			if (rc != -EAGAIN && rc != -EINTR)
				mcast_logf(&d->log, MCAST_LOG_WARNING, 0, "%s receive: %s", mcastd_tab_name(tb, tn),
					   strerror(-rc));
			return;
		}
		if (tb->truncated != cut && mcast_log_wants(&d->log, MCAST_LOG_DEBUG, MCAST_D_DROPS))
			mcast_logf(&d->log, MCAST_LOG_DEBUG, MCAST_D_DROPS,
				   "%s: dropped %llu message(s) larger than %u bytes (oversized_dropped)", fam_name(f),
				   (unsigned long long)(tb->truncated - cut), (unsigned)LK_RX_SLOT);
		mcast_wheel_advance(&d->wheel, mcastd_now());
		for (size_t i = 0; i < n; i++) {
			if (m[i].kind == LK_UPCALL) {
				mcastd_watch_upcall(tb, &m[i].up);
				mcast_routing_upcall(tb->rt, &m[i].up);
			} else if (m[i].kind == LK_PACKET) {
				packet_in(d, f, tb, m[i].ifindex, m[i].pkt, m[i].len);
			}
		}
		if (n < LK_RX_BATCH)
			return; /* the queue is empty */
	}
}

void mcastd_read_tap(struct mcastd *d)
{
	static uint8_t buf[65536];
	for (int n = 0; n < 256; n++) {
		unsigned ifindex = 0;
		int len = lk_igmp_tap_recv(d->tap_fd, buf, sizeof(buf), &ifindex);
		if (len < 0) {
			if (len != -EAGAIN && len != -EINTR)
				mcast_logf(&d->log, MCAST_LOG_WARNING, 0, "IGMP tap receive: %s", strerror(-len));
			return;
		}
		struct dif *i = mcastd_if_by_index(d, ifindex);
		/* with a VIF the routing socket has it already */
		if (!len || !i || !i->active[0] || !i->vif[0] ||
		    mcast_routing_iface_vif(d->fam[0].tab[i->tab[0]]->rt, ifindex, NULL) != MCAST_MR_NO_VIF)
			continue;
		mcast_wheel_advance(&d->wheel, mcastd_now());
		d->tapped++;
		packet_in(d, 0, NULL, ifindex, buf, (size_t)len);
	}
}

/* ---- reload -------------------------------------------------------------------- */

static bool route_same(const struct cfg_route *a, const struct cfg_route *b)
{
	if (strcmp(a->from, b->from) || !mcast_addr_eq(&a->source, &b->source) ||
	    !mcast_addr_eq(&a->group, &b->group) || a->nout != b->nout)
		return false;
	for (unsigned k = 0; k < a->nout; k++)
		if (strcmp(a->to[k], b->to[k]))
			return false;
	return true;
}

/*
 * SIGHUP: the new file replaces the old one only if it is whole. What
 * both files keep (interfaces, routes) stays as it is, with its groups
 * and forwarding entries, so flows the new file keeps are not dropped;
 * interfaces it changes get their new settings in place.
 */
static int reload_apply(struct mcastd *d);

int mcastd_reload(struct mcastd *d)
{
	int rc = reload_apply(d);
	mcastd_watch_reload(d, rc == 0);
	return rc;
}

static int reload_apply(struct mcastd *d)
{
	static struct mcastd_config nc;
	d->reloads++;
	char *msgs = NULL;
	size_t mlen = 0;
	FILE *m = open_memstream(&msgs, &mlen);
	int rc = cfg_load(&nc, d->cfg_path, m);
	if (m)
		fclose(m);
	for (char *s = NULL, *l = msgs ? strtok_r(msgs, "\n", &s) : NULL; l; l = strtok_r(NULL, "\n", &s))
		mcast_logf(&d->log, MCAST_LOG_ERR, 0, "%s", l);
	free(msgs);
	if (rc < 0) {
		d->reload_errors++;
		mcast_logf(&d->log, MCAST_LOG_ERR, 0, "reload: %s has errors; keeping the running configuration",
			   d->cfg_path);
		return -1;
	}
	for (int f = 0; f < 2; f++)
		for (unsigned k = 0; d->fam[f].on && k < d->fam[f].ntab; k++) {
			const struct dtab *tb = d->fam[f].tab[k];
			if (mcastd_vifs_on_demand(&nc, f, tb->id) != tb->on_demand)
				mcast_logf(&d->log, MCAST_LOG_WARNING, 0,
					   "reload: %s VIFs of table %u %s until mcastd restarts (vifs, and the number of "
					   "interfaces, take effect at start)", fam_name(f), tb->id,
					   tb->on_demand ? "stay on demand" : "stay fixed");
		}
	if (strcmp(nc.metrics_listen, d->cfg.metrics_listen))
		mcast_logf(&d->log, MCAST_LOG_WARNING, 0, "reload: metrics-listen stays %s until mcastd restarts",
			   d->cfg.metrics_listen[0] ? d->cfg.metrics_listen : "off");
	if (nc.table != d->cfg.table) {
		d->reload_errors++;
		mcast_logf(&d->log, MCAST_LOG_ERR, 0,
			   "reload: the table cannot change while mcastd runs (%u in the file, %u running); restart "
			   "mcastd for it; keeping the running configuration",
			   nc.table, d->cfg.table);
		return -1;
	}
	/* A table the file names that is not open cannot be opened now: its
	 * socket and VIFs come at start. */
	uint32_t ids[CFG_MAX_TABLES];
	for (unsigned n = cfg_tables(&nc, ids), k = 1; k < n; k++)
		if (mcastd_tab_index(d, ids[k]) < 0) {
			d->reload_errors++;
			mcast_logf(&d->log, MCAST_LOG_ERR, 0,
				   "reload: table %u is new (a proxy's table opens at start); restart mcastd for it; keeping "
				   "the running configuration", ids[k]);
			return -1;
		}
	/* Routes the new file drops. */
	unsigned kept = 0;
	static struct droute nr[CFG_MAX_ROUTES];
	for (unsigned i = 0; i < nc.nroute; i++)
		nr[i] = (struct droute){ .r = nc.route[i] };
	for (unsigned i = 0; i < d->nroute; i++) {
		struct droute *r = &d->routes[i];
		bool found = false;
		if (r->runtime)
			continue; /* below */
		for (unsigned k = 0; k < nc.nroute && !found; k++)
			if (route_same(&r->r, &nc.route[k])) {
				nr[k] = *r;
				nr[k].r = nc.route[k];
				found = true;
				kept++;
			}
		if (!found && r->installed) {
			int f = mcast_addr_is_v4(&r->r.group) ? 0 : 1;
			mcast_routing_static_del(d->fam[f].tab[r->tab]->rt, &r->r.source, &r->r.group);
		}
	}
	/* Interfaces the new file drops. */
	for (unsigned n = 0; n < d->nif; n++) {
		if (cfg_iface_find(&nc, d->ifs[n].name))
			continue;
		for (int f = 0; f < 2; f++)
			if_deactivate(d, &d->ifs[n], f);
		d->ifs[n] = d->ifs[--d->nif];
		n--;
	}
	/* Runtime routes stay unless the file now has their (S,G) or lacks
	 * their interfaces; static groups the same way. */
	unsigned nn = nc.nroute;
	for (unsigned i = 0; i < d->nroute; i++) {
		struct droute *r = &d->routes[i];
		if (!r->runtime)
			continue;
		bool clash = false, ifs_ok = cfg_iface_find(&nc, r->r.from) != NULL;
		for (unsigned k = 0; k < nc.nroute; k++)
			clash |= mcast_addr_eq(&nc.route[k].source, &r->r.source) && mcast_addr_eq(&nc.route[k].group, &r->r.group);
		for (unsigned k = 0; k < r->r.nout; k++)
			ifs_ok = ifs_ok && cfg_iface_find(&nc, r->r.to[k]);
		if (!clash && ifs_ok && nn < CFG_MAX_ROUTES) {
			nr[nn++] = *r;
			continue;
		}
		if (r->installed) {
			int f = mcast_addr_is_v4(&r->r.group) ? 0 : 1;
			mcast_routing_static_del(d->fam[f].tab[r->tab]->rt, &r->r.source, &r->r.group);
		}
		mcast_logf(&d->log, MCAST_LOG_WARNING, 0, "reload: a runtime route from %s goes (%s)", r->r.from,
			   clash ? "the file has a route for its (S,G)" : "an interface of it is gone");
	}
	static struct dsgroup ng[CFG_MAX_SGROUPS];
	unsigned nsg = 0;
	for (unsigned k = 0; k < nc.nsgroup; k++)
		ng[nsg++] = (struct dsgroup){ .g = nc.sgroup[k] };
	for (unsigned i = 0; i < d->nsgroup; i++) {
		struct dsgroup *sg = &d->sgroups[i];
		bool keep = false;
		for (unsigned k = 0; k < nc.nsgroup && !keep; k++)
			if (sgroup_same(&sg->g, &nc.sgroup[k])) {
				ng[k].installed = sg->installed; /* the same group, still installed */
				ng[k].tab = sg->tab;
				keep = true;
			}
		if (!keep && sg->runtime && cfg_iface_find(&nc, sg->g.iface) && nsg < CFG_MAX_SGROUPS) {
			ng[nsg++] = *sg;
			keep = true;
		}
		if (!keep && sg->installed) {
			int f = mcast_addr_is_v4(&sg->g.group) ? 0 : 1;
			mcast_routing_static_group(d->fam[f].tab[sg->tab]->rt, sg->installed, &sg->g.group, &sg->g.source,
						   false);
		}
	}
	memcpy(d->sgroups, ng, sizeof(ng[0]) * nsg);
	d->nsgroup = nsg;
	d->cfg = nc;
	table_rules(d, true); /* the interface list may have changed */
	memcpy(d->routes, nr, sizeof(nr[0]) * nn);
	d->nroute = nn;
	/* Interfaces kept: new settings in place. New ones: learnt below. */
	for (unsigned k = 0; k < nc.niface; k++) {
		struct dif *i = mcastd_if_by_name(d, nc.iface[k].name);
		if (!i) {
			i = &d->ifs[d->nif++];
			memset(i, 0, sizeof(*i));
			i->link_fd[0] = i->link_fd[1] = -1;
			snprintf(i->name, sizeof(i->name), "%s", nc.iface[k].name);
			continue;
		}
		for (int f = 0; f < 2; f++) {
			if (i->rpart[f])
				mcast_router_iface_set_config(d->fam[f].r, i->ifindex, f ? &nc.iface[k].rc6 : &nc.iface[k].rc4);
			/* an upstream whose host settings change reports again */
			struct mcast_host_iface_config hc;
			cfg_upstream_host(&nc, &nc.iface[k], f, i->mtu, &hc);
			if (i->active[f] && i->role[f] == MCAST_ROUTING_UPSTREAM && nc.iface[k].role == MCAST_ROUTING_UPSTREAM &&
			    (hc.force_version != i->hc[f].force_version || hc.robustness != i->hc[f].robustness ||
			     hc.full_report_ms != i->hc[f].full_report_ms)) {
				i->hc[f] = hc;
				mcast_proxy_upstream_set_config(d->fam[f].px, i->ifindex, &hc);
			}
		}
	}
	/* New interfaces need their links: dump again (cheap), then sync;
	 * then check that the kernel holds what the new state wants. */
	mcastd_netlink_dump(d);
	for (int f = 0; f < 2; f++)
		for (unsigned k = 0; d->fam[f].on && k < d->fam[f].ntab; k++) {
			struct reconcile *r = &d->fam[f].tab[k]->rc;
			reconcile_set_interval(r, nc.audit_ms);
			r->st.resyncs++;
			r->audit_soon = true;
		}
	mcast_logf(&d->log, MCAST_LOG_INFO, 0, "reloaded %s: %u interfaces, %u routes (%u kept)", d->cfg_path,
		   nc.niface, nc.nroute, kept);
	return 0;
}

/* ---- daemon-owned memberships ---------------------------------------------------- */

int mcastd_join(struct mcastd *d, const char *iface, const struct mcast_addr *g, const struct mcast_addr *s,
		bool join)
{
	struct dif *i = mcastd_if_by_name(d, iface);
	if (!i || !i->ifindex)
		return -ENODEV;
	int f = mcast_addr_is_v4(g) ? 0 : 1;
	bool ssm = !mcast_addr_is_unspecified(s);
	unsigned k;
	for (k = 0; k < d->njoin; k++)
		if (!strcmp(d->joins[k].iface, iface) && mcast_addr_eq(&d->joins[k].group, g) &&
		    mcast_addr_eq(&d->joins[k].source, s))
			break;
	if (join && k < d->njoin)
		return -EADDRINUSE;
	if (!join && k == d->njoin)
		return -EADDRNOTAVAIL;
	if (join && d->njoin == MAX_JOINS)
		return -ENOBUFS;
	struct sockaddr_storage gs, ss;
	memset(&gs, 0, sizeof(gs));
	memset(&ss, 0, sizeof(ss));
	for (int w = 0; w < 2; w++) {
		const struct mcast_addr *a = w ? s : g;
		struct sockaddr_storage *st = w ? &ss : &gs;
		if (f == 0) {
			struct sockaddr_in *in = (void *)st;
			in->sin_family = AF_INET;
			in->sin_addr.s_addr = htonl(mcast_addr_u32(a));
		} else {
			struct sockaddr_in6 *in6 = (void *)st;
			in6->sin6_family = AF_INET6;
			memcpy(&in6->sin6_addr, a->b, 16);
		}
	}
	int level = f ? IPPROTO_IPV6 : IPPROTO_IP, rc;
	if (ssm) {
		struct group_source_req r = { .gsr_interface = i->ifindex, .gsr_group = gs, .gsr_source = ss };
		rc = setsockopt(d->join_fd[f], level, join ? MCAST_JOIN_SOURCE_GROUP : MCAST_LEAVE_SOURCE_GROUP, &r,
				sizeof(r));
	} else {
		struct group_req r = { .gr_interface = i->ifindex, .gr_group = gs };
		rc = setsockopt(d->join_fd[f], level, join ? MCAST_JOIN_GROUP : MCAST_LEAVE_GROUP, &r, sizeof(r));
	}
	if (rc < 0)
		return -errno;
	if (join) {
		struct djoin *j = &d->joins[d->njoin++];
		snprintf(j->iface, sizeof(j->iface), "%s", iface);
		j->group = *g;
		j->source = *s;
	} else {
		d->joins[k] = d->joins[--d->njoin];
	}
	return 0;
}
