// SPDX-License-Identifier: GPL-2.0
/*
 * Reading a cgroup's CPU controller files (v1 and v2) and /proc/stat.
 *
 * Controller files are small kernel files, but a cgroup can vanish between
 * two reads and a test (or a hostile bind mount) can put anything at those
 * paths: files are opened O_NOFOLLOW | O_NONBLOCK relative to the cgroup's
 * directory fd, must be regular files, and at most FG_CGCPU_MAX_FILE bytes
 * are read. Parsers are strict about the keys they know.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "internal.h"
#include <flame/cgcpu.h>

void fg_cgcpu__clear(struct fg_cgcpu_stat *st)
{
	st->usage_ns = st->nr_periods = st->nr_throttled = FG_CGCPU_NA;
	st->throttled_ns = st->quota_us = st->period_us = FG_CGCPU_NA;
	st->weight = st->psi_some_us = st->psi_full_us = FG_CGCPU_NA;
	st->v1 = false;
}

/* Decimal u64 at *p (advanced), no sign; false when none or overflow. */
static bool take_u64(const char **p, uint64_t *v)
{
	const char *s = *p;
	uint64_t x = 0;

	if (*s < '0' || *s > '9')
		return false;
	while (*s >= '0' && *s <= '9') {
		if (x > (UINT64_MAX - 9) / 10)
			return false;
		x = x * 10 + (uint64_t)(*s - '0');
		s++;
	}
	*p = s;
	*v = x;
	return true;
}

static bool at_eol(const char *s)
{
	while (*s == ' ' || *s == '\t')
		s++;
	return *s == '\n' || *s == '\0';
}

int fg_cgcpu__parse_num(const char *text, uint64_t *v)
{
	const char *p = text;

	if (!strncmp(p, "-1", 2) && at_eol(p + 2)) {
		*v = FG_CGCPU_NA;
		return 0;
	}
	if (!take_u64(&p, v) || !at_eol(p))
		return -EINVAL;
	return 0;
}

struct key_map {
	const char *key;
	size_t off;
	uint64_t mul;
};

#define KEY(k, field, m) { k, offsetof(struct fg_cgcpu_stat, field), m }

static int parse_keys(const char *text, const struct key_map *km, size_t nr,
		      struct fg_cgcpu_stat *st)
{
	const char *p = text, *nl;
	int err = 0;
	size_t i, kl;

	for (; p && *p; p = nl ? nl + 1 : NULL) {
		nl = strchr(p, '\n');
		for (i = 0; i < nr; i++) {
			const char *v;
			uint64_t x;

			kl = strlen(km[i].key);
			if (strncmp(p, km[i].key, kl) || p[kl] != ' ')
				continue;
			v = p + kl + 1;
			if (!take_u64(&v, &x) || !at_eol(v) ||
			    x > UINT64_MAX / km[i].mul - 1) {
				err = -EINVAL;
				break;
			}
			*(uint64_t *)((char *)st + km[i].off) = x * km[i].mul;
			break;
		}
	}
	return err;
}

int fg_cgcpu__parse_v2_stat(const char *text, struct fg_cgcpu_stat *st)
{
	static const struct key_map km[] = {
		KEY("usage_usec", usage_ns, 1000),
		KEY("nr_periods", nr_periods, 1),
		KEY("nr_throttled", nr_throttled, 1),
		KEY("throttled_usec", throttled_ns, 1000),
	};

	return parse_keys(text, km, ARRAY_SIZE(km), st);
}

int fg_cgcpu__parse_v1_stat(const char *text, struct fg_cgcpu_stat *st)
{
	static const struct key_map km[] = {
		KEY("nr_periods", nr_periods, 1),
		KEY("nr_throttled", nr_throttled, 1),
		KEY("throttled_time", throttled_ns, 1),
	};

	return parse_keys(text, km, ARRAY_SIZE(km), st);
}

/* cpu.max: "max 100000" or "5000 100000" */
int fg_cgcpu__parse_max(const char *text, struct fg_cgcpu_stat *st)
{
	const char *p = text;
	uint64_t q = FG_CGCPU_NA, per;

	if (!strncmp(p, "max", 3))
		p += 3;
	else if (!take_u64(&p, &q))
		return -EINVAL;
	if (*p++ != ' ' || !take_u64(&p, &per) || !at_eol(p) || !per)
		return -EINVAL;
	st->quota_us = q;
	st->period_us = per;
	return 0;
}

/* cpu.pressure: "some avg10=0.00 avg60=0.00 avg300=0.00 total=123" */
int fg_cgcpu__parse_pressure(const char *text, struct fg_cgcpu_stat *st)
{
	const char *p = text, *nl, *t;
	uint64_t *dst, v;

	for (; p && *p; p = nl ? nl + 1 : NULL) {
		nl = strchr(p, '\n');
		if (!strncmp(p, "some ", 5))
			dst = &st->psi_some_us;
		else if (!strncmp(p, "full ", 5))
			dst = &st->psi_full_us;
		else
			continue;
		t = strstr(p, " total=");
		if (!t || (nl && t > nl))
			return -EINVAL;
		t += 7;
		if (!take_u64(&t, &v) || !at_eol(t))
			return -EINVAL;
		*dst = v;
	}
	return 0;
}

