// SPDX-License-Identifier: GPL-2.0
/*
 * flame record   - perf record + snapshots of perf maps into <perf.data>.maps/
 * flame snapshot - the snapshots alone, for workflows that run perf themselves
 * flame report   - perf script --dlfilter flame.so, with perf sandboxed
 *
 * See docs/containers.md.
 */
#include <errno.h>
#include <stddef.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <dirent.h>
#include <flame/cgcpu.h>
#include <flame/containers.h>
#include <flame/jit.h>
#include "cmd.h"
#include "report_unwind.h"

static volatile sig_atomic_t stop_requested;

static void on_stop(int sig)
{
	stop_requested = 1;
}

static int parse_interval(const char *s, double *out)
{
	char *e;
	double v = strtod(s, &e);

	if (!*s || *e || !(v >= 0.01 && v <= 3600))
		return -EINVAL;
	*out = v;
	return 0;
}

/* flame record's and flame snapshot's own options (the rest go to perf record) */
struct rec_args {
	double interval;
	double duration;
	char *maps;		/* record: snapshot directory */
	char *output;		/* snapshot: -o DIR */
	char *jvm_perfmap;	/* record: "" = every 2 s */
	struct fg_strlist pid;	/* snapshot */
	bool no_cgroups, no_keep_binaries, off_cpu, help;
};

static int set_interval(void *base, const char *v, const char **err)
{
	if (parse_interval(v, &((struct rec_args *)base)->interval)) {
		*err = "expects seconds between 0.01 and 3600";
		return -EINVAL;
	}
	return 0;
}

static int set_duration(void *base, const char *v, const char **err)
{
	char *e;
	double d = strtod(v, &e);

	if (!*v || *e || !(d > 0)) {
		*err = "expects seconds";
		return -EINVAL;
	}
	((struct rec_args *)base)->duration = d;
	return 0;
}

static int set_jvm_perfmap(void *base, const char *v, const char **err)
{
	struct rec_args *r = base;
	double secs;
	char *s;

	if (*v && parse_interval(v, &secs)) {
		*err = "expects seconds between 0.01 and 3600";
		return -EINVAL;
	}
	s = strdup(v);
	if (!s)
		return -ENOMEM;
	free(r->jvm_perfmap);
	r->jvm_perfmap = s;
	return 0;
}

#define R(f) offsetof(struct rec_args, f)

static const struct fg_opt_desc record_opts[] = {
	{ "interval", FG_OPT_DOUBLE, 0, "0.5", "seconds between polls", FG_GRP_RECORD,
	  set_interval, "S" },
	{ "maps", FG_OPT_STR, R(maps), "<perf.data>.maps", "snapshot directory", FG_GRP_RECORD,
	  .arg = "DIR" },
	{ "no-cgroups", FG_OPT_BOOL, R(no_cgroups), NULL, "do not add --all-cgroups", FG_GRP_RECORD },
	{ "no-keep-binaries", FG_OPT_BOOL, R(no_keep_binaries), NULL,
	  "do not copy container binaries to perf's build-id cache (by default each container process's mapped executables are copied once per build id while it lives, and perf records with --buildid-mmap; -B/--no-buildid also turns this off)",
	  FG_GRP_RECORD },
	{ "jvm-perfmap", FG_OPT_OPTSTR, 0, NULL,
	  "ask every HotSpot JVM for its perf map every S seconds (default 2), as jcmd PID Compiler.perfmap does, from inside its mount namespace as its user",
	  FG_GRP_RECORD, set_jvm_perfmap, "S" },
	{ "off-cpu", FG_OPT_BOOL, R(off_cpu), NULL,
	  "also record the sched events flame.so's mode=offcpu, wakeup, offwake, wall and runq need (with -a and -g unless given; -e cpu-clock unless an event is given; a -F or -c goes to that cpu-clock only: the sched events are never sampled); docs/offcpu.md",
	  FG_GRP_RECORD },
	{ "help", FG_OPT_BOOL, R(help), NULL, "this text", 0, .short_name = 'h' },
	{ NULL },
};

static const struct fg_opt_desc snapshot_opts[] = {
	{ "output", FG_OPT_STR, R(output), NULL, "snapshot directory (required)", FG_GRP_RECORD,
	  .arg = "DIR", .short_name = 'o' },
	{ "pid", FG_OPT_STRLIST, R(pid), NULL, "only these processes", FG_GRP_RECORD,
	  .arg = "PID[,PID...]" },
	{ "interval", FG_OPT_DOUBLE, 0, "0.5", "seconds between polls", FG_GRP_RECORD,
	  set_interval, "S" },
	{ "duration", FG_OPT_DOUBLE, 0, NULL, "stop after S seconds", FG_GRP_RECORD,
	  set_duration, "S" },
	{ "help", FG_OPT_BOOL, R(help), NULL, "this text", 0, .short_name = 'h' },
	{ NULL },
};

/* Remove what an earlier run left in a snapshot directory (our names only). */
static void clear_snapshot_dir(const char *dir)
{
	struct dirent *de;
	DIR *d = opendir(dir);
	size_t n;

	if (!d)
		return;
	while ((de = readdir(d))) {
		n = strlen(de->d_name);
		if (!strcmp(de->d_name, "index") || !strcmp(de->d_name, "index.tmp") ||
		    (n > 4 && !strcmp(de->d_name + n - 4, ".map") &&
		     strspn(de->d_name, "0123456789-") == n - 4))
			unlinkat(dirfd(d), de->d_name, 0);
	}
	closedir(d);
}

/*
 * Poll s every interval while child runs (child <= 0: until a signal or
 * duration). Returns the child's exit status (or 0).
 */
