/* SPDX-License-Identifier: GPL-2.0 */
/*
 * CPU saturation of container cgroups: what the kernel's CPU controller says
 * about a cgroup (usage, CFS periods and throttling, quota, weight, PSI), the
 * host's idle share, a time series of both in the snapshot directory, and a
 * per-container summary with a verdict. See docs/cpu-quota.md.
 *
 * Layouts read (mount points from /proc/mounts):
 *   cgroup v2 with the cpu controller: cpu.stat (usage_usec, nr_periods,
 *     nr_throttled, throttled_usec), cpu.max, cpu.weight, cpu.pressure;
 *   hybrid (cpu on v1, cgroup2 without controllers): v1 cpu.stat (nr_periods,
 *     nr_throttled, throttled_time ns), cpu.cfs_quota_us, cpu.cfs_period_us,
 *     cpu.shares, cpuacct.usage (ns), plus cgroup2 cpu.stat usage and
 *     cpu.pressure of the same path.
 * Container identity always comes from the cgroup2 path (fg_container__id).
 */
#ifndef FLAME_CGCPU_H
#define FLAME_CGCPU_H

#include <stdbool.h>
#include <stdint.h>
#include <flame/flame.h>

#define FG_CGCPU_NA	UINT64_MAX	/* value not available */
#define FG_CGCPU_MAX_FILE	4096	/* bytes read of one controller file */

/* One reading of a cgroup's CPU files. Absent values are FG_CGCPU_NA. */
struct fg_cgcpu_stat {
	uint64_t usage_ns;
	uint64_t nr_periods, nr_throttled, throttled_ns;
	uint64_t quota_us;	/* FG_CGCPU_NA: no quota ("max", -1) */
	uint64_t period_us;
	uint64_t weight;	/* v2 cpu.weight (1..10000) or v1 cpu.shares */
	uint64_t psi_some_us, psi_full_us;	/* cpu.pressure total= */
	bool v1;		/* figures from the v1 cpu controller */
};

/* Where the hierarchies are mounted ("" when absent). */
struct fg_cgcpu_mounts {
	char v2[512];
	char v1_cpu[512];	/* v1 mount carrying the cpu controller */
	char v1_acct[512];	/* v1 mount carrying cpuacct (may equal v1_cpu) */
};

/* Fill m from /proc/mounts; -ENOENT when no cgroup is mounted. */
int fg_cgcpu__mounts(struct fg_cgcpu_mounts *m);
/* Same from the text of a mounts file (for tests). */
int fg_cgcpu__mounts_parse(const char *text, struct fg_cgcpu_mounts *m);

void fg_cgcpu__clear(struct fg_cgcpu_stat *st);

/*
 * Parsers of one file's text (NUL terminated). Unknown keys are ignored;
 * a known key whose value is not a number gives -EINVAL and leaves that
 * value NA.
 */
int fg_cgcpu__parse_v2_stat(const char *text, struct fg_cgcpu_stat *st);
int fg_cgcpu__parse_v1_stat(const char *text, struct fg_cgcpu_stat *st);
int fg_cgcpu__parse_max(const char *text, struct fg_cgcpu_stat *st);
int fg_cgcpu__parse_pressure(const char *text, struct fg_cgcpu_stat *st);
/* One unsigned or -1 (NA) number, optional trailing newline. */
int fg_cgcpu__parse_num(const char *text, uint64_t *v);

/*
 * Read the files of a cgroup directory: v2_fd a cgroup2 directory (or -1),
 * v1cpu_fd / v1acct_fd the same cgroup in v1 cpu / cpuacct (or -1). Files
 * are opened O_NOFOLLOW | O_NONBLOCK relative to the directories, must be
 * regular, and at most FG_CGCPU_MAX_FILE bytes are read. A file that is
 * absent is skipped; on the first that is unreadable or malformed the
 * return is -errno (-ENOENT: the directory is gone) and *bad names it
 * ("cpu.stat") with *why saying why. Values read before stay in st.
 */
int fg_cgcpu__read_dirs(int v2_fd, int v1cpu_fd, int v1acct_fd,
			struct fg_cgcpu_stat *st, const char **bad,
			const char **why);

