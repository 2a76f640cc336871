// SPDX-License-Identifier: MIT
/*
 * wl_seccomp: run a program under a seccomp filter, the way a container
 * runtime or a hardened service would.
 *
 *   wl_seccomp RULE... -- PROGRAM [ARGS...]
 *   RULE = SYSCALL=ACTION
 *   SYSCALL = userfaultfd | ioctl | socketpair | recvmsg | close | NUMBER
 *   ACTION  = allow | errno (EPERM) | kill (the process) | kill-thread |
 *             trap (SIGSYS) | log | trace
 *
 * Installs one filter (an architecture other than x86_64 kills; each
 * listed syscall gets its action; anything else is allowed), checks that
 * an "errno" rule really fails the call with EPERM (for userfaultfd), and
 * executes PROGRAM, which inherits the filter. Exit 2 on a usage error,
 * 3 when the filter cannot be installed or does not act.
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/audit.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#define MAX_RULES	16

struct rule {
	long nr;
	unsigned int action;
};

static const struct { const char *name; long nr; } syscalls[] = {
	{ "userfaultfd", SYS_userfaultfd }, { "ioctl", SYS_ioctl },
	{ "socketpair", SYS_socketpair }, { "recvmsg", SYS_recvmsg },
	{ "close", SYS_close },
};

static const struct { const char *name; unsigned int action; } actions[] = {
	{ "allow", SECCOMP_RET_ALLOW },
	{ "errno", SECCOMP_RET_ERRNO | EPERM },
	{ "kill", SECCOMP_RET_KILL_PROCESS },
	{ "kill-thread", SECCOMP_RET_KILL_THREAD },
	{ "trap", SECCOMP_RET_TRAP },
	{ "log", SECCOMP_RET_LOG },
	{ "trace", SECCOMP_RET_TRACE },
};

static void usage(const char *why, const char *arg)
{
	fprintf(stderr, "wl_seccomp: %s '%s'\n"
		"usage: wl_seccomp SYSCALL=ACTION... -- PROGRAM [ARGS...]\n", why,
		arg);
	exit(2);
}

static void parse_rule(const char *arg, struct rule *r)
{
	const char *eq = strchr(arg, '=');
	char *end;
	size_t i, n;

	if (!eq)
		usage("a rule is SYSCALL=ACTION, not", arg);
	n = (size_t)(eq - arg);
	r->nr = -1;
	for (i = 0; i < sizeof(syscalls) / sizeof(syscalls[0]); i++)
		if (strlen(syscalls[i].name) == n &&
		    !strncmp(arg, syscalls[i].name, n))
			r->nr = syscalls[i].nr;
	if (r->nr < 0) {
		r->nr = strtol(arg, &end, 10);
		if (end != eq || r->nr < 0)
			usage("unknown syscall in", arg);
	}
	for (i = 0; i < sizeof(actions) / sizeof(actions[0]); i++)
		if (!strcmp(eq + 1, actions[i].name)) {
			r->action = actions[i].action;
			return;
		}
	usage("unknown action in", arg);
}

static int install(const struct rule *rules, size_t nr)
{
	struct sock_filter f[4 + 2 * MAX_RULES + 1];
	struct sock_fprog prog;
	size_t n = 0, i;

	f[n++] = (struct sock_filter)BPF_STMT(BPF_LD | BPF_W | BPF_ABS,
			offsetof(struct seccomp_data, arch));
	f[n++] = (struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K,
			AUDIT_ARCH_X86_64, 1, 0);
	f[n++] = (struct sock_filter)BPF_STMT(BPF_RET | BPF_K,
			SECCOMP_RET_KILL_PROCESS);
	f[n++] = (struct sock_filter)BPF_STMT(BPF_LD | BPF_W | BPF_ABS,
			offsetof(struct seccomp_data, nr));
	for (i = 0; i < nr; i++) {
		f[n++] = (struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K,
				(unsigned int)rules[i].nr, 0, 1);
		f[n++] = (struct sock_filter)BPF_STMT(BPF_RET | BPF_K,
				rules[i].action);
	}
	f[n++] = (struct sock_filter)BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW);
	prog.len = (unsigned short)n;
	prog.filter = f;
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0))
		return -errno;
	if (syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, 0, &prog))
		return -errno;
	return 0;
}

int main(int argc, char **argv)
{
	struct rule rules[MAX_RULES];
	size_t nr = 0, i;
	int a, ret;

	for (a = 1; a < argc && strcmp(argv[a], "--"); a++) {
		if (nr == MAX_RULES)
			usage("too many rules at", argv[a]);
		parse_rule(argv[a], &rules[nr++]);
	}
	if (a + 1 >= argc)
		usage("no program after", "--");
	ret = install(rules, nr);
	if (ret) {
		fprintf(stderr, "wl_seccomp: cannot install the filter: %s\n",
			strerror(-ret));
		return 3;
	}
	for (i = 0; i < nr; i++) {
		if (rules[i].nr != SYS_userfaultfd ||
		    rules[i].action != (SECCOMP_RET_ERRNO | EPERM))
			continue;
		if (syscall(SYS_userfaultfd, O_CLOEXEC) >= 0 || errno != EPERM) {
			fprintf(stderr, "wl_seccomp: userfaultfd() was not denied\n");
			return 3;
		}
	}
	execvp(argv[a + 1], argv + a + 1);
	fprintf(stderr, "wl_seccomp: cannot run %s: %s\n", argv[a + 1],
		strerror(errno));
	return 3;
}
