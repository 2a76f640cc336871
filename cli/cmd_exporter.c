// SPDX-License-Identifier: MIT
/*
 * udamon exporter --listen 127.0.0.1:PORT: serve `report metrics` over
 * HTTP on a loopback address, GET /metrics, one scrape per request. One
 * connection at a time, each with a 5 s limit to send its request, so a
 * stuck client delays scrapes by at most that.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include "cli/cli.h"
#include "cli/control_client.h"
#include "cli/metrics.h"
#include "cli/stop_signal.h"

#define REQ_MAX		8192
#define CLIENT_TIMEOUT_S	5

static void usage(FILE *f)
{
	fprintf(f,
		"usage: udamon exporter --listen ADDRESS:PORT [--index N]\n\n"
		"Serve the metrics of the running monitors (what 'udamon report\n"
		"metrics' prints) over HTTP at http://ADDRESS:PORT/metrics, until\n"
		"SIGINT or SIGTERM. ADDRESS must be a loopback address (127.0.0.1,\n"
		"::1): the metrics say what processes do, so they are not served to\n"
		"the network; put a proxy or a node_exporter in front for that.\n\n"
		"  --listen ADDRESS:PORT   where to listen (e.g. 127.0.0.1:9465)\n"
		"  --index N               only monitor N\n"
		"  -h, --help              this help\n");
}

/* "127.0.0.1:9465" or "[::1]:9465" into addr; loopback only. */
static int parse_listen(const char *s, struct sockaddr_storage *addr,
			socklen_t *len)
{
	char host[INET6_ADDRSTRLEN + 2];
	const char *colon = strrchr(s, ':');
	struct sockaddr_in *a4 = (struct sockaddr_in *)addr;
	struct sockaddr_in6 *a6 = (struct sockaddr_in6 *)addr;
	char *end;
	long port;
	size_t n;

	if (!colon || colon == s || (size_t)(colon - s) >= sizeof(host))
		return cli_fail("--listen '%s': expected ADDRESS:PORT, e.g. 127.0.0.1:9465",
				s);
	n = (size_t)(colon - s);
	memcpy(host, s, n);
	host[n] = '\0';
	if (host[0] == '[' && host[n - 1] == ']') {
		memmove(host, host + 1, n - 2);
		host[n - 2] = '\0';
	}
	errno = 0;
	port = strtol(colon + 1, &end, 10);
	if (!colon[1] || *end || errno || port < 1 || port > 65535)
		return cli_fail("--listen '%s': port '%s': expected 1 to 65535",
				s, colon + 1);
	memset(addr, 0, sizeof(*addr));
	if (inet_pton(AF_INET, host, &a4->sin_addr) == 1) {
		if ((ntohl(a4->sin_addr.s_addr) >> 24) != 127)
			return cli_fail("--listen '%s': %s is not a loopback address (expected 127.x.x.x or ::1)",
					s, host);
		a4->sin_family = AF_INET;
		a4->sin_port = htons((uint16_t)port);
		*len = sizeof(*a4);
		return 0;
	}
	if (inet_pton(AF_INET6, host, &a6->sin6_addr) == 1) {
		if (!IN6_IS_ADDR_LOOPBACK(&a6->sin6_addr))
			return cli_fail("--listen '%s': %s is not a loopback address (expected 127.x.x.x or ::1)",
					s, host);
		a6->sin6_family = AF_INET6;
		a6->sin6_port = htons((uint16_t)port);
		*len = sizeof(*a6);
		return 0;
	}
	return cli_fail("--listen '%s': '%s' is not an IP address (expected 127.0.0.1 or ::1)",
			s, host);
}

