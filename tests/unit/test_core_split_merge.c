// SPDX-License-Identifier: MIT
/* Age, merge and split at the bounds (core/split_merge.c). */
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

#define P 4096ULL

struct reg {
	uint64_t start, end;	/* pages */
	unsigned int nr, age;
};

/* A ctx with one target holding the given regions (in pages). */
static struct udamon_ctx *ctx_with(const struct reg *r, size_t n)
{
	struct udamon_ctx *ctx = udamon_ctx_new();
	struct udamon_range *rg = calloc(n, sizeof(*rg));

	assert_non_null(ctx);
	assert_int_equal(udamon_ctx_add_target(ctx, 0), 0);
	for (size_t i = 0; i < n; i++)
		rg[i] = (struct udamon_range){ r[i].start * P, r[i].end * P };
	assert_int_equal(udamon_target_set_regions(&ctx->targets[0], rg, n), 0);
	for (size_t i = 0; i < n; i++) {
		ctx->targets[0].regions[i].nr_accesses = r[i].nr;
		ctx->targets[0].regions[i].nr_accesses_bp = r[i].nr * 10000;
		ctx->targets[0].regions[i].last_nr_accesses = r[i].nr;
		ctx->targets[0].regions[i].age = r[i].age;
	}
	free(rg);
	return ctx;
}

static struct udamon_region *R(struct udamon_ctx *ctx, size_t i)
{
	assert_true(i < ctx->targets[0].nr_regions);
	return &ctx->targets[0].regions[i];
}

static void expect(struct udamon_ctx *ctx, size_t i, uint64_t s, uint64_t e,
		   unsigned int nr, unsigned int age)
{
	assert_int_equal(R(ctx, i)->start, s * P);
	assert_int_equal(R(ctx, i)->end, e * P);
	assert_int_equal(R(ctx, i)->nr_accesses, nr);
	assert_int_equal(R(ctx, i)->age, age);
}

static void test_age(void **state)
{
	/* thres 2 */
	struct reg r[] = {
		{ 0, 1, 5, 9 }, { 1, 2, 5, 7 }, { 2, 3, 0, 3 }, { 3, 4, 1, 3 },
		{ 4, 5, 0, 3 }, { 5, 6, 7, 3 },
	};
	struct udamon_ctx *ctx = ctx_with(r, 6);

	R(ctx, 0)->last_nr_accesses = 2;	/* |5 - 2| = 3 > 2: reset */
	R(ctx, 1)->last_nr_accesses = 3;	/* |5 - 3| = 2: older */
	R(ctx, 2)->last_nr_accesses = 1;	/* 0 after 1: reset */
	R(ctx, 3)->last_nr_accesses = 0;	/* 1 after 0: reset */
	R(ctx, 4)->last_nr_accesses = 0;	/* 0 after 0: older */
	R(ctx, 5)->last_nr_accesses = 9;	/* |7 - 9| = 2: older */
	for (size_t i = 0; i < 6; i++)
		udamon_core_update_age(R(ctx, i), 2);
	assert_int_equal(R(ctx, 0)->age, 0);
	assert_int_equal(R(ctx, 1)->age, 8);
	assert_int_equal(R(ctx, 2)->age, 0);
	assert_int_equal(R(ctx, 3)->age, 0);
	assert_int_equal(R(ctx, 4)->age, 4);
	assert_int_equal(R(ctx, 5)->age, 4);
	udamon_ctx_free(ctx);
}

static void test_merge_weighted(void **state)
{
	struct reg r[] = { { 0, 1, 10, 4 }, { 1, 4, 12, 8 } };
	struct udamon_ctx *ctx = ctx_with(r, 2);

	udamon_core_merge_target(ctx, &ctx->targets[0], 2, 1 << 30);
	assert_int_equal(ctx->targets[0].nr_regions, 1);
	/* ages first move (4 -> 5, 8 -> 9) as in the kernel's pass */
	/* nr (10*1 + 12*3) / 4 = 11 (46/4), age (5 + 27) / 4 = 8 */
	expect(ctx, 0, 0, 4, 11, 8);
	assert_int_equal(R(ctx, 0)->nr_accesses_bp, 110000);
	udamon_ctx_free(ctx);
}

