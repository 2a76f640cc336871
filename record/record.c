// SPDX-License-Identifier: MIT
/* In-memory records: snapshot lists with deep-copied regions. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "udamon/record.h"

static void snapshot_free(struct udamon_snapshot *s)
{
	size_t i;

	if (!s->regions)
		return;
	for (i = 0; i < s->nr_regions; i++)
		free(s->regions[i].cpu_samples);
	free(s->regions);
	s->regions = NULL;
	s->nr_regions = 0;
}

static int snapshot_copy(struct udamon_snapshot *dst,
			 const struct udamon_snapshot *src, unsigned int nr_cpus)
{
	size_t i;

	*dst = *src;
	dst->regions = NULL;
	if (!src->nr_regions)
		return 0;
	dst->regions = calloc(src->nr_regions, sizeof(*dst->regions));
	if (!dst->regions)
		return -ENOMEM;
	for (i = 0; i < src->nr_regions; i++) {
		const struct udamon_snapshot_region *r = &src->regions[i];

		dst->regions[i] = *r;
		dst->regions[i].cpu_samples = NULL;
		/* without nr_cpus the length of cpu_samples is unknown */
		if (!r->cpu_samples || !nr_cpus)
			continue;
		dst->regions[i].cpu_samples = malloc(nr_cpus * sizeof(uint32_t));
		if (!dst->regions[i].cpu_samples) {
			snapshot_free(dst);
			return -ENOMEM;
		}
		memcpy(dst->regions[i].cpu_samples, r->cpu_samples,
		       nr_cpus * sizeof(uint32_t));
	}
	return 0;
}

int udamon_record_add_snapshot(struct udamon_record *rec,
			       const struct udamon_snapshot *snap)
{
	int err;

	if (rec->nr_snapshots == rec->cap_snapshots) {
		size_t cap = rec->cap_snapshots ? rec->cap_snapshots * 2 : 16;
		struct udamon_snapshot *n;

		n = realloc(rec->snapshots, cap * sizeof(*n));
		if (!n)
			return -ENOMEM;
		rec->snapshots = n;
		rec->cap_snapshots = cap;
	}
	err = snapshot_copy(&rec->snapshots[rec->nr_snapshots], snap,
			    rec->nr_cpus);
	if (err)
		return err;
	rec->nr_snapshots++;
	return 0;
}

void udamon_record_drop_oldest(struct udamon_record *rec, size_t n)
{
	size_t i;

	if (n > rec->nr_snapshots)
		n = rec->nr_snapshots;
	for (i = 0; i < n; i++)
		snapshot_free(&rec->snapshots[i]);
	memmove(rec->snapshots, rec->snapshots + n,
		(rec->nr_snapshots - n) * sizeof(*rec->snapshots));
	rec->nr_snapshots -= n;
}

void udamon_record_free(struct udamon_record *rec)
{
	size_t i;

	if (!rec)
		return;
	for (i = 0; i < rec->nr_snapshots; i++)
		snapshot_free(&rec->snapshots[i]);
	free(rec->snapshots);
	free(rec->filters_desc);
	free(rec->fault_source);
	rec->snapshots = NULL;
	rec->nr_snapshots = 0;
	rec->cap_snapshots = 0;
	rec->filters_desc = NULL;
	rec->fault_source = NULL;
}

void udamon_records_free(struct udamon_record *recs, size_t nr)
{
	size_t i;

	if (!recs)
		return;
	for (i = 0; i < nr; i++)
		udamon_record_free(&recs[i]);
	free(recs);
}

int udamon_record_format_parse(const char *s, enum udamon_record_format *fmt,
			       char *err, size_t errlen)
{
	if (s && !strcmp(s, "json_compressed")) {
		*fmt = UDAMON_RECORD_JSON_COMPRESSED;
		return 0;
	}
	if (s && !strcmp(s, "json")) {
		*fmt = UDAMON_RECORD_JSON;
		return 0;
	}
	if (err && errlen)
		snprintf(err, errlen,
			 "invalid output type '%s': expected json_compressed or json",
			 s ? s : "");
	return -EINVAL;
}

void udamon_record_snapshot_intervals(const struct udamon_record *rec,
				      const struct udamon_snapshot *snap,
				      uint64_t *sample_us, uint64_t *aggr_us)
{
	bool own = snap->sample_us && snap->aggr_us;

	*sample_us = own ? snap->sample_us : rec->sample_us;
	*aggr_us = own ? snap->aggr_us : rec->aggr_us;
}

unsigned int udamon_record_access_percent(const struct udamon_record *rec,
					  const struct udamon_snapshot *snap,
					  unsigned int nr_accesses)
{
	uint64_t sample_us, aggr_us;

	udamon_record_snapshot_intervals(rec, snap, &sample_us, &aggr_us);
	if (!aggr_us)
		return 0;
	/* samples * 100 / (aggr / sample), in integers */
	return (unsigned int)((uint64_t)nr_accesses * 100 * sample_us / aggr_us);
}
