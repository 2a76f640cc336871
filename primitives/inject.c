// SPDX-License-Identifier: MIT
/*
 * ptrace syscall injection (see inject.h).
 *
 * Stops seen while we hold a thread (PTRACE_SEIZE with TRACESYSGOOD and
 * TRACEEXEC):
 *   event stop       PTRACE_EVENT_STOP: our interrupt or a group-stop; the
 *                    thread sits in get_signal() with its own registers.
 *   exec stop        PTRACE_EVENT_EXEC: the thread has just replaced its
 *                    program (it was in execve() when we seized it, or a
 *                    signal handler we let run executed one).
 *   syscall stop     SIGTRAP|0x80: entry or exit of the injected syscall.
 *   signal stop      anything else: a signal is being delivered.
 * A signal that arrives before the injected syscall starts is delivered
 * with the saved registers put back (so the kernel's own restart logic
 * sees the original state), then the thread is interrupted again and the
 * syscall retried.
 *
 * Exec: registers and the syscall instruction's address are taken only at
 * an event stop, never before it: a thread seized in the middle of an exec
 * chain shows its new program's registers and [vdso] there. (Picking the
 * address before the stop let the target jump to where the old program's
 * [vdso] was, and die of SIGSEGV, when it executed a new program between
 * the two.) An injected call never runs in a program other than the one
 * it was prepared for: a thread that executes a new program meanwhile
 * ends the call with -ECANCELED, not made.
 *
 * Detaching after an injected syscall goes through one more event stop:
 * with the saved registers back, the thread leaves the syscall-exit stop,
 * traps in get_signal() and there the kernel restarts the interrupted call
 * (or delivers a pending signal) exactly as if we had never been there.
 * The explicit restart fix-up (udamon_arch_restart_fixup) is the fallback
 * when that trap cannot be had.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ptrace.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <time.h>
#include <sys/wait.h>
#include <unistd.h>

#include "primitives/inject.h"
#include "primitives/proc_tasks.h"
#include "primitives/procfs.h"

#define MAX_SIGNAL_RETRIES	64

enum stop_kind { STOP_EVENT, STOP_EXEC, STOP_SYSCALL, STOP_SIGNAL };

static int fail(struct udamon_inject *in, int ret, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static int fail(struct udamon_inject *in, int ret, const char *fmt, ...)
{
	va_list ap;

	if (in->err && in->errlen) {
		va_start(ap, fmt);
		vsnprintf(in->err, in->errlen, fmt, ap);
		va_end(ap);
	}
	return ret;
}

/* ---- finding a syscall instruction ------------------------------------ */

static int scan_code(pid_t pid, uint64_t start, uint64_t end, uint64_t *pc)
{
	const size_t n = udamon_arch_syscall_insn_len;
	unsigned char buf[65536];
	uint64_t addr;

	for (addr = start; addr < end; addr += sizeof(buf) - n) {
		size_t len = end - addr < sizeof(buf) ? end - addr : sizeof(buf);
		struct iovec local = { buf, len }, remote = { (void *)addr, len };
		ssize_t got = process_vm_readv(pid, &local, 1, &remote, 1, 0);
		ssize_t i;

		if (got < (ssize_t)n)
			return -EIO;
		for (i = 0; i + (ssize_t)n <= got; i++) {
			if (!memcmp(buf + i, udamon_arch_syscall_insn, n)) {
				*pc = addr + i;
				return 0;
			}
		}
		if ((size_t)got < len)
			return -EIO;
		if (len < sizeof(buf))
			break;
	}
	return -ENOENT;
}

