/* Unit tests for src/router/iface.c: querier election with two and
 * three routers and takeover, startup queries, adoption of the
 * querier's QRV and QQIC, interface versions, input validation. */
#include "rtutil.h"
#include "router/rt.h"

static unsigned count_general(struct rtfx *f, unsigned from)
{
	unsigned n = 0;
	static struct msgbuf mb;
	for (unsigned k = 0; k < f->npkt; k++) {
		struct mcast_msg *m = msgbuf_init(&mb);
		if (f->pkt[k].from == from &&
		    mcast_msg_decode_packet(m, f->pkt[k].data, f->pkt[k].len, NULL, NULL) == MCAST_DROP_NONE &&
		    m->kind == MCAST_MSG_QUERY && mcast_addr_is_unspecified(&m->group))
			n++;
	}
	return n;
}

static bool is_querier(struct rtfx *f, unsigned i)
{
	struct mcast_router_iface_info ii;
	assert_int_equal(mcast_router_iface_info(f->r[i], 1, &ii), 0);
	return ii.querier;
}

/* Startup: SQC (2) general queries SQI (31.25 s) apart, then every QI. */
static void test_startup_and_periodic(void **state)
{
	(void)state;
	struct rtfx *f = rtfx_new(MCAST_AF_INET, 1, NULL);
	assert_int_equal(count_general(f, 0), 1);
	f->npkt = 0;
	mcast_wheel_advance(&f->wheel, 31249);
	assert_int_equal(f->npkt, 0);
	mcast_wheel_advance(&f->wheel, 31250);
	assert_int_equal(count_general(f, 0), 1);
	f->npkt = 0;
	mcast_wheel_advance(&f->wheel, 31250 + 124999);
	assert_int_equal(f->npkt, 0);
	mcast_wheel_advance(&f->wheel, 31250 + 125000);
	assert_int_equal(count_general(f, 0), 1);
	/* The query: version 3, max resp 10 s, QRV 2, QQIC 125, to 224.0.0.1. */
	static struct msgbuf mb;
	struct mcast_msg *m = msgbuf_init(&mb);
	struct mcast_ip_info ip;
	assert_int_equal(mcast_msg_decode_packet(m, f->pkt[0].data, f->pkt[0].len, NULL, &ip), MCAST_DROP_NONE);
	assert_int_equal(m->version, 3);
	assert_int_equal(m->max_resp_ms, 10000);
	assert_int_equal(m->qrv, 2);
	assert_int_equal(m->qqi_s, 125);
	assert_addr_equal(&ip.dst, "224.0.0.1");
	assert_addr_equal(&ip.src, "10.0.0.1");
	rtfx_free(f);
}

/* Two and three routers on one link: the lowest address is querier,
 * the others fall silent; when it goes, the next lowest takes over
 * after the Other Querier Present Interval (255 s). */
static void test_election(void **state)
{
	(void)state;
	for (unsigned n = 2; n <= 3; n++) {
		for (int fam = 0; fam < 2; fam++) {
			struct rtfx *f = rtfx_new(fam ? MCAST_AF_INET6 : MCAST_AF_INET, n, NULL);
			rtfx_deliver(f); /* everyone hears everyone's startup query */
			assert_true(is_querier(f, 0));
			for (unsigned i = 1; i < n; i++) {
				assert_false(is_querier(f, i));
				struct mcast_router_iface_info ii;
				mcast_router_iface_info(f->r[i], 1, &ii);
				assert_addr_equal(&ii.querier_addr, fam ? "fe80::1" : "10.0.0.1");
				assert_int_equal(ii.other_querier_ms, 255000);
			}
			/* Over ten minutes only router 0 sends general queries. */
			unsigned sent[3] = { 0 };
			for (mcast_time_ms t = 1000; t <= 600000; t += 1000) {
				mcast_wheel_advance(&f->wheel, t);
				for (unsigned i = 0; i < n; i++)
					sent[i] += count_general(f, i);
				rtfx_deliver(f);
			}
			assert_int_equal(sent[0], 5); /* at 31.25 s, then every 125 s: 5 by 600 s */
			for (unsigned i = 1; i < n; i++)
				assert_int_equal(sent[i], 0);
			/* Router 0 goes silent: 1 takes over 255 s after the last query. */
			mcast_router_destroy(f->r[0]);
			f->r[0] = mcast_router_create(&f->env[0], f->fam); /* no interface: silent */
			/* The last query went at 531.25 s; the loop delivered it at 532 s. */
			mcast_time_ms last = 532000;
			mcast_wheel_advance(&f->wheel, last + 255000 - 1);
			assert_false(is_querier(f, 1));
			f->npkt = 0;
			mcast_wheel_advance(&f->wheel, last + 255000);
			assert_true(is_querier(f, 1));
			assert_int_equal(count_general(f, 1), 1);
			rtfx_deliver(f);
			if (n == 3)
				assert_false(is_querier(f, 2));
			rtfx_free(f);
		}
	}
}

/* A non-querier adopts the querier's QRV and QQIC (RFC 3376 4.1.6-7),
 * and a higher address's query does not unseat the querier. */
