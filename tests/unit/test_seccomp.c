// SPDX-License-Identifier: MIT
/*
 * The seccomp evaluator against hand-computed results and against the
 * kernel itself: each filter set is installed in a forked child's thread,
 * which makes the calls; the action the kernel took (process or thread
 * killed, SIGSYS with its data, an errno, success) must be the one
 * udamon_seccomp_eval predicts. Then through ptrace: the filters read
 * from a stopped child are the ones it installed, a call they would kill
 * or fail is never injected, and a userfaultfd is obtained through
 * /dev/userfaultfd from a child whose filter fails userfaultfd().
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/audit.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "primitives/compat.h"
#include "primitives/inject.h"
#include "primitives/seccomp.h"
#include "primitives/uffd_wp.h"

#define LD_ABS(off)	BPF_STMT(BPF_LD | BPF_W | BPF_ABS, (off))
#define JEQ(k, t, f)	BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, (k), (t), (f))
#define RET(k)		BPF_STMT(BPF_RET | BPF_K, (k))
#define NR		offsetof(struct seccomp_data, nr)
#define ARCH		offsetof(struct seccomp_data, arch)
#define IP_LO		offsetof(struct seccomp_data, instruction_pointer)
#define ARG_LO(i)	(offsetof(struct seccomp_data, args) + 8 * (i))
#define ARG_HI(i)	(ARG_LO(i) + 4)
#define N(a)		(sizeof(a) / sizeof((a)[0]))

/* ---- filters under test --------------------------------------------------- */

/* getppid(arg0): 1 EPERM, 2 TRAP(7), 3 KILL_THREAD, 4 KILL_PROCESS, 5 LOG,
 * 6 TRACE; getuid: ERRNO 5000 (capped at 4095). Wrong arch: kill. */
static struct sock_filter f_actions[] = {
	LD_ABS(ARCH),
	JEQ(AUDIT_ARCH_X86_64, 1, 0),
	RET(SECCOMP_RET_KILL_PROCESS),
	LD_ABS(NR),
	JEQ(SYS_getuid, 0, 1),
	RET(SECCOMP_RET_ERRNO | 5000),
	JEQ(SYS_getppid, 1, 0),
	RET(SECCOMP_RET_ALLOW),
	LD_ABS(ARG_LO(0)),
	JEQ(1, 0, 1), RET(SECCOMP_RET_ERRNO | EPERM),
	JEQ(2, 0, 1), RET(SECCOMP_RET_TRAP | 7),
	JEQ(3, 0, 1), RET(SECCOMP_RET_KILL_THREAD),
	JEQ(4, 0, 1), RET(SECCOMP_RET_KILL_PROCESS),
	JEQ(5, 0, 1), RET(SECCOMP_RET_LOG),
	JEQ(6, 0, 1), RET(SECCOMP_RET_TRACE),
	RET(SECCOMP_RET_ALLOW),
};

/*
 * getppid only: arg1's high word bit 0 set: EACCES; else ERRNO with the
 * value computed from arg2 by every ALU operation, scratch memory and X;
 * arg3 is a divisor (0 ends the program with 0: KILL_THREAD).
 */
