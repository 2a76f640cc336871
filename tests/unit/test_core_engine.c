// SPDX-License-Identifier: MIT
/*
 * The monitoring loop: bp arithmetic, boundaries, age, online changes and
 * interval auto-tuning (core/engine.c, core/autotune.c).
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <errno.h>

#include "core_test_util.h"

static struct snaps sn;

static void test_bp_arithmetic(void **state)
{
	struct udamon_ctx *ctx = udamon_ctx_new();
	struct udamon_region r = { .start = 0, .end = P, .accessed_cpu = -1 };

	set_intervals(ctx, 10, 100, 1000, 3, 10);	/* L = 10 */
	r.last_nr_accesses = 4;
	r.nr_accesses_bp = 40000;
	/* 40000 - 4 * 10000 / 10 + 10000 */
	udamon_core_update_region(ctx, &r, true);
	assert_int_equal(r.nr_accesses_bp, 46000);
	assert_int_equal(r.nr_accesses, 1);
	udamon_core_update_region(ctx, &r, false);
	assert_int_equal(r.nr_accesses_bp, 42000);
	assert_int_equal(r.nr_accesses, 1);

	/* L = 3: 20000 - 20000 / 3 (6666) = 13334 */
	set_intervals(ctx, 10, 30, 1000, 3, 10);
	r = (struct udamon_region){ .end = P, .last_nr_accesses = 2,
				    .nr_accesses_bp = 20000 };
	udamon_core_update_region(ctx, &r, false);
	assert_int_equal(r.nr_accesses_bp, 13334);

	/* a full window of accesses, then a full window of none */
	set_intervals(ctx, 10, 100, 1000, 3, 10);
	r = (struct udamon_region){ .end = P };
	for (int i = 0; i < 10; i++)
		udamon_core_update_region(ctx, &r, true);
	assert_int_equal(r.nr_accesses_bp, 100000);
	assert_int_equal(r.nr_accesses, 10);
	r.last_nr_accesses = r.nr_accesses;
	r.nr_accesses = 0;
	for (int i = 0; i < 5; i++)
		udamon_core_update_region(ctx, &r, false);
	assert_int_equal(r.nr_accesses_bp, 50000);
	for (int i = 0; i < 5; i++)
		udamon_core_update_region(ctx, &r, false);
	assert_int_equal(r.nr_accesses_bp, 0);
	/* never below zero */
	udamon_core_update_region(ctx, &r, false);
	assert_int_equal(r.nr_accesses_bp, 0);
	udamon_ctx_free(ctx);
}

static void check_all(struct udamon_ctx *ctx, struct script *s)
{
	for (size_t j = 0; j < ctx->targets[0].nr_regions; j++)
		ctx->targets[0].regions[j].accessed = true;
}

/* three one-page regions: sz_limit = 1P, so they never merge or split */
static const struct udamon_range three_pages[] = {
	{ 10, 11 }, { 11, 12 }, { 12, 13 },
};

