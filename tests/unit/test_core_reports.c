// SPDX-License-Identifier: MIT
/* Access report consumption and sample filters (core/reports.c). */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <errno.h>

#include "core_test_util.h"
#include "udamon/textfmt.h"

/* [1P,2P) [2P,4P) [4P,5P) [8P,9P) */
static const struct udamon_range four[] = {
	{ 1, 2 }, { 2, 4 }, { 4, 5 }, { 8, 9 },
};

static struct udamon_ctx *report_ctx(struct script *s, struct fake_clock *c)
{
	struct udamon_ctx *ctx = script_ctx(s, c, four, 4);

	ctx->use_reports = true;
	ctx->sample_start_ns = 1000;
	return ctx;
}

static void push(struct udamon_ctx *ctx, uint64_t addr, uint64_t size,
		 int cpu, int is_write, uint64_t time)
{
	struct udamon_access_report r = {
		.vaddr = addr, .paddr = UDAMON_UNKNOWN_ADDR, .size = size,
		.cpu = cpu, .tid = 100 + (cpu < 0 ? 0 : cpu),
		.is_write = is_write, .time_ns = time,
	};

	assert_int_equal(udamon_ctx_push_report(ctx, &r), 0);
}

static unsigned int accessed_mask(struct udamon_ctx *ctx)
{
	unsigned int m = 0;

	for (size_t i = 0; i < ctx->targets[0].nr_regions; i++) {
		if (ctx->targets[0].regions[i].accessed)
			m |= 1u << i;
		ctx->targets[0].regions[i].accessed = false;
	}
	return m;
}

static void test_any_page_counts(void **state)
{
	struct script s;
	struct fake_clock c = { 0 };
	struct udamon_ctx *ctx = report_ctx(&s, &c);

	/* not the sampling address: any byte of the region counts */
	push(ctx, 2 * P + 10, 1, 0, 1, 0);
	udamon_core_consume_reports(ctx);
	assert_int_equal(accessed_mask(ctx), 0x2);
	assert_int_equal(ctx->nr_reports, 0);

	/* 200 bytes across the 2P boundary: regions 0 and 1 */
	push(ctx, 2 * P - 100, 200, 0, 1, 0);
	udamon_core_consume_reports(ctx);
	assert_int_equal(accessed_mask(ctx), 0x3);

	/* [4P - 1, 4P + 1): regions 1 and 2; the last byte of region 2 */
	push(ctx, 4 * P - 1, 2, 0, 1, 0);
	push(ctx, 9 * P - 1, 1, 0, 1, 0);
	udamon_core_consume_reports(ctx);
	assert_int_equal(accessed_mask(ctx), 0xe);

	/* a range over all: every region it overlaps, holes ignored */
	push(ctx, 0, 100 * P, 0, 1, 0);
	udamon_core_consume_reports(ctx);
	assert_int_equal(accessed_mask(ctx), 0xf);

	/* only the hole [5P, 8P) and past the end: nothing */
	push(ctx, 5 * P, 3 * P, 0, 1, 0);
	push(ctx, 9 * P, 1, 0, 1, 0);
	push(ctx, 0, P, 0, 1, 0);
	udamon_core_consume_reports(ctx);
	assert_int_equal(accessed_mask(ctx), 0);
	assert_int_equal(ctx->nr_reports_seen, 8);
	assert_int_equal(ctx->nr_reports_counted, 5);
	udamon_ctx_free(ctx);
}

static void test_unknown_addresses(void **state)
{
	struct script s;
	struct fake_clock c = { 0 };
	struct udamon_ctx *ctx = report_ctx(&s, &c);
	struct udamon_access_report r = {
		.vaddr = UDAMON_UNKNOWN_ADDR, .paddr = 8 * P, .size = 1,
		.cpu = -1, .tid = -1, .is_write = -1,
	};

	/* no vaddr: the physical address is the one monitored (paddr) */
	udamon_ctx_push_report(ctx, &r);
	r.paddr = UDAMON_UNKNOWN_ADDR;
	udamon_ctx_push_report(ctx, &r);
	/* size 0 is taken as one byte */
	r.vaddr = 4 * P;
	r.size = 0;
	udamon_ctx_push_report(ctx, &r);
	udamon_core_consume_reports(ctx);
	assert_int_equal(accessed_mask(ctx), 0xc);
	assert_int_equal(ctx->nr_reports_counted, 2);
	udamon_ctx_free(ctx);
}