static int poll_loop(struct fg_snapshot *s, struct fg_cpulog *cl, pid_t child,
		     double interval, double duration)
{
	uint64_t end = duration > 0 ? fg_proc__now_ns() + (uint64_t)(duration * 1e9) : 0;
	int status = 0, rc = 0;
	pid_t w;

	const char *mnt;

	for (;;) {
		fg_snapshot__poll(s);
		/* CPU controller files (docs/cpu-quota.md), same cgroup walk */
		fg_cpulog__poll_with(cl, fg_snapshot__cgmap(s, &mnt), mnt);
		if (child > 0) {
			w = waitpid(child, &status, WNOHANG);
			if (w == child)
				break;
		} else if (stop_requested || (end && fg_proc__now_ns() >= end)) {
			break;
		}
		fg_snapshot__wait(s, interval);
	}
	fg_snapshot__poll(s);	/* once more at the end */
	fg_snapshot__end(s);
	fg_cpulog__poll_with(cl, fg_snapshot__cgmap(s, &mnt), mnt);
	if (child > 0)
		rc = WIFEXITED(status) ? WEXITSTATUS(status) :
		     128 + WTERMSIG(status);
	return rc;
}

/* The CPU time series beside the maps; without it the run goes on. */
static struct fg_cpulog *cpu_log(const char *dir)
{
	struct fg_cpulog *cl = fg_cpulog__new(dir, NULL);

	if (!cl)
		cli_warn("%s/" FG_CPULOG_FILE ": %s; no CPU quota figures", dir,
			 strerror(errno));
	return cl;
}

/*
 * This process's CPU time so far (user + system; not its children: perf,
 * jcmd helpers): polls, process events, the CPU series, start-up.
 */
static uint64_t self_cpu_ns(void)
{
	struct rusage ru;

	if (getrusage(RUSAGE_SELF, &ru))
		return 0;
	return (uint64_t)(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) * 1000000000ull +
	       (uint64_t)(ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) * 1000ull;
}

static void print_stats(const char *what, const char *dir,
			const struct fg_snapshot *s, uint64_t wall)
{
	const struct fg_snapshot_stats *st = fg_snapshot__stats(s);
	uint64_t cpu = self_cpu_ns();

	fprintf(stderr, "flame: %s: %" PRIu64 " maps (%" PRIu64
		" bytes) of %" PRIu64 " processes in %s; %" PRIu64
		" polls, own CPU %.1f ms (%.2f%% of %.1f s); %" PRIu64
		" read after exit, %" PRIu64 " pins at most%s%s\n",
		what, st->maps, st->bytes, st->procs_seen, dir, st->polls,
		(double)cpu / 1e6,
		wall ? 100.0 * (double)cpu / (double)wall : 0.0,
		(double)wall / 1e9, st->exit_reads, st->pins_peak,
		st->pins_full ? " (cap reached: some maps written at exit may be missed)" : "",
		st->refused ? "; some maps refused (see warnings)" : "");
	if (st->events_on)
		fprintf(stderr, "flame: %s: %" PRIu64 " process exec/exit events%s\n",
			what, st->events, st->events_lost ?
			" (the kernel dropped some: polls covered them)" : "");
	else
		fprintf(stderr, "flame: %s: no process events (needs root): processes shorter than --interval may be missed\n",
			what);
	if (st->bins.scans)
		fprintf(stderr, "flame: %s: container binaries: %" PRIu64
			" copied (%" PRIu64 " bytes) to perf's build-id cache, %"
			PRIu64 " already there%s\n", what, st->bins.files,
			st->bins.bytes, st->bins.present, st->bins.capped ?
			"; cap reached, some not copied" : "");
	if (st->jvm_asked)
		fprintf(stderr, "flame: %s: JVMs asked for their map %" PRIu64
			" times, %" PRIu64 " answered\n", what, st->jvm_asked,
			st->jvm_answered);
}

static pid_t spawn(char **argv)
{
	pid_t pid = fork();

	if (pid == 0) {
		signal(SIGINT, SIG_DFL);
		signal(SIGTERM, SIG_DFL);
		execvp(argv[0], argv);
		fprintf(stderr, "flame: cannot run %s: %s\n", argv[0],
			strerror(errno));
		_exit(127);
	}
	return pid;
}

/* ---- flame record ------------------------------------------------------- */

/*
 * --off-cpu: the sched events of docs/offcpu.md. Off-CPU time is exact only
 * when every context switch is recorded (the idle task switches sleepers
 * in, timers wake them from other contexts): system-wide unless the user
 * chose CPUs, callchains unless chosen.
 */
#define OFFCPU_ARGS 16

static bool offcpu_wanted(int argc, char **argv)
{
	int i;

	for (i = 1; i < argc && strcmp(argv[i], "--"); i++)
		if (!strcmp(argv[i], "--off-cpu"))
			return true;
	return false;
}

static bool has_opt(int argc, char **argv, const char *const *names)
{
	int i;
	size_t k;

	for (i = 1; i < argc && strcmp(argv[i], "--"); i++)
		for (k = 0; names[k]; k++)
			if (!strncmp(argv[i], names[k], strlen(names[k])))
				return true;
	return false;
}

/*
 * perf record's -F/-c apply to every event, tracepoints too: the sched
 * events would be sampled (a few of every thousand switches kept) and
 * off-CPU times wrong. With --off-cpu they go onto the sampling event as
 * its own terms (cpu-clock/freq=N,name=cpu-clock/); the sched events keep
 * their period of 1. Returns 1 when argv[*i] was such an option (*val set
 * to "freq=N" or "period=N", allocated), 0 if not, -1 on a missing value.
 */
