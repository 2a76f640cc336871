// SPDX-License-Identifier: MIT
/* Attribute defaults and validation messages (core/attrs.c, core/ctx.c). */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <errno.h>
#include <string.h>

#include "udamon/udamon.h"

static void test_defaults(void **state)
{
	struct udamon_attrs a;
	char err[256] = "";

	udamon_attrs_default(&a);
	assert_int_equal(a.sample_us, 5000);
	assert_int_equal(a.aggr_us, 100000);
	assert_int_equal(a.ops_update_us, 1000000);
	assert_int_equal(a.min_nr_regions, 10);
	assert_int_equal(a.max_nr_regions, 1000);
	assert_int_equal(a.goal.aggrs, 0);
	assert_int_equal(udamon_attrs_validate(&a, err, sizeof(err)), 0);
	assert_string_equal(err, "");
}

/* Validate a and expect -EINVAL with exactly msg. */
static void expect_msg(const struct udamon_attrs *a, const char *msg)
{
	char err[512] = "";

	assert_int_equal(udamon_attrs_validate(a, err, sizeof(err)), -EINVAL);
	assert_string_equal(err, msg);
}

static void test_nr_regions(void **state)
{
	struct udamon_attrs a;

	udamon_attrs_default(&a);
	a.min_nr_regions = 2;
	expect_msg(&a, "min_nr_regions (2) must be at least 3");
	a.min_nr_regions = 0;
	expect_msg(&a, "min_nr_regions (0) must be at least 3");
	a.min_nr_regions = 3;
	assert_int_equal(udamon_attrs_validate(&a, NULL, 0), 0);
	a.min_nr_regions = 20;
	a.max_nr_regions = 10;
	expect_msg(&a, "min_nr_regions (20) must not exceed max_nr_regions "
		   "(10)");
	a.max_nr_regions = 20;	/* equal is fine */
	assert_int_equal(udamon_attrs_validate(&a, NULL, 0), 0);
}

static void test_intervals(void **state)
{
	struct udamon_attrs a;

	udamon_attrs_default(&a);
	a.sample_us = 200000;
	expect_msg(&a, "sample interval (200000 us) must not exceed the "
		   "aggregation interval (100000 us)");
	a.sample_us = 100000;	/* equal is fine */
	assert_int_equal(udamon_attrs_validate(&a, NULL, 0), 0);
	a.sample_us = 0;
	expect_msg(&a, "sample interval (0 us) must be positive");
	udamon_attrs_default(&a);
	a.aggr_us = 0;
	expect_msg(&a, "aggregation interval (0 us) must be positive");
	udamon_attrs_default(&a);
	a.ops_update_us = 0;
	expect_msg(&a, "ops update interval (0 us) must be positive");
}

static void test_goal(void **state)
{
	struct udamon_attrs a;

	udamon_attrs_default(&a);
	/* aggrs == 0 turns tuning off: the other goal fields do not matter */
	a.goal.access_bp = 0;
	a.goal.min_sample_us = 9;
	a.goal.max_sample_us = 1;
	assert_int_equal(udamon_attrs_validate(&a, NULL, 0), 0);

	a.goal = (struct udamon_intervals_goal){ 400, 3, 5000, 1000 };
	expect_msg(&a, "intervals goal minimum sample interval (5000 us) "
		   "must not exceed the maximum (1000 us)");
	a.goal = (struct udamon_intervals_goal){ 0, 3, 5000, 10000000 };
	expect_msg(&a, "intervals goal access ratio (0 bp) must be between "
		   "1 and 10000 bp (0.01%..100%)");
	a.goal.access_bp = 10001;
	expect_msg(&a, "intervals goal access ratio (10001 bp) must be "
		   "between 1 and 10000 bp (0.01%..100%)");
	a.goal = (struct udamon_intervals_goal){ 400, 3, 0, 10000000 };
	expect_msg(&a, "intervals goal minimum sample interval (0 us) must "
		   "be positive");
	/* damo's --monitoring_intervals_autotune: 4% 3 5ms 10s */
	/* the kernel's rule: the sample interval must be within min..max */
	a.goal = (struct udamon_intervals_goal){ 400, 3, 6000, 10000000 };
	expect_msg(&a, "sample interval (5000 us) must be within the "
		   "intervals goal's range (6000 us..10000000 us)");
	a.goal = (struct udamon_intervals_goal){ 400, 3, 1000, 4000 };
	expect_msg(&a, "sample interval (5000 us) must be within the "
		   "intervals goal's range (1000 us..4000 us)");
	a.goal = (struct udamon_intervals_goal){ 400, 3, 5000, 10000000 };
	assert_int_equal(udamon_attrs_validate(&a, NULL, 0), 0);
}

static void test_short_buffer(void **state)
{
	struct udamon_attrs a;
	char err[8];

	udamon_attrs_default(&a);
	a.min_nr_regions = 1;
	assert_int_equal(udamon_attrs_validate(&a, err, sizeof(err)), -EINVAL);
	assert_string_equal(err, "min_nr_");
}

static void test_ctx_rejects(void **state)
{
	struct udamon_ctx *ctx = udamon_ctx_new();
	struct udamon_attrs a;

	assert_non_null(ctx);
	udamon_attrs_default(&a);
	a.min_nr_regions = 1;
	a.max_nr_regions = 5;
	assert_int_equal(udamon_ctx_set_attrs(ctx, &a), -EINVAL);
	assert_string_equal(udamon_ctx_errmsg(ctx),
			    "min_nr_regions (1) must be at least 3");
	/* unchanged */
	assert_int_equal(ctx->attrs.min_nr_regions, 10);
	assert_int_equal(ctx->attrs.max_nr_regions, 1000);

	assert_int_equal(udamon_ctx_commit(ctx, &a, NULL, 0), -EINVAL);
	assert_false(ctx->has_pending);

	a.min_nr_regions = 4;
	assert_int_equal(udamon_ctx_set_attrs(ctx, &a), 0);
	assert_int_equal(ctx->attrs.min_nr_regions, 4);
	assert_int_equal(ctx->attrs.max_nr_regions, 5);
	udamon_ctx_free(ctx);
}

static void test_ctx_start_errors(void **state)
{
	struct udamon_ctx *ctx = udamon_ctx_new();

	assert_int_equal(udamon_ctx_start(ctx), -EINVAL);
	assert_string_equal(udamon_ctx_errmsg(ctx), "no operations set: "
			    "attach one (vaddr, paddr or sim) before starting");
	assert_int_equal(udamon_ctx_step(ctx), -EINVAL);
	assert_string_equal(udamon_ctx_errmsg(ctx), "monitoring is not "
			    "started: call udamon_ctx_start() first");
	udamon_ctx_free(ctx);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_defaults),
		cmocka_unit_test(test_nr_regions),
		cmocka_unit_test(test_intervals),
		cmocka_unit_test(test_goal),
		cmocka_unit_test(test_short_buffer),
		cmocka_unit_test(test_ctx_rejects),
		cmocka_unit_test(test_ctx_start_errors),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
