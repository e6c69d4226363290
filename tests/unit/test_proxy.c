/* Unit tests for src/proxy/proxy.c: a proxy (router engine on lan1 and
 * lan2, host part on the upstream) and a provider router engine on the
 * upstream link that hears the proxy's reports. What the provider holds
 * is the merged membership (RFC 4605 4.1). */
#include "mcast/proxy.h"
#include "testutil.h"

static struct mcast_wheel W;
static struct mcast_router *R, *P; /* the proxy's router part; the provider */
static struct mcast_proxy *PX;
static unsigned upstream_pkts;

static void fwd(void *ctx, unsigned ifindex, const struct mcast_addr *g, const struct mcast_addr *s,
		enum mcast_fwd old, enum mcast_fwd now)
{
	(void)ctx;
	if (PX)
		mcast_proxy_fwd_change(PX, ifindex, g, s, old, now);
}

static void ahead(void *ctx, unsigned ifindex, const struct mcast_group_record *recs, const uint64_t *hashes,
		  size_t n)
{
	(void)ctx;
	if (PX)
		mcast_proxy_groups_ahead(PX, ifindex, recs, hashes, n);
}

static void nosend(void *ctx, unsigned ifindex, const uint8_t *pkt, size_t len)
{
	(void)ctx;
	(void)ifindex;
	(void)pkt;
	(void)len;
}

static void nofwd(void *ctx, unsigned ifindex, const struct mcast_addr *g, const struct mcast_addr *s,
		  enum mcast_fwd old, enum mcast_fwd now)
{
	(void)ctx;
	(void)ifindex;
	(void)g;
	(void)s;
	(void)old;
	(void)now;
}

/* The host part's reports reach the provider at once. */
static void upstream_send(void *ctx, unsigned ifindex, const uint8_t *pkt, size_t len)
{
	(void)ctx;
	assert_int_equal(ifindex, 3);
	upstream_pkts++;
	mcast_router_input(P, 1, pkt, len);
}

static void setup(void)
{
	mcast_wheel_init(&W, 0);
	struct mcast_router_env renv = { .al = &mcast_alloc_libc, .wheel = &W, .send = nosend,
					 .fwd_change = fwd, .groups_ahead = ahead, .hash_seed = 3 };
	R = mcast_router_create(&renv, MCAST_AF_INET);
	struct mcast_router_env penv = renv;
	penv.fwd_change = nofwd;
	penv.groups_ahead = NULL;
	P = mcast_router_create(&penv, MCAST_AF_INET);
	struct mcast_router_config c;
	mcast_router_config_default(&c, MCAST_AF_INET);
	struct mcast_addr a1 = A("10.0.1.1"), a2 = A("10.0.2.1"), pa = A("10.0.0.1"), ua = A("10.0.0.2");
	assert_int_equal(mcast_router_iface_add(R, 1, "lan1", &a1, 1500, &c), 0);
	assert_int_equal(mcast_router_iface_add(R, 2, "lan2", &a2, 1500, &c), 0);
	assert_int_equal(mcast_router_iface_add(P, 1, "down", &pa, 1500, &c), 0);
	struct mcast_proxy_env env = { .al = &mcast_alloc_libc, .wheel = &W, .send = upstream_send,
				       .seed = 1, .hash_seed = 3 };
	PX = mcast_proxy_create(&env, MCAST_AF_INET, R);
	assert_non_null(PX);
	assert_int_equal(mcast_proxy_downstream_add(PX, 1, 1), 0);
	assert_int_equal(mcast_proxy_downstream_add(PX, 1, 2), 0);
	struct mcast_host_iface_config hc;
	mcast_host_iface_config_default(&hc);
	hc.report_link_local = false;
	assert_int_equal(mcast_proxy_upstream_add(PX, 1, 3, "wan", &ua, &hc), 0);
	upstream_pkts = 0;
}

static void teardown(void)
{
	mcast_proxy_destroy(PX);
	PX = NULL;
	mcast_router_destroy(R);
	mcast_router_destroy(P);
}

