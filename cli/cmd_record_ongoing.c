// SPDX-License-Identifier: MIT
/*
 * udamon record ongoing: record the snapshots of running monitors (from
 * now on) in the normal record format, until Ctrl-C, the timeout, or the
 * end of every monitor.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cli/cli.h"
#include "cli/control_client.h"
#include "cli/live_records.h"
#include "cli/options.h"
#include "cli/record_out.h"
#include "cli/stop_signal.h"
#include "udamon/textfmt.h"

#define POLL_NS		(100ull * 1000000)

struct source {
	int index;
	uint64_t since_ns;
	bool done;
	bool warned;
};

struct ongoing {
	struct record_out out;
	uint64_t timeout_us;
	int index;
	bool quiet;
	struct udamon_record *recs;	/* what was recorded, per target */
	size_t nr_recs;
};

static void ongoing_usage(FILE *f)
{
	fprintf(f,
		"usage: udamon record ongoing [--index N] [options]\n\n"
		"Record the snapshots of the running monitors (udamon start), from\n"
		"now until Ctrl-C, the timeout or their end, in the record format\n"
		"of udamon record (one record per monitor and target).\n\n"
		"  --index N             only monitor N\n"
		"  -o, --out FILE        output file, a regular one (default\n"
		"                        damon.data; an existing file is renamed\n"
		"                        FILE.old)\n"
		"  --output_type {json_compressed,json}   (default json_compressed)\n"
		"  --output_flush_sec SEC  write the record out every SEC seconds\n"
		"                        (default 10; 0: only at the end)\n"
		"  --timeout TIME        stop after TIME (bare numbers are seconds)\n"
		"  -q, --quiet           no summary line\n");
}

static int parse(struct ongoing *g, int argc, char **argv)
{
	char err[512];
	const char *v;

	for (int i = 2; i < argc; i++) {
		const char *a = argv[i];
		int taken;

		if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
			ongoing_usage(stdout);
			return 1;
		}
		taken = control_parse_index(argc, argv, &i, &g->index);
		if (taken < 0)
			return -1;
		if (taken)
			continue;
		if (!strcmp(a, "-q") || !strcmp(a, "--quiet")) {
			g->quiet = true;
			continue;
		}
		if (cli_opt_is(a, "--out") || !strcmp(a, "-o")) {
			g->out.path = cli_opt_value(argc, argv, &i, "--out");
			if (!g->out.path)
				return -1;
			continue;
		}
		if (cli_opt_is(a, "--output_type")) {
			v = cli_opt_value(argc, argv, &i, "--output_type");
			if (!v)
				return -1;
			if (udamon_record_format_parse(v, &g->out.fmt, err,
						       sizeof(err)))
				return cli_fail("--output_type: %s", err);
			continue;
		}
		if (cli_opt_is(a, "--output_flush_sec") ||
		    cli_opt_is(a, "--timeout")) {
			bool flush = cli_opt_is(a, "--output_flush_sec");
			const char *name = flush ? "--output_flush_sec" : "--timeout";

			v = cli_opt_value(argc, argv, &i, name);
			if (!v)
				return -1;
			if (udamon_parse_time_us(v, 1000000, flush ?
						 &g->out.flush_us : &g->timeout_us,
						 err, sizeof(err)))
				return cli_fail("%s: %s", name, err);
			continue;
		}
		return cli_fail("record ongoing: unknown argument '%s' (see "
				"'udamon record ongoing --help')", a);
	}
	return 0;
}

static struct udamon_record *find_rec(struct ongoing *g,
				      const struct udamon_record *r)
{
	for (size_t i = 0; i < g->nr_recs; i++)
		if (g->recs[i].kdamond_idx == r->kdamond_idx &&
		    g->recs[i].target_id == r->target_id)
			return &g->recs[i];
	return NULL;
}

