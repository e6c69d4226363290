/*
 * Metrics in the Prometheus text exposition format (version 0.0.4):
 * `mcastctl metrics`, and over HTTP from `metrics-listen ADDRESS:PORT`
 * (libmicrohttpd run from mcastd's own event loop: its epoll descriptor
 * in ours, no thread of its own). Names and labels: mcastd(8), METRICS.
 *
 * The counters of `show stats` come from the lists here, so the two views
 * never disagree.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <microhttpd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mcastd.h"

/* Copies a counter list out (checked against the room) and returns its length. */
#define RETURN_COUNTERS(out, list)                                                                \
	do {                                                                                    \
		_Static_assert(sizeof(list) / sizeof((list)[0]) <= MCASTD_MAX_COUNTERS,          \
			       "MCASTD_MAX_COUNTERS");                                          \
		memcpy((out), (list), sizeof(list));                                            \
		return sizeof(list) / sizeof((list)[0]);                                        \
	} while (0)

/* A kernel table's counters; the first TAB_COUNTERS of a family's list. */
#define TAB_COUNTERS 23
size_t mcastd_kernel_table_counters(struct dtab *tb, struct mcastd_counter *c)
{
	const struct mcast_mr_stats *m = mcast_mr_stats(tb->t);
	const struct mcast_routing_stats *r = mcast_routing_stats(tb->rt);
	const struct reconcile_stats *st = &tb->rc.st;
	const struct mcastd_counter all[] = {
		{ "upcalls_nocache", r->nocache, false },
		{ "upcalls_wrongvif", r->wrongvif, false },
		{ "vif_waits", r->vif_waits, false },
		{ "vifs_released", r->vifs_released, false },
		{ "entries_installed", r->installed, false },
		{ "entries_updated", r->updated, false },
		{ "entries_removed", r->removed, false },
		{ "routing_errors", r->errors, false },
		{ "kernel_errors", tb->k.errors, false },
		{ "oversized_dropped", tb->truncated, false },
		{ "mfc_entries", mcast_mr_mfc_count(tb->t), true },
		{ "table_input", m->input, false },
		{ "kernel_calls", st->calls, false },
		{ "kernel_failures", st->failures, false },
		{ "kernel_retries", st->retries, false },
		{ "kernel_pending", reconcile_pending_count(&tb->rc), true },
		{ "kernel_coalesced", st->coalesced, false },
		{ "audits", st->audits, false },
		{ "audit_errors", st->audit_errors, false },
		{ "drift_added", st->drift_added, false },
		{ "drift_changed", st->drift_changed, false },
		{ "drift_removed", st->drift_removed, false },
		{ "vif_drift", st->vif_drift, false },
	};
	_Static_assert(sizeof(all) / sizeof(all[0]) == TAB_COUNTERS, "TAB_COUNTERS");
	RETURN_COUNTERS(c, all);
}

/* A family's: its tables' summed, then its own. */
size_t mcastd_table_counters(struct mcastd *d, int f, struct mcastd_counter *c)
{
	struct dfam *fm = &d->fam[f];
	size_t n = mcastd_kernel_table_counters(fm->tab[0], c);
	for (unsigned k = 1; k < fm->ntab; k++) {
		struct mcastd_counter x[MCASTD_MAX_COUNTERS];
		mcastd_kernel_table_counters(fm->tab[k], x);
		for (size_t j = 0; j < n; j++)
			c[j].v += x[j].v;
	}
	uint64_t elsewhere = 0;
	for (unsigned k = 0; k < fm->ntab; k++)
		elsewhere += fm->tab[k]->elsewhere;
	const struct mcast_proxy_stats *p = mcast_proxy_stats(fm->px);
	const struct mcastd_counter own[] = {
		{ "resyncs", fm->tab[0]->rc.st.resyncs, false }, /* (every table resyncs at once) */
		{ "own_reports_ignored", fm->own_dropped, false },
		{ "other_interfaces", fm->not_ours, false },
		{ "other_table_copies", elsewhere, false },
		{ "proxy_updates", p->updates, false },
		{ "proxy_scoped", p->scoped, false },
		{ "proxy_errors", p->errors, false },
		{ "proxy_invalid_sources", p->invalid_sources, false },
	};
	_Static_assert(TAB_COUNTERS + sizeof(own) / sizeof(own[0]) <= MCASTD_MAX_COUNTERS, "MCASTD_MAX_COUNTERS");
	memcpy(c + n, own, sizeof(own));
	return n + sizeof(own) / sizeof(own[0]);
}

