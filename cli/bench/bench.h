/* SPDX-License-Identifier: GPL-2.0 */
/* flame bench: shared state of the benchmark driver (cli/bench_*.c). */
#ifndef FLAME_CLI_BENCH_H
#define FLAME_CLI_BENCH_H

#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include <flame/flame.h>

#define BENCH_MAX_PROFILES	16
#define BENCH_MAX_SIDECARS	4
#define BENCH_MAX_PROCS		(BENCH_MAX_PROFILES * BENCH_MAX_SIDECARS + 16)
#define BENCH_TOP		8

/* A command the driver started: its own process group, killed at the end. */
struct bench_proc {
	pid_t pid;		/* == its process group */
	const char *what;
	bool done;
	bool hard;		/* SIGKILL at once (PID 1 of a namespace ignores TERM) */
	pid_t kill_first;	/* a child to kill before the group, so its
				 * parent reaps it (no zombie handed to init) */
	int status;
};

struct bench_load_result {
	bool have;		/* figures parsed from a known tool's report */
	const char *tool;	/* "wrk", "hey", "ab"; NULL: not recognised */
	bool ran;		/* a load process was started */
	int status;		/* its exit status (128 + signal) */
	double rps;		/* achieved requests/s */
	uint64_t requests;
	double seconds;
	double lat_avg_ms, lat_max_ms;
	double p50_ms, p75_ms, p90_ms, p99_ms;
	uint64_t errors;	/* socket errors + non-2xx/3xx */
};

struct bench_top {
	char *name;
	uint64_t self;
};

/*
 * A sidecar to profile: how to find it (--sidecar, --sidecar-pid/-name,
 * --container, or the built-in topology), and what was found.
 */
struct bench_sidecar {
	pid_t sel_pid;
	char *sel_name;		/* POSIX ERE */
	char *sel_container;
	char *role;		/* "client", "server", ...; NULL: none */
	/* found */
	pid_t pid;		/* host PID */
	pid_t nspid;		/* its PID in its own PID namespace */
	char comm[64];
	/* frame pointers in its executable (bench_fp.c): with of total functions */
	int fp_with, fp_total, fp_err;
	/* CPU time over the run (utime + stime from /proc/PID/stat) */
	bool cpu_known;
	unsigned long long utime, stime;	/* ticks (at the start, then over the run) */
	double cpu_s;
};

struct bench_profile {
	char *name;		/* profiling name (file name part) */
	int sc;			/* index in bench.sc */
	char *key;		/* [role-]name: its files in the run directory */
	char *cmd;		/* template; NULL for the envoy profiler */
	char *cmd_own;		/* cmd when it is this profile's own copy */
	char *raw;		/* where the command's result lands */
	char *remote;		/* {output} inside the target (exec prefix) */
	char *out_stdout, *out_stderr;
	int proc;		/* index in bench.procs, -1 */
	/* results */
	const char *kind;	/* "perf.data", "folded", ... */
	char *paths[3];		/* svg, folded, html */
	uint64_t total;
	uint64_t stacks;
	const char *unit;	/* "samples", "bytes" */
	struct bench_top top[BENCH_TOP];
	int nr_top;
	char *error;		/* failed, or why it is empty */
	bool empty;		/* ran, 0 samples */
	char *log;		/* kept next to the outputs when it went wrong */
	char *note;		/* a remark (e.g. a fallback that was taken) */
};

struct bench {
	/* options */
	int duration, qps, conn, threads, grace, proxy_threads, freq;
	char *label, *outdir, *url, *load_cmd, *exec_prefix, *flame_so;
	const char *load_tool;	/* "wrk", "hey", "ab" (--load-tool) */
	char *proxy_config, *sidecar_name, *container, *admin;
	char *envoy_profiler, *envoy_path, *json;
	char *serve, *from_gperf;	/* --serve-backend, --from-gperf */
	pid_t sidecar_pid;	/* --sidecar-pid */
	int heap_value;		/* enum fg_gperf_heap_value */
	bool no_load, keep_raw, builtin, progress, convert;
	bool ask_builtin, require_load, allow_empty;
	bool implicit_profile;	/* perf-oncpu because none was asked for */
	int load_ns;		/* BENCH_NS_*: where the load runs */
	struct fg_opts gopts;
	char *cmds[BENCH_MAX_PROFILES];
	char *names[BENCH_MAX_PROFILES];
	int nr_cmds, nr_names;
	/* run state */
	char stamp[32];
	char rundir[64];
	char *self_exe;
	int netns_fd;		/* the (server) pod's network namespace, -1 */
	char pod_netns[64];	/* "net:[INODE]" of it, "" */
	int client_netns_fd;	/* the client pod's, -1 */
	char client_netns[64];
	char *topology;		/* --topology: "mesh" (client + server) or "server" */
	pid_t backend_pid;
	struct bench_sidecar sc[BENCH_MAX_SIDECARS];
	int nr_sc;
	struct bench_proc procs[BENCH_MAX_PROCS];
	int nr_procs;
	int load_proc;
	struct bench_profile prof[(BENCH_MAX_PROFILES + 1) * BENCH_MAX_SIDECARS];
	int nr_prof;
	struct bench_load_result load;
	char *load_out;
	/* bench_cpu.c: the sidecar cgroup's CPU series */
	struct fg_cpulog *cpulog;
	double cpu_next;
	/* per sidecar: its cgroup2 path and the label of its series, "" */
	char cpu_cgroup[BENCH_MAX_SIDECARS][512], cpu_label[BENCH_MAX_SIDECARS][64];
};

