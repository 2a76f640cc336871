/* SPDX-License-Identifier: MIT */
/* Operations sets (ops/): what a target's address space is. */
#ifndef UDAMON_OPS_H
#define UDAMON_OPS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "udamon.h"

/* ---- sim: a scripted address space, for tests and the demo only ------- */

struct udamon_sim_range {
	uint64_t start;
	uint64_t end;
	unsigned int access_bp;	/* chance of an access per sample, 0..10000 */
	bool is_write;
	int cpu;
	int tid;
};

struct udamon_sim_pattern {
	const struct udamon_range *mappings;	/* the simulated maps */
	size_t nr_mappings;
	const struct udamon_sim_range *ranges;	/* who touches what */
	size_t nr_ranges;
};

/*
 * Make ctx monitor the pattern (one target). Page-table style checks look
 * at each region's sampling address; report style (ctx->use_reports) pushes
 * one report per accessed range per sample, covering the whole range.
 * The pattern is copied.
 */
int udamon_sim_attach(struct udamon_ctx *ctx, const struct udamon_sim_pattern *p);

/* ---- vaddr: a live process, through userfaultfd write-protect -------- */

struct udamon_vaddr_opts {
	/* Turn on the fault event source (CPU/thread of each write). */
	bool attribution;
	/* Report mappings that could not be registered (EBUSY etc) here. */
	void (*warn)(const char *msg, void *data);
	void *warn_data;
	/*
	 * Also monitor every descendant of the targets, present and future,
	 * each as a target of its own (new processes are seen through the
	 * proc connector within a sample, else by a /proc scan at each ops
	 * update).
	 */
	bool include_children;
	/*
	 * Monitor the processes of this cgroup v2 directory (absolute) and
	 * of its descendant cgroups as they join and leave; NULL: none. The
	 * context may then start with no target.
	 */
	const char *cgroup;
	/*
	 * Every process of the machine (paddr): kernel threads, zombies,
	 * udamon and its own helpers left out. The context may start empty.
	 */
	bool all_processes;
	/* Attach pid 1 too (a tree, cgroup or machine scope leaves it out). */
	bool include_init;
	/*
	 * Where a process of the scope that cannot be monitored is named
	 * (NULL: warn); the caller can list them all with
	 * udamon_vaddr_refused/udamon_paddr_refused.
	 */
	void (*warn_refused)(const char *msg, void *data);
};

/* A process of the scope that could not be monitored, and why. */
struct udamon_refusal {
	int pid;
	const char *reason;
};

/*
 * Can this kernel do write-only monitoring (UFFD_FEATURE_WP_ASYNC,
 * WP_UNPOPULATED, PAGEMAP_SCAN)? 0, or -ENOTSUP with a message naming the
 * missing feature and the kernel version that has it.
 */
int udamon_vaddr_probe(char *err, size_t errlen);

/*
 * Monitor the process of each ctx target (t->pid) for writes. Sets ctx->ops
 * and ctx->use_reports. The target is held by pidfd from here on. Processes
 * of the scope (include_children, cgroup) that cannot be monitored are
 * named through opts->warn with the reason, and left alone.
 */
int udamon_vaddr_attach(struct udamon_ctx *ctx,
			const struct udamon_vaddr_opts *opts);

/*
 * Online changes while monitoring: turn the fault event source (CPU and
 * thread of each write) on or off for every target; give target idx fixed
 * regions (nr > 0: regions overlapping them keep their history, the rest
 * is dropped or filled in) or return it to the three-region rule (nr 0).
 */
int udamon_vaddr_set_attribution(struct udamon_ctx *ctx, bool on);
int udamon_vaddr_set_regions(struct udamon_ctx *ctx, size_t idx,
			     const struct udamon_range *ranges, size_t nr);

/*
 * The processes of the scope (tree, cgroup, machine) that could not be
 * monitored and still run, each with the reason, in the order they were
 * refused (valid until the next sample); *ended counts the refused ones
 * that have ended since (dropped from the list at ops updates). 0 when
 * ctx has no scope.
 */
size_t udamon_vaddr_refused(struct udamon_ctx *ctx,
			    const struct udamon_refusal **out, uint64_t *ended);

/* Threads of a process (sorted tids), for --exp_ops_tids validation. */
int udamon_vaddr_threads(int pid, int **tids, size_t *nr);

/* ---- paddr: physical memory, through the processes that map it -------- */

/*
 * Monitor ctx's one target (its regions: physical address ranges) for
 * writes through user mappings of the processes procs selects (cgroup, or
 * all_processes; warn names each process that cannot be monitored). Sets
 * ctx->ops and ctx->use_reports. With procs->attribution the reports carry
 * the CPU and thread of each write (and the physical address).
 */
int udamon_paddr_attach(struct udamon_ctx *ctx,
			const struct udamon_vaddr_opts *procs);
/* Processes attached now (0 unless ctx runs the paddr ops). */
size_t udamon_paddr_nr_processes(const struct udamon_ctx *ctx);
/* Its processes that could not be monitored (udamon_vaddr_refused). */
size_t udamon_paddr_refused(struct udamon_ctx *ctx,
			    const struct udamon_refusal **out, uint64_t *ended);
/* Reverse index entries found stale (never counted) so far. */
uint64_t udamon_paddr_stale(const struct udamon_ctx *ctx);
/*
 * damo's default paddr region: the largest "System RAM" block of
 * /proc/iomem (needs root: others read its addresses as 0).
 */
int udamon_paddr_default_range(struct udamon_range *out, char *err,
			       size_t errlen);
/*
 * damo's --numa_node: the online memory blocks of NUMA node @node
 * (/sys/devices/system/node/nodeN/memoryM), merged into sorted ranges in
 * a malloc'd *out. 0, or negative errno with a message in err.
 */
int udamon_paddr_numa_ranges(int node, struct udamon_range **out, size_t *nr,
			     char *err, size_t errlen);

#endif