/* A syscall instruction in the code that thread tid of pid sees now. */
static int find_syscall(pid_t pid, pid_t tid, uint64_t *pc, char *err,
			size_t errlen)
{
	char path[96], line[512];
	int pass, ret = -ENOENT;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/task/%d/maps", pid, tid);
	/* First the [vdso]; failing that, any executable mapping. */
	for (pass = 0; pass < 2 && ret; pass++) {
		f = fopen(path, "re");
		if (!f) {
			ret = -errno;
			if (ret == -ENOENT) {
				snprintf(err, errlen, "no process with pid %d",
					 pid);
				return -ESRCH;
			}
			snprintf(err, errlen, "cannot read %s: %s", path,
				 strerror(-ret));
			return ret;
		}
		while (ret && fgets(line, sizeof(line), f)) {
			unsigned long long s, e;
			char perms[8];

			if (sscanf(line, "%llx-%llx %7s", &s, &e, perms) != 3)
				continue;
			if (perms[2] != 'x' || perms[0] != 'r')
				continue;
			if (pass == 0 && !strstr(line, "[vdso]"))
				continue;
			if (pass == 1 && strstr(line, "[vsyscall]"))
				continue;
			ret = scan_code(tid, s, e, pc);
		}
		fclose(f);
	}
	if (ret)
		snprintf(err, errlen,
			 "no syscall instruction found in the code of process %d",
			 pid);
	return ret;
}

int udamon_inject_find_syscall(pid_t pid, uint64_t *pc, char *err,
			       size_t errlen)
{
	return find_syscall(pid, pid, pc, err, errlen);
}

/* ---- choosing a thread ------------------------------------------------ */

/* Blocked in one of these, a thread resumes its call after a ptrace stop. */
static const long restartable[] = {
	SYS_read, SYS_write, SYS_readv, SYS_writev, SYS_pread64,
	SYS_pwrite64, SYS_clock_nanosleep, SYS_futex, SYS_wait4, SYS_waitid,
	SYS_ppoll, SYS_pselect6, SYS_rt_sigsuspend, SYS_accept4,
	SYS_recvfrom, SYS_recvmsg, SYS_sendto, SYS_sendmsg, SYS_connect,
	SYS_flock, SYS_fcntl,
#ifdef SYS_nanosleep
	SYS_nanosleep,
#endif
#ifdef SYS_pause
	SYS_pause,
#endif
#ifdef SYS_poll
	SYS_poll,
#endif
#ifdef SYS_select
	SYS_select,
#endif
#ifdef SYS_accept
	SYS_accept,
#endif
};

/* 0: unusable (zombie), 1: stop may disturb it, 2: blocked safely, 3: running */
static int thread_score(pid_t pid, pid_t tid)
{
	char path[96], buf[512], *p;
	size_t i;
	long nr;

	snprintf(path, sizeof(path), "/proc/%d/task/%d/stat", pid, tid);
	if (udamon_proc_read(AT_FDCWD, path, buf, sizeof(buf)) <= 0)
		return 0;
	p = strrchr(buf, ')');
	if (!p || p[1] != ' ')
		return 0;
	switch (p[2]) {
	case 'R':
		return 3;
	case 'Z':
	case 'X':
	case 'x':
		return 0;
	case 'S':
	case 'D':
		break;
	default:
		return 1;
	}
	snprintf(path, sizeof(path), "/proc/%d/task/%d/syscall", pid, tid);
	if (udamon_proc_read(AT_FDCWD, path, buf, sizeof(buf)) <= 0)
		return 1;
	if (!strncmp(buf, "running", 7))
		return 3;
	nr = strtol(buf, NULL, 10);
	for (i = 0; i < sizeof(restartable) / sizeof(restartable[0]); i++)
		if (restartable[i] == nr)
			return 2;
	return 1;
}

struct cand {
	pid_t tid;
	int score;
};

static int cmp_cand(const void *a, const void *b)
{
	const struct cand *x = a, *y = b;

	if (x->score != y->score)
		return y->score - x->score;
	return x->tid - y->tid;
}

/* Threads of pid, best first. */
static int list_candidates(pid_t pid, struct cand **out, size_t *nr)
{
	struct cand *c;
	int *tids;
	size_t i, n;
	int ret;

	ret = udamon_proc_tids(pid, &tids, &n);
	if (ret)
		return ret;
	c = malloc((n ? n : 1) * sizeof(*c));
	if (!c) {
		free(tids);
		return -ENOMEM;
	}
	for (i = 0; i < n; i++) {
		c[i].tid = tids[i];
		c[i].score = thread_score(pid, tids[i]);
	}
	free(tids);
	qsort(c, n, sizeof(*c), cmp_cand);
	*out = c;
	*nr = n;
	return 0;
}

/* ---- stops -------------------------------------------------------------- */

/*
 * Our thread, not the leader, is no longer there. If it executed a program
 * it now has the leader's id, and its exec stop comes under that id.
 */
