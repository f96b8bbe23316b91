// SPDX-License-Identifier: GPL-2.0
/*
 * Tracepoint formats for decoding sample payloads by field name.
 *
 * perf record stores the formats of the events it recorded in perf.data's
 * header, feature HEADER_TRACING_DATA (layout: perf's
 * Documentation/perf.data-file-format.txt and util/trace-event-read.c):
 *
 *   "\027\010\104tracing" version\0 endian(1) long_size(1) page_size(4)
 *   "header_page\0" size(8) text   "header_event\0" size(8) text
 *   nr_ftrace(4) { size(8) text }
 *   nr_systems(4) { system\0 nr(4) { size(8) format text } }
 *   kallsyms size(4) text   printk size(4) text   [>= 0.6: cmdlines size(8)]
 *
 * Each format text is handed to libtraceevent, which resolves field names
 * to offsets and sizes. libtraceevent is linked statically and kept local
 * to flame.so: perf exports its own (older) tep_* symbols.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include <traceevent/event-parse.h>

#include <flame/perfdata.h>
#include <flame/sched.h>

#include "internal.h"

#define FEAT_TRACING_DATA	1
#define FEAT_CMDLINE		11
#define MAX_SECTION		(256u << 20)
#define MAX_FORMAT		(1u << 20)

struct fg_tp {
	struct tep_handle *tep;
	int nr_header;		/* formats from the header */
	bool header_tracing;	/* the header had a tracing-data section */
	bool tracefs_used;
	bool no_tracefs;
	bool no_formats;
	const char *const *tracefs;
	char *cmdline;
	int system_wide;
	char err[512];
};

static const char *const default_tracefs[] = {
	"/sys/kernel/tracing", "/sys/kernel/debug/tracing", NULL,
};

