// SPDX-License-Identifier: MIT
/* Text reports on hand-built records, checked line by line. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "udamon/report.h"

#define KiB	1024ULL
#define MiB	(1024ULL * KiB)

/* ---- helpers ----------------------------------------------------------- */

struct capture {
	FILE *f;
	char *buf;
	size_t len;
};

static void cap_open(struct capture *c)
{
	c->buf = NULL;
	c->len = 0;
	c->f = open_memstream(&c->buf, &c->len);
	assert_non_null(c->f);
}

/* Close c; its text must be want (not checked where want is NULL). */
static void cap_expect(struct capture *c, const char *want)
{
	fclose(c->f);
	if (want)
		assert_string_equal(c->buf, want);
	free(c->buf);
}

static void rec_init(struct udamon_record *rec, int target_id)
{
	memset(rec, 0, sizeof(*rec));
	rec->target_id = target_id;
	rec->sample_us = 5000;
	rec->aggr_us = 100000;
	rec->ops_update_us = 1000000;
}

/* Append a 100 ms snapshot starting at start_ns. */
static void add_snap(struct udamon_record *rec, uint64_t start_ns,
		     struct udamon_snapshot_region *regs, size_t nr)
{
	struct udamon_snapshot s = {
		.start_time_ns = start_ns,
		.end_time_ns = start_ns + 100000000,
		.sample_us = 5000,
		.aggr_us = 100000,
		.nr_regions = nr,
		.regions = regs,
	};
	size_t i;

	for (i = 0; i < nr; i++)
		s.total_bytes += regs[i].end - regs[i].start;
	assert_int_equal(udamon_record_add_snapshot(rec, &s), 0);
}

/* ---- report access ----------------------------------------------------- */

static uint32_t cpus_a[2] = { 3, 1 };
static uint32_t cpus_zero[2] = { 0, 0 };

static void access_record(struct udamon_record *rec, unsigned int nr_cpus)
{
	struct udamon_snapshot_region s0[2] = {
		{ 4 * KiB, 16 * KiB, 10, 3, NULL },
		{ 16 * KiB, 28 * KiB, 0, 12, NULL },
	};
	struct udamon_snapshot_region s1[2] = {
		{ 4 * KiB, 16 * KiB, 20, 0, cpus_a },
		{ 16 * KiB, 28 * KiB, 1, 13, cpus_zero },
	};

	rec_init(rec, 0);
	rec->nr_cpus = nr_cpus;
	add_snap(rec, 1000000000, s0, 2);
	add_snap(rec, 1100000000, s1, 2);
}

/* The access report of recs must return want_ret and print want. */
static void expect_access(const struct udamon_record *recs, size_t nr,
			  const struct udamon_access_opts *o, int want_ret,
			  const char *want)
{
	struct capture c;

	cap_open(&c);
	assert_int_equal(udamon_report_access(c.f, recs, nr, o), want_ret);
	cap_expect(&c, want);
}

#define SNAP1_LINES \
	"monitored time: [100 ms, 200 ms] (100 ms)\n" \
	"0   addr [4.000 KiB   , 16.000 KiB ) (12.000 KiB ) access 100 % age 0 ns\n" \
	"1   addr [16.000 KiB  , 28.000 KiB ) (12.000 KiB ) access 5 %   age 1.300 s\n" \
	"total size: 24.000 KiB\n"
#define SNAP0_LINES \
	"monitored time: [0 ns, 100 ms] (100 ms)\n" \
	"0   addr [4.000 KiB   , 16.000 KiB ) (12.000 KiB ) access 50 %  age 300 ms\n" \
	"1   addr [16.000 KiB  , 28.000 KiB ) (12.000 KiB ) access 0 %   age 1.200 s\n" \
	"total size: 24.000 KiB\n"

/* damo 3.3's text for this record (checked with damo itself) */
#define DETAILED_LINES \
	"snapshot time: [0 ns, 100 ms] (100 ms)\n" \
	"heatmap: 99999999999999888888888888888888888888880000000000000000000000000000000000000000\n" \
	"# min/max temperatures: -119,999,999, 30,005,000, column size: 307 B\n" \
	"intervals: sample 5 ms aggr 100 ms (max access hz 200)\n" \
	"0   addr 4.000 KiB    size 12.000 KiB  access 100 hz age 300 ms       \n" \
	"1   addr 16.000 KiB   size 12.000 KiB  access 0 hz   age 1.200 s      \n" \
	"memory bw estimate: 1.172 MiB per second\n" \
	"total size: 24.000 KiB\n" \
	"\n" \
	"snapshot time: [100 ms, 200 ms] (100 ms)\n" \
	"heatmap: 00000000000000000000000000000000000000009999999999999999999999999999999999999998\n" \
	"# min/max temperatures: 10,000, 130,000,499, column size: 307 B\n" \
	"intervals: sample 5 ms aggr 100 ms (max access hz 200)\n" \
	"0   addr 4.000 KiB    size 12.000 KiB  access 200 hz age 0 ns         \n" \
	"1   addr 16.000 KiB   size 12.000 KiB  access 10 hz  age 1.300 s      \n" \
	"memory bw estimate: 2.461 MiB per second\n" \
	"total size: 24.000 KiB\n" \
	"record DAMON intervals: sample 5 ms, aggr 100 ms\n"

