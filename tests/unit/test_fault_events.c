// SPDX-License-Identifier: MIT
/*
 * The fault event source on the real kernel: threads pinned to known CPUs
 * first-touch known armed pages; every page must come back once with the
 * right CPU, thread and write flag, and nothing of another process, nor of
 * a page not armed, may. Every test runs twice: with the source chosen
 * automatically (BPF where it loads) and with the perf fallback forced
 * (UDAMON_FAULT_SOURCE=perf).
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <stdarg.h>
#include <stddef.h>
#include <sys/utsname.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "primitives/fault_events.h"

#define NR_PAGES	64

static size_t page_size;

struct reports {
	struct udamon_access_report *v;
	size_t nr, cap;
};

static int collect(const struct udamon_access_report *r, void *data)
{
	struct reports *rs = data;

	if (rs->nr == rs->cap) {
		size_t cap = rs->cap ? rs->cap * 2 : 4096;
		void *v = realloc(rs->v, cap * sizeof(*rs->v));

		if (!v)
			return -ENOMEM;
		rs->v = v;
		rs->cap = cap;
	}
	rs->v[rs->nr++] = *r;
	return 0;
}

/* A thread that first-touches @npages pages at @base, pinned to @cpu. */
struct toucher {
	pthread_t thread;
	int cpu;
	bool write;
	unsigned char *base;
	size_t npages;
	int go_fd;		/* read end: wait for a byte before touching */
	int tid;
	volatile unsigned long sink;
};

static void *toucher_main(void *arg)
{
	struct toucher *t = arg;
	cpu_set_t set;
	size_t i;
	char c;

	t->tid = (int)syscall(SYS_gettid);
	CPU_ZERO(&set);
	CPU_SET(t->cpu, &set);
	if (pthread_setaffinity_np(pthread_self(), sizeof(set), &set))
		t->tid = -1;
	if (t->go_fd >= 0 && read(t->go_fd, &c, 1) != 1)
		t->tid = -1;
	for (i = 0; i < t->npages; i++) {
		if (t->write)
			t->base[i * page_size] = (unsigned char)i;
		else
			t->sink += t->base[i * page_size];
	}
	return NULL;
}

