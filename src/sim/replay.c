/*
 * DOC: capture replay
 *
 * Feeds the IGMP and MLD packets of a real capture (pcap or pcapng,
 * Ethernet or Linux cooked, both families) into one simulated router
 * interface at their timestamps, relative to the first frame, and prints
 * the router state (DESIGN.md's JSON, one line per family) at each
 * --at time and at the end. The router is querier unless the capture
 * holds a query from a lower address, exactly as on a real link.
 */
#include <stdlib.h>
#include <string.h>

#include "sim.h"

static void nosend(void *ctx, unsigned ifindex, const uint8_t *pkt, size_t len)
{
	(void)ctx;
	(void)ifindex;
	(void)pkt;
	(void)len;
}

static void put_line(void *ctx, const char *line)
{
	fputs(line, ctx);
}

static void dump(struct mcast_router *const r[2])
{
	for (int f = 0; f < 2; f++)
		if (r[f])
			mcast_router_dump_json(r[f], put_line, stdout);
}

static int cmp_time(const void *a, const void *b)
{
	mcast_time_ms x = *(const mcast_time_ms *)a, y = *(const mcast_time_ms *)b;
	return (x > y) - (x < y);
}

int sim_replay(const char *path, const struct mcast_addr *addr4, const struct mcast_addr *addr6,
	       mcast_time_ms *at, size_t nat)
{
	struct pcap_reader rd;
	char err[512];
	if (pcap_reader_open(&rd, path, err, sizeof(err)) < 0) {
		fprintf(stderr, "mcastsim: %s\n", err);
		return -1;
	}
	struct mcast_wheel w;
	mcast_wheel_init(&w, 0);
	struct mcast_router *r[2] = { NULL, NULL };
	const struct mcast_addr *addr[2] = { addr4, addr6 };
	for (int f = 0; f < 2; f++) {
		enum mcast_family fam = f ? MCAST_AF_INET6 : MCAST_AF_INET;
		struct mcast_router_env env = { .al = &mcast_alloc_libc, .wheel = &w, .send = nosend, .hash_seed = 1 };
		struct mcast_router_config cfg;
		mcast_router_config_default(&cfg, fam);
		r[f] = mcast_router_create(&env, fam);
		if (!r[f] || mcast_router_iface_add(r[f], 1, "replay", addr[f], 1500, &cfg) < 0) {
			fprintf(stderr, "mcastsim: cannot set up the %s router\n", f ? "MLD" : "IGMP");
			return -1;
		}
	}
	qsort(at, nat, sizeof(*at), cmp_time);
	size_t next_at = 0;
	struct pcap_frame fr;
	uint64_t t0 = 0;
	int rc;
	unsigned long fed = 0;
	while ((rc = pcap_reader_next(&rd, &fr)) == 1) {
		if (rd.frames == 1)
			t0 = fr.ts_us;
		mcast_time_ms t = (fr.ts_us - t0) / 1000;
		while (next_at < nat && at[next_at] <= t) {
			mcast_wheel_advance(&w, at[next_at++]);
			dump(r);
		}
		mcast_wheel_advance(&w, t);
		if (!fr.ip)
			continue;
		struct mcast_ip_info ip;
		if (mcast_ip_parse(fr.ip, fr.ip_len, &ip) != MCAST_DROP_NONE)
			continue;
		int f = mcast_addr_is_v4(&ip.dst) ? 0 : 1;
		mcast_router_input_ip(r[f], 1, &ip);
		fed++;
	}
	pcap_reader_close(&rd);
	while (next_at < nat) {
		mcast_wheel_advance(&w, at[next_at++]);
		dump(r);
	}
	dump(r);
	fprintf(stderr, "mcastsim: %lu packets replayed from %s\n", fed, path);
	for (int f = 0; f < 2; f++)
		mcast_router_destroy(r[f]);
	return rc < 0 ? -1 : 0;
}
