/* Unit tests for src/host/dump.c: /proc/net/igmp, mcfilter, igmp6,
 * mcfilter6 in the kernel's formats, and JSON. */
#include "hsutil.h"

static char text[8192];

static void collect(void *ctx, const char *line)
{
	(void)ctx;
	strncat(text, line, sizeof(text) - strlen(text) - 1);
}

static void test_proc_v4(void **state)
{
	(void)state;
	struct hsfx *f = hsfx_new(MCAST_AF_INET, NULL);
	struct mcast_host_sock *a = mcast_host_socket(f->h), *b = mcast_host_socket(f->h);
	hfilter(f, a, "239.1.1.1", false, "s1");
	hfilter(f, b, "239.1.1.1", true, "s1 s2");
	mcast_wheel_advance(&f->wheel, 10000);
	text[0] = '\0';
	mcast_host_dump_proc_groups(f->h, collect, NULL);
	assert_string_equal(text,
		"Idx\tDevice    :  Count Querier\tGroup    Users Timer\tReporter\n"
		"1\teth0      :     2      V3\n"
		"\t\t\t\t010000E0     1 0:00000000\t\t0\n"
		"\t\t\t\t010101EF     2 0:00000000\t\t0\n");
	text[0] = '\0';
	mcast_host_dump_proc_filters(f->h, collect, NULL);
	assert_string_equal(text,
		"Idx Device        MCA        SRC    INC    EXC\n"
		"  1   eth0 0xef010101 0x0a010001      1      1\n"
		"  1   eth0 0xef010101 0x0a010002      1      0\n");
	text[0] = '\0';
	mcast_host_dump_json(f->h, collect, NULL);
	assert_string_equal(text,
		"{\"time_ms\":10000,\"interfaces\":[{\"name\":\"eth0\",\"ifindex\":1,\"family\":\"ipv4\",\"version\":3,"
		"\"groups\":[{\"group\":\"224.0.0.1\",\"filter_mode\":\"exclude\",\"users\":1,\"sources\":[]},"
		"{\"group\":\"239.1.1.1\",\"filter_mode\":\"exclude\",\"users\":2,\"sources\":[]}]}]}\n");
	hsfx_free(f);
}

static void test_proc_v6(void **state)
{
	(void)state;
	struct hsfx *f = hsfx_new(MCAST_AF_INET6, NULL);
	struct mcast_host_sock *a = mcast_host_socket(f->h);
	hfilter(f, a, "ff05::9", true, "s1");
	mcast_wheel_advance(&f->wheel, 10000);
	text[0] = '\0';
	mcast_host_dump_proc_groups(f->h, collect, NULL);
	assert_string_equal(text,
		"1    eth0            ff010000000000000000000000000001     1 0000000C 0\n"
		"1    eth0            ff020000000000000000000000000001     1 0000000C 0\n"
		"1    eth0            ff050000000000000000000000000009     1 00000004 0\n");
	text[0] = '\0';
	mcast_host_dump_proc_filters(f->h, collect, NULL);
	assert_string_equal(text,
		"Idx Device                Multicast Address                   Source Address    INC    EXC\n"
		"  1   eth0 ff050000000000000000000000000009 20010db8000000000000000000000001      1      0\n");
	hsfx_free(f);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_proc_v4),
		cmocka_unit_test(test_proc_v6),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