static void test_boundaries_and_snapshots(void **state)
{
	struct script s;
	struct fake_clock c = { 1000000 };
	struct udamon_ctx *ctx = script_ctx(&s, &c, three_pages, 3);
	uint64_t addrs[5];
	bool moved = false;

	set_intervals(ctx, 1000, 10000, 25000, 3, 100);	/* L 10, U 25 */
	collect(ctx, &sn);
	s.check = check_all;
	assert_int_equal(udamon_ctx_start(ctx), 0);
	assert_int_equal(s.nr_init, 1);
	assert_int_equal(ctx->sz_limit, P);
	for (int i = 0; i < 9; i++)
		assert_int_equal(udamon_ctx_step(ctx), 0);
	assert_int_equal(sn.count, 0);
	assert_int_equal(ctx->targets[0].regions[0].nr_accesses, 9);
	assert_int_equal(udamon_ctx_step(ctx), 0);
	assert_int_equal(sn.count, 1);
	assert_int_equal(sn.last.start_time_ns, 1000000);
	assert_int_equal(sn.last.end_time_ns, 1000000 + 10 * 1000000);
	assert_int_equal(sn.last.total_bytes, 3 * P);
	assert_int_equal(sn.last.sample_us, 1000);
	assert_int_equal(sn.last.aggr_us, 10000);
	assert_int_equal(sn.last.nr_regions, 3);
	assert_int_equal(sn.regions[1].start, 11 * P);
	assert_int_equal(sn.regions[1].nr_accesses, 10);
	assert_int_equal(sn.regions[1].age, 0);	/* 10 after 0 */
	/* reset: last_nr = nr, nr = 0; bp stays the moving sum */
	assert_int_equal(ctx->targets[0].regions[1].last_nr_accesses, 10);
	assert_int_equal(ctx->targets[0].regions[1].nr_accesses, 0);
	assert_int_equal(ctx->targets[0].regions[1].nr_accesses_bp, 100000);
	assert_int_equal(ctx->next_aggr_sample, 20);

	for (int i = 0; i < 15; i++) {
		assert_int_equal(udamon_ctx_step(ctx), 0);
		if (i == 13)
			assert_int_equal(s.nr_update, 0);
	}
	/* 25 samples: one ops update, two aggregations */
	assert_int_equal(s.nr_update, 1);
	assert_int_equal(ctx->next_update_sample, 50);
	assert_int_equal(sn.count, 2);
	assert_int_equal(sn.last.start_time_ns, 1000000 + 10 * 1000000);
	assert_int_equal(sn.regions[1].age, 1);
	assert_int_equal(ctx->targets[0].regions[1].nr_accesses_bp, 100000);
	for (int i = 0; i < 25; i++)
		assert_int_equal(udamon_ctx_step(ctx), 0);
	assert_int_equal(s.nr_update, 2);
	assert_int_equal(sn.count, 5);
	assert_int_equal(sn.regions[2].age, 4);
	assert_int_equal(s.nr_prepare, 50);
	assert_int_equal(s.nr_check, 50);
	assert_int_equal(ctx->passed_samples, 50);
	assert_true(s.sampling_ok);
	/* a new sampling address every sample */
	for (int i = 0; i < 5; i++) {
		assert_int_equal(udamon_ctx_step(ctx), 0);
		addrs[i] = ctx->targets[0].regions[0].sampling_addr;
		moved |= i && addrs[i] != addrs[i - 1];
	}
	assert_true(moved);
	udamon_ctx_free(ctx);
	assert_int_equal(s.nr_cleanup, 1);
}

/* Region 0 accessed in the first window only, region 1 in all. */
static void check_first_window(struct udamon_ctx *ctx, struct script *s)
{
	ctx->targets[0].regions[1].accessed = true;
	if (ctx->passed_samples <= 10)
		ctx->targets[0].regions[0].accessed = true;
	if (ctx->passed_samples > 20 && ctx->passed_samples % 2)
		ctx->targets[0].regions[2].accessed = true;
}

static void test_age_in_engine(void **state)
{
	struct script s;
	struct fake_clock c = { 0 };
	struct udamon_ctx *ctx = script_ctx(&s, &c, three_pages, 3);
	unsigned int age0[4], age1[4], age2[4], nr2[4];

	set_intervals(ctx, 1000, 10000, 1000000, 3, 100);
	collect(ctx, &sn);
	s.check = check_first_window;
	assert_int_equal(udamon_ctx_start(ctx), 0);
	for (int a = 0; a < 4; a++) {
		for (int i = 0; i < 10; i++)
			assert_int_equal(udamon_ctx_step(ctx), 0);
		age0[a] = sn.regions[0].age;
		age1[a] = sn.regions[1].age;
		age2[a] = sn.regions[2].age;
		nr2[a] = sn.regions[2].nr_accesses;
	}
	/* r0: 10 (after 0): 0; 0 after 10: 0; 0 after 0: 1, 2 */
	assert_int_equal(age0[0], 0);
	assert_int_equal(age0[1], 0);
	assert_int_equal(age0[2], 1);
	assert_int_equal(age0[3], 2);
	/* r1: 10 every window */
	assert_int_equal(age1[0], 0);
	assert_int_equal(age1[3], 3);
	/* r2: 0, 0, 5 (|5 - 0| > thres 1: reset), 5 */
	assert_int_equal(nr2[2], 5);
	assert_int_equal(age2[0], 1);
	assert_int_equal(age2[1], 2);
	assert_int_equal(age2[2], 0);
	assert_int_equal(age2[3], 1);
	udamon_ctx_free(ctx);
}

