// SPDX-License-Identifier: GPL-2.0
/*
 * The CPU time series of a snapshot directory (DIR/cpu.tsv, format in
 * cgcpu.h and docs/cpu-quota.md): recording at every poll, loading, and
 * the per-container summary with its verdict.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <flame/sched.h>
#include "internal.h"
#include <flame/containers.h>
#include <flame/cgcpu.h>

/* ---- recording ------------------------------------------------------------ */

struct grp {
	char label[64];
	char cgroup[512];
	bool warned, gone;
	bool empty;		/* no process in it at the last poll */
};

struct fg_cpulog {
	int fd;
	struct fg_cgcpu_mounts m;
	uint64_t written, max_bytes;
	unsigned int max_groups;
	struct grp *g;
	size_t nr, alloc;
	char **extra;
	size_t nr_extra;
	bool truncated, warned_groups, warned_host;
};

struct fg_cpulog *fg_cpulog__new(const char *dir, const struct fg_cpulog_opts *o)
{
	static const char head[] = "# flame-cpu 1\n";
	struct fg_cpulog *l = calloc(1, sizeof(*l));
	char path[4096];
	size_t i;
	int err = -ENOMEM;

	if (!l)
		return NULL;
	l->fd = -1;
	l->max_bytes = o && o->max_bytes ? o->max_bytes : FG_CPULOG_MAX_BYTES;
	l->max_groups = o && o->max_groups ? o->max_groups : FG_CPULOG_MAX_GROUPS;
	if (o && o->mounts)
		l->m = *o->mounts;
	else if (fg_cgcpu__mounts(&l->m))
		memset(&l->m, 0, sizeof(l->m));
	if (o && o->nr_extra) {
		l->extra = calloc(o->nr_extra, sizeof(*l->extra));
		if (!l->extra)
			goto out_err;
		for (i = 0; i < o->nr_extra; i++) {
			l->extra[i] = strdup(o->extra[i]);
			if (!l->extra[i])
				goto out_err;
			l->nr_extra++;
		}
	}
	snprintf(path, sizeof(path), "%s/" FG_CPULOG_FILE, dir);
	l->fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_APPEND | O_NOFOLLOW |
		     O_CLOEXEC, 0600);
	if (l->fd < 0) {
		err = -errno;
		goto out_err;
	}
	err = fg_write_all(l->fd, head, sizeof(head) - 1);
	if (err)
		goto out_err;
	l->written = sizeof(head) - 1;
	return l;
out_err:
	fg_cpulog__delete(l);
	errno = -err;
	return NULL;
}

void fg_cpulog__delete(struct fg_cpulog *l)
{
	size_t i;

	if (!l)
		return;
	if (l->fd >= 0)
		close(l->fd);
	for (i = 0; i < l->nr_extra; i++)
		free(l->extra[i]);
	free(l->extra);
	free(l->g);
	free(l);
}

static struct grp *grp_find(struct fg_cpulog *l, const char *label)
{
	size_t i;

	for (i = 0; i < l->nr; i++)
		if (!strcmp(l->g[i].label, label))
			return &l->g[i];
	return NULL;
}

static void grp_add(struct fg_cpulog *l, const char *label, const char *cg)
{
	struct grp *g = grp_find(l, label);

	if (g) {
		/* a container's own cgroup is the shortest path with its id */
		if (!g->gone && strlen(cg) < strlen(g->cgroup))
			snprintf(g->cgroup, sizeof(g->cgroup), "%s", cg);
		return;
	}
	if (l->nr >= l->max_groups) {
		if (!l->warned_groups)
			pr_warn("cpu: more than %u container cgroups; the others are not sampled\n",
				l->max_groups);
		l->warned_groups = true;
		return;
	}
	if (l->nr == l->alloc) {
		size_t n = l->alloc ? l->alloc * 2 : 16;
		struct grp *ng = realloc(l->g, n * sizeof(*ng));

		if (!ng)
			return;
		l->g = ng;
		l->alloc = n;
	}
	g = &l->g[l->nr++];
	memset(g, 0, sizeof(*g));
	snprintf(g->label, sizeof(g->label), "%s", label);
	snprintf(g->cgroup, sizeof(g->cgroup), "%s", cg);
}

