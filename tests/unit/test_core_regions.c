// SPDX-License-Identifier: MIT
/* Region helpers: set, init, update, three regions, find (core/regions.c). */
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

static void expect_region(const struct udamon_target *t, size_t i,
			  uint64_t start, uint64_t end, unsigned int nr)
{
	assert_true(i < t->nr_regions);
	assert_int_equal(t->regions[i].start, start);
	assert_int_equal(t->regions[i].end, end);
	assert_int_equal(t->regions[i].nr_accesses, nr);
}

static void test_set_regions(void **state)
{
	struct udamon_target t = { 0 };
	struct udamon_range r[] = { { 1 * P, 3 * P }, { 5 * P, 6 * P } };
	struct udamon_range overlap[] = { { 1 * P, 3 * P }, { 2 * P, 6 * P } };
	struct udamon_range empty[] = { { 1 * P, 1 * P } };

	assert_int_equal(udamon_target_set_regions(&t, r, 2), 0);
	assert_int_equal(t.nr_regions, 2);
	expect_region(&t, 0, 1 * P, 3 * P, 0);
	expect_region(&t, 1, 5 * P, 6 * P, 0);
	assert_int_equal(t.regions[0].age, 0);
	assert_null(t.regions[0].cpu_samples);
	assert_int_equal(udamon_target_total_bytes(&t), 3 * P);

	assert_int_equal(udamon_target_set_regions(&t, overlap, 2), -EINVAL);
	assert_int_equal(udamon_target_set_regions(&t, empty, 1), -EINVAL);
	/* failures leave the regions alone */
	assert_int_equal(t.nr_regions, 2);
	udamon_core_target_free(&t);
}

static void test_init_regions(void **state)
{
	struct udamon_target t = { 0 };
	/* 10 pages and 5 pages, min 5: sz = 15P / 5 = 3P */
	struct udamon_range r[] = {
		{ 0x10000, 0x10000 + 10 * P }, { 0x100000, 0x100000 + 5 * P },
	};
	struct udamon_range small[] = { { 0, 3 * P }, { 4 * P, 4 * P + 100 } };

	assert_int_equal(udamon_target_init_regions(&t, r, 2, 5), 0);
	/* 10P / 3 pieces: 3P pieces, the last takes the remainder */
	assert_int_equal(t.nr_regions, 4);
	expect_region(&t, 0, 0x10000, 0x10000 + 3 * P, 0);
	expect_region(&t, 1, 0x10000 + 3 * P, 0x10000 + 6 * P, 0);
	expect_region(&t, 2, 0x10000 + 6 * P, 0x10000 + 10 * P, 0);
	/* 5P / 3P = 1 piece */
	expect_region(&t, 3, 0x100000, 0x100000 + 5 * P, 0);

	/* sz floors at one page; a sub-page range stays one region */
	assert_int_equal(udamon_target_init_regions(&t, small, 2, 10), 0);
	assert_int_equal(t.nr_regions, 4);
	expect_region(&t, 0, 0, P, 0);
	expect_region(&t, 1, P, 2 * P, 0);
	expect_region(&t, 2, 2 * P, 3 * P, 0);
	expect_region(&t, 3, 4 * P, 4 * P + 100, 0);
	udamon_core_target_free(&t);
}

static void test_init_regions_min_count(void **state)
{
	struct udamon_target t = { 0 };
	struct udamon_range r[] = {
		{ 0, 1000 * P }, { 2000 * P, 2100 * P }, { 5000 * P, 5333 * P },
	};

	assert_int_equal(udamon_target_init_regions(&t, r, 3, 10), 0);
	/*
	 * sz = 1433P / 10 = 586956 bytes. 1000P: 6 pieces of 166P (6.97
	 * wanted, aligned down), the last to the end; 100P: one piece; 333P:
	 * 2 pieces of 166P. Like the kernel, rounding can give fewer than min.
	 */
	assert_int_equal(t.nr_regions, 9);
	for (size_t i = 0; i < 5; i++)
		expect_region(&t, i, i * 166 * P, (i + 1) * 166 * P, 0);
	expect_region(&t, 5, 830 * P, 1000 * P, 0);
	expect_region(&t, 6, 2000 * P, 2100 * P, 0);
	expect_region(&t, 7, 5000 * P, 5166 * P, 0);
	expect_region(&t, 8, 5166 * P, 5333 * P, 0);
	assert_int_equal(udamon_target_total_bytes(&t), 1433 * P);
	udamon_core_target_free(&t);
}

static void set_counts(struct udamon_target *t, const unsigned int *nr)
{
	for (size_t i = 0; i < t->nr_regions; i++) {
		t->regions[i].nr_accesses = nr[i];
		t->regions[i].age = nr[i] + 100;
	}
}

