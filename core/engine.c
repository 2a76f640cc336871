// SPDX-License-Identifier: MIT
/*
 * The monitoring loop, in the kernel's order (docs/FIDELITY.md): sample,
 * count, apply online changes; at the aggregation boundary merge, tune,
 * emit the snapshot, reset and split. All intervals count samples.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "udamon/udamon.h"
#include "core/internal.h"

#define for_each_region(ctx, t, r)					\
	for (struct udamon_target *t = (ctx)->targets;			\
	     t < (ctx)->targets + (ctx)->nr_targets; t++)		\
		for (struct udamon_region *r = t->regions;		\
		     r < t->regions + t->nr_regions; r++)

static int first_pass(struct udamon_ctx *ctx);

static uint64_t now_ns(const struct udamon_ctx *ctx)
{
	return ctx->clock.now_ns ? ctx->clock.now_ns(ctx->clock.data) : 0;
}

void udamon_core_update_region(struct udamon_ctx *ctx, struct udamon_region *r,
			       bool accessed)
{
	uint64_t len = udamon_core_aggr_samples(&ctx->attrs);
	int64_t bp = (int64_t)r->nr_accesses_bp -
		(int64_t)((uint64_t)r->last_nr_accesses * 10000 / len) +
		(accessed ? 10000 : 0);

	/* the moving sum cannot go negative; clamp rounding leftovers */
	r->nr_accesses_bp = bp < 0 ? 0 : (unsigned int)bp;
	if (!accessed)
		return;
	r->nr_accesses++;
	if (r->cpu_samples && r->accessed_cpu >= 0 &&
	    (unsigned int)r->accessed_cpu < ctx->nr_cpus)
		r->cpu_samples[r->accessed_cpu]++;
}

int udamon_core_alloc_cpu_samples(struct udamon_ctx *ctx)
{
	if (!ctx->track_cpus || !ctx->nr_cpus)
		return 0;
	for_each_region(ctx, t, r) {
		if (r->cpu_samples)
			continue;
		r->cpu_samples = calloc(ctx->nr_cpus, sizeof(uint32_t));
		if (!r->cpu_samples) {
			udamon_ctx_set_error(ctx, "out of memory for per-CPU "
					     "counts of %u CPUs", ctx->nr_cpus);
			return -ENOMEM;
		}
	}
	return 0;
}

/* c' = (c * 10000 / L_old) * L_new / 10000, through bp as the kernel */
static unsigned int rescale(unsigned int c, const struct udamon_attrs *o,
			    const struct udamon_attrs *n)
{
	return udamon_core_bp_to_nr_accesses(
			udamon_core_nr_accesses_to_bp(c, o), n);
}

static void zero_cpu_samples(const struct udamon_ctx *ctx,
			     struct udamon_region *r)
{
	if (r->cpu_samples)
		memset(r->cpu_samples, 0, ctx->nr_cpus * sizeof(uint32_t));
}

void udamon_core_apply_attrs(struct udamon_ctx *ctx,
			     const struct udamon_attrs *a, bool aggregating)
{
	const struct udamon_attrs old = ctx->attrs;
	uint64_t lo = udamon_core_aggr_samples(&old);
	uint64_t ln = udamon_core_aggr_samples(a);

	for_each_region(ctx, t, r) {
		/* an unchanged sample count needs no (lossy) rescaling */
		if (aggregating) {
			if (lo != ln)
				r->last_nr_accesses = rescale(
					r->last_nr_accesses, &old, a);
			r->nr_accesses_bp = r->last_nr_accesses * 10000;
			r->nr_accesses = 0;
			r->nr_checked = 0;
			zero_cpu_samples(ctx, r);
		} else if (lo != ln) {
			r->nr_accesses = rescale(r->nr_accesses, &old, a);
			r->nr_accesses_bp = r->nr_accesses * 10000;
			for (unsigned int c = 0; r->cpu_samples &&
			     c < ctx->nr_cpus; c++)
				r->cpu_samples[c] = rescale(r->cpu_samples[c],
							    &old, a);
		}
		if (old.aggr_us != a->aggr_us)
			r->age = (unsigned int)((uint64_t)r->age *
						old.aggr_us / a->aggr_us);
	}
	ctx->attrs = *a;
	if (memcmp(&old.goal, &a->goal, sizeof(old.goal)))
		ctx->next_goal_aggr = a->goal.aggrs;
	if (udamon_core_started(ctx)) {
		ctx->next_aggr_sample = ctx->passed_samples + ln;
		ctx->next_update_sample = ctx->passed_samples +
			udamon_core_update_samples(a);
		if (aggregating) {	/* the window restarts now */
			ctx->aggr_start_ns = now_ns(ctx);
			ctx->aggr_nr_samples = 0;
		}
	}
}

