/* SPDX-License-Identifier: MIT */
/* Text reports in damo's formats (report/). */
#ifndef UDAMON_REPORT_H
#define UDAMON_REPORT_H

#include <stdbool.h>
#include <stdio.h>

#include "record.h"

struct udamon_access_opts {
	long snapshot_idx;	/* -1: the last snapshot of each record */
	bool show_cpus;		/* add per-CPU share columns when recorded */
	bool all_snapshots;	/* every snapshot; snapshot_idx is ignored */
};

struct udamon_heatmap_opts {
	unsigned int time_resol;	/* rows, default 20 */
	unsigned int addr_resol;	/* columns, default 80 */
	/* which record: the one of target_id, else the widest (as damo) */
	bool has_target_id;
	int target_id;
	/* address range; else the hottest contiguous range (as damo) */
	bool has_addr_range;
	struct udamon_range addr_range;
};

struct udamon_wss_opts {
	const unsigned int *percentiles;	/* NULL: 0,25,50,75,100 */
	size_t nr_percentiles;
	unsigned int min_pct;		/* count regions with percent >= this */
	unsigned int acc_thres;		/* ... and samples >= this (damo: 1) */
	uint64_t sz_thres;		/* ... and size >= this (damo: 1) */
	size_t exclude_snapshots;	/* skip the first this many */
	bool per_target;		/* else targets summed, as damo */
};

/*
 * Each function returns 0, or a negative errno: -ERANGE when
 * snapshot_idx is past a record's snapshots, -ENOENT when the heatmap's
 * target_id is in no record, -ENODATA when there is no snapshot to draw.
 */

int udamon_report_access(FILE *out, const struct udamon_record *recs,
			 size_t nr, const struct udamon_access_opts *o);
int udamon_report_heatmap(FILE *out, const struct udamon_record *recs,
			  size_t nr, const struct udamon_heatmap_opts *o);
int udamon_report_wss(FILE *out, const struct udamon_record *recs, size_t nr,
		      const struct udamon_wss_opts *o);

#endif
