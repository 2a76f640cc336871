/* SPDX-License-Identifier: MIT */
/* `report wss` internals (report/wss*.c). */
#ifndef UDAMON_WSS_INT_H
#define UDAMON_WSS_INT_H

#include "udamon/report.h"

/* The working set sizes of one target (or of all summed: target_id 0). */
struct wss_dist {
	int target_id;
	uint64_t *v;
	size_t n;
};

void wss_dists_free(struct wss_dist *d, size_t nr);
uint64_t wss_percentile(const uint64_t *dist, size_t n, unsigned int p);
/* Sizes of rec's snapshots merged into units of o->work_time_us. */
int wss_merged(const struct udamon_record *rec,
	       const struct udamon_wss_opts *o, uint64_t **dist, size_t *n);
/* The distribution as a line plot into o->plot. */
int wss_plot(const struct wss_dist *d, size_t nr, const unsigned int *pcts,
	     size_t nr_pcts, const struct udamon_wss_opts *o);

#endif
