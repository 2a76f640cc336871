// SPDX-License-Identifier: MIT
/*
 * The kernel's DAMON KUnit cases (mm/damon/tests/core-kunit.h and
 * vaddr-kunit.h), reproduced on udamon's engine: same inputs, same
 * expected results, each test named after the case it reproduces.
 * docs/FIDELITY.md lists them, the cases that do not apply, and why.
 * The kernel builds these cases with a minimum region size of 1; the
 * helpers that take an alignment get 1 here for the same reason.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "udamon/udamon.h"
#include "core/internal.h"

#define ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))

/* A target holding the given [start, end) regions, counts zero. */
static void target_with(struct udamon_target *t, const uint64_t (*se)[2],
			size_t n)
{
	struct udamon_range *rg = calloc(n ? n : 1, sizeof(*rg));

	memset(t, 0, sizeof(*t));
	for (size_t i = 0; i < n; i++)
		rg[i] = (struct udamon_range){ se[i][0], se[i][1] };
	assert_int_equal(udamon_target_set_regions(t, rg, n), 0);
	free(rg);
}

static void expect_regions(const struct udamon_target *t,
			   const uint64_t (*se)[2], size_t n)
{
	assert_int_equal(t->nr_regions, n);
	for (size_t i = 0; i < n; i++) {
		assert_int_equal(t->regions[i].start, se[i][0]);
		assert_int_equal(t->regions[i].end, se[i][1]);
	}
}

/* ---- core-kunit.h ------------------------------------------------------ */

static void damon_test_regions(void **state)
{
	struct udamon_target t = { 0 };
	struct udamon_range one = { 1, 2 };

	assert_int_equal(t.nr_regions, 0);
	assert_int_equal(udamon_target_set_regions(&t, &one, 1), 0);
	assert_int_equal(t.nr_regions, 1);
	assert_int_equal(t.regions[0].start, 1);
	assert_int_equal(t.regions[0].end, 2);
	assert_int_equal(t.regions[0].nr_accesses, 0);
	assert_int_equal(udamon_target_set_regions(&t, NULL, 0), 0);
	assert_int_equal(t.nr_regions, 0);
	udamon_core_target_free(&t);
}

static void damon_test_target(void **state)
{
	struct udamon_ctx *ctx = udamon_ctx_new();

	assert_int_equal(ctx->nr_targets, 0);
	assert_int_equal(udamon_ctx_add_target(ctx, 0), 0);
	assert_int_equal(ctx->nr_targets, 1);
	udamon_ctx_free(ctx);
}

static void damon_test_aggregate(void **state)
{
	static const uint64_t sa[3][3] = {
		{ 10, 20, 30 }, { 5, 42, 49 }, { 13, 33, 55 } };
	static const uint64_t ea[3][3] = {
		{ 15, 27, 40 }, { 31, 45, 55 }, { 23, 44, 66 } };
	static const unsigned int acc[3][3] = {
		{ 42, 95, 84 }, { 10, 20, 30 }, { 0, 1, 2 } };
	struct udamon_ctx *ctx = udamon_ctx_new();

	for (int it = 0; it < 3; it++) {
		struct udamon_range rg[3];

		assert_int_equal(udamon_ctx_add_target(ctx, 0), 0);
		for (int ir = 0; ir < 3; ir++)
			rg[ir] = (struct udamon_range){ sa[it][ir],
							ea[it][ir] };
		assert_int_equal(udamon_target_set_regions(&ctx->targets[it],
							   rg, 3), 0);
		for (int ir = 0; ir < 3; ir++)
			ctx->targets[it].regions[ir].nr_accesses =
				acc[it][ir];
	}
	udamon_core_reset_aggregated(ctx);
	assert_int_equal(ctx->nr_targets, 3);
	for (int it = 0; it < 3; it++) {
		assert_int_equal(ctx->targets[it].nr_regions, 3);
		for (int ir = 0; ir < 3; ir++) {
			const struct udamon_region *r =
				&ctx->targets[it].regions[ir];

			assert_int_equal(r->nr_accesses, 0);
			assert_int_equal(r->last_nr_accesses, acc[it][ir]);
		}
	}
	udamon_ctx_free(ctx);
}

