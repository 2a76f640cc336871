// SPDX-License-Identifier: MIT
/*
 * Reading damo JSON records (docs/ARCHITECTURE.md), plain or zlib-compressed,
 * written by udamon or by damo. The file is read (and inflated) in chunks
 * and fed to yajl; its events fill the records in place, so a long record
 * never becomes a tree. Every structural problem is reported with the file
 * and the JSON path of the key, e.g.
 *   damon.data: [0].snapshots[2].regions[5]: missing key 'end'
 *
 * The shape of a record is data: each object kind has a table of the keys
 * it knows (what a value must be, where it goes, what null means), and
 * small hooks for what a kind checks or sets up beyond its keys.
 */
#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <yajl/yajl_parse.h>
#include <zlib.h>

#include "udamon/record.h"
#include "udamon/textfmt.h"

#define PATH_LEN	192
#define CHUNK		(1 << 16)
#define MAX_FRAMES	12	/* the deepest record object is 8 levels down */

enum jtype { JT_NULL, JT_BOOL, JT_NUM, JT_STR, JT_OBJ, JT_ARR };

/* A scalar as an event gives it (objects and arrays: the type only). */
struct jval {
	enum jtype type;
	bool is_int;		/* JT_NUM without fraction or exponent */
	bool neg;
	bool fits;		/* the integer's magnitude fits u */
	uint64_t u;
	char str[64];		/* JT_STR (truncated) or the number's text */
	const char *raw;	/* JT_STR: all of it, during the event only */
	size_t len;
};

enum kind {
	K_TOP, K_RECORDS, K_RECORD, K_INTERVALS, K_GOAL, K_UDAMON,
	K_SNAPSHOTS, K_SNAPSHOT, K_REGIONS, K_REGION, K_ACCESSES, K_AGE,
	K_CPUS,
};

enum ftype { F_U64, F_UINT, F_INT, F_STR, F_ANY, F_OBJ, F_ARR };

/* What null does: fail, leave the key unset, or read as 0. */
enum fnull { N_ERR, N_SKIP, N_ZERO };

struct field {
	const char *name;
	enum ftype type;
	enum fnull null;
	bool required;
	size_t off;		/* from the object's base: the value, or the
				   base of the object or array it opens */
	enum kind child;	/* F_OBJ, F_ARR */
};

/* An object or array being read. */
struct frame {
	enum kind kind;
	void *base;
	const struct field *field;	/* the current key's; NULL: skipped */
	unsigned int seen;		/* fields set, by index */
	size_t mark;			/* path length to restore */
	size_t cap;			/* K_REGIONS: room in the array */
};

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
	yajl_handle yh;
	int ret;		/* why a callback stopped the parse */
	size_t lines;		/* newlines in the text fed so far */
	unsigned int skip;	/* depth inside a value nobody reads */
	struct frame frames[MAX_FRAMES];
	unsigned int depth;	/* frames[depth] is the innermost */
	struct udamon_record *recs;
	size_t nr_recs, cap_recs;
	/* the record, snapshot and region being read */
	struct udamon_record *rec;
	struct udamon_snapshot *snap;
	struct jval usec;	/* age.usec as given */
	bool by_usec;
	uint64_t age_usec;
	uint32_t *cpus;		/* udamon_cpu_samples so far */
	size_t nr_cpus, cap_cpus;
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

/* Append a path component; returns the old length to restore. */
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

/*
 * Append a zeroed item to the array whose pointer is at arrp (*n items,
 * room for *cap): the new item, or NULL when out of memory (the array is
 * then as it was).
 */
static void *append(void *arrp, size_t *n, size_t *cap, size_t size)
{
	char *arr, *item;

	memcpy(&arr, arrp, sizeof(arr));
	if (*n == *cap) {
		size_t c = *cap ? *cap * 2 : 16;
		char *na = realloc(arr, c * size);

		if (!na)
			return NULL;
		arr = na;
		*cap = c;
		memcpy(arrp, &arr, sizeof(arr));
	}
	item = arr + (*n)++ * size;
	memset(item, 0, size);
	return item;
}

/* ---- values ------------------------------------------------------------ */

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
static bool conv_u64(const struct jval *v, uint64_t *out)
{
	double d;

	if (v->type == JT_NUM && !v->neg && v->is_int && v->fits) {
		*out = v->u;
		return true;
	}
	if (v->type == JT_NUM && !v->neg && !v->is_int) {
		d = strtod(v->str, NULL);
		if (d < 18446744073709551616.0) {
			*out = (uint64_t)d;
			return true;
		}
	}
	return v->type == JT_STR && str_to_u64(v->str, out);
}