static void test_stale_reports(void **state)
{
	struct script s;
	struct fake_clock c = { 0 };
	struct udamon_ctx *ctx = report_ctx(&s, &c);

	push(ctx, 1 * P, 1, 0, 1, 999);		/* before the sample */
	push(ctx, 2 * P, 1, 0, 1, 1000);	/* at its start */
	push(ctx, 4 * P, 1, 0, 1, 0);		/* time unknown */
	push(ctx, 8 * P, 1, 0, 1, 5000);
	udamon_core_consume_reports(ctx);
	assert_int_equal(accessed_mask(ctx), 0xe);
	assert_int_equal(ctx->nr_reports_seen, 4);
	assert_int_equal(ctx->nr_reports_counted, 3);
	udamon_ctx_free(ctx);
}

static void test_filters(void **state)
{
	struct script s;
	struct fake_clock c = { 0 };
	struct udamon_ctx *ctx = report_ctx(&s, &c);
	struct udamon_filter f[2] = {
		{ .type = UDAMON_FILTER_WRITE, .matching = true,
		  .allow = true },
		{ .type = UDAMON_FILTER_CPUMASK, .matching = true,
		  .allow = false },
	};

	/* allow writes, then reject CPU 1 */
	assert_int_equal(udamon_cpumask_alloc(&f[1].cpus, 4), 0);
	udamon_cpumask_set(&f[1].cpus, 1);
	assert_int_equal(udamon_ctx_set_filters(ctx, f, 2), 0);
	udamon_cpumask_free(&f[1].cpus);	/* the ctx has its copy */

	push(ctx, 1 * P, 1, 0, 0, 0);		/* read: not allowed */
	push(ctx, 2 * P, 1, 0, -1, 0);		/* unknown: not a write */
	push(ctx, 4 * P, 1, 1, 1, 0);		/* write on CPU 1: rejected */
	push(ctx, 8 * P, 1, 2, 1, 0);		/* write on CPU 2: counts */
	udamon_core_consume_reports(ctx);
	assert_int_equal(accessed_mask(ctx), 0x8);
	assert_int_equal(ctx->nr_reports_counted, 1);

	/* no filters: everything counts */
	assert_int_equal(udamon_ctx_set_filters(ctx, NULL, 0), 0);
	push(ctx, 1 * P, 1, 0, 0, 0);
	push(ctx, 2 * P, 1, 0, -1, 0);
	push(ctx, 4 * P, 1, 1, 1, 0);
	udamon_core_consume_reports(ctx);
	assert_int_equal(accessed_mask(ctx), 0x7);
	udamon_ctx_free(ctx);
}

/* Per sample: region 0 written from CPU 1 then CPU 2, thrice each. */
static void check_reports(struct udamon_ctx *ctx, struct script *s)
{
	uint64_t now = ctx->clock.now_ns(ctx->clock.data);
	uint64_t n = ctx->passed_samples;

	if (n <= 3) {
		push(ctx, 1 * P, 8, 1, 1, now);
		push(ctx, 1 * P + 8, 8, 2, 1, now);
		push(ctx, 1 * P + 16, 8, 3, 1, now);
	} else if (n <= 5) {
		push(ctx, 1 * P, 8, 2, 1, now);
	}
	/* region 1: CPU 7 is past nr_cpus: counted, no CPU slot */
	if (n == 1)
		push(ctx, 2 * P, 8, 7, 1, now);
	/* region 3: a report from before the sample: stale */
	push(ctx, 8 * P, 8, 0, 1, ctx->sample_start_ns - 1);
}