static void report(unsigned ifindex, const char *host, const char *group, uint8_t type,
		   const char *s1, const char *s2)
{
	struct mcast_report_builder rb;
	static uint8_t buf[1500];
	struct pkts p = { 0 };
	struct mcast_addr h = A(host), g = A(group), s[2];
	size_t n = 0;
	if (s1)
		s[n++] = A(s1);
	if (s2)
		s[n++] = A(s2);
	assert_int_equal(mcast_report_init(&rb, MCAST_AF_INET, &h, NULL, 1500, buf, sizeof(buf), pkts_emit, &p), 0);
	mcast_report_add(&rb, type, &g, s, n, NULL, 0);
	mcast_report_flush(&rb);
	mcast_router_input(R, ifindex, p.data[0], p.len[0]);
	mcast_wheel_advance(&W, W.now_ms); /* the proxy's changes, applied once */
}

/* "INCLUDE a b" / "EXCLUDE a" / "none": the host part's merged record. */
static const char *merged(const char *group)
{
	static char out[256];
	struct mcast_addr g = A(group), s[8];
	enum mcast_filter_mode mode;
	size_t n;
	if (mcast_host_iface_state(mcast_proxy_host(PX), 3, &g, &mode, s, 8, &n) < 0)
		return "none";
	int k = snprintf(out, sizeof(out), "%s", mode == MCAST_MODE_EXCLUDE ? "EXCLUDE" : "INCLUDE");
	for (size_t i = 0; i < n; i++) {
		char b[MCAST_ADDR_STRLEN];
		k += snprintf(out + k, sizeof(out) - (size_t)k, " %s", mcast_addr_str(&s[i], b));
	}
	return out;
}

/* The provider's view: mode and the sources it forwards / excludes. */
static const char *provider(const char *group)
{
	static char out[256];
	struct mcast_addr g = A(group);
	struct mcast_router_group_info gi;
	struct mcast_router_source_info si[8];
	if (mcast_router_group(P, 1, &g, &gi, si, 8) < 0)
		return "none";
	int k = snprintf(out, sizeof(out), "%s", gi.exclude ? "EXCLUDE" : "INCLUDE");
	for (size_t i = 0; i < gi.nsources && i < 8; i++) {
		char b[MCAST_ADDR_STRLEN];
		k += snprintf(out + k, sizeof(out) - (size_t)k, " %s%s", si[i].forwarding ? "" : "!",
			      mcast_addr_str(&si[i].addr, b));
	}
	return out;
}

/* An instance with one downstream (its subscription is the merge as
 * read): sources go up as they come, the buffer they are read into
 * growing (the first read finds none), and an EXCLUDE host takes the
 * group to EXCLUDE of what it blocks. */
static void test_one_downstream(void **state)
{
	(void)state;
	setup();
	assert_int_equal(mcast_proxy_downstream_del(PX, 2), 0);
	report(1, "10.0.1.10", "232.1.1.1", MCAST_ALLOW_NEW_SOURCES, "10.9.0.1", "10.9.0.2");
	assert_string_equal(merged("232.1.1.1"), "INCLUDE 10.9.0.1 10.9.0.2");
	report(1, "10.0.1.11", "232.1.1.1", MCAST_ALLOW_NEW_SOURCES, "10.9.0.3", "10.9.0.4");
	report(1, "10.0.1.12", "232.1.1.1", MCAST_ALLOW_NEW_SOURCES, "10.9.0.5", "10.9.0.6");
	assert_string_equal(merged("232.1.1.1"), "INCLUDE 10.9.0.1 10.9.0.2 10.9.0.3 10.9.0.4 10.9.0.5 10.9.0.6");
	assert_string_equal(provider("232.1.1.1"), "INCLUDE 10.9.0.1 10.9.0.2 10.9.0.3 10.9.0.4 10.9.0.5 10.9.0.6");
	report(1, "10.0.1.10", "239.1.1.1", MCAST_MODE_IS_EXCLUDE, "10.9.0.7", NULL);
	assert_string_equal(merged("239.1.1.1"), "EXCLUDE 10.9.0.7");
	teardown();
}