static struct sock_filter f_alu[] = {
	LD_ABS(NR),
	JEQ(SYS_getppid, 1, 0),
	RET(SECCOMP_RET_ALLOW),
	LD_ABS(ARG_HI(1)),
	BPF_JUMP(BPF_JMP | BPF_JSET | BPF_K, 1, 0, 1),
	RET(SECCOMP_RET_ERRNO | EACCES),
	LD_ABS(ARG_LO(3)),
	BPF_STMT(BPF_MISC | BPF_TAX, 0),		/* X = divisor */
	LD_ABS(ARG_LO(2)),
	BPF_STMT(BPF_ALU | BPF_ADD | BPF_K, 3),
	BPF_STMT(BPF_ALU | BPF_MUL | BPF_K, 7),
	BPF_STMT(BPF_ALU | BPF_SUB | BPF_K, 2),
	BPF_STMT(BPF_ALU | BPF_XOR | BPF_K, 0x55),
	BPF_STMT(BPF_ALU | BPF_OR | BPF_K, 0x100),
	BPF_STMT(BPF_ALU | BPF_LSH | BPF_K, 2),
	BPF_STMT(BPF_ALU | BPF_RSH | BPF_K, 1),
	BPF_STMT(BPF_ST, 3),				/* M[3] = A */
	BPF_STMT(BPF_ALU | BPF_DIV | BPF_X, 0),	/* A /= X */
	BPF_STMT(BPF_ALU | BPF_ADD | BPF_X, 0),	/* A += X */
	BPF_STMT(BPF_LDX | BPF_MEM, 3),		/* X = M[3] */
	BPF_STMT(BPF_ALU | BPF_SUB | BPF_X, 0),	/* A -= X */
	BPF_STMT(BPF_ALU | BPF_NEG, 0),
	BPF_STMT(BPF_MISC | BPF_TAX, 0),
	BPF_STMT(BPF_MISC | BPF_TXA, 0),
	BPF_JUMP(BPF_JMP | BPF_JGT | BPF_K, 0x7fffffff, 0, 1),	/* negative? */
	BPF_STMT(BPF_ALU | BPF_NEG, 0),
	BPF_STMT(BPF_ALU | BPF_AND | BPF_K, 0xfff),
	BPF_JUMP(BPF_JMP | BPF_JGE | BPF_K, 1, 1, 0),
	RET(SECCOMP_RET_ALLOW),			/* A == 0: allowed */
	BPF_STMT(BPF_ALU | BPF_OR | BPF_K, SECCOMP_RET_ERRNO),
	BPF_STMT(BPF_RET | BPF_A, 0),
};

/* A newer filter: getppid(1) ENOENT (same action as EPERM: the newest
 * wins), (2) KILL_PROCESS (beats TRAP), (5) ERRNO (beats LOG), (7) TRAP 9,
 * (8) LOG; jumps on X. */
static struct sock_filter f_newer[] = {
	LD_ABS(NR),
	JEQ(SYS_getppid, 1, 0),
	RET(SECCOMP_RET_ALLOW),
	BPF_STMT(BPF_LDX | BPF_IMM, 2),
	LD_ABS(ARG_LO(0)),
	JEQ(1, 0, 1), RET(SECCOMP_RET_ERRNO | ENOENT),
	BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_X, 0, 0, 1), RET(SECCOMP_RET_KILL_PROCESS),
	JEQ(5, 0, 1), RET(SECCOMP_RET_ERRNO | EEXIST),
	JEQ(7, 0, 1), RET(SECCOMP_RET_TRAP | 9),
	JEQ(8, 0, 1), RET(SECCOMP_RET_LOG),
	BPF_STMT(BPF_JMP | BPF_JA, 1),
	RET(SECCOMP_RET_KILL_PROCESS),			/* jumped over */
	RET(SECCOMP_RET_ALLOW),
};

struct prog_set {
	const char *name;
	struct udamon_seccomp_prog progs[2];	/* [0] installed first */
	size_t nr;
};

static const struct prog_set sets[] = {
	{ "actions", { { f_actions, N(f_actions) } }, 1 },
	{ "alu", { { f_alu, N(f_alu) } }, 1 },
	{ "chain", { { f_actions, N(f_actions) }, { f_newer, N(f_newer) } }, 2 },
};

struct call {
	long nr;
	uint64_t args[6];
};

static const struct call calls[] = {
	{ SYS_getppid, { 0 } }, { SYS_getppid, { 1 } }, { SYS_getppid, { 2 } },
	{ SYS_getppid, { 3 } }, { SYS_getppid, { 4 } }, { SYS_getppid, { 5 } },
	{ SYS_getppid, { 6 } }, { SYS_getppid, { 7 } }, { SYS_getppid, { 8 } },
	{ SYS_getppid, { 0x100000001ULL } },	/* high word ignored by f_actions */
	{ SYS_getppid, { 0, 1ULL << 32 } }, { SYS_getppid, { 0, 2ULL << 32, 5, 1 } },
	{ SYS_getppid, { 0, 0, 5, 1 } }, { SYS_getppid, { 0, 0, 1000, 3 } },
	{ SYS_getppid, { 0, 0, 77, 0 } }, { SYS_getppid, { 0, 0, 0xfffffffe, 9 } },
	{ SYS_getppid, { 0, 0, 12345, 100 } }, { SYS_getppid, { 0, 0, 1, 4 } },
	{ SYS_getuid, { 0 } }, { SYS_getgid, { 0 } },
};

