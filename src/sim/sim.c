/*
 * DOC: the simulated world
 *
 * Nodes are hosts (a host engine per family, one socket per family for
 * the scenario's calls) or routers (router engine, routing table and
 * routing logic per family, plus a host engine with forwarding on, as
 * the MLD seed describes a router). Every datagram a node sends goes on
 * its interface's link and is delivered, at the same virtual time and in
 * sending order, to every other interface on the link; a link that is
 * down drops it. IGMP and MLD go to the engines, data packets to the
 * routers' tables and to the hosts' delivery check. Time moves only
 * through the wheel, so runs repeat exactly.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "sim.h"

static void sim_log(void *ctx, enum mcast_log_level level, unsigned cat, const char *msg)
{
	(void)ctx;
	(void)cat;
	if (level <= MCAST_LOG_WARNING)
		fprintf(stderr, "mcastsim: %s\n", msg);
}

/* Makes room for one more element in a growing array. 0 or -1. */
static int grow(void **v, unsigned *cap, unsigned n, size_t size)
{
	if (n < *cap)
		return 0;
	unsigned c = *cap ? *cap * 2 : 16;
	void *p = realloc(*v, (size_t)c * size);
	if (!p)
		return -1;
	*v = p;
	*cap = c;
	return 0;
}

struct sim_world *sim_create(uint64_t seed, const char *pcap_dir)
{
	struct sim_world *w = calloc(1, sizeof(*w));
	if (!w)
		return NULL;
	mcast_wheel_init(&w->wheel, 0);
	w->seed = seed;
	w->pcap_dir = pcap_dir;
	w->next_ifindex = 1;
	w->log = (struct mcast_log){ sim_log, w, 0 };
	return w;
}

void sim_node_stop(struct sim_node *n)
{
	for (int f = 0; f < 2; f++) {
		mcast_proxy_destroy(n->px[f]);
		n->px[f] = NULL;
		mcast_routing_destroy(n->rt[f]);
		mcast_mr_destroy(n->t[f]);
		mcast_router_destroy(n->r[f]);
		mcast_host_destroy(n->h[f]);
		n->rt[f] = NULL;
		n->t[f] = NULL;
		n->r[f] = NULL;
		n->h[f] = NULL;
		n->sock[f] = NULL;
		for (unsigned i = 0; i < n->nsocks; i++)
			n->socks[i].s[f] = NULL; /* gone with the host engine */
	}
	n->stopped = true;
}

void sim_destroy(struct sim_world *w)
{
	for (unsigned i = 0; i < w->nnodes; i++) {
		sim_node_stop(w->nodes[i]);
		free(w->nodes[i]->rx);
		free(w->nodes[i]->socks);
		for (unsigned k = 0; k < w->nodes[i]->nifs; k++) {
			free(w->nodes[i]->ifs[k]->rc);
			free(w->nodes[i]->ifs[k]);
		}
		free(w->nodes[i]);
	}
	for (unsigned i = 0; i < w->nlinks; i++) {
		if (w->links[i]->pcap_open)
			pcap_writer_close(&w->links[i]->pcap);
		free(w->links[i]->ports);
		free(w->links[i]->rports);
		free(w->links[i]);
	}
	free(w->links);
	free(w->nodes);
	free(w->byname);
	free(w->q);
	free(w);
}

struct sim_link *sim_link_find(struct sim_world *w, const char *name)
{
	for (unsigned i = 0; i < w->nlinks; i++)
		if (!strcmp(w->links[i]->name, name))
			return w->links[i];
	return NULL;
}

struct sim_link *sim_link_add(struct sim_world *w, const char *name)
{
	if (sim_link_find(w, name))
		return NULL;
	if (grow((void **)&w->links, &w->linkcap, w->nlinks, sizeof(*w->links)) < 0)
		return NULL;
	struct sim_link *l = calloc(1, sizeof(*l));
	if (!l)
		return NULL;
	snprintf(l->name, sizeof(l->name), "%s", name);
	l->up = true;
	if (w->pcap_dir) {
		char path[512], err[256];
		snprintf(path, sizeof(path), "%s/%s.pcap", w->pcap_dir, name);
		if (pcap_writer_open(&l->pcap, path, err, sizeof(err)) == 0)
			l->pcap_open = true;
		else
			fprintf(stderr, "mcastsim: %s\n", err);
	}
	w->links[w->nlinks++] = l;
	return l;
}

