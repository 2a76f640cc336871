// SPDX-License-Identifier: MIT
/* Running monitors' snapshots as records, over the control channel. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/cli.h"
#include "cli/control_client.h"
#include "cli/live_records.h"
#include "cli/rundir.h"

static int append(struct udamon_record **recs, size_t *nr,
		  struct udamon_record *add, size_t nr_add)
{
	struct udamon_record *n = realloc(*recs, (*nr + nr_add) * sizeof(*n));

	if (!n) {
		udamon_records_free(add, nr_add);
		return cli_fail("out of memory");
	}
	memcpy(n + *nr, add, nr_add * sizeof(*add));
	free(add);
	*recs = n;
	*nr += nr_add;
	return 0;
}

int live_fetch(int index, uint64_t since_ns, struct udamon_record **recs,
	       size_t *nr, uint64_t *last_ns, bool *missed)
{
	struct json_object *req = json_object_new_object(), *ans, *r;
	struct udamon_record *got = NULL;
	char err[512], name[64];
	const char *text;
	size_t nr_got = 0;
	FILE *f;
	int ret;

	json_object_object_add(req, "since_ns",
			       json_object_new_int64((int64_t)since_ns));
	ret = control_call(index, "snapshots", req, &ans);
	if (ret)
		return ret;
	if (!json_object_object_get_ex(ans, "records", &r)) {
		json_object_put(ans);
		return cli_fail("monitor %d: no records in its answer", index);
	}
	*last_ns = (uint64_t)control_int(ans, "last_ns");
	*missed = json_object_object_get_ex(ans, "missed", &r) &&
		  json_object_get_boolean(r);
	json_object_object_get_ex(ans, "records", &r);
	text = json_object_to_json_string_ext(r, JSON_C_TO_STRING_PLAIN);
	snprintf(name, sizeof(name), "monitor %d", index);
	f = fmemopen((void *)text, strlen(text), "r");
	ret = f ? udamon_record_read_stream(f, name, &got, &nr_got, err,
					    sizeof(err)) : -ENOMEM;
	if (f)
		fclose(f);
	json_object_put(ans);
	if (ret)
		return cli_fail("monitor %d: its snapshots do not read: %s",
				index, ret == -ENOMEM ? "out of memory" : err);
	return append(recs, nr, got, nr_got);
}

bool live_any(void)
{
	struct rundir_entry *v = NULL;
	size_t n = 0;
	bool any = false;

	if (access(rundir_path(), R_OK | X_OK))
		return false;
	if (rundir_list(&v, &n))
		return false;
	for (size_t i = 0; i < n; i++)
		any |= v[i].state == RUNDIR_ALIVE;
	free(v);
	return any;
}

int live_fetch_all(int index, struct udamon_record **recs, size_t *nr)
{
	struct rundir_entry *v;
	uint64_t last;
	bool missed;
	size_t n;
	int ret = 0;

	*recs = NULL;
	*nr = 0;
	if (control_targets(index, &v, &n))
		return -1;
	for (size_t i = 0; i < n && !ret; i++) {
		ret = live_fetch(v[i].index, 0, recs, nr, &last, &missed);
		if (ret == CONTROL_GONE)
			ret = 0;
	}
	free(v);
	if (ret) {
		udamon_records_free(*recs, *nr);
		*recs = NULL;
		*nr = 0;
		return -1;
	}
	if (!*nr)
		return cli_fail("no monitor is running");
	return 0;
}
