// SPDX-License-Identifier: GPL-2.0
/*
 * Symbols of live processes (include/flame/livesym.h).
 *
 * Processes and threads sit in two hash tables (fg_hashmap) keyed by id. A
 * process's executable mappings come from /proc/PID/maps when it is first
 * seen (it may predate the session) and then from MMAP2 records; an
 * address no mapping covers re-reads /proc/PID/maps, at most every 50 ms.
 * ELF files are opened through the process's root (one fg_elfsym per root
 * directory, so a container's /usr/bin/x is its own, not the host's).
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <elfutils/libdwfl.h>
#include <gelf.h>
#include <libelf.h>
#include <sys/auxv.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <flame/containers.h>
#include <flame/elfsym.h>
#include <flame/jit.h>
#include <flame/live.h>
#include <flame/livesym.h>
#include "internal.h"
#include <flame/hashmap.h>

#define MAPS_REREAD_NS	(50ull * 1000 * 1000)
#define MAPS_REREAD_MAX_NS (3200ull * 1000 * 1000)
#define JIT_REREAD_NS	(200ull * 1000 * 1000)
#define MAX_MAPS	65536u		/* per process */
#define MAX_ROOTS	4096u

/* ---- processes and threads by id ---- */

struct pnode {
	uint32_t key;			/* pid or tid */
};

struct id_ent {
	uint64_t id;			/* key */
	struct pnode *n;
};

static struct pnode *idmap__find(const struct fg_hashmap *m, uint32_t id)
{
	uint64_t k = id;
	struct id_ent *e = fg_hashmap__find(m, fg_hash64(k), &k);

	return e ? e->n : NULL;
}

static int idmap__add(struct fg_hashmap *m, struct pnode *n)
{
	uint64_t k = n->key;
	struct id_ent *e = fg_hashmap__insert(m, fg_hash64(k), &k, NULL);

	if (!e)
		return -ENOMEM;
	e->id = k;
	e->n = n;
	return 0;
}

/* ---- processes ---- */

struct lmap {
	uint64_t start, end, pgoff;
	const char *path;		/* interned in s->paths */
	uint8_t build_id[20];
	uint8_t build_id_size;
	uint8_t checked;		/* 0 not yet, 1 same file, 2 changed */
	bool data;			/* not executable (from /proc/PID/maps):
					 * an address in it is a data pointer
					 * a frame-pointer walk took for a
					 * return address, not code */
};

struct root {
	uint64_t mntns;			/* mount namespace inode */
	uint64_t dev, ino;		/* of the root directory */
	struct fg_elfsym *es;
};

struct proc {
	struct pnode n;
	uint32_t gen;
	bool loaded;
	uint8_t exited;			/* gc rounds since EXIT (0: alive) */
	uint64_t maps_read_ns;
	uint64_t reread_ns;		/* wait before the next re-read for an
					 * unmapped address: doubles while
					 * re-reads find nothing (stack
					 * garbage in frame-pointer chains) */
	uint64_t jit_read_ns;		/* last forced re-read of its perf map */
	struct lmap *maps;		/* sorted by start, no overlaps */
	bool anon_exec;			/* has had anonymous executable memory:
					 * may run JIT code */
	size_t nr_maps, alloc_maps;
	struct root *root;		/* NULL until needed */
	/* DWARF unwinding (fg_livesym__unwind) */
	Dwfl *dwfl;
	size_t dwfl_maps;		/* nr_maps when dwfl was built */
	struct fg_livesym *s;
	const uint64_t *u_regs;		/* the sample being unwound */
	const uint8_t *u_stack;
	uint64_t u_sp;
	size_t u_size;
	uint32_t u_tid;
	uint64_t *u_ips;
	size_t u_n, u_max;
};

struct thread {
	struct pnode n;
	uint8_t exited;
	char comm[16];
};

struct ksym {
	uint64_t addr;
	uint32_t name;
};

struct fg_livesym {
	struct fg_livesym_opts o;
	/* [vdso]: the kernel maps the same image into every process */
	bool vdso_loaded;
	struct ksym *vsyms;
	size_t nr_vsyms;
	struct fg_buf vnames;
	struct fg_hashmap *procs, *threads;	/* struct id_ent */
	struct fg_strtab *paths;
	struct root *roots;
	size_t nr_roots;
	uint64_t self_root_dev, self_root_ino, self_mntns;
	uint32_t next_gen;
	bool lossy;			/* records were lost: re-read maps */
	/* kernel */
	bool kallsyms_loaded;
	struct ksym *ksyms;
	size_t nr_ksyms;
	struct fg_buf knames;
	struct fg_livesym_stats st;
};

struct fg_livesym *fg_livesym__new(const struct fg_livesym_opts *o)
{
	struct fg_livesym *s = calloc(1, sizeof(*s));
	struct stat st;

	if (!s)
		return NULL;
	if (o)
		s->o = *o;
	s->paths = fg_strtab__new();
	s->procs = fg_hashmap__new(sizeof(struct id_ent), fg_hashmap__eq_u64);
	s->threads = fg_hashmap__new(sizeof(struct id_ent), fg_hashmap__eq_u64);
	if (!s->paths || !s->procs || !s->threads) {
		fg_livesym__delete(s);
		errno = ENOMEM;
		return NULL;
	}
	if (!stat("/", &st)) {
		s->self_root_dev = st.st_dev;
		s->self_root_ino = st.st_ino;
	}
	if (!stat("/proc/self/ns/mnt", &st))
		s->self_mntns = st.st_ino;
	s->next_gen = 1;
	return s;
}