static void test_adopt_and_higher(void **state)
{
	(void)state;
	struct rtfx *f = rtfx_new(MCAST_AF_INET, 1, NULL);
	f->npkt = 0;
	struct mcast_addr from = A("10.0.0.9");
	struct mcast_query_params q = { .family = MCAST_AF_INET, .version = 3, .group = mcast_addr_any4,
					.max_resp_ms = 10000, .qrv = 3, .qqi_s = 60 };
	static uint8_t buf[1600];
	struct pkts p = { 0 };
	mcast_query_encode(&q, &from, NULL, 1500, buf, sizeof(buf), pkts_emit, &p);
	host_pkt(f, p.data[0], p.len[0]);
	assert_true(is_querier(f, 0)); /* 10.0.0.9 > 10.0.0.1 */
	from = A("10.0.0.0");
	memset(&p, 0, sizeof(p));
	mcast_query_encode(&q, &from, NULL, 1500, buf, sizeof(buf), pkts_emit, &p);
	host_pkt(f, p.data[0], p.len[0]);
	struct mcast_router_iface_info ii;
	mcast_router_iface_info(f->r[0], 1, &ii);
	assert_false(ii.querier);
	assert_int_equal(ii.robustness, 3);
	assert_int_equal(ii.query_interval_ms, 60000);
	assert_int_equal(ii.other_querier_ms, 3 * 60000 + 5000); /* with the adopted values */
	assert_int_equal(ii.stats->querier_changes, 1);
	/* Group timers use the adopted values: GMI = 3*60 s + 10 s. */
	host_rec(f, "10.0.0.10", "239.1.1.1", MCAST_MODE_IS_EXCLUDE, "");
	assert_string_equal(rt_state(f, 0, "239.1.1.1"), "EXCLUDE gt=190000");
	/* A non-querier sends no specific queries. */
	f->npkt = 0;
	host_rec(f, "10.0.0.10", "239.1.1.1", MCAST_CHANGE_TO_INCLUDE, "");
	assert_int_equal(f->npkt, 0);
	/* A querier's group query (S clear) lowers our group timer (6.6.1). */
	q.group = A("239.1.1.1");
	q.max_resp_ms = 1000;
	memset(&p, 0, sizeof(p));
	mcast_query_encode(&q, &from, NULL, 1500, buf, sizeof(buf), pkts_emit, &p);
	host_pkt(f, p.data[0], p.len[0]);
	/* LMQT = LMQI * LMQC, LMQC being the adopted robustness (3). */
	assert_string_equal(rt_state(f, 0, "239.1.1.1"), "EXCLUDE gt=3000");
	rtfx_free(f);
}

/* Interface versions: a v2 router queries in v2 and ignores v3 reports;
 * an MLDv1 router likewise; v1 ignores leaves. */
static void test_versions(void **state)
{
	(void)state;
	struct mcast_router_config c;
	mcast_router_config_default(&c, MCAST_AF_INET);
	c.version = 2;
	struct rtfx *f = rtfx_new(MCAST_AF_INET, 1, &c);
	static struct msgbuf mb;
	struct mcast_msg *m = msgbuf_init(&mb);
	assert_int_equal(mcast_msg_decode_packet(m, f->pkt[0].data, f->pkt[0].len, NULL, NULL), MCAST_DROP_NONE);
	assert_int_equal(m->version, 2);
	f->npkt = 0;
	host_rec(f, "10.0.0.10", "239.1.1.1", MCAST_MODE_IS_EXCLUDE, "");
	assert_string_equal(rt_state(f, 0, "239.1.1.1"), "none");
	host_old(f, "10.0.0.10", "239.1.1.1", MCAST_MSG_REPORT, 2);
	assert_string_equal(rt_state(f, 0, "239.1.1.1"), "EXCLUDE gt=260000");
	host_old(f, "10.0.0.10", "239.1.1.1", MCAST_MSG_LEAVE, 2);
	assert_string_equal(rt_queries(f), "Q(G) S=0");
	struct mcast_router_iface_info ii;
	mcast_router_iface_info(f->r[0], 1, &ii);
	assert_int_equal(ii.stats->version_ignored, 1);
	rtfx_free(f);

	mcast_router_config_default(&c, MCAST_AF_INET6);
	c.version = 1;
	f = rtfx_new(MCAST_AF_INET6, 1, &c);
	m = msgbuf_init(&mb);
	assert_int_equal(mcast_msg_decode_packet(m, f->pkt[0].data, f->pkt[0].len, NULL, NULL), MCAST_DROP_NONE);
	assert_string_equal(mcast_msg_name(m), "MLDv1 query");
	rtfx_free(f);

	mcast_router_config_default(&c, MCAST_AF_INET);
	c.version = 1;
	f = rtfx_new(MCAST_AF_INET, 1, &c);
	host_old(f, "10.0.0.10", "239.1.1.1", MCAST_MSG_REPORT, 1);
	f->npkt = 0;
	host_old(f, "10.0.0.10", "239.1.1.1", MCAST_MSG_LEAVE, 2);
	assert_int_equal(f->npkt, 0);
	assert_string_equal(rt_state(f, 0, "239.1.1.1"), "EXCLUDE gt=260000");
	rtfx_free(f);
}

