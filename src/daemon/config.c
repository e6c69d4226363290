/*
 * DOC: mcastd.conf
 *
 * Line-based: one statement per line, '#' starts a comment.
 *
 *   interface NAME [KEY VALUE]...
 *   allow IFACE GROUP[/LEN] [source SOURCE[/LEN]]
 *   deny IFACE GROUP[/LEN] [source SOURCE[/LEN]]
 *   route from IFACE [source S] group G to IFACE...
 *   mfc-idle TIME
 *
 * Interface keys: igmp on|off, mld on|off, igmp-version N, mld-version N,
 * threshold N, and every router setting of mcast_router_config_set()
 * (applied to both families). Every error names the file, the line and
 * the reason; a file with any error is refused as a whole.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"

struct parse {
	const char *path;
	FILE *err;
	unsigned line;
	int errors;
};

static void bad(struct parse *p, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void bad(struct parse *p, const char *fmt, ...)
{
	va_list ap;
	if (p->err) {
		fprintf(p->err, "%s:%u: ", p->path, p->line);
		va_start(ap, fmt);
		vfprintf(p->err, fmt, ap);
		va_end(ap);
		fputc('\n', p->err);
	}
	p->errors++;
}

const struct cfg_iface *cfg_iface_find(const struct mcastd_config *c, const char *name)
{
	for (unsigned i = 0; i < c->niface; i++)
		if (!strcmp(c->iface[i].name, name))
			return &c->iface[i];
	return NULL;
}

static bool name_ok(const char *s)
{
	size_t n = strlen(s);
	return n > 0 && n < 16 && !strchr(s, '/');
}

static int onoff(const char *v, bool *b)
{
	if (!strcmp(v, "on"))
		*b = true;
	else if (!strcmp(v, "off"))
		*b = false;
	else
		return -1;
	return 0;
}

static void interface(struct parse *p, struct mcastd_config *c, char **tok, int n)
{
	if (n < 2 || !name_ok(tok[1])) {
		bad(p, "interface needs a name (up to 15 characters)");
		return;
	}
	if (cfg_iface_find(c, tok[1])) {
		bad(p, "interface %s is already configured (line %u)", tok[1], cfg_iface_find(c, tok[1])->line);
		return;
	}
	if (c->niface == CFG_MAX_IFACES) {
		bad(p, "too many interfaces (at most %d)", CFG_MAX_IFACES);
		return;
	}
	struct cfg_iface *i = &c->iface[c->niface];
	memset(i, 0, sizeof(*i));
	snprintf(i->name, sizeof(i->name), "%s", tok[1]);
	i->v4 = i->v6 = true;
	i->threshold = 1;
	i->line = p->line;
	mcast_router_config_default(&i->rc4, MCAST_AF_INET);
	mcast_router_config_default(&i->rc6, MCAST_AF_INET6);
	/* bounded by default: what one LAN can make us hold (mcastd.conf(5)) */
	for (int f = 0; f < 2; f++) {
		struct mcast_router_config *rc = f ? &i->rc6 : &i->rc4;
		rc->max_groups = CFG_DEFAULT_MAX_GROUPS;
		rc->max_sources = CFG_DEFAULT_MAX_SOURCES;
		rc->max_total_sources = CFG_DEFAULT_MAX_TOTAL_SOURCES;
	}
	int before = p->errors;
	for (int k = 2; k < n; k += 2) {
		const char *key = tok[k], *val = k + 1 < n ? tok[k + 1] : NULL;
		if (!val) {
			bad(p, "%s: missing value", key);
			break;
		}
		char *end;
		if (!strcmp(key, "igmp")) {
			if (onoff(val, &i->v4) < 0)
				bad(p, "igmp: expected on or off, not %s", val);
		} else if (!strcmp(key, "mld")) {
			if (onoff(val, &i->v6) < 0)
				bad(p, "mld: expected on or off, not %s", val);
		} else if (!strcmp(key, "vif")) {
			/* with VIFs on demand: "always" keeps one (an input
			 * interface: senders are only seen through a VIF) */
			if (strcmp(val, "always") && strcmp(val, "on-demand"))
				bad(p, "vif: expected always or on-demand, not %s", val);
			else
				i->vif_always = !strcmp(val, "always");
		} else if (!strcmp(key, "threshold")) {
			unsigned long t = strtoul(val, &end, 10);
			if (*end || !*val || t < 1 || t > 254)
				bad(p, "threshold: expected 1..254, not %s", val);
			else
				i->threshold = (uint8_t)t;
		} else {
			int rc = mcast_router_config_set_both(&i->rc4, &i->rc6, key, val);
			if (rc == -ENOENT)
				bad(p, "unknown interface setting %s", key);
			else if (rc < 0)
				bad(p, "%s: expected %s, not %s", key, mcast_router_config_allowed(key), val);
		}
	}
	if (i->rc4.query_response_ms >= i->rc4.query_interval_ms)
		bad(p, "query-response must be shorter than query-interval");
	if (p->errors == before)
		c->niface++;
}

