/*
 * DOC: router settings by name
 *
 * One parser for the per-interface settings that mcastd's configuration
 * file and mcastsim's `set` lines share, so both accept the same names,
 * units and ranges.
 */
#include <errno.h>
#include <stddef.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>

#include "mcast/router.h"
#include "core/addr.h"

int mcast_time_parse(const char *s, mcast_time_ms *t)
{
	char *end;
	if (!s || !*s || *s == '-')
		return -EINVAL;
	double v = strtod(s, &end);
	if (end == s || !(v >= 0) || v > 1e12)
		return -EINVAL;
	double mul = !strcmp(end, "ms")		    ? 1
		     : !strcmp(end, "s") || !*end ? 1000
		     : !strcmp(end, "m")	    ? 60000
		     : !strcmp(end, "h")	    ? 3600000
						    : -1;
	if (mul < 0)
		return -EINVAL;
	*t = (mcast_time_ms)(v * mul + 0.5);
	return 0;
}

static int uint_in(const char *s, unsigned long lo, unsigned long hi, unsigned long *v)
{
	char *end;
	if (!s || !*s || *s == '-')
		return -EINVAL;
	*v = strtoul(s, &end, 10);
	return *end || *v < lo || *v > hi ? -EINVAL : 0;
}

static int ms_in(const char *s, mcast_time_ms lo, mcast_time_ms hi, uint32_t *out)
{
	mcast_time_ms t;
	if (mcast_time_parse(s, &t) < 0 || t < lo || t > hi)
		return -EINVAL;
	*out = (uint32_t)t;
	return 0;
}

static int onoff(const char *s, bool *b)
{
	if (s && !strcmp(s, "on"))
		*b = true;
	else if (s && !strcmp(s, "off"))
		*b = false;
	else
		return -EINVAL;
	return 0;
}

static int ssm_list(struct mcast_router_config *c, const char *s)
{
	struct mcast_router_config t = *c;
	t.nssm = 0;
	if (strcmp(s, "none") != 0) {
		char buf[512];
		if (strlen(s) >= sizeof(buf))
			return -EINVAL;
		strcpy(buf, s);
		for (char *save = NULL, *p = strtok_r(buf, ",", &save); p; p = strtok_r(NULL, ",", &save)) {
			if (t.nssm == MCAST_ROUTER_MAX_SSM_RANGES || mcast_prefix_parse(&t.ssm[t.nssm], p) < 0 ||
			    !addr_is_multicast(&t.ssm[t.nssm].addr))
				return -EINVAL;
			t.nssm++;
		}
	}
	*c = t;
	return 0;
}

/* "GROUP[/LEN]=S1[,S2...]" adds a map; "none" clears them. */
static int ssm_map(struct mcast_router_config *c, const char *s)
{
	if (!strcmp(s, "none")) {
		c->nssm_map = 0;
		return 0;
	}
	char buf[1024];
	const char *eq = strchr(s, '=');
	if (!eq || strlen(s) >= sizeof(buf) || c->nssm_map == MCAST_ROUTER_MAX_SSM_MAPS)
		return -EINVAL;
	struct mcast_router_ssm_map m;
	memset(&m, 0, sizeof(m));
	snprintf(buf, sizeof(buf), "%.*s", (int)(eq - s), s);
	if (mcast_prefix_parse(&m.group, buf) < 0 || !addr_is_multicast(&m.group.addr))
		return -EINVAL;
	snprintf(buf, sizeof(buf), "%s", eq + 1);
	for (char *sv = NULL, *p = strtok_r(buf, ",", &sv); p; p = strtok_r(NULL, ",", &sv)) {
		if (m.nsrcs == MCAST_ROUTER_MAX_SSM_MAP_SOURCES || mcast_addr_parse(&m.srcs[m.nsrcs], p) < 0 ||
		    !mcast_addr_is_valid_source(&m.srcs[m.nsrcs]) ||
		    addr_family(&m.srcs[m.nsrcs]) != addr_family(&m.group.addr))
			return -EINVAL;
		m.nsrcs++;
	}
	if (!m.nsrcs)
		return -EINVAL;
	c->ssm_map[c->nssm_map++] = m;
	return 0;
}