static unsigned char *fresh_range(size_t npages)
{
	void *p = mmap(NULL, npages * page_size, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	assert_true(p != MAP_FAILED);
	/* one fault per page: no transparent huge page on first touch */
	madvise(p, npages * page_size, MADV_NOHUGEPAGE);
	return p;
}

/* @base: a fresh range of @npages, or NULL to map one now. */
static void start_toucher_at(struct toucher *t, int cpu, bool write,
			     unsigned char *base, size_t npages, int go_fd)
{
	memset(t, 0, sizeof(*t));
	t->cpu = cpu;
	t->write = write;
	t->npages = npages;
	t->base = base ? base : fresh_range(npages);
	t->go_fd = go_fd;
	assert_int_equal(pthread_create(&t->thread, NULL, toucher_main, t), 0);
}

static struct udamon_fault_source *open_or_skip(pid_t pid)
{
	struct udamon_fault_source *s;
	char err[512];
	int ret;

	ret = udamon_fault_source_open(pid, &s, err, sizeof(err));
	if (ret == -EACCES || ret == -EPERM || ret == -ENOSYS) {
		fprintf(stderr, "skip: %s\n", err);
		skip();
	}
	if (ret)
		fprintf(stderr, "open: %s (%d)\n", err, ret);
	assert_int_equal(ret, 0);
	return s;
}

/* Arm the pages of n (base, npages) pairs: the only faults that count. */
static void arm(struct udamon_fault_source *s, int n, ...)
{
	uint64_t *pages = NULL;
	size_t nr = 0, i;
	va_list ap;

	va_start(ap, n);
	while (n--) {
		unsigned char *base = va_arg(ap, unsigned char *);
		size_t np = va_arg(ap, size_t);

		pages = realloc(pages, (nr + np) * sizeof(*pages));
		assert_non_null(pages);
		for (i = 0; i < np; i++)
			pages[nr++] = (uintptr_t)base + i * page_size;
	}
	va_end(ap);
	assert_int_equal(udamon_fault_source_arm(s, pages, nr), 0);
	free(pages);
}

static bool forced_perf(void)
{
	const char *env = getenv("UDAMON_FAULT_SOURCE");

	return env && !strcmp(env, "perf");
}

static bool need_two_cpus(void)
{
	cpu_set_t set;

	if (sched_getaffinity(0, sizeof(set), &set))
		return false;
	return CPU_ISSET(0, &set) && CPU_ISSET(1, &set);
}

/*
 * Every page of @t's range was reported exactly once, and every report in
 * the range has @t's CPU, tid and write flag.
 */
static uint64_t window_start, window_end;	/* CLOCK_MONOTONIC ns */

static void check_range(const struct reports *rs, const struct toucher *t,
			int want_write)
{
	uint64_t start = (uint64_t)(uintptr_t)t->base;
	uint64_t end = start + t->npages * page_size;
	unsigned int *seen = calloc(t->npages, sizeof(*seen));
	size_t i;

	assert_non_null(seen);
	assert_true(t->tid > 0);
	for (i = 0; i < rs->nr; i++) {
		const struct udamon_access_report *r = &rs->v[i];

		if (r->vaddr < start || r->vaddr >= end)
			continue;
		assert_int_equal(r->cpu, t->cpu);
		assert_int_equal(r->tid, t->tid);
		assert_int_equal(r->is_write, want_write);
		assert_int_equal(r->size, 1);
		/* times are CLOCK_MONOTONIC, inside the touching window */
		assert_true(r->time_ns >= window_start);
		assert_true(r->time_ns <= window_end);
		seen[(r->vaddr - start) / page_size]++;
	}
	for (i = 0; i < t->npages; i++) {
		if (seen[i] != 1)
			fprintf(stderr, "page %zu of range at %#lx seen %u "
				"times\n", i, (unsigned long)start, seen[i]);
		assert_int_equal(seen[i], 1);
	}
	free(seen);
}

static void start_toucher(struct toucher *t, int cpu, bool write,
			  size_t npages, int go_fd)
{
	start_toucher_at(t, cpu, write, NULL, npages, go_fd);
}

/* Threads on CPU 0 and 1, one from before open, one reading. */
static void check_attribution(bool software)
{
	struct toucher a, b, c, e;
	unsigned char *ra, *rb, *rc;
	struct reports rs = { 0 };
	struct udamon_fault_source *s;
	struct timespec t0, t1;
	int go[2];
	int rw;

	if (!need_two_cpus())
		skip();
	assert_int_equal(pipe(go), 0);
	/* e exists before the source is opened; a, b, c are created after */
	start_toucher(&e, 1, true, NR_PAGES, go[0]);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	s = open_or_skip(getpid());
	fprintf(stderr, "mechanism: %s\n", udamon_fault_source_mechanism(s));
	rw = udamon_fault_source_knows_writes(s) ? 1 : -1;
	assert_int_equal(rw, software ? -1 : 1);
	/*
	 * Map every range before any thread can exit, so that no range
	 * reuses the address of a stack unmapped during the test.
	 */
	ra = fresh_range(NR_PAGES);
	rb = fresh_range(NR_PAGES);
	rc = fresh_range(NR_PAGES);
	arm(s, 4, ra, (size_t)NR_PAGES, rb, (size_t)NR_PAGES, rc,
	    (size_t)NR_PAGES, e.base, (size_t)NR_PAGES);
	start_toucher_at(&a, 0, true, ra, NR_PAGES, -1);
	start_toucher_at(&b, 1, true, rb, NR_PAGES, -1);
	start_toucher_at(&c, 0, false, rc, NR_PAGES, -1);
	assert_int_equal(write(go[1], "x", 1), 1);
	pthread_join(a.thread, NULL);
	pthread_join(b.thread, NULL);
	pthread_join(c.thread, NULL);
	pthread_join(e.thread, NULL);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	window_start = (uint64_t)t0.tv_sec * 1000000000 + (uint64_t)t0.tv_nsec;
	window_end = (uint64_t)t1.tv_sec * 1000000000 + (uint64_t)t1.tv_nsec;

	assert_true(udamon_fault_source_drain(s, collect, &rs) >= 4 * NR_PAGES);
	check_range(&rs, &a, rw);
	check_range(&rs, &b, rw);
	check_range(&rs, &e, rw);
	check_range(&rs, &c, rw == 1 ? 0 : -1);
	assert_int_equal(udamon_fault_source_lost(s), 0);
	/* nothing new: a second drain hands nothing of these ranges */
	rs.nr = 0;
	assert_true(udamon_fault_source_drain(s, collect, &rs) >= 0);
	for (size_t i = 0; i < rs.nr; i++)
		assert_false(rs.v[i].vaddr >= (uintptr_t)a.base &&
			     rs.v[i].vaddr < (uintptr_t)a.base +
			     NR_PAGES * page_size);
	udamon_fault_source_close(s);
	free(rs.v);
	close(go[0]);
	close(go[1]);
	munmap(ra, NR_PAGES * page_size);
	munmap(rb, NR_PAGES * page_size);
	munmap(rc, NR_PAGES * page_size);
	munmap(e.base, NR_PAGES * page_size);
}

static void test_cpu_and_thread_attribution(void **state)
{
	check_attribution(false);
}

/* The software-event fallback: same attribution, is_write unknown. */
static void test_software_fallback(void **state)
{
	struct udamon_fault_source *s;
	char err[512];

	setenv("UDAMON_FAULT_SOFTWARE", "1", 1);
	assert_int_equal(udamon_fault_source_open(getpid(), &s, err,
						  sizeof(err)), 0);
	/* success, but the message says what is missing */
	assert_non_null(strstr(err, "fallback"));
	assert_non_null(strstr(udamon_fault_source_mechanism(s),
			       "software event page-faults"));
	assert_int_equal(udamon_fault_source_knows_writes(s), 0);
	udamon_fault_source_close(s);
	check_attribution(true);
	unsetenv("UDAMON_FAULT_SOFTWARE");
}

static size_t count_in(const struct reports *rs, const unsigned char *base,
		       size_t npages)
{
	uint64_t start = (uintptr_t)base, end = start + npages * page_size;
	size_t i, n = 0;

	for (i = 0; i < rs->nr; i++)
		n += rs->v[i].vaddr >= start && rs->v[i].vaddr < end;
	return n;
}

/*
 * Poke 4 fresh armed pages on CPU 0 and drain: how many came back. Sets
 * *lost_meanwhile when the source counted new losses in the meantime.
 */
static size_t poke_fresh(struct udamon_fault_source *s, unsigned char *rbig,
			 size_t nbig, bool *lost_meanwhile)
{
	struct reports rs = { 0 };
	struct toucher poke;
	unsigned char *rpoke = fresh_range(4);
	unsigned long lost0;
	size_t n;

	arm(s, 2, rbig, nbig, rpoke, (size_t)4);
	lost0 = udamon_fault_source_lost(s);
	start_toucher_at(&poke, 0, true, rpoke, 4, -1);
	pthread_join(poke.thread, NULL);
	assert_true(udamon_fault_source_drain(s, collect, &rs) >= 0);
	n = count_in(&rs, rpoke, 4);
	*lost_meanwhile = udamon_fault_source_lost(s) != lost0;
	free(rs.v);
	munmap(rpoke, 4 * page_size);
	return n;
}

/* A ring too small for a burst: what did not fit is counted as lost. */
static void test_loss_is_counted(void **state)
{
	struct reports rs = { 0 };
	struct udamon_fault_source *s;
	struct toucher big;
	bool lost_meanwhile = true;
	size_t got, poked = 0;
	int pokes = 0;

	if (!need_two_cpus())
		skip();
	unsigned char *rbig = fresh_range(4096);

	/*
	 * ~900 perf samples, ~1,300 BPF events: the burst overflows it.
	 */
	setenv("UDAMON_FAULT_RING_KB", "64", 1);
	s = open_or_skip(getpid());
	unsetenv("UDAMON_FAULT_RING_KB");
	arm(s, 1, rbig, (size_t)4096);
	start_toucher_at(&big, 0, true, rbig, 4096, -1);
	pthread_join(big.thread, NULL);
	assert_true(udamon_fault_source_drain(s, collect, &rs) >= 0);
	got = count_in(&rs, big.base, 4096);
	/*
	 * Once space is free again, events come through (the kernel writes
	 * the LOST record then). Perf events are system-wide: on a busy
	 * machine other processes' faults on CPU 0 can fill the small ring
	 * again before a poke; that poke's events are then lost and counted,
	 * and the poke is repeated on fresh pages. Events missing while no
	 * loss was counted fail at once.
	 */
	while (pokes < 10 && lost_meanwhile && poked != 4) {
		poked = poke_fresh(s, rbig, 4096, &lost_meanwhile);
		pokes++;
	}
	fprintf(stderr, "small ring: %zu delivered, %lu lost; %d poke(s)\n",
		got, (unsigned long)udamon_fault_source_lost(s), pokes);
	assert_true(got < 4096);
	assert_true(udamon_fault_source_lost(s) > 0);
	assert_true(got + udamon_fault_source_lost(s) >= 4096);
	assert_int_equal(poked, 4);
	udamon_fault_source_close(s);
	free(rs.v);
	munmap(big.base, 4096 * page_size);
}

/* A fork()ed child's faults are another process's: not reported. */
static void test_other_process_not_reported(void **state)
{
	unsigned char *child_range = fresh_range(NR_PAGES);
	unsigned char *own_range = fresh_range(NR_PAGES);
	uint64_t cs = (uintptr_t)child_range;
	uint64_t os = (uintptr_t)own_range;
	struct reports rs = { 0 };
	struct udamon_fault_source *s;
	size_t i, own = 0;
	int status;
	pid_t pid;

	s = open_or_skip(getpid());
	/* armed for us: the child's faults are still not ours */
	arm(s, 2, child_range, (size_t)NR_PAGES, own_range, (size_t)NR_PAGES);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		for (i = 0; i < NR_PAGES; i++)
			child_range[i * page_size] = 1;
		_exit(0);
	}
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	for (i = 0; i < NR_PAGES; i++)
		own_range[i * page_size] = 1;	/* the positive control */
	assert_true(udamon_fault_source_drain(s, collect, &rs) >= NR_PAGES);
	for (i = 0; i < rs.nr; i++) {
		const struct udamon_access_report *r = &rs.v[i];

		assert_int_not_equal(r->tid, pid);
		assert_false(r->vaddr >= cs &&
			     r->vaddr < cs + NR_PAGES * page_size);
		if (r->vaddr >= os && r->vaddr < os + NR_PAGES * page_size)
			own++;
	}
	assert_int_equal(own, NR_PAGES);
	udamon_fault_source_close(s);
	free(rs.v);
	munmap(child_range, NR_PAGES * page_size);
	munmap(own_range, NR_PAGES * page_size);
}

