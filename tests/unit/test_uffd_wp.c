// SPDX-License-Identifier: MIT
/*
 * uffd async write-protect against a forked child whose every write and
 * read is commanded by the test: the harvest must return exactly the pages
 * written since the last harvest, never a read one; the child's own data
 * checks must pass; a monitor killed with SIGKILL must leave the target
 * running, its data intact and no uffd-wp registration behind.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <linux/filter.h>
#include <linux/seccomp.h>
#include <sys/prctl.h>

#include "udamon/ops.h"
#include "ops/maps.h"
#include "primitives/compat.h"
#include "primitives/fault_events.h"
#include "primitives/procfs.h"
#include "primitives/uffd_wp.h"

#define PG		4096UL
#define NPAGES		256UL
#define BIG		(2UL << 30)	/* armed by populated pages only */

/* ---- the commanded child ---------------------------------------------- */

struct cmd {
	char op;		/* W write, R read, M remap, U own uffd, Q quit */
	uint64_t addr;
	uint64_t len;
};

struct child {
	pid_t pid;
	int pidfd;
	int to, from;
};

static uint64_t word_for(uint64_t addr, unsigned int gen)
{
	return addr * 2654435761ULL + gen;
}

/* Written pages and their generation, to check at the end (child side). */
static uint64_t written_addr[4096];
static unsigned int written_gen[4096];
static size_t nr_written;

static void child_write(uint64_t addr, uint64_t len)
{
	static unsigned int gen;
	uint64_t a;

	gen++;
	for (a = addr; a < addr + len; a += PG) {
		uint64_t *p = (uint64_t *)a;
		size_t w, i;

		for (w = 0; w < PG / 8; w++)
			p[w] = word_for(a + w * 8, gen);
		for (i = 0; i < nr_written && written_addr[i] != a; i++)
			;
		if (i == nr_written && nr_written < 4096)
			nr_written++;
		written_addr[i] = a;
		written_gen[i] = gen;
	}
}

static int child_verify(void)
{
	size_t i, w;

	for (i = 0; i < nr_written; i++) {
		const uint64_t *p = (const uint64_t *)written_addr[i];

		for (w = 0; w < PG / 8; w++)
			if (p[w] != word_for(written_addr[i] + w * 8,
					     written_gen[i]))
				return 1;
	}
	return 0;
}

static void child_main(int in, int out)
{
	volatile uint64_t sink = 0;
	struct cmd c;

	while (read(in, &c, sizeof(c)) == sizeof(c)) {
		uint64_t a;

		switch (c.op) {
		case 'W':
			child_write(c.addr, c.len);
			break;
		case 'R':
			for (a = c.addr; a < c.addr + c.len; a += 64)
				sink += *(volatile uint64_t *)a;
			break;
		case 'M':	/* replace the mapping under the monitor */
			if (mmap((void *)c.addr, c.len, PROT_READ | PROT_WRITE,
				 MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1,
				 0) == MAP_FAILED)
				_exit(10);
			for (size_t i = 0; i < nr_written; i++)
				if (written_addr[i] >= c.addr &&
				    written_addr[i] < c.addr + c.len)
					written_addr[i] = written_addr[--nr_written],
					written_gen[i] = written_gen[nr_written], i--;
			break;
		case 'U': {	/* the target's own userfaultfd on [addr, +len) */
			int fd = (int)syscall(SYS_userfaultfd, O_CLOEXEC);
			struct uffdio_api api = { .api = UFFD_API };
			struct uffdio_register reg = {
				.range = { c.addr, c.len },
				.mode = UFFDIO_REGISTER_MODE_MISSING,
			};

			if (fd < 0 || ioctl(fd, UFFDIO_API, &api) ||
			    ioctl(fd, UFFDIO_REGISTER, &reg))
				_exit(11);
			break;
		}
		case 'Q':
			_exit(child_verify());
		}
		if (write(out, "k", 1) != 1)
			_exit(12);
	}
	_exit(13);
}

static void start_child(struct child *ch)
{
	int a[2], b[2];

	assert_int_equal(pipe(a), 0);
	assert_int_equal(pipe(b), 0);
	ch->pid = fork();
	assert_true(ch->pid >= 0);
	if (ch->pid == 0) {
		close(a[1]);
		close(b[0]);
		child_main(a[0], b[1]);
	}
	close(a[0]);
	close(b[1]);
	ch->to = a[1];
	ch->from = b[0];
	ch->pidfd = (int)syscall(SYS_pidfd_open, ch->pid, 0);
	assert_true(ch->pidfd >= 0);
}

static void command(struct child *ch, char op, uint64_t addr, uint64_t len)
{
	struct cmd c = { op, addr, len };
	char k;

	assert_int_equal(write(ch->to, &c, sizeof(c)), sizeof(c));
	assert_int_equal(read(ch->from, &k, 1), 1);
}

static int stop_child(struct child *ch)
{
	struct cmd c = { 'Q', 0, 0 };
	int st = -1;

	assert_int_equal(write(ch->to, &c, sizeof(c)), sizeof(c));
	assert_int_equal(waitpid(ch->pid, &st, 0), ch->pid);
	close(ch->to);
	close(ch->from);
	close(ch->pidfd);
	return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}

/* ---- harvest into a page bitmap ---------------------------------------- */

struct seen {
	uint64_t base;
	uint64_t npages;
	unsigned char *hit;
	size_t nr_ranges;
	size_t outside;
};

static int on_written(uint64_t s, uint64_t e, void *data)
{
	struct seen *sn = data;
	uint64_t a;

	sn->nr_ranges++;
	for (a = s; a < e; a += PG) {
		if (a < sn->base || a >= sn->base + sn->npages * PG)
			sn->outside++;
		else
			sn->hit[(a - sn->base) / PG]++;
	}
	return 0;
}

static long harvest(struct udamon_uffd_wp *w, struct seen *sn)
{
	memset(sn->hit, 0, sn->npages);
	sn->nr_ranges = 0;
	sn->outside = 0;
	return udamon_uffd_wp_harvest(w, on_written, sn);
}

