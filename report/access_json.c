// SPDX-License-Identifier: MIT
/*
 * `report access --json`: the filtered records as damo prints them
 * (Python's json.dumps with indent 4, damo's text for each value: times,
 * sizes and counts as text unless --raw_number; region values always as
 * text, as damo).
 */
#include <errno.h>
#include <string.h>

#include "report/access_int.h"
#include "report/report_fmt.h"
#include "udamon/textfmt.h"

#define BUF	64

static void ind(FILE *out, int level)
{
	fprintf(out, "%*s", level * 4, "");
}

static void pr_region(FILE *out, const struct udamon_record *rec,
		      const struct udamon_snapshot *snap,
		      const struct udamon_snapshot_region *r, bool last)
{
	uint64_t sample_us, aggr_us;
	char a[BUF], b[BUF];

	udamon_record_snapshot_intervals(rec, snap, &sample_us, &aggr_us);
	ind(out, 5); fprintf(out, "{\n");
	ind(out, 6); fprintf(out, "\"start\": \"%s\",\n",
			     udamon_fmt_addr(r->start, a, BUF));
	ind(out, 6); fprintf(out, "\"end\": \"%s\",\n",
			     udamon_fmt_addr(r->end, a, BUF));
	ind(out, 6); fprintf(out, "\"nr_accesses\": {\n");
	ind(out, 7); fprintf(out, "\"samples\": %u,\n", r->nr_accesses);
	ind(out, 7); fprintf(out, "\"percent\": %u\n",
		udamon_record_access_percent(rec, snap, r->nr_accesses));
	ind(out, 6); fprintf(out, "},\n");
	ind(out, 6); fprintf(out, "\"age\": {\n");
	ind(out, 7); fprintf(out, "\"usec\": \"%s\",\n",
		rfmt_time_exact((uint64_t)r->age * aggr_us * 1000, false, a,
				BUF));
	ind(out, 7); fprintf(out, "\"aggr_intervals\": \"%s\"\n",
			     rfmt_nr(r->age, false, b, BUF));
	ind(out, 6); fprintf(out, "},\n");
	ind(out, 6); fprintf(out, "\"probe_hits\": [],\n");
	ind(out, 6); fprintf(out, "\"sz_filter_passed\": \"0 B\"\n");
	ind(out, 5); fprintf(out, "}%s\n", last ? "" : ",");
}

static void pr_snapshot(FILE *out, const struct udamon_record *rec,
			const struct udamon_snapshot *snap, bool raw,
			bool last)
{
	uint64_t sample_us, aggr_us;
	char a[BUF];
	size_t i;

	udamon_record_snapshot_intervals(rec, snap, &sample_us, &aggr_us);
	ind(out, 3); fprintf(out, "{\n");
	ind(out, 4); fprintf(out, "\"start_time\": \"%s\",\n",
		rfmt_time_exact(snap->start_time_ns, raw, a, BUF));
	ind(out, 4); fprintf(out, "\"end_time\": \"%s\",\n",
		rfmt_time_exact(snap->end_time_ns, raw, a, BUF));
	ind(out, 4); fprintf(out, "\"regions\": [%s", snap->nr_regions ? "\n" : "");
	for (i = 0; i < snap->nr_regions; i++)
		pr_region(out, rec, snap, &snap->regions[i],
			  i + 1 == snap->nr_regions);
	if (snap->nr_regions)
		ind(out, 4);
	fprintf(out, "],\n");
	ind(out, 4); fprintf(out, "\"total_bytes\": \"%s\",\n",
		rfmt_sz((double)snap->total_bytes, raw, a, BUF));
	ind(out, 4); fprintf(out, "\"damos_stats\": null,\n");
	/* damo's raw form of this one is in ns, as damo */
	ind(out, 4); fprintf(out, "\"sample_interval_us\": \"%s\"\n",
		raw ? rfmt_time_exact(sample_us * 1000, true, a, BUF) :
		rfmt_time_exact(sample_us * 1000, false, a, BUF));
	ind(out, 3); fprintf(out, "}%s\n", last ? "" : ",");
}

static void pr_intervals(FILE *out, const struct udamon_record *rec, bool raw)
{
	struct udamon_intervals_goal g = { 0 };
	char a[BUF];

	if (rec->has_goal)
		g = rec->goal;
	ind(out, 2); fprintf(out, "\"intervals\": {\n");
	ind(out, 3); fprintf(out, "\"sample_us\": \"%s\",\n",
		rfmt_time_us((double)rec->sample_us, raw, a, BUF));
	ind(out, 3); fprintf(out, "\"aggr_us\": \"%s\",\n",
		rfmt_time_us((double)rec->aggr_us, raw, a, BUF));
	ind(out, 3); fprintf(out, "\"ops_update_us\": \"%s\",\n",
		rfmt_time_us((double)rec->ops_update_us, raw, a, BUF));
	ind(out, 3); fprintf(out, "\"intervals_goal\": {\n");
	ind(out, 4); fprintf(out, "\"access_bp\": \"%s\",\n",
		rfmt_bp((double)g.access_bp, raw, a, BUF));
	ind(out, 4); fprintf(out, "\"aggrs\": \"%s\",\n",
		rfmt_nr((double)g.aggrs, raw, a, BUF));
	ind(out, 4); fprintf(out, "\"min_sample_us\": \"%s\",\n",
		rfmt_time_us((double)g.min_sample_us, raw, a, BUF));
	ind(out, 4); fprintf(out, "\"max_sample_us\": \"%s\"\n",
		rfmt_time_us((double)g.max_sample_us, raw, a, BUF));
	ind(out, 3); fprintf(out, "}\n");
	ind(out, 2); fprintf(out, "},\n");
}

int access_json(FILE *out, const struct udamon_record *recs, size_t nr,
		const struct udamon_access_opts *o)
{
	size_t i, s;

	fprintf(out, "[%s", nr ? "\n" : "");
	for (i = 0; i < nr; i++) {
		const struct udamon_record *rec = &recs[i];

		ind(out, 1); fprintf(out, "{\n");
		ind(out, 2); fprintf(out, "\"kdamond_idx\": %d,\n", rec->kdamond_idx);
		ind(out, 2); fprintf(out, "\"context_idx\": %d,\n", rec->context_idx);
		pr_intervals(out, rec, o->raw_number);
		ind(out, 2); fprintf(out, "\"scheme_idx\": null,\n");
		ind(out, 2); fprintf(out, "\"target_id\": %d,\n", rec->target_id);
		ind(out, 2); fprintf(out, "\"scheme_filters\": [],\n");
		ind(out, 2); fprintf(out, "\"snapshots\": [%s",
				     rec->nr_snapshots ? "\n" : "");
		for (s = 0; s < rec->nr_snapshots; s++)
			pr_snapshot(out, rec, &rec->snapshots[s], o->raw_number,
				    s + 1 == rec->nr_snapshots);
		if (rec->nr_snapshots)
			ind(out, 2);
		fprintf(out, "],\n");
		ind(out, 2); fprintf(out, "\"data_source\": \"unknown\"\n");
		ind(out, 1); fprintf(out, "}%s\n", i + 1 < nr ? "," : "");
	}
	fprintf(out, "]\n");
	return 0;
}