size_t mcastd_daemon_counters(struct mcastd *d, struct mcastd_counter *c)
{
	const struct ctl_server *cs = &d->ctl;
	const struct mcastd_counter all[] = {
		{ "reloads", d->reloads, false },
		{ "reload_errors", d->reload_errors, false },
		{ "netlink_overruns", d->netlink_overruns, false },
		{ "stalls", d->stalls, false },
		{ "igmp_tapped", d->tapped, false },
		{ "control_clients", cs->nclients, true },
		{ "control_accepted", cs->accepted, false },
		{ "control_answered", cs->answered, false },
		{ "control_evicted", cs->evicted, false },
		{ "control_refused", cs->refused, false },
		{ "control_timeouts", cs->timeouts, false },
		{ "control_too_long", cs->too_long, false },
		{ "watchers", cs->nwatchers, true },
		{ "watch_lost", cs->watch_lost, false },
		{ "metrics_scrapes", d->metrics_scrapes, false },
	};
	RETURN_COUNTERS(c, all);
}

/* ---- the text format ---------------------------------------------------------- */

static const char *fam_label(int f)
{
	return f ? "ipv6" : "ipv4";
}

/* A label value: backslash, double quote and newline escaped. */
static void label(struct dbuf *o, const char *v)
{
	char buf[128];
	size_t k = 0;
	for (; *v && k + 2 < sizeof(buf); v++) {
		if (*v == '\\' || *v == '"' || *v == '\n') {
			buf[k++] = '\\';
			buf[k++] = *v == '\n' ? 'n' : *v;
		} else {
			buf[k++] = *v;
		}
	}
	buf[k] = '\0';
	dbuf_put(o, buf);
}

static void family_head(struct dbuf *o, const char *name, bool gauge, const char *help)
{
	dbuf_printf(o, "# HELP mcast_%s%s %s\n# TYPE mcast_%s%s %s\n", name, gauge ? "" : "_total", help, name,
		    gauge ? "" : "_total", gauge ? "gauge" : "counter");
}

static void sample_if(struct dbuf *o, const char *name, bool gauge, const char *iface, int f, const char *extra,
		      uint64_t v)
{
	dbuf_printf(o, "mcast_%s%s{interface=\"", name, gauge ? "" : "_total");
	label(o, iface);
	dbuf_printf(o, "\",family=\"%s\"%s} %llu\n", fam_label(f), extra ? extra : "", (unsigned long long)v);
}

/* The interfaces running the router part (IGMP/MLD) for family f. */
static bool if_router(struct mcastd *d, const struct dif *i, int f, struct mcast_router_iface_info *info)
{
	return d->fam[f].on && i->active[f] && i->rpart[f] &&
	       mcast_router_iface_info(d->fam[f].r, i->ifindex, info) == 0;
}

struct mfc_walk {
	struct mcastd *d;
	struct dtab *tb;
	struct dbuf *o;
	int what;                   /* 0 packets, 1 bytes, 2 wrong interface */
};

static const char *vif_name(struct mcastd *d, struct dtab *tb, uint16_t vif)
{
	struct mcast_vif_config c;
	if (mcast_mr_vif_get(tb->t, vif, &c, NULL) < 0)
		return "";
	struct dif *i = mcastd_if_by_index(d, c.ifindex);
	return i ? i->name : "";
}

