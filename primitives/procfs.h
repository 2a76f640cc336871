/* SPDX-License-Identifier: MIT */
/* Small readers of /proc shared by the primitives, ops and the CLI. */
#ifndef UDAMON_PRIMITIVES_PROCFS_H
#define UDAMON_PRIMITIVES_PROCFS_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

/*
 * One read of the file at path (relative to dirfd, or AT_FDCWD) into buf,
 * NUL-terminated: the bytes read, 0 when the read fails or finds nothing,
 * or a negative errno when the file cannot be opened.
 */
ssize_t udamon_proc_read(int dirfd, const char *path, char *buf, size_t size);

/*
 * The start time of pid in clock ticks after boot (field 22 of
 * /proc/PID/stat), which tells a reused pid, and unless state is NULL
 * its state letter (R, S, Z, ...). 0, -ESRCH when the process is gone,
 * -EIO when the file does not parse, or another negative errno.
 */
int udamon_proc_start_time(pid_t pid, unsigned long long *t, char *state);

/*
 * Does pid share its memory with its parent process? A vfork child (or a
 * posix_spawn child) does until it executes a program: anything made
 * inside it then (a userfaultfd) belongs to the parent's memory. 1 yes,
 * 0 no (or the kernel cannot tell), -ESRCH when it is gone.
 */
int udamon_proc_shares_parent_mm(pid_t pid);

/*
 * What says that a process's memory may have changed, from its stat file
 * (procfd: its /proc directory): minflt + majflt, vsize (bytes) and rss
 * (pages). 0, or -1 when it cannot be read (gone).
 */
struct udamon_proc_sig {
	uint64_t faults, vsize, rss;
};
int udamon_proc_sig(int procfd, struct udamon_proc_sig *sig);

/*
 * The entries of directory dir whose names are positive numbers (pids,
 * tids), sorted, into a malloc'd *ids (caller frees). 0 or negative errno.
 */
int udamon_proc_ids(const char *dir, int **ids, size_t *nr);

#endif
