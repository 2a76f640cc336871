// SPDX-License-Identifier: MIT
/*
 * `report access`: damo's detailed layout (access_detail.c) or JSON
 * (access_json.c) of the filtered records (access_select.c), or udamon's
 * compact layout of one snapshot:
 *
 *   monitored time: [<start>, <end>] (<duration>)
 *   <index> addr [<start>, <end>) (<size>) access <rate> age <age>
 *   total size: <total>
 *
 * and, with several records, damo's record head line before each.
 */
#include <errno.h>
#include <stdio.h>

#include "udamon/report.h"
#include "udamon/textfmt.h"
#include "report/report_fmt.h"
#include "report/access_int.h"
#include <stdlib.h>

#define BUF	64

/* damo's minimum widths: index 3, start 12, end 11, size 11, rate 5 */
static void pr_region(FILE *out, size_t idx, const struct udamon_record *rec,
		      const struct udamon_snapshot *snap,
		      const struct udamon_snapshot_region *r)
{
	char sidx[BUF], start[BUF], end[BUF], size[BUF], rate[BUF], age[BUF];
	uint64_t sample_us, aggr_us;

	udamon_record_snapshot_intervals(rec, snap, &sample_us, &aggr_us);
	udamon_fmt_addr(idx, sidx, BUF);
	udamon_fmt_size(r->start, start, BUF);
	udamon_fmt_size(r->end, end, BUF);
	udamon_fmt_size(r->end - r->start, size, BUF);
	snprintf(rate, BUF, "%u %%",
		 udamon_record_access_percent(rec, snap, r->nr_accesses));
	udamon_fmt_time_us((uint64_t)r->age * aggr_us, age, BUF);
	fprintf(out, "%-3s addr [%-12s, %-11s) (%-11s) access %-5s age %s",
		sidx, start, end, size, rate, age);
}

/* udamon: the share of the counted samples that each CPU made. */
static void pr_cpus(FILE *out, const struct udamon_record *rec,
		    const struct udamon_snapshot_region *r)
{
	uint64_t sum = 0;
	unsigned int c;

	if (r->cpu_samples)
		for (c = 0; c < rec->nr_cpus; c++)
			sum += r->cpu_samples[c];
	if (!sum) {
		fprintf(out, " cpus -");
		return;
	}
	fprintf(out, " cpus");
	for (c = 0; c < rec->nr_cpus; c++) {
		if (!r->cpu_samples[c])
			continue;
		/* rounded to the nearest percent */
		fprintf(out, " %u:%llu%%", c, (unsigned long long)
			((r->cpu_samples[c] * 200ULL + sum) / (2 * sum)));
	}
}

static void pr_snapshot(FILE *out, const struct udamon_record *rec,
			const struct udamon_snapshot *snap,
			const struct udamon_access_opts *o)
{
	uint64_t base = rec->snapshots[0].start_time_ns;
	char t1[BUF], t2[BUF], t3[BUF];
	size_t i;

	fprintf(out, "monitored time: [%s, %s] (%s)\n",
		rfmt_time_ns((double)snap->start_time_ns - (double)base, t1, BUF),
		rfmt_time_ns((double)snap->end_time_ns - (double)base, t2, BUF),
		rfmt_time_ns((double)(snap->end_time_ns - snap->start_time_ns),
			     t3, BUF));
	for (i = 0; i < snap->nr_regions; i++) {
		pr_region(out, i, rec, snap, &snap->regions[i]);
		if (o->show_cpus && rec->nr_cpus)
			pr_cpus(out, rec, &snap->regions[i]);
		fputc('\n', out);
	}
	fprintf(out, "total size: %s\n",
		udamon_fmt_size(snap->total_bytes, t1, BUF));
	if (o->show_cpus && !rec->nr_cpus)
		fprintf(out, "# cpus: this record has no per-CPU samples\n");
}

static void pr_record_head(FILE *out, const struct udamon_record *rec)
{
	const struct udamon_snapshot *first = &rec->snapshots[0];
	const struct udamon_snapshot *last = &rec->snapshots[rec->nr_snapshots - 1];
	char dur[BUF], start[BUF];

	fprintf(out, "kdamond %d / context %d / scheme None / target id %d / "
		"recorded for %s from %s\n", rec->kdamond_idx,
		rec->context_idx, rec->target_id,
		rfmt_time_ns((double)last->end_time_ns -
			     (double)first->start_time_ns, dur, BUF),
		rfmt_time_ns((double)first->start_time_ns, start, BUF));
}

/* The snapshot index to show of rec, or -1 when out of range. */
static long pick(const struct udamon_record *rec,
		 const struct udamon_access_opts *o)
{
	long n = (long)rec->nr_snapshots;
	long idx = o->snapshot_idx < 0 ? n + o->snapshot_idx : o->snapshot_idx;

	return idx >= 0 && idx < n ? idx : -1;
}

static int report_compact(FILE *out, const struct udamon_record *recs,
			  size_t nr, const struct udamon_access_opts *o)
{
	size_t i, s;

	/* check every record first: print all or nothing */
	for (i = 0; i < nr && !o->all_snapshots; i++)
		if (recs[i].nr_snapshots && pick(&recs[i], o) < 0)
			return -ERANGE;
	for (i = 0; i < nr; i++) {
		const struct udamon_record *rec = &recs[i];

		if (!rec->nr_snapshots) {
			fprintf(out, "target id %d: no snapshot\n",
				rec->target_id);
			continue;
		}
		if (nr > 1)
			pr_record_head(out, rec);
		if (!o->all_snapshots) {
			pr_snapshot(out, rec, &rec->snapshots[pick(rec, o)], o);
			continue;
		}
		for (s = 0; s < rec->nr_snapshots; s++) {
			if (s)
				fputc('\n', out);
			pr_snapshot(out, rec, &rec->snapshots[s], o);
		}
	}
	return ferror(out) ? -EIO : 0;
}

int udamon_report_access(FILE *out, const struct udamon_record *recs,
			 size_t nr, const struct udamon_access_opts *o)
{
	static const struct udamon_access_opts dflt;
	struct udamon_record *sel;
	int err;

	if (!o)
		o = &dflt;
	if (o->compact)
		return report_compact(out, recs, nr, o);
	err = access_select(recs, nr, o, &sel);
	if (err)
		return err;
	err = o->json ? access_json(out, sel, nr, o) :
		access_detailed(out, sel, nr, o);
	udamon_records_free(sel, nr);
	if (err)
		return err;
	return ferror(out) ? -EIO : 0;
}