static void test_access_last_snapshot(void **state)
{
	struct udamon_access_opts o = { .compact = true, .snapshot_idx = -1 };
	struct udamon_record rec;

	(void)state;
	access_record(&rec, 0);
	expect_access(&rec, 1, &o, 0, SNAP1_LINES);
	/* NULL options: damo's detailed layout of every snapshot */
	expect_access(&rec, 1, NULL, 0, DETAILED_LINES);
	udamon_record_free(&rec);
}

static void test_access_snapshot_idx(void **state)
{
	struct udamon_access_opts o = { .compact = true, .snapshot_idx = 0 };
	struct udamon_record rec;

	(void)state;
	access_record(&rec, 0);
	expect_access(&rec, 1, &o, 0, SNAP0_LINES);
	o.snapshot_idx = -2;		/* from the end */
	expect_access(&rec, 1, &o, 0, SNAP0_LINES);
	o.snapshot_idx = 2;		/* past the end: nothing printed */
	expect_access(&rec, 1, &o, -ERANGE, "");
	o.snapshot_idx = -3;
	expect_access(&rec, 1, &o, -ERANGE, "");
	o.all_snapshots = true;		/* index ignored */
	expect_access(&rec, 1, &o, 0, SNAP0_LINES "\n" SNAP1_LINES);
	udamon_record_free(&rec);
}

static void test_access_show_cpus(void **state)
{
	struct udamon_access_opts o = { .compact = true, .snapshot_idx = -1,
					.show_cpus = true };
	struct udamon_record rec;

	(void)state;
	access_record(&rec, 2);
	/* 3 and 1 samples: 75 % and 25 %; no counted sample: "-" */
	expect_access(&rec, 1, &o, 0,
		"monitored time: [100 ms, 200 ms] (100 ms)\n"
		"0   addr [4.000 KiB   , 16.000 KiB ) (12.000 KiB ) access 100 % age 0 ns cpus 0:75% 1:25%\n"
		"1   addr [16.000 KiB  , 28.000 KiB ) (12.000 KiB ) access 5 %   age 1.300 s cpus -\n"
		"total size: 24.000 KiB\n");
	udamon_record_free(&rec);

	/* a record without per-CPU samples says so */
	access_record(&rec, 0);
	expect_access(&rec, 1, &o, 0, SNAP1_LINES
		      "# cpus: this record has no per-CPU samples\n");
	udamon_record_free(&rec);
}

static void test_access_many_records(void **state)
{
	struct udamon_snapshot_region r[1] = { { 0, 1 * MiB, 2, 1, NULL } };
	struct udamon_access_opts o = { .compact = true, .snapshot_idx = -1 };
	struct udamon_record recs[3];

	(void)state;
	access_record(&recs[0], 0);
	rec_init(&recs[1], 5);
	add_snap(&recs[1], 3000000000ULL, r, 1);
	rec_init(&recs[2], 6);		/* no snapshot at all */
	expect_access(recs, 3, &o, 0,
		"kdamond 0 / context 0 / scheme None / target id 0 / recorded for 200 ms from 1 s\n"
		SNAP1_LINES
		"kdamond 0 / context 0 / scheme None / target id 5 / recorded for 100 ms from 3 s\n"
		"monitored time: [0 ns, 100 ms] (100 ms)\n"
		"0   addr [0 B         , 1024.000 KiB) (1024.000 KiB) access 10 %  age 100 ms\n"
		"total size: 1024.000 KiB\n"
		"target id 6: no snapshot\n");
	udamon_record_free(&recs[0]);
	udamon_record_free(&recs[1]);
}

/* ---- report heatmap ---------------------------------------------------- */

/*
 * Four 100 ms snapshots over [1 MiB, 5 MiB). From the third on,
 * [2 MiB, 2.5 MiB) is accessed at 10 of 20 samples (100 hz) and
 * [2.5 MiB, 3 MiB) at every sample (200 hz).
 */
