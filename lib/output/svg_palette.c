// SPDX-License-Identifier: GPL-2.0
/*
 * Flame graph colours: palettes (hot, mem, io, ... and the language aware
 * java, js, perl), colours stable per name (a hash of the name, the same in
 * every graph), --random, the consistent palette file (--cp, lines
 * "NAME->rgb(R,G,B)", read and then written back with new names added),
 * differential red/blue, backgrounds, and --nameattr files.
 */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include "internal.h"
#include "svg.h"

enum hue {
	HUE_HOT, HUE_MEM, HUE_IO, HUE_RED, HUE_GREEN, HUE_BLUE,
	HUE_AQUA, HUE_YELLOW, HUE_PURPLE, HUE_ORANGE,
	/* name aware: the hue depends on the name's shape (lang_hue()) */
	HUE_JAVA, HUE_JS, HUE_PERL, HUE_PYTHON, HUE_RUST, HUE_WAKEUP, HUE_CHAIN,
};

/* Palette names and default backgrounds: flamegraph.pl's, plus inferno's
 * python and rust. */
static const struct {
	const char *name;
	enum hue hue;
	const char *bg;
} palettes[] = {
	{ "hot", HUE_HOT, "yellow" },
	{ "mem", HUE_MEM, "green" },
	{ "io", HUE_IO, "blue" },
	{ "wakeup", HUE_WAKEUP, "blue" },
	{ "chain", HUE_CHAIN, "blue" },
	{ "java", HUE_JAVA, "yellow" },
	{ "js", HUE_JS, "yellow" },
	{ "perl", HUE_PERL, "yellow" },
	{ "python", HUE_PYTHON, "yellow" },
	{ "rust", HUE_RUST, "yellow" },
	{ "red", HUE_RED, "grey" },
	{ "green", HUE_GREEN, "grey" },
	{ "blue", HUE_BLUE, "grey" },
	{ "aqua", HUE_AQUA, "grey" },
	{ "yellow", HUE_YELLOW, "grey" },
	{ "purple", HUE_PURPLE, "grey" },
	{ "orange", HUE_ORANGE, "grey" },
};

static const struct {
	const char *name, *top, *bottom;
} gradients[] = {
	{ "yellow", "#eeeeee", "#eeeeb0" },
	{ "blue", "#eeeeee", "#e0e0ff" },
	{ "green", "#eef2ee", "#e0ffe0" },
	{ "grey", "#f8f8f8", "#e8e8e8" },
	{ "gray", "#f8f8f8", "#e8e8e8" },
};

struct svg_palette {
	enum hue hue;
	bool random;
	bool namehash;		/* --hash: flamegraph.pl's name hash */
	uint64_t seed;
	/* consistent palette (--cp) */
	char *cp_path;
	struct fg_strtab *cp_names;
	uint32_t *cp_colors;
	uint32_t cp_alloc;
	bool cp_dirty;
};

static int palette_index(const char *name)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(palettes); i++)
		if (name && !strcmp(name, palettes[i].name))
			return i;
	return -1;
}

static uint32_t rgb(double r, double g, double b)
{
	unsigned int R = r > 255 ? 255 : r < 0 ? 0 : (unsigned int)r;
	unsigned int G = g > 255 ? 255 : g < 0 ? 0 : (unsigned int)g;
	unsigned int B = b > 255 ? 255 : b < 0 ? 0 : (unsigned int)b;

	return R << 16 | G << 8 | B;
}

/*
 * The base hues, flamegraph.pl's: each channel is base + span * v[var],
 * v[1..3] in [0, 1) the per-name variation within the hue.
 */
static const struct {
	uint8_t base, span, var;
} hue_chans[][3] = {
	[HUE_HOT] =	{ { 205, 50, 3 }, { 0, 230, 1 }, { 0, 55, 2 } },
	[HUE_MEM] =	{ { 0, 0, 1 }, { 190, 50, 2 }, { 0, 210, 1 } },
	[HUE_IO] =	{ { 80, 60, 1 }, { 80, 60, 1 }, { 190, 55, 2 } },
	[HUE_RED] =	{ { 200, 55, 1 }, { 50, 80, 1 }, { 50, 80, 1 } },
	[HUE_GREEN] =	{ { 50, 60, 1 }, { 200, 55, 1 }, { 50, 60, 1 } },
	[HUE_BLUE] =	{ { 80, 60, 1 }, { 80, 60, 1 }, { 205, 50, 1 } },
	[HUE_AQUA] =	{ { 50, 60, 1 }, { 165, 55, 1 }, { 165, 55, 1 } },
	[HUE_YELLOW] =	{ { 175, 55, 1 }, { 175, 55, 1 }, { 50, 20, 1 } },
	[HUE_PURPLE] =	{ { 190, 65, 1 }, { 80, 60, 1 }, { 190, 65, 1 } },
	[HUE_ORANGE] =	{ { 190, 65, 1 }, { 90, 65, 1 }, { 0, 0, 1 } },
};

