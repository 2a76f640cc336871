// SPDX-License-Identifier: MIT
/*
 * End to end on the sim ops: ranges touched in 100%, 30% and 0% of the
 * samples converge to regions with those access rates, in page-table and
 * report style, with the region count kept within [min, max].
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <errno.h>
#include <stdio.h>

#include "core_test_util.h"
#include "udamon/ops.h"

#define MB (1ULL << 20)
#define L 200		/* samples per aggregation: 1 ms / 200 ms */
/*
 * 24 MiB / 9 = 2.67 MiB pieces: 3 per 8 MiB mapping, 9 in all. (With 10,
 * like the kernel, 8 / 2.4 = 3 pieces each would start at 9 < min.)
 */
#define MIN_NR 9
#define MAX_NR 100

static struct snaps sn;

/* Three mappings with gaps: regions never straddle two rates. */
static const struct udamon_range gapped_maps[] = {
	{ 0x10000000, 0x10000000 + 8 * MB },
	{ 0x20000000, 0x20000000 + 8 * MB },
	{ 0x30000000, 0x30000000 + 8 * MB },
};

static const struct udamon_sim_range gapped_ranges[] = {
	{ 0x10000000, 0x10000000 + 8 * MB, 10000, true, 0, 10 },
	{ 0x20000000, 0x20000000 + 8 * MB, 3000, true, 1, 11 },
	{ 0x30000000, 0x30000000 + 8 * MB, 0, true, 2, 12 },
};

/* One mapping: the rates change inside it. */
static const struct udamon_range flat_maps[] = {
	{ 0x10000000, 0x10000000 + 24 * MB },
};

static const struct udamon_sim_range flat_ranges[] = {
	{ 0x10000000, 0x10000000 + 8 * MB, 10000, true, 0, 10 },
	{ 0x10000000 + 8 * MB, 0x10000000 + 16 * MB, 3000, true, 1, 11 },
};

struct bounds {
	size_t min, max;
};

/* Region count after every sample (after split too). */
static int watch_count(struct udamon_ctx *ctx, void *data)
{
	struct bounds *b = data;
	size_t n = ctx->targets[0].nr_regions;

	if (n < b->min)
		b->min = n;
	if (n > b->max)
		b->max = n;
	return 0;
}

static struct udamon_ctx *sim_ctx(const struct udamon_sim_pattern *p,
				  bool reports, struct fake_clock *c,
				  struct bounds *b)
{
	struct udamon_ctx *ctx = udamon_ctx_new();
	struct udamon_attrs a;

	udamon_attrs_default(&a);
	a.sample_us = 1000;
	a.aggr_us = 1000 * L;
	a.ops_update_us = 1000000;
	a.min_nr_regions = MIN_NR;
	a.max_nr_regions = MAX_NR;
	assert_int_equal(udamon_ctx_set_attrs(ctx, &a), 0);
	use_fake_clock(ctx, c);
	udamon_rng_seed(&ctx->rng, 12345);
	ctx->use_reports = reports;
	ctx->track_cpus = true;
	ctx->nr_cpus = 4;
	assert_int_equal(udamon_sim_attach(ctx, p), 0);
	collect(ctx, &sn);
	b->min = SIZE_MAX;
	b->max = 0;
	ctx->after_sample = watch_count;
	ctx->after_sample_data = b;
	return ctx;
}

/* The access rate (percent) the pattern gives addresses in [s, e). */
static double expected_pct(const struct udamon_sim_pattern *p, uint64_t s,
			   uint64_t e)
{
	double sum = 0;

	for (size_t i = 0; i < p->nr_ranges; i++) {
		uint64_t a = p->ranges[i].start > s ? p->ranges[i].start : s;
		uint64_t b = p->ranges[i].end < e ? p->ranges[i].end : e;

		if (a < b)
			sum += (double)(b - a) * p->ranges[i].access_bp / 100;
	}
	return sum / (double)(e - s);
}

static void run_aggregations(struct udamon_ctx *ctx, unsigned int n)
{
	assert_int_equal(udamon_ctx_start(ctx), 0);
	while (sn.count < n) {
		assert_int_equal(udamon_ctx_step(ctx), 0);
		ctx->after_sample(ctx, ctx->after_sample_data);
		assert_true(sn.last.nr_regions >= MIN_NR || !sn.count);
		assert_true(sn.last.nr_regions <= MAX_NR);
	}
}

