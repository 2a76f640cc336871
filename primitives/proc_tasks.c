// SPDX-License-Identifier: MIT
/* The threads of a process, read from /proc/<pid>/task. */
#include <errno.h>
#include <stdio.h>

#include "primitives/proc_tasks.h"
#include "primitives/procfs.h"

int udamon_proc_tids(int pid, int **tids, size_t *nr)
{
	char path[64];
	int ret;

	snprintf(path, sizeof(path), "/proc/%d/task", pid);
	ret = udamon_proc_ids(path, tids, nr);
	return ret == -ENOENT ? -ESRCH : ret;
}
