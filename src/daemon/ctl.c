/*
 * DOC: mcastd's control requests
 *
 * One line in, the answer out, then the connection closes (mcastctl is
 * the client; `socat - UNIX:/run/mcastd.sock` works too):
 *
 *   show interfaces|groups|sources|proxy|mfc|vifs|kernel|stats [json]
 *   proc ip_mr_vif|ip_mr_cache|ip6_mr_vif|ip6_mr_cache
 *   join IFACE GROUP [SOURCE] / leave IFACE GROUP [SOURCE]
 *   audit
 *   reload
 *
 * mcastd_control() writes "ok\n" and the body, or "error: REASON\n";
 * the server (ctlsrv.c) frames it as "ok LEN\n" + body.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mcastd.h"

void dbuf_put(struct dbuf *b, const char *s)
{
	size_t n = strlen(s);
	if (b->failed)
		return;
	if (b->len + n + 1 > b->cap) {
		size_t cap = b->cap ? b->cap : 4096;
		while (cap < b->len + n + 1)
			cap *= 2;
		char *p = realloc(b->p, cap);
		if (!p) {
			b->failed = true; /* the server answers with an error, not a cut text */
			return;
		}
		b->p = p;
		b->cap = cap;
	}
	memcpy(b->p + b->len, s, n + 1);
	b->len += n;
}

void dbuf_printf(struct dbuf *b, const char *fmt, ...)
{
	char line[1024];
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	if (n >= (int)sizeof(line)) {
		/* a long line (a JSON object with many fields): format it whole */
		char *big = malloc((size_t)n + 1);
		if (!big) {
			b->failed = true;
			return;
		}
		va_start(ap, fmt);
		vsnprintf(big, (size_t)n + 1, fmt, ap);
		va_end(ap);
		dbuf_put(b, big);
		free(big);
		return;
	}
	dbuf_put(b, line);
}

static void put_line(void *ctx, const char *line)
{
	dbuf_put(ctx, line);
}

static const char *fam_key(int f)
{
	return f ? "ipv6" : "ipv4";
}

static void show_interfaces(struct mcastd *d, struct dbuf *o, bool json)
{
	char a[MCAST_ADDR_STRLEN], q[MCAST_ADDR_STRLEN];
	if (json)
		dbuf_put(o, "[");
	else
		dbuf_put(o, "Interface        Index State Family Address                   Querier                   VIF Groups\n");
	bool first = true;
	for (unsigned n = 0; n < d->nif; n++) {
		struct dif *i = &d->ifs[n];
		for (int f = 0; f < 2; f++) {
			const struct cfg_iface *c = cfg_iface_find(&d->cfg, i->name);
			if (!d->fam[f].on || !c || !(f ? c->v6 : c->v4))
				continue; /* this family is off here */
			struct mcast_router_iface_info info;
			bool act = i->active[f] && mcast_router_iface_info(d->fam[f].r, i->ifindex, &info) == 0;
			struct dtab *tb = i->vif[f] ? d->fam[f].tab[i->tab[f]] : NULL;
			uint16_t vif = tb ? mcast_mr_vif_of(tb->t, i->ifindex) : MCAST_MR_NO_VIF;
			bool waiting = false; /* VIFs on demand: needs one, none free */
			if (tb)
				mcast_routing_iface_vif(tb->rt, i->ifindex, &waiting);
			/* a proxy's upstream (no router part there): its address,
			 * and the provider's querier its host part follows */
			bool upstream = i->active[f] && d->fam[f].px && i->role[f] == MCAST_ROUTING_UPSTREAM;
			struct mcast_addr pq;
			bool has_pq = upstream && mcast_host_querier(mcast_proxy_host(d->fam[f].px), i->ifindex, &pq, NULL) == 0;
			if (json) {
				dbuf_printf(o,
					    "%s{\"name\":\"%s\",\"ifindex\":%u,\"up\":%s,\"family\":\"%s\",\"active\":%s",
					    first ? "" : ",", i->name, i->ifindex, i->up ? "true" : "false", fam_key(f),
					    act ? "true" : "false");
				if (act)
					dbuf_printf(o,
						    ",\"address\":\"%s\",\"querier\":%s,\"querier_address\":\"%s\","
						    "\"groups\":%zu,\"robustness\":%u,\"query_interval_ms\":%u",
						    mcast_addr_str(&i->addr[f], a), info.querier ? "true" : "false",
						    mcast_addr_str(&info.querier_addr, q), info.groups, info.robustness,
						    info.query_interval_ms);
				if (upstream && !act)
					dbuf_printf(o, ",\"address\":\"%s\",\"querier\":false", mcast_addr_str(&i->addr[f], a));
				if (upstream) /* what the proxy's host part follows upstream */
					dbuf_printf(o, ",\"proxy_upstream\":true,\"provider_querier\":%s%s%s",
						    has_pq ? "\"" : "", has_pq ? mcast_addr_str(&pq, q) : "null", has_pq ? "\"" : "");
				if (vif != MCAST_MR_NO_VIF)
					dbuf_printf(o, ",\"vif\":%u", vif);
				else if (waiting)
					dbuf_put(o, ",\"vif\":\"waiting\"");
				if (tb && d->ntab > 1)
					dbuf_printf(o, ",\"table\":%u", tb->id);
				dbuf_put(o, "}");
				first = false;
			} else {
				char v[8] = "-";
				if (waiting)
					snprintf(v, sizeof(v), "wait");
				else if (vif != MCAST_MR_NO_VIF)
					snprintf(v, sizeof(v), "%u", vif);
				const char *qs = act ? (info.querier ? "us" : mcast_addr_str(&info.querier_addr, q)) : "-";
				if (upstream && !act) /* the provider's querier, as the upstream sees it */
					qs = has_pq ? mcast_addr_str(&pq, q) : "none heard";
				char tn[24] = "";
				if (tb && d->ntab > 1)
					snprintf(tn, sizeof(tn), "  (table %u)", tb->id);
				dbuf_printf(o, "%-16s %5u %-5s %-6s %-25s %-25s %-3s %zu%s%s\n", i->name, i->ifindex,
					    !i->ifindex ? "gone" : i->up ? "up" : "down", f ? "MLD" : "IGMP",
					    act || upstream ? mcast_addr_str(&i->addr[f], a) : "-", qs, v,
					    act ? info.groups : (size_t)0, upstream ? "  (proxy upstream)" : "", tn);
			}
		}
	}
	dbuf_put(o, json ? "]\n" : "");
}