void udamon_core_apply_pending(struct udamon_ctx *ctx, bool aggregating)
{
	if (!ctx->has_pending)
		return;
	udamon_core_apply_attrs(ctx, &ctx->pending_attrs, aggregating);
	udamon_core_budget_restart(ctx);	/* the user's new intervals */
	udamon_core_filters_free(ctx->filters, ctx->nr_filters);
	ctx->filters = ctx->pending_filters;
	ctx->nr_filters = ctx->pending_nr_filters;
	ctx->pending_filters = NULL;
	ctx->pending_nr_filters = 0;
	ctx->has_pending = false;
	/* min_nr_regions may have changed */
	ctx->sz_limit = udamon_core_sz_limit(ctx);
}

unsigned int udamon_core_max_nr_accesses(const struct udamon_ctx *ctx)
{
	unsigned int max = 0;

	for_each_region(ctx, t, r)
		if (r->nr_accesses > max)
			max = r->nr_accesses;
	return max;
}

void udamon_core_reset_aggregated(struct udamon_ctx *ctx)
{
	ctx->aggr_nr_samples = 0;
	for_each_region(ctx, t, r) {
		r->last_nr_accesses = r->nr_accesses;
		r->nr_accesses = 0;
		r->nr_checked = 0;
		zero_cpu_samples(ctx, r);
	}
}

/*
 * A target the ops no longer finds (a process of a tree that exited) ends:
 * its regions go, it keeps its index, and it gets no more snapshots.
 */
static void end_gone_targets(struct udamon_ctx *ctx)
{
	for (size_t i = 0; i < ctx->nr_targets; i++) {
		struct udamon_target *t = &ctx->targets[i];

		if (t->ended || !ctx->ops->target_valid ||
		    ctx->ops->target_valid(ctx, t))
			continue;
		if (ctx->ops->cleanup_target)
			ctx->ops->cleanup_target(ctx, t);
		udamon_core_target_free(t);
		t->ended = true;
	}
}

static int emit_snapshots(struct udamon_ctx *ctx, uint64_t end_ns)
{
	for (size_t i = 0; i < ctx->nr_targets && ctx->on_snapshot; i++) {
		struct udamon_target *t = &ctx->targets[i];
		struct udamon_snapshot s;

		if (t->ended)
			continue;
		s = (struct udamon_snapshot){
			.start_time_ns = ctx->aggr_start_ns,
			.end_time_ns = end_ns,
			.total_bytes = udamon_target_total_bytes(t),
			.sample_us = ctx->attrs.sample_us,
			.aggr_us = ctx->attrs.aggr_us,
			.nr_regions = t->nr_regions,
		};

		s.regions = calloc(t->nr_regions + 1, sizeof(*s.regions));
		if (!s.regions) {
			udamon_ctx_set_error(ctx, "out of memory for a "
					     "snapshot of %zu regions",
					     t->nr_regions);
			return -ENOMEM;
		}
		for (size_t j = 0; j < t->nr_regions; j++) {
			const struct udamon_region *r = &t->regions[j];

			s.regions[j].start = r->start;
			s.regions[j].end = r->end;
			s.regions[j].nr_accesses = r->nr_accesses;
			s.regions[j].age = r->age;
			s.regions[j].cpu_samples = r->cpu_samples;
		}
		ctx->on_snapshot(ctx, i, &s, ctx->on_snapshot_data);
		free(s.regions);
	}
	return 0;
}

/*
 * Regions left unchecked in some samples (see udamon_region.unchecked):
 * their count is scaled from the samples that were checked; a region not
 * checked at all keeps its last count.
 */
void udamon_core_estimate_unchecked(struct udamon_ctx *ctx)
{
	uint64_t n = ctx->aggr_nr_samples;

	for_each_region(ctx, t, r) {
		if (r->nr_checked >= n)
			continue;
		if (r->nr_checked)
			r->nr_accesses = (unsigned int)(((uint64_t)r->nr_accesses *
				n + r->nr_checked / 2) / r->nr_checked);
		else
			r->nr_accesses = r->last_nr_accesses < n ?
				r->last_nr_accesses : (unsigned int)n;
		r->nr_accesses_bp = r->nr_accesses * 10000;
	}
}

