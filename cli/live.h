/* SPDX-License-Identifier: MIT */
/*
 * A background monitor (udamon start): one monitoring run that serves its
 * control socket while it samples, keeps its latest snapshots for live
 * reports, applies tune requests online and ends on stop.
 */
#ifndef UDAMON_CLI_LIVE_H
#define UDAMON_CLI_LIVE_H

#include <stdbool.h>

#include "cli/options.h"

/* Snapshots kept per monitor for live reports and record ongoing. */
#define LIVE_KEEP_SNAPSHOTS	600

struct live_params {
	struct mon_opts *opts;
	char **args;		/* the monitoring options as given (status) */
	int nr_args;
	bool exit_on_target_end;
	int ready_fd;		/* "index N" then "live" lines for start */
};

/* Run in the detached process; returns its exit status. */
int live_main(const struct live_params *p);

#endif
