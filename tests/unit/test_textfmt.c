// SPDX-License-Identifier: MIT
/* damo's text formats: every accepted form and every rejection message. */
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

#define MAXU "18446744073709551615"
#define TIME_EXPECT "expected a number with an optional unit " \
	"(ns, us, ms, s, m, h, d), e.g. '5ms' or '1 m 30 s'"
#define SIZE_EXPECT "expected a number with an optional unit (B, K, KB, " \
	"KiB, M, MB, MiB, G, GB, GiB, T, TB, TiB, P, PB, PiB, E, EB, EiB), " \
	"e.g. '4KB' or '1,024'"

static char err[512];
static char want[512];

/* ---- time ---- */

static void ok_time(const char *s, uint64_t unit, uint64_t expect)
{
	uint64_t v = 12345;

	err[0] = '\0';
	if (udamon_parse_time_us(s, unit, &v, err, sizeof(err)))
		fail_msg("'%s' rejected: %s", s, err);
	if (v != expect)
		fail_msg("'%s': got %llu, want %llu", s,
			 (unsigned long long)v, (unsigned long long)expect);
}

static void bad_time(const char *s, uint64_t unit, const char *why)
{
	uint64_t v = 12345;

	snprintf(want, sizeof(want), "invalid time '%s': %s", s, why);
	assert_int_equal(udamon_parse_time_us(s, unit, &v, err, sizeof(err)),
			 -EINVAL);
	assert_string_equal(err, want);
	assert_int_equal(v, 12345);
}

static void test_time_accepts(void **state)
{
	ok_time("5ms", 1, 5000);
	ok_time("5 ms", 1, 5000);
	ok_time(" 5ms ", 1, 5000);
	ok_time("1.5 s", 1, 1500000);
	ok_time("1.5s", 1, 1500000);
	ok_time("1 m 30 s", 1, 90000000);
	ok_time("1m30s", 1, 90000000);
	ok_time("1m 30s", 1, 90000000);
	ok_time("1 s 1 s", 1, 2000000);
	ok_time("2h", 1, 7200000000ULL);
	ok_time("1 h 1 m 1 s 1 ms 1 us", 1, 3661001001ULL);
	ok_time("1d", 1, 86400000000ULL);
	ok_time("100us", 1, 100);
	ok_time("1500ns", 1, 1);
	ok_time("999ns", 1, 0);
	ok_time("0.001 ms", 1, 1);
	ok_time("1,000 ms", 1, 1000000);
	ok_time("0", 1, 0);
	/* a bare number is in the option's unit */
	ok_time("100", 1, 100);
	ok_time("100", 1000, 100000);
	ok_time("1.5", 1000000, 1500000);
	ok_time("min", 1000, 0);
	ok_time("max", 1000, UINT64_MAX);
	ok_time(MAXU " us", 1, UINT64_MAX);
	ok_time(MAXU, 1, UINT64_MAX);
	ok_time("213503982 d", 1, 18446744044800000000ULL);
}

static void test_time_rejects(void **state)
{
	bad_time("5xs", 1, TIME_EXPECT);
	bad_time("", 1, TIME_EXPECT);
	bad_time("   ", 1, TIME_EXPECT);
	bad_time("ms", 1, TIME_EXPECT);
	bad_time("5 mins", 1, TIME_EXPECT);
	bad_time("5msec", 1, TIME_EXPECT);
	bad_time("1 m 30", 1, TIME_EXPECT);	/* bare number after a unit */
	bad_time("5ms7", 1, TIME_EXPECT);
	bad_time("5 m s", 1, TIME_EXPECT);
	bad_time("1.5.s", 1, TIME_EXPECT);
	bad_time(".5s", 1, TIME_EXPECT);
	bad_time("5.s", 1, TIME_EXPECT);
	bad_time("0x10ms", 1, TIME_EXPECT);
	bad_time("1e3ms", 1, TIME_EXPECT);
	bad_time("+5ms", 1, TIME_EXPECT);
	bad_time("5MS", 1, TIME_EXPECT);
	bad_time("1,,0ms", 1, TIME_EXPECT);
	bad_time("-5ms", 1, "must not be negative");
	bad_time("-1", 1000, "must not be negative");
	bad_time("18446744073709551616 us", 1,
		 "too large (at most " MAXU " us)");
	bad_time("213503983 d", 1, "too large (at most " MAXU " us)");
	bad_time("99999999999999999999999 s", 1,
		 "too large (at most " MAXU " us)");
	bad_time("2", UINT64_MAX, "too large (at most " MAXU " us)");
	bad_time(MAXU " us 1 us", 1, "too large (at most " MAXU " us)");
}

