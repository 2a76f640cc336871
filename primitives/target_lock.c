// SPDX-License-Identifier: MIT
/* One monitor per process (see target_lock.h). */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "primitives/target_lock.h"
#include "primitives/procfs.h"

struct udamon_target_lock {
	int fd;
	char path[PATH_MAX];
};

/* Where locks live; false when there is no such place for us. */
static bool lock_dir(char *dir, size_t len)
{
	const char *run = getenv("XDG_RUNTIME_DIR");

	if (geteuid() == 0)
		snprintf(dir, len, "/run/lock/udamon");
	else if (run && run[0] == '/')
		snprintf(dir, len, "%s/udamon-locks", run);
	else
		return false;
	return mkdir(dir, 0755) == 0 || errno == EEXIST;
}

/*
 * Who holds the lock on fd: -1 if nobody (any more), else the pid its
 * holder wrote into the file right after locking (0 if none came).
 */
static pid_t holder_of(int fd)
{
	for (int i = 0; i < 50; i++) {
		struct flock q = { .l_type = F_WRLCK, .l_whence = SEEK_SET };
		struct timespec ts = { 0, 2 * 1000 * 1000 };
		char buf[32];
		ssize_t n;
		int pid;

		if (fcntl(fd, F_OFD_GETLK, &q) < 0 || q.l_type == F_UNLCK)
			return -1;
		n = pread(fd, buf, sizeof(buf) - 1, 0);
		if (n > 0) {
			buf[n] = '\0';
			if (sscanf(buf, "%d", &pid) == 1 && pid > 0)
				return pid;
		}
		nanosleep(&ts, NULL);	/* locked, not yet written */
	}
	return 0;
}

/* Is fd still the file at path (not unlinked by a releasing holder)? */
static bool still_linked(int fd, const char *path)
{
	struct stat a, b;

	return !fstat(fd, &a) && !stat(path, &b) && a.st_dev == b.st_dev &&
	       a.st_ino == b.st_ino;
}

/*
 * Remove the claims on processes that have ended whose monitors were
 * killed before they could remove them (free: nobody holds their lock).
 * Once per udamon process: a monitor of many processes claims each.
 */
static void remove_stale(const char *dir)
{
	static bool done;
	struct dirent *e;
	DIR *d;

	if (done)
		return;
	done = true;
	d = opendir(dir);
	if (!d)
		return;
	while ((e = readdir(d))) {
		struct flock fl = { .l_type = F_WRLCK, .l_whence = SEEK_SET };
		unsigned long long t, now;
		char path[PATH_MAX + 256];
		int pid, fd;

		if (sscanf(e->d_name, "%d-%llu.lock", &pid, &t) != 2 ||
		    (!udamon_proc_start_time(pid, &now, NULL) && now == t))
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, e->d_name);
		fd = open(path, O_RDWR | O_NOFOLLOW | O_CLOEXEC);
		if (fd < 0)
			continue;
		if (fcntl(fd, F_OFD_SETLK, &fl) == 0 && still_linked(fd, path))
			unlink(path);
		close(fd);
	}
	closedir(d);
}

static int busy(pid_t pid, pid_t holder, char *err, size_t errlen)
{
	if (holder > 0)
		snprintf(err, errlen,
			 "process %d is already monitored by udamon process %d (one monitor per process; stop that one first)",
			 pid, holder);
	else
		snprintf(err, errlen,
			 "process %d is already monitored by another udamon (one monitor per process)",
			 pid);
	return -EBUSY;
}

int udamon_target_lock(pid_t pid, struct udamon_target_lock **out, char *err,
		       size_t errlen)
{
	struct flock fl = { .l_type = F_WRLCK, .l_whence = SEEK_SET };
	struct udamon_target_lock *l;
	unsigned long long t;
	char dir[PATH_MAX - 64], line[32];
	int ret, len;

	*out = NULL;
	if (!lock_dir(dir, sizeof(dir)))
		return 0;
	ret = udamon_proc_start_time(pid, &t, NULL);
	if (ret) {
		snprintf(err, errlen, "no process with pid %d", pid);
		return ret;
	}
	remove_stale(dir);
	l = calloc(1, sizeof(*l));
	if (!l)
		return -ENOMEM;
	snprintf(l->path, sizeof(l->path), "%s/%d-%llu.lock", dir, pid, t);
	for (int tries = 0; tries < 100; tries++) {
		pid_t holder;

		l->fd = open(l->path, O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC,
			     0644);
		if (l->fd < 0) {
			ret = -errno;
			snprintf(err, errlen, "cannot open the lock file %s: %s",
				 l->path, strerror(errno));
			free(l);
			return ret;
		}
		if (fcntl(l->fd, F_OFD_SETLK, &fl) == 0) {
			if (!still_linked(l->fd, l->path)) {
				close(l->fd);	/* its holder just left */
				continue;
			}
			len = snprintf(line, sizeof(line), "%d\n", (int)getpid());
			if (ftruncate(l->fd, 0) || write(l->fd, line, len) != len)
				(void)0;	/* the content is only a hint */
			*out = l;
			return 0;
		}
		ret = -errno;
		holder = ret == -EACCES || ret == -EAGAIN ? holder_of(l->fd) : -1;
		close(l->fd);
		if (holder >= 0) {
			free(l);
			return busy(pid, holder, err, errlen);
		}
		if (ret != -EACCES && ret != -EAGAIN) {
			snprintf(err, errlen, "cannot lock %s: %s", l->path,
				 strerror(-ret));
			free(l);
			return ret;
		}
		/* released between our two calls: try again */
	}
	snprintf(err, errlen, "cannot lock %s: it keeps changing hands", l->path);
	free(l);
	return -EAGAIN;
}

void udamon_target_unlock(struct udamon_target_lock *l)
{
	if (!l)
		return;
	/* unlinked while still held, so no one locks a file on its way out */
	unlink(l->path);
	close(l->fd);
	free(l);
}
