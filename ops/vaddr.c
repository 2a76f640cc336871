// SPDX-License-Identifier: MIT
/*
 * vaddr: a live process, monitored for writes through userfaultfd async
 * write-protect (primitives/uffd_wp.h). Regions follow the kernel's vaddr
 * rule (three ranges around the two largest gaps between mappings); every
 * private writable mapping is registered (nothing armed); one pass per
 * sample checks each region's sampling page armed in the last pass and
 * arms a new one (written pages become write reports). With attribution,
 * the fault event source supplies the reports (with CPU and thread) and
 * the pass only arms the pages.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "udamon/ops.h"
#include "ops/attach_pool.h"
#include "ops/maps.h"
#include "primitives/compat.h"
#include "primitives/fault_events.h"
#include "primitives/proc_tasks.h"
#include "primitives/procfs.h"
#include "primitives/target_lock.h"
#include "primitives/uffd_wp.h"
#include "ops/vaddr_scope.h"
#include "ops/vaddr_thp.h"

/* Re-reads of the maps while the process keeps executing new programs. */
#define REFRESH_TRIES	100
/* Processes attached at once, off the sampling loop (scopes only). */
#define ATTACH_THREADS	4

struct vaddr_ctx {
	struct udamon_vaddr_opts opts;
	struct vaddr_scope *scope;	/* NULL: the given targets only */
	struct udamon_range *user_ranges; /* -r ranges, for added targets */
	size_t nr_user_ranges;
	struct attach_pool *pool;	/* with a scope: attaching workers */
	int *attaching;			/* new processes being attached */
	size_t nr_attaching, cap_attaching;
	uint64_t last_job;
	unsigned int nr_updates;
};

struct vaddr_target {
	int pid;
	int pidfd;
	int procfd;
	struct udamon_uffd_wp *wp;
	struct udamon_target_lock *lock;	/* our claim on the process */
	struct udamon_fault_source *src;
	bool user_regions;	/* the user gave the regions: keep them */
	uint64_t lost;		/* events the source lost, counted so far */
	uint64_t *pages;	/* this sample's sampling pages, for src */
	size_t cap_pages;
	struct vaddr_thp thp;
	struct udamon_range three[3];	/* the regions' ranges, as last read */
	int nr_three;
	uint64_t job;		/* a worker follows its exec (wp NULL); 0: none */
	/* its stat (vsize: when its maps were read) at update sig_update */
	struct udamon_proc_sig sig;
	bool sig_ok;
	unsigned int sig_update;
	int64_t rearm_credit;	/* re-arms allowed, in millionths */
	unsigned int wanted_last;	/* written pages the last pass met */
	uint64_t share;		/* of a re-arm, 2^32 = one (rearm_this) */
};

/* How a region's sampling page was armed (udamon_region.armed). */
enum how { HOW_NONE, HOW_PAGE, HOW_THP };

static uint64_t now_ns(struct udamon_ctx *ctx)
{
	if (ctx->clock.now_ns)
		return ctx->clock.now_ns(ctx->clock.data);
	return udamon_now_ns();
}

static struct vaddr_ctx *vctx(struct udamon_ctx *ctx)
{
	return ctx->ops_data;
}

static bool vaddr_target_valid(struct udamon_ctx *ctx, struct udamon_target *t)
{
	struct vaddr_target *vt = t->ops_data;
	struct pollfd p;

	(void)ctx;
	if (!vt || vt->pidfd < 0)
		return false;
	p.fd = vt->pidfd;
	p.events = POLLIN;
	p.revents = 0;
	/* A pidfd polls readable once the process has exited. */
	return poll(&p, 1, 0) == 0;
}

/* ---- mappings -> regions and registrations ------------------------------ */

/* Split the maps into all ranges (for regions) and the watched ones. */
static int read_maps(struct udamon_ctx *ctx, struct vaddr_target *vt,
		     struct udamon_range **all, size_t *nr_all,
		     struct udamon_range **wr, const char ***names, size_t *nr_wr,
		     struct udamon_mapping **maps_out)
{
	struct udamon_mapping *maps;
	size_t nr, i;
	int ret;

	ret = udamon_maps_read(vt->procfd, vt->pid, &maps, &nr, ctx->errmsg,
			       sizeof(ctx->errmsg));
	if (ret)
		return ret;
	*all = calloc(nr + 1, sizeof(**all));
	*wr = calloc(nr + 1, sizeof(**wr));
	*names = calloc(nr + 1, sizeof(**names));
	if (!*all || !*wr || !*names) {
		free(*all);
		free(*wr);
		free(*names);
		free(maps);
		return -ENOMEM;
	}
	*nr_all = *nr_wr = 0;
	for (i = 0; i < nr; i++) {
		const struct udamon_mapping *m = &maps[i];

		if (udamon_mapping_is_special(m))
			continue;
		(*all)[(*nr_all)++] = (struct udamon_range){ m->start, m->end };
		if (!udamon_mapping_is_private_writable(m))
			continue;
		(*names)[*nr_wr] = m->name;
		(*wr)[(*nr_wr)++] = (struct udamon_range){ m->start, m->end };
	}
	*maps_out = maps;
	return 0;
}

/* With user-given regions, watch only the mappings that overlap them. */
static size_t keep_overlapping(const struct udamon_target *t,
			       struct udamon_range *wr, const char **names,
			       size_t nr)
{
	size_t i, j = 0;

	for (i = 0; i < nr; i++) {
		size_t k;
		bool hit = false;

		for (k = 0; k < t->nr_regions && !hit; k++)
			hit = t->regions[k].start < wr[i].end &&
			      wr[i].start < t->regions[k].end;
		if (!hit)
			continue;
		wr[j] = wr[i];
		names[j++] = names[i];
	}
	return j;
}

/*
 * The process executed a new program: its old address space, and all we
 * registered in it, is gone. Steal a userfaultfd for the new one.
 */
static int follow_exec(struct udamon_ctx *ctx, struct vaddr_target *vt)
{
	struct vaddr_ctx *v = vctx(ctx);
	char err[UDAMON_ERRMSG_LEN];
	int ret;

	vaddr_thp_release(&vt->thp, NULL, -1, &ctx->stats);
	vt->thp.arms_left = THP_ARMS_PER_AGGR;
	udamon_uffd_wp_close(vt->wp);
	vt->wp = NULL;
	ret = udamon_uffd_wp_open(vt->pid, vt->pidfd, &vt->wp, err, sizeof(err));
	if (ret) {
		udamon_ctx_set_error(ctx, "vaddr: process %d executed a new program and cannot be followed: %s",
				     vt->pid, err);
		return ret;
	}
	udamon_uffd_wp_set_register_only(vt->wp, true);
	if (v->opts.warn) {
		udamon_uffd_wp_set_warn(vt->wp, v->opts.warn, v->opts.warn_data);
		snprintf(err, sizeof(err),
			 "process %d executed a new program: monitoring its new address space",
			 vt->pid);
		v->opts.warn(err, v->opts.warn_data);
	}
	return 0;
}