/* An aggregation that took more than 125 % of its interval overran. */
static void count_aggregation(struct udamon_ctx *ctx, uint64_t end)
{
	uint64_t took = end - ctx->aggr_start_ns;

	ctx->stats.nr_aggregations++;
	if (!ctx->clock.now_ns)
		return;
	if (took > ctx->stats.max_aggr_ns)
		ctx->stats.max_aggr_ns = took;
	if (took * 4 > ctx->attrs.aggr_us * 1000 * 5)
		ctx->stats.aggr_overruns++;
}

/*
 * The aggregation boundary, in the order the kernel's loop reaches its
 * damon_aggregated tracepoint (which damo records): merge with
 * max_nr_accesses / 10, apply a commit that arrived, auto-tune, then the
 * snapshot, the reset and the split.
 */
int udamon_core_aggregate(struct udamon_ctx *ctx)
{
	uint64_t end = now_ns(ctx);
	unsigned int thres;
	int err;

	count_aggregation(ctx, end);
	end_gone_targets(ctx);
	udamon_core_estimate_unchecked(ctx);
	thres = udamon_core_max_nr_accesses(ctx) / 10;
	udamon_core_merge(ctx, thres, ctx->sz_limit);
	udamon_core_apply_pending(ctx, false);
	if (ctx->attrs.goal.aggrs) {
		if (ctx->next_goal_aggr <= 1) {
			udamon_core_autotune(ctx);
			ctx->next_goal_aggr = ctx->attrs.goal.aggrs;
		} else {
			ctx->next_goal_aggr--;
		}
	}
	udamon_core_budget(ctx);
	err = emit_snapshots(ctx, end);
	udamon_core_reset_aggregated(ctx);
	ctx->next_aggr_sample = ctx->passed_samples +
		udamon_core_aggr_samples(&ctx->attrs);
	ctx->aggr_start_ns = end;
	if (!err)
		err = udamon_core_split(ctx);
	if (err && !ctx->errmsg[0])
		udamon_ctx_set_error(ctx, "out of memory splitting regions");
	return err;
}

static int ops_error(struct udamon_ctx *ctx, const char *what, int err)
{
	if (!ctx->errmsg[0])
		udamon_ctx_set_error(ctx, "%s: %s failed: %s",
				     ctx->ops->name ? ctx->ops->name : "ops",
				     what, strerror(err < 0 ? -err : err));
	return err < 0 ? err : -EIO;
}

int udamon_ctx_start(struct udamon_ctx *ctx)
{
	int err;

	ctx->errmsg[0] = '\0';
	if (!ctx->ops) {
		udamon_ctx_set_error(ctx, "no operations set: attach one "
				     "(vaddr, paddr or sim) before starting");
		return -EINVAL;
	}
	if (!ctx->nr_targets && !ctx->open_targets) {
		udamon_ctx_set_error(ctx, "no monitoring target: add one "
				     "before starting");
		return -EINVAL;
	}
	err = udamon_attrs_validate(&ctx->attrs, ctx->errmsg,
				    sizeof(ctx->errmsg));
	if (err)
		return err;
	if (ctx->has_pending)
		udamon_core_apply_pending(ctx, false);
	if (ctx->ops->init) {
		err = ctx->ops->init(ctx);
		if (err)
			return ops_error(ctx, "init", err);
	}
	ctx->passed_samples = 0;
	ctx->next_aggr_sample = udamon_core_aggr_samples(&ctx->attrs);
	ctx->next_update_sample = udamon_core_update_samples(&ctx->attrs);
	ctx->next_goal_aggr = ctx->attrs.goal.aggrs;
	ctx->sz_limit = udamon_core_sz_limit(ctx);
	ctx->aggr_start_ns = now_ns(ctx);
	ctx->sample_start_ns = ctx->aggr_start_ns;
	ctx->wake_ns = ctx->aggr_start_ns;
	ctx->aggr_nr_samples = 0;
	ctx->max_checks = 0;
	ctx->work_cpu_ns = udamon_thread_cpu_ns();	/* init is not a sample */
	udamon_core_budget_restart(ctx);
	err = udamon_core_alloc_cpu_samples(ctx);
	if (!err && ctx->ops->check_and_arm)
		err = first_pass(ctx);
	return err;
}

static uint64_t nr_regions_all(const struct udamon_ctx *ctx)
{
	uint64_t n = 0;

	for (size_t i = 0; i < ctx->nr_targets; i++)
		n += ctx->targets[i].nr_regions;
	return n;
}

/*
 * This sample's turn: n regions from the cursor on (all of them unless
 * samples overran). Moves the cursor past them.
 */
