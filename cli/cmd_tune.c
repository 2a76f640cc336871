// SPDX-License-Identifier: MIT
/*
 * udamon tune: give a running monitor a complete new parameter set, as
 * damo tune does (an option not given returns to its default). The monitor
 * applies it online: regions and their history are kept; a set it rejects
 * changes nothing.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "cli/control_client.h"
#include "cli/options.h"

static void tune_usage(FILE *f)
{
	fprintf(f,
		"usage: udamon tune [--index N] [options] [<pid>]\n\n"
		"Apply a complete new set of monitoring options to a running\n"
		"monitor (an option not given returns to its default, as damo's\n"
		"tune). Regions and their history are kept; new filters act at\n"
		"once; intervals and region bounds apply as the kernel applies a\n"
		"commit. A set the monitor rejects changes nothing.\n\n"
		"  --index N    the monitor (needed when several run)\n\n%s",
		mon_opts_help);
}

/* The only monitor, or the one of --index. -1 after printing. */
static int pick(int index)
{
	struct rundir_entry *v;
	size_t n;
	int i;

	if (control_targets(index, &v, &n))
		return -1;
	i = v[0].index;
	free(v);
	if (n > 1)
		return cli_fail("several monitors are running: pick one with "
				"--index N (see 'udamon status')");
	return i;
}

int cmd_tune(int argc, char **argv)
{
	struct json_object *args = json_object_new_array(), *req, *ans;
	struct mon_opts o;
	int index = -1, ret = 1;

	mon_opts_init(&o);
	for (int i = 1; i < argc; i++) {
		int first = i, taken;

		if (!strcmp(argv[i], "-h") || !strcmp(argv[i], "--help")) {
			tune_usage(stdout);
			ret = 0;
			goto out;
		}
		taken = control_parse_index(argc, argv, &i, &index);
		if (taken < 0)
			goto out;
		if (taken)
			continue;
		taken = mon_opts_parse_one(&o, argc, argv, &i);
		if (taken < 0)
			goto out;
		if (!taken && argv[i][0] == '-' && argv[i][1]) {
			cli_error("tune: unknown option '%s' (see 'udamon tune "
				  "--help')", argv[i]);
			goto out;
		}
		if (!taken && mon_opts_set_target(&o, argv[i]))
			goto out;
		for (int k = first; k <= i; k++)
			json_object_array_add(args, json_object_new_string(argv[k]));
	}
	/* the monitor checks again; checking here says it sooner */
	if (mon_opts_validate(&o))
		goto out;
	index = pick(index);
	if (index < 0)
		goto out;
	req = json_object_new_object();
	json_object_object_add(req, "args", json_object_get(args));
	if (control_call(index, "tune", req, &ans)) {
		cli_error("tune rejected: monitor %d keeps its parameters", index);
		goto out;
	}
	json_object_put(ans);
	ret = 0;
out:
	json_object_put(args);
	mon_opts_free(&o);
	return ret;
}