static int follow_exec_async(struct udamon_ctx *ctx, struct udamon_target *t);

/*
 * Read the mappings once: regions (unless fixed) and registrations. 0, 1
 * when a worker follows its exec (a scope), or negative errno.
 */
static int refresh_once(struct udamon_ctx *ctx, struct udamon_target *t,
			bool first)
{
	struct vaddr_target *vt = t->ops_data;
	struct udamon_range *all, *wr, three[3];
	struct udamon_mapping *maps;
	const char **names;
	size_t nr_all, nr_wr;
	int ret, n;

	if (!udamon_uffd_wp_mm_alive(vt->wp)) {
		if (!vaddr_target_valid(ctx, t))
			return -ESRCH;
		/* what was armed and checked was the old memory's */
		for (size_t j = 0; j < t->nr_regions; j++) {
			t->regions[j].armed = HOW_NONE;
			t->regions[j].unchecked = true;
		}
		if (vctx(ctx)->pool && !follow_exec_async(ctx, t))
			return 1;	/* a worker follows it */
		ret = follow_exec(ctx, vt);
		if (ret)
			return ret;
	}
	ret = read_maps(ctx, vt, &all, &nr_all, &wr, &names, &nr_wr, &maps);
	if (ret)
		return ret;
	if (!vt->user_regions) {
		n = udamon_three_regions(all, nr_all, three);
		if (n < 0) {
			udamon_ctx_set_error(ctx,
					     "vaddr: process %d has too few mappings to monitor (%zu)",
					     vt->pid, nr_all);
			ret = n;
			goto out;
		}
		memcpy(vt->three, three, sizeof(three));
		vt->nr_three = n;
		if (first)
			ret = udamon_target_init_regions(t, three, (size_t)n,
							 ctx->attrs.min_nr_regions);
		else
			ret = udamon_target_update_regions(t, three, (size_t)n);
		if (ret)
			goto out;
	} else {
		nr_wr = keep_overlapping(t, wr, names, nr_wr);
	}
	ret = udamon_uffd_wp_sync(vt->wp, wr, names, nr_wr);
	if (ret > 0)
		ret = 0;
	if (ret)
		udamon_ctx_set_error(ctx, "vaddr: process %d: cannot follow its mappings: %s",
				     vt->pid, strerror(-ret));
out:
	free(all);
	free(wr);
	free(names);
	free(maps);
	return ret;
}

/*
 * Re-read the mappings. A process in an exec chain may replace its memory
 * between our steal and our reading of its maps (which then come out
 * empty or half-built, or do not match the userfaultfd): when that is why
 * it failed, follow the new program and try again.
 */
static int refresh(struct udamon_ctx *ctx, struct udamon_target *t,
		   bool first)
{
	struct vaddr_target *vt = t->ops_data;
	int tries = 0, ret;

	if (vt->job)
		return 0;	/* a worker is following its exec */
	for (;;) {
		ret = refresh_once(ctx, t, first);
		if (ret == 1)
			return 0;	/* handed to a worker */
		if (!ret || !vt->wp || udamon_uffd_wp_mm_alive(vt->wp) ||
		    !vaddr_target_valid(ctx, t) || ++tries >= REFRESH_TRIES)
			return ret;
		ctx->errmsg[0] = '\0';
	}
}

/* ---- the ops ------------------------------------------------------------ */

static int vaddr_init(struct udamon_ctx *ctx)
{
	size_t i;
	int ret;

	for (i = 0; i < ctx->nr_targets; i++) {
		struct udamon_target *t = &ctx->targets[i];
		struct vaddr_target *vt = t->ops_data;

		vt->user_regions = t->nr_regions > 0;
		ret = refresh(ctx, t, true);
		if (ret)
			return ret;
	}
	if (!vctx(ctx)->scope)
		return 0;
	ret = vaddr_scope_rescan(ctx, vctx(ctx)->scope);
	/* the processes there are now: attached (in parallel) before we start */
	vaddr_attach_settle(ctx);
	return ret;
}

/*
 * One target of many failed (it was exiting while we followed its exec,
 * say): with a scope (a tree, a cgroup, the machine), let go of it, say
 * so, and go on with the others: 0. A target of its own stops the run:
 * the error.
 */
static int target_failed(struct udamon_ctx *ctx, struct udamon_target *t,
			 int ret)
{
	struct vaddr_ctx *v = vctx(ctx);
	char msg[UDAMON_ERRMSG_LEN + 64];

	if (!v->scope)
		return ret;
	if (v->opts.warn && vaddr_target_valid(ctx, t) && ret != -ESRCH) {
		snprintf(msg, sizeof(msg), "process %d is no longer monitored: %s",
			 t->pid, ctx->errmsg[0] ? ctx->errmsg : strerror(-ret));
		v->opts.warn(msg, v->opts.warn_data);
	}
	vaddr_release_target(ctx, t);
	ctx->errmsg[0] = '\0';
	return 0;
}

/*
 * With many processes (a scope), re-reading every one's maps at each ops
 * update was most of the monitor's work. A mapping made, removed or
 * resized changes the process's vsize (stat), so only those are read
 * again, and every one in turn each REFRESH_EVERY updates (what leaves
 * the size alone: mprotect, a move by mremap; a watched mapping that
 * changes under a check is followed at once anyway, udamon_uffd_wp_stale).
 */
#define REFRESH_EVERY	8

static bool maps_may_differ(struct udamon_ctx *ctx, struct vaddr_target *vt,
			    size_t i, unsigned int turn)
{
	uint64_t was = vt->sig.vsize;

	/* also kept for paddr, which reads the same file (vaddr_target_sig) */
	vt->sig_ok = !udamon_proc_sig(vt->procfd, &vt->sig);
	vt->sig_update = vctx(ctx)->nr_updates;
	if (!vt->sig_ok)
		vt->sig.vsize = 0;
	return !vt->sig_ok || vt->sig.vsize != was || i % REFRESH_EVERY == turn;
}

static int vaddr_update(struct udamon_ctx *ctx)
{
	unsigned int turn;
	size_t i;
	int ret;

	if (vctx(ctx)->scope) {
		ret = vaddr_scope_rescan(ctx, vctx(ctx)->scope);
		if (ret)
			return ret;
	}
	turn = vctx(ctx)->nr_updates++ % REFRESH_EVERY;
	for (i = 0; i < ctx->nr_targets; i++) {
		struct udamon_target *t = &ctx->targets[i];

		if (!vaddr_target_valid(ctx, t))
			continue;
		if (vctx(ctx)->scope && !maps_may_differ(ctx, t->ops_data, i, turn))
			continue;
		ret = refresh(ctx, t, false);
		if (ret == -ESRCH && !vaddr_target_valid(ctx, t))
			continue;	/* exited meanwhile */
		if (ret && target_failed(ctx, t, ret))
			return ret;
	}
	return 0;
}

