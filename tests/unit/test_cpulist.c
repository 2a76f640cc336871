// SPDX-License-Identifier: MIT
/* cpulist grammar (bitmap_parselist), possible CPUs and cpumask helpers. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "udamon/textfmt.h"

#define EXPECT "is not a CPU, range or stride; expected 'a', 'a-b', " \
	"'a-b:u/g', 'N' or 'all', separated by ',' or spaces"

static char err[512];
static char want[512];

/* Parse s against nr CPUs; the canonical form must be expect. */
static void ok_list(const char *s, unsigned int nr, const char *expect,
		    unsigned int weight)
{
	struct udamon_cpumask m = { 0, NULL };
	char buf[256];

	err[0] = '\0';
	if (udamon_cpulist_parse(s, nr, &m, err, sizeof(err)))
		fail_msg("'%s' rejected: %s", s, err);
	assert_int_equal(m.nbits, nr);
	assert_string_equal(udamon_cpumask_format(&m, buf, sizeof(buf)),
			    expect);
	assert_int_equal(udamon_cpumask_weight(&m), weight);
	udamon_cpumask_free(&m);
	assert_null(m.bits);
}

static void bad_list(const char *s, unsigned int nr, const char *msg)
{
	struct udamon_cpumask m = { 0, NULL };

	assert_int_equal(udamon_cpulist_parse(s, nr, &m, err, sizeof(err)),
			 -EINVAL);
	assert_string_equal(err, msg);
	assert_null(m.bits);
	assert_int_equal(m.nbits, 0);
}

/* "invalid cpulist '<s>': <why>" */
static void bad_fmt(const char *s, unsigned int nr, const char *why)
{
	snprintf(want, sizeof(want), "invalid cpulist '%s': %s", s, why);
	bad_list(s, nr, want);
}

static void junk(const char *s, const char *tok)
{
	snprintf(want, sizeof(want), "invalid cpulist '%s': '%s' " EXPECT,
		 s, tok);
	bad_list(s, 8, want);
}

static void test_accepts(void **state)
{
	/* empty lists are empty masks, as the kernel takes them */
	ok_list("", 2, "", 0);
	ok_list(" , \n", 2, "", 0);
	ok_list("0", 2, "0", 1);
	ok_list("1", 2, "1", 1);
	ok_list("0-1", 2, "0-1", 2);
	ok_list("0,1", 2, "0-1", 2);
	ok_list("1 0", 2, "0-1", 2);
	ok_list("0\n1\n", 2, "0-1", 2);
	ok_list(",0,,1,", 2, "0-1", 2);
	ok_list("\t0 ,\t 1 ", 2, "0-1", 2);
	ok_list("3-3", 8, "3", 1);
	ok_list("0-3,2-5", 8, "0-5", 6);
	ok_list("0,2,4,6", 8, "0,2,4,6", 4);
	ok_list("7,1-2,5", 8, "1-2,5,7", 4);
	/* N is the last possible CPU */
	ok_list("N", 2, "1", 1);
	ok_list("0-N", 8, "0-7", 8);
	ok_list("N-N", 8, "7", 1);
	ok_list("2-N:1/2", 8, "2,4,6", 3);
	/* all, with and without a stride */
	ok_list("all", 2, "0-1", 2);
	ok_list("all", 1, "0", 1);
	ok_list("all:1/2", 8, "0,2,4,6", 4);
	ok_list(" all , 3", 8, "0-7", 8);
	/* strides: u of every group of g from a to b */
	ok_list("0-1023:2/256", 1024, "0-1,256-257,512-513,768-769", 8);
	ok_list("0-9:3/4", 16, "0-2,4-6,8-9", 8);	/* clipped at b */
	ok_list("2-5:4/4", 8, "2-5", 4);
	ok_list("1-7:1/3", 8, "1,4,7", 3);
	ok_list("0-7:0/4", 8, "", 0);			/* u = 0: none */
	ok_list("0-7:1/100", 8, "0", 1);
	/* across 64-bit words */
	ok_list("63-64", 65, "63-64", 2);
	ok_list("0-64", 65, "0-64", 65);
	ok_list("all:1/64", 200, "0,64,128,192", 4);
	/* no CPUs at all: only empty lists and "all" (nothing) */
	ok_list("", 0, "", 0);
	ok_list("all", 0, "", 0);
}

