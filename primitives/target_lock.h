/* SPDX-License-Identifier: MIT */
/*
 * One monitor per process. A second userfaultfd cannot register what the
 * first one holds (EBUSY), so a second monitor would see nothing; it is
 * refused before it touches the process, naming the monitor that holds it.
 *
 * The claim is an open file description lock (F_OFD_SETLK) on a file named
 * after the process's pid and start time (so a reused pid is another
 * process), in /run/lock/udamon for root, else in
 * $XDG_RUNTIME_DIR/udamon-locks (monitors of different users do not see
 * each other's claims). The holder writes its pid into the file. The
 * kernel drops the lock when the holder exits however it ends; being tied
 * to the open file, not the process, it also refuses a second claim from
 * the same process.
 */
#ifndef UDAMON_PRIMITIVES_TARGET_LOCK_H
#define UDAMON_PRIMITIVES_TARGET_LOCK_H

#include <stddef.h>
#include <sys/types.h>

struct udamon_target_lock;

/*
 * Claim pid for this process. 0 with *out set (NULL when there is no
 * place for locks: then nothing is checked), -EBUSY with a message naming
 * the holder, or another negative errno with a message.
 */
int udamon_target_lock(pid_t pid, struct udamon_target_lock **out, char *err,
		       size_t errlen);

/* Give the claim up (NULL is fine). */
void udamon_target_unlock(struct udamon_target_lock *l);

#endif
