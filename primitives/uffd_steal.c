// SPDX-License-Identifier: MIT
/*
 * Getting a userfaultfd for another process's memory (uffd_wp.h).
 *
 * A userfaultfd belongs to the memory of the process that creates it, so
 * it is created inside the target by syscall injection (inject.h) and
 * copied out with pidfd_getfd. Every injected call is first checked
 * against the seized thread's seccomp filters; two routes:
 *
 *   syscall  userfaultfd(flags), then close of the target's copy.
 *   device   where the filters fail userfaultfd() with an error (what
 *            container runtimes do) or it fails at run time: udamon opens
 *            /dev/userfaultfd (the permission check is at open, against
 *            udamon's credentials) and hands the descriptor in through a
 *            socket pair made in the target: socketpair(), one end copied
 *            out, the descriptor sent over it (SCM_RIGHTS), recvmsg() in
 *            the target (its message buffer on the thread's stack below
 *            the red zone); then ioctl(USERFAULTFD_IOC_NEW) makes the uffd
 *            for the target's memory, it is copied out, and everything the
 *            target got is closed again.
 *
 * A route is taken only when the filters let every one of its calls
 * through; a filter that kills or traps on userfaultfd() forbids the
 * descriptor outright, and no route is tried.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "primitives/compat.h"
#include "primitives/inject.h"
#include "primitives/uffd_wp.h"

#define UFFD_FLAGS	(O_CLOEXEC | O_NONBLOCK | UFFD_USER_MODE_ONLY)
#define DEVICE		"/dev/userfaultfd"
#define MAX_TFDS	4
/* Attempts at stealing while the target keeps executing new programs. */
#define STEAL_TRIES	100

enum route { ROUTE_SYSCALL, ROUTE_DEVICE };

/* One attempt inside the target: the descriptors it was given meanwhile. */
struct steal {
	struct udamon_inject in;
	pid_t pid;
	int pidfd;
	long tfds[MAX_TFDS];	/* to close in the target */
	size_t nr_tfds;
	char *err;
	size_t errlen;
};

