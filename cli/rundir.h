/* SPDX-License-Identifier: MIT */
/*
 * The run directory of background monitors (default /run/udamon, or
 * $UDAMON_RUN_DIR): for monitor index N, N.pid (pid and start time of the
 * monitor process, written when the index is claimed), N.sock (its control
 * socket) and N.log (its standard output and error).
 */
#ifndef UDAMON_CLI_RUNDIR_H
#define UDAMON_CLI_RUNDIR_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#define RUNDIR_DEFAULT	"/run/udamon"
#define RUNDIR_MAX_INDEX	1024

enum rundir_state {
	RUNDIR_ALIVE,		/* its process runs */
	RUNDIR_DEAD,		/* its process is gone: the files are stale */
};

struct rundir_entry {
	int index;
	pid_t pid;
	enum rundir_state state;
};

const char *rundir_path(void);
/* "DIR/N.ext" into buf. */
void rundir_file(char *buf, size_t len, int index, const char *ext);
/* Create the directory (0700, root's) or check it. -1 after printing. */
int rundir_ensure(void);
/* Claim the lowest free index for the calling process. -1 after printing. */
int rundir_claim(int *index);
/* Remove the files of index (not its log). */
void rundir_release(int index);
/*
 * The monitors, sorted by index (*out freed by the caller); 0 when the
 * directory does not exist. -1 after printing.
 */
int rundir_list(struct rundir_entry **out, size_t *nr);
/* The entry of index; -1 after printing when there is none. */
int rundir_find(int index, struct rundir_entry *e);
/* A dead monitor: say so and remove its stale files. */
void rundir_clean_stale(const struct rundir_entry *e);

#endif
