// SPDX-License-Identifier: MIT
/* Async userfaultfd write-protect monitoring of another process. */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdbool.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <signal.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "primitives/compat.h"
#include "primitives/inject.h"
#include "primitives/procfs.h"
#include "primitives/uffd_wp.h"

#define PAGE_SZ		4096ULL
#define HUGE_SZ		(2ULL << 20)	/* a PMD on x86-64 and arm64 (4K) */
/* Number of page_region entries per PAGEMAP_SCAN call. */
#define VEC_LEN		4096
/*
 * UFFDIO_WRITEPROTECT with WP_UNPOPULATED fills page tables over the whole
 * range (2 MiB of them per GiB). Mappings above this are armed page by
 * page over their populated parts only, with a PAGEMAP_SCAN.
 */
#define ARM_WP_MAX	(1ULL << 30)
#define WP_FEATURES	(UFFD_FEATURE_WP_ASYNC | UFFD_FEATURE_WP_UNPOPULATED)

struct udamon_uffd_wp {
	pid_t pid;
	int uffd;
	int pagemap;
	struct udamon_range *spans;	/* registered, sorted, coalesced */
	size_t nr_spans;
	struct udamon_range *skipped;	/* could not register; warned */
	size_t nr_skipped;
	bool stale;
	bool register_only;	/* sync does not arm (sampling-page mode) */
	struct page_region *vec;	/* all-zero between calls */
	udamon_uffd_wp_warn_fn warn;
	void *warn_data;
	struct udamon_uffd_wp_stats st;
};

/* ---- open / close ------------------------------------------------------ */

static int enable_api(int uffd, char *err, size_t errlen)
{
	struct uffdio_api api = { .api = UFFD_API, .features = WP_FEATURES };

	if (ioctl(uffd, UFFDIO_API, &api) < 0) {
		int e = errno;

		snprintf(err, errlen,
			 "userfaultfd does not support async write-protect (UFFD_FEATURE_WP_ASYNC | WP_UNPOPULATED): %s; Linux 6.7 has it",
			 strerror(e));
		return e == EINVAL ? -ENOTSUP : -e;
	}
	return 0;
}

int udamon_uffd_wp_open(pid_t pid, int pidfd, struct udamon_uffd_wp **out,
			char *err, size_t errlen)
{
	struct udamon_uffd_wp *w;
	char path[64];
	uint64_t t0;
	int ret;

	w = calloc(1, sizeof(*w));
	if (!w)
		return -ENOMEM;
	w->pid = pid;
	w->uffd = -1;
	w->pagemap = -1;
	w->vec = calloc(VEC_LEN, sizeof(*w->vec));
	if (!w->vec) {
		free(w);
		return -ENOMEM;
	}
	/*
	 * Before the pagemap is opened: it must hold the process's own memory,
	 * which an exec makes go away (mm_alive); memory shared with a vfork
	 * parent outlives the child's exec, and the pagemap would go on
	 * reading the parent's while the uffd watched the new program's.
	 */
	ret = udamon_proc_shares_parent_mm(pid);
	if (ret) {
		if (ret > 0) {
			ret = -EINPROGRESS;
			snprintf(err, errlen, "process %d shares its parent's memory "
				 "(a vfork child that has not executed its program "
				 "yet): it can be monitored once it has", pid);
		} else {
			snprintf(err, errlen, "process %d is gone", pid);
		}
		goto fail;
	}
	snprintf(path, sizeof(path), "/proc/%d/pagemap", pid);
	w->pagemap = open(path, O_RDONLY | O_CLOEXEC);
	if (w->pagemap < 0) {
		ret = errno == ENOENT ? -ESRCH : -errno;
		snprintf(err, errlen, "cannot open %s: %s", path,
			 strerror(errno));
		goto fail;
	}
	t0 = udamon_now_ns();
	ret = udamon_uffd_steal(pid, pidfd, &w->uffd, err, errlen);
	w->st.steal_ns = udamon_now_ns() - t0;
	if (ret)
		goto fail;
	ret = enable_api(w->uffd, err, errlen);
	if (ret)
		goto fail;
	*out = w;
	return 0;
fail:
	udamon_uffd_wp_close(w);
	return ret;
}

