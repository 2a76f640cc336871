/* SPDX-License-Identifier: MIT */
/*
 * Worker threads that attach processes off the sampling loop. A job is
 * submitted by the sampling thread, run by one worker (start to end: a
 * ptrace tracer is a thread, so whatever seizes a process also lets it
 * go), and handed back in the order jobs finish, without blocking.
 */
#ifndef UDAMON_OPS_ATTACH_POOL_H
#define UDAMON_OPS_ATTACH_POOL_H

#include <stddef.h>

struct attach_job {
	struct attach_job *next;
	/* runs in a worker thread: touches only the job */
	void (*run)(struct attach_job *job);
};

struct attach_pool;

/* A pool of at most max_threads workers, started as jobs come. */
struct attach_pool *attach_pool_new(unsigned int max_threads);
/* Queue a job (a worker is started if none is idle). 0 or -errno. */
int attach_pool_submit(struct attach_pool *p, struct attach_job *job);
/* A finished job, or NULL: never waits. */
struct attach_job *attach_pool_take(struct attach_pool *p);
/* A finished job, waiting for one; NULL when none is queued or running. */
struct attach_job *attach_pool_wait(struct attach_pool *p);
/* Jobs queued or running (not yet taken). */
size_t attach_pool_busy(struct attach_pool *p);
/*
 * Stop: queued jobs are not run, running ones finish; then every job not
 * taken (finished, or never run) is handed to drop (unless NULL).
 * Frees the pool.
 */
void attach_pool_free(struct attach_pool *p,
		      void (*drop)(struct attach_job *job));

#endif
