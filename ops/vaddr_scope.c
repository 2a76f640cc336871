// SPDX-License-Identifier: MIT
/*
 * The processes of a tree or a cgroup, as they come and go. New ones are
 * announced by the proc connector and handed to vaddr's attaching workers
 * at once, becoming targets at the first sample after their attach; a
 * full scan at each ops update catches what events cannot tell (a
 * process moved into the cgroup, events dropped, no connector).
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ops/vaddr_scope.h"
#include "primitives/cgroup.h"
#include "primitives/proc_events.h"
#include "primitives/proc_list.h"
#include "primitives/procfs.h"
#include "primitives/uffd_wp.h"

struct refusal {
	int pid;
	unsigned long long start;	/* its start time: pids are reused */
	char *reason;
};

/* A vfork child, to attach once it has executed its program. */
struct later {
	int pid;
	int parent;
	unsigned long long start;	/* its start time: pids are reused */
};

struct vaddr_scope {
	bool children;
	bool machine;
	bool include_init;
	bool has_cgroup;
	struct udamon_cgroup cg;
	struct udamon_proc_events *ev;	/* NULL: scans only */
	/* processes that could not be monitored: not tried again */
	struct refusal *refused;
	size_t nr_refused, cap_refused;
	uint64_t refused_ended;		/* dropped from the list: ended */
	struct udamon_refusal *view;	/* the list as the API gives it */
	/* vfork children not yet executing their program: tried each poll */
	struct later *later;
	size_t nr_later, cap_later;
	/* the events of one drain, handled after it */
	struct udamon_proc_event *pending;
	size_t nr_pending, cap_pending;
	void (*warn)(const char *msg, void *data);
	void (*warn_refused)(const char *msg, void *data);
	void *warn_data;
};

static void vsay(void (*fn)(const char *, void *), void *data,
		 const char *fmt, va_list ap)
{
	char msg[UDAMON_ERRMSG_LEN + 128];

	if (!fn)
		return;
	vsnprintf(msg, sizeof(msg), fmt, ap);
	fn(msg, data);
}