struct push_arg {
	struct udamon_ctx *ctx;
	size_t target;
	uint64_t now;
};

static int push_written(uint64_t start, uint64_t end, void *data)
{
	struct push_arg *a = data;
	struct udamon_access_report r = {
		.vaddr = start,
		.paddr = UDAMON_UNKNOWN_ADDR,
		.size = end - start,
		.cpu = UDAMON_UNKNOWN_CPU,
		.tid = UDAMON_UNKNOWN_TID,
		.is_write = 1,
		.time_ns = a->now,
		.target = a->target,
	};

	udamon_ctx_push_report(a->ctx, &r);
	return 0;
}

/*
 * The fault event source keeps the faults on the pages checked in this
 * pass and on those armed in it; the engine counts each fault within its
 * page's window (docs/FIDELITY.md).
 */
static int arm_fault_source(struct udamon_ctx *ctx, struct udamon_target *t)
{
	struct vaddr_target *vt = t->ops_data;
	size_t j, n = 0;
	int ret;

	if (2 * t->nr_regions > vt->cap_pages) {
		uint64_t *p = realloc(vt->pages,
				      2 * t->nr_regions * sizeof(*p));

		if (!p)
			return -ENOMEM;
		vt->pages = p;
		vt->cap_pages = 2 * t->nr_regions;
	}
	for (j = 0; j < t->nr_regions; j++) {
		const struct udamon_region *r = &t->regions[j];

		if (r->check_how)
			vt->pages[n++] = r->check_addr;
		if (!r->skip_arm)
			vt->pages[n++] = r->sampling_addr;
	}
	ret = udamon_fault_source_arm(vt->src, vt->pages, n);
	if (ret)
		udamon_ctx_set_error(ctx, "vaddr: process %d: arming %zu pages for fault events failed: %s",
				     vt->pid, n, strerror(-ret));
	return ret;
}

/*
 * Arm region r's new sampling page: the page itself, or its huge page
 * unit (arming a single page would split the huge page); r->armed says
 * which (HOW_NONE: neither, the region is unchecked in the next sample).
 * A written page re-armed counts in *used. 0 or negative errno.
 */
static int arm_region(struct vaddr_target *vt, struct udamon_region *r,
		      bool rearm, unsigned int *used, unsigned int *wanted)
{
	int ret;

	r->armed = HOW_NONE;
	ret = udamon_uffd_wp_page(vt->wp, r->sampling_addr, rearm);
	if (ret < 0)
		return ret;
	if (!(ret & UDAMON_WP_HUGE)) {
		if (ret & UDAMON_WP_WRITTEN) {
			(*wanted)++;
			if (!rearm)
				return 0;	/* written, not re-armed */
			(*used)++;	/* re-armed just now */
		}
		r->armed = HOW_PAGE;
		return 0;
	}
	ret = vaddr_thp_arm(&vt->thp, vt->wp, r->sampling_addr & ~(THP_SIZE - 1),
			    ret);
	if (ret < 0)
		return ret;
	r->armed = ret ? HOW_THP : HOW_NONE;
	return 0;
}

/* Was the page armed in the last pass (or its unit) written since? */
static int check_region(struct udamon_ctx *ctx, struct vaddr_target *vt,
			struct udamon_region *r)
{
	uint64_t page = r->check_addr & ~4095ULL;
	int ret;

	if (r->check_how == HOW_THP) {
		ret = vaddr_thp_check(&vt->thp, vt->wp,
				      page & ~(THP_SIZE - 1), &ctx->stats);
		if (ret == THP_UNKNOWN)
			r->unchecked = true;
		return ret == THP_WRITTEN ? 1 : ret < 0 ? ret : 0;
	}
	ret = udamon_uffd_wp_page(vt->wp, page, false);
	if (ret < 0)
		return ret;
	if (ret & UDAMON_WP_HUGE) {
		/* collapsed into a huge page during the sample: unknown */
		r->unchecked = true;
		return 0;
	}
	return ret & UDAMON_WP_WRITTEN;
}

/*
 * DAMON checks one sampling page per region and sample; so do we. Arming
 * only the sampling pages bounds what monitoring costs: at most one write
 * fault per region and sample for the target, and one page-table change
 * plus TLB flush per written sampling page for us, however much the target
 * writes. Other pages stay as they are: once written, unarmed and free.
 *
 * Every written sampling page that is re-armed costs the target a fault
 * and us a TLB shootdown (an IPI to every CPU the target runs on, waited
 * for: most of udamon's own CPU time, docs/PERFORMANCE.md): at most
 * REARMS_PER_S a second per target at the user's sample interval, as many
 * per sample at longer ones. Pages still armed cost nothing to
 * arm again and are always taken; the re-arms a pass may make are spread
 * evenly over the written pages of the pass (as many as were written in
 * the last one), so no part of the address space gets them first. A written
 * page not re-armed leaves its region unchecked in the next sample (the
 * engine scales its count from the samples that were checked).
 */
#define REARMS_PER_S	1000
#define MILLION		1000000LL

/*
 * The re-arms this pass should make (whole ones; the rest, and what a
 * pass made over, carries over): at most REARMS_PER_S on average at the
 * user's sample interval, the same number per sample at longer ones (when
 * the CPU budget lengthens the intervals, the re-arms, most of udamon's
 * CPU time, become fewer with the samples).
 */
static unsigned int rearm_budget(const struct udamon_ctx *ctx,
				 struct vaddr_target *vt)
{
	uint64_t us = ctx->attrs.sample_us;
	int64_t per_pass;

	if (ctx->budget_base_sample_us && ctx->budget_base_sample_us < us)
		us = ctx->budget_base_sample_us;
	per_pass = (int64_t)(REARMS_PER_S * us);

	vt->rearm_credit += per_pass;
	/* nothing saved up beyond a pass's worth */
	if (vt->rearm_credit > per_pass + MILLION)
		vt->rearm_credit = per_pass + MILLION;
	return vt->rearm_credit < MILLION ? 0 :
	       (unsigned int)(vt->rearm_credit / MILLION);
}

/*
 * Re-arm this written page? Each written page adds the share of the
 * pass's re-arms that as many written pages as the last pass found would
 * each get; a page whose share completes a whole re-arm gets one. The
 * written pages thus get the re-arms evenly along the
 * pass, and a phase that moves by the golden ratio at each pass moves
 * which ones do, so that every region takes its turn.
 */
static bool rearm_this(struct vaddr_target *vt, unsigned int allowed,
		       unsigned int used)
{
	/*
	 * A pass may go over (what it owes comes off the next ones): a hard
	 * stop at the budget would leave the pages at the end of the pass
	 * out whenever more were written than in the last pass.
	 */
	if (!allowed || used >= 2 * allowed)
		return false;
	if (vt->wanted_last <= allowed)
		return true;
	vt->share += ((uint64_t)allowed << 32) / vt->wanted_last;
	if (vt->share < 1ULL << 32)
		return false;
	vt->share -= 1ULL << 32;
	return true;
}

