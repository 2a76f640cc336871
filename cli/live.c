// SPDX-License-Identifier: MIT
/*
 * The background monitor of udamon start. Everything runs in one thread:
 * the control socket is served in the time each sample sleeps (the
 * engine's clock hook), so a request never waits for more than a sample and
 * never takes a lock; changes of parameters are applied between samples.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cli/cli.h"
#include "cli/control.h"
#include "cli/live.h"
#include "cli/monitor.h"
#include "cli/rundir.h"
#include "udamon/ops.h"
#include "udamon/textfmt.h"

struct live {
	struct monitor m;
	struct control ctl;
	int index;
	struct mon_opts opts;		/* the parameters in force */
	char *args;			/* ... as the options that gave them */
	char *command;			/* the target command, if ours */
	const char *ops_name;
	uint64_t nr_dropped;		/* old snapshots let go */
	uint64_t dropped_until_ns;	/* end time of the last of them */
	uint64_t start_ns;
	bool stopping;
	bool ended;			/* the target is gone */
	int ready_fd;
	/* a tune waiting for the end of the sample */
	bool has_tune;
	uint64_t tune_client;
	char **tune_args;
	int nr_tune_args;
};

static void say_ready(struct live *l, const char *line)
{
	if (l->ready_fd < 0)
		return;
	/* when start is gone there is nobody to tell */
	(void)!send(l->ready_fd, line, strlen(line), MSG_NOSIGNAL);
}

/* ---- status ----------------------------------------------------------- */

static struct json_object *jint(uint64_t v)
{
	return json_object_new_int64((int64_t)v);
}

static struct json_object *filter_json(const struct udamon_filter *f,
				       const struct mon_opts *o)
{
	static const char *const types[] = { "write", "cpumask", "threads" };
	struct json_object *j = json_object_new_object(), *a;

	json_object_object_add(j, "type", json_object_new_string(types[f->type]));
	json_object_object_add(j, "matching", json_object_new_boolean(f->matching));
	json_object_object_add(j, "allow", json_object_new_boolean(f->allow));
	if (f->type == UDAMON_FILTER_CPUMASK) {
		char buf[4096];

		json_object_object_add(j, "cpus", json_object_new_string(
				       udamon_cpumask_format(&f->cpus, buf,
							     sizeof(buf))));
	}
	if (f->type == UDAMON_FILTER_THREADS) {
		a = json_object_new_array();
		for (size_t i = 0; i < f->nr_tids; i++)
			json_object_array_add(a, json_object_new_int(f->tids[i]));
		json_object_object_add(j, "tids", a);
	}
	return j;
}

/* How target t is doing: running, or how it ended (when we know). */
static const char *target_state(const struct live *l,
				const struct udamon_target *t, char *buf,
				size_t len)
{
	const struct udamon_ctx *ctx = l->m.ctx;
	int st = l->m.child_status;
	bool ours = l->m.child && t->pid == l->m.child;

	if (!l->ended && (!ctx->ops || !ctx->ops->target_valid ||
			  ctx->ops->target_valid((struct udamon_ctx *)ctx,
						 (struct udamon_target *)t)))
		return "running";
	if (ours && l->m.child_exited && WIFEXITED(st))
		snprintf(buf, len, "exited with status %d", WEXITSTATUS(st));
	else if (ours && l->m.child_exited && WIFSIGNALED(st))
		snprintf(buf, len, "killed by signal %d (%s)", WTERMSIG(st),
			 strsignal(WTERMSIG(st)));
	else
		snprintf(buf, len, "ended");
	return buf;
}

static struct json_object *targets_json(const struct live *l)
{
	const struct udamon_ctx *ctx = l->m.ctx;
	struct json_object *a = json_object_new_array();
	char buf[128];