static void test_rescale(void **state)
{
	struct udamon_ctx *ctx = udamon_ctx_new();
	struct udamon_range rg = { 0, P };
	struct udamon_attrs a;
	struct udamon_region *r;

	udamon_ctx_add_target(ctx, 0);
	udamon_target_set_regions(&ctx->targets[0], &rg, 1);
	r = &ctx->targets[0].regions[0];
	set_intervals(ctx, 1000, 100000, 1000000, 3, 100);	/* L 100 */
	r->nr_accesses = 50;
	r->last_nr_accesses = 30;
	r->age = 10;
	a = ctx->attrs;
	a.aggr_us = 20000;					/* L 20 */
	udamon_core_apply_attrs(ctx, &a, false);
	/* (50 * 10000 / 100) * 20 / 10000 = 10; age 10 * 5 */
	assert_int_equal(r->nr_accesses, 10);
	/* at a boundary the last count is not used again: kept, as kernel */
	assert_int_equal(r->last_nr_accesses, 30);
	assert_int_equal(r->nr_accesses_bp, 100000);
	assert_int_equal(r->age, 50);
	assert_int_equal(r->start, 0);
	assert_int_equal(r->end, P);

	/* L 3 -> 7: (1 * 10000 / 3) * 7 / 10000 = 23331 / 10000 = 2 */
	set_intervals(ctx, 10, 30, 1000, 3, 100);
	r->nr_accesses = 1;
	r->age = 7;
	a = ctx->attrs;
	a.aggr_us = 70;
	udamon_core_apply_attrs(ctx, &a, false);
	assert_int_equal(r->nr_accesses, 2);
	assert_int_equal(r->age, 3);	/* 7 * 30 / 70 */
	udamon_ctx_free(ctx);
}

/*
 * Region 0 written in 5 samples of 20, region 1 in 4, region 2 in
 * hot_samples: the merge threshold is max_nr_accesses / 10 (the kernel's),
 * not aggr_samples / 10.
 */
static unsigned int hot_samples;

static void check_below_max(struct udamon_ctx *ctx, struct script *s)
{
	unsigned int k = (unsigned int)(ctx->passed_samples % 20);
	struct udamon_region *r = ctx->targets[0].regions;

	r[0].accessed = k < 5;
	r[1].accessed = k < 4;
	r[2].accessed = k < hot_samples;
}

static const struct udamon_range unequal_pages[] = {
	{ 0, 1 }, { 1, 2 }, { 2, 12 },
};

static void run_one_window(struct udamon_ctx *ctx, struct script *s)
{
	set_intervals(ctx, 1000, 20000, 1000000, 3, 100);	/* L 20 */
	collect(ctx, &sn);
	s->check = check_below_max;
	assert_int_equal(udamon_ctx_start(ctx), 0);
	/* sz_limit 12P / 3 = 4P: the two one-page regions may merge */
	assert_int_equal(ctx->sz_limit, 4 * P);
	for (int i = 0; i < 20; i++)
		assert_int_equal(udamon_ctx_step(ctx), 0);
	assert_int_equal(sn.count, 1);
}

static void test_merge_hottest_below_max(void **state)
{
	struct script s;
	struct fake_clock c = { 0 };
	struct udamon_ctx *ctx = script_ctx(&s, &c, unequal_pages, 3);

	/* hottest 5 of 20: threshold 0, 5 and 4 stay apart */
	hot_samples = 0;
	run_one_window(ctx, &s);
	assert_int_equal(sn.last.nr_regions, 3);
	assert_int_equal(sn.regions[0].nr_accesses, 5);
	assert_int_equal(sn.regions[1].nr_accesses, 4);
	assert_int_equal(sn.regions[2].nr_accesses, 0);
	udamon_ctx_free(ctx);

	/* hottest 20 of 20: threshold 2, 5 and 4 merge into (5 + 4) / 2 */
	ctx = script_ctx(&s, &c, unequal_pages, 3);
	hot_samples = 20;
	run_one_window(ctx, &s);
	assert_int_equal(sn.last.nr_regions, 2);
	assert_int_equal(sn.regions[0].start, 0);
	assert_int_equal(sn.regions[0].end, 2 * P);
	assert_int_equal(sn.regions[0].nr_accesses, 4);
	assert_int_equal(sn.regions[1].nr_accesses, 20);
	udamon_ctx_free(ctx);
}