int mcast_router_config_set(struct mcast_router_config *c, const char *key, const char *val)
{
	unsigned long n;
	if (!val)
		return -EINVAL;
#define NUM(lo, hi, field)                                          \
	do {                                                        \
		if (uint_in(val, lo, hi, &n) < 0)                   \
			return -EINVAL;                             \
		c->field = (__typeof__(c->field))n;                 \
		return 0;                                           \
	} while (0)
	if (!strcmp(key, "version"))
		NUM(1, 3, version);
	if (!strcmp(key, "robustness"))
		NUM(1, 7, robustness); /* QRV is 3 bits; 1 is allowed but SHOULD NOT (RFC 3376 8.1) */
	if (!strcmp(key, "lmqc"))
		NUM(1, 255, last_member_count);
	if (!strcmp(key, "startup-count"))
		NUM(1, 255, startup_count);
	if (!strcmp(key, "max-groups"))
		NUM(0, UINT32_MAX, max_groups);
	if (!strcmp(key, "max-sources"))
		NUM(0, UINT32_MAX, max_sources);
	if (!strcmp(key, "max-hosts"))
		NUM(0, UINT32_MAX, max_hosts);
	if (!strcmp(key, "max-total-sources"))
		NUM(0, UINT32_MAX, max_total_sources);
#undef NUM
	/* Intervals: up to what the float codes carry (RFC 3376 4.1.1, 4.1.7:
	 * 3174.4 s of response time, 31744 s of query interval). */
	if (!strcmp(key, "query-interval")) {
		if (ms_in(val, 1000, 31744000, &c->query_interval_ms) < 0)
			return -EINVAL;
		c->startup_interval_ms = c->query_interval_ms / 4; /* RFC 3376 8.6 */
		return 0;
	}
	if (!strcmp(key, "query-response"))
		return ms_in(val, 100, 3174400, &c->query_response_ms);
	if (!strcmp(key, "lmqi"))
		return ms_in(val, 100, 3174400, &c->last_member_interval_ms);
	if (!strcmp(key, "startup-interval"))
		return ms_in(val, 100, 31744000, &c->startup_interval_ms);
	if (!strcmp(key, "querier"))
		return onoff(val, &c->querier);
	if (!strcmp(key, "fast-leave"))
		return onoff(val, &c->fast_leave);
	if (!strcmp(key, "require-router-alert")) {
		bool b;
		if (onoff(val, &b) < 0)
			return -EINVAL;
		c->wire.require_ra_igmpv3 = c->wire.require_ra_mld = b;
		return 0;
	}
	if (!strcmp(key, "ssm-range"))
		return ssm_list(c, val);
	if (!strcmp(key, "ssm-map"))
		return ssm_map(c, val);
	return -ENOENT;
}

