/* SPDX-License-Identifier: MIT */
/* The client side of the control channel, shared by every command. */
#ifndef UDAMON_CLI_CONTROL_CLIENT_H
#define UDAMON_CLI_CONTROL_CLIENT_H

#include <json-c/json.h>

#include "cli/rundir.h"

#define CONTROL_GONE	(-2)	/* the monitor was dead; cleaned and said */

/*
 * Ask monitor index: {"version":1,"cmd":cmd, ...fields of args} (args is
 * taken, may be NULL). 0 with *ans (the whole answer, "ok" true), -1 after
 * printing an error, or CONTROL_GONE when the monitor had died (its stale
 * files are removed and that was said).
 */
int control_call(int index, const char *cmd, struct json_object *args,
		 struct json_object **ans);

/*
 * The monitors to talk to: index (>= 0) or all. Dead ones are reported
 * and cleaned. -1 after printing (also when there is none).
 */
int control_targets(int index, struct rundir_entry **out, size_t *nr);

/*
 * Call fn(entry, arg) on monitor index (>= 0) or on every monitor; a dead
 * one is reported and cleaned instead. *found: how many there were. 0, 1
 * when a call failed, -1 after printing when they cannot be listed.
 */
int control_each(int index, int (*fn)(const struct rundir_entry *e, void *arg),
		 void *arg, size_t *found);

/* Take "--index N" at argv[*i]: 1 taken, 0 not it, -1 after printing. */
int control_parse_index(int argc, char **argv, int *i, int *index);

/* Integer or string field helpers of answers (0 / NULL when absent). */
long long control_int(struct json_object *o, const char *key);
const char *control_str(struct json_object *o, const char *key);

#endif