	for (size_t i = 0; i < ctx->nr_targets; i++) {
		const struct udamon_target *t = &ctx->targets[i];
		struct json_object *j = json_object_new_object();

		json_object_object_add(j, "pid", json_object_new_int(t->pid));
		json_object_object_add(j, "command",
				       l->command && t->pid == l->m.child ?
				       json_object_new_string(l->command) : NULL);
		json_object_object_add(j, "state", json_object_new_string(
				       target_state(l, t, buf, sizeof(buf))));
		if (ctx->ops && !strcmp(ctx->ops->name, "paddr"))
			json_object_object_add(j, "processes", jint(
					       udamon_paddr_nr_processes(ctx)));
		json_object_object_add(j, "nr_regions", jint(t->nr_regions));
		json_object_object_add(j, "total_bytes",
				       jint(udamon_target_total_bytes(t)));
		json_object_array_add(a, j);
	}
	return a;
}

static struct json_object *attrs_json(const struct udamon_attrs *a)
{
	struct json_object *j = json_object_new_object(), *g;

	json_object_object_add(j, "sample_us", jint(a->sample_us));
	json_object_object_add(j, "aggr_us", jint(a->aggr_us));
	json_object_object_add(j, "ops_update_us", jint(a->ops_update_us));
	json_object_object_add(j, "min_nr_regions", jint(a->min_nr_regions));
	json_object_object_add(j, "max_nr_regions", jint(a->max_nr_regions));
	if (!a->goal.aggrs) {
		json_object_object_add(j, "intervals_goal", NULL);
		return j;
	}
	g = json_object_new_object();
	json_object_object_add(g, "access_bp", jint(a->goal.access_bp));
	json_object_object_add(g, "aggrs", jint(a->goal.aggrs));
	json_object_object_add(g, "min_sample_us", jint(a->goal.min_sample_us));
	json_object_object_add(g, "max_sample_us", jint(a->goal.max_sample_us));
	json_object_object_add(j, "intervals_goal", g);
	return j;
}

/* Every process of the scope that could not be monitored, and why. */
static void add_refused(struct json_object *j, struct udamon_ctx *ctx)
{
	struct json_object *a = json_object_new_array();
	const struct udamon_refusal *r;
	uint64_t ended;
	size_t n;

	if (ctx->ops && !strcmp(ctx->ops->name, "paddr"))
		n = udamon_paddr_refused(ctx, &r, &ended);
	else
		n = udamon_vaddr_refused(ctx, &r, &ended);
	for (size_t i = 0; i < n; i++) {
		struct json_object *o = json_object_new_object();

		json_object_object_add(o, "pid", json_object_new_int(r[i].pid));
		json_object_object_add(o, "reason",
				       json_object_new_string(r[i].reason));
		json_object_array_add(a, o);
	}
	json_object_object_add(j, "refused_processes", a);
	json_object_object_add(j, "refused_ended", jint(ended));
}

static struct json_object *status_json(const struct live *l)
{
	const struct udamon_ctx *ctx = l->m.ctx;
	struct json_object *j = json_object_new_object(), *a;