static size_t name_bucket(const struct sim_world *w, const char *name)
{
	uint64_t h = 14695981039346656037u; /* FNV-1a */
	for (const char *p = name; *p; p++)
		h = (h ^ (uint8_t)*p) * 1099511628211u;
	return (size_t)(h % (2u * w->nodecap));
}

struct sim_node *sim_node_find(struct sim_world *w, const char *name)
{
	if (!w->nodecap)
		return NULL;
	for (struct sim_node *n = w->byname[name_bucket(w, name)]; n; n = n->hnext)
		if (!strcmp(n->name, name))
			return n;
	return NULL;
}

struct sim_node *sim_node_add(struct sim_world *w, const char *name, bool router)
{
	if (sim_node_find(w, name))
		return NULL;
	unsigned oldcap = w->nodecap;
	if (grow((void **)&w->nodes, &w->nodecap, w->nnodes, sizeof(*w->nodes)) < 0)
		return NULL;
	if (w->nodecap != oldcap) {
		struct sim_node **b = calloc(2u * w->nodecap, sizeof(*b));
		if (!b) {
			w->nodecap = oldcap; /* the array grew; the hash stays valid */
			return NULL;
		}
		free(w->byname);
		w->byname = b;
		for (unsigned i = 0; i < w->nnodes; i++) {
			size_t k = name_bucket(w, w->nodes[i]->name);
			w->nodes[i]->hnext = b[k];
			b[k] = w->nodes[i];
		}
	}
	struct sim_node *n = calloc(1, sizeof(*n));
	if (!n)
		return NULL;
	snprintf(n->name, sizeof(n->name), "%s", name);
	n->router = router;
	n->w = w;
	n->stopped = true;
	n->index = w->nnodes;
	size_t k = name_bucket(w, n->name);
	n->hnext = w->byname[k];
	w->byname[k] = n;
	w->nodes[w->nnodes++] = n;
	return n;
}

struct sim_iface *sim_iface_find(struct sim_node *n, const char *name)
{
	for (unsigned i = 0; i < n->nifs; i++)
		if (!strcmp(n->ifs[i]->name, name))
			return n->ifs[i];
	return NULL;
}

struct sim_iface *sim_iface_add(struct sim_node *n, const char *name, struct sim_link *l,
				const struct mcast_addr *a4, const struct mcast_addr *a6)
{
	if (n->nifs == SIM_MAX_IFS || sim_iface_find(n, name) ||
	    grow((void **)&l->ports, &l->portcap, l->nports, sizeof(*l->ports)) < 0 ||
	    (n->router && grow((void **)&l->rports, &l->rportcap, l->nrports, sizeof(*l->rports)) < 0))
		return NULL;
	/* each interface on its own: a host has one, and an interface
	 * holds both families' router settings (5 KB) */
	struct sim_iface *i = calloc(1, sizeof(*i));
	if (!i)
		return NULL;
	n->ifs[n->nifs++] = i;
	snprintf(i->name, sizeof(i->name), "%s", name);
	i->ifindex = n->w->next_ifindex++;
	i->link = l;
	i->node = n;
	i->a4 = a4 ? *a4 : mcast_addr_any4;
	i->a6 = a6 ? *a6 : mcast_addr_any6;
	if (n->router) {
		if (!(i->rc = calloc(2, sizeof(*i->rc)))) {
			free(i);
			n->nifs--;
			return NULL;
		}
		mcast_router_config_default(&i->rc[0], MCAST_AF_INET);
		mcast_router_config_default(&i->rc[1], MCAST_AF_INET6);
	}
	mcast_host_iface_config_default(&i->hc4);
	mcast_host_iface_config_default(&i->hc6);
	l->ports[l->nports++] = i;
	if (n->router)
		l->rports[l->nrports++] = i;
	return i;
}

static struct sim_iface *iface_by_index(struct sim_node *n, unsigned ifindex)
{
	for (unsigned i = 0; i < n->nifs; i++)
		if (n->ifs[i]->ifindex == ifindex)
			return n->ifs[i];
	return NULL;
}