/* One counter: in JSON always; as text only when it is not zero, unless
 * all of them are asked for (show stats --all). */
static void stat_line(struct dbuf *o, bool json, bool all, const char *prefix, const char *name, uint64_t v)
{
	if (json)
		dbuf_printf(o, ",\"%s%s\":%llu", prefix, name, (unsigned long long)v);
	else if (v || all)
		dbuf_printf(o, "  %s%-*s %llu\n", prefix, (int)(20 - strlen(prefix)), name, (unsigned long long)v);
}

/* show stats [IFACE] [all]: one interface's counters, or every section. */
static void show_stats(struct mcastd *d, struct dbuf *o, bool json, const char *only, bool all)
{
	dbuf_put(o, json ? "{\"interfaces\":[" : "");
	bool first = true;
	for (unsigned n = 0; n < d->nif; n++) {
		struct dif *i = &d->ifs[n];
		if (only && strcmp(only, i->name))
			continue;
		for (int f = 0; f < 2; f++) {
			struct mcast_router_iface_info info;
			if (!i->active[f] || mcast_router_iface_info(d->fam[f].r, i->ifindex, &info) < 0)
				continue;
			const struct mcast_router_stats *s = info.stats;
			if (json)
				dbuf_printf(o, "%s{\"name\":\"%s\",\"family\":\"%s\"", first ? "" : ",", i->name, fam_key(f));
			else
				dbuf_printf(o, "%s %s:\n", i->name, f ? "MLD" : "IGMP");
			first = false;
			for (size_t k = 0; k < mcast_router_stat_nfields; k++)
				stat_line(o, json, all, "", mcast_router_stat_fields[k].name,
					  mcast_router_stat(s, &mcast_router_stat_fields[k]));
			for (int r = 1; r < MCAST_DROP__COUNT; r++)
				stat_line(o, json, all, "drop_", mcast_drop_name(r), s->drop.count[r]);
			if (json)
				dbuf_put(o, "}");
		}
	}
	if (only) { /* one interface: its sections only */
		dbuf_put(o, json ? "]}\n" : "");
		return;
	}
	dbuf_put(o, json ? "],\"tables\":[" : "");
	first = true;
	for (int f = 0; f < 2; f++) {
		struct dfam *fm = &d->fam[f];
		if (!fm->on)
			continue;
		struct mcastd_counter c[MCASTD_MAX_COUNTERS];
		size_t nc = mcastd_table_counters(d, f, c);
		if (json)
			dbuf_printf(o, "%s{\"family\":\"%s\"", first ? "" : ",", fam_key(f));
		else
			dbuf_printf(o, "%s forwarding:\n", f ? "IPv6" : "IPv4");
		first = false;
		for (size_t k = 0; k < nc; k++)
			stat_line(o, json, all, "", c[k].name, c[k].v);
		if (json)
			dbuf_put(o, "}");
	}
	/* with proxies in tables of their own: each kernel table's part */
	bool opened = false;
	for (unsigned k = 0; d->ntab > 1 && k < d->ntab; k++)
		for (int f = 0; f < 2; f++) {
			if (!d->fam[f].on)
				continue;
			struct dtab *tb = d->fam[f].tab[k];
			struct mcastd_counter c[MCASTD_MAX_COUNTERS];
			size_t nc = mcastd_kernel_table_counters(tb, c);
			if (json)
				dbuf_printf(o, "%s{\"family\":\"%s\",\"table\":%u", opened ? "," : "],\"kernel_tables\":[",
					    fam_key(f), tb->id);
			else
				dbuf_printf(o, "%s table %u:\n", f ? "IPv6" : "IPv4", tb->id);
			opened = true;
			for (size_t j = 0; j < nc; j++)
				stat_line(o, json, all, "", c[j].name, c[j].v);
			if (json)
				dbuf_put(o, "}");
		}
	struct mcastd_counter g[MCASTD_MAX_COUNTERS];
	size_t ng = mcastd_daemon_counters(d, g);
	dbuf_put(o, json ? "]" : "daemon:\n");
	for (size_t k = 0; k < ng; k++)
		stat_line(o, json, all, "", g[k].name, g[k].v);
	if (json)
		dbuf_put(o, "}\n");
}