/* Bad input is counted by reason and changes nothing. */
static void test_bad_input(void **state)
{
	(void)state;
	struct rtfx *f = rtfx_new(MCAST_AF_INET, 1, NULL);
	uint8_t b[128];
	struct mcast_addr h = A("10.0.0.10"), g = A("239.1.1.1");
	int n = mcast_v1v2_encode(MCAST_AF_INET, MCAST_MSG_REPORT, 2, &g, 0, &h, NULL, b, sizeof(b));
	b[8] = 2; /* TTL 2 */
	mcast_ip_finish(b, (size_t)n);
	mcast_router_input(f->r[0], 1, b, (size_t)n);
	b[8] = 1;
	mcast_ip_finish(b, (size_t)n);
	b[29] ^= 0xff; /* now the IGMP checksum is wrong */
	mcast_router_input(f->r[0], 1, b, (size_t)n);
	mcast_router_input(f->r[0], 1, b, 10); /* truncated */
	/* A report to a unicast address that is not ours. */
	struct mcast_addr other = A("10.0.0.99");
	n = mcast_v1v2_encode(MCAST_AF_INET, MCAST_MSG_REPORT, 2, &g, 0, &h, &other, b, sizeof(b));
	mcast_router_input(f->r[0], 1, b, (size_t)n);
	mcast_router_input(f->r[0], 99, b, (size_t)n); /* no such interface: ignored */
	assert_string_equal(rt_state(f, 0, "239.1.1.1"), "none");
	struct mcast_router_iface_info ii;
	mcast_router_iface_info(f->r[0], 1, &ii);
	assert_int_equal(ii.stats->drop.count[MCAST_DROP_BAD_TTL], 1);
	assert_int_equal(ii.stats->drop.count[MCAST_DROP_BAD_CHECKSUM], 1);
	assert_int_equal(ii.stats->drop.count[MCAST_DROP_TRUNCATED], 1);
	assert_int_equal(ii.stats->not_local, 1);
	assert_int_equal(ii.stats->rx_reports, 0);
	/* Interface errors. */
	struct mcast_router_config c;
	mcast_router_config_default(&c, MCAST_AF_INET);
	struct mcast_addr a6 = A("fe80::1"), a4 = A("10.0.0.7");
	assert_int_equal(mcast_router_iface_add(f->r[0], 1, "x", &a4, 1500, &c), -EEXIST);
	assert_int_equal(mcast_router_iface_add(f->r[0], 2, "x", &a6, 1500, &c), -EINVAL);
	c.version = 4;
	assert_int_equal(mcast_router_iface_add(f->r[0], 2, "x", &a4, 1500, &c), -EINVAL);
	assert_int_equal(mcast_router_iface_del(f->r[0], 7), -ENODEV);
	rtfx_free(f);
	/* MLD needs the link-local address. */
	f = rtfx_new(MCAST_AF_INET6, 1, NULL);
	mcast_router_config_default(&c, MCAST_AF_INET6);
	struct mcast_addr glob = A("2001:db8::1");
	assert_int_equal(mcast_router_iface_add(f->r[0], 2, "x", &glob, 1500, &c), -EINVAL);
	rtfx_free(f);
}

/* Removing an interface, or a lower address appearing, as a router sees them. */
static void test_iface_changes(void **state)
{
	(void)state;
	struct rtfx *f = rtfx_new(MCAST_AF_INET, 2, NULL);
	rtfx_deliver(f);
	assert_false(is_querier(f, 1));
	struct mcast_addr low = A("10.0.0.0");
	assert_int_equal(mcast_router_iface_set_addr(f->r[1], 1, &low), 0);
	assert_true(is_querier(f, 1));
	host_rec(f, "10.0.0.10", "239.1.1.1", MCAST_MODE_IS_EXCLUDE, "");
	host_rec(f, "10.0.0.10", "239.1.1.2", MCAST_MODE_IS_INCLUDE, "s1");
	f->ev[0] = '\0';
	assert_int_equal(mcast_router_iface_del(f->r[1], 1), 0);
	/* Both routers saw the reports: each reports its own changes. */
	assert_non_null(strstr(f->ev, "-*"));
	assert_non_null(strstr(f->ev, "-s1"));
	rtfx_free(f);
}

static unsigned log_lines;
static char last_log[256];
static void count_log(void *ctx, enum mcast_log_level level, unsigned cat, const char *msg)
{
	(void)ctx;
	if (cat != MCAST_D_DROPS)
		return; /* e.g. the INFO line "now the querier" */
	assert_int_equal(level, MCAST_LOG_DEBUG);
	snprintf(last_log, sizeof(last_log), "%s", msg);
	log_lines++;
}

static void nosend(void *ctx, unsigned ifindex, const uint8_t *pkt, size_t len)
{
	(void)ctx;
	(void)ifindex;
	(void)pkt;
	(void)len;
}

/* Each drop gets a debug line naming the reason, at most 10 a second. */
static void one_emit(void *ctx, const uint8_t *p, size_t n)
{
	int *len = ctx;
	*len = (int)n;
	(void)p;
}

/* One v3 report with one record into out; returns its length. */
static int report_one(enum mcast_family fam, uint8_t type, const struct mcast_addr *g,
				   const struct mcast_addr *s, size_t ns, const struct mcast_addr *h,
				   uint8_t *out, size_t cap)
{
	struct mcast_report_builder rb;
	int len = 0;
	assert_int_equal(mcast_report_init(&rb, fam, h, NULL, 1500, out, cap, one_emit, &len), 0);
	assert_int_equal(mcast_report_add(&rb, type, g, s, ns, NULL, 0), 0);
	mcast_report_flush(&rb);
	return len;
}

static void test_drop_log(void **state)
{
	(void)state;
	struct mcast_wheel w;
	mcast_wheel_init(&w, 0);
	struct mcast_log log = { count_log, NULL, MCAST_D_DROPS };
	struct mcast_router_env env = { .al = &mcast_alloc_libc, .wheel = &w, .log = &log, .send = nosend };
	struct mcast_router *r = mcast_router_create(&env, MCAST_AF_INET);
	struct mcast_router_config c;
	mcast_router_config_default(&c, MCAST_AF_INET);
	struct mcast_addr a = A("10.0.0.1"), h = A("10.0.0.10"), g = A("239.1.1.1");
	assert_int_equal(mcast_router_iface_add(r, 1, "lan", &a, 1500, &c), 0);
	uint8_t b[64];
	int n = mcast_v1v2_encode(MCAST_AF_INET, MCAST_MSG_REPORT, 2, &g, 0, &h, NULL, b, sizeof(b));
	b[8] = 5; /* TTL 5 */
	mcast_ip_finish(b, (size_t)n);
	for (int i = 0; i < 25; i++)
		mcast_router_input(r, 1, b, (size_t)n);
	assert_int_equal(log_lines, 10);
	assert_string_equal(last_log, "lan: dropped packet from 10.0.0.10: bad_ttl");
	mcast_wheel_advance(&w, 1000);
	mcast_router_input(r, 1, b, (size_t)n);
	assert_int_equal(log_lines, 11);
	struct mcast_router_iface_info ii;
	mcast_router_iface_info(r, 1, &ii);
	assert_int_equal(ii.stats->drop.count[MCAST_DROP_BAD_TTL], 26); /* every one counted */
	/* a refused source and a link-local group are logged, named */
	static uint8_t out[1600];
	struct mcast_addr bad = A("224.9.9.9"), ll = A("224.0.0.251");
	n = report_one(MCAST_AF_INET, MCAST_MODE_IS_INCLUDE, &g, &bad, 1, &h, out, sizeof(out));
	mcast_router_input(r, 1, out, (size_t)n);
	assert_string_equal(last_log, "lan: report from 10.0.0.10: source 224.9.9.9 refused");
	n = report_one(MCAST_AF_INET, MCAST_MODE_IS_EXCLUDE, &ll, NULL, 0, &h, out, sizeof(out));
	mcast_router_input(r, 1, out, (size_t)n);
	assert_string_equal(last_log, "lan: report from 10.0.0.10: link-local group 224.0.0.251 refused");
	mcast_router_destroy(r);
}