static void test_merge_threshold_and_gaps(void **state)
{
	/* diffs: 2 (merge at thres 2), 3 (no), gap before the last */
	struct reg r[] = {
		{ 0, 1, 4, 0 }, { 1, 2, 6, 0 }, { 2, 3, 9, 0 }, { 4, 5, 9, 0 },
	};
	struct udamon_ctx *ctx = ctx_with(r, 4);

	udamon_core_merge_target(ctx, &ctx->targets[0], 2, 1 << 30);
	assert_int_equal(ctx->targets[0].nr_regions, 3);
	expect(ctx, 0, 0, 2, 5, 1);	/* ages 0 -> 1 in the pass */
	expect(ctx, 1, 2, 3, 9, 1);	/* |5 - 9| = 4 > 2 */
	expect(ctx, 2, 4, 5, 9, 1);	/* does not touch [2, 3) */
	udamon_ctx_free(ctx);
}

static void test_merge_size_limit(void **state)
{
	struct reg r[] = { { 0, 1, 3, 0 }, { 1, 2, 3, 0 }, { 2, 3, 3, 0 },
			   { 3, 5, 3, 0 } };
	struct udamon_ctx *ctx = ctx_with(r, 4);

	/* limit 2P: [0,1)+[1,2) fit; [2,3) cannot join them; [3,5) is 2P */
	udamon_core_merge_target(ctx, &ctx->targets[0], 10, 2 * P);
	assert_int_equal(ctx->targets[0].nr_regions, 3);
	expect(ctx, 0, 0, 2, 3, 1);
	expect(ctx, 1, 2, 3, 3, 1);
	expect(ctx, 2, 3, 5, 3, 1);
	for (size_t i = 0; i < 3; i++)
		assert_true(R(ctx, i)->end - R(ctx, i)->start <= 2 * P);
	udamon_ctx_free(ctx);
}

static void set_attrs(struct udamon_ctx *ctx, uint64_t sample, uint64_t aggr,
		      uint64_t min, uint64_t max)
{
	struct udamon_attrs a = ctx->attrs;

	a.sample_us = sample;
	a.aggr_us = aggr;
	a.min_nr_regions = min;
	a.max_nr_regions = max;
	assert_int_equal(udamon_ctx_set_attrs(ctx, &a), 0);
}

static void test_merge_threshold_doubling(void **state)
{
	struct reg r[8];
	struct udamon_ctx *ctx;

	/* nr 0, 10, ..., 70 with nr == last_nr (ages only grow) */
	for (unsigned int i = 0; i < 8; i++)
		r[i] = (struct reg){ i, i + 1, 10 * i, 0 };
	ctx = ctx_with(r, 8);
	set_attrs(ctx, 1000, 100000, 3, 3);	/* L = 100, thres 10 */
	/*
	 * thres 10: pairs merge: 5, 25, 45, 65 (4 > max 3);
	 * thres 20: 5+25 -> 15, 45+65 -> 55 (2 <= 3): stop.
	 * Ages move on each pass, as in the kernel: pass 1 all 0 -> 1; pass
	 * 2: [0,2) has nr 5 after last 0 -> 0, the others 1 -> 2; merged
	 * (0*2 + 2*2) / 4 = 1 and (2*2 + 2*2) / 4 = 2.
	 */
	udamon_core_merge(ctx, 10, 1 << 30);
	assert_int_equal(ctx->targets[0].nr_regions, 2);
	expect(ctx, 0, 0, 4, 15, 1);
	expect(ctx, 1, 4, 8, 55, 2);
	udamon_ctx_free(ctx);

	/* with max 4 the first pass is enough */
	ctx = ctx_with(r, 8);
	set_attrs(ctx, 1000, 100000, 3, 4);
	udamon_core_merge(ctx, 10, 1 << 30);
	assert_int_equal(ctx->targets[0].nr_regions, 4);
	expect(ctx, 0, 0, 2, 5, 1);
	expect(ctx, 3, 6, 8, 65, 1);
	udamon_ctx_free(ctx);
}