/* ---- the link layer --------------------------------------------------------- */

static void enqueue(struct sim_world *w, struct sim_iface *from, const uint8_t *pkt, size_t len)
{
	if (len > sizeof(w->q[0].data))
		return;
	if (w->qtail == w->qcap) {
		if (w->qhead > 0) {
			memmove(w->q, w->q + w->qhead, (w->qtail - w->qhead) * sizeof(*w->q));
			w->qtail -= w->qhead;
			w->qhead = 0;
		} else {
			size_t cap = w->qcap ? w->qcap * 2 : 256;
			void *p = realloc(w->q, cap * sizeof(*w->q));
			if (!p)
				return;
			w->q = p;
			w->qcap = cap;
		}
	}
	struct sim_qpkt *q = &w->q[w->qtail++];
	q->from = from;
	q->len = len;
	memcpy(q->data, pkt, len);
	if (from->link->pcap_open && from->link->up)
		pcap_writer_put(&from->link->pcap, w->wheel.now_ms * 1000, pkt, len);
}

static void node_send(void *ctx, unsigned ifindex, const uint8_t *pkt, size_t len)
{
	struct sim_node *n = ctx;
	struct sim_iface *i = iface_by_index(n, ifindex);
	if (i)
		enqueue(n->w, i, pkt, len);
}

void sim_node_send(struct sim_node *n, unsigned ifindex, const uint8_t *pkt, size_t len)
{
	node_send(n, ifindex, pkt, len);
}

struct mcast_host_sock *sim_node_sock(struct sim_node *n, const char *name, int f)
{
	if (!n->h[f])
		return NULL;
	if (!name || !*name)
		return n->sock[f];
	struct sim_sock *k = NULL;
	for (unsigned i = 0; i < n->nsocks; i++)
		if (!strcmp(n->socks[i].name, name))
			k = &n->socks[i];
	if (!k) {
		if (n->nsocks == n->sockcap) {
			unsigned cap = n->sockcap ? n->sockcap * 2 : 4;
			struct sim_sock *v = realloc(n->socks, cap * sizeof(*v));
			if (!v)
				return NULL;
			n->socks = v;
			n->sockcap = cap;
		}
		k = &n->socks[n->nsocks++];
		memset(k, 0, sizeof(*k));
		snprintf(k->name, sizeof(k->name), "%s", name);
	}
	if (!k->s[f])
		k->s[f] = mcast_host_socket(n->h[f]);
	return k->s[f];
}

void sim_node_close_sock(struct sim_node *n, const char *name)
{
	for (int f = 0; f < 2; f++) {
		if (!n->h[f])
			continue;
		if (!name || !*name) {
			if (n->sock[f]) {
				mcast_host_close(n->h[f], n->sock[f]);
				n->sock[f] = mcast_host_socket(n->h[f]);
			}
			continue;
		}
		for (unsigned i = 0; i < n->nsocks; i++)
			if (!strcmp(n->socks[i].name, name) && n->socks[i].s[f]) {
				mcast_host_close(n->h[f], n->socks[i].s[f]);
				n->socks[i].s[f] = NULL;
			}
	}
}

static void count_rx(struct sim_node *n, const struct mcast_addr *s, const struct mcast_addr *g)
{
	for (unsigned i = 0; i < n->nrx; i++)
		if (mcast_addr_eq(&n->rx[i].s, s) && mcast_addr_eq(&n->rx[i].g, g)) {
			n->rx[i].count++;
			return;
		}
	if (n->nrx == n->rxcap) {
		unsigned cap = n->rxcap ? n->rxcap * 2 : 8;
		void *p = realloc(n->rx, cap * sizeof(*n->rx));
		if (!p)
			return;
		n->rx = p;
		n->rxcap = cap;
	}
	n->rx[n->nrx++] = (struct sim_rx){ *s, *g, 1 };
}

uint64_t sim_received(const struct sim_node *n, const struct mcast_addr *s, const struct mcast_addr *g)
{
	for (unsigned i = 0; i < n->nrx; i++)
		if (mcast_addr_eq(&n->rx[i].s, s) && mcast_addr_eq(&n->rx[i].g, g))
			return n->rx[i].count;
	return 0;
}