static void damon_test_split_at(void **state)
{
	struct udamon_ctx *ctx = udamon_ctx_new();
	struct udamon_region r = { .start = 0, .end = 100 }, right;

	r.nr_accesses = 42;
	r.last_nr_accesses = 15;
	r.nr_accesses_bp = 420000;
	r.age = 10;
	assert_int_equal(udamon_core_split_at(ctx, &r, 25, &right), 0);
	assert_int_equal(r.start, 0);
	assert_int_equal(r.end, 25);
	assert_int_equal(right.start, 25);
	assert_int_equal(right.end, 100);
	assert_int_equal(r.nr_accesses, right.nr_accesses);
	assert_int_equal(r.last_nr_accesses, right.last_nr_accesses);
	assert_int_equal(r.nr_accesses_bp, right.nr_accesses_bp);
	assert_int_equal(r.age, right.age);
	udamon_ctx_free(ctx);
}

static void damon_test_merge_two(void **state)
{
	struct udamon_ctx *ctx = udamon_ctx_new();
	struct udamon_region l = { .start = 0, .end = 100 };
	struct udamon_region r = { .start = 100, .end = 300 };

	l.nr_accesses = 10;
	l.age = 9;
	r.nr_accesses = 20;
	r.age = 21;
	udamon_core_merge_two(ctx, &l, &r);
	assert_int_equal(l.start, 0);
	assert_int_equal(l.end, 300);
	assert_int_equal(l.nr_accesses, 16);
	assert_int_equal(l.nr_accesses_bp, 160000);
	assert_int_equal(l.age, 17);
	udamon_ctx_free(ctx);
}

static void damon_test_merge_regions_of(void **state)
{
	static const uint64_t se[][2] = {
		{ 0, 100 }, { 100, 112 }, { 114, 122 }, { 122, 130 },
		{ 130, 156 }, { 156, 170 }, { 170, 184 }, { 184, 230 },
		{ 230, 10170 },
	};
	static const unsigned int nrs[] = { 0, 0, 10, 10, 20, 30, 1, 2, 5 };
	static const uint64_t want[][2] = {
		{ 0, 112 }, { 114, 130 }, { 130, 156 }, { 156, 170 },
		{ 170, 230 }, { 230, 10170 },
	};
	struct udamon_ctx *ctx = udamon_ctx_new();
	struct udamon_target *t;

	assert_int_equal(udamon_ctx_add_target(ctx, 0), 0);
	t = &ctx->targets[0];
	target_with(t, se, ARRAY_SIZE(se));
	for (size_t i = 0; i < ARRAY_SIZE(nrs); i++)
		t->regions[i].nr_accesses = nrs[i];
	udamon_core_merge_target(ctx, t, 9, 9999);
	expect_regions(t, want, ARRAY_SIZE(want));
	udamon_ctx_free(ctx);
}

static void split_and_count(struct udamon_ctx *ctx, const uint64_t (*se)[2],
			    size_t n, unsigned int pieces, size_t most)
{
	struct udamon_target *t = &ctx->targets[0];

	target_with(t, se, n);
	assert_int_equal(udamon_core_split_target(ctx, t, pieces), 0);
	assert_true(t->nr_regions <= most);
	for (size_t i = 0; i < t->nr_regions; i++) {
		assert_true(t->regions[i].start < t->regions[i].end);
		if (i)
			assert_true(t->regions[i - 1].end <=
				    t->regions[i].start);
	}
	udamon_core_target_free(t);
}

