/* SPDX-License-Identifier: MIT */
/*
 * Process events of the whole machine from the kernel's proc connector
 * (netlink, CONFIG_PROC_EVENTS): a new process (fork), a new program
 * (exec), an exit. Used to pick up the new processes of a monitored tree
 * or cgroup within one sample, instead of scanning /proc.
 */
#ifndef UDAMON_PRIMITIVES_PROC_EVENTS_H
#define UDAMON_PRIMITIVES_PROC_EVENTS_H

#include <stddef.h>

enum udamon_proc_event_kind {
	UDAMON_PROC_FORK,	/* pid: the new process, ppid: its parent */
	UDAMON_PROC_EXEC,	/* pid executed a new program */
	UDAMON_PROC_EXIT,	/* pid (a whole process) exited */
};

struct udamon_proc_event {
	enum udamon_proc_event_kind kind;
	int pid;		/* a process id (tgid), never a thread's */
	int ppid;		/* FORK only */
};

struct udamon_proc_events;

/* Subscribe. 0, or a negative errno with the reason in err. */
int udamon_proc_events_open(struct udamon_proc_events **out, char *err,
			    size_t errlen);
/*
 * Hand every queued event to fn, in order, without blocking. Returns the
 * number of events, or -ENOBUFS when the kernel dropped some (the socket
 * buffer overflowed: the caller must rescan), or another negative errno.
 */
long udamon_proc_events_drain(struct udamon_proc_events *s,
			      void (*fn)(const struct udamon_proc_event *e,
					 void *data),
			      void *data);
void udamon_proc_events_close(struct udamon_proc_events *s);

#endif
