// SPDX-License-Identifier: MIT
/*
 * `report heatmap`: time rows by address columns, each character the access
 * frequency of that time and address range as a digit 0-9, followed by
 * damo's legend lines (damo's stdout heatmap without colors).
 *
 * As damo, the map covers one target: the given one or the one spanning
 * the most address space; over time from the oldest observation (first
 * snapshot start minus its oldest age) to the last snapshot end; over the
 * given address range or the hottest contiguous range of the target.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "udamon/report.h"
#include "report/report_fmt.h"
#include "report/heatmap_int.h"

#define BUF	64

struct range_list {
	struct udamon_range *r;
	size_t nr;
};

static int range_add(struct range_list *l, uint64_t start, uint64_t end)
{
	struct udamon_range *n = realloc(l->r, (l->nr + 1) * sizeof(*n));

	if (!n)
		return -ENOMEM;
	l->r = n;
	l->r[l->nr].start = start;
	l->r[l->nr].end = end;
	l->nr++;
	return 0;
}

static uint64_t max_u64(uint64_t a, uint64_t b)
{
	return a > b ? a : b;
}

static uint64_t min_u64(uint64_t a, uint64_t b)
{
	return a < b ? a : b;
}

/* Holes between the regions of one snapshot. */
static int snapshot_gaps(const struct udamon_snapshot *s, struct range_list *l)
{
	size_t i;
	int err;

	for (i = 1; i < s->nr_regions; i++) {
		if (s->regions[i].start <= s->regions[i - 1].end)
			continue;
		err = range_add(l, s->regions[i - 1].end, s->regions[i].start);
		if (err)
			return err;
	}
	return 0;
}

/* a := the parts of a that are also in b */
static int intersect(struct range_list *a, const struct range_list *b)
{
	struct range_list out = { 0 };
	size_t i, j;
	int err;

	for (i = 0; i < a->nr; i++) {
		for (j = 0; j < b->nr; j++) {
			uint64_t s = max_u64(a->r[i].start, b->r[j].start);
			uint64_t e = min_u64(a->r[i].end, b->r[j].end);

			if (s >= e)
				continue;
			err = range_add(&out, s, e);
			if (err) {
				free(out.r);
				return err;
			}
		}
	}
	free(a->r);
	*a = out;
	return 0;
}

/*
 * The contiguous ranges of a record: its whole span less the holes that
 * every snapshot has.
 */
static int contig_ranges(const struct udamon_record *rec,
			 struct range_list *out)
{
	struct range_list gaps = { 0 }, g = { 0 };
	uint64_t lo = UINT64_MAX, hi = 0, at;
	size_t i;
	int err = 0;

	for (i = 0; i < rec->nr_snapshots && !err; i++) {
		const struct udamon_snapshot *s = &rec->snapshots[i];

		if (!s->nr_regions)
			continue;
		lo = min_u64(lo, s->regions[0].start);
		hi = max_u64(hi, s->regions[s->nr_regions - 1].end);
		g.nr = 0;
		err = snapshot_gaps(s, &g);
		if (!err && i == 0) {
			err = snapshot_gaps(s, &gaps);
		} else if (!err) {
			err = intersect(&gaps, &g);
		}
	}
	free(g.r);
	out->nr = 0;
	out->r = NULL;
	if (err || lo >= hi) {
		free(gaps.r);
		return err;
	}
	at = lo;
	for (i = 0; i < gaps.nr && !err; i++) {
		err = range_add(out, at, gaps.r[i].start);
		at = gaps.r[i].end;
	}
	if (!err)
		err = range_add(out, at, hi);
	free(gaps.r);
	return err;
}

static uint64_t ranges_size(const struct range_list *l)
{
	uint64_t sz = 0;
	size_t i;

	for (i = 0; i < l->nr; i++)
		sz += l->r[i].end - l->r[i].start;
	return sz;
}

