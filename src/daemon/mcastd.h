/* mcastd's state, shared by its source files. */
#ifndef MCASTD_H
#define MCASTD_H

#include "config.h"
#include "linux.h"
#include "mcast/proxy.h"
#include "mcast/routing.h"

struct mcastd;
struct dfam;
struct dtab;
struct dbuf;
struct MHD_Daemon;

/* reconcile.c: the kernel's state kept equal to our table (see its DOC). */
struct reconcile_vif {
	bool pending;
	int err;
	const char *call;
	uint32_t attempts;
	mcast_time_ms next_ms;
};

struct reconcile_stats {
	uint64_t calls;             /* kernel calls made */
	uint64_t failures;          /* calls the kernel refused */
	uint64_t retries;           /* calls made again after a failure */
	uint64_t untracked;         /* failures not remembered (no memory); the audit finds them */
	uint64_t audits, audit_errors;
	uint64_t drift_added;       /* wanted entries the kernel lacked */
	uint64_t drift_changed;     /* entries the kernel had otherwise */
	uint64_t drift_removed;     /* kernel entries nobody wanted */
	uint64_t vif_drift;         /* VIFs missing, extra or on another device */
	uint64_t resyncs;           /* audits after a netlink overrun or a reload */
	uint64_t coalesced;         /* entry changes merged into one call with others of the turn */
};

struct reconcile {
	struct dtab *tb;
	struct mcast_htab pending;  /* struct kpending by (source, group) */
	struct mcast_htab dirty;    /* struct kdirty: entries changed this turn, not written yet */
	struct kdirty *dirty_head, **dirty_tail; /* the same, in the order they first changed */
	struct reconcile_vif vif[LK_MAXVIFS];
	unsigned nvif_pending;
	bool audit_soon;            /* audit at the end of this turn of the loop */
	mcast_time_ms audit_ms;     /* period, 0 = none */
	mcast_time_ms last_audit_ms;
	struct mcast_timer retry, audit;
	struct mcast_ratelimit log_rl;
	struct reconcile_stats st;
};

enum reconcile_diff { RECONCILE_INSTALLED, RECONCILE_MISSING, RECONCILE_DIFFERS };

int reconcile_init(struct reconcile *rc, struct dtab *tb, mcast_time_ms audit_ms);
void reconcile_destroy(struct reconcile *rc);
void reconcile_set_interval(struct reconcile *rc, mcast_time_ms audit_ms);
void reconcile_changed(struct reconcile *rc, const struct mcast_mr_event *ev);
/* Writes every entry changed since the last call, once each, as it is
 * wanted now: the daemon calls it at the end of every turn of its loop. */
void reconcile_flush(struct reconcile *rc);
/* Reads the kernel back and repairs every difference. 0 or -errno. */
int reconcile_audit(struct reconcile *rc, const char *why);
int reconcile_read_kernel(struct reconcile *rc, struct lk_mfc **out, size_t *n);
const struct lk_mfc *reconcile_kernel_find(const struct lk_mfc *v, size_t n, const struct mcast_addr *s,
					   const struct mcast_addr *g);
enum reconcile_diff reconcile_compare(struct reconcile *rc, const struct mcast_mfc_params *p,
				      const struct lk_mfc *k);
void reconcile_show_pending(const struct reconcile *rc, struct dbuf *o, bool json);
size_t reconcile_pending_count(const struct reconcile *rc);

/*
 * One kernel multicast routing table of a family: its socket (MRT_INIT
 * after MRT_TABLE), our table of what the routing logic wants there, and
 * the reconciliation between the two. mcastd's own table is tab[0]; a
 * proxy with "table N" has the table N (config.h, cfg_tables()).
 */
struct dtab {
	struct dfam *fm;
	uint32_t id;                /* the kernel's table number (253: the default one) */
	struct lk_mroute k;
	struct lk_rx *rx;           /* recvmmsg slots for k */
	uint64_t truncated;         /* messages larger than a slot, dropped */
	uint64_t elsewhere;         /* IGMP/MLD copies of another table's interface, left to it */
	bool on_demand;             /* VIFs on demand (vifs; auto: more interfaces than VIFs) */
	struct mcast_mr_table *t;
	struct mcast_routing *rt;
	struct reconcile rc;
	struct lk_vif kvifs[LK_MAXVIFS]; /* the kernel's VIFs as last read (show vifs) */
	bool kvifs_valid;           /* kvifs read at kvifs_ms */
	mcast_time_ms kvifs_ms;
};

