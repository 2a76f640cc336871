// SPDX-License-Identifier: MIT
/* The server side of the control channel (docs/CONTROL.md). */
#include <errno.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "cli/cli.h"
#include "cli/control.h"
#include "udamon/udamon.h"

int control_listen(struct control *c, const char *path,
		   control_handler handle, void *data)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	mode_t old;
	int fd, err;

	memset(c, 0, sizeof(*c));
	c->lfd = -1;
	c->handle = handle;
	c->data = data;
	if (strlen(path) >= sizeof(sa.sun_path))
		return cli_fail("the socket path '%s' is too long (at most %zu "
				"bytes): choose a shorter UDAMON_RUN_DIR", path,
				sizeof(sa.sun_path) - 1);
	strcpy(sa.sun_path, path);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return cli_fail("cannot create a socket: %s", strerror(errno));
	unlink(path);		/* a stale socket of this index */
	old = umask(0177);
	err = bind(fd, (struct sockaddr *)&sa, sizeof(sa));
	umask(old);
	if (err || chmod(path, 0600) || listen(fd, 16)) {
		err = errno;
		close(fd);
		unlink(path);
		return cli_fail("cannot listen at '%s': %s", path, strerror(err));
	}
	c->lfd = fd;
	snprintf(c->path, sizeof(c->path), "%s", path);
	return 0;
}

static void drop(struct control *c, size_t i)
{
	struct control_client *cl = &c->clients[i];

	close(cl->fd);
	free(cl->in);
	free(cl->out);
	c->clients[i] = c->clients[--c->nr_clients];
}

void control_close(struct control *c)
{
	while (c->nr_clients)
		drop(c, c->nr_clients - 1);
	if (c->lfd >= 0) {
		close(c->lfd);
		unlink(c->path);
	}
	c->lfd = -1;
}

static struct control_client *find(struct control *c, uint64_t id)
{
	for (size_t i = 0; i < c->nr_clients; i++)
		if (c->clients[i].id == id)
			return &c->clients[i];
	return NULL;
}

/* Write what the client takes now; -1 when it must be dropped. */
static int flush_out(struct control_client *cl)
{
	while (cl->out_off < cl->out_len) {
		ssize_t n = send(cl->fd, cl->out + cl->out_off,
				 cl->out_len - cl->out_off,
				 MSG_NOSIGNAL | MSG_DONTWAIT);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
			return 0;
		if (n <= 0)
			return -1;
		cl->out_off += (size_t)n;
	}
	cl->out_off = cl->out_len = 0;
	return 0;
}

/* Queue one line for the client; a client that reads nothing is dropped. */
static void queue_line(struct control *c, uint64_t id, const char *text)
{
	struct control_client *cl = find(c, id);
	size_t len = strlen(text), need;
	char *n;

	if (!cl)
		return;		/* gone meanwhile */
	need = cl->out_len - cl->out_off + len + 1;
	if (need > CONTROL_MAX_OUT) {
		drop(c, (size_t)(cl - c->clients));
		return;
	}
	if (cl->out_off) {		/* compact */
		memmove(cl->out, cl->out + cl->out_off, cl->out_len - cl->out_off);
		cl->out_len -= cl->out_off;
		cl->out_off = 0;
	}
	n = realloc(cl->out, cl->out_len + len + 1);
	if (!n) {
		drop(c, (size_t)(cl - c->clients));
		return;
	}
	cl->out = n;
	memcpy(cl->out + cl->out_len, text, len);
	cl->out[cl->out_len + len] = '\n';
	cl->out_len += len + 1;
	if (flush_out(cl))
		drop(c, (size_t)(cl - c->clients));
}

void control_answer(struct control *c, uint64_t client, struct json_object *ans)
{
	struct json_object *o = json_object_new_object();

	json_object_object_add(o, "version", json_object_new_int(CONTROL_VERSION));
	json_object_object_add(o, "ok", json_object_new_boolean(1));
	if (ans) {
		json_object_object_foreach(ans, key, val)
			json_object_object_add(o, key, json_object_get(val));
		json_object_put(ans);
	}
	queue_line(c, client, json_object_to_json_string_ext(o,
			JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE));
	json_object_put(o);
}

