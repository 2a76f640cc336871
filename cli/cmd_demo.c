// SPDX-License-Identifier: MIT
/*
 * udamon demo: write-only monitoring of a real built-in workload, then the
 * engine on a simulated address space with plain, write-only and
 * CPU-0-only monitoring side by side.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "cli/demo_workload.h"
#include "cli/mechanism.h"
#include "cli/monitor.h"
#include "cli/options.h"
#include "udamon/ops.h"
#include "udamon/record.h"
#include "udamon/report.h"
#include "udamon/textfmt.h"

#define MiB (1024ull * 1024)

struct demo_opts {
	uint64_t seconds_us;
	bool real;
	bool sim;
};

static void demo_usage(FILE *f)
{
	fprintf(f,
		"usage: udamon demo [--seconds TIME] [--real | --sim]\n\n"
		"Monitor a built-in workload (a range written, a range only read,\n"
		"a range idle) with write-only monitoring, and print its access\n"
		"table and heatmap; then run the engine on a simulated address\n"
		"space with plain, write-only and CPU-0-only monitoring.\n\n"
		"  --seconds TIME   how long to monitor the real workload (default 3 s)\n"
		"  --real           only the real workload\n"
		"  --sim            only the simulation\n");
}

static void print_record(const struct udamon_record *rec)
{
	struct udamon_access_opts ao = { .compact = true, .snapshot_idx = -1 };
	struct udamon_heatmap_opts ho = { .time_resol = 12, .addr_resol = 60 };

	udamon_report_access(stdout, rec, 1, &ao);
	printf("\n");
	udamon_report_heatmap(stdout, rec, 1, &ho);
}

static int demo_real(const struct demo_opts *d)
{
	struct demo_workload w;
	struct monitor m;
	struct mon_opts o;
	int err;

	mon_opts_init(&o);
	o.use_reports = o.write_only = true;
	if (mechanism_check_write_reports()) {
		printf("(write monitoring of a real process is not possible here, "
		       "see above: showing the simulation only)\n\n");
		return 0;
	}
	if (demo_workload_start(&w, 4 * MiB))
		return -1;
	o.regions = malloc(sizeof(*o.regions));
	if (!o.regions)
		return cli_fail("out of memory");
	o.regions[0].start = w.base;
	o.regions[0].end = w.base + 3 * w.part;
	o.nr_regions = 1;
	memset(&m, 0, sizeof(m));
	monitor_adopt_child(&m, w.pid);
	m.timeout_us = d->seconds_us;
	m.quiet = true;
	printf("== Real process %d, write-only monitoring for %llu ms ==\n",
	       w.pid, (unsigned long long)(d->seconds_us / 1000));
	printf("written continuously: [%#llx, %#llx)  (the lowest third)\n"
	       "only read:            [%#llx, %#llx)  (the middle third)\n"
	       "idle:                 [%#llx, %#llx)  (the highest third)\n"
	       "Expect the lowest third hot and the rest cold: reads are not "
	       "counted.\n\n",
	       (unsigned long long)w.base, (unsigned long long)(w.base + w.part),
	       (unsigned long long)(w.base + w.part),
	       (unsigned long long)(w.base + 2 * w.part),
	       (unsigned long long)(w.base + 2 * w.part),
	       (unsigned long long)(w.base + 3 * w.part));
	err = monitor_setup(&m, &o);
	if (!err)
		err = monitor_run(&m);
	if (!err)
		print_record(&m.recs[0]);
	monitor_finish(&m);
	mon_opts_free(&o);
	printf("\n");
	return err;
}

/* ---- simulation ------------------------------------------------------ */

struct fake_clock {
	uint64_t ns;
};

static uint64_t fake_now(void *data)
{
	return ((struct fake_clock *)data)->ns;
}

static void fake_sleep(void *data, uint64_t us)
{
	((struct fake_clock *)data)->ns += us * 1000;
}