static void expect_pages(const struct seen *sn, const uint64_t *pages,
			 size_t nr)
{
	uint64_t i;
	size_t k;

	for (i = 0; i < sn->npages; i++) {
		bool want = false;

		for (k = 0; k < nr; k++)
			want |= pages[k] == i;
		if ((sn->hit[i] != 0) != want)
			fail_msg("page %llu: harvest says %s, truth is %s",
				 (unsigned long long)i,
				 sn->hit[i] ? "written" : "clean",
				 want ? "written" : "clean");
	}
	assert_int_equal(sn->outside, 0);
}

static void *map_region(size_t len, bool populate)
{
	void *p = mmap(NULL, len, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);

	assert_true(p != MAP_FAILED);
	if (populate)
		memset(p, 0x5a, len);
	return p;
}

static int skip_unless_supported(void)
{
	char err[256];

	if (udamon_uffd_wp_probe(err, sizeof(err))) {
		print_message("skipped: %s\n", err);
		return 1;
	}
	return 0;
}

/*
 * A child target whose [base, base + len) is registered and armed through
 * w; sn sees npages from base (none where npages is 0).
 */
struct watch {
	struct child ch;
	struct udamon_uffd_wp *w;
	struct udamon_range r;
	struct seen sn;
};

static void watch_start(struct watch *wt, uint64_t base, uint64_t len,
			uint64_t npages)
{
	char err[512];

	start_child(&wt->ch);
	assert_int_equal(udamon_uffd_wp_open(wt->ch.pid, wt->ch.pidfd, &wt->w,
					     err, sizeof(err)), 0);
	wt->r.start = base;
	wt->r.end = base + len;
	assert_int_equal(udamon_uffd_wp_sync(wt->w, &wt->r, NULL, 1), 1);
	memset(&wt->sn, 0, sizeof(wt->sn));
	wt->sn.base = base;
	wt->sn.npages = npages;
	if (npages) {
		wt->sn.hit = calloc(npages, 1);
		assert_non_null(wt->sn.hit);
	}
}

/* Close w, stop the child (its data checks must pass) and unmap. */
static void watch_stop(struct watch *wt)
{
	udamon_uffd_wp_close(wt->w);
	assert_int_equal(stop_child(&wt->ch), 0);
	free(wt->sn.hit);
	munmap((void *)(uintptr_t)wt->r.start, wt->r.end - wt->r.start);
}

/* ---- tests ---------------------------------------------------------------- */

static void test_harvest_exact(void **state)
{
	uint64_t base, w1[] = { 3, 4, 5, 100, 255 }, w2[] = { 3 },
		 w3[] = { 200, 201 };
	struct watch wt;

	(void)state;
	if (skip_unless_supported())
		skip();
	/* half populated before the fork, half never touched */
	base = (uint64_t)(uintptr_t)map_region(NPAGES * PG, false);
	memset((void *)base, 0x11, NPAGES / 2 * PG);
	watch_start(&wt, base, NPAGES * PG, NPAGES);

	assert_int_equal(harvest(wt.w, &wt.sn), 0);	/* armed: nothing yet */

	command(&wt.ch, 'W', base + 3 * PG, 3 * PG);
	command(&wt.ch, 'W', base + 100 * PG, PG);
	command(&wt.ch, 'W', base + 255 * PG, PG);
	command(&wt.ch, 'R', base + 10 * PG, 2 * PG);	/* populated: read */
	command(&wt.ch, 'R', base + 200 * PG, 2 * PG);	/* never touched */
	assert_int_equal(harvest(wt.w, &wt.sn), 5);
	expect_pages(&wt.sn, w1, 5);
	assert_int_equal(wt.sn.nr_ranges, 3);	/* 3-5, 100, 255 */

	assert_int_equal(harvest(wt.w, &wt.sn), 0);	/* re-armed by the harvest */
	command(&wt.ch, 'W', base + 3 * PG, PG);
	assert_int_equal(harvest(wt.w, &wt.sn), 1);
	expect_pages(&wt.sn, w2, 1);
	/* pages first read (zero page), then written */
	command(&wt.ch, 'W', base + 200 * PG, 2 * PG);
	assert_int_equal(harvest(wt.w, &wt.sn), 2);
	expect_pages(&wt.sn, w3, 2);

	watch_stop(&wt);
}

/*
 * One-page checks, as vaddr uses them (register only, arm sampling pages):
 * a page registered but never armed reads as written; a re-armed page
 * reads clean until the target writes it; reads and holes never count;
 * nothing outside the registered spans is ever reported.
 */
static void test_page_checks(void **state)
{
	uint64_t base, p3, p200;
	struct child ch;
	struct udamon_uffd_wp *w;
	struct udamon_range r;
	char err[512];

	(void)state;
	if (skip_unless_supported())
		skip();
	base = (uint64_t)(uintptr_t)map_region(NPAGES * PG, false);
	memset((void *)base, 0x11, NPAGES / 2 * PG);	/* first half present */
	p3 = base + 3 * PG;
	p200 = base + 200 * PG;
	start_child(&ch);
	assert_int_equal(udamon_uffd_wp_open(ch.pid, ch.pidfd, &w, err,
					     sizeof(err)), 0);
	udamon_uffd_wp_set_register_only(w, true);
	r.start = base;
	r.end = base + NPAGES * PG;
	assert_int_equal(udamon_uffd_wp_sync(w, &r, NULL, 1), 1);

	assert_int_equal(udamon_uffd_wp_page(w, p3, false), 1);	/* never armed */
	assert_int_equal(udamon_uffd_wp_page(w, p3, true), 1);	/* ... re-armed */
	assert_int_equal(udamon_uffd_wp_page(w, p3, false), 0);
	command(&ch, 'R', p3, PG);
	assert_int_equal(udamon_uffd_wp_page(w, p3 + 100, false), 0);
	command(&ch, 'W', p3, PG);
	assert_int_equal(udamon_uffd_wp_page(w, p3 + 100, false), 1);
	assert_int_equal(udamon_uffd_wp_page(w, p3 + PG, true), 1);	/* p4 */
	assert_int_equal(udamon_uffd_wp_page(w, p3 + PG, false), 0);

	assert_int_equal(udamon_uffd_wp_page(w, p200, false), 0);	/* hole */
	/* a hole that was never re-armed: a first read maps a page that is
	 * not write-protected, so it would read as written */
	assert_int_equal(udamon_uffd_wp_page(w, p200, true), 1);	/* marker */
	assert_int_equal(udamon_uffd_wp_page(w, p200, false), 0);
	command(&ch, 'R', p200, PG);			/* a first read */
	assert_int_equal(udamon_uffd_wp_page(w, p200, false), 0);
	command(&ch, 'W', p200, PG);
	assert_int_equal(udamon_uffd_wp_page(w, p200, false), 1);

	/* outside the registered span, written or not: never reported */
	assert_int_equal(udamon_uffd_wp_page(w, base - PG, false), 0);
	assert_int_equal(udamon_uffd_wp_page(w, r.end, true), 0);

	udamon_uffd_wp_close(w);
	assert_int_equal(stop_child(&ch), 0);
	munmap((void *)(uintptr_t)base, NPAGES * PG);
}

