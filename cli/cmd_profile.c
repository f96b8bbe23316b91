// SPDX-License-Identifier: GPL-2.0
/*
 * flame profile - sample live with libperf, name frames while the processes
 * live, write graphs (and pprof) directly: no perf.data, no second pass.
 *
 *   sampler (lib/input/live.c) -> records -> side band: lib/names/livesym.c
 *                                         -> samples: frames named here
 *                                            (one function: name_frame)
 *                                         -> fg_profile -> output table
 *
 * See docs/profile.md and docs/fleet.md.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <malloc.h>
#include <netdb.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include <dirent.h>
#include <linux/perf_event.h>

#include <flame/hashmap.h>
#include <flame/jit.h>
#include <flame/live.h>
#include <flame/livesym.h>
#include <flame/mem.h>
#include <flame/namer.h>
#include "cmd.h"
#include <flame/containers.h>
#include "profile_offcpu.h"

#define MAX_FRAMES	256
#define ARRAY_SIZE_P(a) (sizeof(a) / sizeof((a)[0]))

struct profile_opts {
	bool all_cpus;
	char *pid;
	char *cgroup;
	char *container;
	char *event;
	int freq;
	double duration;
	double every;
	char *push;
	int mmap_pages;
	char *call_graph;
	struct fg_naming_args sel;	/* fg_naming_opts */
	bool off_cpu;
	char *mode, *state, *min_block, *unit;	/* include/flame/offcpu.h */
	bool no_jit;
	bool help;
};

#define P(f) offsetof(struct profile_opts, f)

static const struct fg_opt_desc profile_table[] = {
	{ "all-cpus", FG_OPT_BOOL, P(all_cpus), "off", "every process on every CPU (the default without -p/--cgroup/--container)", FG_GRP_SELECT, .short_name = 'a' },
	{ "pid", FG_OPT_STR, P(pid), NULL, "these processes, their threads and future children", FG_GRP_SELECT, .arg = "PID[,PID..]", .short_name = 'p' },
	{ "cgroup", FG_OPT_STR, P(cgroup), NULL, "only tasks of this cgroup (path as in /proc/PID/cgroup, or a directory)", FG_GRP_SELECT, .arg = "PATH" },
	{ "container", FG_OPT_STR, P(container), NULL, "only this container's cgroup (id prefix >= 4, or docker:<id> label)", FG_GRP_SELECT, .arg = "ID" },
	{ "event", FG_OPT_STR, P(event), "cpu-clock", "sampling event (cpu-clock, task-clock, cycles, page-faults, ...)", FG_GRP_RECORD, .short_name = 'e' },
	{ "freq", FG_OPT_INT, P(freq), "99", "samples a second per CPU", FG_GRP_RECORD, .arg = "HZ", .short_name = 'F' },
	{ "duration", FG_OPT_DOUBLE, P(duration), NULL, "stop after this many seconds (default: at Ctrl-C / SIGTERM)", FG_GRP_RECORD, .arg = "S" },
	{ "every", FG_OPT_DOUBLE, P(every), NULL, "write outputs every N seconds and start afresh; -o names take strftime %-escapes", FG_GRP_RECORD, .arg = "S" },
	{ "push", FG_OPT_STR, P(push), NULL, "POST each profile as pprof to this http:// URL", FG_GRP_RECORD, .arg = "URL" },
	{ "mmap-pages", FG_OPT_INT, P(mmap_pages), "256", "ring buffer pages per CPU (power of 2)", FG_GRP_RECORD },
	{ "call-graph", FG_OPT_STR, P(call_graph), "fp", "user stacks: fp (frame pointers), or dwarf[,SIZE] (copy SIZE bytes of user stack, default 8192, and unwind with libdw: binaries without frame pointers)", FG_GRP_RECORD },
	{ "off-cpu", FG_OPT_BOOL, P(off_cpu), "off", "time off the CPU instead of samples: traces sched_switch, sched_waking, sched_wakeup_new and sched_process_exit on every CPU with stacks, kept to the targets here (docs/offcpu.md); weights are time (--unit)", FG_GRP_RECORD },
	{ "mode", FG_OPT_STR, P(mode), "offcpu", "with --off-cpu: offcpu (blocked stacks), wakeup (wakers), offwake (both), wall (on-CPU samples in ns + off-CPU), runq (run-queue waits)", FG_GRP_RECORD },
	{ "state", FG_OPT_STR, P(state), "all", "with --off-cpu: keep blocks of these states: S (sleep), D (uninterruptible), R (preempted), I, T, P, or all", FG_GRP_SELECT },
	{ "min-block", FG_OPT_STR, P(min_block), "0", "with --off-cpu: drop blocks shorter than this (500us, 2ms; a bare number is us)", FG_GRP_SELECT },
	{ "unit", FG_OPT_STR, P(unit), "us", "with --off-cpu: weights in ns, us or ms", FG_GRP_RECORD },
	{ "no-jit", FG_OPT_BOOL, P(no_jit), "off", "do not read perf maps of JIT runtimes", FG_GRP_NAMING },
	{ "help", FG_OPT_BOOL, P(help), NULL, "this text", 0, .short_name = 'h' },
	{ NULL },
};

static volatile sig_atomic_t stop_requested;

static void on_stop(int sig)
{
	stop_requested = 1;
}

/* ---- frame cache: (pid, generation, address) -> name id ---- */

struct fent {
	uint64_t addr;		/* key: addr, pid, gen */
	int64_t pid;		/* -1: kernel */
	uint32_t gen;
	uint32_t id;		/* name id */
	uint64_t until;		/* a name that may still come (JIT) is
				 * retried after this sample time; 0 = for
				 * good */
};

/* How long an address nothing named stays unnamed before it is looked up
 * again (the JIT resolver re-reads a map at most this often too). */
#define RETRY_NS	(200ull * 1000 * 1000)

