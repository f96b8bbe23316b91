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
#include <stddef.h>
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
	  "perf record -F {freq} -g -p {sidecar_pid} -o {output} -- sleep {duration}", NULL },
	{ "perf-oncpu-dwarf",
	  "perf record -F {freq} --call-graph dwarf,16384 -p {sidecar_pid} -o {output} -- sleep {duration}", NULL },
	{ "perf-pagefaults",
	  "perf record -e page-faults -g -p {sidecar_pid} -o {output} -- sleep {duration}", NULL },
	{ "perf-offcpu",
	  "perf record -e sched:sched_switch -e sched:sched_waking -g -a -o {output} -- sleep {duration}", NULL },
	{ "bcc-oncpu", "profile-bpfcc -df -F {freq} -p {sidecar_pid} {duration}", "profile-bpfcc" },
	{ "bcc-offcpu", "offcputime-bpfcc -df -p {sidecar_pid} {duration}", "offcputime-bpfcc" },
	{ "bcc-offwaketime", "offwaketime-bpfcc -df -p {sidecar_pid} {duration}", "offwaketime-bpfcc" },
	{ "bcc-wakeuptime", "wakeuptime-bpfcc -f -p {sidecar_pid} {duration}", "wakeuptime-bpfcc" },
	{ "bcc-stackcount", "stackcount-bpfcc -p {sidecar_pid} '*alloc*' -fD {duration}", "stackcount-bpfcc" },
	{ NULL, NULL, NULL },
};

/* ---- options: one table per part of the help ----------------------------- */

static int set_topology(void *base, const char *v, const char **err)
{
	struct bench *b = base;
	char *s;

	if (strcmp(v, "mesh") && strcmp(v, "server")) {
		*err = "mesh or server";
		return -EINVAL;
	}
	s = strdup(v);
	if (!s)
		return -ENOMEM;
	free(b->topology);
	b->topology = s;
	return 0;
}

static int set_load_tool(void *base, const char *v, const char **err)
{
	struct bench *b = base;

	if (strcmp(v, "wrk") && strcmp(v, "hey") && strcmp(v, "ab")) {
		*err = "wrk, hey or ab";
		return -EINVAL;
	}
	b->load_tool = !strcmp(v, "wrk") ? "wrk" : !strcmp(v, "hey") ? "hey" : "ab";
	return 0;
}

static int add_sidecar_spec(struct bench *b, const char *spec);
static int add_preset(struct bench *b, const char *name);

static int set_sidecar(void *base, const char *v, const char **err)
{
	*err = "see above";
	return add_sidecar_spec(base, v) ? -EINVAL : 0;
}

static int set_profile(void *base, const char *v, const char **err)
{
	*err = "see above";
	return add_preset(base, v) ? -EINVAL : 0;
}

static int set_custom_cmd(void *base, const char *v, const char **err)
{
	struct bench *b = base;

	if (b->nr_cmds >= BENCH_MAX_PROFILES) {
		*err = "too many profiles";
		return -EINVAL;
	}
	b->cmds[b->nr_cmds] = strdup(v);
	if (!b->cmds[b->nr_cmds])
		return -ENOMEM;
	b->nr_cmds++;
	return 0;
}

static int set_custom_name(void *base, const char *v, const char **err)
{
	struct bench *b = base;

	if (b->nr_names >= BENCH_MAX_PROFILES) {
		*err = "too many profiles";
		return -EINVAL;
	}
	b->names[b->nr_names] = strdup(v);
	if (!b->names[b->nr_names])
		return -ENOMEM;
	b->nr_names++;
	return 0;
}

static int set_envoy_profiler(void *base, const char *v, const char **err)
{
	struct bench *b = base;
	char *s;

	if (strcmp(v, "cpuprofiler") && strcmp(v, "heapprofiler")) {
		*err = "cpuprofiler or heapprofiler";
		return -EINVAL;
	}
	s = strdup(v);
	if (!s)
		return -ENOMEM;
	free(b->envoy_profiler);
	b->envoy_profiler = s;
	return 0;
}

static int set_heap_value(void *base, const char *v, const char **err)
{
	static const char *const hv[] = { "inuse_space", "inuse_objects",
					  "alloc_space", "alloc_objects" };
	int k;

	for (k = 0; k < 4 && strcmp(v, hv[k]); k++)
		;
	if (k == 4) {
		*err = "inuse_space, inuse_objects, alloc_space or alloc_objects";
		return -EINVAL;
	}
	((struct bench *)base)->heap_value = k;
	return 0;
}

