// SPDX-License-Identifier: MIT
/* Seedable deterministic random numbers: splitmix64. */
#include "udamon/udamon.h"

void udamon_rng_seed(struct udamon_rng *rng, uint64_t seed)
{
	rng->state = seed;
}

uint64_t udamon_rng_next(struct udamon_rng *rng)
{
	uint64_t z;

	rng->state += 0x9e3779b97f4a7c15ULL;
	z = rng->state;
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

uint64_t udamon_rng_range(struct udamon_rng *rng, uint64_t lo, uint64_t hi)
{
	if (hi <= lo)
		return lo;
	/* modulo bias is below 2^-40 for the spans we draw from */
	return lo + udamon_rng_next(rng) % (hi - lo);
}
