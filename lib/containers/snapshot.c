// SPDX-License-Identifier: GPL-2.0
/*
 * Snapshot directory: copies of perf maps taken while processes live, so
 * their JIT frames keep names after the process (or its container) is gone.
 * Format in include/flame/containers.h and docs/containers.md.
 *
 * The copier reads each map through fg_safefile__read() inside the
 * process's root, keeps only complete lines that follow the perf-map
 * grammar, and writes them in canonical form: a snapshot is already
 * sanitized. Copies are incremental (offset of the last complete line);
 * a map that shrank was rewritten and is copied again from its start.
 */
#include <dirent.h>
#include <limits.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <poll.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <signal.h>
#include <time.h>
#include <unistd.h>
#include "internal.h"
#include <flame/hashmap.h>
#include <flame/containers.h>
#include <flame/perfmap.h>

struct track {
	struct fg_procinfo pi;
	uint64_t first_ns, last_ns;
	uint64_t copied;	/* bytes of the source consumed */
	uint64_t lines, bad, first_bad, too_long;
	bool host_mntns;
	bool has_map;
	bool warned;
	bool in_long_line;	/* skipping a line longer than a read chunk */
	const char *why;	/* why the map was refused (static) */
	bool gone;
	bool exit_check;	/* gone, map looked for at the next poll */
	bool kthread;
	int pin;		/* index into pins, -1: none */
	bool jvm_checked, jvm;	/* a HotSpot JVM (--jvm-perfmap) */
	bool bin_scans;	/* maps scanned for binaries (keep_bins) */
	pid_t jvm_child;	/* Compiler.perfmap request under way */
	uint64_t jvm_next_ns, jvm_deadline_ns;
	char label[64];
	char full[80];
};

struct pin {
	int fd;			/* O_PATH fd of a /tmp, -1: free slot */
	dev_t dev;
	ino_t ino;
	unsigned int refs;	/* tracks using it (pin 0, the host's: kept) */
};

struct fg_snapshot {
	char *dir;
	int dir_fd;
	struct fg_snapshot_opts o;
	int *pids;
	struct track *t;
	size_t nr, alloc;
	struct fg_hashmap *by_pid;	/* struct pid_ent: the latest track */
	uint64_t self_mntns, self_pidns;
	char cgmnt[1024];
	struct fg_cgmap *cg;
	struct fg_buf cgseen;	/* "C" lines already known, as text */
	struct fg_snapshot_stats st;
	uint64_t budget;
	struct pin *pins;
	size_t nr_pins, max_pins, held;
	uint64_t now;		/* time of the current poll */
	int pc_fd;		/* process connector, -1: none */
	int pc_exit_fd;		/* its exit events when apart, else -1 */
	uint64_t lost_checked;	/* events_lost at the end of the last poll */
	bool cg_stale;		/* a new process in a cgroup not walked yet */
	pid_t self_pid;		/* getpid() is a syscall: once */
	dev_t self_root_dev;	/* our root directory */
	ino_t self_root_ino;
	bool host_tmp_same;	/* /tmp is still what pin 0 holds */
	int *host_maps;		/* NSpids of perf-*.map in pin 0, sorted */
	size_t nr_host_maps, alloc_host_maps;
	size_t exit_checks;	/* tracks with exit_check set */
	bool host_listed;	/* host_maps is this poll's */
	struct timespec host_mtime;	/* of /tmp when host_maps was listed */
	bool host_list_ok;	/* host_maps still valid while it holds */
	bool index_written, index_stale;	/* stale: last-seen times */
	uint64_t index_sig, index_ns;	/* of the last index written */
	struct fg_bincache *bc;	/* keep_bins, else NULL */
};

struct pid_ent {
	uint64_t pid;		/* key */
	uint32_t idx;		/* in s->t */
};

/* The latest track of pid, else NULL. */
static struct track *track_of(struct fg_snapshot *s, int pid)
{
	uint64_t key = (uint64_t)pid;
	struct pid_ent *e = fg_hashmap__find(s->by_pid, fg_hash64(key), &key);

	return e ? &s->t[e->idx] : NULL;
}

/* ---- pins ----------------------------------------------------------------- */

