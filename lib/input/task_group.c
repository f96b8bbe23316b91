// SPDX-License-Identifier: GPL-2.0
/*
 * The run-queue group of a task: its container label (fg_jit: the
 * snapshot's cgroups, the live process), else its PID namespace when it
 * is not the host's ("pidns:INO"), else "host".
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <flame/jit.h>
#include <flame/offcpu.h>

#include <flame/containers.h>	/* the snapshot index (fg_snapidx) */

struct fg_task_group {
	struct fg_jit *jit;
	struct fg_snapidx *snap;	/* flame record's index, NULL = none */
	uint64_t host_pidns_ino;
};

/* "pid:[4026531836]" -> 4026531836, 0 when not that form */
static uint64_t ns_ino(const char *link)
{
	const char *b = strchr(link, '[');

	return b ? strtoull(b + 1, NULL, 10) : 0;
}

struct fg_task_group *fg_task_group__new(struct fg_jit *jit)
{
	struct fg_task_group *g = calloc(1, sizeof(*g));
	char ns[64];
	ssize_t n;

	if (!g)
		return NULL;
	g->jit = jit;
	n = readlink("/proc/self/ns/pid", ns, sizeof(ns) - 1);
	ns[n > 0 ? n : 0] = '\0';
	g->host_pidns_ino = ns_ino(ns);
	/* PID namespaces of processes gone by now: flame record's snapshots */
	if (jit && fg_jit__maps_dir(jit))
		g->snap = fg_snapidx__load(fg_jit__maps_dir(jit));
	return g;
}

void fg_task_group__delete(struct fg_task_group *g)
{
	if (!g)
		return;
	fg_snapidx__delete(g->snap);
	free(g);
}

/*
 * The PID namespace (inode) pid lived in at time: flame record's snapshot
 * index for the incarnation alive then (the process may be gone), else
 * the live /proc (a process still running). 0 = unknown.
 */
static uint64_t pidns_of(struct fg_task_group *g, int pid, uint64_t time)
{
	const struct fg_snap_entry *e, *best = NULL;
	char path[64], ns[64];
	size_t nr = 0, i;
	ssize_t n;

	e = fg_snapidx__find(g->snap, pid, &nr);
	for (i = 0; i < nr; i++)	/* sorted by start: the last started before */
		if (e[i].pidns && (!best || e[i].start_ns <= time))
			best = &e[i];
	if (best)
		return best->pidns;
	snprintf(path, sizeof(path), "/proc/%d/ns/pid", pid);
	n = readlink(path, ns, sizeof(ns) - 1);
	if (n <= 0)
		return 0;
	ns[n] = '\0';
	return ns_ino(ns);
}

const char *fg_task_group__label(struct fg_task_group *g, int pid,
				 uint64_t cgroup, uint64_t time,
				 char *buf, size_t len)
{
	const char *label = g->jit ? fg_jit__container(g->jit, pid, cgroup, time) :
				     "host";
	uint64_t ns;

	/* no container runtime's cgroup: a private PID namespace still counts */
	if (!strcmp(label, "host") || !strcmp(label, "unknown")) {
		ns = pid > 0 ? pidns_of(g, pid, time) : 0;
		if (ns && g->host_pidns_ino && ns != g->host_pidns_ino) {
			snprintf(buf, len, "pidns:%llu", (unsigned long long)ns);
			label = buf;
		}
	}
	return label;
}
