/* mcastd's configuration file (docs/mcastd.conf.5). */
#ifndef MCASTD_CONFIG_H
#define MCASTD_CONFIG_H

#include <stdbool.h>
#include <stdio.h>

#include "mcast/router.h"
#include "mcast/routing.h"
#include "mcast/host.h"

#define CFG_MAX_IFACES 256
#define CFG_MAX_ROUTES 256
#define CFG_MAX_ACL 256
#define CFG_MAX_OUT 32
#define CFG_MAX_PROXIES 16

struct cfg_iface {
	char name[16];
	bool v4, v6;                   /* IGMP / MLD on this interface */
	uint8_t threshold;             /* forwarding TTL threshold */
	struct mcast_router_config rc4, rc6;
	unsigned line;
	/* filled from the proxy statements: */
	enum mcast_routing_role role;  /* router (default), proxy upstream or downstream */
	unsigned domain;               /* the proxy instance, 1.. */
	bool upstream_querier;         /* an upstream that also runs the router part */
	bool vif_always;               /* vif always: keeps its VIF (VIFs on demand) */
	uint32_t table;                /* its proxy's kernel table (proxy ... table N), 0 = mcastd's */
};

struct cfg_proxy {
	char name[32];
	char up[16];
	bool upstream_querier;
	uint32_t report_interval_ms;    /* upstream-report-interval, 0 = off */
	uint32_t table;                 /* a kernel table of its own (table N), 0 = mcastd's */
	unsigned ndown;
	char down[CFG_MAX_OUT][16];
	unsigned line;
};

struct cfg_route {
	char from[16];
	struct mcast_addr source;      /* any = (*,G) */
	struct mcast_addr group;
	unsigned nout;
	char to[CFG_MAX_OUT][16];
	unsigned line;
};

struct cfg_sgroup {                 /* static-group IFACE GROUP [SOURCE] */
	char iface[16];
	struct mcast_addr group, source; /* source any: every source */
	unsigned line;
};

#define CFG_MAX_SGROUPS 256

struct cfg_acl {
	char iface[16];
	bool allow;
	struct mcast_prefix group;
	bool has_source;
	struct mcast_prefix source;
};

struct mcastd_config {
	unsigned niface, nroute, nacl;
	struct cfg_iface iface[CFG_MAX_IFACES];
	struct cfg_route route[CFG_MAX_ROUTES];
	struct cfg_acl acl[CFG_MAX_ACL];
	unsigned nproxy;
	struct cfg_proxy proxy[CFG_MAX_PROXIES];
	uint32_t mfc_idle_ms;
	uint32_t audit_ms;             /* kernel audit period, 0 = off (audit-interval) */
	uint32_t max_mfc_entries;      /* forwarding cache entries per family (max-mfc-entries) */
	uint32_t table;                /* the kernel's multicast routing table (table N), 0 = default */
	char metrics_listen[64];       /* metrics-listen ADDRESS:PORT, "" = off */
	enum cfg_vifs { CFG_VIFS_AUTO, CFG_VIFS_ALWAYS, CFG_VIFS_ON_DEMAND } vifs; /* vifs auto|always|on-demand */
	unsigned nsgroup;
	struct cfg_sgroup sgroup[CFG_MAX_SGROUPS];
	unsigned nssm_map;             /* ssm-map lines, as "GROUP[/LEN]=S1,S2" for every interface */
	char ssm_map[32][512];
};

/* Defaults that bound what one LAN can make mcastd hold (mcastd.conf(5),
 * "Limits"): per interface and family */
#define CFG_DEFAULT_MAX_GROUPS 16384
#define CFG_DEFAULT_MAX_SOURCES 512
#define CFG_DEFAULT_MAX_TOTAL_SOURCES 65536
/* and per family */
#define CFG_DEFAULT_MAX_MFC 65536
#define CFG_DEFAULT_AUDIT_MS 60000

/* The kernel tables mcastd runs: [0] its own (table N, or the default
 * one, 253), then each other one a proxy names, in the order first
 * named; at most CFG_MAX_TABLES. How many. */
#define CFG_MAX_TABLES (CFG_MAX_PROXIES + 1)
#define CFG_TABLE_DEFAULT 253u /* the kernel's default table (RT_TABLE_DEFAULT) */
unsigned cfg_tables(const struct mcastd_config *c, uint32_t ids[CFG_MAX_TABLES]);
/* The kernel table an interface's traffic goes to: its proxy's, or mcastd's. */
uint32_t cfg_iface_table(const struct mcastd_config *c, const struct cfg_iface *i);

/* Reads path into c. 0, or -1 with every bad line reported on err as
 * "path:line: reason". */
int cfg_load(struct mcastd_config *c, const char *path, FILE *err);
/* The same from an open stream (path names it in messages). */
int cfg_parse(struct mcastd_config *c, FILE *in, const char *path, FILE *err);
/* "192.0.2.1:9650" or "[2001:db8::1]:9650" into ss. 0 or -1. */
struct sockaddr_storage;
int cfg_listen_parse(const char *s, struct sockaddr_storage *ss);
const struct cfg_iface *cfg_iface_find(const struct mcastd_config *c, const char *name);
/* The host part's settings for a proxy upstream: igmp-version /
 * mld-version below the newest force that version (as Linux's
 * force_igmp_version), robustness is the interface's. */
/* static-group's (and mcastctl static-group's) words after the verb:
 * IFACE GROUP [SOURCE]. 0, or -1 with the reason in why. */
int cfg_sgroup_parse(struct cfg_sgroup *g, char **tok, int n, char *why, size_t len);
void cfg_upstream_host(const struct mcastd_config *cfg, const struct cfg_iface *c, int f, uint32_t mtu,
		       struct mcast_host_iface_config *h);
/* The access list's answer for (group, source) on an interface; source
 * unspecified asks for the group as a whole. */
bool cfg_acl_allows(const struct mcastd_config *c, const char *iface, const struct mcast_addr *group,
		    const struct mcast_addr *source);

#endif
