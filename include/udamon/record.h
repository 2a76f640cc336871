/* SPDX-License-Identifier: MIT */
/*
 * damo-compatible record files (record/): a JSON array of records, one per
 * target (damo's record format), plain or as a zlib stream.
 */
#ifndef UDAMON_RECORD_H
#define UDAMON_RECORD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "udamon.h"

enum udamon_record_format {
	UDAMON_RECORD_JSON_COMPRESSED,
	UDAMON_RECORD_JSON,
};

/* One target's record. Snapshots own their region arrays. */
struct udamon_record {
	int kdamond_idx;
	int context_idx;
	int target_id;
	uint64_t sample_us;
	uint64_t aggr_us;
	uint64_t ops_update_us;
	bool has_goal;
	struct udamon_intervals_goal goal;
	struct udamon_snapshot *snapshots;
	size_t nr_snapshots;
	size_t cap_snapshots;
	/*
	 * udamon extensions, written under the key "udamon" of the record
	 * object, ignored by damo: nr_cpus (> 0 when snapshot regions hold
	 * cpu_samples), lost fault events, the filters in words, the process
	 * id of a vaddr target (0: none), the fault event source that gave
	 * CPUs and threads ("bpf", "perf", ...; NULL: none),
	 * the run's stats.
	 */
	int pid;
	unsigned int nr_cpus;
	uint64_t lost_events;
	char *filters_desc;
	char *fault_source;
	/*
	 * The run's counters (overruns, unchecked samples, huge pages split
	 * and restored), written as udamon keys of every record.
	 */
	struct udamon_stats stats;
};

/* Append a deep copy of snap (its regions and cpu_samples). */
int udamon_record_add_snapshot(struct udamon_record *rec,
			       const struct udamon_snapshot *snap);
/* Free the n oldest snapshots (all when n is larger). */
void udamon_record_drop_oldest(struct udamon_record *rec, size_t n);
void udamon_record_free(struct udamon_record *rec);	/* contents only */
void udamon_records_free(struct udamon_record *recs, size_t nr); /* + array */

/*
 * Write records to path atomically (temporary file, then rename). When
 * rename_old and path exists, it is first renamed to path.old. An existing
 * path that is not a regular file (a directory, /dev/null, a FIFO) is
 * refused (-EINVAL): the rename would replace it.
 */
/* 0 if path may be written by udamon_record_write, else -EINVAL and why. */
int udamon_record_check_path(const char *path, char *err, size_t errlen);
int udamon_record_write(const char *path, enum udamon_record_format fmt,
			const struct udamon_record *recs, size_t nr,
			bool rename_old, char *err, size_t errlen);
/* The same text to an open stream (no temporary file, no rename). */
int udamon_record_write_stream(FILE *f, enum udamon_record_format fmt,
			       const struct udamon_record *recs, size_t nr);
/* Read either format (detected from the content). */
int udamon_record_read(const char *path, struct udamon_record **recs,
		       size_t *nr, char *err, size_t errlen);
/* The same from an open stream; name is used in messages. */
int udamon_record_read_stream(FILE *f, const char *name,
			      struct udamon_record **recs, size_t *nr,
			      char *err, size_t errlen);
int udamon_record_format_parse(const char *s, enum udamon_record_format *fmt,
			       char *err, size_t errlen);

/*
 * The intervals in force for one snapshot: its own when set, else the
 * record's.
 */
void udamon_record_snapshot_intervals(const struct udamon_record *rec,
				      const struct udamon_snapshot *snap,
				      uint64_t *sample_us, uint64_t *aggr_us);
/* nr_accesses as a percent of the samples of one aggregation (floored). */
unsigned int udamon_record_access_percent(const struct udamon_record *rec,
					  const struct udamon_snapshot *snap,
					  unsigned int nr_accesses);

#endif
