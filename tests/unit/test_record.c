// SPDX-License-Identifier: MIT
/* Record files: round trips, the JSON layout key by key, errors. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <errno.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zlib.h>

#include <json-c/json.h>

#include "udamon/record.h"

static char dir[64];
static char path[128];

static int setup(void **state)
{
	(void)state;
	strcpy(dir, "/tmp/udamon-test-record.XXXXXX");
	if (!mkdtemp(dir))
		return -1;
	snprintf(path, sizeof(path), "%s/damon.data", dir);
	return 0;
}

static int teardown(void **state)
{
	char cmd[128];

	(void)state;
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	return system(cmd);
}

static uint32_t cpus0[2] = { 3, 1 };
static uint32_t cpus1[2] = { 0, 7 };

/*
 * Two snapshots: the first at the record's intervals (5 ms / 100 ms), the
 * second auto-tuned to 10 ms / 200 ms.
 */
static void build(struct udamon_record *rec, bool goal)
{
	struct udamon_snapshot_region r0[2] = {
		{ 4096, 16384, 4, 3, cpus0 },
		{ 16384, 65536, 0, 0, NULL },
	};
	struct udamon_snapshot_region r1[1] = {
		{ 4096, 65536, 10, 2, cpus1 },
	};
	struct udamon_snapshot s0 = { 1000000000, 1100000000, 61440, 5000,
				      100000, 2, r0 };
	struct udamon_snapshot s1 = { 1100000000, 1300000000, 61440, 10000,
				      200000, 1, r1 };

	memset(rec, 0, sizeof(*rec));
	rec->kdamond_idx = 0;
	rec->context_idx = 0;
	rec->target_id = 7;
	rec->sample_us = 5000;
	rec->aggr_us = 100000;
	rec->ops_update_us = 1000000;
	rec->has_goal = goal;
	rec->goal = (struct udamon_intervals_goal){ 400, 3, 5000, 10000000 };
	rec->pid = 4242;
	rec->nr_cpus = 2;
	rec->lost_events = 12;
	rec->stats = (struct udamon_stats){ .aggr_overruns = 3,
		.sample_overruns = 40, .max_aggr_ns = 250000000,
		.unchecked = 77, .thp_splits = 9, .thp_collapses = 8,
		.thp_collapse_failures = 1 };
	rec->filters_desc = strdup("allow write, \"quoted\"\n");
	rec->fault_source = goal ? strdup("bpf") : NULL;
	assert_int_equal(udamon_record_add_snapshot(rec, &s0), 0);
	assert_int_equal(udamon_record_add_snapshot(rec, &s1), 0);
}

static void assert_same(const struct udamon_record *a,
			const struct udamon_record *b)
{
	size_t s, i;

	assert_int_equal(a->kdamond_idx, b->kdamond_idx);
	assert_int_equal(a->context_idx, b->context_idx);
	assert_int_equal(a->target_id, b->target_id);
	assert_int_equal(a->sample_us, b->sample_us);
	assert_int_equal(a->aggr_us, b->aggr_us);
	assert_int_equal(a->ops_update_us, b->ops_update_us);
	assert_int_equal(a->has_goal, b->has_goal);
	if (a->has_goal)
		assert_memory_equal(&a->goal, &b->goal, sizeof(a->goal));
	assert_int_equal(a->pid, b->pid);
	assert_int_equal(a->nr_cpus, b->nr_cpus);
	assert_int_equal(a->lost_events, b->lost_events);
	assert_int_equal(a->stats.aggr_overruns, b->stats.aggr_overruns);
	assert_int_equal(a->stats.sample_overruns, b->stats.sample_overruns);
	assert_int_equal(a->stats.unchecked, b->stats.unchecked);
	assert_int_equal(a->stats.thp_splits, b->stats.thp_splits);
	assert_int_equal(a->stats.thp_collapses, b->stats.thp_collapses);
	assert_int_equal(a->stats.thp_collapse_failures,
			 b->stats.thp_collapse_failures);
	assert_string_equal(a->filters_desc, b->filters_desc);
	if (a->fault_source)
		assert_string_equal(a->fault_source, b->fault_source);
	else
		assert_null(b->fault_source);
	assert_int_equal(a->nr_snapshots, b->nr_snapshots);
	for (s = 0; s < a->nr_snapshots; s++) {
		const struct udamon_snapshot *x = &a->snapshots[s];
		const struct udamon_snapshot *y = &b->snapshots[s];

		assert_int_equal(x->start_time_ns, y->start_time_ns);
		assert_int_equal(x->end_time_ns, y->end_time_ns);
		assert_int_equal(x->total_bytes, y->total_bytes);
		assert_int_equal(x->sample_us, y->sample_us);
		assert_int_equal(x->aggr_us, y->aggr_us);
		assert_int_equal(x->nr_regions, y->nr_regions);
		for (i = 0; i < x->nr_regions; i++) {
			const struct udamon_snapshot_region *p = &x->regions[i];
			const struct udamon_snapshot_region *q = &y->regions[i];

			assert_int_equal(p->start, q->start);
			assert_int_equal(p->end, q->end);
			assert_int_equal(p->nr_accesses, q->nr_accesses);
			assert_int_equal(p->age, q->age);
			assert_int_equal(!p->cpu_samples, !q->cpu_samples);
			if (p->cpu_samples)
				assert_memory_equal(p->cpu_samples,
						    q->cpu_samples,
						    a->nr_cpus * sizeof(uint32_t));
		}
	}
}

