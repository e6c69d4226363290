/*
 * DOC: addresses
 *
 * struct mcast_addr holds both families in 16 bytes, IPv4 as v4-mapped
 * (RFC 4291 2.5.5.2), as omcproxy does. Parsing and printing are done
 * here rather than with inet_pton/inet_ntop so that the core needs no
 * networking library; the unit tests check both against the C library.
 * Printing follows RFC 5952 (lowercase, longest run of two or more zero
 * groups shortened, the first of equal runs).
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "mcast/core.h"
#include "core/addr.h"

#define V4M(a, b, c, d) \
	{ { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, (a), (b), (c), (d) } }

const struct mcast_addr mcast_addr_any4 = V4M(0, 0, 0, 0);
const struct mcast_addr mcast_addr_any6 = { { 0 } };
const struct mcast_addr mcast_addr_all_systems = V4M(224, 0, 0, 1);
const struct mcast_addr mcast_addr_all_routers4 = V4M(224, 0, 0, 2);
const struct mcast_addr mcast_addr_igmpv3_routers = V4M(224, 0, 0, 22);
const struct mcast_addr mcast_addr_all_nodes = { { 0xff, 0x02, [15] = 1 } };
const struct mcast_addr mcast_addr_all_routers6 = { { 0xff, 0x02, [15] = 2 } };
const struct mcast_addr mcast_addr_mldv2_routers = { { 0xff, 0x02, [15] = 0x16 } };

static const uint8_t v4_prefix[12] = { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff };

void mcast_addr_from_in4(struct mcast_addr *a, const uint8_t in4[4])
{
	memcpy(a->b, v4_prefix, 12);
	memcpy(a->b + 12, in4, 4);
}

void mcast_addr_from_in6(struct mcast_addr *a, const uint8_t in6[16])
{
	memcpy(a->b, in6, 16);
}

void mcast_addr_from_u32(struct mcast_addr *a, uint32_t v4)
{
	uint8_t b[4] = { (uint8_t)(v4 >> 24), (uint8_t)(v4 >> 16), (uint8_t)(v4 >> 8),
			 (uint8_t)v4 };
	mcast_addr_from_in4(a, b);
}

uint32_t mcast_addr_u32(const struct mcast_addr *a)
{
	if (!addr_is_v4(a))
		return 0;
	return (uint32_t)a->b[12] << 24 | (uint32_t)a->b[13] << 16 | (uint32_t)a->b[14] << 8 |
	       a->b[15];
}

uint32_t mcast_addr_u32_proc(const struct mcast_addr *a)
{
	const uint8_t *b = a->b + 12;
	return (uint32_t)b[0] | (uint32_t)b[1] << 8 | (uint32_t)b[2] << 16 | (uint32_t)b[3] << 24;
}

size_t mcast_addr_wire(const struct mcast_addr *a, uint8_t out[16])
{
	if (addr_is_v4(a)) {
		memcpy(out, a->b + 12, 4);
		return 4;
	}
	memcpy(out, a->b, 16);
	return 16;
}

bool mcast_addr_is_v4(const struct mcast_addr *a)
{
	return addr_is_v4(a);
}

enum mcast_family mcast_addr_family(const struct mcast_addr *a)
{
	return addr_family(a);
}

/* ---- parsing ----------------------------------------------------------- */

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* Dotted quad, four decimal parts 0..255, no leading zeros (as inet_pton). */
static int parse_v4(const char *s, size_t n, uint8_t out[4])
{
	size_t i = 0;
	for (int part = 0; part < 4; part++) {
		unsigned v = 0, digits = 0;
		if (part > 0) {
			if (i >= n || s[i] != '.')
				return -EINVAL;
			i++;
		}
		while (i < n && s[i] >= '0' && s[i] <= '9') {
			if (digits == 1 && v == 0)
				return -EINVAL; /* leading zero */
			v = v * 10 + (unsigned)(s[i] - '0');
			if (v > 255)
				return -EINVAL;
			digits++;
			i++;
		}
		if (digits == 0)
			return -EINVAL;
		out[part] = (uint8_t)v;
	}
	return i == n ? 0 : -EINVAL;
}

