/* SPDX-License-Identifier: MIT */
/*
 * libudamon: DAMON-style data access monitoring in user space.
 *
 * The engine (core/) knows nothing about Linux: an operations set (ops/)
 * says what a target's address space is and checks accesses, either by
 * marking regions accessed (page_table style) or by pushing access reports
 * (page_fault style) that the engine filters and consumes per sample.
 *
 * Functions return 0 or a negative errno.  Where a human-readable reason
 * exists it is left in ctx->errmsg (udamon_ctx_errmsg()).
 */
#ifndef UDAMON_UDAMON_H
#define UDAMON_UDAMON_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define UDAMON_MIN_REGION	4096UL
#define UDAMON_ERRMSG_LEN	512

/* ---- small shared types ------------------------------------------------ */

/* A half-open address range [start, end). */
struct udamon_range {
	uint64_t start;
	uint64_t end;
};

/* A set of CPUs; bit i of bits[i / 64] is CPU i. nbits = possible CPUs. */
struct udamon_cpumask {
	unsigned int nbits;
	uint64_t *bits;
};

/* Seedable deterministic random source (lib/random.c). */
struct udamon_rng {
	uint64_t state;
};

void udamon_rng_seed(struct udamon_rng *rng, uint64_t seed);
uint64_t udamon_rng_next(struct udamon_rng *rng);
/* Uniform in [lo, hi); returns lo when hi <= lo. */
uint64_t udamon_rng_range(struct udamon_rng *rng, uint64_t lo, uint64_t hi);

/* Injectable time: tests drive the engine without sleeping. */
struct udamon_clock {
	uint64_t (*now_ns)(void *data);		/* CLOCK_MONOTONIC-like */
	void (*sleep_us)(void *data, uint64_t us);
	void *data;
	/* CPU time the monitor has used; NULL: no CPU budget (tests) */
	uint64_t (*cpu_ns)(void *data);
};

/* The real clock: CLOCK_MONOTONIC, nanosleep, CLOCK_PROCESS_CPUTIME_ID. */
extern const struct udamon_clock udamon_clock_real;
/* CLOCK_MONOTONIC in nanoseconds. */
uint64_t udamon_now_ns(void);
/* CPU time of the calling thread in nanoseconds. */
uint64_t udamon_thread_cpu_ns(void);

/* ---- access reports and sample filters (docs/FIDELITY.md) ------------- */

#define UDAMON_UNKNOWN_ADDR	UINT64_MAX
#define UDAMON_UNKNOWN_CPU	(-1)
#define UDAMON_UNKNOWN_TID	(-1)

/*
 * Where a report comes from decides where it counts. A fault (one udamon
 * induced by arming a page, or any other: first touch, copy-on-write, an
 * older armed page) counts only on its region's current sampling page, as
 * DAMON checks one page per region; elsewhere it only says who wrote. A
 * report of an unbiased source (a hardware sampler, a check of the
 * sampling page itself, the simulator) counts anywhere in the region.
 */
enum udamon_report_source {
	UDAMON_REPORT_ANYWHERE = 0,
	UDAMON_REPORT_FAULT,
};

struct udamon_access_report {
	uint64_t vaddr;		/* UDAMON_UNKNOWN_ADDR if unknown */
	uint64_t paddr;		/* UDAMON_UNKNOWN_ADDR if unknown */
	uint64_t size;		/* bytes covered, >= 1 */
	int cpu;		/* UDAMON_UNKNOWN_CPU if unknown */
	int tid;		/* UDAMON_UNKNOWN_TID if unknown */
	int is_write;		/* 1 write, 0 read, -1 unknown */
	uint64_t time_ns;	/* 0 if unknown */
	/*
	 * Index in ctx->targets of the address space vaddr/paddr belong to:
	 * a report counts only in its own target's regions. Out of range:
	 * not counted.
	 */
	size_t target;
	enum udamon_report_source source;
};

enum udamon_filter_type {
	UDAMON_FILTER_WRITE,
	UDAMON_FILTER_CPUMASK,
	UDAMON_FILTER_THREADS,
};

struct udamon_filter {
	enum udamon_filter_type type;
	bool matching;
	bool allow;
	struct udamon_cpumask cpus;	/* CPUMASK; owned by the filter */
	int *tids;			/* THREADS; sorted, owned */
	size_t nr_tids;
};

/* Does the type's test on @r equal f->matching? (unknown fields: test false) */
bool udamon_filter_matches(const struct udamon_filter *f,
			   const struct udamon_access_report *r);
/* Does @r pass every filter in order? No filters: true. */
bool udamon_filters_pass(const struct udamon_filter *filters, size_t nr,
			 const struct udamon_access_report *r);