static void damon_test_split_regions_of(void **state)
{
	static const uint64_t a[][2] = { { 0, 22 } };
	static const uint64_t b[][2] = { { 0, 220 } };
	static const uint64_t c[][2] = { { 0, 220 }, { 300, 400 },
					 { 500, 700 } };
	/* the same in pages, where udamon's 4 KiB minimum lets them split */
	static const uint64_t cp[][2] = {
		{ 0, 220 * UDAMON_MIN_REGION },
		{ 300 * UDAMON_MIN_REGION, 400 * UDAMON_MIN_REGION },
		{ 500 * UDAMON_MIN_REGION, 700 * UDAMON_MIN_REGION } };
	struct udamon_ctx *ctx = udamon_ctx_new();

	assert_int_equal(udamon_ctx_add_target(ctx, 0), 0);
	split_and_count(ctx, a, 1, 2, 2);
	split_and_count(ctx, b, 1, 4, 4);
	split_and_count(ctx, c, 3, 4, 12);
	split_and_count(ctx, cp, 3, 4, 12);
	udamon_ctx_free(ctx);
}

struct set_regions_case {
	uint64_t old[3][2];
	size_t nr_old;
	struct udamon_range now[3];
	size_t nr_now;
	uint64_t want[3][2];
	size_t nr_want;
};

static void damon_test_set_regions(void **state)
{
	static const struct set_regions_case cases[] = {
		/* initial build up on an empty target */
		{ { { 0 } }, 0, { { 5, 15 }, { 15, 25 } }, 2,
		  { { 5, 15 }, { 15, 25 } }, 2 },
		/* regions meeting no range go */
		{ { { 4, 16 }, { 24, 32 } }, 2, { { 18, 23 } }, 1,
		  { { 18, 23 } }, 1 },
		/* holes are filled with new regions */
		{ { { 4, 16 }, { 24, 32 } }, 2, { { 8, 28 } }, 1,
		  { { 8, 16 }, { 16, 24 }, { 24, 28 } }, 3 },
		/* new regions can be appended */
		{ { { 0, 4 }, { 4, 17 } }, 2, { { 0, 15 }, { 25, 40 } }, 2,
		  { { 0, 4 }, { 4, 15 }, { 25, 40 } }, 3 },
		/* new regions can be inserted */
		{ { { 0, 4 }, { 42, 52 } }, 2,
		  { { 0, 15 }, { 25, 40 }, { 44, 50 } }, 3,
		  { { 0, 15 }, { 25, 40 }, { 44, 50 } }, 3 },
	};

	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		const struct set_regions_case *c = &cases[i];
		struct udamon_target t;

		target_with(&t, c->old, c->nr_old);
		assert_int_equal(udamon_target_update_regions(&t, c->now,
							      c->nr_now), 0);
		expect_regions(&t, c->want, c->nr_want);
		udamon_core_target_free(&t);
	}
}

static void damon_test_nr_accesses_to_accesses_bp(void **state)
{
	struct udamon_attrs a;

	udamon_attrs_default(&a);
	a.sample_us = 10;
	a.aggr_us = ((uint64_t)UINT32_MAX + 1) * 10;
	/* the sample count saturates at UINT_MAX: no division by zero */
	assert_int_equal(udamon_core_nr_accesses_to_bp(123, &a), 0);
}

static void damon_test_update_monitoring_result(void **state)
{
	struct udamon_ctx *ctx = udamon_ctx_new();
	struct udamon_range rg = { 3, 7 };
	struct udamon_attrs old, a;
	struct udamon_region *r;

	udamon_attrs_default(&old);
	old.sample_us = 10;
	old.aggr_us = 1000;
	assert_int_equal(udamon_ctx_add_target(ctx, 0), 0);
	assert_int_equal(udamon_target_set_regions(&ctx->targets[0], &rg, 1),
			 0);
	r = &ctx->targets[0].regions[0];
	r->nr_accesses = 15;
	r->nr_accesses_bp = 150000;
	r->age = 20;

	a = old;
	a.sample_us = 100;
	a.aggr_us = 10000;
	ctx->attrs = old;
	udamon_core_apply_attrs(ctx, &a, false);
	assert_int_equal(r->nr_accesses, 15);
	assert_int_equal(r->age, 2);

	a.sample_us = 1;
	a.aggr_us = 1000;
	ctx->attrs = old;
	udamon_core_apply_attrs(ctx, &a, false);
	assert_int_equal(r->nr_accesses, 150);
	assert_int_equal(r->age, 2);

	a.sample_us = 1;
	a.aggr_us = 100;
	ctx->attrs = old;
	udamon_core_apply_attrs(ctx, &a, false);
	assert_int_equal(r->nr_accesses, 150);
	assert_int_equal(r->age, 20);
	udamon_ctx_free(ctx);
}

