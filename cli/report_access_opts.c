// SPDX-License-Identifier: MIT
/* The options of `udamon report access` (damo's names and meanings). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "cli/options.h"
#include "cli/report_opts.h"
#include "udamon/textfmt.h"

static const char *const sort_names[UDAMON_NR_SORT_KEYS] = {
	"address", "access_rate", "age", "size", "temperature",
};

static int sort_key(const char *s)
{
	int k;

	for (k = 0; k < UDAMON_NR_SORT_KEYS; k++)
		if (!strcmp(s, sort_names[k]))
			return k;
	return -1;
}

static bool is_int(const char *s)
{
	char *end;

	if (!s || !*s)
		return false;
	errno = 0;
	(void)strtol(s, &end, 10);
	return !*end && !errno;
}

/* Two values after argv[*i]. */
static int two(int argc, char **argv, int *i, const char **v)
{
	if (*i + 2 >= argc)
		return cli_fail("%s needs 2 values (<min> <max>, or <start> <end>)",
				argv[*i]);
	v[0] = argv[*i + 1];
	v[1] = argv[*i + 2];
	*i += 2;
	return 0;
}

static int snapshot_idx(struct udamon_access_opts *o, int argc, char **argv,
			int *i)
{
	const char *v0 = *i + 1 < argc ? argv[*i + 1] : NULL;
	const char *v1 = *i + 2 < argc ? argv[*i + 2] : NULL;
	long a, b;

	if (!is_int(v0))
		return cli_fail("--snapshot_idx '%s': expected <start> <end> snapshot indices, e.g. --snapshot_idx 0 3",
				v0 ? v0 : "");
	a = strtol(v0, NULL, 10);
	if (!is_int(v1)) {
		/* one index: the compact layout's snapshot (-1: the last) */
		*i += 1;
		o->snapshot_idx = a;
		if (a < 0) {
			o->compact = true;
			return 0;
		}
		b = a;
	} else {
		*i += 2;
		b = strtol(v1, NULL, 10);
		o->snapshot_idx = a;
	}
	if (a < 0 || b < a)
		return cli_fail("--snapshot_idx %ld %ld: expected 0 <= <start> <= <end>",
				a, b);
	if (o->nr_snap_ranges == UDAMON_MAX_RANGES)
		return cli_fail("--snapshot_idx: at most %d ranges",
				UDAMON_MAX_RANGES);
	o->snap_ranges[o->nr_snap_ranges][0] = a;
	o->snap_ranges[o->nr_snap_ranges][1] = b;
	o->nr_snap_ranges++;
	return 0;
}

/* --sort_regions_by/--sort_regions_dsc KEY...: the keys that follow. */
static int sort_keys(struct udamon_access_opts *o, int argc, char **argv,
		     int *i, bool dsc)
{
	const char *name = argv[*i];
	int n = 0, k;

	if (!dsc)
		o->nr_sort_keys = 0;
	while (*i + 1 < argc && argv[*i + 1][0] != '-') {
		const char *s = argv[*i + 1];

		k = sort_key(s);
		if (dsc && !strcmp(s, "all")) {
			o->sort_dsc = ~0u;
		} else if (k < 0) {
			return cli_fail("%s '%s': expected address, access_rate, age, size or temperature%s",
					name, s, dsc ? " (or all)" : "");
		} else if (dsc) {
			o->sort_dsc |= 1u << k;
		} else if (o->nr_sort_keys < UDAMON_NR_SORT_KEYS) {
			o->sort_keys[o->nr_sort_keys++] = k;
		}
		n++;
		(*i)++;
	}
	if (!n)
		return cli_fail("%s needs at least one key", name);
	return 0;
}

typedef int (*parse_fn)(const char *s, uint64_t *out, char *err, size_t len);

static int age_us(const char *s, uint64_t *out, char *err, size_t len)
{
	return udamon_parse_time_us(s, 1, out, err, len);
}

static int rate_pct(const char *s, uint64_t *out, char *err, size_t len)
{
	uint64_t bp;
	int ret = udamon_parse_percent_bp(s, &bp, err, len);

	*out = bp / 100;
	return ret;
}

static int one_bound(const char *name, const char *s, parse_fn parse,
		     uint64_t *out)
{
	char err[256];

	if (!strcmp(s, "min")) {
		*out = 0;
		return 0;
	}
	if (!strcmp(s, "max")) {
		*out = UINT64_MAX;
		return 0;
	}
	if (parse(s, out, err, sizeof(err)))
		return cli_fail("%s: %s (or min/max)", name, err);
	return 0;
}

