/* Unit tests for src/mroute/dump.c: the kernel's /proc formats, byte
 * for byte, and the JSON dump. */
#include "mrutil.h"

static char text[8192];

static void collect(void *ctx, const char *line)
{
	(void)ctx;
	strncat(text, line, sizeof(text) - strlen(text) - 1);
}

static struct fx *sample(enum mcast_family fam)
{
	bool v4 = fam == MCAST_AF_INET;
	struct fx *f = fx_new(fam, NULL);
	struct mcast_vif_config c = { .ifindex = 2, .name = "eth0", .local = A(v4 ? "10.0.0.1" : "fe80::1") };
	assert_int_equal(mcast_mr_vif_add(f->t, &f->owner, 0, &c), 0);
	c = (struct mcast_vif_config){ .ifindex = 3, .name = "vlan100", .local = A(v4 ? "192.168.1.1" : "fe80::2") };
	assert_int_equal(mcast_mr_vif_add(f->t, &f->owner, 1, &c), 0);
	c = (struct mcast_vif_config){ .ifindex = 4, .name = "eth2" };
	assert_int_equal(mcast_mr_vif_add(f->t, &f->owner, 5, &c), 0);
	const char *s = v4 ? "10.0.0.5" : "2001:db8::5", *g = v4 ? "239.1.1.1" : "ff05::9";
	assert_int_equal(fx_mfc(f, s, g, 0, "5:1 1:1"), 0);
	fx_in(f, 2, s, g, 9);
	fx_in(f, 2, v4 ? "10.0.0.6" : "2001:db8::6", v4 ? "239.2.2.2" : "ff05::10", 9);
	text[0] = '\0';
	return f;
}

static void test_proc_v4(void **state)
{
	(void)state;
	struct fx *f = sample(MCAST_AF_INET);
	mcast_mr_dump_proc_vif(f->t, collect, NULL);
	assert_string_equal(text,
		"Interface      BytesIn  PktsIn  BytesOut PktsOut Flags Local    Remote\n"
		" 0 eth0             96       2         0       0 00000 0100000A 00000000\n"
		" 1 vlan100           0       0        48       1 00000 0101A8C0 00000000\n"
		" 5 eth2              0       0        48       1 00000 00000000 00000000\n");
	text[0] = '\0';
	mcast_mr_dump_proc_cache(f->t, collect, NULL);
	assert_string_equal(text,
		"Group    Origin   Iif     Pkts    Bytes    Wrong Oifs\n"
		"010101EF 0500000A 0          1       48        0  1:1    5:1  \n"
		"020202EF 0600000A -1         0        0        0\n");
	fx_free(f);
}

static void test_proc_v6(void **state)
{
	(void)state;
	struct fx *f = sample(MCAST_AF_INET6);
	mcast_mr_dump_proc_vif(f->t, collect, NULL);
	assert_string_equal(text,
		"Interface      BytesIn  PktsIn  BytesOut PktsOut Flags\n"
		" 0 eth0            136       2         0       0 00000\n"
		" 1 vlan100           0       0        68       1 00000\n"
		" 5 eth2              0       0        68       1 00000\n");
	text[0] = '\0';
	mcast_mr_dump_proc_cache(f->t, collect, NULL);
	assert_string_equal(text,
		"Group                            Origin                           Iif      Pkts  Bytes     Wrong  Oifs\n"
		"ff05:0000:0000:0000:0000:0000:0000:0009 2001:0db8:0000:0000:0000:0000:0000:0005 0          1       68        0  1:1    5:1  \n"
		"ff05:0000:0000:0000:0000:0000:0000:0010 2001:0db8:0000:0000:0000:0000:0000:0006 -1         0        0        0\n");
	fx_free(f);
}

