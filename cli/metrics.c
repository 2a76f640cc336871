// SPDX-License-Identifier: MIT
/*
 * One metrics scrape: the latest snapshots of each running monitor (over
 * the control channel: its status, then its snapshots of the last few
 * aggregation intervals) and its process's CPU time, or a record file.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/cli.h"
#include "cli/control_client.h"
#include "cli/live_records.h"
#include "cli/metrics.h"
#include "cli/rundir.h"
#include "udamon/record.h"
#include "udamon/report.h"

struct scrape {
	struct udamon_metrics_src *srcs;
	struct udamon_record **recs;	/* per source, to free */
	char **descs;
	size_t nr;
};

static void scrape_free(struct scrape *s)
{
	for (size_t i = 0; i < s->nr; i++) {
		udamon_records_free(s->recs[i], s->srcs[i].nr_recs);
		free(s->descs[i]);
	}
	free(s->srcs);
	free(s->recs);
	free(s->descs);
}

static struct udamon_metrics_src *scrape_add(struct scrape *s)
{
	size_t n = s->nr + 1;
	struct udamon_metrics_src *srcs = realloc(s->srcs, n * sizeof(*srcs));
	struct udamon_record **recs;
	char **descs;

	if (!srcs)
		return NULL;
	s->srcs = srcs;
	recs = realloc(s->recs, n * sizeof(*recs));
	if (!recs)
		return NULL;
	s->recs = recs;
	descs = realloc(s->descs, n * sizeof(*descs));
	if (!descs)
		return NULL;
	s->descs = descs;
	memset(&s->srcs[s->nr], 0, sizeof(s->srcs[0]));
	s->recs[s->nr] = NULL;
	s->descs[s->nr] = NULL;
	s->nr = n;
	return &s->srcs[n - 1];
}

/* utime + stime of a process, in seconds; -1 when unreadable. */
static double process_cpu_s(pid_t pid)
{
	char path[64], buf[1024], *p;
	unsigned long long ut, st;
	FILE *f;
	size_t n;

	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	f = fopen(path, "r");
	if (!f)
		return -1;
	n = fread(buf, 1, sizeof(buf) - 1, f);
	fclose(f);
	buf[n] = '\0';
	p = strrchr(buf, ')');	/* the command name may hold anything */
	/* after ")": state, then fields 4..13, then utime (14), stime (15) */
	if (!p || sscanf(p + 1, " %*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %llu %llu",
			 &ut, &st) != 2)
		return -1;
	return (double)(ut + st) / (double)sysconf(_SC_CLK_TCK);
}

static uint64_t u64_at(struct json_object *o, const char *key)
{
	long long v = control_int(o, key);

	return v > 0 ? (uint64_t)v : 0;
}

/* The status counters and intervals of one monitor into src. */
static void take_status(struct udamon_metrics_src *src, char **desc,
			struct json_object *st)
{
	struct json_object *attrs;
	const char *d;

	src->has_status = true;
	src->samples = u64_at(st, "samples");
	src->snapshots = u64_at(st, "snapshots");
	src->reports_seen = u64_at(st, "reports_seen");
	src->reports_counted = u64_at(st, "reports_counted");
	src->lost_events = u64_at(st, "lost_events");
	src->aggr_overruns = u64_at(st, "aggr_overruns");
	src->sample_overruns = u64_at(st, "sample_overruns");
	src->uptime_s = (double)u64_at(st, "uptime_ns") / 1e9;
	src->cpu_s = process_cpu_s((pid_t)control_int(st, "pid"));
	if (json_object_object_get_ex(st, "attrs", &attrs)) {
		src->sample_us = u64_at(attrs, "sample_us");
		src->aggr_us = u64_at(attrs, "aggr_us");
		src->ops_update_us = u64_at(attrs, "ops_update_us");
	}
	d = control_str(st, "filters_desc");
	*desc = d ? strdup(d) : NULL;
	src->filters_desc = *desc;
}

static bool any_snapshot(const struct udamon_record *recs, size_t nr)
{
	for (size_t i = 0; i < nr; i++)
		if (recs[i].nr_snapshots)
			return true;
	return false;
}

/* Monitor index: 0, 1 when it is gone (skipped), -1 after printing. */
static int add_monitor(struct scrape *s, int index)
{
	struct udamon_metrics_src *src;
	struct json_object *ans, *st;
	uint64_t last, since, now = udamon_now_ns();
	bool missed;
	int ret;

	ret = control_call(index, "status", NULL, &ans);
	if (ret)
		return ret == CONTROL_GONE ? 1 : -1;
	src = scrape_add(s);
	if (!src) {
		json_object_put(ans);
		return cli_fail("out of memory");
	}
	src->index = index;
	if (json_object_object_get_ex(ans, "status", &st))
		take_status(src, &s->descs[s->nr - 1], st);
	json_object_put(ans);
	/* the snapshots of the last few aggregations: the latest is there */
	since = now > src->aggr_us * 3000 ? now - src->aggr_us * 3000 : 0;
	ret = live_fetch(index, since, &s->recs[s->nr - 1], &src->nr_recs,
			 &last, &missed);
	if (!ret && !any_snapshot(s->recs[s->nr - 1], src->nr_recs)) {
		/* none lately (its target ended): all it keeps */
		udamon_records_free(s->recs[s->nr - 1], src->nr_recs);
		s->recs[s->nr - 1] = NULL;
		src->nr_recs = 0;
		ret = live_fetch(index, 0, &s->recs[s->nr - 1], &src->nr_recs,
				 &last, &missed);
	}
	src->recs = s->recs[s->nr - 1];
	if (ret == CONTROL_GONE) {
		/* ended between the two calls: leave it out */
		udamon_records_free(s->recs[s->nr - 1], src->nr_recs);
		free(s->descs[s->nr - 1]);
		s->nr--;
		return 1;
	}
	return ret ? -1 : 0;
}

static int add_monitors(struct scrape *s, int index)
{
	struct rundir_entry *v = NULL;
	size_t n = 0;
	int ret = 0;

	if (access(rundir_path(), X_OK)) {
		if (index >= 0)
			return cli_fail("no monitor with index %d (see 'udamon status')",
					index);
		return 0;	/* nothing ever ran: no monitor */
	}
	if (rundir_list(&v, &n))
		return -1;
	for (size_t i = 0; i < n && ret >= 0; i++) {
		if (index >= 0 && v[i].index != index)
			continue;
		if (v[i].state != RUNDIR_ALIVE)
			continue;
		ret = add_monitor(s, v[i].index);
	}
	free(v);
	if (ret < 0)
		return -1;
	if (index >= 0 && !s->nr)
		return cli_fail("no monitor with index %d is running (see 'udamon status')",
				index);
	return 0;
}

static int add_file(struct scrape *s, const char *input)
{
	struct udamon_metrics_src *src = scrape_add(s);
	char err[512];

	if (!src)
		return cli_fail("out of memory");
	src->index = -1;
	src->cpu_s = -1;
	if (udamon_record_read(input, &s->recs[0], &src->nr_recs, err,
			       sizeof(err)))
		return cli_fail("%s", err);
	src->recs = s->recs[0];
	return 0;
}

int metrics_scrape(FILE *out, int index, const char *input)
{
	struct scrape s = { 0 };
	int ret;

	ret = input ? add_file(&s, input) : add_monitors(&s, index);
	if (!ret && udamon_report_metrics(out, s.srcs, s.nr))
		ret = cli_fail("cannot write the metrics");
	scrape_free(&s);
	return ret;
}
