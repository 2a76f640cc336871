// SPDX-License-Identifier: MIT
/*
 * Writing records as damo JSON (docs/ARCHITECTURE.md), plain or as a zlib
 * stream. The text is streamed, so long records never sit in memory twice.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#include "udamon/record.h"
#include "udamon/textfmt.h"

#define SINK_BUF	65536

/* Where the text goes: a file, optionally through deflate. */
struct sink {
	FILE *f;
	bool compress;
	z_stream zs;
	char buf[SINK_BUF];
	size_t len;
	unsigned char zout[SINK_BUF];
	int err;		/* first error, negative errno */
};

static void sink_fail(struct sink *s, int err)
{
	if (!s->err)
		s->err = err;
}

static void sink_deflate(struct sink *s, const void *data, size_t len,
			 int flush)
{
	int ret;

	s->zs.next_in = (unsigned char *)data;
	s->zs.avail_in = (uInt)len;
	do {
		s->zs.next_out = s->zout;
		s->zs.avail_out = sizeof(s->zout);
		ret = deflate(&s->zs, flush);
		if (ret == Z_STREAM_ERROR) {
			sink_fail(s, -EIO);
			return;
		}
		len = sizeof(s->zout) - s->zs.avail_out;
		if (len && fwrite(s->zout, 1, len, s->f) != len) {
			sink_fail(s, errno ? -errno : -EIO);
			return;
		}
	} while (s->zs.avail_out == 0 ||
		 (flush == Z_FINISH && ret != Z_STREAM_END));
}

static void sink_flush(struct sink *s, int flush)
{
	if (s->err)
		return;
	if (s->compress) {
		sink_deflate(s, s->buf, s->len, flush);
	} else if (s->len && fwrite(s->buf, 1, s->len, s->f) != s->len) {
		sink_fail(s, errno ? -errno : -EIO);
	}
	s->len = 0;
}

