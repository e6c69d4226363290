/*
 * Events for `mcastctl watch`: each is made (as a text line and as a JSON
 * line) only while somebody watches, and handed to the control server,
 * which gives every watcher the ones it asked for (ctlsrv.c, WATCHING).
 *
 * Where they come from: the router engine's forwarding changes (joins,
 * blocks and leaves per interface, with the host whose report caused
 * them, or "timer"), querier changes, the table's entry changes (added,
 * changed, removed, with their interfaces), upcalls, drops (the debug
 * lines of MCAST_D_DROPS, turned on while watchers exist; at most
 * WATCH_DROP_BURST a second per reason), compatibility mode changes (the
 * debug lines of MCAST_D_STATES, likewise), log lines of level info and
 * above (querier changes, warnings, errors) and reloads.
 */
#define _GNU_SOURCE
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "mcastd.h"

#define WATCH_DROP_BURST 5

static const char *fam_name(enum mcast_family f)
{
	return f == MCAST_AF_INET6 ? "MLD" : "IGMP";
}

static const char *fam_key(enum mcast_family f)
{
	return f == MCAST_AF_INET6 ? "ipv6" : "ipv4";
}

/* JSON string contents: quotes, backslashes and control characters escaped. */
static void jstr(char *out, size_t cap, const char *s)
{
	size_t k = 0;
	for (; *s && k + 7 < cap; s++) {
		unsigned char ch = (unsigned char)*s;
		if (ch == '"' || ch == '\\') {
			out[k++] = '\\';
			out[k++] = (char)ch;
		} else if (ch < 0x20) {
			k += (size_t)snprintf(out + k, cap - k, "\\u%04x", ch);
		} else {
			out[k++] = (char)ch;
		}
	}
	out[k] = '\0';
}

/* Sends one event: text after the time, and JSON members after "time"
 * and "event". ifaces: the interfaces it concerns (space-separated), or
 * NULL for the daemon as a whole (every watcher gets it). */
static void emit(struct mcastd *d, const char *ifaces, const char *event, const char *text, const char *json)
{
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	struct tm tm;
	localtime_r(&ts.tv_sec, &tm);
	char t[32], tl[1200], jl[1400];
	snprintf(t, sizeof(t), "%02d:%02d:%02d.%03ld", tm.tm_hour, tm.tm_min, tm.tm_sec, ts.tv_nsec / 1000000);
	snprintf(tl, sizeof(tl), "%s %s\n", t, text);
	snprintf(jl, sizeof(jl), "{\"time\":\"%s\",\"event\":\"%s\"%s%s}\n", t, event, json[0] ? "," : "", json);
	ctl_server_event_line(&d->ctl, ifaces, tl, jl);
}

static const char *sg(const struct mcast_addr *s, const struct mcast_addr *g, char *buf, size_t cap)
{
	char a[MCAST_ADDR_STRLEN], b[MCAST_ADDR_STRLEN];
	snprintf(buf, cap, "(%s, %s)", mcast_addr_is_unspecified(s) ? "*" : mcast_addr_str(s, a), mcast_addr_str(g, b));
	return buf;
}

void mcastd_watch_fwd(struct dfam *fm, unsigned ifindex, const struct mcast_addr *g, const struct mcast_addr *s,
		      enum mcast_fwd old, enum mcast_fwd now)
{
	struct mcastd *d = fm->d;
	if (!d->ctl.nwatchers || old == now)
		return;
	struct dif *i = mcastd_if_by_index(d, ifindex);
	const char *name = i ? i->name : "?";
	const char *ev = now == MCAST_FWD_NONE ? "leave" : now == MCAST_FWD_INCLUDE ? "join" : "block";
	char by[MCAST_ADDR_STRLEN] = "timer", a[MCAST_ADDR_STRLEN], b[MCAST_ADDR_STRLEN], p[100], text[300], json[400];
	if (d->cur_host_set && mcast_addr_family(&d->cur_host) == fm->f)
		mcast_addr_str(&d->cur_host, by);
	snprintf(text, sizeof(text), "%s %s %s %s by %s", name, fam_name(fm->f), ev, sg(s, g, p, sizeof(p)), by);
	snprintf(json, sizeof(json),
		 "\"interface\":\"%s\",\"family\":\"%s\",\"source\":\"%s\",\"group\":\"%s\",\"by\":\"%s\"", name,
		 fam_key(fm->f), mcast_addr_is_unspecified(s) ? "*" : mcast_addr_str(s, a), mcast_addr_str(g, b), by);
	emit(d, name, ev, text, json);
}

