// SPDX-License-Identifier: MIT
/*
 * udamon stop: end background monitors cleanly (they disarm, unregister,
 * close and exit; their targets run on untouched). A monitor that died is
 * noticed, reported and its stale files removed.
 */
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "cli/cli.h"
#include "cli/control_client.h"
#include "cli/rundir.h"

#define STOP_WAIT_MS	30000

static void stop_usage(FILE *f)
{
	fprintf(f,
		"usage: udamon stop [--index N]\n\n"
		"Stop the background monitor N, or all of them. Each disarms and\n"
		"unregisters from its target, which runs on untouched, and exits.\n");
}

/* Wait for the monitor process to exit. */
static int wait_exit(int index, pid_t pid)
{
	int fd = (int)syscall(SYS_pidfd_open, pid, 0);
	struct pollfd p = { .fd = fd, .events = POLLIN };
	int r;

	if (fd < 0)
		return errno == ESRCH ? 0 : cli_fail("monitor %d: pidfd_open: %s",
						     index, strerror(errno));
	do
		r = poll(&p, 1, STOP_WAIT_MS);
	while (r < 0 && errno == EINTR);
	close(fd);
	if (r == 0)
		return cli_fail("monitor %d (pid %d) did not exit within %d s",
				index, (int)pid, STOP_WAIT_MS / 1000);
	return 0;
}

static int stop_one(const struct rundir_entry *e, void *arg)
{
	struct json_object *ans;
	char sock[4096];
	int err;

	err = control_call(e->index, "stop", NULL, &ans);
	if (err == CONTROL_GONE)
		return 0;
	if (err) {
		/* alive but not answering: its signal handler stops it too */
		if (kill(e->pid, SIGTERM))
			return -1;
		fprintf(stderr, "udamon: monitor %d did not take the stop "
			"request; sent it SIGTERM\n", e->index);
	} else {
		json_object_put(ans);
	}
	if (wait_exit(e->index, e->pid))
		return -1;
	rundir_file(sock, sizeof(sock), e->index, "sock");
	if (!access(sock, F_OK)) {
		/* it exited without removing them: it died meanwhile */
		rundir_release(e->index);
	}
	fprintf(stderr, "udamon: monitor %d (pid %d) stopped\n", e->index,
		(int)e->pid);
	return 0;
}

int cmd_stop(int argc, char **argv)
{
	int index = -1, ret;
	size_t done;

	for (int i = 1; i < argc; i++) {
		int taken;

		if (!strcmp(argv[i], "-h") || !strcmp(argv[i], "--help")) {
			stop_usage(stdout);
			return 0;
		}
		taken = control_parse_index(argc, argv, &i, &index);
		if (taken < 0)
			return 1;
		if (!taken)
			return cli_error("stop: unknown argument '%s' (see "
					 "'udamon stop --help')", argv[i]);
	}
	ret = control_each(index, stop_one, NULL, &done);
	if (ret < 0)
		return 1;
	if (!done && index >= 0)
		return cli_error("no monitor with index %d (see 'udamon status')",
				 index);
	if (!done)
		return cli_error("no monitor is running");
	return ret;
}