	json_object_object_add(j, "index", json_object_new_int(l->index));
	json_object_object_add(j, "state", json_object_new_string(
			       l->stopping ? "stopping" : l->ended ?
			       "target ended" : "running"));
	json_object_object_add(j, "pid", json_object_new_int((int)getpid()));
	json_object_object_add(j, "uptime_ns", jint(udamon_now_ns() - l->start_ns));
	json_object_object_add(j, "ops", json_object_new_string(l->ops_name));
	json_object_object_add(j, "primitive", json_object_new_string(
			       ctx->use_reports ? "page_fault" : "page_table"));
	json_object_object_add(j, "attribution", json_object_new_boolean(
			       l->opts.has_cpus || l->opts.nr_tids));
	json_object_object_add(j, "fault_source",
			       json_object_new_string(ctx->stats.fault_source));
	json_object_object_add(j, "targets", targets_json(l));
	json_object_object_add(j, "attrs", attrs_json(&ctx->attrs));
	json_object_object_add(j, "pending_attrs", ctx->has_pending ?
			       attrs_json(&ctx->pending_attrs) : NULL);
	a = json_object_new_array();
	for (size_t i = 0; i < l->opts.nr_regions; i++) {
		struct json_object *r = json_object_new_array();

		json_object_array_add(r, jint(l->opts.regions[i].start));
		json_object_array_add(r, jint(l->opts.regions[i].end));
		json_object_array_add(a, r);
	}
	json_object_object_add(j, "user_regions", a);
	a = json_object_new_array();
	for (size_t i = 0; i < ctx->nr_filters; i++)
		json_object_array_add(a, filter_json(&ctx->filters[i], &l->opts));
	json_object_object_add(j, "filters", a);
	a = NULL;
	if (ctx->has_pending) {
		a = json_object_new_array();
		for (size_t i = 0; i < ctx->pending_nr_filters; i++)
			json_object_array_add(a, filter_json(
					      &ctx->pending_filters[i], &l->opts));
	}
	json_object_object_add(j, "pending_filters", a);
	json_object_object_add(j, "filters_desc", json_object_new_string(
			       mon_opts_filters_desc(&l->opts)));
	json_object_object_add(j, "args", json_object_new_string(l->args));
	json_object_object_add(j, "samples", jint(ctx->passed_samples));
	json_object_object_add(j, "snapshots",
			       jint(l->nr_dropped + monitor_nr_snapshots(&l->m)));
	json_object_object_add(j, "kept_since_ns", jint(l->dropped_until_ns));
	json_object_object_add(j, "reports_seen", jint(ctx->nr_reports_seen));
	json_object_object_add(j, "reports_counted", jint(ctx->nr_reports_counted));
	json_object_object_add(j, "lost_events", jint(ctx->lost_reports));
	json_object_object_add(j, "aggr_overruns", jint(ctx->stats.aggr_overruns));
	json_object_object_add(j, "sample_overruns",
			       jint(ctx->stats.sample_overruns));
	json_object_object_add(j, "unchecked_samples", jint(ctx->stats.unchecked));
	json_object_object_add(j, "thp_splits", jint(ctx->stats.thp_splits));
	json_object_object_add(j, "thp_collapses", jint(ctx->stats.thp_collapses));
	json_object_object_add(j, "cpu_budget_bp", jint(ctx->attrs.cpu_budget_bp));
	json_object_object_add(j, "budget_used_bp",
			       jint(ctx->stats.budget_used_bp));
	json_object_object_add(j, "budget_changes",
			       jint(ctx->stats.budget_changes));
	a = json_object_new_array();
	for (size_t i = 0; i < l->m.nr_warnings; i++)
		json_object_array_add(a, json_object_new_string(l->m.warnings[i]));
	json_object_object_add(j, "mapping_warnings", a);
	add_refused(j, l->m.ctx);
	json_object_object_add(j, "control_refused", jint(l->ctl.nr_refused));
	json_object_object_add(j, "control_bad_requests", jint(l->ctl.nr_bad));
	return j;
}

static void answer_status(struct live *l, uint64_t client)
{
	struct json_object *ans = json_object_new_object();

	json_object_object_add(ans, "status", status_json(l));
	control_answer(&l->ctl, client, ans);
}

/* ---- snapshots -------------------------------------------------------- */

/* The first snapshot of rec that ended after since_ns. */
static size_t first_after(const struct udamon_record *rec, uint64_t since_ns)
{
	size_t lo = 0, hi = rec->nr_snapshots;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (rec->snapshots[mid].end_time_ns > since_ns)
			hi = mid;
		else
			lo = mid + 1;
	}
	return lo;
}

static void answer_snapshots(struct live *l, uint64_t client,
			     struct json_object *req)
{
	size_t nr = l->m.nr_recs;
	struct udamon_record *view = calloc(nr + 1, sizeof(*view));
	uint64_t since = 0, last = 0;
	struct json_object *v;
	char *text = NULL;
	size_t len = 0;
	FILE *f;
	int err;