/* Many rounds of random writes: each harvest equals the truth exactly. */
static void test_harvest_random_rounds(void **state)
{
	uint64_t base, want[NPAGES];
	struct watch wt;
	unsigned int seed = 12345;
	int round;

	(void)state;
	if (skip_unless_supported())
		skip();
	base = (uint64_t)(uintptr_t)map_region(NPAGES * PG, false);
	watch_start(&wt, base, NPAGES * PG, NPAGES);
	for (round = 0; round < 200; round++) {
		size_t n = 0, k, nr = rand_r(&seed) % 12;
		unsigned char mark[NPAGES] = { 0 };

		for (k = 0; k < nr; k++) {
			uint64_t pg = rand_r(&seed) % NPAGES;
			uint64_t len = 1 + rand_r(&seed) % 3;

			if (pg + len > NPAGES)
				len = NPAGES - pg;
			if (rand_r(&seed) % 4 == 0) {
				command(&wt.ch, 'R', base + pg * PG, len * PG);
				continue;
			}
			command(&wt.ch, 'W', base + pg * PG, len * PG);
			while (len--)
				mark[pg + len] = 1;
		}
		for (k = 0; k < NPAGES; k++)
			if (mark[k])
				want[n++] = k;
		assert_int_equal(harvest(wt.w, &wt.sn), (long)n);
		expect_pages(&wt.sn, want, n);
	}
	watch_stop(&wt);
}

static void test_big_mapping_populated_arm(void **state)
{
	uint64_t base, want[] = { 0, 7, 300 };
	struct watch wt;

	(void)state;
	if (skip_unless_supported())
		skip();
	base = (uint64_t)(uintptr_t)map_region(BIG, false);
	memset((void *)base, 1, 8 * PG);	/* pages 0-7 populated */
	watch_start(&wt, base, BIG, 512);
	assert_int_equal(harvest(wt.w, &wt.sn), 0);
	command(&wt.ch, 'W', base, PG);		/* populated, armed */
	command(&wt.ch, 'W', base + 7 * PG, PG);
	command(&wt.ch, 'R', base + 301 * PG, PG);	/* unpopulated read */
	command(&wt.ch, 'W', base + 300 * PG, PG);	/* unpopulated write */
	assert_int_equal(harvest(wt.w, &wt.sn), 3);
	expect_pages(&wt.sn, want, 3);
	assert_int_equal(harvest(wt.w, &wt.sn), 0);
	watch_stop(&wt);
}

static void test_remap_and_resync(void **state)
{
	uint64_t base, want[] = { 64, 65 };
	struct watch wt;

	(void)state;
	if (skip_unless_supported())
		skip();
	base = (uint64_t)(uintptr_t)map_region(NPAGES * PG, true);
	watch_start(&wt, base, NPAGES * PG, NPAGES);
	assert_int_equal(harvest(wt.w, &wt.sn), 0);
	/* the target replaces pages 64-127 with a fresh, unregistered map */
	command(&wt.ch, 'M', base + 64 * PG, 64 * PG);
	command(&wt.ch, 'W', base + 64 * PG, 2 * PG);
	harvest(wt.w, &wt.sn);
	assert_true(udamon_uffd_wp_stale(wt.w));
	/* the mapping still covers the range: a sync registers it again */
	assert_true(udamon_uffd_wp_sync(wt.w, &wt.r, NULL, 1) >= 0);
	assert_false(udamon_uffd_wp_stale(wt.w));
	command(&wt.ch, 'W', base + 64 * PG, 2 * PG);
	assert_int_equal(harvest(wt.w, &wt.sn), 2);
	expect_pages(&wt.sn, want, 2);
	watch_stop(&wt);
}

static int nr_warnings;
static char last_warning[512];

static void on_warn(const char *msg, void *data)
{
	(void)data;
	nr_warnings++;
	snprintf(last_warning, sizeof(last_warning), "%s", msg);
}

static void test_ebusy_warns_once(void **state)
{
	uint64_t a, b;
	struct udamon_range r[2];
	const char *names[2] = { "mine", "theirs" };
	struct udamon_uffd_wp *w;
	struct child ch;
	char err[512];

	(void)state;
	if (skip_unless_supported())
		skip();
	a = (uint64_t)(uintptr_t)map_region(16 * PG, true);
	b = (uint64_t)(uintptr_t)map_region(16 * PG, false);
	start_child(&ch);
	command(&ch, 'U', b, 16 * PG);	/* the target's own uffd */
	assert_int_equal(udamon_uffd_wp_open(ch.pid, ch.pidfd, &w, err,
					     sizeof(err)), 0);
	udamon_uffd_wp_set_warn(w, on_warn, NULL);
	r[0].start = a < b ? a : b;
	r[0].end = r[0].start + 16 * PG;
	r[1].start = a < b ? b : a;
	r[1].end = r[1].start + 16 * PG;
	if (a > b) {
		names[0] = "theirs";
		names[1] = "mine";
	}
	nr_warnings = 0;
	assert_int_equal(udamon_uffd_wp_sync(w, r, names, 2), 1);
	assert_int_equal(nr_warnings, 1);
	assert_non_null(strstr(last_warning, "theirs"));
	assert_non_null(strstr(last_warning, "userfaultfd"));
	assert_int_equal(udamon_uffd_wp_sync(w, r, names, 2), 0);
	assert_int_equal(nr_warnings, 1);	/* once */
	udamon_uffd_wp_close(w);
	assert_int_equal(stop_child(&ch), 0);
	munmap((void *)a, 16 * PG);
	munmap((void *)b, 16 * PG);
}