static int fail(struct steal *s, int ret, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static int fail(struct steal *s, int ret, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(s->err, s->errlen, fmt, ap);
	va_end(ap);
	return ret;
}

/* Copy fd tfd of the target here. */
static int copy_out(struct steal *s, long tfd, const char *what)
{
	int fd = (int)syscall(SYS_pidfd_getfd, s->pidfd, (int)tfd, 0);

	if (fd < 0)
		return fail(s, -errno,
			    "pidfd_getfd(process %d, fd %ld, %s) failed: %s",
			    s->pid, tfd, what, strerror(errno));
	return fd;
}

/* Close everything the target got; the first error, if any. */
static int close_target_fds(struct steal *s)
{
	uint64_t args[6] = { 0 };
	char left[128] = "";
	int ret = 0, r;
	long cret;
	size_t i, n = 0;

	for (i = 0; i < s->nr_tfds; i++) {
		args[0] = (uint64_t)s->tfds[i];
		r = udamon_inject_syscall(&s->in, SYS_close, args, &cret);
		if (r == -ECANCELED || !s->in.seized) {
			/* a new program: exec closed them (all close-on-exec) */
			s->nr_tfds = 0;
			return r ? r : -ESRCH;
		}
		if (r || cret < 0) {
			n += snprintf(left + n, n < sizeof(left) ? sizeof(left) - n : 0,
				      " %ld", s->tfds[i]);
			if (n >= sizeof(left))
				n = sizeof(left) - 1;
			if (!ret)
				ret = r ? r : (int)cret;
		}
	}
	s->nr_tfds = 0;
	if (ret && ret != -EPERM)
		snprintf(s->err, s->errlen,
			 "cannot close fds%s that udamon opened in process %d: %s",
			 left, s->pid, strerror(-ret));
	else if (ret)
		snprintf(s->err + strlen(s->err), s->errlen - strlen(s->err),
			 " (fds%s that udamon opened stay open in process %d)",
			 left, s->pid);
	return ret;
}

/* ---- the userfaultfd() route --------------------------------------------- */

static int via_syscall(struct steal *s, int *uffd)
{
	uint64_t args[6] = { UFFD_FLAGS };
	long tfd;
	int ret, fd;

	ret = udamon_inject_syscall(&s->in, SYS_userfaultfd, args, &tfd);
	if (ret)
		return ret;
	if (tfd < 0)
		return fail(s, (int)tfd,
			    "userfaultfd() inside process %d failed: %s", s->pid,
			    strerror((int)-tfd));
	s->tfds[s->nr_tfds++] = tfd;
	fd = copy_out(s, tfd, "its userfaultfd");
	ret = close_target_fds(s);
	if (fd < 0 || ret) {
		if (fd >= 0)
			close(fd);
		/* after an exec, ours is the old program's: start over */
		return ret == -ECANCELED || fd >= 0 ? ret : fd;
	}
	*uffd = fd;
	return 0;
}

/* ---- the /dev/userfaultfd route ------------------------------------------ */

static int open_device(struct steal *s)
{
	int fd = open(DEVICE, O_RDWR | O_CLOEXEC);
	char dev[32] = "";
	FILE *f;

	if (fd >= 0)
		return fd;
	if (errno != ENOENT)
		return fail(s, -errno, "cannot open %s: %s", DEVICE,
			    strerror(errno));
	f = fopen("/sys/class/misc/userfaultfd/dev", "re");
	if (f) {
		if (!fgets(dev, sizeof(dev), f))
			dev[0] = 0;
		dev[strcspn(dev, "\n")] = 0;
		fclose(f);
	}
	if (!dev[0])
		return fail(s, -ENOENT,
			    "this kernel has no userfaultfd device (%s; Linux 6.1 and later with CONFIG_USERFAULTFD have it)",
			    DEVICE);
	return fail(s, -ENOENT,
		    "%s is missing, though the kernel has the device (%s); create it with: mknod %s c %s",
		    DEVICE, dev, DEVICE, strchr(dev, ':') ? dev : "MAJOR MINOR");
}

/* Send fd over sock as SCM_RIGHTS with one byte of data. */
static int send_fd(int sock, int fd)
{
	char cbuf[CMSG_SPACE(sizeof(int))] = { 0 }, byte = 'u';
	struct iovec iov = { &byte, 1 };
	struct msghdr msg = {
		.msg_iov = &iov, .msg_iovlen = 1,
		.msg_control = cbuf, .msg_controllen = sizeof(cbuf),
	};
	struct cmsghdr *c = CMSG_FIRSTHDR(&msg);

	c->cmsg_level = SOL_SOCKET;
	c->cmsg_type = SCM_RIGHTS;
	c->cmsg_len = CMSG_LEN(sizeof(int));
	memcpy(CMSG_DATA(c), &fd, sizeof(int));
	return sendmsg(sock, &msg, MSG_NOSIGNAL | MSG_DONTWAIT) == 1 ? 0 : -errno;
}

/* The target's view of recvmsg()'s arguments, laid out in scratch memory. */
struct recv_area {
	struct msghdr msg;
	struct iovec iov;
	union {
		struct cmsghdr h;
		char buf[CMSG_SPACE(sizeof(int))];
	} ctl;
	char byte;
};

static void fill_socketpair(uint64_t addr, void *buf, uint64_t args[6],
			    void *data)
{
	memset(buf, 0xff, 2 * sizeof(int));
	args[3] = addr;
}

static void fill_recvmsg(uint64_t addr, void *buf, uint64_t args[6],
			 void *data)
{
	struct recv_area *a = buf;

	memset(a, 0, sizeof(*a));
	a->iov.iov_base = (void *)(uintptr_t)(addr + offsetof(struct recv_area, byte));
	a->iov.iov_len = 1;
	a->msg.msg_iov = (void *)(uintptr_t)(addr + offsetof(struct recv_area, iov));
	a->msg.msg_iovlen = 1;
	a->msg.msg_control = (void *)(uintptr_t)(addr + offsetof(struct recv_area, ctl));
	a->msg.msg_controllen = sizeof(a->ctl);
	args[1] = addr;
}

/* The descriptor recvmsg() gave the target, from its message buffer. */
static long received_fd(const struct recv_area *a)
{
	int fd;

	if (a->msg.msg_flags & MSG_CTRUNC ||
	    a->msg.msg_controllen < CMSG_LEN(sizeof(int)) ||
	    a->ctl.h.cmsg_level != SOL_SOCKET ||
	    a->ctl.h.cmsg_type != SCM_RIGHTS ||
	    a->ctl.h.cmsg_len != CMSG_LEN(sizeof(int)))
		return -1;
	memcpy(&fd, (const char *)&a->ctl.h + CMSG_LEN(0), sizeof(fd));
	return fd;
}

/* socketpair() in the target; one end comes here in *mine. */
static int make_pair(struct steal *s, long *ends, int *mine)
{
	uint64_t args[6] = { AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0 };
	int sv[2];
	long r;
	int ret;

	ret = udamon_inject_syscall_mem(&s->in, SYS_socketpair, args, sv,
					sizeof(sv), fill_socketpair, NULL, &r);
	if (ret)
		return ret;
	if (r < 0)
		return fail(s, (int)r, "socketpair() inside process %d failed: %s",
			    s->pid, strerror((int)-r));
	if (sv[0] < 0 || sv[1] < 0)
		return fail(s, -EIO, "socketpair() inside process %d returned no descriptors",
			    s->pid);
	ends[0] = s->tfds[s->nr_tfds++] = sv[0];
	ends[1] = s->tfds[s->nr_tfds++] = sv[1];
	*mine = copy_out(s, sv[1], "a socket udamon made there");
	return *mine < 0 ? *mine : 0;
}

/* Hand devfd into the target over the pair: its fd number there. */
static int hand_in(struct steal *s, int devfd, long *tdev)
{
	uint64_t args[6] = { 0, 0, MSG_CMSG_CLOEXEC | MSG_DONTWAIT };
	struct recv_area a;
	long ends[2] = { -1, -1 }, r;
	int mine = -1, ret;

	ret = make_pair(s, ends, &mine);
	if (!ret) {
		ret = send_fd(mine, devfd);
		if (ret)
			fail(s, ret, "cannot send %s into process %d: %s",
			     DEVICE, s->pid, strerror(-ret));
	}
	if (mine >= 0)
		close(mine);
	if (ret)
		return ret;
	args[0] = (uint64_t)ends[0];
	ret = udamon_inject_syscall_mem(&s->in, SYS_recvmsg, args, &a,
					sizeof(a), fill_recvmsg, NULL, &r);
	if (ret)
		return ret;
	if (r < 0)
		return fail(s, (int)r, "recvmsg() inside process %d failed: %s",
			    s->pid, strerror((int)-r));
	*tdev = received_fd(&a);
	if (*tdev < 0)
		return fail(s, -EIO,
			    "recvmsg() inside process %d did not deliver the descriptor of %s",
			    s->pid, DEVICE);
	s->tfds[s->nr_tfds++] = *tdev;
	return 0;
}

static int via_device(struct steal *s, int devfd, int *uffd)
{
	uint64_t args[6] = { 0, USERFAULTFD_IOC_NEW, UFFD_FLAGS };
	long tdev = -1, tuffd;
	int ret, fd = -1, cret;

	ret = hand_in(s, devfd, &tdev);
	if (!ret) {
		args[0] = (uint64_t)tdev;
		ret = udamon_inject_syscall(&s->in, SYS_ioctl, args, &tuffd);
	}
	if (!ret && tuffd < 0)
		ret = fail(s, (int)tuffd,
			   "ioctl(USERFAULTFD_IOC_NEW) inside process %d failed: %s",
			   s->pid, strerror((int)-tuffd));
	if (!ret) {
		s->tfds[s->nr_tfds++] = tuffd;
		fd = copy_out(s, tuffd, "its userfaultfd");
		if (fd < 0)
			ret = fd;
	}
	if (!s->in.seized || ret == -ECANCELED)
		return ret;	/* let go, or a new program: touch nothing */
	cret = close_target_fds(s);
	if (!ret)
		ret = cret;
	if (ret) {
		if (fd >= 0)
			close(fd);
		return ret;
	}
	*uffd = fd;
	return 0;
}

/* ---- choosing the route --------------------------------------------------- */

/*
 * Can the device route run? Its calls are checked with the arguments
 * known now (descriptor numbers guessed); each is checked again with its
 * real ones right before it is made.
 */
static int device_route_allowed(struct steal *s)
{
	static const struct { long nr; uint64_t args[6]; } calls[] = {
		{ SYS_socketpair, { AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0, 0 } },
		{ SYS_recvmsg, { 3, 0, MSG_CMSG_CLOEXEC | MSG_DONTWAIT } },
		{ SYS_ioctl, { 5, USERFAULTFD_IOC_NEW, UFFD_FLAGS } },
		{ SYS_close, { 3 } },
	};
	size_t i;
	int ret;

	for (i = 0; i < sizeof(calls) / sizeof(calls[0]); i++) {
		ret = udamon_inject_check(&s->in, calls[i].nr, calls[i].args,
					  NULL);
		if (ret)
			return ret;
	}
	return 0;
}

/*
 * The route to take: 0, or -EPERM with the reason in s->err. *fallback
 * says the device route may follow a failed userfaultfd().
 */
static int choose_route(struct steal *s, enum route *route, bool *fallback)
{
	uint64_t args[6] = { UFFD_FLAGS }, cargs[6] = { 3 };
	char why[UDAMON_ERRMSG_LEN];
	uint32_t act = 0;
	int ret;

	*fallback = false;
	ret = udamon_inject_check(&s->in, SYS_userfaultfd, args, &act);
	if (!ret) {
		*route = ROUTE_SYSCALL;
		ret = udamon_inject_check(&s->in, SYS_close, cargs, NULL);
		if (!ret)
			*fallback = device_route_allowed(s) == 0;
		else
			return ret;
		return 0;
	}
	if (ret != -EPERM)
		return ret;
	snprintf(why, sizeof(why), "%s", s->err);
	if (!udamon_seccomp_is_errno(act))
		return fail(s, ret,
			    "%.300s; udamon takes the /dev/userfaultfd way only where the filters fail userfaultfd() with an error",
			    why);
	ret = device_route_allowed(s);
	if (ret) {
		char dev_why[UDAMON_ERRMSG_LEN];

		snprintf(dev_why, sizeof(dev_why), "%s", s->err);
		return fail(s, ret,
			    "%.200s, and the way through %s is barred too: %.200s",
			    why, DEVICE, dev_why);
	}
	*route = ROUTE_DEVICE;
	return 0;
}

/* Can userfaultfd() failing this way be made good through the device? */
static bool device_may_help(int ret)
{
	return ret == -EPERM || ret == -EACCES || ret == -ENOSYS;
}

static int steal_once(pid_t pid, int pidfd, int *uffd, char *err,
		      size_t errlen)
{
	struct steal s = { .pid = pid, .pidfd = pidfd, .err = err,
			   .errlen = errlen };
	enum route route = ROUTE_SYSCALL;
	bool fallback;
	int ret, devfd = -1;

	ret = udamon_inject_attach(&s.in, pid, 0, err, errlen);
	if (ret)
		return ret;
	ret = choose_route(&s, &route, &fallback);
	if (ret) {
		udamon_inject_detach(&s.in);
		if (ret == -EPERM) {
			char why[UDAMON_ERRMSG_LEN];

			snprintf(why, sizeof(why), "%s", err);
			snprintf(err, errlen,
				 "%.420s; udamon made no call, the process is untouched",
				 why);
		}
		return ret;
	}
	if (route == ROUTE_SYSCALL) {
		ret = via_syscall(&s, uffd);
		if (!ret || !fallback || !device_may_help(ret) || !s.in.seized)
			goto out;
		route = ROUTE_DEVICE;
	}
	devfd = open_device(&s);
	if (devfd < 0) {
		ret = devfd;
		goto out;
	}
	ret = via_device(&s, devfd, uffd);
	close(devfd);
out:
	udamon_inject_detach(&s.in);
	return ret;
}

static bool process_alive(int pidfd)
{
	struct pollfd p = { .fd = pidfd, .events = POLLIN };

	return poll(&p, 1, 0) == 0;
}

/*
 * The process may be executing programs in quick succession: an attempt
 * that met an exec (or lost its thread to another thread's exec) is
 * started over, in the program that runs then (its filters read again).
 */
static int steal_here(pid_t pid, int pidfd, int *uffd, char *err,
		      size_t errlen)
{
	int tries = 0, ret;

	do {
		ret = steal_once(pid, pidfd, uffd, err, errlen);
	} while ((ret == -ECANCELED || ret == -ESRCH) && process_alive(pidfd) &&
		 ++tries < STEAL_TRIES);
	return ret;
}

/* ---- the injecting child ---------------------------------------------------- */

/* What the stealing child sends back, with the uffd as SCM_RIGHTS. */
struct steal_result {
	int ret;
	char err[UDAMON_ERRMSG_LEN];
};

static void send_result(int sock, const struct steal_result *res, int fd)
{
	char cbuf[CMSG_SPACE(sizeof(int))];
	struct iovec iov = { (void *)res, sizeof(*res) };
	struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1 };
	struct cmsghdr *c;

	if (fd >= 0) {
		memset(cbuf, 0, sizeof(cbuf));
		msg.msg_control = cbuf;
		msg.msg_controllen = sizeof(cbuf);
		c = CMSG_FIRSTHDR(&msg);
		c->cmsg_level = SOL_SOCKET;
		c->cmsg_type = SCM_RIGHTS;
		c->cmsg_len = CMSG_LEN(sizeof(int));
		memcpy(CMSG_DATA(c), &fd, sizeof(int));
	}
	/* if udamon is gone this fails, and the child just exits */
	(void)!sendmsg(sock, &msg, MSG_NOSIGNAL);
}

