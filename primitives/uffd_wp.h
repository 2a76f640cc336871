/* SPDX-License-Identifier: MIT */
/*
 * Write-protect monitoring of another process's memory with a userfaultfd
 * stolen from it (docs/ARCHITECTURE.md): async write-protect only, so the
 * kernel resolves every write fault itself and the target never waits on,
 * or loses data to, the monitor. Closing the handle drops every
 * registration.
 *
 *   arm      UFFDIO_WRITEPROTECT: the next write to each page faults once
 *            (resolved by the kernel) and marks the page written.
 *   harvest  PAGEMAP_SCAN with PAGE_IS_WRITTEN, PM_SCAN_WP_MATCHING and
 *            PM_SCAN_CHECK_WPASYNC: reads the written pages and re-arms
 *            them atomically, one call (one TLB shootdown) per registered
 *            span.
 */
#ifndef UDAMON_PRIMITIVES_UFFD_WP_H
#define UDAMON_PRIMITIVES_UFFD_WP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "udamon/udamon.h"

struct udamon_uffd_wp;

struct udamon_uffd_wp_stats {
	uint64_t steal_ns;		/* the injection that got the uffd */
	uint64_t nr_scans;		/* PAGEMAP_SCAN calls */
	uint64_t nr_protects;		/* UFFDIO_WRITEPROTECT calls */
	uint64_t nr_written_pages;	/* harvested so far */
	uint64_t nr_registered;		/* UFFDIO_REGISTER calls that worked */
	uint64_t nr_resyncs;		/* harvests that found the maps changed */
	uint64_t registered_bytes;	/* now */
};

typedef void (*udamon_uffd_wp_warn_fn)(const char *msg, void *data);
/* Called per written range [start, end); non-zero stops the harvest. */
typedef int (*udamon_uffd_wp_written_fn)(uint64_t start, uint64_t end,
					 void *data);

/*
 * Create a userfaultfd inside process pid by syscall injection, copy it
 * here with pidfd_getfd and close the target's copy (uffd_steal.c): with
 * userfaultfd(), or through /dev/userfaultfd where the target's seccomp
 * filters fail that call; no call its filters do not let through is made.
 * 0 with *uffd set, or negative errno with a message (-EPERM: the filters
 * forbid it).
 */
int udamon_uffd_steal(pid_t pid, int pidfd, int *uffd, char *err,
		      size_t errlen);
/*
 * Fork the injecting children from a small server process started now
 * (call it early, while udamon is small, before many steals from worker
 * threads): a fork of udamon itself would stall its other threads. The
 * server is a child of udamon, and so are the injecting children (of the
 * server): never attach either. 0, or negative errno (then each steal
 * forks udamon). stop ends it; it ends by itself when udamon dies.
 */
int udamon_uffd_steal_server_start(void);
/* The server's pid, or 0 when none runs. */
pid_t udamon_uffd_steal_server_pid(void);
void udamon_uffd_steal_server_stop(void);

/*
 * Open /proc/pid/pagemap, steal a uffd from pid (held by pidfd, which
 * stays the caller's) and enable UFFD_FEATURE_WP_ASYNC | WP_UNPOPULATED.
 * -EINPROGRESS while pid shares its parent's memory (a vfork child before
 * its exec): try again once it has executed its program. An exec during
 * the open leaves the pagemap on memory that is gone (mm_alive false).
 */
int udamon_uffd_wp_open(pid_t pid, int pidfd, struct udamon_uffd_wp **out,
			char *err, size_t errlen);
void udamon_uffd_wp_close(struct udamon_uffd_wp *w);

void udamon_uffd_wp_set_warn(struct udamon_uffd_wp *w,
			     udamon_uffd_wp_warn_fn fn, void *data);

/* The single operations; 0 or negative errno. */
int udamon_uffd_wp_register(struct udamon_uffd_wp *w, uint64_t start,
			    uint64_t end);
int udamon_uffd_wp_arm(struct udamon_uffd_wp *w, uint64_t start, uint64_t end);

