/* SPDX-License-Identifier: MIT */
/* The threads of a process, read from /proc/<pid>/task. */
#ifndef UDAMON_PRIMITIVES_PROC_TASKS_H
#define UDAMON_PRIMITIVES_PROC_TASKS_H

#include <stddef.h>

/*
 * Sorted tids of pid's threads into a malloc'd *tids (caller frees).
 * Returns 0, -ESRCH when the process is gone, or another negative errno.
 */
int udamon_proc_tids(int pid, int **tids, size_t *nr);

#endif