/*
 * One message of len bytes into buf, with nr_fds (1 or 2) descriptors
 * into fds (-1 where none came). The bytes read, 0 at the end, or -1.
 */
static ssize_t recv_with_fds(int sock, void *buf, size_t len, int *fds,
			     size_t nr_fds)
{
	char cbuf[CMSG_SPACE(2 * sizeof(int))];
	struct iovec iov = { buf, len };
	struct msghdr msg = {
		.msg_iov = &iov, .msg_iovlen = 1,
		.msg_control = cbuf, .msg_controllen = sizeof(cbuf),
	};
	struct cmsghdr *c;
	ssize_t n;

	do {
		n = recvmsg(sock, &msg, MSG_CMSG_CLOEXEC);
	} while (n < 0 && errno == EINTR);
	for (size_t i = 0; i < nr_fds; i++)
		fds[i] = -1;
	if (n <= 0)
		return n;
	for (c = CMSG_FIRSTHDR(&msg); c; c = CMSG_NXTHDR(&msg, c))
		if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_RIGHTS &&
		    c->cmsg_len == CMSG_LEN(nr_fds * sizeof(int)))
			memcpy(fds, CMSG_DATA(c), nr_fds * sizeof(int));
	return n;
}

static int recv_result(int sock, struct steal_result *res, int *fd)
{
	if (recv_with_fds(sock, res, sizeof(*res), fd, 1) !=
	    (ssize_t)sizeof(*res))
		return -EIO;
	return 0;
}