/* Charge this pass's re-arms; remember how many written pages it met. */
static void rearms_done(struct vaddr_target *vt, unsigned int used,
			unsigned int wanted)
{
	vt->rearm_credit -= (int64_t)used * MILLION;
	vt->wanted_last = wanted;
}

/*
 * The pass failed on a page: the target is gone (nothing to do), has
 * executed a new program (follow it: its new memory has nothing of ours
 * armed), or something else went wrong (the error).
 */
static int pass_failed(struct udamon_ctx *ctx, struct udamon_target *t,
		       int err)
{
	struct vaddr_target *vt = t->ops_data;

	for (size_t j = 0; j < t->nr_regions; j++)
		t->regions[j].armed = HOW_NONE;
	if (!vaddr_target_valid(ctx, t))
		return 0;
	if (!udamon_uffd_wp_mm_alive(vt->wp))
		return refresh(ctx, t, false);
	udamon_ctx_set_error(ctx, "vaddr: process %d: checking or arming a sampling page failed: %s",
			     vt->pid, strerror(-err));
	return err;
}

static int push_event(const struct udamon_access_report *r, void *data)
{
	struct push_arg *a = data;
	struct udamon_access_report rep = *r;

	rep.target = a->target;
	rep.source = UDAMON_REPORT_FAULT;	/* counts on sampling pages */
	udamon_ctx_push_report(a->ctx, &rep);
	return 0;
}

/*
 * One pass over a target's regions, in address order: check each
 * region's page armed in the last pass (with the fault event source, its
 * faults are the answer: no page is queried), then arm its new one.
 * Returns the written pages found, or negative errno.
 */
static long pass_regions(struct udamon_ctx *ctx, struct udamon_target *t)
{
	struct vaddr_target *vt = t->ops_data;
	struct push_arg a = { ctx, (size_t)(t - ctx->targets), 0 };
	size_t j, n = t->nr_regions;
	unsigned int allowed, used = 0, wanted = 0;
	long written = 0;
	int ret = 0;

	allowed = rearm_budget(ctx, vt);
	vt->share = (vt->share + 0x9e3779b9ULL) & 0xffffffffULL;
	for (j = 0; j < n; j++) {
		struct udamon_region *r = &t->regions[j];

		if (r->check_how && !vt->src) {
			ret = check_region(ctx, vt, r);
			if (ret < 0)
				break;
			if (ret) {
				uint64_t page = r->check_addr & ~4095ULL;

				a.now = now_ns(ctx);
				push_written(page, page + 4096, &a);
				written++;
			}
		}
		/*
		 * The checked page's window ends, the new one's begins: before
		 * the arming, so that a fault right after it counts (a writer
		 * on another CPU may fault within microseconds).
		 */
		r->armed_ns = now_ns(ctx);
		if (!r->skip_arm) {
			ret = arm_region(vt, r, rearm_this(vt, allowed, used),
					 &used, &wanted);
			if (ret < 0)
				break;
		}
	}
	rearms_done(vt, used, wanted);
	vaddr_thp_pass_done(&vt->thp);
	return ret < 0 ? ret : written;
}

static int pass_target(struct udamon_ctx *ctx, struct udamon_target *t)
{
	struct vaddr_target *vt = t->ops_data;
	long n;

	if (vt->src) {
		int ret = arm_fault_source(ctx, t);

		if (ret)
			return ret;
	}
	n = pass_regions(ctx, t);
	if (n < 0)
		return pass_failed(ctx, t, (int)n);
	/* an exec leaves pages that read unwritten: look when none was */
	if (n == 0 && !udamon_uffd_wp_mm_alive(vt->wp) &&
	    vaddr_target_valid(ctx, t))
		return refresh(ctx, t, false);
	if (vt->src) {
		struct push_arg a = { ctx, (size_t)(t - ctx->targets), 0 };

		n = udamon_fault_source_drain(vt->src, push_event, &a);
		if (n < 0) {
			udamon_ctx_set_error(ctx, "vaddr: process %d: reading fault events failed: %s",
					     vt->pid, strerror((int)-n));
			return (int)n;
		}
	}
	/* The target remapped watched memory: follow it right away. */
	if (udamon_uffd_wp_stale(vt->wp)) {
		int ret = refresh(ctx, t, false);

		if (ret && vaddr_target_valid(ctx, t))
			return ret;
	}
	return 0;
}

/*
 * Restore the huge pages writes split (at the last pass of an
 * aggregation): a page this pass armed in a unit restored (un-protected)
 * is not armed any more, and its region goes unchecked in the next sample.
 */
static void thp_aggregated(struct udamon_ctx *ctx, struct udamon_target *t)
{
	struct vaddr_target *vt = t->ops_data;

	vaddr_thp_aggregated(&vt->thp, vt->wp, vt->pidfd, &ctx->stats);
	for (size_t j = 0; j < t->nr_regions && vt->thp.nr_restored; j++) {
		struct udamon_region *r = &t->regions[j];
		uint64_t unit = r->sampling_addr & ~(THP_SIZE - 1);

		for (size_t k = 0; r->armed && k < vt->thp.nr_restored; k++)
			if (vt->thp.restored[k] == unit)
				r->armed = HOW_NONE;
	}
}

static int vaddr_check_and_arm(struct udamon_ctx *ctx)
{
	size_t i;
	int ret;

	for (i = 0; i < ctx->nr_targets; i++) {
		struct udamon_target *t = &ctx->targets[i];
		struct vaddr_target *vt = t->ops_data;

		if (vt && vt->job) {
			/* its new program is being attached: unknown */
			for (size_t k = 0; k < t->nr_regions; k++) {
				t->regions[k].unchecked = true;
				t->regions[k].armed = HOW_NONE;
			}
			continue;
		}
		/*
		 * No poll of the pidfd here (the engine polled this sample):
		 * a target gone since fails its checks, and pass_target
		 * looks then.
		 */
		if (!vt || !vt->wp || vt->pidfd < 0)
			continue;
		ret = pass_target(ctx, t);
		if (ret && target_failed(ctx, t, ret))
			return ret;
		vt = t->ops_data;
		if (!vt)
			continue;	/* let go of just now */
		/* the last sample of an aggregation: restore huge pages */
		if (vt->wp && ctx->passed_samples >= ctx->next_aggr_sample &&
		    vaddr_target_valid(ctx, t))
			thp_aggregated(ctx, t);
		if (vt->src) {
			/* add what the source lost (the engine counts its own) */
			uint64_t lost = udamon_fault_source_lost(vt->src);

			ctx->lost_reports += lost - vt->lost;
			vt->lost = lost;
		}
	}
	/* new processes of the scope: their first pages are armed next */
	if (vctx(ctx)->scope)
		vaddr_scope_poll(ctx, vctx(ctx)->scope);
	return 0;
}

