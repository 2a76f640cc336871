// SPDX-License-Identifier: MIT
/* Report pictures with cairo (see plot.h). */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <cairo-pdf.h>
#include <cairo-svg.h>
#include <fontconfig/fontconfig.h>

#include "report/plot.h"

static bool ends_with(const char *s, const char *tail)
{
	size_t n = strlen(s), t = strlen(tail);

	return n > t && !strcasecmp(s + n - t, tail);
}

int plot_open(struct plot *p, const char *path)
{
	memset(p, 0, sizeof(*p));
	p->path = path;
	if (ends_with(path, ".png")) {
		p->png = true;
		p->surf = cairo_image_surface_create(CAIRO_FORMAT_RGB24,
						     PLOT_W, PLOT_H);
	} else if (ends_with(path, ".svg")) {
		p->surf = cairo_svg_surface_create(path, PLOT_W, PLOT_H);
	} else if (ends_with(path, ".pdf")) {
		p->surf = cairo_pdf_surface_create(path, PLOT_W, PLOT_H);
	} else {
		return -EINVAL;
	}
	if (cairo_surface_status(p->surf)) {
		cairo_surface_destroy(p->surf);
		return -EIO;
	}
	p->cr = cairo_create(p->surf);
	cairo_set_source_rgb(p->cr, 1, 1, 1);
	cairo_paint(p->cr);
	cairo_select_font_face(p->cr, "sans-serif", CAIRO_FONT_SLANT_NORMAL,
			       CAIRO_FONT_WEIGHT_NORMAL);
	cairo_set_font_size(p->cr, 13);
	return 0;
}

int plot_close(struct plot *p)
{
	cairo_status_t st = cairo_status(p->cr);

	cairo_destroy(p->cr);
	if (!st && p->png)
		st = cairo_surface_write_to_png(p->surf, p->path);
	cairo_surface_finish(p->surf);
	if (!st)
		st = cairo_surface_status(p->surf);
	cairo_surface_destroy(p->surf);
	/* drop cairo's and fontconfig's caches: no picture outlives this */
	cairo_debug_reset_static_data();
	FcFini();
	return st ? -EIO : 0;
}

void plot_text(struct plot *p, double x, double y, double ax, double ay,
	       const char *s)
{
	cairo_text_extents_t e;

	cairo_text_extents(p->cr, s, &e);
	cairo_move_to(p->cr, x - e.x_advance * ax, y - e.y_bearing -
		      e.height * ay);
	cairo_show_text(p->cr, s);
}

void plot_tick(struct plot *p, int k, int n, const char *xtext,
	       const char *ytext)
{
	double x = PLOT_LEFT + PLOT_AREA_W * k / (double)n;
	double y = PLOT_TOP + PLOT_AREA_H * (1 - k / (double)n);
	cairo_t *cr = p->cr;

	cairo_set_source_rgb(cr, 0, 0, 0);
	cairo_set_line_width(cr, 1);
	cairo_move_to(cr, x + 0.5, PLOT_TOP + PLOT_AREA_H);
	cairo_line_to(cr, x + 0.5, PLOT_TOP + PLOT_AREA_H + 5);
	cairo_move_to(cr, PLOT_LEFT - 5, y + 0.5);
	cairo_line_to(cr, PLOT_LEFT, y + 0.5);
	cairo_stroke(cr);
	plot_text(p, x, PLOT_TOP + PLOT_AREA_H + 9, 0.5, 0, xtext);
	plot_text(p, PLOT_LEFT - 8, y, 1, 0.5, ytext);
}

void plot_heat_rgb(double f, double rgb[3])
{
	/* stops of the scale: black, dark red, orange, yellow, white */
	static const double stops[5][3] = {
		{ 0, 0, 0 }, { 0.55, 0, 0 }, { 1, 0.5, 0 }, { 1, 0.95, 0.1 },
		{ 1, 1, 1 },
	};
	double x;
	int i, k;

	f = f < 0 ? 0 : f > 1 ? 1 : f;
	x = f * 4;
	i = (int)x;
	if (i >= 4)
		i = 3;
	x -= i;
	for (k = 0; k < 3; k++)
		rgb[k] = stops[i][k] + (stops[i + 1][k] - stops[i][k]) * x;
}

void plot_color_scale(struct plot *p, double lo, double hi, const char *unit)
{
	cairo_t *cr = p->cr;
	char buf[64];
	double rgb[3];
	int y, k;

	for (y = 0; y < PLOT_AREA_H; y++) {
		plot_heat_rgb(1 - (double)y / (PLOT_AREA_H - 1), rgb);
		cairo_set_source_rgb(cr, rgb[0], rgb[1], rgb[2]);
		cairo_rectangle(cr, PLOT_SCALE_X, PLOT_TOP + y, PLOT_SCALE_W, 1);
		cairo_fill(cr);
	}
	cairo_set_source_rgb(cr, 0, 0, 0);
	cairo_set_line_width(cr, 1);
	cairo_rectangle(cr, PLOT_SCALE_X + 0.5, PLOT_TOP + 0.5, PLOT_SCALE_W,
			PLOT_AREA_H);
	cairo_stroke(cr);
	for (k = 0; k <= 4; k++) {
		double yy = PLOT_TOP + PLOT_AREA_H * (1 - k / 4.0);

		snprintf(buf, sizeof(buf), "%.3g", lo + (hi - lo) * k / 4);
		cairo_move_to(cr, PLOT_SCALE_X + PLOT_SCALE_W, yy + 0.5);
		cairo_line_to(cr, PLOT_SCALE_X + PLOT_SCALE_W + 4, yy + 0.5);
		cairo_stroke(cr);
		plot_text(p, PLOT_SCALE_X + PLOT_SCALE_W + 7, yy, 0, 0.5, buf);
	}
	snprintf(buf, sizeof(buf), "access frequency (%s)", unit);
	plot_text(p, PLOT_SCALE_X, PLOT_TOP + PLOT_AREA_H + 30, 0, 0.5, buf);
}

void plot_frame(struct plot *p, const char *title, const char *xlabel,
		const char *ylabel)
{
	cairo_t *cr = p->cr;

	cairo_set_source_rgb(cr, 0, 0, 0);
	cairo_set_line_width(cr, 1);
	cairo_rectangle(cr, PLOT_LEFT + 0.5, PLOT_TOP + 0.5, PLOT_AREA_W,
			PLOT_AREA_H);
	cairo_stroke(cr);
	cairo_set_font_size(cr, 15);
	plot_text(p, PLOT_LEFT + PLOT_AREA_W / 2.0, 22, 0.5, 0.5, title);
	cairo_set_font_size(cr, 13);
	plot_text(p, PLOT_LEFT + PLOT_AREA_W / 2.0, PLOT_H - 18, 0.5, 0.5,
		  xlabel);
	cairo_save(cr);
	cairo_translate(cr, 18, PLOT_TOP + PLOT_AREA_H / 2.0);
	cairo_rotate(cr, -1.5707963267948966);
	plot_text(p, 0, 0, 0.5, 0.5, ylabel);
	cairo_restore(cr);
}
