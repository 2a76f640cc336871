/* SPDX-License-Identifier: MIT */
/* Reading running monitors' snapshots as records (live reports, record ongoing). */
#ifndef UDAMON_CLI_LIVE_RECORDS_H
#define UDAMON_CLI_LIVE_RECORDS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "udamon/record.h"

/*
 * Monitor index's snapshots that ended after since_ns (CLOCK_MONOTONIC;
 * 0: all it keeps), as records appended to *recs. *last_ns is the end of
 * its latest snapshot (the next since_ns); *missed says that it had let
 * go of some after since_ns. 0, -1 after printing, or CONTROL_GONE.
 */
int live_fetch(int index, uint64_t since_ns, struct udamon_record **recs,
	       size_t *nr, uint64_t *last_ns, bool *missed);

/* Are monitors running (quietly: false when none or unreadable)? */
bool live_any(void);

/*
 * Every snapshot kept by monitor index, or by all monitors (index < 0).
 * -1 after printing.
 */
int live_fetch_all(int index, struct udamon_record **recs, size_t *nr);

#endif