static void discover(struct fg_cpulog *l, const struct fg_cgmap *given)
{
	char label[64], full[80], clean[512];
	struct fg_cgmap *cg = NULL;
	const char *path;
	uint64_t ino;
	size_t i;

	for (i = 0; i < l->nr_extra; i++) {
		snprintf(clean, sizeof(clean), "%s", l->extra[i]);
		fg_proc__sanitize(clean);
		fg_container__id(clean, label, sizeof(label), full, sizeof(full));
		grp_add(l, strcmp(label, "host") ? label : clean, clean);
	}
	if (!l->m.v2[0])
		return;
	if (!given)
		given = cg = fg_cgmap__scan(l->m.v2);
	if (!given)
		return;
	for (i = 0; fg_cgmap__entry(given, i, &ino, &path); i++) {
		if (strlen(path) >= sizeof(clean))
			continue;
		snprintf(clean, sizeof(clean), "%s", path);
		fg_proc__sanitize(clean);
		fg_container__id(clean, label, sizeof(label), full, sizeof(full));
		if (strcmp(label, "host"))
			grp_add(l, label, clean);
	}
	fg_cgmap__delete(cg);
}

/*
 * false when cgroup2 says no process is in the cgroup or below
 * ("populated 0" in cgroup.events); true when it has some or cannot tell.
 */
