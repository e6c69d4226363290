/*
 * DOC: capture replay
 *
 * Feeds the IGMP and MLD packets of real captures (pcap or pcapng,
 * Ethernet or Linux cooked, both families) into one simulated router,
 * each capture on an interface of its own, merged in time order at
 * their timestamps (relative to the earliest first frame). The router
 * has every setting mcastd.conf names (`--set [IFACE:]KEY=VALUE`).
 *
 * Output, one JSON object per line: the router state (DESIGN.md's JSON,
 * one line per family) at each --at time and at the end, and every
 * query the router sends as {"time_ms", "interface", "direction":"out",
 * and the message}. With --pcap DIR, DIR/IFACE.pcap holds what was
 * replayed on that interface and the router's queries, in time order.
 * The router is querier on an interface unless its capture holds a
 * query from a lower address, exactly as on a real link.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "sim.h"

struct rp_iface {
	const struct sim_replay_iface *cfg;
	struct pcap_reader rd;
	bool open, have;          /* reader open; fr holds the next frame */
	struct pcap_frame fr;
	struct pcap_writer pw;
	bool pw_open;
	struct mcast_router_config rc[2];
};

struct rp {
	struct mcast_wheel w;
	struct mcast_router *r[2];
	struct rp_iface *ifs;
	size_t nifs;
	uint64_t t0_us;
	unsigned long sent;
};

static void put_line(void *ctx, const char *line)
{
	fputs(line, ctx);
}

static void dump(struct rp *p)
{
	for (int f = 0; f < 2; f++)
		if (p->r[f])
			mcast_router_dump_json(p->r[f], put_line, stdout);
}

/* The router sends: a JSON line, and the interface's pcap. */
static void rp_send(void *ctx, unsigned ifindex, const uint8_t *pkt, size_t len)
{
	struct rp *p = ctx;
	if (ifindex == 0 || ifindex > p->nifs)
		return;
	struct rp_iface *ifc = &p->ifs[ifindex - 1];
	p->sent++;
	if (ifc->pw_open)
		pcap_writer_put(&ifc->pw, p->t0_us + p->w.now_ms * 1000, pkt, len);
	struct mcast_addr srcs[256];
	struct mcast_group_record recs[1];
	struct mcast_msg m = { .srcs = srcs, .srcs_cap = 256, .recs = recs, .recs_cap = 1 };
	if (mcast_msg_decode_packet(&m, pkt, len, NULL, NULL) != MCAST_DROP_NONE)
		return;
	printf("{\"time_ms\":%llu,\"interface\":\"%s\",\"direction\":\"out\",",
	       (unsigned long long)p->w.now_ms, ifc->cfg->name);
	format_msg_json(stdout, &m);
	printf("}\n");
}

static int cmp_time(const void *a, const void *b)
{
	mcast_time_ms x = *(const mcast_time_ms *)a, y = *(const mcast_time_ms *)b;
	return (x > y) - (x < y);
}

/* "[IFACE:]KEY=VALUE" applied to the named interface or to all. */
static int apply_set(struct rp *p, const char *set)
{
	char buf[512];
	if (strlen(set) >= sizeof(buf)) {
		fprintf(stderr, "mcastsim: --set: too long: %s\n", set);
		return -1;
	}
	strcpy(buf, set);
	char *eq = strchr(buf, '=');
	if (!eq || eq == buf) {
		fprintf(stderr, "mcastsim: --set %s: expected [IFACE:]KEY=VALUE\n", set);
		return -1;
	}
	*eq = '\0';
	const char *key = buf, *val = eq + 1, *iface = NULL;
	char *colon = strchr(buf, ':');
	if (colon) {
		*colon = '\0';
		iface = buf;
		key = colon + 1;
	}
	bool found = false;
	for (size_t i = 0; i < p->nifs; i++) {
		struct rp_iface *ifc = &p->ifs[i];
		if (iface && strcmp(iface, ifc->cfg->name))
			continue;
		found = true;
		int rc = mcast_router_config_set_both(&ifc->rc[0], &ifc->rc[1], key, val);
		if (rc == -ENOENT) {
			fprintf(stderr, "mcastsim: --set %s: unknown setting %s\n", set, key);
			return -1;
		}
		if (rc < 0) {
			fprintf(stderr, "mcastsim: --set %s: %s expects %s\n", set, key,
				mcast_router_config_allowed(key));
			return -1;
		}
	}
	if (!found) {
		fprintf(stderr, "mcastsim: --set %s: no interface %s (give it with --iface)\n", set, iface);
		return -1;
	}
	return 0;
}

