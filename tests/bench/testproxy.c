// SPDX-License-Identifier: GPL-2.0
/*
 * testproxy: a small HTTP/1.1 reverse proxy linked against gperftools, with
 * admin endpoints shaped like Envoy's:
 *   POST /cpuprofiler?enable=y|n   ProfilerStart(PATH) / ProfilerStop()
 *   POST /heapprofiler?enable=y|n  HeapProfilerStart(PATH) /
 *                                  HeapProfilerDump + HeapProfilerStop
 *   GET  /ready                    200 "LIVE"
 * Used by tests/integ/bench_envoy.sh to exercise `flame bench
 * --envoy_profiler`. Built by that script:
 *   cc -O1 -g -fno-omit-frame-pointer -fno-inline -pthread -o testproxy testproxy.c \
 *      -lprofiler -ltcmalloc
 * usage: testproxy --listen PORT --backend PORT --admin PORT --profile-path P
 * (all addresses are 127.0.0.1). A thread per connection, keep-alive both
 * sides, Content-Length bodies only: enough for wrk against a fixed backend.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <gperftools/heap-profiler.h>
#include <gperftools/profiler.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <unistd.h>

#define BUF_SIZE	65536
#define RING		256

static int backend_port;
static const char *profile_path = "/tmp/testproxy.prof";
static pthread_mutex_t admin_lock = PTHREAD_MUTEX_INITIALIZER;
static int cpu_on, heap_on;

/* Recently seen request lines, kept so the heap profile has live bytes. */
static char *recent[RING];
static unsigned int recent_pos;
static pthread_mutex_t recent_lock = PTHREAD_MUTEX_INITIALIZER;

struct conn_buf {
	char *data;
	size_t len;
};

static int listen_on(int port)
{
	struct sockaddr_in a = { .sin_family = AF_INET };
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0), one = 1;

	if (fd < 0)
		return -1;
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	a.sin_port = htons((unsigned short)port);
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (bind(fd, (struct sockaddr *)&a, sizeof(a)) < 0 ||
	    listen(fd, 512) < 0) {
		close(fd);
		return -1;
	}
	return fd;
}

static int connect_backend(void)
{
	struct sockaddr_in a = { .sin_family = AF_INET };
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0), one = 1;

	if (fd < 0)
		return -1;
	a.sin_port = htons((unsigned short)backend_port);
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (connect(fd, (struct sockaddr *)&a, sizeof(a)) < 0) {
		close(fd);
		return -1;
	}
	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	return fd;
}

static int write_all(int fd, const char *p, size_t n)
{
	while (n) {
		ssize_t w = write(fd, p, n);

		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return -1;
		p += w;
		n -= (size_t)w;
	}
	return 0;
}

/*
 * Read one HTTP message (headers + Content-Length body) into b, which may
 * hold bytes already. Returns the message length, 0 on EOF, -1 on error.
 */
static ssize_t tp_read_message(int fd, struct conn_buf *b)
{
	for (;;) {
		char *hend = b->len ? memmem(b->data, b->len, "\r\n\r\n", 4) : NULL;

		if (hend) {
			size_t hlen = (size_t)(hend - b->data) + 4, clen = 0;
			char *cl = memmem(b->data, hlen, "\r\nContent-Length:", 17);

			if (!cl)
				cl = memmem(b->data, hlen, "\r\ncontent-length:", 17);
			if (cl)
				clen = strtoul(cl + 17, NULL, 10);
			if (hlen + clen > BUF_SIZE)
				return -1;
			if (b->len >= hlen + clen)
				return (ssize_t)(hlen + clen);
		}
		if (b->len == BUF_SIZE)
			return -1;
		ssize_t r = read(fd, b->data + b->len, BUF_SIZE - b->len);

		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			return r == 0 && !b->len ? 0 : -1;
		b->len += (size_t)r;
	}
}

static void consume(struct conn_buf *b, size_t n)
{
	memmove(b->data, b->data + n, b->len - n);
	b->len -= n;
}

/* The proxy's "filter chain": hash every header byte a few rounds. */
static unsigned long tp_filter_headers(const char *msg, size_t len)
{
	unsigned long h = 1469598103934665603UL;
	int round;
	size_t i;

	for (round = 0; round < 64; round++)
		for (i = 0; i < len; i++)
			h = (h ^ (unsigned char)msg[i]) * 1099511628211UL;
	return h;
}

static void tp_remember_request(const char *msg, size_t len)
{
	const char *eol = memchr(msg, '\r', len);
	size_t n = eol ? (size_t)(eol - msg) : len;
	char *copy = malloc(n + 64);

	if (!copy)
		return;
	memcpy(copy, msg, n);
	copy[n] = '\0';
	pthread_mutex_lock(&recent_lock);
	free(recent[recent_pos % RING]);
	recent[recent_pos++ % RING] = copy;
	pthread_mutex_unlock(&recent_lock);
}

static volatile unsigned long sink;