static void check_gapped(bool reports)
{
	struct udamon_sim_pattern p = { gapped_maps, 3, gapped_ranges, 3 };
	struct fake_clock c = { 0 };
	struct bounds b;
	struct udamon_ctx *ctx = sim_ctx(&p, reports, &c, &b);
	uint64_t total = 0;

	run_aggregations(ctx, 20);
	assert_int_equal(ctx->passed_samples, 20 * L);
	assert_true(b.min >= MIN_NR);
	assert_true(b.max <= MAX_NR);
	assert_true(sn.min_regions >= MIN_NR);
	assert_true(sn.max_regions <= MAX_NR);
	assert_int_equal(sn.last.total_bytes, 24 * MB);
	for (size_t i = 0; i < sn.last.nr_regions; i++) {
		const struct udamon_snapshot_region *r = &sn.regions[i];
		double pct = 100.0 * r->nr_accesses / L;
		double want = expected_pct(&p, r->start, r->end);

		total += r->end - r->start;
		if (pct < want - 10 || pct > want + 10)
			fail_msg("region %zu [%#lx, %#lx): %.1f%% of samples, "
				 "expected %.1f%% +- 10", i,
				 (unsigned long)r->start, (unsigned long)r->end,
				 pct, want);
		/* per-CPU samples: all from the range's CPU */
		if (r->start >= 0x10000000 && r->end <= 0x10000000 + 8 * MB)
			assert_int_equal(sn.cpus[i][0], r->nr_accesses);
		if (r->start >= 0x20000000 && r->end <= 0x20000000 + 8 * MB)
			assert_int_equal(sn.cpus[i][1], r->nr_accesses);
	}
	assert_int_equal(total, 24 * MB);
	udamon_ctx_free(ctx);
}

static void test_gapped_page_table(void **state)
{
	check_gapped(false);
}

static void test_gapped_reports(void **state)
{
	check_gapped(true);
}

/*
 * Within one mapping, regions may straddle a rate change; most of the
 * bytes of each range must still sit in regions of its rate.
 */
static void check_flat(bool reports)
{
	struct udamon_sim_pattern p = { flat_maps, 1, flat_ranges, 2 };
	struct fake_clock c = { 0 };
	struct bounds b;
	struct udamon_ctx *ctx = sim_ctx(&p, reports, &c, &b);
	const unsigned int rate[3] = { 100, 30, 0 };
	uint64_t good[3] = { 0 };

	run_aggregations(ctx, 20);
	assert_true(b.min >= MIN_NR);
	assert_true(b.max <= MAX_NR);
	for (size_t i = 0; i < sn.last.nr_regions; i++) {
		const struct udamon_snapshot_region *r = &sn.regions[i];
		double pct = 100.0 * r->nr_accesses / L;

		for (unsigned int k = 0; k < 3; k++) {
			uint64_t s = 0x10000000 + k * 8 * MB;
			uint64_t e = s + 8 * MB;
			uint64_t a = r->start > s ? r->start : s;
			uint64_t z = r->end < e ? r->end : e;

			if (a < z && pct >= rate[k] - 10.0 &&
			    pct <= rate[k] + 10.0)
				good[k] += z - a;
		}
	}
	for (unsigned int k = 0; k < 3; k++)
		if (good[k] < 8 * MB * 9 / 10)
			fail_msg("range %u (%u%%): only %lu of %llu bytes in "
				 "regions of that rate", k, rate[k],
				 (unsigned long)good[k], 8 * MB);
	udamon_ctx_free(ctx);
}

static void test_flat_page_table(void **state)
{
	check_flat(false);
}

static void test_flat_reports(void **state)
{
	check_flat(true);
}

static void test_deterministic(void **state)
{
	struct udamon_sim_pattern p = { flat_maps, 1, flat_ranges, 2 };
	uint64_t hash[2];

	for (int i = 0; i < 2; i++) {
		struct fake_clock c = { 0 };
		struct bounds b;
		struct udamon_ctx *ctx = sim_ctx(&p, false, &c, &b);

		run_aggregations(ctx, 5);
		hash[i] = sn.hash;
		udamon_ctx_free(ctx);
	}
	assert_int_equal(hash[0], hash[1]);
}

static void test_attach_errors(void **state)
{
	struct udamon_ctx *ctx = udamon_ctx_new();
	struct udamon_range bad_maps[] = { { 8 * P, 9 * P }, { 1 * P, 2 * P } };
	struct udamon_sim_range bad_range = { 2 * P, P, 100, true, 0, 0 };
	struct udamon_sim_pattern p = { bad_maps, 0, NULL, 0 };

	assert_int_equal(udamon_sim_attach(ctx, &p), -EINVAL);
	assert_string_equal(udamon_ctx_errmsg(ctx),
			    "sim: the pattern has no mappings");
	p.nr_mappings = 2;
	assert_int_equal(udamon_sim_attach(ctx, &p), -EINVAL);
	assert_string_equal(udamon_ctx_errmsg(ctx), "sim: mapping 1 "
			    "(4096-8192) must be non-empty and after the "
			    "previous one");
	p.mappings = gapped_maps;
	p.ranges = &bad_range;
	p.nr_ranges = 1;
	assert_int_equal(udamon_sim_attach(ctx, &p), -EINVAL);
	assert_string_equal(udamon_ctx_errmsg(ctx), "sim: range 0 "
			    "(8192-4096, 100 bp) must be non-empty with at "
			    "most 10000 bp");
	assert_null(ctx->ops);
	assert_int_equal(ctx->nr_targets, 0);
	udamon_ctx_free(ctx);
}

