// SPDX-License-Identifier: MIT
/*
 * udamon status (also udamon report damon): the state of the background
 * monitors, as damo's status. Monitors that died are reported and their
 * stale files removed.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "cli/control_client.h"
#include "cli/rundir.h"
#include "udamon/textfmt.h"

static void status_usage(FILE *f)
{
	fprintf(f,
		"usage: udamon status [--index N] [--json]\n"
		"       udamon report damon [--index N] [--json]\n\n"
		"Show each background monitor: index, state, pid, targets,\n"
		"intervals (current ones when auto-tuned), region bounds and\n"
		"count, intervals goal, primitive and filters, lost events and\n"
		"mappings that could not be monitored.\n\n"
		"  --index N   only monitor N\n"
		"  --json      the monitors' status answers (docs/CONTROL.md),\n"
		"              one JSON object per line\n");
}

static struct json_object *get(struct json_object *o, const char *key)
{
	struct json_object *v = NULL;

	if (o)
		json_object_object_get_ex(o, key, &v);
	return v;
}

static unsigned long long u(struct json_object *o, const char *key)
{
	return (unsigned long long)control_int(o, key);
}

static const char *t(struct json_object *o, const char *key, char *buf,
		     size_t len)
{
	return udamon_fmt_time_us(u(o, key), buf, len);
}

static void print_targets(struct json_object *st)
{
	struct json_object *ts = get(st, "targets");
	char b[64];

	for (size_t i = 0; ts && i < json_object_array_length(ts); i++) {
		struct json_object *x = json_object_array_get_idx(ts, i);

		if (get(x, "processes"))	/* paddr */
			printf("    target %zu: physical memory, through %llu "
			       "processes, %s", i, u(x, "processes"),
			       control_str(x, "state"));
		else
			printf("    target %zu: pid %lld, %s", i,
			       control_int(x, "pid"), control_str(x, "state"));
		if (control_str(x, "command"))
			printf(", command \"%s\"", control_str(x, "command"));
		printf("\n        regions: %llu, %s\n", u(x, "nr_regions"),
		       udamon_fmt_size(u(x, "total_bytes"), b, sizeof(b)));
	}
}

static void print_filters(struct json_object *st, const char *key,
			  const char *title)
{
	struct json_object *fs = get(st, key);
	size_t n = fs ? json_object_array_length(fs) : 0;

	if (!fs)
		return;
	printf("    %s:", title);
	if (!n)
		printf(" none (every access counts)");
	for (size_t i = 0; i < n; i++) {
		struct json_object *f = json_object_array_get_idx(fs, i);
		struct json_object *tids = get(f, "tids");

		printf("%s %s%s %s", i ? ";" : "",
		       json_object_get_boolean(get(f, "allow")) ? "allow" : "reject",
		       json_object_get_boolean(get(f, "matching")) ? "" : " not",
		       control_str(f, "type"));
		if (control_str(f, "cpus"))
			printf(" %s", control_str(f, "cpus"));
		for (size_t k = 0; tids && k < json_object_array_length(tids); k++)
			printf("%s%d", k ? "," : " ",
			       json_object_get_int(json_object_array_get_idx(tids, k)));
	}
	printf("\n");
}

static void print_attrs(struct json_object *st)
{
	struct json_object *a = get(st, "attrs"), *g = get(a, "intervals_goal");
	struct json_object *ur = get(st, "user_regions");
	char b1[64], b2[64], b3[64];

	printf("    intervals: sample %s, aggr %s, update %s%s\n",
	       t(a, "sample_us", b1, sizeof(b1)), t(a, "aggr_us", b2, sizeof(b2)),
	       t(a, "ops_update_us", b3, sizeof(b3)),
	       g ? " (current, auto-tuned)" : "");
	if (g)
		printf("    intervals goal: access %llu bp, every %llu "
		       "aggregations, sample %s to %s\n", u(g, "access_bp"),
		       u(g, "aggrs"), t(g, "min_sample_us", b1, sizeof(b1)),
		       t(g, "max_sample_us", b2, sizeof(b2)));
	else
		printf("    intervals goal: none\n");
	printf("    nr_regions: min %llu, max %llu", u(a, "min_nr_regions"),
	       u(a, "max_nr_regions"));
	if (ur && json_object_array_length(ur)) {
		printf("; given ranges:");
		for (size_t i = 0; i < json_object_array_length(ur); i++) {
			struct json_object *r = json_object_array_get_idx(ur, i);

			printf(" %#llx-%#llx",
			       (unsigned long long)json_object_get_int64(
				       json_object_array_get_idx(r, 0)),
			       (unsigned long long)json_object_get_int64(
				       json_object_array_get_idx(r, 1)));
		}
	}
	printf("\n");
	if (get(st, "pending_attrs"))
		printf("    (a tune is being applied: the engine takes it at "
		       "the next sample)\n");
}