#define B(f) offsetof(struct bench, f)

static const struct fg_opt_desc bench_load_opts[] = {
	{ "duration", FG_OPT_INT, B(duration), "30", "profile and load time", FG_GRP_BENCH,
	  .arg = "SEC", .min = 1, .max = 86400 },
	{ "qps", FG_OPT_INT, B(qps), "1000", "target requests/s, paced with wrk's Lua delay(); 0 = max",
	  FG_GRP_BENCH, .min = 0, .max = 10000000 },
	{ "conn", FG_OPT_INT, B(conn), "16", "connections", FG_GRP_BENCH, .min = 1, .max = 100000 },
	{ "threads", FG_OPT_INT, B(threads), "min(conn, 2)", "wrk threads", FG_GRP_BENCH,
	  .min = 1, .max = 1024 },
	{ "url", FG_OPT_STR, B(url), NULL, "load an existing deployment at URL", FG_GRP_BENCH,
	  .arg = "URL" },
	{ "load-tool", FG_OPT_STR, 0, "wrk", "wrk, hey or ab (ab has no rate limit)", FG_GRP_BENCH,
	  set_load_tool, "T" },
	{ "load-command", FG_OPT_STR, B(load_cmd), NULL,
	  "run CMD as the load instead ({duration} {qps} {conn} {url}); wrk's, hey's and ab's reports are parsed, others are not",
	  FG_GRP_BENCH, .arg = "CMD" },
	{ "no-load", FG_OPT_BOOL, B(no_load), NULL, "profile only", FG_GRP_BENCH },
	{ "require-load", FG_OPT_BOOL, B(require_load), NULL,
	  "fail when no load would run or none was measured", FG_GRP_BENCH },
	{ NULL },
};

static const struct fg_opt_desc bench_sidecar_opts[] = {
	{ "builtin", FG_OPT_BOOL, B(ask_builtin), NULL,
	  "the built-in topology (the default when no sidecar is given)", FG_GRP_BENCH },
	{ "topology", FG_OPT_STR, 0, "mesh",
	  "built-in: client pod + client sidecar -> server sidecar + backend (mesh), or one sidecar (server)",
	  FG_GRP_BENCH, set_topology, "mesh|server" },
	{ "sidecar", FG_OPT_STR, 0, NULL,
	  "a sidecar (repeatable; all are profiled at once): SEL is pid:PID, name:REGEX or container:ID; ROLE (client, server, ...) names its files <date>_<label>-<role>-<profile>",
	  FG_GRP_BENCH, set_sidecar, "[ROLE=]SEL" },
	{ "sidecar-pid", FG_OPT_INT, B(sidecar_pid), NULL, "the sidecar's host PID", FG_GRP_BENCH,
	  .arg = "PID", .min = 1, .max = 0x3fffffff },
	{ "sidecar-name", FG_OPT_STR, B(sidecar_name), NULL,
	  "match the process name, then the command line (oldest wins)", FG_GRP_BENCH, .arg = "REGEX" },
	{ "container", FG_OPT_STR, B(container), NULL, "processes whose /proc/PID/cgroup contains ID",
	  FG_GRP_BENCH, .arg = "ID" },
	{ "exec-prefix", FG_OPT_STR, B(exec_prefix), NULL,
	  "run profiling commands through CMD (e.g. 'nsenter -t {host_pid} -a', 'kubectl exec POD -c perf --'); {sidecar_pid} is then the PID inside the sidecar's PID namespace, {host_pid} the host's",
	  FG_GRP_BENCH, .arg = "CMD" },
	{ "proxy-config", FG_OPT_STR, B(proxy_config), NULL,
	  "haproxy config template for the built-in topology", FG_GRP_BENCH, .arg = "FILE" },
	{ "proxy-threads", FG_OPT_INT, B(proxy_threads), "1", "haproxy nbthread", FG_GRP_BENCH,
	  .min = 1, .max = 64 },
	{ NULL },
};