/* Input packets, then the wheel once (mcastd reads a batch of packets
 * before its timers run, the proxy's flush among them). */
struct rec1 {
	const char *group;
	uint8_t type;
};

static void reports_then_flush(unsigned ifindex, const char *host, const struct rec1 *recs, size_t n)
{
	struct mcast_addr h = A(host);
	for (size_t i = 0; i < n; i++) {
		struct mcast_report_builder rb;
		static uint8_t buf[1500];
		struct pkts p = { 0 };
		struct mcast_addr g = A(recs[i].group);
		assert_int_equal(mcast_report_init(&rb, MCAST_AF_INET, &h, NULL, 1500, buf, sizeof(buf), pkts_emit, &p),
				 0);
		mcast_report_add(&rb, recs[i].type, &g, NULL, 0, NULL, 0);
		mcast_report_flush(&rb);
		mcast_router_input(R, ifindex, p.data[0], p.len[0]);
	}
	mcast_wheel_advance(&W, W.now_ms);
}

/* A queued change keeps the router's record of its group while no group
 * is freed. Here 239.1.1.1 is joined and left at once (fast leave frees
 * its record when the packet is done), then 239.2.2.2 is joined, which
 * the freed record's memory serves, all before the flush: the first
 * group is read again, not through the record that is now the second's,
 * so it does not go upstream. */
static void test_freed_group_not_read(void **state)
{
	(void)state;
	setup();
	assert_int_equal(mcast_proxy_downstream_del(PX, 2), 0);
	struct mcast_router_config c;
	mcast_router_config_default(&c, MCAST_AF_INET);
	c.fast_leave = true;
	assert_int_equal(mcast_router_iface_set_config(R, 1, &c), 0);
	static const struct rec1 recs[] = { { "239.1.1.1", MCAST_CHANGE_TO_EXCLUDE },
					    { "239.1.1.1", MCAST_CHANGE_TO_INCLUDE },
					    { "239.2.2.2", MCAST_CHANGE_TO_EXCLUDE } };
	reports_then_flush(1, "10.0.1.10", recs, 3);
	assert_string_equal(merged("239.2.2.2"), "EXCLUDE");
	assert_string_equal(merged("239.1.1.1"), "none");
	assert_string_equal(provider("239.2.2.2"), "EXCLUDE");
	assert_string_equal(provider("239.1.1.1"), "none");
	teardown();
}

static void test_include_merge(void **state)
{
	(void)state;
	setup();
	report(1, "10.0.1.10", "232.1.1.1", MCAST_ALLOW_NEW_SOURCES, "10.9.0.1", NULL);
	report(2, "10.0.2.10", "232.1.1.1", MCAST_ALLOW_NEW_SOURCES, "10.9.0.2", NULL);
	assert_string_equal(merged("232.1.1.1"), "INCLUDE 10.9.0.1 10.9.0.2");
	assert_string_equal(provider("232.1.1.1"), "INCLUDE 10.9.0.1 10.9.0.2");
	assert_int_equal(upstream_pkts, 2);
	/* lan1's host blocks its source: after LMQT, lan1 has none; the
	 * provider is told with a BLOCK and drops it after its own query. */
	report(1, "10.0.1.10", "232.1.1.1", MCAST_BLOCK_OLD_SOURCES, "10.9.0.1", NULL);
	assert_string_equal(merged("232.1.1.1"), "INCLUDE 10.9.0.1 10.9.0.2");
	mcast_wheel_advance(&W, 3000);
	assert_string_equal(merged("232.1.1.1"), "INCLUDE 10.9.0.2");
	teardown();
}

static uint64_t rt_counter(unsigned ifindex, const char *name)
{
	struct mcast_router_iface_info info;
	assert_int_equal(mcast_router_iface_info(R, ifindex, &info), 0);
	for (size_t i = 0; i < mcast_router_stat_nfields; i++)
		if (!strcmp(mcast_router_stat_fields[i].name, name))
			return mcast_router_stat(info.stats, &mcast_router_stat_fields[i]);
	fail_msg("no router counter %s", name);
	return 0;
}

