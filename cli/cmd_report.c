// SPDX-License-Identifier: MIT
/* udamon report {access,heatmap,wss}: show a record file, as damo report. */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "cli/cli.h"
#include "cli/control_client.h"
#include "cli/live_records.h"
#include "cli/metrics.h"
#include "cli/options.h"
#include "cli/report_opts.h"
#include "udamon/record.h"
#include "udamon/report.h"
#include "udamon/textfmt.h"

#define DEFAULT_INPUT	"damon.data"
#define MAX_PCTS	101

struct report_args {
	const char *kind;
	const char *input;
	bool has_input;		/* else running monitors, if any */
	int index;		/* --index: one running monitor */
	struct udamon_access_opts access;
	struct udamon_heatmap_opts heatmap;
	struct udamon_wss_opts wss;
	unsigned int pcts[MAX_PCTS];
};

static void usage_main(FILE *f)
{
	fprintf(f,
		"usage: udamon report {access,heatmap,wss} [--input FILE | --index N] [options]\n"
		"       udamon report damon [--index N] [--json]\n"
		"       udamon report metrics [--input FILE | --index N]\n\n"
		"Show a record file, or without --input the latest snapshots of the\n"
		"running monitors (udamon start; --index N: only monitor N), or the\n"
		"record file %s when none runs, in damo's report formats:\n"
		"  access    the regions of a snapshot: address, size, access rate, age\n"
		"  heatmap   access frequency over time (rows) and addresses (columns)\n"
		"  wss       the distribution of working set sizes\n"
		"  damon     the state of the running monitors (= udamon status)\n"
		"  metrics   Prometheus text of the running monitors or a record\n\n"
		"Run 'udamon report <type> --help' for the options of each.\n",
		DEFAULT_INPUT);
}

static void usage_access(FILE *f)
{
	fprintf(f,
		"usage: udamon report access [--input FILE] [options]\n\n"
		"Show the snapshots of each target as damo does: a heat bar of the\n"
		"snapshot, then one line per region\n"
		"  <index> addr <start> size <size> access <hz> age <age>\n"
		"and the memory bandwidth estimate and total size.\n\n"
		"  -i, --input FILE              record file (default: the running\n"
		"                                monitors' latest snapshot, else %s)\n"
		"  --index N                     only running monitor N\n"
		"  --snapshot_idx START END      only snapshots START to END (0 is the\n"
		"                                first; repeatable); times then count\n"
		"                                from the first snapshot shown\n"
		"  --sz_region MIN MAX           only regions of MIN to MAX bytes\n"
		"  --access_rate MIN MAX         ... of MIN to MAX percent access rate\n"
		"  --age MIN MAX                 ... of MIN to MAX age (bare numbers in\n"
		"                                microseconds, as damo; or '2s', ...)\n"
		"  --address START END           only the parts of regions in this\n"
		"                                range (repeatable)\n"
		"                                (MIN and MAX may be 'min' and 'max')\n"
		"  --sort_regions_by KEY...      sort regions by address, access_rate,\n"
		"                                age, size or temperature\n"
		"  --sort_regions_dsc KEY...     descending for these keys (or all)\n"
		"  --total_sz_only               only the total size of each snapshot\n"
		"  --raw_number                  plain numbers (bytes, ns, hz)\n"
		"  --json                        the records as damo's JSON\n"
		"  --compact                     udamon's layout of one snapshot per\n"
		"                                target, one line per region:\n"
		"    <index> addr [<start>, <end>) (<size>) access <rate> age <age>\n"
		"  --snapshot_idx N              (compact) the snapshot to show;\n"
		"                                negative counts from the end\n"
		"                                (default -1, the last one)\n"
		"  --all_snapshots               (compact) every snapshot\n"
		"  --show_cpus                   (compact) each CPU's share of the\n"
		"                                counted samples (records made with\n"
		"                                per-CPU attribution)\n"
		"  -h, --help                    this help\n\n"
		"The heat bar is coloured when standard output is a terminal.\n",
		DEFAULT_INPUT);
}