/* Add what a monitor sent to the records: -1 after printing. */
static int merge(struct ongoing *g, struct udamon_record *got, size_t nr)
{
	int ret = 0;

	for (size_t i = 0; i < nr && !ret; i++) {
		struct udamon_record *r = &got[i], *dst = find_rec(g, r), *n;

		if (!dst) {
			n = realloc(g->recs, (g->nr_recs + 1) * sizeof(*n));
			if (!n) {
				ret = cli_fail("out of memory");
				break;
			}
			g->recs = n;
			g->recs[g->nr_recs++] = *r;
			memset(r, 0, sizeof(*r));	/* moved */
			continue;
		}
		if (!dst->nr_cpus)
			dst->nr_cpus = r->nr_cpus;
		dst->lost_events = r->lost_events;
		dst->stats = r->stats;
		for (size_t k = 0; k < r->nr_snapshots && !ret; k++)
			if (udamon_record_add_snapshot(dst, &r->snapshots[k]))
				ret = cli_fail("out of memory");
	}
	udamon_records_free(got, nr);
	return ret;
}

/* One round over the monitors; the number still running. */
static size_t poll_sources(struct ongoing *g, struct source *s, size_t nr)
{
	size_t active = 0;

	for (size_t i = 0; i < nr; i++) {
		struct udamon_record *got = NULL;
		size_t nr_got = 0;
		bool missed = false;
		uint64_t last;
		int ret;

		if (s[i].done)
			continue;
		ret = live_fetch(s[i].index, s[i].since_ns, &got, &nr_got,
				 &last, &missed);
		if (ret) {
			fprintf(stderr, "udamon: monitor %d is no longer "
				"recorded\n", s[i].index);
			s[i].done = true;
			continue;
		}
		if (missed && !s[i].warned) {
			cli_warn("monitor %d let go of snapshots before they "
				 "were read: the record has gaps", s[i].index);
			s[i].warned = true;
		}
		s[i].since_ns = last;
		if (merge(g, got, nr_got))
			s[i].done = true;
		else
			active++;
	}
	return active;
}

static int record_ongoing(struct ongoing *g)
{
	struct rundir_entry *v;
	struct source *s;
	uint64_t start = udamon_now_ns();
	size_t n;
	int ret = 0;

	if (record_out_check(g->out.path) || control_targets(g->index, &v, &n))
		return 1;
	s = calloc(n, sizeof(*s));
	if (!s) {
		free(v);
		return cli_error("out of memory");
	}
	for (size_t i = 0; i < n; i++) {
		s[i].index = v[i].index;
		s[i].since_ns = start;
	}
	free(v);
	cli_catch_stop_signals(NULL);
	record_out_begin(&g->out, start);
	if (!g->quiet)
		fprintf(stderr, "udamon: recording %zu monitor%s to %s; Ctrl-C "
			"to stop\n", n, n > 1 ? "s" : "", g->out.path);
	while (!cli_stop_signal()) {
		struct timespec ts = { 0, (long)POLL_NS };
		uint64_t now = udamon_now_ns();

		if (!poll_sources(g, s, n))
			break;
		record_out_tick(&g->out, g->recs, g->nr_recs, now);
		if (g->timeout_us && now - start >= g->timeout_us * 1000)
			break;
		nanosleep(&ts, NULL);
	}
	free(s);
	if (record_out_write(&g->out, g->recs, g->nr_recs))
		ret = 1;
	else if (!g->quiet)
		fprintf(stderr, "udamon: wrote %zu records to %s\n", g->nr_recs,
			g->out.path);
	return ret;
}

int cmd_record_ongoing(int argc, char **argv)
{
	struct ongoing g = {
		.out = {
			.path = "damon.data",
			.fmt = UDAMON_RECORD_JSON_COMPRESSED,
			.flush_us = RECORD_OUT_FLUSH_US,
		},
		.index = -1,
	};
	int ret = parse(&g, argc, argv);

	if (ret)
		return ret > 0 ? 0 : 1;
	ret = record_ongoing(&g);
	udamon_records_free(g.recs, g.nr_recs);
	return ret;
}