/* Deep copy / free of one filter's owned data. */
int udamon_filter_copy(struct udamon_filter *dst, const struct udamon_filter *src);
void udamon_filter_free(struct udamon_filter *f);

/* ---- monitoring attributes ------------------------------------------- */

struct udamon_intervals_goal {
	uint64_t access_bp;	/* target access ratio in basis points */
	uint64_t aggrs;		/* tune every this many aggregations; 0 = off */
	uint64_t min_sample_us;
	uint64_t max_sample_us;
};

struct udamon_attrs {
	uint64_t sample_us;		/* default 5000 */
	uint64_t aggr_us;		/* default 100000 */
	uint64_t ops_update_us;		/* default 1000000 */
	uint64_t min_nr_regions;	/* default 10 */
	uint64_t max_nr_regions;	/* default 1000 */
	struct udamon_intervals_goal goal;	/* aggrs == 0: no auto-tuning */
	/*
	 * Keep the monitor's own CPU under this share of one CPU (basis
	 * points: 100 = 1 %) by lengthening the intervals; 0: no budget.
	 */
	uint64_t cpu_budget_bp;
};

void udamon_attrs_default(struct udamon_attrs *a);
/* 0 or -EINVAL with a message like "min_nr_regions (2) must be at least 3". */
int udamon_attrs_validate(const struct udamon_attrs *a, char *err, size_t errlen);

/* ---- regions and targets ---------------------------------------------- */

struct udamon_region {
	uint64_t start;
	uint64_t end;
	uint64_t sampling_addr;
	unsigned int nr_accesses;
	unsigned int last_nr_accesses;
	unsigned int nr_accesses_bp;
	unsigned int age;
	bool accessed;		/* this sample; set by ops or by reports */
	/*
	 * Not looked at in this sample: the engine leaves regions out when a
	 * sample cannot keep its interval, the ops when checking would harm
	 * the target (a huge page past its budget). Such samples neither
	 * count nor move nr_accesses_bp; at the aggregation, nr_accesses is
	 * scaled from the samples that were checked (nr_checked).
	 */
	bool unchecked;
	unsigned int nr_checked;	/* samples checked this aggregation */
	/*
	 * When the ops armed this sample's sampling page (0: not told). A
	 * fault report older than that counts not: a write before the arming
	 * is one that a check of the page would not see either.
	 */
	uint64_t armed_ns;
	/*
	 * With ops that check and arm in one pass (check_and_arm), each
	 * region's sampling page is armed in one pass and checked in the
	 * next, at the same place in the pass: armed says how the ops armed
	 * sampling_addr (their own non-zero code; 0: not armed); the engine
	 * moves it to check_addr/check_how/check_armed_ns when the next pass
	 * begins (check_how 0: nothing to check, the region is unchecked in
	 * that sample). skip_arm: arm nothing this pass (the engine checks
	 * fewer regions when samples overrun).
	 */
	unsigned char armed;
	unsigned char check_how;
	bool skip_arm;
	uint64_t check_addr;
	uint64_t check_armed_ns;
	int accessed_cpu;	/* CPU of the report that counted this sample */
	/*
	 * Per-CPU count of the samples counted in this aggregation, indexed by
	 * CPU, ctx->nr_cpus entries; NULL unless ctx->track_cpus.
	 */
	uint32_t *cpu_samples;
};

struct udamon_target {
	int pid;			/* for vaddr; 0 otherwise */
	struct udamon_region *regions;	/* sorted by address, non-overlapping */
	size_t nr_regions;
	size_t cap_regions;
	unsigned int nr_regions_at_split; /* count after the last split */
	/*
	 * The ops said the target is gone (target_valid false at an
	 * aggregation): its regions are freed, it gets no more snapshots,
	 * and its index stays (later targets keep theirs).
	 */
	bool ended;
	void *ops_data;			/* the ops set's per-target state */
};

/* ---- operations sets (mirrors struct damon_operations) --------------- */

struct udamon_ctx;