/* A signed index (kdamond_idx, target_id). */
static bool conv_int(const struct jval *v, int *out)
{
	uint64_t u;

	if (v->type == JT_NUM && v->is_int && v->fits &&
	    v->u <= (v->neg ? (uint64_t)INT_MAX + 1 : (uint64_t)INT_MAX)) {
		*out = v->neg ? (int)(0 - v->u) : (int)v->u;
		return true;
	}
	if (v->type == JT_STR && str_to_u64(v->str, &u) && u <= INT_MAX) {
		*out = (int)u;
		return true;
	}
	return false;
}

static const char *const expected[] = {
	[F_U64] = "a non-negative integer", [F_UINT] = "a non-negative integer",
	[F_INT] = "an integer", [F_STR] = "a string", [F_OBJ] = "an object",
	[F_ARR] = "an array",
};

/* "'key' is 5: expected a string" */
static int mismatch(struct rd *rd, const char *key, enum ftype t,
		    const struct jval *v)
{
	char d[80];

	if (t == F_U64 || t == F_UINT || t == F_INT)
		describe(v, d, sizeof(d));
	else
		snprintf(d, sizeof(d), "%s", type_name(v->type));
	return rd_fail(rd, "'%s' is %s: expected %s", key, d, expected[t]);
}

/* A u64 that must fit an unsigned int (or u32: max). */
static int conv_bounded(struct rd *rd, const char *key, const struct jval *v,
			uint64_t max, uint64_t *out)
{
	if (!conv_u64(v, out))
		return mismatch(rd, key, F_UINT, v);
	if (*out > max)
		return rd_fail(rd, "'%s' is %llu: too large", key,
			       (unsigned long long)*out);
	return 0;
}

static int set_str(char **dst, const struct jval *v)
{
	char *s = strndup(v->raw, v->len);

	if (!s)
		return -ENOMEM;
	free(*dst);
	*dst = s;
	return 0;
}

/* ---- the shape of a record --------------------------------------------- */

#define U64(n, req, nul, type, member) \
	{ n, F_U64, nul, req, offsetof(type, member), K_TOP }
#define CHILD(n, ft, req, nul, k, off) { n, ft, nul, req, off, k }

static const struct field record_fields[] = {
	{ "kdamond_idx", F_INT, N_ZERO, false,
	  offsetof(struct udamon_record, kdamond_idx), K_TOP },
	{ "context_idx", F_INT, N_ZERO, false,
	  offsetof(struct udamon_record, context_idx), K_TOP },
	{ "target_id", F_INT, N_ERR, true,
	  offsetof(struct udamon_record, target_id), K_TOP },
	CHILD("intervals", F_OBJ, false, N_SKIP, K_INTERVALS, 0),
	CHILD("udamon", F_OBJ, false, N_SKIP, K_UDAMON, 0),
	CHILD("snapshots", F_ARR, true, N_ERR, K_SNAPSHOTS, 0),
};

static const struct field intervals_fields[] = {
	U64("sample_us", true, N_ERR, struct udamon_record, sample_us),
	U64("aggr_us", true, N_ERR, struct udamon_record, aggr_us),
	U64("ops_update_us", true, N_ERR, struct udamon_record, ops_update_us),
	CHILD("intervals_goal", F_OBJ, false, N_SKIP, K_GOAL,
	      offsetof(struct udamon_record, goal)),
};

static const struct field goal_fields[] = {
	U64("access_bp", true, N_ERR, struct udamon_intervals_goal, access_bp),
	U64("aggrs", true, N_ERR, struct udamon_intervals_goal, aggrs),
	U64("min_sample_us", true, N_ERR, struct udamon_intervals_goal,
	    min_sample_us),
	U64("max_sample_us", true, N_ERR, struct udamon_intervals_goal,
	    max_sample_us),
};

