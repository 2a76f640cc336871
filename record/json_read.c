// SPDX-License-Identifier: MIT
/*
 * Reading damo JSON records (DESIGN.md section 7), plain or zlib-compressed,
 * written by udamon or by damo. Every structural problem is reported with
 * the file and the JSON path of the key, e.g.
 *   damon.data: [0].snapshots[2].regions[5]: missing key 'end'
 */
#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "udamon/record.h"
#include "udamon/textfmt.h"
#include "record/json_pull.h"

#define PATH_LEN	192

/* An age given only in usec, resolved once the intervals are known. */
struct pending_age {
	size_t snap, region;
	uint64_t usec;
};

struct rd {
	const char *file;
	char *err;
	size_t errlen;
	char path[PATH_LEN];	/* JSON path of the object being read */
	struct jp jp;
	/* per record */
	struct pending_age *pending;
	size_t nr_pending, cap_pending;
	size_t cpu_len;		/* entries of udamon_cpu_samples seen */
	bool cpu_seen;
};

static int rd_fail(struct rd *rd, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static int rd_fail(struct rd *rd, const char *fmt, ...)
{
	char msg[256];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (rd->err && rd->errlen)
		snprintf(rd->err, rd->errlen, "%s: %s%s%s", rd->file, rd->path,
			 rd->path[0] ? ": " : "", msg);
	return -EINVAL;
}

/* Append a path component; returns the old length to restore with pop. */
static size_t path_push(struct rd *rd, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static size_t path_push(struct rd *rd, const char *fmt, ...)
{
	size_t len = strlen(rd->path);
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(rd->path + len, sizeof(rd->path) - len, fmt, ap);
	va_end(ap);
	return len;
}

static void path_pop(struct rd *rd, size_t len)
{
	rd->path[len] = '\0';
}

/*
 * damo writes numbers as integers or as digit strings ("5000", "4,096",
 * "0.000000"); a fraction is truncated.
 */
static bool str_to_u64(const char *s, uint64_t *out)
{
	uint64_t v = 0;
	bool digit = false;

	for (; *s && *s != '.'; s++) {
		if (*s == ',' && digit)
			continue;
		if (!isdigit((unsigned char)*s))
			return false;
		if (v > (UINT64_MAX - (uint64_t)(*s - '0')) / 10)
			return false;
		v = v * 10 + (uint64_t)(*s - '0');
		digit = true;
	}
	if (*s == '.' && strspn(s + 1, "0123456789") != strlen(s + 1))
		return false;
	*out = v;
	return digit;
}

/* The parser's syntax error, with the file and the path reached. */
static int syntax(struct rd *rd, int err)
{
	if (err == -EINVAL && rd->jp.msg[0])
		return rd_fail(rd, "not valid JSON: %s", rd->jp.msg);
	return err;
}

static const char *type_name(enum jtype t)
{
	static const char *const names[] = { "null", "a boolean", "a number",
					     "a string", "an object",
					     "an array" };

	return names[t];
}

/* How a value looks in a message: its text, or what it is. */
static void describe(const struct jval *v, char *buf, size_t len)
{
	if (v->type == JT_NUM)
		snprintf(buf, len, "%s", v->str);
	else if (v->type == JT_STR)
		snprintf(buf, len, "\"%s\"", v->str);
	else
		snprintf(buf, len, "%s", type_name(v->type));
}

/* A non-negative integer, or a digit string as damo writes them. */
static int conv_u64(struct rd *rd, const char *key, const struct jval *v,
		    uint64_t *out)
{
	char d[80];

	if (v->type == JT_NUM && !v->neg && v->is_int && v->fits) {
		*out = v->u;
		return 0;
	}
	if (v->type == JT_NUM && !v->neg && !v->is_int &&
	    v->d < 18446744073709551616.0) {
		*out = (uint64_t)v->d;
		return 0;
	}
	if (v->type == JT_STR && str_to_u64(v->str, out))
		return 0;
	describe(v, d, sizeof(d));
	return rd_fail(rd, "'%s' is %s: expected a non-negative integer", key,
		       d);
}

/* Read key's value as u64; null leaves *present false (optional keys). */
static int read_u64(struct rd *rd, const char *key, bool *present,
		    uint64_t *out)
{
	struct jval v;
	int err = jp_value(&rd->jp, &v);

	if (err)
		return syntax(rd, err);
	if (present)
		*present = v.type != JT_NULL;
	if (v.type == JT_NULL)
		return present ? 0 :
			rd_fail(rd, "'%s' is null: expected a value", key);
	return conv_u64(rd, key, &v, out);
}

static int read_uint(struct rd *rd, const char *key, unsigned int *out)
{
	uint64_t v = 0;
	bool present;
	int err = read_u64(rd, key, &present, &v);

	if (err)
		return err;
	if (v > UINT_MAX)
		return rd_fail(rd, "'%s' is %llu: too large", key,
			       (unsigned long long)v);
	*out = (unsigned int)v;
	return 0;
}

/* A signed index (kdamond_idx, target_id); null is 0 unless required. */
static int read_int(struct rd *rd, const char *key, bool required, int *out)
{
	struct jval v;
	char d[80];
	uint64_t u;
	int err = jp_value(&rd->jp, &v);

	if (err)
		return syntax(rd, err);
	*out = 0;
	if (v.type == JT_NULL && !required)
		return 0;
	if (v.type == JT_NUM && v.is_int && v.fits &&
	    v.u <= (v.neg ? (uint64_t)INT_MAX + 1 : (uint64_t)INT_MAX)) {
		*out = v.neg ? (int)(0 - v.u) : (int)v.u;
		return 0;
	}
	if (v.type == JT_STR && str_to_u64(v.str, &u) && u <= INT_MAX) {
		*out = (int)u;
		return 0;
	}
	describe(&v, d, sizeof(d));
	return rd_fail(rd, "'%s' is %s: expected an integer", key, d);
}

/* Is the next value of type t? null gives false and is consumed. */
static int want_type(struct rd *rd, const char *key, enum jtype t,
		     bool nullable, bool *is_null)
{
	enum jtype got;
	int err = jp_peek(&rd->jp, &got);

	if (err)
		return syntax(rd, err);
	*is_null = false;
	if (got == JT_NULL && nullable) {
		*is_null = true;
		return syntax(rd, jp_skip(&rd->jp));
	}
	if (got != t)
		return rd_fail(rd, "'%s' is %s: expected %s", key,
			       type_name(got), type_name(t));
	return 0;
}

/* The next value must be an object: "is a number: expected a <what>". */
static int want_obj(struct rd *rd, const char *what)
{
	enum jtype t;
	int err = syntax(rd, jp_peek(&rd->jp, &t));

	if (err)
		return err;
	if (t != JT_OBJ)
		return rd_fail(rd, "is %s: expected %s", type_name(t), what);
	return 0;
}

/* Key iteration with the syntax errors turned into messages. */
static int next_key(struct rd *rd, bool *first, char *key, size_t cap,
		    bool *done)
{
	return syntax(rd, jp_obj_next(&rd->jp, first, key, cap, done));
}

static int next_item(struct rd *rd, bool *first, bool *done)
{
	return syntax(rd, jp_arr_next(&rd->jp, first, done));
}

static int skip_value(struct rd *rd)
{
	return syntax(rd, jp_skip(&rd->jp));
}

#define KEY_LEN	40

/* ---- structure --------------------------------------------------------- */

static int read_goal(struct rd *rd, struct udamon_intervals_goal *g)
{
	static const char *const names[] = { "access_bp", "aggrs",
					     "min_sample_us", "max_sample_us" };
	uint64_t *fields[] = { &g->access_bp, &g->aggrs, &g->min_sample_us,
			       &g->max_sample_us };
	bool first = true, done = false, seen[4] = { false };
	char key[KEY_LEN];
	size_t mark = path_push(rd, ".intervals_goal"), i;
	int err = syntax(rd, jp_obj_begin(&rd->jp));

	while (!err) {
		err = next_key(rd, &first, key, sizeof(key), &done);
		if (err || done)
			break;
		for (i = 0; i < 4 && strcmp(key, names[i]); i++)
			;
		if (i == 4) {
			err = skip_value(rd);
			continue;
		}
		err = read_u64(rd, key, NULL, fields[i]);
		seen[i] = true;
	}
	for (i = 0; i < 4 && !err; i++)
		if (!seen[i])
			err = rd_fail(rd, "missing key '%s'", names[i]);
	if (!err)
		path_pop(rd, mark);
	return err;
}

static int read_intervals(struct rd *rd, struct udamon_record *r)
{
	bool first = true, done = false, is_null;
	bool s = false, a = false, u = false;
	char key[KEY_LEN];
	size_t mark;
	int err = want_type(rd, "intervals", JT_OBJ, true, &is_null);

	if (err || is_null)
		return err;
	mark = path_push(rd, ".intervals");
	err = syntax(rd, jp_obj_begin(&rd->jp));
	while (!err) {
		err = next_key(rd, &first, key, sizeof(key), &done);
		if (err || done)
			break;
		if (!strcmp(key, "sample_us")) {
			err = read_u64(rd, key, NULL, &r->sample_us);
			s = true;
		} else if (!strcmp(key, "aggr_us")) {
			err = read_u64(rd, key, NULL, &r->aggr_us);
			a = true;
		} else if (!strcmp(key, "ops_update_us")) {
			err = read_u64(rd, key, NULL, &r->ops_update_us);
			u = true;
		} else if (!strcmp(key, "intervals_goal")) {
			err = want_type(rd, key, JT_OBJ, true, &is_null);
			if (!err && !is_null) {
				err = read_goal(rd, &r->goal);
				/* damo writes aggrs 0 for "no goal" */
				r->has_goal = !err && r->goal.aggrs != 0;
			}
		} else {
			err = skip_value(rd);
		}
	}
	if (!err && (!s || !a || !u))
		err = rd_fail(rd, "missing key '%s'", !s ? "sample_us" :
			      !a ? "aggr_us" : "ops_update_us");
	if (!err && (!r->sample_us || r->aggr_us < r->sample_us))
		err = rd_fail(rd, "sample_us (%llu) must be positive and not above aggr_us (%llu)",
			      (unsigned long long)r->sample_us,
			      (unsigned long long)r->aggr_us);
	if (!err)
		path_pop(rd, mark);
	return err;
}

static int read_udamon(struct rd *rd, struct udamon_record *r)
{
	bool first = true, done = false, is_null;
	char key[KEY_LEN];
	size_t mark;
	int err = want_type(rd, "udamon", JT_OBJ, true, &is_null);

	if (err || is_null)
		return err;
	mark = path_push(rd, ".udamon");
	err = syntax(rd, jp_obj_begin(&rd->jp));
	while (!err) {
		err = next_key(rd, &first, key, sizeof(key), &done);
		if (err || done)
			break;
		if (!strcmp(key, "nr_cpus")) {
			err = read_uint(rd, key, &r->nr_cpus);
		} else if (!strcmp(key, "lost_events")) {
			err = read_u64(rd, key, &is_null, &r->lost_events);
		} else if (!strcmp(key, "filters")) {
			err = want_type(rd, key, JT_STR, true, &is_null);
			if (!err && !is_null) {
				free(r->filters_desc);
				r->filters_desc = NULL;
				err = syntax(rd, jp_str_dup(&rd->jp,
							    &r->filters_desc));
			}
		} else {
			err = skip_value(rd);
		}
	}
	if (!err)
		path_pop(rd, mark);
	return err;
}

static int read_cpu_samples(struct rd *rd, struct udamon_snapshot_region *r)
{
	bool first = true, done = false, is_null;
	size_t n = 0, cap = 0;
	uint32_t *a = NULL, *na;
	uint64_t v;
	int err = want_type(rd, "udamon_cpu_samples", JT_ARR, true, &is_null);

	if (err || is_null)
		return err;
	err = syntax(rd, jp_arr_begin(&rd->jp));
	while (!err) {
		err = next_item(rd, &first, &done);
		if (err || done)
			break;
		err = read_u64(rd, "udamon_cpu_samples", NULL, &v);
		if (!err && v > UINT32_MAX)
			err = rd_fail(rd, "'udamon_cpu_samples' entry %zu is too large",
				      n);
		if (!err && n == cap) {
			cap = cap ? cap * 2 : 8;
			na = realloc(a, cap * sizeof(*a));
			if (!na)
				err = -ENOMEM;
			else
				a = na;
		}
		if (!err)
			a[n++] = (uint32_t)v;
	}
	if (!err && rd->cpu_seen && n != rd->cpu_len)
		err = rd_fail(rd, "'udamon_cpu_samples' has %zu entries, other regions %zu",
			      n, rd->cpu_len);
	if (err) {
		free(a);
		return err;
	}
	rd->cpu_seen = true;
	rd->cpu_len = n;
	free(r->cpu_samples);
	r->cpu_samples = n ? a : NULL;
	if (!n)
		free(a);
	return 0;
}

static int read_accesses(struct rd *rd, unsigned int *samples)
{
	bool first = true, done = false, seen = false, is_null;
	char key[KEY_LEN];
	size_t mark;
	int err = want_type(rd, "nr_accesses", JT_OBJ, false, &is_null);

	if (err)
		return err;
	mark = path_push(rd, ".nr_accesses");
	err = syntax(rd, jp_obj_begin(&rd->jp));
	while (!err) {
		err = next_key(rd, &first, key, sizeof(key), &done);
		if (err || done)
			break;
		if (!strcmp(key, "samples")) {
			err = read_uint(rd, key, samples);
			seen = true;
		} else {
			err = skip_value(rd);	/* percent: from samples */
		}
	}
	if (!err && !seen)
		err = rd_fail(rd, "missing key 'samples'");
	if (!err)
		path_pop(rd, mark);
	return err;
}

/*
 * aggr_intervals, else usec (damo may write usec as text, "300 ms": only a
 * fallback, resolved when the snapshot's aggregation interval is known).
 */
static int read_age(struct rd *rd, unsigned int *age, bool *by_usec,
		    uint64_t *usec)
{
	bool first = true, done = false, has_iv = false, is_null;
	struct jval uv = { .type = JT_NULL };
	uint64_t iv = 0;
	char key[KEY_LEN];
	size_t mark;
	int err = want_type(rd, "age", JT_OBJ, false, &is_null);

	if (err)
		return err;
	mark = path_push(rd, ".age");
	err = syntax(rd, jp_obj_begin(&rd->jp));
	while (!err) {
		err = next_key(rd, &first, key, sizeof(key), &done);
		if (err || done)
			break;
		if (!strcmp(key, "aggr_intervals"))
			err = read_u64(rd, key, &has_iv, &iv);
		else if (!strcmp(key, "usec"))
			err = syntax(rd, jp_value(&rd->jp, &uv));
		else
			err = skip_value(rd);
	}
	*by_usec = false;
	if (!err && !has_iv) {
		if (uv.type == JT_NULL)
			err = rd_fail(rd, "missing key 'aggr_intervals' (or 'usec')");
		else if (uv.type != JT_STR ||
			 udamon_parse_time_us(uv.str, 1, usec, NULL, 0))
			err = conv_u64(rd, "usec", &uv, usec);	/* "300 ms" too */
		*by_usec = true;
	}
	if (!err && iv > UINT_MAX)
		err = rd_fail(rd, "'aggr_intervals' is %llu: too large",
			      (unsigned long long)iv);
	*age = (unsigned int)iv;
	if (!err)
		path_pop(rd, mark);
	return err;
}

static int add_pending(struct rd *rd, size_t snap, size_t region,
		       uint64_t usec)
{
	struct pending_age *n;

	if (rd->nr_pending == rd->cap_pending) {
		size_t cap = rd->cap_pending ? rd->cap_pending * 2 : 64;

		n = realloc(rd->pending, cap * sizeof(*n));
		if (!n)
			return -ENOMEM;
		rd->pending = n;
		rd->cap_pending = cap;
	}
	rd->pending[rd->nr_pending++] = (struct pending_age){ snap, region,
							      usec };
	return 0;
}

enum { R_START = 1, R_END = 2, R_ACC = 4, R_AGE = 8 };

static int read_region(struct rd *rd, size_t snap_idx, size_t idx,
		       struct udamon_snapshot_region *r)
{
	static const char *const req[] = { "start", "end", "nr_accesses",
					   "age" };
	bool first = true, done = false, by_usec = false;
	char key[KEY_LEN];
	uint64_t usec = 0;
	unsigned int seen = 0, i;
	int err = want_obj(rd, "a region object");

	if (err)
		return err;
	err = syntax(rd, jp_obj_begin(&rd->jp));
	while (!err) {
		err = next_key(rd, &first, key, sizeof(key), &done);
		if (err || done)
			break;
		if (!strcmp(key, "start")) {
			err = read_u64(rd, key, NULL, &r->start);
			seen |= R_START;
		} else if (!strcmp(key, "end")) {
			err = read_u64(rd, key, NULL, &r->end);
			seen |= R_END;
		} else if (!strcmp(key, "nr_accesses")) {
			err = read_accesses(rd, &r->nr_accesses);
			seen |= R_ACC;
		} else if (!strcmp(key, "age")) {
			err = read_age(rd, &r->age, &by_usec, &usec);
			seen |= R_AGE;
		} else if (!strcmp(key, "udamon_cpu_samples")) {
			err = read_cpu_samples(rd, r);
		} else {
			err = skip_value(rd);
		}
	}
	for (i = 0; i < 4 && !err; i++)
		if (!(seen & (1u << i)))
			err = rd_fail(rd, "missing key '%s'", req[i]);
	if (!err && r->end <= r->start)
		err = rd_fail(rd, "end (%llu) is not above start (%llu)",
			      (unsigned long long)r->end,
			      (unsigned long long)r->start);
	if (!err && by_usec)
		err = add_pending(rd, snap_idx, idx, usec);
	return err;
}

static int read_regions(struct rd *rd, size_t snap_idx,
			struct udamon_snapshot *s)
{
	bool first = true, done = false, is_null;
	size_t cap = 0, mark;
	struct udamon_snapshot_region *n;
	int err = want_type(rd, "regions", JT_ARR, false, &is_null);

	if (err)
		return err;
	err = syntax(rd, jp_arr_begin(&rd->jp));
	while (!err) {
		err = next_item(rd, &first, &done);
		if (err || done)
			break;
		if (s->nr_regions == cap) {
			cap = cap ? cap * 2 : 16;
			n = realloc(s->regions, cap * sizeof(*n));
			if (!n)
				return -ENOMEM;
			s->regions = n;
		}
		/* counted first so that a half-read region is freed too */
		memset(&s->regions[s->nr_regions], 0, sizeof(*n));
		mark = path_push(rd, ".regions[%zu]", s->nr_regions);
		s->nr_regions++;
		err = read_region(rd, snap_idx, s->nr_regions - 1,
				  &s->regions[s->nr_regions - 1]);
		if (!err)
			path_pop(rd, mark);
	}
	return err;
}

enum { S_START = 1, S_END = 2, S_REGIONS = 4 };

static int read_snapshot(struct rd *rd, size_t idx, struct udamon_snapshot *s)
{
	static const char *const req[] = { "start_time", "end_time",
					   "regions" };
	bool first = true, done = false;
	bool has_total = false, has_sample = false, has_aggr = false;
	uint64_t sample_us = 0, aggr_us = 0;
	char key[KEY_LEN];
	unsigned int seen = 0, i;
	int err = want_obj(rd, "a snapshot object");

	if (err)
		return err;
	err = syntax(rd, jp_obj_begin(&rd->jp));
	while (!err) {
		err = next_key(rd, &first, key, sizeof(key), &done);
		if (err || done)
			break;
		if (!strcmp(key, "start_time")) {
			err = read_u64(rd, key, NULL, &s->start_time_ns);
			seen |= S_START;
		} else if (!strcmp(key, "end_time")) {
			err = read_u64(rd, key, NULL, &s->end_time_ns);
			seen |= S_END;
		} else if (!strcmp(key, "total_bytes")) {
			err = read_u64(rd, key, &has_total, &s->total_bytes);
		} else if (!strcmp(key, "sample_interval_us")) {
			err = read_u64(rd, key, &has_sample, &sample_us);
		} else if (!strcmp(key, "udamon_aggr_us")) {
			err = read_u64(rd, key, &has_aggr, &aggr_us);
		} else if (!strcmp(key, "regions")) {
			err = read_regions(rd, idx, s);
			seen |= S_REGIONS;
		} else {
			err = skip_value(rd);
		}
	}
	for (i = 0; i < 3 && !err; i++)
		if (!(seen & (1u << i)))
			err = rd_fail(rd, "missing key '%s'", req[i]);
	if (!err && s->end_time_ns < s->start_time_ns)
		err = rd_fail(rd, "end_time (%llu) is before start_time (%llu)",
			      (unsigned long long)s->end_time_ns,
			      (unsigned long long)s->start_time_ns);
	if (err)
		return err;
	/*
	 * Per-snapshot intervals only from udamon's own files: damo writes
	 * its sample_interval_us in nanoseconds, so there the record's hold
	 * (filled in when the record is complete).
	 */
	if (has_aggr && aggr_us && has_sample && sample_us) {
		s->sample_us = sample_us;
		s->aggr_us = aggr_us;
	}
	if (!has_total)
		for (i = 0; i < s->nr_regions; i++)
			s->total_bytes += s->regions[i].end -
				s->regions[i].start;
	return 0;
}

static int read_snapshots(struct rd *rd, struct udamon_record *r)
{
	bool first = true, done = false, is_null;
	struct udamon_snapshot *n;
	size_t mark;
	int err = want_type(rd, "snapshots", JT_ARR, false, &is_null);

	if (err)
		return err;
	err = syntax(rd, jp_arr_begin(&rd->jp));
	while (!err) {
		err = next_item(rd, &first, &done);
		if (err || done)
			break;
		if (r->nr_snapshots == r->cap_snapshots) {
			size_t cap = r->cap_snapshots ? r->cap_snapshots * 2 : 16;

			n = realloc(r->snapshots, cap * sizeof(*n));
			if (!n)
				return -ENOMEM;
			r->snapshots = n;
			r->cap_snapshots = cap;
		}
		memset(&r->snapshots[r->nr_snapshots], 0, sizeof(*n));
		mark = path_push(rd, ".snapshots[%zu]", r->nr_snapshots);
		r->nr_snapshots++;
		err = read_snapshot(rd, r->nr_snapshots - 1,
				    &r->snapshots[r->nr_snapshots - 1]);
		if (!err)
			path_pop(rd, mark);
	}
	return err;
}

/* What needs the whole record: intervals, usec-only ages, cpu samples. */
static int finish_record(struct rd *rd, struct udamon_record *r)
{
	size_t i;

	for (i = 0; i < r->nr_snapshots; i++) {
		if (r->snapshots[i].aggr_us)
			continue;
		r->snapshots[i].sample_us = r->sample_us;
		r->snapshots[i].aggr_us = r->aggr_us;
	}
	for (i = 0; i < rd->nr_pending; i++) {
		struct pending_age *p = &rd->pending[i];
		uint64_t aggr = r->snapshots[p->snap].aggr_us;
		uint64_t age = aggr ? p->usec / aggr : 0;

		r->snapshots[p->snap].regions[p->region].age =
			age > UINT_MAX ? UINT_MAX : (unsigned int)age;
	}
	if (rd->cpu_seen && rd->cpu_len && rd->cpu_len != r->nr_cpus)
		return rd_fail(rd, "'udamon_cpu_samples' has %zu entries but udamon.nr_cpus is %u",
			       rd->cpu_len, r->nr_cpus);
	return 0;
}

static int read_record(struct rd *rd, struct udamon_record *r)
{
	bool first = true, done = false, has_tid = false;
	bool has_snaps = false;
	char key[KEY_LEN];
	int err;

	/* old damo records may lack intervals: damo's defaults then */
	r->sample_us = 5000;
	r->aggr_us = 100000;
	r->ops_update_us = 1000000;
	rd->nr_pending = 0;
	rd->cpu_seen = false;
	rd->cpu_len = 0;
	err = want_obj(rd, "a record object");
	if (err)
		return err;
	err = syntax(rd, jp_obj_begin(&rd->jp));
	while (!err) {
		err = next_key(rd, &first, key, sizeof(key), &done);
		if (err || done)
			break;
		if (!strcmp(key, "kdamond_idx")) {
			err = read_int(rd, key, false, &r->kdamond_idx);
		} else if (!strcmp(key, "context_idx")) {
			err = read_int(rd, key, false, &r->context_idx);
		} else if (!strcmp(key, "target_id")) {
			err = read_int(rd, key, true, &r->target_id);
			has_tid = true;
		} else if (!strcmp(key, "intervals")) {
			err = read_intervals(rd, r);
		} else if (!strcmp(key, "udamon")) {
			err = read_udamon(rd, r);
		} else if (!strcmp(key, "snapshots")) {
			err = read_snapshots(rd, r);
			has_snaps = true;
		} else {
			err = skip_value(rd);
		}
	}
	if (!err && !has_tid)
		err = rd_fail(rd, "missing key 'target_id'");
	if (!err && !has_snaps)
		err = rd_fail(rd, "missing key 'snapshots'");
	return err ? err : finish_record(rd, r);
}

static int read_records(struct rd *rd, struct udamon_record **recs,
			size_t *nr)
{
	struct udamon_record *r = NULL, *nrp;
	bool first = true, done = false;
	size_t n = 0, cap = 0, mark;
	enum jtype t;
	int err = syntax(rd, jp_peek(&rd->jp, &t));

	if (!err && t != JT_ARR) {
		struct jval v;

		err = syntax(rd, jp_value(&rd->jp, &v));
		return err ? err : rd_fail(rd, "the top level is %s: expected an array of records",
					   type_name(t));
	}
	if (!err)
		err = syntax(rd, jp_arr_begin(&rd->jp));
	while (!err) {
		err = next_item(rd, &first, &done);
		if (err || done)
			break;
		if (n == cap) {
			cap = cap ? cap * 2 : 4;
			nrp = realloc(r, cap * sizeof(*r));
			if (!nrp) {
				err = -ENOMEM;
				break;
			}
			r = nrp;
		}
		memset(&r[n], 0, sizeof(*r));
		mark = path_push(rd, "[%zu]", n);
		n++;
		err = read_record(rd, &r[n - 1]);
		if (!err)
			path_pop(rd, mark);
	}
	if (!err && !jp_at_end(&rd->jp)) {
		rd->jp.msg[0] = '\0';
		err = rd_fail(rd, "not valid JSON: unexpected text after the records");
	}
	free(rd->pending);
	rd->pending = NULL;
	if (err) {
		udamon_records_free(r, n);
		return err;
	}
	if (!r)
		r = calloc(1, sizeof(*r));
	if (!r)
		return -ENOMEM;
	*recs = r;
	*nr = n;
	return 0;
}

/* ---- bytes: file, zlib, JSON text -------------------------------------- */

static int slurp(struct rd *rd, unsigned char **out, size_t *len)
{
	FILE *f = fopen(rd->file, "rb");
	size_t cap = 1 << 16, n = 0, got;
	unsigned char *buf, *nb;
	int err;

	if (!f) {
		err = -errno;
		rd_fail(rd, "cannot open: %s", strerror(errno));
		return err;
	}
	buf = malloc(cap + 1);
	while (buf) {
		got = fread(buf + n, 1, cap - n, f);
		n += got;
		if (n < cap)
			break;
		cap *= 2;
		nb = realloc(buf, cap + 1);
		if (!nb)
			free(buf);
		buf = nb;
	}
	err = ferror(f) ? -EIO : 0;
	fclose(f);
	if (!buf)
		return -ENOMEM;
	if (err) {
		free(buf);
		return rd_fail(rd, "read error");
	}
	buf[n] = '\0';
	*out = buf;
	*len = n;
	return 0;
}

static int inflate_all(struct rd *rd, unsigned char *in, size_t inlen,
		       unsigned char **out, size_t *outlen)
{
	size_t cap = inlen * 4 + 4096;
	unsigned char *buf = malloc(cap + 1), *nb;
	z_stream zs;
	int ret;

	if (!buf)
		return -ENOMEM;
	memset(&zs, 0, sizeof(zs));
	if (inflateInit(&zs) != Z_OK) {
		free(buf);
		return -ENOMEM;
	}
	zs.next_in = in;
	zs.avail_in = (uInt)inlen;
	for (;;) {
		zs.next_out = buf + zs.total_out;
		zs.avail_out = (uInt)(cap - zs.total_out);
		ret = inflate(&zs, Z_NO_FLUSH);
		if (ret == Z_STREAM_END)
			break;
		if (ret == Z_BUF_ERROR && zs.avail_in == 0)
			ret = Z_DATA_ERROR;	/* truncated stream */
		if (ret != Z_OK && ret != Z_BUF_ERROR) {
			rd_fail(rd, "not a valid zlib stream (%s)",
				zs.msg ? zs.msg : "truncated data");
			inflateEnd(&zs);
			free(buf);
			return -EINVAL;
		}
		if (zs.avail_out == 0) {
			cap *= 2;
			nb = realloc(buf, cap + 1);
			if (!nb) {
				inflateEnd(&zs);
				free(buf);
				return -ENOMEM;
			}
			buf = nb;
		}
	}
	*outlen = zs.total_out;
	buf[*outlen] = '\0';
	inflateEnd(&zs);
	*out = buf;
	return 0;
}

int udamon_record_read(const char *path, struct udamon_record **recs,
		       size_t *nr, char *err, size_t errlen)
{
	struct rd rd = { .file = path, .err = err, .errlen = errlen };
	unsigned char *raw = NULL, *text;
	size_t len = 0, tlen;
	int ret;

	ret = slurp(&rd, &raw, &len);
	if (ret)
		return ret;
	if (!len) {
		free(raw);
		return rd_fail(&rd, "empty file: expected a JSON array of records, plain or zlib-compressed");
	}
	if (raw[0] == 0x78) {		/* zlib header (deflate, 32K window) */
		ret = inflate_all(&rd, raw, len, &text, &tlen);
		free(raw);
		if (ret)
			return ret;
	} else {
		text = raw;
		tlen = len;
	}
	if (memchr(text, '\0', tlen)) {
		free(text);
		return rd_fail(&rd, "not a record file: it holds binary data (expected JSON, plain or zlib-compressed)");
	}
	jp_init(&rd.jp, (const char *)text, tlen);
	ret = read_records(&rd, recs, nr);
	free(text);
	return ret;
}
