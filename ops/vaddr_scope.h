/* SPDX-License-Identifier: MIT */
/*
 * Which processes the vaddr ops monitors beyond the given ones: the
 * descendants of the targets (--include_child_tasks) or the processes of
 * a cgroup (--target_cgroup), as they come and go.
 */
#ifndef UDAMON_OPS_VADDR_SCOPE_H
#define UDAMON_OPS_VADDR_SCOPE_H

#include "udamon/ops.h"

struct vaddr_scope;

/* Subscribe to process events; 0 or negative errno (ctx->errmsg). */
int vaddr_scope_open(struct udamon_ctx *ctx,
		     const struct udamon_vaddr_opts *opts,
		     struct vaddr_scope **out);
/* Each sample: attach the new processes the events announced. */
void vaddr_scope_poll(struct udamon_ctx *ctx, struct vaddr_scope *s);
/*
 * At start and each ops update: find members by a full scan (descendants
 * in /proc, or the cgroup's processes); release those that left the
 * cgroup. 0, or negative errno (ctx->errmsg) when the scope is gone for
 * good (the cgroup was removed).
 */
int vaddr_scope_rescan(struct udamon_ctx *ctx, struct vaddr_scope *s);
void vaddr_scope_close(struct vaddr_scope *s);
/* The refused processes that still run (udamon_vaddr_refused). */
size_t vaddr_scope_refused(struct vaddr_scope *s,
			   const struct udamon_refusal **out, uint64_t *ended);

/*
 * What became of a process given to vaddr_attach_async: 0 (it is a
 * target now), or negative errno with the reason in err.
 */
void vaddr_scope_attached(struct udamon_ctx *ctx, struct vaddr_scope *s,
			  int pid, int parent, int ret, const char *err);

/*
 * vaddr.c: attach pid as a new target in a worker thread; the outcome
 * comes to vaddr_scope_attached from vaddr_attach_reap (each sample,
 * never waiting) or vaddr_attach_settle (waiting for every attach).
 */
int vaddr_attach_async(struct udamon_ctx *ctx, int pid, int parent);
/* Is pid being attached (given to vaddr_attach_async, not reaped)? */
bool vaddr_attaching(struct udamon_ctx *ctx, int pid);
void vaddr_attach_reap(struct udamon_ctx *ctx);
void vaddr_attach_settle(struct udamon_ctx *ctx);
/* vaddr.c: let go of a target (it then reads as not valid). */
void vaddr_release_target(struct udamon_ctx *ctx, struct udamon_target *t);

/* vaddr.c, for paddr (which keeps its processes in a vaddr context): */
struct udamon_uffd_wp;
/* The target's userfaultfd, or NULL once released. */
struct udamon_uffd_wp *vaddr_target_wp(const struct udamon_target *t);
struct udamon_fault_source;
/* The target's fault event source (attribution), or NULL. */
struct udamon_fault_source *vaddr_target_src(const struct udamon_target *t);
/*
 * Its stat signature if the ops update now running read it (a scope's
 * update reads it for every valid target), else false.
 */
struct udamon_proc_sig;
bool vaddr_target_sig(struct udamon_ctx *ctx, const struct udamon_target *t,
		      struct udamon_proc_sig *sig);
/* Its /proc/<pid> directory fd, or -1. */
int vaddr_target_procfd(const struct udamon_target *t);
/* Attach the new processes the scope's events announced. */
void vaddr_poll_scope(struct udamon_ctx *ctx);

#endif