struct udamon_ops {
	const char *name;
	/* Set up initial regions of every target (unless the user gave some). */
	int (*init)(struct udamon_ctx *ctx);
	/* Refresh the regions from the address space (ops update interval). */
	int (*update)(struct udamon_ctx *ctx);
	/* Arm whatever is needed to see accesses during the coming sample. */
	int (*prepare_access_checks)(struct udamon_ctx *ctx);
	/*
	 * Find the accesses of the sample that just passed: set r->accessed
	 * (page_table style) and/or udamon_ctx_push_report() (report style).
	 */
	int (*check_accesses)(struct udamon_ctx *ctx);
	/*
	 * Instead of the two above: one pass over the regions, at each
	 * sample's wake-up, that checks each region's page armed in the last
	 * pass (r->check_addr, as r->check_how says; none when 0) and arms its
	 * new sampling page (r->sampling_addr unless r->skip_arm, setting
	 * r->armed), and sets r->armed_ns to when it did so. Every page is
	 * thus watched for one whole sample interval, however long the work
	 * of the pass takes (docs/FIDELITY.md). Fault reports (the ops push
	 * them during or after the pass) count for a region when they are on
	 * its checked page between check_armed_ns and armed_ns; those on its
	 * new page after armed_ns are kept for the next sample.
	 */
	int (*check_and_arm)(struct udamon_ctx *ctx);
	/* Is the target still there?  The run ends when no target is. */
	bool (*target_valid)(struct udamon_ctx *ctx, struct udamon_target *t);
	/* Optional: release what the ops holds for a target that ended. */
	void (*cleanup_target)(struct udamon_ctx *ctx, struct udamon_target *t);
	void (*cleanup)(struct udamon_ctx *ctx);
};

/* ---- snapshots: what an aggregation yields ---------------------------- */

struct udamon_snapshot_region {
	uint64_t start;
	uint64_t end;
	unsigned int nr_accesses;	/* samples */
	unsigned int age;		/* aggregation intervals */
	uint32_t *cpu_samples;		/* nr_cpus entries or NULL */
};

struct udamon_snapshot {
	uint64_t start_time_ns;
	uint64_t end_time_ns;
	uint64_t total_bytes;
	uint64_t sample_us;		/* intervals in force for this snapshot */
	uint64_t aggr_us;
	size_t nr_regions;
	struct udamon_snapshot_region *regions;
};

/*
 * Called once per target at every aggregation, before counts reset;
 * targets that ended get no more calls.
 */
typedef void (*udamon_snapshot_fn)(struct udamon_ctx *ctx, size_t target_idx,
				   const struct udamon_snapshot *snap, void *data);

/* ---- statistics -------------------------------------------------------- */

/*
 * What the loop and the ops did since the start, for status reports and
 * the record (udamon-only keys). An overrun is a sample that could not
 * sleep at least half of its interval, or an aggregation that took more
 * than 125 % of its interval.
 */
struct udamon_stats {
	uint64_t nr_samples;
	uint64_t nr_aggregations;
	uint64_t sample_overruns;
	uint64_t aggr_overruns;
	uint64_t max_aggr_ns;		/* the longest aggregation */
	uint64_t unchecked;		/* region samples left unchecked */
	uint64_t thp_splits;		/* armed huge pages a write split */
	uint64_t thp_collapses;		/* split huge pages restored */
	uint64_t thp_collapse_failures;
	uint64_t budget_used_bp;	/* CPU share of the last budget window */
	uint64_t budget_changes;	/* intervals the CPU budget changed */
	/*
	 * The ops' source of access reports with CPU and thread, when one is
	 * on: "bpf", "perf" or "perf-software" for vaddr; "" when none.
	 */
	char fault_source[16];
};

/* ---- the monitoring context ------------------------------------------- */

struct udamon_ctx {
	struct udamon_attrs attrs;
	const struct udamon_ops *ops;
	void *ops_data;

	struct udamon_target *targets;
	size_t nr_targets;
	/*
	 * Targets come and go (a cgroup's processes): start with none, and
	 * run on while none is valid.
	 */
	bool open_targets;

	/* report-based checking: filters and the pending report buffer */
	bool use_reports;
	struct udamon_filter *filters;
	size_t nr_filters;
	struct udamon_access_report *reports;
	size_t nr_reports;
	size_t cap_reports;
	uint64_t nr_reports_seen;	/* statistics */
	uint64_t nr_reports_counted;
	uint64_t lost_reports;		/* reported lost by the event source */

	bool track_cpus;		/* fill region cpu_samples */
	unsigned int nr_cpus;

	/* loop state, counted in samples */
	uint64_t passed_samples;
	uint64_t next_aggr_sample;
	uint64_t next_update_sample;
	uint64_t next_goal_aggr;	/* aggregations left before auto-tune */
	uint64_t sz_limit;
	uint64_t sample_start_ns;	/* when the current sample began */
	uint64_t aggr_start_ns;		/* when the current aggregation began */
	uint64_t aggr_nr_samples;	/* samples in the current aggregation */
	uint64_t wake_ns;		/* when the last sample's sleep ended */
	/*
	 * Regions checked per sample: all of them unless samples overrun,
	 * then fewer, taken in turn from check_cursor on (adapted each
	 * sample; see engine.c).
	 */
	uint64_t max_checks;
	uint64_t check_cursor;
	uint64_t pass_checks;		/* regions armed by the last pass */
	uint64_t work_cpu_ns;		/* thread CPU time at the last wake */
	struct udamon_stats stats;