void vaddr_release_target(struct udamon_ctx *ctx, struct udamon_target *t)
{
	struct vaddr_target *vt = t->ops_data;

	if (!vt)
		return;
	if (vt->src)
		udamon_fault_source_close(vt->src);
	free(vt->pages);
	/* huge pages split by monitoring are given back first */
	if (vt->wp && udamon_uffd_wp_mm_alive(vt->wp))
		vaddr_thp_release(&vt->thp, vt->wp, vt->pidfd, &ctx->stats);
	else
		vaddr_thp_release(&vt->thp, NULL, -1, &ctx->stats);
	/* Closing the only uffd reference drops every registration. */
	udamon_uffd_wp_close(vt->wp);
	udamon_target_unlock(vt->lock);
	if (vt->procfd >= 0)
		close(vt->procfd);
	if (vt->pidfd >= 0)
		close(vt->pidfd);
	free(vt);
	t->ops_data = NULL;
}

static void drop_job(struct attach_job *base);

static void vaddr_cleanup(struct udamon_ctx *ctx)
{
	size_t i;

	/* workers first: a running attach finishes, and is let go */
	if (ctx->ops_data) {
		bool pool = vctx(ctx)->pool != NULL;

		attach_pool_free(vctx(ctx)->pool, drop_job);
		vctx(ctx)->pool = NULL;
		if (pool)
			udamon_uffd_steal_server_stop();
		free(vctx(ctx)->attaching);
	}
	for (i = 0; i < ctx->nr_targets; i++)
		vaddr_release_target(ctx, &ctx->targets[i]);
	if (ctx->ops_data) {
		vaddr_scope_close(vctx(ctx)->scope);
		free(vctx(ctx)->user_ranges);
	}
	free(ctx->ops_data);
	ctx->ops_data = NULL;
}

static const struct udamon_ops vaddr_ops = {
	.name = "vaddr",
	.init = vaddr_init,
	.update = vaddr_update,
	.check_and_arm = vaddr_check_and_arm,
	.target_valid = vaddr_target_valid,
	.cleanup_target = vaddr_release_target,
	.cleanup = vaddr_cleanup,
};

/* ---- attach ---------------------------------------------------------------- */

static int keep_user_ranges(struct vaddr_ctx *v, const struct udamon_target *t);

/* State letter and thread group of pid from /proc (0 when unreadable). */
static char proc_state(int pid, int *tgid)
{
	char path[64], buf[4096], *p;
	char state = 0;

	*tgid = 0;
	snprintf(path, sizeof(path), "/proc/%d/status", pid);
	if (udamon_proc_read(AT_FDCWD, path, buf, sizeof(buf)) <= 0)
		return 0;
	p = strstr(buf, "\nState:");
	if (p)
		sscanf(p + 7, " %c", &state);
	p = strstr(buf, "\nTgid:");
	if (p)
		*tgid = (int)strtol(p + 6, NULL, 10);
	return state;
}

/* Why pid cannot be monitored although pidfd_open or the pidfd says gone. */
static int explain_missing(struct udamon_ctx *ctx, int pid, int err)
{
	int tgid;
	char state = proc_state(pid, &tgid);

	if (tgid && tgid != pid) {
		udamon_ctx_set_error(ctx, "vaddr: %d is a thread of process %d, "
				     "not a process: give the process id (%d)",
				     pid, tgid, tgid);
		return -ESRCH;
	}
	if (state == 'Z' || state == 'X') {
		udamon_ctx_set_error(ctx, "vaddr: process %d has exited (a "
				     "zombie not yet reaped by its parent): it "
				     "has no memory left to monitor", pid);
		return -ESRCH;
	}
	if (state || err == -ESRCH || err == -ENOENT) {
		udamon_ctx_set_error(ctx, "vaddr: no process with pid %d", pid);
		return -ESRCH;
	}
	udamon_ctx_set_error(ctx, "vaddr: pidfd_open(%d): %s", pid,
			     strerror(-err));
	return err;
}

/* Refuse what cannot be monitored; seccomp filters are checked by the injection. */
static int check_process(struct udamon_ctx *ctx, int procfd, int pid)
{
	char buf[4096], *p;
	ssize_t n;
	int fd;

	if (pid == getpid()) {
		udamon_ctx_set_error(ctx, "vaddr: cannot monitor udamon itself (pid %d)", pid);
		return -EINVAL;
	}
	if (udamon_proc_read(procfd, "status", buf, sizeof(buf)) <= 0)
		goto gone;
	p = strstr(buf, "\nTracerPid:");
	if (p && strtol(p + 11, NULL, 10) != 0) {
		udamon_ctx_set_error(ctx,
				     "vaddr: process %d is traced by process %ld; detach the tracer first",
				     pid, strtol(p + 11, NULL, 10));
		return -EBUSY;
	}
	/* empty for a moment in the middle of an exec; for good otherwise */
	for (int i = 0; i < 20; i++) {
		struct timespec ts = { 0, 1000 * 1000 };

		fd = openat(procfd, "maps", O_RDONLY | O_CLOEXEC);
		if (fd < 0 && (errno == EACCES || errno == EPERM)) {
			udamon_ctx_set_error(ctx,
					     "vaddr: process %d exists, but its memory map (/proc/%d/maps) cannot be read: %s (a process of another user namespace, or one its security policy protects); it cannot be monitored",
					     pid, pid, strerror(errno));
			return -EPERM;
		}
		if (fd < 0)
			goto gone;
		n = read(fd, buf, 16);
		close(fd);
		if (n != 0)
			break;
		nanosleep(&ts, NULL);
	}
	if (n == 0) {
		udamon_ctx_set_error(ctx,
				     "vaddr: process %d has no user address space (a kernel thread or a zombie)",
				     pid);
		return -EINVAL;
	}
	if (n < 0)
		goto gone;
	return 0;
gone:
	udamon_ctx_set_error(ctx, "vaddr: no process with pid %d", pid);
	return -ESRCH;
}