/* Read at most FG_CGCPU_MAX_FILE bytes of dfd/name into buf (NUL ended). */
static int read_small(int dfd, const char *name, char *buf, size_t size,
		      const char **why)
{
	struct stat st;
	ssize_t n;
	size_t got = 0;
	int fd, err;

	fd = openat(dfd, name, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_NOCTTY |
		    O_CLOEXEC);
	if (fd < 0) {
		err = -errno;
		if (err == -ELOOP)
			*why = "is a symlink";
		else if (err == -ENXIO)
			*why = "is a FIFO or socket without a writer";
		else if (err != -ENOENT)
			*why = "cannot be opened";
		return err;
	}
	if (fstat(fd, &st) || !S_ISREG(st.st_mode)) {
		*why = "is not a regular file";
		err = -EPERM;
		goto out_close;
	}
	for (;;) {
		n = read(fd, buf + got, size - 1 - got);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			err = -errno;
			*why = err == -ENODEV ? "was removed" :
			       err == -EAGAIN ? "would block" : "cannot be read";
			goto out_close;
		}
		if (n == 0 || got + (size_t)n >= size - 1) {
			got += (size_t)n;
			break;
		}
		got += (size_t)n;
	}
	buf[got] = '\0';
	err = 0;
out_close:
	close(fd);
	return err;
}

typedef int (*parse_fn)(const char *text, struct fg_cgcpu_stat *st);

static int parse_weight(const char *text, struct fg_cgcpu_stat *st)
{
	return fg_cgcpu__parse_num(text, &st->weight);
}

static int parse_quota_v1(const char *text, struct fg_cgcpu_stat *st)
{
	return fg_cgcpu__parse_num(text, &st->quota_us);
}

static int parse_period_v1(const char *text, struct fg_cgcpu_stat *st)
{
	return fg_cgcpu__parse_num(text, &st->period_us);
}

static int parse_acct(const char *text, struct fg_cgcpu_stat *st)
{
	return fg_cgcpu__parse_num(text, &st->usage_ns);
}

/* Read one file; absent is fine; errors name the file. */
static int read_one(int dfd, const char *name, parse_fn fn,
		    struct fg_cgcpu_stat *st, const char **bad,
		    const char **why)
{
	char buf[FG_CGCPU_MAX_FILE + 1];
	const char *w = NULL;
	int err;

	if (dfd < 0)
		return 0;
	err = read_small(dfd, name, buf, sizeof(buf), &w);
	if (err == -ENOENT && !w)
		return 0;
	if (!err) {
		err = fn(buf, st);
		if (err)
			w = "has non-numeric or malformed content";
	}
	if (err) {
		*bad = name;
		*why = w ? w : "cannot be read";
	}
	return err;
}

int fg_cgcpu__read_dirs(int v2_fd, int v1cpu_fd, int v1acct_fd,
			struct fg_cgcpu_stat *st, const char **bad,
			const char **why)
{
	int err = 0, e;

	fg_cgcpu__clear(st);
	*bad = NULL;
	*why = NULL;
	/* a removed cgroup directory has no files any more */
	if ((v2_fd < 0 || faccessat(v2_fd, "cgroup.procs", F_OK, 0)) &&
	    (v1cpu_fd < 0 || faccessat(v1cpu_fd, "cgroup.procs", F_OK, 0))) {
		*bad = "cgroup";
		*why = "was removed";
		return -ENOENT;
	}
#define TRY(fd, name, fn) do {						\
		e = read_one(fd, name, fn, st, bad, why);		\
		if (e && !err)						\
			err = e;					\
		if (e)							\
			return err;					\
	} while (0)
	TRY(v2_fd, "cpu.stat", fg_cgcpu__parse_v2_stat);
	TRY(v2_fd, "cpu.max", fg_cgcpu__parse_max);
	TRY(v2_fd, "cpu.weight", parse_weight);
	TRY(v2_fd, "cpu.pressure", fg_cgcpu__parse_pressure);
	if (v1cpu_fd >= 0) {
		/* the v1 controller owns the CFS figures on hybrid hosts */
		st->v1 = true;
		st->nr_periods = st->nr_throttled = FG_CGCPU_NA;
		st->throttled_ns = st->quota_us = st->period_us = FG_CGCPU_NA;
		st->weight = FG_CGCPU_NA;
		TRY(v1cpu_fd, "cpu.stat", fg_cgcpu__parse_v1_stat);
		TRY(v1cpu_fd, "cpu.cfs_quota_us", parse_quota_v1);
		TRY(v1cpu_fd, "cpu.cfs_period_us", parse_period_v1);
		TRY(v1cpu_fd, "cpu.shares", parse_weight);
	}
	TRY(v1acct_fd, "cpuacct.usage", parse_acct);
#undef TRY
	return err;
}

