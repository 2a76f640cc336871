// SPDX-License-Identifier: MIT
/*
 * paddr: physical memory, in DAMON's paddr semantics (one target whose
 * regions are physical address ranges, one sampling page per region and
 * sample), observed through the processes that map it. From user space
 * only writes through user mappings can be seen, so every process of the
 * scope (a cgroup, or the whole machine) is attached like a vaddr target
 * (kept in a vaddr context of its own), and a reverse index from physical
 * page to (process, virtual page), read from /proc/PID/pagemap (at each
 * ops update only for the processes whose pages may have changed, see
 * struct proc_sig), says which mappings to arm and check for a region's
 * sampling page. A page that no monitored process maps cannot be written
 * from user space: it is not accessed. An index entry is verified against
 * pagemap before it is armed and again before a write is counted, so a
 * stale one (the page was freed, migrated, or copied on write) never
 * counts. With attribution (--exp_ops_cpus, --exp_ops_tids) each process's
 * fault event source watches the pages armed in it, and its faults on
 * them become the reports, with the CPU and thread that wrote.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "udamon/ops.h"
#include "ops/maps.h"
#include "ops/vaddr_scope.h"
#include "primitives/fault_events.h"
#include "primitives/procfs.h"
#include "primitives/uffd_wp.h"

#define PAGE_SHIFT	12
#define PM_PRESENT	(1ULL << 63)
#define PM_PFN_MASK	((1ULL << 55) - 1)
#define PROC_BITS	24
/* pagemap entries read per pread while building the index */
#define PM_CHUNK	8192
/* mappings of one physical page armed per sample, at most */
#define MAX_MAPPERS	16

/*
 * One mapped page: key = pfn << PROC_BITS | process index (so sorting by
 * key sorts by pfn), and the virtual address. 16 bytes per page of the
 * monitored processes that lies in the monitored physical span.
 */
struct rev_entry {
	uint64_t key;
	uint64_t vaddr;
};

struct armed {
	uint32_t proc;
	uint64_t vaddr;
	uint64_t pfn;
	bool unit;		/* its whole huge page unit is armed */
};

#define THP_UNIT	(2ULL << 20)

/*
 * What says that a process's pages may have changed since its pages were
 * last read: a new page is mapped only by a fault (counted in minflt or
 * majflt), and a mapping changes vsize or rss. Pages the kernel moves
 * without a fault (compaction, khugepaged) are found when the process is
 * read again in turn or after one of its entries was found stale (stale
 * entries are detected before they are armed or counted). A process read
 * again whose pages are what they were (count and digest) keeps its
 * entries: only changed processes cost a pass over the index.
 */
struct proc_sig {
	uint64_t faults, vsize, rss;
	bool indexed;
	bool stale;		/* an entry of it was found stale since */
	/* what its pages were when last read: unchanged, the index is kept */
	uint64_t nr_pages, digest;
};

/*
 * Each process is read again at least every FULL_EVERY builds, in turn,
 * and at the next build after an entry of it was found stale (so a page
 * moved by the kernel is found again soon where it is sampled).
 */
#define FULL_EVERY	32

/* Frames per bucket of the index's lookup table (2 MiB). */
#define BUCKET_SHIFT	9

/* Entries of the pages read at a build kept allocated (1 MiB). */
#define FRESH_KEEP	65536

/* A growing array of index entries. */
struct rev_buf {
	struct rev_entry *e;
	size_t nr, cap;
};

struct paddr_ctx {
	struct udamon_ctx *procs;	/* the processes, as vaddr targets */
	struct rev_entry *index;
	size_t nr_index, cap_index;
	struct rev_buf fresh;		/* pages read at this build */
	int *pagemap;			/* per process index; -1: none */
	size_t nr_pagemap;
	struct armed *armed;
	size_t nr_armed, cap_armed;
	uint64_t *pages;		/* one process's armed pages */
	size_t cap_pages;
	bool attribution;		/* fault events are the reports */
	uint64_t nr_stale;		/* index entries found stale */
	struct proc_sig *sigs;		/* per process index, as last read */
	uint8_t *redo;			/* per process: re-read at this update */
	uint64_t span_lo, span_hi;	/* the physical span indexed */
	size_t *bucket;			/* build_buckets */
	size_t nr_buckets, cap_buckets;
	uint64_t bucket_base;
	unsigned int nr_builds;
	bool index_changed;		/* since the buckets were built */
};

