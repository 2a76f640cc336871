/* SPDX-License-Identifier: MIT */
/*
 * Fault event source: per-CPU perf events on the page faults of one process
 * (all its threads, also those created later), turned into access reports
 * that carry cpu, tid, is_write and the faulting address.
 */
#ifndef UDAMON_FAULT_EVENTS_H
#define UDAMON_FAULT_EVENTS_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "udamon/udamon.h"

struct udamon_fault_source;

/* 0, or negative errno with a message saying which mechanism is missing. */
int udamon_fault_source_open(pid_t tgid, struct udamon_fault_source **out,
			     char *err, size_t errlen);
/*
 * Hand every event queued since the last call to fn (in time order per
 * CPU). Returns the number of events, or a negative errno.
 */
long udamon_fault_source_drain(struct udamon_fault_source *s,
			       int (*fn)(const struct udamon_access_report *r,
					 void *data),
			       void *data);
/* Events the kernel dropped (ring buffer full) so far. */
uint64_t udamon_fault_source_lost(const struct udamon_fault_source *s);
void udamon_fault_source_close(struct udamon_fault_source *s);

#endif
