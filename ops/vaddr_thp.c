// SPDX-License-Identifier: MIT
/*
 * Huge pages under write-protect sampling. Arming one 4 KiB page inside a
 * PMD-mapped transparent huge page splits it at once; arming the whole
 * 2 MiB unit keeps it huge, and only a write to the armed unit splits it
 * (the kernel resolves async write-protect faults on 4 KiB entries). So a
 * sampling page in a huge page stands for its whole unit (DAMON judges a
 * huge page whole too), and a unit that a write split is restored at the
 * end of the aggregation: un-protected, then collapsed again with
 * process_madvise(MADV_COLLAPSE). Splits cost the target, collapses cost
 * udamon, so both are bounded per aggregation (vaddr_thp.h): a unit past
 * the arm budget is not checked in that sample, and the engine scales the
 * region's count from the samples that were.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <unistd.h>

#include "ops/vaddr_thp.h"
#include "primitives/compat.h"

/* Index of the first entry >= unit. */
static size_t lower_bound(const uint64_t *a, size_t n, uint64_t unit)
{
	size_t lo = 0, hi = n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (a[mid] < unit)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

static int grow(uint64_t **a, size_t *cap, size_t need)
{
	uint64_t *n;
	size_t c;

	if (need <= *cap)
		return 0;
	c = *cap ? *cap * 2 : 64;
	n = realloc(*a, c * sizeof(*n));
	if (!n)
		return -ENOMEM;
	*a = n;
	*cap = c;
	return 0;
}

static int add_armed(struct vaddr_thp *h, uint64_t unit)
{
	size_t i = lower_bound(h->armed, h->nr_armed, unit);

	if (i < h->nr_armed && h->armed[i] == unit)
		return 0;
	if (grow(&h->armed, &h->cap_armed, h->nr_armed + 1))
		return -ENOMEM;
	memmove(&h->armed[i + 1], &h->armed[i],
		(h->nr_armed - i) * sizeof(*h->armed));
	h->armed[i] = unit;
	h->nr_armed++;
	return 0;
}

static void del_armed(struct vaddr_thp *h, uint64_t unit)
{
	size_t i = lower_bound(h->armed, h->nr_armed, unit);

	if (i == h->nr_armed || h->armed[i] != unit)
		return;
	memmove(&h->armed[i], &h->armed[i + 1],
		(h->nr_armed - i - 1) * sizeof(*h->armed));
	h->nr_armed--;
}

/* An armed unit was found split by a write: restore it later. */
static void mark_split(struct vaddr_thp *h, uint64_t unit,
		       struct udamon_stats *st)
{
	del_armed(h, unit);
	st->thp_splits++;
	if (grow(&h->split, &h->cap_split, h->nr_split + 1))
		return;		/* left split: khugepaged may collapse it */
	h->split[h->nr_split++] = unit;
}

int vaddr_thp_arm(struct vaddr_thp *h, struct udamon_uffd_wp *w,
		  uint64_t unit, int info)
{
	int ret;

	if (!udamon_uffd_wp_covers(w, unit, unit + THP_SIZE))
		return 0;
	/* not written since armed: armed, by us (nobody else arms it) */
	if (!(info & UDAMON_WP_WRITTEN))
		return add_armed(h, unit) ? -ENOMEM : 1;
	if (!h->arms_left || unit < h->arm_from)
		return 0;
	ret = udamon_uffd_wp_protect(w, unit, unit + THP_SIZE, true);
	if (ret == -ENOENT || ret == -EPERM)
		return 0;	/* remapped meanwhile */
	if (ret)
		return ret;
	h->arms_left--;
	h->arm_from = unit + THP_SIZE;
	return add_armed(h, unit) ? -ENOMEM : 1;
}

void vaddr_thp_pass_done(struct vaddr_thp *h)
{
	if (h->arms_left)
		h->arm_from = 0;
}

int vaddr_thp_check(struct vaddr_thp *h, struct udamon_uffd_wp *w,
		    uint64_t unit, struct udamon_stats *st)
{
	int ret = udamon_uffd_wp_unit(w, unit, unit + THP_SIZE, false);

	if (ret < 0)
		return ret;
	if (ret & UDAMON_WP_HUGE)
		/* huge and written: a new huge page replaced ours */
		return ret & UDAMON_WP_WRITTEN ? THP_UNKNOWN : THP_NOT_WRITTEN;
	if (!(ret & UDAMON_WP_WRITTEN)) {
		/* split, but not by a write of the target: leave it */
		del_armed(h, unit);
		return THP_NOT_WRITTEN;
	}
	mark_split(h, unit, st);
	return THP_WRITTEN;
}

/* Un-protect, then collapse from here; 0 or negative errno. */
static int restore(struct udamon_uffd_wp *w, int pidfd, uint64_t unit)
{
	struct iovec iov = { (void *)(uintptr_t)unit, THP_SIZE };
	int ret;

	if (!udamon_uffd_wp_covers(w, unit, unit + THP_SIZE))
		return -ENOENT;
	ret = udamon_uffd_wp_protect(w, unit, unit + THP_SIZE, false);
	if (ret)
		return ret;
	if (syscall(SYS_process_madvise, pidfd, &iov, 1, MADV_COLLAPSE, 0) < 0)
		return -errno;
	return 0;
}

static void restore_some(struct vaddr_thp *h, struct udamon_uffd_wp *w,
			 int pidfd, struct udamon_stats *st, size_t budget)
{
	size_t i, n = h->nr_split < budget ? h->nr_split : budget;

	h->nr_restored = 0;
	for (i = 0; i < n; i++) {
		if (h->nr_restored < THP_COLLAPSES_PER_AGGR)
			h->restored[h->nr_restored++] = h->split[i];
		if (restore(w, pidfd, h->split[i]))
			st->thp_collapse_failures++;
		else
			st->thp_collapses++;
	}
	if (!n)
		return;		/* h->split may be NULL: no memmove of it */
	memmove(h->split, h->split + n, (h->nr_split - n) * sizeof(*h->split));
	h->nr_split -= n;
}

/* Armed units that a write split while no region sampled them. */
static void sweep(struct vaddr_thp *h, struct udamon_uffd_wp *w,
		  struct udamon_stats *st)
{
	size_t n;

	for (n = 0; n < THP_SWEEP_PER_AGGR && h->nr_armed; n++) {
		uint64_t unit;
		int ret;

		if (h->sweep >= h->nr_armed)
			h->sweep = 0;
		unit = h->armed[h->sweep];
		ret = udamon_uffd_wp_unit(w, unit, unit + THP_SIZE, false);
		if (ret < 0 || (ret & UDAMON_WP_HUGE)) {
			h->sweep++;
			continue;
		}
		if (ret & UDAMON_WP_WRITTEN)
			mark_split(h, unit, st);
		else
			del_armed(h, unit);
	}
}

void vaddr_thp_aggregated(struct vaddr_thp *h, struct udamon_uffd_wp *w,
			  int pidfd, struct udamon_stats *st)
{
	sweep(h, w, st);
	restore_some(h, w, pidfd, st, THP_COLLAPSES_PER_AGGR);
	/* no new arms while split units wait: they would only add to them */
	h->arms_left = h->nr_split >= THP_ARMS_PER_AGGR ? 0 :
		       THP_ARMS_PER_AGGR - (unsigned int)h->nr_split;
}

void vaddr_thp_release(struct vaddr_thp *h, struct udamon_uffd_wp *w,
		       int pidfd, struct udamon_stats *st)
{
	if (w && pidfd >= 0)
		restore_some(h, w, pidfd, st, h->nr_split);
	free(h->armed);
	free(h->split);
	memset(h, 0, sizeof(*h));
}
