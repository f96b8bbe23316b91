// SPDX-License-Identifier: GPL-2.0
/*
 * flame bench: the sidecar benchmark driver (docs/bench.md).
 *
 * Load through a sidecar proxy, profile the sidecar for the duration with
 * one or more commands (concurrently with the load), turn what each command
 * produced into graphs, and summarize. This file: options, the run, the
 * rendering and the summary; processes and sidecar discovery are in
 * bench_run.c, the built-in topology in bench_topo.c / bench_backend.c,
 * the load in bench_load.c.
 */
#include <errno.h>
#include <fcntl.h>
#include <glob.h>
#include <libgen.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <flame/collapse.h>
#include <flame/gperf.h>

#include "bench.h"
#include "cmd.h"

volatile sig_atomic_t bench_stop;

struct preset {
	const char *name;
	const char *cmd;
	const char *tool;	/* must be installed; NULL = perf */
};

static const struct preset presets[] = {
	{ "perf-oncpu",
	  "perf record -F 99 -g -p {sidecar_pid} -o {output} -- sleep {duration}", NULL },
	{ "perf-oncpu-dwarf",
	  "perf record -F 99 --call-graph dwarf,16384 -p {sidecar_pid} -o {output} -- sleep {duration}", NULL },
	{ "perf-pagefaults",
	  "perf record -e page-faults -g -p {sidecar_pid} -o {output} -- sleep {duration}", NULL },
	{ "perf-offcpu",
	  "perf record -e sched:sched_switch -g -p {sidecar_pid} -o {output} -- sleep {duration}", NULL },
	{ "bcc-oncpu", "profile-bpfcc -df -p {sidecar_pid} {duration}", "profile-bpfcc" },
	{ "bcc-offcpu", "offcputime-bpfcc -df -p {sidecar_pid} {duration}", "offcputime-bpfcc" },
	{ "bcc-offwaketime", "offwaketime-bpfcc -df -p {sidecar_pid} {duration}", "offwaketime-bpfcc" },
	{ "bcc-wakeuptime", "wakeuptime-bpfcc -f -p {sidecar_pid} {duration}", "wakeuptime-bpfcc" },
	{ "bcc-stackcount", "stackcount-bpfcc -p {sidecar_pid} '*alloc*' -fD {duration}", "stackcount-bpfcc" },
	{ NULL, NULL, NULL },
};

static void usage(FILE *fp)
{
	const struct preset *p;

	fprintf(fp,
"usage: flame bench [options]\n"
"Load through a sidecar proxy, profile the sidecar for --duration, write\n"
"flame graphs and a summary to OUTDIR/<date>_<label>-<profile>.{svg,folded,html}.\n"
"Without --sidecar-pid/--sidecar-name/--container/--envoy-profiler, runs the\n"
"built-in topology: backend + haproxy sidecar in their own namespaces + wrk.\n\n"
"Load:\n"
"  --duration SEC           profile and load time (default 30)\n"
"  --qps N                  target requests/s, paced with wrk's Lua delay(); 0 = max (default 1000)\n"
"  --conn N                 connections (default 16)\n"
"  --threads N              wrk threads (default: min(conn, 2))\n"
"  --url URL                load an existing deployment with wrk at URL\n"
"  --load-command CMD       run CMD as the load instead ({duration} {qps} {conn} {url})\n"
"  --no-load                profile only\n"
"Sidecar:\n"
"  --sidecar-pid PID        the sidecar's host PID\n"
"  --sidecar-name REGEX     match the process name, then the command line (oldest wins)\n"
"  --container ID           processes whose /proc/PID/cgroup contains ID\n"
"  --exec-prefix CMD        run profiling commands through CMD (e.g. 'nsenter -t {host_pid} -a',\n"
"                           'kubectl exec POD -c perf --'); {sidecar_pid} is then the PID\n"
"                           inside the sidecar's PID namespace, {host_pid} the host's\n"
"  --proxy-config FILE      haproxy config template for the built-in topology\n"
"  --proxy-threads N        haproxy nbthread (default 1)\n"
"Profiling:\n"
"  --custom-profiling-command CMD   (also --custom_profiling_command; repeatable)\n"
"                           {duration} {sidecar_pid} {host_pid} {sidecar_nspid} {output}\n"
"  --custom-profiling-name NAME     (also --custom_profiling_name) names the n-th command\n"
"  --profile PRESET         add a preset (repeatable; default perf-oncpu):\n");
	for (p = presets; p->name; p++)
		fprintf(fp, "                             %-16s %s\n", p->name, p->cmd);
	fprintf(fp,
"  --envoy-profiler cpuprofiler|heapprofiler   (also --envoy_profiler) toggle Envoy's\n"
"                           admin profiler and convert its gperftools output\n"
"  --admin HOST:PORT        Envoy admin address (default 127.0.0.1:15000)\n"
"  --envoy-profile-path P   where the sidecar writes profiles (default /var/log/envoy/envoy.prof)\n"
"  --grace SEC              extra time for profilers to finish (default 10)\n"
"  --flame-so PATH          flame.so for perf.data (default $FLAME_SO, else next to flame)\n"
"Output:\n"
"  --label NAME             file name label (default: builtin, or the sidecar's name)\n"
"  --outdir DIR             default flame/flameoutput\n"
"  --keep-raw               keep the raw profiler outputs (printed at the end)\n"
"  --serve-backend H:P      only run the built-in HTTP backend in the foreground\n"
"  graph options of flame svg (--title, --width, --colors, ...) apply to every graph\n");
}

static void on_signal(int sig)
{
	bench_stop = sig;
}

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* ---- options ------------------------------------------------------------- */

