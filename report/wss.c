// SPDX-License-Identifier: MIT
/*
 * `report wss`: the distribution of working set sizes over snapshots, in
 * damo's text:
 *
 *   # target_id	0
 *   # <percentile> <wss>
 *   # avr:	1.500 MiB
 *     0       1.000 MiB |*****     |
 *    50       2.000 MiB |**********|
 *
 * A snapshot's working set is the total size of its regions that were
 * accessed enough (samples >= acc_thres, percent >= min_pct) and are not
 * too small (size >= sz_thres). Sizes are sorted before taking percentiles
 * (unless sorted by time); with targets summed (the default, as damo) each
 * target's list is added index by index. With a unit of work, snapshots
 * are first merged as damo merges them (wss_merge.c).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "udamon/report.h"
#include "udamon/textfmt.h"
#include "report/report_fmt.h"
#include "report/wss_int.h"

#define BUF		64

static const unsigned int default_pcts[] = { 0, 25, 50, 75, 100 };

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

static uint64_t snapshot_wss(const struct udamon_record *rec,
			     const struct udamon_snapshot *snap,
			     const struct udamon_wss_opts *o)
{
	uint64_t wss = 0;
	size_t i;

	for (i = 0; i < snap->nr_regions; i++) {
		const struct udamon_snapshot_region *r = &snap->regions[i];
		uint64_t sz = r->end - r->start;

		if (r->nr_accesses < o->acc_thres || sz < o->sz_thres)
			continue;
		if (udamon_record_access_percent(rec, snap, r->nr_accesses) <
		    o->min_pct)
			continue;
		wss += sz;
	}
	return wss;
}

/* Working set sizes of one record, in time order or sorted; *n may be 0. */
static int record_dist(const struct udamon_record *rec,
		       const struct udamon_wss_opts *o, uint64_t **dist,
		       size_t *n)
{
	size_t skip = o->exclude_snapshots, i;
	int err;

	*dist = NULL;
	*n = 0;
	if (o->work_time_us > 1) {
		err = wss_merged(rec, o, dist, n);
		if (err)
			return err;
	} else if (rec->nr_snapshots > skip) {
		*n = rec->nr_snapshots - skip;
		*dist = malloc(*n * sizeof(**dist));
		if (!*dist)
			return -ENOMEM;
		for (i = 0; i < *n; i++)
			(*dist)[i] = snapshot_wss(rec, &rec->snapshots[skip + i],
						  o);
	}
	if (*n && !o->sort_by_time)
		qsort(*dist, *n, sizeof(**dist), cmp_u64);
	return 0;
}

/* damo's index: int(p / 100 * n), the last one for p = 100. */
uint64_t wss_percentile(const uint64_t *dist, size_t n, unsigned int p)
{
	size_t idx = (size_t)((double)p / 100.0 * (double)n);

	return dist[idx < n ? idx : n - 1];
}

static void pr_bar(FILE *out, uint64_t v, double per_col, unsigned int w)
{
	unsigned int cols = (unsigned int)((double)v / per_col), k;

	cols = cols > w ? w : cols;
	fputs(" |", out);
	for (k = 0; k < w; k++)
		fputc(k < cols ? '*' : ' ', out);
	fputc('|', out);
}

static void pr_dist(FILE *out, int target_id, const uint64_t *dist,
		    size_t n, const unsigned int *pcts, size_t nr_pcts,
		    const struct udamon_wss_opts *o)
{
	double sum = 0, per_col = 1;
	uint64_t max = 0, v;
	char buf[BUF];
	size_t i;

	fprintf(out, "# target_id\t%d\n# <percentile> <wss>\n", target_id);
	if (!n) {
		fprintf(out, "# no snapshot\n");
		return;
	}
	for (i = 0; i < n; i++)
		sum += (double)dist[i];
	fprintf(out, "# avr:\t%s\n",
		rfmt_sz(sum / (double)n, o->raw_number, buf, BUF));
	if (o->all_wss) {
		for (i = 0; i < n; i++)
			fprintf(out, "%zu %s\n", i, rfmt_sz((double)dist[i],
					o->raw_number, buf, BUF));
		return;
	}
	for (i = 0; i < nr_pcts; i++)
		if (wss_percentile(dist, n, pcts[i]) >= max)
			max = wss_percentile(dist, n, pcts[i]);
	if (max)
		per_col = (double)max / o->nr_cols_bar;
	for (i = 0; i < nr_pcts; i++) {
		v = wss_percentile(dist, n, pcts[i]);
		fprintf(out, "%3u %15s", pcts[i],
			rfmt_sz((double)v, o->raw_number, buf, BUF));
		if (o->nr_cols_bar)
			pr_bar(out, v, per_col, o->nr_cols_bar);
		fputc('\n', out);
	}
}

/* The lists to show: one per target, or one of them all summed. */
static int make_dists(const struct udamon_record *recs, size_t nr,
		      const struct udamon_wss_opts *o, struct wss_dist **out,
		      size_t *nr_out)
{
	struct wss_dist *d = calloc(nr ? nr : 1, sizeof(*d));
	uint64_t *grown;
	size_t i, j;
	int err = 0;

	if (!d)
		return -ENOMEM;
	for (i = 0; i < nr && !err; i++) {
		d[i].target_id = recs[i].target_id;
		err = record_dist(&recs[i], o, &d[i].v, &d[i].n);
	}
	if (!err && !o->per_target && nr > 1) {
		/* damo's collapse: index by index into the first list */
		for (i = 1; i < nr && !err; i++) {
			if (d[i].n > d[0].n) {
				grown = realloc(d[0].v, d[i].n * sizeof(*grown));
				if (!grown) {
					err = -ENOMEM;
					break;
				}
				memset(grown + d[0].n, 0,
				       (d[i].n - d[0].n) * sizeof(*grown));
				d[0].v = grown;
				d[0].n = d[i].n;
			}
			for (j = 0; j < d[i].n; j++)
				d[0].v[j] += d[i].v[j];
		}
		for (i = 1; i < nr; i++)
			free(d[i].v);
		nr = 1;
	}
	if (!o->per_target && nr)
		d[0].target_id = 0;
	if (err) {
		wss_dists_free(d, nr);
		return err;
	}
	*out = d;
	*nr_out = nr;
	return 0;
}

void wss_dists_free(struct wss_dist *d, size_t nr)
{
	size_t i;

	for (i = 0; i < nr; i++)
		free(d[i].v);
	free(d);
}

int udamon_report_wss(FILE *out, const struct udamon_record *recs, size_t nr,
		      const struct udamon_wss_opts *o)
{
	static const struct udamon_wss_opts dflt = { .acc_thres = 1,
						     .sz_thres = 1,
						     .nr_cols_bar = 59 };
	const unsigned int *pcts;
	struct wss_dist *d;
	size_t nr_pcts, i, nd;
	int err;

	if (!o)
		o = &dflt;
	pcts = o->percentiles ? o->percentiles : default_pcts;
	nr_pcts = o->percentiles ? o->nr_percentiles :
		sizeof(default_pcts) / sizeof(default_pcts[0]);
	for (i = 0; i < nr_pcts; i++)
		if (pcts[i] > 100)
			return -EINVAL;
	err = make_dists(recs, nr, o, &d, &nd);
	if (err)
		return err;
	if (o->plot)
		err = wss_plot(d, nd, pcts, nr_pcts, o);
	else
		for (i = 0; i < nd; i++)
			pr_dist(out, d[i].target_id, d[i].v, d[i].n, pcts,
				nr_pcts, o);
	wss_dists_free(d, nd);
	return err ? err : ferror(out) ? -EIO : 0;
}
