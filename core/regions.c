// SPDX-License-Identifier: MIT
/*
 * Region helpers: pure functions on a target's sorted region array
 * (initial regions, the update rule, three regions; docs/FIDELITY.md).
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

/*
 * The kernel's even split of [start, end) into nr_pieces of the size
 * aligned down to align, the last taking the rest. Returns the number of
 * pieces written to out (at least one), or 0 when it cannot split (no
 * piece, or a piece size of zero): then the caller keeps the range whole.
 */
size_t udamon_core_split_evenly(uint64_t start, uint64_t end,
				unsigned int nr_pieces, uint64_t align,
				struct udamon_range *out)
{
	uint64_t sz;

	if (!nr_pieces || end <= start)
		return 0;
	sz = ALIGN_DOWN((end - start) / nr_pieces, align);
	if (!sz)
		return 0;
	for (unsigned int i = 0; i < nr_pieces; i++) {
		out[i].start = start + i * sz;
		out[i].end = start + (i + 1) * sz;
	}
	out[nr_pieces - 1].end = end;
	return nr_pieces;
}

/* Pieces of a range: size / sz, or 1 when it is smaller than sz. */
static unsigned int nr_pieces_of(const struct udamon_range *rg, uint64_t sz)
{
	uint64_t n = (rg->end - rg->start) / sz;

	return n ? (n > UINT32_MAX ? UINT32_MAX : (unsigned int)n) : 1;
}

int udamon_target_init_regions(struct udamon_target *t,
			       const struct udamon_range *ranges, size_t nr,
			       uint64_t min_nr_regions)
{
	uint64_t total = 0, sz;
	size_t count = 0, n = 0;
	struct udamon_region *arr;
	struct udamon_range *pieces;

	if (check_ranges(ranges, nr))
		return -EINVAL;
	for (size_t i = 0; i < nr; i++)
		total += ranges[i].end - ranges[i].start;
	sz = total / (min_nr_regions ? min_nr_regions : 1);
	if (sz < UDAMON_MIN_REGION)
		sz = UDAMON_MIN_REGION;
	for (size_t i = 0; i < nr; i++)
		count += nr_pieces_of(&ranges[i], sz);
	arr = calloc(count ? count : 1, sizeof(*arr));
	pieces = calloc(count ? count : 1, sizeof(*pieces));
	if (!arr || !pieces) {
		free(arr);
		free(pieces);
		return -ENOMEM;
	}
	for (size_t i = 0; i < nr; i++) {
		size_t got = udamon_core_split_evenly(ranges[i].start,
				ranges[i].end, nr_pieces_of(&ranges[i], sz),
				UDAMON_MIN_REGION, pieces);

		if (!got) {	/* smaller than a page: keep as is */
			arr[n++] = new_region(ranges[i].start, ranges[i].end);
			continue;
		}
		for (size_t k = 0; k < got; k++)
			arr[n++] = new_region(pieces[k].start, pieces[k].end);
	}
	free(pieces);
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

static bool intersects(const struct udamon_region *r,
		       const struct udamon_range *rg)
{
	return r->start < rg->end && rg->start < r->end;
}

static bool in_any(const struct udamon_region *r,
		   const struct udamon_range *ranges, size_t nr)
{
	for (size_t i = 0; i < nr; i++)
		if (intersects(r, &ranges[i]))
			return true;
	return false;
}

/*
 * Fit the kept regions [*k, ...) to one range, as the kernel's
 * damon_set_regions(): the regions it meets (each belongs to the first
 * range it meets: a region spanning two ranges stays in the first) are
 * stretched or clipped to its edges and the holes between them get new
 * zero regions; a range no region meets gets one new zero region.
 */
static int fit_range(const struct udamon_region *kept, size_t nr_kept,
		     size_t *k, const struct udamon_range *rg,
		     struct udamon_region **arr, size_t *n, size_t *cap)
{
	size_t first = *n;

	for (; *k < nr_kept; (*k)++) {
		struct udamon_region r = kept[*k];

		if (r.start >= rg->end)
			break;
		if (!intersects(&r, rg))
			continue;	/* only in an earlier range: dropped */
		if (*n > first && (*arr)[*n - 1].end < r.start &&
		    push_region(arr, n, cap,
				new_region((*arr)[*n - 1].end, r.start)))
			return -ENOMEM;		/* fill the hole */
		if (push_region(arr, n, cap, r))
			return -ENOMEM;
	}
	if (*n == first)
		return push_region(arr, n, cap, new_region(rg->start, rg->end));
	(*arr)[first].start = rg->start;	/* stretch or clip the edges */
	(*arr)[*n - 1].end = rg->end;
	for (size_t i = first; i < *n; i++) {
		struct udamon_region *r = &(*arr)[i];

		if (r->sampling_addr < r->start || r->sampling_addr >= r->end) {
			r->sampling_addr = r->start;
			r->armed = 0;	/* its armed page is elsewhere now */
		}
	}
	return 0;
}

int udamon_target_update_regions(struct udamon_target *t,
				 const struct udamon_range *ranges, size_t nr)
{
	struct udamon_region *arr = NULL, *kept;
	size_t n = 0, cap = 0, nr_kept = 0, k = 0;
	int err = 0;

	if (check_ranges(ranges, nr))
		return -EINVAL;
	kept = calloc(t->nr_regions + 1, sizeof(*kept));
	if (!kept)
		return -ENOMEM;
	/* regions that meet no range go */
	for (size_t i = 0; i < t->nr_regions; i++)
		if (in_any(&t->regions[i], ranges, nr))
			kept[nr_kept++] = t->regions[i];
	for (size_t i = 0; i < nr && !err; i++)
		err = fit_range(kept, nr_kept, &k, &ranges[i], &arr, &n, &cap);
	free(kept);
	if (err) {	/* nothing changed: the copies share cpu_samples */
		free(arr);
		return err;
	}
	for (size_t i = 0; i < t->nr_regions; i++)
		if (!in_any(&t->regions[i], ranges, nr))
			free(t->regions[i].cpu_samples);
	replace_regions(t, arr, n, cap);
	return 0;
}

int udamon_three_regions(const struct udamon_range *maps, size_t nr,
			 struct udamon_range out[3])
{
	return udamon_core_three_regions(maps, nr, UDAMON_MIN_REGION, out);
}

int udamon_core_three_regions(const struct udamon_range *maps, size_t nr,
			      uint64_t align, struct udamon_range out[3])
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
		out[n].start = ALIGN_UP(start, align);
		out[n].end = ALIGN_UP(gap[i].start, align);
		n++;
		start = gap[i].end;
	}
	end = maps[nr - 1].end;
	out[n].start = ALIGN_UP(start, align);
	out[n].end = ALIGN_UP(end, align);
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