static bool took_leader_id(struct udamon_inject *in, int *status)
{
	for (int i = 0; i < 100 && in->tid != in->pid; i++) {
		struct timespec ts = { 0, 1000 * 1000 };
		pid_t r = waitpid(in->pid, status, __WALL | WNOHANG);

		if (r == in->pid) {
			in->tid = in->pid;
			return true;
		}
		if (r < 0)
			return false;	/* not ours: it was not our thread */
		nanosleep(&ts, NULL);
	}
	return false;
}

/* Wait for the next stop of our thread: its kind and signal, or -ESRCH. */
static int wait_stop(struct udamon_inject *in, enum stop_kind *kind, int *sig)
{
	int status;

	for (;;) {
		pid_t r = waitpid(in->tid, &status, __WALL);

		if (r < 0 && errno == ECHILD && took_leader_id(in, &status))
			r = in->tid;
		if (r < 0) {
			if (errno == EINTR)
				continue;
			in->seized = false;
			return fail(in, -ESRCH, "process %d: lost thread %d: %s",
				    in->pid, in->tid, strerror(errno));
		}
		if (WIFEXITED(status) || WIFSIGNALED(status)) {
			in->seized = false;
			return fail(in, -ESRCH,
				    "process %d exited while udamon was attaching to it",
				    in->pid);
		}
		if (!WIFSTOPPED(status))
			continue;
		*sig = WSTOPSIG(status);
		if ((status >> 16) == PTRACE_EVENT_STOP)
			*kind = STOP_EVENT;
		else if ((status >> 16) == PTRACE_EVENT_EXEC)
			*kind = STOP_EXEC;
		else if (*sig == (SIGTRAP | 0x80))
			*kind = STOP_SYSCALL;
		else
			*kind = STOP_SIGNAL;
		return 0;
	}
}

/*
 * The seized thread died (SIGKILL): collect its exit notice, so that its
 * real parent gets it and no traced zombie is left behind us.
 */
static void reap_gone(struct udamon_inject *in)
{
	int status;

	if (!in->seized)
		return;
	in->seized = false;
	for (;;) {
		pid_t r = waitpid(in->tid, &status, __WALL);

		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0 || WIFEXITED(status) || WIFSIGNALED(status))
			return;
		/* Still alive and stopped after all: let it go. */
		ptrace(PTRACE_DETACH, in->tid, 0, 0);
		return;
	}
}

static int ptrace_err(struct udamon_inject *in, const char *what)
{
	int e = errno;

	if (e == ESRCH)
		reap_gone(in);
	if (e == ESRCH)
		return fail(in, -ESRCH,
			    "process %d exited while udamon was attaching to it",
			    in->pid);
	return fail(in, -e, "process %d, thread %d: ptrace %s: %s", in->pid,
		    in->tid, what, strerror(e));
}

static int set_regs(struct udamon_inject *in, const struct udamon_regs *r)
{
	int ret = udamon_arch_set_regs(in->tid, r);

	if (!ret)
		return 0;
	errno = -ret;
	return ptrace_err(in, "SETREGS");
}

/*
 * Interrupt the (running) thread and wait for the event stop, delivering
 * any signal that is in the way and letting an exec complete. Saves the
 * registers found there and finds a syscall instruction in the program
 * the thread runs then (the only moment both are known to belong to it).
 */
static void keep_restart_allowed(struct udamon_inject *in);

static int interrupt_and_save(struct udamon_inject *in)
{
	enum stop_kind kind;
	int sig, ret;

	if (ptrace(PTRACE_INTERRUPT, in->tid, 0, 0) < 0)
		return ptrace_err(in, "INTERRUPT");
	for (;;) {
		ret = wait_stop(in, &kind, &sig);
		if (ret)
			return ret;
		if (kind == STOP_EVENT)
			break;
		if (kind == STOP_EXEC) {
			/* a new program: stop again once it is in place */
			in->nr_execs++;
			if (ptrace(PTRACE_INTERRUPT, in->tid, 0, 0) < 0)
				return ptrace_err(in, "INTERRUPT");
		}
		/* A signal on its way: let it be delivered normally. */
		if (kind == STOP_SIGNAL)
			in->nr_signals++;
		if (ptrace(PTRACE_CONT, in->tid, 0,
			   kind == STOP_SIGNAL ? sig : 0) < 0)
			return ptrace_err(in, "CONT");
	}
	in->at_syscall_exit = false;
	in->modified = false;
	ret = udamon_arch_get_regs(in->tid, &in->saved);
	if (ret) {
		errno = -ret;
		return ptrace_err(in, "GETREGS");
	}
	keep_restart_allowed(in);
	return find_syscall(in->pid, in->tid, &in->syscall_pc, in->err,
			    in->errlen);
}