static uint64_t counter(struct rtfx *f, const char *name)
{
	struct mcast_router_iface_info ii;
	assert_int_equal(mcast_router_iface_info(f->r[0], 1, &ii), 0);
	for (size_t i = 0; i < mcast_router_stat_nfields; i++)
		if (!strcmp(mcast_router_stat_fields[i].name, name))
			return mcast_router_stat(ii.stats, &mcast_router_stat_fields[i]);
	fail_msg("no counter %s", name);
	return 0;
}

/* A v3/MLDv2 report with one record, from src to dst (NULL: the RFC's). */
static void report_to(struct rtfx *f, const char *src, const char *dst, const char *group,
		      uint8_t type, const struct mcast_addr *s, size_t n)
{
	struct mcast_report_builder rb;
	static uint8_t out[1600];
	struct mcast_addr h = A(src), g = A(group), d;
	if (dst)
		d = A(dst);
	assert_int_equal(mcast_report_init(&rb, f->fam, &h, dst ? &d : NULL, 1500, out, sizeof(out), host_emit, f), 0);
	assert_int_equal(mcast_report_add(&rb, type, &g, s, n, NULL, 0), 0);
	mcast_report_flush(&rb);
}

/*
 * The address rules (docs/wire.md, "Address rules"), IGMP: sources that
 * never send are refused one by one and the rest of the record applies;
 * groups that never leave the link get no state (and take no max-groups
 * slot); a v3 report or a leave to a unicast address is dropped.
 */
static void test_address_rules_v4(void **state)
{
	(void)state;
	struct mcast_router_config c;
	mcast_router_config_default(&c, MCAST_AF_INET);
	c.max_groups = 3;
	struct rtfx *f = rtfx_new(MCAST_AF_INET, 1, &c);
	struct mcast_addr bad[] = { A("0.0.0.0"), A("224.1.1.1"), A("127.0.0.1"), A("10.9.0.1"),
				    A("255.255.255.255"), A("240.1.2.3"), A("0.0.0.1") };
	report_to(f, "10.0.0.10", NULL, "239.1.1.1", MCAST_MODE_IS_INCLUDE, bad, 7);
	assert_string_equal(rt_state(f, 0, "239.1.1.1"), "INCLUDE 10.9.0.1=260000");
	assert_int_equal(counter(f, "invalid_source"), 6);
	/* EXCLUDE of a source that never sends is EXCLUDE of none: all */
	report_to(f, "10.0.0.10", NULL, "239.1.1.2", MCAST_CHANGE_TO_EXCLUDE, bad, 1);
	assert_string_equal(rt_state(f, 0, "239.1.1.2"), "EXCLUDE gt=260000");
	/* ALLOW of only invalid sources creates nothing */
	report_to(f, "10.0.0.10", NULL, "239.1.1.3", MCAST_ALLOW_NEW_SOURCES, bad, 3);
	assert_string_equal(rt_state(f, 0, "239.1.1.3"), "none");
	assert_int_equal(counter(f, "invalid_source"), 10);
	/* link-local groups, in v3 records, v2 and v1 reports and leaves:
	 * no state, no max-groups slot (two of three are taken) */
	report_to(f, "10.0.0.10", NULL, "224.0.0.251", MCAST_MODE_IS_EXCLUDE, NULL, 0);
	report_to(f, "10.0.0.10", NULL, "224.0.0.1", MCAST_CHANGE_TO_EXCLUDE, NULL, 0);
	host_old(f, "10.0.0.10", "224.0.0.252", MCAST_MSG_REPORT, 2);
	host_old(f, "10.0.0.10", "224.0.0.9", MCAST_MSG_REPORT, 1);
	host_old(f, "10.0.0.10", "224.0.0.251", MCAST_MSG_LEAVE, 2);
	assert_int_equal(counter(f, "local_group"), 5);
	assert_string_equal(rt_state(f, 0, "224.0.0.251"), "none");
	assert_string_equal(rt_state(f, 0, "224.0.0.252"), "none");
	assert_int_equal(counter(f, "group_limit"), 0);
	/* 224.0.1.0/24 is routed: it takes the last slot */
	host_old(f, "10.0.0.10", "224.0.1.1", MCAST_MSG_REPORT, 2);
	assert_string_equal(rt_state(f, 0, "224.0.1.1"), "EXCLUDE gt=260000");
	host_old(f, "10.0.0.10", "239.7.7.7", MCAST_MSG_REPORT, 2);
	assert_int_equal(counter(f, "group_limit"), 1);
	/* a v3 report or a leave sent to our unicast address: dropped */
	report_to(f, "10.0.0.10", "10.0.0.1", "239.1.1.9", MCAST_MODE_IS_EXCLUDE, NULL, 0);
	host_old(f, "10.0.0.10", "239.1.1.2", MCAST_MSG_LEAVE, 2); /* to 224.0.0.2: applies */
	uint8_t b[64];
	struct mcast_addr h = A("10.0.0.10"), g = A("224.0.1.1"), me = A("10.0.0.1");
	int n = mcast_v1v2_encode(MCAST_AF_INET, MCAST_MSG_LEAVE, 2, &g, 0, &h, &me, b, sizeof(b));
	host_pkt(f, b, (size_t)n);
	struct mcast_router_iface_info ii;
	mcast_router_iface_info(f->r[0], 1, &ii);
	assert_int_equal(ii.stats->drop.count[MCAST_DROP_BAD_DESTINATION], 2);
	assert_string_equal(rt_state(f, 0, "239.1.1.9"), "none");
	assert_string_equal(rt_state(f, 0, "224.0.1.1"), "EXCLUDE gt=260000");
	assert_string_equal(rt_state(f, 0, "239.1.1.2"), "EXCLUDE gt=2000");
	/* a v2 report to our unicast address is accepted (RFC 3376 4.2.14) */
	n = mcast_v1v2_encode(MCAST_AF_INET, MCAST_MSG_REPORT, 2, &g, 0, &h, &me, b, sizeof(b));
	mcast_wheel_advance(&f->wheel, 1000);
	host_pkt(f, b, (size_t)n);
	assert_string_equal(rt_state(f, 0, "224.0.1.1"), "EXCLUDE gt=260000");
	/* reports from 0.0.0.0 are accepted (RFC 3376 4.2.13) */
	report_to(f, "0.0.0.0", NULL, "239.1.1.1", MCAST_ALLOW_NEW_SOURCES, &bad[3], 1);
	assert_string_equal(rt_state(f, 0, "239.1.1.1"), "INCLUDE 10.9.0.1=260000");
	rtfx_free(f);
}