/* ---- the u64 parsers: sizes, ratios, plain numbers ---- */

typedef int (*num_parser)(const char *s, uint64_t *out, char *err,
			  size_t errlen);

static void ok_num(num_parser fn, const char *s, uint64_t expect)
{
	uint64_t v = 12345;

	if (fn(s, &v, err, sizeof(err)))
		fail_msg("'%s' rejected: %s", s, err);
	if (v != expect)
		fail_msg("'%s': got %llu, want %llu", s,
			 (unsigned long long)v, (unsigned long long)expect);
}

/* fn rejects s with "invalid <what> '<s>': <why>" and leaves *out alone. */
static void bad_num(num_parser fn, const char *what, const char *s,
		    const char *why)
{
	uint64_t v = 12345;

	snprintf(want, sizeof(want), "invalid %s '%s': %s", what, s, why);
	assert_int_equal(fn(s, &v, err, sizeof(err)), -EINVAL);
	assert_string_equal(err, want);
	assert_int_equal(v, 12345);
}

/* ---- sizes ---- */

static void ok_size(const char *s, uint64_t expect)
{
	ok_num(udamon_parse_size, s, expect);
}

static void bad_size(const char *s, const char *why)
{
	bad_num(udamon_parse_size, "size", s, why);
}

static void test_size_accepts(void **state)
{
	ok_size("4KB", 4096);
	ok_size("4 KiB", 4096);
	ok_size("4K", 4096);
	ok_size(" 4 KB ", 4096);
	ok_size("1.5MB", 1572864);
	ok_size("1.5 MiB", 1572864);
	ok_size("1,024", 1024);
	ok_size("1,048,576 B", 1048576);
	ok_size("512", 512);
	ok_size("0", 0);
	ok_size("1B", 1);
	ok_size("2G", 2147483648ULL);
	ok_size("2 GB", 2147483648ULL);
	ok_size("1T", 1099511627776ULL);
	ok_size("1TiB", 1099511627776ULL);
	ok_size("1 PB", 1ULL << 50);
	ok_size("1 EiB", 1ULL << 60);
	ok_size("15E", 15ULL << 60);
	ok_size("0.5K", 512);
	ok_size("0.1K", 102);		/* 102.4 truncated, as damo's int() */
	ok_size(MAXU, UINT64_MAX);
	ok_size("max", UINT64_MAX);
	ok_size("min", 0);
}

static void test_size_rejects(void **state)
{
	bad_size("4kb", SIZE_EXPECT);		/* units are case-sensitive */
	bad_size("4 KBs", SIZE_EXPECT);
	bad_size("KB", SIZE_EXPECT);
	bad_size("", SIZE_EXPECT);
	bad_size("4.KB", SIZE_EXPECT);
	bad_size("1,,024", SIZE_EXPECT);
	bad_size(",1", SIZE_EXPECT);
	bad_size("1,024,", SIZE_EXPECT);
	bad_size("0x1000", SIZE_EXPECT);
	bad_size("4 K B", SIZE_EXPECT);
	bad_size("abc", SIZE_EXPECT);
	bad_size("-4KB", "must not be negative");
	bad_size("-1", "must not be negative");
	bad_size("16EiB", "too large (at most " MAXU " bytes)");
	bad_size("18446744073709551616", "too large (at most " MAXU " bytes)");
	bad_size("99999999999999999999999 KB",
		 "too large (at most " MAXU " bytes)");
}

/* ---- ratios ---- */

static void bad_ratio(const char *s, const char *why)
{
	bad_num(udamon_parse_percent_bp, "ratio", s, why);
	bad_num(udamon_parse_bp, "ratio", s, why);
}