static const struct fg_opt_desc bench_profiling_opts[] = {
	{ "custom-profiling-command", FG_OPT_STR, 0, NULL,
	  "(also --custom_profiling_command; repeatable) placeholders {duration} {sidecar_pid} {host_pid} {sidecar_nspid} {role} {output}",
	  FG_GRP_BENCH, set_custom_cmd, "CMD" },
	{ "custom-profiling-name", FG_OPT_STR, 0, "customN",
	  "(also --custom_profiling_name) names the n-th command", FG_GRP_BENCH, set_custom_name, "NAME" },
	{ "profile", FG_OPT_STR, 0, "perf-oncpu", "add a preset (repeatable; below)", FG_GRP_BENCH,
	  set_profile, "PRESET" },
	{ "envoy-profiler", FG_OPT_STR, 0, NULL,
	  "(also --envoy_profiler) toggle Envoy's admin profiler and convert its gperftools output",
	  FG_GRP_BENCH, set_envoy_profiler, "cpuprofiler|heapprofiler" },
	{ "admin", FG_OPT_STR, B(admin), "127.0.0.1:15000", "Envoy admin address", FG_GRP_BENCH,
	  .arg = "HOST:PORT" },
	{ "envoy-profile-path", FG_OPT_STR, B(envoy_path), "/var/log/envoy/envoy.prof",
	  "where the sidecar writes profiles", FG_GRP_BENCH, .arg = "P" },
	{ "heap-value", FG_OPT_STR, 0, "inuse_space",
	  "heap graphs weigh inuse_space, inuse_objects, alloc_space or alloc_objects", FG_GRP_BENCH,
	  set_heap_value, "V" },
	{ "freq", FG_OPT_INT, B(freq), "99", "sampling frequency of the perf-oncpu presets ({freq})",
	  FG_GRP_BENCH, .arg = "HZ", .min = 1, .max = 100000 },
	{ "grace", FG_OPT_INT, B(grace), "10", "extra time for profilers to finish", FG_GRP_BENCH,
	  .arg = "SEC", .min = 0, .max = 3600 },
	{ "allow-empty", FG_OPT_BOOL, B(allow_empty), NULL, "exit 0 even when a profile has no samples",
	  FG_GRP_BENCH },
	{ "flame-so", FG_OPT_STR, B(flame_so), "$FLAME_SO, else next to flame", "flame.so for perf.data",
	  FG_GRP_BENCH, .arg = "PATH" },
	{ NULL },
};

static const struct fg_opt_desc bench_output_opts[] = {
	{ "label", FG_OPT_STR, B(label), "builtin, or the sidecar's name", "file name label",
	  FG_GRP_BENCH, .arg = "NAME" },
	{ "outdir", FG_OPT_STR, B(outdir), "flame/flameoutput", "output directory", FG_GRP_BENCH,
	  .arg = "DIR" },
	{ "keep-raw", FG_OPT_BOOL, B(keep_raw), NULL, "keep the raw profiler outputs (printed at the end)",
	  FG_GRP_BENCH },
	{ "serve-backend", FG_OPT_STR, B(serve), NULL,
	  "only run the built-in HTTP backend in the foreground", FG_GRP_BENCH, .arg = "H:P" },
	{ "from-gperf", FG_OPT_STR, B(from_gperf), NULL,
	  "only render a gperftools CPU/heap profile collected earlier (with --sidecar-pid: binaries are read from its root)",
	  FG_GRP_BENCH, .arg = "FILE" },
	{ NULL },
};

