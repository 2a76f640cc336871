// SPDX-License-Identifier: MIT
/*
 * damo's number texts (report/report_fmt.c), checked against what damo
 * 3.3's Python prints for the same values, and report metrics on a
 * hand-built record.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "report/report_fmt.h"
#include "udamon/report.h"

#define BUF	64

static void test_nr_hz(void **state)
{
	char b[BUF];

	(void)state;
	assert_string_equal(rfmt_nr(0, false, b, BUF), "0");
	assert_string_equal(rfmt_nr(1234567, false, b, BUF), "1,234,567");
	assert_string_equal(rfmt_nr(-1679110.9, false, b, BUF), "-1,679,110");
	assert_string_equal(rfmt_nr(-1679110.9, true, b, BUF), "-1679110");
	assert_string_equal(rfmt_nr(999, false, b, BUF), "999");
	/* damo: the sign of the number, the digits of its truncation */
	assert_string_equal(rfmt_nr(-0.4, false, b, BUF), "-0");
	assert_string_equal(rfmt_nr(-0.4, true, b, BUF), "-0");
	assert_string_equal(rfmt_nr(0.9, true, b, BUF), "0");
	assert_string_equal(rfmt_hz(5, false, true, b, BUF), "5.000 hz");
	assert_string_equal(rfmt_hz(35.9, false, true, b, BUF), "35 hz");
	assert_string_equal(rfmt_hz(0, false, true, b, BUF), "0 hz");
	assert_string_equal(rfmt_hz(200, false, false, b, BUF), "200");
	assert_string_equal(rfmt_hz(2.5, true, true, b, BUF), "2.500000");
}

static void test_times(void **state)
{
	char b[BUF];

	(void)state;
	/* damo's format_time_ns_exact */
	assert_string_equal(rfmt_time_exact(1190892290626ULL, false, b, BUF),
			    "19 m 50 s 892 ms 290 us 626 ns");
	assert_string_equal(rfmt_time_exact(5000000, false, b, BUF), "5 ms");
	assert_string_equal(rfmt_time_exact(0, false, b, BUF), "0 ns");
	assert_string_equal(rfmt_time_exact(3600000000000ULL * 25, false, b,
					    BUF), "1 d 1 h");
	assert_string_equal(rfmt_time_exact(5000, true, b, BUF), "5000");
	/* damo's format_time_ns / format_time_us */
	assert_string_equal(rfmt_time(220018000, false, b, BUF), "220.018 ms");
	assert_string_equal(rfmt_time_us(200000, false, b, BUF), "200 ms");
	assert_string_equal(rfmt_time_us(200000, true, b, BUF), "200000");
}

static void test_sizes_ratios(void **state)
{
	char b[BUF];

	(void)state;
	assert_string_equal(rfmt_sz(1024, false, b, BUF), "1024 B");
	assert_string_equal(rfmt_sz(1025, false, b, BUF), "1.001 KiB");
	assert_string_equal(rfmt_sz(243916.8, false, b, BUF), "238.200 KiB");
	assert_string_equal(rfmt_sz(49152.9, true, b, BUF), "49152");
	assert_string_equal(rfmt_bp(0, false, b, BUF), "0 %");
	assert_string_equal(rfmt_bp(400, false, b, BUF), "4 %");
	assert_string_equal(rfmt_bp(50, false, b, BUF), "0.5 %");
	assert_string_equal(rfmt_bp(0, true, b, BUF), "0.000000");
}

static void test_pyfloat(void **state)
{
	char b[BUF];

	(void)state;
	/* Python's repr(float) */
	assert_string_equal(rfmt_pyfloat(0, b, BUF), "0.0");
	assert_string_equal(rfmt_pyfloat(120, b, BUF), "120.0");
	assert_string_equal(rfmt_pyfloat(29.999973177908252, b, BUF),
			    "29.999973177908252");
	assert_string_equal(rfmt_pyfloat(0.1, b, BUF), "0.1");
	assert_string_equal(rfmt_pyfloat(1e-05, b, BUF), "1e-05");
	assert_string_equal(rfmt_pyfloat(1.5e16, b, BUF), "1.5e+16");
	assert_string_equal(rfmt_pyfloat(123456789012345.6, b, BUF),
			    "123456789012345.6");
}

static void test_metrics_record(void **state)
{
	uint32_t cpus[4] = { 0, 15, 0, 5 };
	struct udamon_snapshot_region regs[2] = {
		{ 4096, 16384, 20, 0, cpus },
		{ 16384, 28672, 0, 3, NULL },
	};
	struct udamon_snapshot snap = {
		.start_time_ns = 1000000000, .end_time_ns = 1100000000,
		.total_bytes = 24576, .nr_regions = 2, .regions = regs,
	};
	struct udamon_record rec = {
		.target_id = 0, .pid = 42, .sample_us = 5000,
		.aggr_us = 100000, .ops_update_us = 1000000, .nr_cpus = 4,
		.lost_events = 3,
	};
	struct udamon_metrics_src src = { .index = 2, .has_status = true,
					  .samples = 100, .cpu_s = 1.5,
					  .lost_events = 3, .recs = &rec,
					  .nr_recs = 1 };
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	(void)state;
	assert_int_equal(udamon_record_add_snapshot(&rec, &snap), 0);
	assert_int_equal(udamon_report_metrics(f, &src, 1), 0);
	fclose(f);
	assert_non_null(strstr(buf, "\nudamon_monitors 1\n"));
	assert_non_null(strstr(buf,
		"\nudamon_working_set_bytes{monitor=\"2\",target=\"42\"} 12288\n"));
	assert_non_null(strstr(buf,
		"\nudamon_access_rate_bytes{monitor=\"2\",target=\"42\",rate=\"75-100\"} 12288\n"));
	assert_non_null(strstr(buf,
		"\nudamon_access_rate_bytes{monitor=\"2\",target=\"42\",rate=\"0\"} 12288\n"));
	assert_non_null(strstr(buf,
		"\nudamon_cpu_write_share{monitor=\"2\",target=\"42\",cpu=\"1\"} 0.750000\n"));
	assert_null(strstr(buf, "cpu=\"0\""));
	assert_non_null(strstr(buf,
		"\nudamon_lost_events_total{monitor=\"2\"} 3\n"));
	assert_non_null(strstr(buf,
		"\nudamon_cpu_seconds_total{monitor=\"2\"} 1.5\n"));
	assert_non_null(strstr(buf,
		"\nudamon_aggregation_interval_seconds{monitor=\"2\"} 0.1\n"));
	assert_non_null(strstr(buf,
		"# TYPE udamon_lost_events_total counter\n"));
	free(buf);
	udamon_record_free(&rec);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_nr_hz),
		cmocka_unit_test(test_times),
		cmocka_unit_test(test_sizes_ratios),
		cmocka_unit_test(test_pyfloat),
		cmocka_unit_test(test_metrics_record),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
