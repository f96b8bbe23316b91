// SPDX-License-Identifier: GPL-2.0
/*
 * Names for JIT frames perf leaves unnamed, and container labels.
 *
 * Per host pid we know up to N incarnations (PID reuse): the snapshot's
 * entries and the live process, each with its start time in the perf sample
 * clock (lib/containers/procinfo.c). A sample at time T belongs to the latest
 * incarnation that started at or before T (+ one tick of slack). Each
 * incarnation has its own maps, loaded lazily, one per source, in this
 * order: snapshot, live root, rootfs=PID:DIR, host /tmp (host mount
 * namespace only). See docs/containers.md.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <flame/jit.h>
#include "internal.h"
#include <flame/hashmap.h>
#include <flame/containers.h>
#include <flame/perfmap.h>

#define START_SLACK_NS	2000000ull	/* clock skew perf clock vs MONOTONIC */
#define TICK_NS		10000000ull	/* start times are floor()ed to ticks */
#define MEM_CAP		(1ull << 30)	/* all maps of a run together */
#define NOMAP_LIST	16

static const char *const src_name[FG_JIT__MAX] = {
	[FG_JIT_NONE] = "none",
	[FG_JIT_SNAPSHOT] = "snapshot",
	[FG_JIT_LIVE] = "live",
	[FG_JIT_ROOTFS] = "rootfs",
	[FG_JIT_HOST] = "host",
};

struct pinc {
	uint64_t start_ns;		/* 0: unknown incarnation */
	uint64_t start_ticks;
	const struct fg_snap_entry *snap;
	bool live;
	bool host_known, host;		/* in the host mount namespace? */
	int nspid;
	uid_t uids[2];
	char comm[64];
	char cgroup[512];
	struct fg_perfmap *map[FG_JIT__MAX];
	bool tried[FG_JIT__MAX];
	bool had_map, named, reported;
	bool unproven_noted;		/* counted in j->unproven */
	uint64_t missed;		/* addresses no source named */
	uint64_t missed_anon;		/* of which in anonymous exec memory */
};

struct pinfo {
	int pid;
	struct pinc *inc;		/* sorted by start_ns */
	size_t nr_inc;
	struct pinc unknown;
};

struct rootfs {
	int pid;
	char *dir;
};

struct cglabel {
	uint64_t ino;
	uint32_t label, full;		/* strtab ids */
};

struct pid_ent {
	uint64_t pid;			/* key */
	struct pinfo *p;
};

struct fg_jit {
	char *maps_dir;
	struct fg_snapidx *snap;
	struct rootfs *rootfs;
	size_t nr_rootfs;
	bool no_live, no_host;
	uint64_t self_mntns;
	struct fg_hashmap *pids;	/* struct pid_ent */
	/* the last pid looked up (samples of one thread come in runs);
	 * pinfos live as long as the table */
	int last_pid;
	struct pinfo *last_p;
	struct fg_strtab *strs;
	struct cglabel *cgl;
	size_t nr_cgl, alloc_cgl;
	struct fg_cgmap *cgmap;
	bool cg_scanned;
	const char *(*cgroup_path)(void *arg, uint64_t cgroup_id);
	void *cgroup_arg;
	uint64_t named[FG_JIT__MAX];
	uint64_t mem;
	bool mem_warned;
	uint64_t nomap;
	struct fg_buf nomap_list;
	uint64_t unproven;		/* host maps used without evidence */
	int unproven_pid;
};

/* ---- options ------------------------------------------------------------ */

