/* SPDX-License-Identifier: MIT */
/*
 * Syscall injection into a live, unmodified process through ptrace, the
 * way CRIU's compel does it: seize and interrupt one thread, save its
 * registers, run syscalls at a syscall instruction of the target's [vdso],
 * then put the thread back exactly where it was and detach.
 *
 * The thread is stopped only between attach and detach; every error path
 * restores and detaches. Signals that arrive meanwhile are delivered as if
 * the injection had not happened (the injection is then retried).
 */
#ifndef UDAMON_PRIMITIVES_INJECT_H
#define UDAMON_PRIMITIVES_INJECT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "primitives/arch/arch.h"
#include "primitives/seccomp.h"

struct udamon_inject {
	pid_t pid;		/* thread group */
	pid_t tid;		/* the seized thread */
	uint64_t syscall_pc;	/* a syscall instruction in the target */
	struct udamon_regs saved;	/* registers at the stop */
	bool seized;
	bool modified;		/* registers differ from saved */
	bool at_syscall_exit;	/* the last stop is our syscall's exit */
	unsigned int nr_signals;	/* signals delivered meanwhile */
	unsigned int nr_execs;	/* new programs the thread ran meanwhile */
	struct udamon_seccomp seccomp;	/* the seized thread's filters */
	char *err;
	size_t errlen;
};

/*
 * Seize and stop one thread of pid: tid, or when tid is 0 the thread that
 * is least disturbed by a stop (running, or blocked in a restartable call).
 * 0, or negative errno with a message in err: -ESRCH when the process is
 * gone or exits meanwhile, -EPERM when it cannot be traced.
 */
int udamon_inject_attach(struct udamon_inject *in, pid_t pid, pid_t tid,
			 char *err, size_t errlen);

/*
 * What the seized thread's seccomp filters do with nr(args) made at our
 * syscall instruction: 0 when they let it through (ALLOW or LOG), else
 * -EPERM with a message naming the call and the action; in both cases
 * their return value goes to *action (when not NULL). -EINVAL when a
 * filter cannot be run.
 */
int udamon_inject_check(struct udamon_inject *in, long nr,
			const uint64_t args[6], uint32_t *action);

/*
 * Run syscall nr(args) in the stopped thread. 0 with the syscall's return
 * value (negative errno as the target saw it) in *ret, or a negative errno
 * when the injection itself failed (the thread is then already detached,
 * except for -ECANCELED: the thread executed a new program while a signal
 * was delivered to it, so the call was not made; it is still stopped, in
 * its new program, and whatever the earlier calls did belongs to the old),
 * or -EPERM when the seccomp filters do not let the call through
 * (udamon_inject_check): the call is not made and the thread stays
 * attached. Every call is checked with its actual arguments first.
 */
int udamon_inject_syscall(struct udamon_inject *in, long nr,
			  const uint64_t args[6], long *ret);

/*
 * Lay out buf and the arguments of a call for scratch memory at addr in
 * the target (args holds the arguments given to udamon_inject_syscall_mem).
 */
typedef void udamon_inject_fill_fn(uint64_t addr, void *buf, uint64_t args[6],
				   void *data);

/*
 * udamon_inject_syscall with len bytes (at most 1024) of scratch memory on
 * the thread's stack, below its red zone: memory that any signal delivered
 * to the thread may overwrite, so nothing lives there. Before each try
 * (a signal delivered meanwhile may move the stack or overwrite it),
 * fill() lays out buf and the arguments and buf is written there; after
 * the call, buf holds what the syscall left there. Errors writing or
 * reading the memory leave the thread attached.
 */
int udamon_inject_syscall_mem(struct udamon_inject *in, long nr,
			      const uint64_t args[6], void *buf, size_t len,
			      udamon_inject_fill_fn *fill, void *data,
			      long *ret);

/* Restore the registers and let the thread go. Safe to call twice. */
int udamon_inject_detach(struct udamon_inject *in);

/* Find a syscall instruction in pid's [vdso] (or other code): 0 or -errno. */
int udamon_inject_find_syscall(pid_t pid, uint64_t *pc, char *err,
			       size_t errlen);

#endif /* UDAMON_PRIMITIVES_INJECT_H */