static int parse_int(const char *opt, const char *v, int min, int max, int *out)
{
	char *end;
	long x;

	errno = 0;
	x = strtol(v, &end, 10);
	if (errno || end == v || *end || x < min || x > max)
		return cli_error("bench: %s '%s': expects a number from %d to %d",
				 opt, v, min, max);
	*out = (int)x;
	return 0;
}

static int add_preset(struct bench *b, const char *name)
{
	const struct preset *p;

	for (p = presets; p->name; p++) {
		if (strcmp(p->name, name))
			continue;
		if (b->nr_cmds >= BENCH_MAX_PROFILES)
			return cli_error("bench: at most %d profiles", BENCH_MAX_PROFILES);
		if (p->tool) {
			char *chk;
			int rc;

			if (asprintf(&chk, "command -v %s >/dev/null 2>&1", p->tool) < 0)
				return 1;
			rc = bench__shell(chk);
			free(chk);
			if (rc)
				return cli_error("bench: --profile %s needs %s (apt-get install bpfcc-tools)",
						 name, p->tool);
		}
		b->cmds[b->nr_cmds] = strdup(p->cmd);
		b->names[b->nr_cmds] = strdup(p->name);
		b->nr_cmds++;
		if (b->nr_names < b->nr_cmds)
			b->nr_names = b->nr_cmds;
		return 0;
	}
	return cli_error("bench: unknown --profile '%s' (flame bench --help lists them)", name);
}

/* Long option names match with '_' or '-' (Istio's spellings and ours). */
static bool opt_is(const char *arg, const char *name, const char **val)
{
	const char *a = arg, *n = name;

	if (a[0] != '-' || a[1] != '-')
		return false;
	a += 2;
	for (; *n; a++, n++) {
		if (*a == *n || (*a == '_' && *n == '-'))
			continue;
		return false;
	}
	if (*a == '=') {
		*val = a + 1;
		return true;
	}
	if (*a)
		return false;
	*val = NULL;
	return true;
}

static int parse_args(struct bench *b, int argc, char **argv, char **serve)
{
	int i;

	for (i = 1; i < argc; i++) {
		const char *a = argv[i], *v = NULL;
		int r;

#define VAL() do {							\
		if (!v) {						\
			if (i + 1 >= argc)				\
				return cli_error("bench: option %s needs a value", a); \
			v = argv[++i];					\
		}							\
	} while (0)
		if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
			usage(stdout);
			exit(0);
		} else if (opt_is(a, "duration", &v)) {
			VAL();
			if (parse_int(a, v, 1, 86400, &b->duration))
				return 1;
		} else if (opt_is(a, "qps", &v)) {
			VAL();
			if (parse_int(a, v, 0, 10000000, &b->qps))
				return 1;
		} else if (opt_is(a, "conn", &v)) {
			VAL();
			if (parse_int(a, v, 1, 100000, &b->conn))
				return 1;
		} else if (opt_is(a, "threads", &v)) {
			VAL();
			if (parse_int(a, v, 1, 1024, &b->threads))
				return 1;
		} else if (opt_is(a, "grace", &v)) {
			VAL();
			if (parse_int(a, v, 0, 3600, &b->grace))
				return 1;
		} else if (opt_is(a, "proxy-threads", &v)) {
			VAL();
			if (parse_int(a, v, 1, 64, &b->proxy_threads))
				return 1;
		} else if (opt_is(a, "sidecar-pid", &v)) {
			int pid;

			VAL();
			if (parse_int(a, v, 1, 0x3fffffff, &pid))
				return 1;
			b->sidecar_pid = pid;
		} else if (opt_is(a, "sidecar-name", &v)) {
			VAL();
			b->sidecar_name = strdup(v);
		} else if (opt_is(a, "container", &v)) {
			VAL();
			b->container = strdup(v);
		} else if (opt_is(a, "exec-prefix", &v)) {
			VAL();
			b->exec_prefix = strdup(v);
		} else if (opt_is(a, "custom-profiling-command", &v)) {
			VAL();
			if (b->nr_cmds >= BENCH_MAX_PROFILES)
				return cli_error("bench: at most %d profiles", BENCH_MAX_PROFILES);
			b->cmds[b->nr_cmds++] = strdup(v);
		} else if (opt_is(a, "custom-profiling-name", &v)) {
			VAL();
			if (b->nr_names >= BENCH_MAX_PROFILES)
				return cli_error("bench: at most %d profiles", BENCH_MAX_PROFILES);
			b->names[b->nr_names++] = strdup(v);
		} else if (opt_is(a, "profile", &v)) {
			VAL();
			if (add_preset(b, v))
				return 1;
		} else if (opt_is(a, "envoy-profiler", &v)) {
			VAL();
			if (strcmp(v, "cpuprofiler") && strcmp(v, "heapprofiler"))
				return cli_error("bench: --envoy-profiler '%s': cpuprofiler or heapprofiler", v);
			b->envoy_profiler = strdup(v);
		} else if (opt_is(a, "admin", &v)) {
			VAL();
			b->admin = strdup(v);
		} else if (opt_is(a, "envoy-profile-path", &v)) {
			VAL();
			b->envoy_path = strdup(v);
		} else if (opt_is(a, "url", &v)) {
			VAL();
			b->url = strdup(v);
		} else if (opt_is(a, "load-command", &v)) {
			VAL();
			b->load_cmd = strdup(v);
		} else if (opt_is(a, "no-load", &v)) {
			b->no_load = true;
		} else if (opt_is(a, "label", &v)) {
			VAL();
			b->label = strdup(v);
		} else if (opt_is(a, "outdir", &v)) {
			VAL();
			b->outdir = strdup(v);
		} else if (opt_is(a, "flame-so", &v)) {
			VAL();
			b->flame_so = strdup(v);
		} else if (opt_is(a, "proxy-config", &v)) {
			VAL();
			b->proxy_config = strdup(v);
		} else if (opt_is(a, "keep-raw", &v)) {
			b->keep_raw = true;
		} else if (opt_is(a, "serve-backend", &v)) {
			VAL();
			*serve = (char *)v;
		} else {
			r = cli_output_opt(argc, argv, &i, &b->gopts);
			if (r < 0)
				return 1;
			if (!r)
				return cli_error("bench: unknown option '%s' (flame bench --help)", a);
		}
