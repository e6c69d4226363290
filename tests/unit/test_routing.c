/* Unit tests for src/routing/routing.c: the router engine, the routing
 * table and the routing logic together on a virtual clock: host reports
 * in, data packets in, copies out where membership says, updated when
 * membership changes, idle entries removed, static routes. */
#include "mcast/routing.h"
#include "mrutil.h"

static struct mcast_routing *RT;
static struct mcast_wheel W;
static struct mcast_router *R;
static struct mcast_mr_table *T;
static unsigned sent_if[64], nsent;

static void fwd_trampoline(void *ctx, unsigned ifindex, const struct mcast_addr *g,
			   const struct mcast_addr *s, enum mcast_fwd old, enum mcast_fwd now)
{
	(void)ctx;
	if (RT)
		mcast_routing_fwd_change(RT, ifindex, g, s, old, now);
}

static void querier_trampoline(void *ctx, unsigned ifindex, bool on)
{
	(void)ctx;
	(void)ifindex;
	(void)on;
	if (RT)
		mcast_routing_refresh(RT);
}

static void xmit(void *ctx, unsigned ifindex, const uint8_t *pkt, size_t len)
{
	(void)ctx;
	(void)pkt;
	(void)len;
	if (nsent < 64)
		sent_if[nsent++] = ifindex;
}

static void nosend(void *ctx, unsigned ifindex, const uint8_t *pkt, size_t len)
{
	(void)ctx;
	(void)ifindex;
	(void)pkt;
	(void)len;
}

static void report(unsigned ifindex, const char *host, const char *group, uint8_t type, const char *src)
{
	struct mcast_report_builder rb;
	static uint8_t buf[1500];
	struct pkts p = { 0 };
	struct mcast_addr h = A(host), g = A(group), s;
	size_t n = 0;
	if (src) {
		s = A(src);
		n = 1;
	}
	assert_int_equal(mcast_report_init(&rb, MCAST_AF_INET, &h, NULL, 1500, buf, sizeof(buf), pkts_emit, &p), 0);
	mcast_report_add(&rb, type, &g, &s, n, NULL, 0);
	mcast_report_flush(&rb);
	mcast_router_input(R, ifindex, p.data[0], p.len[0]);
}

/* The interfaces a packet from s to g arriving on ifindex went out of. */
static const char *data(unsigned ifindex, const char *s, const char *g)
{
	static char out[64];
	uint8_t b[256];
	size_t n = udp_pkt(b, s, g, 64, 20);
	nsent = 0;
	mcast_mr_input(T, ifindex, b, n);
	int k = snprintf(out, sizeof(out), "[");
	for (unsigned i = 0; i < nsent; i++)
		k += snprintf(out + k, sizeof(out) - (size_t)k, "%s%u", i ? " " : "", sent_if[i]);
	snprintf(out + k, sizeof(out) - (size_t)k, "]");
	return out;
}

/* n interfaces 1..n (10.0.N.1), a table of max_vifs VIFs. */
static void setup_with(unsigned n, uint16_t max_vifs, bool on_demand)
{
	mcast_wheel_init(&W, 0);
	struct mcast_router_env renv = { .al = &mcast_alloc_libc, .wheel = &W, .send = nosend,
					 .fwd_change = fwd_trampoline,
					 .querier_change = querier_trampoline, .hash_seed = 5 };
	R = mcast_router_create(&renv, MCAST_AF_INET);
	struct mcast_router_config c;
	mcast_router_config_default(&c, MCAST_AF_INET);
	for (unsigned i = 1; i <= n; i++) {
		char t[32];
		snprintf(t, sizeof(t), "10.0.%u.1", i);
		struct mcast_addr a = A(t);
		assert_int_equal(mcast_router_iface_add(R, i, "x", &a, 1500, &c), 0);
	}
	struct mcast_mr_env menv = { .al = &mcast_alloc_libc, .wheel = &W, .xmit = xmit, .hash_seed = 5 };
	struct mcast_mr_config mc;
	mcast_mr_config_default(&mc);
	mc.max_vifs = max_vifs;
	T = mcast_mr_create(&menv, &mc, MCAST_AF_INET, 253);
	struct mcast_routing_env env = { .al = &mcast_alloc_libc, .wheel = &W, .hash_seed = 5 };
	struct mcast_routing_config rc;
	mcast_routing_config_default(&rc);
	rc.vifs_on_demand = on_demand;
	RT = mcast_routing_create(&env, &rc, T, R);
	assert_non_null(RT);
	for (unsigned i = 1; i <= n; i++) {
		char name[16];
		snprintf(name, sizeof(name), "lan%u", i);
		assert_int_equal(mcast_routing_iface_add(RT, i, name, 1), 0);
	}
}

