/*
 * mcast/host.h - the host side of IGMPv1/v2/v3 and MLDv1/v2: per-socket
 * source filters with the RFC 3678 socket API and Linux's errors, the
 * per-interface state merged from them (RFC 3376 3.2, RFC 3810 4.2),
 * state-change reports with their retransmissions (RFC 3376 5.1),
 * responses to queries (5.2), compatibility with older queriers (7.2),
 * the groups an interface joins by itself, and the delivery check.
 *
 * Errors: -EADDRINUSE (already a member), -EADDRNOTAVAIL (not a member,
 * or not a source of the filter), -EINVAL (an ASM call on a source-
 * specific membership or the reverse, a bad address), -ENOBUFS (past
 * the membership or source limit), -ENODEV (no such interface),
 * -ENOMEM.
 */
#ifndef MCAST_HOST_H
#define MCAST_HOST_H

#include "mcast/core.h"
#include "mcast/wire.h"

#ifdef __cplusplus
extern "C" {
#endif

enum mcast_filter_mode {
	MCAST_MODE_INCLUDE = 1, /* as MCAST_INCLUDE */
	MCAST_MODE_EXCLUDE = 0, /* as MCAST_EXCLUDE */
};

struct mcast_host_config {
	uint32_t max_memberships;      /* per socket; 20 as igmp_max_memberships */
	uint32_t max_sources;          /* per filter; 10 (igmp_max_msf) / 64 (mld_max_msf) */
};

struct mcast_host_iface_config {
	uint8_t force_version;         /* 0: follow the querier; else IGMP 1..3 / MLD 1..2 */
	uint8_t robustness;            /* default 2 */
	uint32_t unsolicited_v3_ms;    /* Unsolicited Report Interval, v3/MLDv2: 1 s */
	uint32_t unsolicited_v2_ms;    /* v1/v2/MLDv1: 10 s */
	bool report_link_local;        /* report 224.0.0.0/24 groups, as Linux's default */
	/* Unsolicited current-state reports of the whole interface state
	 * every this many ms, 0 = never (RFC 3376 has none: for a provider
	 * that never queries, mcastd's upstream-report-interval). */
	uint32_t full_report_ms;
	uint32_t mtu;
};

void mcast_host_config_default(struct mcast_host_config *c, enum mcast_family f);
void mcast_host_iface_config_default(struct mcast_host_iface_config *c);

struct mcast_host_env {
	const struct mcast_alloc *al;
	struct mcast_wheel *wheel;
	const struct mcast_log *log;
	/* Sends a datagram (a report, leave or done) out of an interface.
	 * It is called while the engine is in the middle of a report: it
	 * must not call back into this host (queue the packet, as a
	 * socket or a simulator's link does). */
	void (*send)(void *ctx, unsigned ifindex, const uint8_t *pkt, size_t len);
	void *ctx;
	uint64_t seed;                 /* random report delays: same seed, same run */
};

struct mcast_host_stats {
	uint64_t rx_queries, rx_reports;
	struct mcast_drop_stats drop;
	uint64_t tx_reports, tx_leaves;
	uint64_t suppressed;           /* v1/v2 reports not sent: another member reported */
	uint64_t nomem;                /* query responses or v1/v2 reports not scheduled: out of memory */
};

struct mcast_host;
struct mcast_host_sock;

struct mcast_host *mcast_host_create(const struct mcast_host_env *env,
				     const struct mcast_host_config *cfg, enum mcast_family f);
/* Frees everything; sends nothing. */
void mcast_host_destroy(struct mcast_host *h);
/* Checks the engine's invariants (src/host/check.c): 0, or -1 with the
 * first violation described in why. For tests and fuzzers. */
int mcast_host_check(const struct mcast_host *h, char *why, size_t len);

/*
 * An interface comes up with its address (IPv4 primary address or the
 * IPv6 link-local one; the unspecified address is allowed and used as
 * the source of reports, as RFC 3590 permits for MLD). It joins
 * 224.0.0.1 or ff02::1 and ff01::1 by itself.
 */
int mcast_host_iface_add(struct mcast_host *h, unsigned ifindex, const char *name,
			 const struct mcast_addr *addr, const struct mcast_host_iface_config *cfg);
int mcast_host_iface_del(struct mcast_host *h, unsigned ifindex);
int mcast_host_iface_set_addr(struct mcast_host *h, unsigned ifindex,
			      const struct mcast_addr *addr);
/* Forwarding on joins the all-routers groups (224.0.0.2; ff02::2,
 * ff01::2, ff05::2), off leaves them, as Linux's dev_forward_change(). */
int mcast_host_iface_set_forwarding(struct mcast_host *h, unsigned ifindex, bool on);

/*
 * State changes are reported at once, but after the caller's other
 * changes: the report goes out at the next mcast_wheel_advance() (a
 * timer due now), so that changes made together share packed reports.
 * This sends it now; with all, also every retransmission still pending
 * ([Robustness Variable] - 1 per change), back to back instead of at
 * random intervals: for a host or proxy that is going away.
 */
void mcast_host_flush(struct mcast_host *h, bool all);

/* ---- the socket API (RFC 3678) ---- */

struct mcast_host_sock *mcast_host_socket(struct mcast_host *h);
/* Drops every membership of the socket, then the socket. */
void mcast_host_close(struct mcast_host *h, struct mcast_host_sock *s);

int mcast_host_join(struct mcast_host *h, struct mcast_host_sock *s, unsigned ifindex,
		    const struct mcast_addr *group);
int mcast_host_leave(struct mcast_host *h, struct mcast_host_sock *s, unsigned ifindex,
		     const struct mcast_addr *group);
int mcast_host_join_source(struct mcast_host *h, struct mcast_host_sock *s, unsigned ifindex,
			   const struct mcast_addr *group, const struct mcast_addr *source);
int mcast_host_leave_source(struct mcast_host *h, struct mcast_host_sock *s, unsigned ifindex,
			    const struct mcast_addr *group, const struct mcast_addr *source);
int mcast_host_block(struct mcast_host *h, struct mcast_host_sock *s, unsigned ifindex,
		     const struct mcast_addr *group, const struct mcast_addr *source);
int mcast_host_unblock(struct mcast_host *h, struct mcast_host_sock *s, unsigned ifindex,
		       const struct mcast_addr *group, const struct mcast_addr *source);
/* setsourcefilter(): INCLUDE with no source leaves; otherwise it joins if
 * needed and replaces the filter. Sources in any order. */
int mcast_host_set_filter(struct mcast_host *h, struct mcast_host_sock *s, unsigned ifindex,
			  const struct mcast_addr *group, enum mcast_filter_mode mode,
			  const struct mcast_addr *srcs, size_t n);
/* getsourcefilter(): the mode, and up to cap sources (sorted) with *n
 * their total. -EADDRNOTAVAIL when not a member. */
int mcast_host_get_filter(const struct mcast_host *h, const struct mcast_host_sock *s,
			  unsigned ifindex, const struct mcast_addr *group,
			  enum mcast_filter_mode *mode, struct mcast_addr *srcs, size_t cap, size_t *n);

/* Would any socket on ifindex take a packet from source to group? */
bool mcast_host_delivers(const struct mcast_host *h, unsigned ifindex,
			 const struct mcast_addr *source, const struct mcast_addr *group);

/* An IGMP or MLD packet (whole IP datagram) received on ifindex. */
void mcast_host_input(struct mcast_host *h, unsigned ifindex, const uint8_t *pkt, size_t len);

/* ---- inspection ---- */

/* The interface state of a group (RFC 3376 3.2): its mode and up to cap
 * sources; -ENOENT when the interface is not a member. mode, srcs and n
 * may be NULL: only whether it is a member. */
int mcast_host_iface_state(const struct mcast_host *h, unsigned ifindex,
			   const struct mcast_addr *group, enum mcast_filter_mode *mode,
			   struct mcast_addr *srcs, size_t cap, size_t *n);
/* The source of the last query heard on the interface (the querier it
 * follows) and how long ago: -ENODEV, -ENOENT when none was heard. */
int mcast_host_querier(const struct mcast_host *h, unsigned ifindex, struct mcast_addr *addr,
		       mcast_time_ms *ago);
/* The version in use on the interface (forced, or older querier seen). */
int mcast_host_version(const struct mcast_host *h, unsigned ifindex);
const struct mcast_host_stats *mcast_host_stats(const struct mcast_host *h, unsigned ifindex);

/* /proc/net/igmp and mcfilter (IPv4) or igmp6 and mcfilter6 (IPv6) in
 * the kernel's formats, and JSON; one line per out() call. */
void mcast_host_dump_proc_groups(const struct mcast_host *h, mcast_line_fn out, void *ctx);
void mcast_host_dump_proc_filters(const struct mcast_host *h, mcast_line_fn out, void *ctx);
void mcast_host_dump_json(const struct mcast_host *h, mcast_line_fn out, void *ctx);

#ifdef __cplusplus
}
#endif

#endif /* MCAST_HOST_H */