/* A write the kernel makes for the target (read() into a fresh buffer). */
static void test_kernel_mode_write(void **state)
{
	unsigned char *range = fresh_range(8);
	uint64_t start = (uintptr_t)range;
	struct reports rs = { 0 };
	struct udamon_fault_source *s;
	int tid = (int)syscall(SYS_gettid);
	size_t i, seen = 0;
	int fd;

	s = open_or_skip(getpid());
	if (!strstr(udamon_fault_source_mechanism(s), "page_fault_kernel")) {
		udamon_fault_source_close(s);
		skip();
	}
	arm(s, 1, range, (size_t)8);
	fd = open("/dev/zero", O_RDONLY);
	assert_true(fd >= 0);
	assert_int_equal(read(fd, range, 8 * page_size),
			 (ssize_t)(8 * page_size));
	close(fd);
	assert_true(udamon_fault_source_drain(s, collect, &rs) >= 8);
	for (i = 0; i < rs.nr; i++) {
		const struct udamon_access_report *r = &rs.v[i];

		if (r->vaddr < start || r->vaddr >= start + 8 * page_size)
			continue;
		assert_int_equal(r->tid, tid);
		assert_int_equal(r->is_write, 1);
		seen++;
	}
	assert_int_equal(seen, 8);
	udamon_fault_source_close(s);
	free(rs.v);
	munmap(range, 8 * page_size);
}

