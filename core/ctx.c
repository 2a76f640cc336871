// SPDX-License-Identifier: MIT
/* The monitoring context: creation, errors, targets, attributes, filters. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "udamon/udamon.h"
#include "core/internal.h"

/* Fixed default seed: runs are reproducible unless the caller reseeds. */
#define UDAMON_DEFAULT_SEED	0x75da6d6f6eULL

struct udamon_ctx *udamon_ctx_new(void)
{
	struct udamon_ctx *ctx = calloc(1, sizeof(*ctx));

	if (!ctx)
		return NULL;
	udamon_attrs_default(&ctx->attrs);
	udamon_rng_seed(&ctx->rng, UDAMON_DEFAULT_SEED);
	ctx->clock = udamon_clock_real;
	return ctx;
}

void udamon_core_filters_free(struct udamon_filter *f, size_t nr)
{
	for (size_t i = 0; i < nr; i++)
		udamon_filter_free(&f[i]);
	free(f);
}

int udamon_core_filters_dup(const struct udamon_filter *src, size_t nr,
			    struct udamon_filter **out)
{
	struct udamon_filter *f;
	int err;

	*out = NULL;
	if (!nr)
		return 0;
	f = calloc(nr, sizeof(*f));
	if (!f)
		return -ENOMEM;
	for (size_t i = 0; i < nr; i++) {
		err = udamon_filter_copy(&f[i], &src[i]);
		if (err) {
			udamon_core_filters_free(f, i);
			return err;
		}
	}
	*out = f;
	return 0;
}

void udamon_ctx_free(struct udamon_ctx *ctx)
{
	if (!ctx)
		return;
	if (ctx->ops && ctx->ops->cleanup)
		ctx->ops->cleanup(ctx);
	for (size_t i = 0; i < ctx->nr_targets; i++)
		udamon_core_target_free(&ctx->targets[i]);
	free(ctx->targets);
	udamon_core_filters_free(ctx->filters, ctx->nr_filters);
	udamon_core_filters_free(ctx->pending_filters,
				 ctx->pending_nr_filters);
	free(ctx->reports);
	free(ctx);
}

const char *udamon_ctx_errmsg(const struct udamon_ctx *ctx)
{
	return ctx->errmsg;
}

void udamon_ctx_set_error(struct udamon_ctx *ctx, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(ctx->errmsg, sizeof(ctx->errmsg), fmt, ap);
	va_end(ap);
}

int udamon_ctx_set_attrs(struct udamon_ctx *ctx, const struct udamon_attrs *a)
{
	int err = udamon_attrs_validate(a, ctx->errmsg, sizeof(ctx->errmsg));

	if (err)
		return err;
	/* while running, this is an online change (next sample) */
	if (udamon_core_started(ctx))
		return udamon_ctx_commit(ctx, a, NULL, 0);
	ctx->attrs = *a;
	ctx->next_goal_aggr = a->goal.aggrs;
	return 0;
}

int udamon_ctx_set_filters(struct udamon_ctx *ctx,
			   const struct udamon_filter *filters, size_t nr)
{
	struct udamon_filter *f;
	int err = udamon_core_filters_dup(filters, nr, &f);

	if (err) {
		udamon_ctx_set_error(ctx, "cannot copy %zu sample filters: %s",
				     nr, strerror(-err));
		return err;
	}
	udamon_core_filters_free(ctx->filters, ctx->nr_filters);
	ctx->filters = f;
	ctx->nr_filters = nr;
	return 0;
}

int udamon_ctx_add_target(struct udamon_ctx *ctx, int pid)
{
	struct udamon_target *t;

	t = realloc(ctx->targets, (ctx->nr_targets + 1) * sizeof(*t));
	if (!t) {
		udamon_ctx_set_error(ctx, "out of memory adding target %d",
				     pid);
		return -ENOMEM;
	}
	ctx->targets = t;
	t = &ctx->targets[ctx->nr_targets++];
	memset(t, 0, sizeof(*t));
	t->pid = pid;
	return 0;
}

int udamon_ctx_commit(struct udamon_ctx *ctx, const struct udamon_attrs *a,
		      const struct udamon_filter *filters, size_t nr_filters)
{
	struct udamon_filter *f;
	int err;

	if (!a)
		a = ctx->has_pending ? &ctx->pending_attrs : &ctx->attrs;
	err = udamon_attrs_validate(a, ctx->errmsg, sizeof(ctx->errmsg));
	if (err)
		return err;
	if (!filters && ctx->has_pending) {	/* keep the pending ones */
		filters = ctx->pending_filters;
		nr_filters = ctx->pending_nr_filters;
	} else if (!filters) {			/* keep those in force */
		filters = ctx->filters;
		nr_filters = ctx->nr_filters;
	}
	err = udamon_core_filters_dup(filters, nr_filters, &f);
	if (err) {
		udamon_ctx_set_error(ctx, "cannot copy %zu sample filters: %s",
				     nr_filters, strerror(-err));
		return err;
	}
	ctx->pending_attrs = *a;
	udamon_core_filters_free(ctx->pending_filters,
				 ctx->pending_nr_filters);
	ctx->pending_filters = f;
	ctx->pending_nr_filters = nr_filters;
	ctx->has_pending = true;
	return 0;
}
