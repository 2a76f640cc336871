// SPDX-License-Identifier: MIT
/* Parsing and checking of damo's shared monitoring options. */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "cli/options.h"
#include "cli/mechanism.h"
#include "primitives/cgroup.h"
#include "udamon/textfmt.h"

const char mon_opts_help[] =
"Monitoring options (as damo's):\n"
"  --ops {vaddr,paddr}          address space kind (default vaddr with a\n"
"                               target, paddr without one)\n"
"  --target_pid PID             monitor this process\n"
"  -r, --regions \"S-E S-E\"      monitor these address ranges only\n"
"  --monitoring_intervals S A U sample, aggregation, ops update intervals\n"
"                               (default 5ms 100ms 1s; bare numbers are us)\n"
"  -s, --sample S  -a, --aggr A  -u, --updr U   the same, one at a time\n"
"  --monitoring_nr_regions_range MIN MAX   (default 10 1000)\n"
"  -n, --minr MIN  -m, --maxr MAX\n"
"  --monitoring_intervals_goal BP AGGRS MIN MAX   auto-tune intervals to\n"
"                               reach access ratio BP (e.g. 4%)\n"
"  --monitoring_intervals_autotune   the same as goal 4% 3 5ms 10s\n"
"  --monitoring_cpu_budget PCT  keep udamon's own CPU under PCT of one CPU\n"
"                               by lengthening the intervals (default 1%;\n"
"                               0: none)\n"
"  --sample_primitives {page_table,page_fault}\n"
"  --exp_ops_use_reports Y/N    check accesses with access reports\n"
"                               (page_fault primitive)\n"
"  --exp_ops_write_only Y/N     count only writes\n"
"  --exp_ops_cpus LIST          count only accesses of these CPUs\n"
"                               (cpuset list, e.g. 0-3,5-7,9; all = any)\n"
"  --exp_ops_tids LIST          count only accesses of these threads\n"
"  --include_child_tasks        also monitor every descendant process of\n"
"                               the target, present and future, each as a\n"
"                               target of its own\n"
"  --target_cgroup PATH         monitor the processes of this cgroup v2\n"
"                               directory (absolute, or relative to the v2\n"
"                               mount) and its descendants as they come\n"
"                               and go (udamon only); with --ops paddr,\n"
"                               the processes seen in physical memory\n"
"  --include_init               paddr: attach pid 1 too (udamon only)\n"
"  --numa_node N                paddr: monitor the memory of NUMA node N\n"
"A positional target is a pid, or a command line; monitoring ends when it\n"
"exits. A simple command is executed directly; a line that needs a shell\n"
"(lists, pipes, redirections, VAR=value, cd) runs as /bin/sh -c LINE, and\n"
"the shell's whole process tree is monitored (as --include_child_tasks):\n"
"each program it runs is a target. New programs a target executes are\n"
"followed. One monitor per process: one that another udamon monitors is\n"
"refused.\n";

static char errbuf[512];

void mon_opts_init(struct mon_opts *o)
{
	memset(o, 0, sizeof(*o));
	udamon_attrs_default(&o->attrs);
	o->attrs.cpu_budget_bp = MON_DEFAULT_CPU_BUDGET_BP;
	o->ops = MON_OPS_VADDR;
	o->numa_node = -1;
	o->reports_opt = -1;
}

void mon_opts_free(struct mon_opts *o)
{
	free(o->target_cmd);
	free(o->regions);
	udamon_cpumask_free(&o->cpus);
	free(o->cpus_text);
	free(o->tids);
	free(o->cgroup);
	memset(o, 0, sizeof(*o));
}

bool cli_opt_is(const char *arg, const char *name)
{
	size_t n = strlen(name);

	return !strncmp(arg, name, n) && (arg[n] == '\0' || arg[n] == '=');
}

const char *cli_opt_value(int argc, char **argv, int *i, const char *name)
{
	const char *eq = strchr(argv[*i], '=');

	if (argv[*i][0] == '-' && argv[*i][1] == '-' && eq)
		return eq + 1;
	if (*i + 1 >= argc) {
		cli_error("option '%s' needs a value", name);
		return NULL;
	}
	return argv[++*i];
}

