// SPDX-License-Identifier: MIT OR GPL-2.0-only
/*
 * In-kernel half of the BPF fault event source (primitives/fault_bpf.c).
 *
 * Runs on every user page fault of the machine (raw tracepoints
 * exceptions:page_fault_user and page_fault_kernel: no trace record is
 * formatted) and keeps only faults of a monitored process on one of its
 * currently armed pages: a single hash lookup of {tgid, page} decides.
 * Those go to a ring buffer that udamon reads at each sample, without a
 * wakeup (udamon polls it; it never sleeps on it).
 *
 * Built without vmlinux.h: the raw tracepoint context is the array of the
 * tracepoint's arguments, (address, regs, error_code) on x86.
 */
#include <linux/types.h>
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

#include "primitives/fault_bpf_event.h"

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, FAULT_BPF_MAX_ARMED);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, struct fault_bpf_key);
	__type(value, __u32);		/* the arming's generation */
} armed SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, FAULT_BPF_RING_BYTES);
} events SEC(".maps");

/* Set before loading: the pid namespace udamon sees ids in (0: initial). */
const volatile __u64 pidns_dev;
const volatile __u64 pidns_ino;
const volatile __u64 page_mask = ~4095ULL;

/* Events that did not fit in the ring (udamon reads it through mmap). */
__u64 nr_dropped;

static __always_inline int on_fault(__u64 addr, __u64 error_code)
{
	struct fault_bpf_key key = {};
	struct bpf_pidns_info ns;
	struct fault_bpf_event *e;
	__u32 *gen, tid;
	__u64 id;

	if (pidns_ino) {
		if (bpf_get_ns_current_pid_tgid(pidns_dev, pidns_ino, &ns,
						sizeof(ns)))
			return 0;
		key.tgid = ns.tgid;
		tid = ns.pid;
	} else {
		id = bpf_get_current_pid_tgid();
		key.tgid = id >> 32;
		tid = (__u32)id;
	}
	key.page = addr & page_mask;
	gen = bpf_map_lookup_elem(&armed, &key);
	if (!gen)
		return 0;
	e = bpf_ringbuf_reserve(&events, sizeof(*e), 0);
	if (!e) {
		__sync_fetch_and_add(&nr_dropped, 1);
		return 0;
	}
	e->addr = addr;
	e->time_ns = bpf_ktime_get_ns();
	e->tgid = key.tgid;
	e->tid = tid;
	e->cpu = bpf_get_smp_processor_id();
	e->gen = *gen;
	e->error_code = error_code;
	bpf_ringbuf_submit(e, BPF_RB_NO_WAKEUP);
	return 0;
}

SEC("raw_tp/page_fault_user")
int fault_user(__u64 *ctx)
{
	return on_fault(ctx[0], ctx[2]);
}

/* Faults the kernel takes on user memory (a read() into an armed page). */
SEC("raw_tp/page_fault_kernel")
int fault_kernel(__u64 *ctx)
{
	return on_fault(ctx[0], ctx[2]);
}

char LICENSE[] SEC("license") = "Dual MIT/GPL";