/* The static routes and static groups: from the file (static) or added
 * at run time, and whether they are in the routing logic now. */
static void show_routes(struct mcastd *d, struct dbuf *o, bool json)
{
	char a[MCAST_ADDR_STRLEN], b[MCAST_ADDR_STRLEN];
	dbuf_put(o, json ? "{\"routes\":[" : "Routes\n");
	for (unsigned i = 0; i < d->nroute; i++) {
		const struct droute *r = &d->routes[i];
		const char *src = mcast_addr_is_unspecified(&r->r.source) ? "*" : mcast_addr_str(&r->r.source, a);
		if (json) {
			dbuf_printf(o, "%s{\"from\":\"%s\",\"source\":\"%s\",\"group\":\"%s\",\"kind\":\"%s\",\"installed\":%s,\"to\":[",
				    i ? "," : "", r->r.from, src, mcast_addr_str(&r->r.group, b), r->runtime ? "runtime" : "static",
				    r->installed ? "true" : "false");
			for (unsigned k = 0; k < r->r.nout; k++)
				dbuf_printf(o, "%s\"%s\"", k ? "," : "", r->r.to[k]);
			dbuf_put(o, "]}");
		} else {
			dbuf_printf(o, "  (%s, %s) from %s to", src, mcast_addr_str(&r->r.group, b), r->r.from);
			for (unsigned k = 0; k < r->r.nout; k++)
				dbuf_printf(o, " %s", r->r.to[k]);
			dbuf_printf(o, "  %s%s\n", r->runtime ? "runtime" : "static", r->installed ? "" : " (not installed: an interface is down)");
		}
	}
	dbuf_put(o, json ? "],\"static_groups\":[" : "Static groups\n");
	for (unsigned i = 0; i < d->nsgroup; i++) {
		const struct dsgroup *g = &d->sgroups[i];
		const char *src = mcast_addr_is_unspecified(&g->g.source) ? "*" : mcast_addr_str(&g->g.source, a);
		if (json)
			dbuf_printf(o, "%s{\"iface\":\"%s\",\"group\":\"%s\",\"source\":\"%s\",\"kind\":\"%s\",\"installed\":%s}",
				    i ? "," : "", g->g.iface, mcast_addr_str(&g->g.group, b), src, g->runtime ? "runtime" : "static",
				    g->installed ? "true" : "false");
		else
			dbuf_printf(o, "  %s %s source %s  %s%s\n", g->g.iface, mcast_addr_str(&g->g.group, b), src,
				    g->runtime ? "runtime" : "static", g->installed ? "" : " (not installed: the interface is down)");
	}
	dbuf_put(o, json ? "]}\n" : "");
}

/* The interfaces of table tb waiting for a VIF, as " a b" or "\"a\",\"b\"".
 * How many. */
static unsigned waiting_list(struct mcastd *d, struct dbuf *o, struct dtab *tb, bool json)
{
	unsigned k = 0;
	int f = tb->fm->f == MCAST_AF_INET6;
	for (unsigned n = 0; n < d->nif; n++) {
		const struct dif *i = &d->ifs[n];
		bool waiting = false;
		if (!i->vif[f] || tb->fm->tab[i->tab[f]] != tb ||
		    mcast_routing_iface_vif(tb->rt, i->ifindex, &waiting) != MCAST_MR_NO_VIF || !waiting)
			continue;
		dbuf_printf(o, json ? "%s\"%s\"" : "%s%s", json ? (k ? "," : "") : " ", i->name);
		k++;
	}
	return k;
}

/*
 * A dump per running family of every kernel table: mcastd's own as
 * {"ipv4":...,"ipv6":...} in JSON; with proxies in tables of their own,
 * then "tables":[{"table":N,"ipv4":...,"ipv6":...}], and as text each
 * under a "Table N" line.
 */
static void show_per_table(struct mcastd *d, struct dbuf *o, bool json,
			   void (*dump)(struct dtab *tb, bool json, struct dbuf *o))
{
	if (json)
		dbuf_put(o, "{");
	for (unsigned k = 0; k < d->ntab; k++) {
		if (k == 1)
			dbuf_put(o, json ? ",\"tables\":[" : "");
		if (k)
			dbuf_printf(o, json ? "%s{\"table\":%u" : "%s\nTable %u (a proxy's own):\n", json && k > 1 ? "," : "",
				    d->tab_id[k]);
		bool first = true;
		for (int f = 0; f < 2; f++) {
			if (!d->fam[f].on)
				continue;
			if (json)
				dbuf_printf(o, "%s\"%s\":", first && !k ? "" : ",", fam_key(f));
			else if (!first)
				dbuf_put(o, "\n");
			dump(d->fam[f].tab[k], json, o);
			first = false;
		}
		if (k && json)
			dbuf_put(o, "}");
	}
	if (json)
		dbuf_put(o, d->ntab > 1 ? "]}\n" : "}\n");
}