static const struct udamon_range sim_maps[] = {
	{ 0x10000000, 0x10400000 },	/* 4 MiB: the simulated heap */
	{ 0x20000000, 0x20200000 },	/* gaps make the three regions */
	{ 0x7f0000000000, 0x7f0000100000 },
};

static const struct udamon_sim_range sim_ranges[] = {
	/* written every sample by CPU 0 */
	{ 0x10000000, 0x10100000, 10000, true, 0, 101 },
	/* read every sample by CPU 1 */
	{ 0x10100000, 0x10200000, 10000, false, 1, 102 },
	/* written half of the samples by CPU 1 */
	{ 0x10200000, 0x10300000, 5000, true, 1, 103 },
	/* the last MiB of the heap: idle */
};

/*
 * Access rate, 0..1, of [start, end) in one snapshot: the regions that
 * overlap it, weighted by the bytes they share with it.
 */
static double range_rate(const struct udamon_snapshot *snap, uint64_t start,
			 uint64_t end, uint64_t aggr_samples)
{
	double acc = 0;
	uint64_t covered = 0;

	for (size_t i = 0; i < snap->nr_regions; i++) {
		const struct udamon_snapshot_region *r = &snap->regions[i];
		uint64_t lo = r->start > start ? r->start : start;
		uint64_t hi = r->end < end ? r->end : end;

		if (lo >= hi)
			continue;
		covered += hi - lo;
		acc += (double)(hi - lo) * r->nr_accesses / aggr_samples;
	}
	return covered ? acc / covered : 0;
}

/* What each simulated range measured, over every snapshot of the run. */
static void print_range_means(const struct udamon_record *rec)
{
	uint64_t l = rec->aggr_us / rec->sample_us;
	static const char *const what[] = {
		"written by CPU 0 in every sample",
		"read by CPU 1 in every sample",
		"written by CPU 1, each sample with chance 1/2",
	};

	printf("mean access rate of each range over all %zu aggregations "
	       "(%.1f s):\n", rec->nr_snapshots,
	       rec->nr_snapshots * rec->aggr_us / 1e6);
	for (size_t k = 0; k < sizeof(sim_ranges) / sizeof(sim_ranges[0]);
	     k++) {
		double sum = 0;

		for (size_t i = 0; i < rec->nr_snapshots; i++)
			sum += range_rate(&rec->snapshots[i],
					  sim_ranges[k].start,
					  sim_ranges[k].end, l ? l : 1);
		printf("  %-46s %3.0f %%\n", what[k],
		       rec->nr_snapshots ? 100 * sum / rec->nr_snapshots : 0);
	}
}

static void sim_snapshot(struct udamon_ctx *ctx, size_t t,
			 const struct udamon_snapshot *snap, void *data)
{
	udamon_record_add_snapshot(data, snap);
}

static int sim_run(const char *title, bool reports,
		   const struct udamon_filter *filters, size_t nr_filters)
{
	struct udamon_sim_pattern p = {
		sim_maps, 3, sim_ranges, sizeof(sim_ranges) / sizeof(sim_ranges[0]),
	};
	struct fake_clock fc = { 1000000000ull };
	struct udamon_record rec;
	struct udamon_ctx *ctx = udamon_ctx_new();
	int err = -1;

	memset(&rec, 0, sizeof(rec));
	if (!ctx)
		return cli_fail("out of memory");
	udamon_rng_seed(&ctx->rng, 42);
	ctx->clock.now_ns = fake_now;
	ctx->clock.cpu_ns = NULL;	/* no CPU budget on a simulated clock */
	ctx->clock.sleep_us = fake_sleep;
	ctx->clock.data = &fc;
	ctx->on_snapshot = sim_snapshot;
	ctx->on_snapshot_data = &rec;
	rec.sample_us = ctx->attrs.sample_us;
	rec.aggr_us = ctx->attrs.aggr_us;
	rec.ops_update_us = ctx->attrs.ops_update_us;
	ctx->use_reports = reports;
	if (udamon_ctx_add_target(ctx, 0) || udamon_sim_attach(ctx, &p) ||
	    udamon_ctx_set_filters(ctx, filters, nr_filters) ||
	    udamon_ctx_start(ctx)) {
		cli_error("demo: %s", udamon_ctx_errmsg(ctx));
		goto out;
	}
	while (rec.nr_snapshots < 30)
		if (udamon_ctx_step(ctx)) {
			cli_error("demo: %s", udamon_ctx_errmsg(ctx));
			goto out;
		}
	printf("== Simulation: %s ==\n", title);
	{
		struct udamon_access_opts ao = { .compact = true, .snapshot_idx = -1 };

		udamon_report_access(stdout, &rec, 1, &ao);
	}
	print_range_means(&rec);
	printf("\n");
	err = 0;
out:
	udamon_ctx_free(ctx);
	udamon_record_free(&rec);
	return err;
}