/* Every process of the scope that could not be monitored: pid, reason. */
static void print_refused(struct json_object *st)
{
	struct json_object *r = get(st, "refused_processes");
	size_t n = r ? json_object_array_length(r) : 0;
	unsigned long long ended = u(st, "refused_ended");

	if (!n && !ended)
		return;
	printf("    processes refused: %zu", n);
	if (ended)
		printf(" (and %llu refused that have ended)", ended);
	printf("\n");
	for (size_t i = 0; i < n; i++) {
		struct json_object *o = json_object_array_get_idx(r, i);

		printf("        %7lld  %s\n", control_int(o, "pid"),
		       control_str(o, "reason"));
	}
}

static void print_status(struct json_object *st)
{
	struct json_object *w = get(st, "mapping_warnings");
	size_t nw = w ? json_object_array_length(w) : 0;
	const char *fs;

	printf("monitor %lld\n", control_int(st, "index"));
	printf("    state: %s, pid: %lld, up %.1f s\n", control_str(st, "state"),
	       control_int(st, "pid"), u(st, "uptime_ns") / 1e9);
	fs = control_str(st, "fault_source");
	if (!fs)
		fs = "";
	printf("    ops: %s, primitive: %s%s%s%s\n", control_str(st, "ops"),
	       control_str(st, "primitive"),
	       json_object_get_boolean(get(st, "attribution")) ?
	       " with fault events (CPU and thread of each write)" : "",
	       fs[0] ? " from " : "", fs);
	print_targets(st);
	print_attrs(st);
	print_filters(st, "filters", "filters");
	print_filters(st, "pending_filters", "filters being applied");
	printf("    samples: %llu, snapshots: %llu\n", u(st, "samples"),
	       u(st, "snapshots"));
	printf("    access reports: %llu seen, %llu counted; lost fault "
	       "events: %llu\n", u(st, "reports_seen"), u(st, "reports_counted"),
	       u(st, "lost_events"));
	printf("    overruns: %llu aggregations, %llu samples; %llu region "
	       "samples unchecked\n", u(st, "aggr_overruns"),
	       u(st, "sample_overruns"), u(st, "unchecked_samples"));
	printf("    huge pages: %llu split by writes to armed ones, %llu "
	       "restored\n", u(st, "thp_splits"), u(st, "thp_collapses"));
	if (u(st, "cpu_budget_bp"))
		printf("    CPU budget: %.2f %% of a CPU; last window used %.2f %%; "
		       "intervals changed %llu times\n",
		       u(st, "cpu_budget_bp") / 100.0,
		       u(st, "budget_used_bp") / 100.0, u(st, "budget_changes"));
	else
		printf("    CPU budget: none\n");
	printf("    not monitored (mappings, processes): %s\n",
	       nw ? "" : "none");
	for (size_t i = 0; i < nw; i++)
		printf("        %s\n",
		       json_object_get_string(json_object_array_get_idx(w, i)));
	print_refused(st);
	if (u(st, "control_refused") || u(st, "control_bad_requests"))
		printf("    control: %llu connections refused, %llu bad "
		       "requests\n", u(st, "control_refused"),
		       u(st, "control_bad_requests"));
	printf("    options: %s\n", control_str(st, "args"));
}

static int show(const struct rundir_entry *e, void *arg)
{
	bool json = *(bool *)arg;
	struct json_object *ans;
	int err;

	err = control_call(e->index, "status", NULL, &ans);
	if (err == CONTROL_GONE)
		return 0;
	if (err)
		return -1;
	if (json)
		printf("%s\n", json_object_to_json_string_ext(get(ans, "status"),
			       JSON_C_TO_STRING_PLAIN));
	else
		print_status(get(ans, "status"));
	json_object_put(ans);
	return 0;
}

int cmd_status(int argc, char **argv)
{
	int index = -1, ret;
	bool json = false;
	size_t done;

	for (int i = 1; i < argc; i++) {
		int taken;

		if (!strcmp(argv[i], "-h") || !strcmp(argv[i], "--help")) {
			status_usage(stdout);
			return 0;
		}
		if (!strcmp(argv[i], "--json")) {
			json = true;
			continue;
		}
		taken = control_parse_index(argc, argv, &i, &index);
		if (taken < 0)
			return 1;
		if (!taken)
			return cli_error("%s: unknown argument '%s' (see 'udamon "
					 "status --help')", argv[0], argv[i]);
	}
	ret = control_each(index, show, &json, &done);
	if (ret < 0)
		return 1;
	if (!done && index >= 0)
		return cli_error("no monitor with index %d", index);
	if (!done && !json)
		printf("no monitor is running\n");
	return ret;
}
