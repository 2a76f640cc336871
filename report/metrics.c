// SPDX-License-Identifier: MIT
/*
 * `report metrics`: Prometheus text exposition format 0.0.4 (what
 * node_exporter's textfile collector and Prometheus scrapes read). Each
 * family is written once, with HELP and TYPE, followed by its samples for
 * every monitor and target. Labels: monitor (the index, or "file" for a
 * record file), target (the process id, or the record's target id).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "udamon/report.h"

#define NR_BUCKETS	5

static const struct {
	unsigned int lo, hi;
	const char *name;
} buckets[NR_BUCKETS] = {
	{ 0, 0, "0" }, { 1, 24, "1-24" }, { 25, 49, "25-49" },
	{ 50, 74, "50-74" }, { 75, 100, "75-100" },
};

struct family {
	const char *name, *type, *help;
};

static const struct family
	f_monitors = { "udamon_monitors", "gauge",
		"Monitors (or record files) these metrics come from." },
	f_info = { "udamon_monitor_info", "gauge",
		"Always 1; its labels say what the monitor counts." },
	f_wss = { "udamon_working_set_bytes", "gauge",
		"Bytes of the regions with at least one sampled access in the latest snapshot (written bytes under write-only monitoring), as report wss counts them." },
	f_total = { "udamon_monitored_bytes", "gauge",
		"Bytes the target's regions cover in the latest snapshot." },
	f_rate = { "udamon_access_rate_bytes", "gauge",
		"Bytes of the latest snapshot's regions by access rate, in percent of the samples of one aggregation interval (rate label)." },
	f_cpu_share = { "udamon_cpu_write_share", "gauge",
		"Each CPU's share of the counted samples of the latest snapshot (0 to 1), when recorded with CPU attribution." },
	f_cpu_samples = { "udamon_cpu_write_samples", "gauge",
		"Each CPU's counted samples in the latest snapshot, when recorded with CPU attribution." },
	f_lost = { "udamon_lost_events_total", "counter",
		"Fault events the event source lost (its buffers overflowed)." },
	f_sample = { "udamon_sample_interval_seconds", "gauge",
		"The sampling interval in force." },
	f_aggr = { "udamon_aggregation_interval_seconds", "gauge",
		"The aggregation interval in force." },
	f_update = { "udamon_ops_update_interval_seconds", "gauge",
		"The operations update interval in force." },
	f_samples = { "udamon_samples_total", "counter",
		"Samples the monitor has taken." },
	f_snapshots = { "udamon_snapshots_total", "counter",
		"Snapshots the monitor has made (all targets)." },
	f_seen = { "udamon_reports_seen_total", "counter",
		"Access reports the monitor's engine received." },
	f_counted = { "udamon_reports_counted_total", "counter",
		"Access reports that passed the filters and counted." },
	f_aggr_over = { "udamon_aggregation_overruns_total", "counter",
		"Aggregations that took more than 125 % of the aggregation interval." },
	f_sample_over = { "udamon_sample_overruns_total", "counter",
		"Samples whose own work left less than half the sample interval to observe." },
	f_uptime = { "udamon_uptime_seconds", "gauge",
		"Time since the monitor started." },
	f_own_cpu = { "udamon_cpu_seconds_total", "counter",
		"CPU time (user and system) the monitor process has used." };

static void head(FILE *out, const struct family *f)
{
	fprintf(out, "# HELP %s %s\n# TYPE %s %s\n", f->name, f->help,
		f->name, f->type);
}

/* A label value with \, " and newlines escaped. */
static void put_label(FILE *out, const char *v)
{
	for (; *v; v++) {
		if (*v == '\\' || *v == '"')
			fputc('\\', out);
		if (*v == '\n') {
			fputs("\\n", out);
			continue;
		}
		fputc(*v, out);
	}
}

static void mon_label(FILE *out, const struct udamon_metrics_src *s)
{
	if (s->index >= 0)
		fprintf(out, "monitor=\"%d\"", s->index);
	else
		fputs("monitor=\"file\"", out);
}

static void target_labels(FILE *out, const struct udamon_metrics_src *s,
			  const struct udamon_record *rec)
{
	mon_label(out, s);
	fprintf(out, ",target=\"%d\"", rec->pid > 0 ? rec->pid : rec->target_id);
}

static const struct udamon_snapshot *latest(const struct udamon_record *r)
{
	return r->nr_snapshots ? &r->snapshots[r->nr_snapshots - 1] : NULL;
}

static uint64_t wss_of(const struct udamon_snapshot *snap)
{
	uint64_t wss = 0;
	size_t i;

	for (i = 0; i < snap->nr_regions; i++)
		if (snap->regions[i].nr_accesses >= 1)
			wss += snap->regions[i].end - snap->regions[i].start;
	return wss;
}

/* One line per target with a latest snapshot: fn prints the value. */
typedef void (*target_fn)(FILE *out, const struct udamon_metrics_src *s,
			  const struct udamon_record *rec,
			  const struct udamon_snapshot *snap);