static void test_ratio(void **state)
{
	const char *expect = "expected a percentage, e.g. '10%' or '0.5%'";

	ok_num(udamon_parse_percent_bp, "10%", 1000);
	ok_num(udamon_parse_percent_bp, "0.5%", 50);
	ok_num(udamon_parse_percent_bp, "4 %", 400);
	ok_num(udamon_parse_percent_bp, "100%", 10000);
	ok_num(udamon_parse_percent_bp, "0.01%", 1);
	ok_num(udamon_parse_percent_bp, "0.001%", 0);
	ok_num(udamon_parse_percent_bp, "10", 1000);	/* bare: percent */
	ok_num(udamon_parse_percent_bp, "0%", 0);
	/* damo's text_to_bp: bare numbers are already basis points */
	ok_num(udamon_parse_bp, "400", 400);
	ok_num(udamon_parse_bp, "4%", 400);
	ok_num(udamon_parse_bp, "0.5", 0);

	bad_ratio("10%%", expect);
	bad_ratio("%", expect);
	bad_ratio("", expect);
	bad_ratio("abc", expect);
	bad_ratio("10 percent", expect);
	bad_ratio("%10", expect);
	bad_ratio("-1%", "must not be negative");
	bad_ratio("99999999999999999999%", "too large");
}

/* ---- u64 and bool ---- */

static void bad_u64(const char *s, const char *why)
{
	bad_num(udamon_parse_u64, "number", s, why);
}

static void test_u64(void **state)
{
	const char *expect = "expected an unsigned integer, e.g. '10' or "
			     "'1,024'";

	ok_num(udamon_parse_u64, "10", 10);
	ok_num(udamon_parse_u64, " 10 ", 10);
	ok_num(udamon_parse_u64, "0", 0);
	ok_num(udamon_parse_u64, "1,024", 1024);
	ok_num(udamon_parse_u64, "1,000,000", 1000000);
	ok_num(udamon_parse_u64, MAXU, UINT64_MAX);
	ok_num(udamon_parse_u64, "max", UINT64_MAX);
	ok_num(udamon_parse_u64, "min", 0);

	bad_u64("1.5", expect);
	bad_u64("0x10", expect);
	bad_u64("", expect);
	bad_u64("10 20", expect);
	bad_u64("10k", expect);
	bad_u64("ten", expect);
	bad_u64("1,,0", expect);
	bad_u64("-1", "must not be negative");
	bad_u64("18446744073709551616", "too large (at most " MAXU ")");
}

static void test_bool(void **state)
{
	static const char *const yes[] = { "y", "Y", "yes", "YES", "Yes",
					   "true", "TRUE", "True" };
	static const char *const no[] = { "n", "N", "no", "NO", "No",
					  "false", "FALSE", "fAlSe" };
	static const char *const bad[] = { "", "1", "0", "yess", " y", "y ",
					   "on", "off", "t", "f", "nope" };
	size_t i;
	bool v;

	for (i = 0; i < sizeof(yes) / sizeof(yes[0]); i++) {
		v = false;
		assert_int_equal(udamon_parse_bool(yes[i], &v, err,
						   sizeof(err)), 0);
		assert_true(v);
		v = true;
		assert_int_equal(udamon_parse_bool(no[i], &v, err,
						   sizeof(err)), 0);
		assert_false(v);
	}
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		snprintf(want, sizeof(want), "invalid boolean '%s': expected "
			 "one of y, yes, true, n, no, false (any case)",
			 bad[i]);
		assert_int_equal(udamon_parse_bool(bad[i], &v, err,
						   sizeof(err)), -EINVAL);
		assert_string_equal(err, want);
	}
}

/* ---- ranges ---- */

static void ok_range(const char *s, uint64_t start, uint64_t end)
{
	struct udamon_range r = { 1, 2 };

	if (udamon_parse_range(s, &r, err, sizeof(err)))
		fail_msg("'%s' rejected: %s", s, err);
	assert_int_equal(r.start, start);
	assert_int_equal(r.end, end);
}

static void bad_range(const char *s, const char *msg)
{
	struct udamon_range r = { 1, 2 };

	assert_int_equal(udamon_parse_range(s, &r, err, sizeof(err)), -EINVAL);
	assert_string_equal(err, msg);
	assert_int_equal(r.start, 1);
	assert_int_equal(r.end, 2);
}