#undef VAL
	}
	return 0;
}

/* Safe in file names: [A-Za-z0-9._-], others become '_'. */
static char *file_part(const char *s)
{
	char *o = strdup(s && *s ? s : "x"), *p;

	if (!o)
		return NULL;
	for (p = o; *p; p++)
		if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
		      (*p >= '0' && *p <= '9') || *p == '.' || *p == '-' || *p == '_'))
			*p = '_';
	if (o[0] == '.')
		o[0] = '_';
	return o;
}

static int mkdir_p(const char *path)
{
	char tmp[PATH_MAX], *p;

	if (snprintf(tmp, sizeof(tmp), "%s", path) >= (int)sizeof(tmp))
		return -ENAMETOOLONG;
	for (p = tmp + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		if (mkdir(tmp, 0755) < 0 && errno != EEXIST)
			return -errno;
		*p = '/';
	}
	if (mkdir(tmp, 0755) < 0 && errno != EEXIST)
		return -errno;
	return 0;
}

static char *find_flame_so(const struct bench *b)
{
	const char *env = getenv("FLAME_SO");
	char exe[PATH_MAX], *dir, *p;
	ssize_t n;

	if (b->flame_so)
		return strdup(b->flame_so);
	if (env && *env)
		return strdup(env);
	n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	if (n <= 0)
		return NULL;
	exe[n] = '\0';
	dir = dirname(exe);
	if (asprintf(&p, "%s/flame.so", dir) < 0)
		return NULL;
	if (!access(p, R_OK))
		return p;
	free(p);
	if (asprintf(&p, "%s/../lib/perf-flame/flame.so", dir) < 0)
		return NULL;
	if (!access(p, R_OK))
		return p;
	free(p);
	return NULL;
}

/* ---- running ------------------------------------------------------------- */

static int run_wait(char *const argv[], const char *out, const char *err)
{
	pid_t pid;
	int st, fd;

	fflush(NULL);
	pid = fork();
	if (pid < 0)
		return -errno;
	if (!pid) {
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		if (out && (fd = open(out, O_WRONLY | O_CREAT | O_TRUNC, 0644)) >= 0)
			dup2(fd, 1);
		if (err && (fd = open(err, O_WRONLY | O_CREAT | O_APPEND, 0644)) >= 0)
			dup2(fd, 2);
		execvp(argv[0], argv);
		_exit(127);
	}
	while (waitpid(pid, &st, 0) < 0)
		if (errno != EINTR)
			return -errno;
	return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}

static int start_profiles(struct bench *b)
{
	int i;

	for (i = 0; i < b->nr_prof; i++) {
		struct bench_profile *pr = &b->prof[i];
		char *cmd, *full;

		if (!pr->cmd)
			continue;
		if (asprintf(&pr->raw, "%s/%s.out", b->rundir, pr->name) < 0 ||
		    asprintf(&pr->out_stdout, "%s/%s.stdout", b->rundir, pr->name) < 0 ||
		    asprintf(&pr->out_stderr, "%s/%s.stderr", b->rundir, pr->name) < 0)
			return -ENOMEM;
		if (b->exec_prefix &&
		    asprintf(&pr->remote, "/tmp/flame-bench-%d-%s.out", (int)getpid(),
			     pr->name) < 0)
			return -ENOMEM;
		cmd = bench__subst(pr->cmd, b, pr->remote ? pr->remote : pr->raw);
		if (!cmd)
			return -ENOMEM;
		if (b->exec_prefix) {
			char *prefix = bench__subst(b->exec_prefix, b, NULL);
			char *q = bench__shell_quote(cmd);

			if (!prefix || !q || asprintf(&full, "%s sh -c %s", prefix, q) < 0)
				full = NULL;
			free(prefix);
			free(q);
		} else {
			full = strdup(cmd);
		}
		free(cmd);
		if (!full)
			return -ENOMEM;
		if (!getenv("FLAME_BENCH_QUIET"))
			fprintf(stderr, "flame: bench: profile %s: %s\n", pr->name, full);
		pr->proc = bench__spawn(b, pr->name, full, pr->out_stdout,
					pr->out_stderr, false);
		free(full);
		if (pr->proc < 0)
			return pr->proc;
	}
	return 0;
}

static int envoy_toggle(struct bench *b, bool on)
{
	char path[64];
	int st = 0, err;

	snprintf(path, sizeof(path), "/%s?enable=%s", b->envoy_profiler, on ? "y" : "n");
	err = bench__http_post(b, b->admin, path, &st);
	if (err)
		return cli_error("bench: POST http://%s%s: %s", b->admin, path, strerror(-err));
	if (st != 200)
		return cli_error("bench: POST http://%s%s: HTTP status %d", b->admin, path, st);
	return 0;
}

static bool proc_running(struct bench *b, int i)
{
	return i >= 0 && i < b->nr_procs && !b->procs[i].done;
}

