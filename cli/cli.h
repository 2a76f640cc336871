/* SPDX-License-Identifier: MIT */
/* The udamon command: one file per subcommand, dispatched from main.c. */
#ifndef UDAMON_CLI_H
#define UDAMON_CLI_H

#include <stdio.h>

/* Each returns the process exit status. argv[0] is the subcommand name. */
int cmd_record(int argc, char **argv);
int cmd_report(int argc, char **argv);
int cmd_demo(int argc, char **argv);
int cmd_exporter(int argc, char **argv);
int cmd_start(int argc, char **argv);
/* udamon record ongoing (argv[1] is "ongoing"). */
int cmd_record_ongoing(int argc, char **argv);
int cmd_stop(int argc, char **argv);
int cmd_tune(int argc, char **argv);
int cmd_status(int argc, char **argv);

/* "udamon: <msg>" on stderr; returns 1 (for `return die(...)`). */
int cli_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* The same, returning -1. */
int cli_fail(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/*
 * Also keep the first error message (not warnings) in buf, until
 * cli_capture(NULL, 0).
 */
void cli_capture(char *buf, size_t len);
/* "udamon: warning: <msg>" on stderr. */
void cli_warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif
