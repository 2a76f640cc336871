/* SPDX-License-Identifier: MIT */
/*
 * Fault event source: the page faults of one process (all its threads,
 * also those created later) on its armed pages, turned into access
 * reports that carry cpu, tid, is_write and the faulting address.
 *
 * Two mechanisms, chosen when opening: a BPF program on the page-fault
 * tracepoints that drops other processes' faults and unarmed pages in the
 * kernel (primitives/fault_bpf.c), and where BPF is unavailable (or
 * UDAMON_FAULT_SOURCE=perf) per-CPU perf events on the same tracepoints,
 * filtered in user space.
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
 * CPU). Returns the number of events, or a negative errno. A non-zero
 * return from fn stops the drain (that event counts as consumed); a
 * negative one is returned.
 */
long udamon_fault_source_drain(struct udamon_fault_source *s,
			       int (*fn)(const struct udamon_access_report *r,
					 void *data),
			       void *data);
/*
 * The pages whose faults count from now on, replacing the last set (none
 * count before the first call): the sampling pages of this sample. 0 or
 * negative errno.
 */
int udamon_fault_source_arm(struct udamon_fault_source *s,
			    const uint64_t *pages, size_t nr);
/* Events the kernel dropped (ring buffer full) so far. */
uint64_t udamon_fault_source_lost(const struct udamon_fault_source *s);
void udamon_fault_source_close(struct udamon_fault_source *s);

/*
 * Added by the fault source's owner (not part of the original contract):
 *
 * One line naming the mechanism in use, e.g. "bpf on raw tracepoints
 * exceptions:page_fault_user+page_fault_kernel, ...", or
 * the fallback with its reason (then is_write is -1 in every report).
 */
const char *udamon_fault_source_mechanism(const struct udamon_fault_source *s);
/* "bpf", "perf" (tracepoint) or "perf-software". */
const char *udamon_fault_source_kind(const struct udamon_fault_source *s);
/* True when reports carry is_write (tracepoint), false on the fallback. */
int udamon_fault_source_knows_writes(const struct udamon_fault_source *s);
/*
 * Find field @name in the text of a tracefs event "format" file.
 * 0 and *offset, *size set; -ENOENT if the field is not there; -EINVAL if
 * its line is malformed.
 */
int udamon_tp_format_field(const char *format, const char *name,
			   unsigned int *offset, unsigned int *size);

#endif