static void emit(struct sink *s, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void emit(struct sink *s, const char *fmt, ...)
{
	va_list ap;
	int n;

	/* every piece emitted is far shorter than the buffer */
	if (s->len > SINK_BUF / 2)
		sink_flush(s, Z_NO_FLUSH);
	va_start(ap, fmt);
	n = vsnprintf(s->buf + s->len, SINK_BUF - s->len, fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= SINK_BUF - s->len) {
		sink_fail(s, -EOVERFLOW);
		return;
	}
	s->len += (size_t)n;
}

/* A JSON string literal, or null. */
static void emit_str(struct sink *s, const char *str)
{
	const unsigned char *p;

	if (!str) {
		emit(s, "null");
		return;
	}
	emit(s, "\"");
	for (p = (const unsigned char *)str; *p; p++) {
		if (*p == '"' || *p == '\\')
			emit(s, "\\%c", *p);
		else if (*p < 0x20)
			emit(s, "\\u%04x", *p);
		else
			emit(s, "%c", *p);
	}
	emit(s, "\"");
}

static unsigned long long ull(uint64_t v)
{
	return (unsigned long long)v;
}

static void emit_intervals(struct sink *s, const struct udamon_record *r)
{
	emit(s, "\"intervals\": {\"sample_us\": %llu, \"aggr_us\": %llu, "
	     "\"ops_update_us\": %llu", ull(r->sample_us), ull(r->aggr_us),
	     ull(r->ops_update_us));
	if (r->has_goal)
		emit(s, ", \"intervals_goal\": {\"access_bp\": %llu, "
		     "\"aggrs\": %llu, \"min_sample_us\": %llu, "
		     "\"max_sample_us\": %llu}", ull(r->goal.access_bp),
		     ull(r->goal.aggrs), ull(r->goal.min_sample_us),
		     ull(r->goal.max_sample_us));
	emit(s, "}");
}

static void emit_region(struct sink *s, const struct udamon_record *rec,
			const struct udamon_snapshot *snap,
			const struct udamon_snapshot_region *r)
{
	uint64_t sample_us, aggr_us;
	unsigned int i;

	udamon_record_snapshot_intervals(rec, snap, &sample_us, &aggr_us);
	emit(s, "{\"start\": %llu, \"end\": %llu, \"nr_accesses\": "
	     "{\"samples\": %u, \"percent\": %u}, \"age\": {\"usec\": %llu, "
	     "\"aggr_intervals\": %u}", ull(r->start), ull(r->end),
	     r->nr_accesses,
	     udamon_record_access_percent(rec, snap, r->nr_accesses),
	     ull((uint64_t)r->age * aggr_us), r->age);
	if (r->cpu_samples && rec->nr_cpus) {
		emit(s, ", \"udamon_cpu_samples\": [");
		for (i = 0; i < rec->nr_cpus; i++)
			emit(s, "%s%u", i ? ", " : "", r->cpu_samples[i]);
		emit(s, "]");
	}
	emit(s, "}");
}

static void emit_snapshot(struct sink *s, const struct udamon_record *rec,
			  const struct udamon_snapshot *snap)
{
	uint64_t sample_us, aggr_us;
	size_t i;

	udamon_record_snapshot_intervals(rec, snap, &sample_us, &aggr_us);
	emit(s, "{\"start_time\": %llu, \"end_time\": %llu, "
	     "\"total_bytes\": %llu, \"sample_interval_us\": %llu, "
	     "\"udamon_aggr_us\": %llu, \"regions\": [",
	     ull(snap->start_time_ns), ull(snap->end_time_ns),
	     ull(snap->total_bytes), ull(sample_us), ull(aggr_us));
	for (i = 0; i < snap->nr_regions; i++) {
		emit(s, "%s\n", i ? "," : "");
		emit_region(s, rec, snap, &snap->regions[i]);
	}
	emit(s, "]}");
}

static void emit_record(struct sink *s, const struct udamon_record *r)
{
	size_t i;

	emit(s, "{\"kdamond_idx\": %d, \"context_idx\": %d, ", r->kdamond_idx,
	     r->context_idx);
	emit_intervals(s, r);
	emit(s, ", \"scheme_idx\": null, \"target_id\": %d,\n", r->target_id);
	emit(s, "\"udamon\": {\"pid\": %d, \"nr_cpus\": %u, "
	     "\"lost_events\": %llu, \"filters\": ", r->pid, r->nr_cpus,
	     ull(r->lost_events));
	emit_str(s, r->filters_desc);
	if (r->fault_source) {
		emit(s, ", \"fault_source\": ");
		emit_str(s, r->fault_source);
	}
	emit(s, ", \"aggr_overruns\": %llu, \"sample_overruns\": %llu, "
	     "\"max_aggr_us\": %llu, \"unchecked_samples\": %llu, "
	     "\"thp_splits\": %llu, \"thp_collapses\": %llu, "
	     "\"thp_collapse_failures\": %llu",
	     ull(r->stats.aggr_overruns), ull(r->stats.sample_overruns),
	     ull(r->stats.max_aggr_ns / 1000), ull(r->stats.unchecked),
	     ull(r->stats.thp_splits), ull(r->stats.thp_collapses),
	     ull(r->stats.thp_collapse_failures));
	emit(s, "},\n\"snapshots\": [");
	for (i = 0; i < r->nr_snapshots && !s->err; i++) {
		emit(s, "%s\n", i ? "," : "");
		emit_snapshot(s, r, &r->snapshots[i]);
	}
	emit(s, "\n]}");
}

static int write_stream(FILE *f, enum udamon_record_format fmt,
			const struct udamon_record *recs, size_t nr)
{
	struct sink *s;
	size_t i;
	int err;

	s = calloc(1, sizeof(*s));
	if (!s)
		return -ENOMEM;
	s->f = f;
	s->compress = fmt == UDAMON_RECORD_JSON_COMPRESSED;
	if (s->compress && deflateInit(&s->zs, Z_DEFAULT_COMPRESSION) != Z_OK) {
		free(s);
		return -ENOMEM;
	}
	emit(s, "[");
	for (i = 0; i < nr && !s->err; i++) {
		emit(s, "%s\n", i ? "," : "");
		emit_record(s, &recs[i]);
	}
	emit(s, "\n]\n");
	sink_flush(s, Z_FINISH);
	if (s->compress)
		deflateEnd(&s->zs);
	err = s->err;
	free(s);
	return err;
}

int udamon_record_check_path(const char *path, char *err, size_t errlen)
{
	struct stat st;

	/* the rename would replace it: /dev/null would become a file */
	if (!stat(path, &st) && !S_ISREG(st.st_mode)) {
		udamon_seterr(err, errlen, "'%s' is %s, not a regular file: a "
			      "record is written to a new file renamed into "
			      "place; give a file name", path,
			      S_ISDIR(st.st_mode) ? "a directory" :
			      S_ISCHR(st.st_mode) ? "a character device" :
			      S_ISBLK(st.st_mode) ? "a block device" :
			      S_ISFIFO(st.st_mode) ? "a FIFO" :
			      S_ISSOCK(st.st_mode) ? "a socket" : "special");
		return -EINVAL;
	}
	return 0;
}

/* Move an existing path to path.old; a missing path is fine. */
static int rename_to_old(const char *path, char *err, size_t errlen)
{
	size_t len = strlen(path) + 5;
	char *old = malloc(len);
	int ret = 0;

	if (!old)
		return -ENOMEM;
	snprintf(old, len, "%s.old", path);
	if (rename(path, old) && errno != ENOENT) {
		ret = -errno;
		udamon_seterr(err, errlen, "cannot rename '%s' to '%s': %s",
			      path, old, strerror(errno));
	}
	free(old);
	return ret;
}

int udamon_record_write(const char *path, enum udamon_record_format fmt,
			const struct udamon_record *recs, size_t nr,
			bool rename_old, char *err, size_t errlen)
{
	size_t len = strlen(path) + 16;
	char *tmp;
	FILE *f;
	int fd, ret;

	if (fmt != UDAMON_RECORD_JSON && fmt != UDAMON_RECORD_JSON_COMPRESSED) {
		udamon_seterr(err, errlen, "unknown record format %d", (int)fmt);
		return -EINVAL;
	}
	ret = udamon_record_check_path(path, err, errlen);
	if (ret)
		return ret;
	tmp = malloc(len);
	if (!tmp)
		return -ENOMEM;
	snprintf(tmp, len, "%s.tmp.XXXXXX", path);
	fd = mkstemp(tmp);
	if (fd < 0) {
		ret = -errno;
		udamon_seterr(err, errlen,
			      "cannot create a temporary file for '%s': %s",
			      path, strerror(errno));
		free(tmp);
		return ret;
	}
	f = fdopen(fd, "wb");
	if (!f) {
		ret = -errno;
		close(fd);
		goto fail;
	}
	ret = write_stream(f, fmt, recs, nr);
	if (!ret && fflush(f))
		ret = -errno;
	if (!ret && fsync(fileno(f)))
		ret = -errno;
	if (fclose(f) && !ret)
		ret = -errno;
	if (ret)
		goto fail;
	if (rename_old) {
		ret = rename_to_old(path, err, errlen);
		if (ret) {
			unlink(tmp);
			free(tmp);
			return ret;
		}
	}
	if (rename(tmp, path)) {
		ret = -errno;
		goto fail;
	}
	free(tmp);
	return 0;
fail:
	udamon_seterr(err, errlen, "cannot write '%s': %s", path,
		      strerror(-ret));
	unlink(tmp);
	free(tmp);
	return ret;
}

int udamon_record_write_stream(FILE *f, enum udamon_record_format fmt,
			       const struct udamon_record *recs, size_t nr)
{
	if (fmt != UDAMON_RECORD_JSON && fmt != UDAMON_RECORD_JSON_COMPRESSED)
		return -EINVAL;
	return write_stream(f, fmt, recs, nr);
}
