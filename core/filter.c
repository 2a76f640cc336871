// SPDX-License-Identifier: MIT
/*
 * Sample filters: which access reports count (docs/FIDELITY.md).
 *
 * A filter matches a report when its type's test equals f->matching; a
 * report passes an allow filter it matches and a reject filter it does not
 * match, and counts only if it passes every filter.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "udamon/textfmt.h"
#include "udamon/udamon.h"

static int cmp_int(const void *a, const void *b)
{
	int x = *(const int *)a, y = *(const int *)b;

	return (x > y) - (x < y);
}

/* The type's test; a field the report does not know fails it. */
static bool filter_test(const struct udamon_filter *f,
			const struct udamon_access_report *r)
{
	switch (f->type) {
	case UDAMON_FILTER_WRITE:
		return r->is_write == 1;
	case UDAMON_FILTER_CPUMASK:
		return r->cpu != UDAMON_UNKNOWN_CPU &&
			udamon_cpumask_test(&f->cpus, r->cpu);
	case UDAMON_FILTER_THREADS:
		return r->tid != UDAMON_UNKNOWN_TID && f->nr_tids &&
			bsearch(&r->tid, f->tids, f->nr_tids,
				sizeof(*f->tids), cmp_int);
	}
	return false;
}

bool udamon_filter_matches(const struct udamon_filter *f,
			   const struct udamon_access_report *r)
{
	return filter_test(f, r) == f->matching;
}

bool udamon_filters_pass(const struct udamon_filter *filters, size_t nr,
			 const struct udamon_access_report *r)
{
	size_t i;

	for (i = 0; i < nr; i++)
		if (udamon_filter_matches(&filters[i], r) != filters[i].allow)
			return false;
	return true;
}

int udamon_filter_copy(struct udamon_filter *dst,
		       const struct udamon_filter *src)
{
	struct udamon_filter f = *src;

	f.cpus.bits = NULL;
	f.tids = NULL;
	if (src->cpus.bits) {
		if (udamon_cpumask_alloc(&f.cpus, src->cpus.nbits))
			goto nomem;
		memcpy(f.cpus.bits, src->cpus.bits,
		       ((size_t)src->cpus.nbits + 63) / 64 * sizeof(uint64_t));
	}
	if (src->tids && src->nr_tids) {
		f.tids = malloc(src->nr_tids * sizeof(*f.tids));
		if (!f.tids)
			goto nomem;
		memcpy(f.tids, src->tids, src->nr_tids * sizeof(*f.tids));
	} else {
		f.nr_tids = 0;
	}
	*dst = f;
	return 0;
nomem:
	udamon_filter_free(&f);
	memset(dst, 0, sizeof(*dst));
	return -ENOMEM;
}

void udamon_filter_free(struct udamon_filter *f)
{
	udamon_cpumask_free(&f->cpus);
	free(f->tids);
	f->tids = NULL;
	f->nr_tids = 0;
}
