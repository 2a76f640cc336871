// SPDX-License-Identifier: MIT
/* udamon record: monitor a target and save the snapshots, as damo record. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "cli/monitor.h"
#include "cli/options.h"
#include "cli/record_out.h"
#include "udamon/record.h"
#include "udamon/textfmt.h"

/* damo's --snapshot DELAY COUNT: COUNT snapshots, DELAY apart */
struct snapshot_take {
	uint64_t delay_ns;
	uint64_t count;		/* 0: every snapshot (no --snapshot) */
	size_t *kept;		/* per record: snapshots kept so far */
	uint64_t *next_ns;	/* per record: keep the next one ending after */
	size_t nr;
};

struct record_opts {
	struct mon_opts mon;
	struct record_out out;
	uint64_t timeout_us;
	bool quiet;
	struct snapshot_take snap;
};

static void record_usage(FILE *f)
{
	fprintf(f,
		"usage: udamon record [options] [<pid> | \"<command line>\" |\n"
		"                                --target_cgroup PATH]\n"
		"       udamon record ongoing [options]   (see its --help)\n\n"
		"Monitor a process (or a process tree, a cgroup's processes, or,\n"
		"without a target, the machine's physical memory) and save its\n"
		"access pattern to a damo record.\n\n"
		"Record options:\n"
		"  -o, --out FILE        output file, a regular one (default\n"
		"                        damon.data; an existing file is renamed\n"
		"                        FILE.old)\n"
		"  --output_type {json_compressed,json}   (default json_compressed)\n"
		"  --output_flush_sec SEC  write the record out every SEC seconds\n"
		"                        (default 10; 0: only at the end), so that a\n"
		"                        crash loses at most the last period\n"
		"  --output_permission MODE  the file's permission bits, octal\n"
		"                        (default 600)\n"
		"  --snapshot DELAY COUNT  record COUNT snapshots, DELAY apart (the\n"
		"                        first at once; bare numbers are seconds),\n"
		"                        then stop\n"
		"  --timeout TIME        stop after TIME (> 0; bare numbers are seconds);\n"
		"                        a command target still running then gets\n"
		"                        SIGTERM (SIGKILL 2 s later; a shell line's\n"
		"                        programs too)\n"
		"  -q, --quiet           no progress or summary lines (a command\n"
		"                        target's exit is still reported)\n\n%s\n"
		"Examples:\n"
		"  udamon record --exp_ops_use_reports y --exp_ops_write_only y \\\n"
		"      \"./my_app --args\"\n"
		"  udamon record --exp_ops_use_reports y --exp_ops_write_only y \\\n"
		"      \"cd /srv && FOO=1 ./my_app\"   (the shell and ./my_app,\n"
		"      a record each)\n", mon_opts_help);
}

static int parse_snapshot(struct record_opts *r, int argc, char **argv,
			  int *i)
{
	char err[512];
	uint64_t us;

	if (*i + 2 >= argc)
		return cli_fail("--snapshot needs 2 values: <delay> <count>, e.g. --snapshot 1s 10");
	if (udamon_parse_time_us(argv[*i + 1], 1000000, &us, err, sizeof(err)))
		return cli_fail("--snapshot delay: %s", err);
	if (udamon_parse_u64(argv[*i + 2], &r->snap.count, err, sizeof(err)) ||
	    !r->snap.count || r->snap.count == UINT64_MAX)
		return cli_fail("--snapshot count '%s': expected a number of snapshots, 1 or more",
				argv[*i + 2]);
	r->snap.delay_ns = us * 1000;
	*i += 2;
	return 0;
}