static void say(struct vaddr_scope *s, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void say(struct vaddr_scope *s, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsay(s->warn, s->warn_data, fmt, ap);
	va_end(ap);
}

/* A refusal: said where the caller wants those (it lists them itself). */
static void say_refused(struct vaddr_scope *s, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void say_refused(struct vaddr_scope *s, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsay(s->warn_refused ? s->warn_refused : s->warn, s->warn_data, fmt,
	     ap);
	va_end(ap);
}

static int cmp_int(const void *a, const void *b)
{
	int x = *(const int *)a, y = *(const int *)b;

	return (x > y) - (x < y);
}

static int cmp_entry(const void *a, const void *b)
{
	const struct udamon_proc_entry *x = a, *y = b;

	return (x->pid > y->pid) - (x->pid < y->pid);
}

int vaddr_scope_open(struct udamon_ctx *ctx,
		     const struct udamon_vaddr_opts *opts,
		     struct vaddr_scope **out)
{
	struct vaddr_scope *s = calloc(1, sizeof(*s));
	char err[UDAMON_ERRMSG_LEN];
	int ret;

	*out = NULL;
	if (!s)
		return -ENOMEM;
	s->children = opts->include_children;
	s->machine = opts->all_processes;
	s->include_init = opts->include_init;
	s->warn = opts->warn;
	s->warn_refused = opts->warn_refused;
	s->warn_data = opts->warn_data;
	if (opts->cgroup) {
		ret = udamon_cgroup_resolve(opts->cgroup, &s->cg, err,
					    sizeof(err));
		if (ret) {
			udamon_ctx_set_error(ctx, "vaddr: %s", err);
			free(s);
			return ret;
		}
		s->has_cgroup = true;
	}
	/* without the connector, new processes wait for the next scan */
	if (udamon_proc_events_open(&s->ev, err, sizeof(err)))
		s->ev = NULL;
	*out = s;
	return 0;
}

void vaddr_scope_close(struct vaddr_scope *s)
{
	if (!s)
		return;
	udamon_proc_events_close(s->ev);
	if (s->has_cgroup)
		udamon_cgroup_free(&s->cg);
	for (size_t i = 0; i < s->nr_refused; i++)
		free(s->refused[i].reason);
	free(s->refused);
	free(s->later);
	free(s->view);
	free(s->pending);
	free(s);
}

/* Is pid a live target (one we hold)? */
static bool is_member(struct udamon_ctx *ctx, int pid)
{
	for (size_t i = 0; i < ctx->nr_targets; i++) {
		struct udamon_target *t = &ctx->targets[i];

		if (t->pid == pid && !t->ended && t->ops_data &&
		    ctx->ops->target_valid(ctx, t))
			return true;
	}
	return false;
}

static bool was_refused(const struct vaddr_scope *s, int pid)
{
	for (size_t i = 0; i < s->nr_refused; i++)
		if (s->refused[i].pid == pid)
			return true;
	return false;
}

/* Wait for pid, a vfork child, to execute its program (start: 0 to read). */
static void push_later(struct vaddr_scope *s, int pid, int parent,
		       unsigned long long start)
{
	for (size_t i = 0; i < s->nr_later; i++)
		if (s->later[i].pid == pid)
			return;
	if (!start && udamon_proc_start_time(pid, &start, NULL))
		return;		/* gone already */
	if (s->nr_later == s->cap_later) {
		size_t cap = s->cap_later ? s->cap_later * 2 : 8;
		struct later *a = realloc(s->later, cap * sizeof(*a));

		if (!a)
			return;		/* the next scan finds it */
		s->later = a;
		s->cap_later = cap;
	}
	s->later[s->nr_later++] = (struct later){ pid, parent, start };
}

static void refuse(struct vaddr_scope *s, int pid, const char *reason)
{
	struct refusal *r;

	if (s->nr_refused == s->cap_refused) {
		size_t cap = s->cap_refused ? s->cap_refused * 2 : 16;

		r = realloc(s->refused, cap * sizeof(*r));
		if (!r)
			return;
		s->refused = r;
		s->cap_refused = cap;
	}
	r = &s->refused[s->nr_refused];
	r->pid = pid;
	if (udamon_proc_start_time(pid, &r->start, NULL))
		r->start = 0;
	/* "vaddr: process N ...": the list names the ops already */
	if (!strncmp(reason, "vaddr: ", 7))
		reason += 7;
	r->reason = strdup(reason);
	if (r->reason)
		s->nr_refused++;
}

/*
 * Drop the refused processes that have ended (or whose pid now names
 * another process, which may then be tried): the list holds those that
 * run unmonitored.
 */
static void prune_refused(struct vaddr_scope *s)
{
	size_t j = 0;

	for (size_t i = 0; i < s->nr_refused; i++) {
		struct refusal *r = &s->refused[i];
		unsigned long long t;

		if (!udamon_proc_start_time(r->pid, &t, NULL) && t == r->start) {
			s->refused[j++] = *r;
			continue;
		}
		free(r->reason);
		s->refused_ended++;
	}
	s->nr_refused = j;
}

size_t vaddr_scope_refused(struct vaddr_scope *s,
			   const struct udamon_refusal **out, uint64_t *ended)
{
	struct udamon_refusal *v;

	*out = NULL;
	*ended = s->refused_ended;
	if (!s->nr_refused)
		return 0;
	v = realloc(s->view, s->nr_refused * sizeof(*v));
	if (!v)
		return 0;
	s->view = v;
	for (size_t i = 0; i < s->nr_refused; i++)
		v[i] = (struct udamon_refusal){ s->refused[i].pid,
						s->refused[i].reason };
	*out = v;
	return s->nr_refused;
}

/* Attach pid unless it is ours already, ourselves, or was refused. */
static void add(struct udamon_ctx *ctx, struct vaddr_scope *s, int pid,
		int parent)
{
	pid_t server = udamon_uffd_steal_server_pid();

	/* nor udamon's own children: its server and the server's children */
	if (pid <= 0 || (pid == 1 && !s->include_init) || pid == getpid() ||
	    parent == getpid() || (server && parent == server) ||
	    is_member(ctx, pid) ||
	    vaddr_attaching(ctx, pid) || was_refused(s, pid))
		return;
	if (vaddr_attach_async(ctx, pid, parent))
		return;		/* out of memory: the next scan tries again */
}

void vaddr_scope_attached(struct udamon_ctx *ctx, struct vaddr_scope *s,
			  int pid, int parent, int ret, const char *err)
{
	if (!ret || ret == -ESRCH)
		return;		/* monitored, or already gone */
	if (ret == -EINPROGRESS) {	/* a vfork child: once it executes */
		push_later(s, pid, parent, 0);
		return;
	}
	refuse(s, pid, err);
	if (parent)
		say_refused(s, "process %d (a child of %d) is not monitored: %s",
			    pid, parent, err);
	else
		say_refused(s, "process %d is not monitored: %s", pid, err);
}

static void queue_event(const struct udamon_proc_event *e, void *data)
{
	struct vaddr_scope *s = data;

	if (e->kind != UDAMON_PROC_FORK)
		return;		/* execs are followed, exits seen by pidfd */
	if (s->nr_pending == s->cap_pending) {
		size_t cap = s->cap_pending ? s->cap_pending * 2 : 64;
		struct udamon_proc_event *p;

		p = realloc(s->pending, cap * sizeof(*p));
		if (!p)
			return;		/* the next scan finds it */
		s->pending = p;
		s->cap_pending = cap;
	}
	s->pending[s->nr_pending++] = *e;
}

/* Try the vfork children again: most have executed their program. */
static void retry_later(struct udamon_ctx *ctx, struct vaddr_scope *s)
{
	struct later *w = s->later;
	size_t n = s->nr_later;

	if (!n)
		return;
	s->later = NULL;
	s->nr_later = s->cap_later = 0;
	for (size_t i = 0; i < n; i++) {
		unsigned long long start;
		int shares;

		/* ended, or its pid is another process's now: let go */
		if (udamon_proc_start_time(w[i].pid, &start, NULL) ||
		    start != w[i].start)
			continue;
		shares = udamon_proc_shares_parent_mm(w[i].pid);
		/* still before its exec (a cheap check): wait on */
		if (shares > 0)
			push_later(s, w[i].pid, w[i].parent, w[i].start);
		else if (!shares)
			add(ctx, s, w[i].pid, w[i].parent);
	}
	free(w);
}

void vaddr_scope_poll(struct udamon_ctx *ctx, struct vaddr_scope *s)
{
	/* the processes attached meanwhile become targets */
	vaddr_attach_reap(ctx);
	retry_later(ctx, s);
	if (!s->ev)
		return;
	s->nr_pending = 0;
	/* events dropped (-ENOBUFS): the next scan finds those processes */
	udamon_proc_events_drain(s->ev, queue_event, s);
	/* in order: a grandchild's fork comes after its parent's */
	for (size_t i = 0; i < s->nr_pending; i++) {
		const struct udamon_proc_event *e = &s->pending[i];

		/* kthreadd (pid 2) starts the kernel threads */
		if (s->machine && e->ppid != 2) {
			add(ctx, s, e->pid, e->ppid);
			continue;
		}
		/* a parent being attached counts: its fork came first */
		if (!is_member(ctx, e->ppid) && !vaddr_attaching(ctx, e->ppid))
			continue;
		/* a child can be started in another cgroup (CLONE_INTO_CGROUP) */
		if (s->children || udamon_cgroup_has(&s->cg, e->pid))
			add(ctx, s, e->pid, e->ppid);
	}
}

/* The live targets' pids. */
static int member_pids(struct udamon_ctx *ctx, int **out, size_t *nr)
{
	int *a = malloc((ctx->nr_targets + 1) * sizeof(*a));
	size_t n = 0;

	if (!a)
		return -ENOMEM;
	for (size_t i = 0; i < ctx->nr_targets; i++)
		if (is_member(ctx, ctx->targets[i].pid))
			a[n++] = ctx->targets[i].pid;
	*out = a;
	*nr = n;
	return 0;
}

static int rescan_children(struct udamon_ctx *ctx, struct vaddr_scope *s)
{
	struct udamon_proc_entry *list;
	size_t nr, nr_roots, nr_desc;
	int *roots = NULL, *desc, ret;

	ret = udamon_proc_list(&list, &nr);
	if (ret)
		return ret;
	ret = member_pids(ctx, &roots, &nr_roots);
	if (!ret)
		ret = udamon_proc_descendants(list, nr, roots, nr_roots, &desc,
					      &nr_desc);
	if (!ret) {
		for (size_t i = 0; i < nr_desc; i++) {
			struct udamon_proc_entry key = { .pid = desc[i] };
			const struct udamon_proc_entry *e;

			e = bsearch(&key, list, nr, sizeof(*list), cmp_entry);
			add(ctx, s, desc[i], e ? e->ppid : 0);
		}
		free(desc);
	}
	free(roots);
	free(list);
	return ret;
}

static int rescan_cgroup(struct udamon_ctx *ctx, struct vaddr_scope *s)
{
	int *pids, ret;
	size_t nr;

	ret = udamon_cgroup_pids(&s->cg, &pids, &nr);
	if (ret == -ENOENT) {
		udamon_ctx_set_error(ctx, "vaddr: the cgroup %s was removed",
				     s->cg.dir);
		return ret;
	}
	if (ret)
		return ret;
	for (size_t i = 0; i < nr; i++)
		add(ctx, s, pids[i], 0);
	/* those that left: let go of them (their records end there) */
	for (size_t i = 0; i < ctx->nr_targets; i++) {
		struct udamon_target *t = &ctx->targets[i];

		if (!t->ops_data || t->ended ||
		    bsearch(&t->pid, pids, nr, sizeof(*pids), cmp_int))
			continue;
		if (ctx->ops->target_valid(ctx, t))
			say(s, "process %d left the cgroup %s: no longer monitored",
			    t->pid, s->cg.dir);
		vaddr_release_target(ctx, t);
	}
	free(pids);
	return 0;
}

/* Every user process of the machine. */
static int rescan_machine(struct udamon_ctx *ctx, struct vaddr_scope *s)
{
	struct udamon_proc_entry *list;
	size_t nr;
	int ret = udamon_proc_list(&list, &nr);

	if (ret)
		return ret;
	for (size_t i = 0; i < nr; i++)
		if (!list[i].kthread && list[i].state != 'Z')
			add(ctx, s, list[i].pid, list[i].ppid);
	free(list);
	return 0;
}

int vaddr_scope_rescan(struct udamon_ctx *ctx, struct vaddr_scope *s)
{
	int ret = 0;

	prune_refused(s);
	if (s->machine)
		return rescan_machine(ctx, s);
	if (s->has_cgroup)
		ret = rescan_cgroup(ctx, s);
	if (!ret && s->children)
		ret = rescan_children(ctx, s);
	return ret;
}
