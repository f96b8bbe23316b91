/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Who a process is and safe reads from it: safe reading of container files
 * (lib/containers/safefile.c), process facts (procinfo.c), JVMs (jvm.c),
 * process events (procconn.c), container ids from cgroups (container.c),
 * the snapshot directory and its index (snapshot.c) and the build-id cache
 * of container binaries (bincache.c). See docs/containers.md.
 */
#ifndef FLAME_CONTAINERS_H
#define FLAME_CONTAINERS_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>
#include <time.h>
#include <flame/flame.h>

/* ---- safe reading of files inside a container's root ---------------------- */

struct fg_safefile_opts {
	uint64_t max_size;	/* refuse larger files (0: FG_PERFMAP_MAX_BYTES) */
	unsigned int max_ms;	/* give up reading after this long (0: 2000) */
	uint64_t max_read;	/* read at most this much from off (0: all) */
	uid_t uids[3];		/* allowed owners; uid 0 always allowed */
	unsigned int nr_uids;
};

/*
 * Open rel (a relative path) under root_fd (an O_PATH directory fd, e.g. of
 * /proc/PID/root) with openat2(RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS |
 * RESOLVE_NO_SYMLINKS): no symlink of any kind is followed. Only a regular
 * file, owned by root or one of o->uids, not on FUSE, no larger than the
 * cap, is read (with read(2), never mmap), from byte offset off to its end
 * as seen by fstat, appended to out. *size gets the file size.
 * Returns 0 or -errno; *why gets a short static reason for the refusal.
 * -ENOENT means "no such file" (not worth a warning).
 */
int fg_safefile__read(int root_fd, const char *rel,
		      const struct fg_safefile_opts *o, uint64_t off,
		      struct fg_buf *out, uint64_t *size, const char **why);
/* O_PATH fd for "/proc/PID/root" or a directory; -errno on failure. */
int fg_safefile__open_root(const char *dir);
/* O_PATH fd of directory rel under root_fd, resolved as fg_safefile__read()
 * does (inside the root, no symlinks); -errno on failure. */
int fg_safefile__open_dir(int root_fd, const char *rel);

/* ---- processes --------------------------------------------------------- */

struct fg_procinfo {
	int pid;		/* host pid */
	int nspid;		/* innermost pid (names the map file) */
	uid_t ruid, euid;
	uint64_t start_ticks;	/* /proc/PID/stat field 22 */
	uint64_t start_ns;	/* same, in the perf sample clock (see docs) */
	uint64_t pidns, mntns;	/* namespace inode numbers */
	char comm[64];		/* sanitized: printable ASCII only */
	char cgroup[512];	/* cgroup v2 path ("/" for the root) */
};

/* Read /proc/PID/{stat,status,cgroup,ns}: 0 or -errno (-ESRCH gone). */
int fg_proc__read(int pid, struct fg_procinfo *pi);
struct fg_cgmap;
struct fg_proc_fast {
	uint64_t pidns;			/* ours (fg_proc__self_pidns) */
	const struct fg_cgmap *cg;	/* cgroup ids to paths, or NULL */
};
/*
 * The same, with fewer reads for the snapshot's many new processes: in
 * pidns, uids and the cgroup id from a pidfd (Linux 6.13) instead of
 * /proc/PID/status, the cgroup path from f->cg (*cg_known) when there;
 * *kthread from the same stat read.
 */
int fg_proc__read_fast(int pid, struct fg_procinfo *pi,
		       const struct fg_proc_fast *f, bool *kthread,
		       bool *cg_known);
uint64_t fg_proc__self_pidns(void);
/* Start time in the perf sample clock: ticks since boot (CLOCK_BOOTTIME)
 * minus the current CLOCK_BOOTTIME - CLOCK_MONOTONIC offset. */
uint64_t fg_proc__ticks_to_ns(uint64_t ticks);
/* Namespace inode of our own mount namespace (0 when unknown). */
uint64_t fg_proc__self_mntns(void);
/* Now, CLOCK_MONOTONIC ns (the clock perf samples use, see docs). */
uint64_t fg_proc__now_ns(void);
/* Now on clock c (CLOCK_REALTIME, CLOCK_PROCESS_CPUTIME_ID, ...), in ns. */
uint64_t fg_proc__clock_ns(clockid_t c);
/* Replace every byte outside printable ASCII, TAB, '\\' by '?'. */
void fg_proc__sanitize(char *s);

/* ---- JVMs (lib/containers/jvm.c) ------------------------------------------- */

/* True when process pid has HotSpot's libjvm.so mapped. */
bool fg_jvm__is_hotspot(int pid);
/*
 * Ask JVM pid (nspid in its own PID namespace) to write its perf map (jcmd
 * Compiler.perfmap), from a child process that joins its mount namespace as
 * its user (effective uid and gid). Returns the child's pid (reap it with
 * waitpid; exit status 0 = map written) or -errno.
 */
pid_t fg_jvm__request_perfmap(int pid, int nspid);

/* ---- process events (lib/containers/procconn.c) --------------------------- */

/* Netlink socket subscribed to the kernel's process events; -errno. */
int fg_procconn__open(void);
/* Same, for some events only (Linux 6.6 filters them per socket; older
 * kernels: -EOPNOTSUPP unless both). */
#define FG_PROCCONN_EXEC	1u
#define FG_PROCCONN_EXIT	2u
int fg_procconn__open_events(unsigned int events);
/* Drain pending events: cb for each exec (exit=false) and exit of a
 * process (thread-group leaders only, host pids). -ENOBUFS when some
 * were lost. */
int fg_procconn__read(int fd, void (*cb)(void *arg, int pid, bool exit),
		      void *arg);

/* ---- containers --------------------------------------------------------- */

/*
 * Container identity from a cgroup v2 path. label: "host" for paths without
 * a container (the root cgroup, system/user slices), "docker:<12 hex>",
 * "containerd:<12>", "crio:<12>", "podman:<12>", "kubepods:<12>" (kubepods
 * cgroupfs layout) or "pod:<uid>" for pod-level cgroups. full gets the whole
 * id (64 hex) or the label. Both NUL terminated and truncated to their size.
 */
void fg_container__id(const char *cgpath, char *label, size_t label_len,
		      char *full, size_t full_len);
/* True when id names this container: the label, its id part or a prefix
 * (>= 4 chars) of the full id. */
bool fg_container__match(const char *label, const char *full,
			 const char *id);

/* cgroup2 mount point from /proc/mounts into buf; -ENOENT when none. */
int fg_cgroup__mount(char *buf, size_t len);

struct fg_cgmap;	/* cgroup inode -> path */
/* Walk the cgroup2 tree under mnt (depth-limited). NULL + errno. */
struct fg_cgmap *fg_cgmap__scan(const char *mnt);
void fg_cgmap__delete(struct fg_cgmap *c);
/* Path relative to the cgroup root ("/" for it) or NULL. */
const char *fg_cgmap__path(const struct fg_cgmap *c, uint64_t ino);
size_t fg_cgmap__count(const struct fg_cgmap *c);
/* i-th entry for iteration; false past the end. */
bool fg_cgmap__entry(const struct fg_cgmap *c, size_t i, uint64_t *ino,
		     const char **path);

/* ---- snapshot directory ------------------------------------------------- */

/*
 * DIR/index: text, one tab-separated record a line, written atomically:
 *	# flame-maps 1
 *	P pid nspid start_ticks start_ns pidns mntns uid first_ns last_ns
 *	  host_mntns(0|1) map_file container cgroup comm
 *	C cgroup_ino container cgroup
 * DIR/<pid>-<start_ticks>.map: validated perf-map lines (canonical form).
 */
struct fg_snapshot_opts {
	const int *pids;	/* only these pids (NULL: every process) */
	size_t nr_pids;
	uint64_t max_bytes_per_poll;	/* CPU bound (0: 64 MiB) */
	unsigned int max_pins;	/* pinned /tmp dirs (0: 1024, capped by
				 * RLIMIT_NOFILE) */
	uint64_t jvm_perfmap_ns;	/* ask HotSpot JVMs for their map this
					 * often (0: never); see jvm.c */
	bool no_events;		/* do not use the process connector */
	bool keep_bins;		/* copy container binaries to perf's
				 * build-id cache (bincache.c) */
	int bins_for_fd;	/* > 0: only what this perf.data's build-id
				 * table lists (keep_bins) */
};

/*
 * Binaries kept while alive (lib/containers/bincache.c): executable files
 * mapped by a process, copied once per build id into perf's build-id cache
 * (DIR/.build-id/xx/<rest>/elf), read through /proc/PID/map_files.
 */
struct fg_bincache_opts {
	uint64_t max_file;	/* bytes per file (0: 256 MiB) */
	uint64_t max_total;	/* bytes in all (0: 1 GiB) */
	uint64_t max_files;	/* files in all (0: 2048) */
};

