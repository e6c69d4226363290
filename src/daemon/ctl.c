/*
 * DOC: mcastd's control requests
 *
 * One line in, the answer out, then the connection closes (mcastctl is
 * the client; `socat - UNIX:/run/mcastd.sock` works too):
 *
 *   show interfaces|groups|sources|proxy|mfc|vifs|stats [json]
 *   proc ip_mr_vif|ip_mr_cache|ip6_mr_vif|ip6_mr_cache
 *   join IFACE GROUP [SOURCE] / leave IFACE GROUP [SOURCE]
 *   reload
 *
 * The first line of an answer is "ok" or "error: REASON".
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
	if (b->len + n + 1 > b->cap) {
		size_t cap = b->cap ? b->cap : 4096;
		while (cap < b->len + n + 1)
			cap *= 2;
		char *p = realloc(b->p, cap);
		if (!p)
			return;
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
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
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
			uint16_t vif = i->vif[f] ? mcast_mr_vif_of(d->fam[f].t, i->ifindex) : MCAST_MR_NO_VIF;
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
				if (vif != MCAST_MR_NO_VIF)
					dbuf_printf(o, ",\"vif\":%u", vif);
				dbuf_put(o, "}");
				first = false;
			} else {
				char v[8] = "-";
				if (vif != MCAST_MR_NO_VIF)
					snprintf(v, sizeof(v), "%u", vif);
				dbuf_printf(o, "%-16s %5u %-5s %-6s %-25s %-25s %-3s %zu\n", i->name, i->ifindex,
					    !i->ifindex ? "gone" : i->up ? "up" : "down", f ? "MLD" : "IGMP",
					    act ? mcast_addr_str(&i->addr[f], a) : "-",
					    act ? (info.querier ? "us" : mcast_addr_str(&info.querier_addr, q)) : "-", v,
					    act ? info.groups : (size_t)0);
			}
		}
	}
	dbuf_put(o, json ? "]\n" : "");
}

static void show_stats(struct mcastd *d, struct dbuf *o, bool json)
{
	dbuf_put(o, json ? "{\"interfaces\":[" : "");
	bool first = true;
	for (unsigned n = 0; n < d->nif; n++) {
		struct dif *i = &d->ifs[n];
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
				dbuf_printf(o, json ? ",\"%s\":%llu" : "  %-20s %llu\n", mcast_router_stat_fields[k].name,
					    (unsigned long long)mcast_router_stat(s, &mcast_router_stat_fields[k]));
			for (int r = 1; r < MCAST_DROP__COUNT; r++)
				dbuf_printf(o, json ? ",\"drop_%s\":%llu" : "  drop_%-15s %llu\n", mcast_drop_name(r),
					    (unsigned long long)s->drop.count[r]);
			if (json)
				dbuf_put(o, "}");
		}
	}
	dbuf_put(o, json ? "],\"tables\":[" : "");
	first = true;
	for (int f = 0; f < 2; f++) {
		struct dfam *fm = &d->fam[f];
		if (!fm->on)
			continue;
		const struct mcast_mr_stats *m = mcast_mr_stats(fm->t);
		const struct mcast_routing_stats *r = mcast_routing_stats(fm->rt);
		struct {
			const char *name;
			uint64_t v;
		} c[] = {
			{ "upcalls_nocache", r->nocache },   { "upcalls_wrongvif", r->wrongvif },
			{ "entries_installed", r->installed }, { "entries_updated", r->updated },
			{ "entries_removed", r->removed },   { "routing_errors", r->errors },
			{ "kernel_errors", fm->k.errors },   { "own_reports_ignored", fm->own_dropped },
			{ "other_interfaces", fm->not_ours },
			{ "mfc_entries", mcast_mr_mfc_count(fm->t) }, { "table_input", m->input },
		};
		if (json)
			dbuf_printf(o, "%s{\"family\":\"%s\"", first ? "" : ",", fam_key(f));
		else
			dbuf_printf(o, "%s forwarding:\n", f ? "IPv6" : "IPv4");
		first = false;
		for (size_t k = 0; k < sizeof(c) / sizeof(c[0]); k++)
			dbuf_printf(o, json ? ",\"%s\":%llu" : "  %-20s %llu\n", c[k].name, (unsigned long long)c[k].v);
		if (json)
			dbuf_put(o, "}");
	}
	if (json)
		dbuf_printf(o, "],\"reloads\":%llu,\"reload_errors\":%llu}\n", (unsigned long long)d->reloads,
			    (unsigned long long)d->reload_errors);
	else
		dbuf_printf(o, "reloads %llu, failed %llu\n", (unsigned long long)d->reloads,
			    (unsigned long long)d->reload_errors);
}

static void show_tables(struct mcastd *d, struct dbuf *o, bool json, bool vifs)
{
	if (json)
		dbuf_put(o, "{");
	bool first = true;
	for (int f = 0; f < 2; f++) {
		struct dfam *fm = &d->fam[f];
		if (!fm->on)
			continue;
		if (json) {
			dbuf_printf(o, "%s\"%s\":", first ? "" : ",", fam_key(f));
			mcast_mr_dump_json(fm->t, put_line, o);
		} else if (vifs) {
			mcast_mr_dump_proc_vif(fm->t, put_line, o);
		} else {
			mcast_mr_dump_proc_cache(fm->t, put_line, o);
		}
		first = false;
	}
	if (json)
		dbuf_put(o, "}\n");
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

static int join_args(char **tok, int n, struct mcast_addr *g, struct mcast_addr *s)
{
	if (n != 3 && n != 4)
		return -1;
	if (mcast_addr_parse(g, tok[2]) < 0 || !mcast_addr_is_multicast(g))
		return -1;
	*s = mcast_addr_is_v4(g) ? mcast_addr_any4 : mcast_addr_any6;
	if (n == 4 && (mcast_addr_parse(s, tok[3]) < 0 || !mcast_addr_is_unicast(s) ||
		       mcast_addr_family(s) != mcast_addr_family(g)))
		return -1;
	return 0;
}

void mcastd_control(struct mcastd *d, char *req, struct dbuf *o)
{
	char *tok[8];
	int n = 0;
	for (char *s = NULL, *t = strtok_r(req, " \t\r\n", &s); t && n < 8; t = strtok_r(NULL, " \t\r\n", &s))
		tok[n++] = t;
	bool json = n >= 3 && !strcmp(tok[n - 1], "json");
	if (n >= 2 && !strcmp(tok[0], "show")) {
		const char *w = tok[1];
		if (!strcmp(w, "interfaces")) {
			dbuf_put(o, "ok\n");
			show_interfaces(d, o, json);
		} else if (!strcmp(w, "groups") || !strcmp(w, "sources")) {
			dbuf_put(o, "ok\n");
			show_per_family(d, o, json, dump_groups);
		} else if (!strcmp(w, "proxy")) {
			dbuf_put(o, "ok\n");
			show_per_family(d, o, json, dump_proxy);
		} else if (!strcmp(w, "mfc") || !strcmp(w, "vifs")) {
			dbuf_put(o, "ok\n");
			show_tables(d, o, json, !strcmp(w, "vifs"));
		} else if (!strcmp(w, "stats")) {
			dbuf_put(o, "ok\n");
			show_stats(d, o, json);
		} else {
			dbuf_printf(o, "error: nothing called %s to show (interfaces, groups, sources, proxy, mfc, vifs, stats)\n", w);
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
		if (vif)
			mcast_mr_dump_proc_vif(d->fam[f].t, put_line, o);
		else
			mcast_mr_dump_proc_cache(d->fam[f].t, put_line, o);
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
	if (n == 1 && !strcmp(tok[0], "reload")) {
		dbuf_put(o, mcastd_reload(d) == 0 ? "ok\n" : "error: the file has errors (see the log); nothing changed\n");
		return;
	}
	dbuf_printf(o, "error: unknown request %s\n", n ? tok[0] : "(empty)");
}
