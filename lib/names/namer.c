// SPDX-License-Identifier: GPL-2.0
/*
 * The frame namer: where every frame of every input gets its name.
 * The rules are listed in include/flame/namer.h and docs/design.md; each
 * has a test in tests/unit/test_namer.c.
 */
#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <flame/collapse.h>
#include <flame/namer.h>
#include <flame/perfmap.h>
#include "internal.h"

static bool has_prefix(const char *s, size_t len, const char *p)
{
	size_t pl = strlen(p);

	return len >= pl && !memcmp(s, p, pl);
}

static bool has_suffix(const char *s, size_t len, const char *x)
{
	size_t xl = strlen(x);

	return len >= xl && !memcmp(s + len - xl, x, xl);
}

bool fg_namer__is_perf_map(const char *dso, size_t len)
{
	const char *base;

	if (!dso || len < 5)
		return false;
	base = memrchr(dso, '/', len);
	/* ".../tmp/perf-PID.map", the file name by perf map's one rule */
	return base && base - dso >= 4 && !memcmp(base - 4, "/tmp/", 5) &&
	       fg_perfmap__file_pid(base + 1, len - (size_t)(base + 1 - dso)) > 0;
}

bool fg_namer__is_anon(const char *dso)
{
	static const char *const anon[] = {
		"//anon", "[anon", "/memfd:", "[heap]", "[unknown]",
		"anon_inode:", "/dev/zero",
	};
	size_t i, len;

	if (!dso || !*dso)
		return true;
	len = strlen(dso);
	if (fg_namer__is_perf_map(dso, len))
		return true;
	for (i = 0; i < ARRAY_SIZE(anon); i++)
		if (has_prefix(dso, len, anon[i]))
			return true;
	return false;
}

bool fg_namer__is_kernel_dso(const char *dso, size_t len)
{
	if (!dso)
		return false;
	return has_prefix(dso, len, "[kernel.kallsyms]") ||
	       has_prefix(dso, len, "[guest.kernel.kallsyms") ||
	       has_suffix(dso, len, "vmlinux") || has_suffix(dso, len, ".ko") ||
	       has_suffix(dso, len, ".ko.xz") || has_suffix(dso, len, ".ko.zst") ||
	       has_suffix(dso, len, ".ko.gz");
}

bool fg_namer__is_kernel(const struct fg_frame_in *f)
{
	switch (f->ctx) {
	case FG_CTX_KERNEL:
		return true;
	case FG_CTX_USER:
		return false;
	default:
		return (f->addr >> 63) || fg_namer__is_kernel_dso(f->dso, f->dso_len);
	}
}

static bool no_symbol(const char *sym, size_t len)
{
	return !sym || !len || (len == 9 && !memcmp(sym, "[unknown]", 9));
}

/*
 * Sanitise in place: ';' -> ':' (the folded separator), control bytes
 * -> '?', the argument list dropped unless it is "(anonymous namespace)"
 * or the name is a Go method ".(*T)." , quotes dropped.
 */
static void tidy(struct fg_buf *b)
{
	static const char anon[] = "(anonymous namespace)";
	char *s = b->buf, *p, *d;
	size_t i, len = b->len;
	bool go_style = false;

	for (i = 0; i < len; i++) {
		if (s[i] == ';')
			s[i] = ':';
		else if ((unsigned char)s[i] < 0x20 || s[i] == 0x7f)
			s[i] = '?';
	}
	p = memmem(s, len, ".(", 2);
	if (p && memmem(p + 2, len - (p + 2 - s), ").", 2))
		go_style = true;
	if (!go_style) {
		for (i = 0; i < len; i++) {
			if (s[i] != '(')
				continue;
			if (len - i >= sizeof(anon) - 1 &&
			    !memcmp(s + i, anon, sizeof(anon) - 1))
				continue;
			if (i == 0)
				break;	/* "(...)" alone: keep it whole */
			len = i;
			break;
		}
	}
	for (p = d = s; p < s + len; p++)
		if (*p != '"' && *p != '\'')
			*d++ = *p;
	b->len = d - s;
	b->buf[b->len] = '\0';
}

