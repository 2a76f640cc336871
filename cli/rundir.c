// SPDX-License-Identifier: MIT
/* The run directory of background monitors: index claims, listing, stale files. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli/cli.h"
#include "cli/rundir.h"
#include "primitives/procfs.h"

const char *rundir_path(void)
{
	const char *d = getenv("UDAMON_RUN_DIR");

	return d && *d ? d : RUNDIR_DEFAULT;
}

void rundir_file(char *buf, size_t len, int index, const char *ext)
{
	snprintf(buf, len, "%s/%d.%s", rundir_path(), index, ext);
}

int rundir_ensure(void)
{
	const char *d = rundir_path();
	struct stat st;

	if (mkdir(d, 0700) && errno != EEXIST)
		return cli_fail("cannot create the run directory '%s': %s", d,
				strerror(errno));
	if (stat(d, &st))
		return cli_fail("cannot use the run directory '%s': %s", d,
				strerror(errno));
	if (!S_ISDIR(st.st_mode))
		return cli_fail("the run directory '%s' is not a directory", d);
	/* only its owner may reach the control sockets */
	if (st.st_uid != geteuid() || (st.st_mode & 0077))
		return cli_fail("the run directory '%s' must belong to uid %d "
				"with mode 0700 (it has uid %d, mode %04o)", d,
				(int)geteuid(), (int)st.st_uid,
				(unsigned int)(st.st_mode & 07777));
	return 0;
}

/* The start time of pid; 0 when it is gone or a zombie (dead, not reaped). */
static unsigned long long start_time(pid_t pid)
{
	unsigned long long t;
	char state;

	if (udamon_proc_start_time(pid, &t, &state) || state == 'Z' ||
	    state == 'X')
		return 0;
	return t;
}

int rundir_claim(int *index)
{
	char tmp[4096], path[4096], line[64];
	pid_t me = getpid();
	int fd, n, i;

	snprintf(tmp, sizeof(tmp), "%s/.claim.%d", rundir_path(), (int)me);
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (fd < 0)
		return cli_fail("cannot write in '%s': %s", rundir_path(),
				strerror(errno));
	n = snprintf(line, sizeof(line), "%d %llu\n", (int)me, start_time(me));
	if (write(fd, line, (size_t)n) != n) {
		close(fd);
		unlink(tmp);
		return cli_fail("cannot write in '%s': %s", rundir_path(),
				strerror(errno));
	}
	close(fd);
	/* link() fails on an existing name: a complete pid file or none */
	for (i = 0; i < RUNDIR_MAX_INDEX; i++) {
		rundir_file(path, sizeof(path), i, "pid");
		if (!link(tmp, path))
			break;
		if (errno != EEXIST) {
			unlink(tmp);
			return cli_fail("cannot claim '%s': %s", path,
					strerror(errno));
		}
	}
	unlink(tmp);
	if (i == RUNDIR_MAX_INDEX)
		return cli_fail("%d monitors already: no free index in '%s'",
				RUNDIR_MAX_INDEX, rundir_path());
	*index = i;
	return 0;
}

void rundir_release(int index)
{
	char path[4096];

	rundir_file(path, sizeof(path), index, "sock");
	unlink(path);
	rundir_file(path, sizeof(path), index, "pid");
	unlink(path);
}

static int read_entry(int index, struct rundir_entry *e)
{
	char path[4096], buf[128];
	unsigned long long t = 0;
	int pid = 0;
	ssize_t n;
	int fd;

	rundir_file(path, sizeof(path), index, "pid");
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	buf[n > 0 ? n : 0] = '\0';
	if (sscanf(buf, "%d %llu", &pid, &t) < 1)
		pid = 0;
	e->index = index;
	e->pid = pid;
	e->state = pid > 0 && t && start_time(pid) == t ? RUNDIR_ALIVE :
		   RUNDIR_DEAD;
	return 0;
}

static int cmp_entry(const void *a, const void *b)
{
	return ((const struct rundir_entry *)a)->index -
	       ((const struct rundir_entry *)b)->index;
}

int rundir_list(struct rundir_entry **out, size_t *nr)
{
	DIR *d = opendir(rundir_path());
	struct rundir_entry *v = NULL, *n;
	struct dirent *de;
	size_t cnt = 0;

	*out = NULL;
	*nr = 0;
	if (!d && errno == ENOENT)
		return 0;
	if (!d)
		return cli_fail("cannot read the run directory '%s': %s%s",
				rundir_path(), strerror(errno),
				errno == EACCES ? " (the monitors are root's: "
				"run udamon as root)" : "");
	while ((de = readdir(d))) {
		char *end;
		long idx = strtol(de->d_name, &end, 10);

		if (end == de->d_name || strcmp(end, ".pid") || idx < 0 ||
		    idx >= RUNDIR_MAX_INDEX)
			continue;
		n = realloc(v, (cnt + 1) * sizeof(*v));
		if (!n) {
			free(v);
			closedir(d);
			return cli_fail("out of memory");
		}
		v = n;
		if (!read_entry((int)idx, &v[cnt]))
			cnt++;
	}
	closedir(d);
	if (cnt > 1)
		qsort(v, cnt, sizeof(*v), cmp_entry);
	*out = v;
	*nr = cnt;
	return 0;
}

int rundir_find(int index, struct rundir_entry *e)
{
	int err = read_entry(index, e);

	if (err == -ENOENT)
		return cli_fail("no monitor with index %d (see 'udamon status')",
				index);
	if (err)
		return cli_fail("cannot read monitor %d in '%s': %s", index,
				rundir_path(), strerror(-err));
	return 0;
}

void rundir_clean_stale(const struct rundir_entry *e)
{
	char log[4096];

	rundir_file(log, sizeof(log), e->index, "log");
	rundir_release(e->index);
	fprintf(stderr, "udamon: monitor %d (pid %d) is gone: it ended without "
		"cleaning up (killed?); its target was left as it was, and "
		"its stale socket and pid file are now removed (its output: "
		"%s)\n", e->index, (int)e->pid, log);
}