static uint64_t take_turn(struct udamon_ctx *ctx, uint64_t total,
			  uint64_t *first)
{
	uint64_t n = ctx->max_checks && ctx->max_checks < total ?
		     ctx->max_checks : total;

	*first = total ? ctx->check_cursor % total : 0;
	ctx->check_cursor = *first + n;
	return n;
}

/*
 * A fresh random sampling address for every region, like DAMON. When
 * samples overrun, only max_checks regions are checked, taken in turn
 * from check_cursor on; the others are marked unchecked.
 */
static uint64_t prepare_regions(struct udamon_ctx *ctx)
{
	uint64_t total = nr_regions_all(ctx), i = 0, first;
	uint64_t n = take_turn(ctx, total, &first);

	for_each_region(ctx, t, r) {
		r->sampling_addr = udamon_rng_range(&ctx->rng, r->start,
						    r->end);
		r->accessed = false;
		r->accessed_cpu = UDAMON_UNKNOWN_CPU;
		r->unchecked = (i++ + total - first) % total >= n;
		r->armed_ns = 0;
	}
	return n;
}

/*
 * The same for ops that check and arm in one pass: the page armed in the
 * last pass is the one to check now, and a new one is drawn; regions out
 * of turn arm none (they are unchecked in the next sample).
 */
static uint64_t rotate_regions(struct udamon_ctx *ctx)
{
	uint64_t total = nr_regions_all(ctx), i = 0, first;
	uint64_t n = take_turn(ctx, total, &first);

	for_each_region(ctx, t, r) {
		r->check_how = r->armed;
		r->check_addr = r->armed ? r->sampling_addr : 0;
		r->check_armed_ns = r->armed_ns;
		r->unchecked = !r->armed;
		r->armed = 0;
		r->armed_ns = 0;
		r->accessed = false;
		r->accessed_cpu = UDAMON_UNKNOWN_CPU;
		r->sampling_addr = udamon_rng_range(&ctx->rng, r->start,
						    r->end);
		r->skip_arm = (i++ + total - first) % total >= n;
	}
	return n;
}

/* Fewest regions a sample checks however much it overruns. */
#define MIN_CHECKS	16

/*
 * A sample overran when its work left less than half of the interval to
 * sleep. When the work itself took that long (our CPU time, not time
 * spent waiting for a CPU, which checking less would not save), check
 * fewer regions from the next sample on; with room to spare (work under a
 * quarter of the interval), check more again, up to all.
 */
static void adapt_checks(struct udamon_ctx *ctx, uint64_t left,
			 uint64_t len, uint64_t checked)
{
	uint64_t total = nr_regions_all(ctx), cpu = udamon_thread_cpu_ns();
	uint64_t work = cpu - ctx->work_cpu_ns;

	ctx->work_cpu_ns = cpu;
	if (left < len / 2)
		ctx->stats.sample_overruns++;
	if (work > len / 2) {
		ctx->max_checks = checked * 3 / 4;
		if (ctx->max_checks < MIN_CHECKS)
			ctx->max_checks = MIN_CHECKS;
	} else if (work < len / 4 && ctx->max_checks) {
		ctx->max_checks += ctx->max_checks / 8 + 1;
		if (ctx->max_checks >= total)
			ctx->max_checks = 0;
	}
}

/*
 * Sleep until one sample interval after the last wake-up, so that the
 * work of a sample (prepare, check, aggregation, update) does not stretch
 * the intervals; but at least half of the interval, so that armed pages
 * stay armed long enough to see writes (a shorter window sees fewer).
 * Time lost beyond that is made up by the next samples, up to an
 * aggregation interval; a longer delay is given up (and shows as an
 * aggregation overrun).
 */
static void sample_sleep(struct udamon_ctx *ctx, uint64_t checked)
{
	uint64_t len = ctx->attrs.sample_us * 1000, now, deadline, left, nap;

	if (!ctx->clock.now_ns) {
		if (ctx->clock.sleep_us)
			ctx->clock.sleep_us(ctx->clock.data,
					    ctx->attrs.sample_us);
		return;
	}
	now = now_ns(ctx);
	deadline = ctx->wake_ns + len;
	left = deadline > now ? deadline - now : 0;
	nap = left < len / 2 ? len / 2 : left;
	adapt_checks(ctx, left, len, checked);
	/* one CPU clock reading a sample: the sleep itself costs next to none */
	if (ctx->clock.sleep_us)
		ctx->clock.sleep_us(ctx->clock.data, (nap + 999) / 1000);
	if (now + nap > deadline + ctx->attrs.aggr_us * 1000)
		deadline = now + nap;	/* too far behind: start afresh */
	ctx->wake_ns = deadline;
}