static void test_once_per_sample_and_cpus(void **state)
{
	struct script s;
	struct fake_clock c = { 5000000 };
	struct udamon_ctx *ctx = report_ctx(&s, &c);
	static struct snaps sn;

	set_intervals(ctx, 1000, 10000, 1000000, 3, 100);
	ctx->track_cpus = true;
	ctx->nr_cpus = 4;
	collect(ctx, &sn);
	s.check = check_reports;
	assert_int_equal(udamon_ctx_start(ctx), 0);
	for (int i = 0; i < 10; i++)
		assert_int_equal(udamon_ctx_step(ctx), 0);
	assert_int_equal(sn.count, 1);
	/* 5 samples, 3 reports in 3 of them: still 5 */
	assert_int_equal(sn.regions[0].nr_accesses, 5);
	/* the first report of a sample names the CPU */
	assert_int_equal(sn.cpus[0][0], 0);
	assert_int_equal(sn.cpus[0][1], 3);
	assert_int_equal(sn.cpus[0][2], 2);
	assert_int_equal(sn.cpus[0][3], 0);
	assert_int_equal(sn.regions[1].nr_accesses, 1);
	assert_int_equal(sn.cpus[1][0] + sn.cpus[1][1] + sn.cpus[1][2] +
			 sn.cpus[1][3], 0);
	assert_int_equal(sn.regions[3].nr_accesses, 0);
	/* reset zeroes the per-CPU counts */
	for (size_t i = 0; i < ctx->targets[0].nr_regions; i++)
		for (unsigned int cpu = 0; cpu < 4; cpu++)
			assert_int_equal(ctx->targets[0].regions[i]
					 .cpu_samples[cpu], 0);
	assert_int_equal(ctx->nr_reports_seen, 3 * 3 + 2 + 1 + 10);
	assert_int_equal(ctx->nr_reports_counted, 3 * 3 + 2 + 1);
	udamon_ctx_free(ctx);
}

/* Mask of the accessed regions of target t, cleared. */
static unsigned int target_mask(struct udamon_ctx *ctx, size_t t)
{
	struct udamon_target *tg = &ctx->targets[t];
	unsigned int m = 0;

	for (size_t i = 0; i < tg->nr_regions; i++) {
		if (tg->regions[i].accessed)
			m |= 1u << i;
		tg->regions[i].accessed = false;
	}
	return m;
}

static void push_to(struct udamon_ctx *ctx, size_t target, uint64_t addr)
{
	struct udamon_access_report r = {
		.vaddr = addr, .paddr = UDAMON_UNKNOWN_ADDR, .size = 1,
		.cpu = 0, .tid = 100, .is_write = 1, .target = target,
	};

	assert_int_equal(udamon_ctx_push_report(ctx, &r), 0);
}

/*
 * Processes of a tree share addresses (a forked child has its parent's
 * layout): a report counts in its own target only.
 */
static void test_reports_carry_their_target(void **state)
{
	struct script s;
	struct fake_clock c = { 0 };
	struct udamon_ctx *ctx = report_ctx(&s, &c);
	struct udamon_range same[] = { { 1 * P, 2 * P }, { 2 * P, 4 * P },
				       { 4 * P, 5 * P }, { 8 * P, 9 * P } };

	assert_int_equal(udamon_ctx_add_target(ctx, 43), 0);
	assert_int_equal(udamon_ctx_add_target(ctx, 44), 0);
	assert_int_equal(udamon_target_set_regions(&ctx->targets[1], same, 4), 0);
	assert_int_equal(udamon_target_set_regions(&ctx->targets[2], same, 4), 0);

	push_to(ctx, 1, 2 * P);
	push_to(ctx, 2, 8 * P);
	push_to(ctx, 2, 1 * P);
	udamon_core_consume_reports(ctx);
	assert_int_equal(target_mask(ctx, 0), 0);
	assert_int_equal(target_mask(ctx, 1), 0x2);
	assert_int_equal(target_mask(ctx, 2), 0x9);
	assert_int_equal(ctx->nr_reports_counted, 3);

	/* no such target: seen, not counted anywhere */
	push_to(ctx, 3, 2 * P);
	push_to(ctx, (size_t)-1, 2 * P);
	udamon_core_consume_reports(ctx);
	for (size_t t = 0; t < 3; t++)
		assert_int_equal(target_mask(ctx, t), 0);
	assert_int_equal(ctx->nr_reports_seen, 5);
	assert_int_equal(ctx->nr_reports_counted, 3);
	udamon_ctx_free(ctx);
}

