// SPDX-License-Identifier: GPL-2.0
/*
 * flame bench: is it the quota? The sidecar's cgroup CPU files (and every
 * container's) are sampled into <rundir>/cpu.tsv while the load runs; the
 * summary gets the sidecar cgroup's figures and verdict (docs/cpu-quota.md).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "bench.h"
#include "cmd.h"
#include <flame/cgcpu.h>
#include <flame/containers.h>

#define CPU_POLL_S	0.5

static double mono_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Each sidecar's cgroup2 path and the label its samples carry. */
static void sidecar_groups(struct bench *b)
{
	struct fg_procinfo pi;
	char full[80];
	int i;

	for (i = 0; i < b->nr_sc; i++) {
		char *cg = b->cpu_cgroup[i], *label = b->cpu_label[i];

		cg[0] = label[0] = '\0';
		if (!b->sc[i].pid || fg_proc__read(b->sc[i].pid, &pi) ||
		    !pi.cgroup[0] || !strcmp(pi.cgroup, "/"))
			continue;
		snprintf(cg, sizeof(b->cpu_cgroup[i]), "%s", pi.cgroup);
		fg_container__id(pi.cgroup, label, sizeof(b->cpu_label[i]), full,
				 sizeof(full));
		if (!strcmp(label, "host"))	/* labelled by its path */
			snprintf(label, sizeof(b->cpu_label[i]), "%.63s", pi.cgroup);
	}
}

void bench__cpu_start(struct bench *b)
{
	struct fg_cpulog_opts o = { 0 };
	const char *extra[BENCH_MAX_SIDECARS];
	int i;

	sidecar_groups(b);
	for (i = 0; i < b->nr_sc; i++)
		if (b->cpu_cgroup[i][0])
			extra[o.nr_extra++] = b->cpu_cgroup[i];
	o.extra = extra;
	b->cpulog = fg_cpulog__new(b->rundir, &o);
	if (!b->cpulog)
		cli_warn("bench: %s/" FG_CPULOG_FILE ": %s; no CPU quota figures",
			 b->rundir, strerror(errno));
	b->cpu_next = 0;
	bench__cpu_poll(b);
}

void bench__cpu_poll(struct bench *b)
{
	double now = mono_s();

	if (!b->cpulog || now < b->cpu_next)
		return;
	b->cpu_next = now + CPU_POLL_S;
	fg_cpulog__poll(b->cpulog);
}

void bench__cpu_stop(struct bench *b)
{
	if (!b->cpulog)
		return;
	b->cpu_next = 0;
	bench__cpu_poll(b);
	fg_cpulog__delete(b->cpulog);
	b->cpulog = NULL;
}

void bench__cpu_summary(struct bench *b, const struct bench_sidecar *sc,
			struct fg_buf *t, struct fg_buf *j)
{
	struct fg_cpuseries *cs = NULL;
	struct fg_cpusum s;
	int i = (int)(sc - b->sc);
	long gi = -1;

	if (i >= 0 && i < b->nr_sc && b->cpu_label[i][0]) {
		cs = fg_cpuseries__load(b->rundir);
		gi = fg_cpuseries__find(cs, b->cpu_label[i]);
	}
	if (gi < 0) {
		if (i >= 0 && i < b->nr_sc && sc->pid && !b->cpu_cgroup[i][0])
			fg_buf__adds(t, "    cgroup cpu: the sidecar is in the root cgroup: no quota figures\n");
		else if (sc->pid)
			fg_buf__adds(t, "    cgroup cpu: no figures from the sidecar's cgroup (see warnings)\n");
		fg_buf__adds(j, "null");
		fg_cpuseries__delete(cs);
		return;
	}
	fg_cpuseries__sum(cs, (size_t)gi, 0, UINT64_MAX, &s);
	fg_buf__adds(t, "    ");
	fg_cpusum__line(&s, t);
	fg_buf__adds(t, "\n    ");
	fg_cpusum__verdict(&s, t);
	fg_buf__addch(t, '\n');
	fg_cpusum__json(&s, j);
	fg_cpuseries__delete(cs);
}