/* A base hue's colour (any other hue: hot's). */
static uint32_t hue_rgb(enum hue h, double v1, double v2, double v3)
{
	const double v[4] = { 0, v1, v2, v3 };
	double c[3];
	int i;

	if ((size_t)h >= ARRAY_SIZE(hue_chans))
		h = HUE_HOT;
	for (i = 0; i < 3; i++)
		c[i] = hue_chans[h][i].base +
		       hue_chans[h][i].span * v[hue_chans[h][i].var];
	return rgb(c[0], c[1], c[2]);
}

static bool has_suffix(const char *s, size_t len, const char *suf)
{
	size_t n = strlen(suf);

	return len >= n && !memcmp(s + len - n, suf, n);
}

static bool has(const char *s, size_t len, const char *needle)
{
	return memmem(s, len, needle, strlen(needle)) != NULL;
}

static bool starts(const char *s, size_t len, const char *prefix)
{
	size_t n = strlen(prefix);

	return len >= n && !memcmp(s, prefix, n);
}

/* "java/...", "Ljava/...", ... : a JVM class path. */
static bool java_package(const char *s, size_t len)
{
	static const char *const roots[] = {
		"java/", "javax/", "jdk/", "net/", "org/", "com/", "io/", "sun/",
	};
	size_t i;

	if (len && s[0] == 'L') {
		s++;
		len--;
	}
	for (i = 0; i < ARRAY_SIZE(roots); i++)
		if (starts(s, len, roots[i]))
			return true;
	return false;
}

/* "/" then ".js" somewhere after it: a script path. */
static bool js_path(const char *s, size_t len)
{
	const char *slash = memchr(s, '/', len);

	return slash && has(slash, len - (slash - s), ".js");
}

/* A path component equal to part, or starting with it when prefix. */
static bool path_part(const char *s, size_t len, const char *part, bool prefix)
{
	size_t n = strlen(part), i = 0, j;

	while (i <= len) {
		for (j = i; j < len && s[j] != '/' && s[j] != '\\'; j++)
			;
		if (j - i >= n && !memcmp(s + i, part, n) && (prefix || j - i == n))
			return true;
		i = j + 1;
	}
	return false;
}

/*
 * The hue a name aware palette picks, rule for rule (and in the same order)
 * as flamegraph.pl for java, js, perl, wakeup and chain, and as inferno for
 * python and rust. The rules see the annotated name (_[k], _[j], ...).
 */
static enum hue lang_hue(enum hue pal, const char *s, size_t len)
{
	switch (pal) {
	case HUE_JAVA:
		if (has_suffix(s, len, "_[j]"))
			return HUE_GREEN;	/* JIT compiled */
		if (has_suffix(s, len, "_[i]"))
			return HUE_AQUA;	/* inlined */
		if (java_package(s, len) || has(s, len, ":::"))
			return HUE_GREEN;	/* Java, perf-map-agent */
		if (has(s, len, "::"))
			return HUE_YELLOW;	/* C++ */
		if (has_suffix(s, len, "_[k]"))
			return HUE_ORANGE;	/* kernel */
		return HUE_RED;			/* system */
	case HUE_JS:
		if (has_suffix(s, len, "_[j]"))	/* source or builtin */
			return memchr(s, '/', len) ? HUE_GREEN : HUE_AQUA;
		if (has(s, len, "::"))
			return HUE_YELLOW;	/* C++ */
		if (js_path(s, len))
			return HUE_GREEN;	/* JavaScript */
		if (memchr(s, ':', len))
			return HUE_AQUA;	/* builtins */
		if (len == 1 && s[0] == ' ')
			return HUE_GREEN;	/* missing symbol */
		if (has(s, len, "_[k]"))
			return HUE_ORANGE;	/* kernel */
		return HUE_RED;
	case HUE_PERL:
		if (has(s, len, "::"))
			return HUE_YELLOW;	/* C++ */
		if (has(s, len, "Perl") || has(s, len, ".pl"))
			return HUE_GREEN;
		if (has_suffix(s, len, "_[k]"))
			return HUE_ORANGE;
		return HUE_RED;
	case HUE_PYTHON:
		if (path_part(s, len, "site-packages", false))
			return HUE_AQUA;	/* third-party packages */
		if (path_part(s, len, "python", true) ||
		    path_part(s, len, "lib", false) ||
		    starts(s, len, "<built-in") || starts(s, len, "<method") ||
		    starts(s, len, "<frozen"))
			return HUE_YELLOW;	/* the standard library */
		return HUE_RED;
	case HUE_RUST:
		if (starts(s, len, "core::") || starts(s, len, "std::") ||
		    has(s, len, "as core::") || has(s, len, "as std::") ||
		    has(s, len, "as alloc::"))
			return HUE_ORANGE;	/* the standard library */
		if (has(s, len, "::"))
			return HUE_YELLOW;
		return HUE_RED;
	case HUE_WAKEUP:
		return HUE_AQUA;
	case HUE_CHAIN:
		return has(s, len, "_[w]") ? HUE_AQUA : HUE_BLUE;
	default:
		return pal;
	}
}