/* Wait for the load and the profiles, bounded by duration + grace. */
static void wait_run(struct bench *b, double t0, bool *envoy_on)
{
	double limit = b->duration + b->grace, t;
	int i, running, last_shown = -1;

	for (;;) {
		bench__reap(b);
		t = now_s() - t0;
		if (*envoy_on && t >= b->duration) {
			envoy_toggle(b, false);
			*envoy_on = false;
		}
		running = 0;
		for (i = 0; i < b->nr_prof; i++)
			running += proc_running(b, b->prof[i].proc);
		if (!running && !proc_running(b, b->load_proc) && !*envoy_on)
			break;
		if (bench_stop || t >= limit)
			break;
		if (b->progress && (int)t != last_shown) {
			last_shown = (int)t;
			fprintf(stderr, "\rflame: bench: %3d/%ds  profiles running: %d  load: %s ",
				(int)t, b->duration, running,
				proc_running(b, b->load_proc) ? "running" : "done");
		}
		usleep(100000);
	}
	if (b->progress)
		fputc('\n', stderr);
	if (!bench_stop && t >= limit)
		fprintf(stderr, "flame: bench: stopping what still runs after %ds (duration + grace)\n",
			(int)limit);
	/* perf record and bcc tools write their results on SIGINT */
	for (i = 0; i < b->nr_prof; i++)
		if (proc_running(b, b->prof[i].proc))
			bench__stop_proc(b, b->prof[i].proc, SIGINT);
	if (proc_running(b, b->load_proc))
		bench__stop_proc(b, b->load_proc, SIGINT);
	if (*envoy_on) {
		envoy_toggle(b, false);
		*envoy_on = false;
	}
}

/* ---- rendering ------------------------------------------------------------ */

static void collect_top(struct bench_profile *pr, const struct fg_profile *p)
{
	uint32_t nn = fg_profile__nr_nodes(p), nnames, i;
	uint64_t *self;
	int k;

	nnames = fg_strtab__count(fg_profile__names(p));
	self = calloc(nnames ? nnames : 1, sizeof(*self));
	if (!self)
		return;
	for (i = 1; i < nn; i++) {
		const struct fg_node *n = fg_profile__node(p, i);

		self[n->name] += n->self[0];
	}
	for (k = 0; k < BENCH_TOP; k++) {
		uint32_t best = UINT32_MAX;

		for (i = 0; i < nnames; i++)
			if (self[i] && (best == UINT32_MAX || self[i] > self[best]))
				best = i;
		if (best == UINT32_MAX)
			break;
		pr->top[k].name = strdup(fg_profile__name(p, best));
		pr->top[k].self = self[best];
		self[best] = 0;
	}
	pr->nr_top = k;
	pr->total = fg_profile__total(p, 0);
	pr->stacks = fg_profile__nr_stacks(p);
	free(self);
}

static int write_graphs(struct bench *b, struct bench_profile *pr,
			const struct fg_profile *p, bool html)
{
	static const struct { int idx; const char *fmt; } outs[] = {
		{ 1, "folded" }, { 0, "svg" }, { 2, "heatmap" },
	};
	size_t i;
	int err;

	for (i = 0; i < sizeof(outs) / sizeof(outs[0]); i++) {
		const struct fg_output_ops *ops = fg_output__find(outs[i].fmt);

		if (outs[i].idx == 2 && !html)
			continue;
		if (!ops) {
			cli_warn("bench: %s: no %s writer in this build", pr->name, outs[i].fmt);
			continue;
		}
		err = fg_output__write_file(ops, pr->paths[outs[i].idx], p, &b->gopts);
		if (err) {
			if (outs[i].idx == 2) {
				cli_warn("bench: %s: heatmap: %s", pr->name, strerror(-err));
				continue;
			}
			return cli_error("bench: writing %s: %s", pr->paths[outs[i].idx],
					 strerror(-err));
		}
	}
	if (!html) {
		free(pr->paths[2]);
		pr->paths[2] = NULL;
	}
	return 0;
}

static int read_folded_file(struct fg_profile *p, const char *path)
{
	struct fg_reader *r = fg_reader__open(path);
	struct fg_folded_stats st;
	int err;

	if (!r)
		return -errno;
	err = fg_folded__read(p, r, &st);
	fg_reader__close(r);
	return err;
}

/* Did perf record copy user stacks (--call-graph dwarf)? */
static bool has_user_stacks(struct bench *b, struct bench_profile *pr,
			    const char *data)
{
	char *args[] = { "perf", "evlist", "-v", "-i", (char *)data, NULL };
	char *path, line[1024];
	bool yes = false;
	FILE *fp;

	if (asprintf(&path, "%s/%s.evlist", b->rundir, pr->name) < 0)
		return false;
	if (run_wait(args, path, "/dev/null") == 0 && (fp = fopen(path, "re"))) {
		while (fgets(line, sizeof(line), fp))
			if (strstr(line, "STACK_USER"))
				yes = true;
		fclose(fp);
	}
	free(path);
	return yes;
}

/* perf.data: one perf script pass through flame.so writes every graph. */
static int render_perf_data(struct bench *b, struct bench_profile *pr,
			    struct fg_profile *p, const char *data)
{
	char *so = find_flame_so(b), *args[32], *a[8], *errpath = NULL;
	int n = 0, k = 0, rc, try;
	bool dwarf = false;