static bool fent_eq(const void *entry, const void *key)
{
	const struct fent *a = entry, *b = key;

	return a->addr == b->addr && a->pid == b->pid && a->gen == b->gen;
}

static uint64_t fent_hash(const struct fent *k)
{
	return fg_hash64(k->addr * 0x9e3779b97f4a7c15ULL ^
			 ((uint64_t)k->pid << 32) ^ k->gen);
}

/*
 * ---- chain cache: (process, comm, raw callchain) -> trie node ----
 *
 * Most samples repeat a callchain seen before: one hash of the raw
 * addresses and one probe replace, per frame, the frame cache probe, the
 * process lookup and the trie probe. Chains are kept verbatim in an arena
 * (compared with memcmp, never trusted to the hash), only when every frame
 * of the chain was named for good (no JIT retry), bounded per window.
 */
#define CC_MAX_IPS	(4u << 20)	/* 32 MiB of addresses a window */

struct centry {
	uint32_t pid, tid, gen;
	uint32_t off, nr;		/* chain in ccache.ips */
	uint32_t node;
	uint64_t until;			/* a caller unnamed until then */
	char comm[16];
};

/* what a chain is looked up by */
struct ckey {
	const uint64_t *ips, *arena;
	size_t nr;
	uint32_t pid, tid, gen;
	const char *comm;
};

struct ccache {
	struct fg_hashmap *map;		/* struct centry */
	uint64_t *ips;			/* the arena */
	size_t nr_ips, alloc_ips;
};

static bool centry_eq(const void *entry, const void *key)
{
	const struct centry *e = entry;
	const struct ckey *k = key;

	return e->nr == k->nr && e->pid == k->pid && e->tid == k->tid &&
	       e->gen == k->gen && !strncmp(e->comm, k->comm, sizeof(e->comm)) &&
	       !memcmp(k->arena + e->off, k->ips, k->nr * sizeof(*k->ips));
}

static uint64_t chain_hash(const struct ckey *k)
{
	uint64_t h = ((uint64_t)k->pid << 32 | k->gen) ^ ((uint64_t)k->tid << 17) ^
		     k->nr;
	size_t i;

	for (i = 0; i < k->nr; i++) {
		h ^= k->ips[i];
		h *= 0x9e3779b97f4a7c15ULL;
		h ^= h >> 31;
	}
	return fg_hash64(h);
}

static int ccache__init(struct ccache *c)
{
	memset(c, 0, sizeof(*c));
	c->map = fg_hashmap__new(sizeof(struct centry), centry_eq);
	return c->map ? 0 : -ENOMEM;
}

static void ccache__release(struct ccache *c)
{
	fg_hashmap__delete(c->map);
	free(c->ips);
	memset(c, 0, sizeof(*c));
}

static struct centry *ccache__find(struct ccache *c, uint64_t h,
				   struct ckey *k)
{
	k->arena = c->ips;
	return fg_hashmap__find(c->map, h, k);
}

/* Remember chain -> node; e is the chain's entry when it has one (from
 * ccache__find). A full cache just stops remembering until the next
 * window. */
static void ccache__put(struct ccache *c, struct centry *e, uint64_t h,
			struct ckey *k, uint32_t node, uint64_t until)
{
	if (e) {
		/* a chain with an unnamed caller, looked up again */
		e->node = node;
		e->until = until;
		return;
	}
	if (c->nr_ips + k->nr > CC_MAX_IPS ||
	    fg_reserve(&c->ips, &c->alloc_ips, c->nr_ips + k->nr,
		       sizeof(*c->ips), 65536))
		return;
	memcpy(c->ips + c->nr_ips, k->ips, k->nr * sizeof(*k->ips));
	k->arena = c->ips;
	e = fg_hashmap__insert(c->map, h, k, NULL);
	if (!e)
		return;
	e->pid = k->pid;
	e->tid = k->tid;
	e->gen = k->gen;
	e->off = (uint32_t)c->nr_ips;
	e->nr = (uint32_t)k->nr;
	e->node = node;
	e->until = until;
	memcpy(e->comm, k->comm, strnlen(k->comm, sizeof(e->comm)));
	c->nr_ips += k->nr;
}

/* ---- the session ---- */

struct session {
	struct profile_opts po;
	struct fg_opts out;
	struct fg_live *live;
	struct fg_livesym *syms;
	struct fg_jit *jit;
	struct fg_profile *prof;
	struct fg_hashmap *cache;	/* struct fent */
	struct ccache chains;
	uint64_t until;			/* earliest retry of this sample's
					 * frames (0: all named for good) */
	uint64_t callers_until;		/* ... of the frames but the leaf */
	struct fg_namer_opts names;
	struct fg_buf name;		/* scratch for the namer */
	int *pids;
	size_t nr_pids;
	int cgroup_fd;
	uint64_t window_start_real;
	uint64_t window_start_mono;
	uint64_t windows;
	uint64_t frames, unnamed;
	uint64_t chain_hits, chain_misses;
	uint64_t lost_reported;
	uint32_t dwarf_size;		/* --call-graph dwarf: stack bytes */
	struct fg_offcpu_cfg offcfg;	/* --off-cpu */
	struct poff *off;
	int err;
};

/* A live frame's name comes from the shared frame namer (lib/names/namer.c),
 * as flame.so's, so graphs of both can be diffed. */
static uint32_t name_frame(struct session *s, const struct fg_livesym_frame *f,
			   bool kernel, const char *comm)
{
	struct fg_frame_in in = {
		.addr = f->addr,
		.sym = f->name,
		.sym_len = f->name ? strlen(f->name) : 0,
		.dso = f->dso,
		.dso_len = f->dso ? strlen(f->dso) : 0,
		.ctx = kernel ? FG_CTX_KERNEL : FG_CTX_USER,
		.jit = f->kind == FG_LIVESYM_JIT,
		.java = !kernel && comm && !strncmp(comm, "java", 4),
	};
	int kind;

	/* within the object, as perf prints it */
	if (f->dso && f->map_end)
		in.addr = f->addr - f->map_start + f->map_pgoff;
	kind = fg_namer__frame(&s->names, &in, &s->name);
	if (kind < 0)
		return UINT32_MAX;
	return fg_profile__intern(s->prof, s->name.buf, s->name.len);
}