/* ---- what the kernel does --------------------------------------------------- */

enum outcome { O_ALLOWED, O_ERRNO, O_TRAP, O_KILL_THREAD, O_KILL_PROCESS };

struct result {
	enum outcome o;
	int data;	/* errno, or the TRAP's si_errno */
};

static volatile int trap_data = -1;

static void on_sigsys(int sig, siginfo_t *si, void *uc)
{
	trap_data = si->si_errno;
}

struct thread_arg {
	const struct prog_set *set;
	const struct call *call;
	int fd;
};

static void *call_thread(void *p)
{
	struct thread_arg *a = p;
	struct result r = { O_ALLOWED, 0 };
	struct sock_fprog fp;
	size_t i;
	long ret;

	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0))
		_exit(20);
	for (i = 0; i < a->set->nr; i++) {
		fp.len = (unsigned short)a->set->progs[i].len;
		fp.filter = a->set->progs[i].insns;
		/* this thread only: the rest of the process is unfiltered */
		if (syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, 0, &fp))
			_exit(21);
	}
	ret = syscall(a->call->nr, a->call->args[0], a->call->args[1],
		      a->call->args[2], a->call->args[3], a->call->args[4],
		      a->call->args[5]);
	if (trap_data >= 0) {
		r.o = O_TRAP;
		r.data = trap_data;
	} else if (ret < 0) {
		r.o = O_ERRNO;
		r.data = errno;
	}
	if (write(a->fd, &r, sizeof(r)) != sizeof(r))
		_exit(22);
	return NULL;
}

static struct result kernel_outcome(const struct prog_set *set,
				    const struct call *call)
{
	struct result r = { O_KILL_PROCESS, 0 };
	int fds[2], st;
	pid_t p;

	assert_int_equal(pipe(fds), 0);
	p = fork();
	if (p == 0) {
		struct sigaction sa = { .sa_sigaction = on_sigsys,
					.sa_flags = SA_SIGINFO };
		struct thread_arg a = { set, call, fds[1] };
		pthread_t t;

		prctl(PR_SET_DUMPABLE, 0);	/* no core dumps of the kills */
		sigaction(SIGSYS, &sa, NULL);
		if (pthread_create(&t, NULL, call_thread, &a) ||
		    pthread_join(t, NULL))
			_exit(23);
		_exit(0);
	}
	close(fds[1]);
	assert_int_equal(waitpid(p, &st, 0), p);
	if (read(fds[0], &r, sizeof(r)) != sizeof(r)) {
		if (WIFSIGNALED(st) && WTERMSIG(st) == SIGSYS)
			r.o = O_KILL_PROCESS;
		else if (WIFEXITED(st) && WEXITSTATUS(st) == 0)
			r.o = O_KILL_THREAD;	/* the thread died, not the rest */
		else
			fail_msg("child status %#x", st);
	} else {
		assert_true(WIFEXITED(st) && WEXITSTATUS(st) == 0);
	}
	close(fds[0]);
	return r;
}

/* What the kernel does on the return value udamon_seccomp_eval gives. */
static struct result predicted(uint32_t ret)
{
	struct result r = { O_ALLOWED, 0 };
	int data = (int)(ret & SECCOMP_RET_DATA);

	switch (ret & SECCOMP_RET_ACTION_FULL) {
	case SECCOMP_RET_KILL_PROCESS: r.o = O_KILL_PROCESS; break;
	case SECCOMP_RET_KILL_THREAD: r.o = O_KILL_THREAD; break;
	case SECCOMP_RET_TRAP: r.o = O_TRAP; r.data = data; break;
	case SECCOMP_RET_ERRNO:
		r.o = O_ERRNO;
		r.data = data > 4095 ? 4095 : data;
		break;
	case SECCOMP_RET_TRACE:		/* no tracer that wants it: ENOSYS */
		r.o = O_ERRNO;
		r.data = ENOSYS;
		break;
	case SECCOMP_RET_LOG:
	case SECCOMP_RET_ALLOW:
		break;
	default:
		r.o = O_KILL_PROCESS;
	}
	return r;
}