static void __attribute__((noreturn)) stealing_child(pid_t pid, int pidfd,
						     int sock)
{
	struct steal_result res = { 0 };
	int fd = -1;

	/* out of udamon's process group: Ctrl-C and kill -TERM miss us */
	setpgid(0, 0);
	signal(SIGINT, SIG_IGN);
	signal(SIGTERM, SIG_IGN);
	signal(SIGHUP, SIG_IGN);
	signal(SIGQUIT, SIG_IGN);
	signal(SIGPIPE, SIG_IGN);
	res.ret = steal_here(pid, pidfd, &fd, res.err, sizeof(res.err));
	send_result(sock, &res, res.ret ? -1 : fd);
	_exit(0);
}

/* ---- the forking server ------------------------------------------------------ */

/*
 * fork() of udamon from a worker thread would stall the sampling thread:
 * while the kernel copies udamon's page tables it holds udamon's memory
 * map lock, and glibc holds the malloc locks, so the sampling thread's
 * page faults and allocations wait (several ms per fork when the forking
 * thread is preempted, measured with sched_switch events). So a scope
 * starts a server early, while udamon is small: a process of its own
 * that forks the injecting children on request. A request is the target's
 * pid, with its pidfd and the socket for the result.
 */
static pthread_mutex_t server_lock = PTHREAD_MUTEX_INITIALIZER;
static int server_sock = -1;
static pid_t server_pid;