static void test_update_regions(void **state)
{
	struct udamon_target t = { 0 };
	struct udamon_range old[] = {
		{ 1 * P, 3 * P }, { 3 * P, 6 * P }, { 6 * P, 8 * P },
		{ 10 * P, 12 * P }, { 20 * P, 22 * P }, { 25 * P, 27 * P },
		{ 40 * P, 41 * P },
	};
	unsigned int nr[] = { 5, 7, 2, 9, 4, 1, 8 };
	struct udamon_range now[] = {
		{ 2 * P, 7 * P }, { 9 * P, 15 * P }, { 16 * P, 18 * P },
		{ 20 * P, 30 * P },
	};

	assert_int_equal(udamon_target_set_regions(&t, old, 7), 0);
	set_counts(&t, nr);
	/* the dropped region owns memory: no leak under ASan */
	t.regions[6].cpu_samples = calloc(4, sizeof(uint32_t));
	t.regions[1].cpu_samples = calloc(4, sizeof(uint32_t));
	assert_int_equal(udamon_target_update_regions(&t, now, 4), 0);
	assert_int_equal(t.nr_regions, 8);
	/* clipped to [2P, 7P): first shrinks at the start, last at the end */
	expect_region(&t, 0, 2 * P, 3 * P, 5);
	expect_region(&t, 1, 3 * P, 6 * P, 7);
	assert_non_null(t.regions[1].cpu_samples);
	expect_region(&t, 2, 6 * P, 7 * P, 2);
	/* [10P, 12P) stretched to both edges of [9P, 15P) */
	expect_region(&t, 3, 9 * P, 15 * P, 9);
	assert_int_equal(t.regions[3].age, 109);
	/* no region in [16P, 18P): a new zero region */
	expect_region(&t, 4, 16 * P, 18 * P, 0);
	assert_int_equal(t.regions[4].age, 0);
	/* [20P, 30P): the hole between 22P and 25P filled, last stretched */
	expect_region(&t, 5, 20 * P, 22 * P, 4);
	expect_region(&t, 6, 22 * P, 25 * P, 0);
	expect_region(&t, 7, 25 * P, 30 * P, 1);
	assert_int_equal(t.regions[7].age, 101);
	udamon_core_target_free(&t);
}

static void test_update_region_spanning_ranges(void **state)
{
	struct udamon_target t = { 0 };
	struct udamon_range old[] = { { 1 * P, 10 * P } };
	struct udamon_range now[] = { { 1 * P, 3 * P }, { 5 * P, 10 * P } };

	assert_int_equal(udamon_target_set_regions(&t, old, 1), 0);
	t.regions[0].nr_accesses = 3;
	t.regions[0].cpu_samples = calloc(2, sizeof(uint32_t));
	assert_int_equal(udamon_target_update_regions(&t, now, 2), 0);
	assert_int_equal(t.nr_regions, 2);
	/*
	 * As the kernel's damon_set_regions(): the region stays in the first
	 * range it meets; the second range, which no other region meets,
	 * gets a new zero region.
	 */
	expect_region(&t, 0, 1 * P, 3 * P, 3);
	expect_region(&t, 1, 5 * P, 10 * P, 0);
	assert_non_null(t.regions[0].cpu_samples);
	assert_null(t.regions[1].cpu_samples);
	/* unsorted ranges are refused and change nothing */
	struct udamon_range bad[] = { { 5 * P, 10 * P }, { 1 * P, 3 * P } };

	assert_int_equal(udamon_target_update_regions(&t, bad, 2), -EINVAL);
	assert_int_equal(t.nr_regions, 2);
	udamon_core_target_free(&t);
}

static void test_update_into_empty(void **state)
{
	struct udamon_target t = { 0 };
	struct udamon_range now[] = { { 1 * P, 3 * P }, { 5 * P, 10 * P } };

	assert_int_equal(udamon_target_update_regions(&t, now, 2), 0);
	assert_int_equal(t.nr_regions, 2);
	expect_region(&t, 0, 1 * P, 3 * P, 0);
	expect_region(&t, 1, 5 * P, 10 * P, 0);
	udamon_core_target_free(&t);
}

static void expect_range(const struct udamon_range *r, uint64_t s, uint64_t e)
{
	assert_int_equal(r->start, s);
	assert_int_equal(r->end, e);
}

static void test_three_regions(void **state)
{
	/* gaps 1P, 5P, 1P, 17P: the two largest are [5P,10P) and [13P,30P) */
	struct udamon_range maps[] = {
		{ 1 * P, 2 * P }, { 3 * P, 5 * P }, { 10 * P, 11 * P },
		{ 12 * P, 13 * P }, { 30 * P, 31 * P },
	};
	struct udamon_range out[3];

	assert_int_equal(udamon_three_regions(maps, 5, out), 3);
	expect_range(&out[0], 1 * P, 5 * P);
	expect_range(&out[1], 10 * P, 13 * P);
	expect_range(&out[2], 30 * P, 31 * P);
}

