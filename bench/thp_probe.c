// SPDX-License-Identifier: MIT
/*
 * What each step of write-protect monitoring does to transparent huge
 * pages, measured on the probe's own memory (a userfaultfd of its own, its
 * own pagemap): registration, WP_UNPOPULATED, arming one 4 KiB page inside
 * a PMD-mapped THP, arming a whole THP, a write to a whole-armed THP,
 * re-arming, and restoring a split THP (un-protect, then MADV_COLLAPSE
 * through process_madvise). Prints AnonHugePages after each step and the
 * cost of the steps that udamon repeats.
 *
 * usage: thp_probe [--mib N] [--cycles N]
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/userfaultfd.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <time.h>
#include <unistd.h>

#include "primitives/compat.h"

#define HPAGE		(2UL << 20)

static int pagemap, pidfd;
static char *buf;
static size_t len;

static double now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e6 + ts.tv_nsec / 1e3;
}

/* AnonHugePages of our mapping, in kB, from /proc/self/smaps. */
static long thp_kb(void)
{
	char line[256];
	FILE *f = fopen("/proc/self/smaps", "r");
	unsigned long s, e;
	bool mine = false;
	long kb = -1;

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f)) {
		if (sscanf(line, "%lx-%lx ", &s, &e) == 2 && strchr(line, '-') < strchr(line, ' ')) {
			mine = s <= (unsigned long)buf && (unsigned long)buf < e;
			continue;
		}
		if (mine && sscanf(line, "AnonHugePages: %ld", &kb) == 1)
			break;
	}
	fclose(f);
	return kb;
}

/* PAGEMAP_SCAN of [s, e): how many pages are written and how many huge. */
static void scan(char *s, char *e, long *written, long *huge, bool wp)
{
	static struct page_region vec[1024];
	struct pm_scan_arg a = {
		.size = sizeof(a),
		.flags = wp ? PM_SCAN_WP_MATCHING | PM_SCAN_CHECK_WPASYNC : 0,
		.start = (uintptr_t)s, .end = (uintptr_t)e,
		.vec = (uintptr_t)vec, .vec_len = 1024,
		.category_anyof_mask = PAGE_IS_PRESENT,
		.return_mask = PAGE_IS_WRITTEN | PAGE_IS_HUGE,
	};
	long n = ioctl(pagemap, PAGEMAP_SCAN, &a);

	*written = *huge = 0;
	for (long i = 0; i < n; i++) {
		long pages = (vec[i].end - vec[i].start) / 4096;

		if (vec[i].categories & PAGE_IS_WRITTEN)
			*written += pages;
		if (vec[i].categories & PAGE_IS_HUGE)
			*huge += pages;
	}
}

static void wp(int uffd, char *s, size_t l, bool on)
{
	struct uffdio_writeprotect w = {
		.range = { (uintptr_t)s, l },
		.mode = on ? UFFDIO_WRITEPROTECT_MODE_WP : 0,
	};

	if (ioctl(uffd, UFFDIO_WRITEPROTECT, &w))
		perror("UFFDIO_WRITEPROTECT");
}

static int collapse(char *s)
{
	struct iovec iov = { s, HPAGE };

	return syscall(SYS_process_madvise, pidfd, &iov, 1, MADV_COLLAPSE, 0) < 0 ? -errno : 0;
}

static void step(const char *what)
{
	printf("%-58s AnonHugePages %6ld kB\n", what, thp_kb());
}

static int new_uffd(unsigned long long features)
{
	struct uffdio_api api = { .api = UFFD_API, .features = features };
	struct uffdio_register reg = {
		.range = { (uintptr_t)buf, len },
		.mode = UFFDIO_REGISTER_MODE_WP,
	};
	int fd = syscall(SYS_userfaultfd, O_CLOEXEC | O_NONBLOCK | UFFD_USER_MODE_ONLY);

	if (fd < 0 || ioctl(fd, UFFDIO_API, &api) || ioctl(fd, UFFDIO_REGISTER, &reg)) {
		perror("userfaultfd");
		exit(1);
	}
	return fd;
}