/* The range with the most (bytes x samples) per byte; first on ties. */
static struct udamon_range hottest(const struct udamon_record *rec,
				   const struct range_list *l)
{
	double best = -1;
	size_t i, s, k, pick = 0;

	for (k = 0; k < l->nr; k++) {
		double heat = 0;

		for (s = 0; s < rec->nr_snapshots; s++) {
			const struct udamon_snapshot *snap = &rec->snapshots[s];

			for (i = 0; i < snap->nr_regions; i++) {
				const struct udamon_snapshot_region *r =
					&snap->regions[i];
				uint64_t a = max_u64(r->start, l->r[k].start);
				uint64_t b = min_u64(r->end, l->r[k].end);

				if (a < b)
					heat += (double)(b - a) * r->nr_accesses;
			}
		}
		heat /= (double)(l->r[k].end - l->r[k].start);
		if (heat > best) {
			best = heat;
			pick = k;
		}
	}
	return l->r[pick];
}

/*
 * Heat of one region of one snapshot over the cells it touches, in damo's
 * steps (its rows and columns, its arithmetic: cells a region only touches
 * at an edge count, with no heat). The time a region stands for starts at
 * the snapshot's start less the region's age, but never before the end of
 * the previous snapshot: that time was measured by the previous snapshot
 * itself (docs/REPORTS.md, "The heatmap and the age of regions").
 */
static long cell_of(double v, double v0, double unit)
{
	return (long)((v - v0) / unit);
}

static void add_cell(struct heatmap *m, long row, long col, double hz,
		     uint64_t from, uint64_t to,
		     const struct udamon_snapshot_region *r)
{
	uint64_t pt = m->t0 + (uint64_t)row * m->tunit;
	uint64_t pa = m->a0 + (uint64_t)col * m->aunit;
	double space = (double)m->tunit * (double)m->aunit;
	double dt = (double)min_u64(to, pt + m->tunit) -
		(double)max_u64(from, pt);
	double da = (double)min_u64(r->end, pa + m->aunit) -
		(double)max_u64(r->start, pa);
	size_t px = (size_t)row * m->cols + (size_t)col;
	double heat = hz * dt * da;

	heat += m->heat[px] * space;
	m->heat[px] = heat / space;
	m->set[px] = true;
}

static void add_region(struct heatmap *m, double aggr_us,
		       const struct udamon_snapshot_region *r, uint64_t from,
		       uint64_t to)
{
	double hz = r->nr_accesses / (aggr_us / 1000000);
	uint64_t a_end = m->a0 + m->aunit * m->cols;
	long row, col, row1, col1;

	if (r->end < m->a0 || a_end < r->start)
		return;
	row1 = cell_of((double)to, (double)m->t0, (double)m->tunit);
	col1 = cell_of((double)r->end, (double)m->a0, (double)m->aunit);
	for (row = cell_of((double)from, (double)m->t0, (double)m->tunit);
	     row <= row1; row++) {
		if (row < 0 || row >= (long)m->rows)
			continue;
		for (col = cell_of((double)r->start, (double)m->a0,
				   (double)m->aunit); col <= col1; col++) {
			if (col < 0 || col >= (long)m->cols)
				continue;
			add_cell(m, row, col, hz, from, to, r);
		}
	}
}

static void add_record(struct heatmap *m, const struct udamon_record *rec)
{
	size_t s, i;

	for (s = 0; s < rec->nr_snapshots; s++) {
		const struct udamon_snapshot *snap = &rec->snapshots[s];
		uint64_t floor = s ? rec->snapshots[s - 1].end_time_ns : 0;
		uint64_t sample_us, aggr_us;

		udamon_record_snapshot_intervals(rec, snap, &sample_us,
						 &aggr_us);
		for (i = 0; i < snap->nr_regions; i++) {
			const struct udamon_snapshot_region *r =
				&snap->regions[i];
			uint64_t back = (uint64_t)r->age * rec->aggr_us * 1000;
			uint64_t from = snap->start_time_ns > back ?
				snap->start_time_ns - back : 0;

			add_region(m, (double)aggr_us, r, max_u64(from, floor),
				   snap->end_time_ns);
		}
	}
}