static void usage(FILE *fp)
{
	const struct preset *p;

	fprintf(fp,
"usage: flame bench [options]\n"
"Load through a sidecar proxy, profile the sidecar for --duration, write\n"
"flame graphs and a summary to OUTDIR/<date>_<label>-<profile>.{svg,folded,html}.\n"
"With --builtin, or with no sidecar option at all, runs the built-in topology:\n"
"load -> client sidecar -> server sidecar -> backend, in their own namespaces.\n\n"
"Load:\n");
	fg_opt__help(bench_load_opts, "--", fp);
	fprintf(fp, "Sidecar:\n");
	fg_opt__help(bench_sidecar_opts, "--", fp);
	fprintf(fp, "Profiling:\n");
	fg_opt__help(bench_profiling_opts, "--", fp);
	fprintf(fp, "  presets of --profile:\n");
	for (p = presets; p->name; p++)
		fprintf(fp, "    %-20s %s\n", p->name, p->cmd);
	fprintf(fp, "Output:\n");
	fg_opt__help(bench_output_opts, "--", fp);
	fprintf(fp, "Graph and heatmap options (as flame svg and flame heatmap take them) apply to every graph:\n");
	fg_opt__help_groups(fg_output_opts, FG_GRP_GRAPH | FG_GRP_HEATMAP, "--", fp);
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

/*
 * --sidecar [ROLE=]pid:PID | name:REGEX | container:ID | PID
 * ROLE is a word ([A-Za-z0-9_.-]); it names the sidecar's files and section.
 */
static int add_sidecar_spec(struct bench *b, const char *spec)
{
	struct bench_sidecar *sc;
	const char *eq = strchr(spec, '='), *colon = strchr(spec, ':'), *v = spec;
	char *role = NULL;
	int pid = 0;

	if (b->nr_sc >= BENCH_MAX_SIDECARS)
		return cli_error("bench: at most %d sidecars", BENCH_MAX_SIDECARS);
	sc = &b->sc[b->nr_sc];
	if (eq && (!colon || eq < colon)) {
		const char *p;

		for (p = spec; p < eq; p++)
			if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
			      (*p >= '0' && *p <= '9') || *p == '-' || *p == '_' || *p == '.'))
				break;
		if (p < eq || eq == spec)
			return cli_error("bench: --sidecar '%s': a role is a word before '=' (client=name:REGEX)", spec);
		role = strndup(spec, (size_t)(eq - spec));
		v = eq + 1;
	}
	if (!strncmp(v, "pid:", 4) || (*v >= '0' && *v <= '9')) {
		if (parse_int("--sidecar pid", v + (*v == 'p' ? 4 : 0), 1, 0x3fffffff, &pid)) {
			free(role);
			return 1;
		}
		sc->sel_pid = pid;
	} else if (!strncmp(v, "name:", 5) && v[5]) {
		sc->sel_name = strdup(v + 5);
	} else if (!strncmp(v, "container:", 10) && v[10]) {
		sc->sel_container = strdup(v + 10);
	} else {
		free(role);
		return cli_error("bench: --sidecar '%s': expects [ROLE=]pid:PID, name:REGEX or container:ID", spec);
	}
	sc->role = role;
	b->nr_sc++;
	return 0;
}

static int parse_args(struct bench *b, int argc, char **argv)
{
	const struct fg_optset sets[] = {
		{ bench_load_opts, b, FG_GRP_ALL },
		{ bench_sidecar_opts, b, FG_GRP_ALL },
		{ bench_profiling_opts, b, FG_GRP_ALL },
		{ bench_output_opts, b, FG_GRP_ALL },
		{ fg_output_opts, &b->gopts, FG_GRP_GRAPH | FG_GRP_HEATMAP },
	};
	int i, r;

	for (i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "-h") || !strcmp(argv[i], "--help")) {
			usage(stdout);
			exit(0);
		}
		r = cli_opt(argc, argv, &i, sets, sizeof(sets) / sizeof(sets[0]));
		if (r < 0)
			return 1;
		if (!r)
			return cli_error("bench: unknown option '%s' (flame bench --help)", argv[i]);
	}
	return 0;
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

/* ---- running ------------------------------------------------------------- */