static void eval_set(const struct prog_set *set, const struct call *call,
		     uint32_t *ret)
{
	struct udamon_seccomp sc = {
		.mode = SECCOMP_MODE_FILTER,
		.progs = (struct udamon_seccomp_prog *)set->progs,
		.nr = set->nr,
	};
	struct seccomp_data d = { .nr = (int)call->nr,
				  .arch = AUDIT_ARCH_X86_64 };
	size_t i;

	for (i = 0; i < 6; i++)
		d.args[i] = call->args[i];
	assert_int_equal(udamon_seccomp_eval(&sc, &d, ret), 0);
}

static void test_against_kernel(void **state)
{
	unsigned int kinds[5] = { 0 };
	size_t s, c;

	(void)state;
	for (s = 0; s < N(sets); s++) {
		for (c = 0; c < N(calls); c++) {
			struct result k, p;
			uint32_t ret;

			eval_set(&sets[s], &calls[c], &ret);
			p = predicted(ret);
			k = kernel_outcome(&sets[s], &calls[c]);
			if (k.o != p.o || k.data != p.data)
				fail_msg("set %s, call %zu: udamon says %#x (outcome %d/%d), the kernel did %d/%d",
					 sets[s].name, c, ret, p.o, p.data, k.o,
					 k.data);
			kinds[k.o]++;
		}
	}
	print_message("%zu cases: %u allowed, %u errno, %u trap, %u thread killed, %u process killed; all as evaluated\n",
		      N(sets) * N(calls), kinds[O_ALLOWED], kinds[O_ERRNO],
		      kinds[O_TRAP], kinds[O_KILL_THREAD], kinds[O_KILL_PROCESS]);
	/* the cases cover every outcome */
	for (c = 0; c < 5; c++)
		assert_true(kinds[c] > 0);
}

/* ---- the interpreter by hand ------------------------------------------------- */

static uint32_t run1(const struct sock_filter *f, size_t len,
		     const struct seccomp_data *d)
{
	uint32_t ret = 0xdeadbeef;

	assert_int_equal(udamon_seccomp_run(f, len, d, &ret), 0);
	return ret;
}