static struct paddr_ctx *pctx(struct udamon_ctx *ctx)
{
	return ctx->ops_data;
}

static uint64_t now_ns(struct udamon_ctx *ctx)
{
	return ctx->clock.now_ns ? ctx->clock.now_ns(ctx->clock.data) :
		udamon_now_ns();
}

/* ---- the reverse index ------------------------------------------------ */

static void close_pagemaps(struct paddr_ctx *p)
{
	for (size_t i = 0; i < p->nr_pagemap; i++)
		if (p->pagemap[i] >= 0)
			close(p->pagemap[i]);
	free(p->pagemap);
	free(p->sigs);
	free(p->redo);
	p->pagemap = NULL;
	p->sigs = NULL;
	p->redo = NULL;
	p->nr_pagemap = 0;
}

/* Grow the per-process arrays to nr processes (new ones unread). */
static int grow_procs(struct paddr_ctx *p, size_t nr)
{
	int *pm;
	struct proc_sig *sg;
	uint8_t *rd;

	if (nr <= p->nr_pagemap)
		return 0;
	pm = realloc(p->pagemap, nr * sizeof(*pm));
	if (pm)
		p->pagemap = pm;
	sg = realloc(p->sigs, nr * sizeof(*sg));
	if (sg)
		p->sigs = sg;
	rd = realloc(p->redo, nr);
	if (rd)
		p->redo = rd;
	if (!pm || !sg || !rd)
		return -ENOMEM;
	for (size_t i = p->nr_pagemap; i < nr; i++) {
		pm[i] = -1;
		memset(&sg[i], 0, sizeof(sg[i]));
	}
	p->nr_pagemap = nr;
	return 0;
}

/* minflt + majflt, vsize and rss of process i (vaddr read them already). */
static int read_sig(struct paddr_ctx *p, size_t i, struct proc_sig *sig)
{
	struct udamon_target *t = &p->procs->targets[i];
	struct udamon_proc_sig now;

	if (!vaddr_target_sig(p->procs, t, &now) &&
	    udamon_proc_sig(vaddr_target_procfd(t), &now))
		return -1;
	sig->faults = now.faults;
	sig->vsize = now.vsize;
	sig->rss = now.rss;
	return 0;
}

static int buf_add(struct rev_buf *b, uint64_t pfn, size_t proc,
		   uint64_t vaddr)
{
	if (b->nr == b->cap) {
		size_t cap = b->cap ? b->cap * 2 : 4096;
		struct rev_entry *n = realloc(b->e, cap * sizeof(*n));

		if (!n)
			return -ENOMEM;
		b->e = n;
		b->cap = cap;
	}
	b->e[b->nr].key = pfn << PROC_BITS | proc;
	b->e[b->nr++].vaddr = vaddr;
	return 0;
}

/* The pages of [start, end) of process proc that lie in [lo, hi). */
static int index_range(struct rev_buf *b, size_t proc, int fd,
		       uint64_t start, uint64_t end, uint64_t lo, uint64_t hi)
{
	static uint64_t pm[PM_CHUNK];

	for (uint64_t va = start; va < end;) {
		size_t n = (end - va) >> PAGE_SHIFT;
		ssize_t got;

		if (n > PM_CHUNK)
			n = PM_CHUNK;
		got = pread(fd, pm, n * 8, (off_t)((va >> PAGE_SHIFT) * 8));
		if (got <= 0)
			return 0;	/* gone or exec'ed: next update */
		n = (size_t)got / 8;
		for (size_t i = 0; i < n; i++, va += 1ULL << PAGE_SHIFT) {
			uint64_t pfn = pm[i] & PM_PFN_MASK;

			if (!(pm[i] & PM_PRESENT) || !pfn ||
			    (pfn << PAGE_SHIFT) < lo || (pfn << PAGE_SHIFT) >= hi)
				continue;
			if (buf_add(b, pfn, proc, va))
				return -ENOMEM;
		}
	}
	return 0;
}

