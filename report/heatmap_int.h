/* SPDX-License-Identifier: MIT */
/* The heatmap grid shared by its text and picture outputs (report/). */
#ifndef UDAMON_HEATMAP_INT_H
#define UDAMON_HEATMAP_INT_H

#include "udamon/report.h"

/* rows x cols cells from t0 and a0; heat in hz, set: drawn at all */
struct heatmap {
	uint64_t t0, tunit;
	uint64_t a0, aunit;
	unsigned int rows, cols;
	double *heat;
	bool *set;
};

void heatmap_minmax(const struct heatmap *m, double *lo, double *hi);
/* Draw m into o->output (.png, .svg or .pdf) with cairo. */
int heatmap_plot(const struct heatmap *m, const struct udamon_heatmap_opts *o);

#endif
