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

#include <json-c/json.h>

#include "udamon/record.h"

#define PATH_LEN	192

struct rd {
	const char *file;
	char *err;
	size_t errlen;
	char path[PATH_LEN];	/* JSON path of the object being read */
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

static const char *type_name(struct json_object *o)
{
	switch (json_object_get_type(o)) {
	case json_type_null:
		return "null";
	case json_type_boolean:
		return "a boolean";
	case json_type_double:
	case json_type_int:
		return "a number";
	case json_type_object:
		return "an object";
	case json_type_array:
		return "an array";
	case json_type_string:
		return "a string";
	}
	return "something else";
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

static int val_u64(struct rd *rd, struct json_object *o, const char *key,
		   uint64_t *out)
{
	double d;

	switch (json_object_get_type(o)) {
	case json_type_int:
		if (json_object_get_int64(o) < 0)
			break;
		*out = json_object_get_uint64(o);
		return 0;
	case json_type_double:
		d = json_object_get_double(o);
		if (!(d >= 0) || d >= 18446744073709551616.0)
			break;
		*out = (uint64_t)d;
		return 0;
	case json_type_string:
		if (str_to_u64(json_object_get_string(o), out))
			return 0;
		return rd_fail(rd, "'%s' is \"%s\": expected a non-negative integer",
			       key, json_object_get_string(o));
	default:
		return rd_fail(rd, "'%s' is %s: expected a non-negative integer",
			       key, type_name(o));
	}
	return rd_fail(rd, "'%s' is %s: expected a non-negative integer", key,
		       json_object_to_json_string(o));
}

/* Fetch key of obj; missing is an error unless optional (then *v = NULL). */
static int get_key(struct rd *rd, struct json_object *obj, const char *key,
		   bool optional, struct json_object **v)
{
	*v = NULL;
	if (!json_object_object_get_ex(obj, key, v)) {
		if (optional)
			return 0;
		return rd_fail(rd, "missing key '%s'", key);
	}
	if (!*v && !optional)
		return rd_fail(rd, "'%s' is null: expected a value", key);
	return 0;
}

static int get_u64(struct rd *rd, struct json_object *obj, const char *key,
		   bool optional, bool *present, uint64_t *out)
{
	struct json_object *v;
	int err = get_key(rd, obj, key, optional, &v);

	if (present)
		*present = false;
	if (err || !v)
		return err;
	err = val_u64(rd, v, key, out);
	if (!err && present)
		*present = true;
	return err;
}

static int get_uint(struct rd *rd, struct json_object *obj, const char *key,
		    bool optional, unsigned int *out)
{
	uint64_t v = 0;
	int err = get_u64(rd, obj, key, optional, NULL, &v);

	if (err)
		return err;
	if (v > UINT_MAX)
		return rd_fail(rd, "'%s' is %llu: too large", key,
			       (unsigned long long)v);
	*out = (unsigned int)v;
	return 0;
}

/* A signed index (kdamond_idx, target_id); null or missing means 0. */
static int get_int(struct rd *rd, struct json_object *obj, const char *key,
		   bool optional, int *out)
{
	struct json_object *v;
	int64_t x;
	int err = get_key(rd, obj, key, optional, &v);

	*out = 0;
	if (err || !v)
		return err;
	if (json_object_get_type(v) == json_type_string) {
		uint64_t u;

		if (!str_to_u64(json_object_get_string(v), &u) || u > INT_MAX)
			return rd_fail(rd, "'%s' is \"%s\": expected an integer",
				       key, json_object_get_string(v));
		*out = (int)u;
		return 0;
	}
	if (json_object_get_type(v) != json_type_int)
		return rd_fail(rd, "'%s' is %s: expected an integer", key,
			       type_name(v));
	x = json_object_get_int64(v);
	if (x < INT_MIN || x > INT_MAX)
		return rd_fail(rd, "'%s' is %lld: out of range", key,
			       (long long)x);
	*out = (int)x;
	return 0;
}

static int get_typed(struct rd *rd, struct json_object *obj, const char *key,
		     bool optional, enum json_type type, const char *tname,
		     struct json_object **v)
{
	int err = get_key(rd, obj, key, optional, v);

	if (err || !*v)
		return err;
	if (!json_object_is_type(*v, type))
		return rd_fail(rd, "'%s' is %s: expected %s", key, type_name(*v),
			       tname);
	return 0;
}

/* ---- structure --------------------------------------------------------- */

static int read_goal(struct rd *rd, struct json_object *o,
		     struct udamon_intervals_goal *g)
{
	size_t mark = path_push(rd, ".intervals_goal");
	int err;

	err = get_u64(rd, o, "access_bp", false, NULL, &g->access_bp);
	if (!err)
		err = get_u64(rd, o, "aggrs", false, NULL, &g->aggrs);
	if (!err)
		err = get_u64(rd, o, "min_sample_us", false, NULL,
			      &g->min_sample_us);
	if (!err)
		err = get_u64(rd, o, "max_sample_us", false, NULL,
			      &g->max_sample_us);
	path_pop(rd, mark);
	return err;
}

static int read_intervals(struct rd *rd, struct json_object *rec_obj,
			  struct udamon_record *r)
{
	struct json_object *o, *goal;
	size_t mark;
	int err;

	/* old damo records may lack intervals: damo's defaults then */
	r->sample_us = 5000;
	r->aggr_us = 100000;
	r->ops_update_us = 1000000;
	err = get_typed(rd, rec_obj, "intervals", true, json_type_object,
			"an object", &o);
	if (err || !o)
		return err;
	mark = path_push(rd, ".intervals");
	err = get_u64(rd, o, "sample_us", false, NULL, &r->sample_us);
	if (!err)
		err = get_u64(rd, o, "aggr_us", false, NULL, &r->aggr_us);
	if (!err)
		err = get_u64(rd, o, "ops_update_us", false, NULL,
			      &r->ops_update_us);
	if (!err && (!r->sample_us || r->aggr_us < r->sample_us))
		err = rd_fail(rd, "sample_us (%llu) must be positive and not above aggr_us (%llu)",
			      (unsigned long long)r->sample_us,
			      (unsigned long long)r->aggr_us);
	if (!err)
		err = get_typed(rd, o, "intervals_goal", true, json_type_object,
				"an object", &goal);
	if (!err && goal) {
		err = read_goal(rd, goal, &r->goal);
		/* damo writes a goal with aggrs 0 for "no goal" */
		r->has_goal = !err && r->goal.aggrs != 0;
	}
	path_pop(rd, mark);
	return err;
}

static int read_udamon(struct rd *rd, struct json_object *rec_obj,
		       struct udamon_record *r)
{
	struct json_object *o, *filters;
	size_t mark;
	int err;

	err = get_typed(rd, rec_obj, "udamon", true, json_type_object,
			"an object", &o);
	if (err || !o)
		return err;
	mark = path_push(rd, ".udamon");
	err = get_uint(rd, o, "nr_cpus", true, &r->nr_cpus);
	if (!err)
		err = get_u64(rd, o, "lost_events", true, NULL, &r->lost_events);
	if (!err)
		err = get_typed(rd, o, "filters", true, json_type_string,
				"a string", &filters);
	if (!err && filters) {
		r->filters_desc = strdup(json_object_get_string(filters));
		if (!r->filters_desc)
			err = -ENOMEM;
	}
	path_pop(rd, mark);
	return err;
}

static int read_cpu_samples(struct rd *rd, struct json_object *reg,
			    const struct udamon_record *rec,
			    struct udamon_snapshot_region *r)
{
	struct json_object *arr;
	size_t i, n;
	int err;

	err = get_typed(rd, reg, "udamon_cpu_samples", true, json_type_array,
			"an array", &arr);
	if (err || !arr)
		return err;
	n = json_object_array_length(arr);
	if (n != rec->nr_cpus)
		return rd_fail(rd, "'udamon_cpu_samples' has %zu entries but udamon.nr_cpus is %u",
			       n, rec->nr_cpus);
	if (!n)
		return 0;
	r->cpu_samples = calloc(n, sizeof(uint32_t));
	if (!r->cpu_samples)
		return -ENOMEM;
	for (i = 0; i < n; i++) {
		uint64_t v;

		err = val_u64(rd, json_object_array_get_idx(arr, i),
			      "udamon_cpu_samples", &v);
		if (err)
			return err;
		if (v > UINT32_MAX)
			return rd_fail(rd, "'udamon_cpu_samples' entry %zu is too large",
				       i);
		r->cpu_samples[i] = (uint32_t)v;
	}
	return 0;
}

static int read_age(struct rd *rd, struct json_object *reg, uint64_t aggr_us,
		    unsigned int *age)
{
	struct json_object *o;
	uint64_t usec = 0, intervals = 0;
	bool has_usec = false, has_intervals = false;
	size_t mark;
	int err;

	err = get_typed(rd, reg, "age", false, json_type_object, "an object",
			&o);
	if (err)
		return err;
	mark = path_push(rd, ".age");
	/* damo may write usec as text ("300 ms"): only a fallback */
	err = get_u64(rd, o, "aggr_intervals", true, &has_intervals,
		      &intervals);
	if (!err && !has_intervals)
		err = get_u64(rd, o, "usec", true, &has_usec, &usec);
	if (!err && !has_intervals) {
		if (!has_usec)
			err = rd_fail(rd, "missing key 'aggr_intervals' (or 'usec')");
		else
			intervals = aggr_us ? usec / aggr_us : 0;
	}
	if (!err && intervals > UINT_MAX)
		err = rd_fail(rd, "'aggr_intervals' is %llu: too large",
			      (unsigned long long)intervals);
	path_pop(rd, mark);
	*age = (unsigned int)intervals;
	return err;
}

static int read_region(struct rd *rd, struct json_object *reg,
		       const struct udamon_record *rec, uint64_t aggr_us,
		       struct udamon_snapshot_region *r)
{
	struct json_object *acc;
	size_t mark;
	int err;

	if (!json_object_is_type(reg, json_type_object))
		return rd_fail(rd, "is %s: expected a region object",
			       type_name(reg));
	err = get_u64(rd, reg, "start", false, NULL, &r->start);
	if (!err)
		err = get_u64(rd, reg, "end", false, NULL, &r->end);
	if (!err && r->end <= r->start)
		err = rd_fail(rd, "end (%llu) is not above start (%llu)",
			      (unsigned long long)r->end,
			      (unsigned long long)r->start);
	if (!err)
		err = get_typed(rd, reg, "nr_accesses", false, json_type_object,
				"an object", &acc);
	if (err)
		return err;
	mark = path_push(rd, ".nr_accesses");
	err = get_uint(rd, acc, "samples", false, &r->nr_accesses);
	path_pop(rd, mark);
	if (!err)
		err = read_age(rd, reg, aggr_us, &r->age);
	if (!err)
		err = read_cpu_samples(rd, reg, rec, r);
	return err;
}

static int read_regions(struct rd *rd, struct json_object *arr,
			const struct udamon_record *rec, uint64_t aggr_us,
			struct udamon_snapshot *s)
{
	size_t i, n = json_object_array_length(arr);
	size_t mark;
	int err = 0;

	if (!n)
		return 0;
	s->regions = calloc(n, sizeof(*s->regions));
	if (!s->regions)
		return -ENOMEM;
	s->nr_regions = n;
	for (i = 0; i < n && !err; i++) {
		mark = path_push(rd, ".regions[%zu]", i);
		err = read_region(rd, json_object_array_get_idx(arr, i), rec,
				  aggr_us, &s->regions[i]);
		if (!err)
			path_pop(rd, mark);
	}
	return err;
}

static int read_snapshot(struct rd *rd, struct json_object *o,
			 struct udamon_record *rec, struct udamon_snapshot *s)
{
	struct json_object *regions;
	bool has_total, has_sample, has_aggr;
	uint64_t sample_us = 0, aggr_us = 0;
	size_t i;
	int err;

	if (!json_object_is_type(o, json_type_object))
		return rd_fail(rd, "is %s: expected a snapshot object",
			       type_name(o));
	err = get_u64(rd, o, "start_time", false, NULL, &s->start_time_ns);
	if (!err)
		err = get_u64(rd, o, "end_time", false, NULL, &s->end_time_ns);
	if (!err && s->end_time_ns < s->start_time_ns)
		err = rd_fail(rd, "end_time (%llu) is before start_time (%llu)",
			      (unsigned long long)s->end_time_ns,
			      (unsigned long long)s->start_time_ns);
	if (!err)
		err = get_u64(rd, o, "total_bytes", true, &has_total,
			      &s->total_bytes);
	if (!err)
		err = get_u64(rd, o, "sample_interval_us", true, &has_sample,
			      &sample_us);
	if (!err)
		err = get_u64(rd, o, "udamon_aggr_us", true, &has_aggr,
			      &aggr_us);
	if (!err)
		err = get_typed(rd, o, "regions", false, json_type_array,
				"an array", &regions);
	if (err)
		return err;
	/*
	 * Per-snapshot intervals only from udamon's own files: damo writes
	 * its sample_interval_us in nanoseconds, so there the record's hold.
	 */
	if (has_aggr && aggr_us && has_sample && sample_us) {
		s->sample_us = sample_us;
		s->aggr_us = aggr_us;
	} else {
		s->sample_us = rec->sample_us;
		s->aggr_us = rec->aggr_us;
	}
	err = read_regions(rd, regions, rec, s->aggr_us, s);
	if (err || has_total)
		return err;
	for (i = 0; i < s->nr_regions; i++)
		s->total_bytes += s->regions[i].end - s->regions[i].start;
	return 0;
}

static int read_snapshots(struct rd *rd, struct json_object *arr,
			  struct udamon_record *r)
{
	size_t i, n = json_object_array_length(arr);
	size_t mark;
	int err = 0;

	if (!n)
		return 0;
	r->snapshots = calloc(n, sizeof(*r->snapshots));
	if (!r->snapshots)
		return -ENOMEM;
	r->cap_snapshots = n;
	for (i = 0; i < n && !err; i++) {
		mark = path_push(rd, ".snapshots[%zu]", i);
		/* counted first so a half-read snapshot is freed too */
		r->nr_snapshots++;
		err = read_snapshot(rd, json_object_array_get_idx(arr, i), r,
				    &r->snapshots[i]);
		if (!err)
			path_pop(rd, mark);
	}
	return err;
}

static int read_record(struct rd *rd, struct json_object *o,
		       struct udamon_record *r)
{
	struct json_object *snaps;
	int err;

	if (!json_object_is_type(o, json_type_object))
		return rd_fail(rd, "is %s: expected a record object",
			       type_name(o));
	err = get_int(rd, o, "kdamond_idx", true, &r->kdamond_idx);
	if (!err)
		err = get_int(rd, o, "context_idx", true, &r->context_idx);
	if (!err)
		err = get_int(rd, o, "target_id", false, &r->target_id);
	if (!err)
		err = read_intervals(rd, o, r);
	if (!err)
		err = read_udamon(rd, o, r);
	if (!err)
		err = get_typed(rd, o, "snapshots", false, json_type_array,
				"an array", &snaps);
	if (!err)
		err = read_snapshots(rd, snaps, r);
	return err;
}

static int read_records(struct rd *rd, struct json_object *root,
			struct udamon_record **recs, size_t *nr)
{
	struct udamon_record *r;
	size_t i, n, mark;
	int err = 0;

	if (!json_object_is_type(root, json_type_array))
		return rd_fail(rd, "the top level is %s: expected an array of records",
			       type_name(root));
	n = json_object_array_length(root);
	r = calloc(n ? n : 1, sizeof(*r));
	if (!r)
		return -ENOMEM;
	for (i = 0; i < n && !err; i++) {
		mark = path_push(rd, "[%zu]", i);
		err = read_record(rd, json_object_array_get_idx(root, i), &r[i]);
		if (!err)
			path_pop(rd, mark);
	}
	if (err) {
		udamon_records_free(r, n);
		return err;
	}
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

static int parse_text(struct rd *rd, const char *text, size_t len,
		      struct json_object **root)
{
	struct json_tokener *tok = json_tokener_new();
	enum json_tokener_error jerr;
	size_t end, i, line = 1;

	if (!tok)
		return -ENOMEM;
	json_tokener_set_flags(tok, JSON_TOKENER_STRICT);
	*root = json_tokener_parse_ex(tok, text, (int)len);
	jerr = json_tokener_get_error(tok);
	end = json_tokener_get_parse_end(tok);
	json_tokener_free(tok);
	if (jerr == json_tokener_success) {
		while (end < len && isspace((unsigned char)text[end]))
			end++;
		if (end == len)
			return 0;
		json_object_put(*root);
		*root = NULL;
	}
	for (i = 0; i < end && i < len; i++)
		line += text[i] == '\n';
	if (jerr == json_tokener_continue)
		return rd_fail(rd, "not valid JSON: the text ends early (line %zu)",
			       line);
	if (jerr == json_tokener_success)
		return rd_fail(rd, "not valid JSON: unexpected text after the records (line %zu)",
			       line);
	return rd_fail(rd, "not valid JSON: %s (line %zu)",
		       json_tokener_error_desc(jerr), line);
}

int udamon_record_read(const char *path, struct udamon_record **recs,
		       size_t *nr, char *err, size_t errlen)
{
	struct rd rd = { .file = path, .err = err, .errlen = errlen };
	struct json_object *root = NULL;
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
	if (strlen((char *)text) != tlen) {
		free(text);
		return rd_fail(&rd, "not a record file: it holds binary data (expected JSON, plain or zlib-compressed)");
	}
	ret = parse_text(&rd, (char *)text, tlen, &root);
	free(text);
	if (ret)
		return ret;
	ret = read_records(&rd, root, recs, nr);
	json_object_put(root);
	return ret;
}
