/* SPDX-License-Identifier: MIT */
/* Metrics of running monitors or a record (report metrics, exporter). */
#ifndef UDAMON_CLI_METRICS_H
#define UDAMON_CLI_METRICS_H

#include <stdio.h>

/*
 * Write one scrape to out: of the record file input when set, else of
 * monitor index (>= 0) or of every running monitor (none running: a
 * valid scrape that says 0 monitors). 0, or -1 after printing why.
 */
int metrics_scrape(FILE *out, int index, const char *input);

#endif
