// SPDX-License-Identifier: MIT
/*
 * damo's default ("detailed") `report access` layout:
 *
 *   [record head, with several records]
 *   snapshot time: [<start>, <end>] (<duration>)    (several snapshots)
 *   heatmap: <heat bar>
 *   # min/max temperatures: <min>, <max>, column size: <size>
 *   intervals: sample <s> aggr <a> (max access hz <hz>)
 *   <index> addr <start> size <size> access <hz> age <age>
 *   memory bw estimate: <bytes> per second
 *   total size: <total>
 *   record DAMON intervals: sample <s>, aggr <a>
 *
 * Times are relative to the first snapshot shown. Fields are padded to
 * damo's minimum widths (index 3, address 12, size 11, hz 6, age 13).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "report/access_int.h"
#include "report/report_fmt.h"

#define BUF		64
#define HEATBAR_WIDTH	80

static double aggr_us_of(const struct udamon_record *rec,
			 const struct udamon_snapshot *snap)
{
	uint64_t sample_us, aggr_us;

	udamon_record_snapshot_intervals(rec, snap, &sample_us, &aggr_us);
	return (double)aggr_us;
}

static double hz_of(const struct udamon_record *rec,
		    const struct udamon_snapshot *snap, unsigned int samples)
{
	return samples / (aggr_us_of(rec, snap) / 1000000);
}

static void pr_snapshot_head(FILE *out, const struct udamon_record *rec,
			     const struct udamon_snapshot *snap,
			     const struct udamon_access_opts *o,
			     bool show_time)
{
	double base = (double)rec->snapshots[0].start_time_ns;
	double ratio = (double)rec->aggr_us / (double)rec->sample_us;
	double aggr = aggr_us_of(rec, snap);
	bool raw = o->raw_number;
	char a[BUF], b[BUF], c[BUF];

	if (show_time)
		fprintf(out, "snapshot time: [%s, %s] (%s)\n",
			rfmt_time((double)snap->start_time_ns - base, raw, a, BUF),
			rfmt_time((double)snap->end_time_ns - base, raw, b, BUF),
			rfmt_time((double)snap->end_time_ns -
				  (double)snap->start_time_ns, raw, c, BUF));
	fprintf(out, "heatmap: ");
	access_heatbar(out, rec, snap, HEATBAR_WIDTH, raw, o->color);
	fprintf(out, "intervals: sample %s aggr %s (max access hz %s)\n",
		rfmt_time_us(aggr / ratio, raw, a, BUF),
		rfmt_time_us(aggr, raw, b, BUF),
		rfmt_hz(ratio / (aggr / 1000000), raw, false, c, BUF));
}

static void pr_region(FILE *out, size_t idx, const struct udamon_record *rec,
		      const struct udamon_snapshot *snap,
		      const struct udamon_snapshot_region *r, bool raw)
{
	char i[BUF], s[BUF], z[BUF], h[BUF], a[BUF];

	fprintf(out, "%-3s addr %-12s size %-11s access %-6s age %-13s\n",
		rfmt_nr((double)idx, raw, i, BUF),
		rfmt_sz((double)r->start, raw, s, BUF),
		rfmt_sz((double)(r->end - r->start), raw, z, BUF),
		rfmt_hz(hz_of(rec, snap, r->nr_accesses), raw, true, h, BUF),
		rfmt_time_us((double)r->age * aggr_us_of(rec, snap), raw, a,
			     BUF));
}

static void pr_snapshot_tail(FILE *out, const struct udamon_record *rec,
			     const struct udamon_snapshot *snap, bool raw)
{
	double bytes = 0;
	char a[BUF];
	size_t i;

	for (i = 0; i < snap->nr_regions; i++)
		bytes += (double)(snap->regions[i].end - snap->regions[i].start) *
			snap->regions[i].nr_accesses;
	fprintf(out, "memory bw estimate: %s per second\n",
		rfmt_sz(bytes / (aggr_us_of(rec, snap) / 1000000), raw, a, BUF));
}

/* Python's sorted(): stable, also when reversed. */
struct sort_ctx {
	const struct udamon_record *rec;
	const struct udamon_snapshot *snap;
	enum udamon_sort_key key;
	bool dsc;
};

static double sort_value(const struct sort_ctx *c,
			 const struct udamon_snapshot_region *r)
{
	switch (c->key) {
	case UDAMON_SORT_ADDRESS:
		return (double)r->start;
	case UDAMON_SORT_ACCESS_RATE:
		return udamon_record_access_percent(c->rec, c->snap,
						    r->nr_accesses);
	case UDAMON_SORT_AGE:
		return (double)r->age * aggr_us_of(c->rec, c->snap);
	case UDAMON_SORT_SIZE:
		return (double)(r->end - r->start);
	default:
		return access_temperature(c->rec, c->snap, r);
	}
}

