// SPDX-License-Identifier: MIT
/*
 * exact_track: the exact write tracker udamon is compared with
 * (bench/compare.py). Every private writable mapping of a process is
 * write-protected whole (userfaultfd async write-protect, as udamon's
 * primitives do it) and harvested with PAGEMAP_SCAN every interval, which
 * reads and re-arms every written page: CRIU- and Wine-style tracking.
 *
 *   exact_track PID INTERVAL_US OUT
 *
 * Runs until the process exits or SIGINT/SIGTERM, then writes OUT: a first
 * line "intervals N time_ns T dump_cpu_ns D" (T: CLOCK_MONOTONIC at the
 * last harvest; D: CPU time spent writing the files below, so that a
 * caller can leave it out of what tracking costs),
 * then "START END COUNT" (hex addresses) for each run of pages written in
 * COUNT of the N intervals (COUNT > 0). Each SIGUSR1 writes the counts so
 * far, in the same form, to OUT.1, OUT.2, ... after the next harvest, so
 * that the writes of a window of time are the difference of two of them.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>
#include <fcntl.h>

#include "ops/maps.h"
#include "primitives/uffd_wp.h"

#define PAGE	4096ULL

struct area {
	uint64_t start, end;
	uint32_t *counts;
};

static struct area *areas;
static size_t nr_areas;
static uint64_t intervals;
static uint64_t last_harvest_ns, dump_cpu_ns;
static volatile sig_atomic_t stop, dump;

static void on_signal(int sig)
{
	if (sig == SIGUSR1)
		dump++;
	else
		stop = 1;
}

static uint64_t now_ns(clockid_t clock)
{
	struct timespec ts;

	clock_gettime(clock, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

static struct area *area_of(uint64_t addr)
{
	for (size_t i = 0; i < nr_areas; i++)
		if (addr >= areas[i].start && addr < areas[i].end)
			return &areas[i];
	return NULL;
}

static int add_area(uint64_t start, uint64_t end)
{
	struct area *a = realloc(areas, (nr_areas + 1) * sizeof(*a));

	if (!a)
		return -ENOMEM;
	areas = a;
	a = &areas[nr_areas];
	a->start = start;
	a->end = end;
	a->counts = calloc((end - start) / PAGE, sizeof(uint32_t));
	if (!a->counts)
		return -ENOMEM;
	nr_areas++;
	return 0;
}

/* Count areas for the parts of [start, end) that no area covers yet. */
static int cover(uint64_t start, uint64_t end)
{
	uint64_t p = start;

	while (p < end) {
		struct area *a = area_of(p);
		uint64_t q = end;

		if (a) {
			p = a->end;
			continue;
		}
		for (size_t i = 0; i < nr_areas; i++)
			if (areas[i].start > p && areas[i].start < q)
				q = areas[i].start;
		if (add_area(p, q))
			return -ENOMEM;
		p = q;
	}
	return 0;
}

/* Follow the mappings: register and arm new ones, count areas for them. */
static int sync_maps(struct udamon_uffd_wp *w, int procfd, int pid)
{
	struct udamon_mapping *maps;
	struct udamon_range *wr;
	size_t nr, n = 0;
	char err[256];
	int ret;

	ret = udamon_maps_read(procfd, pid, &maps, &nr, err, sizeof(err));
	if (ret)
		return ret;
	wr = calloc(nr + 1, sizeof(*wr));
	if (!wr) {
		free(maps);
		return -ENOMEM;
	}
	for (size_t i = 0; i < nr; i++) {
		if (udamon_mapping_is_special(&maps[i]) ||
		    !udamon_mapping_is_private_writable(&maps[i]))
			continue;
		wr[n++] = (struct udamon_range){ maps[i].start, maps[i].end };
		if (cover(maps[i].start, maps[i].end))
			ret = -ENOMEM;
	}
	if (!ret)
		ret = udamon_uffd_wp_sync(w, wr, NULL, n);
	free(wr);
	free(maps);
	return ret < 0 ? ret : 0;
}

