// SPDX-License-Identifier: MIT
/* The client side of the control channel (docs/CONTROL.md). */
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "cli/cli.h"
#include "cli/control.h"
#include "cli/control_client.h"
#include "cli/options.h"
#include "udamon/textfmt.h"
#include "udamon/udamon.h"

#define ANSWER_TIMEOUT_MS	30000

static int connect_to(int index, int *fd)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	int s;

	rundir_file(sa.sun_path, sizeof(sa.sun_path), index, "sock");
	s = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (s < 0)
		return -errno;
	if (connect(s, (struct sockaddr *)&sa, sizeof(sa))) {
		int err = -errno;

		close(s);
		return err;
	}
	*fd = s;
	return 0;
}

static int send_all(int fd, const char *p, size_t len)
{
	while (len) {
		ssize_t n = send(fd, p, len, MSG_NOSIGNAL);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return -errno;
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

/* One answer line (NUL-terminated, newline stripped) into *out. */
static int read_line(int fd, char **out)
{
	size_t len = 0, cap = 65536;
	char *buf = malloc(cap), *n;

	if (!buf)
		return -ENOMEM;
	for (;;) {
		struct pollfd p = { .fd = fd, .events = POLLIN };
		ssize_t got;
		int r = poll(&p, 1, ANSWER_TIMEOUT_MS);

		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0) {
			free(buf);
			return r ? -errno : -ETIMEDOUT;
		}
		if (cap - len < 65536) {
			cap *= 2;
			n = realloc(buf, cap);
			if (!n) {
				free(buf);
				return -ENOMEM;
			}
			buf = n;
		}
		got = recv(fd, buf + len, cap - len - 1, 0);
		if (got < 0 && errno == EINTR)
			continue;
		if (got <= 0) {
			free(buf);
			return got ? -errno : -ECONNRESET;
		}
		n = memchr(buf + len, '\n', (size_t)got);
		len += (size_t)got;
		if (n) {
			*n = '\0';
			*out = buf;
			return 0;
		}
	}
}

/* The monitor did not answer: dead (clean it) or alive but not serving. */
static int unreachable(int index, int err)
{
	struct rundir_entry e;

	if (rundir_find(index, &e))
		return -1;
	if (e.state == RUNDIR_DEAD) {
		rundir_clean_stale(&e);
		return CONTROL_GONE;
	}
	if (err == -EACCES)
		return cli_fail("monitor %d: permission denied: the control "
				"sockets are root's (run udamon as root)", index);
	return cli_fail("monitor %d (pid %d) does not answer: %s%s", index,
			(int)e.pid, strerror(-err),
			err == -ENOENT ? " (is it still starting?)" : "");
}

static int exchange(int fd, int index, const char *text, struct json_object **ans)
{
	struct json_object *o, *ok;
	char *line = NULL;
	int err;

	err = send_all(fd, text, strlen(text));
	if (!err)
		err = send_all(fd, "\n", 1);
	if (!err)
		err = read_line(fd, &line);
	if (err)
		return err;
	o = json_tokener_parse(line);
	free(line);
	if (!o || !json_object_object_get_ex(o, "ok", &ok)) {
		json_object_put(o);
		return cli_fail("monitor %d: the answer is not a JSON object "
				"with \"ok\"", index);
	}
	if (!json_object_get_boolean(ok)) {
		cli_error("monitor %d: %s", index, control_str(o, "error") ?
			  control_str(o, "error") : "request failed");
		json_object_put(o);
		return -1;
	}
	*ans = o;
	return 0;
}

int control_call(int index, const char *cmd, struct json_object *args,
		 struct json_object **ans)
{
	struct json_object *req = json_object_new_object();
	int fd = -1, err;

	*ans = NULL;
	json_object_object_add(req, "version", json_object_new_int(CONTROL_VERSION));
	json_object_object_add(req, "cmd", json_object_new_string(cmd));
	if (args) {
		json_object_object_foreach(args, key, val)
			json_object_object_add(req, key, json_object_get(val));
		json_object_put(args);
	}
	err = connect_to(index, &fd);
	if (err) {
		json_object_put(req);
		return unreachable(index, err);
	}
	err = exchange(fd, index, json_object_to_json_string_ext(req,
			JSON_C_TO_STRING_PLAIN), ans);
	close(fd);
	json_object_put(req);
	if (err < -1)		/* an errno: the connection broke */
		return unreachable(index, err);
	return err;
}

int control_targets(int index, struct rundir_entry **out, size_t *nr)
{
	struct rundir_entry *v;
	size_t n, k = 0;

	*out = NULL;
	*nr = 0;
	if (rundir_list(&v, &n))
		return -1;
	for (size_t i = 0; i < n; i++) {
		if (index >= 0 && v[i].index != index)
			continue;
		if (v[i].state == RUNDIR_DEAD) {
			rundir_clean_stale(&v[i]);
			if (index >= 0) {
				free(v);
				return -1;
			}
			continue;
		}
		v[k++] = v[i];
	}
	if (!k) {
		free(v);
		if (index >= 0 && !n)
			return cli_fail("no monitor with index %d (see 'udamon "
					"status')", index);
		if (index >= 0)
			return -1;
		return cli_fail("no monitor is running (start one with "
				"'udamon start')");
	}
	*out = v;
	*nr = k;
	return 0;
}

int control_each(int index, int (*fn)(const struct rundir_entry *e, void *arg),
		 void *arg, size_t *found)
{
	struct rundir_entry *v;
	size_t n;
	int ret = 0;

	*found = 0;
	if (rundir_list(&v, &n))
		return -1;
	for (size_t i = 0; i < n; i++) {
		if (index >= 0 && v[i].index != index)
			continue;
		++*found;
		if (v[i].state == RUNDIR_DEAD)
			rundir_clean_stale(&v[i]);
		else if (fn(&v[i], arg))
			ret = 1;
	}
	free(v);
	return ret;
}

long long control_int(struct json_object *o, const char *key)
{
	struct json_object *v;

	if (!o || !json_object_object_get_ex(o, key, &v))
		return 0;
	return json_object_get_int64(v);
}

const char *control_str(struct json_object *o, const char *key)
{
	struct json_object *v;

	if (!o || !json_object_object_get_ex(o, key, &v) ||
	    !json_object_is_type(v, json_type_string))
		return NULL;
	return json_object_get_string(v);
}

int control_parse_index(int argc, char **argv, int *i, int *index)
{
	char err[256];
	const char *v;
	uint64_t n;

	if (!cli_opt_is(argv[*i], "--index"))
		return 0;
	v = cli_opt_value(argc, argv, i, "--index");
	if (!v)
		return -1;
	if (udamon_parse_u64(v, &n, err, sizeof(err)) || n >= RUNDIR_MAX_INDEX)
		return cli_fail("--index '%s': expected a monitor index from 0 "
				"to %d (see 'udamon status')", v,
				RUNDIR_MAX_INDEX - 1);
	*index = (int)n;
	return 1;
}