/* Read process proc's pages in [lo, hi) into p->fresh. */
static int index_process(struct paddr_ctx *p, size_t proc, uint64_t lo,
			 uint64_t hi)
{
	struct udamon_target *t = &p->procs->targets[proc];
	int procfd = vaddr_target_procfd(t), fd, ret = 0;
	struct udamon_mapping *maps;
	char err[256];
	size_t nr;

	if (procfd < 0 || !vaddr_target_wp(t) ||
	    !p->procs->ops->target_valid(p->procs, t))
		return 0;
	fd = openat(procfd, "pagemap", O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return 0;
	if (p->pagemap[proc] >= 0)
		close(p->pagemap[proc]);
	p->pagemap[proc] = fd;
	if (udamon_maps_read(procfd, t->pid, &maps, &nr, err, sizeof(err)))
		return 0;
	for (size_t i = 0; i < nr && !ret; i++)
		if (!udamon_mapping_is_special(&maps[i]) &&
		    udamon_mapping_is_private_writable(&maps[i]))
			ret = index_range(&p->fresh, proc, fd, maps[i].start,
					  maps[i].end, lo, hi);
	free(maps);
	return ret;
}

#define RADIX_BITS	12

/*
 * Sort the index by frame: an LSD radix sort on the frame bits, 12 at a
 * time (stable, so the process order of one frame's entries stays). A
 * comparison sort of a million entries took 250-400 ms on this machine,
 * each ops update; this takes a few tens.
 */
static int sort_entries(struct rev_entry *arr, size_t nr)
{
	static size_t count[1 << RADIX_BITS];
	struct rev_entry *tmp, *src = arr, *dst;
	uint64_t max = 0;
	unsigned int shift;

	if (nr < 2)
		return 0;
	for (size_t i = 0; i < nr; i++)
		if (src[i].key > max)
			max = src[i].key;
	tmp = malloc(nr * sizeof(*tmp));
	if (!tmp)
		return -ENOMEM;
	dst = tmp;
	for (shift = PROC_BITS; shift < 64 && (max >> shift); shift += RADIX_BITS) {
		size_t sum = 0;
		struct rev_entry *swap;

		memset(count, 0, sizeof(count));
		for (size_t i = 0; i < nr; i++)
			count[(src[i].key >> shift) & ((1 << RADIX_BITS) - 1)]++;
		for (size_t d = 0; d < (1 << RADIX_BITS); d++) {
			size_t c = count[d];

			count[d] = sum;
			sum += c;
		}
		for (size_t i = 0; i < nr; i++)
			dst[count[(src[i].key >> shift) & ((1 << RADIX_BITS) - 1)]++] = src[i];
		swap = src;
		src = dst;
		dst = swap;
	}
	if (src != arr)
		memcpy(arr, src, nr * sizeof(*src));
	free(tmp);
	return 0;
}

/* A digest of entries [from, to) of p->fresh (read in a fixed order). */
static uint64_t digest(const struct paddr_ctx *p, size_t from, size_t to)
{
	uint64_t h = 0xcbf29ce484222325ULL;

	for (size_t i = from; i < to; i++) {
		h = (h ^ p->fresh.e[i].key) * 0x100000001b3ULL;
		h = (h ^ p->fresh.e[i].vaddr) * 0x100000001b3ULL;
	}
	return h;
}

/*
 * Read the pages of the processes to re-read (p->redo) into p->fresh; a
 * process whose pages are what they were (same count and digest) is
 * left as it is indexed, the others are marked in p->redo as changed
 * (2). Returns how many changed, or negative errno.
 */
static long read_redo(struct paddr_ctx *p, size_t nr, uint64_t lo,
		      uint64_t hi)
{
	long changed = 0;

	p->fresh.nr = 0;
	for (size_t i = 0; i < nr; i++) {
		size_t from = p->fresh.nr;
		struct proc_sig *sg = &p->sigs[i];
		uint64_t d;

		if (!p->redo[i])
			continue;
		if (p->pagemap[i] >= 0)
			close(p->pagemap[i]);
		p->pagemap[i] = -1;
		if (index_process(p, i, lo, hi))
			return -ENOMEM;
		d = digest(p, from, p->fresh.nr);
		if (sg->nr_pages == p->fresh.nr - from && sg->digest == d &&
		    p->redo[i] == 1) {
			p->fresh.nr = from;	/* as indexed: keep those */
			p->redo[i] = 0;
			continue;
		}
		sg->nr_pages = p->fresh.nr - from;
		sg->digest = d;
		p->redo[i] = 2;
		changed++;
	}
	return changed;
}

/*
 * Drop the entries of the processes whose pages changed, sort what was
 * read of them and merge it into the kept (sorted) entries.
 */
static int refresh_index(struct paddr_ctx *p, size_t nr, uint64_t lo,
			 uint64_t hi)
{
	size_t kept = 0, nr_new, a, b, o;
	long changed = read_redo(p, nr, lo, hi);

	if (changed <= 0)
		return (int)changed;
	p->index_changed = true;
	if (!p->nr_index) {
		/* all new (the first build): the sorted pages are the index */
		if (sort_entries(p->fresh.e, p->fresh.nr))
			return -ENOMEM;
		free(p->index);
		p->index = p->fresh.e;
		p->nr_index = p->fresh.nr;
		p->cap_index = p->fresh.cap;
		p->fresh = (struct rev_buf){ 0 };
		return 0;
	}
	for (size_t i = 0; i < p->nr_index; i++)
		if (p->redo[p->index[i].key & ((1ULL << PROC_BITS) - 1)] != 2)
			p->index[kept++] = p->index[i];
	nr_new = p->fresh.nr;
	if (sort_entries(p->fresh.e, nr_new))
		return -ENOMEM;
	if (kept + nr_new > p->cap_index) {
		struct rev_entry *n = realloc(p->index,
					      (kept + nr_new) * sizeof(*n));

		if (!n)
			return -ENOMEM;
		p->index = n;
		p->cap_index = kept + nr_new;
	}
	/* merge from the end, in place: only the new entries are copied */
	for (a = kept, b = nr_new, o = kept + nr_new; b;) {
		if (a && p->index[a - 1].key > p->fresh.e[b - 1].key)
			p->index[--o] = p->index[--a];
		else
			p->index[--o] = p->fresh.e[--b];
	}
	p->nr_index = kept + nr_new;
	return 0;
}

/*
 * Bring the index up to date for the physical span of the target's
 * regions: re-read the processes whose pages may have changed (struct
 * proc_sig) and, in turn, every FULL_EVERY-th of the others (pages the
 * kernel moved without a fault); all of them when the span changed. Only
 * the processes whose pages did change are replaced in the index.
 */
static int build_buckets(struct paddr_ctx *p);

static int build_index(struct udamon_ctx *ctx)
{
	struct paddr_ctx *p = pctx(ctx);
	struct udamon_target *t = &ctx->targets[0];
	size_t nr = p->procs->nr_targets;
	unsigned int turn;
	uint64_t lo, hi;
	bool full;

	if (!t->nr_regions) {
		p->nr_index = 0;
		return 0;
	}
	lo = t->regions[0].start;
	hi = t->regions[t->nr_regions - 1].end;
	if (grow_procs(p, nr)) {
		udamon_ctx_set_error(ctx, "paddr: out of memory for %zu processes", nr);
		return -ENOMEM;
	}
	full = lo != p->span_lo || hi != p->span_hi;
	p->span_lo = lo;
	p->span_hi = hi;
	turn = p->nr_builds++ % FULL_EVERY;
	for (size_t i = 0; i < nr; i++) {
		struct proc_sig now = { 0 }, *was = &p->sigs[i];
		bool known = !read_sig(p, i, &now);

		/* 2: replace its entries whatever is read; 1: if they differ */
		p->redo[i] = full || !was->indexed ? 2 :
			!known || was->stale || i % FULL_EVERY == turn ||
			now.faults != was->faults || now.vsize != was->vsize ||
			now.rss != was->rss;
		if (p->redo[i]) {
			now.nr_pages = was->nr_pages;
			now.digest = was->digest;
			now.stale = false;
			*was = now;
			was->indexed = known;
		}
	}
	if (full)
		p->nr_index = 0;
	if (refresh_index(p, nr, lo, hi)) {
		udamon_ctx_set_error(ctx, "paddr: out of memory for the reverse index (%zu pages)",
				     p->nr_index);
		return -ENOMEM;
	}
	/* a build reads a few processes: give back what a big one took */
	if (p->fresh.cap > FRESH_KEEP) {
		free(p->fresh.e);
		p->fresh = (struct rev_buf){ 0 };
	}
	if ((full || p->index_changed) && build_buckets(p)) {
		udamon_ctx_set_error(ctx, "paddr: out of memory");
		return -ENOMEM;
	}
	p->index_changed = false;
	return 0;
}

/*
 * Where each 2 MiB of frames starts in the index: a lookup then searches
 * a few entries instead of taking 20 cache misses through the whole
 * index (its binary search was a tenth of paddr's CPU with 8 GiB).
 * Rebuilt when the index changed.
 */
static int build_buckets(struct paddr_ctx *p)
{
	uint64_t base = p->span_lo >> PAGE_SHIFT >> BUCKET_SHIFT;
	size_t n = (size_t)((p->span_hi >> PAGE_SHIFT >> BUCKET_SHIFT) -
			    base + 2), k = 0;

	if (n > p->cap_buckets) {
		size_t *b = realloc(p->bucket, n * sizeof(*b));

		if (!b)
			return -ENOMEM;
		p->bucket = b;
		p->cap_buckets = n;
	}
	for (size_t b = 0; b < n; b++) {
		uint64_t first = (base + b) << BUCKET_SHIFT;

		while (k < p->nr_index && p->index[k].key >> PROC_BITS < first)
			k++;
		p->bucket[b] = k;
	}
	p->nr_buckets = n;
	p->bucket_base = base;
	return 0;
}

/* First index entry of pfn (or where it would be). */
static size_t index_find(const struct paddr_ctx *p, uint64_t pfn)
{
	size_t lo = 0, hi = p->nr_index;
	uint64_t key = pfn << PROC_BITS, b = (pfn >> BUCKET_SHIFT) - p->bucket_base;

	if (pfn >> BUCKET_SHIFT >= p->bucket_base && b + 1 < p->nr_buckets) {
		lo = p->bucket[b];
		hi = p->bucket[b + 1];
		if (hi > p->nr_index)	/* not rebuilt since it emptied */
			hi = p->nr_index;
		if (lo > hi)
			lo = hi;
	}

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (p->index[mid].key < key)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

/* Does process proc still map vaddr to pfn? */
static bool still_maps(const struct paddr_ctx *p, uint32_t proc,
		       uint64_t vaddr, uint64_t pfn)
{
	uint64_t e;

	if (proc >= p->nr_pagemap || p->pagemap[proc] < 0)
		return false;
	if (pread(p->pagemap[proc], &e, 8,
		  (off_t)((vaddr >> PAGE_SHIFT) * 8)) != 8)
		return false;
	return (e & PM_PRESENT) && (e & PM_PFN_MASK) == pfn;
}

/* An entry of process proc was stale: read its pages at the next build. */
static void found_stale(struct paddr_ctx *p, uint32_t proc)
{
	p->nr_stale++;
	if (proc < p->nr_pagemap)
		p->sigs[proc].stale = true;
}

/* ---- the ops ------------------------------------------------------------ */

static int paddr_init(struct udamon_ctx *ctx)
{
	struct paddr_ctx *p = pctx(ctx);
	int ret = p->procs->ops->init(p->procs);

	if (ret) {
		udamon_ctx_set_error(ctx, "%s", udamon_ctx_errmsg(p->procs));
		return ret;
	}
	return build_index(ctx);
}

static int paddr_update(struct udamon_ctx *ctx)
{
	struct paddr_ctx *p = pctx(ctx);
	int ret;

	/* let go of the processes that ended */
	for (size_t i = 0; i < p->procs->nr_targets; i++) {
		struct udamon_target *t = &p->procs->targets[i];

		if (t->ops_data && !p->procs->ops->target_valid(p->procs, t))
			vaddr_release_target(p->procs, t);
	}
	ret = p->procs->ops->update(p->procs);
	if (ret) {
		udamon_ctx_set_error(ctx, "%s", udamon_ctx_errmsg(p->procs));
		return ret;
	}
	return build_index(ctx);
}

static int arm(struct paddr_ctx *p, const struct rev_entry *e)
{
	bool unit;
	int ret;

	uint32_t proc = (uint32_t)(e->key & ((1ULL << PROC_BITS) - 1));
	uint64_t pfn = e->key >> PROC_BITS;
	struct udamon_target *t = &p->procs->targets[proc];
	struct udamon_uffd_wp *wp = vaddr_target_wp(t);

	if (!wp)
		return 0;
	if (!still_maps(p, proc, e->vaddr, pfn)) {
		found_stale(p, proc);
		return 0;
	}
	ret = udamon_uffd_wp_page(wp, e->vaddr, true);
	if (ret < 0)
		return 0;	/* gone or exec'ed meanwhile */
	/*
	 * In a PMD-mapped huge page: arm the whole unit (arming one page
	 * would split it), which is one physical 2 MiB block. A write then
	 * splits it; paddr leaves it split, at the same physical address
	 * (collapsing it again would move it).
	 */
	unit = ret & UDAMON_WP_HUGE;
	if (unit) {
		uint64_t u = e->vaddr & ~(THP_UNIT - 1);

		if (!udamon_uffd_wp_covers(wp, u, u + THP_UNIT) ||
		    udamon_uffd_wp_protect(wp, u, u + THP_UNIT, true) < 0)
			return 0;
	}
	if (p->nr_armed == p->cap_armed) {
		size_t cap = p->cap_armed ? p->cap_armed * 2 : 256;
		struct armed *n = realloc(p->armed, cap * sizeof(*n));

		if (!n)
			return -ENOMEM;
		p->armed = n;
		p->cap_armed = cap;
	}
	p->armed[p->nr_armed++] = (struct armed){ proc, e->vaddr, pfn, unit };
	return 0;
}

static int cmp_armed(const void *a, const void *b)
{
	const struct armed *x = a, *y = b;

	if (x->proc != y->proc)
		return (x->proc > y->proc) - (x->proc < y->proc);
	return (x->vaddr > y->vaddr) - (x->vaddr < y->vaddr);
}

/* Each process's fault source watches the pages armed in it (or none). */
static int arm_sources(struct udamon_ctx *ctx)
{
	struct paddr_ctx *p = pctx(ctx);
	size_t k = 0;

	if (p->cap_pages < p->nr_armed + 1) {
		uint64_t *n = realloc(p->pages, (p->nr_armed + 1) * sizeof(*n));

		if (!n)
			return -ENOMEM;
		p->pages = n;
		p->cap_pages = p->nr_armed + 1;
	}
	for (size_t i = 0; i < p->procs->nr_targets; i++) {
		struct udamon_fault_source *src =
			vaddr_target_src(&p->procs->targets[i]);
		size_t n = 0;

		for (; k < p->nr_armed && p->armed[k].proc < i; k++)
			;
		for (; k < p->nr_armed && p->armed[k].proc == i; k++)
			p->pages[n++] = p->armed[k].vaddr;
		if (src && udamon_fault_source_arm(src, p->pages, n) < 0)
			continue;	/* gone: no events from it */
	}
	return 0;
}

static int paddr_prepare(struct udamon_ctx *ctx)
{
	struct paddr_ctx *p = pctx(ctx);
	struct udamon_target *t = &ctx->targets[0];

	/* new processes are attached now, indexed at the next update */
	vaddr_poll_scope(p->procs);
	p->nr_armed = 0;
	for (size_t j = 0; j < t->nr_regions; j++) {
		uint64_t pfn = t->regions[j].sampling_addr >> PAGE_SHIFT;
		size_t k = index_find(p, pfn);

		for (size_t n = 0; k < p->nr_index && n < MAX_MAPPERS &&
		     p->index[k].key >> PROC_BITS == pfn; k++, n++) {
			if (arm(p, &p->index[k])) {
				udamon_ctx_set_error(ctx, "paddr: out of memory");
				return -ENOMEM;
			}
		}
	}
	qsort(p->armed, p->nr_armed, sizeof(*p->armed), cmp_armed);
	return p->attribution ? arm_sources(ctx) : 0;
}

/* Was the armed page (or its unit) written? Unknown reads as no. */
static bool written(struct udamon_uffd_wp *wp, const struct armed *a)
{
	uint64_t u = a->vaddr & ~(THP_UNIT - 1);
	int ret = a->unit ? udamon_uffd_wp_unit(wp, u, u + THP_UNIT, false) :
		udamon_uffd_wp_page(wp, a->vaddr, false);

	/* still one huge page: not written (or replaced by a new one) */
	return ret > 0 && (ret & UDAMON_WP_WRITTEN) && !(ret & UDAMON_WP_HUGE);
}

struct event_arg {
	struct udamon_ctx *ctx;
	uint32_t proc;
};

/* A fault of process a->proc: a report if it hit a page armed in it. */
static int push_event(const struct udamon_access_report *e, void *data)
{
	struct event_arg *a = data;
	struct paddr_ctx *p = pctx(a->ctx);
	struct armed key = { .proc = a->proc,
			     .vaddr = e->vaddr & ~((1ULL << PAGE_SHIFT) - 1) };
	const struct armed *hit;
	struct udamon_access_report r = *e;

	if (e->vaddr == UDAMON_UNKNOWN_ADDR)
		return 0;
	hit = bsearch(&key, p->armed, p->nr_armed, sizeof(*p->armed),
		      cmp_armed);
	if (!hit)
		return 0;
	if (!still_maps(p, hit->proc, hit->vaddr, hit->pfn)) {
		found_stale(p, hit->proc);
		return 0;
	}
	r.vaddr = UDAMON_UNKNOWN_ADDR;
	r.paddr = hit->pfn << PAGE_SHIFT;
	r.size = 1ULL << PAGE_SHIFT;
	r.target = 0;
	r.source = UDAMON_REPORT_FAULT;
	udamon_ctx_push_report(a->ctx, &r);
	return 0;
}

/* With attribution, the faults on armed pages are the reports. */
static void drain_sources(struct udamon_ctx *ctx)
{
	struct paddr_ctx *p = pctx(ctx);

	for (size_t i = 0; i < p->procs->nr_targets; i++) {
		struct udamon_fault_source *src =
			vaddr_target_src(&p->procs->targets[i]);
		struct event_arg a = { ctx, (uint32_t)i };

		if (src)
			udamon_fault_source_drain(src, push_event, &a);
	}
}

static int paddr_check(struct udamon_ctx *ctx)
{
	struct paddr_ctx *p = pctx(ctx);
	uint64_t now = now_ns(ctx);

	if (p->attribution) {
		drain_sources(ctx);
		return 0;
	}

	for (size_t i = 0; i < p->nr_armed; i++) {
		const struct armed *a = &p->armed[i];
		struct udamon_uffd_wp *wp;
		struct udamon_access_report r = {
			.vaddr = UDAMON_UNKNOWN_ADDR,
			.paddr = a->pfn << PAGE_SHIFT,
			.size = 1ULL << PAGE_SHIFT,
			.cpu = UDAMON_UNKNOWN_CPU,
			.tid = UDAMON_UNKNOWN_TID,
			.is_write = 1,
			.time_ns = now,
			.target = 0,
		};

		wp = vaddr_target_wp(&p->procs->targets[a->proc]);
		if (!wp || !written(wp, a))
			continue;
		/* written, but the same physical page? (not a copy on write) */
		if (!still_maps(p, a->proc, a->vaddr, a->pfn)) {
			found_stale(p, a->proc);
			continue;
		}
		udamon_ctx_push_report(ctx, &r);
	}
	return 0;
}

static bool paddr_target_valid(struct udamon_ctx *ctx, struct udamon_target *t)
{
	return true;	/* physical memory does not go away */
}

static void paddr_cleanup(struct udamon_ctx *ctx)
{
	struct paddr_ctx *p = pctx(ctx);

	if (!p)
		return;
	close_pagemaps(p);
	/* closing every userfaultfd drops every registration */
	udamon_ctx_free(p->procs);
	free(p->index);
	free(p->fresh.e);
	free(p->bucket);
	free(p->armed);
	free(p->pages);
	free(p);
	ctx->ops_data = NULL;
}

static const struct udamon_ops paddr_ops = {
	.name = "paddr",
	.init = paddr_init,
	.update = paddr_update,
	.prepare_access_checks = paddr_prepare,
	.check_accesses = paddr_check,
	.target_valid = paddr_target_valid,
	.cleanup = paddr_cleanup,
};

int udamon_paddr_attach(struct udamon_ctx *ctx,
			const struct udamon_vaddr_opts *procs)
{
	struct paddr_ctx *p;
	int ret;

	if (ctx->nr_targets != 1 || !ctx->targets[0].nr_regions) {
		udamon_ctx_set_error(ctx, "paddr: expected one target with its physical regions");
		return -EINVAL;
	}
	p = calloc(1, sizeof(*p));
	if (!p || !(p->procs = udamon_ctx_new())) {
		free(p);
		return -ENOMEM;
	}
	p->attribution = procs->attribution;
	ret = udamon_vaddr_attach(p->procs, procs);
	if (ret) {
		udamon_ctx_set_error(ctx, "%s", udamon_ctx_errmsg(p->procs));
		udamon_ctx_free(p->procs);
		free(p);
		return ret;
	}
	if (ctx->ops && ctx->ops->cleanup)
		ctx->ops->cleanup(ctx);
	ctx->ops = &paddr_ops;
	ctx->ops_data = p;
	ctx->use_reports = true;
	return 0;
}

size_t udamon_paddr_nr_processes(const struct udamon_ctx *ctx)
{
	const struct paddr_ctx *p = ctx->ops_data;
	size_t n = 0;

	if (!p || ctx->ops != &paddr_ops)
		return 0;
	for (size_t i = 0; i < p->procs->nr_targets; i++)
		n += vaddr_target_wp(&p->procs->targets[i]) != NULL;
	return n;
}

size_t udamon_paddr_refused(struct udamon_ctx *ctx,
			    const struct udamon_refusal **out, uint64_t *ended)
{
	const struct paddr_ctx *p = ctx->ops_data;

	*out = NULL;
	*ended = 0;
	if (!p || ctx->ops != &paddr_ops)
		return 0;
	return udamon_vaddr_refused(p->procs, out, ended);
}

uint64_t udamon_paddr_stale(const struct udamon_ctx *ctx)
{
	const struct paddr_ctx *p = ctx->ops_data;

	return p ? p->nr_stale : 0;
}

int udamon_paddr_default_range(struct udamon_range *out, char *err,
			       size_t errlen)
{
	FILE *f = fopen("/proc/iomem", "re");
	char line[256];
	bool found = false;

	if (!f) {
		snprintf(err, errlen, "cannot read /proc/iomem: %s",
			 strerror(errno));
		return -errno;
	}
	while (fgets(line, sizeof(line), f)) {
		unsigned long long s, e;
		int n = 0;

		/* top level lines only: "start-end : System RAM" */
		if (line[0] == ' ' ||
		    sscanf(line, "%llx-%llx : %n", &s, &e, &n) != 2 || !n ||
		    strncmp(line + n, "System RAM", 10) || e <= s)
			continue;
		if (!found || e + 1 - s > out->end - out->start)
			*out = (struct udamon_range){ s, e + 1 };
		found = true;
	}
	fclose(f);
	if (!found || !out->end) {
		snprintf(err, errlen, "no System RAM block in /proc/iomem (not root? its addresses read as 0 otherwise)");
		return -ENOENT;
	}
	return 0;
}

/* A hex number from a sysfs file (block_size_bytes). */
static int read_hex(const char *path, uint64_t *out)
{
	FILE *f = fopen(path, "re");
	unsigned long long v;
	int ok;

	if (!f)
		return -errno;
	ok = fscanf(f, "%llx", &v) == 1;
	fclose(f);
	if (!ok)
		return -EINVAL;
	*out = v;
	return 0;
}

static bool block_online(const char *node_dir, const char *name)
{
	char path[512], state[32] = "";
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s/state", node_dir, name);
	f = fopen(path, "re");
	if (!f)
		return true;	/* no state file: always online */
	if (!fgets(state, sizeof(state), f))
		state[0] = '\0';
	fclose(f);
	return !strncmp(state, "online", 6);
}

static int cmp_range(const void *a, const void *b)
{
	const struct udamon_range *x = a, *y = b;

	return (x->start > y->start) - (x->start < y->start);
}

int udamon_paddr_numa_ranges(int node, struct udamon_range **out, size_t *nr,
			     char *err, size_t errlen)
{
	char dir[128];
	struct udamon_range *r = NULL, *tmp;
	size_t n = 0, cap = 0, j = 0;
	struct dirent *de;
	uint64_t bs = 0;
	DIR *d;

	*out = NULL;
	*nr = 0;
	if (read_hex("/sys/devices/system/memory/block_size_bytes", &bs) || !bs) {
		snprintf(err, errlen, "cannot read the memory block size from /sys/devices/system/memory/block_size_bytes");
		return -ENOENT;
	}
	snprintf(dir, sizeof(dir), "/sys/devices/system/node/node%d", node);
	d = opendir(dir);
	if (!d) {
		snprintf(err, errlen, "--numa_node %d: no such NUMA node (%s): see /sys/devices/system/node/online",
			 node, dir);
		return -ENOENT;
	}
	while ((de = readdir(d))) {
		char *end;
		unsigned long long idx;

		if (strncmp(de->d_name, "memory", 6))
			continue;
		idx = strtoull(de->d_name + 6, &end, 10);
		if (end == de->d_name + 6 || *end || !block_online(dir, de->d_name))
			continue;
		if (n == cap) {
			cap = cap ? cap * 2 : 64;
			tmp = realloc(r, cap * sizeof(*r));
			if (!tmp) {
				free(r);
				closedir(d);
				return -ENOMEM;
			}
			r = tmp;
		}
		r[n++] = (struct udamon_range){ idx * bs, (idx + 1) * bs };
	}
	closedir(d);
	if (!n) {
		free(r);
		snprintf(err, errlen, "--numa_node %d: the node has no online memory", node);
		return -ENOENT;
	}
	qsort(r, n, sizeof(*r), cmp_range);
	for (size_t i = 1; i < n; i++) {		/* merge adjacent blocks */
		if (r[i].start == r[j].end)
			r[j].end = r[i].end;
		else
			r[++j] = r[i];
	}
	*out = r;
	*nr = j + 1;
	return 0;
}