/* Read cgroup path cg ("/docker/<id>") under the mounts of m. */
int fg_cgcpu__read(const struct fg_cgcpu_mounts *m, const char *cg,
		   struct fg_cgcpu_stat *st, const char **bad,
		   const char **why);

/* Host CPU time from /proc/stat's "cpu" line, in clock ticks. */
struct fg_cgcpu_host {
	uint64_t total, idle;	/* idle = idle + iowait */
	unsigned int ncpu;	/* "cpuN" lines */
};
int fg_cgcpu__parse_procstat(const char *text, struct fg_cgcpu_host *h);
int fg_cgcpu__host(struct fg_cgcpu_host *h);

/* ---- time series in the snapshot directory (DIR/cpu.tsv) ---------------- */

/*
 * DIR/cpu.tsv, text, tab separated, appended at every poll:
 *	# flame-cpu 1
 *	H  time_ns  total_ticks  idle_ticks  ncpu
 *	G  time_ns  label  v1|v2  usage_ns  nr_periods  nr_throttled
 *	   throttled_ns  quota_us  period_us  weight  psi_some_us
 *	   psi_full_us  cgroup
 * time_ns is CLOCK_MONOTONIC (perf's sample clock); "-" marks a value that
 * is not available. The file stops growing at max_bytes (a "# truncated"
 * line says so).
 */
#define FG_CPULOG_FILE		"cpu.tsv"
#define FG_CPULOG_MAX_BYTES	(32ull << 20)
#define FG_CPULOG_MAX_GROUPS	256

struct fg_cpulog_opts {
	uint64_t max_bytes;		/* 0: FG_CPULOG_MAX_BYTES */
	unsigned int max_groups;	/* 0: FG_CPULOG_MAX_GROUPS */
	/* cgroup2 paths to sample even when they are not containers */
	const char *const *extra;
	size_t nr_extra;
	const struct fg_cgcpu_mounts *mounts;	/* NULL: /proc/mounts */
};

struct fg_cpulog;

/* Create (truncate) DIR/cpu.tsv. NULL + errno. */
struct fg_cpulog *fg_cpulog__new(const char *dir,
				 const struct fg_cpulog_opts *o);
/* Sample the host and every container cgroup once. Never fails hard:
 * problems are warned about once per cgroup. */
int fg_cpulog__poll(struct fg_cpulog *l);
/*
 * The same with the cgroup2 tree already walked (fg_snapshot__cgmap())
 * when cg is not NULL and mnt is the cgroup2 mount this log reads.
 */
struct fg_cgmap;
int fg_cpulog__poll_with(struct fg_cpulog *l, const struct fg_cgmap *cg,
			 const char *mnt);
void fg_cpulog__delete(struct fg_cpulog *l);

/* ---- reading the series and summing it up -------------------------------- */

struct fg_cpusample {
	uint64_t time;
	struct fg_cgcpu_stat st;
};

struct fg_cpugroup {
	char *label;
	char *cgroup;
	struct fg_cpusample *s;	/* in time order */
	size_t nr, alloc;
};

struct fg_cpuhost {
	uint64_t time;
	struct fg_cgcpu_host h;
};

struct fg_runq;

struct fg_cpuseries {
	/*
	 * Run-queue latency of the same recording (flame.so's sched events,
	 * lib/model/runq.c), keyed by the same container labels; not owned,
	 * NULL when the recording has no sched events. Set it with
	 * fg_cpuseries__set_runq().
	 */
	const struct fg_runq *runq;
	struct fg_cpugroup *g;
	size_t nr_g;
	struct fg_cpuhost *h;
	size_t nr_h, alloc_h;
	uint64_t bad_lines;
	bool truncated;
};

/* Parse the text of a cpu.tsv; NULL + errno (EINVAL: not a flame-cpu 1). */
struct fg_cpuseries *fg_cpuseries__parse(const char *text, size_t len);
/* Load DIR/cpu.tsv (size-capped); NULL + errno (ENOENT when absent). */
struct fg_cpuseries *fg_cpuseries__load(const char *dir);
void fg_cpuseries__delete(struct fg_cpuseries *cs);
/* Use r's per-group run-queue latency in the summaries (r outlives cs). */
void fg_cpuseries__set_runq(struct fg_cpuseries *cs, const struct fg_runq *r);
/* Re-emit the series in canonical form (for a sanitized copy). */
int fg_cpuseries__write(const struct fg_cpuseries *cs, struct fg_buf *out);