static int tp_proxy_one(int cfd, int *bfd, struct conn_buf *in,
			struct conn_buf *out)
{
	ssize_t n = tp_read_message(cfd, in), m;

	if (n <= 0)
		return -1;
	sink += tp_filter_headers(in->data, (size_t)n);
	tp_remember_request(in->data, (size_t)n);
	if (*bfd < 0 && (*bfd = connect_backend()) < 0)
		return -1;
	if (write_all(*bfd, in->data, (size_t)n))
		return -1;
	consume(in, (size_t)n);
	m = tp_read_message(*bfd, out);
	if (m <= 0)
		return -1;
	sink += tp_filter_headers(out->data, (size_t)m);
	if (write_all(cfd, out->data, (size_t)m))
		return -1;
	consume(out, (size_t)m);
	return 0;
}

static void *tp_connection(void *arg)
{
	int cfd = (int)(long)arg, bfd = -1;
	struct conn_buf in = { malloc(BUF_SIZE), 0 };
	struct conn_buf out = { malloc(BUF_SIZE), 0 };

	if (in.data && out.data)
		while (tp_proxy_one(cfd, &bfd, &in, &out) == 0)
			;
	free(in.data);
	free(out.data);
	close(cfd);
	if (bfd >= 0)
		close(bfd);
	return NULL;
}

static const char *admin_action(const char *req)
{
	static char path[4200];
	const char *r = "404";

	pthread_mutex_lock(&admin_lock);
	if (!strncmp(req, "POST /cpuprofiler?enable=y", 26)) {
		if (!cpu_on && ProfilerStart(profile_path))
			cpu_on = 1, r = "OK";
		else
			r = "ERR";
	} else if (!strncmp(req, "POST /cpuprofiler?enable=n", 26)) {
		if (cpu_on) {
			ProfilerStop();
			cpu_on = 0;
		}
		r = "OK";
	} else if (!strncmp(req, "POST /heapprofiler?enable=y", 27)) {
		if (!heap_on) {
			snprintf(path, sizeof(path), "%s", profile_path);
			HeapProfilerStart(path);
			heap_on = 1;
		}
		r = "OK";
	} else if (!strncmp(req, "POST /heapprofiler?enable=n", 27)) {
		if (heap_on) {
			HeapProfilerDump("stop");
			HeapProfilerStop();
			heap_on = 0;
		}
		r = "OK";
	} else if (!strncmp(req, "GET /ready", 10)) {
		r = "LIVE";
	}
	pthread_mutex_unlock(&admin_lock);
	return r;
}

static void *admin_loop(void *arg)
{
	int lfd = (int)(long)arg;

	for (;;) {
		int fd = accept4(lfd, NULL, NULL, SOCK_CLOEXEC);
		struct conn_buf b = { malloc(BUF_SIZE), 0 };
		char resp[256];
		const char *r;

		if (fd < 0 || !b.data) {
			free(b.data);
			if (fd >= 0)
				close(fd);
			continue;
		}
		if (tp_read_message(fd, &b) > 0) {
			b.data[b.len < BUF_SIZE ? b.len : BUF_SIZE - 1] = '\0';
			r = admin_action(b.data);
			snprintf(resp, sizeof(resp),
				 "HTTP/1.1 %s\r\nContent-Length: %zu\r\nConnection: close\r\n\r\n%s\n",
				 !strcmp(r, "404") ? "404 Not Found" :
				 !strcmp(r, "ERR") ? "500 Error" : "200 OK",
				 strlen(r) + 1, r);
			write_all(fd, resp, strlen(resp));
		}
		free(b.data);
		close(fd);
	}
	return NULL;
}

int main(int argc, char **argv)
{
	int port = 0, admin = 0, lfd, afd, i;
	pthread_attr_t attr;
	pthread_t t;

	for (i = 1; i + 1 < argc; i += 2) {
		if (!strcmp(argv[i], "--listen"))
			port = atoi(argv[i + 1]);
		else if (!strcmp(argv[i], "--backend"))
			backend_port = atoi(argv[i + 1]);
		else if (!strcmp(argv[i], "--admin"))
			admin = atoi(argv[i + 1]);
		else if (!strcmp(argv[i], "--profile-path"))
			profile_path = argv[i + 1];
	}
	if (!port || !backend_port || !admin) {
		fprintf(stderr, "usage: testproxy --listen PORT --backend PORT --admin PORT [--profile-path P]\n");
		return 2;
	}
	signal(SIGPIPE, SIG_IGN);
	lfd = listen_on(port);
	afd = listen_on(admin);
	if (lfd < 0 || afd < 0) {
		perror("testproxy: listen");
		return 1;
	}
	pthread_create(&t, NULL, admin_loop, (void *)(long)afd);
	pthread_attr_init(&attr);
	pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
	for (;;) {
		int fd = accept4(lfd, NULL, NULL, SOCK_CLOEXEC), one = 1;

		if (fd < 0)
			continue;
		setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
		if (pthread_create(&t, &attr, tp_connection, (void *)(long)fd))
			close(fd);
	}
}
