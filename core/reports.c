// SPDX-License-Identifier: MIT
/*
 * Access report consumption: the reports of the current sample pass the
 * sample filters, then mark the regions of their own target that they
 * overlap as accessed, once per region per sample. A fault report counts
 * only where it covers the region's current sampling page (so counting
 * with fault events gives what checking that page gives); other reports
 * count anywhere in the region.
 */
#include <errno.h>
#include <stdlib.h>

#include "udamon/udamon.h"
#include "core/internal.h"

/* Beyond this many unconsumed reports, new ones are counted as lost. */
#define MAX_PENDING_REPORTS	(1UL << 20)

int udamon_ctx_push_report(struct udamon_ctx *ctx,
			   const struct udamon_access_report *r)
{
	if (ctx->nr_reports == ctx->cap_reports) {
		size_t cap = ctx->cap_reports ? ctx->cap_reports * 2 : 256;
		struct udamon_access_report *p;

		if (ctx->cap_reports >= MAX_PENDING_REPORTS) {
			ctx->lost_reports++;
			return -ENOSPC;
		}
		p = realloc(ctx->reports, cap * sizeof(*p));
		if (!p) {
			ctx->lost_reports++;
			return -ENOMEM;
		}
		ctx->reports = p;
		ctx->cap_reports = cap;
	}
	ctx->reports[ctx->nr_reports++] = *r;
	return 0;
}

/* Index of the first region that ends after addr (binary search). */
static size_t first_ending_after(const struct udamon_target *t, uint64_t addr)
{
	size_t lo = 0, hi = t->nr_regions;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (t->regions[mid].end <= addr)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

/* Does [start, end) cover the page of addr? */
static bool covers_page(uint64_t addr, uint64_t start, uint64_t end)
{
	uint64_t page = addr & ~(uint64_t)(UDAMON_MIN_REGION - 1);

	return start < page + UDAMON_MIN_REGION && page < end;
}

/*
 * Does a fault at [start, end) at time t count for r: on its current
 * sampling page, and not before the ops armed that page?
 */
static bool on_sampling_page(const struct udamon_region *r, uint64_t start,
			     uint64_t end, uint64_t t)
{
	if (t && r->armed_ns && t < r->armed_ns)
		return false;
	return covers_page(r->sampling_addr, start, end);
}

enum fate { FAULT_DROP, FAULT_COUNT, FAULT_KEEP };

/*
 * One-pass ops: a fault counts for r when it is on the page checked in
 * this pass and within that page's window (from its arming in the last
 * pass to r's place in this one); one on the page armed in this pass,
 * after its arming, belongs to the next sample.
 */
static enum fate one_pass_fate(const struct udamon_region *r, uint64_t start,
			       uint64_t end, uint64_t t)
{
	if (r->check_how && covers_page(r->check_addr, start, end) &&
	    (!t || (t >= r->check_armed_ns && t < r->armed_ns)))
		return FAULT_COUNT;
	if (r->armed && t && t >= r->armed_ns &&
	    covers_page(r->sampling_addr, start, end))
		return FAULT_KEEP;
	return FAULT_DROP;
}

struct mark {
	uint64_t start, end, time_ns;
	int cpu;
	bool fault;		/* counts only on sampling pages */
	bool one_pass;
	bool keep;		/* out: belongs to the next sample */
};

/* Mark the regions of t overlapping [start, end); true if any counts. */
static bool mark_regions(struct udamon_target *t, struct mark *m)
{
	bool hit = false;

	for (size_t i = first_ending_after(t, m->start);
	     i < t->nr_regions && t->regions[i].start < m->end; i++) {
		struct udamon_region *r = &t->regions[i];

		if (m->fault && m->one_pass) {
			enum fate f = one_pass_fate(r, m->start, m->end,
						    m->time_ns);

			m->keep |= f == FAULT_KEEP;
			if (f != FAULT_COUNT)
				continue;
		} else if (m->fault &&
			   !on_sampling_page(r, m->start, m->end, m->time_ns)) {
			continue;	/* it only tells who wrote */
		}
		hit = true;
		if (r->accessed)	/* once per region per sample */
			continue;
		r->accessed = true;
		r->accessed_cpu = m->cpu;
	}
	return hit;
}

/* Count one report; true when it is to be kept for the next sample. */
static bool consume_one(struct udamon_ctx *ctx,
			const struct udamon_access_report *rep)
{
	uint64_t addr = rep->vaddr != UDAMON_UNKNOWN_ADDR ? rep->vaddr :
		rep->paddr;
	uint64_t size = rep->size ? rep->size : 1;
	bool one_pass = ctx->ops && ctx->ops->check_and_arm;
	struct mark m = {
		.start = addr,
		.end = addr + size < addr ? UINT64_MAX : addr + size,
		.time_ns = rep->time_ns,
		.cpu = rep->cpu,
		.fault = rep->source == UDAMON_REPORT_FAULT,
		.one_pass = one_pass,
	};

	/* arrived before this sample began: it belongs to an older one */
	if (!one_pass && rep->time_ns && rep->time_ns < ctx->sample_start_ns)
		goto seen;
	if (addr == UDAMON_UNKNOWN_ADDR)
		goto seen;
	if (rep->target >= ctx->nr_targets)
		goto seen;
	if (!udamon_filters_pass(ctx->filters, ctx->nr_filters, rep))
		goto seen;
	if (mark_regions(&ctx->targets[rep->target], &m))
		ctx->nr_reports_counted++;
	else if (m.keep)
		return true;
seen:
	ctx->nr_reports_seen++;
	return false;
}

void udamon_core_consume_reports(struct udamon_ctx *ctx)
{
	size_t kept = 0;

	for (size_t i = 0; i < ctx->nr_reports; i++)
		if (consume_one(ctx, &ctx->reports[i]))
			ctx->reports[kept++] = ctx->reports[i];
	ctx->nr_reports = kept;
}