static void test_three_regions_ties(void **state)
{
	/* equal gaps: the first two found win */
	struct udamon_range maps[] = {
		{ 0, P }, { 2 * P, 3 * P }, { 4 * P, 5 * P }, { 6 * P, 7 * P },
	};
	struct udamon_range out[3];

	assert_int_equal(udamon_three_regions(maps, 4, out), 3);
	expect_range(&out[0], 0, P);
	expect_range(&out[1], 2 * P, 3 * P);
	expect_range(&out[2], 4 * P, 7 * P);
}

static void test_three_regions_few_gaps(void **state)
{
	/* touching mappings make no gap */
	struct udamon_range two[] = { { 0, 2 * P }, { 2 * P, 4 * P },
				      { 6 * P, 8 * P } };
	struct udamon_range one[] = { { 8 * P, 9 * P } };
	struct udamon_range bad[] = { { 8 * P, 9 * P }, { 1 * P, 2 * P } };
	struct udamon_range out[3];

	assert_int_equal(udamon_three_regions(two, 3, out), 2);
	expect_range(&out[0], 0, 4 * P);
	expect_range(&out[1], 6 * P, 8 * P);
	assert_int_equal(udamon_three_regions(one, 1, out), 1);
	expect_range(&out[0], 8 * P, 9 * P);
	assert_int_equal(udamon_three_regions(one, 0, out), -EINVAL);
	assert_int_equal(udamon_three_regions(bad, 2, out), -EINVAL);
}

static void test_three_regions_alignment(void **state)
{
	/* edges align up to pages; a range that alignment empties goes */
	struct udamon_range maps[] = {
		{ 0x1001, 0x2000 }, { 0x5000, 0x6000 }, { 0x9000, 0x9800 },
	};
	struct udamon_range out[3];

	assert_int_equal(udamon_three_regions(maps, 3, out), 2);
	expect_range(&out[0], 0x5000, 0x6000);
	expect_range(&out[1], 0x9000, 0xa000);
}

static void test_find_region(void **state)
{
	struct udamon_target t = { 0 };
	struct udamon_range r[] = { { 1 * P, 2 * P }, { 2 * P, 5 * P },
				    { 8 * P, 9 * P } };

	assert_int_equal(udamon_target_find_region(&t, 0), -1);
	assert_int_equal(udamon_target_set_regions(&t, r, 3), 0);
	assert_int_equal(udamon_target_find_region(&t, 0), -1);
	assert_int_equal(udamon_target_find_region(&t, 1 * P), 0);
	assert_int_equal(udamon_target_find_region(&t, 2 * P - 1), 0);
	assert_int_equal(udamon_target_find_region(&t, 2 * P), 1);
	assert_int_equal(udamon_target_find_region(&t, 5 * P - 1), 1);
	assert_int_equal(udamon_target_find_region(&t, 5 * P), -1);
	assert_int_equal(udamon_target_find_region(&t, 8 * P + 5), 2);
	assert_int_equal(udamon_target_find_region(&t, 9 * P), -1);
	assert_int_equal(udamon_target_find_region(&t, UINT64_MAX), -1);
	udamon_core_target_free(&t);
}

static void test_find_region_many(void **state)
{
	struct udamon_target t = { 0 };
	struct udamon_range *r = calloc(10001, sizeof(*r));

	/* 10001 one-page regions with one-page holes between them */
	for (size_t i = 0; i < 10001; i++)
		r[i] = (struct udamon_range){ 2 * i * P, (2 * i + 1) * P };
	assert_int_equal(udamon_target_set_regions(&t, r, 10001), 0);
	for (size_t i = 0; i < 10001; i++) {
		assert_int_equal(udamon_target_find_region(&t, 2 * i * P + i % P),
				 (long)i);
		assert_int_equal(udamon_target_find_region(&t,
				 (2 * i + 1) * P), -1);
	}
	assert_int_equal(udamon_target_total_bytes(&t), 10001 * P);
	free(r);
	udamon_core_target_free(&t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_set_regions),
		cmocka_unit_test(test_init_regions),
		cmocka_unit_test(test_init_regions_min_count),
		cmocka_unit_test(test_update_regions),
		cmocka_unit_test(test_update_region_spanning_ranges),
		cmocka_unit_test(test_update_into_empty),
		cmocka_unit_test(test_three_regions),
		cmocka_unit_test(test_three_regions_ties),
		cmocka_unit_test(test_three_regions_few_gaps),
		cmocka_unit_test(test_three_regions_alignment),
		cmocka_unit_test(test_find_region),
		cmocka_unit_test(test_find_region_many),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
