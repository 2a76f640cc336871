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
 * too small (size >= sz_thres). Sizes are sorted before taking
 * percentiles; with targets summed (the default, as damo) each target's
 * sorted list is added index by index.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "udamon/report.h"
#include "udamon/textfmt.h"
#include "report/report_fmt.h"

#define BUF		64
#define NR_COLS_BAR	59

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

/* Sorted working set sizes of one record; *n may be 0. */
static int record_dist(const struct udamon_record *rec,
		       const struct udamon_wss_opts *o, uint64_t **dist,
		       size_t *n)
{
	size_t skip = o->exclude_snapshots, i;

	*dist = NULL;
	*n = rec->nr_snapshots > skip ? rec->nr_snapshots - skip : 0;
	if (!*n)
		return 0;
	*dist = malloc(*n * sizeof(**dist));
	if (!*dist)
		return -ENOMEM;
	for (i = 0; i < *n; i++)
		(*dist)[i] = snapshot_wss(rec, &rec->snapshots[skip + i], o);
	qsort(*dist, *n, sizeof(**dist), cmp_u64);
	return 0;
}

/* damo's index: int(p / 100 * n), the last one for p = 100. */
static uint64_t percentile(const uint64_t *dist, size_t n, unsigned int p)
{
	size_t idx = (size_t)((double)p / 100.0 * (double)n);

	return dist[idx < n ? idx : n - 1];
}

static void pr_dist(FILE *out, int target_id, const uint64_t *dist,
		    size_t n, const unsigned int *pcts, size_t nr_pcts)
{
	double sum = 0;
	uint64_t max = 0, v;
	char buf[BUF];
	size_t i;
	int cols;

	fprintf(out, "# target_id\t%d\n# <percentile> <wss>\n", target_id);
	if (!n) {
		fprintf(out, "# no snapshot\n");
		return;
	}
	for (i = 0; i < n; i++)
		sum += (double)dist[i];
	fprintf(out, "# avr:\t%s\n", rfmt_size(sum / (double)n, buf, BUF));
	for (i = 0; i < nr_pcts; i++)
		if (percentile(dist, n, pcts[i]) > max)
			max = percentile(dist, n, pcts[i]);
	for (i = 0; i < nr_pcts; i++) {
		v = percentile(dist, n, pcts[i]);
		/* v * cols / max, not damo's v / (max / cols): full is full */
		cols = max ? (int)((double)v * NR_COLS_BAR / (double)max) : 0;
		if (cols > NR_COLS_BAR)
			cols = NR_COLS_BAR;
		fprintf(out, "%3u %15s |%.*s%*s|\n", pcts[i],
			udamon_fmt_size(v, buf, BUF), cols,
			"***********************************************************",
			NR_COLS_BAR - cols, "");
	}
}

static int report_summed(FILE *out, const struct udamon_record *recs,
			 size_t nr, const struct udamon_wss_opts *o,
			 const unsigned int *pcts, size_t nr_pcts)
{
	uint64_t *sum = NULL, *dist, *grown;
	size_t n = 0, dn, i, j;
	int err;

	for (i = 0; i < nr; i++) {
		err = record_dist(&recs[i], o, &dist, &dn);
		if (err) {
			free(sum);
			return err;
		}
		if (dn > n) {
			grown = realloc(sum, dn * sizeof(*sum));
			if (!grown) {
				free(dist);
				free(sum);
				return -ENOMEM;
			}
			sum = grown;
			memset(sum + n, 0, (dn - n) * sizeof(*sum));
			n = dn;
		}
		for (j = 0; j < dn; j++)
			sum[j] += dist[j];
		free(dist);
	}
	pr_dist(out, 0, sum, n, pcts, nr_pcts);
	free(sum);
	return 0;
}

int udamon_report_wss(FILE *out, const struct udamon_record *recs, size_t nr,
		      const struct udamon_wss_opts *o)
{
	static const struct udamon_wss_opts dflt = { .acc_thres = 1,
						     .sz_thres = 1 };
	const unsigned int *pcts;
	size_t nr_pcts, i, n;
	uint64_t *dist;
	int err;

	if (!o)
		o = &dflt;
	pcts = o->percentiles ? o->percentiles : default_pcts;
	nr_pcts = o->percentiles ? o->nr_percentiles :
		sizeof(default_pcts) / sizeof(default_pcts[0]);
	for (i = 0; i < nr_pcts; i++)
		if (pcts[i] > 100)
			return -EINVAL;
	if (!o->per_target) {
		err = report_summed(out, recs, nr, o, pcts, nr_pcts);
		return err ? err : ferror(out) ? -EIO : 0;
	}
	for (i = 0; i < nr; i++) {
		err = record_dist(&recs[i], o, &dist, &n);
		if (err)
			return err;
		pr_dist(out, recs[i].target_id, dist, n, pcts, nr_pcts);
		free(dist);
	}
	return ferror(out) ? -EIO : 0;
}
