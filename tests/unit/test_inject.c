// SPDX-License-Identifier: MIT
/*
 * ptrace syscall injection into children that sleep, block in read(), spin
 * on registers, take queued signals meanwhile, or sit group-stopped: every
 * injected getpid() must return the child's pid, and every child checks
 * its own view (sleeps last as long as asked, reads return the data in
 * order, registers never change under it, no signal is lost) and exits 0.
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "udamon/ops.h"
#include "primitives/inject.h"

#define ROUNDS	100

struct shared {
	atomic_int quit;
	atomic_int signals;
	atomic_int ready;
	atomic_int chain_pid;	/* the exec chain's process */
	atomic_int chain_status;	/* its wait status, once chain_done */
	atomic_int chain_done;
};

static struct shared *sh;
static int data_pipe[2];

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + ts.tv_nsec;
}

/* ---- children ---------------------------------------------------------- */

static void sleeper(void)
{
	while (!atomic_load(&sh->quit)) {
		struct timespec ts = { 0, 5 * 1000 * 1000 };
		uint64_t t0 = now_ns();

		if (nanosleep(&ts, NULL))
			_exit(3);	/* interrupted: the restart failed */
		if (now_ns() - t0 < 5 * 1000 * 1000)
			_exit(4);	/* woke early */
	}
	_exit(0);
}

static void reader(void)
{
	uint64_t want = 1, v;

	for (;;) {
		ssize_t n = read(data_pipe[0], &v, sizeof(v));

		if (n != sizeof(v))
			_exit(5);
		if (v == UINT64_MAX)
			break;
		if (v != want++)
			_exit(6);
	}
	_exit(0);
}

static void spinner(void)
{
	uint64_t x = 1, y = 1;

	while (!atomic_load(&sh->quit)) {
		x = x * 6364136223846793005ULL + 1442695040888963407ULL;
		__asm__ volatile("" : "+r"(x));
		y = y * 6364136223846793005ULL + 1442695040888963407ULL;
		__asm__ volatile("" : "+r"(y));
		if (x != y)
			_exit(7);
	}
	_exit(0);
}

static void on_rt(int sig)
{
	(void)sig;
	atomic_fetch_add(&sh->signals, 1);
}

static void signalled_reader(void)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_rt;
	sa.sa_flags = SA_RESTART;
	sigaction(SIGRTMIN, &sa, NULL);
	atomic_store(&sh->ready, 1);
	reader();
}

static void *thread_sleeper(void *arg)
{
	(void)arg;
	for (;;)
		pause();
	return NULL;
}

static void threaded_reader(void)
{
	pthread_t t[3];
	int i;

	for (i = 0; i < 3; i++)
		pthread_create(&t[i], NULL, thread_sleeper, NULL);
	atomic_store(&sh->ready, 1);
	reader();
}

static pid_t spawn(void (*fn)(void))
{
	pid_t p;

	atomic_store(&sh->quit, 0);
	atomic_store(&sh->signals, 0);
	atomic_store(&sh->ready, 0);
	assert_int_equal(pipe(data_pipe), 0);
	p = fork();
	assert_true(p >= 0);
	if (p == 0) {
		close(data_pipe[1]);
		fn();
		_exit(0);
	}
	close(data_pipe[0]);
	return p;
}

static int finish(pid_t p)
{
	uint64_t end = UINT64_MAX;
	int st;

	atomic_store(&sh->quit, 1);
	if (write(data_pipe[1], &end, sizeof(end)) < 0)
		(void)0;	/* a child that does not read */
	close(data_pipe[1]);
	assert_int_equal(waitpid(p, &st, 0), p);
	return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}

/* One attach, getpid, detach; returns 0 if it all worked. */
static int inject_getpid(pid_t pid, pid_t tid, double *ms)
{
	uint64_t args[6] = { 0 }, t0 = now_ns();
	struct udamon_inject in;
	char err[256];
	long ret = 0;
	int r;

	r = udamon_inject_attach(&in, pid, tid, err, sizeof(err));
	if (r) {
		print_message("attach %d: %s\n", pid, err);
		return r;
	}
	r = udamon_inject_syscall(&in, SYS_getpid, args, &ret);
	if (r) {
		print_message("inject %d: %s\n", pid, err);
		return r;
	}
	udamon_inject_detach(&in);
	if (ms)
		*ms += (now_ns() - t0) / 1e6;
	return ret == pid ? 0 : -EPROTO;
}

static void run_rounds(pid_t p, bool feed)
{
	uint64_t v = 1;
	double ms = 0;
	int i;

	for (i = 0; i < ROUNDS; i++) {
		assert_int_equal(inject_getpid(p, 0, &ms), 0);
		if (feed && (i % 3) == 0) {
			assert_int_equal(write(data_pipe[1], &v, sizeof(v)),
					 sizeof(v));
			v++;
		}
		if (i % 10 == 0)
			usleep(200);
	}
	print_message("%d injections, %.3f ms each\n", ROUNDS, ms / ROUNDS);
}