extern volatile sig_atomic_t bench_stop;

/* Network namespace a spawned command joins. */
enum {
	BENCH_NS_HOST,		/* the driver's */
	BENCH_NS_POD,		/* the built-in topology's pod (server side) */
	BENCH_NS_CLIENT,	/* its client pod */
};

/*
 * bench_run.c: processes. Each runs in the run directory (never the
 * caller's working directory), in its own process group.
 */
int bench__spawn(struct bench *b, const char *what, const char *shell_cmd,
		 const char *out, const char *err, int ns);
int bench__spawn_argv(struct bench *b, const char *what, char *const argv[],
		      const char *out, const char *err, int ns);
int bench__add_proc(struct bench *b, const char *what, pid_t pid);
void bench__reap(struct bench *b);
/* Stop one (SIGINT, then SIGTERM, then SIGKILL), or all. */
void bench__stop_proc(struct bench *b, int i, int first_sig);
void bench__stop_all(struct bench *b);
/* Run argv (PATH searched), stdout to out and stderr appended to err when
 * given; wait. Its exit status, 128 + signal, or -errno. */
int bench__run_wait(char *const argv[], const char *out, const char *err);
int bench__shell(const char *cmd);	/* run and wait; exit status or -errno */
/* Placeholders of a command for sidecar sc (NULL: none, e.g. the load). */
char *bench__subst(const char *tmpl, const struct bench *b,
		   const struct bench_sidecar *sc, const char *output);
char *bench__shell_quote(const char *s);

/* sidecar discovery */
int bench__find_sidecar(struct bench *b, struct bench_sidecar *sc);
pid_t bench__nspid(pid_t pid);
void bench__sidecar_found(struct bench_sidecar *sc, pid_t pid);
/* utime + stime of pid in ticks; false when it is gone */
bool bench__cpu_ticks(pid_t pid, unsigned long long *ut, unsigned long long *st);

/* bench_topo.c: the built-in topology */
int bench__topo_up(struct bench *b);
void bench__topo_down(struct bench *b);
int bench__probe(struct bench *b, int ns, const char *host, int port, int timeout_ms);
int bench__http_post(struct bench *b, const char *hostport, const char *path,
		     int *status);

/* bench_backend.c */
int bench__backend_serve(int lfd, int ready_fd);
int bench__backend_main(const char *hostport);

/* bench_render.c */
char *bench__file_part(const char *s);
/* OUTDIR/STAMP_LABEL[-ROLE]-WHAT without repeated parts (caller frees) */
char *bench__out_base(const struct bench *b, const struct bench_sidecar *sc,
		      const char *what);
int bench__render(struct bench *b, struct bench_profile *pr);

/* bench_envoy.c */
int bench__envoy_toggle(struct bench *b, bool on);
/* A local file holding the profile the sidecar wrote (caller frees). */
char *bench__envoy_collect(struct bench *b);

/*
 * bench_fp.c: of the sidecar's functions, how many (*with of *total) keep
 * frame pointers; -EOPNOTSUPP off x86-64, -ENODATA with too few symbols.
 */
int bench__frame_pointers(pid_t pid, int *with, int *total);

/* bench_summary.c */
int bench__write_summary(struct bench *b);

/* bench_cpu.c: cgroup CPU figures of the sidecar (docs/cpu-quota.md) */
struct fg_cpulog;
void bench__cpu_start(struct bench *b);
void bench__cpu_poll(struct bench *b);
void bench__cpu_stop(struct bench *b);
/* Text lines and the JSON value (object or null) of sidecar sc. */
void bench__cpu_summary(struct bench *b, const struct bench_sidecar *sc,
			struct fg_buf *t, struct fg_buf *j);

/* bench_load.c */
/* Why no load runs ("--no-load", ...), NULL when one does. */
const char *bench__no_load_reason(const struct bench *b);
int bench__load_start(struct bench *b);
int bench__load_parse(struct bench *b);

#endif
