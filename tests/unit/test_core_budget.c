// SPDX-License-Identifier: MIT
/*
 * The CPU budget (core/budget.c) on a simulated clock whose "CPU time"
 * grows by a set share of the wall time: over the budget the intervals
 * grow (x4 at most per window, the first 1 s, then 5 s; samples per
 * aggregation kept), well under it they return toward the user's, never
 * below; snapshots carry
 * the intervals they were taken with; auto-tuning stays above the floor.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "core_test_util.h"

/* The monitor's CPU time grows by a fixed cost per sample. */
struct cpu_model {
	struct fake_clock wall;
	uint64_t cpu_ns;
	uint64_t per_sample_ns;		/* what one sample costs */
};

static uint64_t model_now(void *data)
{
	return ((struct cpu_model *)data)->wall.ns;
}

static uint64_t model_cpu(void *data)
{
	return ((struct cpu_model *)data)->cpu_ns;
}

static void model_sleep(void *data, uint64_t us)
{
	struct cpu_model *m = data;

	m->wall.ns += us * 1000;
	m->cpu_ns += m->per_sample_ns;	/* a sample's work, whatever its length */
}

static struct udamon_ctx *budget_ctx(struct script *s, struct cpu_model *m,
				     uint64_t budget_bp)
{
	static const struct udamon_range pages[] = { { 0, 1024 } };
	struct udamon_ctx *ctx = script_ctx(s, &m->wall, pages, 1);
	struct udamon_attrs a = ctx->attrs;

	ctx->clock.now_ns = model_now;
	ctx->clock.cpu_ns = model_cpu;
	ctx->clock.sleep_us = model_sleep;
	ctx->clock.data = m;
	a.cpu_budget_bp = budget_bp;
	assert_int_equal(udamon_ctx_set_attrs(ctx, &a), 0);
	return ctx;
}

/* Run until the simulated wall clock passes sec seconds. */
static void run_for(struct udamon_ctx *ctx, struct cpu_model *m, double sec)
{
	uint64_t end = m->wall.ns + (uint64_t)(sec * 1e9);

	while (m->wall.ns < end)
		assert_int_equal(udamon_ctx_step(ctx), 0);
}

/*
 * 100 us per 5 ms sample: 2 % of a CPU. With a 1 % budget the sample
 * interval doubles (the share halves) and stays there.
 */
static void test_over_budget_lengthens(void **state)
{
	struct cpu_model m = { .per_sample_ns = 100000 };
	struct script s;
	struct snaps sn;
	struct udamon_ctx *ctx = budget_ctx(&s, &m, 100);

	collect(ctx, &sn);
	assert_int_equal(udamon_ctx_start(ctx), 0);
	run_for(ctx, &m, 0.9);
	assert_int_equal(ctx->attrs.sample_us, 5000);	/* first window: 1 s */
	run_for(ctx, &m, 0.3);
	assert_int_equal(ctx->attrs.sample_us, 10000);
	assert_int_equal(ctx->attrs.aggr_us, 200000);	/* 20 samples kept */
	assert_int_equal(ctx->stats.budget_used_bp, 200);
	/* at 1 % now: no further change */
	run_for(ctx, &m, 20);
	assert_int_equal(ctx->attrs.sample_us, 10000);
	assert_int_equal(ctx->stats.budget_used_bp, 100);
	/* the snapshots say which intervals they were taken with */
	assert_int_equal(sn.last.sample_us, 10000);
	assert_int_equal(sn.last.aggr_us, 200000);
	udamon_ctx_free(ctx);
}

/* Far over: at most 4x per window; then it settles under the budget. */
static void test_growth_is_bounded(void **state)
{
	struct cpu_model m = { .per_sample_ns = 1000000 };	/* 20 % */
	struct script s;
	struct udamon_ctx *ctx = budget_ctx(&s, &m, 100);

	assert_int_equal(udamon_ctx_start(ctx), 0);
	run_for(ctx, &m, 5.5);
	assert_int_equal(ctx->attrs.sample_us, 20000);
	run_for(ctx, &m, 60);
	assert_true(ctx->stats.budget_used_bp <= 100);
	assert_true(ctx->attrs.sample_us >= 100000);
	assert_int_equal(ctx->attrs.aggr_us, ctx->attrs.sample_us * 20);
	udamon_ctx_free(ctx);
}

/* The load drops: back toward the user's intervals, never below. */
static void test_comes_back_not_below(void **state)
{
	struct cpu_model m = { .per_sample_ns = 400000 };	/* 8 % */
	struct script s;
	struct udamon_ctx *ctx = budget_ctx(&s, &m, 100);

	assert_int_equal(udamon_ctx_start(ctx), 0);
	run_for(ctx, &m, 30);
	assert_true(ctx->attrs.sample_us >= 40000);
	m.per_sample_ns = 1000;		/* almost free now */
	run_for(ctx, &m, 60);
	assert_int_equal(ctx->attrs.sample_us, 5000);
	assert_int_equal(ctx->attrs.aggr_us, 100000);
	udamon_ctx_free(ctx);
}

/* No budget (0), or no CPU clock: the intervals never change. */
static void test_off(void **state)
{
	struct cpu_model m = { .per_sample_ns = 1000000 };
	struct script s;
	struct udamon_ctx *ctx = budget_ctx(&s, &m, 0);

	assert_int_equal(udamon_ctx_start(ctx), 0);
	run_for(ctx, &m, 20);
	assert_int_equal(ctx->attrs.sample_us, 5000);
	udamon_ctx_free(ctx);
	ctx = budget_ctx(&s, &m, 100);
	ctx->clock.cpu_ns = NULL;
	assert_int_equal(udamon_ctx_start(ctx), 0);
	run_for(ctx, &m, 20);
	assert_int_equal(ctx->attrs.sample_us, 5000);
	udamon_ctx_free(ctx);
}

/* Every sample accessed: auto-tuning shortens the intervals. */
static void check_all(struct udamon_ctx *ctx, struct script *s)
{
	for (size_t j = 0; j < ctx->targets[0].nr_regions; j++)
		ctx->targets[0].regions[j].accessed = true;
}

static void test_autotune_keeps_floor(void **state)
{
	struct cpu_model m = { .per_sample_ns = 200000 };	/* 4 % */
	struct script s;
	struct udamon_ctx *ctx = budget_ctx(&s, &m, 100);
	struct udamon_attrs a = ctx->attrs;

	/* auto-tuning shortens towards 1 ms, but not below the budget's floor */
	a.goal = (struct udamon_intervals_goal){ 400, 3, 1000, 10000000 };
	assert_int_equal(udamon_ctx_set_attrs(ctx, &a), 0);
	s.check = check_all;
	assert_int_equal(udamon_ctx_start(ctx), 0);
	run_for(ctx, &m, 5.2);
	assert_true(ctx->budget_floor_us > 0);
	run_for(ctx, &m, 2);
	assert_true(ctx->attrs.sample_us >= ctx->budget_floor_us);
	udamon_ctx_free(ctx);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_over_budget_lengthens),
		cmocka_unit_test(test_growth_is_bounded),
		cmocka_unit_test(test_comes_back_not_below),
		cmocka_unit_test(test_off),
		cmocka_unit_test(test_autotune_keeps_floor),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
