// SPDX-License-Identifier: MIT
/*
 * sim: a scripted address space for tests and the demo. Each sample, every
 * range of the pattern is touched with its own probability (one draw per
 * range from ctx->rng). Page-table style marks the regions whose sampling
 * address lies in a touched range; report style pushes one report per
 * touched range, covering all of it.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "udamon/ops.h"
#include "core/internal.h"

struct sim_state {
	struct udamon_range *maps;
	size_t nr_maps;
	struct udamon_sim_range *ranges;
	size_t nr_ranges;
	bool *touched;		/* per range, this sample */
};

static struct sim_state *sim_of(struct udamon_ctx *ctx)
{
	return ctx->ops_data;
}

/* The monitored ranges: three regions around the two largest gaps. */
static int sim_ranges(struct udamon_ctx *ctx, struct udamon_range out[3])
{
	struct sim_state *s = sim_of(ctx);
	int n = udamon_three_regions(s->maps, s->nr_maps, out);

	if (n < 0)
		udamon_ctx_set_error(ctx, "sim: no usable mappings");
	return n;
}

static int sim_init(struct udamon_ctx *ctx)
{
	struct udamon_range rg[3];
	int n = sim_ranges(ctx, rg);

	if (n < 0)
		return n;
	for (size_t i = 0; i < ctx->nr_targets; i++) {
		struct udamon_target *t = &ctx->targets[i];
		int err;

		if (t->nr_regions)	/* the user gave regions */
			continue;
		err = udamon_target_init_regions(t, rg, (size_t)n,
						 ctx->attrs.min_nr_regions);
		if (err)
			return err;
	}
	return 0;
}

static int sim_update(struct udamon_ctx *ctx)
{
	struct udamon_range rg[3];
	int n = sim_ranges(ctx, rg);

	if (n < 0)
		return n;
	for (size_t i = 0; i < ctx->nr_targets; i++) {
		int err = udamon_target_update_regions(&ctx->targets[i], rg,
						       (size_t)n);
		if (err)
			return err;
	}
	return 0;
}

static int sim_prepare(struct udamon_ctx *ctx)
{
	return 0;
}

/* The first touched range holding addr, or NULL. */
static const struct udamon_sim_range *touched_at(const struct sim_state *s,
						 uint64_t addr)
{
	for (size_t i = 0; i < s->nr_ranges; i++)
		if (s->touched[i] && addr >= s->ranges[i].start &&
		    addr < s->ranges[i].end)
			return &s->ranges[i];
	return NULL;
}

static int push_reports(struct udamon_ctx *ctx, const struct sim_state *s)
{
	uint64_t now = ctx->clock.now_ns ? ctx->clock.now_ns(ctx->clock.data)
		: 0;

	for (size_t i = 0; i < s->nr_ranges; i++) {
		const struct udamon_sim_range *sr = &s->ranges[i];
		struct udamon_access_report r = {
			.vaddr = sr->start,
			.paddr = UDAMON_UNKNOWN_ADDR,
			.size = sr->end - sr->start,
			.cpu = sr->cpu,
			.tid = sr->tid,
			.is_write = sr->is_write,
			.time_ns = now,
		};
		int err;

		if (!s->touched[i])
			continue;
		err = udamon_ctx_push_report(ctx, &r);
		if (err)
			return err;
	}
	return 0;
}

static int sim_check(struct udamon_ctx *ctx)
{
	struct sim_state *s = sim_of(ctx);

	for (size_t i = 0; i < s->nr_ranges; i++)
		s->touched[i] = udamon_rng_range(&ctx->rng, 0, 10000) <
			s->ranges[i].access_bp;
	if (ctx->use_reports)
		return push_reports(ctx, s);
	for (size_t i = 0; i < ctx->nr_targets; i++) {
		struct udamon_target *t = &ctx->targets[i];

		for (size_t j = 0; j < t->nr_regions; j++) {
			struct udamon_region *r = &t->regions[j];
			const struct udamon_sim_range *sr =
				touched_at(s, r->sampling_addr);

			if (!sr)
				continue;
			r->accessed = true;
			r->accessed_cpu = sr->cpu;
		}
	}
	return 0;
}

static bool sim_target_valid(struct udamon_ctx *ctx, struct udamon_target *t)
{
	return true;
}

static void sim_free(struct sim_state *s)
{
	if (!s)
		return;
	free(s->maps);
	free(s->ranges);
	free(s->touched);
	free(s);
}

static void sim_cleanup(struct udamon_ctx *ctx)
{
	sim_free(sim_of(ctx));
	ctx->ops_data = NULL;
}

static const struct udamon_ops sim_ops = {
	.name = "sim",
	.init = sim_init,
	.update = sim_update,
	.prepare_access_checks = sim_prepare,
	.check_accesses = sim_check,
	.target_valid = sim_target_valid,
	.cleanup = sim_cleanup,
};

static int check_pattern(struct udamon_ctx *ctx,
			 const struct udamon_sim_pattern *p)
{
	if (!p->nr_mappings) {
		udamon_ctx_set_error(ctx, "sim: the pattern has no mappings");
		return -EINVAL;
	}
	for (size_t i = 0; i < p->nr_mappings; i++) {
		const struct udamon_range *m = &p->mappings[i];

		if (m->start >= m->end ||
		    (i && m->start < p->mappings[i - 1].end)) {
			udamon_ctx_set_error(ctx, "sim: mapping %zu (%" PRIu64
				"-%" PRIu64 ") must be non-empty and after "
				"the previous one", i, m->start, m->end);
			return -EINVAL;
		}
	}
	for (size_t i = 0; i < p->nr_ranges; i++) {
		const struct udamon_sim_range *r = &p->ranges[i];

		if (r->start >= r->end || r->access_bp > 10000) {
			udamon_ctx_set_error(ctx, "sim: range %zu (%" PRIu64
				"-%" PRIu64 ", %u bp) must be non-empty with "
				"at most 10000 bp", i, r->start, r->end,
				r->access_bp);
			return -EINVAL;
		}
	}
	return 0;
}

static void *dup_array(const void *src, size_t nr, size_t size)
{
	void *p = calloc(nr ? nr : 1, size);

	if (p && nr)
		memcpy(p, src, nr * size);
	return p;
}

int udamon_sim_attach(struct udamon_ctx *ctx, const struct udamon_sim_pattern *p)
{
	struct sim_state *s;
	int err = check_pattern(ctx, p);

	if (err)
		return err;
	s = calloc(1, sizeof(*s));
	if (!s)
		return -ENOMEM;
	s->maps = dup_array(p->mappings, p->nr_mappings, sizeof(*s->maps));
	s->ranges = dup_array(p->ranges, p->nr_ranges, sizeof(*s->ranges));
	s->touched = calloc(p->nr_ranges + 1, sizeof(*s->touched));
	s->nr_maps = p->nr_mappings;
	s->nr_ranges = p->nr_ranges;
	if (!s->maps || !s->ranges || !s->touched ||
	    (!ctx->nr_targets && udamon_ctx_add_target(ctx, 0))) {
		sim_free(s);
		udamon_ctx_set_error(ctx, "sim: out of memory");
		return -ENOMEM;
	}
	if (ctx->ops && ctx->ops->cleanup)
		ctx->ops->cleanup(ctx);
	ctx->ops = &sim_ops;
	ctx->ops_data = s;
	return 0;
}
