// SPDX-License-Identifier: GPL-2.0
/*
 * The built-in topology's application: a small epoll HTTP/1.1 server that
 * answers every request with a fixed 200 response, keep-alive. Bodies of
 * requests are not read (wrk sends GETs). Runs inside the pod's network
 * namespace as the process that holds it.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#include "bench.h"
#include "cmd.h"

#define BODY "flame bench backend: hello\n"
static const char response[] =
	"HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 27\r\n"
	"Connection: keep-alive\r\n\r\n" BODY;

struct bconn {
	int fd;
	int tail;		/* matched bytes of "\r\n\r\n" across reads */
};

/* Count complete request heads in data; tail carries a partial match. */
static int count_requests(struct bconn *c, const char *data, size_t n)
{
	static const char end[] = "\r\n\r\n";
	int reqs = 0;
	size_t i;

	for (i = 0; i < n; i++) {
		if (data[i] == end[c->tail]) {
			if (++c->tail == 4) {
				reqs++;
				c->tail = 0;
			}
		} else {
			c->tail = data[i] == '\r' ? 1 : 0;
		}
	}
	return reqs;
}

static void close_conn(int ep, struct bconn *c)
{
	epoll_ctl(ep, EPOLL_CTL_DEL, c->fd, NULL);
	close(c->fd);
	free(c);
}

static int serve_conn(struct bconn *c)
{
	char buf[16384], out[sizeof(response) * 16];
	ssize_t r;

	for (;;) {
		int reqs, k;
		size_t len = 0;

		r = read(c->fd, buf, sizeof(buf));
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0 && errno == EAGAIN)
			return 0;
		if (r <= 0)
			return -1;
		reqs = count_requests(c, buf, (size_t)r);
		while (reqs > 0) {
			for (k = 0; k < 16 && reqs > 0; k++, reqs--) {
				memcpy(out + len, response, sizeof(response) - 1);
				len += sizeof(response) - 1;
			}
			if (write(c->fd, out, len) != (ssize_t)len)
				return -1;
			len = 0;
		}
	}
}

int bench__backend_serve(int lfd, int ready_fd)
{
	struct epoll_event ev = { .events = EPOLLIN }, evs[64];
	int ep = epoll_create1(EPOLL_CLOEXEC), i, n;

	if (ep < 0)
		return -errno;
	ev.data.ptr = NULL;
	if (epoll_ctl(ep, EPOLL_CTL_ADD, lfd, &ev) < 0)
		return -errno;
	if (ready_fd >= 0) {
		if (write(ready_fd, "R", 1) != 1)
			return -EIO;
		close(ready_fd);
	}
	for (;;) {
		n = epoll_wait(ep, evs, 64, -1);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -errno;
		for (i = 0; i < n; i++) {
			struct bconn *c = evs[i].data.ptr;

			if (!c) {
				int fd, one = 1;

				while ((fd = accept4(lfd, NULL, NULL,
						     SOCK_NONBLOCK | SOCK_CLOEXEC)) >= 0) {
					struct epoll_event cev = { .events = EPOLLIN };

					c = calloc(1, sizeof(*c));
					if (!c) {
						close(fd);
						continue;
					}
					c->fd = fd;
					setsockopt(fd, IPPROTO_TCP, TCP_NODELAY,
						   &one, sizeof(one));
					cev.data.ptr = c;
					if (epoll_ctl(ep, EPOLL_CTL_ADD, fd, &cev) < 0) {
						close(fd);
						free(c);
					}
				}
				continue;
			}
			if (serve_conn(c) < 0)
				close_conn(ep, c);
		}
	}
}

/* flame bench --serve-backend HOST:PORT (foreground, for tests and demos) */
int bench__backend_main(const char *hostport)
{
	struct sockaddr_in a = { .sin_family = AF_INET };
	const char *colon = strrchr(hostport, ':');
	char host[64];
	int fd, one = 1, err;

	if (!colon || (size_t)(colon - hostport) >= sizeof(host))
		return cli_error("bench: --serve-backend %s: want HOST:PORT", hostport);
	memcpy(host, hostport, (size_t)(colon - hostport));
	host[colon - hostport] = '\0';
	a.sin_port = htons((unsigned short)atoi(colon + 1));
	if (inet_pton(AF_INET, host, &a.sin_addr) != 1)
		return cli_error("bench: --serve-backend %s: not an IPv4 address", hostport);
	fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return cli_error("bench: socket: %s", strerror(errno));
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (bind(fd, (struct sockaddr *)&a, sizeof(a)) < 0 || listen(fd, 1024) < 0)
		return cli_error("bench: listen on %s: %s", hostport, strerror(errno));
	err = bench__backend_serve(fd, -1);
	return cli_error("bench: backend: %s", strerror(-err));
}
