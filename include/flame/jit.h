/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Names for frames perf leaves unnamed: JIT code described by perf maps
 * (/tmp/perf-<PID>.map), found in snapshots, live container roots, left-over
 * root file systems or the host's /tmp, and container identity per process.
 *
 * Everything read from a container is hostile: see docs/containers.md.
 */
#ifndef FLAME_JIT_H
#define FLAME_JIT_H

#include <flame/flame.h>

/* Where a name came from (index into summary counters). */
enum fg_jit_source {
	FG_JIT_NONE = 0,
	FG_JIT_SNAPSHOT,	/* <perf.data>.maps/ made by flame record/snapshot */
	FG_JIT_LIVE,		/* /proc/PID/root/tmp/perf-<NSpid>.map */
	FG_JIT_ROOTFS,		/* rootfs=PID:DIR */
	FG_JIT_HOST,		/* host /tmp/perf-PID.map, host mount ns only */
	FG_JIT__MAX,
};

struct fg_jit_opts {
	const char *maps_dir;		/* NULL: <input>.maps when present */
	const char *input;		/* perf.data path (for the default) */
	struct fg_strlist rootfs;	/* "PID:DIR" */
	bool no_live;			/* do not look at live processes */
	bool no_host;			/* do not read host /tmp maps */
	/*
	 * Optional: the cgroup path perf.data recorded for a sample->cgroup
	 * id (perf-patches 0002, perf_dlfilter_fns cgroup_path); tried after
	 * the snapshot and before scanning the live cgroup2 tree, so exited
	 * containers keep their names without a snapshot.
	 */
	const char *(*cgroup_path)(void *arg, uint64_t cgroup_id);
	void *cgroup_arg;
};

struct fg_jit;

struct fg_jit *fg_jit__new(const struct fg_jit_opts *o);
void fg_jit__delete(struct fg_jit *j);

/* The snapshot directory in use (maps= or <input>.maps), NULL when none. */
const char *fg_jit__maps_dir(const struct fg_jit *j);

/* perf script's input file (-i/--input in /proc/self/cmdline, else
 * "perf.data"); malloc'ed, NULL on ENOMEM. */
char *fg_perf__input_path(void);

/*
 * A small number that changes when host PID pid is a different process
 * incarnation at time (PID reuse), 0 when unknown. Cheap: called per sample.
 */
uint32_t fg_jit__incarnation(struct fg_jit *j, int pid, uint64_t time);

/*
 * Name of the JIT symbol at addr in host process pid at sample time.
 * anon: addr lies in an anonymous executable mapping (false: in no known
 * mapping); unnamed anonymous addresses rank first in the summary's no-map
 * list. Returns NULL when no source knows it; the string stays valid until
 * fg_jit__delete(). *src tells which source answered.
 */
const char *fg_jit__resolve(struct fg_jit *j, int pid, uint64_t time,
			    uint64_t addr, bool anon,
			    enum fg_jit_source *src);

/*
 * Live profiling (flame profile): a runtime appends to its perf map while
 * it runs; forget what was read of pid's live map so that the next
 * fg_jit__resolve() reads it again. The caller rate-limits.
 */
void fg_jit__forget_live(struct fg_jit *j, int pid);

/*
 * Container label for a sample: short container id / name derived from the
 * cgroup path ("host" for the root cgroup and host slices, "docker:<12hex>",
 * "containerd:..", "crio:..", "podman:..", "kubepods:..", "pod:<uid>").
 * cgroup_id is sample->cgroup (0 when not recorded); the snapshot index and
 * then the live process are used otherwise. Never NULL: "unknown" when no
 * source knows. The string stays valid until fg_jit__delete().
 */
const char *fg_jit__container(struct fg_jit *j, int pid, uint64_t cgroup_id,
			      uint64_t time);

/*
 * container=ID: true when the sample's container matches id: its label
 * ("docker:0123456789ab"), the id part of it ("0123456789ab"), "host", or a
 * prefix (>= 4 characters) of the full 64-hex container id.
 */
bool fg_jit__in_container(struct fg_jit *j, int pid, uint64_t cgroup_id,
			  uint64_t time, const char *id);

/*
 * False only when there is evidence (snapshot index, live process) that
 * process pid (incarnation at time) lived in another mount namespace than
 * the host's. perf's own resolver reads the host's /tmp/perf-<pid>.map for
 * any pid, also for containers that have none (a decoy any local user could
 * write): the plugin should ignore perf's answer when al.dso is
 * "/tmp/perf-<N>.map" and this returns false, and ask fg_jit__resolve()
 * instead. Without evidence perf's answer is kept (never worse than perf)
 * and fg_jit__summary() notes it.
 */
bool fg_jit__host_map_ok(struct fg_jit *j, int pid, uint64_t time);

/*
 * Count n more frames named by src (the plugin's cache hits), so the
 * summary counts frames, not unique addresses.
 */
void fg_jit__account(struct fg_jit *j, enum fg_jit_source src, uint64_t n);

/* Append the summary ("jit: snapshot named N, live M, ...; no map: ...")
 * to out, without newline; nothing when nothing was named or noted. */
void fg_jit__summary(struct fg_jit *j, struct fg_buf *out);

/*
 * A perf map (data, len) through the strict parser: every complete line
 * that follows the grammar (docs/containers.md) appended to out in
 * canonical form "START SIZE NAME\n" (lower-case hex, no 0x); other lines,
 * lines of SIZE 0 and a last line without "\n" are dropped. 0 or -ENOMEM.
 */
int fg_perfmap__canonical(const char *data, size_t len, struct fg_buf *out);

#endif /* FLAME_JIT_H */
