/* Unit tests for src/router/dump.c: the JSON state of DESIGN.md, byte
 * for byte, and the table. */
#include "rtutil.h"

static char text[8192];

static void collect(void *ctx, const char *line)
{
	(void)ctx;
	strncat(text, line, sizeof(text) - strlen(text) - 1);
}

static void test_json(void **state)
{
	(void)state;
	struct rtfx *f = rtfx_new(MCAST_AF_INET, 1, NULL);
	host_rec(f, "10.0.0.10", "239.2.2.2", MCAST_MODE_IS_INCLUDE, "s2 s1");
	host_rec(f, "10.0.0.10", "239.1.1.1", MCAST_MODE_IS_EXCLUDE, "s3");
	mcast_wheel_advance(&f->wheel, 1500);
	text[0] = '\0';
	mcast_router_dump_json(f->r[0], collect, NULL);
	assert_string_equal(text,
		"{\"time_ms\":1500,\"interfaces\":[{\"name\":\"lan\",\"family\":\"ipv4\",\"querier\":true,"
		"\"querier_address\":\"10.0.0.1\",\"version\":3,\"groups\":["
		"{\"group\":\"239.1.1.1\",\"filter_mode\":\"exclude\",\"compat_version\":3,\"group_timer_ms\":258500,"
		"\"sources\":[{\"address\":\"10.1.0.3\",\"timer_ms\":0,\"forwarding\":false}]},"
		"{\"group\":\"239.2.2.2\",\"filter_mode\":\"include\",\"compat_version\":3,\"group_timer_ms\":0,"
		"\"sources\":[{\"address\":\"10.1.0.1\",\"timer_ms\":258500,\"forwarding\":true},"
		"{\"address\":\"10.1.0.2\",\"timer_ms\":258500,\"forwarding\":true}]}]}]}\n");
	text[0] = '\0';
	mcast_router_dump_text(f->r[0], collect, NULL);
	assert_non_null(strstr(text, "lan IGMPv3: querier, querier 10.0.0.1, 2 groups\n"));
	assert_non_null(strstr(text, "  239.1.1.1                                EXCLUDE  v3      258.5s  1\n"));
	assert_non_null(strstr(text, "    10.1.0.3                               blocked     0.0s\n"));
	rtfx_free(f);
}

static void test_json_mld(void **state)
{
	(void)state;
	struct rtfx *f = rtfx_new(MCAST_AF_INET6, 1, NULL);
	host_old(f, "fe80::20", "ff05::9", MCAST_MSG_REPORT, 1);
	text[0] = '\0';
	mcast_router_dump_json(f->r[0], collect, NULL);
	assert_non_null(strstr(text, "\"family\":\"ipv6\",\"querier\":true,\"querier_address\":\"fe80::1\",\"version\":2"));
	assert_non_null(strstr(text, "{\"group\":\"ff05::9\",\"filter_mode\":\"exclude\",\"compat_version\":1,"));
	rtfx_free(f);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_json),
		cmocka_unit_test(test_json_mld),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