static void test_online_commit(void **state)
{
	struct script s;
	struct fake_clock c = { 0 };
	struct udamon_ctx *ctx = script_ctx(&s, &c, three_pages, 3);
	struct udamon_filter wf = { .type = UDAMON_FILTER_WRITE,
				    .matching = true, .allow = true };
	struct udamon_attrs a;

	set_intervals(ctx, 1000, 10000, 1000000, 3, 100);	/* L 10 */
	collect(ctx, &sn);
	s.check = check_all;
	assert_int_equal(udamon_ctx_start(ctx), 0);
	for (int i = 0; i < 35; i++)
		assert_int_equal(udamon_ctx_step(ctx), 0);
	assert_int_equal(sn.count, 3);
	assert_int_equal(sn.regions[0].age, 2);

	a = ctx->attrs;
	a.aggr_us = 20000;					/* L 20 */
	assert_int_equal(udamon_ctx_commit(ctx, &a, &wf, 1), 0);
	assert_true(ctx->has_pending);
	assert_int_equal(ctx->attrs.aggr_us, 10000);
	/*
	 * Applied at the next sample (36), mid-window, as a kernel commit:
	 * the window restarts there (nr 0), the last window's 10 of 10
	 * becomes 20 of 20, bp follows it, age 2 * 10 / 20 = 1.
	 */
	assert_int_equal(udamon_ctx_step(ctx), 0);
	assert_false(ctx->has_pending);
	assert_int_equal(ctx->attrs.aggr_us, 20000);
	assert_int_equal(ctx->nr_filters, 1);
	assert_int_equal(ctx->filters[0].type, UDAMON_FILTER_WRITE);
	assert_int_equal(ctx->targets[0].regions[0].nr_accesses, 0);
	assert_int_equal(ctx->targets[0].regions[0].last_nr_accesses, 20);
	assert_int_equal(ctx->targets[0].regions[0].nr_accesses_bp, 200000);
	assert_int_equal(ctx->targets[0].regions[0].age, 1);
	assert_int_equal(ctx->next_aggr_sample, 56);
	/* regions kept */
	assert_int_equal(ctx->targets[0].nr_regions, 3);
	assert_int_equal(ctx->targets[0].regions[2].start, 12 * P);
	for (int i = 0; i < 19; i++)
		assert_int_equal(udamon_ctx_step(ctx), 0);
	assert_int_equal(sn.count, 3);
	assert_int_equal(udamon_ctx_step(ctx), 0);	/* sample 56 */
	assert_int_equal(sn.count, 4);
	assert_int_equal(sn.last.aggr_us, 20000);
	assert_int_equal(sn.last.nr_regions, 3);
	assert_int_equal(sn.regions[0].nr_accesses, 20);
	assert_int_equal(sn.regions[0].age, 2);
	/* the moving sum stayed in step: 200000 at every window end */
	assert_int_equal(ctx->targets[0].regions[0].nr_accesses_bp, 200000);

	/* a commit at a boundary sample: rescaled before the snapshot */
	for (int i = 0; i < 19; i++)
		assert_int_equal(udamon_ctx_step(ctx), 0);
	a.aggr_us = 10000;					/* L 10 */
	assert_int_equal(udamon_ctx_commit(ctx, &a, &wf, 1), 0);
	assert_int_equal(udamon_ctx_step(ctx), 0);	/* sample 76 */
	assert_int_equal(sn.count, 5);
	assert_int_equal(sn.last.aggr_us, 10000);
	assert_int_equal(sn.regions[0].nr_accesses, 10);
	assert_int_equal(ctx->next_aggr_sample, 86);
	/* mid-window again: the new window is counted from sample 77 */
	a.aggr_us = 20000;
	assert_int_equal(udamon_ctx_commit(ctx, &a, &wf, 1), 0);
	assert_int_equal(udamon_ctx_step(ctx), 0);
	assert_int_equal(ctx->next_aggr_sample, 97);
	for (int i = 0; i < 19; i++)
		assert_int_equal(udamon_ctx_step(ctx), 0);
	assert_int_equal(sn.count, 5);
	assert_int_equal(udamon_ctx_step(ctx), 0);
	assert_int_equal(sn.count, 6);
	assert_int_equal(sn.regions[0].nr_accesses, 20);

	/* NULL filters keep the filters in force */
	assert_int_equal(udamon_ctx_commit(ctx, NULL, NULL, 0), 0);
	for (int i = 0; i < 20; i++)
		assert_int_equal(udamon_ctx_step(ctx), 0);
	assert_int_equal(ctx->nr_filters, 1);
	assert_int_equal(ctx->attrs.aggr_us, 20000);
	/* an empty list removes them */
	assert_int_equal(udamon_ctx_commit(ctx, NULL, &wf, 0), 0);
	for (int i = 0; i < 20; i++)
		assert_int_equal(udamon_ctx_step(ctx), 0);
	assert_int_equal(ctx->nr_filters, 0);
	/* set_attrs on a running ctx is an online change too */
	a = ctx->attrs;
	a.aggr_us = 10000;
	assert_int_equal(udamon_ctx_set_attrs(ctx, &a), 0);
	assert_true(ctx->has_pending);
	assert_int_equal(ctx->attrs.aggr_us, 20000);
	for (int i = 0; i < 20; i++)
		assert_int_equal(udamon_ctx_step(ctx), 0);
	assert_int_equal(ctx->attrs.aggr_us, 10000);
	assert_int_equal(sn.regions[0].nr_accesses, 10);
	udamon_ctx_free(ctx);
}