static int recv_request(int sock, pid_t *pid, int fds[2])
{
	ssize_t n = recv_with_fds(sock, pid, sizeof(*pid), fds, 2);

	if (n <= 0)
		return -1;	/* udamon is gone, or stopped us */
	if (n != sizeof(*pid)) {	/* not a request: nothing to do */
		for (int i = 0; i < 2; i++) {
			if (fds[i] >= 0)
				close(fds[i]);
			fds[i] = -1;
		}
	}
	return 0;
}

/* Reap the injecting children (their CPU time then counts in ours). */
static void reap(int sig)
{
	int saved = errno;

	while (waitpid(-1, NULL, WNOHANG) > 0)
		;
	errno = saved;
}

static void __attribute__((noreturn)) serve(int sock)
{
	struct sigaction sa = { .sa_handler = reap, .sa_flags = SA_RESTART };
	pid_t pid;
	int fds[2];

	setpgid(0, 0);
	signal(SIGINT, SIG_IGN);
	signal(SIGTERM, SIG_IGN);
	signal(SIGHUP, SIG_IGN);
	signal(SIGQUIT, SIG_IGN);
	signal(SIGPIPE, SIG_IGN);
	sigaction(SIGCHLD, &sa, NULL);
	/* hold nothing of udamon's (its targets' descriptors, sockets) */
	if (sock > 3)
		close_range(3, (unsigned int)sock - 1, 0);
	close_range((unsigned int)sock + 1, ~0U, 0);
	while (!recv_request(sock, &pid, fds)) {
		if (fds[0] >= 0 && fds[1] >= 0 && fork() == 0) {
			close(sock);
			/* ptrace waits for its tracees: a normal SIGCHLD */
			signal(SIGCHLD, SIG_DFL);
			stealing_child(pid, fds[0], fds[1]);
		}
		if (fds[0] >= 0)
			close(fds[0]);
		if (fds[1] >= 0)
			close(fds[1]);
	}
	while (waitpid(-1, NULL, 0) > 0 || errno == EINTR)
		;
	_exit(0);
}

