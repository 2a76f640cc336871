// SPDX-License-Identifier: MIT
/*
 * wbench: a write-heavy workload doing a fixed amount of work, for
 * measuring what monitoring costs the target. It prints its wall time and
 * its own CPU time on one line: "elapsed_s <s> cpu_s <s>".
 *
 *   wbench [--size BYTES_MiB] [--hot MiB] [--hot-pct P] [--writes N]
 *          [--threads T] [--think K] [--rhot MiB]
 *          [--wait-stdin | --wait-file PATH]
 *
 * Each thread makes N 8-byte writes: P% of them into a hot set of --hot
 * MiB, the rest anywhere in --size MiB, with K steps of arithmetic
 * between writes (the "work" a real program does around its stores).
 * With --rhot, each write comes with a read of a read-hot set of that size
 * placed after the hot set. With --wait-stdin, it prints "filled" once its
 * memory is written, then runs the timed work once for each line read from
 * stdin (printing the line above each time) and exits at end of file: so
 * that monitors can attach to the filled process, one after the other,
 * without filling it again (16 GiB take tens of seconds to fill). The CPU
 * time printed is then the process's total so far. With --wait-file, it
 * prints "filled" and runs the timed work once, when PATH exists.
 */
#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

struct bench {
	uint64_t size, hot, writes, think, rhot;
	unsigned int hot_pct, threads;
	uint64_t *buf;
};

static volatile uint64_t sink;

static uint64_t xorshift(uint64_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 7;
	*s ^= *s << 17;
	return *s;
}

static void *worker(void *arg)
{
	struct bench *b = arg;
	uint64_t seed = (uint64_t)(uintptr_t)&seed | 1, acc = 0;
	uint64_t words = b->size / 8, hot_words = b->hot / 8;
	uint64_t rhot_words = b->rhot / 8;

	for (uint64_t i = 0; i < b->writes; i++) {
		uint64_t r = xorshift(&seed);
		uint64_t w = (r % 100 < b->hot_pct) ? (r >> 8) % hot_words :
						      (r >> 8) % words;

		if (rhot_words)
			acc += b->buf[hot_words + (r >> 20) % rhot_words];

		for (uint64_t k = 0; k < b->think; k++)
			acc = acc * 6364136223846793005ull + k;
		b->buf[w] = acc + i;
	}
	sink = acc;
	return NULL;
}

static double now_s(void);

static void run(struct bench *b)
{
	pthread_t th[64];
	struct rusage ru;
	double t0 = now_s();

	for (unsigned int i = 0; i < b->threads; i++)
		pthread_create(&th[i], NULL, worker, b);
	for (unsigned int i = 0; i < b->threads; i++)
		pthread_join(th[i], NULL);
	getrusage(RUSAGE_SELF, &ru);
	printf("elapsed_s %.4f cpu_s %.4f\n", now_s() - t0,
	       ru.ru_utime.tv_sec + ru.ru_utime.tv_usec / 1e6 +
	       ru.ru_stime.tv_sec + ru.ru_stime.tv_usec / 1e6);
	fflush(stdout);
}

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static uint64_t arg_u64(int argc, char **argv, const char *name, uint64_t def)
{
	for (int i = 1; i + 1 < argc; i++)
		if (!strcmp(argv[i], name))
			return strtoull(argv[i + 1], NULL, 0);
	return def;
}

int main(int argc, char **argv)
{
	struct bench b = {
		.size = arg_u64(argc, argv, "--size", 256) << 20,
		.hot = arg_u64(argc, argv, "--hot", 4) << 20,
		.hot_pct = (unsigned int)arg_u64(argc, argv, "--hot-pct", 90),
		.writes = arg_u64(argc, argv, "--writes", 50000000),
		.threads = (unsigned int)arg_u64(argc, argv, "--threads", 1),
		.think = arg_u64(argc, argv, "--think", 20),
		.rhot = arg_u64(argc, argv, "--rhot", 0) << 20,
	};
	bool wait_stdin = false;
	const char *wait_file = NULL;
	char line[64];

	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--wait-stdin"))
			wait_stdin = true;
		if (!strcmp(argv[i], "--wait-file") && i + 1 < argc)
			wait_file = argv[i + 1];
	}
	if (b.threads < 1 || b.threads > 64 || b.hot + b.rhot > b.size ||
	    !b.hot) {
		fprintf(stderr, "wbench: bad arguments\n");
		return 2;
	}
	b.buf = mmap(NULL, b.size, PROT_READ | PROT_WRITE,
		     MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (b.buf == MAP_FAILED)
		return 2;
	memset(b.buf, 0, b.size);
	if (wait_file) {
		struct timespec ms = { 0, 1000000 };

		printf("filled\n");
		fflush(stdout);
		while (access(wait_file, F_OK))
			nanosleep(&ms, NULL);
	}
	if (!wait_stdin) {
		run(&b);
		return 0;
	}
	printf("filled\n");
	fflush(stdout);
	while (fgets(line, sizeof(line), stdin))
		run(&b);
	return 0;
}
