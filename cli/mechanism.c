// SPDX-License-Identifier: MIT
/*
 * Capability checks made before anything starts, so that a request this
 * machine cannot serve fails with a reason instead of counting something
 * else than what was asked.
 */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/cli.h"
#include "cli/mechanism.h"
#include "primitives/fault_events.h"
#include "udamon/ops.h"

static const char page_idle_path[] = "/sys/kernel/mm/page_idle/bitmap";
static const char damon_path[] = "/sys/kernel/mm/damon/admin/kdamonds/nr_kdamonds";

/* Number of kdamonds in the kernel DAMON sysfs tree, -1 if none. Read only. */
static int kernel_damon_kdamonds(void)
{
	FILE *f = fopen(damon_path, "r");
	int n = -1;

	if (!f)
		return -1;
	if (fscanf(f, "%d", &n) != 1)
		n = -1;
	fclose(f);
	return n;
}

static const char *kernel_damon_state(void)
{
	int n = kernel_damon_kdamonds();

	if (n < 0)
		return "no kernel DAMON sysfs interface (CONFIG_DAMON_SYSFS)";
	if (n > 0)
		return "the kernel's DAMON is in use by another owner "
		       "(/sys/kernel/mm/damon has kdamonds; udamon never "
		       "touches it)";
	return "driving the kernel's DAMON is not implemented in this "
	       "version of udamon";
}

int mechanism_check_page_table(void)
{
	const char *idle = access(page_idle_path, R_OK) ?
		"no idle page tracking (CONFIG_IDLE_PAGE_TRACKING, " :
		"idle page tracking is present but not implemented yet (";

	return cli_fail("plain monitoring (the page_table primitive, reads and "
			"writes) is not available here: %s%s), and %s. To "
			"monitor writes, which this machine can observe, add "
			"--exp_ops_use_reports y --exp_ops_write_only y",
			idle, page_idle_path, kernel_damon_state());
}

int mechanism_check_reads(void)
{
	return cli_fail("--exp_ops_use_reports y without --exp_ops_write_only y "
			"counts reads too, and reads can only be reported by "
			"hardware sampling (Intel PEBS, AMD IBS or Arm SPE "
			"through perf), which udamon does not have here; "
			"write-protection sees writes only. Add "
			"--exp_ops_write_only y to count writes");
}

int mechanism_check_write_reports(void)
{
	char err[512];

	if (geteuid() != 0)
		return cli_fail("write monitoring attaches to the target with "
				"ptrace and reads its pagemap: run udamon as root "
				"(CAP_SYS_PTRACE and CAP_SYS_ADMIN)");
	if (udamon_vaddr_probe(err, sizeof(err)))
		return cli_fail("%s", err);
	return 0;
}

int mechanism_check_attribution(void)
{
	struct udamon_fault_source *s;
	char err[512];

	if (udamon_fault_source_open(getpid(), &s, err, sizeof(err)))
		return cli_fail("--exp_ops_cpus/--exp_ops_tids need the CPU and "
				"thread of each write: %s", err);
	udamon_fault_source_close(s);
	return 0;
}
