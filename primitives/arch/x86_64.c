// SPDX-License-Identifier: MIT
/* x86_64 register file for syscall injection (see arch.h). */
#if defined(__x86_64__)

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/ptrace.h>
#include <sys/syscall.h>
#include <sys/user.h>
#include <linux/audit.h>

#include "primitives/arch/arch.h"
#include "primitives/compat.h"

_Static_assert(sizeof(struct user_regs_struct) <= sizeof(struct udamon_regs),
	       "udamon_regs too small for user_regs_struct");

/* The user code segment of 64-bit tasks; 0x23 is a 32-bit compat task. */
#define X86_64_USER_CS	0x33

const unsigned char udamon_arch_syscall_insn[] = { 0x0f, 0x05 };
const size_t udamon_arch_syscall_insn_len = 2;
const uint32_t udamon_arch_audit_arch = AUDIT_ARCH_X86_64;
const size_t udamon_arch_red_zone = 128;

static struct user_regs_struct *x86(struct udamon_regs *r)
{
	return (struct user_regs_struct *)r->w;
}

static const struct user_regs_struct *cx86(const struct udamon_regs *r)
{
	return (const struct user_regs_struct *)r->w;
}

int udamon_arch_get_regs(pid_t tid, struct udamon_regs *r)
{
	memset(r, 0, sizeof(*r));
	if (ptrace(PTRACE_GETREGS, tid, NULL, x86(r)) < 0)
		return -errno;
	return 0;
}

int udamon_arch_set_regs(pid_t tid, const struct udamon_regs *r)
{
	if (ptrace(PTRACE_SETREGS, tid, NULL, cx86(r)) < 0)
		return -errno;
	return 0;
}

int udamon_arch_check(const struct udamon_regs *r, char *err, size_t errlen)
{
	if (cx86(r)->cs != X86_64_USER_CS) {
		snprintf(err, errlen,
			 "thread runs in 32-bit mode (cs %#llx); only 64-bit processes can be monitored",
			 (unsigned long long)cx86(r)->cs);
		return -ENOTSUP;
	}
	return 0;
}

void udamon_arch_setup_syscall(struct udamon_regs *r, uint64_t pc, long nr,
			       const uint64_t args[6])
{
	struct user_regs_struct *x = x86(r);

	x->rip = pc;
	x->rax = (uint64_t)nr;
	/* Not in a syscall: the kernel must not try to restart anything. */
	x->orig_rax = (uint64_t)-1;
	x->rdi = args[0];
	x->rsi = args[1];
	x->rdx = args[2];
	x->r10 = args[3];
	x->r8 = args[4];
	x->r9 = args[5];
}

long udamon_arch_syscall_result(const struct udamon_regs *r)
{
	return (long)cx86(r)->rax;
}

int udamon_arch_restart_fixup(struct udamon_regs *r)
{
	struct user_regs_struct *x = x86(r);
	long ret = (long)x->rax;

	if ((long)x->orig_rax < 0)
		return 0;	/* stopped outside a syscall */
	switch (-ret) {
	case UDAMON_ERESTARTSYS:
	case UDAMON_ERESTARTNOINTR:
	case UDAMON_ERESTARTNOHAND:
		x->rax = x->orig_rax;
		x->rip -= udamon_arch_syscall_insn_len;
		return 1;
	case UDAMON_ERESTART_RESTARTBLOCK:
		x->rax = SYS_restart_syscall;
		x->rip -= udamon_arch_syscall_insn_len;
		return 1;
	}
	return 0;
}

int udamon_arch_restart_block(const struct udamon_regs *r, long *nr,
			      uint64_t *pc_after, uint64_t args[6])
{
	const struct user_regs_struct *x = cx86(r);

	if ((long)x->orig_rax < 0 ||
	    (long)x->rax != -UDAMON_ERESTART_RESTARTBLOCK)
		return 0;
	*nr = (long)x->orig_rax;
	*pc_after = x->rip;
	args[0] = x->rdi;
	args[1] = x->rsi;
	args[2] = x->rdx;
	args[3] = x->r10;
	args[4] = x->r8;
	args[5] = x->r9;
	return 1;
}

void udamon_arch_restart_in_place(struct udamon_regs *r)
{
	struct user_regs_struct *x = x86(r);

	x->rax = x->orig_rax;
	x->rip -= udamon_arch_syscall_insn_len;
	/* outside a syscall now: the kernel's restart logic leaves it be */
	x->orig_rax = (uint64_t)-1;
}

uint64_t udamon_arch_pc(const struct udamon_regs *r)
{
	return cx86(r)->rip;
}

uint64_t udamon_arch_sp(const struct udamon_regs *r)
{
	return cx86(r)->rsp;
}

#endif /* __x86_64__ */
