// SPDX-License-Identifier: MIT
/* The attaching workers (ops/attach_pool.c). */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <pthread.h>
#include <signal.h>
#include <stdbool.h>
#include <stdlib.h>
#include <unistd.h>

#include "ops/attach_pool.h"

struct test_job {
	struct attach_job base;
	int n;
	bool ran;
	bool blocked;		/* its thread blocked every signal */
	pthread_t thread;
	int *gate;		/* spin until *gate (NULL: none) */
};

static void run(struct attach_job *base)
{
	struct test_job *j = (struct test_job *)base;
	sigset_t mask;

	while (j->gate && !__atomic_load_n(j->gate, __ATOMIC_ACQUIRE))
		usleep(1000);
	pthread_sigmask(SIG_BLOCK, NULL, &mask);
	j->blocked = sigismember(&mask, SIGINT) && sigismember(&mask, SIGTERM);
	j->thread = pthread_self();
	j->ran = true;
}

static struct test_job *job(int n, int *gate)
{
	struct test_job *j = calloc(1, sizeof(*j));

	assert_non_null(j);
	j->base.run = run;
	j->n = n;
	j->gate = gate;
	return j;
}

/* Every job runs once, off the calling thread, and comes back. */
static void test_all_come_back(void **state)
{
	struct attach_pool *p = attach_pool_new(4);
	bool seen[64] = { false };
	struct attach_job *j;
	int got = 0;

	(void)state;
	assert_non_null(p);
	assert_null(attach_pool_take(p));
	assert_null(attach_pool_wait(p));	/* nothing queued: no wait */
	for (int i = 0; i < 64; i++)
		assert_int_equal(attach_pool_submit(p, &job(i, NULL)->base), 0);
	while ((j = attach_pool_wait(p))) {
		struct test_job *t = (struct test_job *)j;

		assert_true(t->ran);
		assert_true(t->blocked);
		assert_false(pthread_equal(t->thread, pthread_self()));
		assert_false(seen[t->n]);
		seen[t->n] = true;
		got++;
		free(t);
	}
	assert_int_equal(got, 64);
	assert_int_equal(attach_pool_busy(p), 0);
	attach_pool_free(p, NULL);
}

/* take never waits: a job still running is not there yet. */
static void test_take_does_not_wait(void **state)
{
	struct attach_pool *p = attach_pool_new(1);
	int gate = 0;
	struct test_job *j = job(1, &gate);
	struct attach_job *got;

	(void)state;
	assert_int_equal(attach_pool_submit(p, &j->base), 0);
	for (int i = 0; i < 20; i++) {
		assert_null(attach_pool_take(p));
		usleep(1000);
	}
	assert_int_equal(attach_pool_busy(p), 1);
	__atomic_store_n(&gate, 1, __ATOMIC_RELEASE);
	got = attach_pool_wait(p);
	assert_ptr_equal(got, &j->base);
	free(j);
	attach_pool_free(p, NULL);
}

static int nr_dropped;

static void drop(struct attach_job *j)
{
	nr_dropped++;
	free(j);
}

/* free: the running job finishes, queued ones never run; all dropped. */
static void test_free_drops(void **state)
{
	struct attach_pool *p = attach_pool_new(1);
	int gate = 0;

	(void)state;
	nr_dropped = 0;
	assert_int_equal(attach_pool_submit(p, &job(0, &gate)->base), 0);
	for (int i = 1; i < 5; i++)
		assert_int_equal(attach_pool_submit(p, &job(i, NULL)->base), 0);
	usleep(20000);
	__atomic_store_n(&gate, 1, __ATOMIC_RELEASE);
	attach_pool_free(p, drop);
	assert_int_equal(nr_dropped, 5);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_all_come_back),
		cmocka_unit_test(test_take_does_not_wait),
		cmocka_unit_test(test_free_drops),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