static void dump_mfc(struct dtab *tb, bool json, struct dbuf *o)
{
	if (json)
		mcast_mr_dump_json(tb->t, put_line, o);
	else
		mcast_mr_dump_text_cache(tb->t, put_line, o);
}

static void dump_vifs(struct dtab *tb, bool json, struct dbuf *o)
{
	if (json) {
		/* VIFs on demand: the interfaces that need one, none free */
		mcast_mr_dump_json(tb->t, put_line, o);
		dbuf_printf(o, ",\"%s_waiting\":[", fam_key(tb->fm->f == MCAST_AF_INET6));
		waiting_list(tb->fm->d, o, tb, true);
		dbuf_put(o, "]");
		return;
	}
	/* for people; the kernel's raw form: mcastctl --proc */
	mcast_mr_dump_text_vif(tb->t, put_line, o);
	if (tb->on_demand) {
		dbuf_put(o, "Waiting for a VIF (on demand, none free):");
		if (!waiting_list(tb->fm->d, o, tb, false))
			dbuf_put(o, " none");
		dbuf_put(o, "\n");
	}
}

/* A dump per running family, as {"ipv4":...,"ipv6":...} in JSON. */
static void show_per_family(struct mcastd *d, struct dbuf *o, bool json,
			    void (*dump)(struct dfam *fm, bool json, struct dbuf *o))
{
	if (json)
		dbuf_put(o, "{");
	bool first = true;
	for (int f = 0; f < 2; f++) {
		if (!d->fam[f].on)
			continue;
		if (json)
			dbuf_printf(o, "%s\"%s\":", first ? "" : ",", fam_key(f));
		dump(&d->fam[f], json, o);
		first = false;
	}
	if (json)
		dbuf_put(o, "}\n");
}

static void dump_groups(struct dfam *fm, bool json, struct dbuf *o)
{
	if (json)
		mcast_router_dump_json(fm->r, put_line, o);
	else
		mcast_router_dump_text(fm->r, put_line, o);
}

static void dump_proxy(struct dfam *fm, bool json, struct dbuf *o)
{
	if (json)
		mcast_proxy_dump_json(fm->px, put_line, o);
	else
		mcast_proxy_dump_text(fm->px, put_line, o);
}

/* What the kernel holds against what we want, entry by entry, from a
 * fresh dump: installed, missing, different (both repaired by the next
 * audit), failing (a call refused, retried with backoff) or stale. */
struct kernel_view {
	struct dtab *tb;
	struct dbuf *o;
	bool json, first;
	const struct lk_mfc *kv;
	size_t kn;
	size_t installed, missing, differs;
	uint8_t *seen;
};

static void kernel_one(void *arg, const struct mcast_mfc_params *p)
{
	struct kernel_view *v = arg;
	const struct lk_mfc *k = reconcile_kernel_find(v->kv, v->kn, &p->source, &p->group);
	if (k)
		v->seen[k - v->kv] = 1;
	enum reconcile_diff dif = reconcile_compare(&v->tb->rc, p, k);
	const char *state = dif == RECONCILE_INSTALLED ? "installed" : dif == RECONCILE_MISSING ? "missing" : "differs";
	*(dif == RECONCILE_INSTALLED ? &v->installed : dif == RECONCILE_MISSING ? &v->missing : &v->differs) += 1;
	char a[MCAST_ADDR_STRLEN], b[MCAST_ADDR_STRLEN];
	if (v->json)
		dbuf_printf(v->o, "%s{\"source\":\"%s\",\"group\":\"%s\",\"state\":\"%s\"}", v->first ? "" : ",",
			    mcast_addr_str(&p->source, a), mcast_addr_str(&p->group, b), state);
	else
		dbuf_printf(v->o, "  (%s, %s) %s\n", mcast_addr_str(&p->source, a), mcast_addr_str(&p->group, b), state);
	v->first = false;
}

