// SPDX-License-Identifier: MIT
/*
 * A monitoring run: start or find the target, attach the vaddr operations
 * set, collect a snapshot per aggregation into a record, stop on timeout,
 * signal or the target's end.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "cli/cli.h"
#include "cli/monitor.h"
#include "cli/spawn.h"
#include "cli/stop_signal.h"
#include "udamon/ops.h"
#include "udamon/textfmt.h"

int monitor_spawn(struct monitor *m, const struct mon_opts *o)
{
	pid_t pid = spawn_command(o->target_cmd, &m->shell);

	if (pid < 0)
		return -1;
	m->pid = m->child = pid;
	return 0;
}

void monitor_adopt_child(struct monitor *m, pid_t pid)
{
	m->pid = m->child = pid;
}

static int cmp_int(const void *a, const void *b)
{
	int x = *(const int *)a, y = *(const int *)b;

	return (x > y) - (x < y);
}

/* Is tid among the sorted tids? */
static bool has_tid(const int *tids, size_t nr, int tid)
{
	return bsearch(&tid, tids, nr, sizeof(*tids), cmp_int) != NULL;
}

/* Every --exp_ops_tids entry must be a thread of an attached pid. */
int monitor_check_tids(const struct monitor *m, const struct mon_opts *o)
{
	int *tids = NULL;
	size_t nr = 0;
	int err;

	if (!o->nr_tids)
		return 0;
	err = udamon_vaddr_threads(m->pid, &tids, &nr);
	if (err)
		return cli_fail("cannot list the threads of process %d: %s",
				m->pid, strerror(-err));
	for (size_t i = 0; i < o->nr_tids; i++) {
		if (has_tid(tids, nr, o->tids[i]))
			continue;
		if (m->child) {
			/* a command's threads may not exist yet */
			cli_warn("--exp_ops_tids: %d is not (yet) a thread of "
				 "process %d; it counts once it is", o->tids[i],
				 m->pid);
			continue;
		}
		free(tids);
		return cli_fail("--exp_ops_tids: %d is not a thread of process "
				"%d (see /proc/%d/task)", o->tids[i], m->pid,
				m->pid);
	}
	free(tids);
	return 0;
}

void monitor_sync_stats(struct monitor *m)
{
	if (!m->nr_recs)
		return;
	m->recs[0].lost_events = m->ctx->lost_reports;
	for (size_t i = 0; i < m->nr_recs; i++)
		m->recs[i].stats = m->ctx->stats;
}

size_t monitor_nr_snapshots(const struct monitor *m)
{
	size_t n = 0;

	for (size_t i = 0; i < m->nr_recs; i++)
		n += m->recs[i].nr_snapshots;
	return n;
}

/* The record of target idx: made on its first snapshot, like the first. */
static struct udamon_record *target_record(struct monitor *m, size_t idx)
{
	struct udamon_record *r;

	if (idx < m->nr_recs)
		return &m->recs[idx];
	r = realloc(m->recs, (idx + 1) * sizeof(*r));
	if (!r)
		return NULL;
	m->recs = r;
	for (; m->nr_recs <= idx; m->nr_recs++) {
		r = &m->recs[m->nr_recs];
		*r = m->recs[0];
		r->snapshots = NULL;
		r->nr_snapshots = r->cap_snapshots = 0;
		r->lost_events = 0;
		r->target_id = (int)m->nr_recs;
		r->pid = m->ctx->targets[m->nr_recs].pid;
		r->filters_desc = strdup(m->recs[0].filters_desc);
		if (!r->filters_desc)
			return NULL;
		if (m->recs[0].fault_source &&
		    !(r->fault_source = strdup(m->recs[0].fault_source)))
			return NULL;
	}
	return &m->recs[idx];
}

static void on_snapshot(struct udamon_ctx *ctx, size_t target_idx,
			const struct udamon_snapshot *snap, void *data)
{
	struct udamon_record *rec = target_record(data, target_idx);

	if (rec)
		rec->pid = ctx->targets[target_idx].pid;
	if (!rec || udamon_record_add_snapshot(rec, snap))
		cli_warn("out of memory: a snapshot was not recorded");
}