static void test_interpreter(void **state)
{
	struct seccomp_data d = { .nr = 39, .arch = AUDIT_ARCH_X86_64,
				  .instruction_pointer = 0x7fff12345678ULL,
				  .args = { 0x1122334455667788ULL } };
	struct sock_filter ip[] = {
		LD_ABS(IP_LO + 4), JEQ(0x7fff, 0, 3),
		LD_ABS(IP_LO), JEQ(0x12345678, 0, 1),
		RET(SECCOMP_RET_ERRNO | 1), RET(SECCOMP_RET_ALLOW),
	};
	struct sock_filter words[] = {
		LD_ABS(ARG_HI(0)), BPF_STMT(BPF_MISC | BPF_TAX, 0),
		LD_ABS(ARG_LO(0)), BPF_STMT(BPF_ALU | BPF_SUB | BPF_X, 0),
		BPF_STMT(BPF_RET | BPF_A, 0),
	};
	struct sock_filter len[] = {
		BPF_STMT(BPF_LD | BPF_W | BPF_LEN, 0),
		BPF_STMT(BPF_LDX | BPF_W | BPF_LEN, 0),
		BPF_STMT(BPF_ALU | BPF_ADD | BPF_X, 0),
		BPF_STMT(BPF_RET | BPF_A, 0),
	};
	struct sock_filter shift_x[] = {	/* the kernel masks X to 5 bits */
		BPF_STMT(BPF_LD | BPF_IMM, 1),
		BPF_STMT(BPF_LDX | BPF_IMM, 33),
		BPF_STMT(BPF_ALU | BPF_LSH | BPF_X, 0),
		BPF_STMT(BPF_RET | BPF_A, 0),
	};
	struct sock_filter div0[] = {
		BPF_STMT(BPF_LD | BPF_IMM, 5),
		BPF_STMT(BPF_ALU | BPF_DIV | BPF_X, 0),
		RET(SECCOMP_RET_ALLOW),
	};
	/* what the kernel refuses to install */
	struct sock_filter bad_off[] = { LD_ABS(2), RET(0) };
	struct sock_filter bad_end[] = { LD_ABS(sizeof(d)), RET(0) };
	struct sock_filter bad_jump[] = { JEQ(0, 2, 0), RET(0) };
	struct sock_filter bad_ja[] = { BPF_STMT(BPF_JMP | BPF_JA, 1), RET(0) };
	struct sock_filter no_ret[] = { BPF_STMT(BPF_LD | BPF_IMM, 5) };
	struct sock_filter mod[] = {
		BPF_STMT(BPF_ALU | BPF_MOD | BPF_K, 3), RET(0),
	};
	struct sock_filter byte[] = {
		BPF_STMT(BPF_LD | BPF_B | BPF_ABS, 0), RET(0),
	};
	struct sock_filter div_k0[] = {
		BPF_STMT(BPF_ALU | BPF_DIV | BPF_K, 0), RET(0),
	};
	struct sock_filter mem_out[] = { BPF_STMT(BPF_ST, 16), RET(0) };
	uint32_t r;

	(void)state;
	assert_int_equal(run1(ip, N(ip), &d), SECCOMP_RET_ERRNO | 1);
	d.instruction_pointer++;
	assert_int_equal(run1(ip, N(ip), &d), SECCOMP_RET_ALLOW);
	assert_int_equal(run1(words, N(words), &d), 0x55667788U - 0x11223344U);
	assert_int_equal(run1(len, N(len), &d), 2 * sizeof(d));
	assert_int_equal(run1(shift_x, N(shift_x), &d), 2);
	assert_int_equal(run1(div0, N(div0), &d), 0);
	assert_int_equal(udamon_seccomp_run(bad_off, 2, &d, &r), -EINVAL);
	assert_int_equal(udamon_seccomp_run(bad_end, 2, &d, &r), -EINVAL);
	assert_int_equal(udamon_seccomp_run(bad_jump, 2, &d, &r), -EINVAL);
	assert_int_equal(udamon_seccomp_run(bad_ja, 2, &d, &r), -EINVAL);
	assert_int_equal(udamon_seccomp_run(no_ret, 1, &d, &r), -EINVAL);
	assert_int_equal(udamon_seccomp_run(mod, 2, &d, &r), -EINVAL);
	assert_int_equal(udamon_seccomp_run(byte, 2, &d, &r), -EINVAL);
	assert_int_equal(udamon_seccomp_run(div_k0, 2, &d, &r), -EINVAL);
	assert_int_equal(udamon_seccomp_run(mem_out, 2, &d, &r), -EINVAL);
}

static void test_precedence(void **state)
{
	static const uint32_t order[] = {	/* strongest first */
		SECCOMP_RET_KILL_PROCESS, SECCOMP_RET_KILL_THREAD,
		SECCOMP_RET_TRAP | 1, SECCOMP_RET_ERRNO | 2,
		SECCOMP_RET_USER_NOTIF, SECCOMP_RET_TRACE | 3,
		SECCOMP_RET_LOG, SECCOMP_RET_ALLOW,
	};
	struct sock_filter a[1], b[1];
	struct udamon_seccomp_prog progs[2] = { { a, 1 }, { b, 1 } };
	struct udamon_seccomp sc = { SECCOMP_MODE_FILTER, progs, 2 };
	struct seccomp_data d = { .nr = 1 };
	size_t i, j;
	uint32_t r;
	char msg[200];

	(void)state;
	for (i = 0; i < N(order); i++) {
		for (j = 0; j < N(order); j++) {
			a[0] = (struct sock_filter)RET(order[i]);
			b[0] = (struct sock_filter)RET(order[j]);
			assert_int_equal(udamon_seccomp_eval(&sc, &d, &r), 0);
			assert_int_equal(r, order[i < j ? i : j]);
			assert_int_equal(udamon_seccomp_allows(r),
					 (i < j ? i : j) >= 6);
		}
	}
	/* equal actions: the newest filter's data */
	a[0] = (struct sock_filter)RET(SECCOMP_RET_ERRNO | 1);
	b[0] = (struct sock_filter)RET(SECCOMP_RET_ERRNO | 2);
	assert_int_equal(udamon_seccomp_eval(&sc, &d, &r), 0);
	assert_int_equal(r, SECCOMP_RET_ERRNO | 2);
	/* no filter: allowed; strict mode: four calls */
	sc.nr = 0;
	assert_int_equal(udamon_seccomp_eval(&sc, &d, &r), 0);
	assert_int_equal(r, SECCOMP_RET_ALLOW);
	sc.mode = SECCOMP_MODE_STRICT;
	assert_int_equal(udamon_seccomp_eval(&sc, &d, &r), 0);	/* write */
	assert_true(udamon_seccomp_allows(r));
	d.nr = SYS_userfaultfd;
	assert_int_equal(udamon_seccomp_eval(&sc, &d, &r), 0);
	assert_int_equal(r, SECCOMP_RET_KILL_THREAD);

	udamon_seccomp_describe(SECCOMP_RET_ERRNO | EPERM, msg, sizeof(msg));
	assert_string_equal(msg, "SECCOMP_RET_ERRNO (it fails with EPERM: Operation not permitted)");
	udamon_seccomp_describe(SECCOMP_RET_KILL_PROCESS, msg, sizeof(msg));
	assert_string_equal(msg, "SECCOMP_RET_KILL_PROCESS (it kills the process)");
	udamon_seccomp_describe(0x00010000, msg, sizeof(msg));
	assert_non_null(strstr(msg, "unknown action 0x10000"));
}