static void proc__free(struct proc *p)
{
	if (p->dwfl)
		dwfl_end(p->dwfl);
	free(p->maps);
	free(p);
}

static void idmap__free_all(struct fg_hashmap *m, bool procs)
{
	struct id_ent *e;
	size_t i;

	if (!m)
		return;
	fg_hashmap__for_each(m, e, i) {
		if (procs)
			proc__free((struct proc *)e->n);
		else
			free(e->n);
	}
	fg_hashmap__delete(m);
}

void fg_livesym__delete(struct fg_livesym *s)
{
	size_t i;

	if (!s)
		return;
	idmap__free_all(s->procs, true);
	idmap__free_all(s->threads, false);
	for (i = 0; i < s->nr_roots; i++)
		fg_elfsym__delete(s->roots[i].es);
	free(s->roots);
	fg_strtab__delete(s->paths);
	free(s->ksyms);
	fg_buf__release(&s->knames);
	free(s->vsyms);
	fg_buf__release(&s->vnames);
	free(s);
}

static void forget_roots(struct fg_livesym *s)
{
	struct id_ent *e;
	size_t i;

	fg_hashmap__for_each(s->procs, e, i)
		((struct proc *)e->n)->root = NULL;
}

void fg_livesym__drop_files(struct fg_livesym *s)
{
	size_t i;

	forget_roots(s);
	for (i = 0; i < s->nr_roots; i++)
		fg_elfsym__delete(s->roots[i].es);
	free(s->roots);
	s->roots = NULL;
	s->nr_roots = 0;
}

void fg_livesym__set_jit(struct fg_livesym *s, struct fg_jit *jit)
{
	s->o.jit = jit;
}

const struct fg_livesym_stats *fg_livesym__stats(const struct fg_livesym *s)
{
	return &s->st;
}

static const char *intern_path(struct fg_livesym *s, const char *path,
			       size_t len)
{
	uint32_t id = fg_strtab__intern(s->paths, path, len);

	return id == UINT32_MAX ? NULL : fg_strtab__str(s->paths, id);
}

static bool starts_with(const char *s, const char *p)
{
	return !strncmp(s, p, strlen(p));
}

/* Where JIT code lives: no file behind it, or a perf map. */
static bool anon_region(const char *path)
{
	return !*path || starts_with(path, "//anon") ||
	       starts_with(path, "[anon") || starts_with(path, "/memfd:") ||
	       !strcmp(path, "[heap]") || starts_with(path, "anon_inode:") ||
	       starts_with(path, "/dev/zero");
}

/* Insert m, dropping what it overlaps (a new mapping replaces old ones). */
static int proc__add_map(struct proc *p, const struct lmap *m)
{
	size_t lo = 0, hi = p->nr_maps, j;

	if (m->end <= m->start)
		return 0;
	if (!m->data && anon_region(m->path))
		p->anon_exec = true;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (p->maps[mid].end <= m->start)
			lo = mid + 1;
		else
			hi = mid;
	}
	/* maps[lo..j) overlap m */
	for (j = lo; j < p->nr_maps && p->maps[j].start < m->end; j++)
		;
	if (j == lo) {
		if (p->nr_maps >= MAX_MAPS)
			return 0;
		if (p->nr_maps == p->alloc_maps) {
			size_t na = p->alloc_maps ? p->alloc_maps * 2 : 32;
			void *t = realloc(p->maps, na * sizeof(*p->maps));

			if (!t)
				return -ENOMEM;
			p->maps = t;
			p->alloc_maps = na;
		}
		memmove(&p->maps[lo + 1], &p->maps[lo],
			(p->nr_maps - lo) * sizeof(*p->maps));
		p->nr_maps++;
	} else if (j > lo + 1) {
		memmove(&p->maps[lo + 1], &p->maps[j],
			(p->nr_maps - j) * sizeof(*p->maps));
		p->nr_maps -= j - lo - 1;
	}
	p->maps[lo] = *m;
	return 0;
}

static const struct lmap *proc__find_map(const struct proc *p, uint64_t addr)
{
	size_t lo = 0, hi = p->nr_maps;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (p->maps[mid].end <= addr)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo < p->nr_maps && p->maps[lo].start <= addr)
		return &p->maps[lo];
	return NULL;
}

