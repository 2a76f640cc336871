/* SPDX-License-Identifier: MIT */
#ifndef UDAMON_CLI_SPAWN_H
#define UDAMON_CLI_SPAWN_H

#include <sys/types.h>

/*
 * Start cmd (our child; stdout and stderr inherited) and wait until its
 * program is mapped. The pid, or -1 after printing an error.
 */
pid_t spawn_command(const char *cmd);

#endif
