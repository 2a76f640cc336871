// SPDX-License-Identifier: MIT
/* cgroup v2 directories (see cgroup.h). */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "primitives/cgroup.h"

/* Where cgroup2 is mounted, from /proc/mounts (first one). */
static int v2_mount(char *out, size_t len)
{
	char dev[256], dir[PATH_MAX], type[64];
	FILE *f = fopen("/proc/mounts", "re");
	int ret = -ENOENT;

	if (!f)
		return -errno;
	while (fscanf(f, "%255s %4095s %63s %*[^\n]", dev, dir, type) == 3) {
		if (strcmp(type, "cgroup2"))
			continue;
		snprintf(out, len, "%s", dir);
		ret = 0;
		break;
	}
	fclose(f);
	return ret;
}

int udamon_cgroup_resolve(const char *arg, struct udamon_cgroup *cg,
			  char *err, size_t errlen)
{
	char mnt[PATH_MAX], want[2 * PATH_MAX], real[PATH_MAX];
	size_t ml;
	struct stat st;

	memset(cg, 0, sizeof(*cg));
	if (!*arg) {
		snprintf(err, errlen, "empty cgroup path: expected a cgroup v2 directory");
		return -EINVAL;
	}
	if (v2_mount(mnt, sizeof(mnt))) {
		snprintf(err, errlen, "cgroup '%s': no cgroup v2 file system is mounted (see /proc/mounts)", arg);
		return -ENOENT;
	}
	if (arg[0] == '/')
		snprintf(want, sizeof(want), "%s", arg);
	else
		snprintf(want, sizeof(want), "%s/%s", mnt, arg);
	if (!realpath(want, real) || stat(real, &st) || !S_ISDIR(st.st_mode)) {
		snprintf(err, errlen, "cgroup '%s': no such directory (%s): expected a cgroup v2 directory, absolute or relative to %s",
			 arg, want, mnt);
		return -ENOENT;
	}
	ml = strlen(mnt);
	if (strncmp(real, mnt, ml) || (real[ml] != '/' && real[ml] != '\0')) {
		snprintf(err, errlen, "cgroup '%s': %s is not in the cgroup v2 file system (mounted at %s)",
			 arg, real, mnt);
		return -EINVAL;
	}
	cg->dir = strdup(real);
	cg->path = strdup(real[ml] ? real + ml : "/");
	if (!cg->dir || !cg->path) {
		udamon_cgroup_free(cg);
		snprintf(err, errlen, "out of memory");
		return -ENOMEM;
	}
	return 0;
}

void udamon_cgroup_free(struct udamon_cgroup *cg)
{
	free(cg->dir);
	free(cg->path);
	cg->dir = cg->path = NULL;
}

struct pidset {
	int *a;
	size_t n, cap;
};

static int add_pid(struct pidset *s, int pid)
{
	if (s->n == s->cap) {
		size_t cap = s->cap ? s->cap * 2 : 64;
		int *a = realloc(s->a, cap * sizeof(*a));

		if (!a)
			return -ENOMEM;
		s->a = a;
		s->cap = cap;
	}
	s->a[s->n++] = pid;
	return 0;
}

/* cgroup.procs of dir, then of every child cgroup (depth first). */
static int collect(int dirfd, struct pidset *s, int depth)
{
	int fd, ret = 0;
	FILE *f;
	DIR *d;
	struct dirent *de;
	int pid;

	if (depth > 64)
		return 0;
	fd = openat(dirfd, "cgroup.procs", O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	f = fdopen(fd, "r");
	if (!f) {
		close(fd);
		return -ENOMEM;
	}
	while (!ret && fscanf(f, "%d", &pid) == 1)
		ret = add_pid(s, pid);
	fclose(f);
	fd = dup(dirfd);
	d = fd >= 0 ? fdopendir(fd) : NULL;
	if (!d) {
		if (fd >= 0)
			close(fd);
		return ret;
	}
	while (!ret && (de = readdir(d))) {
		int sub;

		if (de->d_type != DT_DIR || de->d_name[0] == '.')
			continue;
		sub = openat(dirfd, de->d_name, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		if (sub < 0)
			continue;	/* removed meanwhile */
		ret = collect(sub, s, depth + 1);
		if (ret == -ENOENT)
			ret = 0;
		close(sub);
	}
	closedir(d);
	return ret;
}

static int cmp_int(const void *a, const void *b)
{
	int x = *(const int *)a, y = *(const int *)b;

	return (x > y) - (x < y);
}

int udamon_cgroup_pids(const struct udamon_cgroup *cg, int **pids,
		       size_t *nr)
{
	struct pidset s = { NULL, 0, 0 };
	int fd = open(cg->dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	int ret;
	size_t j = 0;

	*pids = NULL;
	*nr = 0;
	if (fd < 0)
		return -errno;
	ret = collect(fd, &s, 0);
	close(fd);
	if (ret) {
		free(s.a);
		return ret;
	}
	qsort(s.a, s.n, sizeof(*s.a), cmp_int);
	for (size_t i = 0; i < s.n; i++)
		if (!j || s.a[j - 1] != s.a[i])
			s.a[j++] = s.a[i];
	*pids = s.a;
	*nr = j;
	return 0;
}

bool udamon_cgroup_has(const struct udamon_cgroup *cg, int pid)
{
	char path[64], line[PATH_MAX + 16];
	size_t pl = strlen(cg->path);
	bool in = false;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/cgroup", pid);
	f = fopen(path, "re");
	if (!f)
		return false;
	while (fgets(line, sizeof(line), f)) {
		char *p = line + 3;

		if (strncmp(line, "0::", 3))
			continue;
		p[strcspn(p, "\n")] = '\0';
		in = !strcmp(cg->path, "/") ||
		     (!strncmp(p, cg->path, pl) && (p[pl] == '\0' || p[pl] == '/'));
		break;
	}
	fclose(f);
	return in;
}