static int frame_id(struct session *s, uint32_t pid, uint32_t gen,
		    uint64_t time, uint64_t ip, bool kernel, uint32_t *out)
{
	struct fent k = {
		.addr = ip,
		.pid = kernel ? -1 : (int64_t)pid,
		.gen = kernel ? 0 : gen,
	};
	struct fg_livesym_frame f;
	struct fent *e;
	bool added;
	uint32_t id;

	e = fg_hashmap__insert(s->cache, fent_hash(&k), &k, &added);
	if (!e)
		return -ENOMEM;
	if (!added && (!e->until || time < e->until)) {
		*out = e->id;
		if (e->until && (!s->until || e->until < s->until))
			s->until = e->until;
		return 0;
	}
	fg_livesym__resolve(s->syms, pid, time, ip, kernel, &f);
	id = name_frame(s, &f, kernel,
			kernel ? NULL : fg_livesym__thread_comm(s->syms, pid, pid));
	if (id == UINT32_MAX) {
		if (added)
			fg_hashmap__remove_entry(s->cache, e);
		return -ENOMEM;
	}
	if (f.kind == FG_LIVESYM_DSO || f.kind == FG_LIVESYM_UNKNOWN)
		s->unnamed++;
	*out = id;
	*e = k;
	e->id = id;
	/* unnamed for now: kept unnamed for RETRY_NS of samples, then
	 * looked up again (a JIT map may have named it by then) */
	e->until = f.retry ? time + RETRY_NS : 0;
	if (f.retry && (!s->until || e->until < s->until))
		s->until = e->until;
	return 0;
}

/*
 * Frames of a sample, leaf first, into ids: the callchain (frame pointers)
 * or, with --call-graph dwarf, its kernel part followed by the user stack
 * unwound with libdw from the sampled registers and stack copy.
 */
static int sample_frames(struct session *s, const struct fg_live_sample *sm,
			 uint32_t *ids, size_t max)
{
	bool kernel = sm->cpumode == PERF_RECORD_MISC_KERNEL;
	uint32_t gen = fg_livesym__generation(s->syms, sm->pid);
	uint64_t uips[MAX_FRAMES];
	size_t n = 0;
	uint64_t i;
	int ret, nu;

	for (i = 0; i < sm->nr && n < max; i++) {
		uint64_t ip = sm->chain[i];

		if (ip >= (uint64_t)PERF_CONTEXT_MAX) {
			if (ip == (uint64_t)PERF_CONTEXT_KERNEL ||
			    ip == (uint64_t)PERF_CONTEXT_HV)
				kernel = true;
			else if (ip == (uint64_t)PERF_CONTEXT_USER)
				kernel = false;
			continue;
		}
		if (s->dwarf_size && !kernel)
			break;		/* the user part is unwound below */
		if ((s->po.sel.kernel_only && !kernel) ||
		    (s->po.sel.user_only && kernel))
			continue;
		ret = frame_id(s, sm->pid, gen, sm->time, ip, kernel, &ids[n]);
		if (ret)
			return ret;
		if (!n)
			s->until = 0;	/* the leaf's does not count */
		n++;
	}
	s->callers_until = s->until;
	if (s->dwarf_size && sm->regs && sm->regs_abi && !s->po.sel.kernel_only &&
	    n < max) {
		nu = fg_livesym__unwind(s->syms, sm->pid, sm->tid, sm->regs,
					sm->stack, sm->stack_size, uips,
					max - n);
		if (nu < 0)
			return nu;
		for (i = 0; i < (uint64_t)nu; i++, n++) {
			ret = frame_id(s, sm->pid, gen, sm->time, uips[i],
				       false, &ids[n]);
			if (ret)
				return ret;
		}
	}
	s->frames += n;
	return (int)n;
}

/*
 * The chain cache's key: the raw callchain with its leaf address zeroed
 * (samples of one path differ in the leaf), or -1 when the sample is not
 * cached (DWARF unwinding, --kernel-only/--user-only, no frame). Returns
 * the leaf's index in the chain.
 */
static int chain_key(const struct session *s, const struct fg_live_sample *sm,
		     uint64_t *key, bool *kernel)
{
	uint64_t i;

	if (s->dwarf_size || s->po.sel.kernel_only || s->po.sel.user_only ||
	    sm->nr > MAX_FRAMES)
		return -1;
	*kernel = sm->cpumode == PERF_RECORD_MISC_KERNEL;
	for (i = 0; i < sm->nr; i++) {
		uint64_t ip = sm->chain[i];

		if (ip < (uint64_t)PERF_CONTEXT_MAX)
			break;
		if (ip == (uint64_t)PERF_CONTEXT_KERNEL ||
		    ip == (uint64_t)PERF_CONTEXT_HV)
			*kernel = true;
		else if (ip == (uint64_t)PERF_CONTEXT_USER)
			*kernel = false;
	}
	if (i == sm->nr)
		return -1;
	memcpy(key, sm->chain, sm->nr * sizeof(*key));
	key[i] = 0;
	return (int)i;
}

