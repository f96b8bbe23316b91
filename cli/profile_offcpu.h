/* SPDX-License-Identifier: GPL-2.0 */
/*
 * flame profile --off-cpu (cli/profile_offcpu.c): live sched tracepoints
 * (lib/input/live_sched.c) and the sampler's on-CPU samples merged in time
 * order, kept to the target tasks, fed to the off-CPU engine
 * (include/flame/offcpu.h) that flame.so uses for perf.data.
 */
#ifndef FLAME_CLI_PROFILE_OFFCPU_H
#define FLAME_CLI_PROFILE_OFFCPU_H

#include <flame/live.h>
#include <flame/offcpu.h>

/* The stack of a sample (root: the process frame) as a profile node. */
typedef int (*poff_node_fn)(void *arg, const struct fg_live_sample *s,
			    uint32_t *node);

struct poff_opts {
	const struct fg_offcpu_cfg *cfg;	/* parsed; borrowed */
	struct fg_profile *prof;		/* borrowed */
	struct fg_jit *jit;	/* container labels of run-queue rows; may be NULL */
	const int *pids;	/* target processes (and children); NULL: all */
	size_t nr_pids;
	int cgroup_fd;		/* >= 0: tasks of this cgroup directory and
				 * the ones below it (by cgroup id); -1: none */
	unsigned int mmap_pages;	/* per CPU for the sched rings */
	poff_node_fn node;
	void *arg;
};

struct poff;

/* NULL after one error line (cli_error) saying why. */
struct poff *poff__new(const struct poff_opts *o);
void poff__delete(struct poff *p);
void poff__set_enabled(struct poff *p, bool on);
/* An on-CPU sample from the sampler (mode=wall weighs it; all end blocks). */
int poff__sample(struct poff *p, const struct fg_live_sample *s);
/*
 * Read the sched rings and feed the engine every event older than the
 * drain's start (minus a margin; with final, everything). 0 or -errno.
 */
int poff__drain(struct poff *p, bool final);
/* Close open blocks at the end; 0, or 1 after an error line. */
int poff__finish(struct poff *p);
/* Summary lines (engine, run queue, lost events) into b. */
void poff__summary(struct poff *p, struct fg_buf *b);
/* Sched events read so far (progress line). */
uint64_t poff__events(const struct poff *p);

#endif
