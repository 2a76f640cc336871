/* SPDX-License-Identifier: MIT */
/* Helpers shared by the core unit tests: a fake clock, scripted ops. */
#ifndef UDAMON_CORE_TEST_UTIL_H
#define UDAMON_CORE_TEST_UTIL_H

#include <stdlib.h>
#include <string.h>

#include "udamon/udamon.h"
#include "core/internal.h"

#define P 4096ULL

/* Time moves only when the engine sleeps. */
struct fake_clock {
	uint64_t ns;
};

static inline uint64_t fake_now(void *data)
{
	return ((struct fake_clock *)data)->ns;
}

static inline void fake_sleep(void *data, uint64_t us)
{
	((struct fake_clock *)data)->ns += us * 1000;
}

static inline void use_fake_clock(struct udamon_ctx *ctx,
				  struct fake_clock *c)
{
	ctx->clock.now_ns = fake_now;
	ctx->clock.cpu_ns = NULL;	/* no CPU budget on a simulated clock */
	ctx->clock.sleep_us = fake_sleep;
	ctx->clock.data = c;
}

/* Scripted ops: counts calls; check() decides the accesses. */
struct script {
	void (*check)(struct udamon_ctx *ctx, struct script *s);
	void *data;
	unsigned int nr_init, nr_update, nr_prepare, nr_check, nr_cleanup;
	bool invalid;
	bool sampling_ok;	/* every sampling address was in its region */
};

static inline int script_init(struct udamon_ctx *ctx)
{
	((struct script *)ctx->ops_data)->nr_init++;
	return 0;
}

static inline int script_update(struct udamon_ctx *ctx)
{
	((struct script *)ctx->ops_data)->nr_update++;
	return 0;
}

static inline int script_prepare(struct udamon_ctx *ctx)
{
	struct script *s = ctx->ops_data;

	s->nr_prepare++;
	for (size_t i = 0; i < ctx->nr_targets; i++)
		for (size_t j = 0; j < ctx->targets[i].nr_regions; j++) {
			struct udamon_region *r = &ctx->targets[i].regions[j];

			if (r->sampling_addr < r->start ||
			    r->sampling_addr >= r->end)
				s->sampling_ok = false;
		}
	return 0;
}

static inline int script_check(struct udamon_ctx *ctx)
{
	struct script *s = ctx->ops_data;

	s->nr_check++;
	if (s->check)
		s->check(ctx, s);
	return 0;
}

static inline bool script_valid(struct udamon_ctx *ctx, struct udamon_target *t)
{
	return !((struct script *)ctx->ops_data)->invalid;
}

static inline void script_cleanup(struct udamon_ctx *ctx)
{
	((struct script *)ctx->ops_data)->nr_cleanup++;
}

static const struct udamon_ops script_ops __attribute__((unused)) = {
	.name = "script",
	.init = script_init,
	.update = script_update,
	.prepare_access_checks = script_prepare,
	.check_accesses = script_check,
	.target_valid = script_valid,
	.cleanup = script_cleanup,
};

/* A ctx on scripted ops with one target of the given page ranges. */
static inline struct udamon_ctx *script_ctx(struct script *s,
					    struct fake_clock *c,
					    const struct udamon_range *pages,
					    size_t n)
{
	struct udamon_ctx *ctx = udamon_ctx_new();
	struct udamon_range rg[64];

	memset(s, 0, sizeof(*s));
	s->sampling_ok = true;
	ctx->ops = &script_ops;
	ctx->ops_data = s;
	use_fake_clock(ctx, c);
	udamon_ctx_add_target(ctx, 0);
	for (size_t i = 0; i < n; i++)
		rg[i] = (struct udamon_range){ pages[i].start * P,
					       pages[i].end * P };
	udamon_target_set_regions(&ctx->targets[0], rg, n);
	return ctx;
}

static inline void set_intervals(struct udamon_ctx *ctx, uint64_t sample,
				 uint64_t aggr, uint64_t update, uint64_t min,
				 uint64_t max)
{
	struct udamon_attrs a = ctx->attrs;

	a.sample_us = sample;
	a.aggr_us = aggr;
	a.ops_update_us = update;
	a.min_nr_regions = min;
	a.max_nr_regions = max;
	udamon_ctx_set_attrs(ctx, &a);
}

/* Keeps a copy of the last snapshot and counts them. */
#define MAX_SNAP_REGIONS 4096
struct snaps {
	unsigned int count;
	struct udamon_snapshot last;
	struct udamon_snapshot_region regions[MAX_SNAP_REGIONS];
	uint32_t cpus[MAX_SNAP_REGIONS][4];
	size_t min_regions, max_regions;
	uint64_t hash;
};

static inline void snap_fn(struct udamon_ctx *ctx, size_t idx,
		    const struct udamon_snapshot *s, void *data)
{
	struct snaps *sn = data;

	sn->count++;
	sn->last = *s;
	if (!sn->min_regions || s->nr_regions < sn->min_regions)
		sn->min_regions = s->nr_regions;
	if (s->nr_regions > sn->max_regions)
		sn->max_regions = s->nr_regions;
	for (size_t i = 0; i < s->nr_regions && i < MAX_SNAP_REGIONS; i++) {
		sn->regions[i] = s->regions[i];
		sn->regions[i].cpu_samples = NULL;
		if (s->regions[i].cpu_samples)
			memcpy(sn->cpus[i], s->regions[i].cpu_samples,
			       (ctx->nr_cpus < 4 ? ctx->nr_cpus : 4) *
			       sizeof(uint32_t));
		sn->hash = sn->hash * 1000003 ^ s->regions[i].start ^
			((uint64_t)s->regions[i].nr_accesses << 40) ^
			((uint64_t)s->regions[i].age << 52);
	}
	sn->last.regions = sn->regions;
}

static inline void collect(struct udamon_ctx *ctx, struct snaps *sn)
{
	memset(sn, 0, sizeof(*sn));
	ctx->on_snapshot = snap_fn;
	ctx->on_snapshot_data = sn;
}

#endif