/* ---- through ptrace -------------------------------------------------------- */

static int skip_unless_root(void)
{
	if (geteuid() != 0) {
		print_message("skipped: PTRACE_SECCOMP_GET_FILTER needs root\n");
		return 1;
	}
	return 0;
}

/* A child with filters installed, blocked in read() on ctl[0]. */
/* A signal handler that overwrites the stack below the interrupted code. */
static void scribble(int sig)
{
	volatile unsigned char junk[2048];
	size_t i;

	for (i = 0; i < sizeof(junk); i++)
		junk[i] = 0xa5;
}

static pid_t filtered_child(const struct prog_set *set, bool strict,
			    int ctl[2])
{
	int ready[2];
	char k;
	pid_t p;

	assert_int_equal(pipe(ready), 0);
	assert_int_equal(pipe(ctl), 0);
	p = fork();
	if (p == 0) {
		struct sock_fprog fp;
		size_t i;

		struct sigaction sa = { .sa_handler = scribble,
					.sa_flags = SA_RESTART };

		close(ready[0]);
		sigaction(SIGUSR1, &sa, NULL);
		if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0))
			_exit(20);
		for (i = 0; set && i < set->nr; i++) {
			fp.len = (unsigned short)set->progs[i].len;
			fp.filter = set->progs[i].insns;
			if (syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, 0, &fp))
				_exit(21);
		}
		if (strict && prctl(PR_SET_SECCOMP, SECCOMP_MODE_STRICT))
			_exit(22);
		if (write(ready[1], "r", 1) != 1)
			syscall(SYS_exit, 23);
		/* strict mode allows read, write and exit only */
		if (read(ctl[0], &k, 1) != 1)
			syscall(SYS_exit, 24);
		syscall(SYS_exit, k == 'q' ? 0 : 25);
	}
	close(ready[1]);
	assert_int_equal(read(ready[0], &k, 1), 1);
	close(ready[0]);
	return p;
}

static void end_child(pid_t p, int ctl[2])
{
	int st;

	assert_int_equal(write(ctl[1], "q", 1), 1);
	assert_int_equal(waitpid(p, &st, 0), p);
	assert_true(WIFEXITED(st));
	assert_int_equal(WEXITSTATUS(st), 0);
	close(ctl[0]);
	close(ctl[1]);
}