static int update_boundary(struct udamon_ctx *ctx)
{
	int err = 0;

	ctx->next_update_sample = ctx->passed_samples +
		udamon_core_update_samples(&ctx->attrs);
	if (ctx->ops->update) {
		err = ctx->ops->update(ctx);
		if (err)
			return ops_error(ctx, "update", err);
	}
	ctx->sz_limit = udamon_core_sz_limit(ctx);
	return 0;
}

/* Count the sample that just ended; aggregate and update when due. */
static int end_sample(struct udamon_ctx *ctx)
{
	int err;

	udamon_core_consume_reports(ctx);
	for_each_region(ctx, t, r) {
		if (r->unchecked) {
			ctx->stats.unchecked++;
			continue;
		}
		r->nr_checked++;
		udamon_core_update_region(ctx, r, r->accessed);
	}
	if (ctx->passed_samples >= ctx->next_aggr_sample) {
		err = udamon_core_aggregate(ctx);
		if (err)
			return err;
	} else {
		/* online changes apply at the next sample, as a commit */
		udamon_core_apply_pending(ctx, true);
	}
	if (ctx->passed_samples >= ctx->next_update_sample)
		return update_boundary(ctx);
	return 0;
}

/*
 * One pass per sample (ops with check_and_arm): sleep to the deadline,
 * then check what the last pass armed and arm anew, region by region, so
 * that each region's page is watched from its place in one pass to its
 * place in the next: one sample interval, whatever the pass costs.
 */
static int one_pass_step(struct udamon_ctx *ctx)
{
	int err;

	sample_sleep(ctx, ctx->pass_checks);
	ctx->passed_samples++;
	ctx->aggr_nr_samples++;
	ctx->stats.nr_samples++;
	ctx->pass_checks = rotate_regions(ctx);
	ctx->sample_start_ns = now_ns(ctx);
	err = ctx->ops->check_and_arm(ctx);
	if (err)
		return ops_error(ctx, "check_and_arm", err);
	return end_sample(ctx);
}

/* The first pass of one-pass ops arms only: nothing was armed before. */
static int first_pass(struct udamon_ctx *ctx)
{
	int err;

	ctx->pass_checks = rotate_regions(ctx);
	err = ctx->ops->check_and_arm(ctx);
	if (err)
		return ops_error(ctx, "check_and_arm", err);
	udamon_core_consume_reports(ctx);	/* keeps the new pages' */
	ctx->wake_ns = now_ns(ctx);
	return 0;
}

int udamon_ctx_step(struct udamon_ctx *ctx)
{
	uint64_t checked;
	int err;

	if (!udamon_core_started(ctx) || !ctx->ops) {
		udamon_ctx_set_error(ctx, "monitoring is not started: call "
				     "udamon_ctx_start() first");
		return -EINVAL;
	}
	ctx->errmsg[0] = '\0';
	err = udamon_core_alloc_cpu_samples(ctx);
	if (err)
		return err;
	if (ctx->ops->check_and_arm)
		return one_pass_step(ctx);
	checked = prepare_regions(ctx);
	ctx->sample_start_ns = now_ns(ctx);
	if (ctx->ops->prepare_access_checks) {
		err = ctx->ops->prepare_access_checks(ctx);
		if (err)
			return ops_error(ctx, "prepare_access_checks", err);
	}
	sample_sleep(ctx, checked);
	ctx->passed_samples++;
	ctx->aggr_nr_samples++;
	ctx->stats.nr_samples++;
	if (ctx->ops->check_accesses) {
		err = ctx->ops->check_accesses(ctx);
		if (err)
			return ops_error(ctx, "check_accesses", err);
	}
	return end_sample(ctx);
}

static bool any_target_valid(struct udamon_ctx *ctx)
{
	if (!ctx->ops->target_valid)
		return true;
	for (size_t i = 0; i < ctx->nr_targets; i++)
		if (!ctx->targets[i].ended &&
		    ctx->ops->target_valid(ctx, &ctx->targets[i]))
			return true;
	return false;
}

int udamon_ctx_run(struct udamon_ctx *ctx)
{
	int err = udamon_ctx_start(ctx);

	while (!err && !ctx->stop &&
	       (ctx->open_targets || any_target_valid(ctx))) {
		err = udamon_ctx_step(ctx);
		if (!err && ctx->after_sample &&
		    ctx->after_sample(ctx, ctx->after_sample_data))
			break;
	}
	return err;
}
