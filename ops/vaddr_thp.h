/* SPDX-License-Identifier: MIT */
/*
 * Transparent huge pages of a monitored process (ops/vaddr_thp.c): a
 * sampling page in a PMD-mapped huge page is judged with its whole 2 MiB
 * unit, as DAMON does, and the huge pages a write split are restored.
 */
#ifndef UDAMON_OPS_VADDR_THP_H
#define UDAMON_OPS_VADDR_THP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "udamon/udamon.h"
#include "primitives/uffd_wp.h"

#define THP_SIZE	(2ULL << 20)

/*
 * The budget, per target and aggregation: units newly armed (each may
 * cost a split and a collapse when written), split units collapsed back
 * (about 0.2-0.6 ms of udamon's CPU each), armed units looked at for
 * splits nobody sampled.
 */
#define THP_ARMS_PER_AGGR	4
#define THP_COLLAPSES_PER_AGGR	4
#define THP_SWEEP_PER_AGGR	32

struct vaddr_thp {
	uint64_t *armed;	/* units armed whole by us, sorted */
	size_t nr_armed, cap_armed;
	uint64_t *split;	/* armed units a write split: to restore */
	size_t nr_split, cap_split;
	unsigned int arms_left;	/* in this aggregation */
	/*
	 * Arms go round the address space: only to units from arm_from on,
	 * which moves past each unit armed and back to 0 when a pass ends
	 * with arms left. Given in address order from 0 at every pass, the
	 * few arms went to the lowest units that wanted one, always the
	 * same, and a region higher up that needed one was never checked.
	 */
	uint64_t arm_from;
	size_t sweep;		/* next armed unit the sweep looks at */
	/* the units the last vaddr_thp_aggregated() un-protected */
	uint64_t restored[THP_COLLAPSES_PER_AGGR];
	size_t nr_restored;
};

/* Results of vaddr_thp_check() besides negative errno. */
#define THP_NOT_WRITTEN	0
#define THP_WRITTEN	1
#define THP_UNKNOWN	2

/*
 * Make the unit of a sampling page found HUGE the page's unit for this
 * sample: arm it whole unless it is armed already (info is what
 * udamon_uffd_wp_page() said). Returns 1 when the unit is armed, 0 when
 * it cannot be this sample (past the budget, or not registered whole), or
 * negative errno.
 */
int vaddr_thp_arm(struct vaddr_thp *h, struct udamon_uffd_wp *w,
		  uint64_t unit, int info);
/* A pass over the target's regions has ended (moves the arms' turn). */
void vaddr_thp_pass_done(struct vaddr_thp *h);
/* Was the armed unit written during the sample? */
int vaddr_thp_check(struct vaddr_thp *h, struct udamon_uffd_wp *w,
		    uint64_t unit, struct udamon_stats *st);
/*
 * At the end of an aggregation: look for armed units split unseen,
 * restore split units within the budget (h->restored lists them: pages
 * armed there are not armed any more), renew the arm budget.
 */
void vaddr_thp_aggregated(struct vaddr_thp *h, struct udamon_uffd_wp *w,
			  int pidfd, struct udamon_stats *st);
/* Restore what is split (no budget), then forget everything. */
void vaddr_thp_release(struct vaddr_thp *h, struct udamon_uffd_wp *w,
		       int pidfd, struct udamon_stats *st);

#endif
