// SPDX-License-Identifier: MIT
/*
 * Sample filters: the full truth table of type x allow x matching x report
 * (satisfying the test, not satisfying it, field unknown), combinations of
 * two and three filters, and deep copy / free.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "udamon/textfmt.h"
#include "udamon/udamon.h"

static char err[256];

static struct udamon_access_report rep(int is_write, int cpu, int tid)
{
	struct udamon_access_report r = {
		.vaddr = 0x1000, .paddr = UDAMON_UNKNOWN_ADDR, .size = 8,
		.cpu = cpu, .tid = tid, .is_write = is_write, .time_ns = 0,
	};

	return r;
}

static struct udamon_filter mk_write(bool matching, bool allow)
{
	struct udamon_filter f = { .type = UDAMON_FILTER_WRITE,
				   .matching = matching, .allow = allow };

	return f;
}

static struct udamon_filter mk_cpus(const char *list, unsigned int nr,
				    bool matching, bool allow)
{
	struct udamon_filter f = { .type = UDAMON_FILTER_CPUMASK,
				   .matching = matching, .allow = allow };

	assert_int_equal(udamon_cpulist_parse(list, nr, &f.cpus, err,
					      sizeof(err)), 0);
	return f;
}

static struct udamon_filter mk_tids(const char *list, bool matching,
				    bool allow)
{
	struct udamon_filter f = { .type = UDAMON_FILTER_THREADS,
				   .matching = matching, .allow = allow };

	assert_int_equal(udamon_parse_intlist(list, &f.tids, &f.nr_tids, err,
					      sizeof(err)), 0);
	return f;
}

/* allow, matching, test result -> matches, passes (worked out by hand) */
static const struct {
	bool allow, matching, test, matches, passes;
} truth[] = {
	{ 1, 1, 1, 1, 1 },
	{ 1, 1, 0, 0, 0 },
	{ 1, 0, 1, 0, 0 },
	{ 1, 0, 0, 1, 1 },
	{ 0, 1, 1, 1, 0 },
	{ 0, 1, 0, 0, 1 },
	{ 0, 0, 1, 0, 1 },
	{ 0, 0, 0, 1, 0 },
};

/* Reports for one filter type: those whose test holds, and those not. */
struct cases {
	struct udamon_access_report yes[4];
	size_t nr_yes;
	struct udamon_access_report no[6];
	size_t nr_no;
};

static void check_truth(enum udamon_filter_type type, const struct cases *c)
{
	struct udamon_filter f;
	const struct udamon_access_report *r;
	size_t i, j, n;

	for (i = 0; i < sizeof(truth) / sizeof(truth[0]); i++) {
		if (type == UDAMON_FILTER_WRITE)
			f = mk_write(truth[i].matching, truth[i].allow);
		else if (type == UDAMON_FILTER_CPUMASK)
			f = mk_cpus("1,3", 8, truth[i].matching,
				    truth[i].allow);
		else
			f = mk_tids("10,20,30", truth[i].matching,
				    truth[i].allow);
		n = truth[i].test ? c->nr_yes : c->nr_no;
		for (j = 0; j < n; j++) {
			r = truth[i].test ? &c->yes[j] : &c->no[j];
			if (udamon_filter_matches(&f, r) != truth[i].matches ||
			    udamon_filters_pass(&f, 1, r) != truth[i].passes)
				fail_msg("type %d row %zu report %zu "
					 "(w %d cpu %d tid %d)", type, i, j,
					 r->is_write, r->cpu, r->tid);
		}
		udamon_filter_free(&f);
	}
}

static void test_truth_write(void **state)
{
	/* the test is is_write == 1; reads and unknown fail it */
	struct cases c = {
		.yes = { rep(1, 0, 1), rep(1, -1, -1) }, .nr_yes = 2,
		.no = { rep(0, 0, 1), rep(-1, 0, 1), rep(0, -1, -1),
			rep(-1, -1, -1) }, .nr_no = 4,
	};

	check_truth(UDAMON_FILTER_WRITE, &c);
}

static void test_truth_cpumask(void **state)
{
	/* mask {1,3} of 8; unknown and out-of-mask CPUs fail the test */
	struct cases c = {
		.yes = { rep(1, 1, 5), rep(0, 3, -1), rep(-1, 3, 5) },
		.nr_yes = 3,
		.no = { rep(1, 0, 5), rep(1, 2, 5), rep(0, 7, 5),
			rep(1, -1, 5), rep(1, 8, 5), rep(1, 100000, 5) },
		.nr_no = 6,
	};

	check_truth(UDAMON_FILTER_CPUMASK, &c);
}