	if (asprintf(&errpath, "%s/%s.script.err", b->rundir, pr->name) < 0)
		errpath = NULL;
	/*
	 * DWARF call graphs (--call-graph dwarf) are unwound by perf script
	 * itself; a dlfilter only sees the raw (kernel + frame pointer) chain.
	 */
	if (so && has_user_stacks(b, pr, data)) {
		free(so);
		so = NULL;
		dwarf = true;
	}
	for (try = 0; so && try < 2; try++) {
		n = k = 0;
		args[n++] = "perf";
		args[n++] = "script";
		args[n++] = "-i";
		args[n++] = (char *)data;
		args[n++] = "--dlfilter";
		args[n++] = so;
		if (asprintf(&a[k], "out=%s", pr->paths[1]) > 0)
			args[n++] = "--dlarg", args[n++] = a[k++];
		if (asprintf(&a[k], "out=%s", pr->paths[0]) > 0)
			args[n++] = "--dlarg", args[n++] = a[k++];
		if (try == 0 && asprintf(&a[k], "out=%s", pr->paths[2]) > 0)
			args[n++] = "--dlarg", args[n++] = a[k++];
		if (asprintf(&a[k], "title=%s", b->gopts.title) > 0)
			args[n++] = "--dlarg", args[n++] = a[k++];
		args[n] = NULL;
		rc = run_wait(args, "/dev/null", errpath);
		while (k--)
			free(a[k]);
		if (!rc && !access(pr->paths[1], R_OK)) {
			if (try) {
				free(pr->paths[2]);
				pr->paths[2] = NULL;
			}
			free(so);
			free(errpath);
			pr->kind = "perf.data (flame.so)";
			return read_folded_file(p, pr->paths[1]);
		}
	}
	if (dwarf)
		;
	else if (!so)
		cli_warn("bench: no flame.so found (--flame-so or $FLAME_SO): using perf script text");
	else
		cli_warn("bench: perf script --dlfilter %s failed (see %s): using perf script text",
			 so, errpath ? errpath : "stderr");
	free(so);
	/* fallback: perf script text through the collapser */
	{
		char *txt = NULL;
		struct fg_collapse_opts co;
		struct fg_reader *r;

		if (asprintf(&txt, "%s/%s.script", b->rundir, pr->name) < 0) {
			free(errpath);
			return -ENOMEM;
		}
		n = 0;
		args[n++] = "perf";
		args[n++] = "script";
		args[n++] = "-i";
		args[n++] = (char *)data;
		args[n] = NULL;
		rc = run_wait(args, txt, errpath);
		free(errpath);
		if (rc) {
			free(txt);
			return -EIO;
		}
		fg_profile__keep_samples(p, true);
		fg_collapse_opts__init(&co);
		r = fg_reader__open(txt);
		free(txt);
		if (!r)
			return -errno;
		rc = fg_collapse__read(p, r, &co, NULL);
		fg_reader__close(r);
		pr->kind = dwarf ? "perf.data (DWARF, perf script text)" :
				   "perf.data (perf script text)";
		return rc ? rc : write_graphs(b, pr, p, true);
	}
}

/* If the command wrote its file inside the target, fetch it through the prefix. */
static void fetch_remote(struct bench *b, struct bench_profile *pr)
{
	char *prefix, *q, *cmd;

	if (!pr->remote || !b->exec_prefix)
		return;
	prefix = bench__subst(b->exec_prefix, b, NULL);
	q = bench__shell_quote(pr->remote);
	if (prefix && q && asprintf(&cmd, "%s cat %s > %s 2>/dev/null; %s rm -f %s",
				    prefix, q, pr->raw, prefix, q) > 0) {
		bench__shell(cmd);
		free(cmd);
	}
	free(prefix);
	free(q);
}

static int render(struct bench *b, struct bench_profile *pr)
{
	struct fg_profile *p = fg_profile__new();
	const char *src = pr->raw, *data;
	struct fg_reader *r = NULL;
	struct stat st;
	size_t len;
	char head[16] = { 0 };
	int fd, err = 0, i;
	char *label = file_part(b->label), *name = file_part(pr->name);
	static const char *const ext[3] = { "svg", "folded", "html" };

	if (!p || !label || !name) {
		err = -ENOMEM;
		goto out;
	}
	for (i = 0; i < 3; i++)
		if (asprintf(&pr->paths[i], "%s/%s_%s-%s.%s", b->outdir, b->stamp,
			     label, name, ext[i]) < 0) {
			err = -ENOMEM;
			goto out;
		}
	if (pr->cmd) {
		if (pr->remote)
			fetch_remote(b, pr);
		/*
		 * No {output} in the command: its standard output is the
		 * result; also when {output} stayed empty but stdout did not.
		 */
		if (!strstr(pr->cmd, "{output}") ||
		    ((stat(src, &st) || !st.st_size) &&
		     !stat(pr->out_stdout, &st) && st.st_size))
			src = pr->out_stdout;
	}
	if (stat(src, &st) || !S_ISREG(st.st_mode) || !st.st_size) {
		err = -ENODATA;
		goto out;
	}
	fd = open(src, O_RDONLY | O_CLOEXEC);
	if (fd >= 0) {
		if (read(fd, head, sizeof(head)) < 0)
			head[0] = '\0';
		close(fd);
	}
	if (!memcmp(head, "PERFILE2", 8)) {
		err = render_perf_data(b, pr, p, src);
		if (!err)
			collect_top(pr, p);
		goto out;
	}
	if (fg_gperf__detect(head, sizeof(head)) != FG_GPERF_NONE) {
		struct fg_gperf_opts go = { 0 };
		struct fg_gperf_stats gs;
		char root[64];

		if (b->sidecar_pid) {
			snprintf(root, sizeof(root), "/proc/%d/root", (int)b->sidecar_pid);
			if (!access(root, X_OK))
				go.root = root;
		}
		err = fg_gperf__read_file(p, src, &go, &gs);
		if (err)
			goto out;
		pr->kind = gs.kind == FG_GPERF_CPU ? "gperftools CPU profile" :
						      "gperftools heap profile";
		if (gs.kind == FG_GPERF_HEAP && !b->gopts.countname) {
			b->gopts.countname = strdup("bytes");
			pr->unit = "bytes";
		}
		if (gs.records && gs.unresolved == gs.frames)
			cli_warn("bench: %s: no frame could be symbolized", pr->name);
		err = write_graphs(b, pr, p, false);
		if (!err)
			collect_top(pr, p);
		goto out;
	}
	r = fg_reader__open(src);
	if (!r) {
		err = -errno;
		goto out;
	}
	switch (fg_input__guess(r)) {
	case FG_INPUT_PERF_SCRIPT: {
		struct fg_collapse_opts co;

		fg_collapse_opts__init(&co);
		fg_profile__keep_samples(p, true);
		pr->kind = "perf script text";
		err = fg_collapse__read(p, r, &co, NULL);
		if (!err)
			err = write_graphs(b, pr, p, true);
		break;
	}
	case FG_INPUT_FOLDED: {
		struct fg_folded_stats fs;

		pr->kind = "folded stacks";
		err = fg_folded__read(p, r, &fs);
		if (!err && !fs.lines)
			err = -ENODATA;
		if (!err)
			err = write_graphs(b, pr, p, false);
		break;
	}
	default:
		if (fg_reader__peek(r, &data, &len) == 0 && len == 0)
			err = -ENODATA;
		else
			err = -EPROTONOSUPPORT;
	}
	if (!err)
		collect_top(pr, p);
out:
	fg_reader__close(r);
	fg_profile__delete(p);
	free(label);
	free(name);
	if (err) {
		const char *why = err == -ENODATA ? "the command produced nothing" :
				  err == -EPROTONOSUPPORT ? "unrecognised output (not perf.data, folded, perf script text or gperftools)" :
				  strerror(-err);

		if (asprintf(&pr->error, "%s", why) < 0)
			pr->error = NULL;
		for (i = 0; i < 3; i++) {
			if (pr->paths[i] && access(pr->paths[i], F_OK)) {
				free(pr->paths[i]);
				pr->paths[i] = NULL;
			}
		}
	}
	return err;
}