/*
 * flamegraph.pl's --hash: a value in [0, 1] that weights the first
 * characters most, so that names with a common prefix get close colours. A
 * "module`" prefix (DTrace) is skipped. At most three characters count.
 */
static double namehash(const char *s, size_t len, bool reverse)
{
	double vector = 0, weight = 1, max = 1;
	unsigned int mod = 10;
	const char *tick;
	size_t i;

	if (!reverse && len > 1 && (tick = memchr(s + 1, '`', len - 1))) {
		len -= tick + 1 - s;
		s = tick + 1;
	}
	for (i = 0; i < len && mod <= 12; i++, mod++) {
		unsigned char ch = s[reverse ? len - 1 - i : i];

		vector += (double)(ch % mod) / (mod - 1) * weight;
		max += weight;
		weight *= 0.70;
	}
	return 1 - vector / max;
}

static uint32_t name_color(const struct svg_palette *pal, const char *name,
			   size_t len)
{
	uint64_t h = fg_hash_bytes(name, len);
	enum hue hue = pal->hue;
	double v1, v2, v3;

	if ((len == 1 && name[0] == '-') || (len == 2 && !memcmp(name, "--", 2)))
		return rgb(160, 160, 160);	/* stack separators */
	if (hue >= HUE_JAVA)
		hue = lang_hue(hue, name, len);
	if (pal->random) {
		h = fg_hash64(h ^ pal->seed);
	} else if (pal->namehash) {
		v1 = namehash(name, len, false);
		v2 = v3 = namehash(name, len, true);
		return hue_rgb(hue, v1, v2, v3);
	}
	return hue_rgb(hue, (h & 0xffff) / 65536.0,
		       ((h >> 16) & 0xffff) / 65536.0,
		       ((h >> 32) & 0xffff) / 65536.0);
}

static int cp_set(struct svg_palette *pal, const char *name, size_t len,
		  uint32_t color)
{
	uint32_t id = fg_strtab__intern(pal->cp_names, name, len);

	if (id == UINT32_MAX)
		return -ENOMEM;
	if (id >= pal->cp_alloc) {
		uint32_t n = pal->cp_alloc ? pal->cp_alloc * 2 : 1024;
		uint32_t *c;

		while (n <= id)
			n *= 2;
		c = realloc(pal->cp_colors, (size_t)n * sizeof(*c));
		if (!c)
			return -ENOMEM;
		pal->cp_colors = c;
		pal->cp_alloc = n;
	}
	pal->cp_colors[id] = color;
	return 0;
}

/* "rgb(R,G,B)" -> 0xRRGGBB; false when malformed. */
static bool parse_rgb(const char *s, size_t len, uint32_t *out)
{
	unsigned int r, g, b;
	char tmp[48], end;

	if (len >= sizeof(tmp))
		return false;
	memcpy(tmp, s, len);
	tmp[len] = '\0';
	if (sscanf(tmp, "rgb(%u,%u,%u%c", &r, &g, &b, &end) != 4 ||
	    end != ')' || r > 255 || g > 255 || b > 255)
		return false;
	*out = r << 16 | g << 8 | b;
	return true;
}