/* The object's name as a frame: basename, " (deleted)" dropped. */
static void dso_base(const char *dso, size_t len, const char **base,
		     size_t *blen)
{
	const char *slash;

	if (has_suffix(dso, len, " (deleted)"))
		len -= 10;
	slash = memrchr(dso, '/', len);
	if (slash && slash + 1 < dso + len) {
		*blen = dso + len - (slash + 1);
		*base = slash + 1;
	} else {
		*base = dso;
		*blen = len;
	}
}

static int unresolved(const struct fg_namer_opts *o,
		      const struct fg_frame_in *f, struct fg_buf *b)
{
	const char *base = "unknown";
	size_t blen = 7;
	int kind = FG_FRAME_UNKNOWN, ret = 0;

	if (f->dso && f->dso_len && !no_symbol(f->dso, f->dso_len)) {
		dso_base(f->dso, f->dso_len, &base, &blen);
		kind = FG_FRAME_DSO;
		if (blen > 256)
			blen = 256;	/* a file name is at most 255 bytes */
		/* "[vdso]" stays "[vdso]", not "[[vdso]]" */
		if (blen >= 2 && base[0] == '[' && base[blen - 1] == ']') {
			base++;
			blen -= 2;
		}
	}
	ret |= fg_buf__addch(b, '[');
	ret |= fg_buf__add(b, base, blen);
	if (o->addrs)
		ret |= fg_buf__addf(b, " <%llx>", (unsigned long long)f->addr);
	ret |= fg_buf__addch(b, ']');
	return ret ? -ENOMEM : kind;
}

static int add_suffix(struct fg_buf *b, const char *sfx)
{
	if (has_suffix(b->buf, b->len, sfx))
		return 0;
	return fg_buf__adds(b, sfx);
}

int fg_namer__frame(const struct fg_namer_opts *o, const struct fg_frame_in *f,
		    struct fg_buf *out)
{
	int kind, ret;

	fg_buf__reset(out);
	if (fg_buf__grow(out, 64))
		return -ENOMEM;
	if (no_symbol(f->sym, f->sym_len)) {
		kind = unresolved(o, f, out);
		if (kind < 0)
			return kind;
	} else {
		kind = FG_FRAME_SYM;
		ret = -EINVAL;
		if (!o->no_demangle && fg_demangle__is_mangled(f->sym, f->sym_len))
			ret = fg_demangle(out, f->sym, f->sym_len);
		if (ret == -EINVAL)
			ret = fg_buf__add(out, f->sym, f->sym_len);
		if (ret)
			return -ENOMEM;
		tidy(out);
		if (f->java && out->len > 1 && out->buf[0] == 'L' &&
		    memchr(out->buf, '/', out->len)) {
			memmove(out->buf, out->buf + 1, out->len);
			out->len--;
		}
		if (!out->len && fg_buf__adds(out, "[unknown]"))
			return -ENOMEM;
	}
	ret = 0;
	if (f->inlined)
		ret = add_suffix(out, "_[i]");
	else if (fg_namer__is_kernel(f)) {
		if (o->annotate & FG_ANNOTATE_KERNEL)
			ret = add_suffix(out, "_[k]");
	} else if (f->jit || fg_namer__is_perf_map(f->dso, f->dso_len)) {
		if (o->annotate & FG_ANNOTATE_JIT)
			ret = add_suffix(out, "_[j]");
	}
	return ret ? -ENOMEM : kind;
}

int fg_namer__process(const struct fg_namer_opts *o, const char *comm,
		      size_t comm_len, const char *pid, size_t pid_len,
		      const char *tid, size_t tid_len, struct fg_buf *out)
{
	size_t i;
	int ret = 0;

	fg_buf__reset(out);
	if (!comm || !comm_len) {
		comm = "[unknown]";
		comm_len = 9;
	}
	ret |= fg_buf__add(out, comm, comm_len);
	if (o->pid || o->tid) {
		ret |= fg_buf__addch(out, '-');
		ret |= fg_buf__add(out, pid, pid_len);
		if (o->tid) {
			ret |= fg_buf__addch(out, '/');
			ret |= fg_buf__add(out, tid, tid_len);
		}
	}
	if (ret)
		return -ENOMEM;
	for (i = 0; i < comm_len; i++) {
		char c = out->buf[i];

		if (c == ' ' || c == '\t' || c == ';')
			out->buf[i] = '_';
		else if ((unsigned char)c < 0x20 || c == 0x7f)
			out->buf[i] = '?';
	}
	return 0;
}

