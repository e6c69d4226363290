/*
 * DOC: random numbers
 *
 * xoshiro256** seeded through splitmix64: small, fast and reproducible,
 * so a simulator run with the same seed draws the same report delays.
 * Not for cryptographic use (hash seeds only need unpredictability by a
 * remote sender, which a seed from the driver's entropy gives).
 */
#include "mcast/core.h"

static uint64_t splitmix64(uint64_t *x)
{
	uint64_t z = (*x += 0x9e3779b97f4a7c15ull);
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

void mcast_rng_seed(struct mcast_rng *r, uint64_t seed)
{
	for (int i = 0; i < 4; i++)
		r->s[i] = splitmix64(&seed);
}

static inline uint64_t rotl(uint64_t x, int k)
{
	return (x << k) | (x >> (64 - k));
}

uint64_t mcast_rng_next(struct mcast_rng *r)
{
	uint64_t *s = r->s;
	uint64_t result = rotl(s[1] * 5, 7) * 9;
	uint64_t t = s[1] << 17;
	s[2] ^= s[0];
	s[3] ^= s[1];
	s[1] ^= s[2];
	s[0] ^= s[3];
	s[2] ^= t;
	s[3] = rotl(s[3], 45);
	return result;
}

uint64_t mcast_rng_below(struct mcast_rng *r, uint64_t bound)
{
	if (bound == 0)
		return 0;
	/* Rejection sampling: discard the top partial range. */
	uint64_t limit = UINT64_MAX - UINT64_MAX % bound;
	uint64_t x;
	do
		x = mcast_rng_next(r);
	while (x >= limit);
	return x % bound;
}