static void test_read_and_refuse(void **state)
{
	const struct prog_set *set = &sets[2];
	struct udamon_inject in;
	uint64_t args[6] = { 0 };
	char err[512];
	int ctl[2];
	long ret;
	size_t i;
	pid_t p;

	(void)state;
	if (skip_unless_root())
		skip();
	p = filtered_child(set, false, ctl);
	assert_int_equal(udamon_inject_attach(&in, p, 0, err, sizeof(err)), 0);
	assert_int_equal(in.seccomp.mode, SECCOMP_MODE_FILTER);
	assert_int_equal(in.seccomp.nr, set->nr);
	for (i = 0; i < set->nr; i++) {
		assert_int_equal(in.seccomp.progs[i].len, set->progs[i].len);
		assert_memory_equal(in.seccomp.progs[i].insns,
				    set->progs[i].insns,
				    set->progs[i].len * sizeof(struct sock_filter));
	}
	/* allowed: made */
	assert_int_equal(udamon_inject_syscall(&in, SYS_getppid, args, &ret), 0);
	assert_int_equal(ret, getpid());
	/* every other action: not made, still attached */
	for (args[0] = 1; args[0] <= 7; args[0]++) {
		assert_int_equal(udamon_inject_syscall(&in, SYS_getppid, args,
						       &ret), -EPERM);
		assert_true(in.seized);
	}
	print_message("%s\n", err);
	assert_non_null(strstr(err, "answer getppid() with SECCOMP_RET_TRAP"));
	args[0] = 8;	/* LOG: made */
	assert_int_equal(udamon_inject_syscall(&in, SYS_getppid, args, &ret), 0);
	assert_int_equal(ret, getpid());
	udamon_inject_detach(&in);
	end_child(p, ctl);	/* alive, its read() undisturbed */
}

static void test_strict_mode(void **state)
{
	struct udamon_inject in;
	uint64_t args[6] = { 0 };
	char err[512];
	int ctl[2];
	long ret;
	pid_t p;

	(void)state;
	if (skip_unless_root())
		skip();
	p = filtered_child(NULL, true, ctl);
	assert_int_equal(udamon_inject_attach(&in, p, 0, err, sizeof(err)), 0);
	assert_int_equal(in.seccomp.mode, SECCOMP_MODE_STRICT);
	assert_int_equal(udamon_inject_syscall(&in, SYS_getpid, args, &ret),
			 -EPERM);
	assert_non_null(strstr(err, "SECCOMP_RET_KILL_THREAD"));
	udamon_inject_detach(&in);
	end_child(p, ctl);
}

/*
 * A thread interrupted in nanosleep() resumes through restart_syscall().
 * Under a filter that kills on restart_syscall, it must restart its
 * nanosleep instead: never killed, and no sleep ends early.
 */
static void test_no_restart_syscall(void **state)
{
	static struct sock_filter f_norestart[] = {
		LD_ABS(NR), JEQ(SYS_restart_syscall, 0, 1),
		RET(SECCOMP_RET_KILL_PROCESS), RET(SECCOMP_RET_ALLOW),
	};
	struct udamon_seccomp_prog prog = { f_norestart, N(f_norestart) };
	struct udamon_inject in;
	uint64_t args[6] = { 0 };
	struct timespec ts = { 0, 3 * 1000 * 1000 };
	char err[512];
	int i, st;
	long ret;
	pid_t p;

	(void)state;
	if (skip_unless_root())
		skip();
	p = fork();
	if (p == 0) {
		struct sock_fprog fp = { (unsigned short)prog.len, prog.insns };
		struct timespec t0, t1, d = { 0, 20 * 1000 * 1000 };

		if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) ||
		    syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, 0, &fp))
			_exit(20);
		for (;;) {
			clock_gettime(CLOCK_MONOTONIC, &t0);
			if (nanosleep(&d, NULL))
				_exit(3);
			clock_gettime(CLOCK_MONOTONIC, &t1);
			if ((t1.tv_sec - t0.tv_sec) * 1000000000L +
			    t1.tv_nsec - t0.tv_nsec < d.tv_nsec)
				_exit(4);	/* woke early */
		}
	}
	for (i = 0; i < 30; i++) {
		nanosleep(&ts, NULL);
		if (udamon_inject_attach(&in, p, 0, err, sizeof(err)))
			fail_msg("attach %d: %s", i, err);
		if (i % 2 &&
		    udamon_inject_syscall(&in, SYS_getpid, args, &ret) == 0)
			assert_int_equal(ret, p);
		udamon_inject_detach(&in);
		assert_int_equal(waitpid(p, &st, WNOHANG), 0);
	}
	nanosleep(&ts, NULL);
	assert_int_equal(waitpid(p, &st, WNOHANG), 0);	/* alive */
	kill(p, SIGKILL);
	waitpid(p, &st, 0);
}

static int count_fds(pid_t p)
{
	char path[64];
	struct dirent *e;
	DIR *d;
	int n = 0;

	snprintf(path, sizeof(path), "/proc/%d/fd", p);
	d = opendir(path);
	assert_non_null(d);
	while ((e = readdir(d)))
		n += e->d_name[0] != '.';
	closedir(d);
	return n;
}