static int stop_at_third(const struct udamon_access_report *r, void *data)
{
	int *n = data;

	return ++*n == 3 ? -ECANCELED : 0;
}

/* A callback's error stops the drain and is returned; the rest stays. */
static void test_callback_error_stops(void **state)
{
	unsigned char *range = fresh_range(8);
	struct reports rs = { 0 };
	struct udamon_fault_source *s;
	int n = 0;
	size_t i;

	s = open_or_skip(getpid());
	arm(s, 1, range, (size_t)8);
	for (i = 0; i < 8; i++)
		range[i * page_size] = 1;
	assert_int_equal(udamon_fault_source_drain(s, stop_at_third, &n),
			 -ECANCELED);
	assert_int_equal(n, 3);
	/* the other 5 pages (at least) are still queued */
	assert_true(udamon_fault_source_drain(s, collect, &rs) >= 5);
	udamon_fault_source_close(s);
	free(rs.v);
	munmap(range, 8 * page_size);
}

static void test_bad_targets(void **state)
{
	struct udamon_fault_source *s = (void *)1;
	char err[256];
	pid_t tid;

	assert_int_equal(udamon_fault_source_open(0, &s, err, sizeof(err)),
			 -EINVAL);
	assert_null(s);
	assert_non_null(strstr(err, "pid 0"));
	assert_int_equal(udamon_fault_source_open(-5, &s, err, sizeof(err)),
			 -EINVAL);
	/* pid_max is at most 4194304 */
	assert_int_equal(udamon_fault_source_open(4194305, &s, err,
						  sizeof(err)), -ESRCH);
	assert_non_null(strstr(err, "4194305"));
	assert_int_equal(udamon_fault_source_drain(NULL, collect, NULL),
			 -EINVAL);
	assert_int_equal(udamon_fault_source_lost(NULL), 0);
	udamon_fault_source_close(NULL);

	/* a thread id is not a process id */
	{
		struct toucher t;
		int go[2];

		if (!need_two_cpus())
			return;
		assert_int_equal(pipe(go), 0);
		start_toucher(&t, 0, true, 1, go[0]);
		while (__atomic_load_n(&t.tid, __ATOMIC_ACQUIRE) == 0)
			usleep(100);
		tid = t.tid;
		assert_int_equal(udamon_fault_source_open(tid, &s, err,
							  sizeof(err)),
				 -EINVAL);
		assert_non_null(strstr(err, "thread of process"));
		assert_int_equal(write(go[1], "x", 1), 1);
		pthread_join(t.thread, NULL);
		close(go[0]);
		close(go[1]);
	}
}