static void reap_child(struct monitor *m)
{
	int status;

	if (!m->child || m->child_exited)
		return;
	if (waitpid(m->child, &status, WNOHANG) == m->child &&
	    (WIFEXITED(status) || WIFSIGNALED(status))) {
		m->child_exited = true;
		m->child_status = status;
	}
}

static void show_progress(struct monitor *m)
{
	uint64_t now = udamon_now_ns();

	if (m->quiet || !isatty(STDERR_FILENO) ||
	    now - m->last_progress_ns < 10ull * 1000000000ull)
		return;
	m->last_progress_ns = now;
	fprintf(stderr, "udamon: %llu s, %zu snapshots\n",
		(unsigned long long)((now - m->start_ns) / 1000000000ull),
		monitor_nr_snapshots(m));
}

/*
 * Once, when aggregations keep overrunning (3 or more, and at least 5 %
 * of them; while running, only after 20 aggregations, as starting up is
 * slow): the record's snapshots are then longer than the interval it
 * states.
 */
static void warn_overruns(struct monitor *m, bool at_end)
{
	const struct udamon_stats *st = &m->ctx->stats;

	if (m->warned_overruns || st->aggr_overruns < 3 ||
	    st->aggr_overruns * 20 < st->nr_aggregations ||
	    (!at_end && st->nr_aggregations < 20))
		return;
	m->warned_overruns = true;
	cli_warn("%llu of %llu aggregations took more than 125%% of the "
		 "%llu ms aggregation interval (the longest %llu ms): this "
		 "record does not keep its intervals; the overruns are "
		 "counted in it (udamon.aggr_overruns). Fewer regions (-n) or "
		 "longer intervals help", (unsigned long long)st->aggr_overruns,
		 (unsigned long long)st->nr_aggregations,
		 (unsigned long long)(m->ctx->attrs.aggr_us / 1000),
		 (unsigned long long)(st->max_aggr_ns / 1000000));
}

static int after_sample(struct udamon_ctx *ctx, void *data)
{
	struct monitor *m = data;

	warn_overruns(m, false);
	reap_child(m);
	if (m->child_exited || cli_stop_signal())
		return 1;
	if (m->timeout_us &&
	    udamon_now_ns() - m->start_ns >= m->timeout_us * 1000ull)
		return 1;
	show_progress(m);
	return m->tick ? m->tick(m, m->tick_data) : 0;
}

static void warn_mapping(const char *msg, void *data)
{
	struct monitor *m = data;

	cli_warn("%s", msg);
	if (m->nr_warnings < MONITOR_MAX_WARNINGS) {
		m->warnings[m->nr_warnings] = strdup(msg);
		if (m->warnings[m->nr_warnings])
			m->nr_warnings++;
	}
}

/* Refused processes: the ops list them all (status), so only said here. */
static void warn_refused(const char *msg, void *data)
{
	cli_warn("%s", msg);
}

bool monitor_stop_signalled(void)
{
	return cli_stop_signal() != 0;
}

/* The first target's record; those of later targets copy its settings. */
static int setup_record(struct monitor *m, const struct mon_opts *o)
{
	struct udamon_record *r = calloc(1, sizeof(*r));

	if (!r)
		return cli_fail("out of memory");
	m->recs = r;
	m->nr_recs = 1;
	r->pid = m->pid;
	r->sample_us = o->attrs.sample_us;
	r->aggr_us = o->attrs.aggr_us;
	r->ops_update_us = o->attrs.ops_update_us;
	r->has_goal = o->attrs.goal.aggrs != 0;
	r->goal = o->attrs.goal;
	r->nr_cpus = m->ctx->track_cpus ? m->ctx->nr_cpus : 0;
	r->filters_desc = strdup(mon_opts_filters_desc(o));
	return r->filters_desc ? 0 : cli_fail("out of memory");
}

/* paddr --numa_node: the node's memory blocks. */
static int numa_regions(struct udamon_ctx *ctx, const struct mon_opts *o)
{
	struct udamon_range *r;
	char err[512];
	size_t n;
	int ret;

	if (udamon_paddr_numa_ranges(o->numa_node, &r, &n, err, sizeof(err)))
		return cli_fail("%s", err);
	ret = udamon_target_init_regions(&ctx->targets[0], r, n,
					 o->attrs.min_nr_regions);
	free(r);
	return ret ? cli_fail("out of memory") : 0;
}