static void setup(void)
{
	setup_with(3, 32, false);
}

static void teardown(void)
{
	mcast_routing_destroy(RT);
	RT = NULL;
	assert_false(mcast_mr_owned(T));
	assert_int_equal(mcast_mr_mfc_count(T), 0);
	mcast_mr_destroy(T);
	mcast_router_destroy(R);
}

static void test_membership_drives_forwarding(void **state)
{
	(void)state;
	setup();
	/* A member on lan1; traffic from upstream reaches it, and only it. */
	report(1, "10.0.1.10", "239.1.1.1", MCAST_MODE_IS_EXCLUDE, NULL);
	assert_string_equal(data(3, "10.0.3.5", "239.1.1.1"), "[1]"); /* the held packet, released */
	assert_string_equal(data(3, "10.0.3.5", "239.1.1.1"), "[1]");
	assert_int_equal(mcast_routing_stats(RT)->nocache, 1);
	/* A member appears on lan2: the entry changes now, not at a miss. */
	report(2, "10.0.2.10", "239.1.1.1", MCAST_MODE_IS_EXCLUDE, NULL);
	assert_int_equal(mcast_routing_stats(RT)->updated, 1);
	assert_string_equal(data(3, "10.0.3.5", "239.1.1.1"), "[1 2]");
	/* A source nobody wants: an entry without outputs, one upcall only. */
	assert_string_equal(data(3, "10.0.3.6", "239.7.7.7"), "[]");
	assert_string_equal(data(3, "10.0.3.6", "239.7.7.7"), "[]");
	assert_int_equal(mcast_routing_stats(RT)->nocache, 2);
	/* lan1 leaves: after the Last Member Query Time only lan2 gets it. */
	report(1, "10.0.1.10", "239.1.1.1", MCAST_CHANGE_TO_INCLUDE, NULL);
	assert_string_equal(data(3, "10.0.3.5", "239.1.1.1"), "[1 2]");
	mcast_wheel_advance(&W, 2000);
	assert_string_equal(data(3, "10.0.3.5", "239.1.1.1"), "[2]");
	/* Never back to where it came from: a sender on lan2. */
	assert_string_equal(data(2, "10.0.2.7", "239.1.1.1"), "[]");
	teardown();
}

static void test_ssm_include(void **state)
{
	(void)state;
	setup();
	report(1, "10.0.1.10", "232.1.1.1", MCAST_ALLOW_NEW_SOURCES, "10.0.3.5");
	assert_string_equal(data(3, "10.0.3.5", "232.1.1.1"), "[1]");
	assert_string_equal(data(3, "10.0.3.6", "232.1.1.1"), "[]"); /* not the source asked for */
	teardown();
}

static void test_idle_and_interfaces(void **state)
{
	(void)state;
	setup();
	report(1, "10.0.1.10", "239.1.1.1", MCAST_MODE_IS_EXCLUDE, NULL);
	data(3, "10.0.3.5", "239.1.1.1");
	data(3, "10.0.3.6", "239.1.1.1");
	assert_int_equal(mcast_mr_mfc_count(T), 2);
	/* 10.0.3.6 stops; 10.0.3.5 keeps sending; after 210 s idle, 3.6 goes. */
	for (mcast_time_ms t = 10000; t <= 230000; t += 10000) {
		mcast_wheel_advance(&W, t);
		data(3, "10.0.3.5", "239.1.1.1");
		report(1, "10.0.1.10", "239.1.1.1", MCAST_MODE_IS_EXCLUDE, NULL);
	}
	assert_int_equal(mcast_mr_mfc_count(T), 1);
	assert_int_equal(mcast_routing_stats(RT)->removed, 1);
	/* The upstream interface goes: its entries go too. */
	assert_int_equal(mcast_routing_iface_del(RT, 3), 0);
	assert_int_equal(mcast_mr_mfc_count(T), 0);
	assert_int_equal(mcast_routing_iface_del(RT, 3), -ENODEV);
	teardown();
}