static int attach_target(struct udamon_ctx *ctx, struct udamon_target *t,
			 const struct udamon_vaddr_opts *opts)
{
	struct vaddr_target *vt;
	char path[64], err[UDAMON_ERRMSG_LEN];
	int ret;

	vt = calloc(1, sizeof(*vt));
	if (!vt)
		return -ENOMEM;
	vt->pid = t->pid;
	vt->procfd = -1;
	vt->thp.arms_left = THP_ARMS_PER_AGGR;
	t->ops_data = vt;
	vt->pidfd = (int)syscall(SYS_pidfd_open, t->pid, 0);
	if (vt->pidfd < 0)	/* a thread id gets EINVAL, or ENOENT (6.9+) */
		return explain_missing(ctx, t->pid, -errno);
	snprintf(path, sizeof(path), "/proc/%d", t->pid);
	vt->procfd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	/* Opened after the pidfd: if the pid is still alive, it is the same. */
	if (vt->procfd < 0 || !vaddr_target_valid(ctx, t))
		return explain_missing(ctx, t->pid, -ESRCH);
	/* before anything is done to it: one monitor per process */
	ret = udamon_target_lock(t->pid, &vt->lock, err, sizeof(err));
	if (ret) {
		udamon_ctx_set_error(ctx, "vaddr: %s", err);
		return ret;
	}
	ret = check_process(ctx, vt->procfd, t->pid);
	if (ret)
		return ret;
	ret = udamon_uffd_wp_open(t->pid, vt->pidfd, &vt->wp, err, sizeof(err));
	if (ret) {
		udamon_ctx_set_error(ctx, "vaddr: %s", err);
		return ret;
	}
	udamon_uffd_wp_set_register_only(vt->wp, true);
	if (opts && opts->warn)
		udamon_uffd_wp_set_warn(vt->wp, opts->warn, opts->warn_data);
	if (opts && opts->attribution) {
		ret = udamon_fault_source_open(t->pid, &vt->src, err, sizeof(err));
		if (ret) {
			udamon_ctx_set_error(ctx, "vaddr: %s", err);
			return ret;
		}
		snprintf(ctx->stats.fault_source, sizeof(ctx->stats.fault_source), "%s",
			 udamon_fault_source_kind(vt->src));
	}
	return 0;
}

int udamon_vaddr_attach(struct udamon_ctx *ctx,
			const struct udamon_vaddr_opts *opts)
{
	struct vaddr_ctx *v;
	size_t i;
	int ret;

	if (!ctx->nr_targets && !(opts && (opts->cgroup || opts->all_processes))) {
		udamon_ctx_set_error(ctx, "vaddr: no target process given");
		return -EINVAL;
	}
	v = calloc(1, sizeof(*v));
	if (!v)
		return -ENOMEM;
	if (opts)
		v->opts = *opts;
	if (ctx->ops && ctx->ops->cleanup)
		ctx->ops->cleanup(ctx);
	ctx->ops = &vaddr_ops;
	ctx->ops_data = v;
	ctx->use_reports = true;
	ctx->open_targets = opts && (opts->cgroup || opts->all_processes);
	if (ctx->nr_targets && ctx->targets[0].nr_regions) {
		ret = keep_user_ranges(v, &ctx->targets[0]);
		if (ret)
			goto fail;
	}
	/* subscribe before the targets' first scan: no child slips through */
	if (opts && (opts->include_children || opts->cgroup ||
		     opts->all_processes)) {
		ret = vaddr_scope_open(ctx, opts, &v->scope);
		if (ret)
			goto fail;
		v->pool = attach_pool_new(ATTACH_THREADS);
		if (!v->pool) {
			ret = -ENOMEM;
			goto fail;
		}
		/* while udamon is small; without it, each steal forks udamon */
		udamon_uffd_steal_server_start();
	}
	for (i = 0; i < ctx->nr_targets; i++) {
		ret = attach_target(ctx, &ctx->targets[i], opts);
		if (ret)
			goto fail;
	}
	return 0;
fail:
	vaddr_cleanup(ctx);
	ctx->ops = NULL;
	return ret;
}

/* The -r ranges, given to every target added later (same layout). */
static int keep_user_ranges(struct vaddr_ctx *v, const struct udamon_target *t)
{
	v->user_ranges = calloc(t->nr_regions, sizeof(*v->user_ranges));
	if (!v->user_ranges)
		return -ENOMEM;
	for (size_t i = 0; i < t->nr_regions; i++)
		v->user_ranges[i] = (struct udamon_range){ t->regions[i].start,
							   t->regions[i].end };
	v->nr_user_ranges = t->nr_regions;
	return 0;
}

struct udamon_uffd_wp *vaddr_target_wp(const struct udamon_target *t)
{
	const struct vaddr_target *vt = t->ops_data;

	return vt ? vt->wp : NULL;
}

struct udamon_fault_source *vaddr_target_src(const struct udamon_target *t)
{
	const struct vaddr_target *vt = t->ops_data;

	return vt ? vt->src : NULL;
}

bool vaddr_target_sig(struct udamon_ctx *ctx, const struct udamon_target *t,
		      struct udamon_proc_sig *sig)
{
	const struct vaddr_target *vt = t->ops_data;

	if (!vt || !vt->sig_ok || vt->sig_update != vctx(ctx)->nr_updates)
		return false;
	*sig = vt->sig;
	return true;
}

int vaddr_target_procfd(const struct udamon_target *t)
{
	const struct vaddr_target *vt = t->ops_data;

	return vt ? vt->procfd : -1;
}

void vaddr_poll_scope(struct udamon_ctx *ctx)
{
	if (vctx(ctx)->scope)
		vaddr_scope_poll(ctx, vctx(ctx)->scope);
}

/* ---- attaching off the sampling loop ------------------------------------ */

/*
 * With a scope, getting a process's userfaultfd (3-8 ms of seizing,
 * injecting and detaching) and reading its mappings run in worker threads:
 * a new process (JOB_NEW), or a target that executed a new program
 * (JOB_EXEC: its wp is NULL and its regions unchecked meanwhile). A job
 * works on a target of its own in a scratch context; the sampling thread
 * takes finished jobs at each sample and installs them.
 */
enum job_kind { JOB_NEW, JOB_EXEC };

#define JOB_MAX_MSGS	16

struct vaddr_job {
	struct attach_job base;
	enum job_kind kind;
	int pid, parent;
	uint64_t id;
	size_t target;			/* JOB_EXEC: the target's index */
	struct vaddr_ctx v;		/* the options (warnings collected) */
	struct udamon_attrs attrs;
	int pidfd, procfd;		/* JOB_EXEC: copies of the target's */
	struct udamon_range *regions;	/* JOB_EXEC: its fixed regions */
	size_t nr_regions;
	/* what came out */
	int ret;
	char err[UDAMON_ERRMSG_LEN];
	char *msgs[JOB_MAX_MSGS];	/* warnings, said when installed */
	size_t nr_msgs;
	struct udamon_target tmp;	/* the target made ready */
};

/* In a worker: what would be said is kept for the sampling thread. */
static void collect(const char *msg, void *data)
{
	struct vaddr_job *j = data;
	char *m;

	if (j->nr_msgs == JOB_MAX_MSGS || !(m = strdup(msg)))
		return;
	j->msgs[j->nr_msgs++] = m;
}

static int prepare_new(struct udamon_ctx *s, struct vaddr_job *j)
{
	struct udamon_target *t = &j->tmp;
	int ret;

	t->pid = j->pid;
	ret = attach_target(s, t, &j->v.opts);
	if (!ret && j->v.nr_user_ranges)
		ret = udamon_target_set_regions(t, j->v.user_ranges,
						j->v.nr_user_ranges);
	if (ret)
		return ret;
	((struct vaddr_target *)t->ops_data)->user_regions =
		j->v.nr_user_ranges > 0;
	return refresh(s, t, true);
}