static void access_rule(struct parse *p, struct mcastd_config *c, char **tok, int n)
{
	if (n != 3 && !(n == 5 && !strcmp(tok[3], "source"))) {
		bad(p, "usage: %s IFACE GROUP[/LEN] [source SOURCE[/LEN]]", tok[0]);
		return;
	}
	if (c->nacl == CFG_MAX_ACL) {
		bad(p, "too many access rules (at most %d)", CFG_MAX_ACL);
		return;
	}
	struct cfg_acl *a = &c->acl[c->nacl];
	memset(a, 0, sizeof(*a));
	a->allow = !strcmp(tok[0], "allow");
	if (!name_ok(tok[1])) {
		bad(p, "bad interface name %s", tok[1]);
		return;
	}
	snprintf(a->iface, sizeof(a->iface), "%s", tok[1]);
	if (mcast_prefix_parse(&a->group, tok[2]) < 0 || !mcast_addr_is_multicast(&a->group.addr)) {
		bad(p, "bad group prefix %s", tok[2]);
		return;
	}
	if (n == 5) {
		a->has_source = true;
		if (mcast_prefix_parse(&a->source, tok[4]) < 0 ||
		    mcast_addr_family(&a->source.addr) != mcast_addr_family(&a->group.addr)) {
			bad(p, "bad source prefix %s", tok[4]);
			return;
		}
	}
	c->nacl++;
}

int cfg_listen_parse(const char *s, struct sockaddr_storage *ss)
{
	char host[64];
	const char *colon = strrchr(s, ':');
	if (!colon || colon == s || (size_t)(colon - s) >= sizeof(host))
		return -1;
	memcpy(host, s, (size_t)(colon - s));
	host[colon - s] = '\0';
	char *end;
	unsigned long port = strtoul(colon + 1, &end, 10);
	if (!colon[1] || *end || port < 1 || port > 65535)
		return -1;
	memset(ss, 0, sizeof(*ss));
	size_t hl = strlen(host);
	if (host[0] == '[' && hl > 2 && host[hl - 1] == ']') {
		struct sockaddr_in6 *a = (struct sockaddr_in6 *)ss;
		host[hl - 1] = '\0';
		if (inet_pton(AF_INET6, host + 1, &a->sin6_addr) != 1)
			return -1;
		a->sin6_family = AF_INET6;
		a->sin6_port = htons((uint16_t)port);
		return 0;
	}
	struct sockaddr_in *a = (struct sockaddr_in *)ss;
	if (inet_pton(AF_INET, host, &a->sin_addr) != 1)
		return -1;
	a->sin_family = AF_INET;
	a->sin_port = htons((uint16_t)port);
	return 0;
}