/* One report, records of every kind after a dropped one: a link-local
 * group's record goes, every later record moves up and applies (with
 * and without sources, an invalid source among them). */
static void test_records_after_a_dropped_one(void **state)
{
	(void)state;
	struct rtfx *f = rtfx_new(MCAST_AF_INET, 1, NULL);
	struct mcast_report_builder rb;
	static uint8_t out[1600];
	struct mcast_addr h = A("10.0.0.10"), g[5] = { A("224.0.0.251"), A("239.3.3.3"), A("239.3.3.4"),
						       A("224.0.0.252"), A("239.3.3.5") };
	struct mcast_addr s[2] = { A("0.0.0.0"), A("10.9.0.1") };
	assert_int_equal(mcast_report_init(&rb, MCAST_AF_INET, &h, NULL, 1500, out, sizeof(out), host_emit, f), 0);
	mcast_report_add(&rb, MCAST_MODE_IS_EXCLUDE, &g[0], NULL, 0, NULL, 0);
	mcast_report_add(&rb, MCAST_MODE_IS_EXCLUDE, &g[1], NULL, 0, NULL, 0);
	mcast_report_add(&rb, MCAST_MODE_IS_INCLUDE, &g[2], s, 2, NULL, 0);
	mcast_report_add(&rb, MCAST_MODE_IS_EXCLUDE, &g[3], NULL, 0, NULL, 0);
	mcast_report_add(&rb, MCAST_CHANGE_TO_EXCLUDE, &g[4], NULL, 0, NULL, 0);
	mcast_report_flush(&rb);
	assert_int_equal(counter(f, "local_group"), 2);
	assert_int_equal(counter(f, "invalid_source"), 1);
	assert_string_equal(rt_state(f, 0, "239.3.3.3"), "EXCLUDE gt=260000");
	assert_string_equal(rt_state(f, 0, "239.3.3.4"), "INCLUDE 10.9.0.1=260000");
	assert_string_equal(rt_state(f, 0, "239.3.3.5"), "EXCLUDE gt=260000");
	assert_string_equal(rt_state(f, 0, "224.0.0.251"), "none");
	rtfx_free(f);
}

/* The same for MLD: also IPv4-mapped sources, scopes 0-2, and reports
 * and dones from :: (RFC 3590), which create no state. */
static void test_address_rules_v6(void **state)
{
	(void)state;
	struct rtfx *f = rtfx_new(MCAST_AF_INET6, 1, NULL);
	struct mcast_addr bad[] = { A("::"), A("ff0e::99"), A("::1"), A("10.0.0.1"), A("2001:db8::55") };
	report_to(f, "fe80::10", NULL, "ff0e::1", MCAST_MODE_IS_INCLUDE, bad, 5);
	assert_string_equal(rt_state(f, 0, "ff0e::1"), "INCLUDE 2001:db8::55=260000");
	assert_int_equal(counter(f, "invalid_source"), 4);
	static const char *const local[] = { "ff02::1", "ff02::1:ff00:10", "ff01::5", "ff00::7", "ff32::8000:1" };
	for (size_t i = 0; i < 5; i++)
		report_to(f, "fe80::10", NULL, local[i], MCAST_MODE_IS_EXCLUDE, NULL, 0);
	host_old(f, "fe80::10", "ff02::fb", MCAST_MSG_REPORT, 1);
	assert_int_equal(counter(f, "local_group"), 6);
	assert_string_equal(rt_state(f, 0, "ff02::1:ff00:10"), "none");
	/* from :: : no state from a report, no leave from a done */
	report_to(f, "::", NULL, "ff0e::2", MCAST_MODE_IS_EXCLUDE, NULL, 0);
	host_old(f, "::", "ff0e::3", MCAST_MSG_REPORT, 1);
	host_old(f, "::", "ff0e::1", MCAST_MSG_LEAVE, 1);
	assert_int_equal(counter(f, "unspecified_reporter"), 3);
	assert_string_equal(rt_state(f, 0, "ff0e::2"), "none");
	assert_string_equal(rt_state(f, 0, "ff0e::3"), "none");
	assert_string_equal(rt_state(f, 0, "ff0e::1"), "INCLUDE 2001:db8::55=260000");
	/* an MLDv2 report to a unicast address: dropped; MLDv1 accepted */
	report_to(f, "fe80::10", "fe80::1", "ff0e::4", MCAST_MODE_IS_EXCLUDE, NULL, 0);
	assert_string_equal(rt_state(f, 0, "ff0e::4"), "none");
	uint8_t b[128];
	struct mcast_addr h = A("fe80::10"), g = A("ff0e::5"), me = A("fe80::1");
	int n = mcast_v1v2_encode(MCAST_AF_INET6, MCAST_MSG_REPORT, 1, &g, 0, &h, &me, b, sizeof(b));
	host_pkt(f, b, (size_t)n);
	assert_string_equal(rt_state(f, 0, "ff0e::5"), "EXCLUDE gt=260000");
	rtfx_free(f);
}