	if (!view) {
		control_error(&l->ctl, client, "out of memory");
		return;
	}
	if (json_object_object_get_ex(req, "since_ns", &v)) {
		if (!json_object_is_type(v, json_type_int) ||
		    json_object_get_int64(v) < 0) {
			free(view);
			control_error(&l->ctl, client, "\"since_ns\" must be a "
				      "CLOCK_MONOTONIC time in ns (0 or more)");
			return;
		}
		since = (uint64_t)json_object_get_int64(v);
	}
	for (size_t i = 0; i < nr; i++) {
		const struct udamon_record *r = &l->m.recs[i];
		size_t k = first_after(r, since);

		view[i] = *r;
		view[i].snapshots += k;
		view[i].nr_snapshots -= k;
		view[i].kdamond_idx = l->index;
		if (r->nr_snapshots && r->snapshots[r->nr_snapshots - 1].end_time_ns > last)
			last = r->snapshots[r->nr_snapshots - 1].end_time_ns;
	}
	f = open_memstream(&text, &len);
	if (!f) {
		free(view);
		control_error(&l->ctl, client, "out of memory");
		return;
	}
	fprintf(f, "\"last_ns\":%llu,\"missed\":%s,\"records\":",
		(unsigned long long)(last > since ? last : since),
		since && since < l->dropped_until_ns ? "true" : "false");
	err = udamon_record_write_stream(f, UDAMON_RECORD_JSON, view, nr);
	free(view);
	if (fclose(f) || err || !text) {
		free(text);
		control_error(&l->ctl, client, "cannot write the snapshots: %s",
			      strerror(err ? -err : ENOMEM));
		return;
	}
	/* one line: the record's newlines are whitespace between tokens */
	for (char *p = text; (p = strchr(p, '\n')); )
		*p = ' ';
	control_answer_raw(&l->ctl, client, text);
	free(text);
}

/* ---- tune ------------------------------------------------------------- */

static void free_args(char **args, int nr)
{
	for (int i = 0; i < nr; i++)
		free(args[i]);
	free(args);
}

static void take_tune(struct live *l, uint64_t client, struct json_object *req)
{
	struct json_object *a;
	size_t n;

	if (l->has_tune) {
		control_error(&l->ctl, client, "another tune is being applied; "
			      "try again");
		return;
	}
	if (l->ended) {
		control_error(&l->ctl, client, "the target has ended: nothing "
			      "to tune (stop this monitor)");
		return;
	}
	if (!json_object_object_get_ex(req, "args", &a) ||
	    !json_object_is_type(a, json_type_array)) {
		control_error(&l->ctl, client, "tune needs \"args\": the options "
			      "of 'udamon tune' as an array of strings");
		return;
	}
	n = json_object_array_length(a);
	l->tune_args = calloc(n + 2, sizeof(char *));
	if (!l->tune_args) {
		control_error(&l->ctl, client, "out of memory");
		return;
	}
	l->tune_args[0] = strdup("tune");
	for (size_t i = 0; i < n; i++) {
		struct json_object *s = json_object_array_get_idx(a, i);

		if (!json_object_is_type(s, json_type_string)) {
			free_args(l->tune_args, (int)i + 1);
			control_error(&l->ctl, client, "tune: \"args\" must "
				      "hold strings only");
			return;
		}
		l->tune_args[i + 1] = strdup(json_object_get_string(s));
	}
	l->nr_tune_args = (int)n + 1;
	l->tune_client = client;
	l->has_tune = true;
}

