/* SPDX-License-Identifier: MIT */
/*
 * Where a record goes: the output path is checked before monitoring
 * starts, and the record is written out periodically (each time whole, to
 * a temporary file renamed over the path), so that a crash or kill -9
 * loses at most the last period.
 */
#ifndef UDAMON_CLI_RECORD_OUT_H
#define UDAMON_CLI_RECORD_OUT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "udamon/record.h"

#define RECORD_OUT_FLUSH_US	(10ull * 1000000)	/* default period */

struct record_out {
	const char *path;
	enum udamon_record_format fmt;
	uint64_t flush_us;	/* period; 0: only at the end */
	uint64_t next_ns;	/* when the next periodic write is due */
	bool moved_old;		/* an existing file was renamed .old */
	size_t nr_written;	/* snapshots in the last write */
	bool failed;		/* a periodic write failed (warned once) */
	bool set_mode;		/* chmod the file to mode after each write */
	unsigned int mode;	/* permission bits (damo's default: 0600) */
};

/* damo's --output_permission: octal, 0 to 777. -1 after printing why. */
int record_out_parse_mode(const char *s, unsigned int *mode);

/* Can path be written? -1 after printing why. */
int record_out_check(const char *path);
/* Start the period at now_ns. */
void record_out_begin(struct record_out *o, uint64_t now_ns);
/* Write now. -1 after printing why. */
int record_out_write(struct record_out *o, const struct udamon_record *recs,
		     size_t nr);
/* Write when a period has passed and something is new. */
void record_out_tick(struct record_out *o, const struct udamon_record *recs,
		     size_t nr, uint64_t now_ns);

#endif