static int cp_load(struct svg_palette *pal)
{
	struct fg_reader *r;
	const char *line;
	size_t len;
	uint64_t bad = 0, first_bad = 0;
	int ret, err = 0;

	r = fg_reader__open(pal->cp_path);
	if (!r)
		return errno == ENOENT ? 0 : -errno;	/* new palette file */
	while ((ret = fg_reader__getline(r, &line, &len)) > 0) {
		const char *arrow = NULL, *q;
		uint32_t color;

		/* the name may itself hold "->": split at the last one */
		for (q = line; (q = memmem(q, len - (q - line), "->", 2)); q++)
			arrow = q;
		if (!len)
			continue;
		if (!arrow || !parse_rgb(arrow + 2, len - (arrow + 2 - line),
					 &color)) {
			if (!bad++)
				first_bad = fg_reader__lineno(r);
			continue;
		}
		if ((err = cp_set(pal, line, arrow - line, color)))
			break;
	}
	if (ret < 0 && !err)
		err = ret;
	if (bad)
		pr_warn("svg: %s:%llu: %llu malformed palette line(s) skipped (want NAME->rgb(R,G,B))\n",
			pal->cp_path, (unsigned long long)first_bad,
			(unsigned long long)bad);
	fg_reader__close(r);
	return err;
}

struct svg_palette *svg_palette__new(const struct fg_opts *o)
{
	struct svg_palette *pal = calloc(1, sizeof(*pal));
	int idx = palette_index(o->colors ? o->colors : "hot"), err;

	if (!pal)
		return NULL;
	if (idx < 0) {
		pr_warn("svg: unknown palette '%s', using hot\n", o->colors);
		idx = 0;
	}
	pal->hue = palettes[idx].hue;
	pal->random = o->random;
	pal->namehash = o->hash;
	if (pal->random)
		pal->seed = fg_hash64((uint64_t)time(NULL) ^
				      ((uint64_t)getpid() << 32) ^
				      (uintptr_t)pal);
	if (o->cp) {
		pal->cp_path = strdup(*o->cp ? o->cp : "palette.map");
		pal->cp_names = fg_strtab__new();
		if (!pal->cp_path || !pal->cp_names) {
			err = -ENOMEM;
			goto out_err;
		}
		if ((err = cp_load(pal))) {
			pr_warn("svg: cannot read palette %s: %s\n",
				pal->cp_path, strerror(-err));
			goto out_err;
		}
	}
	return pal;
out_err:
	svg_palette__delete(pal);
	errno = -err;
	return NULL;
}

void svg_palette__delete(struct svg_palette *pal)
{
	if (!pal)
		return;
	free(pal->cp_path);
	fg_strtab__delete(pal->cp_names);
	free(pal->cp_colors);
	free(pal);
}

uint32_t svg_palette__color(struct svg_palette *pal, const char *name,
			    size_t len)
{
	uint32_t c, id;

	if (pal->cp_names) {
		id = fg_strtab__find(pal->cp_names, name, len);
		if (id != UINT32_MAX)
			return pal->cp_colors[id];
	}
	c = name_color(pal, name, len);
	if (pal->cp_names && !cp_set(pal, name, len, c))
		pal->cp_dirty = true;
	return c;
}

static int cmp_cp(const void *a, const void *b, void *ctx)
{
	const struct fg_strtab *t = ctx;
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
	size_t lx = fg_strtab__len(t, x), ly = fg_strtab__len(t, y);
	int c = memcmp(fg_strtab__str(t, x), fg_strtab__str(t, y),
		       lx < ly ? lx : ly);

	return c ? c : lx < ly ? -1 : lx > ly;
}

int svg_palette__save(struct svg_palette *pal)
{
	struct fg_buf b = FG_BUF_INIT;
	uint32_t n, i, *ids;
	int err = -ENOMEM;

	if (!pal || !pal->cp_names || !pal->cp_dirty)
		return 0;
	n = fg_strtab__count(pal->cp_names);
	ids = malloc(((size_t)n + 1) * sizeof(*ids));
	if (!ids)
		return -ENOMEM;
	for (i = 0; i < n; i++)
		ids[i] = i;
	qsort_r(ids, n, sizeof(*ids), cmp_cp, pal->cp_names);
	for (i = 0; i < n; i++) {
		uint32_t c = pal->cp_colors[ids[i]];

		if (fg_buf__add(&b, fg_strtab__str(pal->cp_names, ids[i]),
				fg_strtab__len(pal->cp_names, ids[i])) ||
		    fg_buf__addf(&b, "->rgb(%u,%u,%u)\n", c >> 16,
				 (c >> 8) & 255, c & 255))
			goto out;
	}
	err = fg_file__write(pal->cp_path, b.buf ? b.buf : "", b.len);
	if (!err)
		pal->cp_dirty = false;
	if (err)
		pr_warn("svg: cannot write palette %s: %s\n", pal->cp_path,
			strerror(-err));
out:
	free(ids);
	fg_buf__release(&b);
	return err;
}