int main(int argc, char **argv)
{
	size_t mib = 64;
	int cycles = 100, uffd, i, fails = 0;
	long w, h;
	double t, t_arm = 0, t_fault = 0, t_unwp = 0, t_col = 0, t_scan = 0;
	char *raw;

	for (i = 1; i + 1 < argc; i += 2) {
		if (!strcmp(argv[i], "--mib"))
			mib = strtoul(argv[i + 1], NULL, 0);
		else if (!strcmp(argv[i], "--cycles"))
			cycles = atoi(argv[i + 1]);
	}
	len = mib << 20;
	raw = mmap(NULL, len + HPAGE, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (raw == MAP_FAILED)
		return 1;
	buf = (char *)(((uintptr_t)raw + HPAGE - 1) & ~(HPAGE - 1));
	madvise(buf, len, MADV_HUGEPAGE);
	memset(buf, 1, len);
	pagemap = open("/proc/self/pagemap", O_RDONLY);
	pidfd = syscall(SYS_pidfd_open, getpid(), 0);
	printf("kernel: ");
	fflush(stdout);
	system("uname -r");
	step("filled, MADV_HUGEPAGE");

	uffd = new_uffd(UFFD_FEATURE_WP_ASYNC);
	step("registered WP (async, no WP_UNPOPULATED)");
	close(uffd);
	uffd = new_uffd(UFFD_FEATURE_WP_ASYNC | UFFD_FEATURE_WP_UNPOPULATED);
	step("registered WP (async + WP_UNPOPULATED)");
	memset(buf, 2, len);
	step("registered, whole buffer written again");

	scan(buf + 5 * HPAGE, buf + 6 * HPAGE, &w, &h, false);
	printf("    never armed THP 5 reads: %ld written pages, %ld huge pages\n", w, h);
	scan(buf + 4096, buf + 8192, &w, &h, true);
	step("one 4 KiB page armed (PAGEMAP_SCAN WP) in THP 0");
	wp(uffd, buf + HPAGE + 4096, 4096, true);
	step("one 4 KiB page armed (UFFDIO_WRITEPROTECT) in THP 1");
	scan(buf + 2 * HPAGE, buf + 3 * HPAGE, &w, &h, true);
	step("whole THP 2 armed (PAGEMAP_SCAN WP)");
	wp(uffd, buf + 3 * HPAGE, HPAGE, true);
	step("whole THP 3 armed (UFFDIO_WRITEPROTECT)");
	scan(buf + 2 * HPAGE, buf + 3 * HPAGE, &w, &h, false);
	printf("    armed THP 2 reads: %ld written pages, %ld huge pages\n", w, h);
	scan(buf + 2 * HPAGE, buf + 3 * HPAGE, &w, &h, true);
	step("whole THP 2 re-armed, not written (PAGEMAP_SCAN WP)");
	scan(buf + 2 * HPAGE + 4096, buf + 2 * HPAGE + 8192, &w, &h, true);
	step("one page of armed, unwritten THP 2 re-armed");
	buf[2 * HPAGE + 100] = 3;
	step("write to whole-armed THP 2");
	scan(buf + 2 * HPAGE, buf + 3 * HPAGE, &w, &h, false);
	printf("    THP 2 reads: %ld written pages, %ld huge pages\n", w, h);
	scan(buf + 2 * HPAGE, buf + 3 * HPAGE, &w, &h, true);
	step("THP 2 re-armed after the write");
	wp(uffd, buf + 2 * HPAGE, HPAGE, false);
	printf("    collapse of THP 2 after un-protect: %s\n",
	       collapse(buf + 2 * HPAGE) ? strerror(errno) : "ok");
	step("THP 2 un-protected and collapsed");
	scan(buf + 2 * HPAGE, buf + 3 * HPAGE, &w, &h, false);
	printf("    collapsed THP 2 reads: %ld written pages, %ld huge pages\n", w, h);
	wp(uffd, buf, 2 * HPAGE, false);
	collapse(buf);
	collapse(buf + HPAGE);
	wp(uffd, buf + 3 * HPAGE, HPAGE, false);
	step("THPs 0, 1, 3 un-protected and collapsed");

	/* the cycle udamon repeats on a hot THP */
	for (i = 0; i < cycles; i++) {
		char *p = buf + (4 + (size_t)i % (len / HPAGE - 4)) * HPAGE;

		t = now_us();
		scan(p, p + HPAGE, &w, &h, true);
		t_arm += now_us() - t;
		t = now_us();
		p[i * 64 % HPAGE] = 4;
		t_fault += now_us() - t;
		t = now_us();
		scan(p, p + HPAGE, &w, &h, false);
		t_scan += now_us() - t;
		if (h)
			fails++;	/* not split by the write */
		t = now_us();
		wp(uffd, p, HPAGE, false);
		t_unwp += now_us() - t;
		t = now_us();
		if (collapse(p))
			fails++;
		t_col += now_us() - t;
	}
	step("after the arm/write/check/un-protect/collapse cycles");
	printf("%d cycles, %d failed; per cycle (us): arm %.1f, split-fault %.1f, check %.1f, un-protect %.1f, collapse %.1f\n",
	       cycles, fails, t_arm / cycles, t_fault / cycles, t_scan / cycles,
	       t_unwp / cycles, t_col / cycles);
	close(uffd);
	step("uffd closed");

	/* memory registered before it is first touched */
	munmap(raw, len + HPAGE);
	raw = mmap(NULL, len + HPAGE, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	buf = (char *)(((uintptr_t)raw + HPAGE - 1) & ~(HPAGE - 1));
	madvise(buf, len, MADV_HUGEPAGE);
	uffd = new_uffd(UFFD_FEATURE_WP_ASYNC | UFFD_FEATURE_WP_UNPOPULATED);
	memset(buf, 1, len);
	step("new memory registered (WP_UNPOPULATED), then filled");
	scan(buf, buf + len, &w, &h, false);
	printf("    it reads: %ld written pages, %ld huge pages of %zu\n", w, h, len / 4096);
	buf[100] = 5;
	step("    one write to it");
	close(uffd);
	munmap(raw, len + HPAGE);
	raw = mmap(NULL, len + HPAGE, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	buf = (char *)(((uintptr_t)raw + HPAGE - 1) & ~(HPAGE - 1));
	madvise(buf, len, MADV_HUGEPAGE);
	uffd = new_uffd(UFFD_FEATURE_WP_ASYNC);
	memset(buf, 1, len);
	step("new memory registered (no WP_UNPOPULATED), then filled");
	close(uffd);
	return 0;
}