/*
 * Follow the target's private writable mappings (sorted, disjoint; names
 * may be NULL): register and arm the new ones (only their new parts are
 * armed), forget those gone. A mapping that cannot be registered (EBUSY:
 * the target uses userfaultfd on it itself) is reported once through the
 * warn function and skipped. Returns the number of mappings newly
 * registered, or negative errno (-ESRCH when the memory the userfaultfd
 * belongs to is gone: the process executed a new program).
 */
int udamon_uffd_wp_sync(struct udamon_uffd_wp *w,
			const struct udamon_range *maps, const char *const *names,
			size_t nr);

/*
 * Hand each written range of [start, end) to fn and re-arm it. Returns the
 * number of written pages or negative errno. -EPERM: part of the range is
 * no longer registered (the target remapped it).
 */
long udamon_uffd_wp_scan(struct udamon_uffd_wp *w, uint64_t start,
			 uint64_t end, udamon_uffd_wp_written_fn fn, void *data);

/*
 * Scan every registered span. A span whose mappings changed under it is
 * dropped from the set and udamon_uffd_wp_stale() turns true until the
 * next sync (which registers and arms it again).
 */
long udamon_uffd_wp_harvest(struct udamon_uffd_wp *w,
			    udamon_uffd_wp_written_fn fn, void *data);
bool udamon_uffd_wp_stale(const struct udamon_uffd_wp *w);

/* What a page or unit query found (bits of a non-negative return). */
#define UDAMON_WP_WRITTEN	1	/* written since armed */
#define UDAMON_WP_HUGE		2	/* in one PMD-mapped huge page */
#define UDAMON_WP_HOLE		4	/* (internal) never populated */

/*
 * One page, DAMON style (the sampling page of a region): was it written
 * since it was last armed? With rearm, arm it again (only a written page
 * costs a page-table change and a TLB flush). A page in a PMD-mapped huge
 * page is never armed here (that would split the huge page): the result
 * says HUGE and the caller arms the whole unit (udamon_uffd_wp_unit) or
 * leaves it. Pages outside the registered spans are never written as far
 * as we can tell: 0. Returns UDAMON_WP_* bits or negative errno.
 */
int udamon_uffd_wp_page(struct udamon_uffd_wp *w, uint64_t addr, bool rearm);

/*
 * A huge page unit [start, end) (2 MiB, aligned, registered): WRITTEN
 * when any page of it was written since armed, HUGE while it is still
 * mapped as one huge page. With rearm, a huge, unarmed unit is armed
 * whole, which keeps it huge; the first write to it then splits it (the
 * kernel resolves async write-protect faults on 4 KiB entries).
 */
int udamon_uffd_wp_unit(struct udamon_uffd_wp *w, uint64_t start,
			uint64_t end, bool rearm);

/* UFFDIO_WRITEPROTECT of [start, end) on or off; 0 or negative errno. */
int udamon_uffd_wp_protect(struct udamon_uffd_wp *w, uint64_t start,
			   uint64_t end, bool on);

/* Is [start, end) inside the registered spans? */
bool udamon_uffd_wp_covers(const struct udamon_uffd_wp *w, uint64_t start,
			   uint64_t end);

/*
 * With on, sync registers new mappings without arming them: for
 * sampling-page checks, where arming everything would only cost the
 * target one fault per page and tell nothing.
 */
void udamon_uffd_wp_set_register_only(struct udamon_uffd_wp *w, bool on);

/*
 * Is the address space the uffd was made for still there? False after the
 * process has exited or executed a new program (the uffd then watches
 * nothing: steal a new one).
 */
bool udamon_uffd_wp_mm_alive(const struct udamon_uffd_wp *w);

/* Registered spans (sorted, coalesced), valid until the next sync. */
const struct udamon_range *udamon_uffd_wp_spans(const struct udamon_uffd_wp *w,
						size_t *nr);
void udamon_uffd_wp_get_stats(const struct udamon_uffd_wp *w,
			      struct udamon_uffd_wp_stats *st);
int udamon_uffd_wp_fd(const struct udamon_uffd_wp *w);

/*
 * Does this kernel have what we need (async write-protect, unpopulated
 * write-protect, PAGEMAP_SCAN)? 0, or -ENOTSUP naming the missing feature.
 */
int udamon_uffd_wp_probe(char *err, size_t errlen);

#endif /* UDAMON_PRIMITIVES_UFFD_WP_H */