static void roundtrip(enum udamon_record_format fmt, bool goal)
{
	struct udamon_record rec, *got = NULL;
	char err[256] = "";
	size_t nr = 0;

	build(&rec, goal);
	assert_int_equal(udamon_record_write(path, fmt, &rec, 1, false, err,
					     sizeof(err)), 0);
	assert_int_equal(udamon_record_read(path, &got, &nr, err, sizeof(err)),
			 0);
	assert_int_equal(nr, 1);
	assert_same(&rec, &got[0]);
	udamon_records_free(got, nr);
	udamon_record_free(&rec);
}

static void test_roundtrip_json(void **state)
{
	(void)state;
	roundtrip(UDAMON_RECORD_JSON, false);
	roundtrip(UDAMON_RECORD_JSON, true);
}

static void test_roundtrip_compressed(void **state)
{
	(void)state;
	roundtrip(UDAMON_RECORD_JSON_COMPRESSED, false);
	roundtrip(UDAMON_RECORD_JSON_COMPRESSED, true);
}

static void test_roundtrip_many_records(void **state)
{
	struct udamon_record recs[3], *got = NULL;
	char err[256];
	size_t nr = 0, i;

	(void)state;
	for (i = 0; i < 3; i++) {
		build(&recs[i], i == 1);
		recs[i].target_id = (int)i;
		recs[i].context_idx = (int)i + 1;
	}
	free(recs[2].filters_desc);
	recs[2].filters_desc = NULL;
	recs[2].nr_cpus = 0;		/* cpu samples are then not written */
	assert_int_equal(udamon_record_write(path,
			UDAMON_RECORD_JSON_COMPRESSED, recs, 3, false, err,
			sizeof(err)), 0);
	assert_int_equal(udamon_record_read(path, &got, &nr, err, sizeof(err)),
			 0);
	assert_int_equal(nr, 3);
	assert_same(&recs[0], &got[0]);
	assert_same(&recs[1], &got[1]);
	assert_null(got[2].filters_desc);
	assert_int_equal(got[2].nr_cpus, 0);
	assert_null(got[2].snapshots[0].regions[0].cpu_samples);
	assert_int_equal(got[2].context_idx, 3);
	udamon_records_free(got, nr);
	for (i = 0; i < 3; i++)
		udamon_record_free(&recs[i]);
}

/* ---- the layout of damo's record, key by key ------------------------- */

static char *slurp(const char *p, size_t *len)
{
	FILE *f = fopen(p, "rb");
	char *buf;
	long n;

	assert_non_null(f);
	assert_int_equal(fseek(f, 0, SEEK_END), 0);
	n = ftell(f);
	rewind(f);
	buf = malloc((size_t)n + 1);
	assert_non_null(buf);
	assert_int_equal(fread(buf, 1, (size_t)n, f), (size_t)n);
	buf[n] = '\0';
	fclose(f);
	*len = (size_t)n;
	return buf;
}

/* obj has exactly the keys of want (NULL-terminated). */
static void assert_keys(struct json_object *obj, const char *const *want)
{
	size_t n = 0;

	assert_true(json_object_is_type(obj, json_type_object));
	for (; want[n]; n++) {
		if (!json_object_object_get_ex(obj, want[n], NULL))
			fail_msg("missing key '%s'", want[n]);
	}
	assert_int_equal(json_object_object_length(obj), n);
}

static struct json_object *key(struct json_object *o, const char *k)
{
	struct json_object *v = NULL;

	if (!json_object_object_get_ex(o, k, &v))
		fail_msg("missing key '%s'", k);
	return v;
}

static int64_t ikey(struct json_object *o, const char *k)
{
	struct json_object *v = key(o, k);

	assert_true(json_object_is_type(v, json_type_int));
	return json_object_get_int64(v);
}

