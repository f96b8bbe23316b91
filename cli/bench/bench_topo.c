// SPDX-License-Identifier: GPL-2.0
/*
 * flame bench: the built-in topology.
 *
 *   pod network namespace (new, loopback only, no bind mount: it goes away
 *   with its last process)
 *     backend   127.0.0.1:8080   flame's own epoll HTTP server; it creates
 *                                and holds the namespace
 *     sidecar   127.0.0.1:15001  haproxy, in its own mount and PID
 *                                namespaces too (unshare --kill-child)
 *     load      wrk -> 127.0.0.1:15001
 *
 * Nothing is named or mounted on the host, so nothing can be left behind:
 * every process is in a process group the driver kills, and each dies with
 * the driver (PR_SET_PDEATHSIG, unshare --kill-child).
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <net/if.h>
#include <netinet/in.h>
#include <poll.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "bench.h"
#include "cmd.h"

#define BACKEND_PORT	8080
#define SIDECAR_PORT	15001

extern const char bench_haproxy_cfg[];

static int lo_up(void)
{
	struct ifreq ifr = { 0 };
	int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0), err = 0;

	if (fd < 0)
		return -errno;
	strcpy(ifr.ifr_name, "lo");
	if (ioctl(fd, SIOCGIFFLAGS, &ifr) < 0) {
		err = -errno;
	} else {
		ifr.ifr_flags |= IFF_UP | IFF_RUNNING;
		if (ioctl(fd, SIOCSIFFLAGS, &ifr) < 0)
			err = -errno;
	}
	close(fd);
	return err;
}

static int listen_loopback(int port)
{
	struct sockaddr_in a = { .sin_family = AF_INET };
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	int one = 1;

	if (fd < 0)
		return -errno;
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	a.sin_port = htons((unsigned short)port);
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (bind(fd, (struct sockaddr *)&a, sizeof(a)) < 0 ||
	    listen(fd, 4096) < 0) {
		int err = -errno;

		close(fd);
		return err;
	}
	return fd;
}

/* Fork the backend into a new network namespace; wait until it listens. */
static int start_backend(struct bench *b)
{
	struct pollfd pfd;
	char path[64], c;
	int pipefd[2];
	ssize_t n;
	pid_t pid;

	if (pipe2(pipefd, O_CLOEXEC) < 0)
		return -errno;
	fflush(NULL);
	pid = fork();
	if (pid < 0)
		return -errno;
	if (!pid) {
		int lfd, fd;

		setpgid(0, 0);
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		signal(SIGINT, SIG_IGN);	/* the driver decides when */
		close(pipefd[0]);
		fd = open("/dev/null", O_RDWR);
		if (fd >= 0) {
			dup2(fd, 0);
			dup2(fd, 1);
		}
		prctl(PR_SET_NAME, "flame-backend");
		if (unshare(CLONE_NEWNET) < 0) {
			fprintf(stderr, "flame: bench: unshare(CLONE_NEWNET): %s\n",
				strerror(errno));
			_exit(1);
		}
		if (lo_up() < 0 || (lfd = listen_loopback(BACKEND_PORT)) < 0) {
			fprintf(stderr, "flame: bench: backend: cannot listen on 127.0.0.1:%d\n",
				BACKEND_PORT);
			_exit(1);
		}
		bench__backend_serve(lfd, pipefd[1]);
		_exit(1);
	}
	close(pipefd[1]);
	bench__add_proc(b, "backend", pid);
	pfd.fd = pipefd[0];
	pfd.events = POLLIN;
	if (poll(&pfd, 1, 5000) != 1 || read(pipefd[0], &c, 1) != 1) {
		close(pipefd[0]);
		cli_error("bench: the backend did not start (network namespaces need root)");
		return -EIO;
	}
	close(pipefd[0]);
	snprintf(path, sizeof(path), "/proc/%d/ns/net", (int)pid);
	b->netns_fd = open(path, O_RDONLY | O_CLOEXEC);
	if (b->netns_fd < 0)
		return -errno;
	b->backend_pid = pid;
	n = readlink(path, b->pod_netns, sizeof(b->pod_netns) - 1);
	b->pod_netns[n > 0 ? n : 0] = '\0';
	fprintf(stderr, "flame: bench: pod network namespace %s (backend pid %d; nsenter -t %d -n)\n",
		b->pod_netns, (int)pid, (int)pid);
	return 0;
}