static void test_static_routes(void **state)
{
	(void)state;
	setup();
	struct mcast_addr any = A("0.0.0.0"), g = A("239.9.9.9"), s = A("10.0.3.8"), g2 = A("239.9.9.8");
	unsigned out[] = { 2, 1 };
	assert_int_equal(mcast_routing_static_add(RT, 3, &any, &g, out, 1), 0);
	assert_int_equal(mcast_routing_static_add(RT, 3, &s, &g2, out, 2), 0);
	assert_string_equal(data(3, "10.0.3.99", "239.9.9.9"), "[2]");
	assert_string_equal(data(3, "10.0.3.8", "239.9.9.8"), "[1 2]");
	assert_int_equal(mcast_routing_stats(RT)->nocache, 0);
	unsigned bad[] = { 9 };
	assert_int_equal(mcast_routing_static_add(RT, 3, &any, &g, bad, 1), -ENODEV);
	assert_int_equal(mcast_routing_static_del(RT, &any, &g), 0);
	assert_int_equal(mcast_routing_static_del(RT, &any, &g), -ENOENT);
	assert_string_equal(data(3, "10.0.3.99", "239.9.9.9"), "[]"); /* a miss now, no member */
	teardown();
}

/* Static groups: the interface gets the group (or one source of it) as
 * if a listener were there; the group's existing entries change at once. */
static void test_static_groups(void **state)
{
	(void)state;
	setup();
	struct mcast_addr any = A("0.0.0.0"), g = A("239.7.7.7"), s = A("10.0.3.8");
	assert_string_equal(data(3, "10.0.3.8", "239.7.7.7"), "[]"); /* an entry, no output yet */
	assert_int_equal(mcast_routing_static_group(RT, 1, &g, &any, true), 0);
	assert_string_equal(data(3, "10.0.3.8", "239.7.7.7"), "[1]"); /* the entry changed at once */
	assert_int_equal(mcast_routing_static_group(RT, 2, &g, &s, true), 0);
	assert_string_equal(data(3, "10.0.3.8", "239.7.7.7"), "[1 2]");
	assert_string_equal(data(3, "10.0.3.9", "239.7.7.7"), "[1]"); /* lan2 has 10.0.3.8 only */
	assert_int_equal(mcast_routing_static_group(RT, 1, &g, &any, true), -EEXIST);
	assert_int_equal(mcast_routing_static_group(RT, 9, &g, &any, true), -ENODEV);
	assert_int_equal(mcast_routing_static_group(RT, 1, &s, &any, true), -EINVAL);
	assert_int_equal(mcast_routing_static_group(RT, 1, &g, &any, false), 0);
	assert_int_equal(mcast_routing_static_group(RT, 1, &g, &any, false), -ENOENT);
	assert_string_equal(data(3, "10.0.3.8", "239.7.7.7"), "[2]");
	teardown();
}

/* The interfaces' VIFs as "1:0 2:- 3:w" (none; waiting for one). */
static const char *vifs(unsigned n)
{
	static char out[128];
	size_t k = 0;
	out[0] = 0;
	for (unsigned i = 1; i <= n; i++) {
		bool waiting;
		int v = mcast_routing_iface_vif(RT, i, &waiting);
		if (v == MCAST_MR_NO_VIF)
			k += (size_t)snprintf(out + k, sizeof(out) - k, "%s%u:%s", k ? " " : "", i, waiting ? "w" : "-");
		else
			k += (size_t)snprintf(out + k, sizeof(out) - k, "%s%u:%d", k ? " " : "", i, v);
	}
	return out;
}

/* VIFs on demand: 5 interfaces, 3 VIFs. An interface holds one while it
 * has a member, a static group or route, an entry coming in on it, or is
 * pinned; the fourth that needs one waits, and gets the first that frees;
 * entries are rewritten with the VIFs of now. */
