// SPDX-License-Identifier: MIT
/*
 * Seccomp filters of another thread, evaluated in user space (seccomp.h).
 *
 * The interpreter covers what the kernel accepts in a seccomp filter
 * (kernel/seccomp.c, seccomp_check_filter): 32-bit loads of struct
 * seccomp_data at aligned offsets, immediates, scratch memory, ALU
 * operations (no MOD), forward jumps and returns. It follows the kernel's
 * translation of classic BPF: a division by a zero X register ends the
 * program with 0 (KILL_THREAD), shifts by X use its low 5 bits.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ptrace.h>
#include <sys/syscall.h>

#include "primitives/seccomp.h"

#ifndef PTRACE_SECCOMP_GET_FILTER
#define PTRACE_SECCOMP_GET_FILTER	0x420c
#endif
#ifndef SECCOMP_RET_KILL_PROCESS
#define SECCOMP_RET_KILL_PROCESS	0x80000000U
#endif
#ifndef SECCOMP_RET_USER_NOTIF
#define SECCOMP_RET_USER_NOTIF		0x7fc00000U
#endif
#ifndef SECCOMP_RET_LOG
#define SECCOMP_RET_LOG			0x7ffc0000U
#endif
#ifndef SECCOMP_RET_ACTION_FULL
#define SECCOMP_RET_ACTION_FULL		0xffff0000U
#endif

#define MAX_FILTERS	4096	/* the kernel's MAX_INSNS_PER_PATH bounds it */

/* ---- reading ----------------------------------------------------------- */

static int read_mode(pid_t tid, int *mode)
{
	char path[64], line[256];
	FILE *f;
	int ret = -ENOENT;

	snprintf(path, sizeof(path), "/proc/%d/status", tid);
	f = fopen(path, "re");
	if (!f)
		return -errno;
	while (fgets(line, sizeof(line), f)) {
		if (!strncmp(line, "Seccomp:", 8)) {
			*mode = (int)strtol(line + 8, NULL, 10);
			ret = 0;
			break;
		}
	}
	fclose(f);
	return ret;
}

static int read_one(pid_t tid, size_t idx, struct udamon_seccomp_prog *p)
{
	long n = ptrace(PTRACE_SECCOMP_GET_FILTER, tid, (void *)idx, NULL);

	if (n < 0)
		return -errno;
	if (n == 0 || n > BPF_MAXINSNS)
		return -EINVAL;
	p->insns = calloc((size_t)n, sizeof(*p->insns));
	if (!p->insns)
		return -ENOMEM;
	if (ptrace(PTRACE_SECCOMP_GET_FILTER, tid, (void *)idx, p->insns) != n) {
		free(p->insns);
		p->insns = NULL;
		return errno ? -errno : -EAGAIN;
	}
	p->len = (size_t)n;
	return 0;
}

static int read_chain(pid_t tid, struct udamon_seccomp *sc, char *err,
		      size_t errlen)
{
	struct udamon_seccomp_prog *progs;
	int ret;

	for (;;) {
		if (sc->nr == MAX_FILTERS)
			return -E2BIG;
		progs = realloc(sc->progs, (sc->nr + 1) * sizeof(*progs));
		if (!progs)
			return -ENOMEM;
		sc->progs = progs;
		memset(&progs[sc->nr], 0, sizeof(*progs));
		ret = read_one(tid, sc->nr, &progs[sc->nr]);
		if (ret == -ENOENT && sc->nr > 0)
			return 0;	/* past the newest filter */
		if (ret)
			break;
		sc->nr++;
	}
	switch (ret) {
	case -EACCES:
	case -EPERM:
		snprintf(err, errlen,
			 "cannot read the seccomp filters of thread %d: %s (it needs CAP_SYS_ADMIN, and udamon itself must not run under seccomp)",
			 tid, strerror(-ret));
		break;
	case -EMEDIUMTYPE:
		snprintf(err, errlen,
			 "thread %d has a seccomp filter that is not classic BPF; it cannot be evaluated",
			 tid);
		break;
	case -EINVAL:
	case -EIO:
		snprintf(err, errlen,
			 "cannot read the seccomp filters of thread %d: %s (the kernel shows them only with CONFIG_CHECKPOINT_RESTORE)",
			 tid, strerror(-ret));
		break;
	default:
		snprintf(err, errlen,
			 "cannot read seccomp filter %zu of thread %d: %s",
			 sc->nr, tid, strerror(-ret));
	}
	return ret;
}

int udamon_seccomp_read(pid_t tid, struct udamon_seccomp *sc, char *err,
			size_t errlen)
{
	int ret;

	memset(sc, 0, sizeof(*sc));
	ret = read_mode(tid, &sc->mode);
	if (ret) {
		snprintf(err, errlen,
			 "cannot read the seccomp mode of thread %d: %s", tid,
			 strerror(-ret));
		return ret == -ENOENT ? -ESRCH : ret;
	}
	if (sc->mode != SECCOMP_MODE_FILTER)
		return 0;
	ret = read_chain(tid, sc, err, errlen);
	if (ret)
		udamon_seccomp_free(sc);
	return ret;
}