static int demo_sim(void)
{
	struct udamon_filter f;
	uint64_t cpu0 = 1;
	int err;

	printf("Simulated space: [256 MiB, 257 MiB) written by CPU 0 in every "
	       "sample, [257 MiB, 258 MiB)\nread by CPU 1 in every sample, "
	       "[258 MiB, 259 MiB) written by CPU 1 in each sample\nwith "
	       "chance 1/2, [259 MiB, 260 MiB) idle; the rest is never "
	       "accessed. Each table is\nthe last 100 ms aggregation (20 "
	       "samples): there the chance-1/2 range counts a\nrandom number "
	       "of samples around 10 (50 %%); the mean over the 3 s follows "
	       "below it.\nRegions are adaptive: one that straddles two "
	       "ranges counts for both (a few %%\non an unwritten range next "
	       "to a written one).\n\n");
	err = sim_run("plain monitoring (all accesses)", false, NULL, 0);
	memset(&f, 0, sizeof(f));
	f.type = UDAMON_FILTER_WRITE;
	f.matching = f.allow = true;
	if (!err)
		err = sim_run("write-only (--exp_ops_write_only y)", true, &f, 1);
	f.type = UDAMON_FILTER_CPUMASK;
	f.cpus.nbits = 1;
	f.cpus.bits = &cpu0;
	if (!err)
		err = sim_run("CPU 0 only (--exp_ops_cpus 0)", true, &f, 1);
	return err;
}

static int parse_demo_args(struct demo_opts *d, int argc, char **argv)
{
	char err[512];

	for (int i = 1; i < argc; i++) {
		const char *v;

		if (!strcmp(argv[i], "-h") || !strcmp(argv[i], "--help")) {
			demo_usage(stdout);
			return 1;
		} else if (!strcmp(argv[i], "--real")) {
			d->sim = false;
		} else if (!strcmp(argv[i], "--sim")) {
			d->real = false;
		} else if (cli_opt_is(argv[i], "--seconds")) {
			v = cli_opt_value(argc, argv, &i, "--seconds");
			if (!v)
				return -1;
			if (udamon_parse_time_us(v, 1000000, &d->seconds_us, err,
						 sizeof(err)))
				return cli_fail("--seconds: %s", err);
			if (!d->seconds_us)
				return cli_fail("--seconds %s: expected a positive "
						"time (the demo's workload runs "
						"until the demo stops it)", v);
		} else {
			return cli_fail("demo: unknown argument '%s' (see 'udamon "
					"demo --help')", argv[i]);
		}
	}
	return 0;
}

int cmd_demo(int argc, char **argv)
{
	struct demo_opts d = { 3000000, true, true };
	int ret = parse_demo_args(&d, argc, argv);

	if (ret)
		return ret < 0 ? 1 : 0;
	if (d.real && demo_real(&d))
		return 1;
	if (d.sim && demo_sim())
		return 1;
	return 0;
}