static void test_binary_search_many(void **state)
{
	struct udamon_ctx *ctx = udamon_ctx_new();
	struct udamon_range *rg = calloc(20000, sizeof(*rg));
	struct udamon_target *t;

	udamon_ctx_add_target(ctx, 0);
	t = &ctx->targets[0];
	/* 20000 one-page regions, one page apart */
	for (size_t i = 0; i < 20000; i++)
		rg[i] = (struct udamon_range){ 2 * i * P, (2 * i + 1) * P };
	assert_int_equal(udamon_target_set_regions(t, rg, 20000), 0);
	free(rg);
	/* 200000 reports, each a byte of region (k * 7919) % 20000 */
	for (size_t k = 0; k < 200000; k++) {
		size_t i = (k * 7919) % 20000;

		push(ctx, 2 * i * P + k % P, 1, 0, 1, 0);
	}
	udamon_core_consume_reports(ctx);
	assert_int_equal(ctx->nr_reports_counted, 200000);
	for (size_t i = 0; i < 20000; i++) {
		assert_true(t->regions[i].accessed);
		udamon_core_update_region(ctx, &t->regions[i], true);
		assert_int_equal(t->regions[i].nr_accesses, 1);
	}
	udamon_ctx_free(ctx);
}

/*
 * Attribution counting equals plain counting. Ground truth: page p of
 * [0, 64P) is written in sample k with a rate by page (hot, warm, cold).
 * Plain checking marks a region when its sampling page was written; with
 * fault events, every written page gives a fault report (first touches,
 * copy-on-write and older armed pages included, the worst case). The two
 * must give the same snapshots; counting faults anywhere must not.
 */
static enum udamon_report_source truth_source;

static bool written(uint64_t page, uint64_t sample)
{
	uint64_t h = (page * 0x9e3779b97f4a7c15ULL) ^ (sample * 0xbf58476d1ce4e5b9ULL);
	unsigned int rate = page < 16 ? 60 : page < 32 ? 20 : page < 40 ? 5 : 0;

	h ^= h >> 31;
	h *= 0x94d049bb133111ebULL;
	h ^= h >> 29;
	return h % 100 < rate;
}

static void check_plain(struct udamon_ctx *ctx, struct script *s)
{
	struct udamon_target *t = &ctx->targets[0];

	for (size_t j = 0; j < t->nr_regions; j++)
		t->regions[j].accessed = written(t->regions[j].sampling_addr / P,
						 ctx->passed_samples);
}

static void check_faults(struct udamon_ctx *ctx, struct script *s)
{
	for (uint64_t p = 0; p < 64; p++) {
		struct udamon_access_report r = {
			.vaddr = p * P + 8 * p, .paddr = UDAMON_UNKNOWN_ADDR,
			.size = 1, .cpu = (int)(p % 2), .tid = 7, .is_write = 1,
			.source = truth_source,
		};

		if (written(p, ctx->passed_samples))
			assert_int_equal(udamon_ctx_push_report(ctx, &r), 0);
	}
}

