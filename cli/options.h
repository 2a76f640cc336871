/* SPDX-License-Identifier: MIT */
/* damo's shared monitoring options (docs/udamon.1, README). */
#ifndef UDAMON_CLI_OPTIONS_H
#define UDAMON_CLI_OPTIONS_H

#include <stdbool.h>
#include <stddef.h>

#include "udamon/udamon.h"

enum mon_ops_kind { MON_OPS_VADDR, MON_OPS_PADDR };

/* udamon's own CPU, in basis points of one CPU (docs/PERFORMANCE.md) */
#define MON_DEFAULT_CPU_BUDGET_BP	100

struct mon_opts {
	struct udamon_attrs attrs;
	enum mon_ops_kind ops;
	bool ops_given;			/* --ops was given */
	int target_pid;			/* --target_pid or a positional pid */
	char *target_cmd;		/* a positional command line */
	struct udamon_range *regions;	/* -r/--regions */
	size_t nr_regions;
	bool use_reports;		/* --exp_ops_use_reports or page_fault */
	const char *primitive;		/* --sample_primitives as given */
	int reports_opt;		/* --exp_ops_use_reports: -1 unset */
	bool write_only;
	bool has_cpus;			/* --exp_ops_cpus other than "all" */
	struct udamon_cpumask cpus;
	char *cpus_text;
	int *tids;
	size_t nr_tids;
	bool include_children;		/* --include_child_tasks */
	char *cgroup;			/* --target_cgroup, resolved */
	bool include_init;		/* --include_init */
	int numa_node;			/* --numa_node; -1: none */
};

void mon_opts_init(struct mon_opts *o);
void mon_opts_free(struct mon_opts *o);

/*
 * Try to take argv[*i] (and its values) as a monitoring option. Returns 1
 * and advances *i when taken, 0 when argv[*i] is not a monitoring option,
 * -1 after printing an error.
 */
int mon_opts_parse_one(struct mon_opts *o, int argc, char **argv, int *i);

/* Take a positional target (pid or command). -1 after printing an error. */
int mon_opts_set_target(struct mon_opts *o, const char *arg);

/*
 * Check the whole request before anything starts: attributes, what the
 * filters need, whether this machine has the mechanism. -1 after printing.
 */
int mon_opts_validate(struct mon_opts *o);

/*
 * For record and start: which processes, one (and its tree) or a cgroup's;
 * without a target (as damo) the physical address space (sets o->ops).
 * -1 after printing.
 */
int mon_opts_check_target(struct mon_opts *o);

/* Build the sample filters; caller frees with mon_filters_free. */
int mon_opts_filters(const struct mon_opts *o, struct udamon_filter **out,
		     size_t *nr);
void mon_filters_free(struct udamon_filter *f, size_t nr);
/* "write, cpus 0-1" style description (static buffer). */
const char *mon_opts_filters_desc(const struct mon_opts *o);

/* Text for --help. */
extern const char mon_opts_help[];

/* Value of "--opt=value" or the next argument; NULL after an error. */
const char *cli_opt_value(int argc, char **argv, int *i, const char *name);
/* Does argv[*i] name option name (as "--name" or "--name=...")? */
bool cli_opt_is(const char *arg, const char *name);

#endif