static int rate_opt(int argc, char **argv, int *i, char **val)
{
	const char *a = argv[*i], *v = NULL, *key;

	if (!strcmp(a, "-F") || !strcmp(a, "--freq") || !strcmp(a, "-c") ||
	    !strcmp(a, "--count")) {
		if (*i + 1 >= argc)
			return -1;
		v = argv[++*i];
	} else if ((!strncmp(a, "-F", 2) || !strncmp(a, "-c", 2)) && a[2] &&
		   a[1] != '-') {
		v = a + 2;
	} else if (!strncmp(a, "--freq=", 7) || !strncmp(a, "--count=", 8)) {
		v = strchr(a, '=') + 1;
	} else {
		return 0;
	}
	key = a[1] == 'F' || !strncmp(a, "--freq", 6) ? "freq" : "period";
	free(*val);
	if (asprintf(val, "%s=%s", key, v) < 0)
		*val = NULL;
	return 1;
}

static int offcpu_args(int argc, char **argv, char **pargv, int n,
		       char *sample_ev)
{
	static const char *const events[] = { "-e", "--event", NULL };
	static const char *const wide[] = { "-a", "--all-cpus", "-C", "--cpu", NULL };
	static const char *const task[] = { "-p", "--pid", "-t", "--tid", "-u", "--uid", NULL };
	static const char *const cg[] = { "-g", "--call-graph", NULL };

	if (!has_opt(argc, argv, events)) {
		pargv[n++] = "-e";
		pargv[n++] = sample_ev ? sample_ev : "cpu-clock";
	}
	pargv[n++] = "-e";
	pargv[n++] = "sched:sched_switch";
	pargv[n++] = "-e";
	pargv[n++] = "sched:sched_waking";
	pargv[n++] = "-e";
	pargv[n++] = "sched:sched_wakeup_new";
	pargv[n++] = "-e";
	pargv[n++] = "sched:sched_process_exit";
	if (!has_opt(argc, argv, cg))
		pargv[n++] = "-g";
	if (!has_opt(argc, argv, wide)) {
		if (has_opt(argc, argv, task))
			fprintf(stderr, "flame: record: --off-cpu with -p/-t/-u but without -a: off-CPU times will not be exact (flame.so refuses such a file unless per-task=1)\n");
		else
			pargv[n++] = "-a";
	}
	fprintf(stderr, "flame: record: --off-cpu records every context switch and wakeup system-wide: the overhead grows with the switch rate (docs/offcpu.md)\n");
	return n;
}

static void record_usage(FILE *fp)
{
	fprintf(fp,
"usage: flame record [--interval S] [--maps DIR] [--jvm-perfmap[=S]] [perf record options] [-- command]\n"
"\n"
"Runs perf record (adding --all-cgroups, so flame.so's group=container works)\n"
"and, while it runs and once at its end, copies the perf maps\n"
"(/tmp/perf-<PID>.map) of every process that has one, in containers and on\n"
"the host, into <perf.data>.maps/ with an index (host PID, PID in its\n"
"namespace, start time, namespaces, cgroup, container id). Maps are read\n"
"safely inside each container's root (no symlinks, regular files only,\n"
"size-capped, non-blocking) and copied incrementally, validated line by line.\n"
"Each poll also samples the CPU controller files of every container cgroup\n"
"and the host's idle share into <maps dir>/cpu.tsv (docs/cpu-quota.md).\n"
"\n");
	fg_opt__help(record_opts, "--", fp);
	fprintf(fp,
"All other options go to perf record; -o/--output names perf.data. For\n"
"binaries without frame pointers: --call-graph dwarf[,SIZE] (SIZE bytes of\n"
"user stack per sample, default 8192; flame report unwinds them; docs/dwarf.md).\n"
"Then: perf script --dlfilter flame.so --dlarg out=x.svg, or flame report.\n");
}