static uint64_t run_truth(bool reports, enum udamon_report_source src,
			  uint64_t *sum_nr)
{
	static const struct udamon_range space[] = { { 0, 64 } };
	static struct snaps sn;
	struct script s;
	struct fake_clock c = { 0 };
	struct udamon_ctx *ctx = script_ctx(&s, &c, space, 1);
	struct udamon_attrs a = ctx->attrs;
	uint64_t hash = 0;

	a.sample_us = 1000;
	a.aggr_us = 20000;
	a.min_nr_regions = 4;
	a.max_nr_regions = 32;
	assert_int_equal(udamon_ctx_set_attrs(ctx, &a), 0);
	ctx->use_reports = reports;
	truth_source = src;
	s.check = reports ? check_faults : check_plain;
	collect(ctx, &sn);
	*sum_nr = 0;
	assert_int_equal(udamon_ctx_start(ctx), 0);
	for (int i = 0; i < 400; i++) {
		unsigned int before = sn.count;

		assert_int_equal(udamon_ctx_step(ctx), 0);
		if (sn.count == before)
			continue;
		hash = hash * 31 + sn.hash;
		sn.hash = 0;
		for (size_t j = 0; j < sn.last.nr_regions; j++)
			*sum_nr += sn.regions[j].nr_accesses *
				(sn.regions[j].end - sn.regions[j].start) / P;
	}
	assert_int_equal(sn.count, 20);
	udamon_ctx_free(ctx);
	return hash;
}

static void test_attribution_counts_as_plain(void **state)
{
	uint64_t plain_sum, fault_sum, any_sum;
	uint64_t plain = run_truth(false, UDAMON_REPORT_ANYWHERE, &plain_sum);
	uint64_t faults = run_truth(true, UDAMON_REPORT_FAULT, &fault_sum);
	uint64_t anywhere = run_truth(true, UDAMON_REPORT_ANYWHERE, &any_sum);

	print_message("page-weighted nr_accesses: plain %llu, faults on "
		      "sampling pages %llu, faults anywhere %llu\n",
		      (unsigned long long)plain_sum,
		      (unsigned long long)fault_sum,
		      (unsigned long long)any_sum);
	assert_true(plain_sum > 0);
	assert_int_equal(faults, plain);
	assert_int_equal(fault_sum, plain_sum);
	/* counting every fault anywhere in a region inflates the counts */
	assert_true(anywhere != plain);
	assert_true(any_sum > plain_sum * 3 / 2);
}

/* A fault before its page was armed counts not (a page check misses it). */
static void test_fault_before_arming(void **state)
{
	struct script s;
	struct fake_clock c = { 0 };
	struct udamon_ctx *ctx = report_ctx(&s, &c);
	struct udamon_region *r = &ctx->targets[0].regions[1];	/* [2P,4P) */
	struct udamon_access_report rep = {
		.vaddr = 3 * P + 8, .paddr = UDAMON_UNKNOWN_ADDR, .size = 1,
		.cpu = 0, .tid = 1, .is_write = 1,
		.source = UDAMON_REPORT_FAULT,
	};

	r->sampling_addr = 3 * P + 100;
	r->armed_ns = 5000;
	rep.time_ns = 4999;
	assert_int_equal(udamon_ctx_push_report(ctx, &rep), 0);
	udamon_core_consume_reports(ctx);
	assert_false(r->accessed);
	rep.time_ns = 5000;
	assert_int_equal(udamon_ctx_push_report(ctx, &rep), 0);
	/* elsewhere in the region: only says who wrote */
	rep.vaddr = 2 * P;
	assert_int_equal(udamon_ctx_push_report(ctx, &rep), 0);
	udamon_core_consume_reports(ctx);
	assert_true(r->accessed);
	udamon_ctx_free(ctx);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_any_page_counts),
		cmocka_unit_test(test_unknown_addresses),
		cmocka_unit_test(test_stale_reports),
		cmocka_unit_test(test_filters),
		cmocka_unit_test(test_once_per_sample_and_cpus),
		cmocka_unit_test(test_binary_search_many),
		cmocka_unit_test(test_reports_carry_their_target),
		cmocka_unit_test(test_attribution_counts_as_plain),
		cmocka_unit_test(test_fault_before_arming),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