void udamon_seccomp_free(struct udamon_seccomp *sc)
{
	size_t i;

	for (i = 0; i < sc->nr; i++)
		free(sc->progs[i].insns);
	free(sc->progs);
	sc->progs = NULL;
	sc->nr = 0;
}

/* ---- running ----------------------------------------------------------- */

static uint32_t load_word(const struct seccomp_data *d, uint32_t off)
{
	uint32_t v;

	memcpy(&v, (const unsigned char *)d + off, sizeof(v));
	return v;
}

/* A = A op v; false for a division by zero (the program then returns 0). */
static bool alu(uint16_t op, uint32_t *a, uint32_t v)
{
	switch (op) {
	case BPF_ADD: *a += v; break;
	case BPF_SUB: *a -= v; break;
	case BPF_MUL: *a *= v; break;
	case BPF_DIV:
		if (!v)
			return false;
		*a /= v;
		break;
	case BPF_AND: *a &= v; break;
	case BPF_OR: *a |= v; break;
	case BPF_XOR: *a ^= v; break;
	case BPF_LSH: *a <<= (v & 31); break;
	case BPF_RSH: *a >>= (v & 31); break;
	}
	return true;
}

static bool alu_op_valid(uint16_t op, uint16_t src, uint32_t k)
{
	switch (op) {
	case BPF_ADD: case BPF_SUB: case BPF_MUL: case BPF_AND:
	case BPF_OR: case BPF_XOR:
		return true;
	case BPF_DIV:
		return src == BPF_X || k != 0;
	case BPF_LSH: case BPF_RSH:
		return src == BPF_X || k < 32;
	}
	return false;
}

static bool jump_taken(uint16_t op, uint32_t a, uint32_t v)
{
	switch (op) {
	case BPF_JEQ: return a == v;
	case BPF_JGT: return a > v;
	case BPF_JGE: return a >= v;
	case BPF_JSET: return (a & v) != 0;
	}
	return false;
}

int udamon_seccomp_run(const struct sock_filter *insns, size_t len,
		       const struct seccomp_data *d, uint32_t *ret)
{
	uint32_t a = 0, x = 0, mem[BPF_MEMWORDS] = { 0 };
	size_t pc;

	for (pc = 0; pc < len; pc++) {
		const struct sock_filter *in = &insns[pc];
		uint16_t code = in->code, op = BPF_OP(code), src = BPF_SRC(code);
		uint32_t k = in->k;
		size_t off;

		switch (BPF_CLASS(code)) {
		case BPF_LD:
		case BPF_LDX:
			if (code == (BPF_LD | BPF_W | BPF_ABS)) {
				if (k >= sizeof(*d) || k & 3)
					return -EINVAL;
				a = load_word(d, k);
			} else if (code == (BPF_LD | BPF_W | BPF_LEN)) {
				a = sizeof(*d);
			} else if (code == (BPF_LDX | BPF_W | BPF_LEN)) {
				x = sizeof(*d);
			} else if (code == (BPF_LD | BPF_IMM)) {
				a = k;
			} else if (code == (BPF_LDX | BPF_IMM)) {
				x = k;
			} else if (code == (BPF_LD | BPF_MEM) && k < BPF_MEMWORDS) {
				a = mem[k];
			} else if (code == (BPF_LDX | BPF_MEM) && k < BPF_MEMWORDS) {
				x = mem[k];
			} else {
				return -EINVAL;
			}
			break;
		case BPF_ST:
		case BPF_STX:
			if (code != BPF_ST && code != BPF_STX)
				return -EINVAL;
			if (k >= BPF_MEMWORDS)
				return -EINVAL;
			mem[k] = code == BPF_ST ? a : x;
			break;
		case BPF_MISC:
			if (code == (BPF_MISC | BPF_TAX))
				x = a;
			else if (code == (BPF_MISC | BPF_TXA))
				a = x;
			else
				return -EINVAL;
			break;
		case BPF_ALU:
			if (op == BPF_NEG && src == BPF_K) {
				a = -a;
				break;
			}
			if (!alu_op_valid(op, src, k))
				return -EINVAL;
			if (!alu(op, &a, src == BPF_X ? x : k)) {
				*ret = 0;
				return 0;
			}
			break;
		case BPF_JMP:
			if (op == BPF_JA) {
				if (src != BPF_K)
					return -EINVAL;
				off = k;
			} else if (op == BPF_JEQ || op == BPF_JGT ||
				   op == BPF_JGE || op == BPF_JSET) {
				off = jump_taken(op, a, src == BPF_X ? x : k) ?
					in->jt : in->jf;
			} else {
				return -EINVAL;
			}
			if (off >= len - pc - 1)
				return -EINVAL;
			pc += off;
			break;
		case BPF_RET:
			if (code == (BPF_RET | BPF_K))
				*ret = k;
			else if (code == (BPF_RET | BPF_A))
				*ret = a;
			else
				return -EINVAL;
			return 0;
		default:
			return -EINVAL;
		}
	}
	return -EINVAL;	/* ran off the end */
}