static void usage_heatmap(FILE *f)
{
	fprintf(f,
		"usage: udamon report heatmap [--input FILE] [options]\n\n"
		"Draw access frequency as digits 0 (cold) to 9 (hot), coloured on a\n"
		"terminal: time goes down the rows, addresses along the columns;\n"
		"legend lines follow. Or draw it as a picture, or print damo's raw\n"
		"cells.\n\n"
		"  -i, --input FILE              record file (default %s)\n"
		"  --output stdout|raw|FILE      text (default); \"<time> <address>\n"
		"                                <heat>\" per cell; or a picture,\n"
		"                                FILE ending in .png, .svg or .pdf\n"
		"  --resol ROWS COLUMNS          resolution (default 40 80, and\n"
		"                                500 500 for raw and pictures)\n"
		"  --time_range START END [BASE] times to draw, in ns or with units;\n"
		"                                absolute, or from BASE: a time,\n"
		"                                'guided' (the record's start) or\n"
		"                                'guided_end' (its end)\n"
		"  --abs_time, --abs_addr        raw and picture axes in absolute\n"
		"                                time and addresses (default: from\n"
		"                                the map's start)\n"
		"  --tid ID                      target id of the record to draw\n"
		"                                (default: the widest target)\n"
		"  --address_range START END     addresses to draw (default: the\n"
		"                                hottest contiguous range)\n"
		"  -h, --help                    this help\n", DEFAULT_INPUT);
}

static void usage_wss(FILE *f)
{
	fprintf(f,
		"usage: udamon report wss [--input FILE] [options]\n\n"
		"Show percentiles of the working set size over the snapshots.\n\n"
		"  -i, --input FILE          record file (default %s)\n"
		"  -r, --range START STOP STEP\n"
		"                            percentiles START, START+STEP, ... below\n"
		"                            STOP (default 0 101 25)\n"
		"  -t, --acc_thres N         count regions with at least N sampled\n"
		"                            accesses (default 1)\n"
		"  --min_pct PERCENT         ... and an access rate of at least\n"
		"                            PERCENT (default 0)\n"
		"  --sz_thres SIZE           ... and at least SIZE bytes (default 1)\n"
		"  --exclude_samples N       skip the first N snapshots (default 0;\n"
		"                            damo's default is 20)\n"
		"  --per_target              one distribution per target (default:\n"
		"                            targets summed, as damo)\n"
		"  --work_time TIME          merge snapshots into units of work of\n"
		"                            TIME (bare numbers are microseconds;\n"
		"                            default 1: each snapshot alone)\n"
		"  -s, --sortby size|time    percentiles of sizes (default), or of\n"
		"                            runtime: the sizes in time order\n"
		"  --all_wss                 every working set size, not percentiles\n"
		"  --raw_number              sizes in bytes\n"
		"  --nr_cols_bar N           width of the bars (default 59, 0: none)\n"
		"  -p, --plot FILE           draw the distribution into FILE (.png,\n"
		"                            .svg or .pdf) instead of printing it\n"
		"  -h, --help                this help\n", DEFAULT_INPUT);
}

static void usage_metrics(FILE *f)
{
	fprintf(f,
		"usage: udamon report metrics [--input FILE | --index N]\n\n"
		"Print one scrape of Prometheus text (exposition format 0.0.4) of the\n"
		"running monitors (--index N: only monitor N; none running: a scrape\n"
		"saying 0 monitors), or of a record file with --input, e.g. for\n"
		"node_exporter's textfile collector. Per monitor and target, from the\n"
		"latest snapshot: the working set (bytes of regions with at least one\n"
		"sampled access; written bytes under write-only monitoring), bytes by\n"
		"access rate, each CPU's share of the counted samples (with\n"
		"attribution); lost fault events and the intervals; for monitors\n"
		"also their samples, snapshots, access reports, uptime and own CPU\n"
		"time. 'udamon exporter' serves the same over HTTP.\n\n"
		"  -i, --input FILE      a record file instead of the monitors\n"
		"  --index N             only monitor N\n"
		"  -h, --help            this help\n");
}

static int parse_none(struct report_args *a, int argc, char **argv, int *i)
{
	return 0;
}

static bool is_help(const char *a)
{
	return !strcmp(a, "-h") || !strcmp(a, "--help");
}

static int opt_uint(const char *name, const char *v, unsigned int min,
		    unsigned int max, unsigned int *out)
{
	char err[256];
	uint64_t x;

	if (udamon_parse_u64(v, &x, err, sizeof(err)))
		return cli_fail("%s: %s", name, err);
	if (x < min || x > max)
		return cli_fail("%s '%s': expected a number from %u to %u", name,
				v, min, max);
	*out = (unsigned int)x;
	return 0;
}