static void test_feedback(void **state)
{
	assert_int_equal(udamon_core_feedback(100000000, 10000), 100000000);
	assert_int_equal(udamon_core_feedback(100000000, 20000), 10000);
	assert_int_equal(udamon_core_feedback(100000000, 99999), 10000);
	/* c = 1e8 * 5000 / 10000 */
	assert_int_equal(udamon_core_feedback(100000000, 5000), 150000000);
	assert_int_equal(udamon_core_feedback(100000000, 15000), 50000000);
	assert_int_equal(udamon_core_feedback(100000000, 0), 200000000);
	/* never below the minimum input */
	assert_int_equal(udamon_core_feedback(20000, 19000), 10000);
}

/* One 1P region, L = 20, goal 4%: target events 81920 * 4% = 3276. */
static struct udamon_ctx *tune_ctx(unsigned int nr, uint64_t min,
				   uint64_t max)
{
	struct udamon_ctx *ctx = udamon_ctx_new();
	struct udamon_range rg = { 0, P };
	struct udamon_attrs a;

	udamon_ctx_add_target(ctx, 0);
	udamon_target_set_regions(&ctx->targets[0], &rg, 1);
	udamon_attrs_default(&a);	/* 5 ms, 100 ms: L = 20 */
	a.goal = (struct udamon_intervals_goal){ 400, 1, min, max };
	assert_int_equal(udamon_ctx_set_attrs(ctx, &a), 0);
	ctx->targets[0].regions[0].nr_accesses = nr;
	ctx->targets[0].regions[0].age = 9;
	return ctx;
}

static void test_autotune_direction(void **state)
{
	struct udamon_ctx *ctx;

	/* no events: score 0, f = 2e8, 2x: 5 ms -> 10 ms, age 9 -> 4 */
	ctx = tune_ctx(0, 1000, 10000000);
	assert_int_equal(udamon_core_tune_score(ctx), 0);
	assert_int_equal(udamon_core_tune_adaptation_bp(ctx), 20000);
	udamon_core_autotune(ctx);
	assert_int_equal(ctx->attrs.sample_us, 10000);
	assert_int_equal(ctx->attrs.aggr_us, 200000);
	assert_int_equal(ctx->targets[0].regions[0].age, 4);
	assert_int_equal(ctx->targets[0].regions[0].nr_accesses, 0);
	udamon_ctx_free(ctx);

	/* 1 of 20: score 4096 * 10000 / 3276 = 12503; too many events:
	 * f = 1e8 - 1e8 * 2503 / 10000 = 74970000, a = 7497 -> 5000 + 3748,
	 * sample 5000 * 8748 / 10000 = 4374 */
	ctx = tune_ctx(1, 1000, 10000000);
	assert_int_equal(udamon_core_tune_score(ctx), 12503);
	assert_int_equal(udamon_core_tune_adaptation_bp(ctx), 8748);
	udamon_core_autotune(ctx);
	assert_int_equal(ctx->attrs.sample_us, 4374);
	assert_int_equal(ctx->attrs.aggr_us, 4374 * 20);
	/* counts keep their scale: L is unchanged */
	assert_int_equal(ctx->targets[0].regions[0].nr_accesses, 1);
	udamon_ctx_free(ctx);

	/* far too many (20 of 20, score 250030): at most halve */
	ctx = tune_ctx(20, 1000, 10000000);
	assert_int_equal(udamon_core_tune_adaptation_bp(ctx), 5000);
	udamon_core_autotune(ctx);
	assert_int_equal(ctx->attrs.sample_us, 2500);
	assert_int_equal(ctx->attrs.aggr_us, 50000);
	udamon_ctx_free(ctx);
}