/*
 * paddr: one target, physical ranges: -r, --numa_node, else damo's
 * System RAM block.
 */
static int setup_paddr_target(struct udamon_ctx *ctx, const struct mon_opts *o)
{
	struct udamon_range ram;
	char err[256];

	if (udamon_ctx_add_target(ctx, 0))
		return cli_fail("%s", udamon_ctx_errmsg(ctx));
	if (o->nr_regions) {
		if (udamon_target_init_regions(&ctx->targets[0], o->regions,
					       o->nr_regions,
					       o->attrs.min_nr_regions))
			return cli_fail("cannot set the given regions");
		return 0;
	}
	if (o->numa_node >= 0)
		return numa_regions(ctx, o);
	if (udamon_paddr_default_range(&ram, err, sizeof(err)))
		return cli_fail("--ops paddr: %s; give the physical ranges "
				"with -r", err);
	if (udamon_target_init_regions(&ctx->targets[0], &ram, 1,
				       o->attrs.min_nr_regions))
		return cli_fail("out of memory");
	return 0;
}

static int setup_ctx(struct monitor *m, const struct mon_opts *o)
{
	struct udamon_ctx *ctx = udamon_ctx_new();
	struct udamon_filter *filters;
	size_t nr_filters;
	unsigned int nr_cpus = 0;

	if (!ctx)
		return cli_fail("out of memory");
	m->ctx = ctx;
	if (udamon_ctx_set_attrs(ctx, &o->attrs))
		return cli_fail("%s", udamon_ctx_errmsg(ctx));
	if (mon_opts_filters(o, &filters, &nr_filters))
		return cli_fail("out of memory");
	if (udamon_ctx_set_filters(ctx, filters, nr_filters)) {
		mon_filters_free(filters, nr_filters);
		return cli_fail("%s", udamon_ctx_errmsg(ctx));
	}
	mon_filters_free(filters, nr_filters);
	if (o->has_cpus || o->nr_tids) {
		udamon_possible_cpus(&nr_cpus);
		ctx->track_cpus = nr_cpus > 0;
		ctx->nr_cpus = nr_cpus;
	}
	if (o->ops == MON_OPS_PADDR)
		return setup_paddr_target(ctx, o);
	if (!m->pid)	/* a cgroup: its processes are found when attaching */
		return 0;
	if (udamon_ctx_add_target(ctx, m->pid))
		return cli_fail("%s", udamon_ctx_errmsg(ctx));
	if (o->nr_regions &&
	    udamon_target_set_regions(&ctx->targets[0], o->regions,
				      o->nr_regions))
		return cli_fail("cannot set the given regions");
	return 0;
}

bool monitor_target_gone(struct monitor *m)
{
	for (int i = 0; i < 100; i++) {
		struct timespec ts = { 0, 1000 * 1000 };

		reap_child(m);
		if (m->child_exited)
			return true;
		if (!m->pid)
			return false;
		if (!m->child && kill(m->pid, 0) && errno == ESRCH)
			return true;
		nanosleep(&ts, NULL);
	}
	return false;
}

bool monitor_tree(const struct monitor *m, const struct mon_opts *o)
{
	return o->include_children || m->shell;
}

const char *monitor_what(const struct monitor *m, const struct mon_opts *o)
{
	static char buf[4200];

	if (o->ops == MON_OPS_PADDR)
		snprintf(buf, sizeof(buf), "physical memory through the "
			 "processes of %s%s", o->cgroup ? "cgroup " : "the "
			 "whole machine", o->cgroup ? o->cgroup : "");
	else if (o->cgroup)
		snprintf(buf, sizeof(buf), "the processes of cgroup %s%s",
			 o->cgroup, o->include_children ?
			 " and their descendants" : "");
	else if (m->shell)
		snprintf(buf, sizeof(buf), "the shell running the command line "
			 "(process %d) and its descendants", m->pid);
	else
		snprintf(buf, sizeof(buf), "process %d%s", m->pid,
			 o->include_children ? " and its descendants" : "");
	return buf;
}

