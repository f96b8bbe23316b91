// SPDX-License-Identifier: GPL-2.0
/*
 * flame bench: the built-in topology (docs/bench.md draws it).
 *
 *   server pod network namespace (new; it goes away with its last process)
 *     backend   127.0.0.1:8080    flame's own epoll HTTP server; it creates
 *                                 and holds the namespace
 *     server    10.254.0.1:15006  haproxy (inbound sidecar) -> the backend
 *   client pod network namespace (new), linked to the server pod by a veth
 *   pair (10.254.0.2/30 <-> 10.254.0.1/30) made inside the namespaces
 *     client    127.0.0.1:15001   haproxy (outbound sidecar) -> the server's
 *     load      -> 127.0.0.1:15001
 *
 * Each haproxy also has its own mount and PID namespaces (unshare
 * --kill-child). --topology server keeps the older shape: one pod, the
 * sidecar on 127.0.0.1:15001 in front of the backend, the load next to it.
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
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "bench.h"
#include "cmd.h"

#define BACKEND_PORT	8080
#define SIDECAR_PORT	15001	/* the load's target (outbound, Istio's 15001) */
#define INBOUND_PORT	15006	/* the server sidecar in the mesh (Istio's 15006) */
#define SERVER_ADDR	"10.254.0.1"
#define CLIENT_ADDR	"10.254.0.2"

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

/*
 * Fork a pod: a child named comm in a network namespace of its own
 * (loopback up) that runs serve(ready_fd), which writes one byte to
 * ready_fd once the pod is ready and never returns. Waits up to 5 s for
 * that byte, then opens the pod's namespace into *ns_fd and its name
 * into ns. The pid, or -errno after one line naming what (a pod) failed.
 */
static pid_t start_pod(struct bench *b, const char *what, const char *comm,
		       void (*serve)(int ready_fd), int *ns_fd, char *ns,
		       size_t ns_len)
{
	struct pollfd pfd;
	char path[64], c;
	int pipefd[2], fd;
	ssize_t n;
	pid_t pid;

	if (pipe2(pipefd, O_CLOEXEC) < 0)
		return -errno;
	fflush(NULL);
	pid = fork();
	if (pid < 0)
		return -errno;
	if (!pid) {
		setpgid(0, 0);
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		signal(SIGINT, SIG_IGN);	/* the driver decides when */
		close(pipefd[0]);
		fd = open("/dev/null", O_RDWR);
		if (fd >= 0) {
			dup2(fd, 0);
			dup2(fd, 1);
		}
		prctl(PR_SET_NAME, comm);
		if (unshare(CLONE_NEWNET) < 0 || lo_up() < 0) {
			fprintf(stderr, "flame: bench: %s: a network namespace: %s\n",
				what, strerror(errno));
			_exit(1);
		}
		serve(pipefd[1]);
		_exit(1);
	}
	close(pipefd[1]);
	bench__add_proc(b, what, pid);
	pfd.fd = pipefd[0];
	pfd.events = POLLIN;
	if (poll(&pfd, 1, 5000) != 1 || read(pipefd[0], &c, 1) != 1) {
		close(pipefd[0]);
		cli_error("bench: the %s did not start (network namespaces need root)",
			  what);
		return -EIO;
	}
	close(pipefd[0]);
	snprintf(path, sizeof(path), "/proc/%d/ns/net", (int)pid);
	*ns_fd = open(path, O_RDONLY | O_CLOEXEC);
	if (*ns_fd < 0) {
		int err = -errno;

		cli_error("bench: %s: %s", path, strerror(-err));
		return err;
	}
	n = readlink(path, ns, ns_len - 1);
	ns[n > 0 ? n : 0] = '\0';
	return pid;
}

/* The backend: listens on loopback and answers (bench_backend.c). */
static void serve_backend(int ready_fd)
{
	int lfd = listen_loopback(BACKEND_PORT);

	if (lfd < 0) {
		fprintf(stderr, "flame: bench: backend: cannot listen on 127.0.0.1:%d\n",
			BACKEND_PORT);
		_exit(1);
	}
	bench__backend_serve(lfd, ready_fd);
}

/* Fork the backend into a new network namespace; wait until it listens. */
static int start_backend(struct bench *b)
{
	pid_t pid = start_pod(b, "backend", "flame-backend", serve_backend,
			      &b->netns_fd, b->pod_netns, sizeof(b->pod_netns));

	if (pid < 0)
		return pid;
	b->backend_pid = pid;
	fprintf(stderr, "flame: bench: pod network namespace %s (backend pid %d; nsenter -t %d -n)\n",
		b->pod_netns, (int)pid, (int)pid);
	return 0;
}

static int ns_fd(const struct bench *b, int ns)
{
	return ns == BENCH_NS_POD ? b->netns_fd : ns == BENCH_NS_CLIENT ?
	       b->client_netns_fd : -1;
}

/* A socket created in a pod's namespace (sockets keep the namespace they
 * were made in); the driver switches back right away. */