void udamon_uffd_wp_close(struct udamon_uffd_wp *w)
{
	if (!w)
		return;
	/* The last reference going drops every registration. */
	if (w->uffd >= 0)
		close(w->uffd);
	if (w->pagemap >= 0)
		close(w->pagemap);
	free(w->spans);
	free(w->skipped);
	free(w->vec);
	free(w);
}

void udamon_uffd_wp_set_warn(struct udamon_uffd_wp *w,
			     udamon_uffd_wp_warn_fn fn, void *data)
{
	w->warn = fn;
	w->warn_data = data;
}

int udamon_uffd_wp_fd(const struct udamon_uffd_wp *w)
{
	return w->uffd;
}

/* ---- register and arm ------------------------------------------------ */

int udamon_uffd_wp_register(struct udamon_uffd_wp *w, uint64_t start,
			    uint64_t end)
{
	struct uffdio_register reg = {
		.range = { .start = start, .len = end - start },
		.mode = UFFDIO_REGISTER_MODE_WP,
	};

	if (ioctl(w->uffd, UFFDIO_REGISTER, &reg) < 0)
		return -errno;
	w->st.nr_registered++;
	return 0;
}

static int scan_call(struct udamon_uffd_wp *w, struct pm_scan_arg *arg)
{
	long n;

	w->st.nr_scans++;
	do {
		n = ioctl(w->pagemap, PAGEMAP_SCAN, arg);
	} while (n < 0 && errno == EINTR);
	return n < 0 ? -errno : (int)n;
}

/* Arm only the populated pages of [start, end): no page tables are made. */
static int arm_populated(struct udamon_uffd_wp *w, uint64_t start, uint64_t end)
{
	struct pm_scan_arg arg = {
		.size = sizeof(arg),
		.flags = PM_SCAN_WP_MATCHING | PM_SCAN_CHECK_WPASYNC,
		.start = start,
		.end = end,
		.category_anyof_mask = PAGE_IS_PRESENT | PAGE_IS_SWAPPED,
	};
	int n = scan_call(w, &arg);

	return n < 0 ? n : 0;
}

int udamon_uffd_wp_arm(struct udamon_uffd_wp *w, uint64_t start, uint64_t end)
{
	struct uffdio_writeprotect wp = {
		.range = { .start = start, .len = end - start },
		.mode = UFFDIO_WRITEPROTECT_MODE_WP,
	};

	if (end - start > ARM_WP_MAX)
		return arm_populated(w, start, end);
	for (;;) {
		if (ioctl(w->uffd, UFFDIO_WRITEPROTECT, &wp) == 0)
			return 0;
		if (errno != EAGAIN && errno != EINTR)
			return -errno;
	}
}

/* ---- following the mappings ------------------------------------------ */