int monitor_setup(struct monitor *m, const struct mon_opts *o)
{
	struct udamon_vaddr_opts vo = {
		.attribution = o->has_cpus || o->nr_tids,
		.warn = warn_mapping,
		.warn_refused = warn_refused,
		.warn_data = m,
		.include_children = monitor_tree(m, o),
		.cgroup = o->cgroup,
		.all_processes = o->ops == MON_OPS_PADDR && !o->cgroup,
		.include_init = o->include_init,
	};
	int err;

	if (m->pid && !m->child && kill(m->pid, 0) && errno == ESRCH)
		return cli_fail("no such process: %d", m->pid);
	if ((m->pid && monitor_check_tids(m, o)) || setup_ctx(m, o) ||
	    setup_record(m, o))
		return -1;
	m->ctx->on_snapshot = on_snapshot;
	m->ctx->on_snapshot_data = m;
	m->ctx->after_sample = after_sample;
	m->ctx->after_sample_data = m;
	if (o->ops == MON_OPS_PADDR)
		err = udamon_paddr_attach(m->ctx, &vo);
	else
		err = udamon_vaddr_attach(m->ctx, &vo);
	/* it ended while we were attaching: no error of ours (a zombie
	 * that is not ours is refused as such) */
	m->ended_early = err && (m->child ? monitor_target_gone(m) :
				 m->pid && kill(m->pid, 0) && errno == ESRCH);
	if (m->ended_early)
		return cli_fail("%s (process %d) ended before monitoring could "
				"start", m->child ? "the command" : "the target",
				m->pid);
	if (err)
		return cli_fail("cannot monitor %s: %s", monitor_what(m, o),
				udamon_ctx_errmsg(m->ctx)[0] ?
				udamon_ctx_errmsg(m->ctx) : strerror(-err));
	if (m->ctx->stats.fault_source[0] &&
	    !(m->recs[0].fault_source = strdup(m->ctx->stats.fault_source)))
		return cli_fail("out of memory");
	return 0;
}

int monitor_run(struct monitor *m)
{
	int err;

	cli_catch_stop_signals(&m->ctx->stop);
	m->start_ns = m->last_progress_ns = udamon_now_ns();
	err = udamon_ctx_run(m->ctx);
	cli_stop_signals_flag(NULL);
	monitor_sync_stats(m);
	warn_overruns(m, true);
	if (err && monitor_target_gone(m))
		err = 0;	/* it ended while we were looking at it */
	if (err && !cli_stop_signal())
		return cli_fail("monitoring stopped: %s",
				udamon_ctx_errmsg(m->ctx)[0] ?
				udamon_ctx_errmsg(m->ctx) : strerror(-err));
	return 0;
}

/*
 * We started it, so we end it: SIGTERM, then SIGKILL after 2 s; a shell
 * with what it started (they are targets too, and would run on orphaned).
 */
static void end_child(struct monitor *m)
{
	if (!m->child || m->child_exited || m->keep_child)
		return;
	if (m->shell)
		spawn_signal_tree(m->child, SIGTERM);
	else
		kill(m->child, SIGTERM);
	for (int i = 0; i < 200 && !m->child_exited; i++) {
		struct timespec ts = { 0, 10 * 1000 * 1000 };

		nanosleep(&ts, NULL);
		reap_child(m);
	}
	if (!m->child_exited) {
		if (m->shell)
			spawn_signal_tree(m->child, SIGKILL);
		else
			kill(m->child, SIGKILL);
		if (waitpid(m->child, &m->child_status, 0) == m->child)
			m->child_exited = true;
	}
}

void monitor_report_exit(const struct monitor *m)
{
	int st = m->child_status;

	if (!m->child || !m->child_exited)
		return;
	if (WIFEXITED(st))
		fprintf(stderr, "udamon: target %d exited with status %d\n",
			m->child, WEXITSTATUS(st));
	else if (WIFSIGNALED(st))
		fprintf(stderr, "udamon: target %d was killed by signal %d "
			"(%s)\n", m->child, WTERMSIG(st), strsignal(WTERMSIG(st)));
}

void monitor_finish(struct monitor *m)
{
	if (m->ctx)
		udamon_ctx_free(m->ctx);
	m->ctx = NULL;
	end_child(m);
	udamon_records_free(m->recs, m->nr_recs);
	m->recs = NULL;
	m->nr_recs = 0;
	while (m->nr_warnings)
		free(m->warnings[--m->nr_warnings]);
}
