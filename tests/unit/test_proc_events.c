// SPDX-License-Identifier: MIT
/* Process events from the proc connector (primitives/proc_events.c). */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <errno.h>
#include <pthread.h>
#include <stdbool.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "primitives/proc_events.h"

struct seen {
	int child;
	bool fork, exec, exit;
	bool thread_as_process;
};

static void on_event(const struct udamon_proc_event *e, void *data)
{
	struct seen *s = data;

	if (e->pid == s->child && e->kind == UDAMON_PROC_FORK &&
	    e->ppid == getpid())
		s->fork = true;
	if (e->pid == s->child && e->kind == UDAMON_PROC_EXEC)
		s->exec = true;
	if (e->pid == s->child && e->kind == UDAMON_PROC_EXIT)
		s->exit = true;
	/* a new thread of ours must not read as a new process */
	if (e->kind == UDAMON_PROC_FORK && e->ppid == getpid() &&
	    e->pid != s->child)
		s->thread_as_process = true;
}

static void *idle_thread(void *arg)
{
	return arg;
}

/* Drain until done() or about 2 s. */
static void drain_until(struct udamon_proc_events *ev, struct seen *s,
			bool (*done)(const struct seen *))
{
	for (int i = 0; i < 200 && !done(s); i++) {
		struct timespec ts = { 0, 10 * 1000 * 1000 };

		assert_true(udamon_proc_events_drain(ev, on_event, s) >= 0);
		nanosleep(&ts, NULL);
	}
}

static bool all_seen(const struct seen *s)
{
	return s->fork && s->exec && s->exit;
}

static void test_fork_exec_exit(void **state)
{
	struct udamon_proc_events *ev;
	struct seen s = { 0 };
	pthread_t th;
	char err[256];
	int status;

	(void)state;
	if (udamon_proc_events_open(&ev, err, sizeof(err))) {
		print_message("skipped: %s\n", err);
		skip();
	}
	/* nothing happened: an empty, non-blocking drain */
	assert_true(udamon_proc_events_drain(ev, on_event, &s) >= 0);
	assert_int_equal(pthread_create(&th, NULL, idle_thread, NULL), 0);
	pthread_join(th, NULL);
	s.child = fork();
	if (s.child == 0) {
		execl("/bin/true", "true", (char *)NULL);
		_exit(127);
	}
	assert_true(s.child > 0);
	assert_int_equal(waitpid(s.child, &status, 0), s.child);
	drain_until(ev, &s, all_seen);
	assert_true(s.fork);
	assert_true(s.exec);
	assert_true(s.exit);
	assert_false(s.thread_as_process);
	udamon_proc_events_close(ev);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_fork_exec_exit),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