static void per_target(FILE *out, const struct family *f,
		       const struct udamon_metrics_src *srcs, size_t nr,
		       target_fn fn)
{
	size_t i, k;

	head(out, f);
	for (i = 0; i < nr; i++)
		for (k = 0; k < srcs[i].nr_recs; k++)
			if (latest(&srcs[i].recs[k]))
				fn(out, &srcs[i], &srcs[i].recs[k],
				   latest(&srcs[i].recs[k]));
}

static void put_wss(FILE *out, const struct udamon_metrics_src *s,
		    const struct udamon_record *rec,
		    const struct udamon_snapshot *snap)
{
	fprintf(out, "%s{", f_wss.name);
	target_labels(out, s, rec);
	fprintf(out, "} %llu\n", (unsigned long long)wss_of(snap));
}

static void put_total(FILE *out, const struct udamon_metrics_src *s,
		      const struct udamon_record *rec,
		      const struct udamon_snapshot *snap)
{
	uint64_t sum = 0;
	size_t i;

	for (i = 0; i < snap->nr_regions; i++)
		sum += snap->regions[i].end - snap->regions[i].start;
	fprintf(out, "%s{", f_total.name);
	target_labels(out, s, rec);
	fprintf(out, "} %llu\n", (unsigned long long)sum);
}

static void put_rates(FILE *out, const struct udamon_metrics_src *s,
		      const struct udamon_record *rec,
		      const struct udamon_snapshot *snap)
{
	uint64_t bytes[NR_BUCKETS] = { 0 };
	size_t i;
	int b;

	for (i = 0; i < snap->nr_regions; i++) {
		unsigned int pct = udamon_record_access_percent(rec, snap,
					snap->regions[i].nr_accesses);

		for (b = 0; b < NR_BUCKETS; b++)
			if (pct >= buckets[b].lo &&
			    (pct <= buckets[b].hi || b == NR_BUCKETS - 1))
				break;
		bytes[b < NR_BUCKETS ? b : NR_BUCKETS - 1] +=
			snap->regions[i].end - snap->regions[i].start;
	}
	for (b = 0; b < NR_BUCKETS; b++) {
		fprintf(out, "%s{", f_rate.name);
		target_labels(out, s, rec);
		fprintf(out, ",rate=\"%s\"} %llu\n", buckets[b].name,
			(unsigned long long)bytes[b]);
	}
}

/* Per-CPU counted samples of a snapshot; sum 0: none recorded. */
static uint64_t cpu_samples(const struct udamon_record *rec,
			    const struct udamon_snapshot *snap, uint64_t *per)
{
	uint64_t sum = 0;
	size_t i;
	unsigned int c;

	memset(per, 0, rec->nr_cpus * sizeof(*per));
	for (i = 0; i < snap->nr_regions; i++) {
		if (!snap->regions[i].cpu_samples)
			continue;
		for (c = 0; c < rec->nr_cpus; c++) {
			per[c] += snap->regions[i].cpu_samples[c];
			sum += snap->regions[i].cpu_samples[c];
		}
	}
	return sum;
}

static void put_cpus(FILE *out, const struct family *f,
		     const struct udamon_metrics_src *s,
		     const struct udamon_record *rec,
		     const struct udamon_snapshot *snap)
{
	uint64_t *per, sum;
	unsigned int c;

	if (!rec->nr_cpus)
		return;
	per = calloc(rec->nr_cpus, sizeof(*per));
	if (!per)
		return;
	sum = cpu_samples(rec, snap, per);
	for (c = 0; c < rec->nr_cpus; c++) {
		if (!per[c])
			continue;
		fprintf(out, "%s{", f->name);
		target_labels(out, s, rec);
		if (f == &f_cpu_share)
			fprintf(out, ",cpu=\"%u\"} %.6f\n", c,
				(double)per[c] / (double)sum);
		else
			fprintf(out, ",cpu=\"%u\"} %llu\n", c,
				(unsigned long long)per[c]);
	}
	free(per);
}

static void put_cpu_share(FILE *out, const struct udamon_metrics_src *s,
			  const struct udamon_record *rec,
			  const struct udamon_snapshot *snap)
{
	put_cpus(out, &f_cpu_share, s, rec, snap);
}

static void put_cpu_samples(FILE *out, const struct udamon_metrics_src *s,
			    const struct udamon_record *rec,
			    const struct udamon_snapshot *snap)
{
	put_cpus(out, &f_cpu_samples, s, rec, snap);
}

static const struct udamon_record *first_rec(const struct udamon_metrics_src *s)
{
	return s->nr_recs ? &s->recs[0] : NULL;
}