/* RFC 3376 8.4, 8.5, 8.13 with the defaults: 260 s, 255 s, 2 s. */
static void test_timer_helpers(void **state)
{
	(void)state;
	struct mcast_router_config c;
	mcast_router_config_default(&c, MCAST_AF_INET6);
	assert_int_equal(mcast_router_gmi_ms(&c), 260000);
	assert_int_equal(mcast_router_oqpi_ms(&c), 255000);
	assert_int_equal(mcast_router_lmqt_ms(&c), 2000);
	c.last_member_count = 3;
	c.last_member_interval_ms = 500;
	assert_int_equal(mcast_router_lmqt_ms(&c), 1500);
}

/* Settings by name: every name, its range, and no change on errors. */
static void test_config_set(void **state)
{
	(void)state;
	struct mcast_router_config c, d;
	mcast_router_config_default(&c, MCAST_AF_INET);
	mcast_time_ms t;
	assert_int_equal(mcast_time_parse("1.5s", &t), 0);
	assert_int_equal(t, 1500);
	assert_int_equal(mcast_time_parse("250ms", &t), 0);
	assert_int_equal(t, 250);
	assert_int_equal(mcast_time_parse("2m", &t), 0);
	assert_int_equal(t, 120000);
	assert_int_equal(mcast_time_parse("7", &t), 0);
	assert_int_equal(t, 7000);
	assert_int_equal(mcast_time_parse("-1s", &t), -EINVAL);
	assert_int_equal(mcast_time_parse("3x", &t), -EINVAL);
	assert_int_equal(mcast_time_parse("", &t), -EINVAL);

	assert_int_equal(mcast_router_config_set(&c, "query-interval", "60s"), 0);
	assert_int_equal(c.query_interval_ms, 60000);
	assert_int_equal(c.startup_interval_ms, 15000);
	assert_int_equal(mcast_router_config_set(&c, "robustness", "3"), 0);
	assert_int_equal(c.robustness, 3);
	assert_int_equal(mcast_router_config_set(&c, "lmqi", "200ms"), 0);
	assert_int_equal(c.last_member_interval_ms, 200);
	assert_int_equal(mcast_router_config_set(&c, "fast-leave", "on"), 0);
	assert_true(c.fast_leave);
	assert_int_equal(mcast_router_config_set(&c, "ssm-range", "232.0.0.0/8,239.232.0.0/16"), 0);
	assert_int_equal(c.nssm, 2);
	assert_int_equal(mcast_router_config_set(&c, "require-router-alert", "off"), 0);
	assert_false(c.wire.require_ra_igmpv3);
	d = c;
	assert_int_equal(mcast_router_config_set(&c, "robustness", "0"), -EINVAL);
	assert_int_equal(mcast_router_config_set(&c, "robustness", "8"), -EINVAL);
	assert_int_equal(mcast_router_config_set(&c, "query-interval", "40000s"), -EINVAL);
	assert_int_equal(mcast_router_config_set(&c, "querier", "yes"), -EINVAL);
	assert_int_equal(mcast_router_config_set(&c, "ssm-range", "232.0.0.0/8,10.0.0.0/8"), -EINVAL);
	assert_int_equal(mcast_router_config_set(&c, "max-groups", "-5"), -EINVAL);
	assert_int_equal(mcast_router_config_set(&c, "colour", "blue"), -ENOENT);
	assert_memory_equal(&c, &d, sizeof(c));
	assert_int_equal(mcast_router_config_set(&c, "ssm-range", "none"), 0);
	assert_int_equal(c.nssm, 0);

	/* The counter names cover every counter (the drop reasons aside). */
	assert_int_equal((mcast_router_stat_nfields + MCAST_DROP__COUNT) * sizeof(uint64_t),
			 sizeof(struct mcast_router_stats));
	struct mcast_router_stats st = { .fast_leaves = 7 };
	for (size_t k = 0; k < mcast_router_stat_nfields; k++)
		if (!strcmp(mcast_router_stat_fields[k].name, "fast_leaves"))
			assert_int_equal(mcast_router_stat(&st, &mcast_router_stat_fields[k]), 7);
}

static uint8_t jumbo[9000];
static size_t jumbo_len;

static void keep_jumbo(void *ctx, const uint8_t *p, size_t len)
{
	(void)ctx;
	memcpy(jumbo, p, len);
	jumbo_len = len;
}

/* The decode buffers start empty and grow with the packets: a 9000-byte
 * report of 2000 sources (a jumbo-frame LAN) is taken whole, both
 * families; the query buffer follows the largest MTU. */