/* The n values of a multi-value option such as --monitoring_intervals. */
static int take_values(int argc, char **argv, int *i, const char *name,
		       const char **vals, int n)
{
	if (strchr(argv[*i], '=')) {
		cli_error("option '%s' takes %d separate values, not '%s'",
			  name, n, argv[*i]);
		return -1;
	}
	if (*i + n >= argc) {
		cli_error("option '%s' needs %d values", name, n);
		return -1;
	}
	for (int k = 0; k < n; k++)
		vals[k] = argv[*i + 1 + k];
	*i += n;
	return 0;
}

static int opt_time(const char *name, const char *v, uint64_t *out)
{
	if (udamon_parse_time_us(v, 1, out, errbuf, sizeof(errbuf)))
		return cli_fail("%s: %s", name, errbuf);
	return 0;
}

static int opt_u64(const char *name, const char *v, uint64_t *out)
{
	if (udamon_parse_u64(v, out, errbuf, sizeof(errbuf)))
		return cli_fail("%s: %s", name, errbuf);
	return 0;
}

static int opt_bool(const char *name, const char *v, bool *out)
{
	if (udamon_parse_bool(v, out, errbuf, sizeof(errbuf)))
		return cli_fail("%s: %s", name, errbuf);
	return 0;
}

/* BP of an intervals goal: "4%" or a bare number of basis points. */
static int opt_bp(const char *name, const char *v, uint64_t *out)
{
	if (strchr(v, '%')) {
		if (udamon_parse_percent_bp(v, out, errbuf, sizeof(errbuf)))
			return cli_fail("%s: %s", name, errbuf);
		return 0;
	}
	return opt_u64(name, v, out);
}

/*
 * As the kernel's DAMON: a region starts and ends on a page boundary
 * (start aligned down, end up), so "1-2" is the page [0, 4096).
 */
static int parse_regions(struct mon_opts *o, const char *v)
{
	char *copy = strdup(v), *save = NULL, *tok;
	const uint64_t pg = UDAMON_MIN_REGION;
	struct udamon_range r;

	if (!copy)
		return cli_fail("out of memory");
	free(o->regions);
	o->regions = NULL;
	o->nr_regions = 0;
	for (tok = strtok_r(copy, " \t,", &save); tok;
	     tok = strtok_r(NULL, " \t,", &save)) {
		struct udamon_range *n;

		if (udamon_parse_range(tok, &r, errbuf, sizeof(errbuf))) {
			free(copy);
			return cli_fail("--regions: %s", errbuf);
		}
		if (r.end > UINT64_MAX - (pg - 1)) {
			free(copy);
			return cli_fail("--regions: range '%s' ends past the "
					 "last page of the address space", tok);
		}
		r.start = r.start / pg * pg;
		r.end = (r.end + pg - 1) / pg * pg;
		n = realloc(o->regions, (o->nr_regions + 1) * sizeof(*n));
		if (!n) {
			free(copy);
			return cli_fail("out of memory");
		}
		o->regions = n;
		o->regions[o->nr_regions++] = r;
	}
	free(copy);
	if (!o->nr_regions)
		return cli_fail("--regions: no range in '%s': expected "
				 "\"START-END START-END ...\"", v);
	for (size_t k = 1; k < o->nr_regions; k++)
		if (o->regions[k].start < o->regions[k - 1].end)
			return cli_fail("--regions: ranges in '%s' must be "
					 "sorted and must not overlap once "
					 "aligned to 4 KiB pages ([%#llx, %#llx) "
					 "and [%#llx, %#llx))", v,
					 (unsigned long long)o->regions[k - 1].start,
					 (unsigned long long)o->regions[k - 1].end,
					 (unsigned long long)o->regions[k].start,
					 (unsigned long long)o->regions[k].end);
	return 0;
}