static int parse_record_opt(struct record_opts *r, int argc, char **argv,
			    int *i)
{
	const char *arg = argv[*i], *v;
	char err[512];

	if (cli_opt_is(arg, "--out") || !strcmp(arg, "-o")) {
		r->out.path = cli_opt_value(argc, argv, i, "--out");
		return r->out.path ? 1 : -1;
	}
	if (cli_opt_is(arg, "--output_type")) {
		v = cli_opt_value(argc, argv, i, "--output_type");
		if (!v)
			return -1;
		if (udamon_record_format_parse(v, &r->out.fmt, err, sizeof(err)))
			return cli_fail("--output_type: %s", err);
		return 1;
	}
	if (cli_opt_is(arg, "--output_flush_sec")) {
		v = cli_opt_value(argc, argv, i, "--output_flush_sec");
		if (!v)
			return -1;
		if (udamon_parse_time_us(v, 1000000, &r->out.flush_us, err,
					 sizeof(err)))
			return cli_fail("--output_flush_sec: %s", err);
		return 1;
	}
	if (cli_opt_is(arg, "--timeout")) {
		v = cli_opt_value(argc, argv, i, "--timeout");
		if (!v)
			return -1;
		if (udamon_parse_time_us(v, 1000000, &r->timeout_us, err,
					 sizeof(err)))
			return cli_fail("--timeout: %s", err);
		if (!r->timeout_us)
			return cli_fail("--timeout %s: expected a positive time "
					 "(without --timeout, recording lasts "
					 "until the target ends or Ctrl-C)", v);
		return 1;
	}
	if (cli_opt_is(arg, "--output_permission")) {
		v = cli_opt_value(argc, argv, i, "--output_permission");
		if (!v || record_out_parse_mode(v, &r->out.mode))
			return -1;
		r->out.set_mode = true;
		return 1;
	}
	if (!strcmp(arg, "--snapshot"))
		return parse_snapshot(r, argc, argv, i) ? -1 : 1;
	if (!strcmp(arg, "-q") || !strcmp(arg, "--quiet")) {
		r->quiet = true;
		return 1;
	}
	return 0;
}

/* 0 to go on, 1 when help was printed, -1 after an error. */
static int parse_args(struct record_opts *r, int argc, char **argv)
{
	for (int i = 1; i < argc; i++) {
		int taken;

		if (!strcmp(argv[i], "-h") || !strcmp(argv[i], "--help")) {
			record_usage(stdout);
			return 1;
		}
		taken = parse_record_opt(r, argc, argv, &i);
		if (!taken)
			taken = mon_opts_parse_one(&r->mon, argc, argv, &i);
		if (taken < 0)
			return -1;
		if (taken)
			continue;
		if (argv[i][0] == '-' && argv[i][1] != '\0')
			return cli_fail("record: unknown option '%s' (see "
					"'udamon record --help')", argv[i]);
		if (mon_opts_set_target(&r->mon, argv[i]))
			return -1;
	}
	return mon_opts_check_target(&r->mon);
}

static void drop_snapshot(struct udamon_record *rec, size_t idx)
{
	struct udamon_snapshot *s = &rec->snapshots[idx];

	for (size_t k = 0; k < s->nr_regions; k++)
		free(s->regions[k].cpu_samples);
	free(s->regions);
	memmove(s, s + 1, (rec->nr_snapshots - idx - 1) * sizeof(*s));
	rec->nr_snapshots--;
}

/*
 * With --snapshot, keep the first snapshot and then the first one ending
 * DELAY or more after the last kept one; 1 once COUNT are kept.
 */