enum fg_cpu_verdict {
	FG_CPU_UNKNOWN = 0,	/* fewer than two samples */
	FG_CPU_CAPPED,		/* throttled: capped by its quota */
	FG_CPU_HOST_SATURATED,	/* not throttled, host without idle CPU */
	FG_CPU_NOT_CAPPED,	/* not throttled, host idle */
};

/* Thresholds of the verdict (docs/cpu-quota.md). */
#define FG_CPU_CAPPED_SHARE	0.05	/* throttled periods / periods */
#define FG_CPU_SATURATED_IDLE	0.10	/* host idle share below this */
#define FG_CPU_WAITED_SHARE	0.05	/* PSI some: its tasks waited for a CPU */
#define FG_CPU_WAITED_RUNQ_MS	5.0	/* run-queue latency p99: they waited */

struct fg_cpusum {
	const char *label, *cgroup;	/* owned by the series */
	bool v1;
	double secs;		/* window: first to last sample */
	double used_cpus;	/* usage / window */
	double quota_cpus;	/* 0: no quota */
	uint64_t quota_us, period_us;	/* last seen; quota NA: none */
	uint64_t periods, throttled;
	double throttled_s, avg_throttle_ms;	/* avg: -1 when none */
	double psi_some, psi_full;	/* share of the window, -1 unknown */
	double host_idle;	/* share of all CPUs, -1 unknown */
	/* run-queue latency over the whole recording (wakeup or preemption
	 * to switch-in) of the container's threads; -1: not recorded */
	double runq_p50_ms, runq_p99_ms;
	uint64_t runq_waits;	/* waits measured */
	enum fg_cpu_verdict verdict;
};

/*
 * Summary of group i over [from, to] (time_ns; 0, UINT64_MAX for all):
 * deltas between the first and last sample inside the window.
 */
void fg_cpuseries__sum(const struct fg_cpuseries *cs, size_t i,
		       uint64_t from, uint64_t to, struct fg_cpusum *sum);
/* Label, id part, or id prefix of >= 4 characters (as container=). */
bool fg_cpugroup__matches(const struct fg_cpugroup *g, const char *only);
/* Find group by label; -1 when absent. */
long fg_cpuseries__find(const struct fg_cpuseries *cs, const char *label);

/* "cpu docker:0123: used 0.05 CPU of quota 0.05 (100%), throttled 41/45
 * periods, 3.90 s (avg 95.1 ms), PSI some 12% full 0%, host idle 80%" */
void fg_cpusum__line(const struct fg_cpusum *s, struct fg_buf *b);
/* "verdict: capped by quota: ..." naming its figures. */
void fg_cpusum__verdict(const struct fg_cpusum *s, struct fg_buf *b);
/* One JSON object (no trailing newline). */
void fg_cpusum__json(const struct fg_cpusum *s, struct fg_buf *b);

/* Short form for a graph's subtitle: "CPU docker:0123: capped by quota; ..." */
void fg_cpusum__short(const struct fg_cpusum *s, struct fg_buf *b);

/*
 * Summary line and verdict of every group that used CPU (only: the groups
 * whose label, id part or id prefix of >= 4 characters matches, as
 * container= does, used or not), over the whole series. Returns how many
 * groups were written.
 */
int fg_cpuseries__report(const struct fg_cpuseries *cs, const char *only,
			 struct fg_buf *out);
/* fg_cpusum__short() of the group matching only: 0, -ENOENT, -ENODATA. */
int fg_cpuseries__oneline(const struct fg_cpuseries *cs, const char *only,
			  struct fg_buf *out);

/*
 * Throttled share (throttled periods / periods) of group i in each of
 * nr buckets of width bucket_ns from t0; -1 where no period ended. Also
 * usage in CPUs per bucket when usage != NULL.
 */
void fg_cpuseries__buckets(const struct fg_cpuseries *cs, size_t i,
			   uint64_t t0, uint64_t bucket_ns, size_t nr,
			   double *share, double *usage);

#endif /* FLAME_CGCPU_H */