int cfg_sgroup_parse(struct cfg_sgroup *g, char **tok, int n, char *why, size_t len)
{
	memset(g, 0, sizeof(*g));
	if (n < 2 || n > 3 || !name_ok(tok[0])) {
		snprintf(why, len, "usage: static-group IFACE GROUP [SOURCE]");
		return -1;
	}
	snprintf(g->iface, sizeof(g->iface), "%s", tok[0]);
	if (mcast_addr_parse(&g->group, tok[1]) < 0 || !mcast_addr_is_multicast(&g->group) ||
	    mcast_addr_is_local_group(&g->group)) {
		snprintf(why, len, "bad group %s (a multicast group beyond link scope)", tok[1]);
		return -1;
	}
	g->source = mcast_addr_is_v4(&g->group) ? mcast_addr_any4 : mcast_addr_any6;
	if (n == 3 && (mcast_addr_parse(&g->source, tok[2]) < 0 || !mcast_addr_is_valid_source(&g->source) ||
		       mcast_addr_family(&g->source) != mcast_addr_family(&g->group))) {
		snprintf(why, len, "bad source %s (a unicast address of the group's family)", tok[2]);
		return -1;
	}
	return 0;
}

static void sgroup(struct parse *p, struct mcastd_config *c, char **tok, int n)
{
	struct cfg_sgroup g;
	char why[160];
	if (cfg_sgroup_parse(&g, tok + 1, n - 1, why, sizeof(why)) < 0) {
		bad(p, "%s", why);
		return;
	}
	if (c->nsgroup == CFG_MAX_SGROUPS) {
		bad(p, "too many static groups (at most %d)", CFG_MAX_SGROUPS);
		return;
	}
	g.line = p->line;
	c->sgroup[c->nsgroup++] = g;
}

static void route(struct parse *p, struct mcastd_config *c, char **tok, int n)
{
	/* route from IF [source S] group G to IF... */
	int k = 1;
	struct cfg_route r;
	memset(&r, 0, sizeof(r));
	r.line = p->line;
	if (k + 1 >= n || strcmp(tok[k], "from") || !name_ok(tok[k + 1]))
		goto usage;
	snprintf(r.from, sizeof(r.from), "%s", tok[k + 1]);
	k += 2;
	bool have_source = false;
	if (k + 1 < n && !strcmp(tok[k], "source")) {
		if (mcast_addr_parse(&r.source, tok[k + 1]) < 0 || !mcast_addr_is_valid_source(&r.source)) {
			bad(p, "bad source address %s", tok[k + 1]);
			return;
		}
		have_source = true;
		k += 2;
	}
	if (k + 1 >= n || strcmp(tok[k], "group"))
		goto usage;
	if (mcast_addr_parse(&r.group, tok[k + 1]) < 0 || !mcast_addr_is_multicast(&r.group)) {
		bad(p, "bad group address %s", tok[k + 1]);
		return;
	}
	if (have_source && mcast_addr_family(&r.source) != mcast_addr_family(&r.group)) {
		bad(p, "source %s and group %s are of different families", tok[k - 1], tok[k + 1]);
		return;
	}
	if (!have_source)
		r.source = mcast_addr_is_v4(&r.group) ? mcast_addr_any4 : mcast_addr_any6;
	k += 2;
	if (k >= n || strcmp(tok[k], "to") || k + 1 >= n)
		goto usage;
	for (k++; k < n; k++) {
		if (!name_ok(tok[k]) || r.nout == CFG_MAX_OUT) {
			bad(p, "bad or too many output interfaces at %s", tok[k]);
			return;
		}
		if (!strcmp(tok[k], r.from)) {
			bad(p, "%s is the incoming interface and cannot be an output", tok[k]);
			return;
		}
		snprintf(r.to[r.nout++], sizeof(r.to[0]), "%s", tok[k]);
	}
	for (unsigned i = 0; i < c->nroute; i++)
		if (mcast_addr_eq(&c->route[i].source, &r.source) && mcast_addr_eq(&c->route[i].group, &r.group)) {
			bad(p, "a route for this source and group exists (line %u)", c->route[i].line);
			return;
		}
	if (c->nroute == CFG_MAX_ROUTES) {
		bad(p, "too many routes (at most %d)", CFG_MAX_ROUTES);
		return;
	}
	c->route[c->nroute++] = r;
	return;
usage:
	bad(p, "usage: route from IFACE [source S] group G to IFACE...");
}

