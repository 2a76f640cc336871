// SPDX-License-Identifier: MIT
/*
 * The heat bar of one snapshot (damo's snapshot <heatmap>): the regions laid
 * end to end over `width` columns of equal size, each column the
 * size-weighted temperature of what it covers as a digit 0-9 scaled between
 * the coldest and hottest column; a gap between regions is '.' per column,
 * or "[...]" when longer than four columns. Computed in the same floating
 * point steps as damo so that the digits match.
 */
#include <stdlib.h>

#include "report/access_int.h"
#include "report/report_fmt.h"

#define BUF		64
#define MAX_LEVEL	9

double access_temperature(const struct udamon_record *rec,
			  const struct udamon_snapshot *snap,
			  const struct udamon_snapshot_region *r)
{
	uint64_t sample_us, aggr_us;
	unsigned int pct = udamon_record_access_percent(rec, snap,
							r->nr_accesses);
	double score;

	udamon_record_snapshot_intervals(rec, snap, &sample_us, &aggr_us);
	score = (double)pct * 100 + (double)r->age * (double)aggr_us * 100;
	return pct > 0 ? score : -score;
}

struct pixel {
	double start, end, temp;
	bool is_void;
};

static void pixel_heat(struct pixel *p, const struct udamon_record *rec,
		       const struct udamon_snapshot *snap)
{
	double heat = 0;
	size_t i;

	p->is_void = true;
	for (i = 0; i < snap->nr_regions; i++) {
		const struct udamon_snapshot_region *r = &snap->regions[i];
		double s = (double)r->start, e = (double)r->end;

		if (e <= p->start)
			continue;
		if (p->end <= s)
			break;
		p->is_void = false;
		if (s < p->start)
			s = p->start;
		if (e > p->end)
			e = p->end;
		heat += access_temperature(rec, snap, r) * (e - s);
	}
	p->temp = heat / (p->end - p->start);
}

static const struct udamon_snapshot_region *
region_after(const struct udamon_snapshot *snap, double addr)
{
	size_t i;

	for (i = 0; i < snap->nr_regions; i++)
		if ((double)snap->regions[i].start > addr)
			return &snap->regions[i];
	return NULL;
}

static void put_level(FILE *out, int level, bool color)
{
	if (color)	/* damo's gray set: black ground, lighter digits */
		fprintf(out, "\033[48;5;232m\033[38;5;%dm%d\033[0m",
			237 + 2 * level, level);
	else
		fputc('0' + level, out);
}

void access_heatbar(FILE *out, const struct udamon_record *rec,
		    const struct udamon_snapshot *snap, unsigned int width,
		    bool raw, bool color)
{
	struct pixel *px = NULL, *grown;
	size_t n = 0, cap = 0, i;
	double total = 0, unit, start, lo = 0, hi = 0, tunit, dots;
	bool any = false;
	char a[BUF], b[BUF], c[BUF];

	if (!snap->nr_regions) {
		fprintf(out, "n/a (no region)\n");
		return;
	}
	for (i = 0; i < snap->nr_regions; i++)
		total += (double)(snap->regions[i].end - snap->regions[i].start);
	unit = total / width;
	start = (double)snap->regions[0].start;
	while (start < (double)snap->regions[snap->nr_regions - 1].end) {
		struct pixel *p;

		if (n == cap) {
			cap = cap ? cap * 2 : 128;
			grown = realloc(px, cap * sizeof(*px));
			if (!grown)
				break;
			px = grown;
		}
		p = &px[n++];
		p->start = start;
		p->end = start + unit;
		pixel_heat(p, rec, snap);
		if (p->is_void) {
			const struct udamon_snapshot_region *next =
				region_after(snap, p->end);

			if (!next)
				break;
			/* Python's float floor division, then times unit */
			start = __builtin_floor((double)next->start / unit) * unit;
			p->end = start;
			continue;
		}
		if (!any || p->temp < lo)
			lo = p->temp;
		if (!any || p->temp > hi)
			hi = p->temp;
		any = true;
		start = p->end;
	}
	tunit = (hi - lo) / MAX_LEVEL;
	if (tunit == 0)
		tunit = hi / MAX_LEVEL;
	if (tunit == 0)
		tunit = 1;
	for (i = 0; i < n; i++) {
		if (px[i].is_void) {
			dots = (px[i].end - px[i].start) / unit;
			if (dots > 4)
				fputs("[...]", out);
			else
				for (int d = 0; d < (int)dots; d++)
					fputc('.', out);
			continue;
		}
		put_level(out, (int)((px[i].temp - lo) / tunit), color);
	}
	free(px);
	fprintf(out, "\n# min/max temperatures: %s, %s, column size: %s\n",
		rfmt_nr(lo, raw, a, BUF), rfmt_nr(hi, raw, b, BUF),
		rfmt_sz(unit, raw, c, BUF));
}
