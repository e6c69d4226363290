/* Unit tests for src/core/addr.c */
#include <arpa/inet.h>

#include "testutil.h"

static void test_parse_print_v4(void **state)
{
	(void)state;
	struct mcast_addr g = A("224.0.0.1");
	assert_addr_equal(&g, "224.0.0.1");
	struct mcast_addr a = A("10.1.2.3");
	assert_true(mcast_addr_is_v4(&a));
	assert_int_equal(mcast_addr_family(&a), MCAST_AF_INET);
	assert_int_equal(mcast_addr_u32(&a), 0x0a010203);
	assert_addr_equal(&a, "10.1.2.3");
	const char *bad[] = { "", "1.2.3", "1.2.3.4.5", "256.1.1.1", "01.2.3.4", "1..2.3",
			      "1.2.3.4 ", " 1.2.3.4", "a.b.c.d", "1.2.3.-4", NULL };
	for (int i = 0; bad[i]; i++) {
		struct mcast_addr x;
		assert_int_equal(mcast_addr_parse(&x, bad[i]), -EINVAL);
	}
}

static void test_parse_print_v6(void **state)
{
	(void)state;
	const char *good[][2] = {
		{ "::", "::" },
		{ "::1", "::1" },
		{ "ff02::16", "ff02::16" },
		{ "FF02:0:0:0:0:0:0:1", "ff02::1" },
		{ "2001:db8:0:0:1:0:0:1", "2001:db8::1:0:0:1" }, /* first longest run */
		{ "2001:0db8:0000:0000:0000:0000:0000:0001", "2001:db8::1" },
		{ "2001:db8:0:1:1:1:1:1", "2001:db8:0:1:1:1:1:1" }, /* one zero group stays */
		{ "1::", "1::" },
		{ "fe80::1:2:3:4", "fe80::1:2:3:4" },
		{ "::ffff:0:1.2.3.4", "::ffff:0:102:304" },
		{ "64:ff9b::192.0.2.33", "64:ff9b::c000:221" },
	};
	for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		struct mcast_addr a;
		assert_int_equal(mcast_addr_parse(&a, good[i][0]), 0);
		assert_addr_equal(&a, good[i][1]);
	}
	/* ::ffff:a.b.c.d is IPv4 by our definition and prints dotted. */
	struct mcast_addr m = A("::ffff:10.0.0.1");
	assert_true(mcast_addr_is_v4(&m));
	assert_addr_equal(&m, "10.0.0.1");
	const char *bad[] = { ":", ":::", "1:::2", "1::2::3", "12345::", "1:2:3:4:5:6:7:8:9",
			      "1:2:3:4:5:6:7", "g::", "1:", ":1", "1:2:3:4:5:6:7:8::", "::1.2.3",
			      NULL };
	for (int i = 0; bad[i]; i++) {
		struct mcast_addr x;
		assert_int_equal(mcast_addr_parse(&x, bad[i]), -EINVAL);
	}
}

/* Our parser and printer agree with the C library on random addresses
 * with zero runs of every shape. */
static void test_against_libc(void **state)
{
	(void)state;
	struct mcast_rng r;
	mcast_rng_seed(&r, 42);
	for (int i = 0; i < 20000; i++) {
		uint8_t b[16];
		for (int k = 0; k < 8; k++) {
			uint64_t x = mcast_rng_next(&r);
			uint16_t w = (x & 3) ? 0 : (uint16_t)(x >> 16);
			b[2 * k] = (uint8_t)(w >> 8);
			b[2 * k + 1] = (uint8_t)w;
		}
		struct mcast_addr a;
		mcast_addr_from_in6(&a, b);
		if (mcast_addr_is_v4(&a))
			continue;
		char libc[INET6_ADDRSTRLEN], ours[MCAST_ADDR_STRLEN];
		assert_non_null(inet_ntop(AF_INET6, b, libc, sizeof(libc)));
		mcast_addr_str(&a, ours);
		/* glibc prints some ::x:y forms with embedded IPv4; compare by value then. */
		struct mcast_addr back;
		assert_int_equal(mcast_addr_parse(&back, ours), 0);
		assert_true(mcast_addr_eq(&back, &a));
		assert_int_equal(mcast_addr_parse(&back, libc), 0);
		assert_true(mcast_addr_eq(&back, &a));
		if (!strchr(libc, '.'))
			assert_string_equal(ours, libc);
	}
}

