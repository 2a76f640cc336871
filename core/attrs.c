// SPDX-License-Identifier: MIT
/* Monitoring attributes: defaults and validation, as the kernel's. */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "udamon/udamon.h"
#include "core/internal.h"

void udamon_attrs_default(struct udamon_attrs *a)
{
	memset(a, 0, sizeof(*a));
	a->sample_us = 5000;
	a->aggr_us = 100000;
	a->ops_update_us = 1000000;
	a->min_nr_regions = 10;
	a->max_nr_regions = 1000;
}

static int fail(char *err, size_t errlen, const char *msg)
{
	if (err && errlen)
		snprintf(err, errlen, "%s", msg);
	return -EINVAL;
}

static int validate_goal(const struct udamon_intervals_goal *g,
			 uint64_t sample_us, char *m, size_t len)
{
	if (!g->aggrs)
		return 0;
	if (g->access_bp == 0 || g->access_bp > 10000) {
		snprintf(m, len, "intervals goal access ratio (%" PRIu64
			 " bp) must be between 1 and 10000 bp (0.01%%..100%%)",
			 g->access_bp);
		return -EINVAL;
	}
	if (g->min_sample_us == 0) {
		snprintf(m, len, "intervals goal minimum sample interval "
			 "(0 us) must be positive");
		return -EINVAL;
	}
	if (g->min_sample_us > g->max_sample_us) {
		snprintf(m, len, "intervals goal minimum sample interval (%"
			 PRIu64 " us) must not exceed the maximum (%" PRIu64
			 " us)", g->min_sample_us, g->max_sample_us);
		return -EINVAL;
	}
	/* the kernel refuses a goal whose range excludes the interval */
	if (sample_us < g->min_sample_us || sample_us > g->max_sample_us) {
		snprintf(m, len, "sample interval (%" PRIu64 " us) must be "
			 "within the intervals goal's range (%" PRIu64 " us.."
			 "%" PRIu64 " us)", sample_us, g->min_sample_us,
			 g->max_sample_us);
		return -EINVAL;
	}
	return 0;
}

int udamon_attrs_validate(const struct udamon_attrs *a, char *err,
			  size_t errlen)
{
	char m[UDAMON_ERRMSG_LEN];

	if (a->sample_us == 0)
		return fail(err, errlen,
			    "sample interval (0 us) must be positive");
	if (a->aggr_us == 0)
		return fail(err, errlen,
			    "aggregation interval (0 us) must be positive");
	if (a->ops_update_us == 0)
		return fail(err, errlen,
			    "ops update interval (0 us) must be positive");
	if (a->sample_us > a->aggr_us) {
		snprintf(m, sizeof(m), "sample interval (%" PRIu64
			 " us) must not exceed the aggregation interval (%"
			 PRIu64 " us)", a->sample_us, a->aggr_us);
		return fail(err, errlen, m);
	}
	if (a->min_nr_regions < 3) {
		snprintf(m, sizeof(m), "min_nr_regions (%" PRIu64
			 ") must be at least 3", a->min_nr_regions);
		return fail(err, errlen, m);
	}
	if (a->min_nr_regions > a->max_nr_regions) {
		snprintf(m, sizeof(m), "min_nr_regions (%" PRIu64
			 ") must not exceed max_nr_regions (%" PRIu64 ")",
			 a->min_nr_regions, a->max_nr_regions);
		return fail(err, errlen, m);
	}
	if (validate_goal(&a->goal, a->sample_us, m, sizeof(m)))
		return fail(err, errlen, m);
	return 0;
}

unsigned int udamon_core_aggr_samples(const struct udamon_attrs *a)
{
	uint64_t l = a->sample_us ? a->aggr_us / a->sample_us : 1;

	if (l < 1)
		l = 1;
	if (l > UINT32_MAX)
		l = UINT32_MAX;
	return (unsigned int)l;
}

unsigned int udamon_core_nr_accesses_to_bp(unsigned int nr,
					   const struct udamon_attrs *a)
{
	return (unsigned int)((uint64_t)nr * 10000 / udamon_core_aggr_samples(a));
}

unsigned int udamon_core_bp_to_nr_accesses(unsigned int bp,
					   const struct udamon_attrs *a)
{
	return (unsigned int)((uint64_t)bp * udamon_core_aggr_samples(a) /
			      10000);
}

uint64_t udamon_core_update_samples(const struct udamon_attrs *a)
{
	uint64_t n = a->sample_us ? a->ops_update_us / a->sample_us : 1;

	return n ? n : 1;
}