static void heat_record(struct udamon_record *rec)
{
	int k;

	rec_init(rec, 0);
	for (k = 0; k < 4; k++) {
		unsigned int hot = k >= 2;
		struct udamon_snapshot_region r[4] = {
			{ 1 * MiB, 2 * MiB, 0, 0, NULL },
			{ 2 * MiB, 2 * MiB + 512 * KiB, 10 * hot, 0, NULL },
			{ 2 * MiB + 512 * KiB, 3 * MiB, 20 * hot, 0, NULL },
			{ 3 * MiB, 5 * MiB, 0, 0, NULL },
		};

		add_snap(rec, 1000000000ULL + k * 100000000ULL, r, 4);
	}
}

/* Target 1: a hot [1, 2) MiB and a cold [10, 11) MiB, a hole between. */
static void gap_record(struct udamon_record *rec)
{
	struct udamon_snapshot_region r[2] = {
		{ 1 * MiB, 2 * MiB, 20, 0, NULL },
		{ 10 * MiB, 11 * MiB, 0, 0, NULL },
	};

	rec_init(rec, 1);
	add_snap(rec, 1000000000ULL, r, 2);
	add_snap(rec, 1100000000ULL, r, 2);
}

/* The heatmap report of recs must return want_ret and print want. */
static void expect_heatmap(const struct udamon_record *recs, size_t nr,
			   const struct udamon_heatmap_opts *o, int want_ret,
			   const char *want)
{
	struct capture c;

	cap_open(&c);
	assert_int_equal(udamon_report_heatmap(c.f, recs, nr, o), want_ret);
	cap_expect(&c, want);
}

static void test_heatmap_hot_columns(void **state)
{
	struct udamon_heatmap_opts o = { .time_resol = 4, .addr_resol = 8 };
	struct udamon_record recs[2];

	(void)state;
	heat_record(&recs[0]);
	gap_record(&recs[1]);
	/*
	 * Columns of 512 KiB from 1 MiB: the 100 hz and 200 hz ones are 2
	 * and 3. Levels: (heat - lowest) / ((highest + 1 - lowest) / 9), as
	 * damo: 200 hz -> 8, 100 hz -> 4. The widest target (0) is drawn.
	 */
	expect_heatmap(recs, 2, &o, 0,
		"00000000\n"
		"00000000\n"
		"00480000\n"
		"00480000\n"
		"# access_frequency: 0123456789 (0.000-200.000 hz)\n"
		"# x-axis: space [1024.000000 KiB, 5.000000 MiB) (4.000 MiB)\n"
		"# y-axis: time [1 s, 1.400 s) (400 ms)\n"
		"# resolution: 8x4 (512.000 KiB and 100 ms for each character)\n");
	udamon_record_free(&recs[0]);
	udamon_record_free(&recs[1]);
}

static void test_heatmap_target_and_range(void **state)
{
	struct udamon_heatmap_opts o = { .time_resol = 2, .addr_resol = 8,
					 .has_target_id = true,
					 .target_id = 1 };
	struct udamon_record recs[2];

	(void)state;
	heat_record(&recs[0]);
	gap_record(&recs[1]);
	/*
	 * The hottest contiguous range of target 1 is [1, 2) MiB; all of it
	 * at the same 200 hz, which is the lowest level of the map (as damo).
	 */
	expect_heatmap(recs, 2, &o, 0,
		"00000000\n"
		"00000000\n"
		"# access_frequency: 0123456789 (200.000-200.000 hz)\n"
		"# x-axis: space [1024.000000 KiB, 2.000000 MiB) (1024.000 KiB)\n"
		"# y-axis: time [1 s, 1.200 s) (200 ms)\n"
		"# resolution: 8x2 (128.000 KiB and 100 ms for each character)\n");

	/* a given range: the cold one; the hole before it stays blank */
	o.has_addr_range = true;
	o.addr_range.start = 9 * MiB;
	o.addr_range.end = 11 * MiB;
	o.addr_resol = 4;
	expect_heatmap(recs, 2, &o, 0,
		"  00\n"
		"  00\n"
		"# access_frequency: 0123456789 (0.000-0.000 hz)\n"
		"# x-axis: space [9.000000 MiB, 11.000000 MiB) (2.000 MiB)\n"
		"# y-axis: time [1 s, 1.200 s) (200 ms)\n"
		"# resolution: 4x2 (512.000 KiB and 100 ms for each character)\n");

	o.target_id = 9;
	expect_heatmap(recs, 2, &o, -ENOENT, "");
	udamon_record_free(&recs[0]);
	udamon_record_free(&recs[1]);
}

