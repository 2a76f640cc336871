/* SPDX-License-Identifier: MIT */
#ifndef UDAMON_CLI_DEMO_WORKLOAD_H
#define UDAMON_CLI_DEMO_WORKLOAD_H

#include <stdint.h>
#include <sys/types.h>

struct demo_workload {
	pid_t pid;
	uint64_t base;	/* three parts: written, read, idle */
	uint64_t part;
};

/* Fork the workload child. -1 after printing an error. */
int demo_workload_start(struct demo_workload *w, uint64_t part_bytes);

#endif