static void test_json_layout(void **state)
{
	static const char *const rec_keys[] = { "kdamond_idx", "context_idx",
		"intervals", "scheme_idx", "target_id", "snapshots", "udamon",
		NULL };
	static const char *const iv_keys[] = { "sample_us", "aggr_us",
		"ops_update_us", "intervals_goal", NULL };
	static const char *const goal_keys[] = { "access_bp", "aggrs",
		"min_sample_us", "max_sample_us", NULL };
	static const char *const snap_keys[] = { "start_time", "end_time",
		"total_bytes", "regions", "sample_interval_us",
		"udamon_aggr_us", NULL };
	static const char *const reg_keys[] = { "start", "end", "nr_accesses",
		"age", NULL };
	static const char *const reg_cpu_keys[] = { "start", "end",
		"nr_accesses", "age", "udamon_cpu_samples", NULL };
	static const char *const acc_keys[] = { "samples", "percent", NULL };
	static const char *const age_keys[] = { "usec", "aggr_intervals",
		NULL };
	static const char *const ud_keys[] = { "pid", "nr_cpus",
		"lost_events", "filters", "fault_source", "aggr_overruns", "sample_overruns",
		"max_aggr_us", "unchecked_samples", "thp_splits", "thp_collapses",
		"thp_collapse_failures", NULL };
	struct json_object *root, *r, *iv, *goal, *snaps, *s, *reg, *cpus;
	struct udamon_record rec;
	char err[256], *text;
	size_t len;

	(void)state;
	build(&rec, true);
	assert_int_equal(udamon_record_write(path, UDAMON_RECORD_JSON, &rec, 1,
					     false, err, sizeof(err)), 0);
	text = slurp(path, &len);
	root = json_tokener_parse(text);
	assert_non_null(root);
	assert_true(json_object_is_type(root, json_type_array));
	assert_int_equal(json_object_array_length(root), 1);

	r = json_object_array_get_idx(root, 0);
	assert_keys(r, rec_keys);
	assert_int_equal(ikey(r, "kdamond_idx"), 0);
	assert_int_equal(ikey(r, "context_idx"), 0);
	assert_int_equal(ikey(r, "target_id"), 7);
	assert_null(key(r, "scheme_idx"));	/* JSON null */

	iv = key(r, "intervals");
	assert_keys(iv, iv_keys);
	assert_int_equal(ikey(iv, "sample_us"), 5000);
	assert_int_equal(ikey(iv, "aggr_us"), 100000);
	assert_int_equal(ikey(iv, "ops_update_us"), 1000000);
	goal = key(iv, "intervals_goal");
	assert_keys(goal, goal_keys);
	assert_int_equal(ikey(goal, "access_bp"), 400);
	assert_int_equal(ikey(goal, "aggrs"), 3);
	assert_int_equal(ikey(goal, "min_sample_us"), 5000);
	assert_int_equal(ikey(goal, "max_sample_us"), 10000000);

	assert_keys(key(r, "udamon"), ud_keys);
	assert_int_equal(ikey(key(r, "udamon"), "pid"), 4242);
	assert_int_equal(ikey(key(r, "udamon"), "nr_cpus"), 2);
	assert_int_equal(ikey(key(r, "udamon"), "lost_events"), 12);
	assert_int_equal(ikey(key(r, "udamon"), "aggr_overruns"), 3);
	assert_int_equal(ikey(key(r, "udamon"), "max_aggr_us"), 250000);
	assert_int_equal(ikey(key(r, "udamon"), "thp_splits"), 9);
	assert_int_equal(ikey(key(r, "udamon"), "thp_collapses"), 8);
	assert_string_equal(json_object_get_string(key(key(r, "udamon"),
			    "filters")), "allow write, \"quoted\"\n");

	snaps = key(r, "snapshots");
	assert_int_equal(json_object_array_length(snaps), 2);
	s = json_object_array_get_idx(snaps, 0);
	assert_keys(s, snap_keys);
	assert_int_equal(ikey(s, "start_time"), 1000000000);
	assert_int_equal(ikey(s, "end_time"), 1100000000);
	assert_int_equal(ikey(s, "total_bytes"), 61440);
	assert_int_equal(ikey(s, "sample_interval_us"), 5000);
	assert_int_equal(ikey(s, "udamon_aggr_us"), 100000);
	assert_int_equal(json_object_array_length(key(s, "regions")), 2);

	/* 4 samples of 100 ms / 5 ms = 20 possible: 20 %; age 3 x 100 ms */
	reg = json_object_array_get_idx(key(s, "regions"), 0);
	assert_keys(reg, reg_cpu_keys);
	assert_int_equal(ikey(reg, "start"), 4096);
	assert_int_equal(ikey(reg, "end"), 16384);
	assert_keys(key(reg, "nr_accesses"), acc_keys);
	assert_int_equal(ikey(key(reg, "nr_accesses"), "samples"), 4);
	assert_int_equal(ikey(key(reg, "nr_accesses"), "percent"), 20);
	assert_keys(key(reg, "age"), age_keys);
	assert_int_equal(ikey(key(reg, "age"), "aggr_intervals"), 3);
	assert_int_equal(ikey(key(reg, "age"), "usec"), 300000);
	cpus = key(reg, "udamon_cpu_samples");
	assert_int_equal(json_object_array_length(cpus), 2);
	assert_int_equal(json_object_get_int(json_object_array_get_idx(cpus, 0)), 3);
	assert_int_equal(json_object_get_int(json_object_array_get_idx(cpus, 1)), 1);

	/* a region without cpu samples has no udamon key */
	reg = json_object_array_get_idx(key(s, "regions"), 1);
	assert_keys(reg, reg_keys);
	assert_int_equal(ikey(key(reg, "nr_accesses"), "percent"), 0);

	/* tuned snapshot: 10 of 200 ms / 10 ms = 20 -> 50 %; age 2 x 200 ms */
	s = json_object_array_get_idx(snaps, 1);
	assert_int_equal(ikey(s, "sample_interval_us"), 10000);
	assert_int_equal(ikey(s, "udamon_aggr_us"), 200000);
	reg = json_object_array_get_idx(key(s, "regions"), 0);
	assert_int_equal(ikey(key(reg, "nr_accesses"), "samples"), 10);
	assert_int_equal(ikey(key(reg, "nr_accesses"), "percent"), 50);
	assert_int_equal(ikey(key(reg, "age"), "usec"), 400000);

	json_object_put(root);
	free(text);
	udamon_record_free(&rec);
}