static int start_profiles(struct bench *b)
{
	int i;

	for (i = 0; i < b->nr_prof; i++) {
		struct bench_profile *pr = &b->prof[i];
		struct bench_sidecar *sc = &b->sc[pr->sc];
		const char *key = pr->key;
		char *cmd, *full;

		if (!pr->cmd)
			continue;
		if (asprintf(&pr->raw, "%s/%s.out", b->rundir, key) < 0 ||
		    asprintf(&pr->out_stdout, "%s/%s.stdout", b->rundir, key) < 0 ||
		    asprintf(&pr->out_stderr, "%s/%s.stderr", b->rundir, key) < 0 ||
		    (b->exec_prefix &&
		     asprintf(&pr->remote, "/tmp/flame-bench-%d-%s.out", (int)getpid(),
			      key) < 0))
			return -ENOMEM;
		cmd = bench__subst(pr->cmd, b, sc, pr->remote ? pr->remote : pr->raw);
		if (!cmd)
			return -ENOMEM;
		if (b->exec_prefix) {
			char *prefix = bench__subst(b->exec_prefix, b, sc, NULL);
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
			fprintf(stderr, "flame: bench: profile %s%s%s: %s\n",
				sc->role ? sc->role : "", sc->role ? " " : "", pr->name, full);
		pr->proc = bench__spawn(b, pr->name, full, pr->out_stdout,
					pr->out_stderr, BENCH_NS_HOST);
		free(full);
		if (pr->proc < 0)
			return pr->proc;
	}
	return 0;
}

static bool proc_running(struct bench *b, int i)
{
	return i >= 0 && i < b->nr_procs && !b->procs[i].done;
}

/* Each sidecar's CPU time: at the start, then over the run. */
static void cpu_mark(struct bench *b, bool start, double secs)
{
	long hz = sysconf(_SC_CLK_TCK);
	int i;

	for (i = 0; i < b->nr_sc; i++) {
		struct bench_sidecar *sc = &b->sc[i];
		unsigned long long ut, st;

		if (!sc->pid || !bench__cpu_ticks(sc->pid, &ut, &st)) {
			sc->cpu_known = false;
			continue;
		}
		if (start) {
			sc->cpu_known = true;
			sc->utime = ut;
			sc->stime = st;
			continue;
		}
		if (!sc->cpu_known)
			continue;
		sc->utime = ut - sc->utime;
		sc->stime = st - sc->stime;
		sc->cpu_s = (double)(sc->utime + sc->stime) / (double)(hz > 0 ? hz : 100);
		(void)secs;
	}
}

/* Wait for the load and the profiles, bounded by duration + grace. */
static void wait_run(struct bench *b, double t0, bool *envoy_on)
{
	double limit = b->duration + b->grace, t;
	int i, running, last_shown = -1;
	bool cpu_done = false;

	for (;;) {
		bench__reap(b);
		bench__cpu_poll(b);
		t = now_s() - t0;
		if (*envoy_on && t >= b->duration) {
			bench__envoy_toggle(b, false);
			*envoy_on = false;
		}
		/* the sidecars' CPU time over the profiled duration */
		if (!cpu_done && t >= b->duration) {
			cpu_mark(b, false, t);
			cpu_done = true;
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
			fprintf(stderr, "\rflame: bench: %3d/%ds%s  profiles running: %d  load: %s ",
				(int)t, b->duration, t > b->duration ? " (grace)" : "",
				running, proc_running(b, b->load_proc) ? "running" :
				b->load_proc < 0 ? "none" : "done");
		}
		usleep(100000);
	}
	if (!cpu_done)
		cpu_mark(b, false, t);
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
		bench__envoy_toggle(b, false);
		*envoy_on = false;
	}
}

/* ---- main ----------------------------------------------------------------- */

/* Profiling commands: the presets and custom commands, named. */
static int setup_profiles(struct bench *b)
{
	int i;

	if (!b->nr_cmds && !b->envoy_profiler) {
		if (add_preset(b, "perf-oncpu"))
			return 1;
		b->implicit_profile = true;
	}
	if (b->nr_names > b->nr_cmds)
		return cli_error("bench: %d --custom-profiling-name for %d commands",
				 b->nr_names, b->nr_cmds);
	for (i = 0; i < b->nr_cmds; i++) {
		int j;

		if (!b->names[i] && asprintf(&b->names[i], "custom%d", i + 1) < 0)
			return 1;
		for (j = 0; j < i; j++) {
			char *x = bench__file_part(b->names[i]), *y = bench__file_part(b->names[j]);
			bool same = x && y && !strcmp(x, y);

			free(x);
			free(y);
			if (same)
				return cli_error("bench: two profiles named '%s'", b->names[i]);
		}
	}
	return 0;
}

static const struct preset *preset_of(const char *name)
{
	const struct preset *p;

	for (p = presets; p->name; p++)
		if (!strcmp(p->name, name))
			return p;
	return NULL;
}

/*
 * A sidecar whose executable keeps no frame pointers: frame-pointer call
 * graphs stop in its first function. The implicit perf-oncpu becomes
 * perf-oncpu-dwarf for it; an explicit one stays, with a warning.
 */
static bool wants_dwarf(struct bench *b, struct bench_sidecar *sc, const char *name)
{
	const char *sel = sc->role ? sc->role : "";

	if (strcmp(name, "perf-oncpu") || !sc->pid)
		return false;
	sc->fp_err = bench__frame_pointers(sc->pid, &sc->fp_with, &sc->fp_total);
	if (sc->fp_err || sc->fp_with * 5 >= sc->fp_total)
		return false;
	if (!b->implicit_profile) {
		cli_warn("bench: sidecar %s%spid %d: its executable keeps no frame pointers (%d of %d functions start with push %%rbp; mov %%rsp,%%rbp): perf-oncpu stacks stop in its first function; --profile perf-oncpu-dwarf unwinds them",
			 sel, *sel ? " " : "", (int)sc->pid, sc->fp_with, sc->fp_total);
		return false;
	}
	fprintf(stderr, "flame: bench: sidecar %s%spid %d: its executable keeps no frame pointers (%d of %d functions start with push %%rbp; mov %%rsp,%%rbp): profiling it with perf-oncpu-dwarf\n",
		sel, *sel ? " " : "", (int)sc->pid, sc->fp_with, sc->fp_total);
	return true;
}