/* A socket created in the pod's namespace (sockets keep the namespace they
 * were made in); the driver switches back right away. */
static int socket_in_pod(struct bench *b)
{
	int self, fd, err;

	if (b->netns_fd < 0)
		return socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	self = open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC);
	if (self < 0)
		return -1;
	if (setns(b->netns_fd, CLONE_NEWNET) < 0) {
		close(self);
		return -1;
	}
	fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	err = errno;
	if (setns(self, CLONE_NEWNET) < 0) {
		/* cannot happen for a single-threaded root process */
		fprintf(stderr, "flame: bench: cannot return to the host network namespace\n");
		abort();
	}
	close(self);
	errno = err;
	return fd;
}

static int connect_to(struct bench *b, const char *host, int port, int timeout_ms)
{
	struct sockaddr_in a = { .sin_family = AF_INET };
	struct timeval tv = { timeout_ms / 1000, (timeout_ms % 1000) * 1000 };
	int fd;

	a.sin_port = htons((unsigned short)port);
	if (inet_pton(AF_INET, host, &a.sin_addr) != 1)
		return -EINVAL;
	fd = socket_in_pod(b);
	if (fd < 0)
		return -errno;
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
	if (connect(fd, (struct sockaddr *)&a, sizeof(a)) < 0) {
		int err = -errno;

		close(fd);
		return err;
	}
	return fd;
}

int bench__probe(struct bench *b, const char *host, int port, int timeout_ms)
{
	int waited, fd;

	for (waited = 0; waited <= timeout_ms && !bench_stop; waited += 50) {
		fd = connect_to(b, host, port, 1000);
		if (fd >= 0) {
			close(fd);
			return 0;
		}
		usleep(50000);
	}
	return -ETIMEDOUT;
}

/* POST path to HOST:PORT (host network namespace); *status = HTTP status. */
int bench__http_post(struct bench *b, const char *hostport, const char *path,
		     int *status)
{
	char host[64], req[512], resp[512];
	const char *colon = strrchr(hostport, ':');
	int fd, n, got = 0, saved = b->netns_fd;

	if (!colon || (size_t)(colon - hostport) >= sizeof(host))
		return -EINVAL;
	memcpy(host, hostport, (size_t)(colon - hostport));
	host[colon - hostport] = '\0';
	b->netns_fd = -1;
	fd = connect_to(b, host, atoi(colon + 1), 10000);
	b->netns_fd = saved;
	if (fd < 0)
		return fd;
	n = snprintf(req, sizeof(req),
		     "POST %s HTTP/1.1\r\nHost: %s\r\nContent-Length: 0\r\n"
		     "Connection: close\r\n\r\n", path, hostport);
	if (write(fd, req, (size_t)n) != n) {
		close(fd);
		return -EIO;
	}
	while (got < (int)sizeof(resp) - 1) {
		ssize_t r = read(fd, resp + got, sizeof(resp) - 1 - (size_t)got);

		if (r <= 0)
			break;
		got += (int)r;
	}
	close(fd);
	resp[got] = '\0';
	if (sscanf(resp, "HTTP/1.%*d %d", status) != 1)
		return -EPROTO;
	return 0;
}

static char *fill_template(const char *tmpl, int threads)
{
	struct fg_buf o = FG_BUF_INIT;
	const char *s;

	for (s = tmpl; *s; s++) {
		if (!strncmp(s, "@LISTEN@", 8)) {
			fg_buf__addf(&o, "127.0.0.1:%d", SIDECAR_PORT);
			s += 7;
		} else if (!strncmp(s, "@BACKEND@", 9)) {
			fg_buf__addf(&o, "127.0.0.1:%d", BACKEND_PORT);
			s += 8;
		} else if (!strncmp(s, "@THREADS@", 9)) {
			fg_buf__addf(&o, "%d", threads);
			s += 8;
		} else {
			fg_buf__addch(&o, *s);
		}
	}
	return o.buf;
}

static char *read_text(const char *path)
{
	struct fg_buf o = FG_BUF_INIT;
	char buf[4096];
	FILE *fp = fopen(path, "re");
	size_t n;

	if (!fp)
		return NULL;
	while ((n = fread(buf, 1, sizeof(buf), fp)) > 0 && o.len < (1u << 20))
		fg_buf__add(&o, buf, n);
	fclose(fp);
	if (!o.buf)
		fg_buf__adds(&o, "");
	return o.buf;
}

