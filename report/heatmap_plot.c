// SPDX-License-Identifier: MIT
/*
 * `report heatmap --output FILE.png|.svg|.pdf`: the heatmap as a picture,
 * as damo draws it with gnuplot: time along x, addresses up y, each cell
 * coloured by its access frequency on a black-red-yellow-white scale
 * (cells nothing was recorded for are light gray), the scale at the right.
 * Axes are relative to the map's start unless --abs_time / --abs_addr.
 */
#include <errno.h>
#include <stdio.h>

#include "report/heatmap_int.h"
#include "report/plot.h"
#include "report/report_fmt.h"

#define BUF	64
#define TICKS	5

/* The cells as an image of cols x rows pixels, time along x, addr up. */
static cairo_surface_t *cells_image(const struct heatmap *m)
{
	cairo_surface_t *img;
	unsigned char *data;
	double lo, hi, rgb[3];
	unsigned int row, col;
	int stride;

	img = cairo_image_surface_create(CAIRO_FORMAT_RGB24, (int)m->rows,
					 (int)m->cols);
	if (cairo_surface_status(img))
		return img;
	heatmap_minmax(m, &lo, &hi);
	cairo_surface_flush(img);
	data = cairo_image_surface_get_data(img);
	stride = cairo_image_surface_get_stride(img);
	for (row = 0; row < m->rows; row++) {
		for (col = 0; col < m->cols; col++) {
			size_t px = (size_t)row * m->cols + col;
			uint32_t *out = (uint32_t *)(data +
				(size_t)(m->cols - 1 - col) * stride) + row;

			if (!m->set[px]) {
				*out = 0xd8d8d8;
				continue;
			}
			plot_heat_rgb(hi > lo ? (m->heat[px] - lo) / (hi - lo) :
				      0, rgb);
			*out = (uint32_t)(rgb[0] * 255) << 16 |
				(uint32_t)(rgb[1] * 255) << 8 |
				(uint32_t)(rgb[2] * 255);
		}
	}
	cairo_surface_mark_dirty(img);
	return img;
}

static void draw_cells(struct plot *p, const struct heatmap *m)
{
	cairo_surface_t *img = cells_image(m);
	cairo_pattern_t *pat;

	cairo_save(p->cr);
	cairo_rectangle(p->cr, PLOT_LEFT, PLOT_TOP, PLOT_AREA_W, PLOT_AREA_H);
	cairo_clip(p->cr);
	cairo_translate(p->cr, PLOT_LEFT, PLOT_TOP);
	cairo_scale(p->cr, (double)PLOT_AREA_W / m->rows,
		    (double)PLOT_AREA_H / m->cols);
	cairo_set_source_surface(p->cr, img, 0, 0);
	pat = cairo_get_source(p->cr);
	cairo_pattern_set_filter(pat, CAIRO_FILTER_NEAREST);
	cairo_paint(p->cr);
	cairo_restore(p->cr);
	cairo_surface_destroy(img);
}

static void draw_ticks(struct plot *p, const struct heatmap *m,
		       const struct udamon_heatmap_opts *o)
{
	double tlen = (double)m->tunit * m->rows;
	double alen = (double)m->aunit * m->cols;
	char xb[BUF], yb[BUF];
	int k;

	for (k = 0; k <= TICKS; k++) {
		double t = tlen * k / TICKS + (o->abs_time ? (double)m->t0 : 0);
		double a = alen * k / TICKS;

		if (o->abs_addr)
			snprintf(yb, BUF, "0x%llx", (unsigned long long)
				 (m->a0 + (uint64_t)a));
		else
			rfmt_size(a, yb, BUF);
		plot_tick(p, k, TICKS, rfmt_time_ns(t, xb, BUF), yb);
	}
}

int heatmap_plot(const struct heatmap *m, const struct udamon_heatmap_opts *o)
{
	char title[160], a0[BUF], t0[BUF], xl[2 * BUF], yl[2 * BUF];
	struct plot p;
	double lo, hi;
	int err;

	err = plot_open(&p, o->output);
	if (err)
		return err;
	heatmap_minmax(m, &lo, &hi);
	draw_cells(&p, m);
	snprintf(title, sizeof(title), "access frequency by time and address");
	snprintf(xl, sizeof(xl), "time since %s",
		 rfmt_time_ns((double)m->t0, t0, BUF));
	snprintf(a0, BUF, "0x%llx", (unsigned long long)m->a0);
	snprintf(yl, sizeof(yl), "address - %s", a0);
	plot_frame(&p, title, o->abs_time ? "time" : xl,
		   o->abs_addr ? "address" : yl);
	draw_ticks(&p, m, o);
	plot_color_scale(&p, lo, hi, "hz");
	return plot_close(&p);
}