static const struct field udamon_fields[] = {
	{ "pid", F_INT, N_ZERO, false,
	  offsetof(struct udamon_record, pid), K_TOP },
	{ "nr_cpus", F_UINT, N_ZERO, false,
	  offsetof(struct udamon_record, nr_cpus), K_TOP },
	U64("lost_events", false, N_SKIP, struct udamon_record, lost_events),
	U64("aggr_overruns", false, N_SKIP, struct udamon_record,
	    stats.aggr_overruns),
	U64("sample_overruns", false, N_SKIP, struct udamon_record,
	    stats.sample_overruns),
	U64("unchecked_samples", false, N_SKIP, struct udamon_record,
	    stats.unchecked),
	U64("thp_splits", false, N_SKIP, struct udamon_record,
	    stats.thp_splits),
	U64("thp_collapses", false, N_SKIP, struct udamon_record,
	    stats.thp_collapses),
	U64("thp_collapse_failures", false, N_SKIP, struct udamon_record,
	    stats.thp_collapse_failures),
	{ "filters", F_STR, N_SKIP, false,
	  offsetof(struct udamon_record, filters_desc), K_TOP },
	{ "fault_source", F_STR, N_SKIP, false,
	  offsetof(struct udamon_record, fault_source), K_TOP },
};

enum { S_TOTAL = 1u << 2 };

static const struct field snapshot_fields[] = {
	U64("start_time", true, N_ERR, struct udamon_snapshot, start_time_ns),
	U64("end_time", true, N_ERR, struct udamon_snapshot, end_time_ns),
	U64("total_bytes", false, N_SKIP, struct udamon_snapshot, total_bytes),
	/* kept only when both are set, see close_snapshot() */
	U64("sample_interval_us", false, N_SKIP, struct udamon_snapshot,
	    sample_us),
	U64("udamon_aggr_us", false, N_SKIP, struct udamon_snapshot, aggr_us),
	CHILD("regions", F_ARR, true, N_ERR, K_REGIONS, 0),
};

static const struct field region_fields[] = {
	U64("start", true, N_ERR, struct udamon_snapshot_region, start),
	U64("end", true, N_ERR, struct udamon_snapshot_region, end),
	CHILD("nr_accesses", F_OBJ, true, N_ERR, K_ACCESSES,
	      offsetof(struct udamon_snapshot_region, nr_accesses)),
	CHILD("age", F_OBJ, true, N_ERR, K_AGE, 0),
	CHILD("udamon_cpu_samples", F_ARR, false, N_SKIP, K_CPUS, 0),
};

/* percent is left out: it follows from samples */
static const struct field accesses_fields[] = {
	{ "samples", F_UINT, N_ZERO, true, 0, K_TOP },
};

enum { A_IV = 1u << 0 };

/* base: the region */
static const struct field age_fields[] = {
	{ "aggr_intervals", F_UINT, N_SKIP, false,
	  offsetof(struct udamon_snapshot_region, age), K_TOP },
	{ "usec", F_ANY, N_SKIP, false, 0, K_TOP },
};

static int open_record(struct rd *rd, struct frame *f);
static int open_snapshot(struct rd *rd, struct frame *f);
static int open_region(struct rd *rd, struct frame *f);
static int open_age(struct rd *rd, struct frame *f);
static int open_cpus(struct rd *rd, struct frame *f);
static int close_record(struct rd *rd, struct frame *f);
static int close_intervals(struct rd *rd, struct frame *f);
static int close_goal(struct rd *rd, struct frame *f);
static int close_snapshot(struct rd *rd, struct frame *f);
static int close_region(struct rd *rd, struct frame *f);
static int close_age(struct rd *rd, struct frame *f);
static int close_cpus(struct rd *rd, struct frame *f);

struct kind_info {
	const struct field *fields;	/* objects */
	unsigned int nr_fields;
	enum kind item;			/* arrays of objects: their kind */
	const char *item_path;		/* ... their path: prefix[index] */
	const char *item_what;		/* ... what else is reported */
	int (*open)(struct rd *rd, struct frame *f);
	int (*close)(struct rd *rd, struct frame *f);
};

#define FIELDS(a)	a, sizeof(a) / sizeof(a[0])