void heatmap_minmax(const struct heatmap *m, double *lo, double *hi)
{
	size_t px, n = (size_t)m->rows * m->cols;
	bool any = false;

	*lo = *hi = 0;
	for (px = 0; px < n; px++) {
		if (!m->set[px])
			continue;
		if (!any || m->heat[px] < *lo)
			*lo = m->heat[px];
		if (!any || m->heat[px] > *hi)
			*hi = m->heat[px];
		any = true;
	}
}

/* damo's gray colour set: black ground, digits lighter with the heat */
static void color_start(FILE *out, int level)
{
	fprintf(out, "\033[48;5;232m\033[38;5;%dm", 237 + 2 * level);
}

static void pr_map(FILE *out, const struct heatmap *m, bool color)
{
	double lo, hi, unit;
	char a[BUF], b[BUF], c[BUF], d[BUF];
	unsigned int row, col;
	size_t px;
	int level;

	heatmap_minmax(m, &lo, &hi);
	/* damo's scale: ten levels over [lowest, highest + 1) */
	unit = (hi + 1 - lo) / 9;
	for (row = 0; row < m->rows; row++) {
		for (col = 0; col < m->cols; col++) {
			px = (size_t)row * m->cols + col;
			if (!m->set[px]) {
				if (color)
					color_start(out, 4);
				fputc(' ', out);
				continue;
			}
			level = (int)((m->heat[px] - lo) / unit);
			level = level > 9 ? 9 : level;
			if (color)
				color_start(out, level);
			fputc('0' + level, out);
		}
		fputs(color ? "\033[0m\n" : "\n", out);
	}
	fprintf(out, "# access_frequency: ");
	for (level = 0; level <= 9; level++) {
		if (color)
			color_start(out, level);
		fputc('0' + level, out);
	}
	fprintf(out, "%s (%.3f-%.3f hz)\n", color ? "\033[0m" : "", lo, hi);
	fprintf(out, "# x-axis: space [%s, %s) (%s)\n",
		rfmt_size_accurate((double)m->a0, a, BUF),
		rfmt_size_accurate((double)m->a0 + (double)m->aunit * m->cols,
				   b, BUF),
		rfmt_size((double)m->aunit * m->cols, c, BUF));
	fprintf(out, "# y-axis: time [%s, %s) (%s)\n",
		rfmt_time_ns((double)m->t0, a, BUF),
		rfmt_time_ns((double)m->t0 + (double)m->tunit * m->rows, b,
			     BUF),
		rfmt_time_ns((double)m->tunit * m->rows, c, BUF));
	fprintf(out, "# resolution: %ux%u (%s and %s for each character)\n",
		m->cols, m->rows, rfmt_size((double)m->aunit, d, BUF),
		rfmt_time_ns((double)m->tunit, c, BUF));
}

/* damo's raw output: "<time>\t<address>\t<heat or NaN>" per cell. */
static void pr_raw(FILE *out, const struct heatmap *m,
		   const struct udamon_heatmap_opts *o)
{
	unsigned int row, col;
	char heat[BUF];

	for (row = 0; row < m->rows; row++) {
		for (col = 0; col < m->cols; col++) {
			size_t px = (size_t)row * m->cols + col;
			uint64_t t = (uint64_t)row * m->tunit;
			uint64_t a = (uint64_t)col * m->aunit;

			fprintf(out, "%llu\t%llu\t%s\n", (unsigned long long)
				(o->abs_time ? m->t0 + t : t),
				(unsigned long long)(o->abs_addr ? m->a0 + a : a),
				m->set[px] ? rfmt_pyfloat(m->heat[px], heat, BUF) :
				"NaN");
		}
	}
}

