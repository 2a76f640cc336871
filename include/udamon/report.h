/* SPDX-License-Identifier: MIT */
/* Text reports in damo's formats (report/). */
#ifndef UDAMON_REPORT_H
#define UDAMON_REPORT_H

#include <stdbool.h>
#include <stdio.h>

#include "record.h"

/* Region sort keys of damo's --sort_regions_by. */
enum udamon_sort_key {
	UDAMON_SORT_ADDRESS,
	UDAMON_SORT_ACCESS_RATE,
	UDAMON_SORT_AGE,
	UDAMON_SORT_SIZE,
	UDAMON_SORT_TEMPERATURE,
	UDAMON_NR_SORT_KEYS,
};

#define UDAMON_MAX_RANGES	16

/* An inclusive [min, max] bound of damo's region filters. */
struct udamon_minmax {
	uint64_t min;
	uint64_t max;
};

struct udamon_access_opts {
	/*
	 * compact: udamon's one-line-per-region layout of one snapshot
	 * (snapshot_idx, -1 the last; all_snapshots: every one). Else damo's
	 * detailed layout of the snapshots the filters keep.
	 */
	bool compact;
	long snapshot_idx;
	bool all_snapshots;
	bool show_cpus;		/* add per-CPU share columns when recorded */
	bool raw_number;	/* damo's machine-friendly numbers */
	bool json;		/* the filtered records as damo's JSON */
	bool total_sz_only;	/* only each snapshot's total size */
	bool color;		/* colour the snapshot heat bar (ANSI) */
	bool last_only;		/* only each record's last snapshot (live) */
	/* damo's --snapshot_idx START END ranges (inclusive), none: all */
	size_t nr_snap_ranges;
	long snap_ranges[UDAMON_MAX_RANGES][2];
	/* region filters (damo's access pattern and --address) */
	bool has_sz, has_rate, has_age;
	struct udamon_minmax sz;	/* bytes */
	struct udamon_minmax rate;	/* percent */
	struct udamon_minmax age_us;
	size_t nr_addr_ranges;		/* sorted, not overlapping */
	struct udamon_range addr_ranges[UDAMON_MAX_RANGES];
	/* sort keys applied in order; dsc: bit per key */
	size_t nr_sort_keys;
	enum udamon_sort_key sort_keys[UDAMON_NR_SORT_KEYS];
	unsigned int sort_dsc;
};

enum udamon_heatmap_output {
	UDAMON_HEATMAP_TEXT,	/* digits 0-9 and legend lines */
	UDAMON_HEATMAP_RAW,	/* damo's raw: "<time>\t<address>\t<heat>" */
	UDAMON_HEATMAP_PICTURE,	/* output: a .png, .svg or .pdf file */
};

struct udamon_heatmap_opts {
	/* rows and columns; 0: damo's 40 x 80 (text), 500 x 500 (else) */
	unsigned int time_resol;
	unsigned int addr_resol;
	enum udamon_heatmap_output output_kind;
	const char *output;		/* the picture's path */
	bool color;			/* ANSI colours in the text */
	bool abs_time, abs_addr;	/* raw and picture axes: absolute */
	/*
	 * time range in ns: absolute, or from the start or end of the
	 * record's whole time (damo's "guided" bases); else that whole time
	 */
	bool has_time_range;
	uint64_t time_range[2];
	enum { UDAMON_TIME_ABS, UDAMON_TIME_GUIDED,
	       UDAMON_TIME_GUIDED_END } time_base;
	/* which record: the one of target_id, else the widest (as damo) */
	bool has_target_id;
	int target_id;
	/* address range; else the hottest contiguous range (as damo) */
	bool has_addr_range;
	struct udamon_range addr_range;
};

struct udamon_wss_opts {
	const unsigned int *percentiles;	/* NULL: 0,25,50,75,100 */
	size_t nr_percentiles;
	unsigned int min_pct;		/* count regions with percent >= this */
	unsigned int acc_thres;		/* ... and samples >= this (damo: 1) */
	uint64_t sz_thres;		/* ... and size >= this (damo: 1) */
	size_t exclude_snapshots;	/* skip the first this many */
	bool per_target;		/* else targets summed, as damo */
	/*
	 * damo's unit of work: snapshots are merged until they span this
	 * many us (0 or 1: each snapshot alone); a last short group is
	 * dropped, as damo
	 */
	uint64_t work_time_us;
	bool sort_by_time;		/* percentiles of runtime, not sizes */
	bool all_wss;			/* every working set size, in order */
	bool raw_number;		/* sizes in bytes */
	unsigned int nr_cols_bar;	/* bar width; 0: none (default 59) */
	const char *plot;		/* draw into this .png/.svg/.pdf */
};

/*
 * One source of metrics: a running monitor (index >= 0, with the counters
 * of its status) or a record file (index < 0). recs hold at least the
 * latest snapshot of each target; the metrics describe that one.
 */
struct udamon_metrics_src {
	int index;
	const struct udamon_record *recs;
	size_t nr_recs;
	const char *filters_desc;	/* NULL: the records' */
	/* the intervals in force (auto-tuned ones); 0: the records' */
	uint64_t sample_us, aggr_us, ops_update_us;
	bool has_status;		/* the counters below are set */
	uint64_t samples, snapshots, reports_seen, reports_counted;
	uint64_t lost_events;
	uint64_t aggr_overruns, sample_overruns;
	double uptime_s;
	double cpu_s;			/* the monitor's own CPU time; < 0: unknown */
};

/*
 * Prometheus text exposition (format 0.0.4) of the sources: per monitor
 * and target the working set (bytes of regions with at least one sampled
 * access: written bytes under write-only monitoring), bytes by access-rate
 * bucket, each CPU's share of the counted samples, lost events, intervals,
 * and for monitors their counters (overruns too) and own CPU time.
 */
int udamon_report_metrics(FILE *out, const struct udamon_metrics_src *srcs,
			  size_t nr);

/*
 * Each function returns 0, or a negative errno: -ERANGE when
 * snapshot_idx is past a record's snapshots, -ENOENT when the heatmap's
 * target_id is in no record, -ENODATA when there is no snapshot to draw,
 * -EINVAL for an empty time or address range; a picture that cannot be
 * written returns -EIO or the errno of its file.
 */

int udamon_report_access(FILE *out, const struct udamon_record *recs,
			 size_t nr, const struct udamon_access_opts *o);
int udamon_report_heatmap(FILE *out, const struct udamon_record *recs,
			  size_t nr, const struct udamon_heatmap_opts *o);
int udamon_report_wss(FILE *out, const struct udamon_record *recs, size_t nr,
		      const struct udamon_wss_opts *o);

#endif