static const struct kind_info kinds[] = {
	[K_TOP] = { NULL, 0, K_TOP, NULL, NULL, NULL, NULL },
	[K_RECORDS] = { NULL, 0, K_RECORD, "", "a record object", NULL, NULL },
	[K_RECORD] = { FIELDS(record_fields), K_TOP, NULL, NULL, open_record,
		       close_record },
	[K_INTERVALS] = { FIELDS(intervals_fields), K_TOP, NULL, NULL, NULL,
			  close_intervals },
	[K_GOAL] = { FIELDS(goal_fields), K_TOP, NULL, NULL, NULL,
		     close_goal },
	[K_UDAMON] = { FIELDS(udamon_fields), K_TOP, NULL, NULL, NULL, NULL },
	[K_SNAPSHOTS] = { NULL, 0, K_SNAPSHOT, ".snapshots",
			  "a snapshot object", NULL, NULL },
	[K_SNAPSHOT] = { FIELDS(snapshot_fields), K_TOP, NULL, NULL,
			 open_snapshot, close_snapshot },
	[K_REGIONS] = { NULL, 0, K_REGION, ".regions", "a region object",
			NULL, NULL },
	[K_REGION] = { FIELDS(region_fields), K_TOP, NULL, NULL, open_region,
		       close_region },
	[K_ACCESSES] = { FIELDS(accesses_fields), K_TOP, NULL, NULL, NULL,
			 NULL },
	[K_AGE] = { FIELDS(age_fields), K_TOP, NULL, NULL, open_age,
		    close_age },
	[K_CPUS] = { NULL, 0, K_TOP, NULL, NULL, open_cpus, close_cpus },
};

/* ---- the hooks --------------------------------------------------------- */

/* The parent: the array an item is read for, or the object of a key. */
static struct frame *parent(struct rd *rd)
{
	return &rd->frames[rd->depth - 1];
}

static int open_record(struct rd *rd, struct frame *f)
{
	struct udamon_record *r = append(&rd->recs, &rd->nr_recs,
					 &rd->cap_recs, sizeof(*r));

	if (!r)
		return -ENOMEM;
	/* old damo records may lack intervals: damo's defaults then */
	r->sample_us = 5000;
	r->aggr_us = 100000;
	r->ops_update_us = 1000000;
	rd->nr_pending = 0;
	rd->cpu_seen = false;
	rd->cpu_len = 0;
	rd->rec = r;
	f->base = r;
	return 0;
}

static int open_snapshot(struct rd *rd, struct frame *f)
{
	struct udamon_record *r = parent(rd)->base;
	struct udamon_snapshot *s = append(&r->snapshots, &r->nr_snapshots,
					   &r->cap_snapshots, sizeof(*s));

	if (!s)
		return -ENOMEM;
	rd->snap = s;
	f->base = s;
	return 0;
}

static int open_region(struct rd *rd, struct frame *f)
{
	struct frame *arr = parent(rd);
	struct udamon_snapshot *s = arr->base;
	/* counted now, so that a half-read region is freed too */
	struct udamon_snapshot_region *r = append(&s->regions, &s->nr_regions,
						  &arr->cap, sizeof(*r));

	if (!r)
		return -ENOMEM;
	rd->by_usec = false;
	f->base = r;
	return 0;
}

static int open_age(struct rd *rd, struct frame *f)
{
	rd->usec.type = JT_NULL;
	return 0;
}

static int open_cpus(struct rd *rd, struct frame *f)
{
	rd->nr_cpus = 0;
	return 0;
}

/* One entry of udamon_cpu_samples. */
static int add_cpu(struct rd *rd, const struct jval *v)
{
	uint32_t *a;
	uint64_t n;

	if (v->type == JT_NULL)
		return rd_fail(rd, "'udamon_cpu_samples' is null: expected a value");
	if (!conv_u64(v, &n))
		return mismatch(rd, "udamon_cpu_samples", F_U64, v);
	if (n > UINT32_MAX)
		return rd_fail(rd, "'udamon_cpu_samples' entry %zu is too large",
			       rd->nr_cpus);
	a = append(&rd->cpus, &rd->nr_cpus, &rd->cap_cpus, sizeof(*a));
	if (!a)
		return -ENOMEM;
	*a = (uint32_t)n;
	return 0;
}

static int close_cpus(struct rd *rd, struct frame *f)
{
	struct udamon_snapshot_region *r = f->base;
	size_t n = rd->nr_cpus;
	uint32_t *a = NULL;

	if (rd->cpu_seen && n != rd->cpu_len)
		return rd_fail(rd, "'udamon_cpu_samples' has %zu entries, other regions %zu",
			       n, rd->cpu_len);
	/* a copy of the exact size: there is one per region */
	if (n) {
		a = malloc(n * sizeof(*a));
		if (!a)
			return -ENOMEM;
		memcpy(a, rd->cpus, n * sizeof(*a));
	}
	rd->cpu_seen = true;
	rd->cpu_len = n;
	free(r->cpu_samples);
	r->cpu_samples = a;
	return 0;
}

static int close_intervals(struct rd *rd, struct frame *f)
{
	struct udamon_record *r = f->base;

	if (!r->sample_us || r->aggr_us < r->sample_us)
		return rd_fail(rd, "sample_us (%llu) must be positive and not above aggr_us (%llu)",
			       (unsigned long long)r->sample_us,
			       (unsigned long long)r->aggr_us);
	return 0;
}