/* perf does not tell a dlfilter its input: look at our own command line. */
static char *input_from_cmdline(void)
{
	char buf[65536], *p, *end, *val = NULL;
	ssize_t n;
	int fd = open("/proc/self/cmdline", O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return strdup("perf.data");
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return strdup("perf.data");
	buf[n] = '\0';
	end = buf + n;
	for (p = buf; p < end; p += strlen(p) + 1) {
		char *next = p + strlen(p) + 1;

		if (!strcmp(p, "--"))
			break;
		if ((!strcmp(p, "-i") || !strcmp(p, "--input")) && next < end)
			val = next;
		else if (!strncmp(p, "--input=", 8))
			val = p + 8;
		else if (!strncmp(p, "-i", 2) && p[2])
			val = p + 2;
	}
	return strdup(val ? val : "perf.data");
}

char *fg_perf__input_path(void)
{
	return input_from_cmdline();
}

static int add_rootfs(struct fg_jit *j, const char *spec)
{
	const char *colon = strchr(spec, ':');
	struct rootfs *r;
	char *e;
	long pid;

	if (!colon)
		return -EINVAL;
	pid = strtol(spec, &e, 10);
	if (e != colon || pid <= 0 || pid > INT32_MAX || !colon[1])
		return -EINVAL;
	r = realloc(j->rootfs, (j->nr_rootfs + 1) * sizeof(*r));
	if (!r)
		return -ENOMEM;
	j->rootfs = r;
	r = &j->rootfs[j->nr_rootfs];
	r->pid = (int)pid;
	r->dir = strdup(colon + 1);
	if (!r->dir)
		return -ENOMEM;
	j->nr_rootfs++;
	return 0;
}

struct fg_jit *fg_jit__new(const struct fg_jit_opts *o)
{
	struct fg_jit *j = calloc(1, sizeof(*j));
	struct fg_jit_opts none = { 0 };
	char *input = NULL;
	struct stat st;
	size_t i;
	int err = -ENOMEM;

	if (!j)
		return NULL;
	if (!o)
		o = &none;
	j->no_live = o->no_live;
	j->no_host = o->no_host;
	j->cgroup_path = o->cgroup_path;
	j->cgroup_arg = o->cgroup_arg;
	j->self_mntns = fg_proc__self_mntns();
	j->strs = fg_strtab__new();
	j->pids = fg_hashmap__new(sizeof(struct pid_ent), fg_hashmap__eq_u64);
	if (!j->strs || !j->pids)
		goto out_err;
	for (i = 0; i < o->rootfs.n; i++) {
		err = add_rootfs(j, o->rootfs.v[i]);
		if (err) {
			if (err == -EINVAL)
				pr_warn("jit: rootfs=%s: expected PID:DIR\n",
					o->rootfs.v[i]);
			goto out_err;
		}
	}
	if (o->maps_dir) {
		j->maps_dir = strdup(o->maps_dir);
	} else {
		input = o->input ? strdup(o->input) : input_from_cmdline();
		if (!input)
			goto out_err;
		if (asprintf(&j->maps_dir, "%s.maps", input) < 0)
			j->maps_dir = NULL;
		else if (stat(j->maps_dir, &st) || !S_ISDIR(st.st_mode)) {
			free(j->maps_dir);
			j->maps_dir = NULL;
		}
		free(input);
	}
	if (j->maps_dir) {
		j->snap = fg_snapidx__load(j->maps_dir);
		if (!j->snap)
			pr_warn("jit: maps=%s: no usable snapshot index: %s\n",
				j->maps_dir, strerror(errno));
		else if (j->snap->bad_lines)
			pr_warn("jit: maps=%s: %" PRIu64 " malformed index lines ignored\n",
				j->maps_dir, j->snap->bad_lines);
	}
	return j;
out_err:
	fg_jit__delete(j);
	errno = -err;
	return NULL;
}

static void pinfo_delete(struct pinfo *p)
{
	size_t i, s;

	if (!p)
		return;
	for (i = 0; i < p->nr_inc; i++)
		for (s = 0; s < FG_JIT__MAX; s++)
			fg_perfmap__delete(p->inc[i].map[s]);
	for (s = 0; s < FG_JIT__MAX; s++)
		fg_perfmap__delete(p->unknown.map[s]);
	free(p->inc);
	free(p);
}

const char *fg_jit__maps_dir(const struct fg_jit *j)
{
	return j ? j->maps_dir : NULL;
}

void fg_jit__delete(struct fg_jit *j)
{
	struct pid_ent *e;
	size_t i;

	if (!j)
		return;
	if (j->pids)
		fg_hashmap__for_each(j->pids, e, i)
			pinfo_delete(e->p);
	fg_hashmap__delete(j->pids);
	for (i = 0; i < j->nr_rootfs; i++)
		free(j->rootfs[i].dir);
	free(j->rootfs);
	free(j->cgl);
	fg_cgmap__delete(j->cgmap);
	fg_strtab__delete(j->strs);
	fg_snapidx__delete(j->snap);
	fg_buf__release(&j->nomap_list);
	free(j->maps_dir);
	free(j);
}

/* ---- processes and incarnations ----------------------------------------- */

static int cmp_inc(const void *a, const void *b)
{
	const struct pinc *x = a, *y = b;

	return x->start_ns < y->start_ns ? -1 : x->start_ns > y->start_ns;
}

static struct pinfo *pinfo_build(struct fg_jit *j, int pid)
{
	const struct fg_snap_entry *se;
	struct fg_procinfo pi;
	struct pinfo *p = calloc(1, sizeof(*p));
	bool live = false;
	size_t nr = 0, i;

	if (!p)
		return NULL;
	p->pid = pid;
	se = fg_snapidx__find(j->snap, pid, &nr);
	if (!j->no_live && fg_proc__read(pid, &pi) == 0)
		live = true;
	p->inc = calloc(nr + 1, sizeof(*p->inc));
	if (!p->inc) {
		free(p);
		return NULL;
	}
	for (i = 0; i < nr; i++) {
		struct pinc *c = &p->inc[p->nr_inc++];

		c->snap = &se[i];
		c->start_ns = se[i].start_ns;
		c->start_ticks = se[i].start_ticks;
		c->nspid = se[i].nspid;
		c->uids[0] = c->uids[1] = se[i].uid;
		c->host_known = true;
		c->host = se[i].host_mntns;
		snprintf(c->comm, sizeof(c->comm), "%s", se[i].comm);
		snprintf(c->cgroup, sizeof(c->cgroup), "%s", se[i].cgroup);
		if (live && se[i].start_ticks == pi.start_ticks) {
			c->live = true;
			live = false;
		}
	}
	if (live) {
		struct pinc *c = &p->inc[p->nr_inc++];

		c->live = true;
		c->start_ns = pi.start_ns;
		c->start_ticks = pi.start_ticks;
		c->nspid = pi.nspid;
		c->uids[0] = pi.ruid;
		c->uids[1] = pi.euid;
		c->host_known = pi.mntns != 0 && j->self_mntns != 0;
		c->host = c->host_known && pi.mntns == j->self_mntns;
		snprintf(c->comm, sizeof(c->comm), "%s", pi.comm);
		snprintf(c->cgroup, sizeof(c->cgroup), "%s", pi.cgroup);
	}
	qsort(p->inc, p->nr_inc, sizeof(*p->inc), cmp_inc);
	snprintf(p->unknown.comm, sizeof(p->unknown.comm), "?");
	p->unknown.nspid = 0;
	return p;
}

/* What is known of pid (built on first use); NULL without j or a pid. */
static struct pinfo *pinfo_get(struct fg_jit *j, int pid)
{
	uint64_t key = (uint64_t)pid;
	struct pid_ent *e;
	struct pinfo *p;

	if (!j || pid <= 0)
		return NULL;
	if (j->last_p && j->last_pid == pid)
		return j->last_p;
	e = fg_hashmap__find(j->pids, fg_hash64(key), &key);
	if (e) {
		j->last_pid = pid;
		j->last_p = e->p;
		return e->p;
	}
	p = pinfo_build(j, pid);
	if (!p)
		return NULL;
	e = fg_hashmap__insert(j->pids, fg_hash64(key), &key, NULL);
	if (!e) {
		pinfo_delete(p);
		return NULL;
	}
	e->pid = key;
	e->p = p;
	j->last_pid = pid;
	j->last_p = p;
	return p;
}

static struct pinc *pick_inc(struct pinfo *p, uint64_t time)
{
	size_t i;

	if (!p->nr_inc)
		return &p->unknown;
	if (!time)
		return &p->inc[p->nr_inc - 1];
	for (i = p->nr_inc; i-- > 0;)
		if (p->inc[i].start_ns <= time + START_SLACK_NS)
			return &p->inc[i];
	return &p->unknown;
}

/* The incarnation of pid running at time (*pp its process); NULL without. */
static struct pinc *pinc_get(struct fg_jit *j, int pid, uint64_t time,
			     struct pinfo **pp)
{
	*pp = pinfo_get(j, pid);
	return *pp ? pick_inc(*pp, time) : NULL;
}

uint32_t fg_jit__incarnation(struct fg_jit *j, int pid, uint64_t time)
{
	struct pinfo *p;
	struct pinc *c;

	c = pinc_get(j, pid, time, &p);
	if (!c || c == &p->unknown)
		return 0;
	return (uint32_t)(fg_hash64(c->start_ticks) | 1);
}

/* ---- loading maps --------------------------------------------------------- */

static const char *rootfs_of(struct fg_jit *j, int pid)
{
	size_t i;

	for (i = 0; i < j->nr_rootfs; i++)
		if (j->rootfs[i].pid == pid)
			return j->rootfs[i].dir;
	return NULL;
}

struct only_map {
	int pid, found;
};

static int only_map_add(void *arg, int pid)
{
	struct only_map *m = arg;

	if (m->found++ == 0)
		m->pid = pid;
	return 0;
}

/* In a left-over root, the map is named after the NSpid, which we may not
 * know: take the only perf-*.map in DIR/tmp, else perf-<pid>.map. */
static void rootfs_rel(int rfd, int nspid, int pid, char *rel, size_t len)
{
	struct only_map m = { 0 };

	if (nspid > 0) {
		snprintf(rel, len, "tmp/perf-%d.map", nspid);
		return;
	}
	if (!fg_perfmap__scan_dir(rfd, "tmp", only_map_add, &m) && m.found == 1)
		pid = m.pid;
	snprintf(rel, len, "tmp/perf-%d.map", pid);
}

static struct fg_perfmap *load_source(struct fg_jit *j, int pid,
				      struct pinc *c, enum fg_jit_source src)
{
	struct fg_safefile_opts so = { .nr_uids = 2 };
	struct fg_perfmap_stats st = { 0 };
	struct fg_buf b = FG_BUF_INIT;
	struct fg_perfmap *m = NULL;
	char rel[512], root[600], where[700];
	const char *why = NULL, *dir;
	uint64_t size;
	int rfd = -1, err;

	so.uids[0] = c->uids[0];
	so.uids[1] = c->uids[1];
	switch (src) {
	case FG_JIT_SNAPSHOT:
		if (!c->snap || !c->snap->map[0] || !j->snap)
			return NULL;
		rfd = dup(j->snap->dir_fd);
		so.uids[0] = so.uids[1] = geteuid();
		snprintf(rel, sizeof(rel), "%s", c->snap->map);
		snprintf(where, sizeof(where), "snapshot %s", c->snap->map);
		break;
	case FG_JIT_LIVE:
		if (!c->live || j->no_live || c->nspid <= 0)
			return NULL;
		snprintf(root, sizeof(root), "/proc/%d/root", pid);
		rfd = fg_safefile__open_root(root);
		snprintf(rel, sizeof(rel), "tmp/perf-%d.map", c->nspid);
		snprintf(where, sizeof(where), "/tmp/perf-%d.map in its root",
			 c->nspid);
		break;
	case FG_JIT_ROOTFS:
		dir = rootfs_of(j, pid);
		if (!dir)
			return NULL;
		rfd = fg_safefile__open_root(dir);
		if (rfd >= 0)
			rootfs_rel(rfd, c->nspid, pid, rel, sizeof(rel));
		snprintf(where, sizeof(where), "rootfs %s", dir);
		break;
	case FG_JIT_HOST:
		if (j->no_host || (c->host_known && !c->host))
			return NULL;
		rfd = fg_safefile__open_root("/");
		snprintf(rel, sizeof(rel), "tmp/perf-%d.map", pid);
		snprintf(where, sizeof(where), "host /tmp/perf-%d.map", pid);
		break;
	default:
		return NULL;
	}
	if (rfd < 0)
		return NULL;
	if (j->mem >= MEM_CAP) {
		if (!j->mem_warned)
			pr_warn("jit: maps use over %llu MiB; not loading more\n",
				MEM_CAP >> 20);
		j->mem_warned = true;
		goto out;
	}
	err = fg_safefile__read(rfd, rel, &so, 0, &b, &size, &why);
	if (err) {
		if (err != -ENOENT)
			pr_warn("jit: pid %d (%s): %s %s; ignored\n", pid, c->comm,
				where, why ? why : "cannot be read");
		goto out;
	}
	c->had_map = true;
	m = fg_perfmap__new();
	if (!m || fg_perfmap__load(m, b.buf ? b.buf : "", b.len, &st) ||
	    fg_perfmap__finish(m)) {
		fg_perfmap__delete(m);
		m = NULL;
		goto out;
	}
	if (st.bad || st.dropped)
		pr_warn("jit: pid %d (%s): %s: %" PRIu64 " of %" PRIu64
			" lines rejected (first at line %" PRIu64 ", %" PRIu64
			" over %u bytes), %" PRIu64 " entries over the cap\n",
			pid, c->comm, where, st.bad, st.lines, st.first_bad,
			st.too_long, FG_PERFMAP_MAX_LINE, st.dropped);
	j->mem += fg_perfmap__mem(m);
out:
	fg_buf__release(&b);
	close(rfd);
	return m;
}

static const char *resolve_in(struct fg_jit *j, int pid, struct pinc *c,
			      uint64_t addr, enum fg_jit_source *src)
{
	const char *name;
	int s;

	for (s = FG_JIT_SNAPSHOT; s < FG_JIT__MAX; s++) {
		if (!c->tried[s]) {
			c->tried[s] = true;
			c->map[s] = load_source(j, pid, c, (enum fg_jit_source)s);
		}
		name = fg_perfmap__lookup(c->map[s], addr);
		if (name) {
			c->named = true;
			j->named[s]++;
			*src = (enum fg_jit_source)s;
			return name;
		}
	}
	return NULL;
}

static void forget_live(struct fg_jit *j, struct pinc *c)
{
	struct fg_perfmap *m = c->map[FG_JIT_LIVE];

	if (!c->tried[FG_JIT_LIVE])
		return;
	if (m) {
		size_t mem = fg_perfmap__mem(m);

		j->mem = j->mem > mem ? j->mem - mem : 0;
		fg_perfmap__delete(m);
	}
	c->map[FG_JIT_LIVE] = NULL;
	c->tried[FG_JIT_LIVE] = false;
}

void fg_jit__forget_live(struct fg_jit *j, int pid)
{
	struct pinfo *p;
	size_t i;

	p = pinfo_get(j, pid);
	if (!p)
		return;
	for (i = 0; i < p->nr_inc; i++)
		forget_live(j, &p->inc[i]);
	forget_live(j, &p->unknown);
}

const char *fg_jit__resolve(struct fg_jit *j, int pid, uint64_t time,
			    uint64_t addr, bool anon, enum fg_jit_source *src)
{
	struct pinfo *p;
	struct pinc *c;
	const char *name;

	*src = FG_JIT_NONE;
	c = pinc_get(j, pid, time, &p);
	if (!c)
		return NULL;
	name = resolve_in(j, pid, c, addr, src);
	if (name)
		return name;
	/*
	 * Start times are whole ticks: a sample in the first tick of an
	 * incarnation may belong to the one before (PID reused at once).
	 */
	if (c != &p->unknown && c > p->inc && time &&
	    time < c->start_ns + TICK_NS + START_SLACK_NS) {
		name = resolve_in(j, pid, c - 1, addr, src);
		if (name)
			return name;
	}
	c->missed++;
	if (anon)
		c->missed_anon++;
	if (!c->had_map && !c->reported) {
		c->reported = true;
		j->nomap++;
	}
	return NULL;
}

void fg_jit__account(struct fg_jit *j, enum fg_jit_source src, uint64_t n)
{
	if (j && src > FG_JIT_NONE && src < FG_JIT__MAX)
		j->named[src] += n;
}

/* ---- containers ------------------------------------------------------------ */

static int cmp_cgl(const void *a, const void *b)
{
	const struct cglabel *x = a, *y = b;

	return x->ino < y->ino ? -1 : x->ino > y->ino;
}

static struct cglabel *cgl_find(struct fg_jit *j, uint64_t ino)
{
	struct cglabel key = { .ino = ino };

	if (!j->nr_cgl)
		return NULL;
	return bsearch(&key, j->cgl, j->nr_cgl, sizeof(*j->cgl), cmp_cgl);
}

static struct cglabel *cgl_add(struct fg_jit *j, uint64_t ino,
			       const char *label, const char *full)
{
	struct cglabel *c;

	if (fg_grow(&j->cgl, &j->alloc_cgl, j->nr_cgl, sizeof(*j->cgl), 32))
		return NULL;
	c = &j->cgl[j->nr_cgl++];
	c->ino = ino;
	c->label = fg_strtab__intern(j->strs, label, strlen(label));
	c->full = fg_strtab__intern(j->strs, full, strlen(full));
	qsort(j->cgl, j->nr_cgl, sizeof(*j->cgl), cmp_cgl);
	return cgl_find(j, ino);
}

static struct cglabel *label_of_cgroup(struct fg_jit *j, uint64_t ino)
{
	const struct fg_snap_cgroup *sc;
	struct cglabel *c = cgl_find(j, ino);
	char label[64], full[80], mnt[1024];
	const char *path;

	if (c)
		return c;
	sc = fg_snapidx__cgroup(j->snap, ino);
	if (sc) {
		fg_container__id(sc->cgroup, label, sizeof(label), full,
				 sizeof(full));
		return cgl_add(j, ino, label, full);
	}
	path = j->cgroup_path ? j->cgroup_path(j->cgroup_arg, ino) : NULL;
	if (!path && !j->cg_scanned && !j->no_live) {
		j->cg_scanned = true;
		if (!fg_cgroup__mount(mnt, sizeof(mnt)))
			j->cgmap = fg_cgmap__scan(mnt);
	}
	if (!path)
		path = fg_cgmap__path(j->cgmap, ino);
	if (path) {
		char clean[1024];

		snprintf(clean, sizeof(clean), "%s", path);
		fg_proc__sanitize(clean);
		fg_container__id(clean, label, sizeof(label), full, sizeof(full));
		return cgl_add(j, ino, label, full);
	}
	return NULL;
}

static void container_of(struct fg_jit *j, int pid, uint64_t cgroup_id,
			 uint64_t time, const char **label, const char **full)
{
	char lbuf[64], fbuf[80];
	struct cglabel *cl = NULL;
	struct pinfo *p;
	struct pinc *c;
	uint32_t id;

	*label = *full = "unknown";
	if (cgroup_id)
		cl = label_of_cgroup(j, cgroup_id);
	if (cl) {
		*label = fg_strtab__str(j->strs, cl->label);
		*full = fg_strtab__str(j->strs, cl->full);
		return;
	}
	c = pinc_get(j, pid, time, &p);
	if (!c)
		return;
	if (c == &p->unknown || !c->cgroup[0])
		return;
	fg_container__id(c->cgroup, lbuf, sizeof(lbuf), fbuf, sizeof(fbuf));
	id = fg_strtab__intern(j->strs, lbuf, strlen(lbuf));
	if (id != UINT32_MAX)
		*label = fg_strtab__str(j->strs, id);
	id = fg_strtab__intern(j->strs, fbuf, strlen(fbuf));
	if (id != UINT32_MAX)
		*full = fg_strtab__str(j->strs, id);
}

const char *fg_jit__container(struct fg_jit *j, int pid, uint64_t cgroup_id,
			      uint64_t time)
{
	const char *label, *full;

	if (!j)
		return "unknown";
	container_of(j, pid, cgroup_id, time, &label, &full);
	return label;
}

bool fg_jit__in_container(struct fg_jit *j, int pid, uint64_t cgroup_id,
			  uint64_t time, const char *id)
{
	const char *label, *full;

	if (!j || !id)
		return false;
	container_of(j, pid, cgroup_id, time, &label, &full);
	return fg_container__match(label, full, id);
}

/*
 * Never worse than perf: the host's /tmp/perf-<pid>.map is refused only with
 * evidence that this incarnation lived in another mount namespace (the
 * snapshot index flame record/snapshot wrote, or the live process). Without
 * evidence (a process that exited before anyone looked, no snapshot) perf's
 * answer stands and the summary says so.
 */
bool fg_jit__host_map_ok(struct fg_jit *j, int pid, uint64_t time)
{
	struct pinfo *p;
	struct pinc *c;

	c = pinc_get(j, pid, time, &p);
	if (!c)
		return false;
	if (c->host_known)
		return c->host;
	if (!c->unproven_noted) {
		c->unproven_noted = true;
		if (!j->unproven++)
			j->unproven_pid = pid;
	}
	return true;
}

struct nomap_item {
	uint64_t anon, other;
	int pid;
	const char *comm;
};

/*
 * Unnamed addresses in anonymous executable memory (likely JIT code) first:
 * shells and helpers whose frames perf could not place in any mapping
 * (no map at all) come after them however many they left.
 */
static int cmp_nomap(const void *a, const void *b)
{
	const struct nomap_item *x = a, *y = b;

	if (x->anon != y->anon)
		return x->anon > y->anon ? -1 : 1;
	if (x->other != y->other)
		return x->other > y->other ? -1 : 1;
	return x->pid - y->pid;
}

static void nomap_consider(struct nomap_item *top, size_t *n, int pid,
			   const struct pinc *c)
{
	struct nomap_item it = {
		c->missed_anon, c->missed - c->missed_anon, pid, c->comm
	};

	if (!c->reported)
		return;
	if (*n < NOMAP_LIST) {
		top[(*n)++] = it;
	} else if (cmp_nomap(&it, &top[NOMAP_LIST - 1]) < 0) {
		top[NOMAP_LIST - 1] = it;
	} else {
		return;
	}
	qsort(top, *n, sizeof(*top), cmp_nomap);
}

/* The processes without a map that left the most JIT-like addresses unnamed. */
static void nomap_list(struct fg_jit *j)
{
	struct nomap_item top[NOMAP_LIST];
	struct pid_ent *e;
	size_t n = 0, i, k;

	fg_hashmap__for_each(j->pids, e, i) {
		struct pinfo *p = e->p;

		for (k = 0; k < p->nr_inc; k++)
			nomap_consider(top, &n, p->pid, &p->inc[k]);
		nomap_consider(top, &n, p->pid, &p->unknown);
	}
	fg_buf__release(&j->nomap_list);
	for (i = 0; i < n; i++)
		fg_buf__addf(&j->nomap_list, "%s%s/%d %" PRIu64 "+%" PRIu64,
			     i ? ", " : "", top[i].comm, top[i].pid,
			     top[i].anon, top[i].other);
}

void fg_jit__summary(struct fg_jit *j, struct fg_buf *out)
{
	uint64_t total = 0;
	bool first = true;
	int s;

	if (!j)
		return;
	for (s = FG_JIT_SNAPSHOT; s < FG_JIT__MAX; s++)
		total += j->named[s];
	if (!total) {
		if (j->unproven)
			fg_buf__adds(out, "jit: named 0");
		else
			return;
	} else {
		fg_buf__addf(out, "jit: named %" PRIu64, total);
	}
	for (s = FG_JIT_SNAPSHOT; s < FG_JIT__MAX; s++) {
		if (!j->named[s])
			continue;
		fg_buf__addf(out, "%s%s %" PRIu64, first ? " (" : ", ",
			     src_name[s], j->named[s]);
		first = false;
	}
	if (!first)
		fg_buf__addch(out, ')');
	if (j->nomap) {
		nomap_list(j);
		fg_buf__addf(out, "; no map: %" PRIu64 " process%s "
			     "(unnamed addresses in anonymous executable memory"
			     "+elsewhere: %s%s)",
			     j->nomap, j->nomap > 1 ? "es" : "",
			     j->nomap_list.buf ? j->nomap_list.buf : "",
			     j->nomap > NOMAP_LIST ? ", ..." : "");
	}
	if (j->unproven)
		fg_buf__addf(out, "; host /tmp maps used for %" PRIu64
			     " process%s (pid %d%s) not known to be on the host "
			     "(no snapshot: flame record keeps that evidence)",
			     j->unproven, j->unproven > 1 ? "es" : "",
			     j->unproven_pid, j->unproven > 1 ? ", ..." : "");
}