/* ---- tests ------------------------------------------------------------- */

static void test_sleeping(void **state)
{
	pid_t p = spawn(sleeper);

	(void)state;
	usleep(20000);
	run_rounds(p, false);
	assert_int_equal(finish(p), 0);
}

static void test_blocked_in_read(void **state)
{
	pid_t p = spawn(reader);

	(void)state;
	usleep(20000);
	run_rounds(p, true);
	assert_int_equal(finish(p), 0);
}

static void test_running(void **state)
{
	pid_t p = spawn(spinner);

	(void)state;
	usleep(20000);
	run_rounds(p, false);
	assert_int_equal(finish(p), 0);
}

/* Injected syscalls and detaches race with a stream of queued signals. */
static void test_signals_meanwhile(void **state)
{
	pid_t p = spawn(signalled_reader), sender;
	uint64_t v = 1;
	double ms = 0;
	int i, st;

	(void)state;
	while (!atomic_load(&sh->ready))
		usleep(1000);
	atomic_store(&sh->ready, 0);	/* now: signals sent */
	sender = fork();
	assert_true(sender >= 0);
	if (sender == 0) {
		union sigval sv = { 0 };

		while (!atomic_load(&sh->quit)) {
			if (sigqueue(p, SIGRTMIN, sv) == 0)
				atomic_fetch_add(&sh->ready, 1);
			usleep(20);
		}
		_exit(0);
	}
	for (i = 0; i < 3 * ROUNDS; i++) {
		assert_int_equal(inject_getpid(p, 0, &ms), 0);
		if (i % 2) {
			assert_int_equal(write(data_pipe[1], &v, sizeof(v)),
					 sizeof(v));
			v++;
		}
	}
	atomic_store(&sh->quit, 1);
	assert_int_equal(waitpid(sender, &st, 0), sender);
	/* queued signals: each must have been delivered exactly once */
	for (i = 0; i < 1000 && atomic_load(&sh->signals) <
	     atomic_load(&sh->ready); i++)
		usleep(1000);
	print_message("%d signals sent meanwhile, %d handled; %.3f ms per injection\n",
		      atomic_load(&sh->ready), atomic_load(&sh->signals),
		      ms / (3 * ROUNDS));
	assert_true(atomic_load(&sh->ready) > 0);
	assert_int_equal(atomic_load(&sh->signals), atomic_load(&sh->ready));
	assert_int_equal(finish(p), 0);
}

static void test_threads_pick_and_given_tid(void **state)
{
	pid_t p = spawn(threaded_reader);
	int i;

	(void)state;
	while (!atomic_load(&sh->ready))
		usleep(1000);
	usleep(10000);
	for (i = 0; i < 20; i++)
		assert_int_equal(inject_getpid(p, 0, NULL), 0);
	/* each named thread: getpid() is still the process id */
	{
		int *tids = NULL;
		size_t n = 0, k;

		assert_int_equal(udamon_vaddr_threads(p, &tids, &n), 0);
		assert_int_equal(n, 4);
		assert_int_equal(tids[0], p);	/* sorted; leader first */
		for (k = 0; k < n; k++)
			assert_int_equal(inject_getpid(p, tids[k], NULL), 0);
		free(tids);
	}
	assert_int_equal(finish(p), 0);
}

static char proc_state(pid_t p)
{
	char path[64], buf[512], *s;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/stat", p);
	f = fopen(path, "r");
	if (!f)
		return '?';
	if (!fgets(buf, sizeof(buf), f))
		buf[0] = 0;
	fclose(f);
	s = strrchr(buf, ')');
	return s ? s[2] : '?';
}

static void test_group_stopped_stays_stopped(void **state)
{
	pid_t p = spawn(sleeper);
	int i;

	(void)state;
	usleep(20000);
	kill(p, SIGSTOP);
	for (i = 0; i < 100 && proc_state(p) != 'T'; i++)
		usleep(1000);
	assert_int_equal(proc_state(p), 'T');
	assert_int_equal(inject_getpid(p, 0, NULL), 0);
	usleep(20000);
	assert_int_equal(proc_state(p), 'T');
	kill(p, SIGCONT);
	usleep(20000);
	assert_int_equal(finish(p), 0);
}

/*
 * The exec chain: this test binary run as "--exec-chain N" executes itself
 * N times, about 0.3 ms apart, then exits 0.
 */
#define CHAIN_EXECS	100
#define CHAIN_STR	"100"