static void test_autotune_clamp(void **state)
{
	struct udamon_ctx *ctx;

	ctx = tune_ctx(0, 1000, 8000);		/* 10 ms > max 8 ms */
	udamon_core_autotune(ctx);
	assert_int_equal(ctx->attrs.sample_us, 8000);
	assert_int_equal(ctx->attrs.aggr_us, 160000);
	udamon_ctx_free(ctx);
	ctx = tune_ctx(20, 4000, 8000);		/* 2.5 ms < min 4 ms */
	udamon_core_autotune(ctx);
	assert_int_equal(ctx->attrs.sample_us, 4000);
	assert_int_equal(ctx->attrs.aggr_us, 80000);
	udamon_ctx_free(ctx);
}

static void test_autotune_on_goal(void **state)
{
	/* goal 100%: every sample accessed meets it exactly: no change */
	struct udamon_ctx *ctx = tune_ctx(20, 1000, 10000000);

	ctx->attrs.goal.access_bp = 10000;
	assert_int_equal(udamon_core_tune_score(ctx), 10000);
	udamon_core_autotune(ctx);
	assert_int_equal(ctx->attrs.sample_us, 5000);
	assert_int_equal(ctx->targets[0].regions[0].age, 9);
	udamon_ctx_free(ctx);
}

static void check_none(struct udamon_ctx *ctx, struct script *s)
{
}

static void test_autotune_in_engine(void **state)
{
	struct script s;
	struct fake_clock c = { 0 };
	struct udamon_ctx *ctx = script_ctx(&s, &c, three_pages, 3);
	struct udamon_attrs a;
	uint64_t samples[5];

	udamon_attrs_default(&a);
	a.sample_us = 1000;
	a.aggr_us = 10000;
	a.min_nr_regions = 3;
	a.goal = (struct udamon_intervals_goal){ 400, 2, 1000, 3000 };
	assert_int_equal(udamon_ctx_set_attrs(ctx, &a), 0);
	collect(ctx, &sn);
	s.check = check_none;
	assert_int_equal(udamon_ctx_start(ctx), 0);
	for (int i = 0; i < 5; i++) {
		unsigned int before = sn.count;

		while (sn.count == before)
			assert_int_equal(udamon_ctx_step(ctx), 0);
		samples[i] = sn.last.sample_us;
		assert_int_equal(sn.last.aggr_us, sn.last.sample_us * 10);
	}
	/* tuned every 2nd aggregation, before the snapshot; max 3 ms */
	assert_int_equal(samples[0], 1000);
	assert_int_equal(samples[1], 2000);
	assert_int_equal(samples[2], 2000);
	assert_int_equal(samples[3], 3000);
	assert_int_equal(samples[4], 3000);
	/* boundaries count samples: 10 per aggregation throughout */
	assert_int_equal(ctx->passed_samples, 50);
	/* the fake clock saw the longer samples: 20*1 + 20*2 + 10*3 ms */
	assert_int_equal(c.ns, 90ULL * 1000000);
	udamon_ctx_free(ctx);
}

static int stop_after(struct udamon_ctx *ctx, void *data)
{
	return ctx->passed_samples >= *(uint64_t *)data;
}

static void test_run_stops(void **state)
{
	struct script s;
	struct fake_clock c = { 0 };
	struct udamon_ctx *ctx = script_ctx(&s, &c, three_pages, 3);
	uint64_t n = 37;

	set_intervals(ctx, 1000, 10000, 1000000, 3, 100);
	ctx->after_sample = stop_after;
	ctx->after_sample_data = &n;
	assert_int_equal(udamon_ctx_run(ctx), 0);
	assert_int_equal(ctx->passed_samples, 37);
	udamon_ctx_free(ctx);

	/* no valid target: run ends before any sample */
	ctx = script_ctx(&s, &c, three_pages, 3);
	s.invalid = true;
	assert_int_equal(udamon_ctx_run(ctx), 0);
	assert_int_equal(ctx->passed_samples, 0);
	assert_int_equal(s.nr_init, 1);
	udamon_ctx_free(ctx);

	/* stop flag */
	ctx = script_ctx(&s, &c, three_pages, 3);
	ctx->stop = 1;
	assert_int_equal(udamon_ctx_run(ctx), 0);
	assert_int_equal(ctx->passed_samples, 0);
	udamon_ctx_free(ctx);
}