struct fg_bincache_stats {
	uint64_t scans, files, bytes, present, capped, failed;
};

struct fg_bincache;

/* dir: NULL for $PERF_BUILDID_DIR, else $HOME/.debug (perf's defaults) */
struct fg_bincache *fg_bincache__new(const char *dir,
				     const struct fg_bincache_opts *o);
int fg_bincache__scan(struct fg_bincache *b, int pid);
/*
 * Copy only the files whose build id is in perf.data's build-id table
 * (fd open on a perf.data): what perf will look up. 0, -ENOENT when the
 * file has no table (then nothing is copied: -B recordings name by path).
 */
int fg_bincache__want_perf_data(struct fg_bincache *b, int fd);
const struct fg_bincache_stats *fg_bincache__stats(const struct fg_bincache *b);
void fg_bincache__delete(struct fg_bincache *b);

/*
 * Pins: while a process lives, the snapshot holds an O_PATH fd on its /tmp
 * (opened inside its root, no symlinks; one per distinct directory, shared
 * by the processes of a container), and reads its map through it. When the
 * process is gone the map is read once more through the pin (a runtime may
 * write it at exit, e.g. the JDK's -XX:+DumpPerfMapAtExit, after which its
 * container and /tmp are gone), then the pin is dropped.
 */
struct fg_snapshot_stats {
	uint64_t polls, procs_seen, maps, bytes, refused, bad_lines;
	uint64_t cpu_ns;	/* CPU time spent in polls (ours; not
				 * the process events between them) */
	uint64_t pins_peak;	/* most pins held at once */
	uint64_t pins_full;	/* processes not pinned: cap reached */
	uint64_t exit_reads;	/* maps that grew when read after exit */
	uint64_t jvm_asked, jvm_answered;	/* Compiler.perfmap requests */
	bool events_on;		/* process connector in use */
	uint64_t events;	/* exec/exit events handled */
	uint64_t events_lost;	/* times the kernel dropped events */
	struct fg_bincache_stats bins;	/* keep_bins */
};

struct fg_snapshot;

struct fg_snapshot *fg_snapshot__new(const char *dir,
				     const struct fg_snapshot_opts *o);
/* One pass over processes: copy new map lines, update the index. */
int fg_snapshot__poll(struct fg_snapshot *s);
/*
 * Wait secs seconds (or until a signal), handling process exec and exit
 * events meanwhile when the process connector is available (root): a
 * process is looked at when it execs and its map read once more when it
 * exits, however short it lives.
 */
void fg_snapshot__wait(struct fg_snapshot *s, double secs);
const struct fg_snapshot_stats *fg_snapshot__stats(const struct fg_snapshot *s);
/*
 * The cgroup2 tree as the last poll walked it, and where it is mounted
 * (NULL when none): valid until the next poll. flame record hands it to
 * the CPU series so the tree is walked once per poll, not twice.
 */
const struct fg_cgmap *fg_snapshot__cgmap(const struct fg_snapshot *s,
					  const char **mnt);
/* After the last poll: the maps of host processes that exited since it
 * (fg_snapshot__delete does it too; call it before reading the stats). */
void fg_snapshot__end(struct fg_snapshot *s);
void fg_snapshot__delete(struct fg_snapshot *s);

struct fg_snap_entry {
	int pid, nspid;
	uid_t uid;
	bool host_mntns;
	uint64_t start_ticks, start_ns, pidns, mntns, first_ns, last_ns;
	char *map;		/* file name in DIR, "" when none */
	char *label;		/* container label */
	char *cgroup;
	char *comm;
};

struct fg_snap_cgroup {
	uint64_t ino;
	char *label;
	char *cgroup;
};

struct fg_snapidx {
	char *dir;
	int dir_fd;
	struct fg_snap_entry *e;	/* sorted by pid, then start_ns */
	size_t nr;
	struct fg_snap_cgroup *cg;	/* sorted by ino */
	size_t nr_cg;
	uint64_t bad_lines;
};

/* Load DIR/index; NULL + errno (ENOENT when absent). */
struct fg_snapidx *fg_snapidx__load(const char *dir);
void fg_snapidx__delete(struct fg_snapidx *x);
/* First entry of pid (entries of one pid are adjacent) or NULL. */
const struct fg_snap_entry *fg_snapidx__find(const struct fg_snapidx *x,
					     int pid, size_t *nr);
const struct fg_snap_cgroup *fg_snapidx__cgroup(const struct fg_snapidx *x,
					      uint64_t ino);

#endif /* FLAME_CONTAINERS_H */