int cmd_record(int argc, char **argv)
{
	struct fg_snapshot_opts so = { 0 };
	struct rec_args ra = { .interval = 0.5 };
	const struct fg_optset set = { record_opts, &ra, FG_GRP_ALL };
	const char *output = "perf.data", *maps = NULL;
	bool cgroups = true, have_cgroups = false, after_dd = false;
	bool off_cpu = false, keep_bins = true, have_bidmmap = false;
	struct fg_snapshot *s = NULL;
	struct fg_cpulog *cl = NULL;
	char **pargv, *mapsbuf = NULL;
	char *rate = NULL, *sample_ev = NULL;
	int i, n = 0, rc = 1, r;
	uint64_t t0;
	pid_t child;

	pargv = calloc((size_t)argc + 5 + OFFCPU_ARGS, sizeof(*pargv));
	if (!pargv)
		return cli_error("record: out of memory");
	pargv[n++] = "perf";
	pargv[n++] = "record";
	off_cpu = offcpu_wanted(argc, argv);
	for (i = 1; i < argc; i++) {
		const char *a = argv[i];

		if (after_dd) {
			pargv[n++] = argv[i];
			continue;
		}
		if (!strcmp(a, "--")) {
			after_dd = true;
			if (off_cpu)	/* after the user's events: theirs come first */
				n = offcpu_args(argc, argv, pargv, n, sample_ev);
			if (cgroups && !have_cgroups)
				pargv[n++] = "--all-cgroups";
			have_cgroups = true;
			if (keep_bins && !have_bidmmap)
				pargv[n++] = "--buildid-mmap";
			have_bidmmap = true;
			pargv[n++] = argv[i];
		} else if ((r = cli_opt(argc, argv, &i, &set, 1))) {
			if (r < 0)
				goto out;
			if (ra.help) {
				record_usage(stdout);
				rc = 0;
				goto out;
			}
			/* --off-cpu: offcpu_args() adds its events */
			cgroups = !ra.no_cgroups;
			if (ra.no_keep_binaries)
				keep_bins = false;
		} else if (off_cpu && (r = rate_opt(argc, argv, &i, &rate))) {
			static const char *const events[] = { "-e", "--event", NULL };

			if (r < 0 || !rate) {
				rc = cli_error("record: %s needs a value", a);
				goto out;
			}
			if (has_opt(argc, argv, events)) {
				rc = cli_error("record: --off-cpu with %s: perf would apply it to the sched events too and keep only some of them; give it on your event instead, e.g. -e cpu-clock/%s/",
					       a, rate);
				goto out;
			}
			free(sample_ev);
			if (asprintf(&sample_ev, "cpu-clock/%s,name=cpu-clock/", rate) < 0) {
				sample_ev = NULL;
				rc = cli_error("record: out of memory");
				goto out;
			}
		} else {
			if (!strcmp(a, "--all-cgroups"))
				have_cgroups = true;
			/* perf's build ids off: nothing would find the copies */
			if (!strcmp(a, "--buildid-mmap") || !strcmp(a, "-B") ||
			    !strcmp(a, "--no-buildid"))
				have_bidmmap = true;
			if (!strcmp(a, "-B") || !strcmp(a, "--no-buildid"))
				keep_bins = false;
			if ((!strcmp(a, "-o") || !strcmp(a, "--output")) &&
			    i + 1 < argc) {
				output = argv[i + 1];
				pargv[n++] = argv[i++];
			} else if (!strncmp(a, "--output=", 9)) {
				output = a + 9;
			} else if (!strncmp(a, "-o", 2) && a[2]) {
				output = a + 2;
			}
			pargv[n++] = argv[i];
		}
	}
	if (off_cpu && !after_dd)
		n = offcpu_args(argc, argv, pargv, n, sample_ev);
	if (ra.jvm_perfmap) {
		double secs = 2;

		parse_interval(*ra.jvm_perfmap ? ra.jvm_perfmap : "2", &secs);
		so.jvm_perfmap_ns = (uint64_t)(secs * 1e9);
	}
	maps = ra.maps;
	if (cgroups && !have_cgroups)
		pargv[n++] = "--all-cgroups";
	if (keep_bins && !have_bidmmap)
		pargv[n++] = "--buildid-mmap";
	so.keep_bins = keep_bins;
	pargv[n] = NULL;
	if (!maps) {
		if (asprintf(&mapsbuf, "%s.maps", output) < 0) {
			rc = cli_error("record: out of memory");
			goto out;
		}
		maps = mapsbuf;
	}
	clear_snapshot_dir(maps);
	s = fg_snapshot__new(maps, &so);
	if (!s) {
		rc = cli_error("record: cannot create %s: %s", maps,
			       strerror(errno));
		goto out;
	}
	cl = cpu_log(maps);
	/* perf gets ^C (same process group) and stops; we keep going until
	 * it has exited, then take the last snapshot */
	signal(SIGINT, SIG_IGN);
	signal(SIGTERM, on_stop);
	t0 = fg_proc__now_ns();
	child = spawn(pargv);
	if (child < 0) {
		rc = cli_error("record: fork: %s", strerror(errno));
		goto out;
	}
	rc = poll_loop(s, cl, child, ra.interval, 0);
	print_stats("record", maps, s, fg_proc__now_ns() - t0);
out:
	fg_cpulog__delete(cl);
	fg_snapshot__delete(s);
	fg_opt__release(record_opts, &ra);
	free(ra.jvm_perfmap);
	free(mapsbuf);
	free(rate);
	free(sample_ev);
	free(pargv);
	return rc;
}

/* ---- flame snapshot ------------------------------------------------------- */

static void snapshot_usage(FILE *fp)
{
	fprintf(fp,
"usage: flame snapshot -o DIR [--pid PID...] [--interval S] [--duration S] [-- command]\n"
"\n"
"Copies perf maps of running processes (all, or --pid ones) into DIR, every\n"
"interval, until command exits (with -- command), --duration passes, or\n"
"SIGINT/SIGTERM. Use with a perf record you run yourself, then\n"
"perf script --dlfilter flame.so --dlarg maps=DIR. Each poll also samples the\n"
"container cgroups' CPU files into DIR/cpu.tsv (docs/cpu-quota.md).\n"
"\n");
	fg_opt__help(snapshot_opts, "--", fp);
}