static const char format_text[] =
	"name: page_fault_user\n"
	"ID: 190\n"
	"format:\n"
	"\tfield:unsigned short common_type;\toffset:0;\tsize:2;\tsigned:0;\n"
	"\tfield:int common_pid;\toffset:4;\tsize:4;\tsigned:1;\n"
	"\n"
	"\tfield:unsigned long address;\toffset:8;\tsize:8;\tsigned:0;\n"
	"\tfield:unsigned long ip;\toffset:16;\tsize:8;\tsigned:0;\n"
	"\tfield:unsigned long error_code;\toffset:24;\tsize:8;\tsigned:0;\n"
	"\tfield:void * ptr;\toffset:32;\tsize:8;\tsigned:0;\n"
	"\tfield:int bad;\toffset:x;\tsize:4;\tsigned:0;\n"
	"\n"
	"print fmt: \"address=%ps error_code=0x%lx\", REC->address\n";

static void test_format_parse(void **state)
{
	unsigned int off = 99, size = 99;

	assert_int_equal(udamon_tp_format_field(format_text, "address", &off,
						&size), 0);
	assert_int_equal(off, 8);
	assert_int_equal(size, 8);
	assert_int_equal(udamon_tp_format_field(format_text, "error_code",
						&off, &size), 0);
	assert_int_equal(off, 24);
	assert_int_equal(udamon_tp_format_field(format_text, "common_type",
						&off, &size), 0);
	assert_int_equal(off, 0);
	assert_int_equal(size, 2);
	assert_int_equal(udamon_tp_format_field(format_text, "ptr", &off,
						&size), 0);
	assert_int_equal(off, 32);
	/* "ip" must not match the tail of another name, nor "code" */
	assert_int_equal(udamon_tp_format_field(format_text, "ip", &off,
						&size), 0);
	assert_int_equal(off, 16);
	assert_int_equal(udamon_tp_format_field(format_text, "code", &off,
						&size), -ENOENT);
	assert_int_equal(udamon_tp_format_field(format_text, "bad", &off,
						&size), -EINVAL);
	assert_int_equal(udamon_tp_format_field("", "address", &off, &size),
			 -ENOENT);
}