static void warnf(struct udamon_uffd_wp *w, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void warnf(struct udamon_uffd_wp *w, const char *fmt, ...)
{
	char msg[512];
	va_list ap;

	if (!w->warn)
		return;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	w->warn(msg, w->warn_data);
}

static bool is_skipped(const struct udamon_uffd_wp *w, uint64_t s, uint64_t e)
{
	size_t i;

	for (i = 0; i < w->nr_skipped; i++)
		if (w->skipped[i].start == s && w->skipped[i].end == e)
			return true;
	return false;
}

static int push_range(struct udamon_range **a, size_t *nr, size_t *cap,
		      uint64_t s, uint64_t e, bool coalesce)
{
	struct udamon_range *t;

	if (coalesce && *nr && (*a)[*nr - 1].end == s) {	/* coalesce */
		(*a)[*nr - 1].end = e;
		return 0;
	}
	if (*nr == *cap) {
		*cap = *cap ? *cap * 2 : 16;
		t = realloc(*a, *cap * sizeof(*t));
		if (!t)
			return -ENOMEM;
		*a = t;
	}
	(*a)[*nr].start = s;
	(*a)[*nr].end = e;
	(*nr)++;
	return 0;
}

/* Arm the parts of [s, e) not covered by the old spans; *k walks them. */
static void arm_gaps(struct udamon_uffd_wp *w, uint64_t s, uint64_t e,
		     size_t *k)
{
	const struct udamon_range *old = w->spans;
	uint64_t pos = s;
	size_t i;
	int ret;

	if (w->register_only)
		return;

	while (*k < w->nr_spans && old[*k].end <= s)
		(*k)++;
	for (i = *k; i < w->nr_spans && old[i].start < e && pos < e; i++) {
		if (old[i].start > pos) {
			ret = udamon_uffd_wp_arm(w, pos, old[i].start);
			if (ret)
				warnf(w, "process %d: cannot write-protect %#llx-%#llx: %s",
				      w->pid, (unsigned long long)pos,
				      (unsigned long long)old[i].start,
				      strerror(-ret));
		}
		if (old[i].end > pos)
			pos = old[i].end;
	}
	if (pos < e) {
		ret = udamon_uffd_wp_arm(w, pos, e);
		if (ret)
			warnf(w, "process %d: cannot write-protect %#llx-%#llx: %s",
			      w->pid, (unsigned long long)pos,
			      (unsigned long long)e, strerror(-ret));
	}
}

/* Is [s, e) inside the old spans? */
bool udamon_uffd_wp_covers(const struct udamon_uffd_wp *w, uint64_t s,
			   uint64_t e)
{
	size_t lo = 0, hi = w->nr_spans;

	while (lo < hi) {
		size_t mid = (lo + hi) / 2;

		if (w->spans[mid].end <= s)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < w->nr_spans && w->spans[lo].start <= s &&
	       w->spans[lo].end >= e;
}

int udamon_uffd_wp_sync(struct udamon_uffd_wp *w,
			const struct udamon_range *maps, const char *const *names,
			size_t nr)
{
	struct udamon_range *spans = NULL, *skipped = NULL;
	size_t nr_spans = 0, cap = 0, nr_sk = 0, cap_sk = 0, i, k = 0;
	int ret = 0, added = 0;

	for (i = 0; i < nr && !ret; i++) {
		uint64_t s = maps[i].start, e = maps[i].end;
		const char *name = names && names[i] && names[i][0] ?
				   names[i] : "[anon]";
		int r;

		if (s >= e)
			continue;
		if (is_skipped(w, s, e)) {
			ret = push_range(&skipped, &nr_sk, &cap_sk, s, e, false);
			continue;
		}
		if (udamon_uffd_wp_covers(w, s, e)) {
			ret = push_range(&spans, &nr_spans, &cap, s, e, true);
			continue;
		}
		r = udamon_uffd_wp_register(w, s, e);
		if (r && !udamon_uffd_wp_mm_alive(w)) {
			ret = -ESRCH;	/* a new program replaced the memory */
			break;
		}
		if (r) {
			warnf(w, "process %d: mapping %#llx-%#llx %s is not monitored: %s%s",
			      w->pid, (unsigned long long)s,
			      (unsigned long long)e, name, strerror(-r),
			      r == -EBUSY ? " (the process uses userfaultfd on it itself)" : "");
			/* Skip it from now on, unless it changes. */
			ret = push_range(&skipped, &nr_sk, &cap_sk, s, e, false);
			continue;
		}
		arm_gaps(w, s, e, &k);
		added++;
		ret = push_range(&spans, &nr_spans, &cap, s, e, true);
	}
	if (ret) {
		free(spans);
		free(skipped);
		return ret;
	}
	free(w->spans);
	free(w->skipped);
	w->spans = spans;
	w->nr_spans = nr_spans;
	w->skipped = skipped;
	w->nr_skipped = nr_sk;
	w->stale = false;
	return added;
}

/* ---- harvest ------------------------------------------------------------ */

static int emit(struct udamon_uffd_wp *w, size_t n, long *pages,
		udamon_uffd_wp_written_fn fn, void *data)
{
	size_t i;
	int stop = 0;

	for (i = 0; i < n; i++) {
		struct page_region *p = &w->vec[i];

		*pages += (p->end - p->start) / PAGE_SZ;
		if (!stop && fn)
			stop = fn(p->start, p->end, data);
	}
	memset(w->vec, 0, n * sizeof(*w->vec));
	return stop;
}

long udamon_uffd_wp_scan(struct udamon_uffd_wp *w, uint64_t start,
			 uint64_t end, udamon_uffd_wp_written_fn fn, void *data)
{
	struct pm_scan_arg arg = {
		.size = sizeof(arg),
		.flags = PM_SCAN_WP_MATCHING | PM_SCAN_CHECK_WPASYNC,
		.vec = (uint64_t)(uintptr_t)w->vec,
		.vec_len = VEC_LEN,
		/*
		 * Written, and not the shared zero page (reads map it). The
		 * kernel counts holes without a marker as written too: only
		 * pages that exist (present or swapped) can have been.
		 */
		.category_mask = PAGE_IS_WRITTEN | PAGE_IS_PFNZERO,
		.category_inverted = PAGE_IS_PFNZERO,
		.category_anyof_mask = PAGE_IS_PRESENT | PAGE_IS_SWAPPED,
		.return_mask = PAGE_IS_WRITTEN,
	};
	long pages = 0;
	int n;

	while (start < end) {
		arg.start = start;
		arg.end = end;
		arg.walk_end = 0;
		n = scan_call(w, &arg);
		if (n < 0) {
			size_t got = 0;

			/* What was found before the failure is in vec. */
			while (got < VEC_LEN && w->vec[got].end)
				got++;
			emit(w, got, &pages, fn, data);
			w->st.nr_written_pages += pages;
			return n;
		}
		if (emit(w, (size_t)n, &pages, fn, data))
			break;
		if (n < VEC_LEN || arg.walk_end <= start)
			break;
		start = arg.walk_end;
	}
	w->st.nr_written_pages += pages;
	return pages;
}

long udamon_uffd_wp_harvest(struct udamon_uffd_wp *w,
			    udamon_uffd_wp_written_fn fn, void *data)
{
	long total = 0, n;
	size_t i, j = 0;

	for (i = 0; i < w->nr_spans; i++) {
		n = udamon_uffd_wp_scan(w, w->spans[i].start, w->spans[i].end,
					fn, data);
		if (n == -EPERM || n == -ENOENT) {
			/* Remapped under us: drop it until the next sync. */
			w->stale = true;
			w->st.nr_resyncs++;
			continue;
		}
		if (n < 0)
			return n;
		total += n;
		w->spans[j++] = w->spans[i];
	}
	w->nr_spans = j;
	return total;
}

bool udamon_uffd_wp_mm_alive(const struct udamon_uffd_wp *w)
{
	uint64_t entry;

	/* pagemap holds the mm it was opened on: it reads empty once gone. */
	return pread(w->pagemap, &entry, sizeof(entry), 0) == sizeof(entry);
}

/* The registered span holding addr, or NULL. */
static const struct udamon_range *span_of(const struct udamon_uffd_wp *w,
					  uint64_t addr)
{
	size_t lo = 0, hi = w->nr_spans;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (addr < w->spans[mid].start)
			hi = mid;
		else if (addr >= w->spans[mid].end)
			lo = mid + 1;
		else
			return &w->spans[mid];
	}
	return NULL;
}

/* UFFDIO_WRITEPROTECT of [start, end), on or off. */
int udamon_uffd_wp_protect(struct udamon_uffd_wp *w, uint64_t start,
			   uint64_t end, bool on)
{
	struct uffdio_writeprotect wp = {
		.range = { .start = start, .len = end - start },
		.mode = on ? UFFDIO_WRITEPROTECT_MODE_WP : 0,
	};

	w->st.nr_protects++;
	for (;;) {
		if (ioctl(w->uffd, UFFDIO_WRITEPROTECT, &wp) == 0)
			return 0;
		if (errno != EAGAIN && errno != EINTR)
			return -errno;
	}
}

/*
 * Categories of [start, end) as UDAMON_WP_* bits: WRITTEN when a page
 * that exists (or, with holes, a hole without a marker) was written since
 * it was armed, HUGE when the range lies in one PMD-mapped huge page. A
 * query only reads page tables: no page-table change, no TLB flush.
 */
static int query(struct udamon_uffd_wp *w, uint64_t start, uint64_t end,
		 bool holes)
{
	struct page_region v[8];
	struct pm_scan_arg arg = {
		.size = sizeof(arg),
		.vec = (uint64_t)(uintptr_t)v,
		.vec_len = 8,
		/* not the shared zero page (reads map it) */
		.category_mask = PAGE_IS_PFNZERO,
		.category_inverted = PAGE_IS_PFNZERO,
		/* the kernel counts holes without a marker as written */
		.category_anyof_mask = holes ? 0 :
				       PAGE_IS_PRESENT | PAGE_IS_SWAPPED,
		.return_mask = PAGE_IS_WRITTEN | PAGE_IS_HUGE |
			       PAGE_IS_PRESENT | PAGE_IS_SWAPPED,
	};
	uint64_t pos = start;
	int n, i, ret = 0;

	while (pos < end && !(ret & UDAMON_WP_WRITTEN)) {
		arg.start = pos;
		arg.end = end;
		arg.walk_end = 0;
		n = scan_call(w, &arg);
		if (n < 0)
			return n;
		for (i = 0; i < n; i++) {
			if (v[i].categories & PAGE_IS_WRITTEN)
				ret |= UDAMON_WP_WRITTEN;
			if ((v[i].categories & PAGE_IS_HUGE) &&
			    v[i].start == start && v[i].end == end)
				ret |= UDAMON_WP_HUGE;
			if (!(v[i].categories &
			      (PAGE_IS_PRESENT | PAGE_IS_SWAPPED)))
				ret |= UDAMON_WP_HOLE;
		}
		if (n < 8 || arg.walk_end <= pos)
			break;
		pos = arg.walk_end;
	}
	return ret;
}

static int remapped(struct udamon_uffd_wp *w, int ret)
{
	if (ret != -EPERM && ret != -ENOENT)
		return ret;
	/* remapped under us: the next sync registers it again */
	w->stale = true;
	return 0;
}

/*
 * May a marker's page table go under page? Not where its whole 2 MiB
 * lies in the mapping and holds no page yet: the kernel may still make a
 * huge page there, and a page table would keep it from ever doing so.
 */
static bool populated_near(struct udamon_uffd_wp *w, uint64_t page)
{
	const struct udamon_range *span = span_of(w, page);
	uint64_t s = page & ~(HUGE_SZ - 1), e = s + HUGE_SZ;
	struct page_region v;
	struct pm_scan_arg arg = {
		.size = sizeof(arg),
		.vec = (uint64_t)(uintptr_t)&v,
		.vec_len = 1,
		.category_anyof_mask = PAGE_IS_PRESENT | PAGE_IS_SWAPPED,
	};

	if (s < span->start || e > span->end)
		return true;
	arg.start = s;
	arg.end = e;
	return scan_call(w, &arg) > 0;
}

int udamon_uffd_wp_page(struct udamon_uffd_wp *w, uint64_t addr, bool rearm)
{
	uint64_t page = addr & ~(PAGE_SZ - 1);
	const struct udamon_range *span = span_of(w, page);
	bool holes;
	int ret;

	/* unregistered memory reads as written: never ask about it */
	if (!span)
		return 0;
	/*
	 * Re-arming a page never touched installs a marker, so that a first
	 * read of it does not later read as a write (a read maps a page that
	 * is not write-protected otherwise). That may allocate a page table:
	 * only in spans small enough to arm whole (as udamon_uffd_wp_arm).
	 */
	holes = rearm && span->end - span->start <= ARM_WP_MAX;
	ret = query(w, page, page + PAGE_SZ, holes);
	if (ret < 0)
		return remapped(w, ret);
	/*
	 * The marker needs a page table: where the whole 2 MiB around the
	 * hole is still empty, that would keep the kernel from ever making a
	 * huge page there. Leave such a hole alone.
	 */
	if ((ret & UDAMON_WP_HOLE) && !populated_near(w, page))
		return 0;
	ret &= ~UDAMON_WP_HOLE;
	if (ret & UDAMON_WP_WRITTEN)
		w->st.nr_written_pages++;
	/*
	 * Arming one page of a PMD-mapped huge page would split it: the
	 * caller decides. Otherwise only a written page is armed again, with
	 * UFFDIO_WRITEPROTECT, which flushes the TLB after it has let go of
	 * the page table lock (PAGEMAP_SCAN's re-arm flushes while holding
	 * it, and the target's faults in the same 2 MiB wait for the IPIs).
	 */
	if (rearm && ret == UDAMON_WP_WRITTEN) {
		int r = udamon_uffd_wp_protect(w, page, page + PAGE_SZ, true);

		if (r < 0)
			return remapped(w, r);
	}
	return ret;
}

int udamon_uffd_wp_unit(struct udamon_uffd_wp *w, uint64_t start,
			uint64_t end, bool rearm)
{
	int ret;

	if (!udamon_uffd_wp_covers(w, start, end))
		return 0;
	ret = query(w, start, end, false);
	if (ret < 0)
		return remapped(w, ret);
	if (rearm && ret == (UDAMON_WP_WRITTEN | UDAMON_WP_HUGE)) {
		int r = udamon_uffd_wp_protect(w, start, end, true);

		if (r < 0)
			return remapped(w, r);
	}
	return ret;
}

void udamon_uffd_wp_set_register_only(struct udamon_uffd_wp *w, bool on)
{
	w->register_only = on;
}

bool udamon_uffd_wp_stale(const struct udamon_uffd_wp *w)
{
	return w->stale;
}

const struct udamon_range *udamon_uffd_wp_spans(const struct udamon_uffd_wp *w,
						size_t *nr)
{
	*nr = w->nr_spans;
	return w->spans;
}

void udamon_uffd_wp_get_stats(const struct udamon_uffd_wp *w,
			      struct udamon_uffd_wp_stats *st)
{
	size_t i;

	*st = w->st;
	st->registered_bytes = 0;
	for (i = 0; i < w->nr_spans; i++)
		st->registered_bytes += w->spans[i].end - w->spans[i].start;
}

/* ---- probe --------------------------------------------------------------- */

int udamon_uffd_wp_probe(char *err, size_t errlen)
{
	struct uffdio_api api = { .api = UFFD_API, .features = 0 };
	struct pm_scan_arg arg = { .size = sizeof(arg) };
	static const char page[PAGE_SZ] __attribute__((aligned(4096)));
	int fd, pm, e;
	long n;

	fd = (int)syscall(SYS_userfaultfd, O_CLOEXEC | UFFD_USER_MODE_ONLY);
	if (fd < 0) {
		e = errno;
		snprintf(err, errlen,
			 "userfaultfd is not available: %s (needs CONFIG_USERFAULTFD; write-only monitoring needs Linux 6.7)",
			 strerror(e));
		return e == ENOSYS ? -ENOTSUP : -e;
	}
	/* features = 0 asks the kernel for everything it supports. */
	if (ioctl(fd, UFFDIO_API, &api) < 0) {
		e = errno;
		close(fd);
		snprintf(err, errlen, "UFFDIO_API failed: %s", strerror(e));
		return -e;
	}
	close(fd);
	if (!(api.features & UFFD_FEATURE_WP_ASYNC)) {
		snprintf(err, errlen,
			 "this kernel lacks UFFD_FEATURE_WP_ASYNC (async userfaultfd write-protect); Linux 6.7 has it");
		return -ENOTSUP;
	}
	if (!(api.features & UFFD_FEATURE_WP_UNPOPULATED)) {
		snprintf(err, errlen,
			 "this kernel lacks UFFD_FEATURE_WP_UNPOPULATED; Linux 6.7 has it");
		return -ENOTSUP;
	}
	pm = open("/proc/self/pagemap", O_RDONLY | O_CLOEXEC);
	if (pm < 0) {
		e = errno;
		snprintf(err, errlen, "cannot open /proc/self/pagemap: %s",
			 strerror(e));
		return -e;
	}
	arg.start = (uint64_t)(uintptr_t)page;
	arg.end = arg.start + PAGE_SZ;
	arg.category_mask = PAGE_IS_PRESENT;
	n = ioctl(pm, PAGEMAP_SCAN, &arg);
	e = errno;
	close(pm);
	if (n < 0) {
		snprintf(err, errlen,
			 "this kernel lacks the PAGEMAP_SCAN ioctl on /proc/PID/pagemap (%s); Linux 6.7 has it",
			 strerror(e));
		return -ENOTSUP;
	}
	return 0;
}