/* VmFlags of the smaps entry starting at addr contain "uw"? -1: not found */
static int has_uw(pid_t pid, uint64_t addr)
{
	char path[64], line[1024], head[32];
	bool in = false;
	FILE *f;
	int ret = -1;

	snprintf(path, sizeof(path), "/proc/%d/smaps", pid);
	snprintf(head, sizeof(head), "%llx-", (unsigned long long)addr);
	f = fopen(path, "r");
	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f)) {
		if (!strncmp(line, head, strlen(head)))
			in = true;
		else if (in && !strncmp(line, "VmFlags:", 8)) {
			ret = strstr(line, " uw") != NULL;
			break;
		}
	}
	fclose(f);
	return ret;
}

static void test_monitor_sigkill_leaves_target_intact(void **state)
{
	uint64_t base;
	struct child ch;
	int ready[2], st;
	pid_t mon;
	char k;

	(void)state;
	if (skip_unless_supported())
		skip();
	base = (uint64_t)(uintptr_t)map_region(NPAGES * PG, true);
	start_child(&ch);
	assert_int_equal(pipe(ready), 0);
	mon = fork();
	assert_true(mon >= 0);
	if (mon == 0) {
		struct udamon_uffd_wp *w;
		struct udamon_range r = { base, base + NPAGES * PG };
		char err[512];

		close(ready[0]);
		if (udamon_uffd_wp_open(ch.pid, ch.pidfd, &w, err, sizeof(err)) ||
		    udamon_uffd_wp_sync(w, &r, NULL, 1) != 1)
			_exit(1);
		if (write(ready[1], "r", 1) != 1)
			_exit(2);
		for (;;) {
			udamon_uffd_wp_harvest(w, NULL, NULL);
			usleep(1000);
		}
	}
	close(ready[1]);
	assert_int_equal(read(ready[0], &k, 1), 1);
	close(ready[0]);
	command(&ch, 'W', base, 32 * PG);
	assert_int_equal(has_uw(ch.pid, base), 1);
	assert_int_equal(kill(mon, SIGKILL), 0);
	assert_int_equal(waitpid(mon, &st, 0), mon);
	assert_true(WIFSIGNALED(st));
	/* the registration died with the monitor's uffd */
	assert_int_equal(has_uw(ch.pid, base), 0);
	command(&ch, 'W', base, NPAGES * PG);
	command(&ch, 'R', base, NPAGES * PG);
	assert_int_equal(stop_child(&ch), 0);	/* its data checks pass */
	munmap((void *)base, NPAGES * PG);
}

static void test_cost_steal_and_harvest(void **state)
{
	const size_t len = 64UL << 20;
	struct udamon_uffd_wp_stats st;
	struct watch wt;
	struct timespec t0, t1;
	uint64_t base;
	long n;

	(void)state;
	if (skip_unless_supported())
		skip();
	base = (uint64_t)(uintptr_t)map_region(len, true);
	watch_start(&wt, base, len, 0);
	command(&wt.ch, 'W', base, 4096 * PG);	/* 16 MiB written */
	clock_gettime(CLOCK_MONOTONIC, &t0);
	n = udamon_uffd_wp_harvest(wt.w, NULL, NULL);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	assert_int_equal(n, 4096);
	udamon_uffd_wp_get_stats(wt.w, &st);
	print_message("steal %.3f ms; harvest of 64 MiB with 16 MiB written %.3f ms\n",
		      st.steal_ns / 1e6,
		      (t1.tv_sec - t0.tv_sec) * 1e3 + (t1.tv_nsec - t0.tv_nsec) / 1e6);
	watch_stop(&wt);
}

static void test_probe_and_errors(void **state)
{
	struct udamon_uffd_wp *w = NULL;
	char err[512] = "";
	pid_t p;
	int pidfd, st;

	(void)state;
	assert_int_equal(udamon_uffd_wp_probe(err, sizeof(err)), 0);
	/* a process that is gone: clear error, nothing leaked */
	p = fork();
	if (p == 0)
		_exit(0);
	pidfd = (int)syscall(SYS_pidfd_open, p, 0);
	assert_int_equal(waitpid(p, &st, 0), p);
	assert_true(udamon_uffd_wp_open(p, pidfd, &w, err, sizeof(err)) < 0);
	assert_null(w);
	assert_true(err[0] != 0);
	close(pidfd);
}

/* ---- the vaddr operations set end to end, on wl_ranges ------------------- */

struct wl {
	pid_t pid;
	char dir[64];
	uint64_t w[2], r[2], i[2];
};

static int wl_path(char *buf, size_t len)
{
	char exe[512];
	ssize_t n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	char *slash;

	if (n <= 0)
		return -1;
	exe[n] = 0;
	slash = strrchr(exe, '/');
	if (!slash)
		return -1;
	*slash = 0;
	snprintf(buf, len, "%s/../bin/wl_ranges", exe);
	return access(buf, X_OK);
}

/* A wl_ranges still running when a test fails is stopped by teardown. */
static pid_t live_wl;

static int kill_live_wl(void **state)
{
	(void)state;
	if (live_wl > 0) {
		kill(live_wl, SIGKILL);
		waitpid(live_wl, NULL, 0);
		live_wl = 0;
	}
	return 0;
}

static int start_wl(struct wl *wl)
{
	char bin[600], addr[128], line[256];
	int i;

	if (wl_path(bin, sizeof(bin)))
		return -1;
	snprintf(wl->dir, sizeof(wl->dir), "/tmp/udamon-vaddr-XXXXXX");
	if (!mkdtemp(wl->dir))
		return -1;
	snprintf(addr, sizeof(addr), "%s/addr", wl->dir);
	wl->pid = fork();
	if (wl->pid == 0) {
		execl(bin, bin, "--seconds", "0", "--addr-file", addr,
		      "w:write:4M", "r:read:4M", "i:idle:4M", (char *)NULL);
		_exit(127);
	}
	live_wl = wl->pid;
	for (i = 0; i < 2000 && access(addr, R_OK); i++)
		usleep(1000);
	{
		FILE *f = fopen(addr, "r");

		if (!f)
			return -1;
		while (fgets(line, sizeof(line), f)) {
			char name[16];
			unsigned long long s0, e0;
			uint64_t *dst;

			if (sscanf(line, "%15s %llx %llx", name, &s0, &e0) != 3)
				continue;
			dst = name[0] == 'w' ? wl->w : name[0] == 'r' ? wl->r : wl->i;
			dst[0] = s0;
			dst[1] = e0;
		}
		fclose(f);
	}
	return 0;
}