static void mfc_sample(void *arg, const struct mcast_mfc_params *p)
{
	struct mfc_walk *w = arg;
	struct mcast_mfc_stats st;
	if (mcast_mr_mfc_get(w->tb->t, &p->source, &p->group, NULL, &st, NULL, 0, NULL) < 0)
		return;
	char s[MCAST_ADDR_STRLEN], g[MCAST_ADDR_STRLEN];
	uint64_t v = w->what == 0 ? st.pkts : w->what == 1 ? st.bytes : st.wrong_if;
	static const char *const names[] = { "mfc_packets", "mfc_bytes", "mfc_wrong_interface" };
	dbuf_printf(w->o, "mcast_%s_total{family=\"%s\",source=\"%s\",group=\"%s\",", names[w->what],
		    fam_label(w->tb->fm->f == MCAST_AF_INET6),
		    mcast_addr_is_unspecified(&p->source) ? "*" : mcast_addr_str(&p->source, s),
		    mcast_addr_str(&p->group, g));
	/* the same (S,G) may be in two tables: then each names its own */
	if (w->d->ntab > 1)
		dbuf_printf(w->o, "table=\"%u\",", w->tb->id);
	dbuf_put(w->o, "input=\"");
	label(w->o, vif_name(w->d, w->tb, p->iif));
	dbuf_printf(w->o, "\"} %llu\n", (unsigned long long)v);
}

struct src_count {
	const struct mcast_router *r;
	unsigned ifindex;
	uint64_t n;
};

static void count_sources(void *ctx, const struct mcast_addr *group)
{
	struct src_count *sc = ctx;
	struct mcast_router_group_info gi;
	if (mcast_router_group(sc->r, sc->ifindex, group, &gi, NULL, 0) == 0)
		sc->n += gi.nsources;
}