static int count_written(uint64_t start, uint64_t end, void *data)
{
	(void)data;
	for (uint64_t p = start & ~(PAGE - 1); p < end; p += PAGE) {
		struct area *a = area_of(p);

		if (a)
			a->counts[(p - a->start) / PAGE]++;
	}
	return 0;
}

static int write_out(const char *path)
{
	FILE *f = fopen(path, "w");

	if (!f)
		return -errno;
	fprintf(f, "intervals %llu time_ns %llu dump_cpu_ns %llu\n",
		(unsigned long long)intervals,
		(unsigned long long)last_harvest_ns,
		(unsigned long long)dump_cpu_ns);
	for (size_t i = 0; i < nr_areas; i++) {
		struct area *a = &areas[i];
		uint64_t n = (a->end - a->start) / PAGE, j = 0;

		while (j < n) {
			uint64_t k = j;

			while (k < n && a->counts[k] == a->counts[j])
				k++;
			if (a->counts[j])
				fprintf(f, "%llx %llx %u\n",
					(unsigned long long)(a->start + j * PAGE),
					(unsigned long long)(a->start + k * PAGE),
					a->counts[j]);
			j = k;
		}
	}
	return fclose(f) ? -errno : 0;
}

int main(int argc, char **argv)
{
	struct udamon_uffd_wp *w;
	struct timespec ts, left;
	char err[512], path[64], *dump_path;
	uint64_t interval_us, last_sync = 0;
	int pid, pidfd, procfd, ret, dumps = 0;

	if (argc != 4 || (pid = atoi(argv[1])) <= 0 ||
	    !(interval_us = strtoull(argv[2], NULL, 10))) {
		fprintf(stderr, "usage: exact_track PID INTERVAL_US OUT\n");
		return 2;
	}
	signal(SIGINT, on_signal);
	signal(SIGTERM, on_signal);
	signal(SIGUSR1, on_signal);
	dump_path = malloc(strlen(argv[3]) + 16);
	if (!dump_path)
		return 1;
	pidfd = (int)syscall(SYS_pidfd_open, pid, 0);
	snprintf(path, sizeof(path), "/proc/%d", pid);
	procfd = open(path, O_RDONLY | O_DIRECTORY);
	if (pidfd < 0 || procfd < 0) {
		fprintf(stderr, "exact_track: no process %d\n", pid);
		return 1;
	}
	ret = udamon_uffd_wp_open(pid, pidfd, &w, err, sizeof(err));
	if (ret) {
		fprintf(stderr, "exact_track: %s\n", err);
		return 1;
	}
	ts.tv_sec = (time_t)(interval_us / 1000000);
	ts.tv_nsec = (long)(interval_us % 1000000) * 1000;
	while (!stop && udamon_uffd_wp_mm_alive(w)) {
		/* the mappings, once a second (as udamon's ops update) */
		if (last_sync * interval_us >= 1000000 || !intervals) {
			if (sync_maps(w, procfd, pid) && !udamon_uffd_wp_mm_alive(w))
				break;
			last_sync = 0;
		}
		/* a whole interval, even when a SIGUSR1 cuts the sleep short */
		for (struct timespec t = ts; nanosleep(&t, &left) && !stop; )
			t = left;
		if (udamon_uffd_wp_harvest(w, count_written, NULL) < 0 &&
		    !udamon_uffd_wp_mm_alive(w))
			break;
		last_harvest_ns = now_ns(CLOCK_MONOTONIC);
		intervals++;
		last_sync++;
		while (dumps < dump) {
			uint64_t c0 = now_ns(CLOCK_PROCESS_CPUTIME_ID);

			sprintf(dump_path, "%s.%d", argv[3], ++dumps);
			if (write_out(dump_path))
				fprintf(stderr, "exact_track: cannot write %s\n",
					dump_path);
			dump_cpu_ns += now_ns(CLOCK_PROCESS_CPUTIME_ID) - c0;
		}
	}
	udamon_uffd_wp_close(w);
	ret = write_out(argv[3]);
	if (ret)
		fprintf(stderr, "exact_track: writing %s: %s\n", argv[3],
			strerror(-ret));
	return ret ? 1 : 0;
}
