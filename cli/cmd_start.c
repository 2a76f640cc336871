// SPDX-License-Identifier: MIT
/*
 * udamon start: a monitor in the background (double fork, own session,
 * output to RUNDIR/N.log). Returns once monitoring is live and prints the
 * monitor's index.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cli/cli.h"
#include "cli/live.h"
#include "cli/options.h"
#include "cli/rundir.h"

struct start_opts {
	struct mon_opts mon;
	bool exit_on_target_end;
	char **args;		/* the monitoring options, for status */
	int nr_args;
};

static void start_usage(FILE *f)
{
	fprintf(f,
		"usage: udamon start [options] [<pid> | \"<command line>\" |\n"
		"                               --target_cgroup PATH]\n\n"
		"Start a monitor in the background and print its index. It runs\n"
		"until 'udamon stop'; 'udamon tune' changes its parameters,\n"
		"'udamon report access|heatmap|wss' shows its latest snapshots,\n"
		"'udamon status' its state. Its output goes to %s/N.log.\n\n"
		"Start options:\n"
		"  --exit_on_target_end  end the monitor when its target ends\n"
		"                        (default: keep the last snapshots until\n"
		"                        stopped)\n\n%s\n"
		"Example:\n"
		"  udamon start --exp_ops_use_reports y --exp_ops_write_only y \\\n"
		"      --exp_ops_cpus 0-3 --target_pid 4242\n",
		RUNDIR_DEFAULT, mon_opts_help);
}

/* 0 to go on, 1 after help, -1 after an error. */
static int parse_args(struct start_opts *s, int argc, char **argv)
{
	for (int i = 1; i < argc; i++) {
		int first = i, taken;

		if (!strcmp(argv[i], "-h") || !strcmp(argv[i], "--help")) {
			start_usage(stdout);
			return 1;
		}
		if (!strcmp(argv[i], "--exit_on_target_end")) {
			s->exit_on_target_end = true;
			continue;
		}
		taken = mon_opts_parse_one(&s->mon, argc, argv, &i);
		if (taken < 0)
			return -1;
		if (taken) {
			for (int k = first; k <= i; k++)
				s->args[s->nr_args++] = argv[k];
			continue;
		}
		if (argv[i][0] == '-' && argv[i][1] != '\0')
			return cli_fail("start: unknown option '%s' (see 'udamon "
					"start --help')", argv[i]);
		if (mon_opts_set_target(&s->mon, argv[i]))
			return -1;
	}
	/* no target: the machine's physical memory (--ops paddr), as damo */
	return mon_opts_check_target(&s->mon);
}

/* In the detached grandchild. */
static void run_detached(struct start_opts *s, int ready_fd)
{
	struct live_params p = {
		.opts = &s->mon,
		.args = s->args,
		.nr_args = s->nr_args,
		.exit_on_target_end = s->exit_on_target_end,
		.ready_fd = ready_fd,
	};

	_exit(live_main(&p));
}

/* Show what the monitor wrote before it failed. */
static void show_log(int index)
{
	char path[4096], buf[4096];
	size_t n;
	FILE *f;

	rundir_file(path, sizeof(path), index, "log");
	f = fopen(path, "r");
	if (!f)
		return;
	while ((n = fread(buf, 1, sizeof(buf), f)) > 0)
		fwrite(buf, 1, n, stderr);
	fclose(f);
}

/* Wait for "index N" and "live" from the monitor. */
static int wait_live(int fd)
{
	char buf[256];
	size_t len = 0;
	int index = -1;
	ssize_t n;

	while (len < sizeof(buf) - 1 &&
	       (n = read(fd, buf + len, sizeof(buf) - 1 - len)) != 0) {
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			break;
		len += (size_t)n;
		buf[len] = '\0';
		/* do not wait for EOF: a child may hold the pipe a moment */
		if (strstr(buf, "\nlive\n"))
			break;
	}
	buf[len] = '\0';
	if (sscanf(buf, "index %d", &index) != 1)
		return cli_fail("the monitor failed to start");
	if (!strstr(buf, "\nlive\n")) {
		show_log(index);
		return cli_fail("monitor %d failed to start (its output is "
				"above)", index);
	}
	return index;
}

static int start(struct start_opts *s)
{
	int fds[2], status, index;
	pid_t child;

	if (rundir_ensure())
		return 1;
	/* a socket, not a pipe: a start gone away must not SIGPIPE the monitor */
	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, fds))
		return cli_error("cannot create a socket pair: %s", strerror(errno));
	fflush(NULL);
	child = fork();
	if (child < 0)
		return cli_error("cannot fork: %s", strerror(errno));
	if (!child) {
		close(fds[0]);
		if (setsid() < 0)
			_exit(1);
		child = fork();
		if (child < 0)
			_exit(1);
		if (!child)
			run_detached(s, fds[1]);
		_exit(0);
	}
	close(fds[1]);
	waitpid(child, &status, 0);
	index = wait_live(fds[0]);
	close(fds[0]);
	if (index < 0)
		return 1;
	printf("%d\n", index);
	return 0;
}

int cmd_start(int argc, char **argv)
{
	struct start_opts s;
	int ret;

	memset(&s, 0, sizeof(s));
	mon_opts_init(&s.mon);
	s.args = calloc((size_t)argc + 1, sizeof(char *));
	if (!s.args)
		return cli_error("out of memory");
	ret = parse_args(&s, argc, argv);
	if (ret == 1)
		ret = 0;
	else if (ret || mon_opts_validate(&s.mon))
		ret = 1;
	else
		ret = start(&s);
	mon_opts_free(&s.mon);
	free(s.args);
	return ret;
}