static int count_only(const struct udamon_access_report *r, void *data)
{
	(*(size_t *)data)++;
	return 0;
}

/* Many faults at once: none lost, and what a drain costs per sample. */
static void test_burst_and_drain_cost(void **state)
{
	const size_t npages = 8192;	/* 32 MiB with 4 KiB pages */
	unsigned char *range = fresh_range(npages);
	struct udamon_fault_source *s;
	struct timespec t0, t1;
	size_t i, n = 0;
	long got;
	double ns;

	s = open_or_skip(getpid());
	arm(s, 1, range, npages);
	for (i = 0; i < npages; i++)
		range[i * page_size] = 1;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	got = udamon_fault_source_drain(s, count_only, &n);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	assert_true(got >= (long)npages);
	assert_int_equal((size_t)got, n);
	assert_int_equal(udamon_fault_source_lost(s), 0);
	ns = (double)(t1.tv_sec - t0.tv_sec) * 1e9 +
	     (double)(t1.tv_nsec - t0.tv_nsec);
	fprintf(stderr, "drain: %ld samples in %.0f us, %.1f ns per sample\n",
		got, ns / 1e3, ns / (double)got);
	udamon_fault_source_close(s);
	munmap(range, npages * page_size);
}

/* Faults on pages not armed are not reported; the armed ones are. */
static void test_only_armed_pages(void **state)
{
	unsigned char *on = fresh_range(8), *off = fresh_range(8);
	struct reports rs = { 0 };
	struct udamon_fault_source *s;
	size_t i;

	s = open_or_skip(getpid());
	/* nothing armed yet: nothing counts */
	for (i = 0; i < 4; i++)
		on[i * page_size] = 1;
	arm(s, 1, on + 4 * page_size, (size_t)4);
	for (i = 4; i < 8; i++)
		on[i * page_size] = 1;
	for (i = 0; i < 8; i++)
		off[i * page_size] = 1;
	assert_true(udamon_fault_source_drain(s, collect, &rs) >= 4);
	assert_int_equal(count_in(&rs, on, 4), 0);
	assert_int_equal(count_in(&rs, on + 4 * page_size, 4), 4);
	assert_int_equal(count_in(&rs, off, 8), 0);
	udamon_fault_source_close(s);
	free(rs.v);
	munmap(on, 8 * page_size);
	munmap(off, 8 * page_size);
}

/*
 * Arming replaces the set: faults on pages of the last set, made before
 * or after the new arming but drained after it, do not count.
 */
static void test_rearm_replaces(void **state)
{
	unsigned char *a = fresh_range(8), *b = fresh_range(8);
	struct reports rs = { 0 };
	struct udamon_fault_source *s;
	size_t i;

	s = open_or_skip(getpid());
	arm(s, 1, a, (size_t)8);
	for (i = 0; i < 4; i++)
		a[i * page_size] = 1;		/* before the new arming */
	arm(s, 1, b, (size_t)8);
	for (i = 4; i < 8; i++)
		a[i * page_size] = 1;		/* after it */
	for (i = 0; i < 8; i++)
		b[i * page_size] = 1;
	assert_true(udamon_fault_source_drain(s, collect, &rs) >= 8);
	assert_int_equal(count_in(&rs, a, 8), 0);
	assert_int_equal(count_in(&rs, b, 8), 8);
	/* an empty set: nothing counts */
	arm(s, 0);
	rs.nr = 0;
	for (i = 0; i < 8; i++)
		b[i * page_size] = 2;		/* present now: no fault */
	assert_int_equal(madvise(b, 8 * page_size, MADV_DONTNEED), 0);
	for (i = 0; i < 8; i++)
		b[i * page_size] = 3;		/* faults again, not armed */
	assert_true(udamon_fault_source_drain(s, collect, &rs) >= 0);
	assert_int_equal(count_in(&rs, b, 8), 0);
	udamon_fault_source_close(s);
	free(rs.v);
	munmap(a, 8 * page_size);
	munmap(b, 8 * page_size);
}