static void test_vifs_on_demand(void **state)
{
	(void)state;
	setup_with(5, 3, true);
	assert_string_equal(vifs(5), "1:- 2:- 3:- 4:- 5:-");
	assert_int_equal(mcast_routing_iface_pin(RT, 5, true), 0); /* the input: senders are seen through a VIF */
	assert_int_equal(mcast_routing_iface_pin(RT, 9, true), -ENODEV);
	assert_string_equal(vifs(5), "1:- 2:- 3:- 4:- 5:0");
	report(1, "10.0.1.10", "239.1.1.1", MCAST_MODE_IS_EXCLUDE, NULL);
	report(2, "10.0.2.10", "239.1.1.1", MCAST_MODE_IS_EXCLUDE, NULL);
	assert_string_equal(vifs(5), "1:1 2:2 3:- 4:- 5:0");
	data(5, "10.0.5.5", "239.1.1.1"); /* the miss, the entry */
	assert_string_equal(data(5, "10.0.5.5", "239.1.1.1"), "[1 2]");
	/* a member on lan3: no VIF free; it waits, counted once */
	report(3, "10.0.3.10", "239.1.1.1", MCAST_MODE_IS_EXCLUDE, NULL);
	report(3, "10.0.3.10", "239.1.1.1", MCAST_MODE_IS_EXCLUDE, NULL);
	assert_string_equal(vifs(5), "1:1 2:2 3:w 4:- 5:0");
	assert_int_equal(mcast_routing_stats(RT)->vif_waits, 1);
	assert_string_equal(data(5, "10.0.5.5", "239.1.1.1"), "[1 2]");
	/* lan1's member leaves: its VIF goes to lan3, the entry follows */
	report(1, "10.0.1.10", "239.1.1.1", MCAST_CHANGE_TO_INCLUDE, NULL);
	mcast_wheel_advance(&W, W.now_ms + 5000); /* the last member queries go unanswered */
	assert_string_equal(vifs(5), "1:- 2:2 3:1 4:- 5:0");
	assert_int_equal(mcast_routing_stats(RT)->vifs_released, 1);
	assert_string_equal(data(5, "10.0.5.5", "239.1.1.1"), "[3 2]");
	/* a static group waits like a member, and takes the VIF lan2 frees */
	struct mcast_addr any = A("0.0.0.0"), g = A("239.1.1.1");
	assert_int_equal(mcast_routing_static_group(RT, 4, &g, &any, true), 0);
	assert_string_equal(vifs(5), "1:- 2:2 3:1 4:w 5:0");
	report(2, "10.0.2.10", "239.1.1.1", MCAST_CHANGE_TO_INCLUDE, NULL);
	mcast_wheel_advance(&W, W.now_ms + 5000);
	assert_string_equal(vifs(5), "1:- 2:- 3:1 4:2 5:0");
	assert_string_equal(data(5, "10.0.5.5", "239.1.1.1"), "[3 4]");
	/* the static group goes: lan4 is idle again */
	assert_int_equal(mcast_routing_static_group(RT, 4, &g, &any, false), 0);
	assert_string_equal(vifs(5), "1:- 2:- 3:1 4:- 5:0");
	assert_string_equal(data(5, "10.0.5.5", "239.1.1.1"), "[3]");
	/* a static route's interfaces take VIFs; its input waits when none
	 * is free and the route is installed once it has one */
	report(1, "10.0.1.10", "239.1.1.1", MCAST_MODE_IS_EXCLUDE, NULL);
	assert_string_equal(vifs(5), "1:2 2:- 3:1 4:- 5:0");
	struct mcast_addr s = A("10.0.4.7"), g2 = A("239.2.2.2");
	unsigned out[1] = { 3 };
	assert_int_equal(mcast_routing_static_add(RT, 4, &s, &g2, out, 1), 0);
	assert_string_equal(vifs(5), "1:2 2:- 3:1 4:w 5:0");
	assert_int_equal(mcast_mr_mfc_get(T, &s, &g2, NULL, NULL, NULL, 0, NULL), -ENOENT);
	assert_int_equal(mcast_routing_iface_pin(RT, 5, false), 0); /* lan5 feeds the entry: it keeps its VIF */
	assert_string_equal(vifs(5), "1:2 2:- 3:1 4:w 5:0");
	report(1, "10.0.1.10", "239.1.1.1", MCAST_CHANGE_TO_INCLUDE, NULL);
	mcast_wheel_advance(&W, W.now_ms + 5000);
	assert_string_equal(vifs(5), "1:- 2:- 3:1 4:2 5:0");
	assert_string_equal(data(4, "10.0.4.7", "239.2.2.2"), "[3]");
	teardown();
}