static void test_predicates(void **state)
{
	(void)state;
	struct mcast_addr x;
	x = A("224.0.0.1");
	assert_true(mcast_addr_is_multicast(&x));
	assert_true(mcast_addr_is_link_local_mcast(&x));
	assert_true(mcast_addr_is_never_reported(&x));
	assert_int_equal(mcast_addr_scope(&x), 2);
	x = A("224.0.0.2");
	assert_false(mcast_addr_is_never_reported(&x));
	x = A("239.255.1.1");
	assert_int_equal(mcast_addr_scope(&x), 5);
	x = A("239.1.1.1");
	assert_int_equal(mcast_addr_scope(&x), 8);
	x = A("233.1.1.1");
	assert_int_equal(mcast_addr_scope(&x), 14);
	x = A("232.1.2.3");
	assert_true(mcast_addr_is_ssm_default(&x));
	x = A("231.255.255.255");
	assert_false(mcast_addr_is_ssm_default(&x));
	x = A("ff35::1:2");
	assert_true(mcast_addr_is_ssm_default(&x));
	x = A("ff3e:0:0:0:0:0:8000:1");
	assert_true(mcast_addr_is_ssm_default(&x));
	x = A("ff3e:40:2001:db8::1"); /* unicast-prefix based, not SSM */
	assert_false(mcast_addr_is_ssm_default(&x));
	x = A("ff02::1");
	assert_true(mcast_addr_is_never_reported(&x));
	x = A("ff01::2"); /* interface-local scope */
	assert_true(mcast_addr_is_never_reported(&x));
	x = A("ff00::5"); /* reserved scope 0 */
	assert_true(mcast_addr_is_never_reported(&x));
	x = A("ff02::2");
	assert_false(mcast_addr_is_never_reported(&x));
	x = A("fe80::1");
	assert_true(mcast_addr_is_link_local(&x));
	assert_true(mcast_addr_is_unicast(&x));
	x = A("febf::1");
	assert_true(mcast_addr_is_link_local(&x));
	x = A("fec0::1");
	assert_false(mcast_addr_is_link_local(&x));
	x = A("169.254.3.4");
	assert_true(mcast_addr_is_link_local(&x));
	x = A("0.0.0.0");
	assert_true(mcast_addr_is_unspecified(&x));
	assert_false(mcast_addr_is_unicast(&x));
	x = A("::");
	assert_true(mcast_addr_is_unspecified(&x));
	assert_false(mcast_addr_is_v4(&x));
	x = A("240.0.0.1");
	assert_false(mcast_addr_is_unicast(&x));
}

/* The address rules' two predicates (docs/wire.md, "Address rules"). */
static void test_valid_source_and_local_group(void **state)
{
	(void)state;
	static const char *const valid[] = { "10.0.0.5", "1.0.0.0", "223.255.255.255", "169.254.1.1",
					      "2001:db8::1", "fe80::1", "::2", "fc00::1" };
	static const char *const invalid[] = { "0.0.0.0", "0.1.2.3", "127.0.0.1", "127.255.0.9",
					       "224.1.1.1", "239.255.255.250", "240.0.0.1",
					       "255.255.255.255", "::", "::1", "ff0e::99", "ff02::1" };
	for (size_t i = 0; i < sizeof(valid) / sizeof(valid[0]); i++) {
		struct mcast_addr x = A(valid[i]);
		if (!mcast_addr_is_valid_source(&x))
			fail_msg("%s should be a valid source", valid[i]);
	}
	for (size_t i = 0; i < sizeof(invalid) / sizeof(invalid[0]); i++) {
		struct mcast_addr x = A(invalid[i]);
		if (mcast_addr_is_valid_source(&x))
			fail_msg("%s should not be a valid source", invalid[i]);
	}
	static const char *const local[] = { "224.0.0.1", "224.0.0.22", "224.0.0.255", "ff02::1",
					     "ff02::1:ff00:1", "ff01::2", "ff00::5", "ff32::9", "ff12::3" };
	static const char *const routed[] = { "224.0.1.1", "223.0.0.1", "239.255.0.1", "232.1.1.1",
					      "ff05::9", "ff0e::1", "ff3e::8000:1", "ff15::1", "10.0.0.1" };
	for (size_t i = 0; i < sizeof(local) / sizeof(local[0]); i++) {
		struct mcast_addr x = A(local[i]);
		if (!mcast_addr_is_local_group(&x))
			fail_msg("%s should be a link-local group", local[i]);
	}
	for (size_t i = 0; i < sizeof(routed) / sizeof(routed[0]); i++) {
		struct mcast_addr x = A(routed[i]);
		if (mcast_addr_is_local_group(&x))
			fail_msg("%s should not be a link-local group", routed[i]);
	}
}