struct dfam {                       /* one address family */
	struct mcastd *d;
	enum mcast_family f;
	bool on;                    /* the kernel's tables are ours */
	struct mcast_router *r;
	struct mcast_proxy *px;     /* the proxies' host parts */
	uint64_t own_dropped;       /* our own reports, looped back */
	uint64_t not_ours;          /* IGMP/MLD on interfaces not configured for the family */
	unsigned ntab;              /* d->ntab once on */
	struct dtab *tab[CFG_MAX_TABLES];
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
	unsigned tab[2];            /* the index of its kernel table (dfam.tab) */
	bool rpart[2];              /* the router engine runs on it */
	int link_fd[2];             /* holds its link-scope joins (the router part), or -1 */
	struct mcast_host_iface_config hc[2]; /* a proxy upstream's host settings */
};

struct droute {                     /* a static route as installed */
	struct cfg_route r;
	bool runtime;               /* added by mcastctl route add (kept across reloads) */
	bool installed;
	unsigned in, out[CFG_MAX_OUT], nout;
	unsigned tab;               /* installed in this kernel table (its index) */
};

struct dsgroup {                    /* a static group */
	struct cfg_sgroup g;
	bool runtime;               /* added by mcastctl static-group add */
	unsigned installed;         /* the ifindex it is on in the routing logic, 0 = none */
	unsigned tab;               /* of this kernel table (its index) */
};

struct djoin {                      /* a daemon-owned membership */
	char iface[16];
	struct mcast_addr group, source;
};

#define MAX_JOINS 256

/* ctlsrv.c: the control socket and its clients (see the DOC there). */
#define CTL_MAX_CLIENTS 256
#define CTL_REQ_MAX 4096
#define CTL_IDLE_MS 30000
#define CTL_MAX_WATCHERS 16
#define CTL_WATCH_BUF 65536
#define WATCH_RATE_SLOTS 32

struct ctl_client;
struct ctl_server {
	struct mcastd *d;
	int fd, epfd;
	char path[108];
	unsigned nclients;
	struct ctl_client *clients[CTL_MAX_CLIENTS];
	uint64_t accepted, answered, requests, refused, evicted, timeouts, too_long;
	unsigned nwatchers;
	uint64_t watch_lost;        /* events watchers lost (too slow) */
};