/* The newest PATH.NNNN.heap (gperftools numbers heap dumps), else PATH. */
static char *envoy_result_path(struct bench *b)
{
	const char *path = b->envoy_path;
	char *pat, *best = NULL;
	glob_t g;
	size_t i;
	time_t bt = 0;

	if (strcmp(b->envoy_profiler, "heapprofiler"))
		return strdup(path);
	if (asprintf(&pat, "%s.*.heap", path) < 0)
		return NULL;
	if (!glob(pat, 0, NULL, &g)) {
		for (i = 0; i < g.gl_pathc; i++) {
			struct stat st;

			if (!stat(g.gl_pathv[i], &st) && S_ISREG(st.st_mode) &&
			    (!best || st.st_mtime >= bt)) {
				free(best);
				best = strdup(g.gl_pathv[i]);
				bt = st.st_mtime;
			}
		}
		globfree(&g);
	}
	free(pat);
	return best ? best : strdup(path);
}

/* ---- summary -------------------------------------------------------------- */

static void json_str(struct fg_buf *j, const char *s)
{
	if (!s) {
		fg_buf__adds(j, "null");
		return;
	}
	fg_buf__add_json(j, s, strlen(s));
}

static int write_summary(struct bench *b)
{
	struct fg_buf t = FG_BUF_INIT, j = FG_BUF_INIT;
	struct bench_load_result *l = &b->load;
	char *label = file_part(b->label), *jpath = NULL, *tpath = NULL;
	FILE *fp;
	int i, k, rc = 0;

	fg_buf__addf(&t, "flame bench %s: label %s, duration %ds, qps %d, conn %d\n",
		     b->stamp, b->label, b->duration, b->qps, b->conn);
	if (b->sidecar_pid)
		fg_buf__addf(&t, "  sidecar: pid %d (pid %d in its namespace)\n",
			     (int)b->sidecar_pid, (int)b->nspid);
	if (l->have)
		fg_buf__addf(&t, "  load: %.1f req/s achieved (%llu requests in %.2fs, %llu errors); "
			     "latency ms: avg %.3f p50 %.3f p75 %.3f p90 %.3f p99 %.3f max %.3f\n",
			     l->rps, (unsigned long long)l->requests, l->seconds,
			     (unsigned long long)l->errors, l->lat_avg_ms, l->p50_ms,
			     l->p75_ms, l->p90_ms, l->p99_ms, l->lat_max_ms);
	else
		fg_buf__adds(&t, b->no_load ? "  load: none (--no-load)\n" :
			     "  load: no figures (the load tool's report was not wrk's)\n");

	fg_buf__adds(&j, "{\n  \"stamp\": ");
	json_str(&j, b->stamp);
	fg_buf__adds(&j, ",\n  \"label\": ");
	json_str(&j, b->label);
	fg_buf__addf(&j, ",\n  \"builtin_topology\": %s,\n  \"duration_s\": %d,\n"
		     "  \"qps_target\": %d,\n  \"conn\": %d,\n  \"sidecar_pid\": %d,\n"
		     "  \"sidecar_nspid\": %d,\n  \"load\": ",
		     b->builtin ? "true" : "false", b->duration, b->qps, b->conn,
		     (int)b->sidecar_pid, (int)b->nspid);
	if (l->have)
		fg_buf__addf(&j, "{\"qps\": %.2f, \"requests\": %llu, \"seconds\": %.3f, "
			     "\"errors\": %llu, \"latency_ms\": {\"avg\": %.4f, \"p50\": %.4f, "
			     "\"p75\": %.4f, \"p90\": %.4f, \"p99\": %.4f, \"max\": %.4f}}",
			     l->rps, (unsigned long long)l->requests, l->seconds,
			     (unsigned long long)l->errors, l->lat_avg_ms, l->p50_ms,
			     l->p75_ms, l->p90_ms, l->p99_ms, l->lat_max_ms);
	else
		fg_buf__adds(&j, "null");
	fg_buf__adds(&j, ",\n  \"profiles\": [");
	for (i = 0; i < b->nr_prof; i++) {
		struct bench_profile *pr = &b->prof[i];
		const char *unit = pr->unit ? pr->unit : "samples";

		fg_buf__addf(&t, "  profile %s: ", pr->name);
		if (pr->error)
			fg_buf__addf(&t, "FAILED: %s\n", pr->error);
		else
			fg_buf__addf(&t, "%s, %llu %s in %llu stacks\n", pr->kind,
				     (unsigned long long)pr->total, unit,
				     (unsigned long long)pr->stacks);
		for (k = 0; k < pr->nr_top; k++)
			fg_buf__addf(&t, "    %5.1f%%  %s\n",
				     pr->total ? 100.0 * (double)pr->top[k].self / (double)pr->total : 0.0,
				     pr->top[k].name);
		for (k = 0; k < 3; k++)
			if (pr->paths[k])
				fg_buf__addf(&t, "    wrote %s\n", pr->paths[k]);

		fg_buf__adds(&j, i ? ",\n    {" : "\n    {");
		fg_buf__adds(&j, "\"name\": ");
		json_str(&j, pr->name);
		fg_buf__adds(&j, ", \"command\": ");
		json_str(&j, pr->cmd ? pr->cmd : b->envoy_profiler);
		fg_buf__adds(&j, ", \"kind\": ");
		json_str(&j, pr->kind);
		fg_buf__adds(&j, ", \"error\": ");
		json_str(&j, pr->error);
		fg_buf__addf(&j, ", \"unit\": \"%s\", \"total\": %llu, \"stacks\": %llu, \"files\": {",
			     unit, (unsigned long long)pr->total, (unsigned long long)pr->stacks);
		fg_buf__adds(&j, "\"svg\": ");
		json_str(&j, pr->paths[0]);
		fg_buf__adds(&j, ", \"folded\": ");
		json_str(&j, pr->paths[1]);
		fg_buf__adds(&j, ", \"html\": ");
		json_str(&j, pr->paths[2]);
		fg_buf__adds(&j, "}, \"top\": [");
		for (k = 0; k < pr->nr_top; k++) {
			fg_buf__adds(&j, k ? ", {\"frame\": " : "{\"frame\": ");
			json_str(&j, pr->top[k].name);
			fg_buf__addf(&j, ", \"self\": %llu}", (unsigned long long)pr->top[k].self);
		}
		fg_buf__adds(&j, "]}");
		if (pr->error)
			rc = 1;
	}
	fg_buf__adds(&j, "\n  ]\n}\n");

	if (label && asprintf(&jpath, "%s/%s_%s-summary.json", b->outdir, b->stamp, label) > 0 &&
	    asprintf(&tpath, "%s/%s_%s-summary.txt", b->outdir, b->stamp, label) > 0) {
		fg_buf__addf(&t, "  summary: %s\n", jpath);
		fp = fopen(jpath, "we");
		if (!fp || fg_buf__write(&j, fp) || fclose(fp))
			rc = cli_error("bench: writing %s: %s", jpath, strerror(errno));
		fp = fopen(tpath, "we");
		if (!fp || fg_buf__write(&t, fp) || fclose(fp))
			rc = cli_error("bench: writing %s: %s", tpath, strerror(errno));
	}
	fg_buf__write(&t, stdout);
	fflush(stdout);
	fg_buf__release(&t);
	fg_buf__release(&j);
	free(jpath);
	free(tpath);
	free(label);
	return rc;
}