static int socket_in_ns(struct bench *b, int ns)
{
	int self, fd, err, nfd = ns_fd(b, ns);

	if (nfd < 0)
		return socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	self = open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC);
	if (self < 0)
		return -1;
	if (setns(nfd, CLONE_NEWNET) < 0) {
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

static int connect_to(struct bench *b, int ns, const char *host, int port,
		      int timeout_ms)
{
	struct sockaddr_in a = { .sin_family = AF_INET };
	struct timeval tv = { timeout_ms / 1000, (timeout_ms % 1000) * 1000 };
	int fd;

	a.sin_port = htons((unsigned short)port);
	if (inet_pton(AF_INET, host, &a.sin_addr) != 1)
		return -EINVAL;
	fd = socket_in_ns(b, ns);
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

int bench__probe(struct bench *b, int ns, const char *host, int port, int timeout_ms)
{
	int waited, fd;

	for (waited = 0; waited <= timeout_ms && !bench_stop; waited += 50) {
		fd = connect_to(b, ns, host, port, 1000);
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
	int fd, n, got = 0;

	if (!colon || (size_t)(colon - hostport) >= sizeof(host))
		return -EINVAL;
	memcpy(host, hostport, (size_t)(colon - hostport));
	host[colon - hostport] = '\0';
	fd = connect_to(b, BENCH_NS_HOST, host, atoi(colon + 1), 10000);
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

static char *fill_template(const char *tmpl, const char *listen,
			   const char *backend, int threads)
{
	struct fg_buf o = FG_BUF_INIT;
	const char *s;

	for (s = tmpl; *s; s++) {
		if (!strncmp(s, "@LISTEN@", 8)) {
			fg_buf__adds(&o, listen);
			s += 7;
		} else if (!strncmp(s, "@BACKEND@", 9)) {
			fg_buf__adds(&o, backend);
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

static int sidecar_failed(const char *log, const char *who, const char *what)
{
	char line[512];
	FILE *fp = fopen(log, "re");
	int n = 0;

	cli_error("bench: the %s sidecar (haproxy) %s; its log:", who, what);
	while (fp && fgets(line, sizeof(line), fp) && n++ < 10)
		fprintf(stderr, "  haproxy: %s", line);
	if (fp)
		fclose(fp);
	return 1;
}

/* The client pod: holds its network namespace for the client. */
static void serve_client_pod(int ready_fd)
{
	if (write(ready_fd, "r", 1) != 1)
		_exit(1);
	for (;;)
		pause();
}

static int start_client_pod(struct bench *b)
{
	pid_t pid = start_pod(b, "client pod", "flame-clientpod",
			      serve_client_pod, &b->client_netns_fd,
			      b->client_netns, sizeof(b->client_netns));

	if (pid < 0)
		return pid;
	fprintf(stderr, "flame: bench: client pod network namespace %s (pid %d; nsenter -t %d -n)\n",
		b->client_netns, (int)pid, (int)pid);
	return 0;
}

/* Run a shell command in a namespace and wait (bounded). */
static int run_in(struct bench *b, int ns, const char *what, const char *cmd,
		  const char *log)
{
	int i = bench__spawn(b, what, cmd, log, log, ns), waited;

	if (i < 0)
		return i;
	for (waited = 0; waited < 20000 && !bench_stop; waited += 20) {
		bench__reap(b);
		if (b->procs[i].done)
			return WIFEXITED(b->procs[i].status) ?
			       WEXITSTATUS(b->procs[i].status) : 128;
		usleep(20000);
	}
	bench__stop_proc(b, i, SIGTERM);
	return -ETIMEDOUT;
}

/* A veth pair between the pods, made and addressed inside them. */
static int link_pods(struct bench *b, pid_t client_pod)
{
	char cmd[512], log[128];
	int rc;

	snprintf(log, sizeof(log), "%s/veth.log", b->rundir);
	snprintf(cmd, sizeof(cmd),
		 "ip link add fb-server type veth peer name fb-client netns %d && "
		 "ip addr add %s/30 dev fb-server && ip link set fb-server up",
		 (int)client_pod, SERVER_ADDR);
	rc = run_in(b, BENCH_NS_POD, "veth (server)", cmd, log);
	if (!rc) {
		snprintf(cmd, sizeof(cmd),
			 "ip addr add %s/30 dev fb-client && ip link set fb-client up",
			 CLIENT_ADDR);
		rc = run_in(b, BENCH_NS_CLIENT, "veth (client)", cmd, log);
	}
	if (rc) {
		char line[256] = "";
		FILE *fp = fopen(log, "re");

		if (fp) {
			while (fgets(line, sizeof(line), fp))
				;
			fclose(fp);
		}
		line[strcspn(line, "\n")] = '\0';
		return cli_error("bench: linking the pods (ip link add ... type veth): %s",
				 line[0] ? line : rc < 0 ? strerror(-rc) : "failed");
	}
	return 0;
}

/* haproxy in namespace ns, in its own mount and PID namespaces. */
static int start_sidecar(struct bench *b, int ns, const char *who,
			 const char *listen, const char *backend,
			 struct bench_sidecar *sc, int *proc)
{
	char cfgpath[128], logpath[128], what[32], *tmpl, *cfg, *argv[16];
	FILE *fp;
	int i, n = 0;
	pid_t pid = 0;

	tmpl = b->proxy_config ? read_text(b->proxy_config) : strdup(bench_haproxy_cfg);
	if (!tmpl)
		return cli_error("bench: --proxy-config %s: %s", b->proxy_config,
				 strerror(errno));
	cfg = fill_template(tmpl, listen, backend, b->proxy_threads);
	free(tmpl);
	snprintf(cfgpath, sizeof(cfgpath), "%s/haproxy-%s.cfg", b->rundir, who);
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
	snprintf(logpath, sizeof(logpath), "%s/sidecar-%s.log", b->rundir, who);
	snprintf(what, sizeof(what), "%s sidecar", who);
	i = bench__spawn_argv(b, sc->role ? sc->role : "sidecar", argv, logpath,
			      logpath, ns);
	if (i < 0)
		return cli_error("bench: starting the %s: %s", what, strerror(-i));
	b->procs[i].hard = true;
	for (n = 0; n < 100 && !bench_stop; n++) {
		bench__reap(b);
		if (b->procs[i].done)
			return sidecar_failed(logpath, who, "exited at start");
		pid = child_of(b->procs[i].pid);
		if (pid && comm_is(pid, "haproxy"))
			break;
		pid = 0;
		usleep(50000);
	}
	if (!pid)
		return sidecar_failed(logpath, who, "did not start");
	b->procs[i].kill_first = pid;
	bench__sidecar_found(sc, pid);
	*proc = i;
	return 0;
}

/* Wait until the sidecar accepts connections; it may also exit first. */
static int probe(struct bench *b, int ns, const char *who, int proc,
		 const char *addr, int port)
{
	char log[128], msg[96];
	int waited;

	snprintf(log, sizeof(log), "%s/sidecar-%s.log", b->rundir, who);
	for (waited = 0; waited <= 10000 && !bench_stop; waited += 50) {
		bench__reap(b);
		if (b->procs[proc].done)
			return sidecar_failed(log, who, "exited at start");
		if (!bench__probe(b, ns, addr, port, 0))
			return 0;
		usleep(50000);
	}
	snprintf(msg, sizeof(msg), "does not accept connections on %s:%d", addr, port);
	return sidecar_failed(log, who, msg);
}

int bench__topo_up(struct bench *b)
{
	bool mesh = !b->topology || !strcmp(b->topology, "mesh");
	char listen[64], backend[64];
	int err, sp = -1, cp = -1;

	if (access("/usr/sbin/haproxy", X_OK) && bench__shell("command -v haproxy >/dev/null"))
		return cli_error("bench: haproxy is not installed (scripts/deps.sh bench installs it)");
	err = start_backend(b);
	if (err)
		return err == -EIO ? 1 : cli_error("bench: backend: %s", strerror(-err));
	snprintf(backend, sizeof(backend), "127.0.0.1:%d", BACKEND_PORT);
	if (!mesh) {
		struct bench_sidecar *sc = &b->sc[0];

		b->nr_sc = 1;
		snprintf(listen, sizeof(listen), "127.0.0.1:%d", SIDECAR_PORT);
		if (start_sidecar(b, BENCH_NS_POD, "server", listen, backend, sc, &sp) ||
		    probe(b, BENCH_NS_POD, "server", sp, "127.0.0.1", SIDECAR_PORT))
			return 1;
		b->load_ns = BENCH_NS_POD;
	} else {
		struct bench_sidecar *client = &b->sc[0], *server = &b->sc[1];

		b->nr_sc = 2;
		client->role = strdup("client");
		server->role = strdup("server");
		if (!client->role || !server->role)
			return cli_error("bench: %s", strerror(ENOMEM));
		if (start_client_pod(b) ||
		    link_pods(b, b->procs[b->nr_procs - 1].pid))
			return 1;
		snprintf(listen, sizeof(listen), "%s:%d", SERVER_ADDR, INBOUND_PORT);
		if (start_sidecar(b, BENCH_NS_POD, "server", listen, backend, server, &sp) ||
		    probe(b, BENCH_NS_POD, "server", sp, SERVER_ADDR, INBOUND_PORT))
			return 1;
		snprintf(backend, sizeof(backend), "%s:%d", SERVER_ADDR, INBOUND_PORT);
		snprintf(listen, sizeof(listen), "127.0.0.1:%d", SIDECAR_PORT);
		if (start_sidecar(b, BENCH_NS_CLIENT, "client", listen, backend, client, &cp) ||
		    probe(b, BENCH_NS_CLIENT, "server", sp, SERVER_ADDR, INBOUND_PORT) ||
		    probe(b, BENCH_NS_CLIENT, "client", cp, "127.0.0.1", SIDECAR_PORT))
			return 1;
		b->load_ns = BENCH_NS_CLIENT;
	}
	free(b->url);
	b->url = strdup("http://127.0.0.1:15001/");
	return 0;
}

void bench__topo_down(struct bench *b)
{
	if (b->netns_fd >= 0)
		close(b->netns_fd);
	b->netns_fd = -1;
	if (b->client_netns_fd >= 0)
		close(b->client_netns_fd);
	b->client_netns_fd = -1;
}