static int open_dir(const char *mnt, const char *cg)
{
	char path[2048];
	int fd;

	if (!mnt[0])
		return -1;
	while (*cg == '/')
		cg++;
	if (snprintf(path, sizeof(path), "%s/%s", mnt, cg) >= (int)sizeof(path))
		return -1;
	fd = open(path, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	return fd;
}

int fg_cgcpu__read(const struct fg_cgcpu_mounts *m, const char *cg,
		   struct fg_cgcpu_stat *st, const char **bad,
		   const char **why)
{
	int v2 = open_dir(m->v2, cg), v1 = open_dir(m->v1_cpu, cg), acct, err;

	acct = !strcmp(m->v1_acct, m->v1_cpu) ? -1 : open_dir(m->v1_acct, cg);
	if (v2 < 0 && v1 < 0) {
		fg_cgcpu__clear(st);
		*bad = "cgroup";
		*why = "was removed or is not a directory";
		err = -ENOENT;
	} else {
		err = fg_cgcpu__read_dirs(v2, v1, acct >= 0 ? acct :
					  (v1 >= 0 && !strcmp(m->v1_acct, m->v1_cpu) ? v1 : -1),
					  st, bad, why);
	}
	if (v2 >= 0)
		close(v2);
	if (v1 >= 0)
		close(v1);
	if (acct >= 0)
		close(acct);
	return err;
}

/* Does the comma-separated option list opts hold word? */
static bool has_opt(const char *opts, const char *word)
{
	size_t n = strlen(word);
	const char *p = opts;

	while (p && *p) {
		if (!strncmp(p, word, n) && (p[n] == ',' || p[n] == '\0'))
			return true;
		p = strchr(p, ',');
		if (p)
			p++;
	}
	return false;
}

int fg_cgcpu__mounts_parse(const char *text, struct fg_cgcpu_mounts *m)
{
	char dev[256], mnt[512], type[64], opts[1024];
	const char *p = text, *nl;
	char line[2048];
	size_t len;

	memset(m, 0, sizeof(*m));
	for (; p && *p; p = nl ? nl + 1 : NULL) {
		nl = strchr(p, '\n');
		len = nl ? (size_t)(nl - p) : strlen(p);
		if (len >= sizeof(line))
			continue;
		memcpy(line, p, len);
		line[len] = '\0';
		if (sscanf(line, "%255s %511s %63s %1023s", dev, mnt, type, opts) != 4)
			continue;
		if (!strcmp(type, "cgroup2")) {
			if (!m->v2[0])
				snprintf(m->v2, sizeof(m->v2), "%s", mnt);
		} else if (!strcmp(type, "cgroup")) {
			if (has_opt(opts, "cpu") && !m->v1_cpu[0])
				snprintf(m->v1_cpu, sizeof(m->v1_cpu), "%s", mnt);
			if (has_opt(opts, "cpuacct") && !m->v1_acct[0])
				snprintf(m->v1_acct, sizeof(m->v1_acct), "%s", mnt);
		}
	}
	return m->v2[0] || m->v1_cpu[0] ? 0 : -ENOENT;
}

static int read_path(const char *path, char *buf, size_t size)
{
	const char *why;
	int err;

	err = read_small(AT_FDCWD, path, buf, size, &why);
	return err;
}

int fg_cgcpu__mounts(struct fg_cgcpu_mounts *m)
{
	size_t size = 256 << 10;
	char *buf = malloc(size);
	int err;

	if (!buf)
		return -ENOMEM;
	err = read_path("/proc/self/mounts", buf, size);
	if (!err)
		err = fg_cgcpu__mounts_parse(buf, m);
	free(buf);
	return err;
}

int fg_cgcpu__parse_procstat(const char *text, struct fg_cgcpu_host *h)
{
	const char *p = text, *nl;
	uint64_t v[10] = { 0 };
	int i;

	memset(h, 0, sizeof(*h));
	if (strncmp(p, "cpu ", 4))
		return -EINVAL;
	p += 4;
	for (i = 0; i < 10; i++) {
		while (*p == ' ')
			p++;
		if (!take_u64(&p, &v[i]))
			break;
	}
	if (i < 4)
		return -EINVAL;
	/* user nice system idle iowait irq softirq steal (guest is in user) */
	for (i = 0; i < 8; i++)
		h->total += v[i];
	h->idle = v[3] + v[4];
	for (p = text; p && *p; p = nl ? nl + 1 : NULL) {
		nl = strchr(p, '\n');
		if (!strncmp(p, "cpu", 3) && p[3] >= '0' && p[3] <= '9')
			h->ncpu++;
	}
	return 0;
}

int fg_cgcpu__host(struct fg_cgcpu_host *h)
{
	char buf[FG_CGCPU_MAX_FILE * 4];
	int err = read_path("/proc/stat", buf, sizeof(buf));
	long n = sysconf(_SC_NPROCESSORS_ONLN);

	if (!err)
		err = fg_cgcpu__parse_procstat(buf, h);
	/* the buffer may end before the last cpuN line on large hosts */
	if (!err && n > 0)
		h->ncpu = (unsigned int)n;
	return err;
}