/* Every profile of every sidecar (after the sidecars are known). */
static int instantiate_profiles(struct bench *b)
{
	int s, i;

	for (s = 0; s < b->nr_sc; s++) {
		for (i = 0; i < b->nr_cmds; i++) {
			struct bench_profile *pr = &b->prof[b->nr_prof++];
			const struct preset *dw = preset_of("perf-oncpu-dwarf");

			pr->cmd = b->cmds[i];
			pr->sc = s;
			pr->proc = -1;
			if (preset_of(b->names[i]) && !strcmp(b->cmds[i], preset_of(b->names[i])->cmd) &&
			    wants_dwarf(b, &b->sc[s], b->names[i])) {
				pr->cmd_own = strdup(dw->cmd);
				if (!pr->cmd_own)
					return -ENOMEM;
				pr->cmd = pr->cmd_own;
				pr->name = strdup(dw->name);
			} else {
				pr->name = bench__file_part(b->names[i]);
			}
			if (!pr->name || (b->sc[s].role ?
					  asprintf(&pr->key, "%s-%s", b->sc[s].role, pr->name) < 0 :
					  !(pr->key = strdup(pr->name))))
				return -ENOMEM;
		}
	}
	if (b->envoy_profiler) {
		struct bench_profile *pr = &b->prof[b->nr_prof++];

		pr->proc = -1;
		pr->sc = 0;
		/* Envoy's own names (its admin endpoints) */
		pr->name = strdup(b->envoy_profiler);
		pr->key = strdup(b->envoy_profiler);
		if (!pr->name || !pr->key)
			return -ENOMEM;
	}
	return 0;
}

/* Several sidecars: each needs a distinct role (its files' names). */
static int check_roles(struct bench *b)
{
	int i, j;

	for (i = 0; i < b->nr_sc && b->nr_sc > 1; i++) {
		if (!b->sc[i].role && asprintf(&b->sc[i].role, "sidecar%d", i + 1) < 0)
			return cli_error("bench: %s", strerror(ENOMEM));
		for (j = 0; j < i; j++)
			if (!strcmp(b->sc[i].role, b->sc[j].role))
				return cli_error("bench: two sidecars with the role '%s'",
						 b->sc[i].role);
	}
	return 0;
}

