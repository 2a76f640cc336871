// SPDX-License-Identifier: MIT
/* Parsing /proc/PID/maps. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ops/maps.h"

static int bad_line(const char *line, char *err, size_t errlen)
{
	if (err && errlen)
		snprintf(err, errlen,
			 "bad /proc/PID/maps line '%.120s': expected 'START-END PERMS OFFSET DEV INODE [PATH]'",
			 line);
	return -EINVAL;
}

int udamon_maps_parse_line(const char *line, struct udamon_mapping *m,
			   char *err, size_t errlen)
{
	unsigned long long s, e, off;
	unsigned long inode;
	char perms[8], dev[32];
	int pos = 0;
	const char *p;
	size_t len;

	memset(m, 0, sizeof(*m));
	if (sscanf(line, "%llx-%llx %7s %llx %31s %lu%n", &s, &e, perms, &off,
		   dev, &inode, &pos) != 6 || pos <= 0)
		return bad_line(line, err, errlen);
	if (s >= e || strlen(perms) != 4)
		return bad_line(line, err, errlen);
	m->start = s;
	m->end = e;
	m->offset = off;
	m->inode = inode;
	memcpy(m->perms, perms, 5);
	p = line + pos;
	while (*p == ' ' || *p == '\t')
		p++;
	len = strcspn(p, "\n");
	if (len >= sizeof(m->name))
		len = sizeof(m->name) - 1;
	memcpy(m->name, p, len);
	m->name[len] = 0;
	return 0;
}

static int cmp_map(const void *a, const void *b)
{
	const struct udamon_mapping *x = a, *y = b;

	return x->start < y->start ? -1 : x->start > y->start;
}

int udamon_maps_read(int procfd, int pid, struct udamon_mapping **maps,
		     size_t *nr, char *err, size_t errlen)
{
	struct udamon_mapping *a = NULL, *t;
	size_t n = 0, cap = 0;
	char path[64], *line = NULL;
	size_t linecap = 0;
	int fd, ret = 0;
	FILE *f;

	if (procfd >= 0) {
		fd = openat(procfd, "maps", O_RDONLY | O_CLOEXEC);
	} else {
		snprintf(path, sizeof(path), "/proc/%d/maps", pid);
		fd = open(path, O_RDONLY | O_CLOEXEC);
	}
	if (fd < 0) {
		ret = errno == ENOENT || errno == ESRCH ? -ESRCH : -errno;
		if (err && errlen)
			snprintf(err, errlen, "cannot read the mappings of process %d: %s",
				 pid, ret == -ESRCH ? "no such process" : strerror(-ret));
		return ret;
	}
	f = fdopen(fd, "r");
	if (!f) {
		close(fd);
		return -ENOMEM;
	}
	errno = 0;
	while (getline(&line, &linecap, f) > 0) {
		if (n == cap) {
			cap = cap ? cap * 2 : 64;
			t = realloc(a, cap * sizeof(*a));
			if (!t) {
				ret = -ENOMEM;
				break;
			}
			a = t;
		}
		ret = udamon_maps_parse_line(line, &a[n], err, errlen);
		if (ret)
			break;
		n++;
	}
	if (!ret && ferror(f)) {
		ret = errno == ESRCH ? -ESRCH : -EIO;
		if (err && errlen)
			snprintf(err, errlen, "cannot read the mappings of process %d: %s",
				 pid, strerror(-ret));
	}
	free(line);
	fclose(f);
	if (ret) {
		free(a);
		return ret;
	}
	qsort(a, n, sizeof(*a), cmp_map);
	*maps = a;
	*nr = n;
	return 0;
}

bool udamon_mapping_is_private_writable(const struct udamon_mapping *m)
{
	return m->perms[1] == 'w' && m->perms[3] == 'p' &&
	       !udamon_mapping_is_special(m);
}

bool udamon_mapping_is_special(const struct udamon_mapping *m)
{
	return !strcmp(m->name, "[vsyscall]");
}