static int prepare_exec(struct udamon_ctx *s, struct vaddr_job *j)
{
	struct udamon_target *t = &j->tmp;
	struct vaddr_target *vt = calloc(1, sizeof(*vt));
	char err[UDAMON_ERRMSG_LEN];
	int ret;

	if (!vt)
		return -ENOMEM;
	vt->pid = t->pid = j->pid;
	vt->pidfd = j->pidfd;
	vt->procfd = j->procfd;
	j->pidfd = j->procfd = -1;	/* vt's now */
	vt->thp.arms_left = THP_ARMS_PER_AGGR;
	t->ops_data = vt;
	vt->user_regions = j->nr_regions > 0;
	if (j->nr_regions) {
		ret = udamon_target_set_regions(t, j->regions, j->nr_regions);
		if (ret)
			return ret;
	}
	ret = udamon_uffd_wp_open(vt->pid, vt->pidfd, &vt->wp, err, sizeof(err));
	if (ret) {
		udamon_ctx_set_error(s, "vaddr: process %d executed a new program and cannot be followed: %s",
				     vt->pid, err);
		return ret;
	}
	udamon_uffd_wp_set_register_only(vt->wp, true);
	udamon_uffd_wp_set_warn(vt->wp, collect, j);
	ret = refresh(s, t, true);
	if (!ret) {
		snprintf(err, sizeof(err),
			 "process %d executed a new program: monitoring its new address space",
			 vt->pid);
		collect(err, j);
	}
	return ret;
}

/* Let go of what the job holds (its target, if not installed). */
static void release_tmp(struct vaddr_job *j)
{
	struct udamon_ctx *s;

	if (!j->tmp.ops_data)
		return;
	s = udamon_ctx_new();	/* for the counters the release touches */
	if (s) {
		vaddr_release_target(s, &j->tmp);
		udamon_ctx_free(s);
	}
	free(j->tmp.regions);
	memset(&j->tmp, 0, sizeof(j->tmp));
}

/* In a worker thread. */
static void run_job(struct attach_job *base)
{
	struct vaddr_job *j = (struct vaddr_job *)base;
	struct udamon_ctx *s = udamon_ctx_new();

	if (!s) {
		j->ret = -ENOMEM;
		snprintf(j->err, sizeof(j->err), "vaddr: out of memory");
		return;
	}
	s->attrs = j->attrs;
	s->ops_data = &j->v;
	j->ret = j->kind == JOB_NEW ? prepare_new(s, j) : prepare_exec(s, j);
	if (j->ret) {
		snprintf(j->err, sizeof(j->err), "%s",
			 s->errmsg[0] ? s->errmsg : strerror(-j->ret));
		vaddr_release_target(s, &j->tmp);
		free(j->tmp.regions);
		memset(&j->tmp, 0, sizeof(j->tmp));
	}
	s->ops_data = NULL;
	udamon_ctx_free(s);
}

static void free_job(struct vaddr_job *j)
{
	release_tmp(j);
	for (size_t i = 0; i < j->nr_msgs; i++)
		free(j->msgs[i]);
	free(j->regions);
	if (j->pidfd >= 0)
		close(j->pidfd);
	if (j->procfd >= 0)
		close(j->procfd);
	free(j);
}

static void drop_job(struct attach_job *base)
{
	free_job((struct vaddr_job *)base);
}

static struct vaddr_job *new_job(struct udamon_ctx *ctx, enum job_kind kind,
				 int pid)
{
	struct vaddr_ctx *v = vctx(ctx);
	struct vaddr_job *j = calloc(1, sizeof(*j));

	if (!j)
		return NULL;
	j->base.run = run_job;
	j->kind = kind;
	j->pid = pid;
	j->id = ++v->last_job;
	/* the options and the -r ranges (read only); nothing of the scope */
	j->v = *v;
	j->v.scope = NULL;
	j->v.pool = NULL;
	j->v.attaching = NULL;
	j->v.opts.attribution = false;	/* its source is opened when installed */
	j->v.opts.warn = collect;
	j->v.opts.warn_data = j;
	j->attrs = ctx->attrs;
	j->pidfd = j->procfd = -1;
	return j;
}

static void unmark_attaching(struct vaddr_ctx *v, int pid)
{
	for (size_t i = 0; i < v->nr_attaching; i++)
		if (v->attaching[i] == pid) {
			v->attaching[i] = v->attaching[--v->nr_attaching];
			return;
		}
}

bool vaddr_attaching(struct udamon_ctx *ctx, int pid)
{
	struct vaddr_ctx *v = vctx(ctx);

	for (size_t i = 0; i < v->nr_attaching; i++)
		if (v->attaching[i] == pid)
			return true;
	return false;
}

/* A new process made ready: it becomes the last target. */
static int install_new(struct udamon_ctx *ctx, struct vaddr_job *j)
{
	struct vaddr_ctx *v = vctx(ctx);
	struct vaddr_target *vt = j->tmp.ops_data;
	char err[UDAMON_ERRMSG_LEN];
	int ret;

	if (v->opts.warn)
		udamon_uffd_wp_set_warn(vt->wp, v->opts.warn, v->opts.warn_data);
	if (v->opts.attribution) {
		ret = udamon_fault_source_open(j->pid, &vt->src, err, sizeof(err));
		if (ret) {
			snprintf(j->err, sizeof(j->err), "vaddr: %.480s", err);
			return ret;
		}
		snprintf(ctx->stats.fault_source, sizeof(ctx->stats.fault_source),
			 "%s", udamon_fault_source_kind(vt->src));
	}
	ret = udamon_ctx_add_target(ctx, j->pid);
	if (ret) {
		snprintf(j->err, sizeof(j->err), "%s", ctx->errmsg);
		ctx->errmsg[0] = '\0';
		return ret;
	}
	/* nothing armed yet: no sample of the new regions until their pages are */
	for (size_t k = 0; k < j->tmp.nr_regions; k++)
		j->tmp.regions[k].unchecked = true;
	ctx->targets[ctx->nr_targets - 1] = j->tmp;
	memset(&j->tmp, 0, sizeof(j->tmp));
	return 0;
}

/* The new program of target j->target made ready: swap it in. */
static void install_exec(struct udamon_ctx *ctx, struct vaddr_job *j)
{
	struct vaddr_ctx *v = vctx(ctx);
	struct udamon_target *t = &ctx->targets[j->target];
	struct vaddr_target *vt = t->ops_data, *nvt = j->tmp.ops_data;

	if (!vt || vt->job != j->id)
		return;		/* let go of meanwhile */
	vt->job = 0;
	if (j->ret) {
		if (!vaddr_target_valid(ctx, t))
			return;		/* it ended: so does its target */
		snprintf(ctx->errmsg, sizeof(ctx->errmsg), "%s", j->err);
		target_failed(ctx, t, j->ret);	/* a scope: never an error */
		return;
	}
	vt->wp = nvt->wp;
	nvt->wp = NULL;
	if (v->opts.warn)
		udamon_uffd_wp_set_warn(vt->wp, v->opts.warn, v->opts.warn_data);
	if (!vt->user_regions && nvt->nr_three) {
		memcpy(vt->three, nvt->three, sizeof(vt->three));
		vt->nr_three = nvt->nr_three;
		udamon_target_update_regions(t, vt->three, (size_t)vt->nr_three);
	}
}

