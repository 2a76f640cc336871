// SPDX-License-Identifier: MIT
/*
 * `report wss --work_time US`: as damo, consecutive snapshots are merged
 * until they span US microseconds; a group that never does (the last) is
 * dropped. Merging follows damo: a region that overlaps one already in the
 * merged snapshot adds to it the most samples of the regions of the same
 * snapshot that overlap it; the parts of a region that overlap nothing
 * become regions of their own.
 */
#include <errno.h>
#include <stdlib.h>

#include "report/wss_int.h"

struct mregion {
	uint64_t start, end;
	uint64_t samples;
	long long add;		/* to add after this snapshot; -1: none */
};

struct merged {
	struct mregion *r;
	size_t nr, cap;
};

static int push(struct merged *m, uint64_t start, uint64_t end,
		uint64_t samples)
{
	if (m->nr == m->cap) {
		size_t cap = m->cap ? m->cap * 2 : 64;
		struct mregion *r = realloc(m->r, cap * sizeof(*r));

		if (!r)
			return -ENOMEM;
		m->r = r;
		m->cap = cap;
	}
	m->r[m->nr++] = (struct mregion){ start, end, samples, -1 };
	return 0;
}

static int add_region(struct merged *m, uint64_t start, uint64_t end,
		      uint64_t samples)
{
	size_t k;
	int err = 0;

	for (k = 0; k < m->nr; k++) {
		uint64_t rs = m->r[k].start, re = m->r[k].end;

		if (re <= start || end <= rs)
			continue;
		if (m->r[k].add < (long long)samples)
			m->r[k].add = (long long)samples;
		if (start < rs)
			err = add_region(m, start, rs, samples);
		if (!err && re < end)
			err = add_region(m, re, end, samples);
		return err;
	}
	return push(m, start, end, samples);
}

static int merge_group(const struct udamon_record *rec, size_t first,
		       size_t last, const struct udamon_wss_opts *o,
		       uint64_t *wss)
{
	const struct udamon_snapshot *s0 = &rec->snapshots[first];
	struct merged m = { 0 };
	size_t s, i;
	int err = 0;

	for (s = first; s <= last && !err; s++) {
		const struct udamon_snapshot *snap = &rec->snapshots[s];

		for (i = 0; i < snap->nr_regions && !err; i++)
			err = add_region(&m, snap->regions[i].start,
					 snap->regions[i].end,
					 snap->regions[i].nr_accesses);
		for (i = 0; i < m.nr; i++) {
			if (m.r[i].add >= 0)
				m.r[i].samples += (uint64_t)m.r[i].add;
			m.r[i].add = -1;
		}
	}
	*wss = 0;
	for (i = 0; i < m.nr && !err; i++) {
		uint64_t sz = m.r[i].end - m.r[i].start;

		if (m.r[i].samples < o->acc_thres || sz < o->sz_thres)
			continue;
		if (m.r[i].samples <= UINT32_MAX &&
		    udamon_record_access_percent(rec, s0,
			(unsigned int)m.r[i].samples) < o->min_pct)
			continue;
		*wss += sz;
	}
	free(m.r);
	return err;
}

int wss_merged(const struct udamon_record *rec,
	       const struct udamon_wss_opts *o, uint64_t **dist, size_t *n)
{
	size_t s, first = o->exclude_snapshots, cap = 0;
	uint64_t *v = NULL, *grown;
	int err;

	*n = 0;
	for (s = first; s < rec->nr_snapshots; s++) {
		if (rec->snapshots[s].end_time_ns -
		    rec->snapshots[first].start_time_ns <
		    o->work_time_us * 1000)
			continue;
		if (*n == cap) {
			cap = cap ? cap * 2 : 16;
			grown = realloc(v, cap * sizeof(*v));
			if (!grown) {
				free(v);
				return -ENOMEM;
			}
			v = grown;
		}
		err = merge_group(rec, first, s, o, &v[*n]);
		if (err) {
			free(v);
			return err;
		}
		(*n)++;
		first = s + 1;
	}
	*dist = v;
	return 0;
}