static bool is_control(const struct mcast_ip_info *ip)
{
	if (ip->proto == MCAST_IPPROTO_IGMP)
		return true;
	if (ip->proto != MCAST_IPPROTO_ICMPV6 || ip->payload_len < 1)
		return false;
	uint8_t t = ip->payload[0];
	return t == MCAST_MLD_QUERY || t == MCAST_MLD_V1_REPORT || t == MCAST_MLD_V1_DONE ||
	       t == MCAST_MLD_V2_REPORT;
}

static void deliver(struct sim_iface *to, const uint8_t *pkt, size_t len, const struct mcast_ip_info *ipp)
{
	struct sim_node *n = to->node;
	if (n->stopped)
		return;
	const struct mcast_ip_info ip = *ipp;
	int f = mcast_addr_is_v4(&ip.dst) ? 0 : 1;
	/* A host takes multicast only for groups its interface joined, as a
	 * NIC's filter and the kernel do: reports to 224.0.0.22 / ff02::16
	 * reach routers only. */
	if (!n->router && mcast_addr_is_multicast(&ip.dst)) {
		enum mcast_filter_mode m;
		size_t k;
		struct mcast_addr dummy;
		if (!n->h[f] || mcast_host_iface_state(n->h[f], to->ifindex, &ip.dst, &m, &dummy, 0, &k) != 0)
			return;
	}
	if (is_control(&ip)) {
		if (n->h[f])
			mcast_host_input(n->h[f], to->ifindex, pkt, len);
		if (n->r[f] && (to->role != MCAST_ROUTING_UPSTREAM || to->upstream_querier))
			mcast_router_input(n->r[f], to->ifindex, pkt, len);
		if (n->px[f] && to->role == MCAST_ROUTING_UPSTREAM)
			mcast_proxy_input(n->px[f], to->ifindex, pkt, len);
		return;
	}
	if (!mcast_addr_is_multicast(&ip.dst))
		return;
	if (n->router) {
		if (n->t[f])
			mcast_mr_input(n->t[f], to->ifindex, pkt, len);
		return;
	}
	if (n->h[f] && mcast_host_delivers(n->h[f], to->ifindex, &ip.src, &ip.dst))
		count_rx(n, &ip.src, &ip.dst);
}

static void drain(struct sim_world *w)
{
	while (w->qhead < w->qtail) {
		struct sim_qpkt q = w->q[w->qhead++]; /* a copy: delivery may enqueue */
		struct sim_link *l = q.from->link;
		struct mcast_ip_info ip;
		if (!l->up || mcast_ip_parse(q.data, q.len, &ip) != MCAST_DROP_NONE)
			continue;
		bool routers_only = mcast_addr_eq(&ip.dst, mcast_profile_of(mcast_addr_family(&ip.dst))->all_routers) ||
				    mcast_addr_eq(&ip.dst, mcast_profile_of(mcast_addr_family(&ip.dst))->v3_routers);
		unsigned np = routers_only ? l->nrports : l->nports;
		struct sim_iface **ports = routers_only ? l->rports : l->ports;
		for (unsigned i = 0; i < np; i++)
			if (ports[i] != q.from)
				deliver(ports[i], q.data, q.len, &ip);
	}
	w->qhead = w->qtail = 0;
}

void sim_run_until(struct sim_world *w, mcast_time_ms t)
{
	for (;;) {
		drain(w);
		mcast_time_ms next = mcast_wheel_next(&w->wheel);
		if (next == MCAST_TIME_NEVER || next > t)
			break;
		mcast_wheel_advance(&w->wheel, next > w->wheel.now_ms ? next : w->wheel.now_ms);
	}
	mcast_wheel_advance(&w->wheel, t);
	drain(w);
}

/* ---- nodes ---------------------------------------------------------------------- */

static void fwd_to_routing(void *ctx, unsigned ifindex, const struct mcast_addr *g,
			   const struct mcast_addr *s, enum mcast_fwd old, enum mcast_fwd now)
{
	struct sim_node *n = ctx;
	int f = mcast_addr_is_v4(g) ? 0 : 1;
	if (n->rt[f])
		mcast_routing_fwd_change(n->rt[f], ifindex, g, s, old, now);
	if (n->px[f])
		mcast_proxy_fwd_change(n->px[f], ifindex, g, s, old, now);
}