/* Median and maximum time of 21 steals (the injecting child's fork included). */
static void steal_cost(pid_t p, int pidfd, const char *way)
{
	double ms[21];
	struct timespec t0, t1;
	char err[512];
	int i, j, uffd;

	for (i = 0; i < 21; i++) {
		clock_gettime(CLOCK_MONOTONIC, &t0);
		if (udamon_uffd_steal(p, pidfd, &uffd, err, sizeof(err)))
			fail_msg("steal %d: %s", i, err);
		clock_gettime(CLOCK_MONOTONIC, &t1);
		close(uffd);
		ms[i] = (t1.tv_sec - t0.tv_sec) * 1e3 +
			(t1.tv_nsec - t0.tv_nsec) / 1e6;
		for (j = i; j > 0 && ms[j] < ms[j - 1]; j--) {
			double x = ms[j];

			ms[j] = ms[j - 1];
			ms[j - 1] = x;
		}
	}
	print_message("steal through %s: median %.2f ms, max %.2f ms (21 runs)\n",
		      way, ms[10], ms[20]);
}

/* userfaultfd() fails with EPERM: the uffd comes through /dev/userfaultfd */
static void test_device_route(void **state)
{
	static struct sock_filter f_eperm[] = {
		LD_ABS(NR), JEQ(SYS_userfaultfd, 0, 1),
		RET(SECCOMP_RET_ERRNO | EPERM), RET(SECCOMP_RET_ALLOW),
	};
	static const struct prog_set set = {
		"eperm", { { f_eperm, N(f_eperm) } }, 1
	};
	struct uffdio_api api = { .api = UFFD_API };
	char err[512];
	int ctl[2], pidfd, uffd = -1, before;
	pid_t p;

	(void)state;
	if (skip_unless_root())
		skip();
	if (access("/dev/userfaultfd", R_OK | W_OK)) {
		print_message("skipped: no /dev/userfaultfd\n");
		skip();
	}
	p = filtered_child(&set, false, ctl);
	before = count_fds(p);
	pidfd = (int)syscall(SYS_pidfd_open, p, 0);
	assert_true(pidfd >= 0);
	if (udamon_uffd_steal(p, pidfd, &uffd, err, sizeof(err)))
		fail_msg("%s", err);
	/* a working userfaultfd, and the child got nothing to keep */
	assert_int_equal(ioctl(uffd, UFFDIO_API, &api), 0);
	assert_int_equal(count_fds(p), before);
	close(uffd);

	/* its cost, and that of the userfaultfd() way for comparison */
	{
		int ctl2[2];
		pid_t plain = filtered_child(NULL, false, ctl2);
		int pidfd2 = (int)syscall(SYS_pidfd_open, plain, 0);

		assert_true(pidfd2 >= 0);
		steal_cost(p, pidfd, "/dev/userfaultfd");
		steal_cost(plain, pidfd2, "userfaultfd()");
		close(pidfd2);
		end_child(plain, ctl2);
	}

	/*
	 * Again, under a stream of signals whose handler overwrites the
	 * stack where the scratch memory lies: each try lays it out anew.
	 */
	{
		pid_t sender = fork();
		int i, st;

		if (sender == 0) {
			for (;;) {
				kill(p, SIGUSR1);
				usleep(50);
			}
		}
		for (i = 0; i < 20; i++) {
			struct uffdio_api api2 = { .api = UFFD_API };

			if (udamon_uffd_steal(p, pidfd, &uffd, err, sizeof(err)))
				fail_msg("steal %d under signals: %s", i, err);
			assert_int_equal(ioctl(uffd, UFFDIO_API, &api2), 0);
			close(uffd);
		}
		kill(sender, SIGKILL);
		waitpid(sender, &st, 0);
	}
	assert_int_equal(count_fds(p), before);
	close(pidfd);
	end_child(p, ctl);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_interpreter),
		cmocka_unit_test(test_precedence),
		cmocka_unit_test(test_against_kernel),
		cmocka_unit_test(test_read_and_refuse),
		cmocka_unit_test(test_strict_mode),
		cmocka_unit_test(test_no_restart_syscall),
		cmocka_unit_test(test_device_route),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
