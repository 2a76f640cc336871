/* SPDX-License-Identifier: MIT */
/*
 * Engine pieces shared between the core/ files and the unit tests.
 * Not part of the public API.
 */
#ifndef UDAMON_CORE_INTERNAL_H
#define UDAMON_CORE_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "udamon/udamon.h"

/* udamon_ctx_start() sets the first aggregation boundary (>= 1). */
static inline bool udamon_core_started(const struct udamon_ctx *ctx)
{
	return ctx->next_aggr_sample != 0;
}

/* Samples per aggregation: L = max(1, aggr / sample). */
unsigned int udamon_core_aggr_samples(const struct udamon_attrs *a);
/* nr_accesses as an access ratio in bp of L, and back (the kernel's). */
unsigned int udamon_core_nr_accesses_to_bp(unsigned int nr,
					   const struct udamon_attrs *a);
unsigned int udamon_core_bp_to_nr_accesses(unsigned int bp,
					   const struct udamon_attrs *a);
/* Samples per ops update interval, at least 1. */
uint64_t udamon_core_update_samples(const struct udamon_attrs *a);

/* regions.c: the region array of a target */
int udamon_core_regions_reserve(struct udamon_target *t, size_t n);
void udamon_core_target_free(struct udamon_target *t);
uint64_t udamon_core_sz_limit(const struct udamon_ctx *ctx);
/*
 * Even split of [start, end) into nr_pieces of a size aligned down to
 * align, the last taking the rest (the kernel's evenly split). Returns the
 * pieces written to out, or 0 when it cannot split.
 */
/* udamon_three_regions() with the edges aligned up to align. */
int udamon_core_three_regions(const struct udamon_range *maps, size_t nr,
			      uint64_t align, struct udamon_range out[3]);
size_t udamon_core_split_evenly(uint64_t start, uint64_t end,
				unsigned int nr_pieces, uint64_t align,
				struct udamon_range *out);

/* split_merge.c */
/* Age rule: reset on a change beyond thres or to/from zero, else age++. */
void udamon_core_update_age(struct udamon_region *r, unsigned int thres);
/* Merge r into its left neighbour l: size-weighted nr and age. */
void udamon_core_merge_two(const struct udamon_ctx *ctx,
			   struct udamon_region *l, struct udamon_region *r);
/*
 * Cut r after sz_left bytes: r keeps the left part, *right gets the rest
 * with the same counts and age (and its own copy of cpu_samples).
 */
int udamon_core_split_at(const struct udamon_ctx *ctx, struct udamon_region *r,
			 uint64_t sz_left, struct udamon_region *right);
/* Age update and merge of one target (one pass), as damon_merge_regions_of. */
void udamon_core_merge_target(struct udamon_ctx *ctx, struct udamon_target *t,
			      unsigned int thres, uint64_t sz_limit);
/*
 * Age update and merge of every target, doubling thres while over max;
 * thres is max_nr_accesses / 10 at the aggregation boundary.
 */
void udamon_core_merge(struct udamon_ctx *ctx, unsigned int thres,
		       uint64_t sz_limit);
int udamon_core_split(struct udamon_ctx *ctx);
int udamon_core_split_target(struct udamon_ctx *ctx, struct udamon_target *t,
			     unsigned int nr_pieces);

/* engine.c */
/* One sample's bookkeeping: bp moving sum, nr, per-CPU samples. */
void udamon_core_update_region(struct udamon_ctx *ctx, struct udamon_region *r,
			       bool accessed);
/* Make every region carry a cpu_samples array when ctx->track_cpus. */
int udamon_core_alloc_cpu_samples(struct udamon_ctx *ctx);
/*
 * Switch to new attributes, rescaling counts and age (online change).
 * aggregating: in the middle of an aggregation window, which then restarts
 * (nr_accesses 0, the last window's count rescaled), as the kernel's
 * damon_set_attrs(); else the current counts are rescaled.
 */
void udamon_core_apply_attrs(struct udamon_ctx *ctx,
			     const struct udamon_attrs *a, bool aggregating);
/* Apply pending udamon_ctx_commit() changes, if any (see apply_attrs). */
void udamon_core_apply_pending(struct udamon_ctx *ctx, bool aggregating);
/* The highest nr_accesses of any region in this aggregation. */
unsigned int udamon_core_max_nr_accesses(const struct udamon_ctx *ctx);
/* Everything done at the aggregation boundary. */
int udamon_core_aggregate(struct udamon_ctx *ctx);
void udamon_core_reset_aggregated(struct udamon_ctx *ctx);
/* Scale the counts of regions left unchecked in some samples. */
void udamon_core_estimate_unchecked(struct udamon_ctx *ctx);

/* budget.c */
/* A new budget window, and the user's intervals as the base (start, tune). */
void udamon_core_budget_restart(struct udamon_ctx *ctx);
/* At an aggregation boundary: lengthen or restore the intervals. */
void udamon_core_budget(struct udamon_ctx *ctx);

/* autotune.c */
/* The feedback loop of DAMON's quota/interval tuning (goal 10000). */
uint64_t udamon_core_feedback(uint64_t last_input, uint64_t score);
/* score = events * 10000 / target events of the current aggregation. */
uint64_t udamon_core_tune_score(const struct udamon_ctx *ctx);
/* Scale factor in bp (5000..20000) for the current score. */
uint64_t udamon_core_tune_adaptation_bp(const struct udamon_ctx *ctx);
/* One auto-tuning step: new sample/aggr intervals, counts kept. */
void udamon_core_autotune(struct udamon_ctx *ctx);

/* reports.c: count the queued reports of this sample, then drop them. */
void udamon_core_consume_reports(struct udamon_ctx *ctx);

/* filters: free an owned array */
void udamon_core_filters_free(struct udamon_filter *f, size_t nr);
int udamon_core_filters_dup(const struct udamon_filter *src, size_t nr,
			    struct udamon_filter **out);

#endif