static void damon_test_set_attrs(void **state)
{
	struct udamon_ctx *ctx = udamon_ctx_new();
	struct udamon_attrs valid, bad;

	udamon_attrs_default(&valid);
	valid.min_nr_regions = 10;
	valid.max_nr_regions = 1000;
	valid.sample_us = 5000;
	valid.aggr_us = 100000;
	assert_int_equal(udamon_ctx_set_attrs(ctx, &valid), 0);

	bad = valid;
	bad.min_nr_regions = 1;
	assert_int_equal(udamon_ctx_set_attrs(ctx, &bad), -EINVAL);
	bad = valid;
	bad.max_nr_regions = 9;
	assert_int_equal(udamon_ctx_set_attrs(ctx, &bad), -EINVAL);
	bad = valid;
	bad.aggr_us = 4999;
	assert_int_equal(udamon_ctx_set_attrs(ctx, &bad), -EINVAL);
	udamon_ctx_free(ctx);
}

static void damon_test_moving_sum(void **state)
{
	static const bool accessed[] = { 1, 0, 1, 0, 0, 0, 1, 0, 0, 0 };
	static const unsigned int want[] = { 55000, 50000, 55000, 50000,
		45000, 40000, 45000, 40000, 35000, 30000 };
	struct udamon_ctx *ctx = udamon_ctx_new();
	struct udamon_region r = { .start = 0, .end = 4096 };

	/* window of 10 samples; the last window's sum is 50000 (5 of 10) */
	ctx->attrs.sample_us = 1;
	ctx->attrs.aggr_us = 10;
	r.nr_accesses_bp = 50000;
	r.last_nr_accesses = 5;
	for (size_t i = 0; i < ARRAY_SIZE(accessed); i++) {
		udamon_core_update_region(ctx, &r, accessed[i]);
		assert_int_equal(r.nr_accesses_bp, want[i]);
	}
	udamon_ctx_free(ctx);
}

static void damon_test_feed_loop_next_input(void **state)
{
	uint64_t last = 900000;

	/* below the goal (10000): the next input grows */
	assert_true(udamon_core_feedback(last, 200) > last);
	/* above it: it shrinks */
	assert_true(udamon_core_feedback(last, 250000000) < last);
	/* the farther from the goal, the bigger the step */
	assert_true(udamon_core_feedback(last, 200) >
		    udamon_core_feedback(last, 2000));
}

static void damon_test_rand(void **state)
{
	struct udamon_rng rng;

	udamon_rng_seed(&rng, 0x1234);
	for (int i = 0; i < 10000; i++) {
		uint64_t v = udamon_rng_range(&rng, 0, 10);

		assert_true(v <= 9);
	}
}

/* ---- vaddr-kunit.h ----------------------------------------------------- */

static void damon_test_three_regions_in_vmas(void **state)
{
	static const struct udamon_range vmas[] = {
		{ 10, 20 }, { 20, 25 }, { 200, 210 }, { 210, 220 },
		{ 300, 305 }, { 307, 330 },
	};
	struct udamon_range out[3];

	assert_int_equal(udamon_core_three_regions(vmas, ARRAY_SIZE(vmas), 1,
						   out), 3);
	assert_int_equal(out[0].start, 10);
	assert_int_equal(out[0].end, 25);
	assert_int_equal(out[1].start, 200);
	assert_int_equal(out[1].end, 220);
	assert_int_equal(out[2].start, 300);
	assert_int_equal(out[2].end, 330);
}

/* 10-20-30, 50-55-57-59, 70-80-90-100 */
static const uint64_t old_three[][2] = {
	{ 10, 20 }, { 20, 30 }, { 50, 55 }, { 55, 57 }, { 57, 59 },
	{ 70, 80 }, { 80, 90 }, { 90, 100 },
};