/* A host asks for sources no filter may hold (0.0.0.0, a multicast
 * address): the router part refuses them one by one (they never reach
 * the merge), and the group's other sources and later changes still go
 * up (the host part used to refuse the whole filter). */
static void test_invalid_sources(void **state)
{
	(void)state;
	setup();
	report(1, "10.0.1.10", "232.1.1.1", MCAST_ALLOW_NEW_SOURCES, "0.0.0.0", "10.9.0.1");
	assert_string_equal(merged("232.1.1.1"), "INCLUDE 10.9.0.1");
	report(1, "10.0.1.10", "232.1.1.1", MCAST_ALLOW_NEW_SOURCES, "224.1.1.1", "10.9.0.2");
	assert_string_equal(merged("232.1.1.1"), "INCLUDE 10.9.0.1 10.9.0.2");
	assert_string_equal(provider("232.1.1.1"), "INCLUDE 10.9.0.1 10.9.0.2");
	assert_int_equal(rt_counter(1, "invalid_source"), 2);
	assert_int_equal(mcast_proxy_stats(PX)->errors, 0);
	teardown();
}

/* INCLUDE on one link and EXCLUDE on the other: EXCLUDE of what the
 * EXCLUDE link excludes, less what the INCLUDE link asks for. */
static void test_exclude_merge(void **state)
{
	(void)state;
	setup();
	report(1, "10.0.1.10", "239.1.1.1", MCAST_ALLOW_NEW_SOURCES, "10.9.0.1", NULL);
	report(2, "10.0.2.10", "239.1.1.1", MCAST_MODE_IS_EXCLUDE, "10.9.0.1", "10.9.0.3");
	assert_string_equal(merged("239.1.1.1"), "EXCLUDE 10.9.0.3");
	/* one IS_EX, one report upstream: no intermediate state was shown */
	assert_int_equal(upstream_pkts, 2);
	assert_string_equal(provider("239.1.1.1"), "EXCLUDE !10.9.0.3");
	/* two EXCLUDE links: the intersection */
	report(1, "10.0.1.10", "239.1.1.1", MCAST_CHANGE_TO_EXCLUDE, "10.9.0.3", "10.9.0.4");
	assert_string_equal(merged("239.1.1.1"), "EXCLUDE 10.9.0.3");
	/* link-scoped groups never go upstream: the router part keeps no
	 * state for them */
	unsigned before = upstream_pkts;
	report(1, "10.0.1.10", "224.0.0.251", MCAST_MODE_IS_EXCLUDE, NULL, NULL);
	assert_string_equal(merged("224.0.0.251"), "none");
	assert_int_equal(rt_counter(1, "local_group"), 1);
	assert_int_equal(upstream_pkts, before);
	teardown();
}

/* The upstream goes and comes back: the membership is reported again;
 * a downstream removed leaves the merge. */