static void dump_kernel(struct dtab *tb, bool json, struct dbuf *o)
{
	struct dfam *fm = tb->fm;
	reconcile_flush(&tb->rc); /* what this turn changed, written first */
	struct lk_mfc *kv = NULL;
	size_t kn = 0;
	int r = reconcile_read_kernel(&tb->rc, &kv, &kn);
	if (r < 0) {
		dbuf_printf(o, json ? "{\"error\":\"%s\"}" : "  cannot read the kernel's table: %s\n", strerror(-r));
		return;
	}
	struct kernel_view v = { tb, o, json, true, kv, kn, 0, 0, 0, calloc(kn ? kn : 1, 1) };
	if (!v.seen) {
		free(kv);
		o->failed = true;
		return;
	}
	dbuf_put(o, json ? "{\"entries\":[" : "");
	char tn[32];
	if (!json)
		dbuf_printf(o, "%s: entries wanted %zu, audit every %u s, last %llu s ago\n",
			    mcastd_tab_name(tb, tn), mcast_mr_mfc_count(tb->t),
			    (unsigned)(tb->rc.audit_ms / 1000),
			    tb->rc.st.audits ? (unsigned long long)((fm->d->wheel.now_ms - tb->rc.last_audit_ms) / 1000) : 0ull);
	mcast_mr_mfc_walk(tb->t, kernel_one, &v);
	size_t stale = 0;
	char a[MCAST_ADDR_STRLEN], b[MCAST_ADDR_STRLEN];
	for (size_t i = 0; i < kn; i++) {
		if (v.seen[i])
			continue;
		stale++;
		if (json)
			dbuf_printf(o, "%s{\"source\":\"%s\",\"group\":\"%s\",\"state\":\"stale\"}", v.first ? "" : ",",
				    mcast_addr_str(&kv[i].source, a), mcast_addr_str(&kv[i].group, b));
		else
			dbuf_printf(o, "  (%s, %s) stale (in the kernel, wanted by nobody)\n",
				    mcast_addr_str(&kv[i].source, a), mcast_addr_str(&kv[i].group, b));
		v.first = false;
	}
	if (json) {
		dbuf_put(o, "],\"failing\":[");
		reconcile_show_pending(&tb->rc, o, true);
		dbuf_printf(o, "],\"installed\":%zu,\"missing\":%zu,\"differs\":%zu,\"stale\":%zu,\"pending\":%zu,"
			       "\"audit_interval_ms\":%llu,\"audits\":%llu}",
			    v.installed, v.missing, v.differs, stale, reconcile_pending_count(&tb->rc),
			    (unsigned long long)tb->rc.audit_ms, (unsigned long long)tb->rc.st.audits);
	} else {
		reconcile_show_pending(&tb->rc, o, false);
		dbuf_printf(o, "  installed %zu, missing %zu, different %zu, stale %zu, failing %zu\n", v.installed,
			    v.missing, v.differs, stale, reconcile_pending_count(&tb->rc));
	}
	free(v.seen);
	free(kv);
}

static int join_args(char **tok, int n, struct mcast_addr *g, struct mcast_addr *s)
{
	if (n != 3 && n != 4)
		return -1;
	if (mcast_addr_parse(g, tok[2]) < 0 || !mcast_addr_is_multicast(g))
		return -1;
	*s = mcast_addr_is_v4(g) ? mcast_addr_any4 : mcast_addr_any6;
	if (n == 4 && (mcast_addr_parse(s, tok[3]) < 0 || !mcast_addr_is_valid_source(s) ||
		       mcast_addr_family(s) != mcast_addr_family(g)))
		return -1;
	return 0;
}


/* explain S G [IFACE]: the routing logic's reasons (libmcast), then what
 * only mcastd knows: the access list, the SSM range, limits hit, and
 * whether the kernel holds the entry. */
