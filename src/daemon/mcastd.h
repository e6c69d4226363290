/* mcastd's state, shared by its source files. */
#ifndef MCASTD_H
#define MCASTD_H

#include "config.h"
#include "linux.h"
#include "mcast/proxy.h"
#include "mcast/routing.h"

struct mcastd;

struct dfam {                       /* one address family */
	struct mcastd *d;
	enum mcast_family f;
	bool on;                    /* the kernel's table is ours */
	struct lk_mroute k;
	struct mcast_router *r;
	struct mcast_mr_table *t;
	struct mcast_routing *rt;
	struct mcast_proxy *px;     /* the proxies' host parts */
	uint64_t own_dropped;       /* our own reports, looped back */
	uint64_t not_ours;          /* IGMP/MLD on interfaces not configured for the family */
};

struct dif {                        /* a configured interface */
	char name[16];
	unsigned ifindex;           /* 0 while the kernel has no such link */
	bool up;
	uint32_t mtu;
	bool have[2];
	struct mcast_addr addr[2];  /* IPv4 primary, IPv6 link-local */
	bool active[2];             /* in the router engine (and routing) */
	struct mcast_addr used[2];  /* the address the engine has */
	bool vif[2];                /* has a VIF */
	/* the part it was activated with (a changed one reactivates it) */
	enum mcast_routing_role role[2];
	unsigned domain[2];
	bool rpart[2];              /* the router engine runs on it */
	struct mcast_host_iface_config hc[2]; /* a proxy upstream's host settings */
};

struct droute {                     /* a static route as installed */
	struct cfg_route r;
	bool installed;
	unsigned in, out[CFG_MAX_OUT], nout;
};

struct djoin {                      /* a daemon-owned membership */
	char iface[16];
	struct mcast_addr group, source;
};

#define MAX_JOINS 256

struct mcastd {
	const char *cfg_path;
	struct mcastd_config cfg;
	struct mcast_wheel wheel;
	struct mcast_log log;
	struct dfam fam[2];
	unsigned nif;
	struct dif ifs[CFG_MAX_IFACES];
	unsigned nroute;
	struct droute routes[CFG_MAX_ROUTES];
	unsigned njoin;
	struct djoin joins[MAX_JOINS];
	int join_fd[2];
	struct lk_nl *nl;
	uint64_t reloads, reload_errors;
	bool stop;
};

/* daemon.c */
int mcastd_start(struct mcastd *d, char *err, size_t errlen);
void mcastd_stop(struct mcastd *d);
/* Brings interfaces, routes and engines in line with links and config. */
void mcastd_sync(struct mcastd *d);
int mcastd_reload(struct mcastd *d);
/* Reads every link and address again, then syncs. 0 or -errno. */
int mcastd_netlink_dump(struct mcastd *d);
void mcastd_read_mroute(struct mcastd *d, int f);
void mcastd_read_netlink(struct mcastd *d);
mcast_time_ms mcastd_now(void);
struct dif *mcastd_if_by_index(struct mcastd *d, unsigned ifindex);
struct dif *mcastd_if_by_name(struct mcastd *d, const char *name);
int mcastd_join(struct mcastd *d, const char *iface, const struct mcast_addr *g,
		const struct mcast_addr *s, bool join);

/* ctl.c: one request line in, the answer into out (NUL-terminated). */
struct dbuf {
	char *p;
	size_t len, cap;
};
void dbuf_put(struct dbuf *b, const char *s);
void dbuf_printf(struct dbuf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void mcastd_control(struct mcastd *d, char *req, struct dbuf *out);

#endif