static int listen_on(const char *spec)
{
	struct sockaddr_storage addr;
	socklen_t len = 0;
	int fd, one = 1;

	if (parse_listen(spec, &addr, &len))
		return -1;
	fd = socket(addr.ss_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return cli_fail("socket: %s", strerror(errno));
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (bind(fd, (struct sockaddr *)&addr, len) || listen(fd, 16)) {
		int e = errno;

		close(fd);
		return cli_fail("--listen '%s': %s", spec, strerror(e));
	}
	return fd;
}

static void send_all(int fd, const char *buf, size_t len)
{
	while (len) {
		ssize_t n = send(fd, buf, len, MSG_NOSIGNAL);

		if (n <= 0 && errno == EINTR && !cli_stop_signal())
			continue;
		if (n <= 0)
			return;
		buf += n;
		len -= (size_t)n;
	}
}

static void reply(int fd, const char *status, const char *type,
		  const char *body, size_t len)
{
	char head[256];
	int n = snprintf(head, sizeof(head),
			 "HTTP/1.1 %s\r\nContent-Type: %s\r\n"
			 "Content-Length: %zu\r\nConnection: close\r\n\r\n",
			 status, type, len);

	send_all(fd, head, (size_t)n);
	send_all(fd, body, len);
}

/* Read up to the end of the request head; 0 or -1. */
static int read_request(int fd, char *buf, size_t cap)
{
	size_t len = 0;

	while (len + 1 < cap) {
		ssize_t n = recv(fd, buf + len, cap - 1 - len, 0);

		if (n <= 0)
			return -1;
		len += (size_t)n;
		buf[len] = '\0';
		if (strstr(buf, "\r\n\r\n") || strstr(buf, "\n\n"))
			return 0;
	}
	return -1;
}

static void serve(int fd, int index)
{
	static const char text[] = "text/plain; charset=utf-8";
	struct timeval tv = { CLIENT_TIMEOUT_S, 0 };
	char req[REQ_MAX], *body = NULL;
	size_t len = 0;
	FILE *f;

	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
	if (read_request(fd, req, sizeof(req))) {
		reply(fd, "400 Bad Request", text, "bad request\n", 12);
		return;
	}
	if (strncmp(req, "GET ", 4)) {
		reply(fd, "405 Method Not Allowed", text, "only GET\n", 9);
		return;
	}
	if (strncmp(req + 4, "/metrics ", 9) && strncmp(req + 4, "/metrics?", 9)) {
		reply(fd, "404 Not Found", text, "see /metrics\n", 13);
		return;
	}
	f = open_memstream(&body, &len);
	if (!f || metrics_scrape(f, index, NULL)) {
		if (f)
			fclose(f);
		free(body);
		reply(fd, "500 Internal Server Error", text,
		      "the monitors could not be read (see the exporter's standard error)\n",
		      68);
		return;
	}
	fclose(f);
	reply(fd, "200 OK", "text/plain; version=0.0.4; charset=utf-8", body,
	      len);
	free(body);
}

int cmd_exporter(int argc, char **argv)
{
	const char *spec = NULL;
	int lfd, index = -1, taken;

	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "-h") || !strcmp(argv[i], "--help")) {
			usage(stdout);
			return 0;
		}
		if (!strcmp(argv[i], "--listen")) {
			if (++i >= argc)
				return cli_error("--listen needs ADDRESS:PORT, e.g. 127.0.0.1:9465");
			spec = argv[i];
			continue;
		}
		taken = control_parse_index(argc, argv, &i, &index);
		if (taken < 0)
			return 1;
		if (!taken)
			return cli_error("exporter: unknown option '%s' (see 'udamon exporter --help')",
					 argv[i]);
	}
	if (!spec)
		return cli_error("exporter: --listen ADDRESS:PORT is needed, e.g. --listen 127.0.0.1:9465");
	lfd = listen_on(spec);
	if (lfd < 0)
		return 1;
	cli_catch_stop_signals(NULL);
	signal(SIGPIPE, SIG_IGN);
	fprintf(stderr, "udamon: serving metrics at http://%s/metrics\n", spec);
	while (!cli_stop_signal()) {
		int fd = accept4(lfd, NULL, NULL, SOCK_CLOEXEC);

		if (fd < 0) {
			if (errno == EINTR || errno == ECONNABORTED)
				continue;
			cli_error("exporter: accept: %s", strerror(errno));
			break;
		}
		serve(fd, index);
		close(fd);
	}
	close(lfd);
	return cli_stop_signal() ? 0 : 1;
}
