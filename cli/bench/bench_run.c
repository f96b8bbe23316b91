// SPDX-License-Identifier: GPL-2.0
/*
 * flame bench: processes (each in its own process group, killed with the
 * driver), command templates, and finding the sidecar.
 */
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <regex.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "bench.h"
#include "cmd.h"

static void child_setup(struct bench *b, const char *out, const char *err,
			int ns)
{
	int fd;

	setpgid(0, 0);
	prctl(PR_SET_PDEATHSIG, SIGKILL);
	signal(SIGINT, SIG_DFL);
	signal(SIGTERM, SIG_DFL);
	signal(SIGHUP, SIG_DFL);
	signal(SIGPIPE, SIG_DFL);
	if (ns != BENCH_NS_HOST &&
	    setns(ns == BENCH_NS_CLIENT ? b->client_netns_fd : b->netns_fd,
		  CLONE_NEWNET) < 0) {
		fprintf(stderr, "flame: bench: setns: %s\n", strerror(errno));
		_exit(126);
	}
	/* what commands leave in their working directory stays in the run's */
	if (b->rundir[0] && chdir(b->rundir) < 0) {
		fprintf(stderr, "flame: bench: chdir %s: %s\n", b->rundir, strerror(errno));
		_exit(126);
	}
	fd = open("/dev/null", O_RDONLY);
	if (fd >= 0) {
		dup2(fd, 0);
		close(fd);
	}
	if (out) {
		fd = open(out, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
		if (fd >= 0)
			dup2(fd, 1);
	}
	if (err && out && !strcmp(err, out)) {
		dup2(1, 2);
	} else if (err) {
		fd = open(err, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
		if (fd >= 0)
			dup2(fd, 2);
	}
}

int bench__add_proc(struct bench *b, const char *what, pid_t pid)
{
	struct bench_proc *p;

	setpgid(pid, pid);	/* both sides: no race with kill(-pgid) */
	p = &b->procs[b->nr_procs];
	p->pid = pid;
	p->what = what;
	p->done = false;
	p->hard = false;
	p->kill_first = 0;
	p->status = 0;
	return b->nr_procs++;
}

int bench__spawn_argv(struct bench *b, const char *what, char *const argv[],
		      const char *out, const char *err, int ns)
{
	pid_t pid;

	if (b->nr_procs >= BENCH_MAX_PROCS)
		return -ENOSPC;
	fflush(NULL);
	pid = fork();
	if (pid < 0)
		return -errno;
	if (!pid) {
		child_setup(b, out, err, ns);
		execvp(argv[0], argv);
		fprintf(stderr, "flame: bench: cannot run %s: %s\n", argv[0],
			strerror(errno));
		_exit(127);
	}
	return bench__add_proc(b, what, pid);
}

int bench__spawn(struct bench *b, const char *what, const char *shell_cmd,
		 const char *out, const char *err, int ns)
{
	char *argv[] = { "/bin/sh", "-c", (char *)shell_cmd, NULL };

	return bench__spawn_argv(b, what, argv, out, err, ns);
}

/* Collect exits without blocking. */
void bench__reap(struct bench *b)
{
	int i, st;
	pid_t pid;

	while ((pid = waitpid(-1, &st, WNOHANG)) > 0) {
		for (i = 0; i < b->nr_procs; i++) {
			if (b->procs[i].pid == pid) {
				b->procs[i].done = true;
				b->procs[i].status = st;
			}
		}
	}
}

static void sleep_ms(int ms)
{
	struct timespec ts = { ms / 1000, (long)(ms % 1000) * 1000000L };

	nanosleep(&ts, NULL);
}

/* Signal the process group, wait up to ms for the leader to exit. */
static bool signal_wait(struct bench *b, int i, int sig, int ms)
{
	struct bench_proc *p = &b->procs[i];
	int waited;

	kill(-p->pid, sig);
	for (waited = 0; waited < ms; waited += 20) {
		bench__reap(b);
		if (p->done)
			return true;
		sleep_ms(20);
	}
	return false;
}

void bench__stop_proc(struct bench *b, int i, int first_sig)
{
	struct bench_proc *p = &b->procs[i];

	if (i < 0 || i >= b->nr_procs)
		return;
	if (!p->done && p->kill_first > 0) {
		int waited;

		kill(p->kill_first, SIGKILL);
		for (waited = 0; waited < 2000 && !p->done; waited += 20) {
			bench__reap(b);
			if (!p->done)
				sleep_ms(20);
		}
	}
	if (!p->done && p->hard)
		signal_wait(b, i, SIGKILL, 5000);
	if (!p->done) {
		if (!(first_sig && signal_wait(b, i, first_sig, 3000)) &&
		    !signal_wait(b, i, SIGTERM, 2000))
			signal_wait(b, i, SIGKILL, 5000);
	}
	/* the group may outlive its leader (shell pipelines) */
	kill(-p->pid, SIGKILL);
}

void bench__stop_all(struct bench *b)
{
	int i;

	for (i = b->nr_procs - 1; i >= 0; i--)
		bench__stop_proc(b, i, 0);
}

int bench__run_wait(char *const argv[], const char *out, const char *err)
{
	pid_t pid;
	int st, fd;

	fflush(NULL);
	pid = fork();
	if (pid < 0)
		return -errno;
	if (!pid) {
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		if (out && (fd = open(out, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644)) >= 0)
			dup2(fd, 1);
		if (err && (fd = open(err, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644)) >= 0)
			dup2(fd, 2);
		execvp(argv[0], argv);
		_exit(127);
	}
	while (waitpid(pid, &st, 0) < 0)
		if (errno != EINTR)
			return -errno;
	return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}

int bench__shell(const char *cmd)
{
	char *const argv[] = { "/bin/sh", "-c", (char *)cmd, NULL };

	return bench__run_wait(argv, NULL, NULL);
}

/* 'it'\''s' style quoting for /bin/sh */
char *bench__shell_quote(const char *s)
{
	struct fg_buf q = FG_BUF_INIT;

	fg_buf__addch(&q, '\'');
	for (; *s; s++) {
		if (*s == '\'')
			fg_buf__adds(&q, "'\\''");
		else
			fg_buf__addch(&q, *s);
	}
	fg_buf__addch(&q, '\'');
	return q.buf;
}

/*
 * {duration} {sidecar_pid} {host_pid} {sidecar_nspid} {role} {output} {qps}
 * {conn} {url}:
 * the values are digits or paths the driver made, except {url}, which is
 * quoted.
 */
char *bench__subst(const char *tmpl, const struct bench *b,
		   const struct bench_sidecar *sc, const char *output)
{
	struct fg_buf o = FG_BUF_INIT;
	pid_t pid = sc ? sc->pid : 0, nspid = sc ? sc->nspid : 0;
	const char *s;

	for (s = tmpl; *s; s++) {
		if (*s != '{') {
			fg_buf__addch(&o, *s);
			continue;
		}
		if (!strncmp(s, "{duration}", 10)) {
			fg_buf__addf(&o, "%d", b->duration);
			s += 9;
		} else if (!strncmp(s, "{sidecar_pid}", 13)) {
			/* through a prefix, commands run in the sidecar's PID
			 * namespace (nsenter -a, kubectl exec) */
			fg_buf__addf(&o, "%d", (int)(b->exec_prefix && nspid ? nspid : pid));
			s += 12;
		} else if (!strncmp(s, "{host_pid}", 10)) {
			fg_buf__addf(&o, "%d", (int)pid);
			s += 9;
		} else if (!strncmp(s, "{sidecar_nspid}", 15)) {
			fg_buf__addf(&o, "%d", (int)nspid);
			s += 14;
		} else if (!strncmp(s, "{freq}", 6)) {
			fg_buf__addf(&o, "%d", b->freq);
			s += 5;
		} else if (!strncmp(s, "{role}", 6)) {
			fg_buf__adds(&o, sc && sc->role ? sc->role : "");
			s += 5;
		} else if (!strncmp(s, "{output}", 8)) {
			fg_buf__adds(&o, output ? output : "");
			s += 7;
		} else if (!strncmp(s, "{qps}", 5)) {
			fg_buf__addf(&o, "%d", b->qps);
			s += 4;
		} else if (!strncmp(s, "{conn}", 6)) {
			fg_buf__addf(&o, "%d", b->conn);
			s += 5;
		} else if (!strncmp(s, "{url}", 5)) {
			char *q = bench__shell_quote(b->url ? b->url : "");

			fg_buf__adds(&o, q ? q : "''");
			free(q);
			s += 4;
		} else {
			fg_buf__addch(&o, *s);
		}
	}
	if (!o.buf)
		fg_buf__adds(&o, "");
	return o.buf;
}

/* ---- finding the sidecar ------------------------------------------------- */

static int read_small(const char *path, char *buf, size_t size)
{
	int fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
	ssize_t n;

	if (fd < 0)
		return -errno;
	n = read(fd, buf, size - 1);
	close(fd);
	if (n < 0)
		return -errno;
	buf[n] = '\0';
	return (int)n;
}

/* Field 22 of /proc/PID/stat (after the ")" of comm); 0 when unknown. */
static unsigned long long start_time(pid_t pid)
{
	char path[64], buf[1024], *p;
	unsigned long long t = 0;
	int field;

	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	if (read_small(path, buf, sizeof(buf)) <= 0)
		return 0;
	p = strrchr(buf, ')');
	if (!p)
		return 0;
	for (field = 2; field < 22 && p; field++)
		p = strchr(p + 1, ' ');
	if (p)
		t = strtoull(p + 1, NULL, 10);
	return t;
}

static pid_t parent_of(pid_t pid)
{
	char path[64], buf[1024], *p;

	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	if (read_small(path, buf, sizeof(buf)) <= 0)
		return 0;
	p = strrchr(buf, ')');
	if (!p || strlen(p) < 5)
		return 0;
	return (pid_t)atoi(p + 4);
}

pid_t bench__nspid(pid_t pid)
{
	char path[64], buf[4096], *p, *last = NULL;

	snprintf(path, sizeof(path), "/proc/%d/status", (int)pid);
	if (read_small(path, buf, sizeof(buf)) <= 0)
		return pid;
	p = strstr(buf, "\nNSpid:");
	if (!p)
		return pid;
	p += 7;
	for (;;) {
		while (*p == ' ' || *p == '\t')
			p++;
		if (!isdigit((unsigned char)*p))
			break;
		last = p;
		while (isdigit((unsigned char)*p))
			p++;
	}
	return last ? (pid_t)atoi(last) : pid;
}

static bool is_ancestor_or_self(pid_t pid)
{
	pid_t p = getpid();
	int depth;

	for (depth = 0; p > 1 && depth < 64; depth++) {
		if (p == pid)
			return true;
		p = parent_of(p);
	}
	return false;
}

static bool in_cgroup(pid_t pid, const char *id)
{
	char path[64], buf[4096];

	snprintf(path, sizeof(path), "/proc/%d/cgroup", (int)pid);
	if (read_small(path, buf, sizeof(buf)) <= 0)
		return false;
	return strstr(buf, id) != NULL;
}

/* comm matches: 2, command line matches: 1, no match: 0 */
static int name_match(pid_t pid, const regex_t *re)
{
	char path[64], buf[4096], comm[64];
	int n, i;

	snprintf(path, sizeof(path), "/proc/%d/cmdline", (int)pid);
	n = read_small(path, buf, sizeof(buf));
	if (n <= 0)
		return 0;		/* kernel thread or zombie: never a sidecar */
	for (i = 0; i < n - 1; i++)
		if (!buf[i])
			buf[i] = ' ';
	snprintf(path, sizeof(path), "/proc/%d/comm", (int)pid);
	if (read_small(path, comm, sizeof(comm)) > 0) {
		comm[strcspn(comm, "\n")] = '\0';
		if (!regexec(re, comm, 0, NULL, 0))
			return 2;
	}
	return !regexec(re, buf, 0, NULL, 0);
}

void bench__sidecar_found(struct bench_sidecar *sc, pid_t pid)
{
	char path[64];

	sc->pid = pid;
	sc->nspid = bench__nspid(pid);
	snprintf(path, sizeof(path), "/proc/%d/comm", (int)pid);
	if (read_small(path, sc->comm, sizeof(sc->comm)) > 0)
		sc->comm[strcspn(sc->comm, "\n")] = '\0';
	else
		snprintf(sc->comm, sizeof(sc->comm), "sidecar");
}

/* Fields 14 and 15 of /proc/PID/stat. */
bool bench__cpu_ticks(pid_t pid, unsigned long long *ut, unsigned long long *st)
{
	char path[64], buf[1024], *p;
	int field;

	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	if (read_small(path, buf, sizeof(buf)) <= 0)
		return false;
	p = strrchr(buf, ')');
	for (field = 2; field < 14 && p; field++)
		p = strchr(p + 1, ' ');
	if (!p || sscanf(p + 1, "%llu %llu", ut, st) != 2)
		return false;
	return true;
}

int bench__find_sidecar(struct bench *b, struct bench_sidecar *sc)
{
	regex_t re;
	DIR *d;
	struct dirent *de;
	pid_t best = 0;
	int best_rank = 0, nr = 0, i;
	unsigned long long best_start = 0;
	char path[64];

	if (sc->sel_pid) {
		snprintf(path, sizeof(path), "/proc/%d", (int)sc->sel_pid);
		if (access(path, F_OK))
			return cli_error("bench: sidecar pid %d: no such process",
					 (int)sc->sel_pid);
		best = sc->sel_pid;
		goto found;
	}
	if (sc->sel_name &&
	    regcomp(&re, sc->sel_name, REG_EXTENDED | REG_NOSUB))
		return cli_error("bench: sidecar name '%s': not a valid regular expression",
				 sc->sel_name);
	d = opendir("/proc");
	if (!d)
		return cli_error("bench: /proc: %s", strerror(errno));
	while ((de = readdir(d)) != NULL) {
		pid_t pid = (pid_t)atoi(de->d_name);
		unsigned long long st;
		int rank = 1;

		if (pid <= 0 || is_ancestor_or_self(pid))
			continue;
		if (sc->sel_container && !in_cgroup(pid, sc->sel_container))
			continue;
		if (sc->sel_name && !(rank = name_match(pid, &re)))
			continue;
		/* not one of ours (a profiler started by an earlier run) */
		if (parent_of(pid) == getpid())
			continue;
		st = start_time(pid);
		nr++;
		/* comm matches beat command-line matches; then the oldest */
		if (rank > best_rank || (rank == best_rank && st < best_start)) {
			best = pid;
			best_rank = rank;
			best_start = st;
		}
	}
	closedir(d);
	if (sc->sel_name)
		regfree(&re);
	if (!best)
		return cli_error("bench: no process matches%s%s%s%s",
				 sc->sel_name ? " --sidecar-name " : "",
				 sc->sel_name ? sc->sel_name : "",
				 sc->sel_container ? " --container " : "",
				 sc->sel_container ? sc->sel_container : "");
	if (nr > 1)
		fprintf(stderr, "flame: bench: %d processes match; using the oldest, pid %d\n",
			nr, (int)best);
found:
	for (i = 0; i < b->nr_sc; i++)
		if (&b->sc[i] != sc && b->sc[i].pid == best)
			return cli_error("bench: two sidecars select the same process (pid %d)",
					 (int)best);
	bench__sidecar_found(sc, best);
	return 0;
}
