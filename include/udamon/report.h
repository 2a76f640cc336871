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
};

struct udamon_heatmap_opts {
	unsigned int time_resol;	/* rows, default 20 */
	unsigned int addr_resol;	/* columns, default 80 */
};

struct udamon_wss_opts {
	const unsigned int *percentiles;	/* NULL: 0,25,50,75,100 */
	size_t nr_percentiles;
	unsigned int min_pct;		/* count regions with percent >= this */
};

int udamon_report_access(FILE *out, const struct udamon_record *recs,
			 size_t nr, const struct udamon_access_opts *o);
int udamon_report_heatmap(FILE *out, const struct udamon_record *recs,
			  size_t nr, const struct udamon_heatmap_opts *o);
int udamon_report_wss(FILE *out, const struct udamon_record *recs, size_t nr,
		      const struct udamon_wss_opts *o);

#endif