int udamon_uffd_steal_server_start(void)
{
	int sv[2], ret = 0;
	pid_t child;

	pthread_mutex_lock(&server_lock);
	if (server_sock >= 0)
		goto out;
	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv)) {
		ret = -errno;
		goto out;
	}
	fflush(NULL);
	child = fork();
	if (child == 0) {
		close(sv[0]);
		serve(sv[1]);
	}
	close(sv[1]);
	if (child < 0) {
		ret = -errno;
		close(sv[0]);
		goto out;
	}
	server_sock = sv[0];
	server_pid = child;
out:
	pthread_mutex_unlock(&server_lock);
	return ret;
}

pid_t udamon_uffd_steal_server_pid(void)
{
	pid_t pid;

	pthread_mutex_lock(&server_lock);
	pid = server_sock >= 0 ? server_pid : 0;
	pthread_mutex_unlock(&server_lock);
	return pid;
}

void udamon_uffd_steal_server_stop(void)
{
	pthread_mutex_lock(&server_lock);
	if (server_sock >= 0) {
		close(server_sock);	/* it reads the end and exits */
		server_sock = -1;
		while (waitpid(server_pid, NULL, 0) < 0 && errno == EINTR)
			;
		server_pid = 0;
	}
	pthread_mutex_unlock(&server_lock);
}