int cmd_snapshot(int argc, char **argv)
{
	struct fg_snapshot_opts so = { 0 };
	struct rec_args ra = { .interval = 0.5 };
	const struct fg_optset set = { snapshot_opts, &ra, FG_GRP_ALL };
	struct fg_cpulog *cl;
	const char *dir;
	double interval, duration;
	int *pids = NULL, i, r, rc = 1;
	size_t nr = 0, k;
	struct fg_snapshot *s;
	pid_t child = 0;
	uint64_t t0;

	pids = calloc((size_t)argc + 1, 64 * sizeof(int));
	if (!pids)
		return cli_error("snapshot: out of memory");
	for (i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--"))
			break;
		r = cli_opt(argc, argv, &i, &set, 1);
		if (r < 0)
			goto out_bad;
		if (!r) {
			cli_error("snapshot: unknown option: %s", argv[i]);
			goto out_bad;
		}
		if (ra.help) {
			snapshot_usage(stdout);
			rc = 0;
			goto out_bad;
		}
	}
	for (k = 0; k < ra.pid.n; k++) {
		char *p = ra.pid.v[k], *e;

		for (;;) {
			long v = strtol(p, &e, 10);

			if (e == p || v <= 0 || v > INT_MAX ||
			    (*e && *e != ',') || nr >= (size_t)argc * 64) {
				cli_error("snapshot: --pid %s: expects PID[,PID...]", ra.pid.v[k]);
				goto out_bad;
			}
			pids[nr++] = (int)v;
			if (!*e)
				break;
			p = e + 1;
		}
	}
	dir = ra.output;
	interval = ra.interval;
	duration = ra.duration;
	rc = 0;
	if (!dir) {
		rc = cli_error("snapshot: -o DIR is required (see --help)");
		goto out_bad;
	}
	so.pids = nr ? pids : NULL;
	so.nr_pids = nr;
	clear_snapshot_dir(dir);
	s = fg_snapshot__new(dir, &so);
	if (!s) {
		rc = cli_error("snapshot: cannot create %s: %s", dir, strerror(errno));
		goto out_bad;
	}
	signal(SIGINT, on_stop);
	signal(SIGTERM, on_stop);
	t0 = fg_proc__now_ns();
	if (i < argc && !strcmp(argv[i], "--")) {
		if (i + 1 >= argc) {
			fg_snapshot__delete(s);
			rc = cli_error("snapshot: nothing to run after --");
			goto out_bad;
		}
		child = spawn(argv + i + 1);
		if (child < 0) {
			fg_snapshot__delete(s);
			rc = cli_error("snapshot: fork: %s", strerror(errno));
			goto out_bad;
		}
	}
	cl = cpu_log(dir);
	rc = poll_loop(s, cl, child, interval, duration);
	print_stats("snapshot", dir, s, fg_proc__now_ns() - t0);
	fg_cpulog__delete(cl);
	fg_snapshot__delete(s);
out_bad:
	fg_opt__release(snapshot_opts, &ra);
	free(pids);
	return rc;
}

/* ---- flame report: perf script in a sandbox --------------------------------- */

static void report_usage(FILE *fp)
{
	fprintf(fp,
"usage: flame report [-i perf.data] [-o OUT ...] [--maps DIR] [--KEY[=VALUE] ...]\n"
"\n"
"Runs perf script --dlfilter flame.so over perf.data in private mount and PID\n"
"namespaces: /proc shows no live process and /tmp is an empty tmpfs that\n"
"holds only sanitized copies of the snapshot maps, so neither perf nor the\n"
"plugin can be hung, bloated or misled by container files or host decoys.\n"
"Outputs and options are the plugin's: every --KEY VALUE (or --KEY=VALUE)\n"
"becomes --dlarg KEY=VALUE (see perf script --dlfilter flame.so --dlarg help).\n"
"Without a snapshot directory (a plain perf record), it first copies the maps\n"
"of the processes still alive and, after perf inject --buildid-all, their\n"
"container-only binaries into perf's build-id cache (docs/containers.md).\n"
"\n"
"  -i, --input FILE   perf.data (default perf.data)\n"
"  -o, --out FILE     output, format by extension (repeatable; default flame.svg)\n"
"  --maps DIR         snapshot directory (default <input>.maps when present)\n"
"  --perf PATH        perf binary (default perf from PATH)\n"
"  --so PATH          the plugin (default $FLAME_SO, else flame.so next to flame\n"
"                     or in ../lib/perf-flame/ beside it)\n"
"  -h, --help         this text\n");
}

/* The CPU series, re-emitted from its parsed records. */
static void copy_cpu_series(const char *src, const char *dst)
{
	struct fg_cpuseries *cs = fg_cpuseries__load(src);
	struct fg_buf b = FG_BUF_INIT;
	char path[PATH_MAX];
	int fd;

	if (!cs) {
		if (errno != ENOENT)
			cli_warn("report: %s/" FG_CPULOG_FILE ": %s; no CPU summary",
				 src, strerror(errno));
		return;
	}
	if (cs->bad_lines)
		cli_warn("report: %s/" FG_CPULOG_FILE ": %" PRIu64 " malformed lines ignored",
			 src, cs->bad_lines);
	snprintf(path, sizeof(path), "%s/" FG_CPULOG_FILE, dst);
	fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	if (fd < 0 || fg_cpuseries__write(cs, &b) || fg_write_all(fd, b.buf, b.len))
		cli_warn("report: copying the CPU series failed; no CPU summary");
	if (fd >= 0)
		close(fd);
	fg_buf__release(&b);
	fg_cpuseries__delete(cs);
}

/*
 * Inside the sandbox: copy the snapshot through the strict parsers into
 * dst (on the private tmpfs): index re-emitted from parsed records, maps
 * re-emitted entry by entry in canonical form.
 */