	/* CPU budget (core/budget.c) */
	uint64_t budget_wall_ns;	/* the current window began (0: not) */
	uint64_t budget_cpu_ns;		/* CPU time used when it began */
	uint64_t budget_base_sample_us;	/* the user's sample interval */
	uint64_t budget_floor_us;	/* auto-tuning goes no shorter; 0 */
	bool budget_first;		/* the first window (a shorter one) */

	/* pending online changes (udamon_ctx_commit) */
	bool has_pending;
	struct udamon_attrs pending_attrs;
	struct udamon_filter *pending_filters;
	size_t pending_nr_filters;

	struct udamon_rng rng;
	struct udamon_clock clock;
	udamon_snapshot_fn on_snapshot;
	void *on_snapshot_data;
	/* Called after each sample; non-zero return stops the loop. */
	int (*after_sample)(struct udamon_ctx *ctx, void *data);
	void *after_sample_data;

	volatile int stop;		/* set (e.g. from a signal) to stop */
	char errmsg[UDAMON_ERRMSG_LEN];
};

/* Allocate with defaults; attrs validated. ops may be NULL until run. */
struct udamon_ctx *udamon_ctx_new(void);
void udamon_ctx_free(struct udamon_ctx *ctx);
const char *udamon_ctx_errmsg(const struct udamon_ctx *ctx);
void udamon_ctx_set_error(struct udamon_ctx *ctx, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

int udamon_ctx_set_attrs(struct udamon_ctx *ctx, const struct udamon_attrs *a);
/* Replaces the filter list (deep copy). */
int udamon_ctx_set_filters(struct udamon_ctx *ctx,
			   const struct udamon_filter *filters, size_t nr);
/*
 * Append a target; its index is ctx->nr_targets - 1 and never changes.
 * Ops may add targets while running (new processes of a tree or cgroup),
 * but not while they hold pointers into ctx->targets (it may move).
 */
int udamon_ctx_add_target(struct udamon_ctx *ctx, int pid);

/*
 * Online change: new attrs and filters take effect at the next sample, as
 * a commit to the kernel's DAMON does, keeping regions. In the middle of
 * an aggregation the window restarts there: nr_accesses 0, the last
 * window's count and the ages rescaled to the new intervals; at an
 * aggregation boundary the counts are rescaled before the snapshot
 * (docs/FIDELITY.md). filters may be NULL to keep the current ones.
 */
int udamon_ctx_commit(struct udamon_ctx *ctx, const struct udamon_attrs *a,
		      const struct udamon_filter *filters, size_t nr_filters);

/* Queue a report for the current sample (ops call this). */
int udamon_ctx_push_report(struct udamon_ctx *ctx,
			   const struct udamon_access_report *r);

/* Start: ops init, first boundaries. Then step() one sample at a time. */
int udamon_ctx_start(struct udamon_ctx *ctx);
/* One sample: prepare, sleep, check, update, and boundaries. */
int udamon_ctx_step(struct udamon_ctx *ctx);
/* start + step until stop, after_sample says stop, or no target valid. */
int udamon_ctx_run(struct udamon_ctx *ctx);

/* ---- region helpers (pure functions, core/regions.c) ------------------ */

int udamon_target_set_regions(struct udamon_target *t,
			      const struct udamon_range *ranges, size_t nr);
/*
 * Initial regions: each range evenly split into pieces of about
 * sz = max(total / min_nr_regions, MIN), as the kernel's DAMON does.
 */
int udamon_target_init_regions(struct udamon_target *t,
			       const struct udamon_range *ranges, size_t nr,
			       uint64_t min_nr_regions);
/*
 * Update rule: drop regions outside @ranges, stretch edge regions to the
 * range edges, fill holes with new zero regions.
 */
int udamon_target_update_regions(struct udamon_target *t,
				 const struct udamon_range *ranges, size_t nr);
/*
 * Three-region rule: from sorted mappings, the two largest gaps split the
 * span into three ranges. Returns the number of ranges written (<= 3) or
 * -EINVAL when there are too few mappings.
 */
int udamon_three_regions(const struct udamon_range *maps, size_t nr,
			 struct udamon_range out[3]);
/* Index of the region containing addr, or -1 (binary search). */
long udamon_target_find_region(const struct udamon_target *t, uint64_t addr);
uint64_t udamon_target_total_bytes(const struct udamon_target *t);

#endif /* UDAMON_UDAMON_H */