/* Targets whose pid is dead_pid are gone; cleanups are counted. */
static int dead_pid;
static unsigned int nr_target_cleanups;

static bool pid_valid(struct udamon_ctx *ctx, struct udamon_target *t)
{
	return t->pid != dead_pid;
}

static void count_cleanup(struct udamon_ctx *ctx, struct udamon_target *t)
{
	nr_target_cleanups++;
}

struct per_target {
	unsigned int count[3];
	size_t last_regions[3];
};

static void per_target_fn(struct udamon_ctx *ctx, size_t idx,
			  const struct udamon_snapshot *snap, void *data)
{
	struct per_target *p = data;

	assert_true(idx < 3);
	p->count[idx]++;
	p->last_regions[idx] = snap->nr_regions;
}

/*
 * A target that ends (a process of a tree exits) keeps its index and its
 * earlier snapshots, gets no more, and frees its regions; the others go
 * on.
 */
static void test_ended_target(void **state)
{
	struct script s;
	struct fake_clock c = { 0 };
	struct udamon_ctx *ctx = script_ctx(&s, &c, three_pages, 3);
	struct udamon_ops ops = script_ops;
	struct udamon_range r = { 100 * P, 110 * P };
	struct per_target p;

	memset(&p, 0, sizeof(p));
	ops.target_valid = pid_valid;
	ops.cleanup_target = count_cleanup;
	ctx->ops = &ops;
	dead_pid = -1;
	nr_target_cleanups = 0;
	set_intervals(ctx, 1000, 10000, 1000000, 3, 100);
	assert_int_equal(udamon_ctx_add_target(ctx, 41), 0);
	assert_int_equal(udamon_ctx_add_target(ctx, 42), 0);
	assert_int_equal(udamon_target_set_regions(&ctx->targets[1], &r, 1), 0);
	assert_int_equal(udamon_target_set_regions(&ctx->targets[2], &r, 1), 0);
	ctx->on_snapshot = per_target_fn;
	ctx->on_snapshot_data = &p;
	assert_int_equal(udamon_ctx_start(ctx), 0);
	for (int i = 0; i < 30; i++)	/* 3 aggregations */
		assert_int_equal(udamon_ctx_step(ctx), 0);
	assert_int_equal(p.count[0], 3);
	assert_int_equal(p.count[1], 3);
	assert_int_equal(p.count[2], 3);

	dead_pid = 41;
	for (int i = 0; i < 30; i++)
		assert_int_equal(udamon_ctx_step(ctx), 0);
	assert_int_equal(p.count[0], 6);
	assert_int_equal(p.count[1], 3);	/* up to its end */
	assert_int_equal(p.count[2], 6);
	assert_true(p.last_regions[2] > 0);
	assert_true(ctx->targets[1].ended);
	assert_int_equal(ctx->targets[1].nr_regions, 0);
	assert_int_equal(nr_target_cleanups, 1);
	assert_int_equal(ctx->nr_targets, 3);

	/* then the first target: the one left goes on */
	dead_pid = 0;
	for (int i = 0; i < 10; i++)
		assert_int_equal(udamon_ctx_step(ctx), 0);
	assert_true(ctx->targets[0].ended);
	assert_false(ctx->targets[2].ended);
	assert_int_equal(p.count[0], 6);
	assert_int_equal(p.count[2], 7);
	assert_int_equal(nr_target_cleanups, 2);
	udamon_ctx_free(ctx);
}

static int fail_check(struct udamon_ctx *ctx)
{
	return -EIO;
}

/*
 * Region 0 accessed every sample but checked only every 4th; region 1
 * accessed in every other sample, never checked; region 2 checked always,
 * accessed in half. The time the check takes (2 ms of a 5 ms sample) is
 * taken off the sleep, so samples stay 5 ms apart.
 */
static void check_some(struct udamon_ctx *ctx, struct script *s)
{
	struct udamon_region *r = ctx->targets[0].regions;

	r[0].accessed = true;
	r[0].unchecked = ctx->passed_samples % 4 != 0;
	r[1].accessed = ctx->passed_samples % 2;
	r[1].unchecked = true;
	r[2].accessed = ctx->passed_samples % 2;
	((struct fake_clock *)ctx->clock.data)->ns += 2000000;
}