/* The options of tune as a complete parameter set. -1 after printing. */
static int parse_tune(struct live *l, struct mon_opts *n)
{
	char **argv = l->tune_args;
	int argc = l->nr_tune_args;

	for (int i = 1; i < argc; i++) {
		int taken = mon_opts_parse_one(n, argc, argv, &i);

		if (taken < 0)
			return -1;
		if (taken)
			continue;
		if (argv[i][0] == '-' && argv[i][1])
			return cli_fail("tune: unknown option '%s'", argv[i]);
		if (mon_opts_set_target(n, argv[i]))
			return -1;
	}
	if (mon_opts_validate(n))
		return -1;
	if (n->target_cmd)
		return cli_fail("tune cannot change the target: monitor %d "
				"watches process %d; give no target or that pid",
				l->index, l->m.pid);
	if (n->target_pid && n->target_pid != l->m.pid)
		return cli_fail("tune cannot change the target: monitor %d "
				"watches process %d, not %d", l->index,
				l->m.pid, n->target_pid);
	/* a shell line's tree is monitored with or without the option */
	if ((n->cgroup && (!l->opts.cgroup || strcmp(n->cgroup, l->opts.cgroup))) ||
	    monitor_tree(&l->m, n) != monitor_tree(&l->m, &l->opts))
		return cli_fail("tune cannot change which processes are "
				"monitored: monitor %d watches %s (give the "
				"same --target_cgroup and --include_child_tasks, "
				"or start another monitor)", l->index,
				monitor_what(&l->m, &l->opts));
	return l->m.pid ? monitor_check_tids(&l->m, n) : 0;
}

static bool same_regions(const struct mon_opts *a, const struct mon_opts *b)
{
	return a->nr_regions == b->nr_regions &&
	       (!a->nr_regions || !memcmp(a->regions, b->regions,
					 a->nr_regions * sizeof(*a->regions)));
}

/* Apply n online; nothing changes unless all of it can. -1 after printing. */
static int apply_tune(struct live *l, struct mon_opts *n)
{
	struct udamon_ctx *ctx = l->m.ctx;
	bool attrib = n->has_cpus || n->nr_tids;
	struct udamon_filter *f = NULL, none;
	size_t nr_f = 0;
	unsigned int nr_cpus = 0;

	if (mon_opts_filters(n, &f, &nr_f))
		return cli_fail("out of memory");
	if (attrib && udamon_vaddr_set_attribution(ctx, true)) {
		mon_filters_free(f, nr_f);
		return cli_fail("%s", udamon_ctx_errmsg(ctx));
	}
	if (attrib && !ctx->track_cpus && !udamon_possible_cpus(&nr_cpus) &&
	    nr_cpus) {
		ctx->nr_cpus = nr_cpus;
		ctx->track_cpus = true;
		for (size_t i = 0; i < l->m.nr_recs; i++)
			l->m.recs[i].nr_cpus = nr_cpus;
	}
	if (!same_regions(n, &l->opts) &&
	    udamon_vaddr_set_regions(ctx, 0, n->regions, n->nr_regions)) {
		mon_filters_free(f, nr_f);
		return cli_fail("%s", udamon_ctx_errmsg(ctx));
	}
	/* attributes and filters: applied by the engine, as a commit */
	if (udamon_ctx_commit(ctx, &n->attrs, f ? f : &none, nr_f)) {
		mon_filters_free(f, nr_f);
		return cli_fail("%s", udamon_ctx_errmsg(ctx));
	}
	mon_filters_free(f, nr_f);
	if (!attrib)
		udamon_vaddr_set_attribution(ctx, false);
	return 0;
}

static char *join_args(char **argv, int argc)
{
	size_t len = 1;
	char *s;

	for (int i = 0; i < argc; i++)
		len += strlen(argv[i]) + 3;
	s = calloc(1, len);
	for (int i = 0; s && i < argc; i++) {
		bool quote = strpbrk(argv[i], " \t") || !argv[i][0];

		strcat(s, i ? " " : "");
		strcat(s, quote ? "'" : "");
		strcat(s, argv[i]);
		strcat(s, quote ? "'" : "");
	}
	return s;
}