/* A kernel table: "default" (253) or a number from 1 to 99999999 but
 * 253 (0 is RT_TABLE_UNSPEC; MRT6_TABLE refuses 10^8 and more with
 * EINVAL, MRT_TABLE a little later). */
static int table_parse(const char *s, uint32_t *v)
{
	if (!strcmp(s, "default")) {
		*v = CFG_TABLE_DEFAULT;
		return 0;
	}
	char *end;
	errno = 0;
	unsigned long long x = strtoull(s, &end, 10);
	if (!*s || *end || s[0] == '-' || errno || x < 1 || x > 99999999ull || x == CFG_TABLE_DEFAULT)
		return -1;
	*v = (uint32_t)x;
	return 0;
}

static void proxy(struct parse *p, struct mcastd_config *c, char **tok, int n)
{
	/* proxy NAME upstream IF [upstream-querier on|off]
	 *       [upstream-report-interval TIME|off] [table N]
	 *       downstream IF... */
	struct cfg_proxy x;
	memset(&x, 0, sizeof(x));
	x.line = p->line;
	int k = 1;
	if (n < 6 || strlen(tok[1]) >= sizeof(x.name) || strcmp(tok[2], "upstream") || !name_ok(tok[3]))
		goto usage;
	snprintf(x.name, sizeof(x.name), "%s", tok[1]);
	snprintf(x.up, sizeof(x.up), "%s", tok[3]);
	k = 4;
	for (; k + 1 < n && strcmp(tok[k], "downstream"); k += 2) {
		if (!strcmp(tok[k], "upstream-querier")) {
			if (onoff(tok[k + 1], &x.upstream_querier) < 0) {
				bad(p, "upstream-querier: expected on or off, not %s", tok[k + 1]);
				return;
			}
		} else if (!strcmp(tok[k], "upstream-report-interval")) {
			/* unsolicited reports of the whole state, for providers
			 * that never query (off by default: RFC 4605 has none) */
			mcast_time_ms t = 0;
			if (strcmp(tok[k + 1], "off") &&
			    (mcast_time_parse(tok[k + 1], &t) < 0 || t < 1000 || t > 3600000)) {
				bad(p, "upstream-report-interval: expected off or a time from 1s to 1h, such as 60s, not %s",
				    tok[k + 1]);
				return;
			}
			x.report_interval_ms = (uint32_t)t;
		} else if (!strcmp(tok[k], "table")) {
			/* the instance's own kernel table: the same (S,G) may
			 * then enter it and another instance at once */
			if (table_parse(tok[k + 1], &x.table) < 0) {
				bad(p, "proxy %s: table: expected default or a number from 1 to 99999999 (253 is the "
				       "default table), not %s", x.name, tok[k + 1]);
				return;
			}
		} else {
			goto usage;
		}
	}
	if (k + 1 >= n || strcmp(tok[k], "downstream"))
		goto usage;
	for (k++; k < n; k++) {
		if (!name_ok(tok[k]) || x.ndown == CFG_MAX_OUT) {
			bad(p, "bad or too many downstream interfaces at %s", tok[k]);
			return;
		}
		snprintf(x.down[x.ndown++], sizeof(x.down[0]), "%s", tok[k]);
	}
	for (unsigned i = 0; i < c->nproxy; i++)
		if (!strcmp(c->proxy[i].name, x.name)) {
			bad(p, "a proxy called %s exists (line %u)", x.name, c->proxy[i].line);
			return;
		}
	if (c->nproxy == CFG_MAX_PROXIES) {
		bad(p, "too many proxies (at most %d)", CFG_MAX_PROXIES);
		return;
	}
	c->proxy[c->nproxy++] = x;
	return;
usage:
	bad(p, "usage: proxy NAME upstream IFACE [upstream-querier on|off] [upstream-report-interval TIME|off] "
	       "[table N] downstream IFACE...");
}

static uint32_t table_id(const struct mcastd_config *c, uint32_t t)
{
	return t ? t : c->table ? c->table : CFG_TABLE_DEFAULT;
}