/*
 * Differential colour of a frame from its own (self) delta, as flamegraph.pl
 * scales it: red for growth, blue for shrinkage, deeper as |delta| nears the
 * largest one, white for no change.
 */
uint32_t svg_diff_color(int64_t delta, uint64_t maxdelta, bool negate)
{
	double t, c;

	if (negate)
		delta = -delta;
	if (!delta || !maxdelta)
		return rgb(255, 255, 255);
	t = delta < 0 ? -(double)delta : (double)delta;
	if (t > (double)maxdelta)
		t = (double)maxdelta;
	/* flamegraph.pl's int(210 * (max - |delta|) / max) */
	c = floor(210 * ((double)maxdelta - t) / (double)maxdelta);
	return delta > 0 ? rgb(255, c, c) : rgb(c, c, 255);
}

/* A colour we can paste into an attribute as is: #hex, rgb(), a word. */
static bool color_ok(const char *s)
{
	size_t n = strlen(s), i;

	if (!n || n > 40)
		return false;
	if (s[0] == '#') {
		for (i = 1; i < n; i++)
			if (!strchr("0123456789abcdefABCDEF", s[i]))
				return false;
		return n == 4 || n == 7 || n == 9;
	}
	if (!strncmp(s, "rgb(", 4) && s[n - 1] == ')') {
		for (i = 4; i < n - 1; i++)
			if (!strchr("0123456789., %", s[i]))
				return false;
		return true;
	}
	for (i = 0; i < n; i++)
		if (!((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= 'A' && s[i] <= 'Z')))
			return false;
	return true;
}

void svg_background(const struct fg_opts *o, const char **top,
		    const char **bottom)
{
	int idx = palette_index(o->colors ? o->colors : "hot");
	const char *want = o->bgcolors;
	size_t i;

	if (!want || !*want)
		want = palettes[idx < 0 ? 0 : idx].bg;
	for (i = 0; i < ARRAY_SIZE(gradients); i++) {
		if (!strcasecmp(want, gradients[i].name)) {
			*top = gradients[i].top;
			*bottom = gradients[i].bottom;
			return;
		}
	}
	if (color_ok(want)) {
		*top = *bottom = want;
		return;
	}
	pr_warn("svg: bad background '%s', using yellow\n", want);
	*top = gradients[0].top;
	*bottom = gradients[0].bottom;
}

/* ---- --nameattr: "NAME<TAB>key=value<TAB>key=value..." ---- */

struct svg_nameattr {
	struct fg_strtab *names;
	struct fg_strlist *attrs;	/* by name id */
	uint32_t alloc;
};

/*
 * The attributes a --nameattr file may set on a frame: anything else (event
 * handlers, xmlns* or other namespace prefixes that could rebind xlink,
 * style, id, data-* that the page's own attributes use) is dropped.
 * href is written as xlink:href, so the two count as one.
 */
static const char *const nameattr_keys[] = {
	"href", "xlink:href", "target", "title", "xlink:title", "class", "rel",
};

static int attr_key_idx(const char *k, size_t n)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(nameattr_keys); i++)
		if (strlen(nameattr_keys[i]) == n &&
		    !memcmp(k, nameattr_keys[i], n))
			return i;
	return -1;
}

/*
 * Links: http:, https: or relative (no scheme before the first / ? #).
 * No space or control character anywhere: URL parsers strip them, so
 * "\x01javascript:" or "java\x0bscript:" would become a script link.
 */
static bool href_ok(const char *v, size_t n)
{
	size_t i, colon = n;

	for (i = 0; i < n; i++)
		if ((unsigned char)v[i] <= ' ' || v[i] == 0x7f)
			return false;
	for (i = 0; i < n; i++) {
		if (v[i] == ':') {
			colon = i;
			break;
		}
		if (v[i] == '/' || v[i] == '?' || v[i] == '#')
			return true;
	}
	if (colon == n)
		return true;
	return (colon == 4 && !strncasecmp(v, "http", 4)) ||
	       (colon == 5 && !strncasecmp(v, "https", 5));
}