static int sanitize_maps(const char *src, const char *dst)
{
	struct fg_safefile_opts so = { .nr_uids = 1 };
	struct fg_snapidx *x = fg_snapidx__load(src);
	struct fg_buf idx = FG_BUF_INIT;
	size_t i;
	int fd, err = 0;

	if (!x)
		return -errno;
	so.uids[0] = geteuid();
	if (mkdir(dst, 0700))
		return -errno;
	fg_buf__adds(&idx, "# flame-maps 1\n");
	for (i = 0; i < x->nr; i++) {
		const struct fg_snap_entry *e = &x->e[i];
		struct fg_buf in = FG_BUF_INIT, out = FG_BUF_INIT;
		const char *why;
		uint64_t size;
		char path[PATH_MAX];
		bool ok = false;

		if (e->map[0] &&
		    !fg_safefile__read(x->dir_fd, e->map, &so, 0, &in, &size, &why)) {
			fg_perfmap__canonical(in.buf, in.len, &out);
			snprintf(path, sizeof(path), "%s/%s", dst, e->map);
			fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
			if (fd >= 0) {
				ok = !fg_write_all(fd, out.buf ? out.buf : "", out.len);
				close(fd);
			}
		} else if (e->map[0]) {
			fprintf(stderr, "flame: report: snapshot %s: %s; ignored\n",
				e->map, why ? why : "cannot be read");
		}
		fg_buf__addf(&idx, "P\t%d\t%d\t%" PRIu64 "\t%" PRIu64 "\t%" PRIu64
			     "\t%" PRIu64 "\t%u\t%" PRIu64 "\t%" PRIu64 "\t%d\t%s\t%s\t%s\t%s\n",
			     e->pid, e->nspid, e->start_ticks, e->start_ns, e->pidns,
			     e->mntns, (unsigned int)e->uid, e->first_ns, e->last_ns,
			     e->host_mntns ? 1 : 0, ok ? e->map : "-", e->label,
			     e->cgroup, e->comm);
		fg_buf__release(&in);
		fg_buf__release(&out);
	}
	for (i = 0; i < x->nr_cg; i++)
		fg_buf__addf(&idx, "C\t%" PRIu64 "\t%s\t%s\n", x->cg[i].ino,
			     x->cg[i].label, x->cg[i].cgroup);
	copy_cpu_series(src, dst);
	fd = -1;
	if (idx.buf) {
		char path[PATH_MAX];

		snprintf(path, sizeof(path), "%s/index", dst);
		fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	}
	if (fd < 0 || fg_write_all(fd, idx.buf, idx.len))
		err = -EIO;
	if (fd >= 0)
		close(fd);
	fg_buf__release(&idx);
	fg_snapidx__delete(x);
	return err;
}