void control_answer_raw(struct control *c, uint64_t client, const char *fields)
{
	char head[64];
	size_t hl = (size_t)snprintf(head, sizeof(head),
				     "{\"version\":%d,\"ok\":true,",
				     CONTROL_VERSION);
	size_t fl = strlen(fields);
	char *line = malloc(hl + fl + 2);

	if (!line) {
		control_error(c, client, "out of memory for the answer");
		return;
	}
	memcpy(line, head, hl);
	memcpy(line + hl, fields, fl);
	line[hl + fl] = '}';
	line[hl + fl + 1] = '\0';
	queue_line(c, client, line);
	free(line);
}

static void verror(struct control *c, uint64_t client, const char *fmt,
		   va_list ap)
{
	struct json_object *o = json_object_new_object();
	char msg[1024];

	vsnprintf(msg, sizeof(msg), fmt, ap);
	json_object_object_add(o, "version", json_object_new_int(CONTROL_VERSION));
	json_object_object_add(o, "ok", json_object_new_boolean(0));
	json_object_object_add(o, "error", json_object_new_string(msg));
	queue_line(c, client, json_object_to_json_string_ext(o,
			JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE));
	json_object_put(o);
}

void control_error(struct control *c, uint64_t client, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	verror(c, client, fmt, ap);
	va_end(ap);
}

static void bad(struct control *c, uint64_t client, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void bad(struct control *c, uint64_t client, const char *fmt, ...)
{
	va_list ap;

	c->nr_bad++;
	va_start(ap, fmt);
	verror(c, client, fmt, ap);
	va_end(ap);
}

/* Parse one request line and hand it over. */
static void request(struct control *c, uint64_t id, const char *line,
		    size_t len)
{
	struct json_tokener *tok = json_tokener_new();
	struct json_object *req, *v, *cmd;
	size_t end;

	if (!tok) {
		control_error(c, id, "out of memory");
		return;
	}
	req = json_tokener_parse_ex(tok, line, (int)len);
	end = json_tokener_get_parse_end(tok);
	if (!req || json_tokener_get_error(tok) != json_tokener_success) {
		bad(c, id, "malformed request: not JSON (%s): expected one "
		    "JSON object per line", req ? "trailing text" :
		    json_tokener_error_desc(json_tokener_get_error(tok)));
		goto out;
	}
	while (end < len && strchr(" \t\r", line[end]))
		end++;
	if (end < len) {
		bad(c, id, "malformed request: text after the JSON object: "
		    "expected one object per line");
		goto out;
	}
	if (!json_object_is_type(req, json_type_object)) {
		bad(c, id, "malformed request: expected a JSON object such as "
		    "{\"version\": %d, \"cmd\": \"status\"}", CONTROL_VERSION);
		goto out;
	}
	if (!json_object_object_get_ex(req, "version", &v) ||
	    !json_object_is_type(v, json_type_int) ||
	    json_object_get_int64(v) != CONTROL_VERSION) {
		bad(c, id, "unsupported or missing protocol version: this "
		    "monitor speaks \"version\": %d", CONTROL_VERSION);
		goto out;
	}
	if (!json_object_object_get_ex(req, "cmd", &cmd) ||
	    !json_object_is_type(cmd, json_type_string)) {
		bad(c, id, "malformed request: no \"cmd\" string");
		goto out;
	}
	c->handle(c, id, req, json_object_get_string(cmd), c->data);
out:
	json_object_put(req);
	json_tokener_free(tok);
}

/* Take what the client sent; whole lines become requests. */
static void take_input(struct control *c, struct control_client *cl)
{
	uint64_t id = cl->id;
	char buf[65536];
	ssize_t n;

	n = recv(cl->fd, buf, sizeof(buf), MSG_DONTWAIT);
	if (n < 0 && (errno == EAGAIN || errno == EINTR))
		return;
	if (n <= 0) {
		drop(c, (size_t)(cl - c->clients));
		return;
	}
	cl->last_ns = udamon_now_ns();
	for (ssize_t i = 0; i < n; ) {
		char *nl = memchr(buf + i, '\n', (size_t)(n - i));
		size_t piece = nl ? (size_t)(nl - (buf + i)) : (size_t)(n - i);

		if (!cl->discarding && cl->in_len + piece > CONTROL_MAX_MSG) {
			cl->discarding = true;
			cl->in_len = 0;
			bad(c, id, "message too long: a request is at most %d "
			    "bytes", CONTROL_MAX_MSG);
			cl = find(c, id);
			if (!cl)
				return;
		}
		if (!cl->discarding) {
			memcpy(cl->in + cl->in_len, buf + i, piece);
			cl->in_len += piece;
		}
		i += (ssize_t)piece + (nl ? 1 : 0);
		if (!nl)
			break;
		if (!cl->discarding && cl->in_len)
			request(c, id, cl->in, cl->in_len);
		cl = find(c, id);
		if (!cl)
			return;
		cl->discarding = false;
		cl->in_len = 0;
	}
}

/* A new connection: only root (as the monitor) may talk to it. */
static void accept_one(struct control *c)
{
	struct control_client *cl;
	struct ucred cred = { .uid = (uid_t)-1 };
	socklen_t len = sizeof(cred);
	const char *why = NULL;
	char line[256];
	int fd;

	fd = accept4(c->lfd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
	if (fd < 0)
		return;
	if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &len))
		why = "cannot tell who connected";
	else if (cred.uid != 0)
		why = "only root may control udamon monitors";
	else if (c->nr_clients == CONTROL_MAX_CLIENTS)
		why = "too many clients";
	if (why) {
		if (cred.uid != 0)
			c->nr_refused++;
		snprintf(line, sizeof(line), "{\"version\":%d,\"ok\":false,"
			 "\"error\":\"refused: %s (peer uid %d)\"}\n",
			 CONTROL_VERSION, why, (int)cred.uid);
		/* best effort: it is refused either way */
		(void)!send(fd, line, strlen(line), MSG_NOSIGNAL | MSG_DONTWAIT);
		close(fd);
		return;
	}
	cl = &c->clients[c->nr_clients];
	memset(cl, 0, sizeof(*cl));
	cl->in = malloc(CONTROL_MAX_MSG);
	if (!cl->in) {
		close(fd);
		return;
	}
	cl->fd = fd;
	cl->id = ++c->next_id;
	cl->last_ns = udamon_now_ns();
	c->nr_clients++;
}