static int take_snapshots(struct monitor *m, struct snapshot_take *t)
{
	size_t i, done = 0;

	if (t->nr < m->nr_recs) {
		size_t *k = realloc(t->kept, m->nr_recs * sizeof(*k));
		uint64_t *n = k ? realloc(t->next_ns, m->nr_recs * sizeof(*n)) :
			NULL;

		if (k)
			t->kept = k;
		if (!n)
			return cli_fail("out of memory");
		t->next_ns = n;
		for (i = t->nr; i < m->nr_recs; i++)
			t->kept[i] = t->next_ns[i] = 0;
		t->nr = m->nr_recs;
	}
	for (i = 0; i < m->nr_recs; i++) {
		struct udamon_record *rec = &m->recs[i];

		while (rec->nr_snapshots > t->kept[i]) {
			struct udamon_snapshot *s = &rec->snapshots[t->kept[i]];

			if (t->kept[i] >= t->count ||
			    s->end_time_ns < t->next_ns[i]) {
				drop_snapshot(rec, t->kept[i]);
				continue;
			}
			t->next_ns[i] = s->end_time_ns + t->delay_ns;
			t->kept[i]++;
		}
		done += t->kept[i] >= t->count;
	}
	return done && done == m->nr_recs;
}

static int flush_tick(struct monitor *m, void *data)
{
	struct record_opts *r = data;
	int ret = 0;

	if (r->snap.count)
		ret = take_snapshots(m, &r->snap);
	monitor_sync_stats(m);
	record_out_tick(&r->out, m->recs, m->nr_recs, udamon_now_ns());
	return ret;
}

static int save(struct monitor *m, struct record_opts *r)
{
	if (record_out_write(&r->out, m->recs, m->nr_recs))
		return -1;
	if (!r->quiet && m->nr_recs > 1)
		fprintf(stderr, "udamon: wrote %zu snapshots of %zu targets "
			"to %s\n", monitor_nr_snapshots(m), m->nr_recs,
			r->out.path);
	else if (!r->quiet)
		fprintf(stderr, "udamon: wrote %zu snapshots to %s\n",
			monitor_nr_snapshots(m), r->out.path);
	if (m->recs[0].lost_events)
		cli_warn("%llu fault events were lost (the event buffers "
			 "overflowed); some accesses were not counted",
			 (unsigned long long)m->recs[0].lost_events);
	return 0;
}

static int record(struct record_opts *r)
{
	struct monitor m;
	int err;

	memset(&m, 0, sizeof(m));
	m.timeout_us = r->timeout_us;
	m.quiet = r->quiet;
	m.tick = flush_tick;
	m.tick_data = r;
	if (record_out_check(r->out.path))
		return 1;
	if (r->mon.target_cmd) {
		if (monitor_spawn(&m, &r->mon))
			return 1;
	} else if (r->mon.target_pid) {
		m.pid = r->mon.target_pid;
	}
	err = monitor_setup(&m, &r->mon);
	if (!err) {
		if (!r->quiet)
			fprintf(stderr, "udamon: recording %s (%s%s%s) to %s;"
				" Ctrl-C to stop\n", monitor_what(&m, &r->mon),
				mon_opts_filters_desc(&r->mon),
				m.ctx->stats.fault_source[0] ? "; fault events: " : "",
				m.ctx->stats.fault_source, r->out.path);
		record_out_begin(&r->out, udamon_now_ns());
		err = monitor_run(&m);
		if (r->snap.count && take_snapshots(&m, &r->snap) < 0)
			err = -1;
		if (save(&m, r))
			err = -1;
	}
	monitor_finish(&m);
	monitor_report_exit(&m);
	free(r->snap.kept);
	free(r->snap.next_ns);
	return err ? 1 : 0;
}

int cmd_record(int argc, char **argv)
{
	struct record_opts r;
	int ret;

	if (argc > 1 && !strcmp(argv[1], "ongoing"))
		return cmd_record_ongoing(argc, argv);
	memset(&r, 0, sizeof(r));
	mon_opts_init(&r.mon);
	r.out.path = "damon.data";
	r.out.fmt = UDAMON_RECORD_JSON_COMPRESSED;
	r.out.flush_us = RECORD_OUT_FLUSH_US;
	ret = parse_args(&r, argc, argv);
	if (ret == 1)
		ret = 0;		/* help */
	else if (ret || mon_opts_validate(&r.mon))
		ret = 1;
	else
		ret = record(&r);
	mon_opts_free(&r.mon);
	return ret;
}