/* ---- main ----------------------------------------------------------------- */

static void comm_of(pid_t pid, char *buf, size_t size)
{
	char path[64];
	FILE *fp;

	snprintf(buf, size, "sidecar");
	snprintf(path, sizeof(path), "/proc/%d/comm", (int)pid);
	fp = fopen(path, "re");
	if (!fp)
		return;
	if (fgets(buf, (int)size, fp))
		buf[strcspn(buf, "\n")] = '\0';
	fclose(fp);
}

static int setup_profiles(struct bench *b)
{
	int i;

	if (!b->nr_cmds && !b->envoy_profiler && add_preset(b, "perf-oncpu"))
		return 1;
	if (b->nr_names > b->nr_cmds)
		return cli_error("bench: %d --custom-profiling-name for %d commands",
				 b->nr_names, b->nr_cmds);
	for (i = 0; i < b->nr_cmds; i++) {
		struct bench_profile *pr = &b->prof[b->nr_prof++];
		int j;

		pr->cmd = b->cmds[i];
		pr->proc = -1;
		if (b->names[i])
			pr->name = file_part(b->names[i]);
		else if (asprintf(&pr->name, "custom%d", i + 1) < 0)
			return 1;
		for (j = 0; j < b->nr_prof - 1; j++)
			if (!strcmp(b->prof[j].name, pr->name))
				return cli_error("bench: two profiles named '%s'", pr->name);
	}
	if (b->envoy_profiler) {
		struct bench_profile *pr = &b->prof[b->nr_prof++];

		pr->proc = -1;
		pr->name = strdup(!strcmp(b->envoy_profiler, "cpuprofiler") ?
				  "envoy-cpuprofiler" : "envoy-heapprofiler");
	}
	return 0;
}

static void bench_release(struct bench *b)
{
	int i, k;

	for (i = 0; i < b->nr_prof; i++) {
		struct bench_profile *pr = &b->prof[i];

		free(pr->name);
		free(pr->raw);
		free(pr->remote);
		free(pr->out_stdout);
		free(pr->out_stderr);
		free(pr->error);
		for (k = 0; k < 3; k++)
			free(pr->paths[k]);
		for (k = 0; k < pr->nr_top; k++)
			free(pr->top[k].name);
	}
	for (i = 0; i < BENCH_MAX_PROFILES; i++) {
		free(b->cmds[i]);
		free(b->names[i]);
	}
	free(b->label);
	free(b->outdir);
	free(b->url);
	free(b->load_cmd);
	free(b->exec_prefix);
	free(b->flame_so);
	free(b->proxy_config);
	free(b->sidecar_name);
	free(b->container);
	free(b->admin);
	free(b->envoy_profiler);
	free(b->envoy_path);
	free(b->load_out);
	fg_opts__release(&b->gopts);
}