static void bench_release(struct bench *b)
{
	int i, k;

	for (i = 0; i < b->nr_prof; i++) {
		struct bench_profile *pr = &b->prof[i];

		free(pr->name);
		free(pr->cmd_own);
		free(pr->key);
		free(pr->raw);
		free(pr->remote);
		free(pr->out_stdout);
		free(pr->out_stderr);
		free(pr->error);
		free(pr->log);
		free(pr->note);
		for (k = 0; k < 3; k++)
			free(pr->paths[k]);
		for (k = 0; k < pr->nr_top; k++)
			free(pr->top[k].name);
	}
	for (i = 0; i < BENCH_MAX_SIDECARS; i++) {
		free(b->sc[i].sel_name);
		free(b->sc[i].sel_container);
		free(b->sc[i].role);
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
	free(b->topology);
	free(b->serve);
	free(b->from_gperf);
	fg_opts__release(&b->gopts);
}

/* --from-gperf FILE: render a gperftools profile collected earlier. */
static int convert_only(struct bench *b, const char *file)
{
	struct bench_profile *pr;
	const char *base = strrchr(file, '/');
	time_t now = time(NULL);
	struct stat st;
	int err, fd;

	/* say what is wrong with the file itself, before any rendering */
	fd = open(file, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
	if (fd < 0)
		return cli_error("bench: --from-gperf %s: %s", file, strerror(errno));
	err = fstat(fd, &st) ? errno : 0;
	close(fd);
	if (err)
		return cli_error("bench: --from-gperf %s: %s", file, strerror(err));
	if (!S_ISREG(st.st_mode))
		return cli_error("bench: --from-gperf %s: not a regular file", file);
	if (!st.st_size)
		return cli_error("bench: --from-gperf %s: empty file", file);
	pr = &b->prof[b->nr_prof++];
	b->convert = true;
	pr->proc = -1;
	pr->name = b->nr_names ? bench__file_part(b->names[0]) : strdup("gperf");
	pr->key = pr->name ? strdup(pr->name) : NULL;
	pr->raw = strdup(file);
	b->no_load = true;
	if (!b->outdir)
		b->outdir = strdup("flame/flameoutput");
	if (!b->label)
		b->label = strdup(base ? base + 1 : file);
	if (!pr->name || !pr->key || !pr->raw || !b->outdir || !b->label)
		return cli_error("bench: %s", strerror(ENOMEM));
	if (b->sidecar_pid) {
		b->nr_sc = 1;
		bench__sidecar_found(&b->sc[0], b->sidecar_pid);
	}
	if (!b->gopts.title && asprintf(&b->gopts.title, "%s", b->label) < 0)
		b->gopts.title = NULL;
	err = mkdir_p(b->outdir);
	if (err)
		return cli_error("bench: --outdir %s: %s", b->outdir, strerror(-err));
	strftime(b->stamp, sizeof(b->stamp), "%Y%m%d-%H%M%S", localtime(&now));
	snprintf(b->rundir, sizeof(b->rundir), "/tmp");
	if (bench__render(b, pr)) {
		cli_error("bench: %s: %s", file, pr->error ? pr->error : "failed");
		return 1;
	}
	return bench__write_summary(b);
}

/* The legacy one-sidecar options (--sidecar-pid/-name, --container). */
static int legacy_sidecar(struct bench *b)
{
	struct bench_sidecar *sc;

	if (!b->sidecar_pid && !b->sidecar_name && !b->container)
		return 0;
	if (b->nr_sc >= BENCH_MAX_SIDECARS)
		return cli_error("bench: at most %d sidecars", BENCH_MAX_SIDECARS);
	/* first: it is the one Envoy's --admin and --label refer to */
	memmove(&b->sc[1], &b->sc[0], sizeof(b->sc[0]) * (size_t)b->nr_sc);
	sc = &b->sc[0];
	memset(sc, 0, sizeof(*sc));
	sc->sel_pid = b->sidecar_pid;
	sc->sel_name = b->sidecar_name ? strdup(b->sidecar_name) : NULL;
	sc->sel_container = b->container ? strdup(b->container) : NULL;
	b->nr_sc++;
	return 0;
}

int cmd_bench(int argc, char **argv)
{
	struct bench b = { 0 };
	struct sigaction sa = { 0 };
	bool envoy_on = false, selected;
	double t0;
	time_t now;
	int rc = 1, i, err;

	b.duration = 30;
	b.qps = 1000;
	b.conn = 16;
	b.grace = 10;
	b.proxy_threads = 1;
	b.freq = 99;
	b.netns_fd = -1;
	b.client_netns_fd = -1;
	b.load_proc = -1;
	fg_opts__init(&b.gopts);
	if (parse_args(&b, argc, argv))
		goto out_release;
	if (b.serve) {
		rc = bench__backend_main(b.serve);
		goto out_release;
	}
	if (b.from_gperf) {
		rc = convert_only(&b, b.from_gperf);
		goto out_release;
	}
	if (legacy_sidecar(&b))
		goto out_release;
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
	if (!b.load_tool)
		b.load_tool = "wrk";
	selected = b.nr_sc > 0;
	/*
	 * The built-in topology runs when asked, or when nothing names a
	 * target; an option meant for an existing sidecar never falls back
	 * to profiling our own.
	 */
	if (b.ask_builtin && (selected || b.envoy_profiler || b.exec_prefix || b.url)) {
		rc = cli_error("bench: --builtin runs its own sidecars: it excludes --sidecar, --sidecar-pid, --sidecar-name, --container, --envoy-profiler, --exec-prefix and --url");
		goto out_release;
	}
	if (!selected && b.exec_prefix) {
		rc = cli_error("bench: --exec-prefix needs a sidecar selector: --sidecar, --sidecar-pid, --sidecar-name or --container");
		goto out_release;
	}
	if (!selected && !b.envoy_profiler && b.url) {
		rc = cli_error("bench: --url needs a sidecar selector (--sidecar, --sidecar-pid, --sidecar-name or --container), or --builtin without --url");
		goto out_release;
	}
	if (b.envoy_profiler && b.nr_sc > 1) {
		rc = cli_error("bench: --envoy-profiler reads one admin port (--admin): give one sidecar");
		goto out_release;
	}
	b.builtin = b.ask_builtin || (!selected && !b.envoy_profiler);
	if (b.topology && !b.builtin) {
		rc = cli_error("bench: --topology is for the built-in topology");
		goto out_release;
	}
	b.load_ns = BENCH_NS_HOST;
	if (b.require_load && b.no_load) {
		rc = cli_error("bench: --require-load and --no-load contradict each other");
		goto out_release;
	}
	if (b.require_load && !b.builtin && !b.load_cmd && !b.url) {
		rc = cli_error("bench: --require-load: no load would run (no --url or --load-command for an existing sidecar)");
		goto out_release;
	}
	if (b.builtin && geteuid()) {
		rc = cli_error("bench: the built-in topology needs root (namespaces); give --sidecar-pid/--sidecar-name for an existing sidecar");
		goto out_release;
	}
	if (setup_profiles(&b) || check_roles(&b))
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
		bool mesh = !b.topology || !strcmp(b.topology, "mesh");

		fprintf(stderr, "flame: bench: starting the built-in topology (%s, %s)\n",
			mesh ? "load -> client sidecar -> server sidecar -> backend" :
			       "load -> sidecar -> backend",
			b.no_load ? "no load" : b.load_cmd ? "--load-command" : b.load_tool);
		if (bench__topo_up(&b))
			goto out_cleanup;
	} else {
		for (i = 0; i < b.nr_sc; i++)
			if (bench__find_sidecar(&b, &b.sc[i]))
				goto out_cleanup;
	}
	if (instantiate_profiles(&b)) {
		cli_error("bench: %s", strerror(ENOMEM));
		goto out_cleanup;
	}
	if (!b.label)
		b.label = strdup(b.builtin ? "builtin" : b.nr_sc ? b.sc[0].comm : "sidecar");
	if (!b.gopts.title &&
	    (bench__no_load_reason(&b) ?
	     asprintf(&b.gopts.title, "flame bench %s: no load, %ds", b.label, b.duration) :
	     asprintf(&b.gopts.title, "flame bench %s: %d qps, %d conn, %ds",
		      b.label, b.qps, b.conn, b.duration)) < 0)
		b.gopts.title = NULL;
	for (i = 0; i < b.nr_sc; i++) {
		struct bench_sidecar *sc = &b.sc[i];

		fprintf(stderr, "flame: bench: sidecar %s%spid %d (%d in its PID namespace)\n",
			sc->role ? sc->role : "", sc->role ? ": " : "", (int)sc->pid,
			(int)sc->nspid);
	}

	if (b.envoy_profiler) {
		if (bench__envoy_toggle(&b, true))
			goto out_cleanup;
		envoy_on = true;
	}
	t0 = now_s();
	cpu_mark(&b, true, 0);
	bench__cpu_start(&b);
	err = start_profiles(&b);
	if (!err)
		err = bench__load_start(&b);
	if (err) {
		cli_error("bench: starting commands: %s", strerror(-err));
		goto out_cleanup;
	}
	wait_run(&b, t0, &envoy_on);
	bench__cpu_stop(&b);
	if (bench_stop) {
		cli_error("bench: interrupted: stopping everything");
		rc = 130;
		goto out_cleanup;
	}
	/* the topology goes down before the (slow) rendering */
	bench__stop_all(&b);
	bench__topo_down(&b);
	bench__load_parse(&b);
	for (i = 0; i < b.nr_prof && !bench_stop; i++) {
		struct bench_profile *pr = &b.prof[i];
		struct bench_sidecar *sc = &b.sc[pr->sc];

		if (b.progress)
			fprintf(stderr, "flame: bench: rendering %s%s%s\n",
				sc->role ? sc->role : "", sc->role ? " " : "", pr->name);
		if (!pr->cmd)
			pr->raw = bench__envoy_collect(&b);
		bench__render(&b, pr);
		if (pr->error)
			cli_warn("bench: profile %s%s%s: %s%s%s%s", sc->role ? sc->role : "",
				 sc->role ? " " : "", pr->name, pr->empty ? "empty: " : "",
				 pr->error, pr->log ? "; log: " : "", pr->log ? pr->log : "");
	}
	if (bench_stop) {
		cli_error("bench: interrupted while rendering");
		rc = 130;
		goto out_cleanup;
	}
	rc = bench__write_summary(&b);
	if (b.require_load && !rc && (!b.load.ran || (b.load.have && !b.load.requests) ||
				      (!b.load.have && b.load.status))) {
		rc = cli_error("bench: --require-load: %s",
			       !b.load.ran ? "no load ran" :
			       b.load.have ? "the load made no request" :
			       "the load command failed and its report was not recognised");
	}
out_cleanup:
	bench__cpu_stop(&b);
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