void mcastd_metrics(struct mcastd *d, struct dbuf *o)
{
	struct mcast_router_iface_info info;
	/* per interface and family: state */
	family_head(o, "groups", true, "Groups with state on the interface (router part).");
	for (unsigned n = 0; n < d->nif; n++)
		for (int f = 0; f < 2; f++)
			if (if_router(d, &d->ifs[n], f, &info))
				sample_if(o, "groups", true, d->ifs[n].name, f, NULL, info.groups);
	family_head(o, "sources", true, "Sources in the groups' lists on the interface (router part).");
	for (unsigned n = 0; n < d->nif; n++)
		for (int f = 0; f < 2; f++)
			if (if_router(d, &d->ifs[n], f, &info)) {
				struct src_count sc = { d->fam[f].r, d->ifs[n].ifindex, 0 };
				mcast_router_walk_groups(d->fam[f].r, d->ifs[n].ifindex, count_sources, &sc);
				sample_if(o, "sources", true, d->ifs[n].name, f, NULL, sc.n);
			}
	family_head(o, "querier", true, "1 while this router is the querier on the interface.");
	for (unsigned n = 0; n < d->nif; n++)
		for (int f = 0; f < 2; f++)
			if (if_router(d, &d->ifs[n], f, &info))
				sample_if(o, "querier", true, d->ifs[n].name, f, NULL, info.querier);
	/* the router engine's counters, one metric each */
	for (size_t k = 0; k < mcast_router_stat_nfields; k++) {
		const struct mcast_stat_field *sf = &mcast_router_stat_fields[k];
		char help[96];
		snprintf(help, sizeof(help), "IGMP/MLD router counter %s (show stats).", sf->name);
		family_head(o, sf->name, false, help);
		for (unsigned n = 0; n < d->nif; n++)
			for (int f = 0; f < 2; f++)
				if (if_router(d, &d->ifs[n], f, &info))
					sample_if(o, sf->name, false, d->ifs[n].name, f, NULL,
						  mcast_router_stat(info.stats, sf));
	}
	family_head(o, "drops", false, "IGMP/MLD messages dropped, by reason.");
	for (unsigned n = 0; n < d->nif; n++)
		for (int f = 0; f < 2; f++)
			if (if_router(d, &d->ifs[n], f, &info))
				for (int r = 1; r < MCAST_DROP__COUNT; r++) {
					char extra[64];
					snprintf(extra, sizeof(extra), ",reason=\"%s\"", mcast_drop_name(r));
					sample_if(o, "drops", false, d->ifs[n].name, f, extra, info.stats->drop.count[r]);
				}
	/* the kernel's VIF counters */
	static const char *const vifm[] = { "vif_packets_in", "vif_bytes_in", "vif_packets_out", "vif_bytes_out" };
	static const char *const vifh[] = { "Packets the kernel received on the interface's VIF.",
					    "Bytes the kernel received on the interface's VIF.",
					    "Packets the kernel forwarded out of the interface's VIF.",
					    "Bytes the kernel forwarded out of the interface's VIF." };
	for (int m = 0; m < 4; m++) {
		family_head(o, vifm[m], false, vifh[m]);
		for (unsigned n = 0; n < d->nif; n++)
			for (int f = 0; f < 2; f++) {
				struct dif *i = &d->ifs[n];
				struct mcast_mr_table *t = d->fam[f].on && i->vif[f] ? d->fam[f].tab[i->tab[f]]->t : NULL;
				uint16_t v = t ? mcast_mr_vif_of(t, i->ifindex) : MCAST_MR_NO_VIF;
				struct mcast_vif_stats st;
				if (v == MCAST_MR_NO_VIF || mcast_mr_vif_get(t, v, NULL, &st) < 0)
					continue;
				uint64_t x = m == 0 ? st.pkts_in : m == 1 ? st.bytes_in : m == 2 ? st.pkts_out : st.bytes_out;
				sample_if(o, vifm[m], false, i->name, f, NULL, x);
			}
	}
	/* the forwarding entries' kernel counters */
	static const char *const mfch[] = { "Packets forwarded by the (S,G) entry (the kernel's counter).",
					    "Bytes forwarded by the (S,G) entry (the kernel's counter).",
					    "Packets of the (S,G) that arrived on another interface than its input." };
	static const char *const mfcm[] = { "mfc_packets", "mfc_bytes", "mfc_wrong_interface" };
	for (int m = 0; m < 3; m++) {
		family_head(o, mfcm[m], false, mfch[m]);
		for (int f = 0; f < 2; f++)
			for (unsigned k = 0; d->fam[f].on && k < d->fam[f].ntab; k++) {
				struct mfc_walk w = { d, d->fam[f].tab[k], o, m };
				mcast_mr_mfc_walk(w.tb->t, mfc_sample, &w);
			}
	}
	/* per family: routing, the kernel's table, the reconciler, the proxy */
	struct mcastd_counter c[2][MCASTD_MAX_COUNTERS];
	size_t nc[2] = { 0, 0 };
	for (int f = 0; f < 2; f++)
		if (d->fam[f].on)
			nc[f] = mcastd_table_counters(d, f, c[f]);
	size_t nrows = nc[0] ? nc[0] : nc[1];
	for (size_t k = 0; k < nrows; k++) {
		const struct mcastd_counter *x = nc[0] ? &c[0][k] : &c[1][k];
		char help[96];
		snprintf(help, sizeof(help), "Forwarding %s %s (show stats).", x->gauge ? "gauge" : "counter", x->name);
		family_head(o, x->name, x->gauge, help);
		for (int f = 0; f < 2; f++)
			if (nc[f])
				dbuf_printf(o, "mcast_%s%s{family=\"%s\"} %llu\n", c[f][k].name, c[f][k].gauge ? "" : "_total",
					    fam_label(f), (unsigned long long)c[f][k].v);
	}
	struct mcastd_counter g[MCASTD_MAX_COUNTERS];
	size_t ng = mcastd_daemon_counters(d, g);
	for (size_t k = 0; k < ng; k++) {
		char help[96];
		snprintf(help, sizeof(help), "Daemon %s %s (show stats).", g[k].gauge ? "gauge" : "counter", g[k].name);
		family_head(o, g[k].name, g[k].gauge, help);
		dbuf_printf(o, "mcast_%s%s %llu\n", g[k].name, g[k].gauge ? "" : "_total", (unsigned long long)g[k].v);
	}
}