static int close_goal(struct rd *rd, struct frame *f)
{
	/* damo writes aggrs 0 for "no goal" */
	rd->rec->has_goal = rd->rec->goal.aggrs != 0;
	return 0;
}

/*
 * aggr_intervals, else usec (damo may write usec as text, "300 ms": only a
 * fallback, resolved when the snapshot's aggregation interval is known).
 */
static int close_age(struct rd *rd, struct frame *f)
{
	const struct jval *uv = &rd->usec;

	if (f->seen & A_IV)
		return 0;
	if (uv->type == JT_NULL)
		return rd_fail(rd, "missing key 'aggr_intervals' (or 'usec')");
	if ((uv->type != JT_STR ||
	     udamon_parse_time_us(uv->str, 1, &rd->age_usec, NULL, 0)) &&
	    !conv_u64(uv, &rd->age_usec))
		return mismatch(rd, "usec", F_U64, uv);
	rd->by_usec = true;
	return 0;
}

static int add_pending(struct rd *rd, size_t snap, size_t region,
		       uint64_t usec)
{
	struct pending_age *p = append(&rd->pending, &rd->nr_pending,
				       &rd->cap_pending, sizeof(*p));

	if (!p)
		return -ENOMEM;
	*p = (struct pending_age){ snap, region, usec };
	return 0;
}

static int close_region(struct rd *rd, struct frame *f)
{
	struct udamon_snapshot_region *r = f->base;

	if (r->end <= r->start)
		return rd_fail(rd, "end (%llu) is not above start (%llu)",
			       (unsigned long long)r->end,
			       (unsigned long long)r->start);
	if (!rd->by_usec)
		return 0;
	return add_pending(rd, (size_t)(rd->snap - rd->rec->snapshots),
			   (size_t)(r - rd->snap->regions), rd->age_usec);
}

static int close_snapshot(struct rd *rd, struct frame *f)
{
	struct udamon_snapshot *s = f->base;
	size_t i;

	if (s->end_time_ns < s->start_time_ns)
		return rd_fail(rd, "end_time (%llu) is before start_time (%llu)",
			       (unsigned long long)s->end_time_ns,
			       (unsigned long long)s->start_time_ns);
	/*
	 * Per-snapshot intervals only from udamon's own files: damo writes
	 * its sample_interval_us in nanoseconds, so there the record's hold
	 * (filled in when the record is complete).
	 */
	if (!s->aggr_us || !s->sample_us) {
		s->sample_us = 0;
		s->aggr_us = 0;
	}
	if (!(f->seen & S_TOTAL))
		for (i = 0; i < s->nr_regions; i++)
			s->total_bytes += s->regions[i].end -
				s->regions[i].start;
	return 0;
}

