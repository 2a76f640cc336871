/* SPDX-License-Identifier: MIT */
/*
 * Pictures of reports with cairo (report/plot.c): a PNG, SVG or PDF file
 * chosen by the path's extension, a plot area with axes, a colour scale.
 */
#ifndef UDAMON_PLOT_H
#define UDAMON_PLOT_H

#include <cairo.h>
#include <stdbool.h>

/* Page layout in points (pixels in a PNG). */
#define PLOT_W		1000
#define PLOT_H		640
#define PLOT_LEFT	130	/* plot area: x from here ... */
#define PLOT_TOP	50	/* ... y from here */
#define PLOT_AREA_W	640
#define PLOT_AREA_H	500
#define PLOT_SCALE_X	(PLOT_LEFT + PLOT_AREA_W + 40)	/* colour scale */
#define PLOT_SCALE_W	24

struct plot {
	cairo_surface_t *surf;
	cairo_t *cr;
	const char *path;
	bool png;
};

/* -EINVAL for an extension other than .png, .svg, .pdf; -EIO else. */
int plot_open(struct plot *p, const char *path);
/* Write the file and free; 0 or -EIO. */
int plot_close(struct plot *p);
/* Text anchored at (x, y): ax, ay 0 = left/top, 0.5 centre, 1 right/bottom. */
void plot_text(struct plot *p, double x, double y, double ax, double ay,
	       const char *s);
/*
 * Tick k of n on both axes of the plot area (k = 0 at the origin), in
 * black, labelled xtext below the x axis and ytext left of the y axis.
 */
void plot_tick(struct plot *p, int k, int n, const char *xtext,
	       const char *ytext);
/* Heat colour of f in [0, 1]: black, red, orange, yellow, white. */
void plot_heat_rgb(double f, double rgb[3]);
/* The colour scale from lo to hi, labelled with unit. */
void plot_color_scale(struct plot *p, double lo, double hi, const char *unit);
/* The frame of the plot area and the axis titles. */
void plot_frame(struct plot *p, const char *title, const char *xlabel,
		const char *ylabel);

#endif