static void test_heatmap_no_snapshot(void **state)
{
	struct udamon_record rec;

	(void)state;
	rec_init(&rec, 0);
	expect_heatmap(&rec, 1, NULL, -ENODATA, "");
}

/* A region's age stretches it back over time not covered before. */
static void test_heatmap_age_backfill(void **state)
{
	struct udamon_heatmap_opts o = { .time_resol = 3, .addr_resol = 2 };
	struct udamon_snapshot_region r[2] = {
		{ 0, 4 * KiB, 20, 2, NULL },
		{ 4 * KiB, 8 * KiB, 0, 0, NULL },
	};
	struct udamon_record rec;

	(void)state;
	rec_init(&rec, 0);
	add_snap(&rec, 1000000000ULL, r, 2);
	/*
	 * The map starts 2 x 100 ms before the snapshot: the first region,
	 * aged 2, fills all 3 rows; the second only the snapshot's own row,
	 * but the first one's end touches the second column in every row,
	 * which damo counts as a cell with no heat (damo prints the same).
	 */
	expect_heatmap(&rec, 1, &o, 0,
		"80\n80\n80\n"
		"# access_frequency: 0123456789 (0.000-200.000 hz)\n"
		"# x-axis: space [0 B, 8.000000 KiB) (8.000 KiB)\n"
		"# y-axis: time [800 ms, 1.100 s) (300 ms)\n"
		"# resolution: 2x3 (4.000 KiB and 100 ms for each character)\n");
	udamon_record_free(&rec);
}

/* ---- report wss -------------------------------------------------------- */

/* Five snapshots whose accessed bytes are 3, 1, 5, 2, 4 x 4 KiB. */
static void wss_record(struct udamon_record *rec, int target_id)
{
	static const unsigned int k[5] = { 3, 1, 5, 2, 4 };
	int i;

	rec_init(rec, target_id);
	for (i = 0; i < 5; i++) {
		struct udamon_snapshot_region r[2] = {
			{ 0, k[i] * 4 * KiB, 5, 0, NULL },	/* 25 % */
			{ k[i] * 4 * KiB, 400 * KiB, 0, 0, NULL },
		};

		add_snap(rec, 1000000000ULL + i * 100000000ULL, r, 2);
	}
}

/* The wss report of recs must return want_ret and print want. */
static void expect_wss(const struct udamon_record *recs, size_t nr,
		       const struct udamon_wss_opts *o, int want_ret,
		       const char *want)
{
	struct capture c;

	cap_open(&c);
	assert_int_equal(udamon_report_wss(c.f, recs, nr, o), want_ret);
	cap_expect(&c, want);
}

#define STARS(n)	(&"***********************************************************"[59 - (n)])
static char *bar_line(char *buf, unsigned int pct, const char *size,
		      int stars)
{
	sprintf(buf, "%3u %15s |%s%*s|\n", pct, size, STARS(stars), 59 - stars,
		"");
	return buf;
}

/* The sizes and bar lengths at the default percentiles 0, 25, 50, 75, 100. */
struct bars {
	const char *size[5];
	int stars[5];
};

static void default_bars(char *want, const struct bars *b)
{
	static const unsigned int pcts[5] = { 0, 25, 50, 75, 100 };
	char line[128];
	int i;

	for (i = 0; i < 5; i++)
		strcat(want, bar_line(line, pcts[i], b->size[i], b->stars[i]));
}

static void test_wss_percentiles(void **state)
{
	struct udamon_wss_opts o = { .acc_thres = 1, .sz_thres = 1,
				     .nr_cols_bar = 59 };
	struct udamon_record rec;
	char want[1024];

	(void)state;
	wss_record(&rec, 0);
	/*
	 * Sorted sizes 4, 8, 12, 16, 20 KiB; percentile p takes index
	 * p * 5 / 100 (the last for 100); bars of 59 columns scaled to the
	 * largest: 4/20 * 59 = 11.8 -> 11, 23.6 -> 23, 35.4 -> 35, ...
	 */
	strcpy(want, "# target_id\t0\n# <percentile> <wss>\n# avr:\t12.000 KiB\n");
	default_bars(want, &(const struct bars){
		{ "4.000 KiB", "8.000 KiB", "12.000 KiB", "16.000 KiB",
		  "20.000 KiB" },
		{ 11, 23, 35, 47, 59 } });
	expect_wss(&rec, 1, &o, 0, want);
	/* NULL options mean damo's defaults: the same */
	expect_wss(&rec, 1, NULL, 0, want);
	udamon_record_free(&rec);
}

