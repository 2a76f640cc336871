// SPDX-License-Identifier: MIT
/* The machine's processes and their parents (see proc_list.h). */
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "primitives/proc_list.h"
#include "primitives/procfs.h"

#define PF_KTHREAD	0x00200000

/* Parent, state and flags from /proc/<pid>/stat; false if it is gone. */
static bool read_stat(struct udamon_proc_entry *e)
{
	char path[64], buf[1024], *p;
	unsigned long flags = 0;

	snprintf(path, sizeof(path), "/proc/%d/stat", e->pid);
	if (udamon_proc_read(AT_FDCWD, path, buf, sizeof(buf)) <= 0)
		return false;
	/* "pid (comm) S ppid pgrp session tty tpgid flags ...": comm may
	 * hold spaces and parentheses */
	p = strrchr(buf, ')');
	if (!p || sscanf(p + 1, " %c %d %*d %*d %*d %*d %lu", &e->state,
			 &e->ppid, &flags) != 3)
		return false;
	e->kthread = flags & PF_KTHREAD;
	return true;
}

static int cmp_entry(const void *a, const void *b)
{
	const struct udamon_proc_entry *x = a, *y = b;

	return (x->pid > y->pid) - (x->pid < y->pid);
}

int udamon_proc_list(struct udamon_proc_entry **out, size_t *nr)
{
	struct udamon_proc_entry *a;
	size_t i, n = 0, nr_pids;
	int *pids, ret;

	*out = NULL;
	*nr = 0;
	ret = udamon_proc_ids("/proc", &pids, &nr_pids);
	if (ret)
		return ret;
	a = malloc((nr_pids + 1) * sizeof(*a));
	if (!a) {
		free(pids);
		return -ENOMEM;
	}
	/* pids are sorted, so the list is too */
	for (i = 0; i < nr_pids; i++) {
		struct udamon_proc_entry e = { .pid = pids[i] };

		if (read_stat(&e))
			a[n++] = e;
	}
	free(pids);
	*out = a;
	*nr = n;
	return 0;
}

static int cmp_int(const void *a, const void *b)
{
	int x = *(const int *)a, y = *(const int *)b;

	return (x > y) - (x < y);
}

/* Index of pid in the pid-sorted list, or -1. */
static long find(const struct udamon_proc_entry *list, size_t nr, int pid)
{
	struct udamon_proc_entry key = { .pid = pid };
	const struct udamon_proc_entry *e;

	e = bsearch(&key, list, nr, sizeof(*list), cmp_entry);
	return e ? e - list : -1;
}

int udamon_proc_descendants(const struct udamon_proc_entry *list, size_t nr,
			    const int *roots, size_t nr_roots, int **out,
			    size_t *nr_out)
{
	int *r = malloc((nr_roots + 1) * sizeof(*r));
	int *m = malloc((nr + 1) * sizeof(*m));
	bool *in = calloc(nr + 1, sizeof(*in));
	size_t nm = 0;
	bool grew = true;

	*out = NULL;
	*nr_out = 0;
	if (!r || !m || !in) {
		free(r);
		free(m);
		free(in);
		return -ENOMEM;
	}
	if (nr_roots)	/* memcpy's source may not be NULL, even for 0 bytes */
		memcpy(r, roots, nr_roots * sizeof(*r));
	qsort(r, nr_roots, sizeof(*r), cmp_int);
	/* one pass per generation at most; trees are shallow */
	while (grew) {
		grew = false;
		for (size_t i = 0; i < nr; i++) {
			long p;

			if (in[i] || bsearch(&list[i].pid, r, nr_roots,
					     sizeof(*r), cmp_int))
				continue;
			p = find(list, nr, list[i].ppid);
			if (!bsearch(&list[i].ppid, r, nr_roots, sizeof(*r),
				     cmp_int) && (p < 0 || !in[p]))
				continue;
			in[i] = grew = true;
		}
	}
	for (size_t i = 0; i < nr; i++)
		if (in[i])
			m[nm++] = list[i].pid;
	free(r);
	free(in);
	*out = m;
	*nr_out = nm;
	return 0;
}