/* The stack of a sample as a trie node, its process frame at the root. */
static int sample_node(void *arg, const struct fg_live_sample *sm,
		       uint32_t *out)
{
	struct session *s = arg;
	uint32_t ids[MAX_FRAMES], node = FG_ROOT, root, gen = 0, tid = 0, leaf;
	uint64_t key[MAX_FRAMES];
	struct centry *e = NULL;
	struct ckey ck;
	const char *comm;
	bool kernel = false;
	uint64_t h = 0;
	int n, i, li;

	comm = fg_livesym__thread_comm(s->syms, sm->pid, sm->tid);
	li = chain_key(s, sm, key, &kernel);
	if (li >= 0) {
		gen = fg_livesym__generation(s->syms, sm->pid);
		tid = s->names.tid ? sm->tid : 0;
		ck = (struct ckey){
			.ips = key, .nr = sm->nr, .pid = sm->pid, .tid = tid,
			.gen = gen, .comm = comm,
		};
		h = chain_hash(&ck);
		e = ccache__find(&s->chains, h, &ck);
		if (e && (!e->until || sm->time < e->until)) {
			/* the callers' node is known: name the leaf only */
			s->chain_hits++;
			if (frame_id(s, sm->pid, gen, sm->time, sm->chain[li],
				     kernel, &leaf))
				return -ENOMEM;
			s->frames++;
			node = fg_profile__child(s->prof, e->node, leaf);
			if (node == FG_NO_NODE)
				return -ENOMEM;
			*out = node;
			return 0;
		}
		s->chain_misses++;
	}
	s->until = 0;
	n = sample_frames(s, sm, ids, MAX_FRAMES);
	if (n < 0)
		return n;
	if (fg_namer__process_ids(&s->names, comm, (int)sm->pid, (int)sm->tid,
				  &s->name))
		return -ENOMEM;
	root = fg_profile__intern(s->prof, s->name.buf, s->name.len);
	if (root == UINT32_MAX)
		return -ENOMEM;
	node = fg_profile__child(s->prof, node, root);
	for (i = n - 1; i >= 1 && node != FG_NO_NODE; i--)
		node = fg_profile__child(s->prof, node, ids[i]);
	/* node: the callers of the leaf; remembered when all were named */
	if (li >= 0 && n >= 1 && node != FG_NO_NODE)
		ccache__put(&s->chains, e, h, &ck, node, s->callers_until);
	if (n >= 1 && node != FG_NO_NODE)
		node = fg_profile__child(s->prof, node, ids[0]);
	if (node == FG_NO_NODE)
		return -ENOMEM;
	*out = node;
	return 0;
}

static int on_sample(void *arg, const struct fg_live_sample *sm)
{
	struct session *s = arg;
	uint32_t node;
	int ret;

	if (s->off)	/* --off-cpu: in time order with the sched events */
		return poff__sample(s->off, sm);
	ret = sample_node(s, sm, &node);
	if (ret)
		return ret;
	return fg_profile__add_node(s->prof, node, 1, sm->time);
}

static int on_comm(void *arg, uint32_t pid, uint32_t tid, const char *comm,
		   bool exec)
{
	struct session *s = arg;

	return fg_livesym__comm(s->syms, pid, tid, comm, exec);
}

static int on_mmap(void *arg, const struct fg_live_mmap *m)
{
	struct session *s = arg;

	return fg_livesym__mmap(s->syms, m);
}

static int on_fork(void *arg, uint32_t pid, uint32_t ppid, uint32_t tid,
		   uint64_t time)
{
	struct session *s = arg;

	return fg_livesym__fork(s->syms, pid, ppid, tid);
}

static int on_exit_rec(void *arg, uint32_t pid, uint32_t tid, uint64_t time)
{
	struct session *s = arg;

	return fg_livesym__exit(s->syms, pid, tid);
}

static const struct fg_live_ops live_ops = {
	.sample = on_sample,
	.comm = on_comm,
	.mmap = on_mmap,
	.fork = on_fork,
	.exit = on_exit_rec,
};

/* ---- --push: plain HTTP/1.1 POST ---- */

static int parse_url(const char *url, char *host, size_t hlen, char *port,
		     size_t plen, const char **path)
{
	const char *h, *end, *colon;

	if (strncmp(url, "http://", 7))
		return -EINVAL;
	h = url + 7;
	end = h + strcspn(h, "/?");
	*path = *end ? end : "/";
	colon = memchr(h, ':', (size_t)(end - h));
	if (!colon)
		colon = end;
	if (colon == h || (size_t)(colon - h) >= hlen)
		return -EINVAL;
	memcpy(host, h, (size_t)(colon - h));
	host[colon - h] = '\0';
	if (colon < end) {
		if ((size_t)(end - colon - 1) >= plen || end - colon < 2)
			return -EINVAL;
		memcpy(port, colon + 1, (size_t)(end - colon - 1));
		port[end - colon - 1] = '\0';
	} else {
		snprintf(port, plen, "80");
	}
	return 0;
}