static void test_upstream_flap(void **state)
{
	(void)state;
	setup();
	report(1, "10.0.1.10", "239.1.1.1", MCAST_MODE_IS_EXCLUDE, NULL, NULL);
	report(2, "10.0.2.10", "239.2.2.2", MCAST_MODE_IS_EXCLUDE, NULL, NULL);
	assert_int_equal(mcast_proxy_upstream_del(PX, 3), 0);
	assert_int_equal(mcast_proxy_upstream(PX, 1), 0);
	assert_string_equal(merged("239.1.1.1"), "none");
	mcast_router_destroy(P);
	struct mcast_router_env penv = { .al = &mcast_alloc_libc, .wheel = &W, .send = nosend,
					 .fwd_change = nofwd, .hash_seed = 3 };
	P = mcast_router_create(&penv, MCAST_AF_INET);
	struct mcast_router_config c;
	mcast_router_config_default(&c, MCAST_AF_INET);
	struct mcast_addr pa = A("10.0.0.1"), ua = A("10.0.0.2");
	assert_int_equal(mcast_router_iface_add(P, 1, "down", &pa, 1500, &c), 0);
	upstream_pkts = 0;
	struct mcast_host_iface_config hc;
	mcast_host_iface_config_default(&hc);
	assert_int_equal(mcast_proxy_upstream_add(PX, 1, 3, "wan", &ua, &hc), 0);
	assert_int_equal(mcast_proxy_upstream_add(PX, 1, 4, "wan2", &ua, &hc), -EEXIST);
	assert_int_equal(mcast_proxy_upstream_add(PX, 2, 1, "lan1", &ua, &hc), -EEXIST);
	/* the whole membership in one report, at once (RFC 4605 4.1: the
	 * new upstream learns every group), packed: not one per group */
	mcast_wheel_advance(&W, W.now_ms);
	assert_int_equal(upstream_pkts, 1);
	assert_string_equal(provider("239.1.1.1"), "EXCLUDE");
	assert_string_equal(provider("239.2.2.2"), "EXCLUDE");
	/* lan2 stops being a downstream: its group leaves upstream */
	assert_int_equal(mcast_proxy_downstream_del(PX, 2), 0);
	assert_string_equal(merged("239.2.2.2"), "none");
	assert_string_equal(merged("239.1.1.1"), "EXCLUDE");
	assert_int_equal(mcast_proxy_downstream_del(PX, 2), -ENODEV);
	teardown();
}

/* A downstream that joins the instance with groups the router already
 * has there (an interface moved into the instance on a reload) takes
 * them upstream at once, in one report; found by fuzz_proxy. */
static void test_downstream_comes_back(void **state)
{
	(void)state;
	setup();
	report(1, "10.0.1.10", "239.1.1.1", MCAST_MODE_IS_EXCLUDE, NULL, NULL);
	report(2, "10.0.2.10", "239.2.2.2", MCAST_MODE_IS_EXCLUDE, NULL, NULL);
	report(2, "10.0.2.10", "239.3.3.3", MCAST_MODE_IS_INCLUDE, "10.9.9.9", NULL);
	assert_int_equal(mcast_proxy_downstream_del(PX, 2), 0);
	mcast_wheel_advance(&W, W.now_ms);
	assert_string_equal(merged("239.2.2.2"), "none");
	assert_string_equal(merged("239.3.3.3"), "none");
	upstream_pkts = 0;
	assert_int_equal(mcast_proxy_downstream_add(PX, 1, 2), 0);
	mcast_wheel_advance(&W, W.now_ms);
	assert_string_equal(merged("239.2.2.2"), "EXCLUDE");
	assert_string_equal(merged("239.3.3.3"), "INCLUDE 10.9.9.9");
	assert_string_equal(merged("239.1.1.1"), "EXCLUDE");
	assert_int_equal(upstream_pkts, 1);
	assert_string_equal(provider("239.2.2.2"), "EXCLUDE");
	assert_string_equal(provider("239.3.3.3"), "INCLUDE 10.9.9.9");
	teardown();
}