static int opt_long(const char *name, const char *v, long *out)
{
	char *end;

	errno = 0;
	*out = strtol(v, &end, 10);
	if (!*v || *end || errno)
		return cli_fail("%s '%s': expected an integer, e.g. -1", name, v);
	return 0;
}

/* Take n values after argv[*i] for a multi-value option. */
static int take(int argc, char **argv, int *i, const char *name, int n,
		const char *what, const char **v)
{
	int k;

	if (*i + n >= argc)
		return cli_fail("%s needs %d values (%s)", name, n, what);
	for (k = 0; k < n; k++)
		v[k] = argv[*i + 1 + k];
	*i += n;
	return 0;
}

/* Options of every report type: 1 taken, 0 not ours, -1 error. */
static int parse_common(struct report_args *a, int argc, char **argv, int *i)
{
	if (cli_opt_is(argv[*i], "--input") || !strcmp(argv[*i], "-i")) {
		a->input = cli_opt_value(argc, argv, i, "--input");
		a->has_input = true;
		return a->input ? 1 : -1;
	}
	return control_parse_index(argc, argv, i, &a->index);
}

static int parse_access(struct report_args *a, int argc, char **argv, int *i)
{
	return report_parse_access(&a->access, argc, argv, i);
}

static int parse_addr_range(struct report_args *a, const char **v)
{
	char joined[256], err[256];

	snprintf(joined, sizeof(joined), "%s-%s", v[0], v[1]);
	if (udamon_parse_range(joined, &a->heatmap.addr_range, err,
			       sizeof(err)))
		return cli_fail("--address_range '%s' '%s': %s", v[0], v[1],
				err);
	a->heatmap.has_addr_range = true;
	return 0;
}

static bool has_ext(const char *s, const char *ext)
{
	size_t n = strlen(s), e = strlen(ext);

	return n > e && !strcasecmp(s + n - e, ext);
}

/* damo's --output: stdout, raw, or a picture file */
static int parse_heatmap_output(struct report_args *a, const char *v)
{
	if (!strcmp(v, "stdout")) {
		a->heatmap.output_kind = UDAMON_HEATMAP_TEXT;
	} else if (!strcmp(v, "raw")) {
		a->heatmap.output_kind = UDAMON_HEATMAP_RAW;
	} else if (has_ext(v, ".png") || has_ext(v, ".svg") ||
		   has_ext(v, ".pdf")) {
		a->heatmap.output_kind = UDAMON_HEATMAP_PICTURE;
		a->heatmap.output = v;
	} else {
		return cli_fail("--output '%s': expected stdout, raw, or a file name ending in .png, .svg or .pdf",
				v);
	}
	return 0;
}

static int parse_ns(const char *name, const char *v, uint64_t *ns)
{
	char err[256];
	uint64_t us;

	/* damo's text_to_ns: bare numbers are ns, units allowed */
	if (!udamon_parse_u64(v, ns, err, sizeof(err)))
		return 0;
	if (udamon_parse_time_us(v, 1, &us, err, sizeof(err)))
		return cli_fail("%s '%s': expected nanoseconds or a time with a unit, e.g. 1500000000 or 1.5s",
				name, v);
	*ns = us * 1000;
	return 0;
}

/* --time_range START END [BASE]: absolute ns, or from BASE */
static int parse_time_range(struct report_args *a, int argc, char **argv,
			    int *i)
{
	const char *v[2] = { NULL, NULL };
	uint64_t base = 0;

	if (take(argc, argv, i, "--time_range", 2, "start and end", v) ||
	    parse_ns("--time_range start", v[0], &a->heatmap.time_range[0]) ||
	    parse_ns("--time_range end", v[1], &a->heatmap.time_range[1]))
		return -1;
	if (*i + 1 < argc && argv[*i + 1][0] != '-') {
		(*i)++;
		if (!strcmp(argv[*i], "guided") ||
		    !strcmp(argv[*i], "guided_end"))
			a->heatmap.time_base = !strcmp(argv[*i], "guided") ?
				UDAMON_TIME_GUIDED : UDAMON_TIME_GUIDED_END;
		else if (parse_ns("--time_range base", argv[*i], &base))
			return -1;
	}
	a->heatmap.time_range[0] += base;
	a->heatmap.time_range[1] += base;
	if (a->heatmap.time_range[1] <= a->heatmap.time_range[0])
		return cli_fail("--time_range %s %s: expected START below END",
				v[0], v[1]);
	a->heatmap.has_time_range = true;
	return 0;
}