/* explain's verdict per interface, as "1:members+ 2:no listener 3:input"
 * (+: in the entry now). */
static const char *explain(const char *src, const char *grp)
{
	static char out[256];
	struct mcast_explain e;
	struct mcast_explain_iface ifs[8];
	struct mcast_addr s = A(src), g = A(grp);
	assert_int_equal(mcast_routing_explain(RT, &s, &g, &e, ifs, 8), 0);
	size_t k = 0;
	out[0] = '\0';
	for (size_t i = 0; i < e.n && i < 8; i++)
		k += (size_t)snprintf(out + k, sizeof(out) - k, "%s%u:%s%s", i ? " " : "", ifs[i].ifindex,
				      mcast_why_name(ifs[i].why), ifs[i].forwarded ? "+" : "");
	return out;
}

static void lines(void *ctx, const char *line)
{
	char *o = ctx;
	size_t l = strlen(o);
	snprintf(o + l, 2048 - l, "%s", line);
}

/* explain gives, per interface, the decision the entries are made of. */
static void test_explain(void **state)
{
	(void)state;
	setup();
	/* no packet yet: input unknown, every interface judged */
	assert_string_equal(explain("10.0.3.5", "239.1.1.1"), "1:no listener 2:no listener 3:no listener");
	report(1, "10.0.1.10", "239.1.1.1", MCAST_MODE_IS_EXCLUDE, NULL);
	report(2, "10.0.2.10", "239.1.1.1", MCAST_MODE_IS_EXCLUDE, "10.0.3.5"); /* EXCLUDE {10.0.3.5} */
	assert_string_equal(explain("10.0.3.5", "239.1.1.1"), "1:members 2:source not wanted 3:no listener");
	data(3, "10.0.3.5", "239.1.1.1"); /* the entry: input lan3 */
	assert_string_equal(explain("10.0.3.5", "239.1.1.1"), "1:members+ 2:source not wanted 3:input");
	assert_string_equal(explain("10.0.3.6", "239.1.1.1"), "1:members 2:members 3:no listener");
	/* in words */
	char text[2048] = "";
	struct mcast_explain e;
	struct mcast_explain_iface ifs[8];
	struct mcast_addr s = A("10.0.3.5"), g = A("239.1.1.1");
	assert_int_equal(mcast_routing_explain(RT, &s, &g, &e, ifs, 8), 0);
	mcast_routing_explain_text(&e, ifs, &s, &g, NULL, lines, text);
	assert_non_null(strstr(text, "(10.0.3.5, 239.1.1.1): an entry in the table, input lan3 (packets arrived there"));
	assert_non_null(strstr(text, "forwarded: members; EXCLUDE mode, group timer 260.0s, source not excluded, compatibility v3"));
	assert_non_null(strstr(text, "not forwarded: source not wanted; EXCLUDE mode, group timer 260.0s, source excluded"));
	/* a static route: its outputs, its input */
	unsigned out[1] = { 2 };
	struct mcast_addr s7 = A("10.0.1.7"), g7 = A("239.7.7.7");
	assert_int_equal(mcast_routing_static_add(RT, 1, &s7, &g7, out, 1), 0);
	assert_string_equal(explain("10.0.1.7", "239.7.7.7"), "1:input 2:static route+ 3:no listener");
	/* a static group */
	struct mcast_addr any = A("0.0.0.0");
	assert_int_equal(mcast_routing_static_group(RT, 3, &g7, &any, true), 0);
	assert_string_equal(explain("10.0.1.7", "239.7.7.7"), "1:input 2:static route+ 3:static group");
	assert_int_equal(mcast_routing_static_group(RT, 3, &g7, &any, false), 0);
	assert_int_equal(mcast_routing_static_del(RT, &s7, &g7), 0);
	struct mcast_addr s6 = A("2001:db8::1");
	assert_int_equal(mcast_routing_explain(RT, &s6, &g, &e, ifs, 8), -EINVAL);
	teardown();
}

/* A query heard on ifindex from a lower address than ours. */
static void query_from(unsigned ifindex, const char *from)
{
	struct mcast_query_params q = { .family = MCAST_AF_INET, .version = 3, .group = A("0.0.0.0"),
					.max_resp_ms = 10000, .qrv = 2, .qqi_s = 125 };
	struct mcast_addr src = A(from);
	uint8_t buf[256];
	struct pkts p = { 0 };
	assert_int_equal(mcast_query_encode(&q, &src, NULL, 1500, buf, sizeof(buf), pkts_emit, &p), 1);
	mcast_router_input(R, ifindex, p.data[0], p.len[0]);
}