/* The provider drops to IGMPv2: the host part follows and reports v2. */
static void test_provider_version(void **state)
{
	(void)state;
	setup();
	report(1, "10.0.1.10", "239.1.1.1", MCAST_MODE_IS_EXCLUDE, NULL, NULL);
	struct mcast_query_params q = { .family = MCAST_AF_INET, .version = 2, .group = A("0.0.0.0"),
					.max_resp_ms = 1000 };
	struct mcast_addr src = A("10.0.0.1");
	uint8_t buf[256];
	struct pkts p = { 0 };
	assert_int_equal(mcast_query_encode(&q, &src, NULL, 1500, buf, sizeof(buf), pkts_emit, &p), 1);
	/* a damaged copy first: counted under its reason, nothing changes */
	uint8_t bad[256];
	memcpy(bad, p.data[0], p.len[0]);
	bad[p.len[0] - 1] ^= 0xff;
	mcast_proxy_input(PX, 3, bad, p.len[0]);
	assert_int_equal(mcast_host_stats(mcast_proxy_host(PX), 3)->drop.count[MCAST_DROP_BAD_CHECKSUM], 1);
	assert_int_equal(mcast_host_version(mcast_proxy_host(PX), 3), 3);
	mcast_proxy_input(PX, 3, p.data[0], p.len[0]);
	assert_int_equal(mcast_host_version(mcast_proxy_host(PX), 3), 2);
	upstream_pkts = 0;
	mcast_wheel_advance(&W, 1000);
	assert_int_equal(upstream_pkts, 1); /* the v2 report answering the query */
	struct mcast_router_group_info gi;
	struct mcast_addr g = A("239.1.1.1");
	assert_int_equal(mcast_router_group(P, 1, &g, &gi, NULL, 0), 0);
	assert_int_equal(gi.compat_version, 2);
	/* in v2 a new group goes up as an IGMPv2 report at once (RFC 2236
	 * 3), and when the last downstream member has gone, as a leave: the
	 * provider then asks and forgets the group (RFC 2236 6) */
	struct mcast_addr g5 = A("239.5.5.5");
	upstream_pkts = 0;
	report(1, "10.0.1.10", "239.5.5.5", MCAST_MODE_IS_EXCLUDE, NULL, NULL);
	assert_int_equal(upstream_pkts, 1);
	assert_int_equal(mcast_router_group(P, 1, &g5, &gi, NULL, 0), 0);
	assert_int_equal(gi.compat_version, 2);
	mcast_wheel_advance(&W, 20000); /* the report's repetition */
	assert_int_equal(upstream_pkts, 2);
	upstream_pkts = 0;
	report(1, "10.0.1.10", "239.5.5.5", MCAST_CHANGE_TO_INCLUDE, NULL, NULL);
	mcast_wheel_advance(&W, 24000); /* lan1's last-member queries, then the provider's */
	assert_int_equal(upstream_pkts, 1); /* the leave (the provider's queries do not reach us here) */
	assert_int_not_equal(mcast_router_group(P, 1, &g5, &gi, NULL, 0), 0);
	teardown();
}

/* The upstream takes the provider's QRV (RFC 3376 4.1.6, 8.1): with
 * QRV 3 a change goes up three times; the provider's address becomes
 * the querier the upstream follows. */
static void test_provider_qrv(void **state)
{
	(void)state;
	setup();
	struct mcast_query_params q = { .family = MCAST_AF_INET, .version = 3, .group = mcast_addr_any4,
					.max_resp_ms = 10000, .qrv = 3, .qqi_s = 30 };
	struct mcast_addr from = A("10.0.0.1");
	struct pkts p = { 0 };
	static uint8_t buf[1600];
	assert_true(mcast_query_encode(&q, &from, NULL, 1500, buf, sizeof(buf), pkts_emit, &p) > 0);
	mcast_proxy_input(PX, 3, p.data[0], p.len[0]);
	struct mcast_addr qa;
	assert_int_equal(mcast_host_querier(mcast_proxy_host(PX), 3, &qa, NULL), 0);
	assert_addr_equal(&qa, "10.0.0.1");
	mcast_wheel_advance(&W, 20000); /* its general query's answer (nothing yet) */
	upstream_pkts = 0;
	report(1, "10.0.1.10", "239.9.9.9", MCAST_MODE_IS_EXCLUDE, NULL, NULL);
	mcast_wheel_advance(&W, 22000);
	assert_int_equal(upstream_pkts, 3);
	teardown();
}

/* ---- packed upstream reports (RFC 3376 5.1, RFC 4605 4.1) ---------------- */

static struct {
	unsigned pkts;
	unsigned recs[64];       /* records per packet */
	char seq[64][64];        /* "TO_EX first..last" per packet */
	uint64_t at[64];
} up;