static int stop_wl(struct wl *wl)
{
	char path[128];
	int st;

	kill(wl->pid, SIGTERM);
	waitpid(wl->pid, &st, 0);
	live_wl = 0;
	snprintf(path, sizeof(path), "%s/addr", wl->dir);
	unlink(path);
	rmdir(wl->dir);
	return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}

struct snap_check {
	const struct wl *wl;
	unsigned int snapshots;
	unsigned int inside_w, cold_w;	/* regions inside w, not accessed */
	unsigned int hot_w;		/* snapshots where w's middle was hot */
	unsigned int inside_r, inside_i;	/* regions fully inside */
	unsigned int bad;		/* accessed regions inside r or i */
	uint64_t total_bytes;		/* largest monitored size seen */
};

static bool inside(uint64_t s, uint64_t e, const uint64_t *rg)
{
	return s >= rg[0] && e <= rg[1];
}

static void on_snap(struct udamon_ctx *ctx, size_t idx,
		    const struct udamon_snapshot *snap, void *data)
{
	struct snap_check *c = data;
	uint64_t mid = (c->wl->w[0] + c->wl->w[1]) / 2;
	size_t k;

	(void)ctx;
	(void)idx;
	c->snapshots++;
	if (snap->total_bytes > c->total_bytes)
		c->total_bytes = snap->total_bytes;
	for (k = 0; k < snap->nr_regions; k++) {
		const struct udamon_snapshot_region *r = &snap->regions[k];

		if (r->start <= mid && mid < r->end && r->nr_accesses > 0)
			c->hot_w++;
		if (inside(r->start, r->end, c->wl->w) && c->snapshots > 1) {
			c->inside_w++;
			c->cold_w += r->nr_accesses == 0;
		}
		if (inside(r->start, r->end, c->wl->r)) {
			c->inside_r++;
			c->bad += r->nr_accesses > 0;
		}
		if (inside(r->start, r->end, c->wl->i)) {
			c->inside_i++;
			c->bad += r->nr_accesses > 0;
		}
	}
}

/*
 * Regions are checked at one sampling page each (as DAMON does): in a
 * sanitizer-built target (terabytes of shadow mappings) they cannot narrow
 * down on a 4 MiB writer within a test's few aggregations.
 */
static bool converges(const struct snap_check *c)
{
	return c->total_bytes < (64ULL << 30);
}

static int stop_after(struct udamon_ctx *ctx, void *data)
{
	return ctx->passed_samples >= *(uint64_t *)data;
}

/* Monitor wl_ranges for 80 samples; user_regions: exactly w, r and i. */
static void run_vaddr(const struct wl *wl, bool user_regions,
		      struct snap_check *c)
{
	struct udamon_vaddr_opts opts = { 0 };
	struct udamon_attrs a;
	struct udamon_ctx *ctx;
	uint64_t samples = 80;

	ctx = udamon_ctx_new();
	assert_non_null(ctx);
	udamon_attrs_default(&a);
	a.sample_us = 5000;
	a.aggr_us = 50000;
	a.ops_update_us = 100000;
	a.min_nr_regions = user_regions ? 3 : 100;
	assert_int_equal(udamon_ctx_set_attrs(ctx, &a), 0);
	assert_int_equal(udamon_ctx_add_target(ctx, wl->pid), 0);
	if (user_regions) {
		struct udamon_range rg[3] = {
			{ wl->i[0], wl->i[1] }, { wl->r[0], wl->r[1] },
			{ wl->w[0], wl->w[1] },
		};

		/* sorted by address: wl_ranges maps downwards */
		assert_true(wl->i[0] < wl->r[0] && wl->r[0] < wl->w[0]);
		assert_int_equal(udamon_target_set_regions(&ctx->targets[0],
							   rg, 3), 0);
	}
	opts.warn = on_warn;
	assert_int_equal(udamon_vaddr_attach(ctx, &opts), 0);
	assert_true(ctx->use_reports);
	memset(c, 0, sizeof(*c));
	c->wl = wl;
	ctx->on_snapshot = on_snap;
	ctx->on_snapshot_data = c;
	ctx->after_sample = stop_after;
	ctx->after_sample_data = &samples;
	assert_int_equal(udamon_ctx_run(ctx), 0);
	print_message("%s regions, %u snapshots: w hot in %u, %u of %u regions inside w cold; %u inside r, %u inside i, %u of them accessed\n",
		      user_regions ? "user" : "vaddr", c->snapshots, c->hot_w,
		      c->cold_w, c->inside_w, c->inside_r, c->inside_i, c->bad);
	assert_int_equal(has_uw(wl->pid, wl->w[0]), 1);
	udamon_ctx_free(ctx);
	/* the monitor gone, so is every registration */
	assert_int_equal(has_uw(wl->pid, wl->w[0]), 0);
}

static void test_vaddr_ops_on_wl_ranges(void **state)
{
	struct snap_check c;
	struct wl wl;

	(void)state;
	if (skip_unless_supported())
		skip();
	if (start_wl(&wl)) {
		print_message("skipped: wl_ranges not built\n");
		skip();
	}
	assert_true(wl.w[1] > wl.w[0] && wl.r[1] > wl.r[0] && wl.i[1] > wl.i[0]);
	/* the kernel's vaddr regions (three ranges around the gaps) */
	run_vaddr(&wl, false, &c);
	assert_true(c.snapshots >= 6);
	/* the writer (a loaded machine may starve it for a while) */
	if (!converges(&c))
		print_message("(w's heat not checked: %llu GiB monitored)\n",
			      (unsigned long long)(c.total_bytes >> 30));
	else
		assert_true(c.hot_w >= c.snapshots / 2);
	assert_int_equal(c.bad, 0);	/* reads and idle never count */
	/* regions exactly on the ranges: every piece of w hot, r and i cold */
	run_vaddr(&wl, true, &c);
	assert_true(c.snapshots >= 6);
	assert_true(c.inside_w > 0 && c.inside_r > 0 && c.inside_i > 0);
	assert_true(c.cold_w <= c.inside_w / 2);
	assert_int_equal(c.bad, 0);
	assert_int_equal(stop_wl(&wl), 0);	/* its data checks pass */
}

