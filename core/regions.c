// SPDX-License-Identifier: MIT
/*
 * Region helpers: pure functions on a target's sorted region array
 * (DESIGN.md section 3: initial regions, the update rule, three regions).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "udamon/udamon.h"
#include "core/internal.h"

#define ALIGN_DOWN(x, a)	((x) / (a) * (a))
#define ALIGN_UP(x, a)		(((x) + (a) - 1) / (a) * (a))

int udamon_core_regions_reserve(struct udamon_target *t, size_t n)
{
	struct udamon_region *p;
	size_t cap;

	if (n <= t->cap_regions)
		return 0;
	cap = t->cap_regions ? t->cap_regions : 16;
	while (cap < n)
		cap *= 2;
	p = realloc(t->regions, cap * sizeof(*p));
	if (!p)
		return -ENOMEM;
	t->regions = p;
	t->cap_regions = cap;
	return 0;
}

static void free_regions(struct udamon_region *r, size_t nr)
{
	for (size_t i = 0; i < nr; i++)
		free(r[i].cpu_samples);
}

void udamon_core_target_free(struct udamon_target *t)
{
	free_regions(t->regions, t->nr_regions);
	free(t->regions);
	t->regions = NULL;
	t->nr_regions = 0;
	t->cap_regions = 0;
}

static struct udamon_region new_region(uint64_t start, uint64_t end)
{
	struct udamon_region r = {
		.start = start,
		.end = end,
		.sampling_addr = start,
		.accessed_cpu = UDAMON_UNKNOWN_CPU,
	};
	return r;
}

/* Ranges must be non-empty, sorted and not overlapping. */
static int check_ranges(const struct udamon_range *ranges, size_t nr)
{
	for (size_t i = 0; i < nr; i++) {
		if (ranges[i].start >= ranges[i].end)
			return -EINVAL;
		if (i && ranges[i].start < ranges[i - 1].end)
			return -EINVAL;
	}
	return 0;
}

/* Replace the regions of t with the nr regions in arr (takes ownership). */
static void replace_regions(struct udamon_target *t, struct udamon_region *arr,
			    size_t nr, size_t cap)
{
	free(t->regions);
	t->regions = arr;
	t->nr_regions = nr;
	t->cap_regions = cap;
}

int udamon_target_set_regions(struct udamon_target *t,
			      const struct udamon_range *ranges, size_t nr)
{
	struct udamon_region *arr;

	if (check_ranges(ranges, nr))
		return -EINVAL;
	arr = calloc(nr ? nr : 1, sizeof(*arr));
	if (!arr)
		return -ENOMEM;
	for (size_t i = 0; i < nr; i++)
		arr[i] = new_region(ranges[i].start, ranges[i].end);
	free_regions(t->regions, t->nr_regions);
	replace_regions(t, arr, nr, nr ? nr : 1);
	return 0;
}

/* Piece size of the even split of a range into about size / sz pieces. */
static uint64_t piece_of(const struct udamon_range *rg, uint64_t sz)
{
	uint64_t size = rg->end - rg->start;
	uint64_t want = size / sz ? size / sz : 1;

	/* like the kernel: pieces of the aligned-down even size */
	return ALIGN_DOWN(size / want, UDAMON_MIN_REGION);
}

int udamon_target_init_regions(struct udamon_target *t,
			       const struct udamon_range *ranges, size_t nr,
			       uint64_t min_nr_regions)
{
	uint64_t total = 0, sz;
	size_t count = 0, n = 0;
	struct udamon_region *arr;

	if (check_ranges(ranges, nr))
		return -EINVAL;
	for (size_t i = 0; i < nr; i++)
		total += ranges[i].end - ranges[i].start;
	sz = total / (min_nr_regions ? min_nr_regions : 1);
	if (sz < UDAMON_MIN_REGION)
		sz = UDAMON_MIN_REGION;
	for (size_t i = 0; i < nr; i++) {
		uint64_t p = piece_of(&ranges[i], sz);

		count += p ? (ranges[i].end - ranges[i].start) / p : 1;
	}
	arr = calloc(count ? count : 1, sizeof(*arr));
	if (!arr)
		return -ENOMEM;
	for (size_t i = 0; i < nr; i++) {
		uint64_t s = ranges[i].start, e = ranges[i].end;
		uint64_t p = piece_of(&ranges[i], sz);

		if (!p) {	/* smaller than a page: keep as is */
			arr[n++] = new_region(s, e);
			continue;
		}
		for (; s + p <= e; s += p)
			arr[n++] = new_region(s, s + p);
		/* the last piece takes the rounding remainder */
		arr[n - 1].end = e;
	}
	free_regions(t->regions, t->nr_regions);
	replace_regions(t, arr, n, count ? count : 1);
	return 0;
}

static int push_region(struct udamon_region **arr, size_t *n, size_t *cap,
		       struct udamon_region r)
{
	if (*n == *cap) {
		size_t c = *cap ? *cap * 2 : 16;
		struct udamon_region *p = realloc(*arr, c * sizeof(*p));

		if (!p)
			return -ENOMEM;
		*arr = p;
		*cap = c;
	}
	(*arr)[(*n)++] = r;
	return 0;
}