static int minmax(int argc, char **argv, int *i, parse_fn parse,
		  struct udamon_minmax *m, bool *has)
{
	const char *name = argv[*i], *v[2] = { NULL, NULL };

	if (two(argc, argv, i, v) || one_bound(name, v[0], parse, &m->min) ||
	    one_bound(name, v[1], parse, &m->max))
		return -1;
	if (m->min > m->max)
		return cli_fail("%s '%s' '%s': <min> is above <max>", name,
				v[0], v[1]);
	*has = true;
	return 0;
}

static int cmp_range(const void *a, const void *b)
{
	const struct udamon_range *x = a, *y = b;

	return x->start < y->start ? -1 : x->start > y->start;
}

static int address(struct udamon_access_opts *o, int argc, char **argv,
		   int *i)
{
	const char *v[2] = { NULL, NULL };
	char joined[256], err[256];
	struct udamon_range *r;
	size_t k;

	if (two(argc, argv, i, v))
		return -1;
	if (o->nr_addr_ranges == UDAMON_MAX_RANGES)
		return cli_fail("--address: at most %d ranges",
				UDAMON_MAX_RANGES);
	r = &o->addr_ranges[o->nr_addr_ranges];
	snprintf(joined, sizeof(joined), "%s-%s", v[0], v[1]);
	if (udamon_parse_range(joined, r, err, sizeof(err)))
		return cli_fail("--address '%s' '%s': %s", v[0], v[1], err);
	o->nr_addr_ranges++;
	qsort(o->addr_ranges, o->nr_addr_ranges, sizeof(*r), cmp_range);
	for (k = 1; k < o->nr_addr_ranges; k++)
		if (o->addr_ranges[k - 1].end > o->addr_ranges[k].start)
			return cli_fail("--address '%s' '%s': overlaps another --address range",
					v[0], v[1]);
	return 0;
}

static bool flag(const char *arg, const char *name, bool *dst)
{
	if (strcmp(arg, name))
		return false;
	*dst = true;
	return true;
}

int report_parse_access(struct udamon_access_opts *o, int argc, char **argv,
			int *i)
{
	const char *arg = argv[*i];
	int ret = 0;

	if (flag(arg, "--compact", &o->compact) ||
	    flag(arg, "--raw_number", &o->raw_number) ||
	    flag(arg, "--json", &o->json) ||
	    flag(arg, "--total_sz_only", &o->total_sz_only))
		return 1;
	/* options of the compact layout select it */
	if (flag(arg, "--all_snapshots", &o->all_snapshots) ||
	    flag(arg, "--show_cpus", &o->show_cpus)) {
		o->compact = true;
		return 1;
	}
	if (!strcmp(arg, "--snapshot_idx"))
		ret = snapshot_idx(o, argc, argv, i);
	else if (!strcmp(arg, "--sort_regions_by"))
		ret = sort_keys(o, argc, argv, i, false);
	else if (!strcmp(arg, "--sort_regions_dsc"))
		ret = sort_keys(o, argc, argv, i, true);
	else if (!strcmp(arg, "--sz_region"))
		ret = minmax(argc, argv, i, udamon_parse_size, &o->sz,
			     &o->has_sz);
	else if (!strcmp(arg, "--access_rate"))
		ret = minmax(argc, argv, i, rate_pct, &o->rate, &o->has_rate);
	else if (!strcmp(arg, "--age"))
		ret = minmax(argc, argv, i, age_us, &o->age_us, &o->has_age);
	else if (!strcmp(arg, "--address"))
		ret = address(o, argc, argv, i);
	else
		return 0;
	return ret ? -1 : 1;
}

int report_check_access(const struct udamon_access_opts *o)
{
	if (o->compact && (o->json || o->raw_number || o->total_sz_only ||
			   o->nr_sort_keys || o->has_sz || o->has_rate ||
			   o->has_age || o->nr_addr_ranges ||
			   o->nr_snap_ranges > 1))
		return cli_fail("report access: --compact (and --show_cpus, --all_snapshots, a negative --snapshot_idx) takes none of --json, --raw_number, --total_sz_only, --sort_regions_*, the region filters or several --snapshot_idx ranges");
	return 0;
}
