/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Live sampling with libperf (lib/input/live.c): one sampling event per
 * CPU, for the whole system, a list of processes (with their threads and
 * future children) or one cgroup (PERF_FLAG_PID_CGROUP, as perf record -G),
 * read from libperf's ring buffers and handed out as decoded records.
 *
 * Decoded records point into the ring buffer or a private copy: they are
 * valid only during the callback. The sampler never prints.
 */
#ifndef FLAME_LIVE_H
#define FLAME_LIVE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct fg_live_opts {
	const char *event;	/* "cpu-clock" (NULL), "task-clock", "cycles", ... */
	uint64_t freq;		/* samples a second per CPU (0: 99) */
	const int *pids;	/* these processes (all threads, children) */
	size_t nr_pids;
	int cgroup_fd;		/* >= 0: only tasks of this cgroup (a directory
				 * fd of the perf_event hierarchy); -1 otherwise */
	unsigned int mmap_pages;	/* ring pages per CPU, power of 2 (0: 128) */
	unsigned int max_stack;		/* callchain depth (0: 127) */
	bool monotonic;		/* times on CLOCK_MONOTONIC (merged with
				 * fg_live_sched's events), not perf's clock */
	/*
	 * Extra sample fields for later call-graph modes (--call-graph dwarf):
	 * user registers and a copy of the user stack.
	 */
	uint64_t sample_regs_user;
	uint32_t sample_stack_user;
};

/* PERF_RECORD_SAMPLE, decoded. */
struct fg_live_sample {
	uint64_t ip;
	uint64_t time;
	uint64_t period;
	uint32_t pid, tid, cpu;
	uint8_t cpumode;		/* PERF_RECORD_MISC_CPUMODE_MASK bits */
	uint64_t nr;			/* callchain entries, leaf first, with */
	const uint64_t *chain;		/* PERF_CONTEXT_* markers */
	/* with sample_regs_user / sample_stack_user (0 / NULL otherwise) */
	uint64_t regs_abi;
	const uint64_t *regs;		/* one per bit of sample_regs_user */
	uint64_t stack_size;		/* bytes in stack */
	const void *stack;
};

struct fg_live_mmap {
	uint32_t pid, tid;
	uint64_t start, len, pgoff;
	uint32_t prot, flags;
	uint8_t build_id[20];
	uint8_t build_id_size;		/* 0: the record carries dev/inode */
	const char *filename;		/* NUL terminated */
	bool kernel;			/* cpumode kernel: a module/kernel map */
};

/* Callbacks; any may be NULL. Return 0, or -errno to stop the drain. */
struct fg_live_ops {
	int (*sample)(void *arg, const struct fg_live_sample *s);
	int (*comm)(void *arg, uint32_t pid, uint32_t tid, const char *comm,
		    bool exec);
	int (*mmap)(void *arg, const struct fg_live_mmap *m);
	int (*fork)(void *arg, uint32_t pid, uint32_t ppid, uint32_t tid,
		    uint64_t time);
	int (*exit)(void *arg, uint32_t pid, uint32_t tid, uint64_t time);
};

struct fg_live_stats {
	uint64_t samples;
	uint64_t lost;		/* samples the kernel dropped (LOST records) */
	uint64_t lost_records;	/* LOST records seen */
	uint64_t comm, mmap, fork, exit, throttle;
	uint64_t bad;		/* records too short for their type */
	uint64_t bytes;		/* ring buffer bytes read */
};

struct fg_live;

/*
 * Open the event on every online CPU and map the ring buffers (disabled).
 * NULL + errno; *why (may be NULL) gets a static one-line reason.
 */
struct fg_live *fg_live__new(const struct fg_live_opts *o, const char **why);
void fg_live__delete(struct fg_live *l);
/* Start (on) or stop counting on every CPU. */
void fg_live__set_enabled(struct fg_live *l, bool on);
/* Wait up to timeout_ms for data (poll(2)); 0, or -errno (-EINTR). */
int fg_live__poll(struct fg_live *l, int timeout_ms);
/* Read every ring buffer to its head, calling ops. 0 or the first -errno. */
int fg_live__drain(struct fg_live *l, const struct fg_live_ops *ops,
		   void *arg);
const struct fg_live_stats *fg_live__stats(const struct fg_live *l);
/* The perf_event_attr config chosen for o->event, for messages. */
const char *fg_live__event_name(const struct fg_live *l);
/* Number of CPUs sampled. */
int fg_live__nr_cpus(const struct fg_live *l);

/*
 * Open the cgroup directory for PERF_FLAG_PID_CGROUP: path is a cgroup
 * path as /proc/PID/cgroup shows it ("/system.slice/x.service") or an
 * absolute directory under a cgroup mount. The perf_event controller lives
 * on cgroup2 unless a v1 hierarchy has it (both are looked up in
 * /proc/mounts). Returns an O_RDONLY directory fd or -errno.
 */
int fg_live__open_cgroup(const char *path, char *found, size_t found_len);

#endif /* FLAME_LIVE_H */
