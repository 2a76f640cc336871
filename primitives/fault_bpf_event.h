/* SPDX-License-Identifier: MIT OR GPL-2.0-only */
/*
 * What the BPF fault program and udamon share: the key of an armed page
 * and the record of one fault. Included by both (fixed-size types only).
 */
#ifndef UDAMON_FAULT_BPF_EVENT_H
#define UDAMON_FAULT_BPF_EVENT_H

#include <linux/types.h>

#define FAULT_BPF_MAX_ARMED	65536		/* pages, all processes */
/* ~21,000 events: one per armed page and sample for 20,000 regions */
#define FAULT_BPF_RING_BYTES	(1024 * 1024)

struct fault_bpf_key {
	__u32 tgid;
	__u32 pad;
	__u64 page;
};

struct fault_bpf_event {
	__u64 addr;
	__u64 time_ns;		/* CLOCK_MONOTONIC */
	__u64 error_code;	/* x86: bit 1 set for a write */
	__u32 tgid;
	__u32 tid;
	__u32 cpu;
	__u32 gen;		/* of the arming the page belonged to */
};

#endif