struct mcastd {
	const char *cfg_path;
	struct mcastd_config cfg;
	struct mcast_wheel wheel;
	struct mcast_log log;
	struct dfam fam[2];
	unsigned ntab;              /* the kernel tables: fixed from start to stop */
	uint32_t tab_id[CFG_MAX_TABLES];
	unsigned nif;
	struct dif ifs[CFG_MAX_IFACES];
	unsigned nroute;
	struct droute routes[CFG_MAX_ROUTES];
	unsigned nsgroup;
	struct dsgroup sgroups[CFG_MAX_SGROUPS];
	unsigned njoin;
	struct djoin joins[MAX_JOINS];
	int join_fd[2];
	int tap_fd;                 /* the IGMP tap (VIFs on demand), -1 */
	uint64_t tapped;            /* IGMP taken from the tap: interfaces without a VIF */
	struct lk_nl *nl;
	uint64_t reloads, reload_errors;
	uint64_t netlink_overruns;  /* ENOBUFS on the notification socket */
	uint64_t stalls;            /* wake-ups far later than asked (stopped, suspended) */
	uint64_t hash_seed;         /* from getrandom(2): hash tables an attacker cannot aim at */
	struct ctl_server ctl;
	/* watch (watch.c): the host whose report is being handled, for the
	 * joins and leaves it causes; the log's own debug mask; drop rates */
	struct mcast_addr cur_host;
	bool cur_host_set;
	unsigned debug_mask_cfg;
	struct watch_rate {
		uint32_t key, count, suppressed;
		mcast_time_ms since_ms;
	} drop_rate[WATCH_RATE_SLOTS];
	struct MHD_Daemon *metrics; /* metrics-listen's HTTP server, or NULL */
	struct mcast_timer metrics_timer;
	uint64_t metrics_scrapes;
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
void mcastd_read_mroute(struct mcastd *d, int f, unsigned tab);
/* The IGMP tap's datagrams from interfaces that have no VIF now. */
void mcastd_read_tap(struct mcastd *d);
void mcastd_read_netlink(struct mcastd *d);
/* End of a turn of the loop: audits asked for during it. */
void mcastd_flush(struct mcastd *d);
mcast_time_ms mcastd_now(void);
struct dif *mcastd_if_by_index(struct mcastd *d, unsigned ifindex);
struct dif *mcastd_if_by_name(struct mcastd *d, const char *name);
/* Runtime routes and static groups (mcastctl route / static-group):
 * 0, or -1 with the reason in why. */
int mcastd_route(struct mcastd *d, bool add, const struct cfg_route *r, char *why, size_t len);
int mcastd_static_group(struct mcastd *d, bool add, const struct cfg_sgroup *g, char *why, size_t len);
/* The kernel's VIFs of a table (daemon.c). 0 or -errno. */
int mcastd_vif_read(struct dtab *tb, struct lk_vif vifs[LK_MAXVIFS]);
/* VIFs on demand for family f (0 IPv4, 1 IPv6) in the kernel table id
 * under configuration c: vifs on-demand, or auto with more of the
 * table's interfaces than the kernel's VIFs. */
bool mcastd_vifs_on_demand(const struct mcastd_config *c, int f, uint32_t id);
/* The table an interface of family f forwards in: the one it was
 * activated in, else the one the configuration gives it; tab[0] for an
 * interface mcastd does not know. */
struct dtab *mcastd_tab_of(struct mcastd *d, int f, unsigned ifindex);
/* "IPv4", or "IPv4 table 10" when mcastd runs more than one table:
 * into buf, which it returns. */
const char *mcastd_tab_name(const struct dtab *tb, char buf[32]);
/* The index in d->tab_id of the kernel table id, or -1. */
int mcastd_tab_index(const struct mcastd *d, uint32_t id);
int mcastd_join(struct mcastd *d, const char *iface, const struct mcast_addr *g,
		const struct mcast_addr *s, bool join);

/* ctl.c: one request line in, the answer into out (NUL-terminated). */
struct dbuf {
	char *p;
	size_t len, cap;
	bool failed;                /* an allocation failed: the answer is incomplete */
};
void dbuf_put(struct dbuf *b, const char *s);
void dbuf_printf(struct dbuf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void mcastd_control(struct mcastd *d, char *req, struct dbuf *out);

/* metrics.c: the counters of show stats, named (the gauges say so); at
 * most MCASTD_MAX_COUNTERS. Per family (f 0 IPv4, 1 IPv6) and the daemon's. */
#define MCASTD_MAX_COUNTERS 40
struct mcastd_counter {
	const char *name;
	uint64_t v;
	bool gauge;
};
size_t mcastd_table_counters(struct mcastd *d, int f, struct mcastd_counter *c);
size_t mcastd_kernel_table_counters(struct dtab *tb, struct mcastd_counter *c);
size_t mcastd_daemon_counters(struct mcastd *d, struct mcastd_counter *c);
/* Everything in the Prometheus text format (mcastctl metrics, /metrics). */
void mcastd_metrics(struct mcastd *d, struct dbuf *o);
/* metrics-listen: the HTTP server's epoll descriptor (to watch; call
 * mcastd_metrics_run when it is readable), -1 when not configured, or -2
 * with err set. */
int mcastd_metrics_open(struct mcastd *d, char *err, size_t errlen);
void mcastd_metrics_run(struct mcastd *d);
void mcastd_metrics_close(struct mcastd *d);

/* What an epoll event is for: a kind and an index (a client's slot). */
enum mcastd_ev_kind {
	MCASTD_EV_SIGNAL = 1, MCASTD_EV_TIMER, MCASTD_EV_NETLINK, MCASTD_EV_LISTEN,
	MCASTD_EV_MROUTE4, MCASTD_EV_MROUTE6, MCASTD_EV_CLIENT, MCASTD_EV_TAP, MCASTD_EV_METRICS,
};
#define MCASTD_EV(kind, idx) (((uint64_t)(kind) << 32) | (uint32_t)(idx))

int ctl_server_probe(const char *path);
int ctl_server_open(struct ctl_server *s, struct mcastd *d, int epfd, const char *path, char *err, size_t errlen);
void ctl_server_close(struct ctl_server *s);
void ctl_server_accept(struct ctl_server *s);
void ctl_server_event(struct ctl_server *s, unsigned slot, uint32_t events);
/* One event to every watcher that wants it: ifaces (space-separated) the
 * interfaces it concerns, NULL for all; text or json (a whole line each). */
void ctl_server_event_line(struct ctl_server *s, const char *ifaces, const char *text, const char *json);

/* watch.c: events for mcastctl watch (nothing is made without watchers) */
void mcastd_watch_fwd(struct dfam *fm, unsigned ifindex, const struct mcast_addr *g, const struct mcast_addr *s,
		      enum mcast_fwd old, enum mcast_fwd now);
void mcastd_watch_querier(struct dfam *fm, unsigned ifindex, bool on);
void mcastd_watch_entry(struct dtab *tb, const struct mcast_mr_event *ev);
void mcastd_watch_upcall(struct dtab *tb, const struct mcast_upcall *u);
void mcastd_watch_log(struct mcastd *d, enum mcast_log_level level, unsigned cat, const char *msg);
void mcastd_watch_reload(struct mcastd *d, bool ok);
/* Watchers came or went: drop lines are made while any watches. */
void mcastd_watchers_changed(struct mcastd *d);

#endif