static void finish_job(struct udamon_ctx *ctx, struct vaddr_job *j)
{
	struct vaddr_ctx *v = vctx(ctx);
	int ret = j->ret;

	for (size_t i = 0; i < j->nr_msgs && v->opts.warn; i++)
		v->opts.warn(j->msgs[i], v->opts.warn_data);
	if (j->kind == JOB_EXEC) {
		install_exec(ctx, j);
	} else {
		unmark_attaching(v, j->pid);
		if (!ret)
			ret = install_new(ctx, j);
		if (v->scope)
			vaddr_scope_attached(ctx, v->scope, j->pid, j->parent,
					     ret, j->err);
	}
	free_job(j);
}

int vaddr_attach_async(struct udamon_ctx *ctx, int pid, int parent)
{
	struct vaddr_ctx *v = vctx(ctx);
	struct vaddr_job *j;

	if (v->nr_attaching == v->cap_attaching) {
		size_t cap = v->cap_attaching ? v->cap_attaching * 2 : 64;
		int *a = realloc(v->attaching, cap * sizeof(*a));

		if (!a)
			return -ENOMEM;
		v->attaching = a;
		v->cap_attaching = cap;
	}
	j = new_job(ctx, JOB_NEW, pid);
	if (!j)
		return -ENOMEM;
	j->parent = parent;
	v->attaching[v->nr_attaching++] = pid;
	if (attach_pool_submit(v->pool, &j->base)) {
		run_job(&j->base);	/* no worker could start: here */
		finish_job(ctx, j);
	}
	return 0;
}

/*
 * Target t executed a new program: a worker gets the userfaultfd of its
 * new memory. 0 when handed over; else the caller follows it here.
 */
static int follow_exec_async(struct udamon_ctx *ctx, struct udamon_target *t)
{
	struct vaddr_ctx *v = vctx(ctx);
	struct vaddr_target *vt = t->ops_data;
	struct vaddr_job *j = new_job(ctx, JOB_EXEC, vt->pid);

	if (!j)
		return -ENOMEM;
	j->target = (size_t)(t - ctx->targets);
	j->pidfd = fcntl(vt->pidfd, F_DUPFD_CLOEXEC, 0);
	j->procfd = fcntl(vt->procfd, F_DUPFD_CLOEXEC, 0);
	if (vt->user_regions && t->nr_regions) {
		j->regions = calloc(t->nr_regions, sizeof(*j->regions));
		for (size_t i = 0; j->regions && i < t->nr_regions; i++)
			j->regions[i] = (struct udamon_range){
				t->regions[i].start, t->regions[i].end };
		j->nr_regions = j->regions ? t->nr_regions : 0;
	}
	if (j->pidfd < 0 || j->procfd < 0 ||
	    (vt->user_regions && !j->nr_regions) ||
	    attach_pool_submit(v->pool, &j->base)) {
		free_job(j);
		return -ENOMEM;
	}
	/* the old memory, and all registered in it, is gone */
	vaddr_thp_release(&vt->thp, NULL, -1, &ctx->stats);
	vt->thp.arms_left = THP_ARMS_PER_AGGR;
	udamon_uffd_wp_close(vt->wp);
	vt->wp = NULL;
	vt->job = j->id;
	return 0;
}

void vaddr_attach_reap(struct udamon_ctx *ctx)
{
	struct attach_job *j;

	if (!vctx(ctx)->pool)
		return;
	while ((j = attach_pool_take(vctx(ctx)->pool)))
		finish_job(ctx, (struct vaddr_job *)j);
}

void vaddr_attach_settle(struct udamon_ctx *ctx)
{
	struct attach_job *j;

	if (!vctx(ctx)->pool)
		return;
	while ((j = attach_pool_wait(vctx(ctx)->pool)))
		finish_job(ctx, (struct vaddr_job *)j);
}

int udamon_vaddr_set_attribution(struct udamon_ctx *ctx, bool on)
{
	char err[UDAMON_ERRMSG_LEN];
	size_t i;
	int ret;

	if (ctx->ops != &vaddr_ops) {
		udamon_ctx_set_error(ctx, "vaddr: not attached");
		return -EINVAL;
	}
	for (i = 0; i < ctx->nr_targets; i++) {
		struct vaddr_target *vt = ctx->targets[i].ops_data;

		if (!vt || !on == !vt->src)
			continue;
		if (!on) {
			udamon_fault_source_close(vt->src);
			vt->src = NULL;
			continue;
		}
		ret = udamon_fault_source_open(vt->pid, &vt->src, err,
					       sizeof(err));
		if (ret) {
			udamon_ctx_set_error(ctx, "vaddr: %s", err);
			return ret;
		}
		vt->lost = 0;
		snprintf(ctx->stats.fault_source, sizeof(ctx->stats.fault_source), "%s",
			 udamon_fault_source_kind(vt->src));
	}
	if (!on)
		ctx->stats.fault_source[0] = '\0';
	vctx(ctx)->opts.attribution = on;
	return 0;
}

int udamon_vaddr_set_regions(struct udamon_ctx *ctx, size_t idx,
			     const struct udamon_range *ranges, size_t nr)
{
	struct udamon_target *t = &ctx->targets[idx];
	struct vaddr_target *vt;
	int ret;

	if (ctx->ops != &vaddr_ops || idx >= ctx->nr_targets ||
	    !t->ops_data) {
		udamon_ctx_set_error(ctx, "vaddr: target %zu is not monitored",
				     idx);
		return -EINVAL;
	}
	vt = t->ops_data;
	if (nr) {
		ret = udamon_target_update_regions(t, ranges, nr);
		if (ret) {
			udamon_ctx_set_error(ctx, "vaddr: cannot set the regions: %s",
					     strerror(-ret));
			return ret;
		}
	}
	vt->user_regions = nr > 0;
	return refresh(ctx, t, false);
}

size_t udamon_vaddr_refused(struct udamon_ctx *ctx,
			    const struct udamon_refusal **out, uint64_t *ended)
{
	*out = NULL;
	*ended = 0;
	if (ctx->ops != &vaddr_ops || !vctx(ctx)->scope)
		return 0;
	return vaddr_scope_refused(vctx(ctx)->scope, out, ended);
}

int udamon_vaddr_probe(char *err, size_t errlen)
{
	return udamon_uffd_wp_probe(err, errlen);
}

int udamon_vaddr_threads(int pid, int **tids, size_t *nr)
{
	return udamon_proc_tids(pid, tids, nr);
}