/* Ask the server for an injecting child: 0, or -1 (fork here instead). */
static int ask_server(pid_t pid, int pidfd, int reply)
{
	char cbuf[CMSG_SPACE(2 * sizeof(int))] = { 0 };
	struct iovec iov = { &pid, sizeof(pid) };
	struct msghdr msg = {
		.msg_iov = &iov, .msg_iovlen = 1,
		.msg_control = cbuf, .msg_controllen = sizeof(cbuf),
	};
	struct cmsghdr *c = CMSG_FIRSTHDR(&msg);
	int fds[2] = { pidfd, reply }, ret = -1;

	c->cmsg_level = SOL_SOCKET;
	c->cmsg_type = SCM_RIGHTS;
	c->cmsg_len = CMSG_LEN(sizeof(fds));
	memcpy(CMSG_DATA(c), fds, sizeof(fds));
	pthread_mutex_lock(&server_lock);
	if (server_sock >= 0 &&
	    sendmsg(server_sock, &msg, MSG_NOSIGNAL) == sizeof(pid))
		ret = 0;
	pthread_mutex_unlock(&server_lock);
	return ret;
}

/*
 * The injection runs in a child process of its own. While it runs, one
 * target thread is stopped with borrowed registers; if the tracer died
 * then, the thread would resume with them. A SIGKILL to udamon (the OOM
 * killer, a user) does not reach this child, which always finishes,
 * restores the registers and detaches; the uffd comes back over a socket.
 */
int udamon_uffd_steal(pid_t pid, int pidfd, int *uffd, char *err,
		      size_t errlen)
{
	struct steal_result res;
	int sv[2], fd = -1, ret;
	bool forked;
	pid_t child;

	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv)) {
		ret = -errno;
		snprintf(err, errlen, "socketpair: %s", strerror(-ret));
		return ret;
	}
	forked = ask_server(pid, pidfd, sv[1]) != 0;
	if (!forked) {
		child = udamon_uffd_steal_server_pid();
		close(sv[1]);
	} else {
		fflush(NULL);
		child = fork();
		if (child == 0) {
			close(sv[0]);
			stealing_child(pid, pidfd, sv[1]);
		}
		close(sv[1]);
		if (child < 0) {
			ret = -errno;
			close(sv[0]);
			snprintf(err, errlen, "fork: %s", strerror(-ret));
			return ret;
		}
	}
	ret = recv_result(sv[0], &res, &fd);
	close(sv[0]);
	while (forked && waitpid(child, NULL, 0) < 0 && errno == EINTR)
		;
	if (ret) {
		snprintf(err, errlen, "the injecting process %d died", child);
		return ret;
	}
	if (res.ret) {
		snprintf(err, errlen, "%s", res.err);
		if (fd >= 0)
			close(fd);
		return res.ret;
	}
	if (fd < 0) {
		snprintf(err, errlen, "no userfaultfd came back from process %d",
			 child);
		return -EIO;
	}
	*uffd = fd;
	return 0;
}
