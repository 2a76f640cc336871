// SPDX-License-Identifier: MIT
/* The machine's processes and their parents (see proc_list.h). */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "primitives/proc_list.h"

#define PF_KTHREAD	0x00200000

/* Parent, state and flags from /proc/<pid>/stat; false if it is gone. */
static bool read_stat(int dirfd, const char *name, struct udamon_proc_entry *e)
{
	char path[64], buf[1024], *p;
	unsigned long flags = 0;
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), "%s/stat", name);
	fd = openat(dirfd, path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return false;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return false;
	buf[n] = '\0';
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
	struct udamon_proc_entry *a = NULL, *tmp;
	size_t n = 0, cap = 0;
	struct dirent *de;
	DIR *d = opendir("/proc");

	*out = NULL;
	*nr = 0;
	if (!d)
		return -errno;
	while ((de = readdir(d))) {
		int pid = atoi(de->d_name);
		struct udamon_proc_entry e = { .pid = pid };

		if (pid <= 0 || !read_stat(dirfd(d), de->d_name, &e))
			continue;
		if (n == cap) {
			cap = cap ? cap * 2 : 256;
			tmp = realloc(a, cap * sizeof(*a));
			if (!tmp) {
				free(a);
				closedir(d);
				return -ENOMEM;
			}
			a = tmp;
		}
		a[n++] = e;
	}
	closedir(d);
	qsort(a, n, sizeof(*a), cmp_entry);
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