static void detach_now(struct udamon_inject *in, int sig)
{
	if (ptrace(PTRACE_DETACH, in->tid, 0, sig) < 0 && errno != ESRCH) {
		/* Not stopped? Should not happen: make sure it runs. */
		kill(in->tid, 0);
	}
	in->seized = false;
}

int udamon_inject_detach(struct udamon_inject *in)
{
	enum stop_kind kind;
	int sig = 0, ret = 0;

	udamon_seccomp_free(&in->seccomp);
	if (!in->seized)
		return 0;
	if (in->modified && udamon_arch_set_regs(in->tid, &in->saved) < 0 &&
	    errno == ESRCH) {
		reap_gone(in);
		return -ESRCH;
	}
	in->modified = false;
	if (!in->at_syscall_exit) {
		detach_now(in, 0);
		return 0;
	}
	/* Leave the syscall-exit stop through an event stop (see top). */
	if (ptrace(PTRACE_INTERRUPT, in->tid, 0, 0) == 0 &&
	    ptrace(PTRACE_CONT, in->tid, 0, 0) == 0) {
		ret = wait_stop(in, &kind, &sig);
		if (ret)
			return ret;
		if (kind == STOP_SIGNAL) {
			detach_now(in, sig);	/* deliver it, registers are ours */
			return 0;
		}
		if (kind == STOP_EVENT || kind == STOP_EXEC) {
			detach_now(in, 0);
			return 0;
		}
		/* A syscall stop cannot come here; fall back below. */
	}
	{
		struct udamon_regs r = in->saved;

		udamon_arch_restart_fixup(&r);
		udamon_arch_set_regs(in->tid, &r);
	}
	detach_now(in, 0);
	return ret;
}

int udamon_inject_attach(struct udamon_inject *in, pid_t pid, pid_t tid,
			 char *err, size_t errlen)
{
	struct cand *c = NULL, one;
	size_t nr = 0, i;
	int ret;

	memset(in, 0, sizeof(*in));
	in->pid = pid;
	in->err = err;
	in->errlen = errlen;
	if (err && errlen)
		err[0] = 0;

	if (tid) {
		one.tid = tid;
		one.score = 1;
		c = &one;
		nr = 1;
	} else {
		ret = list_candidates(pid, &c, &nr);
		if (ret)
			return fail(in, ret == -ESRCH ? -ESRCH : ret,
				    "cannot list the threads of process %d: %s",
				    pid, strerror(-ret));
	}
	ret = -ESRCH;
	fail(in, ret, "process %d has no thread that can be stopped", pid);
	for (i = 0; i < nr; i++) {
		if (!tid && c[i].score == 0)
			continue;
		in->tid = c[i].tid;
		if (ptrace(PTRACE_SEIZE, in->tid, 0,
			   PTRACE_O_TRACESYSGOOD | PTRACE_O_TRACEEXEC) < 0) {
			if (errno == ESRCH)
				continue;	/* thread gone; try another */
			ret = fail(in, -errno,
				   "cannot trace process %d: %s (is another tracer attached, see TracerPid in /proc/%d/status?)",
				   pid, strerror(errno), pid);
			break;
		}
		in->seized = true;
		ret = interrupt_and_save(in);
		if (!ret)
			ret = udamon_arch_check(&in->saved, err, errlen);
		/* the filters can be read only now, with the thread stopped */
		if (!ret)
			ret = udamon_seccomp_read(in->tid, &in->seccomp, err,
						  errlen);
		if (!ret)
			keep_restart_allowed(in);
		if (!ret)
			break;
		udamon_inject_detach(in);
		if (ret != -ESRCH || tid)
			break;
	}
	if (c != &one)
		free(c);
	if (!ret && err && errlen)
		err[0] = 0;
	return ret;
}

