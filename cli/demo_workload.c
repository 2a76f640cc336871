// SPDX-License-Identifier: MIT
/*
 * The demo's built-in workload: one private anonymous mapping in three
 * equal parts; a thread writes the first part continuously, a thread only
 * reads the second, the third stays idle after being filled once.
 */
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <unistd.h>

#include "cli/cli.h"
#include "cli/demo_workload.h"

static volatile uint64_t read_sink;

static void *writer(void *arg)
{
	struct demo_workload *w = arg;
	volatile uint8_t *p = (volatile uint8_t *)w->base;

	for (uint64_t round = 0;; round++)
		for (uint64_t off = 0; off < w->part; off += 512)
			p[off] = (uint8_t)(round + off);
	return NULL;
}

static void *reader(void *arg)
{
	struct demo_workload *w = arg;
	volatile uint8_t *p = (volatile uint8_t *)(w->base + w->part);
	uint64_t sum = 0;

	for (;;) {
		for (uint64_t off = 0; off < w->part; off += 512)
			sum += p[off];
		read_sink = sum;
	}
	return NULL;
}

static void child_main(struct demo_workload *w)
{
	pthread_t t;

	prctl(PR_SET_PDEATHSIG, SIGKILL);	/* never outlive the demo */
	memset((void *)w->base, 1, 3 * w->part);
	if (pthread_create(&t, NULL, writer, w) ||
	    pthread_create(&t, NULL, reader, w))
		_exit(2);
	for (;;)
		pause();
}

int demo_workload_start(struct demo_workload *w, uint64_t part_bytes)
{
	void *p = mmap(NULL, 3 * part_bytes, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	pid_t pid;

	if (p == MAP_FAILED)
		return cli_fail("demo: mmap: %s", strerror(errno));
	w->base = (uint64_t)(uintptr_t)p;
	w->part = part_bytes;
	fflush(NULL);
	pid = fork();
	if (pid < 0) {
		munmap(p, 3 * part_bytes);
		return cli_fail("demo: fork: %s", strerror(errno));
	}
	if (pid == 0)
		child_main(w);
	/* the child has its own copy at the same address */
	munmap(p, 3 * part_bytes);
	w->pid = pid;
	return 0;
}
