/* SPDX-License-Identifier: MIT */
#ifndef UDAMON_CLI_SPAWN_H
#define UDAMON_CLI_SPAWN_H

#include <stdbool.h>
#include <sys/types.h>

/*
 * Start cmd (our child; stdin, stdout and stderr inherited): a simple
 * command directly, anything else as "/bin/sh -c cmd" (*shell is then
 * true). Returns once the child has executed its program (or the shell):
 * the pid, or -1 after printing an error.
 */
pid_t spawn_command(const char *cmd, bool *shell);

/*
 * Send sig to root (a child of ours, not yet reaped), then to every
 * process that was its descendant just before: the programs a shell
 * started, which its end would otherwise leave running.
 */
void spawn_signal_tree(pid_t root, int sig);

#endif