/* Gives each interface of a proxy its part; an interface in two places,
 * or not declared, is an error at the proxy's line. */
static void proxy_roles(struct parse *p, struct mcastd_config *c)
{
	for (unsigned k = 0; k < c->nproxy; k++) {
		const struct cfg_proxy *x = &c->proxy[k];
		p->line = x->line;
		for (unsigned j = 0; j <= x->ndown; j++) {
			const char *name = j == 0 ? x->up : x->down[j - 1];
			struct cfg_iface *i = (struct cfg_iface *)cfg_iface_find(c, name);
			if (!i) {
				bad(p, "proxy %s: no interface %s in this file", x->name, name);
				continue;
			}
			if (i->role != MCAST_ROUTING_ROUTER) {
				bad(p, "proxy %s: %s is already in proxy %s", x->name, name, c->proxy[i->domain - 1].name);
				continue;
			}
			i->role = j == 0 ? MCAST_ROUTING_UPSTREAM : MCAST_ROUTING_DOWNSTREAM;
			i->domain = k + 1;
			i->upstream_querier = j == 0 && x->upstream_querier;
			i->table = x->table;
		}
	}
	/* IPv6's default multicast table is the kernel's 254 (RT6_TABLE_DFLT),
	 * which 253 (the default) means for IPv6: the two cannot both be used */
	uint32_t own = table_id(c, 0), seen = own == 253 || own == 254 ? own : 0;
	for (unsigned k = 0; k < c->nproxy; k++) {
		uint32_t t = c->proxy[k].table;
		if (t != 253 && t != 254)
			continue;
		if (seen && seen != t) {
			p->line = c->proxy[k].line;
			bad(p, "proxy %s: tables 253 (default) and 254 are one IPv6 table (the kernel's default IPv6 table is "
			       "254): use another number", c->proxy[k].name);
		}
		seen = seen ? seen : t;
	}
	for (unsigned i = 0; i < c->nroute; i++) {
		const struct cfg_iface *in = cfg_iface_find(c, c->route[i].from);
		if (in && in->role != MCAST_ROUTING_ROUTER) {
			p->line = c->route[i].line;
			bad(p, "route from %s: the interface is in a proxy (static routes join router interfaces)", in->name);
		}
	}
}

uint32_t cfg_iface_table(const struct mcastd_config *c, const struct cfg_iface *i)
{
	return table_id(c, i->table);
}

unsigned cfg_tables(const struct mcastd_config *c, uint32_t ids[CFG_MAX_TABLES])
{
	unsigned n = 0;
	ids[n++] = table_id(c, 0);
	for (unsigned k = 0; k < c->nproxy; k++) {
		uint32_t t = table_id(c, c->proxy[k].table);
		unsigned j = 0;
		while (j < n && ids[j] != t)
			j++;
		if (j == n && n < CFG_MAX_TABLES)
			ids[n++] = t;
	}
	return n;
}

void cfg_upstream_host(const struct mcastd_config *cfg, const struct cfg_iface *c, int f, uint32_t mtu,
		       struct mcast_host_iface_config *h)
{
	const struct mcast_router_config *rc = f ? &c->rc6 : &c->rc4;
	mcast_host_iface_config_default(h);
	h->force_version = rc->version < (f ? 2 : 3) ? rc->version : 0;
	h->robustness = rc->robustness;
	h->report_link_local = false;
	h->mtu = mtu;
	if (c->domain >= 1 && c->domain <= cfg->nproxy)
		h->full_report_ms = cfg->proxy[c->domain - 1].report_interval_ms;
}

int cfg_load(struct mcastd_config *c, const char *path, FILE *err)
{
	FILE *f = fopen(path, "r");
	if (!f) {
		memset(c, 0, sizeof(*c));
		if (err)
			fprintf(err, "%s: %s\n", path, strerror(errno));
		return -1;
	}
	int rc = cfg_parse(c, f, path, err);
	fclose(f);
	return rc;
}