static int parse_v6(const char *s, size_t n, uint8_t out[16])
{
	uint16_t words[8];
	int nwords = 0, gap = -1;
	size_t i = 0;

	if (n >= 2 && s[0] == ':' && s[1] == ':') {
		gap = 0;
		i = 2;
		if (i == n)
			goto done;
	} else if (n >= 1 && s[0] == ':') {
		return -EINVAL;
	}
	for (;;) {
		size_t start = i;
		unsigned v = 0;
		int digits = 0;
		while (i < n && hexval(s[i]) >= 0 && digits < 5) {
			v = v << 4 | (unsigned)hexval(s[i]);
			digits++;
			i++;
		}
		if (digits == 0 || digits > 4)
			return -EINVAL;
		if (i < n && s[i] == '.') {
			/* Embedded IPv4 in the last 32 bits. */
			if (nwords > 6)
				return -EINVAL;
			uint8_t v4[4];
			if (parse_v4(s + start, n - start, v4) < 0)
				return -EINVAL;
			words[nwords++] = (uint16_t)(v4[0] << 8 | v4[1]);
			words[nwords++] = (uint16_t)(v4[2] << 8 | v4[3]);
			i = n;
			break;
		}
		if (nwords >= 8)
			return -EINVAL;
		words[nwords++] = (uint16_t)v;
		if (i == n)
			break;
		if (s[i] != ':')
			return -EINVAL;
		i++;
		if (i < n && s[i] == ':') {
			if (gap >= 0)
				return -EINVAL; /* two "::" */
			gap = nwords;
			i++;
			if (i == n)
				break;
		} else if (i == n) {
			return -EINVAL; /* trailing single colon */
		}
	}
done:
	if (gap < 0 && nwords != 8)
		return -EINVAL;
	if (gap >= 0 && nwords > 7)
		return -EINVAL;
	memset(out, 0, 16);
	int tail = gap < 0 ? 0 : nwords - gap;
	int head = gap < 0 ? nwords : gap;
	for (int k = 0; k < head; k++) {
		out[2 * k] = (uint8_t)(words[k] >> 8);
		out[2 * k + 1] = (uint8_t)words[k];
	}
	for (int k = 0; k < tail; k++) {
		int pos = 8 - tail + k;
		out[2 * pos] = (uint8_t)(words[head + k] >> 8);
		out[2 * pos + 1] = (uint8_t)words[head + k];
	}
	return 0;
}

int mcast_addr_parse_n(struct mcast_addr *a, const char *s, size_t n)
{
	uint8_t buf[16];
	if (!s || n == 0 || n >= MCAST_ADDR_STRLEN)
		return -EINVAL;
	if (memchr(s, ':', n)) {
		if (parse_v6(s, n, buf) < 0)
			return -EINVAL;
		mcast_addr_from_in6(a, buf);
		return 0;
	}
	if (parse_v4(s, n, buf) < 0)
		return -EINVAL;
	mcast_addr_from_in4(a, buf);
	return 0;
}

int mcast_addr_parse(struct mcast_addr *a, const char *s)
{
	return s ? mcast_addr_parse_n(a, s, strlen(s)) : -EINVAL;
}

/* ---- printing ---------------------------------------------------------- */