static int hexval(char c)
{
	return c >= '0' && c <= '9' ? c - '0' :
	       c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

/* A hex number at *p ending in sep; *p moves past sep. */
static bool take_hex(const char **p, char sep, uint64_t *v)
{
	const char *q = *p;
	int d;

	*v = 0;
	while ((d = hexval(*q)) >= 0) {
		*v = *v << 4 | (uint64_t)d;
		q++;
	}
	if (q == *p || *q != sep)
		return false;
	*p = q + 1;
	return true;
}

/*
 * "start-end perms offset dev inode   path" into m; false for a line of
 * another shape. By hand: sscanf was most of the cost of a read.
 */
static bool parse_maps_line(const char *line, struct lmap *m,
			    const char **name, size_t *len)
{
	const char *p = line;
	uint64_t start, end, off;
	bool exec;

	if (!take_hex(&p, '-', &start) || !take_hex(&p, ' ', &end) ||
	    strnlen(p, 5) < 5 || p[4] != ' ')
		return false;
	exec = p[2] == 'x';
	p += 5;
	if (!take_hex(&p, ' ', &off))
		return false;
	p += strcspn(p, " ");		/* dev */
	p += strspn(p, " ");
	p += strcspn(p, " \n");		/* inode */
	p += strspn(p, " ");
	*name = p;
	*len = strcspn(p, "\n");
	memset(m, 0, sizeof(*m));
	m->start = start;
	m->end = end;
	m->pgoff = off;
	m->data = !exec;
	return true;
}

/*
 * Above 47 bits (x86-64's user space with 4-level page tables) and above
 * every mapping of the process but the kernel's [vsyscall]: no code can
 * be there, nor appear later (a 5-level-paging process that maps high
 * shows that mapping).
 */
static bool above_user_maps(const struct proc *p, uint64_t addr)
{
	size_t i = p->nr_maps;

	if (addr < (1ull << 47))
		return false;
	while (i > 0 && p->maps[i - 1].start >= 0xffff800000000000ull)
		i--;
	return !i || addr >= p->maps[i - 1].end;
}

/* Mappings of /proc/PID/maps (paths as the kernel shows them). */
static void proc__read_maps(struct fg_livesym *s, struct proc *p)
{
	char path[64], line[4096 + 256];
	FILE *fp;

	p->maps_read_ns = fg_proc__now_ns();
	p->loaded = true;
	snprintf(path, sizeof(path), "/proc/%u/maps", p->n.key);
	fp = fopen(path, "re");
	if (!fp)
		return;
	s->st.maps_read++;
	while (fgets(line, sizeof(line), fp)) {
		const char *name;
		struct lmap m;
		size_t len;

		if (!parse_maps_line(line, &m, &name, &len))
			continue;
		m.path = intern_path(s, len ? name : "//anon", len ? len : 6);
		if (!m.path || proc__add_map(p, &m))
			break;
	}
	fclose(fp);
}

static struct proc *proc__get(struct fg_livesym *s, uint32_t pid, bool create)
{
	struct proc *p = (struct proc *)idmap__find(s->procs, pid);

	if (p || !create)
		return p;
	p = calloc(1, sizeof(*p));
	if (!p)
		return NULL;
	p->n.key = pid;
	if (idmap__add(s->procs, &p->n)) {
		free(p);
		return NULL;
	}
	p->gen = s->next_gen++;
	s->st.procs = fg_hashmap__count(s->procs);
	return p;
}

static struct proc *proc__loaded(struct fg_livesym *s, uint32_t pid)
{
	struct proc *p = proc__get(s, pid, true);

	if (p && !p->loaded)
		proc__read_maps(s, p);
	return p;
}

static void proc__reset(struct fg_livesym *s, struct proc *p)
{
	p->nr_maps = 0;
	p->loaded = false;
	p->exited = 0;
	p->reread_ns = 0;
	p->anon_exec = false;
	p->root = NULL;
	p->gen = s->next_gen++;
	if (p->dwfl)
		dwfl_end(p->dwfl);
	p->dwfl = NULL;
}

static struct thread *thread__get(struct fg_livesym *s, uint32_t tid)
{
	struct thread *t = (struct thread *)idmap__find(s->threads, tid);

	if (t)
		return t;
	t = calloc(1, sizeof(*t));
	if (!t)
		return NULL;
	t->n.key = tid;
	if (idmap__add(s->threads, &t->n)) {
		free(t);
		return NULL;
	}
	s->st.threads = fg_hashmap__count(s->threads);
	return t;
}

static void set_comm(struct thread *t, const char *comm)
{
	size_t n = strnlen(comm, sizeof(t->comm) - 1);

	memcpy(t->comm, comm, n);
	t->comm[n] = '\0';
}

int fg_livesym__comm(struct fg_livesym *s, uint32_t pid, uint32_t tid,
		     const char *comm, bool exec)
{
	struct thread *t = thread__get(s, tid);

	if (!t)
		return -ENOMEM;
	set_comm(t, comm);
	t->exited = 0;
	if (exec && pid == tid) {
		struct proc *p = proc__get(s, pid, false);

		/* a new program: its maps follow as MMAP2 records */
		if (p) {
			proc__reset(s, p);
			p->loaded = true;
			p->maps_read_ns = fg_proc__now_ns();
		}
	}
	return 0;
}

int fg_livesym__mmap(struct fg_livesym *s, const struct fg_live_mmap *m)
{
	struct proc *p;
	struct lmap lm;
	const char *f = m->filename;

	if (m->kernel || !(m->prot & 4 /* PROT_EXEC */))
		return 0;
	p = proc__loaded(s, m->pid);
	if (!p)
		return -ENOMEM;
	memset(&lm, 0, sizeof(lm));
	lm.start = m->start;
	lm.end = m->start + m->len;
	lm.pgoff = m->pgoff;
	lm.path = intern_path(s, f, strlen(f));
	if (!lm.path)
		return -ENOMEM;
	if (m->build_id_size) {
		memcpy(lm.build_id, m->build_id, m->build_id_size);
		lm.build_id_size = m->build_id_size;
	}
	return proc__add_map(p, &lm);
}

int fg_livesym__fork(struct fg_livesym *s, uint32_t pid, uint32_t ppid,
		     uint32_t tid)
{
	struct thread *t = thread__get(s, tid), *parent;
	struct proc *p, *pp;

	if (!t)
		return -ENOMEM;
	t->exited = 0;
	/* the child starts with its parent's name (COMM follows an exec) */
	if (!t->comm[0] && pid != tid)
		fg_livesym__thread_comm(s, pid, pid);
	else if (!t->comm[0])
		fg_livesym__thread_comm(s, ppid, ppid);
	parent = (struct thread *)idmap__find(s->threads, pid == tid ? ppid : pid);
	if (parent && !t->comm[0])
		memcpy(t->comm, parent->comm, sizeof(t->comm));
	if (pid != tid)
		return 0;	/* a thread: shares its process's maps */
	/* a new process: a copy of the parent's mappings */
	p = proc__get(s, pid, true);
	if (!p)
		return -ENOMEM;
	proc__reset(s, p);
	pp = proc__get(s, ppid, false);
	if (pp && pp->loaded && pp->nr_maps) {
		p->maps = realloc(p->maps, pp->nr_maps * sizeof(*p->maps));
		if (!p->maps) {
			p->alloc_maps = p->nr_maps = 0;
			return -ENOMEM;
		}
		memcpy(p->maps, pp->maps, pp->nr_maps * sizeof(*p->maps));
		p->nr_maps = p->alloc_maps = pp->nr_maps;
		p->anon_exec = pp->anon_exec;
		p->loaded = true;
		p->maps_read_ns = fg_proc__now_ns();
		p->root = pp->root;
	}
	return 0;
}

int fg_livesym__exit(struct fg_livesym *s, uint32_t pid, uint32_t tid)
{
	struct thread *t = (struct thread *)idmap__find(s->threads, tid);
	struct proc *p;

	if (t)
		t->exited = 1;
	if (pid == tid) {
		p = proc__get(s, pid, false);
		if (p)
			p->exited = 1;
	}
	return 0;
}

void fg_livesym__gc(struct fg_livesym *s)
{
	struct id_ent *e;
	size_t i;

	fg_hashmap__for_each(s->procs, e, i) {
		struct proc *p = (struct proc *)e->n;

		if (!p->exited || p->exited++ < 2)
			continue;
		fg_hashmap__remove_entry(s->procs, e);
		proc__free(p);
		s->st.freed++;
	}
	fg_hashmap__for_each(s->threads, e, i) {
		struct thread *t = (struct thread *)e->n;

		if (!t->exited || t->exited++ < 2)
			continue;
		fg_hashmap__remove_entry(s->threads, e);
		free(t);
	}
	s->st.procs = fg_hashmap__count(s->procs);
	s->st.threads = fg_hashmap__count(s->threads);
}

void fg_livesym__records_lost(struct fg_livesym *s)
{
	s->lossy = true;
}

const char *fg_livesym__thread_comm(struct fg_livesym *s, uint32_t pid,
				    uint32_t tid)
{
	struct thread *t;
	char path[64], buf[64];
	ssize_t n;
	int fd;

	if (pid == 0)
		return "swapper";
	t = thread__get(s, tid);
	if (!t)
		return "[unknown]";
	if (t->comm[0])
		return t->comm;
	snprintf(path, sizeof(path), "/proc/%u/task/%u/comm", pid, tid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd >= 0) {
		n = read(fd, buf, sizeof(buf) - 1);
		close(fd);
		if (n > 0) {
			buf[n] = '\0';
			buf[strcspn(buf, "\n")] = '\0';
			set_comm(t, buf);
		}
	}
	if (!t->comm[0])
		set_comm(t, ":");	/* gone before we looked */
	if (!strcmp(t->comm, ":"))
		snprintf(t->comm, sizeof(t->comm), ":%u", tid);
	return t->comm;
}

uint32_t fg_livesym__generation(struct fg_livesym *s, uint32_t pid)
{
	struct proc *p = proc__get(s, pid, true);

	return p ? p->gen : 0;
}

/* ---- roots ---- */

/*
 * A process's view of files: its mount namespace and root directory. The
 * same root directory in another mount namespace (unshare -m and a private
 * /tmp) is another view, read through /proc/PID/root.
 */
static struct root *root_of(struct fg_livesym *s, struct proc *p)
{
	char path[64], ns[64];
	struct stat st, nst;
	struct root *r;
	size_t i;

	if (p->root)
		return p->root;
	snprintf(path, sizeof(path), "/proc/%u/root", p->n.key);
	snprintf(ns, sizeof(ns), "/proc/%u/ns/mnt", p->n.key);
	if (stat(path, &st) || stat(ns, &nst)) {
		/* gone: the host root is the best guess left */
		st.st_dev = s->self_root_dev;
		st.st_ino = s->self_root_ino;
		nst.st_ino = s->self_mntns;
	}
	for (i = 0; i < s->nr_roots; i++)
		if (s->roots[i].dev == st.st_dev && s->roots[i].ino == st.st_ino &&
		    s->roots[i].mntns == nst.st_ino)
			return p->root = &s->roots[i];
	if (s->nr_roots >= MAX_ROOTS)
		return NULL;
	/* p->root pointers move with a realloc: reset them all */
	r = realloc(s->roots, (s->nr_roots + 1) * sizeof(*r));
	if (!r)
		return NULL;
	if (r != s->roots)
		forget_roots(s);
	s->roots = r;
	r = &s->roots[s->nr_roots];
	r->dev = st.st_dev;
	r->ino = st.st_ino;
	r->mntns = nst.st_ino;
	if (st.st_dev == s->self_root_dev && st.st_ino == s->self_root_ino &&
	    nst.st_ino == s->self_mntns)
		r->es = fg_elfsym__new(NULL);
	else
		r->es = fg_elfsym__new(path);
	if (!r->es)
		return NULL;
	s->nr_roots++;
	return p->root = r;
}

/* ---- kernel ---- */

static int ksym_cmp(const void *a, const void *b)
{
	const struct ksym *x = a, *y = b;

	return x->addr < y->addr ? -1 : x->addr > y->addr;
}

static bool ksyms_sorted(const struct ksym *k, size_t n)
{
	size_t i;

	for (i = 1; i < n; i++)
		if (k[i].addr < k[i - 1].addr)
			return false;
	return true;
}

/* One line of /proc/kallsyms ("ffffffff81000000 T _stext\t[module]"):
 * a function is kept, its name copied to s->knames. */
static int kallsyms_line(struct fg_livesym *s, char *p, size_t *alloc)
{
	char *name, type;
	uint64_t addr = 0;
	size_t len;

	for (; *p; p++) {
		int v = hexval(*p);

		if (v < 0)
			break;
		addr = addr << 4 | (uint64_t)v;
	}
	if (*p != ' ' || !p[1] || p[2] != ' ')
		return 0;
	type = p[1];
	name = p + 3;
	len = strcspn(name, "\t ");
	if (type != 't' && type != 'T' && type != 'w' && type != 'W')
		return 0;
	if (!addr || !len)
		return 0;	/* kptr_restrict hides addresses */
	if (s->nr_ksyms == *alloc) {
		size_t na = *alloc ? *alloc * 2 : 65536;
		void *t = realloc(s->ksyms, na * sizeof(*s->ksyms));

		if (!t)
			return -ENOMEM;
		s->ksyms = t;
		*alloc = na;
	}
	s->ksyms[s->nr_ksyms].addr = addr;
	s->ksyms[s->nr_ksyms].name = (uint32_t)s->knames.len;
	if (fg_buf__add(&s->knames, name, len) ||
	    fg_buf__addch(&s->knames, '\0'))
		return -ENOMEM;
	s->nr_ksyms++;
	return 0;
}

/*
 * /proc/kallsyms through one reused 64 KiB buffer; only functions are
 * kept (names packed in s->knames). It is sorted by address already (the
 * kernel's order), so qsort runs only when it is not.
 */
static void load_kallsyms(struct fg_livesym *s)
{
	char buf[65536];
	size_t alloc = 0, have = 0;
	int fd;

	s->kallsyms_loaded = true;
	fd = open("/proc/kallsyms", O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		pr_warn("profile: cannot read /proc/kallsyms: %s\n",
			strerror(errno));
		return;
	}
	for (;;) {
		ssize_t r = read(fd, buf + have, sizeof(buf) - 1 - have);
		char *line, *nl;

		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			break;
		have += (size_t)r;
		buf[have] = '\0';
		for (line = buf; (nl = strchr(line, '\n')) != NULL;
		     line = nl + 1) {
			*nl = '\0';
			if (kallsyms_line(s, line, &alloc))
				goto out;
		}
		have -= (size_t)(line - buf);
		if (have == sizeof(buf) - 1)
			have = 0;	/* a line longer than the buffer */
		memmove(buf, line, have);
	}
out:
	close(fd);
	if (!ksyms_sorted(s->ksyms, s->nr_ksyms))
		qsort(s->ksyms, s->nr_ksyms, sizeof(*s->ksyms), ksym_cmp);
}

static const char *ksym_find(struct fg_livesym *s, uint64_t addr)
{
	size_t lo = 0, hi;

	if (!s->kallsyms_loaded)
		load_kallsyms(s);
	hi = s->nr_ksyms;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (s->ksyms[mid].addr <= addr)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (!lo)
		return NULL;
	return s->knames.buf + s->ksyms[lo - 1].name;
}

/* ---- vdso ---- */

/*
 * Our own [vdso] is the image every process of this kernel has (same
 * offsets): its .dynsym names the frames, offset = address - map start.
 */
static void load_vdso(struct fg_livesym *s)
{
	const char *img = (const char *)getauxval(AT_SYSINFO_EHDR);
	Elf_Scn *scn = NULL;
	size_t alloc = 0, size = 0, i, nph;
	uint64_t base = UINT64_MAX;
	Elf *elf;

	s->vdso_loaded = true;
	if (!img || elf_version(EV_CURRENT) == EV_NONE)
		return;
	/* the image ends with its last section header table */
	{
		const Elf64_Ehdr *eh = (const Elf64_Ehdr *)img;

		if (memcmp(eh->e_ident, ELFMAG, SELFMAG) ||
		    eh->e_ident[EI_CLASS] != ELFCLASS64)
			return;
		size = eh->e_shoff + (size_t)eh->e_shnum * eh->e_shentsize;
		if (size > (1u << 20))
			return;
	}
	elf = elf_memory((char *)img, size);
	if (!elf)
		return;
	if (!elf_getphdrnum(elf, &nph)) {
		for (i = 0; i < nph; i++) {
			GElf_Phdr ph;

			if (gelf_getphdr(elf, (int)i, &ph) && ph.p_type == PT_LOAD &&
			    ph.p_vaddr - ph.p_offset < base)
				base = ph.p_vaddr - ph.p_offset;
		}
	}
	if (base == UINT64_MAX)
		base = 0;
	while ((scn = elf_nextscn(elf, scn)) != NULL) {
		GElf_Shdr sh;
		Elf_Data *data;
		size_t n;

		if (!gelf_getshdr(scn, &sh) || sh.sh_type != SHT_DYNSYM ||
		    !sh.sh_entsize)
			continue;
		data = elf_getdata(scn, NULL);
		if (!data)
			continue;
		n = sh.sh_size / sh.sh_entsize;
		for (i = 0; i < n; i++) {
			GElf_Sym sym;
			const char *name;

			if (!gelf_getsym(data, (int)i, &sym) ||
			    GELF_ST_TYPE(sym.st_info) != STT_FUNC || !sym.st_value)
				continue;
			name = elf_strptr(elf, sh.sh_link, sym.st_name);
			if (!name || !*name)
				continue;
			if (s->nr_vsyms == alloc) {
				size_t na = alloc ? alloc * 2 : 32;
				void *t = realloc(s->vsyms, na * sizeof(*s->vsyms));

				if (!t)
					break;
				s->vsyms = t;
				alloc = na;
			}
			s->vsyms[s->nr_vsyms].addr = sym.st_value - base;
			s->vsyms[s->nr_vsyms].name = (uint32_t)s->vnames.len;
			if (fg_buf__add(&s->vnames, name, strlen(name) + 1))
				break;
			s->nr_vsyms++;
		}
	}
	elf_end(elf);
	qsort(s->vsyms, s->nr_vsyms, sizeof(*s->vsyms), ksym_cmp);
}

/* Symbol at offset off of [vdso] (the nearest one below: vdso symbols
 * are few and their sizes are exact enough for a name). */
static const char *vdso_find(struct fg_livesym *s, uint64_t off)
{
	size_t lo = 0, hi;

	if (!s->vdso_loaded)
		load_vdso(s);
	hi = s->nr_vsyms;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (s->vsyms[mid].addr <= off)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo ? s->vnames.buf + s->vsyms[lo - 1].name : NULL;
}

/* ---- resolution ---- */

/* "/usr/bin/x (deleted)" is still the file the process runs. */
static void file_path(const char *path, char *buf, size_t len)
{
	size_t n = strlen(path);
	static const char del[] = " (deleted)";

	if (n > sizeof(del) - 1 && !strcmp(path + n - (sizeof(del) - 1), del))
		n -= sizeof(del) - 1;
	if (n >= len)
		n = len - 1;
	memcpy(buf, path, n);
	buf[n] = '\0';
}

static bool build_id_ok(struct fg_livesym *s, struct fg_elfsym *es,
			struct lmap *m, const char *path)
{
	const uint8_t *id;
	size_t len;

	if (!m->build_id_size || m->checked == 1)
		return true;
	if (m->checked == 2)
		return false;
	m->checked = 1;
	if (fg_elfsym__build_id(es, path, &id, &len))
		return true;	/* no note in the file: nothing to check */
	if (len < m->build_id_size ||
	    memcmp(id, m->build_id, m->build_id_size)) {
		m->checked = 2;
		s->st.build_id_mismatch++;
		pr_warn("profile: %s changed since it was mapped (build id differs): not naming its frames\n",
			path);
		return false;
	}
	return true;
}

/* A JIT name; a runtime appends to its map as it compiles, so a miss
 * re-reads the map (at most every JIT_REREAD_NS a process). */
static void resolve_jit(struct fg_livesym *s, struct proc *p, uint64_t time,
			uint64_t addr, bool anon, struct fg_livesym_frame *out)
{
	enum fg_jit_source src;
	uint64_t now;

	out->retry = true;
	if (!s->o.jit)
		return;
	out->name = fg_jit__resolve(s->o.jit, (int)p->n.key, time, addr,
				    anon, &src);
	if (!out->name && !p->exited &&
	    (now = fg_proc__now_ns()) - p->jit_read_ns > JIT_REREAD_NS) {
		p->jit_read_ns = now;
		fg_jit__forget_live(s->o.jit, (int)p->n.key);
		out->name = fg_jit__resolve(s->o.jit, (int)p->n.key, time,
					    addr, anon, &src);
	}
	if (out->name) {
		out->kind = FG_LIVESYM_JIT;
		out->retry = false;
	}
}

void fg_livesym__resolve(struct fg_livesym *s, uint32_t pid, uint64_t time,
			 uint64_t addr, bool kernel,
			 struct fg_livesym_frame *out)
{
	struct proc *p;
	struct lmap *m;
	struct root *r;
	char path[4096];

	memset(out, 0, sizeof(*out));
	out->addr = addr;
	out->kind = FG_LIVESYM_UNKNOWN;
	if (kernel) {
		out->dso = "[kernel.kallsyms]";
		out->name = ksym_find(s, addr);
		out->kind = out->name ? FG_LIVESYM_SYM : FG_LIVESYM_DSO;
		return;
	}
	if (addr < 65536)
		return;		/* below vm.mmap_min_addr: never code */
	p = proc__loaded(s, pid);
	if (!p)
		return;
	m = (struct lmap *)proc__find_map(p, addr);
	if (!p->reread_ns)
		p->reread_ns = MAPS_REREAD_NS;
	if (!m && above_user_maps(p, addr))
		return;		/* text taken for a return address */
	if (!m && s->lossy && !p->exited &&
	    fg_proc__now_ns() - p->maps_read_ns > p->reread_ns) {
		s->st.maps_reread++;
		proc__read_maps(s, p);
		m = (struct lmap *)proc__find_map(p, addr);
		if (m && !m->data)
			p->reread_ns = MAPS_REREAD_NS;
		else if (p->reread_ns < MAPS_REREAD_MAX_NS)
			p->reread_ns *= 2;
	}
	if (!m) {
		/* stack garbage, unless a JIT runtime mapped code since */
		if (p->anon_exec)
			resolve_jit(s, p, time, addr, false, out);
		else
			out->retry = true;
		return;
	}
	if (m->data) {
		/*
		 * Not code when the maps were read: stack garbage, as perf
		 * would show it ([unknown], its records have no data maps).
		 * An anonymous region may be JIT code that was writable
		 * then (W^X runtimes flip protections): asked again later;
		 * a file's data or the brk heap never holds JIT code.
		 */
		if (p->anon_exec && anon_region(m->path) &&
		    strcmp(m->path, "[heap]"))
			resolve_jit(s, p, time, addr, false, out);
		return;
	}
	out->dso = m->path;
	out->map_start = m->start;
	out->map_end = m->end;
	out->map_pgoff = m->pgoff;
	if (m->build_id_size) {
		out->build_id = m->build_id;
		out->build_id_size = m->build_id_size;
	}
	out->kind = FG_LIVESYM_DSO;
	if (anon_region(m->path)) {
		resolve_jit(s, p, time, addr, true, out);
		return;
	}
	if (!strcmp(m->path, "[vdso]")) {
		out->name = vdso_find(s, addr - m->start);
		if (out->name)
			out->kind = FG_LIVESYM_SYM;
		return;
	}
	if (m->path[0] != '/')
		return;		/* [vsyscall], ... */
	r = root_of(s, p);
	if (!r)
		return;
	file_path(m->path, path, sizeof(path));
	if (!build_id_ok(s, r->es, m, path))
		return;
	out->name = fg_elfsym__resolve(r->es, path, addr - m->start + m->pgoff,
				       NULL);
	if (out->name)
		out->kind = FG_LIVESYM_SYM;
}

/* ---- DWARF unwinding with libdw ---- */

/* perf_regs index (FG_LIVESYM_REGS_MASK order) of DWARF x86_64 registers
 * 0..16: rax rdx rcx rbx rsi rdi rbp rsp r8..r15 rip */
static const uint8_t dwarf_to_perf[17] = {
	0, 3, 2, 1, 4, 5, 6, 7, 12, 13, 14, 15, 16, 17, 18, 19, 8,
};
#define PREG_SP	7

static pid_t unw_next_thread(Dwfl *dwfl, void *arg, void **thread_argp)
{
	struct proc *p = arg;

	if (*thread_argp)
		return 0;
	*thread_argp = p;
	return (pid_t)p->u_tid;
}

static bool unw_get_thread(Dwfl *dwfl, pid_t tid, void *arg,
			   void **thread_argp)
{
	*thread_argp = arg;
	return true;
}

/* Bytes of a mapped file's ELF image (libdw keeps it read or mapped). */
static bool read_elf_word(Dwfl *dwfl, Dwarf_Addr addr, Dwarf_Word *out)
{
	Dwfl_Module *mod = dwfl_addrmodule(dwfl, addr);
	Dwarf_Addr bias;
	size_t nph, i, fsize;
	const char *raw;
	Elf *elf;

	if (!mod || !(elf = dwfl_module_getelf(mod, &bias)) ||
	    !(raw = elf_rawfile(elf, &fsize)) || elf_getphdrnum(elf, &nph))
		return false;
	for (i = 0; i < nph; i++) {
		GElf_Phdr ph;
		uint64_t va = addr - bias;

		if (!gelf_getphdr(elf, (int)i, &ph) || ph.p_type != PT_LOAD ||
		    va < ph.p_vaddr || va + 8 > ph.p_vaddr + ph.p_filesz)
			continue;
		if (ph.p_offset + (va - ph.p_vaddr) + 8 > fsize)
			return false;
		memcpy(out, raw + ph.p_offset + (va - ph.p_vaddr), 8);
		return true;
	}
	return false;
}

static bool unw_memory_read(Dwfl *dwfl, Dwarf_Addr addr, Dwarf_Word *result,
			    void *arg)
{
	struct proc *p = arg;

	if (addr >= p->u_sp && addr - p->u_sp <= p->u_size &&
	    p->u_size - (addr - p->u_sp) >= 8) {
		memcpy(result, p->u_stack + (addr - p->u_sp), 8);
		return true;
	}
	return read_elf_word(dwfl, addr, result);
}

static bool unw_set_initial_registers(Dwfl_Thread *thread, void *arg)
{
	struct proc *p = arg;
	Dwarf_Word r[17];
	int i;

	for (i = 0; i < 17; i++)
		r[i] = p->u_regs[dwarf_to_perf[i]];
	return dwfl_thread_state_registers(thread, 0, 17, r);
}

static const Dwfl_Thread_Callbacks unw_callbacks = {
	.next_thread = unw_next_thread,
	.get_thread = unw_get_thread,
	.memory_read = unw_memory_read,
	.set_initial_registers = unw_set_initial_registers,
};

/*
 * Modules come with their file (fd opened through the process's root);
 * no other file is looked for: libdw's default search would take the
 * container's paths (and .gnu_debuglink names) against the host's root.
 * .eh_frame of the mapped file is enough to unwind.
 */
static int unw_find_elf(Dwfl_Module *mod, void **userdata, const char *name,
			Dwarf_Addr base, char **file_name, Elf **elfp)
{
	return -1;
}

static int unw_find_debuginfo(Dwfl_Module *mod, void **userdata,
			      const char *name, Dwarf_Addr base,
			      const char *file_name, const char *debuglink,
			      GElf_Word crc, char **debuginfo_file_name)
{
	return -1;
}

static const Dwfl_Callbacks unw_offline = {
	.find_elf = unw_find_elf,
	.find_debuginfo = unw_find_debuginfo,
	.section_address = dwfl_offline_section_address,
};

/* Our [vdso] image in a memfd: the same code every process runs. */
static int vdso_fd(void)
{
	const char *img = (const char *)getauxval(AT_SYSINFO_EHDR);
	const Elf64_Ehdr *eh = (const Elf64_Ehdr *)img;
	size_t size;
	int fd;

	if (!img || memcmp(eh->e_ident, ELFMAG, SELFMAG) ||
	    eh->e_ident[EI_CLASS] != ELFCLASS64)
		return -1;
	size = eh->e_shoff + (size_t)eh->e_shnum * eh->e_shentsize;
	if (size > (1u << 20))
		return -1;
	fd = memfd_create("flame-vdso", MFD_CLOEXEC);
	if (fd < 0)
		return -1;
	if (write(fd, img, size) != (ssize_t)size) {
		close(fd);
		return -1;
	}
	return fd;
}

/* One module per file mapped executable, at its load bias. */
static int proc__build_dwfl(struct fg_livesym *s, struct proc *p)
{
	struct root *r = root_of(s, p);
	char path[4096];
	size_t i, j;

	if (p->dwfl)
		dwfl_end(p->dwfl);
	p->dwfl = dwfl_begin(&unw_offline);
	if (!p->dwfl)
		return -ENOMEM;
	s->st.dwfl_built++;
	p->dwfl_maps = p->nr_maps;
	p->s = s;
	dwfl_report_begin(p->dwfl);
	for (i = 0; i < p->nr_maps; i++) {
		const struct lmap *m = &p->maps[i];
		bool seen = m->data;
		int fd;

		for (j = 0; j < i && !seen; j++)
			seen = !p->maps[j].data && p->maps[j].path == m->path;
		if (seen)
			continue;
		if (!strcmp(m->path, "[vdso]")) {
			fd = vdso_fd();
			if (fd >= 0 && !dwfl_report_elf(p->dwfl, "[vdso]",
							 "[vdso]", fd, m->start,
							 false))
				close(fd);
			continue;
		}
		if (m->path[0] != '/' || anon_region(m->path) || !r)
			continue;
		file_path(m->path, path, sizeof(path));
		if (!build_id_ok(s, r->es, (struct lmap *)m, path))
			continue;
		fd = fg_elfsym__open(r->es, path);
		if (fd < 0)
			continue;
		/* consumes fd on success */
		if (!dwfl_report_elf(p->dwfl, path, path, fd,
				     m->start - m->pgoff, false))
			close(fd);
	}
	dwfl_report_end(p->dwfl, NULL, NULL);
	if (!dwfl_attach_state(p->dwfl, NULL, (pid_t)p->n.key, &unw_callbacks,
			       p)) {
		dwfl_end(p->dwfl);
		p->dwfl = NULL;
		return -ENOENT;
	}
	return 0;
}

static int unw_frame(Dwfl_Frame *state, void *arg)
{
	struct proc *p = arg;
	Dwarf_Addr pc;
	bool act;

	if (!dwfl_frame_pc(state, &pc, &act) || !pc)
		return DWARF_CB_ABORT;
	if (!act)
		pc--;
	p->u_ips[p->u_n++] = pc;
	return p->u_n < p->u_max ? DWARF_CB_OK : DWARF_CB_ABORT;
}

int fg_livesym__unwind(struct fg_livesym *s, uint32_t pid, uint32_t tid,
		       const uint64_t *regs, const void *stack,
		       size_t stack_size, uint64_t *ips, size_t max)
{
	uint64_t ip = regs[8];
	struct proc *p;

	if (!max)
		return 0;
	p = proc__loaded(s, pid);
	if (!p)
		return -ENOMEM;
	if (!proc__find_map(p, ip) && s->lossy && !p->exited &&
	    fg_proc__now_ns() - p->maps_read_ns > MAPS_REREAD_NS)
		proc__read_maps(s, p);
	s->st.unwinds++;
	if ((!p->dwfl || p->dwfl_maps != p->nr_maps) &&
	    proc__build_dwfl(s, p) == -ENOMEM)
		return -ENOMEM;
	ips[0] = ip;
	if (!p->dwfl) {
		s->st.unwind_short++;
		return 1;
	}
	p->u_regs = regs;
	p->u_stack = stack;
	p->u_sp = regs[PREG_SP];
	p->u_size = stack ? stack_size : 0;
	p->u_tid = tid;
	p->u_ips = ips;
	p->u_n = 0;
	p->u_max = max;
	/* an error ends the walk: what was found so far stays */
	dwfl_getthread_frames(p->dwfl, (pid_t)tid, unw_frame, p);
	if (!p->u_n) {
		ips[0] = ip;
		p->u_n = 1;
	}
	if (p->u_n == 1)
		s->st.unwind_short++;
	p->u_ips = NULL;
	p->u_stack = NULL;
	return (int)p->u_n;
}