static void test_merge_doubling_stops(void **state)
{
	struct reg r[8];
	struct udamon_ctx *ctx;

	for (unsigned int i = 0; i < 8; i++)
		r[i] = (struct reg){ i, i + 1, 10 * i, 0 };
	ctx = ctx_with(r, 8);
	/* L = 100; the size limit forbids any merge: the loop must end */
	set_attrs(ctx, 1000, 100000, 3, 3);
	udamon_core_merge(ctx, 10, P);
	assert_int_equal(ctx->targets[0].nr_regions, 8);
	/* passes at thres 10, 20, 40, 80, 160: ages move on each pass */
	for (size_t i = 0; i < 8; i++)
		assert_int_equal(R(ctx, i)->age, 5);
	udamon_ctx_free(ctx);

	/* L = 5: thres 0 doubles to 1, 2, 4, 8; 0 and 10 never merge */
	r[0] = (struct reg){ 0, 1, 0, 0 };
	r[1] = (struct reg){ 1, 2, 5, 0 };
	r[2] = (struct reg){ 2, 3, 0, 0 };
	r[3] = (struct reg){ 3, 4, 5, 0 };
	ctx = ctx_with(r, 4);
	set_attrs(ctx, 1000, 5000, 3, 3);
	udamon_core_merge(ctx, 0, 1 << 30);
	/* thres 0: none; 1, 2: none; 4: none; 8: all to one (stop) */
	assert_int_equal(ctx->targets[0].nr_regions, 1);
	/* (0*1 + 5*1) / 2 = 2 -> (2*2 + 0) / 3 = 1 -> (1*3 + 5) / 4 = 2 */
	expect(ctx, 0, 0, 4, 2, 5);	/* 5 passes, each ages by one */
	udamon_ctx_free(ctx);
}

static void test_merge_cpu_samples(void **state)
{
	struct reg r[] = { { 0, 1, 4, 0 }, { 1, 4, 8, 0 }, { 4, 5, 8, 0 } };
	struct udamon_ctx *ctx = ctx_with(r, 3);

	ctx->track_cpus = true;
	ctx->nr_cpus = 2;
	assert_int_equal(udamon_core_alloc_cpu_samples(ctx), 0);
	R(ctx, 0)->cpu_samples[0] = 4;
	R(ctx, 1)->cpu_samples[1] = 8;
	R(ctx, 2)->cpu_samples[0] = 8;
	udamon_core_merge_target(ctx, &ctx->targets[0], 4, 4 * P);
	assert_int_equal(ctx->targets[0].nr_regions, 2);
	/* (4*1 + 8*3) / 4 = 7; cpu0 4*1/4 = 1, cpu1 8*3/4 = 6 */
	expect(ctx, 0, 0, 4, 7, 1);
	assert_int_equal(R(ctx, 0)->cpu_samples[0], 1);
	assert_int_equal(R(ctx, 0)->cpu_samples[1], 6);
	assert_int_equal(R(ctx, 1)->cpu_samples[0], 8);
	udamon_ctx_free(ctx);
}

/* Split invariants: exact cover, pieces >= MIN, page-sized cuts. */
static void check_cover(struct udamon_ctx *ctx, uint64_t start, uint64_t end)
{
	struct udamon_target *t = &ctx->targets[0];

	assert_int_equal(t->regions[0].start, start);
	assert_int_equal(t->regions[t->nr_regions - 1].end, end);
	for (size_t i = 0; i < t->nr_regions; i++) {
		assert_true(t->regions[i].end - t->regions[i].start >= P);
		if (i)
			assert_int_equal(t->regions[i].start,
					 t->regions[i - 1].end);
	}
}

static void test_split_small_regions(void **state)
{
	/* 1P and 2P regions cannot make two pieces of at least 1P > 2P */
	struct reg r[] = { { 0, 1, 1, 0 }, { 1, 3, 1, 0 } };
	struct udamon_ctx *ctx = ctx_with(r, 2);

	for (int i = 0; i < 50; i++)
		assert_int_equal(udamon_core_split_target(ctx,
					&ctx->targets[0], 3), 0);
	assert_int_equal(ctx->targets[0].nr_regions, 2);
	udamon_ctx_free(ctx);
}