/* The record to draw: target_id's, else the one spanning the most space. */
static int pick_record(const struct udamon_record *recs, size_t nr,
		       const struct udamon_heatmap_opts *o,
		       const struct udamon_record **rec)
{
	uint64_t best = 0;
	size_t i;
	int err;

	*rec = NULL;
	for (i = 0; i < nr; i++) {
		struct range_list l;

		if (o->has_target_id) {
			if (recs[i].target_id != o->target_id)
				continue;
			*rec = &recs[i];
			return recs[i].nr_snapshots ? 0 : -ENODATA;
		}
		if (!recs[i].nr_snapshots)
			continue;
		err = contig_ranges(&recs[i], &l);
		if (err)
			return err;
		if (!*rec || ranges_size(&l) > best) {
			best = ranges_size(&l);
			*rec = &recs[i];
		}
		free(l.r);
	}
	if (*rec)
		return 0;
	return o->has_target_id ? -ENOENT : -ENODATA;
}

/* Time from the oldest observation of the first snapshot to the end. */
static void time_range(const struct udamon_record *rec, uint64_t *t0,
		       uint64_t *t1)
{
	const struct udamon_snapshot *first = &rec->snapshots[0];
	unsigned int max_age = 0;
	uint64_t back;
	size_t i;

	for (i = 0; i < first->nr_regions; i++)
		if (first->regions[i].age > max_age)
			max_age = first->regions[i].age;
	back = (uint64_t)max_age * rec->aggr_us * 1000;
	*t0 = first->start_time_ns > back ? first->start_time_ns - back : 0;
	*t1 = rec->snapshots[rec->nr_snapshots - 1].end_time_ns;
}

/* damo: 40 rows by 80 columns on the terminal, 500 by 500 in pictures */
static unsigned int dflt_resol(const struct udamon_heatmap_opts *o,
			       unsigned int text)
{
	return o->output_kind == UDAMON_HEATMAP_TEXT ? text : 500;
}

int udamon_report_heatmap(FILE *out, const struct udamon_record *recs,
			  size_t nr, const struct udamon_heatmap_opts *o)
{
	static const struct udamon_heatmap_opts dflt;
	const struct udamon_record *rec;
	struct udamon_range ar;
	struct heatmap m = { 0 };
	uint64_t t1;
	int err;

	if (!o)
		o = &dflt;
	err = pick_record(recs, nr, o, &rec);
	if (err)
		return err;
	if (o->has_addr_range) {
		ar = o->addr_range;
	} else {
		struct range_list l;

		err = contig_ranges(rec, &l);
		if (err)
			return err;
		if (!l.nr)
			return -ENODATA;
		ar = hottest(rec, &l);
		free(l.r);
	}
	if (ar.end <= ar.start)
		return -EINVAL;
	m.rows = o->time_resol ? o->time_resol : dflt_resol(o, 40);
	m.cols = o->addr_resol ? o->addr_resol : dflt_resol(o, 80);
	time_range(rec, &m.t0, &t1);
	if (o->has_time_range) {
		uint64_t base = o->time_base == UDAMON_TIME_GUIDED ? m.t0 :
			o->time_base == UDAMON_TIME_GUIDED_END ? t1 : 0;

		m.t0 = base + o->time_range[0];
		t1 = base + o->time_range[1];
		if (t1 <= m.t0)
			return -EINVAL;
	}
	m.tunit = (t1 - m.t0) / m.rows;
	m.tunit = m.tunit ? m.tunit : 1;
	m.a0 = ar.start;
	m.aunit = (ar.end - ar.start) / m.cols;
	m.aunit = m.aunit ? m.aunit : 1;
	m.heat = calloc((size_t)m.rows * m.cols, sizeof(*m.heat));
	m.set = calloc((size_t)m.rows * m.cols, sizeof(*m.set));
	if (!m.heat || !m.set) {
		free(m.heat);
		free(m.set);
		return -ENOMEM;
	}
	add_record(&m, rec);
	if (o->output_kind == UDAMON_HEATMAP_RAW)
		pr_raw(out, &m, o);
	else if (o->output_kind == UDAMON_HEATMAP_PICTURE)
		err = heatmap_plot(&m, o);
	else
		pr_map(out, &m, o->color);
	free(m.heat);
	free(m.set);
	if (err)
		return err;
	return ferror(out) ? -EIO : 0;
}
