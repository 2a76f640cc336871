/* SPDX-License-Identifier: MIT */
/* /proc/PID/maps of a process. */
#ifndef UDAMON_OPS_MAPS_H
#define UDAMON_OPS_MAPS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define UDAMON_MAPPING_NAME_LEN	96

struct udamon_mapping {
	uint64_t start;
	uint64_t end;
	uint64_t offset;
	char perms[5];			/* "rw-p" */
	unsigned long inode;
	char name[UDAMON_MAPPING_NAME_LEN];	/* path or [heap] etc; may be cut */
};

/*
 * Parse one maps line ("start-end perms offset dev inode [path]"). 0, or
 * -EINVAL with a message quoting the line in err (may be NULL).
 */
int udamon_maps_parse_line(const char *line, struct udamon_mapping *m,
			   char *err, size_t errlen);

/*
 * Read the mappings of the process whose /proc/PID directory is open as
 * procfd (or of pid when procfd < 0). *maps is malloc'ed, sorted by
 * address. 0 or negative errno (-ESRCH: the process is gone).
 */
int udamon_maps_read(int procfd, int pid, struct udamon_mapping **maps,
		     size_t *nr, char *err, size_t errlen);

/* Private and writable: what write-protect monitoring watches. */
bool udamon_mapping_is_private_writable(const struct udamon_mapping *m);
/* Not a real part of the address space (vsyscall page). */
bool udamon_mapping_is_special(const struct udamon_mapping *m);

#endif /* UDAMON_OPS_MAPS_H */