static void test_split_three_pages(void **state)
{
	bool seen12 = false, seen21 = false, seen_whole = false;

	/*
	 * 3P, 2 pieces: cut = ALIGN_DOWN(k * 3P / 10, P), k in 1..9:
	 * k 1..3 -> 0 (no cut), 4..6 -> 1P, 7..9 -> 2P.
	 */
	for (uint64_t seed = 1; seed < 200; seed++) {
		struct reg r[] = { { 10, 13, 7, 3 } };
		struct udamon_ctx *ctx = ctx_with(r, 1);

		udamon_rng_seed(&ctx->rng, seed);
		R(ctx, 0)->nr_accesses_bp = 12345;
		R(ctx, 0)->last_nr_accesses = 6;
		assert_int_equal(udamon_core_split_target(ctx,
					&ctx->targets[0], 2), 0);
		check_cover(ctx, 10 * P, 13 * P);
		if (ctx->targets[0].nr_regions == 1) {
			seen_whole = true;
		} else {
			assert_int_equal(ctx->targets[0].nr_regions, 2);
			if (R(ctx, 0)->end == 11 * P)
				seen12 = true;
			else if (R(ctx, 0)->end == 12 * P)
				seen21 = true;
			else
				fail();
			/* pieces copy nr, last_nr, bp and age */
			for (size_t i = 0; i < 2; i++) {
				assert_int_equal(R(ctx, i)->nr_accesses, 7);
				assert_int_equal(R(ctx, i)->last_nr_accesses, 6);
				assert_int_equal(R(ctx, i)->nr_accesses_bp,
						 12345);
				assert_int_equal(R(ctx, i)->age, 3);
			}
		}
		udamon_ctx_free(ctx);
	}
	assert_true(seen12 && seen21 && seen_whole);
}

static void test_split_never_below_min(void **state)
{
	/*
	 * 5P + 4000 bytes: k = 9 gives a 5P cut and a 4000-byte rest, which
	 * must not be made. Every other piece size is a page multiple.
	 */
	for (uint64_t seed = 1; seed < 500; seed++) {
		struct udamon_ctx *ctx = udamon_ctx_new();
		struct udamon_range rg = { 0, 5 * P + 4000 };

		udamon_ctx_add_target(ctx, 0);
		udamon_target_set_regions(&ctx->targets[0], &rg, 1);
		udamon_rng_seed(&ctx->rng, seed);
		assert_int_equal(udamon_core_split_target(ctx,
					&ctx->targets[0], 3), 0);
		check_cover(ctx, 0, 5 * P + 4000);
		for (size_t i = 0; i + 1 < ctx->targets[0].nr_regions; i++)
			assert_int_equal(R(ctx, i)->end % P, 0);
		udamon_ctx_free(ctx);
	}
}

/*
 * Split r (max_nr_regions max, nr_regions_at_split at_split): the target
 * must then hold want regions.
 */
static void expect_split_count(const struct reg *r, size_t n,
			       uint64_t max, unsigned int at_split,
			       size_t want)
{
	struct udamon_ctx *ctx = ctx_with(r, n);

	set_attrs(ctx, 1000, 100000, 3, max);
	ctx->targets[0].nr_regions_at_split = at_split;
	assert_int_equal(udamon_core_split(ctx), 0);
	assert_int_equal(ctx->targets[0].nr_regions, want);
	udamon_ctx_free(ctx);
}