void mcastd_watch_querier(struct dfam *fm, unsigned ifindex, bool on)
{
	struct mcastd *d = fm->d;
	if (!d->ctl.nwatchers)
		return;
	struct dif *i = mcastd_if_by_index(d, ifindex);
	const char *name = i ? i->name : "?";
	struct mcast_router_iface_info info;
	char q[MCAST_ADDR_STRLEN] = "none", text[200], json[300];
	if (!on && mcast_router_iface_info(fm->r, ifindex, &info) == 0 && !mcast_addr_is_unspecified(&info.querier_addr))
		mcast_addr_str(&info.querier_addr, q);
	snprintf(text, sizeof(text), "%s %s querier %s", name, fam_name(fm->f), on ? "us" : q);
	snprintf(json, sizeof(json), "\"interface\":\"%s\",\"family\":\"%s\",\"us\":%s,\"querier\":\"%s\"", name,
		 fam_key(fm->f), on ? "true" : "false", on ? "us" : q);
	emit(d, name, "querier", text, json);
}

static const char *vif_name(struct dtab *tb, uint16_t vif)
{
	struct mcast_vif_config c;
	if (mcast_mr_vif_get(tb->t, vif, &c, NULL) < 0)
		return "?";
	struct dif *i = mcastd_if_by_index(tb->fm->d, c.ifindex);
	return i ? i->name : "?";
}

void mcastd_watch_entry(struct dtab *tb, const struct mcast_mr_event *ev)
{
	struct dfam *fm = tb->fm;
	struct mcastd *d = fm->d;
	if (!d->ctl.nwatchers || (ev->type != MCAST_MR_MFC_SET && ev->type != MCAST_MR_MFC_DEL))
		return;
	bool gone = ev->type == MCAST_MR_MFC_DEL;
	const char *what = gone ? "removed" : ev->added ? "added" : "changed";
	char p[100], ifaces[600] = "", outs[600] = "", jouts[700] = "", a[MCAST_ADDR_STRLEN], b[MCAST_ADDR_STRLEN];
	char text[900], json[1100];
	size_t k = 0, jk = 0;
	if (!gone) {
		for (size_t n = 0; n < ev->noifs && k + 20 < sizeof(outs); n++) {
			const char *o = vif_name(tb, ev->oifs[n].vif);
			k += (size_t)snprintf(outs + k, sizeof(outs) - k, " %s", o);
			jk += (size_t)snprintf(jouts + jk, sizeof(jouts) - jk, "%s\"%s\"", n ? "," : "", o);
		}
		snprintf(ifaces, sizeof(ifaces), "%s%s", vif_name(tb, ev->iif), outs);
		snprintf(text, sizeof(text), "entry %s %s in %s out%s", what, sg(&ev->source, &ev->group, p, sizeof(p)),
			 vif_name(tb, ev->iif), k ? outs : " none");
		snprintf(json, sizeof(json),
			 "\"what\":\"%s\",\"family\":\"%s\",\"source\":\"%s\",\"group\":\"%s\",\"in\":\"%s\",\"out\":[%s]", what,
			 fam_key(fm->f), mcast_addr_is_unspecified(&ev->source) ? "*" : mcast_addr_str(&ev->source, a),
			 mcast_addr_str(&ev->group, b), vif_name(tb, ev->iif), jouts);
	} else {
		snprintf(text, sizeof(text), "entry removed %s", sg(&ev->source, &ev->group, p, sizeof(p)));
		snprintf(json, sizeof(json), "\"what\":\"removed\",\"family\":\"%s\",\"source\":\"%s\",\"group\":\"%s\"",
			 fam_key(fm->f), mcast_addr_is_unspecified(&ev->source) ? "*" : mcast_addr_str(&ev->source, a),
			 mcast_addr_str(&ev->group, b));
	}
	if (d->ntab > 1) { /* (the same (S,G) may be in two tables) */
		size_t tl = strlen(text), jl = strlen(json);
		snprintf(text + tl, sizeof(text) - tl, " (table %u)", tb->id);
		snprintf(json + jl, sizeof(json) - jl, ",\"table\":%u", tb->id);
	}
	/* a removed entry names no interface: every watcher gets it */
	emit(d, gone ? NULL : ifaces, "entry", text, json);
}

