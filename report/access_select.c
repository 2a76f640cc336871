// SPDX-License-Identifier: MIT
/*
 * The records `report access` shows: copies of the input with damo's
 * filters applied in damo's order. Regions out of the access pattern
 * (size, access rate, age) are dropped, keeping the snapshot's total size;
 * regions are then cut to the --address ranges, and the total becomes
 * theirs; last, only the snapshots of the --snapshot_idx ranges stay.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "udamon/report.h"
#include "report/access_int.h"

static bool in_minmax(const struct udamon_minmax *m, uint64_t v)
{
	return v >= m->min && v <= m->max;
}

static bool of_pattern(const struct udamon_record *rec,
		       const struct udamon_snapshot *snap,
		       const struct udamon_snapshot_region *r,
		       const struct udamon_access_opts *o)
{
	uint64_t sample_us, aggr_us;

	udamon_record_snapshot_intervals(rec, snap, &sample_us, &aggr_us);
	if (o->has_sz && !in_minmax(&o->sz, r->end - r->start))
		return false;
	if (o->has_rate && !in_minmax(&o->rate,
			udamon_record_access_percent(rec, snap, r->nr_accesses)))
		return false;
	if (o->has_age && !in_minmax(&o->age_us, (uint64_t)r->age * aggr_us))
		return false;
	return true;
}

static bool snapshot_wanted(size_t idx, const struct udamon_access_opts *o)
{
	size_t i;

	if (!o->nr_snap_ranges)
		return true;
	for (i = 0; i < o->nr_snap_ranges; i++)
		if (o->snap_ranges[i][0] <= (long)idx &&
		    (long)idx <= o->snap_ranges[i][1])
			return true;
	return false;
}

/* Append r, or its parts in the address ranges, to out. */
static size_t put_region(struct udamon_snapshot_region *out, size_t n,
			 const struct udamon_snapshot_region *r,
			 const struct udamon_access_opts *o)
{
	size_t i;

	if (!o->nr_addr_ranges) {
		out[n++] = *r;
		return n;
	}
	for (i = 0; i < o->nr_addr_ranges; i++) {
		const struct udamon_range *a = &o->addr_ranges[i];

		if (r->end <= a->start || a->end <= r->start)
			continue;
		out[n] = *r;
		out[n].start = r->start > a->start ? r->start : a->start;
		out[n].end = r->end < a->end ? r->end : a->end;
		n++;
	}
	return n;
}

static int select_snapshot(struct udamon_record *dst,
			   const struct udamon_record *rec,
			   const struct udamon_snapshot *snap,
			   const struct udamon_access_opts *o)
{
	struct udamon_snapshot s = *snap;
	size_t i, n = 0, cap = snap->nr_regions * (o->nr_addr_ranges + 1);
	int err;

	s.regions = calloc(cap ? cap : 1, sizeof(*s.regions));
	if (!s.regions)
		return -ENOMEM;
	for (i = 0; i < snap->nr_regions; i++)
		if (of_pattern(rec, snap, &snap->regions[i], o))
			n = put_region(s.regions, n, &snap->regions[i], o);
	s.nr_regions = n;
	if (o->nr_addr_ranges) {
		s.total_bytes = 0;
		for (i = 0; i < n; i++)
			s.total_bytes += s.regions[i].end - s.regions[i].start;
	}
	err = udamon_record_add_snapshot(dst, &s);
	free(s.regions);
	return err;
}

int access_select(const struct udamon_record *recs, size_t nr,
		  const struct udamon_access_opts *o,
		  struct udamon_record **out)
{
	struct udamon_record *sel = calloc(nr ? nr : 1, sizeof(*sel));
	size_t i, s;
	int err = 0;

	if (!sel)
		return -ENOMEM;
	for (i = 0; i < nr && !err; i++) {
		sel[i] = recs[i];
		sel[i].snapshots = NULL;
		sel[i].nr_snapshots = sel[i].cap_snapshots = 0;
		sel[i].filters_desc = NULL;	/* the strings stay recs[i]'s */
		sel[i].fault_source = NULL;
		for (s = 0; s < recs[i].nr_snapshots && !err; s++)
			if (o->last_only ? s + 1 == recs[i].nr_snapshots :
			    snapshot_wanted(s, o))
				err = select_snapshot(&sel[i], &recs[i],
						      &recs[i].snapshots[s], o);
	}
	if (err) {
		udamon_records_free(sel, nr);
		return err;
	}
	*out = sel;
	return 0;
}