static int send_all(int fd, const char *p, size_t len)
{
	while (len) {
		ssize_t n = send(fd, p, len, MSG_NOSIGNAL);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

/* POST body to url; 0, or -errno with *why set. Bounded by 10 s. */
static int http_post(const char *url, const struct fg_buf *body,
		     const char **why, int *status)
{
	char host[256], port[16], resp[256];
	const char *path;
	struct addrinfo hints = { .ai_socktype = SOCK_STREAM }, *ai = NULL, *a;
	struct fg_buf req = FG_BUF_INIT;
	struct timeval tv = { .tv_sec = 10 };
	int fd = -1, ret;
	ssize_t n;

	*status = 0;
	if (parse_url(url, host, sizeof(host), port, sizeof(port), &path)) {
		*why = "not an http://HOST[:PORT]/PATH URL";
		return -EINVAL;
	}
	if (getaddrinfo(host, port, &hints, &ai) || !ai) {
		*why = "cannot resolve the host";
		return -EHOSTUNREACH;
	}
	ret = -ECONNREFUSED;
	for (a = ai; a; a = a->ai_next) {
		fd = socket(a->ai_family, a->ai_socktype | SOCK_CLOEXEC,
			    a->ai_protocol);
		if (fd < 0)
			continue;
		setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
		setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
		if (!connect(fd, a->ai_addr, a->ai_addrlen))
			break;
		ret = -errno;
		close(fd);
		fd = -1;
	}
	freeaddrinfo(ai);
	if (fd < 0) {
		*why = "cannot connect";
		return ret;
	}
	ret = fg_buf__addf(&req, "POST %s HTTP/1.1\r\nHost: %s:%s\r\n"
			   "User-Agent: flame-profile\r\n"
			   "Content-Type: application/octet-stream\r\n"
			   "Content-Length: %zu\r\nConnection: close\r\n\r\n",
			   path, host, port, body->len);
	ret = ret ?: send_all(fd, req.buf, req.len);
	ret = ret ?: send_all(fd, body->buf ? body->buf : "", body->len);
	fg_buf__release(&req);
	if (ret) {
		*why = "sending failed";
		close(fd);
		return ret;
	}
	n = recv(fd, resp, sizeof(resp) - 1, 0);
	close(fd);
	if (n <= 0) {
		*why = "no response";
		return n < 0 ? -errno : -EPROTO;
	}
	resp[n] = '\0';
	if (sscanf(resp, "HTTP/%*s %d", status) != 1) {
		*why = "not an HTTP response";
		return -EPROTO;
	}
	if (*status < 200 || *status > 299) {
		*why = "the server refused it";
		return -EPROTO;
	}
	return 0;
}

/* ---- writing a window ---- */

#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wformat-nonliteral"
/* The user's -o name is the format, as for date(1). */
static size_t strftime_name(char *buf, size_t len, const char *fmt,
			    const struct tm *tm)
{
	return strftime(buf, len, fmt, tm);
}
#pragma GCC diagnostic pop

static int write_window(struct session *s, uint64_t end_mono)
{
	struct fg_opts o = s->out;
	struct fg_strlist names = { NULL, 0 };
	char *v[64];
	size_t i;
	int rc = 0;

	o.time_ns = s->window_start_real;
	o.duration_ns = end_mono - s->window_start_mono;
	o.period_ns = s->po.freq > 0 ? 1000000000ull / (uint64_t)s->po.freq : 0;
	if (s->po.every > 0 && s->out.out.n) {
		/* strftime names, from the window's start */
		time_t t = (time_t)(s->window_start_real / 1000000000ull);
		struct tm tm;

		localtime_r(&t, &tm);
		for (i = 0; i < s->out.out.n && i < ARRAY_SIZE_P(v); i++) {
			char buf[PATH_MAX];
			size_t n = strftime_name(buf, sizeof(buf), s->out.out.v[i], &tm);

			v[i] = strdup(n ? buf : s->out.out.v[i]);
			if (!v[i])
				return cli_error("out of memory");
			names.n++;
		}
		names.v = v;
		o.out = names;
	}
	if (s->out.out.n || !s->po.push)
		rc = cli_write_outputs(s->prof, &o, "folded");
	if (s->po.push) {
		struct fg_buf body = FG_BUF_INIT;
		const char *why = NULL;
		int status, ret;

		ret = fg_output_pprof.write(&body, s->prof, &o);
		if (!ret)
			ret = http_post(s->po.push, &body, &why, &status);
		if (ret) {
			rc = cli_error("--push %s: %s (%s)", s->po.push,
				       why ? why : "encoding failed",
				       status ? "HTTP status" : strerror(-ret));
			if (status)
				fprintf(stderr, "flame: --push: HTTP status %d\n", status);
		}
		fg_buf__release(&body);
	}
	for (i = 0; i < names.n; i++)
		free(names.v[i]);
	return rc;
}

static int new_window(struct session *s)
{
	/* a fresh JIT resolver and symbol files each window bound memory */
	if (s->syms)
		fg_livesym__drop_files(s->syms);
	if (s->jit) {
		struct fg_jit_opts jo;

		memset(&jo, 0, sizeof(jo));
		fg_jit__delete(s->jit);
		s->jit = fg_jit__new(&jo);
		fg_livesym__set_jit(s->syms, s->jit);
	}
	fg_profile__delete(s->prof);
	fg_hashmap__delete(s->cache);
	ccache__release(&s->chains);
	s->prof = fg_profile__new();
	s->cache = fg_hashmap__new(sizeof(struct fent), fent_eq);
	if (!s->prof || !s->cache || ccache__init(&s->chains))
		return -ENOMEM;
	s->window_start_real = fg_proc__clock_ns(CLOCK_REALTIME);
	s->window_start_mono = fg_proc__now_ns();
	return 0;
}

/* ---- targets ---- */

static int parse_pids(struct session *s, const char *list)
{
	const char *p = list;

	while (*p) {
		char *end;
		long v = strtol(p, &end, 10);
		int *t;

		if (end == p || v <= 0 || v > INT_MAX || (*end && *end != ','))
			return cli_error("--pid %s: expects PID[,PID..]", list);
		if (kill((pid_t)v, 0) && errno == ESRCH)
			return cli_error("--pid %ld: no such process", v);
		t = realloc(s->pids, (s->nr_pids + 1) * sizeof(*t));
		if (!t)
			return cli_error("out of memory");
		s->pids = t;
		s->pids[s->nr_pids++] = (int)v;
		p = *end ? end + 1 : end;
	}
	return s->nr_pids ? 0 : cli_error("--pid: no PID given");
}

/* The perf_event cgroup of a process: the v1 "perf_event" line when such a
 * hierarchy exists, else the cgroup2 ("0::") path. */
static int proc_perf_cgroup(int pid, char *buf, size_t len)
{
	char path[64], line[4096];
	bool found = false;
	FILE *fp;

	snprintf(path, sizeof(path), "/proc/%d/cgroup", pid);
	fp = fopen(path, "re");
	if (!fp)
		return -errno;
	while (fgets(line, sizeof(line), fp)) {
		char *c1 = strchr(line, ':'), *c2 = c1 ? strchr(c1 + 1, ':') : NULL;
		char *ctl;

		if (!c2)
			continue;
		line[strcspn(line, "\n")] = '\0';
		*c2 = '\0';
		ctl = c1 + 1;
		if (strstr(ctl, "perf_event")) {
			snprintf(buf, len, "%s", c2 + 1);
			fclose(fp);
			return 0;
		}
		if (!*ctl && !strncmp(line, "0:", 2)) {
			snprintf(buf, len, "%s", c2 + 1);
			found = true;
		}
	}
	fclose(fp);
	return found ? 0 : -ENOENT;
}

/* --container ID: the cgroup of the first process whose container matches. */
static int container_cgroup(const char *id, char *buf, size_t len)
{
	DIR *d = opendir("/proc");
	struct dirent *de;
	int ret = -ENOENT;

	if (!d)
		return -errno;
	while ((de = readdir(d))) {
		char cg[PATH_MAX], label[128], full[128];
		char *end;
		long pid = strtol(de->d_name, &end, 10);

		if (*end || pid <= 0 || proc_perf_cgroup((int)pid, cg, sizeof(cg)))
			continue;
		fg_container__id(cg, label, sizeof(label), full, sizeof(full));
		if (!strcmp(label, "host") || !fg_container__match(label, full, id))
			continue;
		snprintf(buf, len, "%s", cg);
		ret = 0;
		break;
	}
	closedir(d);
	return ret;
}

static int open_target(struct session *s)
{
	char cg[PATH_MAX], found[PATH_MAX * 2 + 8];
	const char *path = s->po.cgroup;
	int fd;

	s->cgroup_fd = -1;
	if (!!s->po.pid + !!s->po.cgroup + !!s->po.container > 1)
		return cli_error("--pid, --cgroup and --container exclude each other");
	if (s->po.all_cpus && (s->po.pid || s->po.cgroup || s->po.container))
		return cli_error("-a samples everything: drop --pid/--cgroup/--container, or -a");
	if (s->po.pid)
		return parse_pids(s, s->po.pid);
	if (s->po.container) {
		if (container_cgroup(s->po.container, cg, sizeof(cg)))
			return cli_error("--container %s: no running process of such a container (ids come from /proc/PID/cgroup)",
					 s->po.container);
		path = cg;
	}
	if (!path)
		return 0;
	fd = fg_live__open_cgroup(path, found, sizeof(found));
	if (fd < 0)
		return cli_error("cgroup %s: %s (looked in the perf_event hierarchy of /proc/mounts)",
				 path, strerror(-fd));
	s->cgroup_fd = fd;
	return 0;
}

/* ---- options ---- */

/* The option tables profile takes, for parsing and for the help. */
static void profile_sets(struct session *s, struct fg_optset sets[3])
{
	sets[0] = (struct fg_optset){ profile_table, &s->po, FG_GRP_ALL,
				      "Profile options:" };
	sets[1] = (struct fg_optset){ fg_naming_opts, &s->po.sel, FG_GRP_ALL };
	sets[2] = (struct fg_optset){ fg_output_opts, &s->out,
				      FG_GRP_CMD_ANY_OUTPUT,
				      "\nGraph and output options:" };
}

static void usage(struct session *s, FILE *fp)
{
	struct fg_optset sets[3];

	fprintf(fp, "usage: flame profile [-a | -p PID[,..] | --cgroup PATH | --container ID]\n"
		    "                     [-F HZ] [-e EVENT] [--duration S] [--every S] [--push URL]\n"
		    "                     [--off-cpu [--mode M] [--state S] [--min-block D] [--unit U]]\n"
		    "                     [-o OUT]... [graph options]\n"
		    "Samples live with libperf and writes graphs directly (docs/profile.md).\n"
		    "Outputs by extension: .svg .folded/.txt .html .pb.gz (pprof); none: folded on stdout.\n\n");
	profile_sets(s, sets);
	fg_optset__help(sets, 3, "--", fp);
}

static int parse_args(struct session *s, int argc, char **argv)
{
	struct fg_optset sets[3];
	int i, r;

	profile_sets(s, sets);
	for (i = 1; i < argc; i++) {
		r = cli_opt(argc, argv, &i, sets, ARRAY_SIZE_P(sets));
		if (r < 0)
			return -1;
		if (!r) {
			cli_error("profile: unknown argument '%s' (flame profile --help)", argv[i]);
			return -1;
		}
	}
	return 0;
}

static int check_opts(struct session *s)
{
	const char *err = NULL;
	size_t i;

	if (s->po.freq <= 0 || s->po.freq > 100000)
		return cli_error("--freq %d: expects 1..100000 samples a second", s->po.freq);
	if (s->po.duration < 0 || s->po.every < 0)
		return cli_error("--duration and --every expect seconds > 0");
	if (s->po.every > 0 && s->po.every < 0.1)
		return cli_error("--every %g: at least 0.1 s", s->po.every);
	if (s->po.call_graph && strcmp(s->po.call_graph, "fp")) {
		const char *cg = s->po.call_graph;
		char *end;
		long sz = 8192;

		if (strncmp(cg, "dwarf", 5) || (cg[5] && cg[5] != ','))
			return cli_error("--call-graph %s: expects fp or dwarf[,SIZE]", cg);
		if (cg[5]) {
			errno = 0;
			sz = strtol(cg + 6, &end, 0);
			if (errno || *end || sz < 64 || sz > 65528 || sz % 8)
				return cli_error("--call-graph %s: SIZE is 64..65528 bytes, a multiple of 8", cg);
		}
		s->dwarf_size = (uint32_t)sz;
	}
	if (s->po.mmap_pages <= 0 || (s->po.mmap_pages & (s->po.mmap_pages - 1)))
		return cli_error("--mmap-pages %d: expects a power of 2", s->po.mmap_pages);
	if (s->po.push && strncmp(s->po.push, "http://", 7))
		return cli_error("--push %s: only http:// URLs", s->po.push);
	if (fg_naming_args__derive(&s->po.sel, &s->names, &err))
		return cli_error("profile: %s", err);
	if (s->po.mode)
		s->po.off_cpu = true;
	if (!s->po.off_cpu && (s->po.state || s->po.min_block || s->po.unit))
		return cli_error("--state, --min-block and --unit are for --off-cpu");
	if (s->po.off_cpu) {
		struct fg_offcpu_cfg *c = &s->offcfg;

		c->mode_s = s->po.mode ? s->po.mode : "offcpu";
		c->state_s = s->po.state;
		c->min_block_s = s->po.min_block;
		c->unit_s = s->po.unit;
		if (fg_offcpu_cfg__parse(c))
			return 1;	/* said which option */
		if (c->mode == FG_MODE_CPU)
			return cli_error("--mode cpu: that is flame profile without --off-cpu");
		if (s->po.every > 0)
			return cli_error("--off-cpu: not with --every yet");
		if (s->dwarf_size)
			return cli_error("--off-cpu: the sched events carry frame-pointer callchains only (drop --call-graph dwarf)");
		if (fg_offcpu_cfg__graph_defaults(c, &s->out))
			return cli_error("out of memory");
	}
	for (i = 0; i < s->out.out.n; i++) {
		const char *o = s->out.out.v[i];

		if (!s->out.format && !fg_output__for_path(o))
			return cli_error("%s: unknown output format (.svg .folded .txt .html .pb.gz)", o);
		if (s->po.every > 0 && !strcmp(o, "-"))
			return cli_error("--every writes files: -o - does not rotate");
	}
	if (s->out.format && !fg_output__find(s->out.format))
		return cli_error("--format %s: unknown", s->out.format);
	return 0;
}

/* ---- main loop ---- */

static bool targets_alive(const struct session *s)
{
	size_t i;

	if (!s->nr_pids)
		return true;
	for (i = 0; i < s->nr_pids; i++)
		if (!kill(s->pids[i], 0) || errno != ESRCH)
			return true;
	return false;
}

static void progress(struct session *s, uint64_t start, bool final)
{
	const struct fg_live_stats *st = fg_live__stats(s->live);
	double el = (double)(fg_proc__now_ns() - start) / 1e9;

	fprintf(stderr, "\rflame: profile: %" PRIu64 " samples (%.0f/s), lost %"
		PRIu64 ", %.1f s%s", st->samples,
		el > 0 ? (double)st->samples / el : 0.0, st->lost, el,
		final ? "\n" : "   ");
}

/*
 * The heap in transparent huge pages (where the kernel offers them on
 * madvise, as Debian's does): first touches of growing tables are most of
 * what remains of page faults, and on a VM each fault is dear (side by side
 * in make bench, glibc.malloc.hugetlb=1 took 20-35% off flame profile's
 * CPU). The heap's first 64 MiB are reserved and advised at start; what
 * brk adds later is advised after each drain (a new brk area is a new VMA
 * without the advice). Unused advised memory costs no RSS.
 */
static uintptr_t heap_advised;	/* end of the advised part of the heap */

static void heap__advise(void)
{
	uintptr_t end = ((uintptr_t)sbrk(0) + 4095) & ~4095ul;
	uintptr_t start = heap_advised & ~4095ul;

	if (!heap_advised || end <= start)
		return;
	if (!madvise((void *)start, end - start, MADV_HUGEPAGE))
		heap_advised = end;
	else
		heap_advised = 0;	/* not offered: stop asking */
}

static void heap__reserve(void)
{
	void *p = malloc(1 << 20);

	/* below M_MMAP_THRESHOLD: in the brk heap, which M_TOP_PAD made
	 * grow by 64 MiB more; advised from this block on */
	if (!p)
		return;
	heap_advised = (uintptr_t)p;
	heap__advise();
	free(p);	/* stays in the heap (M_TRIM_THRESHOLD) */
}

static int run(struct session *s)
{
	bool tty = cli_progress_enabled();
	uint64_t start = fg_proc__now_ns(), last_progress = 0, now;
	uint64_t end = s->po.duration > 0 ?
		       start + (uint64_t)(s->po.duration * 1e9) : 0;
	uint64_t every = s->po.every > 0 ? (uint64_t)(s->po.every * 1e9) : 0;
	int rc = 0, ret;

	if (s->off)
		poff__set_enabled(s->off, true);
	fg_live__set_enabled(s->live, true);
	while (!stop_requested) {
		now = fg_proc__now_ns();
		if (end && now >= end)
			break;
		ret = fg_live__poll(s->live, 100);
		if (ret && ret != -EINTR) {
			rc = cli_error("profile: poll: %s", strerror(-ret));
			break;
		}
		ret = fg_live__drain(s->live, &live_ops, s);
		if (!ret && s->off)
			ret = poff__drain(s->off, false);
		if (ret) {
			rc = cli_error("profile: %s", strerror(-ret));
			break;
		}
		if (fg_live__stats(s->live)->lost_records)
			fg_livesym__records_lost(s->syms);
		fg_livesym__gc(s->syms);
		heap__advise();
		now = fg_proc__now_ns();
		if (every && now - s->window_start_mono >= every) {
			rc |= write_window(s, now);
			s->windows++;
			if (new_window(s))
				return cli_error("out of memory");
		}
		if (tty && now - last_progress >= 250000000ull) {
			progress(s, start, false);
			last_progress = now;
		}
		if (!targets_alive(s))
			break;
	}
	fg_live__set_enabled(s->live, false);
	if (s->off)
		poff__set_enabled(s->off, false);
	ret = fg_live__drain(s->live, &live_ops, s);
	if (!ret && s->off)
		ret = poff__drain(s->off, true);
	if (ret)
		rc = cli_error("profile: %s", strerror(-ret));
	if (!rc && s->off)
		rc = poff__finish(s->off);
	if (tty)
		progress(s, start, true);
	if (rc && s->off)
		return rc;	/* no graph from a broken accounting */
	rc |= write_window(s, fg_proc__now_ns());
	return rc;
}

static void summary(struct session *s)
{
	const struct fg_live_stats *st = fg_live__stats(s->live);
	const struct fg_livesym_stats *ys = fg_livesym__stats(s->syms);

	if (st->lost)
		fprintf(stderr, "flame: profile: lost %" PRIu64 " samples in %"
			PRIu64 " LOST records (ring buffers full: raise --mmap-pages or lower -F)\n",
			st->lost, st->lost_records);
	if (getenv("FLAME_DEBUG") || st->lost || !st->samples)
		fprintf(stderr, "flame: profile: %s, %d CPUs: %" PRIu64
			" samples, %" PRIu64 " frames (%" PRIu64
			" unnamed), comm %" PRIu64 " mmap %" PRIu64 " fork %"
			PRIu64 " exit %" PRIu64 ", %" PRIu64 " maps read (%"
			PRIu64 " again), %"
			PRIu64 " build-id mismatches, %" PRIu64 " windows, %"
			PRIu64 " DWARF unwinds (%" PRIu64 " leaf only), %"
			PRIu64 " of %" PRIu64 " callchains cached\n",
			fg_live__event_name(s->live), fg_live__nr_cpus(s->live),
			st->samples, s->frames, s->unnamed, st->comm, st->mmap,
			st->fork, st->exit, ys->maps_read, ys->maps_reread,
			ys->build_id_mismatch,
			s->windows + 1, ys->unwinds, ys->unwind_short,
			s->chain_hits, s->chain_hits + s->chain_misses);
}

int cmd_profile(int argc, char **argv)
{
	struct session s;
	struct fg_live_opts lo;
	struct fg_livesym_opts so;
	struct fg_jit_opts jo;
	struct sigaction sa;
	const char *why = NULL;
	int rc = 1;

	/*
	 * The tables grow by doubling and the symbol files of each window are
	 * dropped: with glibc's defaults each large block is a fresh mmap
	 * (page faults, zeroing) and each free a munmap (TLB shootdowns on
	 * every CPU), a third of the profiler's CPU time on a VM. Keep freed
	 * memory in the heap and reuse it (RSS stays at its peak, which the
	 * rotation bounds).
	 */
	mallopt(M_MMAP_THRESHOLD, 32 << 20);
	mallopt(M_TRIM_THRESHOLD, 256 << 20);
	mallopt(M_TOP_PAD, 64 << 20);
	heap__reserve();
	memset(&s, 0, sizeof(s));
	s.cgroup_fd = -1;
	fg_opts__init(&s.out);
	s.po.freq = 99;
	s.po.mmap_pages = 256;
	if (parse_args(&s, argc, argv))
		goto out;
	if (s.po.help) {
		usage(&s, stdout);
		rc = 0;
		goto out;
	}
	if (check_opts(&s) || open_target(&s))
		goto out;

	memset(&lo, 0, sizeof(lo));
	lo.event = s.po.event;
	lo.freq = (uint64_t)s.po.freq;
	lo.pids = s.pids;
	lo.nr_pids = s.nr_pids;
	lo.cgroup_fd = s.cgroup_fd;
	lo.mmap_pages = (unsigned int)s.po.mmap_pages;
	lo.monotonic = s.po.off_cpu;	/* merged with the sched events */
	if (s.dwarf_size) {
		lo.sample_regs_user = FG_LIVESYM_REGS_MASK;
		lo.sample_stack_user = s.dwarf_size;
	}
	s.live = fg_live__new(&lo, &why);
	if (!s.live) {
		cli_error("profile: cannot start sampling: %s (%s)",
			  why ? why : "error", strerror(errno));
		goto out;
	}
	memset(&so, 0, sizeof(so));
	s.syms = fg_livesym__new(&so);
	if (s.syms && !s.po.no_jit) {
		memset(&jo, 0, sizeof(jo));
		s.jit = fg_jit__new(&jo);
		fg_livesym__set_jit(s.syms, s.jit);
	}
	if (!s.syms || new_window(&s)) {
		cli_error("out of memory");
		goto out;
	}
	if (s.po.off_cpu) {
		struct poff_opts po = {
			.cfg = &s.offcfg, .prof = s.prof, .jit = s.jit,
			.pids = s.pids, .nr_pids = s.nr_pids,
			.cgroup_fd = s.cgroup_fd,
			.mmap_pages = (unsigned int)s.po.mmap_pages * 2,
			.node = sample_node, .arg = &s,
		};

		s.offcfg.pids = s.pids;		/* run-queue rows */
		s.offcfg.nr_pids = s.nr_pids;
		s.off = poff__new(&po);
		if (!s.off)
			goto out;
	}

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_stop;
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	rc = run(&s);
	summary(&s);
	if (s.off) {
		struct fg_buf b = FG_BUF_INIT;

		poff__summary(s.off, &b);
		if (b.len)
			fputs(b.buf, stderr);
		fg_buf__release(&b);
	} else if (fg_live__stats(s.live)->samples == 0 && !rc) {
		cli_warn("profile: no samples (is the target idle?)");
	}
out:
	poff__delete(s.off);
	fg_live__delete(s.live);
	fg_livesym__delete(s.syms);
	fg_jit__delete(s.jit);
	fg_profile__delete(s.prof);
	fg_hashmap__delete(s.cache);
	ccache__release(&s.chains);
	fg_buf__release(&s.name);
	if (s.cgroup_fd >= 0)
		close(s.cgroup_fd);
	free(s.pids);
	fg_opt__release(profile_table, &s.po);
	fg_naming_args__release(&s.po.sel);
	fg_opts__release(&s.out);
	return rc;
}
