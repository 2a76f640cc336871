// SPDX-License-Identifier: MIT
/*
 * One monitor per process: a second claim on a process is refused with the
 * holder's pid, from another process and from the same one; a released
 * claim, or one whose holder was killed, can be taken again.
 */
#include <errno.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "primitives/target_lock.h"

static pid_t sleeper(void)
{
	pid_t p = fork();

	assert_true(p >= 0);
	if (p == 0) {
		pause();
		_exit(0);
	}
	return p;
}

static void end(pid_t p)
{
	kill(p, SIGKILL);
	waitpid(p, NULL, 0);
}

static void test_second_claim(void **state)
{
	struct udamon_target_lock *a, *b;
	char err[256], want[64];
	pid_t target = sleeper();

	(void)state;
	assert_int_equal(udamon_target_lock(target, &a, err, sizeof(err)), 0);
	if (!a) {
		end(target);
		skip();		/* no place for locks here */
	}
	/* the same process, a second time */
	assert_int_equal(udamon_target_lock(target, &b, err, sizeof(err)),
			 -EBUSY);
	snprintf(want, sizeof(want), "monitored by udamon process %d",
		 (int)getpid());
	assert_non_null(strstr(err, want));
	udamon_target_unlock(a);
	assert_int_equal(udamon_target_lock(target, &b, err, sizeof(err)), 0);
	assert_non_null(b);
	udamon_target_unlock(b);
	end(target);
}

static void test_holder_dies(void **state)
{
	struct udamon_target_lock *a;
	pid_t target = sleeper(), holder;
	int go[2], st;
	char err[256], want[64], c;

	(void)state;
	assert_int_equal(pipe(go), 0);
	holder = fork();
	assert_true(holder >= 0);
	if (holder == 0) {
		close(go[0]);
		if (udamon_target_lock(target, &a, err, sizeof(err)) || !a)
			_exit(1);
		if (write(go[1], "x", 1) != 1)
			_exit(1);
		pause();
		_exit(0);
	}
	close(go[1]);
	if (read(go[0], &c, 1) != 1) {
		waitpid(holder, &st, 0);
		end(target);
		skip();
	}
	close(go[0]);
	assert_int_equal(udamon_target_lock(target, &a, err, sizeof(err)),
			 -EBUSY);
	snprintf(want, sizeof(want), "monitored by udamon process %d",
		 (int)holder);
	assert_non_null(strstr(err, want));
	end(holder);	/* killed: it never released its claim */
	assert_int_equal(udamon_target_lock(target, &a, err, sizeof(err)), 0);
	udamon_target_unlock(a);
	end(target);
}

static void test_gone(void **state)
{
	struct udamon_target_lock *a;
	char err[256];
	pid_t p = sleeper();

	(void)state;
	end(p);
	assert_int_equal(udamon_target_lock(p, &a, err, sizeof(err)), -ESRCH);
	assert_non_null(strstr(err, "no process"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_second_claim),
		cmocka_unit_test(test_holder_dies),
		cmocka_unit_test(test_gone),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
