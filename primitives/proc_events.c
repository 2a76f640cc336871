// SPDX-License-Identifier: MIT
/* Process events from the proc connector (see proc_events.h). */
#include <errno.h>
#include <linux/cn_proc.h>
#include <linux/connector.h>
#include <linux/netlink.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "primitives/proc_events.h"

/* Socket receive buffer: bursts of forks must not overflow it. */
#define RCVBUF	(4 << 20)

struct udamon_proc_events {
	int fd;
};

static int send_op(int fd, enum proc_cn_mcast_op op)
{
	char buf[NLMSG_SPACE(sizeof(struct cn_msg) + sizeof(op))];
	struct nlmsghdr *nh = (struct nlmsghdr *)buf;
	struct cn_msg *cn = NLMSG_DATA(nh);

	memset(buf, 0, sizeof(buf));
	nh->nlmsg_len = NLMSG_LENGTH(sizeof(*cn) + sizeof(op));
	nh->nlmsg_type = NLMSG_DONE;
	nh->nlmsg_pid = 0;
	cn->id.idx = CN_IDX_PROC;
	cn->id.val = CN_VAL_PROC;
	cn->len = sizeof(op);
	memcpy(cn->data, &op, sizeof(op));
	return send(fd, nh, nh->nlmsg_len, 0) < 0 ? -errno : 0;
}

int udamon_proc_events_open(struct udamon_proc_events **out, char *err,
			    size_t errlen)
{
	struct sockaddr_nl a = { .nl_family = AF_NETLINK,
				 .nl_groups = CN_IDX_PROC };
	int fd, ret, sz = RCVBUF;
	struct udamon_proc_events *s;

	*out = NULL;
	fd = socket(PF_NETLINK, SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK,
		    NETLINK_CONNECTOR);
	if (fd < 0) {
		ret = -errno;
		snprintf(err, errlen, "proc connector: socket: %s",
			 strerror(-ret));
		return ret;
	}
	/* as root, past rmem_max; a smaller buffer still works */
	if (setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &sz, sizeof(sz)))
		setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &sz, sizeof(sz));
	if (bind(fd, (struct sockaddr *)&a, sizeof(a))) {
		ret = -errno;
		snprintf(err, errlen, "proc connector: bind: %s (a kernel "
			 "without CONFIG_PROC_EVENTS?)", strerror(-ret));
		close(fd);
		return ret;
	}
	ret = send_op(fd, PROC_CN_MCAST_LISTEN);
	if (ret) {
		snprintf(err, errlen, "proc connector: listen: %s",
			 strerror(-ret));
		close(fd);
		return ret;
	}
	s = calloc(1, sizeof(*s));
	if (!s) {
		close(fd);
		return -ENOMEM;
	}
	s->fd = fd;
	*out = s;
	return 0;
}

/* One proc_event into ours; false when it is none we use. */
static int convert(const struct proc_event *pe, struct udamon_proc_event *e)
{
	switch (pe->what) {
	case PROC_EVENT_FORK:
		/* a new thread is not a new process */
		if (pe->event_data.fork.child_pid !=
		    pe->event_data.fork.child_tgid)
			return 0;
		e->kind = UDAMON_PROC_FORK;
		e->pid = pe->event_data.fork.child_tgid;
		e->ppid = pe->event_data.fork.parent_tgid;
		return 1;
	case PROC_EVENT_EXEC:
		e->kind = UDAMON_PROC_EXEC;
		e->pid = pe->event_data.exec.process_tgid;
		e->ppid = 0;
		return 1;
	case PROC_EVENT_EXIT:
		if (pe->event_data.exit.process_pid !=
		    pe->event_data.exit.process_tgid)
			return 0;
		e->kind = UDAMON_PROC_EXIT;
		e->pid = pe->event_data.exit.process_tgid;
		e->ppid = 0;
		return 1;
	default:
		return 0;
	}
}

long udamon_proc_events_drain(struct udamon_proc_events *s,
			      void (*fn)(const struct udamon_proc_event *e,
					 void *data),
			      void *data)
{
	char buf[8192] __attribute__((aligned(NLMSG_ALIGNTO)));
	long nr = 0;
	bool lost = false;

	for (;;) {
		ssize_t n = recv(s->fd, buf, sizeof(buf), MSG_DONTWAIT);
		struct nlmsghdr *nh;

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && errno == ENOBUFS) {
			lost = true;	/* the next reads still hold events */
			continue;
		}
		if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
			break;
		if (n < 0)
			return -errno;
		for (nh = (struct nlmsghdr *)buf; NLMSG_OK(nh, (size_t)n);
		     nh = NLMSG_NEXT(nh, n)) {
			struct cn_msg *cn = NLMSG_DATA(nh);
			struct udamon_proc_event e;
			struct proc_event pe;

			if (nh->nlmsg_type == NLMSG_ERROR ||
			    nh->nlmsg_type == NLMSG_NOOP)
				continue;
			if (cn->id.idx != CN_IDX_PROC ||
			    cn->len < sizeof(struct proc_event))
				continue;
			/* the payload is only 4-byte aligned in the message */
			memcpy(&pe, cn->data, sizeof(pe));
			if (!convert(&pe, &e))
				continue;
			fn(&e, data);
			nr++;
		}
	}
	return lost ? -ENOBUFS : nr;
}

void udamon_proc_events_close(struct udamon_proc_events *s)
{
	if (!s)
		return;
	send_op(s->fd, PROC_CN_MCAST_IGNORE);
	close(s->fd);
	free(s);
}