static void test_split_two_or_three(void **state)
{
	struct reg r[10];
	struct udamon_ctx *ctx;

	/* 100P regions always split (cuts >= 10P, rests >= 10P) */
	for (unsigned int i = 0; i < 10; i++)
		r[i] = (struct reg){ 100 * i, 100 * (i + 1), i, 0 };
	ctx = ctx_with(r, 10);
	set_attrs(ctx, 1000, 100000, 3, 1000);
	/* first split: count 10 != last 0 -> 2 pieces */
	assert_int_equal(udamon_core_split(ctx), 0);
	assert_int_equal(ctx->targets[0].nr_regions, 20);
	assert_int_equal(ctx->targets[0].nr_regions_at_split, 10);
	check_cover(ctx, 0, 1000 * P);
	/* back to 10 (as a merge would): same count -> 3 pieces */
	udamon_core_merge_target(ctx, &ctx->targets[0], 0, 100 * P);
	assert_int_equal(ctx->targets[0].nr_regions, 10);
	assert_int_equal(udamon_core_split(ctx), 0);
	assert_int_equal(ctx->targets[0].nr_regions, 30);
	check_cover(ctx, 0, 1000 * P);
	/* pieces keep their origin's nr */
	for (size_t i = 0; i < 30; i++)
		assert_int_equal(R(ctx, i)->nr_accesses, R(ctx, i)->start /
				 (100 * P));
	udamon_ctx_free(ctx);

	/* same count but not < max/3 (30 / 3 = 10): 2 pieces */
	expect_split_count(r, 10, 30, 10, 20);
}

static void test_split_skipped_over_half_max(void **state)
{
	struct reg r[6];

	for (unsigned int i = 0; i < 6; i++)
		r[i] = (struct reg){ 100 * i, 100 * (i + 1), 0, 0 };
	/* 6 > 10 / 2: no split */
	expect_split_count(r, 6, 10, 0, 6);
	/* 5 == 10 / 2: split in 2 (5 is not < 10 / 3) */
	expect_split_count(r, 5, 10, 5, 10);
}

static void test_split_copies_cpu_samples(void **state)
{
	struct reg r[] = { { 0, 100, 3, 0 } };
	struct udamon_ctx *ctx = ctx_with(r, 1);

	ctx->track_cpus = true;
	ctx->nr_cpus = 3;
	assert_int_equal(udamon_core_alloc_cpu_samples(ctx), 0);
	R(ctx, 0)->cpu_samples[2] = 3;
	assert_int_equal(udamon_core_split_target(ctx, &ctx->targets[0], 3),
			 0);
	assert_int_equal(ctx->targets[0].nr_regions, 3);
	for (size_t i = 0; i < 3; i++) {
		assert_non_null(R(ctx, i)->cpu_samples);
		assert_int_equal(R(ctx, i)->cpu_samples[2], 3);
		if (i)	/* own copies */
			assert_ptr_not_equal(R(ctx, i)->cpu_samples,
					     R(ctx, i - 1)->cpu_samples);
	}
	udamon_ctx_free(ctx);
}

static void test_split_deterministic(void **state)
{
	uint64_t ends[2][3];

	for (int run = 0; run < 2; run++) {
		struct reg r[] = { { 0, 1000, 0, 0 } };
		struct udamon_ctx *ctx = ctx_with(r, 1);

		udamon_rng_seed(&ctx->rng, 77);
		udamon_core_split_target(ctx, &ctx->targets[0], 3);
		assert_int_equal(ctx->targets[0].nr_regions, 3);
		for (size_t i = 0; i < 3; i++)
			ends[run][i] = R(ctx, i)->end;
		udamon_ctx_free(ctx);
	}
	assert_memory_equal(ends[0], ends[1], sizeof(ends[0]));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_age),
		cmocka_unit_test(test_merge_weighted),
		cmocka_unit_test(test_merge_threshold_and_gaps),
		cmocka_unit_test(test_merge_size_limit),
		cmocka_unit_test(test_merge_threshold_doubling),
		cmocka_unit_test(test_merge_doubling_stops),
		cmocka_unit_test(test_merge_cpu_samples),
		cmocka_unit_test(test_split_small_regions),
		cmocka_unit_test(test_split_three_pages),
		cmocka_unit_test(test_split_never_below_min),
		cmocka_unit_test(test_split_two_or_three),
		cmocka_unit_test(test_split_skipped_over_half_max),
		cmocka_unit_test(test_split_copies_cpu_samples),
		cmocka_unit_test(test_split_deterministic),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