/* Without a goal there is no intervals_goal key (damo's default then). */
static void test_json_layout_no_goal(void **state)
{
	static const char *const iv_keys[] = { "sample_us", "aggr_us",
		"ops_update_us", NULL };
	struct json_object *root;
	struct udamon_record rec;
	char err[256], *text;
	size_t len;

	(void)state;
	build(&rec, false);
	assert_int_equal(udamon_record_write(path, UDAMON_RECORD_JSON, &rec, 1,
					     false, err, sizeof(err)), 0);
	text = slurp(path, &len);
	root = json_tokener_parse(text);
	assert_non_null(root);
	assert_keys(key(json_object_array_get_idx(root, 0), "intervals"),
		    iv_keys);
	json_object_put(root);
	free(text);
	udamon_record_free(&rec);
}

/* json_compressed is the same text in a plain zlib stream (not gzip). */
static void test_compressed_is_zlib_of_json(void **state)
{
	struct udamon_record rec;
	char err[256], *plain, *z, plain_path[160];
	size_t plen, zlen;
	uLongf outlen;
	unsigned char *out;

	(void)state;
	build(&rec, true);
	snprintf(plain_path, sizeof(plain_path), "%s/plain.json", dir);
	assert_int_equal(udamon_record_write(plain_path, UDAMON_RECORD_JSON,
					     &rec, 1, false, err, sizeof(err)), 0);
	assert_int_equal(udamon_record_write(path,
			UDAMON_RECORD_JSON_COMPRESSED, &rec, 1, false, err,
			sizeof(err)), 0);
	plain = slurp(plain_path, &plen);
	z = slurp(path, &zlen);
	assert_int_equal((unsigned char)z[0], 0x78);	/* zlib, not 1f 8b */
	outlen = plen + 64;
	out = malloc(outlen);
	assert_non_null(out);
	assert_int_equal(uncompress(out, &outlen, (unsigned char *)z, zlen),
			 Z_OK);
	assert_int_equal(outlen, plen);
	assert_memory_equal(out, plain, plen);
	free(out);
	free(plain);
	free(z);
	udamon_record_free(&rec);
}

/* ---- atomic writes and .old ------------------------------------------- */

static void write_text(const char *p, const char *text)
{
	FILE *f = fopen(p, "w");

	assert_non_null(f);
	fputs(text, f);
	fclose(f);
}

static size_t nr_files(void)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	size_t n = 0;

	assert_non_null(d);
	while ((e = readdir(d)))
		n += e->d_name[0] != '.';
	closedir(d);
	return n;
}

static void test_rename_old(void **state)
{
	struct udamon_record rec, *got;
	char err[256], old[160], *text;
	size_t nr, len;

	(void)state;
	build(&rec, false);
	snprintf(old, sizeof(old), "%s.old", path);
	write_text(path, "previous");

	/* without rename_old the file is replaced and no .old appears */
	assert_int_equal(udamon_record_write(path, UDAMON_RECORD_JSON, &rec, 1,
					     false, err, sizeof(err)), 0);
	assert_int_equal(access(old, F_OK), -1);
	assert_int_equal(nr_files(), 1);

	write_text(path, "previous");
	assert_int_equal(udamon_record_write(path, UDAMON_RECORD_JSON, &rec, 1,
					     true, err, sizeof(err)), 0);
	text = slurp(old, &len);
	assert_string_equal(text, "previous");
	free(text);
	assert_int_equal(udamon_record_read(path, &got, &nr, err, sizeof(err)),
			 0);
	assert_int_equal(nr, 1);
	udamon_records_free(got, nr);
	/* damon.data and damon.data.old, no temporary file left */
	assert_int_equal(nr_files(), 2);

	/* rename_old with nothing there yet is fine */
	unlink(path);
	unlink(old);
	assert_int_equal(udamon_record_write(path, UDAMON_RECORD_JSON, &rec, 1,
					     true, err, sizeof(err)), 0);
	assert_int_equal(nr_files(), 1);
	udamon_record_free(&rec);
}

static void test_write_error(void **state)
{
	struct udamon_record rec;
	char err[256] = "";

	(void)state;
	build(&rec, false);
	assert_int_equal(udamon_record_write("/nonexistent-dir/damon.data",
			UDAMON_RECORD_JSON, &rec, 1, false, err, sizeof(err)),
			 -ENOENT);
	assert_non_null(strstr(err, "/nonexistent-dir/damon.data"));
	udamon_record_free(&rec);
}

/* ---- malformed files --------------------------------------------------- */

/* Reading text must fail with -EINVAL and a message holding want. */
static void expect_error(const char *text, const char *want)
{
	struct udamon_record *got = NULL;
	char err[512] = "";
	size_t nr = 0;

	write_text(path, text);
	assert_int_equal(udamon_record_read(path, &got, &nr, err, sizeof(err)),
			 -EINVAL);
	assert_null(got);
	if (!strstr(err, want))
		fail_msg("error \"%s\" lacks \"%s\"", err, want);
	/* every message names the file */
	assert_non_null(strstr(err, path));
}