static int parse_heatmap(struct report_args *a, int argc, char **argv, int *i)
{
	const char *arg = argv[*i], *v[2] = { NULL, NULL };
	long tid;

	if (!strcmp(arg, "--resol")) {
		if (take(argc, argv, i, arg, 2, "rows and columns", v) ||
		    opt_uint("--resol rows", v[0], 1, 10000,
			     &a->heatmap.time_resol) ||
		    opt_uint("--resol columns", v[1], 1, 10000,
			     &a->heatmap.addr_resol))
			return -1;
		return 1;
	}
	if (cli_opt_is(arg, "--tid")) {
		v[0] = cli_opt_value(argc, argv, i, "--tid");
		if (!v[0] || opt_long("--tid", v[0], &tid))
			return -1;
		if (tid < INT_MIN || tid > INT_MAX)
			return cli_fail("--tid '%s': out of range", v[0]);
		a->heatmap.has_target_id = true;
		a->heatmap.target_id = (int)tid;
		return 1;
	}
	if (cli_opt_is(arg, "--output")) {
		v[0] = cli_opt_value(argc, argv, i, "--output");
		return v[0] && parse_heatmap_output(a, v[0]) ? -1 : v[0] ? 1 : -1;
	}
	if (!strcmp(arg, "--time_range"))
		return parse_time_range(a, argc, argv, i) ? -1 : 1;
	if (!strcmp(arg, "--abs_time")) {
		a->heatmap.abs_time = true;
		return 1;
	}
	if (!strcmp(arg, "--abs_addr")) {
		a->heatmap.abs_addr = true;
		return 1;
	}
	if (!strcmp(arg, "--address_range")) {
		if (take(argc, argv, i, arg, 2, "start and end addresses", v) ||
		    parse_addr_range(a, v))
			return -1;
		return 1;
	}
	return 0;
}

/* Python's range(start, stop, step) of percentiles, as damo's --range. */
static int parse_pct_range(struct report_args *a, const char **v)
{
	unsigned int start, stop, step, p;
	size_t n = 0;

	if (opt_uint("--range start", v[0], 0, 100, &start) ||
	    opt_uint("--range stop", v[1], 0, 101, &stop) ||
	    opt_uint("--range step", v[2], 1, 101, &step))
		return -1;
	for (p = start; p < stop; p += step)
		a->pcts[n++] = p;
	if (!n)
		return cli_fail("--range %s %s %s: no percentile (expected START below STOP, e.g. 0 101 25)",
				v[0], v[1], v[2]);
	a->wss.percentiles = a->pcts;
	a->wss.nr_percentiles = n;
	return 0;
}

static bool flag_opt(const char *arg, const char *name, bool *dst)
{
	if (strcmp(arg, name))
		return false;
	*dst = true;
	return true;
}

/* damo's --work_time, --sortby, --all_wss, --raw_number, --plot, ... */
static int parse_wss_more(struct report_args *a, int argc, char **argv,
			  int *i)
{
	const char *arg = argv[*i], *v;
	char err[256];

	if (flag_opt(arg, "--all_wss", &a->wss.all_wss) ||
	    flag_opt(arg, "--raw_number", &a->wss.raw_number))
		return 1;
	if (cli_opt_is(arg, "--work_time")) {
		v = cli_opt_value(argc, argv, i, "--work_time");
		if (!v)
			return -1;
		if (udamon_parse_time_us(v, 1, &a->wss.work_time_us, err,
					 sizeof(err)))
			return cli_fail("--work_time: %s", err);
		return 1;
	}
	if (cli_opt_is(arg, "--sortby") || !strcmp(arg, "-s")) {
		v = cli_opt_value(argc, argv, i, "--sortby");
		if (!v)
			return -1;
		if (strcmp(v, "time") && strcmp(v, "size"))
			return cli_fail("--sortby '%s': expected time or size", v);
		a->wss.sort_by_time = !strcmp(v, "time");
		return 1;
	}
	if (cli_opt_is(arg, "--plot") || !strcmp(arg, "-p")) {
		v = cli_opt_value(argc, argv, i, "--plot");
		if (!v)
			return -1;
		if (!has_ext(v, ".png") && !has_ext(v, ".svg") &&
		    !has_ext(v, ".pdf"))
			return cli_fail("--plot '%s': expected a file name ending in .png, .svg or .pdf",
					v);
		a->wss.plot = v;
		return 1;
	}
	if (cli_opt_is(arg, "--nr_cols_bar")) {
		v = cli_opt_value(argc, argv, i, "--nr_cols_bar");
		if (!v || opt_uint("--nr_cols_bar", v, 0, 1000,
				   &a->wss.nr_cols_bar))
			return -1;
		return 1;
	}
	return 0;
}