/* v in decimal into buf (16 bytes: "-2147483648" fits); its length */
static size_t fmt_int(char *buf, int v)
{
	char tmp[16], *q = tmp + sizeof(tmp);
	unsigned int u = v < 0 ? 0u - (unsigned int)v : (unsigned int)v;
	size_t n;

	do {
		*--q = (char)('0' + u % 10);
	} while (u /= 10);
	if (v < 0)
		*--q = '-';
	n = (size_t)(tmp + sizeof(tmp) - q);
	memcpy(buf, q, n);
	return n;
}

int fg_namer__process_ids(const struct fg_namer_opts *o, const char *comm,
			  int pid, int tid, struct fg_buf *out)
{
	char p[16], t[16];
	size_t pl = 0, tl = 0;

	/* by hand, and only when shown: this runs for every new stack */
	if (o->pid || o->tid)
		pl = fmt_int(p, pid);
	if (o->tid)
		tl = fmt_int(t, tid);
	return fg_namer__process(o, comm, comm ? strlen(comm) : 0, p, pl, t,
				 tl, out);
}

int fg_namer__parse_annotate(const char *s, unsigned int *annotate)
{
	if (!strcmp(s, "none"))
		*annotate = 0;
	else if (!strcmp(s, "kernel"))
		*annotate = FG_ANNOTATE_KERNEL;
	else if (!strcmp(s, "jit"))
		*annotate = FG_ANNOTATE_JIT;
	else if (!strcmp(s, "all"))
		*annotate = FG_ANNOTATE_ALL;
	else
		return -EINVAL;
	return 0;
}

/* ---- naming options (flame.so and flame profile share this table) ---- */

static int set_annotate(void *base, const char *value, const char **err)
{
	struct fg_naming_args *a = base;
	unsigned int dummy;
	char *s;

	if (!value || fg_namer__parse_annotate(value, &dummy)) {
		*err = "expects kernel, jit, all or none";
		return -EINVAL;
	}
	s = strdup(value);
	if (!s)
		return -ENOMEM;
	free(a->annotate);
	a->annotate = s;
	return 0;
}

#define N(f) offsetof(struct fg_naming_args, f)

const struct fg_opt_desc fg_naming_opts[] = {
	{ "show-pid", FG_OPT_BOOL, N(show_pid), "off", "root frame comm-PID",
	  FG_GRP_NAMING },
	{ "show-tid", FG_OPT_BOOL, N(show_tid), "off", "root frame comm-PID/TID",
	  FG_GRP_NAMING },
	{ "kernel-only", FG_OPT_BOOL, N(kernel_only), "off", "keep kernel frames only",
	  FG_GRP_SELECT },
	{ "user-only", FG_OPT_BOOL, N(user_only), "off", "keep user frames only",
	  FG_GRP_SELECT },
	{ "annotate", FG_OPT_STR, N(annotate), "none",
	  "suffix frames: kernel (_[k]), jit (_[j]), all, none",
	  FG_GRP_NAMING, set_annotate },
	{ "addrs", FG_OPT_BOOL, N(addrs), "off", "name unresolved frames by their address",
	  FG_GRP_NAMING },
	{ NULL },
};

int fg_naming_args__derive(const struct fg_naming_args *a,
			   struct fg_namer_opts *o, const char **err)
{
	if (a->kernel_only && a->user_only) {
		*err = "kernel-only and user-only exclude each other";
		return -EINVAL;
	}
	if (a->annotate && fg_namer__parse_annotate(a->annotate, &o->annotate)) {
		*err = "annotate: expects kernel, jit, all or none";
		return -EINVAL;
	}
	o->addrs = a->addrs;
	o->pid = a->show_pid || a->show_tid;
	o->tid = a->show_tid;
	return 0;
}

void fg_naming_args__release(struct fg_naming_args *a)
{
	free(a->annotate);
	memset(a, 0, sizeof(*a));
}