#define REC_HEAD "[{\"kdamond_idx\": 0, \"context_idx\": 0, \"intervals\": " \
	"{\"sample_us\": 5000, \"aggr_us\": 100000, \"ops_update_us\": 1000000}, " \
	"\"scheme_idx\": null, \"target_id\": 0, \"snapshots\": "
#define SNAP_HEAD "[{\"start_time\": 10, \"end_time\": 20, \"regions\": "
#define REGION_OK "{\"start\": 4096, \"end\": 8192, \"nr_accesses\": " \
	"{\"samples\": 1, \"percent\": 5}, \"age\": {\"usec\": 0, " \
	"\"aggr_intervals\": 0}}"

static void test_malformed(void **state)
{
	(void)state;
	expect_error("", "empty file");
	expect_error("{\"a\": 1}", "the top level is an object: expected an array of records");
	expect_error("[{\"kdamond_idx\": 0", "not valid JSON: the text ends early");
	expect_error("[{\"target_id\": 0, \"snapshots\": [],}]",
		     "[0]: not valid JSON: parse error: invalid object key (must be a string) (line 1)");
	expect_error("[{\"target_id\": 0,\n \"extra\": [1 2]}]",
		     "[0]: not valid JSON: parse error: after array element, I expect ',' or ']' (line 2)");
	expect_error("[{\"target_id\": tru}]", "[0]: not valid JSON: lexical error: invalid string in json text (line 1)");
	expect_error("[] trailing", "not valid JSON");
	expect_error("[42]", "[0]: is a number: expected a record object");
	expect_error("[{\"snapshots\": []}]", "[0]: missing key 'target_id'");
	expect_error("[{\"target_id\": 0}]", "[0]: missing key 'snapshots'");
	expect_error(REC_HEAD "{}}]", "[0]: 'snapshots' is an object: expected an array");
	expect_error("[{\"target_id\": 0, \"intervals\": {\"sample_us\": 5000}, "
		     "\"snapshots\": []}]",
		     "[0].intervals: missing key 'aggr_us'");
	expect_error("[{\"target_id\": 0, \"intervals\": {\"sample_us\": -5, "
		     "\"aggr_us\": 1, \"ops_update_us\": 1}, \"snapshots\": []}]",
		     "[0].intervals: 'sample_us' is -5: expected a non-negative integer");
	expect_error("[{\"target_id\": 0, \"intervals\": {\"sample_us\": 5000, "
		     "\"aggr_us\": 10, \"ops_update_us\": 1}, \"snapshots\": []}]",
		     "sample_us (5000) must be positive and not above aggr_us (10)");
	expect_error(REC_HEAD "[{\"end_time\": 1, \"regions\": []}]}]",
		     "[0].snapshots[0]: missing key 'start_time'");
	expect_error(REC_HEAD "[{\"start_time\": 5, \"end_time\": 1, \"regions\": []}]}]",
		     "[0].snapshots[0]: end_time (1) is before start_time (5)");
	expect_error(REC_HEAD SNAP_HEAD "[" REGION_OK ", {\"start\": 8192, "
		     "\"nr_accesses\": {\"samples\": 0}, \"age\": "
		     "{\"aggr_intervals\": 0}}]}]}]",
		     "[0].snapshots[0].regions[1]: missing key 'end'");
	expect_error(REC_HEAD SNAP_HEAD "[{\"start\": 8192, \"end\": 4096, "
		     "\"nr_accesses\": {\"samples\": 0}, \"age\": "
		     "{\"aggr_intervals\": 0}}]}]}]",
		     "[0].snapshots[0].regions[0]: end (4096) is not above start (8192)");
	expect_error(REC_HEAD SNAP_HEAD "[{\"start\": 0, \"end\": 4096, "
		     "\"nr_accesses\": {\"samples\": \"many\"}, \"age\": "
		     "{\"aggr_intervals\": 0}}]}]}]",
		     "[0].snapshots[0].regions[0].nr_accesses: 'samples' is \"many\": expected a non-negative integer");
	expect_error(REC_HEAD SNAP_HEAD "[{\"start\": 0, \"end\": 4096, "
		     "\"nr_accesses\": {\"samples\": 1}, \"age\": {}}]}]}]",
		     "[0].snapshots[0].regions[0].age: missing key 'aggr_intervals' (or 'usec')");
	expect_error(REC_HEAD SNAP_HEAD "[{\"start\": 0, \"end\": 4096, "
		     "\"nr_accesses\": {\"samples\": 1}}]}]}]",
		     "[0].snapshots[0].regions[0]: missing key 'age'");
	/* cpu samples must match udamon.nr_cpus */
	expect_error("[{\"target_id\": 0, \"udamon\": {\"nr_cpus\": 2}, "
		     "\"snapshots\": " SNAP_HEAD "[{\"start\": 0, \"end\": 4096, "
		     "\"nr_accesses\": {\"samples\": 1}, \"age\": "
		     "{\"aggr_intervals\": 0}, \"udamon_cpu_samples\": [1]}]}]}]",
		     "'udamon_cpu_samples' has 1 entries but udamon.nr_cpus is 2");
}