static void put_info(FILE *out, const struct udamon_metrics_src *srcs,
		     size_t nr)
{
	const struct udamon_record *r;
	const char *desc;
	size_t i;

	head(out, &f_info);
	for (i = 0; i < nr; i++) {
		r = first_rec(&srcs[i]);
		desc = srcs[i].filters_desc ? srcs[i].filters_desc :
			r && r->filters_desc ? r->filters_desc : "";
		fprintf(out, "%s{", f_info.name);
		mon_label(out, &srcs[i]);
		fputs(",filters=\"", out);
		put_label(out, desc);
		fputs("\",fault_source=\"", out);
		put_label(out, r && r->fault_source ? r->fault_source : "");
		fputs("\"} 1\n", out);
	}
}

/* A value per monitor; has: whether the source has it. */
static void per_monitor(FILE *out, const struct family *f,
			const struct udamon_metrics_src *srcs, size_t nr,
			double (*val)(const struct udamon_metrics_src *s),
			bool (*has)(const struct udamon_metrics_src *s))
{
	size_t i;
	bool any = false;

	for (i = 0; i < nr; i++)
		any |= !has || has(&srcs[i]);
	if (!any)
		return;
	head(out, f);
	for (i = 0; i < nr; i++) {
		if (has && !has(&srcs[i]))
			continue;
		fprintf(out, "%s{", f->name);
		mon_label(out, &srcs[i]);
		fprintf(out, "} %.9g\n", val(&srcs[i]));
	}
}

static uint64_t rec_or(uint64_t v, const struct udamon_metrics_src *s,
		       int which)
{
	const struct udamon_record *r = first_rec(s);

	if (v || !r)
		return v;
	return which == 0 ? r->sample_us : which == 1 ? r->aggr_us :
		r->ops_update_us;
}

static double v_sample(const struct udamon_metrics_src *s)
{
	return (double)rec_or(s->sample_us, s, 0) / 1e6;
}

static double v_aggr(const struct udamon_metrics_src *s)
{
	return (double)rec_or(s->aggr_us, s, 1) / 1e6;
}

static double v_update(const struct udamon_metrics_src *s)
{
	return (double)rec_or(s->ops_update_us, s, 2) / 1e6;
}

static double v_lost(const struct udamon_metrics_src *s)
{
	uint64_t lost = s->lost_events;
	size_t i;

	if (!s->has_status)
		for (i = 0; i < s->nr_recs; i++)
			lost += s->recs[i].lost_events;
	return (double)lost;
}

static double v_samples(const struct udamon_metrics_src *s)
{
	return (double)s->samples;
}

static double v_snapshots(const struct udamon_metrics_src *s)
{
	return (double)s->snapshots;
}

static double v_seen(const struct udamon_metrics_src *s)
{
	return (double)s->reports_seen;
}

static double v_counted(const struct udamon_metrics_src *s)
{
	return (double)s->reports_counted;
}

static double v_aggr_over(const struct udamon_metrics_src *s)
{
	return (double)s->aggr_overruns;
}

static double v_sample_over(const struct udamon_metrics_src *s)
{
	return (double)s->sample_overruns;
}

static double v_uptime(const struct udamon_metrics_src *s)
{
	return s->uptime_s;
}

static double v_own_cpu(const struct udamon_metrics_src *s)
{
	return s->cpu_s;
}

static bool has_status(const struct udamon_metrics_src *s)
{
	return s->has_status;
}

static bool has_cpu(const struct udamon_metrics_src *s)
{
	return s->has_status && s->cpu_s >= 0;
}

int udamon_report_metrics(FILE *out, const struct udamon_metrics_src *srcs,
			  size_t nr)
{
	head(out, &f_monitors);
	fprintf(out, "%s %zu\n", f_monitors.name, nr);
	if (nr) {
		put_info(out, srcs, nr);
		per_target(out, &f_wss, srcs, nr, put_wss);
		per_target(out, &f_total, srcs, nr, put_total);
		per_target(out, &f_rate, srcs, nr, put_rates);
		per_target(out, &f_cpu_share, srcs, nr, put_cpu_share);
		per_target(out, &f_cpu_samples, srcs, nr, put_cpu_samples);
		per_monitor(out, &f_lost, srcs, nr, v_lost, NULL);
		per_monitor(out, &f_sample, srcs, nr, v_sample, NULL);
		per_monitor(out, &f_aggr, srcs, nr, v_aggr, NULL);
		per_monitor(out, &f_update, srcs, nr, v_update, NULL);
		per_monitor(out, &f_samples, srcs, nr, v_samples, has_status);
		per_monitor(out, &f_snapshots, srcs, nr, v_snapshots,
			    has_status);
		per_monitor(out, &f_seen, srcs, nr, v_seen, has_status);
		per_monitor(out, &f_counted, srcs, nr, v_counted, has_status);
		per_monitor(out, &f_aggr_over, srcs, nr, v_aggr_over,
			    has_status);
		per_monitor(out, &f_sample_over, srcs, nr, v_sample_over,
			    has_status);
		per_monitor(out, &f_uptime, srcs, nr, v_uptime, has_status);
		per_monitor(out, &f_own_cpu, srcs, nr, v_own_cpu, has_cpu);
	}
	return ferror(out) ? -EIO : 0;
}