static void packed_send(void *ctx, unsigned ifindex, const uint8_t *pkt, size_t len)
{
	(void)ctx;
	(void)ifindex;
	static struct mcast_addr srcs[16];
	static struct mcast_group_record recs[1024];
	struct mcast_msg m = { .srcs = srcs, .srcs_cap = 16, .recs = recs, .recs_cap = 1024 };
	assert_int_equal(mcast_msg_decode_packet(&m, pkt, len, NULL, NULL), MCAST_DROP_NONE);
	assert_int_equal(m.kind, MCAST_MSG_V3_REPORT);
	assert_true(len <= 1500);
	if (up.pkts == 64)
		return;
	char a[MCAST_ADDR_STRLEN], b[MCAST_ADDR_STRLEN];
	for (unsigned i = 0; i < m.nrecs; i++) /* one type, groups ascending */
		assert_int_equal(recs[i].type, recs[0].type);
	for (unsigned i = 1; i < m.nrecs; i++)
		assert_true(mcast_addr_cmp(&recs[i - 1].group, &recs[i].group) < 0);
	up.recs[up.pkts] = m.nrecs;
	up.at[up.pkts] = W.now_ms;
	snprintf(up.seq[up.pkts], sizeof(up.seq[0]), "%s %s..%s", mcast_rec_type_name(recs[0].type),
		 mcast_addr_str(&recs[0].group, a), mcast_addr_str(&recs[m.nrecs - 1].group, b));
	up.pkts++;
}

/* One downstream packet of any size (a jumbo frame). */
struct big {
	unsigned n;
	size_t len;
	uint8_t data[65536];
};

static void big_emit(void *ctx, const uint8_t *p, size_t len)
{
	struct big *k = ctx;
	assert_true(len <= sizeof(k->data));
	memcpy(k->data, p, len);
	k->len = len;
	k->n++;
}

static struct mcast_addr nth_group(enum mcast_family f, unsigned i)
{
	char b[64];
	if (f == MCAST_AF_INET)
		snprintf(b, sizeof(b), "239.100.%u.%u", i / 256, i % 256);
	else
		snprintf(b, sizeof(b), "ff0e::100:%x", i);
	return A(b);
}

/*
 * One downstream report of n ASM joins (IS_EX {}) goes upstream as
 * few packets as the 1500-byte MTU allows: 183 IGMPv3 records per
 * packet (1500 - 24 - 8 bytes, 8 each), 72 MLDv2 ones (1500 - 56, 20
 * each), sent at once, then each sent once more (RV 2) within the
 * Unsolicited Report Interval (1 s); nothing after. The proxy's leaves
 * when it goes (mcast_proxy_flush_all) are as packed, both copies at
 * once.
 */