static void test_bad_zlib_and_missing(void **state)
{
	struct udamon_record rec, *got = NULL;
	char err[512] = "";
	char *z;
	size_t nr, len;
	FILE *f;

	(void)state;
	/* a truncated compressed file */
	build(&rec, false);
	assert_int_equal(udamon_record_write(path,
			UDAMON_RECORD_JSON_COMPRESSED, &rec, 1, false, err,
			sizeof(err)), 0);
	udamon_record_free(&rec);
	z = slurp(path, &len);
	f = fopen(path, "wb");
	assert_non_null(f);
	fwrite(z, 1, len / 2, f);
	fclose(f);
	free(z);
	assert_int_equal(udamon_record_read(path, &got, &nr, err, sizeof(err)),
			 -EINVAL);
	assert_non_null(strstr(err, "not a valid zlib stream"));

	/* 0x78 then junk */
	write_text(path, "x-not-zlib");
	assert_int_equal(udamon_record_read(path, &got, &nr, err, sizeof(err)),
			 -EINVAL);
	assert_non_null(strstr(err, "not a valid zlib stream"));

	unlink(path);
	assert_int_equal(udamon_record_read(path, &got, &nr, err, sizeof(err)),
			 -ENOENT);
	assert_non_null(strstr(err, path));
	assert_non_null(strstr(err, "cannot open"));
	assert_null(got);
}

/* What damo itself writes: numbers as strings, text times, no udamon key. */
static void test_reads_damo_style(void **state)
{
	struct udamon_record *got = NULL;
	char err[512] = "";
	size_t nr = 0;

	(void)state;
	write_text(path,
		"[{\"kdamond_idx\": null, \"context_idx\": null, \"intervals\": "
		"{\"sample_us\": \"5000\", \"aggr_us\": \"100000\", "
		"\"ops_update_us\": \"1000000\", \"intervals_goal\": "
		"{\"access_bp\": \"0.000000\", \"aggrs\": \"0\", "
		"\"min_sample_us\": \"0\", \"max_sample_us\": \"0\"}}, "
		"\"scheme_idx\": null, \"target_id\": 3, \"scheme_filters\": [], "
		"\"snapshots\": [{\"start_time\": \"1000000000\", "
		"\"end_time\": \"1100000000\", \"regions\": [{\"start\": "
		"\"139,637,976,727,552\", \"end\": \"139,637,977,776,128\", "
		"\"nr_accesses\": {\"samples\": 4, \"percent\": 20}, \"age\": "
		"{\"usec\": \"300 ms\", \"aggr_intervals\": \"3\"}, "
		"\"probe_hits\": [], \"sz_filter_passed\": \"0 B\"}, "
		"{\"start\": 139637977776128, \"end\": 139637978824704, "
		"\"nr_accesses\": {\"samples\": 0}, \"age\": "
		"{\"usec\": \"1 s 500 ms\"}}, "
		"{\"start\": 139637978824704, \"end\": 139637979873280, "
		"\"nr_accesses\": {\"samples\": 0}, \"age\": "
		"{\"usec\": 200000, \"aggr_intervals\": null}}], "
		"\"total_bytes\": null, \"damos_stats\": null, "
		"\"sample_interval_us\": \"5000000\"}], "
		"\"data_source\": \"unknown\"}]");
	assert_int_equal(udamon_record_read(path, &got, &nr, err, sizeof(err)),
			 0);
	assert_int_equal(nr, 1);
	assert_int_equal(got[0].kdamond_idx, 0);
	assert_int_equal(got[0].target_id, 3);
	assert_int_equal(got[0].sample_us, 5000);
	assert_false(got[0].has_goal);		/* aggrs 0: no goal */
	assert_int_equal(got[0].nr_cpus, 0);
	assert_int_equal(got[0].nr_snapshots, 1);
	/* damo's sample_interval_us is in ns: the record's intervals hold */
	assert_int_equal(got[0].snapshots[0].sample_us, 5000);
	assert_int_equal(got[0].snapshots[0].aggr_us, 100000);
	assert_int_equal(got[0].snapshots[0].regions[0].start,
			 139637976727552ULL);
	assert_int_equal(got[0].snapshots[0].regions[0].age, 3);
	/* only usec (text or number): divided by the 100 ms aggregation */
	assert_int_equal(got[0].snapshots[0].regions[1].age, 15);
	assert_int_equal(got[0].snapshots[0].regions[2].age, 2);
	/* total_bytes null: the sum of the regions */
	assert_int_equal(got[0].snapshots[0].total_bytes, 3 * 1048576);
	udamon_records_free(got, nr);
}

/* ---- text in many chunks ----------------------------------------------- */