static void apply_three(const struct udamon_range now[3],
			const uint64_t (*want)[2], size_t nr_want)
{
	struct udamon_target t;

	target_with(&t, old_three, ARRAY_SIZE(old_three));
	assert_int_equal(udamon_target_update_regions(&t, now, 3), 0);
	expect_regions(&t, want, nr_want);
	udamon_core_target_free(&t);
}

static void damon_test_apply_three_regions1(void **state)
{
	static const struct udamon_range now[3] = {
		{ 5, 27 }, { 45, 55 }, { 73, 104 } };
	static const uint64_t want[][2] = {
		{ 5, 20 }, { 20, 27 }, { 45, 55 }, { 73, 80 }, { 80, 90 },
		{ 90, 104 } };

	apply_three(now, want, ARRAY_SIZE(want));
}

static void damon_test_apply_three_regions2(void **state)
{
	static const struct udamon_range now[3] = {
		{ 5, 27 }, { 56, 57 }, { 65, 104 } };
	static const uint64_t want[][2] = {
		{ 5, 20 }, { 20, 27 }, { 56, 57 }, { 65, 80 }, { 80, 90 },
		{ 90, 104 } };

	apply_three(now, want, ARRAY_SIZE(want));
}

static void damon_test_apply_three_regions3(void **state)
{
	static const struct udamon_range now[3] = {
		{ 5, 27 }, { 61, 63 }, { 65, 104 } };
	static const uint64_t want[][2] = {
		{ 5, 20 }, { 20, 27 }, { 61, 63 }, { 65, 80 }, { 80, 90 },
		{ 90, 104 } };

	apply_three(now, want, ARRAY_SIZE(want));
}

static void damon_test_apply_three_regions4(void **state)
{
	static const struct udamon_range now[3] = {
		{ 5, 7 }, { 30, 32 }, { 65, 68 } };
	static const uint64_t want[][2] = { { 5, 7 }, { 30, 32 }, { 65, 68 } };

	apply_three(now, want, ARRAY_SIZE(want));
}

static void split_evenly_fail(uint64_t start, uint64_t end, unsigned int n)
{
	struct udamon_range out[16];

	assert_int_equal(udamon_core_split_evenly(start, end, n, 1, out), 0);
}

static void split_evenly_succ(uint64_t start, uint64_t end, unsigned int n)
{
	struct udamon_range out[16];
	uint64_t width = (end - start) / n;

	assert_int_equal(udamon_core_split_evenly(start, end, n, 1, out), n);
	for (unsigned int i = 0; i < n; i++) {
		assert_int_equal(out[i].start, start + i * width);
		assert_int_equal(out[i].end, i == n - 1 ? end :
				 start + (i + 1) * width);
	}
}

static void damon_test_split_evenly(void **state)
{
	split_evenly_fail(0, 100, 0);
	split_evenly_succ(0, 100, 10);
	split_evenly_succ(5, 59, 5);
	split_evenly_succ(4, 6, 1);
	split_evenly_succ(0, 3, 2);
	split_evenly_fail(5, 6, 2);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(damon_test_regions),
		cmocka_unit_test(damon_test_target),
		cmocka_unit_test(damon_test_aggregate),
		cmocka_unit_test(damon_test_split_at),
		cmocka_unit_test(damon_test_merge_two),
		cmocka_unit_test(damon_test_merge_regions_of),
		cmocka_unit_test(damon_test_split_regions_of),
		cmocka_unit_test(damon_test_set_regions),
		cmocka_unit_test(damon_test_nr_accesses_to_accesses_bp),
		cmocka_unit_test(damon_test_update_monitoring_result),
		cmocka_unit_test(damon_test_set_attrs),
		cmocka_unit_test(damon_test_moving_sum),
		cmocka_unit_test(damon_test_feed_loop_next_input),
		cmocka_unit_test(damon_test_rand),
		cmocka_unit_test(damon_test_three_regions_in_vmas),
		cmocka_unit_test(damon_test_apply_three_regions1),
		cmocka_unit_test(damon_test_apply_three_regions2),
		cmocka_unit_test(damon_test_apply_three_regions3),
		cmocka_unit_test(damon_test_apply_three_regions4),
		cmocka_unit_test(damon_test_split_evenly),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