static int parse_wss(struct report_args *a, int argc, char **argv, int *i)
{
	const char *arg = argv[*i], *v[3] = { NULL, NULL, NULL };
	char err[256];
	unsigned int x;

	if (!strcmp(arg, "--range") || !strcmp(arg, "-r")) {
		if (take(argc, argv, i, "--range", 3, "start, stop and step",
			 v) || parse_pct_range(a, v))
			return -1;
		return 1;
	}
	if (cli_opt_is(arg, "--acc_thres") || !strcmp(arg, "-t")) {
		v[0] = cli_opt_value(argc, argv, i, "--acc_thres");
		if (!v[0] || opt_uint("--acc_thres", v[0], 0, UINT_MAX,
				      &a->wss.acc_thres))
			return -1;
		return 1;
	}
	if (cli_opt_is(arg, "--min_pct")) {
		v[0] = cli_opt_value(argc, argv, i, "--min_pct");
		if (!v[0] || opt_uint("--min_pct", v[0], 0, 100,
				      &a->wss.min_pct))
			return -1;
		return 1;
	}
	if (cli_opt_is(arg, "--sz_thres")) {
		v[0] = cli_opt_value(argc, argv, i, "--sz_thres");
		if (!v[0])
			return -1;
		if (udamon_parse_size(v[0], &a->wss.sz_thres, err, sizeof(err)))
			return cli_fail("--sz_thres: %s", err);
		return 1;
	}
	if (cli_opt_is(arg, "--exclude_samples")) {
		v[0] = cli_opt_value(argc, argv, i, "--exclude_samples");
		if (!v[0] || opt_uint("--exclude_samples", v[0], 0, UINT_MAX,
				      &x))
			return -1;
		a->wss.exclude_snapshots = x;
		return 1;
	}
	if (!strcmp(arg, "--per_target")) {
		a->wss.per_target = true;
		return 1;
	}
	if (!strcmp(arg, "--collapse_targets")) {
		a->wss.per_target = false;
		return 1;
	}
	return parse_wss_more(a, argc, argv, i);
}

/* 0 to go on, 1 after --help, -1 after an error. */
static int parse_args(struct report_args *a, int argc, char **argv)
{
	int (*parse)(struct report_args *, int, char **, int *);
	void (*usage)(FILE *);
	int i, taken;

	if (!strcmp(a->kind, "access")) {
		parse = parse_access;
		usage = usage_access;
	} else if (!strcmp(a->kind, "heatmap")) {
		parse = parse_heatmap;
		usage = usage_heatmap;
	} else if (!strcmp(a->kind, "metrics")) {
		parse = parse_none;
		usage = usage_metrics;
	} else {
		parse = parse_wss;
		usage = usage_wss;
	}
	for (i = 2; i < argc; i++) {
		if (is_help(argv[i])) {
			usage(stdout);
			return 1;
		}
		taken = parse_common(a, argc, argv, &i);
		if (!taken)
			taken = parse(a, argc, argv, &i);
		if (taken < 0)
			return -1;
		if (!taken)
			return cli_fail("report %s: unknown option '%s' (see 'udamon report %s --help')",
					a->kind, argv[i], a->kind);
	}
	if (parse == parse_access && report_check_access(&a->access))
		return -1;
	return 0;
}

static size_t nr_snapshots_max(const struct udamon_record *recs, size_t nr)
{
	size_t i, n = 0;

	for (i = 0; i < nr; i++)
		if (recs[i].nr_snapshots > n)
			n = recs[i].nr_snapshots;
	return n;
}