int mcast_router_config_set_both(struct mcast_router_config *c4, struct mcast_router_config *c6,
				 const char *key, const char *val)
{
	if (!val)
		return -EINVAL;
	if (!strcmp(key, "igmp-version") || !strcmp(key, "mld-version")) {
		bool v6 = key[0] == 'm';
		if (strcmp(val, "1") && strcmp(val, "2") && (v6 || strcmp(val, "3")))
			return -EINVAL;
		struct mcast_router_config *c = v6 ? c6 : c4;
		return c ? mcast_router_config_set(c, "version", val) : 0;
	}
	struct mcast_router_config t4, t6;
	if (c4)
		t4 = *c4;
	else
		mcast_router_config_default(&t4, MCAST_AF_INET);
	if (c6)
		t6 = *c6;
	else
		mcast_router_config_default(&t6, MCAST_AF_INET6);
	int r4, r6;
	if (!strcmp(key, "ssm-map") && strcmp(val, "none")) {
		/* one map: to its group's family */
		bool v6 = strchr(val, ':') && (!strchr(val, '=') || strchr(val, ':') < strchr(val, '='));
		struct mcast_router_config *c = v6 ? &t6 : &t4;
		int r = mcast_router_config_set(c, key, val);
		if (r < 0)
			return r;
		if (c4)
			*c4 = t4;
		if (c6)
			*c6 = t6;
		return 0;
	}
	if (!strcmp(key, "ssm-range")) {
		/* one list, split by family; a family left out has no range */
		char v4[512] = "", v6[512] = "", buf[512];
		if (strlen(val) >= sizeof(buf))
			return -EINVAL;
		strcpy(buf, val);
		for (char *sv = NULL, *q = strtok_r(buf, ",", &sv); q; q = strtok_r(NULL, ",", &sv)) {
			char *dst = strchr(q, ':') ? v6 : v4;
			size_t l = strlen(dst);
			snprintf(dst + l, sizeof(v4) - l, "%s%s", l ? "," : "", q);
		}
		if (!strcmp(val, "none") || !*val) {
			strcpy(v4, "none");
			strcpy(v6, "none");
		}
		r4 = ssm_list(&t4, *v4 ? v4 : "none");
		r6 = ssm_list(&t6, *v6 ? v6 : "none");
	} else {
		r4 = mcast_router_config_set(&t4, key, val);
		r6 = mcast_router_config_set(&t6, key, val);
	}
	if (r4 < 0 || r6 < 0)
		return r4 == -ENOENT ? -ENOENT : -EINVAL;
	if (c4)
		*c4 = t4;
	if (c6)
		*c6 = t6;
	return 0;
}

const char *mcast_router_config_allowed(const char *key)
{
	static const struct {
		const char *key, *allowed;
	} tab[] = {
		{ "version", "1, 2 or 3 (IGMP), 1 or 2 (MLD)" },
		{ "igmp-version", "1, 2 or 3" },
		{ "mld-version", "1 or 2" },
		{ "robustness", "1..7" },
		{ "lmqc", "1..255" },
		{ "startup-count", "1..255" },
		{ "max-groups", "0..4294967295 (0: no limit)" },
		{ "max-sources", "0..4294967295 (0: no limit)" },
		{ "max-hosts", "0..4294967295 (0: no limit)" },
		{ "max-total-sources", "0..4294967295 (0: no limit)" },
		{ "query-interval", "a time such as 125s or 2m, 1 s to 31744 s" },
		{ "query-response", "a time such as 10s or 500ms, 100 ms to 3174.4 s" },
		{ "lmqi", "a time such as 1s or 500ms, 100 ms to 3174.4 s" },
		{ "startup-interval", "a time such as 31s, 100 ms to 31744 s" },
		{ "querier", "on or off" },
		{ "fast-leave", "on or off" },
		{ "require-router-alert", "on or off" },
		{ "ssm-range", "multicast prefixes separated by commas (232.0.0.0/8,ff3e::/16), or none" },
		{ "ssm-map", "GROUP[/LEN]=SOURCE[,SOURCE...] (up to 8 sources, 16 maps), or none" },
	};
	for (size_t i = 0; i < sizeof(tab) / sizeof(tab[0]); i++)
		if (!strcmp(tab[i].key, key))
			return tab[i].allowed;
	return NULL;
}

const struct mcast_stat_field mcast_router_stat_fields[] = {
#define F(x) { #x, offsetof(struct mcast_router_stats, x) }
	F(rx_queries), F(rx_reports), F(rx_leaves), F(rx_records), F(tx_general_queries),
	F(tx_group_queries), F(tx_source_queries), F(not_local), F(version_ignored), F(compat_ignored),
	F(ssm_ignored), F(group_limit), F(source_limit), F(host_limit), F(total_source_limit), F(no_memory), F(older_querier),
	F(querier_changes), F(fast_leaves), F(acl_denied), F(local_group), F(invalid_source),
	F(unspecified_reporter), F(ssm_mapped),
#undef F
};
const size_t mcast_router_stat_nfields = sizeof(mcast_router_stat_fields) / sizeof(mcast_router_stat_fields[0]);