static void run_tune(struct live *l)
{
	char msg[1024];
	struct mon_opts n;
	int err;

	mon_opts_init(&n);
	cli_capture(msg, sizeof(msg));
	err = parse_tune(l, &n);
	if (!err)
		err = apply_tune(l, &n);
	cli_capture(NULL, 0);
	if (err) {
		fprintf(stderr, "udamon: tune rejected; the parameters are "
			"unchanged\n");
		control_error(&l->ctl, l->tune_client, "%s", msg[0] ? msg :
			      "tune rejected");
		mon_opts_free(&n);
	} else {
		mon_opts_free(&l->opts);
		l->opts = n;
		free(l->args);
		l->args = join_args(l->tune_args + 1, l->nr_tune_args - 1);
		for (size_t i = 0; i < l->m.nr_recs; i++) {
			free(l->m.recs[i].filters_desc);
			l->m.recs[i].filters_desc =
				strdup(mon_opts_filters_desc(&n));
		}
		fprintf(stderr, "udamon: tuned: %s\n", l->args ? l->args : "");
		control_answer(&l->ctl, l->tune_client, NULL);
	}
	free_args(l->tune_args, l->nr_tune_args);
	l->tune_args = NULL;
	l->has_tune = false;
}

/* ---- requests and the loop hooks --------------------------------------- */

static void handle(struct control *c, uint64_t client, struct json_object *req,
		   const char *cmd, void *data)
{
	struct live *l = data;

	if (!strcmp(cmd, "status")) {
		answer_status(l, client);
	} else if (!strcmp(cmd, "snapshots")) {
		answer_snapshots(l, client, req);
	} else if (!strcmp(cmd, "tune")) {
		take_tune(l, client, req);
	} else if (!strcmp(cmd, "stop")) {
		struct json_object *ans = json_object_new_object();

		json_object_object_add(ans, "pid", json_object_new_int((int)getpid()));
		control_answer(c, client, ans);
		l->stopping = true;
		l->m.ctx->stop = 1;
	} else {
		c->nr_bad++;
		control_error(c, client, "unknown cmd '%s': expected status, "
			      "snapshots, tune or stop", cmd);
	}
}

/* Tell start that we answer on the socket (once), and let go of it. */
static void go_live(struct live *l)
{
	if (l->ready_fd < 0)
		return;
	say_ready(l, "live\n");
	close(l->ready_fd);
	l->ready_fd = -1;
}

/* The engine's sample sleep: serve the control socket meanwhile. */
static void live_sleep(void *data, uint64_t us)
{
	struct live *l = data;
	uint64_t end = udamon_now_ns() + us * 1000;

	go_live(l);
	for (;;) {
		uint64_t now = udamon_now_ns();

		if (now >= end || l->m.ctx->stop)
			return;
		if (control_serve(&l->ctl, end - now) == -EINTR &&
		    monitor_stop_signalled())
			return;
	}
}

/* After each sample: keep the latest snapshots, apply a waiting tune. */
static int live_tick(struct monitor *m, void *data)
{
	struct live *l = data;
	for (size_t i = 0; i < m->nr_recs; i++) {
		struct udamon_record *r = &m->recs[i];
		size_t n = r->nr_snapshots, drop = n - LIVE_KEEP_SNAPSHOTS;

		if (n <= LIVE_KEEP_SNAPSHOTS + LIVE_KEEP_SNAPSHOTS / 4)
			continue;
		if (r->snapshots[drop - 1].end_time_ns > l->dropped_until_ns)
			l->dropped_until_ns = r->snapshots[drop - 1].end_time_ns;
		udamon_record_drop_oldest(r, drop);
		l->nr_dropped += drop;
	}
	monitor_sync_stats(m);
	if (l->has_tune)
		run_tune(l);
	return l->stopping;
}

/* ---- the process ------------------------------------------------------ */

static int redirect_stdio(int index)
{
	char log[4096];
	int fd, null;

	rundir_file(log, sizeof(log), index, "log");
	fd = open(log, O_WRONLY | O_CREAT | O_TRUNC | O_APPEND | O_CLOEXEC, 0600);
	null = open("/dev/null", O_RDONLY | O_CLOEXEC);
	if (fd < 0 || null < 0)
		return cli_fail("cannot open '%s': %s", log, strerror(errno));
	dup2(null, STDIN_FILENO);
	dup2(fd, STDOUT_FILENO);
	dup2(fd, STDERR_FILENO);
	close(fd);
	close(null);
	setvbuf(stderr, NULL, _IONBF, 0);
	setvbuf(stdout, NULL, _IOLBF, 0);
	return 0;
}