static int parse_cpus(struct mon_opts *o, const char *v)
{
	unsigned int nr;
	int err = udamon_possible_cpus(&nr);

	if (err)
		return cli_fail("--exp_ops_cpus: cannot read the possible CPUs "
				 "from /sys/devices/system/cpu/possible: %s",
				 strerror(-err));
	udamon_cpumask_free(&o->cpus);
	free(o->cpus_text);
	o->cpus_text = strdup(v);
	o->has_cpus = false;
	if (udamon_cpulist_parse(v, nr, &o->cpus, errbuf, sizeof(errbuf)))
		return cli_fail("--exp_ops_cpus: %s", errbuf);
	if (!udamon_cpumask_weight(&o->cpus))
		return cli_fail("--exp_ops_cpus: no CPU in '%s': expected a "
				 "cpulist such as 0-3,8 (or all)", v);
	/* damo's "all" means no cpumask filter at all */
	o->has_cpus = strcmp(v, "all") != 0;
	return 0;
}

static int parse_tids(struct mon_opts *o, const char *v)
{
	free(o->tids);
	o->tids = NULL;
	if (udamon_parse_intlist(v, &o->tids, &o->nr_tids, errbuf,
				 sizeof(errbuf)))
		return cli_fail("--exp_ops_tids: %s", errbuf);
	if (!o->nr_tids)
		return cli_fail("--exp_ops_tids: no thread id in '%s'", v);
	return 0;
}

/* The cgroup's directory, checked now: absolute, or relative to the mount. */
static int parse_cgroup(struct mon_opts *o, const char *v)
{
	struct udamon_cgroup cg;

	if (udamon_cgroup_resolve(v, &cg, errbuf, sizeof(errbuf)))
		return cli_fail("--target_cgroup: %s", errbuf);
	free(o->cgroup);
	o->cgroup = cg.dir;
	cg.dir = NULL;
	udamon_cgroup_free(&cg);
	return 0;
}

static int parse_primitives(struct mon_opts *o, const char *v)
{
	if (!strcmp(v, "page_table"))
		o->primitive = "page_table";
	else if (!strcmp(v, "page_fault"))
		o->primitive = "page_fault";
	else
		return cli_fail("--sample_primitives: unknown primitive '%s': "
				 "expected page_table or page_fault", v);
	return 0;
}

static int parse_ops(struct mon_opts *o, const char *v)
{
	o->ops_given = true;
	if (!strcmp(v, "vaddr"))
		o->ops = MON_OPS_VADDR;
	else if (!strcmp(v, "paddr"))
		o->ops = MON_OPS_PADDR;
	else
		return cli_fail("--ops: unknown operations set '%s': expected "
				 "vaddr or paddr", v);
	return 0;
}

static int parse_pid(const char *name, const char *v, int *pid)
{
	uint64_t n;

	if (udamon_parse_u64(v, &n, errbuf, sizeof(errbuf)) || n == 0 ||
	    n > 0x3fffffff)
		return cli_fail("%s: invalid pid '%s': expected a positive "
				 "process id", name, v);
	*pid = (int)n;
	return 0;
}

static int parse_intervals(struct mon_opts *o, int argc, char **argv, int *i)
{
	const char *v[3];
	struct udamon_attrs *a = &o->attrs;

	if (take_values(argc, argv, i, "--monitoring_intervals", v, 3) ||
	    opt_time("--monitoring_intervals", v[0], &a->sample_us) ||
	    opt_time("--monitoring_intervals", v[1], &a->aggr_us) ||
	    opt_time("--monitoring_intervals", v[2], &a->ops_update_us))
		return -1;
	return 0;
}

static int parse_goal(struct mon_opts *o, int argc, char **argv, int *i)
{
	const char *v[4];
	struct udamon_intervals_goal *g = &o->attrs.goal;
	const char *n = "--monitoring_intervals_goal";

	if (take_values(argc, argv, i, n, v, 4) || opt_bp(n, v[0], &g->access_bp) ||
	    opt_u64(n, v[1], &g->aggrs) || opt_time(n, v[2], &g->min_sample_us) ||
	    opt_time(n, v[3], &g->max_sample_us))
		return -1;
	return 0;
}