/* ---- HTTP (libmicrohttpd, from our event loop) ------------------------------------ */

static enum MHD_Result answer(void *cls, struct MHD_Connection *con, const char *url, const char *method,
			      const char *version, const char *upload, size_t *upload_len, void **req)
{
	(void)version;
	(void)upload;
	(void)upload_len;
	(void)req;
	struct mcastd *d = cls;
	struct dbuf o = { 0 };
	unsigned code = MHD_HTTP_OK;
	if (strcmp(method, "GET") && strcmp(method, "HEAD")) {
		code = MHD_HTTP_METHOD_NOT_ALLOWED;
		dbuf_put(&o, "only GET\n");
	} else if (strcmp(url, "/metrics")) {
		code = MHD_HTTP_NOT_FOUND;
		dbuf_put(&o, "mcastd serves /metrics only\n");
	} else {
		d->metrics_scrapes++;
		mcastd_metrics(d, &o);
	}
	if (o.failed) {
		code = MHD_HTTP_INTERNAL_SERVER_ERROR;
		o.len = 0;
		dbuf_put(&o, "out of memory\n");
	}
	struct MHD_Response *r =
		MHD_create_response_from_buffer(o.len, o.p ? o.p : (char *)"", MHD_RESPMEM_MUST_COPY);
	free(o.p);
	if (!r)
		return MHD_NO;
	if (code == MHD_HTTP_OK)
		MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE, "text/plain; version=0.0.4; charset=utf-8");
	enum MHD_Result rc = MHD_queue_response(con, code, r);
	MHD_destroy_response(r);
	return rc;
}

static void http_tick(struct mcast_timer *t, void *arg)
{
	struct mcastd *d = arg;
	mcastd_metrics_run(d); /* connection timeouts */
	mcast_timer_start(&d->wheel, t, d->wheel.now_ms + 1000);
}

int mcastd_metrics_open(struct mcastd *d, char *err, size_t errlen)
{
	if (!d->cfg.metrics_listen[0])
		return -1;
	struct sockaddr_storage ss;
	if (cfg_listen_parse(d->cfg.metrics_listen, &ss) < 0) {
		snprintf(err, errlen, "metrics-listen %s: not ADDRESS:PORT", d->cfg.metrics_listen);
		return -2;
	}
	unsigned flags = MHD_USE_EPOLL | (ss.ss_family == AF_INET6 ? MHD_USE_IPv6 : 0);
	struct MHD_Daemon *m = MHD_start_daemon(flags, 0, NULL, NULL, answer, d, MHD_OPTION_SOCK_ADDR, &ss,
						MHD_OPTION_CONNECTION_LIMIT, 16u, MHD_OPTION_CONNECTION_TIMEOUT, 10u,
						MHD_OPTION_LISTENING_ADDRESS_REUSE, 1u, MHD_OPTION_END);
	if (!m) {
		snprintf(err, errlen, "metrics-listen %s: cannot listen (%s)", d->cfg.metrics_listen, strerror(errno));
		return -2;
	}
	const union MHD_DaemonInfo *i = MHD_get_daemon_info(m, MHD_DAEMON_INFO_EPOLL_FD);
	if (!i) {
		MHD_stop_daemon(m);
		snprintf(err, errlen, "metrics-listen: libmicrohttpd has no epoll descriptor");
		return -2;
	}
	d->metrics = m;
	mcast_timer_init(&d->metrics_timer, http_tick, d);
	mcast_timer_start(&d->wheel, &d->metrics_timer, d->wheel.now_ms + 1000);
	return i->epoll_fd;
}

void mcastd_metrics_run(struct mcastd *d)
{
	if (d->metrics && MHD_run(d->metrics) != MHD_YES)
		mcast_logf(&d->log, MCAST_LOG_DEBUG, 0, "metrics: MHD_run failed");
}

void mcastd_metrics_close(struct mcastd *d)
{
	if (!d->metrics)
		return;
	mcast_timer_stop(&d->wheel, &d->metrics_timer);
	MHD_stop_daemon(d->metrics);
	d->metrics = NULL;
}