static bool populated(const struct fg_cpulog *l, const char *cg)
{
	char path[2048], buf[256];
	ssize_t n;
	int fd;

	while (*cg == '/')
		cg++;
	if (!l->m.v2[0] || snprintf(path, sizeof(path), "%s/%s/cgroup.events",
				    l->m.v2, cg) >= (int)sizeof(path))
		return true;
	fd = open(path, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
	if (fd < 0)
		return true;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return true;
	buf[n] = '\0';
	return !strstr(buf, "populated 0\n");
}

static void add_val(struct fg_buf *b, uint64_t v)
{
	if (v == FG_CGCPU_NA)
		fg_buf__adds(b, "\t-");
	else
		fg_buf__addf(b, "\t%" PRIu64, v);
}

static void add_g(struct fg_buf *b, uint64_t now, const char *label,
		  const char *cg, const struct fg_cgcpu_stat *st)
{
	fg_buf__addf(b, "G\t%" PRIu64 "\t%s\t%s", now, label, st->v1 ? "v1" : "v2");
	add_val(b, st->usage_ns);
	add_val(b, st->nr_periods);
	add_val(b, st->nr_throttled);
	add_val(b, st->throttled_ns);
	add_val(b, st->quota_us);
	add_val(b, st->period_us);
	add_val(b, st->weight);
	add_val(b, st->psi_some_us);
	add_val(b, st->psi_full_us);
	fg_buf__addf(b, "\t%s\n", cg);
}

int fg_cpulog__poll(struct fg_cpulog *l)
{
	return fg_cpulog__poll_with(l, NULL, NULL);
}

int fg_cpulog__poll_with(struct fg_cpulog *l, const struct fg_cgmap *given,
			 const char *mnt)
{
	struct fg_buf b = FG_BUF_INIT;
	struct fg_cgcpu_stat st;
	struct fg_cgcpu_host h;
	const char *bad, *why;
	uint64_t now;
	size_t i;
	int err = 0, e;

	if (!l || l->truncated)
		return 0;
	discover(l, given && mnt && !strcmp(mnt, l->m.v2) ? given : NULL);
	now = fg_proc__now_ns();
	e = fg_cgcpu__host(&h);
	if (!e)
		fg_buf__addf(&b, "H\t%" PRIu64 "\t%" PRIu64 "\t%" PRIu64 "\t%u\n",
			     now, h.total, h.idle, h.ncpu);
	else if (!l->warned_host) {
		pr_warn("cpu: /proc/stat: %s; host idle share unknown\n", strerror(-e));
		l->warned_host = true;
	}
	for (i = 0; i < l->nr; i++) {
		struct grp *g = &l->g[i];

		if (g->gone)
			continue;
		/*
		 * An empty cgroup's counters stand still: after one sample
		 * once it is empty (its last usage), one file a poll instead
		 * of ten, until a process enters it again.
		 */
		if (!populated(l, g->cgroup)) {
			if (g->empty)
				continue;
			g->empty = true;
		} else {
			g->empty = false;
		}
		e = fg_cgcpu__read(&l->m, g->cgroup, &st, &bad, &why);
		if (e == -ENOENT && bad && !strcmp(bad, "cgroup")) {
			/* removed while we poll: its samples so far stay */
			g->gone = true;
			if (!g->warned)
				pr_warn("cpu: cgroup %s (%s) %s; its samples end here\n",
					g->cgroup, g->label, why);
			g->warned = true;
			continue;
		}
		if (e && !g->warned) {
			pr_warn("cpu: cgroup %s (%s): %s %s; figures from it are left out\n",
				g->cgroup, g->label, bad ? bad : "a file",
				why ? why : strerror(-e));
			g->warned = true;
		}
		add_g(&b, now, g->label, g->cgroup, &st);
	}
	if (!b.len)
		goto out;
	if (l->written + b.len > l->max_bytes) {
		static const char trunc[] = "# truncated\n";

		l->truncated = true;
		pr_warn("cpu: " FG_CPULOG_FILE " reached its cap of %" PRIu64
			" bytes; CPU sampling stops here\n", l->max_bytes);
		err = fg_write_all(l->fd, trunc, sizeof(trunc) - 1);
		goto out;
	}
	err = fg_write_all(l->fd, b.buf, b.len);
	if (!err)
		l->written += b.len;
out:
	fg_buf__release(&b);
	return err;
}

/* ---- reading --------------------------------------------------------------- */

#define SERIES_MAX_GROUPS	4096
#define SERIES_MAX_LOAD		(256ull << 20)

static int split_tabs(char *line, char **f, int max)
{
	int n = 0;

	f[n++] = line;
	while (*line && n < max) {
		if (*line == '\t') {
			*line = '\0';
			f[n++] = line + 1;
		}
		line++;
	}
	return strchr(line, '\t') ? max + 1 : n;
}

static bool val(const char *s, uint64_t *v)
{
	char *e;

	if (!strcmp(s, "-")) {
		*v = FG_CGCPU_NA;
		return true;
	}
	if (*s < '0' || *s > '9')
		return false;
	errno = 0;
	*v = strtoull(s, &e, 10);
	return !*e && !errno && *v != FG_CGCPU_NA;
}

static bool printable(const char *s)
{
	for (; *s; s++)
		if ((unsigned char)*s < 0x20 || (unsigned char)*s > 0x7e)
			return false;
	return true;
}

static struct fg_cpugroup *group_get(struct fg_cpuseries *cs, const char *label,
				     const char *cg)
{
	struct fg_cpugroup *g;
	size_t i;

	for (i = 0; i < cs->nr_g; i++)
		if (!strcmp(cs->g[i].label, label))
			return &cs->g[i];
	if (cs->nr_g >= SERIES_MAX_GROUPS)
		return NULL;
	g = realloc(cs->g, (cs->nr_g + 1) * sizeof(*g));
	if (!g)
		return NULL;
	cs->g = g;
	g = &cs->g[cs->nr_g];
	memset(g, 0, sizeof(*g));
	g->label = strdup(label);
	g->cgroup = strdup(cg);
	if (!g->label || !g->cgroup) {
		free(g->label);
		free(g->cgroup);
		return NULL;
	}
	cs->nr_g++;
	return g;
}

static int parse_line(struct fg_cpuseries *cs, char *line)
{
	char *f[16];
	int n = split_tabs(line, f, 16);
	uint64_t v[11], t;
	int i;

	if (!strcmp(line, "H") && n == 5) {
		struct fg_cpuhost *h;

		for (i = 0; i < 4; i++)
			if (!val(f[i + 1], &v[i]) || v[i] == FG_CGCPU_NA)
				return -EINVAL;
		if (v[3] > 1u << 20)
			return -EINVAL;
		if (cs->nr_h && v[0] < cs->h[cs->nr_h - 1].time)
			return -EINVAL;
		if (cs->nr_h == cs->alloc_h) {
			size_t na = cs->alloc_h ? cs->alloc_h * 2 : 64;

			h = realloc(cs->h, na * sizeof(*h));
			if (!h)
				return -ENOMEM;
			cs->h = h;
			cs->alloc_h = na;
		}
		h = &cs->h[cs->nr_h++];
		h->time = v[0];
		h->h.total = v[1];
		h->h.idle = v[2];
		h->h.ncpu = (unsigned int)v[3];
		return 0;
	}
	if (!strcmp(line, "G") && n == 14) {
		struct fg_cpugroup *g;
		struct fg_cpusample *s;

		if (!val(f[1], &t) || t == FG_CGCPU_NA || !*f[2] ||
		    strlen(f[2]) >= 64 || !printable(f[2]) ||
		    strlen(f[13]) >= 512 || !printable(f[13]) ||
		    (strcmp(f[3], "v1") && strcmp(f[3], "v2")))
			return -EINVAL;
		for (i = 0; i < 9; i++)
			if (!val(f[4 + i], &v[i]))
				return -EINVAL;
		g = group_get(cs, f[2], f[13]);
		if (!g)
			return -ENOMEM;
		if (g->nr && t < g->s[g->nr - 1].time)
			return -EINVAL;
		if (g->nr == g->alloc) {
			size_t na = g->alloc ? g->alloc * 2 : 64;

			s = realloc(g->s, na * sizeof(*s));
			if (!s)
				return -ENOMEM;
			g->s = s;
			g->alloc = na;
		}
		s = &g->s[g->nr++];
		s->time = t;
		s->st.v1 = !strcmp(f[3], "v1");
		s->st.usage_ns = v[0];
		s->st.nr_periods = v[1];
		s->st.nr_throttled = v[2];
		s->st.throttled_ns = v[3];
		s->st.quota_us = v[4];
		s->st.period_us = v[5];
		s->st.weight = v[6];
		s->st.psi_some_us = v[7];
		s->st.psi_full_us = v[8];
		return 0;
	}
	return -EINVAL;
}

struct fg_cpuseries *fg_cpuseries__parse(const char *text, size_t len)
{
	struct fg_cpuseries *cs;
	const char *p = text, *end = text + len, *nl;
	char line[1024];
	size_t ll;
	int err;

	if (len < 14 || strncmp(text, "# flame-cpu 1\n", 14)) {
		errno = EINVAL;
		return NULL;
	}
	cs = calloc(1, sizeof(*cs));
	if (!cs)
		return NULL;
	for (p = text + 14; p < end; p = nl + 1) {
		nl = memchr(p, '\n', (size_t)(end - p));
		if (!nl)
			break;	/* a partial last line: the writer was cut */
		ll = (size_t)(nl - p);
		if (!ll)
			continue;
		if (ll >= sizeof(line) || memchr(p, '\0', ll)) {
			cs->bad_lines++;
			continue;
		}
		memcpy(line, p, ll);
		line[ll] = '\0';
		if (line[0] == '#') {
			if (!strcmp(line, "# truncated"))
				cs->truncated = true;
			continue;
		}
		err = parse_line(cs, line);
		if (err == -ENOMEM) {
			fg_cpuseries__delete(cs);
			errno = ENOMEM;
			return NULL;
		}
		if (err)
			cs->bad_lines++;
	}
	return cs;
}

struct fg_cpuseries *fg_cpuseries__load(const char *dir)
{
	struct fg_cpuseries *cs = NULL;
	char path[4096];
	struct stat st;
	char *buf = NULL;
	size_t got = 0;
	ssize_t n;
	int fd, err;

	snprintf(path, sizeof(path), "%s/" FG_CPULOG_FILE, dir);
	fd = open(path, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
	if (fd < 0)
		return NULL;
	if (fstat(fd, &st) || !S_ISREG(st.st_mode)) {
		err = EINVAL;
		goto out_close;
	}
	if ((uint64_t)st.st_size > SERIES_MAX_LOAD) {
		err = EFBIG;
		goto out_close;
	}
	buf = malloc((size_t)st.st_size + 1);
	if (!buf) {
		err = ENOMEM;
		goto out_close;
	}
	while (got < (size_t)st.st_size) {
		n = read(fd, buf + got, (size_t)st.st_size - got);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		got += (size_t)n;
	}
	buf[got] = '\0';
	cs = fg_cpuseries__parse(buf, got);
	err = cs ? 0 : errno;
out_close:
	free(buf);
	close(fd);
	errno = err;
	return cs;
}

void fg_cpuseries__delete(struct fg_cpuseries *cs)
{
	size_t i;

	if (!cs)
		return;
	for (i = 0; i < cs->nr_g; i++) {
		free(cs->g[i].label);
		free(cs->g[i].cgroup);
		free(cs->g[i].s);
	}
	free(cs->g);
	free(cs->h);
	free(cs);
}

void fg_cpuseries__set_runq(struct fg_cpuseries *cs, const struct fg_runq *r)
{
	if (cs)
		cs->runq = r;
}

int fg_cpuseries__write(const struct fg_cpuseries *cs, struct fg_buf *out)
{
	size_t i, j;

	fg_buf__adds(out, "# flame-cpu 1\n");
	for (i = 0; i < cs->nr_h; i++)
		fg_buf__addf(out, "H\t%" PRIu64 "\t%" PRIu64 "\t%" PRIu64 "\t%u\n",
			     cs->h[i].time, cs->h[i].h.total, cs->h[i].h.idle,
			     cs->h[i].h.ncpu);
	for (i = 0; i < cs->nr_g; i++)
		for (j = 0; j < cs->g[i].nr; j++)
			add_g(out, cs->g[i].s[j].time, cs->g[i].label,
			      cs->g[i].cgroup, &cs->g[i].s[j].st);
	if (cs->truncated)
		fg_buf__adds(out, "# truncated\n");
	return out->buf ? 0 : -ENOMEM;
}

/* ---- summary --------------------------------------------------------------- */

long fg_cpuseries__find(const struct fg_cpuseries *cs, const char *label)
{
	size_t i;

	for (i = 0; cs && i < cs->nr_g; i++)
		if (!strcmp(cs->g[i].label, label))
			return (long)i;
	return -1;
}

/*
 * The group's run-queue latency (whole recording): the runq groups are
 * flame.so's container labels, the same as the series' labels.
 */
static void runq_of(const struct fg_cpuseries *cs, const struct fg_cpugroup *g,
		    struct fg_cpusum *sum)
{
	struct fg_runq_stats st;

	if (!cs->runq || fg_runq__stats(cs->runq, g->label, -1, &st) ||
	    !st.count)
		return;
	sum->runq_waits = st.count;
	sum->runq_p50_ms = (double)st.p50 / 1e6;
	sum->runq_p99_ms = (double)st.p99 / 1e6;
}

/* Did the container's tasks wait for a CPU? 1 yes, 0 no, -1 unknown. */
static int waited(const struct fg_cpusum *s)
{
	if (s->psi_some >= FG_CPU_WAITED_SHARE ||
	    s->runq_p99_ms >= FG_CPU_WAITED_RUNQ_MS)
		return 1;
	return s->psi_some < 0 && s->runq_p99_ms < 0 ? -1 : 0;
}

static bool have(uint64_t a, uint64_t b)
{
	return a != FG_CGCPU_NA && b != FG_CGCPU_NA && b >= a;
}

void fg_cpuseries__sum(const struct fg_cpuseries *cs, size_t i,
		       uint64_t from, uint64_t to, struct fg_cpusum *sum)
{
	const struct fg_cpugroup *g = &cs->g[i];
	const struct fg_cpusample *a = NULL, *b = NULL;
	const struct fg_cpuhost *ha = NULL, *hb = NULL;
	double dt;
	size_t k;

	memset(sum, 0, sizeof(*sum));
	sum->label = g->label;
	sum->cgroup = g->cgroup;
	sum->avg_throttle_ms = sum->psi_some = sum->psi_full = -1;
	sum->host_idle = sum->runq_p50_ms = sum->runq_p99_ms = -1;
	sum->quota_us = sum->period_us = FG_CGCPU_NA;
	for (k = 0; k < g->nr; k++) {
		if (g->s[k].time < from || g->s[k].time > to)
			continue;
		if (!a)
			a = &g->s[k];
		b = &g->s[k];
	}
	runq_of(cs, g, sum);
	if (!a || a == b || b->time <= a->time) {
		sum->verdict = FG_CPU_UNKNOWN;
		return;
	}
	sum->v1 = b->st.v1;
	dt = (double)(b->time - a->time);
	sum->secs = dt / 1e9;
	if (have(a->st.usage_ns, b->st.usage_ns))
		sum->used_cpus = (double)(b->st.usage_ns - a->st.usage_ns) / dt;
	sum->quota_us = b->st.quota_us;
	sum->period_us = b->st.period_us;
	if (b->st.quota_us != FG_CGCPU_NA && b->st.period_us != FG_CGCPU_NA &&
	    b->st.period_us)
		sum->quota_cpus = (double)b->st.quota_us / (double)b->st.period_us;
	if (have(a->st.nr_periods, b->st.nr_periods))
		sum->periods = b->st.nr_periods - a->st.nr_periods;
	if (have(a->st.nr_throttled, b->st.nr_throttled))
		sum->throttled = b->st.nr_throttled - a->st.nr_throttled;
	if (have(a->st.throttled_ns, b->st.throttled_ns))
		sum->throttled_s = (double)(b->st.throttled_ns - a->st.throttled_ns) / 1e9;
	if (sum->throttled)
		sum->avg_throttle_ms = sum->throttled_s * 1e3 / (double)sum->throttled;
	if (have(a->st.psi_some_us, b->st.psi_some_us))
		sum->psi_some = (double)(b->st.psi_some_us - a->st.psi_some_us) * 1e3 / dt;
	if (have(a->st.psi_full_us, b->st.psi_full_us))
		sum->psi_full = (double)(b->st.psi_full_us - a->st.psi_full_us) * 1e3 / dt;
	/* host: the H lines nearest the group's window */
	for (k = 0; k < cs->nr_h; k++) {
		if (cs->h[k].time < a->time)
			continue;
		if (!ha)
			ha = &cs->h[k];
		if (cs->h[k].time <= b->time)
			hb = &cs->h[k];
	}
	if (ha && hb && hb->h.total > ha->h.total && hb->h.idle >= ha->h.idle)
		sum->host_idle = (double)(hb->h.idle - ha->h.idle) /
				 (double)(hb->h.total - ha->h.total);
	if (sum->periods && sum->throttled &&
	    (double)sum->throttled / (double)sum->periods >= FG_CPU_CAPPED_SHARE)
		sum->verdict = FG_CPU_CAPPED;
	else if (sum->host_idle >= 0 && sum->host_idle < FG_CPU_SATURATED_IDLE &&
		 waited(sum))
		sum->verdict = FG_CPU_HOST_SATURATED;
	else
		sum->verdict = FG_CPU_NOT_CAPPED;
}

static double pct(double part, double whole)
{
	return whole > 0 ? 100.0 * part / whole : 0;
}

void fg_cpusum__line(const struct fg_cpusum *s, struct fg_buf *b)
{
	fg_buf__addf(b, "cpu %s (cgroup %s, %s): ", s->label, s->cgroup,
		     s->v1 ? "v1 cpu controller" : "cgroup2");
	if (s->verdict == FG_CPU_UNKNOWN) {
		fg_buf__adds(b, "fewer than two samples");
		return;
	}
	fg_buf__addf(b, "used %.3f CPU over %.1f s", s->used_cpus, s->secs);
	if (s->quota_cpus > 0)
		fg_buf__addf(b, "; quota %.3f CPU (%" PRIu64 "/%" PRIu64
			     " us), %.0f%% used", s->quota_cpus, s->quota_us,
			     s->period_us, pct(s->used_cpus, s->quota_cpus));
	else
		fg_buf__adds(b, "; no quota");
	fg_buf__addf(b, "; throttled %" PRIu64 " of %" PRIu64 " periods, %.2f s",
		     s->throttled, s->periods, s->throttled_s);
	if (s->avg_throttle_ms >= 0)
		fg_buf__addf(b, " (avg %.1f ms)", s->avg_throttle_ms);
	if (s->psi_some >= 0)
		fg_buf__addf(b, "; PSI some %.1f%%", 100 * s->psi_some);
	if (s->psi_full >= 0)
		fg_buf__addf(b, " full %.1f%%", 100 * s->psi_full);
	if (s->runq_p50_ms >= 0)
		fg_buf__addf(b, "; run-queue latency p50 %.2f ms p99 %.2f ms (%" PRIu64
			     " waits)", s->runq_p50_ms, s->runq_p99_ms, s->runq_waits);
	if (s->host_idle >= 0)
		fg_buf__addf(b, "; host idle %.0f%%", 100 * s->host_idle);
}

static void not_throttled(const struct fg_cpusum *s, struct fg_buf *b)
{
	if (s->quota_cpus > 0)
		fg_buf__addf(b, "not throttled (%" PRIu64 " of %" PRIu64
			     " periods)", s->throttled, s->periods);
	else
		fg_buf__adds(b, "not throttled (no quota)");
}

void fg_cpusum__verdict(const struct fg_cpusum *s, struct fg_buf *b)
{
	fg_buf__addf(b, "verdict %s: ", s->label);
	switch (s->verdict) {
	case FG_CPU_CAPPED:
		fg_buf__addf(b, "capped by quota: throttled in %" PRIu64 " of %"
			     PRIu64 " periods (%.0f%%) for %.2f s, using %.3f of its %.3f CPU quota (%.0f%%)",
			     s->throttled, s->periods,
			     pct((double)s->throttled, (double)s->periods),
			     s->throttled_s, s->used_cpus, s->quota_cpus,
			     pct(s->used_cpus, s->quota_cpus));
		break;
	case FG_CPU_HOST_SATURATED:
		not_throttled(s, b);
		fg_buf__addf(b, "; host saturated by neighbours: host idle %.0f%% over %.1f s",
			     100 * s->host_idle, s->secs);
		if (s->psi_some >= 0)
			fg_buf__addf(b, ", PSI some %.0f%%", 100 * s->psi_some);
		if (s->runq_p99_ms >= 0)
			fg_buf__addf(b, ", run-queue latency p50 %.1f ms p99 %.1f ms",
				     s->runq_p50_ms, s->runq_p99_ms);
		if (s->psi_some >= 0 || s->runq_p99_ms >= 0)
			fg_buf__adds(b, " (its tasks waited for a CPU)");
		break;
	case FG_CPU_NOT_CAPPED:
		not_throttled(s, b);
		if (s->host_idle >= 0)
			fg_buf__addf(b, ", host idle %.0f%%", 100 * s->host_idle);
		if (s->host_idle >= 0 && s->host_idle < FG_CPU_SATURATED_IDLE) {
			fg_buf__adds(b, " but its tasks did not wait for a CPU (");
			if (s->psi_some >= 0)
				fg_buf__addf(b, "PSI some %.1f%%%s", 100 * s->psi_some,
					     s->runq_p99_ms >= 0 ? ", " : "");
			if (s->runq_p99_ms >= 0)
				fg_buf__addf(b, "run-queue latency p99 %.2f ms",
					     s->runq_p99_ms);
			fg_buf__addch(b, ')');
		} else if (s->runq_p99_ms >= 0) {
			fg_buf__addf(b, ", run-queue latency p99 %.2f ms", s->runq_p99_ms);
		}
		fg_buf__adds(b, ": not a CPU cap; look at the flame graph and off-CPU time");
		break;
	default:
		fg_buf__adds(b, "unknown: fewer than two samples");
	}
}

static void json_num(struct fg_buf *b, const char *key, double v, bool ok)
{
	if (ok && isfinite(v))
		fg_buf__addf(b, ",\"%s\":%.4g", key, v);
	else
		fg_buf__addf(b, ",\"%s\":null", key);
}

void fg_cpusum__json(const struct fg_cpusum *s, struct fg_buf *b)
{
	static const char *const names[] = {
		[FG_CPU_UNKNOWN] = "unknown",
		[FG_CPU_CAPPED] = "capped_by_quota",
		[FG_CPU_HOST_SATURATED] = "host_saturated",
		[FG_CPU_NOT_CAPPED] = "not_cpu_capped",
	};
	struct fg_buf v = FG_BUF_INIT;

	fg_buf__adds(b, "{\"container\":");
	fg_buf__add_json(b, s->label, strlen(s->label));
	fg_buf__adds(b, ",\"cgroup\":");
	fg_buf__add_json(b, s->cgroup, strlen(s->cgroup));
	fg_buf__addf(b, ",\"controller\":\"%s\"", s->v1 ? "v1" : "v2");
	json_num(b, "window_s", s->secs, true);
	json_num(b, "used_cpus", s->used_cpus, true);
	json_num(b, "quota_cpus", s->quota_cpus, s->quota_cpus > 0);
	json_num(b, "quota_used_pct", pct(s->used_cpus, s->quota_cpus),
		 s->quota_cpus > 0);
	fg_buf__addf(b, ",\"periods\":%" PRIu64 ",\"throttled_periods\":%" PRIu64,
		     s->periods, s->throttled);
	json_num(b, "throttled_s", s->throttled_s, true);
	json_num(b, "avg_throttle_ms", s->avg_throttle_ms, s->avg_throttle_ms >= 0);
	json_num(b, "psi_some_pct", 100 * s->psi_some, s->psi_some >= 0);
	json_num(b, "psi_full_pct", 100 * s->psi_full, s->psi_full >= 0);
	json_num(b, "host_idle_pct", 100 * s->host_idle, s->host_idle >= 0);
	json_num(b, "runq_p50_ms", s->runq_p50_ms, s->runq_p50_ms >= 0);
	json_num(b, "runq_p99_ms", s->runq_p99_ms, s->runq_p99_ms >= 0);
	if (s->runq_p50_ms >= 0)
		fg_buf__addf(b, ",\"runq_waits\":%" PRIu64, s->runq_waits);
	else
		fg_buf__adds(b, ",\"runq_waits\":null");
	fg_buf__addf(b, ",\"verdict\":\"%s\",\"verdict_text\":",
		     names[s->verdict]);
	fg_cpusum__verdict(s, &v);
	fg_buf__add_json(b, v.buf ? v.buf : "", v.len);
	fg_buf__addch(b, '}');
	fg_buf__release(&v);
}

void fg_cpuseries__buckets(const struct fg_cpuseries *cs, size_t i,
			   uint64_t t0, uint64_t bucket_ns, size_t nr,
			   double *share, double *usage)
{
	const struct fg_cpugroup *g = &cs->g[i];
	double *per = calloc(nr ? nr : 1, sizeof(double));
	double *thr = calloc(nr ? nr : 1, sizeof(double));
	size_t k, j;

	for (j = 0; j < nr; j++) {
		share[j] = -1;
		if (usage)
			usage[j] = 0;
	}
	if (!per || !thr || !bucket_ns)
		goto out;
	for (k = 1; k < g->nr; k++) {
		const struct fg_cpusample *a = &g->s[k - 1], *b = &g->s[k];
		double span = (double)(b->time - a->time), dp = 0, dthr = 0, du = 0;
		uint64_t lo, hi;

		if (b->time <= a->time || b->time <= t0)
			continue;
		if (have(a->st.nr_periods, b->st.nr_periods))
			dp = (double)(b->st.nr_periods - a->st.nr_periods);
		if (have(a->st.nr_throttled, b->st.nr_throttled))
			dthr = (double)(b->st.nr_throttled - a->st.nr_throttled);
		if (have(a->st.usage_ns, b->st.usage_ns))
			du = (double)(b->st.usage_ns - a->st.usage_ns);
		/* spread the interval's deltas over the buckets it overlaps */
		for (j = a->time > t0 ? (a->time - t0) / bucket_ns : 0; j < nr; j++) {
			uint64_t bs = t0 + j * bucket_ns, be = bs + bucket_ns;
			double f;

			if (bs >= b->time)
				break;
			lo = a->time > bs ? a->time : bs;
			hi = b->time < be ? b->time : be;
			if (hi <= lo)
				continue;
			f = (double)(hi - lo) / span;
			per[j] += dp * f;
			thr[j] += dthr * f;
			if (usage)
				usage[j] += du * f / (double)bucket_ns;
		}
	}
	for (j = 0; j < nr; j++)
		if (per[j] > 0)
			share[j] = thr[j] / per[j] > 1 ? 1 : thr[j] / per[j];
out:
	free(per);
	free(thr);
}

/* ---- for the plugin, flame report and flame bench ------------------------ */

void fg_cpusum__short(const struct fg_cpusum *s, struct fg_buf *b)
{
	static const char *const what[] = {
		[FG_CPU_UNKNOWN] = "unknown",
		[FG_CPU_CAPPED] = "capped by quota",
		[FG_CPU_HOST_SATURATED] = "host saturated by neighbours",
		[FG_CPU_NOT_CAPPED] = "not a CPU cap",
	};

	fg_buf__addf(b, "CPU %s: %s; used %.3f CPU", s->label, what[s->verdict],
		     s->used_cpus);
	if (s->quota_cpus > 0)
		fg_buf__addf(b, " of a %.3f quota; throttled %" PRIu64 "/%" PRIu64
			     " periods, %.2f s", s->quota_cpus, s->throttled,
			     s->periods, s->throttled_s);
	else
		fg_buf__adds(b, ", no quota");
	if (s->psi_some >= 0)
		fg_buf__addf(b, "; PSI some %.0f%%", 100 * s->psi_some);
	if (s->runq_p50_ms >= 0)
		fg_buf__addf(b, "; run-queue latency p50 %.1f ms p99 %.1f ms",
			     s->runq_p50_ms, s->runq_p99_ms);
	if (s->host_idle >= 0)
		fg_buf__addf(b, "; host idle %.0f%%", 100 * s->host_idle);
}

bool fg_cpugroup__matches(const struct fg_cpugroup *g, const char *only)
{
	const char *colon = strchr(g->label, ':');
	size_t n = strlen(only);

	if (!strcmp(g->label, only) || (colon && !strcmp(colon + 1, only)))
		return true;
	/* a prefix of the id part, as container= accepts (>= 4 chars) */
	return colon && n >= 4 && !strncmp(colon + 1, only, n);
}

int fg_cpuseries__report(const struct fg_cpuseries *cs, const char *only,
			 struct fg_buf *out)
{
	struct fg_cpusum s;
	size_t i;
	int n = 0;

	for (i = 0; cs && i < cs->nr_g; i++) {
		if (only && !fg_cpugroup__matches(&cs->g[i], only))
			continue;
		fg_cpuseries__sum(cs, i, 0, UINT64_MAX, &s);
		if (!only && s.used_cpus < 0.001)
			continue;	/* idle: nothing to explain */
		fg_cpusum__line(&s, out);
		fg_buf__adds(out, "\n  ");
		fg_cpusum__verdict(&s, out);
		fg_buf__addch(out, '\n');
		n++;
	}
	return n;
}

int fg_cpuseries__oneline(const struct fg_cpuseries *cs, const char *only,
			  struct fg_buf *out)
{
	struct fg_cpusum s;
	size_t i;

	for (i = 0; cs && only && i < cs->nr_g; i++) {
		if (!fg_cpugroup__matches(&cs->g[i], only))
			continue;
		fg_cpuseries__sum(cs, i, 0, UINT64_MAX, &s);
		if (s.verdict == FG_CPU_UNKNOWN)
			return -ENODATA;
		fg_cpusum__short(&s, out);
		return 0;
	}
	return -ENOENT;
}