/*
 * Tests only: UDAMON_TEST_INJECT_PAUSE_MS holds the target stopped with
 * borrowed registers that long, so that a test can kill udamon right in
 * the window where a dying tracer would hurt the target.
 */
static void test_pause_borrowed(void)
{
	const char *v = getenv("UDAMON_TEST_INJECT_PAUSE_MS");
	long ms = v ? strtol(v, NULL, 10) : 0;
	struct timespec ts;

	if (ms <= 0 || ms > 10000)
		return;
	ts.tv_sec = ms / 1000;
	ts.tv_nsec = (ms % 1000) * 1000000L;
	while (nanosleep(&ts, &ts) && errno == EINTR)
		;
}

/* ---- seccomp ------------------------------------------------------------ */

/* The filters' answer to nr(args) made at the instruction before ip. */
static int eval_at(const struct udamon_inject *in, long nr, uint64_t ip,
		   const uint64_t args[6], uint32_t *act)
{
	struct seccomp_data d = {
		.nr = (int)nr,
		.arch = udamon_arch_audit_arch,
		.instruction_pointer = ip,
	};
	int i;

	for (i = 0; i < 6; i++)
		d.args[i] = args[i];
	return udamon_seccomp_eval(&in->seccomp, &d, act);
}

/*
 * A thread stopped in a call that resumes through restart_syscall()
 * (nanosleep, poll, a futex wait with a timeout...) makes that call when
 * it is let go, through its seccomp filters. Where they would not let
 * restart_syscall() through, it runs its interrupted call again instead
 * (a relative timeout then starts over): it is never killed for our stop.
 */
static void keep_restart_allowed(struct udamon_inject *in)
{
	uint64_t args[6], pc;
	uint32_t act;
	long nr;

	if (in->seccomp.mode == SECCOMP_MODE_DISABLED ||
	    !udamon_arch_restart_block(&in->saved, &nr, &pc, args))
		return;
	if (!eval_at(in, SYS_restart_syscall, pc, args, &act) &&
	    udamon_seccomp_allows(act))
		return;
	udamon_arch_restart_in_place(&in->saved);
	in->modified = true;	/* put back at detach */
}

int udamon_inject_check(struct udamon_inject *in, long nr,
			const uint64_t args[6], uint32_t *action)
{
	char what[160], name[40];
	uint32_t act;
	int ret;

	/* the kernel sees the address after the syscall instruction */
	ret = eval_at(in, nr, in->syscall_pc + udamon_arch_syscall_insn_len,
		      args, &act);
	if (ret)
		return fail(in, ret,
			    "process %d, thread %d: a seccomp filter cannot be evaluated (an instruction the kernel does not accept); %s is not made",
			    in->pid, in->tid,
			    udamon_seccomp_syscall_name(nr, name, sizeof(name)));
	if (action)
		*action = act;
	if (udamon_seccomp_allows(act))
		return 0;
	udamon_seccomp_describe(act, what, sizeof(what));
	return fail(in, -EPERM,
		    "the seccomp filters of process %d (thread %d) answer %s with %s",
		    in->pid, in->tid,
		    udamon_seccomp_syscall_name(nr, name, sizeof(name)), what);
}

/* ---- scratch memory ----------------------------------------------------- */

#define MAX_SCRATCH	1024

struct scratch {
	void *buf;
	size_t len;
	udamon_inject_fill_fn *fill;
	void *data;
	uint64_t addr;
};

static int scratch_io(struct udamon_inject *in, struct scratch *m, bool write)
{
	struct iovec local = { m->buf, m->len };
	struct iovec remote = { (void *)(uintptr_t)m->addr, m->len };
	ssize_t n;

	if (write)
		n = process_vm_writev(in->pid, &local, 1, &remote, 1, 0);
	else
		n = process_vm_readv(in->pid, &local, 1, &remote, 1, 0);
	if (n == (ssize_t)m->len)
		return 0;
	return fail(in, n < 0 ? -errno : -EFAULT,
		    "process %d, thread %d: cannot %s %zu bytes of scratch memory below its stack pointer (at %#llx): %s",
		    in->pid, in->tid, write ? "write" : "read", m->len,
		    (unsigned long long)m->addr,
		    n < 0 ? strerror(errno) : "short transfer");
}