static void packed_case(enum mcast_family f, unsigned n, unsigned per)
{
	mcast_wheel_init(&W, 0);
	memset(&up, 0, sizeof(up));
	/* (without groups_ahead, unlike setup(): the changes' own loads) */
	struct mcast_router_env renv = { .al = &mcast_alloc_libc, .wheel = &W, .send = nosend,
					 .fwd_change = fwd, .hash_seed = 3 };
	R = mcast_router_create(&renv, f);
	struct mcast_router_config c;
	mcast_router_config_default(&c, f);
	struct mcast_addr da = A(f == MCAST_AF_INET ? "10.0.1.1" : "fe80::1"), ua = A(f == MCAST_AF_INET ? "10.0.0.2" : "fe80::2");
	assert_int_equal(mcast_router_iface_add(R, 1, "lan1", &da, 1500, &c), 0);
	struct mcast_proxy_env env = { .al = &mcast_alloc_libc, .wheel = &W, .send = packed_send, .seed = 1, .hash_seed = 3 };
	PX = mcast_proxy_create(&env, f, R);
	assert_non_null(PX);
	assert_int_equal(mcast_proxy_downstream_add(PX, 1, 1), 0);
	struct mcast_host_iface_config hc;
	mcast_host_iface_config_default(&hc);
	assert_int_equal(mcast_proxy_upstream_add(PX, 1, 3, "wan", &ua, &hc), 0);
	/* one downstream report with n records (a jumbo frame for 500) */
	static struct mcast_addr groups[600];
	for (unsigned i = 0; i < n; i++)
		groups[i] = nth_group(f, i);
	struct mcast_report_builder rb;
	static uint8_t buf[65536];
	static struct big p;
	memset(&p, 0, sizeof(p));
	struct mcast_addr h = A(f == MCAST_AF_INET ? "10.0.1.10" : "fe80::10");
	assert_int_equal(mcast_report_init(&rb, f, &h, NULL, 65000, buf, sizeof(buf), big_emit, &p), 0);
	for (unsigned i = 0; i < n; i++)
		assert_int_equal(mcast_report_add(&rb, MCAST_MODE_IS_EXCLUDE, &groups[i], NULL, 0, NULL, 0), 0);
	mcast_report_flush(&rb);
	assert_int_equal(p.n, 1);
	mcast_router_input(R, 1, p.data, p.len);
	mcast_wheel_advance(&W, W.now_ms);
	unsigned npk = (n + per - 1) / per;
	char a[MCAST_ADDR_STRLEN], b[MCAST_ADDR_STRLEN], want[64];
	assert_int_equal(up.pkts, npk); /* at once: the first copy */
	for (unsigned k = 0; k < npk; k++) {
		unsigned first = k * per, last = first + per < n ? first + per - 1 : n - 1;
		struct mcast_addr g0 = nth_group(f, first), g1 = nth_group(f, last);
		snprintf(want, sizeof(want), "TO_EX %s..%s", mcast_addr_str(&g0, a), mcast_addr_str(&g1, b));
		assert_string_equal(up.seq[k], want);
		assert_int_equal(up.recs[k], last - first + 1);
	}
	mcast_wheel_advance(&W, 1000);
	assert_int_equal(up.pkts, 2 * npk); /* the retransmission, within 1 s */
	for (unsigned k = 0; k < npk; k++) {
		assert_string_equal(up.seq[npk + k], up.seq[k]);
		assert_true(up.at[npk + k] >= 1 && up.at[npk + k] <= 1000);
	}
	mcast_wheel_advance(&W, 20000);
	assert_int_equal(up.pkts, 2 * npk); /* and nothing more */
	/* the proxy goes: every group's leave, packed, both copies at once */
	assert_int_equal(mcast_proxy_downstream_del(PX, 1), 0);
	mcast_proxy_flush_all(PX);
	assert_int_equal(up.pkts, 4 * npk);
	for (unsigned k = 0; k < npk; k++) {
		unsigned first = k * per, last = first + per < n ? first + per - 1 : n - 1;
		struct mcast_addr g0 = nth_group(f, first), g1 = nth_group(f, last);
		snprintf(want, sizeof(want), "TO_IN %s..%s", mcast_addr_str(&g0, a), mcast_addr_str(&g1, b));
		assert_string_equal(up.seq[2 * npk + k], want);
		assert_string_equal(up.seq[3 * npk + k], want);
		assert_int_equal(up.at[3 * npk + k], 20000);
	}
	mcast_proxy_destroy(PX);
	PX = NULL;
	mcast_router_destroy(R);
}

static void test_packed_reports(void **state)
{
	(void)state;
	static const unsigned sizes[] = { 1, 20, 500 };
	for (size_t i = 0; i < 3; i++) {
		packed_case(MCAST_AF_INET, sizes[i], 183);
		packed_case(MCAST_AF_INET6, sizes[i], 72);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_one_downstream),
		cmocka_unit_test(test_freed_group_not_read),
		cmocka_unit_test(test_include_merge),
		cmocka_unit_test(test_invalid_sources),
		cmocka_unit_test(test_exclude_merge),
		cmocka_unit_test(test_upstream_flap),
		cmocka_unit_test(test_downstream_comes_back),
		cmocka_unit_test(test_provider_version),
		cmocka_unit_test(test_packed_reports),
		cmocka_unit_test(test_provider_qrv),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
