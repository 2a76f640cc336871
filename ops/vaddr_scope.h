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

/* vaddr.c: attach pid as a new target (nothing added on error). */
int vaddr_add_process(struct udamon_ctx *ctx, int pid);
/* vaddr.c: let go of a target (it then reads as not valid). */
void vaddr_release_target(struct udamon_ctx *ctx, struct udamon_target *t);

/* vaddr.c, for paddr (which keeps its processes in a vaddr context): */
struct udamon_uffd_wp;
/* The target's userfaultfd, or NULL once released. */
struct udamon_uffd_wp *vaddr_target_wp(const struct udamon_target *t);
struct udamon_fault_source;
/* The target's fault event source (attribution), or NULL. */
struct udamon_fault_source *vaddr_target_src(const struct udamon_target *t);
/* Its /proc/<pid> directory fd, or -1. */
int vaddr_target_procfd(const struct udamon_target *t);
/* Attach the new processes the scope's events announced. */
void vaddr_poll_scope(struct udamon_ctx *ctx);

#endif