static void explain(struct mcastd *d, struct dbuf *o, char **tok, int n, bool json)
{
	struct mcast_addr s, g;
	const char *only = n >= 4 ? tok[3] : NULL;
	if (n < 3 || n > 4 || mcast_addr_parse(&s, tok[1]) < 0 || mcast_addr_parse(&g, tok[2]) < 0 ||
	    mcast_addr_family(&s) != mcast_addr_family(&g) || !mcast_addr_is_multicast(&g)) {
		dbuf_put(o, "error: usage: explain SOURCE GROUP [IFACE] (a unicast source and a group of one family)\n");
		return;
	}
	if (only && !mcastd_if_by_name(d, only)) {
		dbuf_printf(o, "error: no interface %s in the configuration\n", only);
		return;
	}
	int f = mcast_addr_is_v4(&g) ? 0 : 1;
	struct dfam *fm = &d->fam[f];
	if (!fm->on) {
		dbuf_printf(o, "error: %s is off\n", f ? "MLD" : "IGMP");
		return;
	}
	static struct mcast_explain_iface ifs[CFG_MAX_IFACES];
	struct mcast_explain e;
	/* Which kernel table: the named interface's; else the first that
	 * holds an entry for it (a proxy's own table may), else mcastd's. */
	struct dtab *tb = NULL;
	if (only) {
		struct dif *oi = mcastd_if_by_name(d, only);
		tb = oi->active[f] ? fm->tab[oi->tab[f]] : mcastd_tab_of(d, f, oi->ifindex);
	}
	for (unsigned k = 0; !tb && k < fm->ntab; k++) {
		mcast_routing_explain(fm->tab[k]->rt, &s, &g, &e, ifs, CFG_MAX_IFACES);
		if (e.entry)
			tb = fm->tab[k];
	}
	if (!tb)
		tb = fm->tab[0];
	mcast_routing_explain(tb->rt, &s, &g, &e, ifs, CFG_MAX_IFACES);
	struct mcast_mfc_stats ks;
	const struct mcast_addr *ks_src = e.wildcard ? (f ? &mcast_addr_any6 : &mcast_addr_any4) : &s;
	reconcile_flush(&tb->rc); /* what this turn changed, written first */
	bool kernel = e.entry && lk_mfc_stats(&tb->k, ks_src, &g, &ks) == 0;
	char a[MCAST_ADDR_STRLEN], b[MCAST_ADDR_STRLEN];
	dbuf_put(o, "ok\n");
	if (d->ntab > 1 && !json)
		dbuf_printf(o, "in table %u%s\n", tb->id, tb == fm->tab[0] ? " (mcastd's own)" : " (a proxy's own)");
	if (json) {
		const char *in = NULL;
		for (size_t i = 0; i < e.n && i < CFG_MAX_IFACES; i++)
			if (ifs[i].ifindex == e.in_ifindex)
				in = ifs[i].name;
		dbuf_printf(o, "{\"source\":\"%s\",\"group\":\"%s\",\"table\":%u,\"entry\":%s,\"wildcard\":%s,\"static_route\":%s,"
			       "\"input\":%s%s%s,\"input_why\":\"%s\",\"packets\":%llu,\"wrong_interface\":%llu,\"kernel\":%s,"
			       "\"interfaces\":[",
			    mcast_addr_str(&s, a), mcast_addr_str(&g, b), tb->id, e.entry ? "true" : "false",
			    e.wildcard ? "true" : "false", e.static_route ? "true" : "false", in ? "\"" : "", in ? in : "null",
			    in ? "\"" : "", e.in_why, (unsigned long long)e.stats.pkts, (unsigned long long)e.stats.wrong_if,
			    kernel ? "true" : "false");
	} else {
		mcast_routing_explain_text(&e, ifs, &s, &g, only, put_line, o);
	}
	bool first = true;
	for (size_t i = 0; i < e.n && i < CFG_MAX_IFACES; i++) {
		const struct mcast_explain_iface *x = &ifs[i];
		if (only && strcmp(only, x->name))
			continue;
		const struct cfg_iface *c = cfg_iface_find(&d->cfg, x->name);
		const struct mcast_router_config *rc = c ? (f ? &c->rc6 : &c->rc4) : NULL;
		bool acl = !cfg_acl_allows(&d->cfg, x->name, &g, &s);
		bool ssm = false;
		for (unsigned k = 0; rc && k < rc->nssm; k++)
			ssm |= mcast_prefix_contains(&rc->ssm[k], &g);
		struct mcast_router_iface_info ii;
		uint64_t lim = 0, ssm_ignored = 0;
		if (mcast_router_iface_info(fm->r, x->ifindex, &ii) == 0) {
			lim = ii.stats->group_limit + ii.stats->source_limit + ii.stats->total_source_limit +
			      ii.stats->host_limit;
			ssm_ignored = ii.stats->ssm_ignored;
		}
		if (json) {
			dbuf_printf(o, "%s{\"name\":\"%s\",\"why\":\"%s\",\"forwards\":%s,\"forwarded\":%s,", first ? "" : ",",
				    x->name, mcast_why_name(x->why), mcast_why_forwards(x->why) ? "true" : "false",
				    x->forwarded ? "true" : "false");
			if (x->vif == MCAST_MR_NO_VIF)
				dbuf_printf(o, "\"vif\":%s,", x->waiting ? "\"waiting\"" : "null");
			else
				dbuf_printf(o, "\"vif\":%u,\"threshold\":%u,", x->vif, x->threshold);
			dbuf_printf(o, "\"role\":\"%s\",\"querier\":%s,\"querier_address\":\"%s\",\"access_denied\":%s,"
				       "\"ssm_range\":%s,\"limits_hit\":%llu,",
				    x->role == MCAST_ROUTING_UPSTREAM ? "upstream" : x->role == MCAST_ROUTING_DOWNSTREAM ? "downstream" : "router",
				    x->querier ? "true" : "false", mcast_addr_str(&x->querier_addr, a), acl ? "true" : "false",
				    ssm ? "true" : "false", (unsigned long long)lim);
			if (x->has_group)
				dbuf_printf(o, "\"membership\":{\"mode\":\"%s\",\"group_timer_ms\":%llu,\"source\":\"%s\","
					       "\"source_timer_ms\":%llu,\"compat\":%u}}",
					    x->exclude ? "exclude" : "include", (unsigned long long)x->group_timer_ms,
					    !x->source_listed ? "not listed" : x->source_timer_ms ? "listed" : "excluded",
					    (unsigned long long)x->source_timer_ms, x->compat);
			else
				dbuf_put(o, "\"membership\":null}");
			first = false;
			continue;
		}
		if (acl)
			dbuf_printf(o, "  %-15s note: the access list denies (%s, %s) here: reports for it are refused\n",
				    x->name, mcast_addr_str(&s, a), mcast_addr_str(&g, b));
		if (ssm && x->why == MCAST_WHY_NO_LISTENER)
			dbuf_printf(o, "  %-15s note: %s is in the SSM range: only source-specific joins count (%llu any-source requests ignored here)\n",
				    x->name, mcast_addr_str(&g, b), (unsigned long long)ssm_ignored);
		if (lim && !mcast_why_forwards(x->why) && x->why != MCAST_WHY_INPUT)
			dbuf_printf(o, "  %-15s note: limits refused %llu groups, sources or hosts here (show stats %s)\n",
				    x->name, (unsigned long long)lim, x->name);
	}
	if (json) {
		dbuf_put(o, "]}\n");
		return;
	}
	if (e.entry)
		dbuf_printf(o, "kernel: %s\n", kernel ? "the entry is installed" : "the entry is NOT installed (see show kernel)");
}