/* The views for people (mcastctl show mfc / show vifs), byte for byte. */
static void test_text_v4(void **state)
{
	(void)state;
	struct fx *f = sample(MCAST_AF_INET);
	assert_int_equal(fx_mfc(f, "*", "239.9.9.9", 1, "0:1"), 0);
	mcast_mr_dump_text_cache(f->t, collect, NULL);
	assert_string_equal(text,
		"IPv4 forwarding entries (table 253): 2\n"
		"  (source, group)                                in               out                               packets        bytes    wrong  idle\n"
		"  (10.0.0.5, 239.1.1.1)                          eth0             vlan100 eth2                             1           48        0  0s\n"
		"  (*, 239.9.9.9)                                 vlan100          eth0                                     0            0        0  -\n"
		"  (10.0.0.6, 239.2.2.2) waiting for a route: in eth0, 1 packets held\n");
	text[0] = '\0';
	mcast_mr_dump_text_vif(f->t, collect, NULL);
	assert_string_equal(text,
		"IPv4 VIFs (table 253): 3 of 32\n"
		"  vif interface         ifindex local address              threshold  flags          packets in     bytes in  packets out    bytes out\n"
		"    0 eth0                   2 10.0.0.1                           0  -                       2           96            0            0\n"
		"    1 vlan100                3 192.168.1.1                        0  -                       0            0            1           48\n"
		"    5 eth2                   4 -                                  0  -                       0            0            1           48\n");
	fx_free(f);
}

static void test_text_v6(void **state)
{
	(void)state;
	struct fx *f = sample(MCAST_AF_INET6);
	mcast_mr_dump_text_cache(f->t, collect, NULL);
	assert_string_equal(text,
		"IPv6 forwarding entries (table 253): 1\n"
		"  (source, group)                                in               out                               packets        bytes    wrong  idle\n"
		"  (2001:db8::5, ff05::9)                         eth0             vlan100 eth2                             1           68        0  0s\n"
		"  (2001:db8::6, ff05::10) waiting for a route: in eth0, 1 packets held\n");
	text[0] = '\0';
	mcast_mr_dump_text_vif(f->t, collect, NULL);
	assert_string_equal(text,
		"IPv6 VIFs (table 253): 3 of 32\n"
		"  vif interface         ifindex local address              threshold  flags          packets in     bytes in  packets out    bytes out\n"
		"    0 eth0                   2 fe80::1                            0  -                       2          136            0            0\n"
		"    1 vlan100                3 fe80::2                            0  -                       0            0            1           68\n"
		"    5 eth2                   4 -                                  0  -                       0            0            1           68\n");
	fx_free(f);
}

static void test_json(void **state)
{
	(void)state;
	struct fx *f = sample(MCAST_AF_INET);
	assert_int_equal(fx_mfc(f, "*", "239.9.9.9", 1, "0:1"), 0);
	mcast_mr_dump_json(f->t, collect, NULL);
	assert_non_null(strstr(text, "{\"table\":253,\"family\":\"ipv4\",\"owned\":true,\"vifs\":[{\"vif\":0,\"name\":\"eth0\",\"ifindex\":2,"));
	assert_non_null(strstr(text, "{\"source\":\"10.0.0.5\",\"group\":\"239.1.1.1\",\"iif\":0,\"static\":false,\"pkts\":1,\"bytes\":48,\"wrong_if\":0,\"oifs\":[{\"vif\":1,\"ttl\":1},{\"vif\":5,\"ttl\":1}]}"));
	assert_non_null(strstr(text, "{\"source\":\"*\",\"group\":\"239.9.9.9\",\"iif\":1"));
	assert_non_null(strstr(text, "\"unresolved\":[{\"source\":\"10.0.0.6\",\"group\":\"239.2.2.2\",\"vif\":0,\"packets\":1}]"));
	assert_non_null(strstr(text, "\"stats\":{\"input\":2,"));
	assert_int_equal(text[strlen(text) - 1], '\n');
	fx_free(f);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_proc_v4),
		cmocka_unit_test(test_proc_v6),
		cmocka_unit_test(test_text_v4),
		cmocka_unit_test(test_text_v6),
		cmocka_unit_test(test_json),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
