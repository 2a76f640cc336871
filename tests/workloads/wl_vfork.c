// SPDX-License-Identifier: MIT
/*
 * A vfork child that waits before it executes its program, as shells
 * (dash) and posix_spawn() make them, only slower: for the delay the
 * child shares the parent's memory, and a monitor that attaches to it
 * then must wait for the exec. The parent waits BEFORE_MS first, so that
 * a monitor of it is attached when the child comes.
 *
 *   wl_vfork BEFORE_MS DELAY_MS PROGRAM [ARG...]
 *
 * Exits with the program's status.
 */
#include <stdio.h>
#include <stdlib.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	struct timespec before, ts;
	long ms;
	pid_t pid;
	int st;

	if (argc < 4) {
		fprintf(stderr, "usage: wl_vfork BEFORE_MS DELAY_MS PROGRAM [ARG...]\n");
		return 2;
	}
	ms = strtol(argv[1], NULL, 10);
	before.tv_sec = ms / 1000;
	before.tv_nsec = (ms % 1000) * 1000000L;
	ms = strtol(argv[2], NULL, 10);
	ts.tv_sec = ms / 1000;
	ts.tv_nsec = (ms % 1000) * 1000000L;
	nanosleep(&before, NULL);
	pid = vfork();
	if (pid < 0) {
		perror("vfork");
		return 1;
	}
	if (!pid) {
		/* only system calls here: the memory is the parent's */
		syscall(SYS_nanosleep, &ts, NULL);
		execvp(argv[3], argv + 3);
		_exit(127);
	}
	if (waitpid(pid, &st, 0) < 0) {
		perror("waitpid");
		return 1;
	}
	return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}
