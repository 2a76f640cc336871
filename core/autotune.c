// SPDX-License-Identifier: MIT
/*
 * Interval auto-tuning (docs/FIDELITY.md): steer the sample interval so
 * that the observed access events meet intervals_goal.access_bp of the
 * possible ones, at most 2x longer or 0.5x shorter per step.
 */
#include <stdint.h>

#include "udamon/udamon.h"
#include "core/internal.h"

typedef unsigned __int128 u128;

#define FEEDBACK_GOAL		10000ULL
#define FEEDBACK_MIN_INPUT	10000ULL
#define FEEDBACK_LAST_INPUT	100000000ULL

uint64_t udamon_core_feedback(uint64_t last, uint64_t score)
{
	uint64_t d, c;

	if (score == FEEDBACK_GOAL)
		return last;
	if (score >= 2 * FEEDBACK_GOAL)
		return FEEDBACK_MIN_INPUT;
	d = score > FEEDBACK_GOAL ? score - FEEDBACK_GOAL : FEEDBACK_GOAL - score;
	c = (uint64_t)((u128)last * d / FEEDBACK_GOAL);
	if (score > FEEDBACK_GOAL)
		return last - c > FEEDBACK_MIN_INPUT && c < last ?
			last - c : FEEDBACK_MIN_INPUT;
	return last + c < last ? UINT64_MAX : last + c;
}

uint64_t udamon_core_tune_score(const struct udamon_ctx *ctx)
{
	uint64_t l = udamon_core_aggr_samples(&ctx->attrs);
	u128 events = 0, max_events = 0, target;

	for (size_t i = 0; i < ctx->nr_targets; i++) {
		const struct udamon_target *t = &ctx->targets[i];

		for (size_t j = 0; j < t->nr_regions; j++) {
			uint64_t sz = t->regions[j].end - t->regions[j].start;

			events += (u128)sz * t->regions[j].nr_accesses;
			max_events += (u128)sz * l;
		}
	}
	target = max_events * ctx->attrs.goal.access_bp / 10000;
	if (!target)
		target = 1;
	events = events * 10000 / target;
	return events > UINT64_MAX ? UINT64_MAX : (uint64_t)events;
}

uint64_t udamon_core_tune_adaptation_bp(const struct udamon_ctx *ctx)
{
	uint64_t score = udamon_core_tune_score(ctx);
	uint64_t a = udamon_core_feedback(FEEDBACK_LAST_INPUT, score) / 10000;

	/* shrink at most by half per step: map [0, 10000] to [5000, 10000] */
	if (a <= 10000)
		a = 5000 + a / 2;
	return a;
}

void udamon_core_autotune(struct udamon_ctx *ctx)
{
	const struct udamon_intervals_goal *g = &ctx->attrs.goal;
	struct udamon_attrs a = ctx->attrs;
	uint64_t bp = udamon_core_tune_adaptation_bp(ctx);
	uint64_t sample;

	if (bp == 10000)
		return;
	sample = (uint64_t)((u128)ctx->attrs.sample_us * bp / 10000);
	if (sample > g->max_sample_us)
		sample = g->max_sample_us;
	if (sample < g->min_sample_us)
		sample = g->min_sample_us;
	/* never below what the CPU budget set */
	if (sample < ctx->budget_floor_us)
		sample = ctx->budget_floor_us;
	if (!sample)
		sample = 1;
	a.sample_us = sample;
	a.aggr_us = sample * udamon_core_aggr_samples(&ctx->attrs);
	udamon_core_apply_attrs(ctx, &a, false);
}