static void test_vaddr_target_exits(void **state)
{
	struct udamon_ctx *ctx;
	struct wl wl;
	int st;

	(void)state;
	if (skip_unless_supported())
		skip();
	if (start_wl(&wl)) {
		print_message("skipped: wl_ranges not built\n");
		skip();
	}
	ctx = udamon_ctx_new();
	assert_int_equal(udamon_ctx_add_target(ctx, wl.pid), 0);
	assert_int_equal(udamon_vaddr_attach(ctx, NULL), 0);
	assert_int_equal(udamon_ctx_start(ctx), 0);
	assert_int_equal(udamon_ctx_step(ctx), 0);
	assert_true(ctx->ops->target_valid(ctx, &ctx->targets[0]));
	kill(wl.pid, SIGKILL);
	waitpid(wl.pid, &st, 0);
	live_wl = 0;
	assert_false(ctx->ops->target_valid(ctx, &ctx->targets[0]));
	/* the run just ends */
	assert_int_equal(udamon_ctx_step(ctx), 0);
	udamon_ctx_free(ctx);
	rmdir(wl.dir);
}

/* A target that executes a new program is followed into it. */
static void test_vaddr_follows_exec(void **state)
{
	struct udamon_ctx *ctx;
	struct snap_check c = { 0 };
	char bin[600], addr[128], k = 'x';
	int go[2], i, st;
	struct wl wl;
	uint64_t samples;

	(void)state;
	if (skip_unless_supported())
		skip();
	if (wl_path(bin, sizeof(bin))) {
		print_message("skipped: wl_ranges not built\n");
		skip();
	}
	snprintf(wl.dir, sizeof(wl.dir), "/tmp/udamon-vaddr-XXXXXX");
	assert_non_null(mkdtemp(wl.dir));
	snprintf(addr, sizeof(addr), "%s/addr", wl.dir);
	assert_int_equal(pipe(go), 0);
	wl.pid = fork();
	if (wl.pid == 0) {
		close(go[1]);
		if (read(go[0], &k, 1) != 1)
			_exit(3);
		execl(bin, bin, "--seconds", "0", "--addr-file", addr,
		      "w:write:4M", "r:read:4M", "i:idle:4M", (char *)NULL);
		_exit(127);
	}
	live_wl = wl.pid;
	close(go[0]);
	ctx = udamon_ctx_new();
	assert_int_equal(udamon_ctx_add_target(ctx, wl.pid), 0);
	{
		struct udamon_attrs a;

		udamon_attrs_default(&a);
		a.sample_us = 5000;
		a.aggr_us = 50000;
		a.ops_update_us = 1000000;	/* exec is noticed before */
		assert_int_equal(udamon_ctx_set_attrs(ctx, &a), 0);
	}
	nr_warnings = 0;
	{
		struct udamon_vaddr_opts o = { .warn = on_warn };

		assert_int_equal(udamon_vaddr_attach(ctx, &o), 0);
	}
	assert_int_equal(udamon_ctx_start(ctx), 0);
	assert_int_equal(udamon_ctx_step(ctx), 0);
	assert_int_equal(write(go[1], &k, 1), 1);	/* exec now */
	close(go[1]);
	for (i = 0; i < 2000 && access(addr, R_OK); i++)
		usleep(1000);
	{
		FILE *f = fopen(addr, "r");
		char line[256];

		assert_non_null(f);
		while (fgets(line, sizeof(line), f)) {
			char name[16];
			unsigned long long s0, e0;
			uint64_t *dst;

			if (sscanf(line, "%15s %llx %llx", name, &s0, &e0) != 3)
				continue;
			dst = name[0] == 'w' ? wl.w : name[0] == 'r' ? wl.r : wl.i;
			dst[0] = s0;
			dst[1] = e0;
		}
		fclose(f);
	}
	c.wl = &wl;
	ctx->on_snapshot = on_snap;
	ctx->on_snapshot_data = &c;
	ctx->after_sample = stop_after;
	samples = ctx->passed_samples + 60;
	ctx->after_sample_data = &samples;
	while (!ctx->stop && ctx->passed_samples < samples)
		assert_int_equal(udamon_ctx_step(ctx), 0);
	print_message("after exec: %u snapshots, w hot in %u, %d warnings (%s)\n",
		      c.snapshots, c.hot_w, nr_warnings, last_warning);
	assert_true(nr_warnings >= 1);
	assert_non_null(strstr(last_warning, "new program"));
	if (converges(&c))
		assert_true(c.hot_w >= c.snapshots / 2 && c.hot_w > 0);
	assert_int_equal(c.bad, 0);
	udamon_ctx_free(ctx);
	assert_int_equal(stop_wl(&wl), 0);
	(void)st;
}

