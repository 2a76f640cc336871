/* SPDX-License-Identifier: MIT */
/* The machine's processes and their parents, read from /proc/<pid>/stat. */
#ifndef UDAMON_PRIMITIVES_PROC_LIST_H
#define UDAMON_PRIMITIVES_PROC_LIST_H

#include <stdbool.h>
#include <stddef.h>

struct udamon_proc_entry {
	int pid;
	int ppid;
	char state;		/* R, S, D, Z, ... of /proc/<pid>/stat */
	bool kthread;		/* a kernel thread (PF_KTHREAD) */
};

/*
 * Every process now (sorted by pid) into a malloc'd *out (caller frees).
 * Processes that end while being read are left out. 0 or negative errno.
 */
int udamon_proc_list(struct udamon_proc_entry **out, size_t *nr);

/*
 * The descendants of the processes in roots (sorted pids), present in
 * list, into a malloc'd *out (caller frees): pids whose parent chain
 * reaches a root. The roots themselves are not included.
 */
int udamon_proc_descendants(const struct udamon_proc_entry *list, size_t nr,
			    const int *roots, size_t nr_roots, int **out,
			    size_t *nr_out);

#endif