void mcastd_watch_upcall(struct dtab *tb, const struct mcast_upcall *u)
{
	struct dfam *fm = tb->fm;
	struct mcastd *d = fm->d;
	if (!d->ctl.nwatchers)
		return;
	const char *type = u->type == MCAST_UPCALL_NOCACHE ? "nocache" : u->type == MCAST_UPCALL_WRONGVIF ? "wrongvif" : "other";
	const char *in = vif_name(tb, u->vif);
	char p[100], text[300], json[400], a[MCAST_ADDR_STRLEN], b[MCAST_ADDR_STRLEN];
	snprintf(text, sizeof(text), "upcall %s %s on %s", type, sg(&u->source, &u->group, p, sizeof(p)), in);
	snprintf(json, sizeof(json), "\"type\":\"%s\",\"family\":\"%s\",\"source\":\"%s\",\"group\":\"%s\",\"interface\":\"%s\"",
		 type, fam_key(fm->f), mcast_addr_str(&u->source, a), mcast_addr_str(&u->group, b), in);
	emit(d, in, "upcall", text, json);
}

/* A drop's reason as a key: the words of the message without a digit
 * (addresses, interface numbers), hashed. */
static uint32_t drop_key(const char *msg)
{
	uint32_t h = 2166136261u;
	for (const char *p = msg; *p;) {
		const char *e = p;
		bool digit = false;
		while (*e && *e != ' ') {
			digit |= *e >= '0' && *e <= '9';
			e++;
		}
		if (!digit)
			for (const char *q = p; q < e; q++)
				h = (h ^ (uint8_t)*q) * 16777619u;
		p = *e ? e + 1 : e;
	}
	return h;
}

void mcastd_watch_log(struct mcastd *d, enum mcast_log_level level, unsigned cat, const char *msg)
{
	if (!d || !d->ctl.nwatchers)
		return;
	bool drop = level == MCAST_LOG_DEBUG && (cat & MCAST_D_DROPS);
	bool state = level == MCAST_LOG_DEBUG && (cat & MCAST_D_STATES) && !drop;
	if (level == MCAST_LOG_DEBUG && !drop && !state)
		return;
	/* the interface a line is about: its first word, before ':' */
	char iface[16] = "";
	const char *colon = strchr(msg, ':');
	if (colon && (size_t)(colon - msg) < sizeof(iface)) {
		memcpy(iface, msg, (size_t)(colon - msg));
		iface[colon - msg] = '\0';
		if (!mcastd_if_by_name(d, iface))
			iface[0] = '\0';
	}
	char suppressed[64] = "";
	if (drop || state) {
		uint32_t key = drop_key(msg);
		struct watch_rate *r = &d->drop_rate[key % WATCH_RATE_SLOTS];
		mcast_time_ms now = mcastd_now();
		if (r->key != key || now - r->since_ms >= 1000) {
			if (r->key == key && r->suppressed)
				snprintf(suppressed, sizeof(suppressed), " (%u more like it not shown)", r->suppressed);
			*r = (struct watch_rate){ .key = key, .since_ms = now };
		}
		if (++r->count > WATCH_DROP_BURST) {
			r->suppressed++;
			return;
		}
	}
	static const char *const lv[] = { "emergency", "alert", "critical", "error", "warning", "notice", "info", "debug" };
	const char *ev = drop ? "drop" : state ? "state" : "log";
	char text[1100], json[1300], m[1000];
	if (drop || state)
		snprintf(text, sizeof(text), "%s %s%s", ev, msg, suppressed);
	else
		snprintf(text, sizeof(text), "%s %s", lv[level & 7], msg);
	jstr(m, sizeof(m), msg);
	snprintf(json, sizeof(json), "\"level\":\"%s\",\"interface\":\"%s\",\"message\":\"%s%s\"", lv[level & 7], iface, m,
		 suppressed);
	emit(d, iface[0] ? iface : NULL, ev, text, json);
}

void mcastd_watch_reload(struct mcastd *d, bool ok)
{
	if (!d->ctl.nwatchers)
		return;
	emit(d, NULL, "reload", ok ? "reload done" : "reload refused (the running configuration stays)",
	     ok ? "\"ok\":true" : "\"ok\":false");
}

void mcastd_watchers_changed(struct mcastd *d)
{
	/* drops are debug lines: made while somebody watches */
	d->log.debug_mask = d->debug_mask_cfg | (d->ctl.nwatchers ? MCAST_D_DROPS | MCAST_D_STATES : 0);
}