static void test_user_regions_kept(void **state)
{
	struct udamon_sim_pattern p = { gapped_maps, 3, gapped_ranges, 3 };
	struct udamon_range mine = { 0x20000000, 0x20000000 + 4 * MB };
	struct udamon_ctx *ctx = udamon_ctx_new();

	assert_int_equal(udamon_sim_attach(ctx, &p), 0);
	assert_int_equal(ctx->nr_targets, 1);
	assert_true(ctx->ops->target_valid(ctx, &ctx->targets[0]));
	udamon_target_set_regions(&ctx->targets[0], &mine, 1);
	assert_int_equal(ctx->ops->init(ctx), 0);
	assert_int_equal(ctx->targets[0].nr_regions, 1);
	udamon_ctx_free(ctx);
}

/* Invariants after every sample, on random patterns and small bounds. */
static void check_invariants(struct udamon_ctx *ctx, uint64_t span_start,
			     uint64_t span_end)
{
	struct udamon_target *t = &ctx->targets[0];
	unsigned int l = udamon_core_aggr_samples(&ctx->attrs);

	assert_true(t->nr_regions <= ctx->attrs.max_nr_regions);
	assert_int_equal(t->regions[0].start, span_start);
	assert_int_equal(t->regions[t->nr_regions - 1].end, span_end);
	for (size_t i = 0; i < t->nr_regions; i++) {
		const struct udamon_region *r = &t->regions[i];

		assert_true(r->end - r->start >= P);
		assert_true(i == 0 || r->start == t->regions[i - 1].end);
		assert_true(r->nr_accesses <= l);
		assert_true(r->last_nr_accesses <= l);
		assert_true(r->nr_accesses_bp <= l * 10000);
		assert_true(r->sampling_addr >= r->start &&
			    r->sampling_addr < r->end);
	}
}

static void test_random_patterns(void **state)
{
	for (uint64_t seed = 1; seed <= 12; seed++) {
		struct udamon_range map = { 0x400000, 0x400000 + 4 * MB };
		struct udamon_sim_range rg[6];
		struct udamon_sim_pattern p = { &map, 1, rg, 6 };
		struct udamon_ctx *ctx = udamon_ctx_new();
		struct fake_clock c = { 0 };
		struct udamon_attrs a;
		struct udamon_rng pick;

		udamon_rng_seed(&pick, seed);
		for (int i = 0; i < 6; i++) {
			uint64_t s = udamon_rng_range(&pick, 0, 4 * MB - P);
			uint64_t len = udamon_rng_range(&pick, 1, MB);

			rg[i].start = map.start + s;
			rg[i].end = rg[i].start + len;
			if (rg[i].end > map.end)
				rg[i].end = map.end;
			rg[i].access_bp = (unsigned int)
				udamon_rng_range(&pick, 0, 10001);
			rg[i].is_write = i % 2;
			rg[i].cpu = i % 4;
			rg[i].tid = i;
		}
		udamon_attrs_default(&a);
		a.sample_us = 1000;
		a.aggr_us = 10000;
		a.ops_update_us = 35000;
		a.min_nr_regions = 3 + seed % 4;
		a.max_nr_regions = a.min_nr_regions + seed * 3;
		assert_int_equal(udamon_ctx_set_attrs(ctx, &a), 0);
		use_fake_clock(ctx, &c);
		udamon_rng_seed(&ctx->rng, seed);
		ctx->use_reports = seed % 2;
		ctx->track_cpus = seed % 3 == 0;
		ctx->nr_cpus = 3;
		assert_int_equal(udamon_sim_attach(ctx, &p), 0);
		assert_int_equal(udamon_ctx_start(ctx), 0);
		for (int i = 0; i < 500; i++) {
			assert_int_equal(udamon_ctx_step(ctx), 0);
			check_invariants(ctx, map.start, map.end);
		}
		udamon_ctx_free(ctx);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_gapped_page_table),
		cmocka_unit_test(test_gapped_reports),
		cmocka_unit_test(test_flat_page_table),
		cmocka_unit_test(test_flat_reports),
		cmocka_unit_test(test_deterministic),
		cmocka_unit_test(test_attach_errors),
		cmocka_unit_test(test_user_regions_kept),
		cmocka_unit_test(test_random_patterns),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
