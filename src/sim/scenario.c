/*
 * DOC: the scenario language (docs/mcastsim.md)
 *
 * A scenario is read whole and checked before anything runs: topology
 * lines (link, router, host, iface, set, route) build the world; timed
 * lines (at, expect, end) are sorted by time, keeping file order for
 * equal times, and run in virtual time. A bad line stops the run with
 * file:line and the reason. A failed expectation prints what was
 * expected and what was found; the run goes on and the count of
 * failures is the result.
 */
#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "sim.h"

#define MAX_TOK 40

struct ev {
	mcast_time_ms t;
	unsigned line;
	unsigned order;
	int ntok;
	char **tok;      /* ntok pointers and NULL, then the strings: one allocation */
};

struct ctx {
	const char *path;
	struct sim_world *w;
	struct ev *ev;
	size_t nev, cap;
	unsigned expects, failed;
	mcast_time_ms end;
	bool verbose;
};

static int bad(const struct ctx *c, unsigned line, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static int bad(const struct ctx *c, unsigned line, const char *fmt, ...)
{
	va_list ap;
	fprintf(stderr, "%s:%u: ", c->path, line);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	return -1;
}

static int parse_time(const char *s, mcast_time_ms *t)
{
	return mcast_time_parse(s, t) < 0 ? -1 : 0;
}

static int parse_uint(const char *s, unsigned long *v)
{
	char *end;
	*v = strtoul(s, &end, 10);
	return end != s && !*end ? 0 : -1;
}

static int parse_addr(const char *s, struct mcast_addr *a)
{
	return mcast_addr_parse(a, s);
}

/* ---- topology -------------------------------------------------------------------- */

static int set_key(struct ctx *c, unsigned line, struct sim_iface *i, const char *key, const char *val)
{
	unsigned long n = 0;
	bool num = parse_uint(val, &n) == 0;
	bool on = !strcmp(val, "on"), off = !strcmp(val, "off");
	/* a host's own settings (RFC 3376 8.1, 8.11; RFC 3810 9.1, 9.11) */
	mcast_time_ms t;
	if (!i->node->router && !strcmp(key, "robustness") && num && n >= 1 && n <= 7) {
		i->hc4.robustness = i->hc6.robustness = (uint8_t)n;
		return 0;
	}
	if (!strcmp(key, "unsolicited-report-interval") || !strcmp(key, "unsolicited-report-interval-v2")) {
		if (mcast_time_parse(val, &t) < 0 || t == 0 || t > 3600000)
			return bad(c, line, "%s: expected a time such as 1s or 500ms, not %s", key, val);
		if (!strcmp(key, "unsolicited-report-interval"))
			i->hc4.unsolicited_v3_ms = i->hc6.unsolicited_v3_ms = (uint32_t)t;
		else
			i->hc4.unsolicited_v2_ms = i->hc6.unsolicited_v2_ms = (uint32_t)t;
		return 0;
	}
	if (!strcmp(key, "upstream-report-interval")) {
		/* a proxy upstream's unsolicited whole-state reports */
		if (strcmp(val, "off") && (mcast_time_parse(val, &t) < 0 || t < 1000))
			return bad(c, line, "upstream-report-interval: expected off or a time of 1s or more, not %s", val);
		i->hc4.full_report_ms = i->hc6.full_report_ms = strcmp(val, "off") ? (uint32_t)t : 0;
		return 0;
	}
	if (!strcmp(key, "force-igmp") && num)
		i->hc4.force_version = (uint8_t)n;
	else if (!strcmp(key, "force-mld") && num)
		i->hc6.force_version = (uint8_t)n;
	else if (!strcmp(key, "report-link-local") && (on || off))
		i->hc4.report_link_local = on;
	else {
		/* a host's line is tried on scratch settings: only a router
		 * keeps them */
		struct mcast_router_config scratch[2];
		struct mcast_router_config *rc2 = i->rc;
		if (!rc2) {
			mcast_router_config_default(&scratch[0], MCAST_AF_INET);
			mcast_router_config_default(&scratch[1], MCAST_AF_INET6);
			rc2 = scratch;
		}
		int rc = mcast_router_config_set_both(&rc2[0], &rc2[1], key, val);
		if (rc == -ENOENT)
			return bad(c, line, "unknown setting %s", key);
		if (rc < 0)
			return bad(c, line, "%s: expected %s, not %s", key, mcast_router_config_allowed(key), val);
		if (!i->rc)
			return bad(c, line, "%s: a router's setting, and %s is a host", key, i->node->name);
	}
	return 0;
}

static int topology(struct ctx *c, unsigned line, char **tok, int n)
{
	struct sim_world *w = c->w;
	if (!strcmp(tok[0], "link") && n == 2)
		return sim_link_add(w, tok[1]) ? 0 : bad(c, line, "link %s: duplicate or too many", tok[1]);
	if ((!strcmp(tok[0], "router") || !strcmp(tok[0], "host")) && n == 2)
		return sim_node_add(w, tok[1], tok[0][0] == 'r') ? 0 : bad(c, line, "node %s: duplicate", tok[1]);
	if (!strcmp(tok[0], "iface") && n >= 5) {
		struct sim_node *nd = sim_node_find(w, tok[1]);
		struct sim_link *l = sim_link_find(w, tok[3]);
		if (!nd)
			return bad(c, line, "no node %s", tok[1]);
		if (!l)
			return bad(c, line, "no link %s", tok[3]);
		struct mcast_addr a4 = mcast_addr_any4, a6 = mcast_addr_any6, a;
		for (int k = 4; k < n; k++) {
			if (parse_addr(tok[k], &a) < 0)
				return bad(c, line, "bad address %s", tok[k]);
			if (mcast_addr_is_v4(&a))
				a4 = a;
			else
				a6 = a;
		}
		return sim_iface_add(nd, tok[2], l, &a4, &a6) ? 0 : bad(c, line, "interface %s: duplicate or too many", tok[2]);
	}
	if (!strcmp(tok[0], "option") && n == 4) {
		struct sim_node *nd = sim_node_find(w, tok[1]);
		unsigned long v;
		if (!nd || !nd->router)
			return bad(c, line, "no router %s", tok[1]);
		if (!strcmp(tok[2], "mfc-max") && parse_uint(tok[3], &v) == 0) {
			nd->mfc_max = (uint32_t)v;
			return 0;
		}
		return bad(c, line, "unknown option or bad value: %s", tok[2]);
	}
	if (!strcmp(tok[0], "set") && n == 5) {
		struct sim_node *nd = sim_node_find(w, tok[1]);
		struct sim_iface *i = nd ? sim_iface_find(nd, tok[2]) : NULL;
		if (!i)
			return bad(c, line, "no interface %s", tok[2]);
		return set_key(c, line, i, tok[3], tok[4]);
	}
	if (!strcmp(tok[0], "proxy") && n >= 6) {
		/* proxy R upstream IF [upstream-querier] downstream IF... */
		struct sim_node *nd = sim_node_find(w, tok[1]);
		if (!nd || !nd->router)
			return bad(c, line, "no router %s", tok[1]);
		int k = 2;
		if (strcmp(tok[k++], "upstream"))
			return bad(c, line, "expected 'upstream', got %s", tok[k - 1]);
		struct sim_iface *up = sim_iface_find(nd, tok[k++]);
		if (!up || up->role != MCAST_ROUTING_ROUTER)
			return bad(c, line, "no interface %s, or it is in a proxy already", tok[k - 1]);
		unsigned dom = ++nd->nproxies;
		up->role = MCAST_ROUTING_UPSTREAM;
		up->domain = dom;
		if (!strcmp(tok[k], "upstream-querier")) {
			up->upstream_querier = true;
			k++;
		}
		if (k >= n || strcmp(tok[k++], "downstream") || k >= n)
			return bad(c, line, "expected 'downstream IF...'");
		for (; k < n; k++) {
			struct sim_iface *d = sim_iface_find(nd, tok[k]);
			if (!d || d->role != MCAST_ROUTING_ROUTER)
				return bad(c, line, "no interface %s, or it is in a proxy already", tok[k]);
			d->role = MCAST_ROUTING_DOWNSTREAM;
			d->domain = dom;
		}
		return 0;
	}
	if (!strcmp(tok[0], "route") && n >= 7) {
		/* route R from IF [source S] group G to IF... */
		struct sim_node *nd = sim_node_find(w, tok[1]);
		if (!nd || !nd->router || nd->nroutes == 16)
			return bad(c, line, "no router %s (or too many routes)", tok[1]);
		int k = 2;
		if (strcmp(tok[k++], "from"))
			return bad(c, line, "expected 'from', got %s", tok[k - 1]);
		struct sim_iface *in = sim_iface_find(nd, tok[k++]);
		if (!in)
			return bad(c, line, "no interface %s", tok[k - 1]);
		struct mcast_addr s, g;
		bool have_s = false;
		if (k < n && !strcmp(tok[k], "source")) {
			if (k + 1 >= n || parse_addr(tok[k + 1], &s) < 0)
				return bad(c, line, "bad source %s", k + 1 < n ? tok[k + 1] : "");
			have_s = true;
			k += 2;
		}
		if (k + 1 >= n || strcmp(tok[k], "group") || parse_addr(tok[k + 1], &g) < 0)
			return bad(c, line, "expected 'group G', got %s", k < n ? tok[k] : "");
		k += 2;
		if (k >= n || strcmp(tok[k++], "to"))
			return bad(c, line, "expected 'to', got %s", k - 1 < n ? tok[k - 1] : "");
		struct sim_route *r = &nd->routes[nd->nroutes];
		memset(r, 0, sizeof(*r));
		r->in = in->ifindex;
		r->s = have_s ? s : (mcast_addr_is_v4(&g) ? mcast_addr_any4 : mcast_addr_any6);
		r->g = g;
		for (; k < n; k++) {
			struct sim_iface *o = sim_iface_find(nd, tok[k]);
			if (!o || r->nout == SIM_MAX_IFS)
				return bad(c, line, "no interface %s", tok[k]);
			r->out[r->nout++] = o->ifindex;
		}
		nd->nroutes++;
		return 0;
	}
	return bad(c, line, "unknown or malformed line: %s", tok[0]);
}

/* ---- timed lines ------------------------------------------------------------------- */

static struct ev *add_ev(struct ctx *c, mcast_time_ms t, unsigned line, char **tok, int n)
{
	if (c->nev == c->cap) {
		size_t cap = c->cap ? c->cap * 2 : 64;
		void *p = realloc(c->ev, cap * sizeof(*c->ev));
		if (!p)
			return NULL;
		c->ev = p;
		c->cap = cap;
	}
	struct ev *e = &c->ev[c->nev];
	memset(e, 0, sizeof(*e));
	e->t = t;
	e->line = line;
	e->order = (unsigned)c->nev;
	/* the tokens' pointers and strings together: a scenario of 10,000
	 * hosts has 100,000 such lines */
	size_t len = ((size_t)n + 1) * sizeof(char *);
	for (int i = 0; i < n; i++)
		len += strlen(tok[i]) + 1;
	e->tok = malloc(len + 1);
	if (!e->tok)
		return NULL;
	char *p = (char *)(e->tok + n + 1);
	e->tok[n] = NULL; /* as argv ends */
	for (int i = 0; i < n; i++) {
		strcpy(p, tok[i]);
		e->tok[i] = p;
		p += strlen(tok[i]) + 1;
	}
	e->ntok = n;
	c->nev++;
	return e;
}

static int cmp_ev(const void *a, const void *b)
{
	const struct ev *x = a, *y = b;
	if (x->t != y->t)
		return x->t < y->t ? -1 : 1;
	return (x->order > y->order) - (x->order < y->order);
}

/* Expands "at T NODE send G from S count N [rate R] [ttl T]" into one
 * event per packet; other lines become one event. */
static int timed(struct ctx *c, unsigned line, char **tok, int n)
{
	mcast_time_ms t;
	if (n < 2 || parse_time(tok[1], &t) < 0)
		return bad(c, line, "bad time %s", n > 1 ? tok[1] : "");
	if (!strcmp(tok[0], "end")) {
		if (n != 2)
			return bad(c, line, "usage: end TIME");
		c->end = t;
		return 0;
	}
	if (n < 4)
		return bad(c, line, "too short: %s", tok[0]);
	if (!strcmp(tok[0], "at") && n >= 7 && !strcmp(tok[3], "send")) {
		unsigned long count = 1, rate = 10, ttl = 64;
		for (int k = 7; k + 1 < n; k += 2) {
			unsigned long v;
			if (parse_uint(tok[k + 1], &v) < 0)
				return bad(c, line, "bad number %s", tok[k + 1]);
			if (!strcmp(tok[k], "count"))
				count = v;
			else if (!strcmp(tok[k], "rate") && v > 0)
				rate = v;
			else if (!strcmp(tok[k], "ttl"))
				ttl = v;
			else
				return bad(c, line, "unknown send option %s", tok[k]);
		}
		if (strcmp(tok[5], "from") || count > 100000 || ttl > 255)
			return bad(c, line, "usage: send G from S [count N] [rate R] [ttl T]");
		char ttlbuf[8];
		snprintf(ttlbuf, sizeof(ttlbuf), "%lu", ttl);
		char *one[7] = { "at", tok[1], tok[2], "send1", tok[4], tok[6], ttlbuf };
		for (unsigned long i = 0; i < count; i++)
			if (!add_ev(c, t + i * 1000 / rate, line, one, 7))
				return -1;
		return 0;
	}
	if (!strcmp(tok[0], "at") && n == 6 && !strcmp(tok[3], "report-load")) {
		/* at T R report-load IF DURATION: prints the IGMP/MLD report
		 * load R's IF received from T to T + DURATION. */
		mcast_time_ms d;
		if (parse_time(tok[5], &d) < 0 || d == 0)
			return bad(c, line, "bad duration %s", tok[5]);
		char *b[6] = { "at", tok[1], tok[2], "load-begin", tok[4], tok[5] };
		char *e[6] = { "at", tok[1], tok[2], "load-end", tok[4], tok[5] };
		if (!add_ev(c, t, line, b, 6) || !add_ev(c, t + d, line, e, 6))
			return -1;
		return 0;
	}
	if (strcmp(tok[0], "at") && strcmp(tok[0], "expect"))
		return bad(c, line, "unknown line %s", tok[0]);
	return add_ev(c, t, line, tok, n) ? 0 : -1;
}

static void print_line(void *ctx, const char *line)
{
	(void)ctx;
	fputs(line, stdout);
}

static struct sim_iface *need_iface(struct ctx *c, const struct ev *e, struct sim_node *n, const char *name)
{
	struct sim_iface *i = sim_iface_find(n, name);
	if (!i)
		bad(c, e->line, "no interface %s", name);
	return i;
}

static void fail(struct ctx *c, const struct ev *e, const char *want, const char *got)
{
	c->failed++;
	printf("%s:%u: FAIL at %llums: expected %s, found %s\n", c->path, e->line,
	       (unsigned long long)c->w->wheel.now_ms, want, got);
}

/* The errno names a socket call's expectation may give. */
static const struct {
	const char *name;
	int code;
} errnames[] = {
	{ "ok", 0 },		     { "EINVAL", -EINVAL },	      { "EADDRINUSE", -EADDRINUSE },
	{ "EADDRNOTAVAIL", -EADDRNOTAVAIL }, { "ENOBUFS", -ENOBUFS }, { "ENODEV", -ENODEV },
	{ "ENOMEM", -ENOMEM },	     { "ENOENT", -ENOENT },	      { "EPERM", -EPERM },
};

static const char *errname(int code)
{
	for (size_t i = 0; i < sizeof(errnames) / sizeof(errnames[0]); i++)
		if (errnames[i].code == code)
			return errnames[i].name;
	return "another error";
}

/* Record types by name: is_in, is_ex, to_in, to_ex, allow, block. */
static int rec_type(const char *s)
{
	for (unsigned t = 1; t <= 6; t++) {
		const char *n = mcast_rec_type_name(t);
		if (!strcasecmp(s, n))
			return (int)t;
	}
	return -1;
}

static void emit_node(void *ctx, const uint8_t *pkt, size_t len)
{
	struct sim_iface *x = ctx;
	sim_node_send(x->node, x->ifindex, pkt, len);
}

/*
 * at T NODE query IF G [S...] [version N] [mrt T] [s-flag] [qrv N] [qqi T]:
 * a query from the node's address on IF, as any querier on the link
 * would send it (G 0.0.0.0 or :: for a general query).
 */
static int raw_query(struct ctx *c, const struct ev *e, struct sim_node *nd, char *const *tok, int n)
{
	struct sim_iface *x = need_iface(c, e, nd, tok[4]);
	if (!x)
		return -1;
	struct mcast_query_params q = { .qrv = 2, .qqi_s = 125 };
	if (parse_addr(tok[5], &q.group) < 0 || (!mcast_addr_is_unspecified(&q.group) && !mcast_addr_is_multicast(&q.group)))
		return bad(c, e->line, "query: bad group %s (a multicast group, or 0.0.0.0 / :: for a general query)", tok[5]);
	int f = mcast_addr_is_v4(&q.group) ? 0 : 1;
	q.family = f ? MCAST_AF_INET6 : MCAST_AF_INET;
	q.version = f ? 2 : 3;
	q.max_resp_ms = mcast_addr_is_unspecified(&q.group) ? 10000 : 1000;
	struct mcast_addr srcs[64];
	size_t ns = 0;
	for (int k = 6; k < n; k++) {
		mcast_time_ms t;
		unsigned long v;
		if (!strcmp(tok[k], "s-flag")) {
			q.s_flag = true;
		} else if (k + 1 < n && !strcmp(tok[k], "version") && parse_uint(tok[k + 1], &v) == 0 &&
			   v >= 1 && v <= (f ? 2u : 3u)) {
			q.version = (uint8_t)v;
			k++;
		} else if (k + 1 < n && !strcmp(tok[k], "mrt") && parse_time(tok[k + 1], &t) == 0) {
			q.max_resp_ms = (uint32_t)t;
			k++;
		} else if (k + 1 < n && !strcmp(tok[k], "qrv") && parse_uint(tok[k + 1], &v) == 0 && v <= 7) {
			q.qrv = (uint8_t)v;
			k++;
		} else if (k + 1 < n && !strcmp(tok[k], "qqi") && parse_time(tok[k + 1], &t) == 0) {
			q.qqi_s = (uint32_t)(t / 1000);
			k++;
		} else if (ns < 64 && parse_addr(tok[k], &srcs[ns]) == 0) {
			ns++;
		} else {
			return bad(c, e->line, "query: bad word %s (a source, version N, mrt T, s-flag, qrv N, qqi T)",
				   tok[k]);
		}
	}
	q.srcs = srcs;
	q.nsrcs = ns;
	const struct mcast_addr *src = f ? &x->a6 : &x->a4;
	uint8_t buf[1600];
	if (mcast_query_encode(&q, src, NULL, 1500, buf, sizeof(buf), emit_node, x) < 0)
		return bad(c, e->line, "query: cannot encode this query (version %u with sources?)", q.version);
	return 0;
}

/*
 * at T NODE report IF TYPE G [S...] [groups N]: one IGMPv3/MLDv2 record,
 * as a host on the link would send it, whatever the node's own state;
 * with groups N, N records for G and the N-1 groups after it, packed
 * into as few 1500-byte reports as they fit, all sent at this instant.
 */
static int raw_report(struct ctx *c, const struct ev *e, struct sim_node *nd, char *const *tok, int n)
{
	struct sim_iface *x = need_iface(c, e, nd, tok[4]);
	if (!x)
		return -1;
	int type = n > 5 ? rec_type(tok[5]) : -1;
	struct mcast_addr g, srcs[64];
	if (type < 0 || n < 7 || parse_addr(tok[6], &g) < 0)
		return bad(c, e->line, "usage: report IF is_in|is_ex|to_in|to_ex|allow|block G [S...] [groups N]");
	unsigned long ngroups = 1;
	if (n >= 9 && !strcmp(tok[n - 2], "groups")) {
		if (parse_uint(tok[n - 1], &ngroups) < 0 || ngroups < 1 || ngroups > 100000)
			return bad(c, e->line, "report: groups expects 1..100000, not %s", tok[n - 1]);
		n -= 2;
	}
	size_t ns = 0;
	for (int k = 7; k < n; k++)
		if (ns == 64 || parse_addr(tok[k], &srcs[ns++]) < 0)
			return bad(c, e->line, "report: bad source %s", tok[k]);
	int f = mcast_addr_is_v4(&g) ? 0 : 1;
	struct mcast_report_builder rb;
	uint8_t buf[1600];
	if (mcast_report_init(&rb, f ? MCAST_AF_INET6 : MCAST_AF_INET, f ? &x->a6 : &x->a4, NULL, 1500, buf,
			      sizeof(buf), emit_node, x) < 0)
		return bad(c, e->line, "report: cannot encode it");
	for (unsigned long i = 0; i < ngroups; i++) {
		if (mcast_report_add(&rb, (uint8_t)type, &g, srcs, ns, NULL, 0) < 0)
			return bad(c, e->line, "report: cannot encode it (is %s a multicast group?)", tok[6]);
		for (int b = 15; b >= 0 && ++g.b[b] == 0; b--)
			; /* the next group */
	}
	mcast_report_flush(&rb);
	return 0;
}

static int action(struct ctx *c, const struct ev *e)
{
	char *const *tok = e->tok;
	int n = e->ntok;
	if (!strcmp(tok[2], "link") && n == 5) {
		struct sim_link *l = sim_link_find(c->w, tok[3]);
		if (!l)
			return bad(c, e->line, "no link %s", tok[3]);
		l->up = !strcmp(tok[4], "up");
		return 0;
	}
	/* NODE or NODE.SOCKET: a socket of the node's, by name */
	char nodename[64];
	const char *sockname = NULL;
	snprintf(nodename, sizeof(nodename), "%s", tok[2]);
	struct sim_node *nd = sim_node_find(c->w, nodename);
	char *dot = strchr(nodename, '.');
	if (!nd && dot) {
		*dot = '\0';
		sockname = dot + 1;
		nd = sim_node_find(c->w, nodename);
	}
	if (!nd)
		return bad(c, e->line, "no node %s", tok[2]);
	const char *verb = tok[3];
	if (!strcmp(verb, "query") && n >= 6)
		return raw_query(c, e, nd, tok, n);
	if (!strcmp(verb, "report") && n >= 7)
		return raw_report(c, e, nd, tok, n);
	if (!strcmp(verb, "stop")) {
		sim_node_stop(nd);
		return 0;
	}
	if (!strcmp(verb, "start"))
		return nd->stopped ? sim_node_start(nd) : 0;
	if (!strcmp(verb, "set") && n == 7) {
		/* at T R set IF KEY VALUE: a settings change while running, as
		 * a reload does it (groups and querier state kept) */
		struct sim_iface *x = need_iface(c, e, nd, tok[4]);
		if (!x || set_key(c, e->line, x, tok[5], tok[6]) < 0)
			return -1;
		for (int f = 0; f < 2; f++) {
			if (nd->r[f])
				mcast_router_iface_set_config(nd->r[f], x->ifindex, &x->rc[f]);
			if (nd->px[f] && x->role == MCAST_ROUTING_UPSTREAM)
				mcast_proxy_upstream_set_config(nd->px[f], x->ifindex, f ? &x->hc6 : &x->hc4);
		}
		return 0;
	}
	if (!strcmp(verb, "send1")) {
		struct mcast_addr g, s;
		if (parse_addr(tok[4], &g) < 0 || parse_addr(tok[5], &s) < 0)
			return bad(c, e->line, "bad address in send");
		if (!nd->stopped)
			sim_send_data(nd, &s, &g, (uint8_t)atoi(tok[6]));
		return 0;
	}
	if (!strcmp(verb, "load-begin") || !strcmp(verb, "load-end")) {
		struct sim_iface *x = need_iface(c, e, nd, tok[4]);
		if (!x)
			return -1;
		uint64_t reports = 0, records = 0;
		for (int f = 0; f < 2; f++) {
			struct mcast_router_iface_info ii;
			if (nd->r[f] && mcast_router_iface_info(nd->r[f], x->ifindex, &ii) == 0) {
				reports += ii.stats->rx_reports;
				records += ii.stats->rx_records;
			}
		}
		if (verb[5] == 'b') {
			nd->load_reports = reports;
			nd->load_records = records;
			nd->load_start = c->w->wheel.now_ms;
			return 0;
		}
		double secs = (double)(c->w->wheel.now_ms - nd->load_start) / 1000.0;
		uint64_t dp = reports - nd->load_reports, dr = records - nd->load_records;
		printf("report load on %s.%s from %.3fs to %.3fs: %llu reports (%.0f/s), %llu group records (%.0f/s)\n",
		       nd->name, x->name, (double)nd->load_start / 1000.0, (double)c->w->wheel.now_ms / 1000.0,
		       (unsigned long long)dp, (double)dp / secs, (unsigned long long)dr, (double)dr / secs);
		return 0;
	}
	if (!strcmp(verb, "explain") && (n == 6 || n == 7)) {
		/* at T R explain S G [IF]: why (S,G) goes or not out of each
		 * interface, as mcastctl explain says it */
		struct mcast_addr s, g;
		if (parse_addr(tok[4], &s) < 0 || parse_addr(tok[5], &g) < 0 ||
		    mcast_addr_family(&s) != mcast_addr_family(&g))
			return bad(c, e->line, "usage: explain S G [IF]");
		int f = mcast_addr_is_v4(&g) ? 0 : 1;
		if (!nd->rt[f])
			return bad(c, e->line, "%s routes no %s", nd->name, f ? "IPv6" : "IPv4");
		struct mcast_explain ex;
		struct mcast_explain_iface ifs[SIM_MAX_IFS];
		mcast_routing_explain(nd->rt[f], &s, &g, &ex, ifs, SIM_MAX_IFS);
		printf("explain on %s at %llums:\n", nd->name, (unsigned long long)c->w->wheel.now_ms);
		mcast_routing_explain_text(&ex, ifs, &s, &g, n == 7 ? tok[6] : NULL, print_line, NULL);
		return 0;
	}
	if (!strcmp(verb, "close")) {
		sim_node_close_sock(nd, sockname);
		return 0;
	}
	/* "... expect CODE": the call's return code is an expectation */
	const char *want_code = NULL;
	if (n >= 8 && !strcmp(tok[n - 2], "expect")) {
		want_code = tok[n - 1];
		n -= 2;
		bool known = false;
		for (size_t k = 0; k < sizeof(errnames) / sizeof(errnames[0]); k++)
			known |= !strcmp(errnames[k].name, want_code);
		if (!known)
			return bad(c, e->line, "expect %s: not a known result (ok, EINVAL, EADDRINUSE, EADDRNOTAVAIL, ENOBUFS, ENODEV, ENOMEM, ENOENT, EPERM)",
				   want_code);
	}
	if (n < 6)
		return bad(c, e->line, "too few arguments for %s", verb);
	struct sim_iface *i = need_iface(c, e, nd, tok[4]);
	struct mcast_addr g, s;
	if (!i)
		return -1;
	if (parse_addr(tok[5], &g) < 0)
		return bad(c, e->line, "bad group %s", tok[5]);
	int f = mcast_addr_is_v4(&g) ? 0 : 1;
	struct mcast_host *h = nd->h[f];
	if (!h)
		return bad(c, e->line, "%s has no engine for this family", nd->name);
	struct mcast_host_sock *sk = sim_node_sock(nd, sockname, f);
	if (!sk)
		return bad(c, e->line, "%s: no memory for socket %s", nd->name, sockname);
	int rc;
	if (!strcmp(verb, "join"))
		rc = mcast_host_join(h, sk, i->ifindex, &g);
	else if (!strcmp(verb, "leave"))
		rc = mcast_host_leave(h, sk, i->ifindex, &g);
	else if (!strcmp(verb, "filter") && n >= 7) {
		struct mcast_addr v[32];
		size_t k = 0;
		for (int j = 7; j < n && k < 32; j++)
			if (parse_addr(tok[j], &v[k++]) < 0)
				return bad(c, e->line, "bad source %s", tok[j]);
		rc = mcast_host_set_filter(h, sk, i->ifindex, &g,
					   !strcmp(tok[6], "include") ? MCAST_MODE_INCLUDE : MCAST_MODE_EXCLUDE, v, k);
	} else {
		if (n < 7 || parse_addr(tok[6], &s) < 0)
			return bad(c, e->line, "bad source %s", n > 6 ? tok[6] : "");
		if (!strcmp(verb, "join-source"))
			rc = mcast_host_join_source(h, sk, i->ifindex, &g, &s);
		else if (!strcmp(verb, "leave-source"))
			rc = mcast_host_leave_source(h, sk, i->ifindex, &g, &s);
		else if (!strcmp(verb, "block"))
			rc = mcast_host_block(h, sk, i->ifindex, &g, &s);
		else if (!strcmp(verb, "unblock"))
			rc = mcast_host_unblock(h, sk, i->ifindex, &g, &s);
		else
			return bad(c, e->line, "unknown action %s", verb);
	}
	if (want_code) {
		c->expects++;
		if (strcmp(errname(rc), want_code)) {
			char want[128];
			snprintf(want, sizeof(want), "%s %s to return %s", tok[2], verb, want_code);
			fail(c, e, want, errname(rc));
		}
	} else if (rc < 0 && c->verbose) {
		printf("%s:%u: %s %s: %s\n", c->path, e->line, tok[2], verb, strerror(-rc));
	}
	return 0;
}

/* "MODE S..." from an expectation's tokens 6.., addresses normalized. */
static int want_sources(struct ctx *c, const struct ev *e, char *const *tok, int n, char *want, size_t cap)
{
	size_t k = (size_t)snprintf(want, cap, "%s", tok[6]);
	for (int j = 7; j < n && k < cap; j++) {
		struct mcast_addr a;
		char b[MCAST_ADDR_STRLEN];
		if (parse_addr(tok[j], &a) < 0)
			return bad(c, e->line, "bad source %s", tok[j]);
		k += (size_t)snprintf(want + k, cap - k, " %s", mcast_addr_str(&a, b));
	}
	return 0;
}

static int expect(struct ctx *c, const struct ev *e)
{
	char *const *tok = e->tok;
	int n = e->ntok;
	char want[512], got[512];
	c->expects++;
	struct sim_node *nd = sim_node_find(c->w, tok[2]);
	if (!nd)
		return bad(c, e->line, "no node %s", tok[2]);
	const char *what = tok[3];
	if (!strcmp(what, "received") && n == 8) {
		/* expect T H received G from S N */
		struct mcast_addr g, s;
		unsigned long want_n;
		if (parse_addr(tok[4], &g) < 0 || parse_addr(tok[6], &s) < 0 || parse_uint(tok[7], &want_n) < 0)
			return bad(c, e->line, "usage: received G from S N");
		uint64_t have = sim_received(nd, &s, &g);
		snprintf(want, sizeof(want), "%s to receive %lu packets from %s to %s", nd->name, want_n, tok[6], tok[4]);
		snprintf(got, sizeof(got), "%llu", (unsigned long long)have);
		if (have != want_n)
			fail(c, e, want, got);
		return 0;
	}
	if (n < 5)
		return bad(c, e->line, "too few arguments for expect %s", what);
	if (!strcmp(what, "unresolved")) {
		unsigned long v;
		if (parse_uint(tok[4], &v) < 0)
			return bad(c, e->line, "bad number %s", tok[4]);
		size_t have = (nd->t[0] ? mcast_mr_unresolved_count(nd->t[0]) : 0) +
			      (nd->t[1] ? mcast_mr_unresolved_count(nd->t[1]) : 0);
		snprintf(want, sizeof(want), "%lu unresolved entries on %s", v, nd->name);
		snprintf(got, sizeof(got), "%zu", have);
		if (have != v)
			fail(c, e, want, got);
		return 0;
	}
	if (!strcmp(what, "mfc") && n >= 7) {
		/* expect T R mfc S G OUT... | none | - ; the first token after mfc is IF-free */
		struct mcast_addr s, g;
		if (parse_addr(tok[4], &s) < 0 || parse_addr(tok[5], &g) < 0)
			return bad(c, e->line, "usage: mfc S G IF...|none|-");
		int f = mcast_addr_is_v4(&g) ? 0 : 1;
		struct mcast_mfc_oif o[64];
		size_t no = 0;
		int rc = nd->t[f] ? mcast_mr_mfc_get(nd->t[f], &s, &g, NULL, NULL, o, 64, &no) : -ENOENT;
		size_t k = 0;
		if (rc < 0) {
			snprintf(got, sizeof(got), "none");
		} else if (no == 0) {
			snprintf(got, sizeof(got), "-");
		} else {
			got[0] = '\0';
			for (size_t j = 0; j < no; j++) {
				struct mcast_vif_config vc;
				mcast_mr_vif_get(nd->t[f], o[j].vif, &vc, NULL);
				k += (size_t)snprintf(got + k, sizeof(got) - k, "%s%s", j ? " " : "", vc.name);
			}
		}
		k = 0;
		want[0] = '\0';
		for (int j = 6; j < n; j++)
			k += (size_t)snprintf(want + k, sizeof(want) - k, "%s%s", j > 6 ? " " : "", tok[j]);
		if (strcmp(want, got)) {
			char w2[600];
			snprintf(w2, sizeof(w2), "(%s, %s) on %s to go out of %s", tok[4], tok[5], nd->name, want);
			fail(c, e, w2, got);
		}
		return 0;
	}
	struct sim_iface *i = need_iface(c, e, nd, tok[4]);
	if (!i)
		return -1;
	if (!strcmp(what, "explain") && n >= 8) {
		/* expect T R explain IF S G REASON...: explain's reason for IF,
		 * its words joined by '-' (no-listener, source-not-wanted) or as
		 * they are; "+" after it: in the entry now */
		struct mcast_addr s, g;
		if (parse_addr(tok[5], &s) < 0 || parse_addr(tok[6], &g) < 0 ||
		    mcast_addr_family(&s) != mcast_addr_family(&g))
			return bad(c, e->line, "usage: explain IF S G REASON");
		int f = mcast_addr_is_v4(&g) ? 0 : 1;
		struct mcast_explain ex;
		struct mcast_explain_iface ifs[SIM_MAX_IFS];
		got[0] = '\0';
		if (nd->rt[f] && mcast_routing_explain(nd->rt[f], &s, &g, &ex, ifs, SIM_MAX_IFS) == 0)
			for (size_t k = 0; k < ex.n && k < SIM_MAX_IFS; k++)
				if (ifs[k].ifindex == i->ifindex)
					snprintf(got, sizeof(got), "%s%s", mcast_why_name(ifs[k].why), ifs[k].forwarded ? "+" : "");
		for (char *p = got; *p; p++)
			if (*p == ' ')
				*p = '-';
		size_t k = 0;
		want[0] = '\0';
		for (int j = 7; j < n && k < sizeof(want); j++)
			k += (size_t)snprintf(want + k, sizeof(want) - k, "%s%s", j > 7 ? "-" : "", tok[j]);
		if (strcmp(want, got)) {
			char w2[600];
			snprintf(w2, sizeof(w2), "explain (%s, %s) on %s.%s: %s", tok[5], tok[6], nd->name, i->name, want);
			fail(c, e, w2, got);
		}
		return 0;
	}
	if (!strcmp(what, "querier") && n == 6) {
		struct mcast_addr a;
		if (parse_addr(tok[5], &a) < 0)
			return bad(c, e->line, "bad address %s", tok[5]);
		int f = mcast_addr_is_v4(&a) ? 0 : 1;
		struct mcast_router_iface_info ii;
		if (!nd->r[f] || mcast_router_iface_info(nd->r[f], i->ifindex, &ii) < 0)
			snprintf(got, sizeof(got), "no router there");
		else
			mcast_addr_str(&ii.querier_addr, got);
		snprintf(want, sizeof(want), "querier on %s.%s to be %s", nd->name, i->name, tok[5]);
		if (strcmp(got, tok[5]))
			fail(c, e, want, got);
		return 0;
	}
	if (!strcmp(what, "counter") && n == 7) {
		unsigned long v;
		if (parse_uint(tok[6], &v) < 0)
			return bad(c, e->line, "bad number %s", tok[6]);
		const struct mcast_stat_field *found = NULL;
		for (size_t k = 0; k < mcast_router_stat_nfields; k++)
			if (!strcmp(mcast_router_stat_fields[k].name, tok[5]))
				found = &mcast_router_stat_fields[k];
		if (!found)
			return bad(c, e->line, "unknown counter %s", tok[5]);
		uint64_t have = 0;
		for (int f = 0; f < 2; f++) {
			struct mcast_router_iface_info ii;
			if (nd->r[f] && mcast_router_iface_info(nd->r[f], i->ifindex, &ii) == 0)
				have += mcast_router_stat(ii.stats, found);
		}
		snprintf(want, sizeof(want), "%s on %s.%s to be %lu", tok[5], nd->name, i->name, v);
		snprintf(got, sizeof(got), "%llu", (unsigned long long)have);
		if (have != v)
			fail(c, e, want, got);
		return 0;
	}
	struct mcast_addr g;
	if (!strcmp(what, "group") && n >= 7) {
		/* expect T R group IF G none|include|exclude [S...] */
		if (parse_addr(tok[5], &g) < 0)
			return bad(c, e->line, "bad group %s", tok[5]);
		int f = mcast_addr_is_v4(&g) ? 0 : 1;
		struct mcast_router_group_info gi;
		struct mcast_router_source_info si[64];
		int rc = nd->r[f] ? mcast_router_group(nd->r[f], i->ifindex, &g, &gi, si, 64) : -ENODEV;
		size_t k = 0;
		if (rc < 0) {
			snprintf(got, sizeof(got), "none");
		} else {
			k = (size_t)snprintf(got, sizeof(got), "%s", gi.exclude ? "exclude" : "include");
			for (size_t j = 0; j < gi.nsources && j < 64; j++) {
				/* EXCLUDE lists the excluded sources (Y); INCLUDE all. */
				if (gi.exclude && si[j].forwarding)
					continue;
				char a[MCAST_ADDR_STRLEN];
				k += (size_t)snprintf(got + k, sizeof(got) - k, " %s", mcast_addr_str(&si[j].addr, a));
			}
		}
		if (want_sources(c, e, tok, n, want, sizeof(want)) < 0)
			return -1;
		if (strcmp(want, got)) {
			char w2[600];
			snprintf(w2, sizeof(w2), "group %s on %s.%s: %s", tok[5], nd->name, i->name, want);
			fail(c, e, w2, got);
		}
		return 0;
	}
	if ((!strcmp(what, "host-counter") || !strcmp(what, "upstream-counter")) && n == 7) {
		/* expect T N host-counter IF NAME V: the node's own host engine;
		 * upstream-counter: a proxy's host part (what it sent upstream) */
		unsigned long v;
		if (parse_uint(tok[6], &v) < 0)
			return bad(c, e->line, "bad number %s", tok[6]);
		uint64_t have = 0;
		bool known = false;
		for (int f = 0; f < 2; f++) {
			const struct mcast_host *hh = what[0] == 'h' ? nd->h[f] : nd->px[f] ? mcast_proxy_host(nd->px[f]) : NULL;
			const struct mcast_host_stats *st = hh ? mcast_host_stats(hh, i->ifindex) : NULL;
			static const struct {
				const char *name;
				size_t off;
			} fields[] = {
#define HF(x) { #x, offsetof(struct mcast_host_stats, x) }
				HF(rx_queries), HF(rx_reports), HF(tx_reports), HF(tx_leaves), HF(suppressed), HF(nomem),
#undef HF
			};
			for (size_t k = 0; k < sizeof(fields) / sizeof(fields[0]); k++)
				if (!strcmp(fields[k].name, tok[5])) {
					known = true;
					if (st)
						have += *(const uint64_t *)(const void *)((const char *)st + fields[k].off);
				}
		}
		if (!known)
			return bad(c, e->line, "unknown host counter %s (rx_queries, rx_reports, tx_reports, tx_leaves, suppressed, nomem)",
				   tok[5]);
		snprintf(want, sizeof(want), "%s %s on %s.%s to be %lu", what, tok[5], nd->name, i->name, v);
		snprintf(got, sizeof(got), "%llu", (unsigned long long)have);
		if (have != v)
			fail(c, e, want, got);
		return 0;
	}
	if (!strcmp(what, "timer") && (n == 7 || n == 8)) {
		/* expect T R timer IF G [S] MS: the group timer, or a source's */
		struct mcast_addr sa;
		mcast_time_ms ms;
		if (parse_addr(tok[5], &g) < 0 || (n == 8 && parse_addr(tok[6], &sa) < 0) ||
		    parse_time(tok[n - 1], &ms) < 0)
			return bad(c, e->line, "usage: timer IF G [S] TIME");
		int f = mcast_addr_is_v4(&g) ? 0 : 1;
		struct mcast_router_group_info gi;
		struct mcast_router_source_info si[256];
		int rc = nd->r[f] ? mcast_router_group(nd->r[f], i->ifindex, &g, &gi, si, 256) : -ENODEV;
		if (rc < 0) {
			snprintf(got, sizeof(got), "no group");
		} else if (n == 7) {
			snprintf(got, sizeof(got), "%llums", (unsigned long long)gi.group_timer_ms);
		} else {
			snprintf(got, sizeof(got), "no such source");
			for (size_t j = 0; j < gi.nsources && j < 256; j++)
				if (mcast_addr_eq(&si[j].addr, &sa))
					snprintf(got, sizeof(got), "%llums", (unsigned long long)si[j].timer_ms);
		}
		snprintf(want, sizeof(want), "%s timer of %s%s%s on %s.%s to be %llums", n == 7 ? "group" : "source",
			 tok[5], n == 8 ? " source " : "", n == 8 ? tok[6] : "", nd->name, i->name,
			 (unsigned long long)ms);
		char w2[64];
		snprintf(w2, sizeof(w2), "%llums", (unsigned long long)ms);
		if (strcmp(w2, got))
			fail(c, e, want, got);
		return 0;
	}
	if ((!strcmp(what, "upstream") || !strcmp(what, "ifstate")) && n >= 7) {
		/* expect T R upstream IF G none|include|exclude [S...]: the
		 * proxy's merged record (its host part's interface state) */
		if (parse_addr(tok[5], &g) < 0)
			return bad(c, e->line, "bad group %s", tok[5]);
		int f = mcast_addr_is_v4(&g) ? 0 : 1;
		struct mcast_addr sv[64];
		enum mcast_filter_mode mode;
		size_t ns = 0, k = 0;
		/* ifstate: the node's own host engine (RFC 3376 3.2, RFC 3810 4.2) */
		const struct mcast_host *hh = what[0] == 'i' ? nd->h[f] : nd->px[f] ? mcast_proxy_host(nd->px[f]) : NULL;
		int rc = hh ? mcast_host_iface_state(hh, i->ifindex, &g, &mode, sv, 64, &ns) : -ENODEV;
		if (rc < 0) {
			snprintf(got, sizeof(got), "none");
		} else {
			k = (size_t)snprintf(got, sizeof(got), "%s", mode == MCAST_MODE_EXCLUDE ? "exclude" : "include");
			for (size_t j = 0; j < ns && j < 64; j++) {
				char a[MCAST_ADDR_STRLEN];
				k += (size_t)snprintf(got + k, sizeof(got) - k, " %s", mcast_addr_str(&sv[j], a));
			}
		}
		if (want_sources(c, e, tok, n, want, sizeof(want)) < 0)
			return -1;
		if (strcmp(want, got)) {
			char w2[600];
			snprintf(w2, sizeof(w2), "%s %s on %s.%s: %s", what[0] == 'i' ? "interface state" : "upstream record",
				 tok[5], nd->name, i->name, want);
			fail(c, e, w2, got);
		}
		return 0;
	}
	if (!strcmp(what, "compat") && n == 7) {
		unsigned long v;
		if (parse_addr(tok[5], &g) < 0 || parse_uint(tok[6], &v) < 0)
			return bad(c, e->line, "usage: compat IF G N");
		int f = mcast_addr_is_v4(&g) ? 0 : 1;
		struct mcast_router_group_info gi;
		int rc = nd->r[f] ? mcast_router_group(nd->r[f], i->ifindex, &g, &gi, NULL, 0) : -ENODEV;
		snprintf(want, sizeof(want), "compatibility version %lu for %s on %s", v, tok[5], i->name);
		snprintf(got, sizeof(got), rc < 0 ? "no group" : "%u", rc < 0 ? 0 : gi.compat_version);
		if (rc < 0 || gi.compat_version != v)
			fail(c, e, want, got);
		return 0;
	}
	if (!strcmp(what, "version") && n == 7) {
		/* expect T H version IF igmp|mld N */
		unsigned long v;
		if (parse_uint(tok[6], &v) < 0)
			return bad(c, e->line, "bad number %s", tok[6]);
		int f = !strcmp(tok[5], "mld") ? 1 : 0;
		/* a proxy's upstream: the version its host part follows */
		const struct mcast_host *h = i->role == MCAST_ROUTING_UPSTREAM && nd->px[f] ? mcast_proxy_host(nd->px[f])
											   : nd->h[f];
		int have = h ? mcast_host_version(h, i->ifindex) : -1;
		snprintf(want, sizeof(want), "%s version %lu on %s.%s", tok[5], v, nd->name, i->name);
		snprintf(got, sizeof(got), "%d", have);
		if (have != (int)v)
			fail(c, e, want, got);
		return 0;
	}
	return bad(c, e->line, "unknown expectation %s", what);
}

int sim_scenario_run(const char *path, uint64_t seed, const char *pcap_dir, bool json, bool verbose)
{
	FILE *in = fopen(path, "r");
	if (!in) {
		fprintf(stderr, "mcastsim: %s: %s\n", path, strerror(errno));
		return -1;
	}
	struct ctx c = { .path = path, .verbose = verbose };
	c.w = sim_create(seed, pcap_dir);
	char line[1024];
	unsigned ln = 0;
	int rc = 0;
	while (rc == 0 && fgets(line, sizeof(line), in)) {
		ln++;
		char *hash = strchr(line, '#');
		if (hash)
			*hash = '\0';
		char *tok[MAX_TOK];
		int n = 0;
		for (char *sv = NULL, *t = strtok_r(line, " \t\r\n", &sv); t && n < MAX_TOK;
		     t = strtok_r(NULL, " \t\r\n", &sv))
			tok[n++] = t;
		if (n == 0)
			continue;
		if (!strcmp(tok[0], "at") || !strcmp(tok[0], "expect") || !strcmp(tok[0], "end"))
			rc = timed(&c, ln, tok, n);
		else
			rc = topology(&c, ln, tok, n);
	}
	fclose(in);
	for (unsigned i = 0; rc == 0 && i < c.w->nnodes; i++)
		if (sim_node_start(c.w->nodes[i]) < 0)
			rc = bad(&c, 0, "node %s could not start (check its addresses and settings)", c.w->nodes[i]->name);
	if (c.nev) /* no timed line: no array (qsort's base must not be NULL) */
		qsort(c.ev, c.nev, sizeof(*c.ev), cmp_ev);
	for (size_t i = 0; rc == 0 && i < c.nev; i++) {
		struct ev *e = &c.ev[i];
		sim_run_until(c.w, e->t);
		rc = !strcmp(e->tok[0], "at") ? action(&c, e) : expect(&c, e);
	}
	if (rc == 0) {
		sim_run_until(c.w, c.end > c.w->wheel.now_ms ? c.end : c.w->wheel.now_ms);
		if (json)
			sim_dump_json(c.w, stdout);
		printf("%s: %u expectations, %u passed, %u failed\n", path, c.expects, c.expects - c.failed, c.failed);
		/* a scenario that checks nothing proves nothing: it fails */
		if (c.expects == 0) {
			printf("%s: FAIL: no expectations\n", path);
			c.failed = 1;
		}
	}
	for (size_t i = 0; i < c.nev; i++)
		free(c.ev[i].tok);
	free(c.ev);
	sim_destroy(c.w);
	return rc < 0 ? -1 : (int)c.failed;
}