/* Kernel version >= major.minor? */
static bool kernel_at_least(int major, int minor)
{
	struct utsname u;
	int ma = 0, mi = 0;

	if (uname(&u) || sscanf(u.release, "%d.%d", &ma, &mi) != 2)
		return false;
	return ma > major || (ma == major && mi >= minor);
}

/*
 * Which source was chosen: perf when forced; BPF as root on a kernel with
 * BPF ring buffers (5.8+), which is where udamon must not fall back.
 */
static void test_source_choice(void **state)
{
	struct udamon_fault_source *s = open_or_skip(getpid());
	const char *kind = udamon_fault_source_kind(s);

	fprintf(stderr, "source: %s (%s)\n", kind,
		udamon_fault_source_mechanism(s));
	if (forced_perf()) {
		assert_string_equal(kind, "perf");
		assert_non_null(strstr(udamon_fault_source_mechanism(s),
				       "UDAMON_FAULT_SOURCE=perf"));
	} else if (geteuid() == 0 && kernel_at_least(5, 8)) {
		assert_string_equal(kind, "bpf");
	}
	udamon_fault_source_close(s);
}

/* How many of the npages pages at base have at least one report. */
static size_t pages_in(const struct reports *rs, const unsigned char *base,
		       size_t npages)
{
	size_t n = 0, p;

	for (p = 0; p < npages; p++)
		n += count_in(rs, base + p * page_size, 1) > 0;
	return n;
}

/* Two processes' sources share the BPF program; each gets its own. */
static void test_two_sources(void **state)
{
	unsigned char *own = fresh_range(8), *kid = fresh_range(8);
	struct udamon_fault_source *s, *c;
	struct reports rs = { 0 }, rc = { 0 };
	int go[2], status;
	char err[512], x;
	pid_t pid;
	size_t i;

	assert_int_equal(pipe(go), 0);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		if (read(go[0], &x, 1) != 1)
			_exit(1);
		for (i = 0; i < 8; i++)
			kid[i * page_size] = 1;
		_exit(0);
	}
	s = open_or_skip(getpid());
	assert_int_equal(udamon_fault_source_open(pid, &c, err, sizeof(err)),
			 0);
	arm(s, 1, own, (size_t)8);
	arm(c, 1, kid, (size_t)8);
	assert_int_equal(write(go[1], "x", 1), 1);
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	for (i = 0; i < 8; i++)
		own[i * page_size] = 1;
	/* the parent's drain comes first and must keep the child's events */
	assert_true(udamon_fault_source_drain(s, collect, &rs) >= 8);
	assert_true(udamon_fault_source_drain(c, collect, &rc) >= 8);
	/* every page once (a fault may repeat: a spurious one, a retry) */
	assert_int_equal(pages_in(&rs, own, 8), 8);
	assert_int_equal(count_in(&rs, kid, 8), 0);
	assert_int_equal(pages_in(&rc, kid, 8), 8);
	for (i = 0; i < rc.nr; i++)
		assert_int_equal(rc.v[i].tid, pid);
	udamon_fault_source_close(c);
	udamon_fault_source_close(s);
	free(rs.v);
	free(rc.v);
	close(go[0]);
	close(go[1]);
	munmap(own, 8 * page_size);
	munmap(kid, 8 * page_size);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_source_choice),
		cmocka_unit_test(test_only_armed_pages),
		cmocka_unit_test(test_rearm_replaces),
		cmocka_unit_test(test_two_sources),
		cmocka_unit_test(test_format_parse),
		cmocka_unit_test(test_bad_targets),
		cmocka_unit_test(test_cpu_and_thread_attribution),
		cmocka_unit_test(test_other_process_not_reported),
		cmocka_unit_test(test_software_fallback),
		cmocka_unit_test(test_loss_is_counted),
		cmocka_unit_test(test_kernel_mode_write),
		cmocka_unit_test(test_callback_error_stops),
		cmocka_unit_test(test_burst_and_drain_cost),
	};

	int failed;

	page_size = (size_t)sysconf(_SC_PAGESIZE);
	failed = cmocka_run_group_tests_name("automatic source", tests, NULL,
					     NULL);
	setenv("UDAMON_FAULT_SOURCE", "perf", 1);
	failed += cmocka_run_group_tests_name("perf source forced", tests,
					      NULL, NULL);
	return failed;
}
