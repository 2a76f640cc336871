// SPDX-License-Identifier: MIT
/* Small readers of /proc (see procfs.h). */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/kcmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "primitives/procfs.h"

ssize_t udamon_proc_read(int dirfd, const char *path, char *buf, size_t size)
{
	ssize_t n;
	int fd;

	fd = openat(dirfd, path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	n = read(fd, buf, size - 1);
	close(fd);
	if (n < 0)
		n = 0;
	buf[n] = '\0';
	return n;
}

int udamon_proc_start_time(pid_t pid, unsigned long long *t, char *state)
{
	char path[64], buf[1024], *p;
	ssize_t n;
	int i;

	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	n = udamon_proc_read(AT_FDCWD, path, buf, sizeof(buf));
	if (n < 0)
		return n == -ENOENT ? -ESRCH : (int)n;
	if (!n)
		return -ESRCH;
	p = strrchr(buf, ')');		/* the name may hold spaces */
	if (!p)
		return -EIO;
	if (state)
		*state = p[1] == ' ' ? p[2] : 0;
	/* fields 3..21 follow the name; 22 is the start time */
	for (i = 3; p && i <= 22; i++)
		p = strchr(p + 1, ' ');
	if (!p || sscanf(p, "%llu", t) != 1)
		return -EIO;
	return 0;
}

/* The parent of pid (field 4 of /proc/PID/stat), or a negative errno. */
static int parent_of(pid_t pid)
{
	char path[64], buf[1024], *p;
	ssize_t n;
	int ppid;

	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	n = udamon_proc_read(AT_FDCWD, path, buf, sizeof(buf));
	if (n <= 0)
		return -ESRCH;
	p = strrchr(buf, ')');
	if (!p || sscanf(p + 1, " %*c %d", &ppid) != 1)
		return -EIO;
	return ppid;
}

int udamon_proc_shares_parent_mm(pid_t pid)
{
	int ppid = parent_of(pid);

	if (ppid == -ESRCH)
		return ppid;
	if (ppid <= 0)
		return 0;
	/* 0: the same mm; ENOSYS (no CONFIG_KCMP) or EPERM: cannot tell */
	return syscall(SYS_kcmp, pid, ppid, KCMP_VM, 0, 0) == 0;
}

int udamon_proc_sig(int procfd, struct udamon_proc_sig *sig)
{
	unsigned long long v[23] = { 0 };
	char buf[1024], *p, *end;
	int field;

	if (procfd < 0 || udamon_proc_read(procfd, "stat", buf, sizeof(buf)) <= 0)
		return -1;
	p = strrchr(buf, ')');
	if (!p || p[1] != ' ')
		return -1;
	/* after the name: 1 state, ..., 8 minflt, 10 majflt, 21 vsize, 22 rss */
	p += 3;		/* past ") " and the state letter */
	for (field = 2; field <= 22; field++) {
		while (*p == ' ')
			p++;
		v[field] = strtoull(p, &end, 10);
		if (end == p && *p != '-')
			return -1;
		p = end;
		while (*p && *p != ' ')
			p++;
	}
	sig->faults = v[8] + v[10];
	sig->vsize = v[21];
	sig->rss = v[22];
	return 0;
}

static int cmp_int(const void *a, const void *b)
{
	int x = *(const int *)a, y = *(const int *)b;

	return (x > y) - (x < y);
}

int udamon_proc_ids(const char *dir, int **ids, size_t *nr)
{
	struct dirent *de;
	int *a = NULL, *tmp;
	size_t n = 0, cap = 0;
	DIR *d = opendir(dir);

	*ids = NULL;
	*nr = 0;
	if (!d)
		return -errno;
	while ((de = readdir(d))) {
		int id = atoi(de->d_name);

		if (id <= 0)
			continue;
		if (n == cap) {
			cap = cap ? cap * 2 : 64;
			tmp = realloc(a, cap * sizeof(*a));
			if (!tmp) {
				free(a);
				closedir(d);
				return -ENOMEM;
			}
			a = tmp;
		}
		a[n++] = id;
	}
	closedir(d);
	qsort(a, n, sizeof(*a), cmp_int);
	*ids = a;
	*nr = n;
	return 0;
}