static void test_buffers_grow(void **state)
{
	(void)state;
	for (int f = 0; f < 2; f++) {
		enum mcast_family fam = f ? MCAST_AF_INET6 : MCAST_AF_INET;
		struct mcast_wheel w;
		mcast_wheel_init(&w, 1);
		struct mcast_router_env env = { .al = &mcast_alloc_libc, .wheel = &w, .hash_seed = 1 };
		struct mcast_router *r = mcast_router_create(&env, fam);
		assert_non_null(r);
		struct mcast_router_config c;
		mcast_router_config_default(&c, fam);
		c.querier = false;
		c.max_sources = 0;
		c.max_total_sources = 0;
		struct mcast_addr me = A(f ? "fe80::1" : "10.0.0.1"), host = A(f ? "fe80::9" : "10.0.0.9");
		struct mcast_addr g = A(f ? "ff3e::1:2" : "232.1.2.3");
		assert_int_equal(mcast_router_iface_add(r, 1, "jumbo", &me, 9000, &c), 0);
		size_t n = f ? 500 : 2000; /* what 9000 bytes hold */
		struct mcast_addr *srcs = calloc(n, sizeof(*srcs));
		for (size_t i = 0; i < n; i++)
			mcast_addr_from_u32(&srcs[i], 0x0a010000u + (uint32_t)i + 1);
		if (f)
			for (size_t i = 0; i < n; i++) {
				uint8_t b[16] = { 0x20, 0x01, 0x0d, 0xb8, [14] = (uint8_t)(i >> 8), [15] = (uint8_t)(i + 1) };
				mcast_addr_from_in6(&srcs[i], b);
			}
		struct mcast_report_builder rb;
		static uint8_t work[9000];
		assert_int_equal(mcast_report_init(&rb, fam, &host, NULL, 9000, work, sizeof(work), keep_jumbo, NULL), 0);
		assert_int_equal(mcast_report_add(&rb, MCAST_ALLOW_NEW_SOURCES, &g, srcs, n, NULL, 0), 0);
		jumbo_len = 0;
		mcast_report_flush(&rb);
		assert_int_equal(rb.packets, 1); /* one packet, all sources */
		assert_true(jumbo_len > 8000);
		mcast_router_input(r, 1, jumbo, jumbo_len);
		struct mcast_router_group_info info;
		assert_int_equal(mcast_router_group(r, 1, &g, &info, NULL, 0), 0);
		assert_int_equal(info.nsources, n);
		struct mcast_router_iface_info ii;
		assert_int_equal(mcast_router_iface_info(r, 1, &ii), 0);
		assert_int_equal(ii.stats->no_memory, 0);
		free(srcs);
		mcast_router_destroy(r);
	}
}

/* The compiled SSM ranges answer as the prefixes they come from: a
 * prefix match within the same family, and "ff30::/12" as RFC 4607's
 * ff3x::/32 (any scope; the plen and prefix fields zero). */
static bool ssm_reference(const struct mcast_router_config *c, const struct mcast_addr *g)
{
	for (unsigned i = 0; i < c->nssm; i++) {
		const struct mcast_prefix *p = &c->ssm[i];
		if (!mcast_addr_is_v4(&p->addr) && p->len == 12 && p->addr.b[0] == 0xff && p->addr.b[1] == 0x30) {
			if (!mcast_addr_is_v4(g) && g->b[0] == 0xff && (g->b[1] & 0xf0) == 0x30 && !g->b[2] && !g->b[3])
				return true;
		} else if (mcast_prefix_contains(p, g)) {
			return true;
		}
	}
	return false;
}

static void test_ssm_ranges_compiled(void **state)
{
	(void)state;
	static const char *const ranges[] = { "default4", "default6", "232.0.0.0/8,239.232.0.0/16",
					       "ff3e::/16,ff05:1::/32,ff30::/12", "none" };
	static const char *const probes[] = { "232.1.2.3", "231.255.255.255", "233.0.0.0", "239.232.9.9",
					       "239.233.0.1", "224.0.0.1", "ff3e::1", "ff35::8000:1",
					       "ff3e:1::1", "ff3e:0:1::1", "ff05:1::1", "ff05:2::1", "ff0e::1",
					       "::ffff:232.1.1.1", "ff3f:ffff::", "ff32::1" };
	struct mcast_rng rng;
	mcast_rng_seed(&rng, 3);
	for (size_t r = 0; r < sizeof(ranges) / sizeof(ranges[0]); r++) {
		struct rt_iface ifc;
		memset(&ifc, 0, sizeof(ifc));
		bool six = !strcmp(ranges[r], "default6") || strchr(ranges[r], ':');
		mcast_router_config_default(&ifc.cfg, six ? MCAST_AF_INET6 : MCAST_AF_INET);
		if (strncmp(ranges[r], "default", 7))
			assert_int_equal(mcast_router_config_set(&ifc.cfg, "ssm-range", ranges[r]), 0);
		rt_ssm_compile(&ifc);
		for (size_t k = 0; k < sizeof(probes) / sizeof(probes[0]); k++) {
			struct mcast_addr g = A(probes[k]);
			assert_int_equal(rt_is_ssm(&ifc, &g), ssm_reference(&ifc.cfg, &g));
		}
		/* and random groups near the ranges: one random byte at a time */
		for (int k = 0; k < 20000; k++) {
			struct mcast_addr g = A(k & 1 ? "ff3e::1" : "232.1.1.1");
			if (k & 2)
				g = A(k & 1 ? "ff05:1::" : "239.232.0.0");
			g.b[k & 1 ? mcast_rng_below(&rng, 16) : 12 + mcast_rng_below(&rng, 4)] = (uint8_t)mcast_rng_next(&rng);
			assert_int_equal(rt_is_ssm(&ifc, &g), ssm_reference(&ifc.cfg, &g));
		}
	}
}