char *mcast_addr_str(const struct mcast_addr *a, char buf[MCAST_ADDR_STRLEN])
{
	if (addr_is_v4(a)) {
		snprintf(buf, MCAST_ADDR_STRLEN, "%u.%u.%u.%u", a->b[12], a->b[13], a->b[14],
			 a->b[15]);
		return buf;
	}
	unsigned w[8];
	for (int i = 0; i < 8; i++)
		w[i] = (unsigned)a->b[2 * i] << 8 | a->b[2 * i + 1];
	/* Longest run of zero words, at least two long (RFC 5952 4.2.2). */
	int best = -1, bestlen = 0;
	for (int i = 0; i < 8;) {
		if (w[i] != 0) {
			i++;
			continue;
		}
		int j = i;
		while (j < 8 && w[j] == 0)
			j++;
		if (j - i > bestlen && j - i >= 2) {
			best = i;
			bestlen = j - i;
		}
		i = j;
	}
	char *p = buf;
	size_t left = MCAST_ADDR_STRLEN;
	for (int i = 0; i < 8; i++) {
		if (i == best) {
			int k = snprintf(p, left, "::");
			p += k;
			left -= (size_t)k;
			i += bestlen - 1;
			continue;
		}
		int k = snprintf(p, left, "%s%x", (i > 0 && i != best + bestlen) ? ":" : "", w[i]);
		p += k;
		left -= (size_t)k;
	}
	return buf;
}

/* ---- compare and hash -------------------------------------------------- */

int mcast_addr_cmp(const struct mcast_addr *a, const struct mcast_addr *b)
{
	return addr_cmp(a, b);
}

/*
 * Each 64-bit half enters the state, seed included, before a full mix:
 * the state after the first half is unknown without the seed, so a
 * sender cannot choose addresses that collide whatever the seed is (the
 * first version mixed the high half without the seed, so two IPv6
 * addresses with lo ^ mix(hi) equal collided in every table). An IPv4
 * address (high half zero: ::ffff:a.b.c.d) is mixed once; an IPv6 one
 * with a zero high half is too, which keeps it distinct from the IPv4
 * addresses since its low half differs.
 */
static inline uint64_t absorb(uint64_t h, const struct mcast_addr *a)
{
	uint64_t hi, lo;
	memcpy(&hi, a->b, 8);
	memcpy(&lo, a->b + 8, 8);
	if (hi)
		h = addr_mix64(h ^ hi);
	return addr_mix64(h ^ lo);
}

uint64_t mcast_addr_hash(const struct mcast_addr *a, uint64_t seed)
{
	return absorb(seed, a);
}

uint64_t mcast_addr_hash2(const struct mcast_addr *a, const struct mcast_addr *b,
			  uint64_t seed)
{
	return absorb(absorb(seed, a), b);
}

/* ---- predicates -------------------------------------------------------- */

bool mcast_addr_is_unspecified(const struct mcast_addr *a)
{
	return mcast_addr_eq(a, &mcast_addr_any4) || mcast_addr_eq(a, &mcast_addr_any6);
}

bool mcast_addr_is_multicast(const struct mcast_addr *a)
{
	return addr_is_multicast(a);
}

bool mcast_addr_is_link_local(const struct mcast_addr *a)
{
	if (addr_is_v4(a))
		return a->b[12] == 169 && a->b[13] == 254;
	return a->b[0] == 0xfe && (a->b[1] & 0xc0) == 0x80;
}

bool mcast_addr_is_link_local_mcast(const struct mcast_addr *a)
{
	if (addr_is_v4(a))
		return a->b[12] == 224 && a->b[13] == 0 && a->b[14] == 0;
	return a->b[0] == 0xff && (a->b[1] & 0x0f) == 2;
}

bool mcast_addr_is_unicast(const struct mcast_addr *a)
{
	if (mcast_addr_is_unspecified(a) || addr_is_multicast(a))
		return false;
	if (addr_is_v4(a))
		return a->b[12] < 240 && a->b[12] != 0; /* not class E, not 0/8 */
	return true;
}

bool mcast_addr_is_valid_source(const struct mcast_addr *a)
{
	if (!mcast_addr_is_unicast(a))
		return false;
	if (addr_is_v4(a))
		return a->b[12] != 127;
	static const uint8_t loopback6[16] = { [15] = 1 };
	return memcmp(a->b, loopback6, 16) != 0;
}