static void test_truth_threads(void **state)
{
	/* tids {10,20,30}; unknown and other tids fail the test */
	struct cases c = {
		.yes = { rep(1, 0, 10), rep(0, -1, 20), rep(-1, 1, 30) },
		.nr_yes = 3,
		.no = { rep(1, 0, 5), rep(1, 0, 15), rep(1, 0, 35),
			rep(1, 0, -1), rep(1, 0, 0), rep(1, 0, 21) },
		.nr_no = 6,
	};

	check_truth(UDAMON_FILTER_THREADS, &c);
}

static void test_empty_lists(void **state)
{
	struct udamon_filter t = { .type = UDAMON_FILTER_THREADS,
				   .matching = true, .allow = true };
	struct udamon_filter c = mk_cpus("", 4, true, true);
	struct udamon_access_report r = rep(1, 0, 0);

	/* nothing is in an empty set */
	assert_false(udamon_filter_matches(&t, &r));
	assert_false(udamon_filter_matches(&c, &r));
	t.matching = false;
	c.matching = false;
	assert_true(udamon_filter_matches(&t, &r));
	assert_true(udamon_filter_matches(&c, &r));
	udamon_filter_free(&c);
}

static void test_no_filters(void **state)
{
	struct udamon_access_report r = rep(-1, -1, -1);
	struct udamon_filter f = mk_write(true, true);

	assert_true(udamon_filters_pass(NULL, 0, &r));
	r = rep(0, 1, 2);
	assert_true(udamon_filters_pass(NULL, 0, &r));
	/* nr bounds the list: a filter past it is not applied */
	assert_true(udamon_filters_pass(&f, 0, &r));
	assert_false(udamon_filters_pass(&f, 1, &r));
}

/* pass(list) and pass(reversed list) both equal expect */
static void check_both_orders(struct udamon_filter *fs, size_t nr,
			      const struct udamon_access_report *r,
			      bool expect)
{
	struct udamon_filter rev[3];
	size_t i;

	for (i = 0; i < nr; i++)
		rev[i] = fs[nr - 1 - i];
	if (udamon_filters_pass(fs, nr, r) != expect ||
	    udamon_filters_pass(rev, nr, r) != expect)
		fail_msg("w %d cpu %d tid %d: want %d", r->is_write, r->cpu,
			 r->tid, expect);
}

static void test_two_filters(void **state)
{
	struct udamon_filter fs[2];
	struct udamon_access_report r;

	/* damo's --exp_ops_write_only y --exp_ops_cpus 1,3 */
	fs[0] = mk_write(true, true);
	fs[1] = mk_cpus("1,3", 4, true, true);
	r = rep(1, 1, 7);
	check_both_orders(fs, 2, &r, true);
	r = rep(1, 3, -1);
	check_both_orders(fs, 2, &r, true);
	r = rep(0, 1, 7);
	check_both_orders(fs, 2, &r, false);
	r = rep(-1, 1, 7);
	check_both_orders(fs, 2, &r, false);
	r = rep(1, 2, 7);
	check_both_orders(fs, 2, &r, false);
	r = rep(1, -1, 7);
	check_both_orders(fs, 2, &r, false);
	r = rep(0, 0, 7);
	check_both_orders(fs, 2, &r, false);
	udamon_filter_free(&fs[1]);

	/* reject writes, allow threads 10 and 20: reads of those threads */
	fs[0] = mk_write(true, false);
	fs[1] = mk_tids("10,20", true, true);
	r = rep(0, 0, 10);
	check_both_orders(fs, 2, &r, true);
	r = rep(-1, 0, 20);	/* unknown is not a write */
	check_both_orders(fs, 2, &r, true);
	r = rep(1, 0, 10);
	check_both_orders(fs, 2, &r, false);
	r = rep(0, 0, 11);
	check_both_orders(fs, 2, &r, false);
	r = rep(0, 0, -1);
	check_both_orders(fs, 2, &r, false);
	udamon_filter_free(&fs[1]);

	/* allow writes and reject writes: nothing can pass both */
	fs[0] = mk_write(true, true);
	fs[1] = mk_write(true, false);
	r = rep(1, 0, 1);
	check_both_orders(fs, 2, &r, false);
	r = rep(0, 0, 1);
	check_both_orders(fs, 2, &r, false);
	r = rep(-1, 0, 1);
	check_both_orders(fs, 2, &r, false);

	/* reject CPU 0 (matching N: allow the rest), reject thread 5 */
	fs[0] = mk_cpus("0", 2, false, true);
	fs[1] = mk_tids("5", true, false);
	r = rep(1, 1, 6);
	check_both_orders(fs, 2, &r, true);
	r = rep(1, -1, -1);	/* unknown CPU is not CPU 0 */
	check_both_orders(fs, 2, &r, true);
	r = rep(1, 0, 6);
	check_both_orders(fs, 2, &r, false);
	r = rep(1, 1, 5);
	check_both_orders(fs, 2, &r, false);
	udamon_filter_free(&fs[0]);
	udamon_filter_free(&fs[1]);
}

