// SPDX-License-Identifier: MIT
/*
 * A huge-page workload: maps MIB MiB, asks for transparent huge pages
 * (MADV_HUGEPAGE), fills it, then writes random 8-byte words in its first
 * WRITE_MIB MiB (the rest stays idle) from THREADS threads, for SECONDS
 * or for WRITES writes in all. It reads its own AnonHugePages
 * (/proc/self/smaps_rollup) every 200 ms and checks its data at the end
 * (every word holds its own index: a collapse or split that moved or lost
 * data makes it exit 1).
 *
 *   wl_thp [--mib N] [--write-mib N] [--threads N] [--seconds S]
 *          [--writes N] [--addr-file F]
 *
 * Prints one line: thp_start_kb thp_min_kb thp_mean_kb thp_end_kb (the
 * huge pages of the whole process, after the fill and while writing),
 * writes, elapsed_s (of the writing), cpu_s and sys_s (its own).
 * The address file gets "written START END" and "idle START END".
 */
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

#define HPAGE	(2UL << 20)

static uint64_t *buf;
static size_t nr_words, nr_written_words;
static atomic_int done;
static atomic_ullong total_writes;
static unsigned long long writes_each;

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static long thp_kb(void)
{
	char line[256];
	FILE *f = fopen("/proc/self/smaps_rollup", "r");
	long kb = -1;

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "AnonHugePages: %ld", &kb) == 1)
			break;
	fclose(f);
	return kb;
}

static void *writer(void *arg)
{
	uint64_t x = 0x9e3779b97f4a7c15ULL * ((uintptr_t)arg + 1);
	unsigned long long n = 0;

	while (!atomic_load_explicit(&done, memory_order_relaxed)) {
		for (int i = 0; i < 4096; i++) {
			size_t w;

			x ^= x << 13;
			x ^= x >> 7;
			x ^= x << 17;
			w = x % nr_written_words;
			buf[w] = (w << 8) | (x & 0xff);
		}
		n += 4096;
		if (writes_each && n >= writes_each)
			break;
	}
	atomic_fetch_add(&total_writes, n);
	return NULL;
}

static double cpu_s(int who, double *sys)
{
	struct rusage ru;

	getrusage(who, &ru);
	*sys = ru.ru_stime.tv_sec + ru.ru_stime.tv_usec / 1e6;
	return ru.ru_utime.tv_sec + ru.ru_utime.tv_usec / 1e6 + *sys;
}

int main(int argc, char **argv)
{
	size_t mib = 512, write_mib = 0, i;
	int threads = 1, bad = 0;
	double seconds = 10, t0, elapsed, sys, cpu, min_at = 0;
	unsigned long long writes = 0;
	long start_kb, min_kb, end_kb, kb, sum_kb = 0, nr_kb = 0;
	const char *addr_file = NULL;
	pthread_t tid[64];
	char *raw;

	for (int a = 1; a + 1 < argc; a += 2) {
		if (!strcmp(argv[a], "--mib"))
			mib = strtoul(argv[a + 1], NULL, 0);
		else if (!strcmp(argv[a], "--write-mib"))
			write_mib = strtoul(argv[a + 1], NULL, 0);
		else if (!strcmp(argv[a], "--threads"))
			threads = atoi(argv[a + 1]);
		else if (!strcmp(argv[a], "--seconds"))
			seconds = atof(argv[a + 1]);
		else if (!strcmp(argv[a], "--writes"))
			writes = strtoull(argv[a + 1], NULL, 0);
		else if (!strcmp(argv[a], "--addr-file"))
			addr_file = argv[a + 1];
		else {
			fprintf(stderr, "wl_thp: unknown option '%s'\n", argv[a]);
			return 2;
		}
	}
	if (!write_mib || write_mib > mib)
		write_mib = mib;
	if (!mib || threads < 1 || threads > 64) {
		fprintf(stderr, "wl_thp: --mib must be > 0 and --threads 1..64\n");
		return 2;
	}
	raw = mmap(NULL, (mib << 20) + HPAGE, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (raw == MAP_FAILED) {
		perror("wl_thp: mmap");
		return 2;
	}
	buf = (uint64_t *)(((uintptr_t)raw + HPAGE - 1) & ~(HPAGE - 1));
	madvise(buf, mib << 20, MADV_HUGEPAGE);
	nr_words = (mib << 20) / 8;
	nr_written_words = (write_mib << 20) / 8;
	for (i = 0; i < nr_words; i++)
		buf[i] = i << 8;
	if (addr_file) {
		FILE *f = fopen(addr_file, "w");

		if (!f) {
			perror("wl_thp: addr file");
			return 2;
		}
		fprintf(f, "written %#lx %#lx\n", (unsigned long)buf,
			(unsigned long)(buf + nr_written_words));
		if (write_mib < mib)
			fprintf(f, "idle %#lx %#lx\n",
				(unsigned long)(buf + nr_written_words),
				(unsigned long)(buf + nr_words));
		fclose(f);
	}
	start_kb = min_kb = thp_kb();
	writes_each = writes / (unsigned long long)threads;
	t0 = now();
	for (int t = 0; t < threads; t++)
		pthread_create(&tid[t], NULL, writer, (void *)(uintptr_t)t);
	while (writes ? atomic_load(&total_writes) < writes &&
			now() - t0 < 3600 : now() - t0 < seconds) {
		usleep(200 * 1000);
		kb = thp_kb();
		if (kb < min_kb) {
			min_kb = kb;
			min_at = now() - t0;
		}
		sum_kb += kb;
		nr_kb++;
		if (writes) {
			/* done when every writer is */
			unsigned long long w = atomic_load(&total_writes);

			if (w >= writes_each * (unsigned long long)threads)
				break;
		}
	}
	atomic_store(&done, 1);
	for (int t = 0; t < threads; t++)
		pthread_join(tid[t], NULL);
	elapsed = now() - t0;
	end_kb = thp_kb();
	for (i = 0; i < nr_words; i++)
		if (buf[i] >> 8 != i)
			bad++;
	cpu = cpu_s(RUSAGE_SELF, &sys);
	printf("thp_start_kb %ld thp_min_kb %ld thp_mean_kb %ld thp_end_kb %ld "
	       "thp_min_at_s %.1f writes %llu elapsed_s %.3f cpu_s %.3f "
	       "sys_s %.3f\n", start_kb, min_kb,
	       nr_kb ? sum_kb / nr_kb : start_kb, end_kb, min_at,
	       (unsigned long long)atomic_load(&total_writes), elapsed, cpu,
	       sys);
	if (bad) {
		fprintf(stderr, "wl_thp: %d words lost their value\n", bad);
		return 1;
	}
	return 0;
}