/* pid 1 of the sandbox: set it up, run perf, return its status. */
static int sandbox_init(char **pargv, const char *maps_src)
{
	int status;
	pid_t pid;

	if (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL))
		return cli_error("report: sandbox: mount private: %s", strerror(errno));
	if (mount("flame-tmp", "/tmp", "tmpfs", MS_NOSUID | MS_NODEV,
		  "mode=1777,size=1g"))
		return cli_error("report: sandbox: tmpfs on /tmp: %s", strerror(errno));
	if (mount("proc", "/proc", "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL))
		return cli_error("report: sandbox: /proc: %s", strerror(errno));
	if (maps_src) {
		int err = sanitize_maps(maps_src, "/tmp/flame-maps");

		if (err)
			cli_warn("report: snapshot %s unusable: %s; JIT frames of exited processes stay unnamed",
				 maps_src, strerror(-err));
	}
	pid = spawn(pargv);
	if (pid < 0)
		return cli_error("report: fork: %s", strerror(errno));
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

/* "/proc/self/fd/N/<base>" for an output path, N an O_PATH fd of its dir. */
static char *fd_path(const char *path, int *fd_out)
{
	char *copy = strdup(path), *slash, *res = NULL;
	const char *dir, *base;
	int fd;

	if (!copy)
		return NULL;
	slash = strrchr(copy, '/');
	if (slash) {
		*slash = '\0';
		dir = copy[0] ? copy : "/";
		base = slash + 1;
	} else {
		dir = ".";
		base = copy;
	}
	fd = open(dir, O_PATH | O_DIRECTORY);
	if (fd >= 0 && asprintf(&res, "/proc/self/fd/%d/%s", fd, base) < 0)
		res = NULL;
	*fd_out = fd;
	free(copy);
	return res;
}

/*
 * perf's build-id table lists only the files of sampled instructions; a
 * container binary seen only in callchains (the caller of JIT code: main,
 * the interpreter) has none, so perf looks it up by path, which the
 * sandbox hides. perf inject --buildid-all, run here while the processes
 * live (perf reads each file inside its mount namespace), records the
 * build id of every mapped file, and snapshot_live() copies those files
 * into perf's build-id cache (perf inject's own copies, unbounded, go
 * nowhere: its HOME is /dev/null). Only for recordings without tracepoints
 * (perf inject writes its own command line into the header, which the
 * off-CPU modes read) of at most 128 MiB, with a 60 s bound. Returns an fd
 * on the (already unlinked) result, or -1: go on with the original.
 */
#define INJECT_MAX_BYTES	(128ull << 20)
#define INJECT_TIMEOUT_MS	60000

static int inject_build_ids(const char *perf, const char *inpath, int infd)
{
	char tmp[] = "/var/tmp/flame-inject.XXXXXX";
	char *av[] = { (char *)perf, "inject", "--buildid-all", "-i",
		       (char *)inpath, "-o", tmp, NULL };
	uint64_t hdr[10];
	struct stat st;
	int fd, status = -1, ms;
	pid_t pid, w = 0;

	if (fstat(infd, &st) || (uint64_t)st.st_size > INJECT_MAX_BYTES ||
	    pread(infd, hdr, sizeof(hdr), 0) != (ssize_t)sizeof(hdr) ||
	    hdr[0] != 0x32454c4946524550ULL || (hdr[9] & 1ull << 1))
		return -1;	/* big, not a perf.data file, or tracepoints */
	fd = mkstemp(tmp);
	if (fd < 0)
		return -1;
	close(fd);
	pid = fork();
	if (pid == 0) {
		int null = open("/dev/null", O_WRONLY);

		if (null >= 0) {
			dup2(null, STDOUT_FILENO);
			dup2(null, STDERR_FILENO);
		}
		/* no build-id cache under /dev/null: perf copies files
		 * unbounded; snapshot_live() copies them, capped */
		setenv("HOME", "/dev/null", 1);
		execvp(av[0], av);
		_exit(127);
	}
	for (ms = 0; pid > 0 && ms < INJECT_TIMEOUT_MS; ms += 20) {
		w = waitpid(pid, &status, WNOHANG);
		if (w != 0)
			break;
		usleep(20000);
	}
	if (pid > 0 && w == 0) {	/* a file that blocks, a hung perf */
		kill(pid, SIGKILL);
		waitpid(pid, &status, 0);
		status = -1;
		fprintf(stderr, "flame: report: perf inject --buildid-all took over %d s; container binaries seen only in callchains stay unnamed\n",
			INJECT_TIMEOUT_MS / 1000);
	}
	fd = -1;
	if (pid > 0 && w == pid && WIFEXITED(status) && !WEXITSTATUS(status))
		fd = open(tmp, O_RDONLY);	/* perf opens it by /proc/self/fd */
	unlink(tmp);
	return fd;
}

/*
 * flame report of a plain perf record: the sandbox hides /proc and every
 * container's root, so take one snapshot of the live processes' maps (the
 * same safe copier as flame record) before entering it, and copy the
 * container binaries perf will look up by build id (those of infd's
 * build-id table that are not in perf's build-id cache yet, e.g. after
 * perf record -N) into that cache, as flame record does while it runs.
 * Returns the temporary directory (remove it after) or NULL.
 */
static char *snapshot_live(int infd)
{
	struct fg_snapshot_opts so = {
		.no_events = true, .keep_bins = true, .bins_for_fd = infd,
	};
	const struct fg_bincache_stats *bs;
	char *dir = strdup("/var/tmp/flame-report.XXXXXX");
	struct fg_snapshot *s;

	if (!dir || !mkdtemp(dir)) {
		free(dir);
		return NULL;
	}
	s = fg_snapshot__new(dir, &so);
	if (!s || fg_snapshot__poll(s)) {
		fg_snapshot__delete(s);
		clear_snapshot_dir(dir);
		rmdir(dir);
		free(dir);
		return NULL;
	}
	bs = &fg_snapshot__stats(s)->bins;
	if (bs->files || bs->capped || bs->failed)
		fprintf(stderr, "flame: report: container binaries: %" PRIu64
			" copied (%" PRIu64 " bytes) to perf's build-id cache, %"
			PRIu64 " over the caps, %" PRIu64 " failed\n", bs->files,
			bs->bytes, bs->capped, bs->failed);
	fg_snapshot__delete(s);
	return dir;
}

int cmd_report(int argc, char **argv)
{
	char *live_maps = NULL;
	const char *input = "perf.data", *maps = NULL, *perf = "perf";
	char **pargv, *so = NULL, *arg, *maps_def = NULL, *fdp;
	char inpath[64], sopath[64], mapspath[64], perfpath[64];
	int i, n = 0, rc = 1, infd = -1, sofd = -1, mapsfd = -1, fd, status;
	int perffd = -1;
	int ret = 0, pfd[2] = { -1, -1 };
	char *textv[] = { NULL, "script", "-i", NULL, NULL };
	bool any_out = false;
	struct stat st;
	pid_t pid;

	pargv = calloc(2 * (size_t)argc + 16, sizeof(*pargv));
	if (!pargv)
		return cli_error("report: out of memory");
	pargv[n++] = (char *)perf;
	pargv[n++] = "script";
	pargv[n++] = "-i";
	pargv[n++] = inpath;
	pargv[n++] = "--dlfilter";
	pargv[n++] = sopath;
	for (i = 1; i < argc; i++) {
		const char *a = argv[i], *eq;

		if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
			report_usage(stdout);
			rc = 0;
			goto out;
		}
		if ((!strcmp(a, "-i") || !strcmp(a, "--input") || !strcmp(a, "-o") ||
		     !strcmp(a, "--out") || !strcmp(a, "--maps") ||
		     !strcmp(a, "--perf") || !strcmp(a, "--so")) && i + 1 >= argc) {
			rc = cli_error("report: %s needs a value", a);
			goto out;
		}
		if (!strcmp(a, "-i") || !strcmp(a, "--input")) {
			input = argv[++i];
		} else if (!strcmp(a, "--maps")) {
			maps = argv[++i];
		} else if (!strcmp(a, "--perf")) {
			perf = argv[++i];
			pargv[0] = (char *)perf;
		} else if (!strcmp(a, "--so")) {
			free(so);
			so = strdup(argv[++i]);
		} else if (!strcmp(a, "-o") || !strcmp(a, "--out")) {
			const char *o = argv[++i];

			any_out = true;
			if (!strcmp(o, "-")) {
				fdp = strdup("-");
			} else {
				fdp = fd_path(o, &fd);
				if (fd < 0) {
					rc = cli_error("report: output %s: %s", o,
						       strerror(errno));
					goto out;
				}
			}
			if (!fdp || asprintf(&arg, "out=%s", fdp) < 0) {
				free(fdp);
				rc = cli_error("report: out of memory");
				goto out;
			}
			free(fdp);
			pargv[n++] = "--dlarg";
			pargv[n++] = arg;
		} else if (!strncmp(a, "--", 2) && a[2]) {
			eq = strchr(a, '=');
			if (eq)
				arg = strdup(a + 2);
			/* a value never starts with '-': "--kernel-only -o x" */
			else if (i + 1 < argc && argv[i + 1][0] != '-')
				arg = asprintf(&arg, "%s=%s", a + 2, argv[++i]) < 0 ? NULL : arg;
			else
				arg = asprintf(&arg, "%s=1", a + 2) < 0 ? NULL : arg;
			if (!arg) {
				rc = cli_error("report: out of memory");
				goto out;
			}
			pargv[n++] = "--dlarg";
			pargv[n++] = arg;
		} else {
			rc = cli_error("report: unknown argument: %s (see --help)", a);
			goto out;
		}
	}
	if (!any_out) {
		fdp = fd_path("flame.svg", &fd);
		if (!fdp || asprintf(&arg, "out=%s", fdp) < 0) {
			free(fdp);
			rc = cli_error("report: current directory: %s", strerror(errno));
			goto out;
		}
		free(fdp);
		pargv[n++] = "--dlarg";
		pargv[n++] = arg;
		fprintf(stderr, "flame: report: writing flame.svg\n");
	}
	if (!so)
		so = cli_find_flame_so();
	if (!so) {
		rc = cli_error("report: cannot find flame.so (set FLAME_SO)");
		goto out;
	}
	/* a perf given by path: the sandbox's /tmp hides it, run it by fd */
	if (strchr(perf, '/')) {
		perffd = open(perf, O_RDONLY);
		if (perffd < 0) {
			rc = cli_error("report: --perf %s: %s", perf, strerror(errno));
			goto out;
		}
		snprintf(perfpath, sizeof(perfpath), "/proc/self/fd/%d", perffd);
		perf = perfpath;
		pargv[0] = (char *)perf;
	}
	infd = open(input, O_RDONLY);
	if (infd < 0) {
		rc = cli_error("report: %s: %s", input, strerror(errno));
		goto out;
	}
	sofd = open(so, O_RDONLY);
	if (sofd < 0) {
		rc = cli_error("report: %s: %s", so, strerror(errno));
		goto out;
	}
	snprintf(inpath, sizeof(inpath), "/proc/self/fd/%d", infd);
	snprintf(sopath, sizeof(sopath), "/proc/self/fd/%d", sofd);
	if (!maps && asprintf(&maps_def, "%s.maps", input) >= 0 &&
	    !stat(maps_def, &st) && S_ISDIR(st.st_mode))
		maps = maps_def;
	if (!maps) {	/* no flame record: the maps of what still lives */
		fd = inject_build_ids(perf, inpath, infd);
		if (fd >= 0) {	/* the same samples, every build id */
			close(infd);
			infd = fd;
			snprintf(inpath, sizeof(inpath), "/proc/self/fd/%d", infd);
		}
		maps = live_maps = snapshot_live(infd);
	}
	if (maps) {
		mapsfd = open(maps, O_PATH | O_DIRECTORY);
		if (mapsfd < 0) {
			rc = cli_error("report: --maps %s: %s", maps, strerror(errno));
			goto out;
		}
		snprintf(mapspath, sizeof(mapspath), "/proc/self/fd/%d", mapsfd);
		pargv[n++] = "--dlarg";
		pargv[n++] = "maps=/tmp/flame-maps";
	}
	pargv[n] = NULL;
	/* DWARF user stacks: flame.so only if perf unwinds for it (docs/dwarf.md) */
	if (cli_perf_data_user_stacks(infd) > 0) {
		ret = cli_perf_unwinds(perf, inpath, sopath);
		if (ret < 0) {
			rc = cli_error("report: %s script --dlfilter %s failed to start: %s",
				       perf, so, strerror(-ret));
			goto out;
		}
		if (!ret) {
			fprintf(stderr, "flame: report: %s has DWARF user stacks (--call-graph dwarf) that %s cannot unwind for flame.so: using perf script's own unwinding\n",
				input, perf);
			if (pipe(pfd)) {
				rc = cli_error("report: pipe: %s", strerror(errno));
				goto out;
			}
			textv[0] = (char *)perf;
			textv[3] = inpath;
		}
	}

	if (pfd[1] >= 0) {
		/*
		 * perf script text into the pipe from a sandbox made by a
		 * child: this process keeps its /proc for the out= paths.
		 */
		pid = fork();
		if (pid < 0) {
			rc = cli_error("report: fork: %s", strerror(errno));
			goto out;
		}
		if (pid == 0) {
			close(pfd[0]);
			if (dup2(pfd[1], STDOUT_FILENO) < 0)
				_exit(1);
			if (unshare(CLONE_NEWNS | CLONE_NEWPID))
				_exit(cli_error("report: cannot create the sandbox (needs root or user namespaces): %s",
						strerror(errno)));
			pid = fork();
			if (pid == 0)
				_exit(sandbox_init(textv, maps ? mapspath : NULL));
			while (pid > 0 && waitpid(pid, &status, 0) < 0 && errno == EINTR)
				;
			_exit(pid < 0 ? 1 : WIFEXITED(status) ? WEXITSTATUS(status) : 1);
		}
		close(pfd[1]);
		pfd[1] = -1;
		signal(SIGINT, SIG_IGN);
		ret = cli_report_text(pfd[0], pargv + 6, n - 6);
		close(pfd[0]);
		pfd[0] = -1;
		while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
			;
		rc = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
		if (ret)	/* said why; perf died of the closed pipe */
			rc = ret;
		else if (rc)
			cli_error("report: perf script failed (exit status %d)", rc);
		goto out;
	}
	if (unshare(CLONE_NEWNS | CLONE_NEWPID)) {
		rc = cli_error("report: cannot create the sandbox (needs root or user namespaces): %s",
			       strerror(errno));
		goto out;
	}
	pid = fork();
	if (pid < 0) {
		rc = cli_error("report: fork: %s", strerror(errno));
		goto out;
	}
	if (pid == 0)
		_exit(sandbox_init(pargv, maps ? mapspath : NULL));
	signal(SIGINT, SIG_IGN);
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	rc = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
out:
	if (live_maps) {
		clear_snapshot_dir(live_maps);
		rmdir(live_maps);
		free(live_maps);
	}
	if (pfd[0] >= 0)
		close(pfd[0]);
	if (pfd[1] >= 0)
		close(pfd[1]);
	free(so);
	free(maps_def);
	if (infd >= 0)
		close(infd);
	if (sofd >= 0)
		close(sofd);
	if (mapsfd >= 0)
		close(mapsfd);
	if (perffd >= 0)
		close(perffd);
	return rc;
}
