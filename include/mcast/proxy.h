/*
 * mcast/proxy.h - IGMP/MLD proxying (RFC 4605): the host part on each
 * proxy instance's upstream interface, fed by the router part (the
 * router engine) on its downstream interfaces.
 *
 * Each downstream interface's membership, as the router engine holds it
 * (filter mode and sources per group), is one subscription; the
 * upstream's membership database is the merge of all subscriptions of
 * the instance (RFC 4605 4.1) done exactly as a host merges its sockets
 * (RFC 3376 3.2, RFC 3810 4.2): the proxy owns a host engine and, when a
 * group changes, reads it on the instance's downstreams, merges and
 * hands the merge to the upstream interface as its filter on the group.
 * So the upstream reports what a host with one socket per downstream
 * would: state-change reports when the merge changes, answers to the
 * provider's queries, and the provider's version (IGMPv1/v2, MLDv1
 * compatibility, RFC 3376 7.2).
 *
 * Forwarding is not here: mcast_routing_iface_set_role() gives the
 * routing logic each interface's part.
 *
 * Changes are collected while the router engine works and applied once
 * it is done (a timer due at once, or mcast_proxy_flush()), so that one
 * report never shows the upstream an intermediate state.
 */
#ifndef MCAST_PROXY_H
#define MCAST_PROXY_H

#include "mcast/host.h"
#include "mcast/router.h"

#ifdef __cplusplus
extern "C" {
#endif

struct mcast_proxy_env {
	const struct mcast_alloc *al;
	struct mcast_wheel *wheel;
	const struct mcast_log *log;
	/* Sends the host part's reports out of an upstream interface. */
	void (*send)(void *ctx, unsigned ifindex, const uint8_t *pkt, size_t len);
	void *ctx;
	uint64_t seed;                 /* the host part's report delays */
	uint64_t hash_seed;            /* the host part's tables; the router's own seed
					  lets a group be hashed once for both */
};

struct mcast_proxy_stats {
	uint64_t updates;              /* merged subscriptions (instance, group) handed to the host part */
	uint64_t scoped;               /* changes of link-scoped groups kept off the upstream (RFC 4605 4.1) */
	uint64_t errors;               /* merges not read or not taken for memory (tried again) */
	uint64_t invalid_sources;      /* sources a host asked for that no filter may hold
					  (not unicast: 0.0.0.0, ::, multicast), left out upstream */
};

struct mcast_proxy;

/* A proxy reading membership from r (which it does not own). */
struct mcast_proxy *mcast_proxy_create(const struct mcast_proxy_env *env, enum mcast_family f,
				       const struct mcast_router *r);
/* Frees everything; sends nothing. */
void mcast_proxy_destroy(struct mcast_proxy *px);

/*
 * Instance domain (> 0) gets its upstream interface, which must not be
 * a downstream of any instance; the merged membership of the domain's
 * downstreams is reported there at once. -EEXIST (the domain has an
 * upstream, or the interface is taken), -EINVAL, -ENOMEM.
 */
int mcast_proxy_upstream_add(struct mcast_proxy *px, unsigned domain, unsigned ifindex,
			     const char *name, const struct mcast_addr *addr,
			     const struct mcast_host_iface_config *cfg);
/* The upstream went (link down, interface removed): its host state goes
 * without a report; the subscriptions stay for when it comes back. */
int mcast_proxy_upstream_del(struct mcast_proxy *px, unsigned ifindex);
int mcast_proxy_upstream_set_addr(struct mcast_proxy *px, unsigned ifindex,
				  const struct mcast_addr *addr);
/* The upstream's settings (a reload): the host part is set up again
 * with the same membership. */
int mcast_proxy_upstream_set_config(struct mcast_proxy *px, unsigned ifindex,
				    const struct mcast_host_iface_config *cfg);

/* A downstream interface of instance domain; its groups are read from
 * the router engine. -EEXIST, -EINVAL, -ENOMEM. */
int mcast_proxy_downstream_add(struct mcast_proxy *px, unsigned domain, unsigned ifindex);
/* Names an instance for the dumps (mcastd.conf's proxy NAME; without,
 * its number). -ENOENT when the instance has no upstream. */
int mcast_proxy_set_name(struct mcast_proxy *px, unsigned domain, const char *name);
/* Its subscriptions leave the merge (with a report). -ENODEV. */
int mcast_proxy_downstream_del(struct mcast_proxy *px, unsigned ifindex);

/* The router engine's fwd_change, chained by the caller (ctx = px). */
void mcast_proxy_fwd_change(void *ctx, unsigned ifindex, const struct mcast_addr *group,
			    const struct mcast_addr *source, enum mcast_fwd old, enum mcast_fwd now);
/* The router engine's groups_ahead, chained by the caller (ctx = px):
 * optional, it lets the upstream's lookups of a report's groups overlap
 * the router's. */
void mcast_proxy_groups_ahead(void *ctx, unsigned ifindex, const struct mcast_group_record *recs,
			      const uint64_t *hashes, size_t n);
/* Applies collected changes now (they are also applied by a timer due
 * at once, at the next mcast_wheel_advance()). */
void mcast_proxy_flush(struct mcast_proxy *px);
/* The same, then every report the upstream owes now, retransmissions
 * included, back to back: before the proxy goes away (its leaves). */
void mcast_proxy_flush_all(struct mcast_proxy *px);

/* An IGMP or MLD packet received on an upstream (the provider's queries,
 * other hosts' reports). */
void mcast_proxy_input(struct mcast_proxy *px, unsigned ifindex, const uint8_t *pkt, size_t len);

/* The instance's upstream, 0 when it has none (or it is down). */
unsigned mcast_proxy_upstream(const struct mcast_proxy *px, unsigned domain);
/* The host part, for inspection: mcast_host_iface_state() on the
 * upstream gives the merged record of a group; mcast_host_version() the
 * version followed. */
const struct mcast_host *mcast_proxy_host(const struct mcast_proxy *px);
const struct mcast_proxy_stats *mcast_proxy_stats(const struct mcast_proxy *px);

/* Each instance: upstream, version, and each merged record, as text
 * (lines end in a newline, as mcast_router_dump_text()) or JSON; one
 * line per out() call. */
void mcast_proxy_dump_text(const struct mcast_proxy *px, mcast_line_fn out, void *ctx);
void mcast_proxy_dump_json(const struct mcast_proxy *px, mcast_line_fn out, void *ctx);

#ifdef __cplusplus
}
#endif

#endif /* MCAST_PROXY_H */
