/* Unit tests for src/wire/code.c: the floating-point codes of RFC 3376
 * 4.1.1/4.1.7 and RFC 3810 5.1.3/5.1.9, exhaustively and at every
 * boundary. */
#include "testutil.h"

static void test_code8_boundaries(void **state)
{
	(void)state;
	const struct { uint32_t v; uint8_t code; uint32_t back; } cases[] = {
		{ 0, 0x00, 0 },       { 1, 0x01, 1 },       { 127, 0x7f, 127 },
		{ 128, 0x80, 128 },   { 129, 0x80, 128 },   { 135, 0x80, 128 },
		{ 136, 0x81, 136 },   { 248, 0x8f, 248 },   { 255, 0x8f, 248 },
		{ 256, 0x90, 256 },   { 271, 0x90, 256 },   { 272, 0x91, 272 },
		{ 1000, 0xaf, 992 },  { 3000, 0xc7, 2944 }, { 30720, 0xfe, 30720 },
		{ 31743, 0xfe, 30720 }, { 31744, 0xff, 31744 }, { 1000000, 0xff, 31744 },
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		assert_int_equal(mcast_code8_encode(cases[i].v), cases[i].code);
		assert_int_equal(mcast_code8_decode(cases[i].code), cases[i].back);
	}
	/* RFC 3376 8.2: the default Query Response Interval 100 (10 s) and
	 * Query Interval 125 s are literal codes. */
	assert_int_equal(mcast_code8_encode(100), 100);
	assert_int_equal(mcast_code8_encode(125), 125);
}

static void test_code8_exhaustive(void **state)
{
	(void)state;
	for (unsigned c = 0; c < 256; c++) {
		assert_int_equal(mcast_code8_encode(mcast_code8_decode((uint8_t)c)), c);
		if (c)
			assert_true(mcast_code8_decode((uint8_t)c) > mcast_code8_decode((uint8_t)(c - 1)));
	}
	/* Every value encodes to the largest code not above it. */
	for (uint32_t v = 0; v < 40000; v++) {
		uint8_t c = mcast_code8_encode(v);
		assert_true(mcast_code8_decode(c) <= v);
		if (c < 0xff)
			assert_true(mcast_code8_decode((uint8_t)(c + 1)) > v);
	}
}

static void test_code16_boundaries(void **state)
{
	(void)state;
	const struct { uint32_t v; uint16_t code; uint32_t back; } cases[] = {
		{ 0, 0x0000, 0 },           { 10000, 0x2710, 10000 },   { 32767, 0x7fff, 32767 },
		{ 32768, 0x8000, 32768 },   { 32775, 0x8000, 32768 },   { 32776, 0x8001, 32776 },
		{ 60000, 0x8d4c, 60000 },   { 65535, 0x8fff, 65528 },   { 65536, 0x9000, 65536 },
		{ 8386560, 0xfffe, 8386560 }, { 8387583, 0xfffe, 8386560 },
		{ 8387584, 0xffff, 8387584 }, { 0xffffffffu, 0xffff, 8387584 },
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		assert_int_equal(mcast_code16_encode(cases[i].v), cases[i].code);
		assert_int_equal(mcast_code16_decode(cases[i].code), cases[i].back);
	}
}

static void test_code16_exhaustive(void **state)
{
	(void)state;
	for (uint32_t c = 0; c < 65536; c++) {
		assert_int_equal(mcast_code16_encode(mcast_code16_decode((uint16_t)c)), c);
		if (c)
			assert_true(mcast_code16_decode((uint16_t)c) >
				    mcast_code16_decode((uint16_t)(c - 1)));
	}
	for (uint32_t v = 0; v < 9000000; v += 7) {
		uint16_t c = mcast_code16_encode(v);
		assert_true(mcast_code16_decode(c) <= v);
		if (c < 0xffff)
			assert_true(mcast_code16_decode((uint16_t)(c + 1)) > v);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_code8_boundaries),
		cmocka_unit_test(test_code8_exhaustive),
		cmocka_unit_test(test_code16_boundaries),
		cmocka_unit_test(test_code16_exhaustive),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
