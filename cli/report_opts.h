/* SPDX-License-Identifier: MIT */
/* Report option parsers (cli/report_*_opts.c). */
#ifndef UDAMON_CLI_REPORT_OPTS_H
#define UDAMON_CLI_REPORT_OPTS_H

#include "udamon/report.h"

/* 1: argv[*i] (and its values) taken, 0: not an access option, -1: error. */
int report_parse_access(struct udamon_access_opts *o, int argc, char **argv,
			int *i);
/* After all options: -1 with a message when they do not fit together. */
int report_check_access(const struct udamon_access_opts *o);

#endif