/* With attribution, a CPU filter keeps only the writes made on that CPU. */
static void test_vaddr_attribution_cpu_filter(void **state)
{
	char bin[600], addr[128], line[256];
	uint64_t a0[2] = { 0 }, b1[2] = { 0 }, mask = 1ULL << 1, samples = 60;
	struct udamon_vaddr_opts opts = { .attribution = true };
	struct udamon_filter f = {
		.type = UDAMON_FILTER_CPUMASK, .matching = true, .allow = true,
		.cpus = { .nbits = 64, .bits = &mask },
	};
	struct udamon_range rg[2];
	struct snap_check c = { 0 };
	struct udamon_attrs at;
	struct udamon_ctx *ctx;
	struct wl wl = { 0 };
	char err[256];
	int i, ret;
	FILE *fp;

	(void)state;
	if (skip_unless_supported())
		skip();
	if (sysconf(_SC_NPROCESSORS_ONLN) < 2 || wl_path(bin, sizeof(bin))) {
		print_message("skipped: needs 2 CPUs and wl_ranges\n");
		skip();
	}
	{
		struct udamon_fault_source *src;

		if (udamon_fault_source_open(getpid(), &src, err, sizeof(err))) {
			print_message("skipped: %s\n", err);
			skip();
		}
		udamon_fault_source_close(src);
	}
	snprintf(wl.dir, sizeof(wl.dir), "/tmp/udamon-vaddr-XXXXXX");
	assert_non_null(mkdtemp(wl.dir));
	snprintf(addr, sizeof(addr), "%s/addr", wl.dir);
	wl.pid = fork();
	if (wl.pid == 0) {
		execl(bin, bin, "--seconds", "0", "--addr-file", addr,
		      "a:write:2M:cpu=0", "b:write:2M:cpu=1", (char *)NULL);
		_exit(127);
	}
	live_wl = wl.pid;
	for (i = 0; i < 2000 && access(addr, R_OK); i++)
		usleep(1000);
	fp = fopen(addr, "r");
	assert_non_null(fp);
	while (fgets(line, sizeof(line), fp)) {
		char name[16];
		unsigned long long s0, e0;

		if (sscanf(line, "%15s %llx %llx", name, &s0, &e0) != 3)
			continue;
		if (name[0] == 'a') {
			a0[0] = s0;
			a0[1] = e0;
		} else {
			b1[0] = s0;
			b1[1] = e0;
		}
	}
	fclose(fp);
	assert_true(b1[0] < a0[0]);	/* mapped downwards */
	ctx = udamon_ctx_new();
	udamon_attrs_default(&at);
	at.sample_us = 5000;
	at.aggr_us = 50000;
	at.min_nr_regions = 3;
	assert_int_equal(udamon_ctx_set_attrs(ctx, &at), 0);
	assert_int_equal(udamon_ctx_add_target(ctx, wl.pid), 0);
	rg[0] = (struct udamon_range){ b1[0], b1[1] };
	rg[1] = (struct udamon_range){ a0[0], a0[1] };
	assert_int_equal(udamon_target_set_regions(&ctx->targets[0], rg, 2), 0);
	assert_int_equal(udamon_ctx_set_filters(ctx, &f, 1), 0);
	ret = udamon_vaddr_attach(ctx, &opts);
	assert_int_equal(ret, 0);
	/* reuse the snapshot check: "w" is b (CPU 1), "r" is a (CPU 0) */
	wl.w[0] = b1[0];
	wl.w[1] = b1[1];
	wl.r[0] = a0[0];
	wl.r[1] = a0[1];
	wl.i[0] = wl.i[1] = 0;
	c.wl = &wl;
	ctx->on_snapshot = on_snap;
	ctx->on_snapshot_data = &c;
	ctx->after_sample = stop_after;
	ctx->after_sample_data = &samples;
	assert_int_equal(udamon_ctx_run(ctx), 0);
	print_message("cpu filter 1: %u snapshots, CPU-1 writer hot in %u; %u regions of the CPU-0 writer, %u counted; %llu reports seen, %llu counted, %llu lost\n",
		      c.snapshots, c.hot_w, c.inside_r, c.bad,
		      (unsigned long long)ctx->nr_reports_seen,
		      (unsigned long long)ctx->nr_reports_counted,
		      (unsigned long long)ctx->lost_reports);
	assert_true(ctx->nr_reports_seen > 0);
	assert_true(c.hot_w >= c.snapshots / 2 && c.hot_w > 0);
	assert_true(c.inside_r > 0);
	assert_int_equal(c.bad, 0);	/* CPU 0's writes never count */
	udamon_ctx_free(ctx);
	assert_int_equal(stop_wl(&wl), 0);
}

static void test_vaddr_attach_errors(void **state)
{
	struct udamon_ctx *ctx;
	pid_t p;
	int st;

	(void)state;
	if (skip_unless_supported())
		skip();
	/* gone */
	p = fork();
	if (p == 0)
		_exit(0);
	waitpid(p, &st, 0);
	ctx = udamon_ctx_new();
	assert_int_equal(udamon_ctx_add_target(ctx, p), 0);
	assert_int_equal(udamon_vaddr_attach(ctx, NULL), -ESRCH);
	assert_non_null(strstr(udamon_ctx_errmsg(ctx), "no process with pid"));
	udamon_ctx_free(ctx);

	/* a seccomp filter that kills on userfaultfd(): refused, untouched */
	{
		int ready[2];
		char k;

		assert_int_equal(pipe(ready), 0);
		p = fork();
		if (p == 0) {
			struct sock_filter kill_uffd[] = {
				BPF_STMT(BPF_LD | BPF_W | BPF_ABS,
					 offsetof(struct seccomp_data, nr)),
				BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K,
					 SYS_userfaultfd, 0, 1),
				BPF_STMT(BPF_RET | BPF_K,
					 SECCOMP_RET_KILL_PROCESS),
				BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
			};
			struct sock_fprog prog = { 4, kill_uffd };

			if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) ||
			    prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &prog))
				_exit(1);
			if (write(ready[1], "r", 1) != 1)
				_exit(2);
			for (;;)
				pause();
		}
		assert_int_equal(read(ready[0], &k, 1), 1);
		close(ready[0]);
		close(ready[1]);
		ctx = udamon_ctx_new();
		assert_int_equal(udamon_ctx_add_target(ctx, p), 0);
		assert_int_equal(udamon_vaddr_attach(ctx, NULL), -EPERM);
		assert_non_null(strstr(udamon_ctx_errmsg(ctx),
				       "answer userfaultfd() with SECCOMP_RET_KILL_PROCESS"));
		udamon_ctx_free(ctx);
		assert_int_equal(waitpid(p, &st, WNOHANG), 0);	/* alive */
		kill(p, SIGKILL);
		waitpid(p, &st, 0);
	}
}

/*
 * A child of vfork shares its parent's memory until its exec: no uffd is
 * made in it then (it would belong to the parent's memory, and the child's
 * pagemap would go on reading the parent's after its exec); once it has
 * executed its program it is opened in the program's memory.
 */
