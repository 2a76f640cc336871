// SPDX-License-Identifier: MIT
/*
 * Starting a command as the target: directly when it is a simple command,
 * through /bin/sh ("exec CMD") when it needs a shell; returned only once
 * its program is mapped, so that attaching reaches the program and not the
 * process before its exec.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <wordexp.h>

#include "cli/cli.h"
#include "cli/spawn.h"

/* Does cmd need a shell (pipes, redirections, variables, ...)? */
static bool needs_shell(const char *cmd)
{
	return strpbrk(cmd, "|&;<>()$`\\\"'*?[#~=%{}\n") != NULL;
}

/*
 * Run a simple command directly, so that the exec is seen: the child's end
 * of a close-on-exec pipe closes when the program has replaced it (we must
 * not attach before that: the userfaultfd would belong to the old memory).
 */
static pid_t spawn_direct(const char *cmd)
{
	wordexp_t we;
	int pfd[2], child_errno = 0;
	pid_t pid;

	if (wordexp(cmd, &we, WRDE_NOCMD) || !we.we_wordc) {
		cli_fail("cannot parse the command '%s'", cmd);
		return -1;
	}
	if (pipe2(pfd, O_CLOEXEC)) {
		wordfree(&we);
		cli_fail("cannot start '%s': pipe: %s", cmd, strerror(errno));
		return -1;
	}
	fflush(NULL);
	pid = fork();
	if (pid == 0) {
		close(pfd[0]);
		execvp(we.we_wordv[0], we.we_wordv);
		child_errno = errno;
		if (write(pfd[1], &child_errno, sizeof(child_errno)) < 0)
			_exit(127);
		_exit(127);
	}
	wordfree(&we);
	close(pfd[1]);
	if (pid > 0 && read(pfd[0], &child_errno, sizeof(child_errno)) ==
	    (ssize_t)sizeof(child_errno)) {
		waitpid(pid, NULL, 0);
		cli_fail("cannot run '%s': %s", cmd, strerror(child_errno));
		pid = -1;
	} else if (pid < 0) {
		cli_fail("cannot start '%s': fork: %s", cmd, strerror(errno));
	}
	close(pfd[0]);
	return pid;
}

/* Wait (up to 2 s) until the shell has exec'ed the command's program. */
static void wait_shell_exec(pid_t pid)
{
	char shell[PATH_MAX], exe[PATH_MAX], link[64];

	if (!realpath("/bin/sh", shell))
		return;
	snprintf(link, sizeof(link), "/proc/%d/exe", pid);
	for (int i = 0; i < 2000; i++) {
		ssize_t n = readlink(link, exe, sizeof(exe) - 1);
		struct timespec ts = { 0, 1000 * 1000 };

		if (n < 0)
			return;
		exe[n] = '\0';
		if (strcmp(exe, shell) && strstr(exe, "udamon") == NULL)
			return;
		nanosleep(&ts, NULL);
	}
}

static pid_t spawn_shell(const char *cmd)
{
	size_t len = strlen(cmd) + 6;
	char *line = malloc(len);
	pid_t pid;

	if (!line) {
		cli_fail("out of memory");
		return -1;
	}
	snprintf(line, len, "exec %s", cmd);
	fflush(NULL);
	pid = fork();
	if (pid == 0) {
		execl("/bin/sh", "sh", "-c", line, (char *)NULL);
		fprintf(stderr, "udamon: cannot run /bin/sh: %s\n", strerror(errno));
		_exit(127);
	}
	free(line);
	if (pid < 0)
		cli_fail("cannot start '%s': fork: %s", cmd, strerror(errno));
	else
		wait_shell_exec(pid);
	return pid;
}

/*
 * The new memory exists once the exec is seen, but the program is mapped a
 * little later: wait (up to 2 s) for its [vdso], which the injection uses.
 */
static void wait_vdso(pid_t pid)
{
	char path[64], line[512];

	snprintf(path, sizeof(path), "/proc/%d/maps", pid);
	for (int i = 0; i < 2000; i++) {
		struct timespec ts = { 0, 1000 * 1000 };
		FILE *f = fopen(path, "r");
		bool found = false;

		if (!f)
			return;
		while (!found && fgets(line, sizeof(line), f))
			found = strstr(line, "[vdso]") != NULL;
		fclose(f);
		if (found)
			return;
		nanosleep(&ts, NULL);
	}
}

pid_t spawn_command(const char *cmd)
{
	pid_t pid = needs_shell(cmd) ? spawn_shell(cmd) : spawn_direct(cmd);

	if (pid > 0)
		wait_vdso(pid);
	return pid;
}