/* A record of some megabytes: read back across many chunks, both forms. */
static void test_large_roundtrip(void **state)
{
	enum udamon_record_format fmts[2] = { UDAMON_RECORD_JSON,
					      UDAMON_RECORD_JSON_COMPRESSED };
	struct udamon_snapshot_region regs[5];
	struct udamon_record rec, *got = NULL;
	uint32_t cpus[5][2];
	char err[256];
	size_t nr = 0, s, i, f;

	(void)state;
	memset(&rec, 0, sizeof(rec));
	rec.target_id = 4;
	rec.sample_us = 5000;
	rec.aggr_us = 100000;
	rec.ops_update_us = 1000000;
	rec.nr_cpus = 2;
	rec.filters_desc = strdup("none");
	for (s = 0; s < 3000; s++) {
		struct udamon_snapshot snap = { s * 100, s * 100 + 50, 0, 5000,
						100000, 5, regs };

		for (i = 0; i < 5; i++) {
			regs[i] = (struct udamon_snapshot_region){
				(s + i) * 4096, (s + i + 1) * 4096,
				(unsigned int)(s % 21), (unsigned int)i,
				cpus[i] };
			cpus[i][0] = (uint32_t)s;
			cpus[i][1] = (uint32_t)i;
			snap.total_bytes += 4096;
		}
		assert_int_equal(udamon_record_add_snapshot(&rec, &snap), 0);
	}
	for (f = 0; f < 2; f++) {
		assert_int_equal(udamon_record_write(path, fmts[f], &rec, 1,
						     false, err, sizeof(err)), 0);
		assert_int_equal(udamon_record_read(path, &got, &nr, err,
						    sizeof(err)), 0);
		assert_int_equal(nr, 1);
		assert_same(&rec, &got[0]);
		/* spot checks, worked out by hand */
		assert_int_equal(got[0].snapshots[2999].regions[4].start,
				 (2999 + 4) * 4096);
		assert_int_equal(got[0].snapshots[2999].regions[4].nr_accesses,
				 2999 % 21);
		assert_int_equal(got[0].snapshots[1234].regions[1]
				 .cpu_samples[0], 1234);
		udamon_records_free(got, nr);
	}
	udamon_record_free(&rec);
}

/* Syntax errors past the first chunks still name their line. */
static void test_error_line_far_in(void **state)
{
	const char *want = "not valid JSON: parse error: unallowed token at this point in JSON text (line 100001)";
	struct udamon_record *got = NULL;
	size_t len = 100002, zlen = compressBound(len);
	char *text = malloc(len + 1), err[512] = "";
	unsigned char *z = malloc(zlen);
	size_t nr;
	FILE *f;

	(void)state;
	assert_non_null(text);
	assert_non_null(z);
	text[0] = '[';
	memset(text + 1, '\n', 100000);
	strcpy(text + 100001, "}");
	expect_error(text, want);
	/* the same text compressed */
	assert_int_equal(compress(z, &zlen, (unsigned char *)text, len), Z_OK);
	f = fopen(path, "wb");
	assert_non_null(f);
	assert_int_equal(fwrite(z, 1, zlen, f), zlen);
	fclose(f);
	assert_int_equal(udamon_record_read(path, &got, &nr, err, sizeof(err)),
			 -EINVAL);
	assert_null(got);
	if (!strstr(err, want))
		fail_msg("error \"%s\" lacks \"%s\"", err, want);
	free(z);
	free(text);
}

static void test_binary(void **state)
{
	struct udamon_record *got = NULL;
	char err[512] = "";
	size_t nr;
	FILE *f = fopen(path, "wb");

	(void)state;
	assert_non_null(f);
	assert_int_equal(fwrite("[\0]", 1, 3, f), 3);
	fclose(f);
	assert_int_equal(udamon_record_read(path, &got, &nr, err, sizeof(err)),
			 -EINVAL);
	assert_null(got);
	assert_non_null(strstr(err, "not a record file: it holds binary data"));
}

/* ---- in-memory records ------------------------------------------------- */

static void test_add_snapshot_copies(void **state)
{
	uint32_t cpus[2] = { 1, 2 };
	struct udamon_snapshot_region regs[1] = { { 0, 4096, 5, 1, cpus } };
	struct udamon_snapshot snap = { 1, 2, 4096, 5000, 100000, 1, regs };
	struct udamon_record rec = { .nr_cpus = 2 }, none = { 0 };
	int i;

	(void)state;
	for (i = 0; i < 40; i++)	/* grows past the first allocation */
		assert_int_equal(udamon_record_add_snapshot(&rec, &snap), 0);
	assert_int_equal(rec.nr_snapshots, 40);
	regs[0].nr_accesses = 9;
	cpus[0] = 99;
	assert_int_equal(rec.snapshots[39].regions[0].nr_accesses, 5);
	assert_int_equal(rec.snapshots[39].regions[0].cpu_samples[0], 1);
	assert_ptr_not_equal(rec.snapshots[39].regions, regs);
	udamon_record_free(&rec);
	assert_int_equal(rec.nr_snapshots, 0);

	/* no nr_cpus: the cpu samples' length is unknown, so not kept */
	assert_int_equal(udamon_record_add_snapshot(&none, &snap), 0);
	assert_null(none.snapshots[0].regions[0].cpu_samples);
	udamon_record_free(&none);
}