/* "1%", "0.5%" or a bare percentage; 0: no budget; at most 100 %. */
static int parse_budget(const char *name, const char *v, uint64_t *bp)
{
	if (udamon_parse_percent_bp(v, bp, errbuf, sizeof(errbuf)))
		return cli_fail("%s: %s", name, errbuf);
	if (*bp > 10000)
		return cli_fail("%s: '%s' is more than one CPU: expected a "
				"percentage of one CPU from 0 (no budget) to "
				"100%%, e.g. '1%%'", name, v);
	return 0;
}

static void set_autotune(struct mon_opts *o)
{
	o->attrs.goal.access_bp = 400;
	o->attrs.goal.aggrs = 3;
	o->attrs.goal.min_sample_us = 5000;
	o->attrs.goal.max_sample_us = 10 * 1000 * 1000;
}

/* Options that take one value. */
static int parse_single(struct mon_opts *o, const char *name, const char *v)
{
	struct udamon_attrs *a = &o->attrs;

	if (!strcmp(name, "--ops"))
		return parse_ops(o, v);
	if (!strcmp(name, "--target_pid"))
		return parse_pid(name, v, &o->target_pid);
	if (!strcmp(name, "--regions"))
		return parse_regions(o, v);
	if (!strcmp(name, "--sample"))
		return opt_time(name, v, &a->sample_us);
	if (!strcmp(name, "--aggr"))
		return opt_time(name, v, &a->aggr_us);
	if (!strcmp(name, "--updr"))
		return opt_time(name, v, &a->ops_update_us);
	if (!strcmp(name, "--minr"))
		return opt_u64(name, v, &a->min_nr_regions);
	if (!strcmp(name, "--maxr"))
		return opt_u64(name, v, &a->max_nr_regions);
	if (!strcmp(name, "--sample_primitives"))
		return parse_primitives(o, v);
	if (!strcmp(name, "--exp_ops_use_reports")) {
		bool y;

		if (opt_bool(name, v, &y))
			return -1;
		o->reports_opt = y;
		return 0;
	}
	if (!strcmp(name, "--exp_ops_write_only"))
		return opt_bool(name, v, &o->write_only);
	if (!strcmp(name, "--exp_ops_cpus"))
		return parse_cpus(o, v);
	if (!strcmp(name, "--exp_ops_tids"))
		return parse_tids(o, v);
	if (!strcmp(name, "--target_cgroup"))
		return parse_cgroup(o, v);
	if (!strcmp(name, "--numa_node")) {
		uint64_t n;

		if (udamon_parse_u64(v, &n, errbuf, sizeof(errbuf)) || n > 4095)
			return cli_fail("--numa_node: invalid node '%s': expected "
					 "a NUMA node number (see /sys/devices/"
					 "system/node/online)", v);
		o->numa_node = (int)n;
		return 0;
	}
	if (!strcmp(name, "--monitoring_cpu_budget"))
		return parse_budget(name, v, &a->cpu_budget_bp);
	return 1;
}

static const struct {
	const char *shorth;
	const char *longh;
} single_opts[] = {
	{ NULL, "--ops" }, { NULL, "--target_pid" }, { "-r", "--regions" },
	{ "-s", "--sample" }, { "-a", "--aggr" }, { "-u", "--updr" },
	{ "-n", "--minr" }, { "-m", "--maxr" }, { NULL, "--sample_primitives" },
	{ NULL, "--exp_ops_use_reports" }, { NULL, "--exp_ops_write_only" },
	{ NULL, "--exp_ops_cpus" }, { NULL, "--exp_ops_tids" },
	{ NULL, "--target_cgroup" }, { NULL, "--numa_node" },
	{ NULL, "--monitoring_cpu_budget" },
};

