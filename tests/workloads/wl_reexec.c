// SPDX-License-Identifier: MIT
/*
 * wl_reexec: an exec chain. Executes itself N more times, sleeping 1 ms
 * before each exec, then executes PROG with its arguments:
 *
 *   wl_reexec N PROG [ARG...]
 *
 * Each image lives about a millisecond, so a monitor that attaches to the
 * command meets it at any point of the chain (usage errors exit 2).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	struct timespec ms = { 0, 1000 * 1000 };
	char *end, left[16];
	long n;

	if (argc < 3) {
		fprintf(stderr, "usage: wl_reexec N PROG [ARG...]\n");
		return 2;
	}
	n = strtol(argv[1], &end, 10);
	if (*end || n < 0 || n > 1000) {
		fprintf(stderr, "wl_reexec: N must be 0..1000, not '%s'\n",
			argv[1]);
		return 2;
	}
	nanosleep(&ms, NULL);
	if (n == 0) {
		execvp(argv[2], argv + 2);
		fprintf(stderr, "wl_reexec: cannot run %s: %s\n", argv[2],
			strerror(errno));
		return 127;
	}
	snprintf(left, sizeof(left), "%ld", n - 1);
	argv[1] = left;
	execv("/proc/self/exe", argv);
	fprintf(stderr, "wl_reexec: cannot execute itself: %s\n",
		strerror(errno));
	return 127;
}
