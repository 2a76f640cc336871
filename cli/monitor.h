/* SPDX-License-Identifier: MIT */
/* One monitoring run of a live process, shared by record and demo. */
#ifndef UDAMON_CLI_MONITOR_H
#define UDAMON_CLI_MONITOR_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "cli/options.h"
#include "udamon/record.h"
#include "udamon/udamon.h"

#define MONITOR_MAX_WARNINGS	32

struct monitor {
	struct udamon_ctx *ctx;
	/* one record per target, by target index (damo's multi-target layout) */
	struct udamon_record *recs;
	size_t nr_recs;
	pid_t pid;		/* the target */
	pid_t child;		/* the target, when we started it; else 0 */
	bool shell;		/* child is /bin/sh -c LINE: its tree is monitored */
	bool child_exited;
	int child_status;
	/* monitor_setup failed because the target had ended meanwhile */
	bool ended_early;
	uint64_t timeout_us;	/* 0: until the target exits or a signal */
	uint64_t start_ns;
	uint64_t last_progress_ns;
	bool quiet;
	/* Called after each sample; non-zero ends the run (record, start). */
	int (*tick)(struct monitor *m, void *data);
	void *tick_data;
	bool keep_child;	/* leave a command we started running (start) */
	/* mappings that could not be monitored, and why (the first ones) */
	char *warnings[MONITOR_MAX_WARNINGS];
	size_t nr_warnings;
	bool warned_overruns;	/* said once that intervals were not kept */
};

/*
 * Start o->target_cmd as the target: a simple command directly, a line
 * that needs a shell as "/bin/sh -c cmd", whose whole process tree is then
 * monitored (the shell and every descendant, each a target of its own).
 */
int monitor_spawn(struct monitor *m, const struct mon_opts *o);
/* Use an already started child (demo) as the target. */
void monitor_adopt_child(struct monitor *m, pid_t pid);
/*
 * Check the target, build the context and attach. -1 after printing;
 * with ended_early set when the target ended while it was being attached
 * (the context and the first record are there, without operations).
 */
int monitor_setup(struct monitor *m, const struct mon_opts *o);
/* Is every --exp_ops_tids entry a thread of the target? -1 after printing. */
int monitor_check_tids(const struct monitor *m, const struct mon_opts *o);
/* Did SIGINT, SIGTERM or SIGHUP come (during or after monitor_run)? */
bool monitor_stop_signalled(void);
/* Monitor until timeout, SIGINT/SIGTERM or the target's end. */
int monitor_run(struct monitor *m);
/*
 * Has the target ended? A child of ours is given 100 ms to be reaped
 * (child_exited and child_status then tell how it ended).
 */
bool monitor_target_gone(struct monitor *m);
/* End a child we started (if still running) and free everything. */
void monitor_finish(struct monitor *m);
/* Are the target's descendants targets too (--include_child_tasks, shell)? */
bool monitor_tree(const struct monitor *m, const struct mon_opts *o);
/* "process 42 and its descendants", "the processes of cgroup /x" */
const char *monitor_what(const struct monitor *m, const struct mon_opts *o);
/* Snapshots recorded so far, over all targets. */
size_t monitor_nr_snapshots(const struct monitor *m);
/* Copy the run's counters (lost events, stats) into the records. */
void monitor_sync_stats(struct monitor *m);
/* Print how the target ended, if we started it. */
void monitor_report_exit(const struct monitor *m);

#endif