/* Turn a report's negative errno into a message about the user's input. */
static int report_error(const struct report_args *a, int err,
			const struct udamon_record *recs, size_t nr)
{
	size_t i;

	switch (err) {
	case -ERANGE:
		for (i = 0; i < nr; i++) {
			long n = (long)recs[i].nr_snapshots;
			long idx = a->access.snapshot_idx;

			if (n && (idx >= n || idx < -n))
				return cli_error("--snapshot_idx %ld is out of range: '%s' has %ld snapshots for target id %d (valid: 0 to %ld, or -1 to -%ld)",
						 idx, a->input, n,
						 recs[i].target_id, n - 1, n);
		}
		break;
	case -ENOENT:
		return cli_error("--tid %d: '%s' has no record of that target id",
				 a->heatmap.target_id, a->input);
	case -ENODATA:
		return cli_error("'%s' has no snapshot to draw a heatmap from",
				 a->input);
	case -EINVAL:
		return cli_error("report %s: invalid options for '%s'", a->kind,
				 a->input);
	case -EIO:
		if (!strcmp(a->kind, "heatmap") &&
		    a->heatmap.output_kind == UDAMON_HEATMAP_PICTURE)
			return cli_error("report heatmap: cannot write '%s' (expected a writable file path)",
					 a->heatmap.output);
		if (!strcmp(a->kind, "wss") && a->wss.plot)
			return cli_error("report wss: cannot write '%s' (expected a writable file path)",
					 a->wss.plot);
		break;
	}
	return cli_error("report %s of '%s' failed: %s", a->kind, a->input,
			 strerror(-err));
}

static int report_heatmap(struct report_args *a,
			  const struct udamon_record *recs, size_t nr)
{
	struct udamon_heatmap_opts *o = &a->heatmap;

	o->color = o->output_kind == UDAMON_HEATMAP_TEXT &&
		isatty(STDOUT_FILENO);
	return udamon_report_heatmap(stdout, recs, nr, o);
}

static int run_report(struct report_args *a)
{
	struct udamon_record *recs = NULL;
	char err[512];
	size_t nr = 0;
	int ret;

	if (a->index >= 0 && a->has_input)
		return cli_error("report: --index reads a running monitor, --input "
				 "a file: give one of them");
	if (a->index >= 0 || (!a->has_input && live_any())) {
		if (live_fetch_all(a->index, &recs, &nr))
			return 1;
		a->input = "the running monitors";
		/* as damo's live report: the current snapshot, unless chosen */
		a->access.last_only = !a->access.nr_snap_ranges;
		ret = 0;
	} else {
		ret = udamon_record_read(a->input, &recs, &nr, err, sizeof(err));
	}
	if (ret == -ENOENT)
		return cli_error("%s (make one with 'udamon record', or name one with --input FILE)",
				 err);
	if (ret)
		return cli_error("%s", err);
	if (!nr_snapshots_max(recs, nr)) {
		udamon_records_free(recs, nr);
		return cli_error("'%s' holds no snapshot", a->input);
	}
	if (!strcmp(a->kind, "access"))
		ret = udamon_report_access(stdout, recs, nr, &a->access);
	else if (!strcmp(a->kind, "heatmap"))
		ret = report_heatmap(a, recs, nr);
	else
		ret = udamon_report_wss(stdout, recs, nr, &a->wss);
	if (!ret && fflush(stdout))
		ret = -errno;
	ret = ret ? report_error(a, ret, recs, nr) : 0;
	udamon_records_free(recs, nr);
	return ret;
}

int cmd_report(int argc, char **argv)
{
	struct report_args a = {
		.input = DEFAULT_INPUT,
		.index = -1,
		.access = { .snapshot_idx = -1 },
		.wss = { .acc_thres = 1, .sz_thres = 1, .nr_cols_bar = 59 },
	};
	int ret;

	if (argc < 2) {
		usage_main(stderr);
		return cli_error("report: missing the report type: expected access, heatmap, wss, damon or metrics");
	}
	if (is_help(argv[1])) {
		usage_main(stdout);
		return 0;
	}
	a.kind = argv[1];
	if (!strcmp(a.kind, "damon"))
		return cmd_status(argc - 1, argv + 1);
	if (strcmp(a.kind, "access") && strcmp(a.kind, "heatmap") &&
	    strcmp(a.kind, "wss") && strcmp(a.kind, "metrics"))
		return cli_error("report: unknown report type '%s': expected access, heatmap, wss, damon or metrics",
				 a.kind);
	a.access.color = isatty(STDOUT_FILENO);
	ret = parse_args(&a, argc, argv);
	if (ret)
		return ret > 0 ? 0 : 1;
	if (!strcmp(a.kind, "metrics")) {
		if (a.index >= 0 && a.has_input)
			return cli_error("report: --index reads a running monitor, --input a file: give one of them");
		if (metrics_scrape(stdout, a.index, a.has_input ? a.input : NULL))
			return 1;
		return fflush(stdout) ? cli_error("report metrics: cannot write: %s",
						  strerror(errno)) : 0;
	}
	return run_report(&a);
}