static void test_compare_hash(void **state)
{
	(void)state;
	struct mcast_addr a = A("10.0.0.1"), b = A("10.0.0.2"), c = A("::1"), d = A("ff02::1");
	assert_true(mcast_addr_cmp(&a, &b) < 0);
	assert_true(mcast_addr_cmp(&b, &a) > 0);
	assert_int_equal(mcast_addr_cmp(&a, &a), 0);
	/* v4-mapped sorts between ::1 and ff02::1 (byte order). */
	assert_true(mcast_addr_cmp(&c, &a) < 0);
	assert_true(mcast_addr_cmp(&a, &d) < 0);
	assert_int_equal(mcast_addr_hash(&a, 1), mcast_addr_hash(&a, 1));
	assert_int_not_equal(mcast_addr_hash(&a, 1), mcast_addr_hash(&b, 1));
	assert_int_not_equal(mcast_addr_hash(&a, 1), mcast_addr_hash(&a, 2));
	assert_int_not_equal(mcast_addr_hash2(&a, &b, 7), mcast_addr_hash2(&b, &a, 7));
	/* Sequential addresses spread over the low bits (bucket index). */
	unsigned used[256] = { 0 };
	for (uint32_t i = 0; i < 4096; i++) {
		struct mcast_addr x;
		mcast_addr_from_u32(&x, 0xe0000000u + i);
		used[mcast_addr_hash(&x, 99) & 255]++;
	}
	for (int i = 0; i < 256; i++)
		assert_in_range(used[i], 1, 40);
	uint8_t w[16];
	assert_int_equal(mcast_addr_wire(&a, w), 4);
	assert_memory_equal(w, "\x0a\x00\x00\x01", 4);
	assert_int_equal(mcast_addr_wire(&d, w), 16);
}

static uint64_t splitmix_final(uint64_t x)
{
	x ^= x >> 30;
	x *= 0xbf58476d1ce4e5b9ull;
	x ^= x >> 27;
	x *= 0x94d049bb133111ebull;
	return x ^ (x >> 31);
}

/* A sender cannot make IPv6 addresses collide in every table: with the
 * high half mixed without the seed (the first version), addresses whose
 * lo ^ mix(hi ^ c) agree collided for any seed. Here 64 such groups,
 * built offline, must spread like any others. */
static void test_hash_needs_seed(void **state)
{
	(void)state;
	const uint64_t c = 0x9e3779b97f4a7c15ull;
	struct mcast_addr g[64];
	uint64_t target = 0x1122334455667788ull;
	for (int i = 0; i < 64; i++) {
		uint64_t hi = 0xff0e000000000000ull | (uint64_t)(i + 1), lo = target ^ splitmix_final(hi ^ c);
		for (int k = 0; k < 8; k++) {
			g[i].b[k] = (uint8_t)(hi >> (8 * k)); /* as memcpy loads it on a little-endian host */
			g[i].b[8 + k] = (uint8_t)(lo >> (8 * k));
		}
	}
	for (uint64_t seed = 1; seed <= 3; seed++) {
		unsigned used[64] = { 0 }, worst = 0;
		for (int i = 0; i < 64; i++) {
			unsigned b = (unsigned)(mcast_addr_hash(&g[i], seed) & 63);
			if (++used[b] > worst)
				worst = used[b];
		}
		assert_in_range(worst, 1, 8); /* 64 balls in 64 bins; all 64 in one before */
	}
}

static void test_prefix(void **state)
{
	(void)state;
	struct mcast_prefix p;
	char buf[64];
	assert_int_equal(mcast_prefix_parse(&p, "232.0.0.0/8"), 0);
	assert_int_equal(p.len, 8);
	struct mcast_addr x = A("232.255.0.1"), y = A("233.0.0.1"), z = A("ff3e::1");
	assert_true(mcast_prefix_contains(&p, &x));
	assert_false(mcast_prefix_contains(&p, &y));
	assert_false(mcast_prefix_contains(&p, &z));
	assert_string_equal(mcast_prefix_str(&p, buf, sizeof(buf)), "232.0.0.0/8");
	assert_int_equal(mcast_prefix_parse(&p, "ff30::/12"), 0);
	assert_true(mcast_prefix_contains(&p, &z));
	assert_int_equal(mcast_prefix_parse(&p, "10.0.0.1"), 0);
	assert_int_equal(p.len, 32);
	assert_int_equal(mcast_prefix_parse(&p, "0.0.0.0/0"), 0);
	assert_true(mcast_prefix_contains(&p, &x));
	assert_false(mcast_prefix_contains(&p, &z));
	const char *bad[] = { "232.0.0.0/33", "232.0.0.1/8", "ff30::/129", "1.2.3.4/", "1.2.3.4/x",
			      "/8", "ff31::/8", NULL };
	for (int i = 0; bad[i]; i++)
		assert_int_equal(mcast_prefix_parse(&p, bad[i]), -EINVAL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse_print_v4),
		cmocka_unit_test(test_parse_print_v6),
		cmocka_unit_test(test_against_libc),
		cmocka_unit_test(test_predicates),
		cmocka_unit_test(test_valid_source_and_local_group),
		cmocka_unit_test(test_compare_hash),
		cmocka_unit_test(test_hash_needs_seed),
		cmocka_unit_test(test_prefix),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