/* What groups_ahead was handed. */
static struct {
	unsigned calls, ifindex;
	size_t n[4], total;
	struct mcast_addr g[80];
	uint64_t h[80];
} AH;

static void ahead_log(void *ctx, unsigned ifindex, const struct mcast_group_record *recs, const uint64_t *hashes,
		      size_t n)
{
	(void)ctx;
	AH.ifindex = ifindex;
	if (AH.calls < 4)
		AH.n[AH.calls] = n;
	AH.calls++;
	for (size_t i = 0; i < n && AH.total < 80; i++) {
		AH.g[AH.total] = recs[i].group;
		AH.h[AH.total++] = hashes[i];
	}
}

static void rt_send_none(void *ctx, unsigned ifindex, const uint8_t *pkt, size_t len)
{
	(void)ctx;
	(void)ifindex;
	(void)pkt;
	(void)len;
}

static uint8_t ahead_pkt[1600];
static size_t ahead_len;

static void ahead_keep(void *ctx, const uint8_t *p, size_t n)
{
	(void)ctx;
	assert_true(n <= sizeof(ahead_pkt));
	memcpy(ahead_pkt, p, n);
	ahead_len = n;
}

/* groups_ahead: a report's groups, in its order, with their hashes under
 * the router's seed, 64 at a time, before any record applies (the
 * groups do not exist yet when it is called); nothing for a packet
 * dropped on the wire; a v1/v2 report's one group. */
static void ahead_case(enum mcast_family fam)
{
	bool v4 = fam == MCAST_AF_INET;
	struct mcast_wheel w;
	mcast_wheel_init(&w, 0);
	struct mcast_router_env env = { .al = &mcast_alloc_libc, .wheel = &w, .send = rt_send_none,
					.groups_ahead = ahead_log, .hash_seed = 77 };
	struct mcast_router *r = mcast_router_create(&env, fam);
	assert_non_null(r);
	struct mcast_router_config c;
	mcast_router_config_default(&c, fam);
	struct mcast_addr me = A(v4 ? "10.0.0.1" : "fe80::1"), host = A(v4 ? "10.0.0.9" : "fe80::9");
	assert_int_equal(mcast_router_iface_add(r, 2, "lan", &me, 1500, &c), 0);
	memset(&AH, 0, sizeof(AH));
	struct mcast_addr g[70];
	struct mcast_report_builder rb;
	static uint8_t out[1600];
	assert_int_equal(mcast_report_init(&rb, fam, &host, NULL, 1500, out, sizeof(out), ahead_keep, NULL), 0);
	for (unsigned i = 0; i < 70; i++) {
		char b[64];
		snprintf(b, sizeof(b), v4 ? "239.2.0.%u" : "ff1e::2:%u", i + 1);
		g[i] = A(b);
		assert_int_equal(mcast_report_add(&rb, MCAST_MODE_IS_EXCLUDE, &g[i], NULL, 0, NULL, 0), 0);
	}
	mcast_report_flush(&rb);
	uint8_t keep[1600];
	size_t len = ahead_len;
	memcpy(keep, ahead_pkt, len);
	/* wrong checksum: dropped before any record is read */
	ahead_pkt[len - 1] ^= 0x5a;
	mcast_router_input(r, 2, ahead_pkt, len);
	assert_int_equal(AH.calls, 0);
	mcast_router_input(r, 2, keep, len);
	assert_int_equal(AH.calls, 2);
	assert_int_equal(AH.n[0], 64);
	assert_int_equal(AH.n[1], 6);
	assert_int_equal(AH.ifindex, 2);
	assert_int_equal(AH.total, 70);
	for (unsigned i = 0; i < 70; i++) {
		assert_true(mcast_addr_eq(&AH.g[i], &g[i]));
		assert_true(AH.h[i] == mcast_addr_hash(&g[i], 77));
	}
	struct mcast_router_group_info gi;
	assert_int_equal(mcast_router_group(r, 2, &g[69], &gi, NULL, 0), 0); /* and then applied */
	/* a v2 report (MLDv1): its group */
	struct mcast_addr one = A(v4 ? "239.3.0.1" : "ff1e::3:1");
	int n = mcast_v1v2_encode(fam, MCAST_MSG_REPORT, v4 ? 2 : 1, &one, 0, &host, NULL, out, sizeof(out));
	assert_true(n > 0);
	mcast_router_input(r, 2, out, (size_t)n);
	assert_int_equal(AH.calls, 3);
	assert_int_equal(AH.n[2], 1);
	assert_true(mcast_addr_eq(&AH.g[70], &one));
	assert_true(AH.h[70] == mcast_addr_hash(&one, 77));
	mcast_router_destroy(r);
}

static void test_groups_ahead(void **state)
{
	(void)state;
	ahead_case(MCAST_AF_INET);
	ahead_case(MCAST_AF_INET6);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_config_set),
		cmocka_unit_test(test_buffers_grow),
		cmocka_unit_test(test_startup_and_periodic),
		cmocka_unit_test(test_election),
		cmocka_unit_test(test_adopt_and_higher),
		cmocka_unit_test(test_versions),
		cmocka_unit_test(test_bad_input),
		cmocka_unit_test(test_iface_changes),
		cmocka_unit_test(test_drop_log),
		cmocka_unit_test(test_address_rules_v4),
		cmocka_unit_test(test_records_after_a_dropped_one),
		cmocka_unit_test(test_address_rules_v6),
		cmocka_unit_test(test_timer_helpers),
		cmocka_unit_test(test_ssm_ranges_compiled),
		cmocka_unit_test(test_groups_ahead),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