bool mcast_addr_is_local_group(const struct mcast_addr *a)
{
	if (!addr_is_multicast(a))
		return false;
	if (addr_is_v4(a))
		return mcast_addr_is_link_local_mcast(a);
	return (a->b[1] & 0x0f) <= 2;
}

unsigned mcast_addr_scope(const struct mcast_addr *a)
{
	if (!addr_is_multicast(a))
		return 0;
	if (!addr_is_v4(a))
		return a->b[1] & 0x0f;
	if (a->b[12] == 224 && a->b[13] == 0 && a->b[14] == 0)
		return 2;
	if (a->b[12] == 239 && a->b[13] == 255)
		return 5;
	if (a->b[12] == 239)
		return 8;
	return 14;
}

bool mcast_addr_is_ssm_default(const struct mcast_addr *a)
{
	if (addr_is_v4(a))
		return a->b[12] == 232;
	/* ff3x::/32: flags P=1 T=1 ("3"), any scope, plen and prefix zero. */
	return a->b[0] == 0xff && (a->b[1] & 0xf0) == 0x30 && a->b[2] == 0 && a->b[3] == 0;
}

bool mcast_addr_is_never_reported(const struct mcast_addr *a)
{
	if (addr_is_v4(a))
		return mcast_addr_eq(a, &mcast_addr_all_systems);
	if (mcast_addr_eq(a, &mcast_addr_all_nodes))
		return true;
	unsigned scope = mcast_addr_scope(a);
	return addr_is_multicast(a) && scope <= 1;
}

/* ---- prefixes ---------------------------------------------------------- */

static unsigned prefix_bits(const struct mcast_prefix *p)
{
	return addr_is_v4(&p->addr) ? 96u + p->len : p->len;
}

static bool match_bits(const struct mcast_addr *a, const struct mcast_addr *b, unsigned bits)
{
	unsigned full = bits / 8, rest = bits % 8;
	if (memcmp(a->b, b->b, full) != 0)
		return false;
	if (rest == 0)
		return true;
	uint8_t mask = (uint8_t)(0xff << (8 - rest));
	return (a->b[full] & mask) == (b->b[full] & mask);
}

int mcast_prefix_parse(struct mcast_prefix *p, const char *s)
{
	if (!s)
		return -EINVAL;
	const char *slash = strchr(s, '/');
	size_t alen = slash ? (size_t)(slash - s) : strlen(s);
	if (mcast_addr_parse_n(&p->addr, s, alen) < 0)
		return -EINVAL;
	unsigned maxlen = addr_is_v4(&p->addr) ? 32 : 128;
	unsigned len = maxlen;
	if (slash) {
		const char *d = slash + 1;
		if (*d == '\0')
			return -EINVAL;
		len = 0;
		for (; *d; d++) {
			if (*d < '0' || *d > '9')
				return -EINVAL;
			len = len * 10 + (unsigned)(*d - '0');
			if (len > maxlen)
				return -EINVAL;
		}
	}
	p->len = (uint8_t)len;
	/* Reject host bits set beyond the prefix length. */
	struct mcast_addr masked = p->addr;
	unsigned bits = prefix_bits(p);
	for (unsigned i = bits; i < 128; i++)
		masked.b[i / 8] &= (uint8_t)~(0x80 >> (i % 8));
	if (!mcast_addr_eq(&masked, &p->addr))
		return -EINVAL;
	return 0;
}

bool mcast_prefix_contains(const struct mcast_prefix *p, const struct mcast_addr *a)
{
	if (addr_is_v4(&p->addr) != addr_is_v4(a))
		return false;
	return match_bits(&p->addr, a, prefix_bits(p));
}

char *mcast_prefix_str(const struct mcast_prefix *p, char *buf, size_t len)
{
	char a[MCAST_ADDR_STRLEN];
	snprintf(buf, len, "%s/%u", mcast_addr_str(&p->addr, a), p->len);
	return buf;
}