static void test_range(void **state)
{
	ok_range("4096-8192", 4096, 8192);
	ok_range("0x1000-0x2000", 4096, 8192);
	ok_range("0X1000-0xfFfF", 4096, 65535);
	ok_range("4KB-8KB", 4096, 8192);
	ok_range("4096-0x2000", 4096, 8192);
	ok_range("0-1", 0, 1);
	ok_range("1,024-2,048", 1024, 2048);
	ok_range("0x7ffff7a00000-0x7ffff7c00000", 0x7ffff7a00000ULL,
		 0x7ffff7c00000ULL);
	ok_range("0-0xffffffffffffffff", 0, UINT64_MAX);

	bad_range("8192-4096", "invalid range '8192-4096': end 4096 must be "
		  "greater than start 8192");
	bad_range("4096-4096", "invalid range '4096-4096': end 4096 must be "
		  "greater than start 4096");
	bad_range("4096", "invalid range '4096': expected 'start-end', e.g. "
		  "'4096-8192' or '0x1000-0x2000'");
	bad_range("", "invalid range '': expected 'start-end', e.g. "
		  "'4096-8192' or '0x1000-0x2000'");
	bad_range("-4096", "invalid range '-4096': '' is not an address; "
		  "expected decimal, 0x hex or a size like '4KB'");
	bad_range("0x-10", "invalid range '0x-10': '0x' is not an address; "
		  "expected decimal, 0x hex or a size like '4KB'");
	bad_range("0xg-10", "invalid range '0xg-10': '0xg' is not an "
		  "address; expected decimal, 0x hex or a size like '4KB'");
	bad_range("10-abc", "invalid range '10-abc': 'abc' is not an "
		  "address; expected decimal, 0x hex or a size like '4KB'");
	bad_range("10--20", "invalid range '10--20': '-20' is not an "
		  "address; expected decimal, 0x hex or a size like '4KB'");
	bad_range("0x10000000000000000-0x1", "invalid range "
		  "'0x10000000000000000-0x1': '0x10000000000000000' is too "
		  "large (at most " MAXU ")");
	bad_range("1-16EiB", "invalid range '1-16EiB': '16EiB' is too large "
		  "(at most " MAXU ")");
}

/* ---- id lists ---- */

static void ok_list(const char *s, const int *expect, size_t n)
{
	int *ids = NULL;
	size_t nr = 99, i;

	if (udamon_parse_intlist(s, &ids, &nr, err, sizeof(err)))
		fail_msg("'%s' rejected: %s", s, err);
	assert_int_equal(nr, n);
	for (i = 0; i < n; i++)
		assert_int_equal(ids[i], expect[i]);
	free(ids);
}

static void bad_list(const char *s, const char *why)
{
	int *ids = NULL;
	size_t nr = 99;

	snprintf(want, sizeof(want), "invalid id list '%s': %s", s, why);
	assert_int_equal(udamon_parse_intlist(s, &ids, &nr, err, sizeof(err)),
			 -EINVAL);
	assert_string_equal(err, want);
	assert_null(ids);
	assert_int_equal(nr, 99);
}

static void test_intlist(void **state)
{
	const char *expect = "expected ids or ranges separated by ',', "
			     "e.g. '1,3-5'";

	ok_list("1,3-5", (int[]){ 1, 3, 4, 5 }, 4);
	ok_list("5,1,3,1", (int[]){ 1, 3, 5 }, 3);
	ok_list("3-5 4-6", (int[]){ 3, 4, 5, 6 }, 4);
	ok_list(" 42 ", (int[]){ 42 }, 1);
	ok_list("0", (int[]){ 0 }, 1);
	ok_list("7-7,,", (int[]){ 7 }, 1);
	ok_list("4194304", (int[]){ 4194304 }, 1);

	bad_list("", "expected at least one id, e.g. '1,3-5'");
	bad_list(" , ", "expected at least one id, e.g. '1,3-5'");
	bad_list("5-3", "range '5-3' is reversed");
	bad_list("1,9-2", "range '9-2' is reversed");
	bad_list("4194305", "'4194305' is too large (ids are at most 4194304)");
	bad_list("1-99999999999999999999",
		 "'1-99999999999999999999' is too large (ids are at most "
		 "4194304)");
	bad_list("1-", expect);
	bad_list("a", expect);
	bad_list("1.5", expect);
	bad_list("-1", expect);
	bad_list("1;2", expect);
	bad_list("1 - 3", expect);
}

/* ---- formatters ---- */

static void fmt_time(uint64_t us, const char *expect)
{
	char buf[64];

	assert_string_equal(udamon_fmt_time_us(us, buf, sizeof(buf)), expect);
}

