// SPDX-License-Identifier: MIT
/* udamon: the command dispatcher (one file per subcommand, as git). */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"

#define UDAMON_VERSION "0.1"

struct command {
	const char *name;
	int (*fn)(int argc, char **argv);
	const char *summary;
};

static const struct command commands[] = {
	{ "record", cmd_record, "monitor a process and save the accesses to a file" },
	{ "report", cmd_report, "show a record or running monitors: access, heatmap, wss, damon, metrics" },
	{ "start", cmd_start, "start a monitor in the background" },
	{ "tune", cmd_tune, "change a running monitor's parameters" },
	{ "stop", cmd_stop, "stop running monitors" },
	{ "status", cmd_status, "show running monitors (= report damon)" },
	{ "demo", cmd_demo, "monitor a built-in workload and show the result" },
	{ "exporter", cmd_exporter, "serve the monitors' metrics over HTTP (loopback)" },
};

#define NR_COMMANDS (sizeof(commands) / sizeof(commands[0]))

static char *capture_buf;
static size_t capture_len;

void cli_capture(char *buf, size_t len)
{
	capture_buf = buf;
	capture_len = len;
	if (buf && len)
		buf[0] = '\0';
}

static void vmsg(const char *prefix, const char *fmt, va_list ap)
{
	/* the first error while capturing, e.g. for a control answer */
	if (capture_buf && !capture_buf[0] && !*prefix) {
		va_list aq;

		va_copy(aq, ap);
		vsnprintf(capture_buf, capture_len, fmt, aq);
		va_end(aq);
	}
	fprintf(stderr, "udamon: %s", prefix);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
}

int cli_error(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vmsg("", fmt, ap);
	va_end(ap);
	return 1;
}

int cli_fail(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vmsg("", fmt, ap);
	va_end(ap);
	return -1;
}

void cli_warn(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vmsg("warning: ", fmt, ap);
	va_end(ap);
}

static void usage(FILE *out)
{
	fprintf(out,
		"usage: udamon <command> [options]\n\n"
		"Data access monitoring in user space, in the style of DAMON and\n"
		"damo, with write-only and per-CPU/per-thread monitoring.\n\n"
		"Commands:\n");
	for (size_t i = 0; i < NR_COMMANDS; i++)
		fprintf(out, "  %-8s %s\n", commands[i].name, commands[i].summary);
	fprintf(out, "\nRun 'udamon <command> --help' for a command's options; "
		"'man ./docs/udamon.1' for all.\n");
}

int main(int argc, char **argv)
{
	if (argc < 2) {
		usage(stderr);
		return 1;
	}
	if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h") ||
	    !strcmp(argv[1], "help")) {
		usage(stdout);
		return 0;
	}
	if (!strcmp(argv[1], "--version")) {
		printf("udamon %s\n", UDAMON_VERSION);
		return 0;
	}
	for (size_t i = 0; i < NR_COMMANDS; i++)
		if (!strcmp(argv[1], commands[i].name))
			return commands[i].fn(argc - 1, argv + 1);
	cli_error("unknown command '%s': expected one of record, report, start, tune, stop, status, demo, exporter "
		  "(see 'udamon --help')", argv[1]);
	return 1;
}
