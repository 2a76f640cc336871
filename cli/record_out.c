// SPDX-License-Identifier: MIT
/* A record's output file: checked first, written out periodically. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli/cli.h"
#include "cli/record_out.h"

/*
 * A write may not take more than about 1/MAX_WRITE_SHARE of the run: a
 * long record is written less often than the period asks.
 */
#define MAX_WRITE_SHARE	20

int record_out_check(const char *path)
{
	size_t len = strlen(path) + 16;
	char *tmp, err[512];
	int fd;

	if (!*path)
		return cli_fail("--out: empty file name");
	if (udamon_record_check_path(path, err, sizeof(err)))
		return cli_fail("--out %s", err);
	tmp = malloc(len);
	if (!tmp)
		return cli_fail("out of memory");
	/* the same temporary file the writes use: same directory, same rights */
	snprintf(tmp, len, "%s.tmp.XXXXXX", path);
	fd = mkstemp(tmp);
	if (fd < 0) {
		int e = errno;

		free(tmp);
		return cli_fail("cannot write the record to '%s': %s (checked "
				"before monitoring starts)", path, strerror(e));
	}
	close(fd);
	unlink(tmp);
	free(tmp);
	return 0;
}

void record_out_begin(struct record_out *o, uint64_t now_ns)
{
	o->next_ns = now_ns + o->flush_us * 1000;
}

static size_t nr_snapshots(const struct udamon_record *recs, size_t nr)
{
	size_t n = 0;

	for (size_t i = 0; i < nr; i++)
		n += recs[i].nr_snapshots;
	return n;
}

int record_out_write(struct record_out *o, const struct udamon_record *recs,
		     size_t nr)
{
	char err[512];

	if (udamon_record_write(o->path, o->fmt, recs, nr, !o->moved_old, err,
				sizeof(err)))
		return cli_fail("cannot write the record: %s", err);
	o->moved_old = true;
	o->nr_written = nr_snapshots(recs, nr);
	if (o->set_mode && chmod(o->path, o->mode))
		return cli_fail("cannot set the permission of '%s' to %o: %s",
				o->path, o->mode, strerror(errno));
	return 0;
}

int record_out_parse_mode(const char *s, unsigned int *mode)
{
	char *end;
	unsigned long v;

	errno = 0;
	v = strtoul(s, &end, 8);
	if (!*s || *end || errno || *s == '-' || v > 0777)
		return cli_fail("--output_permission '%s': expected octal permission bits from 0 to 777, e.g. 600 or 644",
				s);
	*mode = (unsigned int)v;
	return 0;
}

void record_out_tick(struct record_out *o, const struct udamon_record *recs,
		     size_t nr, uint64_t now_ns)
{
	uint64_t took;

	if (!o->flush_us || now_ns < o->next_ns ||
	    nr_snapshots(recs, nr) == o->nr_written)
		return;
	if (record_out_write(o, recs, nr)) {
		if (!o->failed)
			cli_warn("the record could not be written out; "
				 "trying again every period");
		o->failed = true;
	}
	took = udamon_now_ns() - now_ns;
	o->next_ns = now_ns + o->flush_us * 1000;
	if (o->next_ns < now_ns + took * MAX_WRITE_SHARE)
		o->next_ns = now_ns + took * MAX_WRITE_SHARE;
}
