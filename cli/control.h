/* SPDX-License-Identifier: MIT */
/*
 * The control channel of a background monitor: a Unix stream socket that
 * speaks JSON lines (docs/CONTROL.md). The server side never blocks: its
 * sockets are non-blocking and it is served from the monitor's own loop,
 * in the time a sample sleeps, so a slow or stuck client never delays
 * sampling. Only root may connect (SO_PEERCRED, checked on every
 * connection).
 */
#ifndef UDAMON_CLI_CONTROL_H
#define UDAMON_CLI_CONTROL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <json-c/json.h>

#define CONTROL_VERSION		1
#define CONTROL_MAX_MSG		(256 * 1024)	/* a request line, bytes */
#define CONTROL_MAX_OUT		(256u << 20)	/* unread answers, bytes */
#define CONTROL_MAX_CLIENTS	16
#define CONTROL_IDLE_NS		(300ull * 1000000000)

struct control;

/*
 * A well-formed request (an object with "version" 1 and a string "cmd").
 * The handler answers with control_answer() or control_error(), now or
 * later (the client is named by its id; it may be gone by then).
 */
typedef void (*control_handler)(struct control *c, uint64_t client,
				struct json_object *req, const char *cmd,
				void *data);

struct control_client {
	int fd;
	uint64_t id;
	char *in;		/* a partial request line */
	size_t in_len;
	bool discarding;	/* skipping the rest of an oversized line */
	char *out;		/* answers not yet taken by the client */
	size_t out_len, out_off;
	uint64_t last_ns;
};

struct control {
	int lfd;
	char path[4096];
	struct control_client clients[CONTROL_MAX_CLIENTS];
	size_t nr_clients;
	uint64_t next_id;
	control_handler handle;
	void *data;
	uint64_t nr_refused;	/* connections of other users */
	uint64_t nr_bad;	/* malformed or oversized requests */
};

/* Bind and listen at path (mode 0600). -1 after printing. */
int control_listen(struct control *c, const char *path,
		   control_handler handle, void *data);
/* Close every connection, the socket, and remove its file. */
void control_close(struct control *c);
/*
 * Wait at most timeout_ns for clients and serve what is ready. Returns 0,
 * or -EINTR when a signal came.
 */
int control_serve(struct control *c, uint64_t timeout_ns);
/* Answer {"version":1,"ok":true, ...fields of ans}; takes ans (may be NULL). */
void control_answer(struct control *c, uint64_t client, struct json_object *ans);
/* The same with fields given as JSON text ("\"a\":1,\"b\":[...]"), one line. */
void control_answer_raw(struct control *c, uint64_t client, const char *fields);
/* Answer {"version":1,"ok":false,"error":msg}. */
void control_error(struct control *c, uint64_t client, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

#endif
