/* SPDX-License-Identifier: MIT */
/*
 * The per-architecture part of syscall injection: the register file of a
 * stopped thread and how a syscall is set up, read back and restarted.
 * One file per architecture (primitives/arch/<arch>.c) implements this.
 */
#ifndef UDAMON_PRIMITIVES_ARCH_H
#define UDAMON_PRIMITIVES_ARCH_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

/* A thread's register file, opaque here; big enough for any arch. */
struct udamon_regs {
	uint64_t w[64];
};

/* The syscall instruction of this arch, as it appears in memory. */
extern const unsigned char udamon_arch_syscall_insn[];
extern const size_t udamon_arch_syscall_insn_len;
/* AUDIT_ARCH_* of the syscalls we inject (seccomp_data.arch). */
extern const uint32_t udamon_arch_audit_arch;
/* Bytes below the stack pointer that the ABI reserves (red zone). */
extern const size_t udamon_arch_red_zone;

int udamon_arch_get_regs(pid_t tid, struct udamon_regs *r);
int udamon_arch_set_regs(pid_t tid, const struct udamon_regs *r);

/*
 * Can we inject into a thread stopped with these registers (e.g. not a
 * 32-bit compat task)? 0, or -ENOTSUP with a message.
 */
int udamon_arch_check(const struct udamon_regs *r, char *err, size_t errlen);

/*
 * Set up r to run syscall nr(args) at the syscall instruction at pc, as if
 * the thread were not inside any syscall (no restart handling applies).
 */
void udamon_arch_setup_syscall(struct udamon_regs *r, uint64_t pc, long nr,
			       const uint64_t args[6]);
/* The return value of the syscall that just exited. */
long udamon_arch_syscall_result(const struct udamon_regs *r);

/*
 * The thread was stopped while a syscall was being interrupted and will be
 * resumed without a signal being delivered: do the kernel's restart
 * (-ERESTARTSYS, -ERESTARTNOINTR, -ERESTARTNOHAND: run the syscall again;
 * -ERESTART_RESTARTBLOCK: run restart_syscall). Returns true if changed.
 */
int udamon_arch_restart_fixup(struct udamon_regs *r);

/*
 * The thread was stopped in a syscall that resumes through
 * restart_syscall() (-ERESTART_RESTARTBLOCK: nanosleep, poll, a futex wait
 * with a timeout...): true, with that syscall's number, the address after
 * its syscall instruction and its arguments.
 */
int udamon_arch_restart_block(const struct udamon_regs *r, long *nr,
			      uint64_t *pc_after, uint64_t args[6]);
/* Make such a thread run its interrupted syscall again instead. */
void udamon_arch_restart_in_place(struct udamon_regs *r);

/* Instruction pointer, for messages and tests. */
uint64_t udamon_arch_pc(const struct udamon_regs *r);
/* Stack pointer. */
uint64_t udamon_arch_sp(const struct udamon_regs *r);

#endif /* UDAMON_PRIMITIVES_ARCH_H */