/* Below the red zone of the stack the saved registers show, 16-aligned. */
static uint64_t scratch_addr(const struct udamon_inject *in, size_t len)
{
	return (udamon_arch_sp(&in->saved) - udamon_arch_red_zone - len) &
	       ~(uint64_t)15;
}

/* ---- injecting ---------------------------------------------------------- */

static int do_syscall(struct udamon_inject *in, long nr,
		      const uint64_t args0[6], struct scratch *m, long *ret)
{
	unsigned int execs = in->nr_execs;
	struct udamon_regs r;
	enum stop_kind kind;
	uint64_t args[6];
	int sig, err, tries = 0, entered = 0;

	if (!in->seized)
		return fail(in, -ESRCH, "process %d: not attached", in->pid);
retry:
	memcpy(args, args0, sizeof(args));
	if (m) {
		m->addr = scratch_addr(in, m->len);
		m->fill(m->addr, m->buf, args, m->data);
	}
	err = udamon_inject_check(in, nr, args, NULL);
	if (err)
		return err;	/* not made; still attached */
	if (m) {
		err = scratch_io(in, m, true);
		if (err)
			return err;
	}
	r = in->saved;
	udamon_arch_setup_syscall(&r, in->syscall_pc, nr, args);
	err = set_regs(in, &r);
	if (err)
		goto out_fail;
	in->modified = true;
	in->at_syscall_exit = false;
	test_pause_borrowed();
	for (;;) {
		if (ptrace(PTRACE_SYSCALL, in->tid, 0, 0) < 0) {
			err = ptrace_err(in, "SYSCALL");
			goto out_fail;
		}
		err = wait_stop(in, &kind, &sig);
		if (err)
			return err;
		if (kind == STOP_SYSCALL) {
			if (entered++)
				break;	/* exit stop */
			continue;
		}
		if (kind == STOP_EVENT)
			continue;	/* group-stop: keep going */
		if (kind == STOP_EXEC) {
			/* cannot come from our call; never touch the new program */
			in->nr_execs++;
			in->modified = false;
			err = fail(in, -ECANCELED,
				   "process %d executed a new program during an injected syscall",
				   in->pid);
			goto out_fail;
		}
		if (entered) {
			err = fail(in, -EPROTO,
				   "process %d: unexpected signal %d inside an injected syscall",
				   in->pid, sig);
			goto out_fail;
		}
		/* Deliver the signal on the original registers, then retry. */
		err = set_regs(in, &in->saved);
		if (err)
			goto out_fail;
		in->modified = false;
		in->nr_signals++;
		if (ptrace(PTRACE_CONT, in->tid, 0, sig) < 0) {
			err = ptrace_err(in, "CONT");
			goto out_fail;
		}
		err = interrupt_and_save(in);
		if (err)
			goto out_fail;
		if (in->nr_execs != execs)
			return fail(in, -ECANCELED,
				    "process %d executed a new program during an injected syscall; it was not made",
				    in->pid);
		if (++tries > MAX_SIGNAL_RETRIES) {
			err = fail(in, -EAGAIN,
				   "process %d: too many signals during injection",
				   in->pid);
			goto out_fail;
		}
		goto retry;
	}
	in->at_syscall_exit = true;
	err = udamon_arch_get_regs(in->tid, &r);
	if (err) {
		errno = -err;
		err = ptrace_err(in, "GETREGS");
		goto out_fail;
	}
	*ret = udamon_arch_syscall_result(&r);
	if (m)
		return scratch_io(in, m, false);
	return 0;

out_fail:
	if (in->seized)
		udamon_inject_detach(in);
	return err;
}

int udamon_inject_syscall(struct udamon_inject *in, long nr,
			  const uint64_t args[6], long *ret)
{
	return do_syscall(in, nr, args, NULL, ret);
}

int udamon_inject_syscall_mem(struct udamon_inject *in, long nr,
			      const uint64_t args[6], void *buf, size_t len,
			      udamon_inject_fill_fn *fill, void *data,
			      long *ret)
{
	struct scratch m = { buf, len, fill, data, 0 };

	if (!len || len > MAX_SCRATCH)
		return fail(in, -EINVAL, "scratch memory of %zu bytes", len);
	return do_syscall(in, nr, args, &m, ret);
}
