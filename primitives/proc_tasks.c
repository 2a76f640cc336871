// SPDX-License-Identifier: MIT
/* The threads of a process, read from /proc/<pid>/task. */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>

#include "primitives/proc_tasks.h"

static int cmp_int(const void *a, const void *b)
{
	int x = *(const int *)a, y = *(const int *)b;

	return (x > y) - (x < y);
}

int udamon_proc_tids(int pid, int **tids, size_t *nr)
{
	char path[64];
	struct dirent *de;
	int *a = NULL, *tmp;
	size_t n = 0, cap = 0;
	DIR *d;

	snprintf(path, sizeof(path), "/proc/%d/task", pid);
	d = opendir(path);
	if (!d)
		return errno == ENOENT ? -ESRCH : -errno;
	while ((de = readdir(d))) {
		int tid = atoi(de->d_name);

		if (tid <= 0)
			continue;
		if (n == cap) {
			cap = cap ? cap * 2 : 16;
			tmp = realloc(a, cap * sizeof(*a));
			if (!tmp) {
				free(a);
				closedir(d);
				return -ENOMEM;
			}
			a = tmp;
		}
		a[n++] = tid;
	}
	closedir(d);
	qsort(a, n, sizeof(*a), cmp_int);
	*tids = a;
	*nr = n;
	return 0;
}