/* Streams (the control channel's snapshots answers): the same text. */
static void test_stream_roundtrip(void **state)
{
	struct udamon_record rec, *got = NULL;
	char err[256] = "", *text = NULL;
	size_t len = 0, nr = 0;
	FILE *f;

	(void)state;
	build(&rec, true);
	f = open_memstream(&text, &len);
	assert_non_null(f);
	assert_int_equal(udamon_record_write_stream(f, UDAMON_RECORD_JSON,
						    &rec, 1), 0);
	assert_int_equal(fclose(f), 0);
	assert_int_equal(udamon_record_write(path, UDAMON_RECORD_JSON, &rec, 1,
					     false, err, sizeof(err)), 0);
	f = fmemopen(text, len, "r");
	assert_non_null(f);
	assert_int_equal(udamon_record_read_stream(f, "answer", &got, &nr, err,
						   sizeof(err)), 0);
	fclose(f);
	assert_int_equal(nr, 1);
	assert_same(&rec, &got[0]);
	udamon_records_free(got, nr);
	/* an error names the stream */
	f = fmemopen("[{", 2, "r");
	assert_int_not_equal(udamon_record_read_stream(f, "answer", &got, &nr,
						       err, sizeof(err)), 0);
	fclose(f);
	assert_non_null(strstr(err, "answer"));
	assert_int_equal(udamon_record_write_stream(stdout, 7, &rec, 1), -EINVAL);
	free(text);
	udamon_record_free(&rec);
}

static void test_drop_oldest(void **state)
{
	struct udamon_snapshot_region regs[1] = { { 0, 4096, 5, 1, NULL } };
	struct udamon_snapshot snap = { 1, 2, 4096, 5000, 100000, 1, regs };
	struct udamon_record rec = { 0 };
	int i;

	(void)state;
	for (i = 0; i < 10; i++) {
		snap.start_time_ns = (uint64_t)i;
		assert_int_equal(udamon_record_add_snapshot(&rec, &snap), 0);
	}
	udamon_record_drop_oldest(&rec, 3);
	assert_int_equal(rec.nr_snapshots, 7);
	assert_int_equal(rec.snapshots[0].start_time_ns, 3);
	assert_int_equal(rec.snapshots[6].start_time_ns, 9);
	/* still appends after the kept ones */
	snap.start_time_ns = 10;
	assert_int_equal(udamon_record_add_snapshot(&rec, &snap), 0);
	assert_int_equal(rec.snapshots[7].start_time_ns, 10);
	udamon_record_drop_oldest(&rec, 100);	/* more than there are */
	assert_int_equal(rec.nr_snapshots, 0);
	udamon_record_free(&rec);
}

static void test_format_parse(void **state)
{
	enum udamon_record_format fmt;
	char err[256] = "";

	(void)state;
	assert_int_equal(udamon_record_format_parse("json", &fmt, err,
						    sizeof(err)), 0);
	assert_int_equal(fmt, UDAMON_RECORD_JSON);
	assert_int_equal(udamon_record_format_parse("json_compressed", &fmt,
						    err, sizeof(err)), 0);
	assert_int_equal(fmt, UDAMON_RECORD_JSON_COMPRESSED);
	assert_int_equal(udamon_record_format_parse("perf_data", &fmt, err,
						    sizeof(err)), -EINVAL);
	assert_string_equal(err, "invalid output type 'perf_data': expected json_compressed or json");
}

static void test_access_percent(void **state)
{
	struct udamon_record rec = { .sample_us = 5000, .aggr_us = 100000 };
	struct udamon_snapshot own = { .sample_us = 1000, .aggr_us = 100000 };
	struct udamon_snapshot unset = { 0 };

	(void)state;
	/* 20 samples possible: 7 -> 35 %; unset intervals use the record's */
	assert_int_equal(udamon_record_access_percent(&rec, &unset, 7), 35);
	/* 100 possible: 7 -> 7 %; 3 of 20 -> 15 % */
	assert_int_equal(udamon_record_access_percent(&rec, &own, 7), 7);
	assert_int_equal(udamon_record_access_percent(&rec, &unset, 3), 15);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_roundtrip_json, setup, teardown),
		cmocka_unit_test_setup_teardown(test_roundtrip_compressed, setup, teardown),
		cmocka_unit_test_setup_teardown(test_roundtrip_many_records, setup, teardown),
		cmocka_unit_test_setup_teardown(test_json_layout, setup, teardown),
		cmocka_unit_test_setup_teardown(test_json_layout_no_goal, setup, teardown),
		cmocka_unit_test_setup_teardown(test_compressed_is_zlib_of_json, setup, teardown),
		cmocka_unit_test_setup_teardown(test_rename_old, setup, teardown),
		cmocka_unit_test_setup_teardown(test_write_error, setup, teardown),
		cmocka_unit_test_setup_teardown(test_malformed, setup, teardown),
		cmocka_unit_test_setup_teardown(test_bad_zlib_and_missing, setup, teardown),
		cmocka_unit_test_setup_teardown(test_reads_damo_style, setup, teardown),
		cmocka_unit_test_setup_teardown(test_large_roundtrip, setup, teardown),
		cmocka_unit_test_setup_teardown(test_error_line_far_in, setup, teardown),
		cmocka_unit_test_setup_teardown(test_binary, setup, teardown),
		cmocka_unit_test(test_add_snapshot_copies),
		cmocka_unit_test_setup_teardown(test_stream_roundtrip, setup, teardown),
		cmocka_unit_test(test_drop_oldest),
		cmocka_unit_test(test_format_parse),
		cmocka_unit_test(test_access_percent),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