int mon_opts_parse_one(struct mon_opts *o, int argc, char **argv, int *i)
{
	const char *arg = argv[*i];
	const char *v[2];

	if (cli_opt_is(arg, "--monitoring_intervals"))
		return parse_intervals(o, argc, argv, i) ? -1 : 1;
	if (cli_opt_is(arg, "--monitoring_intervals_goal"))
		return parse_goal(o, argc, argv, i) ? -1 : 1;
	if (!strcmp(arg, "--monitoring_intervals_autotune")) {
		set_autotune(o);
		return 1;
	}
	if (!strcmp(arg, "--include_child_tasks")) {
		o->include_children = true;
		return 1;
	}
	if (!strcmp(arg, "--include_init")) {
		o->include_init = true;
		return 1;
	}
	if (cli_opt_is(arg, "--monitoring_nr_regions_range")) {
		const char *n = "--monitoring_nr_regions_range";

		if (take_values(argc, argv, i, n, v, 2) ||
		    opt_u64(n, v[0], &o->attrs.min_nr_regions) ||
		    opt_u64(n, v[1], &o->attrs.max_nr_regions))
			return -1;
		return 1;
	}
	for (size_t k = 0; k < sizeof(single_opts) / sizeof(single_opts[0]); k++) {
		const char *name = single_opts[k].longh;
		const char *val;

		if (!cli_opt_is(arg, name) &&
		    !(single_opts[k].shorth && !strcmp(arg, single_opts[k].shorth)))
			continue;
		val = cli_opt_value(argc, argv, i, name);
		if (!val)
			return -1;
		return parse_single(o, name, val) ? -1 : 1;
	}
	return 0;
}

static bool all_digits(const char *s)
{
	if (!*s)
		return false;
	for (; *s; s++)
		if (!isdigit((unsigned char)*s))
			return false;
	return true;
}

int mon_opts_set_target(struct mon_opts *o, const char *arg)
{
	if (o->target_pid || o->target_cmd)
		return cli_fail("more than one target given ('%s'): udamon "
				 "monitors one pid or one command", arg);
	if (all_digits(arg))
		return parse_pid("target", arg, &o->target_pid);
	if (!*arg)
		return cli_fail("empty target command");
	o->target_cmd = strdup(arg);
	return o->target_cmd ? 0 : -1;
}

/* --sample_primitives and --exp_ops_use_reports, whatever their order. */
static int resolve_primitive(struct mon_opts *o)
{
	bool fault = o->primitive && !strcmp(o->primitive, "page_fault");

	if (o->primitive && o->reports_opt >= 0 && fault != o->reports_opt)
		return cli_fail("--sample_primitives %s and --exp_ops_use_reports "
				 "%s contradict each other: access reports come "
				 "from the page_fault primitive; give one of them",
				 o->primitive, o->reports_opt ? "y" : "n");
	if (o->primitive)
		o->use_reports = fault;
	else if (o->reports_opt >= 0)
		o->use_reports = o->reports_opt;
	return 0;
}

/* What the filters and the primitive need, before anything starts. */
static int check_request(struct mon_opts *o)
{
	if (resolve_primitive(o))
		return -1;
	if (!o->use_reports && (o->write_only || o->has_cpus || o->nr_tids))
		return cli_fail("--exp_ops_write_only, --exp_ops_cpus and "
				 "--exp_ops_tids filter access reports, which "
				 "the page_table primitive does not make: %s",
				 o->primitive ? "use --sample_primitives "
				 "page_fault" : "add --exp_ops_use_reports y");
	if (!o->use_reports)
		return mechanism_check_page_table();
	if (!o->write_only)
		return mechanism_check_reads();
	if (mechanism_check_write_reports())
		return -1;
	if (o->has_cpus || o->nr_tids)
		return mechanism_check_attribution();
	return 0;
}