/* Strict mode (SECCOMP_SET_MODE_STRICT): these four, else the thread dies. */
static uint32_t strict_action(int nr)
{
	if (nr == SYS_read || nr == SYS_write || nr == SYS_exit ||
	    nr == SYS_rt_sigreturn)
		return SECCOMP_RET_ALLOW;
	return SECCOMP_RET_KILL_THREAD;
}

/* Lower is stronger; as the kernel's signed compare of the action bits. */
static int32_t precedence(uint32_t ret)
{
	return (int32_t)(ret & SECCOMP_RET_ACTION_FULL);
}

int udamon_seccomp_eval(const struct udamon_seccomp *sc,
			const struct seccomp_data *d, uint32_t *ret)
{
	uint32_t best = SECCOMP_RET_ALLOW, cur;
	size_t i;
	int err;

	if (sc->mode == SECCOMP_MODE_STRICT) {
		*ret = strict_action(d->nr);
		return 0;
	}
	/* The newest filter first: it wins among equal actions. */
	for (i = sc->nr; i-- > 0;) {
		err = udamon_seccomp_run(sc->progs[i].insns, sc->progs[i].len,
					 d, &cur);
		if (err)
			return err;
		if (precedence(cur) < precedence(best))
			best = cur;
	}
	*ret = best;
	return 0;
}

bool udamon_seccomp_allows(uint32_t ret)
{
	uint32_t act = ret & SECCOMP_RET_ACTION_FULL;

	return act == SECCOMP_RET_ALLOW || act == SECCOMP_RET_LOG;
}

bool udamon_seccomp_is_errno(uint32_t ret)
{
	return (ret & SECCOMP_RET_ACTION_FULL) == SECCOMP_RET_ERRNO;
}

void udamon_seccomp_describe(uint32_t ret, char *buf, size_t len)
{
	uint32_t data = ret & SECCOMP_RET_DATA;
	const char *name;

	switch (ret & SECCOMP_RET_ACTION_FULL) {
	case SECCOMP_RET_KILL_PROCESS:
		snprintf(buf, len, "SECCOMP_RET_KILL_PROCESS (it kills the process)");
		break;
	case SECCOMP_RET_KILL_THREAD:
		snprintf(buf, len, "SECCOMP_RET_KILL_THREAD (it kills the thread)");
		break;
	case SECCOMP_RET_TRAP:
		snprintf(buf, len, "SECCOMP_RET_TRAP (it sends SIGSYS)");
		break;
	case SECCOMP_RET_ERRNO:
		/* the kernel caps the error number at 4095 */
		if (data > 4095)
			data = 4095;
		name = strerrorname_np((int)data);
		snprintf(buf, len, "SECCOMP_RET_ERRNO (it fails with %s: %s)",
			 name ? name : "?", strerror((int)data));
		break;
	case SECCOMP_RET_USER_NOTIF:
		snprintf(buf, len,
			 "SECCOMP_RET_USER_NOTIF (a user-space supervisor would handle it, and could do anything)");
		break;
	case SECCOMP_RET_TRACE:
		snprintf(buf, len,
			 "SECCOMP_RET_TRACE (a tracer would handle it, and could do anything)");
		break;
	case SECCOMP_RET_LOG:
		snprintf(buf, len, "SECCOMP_RET_LOG (allowed and logged)");
		break;
	case SECCOMP_RET_ALLOW:
		snprintf(buf, len, "SECCOMP_RET_ALLOW");
		break;
	default:
		snprintf(buf, len,
			 "the unknown action %#x (on which the kernel kills the process)",
			 ret);
	}
}

const char *udamon_seccomp_syscall_name(long nr, char *buf, size_t len)
{
	static const struct { long nr; const char *name; } names[] = {
		{ SYS_userfaultfd, "userfaultfd" }, { SYS_close, "close" },
		{ SYS_socketpair, "socketpair" }, { SYS_recvmsg, "recvmsg" },
		{ SYS_ioctl, "ioctl" }, { SYS_getpid, "getpid" },
		{ SYS_getppid, "getppid" },
		{ SYS_restart_syscall, "restart_syscall" },
	};
	size_t i;

	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		if (names[i].nr == nr) {
			snprintf(buf, len, "%s()", names[i].name);
			return buf;
		}
	}
	snprintf(buf, len, "syscall %ld", nr);
	return buf;
}
