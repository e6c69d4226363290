/* Unit tests for src/core/log.c */
#include "testutil.h"

static char last_line[512];
static int lines;
static void log_fn(void *ctx, enum mcast_log_level level, unsigned cat, const char *msg)
{
	(void)ctx;
	(void)level;
	(void)cat;
	snprintf(last_line, sizeof(last_line), "%s", msg);
	lines++;
}

static void test_log_and_ratelimit(void **state)
{
	(void)state;
	struct mcast_log log = { log_fn, NULL, MCAST_D_DROPS };
	mcast_logf(&log, MCAST_LOG_INFO, MCAST_D_EVENTS, "iface %s up", "eth0");
	assert_string_equal(last_line, "iface eth0 up");
	mcast_logf(&log, MCAST_LOG_DEBUG, MCAST_D_TIMERS, "not shown");
	assert_int_equal(lines, 1);
	mcast_logf(&log, MCAST_LOG_DEBUG, MCAST_D_DROPS, "drop %d", 5);
	assert_int_equal(lines, 2);
	mcast_logf(NULL, MCAST_LOG_ERR, 0, "no logger: no crash");

	struct mcast_ratelimit rl;
	mcast_ratelimit_init(&rl, 1000, 3);
	int ok = 0;
	for (int i = 0; i < 10; i++)
		ok += mcast_ratelimit_ok(&rl, 5000 + (mcast_time_ms)i);
	assert_int_equal(ok, 3);
	assert_true(mcast_ratelimit_ok(&rl, 6000)); /* next window */
	assert_int_equal(rl.suppressed, 7);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_log_and_ratelimit),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