static void test_grammar_errors(void **state)
{
	bad_fmt("3-1", 8, "range '3-1' is reversed; the start must not "
		"exceed the end");
	bad_fmt("0,N-0", 8, "range 'N-0' is reversed; the start must not "
		"exceed the end");
	bad_fmt("0-7:1/0", 8, "'0-7:1/0' has group size 0; the group size g "
		"in 'a-b:u/g' must be at least 1");
	bad_fmt("all:0/0", 8, "'all:0/0' has group size 0; the group size g "
		"in 'a-b:u/g' must be at least 1");
	bad_fmt("0-7:3/2", 8, "'0-7:3/2' uses 3 CPUs of every group of 2; u "
		"in 'a-b:u/g' must not exceed g");
	bad_fmt("3:1/2", 8, "'3:1/2' has a stride but no range; write it as "
		"'a-b:u/g'");
	bad_fmt("1,N:1/2", 8, "'N:1/2' has a stride but no range; write it "
		"as 'a-b:u/g'");
	bad_fmt("99999999999", 8, "a number in '99999999999' is too large "
		"(at most 4294967295)");
	bad_fmt("0-4294967296", 8, "a number in '0-4294967296' is too large "
		"(at most 4294967295)");
	bad_fmt("0-3:4294967296/2", 8, "a number in '0-3:4294967296/2' is "
		"too large (at most 4294967295)");

	junk("0-", "0-");
	junk("-1", "-1");
	junk("0x1", "0x1");
	junk("1.5", "1.5");
	junk("1 - 3", "-");
	junk("0-,3", "0-");
	junk("a", "a");
	junk("+1", "+1");
	junk("all3", "all3");
	junk("allx", "allx");
	junk("al", "al");
	junk("all-3", "all-3");
	junk("0-3:1", "0-3:1");
	junk("0-3:1/", "0-3:1/");
	junk("0-3:/2", "0-3:/2");
	junk("0-3:1/2x", "0-3:1/2x");
	junk("0-3:1/2:1/2", "0-3:1/2:1/2");
	junk("0-3x", "0-3x");
	junk("0;1", "0;1");
	junk("0-1-2", "0-1-2");
	junk("n", "n");
	junk("1,two", "two");
}

static void test_not_possible(void **state)
{
	bad_list("0-3,9", 2, "CPU 9 in '0-3,9' is not possible: this machine "
		 "has CPUs 0-1");
	bad_list("2", 2, "CPU 2 in '2' is not possible: this machine has "
		 "CPUs 0-1");
	bad_list("0-2:1/2", 2, "CPU 2 in '0-2:1/2' is not possible: this "
		 "machine has CPUs 0-1");
	bad_list("1", 1, "CPU 1 in '1' is not possible: this machine has "
		 "CPU 0");
	bad_list("0", 0, "CPU 0 in '0' is not possible: this machine has "
		 "no CPUs");
	bad_list("4294967295", 8, "CPU 4294967295 in '4294967295' is not "
		 "possible: this machine has CPUs 0-7");
	bad_list("1024", 1024, "CPU 1024 in '1024' is not possible: this "
		 "machine has CPUs 0-1023");
	/* grammar errors are reported before CPUs that are not there */
	bad_fmt("9,x", 2, "'x' " EXPECT);
	bad_fmt("9,3-1", 2, "range '3-1' is reversed; the start must not "
		"exceed the end");
}