static void test_unchecked_and_deadline(void **state)
{
	struct script s;
	struct fake_clock c = { 1000000 };
	struct udamon_ctx *ctx = script_ctx(&s, &c, three_pages, 3);
	struct udamon_region *r;

	set_intervals(ctx, 5000, 100000, 1000000, 3, 100);	/* L 20 */
	collect(ctx, &sn);
	s.check = check_some;
	assert_int_equal(udamon_ctx_start(ctx), 0);
	ctx->targets[0].regions[1].last_nr_accesses = 7;
	for (int i = 0; i < 20; i++)
		assert_int_equal(udamon_ctx_step(ctx), 0);
	assert_int_equal(sn.count, 1);
	/* the first aggregation also holds its last check */
	assert_int_equal(sn.last.end_time_ns - sn.last.start_time_ns,
			 102000000);
	assert_int_equal(ctx->stats.aggr_overruns, 0);
	assert_int_equal(ctx->stats.sample_overruns, 0);
	/* 5 of 20 checked, all accessed: 20; never checked: its last 7 */
	assert_int_equal(sn.regions[0].nr_accesses, 20);
	assert_int_equal(sn.regions[1].nr_accesses, 7);
	assert_int_equal(sn.regions[2].nr_accesses, 10);
	assert_int_equal(ctx->stats.unchecked, 15 + 20);
	r = ctx->targets[0].regions;
	assert_int_equal(r[0].nr_checked, 0);	/* reset */
	assert_int_equal(ctx->aggr_nr_samples, 0);
	for (int i = 0; i < 20; i++)
		assert_int_equal(udamon_ctx_step(ctx), 0);
	/* the check's 2 ms came off the sleep: 20 x 5 ms */
	assert_int_equal(sn.last.end_time_ns - sn.last.start_time_ns,
			 100000000);
	udamon_ctx_free(ctx);
}

/* The check takes longer than the sample: counted, intervals overrun. */
static void check_slow(struct udamon_ctx *ctx, struct script *s)
{
	((struct fake_clock *)ctx->clock.data)->ns += 6000000;
}

static void test_overruns_counted(void **state)
{
	struct script s;
	struct fake_clock c = { 1000000 };
	struct udamon_ctx *ctx = script_ctx(&s, &c, three_pages, 3);

	set_intervals(ctx, 5000, 100000, 1000000, 3, 100);
	collect(ctx, &sn);
	s.check = check_slow;
	assert_int_equal(udamon_ctx_start(ctx), 0);
	for (int i = 0; i < 40; i++)
		assert_int_equal(udamon_ctx_step(ctx), 0);
	assert_int_equal(sn.count, 2);
	/* each sample: 6 ms of work + the 2.5 ms floor of the sleep */
	assert_true(sn.last.end_time_ns - sn.last.start_time_ns > 125000000);
	assert_int_equal(ctx->stats.aggr_overruns, 2);
	assert_int_equal(ctx->stats.nr_aggregations, 2);
	assert_true(ctx->stats.sample_overruns >= 39);
	assert_true(ctx->stats.max_aggr_ns > 125000000);
	udamon_ctx_free(ctx);
}

static void test_ops_error(void **state)
{
	struct script s;
	struct fake_clock c = { 0 };
	struct udamon_ctx *ctx = script_ctx(&s, &c, three_pages, 3);
	struct udamon_ops ops = script_ops;

	ops.check_accesses = fail_check;
	ctx->ops = &ops;
	assert_int_equal(udamon_ctx_run(ctx), -EIO);
	assert_string_equal(udamon_ctx_errmsg(ctx),
			    "script: check_accesses failed: Input/output error");
	udamon_ctx_free(ctx);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_bp_arithmetic),
		cmocka_unit_test(test_boundaries_and_snapshots),
		cmocka_unit_test(test_age_in_engine),
		cmocka_unit_test(test_rescale),
		cmocka_unit_test(test_merge_hottest_below_max),
		cmocka_unit_test(test_online_commit),
		cmocka_unit_test(test_feedback),
		cmocka_unit_test(test_autotune_direction),
		cmocka_unit_test(test_autotune_clamp),
		cmocka_unit_test(test_autotune_on_goal),
		cmocka_unit_test(test_autotune_in_engine),
		cmocka_unit_test(test_run_stops),
		cmocka_unit_test(test_ended_target),
		cmocka_unit_test(test_unchecked_and_deadline),
		cmocka_unit_test(test_overruns_counted),
		cmocka_unit_test(test_ops_error),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
