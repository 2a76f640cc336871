// SPDX-License-Identifier: MIT
/*
 * Adaptive regions: age, merge and split at the aggregation boundary
 * (docs/ARCHITECTURE.md, "The monitoring engine").
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "udamon/udamon.h"
#include "core/internal.h"

#define ALIGN_DOWN(x, a)	((x) / (a) * (a))

typedef unsigned __int128 u128;

static uint64_t sz_of(const struct udamon_region *r)
{
	return r->end - r->start;
}

static unsigned int diff(unsigned int a, unsigned int b)
{
	return a > b ? a - b : b - a;
}

void udamon_core_update_age(struct udamon_region *r, unsigned int thres)
{
	if (diff(r->nr_accesses, r->last_nr_accesses) > thres)
		r->age = 0;
	else if ((r->nr_accesses == 0) != (r->last_nr_accesses == 0))
		r->age = 0;
	else
		r->age++;
}

static unsigned int weighted(uint64_t a, uint64_t sa, uint64_t b, uint64_t sb)
{
	return (unsigned int)(((u128)a * sa + (u128)b * sb) / ((u128)sa + sb));
}

/* Merge r into l (l is left of and touching r); r's memory is released. */
void udamon_core_merge_two(const struct udamon_ctx *ctx,
			   struct udamon_region *l, struct udamon_region *r)
{
	uint64_t sl = sz_of(l), sr = sz_of(r);

	l->nr_accesses = weighted(l->nr_accesses, sl, r->nr_accesses, sr);
	l->nr_accesses_bp = l->nr_accesses * 10000;
	l->age = weighted(l->age, sl, r->age, sr);
	l->accessed = l->accessed || r->accessed;
	if (!l->armed && r->armed) {	/* keep a page armed for the next check */
		l->sampling_addr = r->sampling_addr;
		l->armed = r->armed;
		l->armed_ns = r->armed_ns;
	}
	if (l->cpu_samples || r->cpu_samples) {
		if (!l->cpu_samples) {	/* a missing array counts as zeros */
			l->cpu_samples = r->cpu_samples;
			r->cpu_samples = NULL;
			for (unsigned int c = 0; c < ctx->nr_cpus; c++)
				l->cpu_samples[c] = weighted(0, sl,
						l->cpu_samples[c], sr);
		} else {
			for (unsigned int c = 0; c < ctx->nr_cpus; c++)
				l->cpu_samples[c] = weighted(l->cpu_samples[c],
					sl, r->cpu_samples ? r->cpu_samples[c] : 0,
					sr);
		}
	}
	l->end = r->end;
	free(r->cpu_samples);
	r->cpu_samples = NULL;
}

void udamon_core_merge_target(struct udamon_ctx *ctx, struct udamon_target *t,
			      unsigned int thres, uint64_t sz_limit)
{
	size_t w = 0;

	for (size_t i = 0; i < t->nr_regions; i++) {
		struct udamon_region *prev = w ? &t->regions[w - 1] : NULL;
		struct udamon_region *r = &t->regions[i];

		/* as the kernel: the age moves on every merge pass */
		udamon_core_update_age(r, thres);
		if (prev && prev->end == r->start &&
		    diff(prev->nr_accesses, r->nr_accesses) <= thres &&
		    sz_of(prev) + sz_of(r) <= sz_limit) {
			udamon_core_merge_two(ctx, prev, r);
			continue;
		}
		if (w != i)
			t->regions[w] = *r;
		w++;
	}
	t->nr_regions = w;
}

static size_t count_regions(const struct udamon_ctx *ctx)
{
	size_t n = 0;

	for (size_t i = 0; i < ctx->nr_targets; i++)
		n += ctx->targets[i].nr_regions;
	return n;
}

void udamon_core_merge(struct udamon_ctx *ctx, unsigned int thres,
		       uint64_t sz_limit)
{
	unsigned int max_thres = udamon_core_aggr_samples(&ctx->attrs);
	size_t nr;

	do {
		for (size_t i = 0; i < ctx->nr_targets; i++)
			udamon_core_merge_target(ctx, &ctx->targets[i], thres,
						 sz_limit);
		nr = count_regions(ctx);
		thres = thres ? thres * 2 : 1;
	} while (nr > ctx->attrs.max_nr_regions && thres / 2 < max_thres);
}

