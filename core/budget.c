// SPDX-License-Identifier: MIT
/*
 * CPU budget: keep the monitor's own CPU time under attrs.cpu_budget_bp of
 * one CPU by lengthening the sample and aggregation intervals together
 * (the samples per aggregation stay), the way auto-tuning changes them:
 * at an aggregation boundary, through udamon_core_apply_attrs(), so every
 * snapshot carries the intervals it was taken with. Well under the budget,
 * the intervals come back toward the user's (never shorter).
 *
 * The monitor's CPU time comes from ctx->clock.cpu_ns (the real clock:
 * CLOCK_PROCESS_CPUTIME_ID); without it there is no budget. It is measured
 * over windows of at least BUDGET_WINDOW_NS of wall time, the first of
 * which starts after init (attaching costs what it costs once) and lasts
 * BUDGET_FIRST_WINDOW_NS only, so that a monitor over its budget from the
 * start is brought under it within a second or so.
 */
#include <stdint.h>

#include "udamon/udamon.h"
#include "core/internal.h"

#define BUDGET_WINDOW_NS	(5ULL * 1000000000ULL)
#define BUDGET_FIRST_WINDOW_NS	(1ULL * 1000000000ULL)
#define MAX_GROW_BP		40000ULL	/* 4x per window */
#define MIN_SHRINK_BP		5000ULL		/* 0.5x per window */
#define MAX_SAMPLE_US		(10ULL * 1000000ULL)

void udamon_core_budget_restart(struct udamon_ctx *ctx)
{
	ctx->budget_wall_ns = 0;
	ctx->budget_first = true;
	ctx->budget_base_sample_us = ctx->attrs.sample_us;
	ctx->budget_floor_us = 0;
}

/* The factor (bp) to apply to the sample interval, 10000: none. */
static uint64_t budget_factor(const struct udamon_ctx *ctx, uint64_t used_bp)
{
	uint64_t budget = ctx->attrs.cpu_budget_bp;
	uint64_t f;

	if (used_bp > budget) {
		f = used_bp * 10000 / budget;
		return f > MAX_GROW_BP ? MAX_GROW_BP : f;
	}
	/* come back only from well under, so as not to oscillate */
	if (used_bp * 2 >= budget ||
	    ctx->attrs.sample_us <= ctx->budget_base_sample_us)
		return 10000;
	/* aim at 70 % of the budget */
	f = used_bp * 10000 * 10 / (budget * 7);
	return f < MIN_SHRINK_BP ? MIN_SHRINK_BP : f;
}

void udamon_core_budget(struct udamon_ctx *ctx)
{
	struct udamon_attrs a = ctx->attrs;
	uint64_t now, cpu, used_bp, f, sample;

	if (!a.cpu_budget_bp || !ctx->clock.cpu_ns || !ctx->clock.now_ns)
		return;
	now = ctx->clock.now_ns(ctx->clock.data);
	cpu = ctx->clock.cpu_ns(ctx->clock.data);
	if (!ctx->budget_wall_ns || now < ctx->budget_wall_ns ||
	    cpu < ctx->budget_cpu_ns) {
		ctx->budget_wall_ns = now;
		ctx->budget_cpu_ns = cpu;
		return;
	}
	if (now - ctx->budget_wall_ns < (ctx->budget_first ?
					 BUDGET_FIRST_WINDOW_NS :
					 BUDGET_WINDOW_NS))
		return;
	ctx->budget_first = false;
	used_bp = (cpu - ctx->budget_cpu_ns) * 10000 /
		  (now - ctx->budget_wall_ns);
	ctx->budget_wall_ns = now;
	ctx->budget_cpu_ns = cpu;
	ctx->stats.budget_used_bp = used_bp;
	f = budget_factor(ctx, used_bp);
	if (f == 10000)
		return;
	sample = a.sample_us * f / 10000;
	if (f < 10000 && sample < ctx->budget_base_sample_us)
		sample = ctx->budget_base_sample_us;
	if (sample > MAX_SAMPLE_US)
		sample = MAX_SAMPLE_US;
	if (sample == a.sample_us)
		return;
	a.aggr_us = sample * udamon_core_aggr_samples(&ctx->attrs);
	a.sample_us = sample;
	/* auto-tuning may not undo a lengthening */
	ctx->budget_floor_us = f > 10000 ||
			       sample > ctx->budget_base_sample_us ? sample : 0;
	ctx->stats.budget_changes++;
	udamon_core_apply_attrs(ctx, &a, false);
}
