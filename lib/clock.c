// SPDX-License-Identifier: MIT
/* The real clock: CLOCK_MONOTONIC, nanosleep, the process's CPU time. */
#include <time.h>

#include "udamon/udamon.h"

uint64_t udamon_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

uint64_t udamon_thread_cpu_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

static uint64_t real_now_ns(void *data)
{
	(void)data;
	return udamon_now_ns();
}

/* A signal cuts the sleep short; the loop then sees ctx->stop. */
static void real_sleep_us(void *data, uint64_t us)
{
	struct timespec ts = {
		.tv_sec = (time_t)(us / 1000000),
		.tv_nsec = (long)(us % 1000000) * 1000,
	};

	(void)data;
	nanosleep(&ts, NULL);
}

static uint64_t real_cpu_ns(void *data)
{
	struct timespec ts;

	(void)data;
	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

const struct udamon_clock udamon_clock_real = {
	.now_ns = real_now_ns,
	.sleep_us = real_sleep_us,
	.data = NULL,
	.cpu_ns = real_cpu_ns,
};