static void test_vfork_child_waits_for_exec(void **state)
{
	struct udamon_uffd_wp *w = NULL;
	char err[512] = "";
	int ids[2], go[2], st, pidfd;
	pid_t a, b = 0;

	(void)state;
	if (skip_unless_supported())
		skip();
	assert_int_equal(pipe(ids), 0);
	assert_int_equal(pipe(go), 0);
	a = fork();
	if (a == 0) {
		pid_t c = vfork();

		if (c == 0) {
			/* system calls only: the memory is the parent's */
			pid_t me = (pid_t)syscall(SYS_getpid);
			char k;

			syscall(SYS_write, ids[1], &me, sizeof(me));
			syscall(SYS_read, go[0], &k, 1);
			execl("/bin/sleep", "sleep", "30", (char *)NULL);
			_exit(127);
		}
		_exit(c > 0 && waitpid(c, &st, 0) == c ? 0 : 1);
	}
	close(ids[1]);
	close(go[0]);
	assert_int_equal(read(ids[0], &b, sizeof(b)), sizeof(b));
	close(ids[0]);
	assert_int_equal(udamon_proc_shares_parent_mm(b), 1);
	assert_int_equal(udamon_proc_shares_parent_mm(a), 0);
	pidfd = (int)syscall(SYS_pidfd_open, b, 0);
	assert_true(pidfd >= 0);
	assert_int_equal(udamon_uffd_wp_open(b, pidfd, &w, err, sizeof(err)),
			 -EINPROGRESS);
	assert_null(w);
	assert_non_null(strstr(err, "vfork child"));
	/* its parent still waits for it */
	assert_int_equal(waitpid(a, &st, WNOHANG), 0);
	/* its exec: then it has memory of its own, and is opened there */
	assert_int_equal(write(go[1], "x", 1), 1);
	close(go[1]);
	for (int i = 0; i < 2000 && udamon_proc_shares_parent_mm(b) == 1; i++)
		usleep(1000);
	assert_int_equal(udamon_proc_shares_parent_mm(b), 0);
	assert_int_equal(udamon_uffd_wp_open(b, pidfd, &w, err, sizeof(err)), 0);
	assert_true(udamon_uffd_wp_mm_alive(w));
	udamon_uffd_wp_close(w);
	kill(b, SIGKILL);
	assert_int_equal(waitpid(a, &st, 0), a);
	assert_true(WIFEXITED(st) && WEXITSTATUS(st) == 0);
	assert_int_equal(udamon_proc_shares_parent_mm(b), -ESRCH);
	close(pidfd);
}

static void test_maps_parse(void **state)
{
	struct udamon_mapping m;
	char err[256];

	(void)state;
	assert_int_equal(udamon_maps_parse_line(
		"7f0aa3717000-7f0aa3719000 r-xp 00000000 00:00 0                          [vdso]\n",
		&m, err, sizeof(err)), 0);
	assert_int_equal(m.start, 0x7f0aa3717000ULL);
	assert_int_equal(m.end, 0x7f0aa3719000ULL);
	assert_string_equal(m.perms, "r-xp");
	assert_string_equal(m.name, "[vdso]");
	assert_false(udamon_mapping_is_private_writable(&m));

	/* anonymous: no name; private writable */
	assert_int_equal(udamon_maps_parse_line(
		"55d0c8a00000-55d0c8a21000 rw-p 00000000 00:00 0\n", &m, err,
		sizeof(err)), 0);
	assert_string_equal(m.name, "");
	assert_true(udamon_mapping_is_private_writable(&m));

	/* a path with spaces, a shared writable mapping */
	assert_int_equal(udamon_maps_parse_line(
		"7f00000000-7f00001000 rw-s 00001000 08:01 1234 /tmp/a b (deleted)\n",
		&m, err, sizeof(err)), 0);
	assert_string_equal(m.name, "/tmp/a b (deleted)");
	assert_int_equal(m.offset, 0x1000);
	assert_int_equal(m.inode, 1234);
	assert_false(udamon_mapping_is_private_writable(&m));

	assert_int_equal(udamon_maps_parse_line(
		"ffffffffff600000-ffffffffff601000 --xp 00000000 00:00 0  [vsyscall]",
		&m, err, sizeof(err)), 0);
	assert_true(udamon_mapping_is_special(&m));

	/* errors quote the line */
	assert_int_equal(udamon_maps_parse_line("garbage here", &m, err,
						sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "'garbage here'"));
	assert_int_equal(udamon_maps_parse_line(
		"2000-1000 rw-p 0 00:00 0", &m, err, sizeof(err)), -EINVAL);

	/* our own maps: sorted, and the vdso is in them */
	{
		struct udamon_mapping *maps;
		size_t nr, i;
		bool vdso = false;

		assert_int_equal(udamon_maps_read(-1, getpid(), &maps, &nr,
						  err, sizeof(err)), 0);
		assert_true(nr > 3);
		for (i = 0; i < nr; i++) {
			if (i)
				assert_true(maps[i - 1].end <= maps[i].start);
			vdso |= !strcmp(maps[i].name, "[vdso]");
		}
		assert_true(vdso);
		free(maps);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_maps_parse),
		cmocka_unit_test(test_probe_and_errors),
		cmocka_unit_test(test_harvest_exact),
		cmocka_unit_test(test_page_checks),
		cmocka_unit_test(test_harvest_random_rounds),
		cmocka_unit_test(test_big_mapping_populated_arm),
		cmocka_unit_test(test_remap_and_resync),
		cmocka_unit_test(test_ebusy_warns_once),
		cmocka_unit_test(test_monitor_sigkill_leaves_target_intact),
		cmocka_unit_test(test_cost_steal_and_harvest),
		cmocka_unit_test_teardown(test_vaddr_ops_on_wl_ranges,
					  kill_live_wl),
		cmocka_unit_test_teardown(test_vaddr_target_exits,
					  kill_live_wl),
		cmocka_unit_test_teardown(test_vaddr_follows_exec,
					  kill_live_wl),
		cmocka_unit_test_teardown(test_vaddr_attribution_cpu_filter,
					  kill_live_wl),
		cmocka_unit_test(test_vaddr_attach_errors),
		cmocka_unit_test(test_vfork_child_waits_for_exec),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