static int setup(struct rp *p, const struct sim_replay_opts *o)
{
	for (size_t i = 0; i < o->nifs; i++)
		for (int f = 0; f < 2; f++)
			mcast_router_config_default(&p->ifs[i].rc[f], f ? MCAST_AF_INET6 : MCAST_AF_INET);
	/* interface-wide settings first, then per interface: the more
	 * specific one wins whatever the order on the command line */
	for (int pass = 0; pass < 2; pass++)
		for (size_t k = 0; k < o->nsets; k++) {
			const char *eq = strchr(o->sets[k], '='), *colon = strchr(o->sets[k], ':');
			bool specific = colon && (!eq || colon < eq);
			if (specific == (pass == 1) && apply_set(p, o->sets[k]) < 0)
				return -1;
		}
	for (int f = 0; f < 2; f++) {
		enum mcast_family fam = f ? MCAST_AF_INET6 : MCAST_AF_INET;
		struct mcast_router_env env = { .al = &mcast_alloc_libc, .wheel = &p->w, .send = rp_send,
						.ctx = p, .hash_seed = 1 };
		p->r[f] = mcast_router_create(&env, fam);
		if (!p->r[f]) {
			fprintf(stderr, "mcastsim: no memory for the %s router\n", f ? "MLD" : "IGMP");
			return -1;
		}
	}
	for (size_t i = 0; i < p->nifs; i++) {
		struct rp_iface *ifc = &p->ifs[i];
		char err[512];
		if (pcap_reader_open(&ifc->rd, ifc->cfg->path, err, sizeof(err)) < 0) {
			fprintf(stderr, "mcastsim: %s: %s\n", ifc->cfg->name, err);
			return -1;
		}
		ifc->open = true;
		if (o->pcap_dir) {
			char path[4096];
			snprintf(path, sizeof(path), "%s/%s.pcap", o->pcap_dir, ifc->cfg->name);
			if (pcap_writer_open(&ifc->pw, path, err, sizeof(err)) < 0) {
				fprintf(stderr, "mcastsim: %s\n", err);
				return -1;
			}
			ifc->pw_open = true;
		}
	}
	return 0;
}

/* Adds the interfaces once the start time is known, so that the
 * startup queries carry it. */
static int add_ifaces(struct rp *p)
{
	for (size_t i = 0; i < p->nifs; i++) {
		struct rp_iface *ifc = &p->ifs[i];
		const struct mcast_addr *a[2] = { &ifc->cfg->addr4, &ifc->cfg->addr6 };
		for (int f = 0; f < 2; f++) {
			int rc = mcast_router_iface_add(p->r[f], (unsigned)i + 1, ifc->cfg->name, a[f], 1500, &ifc->rc[f]);
			if (rc < 0) {
				char b[MCAST_ADDR_STRLEN];
				fprintf(stderr, "mcastsim: %s: cannot add the %s interface with address %s: %s\n",
					ifc->cfg->name, f ? "MLD" : "IGMP", mcast_addr_str(a[f], b), strerror(-rc));
				return -1;
			}
		}
	}
	return 0;
}

static int next_frame(struct rp_iface *ifc)
{
	int rc = pcap_reader_next(&ifc->rd, &ifc->fr);
	ifc->have = rc == 1;
	if (rc < 0)
		fprintf(stderr, "mcastsim: %s: read error in %s\n", ifc->cfg->name, ifc->cfg->path);
	return rc < 0 ? -1 : 0;
}

int sim_replay(const struct sim_replay_opts *o)
{
	struct rp p = { .nifs = o->nifs };
	int ret = -1;
	mcast_wheel_init(&p.w, 0);
	p.ifs = calloc(o->nifs ? o->nifs : 1, sizeof(*p.ifs));
	if (!p.ifs)
		return -1;
	for (size_t i = 0; i < o->nifs; i++)
		p.ifs[i].cfg = &o->ifs[i];
	if (setup(&p, o) < 0)
		goto out;
	/* the earliest first frame of all captures is time 0 */
	bool any = false;
	for (size_t i = 0; i < p.nifs; i++) {
		if (next_frame(&p.ifs[i]) < 0)
			goto out;
		if (p.ifs[i].have && (!any || p.ifs[i].fr.ts_us < p.t0_us)) {
			p.t0_us = p.ifs[i].fr.ts_us;
			any = true;
		}
	}
	if (add_ifaces(&p) < 0)
		goto out;
	qsort(o->at, o->nat, sizeof(*o->at), cmp_time);
	size_t next_at = 0;
	unsigned long fed = 0;
	for (;;) {
		struct rp_iface *ifc = NULL;
		for (size_t i = 0; i < p.nifs; i++)
			if (p.ifs[i].have && (!ifc || p.ifs[i].fr.ts_us < ifc->fr.ts_us))
				ifc = &p.ifs[i];
		if (!ifc)
			break;
		uint64_t ts = ifc->fr.ts_us < p.t0_us ? p.t0_us : ifc->fr.ts_us;
		mcast_time_ms t = (ts - p.t0_us) / 1000;
		while (next_at < o->nat && o->at[next_at] <= t) {
			mcast_wheel_advance(&p.w, o->at[next_at++]);
			dump(&p);
		}
		mcast_wheel_advance(&p.w, t);
		struct mcast_ip_info ip;
		if (ifc->fr.ip && mcast_ip_parse(ifc->fr.ip, ifc->fr.ip_len, &ip) == MCAST_DROP_NONE) {
			if (ifc->pw_open)
				pcap_writer_put(&ifc->pw, ts, ifc->fr.ip, ifc->fr.ip_len);
			int f = mcast_addr_is_v4(&ip.dst) ? 0 : 1;
			mcast_router_input_ip(p.r[f], (unsigned)(ifc - p.ifs) + 1, &ip);
			fed++;
		}
		if (next_frame(ifc) < 0)
			goto out;
	}
	while (next_at < o->nat) {
		mcast_wheel_advance(&p.w, o->at[next_at++]);
		dump(&p);
	}
	dump(&p);
	fprintf(stderr, "mcastsim: %lu packets replayed from %zu capture%s, %lu sent by the router\n", fed,
		p.nifs, p.nifs == 1 ? "" : "s", p.sent);
	ret = 0;
out:
	for (int f = 0; f < 2; f++)
		if (p.r[f])
			mcast_router_destroy(p.r[f]);
	for (size_t i = 0; i < p.nifs; i++) {
		if (p.ifs[i].open)
			pcap_reader_close(&p.ifs[i].rd);
		if (p.ifs[i].pw_open)
			pcap_writer_close(&p.ifs[i].pw);
	}
	free(p.ifs);
	return ret;
}