static void show_failure(const struct bench_profile *pr)
{
	char line[512];
	FILE *fp = pr->out_stderr ? fopen(pr->out_stderr, "re") : NULL;
	int n = 0;

	if (!fp)
		return;
	while (fgets(line, sizeof(line), fp) && n++ < 6)
		fprintf(stderr, "  %s: %s", pr->name, line);
	fclose(fp);
}

int cmd_bench(int argc, char **argv)
{
	struct bench b = { 0 };
	struct sigaction sa = { 0 };
	char *serve = NULL, comm[64];
	bool envoy_on = false;
	double t0;
	time_t now;
	int rc = 1, i, err;

	b.duration = 30;
	b.qps = 1000;
	b.conn = 16;
	b.grace = 10;
	b.proxy_threads = 1;
	b.netns_fd = -1;
	b.load_proc = -1;
	fg_opts__init(&b.gopts);
	if (parse_args(&b, argc, argv, &serve))
		goto out_release;
	if (serve) {
		rc = bench__backend_main(serve);
		goto out_release;
	}
	if (!b.threads)
		b.threads = b.conn < 2 ? b.conn : 2;
	if (b.threads > b.conn)
		b.threads = b.conn;
	if (!b.admin)
		b.admin = strdup("127.0.0.1:15000");
	if (!b.envoy_path)
		b.envoy_path = strdup("/var/log/envoy/envoy.prof");
	if (!b.outdir)
		b.outdir = strdup("flame/flameoutput");
	b.builtin = !b.sidecar_pid && !b.sidecar_name && !b.container &&
		    !b.envoy_profiler;
	if (b.builtin && (b.url || b.exec_prefix))
		fprintf(stderr, "flame: bench: no sidecar given: --url/--exec-prefix apply to the built-in topology\n");
	if (b.builtin && geteuid())
		{ rc = cli_error("bench: the built-in topology needs root (namespaces); give --sidecar-pid/--sidecar-name for an existing sidecar"); goto out_release; }
	if (setup_profiles(&b))
		goto out_release;
	err = mkdir_p(b.outdir);
	if (err) {
		rc = cli_error("bench: --outdir %s: %s", b.outdir, strerror(-err));
		goto out_release;
	}
	now = time(NULL);
	strftime(b.stamp, sizeof(b.stamp), "%Y%m%d-%H%M%S", localtime(&now));
	snprintf(b.rundir, sizeof(b.rundir), "/tmp/flame-bench.XXXXXX");
	if (!mkdtemp(b.rundir)) {
		rc = cli_error("bench: mkdtemp: %s", strerror(errno));
		goto out_release;
	}
	b.progress = cli_progress_enabled();

	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);

	if (b.builtin) {
		fprintf(stderr, "flame: bench: starting the built-in topology (backend, haproxy sidecar, wrk)\n");
		if (bench__topo_up(&b))
			goto out_cleanup;
	} else if (bench__find_sidecar(&b)) {
		goto out_cleanup;
	}
	if (!b.label) {
		if (b.builtin)
			b.label = strdup("builtin");
		else if (b.sidecar_pid)
			comm_of(b.sidecar_pid, comm, sizeof(comm)), b.label = strdup(comm);
		else
			b.label = strdup("sidecar");
	}
	if (!b.gopts.title)
		asprintf(&b.gopts.title, "flame bench %s: %d qps, %d conn, %ds",
			 b.label, b.qps, b.conn, b.duration);
	if (b.sidecar_pid)
		fprintf(stderr, "flame: bench: sidecar pid %d (%d in its PID namespace)\n",
			(int)b.sidecar_pid, (int)b.nspid);

	if (b.envoy_profiler) {
		if (envoy_toggle(&b, true))
			goto out_cleanup;
		envoy_on = true;
	}
	t0 = now_s();
	err = start_profiles(&b);
	if (!err)
		err = bench__load_start(&b);
	if (err) {
		cli_error("bench: starting commands: %s", strerror(-err));
		goto out_cleanup;
	}
	wait_run(&b, t0, &envoy_on);
	if (bench_stop) {
		cli_error("bench: interrupted: stopping everything");
		rc = 130;
		goto out_cleanup;
	}
	/* the topology goes down before the (slow) rendering */
	bench__stop_all(&b);
	bench__topo_down(&b);
	bench__load_parse(&b);
	for (i = 0; i < b.nr_prof; i++) {
		struct bench_profile *pr = &b.prof[i];

		if (!pr->cmd)
			pr->raw = envoy_result_path(&b);
		if (render(&b, pr)) {
			cli_warn("bench: profile %s: %s", pr->name, pr->error ? pr->error : "failed");
			show_failure(pr);
		}
		if (b.gopts.countname && pr->unit && !strcmp(pr->unit, "bytes")) {
			free(b.gopts.countname);
			b.gopts.countname = NULL;
		}
	}
	rc = write_summary(&b);
out_cleanup:
	bench__stop_all(&b);
	bench__topo_down(&b);
	if (b.rundir[0]) {
		if (b.keep_raw) {
			fprintf(stderr, "flame: bench: raw outputs kept in %s\n", b.rundir);
		} else {
			char *q = bench__shell_quote(b.rundir), *cmd;

			if (q && asprintf(&cmd, "rm -rf -- %s", q) > 0) {
				bench__shell(cmd);
				free(cmd);
			}
			free(q);
		}
	}
out_release:
	bench_release(&b);
	return rc;
}