/* The pid unshare forked (the sidecar, PID 1 of its namespace). */
static pid_t child_of(pid_t parent)
{
	char path[96], buf[256];
	FILE *fp;
	pid_t pid = 0;

	snprintf(path, sizeof(path), "/proc/%d/task/%d/children", (int)parent,
		 (int)parent);
	fp = fopen(path, "re");
	if (!fp)
		return 0;
	if (fgets(buf, sizeof(buf), fp))
		pid = (pid_t)atoi(buf);
	fclose(fp);
	return pid;
}

static bool comm_is(pid_t pid, const char *name)
{
	char path[64], buf[64];
	FILE *fp;
	bool ok = false;

	snprintf(path, sizeof(path), "/proc/%d/comm", (int)pid);
	fp = fopen(path, "re");
	if (!fp)
		return false;
	if (fgets(buf, sizeof(buf), fp)) {
		buf[strcspn(buf, "\n")] = '\0';
		ok = !strcmp(buf, name);
	}
	fclose(fp);
	return ok;
}

static int sidecar_failed(const char *log, const char *what)
{
	char line[512];
	FILE *fp = fopen(log, "re");
	int n = 0;

	cli_error("bench: the sidecar (haproxy) %s; its log:", what);
	while (fp && fgets(line, sizeof(line), fp) && n++ < 10)
		fprintf(stderr, "  haproxy: %s", line);
	if (fp)
		fclose(fp);
	return 1;
}

int bench__topo_up(struct bench *b)
{
	char cfgpath[128], logpath[128], *tmpl, *cfg, *argv[16];
	FILE *fp;
	int i, n = 0, err;
	pid_t pid = 0;

	if (access("/usr/sbin/haproxy", X_OK) && bench__shell("command -v haproxy >/dev/null"))
		return cli_error("bench: haproxy is not installed (scripts/deps.sh bench installs it)");
	err = start_backend(b);
	if (err)
		return err == -EIO ? 1 : cli_error("bench: backend: %s", strerror(-err));

	tmpl = b->proxy_config ? read_text(b->proxy_config) : strdup(bench_haproxy_cfg);
	if (!tmpl)
		return cli_error("bench: --proxy-config %s: %s", b->proxy_config,
				 strerror(errno));
	cfg = fill_template(tmpl, b->proxy_threads);
	free(tmpl);
	snprintf(cfgpath, sizeof(cfgpath), "%s/haproxy.cfg", b->rundir);
	fp = fopen(cfgpath, "we");
	if (!fp || fputs(cfg, fp) < 0 || fclose(fp)) {
		free(cfg);
		return cli_error("bench: %s: %s", cfgpath, strerror(errno));
	}
	free(cfg);

	argv[n++] = "unshare";
	argv[n++] = "--mount";
	argv[n++] = "--pid";
	argv[n++] = "--fork";
	argv[n++] = "--mount-proc";
	argv[n++] = "--kill-child";
	argv[n++] = "--";
	argv[n++] = "haproxy";
	argv[n++] = "-db";
	argv[n++] = "-f";
	argv[n++] = cfgpath;
	argv[n] = NULL;
	snprintf(logpath, sizeof(logpath), "%s/sidecar.log", b->rundir);
	i = bench__spawn_argv(b, "sidecar", argv, logpath, logpath, BENCH_NS_POD);
	if (i < 0)
		return cli_error("bench: starting the sidecar: %s", strerror(-i));
	b->procs[i].hard = true;
	for (n = 0; n < 100 && !bench_stop; n++) {
		bench__reap(b);
		if (b->procs[i].done)
			return sidecar_failed(logpath, "exited at start");
		pid = child_of(b->procs[i].pid);
		if (pid && comm_is(pid, "haproxy"))
			break;
		pid = 0;
		usleep(50000);
	}
	if (!pid)
		return sidecar_failed(logpath, "did not start");
	b->sidecar_pid = pid;
	b->procs[i].kill_first = pid;
	b->nspid = bench__nspid(pid);
	if (bench__probe(b, "127.0.0.1", SIDECAR_PORT, 5000))
		return sidecar_failed(logpath, "does not accept connections on 127.0.0.1:15001");
	free(b->url);
	b->url = strdup("http://127.0.0.1:15001/");
	return 0;
}

void bench__topo_down(struct bench *b)
{
	if (b->netns_fd >= 0)
		close(b->netns_fd);
	b->netns_fd = -1;
}