static void test_fmt_time(void **state)
{
	char small[4];

	fmt_time(0, "0 ns");
	fmt_time(1, "1 us");
	fmt_time(999, "999 us");
	fmt_time(1500, "1.500 ms");
	fmt_time(5000, "5 ms");
	fmt_time(100000, "100 ms");
	fmt_time(1000000, "1 s");
	fmt_time(1500000, "1.500 s");
	fmt_time(1234567, "1.235 s");
	fmt_time(60000000, "1 m");
	fmt_time(90000000, "1 m 30 s");
	fmt_time(90500000, "1 m 30.500 s");
	fmt_time(3600000000ULL, "1 h");
	fmt_time(3690000000ULL, "1 h 1 m 30 s");
	fmt_time(3600000001ULL, "1 h 1 us");
	fmt_time(86400000000ULL, "24 h");
	fmt_time(UINT64_MAX, "max");
	/* truncated output stays a terminated string */
	assert_string_equal(udamon_fmt_time_us(100000, small, sizeof(small)),
			    "100");
	assert_string_equal(udamon_fmt_time_us(3690000000ULL, small,
					       sizeof(small)), "1 h");
}

static void fmt_size(uint64_t b, const char *expect)
{
	char buf[64];

	assert_string_equal(udamon_fmt_size(b, buf, sizeof(buf)), expect);
}

static void test_fmt_size(void **state)
{
	fmt_size(0, "0 B");
	fmt_size(512, "512 B");
	fmt_size(1024, "1024 B");	/* damo moves up only above the unit */
	fmt_size(1025, "1.001 KiB");
	fmt_size(4096, "4.000 KiB");
	fmt_size(1536, "1.500 KiB");
	fmt_size(1ULL << 30, "1024.000 MiB");
	fmt_size((1ULL << 30) + 1, "1.000 GiB");
	fmt_size(1610612736ULL, "1.500 GiB");
	fmt_size(5ULL << 40, "5.000 TiB");
	fmt_size(3ULL << 50, "3.000 PiB");
	fmt_size(1ULL << 62, "4.000 EiB");
	fmt_size(UINT64_MAX, "max");
}

static void test_fmt_addr(void **state)
{
	char buf[64], small[4];

	assert_string_equal(udamon_fmt_addr(0, buf, sizeof(buf)), "0");
	assert_string_equal(udamon_fmt_addr(999, buf, sizeof(buf)), "999");
	assert_string_equal(udamon_fmt_addr(1000, buf, sizeof(buf)), "1,000");
	assert_string_equal(udamon_fmt_addr(123456, buf, sizeof(buf)),
			    "123,456");
	assert_string_equal(udamon_fmt_addr(1234567, buf, sizeof(buf)),
			    "1,234,567");
	assert_string_equal(udamon_fmt_addr(140737488355328ULL, buf,
					    sizeof(buf)),
			    "140,737,488,355,328");
	assert_string_equal(udamon_fmt_addr(UINT64_MAX, buf, sizeof(buf)),
			    "18,446,744,073,709,551,615");
	assert_string_equal(udamon_fmt_addr(1000000, small, sizeof(small)),
			    "1,0");
}

/* What the formatters print, the parsers read back. */
static void test_roundtrip(void **state)
{
	static const uint64_t us[] = { 1, 5000, 100000, 1000000, 90000000,
				       3690000000ULL, 3600000001ULL };
	char buf[64];
	uint64_t v;
	size_t i;

	for (i = 0; i < sizeof(us) / sizeof(us[0]); i++) {
		udamon_fmt_time_us(us[i], buf, sizeof(buf));
		assert_int_equal(udamon_parse_time_us(buf, 1, &v, err,
						      sizeof(err)), 0);
		assert_int_equal(v, us[i]);
	}
	udamon_fmt_size(4096, buf, sizeof(buf));
	assert_int_equal(udamon_parse_size(buf, &v, err, sizeof(err)), 0);
	assert_int_equal(v, 4096);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_time_accepts),
		cmocka_unit_test(test_time_rejects),
		cmocka_unit_test(test_size_accepts),
		cmocka_unit_test(test_size_rejects),
		cmocka_unit_test(test_ratio),
		cmocka_unit_test(test_u64),
		cmocka_unit_test(test_bool),
		cmocka_unit_test(test_range),
		cmocka_unit_test(test_intlist),
		cmocka_unit_test(test_fmt_time),
		cmocka_unit_test(test_fmt_size),
		cmocka_unit_test(test_fmt_addr),
		cmocka_unit_test(test_roundtrip),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
