// SPDX-License-Identifier: MIT
/*
 * `report wss --plot FILE`: the distribution as lines and points, one line
 * per target, as damo draws it with gnuplot: percentile (or, sorted by
 * time, runtime percent; with --all_wss, the snapshot index) along x,
 * working set size up y.
 */
#include <errno.h>
#include <stdio.h>

#include "report/plot.h"
#include "report/report_fmt.h"
#include "report/wss_int.h"

#define BUF	64
#define TICKS	5

static const double line_rgb[][3] = {
	{ 0.8, 0.1, 0.1 }, { 0.1, 0.3, 0.8 }, { 0.1, 0.6, 0.2 },
	{ 0.6, 0.2, 0.7 }, { 0.9, 0.5, 0.0 },
};

/* Point k of a list: its x (0..1 of the axis) and its value. */
static size_t n_all;	/* the longest list: the all_wss axis */

static bool point(const struct wss_dist *d, size_t k, const unsigned int *pcts,
		  size_t nr_pcts, const struct udamon_wss_opts *o, double *x,
		  uint64_t *v)
{
	if (o->all_wss) {
		if (k >= d->n)
			return false;
		*x = n_all > 1 ? (double)k / (double)(n_all - 1) : 0;
		*v = d->v[k];
		return true;
	}
	if (k >= nr_pcts)
		return false;
	*x = pcts[k] / 100.0;
	*v = wss_percentile(d->v, d->n, pcts[k]);
	return true;
}

static void draw_axes(struct plot *p, uint64_t max,
		      const struct udamon_wss_opts *o)
{
	char xb[BUF], yb[BUF];
	int k;

	for (k = 0; k <= TICKS; k++) {
		if (o->all_wss)
			snprintf(xb, BUF, "%.0f", n_all > 1 ?
				 (double)(n_all - 1) * k / TICKS : 0);
		else
			snprintf(xb, BUF, "%d", 100 * k / TICKS);
		plot_tick(p, k, TICKS, xb,
			  rfmt_size((double)max * k / TICKS, yb, BUF));
	}
}

int wss_plot(const struct wss_dist *d, size_t nr, const unsigned int *pcts,
	     size_t nr_pcts, const struct udamon_wss_opts *o)
{
	uint64_t max = 0, v;
	size_t i, k;
	struct plot p;
	char buf[BUF];
	double x;
	int err;

	err = plot_open(&p, o->plot);
	if (err)
		return err;
	n_all = 0;
	for (i = 0; i < nr; i++)
		n_all = d[i].n > n_all ? d[i].n : n_all;
	for (i = 0; i < nr; i++)
		for (k = 0; d[i].n && point(&d[i], k, pcts, nr_pcts, o, &x, &v);
		     k++)
			max = v > max ? v : max;
	max = max ? max : 1;
	plot_frame(&p, "working set size distribution",
		   o->all_wss ? "snapshot" : o->sort_by_time ?
		   "runtime (percent)" : "percentile",
		   "working set size");
	draw_axes(&p, max, o);
	for (i = 0; i < nr; i++) {
		const double *c = line_rgb[i % 5];

		cairo_set_source_rgb(p.cr, c[0], c[1], c[2]);
		cairo_set_line_width(p.cr, 2);
		for (k = 0; d[i].n && point(&d[i], k, pcts, nr_pcts, o, &x, &v);
		     k++) {
			double px = PLOT_LEFT + x * PLOT_AREA_W;
			double py = PLOT_TOP + PLOT_AREA_H *
				(1 - (double)v / (double)max);

			if (k)
				cairo_line_to(p.cr, px, py);
			else
				cairo_move_to(p.cr, px, py);
		}
		cairo_stroke(p.cr);
		for (k = 0; d[i].n && point(&d[i], k, pcts, nr_pcts, o, &x, &v);
		     k++) {
			cairo_arc(p.cr, PLOT_LEFT + x * PLOT_AREA_W,
				  PLOT_TOP + PLOT_AREA_H *
				  (1 - (double)v / (double)max), 3.5, 0,
				  6.283185307179586);
			cairo_fill(p.cr);
		}
		snprintf(buf, BUF, "target %d", d[i].target_id);
		plot_text(&p, PLOT_SCALE_X, PLOT_TOP + 20 * i, 0, 0, buf);
	}
	return plot_close(&p);
}