void mcastd_control(struct mcastd *d, char *req, struct dbuf *o)
{
	char *tok[48];
	int n = 0;
	for (char *s = NULL, *t = strtok_r(req, " \t\r\n", &s); t; t = strtok_r(NULL, " \t\r\n", &s)) {
		if (n == 48) {
			dbuf_put(o, "error: too many words in the request (at most 48)\n");
			return;
		}
		tok[n++] = t;
	}
	bool json = n >= 3 && !strcmp(tok[n - 1], "json");
	if (n >= 2 && !strcmp(tok[0], "show")) {
		const char *w = tok[1];
		if (!strcmp(w, "interfaces")) {
			dbuf_put(o, "ok\n");
			show_interfaces(d, o, json);
		} else if (!strcmp(w, "groups") || !strcmp(w, "sources")) {
			dbuf_put(o, "ok\n");
			show_per_family(d, o, json, dump_groups);
			/* static groups: a listener that is always there */
			for (unsigned k = 0; !json && k < d->nsgroup; k++) {
				char a[MCAST_ADDR_STRLEN], b[MCAST_ADDR_STRLEN];
				const struct dsgroup *g = &d->sgroups[k];
				dbuf_printf(o, "%s  %s %s source %s  static%s\n", k ? "" : "static groups:\n", g->g.iface,
					    mcast_addr_str(&g->g.group, a),
					    mcast_addr_is_unspecified(&g->g.source) ? "*" : mcast_addr_str(&g->g.source, b),
					    g->runtime ? " (runtime)" : "");
			}
		} else if (!strcmp(w, "proxy")) {
			dbuf_put(o, "ok\n");
			show_per_family(d, o, json, dump_proxy);
		} else if (!strcmp(w, "mfc") || !strcmp(w, "vifs")) {
			dbuf_put(o, "ok\n");
			show_per_table(d, o, json, !strcmp(w, "vifs") ? dump_vifs : dump_mfc);
		} else if (!strcmp(w, "routes")) {
			dbuf_put(o, "ok\n");
			show_routes(d, o, json);
		} else if (!strcmp(w, "kernel")) {
			dbuf_put(o, "ok\n");
			show_per_table(d, o, json, dump_kernel);
		} else if (!strcmp(w, "stats")) {
			/* show stats [IFACE] [all] [json] */
			const char *only = NULL;
			bool all = false;
			for (int k = 2; k < n - (json ? 1 : 0); k++) {
				if (!strcmp(tok[k], "all"))
					all = true;
				else
					only = tok[k];
			}
			if (only && !mcastd_if_by_name(d, only)) {
				dbuf_printf(o, "error: no interface %s in the configuration\n", only);
				return;
			}
			dbuf_put(o, "ok\n");
			show_stats(d, o, json, only, all);
		} else {
			dbuf_printf(o, "error: nothing called %s to show (interfaces, groups, sources, proxy, routes, mfc, vifs, kernel, stats)\n", w);
		}
		return;
	}
	if (n == 2 && !strcmp(tok[0], "proc")) {
		int f = !strncmp(tok[1], "ip6_", 4) ? 1 : 0;
		bool vif = !strcmp(tok[1], "ip_mr_vif") || !strcmp(tok[1], "ip6_mr_vif");
		bool cache = !strcmp(tok[1], "ip_mr_cache") || !strcmp(tok[1], "ip6_mr_cache");
		if (!vif && !cache) {
			dbuf_printf(o, "error: no /proc view %s (ip_mr_vif, ip_mr_cache, ip6_mr_vif, ip6_mr_cache)\n", tok[1]);
			return;
		}
		if (!d->fam[f].on) {
			dbuf_printf(o, "error: %s is not routed by this daemon\n", f ? "IPv6" : "IPv4");
			return;
		}
		dbuf_put(o, "ok\n");
		/* (mcastd's own table: a proxy's own table has no file either) */
		if (vif)
			mcast_mr_dump_proc_vif(d->fam[f].tab[0]->t, put_line, o);
		else
			mcast_mr_dump_proc_cache(d->fam[f].tab[0]->t, put_line, o);
		return;
	}
	if (n >= 1 && (!strcmp(tok[0], "join") || !strcmp(tok[0], "leave"))) {
		struct mcast_addr g, s;
		if (join_args(tok, n, &g, &s) < 0) {
			dbuf_printf(o, "error: usage: %s IFACE GROUP [SOURCE]\n", tok[0]);
			return;
		}
		int rc = mcastd_join(d, tok[1], &g, &s, !strcmp(tok[0], "join"));
		if (rc == -ENODEV)
			dbuf_printf(o, "error: %s: no such configured interface present\n", tok[1]);
		else if (rc < 0)
			dbuf_printf(o, "error: %s %s on %s: %s\n", tok[0], tok[2], tok[1], strerror(-rc));
		else
			dbuf_put(o, "ok\n");
		return;
	}
	if (n >= 2 && !strcmp(tok[0], "static-group") && (!strcmp(tok[1], "add") || !strcmp(tok[1], "del"))) {
		/* static-group add|del IFACE GROUP [SOURCE] */
		struct cfg_sgroup g;
		char why[256];
		if (cfg_sgroup_parse(&g, tok + 2, n - 2, why, sizeof(why)) < 0 ||
		    mcastd_static_group(d, tok[1][0] == 'a', &g, why, sizeof(why)) < 0)
			dbuf_printf(o, "error: %s\n", why);
		else
			dbuf_put(o, "ok\n");
		return;
	}
	if (n >= 2 && !strcmp(tok[0], "route") && (!strcmp(tok[1], "add") || !strcmp(tok[1], "del"))) {
		/* route add IIF [SOURCE] GROUP OIF...; route del IIF [SOURCE] GROUP */
		bool add = tok[1][0] == 'a';
		struct cfg_route r;
		char why[512];
		memset(&r, 0, sizeof(r));
		int k = 2;
		if (k >= n) {
			dbuf_put(o, add ? "error: usage: route add IIF [SOURCE] GROUP OIF...\n" : "error: usage: route del IIF [SOURCE] GROUP\n");
			return;
		}
		snprintf(r.from, sizeof(r.from), "%s", tok[k++]);
		/* a source when two addresses follow the incoming interface */
		struct mcast_addr a, next;
		bool src = k + 1 < n && mcast_addr_parse(&a, tok[k]) == 0 && mcast_addr_parse(&next, tok[k + 1]) == 0;
		if (src) {
			if (!mcast_addr_is_valid_source(&a)) {
				dbuf_printf(o, "error: bad source %s (a unicast address)\n", tok[k]);
				return;
			}
			r.source = a;
			k++;
		}
		if (k >= n || mcast_addr_parse(&r.group, tok[k]) < 0 || !mcast_addr_is_multicast(&r.group)) {
			dbuf_printf(o, "error: bad group %s (a multicast address)\n", k < n ? tok[k] : "(none)");
			return;
		}
		if (src && mcast_addr_family(&r.source) != mcast_addr_family(&r.group)) {
			dbuf_printf(o, "error: source %s and group %s are of different families\n", tok[k - 1], tok[k]);
			return;
		}
		if (!src)
			r.source = mcast_addr_is_v4(&r.group) ? mcast_addr_any4 : mcast_addr_any6;
		for (k++; k < n && r.nout < CFG_MAX_OUT; k++) {
			if (!strcmp(tok[k], r.from)) {
				dbuf_printf(o, "error: %s is the incoming interface and cannot be an output\n", tok[k]);
				return;
			}
			snprintf(r.to[r.nout++], sizeof(r.to[0]), "%s", tok[k]);
		}
		if ((add && (r.nout == 0 || k < n)) || (!add && r.nout)) {
			dbuf_put(o, add ? "error: usage: route add IIF [SOURCE] GROUP OIF... (1 to 32 outputs)\n"
				       : "error: usage: route del IIF [SOURCE] GROUP\n");
			return;
		}
		if (mcastd_route(d, add, &r, why, sizeof(why)) < 0)
			dbuf_printf(o, "error: %s\n", why);
		else
			dbuf_put(o, "ok\n");
		return;
	}
	if (n >= 1 && !strcmp(tok[0], "explain")) {
		explain(d, o, tok, json ? n - 1 : n, json);
		return;
	}
	if (n == 1 && !strcmp(tok[0], "metrics")) {
		dbuf_put(o, "ok\n");
		mcastd_metrics(d, o);
		return;
	}
	if (n == 1 && !strcmp(tok[0], "audit")) {
		int bad = 0;
		for (int f = 0; f < 2; f++)
			for (unsigned k = 0; d->fam[f].on && k < d->fam[f].ntab; k++)
				if (reconcile_audit(&d->fam[f].tab[k]->rc, "asked") < 0)
					bad++;
		if (bad)
			dbuf_put(o, "error: the audit could not read the kernel's tables (see the log)\n");
		else
			dbuf_put(o, "ok\n");
		return;
	}
	if (n == 1 && !strcmp(tok[0], "reload")) {
		dbuf_put(o, mcastd_reload(d) == 0 ? "ok\n" : "error: the file has errors (see the log); nothing changed\n");
		return;
	}
	dbuf_printf(o, "error: unknown request %s\n", n ? tok[0] : "(empty)");
}
