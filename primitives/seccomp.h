/* SPDX-License-Identifier: MIT */
/*
 * The seccomp filters of a thread, read through ptrace and run in user
 * space, so that syscall injection only makes the calls the target's
 * filters let through: a call a filter would kill, trap, fail or hand to
 * a supervisor is never made.
 *
 * The kernel runs every filter of the thread's chain on each syscall and
 * takes the action of highest precedence (KILL_PROCESS, KILL_THREAD, TRAP,
 * ERRNO, USER_NOTIF, TRACE, LOG, ALLOW; among equal actions the newest
 * filter's return value). udamon_seccomp_eval does the same.
 */
#ifndef UDAMON_PRIMITIVES_SECCOMP_H
#define UDAMON_PRIMITIVES_SECCOMP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>
#include <linux/filter.h>
#include <linux/seccomp.h>

struct udamon_seccomp_prog {
	struct sock_filter *insns;
	size_t len;
};

struct udamon_seccomp {
	int mode;		/* SECCOMP_MODE_DISABLED, _STRICT or _FILTER */
	struct udamon_seccomp_prog *progs;	/* [0] the oldest filter */
	size_t nr;
};

/*
 * Read the seccomp state of thread tid, which the caller must hold in a
 * ptrace stop (PTRACE_SECCOMP_GET_FILTER needs CAP_SYS_ADMIN and a caller
 * not under seccomp itself). 0, or negative errno with a message.
 */
int udamon_seccomp_read(pid_t tid, struct udamon_seccomp *sc, char *err,
			size_t errlen);
void udamon_seccomp_free(struct udamon_seccomp *sc);

/*
 * Run one classic BPF seccomp program on d: 0 with its return value in
 * *ret, or -EINVAL for an instruction the kernel does not accept in a
 * seccomp filter (or a jump out of the program).
 */
int udamon_seccomp_run(const struct sock_filter *insns, size_t len,
		       const struct seccomp_data *d, uint32_t *ret);

/*
 * The return value the kernel's filter chain gives d (SECCOMP_RET_ALLOW
 * when there is none): 0, or -EINVAL when a program cannot be run.
 */
int udamon_seccomp_eval(const struct udamon_seccomp *sc,
			const struct seccomp_data *d, uint32_t *ret);

/* The call goes through as if unfiltered (ALLOW, or LOG: allow and log). */
bool udamon_seccomp_allows(uint32_t ret);

/* SECCOMP_RET_ERRNO: the call fails with an error and is not run. */
bool udamon_seccomp_is_errno(uint32_t ret);

/* What the action does, for messages: "kills the process (KILL_PROCESS)". */
void udamon_seccomp_describe(uint32_t ret, char *buf, size_t len);

/* A syscall udamon injects, for messages: "close()" ("syscall N" else). */
const char *udamon_seccomp_syscall_name(long nr, char *buf, size_t len);

#endif /* UDAMON_PRIMITIVES_SECCOMP_H */