static int nameattr_add(struct svg_nameattr *na, uint32_t id, const char *kv,
			size_t len)
{
	struct fg_strlist *l;
	char **v, *s;

	if (id >= na->alloc) {
		uint32_t n = na->alloc ? na->alloc * 2 : 64;
		struct fg_strlist *a;

		while (n <= id)
			n *= 2;
		a = realloc(na->attrs, (size_t)n * sizeof(*a));
		if (!a)
			return -ENOMEM;
		memset(a + na->alloc, 0, (size_t)(n - na->alloc) * sizeof(*a));
		na->attrs = a;
		na->alloc = n;
	}
	l = &na->attrs[id];
	s = strndup(kv, len);
	v = realloc(l->v, (l->n + 1) * sizeof(*v));
	if (!s || !v) {
		free(s);
		if (v)
			l->v = v;
		return -ENOMEM;
	}
	l->v = v;
	l->v[l->n++] = s;
	return 0;
}

/* Keys a name already has (from an earlier line): bit per nameattr_keys[]. */
static unsigned int seen_keys(const struct svg_nameattr *na, uint32_t id)
{
	unsigned int seen = 0;
	size_t i;

	for (i = 0; id < na->alloc && i < na->attrs[id].n; i++) {
		const char *kv = na->attrs[id].v[i];
		int k = attr_key_idx(kv, strcspn(kv, "="));

		if (k >= 0)
			seen |= 1u << (k == 1 ? 0 : k);
	}
	return seen;
}

struct svg_nameattr *svg_nameattr__load(const char *path)
{
	struct svg_nameattr *na = calloc(1, sizeof(*na));
	struct fg_reader *r = NULL;
	uint64_t dropped = 0, first_drop = 0;
	const char *line;
	size_t len;
	int ret = -ENOMEM;

	if (!na || !(na->names = fg_strtab__new()))
		goto out_err;
	r = fg_reader__open(path);
	if (!r) {
		ret = -errno;
		goto out_err;
	}
	while ((ret = fg_reader__getline(r, &line, &len)) > 0) {
		const char *tab = memchr(line, '\t', len), *end = line + len;
		const char *f, *next;
		unsigned int seen;	/* bit per nameattr_keys[] */
		uint32_t id;

		if (!tab)
			continue;
		id = fg_strtab__intern(na->names, line, tab - line);
		if (id == UINT32_MAX) {
			ret = -ENOMEM;
			goto out_err;
		}
		seen = seen_keys(na, id);
		for (f = tab + 1; f < end; f = next + 1) {
			const char *eq;
			int k;

			next = memchr(f, '\t', end - f);
			if (!next)
				next = end;
			eq = memchr(f, '=', next - f);
			k = eq ? attr_key_idx(f, eq - f) : -1;
			if (k == 1)
				k = 0;	/* href and xlink:href: one attribute */
			if (k < 0 || (seen & (1u << k)) ||
			    (k == 0 && !href_ok(eq + 1, next - eq - 1))) {
				if (next > f && !dropped++)
					first_drop = fg_reader__lineno(r);
				continue;
			}
			seen |= 1u << k;
			ret = nameattr_add(na, id, f, next - f);
			if (ret)
				goto out_err;
		}
	}
	if (ret < 0)
		goto out_err;
	if (dropped)
		pr_warn("svg: %s:%llu: %llu attribute(s) dropped (allowed once each: href (http, https or relative), target, title, xlink:title, class, rel)\n",
			path, (unsigned long long)first_drop,
			(unsigned long long)dropped);
	fg_reader__close(r);
	return na;
out_err:
	fg_reader__close(r);
	svg_nameattr__delete(na);
	errno = -ret;
	return NULL;
}

void svg_nameattr__delete(struct svg_nameattr *na)
{
	uint32_t i;
	size_t j;

	if (!na)
		return;
	for (i = 0; i < na->alloc; i++) {
		for (j = 0; j < na->attrs[i].n; j++)
			free(na->attrs[i].v[j]);
		free(na->attrs[i].v);
	}
	free(na->attrs);
	fg_strtab__delete(na->names);
	free(na);
}

const struct fg_strlist *svg_nameattr__find(const struct svg_nameattr *na,
					    const char *name, size_t len)
{
	uint32_t id;

	if (!na)
		return NULL;
	id = fg_strtab__find(na->names, name, len);
	if (id == UINT32_MAX || id >= na->alloc || !na->attrs[id].n)
		return NULL;
	return &na->attrs[id];
}
