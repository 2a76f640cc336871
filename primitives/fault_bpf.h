/* SPDX-License-Identifier: MIT */
/*
 * BPF fault event source (the preferred one; primitives/fault_events.c
 * chooses it and falls back to perf events without it): a BPF program on
 * the page-fault tracepoints hands over only the faults of monitored
 * processes on their armed pages. One program and one ring serve every
 * process udamon monitors; each handle is one process's view of it.
 */
#ifndef UDAMON_FAULT_BPF_H
#define UDAMON_FAULT_BPF_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "udamon/udamon.h"

struct udamon_fault_bpf;

/*
 * Load (once) and attach the program, and add process tgid. 0, or
 * negative errno with the reason in why (BPF unavailable: the caller
 * falls back).
 */
int udamon_fault_bpf_open(pid_t tgid, struct udamon_fault_bpf **out,
			  char *why, size_t whylen);
void udamon_fault_bpf_close(struct udamon_fault_bpf *b);

/*
 * The pages whose faults count from now on (replacing the last set):
 * events are delivered while their page is in the set (the caller matches
 * them to its windows by time). 0 or negative errno (the set is then
 * empty).
 */
int udamon_fault_bpf_arm(struct udamon_fault_bpf *b, const uint64_t *pages,
			 size_t nr);

/* As udamon_fault_source_drain(). */
long udamon_fault_bpf_drain(struct udamon_fault_bpf *b,
			    int (*fn)(const struct udamon_access_report *r,
				      void *data),
			    void *data);
/* Events that could not be kept since this handle was opened. */
uint64_t udamon_fault_bpf_lost(const struct udamon_fault_bpf *b);
/* "bpf raw tracepoints ..." */
const char *udamon_fault_bpf_mechanism(const struct udamon_fault_bpf *b);

#endif