static void test_possible_parse(void **state)
{
	unsigned int nr = 12345;
	char buf[256];
	FILE *f;
	size_t n;
	int ret;

	assert_int_equal(udamon_possible_cpus_parse("0-1\n", &nr), 0);
	assert_int_equal(nr, 2);
	assert_int_equal(udamon_possible_cpus_parse("0\n", &nr), 0);
	assert_int_equal(nr, 1);
	assert_int_equal(udamon_possible_cpus_parse("0-63", &nr), 0);
	assert_int_equal(nr, 64);
	assert_int_equal(udamon_possible_cpus_parse("0-3,8-11\n", &nr), 0);
	assert_int_equal(nr, 12);
	nr = 12345;
	assert_int_equal(udamon_possible_cpus_parse("", &nr), -EINVAL);
	assert_int_equal(udamon_possible_cpus_parse("\n", &nr), -EINVAL);
	assert_int_equal(udamon_possible_cpus_parse("junk", &nr), -EINVAL);
	assert_int_equal(udamon_possible_cpus_parse("N", &nr), -EINVAL);
	assert_int_equal(udamon_possible_cpus_parse("all", &nr), -EINVAL);
	assert_int_equal(udamon_possible_cpus_parse("1-0", &nr), -EINVAL);
	assert_int_equal(udamon_possible_cpus_parse("0-4294967295", &nr),
			 -EINVAL);
	assert_int_equal(nr, 12345);

	/* the real file agrees with parsing its text */
	f = fopen("/sys/devices/system/cpu/possible", "r");
	if (!f)
		skip();
	n = fread(buf, 1, sizeof(buf) - 1, f);
	fclose(f);
	buf[n] = '\0';
	assert_int_equal(udamon_possible_cpus_parse(buf, &nr), 0);
	ret = (int)nr;
	assert_int_equal(udamon_possible_cpus(&nr), 0);
	assert_int_equal(nr, ret);
	assert_true(nr >= 1);
}

static void test_mask_helpers(void **state)
{
	struct udamon_cpumask m;
	char buf[64], small[6];

	assert_int_equal(udamon_cpumask_alloc(&m, 130), 0);
	assert_int_equal(m.nbits, 130);
	assert_int_equal(udamon_cpumask_weight(&m), 0);
	assert_string_equal(udamon_cpumask_format(&m, buf, sizeof(buf)), "");
	udamon_cpumask_set(&m, 0);
	udamon_cpumask_set(&m, 63);
	udamon_cpumask_set(&m, 64);
	udamon_cpumask_set(&m, 129);
	udamon_cpumask_set(&m, 130);	/* past nbits: ignored */
	udamon_cpumask_set(&m, 64);	/* twice: once */
	assert_int_equal(udamon_cpumask_weight(&m), 4);
	assert_true(udamon_cpumask_test(&m, 0));
	assert_false(udamon_cpumask_test(&m, 1));
	assert_true(udamon_cpumask_test(&m, 63));
	assert_true(udamon_cpumask_test(&m, 64));
	assert_true(udamon_cpumask_test(&m, 129));
	assert_false(udamon_cpumask_test(&m, 130));
	assert_false(udamon_cpumask_test(&m, -1));
	assert_false(udamon_cpumask_test(&m, 100000));
	assert_string_equal(udamon_cpumask_format(&m, buf, sizeof(buf)),
			    "0,63-64,129");
	/* a short buffer keeps whole items and stays terminated */
	assert_string_equal(udamon_cpumask_format(&m, small, sizeof(small)),
			    "0");
	udamon_cpumask_free(&m);
	assert_null(m.bits);
	assert_int_equal(m.nbits, 0);
	assert_false(udamon_cpumask_test(&m, 0));
	assert_int_equal(udamon_cpumask_weight(&m), 0);
	udamon_cpumask_free(&m);	/* twice is harmless */

	assert_int_equal(udamon_cpumask_alloc(&m, 0), 0);
	assert_false(udamon_cpumask_test(&m, 0));
	udamon_cpumask_set(&m, 0);
	assert_int_equal(udamon_cpumask_weight(&m), 0);
	udamon_cpumask_free(&m);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_accepts),
		cmocka_unit_test(test_grammar_errors),
		cmocka_unit_test(test_not_possible),
		cmocka_unit_test(test_possible_parse),
		cmocka_unit_test(test_mask_helpers),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