static void ahead_to_proxy(void *ctx, unsigned ifindex, const struct mcast_group_record *recs, const uint64_t *hashes,
			   size_t nrecs)
{
	struct sim_node *n = ctx;
	int f = nrecs && !mcast_addr_is_v4(&recs[0].group);
	if (n->px[f])
		mcast_proxy_groups_ahead(n->px[f], ifindex, recs, hashes, nrecs);
}

/* Proxies forward only where they are the querier: entries follow. */
static void querier_to_routing(void *ctx, unsigned ifindex, bool on)
{
	(void)on;
	struct sim_node *n = ctx;
	struct sim_iface *x = iface_by_index(n, ifindex);
	for (int f = 0; f < 2; f++)
		if (n->rt[f] && x && x->role == MCAST_ROUTING_DOWNSTREAM)
			mcast_routing_refresh(n->rt[f]);
}

int sim_node_start(struct sim_node *n)
{
	struct sim_world *w = n->w;
	uint64_t seed = w->seed * 1000003u + n->index;
	for (int f = 0; f < 2; f++) {
		enum mcast_family fam = f ? MCAST_AF_INET6 : MCAST_AF_INET;
		bool any = false;
		for (unsigned i = 0; i < n->nifs; i++)
			any |= !mcast_addr_is_unspecified(f ? &n->ifs[i]->a6 : &n->ifs[i]->a4);
		if (!any)
			continue;
		struct mcast_host_env he = { .al = &mcast_alloc_libc, .wheel = &w->wheel, .log = &w->log,
					     .send = node_send, .ctx = n, .seed = seed + (uint64_t)f };
		n->h[f] = mcast_host_create(&he, NULL, fam);
		if (!n->h[f])
			return -ENOMEM;
		n->sock[f] = mcast_host_socket(n->h[f]);
		if (n->router) {
			struct mcast_router_env re = { .al = &mcast_alloc_libc, .wheel = &w->wheel, .log = &w->log,
						       .send = node_send, .fwd_change = fwd_to_routing,
						       .querier_change = querier_to_routing,
						       .groups_ahead = ahead_to_proxy, .ctx = n,
						       .hash_seed = seed };
			struct mcast_mr_env me = { .al = &mcast_alloc_libc, .wheel = &w->wheel, .log = &w->log,
						   .xmit = node_send, .ctx = n, .hash_seed = seed };
			struct mcast_routing_env ge = { .al = &mcast_alloc_libc, .wheel = &w->wheel, .log = &w->log,
							.hash_seed = seed };
			n->r[f] = mcast_router_create(&re, fam);
			struct mcast_mr_config mc;
			mcast_mr_config_default(&mc);
			mc.max_entries = n->mfc_max;
			n->t[f] = mcast_mr_create(&me, &mc, fam, MCAST_MR_DEFAULT_TABLE);
			if (!n->r[f] || !n->t[f])
				return -ENOMEM;
			n->rt[f] = mcast_routing_create(&ge, NULL, n->t[f], n->r[f]);
			if (!n->rt[f])
				return -ENOMEM;
			if (n->nproxies) {
				struct mcast_proxy_env pe = { .al = &mcast_alloc_libc, .wheel = &w->wheel, .log = &w->log,
							      .send = node_send, .ctx = n, .seed = seed + 7 + (uint64_t)f,
							      .hash_seed = seed };
				n->px[f] = mcast_proxy_create(&pe, fam, n->r[f]);
				if (!n->px[f])
					return -ENOMEM;
			}
		}
		for (unsigned i = 0; i < n->nifs; i++) {
			struct sim_iface *x = n->ifs[i];
			const struct mcast_addr *a = f ? &x->a6 : &x->a4;
			if (mcast_addr_is_unspecified(a))
				continue;
			int rc = mcast_host_iface_add(n->h[f], x->ifindex, x->name, a, f ? &x->hc6 : &x->hc4);
			if (rc < 0)
				return rc;
			if (!n->router)
				continue;
			mcast_host_iface_set_forwarding(n->h[f], x->ifindex, true);
			/* A proxy's upstream has the host part, and the router
			 * part only when asked to query there. */
			bool up = x->role == MCAST_ROUTING_UPSTREAM;
			if (!up || x->upstream_querier) {
				rc = mcast_router_iface_add(n->r[f], x->ifindex, x->name, a, 1500, &x->rc[f]);
				if (rc < 0)
					return rc;
			}
			rc = mcast_routing_iface_add(n->rt[f], x->ifindex, x->name, 1);
			if (rc == 0 && x->role != MCAST_ROUTING_ROUTER)
				rc = mcast_routing_iface_set_role(n->rt[f], x->ifindex, x->role, x->domain);
			if (rc == 0 && up)
				rc = mcast_proxy_upstream_add(n->px[f], x->domain, x->ifindex, x->name, a,
							      f ? &x->hc6 : &x->hc4);
			else if (rc == 0 && x->role == MCAST_ROUTING_DOWNSTREAM)
				rc = mcast_proxy_downstream_add(n->px[f], x->domain, x->ifindex);
			if (rc < 0)
				return rc;
		}
		for (unsigned k = 0; n->router && k < n->nroutes; k++)
			if (mcast_addr_is_v4(&n->routes[k].g) == !f)
				mcast_routing_static_add(n->rt[f], n->routes[k].in, &n->routes[k].s, &n->routes[k].g,
							 n->routes[k].out, n->routes[k].nout);
	}
	n->stopped = false;
	return 0;
}

