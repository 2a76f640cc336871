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

/*
 * Does a fault at [start, end) at time t count for r: on its current
 * sampling page, and not before the ops armed that page?
 */
static bool on_sampling_page(const struct udamon_region *r, uint64_t start,
			     uint64_t end, uint64_t t)
{
	uint64_t page = r->sampling_addr & ~(uint64_t)(UDAMON_MIN_REGION - 1);

	if (t && r->armed_ns && t < r->armed_ns)
		return false;
	return start < page + UDAMON_MIN_REGION && page < end;
}

/* Mark the regions of t overlapping [start, end); true if any counts. */
static bool mark_regions(struct udamon_target *t, uint64_t start,
			 uint64_t end, int cpu, bool sampling_page_only,
			 uint64_t time_ns)
{
	bool hit = false;

	for (size_t i = first_ending_after(t, start);
	     i < t->nr_regions && t->regions[i].start < end; i++) {
		struct udamon_region *r = &t->regions[i];

		if (sampling_page_only &&
		    !on_sampling_page(r, start, end, time_ns))
			continue;	/* it only tells who wrote */
		hit = true;
		if (r->accessed)	/* once per region per sample */
			continue;
		r->accessed = true;
		r->accessed_cpu = cpu;
	}
	return hit;
}

static void consume_one(struct udamon_ctx *ctx,
			const struct udamon_access_report *rep)
{
	uint64_t addr = rep->vaddr != UDAMON_UNKNOWN_ADDR ? rep->vaddr :
		rep->paddr;
	uint64_t size = rep->size ? rep->size : 1;
	uint64_t end = addr + size < addr ? UINT64_MAX : addr + size;
	bool hit;

	ctx->nr_reports_seen++;
	/* arrived before this sample began: it belongs to an older one */
	if (rep->time_ns && rep->time_ns < ctx->sample_start_ns)
		return;
	if (addr == UDAMON_UNKNOWN_ADDR)
		return;
	if (rep->target >= ctx->nr_targets)
		return;
	if (!udamon_filters_pass(ctx->filters, ctx->nr_filters, rep))
		return;
	hit = mark_regions(&ctx->targets[rep->target], addr, end, rep->cpu,
			   rep->source == UDAMON_REPORT_FAULT, rep->time_ns);
	if (hit)
		ctx->nr_reports_counted++;
}

void udamon_core_consume_reports(struct udamon_ctx *ctx)
{
	for (size_t i = 0; i < ctx->nr_reports; i++)
		consume_one(ctx, &ctx->reports[i]);
	ctx->nr_reports = 0;
}