static int setup(struct live *l, const struct live_params *p)
{
	char path[4096];
	const struct mon_opts *o = p->opts;

	if (o->target_cmd) {
		if (monitor_spawn(&l->m, o))
			return -1;
		l->command = strdup(o->target_cmd);	/* opts change with tune */
	} else {
		l->m.pid = o->target_pid;
	}
	l->m.quiet = true;
	l->m.keep_child = true;
	/* a target that ended while being attached has ended: not an error */
	if (monitor_setup(&l->m, o) && !l->m.ended_early)
		return -1;
	l->ops_name = l->m.ctx->ops && l->m.ctx->ops->name ?
		l->m.ctx->ops->name : o->ops == MON_OPS_PADDR ? "paddr" : "vaddr";
	l->m.recs[0].kdamond_idx = l->index;
	l->m.tick = live_tick;
	l->m.tick_data = l;
	l->m.ctx->clock.sleep_us = live_sleep;
	l->m.ctx->clock.data = l;
	rundir_file(path, sizeof(path), l->index, "sock");
	return control_listen(&l->ctl, path, handle, l);
}

/*
 * The target is gone (even before the first sample, or while it was being
 * attached): that is its end, not a failure of ours. Keep the last
 * snapshots and answer until stopped; with --exit_on_target_end, end.
 */
static void target_ended(struct live *l, bool linger)
{
	struct udamon_ctx *ctx = l->m.ctx;

	l->ended = true;
	monitor_target_gone(&l->m);	/* reaps a command of ours: its status */
	if (ctx->ops && ctx->ops->cleanup)
		ctx->ops->cleanup(ctx);		/* the registrations went with it */
	ctx->ops = NULL;
	go_live(l);
	if (!linger) {
		fprintf(stderr, "udamon: the target (process %d) has ended\n",
			l->m.pid);
		return;
	}
	fprintf(stderr, "udamon: the target (process %d) has ended; its last "
		"snapshots stay readable until 'udamon stop --index %d'\n",
		l->m.pid, l->index);
	while (!l->stopping && !monitor_stop_signalled())
		control_serve(&l->ctl, 1000000000ull);
}

int live_main(const struct live_params *p)
{
	struct live l;
	char line[64];
	int err;

	memset(&l, 0, sizeof(l));
	l.ready_fd = p->ready_fd;
	l.ctl.lfd = -1;
	l.start_ns = udamon_now_ns();
	umask(077);
	if (rundir_claim(&l.index))
		return 1;
	snprintf(line, sizeof(line), "index %d\n", l.index);
	say_ready(&l, line);
	l.opts = *p->opts;		/* owned from here */
	l.args = join_args(p->args, p->nr_args);
	err = redirect_stdio(l.index) || setup(&l, p);
	if (!err && !l.m.ended_early)
		fprintf(stderr, "udamon: monitor %d (pid %d) monitors process "
			"%d (%s)\n", l.index, (int)getpid(), l.m.pid,
			mon_opts_filters_desc(&l.opts));
	if (!err) {
		/* only to let go of the directory start ran in */
		(void)!chdir("/");
		if (!l.m.ended_early)
			err = monitor_run(&l.m);
		/* it ends when the target ends, unless stopped or signalled */
		if (!err && !l.stopping && !monitor_stop_signalled())
			target_ended(&l, !p->exit_on_target_end);
		if (!err && l.ready_fd >= 0)	/* stopped before it went live */
			err = cli_fail("the monitor was stopped before "
				       "monitoring could start");
	}
	control_close(&l.ctl);
	monitor_finish(&l.m);		/* unregisters: closes the userfaultfd */
	rundir_release(l.index);
	fprintf(stderr, "udamon: monitor %d %s\n", l.index,
		err ? "failed" : "stopped");
	mon_opts_free(&l.opts);
	free(l.args);
	free(l.command);
	return err ? 1 : 0;
}