int sim_send_data(struct sim_node *n, const struct mcast_addr *s, const struct mcast_addr *g, uint8_t ttl)
{
	bool v4 = mcast_addr_is_v4(g);
	for (unsigned i = 0; i < n->nifs; i++) {
		struct sim_iface *x = n->ifs[i];
		const struct mcast_addr *a = v4 ? &x->a4 : &x->a6;
		bool match = mcast_addr_eq(a, s);
		/* IPv6 senders use global sources; take the first IPv6 interface. */
		if (!match && !v4 && !mcast_addr_is_unspecified(&x->a6))
			match = true;
		if (!match)
			continue;
		uint8_t b[128];
		size_t len = mcast_udp_build(b, sizeof(b), s, g, ttl, 32);
		enqueue(n->w, x, b, len);
		return 0;
	}
	return -EADDRNOTAVAIL;
}

/* ---- state ---------------------------------------------------------------------- */

static void put_line(void *ctx, const char *line)
{
	fputs(line, ctx);
}

void sim_dump_json(struct sim_world *w, FILE *out)
{
	fprintf(out, "{\"time_ms\":%llu,\"nodes\":[", (unsigned long long)w->wheel.now_ms);
	for (unsigned i = 0; i < w->nnodes; i++) {
		struct sim_node *n = w->nodes[i];
		fprintf(out, "%s\n{\"name\":\"%s\",\"kind\":\"%s\"", i ? "," : "", n->name, n->router ? "router" : "host");
		for (int f = 0; f < 2; f++) {
			const char *fam = f ? "ipv6" : "ipv4";
			if (n->r[f]) {
				fprintf(out, ",\"router_%s\":", fam);
				mcast_router_dump_json(n->r[f], put_line, out);
				fprintf(out, ",\"mroute_%s\":", fam);
				mcast_mr_dump_json(n->t[f], put_line, out);
			} else if (n->h[f]) {
				fprintf(out, ",\"host_%s\":", fam);
				mcast_host_dump_json(n->h[f], put_line, out);
			}
		}
		if (!n->router) {
			fprintf(out, ",\"received\":[");
			for (unsigned k = 0; k < n->nrx; k++) {
				char a[MCAST_ADDR_STRLEN], b[MCAST_ADDR_STRLEN];
				fprintf(out, "%s{\"source\":\"%s\",\"group\":\"%s\",\"packets\":%llu}", k ? "," : "",
					mcast_addr_str(&n->rx[k].s, a), mcast_addr_str(&n->rx[k].g, b),
					(unsigned long long)n->rx[k].count);
			}
			fprintf(out, "]");
		}
		fprintf(out, "}");
	}
	fprintf(out, "]}\n");
}