int mon_opts_check_target(struct mon_opts *o)
{
	bool has_process = o->target_pid || o->target_cmd;

	/* as damo: no target means the physical address space */
	if (!has_process && !o->ops_given && !o->cgroup)
		o->ops = MON_OPS_PADDR;
	if (o->ops == MON_OPS_PADDR && has_process)
		return cli_fail("--ops paddr monitors physical memory through "
				 "the machine's processes; give no pid or command "
				 "(--target_cgroup PATH limits it to a cgroup's)");
	if (o->ops == MON_OPS_PADDR && o->include_children)
		return cli_fail("--include_child_tasks follows the processes of "
				 "a vaddr target; --ops paddr already sees every "
				 "process of its scope");
	if (o->ops == MON_OPS_PADDR && o->numa_node >= 0 && o->nr_regions)
		return cli_fail("--numa_node %d and -r both give the physical "
				 "ranges: give one of them", o->numa_node);
	if (o->ops == MON_OPS_PADDR)
		return 0;
	if (o->numa_node >= 0)
		return cli_fail("--numa_node is for --ops paddr (physical "
				 "memory of a NUMA node)");
	if (o->include_init)
		return cli_fail("--include_init is for --ops paddr (pid 1 is "
				 "left out of the machine's processes otherwise)");
	if (o->cgroup && has_process)
		return cli_fail("--target_cgroup %s: the cgroup's processes are "
				 "the targets; give no pid or command with it",
				 o->cgroup);
	if (!o->cgroup && !has_process)
		return cli_fail("--ops vaddr: no target: give a pid, "
				 "--target_pid, a command line or --target_cgroup");
	return 0;
}

int mon_opts_validate(struct mon_opts *o)
{
	if (udamon_attrs_validate(&o->attrs, errbuf, sizeof(errbuf)))
		return cli_fail("%s", errbuf);
	return check_request(o);
}

static int add_filter(struct udamon_filter **f, size_t *nr,
		      const struct udamon_filter *src)
{
	struct udamon_filter *n = realloc(*f, (*nr + 1) * sizeof(*n));

	if (!n)
		return -ENOMEM;
	*f = n;
	if (udamon_filter_copy(&n[*nr], src))
		return -ENOMEM;
	(*nr)++;
	return 0;
}

int mon_opts_filters(const struct mon_opts *o, struct udamon_filter **out,
		     size_t *nr)
{
	struct udamon_filter f;
	int err = 0;

	*out = NULL;
	*nr = 0;
	if (o->write_only) {
		memset(&f, 0, sizeof(f));
		f.type = UDAMON_FILTER_WRITE;
		f.matching = f.allow = true;
		err = add_filter(out, nr, &f);
	}
	if (!err && o->has_cpus) {
		memset(&f, 0, sizeof(f));
		f.type = UDAMON_FILTER_CPUMASK;
		f.matching = f.allow = true;
		f.cpus = o->cpus;
		err = add_filter(out, nr, &f);
	}
	if (!err && o->nr_tids) {
		memset(&f, 0, sizeof(f));
		f.type = UDAMON_FILTER_THREADS;
		f.matching = f.allow = true;
		f.tids = o->tids;
		f.nr_tids = o->nr_tids;
		err = add_filter(out, nr, &f);
	}
	if (err) {
		mon_filters_free(*out, *nr);
		*out = NULL;
		*nr = 0;
	}
	return err;
}

void mon_filters_free(struct udamon_filter *f, size_t nr)
{
	for (size_t k = 0; k < nr; k++)
		udamon_filter_free(&f[k]);
	free(f);
}

const char *mon_opts_filters_desc(const struct mon_opts *o)
{
	static char buf[1024];
	size_t n = 0;

	buf[0] = '\0';
	if (o->write_only)
		n += snprintf(buf + n, sizeof(buf) - n, "writes");
	if (o->has_cpus && n < sizeof(buf))
		n += snprintf(buf + n, sizeof(buf) - n, "%scpus %s",
			      n ? ", " : "", o->cpus_text);
	if (o->nr_tids && n < sizeof(buf)) {
		n += snprintf(buf + n, sizeof(buf) - n, "%sthreads", n ? ", " : "");
		for (size_t k = 0; k < o->nr_tids && n < sizeof(buf); k++)
			n += snprintf(buf + n, sizeof(buf) - n, "%s%d",
				      k ? "," : " ", o->tids[k]);
	}
	if (!n)
		snprintf(buf, sizeof(buf), "all accesses");
	return buf;
}