static void test_three_filters(void **state)
{
	static const int ws[] = { 1, 0, -1 };
	static const int cpus[] = { 0, 1, -1 };
	static const int tids[] = { 5, 6, -1 };
	struct udamon_filter fs[3];
	struct udamon_access_report r;
	size_t i, j, k, nr_pass = 0;
	bool expect;

	/* allow writes, allow CPU 0, reject thread 5 */
	fs[0] = mk_write(true, true);
	fs[1] = mk_cpus("0", 2, true, true);
	fs[2] = mk_tids("5", true, false);
	for (i = 0; i < 3; i++) {
		for (j = 0; j < 3; j++) {
			for (k = 0; k < 3; k++) {
				r = rep(ws[i], cpus[j], tids[k]);
				expect = ws[i] == 1 && cpus[j] == 0 &&
					 tids[k] != 5;
				nr_pass += expect;
				check_both_orders(fs, 3, &r, expect);
			}
		}
	}
	/* (write, cpu 0, tid 6) and (write, cpu 0, tid unknown) */
	assert_int_equal(nr_pass, 2);

	udamon_filter_free(&fs[0]);
	udamon_filter_free(&fs[1]);
	udamon_filter_free(&fs[2]);
}

static void test_copy_free(void **state)
{
	struct udamon_filter src = mk_cpus("1,3", 8, true, false);
	struct udamon_filter dst, t;
	struct udamon_access_report r = rep(1, 3, 10);

	memset(&dst, 0xa5, sizeof(dst));
	assert_int_equal(udamon_filter_copy(&dst, &src), 0);
	assert_int_equal(dst.type, UDAMON_FILTER_CPUMASK);
	assert_true(dst.matching);
	assert_false(dst.allow);
	assert_int_equal(dst.cpus.nbits, 8);
	assert_ptr_not_equal(dst.cpus.bits, src.cpus.bits);
	assert_null(dst.tids);
	assert_int_equal(dst.nr_tids, 0);
	assert_int_equal(udamon_filters_pass(&dst, 1, &r),
			 udamon_filters_pass(&src, 1, &r));
	/* the copy owns its mask: changing or freeing src leaves it */
	udamon_cpumask_set(&src.cpus, 5);
	assert_false(udamon_cpumask_test(&dst.cpus, 5));
	udamon_filter_free(&src);
	assert_null(src.cpus.bits);
	assert_true(udamon_cpumask_test(&dst.cpus, 3));
	assert_true(udamon_filter_matches(&dst, &r));
	udamon_filter_free(&dst);
	assert_null(dst.cpus.bits);
	assert_int_equal(dst.cpus.nbits, 0);

	src = mk_tids("30,10,20", false, true);
	assert_int_equal(udamon_filter_copy(&t, &src), 0);
	assert_int_equal(t.nr_tids, 3);
	assert_ptr_not_equal(t.tids, src.tids);
	assert_int_equal(t.tids[0], 10);
	assert_int_equal(t.tids[1], 20);
	assert_int_equal(t.tids[2], 30);
	assert_null(t.cpus.bits);
	src.tids[0] = 11;
	r = rep(1, 0, 10);
	assert_false(udamon_filter_matches(&t, &r));	/* 10 in, matching N */
	udamon_filter_free(&src);
	udamon_filter_free(&t);
	assert_null(t.tids);
	assert_int_equal(t.nr_tids, 0);

	src = mk_write(false, false);
	assert_int_equal(udamon_filter_copy(&t, &src), 0);
	assert_int_equal(t.type, UDAMON_FILTER_WRITE);
	assert_false(t.matching);
	assert_false(t.allow);
	assert_null(t.cpus.bits);
	assert_null(t.tids);
	udamon_filter_free(&t);
	udamon_filter_free(&t);		/* freeing twice is harmless */
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_truth_write),
		cmocka_unit_test(test_truth_cpumask),
		cmocka_unit_test(test_truth_threads),
		cmocka_unit_test(test_empty_lists),
		cmocka_unit_test(test_no_filters),
		cmocka_unit_test(test_two_filters),
		cmocka_unit_test(test_three_filters),
		cmocka_unit_test(test_copy_free),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