/* What needs the whole record: intervals, usec-only ages, cpu samples. */
static int close_record(struct rd *rd, struct frame *f)
{
	struct udamon_record *r = f->base;
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

/* ---- events ------------------------------------------------------------ */

/* A key's value into its place; the caller checked it is no container. */
static int store(struct rd *rd, struct frame *f, const struct field *fld,
		 const struct jval *v)
{
	static const struct jval zero = { .type = JT_NUM, .is_int = true,
					  .fits = true, .str = "0" };
	void *dst = (char *)f->base + fld->off;
	uint64_t u;
	int err = 0;

	if (v->type == JT_NULL && fld->type != F_ANY) {
		if (fld->null == N_SKIP)
			return 0;
		if (fld->null == N_ERR)
			return rd_fail(rd, "'%s' is null: expected %s",
				       fld->name, fld->type == F_U64 ||
				       fld->type == F_UINT ? "a value" :
				       expected[fld->type]);
		v = &zero;
	}
	switch (fld->type) {
	case F_U64:
		if (!conv_u64(v, dst))
			err = mismatch(rd, fld->name, fld->type, v);
		break;
	case F_UINT:
		err = conv_bounded(rd, fld->name, v, UINT_MAX, &u);
		if (!err)
			*(unsigned int *)dst = (unsigned int)u;
		break;
	case F_INT:
		if (!conv_int(v, dst))
			err = mismatch(rd, fld->name, fld->type, v);
		break;
	case F_STR:
		err = v->type == JT_STR ? set_str(dst, v) :
			mismatch(rd, fld->name, fld->type, v);
		break;
	case F_ANY:
		rd->usec = *v;
		rd->usec.raw = NULL;
		break;
	case F_OBJ:
	case F_ARR:
		err = mismatch(rd, fld->name, fld->type, v);
		break;
	}
	if (!err)
		f->seen |= 1u << (fld - kinds[f->kind].fields);
	return err;
}

static int push(struct rd *rd, enum kind k, void *base, size_t mark)
{
	struct frame *f;

	if (rd->depth + 1 >= MAX_FRAMES)
		return rd_fail(rd, "nested too deep");
	f = &rd->frames[++rd->depth];
	*f = (struct frame){ .kind = k, .base = base, .mark = mark };
	return kinds[k].open ? kinds[k].open(rd, f) : 0;
}

/* An item of an array of objects (records, snapshots, regions). */
static int open_item(struct rd *rd, struct frame *arr, enum jtype t)
{
	const struct kind_info *ki = &kinds[arr->kind];
	size_t n = arr->kind == K_RECORDS ? rd->nr_recs :
		arr->kind == K_SNAPSHOTS ?
		((struct udamon_record *)arr->base)->nr_snapshots :
		((struct udamon_snapshot *)arr->base)->nr_regions;
	size_t mark = path_push(rd, "%s[%zu]", ki->item_path, n);

	if (t != JT_OBJ)
		return rd_fail(rd, "is %s: expected %s", type_name(t),
			       ki->item_what);
	return push(rd, ki->item, NULL, mark);
}

/* A scalar, or the start of an object or array (type only). */
static int on_value(struct rd *rd, const struct jval *v)
{
	struct frame *f = &rd->frames[rd->depth];
	const struct field *fld = f->field;
	bool open = v->type == JT_OBJ || v->type == JT_ARR;
	size_t mark;

	if (rd->skip) {
		rd->skip += open;
		return 0;
	}
	if (f->kind == K_TOP) {
		if (v->type != JT_ARR)
			return rd_fail(rd, "the top level is %s: expected an array of records",
				       type_name(v->type));
		return push(rd, K_RECORDS, NULL, strlen(rd->path));
	}
	if (f->kind == K_CPUS)
		return add_cpu(rd, v);
	if (kinds[f->kind].item != K_TOP)
		return open_item(rd, f, v->type);
	if (!fld || (open && fld->type == F_ANY)) {
		/* an unknown key, or a usec that is no number (see close_age) */
		rd->skip = open;
		return fld ? store(rd, f, fld, v) : 0;
	}
	if ((fld->type == F_OBJ && v->type == JT_OBJ) ||
	    (fld->type == F_ARR && v->type == JT_ARR)) {
		f->seen |= 1u << (fld - kinds[f->kind].fields);
		mark = fld->type == F_OBJ ?
			path_push(rd, ".%s", fld->name) : strlen(rd->path);
		return push(rd, fld->child, (char *)f->base + fld->off, mark);
	}
	return store(rd, f, fld, v);
}

static int on_key(struct rd *rd, const char *key, size_t len)
{
	struct frame *f = &rd->frames[rd->depth];
	const struct kind_info *ki = &kinds[f->kind];
	unsigned int i;

	if (rd->skip)
		return 0;
	f->field = NULL;
	for (i = 0; i < ki->nr_fields; i++)
		if (strlen(ki->fields[i].name) == len &&
		    !memcmp(ki->fields[i].name, key, len))
			f->field = &ki->fields[i];
	return 0;
}

/* The end of an object or array: its checks, then back to the parent. */
static int on_close(struct rd *rd)
{
	struct frame *f = &rd->frames[rd->depth];
	const struct kind_info *ki = &kinds[f->kind];
	unsigned int i;
	int err = 0;

	if (rd->skip) {
		rd->skip--;
		return 0;
	}
	for (i = 0; i < ki->nr_fields && !err; i++)
		if (ki->fields[i].required && !(f->seen & (1u << i)))
			err = rd_fail(rd, "missing key '%s'",
				      ki->fields[i].name);
	if (!err && ki->close)
		err = ki->close(rd, f);
	if (err)
		return err;
	rd->path[f->mark] = '\0';
	rd->depth--;
	return 0;
}

/* ---- yajl callbacks: 1 goes on, 0 stops with rd->ret ------------------- */

static int go_on(struct rd *rd, int err)
{
	rd->ret = err;
	return !err;
}

static int cb_null(void *ctx)
{
	struct jval v = { .type = JT_NULL };

	return go_on(ctx, on_value(ctx, &v));
}

static int cb_bool(void *ctx, int b)
{
	struct jval v = { .type = JT_BOOL, .u = b != 0 };

	return go_on(ctx, on_value(ctx, &v));
}

/* yajl has checked the syntax: only the magnitude is worked out here. */
static int cb_number(void *ctx, const char *s, size_t len)
{
	struct jval v = { .type = JT_NUM, .is_int = true, .fits = true };
	size_t i, n = len < sizeof(v.str) ? len : sizeof(v.str) - 1;

	memcpy(v.str, s, n);
	v.str[n] = '\0';
	v.neg = s[0] == '-';
	for (i = v.neg; i < len; i++) {
		unsigned int d = (unsigned int)(s[i] - '0');

		if (d > 9) {
			v.is_int = false;	/* '.', 'e' or 'E' */
			break;
		}
		if (v.u > (UINT64_MAX - d) / 10)
			v.fits = false;
		else
			v.u = v.u * 10 + d;
	}
	return go_on(ctx, on_value(ctx, &v));
}

static int cb_string(void *ctx, const unsigned char *s, size_t len)
{
	struct jval v = { .type = JT_STR, .raw = (const char *)s, .len = len };
	size_t n = len < sizeof(v.str) ? len : sizeof(v.str) - 1;

	memcpy(v.str, s, n);
	v.str[n] = '\0';
	return go_on(ctx, on_value(ctx, &v));
}

static int cb_start_map(void *ctx)
{
	struct jval v = { .type = JT_OBJ };

	return go_on(ctx, on_value(ctx, &v));
}

static int cb_start_array(void *ctx)
{
	struct jval v = { .type = JT_ARR };

	return go_on(ctx, on_value(ctx, &v));
}

static int cb_key(void *ctx, const unsigned char *s, size_t len)
{
	return go_on(ctx, on_key(ctx, (const char *)s, len));
}

static int cb_end(void *ctx)
{
	return go_on(ctx, on_close(ctx));
}

static const yajl_callbacks callbacks = {
	.yajl_null = cb_null,
	.yajl_boolean = cb_bool,
	.yajl_number = cb_number,
	.yajl_string = cb_string,
	.yajl_start_map = cb_start_map,
	.yajl_map_key = cb_key,
	.yajl_end_map = cb_end,
	.yajl_start_array = cb_start_array,
	.yajl_end_array = cb_end,
};

/* ---- bytes: file, zlib, JSON text -------------------------------------- */

struct src {
	FILE *f;
	bool zlib, eof, zend;
	size_t first;		/* plain text: the first read, not yet fed */
	z_stream zs;
	unsigned char in[CHUNK], out[CHUNK];
};

static size_t count_lines(const unsigned char *p, size_t len)
{
	const unsigned char *end = p + len;
	size_t n = 0;

	while ((p = memchr(p, '\n', (size_t)(end - p)))) {
		n++;
		p++;
	}
	return n;
}

static int read_in(struct rd *rd, struct src *s, size_t *got)
{
	*got = fread(s->in, 1, CHUNK, s->f);
	if (ferror(s->f))
		return rd_fail(rd, "read error");
	return 0;
}

/* Inflate up to a chunk; stops at the end of the zlib stream. */
static int inflate_some(struct rd *rd, struct src *s, size_t *len)
{
	size_t got;
	int ret;

	s->zs.next_out = s->out;
	s->zs.avail_out = CHUNK;
	while (s->zs.avail_out && !s->zend) {
		if (!s->zs.avail_in && !s->eof) {
			ret = read_in(rd, s, &got);
			if (ret)
				return ret;
			s->eof = !got;
			s->zs.next_in = s->in;
			s->zs.avail_in = (uInt)got;
		}
		ret = inflate(&s->zs, Z_NO_FLUSH);
		if (ret == Z_STREAM_END)
			s->zend = true;
		else if (ret == Z_BUF_ERROR && s->eof)
			ret = Z_DATA_ERROR;	/* truncated stream */
		if (ret != Z_OK && ret != Z_BUF_ERROR && ret != Z_STREAM_END)
			return rd_fail(rd, "not a valid zlib stream (%s)",
				       s->zs.msg ? s->zs.msg : "truncated data");
	}
	*len = CHUNK - s->zs.avail_out;
	return 0;
}

/* The next piece of JSON text; *len 0 at its end. */
static int next_text(struct rd *rd, struct src *s, const unsigned char **text,
		     size_t *len)
{
	if (s->zlib) {
		*text = s->out;
		return inflate_some(rd, s, len);
	}
	*text = s->in;
	if (s->first) {
		*len = s->first;
		s->first = 0;
		return 0;
	}
	return read_in(rd, s, len);
}

/* The parser's complaint, with the path reached and the line. */
static int syntax_error(struct rd *rd, const unsigned char *text, size_t len)
{
	size_t at = len ? yajl_get_bytes_consumed(rd->yh) : 0;
	unsigned char *msg = yajl_get_error(rd->yh, 0, text, len);
	size_t n = msg ? strlen((char *)msg) : 0;
	int err;

	while (n && (msg[n - 1] == '\n' || msg[n - 1] == '.'))
		msg[--n] = '\0';
	/* only the end of the text is left to check at len 0 */
	err = rd_fail(rd, "not valid JSON: %s (line %zu)",
		      !len ? "the text ends early" : msg ? (char *)msg : "?",
		      rd->lines + 1 + count_lines(text, at < len ? at : len));
	yajl_free_error(rd->yh, msg);
	return err;
}

/* Feed one piece (len 0: the end) to yajl. */
static int feed(struct rd *rd, const unsigned char *text, size_t len)
{
	yajl_status st;

	if (len && memchr(text, '\0', len))
		return rd_fail(rd, "not a record file: it holds binary data (expected JSON, plain or zlib-compressed)");
	st = len ? yajl_parse(rd->yh, text, len) :
		yajl_complete_parse(rd->yh);
	if (st == yajl_status_client_canceled)
		return rd->ret;
	if (st != yajl_status_ok)
		return syntax_error(rd, text, len);
	rd->lines += count_lines(text, len);
	return 0;
}

static int parse(struct rd *rd, struct src *s)
{
	const unsigned char *text;
	size_t len = 0;
	int err;

	rd->yh = yajl_alloc(&callbacks, NULL, rd);
	if (!rd->yh)
		return -ENOMEM;
	/* strings are only compared or copied: any bytes will do */
	yajl_config(rd->yh, yajl_dont_validate_strings, 1);
	do {
		err = next_text(rd, s, &text, &len);
		if (!err)
			err = feed(rd, text, len);
	} while (!err && len);
	yajl_free(rd->yh);
	return err;
}

/* Open the file, and tell plain text from zlib by its first byte. */
static int open_src(struct rd *rd, struct src *s, FILE *given)
{
	size_t got;
	int err;

	s->f = given ? given : fopen(rd->file, "rb");
	if (!s->f) {
		err = -errno;
		rd_fail(rd, "cannot open: %s", strerror(errno));
		return err;
	}
	err = read_in(rd, s, &got);
	if (!err && !got)
		err = rd_fail(rd, "empty file: expected a JSON array of records, plain or zlib-compressed");
	if (err)
		return err;
	s->zlib = s->in[0] == 0x78;	/* zlib header (deflate, 32K window) */
	if (!s->zlib) {
		s->first = got;
		return 0;
	}
	if (inflateInit(&s->zs) != Z_OK)
		return -ENOMEM;
	s->zs.next_in = s->in;
	s->zs.avail_in = (uInt)got;
	return 0;
}

static int read_records(const char *path, FILE *f, struct udamon_record **recs,
			size_t *nr, char *err, size_t errlen)
{
	struct rd rd = { .file = path, .err = err, .errlen = errlen };
	struct src *s = calloc(1, sizeof(*s));
	int ret = s ? open_src(&rd, s, f) : -ENOMEM;

	if (!ret)
		ret = parse(&rd, s);
	if (s && s->zlib)
		inflateEnd(&s->zs);
	if (s && s->f && !f)
		fclose(s->f);
	free(s);
	free(rd.pending);
	free(rd.cpus);
	if (ret) {
		udamon_records_free(rd.recs, rd.nr_recs);
		return ret;
	}
	if (!rd.recs)
		rd.recs = calloc(1, sizeof(*rd.recs));
	if (!rd.recs)
		return -ENOMEM;
	*recs = rd.recs;
	*nr = rd.nr_recs;
	return 0;
}

int udamon_record_read(const char *path, struct udamon_record **recs,
		       size_t *nr, char *err, size_t errlen)
{
	return read_records(path, NULL, recs, nr, err, errlen);
}

int udamon_record_read_stream(FILE *f, const char *name,
			      struct udamon_record **recs, size_t *nr,
			      char *err, size_t errlen)
{
	return read_records(name, f, recs, nr, err, errlen);
}
