// SPDX-License-Identifier: MIT
/*
 * Starting a command as the target, and ending what it started.
 *
 * A simple command (words the shell would only quote, expand and split:
 * quotes, $VAR, ~, globs) is expanded here as the shell would and
 * executed directly, so its process is the program's. Anything else (a
 * list, a pipeline, a redirection, a loop, a leading VAR=value, a builtin)
 * runs unchanged as "/bin/sh -c LINE". A shell runs most commands as its
 * children (dash forks even for the last command of a list), so the
 * monitor then takes the shell's whole process tree as its targets.
 *
 * We return once the child has executed its first program (a close-on-exec
 * pipe tells), never earlier: before that the process is still a copy of
 * udamon. Later execs (a chain: env, shims, exec ...) are the monitor's to
 * follow; attaching in the middle of one is safe (primitives/inject.c).
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>
#include <wordexp.h>

#include "cli/cli.h"
#include "cli/spawn.h"
#include "primitives/compat.h"
#include "primitives/proc_list.h"

static int cmp_entry(const void *a, const void *b)
{
	const struct udamon_proc_entry *x = a, *y = b;

	return (x->pid > y->pid) - (x->pid < y->pid);
}

/* Words that mean something to the shell itself, not a program to run. */
static const char *const shell_words[] = {
	"!", "{", "}", "case", "do", "done", "elif", "else", "esac", "fi",
	"for", "if", "in", "then", "until", "while", ".", ":", "alias",
	"break", "cd", "command", "continue", "eval", "exec", "exit",
	"export", "getopts", "hash", "local", "read", "readonly", "return",
	"set", "shift", "times", "trap", "type", "ulimit", "umask", "unalias",
	"unset", "wait",
};

static bool is_shell_word(const char *w)
{
	for (size_t i = 0; i < sizeof(shell_words) / sizeof(shell_words[0]); i++)
		if (!strcmp(w, shell_words[i]))
			return true;
	return false;
}

/* Does the line start with an assignment (NAME=...)? */
static bool starts_with_assignment(const char *cmd)
{
	const char *p = cmd + strspn(cmd, " \t");

	if (*p != '_' && !(*p >= 'a' && *p <= 'z') && !(*p >= 'A' && *p <= 'Z'))
		return false;
	p += strspn(p, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
		       "0123456789_");
	return *p == '=';
}

/* A '#' that starts a word: a comment to the shell. */
static bool has_comment(const char *cmd)
{
	for (const char *p = strchr(cmd, '#'); p; p = strchr(p + 1, '#'))
		if (p == cmd || p[-1] == ' ' || p[-1] == '\t')
			return true;
	return false;
}

/*
 * Expand cmd into words as the shell would, if it is a simple command;
 * returns false when it needs the shell (wordexp refuses operators and
 * command substitution outside quotes).
 */
static bool simple_command(const char *cmd, wordexp_t *we)
{
	if (starts_with_assignment(cmd) || has_comment(cmd))
		return false;
	if (wordexp(cmd, we, WRDE_NOCMD))
		return false;
	if (!we->we_wordc || is_shell_word(we->we_wordv[0])) {
		wordfree(we);
		return false;
	}
	return true;
}

/*
 * Fork and execute argv; return once the child has executed it (the
 * child's end of a close-on-exec pipe closes then), or -1 with the reason
 * printed if it could not.
 */
static pid_t spawn_argv(const char *cmd, const char *file, char *const argv[])
{
	int pfd[2], child_errno = 0;
	pid_t pid;

	if (pipe2(pfd, O_CLOEXEC)) {
		cli_fail("cannot start '%s': pipe: %s", cmd, strerror(errno));
		return -1;
	}
	fflush(NULL);
	pid = fork();
	if (pid == 0) {
		close(pfd[0]);
		execvp(file, argv);
		child_errno = errno;
		if (write(pfd[1], &child_errno, sizeof(child_errno)) < 0)
			_exit(127);
		_exit(127);
	}
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

pid_t spawn_command(const char *cmd, bool *shell)
{
	char *sh_argv[] = { "sh", "-c", (char *)cmd, NULL };
	wordexp_t we;
	pid_t pid;

	*shell = !simple_command(cmd, &we);
	if (*shell)
		return spawn_argv(cmd, "/bin/sh", sh_argv);
	pid = spawn_argv(cmd, we.we_wordv[0], we.we_wordv);
	wordfree(&we);
	return pid;
}

/* Is pid, with parent ppid, in list (sorted by pid)? */
static bool listed(const struct udamon_proc_entry *list, size_t nr, int pid,
		   int ppid)
{
	size_t lo = 0, hi = nr;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (list[mid].pid == pid)
			return list[mid].ppid == ppid && list[mid].state != 'Z';
		if (list[mid].pid < pid)
			lo = mid + 1;
		else
			hi = mid;
	}
	return false;
}

/*
 * Each descendant is held by a pidfd, then found again with the same
 * parent: the process signalled is the one listed, never a reuse of its
 * pid. The root goes first, so that a shell starts nothing more.
 */
static void signal_listed(const struct udamon_proc_entry *list, size_t nr,
			  pid_t root, const int *desc, size_t nr_desc, int sig)
{
	struct udamon_proc_entry *now = NULL;
	size_t nr_now = 0;
	int *fds = malloc(nr_desc * sizeof(*fds));

	if (!fds) {
		kill(root, sig);
		return;
	}
	for (size_t i = 0; i < nr_desc; i++)
		fds[i] = (int)syscall(SYS_pidfd_open, desc[i], 0);
	if (udamon_proc_list(&now, &nr_now))
		nr_now = 0;
	kill(root, sig);
	for (size_t i = 0; i < nr_desc; i++) {
		struct udamon_proc_entry key = { .pid = desc[i] };
		const struct udamon_proc_entry *e;

		e = bsearch(&key, list, nr, sizeof(*list), cmp_entry);
		if (fds[i] >= 0 && e && listed(now, nr_now, e->pid, e->ppid))
			syscall(SYS_pidfd_send_signal, fds[i], sig, NULL, 0);
		if (fds[i] >= 0)
			close(fds[i]);
	}
	free(now);
	free(fds);
}

void spawn_signal_tree(pid_t root, int sig)
{
	struct udamon_proc_entry *list;
	size_t nr, nr_desc = 0;
	int *desc = NULL, r = root;

	if (udamon_proc_list(&list, &nr)) {
		kill(root, sig);
		return;
	}
	if (udamon_proc_descendants(list, nr, &r, 1, &desc, &nr_desc))
		nr_desc = 0;
	signal_listed(list, nr, root, desc, nr_desc, sig);
	free(desc);
	free(list);
}