int udamon_core_split_at(const struct udamon_ctx *ctx, struct udamon_region *r,
			 uint64_t sz_left, struct udamon_region *right)
{
	*right = *r;
	right->start = r->start + sz_left;
	right->sampling_addr = right->start;
	right->armed = 0;
	right->cpu_samples = NULL;
	if (r->cpu_samples && ctx->nr_cpus) {
		right->cpu_samples = malloc(ctx->nr_cpus * sizeof(uint32_t));
		if (!right->cpu_samples)
			return -ENOMEM;
		memcpy(right->cpu_samples, r->cpu_samples,
		       ctx->nr_cpus * sizeof(uint32_t));
	}
	r->end = right->start;
	if (r->sampling_addr >= r->end) {
		/* an armed page goes with the piece it lies in */
		if (r->armed) {
			right->sampling_addr = r->sampling_addr;
			right->armed = r->armed;
		}
		r->sampling_addr = r->start;
		r->armed = 0;
	}
	return 0;
}

/*
 * Split r into up to nr_pieces, like the kernel: cut the left piece at a
 * random 10%..90% point (aligned down to MIN) and keep cutting the left
 * part. Writes the pieces in address order to out; returns their number.
 */
static long split_region(struct udamon_ctx *ctx, struct udamon_region *r,
			 unsigned int nr_pieces, struct udamon_region *out)
{
	struct udamon_region right[3];
	unsigned int nr_right = 0;
	uint64_t sz = sz_of(r), orig_end = r->end;

	for (unsigned int i = 0; i + 1 < nr_pieces &&
	     sz > 2 * UDAMON_MIN_REGION; i++) {
		uint64_t k = udamon_rng_range(&ctx->rng, 1, 10);
		uint64_t sub = ALIGN_DOWN((uint64_t)((u128)k * sz / 10),
					  UDAMON_MIN_REGION);

		if (sub == 0 || sub >= sz || sz - sub < UDAMON_MIN_REGION)
			continue;
		if (udamon_core_split_at(ctx, r, sub, &right[nr_right])) {
			while (nr_right)
				free(right[--nr_right].cpu_samples);
			r->end = orig_end;
			return -ENOMEM;
		}
		nr_right++;
		sz = sub;
	}
	out[0] = *r;
	for (unsigned int i = 0; i < nr_right; i++)
		out[1 + i] = right[nr_right - 1 - i];
	return 1 + nr_right;
}

int udamon_core_split_target(struct udamon_ctx *ctx, struct udamon_target *t,
			     unsigned int nr_pieces)
{
	struct udamon_region *arr;
	size_t n = 0, cap;
	int err = 0;

	if (nr_pieces < 2)
		return 0;
	if (nr_pieces > 3)
		nr_pieces = 3;
	cap = t->nr_regions * nr_pieces + 1;
	arr = calloc(cap, sizeof(*arr));
	if (!arr)
		return -ENOMEM;
	for (size_t i = 0; i < t->nr_regions; i++) {
		long got = split_region(ctx, &t->regions[i], nr_pieces,
					&arr[n]);

		if (got < 0) {
			/* keep what was split so far; the rest stays whole */
			for (size_t j = i; j < t->nr_regions; j++)
				arr[n++] = t->regions[j];
			err = -ENOMEM;
			break;
		}
		n += (size_t)got;
	}
	free(t->regions);
	t->regions = arr;
	t->nr_regions = n;
	t->cap_regions = cap;
	return err;
}

int udamon_core_split(struct udamon_ctx *ctx)
{
	size_t nr = count_regions(ctx);
	unsigned int pieces = 2;
	int err = 0;

	if (!ctx->nr_targets || nr > ctx->attrs.max_nr_regions / 2)
		return 0;
	/* the count did not change since the last split: try 3 pieces */
	if (nr == ctx->targets[0].nr_regions_at_split &&
	    nr < ctx->attrs.max_nr_regions / 3)
		pieces = 3;
	for (size_t i = 0; i < ctx->nr_targets && !err; i++)
		err = udamon_core_split_target(ctx, &ctx->targets[i], pieces);
	for (size_t i = 0; i < ctx->nr_targets; i++)
		ctx->targets[i].nr_regions_at_split = (unsigned int)nr;
	return err;
}