static int set_err(struct fg_tp *t, int ret, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static int set_err(struct fg_tp *t, int ret, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(t->err, sizeof(t->err), fmt, ap);
	va_end(ap);
	return ret;
}

const char *fg_tp__error(const struct fg_tp *t)
{
	return t->err;
}

/* ---- a bounded cursor over a section ---- */

struct cur {
	const unsigned char *p, *end;
	bool bad;
};

static const void *take(struct cur *c, size_t n)
{
	const void *r = c->p;

	if (c->bad || (size_t)(c->end - c->p) < n) {
		c->bad = true;
		return NULL;
	}
	c->p += n;
	return r;
}

static uint64_t take_u(struct cur *c, size_t n)
{
	const unsigned char *p = take(c, n);
	uint64_t v = 0;
	size_t i;

	if (!p)
		return 0;
	for (i = n; i-- > 0;)		/* little endian files only */
		v = v << 8 | p[i];
	return v;
}

static const char *take_str(struct cur *c)
{
	const unsigned char *p = c->p, *z;

	if (c->bad)
		return NULL;
	z = memchr(p, 0, c->end - p);
	if (!z) {
		c->bad = true;
		return NULL;
	}
	c->p = z + 1;
	return (const char *)p;
}

static int parse_tracing(struct fg_tp *t, const unsigned char *buf, size_t len)
{
	struct cur c = { buf, buf + len, false };
	const unsigned char *magic;
	const char *version, *sys;
	uint64_t n, size, i, j, systems, nr;
	int long_size;

	magic = take(&c, 10);
	if (!magic || memcmp(magic, "\027\010\104tracing", 10))
		return -EINVAL;
	version = take_str(&c);
	if (!version)
		return -EINVAL;
	if (take_u(&c, 1))		/* file big endian */
		return -ENOTSUP;
	long_size = (int)take_u(&c, 1);
	tep_set_file_bigendian(t->tep, TEP_LITTLE_ENDIAN);
	tep_set_local_bigendian(t->tep, TEP_LITTLE_ENDIAN);
	tep_set_long_size(t->tep, long_size);
	tep_set_page_size(t->tep, (int)take_u(&c, 4));
	if (!take(&c, 12) || memcmp(c.p - 12, "header_page", 12))
		return -EINVAL;
	size = take_u(&c, 8);
	if (!take(&c, size))
		return -EINVAL;
	if (!take(&c, 13) || memcmp(c.p - 13, "header_event", 13))
		return -EINVAL;
	size = take_u(&c, 8);
	take(&c, size);
	n = take_u(&c, 4);		/* ftrace's own events: skipped */
	for (i = 0; i < n && !c.bad; i++)
		take(&c, take_u(&c, 8));
	systems = take_u(&c, 4);
	for (i = 0; i < systems && !c.bad; i++) {
		sys = take_str(&c);
		nr = take_u(&c, 4);
		for (j = 0; j < nr && !c.bad; j++) {
			const char *fmt;

			size = take_u(&c, 8);
			fmt = take(&c, size);
			if (!fmt)
				break;
			if (tep_parse_event(t->tep, fmt, size, sys) == 0)
				t->nr_header++;
		}
	}
	return c.bad ? -EINVAL : 0;
}

/* "-ag", "-C0": a cluster of perf record's short flags naming all CPUs */
static bool short_wide(const char *s)
{
	for (; *s; s++) {
		if (*s == 'a' || *s == 'C')
			return true;
		if (!strchr("gvqnNdTRsPBWi", *s))
			return false;
	}
	return false;
}

static void parse_cmdline(struct fg_tp *t, const unsigned char *buf, size_t len)
{
	struct cur c = { buf, buf + len, false };
	struct fg_buf b = FG_BUF_INIT;
	uint64_t nr, i, l;
	bool after_dd = false, wide = false;

	nr = take_u(&c, 4);
	for (i = 0; i < nr && !c.bad; i++) {
		const char *s;

		l = take_u(&c, 4);
		s = take(&c, l);
		if (!s || !l)
			break;
		s = strndup(s, l);
		if (!s)
			break;
		fg_buf__addf(&b, "%s%s", i ? " " : "", s);
		/* option words of perf record, before the workload */
		if (i >= 2 && !after_dd) {
			if (!strcmp(s, "--"))
				after_dd = true;
			else if (!strcmp(s, "--all-cpus") || !strncmp(s, "--cpu", 5))
				wide = true;
			else if (s[0] == '-' && s[1] != '-' && short_wide(s + 1))
				wide = true;
		}
		free((char *)s);
	}
	if (!b.len) {
		fg_buf__release(&b);
		return;
	}
	t->cmdline = b.buf;
	t->system_wide = wide;
}

static int read_header(struct fg_tp *t, int fd)
{
	static const unsigned int want[] = { FEAT_TRACING_DATA, FEAT_CMDLINE };
	struct fg_perf_header h;
	struct fg_perf_section sec;
	unsigned int i;
	int ret;

	ret = fg_perf_header__read(fd, &h);
	if (ret == -ENOTSUP)		/* pipe mode: formats are events */
		return 0;
	if (ret)
		return -EINVAL;
	if (!h.data.size)		/* perf record did not finish it */
		return -ENODATA;
	for (i = 0; i < sizeof(want) / sizeof(want[0]); i++) {
		unsigned char *buf;

		ret = fg_perf_header__feature(fd, &h, want[i], &sec);
		if (ret == -ENOENT)
			continue;
		if (ret)
			return -EINVAL;
		if (want[i] == FEAT_TRACING_DATA && t->no_formats) {
			t->header_tracing = true;	/* there, not read */
			continue;
		}
		if (sec.size > MAX_SECTION)
			return -EFBIG;
		buf = malloc(sec.size ? sec.size : 1);
		if (!buf)
			return -ENOMEM;
		if (fg_perf_header__section(fd, &sec, buf)) {
			free(buf);
			return -EINVAL;
		}
		ret = 0;
		if (want[i] == FEAT_TRACING_DATA) {
			t->header_tracing = true;
			ret = parse_tracing(t, buf, sec.size);
		} else {
			parse_cmdline(t, buf, sec.size);
		}
		free(buf);
		if (ret)
			return ret;
	}
	return 0;
}

struct fg_tp *fg_tp__new(const struct fg_tp_opts *o)
{
	struct fg_tp *t = calloc(1, sizeof(*t));
	int fd, ret;

	if (!t)
		return NULL;
	t->system_wide = -1;
	t->tep = tep_alloc();
	if (!t->tep) {
		free(t);
		errno = ENOMEM;
		return NULL;
	}
	t->no_tracefs = o && o->no_tracefs;
	t->no_formats = o && o->no_formats;
	t->tracefs = o && o->tracefs ? o->tracefs : default_tracefs;
	if (o && o->path) {
		fd = open(o->path, O_RDONLY | O_CLOEXEC);
		if (fd >= 0) {
			ret = read_header(t, fd);
			close(fd);
			if (ret) {
				fg_tp__delete(t);
				errno = -ret;
				return NULL;
			}
		}
	}
	return t;
}

void fg_tp__delete(struct fg_tp *t)
{
	if (!t)
		return;
	tep_free(t->tep);
	free(t->cmdline);
	free(t);
}

const char *fg_tp__source(const struct fg_tp *t)
{
	if (t->header_tracing)
		return "perf.data header";
	return t->tracefs_used ? "tracefs" : "none";
}

int fg_tp__nr_header_events(const struct fg_tp *t)
{
	return t->nr_header;
}

bool fg_tp__has_tracing_data(const struct fg_tp *t)
{
	return t->header_tracing;
}

const char *fg_tp__cmdline(const struct fg_tp *t)
{
	return t->cmdline;
}

int fg_tp__system_wide(const struct fg_tp *t)
{
	return t->system_wide;
}

/* Read one format file from tracefs into the handle. */
static int tracefs_load(struct fg_tp *t, const char *sys, const char *name,
			char *why, size_t whylen)
{
	const char *const *dir;
	int err = ENOENT;

	for (dir = t->tracefs; *dir; dir++) {
		char path[512], *buf;
		ssize_t n, got = 0;
		int fd;

		snprintf(path, sizeof(path), "%s/events/%s/%s/format", *dir,
			 sys, name);
		fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
		if (fd < 0) {
			if (dir == t->tracefs || errno != ENOENT) {
				err = errno;
				snprintf(why, whylen, "%s: %s", path, strerror(err));
			}
			continue;
		}
		buf = malloc(MAX_FORMAT);
		if (!buf) {
			close(fd);
			return -ENOMEM;
		}
		while (got < MAX_FORMAT &&
		       (n = read(fd, buf + got, MAX_FORMAT - got)) > 0)
			got += n;
		close(fd);
		if (got > 0 && tep_parse_event(t->tep, buf, got, sys) == 0) {
			free(buf);
			t->tracefs_used = true;
			return 0;
		}
		free(buf);
		err = EINVAL;
		snprintf(why, whylen, "%s: not a format libtraceevent can parse", path);
	}
	return -err;
}

int fg_tp__event(struct fg_tp *t, const char *name, struct fg_tp_event *ev)
{
	char sys[64], why[600] = "";
	const char *colon = strchr(name, ':');
	struct tep_event *e;
	size_t sl;

	memset(ev, 0, sizeof(*ev));
	if (!colon || (sl = colon - name) >= sizeof(sys) || !colon[1])
		return set_err(t, -EINVAL, "%s: not a tracepoint name (sys:event)", name);
	memcpy(sys, name, sl);
	sys[sl] = '\0';
	snprintf(ev->name, sizeof(ev->name), "%s", name);
	e = tep_find_event_by_name(t->tep, sys, colon + 1);
	if (!e && !t->header_tracing && !t->no_tracefs &&
	    !strchr(sys, '/') && !strchr(colon + 1, '/') && sys[0] != '.' &&
	    colon[1] != '.') {
		int ret = tracefs_load(t, sys, colon + 1, why, sizeof(why));

		if (ret == -ENOMEM)
			return set_err(t, ret, "%s: out of memory", name);
		e = tep_find_event_by_name(t->tep, sys, colon + 1);
	}
	if (!e) {
		if (t->header_tracing)
			return set_err(t, -ENOENT, "%s: no format for this event in perf.data's tracing data (was it recorded?)",
				       name);
		if (t->no_tracefs)
			return set_err(t, -ENOENT, "%s: no format: perf.data has no tracing data", name);
		return set_err(t, -ENOENT, "%s: no format: perf.data has no tracing data and tracefs failed (%s)",
			       name, why[0] ? why : "not found");
	}
	ev->tep_event = e;
	return 0;
}

int fg_tp__field(struct fg_tp *t, const struct fg_tp_event *ev,
		 const char *field, bool want_string, struct fg_tp_field *f)
{
	struct tep_format_field *tf;

	memset(f, 0, sizeof(*f));
	if (!ev->tep_event)
		return set_err(t, -EINVAL, "%s: event not resolved", ev->name);
	tf = tep_find_any_field(ev->tep_event, field);
	if (!tf)
		return set_err(t, -ENOENT, "%s: no field '%s' in its format",
			       ev->name, field);
	if (tf->offset < 0 || tf->size <= 0 ||
	    (tf->flags & (TEP_FIELD_IS_DYNAMIC | TEP_FIELD_IS_RELATIVE)))
		goto bad;
	if (want_string) {
		if (!(tf->flags & TEP_FIELD_IS_ARRAY) || tf->elementsize != 1)
			goto bad;
		f->is_string = true;
	} else {
		if ((tf->flags & TEP_FIELD_IS_ARRAY) ||
		    (tf->size != 1 && tf->size != 2 && tf->size != 4 && tf->size != 8))
			goto bad;
	}
	f->offset = tf->offset;
	f->size = tf->size;
	f->is_signed = tf->flags & TEP_FIELD_IS_SIGNED;
	f->tep_field = tf;
	return 0;
bad:
	return set_err(t, -EINVAL, "%s: field '%s' has an unexpected layout (type '%s', %d bytes at %d)",
		       ev->name, field, tf->type ? tf->type : "?", tf->size,
		       tf->offset);
}

int fg_tp_field__u64(const struct fg_tp_field *f, const void *raw,
		     size_t raw_size, uint64_t *val)
{
	unsigned long long v;

	if (!f->tep_field || (size_t)f->offset + f->size > raw_size)
		return -ERANGE;
	if (tep_read_number_field(f->tep_field, raw, &v))
		return -ERANGE;
	*val = v;
	return 0;
}

int fg_tp_field__s64(const struct fg_tp_field *f, const void *raw,
		     size_t raw_size, int64_t *val)
{
	uint64_t v;
	int ret = fg_tp_field__u64(f, raw, raw_size, &v);

	if (ret)
		return ret;
	if (f->is_signed && f->size < 8 && (v >> (f->size * 8 - 1) & 1))
		v |= ~0ULL << (f->size * 8);
	*val = (int64_t)v;
	return 0;
}

int fg_tp_field__str(const struct fg_tp_field *f, const void *raw,
		     size_t raw_size, char *buf, size_t len)
{
	const char *s = (const char *)raw + f->offset;
	size_t n;

	if (!len)
		return -EINVAL;
	if (!f->is_string || (size_t)f->offset + f->size > raw_size) {
		buf[0] = '\0';
		return -ERANGE;
	}
	n = strnlen(s, f->size);
	if (n >= len)
		n = len - 1;
	memcpy(buf, s, n);
	buf[n] = '\0';
	return 0;
}

size_t fg_tp__nr_formats(const struct fg_tp *t)
{
	int n = tep_get_events_count(t->tep);

	return n > 0 ? (size_t)n : 0;
}

int fg_tp__format_at(const struct fg_tp *t, size_t i, struct fg_tp_event *ev)
{
	struct tep_event *e;

	memset(ev, 0, sizeof(*ev));
	if (i >= fg_tp__nr_formats(t))
		return -ENOENT;
	e = tep_get_event(t->tep, (int)i);
	if (!e)
		return -ENOENT;
	snprintf(ev->name, sizeof(ev->name), "%s:%s", e->system, e->name);
	ev->tep_event = e;
	return 0;
}

/* ---- prev_state ---- */

enum fg_task_state fg_task_state__from_prev_state(uint64_t s)
{
	/* TASK_REPORT_MAX (0x100) on its own: preempted while runnable */
	if (s & 0x100 || !(s & 0xff))
		return FG_TASK_R;
	if (s & 0x01)
		return FG_TASK_S;
	if (s & 0x02)
		return FG_TASK_D;
	if (s & 0x0c)
		return FG_TASK_T;
	if (s & 0x30)
		return FG_TASK_X;
	if (s & 0x40)
		return FG_TASK_P;
	return FG_TASK_I;		/* 0x80: TASK_REPORT_IDLE */
}

const char *fg_task_state__name(enum fg_task_state s)
{
	static const char *const n[FG_TASK__MAX] = {
		[FG_TASK_R] = "R", [FG_TASK_S] = "S", [FG_TASK_D] = "D",
		[FG_TASK_I] = "I", [FG_TASK_T] = "T", [FG_TASK_P] = "P",
		[FG_TASK_X] = "X",
	};

	return s < FG_TASK__MAX ? n[s] : "?";
}
