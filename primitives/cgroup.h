/* SPDX-License-Identifier: MIT */
/* cgroup v2 directories: finding one, its processes, membership. */
#ifndef UDAMON_PRIMITIVES_CGROUP_H
#define UDAMON_PRIMITIVES_CGROUP_H

#include <stdbool.h>
#include <stddef.h>

struct udamon_cgroup {
	char *dir;	/* absolute directory, e.g. /sys/fs/cgroup/unified/x */
	char *path;	/* as /proc/PID/cgroup names it ("0::/x"): "/x" */
};

/*
 * Resolve arg (the cgroup's directory, absolute, or relative to the v2
 * mount found in /proc/mounts) into cg. 0, or a negative errno with a
 * message quoting arg in err.
 */
int udamon_cgroup_resolve(const char *arg, struct udamon_cgroup *cg,
			  char *err, size_t errlen);
void udamon_cgroup_free(struct udamon_cgroup *cg);

/*
 * Processes of the cgroup and of its descendants (sorted, no duplicates)
 * into a malloc'd *pids (caller frees). 0, -ENOENT when the cgroup was
 * removed, or another negative errno.
 */
int udamon_cgroup_pids(const struct udamon_cgroup *cg, int **pids,
		       size_t *nr);

/* Is pid in the cgroup or one of its descendants now? */
bool udamon_cgroup_has(const struct udamon_cgroup *cg, int pid);

#endif