static void exec_chain_step(const char *arg)
{
	struct timespec ts = { 0, 300 * 1000 };
	int n = (int)strtol(arg, NULL, 10);
	char left[16];

	nanosleep(&ts, NULL);
	if (n <= 0)
		_exit(0);
	snprintf(left, sizeof(left), "%d", n - 1);
	execl("/proc/self/exe", "test_inject", "--exec-chain", left,
	      (char *)NULL);
	_exit(9);
}

/* The chain runs under a parent of its own, as a command under udamon. */
static pid_t start_chain(void)
{
	pid_t m = fork(), c;
	int st;

	assert_true(m >= 0);
	if (m)
		return m;
	c = fork();
	if (c == 0)
		exec_chain_step(CHAIN_STR);
	atomic_store(&sh->chain_pid, c);
	waitpid(c, &st, 0);
	atomic_store(&sh->chain_status, st);
	atomic_store(&sh->chain_done, 1);
	_exit(0);
}

/*
 * Injections while the process executes new programs in quick succession:
 * each seize meets the chain at a random point (in execve(), just after
 * it, in the loader). No injection may ever run the old program's code
 * address in a new program (this killed the target with SIGSEGV), and each
 * getpid() that is made returns the pid.
 */
static void test_exec_chain(void **state)
{
	unsigned int ok = 0, tries = 0;
	pid_t m, c;
	int st;

	(void)state;
	atomic_store(&sh->chain_pid, 0);
	atomic_store(&sh->chain_done, 0);
	m = start_chain();
	while (!(c = atomic_load(&sh->chain_pid)))
		usleep(100);
	while (!atomic_load(&sh->chain_done)) {
		uint64_t args[6] = { 0 };
		struct udamon_inject in;
		char err[256];
		long ret = 0;

		/* meet the chain at a different point each time */
		usleep((useconds_t)(tries++ * 7919 % 500));
		if (udamon_inject_attach(&in, c, 0, err, sizeof(err)))
			continue;
		if (!udamon_inject_syscall(&in, SYS_getpid, args, &ret)) {
			assert_int_equal(ret, c);
			ok++;
		}
		udamon_inject_detach(&in);
	}
	assert_int_equal(waitpid(m, &st, 0), m);
	st = atomic_load(&sh->chain_status);
	print_message("%u of %u injections into a %d-exec chain made\n", ok,
		      tries, CHAIN_EXECS);
	if (WIFSIGNALED(st))
		fail_msg("the exec chain was killed by signal %d", WTERMSIG(st));
	assert_true(WIFEXITED(st));
	assert_int_equal(WEXITSTATUS(st), 0);
	assert_true(ok > 0);
}

static void test_errors(void **state)
{
	struct udamon_inject in, in2;
	uint64_t args[6] = { 0 };
	char err[256], err2[256];
	long ret;
	pid_t p;
	int st;

	(void)state;
	/* no such process */
	p = fork();
	if (p == 0)
		_exit(0);
	waitpid(p, &st, 0);
	assert_int_equal(udamon_inject_attach(&in, p, 0, err, sizeof(err)),
			 -ESRCH);
	assert_non_null(strstr(err, "process"));

	/* already traced */
	p = spawn(sleeper);
	usleep(10000);
	assert_int_equal(udamon_inject_attach(&in, p, 0, err, sizeof(err)), 0);
	assert_int_equal(udamon_inject_attach(&in2, p, in.tid, err2,
					      sizeof(err2)), -EPERM);
	assert_non_null(strstr(err2, "tracer"));
	udamon_inject_detach(&in);
	assert_int_equal(finish(p), 0);

	/* the target dies while attached */
	p = spawn(sleeper);
	usleep(10000);
	assert_int_equal(udamon_inject_attach(&in, p, 0, err, sizeof(err)), 0);
	kill(p, SIGKILL);
	assert_int_equal(udamon_inject_syscall(&in, SYS_getpid, args, &ret),
			 -ESRCH);
	assert_non_null(strstr(err, "exited"));
	assert_false(in.seized);
	udamon_inject_detach(&in);	/* harmless */
	/* its exit was collected: no traced zombie is left behind */
	waitpid(p, &st, 0);
	assert_int_equal(kill(p, 0), -1);
	assert_int_equal(errno, ESRCH);
	close(data_pipe[1]);
}

int main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_sleeping),
		cmocka_unit_test(test_blocked_in_read),
		cmocka_unit_test(test_running),
		cmocka_unit_test(test_signals_meanwhile),
		cmocka_unit_test(test_threads_pick_and_given_tid),
		cmocka_unit_test(test_group_stopped_stays_stopped),
		cmocka_unit_test(test_exec_chain),
		cmocka_unit_test(test_errors),
	};

	if (argc == 3 && !strcmp(argv[1], "--exec-chain"))
		exec_chain_step(argv[2]);

	sh = mmap(NULL, sizeof(*sh), PROT_READ | PROT_WRITE,
		  MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (sh == MAP_FAILED)
		return 1;
	signal(SIGPIPE, SIG_IGN);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
