/*
 * DOC: floating-point codes
 *
 * RFC 3376 4.1.1 (Max Resp Code) and 4.1.7 (QQIC), RFC 3810 5.1.3
 * (Maximum Response Code) and 5.1.9 (QQIC). Values up to the literal
 * limit encode as themselves; above it, as (mant | 1<<mbits) <<
 * (exp + 3). Encoding picks the smallest exponent whose mantissa fits,
 * which rounds down, and saturates at the largest value.
 */
#include "mcast/wire.h"

uint32_t mcast_code8_decode(uint8_t code)
{
	if (code < 0x80)
		return code;
	uint32_t mant = code & 0x0f, exp = (code >> 4) & 0x07;
	return (mant | 0x10) << (exp + 3);
}

uint8_t mcast_code8_encode(uint32_t value)
{
	if (value < 0x80)
		return (uint8_t)value;
	if (value >= (uint32_t)0x1f << 10)
		return 0xff;
	unsigned exp = 0;
	while ((value >> (exp + 3)) > 0x1f)
		exp++;
	uint32_t mant = (value >> (exp + 3)) - 0x10;
	return (uint8_t)(0x80 | exp << 4 | mant);
}

uint32_t mcast_code16_decode(uint16_t code)
{
	if (code < 0x8000)
		return code;
	uint32_t mant = code & 0x0fff, exp = (code >> 12) & 0x07;
	return (mant | 0x1000) << (exp + 3);
}

uint16_t mcast_code16_encode(uint32_t value)
{
	if (value < 0x8000)
		return (uint16_t)value;
	if (value >= (uint32_t)0x1fff << 10)
		return 0xffff;
	unsigned exp = 0;
	while ((value >> (exp + 3)) > 0x1fff)
		exp++;
	uint32_t mant = (value >> (exp + 3)) - 0x1000;
	return (uint16_t)(0x8000 | exp << 12 | mant);
}