/* Append the regions of @t that intersect @rg, clipped, stretched, filled. */
static int fit_range(const struct udamon_target *t, size_t from, bool *used,
		     const struct udamon_range *rg, struct udamon_region **arr,
		     size_t *n, size_t *cap)
{
	size_t first = *n;

	for (size_t k = from; k < t->nr_regions &&
	     t->regions[k].start < rg->end; k++) {
		struct udamon_region r = t->regions[k];

		if (r.end <= rg->start)
			continue;
		if (used[k])	/* spans two ranges: the copy starts afresh */
			r.cpu_samples = NULL;
		used[k] = true;
		if (r.start < rg->start)
			r.start = rg->start;
		if (r.end > rg->end)
			r.end = rg->end;
		if (*n == first)
			r.start = rg->start;	/* stretch the first */
		else if ((*arr)[*n - 1].end < r.start &&
			 push_region(arr, n, cap,
				     new_region((*arr)[*n - 1].end, r.start)))
			return -ENOMEM;		/* fill the hole */
		if (r.sampling_addr < r.start || r.sampling_addr >= r.end)
			r.sampling_addr = r.start;
		if (push_region(arr, n, cap, r))
			return -ENOMEM;
	}
	if (*n == first)
		return push_region(arr, n, cap, new_region(rg->start, rg->end));
	(*arr)[*n - 1].end = rg->end;	/* stretch the last */
	return 0;
}

int udamon_target_update_regions(struct udamon_target *t,
				 const struct udamon_range *ranges, size_t nr)
{
	struct udamon_region *arr = NULL;
	size_t n = 0, cap = 0, j = 0;
	bool *used;
	int err = 0;

	if (check_ranges(ranges, nr))
		return -EINVAL;
	used = calloc(t->nr_regions + 1, sizeof(*used));
	if (!used)
		return -ENOMEM;
	for (size_t i = 0; i < nr && !err; i++) {
		while (j < t->nr_regions && t->regions[j].end <= ranges[i].start)
			j++;
		err = fit_range(t, j, used, &ranges[i], &arr, &n, &cap);
	}
	if (err) {
		/* undo: the copies share cpu_samples with t's regions */
		free(arr);
		free(used);
		return err;
	}
	for (size_t k = 0; k < t->nr_regions; k++)
		if (!used[k])
			free(t->regions[k].cpu_samples);
	free(used);
	replace_regions(t, arr, n, cap);
	return 0;
}

int udamon_three_regions(const struct udamon_range *maps, size_t nr,
			 struct udamon_range out[3])
{
	struct udamon_range gap[2] = { { 0, 0 }, { 0, 0 } }, tmp;
	size_t nr_gaps = 0, n = 0;
	uint64_t start, end;

	if (!nr || check_ranges(maps, nr))
		return -EINVAL;
	for (size_t i = 1; i < nr; i++) {
		struct udamon_range g = { maps[i - 1].end, maps[i].start };
		uint64_t sz = g.end - g.start;

		if (!sz)
			continue;
		nr_gaps++;
		if (sz > gap[0].end - gap[0].start) {
			gap[1] = gap[0];
			gap[0] = g;
		} else if (sz > gap[1].end - gap[1].start) {
			gap[1] = g;
		}
	}
	if (nr_gaps > 2)
		nr_gaps = 2;
	if (nr_gaps == 2 && gap[0].start > gap[1].start) {
		tmp = gap[0];
		gap[0] = gap[1];
		gap[1] = tmp;
	}
	start = maps[0].start;
	for (size_t i = 0; i < nr_gaps; i++) {
		out[n].start = ALIGN_UP(start, UDAMON_MIN_REGION);
		out[n].end = ALIGN_UP(gap[i].start, UDAMON_MIN_REGION);
		n++;
		start = gap[i].end;
	}
	end = maps[nr - 1].end;
	out[n].start = ALIGN_UP(start, UDAMON_MIN_REGION);
	out[n].end = ALIGN_UP(end, UDAMON_MIN_REGION);
	n++;
	/* drop ranges that alignment emptied */
	for (size_t i = 0; i < n;) {
		if (out[i].start < out[i].end) {
			i++;
			continue;
		}
		memmove(&out[i], &out[i + 1], (n - i - 1) * sizeof(out[0]));
		n--;
	}
	return n ? (int)n : -EINVAL;
}

long udamon_target_find_region(const struct udamon_target *t, uint64_t addr)
{
	size_t lo = 0, hi = t->nr_regions;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		const struct udamon_region *r = &t->regions[mid];

		if (addr < r->start)
			hi = mid;
		else if (addr >= r->end)
			lo = mid + 1;
		else
			return (long)mid;
	}
	return -1;
}

uint64_t udamon_target_total_bytes(const struct udamon_target *t)
{
	uint64_t sz = 0;

	for (size_t i = 0; i < t->nr_regions; i++)
		sz += t->regions[i].end - t->regions[i].start;
	return sz;
}

uint64_t udamon_core_sz_limit(const struct udamon_ctx *ctx)
{
	uint64_t sz = 0;

	for (size_t i = 0; i < ctx->nr_targets; i++)
		sz += udamon_target_total_bytes(&ctx->targets[i]);
	if (ctx->attrs.min_nr_regions)
		sz /= ctx->attrs.min_nr_regions;
	return sz < UDAMON_MIN_REGION ? UDAMON_MIN_REGION : sz;
}
