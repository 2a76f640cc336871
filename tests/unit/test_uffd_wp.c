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

#include "primitives/compat.h"
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

/* ---- tests ---------------------------------------------------------------- */

static void test_harvest_exact(void **state)
{
	uint64_t base, w1[] = { 3, 4, 5, 100, 255 }, w2[] = { 3 },
		 w3[] = { 200, 201 };
	struct udamon_uffd_wp *w;
	struct udamon_range r;
	struct child ch;
	struct seen sn;
	char err[512];

	(void)state;
	if (skip_unless_supported())
		skip();
	/* half populated before the fork, half never touched */
	base = (uint64_t)(uintptr_t)map_region(NPAGES * PG, false);
	memset((void *)base, 0x11, NPAGES / 2 * PG);
	start_child(&ch);
	assert_int_equal(udamon_uffd_wp_open(ch.pid, ch.pidfd, &w, err,
					     sizeof(err)), 0);
	r.start = base;
	r.end = base + NPAGES * PG;
	assert_int_equal(udamon_uffd_wp_sync(w, &r, NULL, 1), 1);

	sn.base = base;
	sn.npages = NPAGES;
	sn.hit = calloc(NPAGES, 1);
	assert_int_equal(harvest(w, &sn), 0);	/* armed: nothing yet */

	command(&ch, 'W', base + 3 * PG, 3 * PG);
	command(&ch, 'W', base + 100 * PG, PG);
	command(&ch, 'W', base + 255 * PG, PG);
	command(&ch, 'R', base + 10 * PG, 2 * PG);	/* populated: read */
	command(&ch, 'R', base + 200 * PG, 2 * PG);	/* never touched */
	assert_int_equal(harvest(w, &sn), 5);
	expect_pages(&sn, w1, 5);
	assert_int_equal(sn.nr_ranges, 3);	/* 3-5, 100, 255 */

	assert_int_equal(harvest(w, &sn), 0);	/* re-armed by the harvest */
	command(&ch, 'W', base + 3 * PG, PG);
	assert_int_equal(harvest(w, &sn), 1);
	expect_pages(&sn, w2, 1);
	/* pages first read (zero page), then written */
	command(&ch, 'W', base + 200 * PG, 2 * PG);
	assert_int_equal(harvest(w, &sn), 2);
	expect_pages(&sn, w3, 2);

	udamon_uffd_wp_close(w);
	assert_int_equal(stop_child(&ch), 0);
	free(sn.hit);
	munmap((void *)base, NPAGES * PG);
}

static void test_big_mapping_populated_arm(void **state)
{
	uint64_t base, want[] = { 0, 7, 300 };
	struct udamon_uffd_wp *w;
	struct udamon_range r;
	struct child ch;
	struct seen sn;
	char err[512];

	(void)state;
	if (skip_unless_supported())
		skip();
	base = (uint64_t)(uintptr_t)map_region(BIG, false);
	memset((void *)base, 1, 8 * PG);	/* pages 0-7 populated */
	start_child(&ch);
	assert_int_equal(udamon_uffd_wp_open(ch.pid, ch.pidfd, &w, err,
					     sizeof(err)), 0);
	r.start = base;
	r.end = base + BIG;
	assert_int_equal(udamon_uffd_wp_sync(w, &r, NULL, 1), 1);
	sn.base = base;
	sn.npages = 512;
	sn.hit = calloc(512, 1);
	assert_int_equal(harvest(w, &sn), 0);
	command(&ch, 'W', base, PG);		/* populated, armed */
	command(&ch, 'W', base + 7 * PG, PG);
	command(&ch, 'R', base + 301 * PG, PG);	/* unpopulated read */
	command(&ch, 'W', base + 300 * PG, PG);	/* unpopulated write */
	assert_int_equal(harvest(w, &sn), 3);
	expect_pages(&sn, want, 3);
	assert_int_equal(harvest(w, &sn), 0);
	udamon_uffd_wp_close(w);
	assert_int_equal(stop_child(&ch), 0);
	free(sn.hit);
	munmap((void *)base, BIG);
}

static void test_remap_and_resync(void **state)
{
	uint64_t base, want[] = { 64, 65 };
	struct udamon_uffd_wp *w;
	struct udamon_range r;
	struct child ch;
	struct seen sn;
	char err[512];

	(void)state;
	if (skip_unless_supported())
		skip();
	base = (uint64_t)(uintptr_t)map_region(NPAGES * PG, true);
	start_child(&ch);
	assert_int_equal(udamon_uffd_wp_open(ch.pid, ch.pidfd, &w, err,
					     sizeof(err)), 0);
	r.start = base;
	r.end = base + NPAGES * PG;
	assert_int_equal(udamon_uffd_wp_sync(w, &r, NULL, 1), 1);
	sn.base = base;
	sn.npages = NPAGES;
	sn.hit = calloc(NPAGES, 1);
	assert_int_equal(harvest(w, &sn), 0);
	/* the target replaces pages 64-127 with a fresh, unregistered map */
	command(&ch, 'M', base + 64 * PG, 64 * PG);
	command(&ch, 'W', base + 64 * PG, 2 * PG);
	harvest(w, &sn);
	assert_true(udamon_uffd_wp_stale(w));
	/* the mapping still covers the range: a sync registers it again */
	assert_true(udamon_uffd_wp_sync(w, &r, NULL, 1) >= 0);
	assert_false(udamon_uffd_wp_stale(w));
	command(&ch, 'W', base + 64 * PG, 2 * PG);
	assert_int_equal(harvest(w, &sn), 2);
	expect_pages(&sn, want, 2);
	udamon_uffd_wp_close(w);
	assert_int_equal(stop_child(&ch), 0);
	free(sn.hit);
	munmap((void *)base, NPAGES * PG);
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
	struct udamon_uffd_wp *w;
	struct udamon_range r;
	struct timespec t0, t1;
	struct child ch;
	uint64_t base;
	char err[512];
	long n;

	(void)state;
	if (skip_unless_supported())
		skip();
	base = (uint64_t)(uintptr_t)map_region(len, true);
	start_child(&ch);
	assert_int_equal(udamon_uffd_wp_open(ch.pid, ch.pidfd, &w, err,
					     sizeof(err)), 0);
	r.start = base;
	r.end = base + len;
	assert_int_equal(udamon_uffd_wp_sync(w, &r, NULL, 1), 1);
	command(&ch, 'W', base, 4096 * PG);	/* 16 MiB written */
	clock_gettime(CLOCK_MONOTONIC, &t0);
	n = udamon_uffd_wp_harvest(w, NULL, NULL);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	assert_int_equal(n, 4096);
	udamon_uffd_wp_get_stats(w, &st);
	print_message("steal %.3f ms; harvest of 64 MiB with 16 MiB written %.3f ms\n",
		      st.steal_ns / 1e6,
		      (t1.tv_sec - t0.tv_sec) * 1e3 + (t1.tv_nsec - t0.tv_nsec) / 1e6);
	udamon_uffd_wp_close(w);
	assert_int_equal(stop_child(&ch), 0);
	munmap((void *)base, len);
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

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_probe_and_errors),
		cmocka_unit_test(test_harvest_exact),
		cmocka_unit_test(test_big_mapping_populated_arm),
		cmocka_unit_test(test_remap_and_resync),
		cmocka_unit_test(test_ebusy_warns_once),
		cmocka_unit_test(test_monitor_sigkill_leaves_target_intact),
		cmocka_unit_test(test_cost_steal_and_harvest),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