int cfg_parse(struct mcastd_config *c, FILE *f, const char *path, FILE *err)
{
	memset(c, 0, sizeof(*c));
	c->mfc_idle_ms = 210000;
	c->audit_ms = CFG_DEFAULT_AUDIT_MS;
	c->max_mfc_entries = CFG_DEFAULT_MAX_MFC;
	struct parse p = { .path = path, .err = err };
	char line[4096];
	while (fgets(line, sizeof(line), f)) {
		p.line++;
		size_t len = strlen(line);
		if (len == sizeof(line) - 1 && line[len - 1] != '\n') {
			bad(&p, "line too long");
			int ch;
			while ((ch = fgetc(f)) != EOF && ch != '\n')
				;
			continue;
		}
		char *hash = strchr(line, '#');
		if (hash)
			*hash = '\0';
		char *tok[80];
		int n = 0;
		for (char *s = NULL, *t = strtok_r(line, " \t\r\n", &s); t; t = strtok_r(NULL, " \t\r\n", &s)) {
			if (n == 80) {
				bad(&p, "too many words");
				n = -1;
				break;
			}
			tok[n++] = t;
		}
		if (n <= 0)
			continue;
		if (!strcmp(tok[0], "interface"))
			interface(&p, c, tok, n);
		else if (!strcmp(tok[0], "allow") || !strcmp(tok[0], "deny"))
			access_rule(&p, c, tok, n);
		else if (!strcmp(tok[0], "route"))
			route(&p, c, tok, n);
		else if (!strcmp(tok[0], "static-group"))
			sgroup(&p, c, tok, n);
		else if (!strcmp(tok[0], "proxy"))
			proxy(&p, c, tok, n);
		else if (!strcmp(tok[0], "mfc-idle")) {
			mcast_time_ms t;
			if (n != 2 || mcast_time_parse(tok[1], &t) < 0 || t < 10000 || t > UINT32_MAX)
				bad(&p, "mfc-idle: expected a time of at least 10s, such as 210s or 5m");
			else
				c->mfc_idle_ms = (uint32_t)t;
		} else if (!strcmp(tok[0], "audit-interval")) {
			mcast_time_ms t = 0;
			if (n != 2 || (strcmp(tok[1], "off") && (mcast_time_parse(tok[1], &t) < 0 || t < 1000 ||
								   t > 86400000)))
				bad(&p, "audit-interval: expected off or a time from 1s to 24h, such as 60s");
			else
				c->audit_ms = (uint32_t)t;
		} else if (!strcmp(tok[0], "max-mfc-entries")) {
			char *end;
			unsigned long v = n == 2 ? strtoul(tok[1], &end, 10) : 0;
			if (n != 2 || *end || tok[1][0] == '-' || v < 1 || v > 10000000)
				bad(&p, "max-mfc-entries: expected a number from 1 to 10000000");
			else
				c->max_mfc_entries = (uint32_t)v;
		} else if (!strcmp(tok[0], "ssm-map")) {
			/* ssm-map GROUP[/LEN] SOURCE...: for every interface */
			char m[512];
			size_t k = 0;
			struct mcast_router_config t4, t6;
			mcast_router_config_default(&t4, MCAST_AF_INET);
			mcast_router_config_default(&t6, MCAST_AF_INET6);
			for (int j = 1; j < n && k < sizeof(m); j++)
				k += (size_t)snprintf(m + k, sizeof(m) - k, "%s%s", j == 1 ? "" : j == 2 ? "=" : ",", tok[j]);
			if (n < 3 || k >= sizeof(m) || c->nssm_map == 32 ||
			    mcast_router_config_set_both(&t4, &t6, "ssm-map", m) < 0)
				bad(&p, "usage: ssm-map GROUP[/LEN] SOURCE... (a group prefix in an SSM range, up to 8 unicast sources of its family, 16 maps per family)");
			else
				snprintf(c->ssm_map[c->nssm_map++], sizeof(c->ssm_map[0]), "%s", m);
		} else if (!strcmp(tok[0], "metrics-listen")) {
			struct sockaddr_storage ss;
			if (n != 2 || strlen(tok[1]) >= sizeof(c->metrics_listen) || cfg_listen_parse(tok[1], &ss) < 0)
				bad(&p, "metrics-listen: expected ADDRESS:PORT, such as 127.0.0.1:9650 or [::1]:9650");
			else
				snprintf(c->metrics_listen, sizeof(c->metrics_listen), "%s", tok[1]);
		} else if (!strcmp(tok[0], "vifs")) {
			/* the kernel has 32 VIFs (MAXVIFS) per table; on demand,
			 * any 32 of more interfaces forward at a time */
			if (n == 2 && !strcmp(tok[1], "auto"))
				c->vifs = CFG_VIFS_AUTO;
			else if (n == 2 && !strcmp(tok[1], "always"))
				c->vifs = CFG_VIFS_ALWAYS;
			else if (n == 2 && !strcmp(tok[1], "on-demand"))
				c->vifs = CFG_VIFS_ON_DEMAND;
			else
				bad(&p, "vifs: expected auto, always or on-demand");
		} else if (!strcmp(tok[0], "table")) {
			/* the kernel's multicast routing table (MRT_TABLE): one
			 * mcastd per table, side by side (VRFs, several daemons) */
			if (n != 2 || table_parse(tok[1], &c->table) < 0)
				bad(&p, "table: expected default or a number from 1 to 99999999 (253 is the default table)");
			else if (c->table == CFG_TABLE_DEFAULT)
				c->table = 0;
		} else
			bad(&p, "unknown statement %s", tok[0]);
	}
	/* SSM maps apply to every interface of their family. */
	for (unsigned i = 0; i < c->niface; i++)
		for (unsigned k = 0; k < c->nssm_map; k++)
			if (mcast_router_config_set_both(&c->iface[i].rc4, &c->iface[i].rc6, "ssm-map", c->ssm_map[k]) < 0) {
				p.line = 0;
				bad(&p, "ssm-map %s: more than 16 maps for one family", c->ssm_map[k]);
				break;
			}
	for (unsigned i = 0; i < c->nsgroup; i++) {
		p.line = c->sgroup[i].line;
		if (!cfg_iface_find(c, c->sgroup[i].iface))
			bad(&p, "static-group on %s: no such interface in this file", c->sgroup[i].iface);
	}
	/* Cross-checks: routes and rules name configured interfaces. */
	for (unsigned i = 0; i < c->nroute; i++) {
		p.line = c->route[i].line;
		if (!cfg_iface_find(c, c->route[i].from))
			bad(&p, "route from %s: no such interface in this file", c->route[i].from);
		for (unsigned k = 0; k < c->route[i].nout; k++)
			if (!cfg_iface_find(c, c->route[i].to[k]))
				bad(&p, "route to %s: no such interface in this file", c->route[i].to[k]);
	}
	proxy_roles(&p, c);
	if (c->niface == 0 && p.errors == 0) {
		p.line = 0;
		bad(&p, "no interface configured");
	}
	return p.errors ? -1 : 0;
}

bool cfg_acl_allows(const struct mcastd_config *c, const char *iface, const struct mcast_addr *group,
		    const struct mcast_addr *source)
{
	bool any_allow = false;
	bool whole = mcast_addr_is_unspecified(source);
	for (unsigned i = 0; i < c->nacl; i++) {
		const struct cfg_acl *a = &c->acl[i];
		if (strcmp(a->iface, iface) != 0 ||
		    mcast_addr_family(&a->group.addr) != mcast_addr_family(group))
			continue;
		any_allow |= a->allow;
		if (!mcast_prefix_contains(&a->group, group))
			continue;
		if (a->has_source) {
			/* For the group as a whole, a source rule that allows
			 * lets the group in (its sources are checked later);
			 * one that denies does not shut the group. */
			if (whole) {
				if (a->allow)
					return true;
				continue;
			}
			if (!mcast_prefix_contains(&a->source, source))
				continue;
		}
		return a->allow;
	}
	/* No rule matched: allowed unless the interface has allow rules. */
	return !any_allow;
}