static int pins_init(struct fg_snapshot *s)
{
	struct rlimit rl;
	struct stat st;
	size_t cap = s->o.max_pins ? s->o.max_pins : 1024;
	int fd;

	/* leave room for perf's pipe, the files we read and write */
	if (!getrlimit(RLIMIT_NOFILE, &rl) && rl.rlim_cur != RLIM_INFINITY)
		cap = rl.rlim_cur <= 128 ? 8 :
		      cap < rl.rlim_cur - 96 ? cap : (size_t)rl.rlim_cur - 96;
	s->max_pins = cap;
	s->pins = calloc(cap + 1, sizeof(*s->pins));
	if (!s->pins)
		return -ENOMEM;
	/* pin 0: the host's /tmp, shared by every host process */
	s->pins[0].fd = -1;
	fd = open("/tmp", O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (fd >= 0 && !fstat(fd, &st)) {
		s->pins[0].fd = fd;
		s->pins[0].dev = st.st_dev;
		s->pins[0].ino = st.st_ino;
	} else if (fd >= 0) {
		close(fd);
	}
	s->nr_pins = 1;
	return 0;
}

static void track_unpin(struct fg_snapshot *s, struct track *t);

/*
 * Pin the /tmp of t's live process (inside its root, no symlinks), at every
 * poll: a container mounts its /tmp after it started (and may again), so the
 * pin follows what the process sees now; the last one outlives it.
 */
static void track_pin(struct fg_snapshot *s, struct track *t)
{
	char root[64];
	struct stat st;
	size_t i, free_slot = SIZE_MAX;
	int rfd, fd;

	snprintf(root, sizeof(root), "/proc/%d/root", t->pi.pid);
	/*
	 * A process in our mount namespace with our root directory sees our
	 * /tmp, pin 0 (while the host's /tmp is the one pinned at start):
	 * one stat instead of opening its root and /tmp.
	 */
	if (t->host_mntns && s->host_tmp_same && !stat(root, &st) &&
	    st.st_dev == s->self_root_dev && st.st_ino == s->self_root_ino) {
		if (t->pin != 0) {
			track_unpin(s, t);
			t->pin = 0;
		}
		return;
	}
	rfd = fg_safefile__open_root(root);
	if (rfd < 0)
		return;
	fd = fg_safefile__open_dir(rfd, "tmp");
	close(rfd);
	if (fd < 0)
		return;
	if (fstat(fd, &st)) {
		close(fd);
		return;
	}
	if (t->pin >= 0 && s->pins[t->pin].dev == st.st_dev &&
	    s->pins[t->pin].ino == st.st_ino) {
		close(fd);	/* unchanged */
		return;
	}
	track_unpin(s, t);
	for (i = 0; i < s->nr_pins; i++) {
		if (s->pins[i].fd < 0) {
			if (i && free_slot == SIZE_MAX)
				free_slot = i;
			continue;
		}
		if (s->pins[i].dev == st.st_dev && s->pins[i].ino == st.st_ino) {
			close(fd);
			s->pins[i].refs++;
			t->pin = (int)i;
			return;
		}
	}
	if (free_slot == SIZE_MAX) {
		if (s->nr_pins > s->max_pins) {
			close(fd);
			s->st.pins_full++;
			return;
		}
		free_slot = s->nr_pins++;
	}
	s->pins[free_slot] = (struct pin){ .fd = fd, .dev = st.st_dev,
					   .ino = st.st_ino, .refs = 1 };
	t->pin = (int)free_slot;
	if (++s->held > s->st.pins_peak)
		s->st.pins_peak = s->held;
}

static void track_unpin(struct fg_snapshot *s, struct track *t)
{
	struct pin *p;

	if (t->pin < 0)
		return;
	p = &s->pins[t->pin];
	t->pin = -1;
	if (p == &s->pins[0] || --p->refs)
		return;
	close(p->fd);
	p->fd = -1;
	s->held--;
}

struct fg_snapshot *fg_snapshot__new(const char *dir,
				     const struct fg_snapshot_opts *o)
{
	struct fg_snapshot *s = calloc(1, sizeof(*s));
	int err = -ENOMEM;

	if (!s)
		return NULL;
	s->dir_fd = -1;
	s->pc_fd = -1;
	s->pc_exit_fd = -1;
	s->self_pid = getpid();
	{
		struct stat rst;

		if (!stat("/", &rst)) {
			s->self_root_dev = rst.st_dev;
			s->self_root_ino = rst.st_ino;
		}
	}
	if (o)
		s->o = *o;
	if (s->o.nr_pids) {
		s->pids = calloc(s->o.nr_pids, sizeof(int));
		if (!s->pids)
			goto out_err;
		memcpy(s->pids, s->o.pids, s->o.nr_pids * sizeof(int));
		s->o.pids = s->pids;
	}
	s->budget = s->o.max_bytes_per_poll ? s->o.max_bytes_per_poll
					    : 64ull << 20;
	s->dir = strdup(dir);
	s->by_pid = fg_hashmap__new(sizeof(struct pid_ent), fg_hashmap__eq_u64);
	if (!s->dir || !s->by_pid)
		goto out_err;
	if (mkdir(dir, 0700) && errno != EEXIST) {
		err = -errno;
		goto out_err;
	}
	s->dir_fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (s->dir_fd < 0) {
		err = -errno;
		goto out_err;
	}
	s->self_mntns = fg_proc__self_mntns();
	s->self_pidns = fg_proc__self_pidns();
	if (fg_cgroup__mount(s->cgmnt, sizeof(s->cgmnt)))
		s->cgmnt[0] = '\0';
	err = pins_init(s);
	if (err)
		goto out_err;
	if (s->o.keep_bins) {
		s->bc = fg_bincache__new(NULL, NULL);
		if (!s->bc) {
			err = -ENOMEM;
			goto out_err;
		}
		if (s->o.bins_for_fd > 0 &&
		    fg_bincache__want_perf_data(s->bc, s->o.bins_for_fd)) {
			/* nothing for perf to look up by build id */
			fg_bincache__delete(s->bc);
			s->bc = NULL;
		}
	}
	if (!s->o.no_events) {
		/*
		 * Exit events on a socket of their own, not waited on (Linux
		 * 6.6 filters per socket): an exit needs no haste (the pin
		 * holds the /tmp), an exec does (the process may live a few
		 * ms), and each wake-up costs more than the event (a tenth of
		 * flame record's CPU on a busy host). Read at the next exec
		 * event or poll, before the execs.
		 */
		s->pc_exit_fd = fg_procconn__open_events(FG_PROCCONN_EXIT);
		if (s->pc_exit_fd >= 0) {
			s->pc_fd = fg_procconn__open_events(FG_PROCCONN_EXEC);
			if (s->pc_fd < 0) {
				close(s->pc_exit_fd);
				s->pc_exit_fd = -1;
			}
		} else {
			s->pc_exit_fd = -1;
		}
		if (s->pc_fd < 0)
			s->pc_fd = fg_procconn__open();
		if (s->pc_fd < 0)
			s->pc_fd = -1;
		s->st.events_on = s->pc_fd >= 0;
	}
	return s;
out_err:
	fg_snapshot__delete(s);
	errno = -err;
	return NULL;
}

static struct track *track_new(struct fg_snapshot *s, const struct fg_procinfo *pi)
{
	struct pid_ent *e;
	struct track *t;
	uint64_t key;

	if (fg_grow(&s->t, &s->alloc, s->nr, sizeof(*s->t), 256))
		return NULL;
	key = (uint64_t)pi->pid;
	e = fg_hashmap__insert(s->by_pid, fg_hash64(key), &key, NULL);
	if (!e)
		return NULL;
	e->pid = key;
	e->idx = (uint32_t)s->nr;
	t = &s->t[s->nr++];
	memset(t, 0, sizeof(*t));
	t->pin = -1;
	t->pi = *pi;
	t->first_ns = t->last_ns = fg_proc__now_ns();
	t->host_mntns = pi->mntns && pi->mntns == s->self_mntns;
	fg_container__id(pi->cgroup, t->label, sizeof(t->label), t->full,
			 sizeof(t->full));
	s->st.procs_seen++;
	return t;
}

#define PF_KTHREAD_FLAG	0x00200000u	/* include/linux/sched.h */

static int stat_start(int pid, uint64_t *ticks, char *comm, size_t len,
		      bool *kthread)
{
	char path[64], buf[1024], *p;
	unsigned long long v, flags;
	ssize_t n;
	int fd, i;

	snprintf(path, sizeof(path), "/proc/%d/stat", pid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -ESRCH;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return -ESRCH;
	buf[n] = '\0';
	p = strrchr(buf, ')');
	if (p && strchr(buf, '(') && strchr(buf, '(') < p) {
		char *c = strchr(buf, '(') + 1;

		snprintf(comm, len, "%.*s", (int)(p - c), c);
		fg_proc__sanitize(comm);
	}
	for (i = 0; i < 7 && p; i++)
		p = strchr(p + 1, ' ');
	if (!p || sscanf(p + 1, "%llu", &flags) != 1)
		return -EINVAL;
	*kthread = flags & PF_KTHREAD_FLAG;
	for (; i < 20 && p; i++)
		p = strchr(p + 1, ' ');
	if (!p || sscanf(p + 1, "%llu", &v) != 1)
		return -EINVAL;
	*ticks = v;
	return 0;
}

/* Mount namespace inode of pid (0 when unknown): one readlink. */
static uint64_t mntns_of(int pid)
{
	char path[64], buf[64];
	unsigned long long v;
	ssize_t n;

	snprintf(path, sizeof(path), "/proc/%d/ns/mnt", pid);
	n = readlink(path, buf, sizeof(buf) - 1);
	if (n <= 0)
		return 0;
	buf[n] = '\0';
	return sscanf(buf, "mnt:[%llu]", &v) == 1 ? v : 0;
}

/* Copy new complete lines of t's map. */
static void track_reset(struct fg_snapshot *s, struct track *t, bool truncate);

static void copy_map(struct fg_snapshot *s, struct track *t)
{
	struct fg_safefile_opts so = {
		.uids = { t->pi.ruid, t->pi.euid },
		.nr_uids = 2,
		.max_ms = 1000,
		.max_read = 64u << 20,	/* the rest at the next poll */
	};
	struct fg_buf in = FG_BUF_INIT, out = FG_BUF_INIT;
	char root[64], rel[64], name[64];
	const char *why, *p, *end, *nl, *nm;
	uint64_t size, start, len, used;
	size_t nlen;
	int rfd, fd, err;

	if (!s->budget)
		return;
	if (t->pin >= 0) {
		rfd = s->pins[t->pin].fd;	/* used, not closed here */
		snprintf(rel, sizeof(rel), "perf-%d.map", t->pi.nspid);
	} else {
		snprintf(root, sizeof(root), "/proc/%d/root", t->pi.pid);
		rfd = fg_safefile__open_root(root);
		snprintf(rel, sizeof(rel), "tmp/perf-%d.map", t->pi.nspid);
	}
	if (rfd < 0)
		return;
	err = fg_safefile__read(rfd, rel, &so, t->copied, &in, &size, &why);
	if (err == 0 && size < t->copied) {
		/*
		 * rewritten (a JVM's dump truncates first): start over and copy
		 * it again now, not at the next poll: this may be the last read
		 * (after exit), and an emptied copy would lose every name
		 */
		track_reset(s, t, true);
		fg_buf__release(&in);
		err = fg_safefile__read(rfd, rel, &so, 0, &in, &size, &why);
	}
	if (t->pin < 0)
		close(rfd);
	if (err) {
		/* warned once, at the end, under the final comm */
		if (err != -ENOENT && !t->warned) {
			t->warned = true;
			t->why = why ? why : "cannot be read";
			s->st.refused++;
		}
		goto out;
	}
	if (!in.len)
		goto out;
	p = in.buf;
	end = in.buf + in.len;
	used = 0;
	if (t->in_long_line) {
		nl = memchr(p, '\n', (size_t)(end - p));
		p = nl ? nl + 1 : end;
		used = (uint64_t)(p - in.buf);
		if (nl)
			t->in_long_line = false;
	} else if (!memchr(p, '\n', (size_t)(end - p)) && in.len >= 64u << 20) {
		/* one line over a whole chunk: count it, skip to its end */
		t->in_long_line = true;
		t->lines++;
		if (!t->bad++)
			t->first_bad = t->lines;
		t->too_long++;
		s->st.bad_lines++;
		used = in.len;
		p = end;
	}
	while (p < end && out.len < s->budget) {
		nl = memchr(p, '\n', (size_t)(end - p));
		if (!nl)
			break;
		t->lines++;
		err = fg_perfmap__parse_line(p, (size_t)(nl - p), &start, &len,
					     &nm, &nlen);
		if (!err) {
			fg_buf__addf(&out, "%" PRIx64 " %" PRIx64 " %.*s\n",
				     start, len, (int)nlen, nm);
		} else if (err != -ENODATA) {
			s->st.bad_lines++;
			if (!t->bad++)
				t->first_bad = t->lines;
			if ((size_t)(nl - p) > FG_PERFMAP_MAX_LINE)
				t->too_long++;
		}
		p = nl + 1;
		used = (uint64_t)(p - in.buf);
	}
	if (!used)
		goto out;
	if (!out.len) {
		t->copied += used;
		goto out;
	}
	snprintf(name, sizeof(name), "%d-%" PRIu64 ".map", t->pi.pid,
		 t->pi.start_ticks);
	fd = openat(s->dir_fd, name, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC,
		    0600);
	if (fd < 0)
		goto out;
	if (out.len && write(fd, out.buf, out.len) != (ssize_t)out.len) {
		close(fd);
		goto out;
	}
	close(fd);
	if (!t->has_map)
		s->st.maps++;
	t->has_map = true;
	t->copied += used;
	s->st.bytes += out.len;
	s->budget = s->budget > out.len ? s->budget - out.len : 0;
out:
	fg_buf__release(&in);
	fg_buf__release(&out);
}

/*
 * The source map was rewritten as a whole: copy it again from its start,
 * replacing the copy (truncate) or after it (later lines win, so a copy
 * taken while the runtime was still rewriting loses nothing).
 */
static void track_reset(struct fg_snapshot *s, struct track *t, bool truncate)
{
	char name[64];
	int fd;

	if (t->has_map && truncate) {
		snprintf(name, sizeof(name), "%d-%" PRIu64 ".map", t->pi.pid,
			 t->pi.start_ticks);
		fd = openat(s->dir_fd, name, O_WRONLY | O_TRUNC | O_CLOEXEC);
		if (fd >= 0)
			close(fd);
	}
	t->copied = 0;
	/* the whole map is parsed again: so are its bad-line counts (a
	 * read that fell into a JVM's rewrite mid-line is not the map's) */
	t->lines = 0;
	t->bad = 0;
	t->first_bad = 0;
	t->too_long = 0;
	t->in_long_line = false;
}

#define JVM_REQUEST_NS	(20ull * 1000000000ull)	/* kill a request after */

/* --jvm-perfmap: ask a live JVM for its map every interval. */
static void jvm_ask(struct fg_snapshot *s, struct track *t, uint64_t now)
{
	pid_t c;

	/* the launcher maps libjvm.so a moment after exec: look again at
	 * every interval until it is there */
	if (!t->jvm && !strcmp(t->pi.comm, "java") && now >= t->jvm_next_ns) {
		if (!t->jvm_checked)	/* first request one interval in */
			t->jvm_next_ns = now + s->o.jvm_perfmap_ns;
		t->jvm_checked = true;
		t->jvm = fg_jvm__is_hotspot(t->pi.pid);
		if (!t->jvm)
			t->jvm_next_ns = now + s->o.jvm_perfmap_ns;
	}
	if (!t->jvm || t->jvm_child || now < t->jvm_next_ns || t->pi.nspid <= 0)
		return;
	c = fg_jvm__request_perfmap(t->pi.pid, t->pi.nspid);
	t->jvm_next_ns = now + s->o.jvm_perfmap_ns;
	if (c > 0) {
		t->jvm_child = c;
		t->jvm_deadline_ns = now + JVM_REQUEST_NS;
		s->st.jvm_asked++;
	}
}

/* Reap finished requests; a written map is copied again as a whole. */
static void jvm_reap(struct fg_snapshot *s, struct track *t, uint64_t now)
{
	int status;
	pid_t w;

	if (!t->jvm_child)
		return;
	if (now >= t->jvm_deadline_ns)
		kill(t->jvm_child, SIGKILL);
	w = waitpid(t->jvm_child, &status, now >= t->jvm_deadline_ns ? 0 : WNOHANG);
	if (w != t->jvm_child)
		return;
	t->jvm_child = 0;
	if (WIFEXITED(status) && WEXITSTATUS(status) == 0) {
		s->st.jvm_answered++;
		/* a request that ends after the JVM did: the exit read took
		 * the last map through the pin, which is gone now; starting
		 * over would leave an empty copy */
		if (t->gone)
			return;
		track_reset(s, t, true);
		copy_map(s, t);
	}
}

static bool map_may_exist(const struct fg_snapshot *s, const struct track *t);

/*
 * The process has exited: its map once more through the pin, then unpin.
 * A host process with no map listed in the host's /tmp at the last poll
 * (most exits on a busy host) keeps pin 0 and is looked at by the next
 * poll's listing instead: the host's /tmp outlives it, and an open of a
 * map that is not there at every exit was a twentieth of flame record's
 * CPU.
 */
static void track_gone(struct fg_snapshot *s, struct track *t)
{
	uint64_t before;

	t->gone = true;
	if (t->pin == 0 && !map_may_exist(s, t)) {
		t->exit_check = true;
		s->exit_checks++;
		return;
	}
	/* the JDK may rewrite it at exit, or be cut short while answering a
	 * request: append a whole copy */
	if (t->jvm && t->pin >= 0)
		track_reset(s, t, false);
	before = t->copied;
	if (t->pin >= 0) {
		copy_map(s, t);
		if (t->copied > before)
			s->st.exit_reads++;
	}
	track_unpin(s, t);
}

static void visit(struct fg_snapshot *s, int pid, uint64_t now, bool exec);
static bool cg_known(const struct fg_snapshot *s, const char *cg);

static bool wanted(const struct fg_snapshot *s, int pid)
{
	size_t i;

	if (pid <= 0 || pid == s->self_pid)
		return false;
	if (!s->o.nr_pids)
		return true;
	for (i = 0; i < s->o.nr_pids; i++)
		if (s->o.pids[i] == pid)
			return true;
	return false;
}

static void on_event(void *arg, int pid, bool exit)
{
	struct fg_snapshot *s = arg;
	struct track *t;

	if (!wanted(s, pid))
		return;
	s->st.events++;
	if (!exit) {
		visit(s, pid, fg_proc__now_ns(), true);
		return;
	}
	t = track_of(s, pid);
	if (t && !t->gone)
		track_gone(s, t);
}

/*
 * Queued process events: exits first (an exit queued before the exec of
 * a process that took the same pid must be seen first; an exit after it
 * is read at the next call and finds that process's track).
 */
static void events_read(struct fg_snapshot *s)
{
	if (s->pc_exit_fd >= 0 &&
	    fg_procconn__read(s->pc_exit_fd, on_event, s) == -ENOBUFS)
		s->st.events_lost++;
	if (fg_procconn__read(s->pc_fd, on_event, s) == -ENOBUFS)
		s->st.events_lost++;
}

void fg_snapshot__wait(struct fg_snapshot *s, double secs)
{
	uint64_t end = fg_proc__now_ns() + (uint64_t)(secs * 1e9), now;
	struct pollfd pfd;
	int ms;

	if (s->pc_fd < 0) {
		struct timespec ts = {
			.tv_sec = (time_t)secs,
			.tv_nsec = (long)((secs - (double)(time_t)secs) * 1e9),
		};

		nanosleep(&ts, NULL);
		return;
	}
	pfd.fd = s->pc_fd;
	pfd.events = POLLIN;
	while ((now = fg_proc__now_ns()) < end) {
		ms = (int)((end - now + 999999) / 1000000);
		pfd.revents = 0;
		if (poll(&pfd, 1, ms) < 0)
			return;		/* a signal: let the caller look */
		if (!(pfd.revents & POLLIN))
			continue;
		/* (not timed: two clock syscalls an event were 3% of the
		 * CPU; flame record counts its whole process) */
		events_read(s);
	}
}

static int cmp_int(const void *a, const void *b)
{
	int x = *(const int *)a, y = *(const int *)b;

	return x < y ? -1 : x > y;
}

/*
 * Once a poll: is the host's /tmp still the one pinned, and which
 * perf-<pid>.map files does it hold? Host processes whose map is not
 * listed are not opened at this poll (most of a poll's syscalls on a
 * host with a thousand processes); reads at exit do not use the list.
 */
static int host_map_add(void *arg, int pid)
{
	struct fg_snapshot *s = arg;

	if (fg_grow(&s->host_maps, &s->alloc_host_maps, s->nr_host_maps,
		    sizeof(*s->host_maps), 64))
		return -ENOMEM;
	s->host_maps[s->nr_host_maps++] = pid;
	return 0;
}

static void host_tmp_list(struct fg_snapshot *s)
{
	struct timespec now;
	struct stat st;

	s->host_listed = false;
	s->host_tmp_same = s->pins[0].fd >= 0 && !stat("/tmp", &st) &&
			   st.st_dev == s->pins[0].dev &&
			   st.st_ino == s->pins[0].ino;
	if (!s->host_tmp_same) {
		s->host_list_ok = false;
		return;
	}
	/*
	 * No entry made or removed since the last listing (the directory's
	 * mtime is what it was): that list holds. A listing taken within a
	 * second of the mtime it saw is not reused (a file made later in
	 * the same clock tick leaves the mtime as it was).
	 */
	if (s->host_list_ok && st.st_mtim.tv_sec == s->host_mtime.tv_sec &&
	    st.st_mtim.tv_nsec == s->host_mtime.tv_nsec) {
		s->host_listed = true;
		return;
	}
	s->host_list_ok = false;
	clock_gettime(CLOCK_REALTIME, &now);
	s->nr_host_maps = 0;
	if (fg_perfmap__scan_dir(s->pins[0].fd, ".", host_map_add, s))
		return;	/* not listed: every map is opened */
	qsort(s->host_maps, s->nr_host_maps, sizeof(*s->host_maps), cmp_int);
	s->host_listed = true;
	s->host_list_ok = now.tv_sec > st.st_mtim.tv_sec + 1;
	s->host_mtime = st.st_mtim;
}

/* Worth opening t's map at a poll? */
static bool map_may_exist(const struct fg_snapshot *s, const struct track *t)
{
	if (t->pin != 0 || t->has_map || t->copied || !s->host_listed)
		return true;
	return bsearch(&t->pi.nspid, s->host_maps, s->nr_host_maps,
		       sizeof(*s->host_maps), cmp_int) != NULL;
}

/*
 * Host processes gone since the last poll whose map was not read at their
 * exit (track_gone): read it now from the host's /tmp (pin 0) if it is
 * listed (all: the snapshot ends), unless a newer process took the pid.
 */
static void exit_checks(struct fg_snapshot *s, bool all)
{
	size_t i;

	for (i = 0; i < s->nr && s->exit_checks; i++) {
		struct track *t = &s->t[i];
		uint64_t before = t->copied;

		if (!t->exit_check)
			continue;
		t->exit_check = false;
		s->exit_checks--;
		if (track_of(s, t->pi.pid) == t && t->pin == 0 &&
		    (all || map_may_exist(s, t))) {
			copy_map(s, t);
			if (t->copied > before)
				s->st.exit_reads++;
		}
		t->pin = -1;
	}
}

/* A new process: fg_proc__read_fast with what the snapshot knows. */
static int proc_read(struct fg_snapshot *s, int pid, struct fg_procinfo *pi,
		     bool *kthread, bool *cg_seen)
{
	struct fg_proc_fast f = { .pidns = s->self_pidns, .cg = s->cg };

	return fg_proc__read_fast(pid, pi, &f, kthread, cg_seen);
}

/*
 * Look at pid: track a new incarnation, keep its /tmp pinned, copy its map.
 * exec: called for an exec event (the process may have entered another
 * mount namespace and mounted its /tmp just before).
 */
static void visit(struct fg_snapshot *s, int pid, uint64_t now, bool exec)
{
	struct fg_procinfo pi;
	struct track *t = NULL;
	uint64_t ticks, ns;
	char comm[64] = "";
	bool kthread = false, fresh = false, cg_seen = false;
	struct track *last = track_of(s, pid);

	/*
	 * A process looked at before, with the process connector on and no
	 * event lost since: no exit event means the same incarnation, no exec
	 * event the same program; skip re-reading /proc/PID/stat (most of a
	 * poll's cost on a host with many processes).
	 */
	if (last && !exec && s->pc_fd >= 0 &&
	    s->st.events_lost == s->lost_checked) {
		t = last;
		if (!t->gone) {
			t->last_ns = now;
			if (t->kthread)
				return;
			goto known;
		}
		t = NULL;
	}
	if (!last) {
		/* a process not seen yet: /proc/PID/stat read once */
		if (proc_read(s, pid, &pi, &kthread, &cg_seen))
			return;
		goto read;
	}
	if (stat_start(pid, &ticks, comm, sizeof(comm), &kthread))
		return;
	t = last;
	if (t->pi.start_ticks != ticks)
		t = NULL;
	if (!t) {
		if (proc_read(s, pid, &pi, &kthread, &cg_seen) ||
		    pi.start_ticks != ticks)
			return;
read:
		t = track_new(s, &pi);
		if (!t)
			return;
		fresh = true;
		if (!s->cg_stale && !cg_seen && !cg_known(s, pi.cgroup))
			s->cg_stale = true;
	}
	t->last_ns = now;
	t->gone = false;	/* alive after all (a racing exit event) */
	if (t->exit_check) {
		t->exit_check = false;
		s->exit_checks--;
	}
	if (comm[0])	/* exec changes comm, not the incarnation */
		memcpy(t->pi.comm, comm, sizeof(t->pi.comm));
	t->kthread = kthread;
	if (kthread)	/* no user space, no map */
		return;
known:
	/*
	 * A host process keeps the host's /tmp unless it moves to another
	 * mount namespace: one readlink instead of re-pinning, at every 4th
	 * poll (in turns by pid). Programs enter another namespace by exec
	 * (unshare, nsenter, container runtimes: an exec event, looked at
	 * at once); a process that calls unshare(2) itself and stays is seen
	 * within 4 polls. Without events (or some lost): at every poll.
	 */
	if (!fresh && !exec && t->pin == 0 && t->host_mntns) {
		if (s->pc_fd >= 0 && s->st.events_lost == s->lost_checked &&
		    (s->st.polls + (unsigned int)pid) % 4)
			goto pinned;
		ns = mntns_of(pid);
		if (ns && ns != t->pi.mntns) {
			t->pi.mntns = ns;
			t->host_mntns = ns == s->self_mntns;
			track_pin(s, t);
		}
	} else {
		/* (a fresh track has just read its mount namespace) */
		if (exec && !fresh && (ns = mntns_of(pid)) && ns != t->pi.mntns) {
			t->pi.mntns = ns;
			t->host_mntns = ns == s->self_mntns;
			s->cg_stale = true;	/* a container starting: its cgroup */
		}
		track_pin(s, t);
	}
pinned:
	/*
	 * A process first seen at its exec has written no map of this
	 * program yet (or only just): its pin is read at its exit event or
	 * at the next poll, so not here, where short processes pile up.
	 * A host process's map (pin 0, the host's /tmp, which outlives it)
	 * only when the last listing showed it, at an exec as at a poll.
	 */
	if ((!exec || !(fresh && t->pin >= 0)) && map_may_exist(s, t))
		copy_map(s, t);
	/*
	 * A container's binaries: once per exec, at the first poll after it
	 * (the libraries are mapped by then); never in the exec event path,
	 * which must stay quick for processes that live a few ms.
	 */
	if (s->bc && exec)
		t->bin_scans = 0;
	else if (s->bc && !t->host_mntns && t->pi.mntns && !t->bin_scans) {
		t->bin_scans = 1;
		fg_bincache__scan(s->bc, pid);
	}
	if (s->o.jvm_perfmap_ns)
		jvm_ask(s, t, now);
}

static void add_line(struct fg_buf *b, const struct track *t)
{
	char name[64] = "";

	if (t->has_map)
		snprintf(name, sizeof(name), "%d-%" PRIu64 ".map", t->pi.pid,
			 t->pi.start_ticks);
	fg_buf__addf(b, "P\t%d\t%d\t%" PRIu64 "\t%" PRIu64 "\t%" PRIu64 "\t%"
		     PRIu64 "\t%u\t%" PRIu64 "\t%" PRIu64 "\t%d\t%s\t%s\t%s\t%s\n",
		     t->pi.pid, t->pi.nspid, t->pi.start_ticks, t->pi.start_ns,
		     t->pi.pidns, t->pi.mntns, (unsigned int)t->pi.euid,
		     t->first_ns, t->last_ns, t->host_mntns ? 1 : 0,
		     name[0] ? name : "-", t->label, t->pi.cgroup, t->pi.comm);
}

/* Is cgroup path cg in the tree of the last walk? */
static bool cg_known(const struct fg_snapshot *s, const char *cg)
{
	const char *path;
	uint64_t ino;
	size_t i;

	if (!s->cg)
		return false;
	if (!cg[0] || !strcmp(cg, "/"))
		return true;
	for (i = 0; fg_cgmap__entry(s->cg, i, &ino, &path); i++)
		if (!strcmp(path, cg))
			return true;
	return false;
}

static void scan_cgroups(struct fg_snapshot *s)
{
	struct fg_cgmap *cg;
	char label[64], full[80], key[32];
	const char *path;
	uint64_t ino;
	size_t i;

	if (!s->cgmnt[0])
		return;
	cg = fg_cgmap__scan(s->cgmnt);
	if (!cg)
		return;
	for (i = 0; fg_cgmap__entry(cg, i, &ino, &path); i++) {
		char clean[1024];

		snprintf(key, sizeof(key), "\n%" PRIu64 "\t", ino);
		if (s->cgseen.buf && strstr(s->cgseen.buf, key))
			continue;
		snprintf(clean, sizeof(clean), "%s", path);
		fg_proc__sanitize(clean);
		fg_container__id(clean, label, sizeof(label), full, sizeof(full));
		if (!s->cgseen.len)
			fg_buf__addch(&s->cgseen, '\n');
		fg_buf__addf(&s->cgseen, "%" PRIu64 "\t%s\t%s\n", ino, label,
			     clean);
	}
	fg_cgmap__delete(s->cg);
	s->cg = cg;
}

static int write_index(struct fg_snapshot *s)
{
	struct fg_buf b = FG_BUF_INIT;
	const char *p, *nl;
	size_t i;
	int fd, err = 0;

	fg_buf__adds(&b, "# flame-maps 1\n");
	for (i = 0; i < s->nr; i++)
		add_line(&b, &s->t[i]);
	for (p = s->cgseen.buf; p && *p; p = nl + 1) {
		nl = strchr(p, '\n');
		if (!nl)
			break;
		if (nl > p)
			fg_buf__addf(&b, "C\t%.*s\n", (int)(nl - p), p);
	}
	if (!b.buf) {
		err = -ENOMEM;
		goto out;
	}
	fd = openat(s->dir_fd, "index.tmp", O_WRONLY | O_CREAT | O_TRUNC |
		    O_CLOEXEC, 0600);
	if (fd < 0) {
		err = -errno;
		goto out;
	}
	if (write(fd, b.buf, b.len) != (ssize_t)b.len)
		err = -EIO;
	close(fd);
	if (!err && renameat(s->dir_fd, "index.tmp", s->dir_fd, "index"))
		err = -errno;
out:
	fg_buf__release(&b);
	return err;
}

/*
 * What the index says but the times a process was last seen: a hash of the
 * other fields of every P line and of the C lines.
 */
static uint64_t index__sig(const struct fg_snapshot *s)
{
	uint64_t h = 0xcbf29ce484222325ull ^ s->nr ^ ((uint64_t)s->cgseen.len << 32);
	size_t i;

#define MIX(v)	(h = (h ^ (uint64_t)(v)) * 0x100000001b3ull)
	for (i = 0; i < s->nr; i++) {
		const struct track *t = &s->t[i];
		const char *c;

		MIX(t->pi.pid);
		MIX(t->pi.nspid);
		MIX(t->pi.start_ticks);
		MIX(t->pi.pidns);
		MIX(t->pi.mntns);
		MIX(t->pi.euid);
		MIX(t->host_mntns | t->has_map << 1);
		for (c = t->pi.comm; *c; c++)
			MIX(*c);
		for (c = t->label; *c; c++)
			MIX(*c);
		for (c = t->pi.cgroup; *c; c++)
			MIX(*c);
	}
#undef MIX
	return h;
}

/*
 * The index is written again when a line changed other than its last-seen
 * time, at most every 2 s then, at least every 5 s (those times), and when
 * the snapshot ends: rewriting 1,000 lines and a new file at every poll was
 * a tenth of flame record's CPU on a busy host (its processes come and go,
 * so the lines changed at nearly every poll). A flame record killed
 * outright leaves an index up to 2 s old (the maps themselves are there).
 */
#define INDEX_CHANGED_NS	(2ull * 1000 * 1000 * 1000)
#define INDEX_EVERY_NS		(5ull * 1000 * 1000 * 1000)

static int index__maybe_write(struct fg_snapshot *s, uint64_t now)
{
	uint64_t sig;
	int err;

	if (s->index_written && now - s->index_ns < INDEX_CHANGED_NS) {
		s->index_stale = true;
		return 0;
	}
	sig = index__sig(s);
	if (s->index_written && sig == s->index_sig &&
	    now - s->index_ns < INDEX_EVERY_NS) {
		s->index_stale = true;
		return 0;
	}
	err = write_index(s);
	if (!err) {
		s->index_written = true;
		s->index_sig = sig;
		s->index_ns = now;
		s->index_stale = false;
	}
	return err;
}

int fg_snapshot__poll(struct fg_snapshot *s)
{
	unsigned int scanned = 0;
	uint64_t c0 = fg_proc__clock_ns(CLOCK_PROCESS_CPUTIME_ID), now = fg_proc__now_ns();
	struct dirent *de;
	DIR *d;
	size_t i;
	int err;

	s->budget = s->o.max_bytes_per_poll ? s->o.max_bytes_per_poll
					    : 64ull << 20;
	/* exits queued since the last wake-up, before the listing: a map
	 * written at exit is in it */
	if (s->pc_fd >= 0)
		events_read(s);
	host_tmp_list(s);
	exit_checks(s, false);
	if (s->o.nr_pids) {
		for (i = 0; i < s->o.nr_pids; i++)
			visit(s, s->o.pids[i], now, false);
	} else {
		d = opendir("/proc");
		if (!d)
			return -errno;
		while ((de = readdir(d))) {
			char *e;
			long pid = strtol(de->d_name, &e, 10);

			if (*e || pid <= 0 || pid == s->self_pid)
				continue;
			visit(s, (int)pid, now, false);
			/* a long scan must not delay exec events: a short
			 * process may be gone by its end */
			if (s->pc_fd >= 0 && !(++scanned % 32))
				events_read(s);
		}
		closedir(d);
	}
	/* gone since the last poll (or a new incarnation took the pid): read
	 * the map once more through the pin, then drop it */
	for (i = 0; i < s->nr; i++) {
		struct track *t = &s->t[i];

		jvm_reap(s, t, now);
		/* events during this poll visit with later times */
		if (!t->gone && t->last_ns < now)
			track_gone(s, t);
	}
	s->lost_checked = s->st.events_lost;
	/*
	 * The cgroup2 tree (perf's cgroup ids to containers): walked when a
	 * new process sits in a cgroup the last walk did not see, else every
	 * 8th poll (cgroups made and left empty meanwhile hold no samples).
	 */
	if (s->cg_stale || !s->cg || !(s->st.polls % 8))
		scan_cgroups(s);
	s->cg_stale = false;
	if (s->bc)
		s->st.bins = *fg_bincache__stats(s->bc);
	err = index__maybe_write(s, now);
	s->st.polls++;
	s->st.cpu_ns += fg_proc__clock_ns(CLOCK_PROCESS_CPUTIME_ID) - c0;
	return err;
}

const struct fg_cgmap *fg_snapshot__cgmap(const struct fg_snapshot *s,
					  const char **mnt)
{
	*mnt = s->cgmnt;
	return s->cgmnt[0] ? s->cg : NULL;
}

const struct fg_snapshot_stats *fg_snapshot__stats(const struct fg_snapshot *s)
{
	return &s->st;
}

void fg_snapshot__end(struct fg_snapshot *s)
{
	uint64_t maps = s->st.maps, reads = s->st.exit_reads;

	if (!s->exit_checks)
		return;
	exit_checks(s, true);
	if (s->st.maps != maps || s->st.exit_reads != reads)
		s->index_stale = true;
}

void fg_snapshot__delete(struct fg_snapshot *s)
{
	size_t i;

	if (!s)
		return;
	fg_snapshot__end(s);
	if (s->index_stale)
		write_index(s);	/* the last-seen times of the last poll */
	free(s->host_maps);
	for (i = 0; i < s->nr; i++) {
		struct track *t = &s->t[i];

		if (t->why)
			pr_warn("snapshot: pid %d (%s): /tmp/perf-%d.map in its root %s; not copied\n",
				t->pi.pid, t->pi.comm, t->pi.nspid, t->why);
		if (!t->bad)
			continue;
		pr_warn("snapshot: pid %d (%s): /tmp/perf-%d.map: %" PRIu64 " of %"
			PRIu64 " lines malformed, not copied (first at line %" PRIu64
			", %" PRIu64 " over %u bytes)\n", t->pi.pid, t->pi.comm,
			t->pi.nspid, t->bad, t->lines, t->first_bad, t->too_long,
			FG_PERFMAP_MAX_LINE);
	}
	for (i = 0; i < s->nr; i++) {
		if (s->t[i].jvm_child) {
			kill(s->t[i].jvm_child, SIGKILL);
			waitpid(s->t[i].jvm_child, NULL, 0);
		}
	}
	for (i = 0; i < s->nr_pins; i++)
		if (s->pins[i].fd >= 0)
			close(s->pins[i].fd);
	free(s->pins);
	fg_bincache__delete(s->bc);
	if (s->pc_fd >= 0)
		close(s->pc_fd);
	if (s->pc_exit_fd >= 0)
		close(s->pc_exit_fd);
	if (s->dir_fd >= 0)
		close(s->dir_fd);
	fg_cgmap__delete(s->cg);
	fg_buf__release(&s->cgseen);
	free(s->t);
	fg_hashmap__delete(s->by_pid);
	free(s->pids);
	free(s->dir);
	free(s);
}

/* ---- reading an index ---------------------------------------------------- */

static int cmp_entry(const void *a, const void *b)
{
	const struct fg_snap_entry *x = a, *y = b;

	if (x->pid != y->pid)
		return x->pid < y->pid ? -1 : 1;
	return x->start_ns < y->start_ns ? -1 : x->start_ns > y->start_ns;
}

static int cmp_cg(const void *a, const void *b)
{
	const struct fg_snap_cgroup *x = a, *y = b;

	return x->ino < y->ino ? -1 : x->ino > y->ino;
}

/* Split line at tabs into at most max fields; returns the count. */
static int split_tabs(char *line, char **f, int max)
{
	int n = 0;

	while (n < max) {
		f[n++] = line;
		line = strchr(line, '\t');
		if (!line)
			break;
		*line++ = '\0';
	}
	return line ? -1 : n;
}

static bool parse_u64(const char *s, uint64_t *v)
{
	char *e;

	if (*s < '0' || *s > '9')
		return false;
	errno = 0;
	*v = strtoull(s, &e, 10);
	return !*e && !errno;
}

static bool safe_name(const char *s)
{
	/* <pid>-<ticks>.map, nothing else: never a path */
	size_t n = strspn(s, "0123456789-");

	return n > 0 && !strcmp(s + n, ".map");
}

static int parse_p(struct fg_snapidx *x, char **f, int n)
{
	struct fg_snap_entry *e;
	uint64_t v[10], h;
	int i;

	if (n != 15)
		return -EINVAL;
	for (i = 0; i < 9; i++)
		if (!parse_u64(f[i + 1], &v[i]))
			return -EINVAL;
	if (!parse_u64(f[10], &h) || v[0] == 0 || v[0] > INT32_MAX ||
	    v[1] > INT32_MAX)
		return -EINVAL;
	if (strcmp(f[11], "-") && !safe_name(f[11]))
		return -EINVAL;
	e = &x->e[x->nr];
	memset(e, 0, sizeof(*e));
	e->pid = (int)v[0];
	e->nspid = (int)v[1];
	e->start_ticks = v[2];
	e->start_ns = v[3];
	e->pidns = v[4];
	e->mntns = v[5];
	e->uid = (uid_t)v[6];
	e->first_ns = v[7];
	e->last_ns = v[8];
	e->host_mntns = h == 1;
	e->map = strdup(strcmp(f[11], "-") ? f[11] : "");
	e->label = strdup(f[12]);
	e->cgroup = strdup(f[13]);
	e->comm = strdup(f[14]);
	if (!e->map || !e->label || !e->cgroup || !e->comm)
		return -ENOMEM;
	fg_proc__sanitize(e->label);
	fg_proc__sanitize(e->comm);
	x->nr++;
	return 0;
}

static int parse_c(struct fg_snapidx *x, char **f, int n)
{
	struct fg_snap_cgroup *c = &x->cg[x->nr_cg];

	if (n != 4 || !parse_u64(f[1], &c->ino))
		return -EINVAL;
	c->label = strdup(f[2]);
	c->cgroup = strdup(f[3]);
	if (!c->label || !c->cgroup)
		return -ENOMEM;
	fg_proc__sanitize(c->label);
	x->nr_cg++;
	return 0;
}

struct fg_snapidx *fg_snapidx__load(const char *dir)
{
	struct fg_snapidx *x = calloc(1, sizeof(*x));
	struct fg_safefile_opts so = { .max_size = 256ull << 20 };
	struct fg_buf b = FG_BUF_INIT;
	char *line, *nl, *f[16];
	size_t lines = 0;
	uint64_t size;
	const char *why;
	int err = -ENOMEM, n;

	if (!x)
		return NULL;
	x->dir_fd = -1;
	x->dir = strdup(dir);
	if (!x->dir)
		goto out_err;
	x->dir_fd = fg_safefile__open_root(dir);
	if (x->dir_fd < 0) {
		err = x->dir_fd;
		goto out_err;
	}
	so.uids[0] = geteuid();
	so.nr_uids = 1;
	err = fg_safefile__read(x->dir_fd, "index", &so, 0, &b, &size, &why);
	if (err)
		goto out_err;
	for (line = b.buf; line && *line; line = nl + 1) {
		nl = strchr(line, '\n');
		if (!nl)
			break;
		lines++;
	}
	x->e = calloc(lines + 1, sizeof(*x->e));
	x->cg = calloc(lines + 1, sizeof(*x->cg));
	err = -ENOMEM;
	if (!x->e || !x->cg)
		goto out_err;
	for (line = b.buf; line && *line; line = nl + 1) {
		nl = strchr(line, '\n');
		if (!nl)
			break;
		*nl = '\0';
		if (line[0] == '#' || !line[0])
			continue;
		n = split_tabs(line, f, 16);
		if (n > 0 && !strcmp(f[0], "P"))
			err = parse_p(x, f, n);
		else if (n > 0 && !strcmp(f[0], "C"))
			err = parse_c(x, f, n);
		else
			err = -EINVAL;
		if (err == -ENOMEM)
			goto out_err;
		if (err)
			x->bad_lines++;
	}
	qsort(x->e, x->nr, sizeof(*x->e), cmp_entry);
	qsort(x->cg, x->nr_cg, sizeof(*x->cg), cmp_cg);
	fg_buf__release(&b);
	return x;
out_err:
	fg_buf__release(&b);
	fg_snapidx__delete(x);
	errno = -err;
	return NULL;
}

void fg_snapidx__delete(struct fg_snapidx *x)
{
	size_t i;

	if (!x)
		return;
	for (i = 0; i < x->nr; i++) {
		free(x->e[i].map);
		free(x->e[i].label);
		free(x->e[i].cgroup);
		free(x->e[i].comm);
	}
	for (i = 0; i < x->nr_cg; i++) {
		free(x->cg[i].label);
		free(x->cg[i].cgroup);
	}
	if (x->dir_fd >= 0)
		close(x->dir_fd);
	free(x->e);
	free(x->cg);
	free(x->dir);
	free(x);
}

const struct fg_snap_entry *fg_snapidx__find(const struct fg_snapidx *x,
					     int pid, size_t *nr)
{
	size_t lo = 0, hi = x ? x->nr : 0, mid, end;

	*nr = 0;
	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		if (x->e[mid].pid < pid)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (!x || lo >= x->nr || x->e[lo].pid != pid)
		return NULL;
	for (end = lo; end < x->nr && x->e[end].pid == pid; end++)
		;
	*nr = end - lo;
	return &x->e[lo];
}

const struct fg_snap_cgroup *fg_snapidx__cgroup(const struct fg_snapidx *x,
					      uint64_t ino)
{
	struct fg_snap_cgroup key = { .ino = ino };

	if (!x || !x->nr_cg)
		return NULL;
	return bsearch(&key, x->cg, x->nr_cg, sizeof(*x->cg), cmp_cg);
}