static void sort_pass(const struct sort_ctx *c,
		      const struct udamon_snapshot_region **v, size_t n)
{
	size_t i, j;

	/* insertion sort: stable, and region counts are small */
	for (i = 1; i < n; i++) {
		const struct udamon_snapshot_region *x = v[i];
		double kx = sort_value(c, x);

		for (j = i; j > 0; j--) {
			double kp = sort_value(c, v[j - 1]);

			if (c->dsc ? !(kp < kx) : !(kp > kx))
				break;
			v[j] = v[j - 1];
		}
		v[j] = x;
	}
}

static int pr_regions(FILE *out, const struct udamon_record *rec,
		      const struct udamon_snapshot *snap,
		      const struct udamon_access_opts *o)
{
	const struct udamon_snapshot_region **v;
	struct sort_ctx c = { rec, snap, UDAMON_SORT_ADDRESS, false };
	size_t i;

	v = malloc((snap->nr_regions ? snap->nr_regions : 1) * sizeof(*v));
	if (!v)
		return -ENOMEM;
	for (i = 0; i < snap->nr_regions; i++)
		v[i] = &snap->regions[i];
	for (i = 0; i < o->nr_sort_keys; i++) {
		c.key = o->sort_keys[i];
		c.dsc = o->sort_dsc & (1u << c.key);
		sort_pass(&c, v, snap->nr_regions);
	}
	for (i = 0; i < snap->nr_regions; i++)
		pr_region(out, i, rec, snap, v[i], o->raw_number);
	free(v);
	return 0;
}

static void pr_record_head(FILE *out, const struct udamon_record *rec,
			   bool raw)
{
	const struct udamon_snapshot *first = &rec->snapshots[0];
	const struct udamon_snapshot *last =
		&rec->snapshots[rec->nr_snapshots - 1];
	char dur[BUF], start[BUF];

	fprintf(out, "kdamond %d / context %d / scheme None / target id %d / "
		"recorded for %s from %s\n", rec->kdamond_idx,
		rec->context_idx, rec->target_id,
		rfmt_time((double)last->end_time_ns -
			  (double)first->start_time_ns, raw, dur, BUF),
		rfmt_time((double)first->start_time_ns, raw, start, BUF));
}

static void pr_goal(FILE *out, const struct udamon_intervals_goal *g,
		    bool raw)
{
	char a[BUF], b[BUF], c[BUF], d[BUF];

	fprintf(out, "# target %s accesses per %s aggrs, [%s, %s] sampling interval\n",
		rfmt_bp((double)g->access_bp, raw, a, BUF),
		rfmt_nr((double)g->aggrs, raw, b, BUF),
		rfmt_time_us((double)g->min_sample_us, raw, c, BUF),
		rfmt_time_us((double)g->max_sample_us, raw, d, BUF));
}

static int pr_record(FILE *out, const struct udamon_record *rec,
		     const struct udamon_access_opts *o, bool show_time)
{
	char a[BUF], b[BUF];
	size_t s;
	int err;

	for (s = 0; s < rec->nr_snapshots; s++) {
		const struct udamon_snapshot *snap = &rec->snapshots[s];

		if (!o->total_sz_only) {
			pr_snapshot_head(out, rec, snap, o, show_time);
			err = pr_regions(out, rec, snap, o);
			if (err)
				return err;
			pr_snapshot_tail(out, rec, snap, o->raw_number);
			fprintf(out, "total size: ");
		}
		fprintf(out, "%s\n", rfmt_sz((double)snap->total_bytes,
					     o->raw_number, a, BUF));
		if (s + 1 < rec->nr_snapshots && !o->total_sz_only)
			fputc('\n', out);
	}
	fprintf(out, "record DAMON intervals: sample %s, aggr %s\n",
		rfmt_time_us((double)rec->sample_us, o->raw_number, a, BUF),
		rfmt_time_us((double)rec->aggr_us, o->raw_number, b, BUF));
	if (rec->has_goal && rec->goal.aggrs)
		pr_goal(out, &rec->goal, o->raw_number);
	return 0;
}

int access_detailed(FILE *out, const struct udamon_record *recs, size_t nr,
		    const struct udamon_access_opts *o)
{
	bool show_time = false;
	size_t i;
	int err;

	for (i = 0; i < nr; i++)
		if (recs[i].nr_snapshots > 1)
			show_time = true;
	for (i = 0; i < nr; i++) {
		if (nr > 1 && recs[i].nr_snapshots)
			pr_record_head(out, &recs[i], o->raw_number);
		err = pr_record(out, &recs[i], o, show_time);
		if (err)
			return err;
	}
	return 0;
}