/* Drop clients idle for long: a stuck client must not hold a slot forever. */
static void sweep(struct control *c)
{
	uint64_t now = udamon_now_ns();

	for (size_t i = c->nr_clients; i-- > 0; )
		if (now - c->clients[i].last_ns > CONTROL_IDLE_NS)
			drop(c, i);
}

int control_serve(struct control *c, uint64_t timeout_ns)
{
	struct pollfd p[CONTROL_MAX_CLIENTS + 1];
	uint64_t ids[CONTROL_MAX_CLIENTS];
	struct timespec ts = {
		.tv_sec = (time_t)(timeout_ns / 1000000000),
		.tv_nsec = (long)(timeout_ns % 1000000000),
	};
	size_t n = 0, nr = c->nr_clients;
	int ret;

	if (c->lfd < 0) {
		nanosleep(&ts, NULL);
		return 0;
	}
	for (size_t i = 0; i < nr; i++) {
		p[i].fd = c->clients[i].fd;
		p[i].events = POLLIN |
			(c->clients[i].out_len > c->clients[i].out_off ? POLLOUT : 0);
		ids[i] = c->clients[i].id;
	}
	n = nr;
	p[n].fd = c->lfd;
	p[n].events = POLLIN;
	ret = ppoll(p, n + 1, &ts, NULL);
	if (ret < 0)
		return errno == EINTR ? -EINTR : 0;
	for (size_t i = 0; i < nr; i++) {
		struct control_client *cl = find(c, ids[i]);

		if (!cl || !p[i].revents)
			continue;
		if (p[i].revents & POLLOUT) {
			if (flush_out(cl)) {
				drop(c, (size_t)(cl - c->clients));
				continue;
			}
			cl->last_ns = udamon_now_ns();
		}
		if (p[i].revents & (POLLIN | POLLHUP | POLLERR))
			take_input(c, cl);
	}
	if (p[n].revents & POLLIN)
		accept_one(c);
	sweep(c);
	return 0;
}