/* RFC 4605 4.2: upstream traffic to downstreams that want it; downstream
 * traffic to the upstream and to other downstreams that want it; only
 * where the proxy is the querier; never across instances. */
static void test_proxy_roles(void **state)
{
	(void)state;
	setup();
	struct mcast_router_config c;
	mcast_router_config_default(&c, MCAST_AF_INET);
	struct mcast_addr a4 = A("10.0.4.1");
	assert_int_equal(mcast_router_iface_add(R, 4, "x", &a4, 1500, &c), 0);
	assert_int_equal(mcast_routing_iface_add(RT, 4, "x", 1), 0);
	assert_int_equal(mcast_routing_iface_set_role(RT, 3, MCAST_ROUTING_UPSTREAM, 1), 0);
	assert_int_equal(mcast_routing_iface_set_role(RT, 1, MCAST_ROUTING_DOWNSTREAM, 1), 0);
	assert_int_equal(mcast_routing_iface_set_role(RT, 2, MCAST_ROUTING_DOWNSTREAM, 1), 0);
	assert_int_equal(mcast_routing_iface_set_role(RT, 2, MCAST_ROUTING_UPSTREAM, 1), -EEXIST);
	assert_int_equal(mcast_routing_iface_set_role(RT, 4, MCAST_ROUTING_ROUTER, 2), -EINVAL);
	assert_int_equal(mcast_routing_iface_set_role(RT, 9, MCAST_ROUTING_DOWNSTREAM, 1), -ENODEV);
	report(1, "10.0.1.10", "239.1.1.1", MCAST_MODE_IS_EXCLUDE, NULL);
	report(4, "10.0.4.10", "239.1.1.1", MCAST_MODE_IS_EXCLUDE, NULL); /* another domain */
	assert_string_equal(data(3, "10.0.3.5", "239.1.1.1"), "[1]");
	assert_string_equal(data(3, "10.0.3.5", "239.1.1.1"), "[1]");
	/* downstream senders: upstream always, the other downstream by membership */
	assert_string_equal(data(2, "10.0.2.7", "239.1.1.1"), "[1 3]");
	assert_string_equal(data(1, "10.0.1.7", "239.1.1.1"), "[3]");
	assert_string_equal(data(1, "10.0.1.7", "239.2.2.2"), "[3]");
	/* the router interface's sender stays in its domain */
	assert_string_equal(data(4, "10.0.4.7", "239.1.1.1"), "[]");
	/* a lower-addressed querier on lan1: it forwards there, not us */
	query_from(1, "10.0.1.0");
	assert_string_equal(data(3, "10.0.3.5", "239.1.1.1"), "[]");
	assert_string_equal(data(2, "10.0.2.7", "239.1.1.1"), "[3]");
	/* it goes silent: after the Other Querier Present Interval we are back */
	mcast_wheel_advance(&W, 256000);
	report(1, "10.0.1.10", "239.1.1.1", MCAST_MODE_IS_EXCLUDE, NULL);
	assert_string_equal(data(3, "10.0.3.5", "239.1.1.1"), "[1]");
	/* back to a plain router: everything forwards by membership again */
	for (unsigned i = 1; i <= 3; i++)
		assert_int_equal(mcast_routing_iface_set_role(RT, i, MCAST_ROUTING_ROUTER, 0), 0);
	assert_int_equal(mcast_routing_iface_set_role(RT, 4, MCAST_ROUTING_ROUTER, 0), 0);
	report(4, "10.0.4.10", "239.1.1.1", MCAST_MODE_IS_EXCLUDE, NULL);
	assert_string_equal(data(3, "10.0.3.5", "239.1.1.1"), "[1 4]");
	teardown();
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_membership_drives_forwarding),
		cmocka_unit_test(test_ssm_include),
		cmocka_unit_test(test_idle_and_interfaces),
		cmocka_unit_test(test_static_routes),
		cmocka_unit_test(test_static_groups),
		cmocka_unit_test(test_proxy_roles),
		cmocka_unit_test(test_vifs_on_demand),
		cmocka_unit_test(test_explain),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