static void test_wss_options(void **state)
{
	static const unsigned int pcts[2] = { 50, 90 };
	struct udamon_wss_opts o = { .acc_thres = 1, .sz_thres = 1,
				     .nr_cols_bar = 59,
				     .percentiles = pcts, .nr_percentiles = 2 };
	struct udamon_record rec;
	char want[1024], line[128];

	(void)state;
	wss_record(&rec, 0);
	/* 50 -> index 2 (12 KiB), 90 -> index 4 (20 KiB) */
	strcpy(want, "# target_id\t0\n# <percentile> <wss>\n# avr:\t12.000 KiB\n");
	strcat(want, bar_line(line, 50, "12.000 KiB", 35));
	strcat(want, bar_line(line, 90, "20.000 KiB", 59));
	expect_wss(&rec, 1, &o, 0, want);

	/* skip 3 snapshots: 2 and 4 x 4 KiB are left -> 8 and 16 KiB */
	o.percentiles = NULL;
	o.exclude_snapshots = 3;
	strcpy(want, "# target_id\t0\n# <percentile> <wss>\n# avr:\t12.000 KiB\n");
	default_bars(want, &(const struct bars){
		{ "8.000 KiB", "8.000 KiB", "16.000 KiB", "16.000 KiB",
		  "16.000 KiB" },
		{ 29, 29, 59, 59, 59 } });
	expect_wss(&rec, 1, &o, 0, want);

	o.exclude_snapshots = 5;
	expect_wss(&rec, 1, &o, 0,
		"# target_id\t0\n# <percentile> <wss>\n# no snapshot\n");

	/* the hot regions run at 25 %: a 26 % floor leaves nothing */
	o.exclude_snapshots = 0;
	o.min_pct = 26;
	strcpy(want, "# target_id\t0\n# <percentile> <wss>\n# avr:\t0 B\n");
	default_bars(want, &(const struct bars){
		{ "0 B", "0 B", "0 B", "0 B", "0 B" },
		{ 0, 0, 0, 0, 0 } });
	expect_wss(&rec, 1, &o, 0, want);

	/* no access threshold at all: every byte counts, 400 KiB each */
	o.min_pct = 0;
	o.acc_thres = 0;
	o.percentiles = pcts;
	o.nr_percentiles = 1;
	strcpy(want, "# target_id\t0\n# <percentile> <wss>\n# avr:\t400.000 KiB\n");
	strcat(want, bar_line(line, 50, "400.000 KiB", 59));
	expect_wss(&rec, 1, &o, 0, want);

	/* a percentile above 100 is refused */
	o.percentiles = (const unsigned int[]){ 101 };
	expect_wss(&rec, 1, &o, -EINVAL, NULL);
	udamon_record_free(&rec);
}

static void test_wss_targets(void **state)
{
	struct udamon_wss_opts o = { .acc_thres = 1, .sz_thres = 1,
				     .nr_cols_bar = 59 };
	struct udamon_record recs[2];
	char want[4096], block[1024];

	(void)state;
	wss_record(&recs[0], 0);
	wss_record(&recs[1], 4);
	/* summed (damo's default): every size doubles */
	strcpy(want, "# target_id\t0\n# <percentile> <wss>\n# avr:\t24.000 KiB\n");
	default_bars(want, &(const struct bars){
		{ "8.000 KiB", "16.000 KiB", "24.000 KiB", "32.000 KiB",
		  "40.000 KiB" },
		{ 11, 23, 35, 47, 59 } });
	expect_wss(recs, 2, &o, 0, want);

	o.per_target = true;
	strcpy(block, "# <percentile> <wss>\n# avr:\t12.000 KiB\n");
	default_bars(block, &(const struct bars){
		{ "4.000 KiB", "8.000 KiB", "12.000 KiB", "16.000 KiB",
		  "20.000 KiB" },
		{ 11, 23, 35, 47, 59 } });
	snprintf(want, sizeof(want), "# target_id\t0\n%s# target_id\t4\n%s",
		 block, block);
	expect_wss(recs, 2, &o, 0, want);
	udamon_record_free(&recs[0]);
	udamon_record_free(&recs[1]);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_access_last_snapshot),
		cmocka_unit_test(test_access_snapshot_idx),
		cmocka_unit_test(test_access_show_cpus),
		cmocka_unit_test(test_access_many_records),
		cmocka_unit_test(test_heatmap_hot_columns),
		cmocka_unit_test(test_heatmap_target_and_range),
		cmocka_unit_test(test_heatmap_no_snapshot),
		cmocka_unit_test(test_heatmap_age_backfill),
		cmocka_unit_test(test_wss_percentiles),
		cmocka_unit_test(test_wss_options),
		cmocka_unit_test(test_wss_targets),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
