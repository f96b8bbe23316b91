// SPDX-License-Identifier: GPL-2.0
/*
 * gperftools CPU and heap profiles into the profile model
 * (formats described in include/flame/gperf.h).
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <flame/collapse.h>
#include <flame/elfsym.h>
#include <flame/gperf.h>
#include <flame/namer.h>
#include "internal.h"
#include <flame/hashmap.h>

#define GPERF_MAX_FILE		(1ULL << 30)
#define GPERF_MAX_DEPTH		4096	/* gperftools itself stops at 64-255 */
#define GPERF_MAX_MAPS		(1u << 20)

struct gmap {
	uint64_t start, end, off;
	const char *path;	/* into the input (not NUL ended) */
	size_t path_len;
	uint32_t name_id;	/* "[basename]" frame, lazily interned */
};

struct pc_ent {
	uint64_t pc;		/* key */
	uint32_t name;
};

struct gperf {
	struct fg_profile *p;
	const struct fg_gperf_opts *o;
	struct fg_gperf_stats *st;
	struct fg_elfsym *syms;
	struct gmap *maps;
	size_t nr_maps;
	struct fg_hashmap *cache;	/* pc -> name id, struct pc_ent */
	uint32_t root_id;
	uint32_t *frames;	/* scratch, GPERF_MAX_DEPTH + 1 */
	char path[4096];	/* scratch for a NUL ended path */
};

enum fg_gperf_kind fg_gperf__detect(const void *data, size_t len)
{
	const unsigned char *b = data;
	static const char heap[] = "heap profile:";
	static const unsigned char z[8];

	if (len >= sizeof(heap) - 1 && !memcmp(b, heap, sizeof(heap) - 1))
		return FG_GPERF_HEAP;
	if (len >= 16 && !memcmp(b, z, 8) &&
	    ((b[8] == 3 && !memcmp(b + 9, z, 7)) ||
	     (b[15] == 3 && !memcmp(b + 8, z, 7))))
		return FG_GPERF_CPU;
	if (len >= 8 && !memcmp(b, z, 4) &&
	    ((b[4] == 3 && !memcmp(b + 5, z, 3)) ||
	     (b[7] == 3 && !memcmp(b + 4, z, 3))))
		return FG_GPERF_CPU;
	return FG_GPERF_NONE;
}

/* ---- maps -------------------------------------------------------------- */

static int gmap_cmp(const void *a, const void *b)
{
	const struct gmap *x = a, *y = b;

	return x->start < y->start ? -1 : x->start > y->start;
}

static const char *skip_field(const char *s, const char *end)
{
	while (s < end && *s != ' ' && *s != '\t')
		s++;
	while (s < end && (*s == ' ' || *s == '\t'))
		s++;
	return s;
}

static bool parse_hex(const char **sp, const char *end, uint64_t *v)
{
	const char *s = *sp;
	uint64_t x = 0;
	int n = 0;

	if (s + 2 <= end && s[0] == '0' && (s[1] == 'x' || s[1] == 'X'))
		s += 2;
	for (; s < end; s++, n++) {
		int d;

		if (*s >= '0' && *s <= '9')
			d = *s - '0';
		else if (*s >= 'a' && *s <= 'f')
			d = *s - 'a' + 10;
		else if (*s >= 'A' && *s <= 'F')
			d = *s - 'A' + 10;
		else
			break;
		if (n >= 16)
			return false;
		x = x << 4 | (uint64_t)d;
	}
	if (!n)
		return false;
	*v = x;
	*sp = s;
	return true;
}

/* "start-end perms offset dev inode   path" */
static int parse_maps(struct gperf *g, const char *s, const char *end)
{
	size_t alloc = 0;

	while (s < end) {
		const char *eol = memchr(s, '\n', (size_t)(end - s));
		const char *q = s, *le;
		struct gmap m = { 0 };

		le = eol ? eol : end;
		if (parse_hex(&q, le, &m.start) && q < le && *q == '-' &&
		    (q++, parse_hex(&q, le, &m.end)) && q < le && *q == ' ' &&
		    m.end > m.start) {
			q = skip_field(q, le);		/* to perms */
			q = skip_field(q, le);		/* to offset */
			if (parse_hex(&q, le, &m.off)) {
				q = skip_field(q, le);	/* to dev */
				q = skip_field(q, le);	/* to inode */
				q = skip_field(q, le);	/* to path */
				while (le > q && (le[-1] == ' ' || le[-1] == '\r'))
					le--;
				m.path = q;
				m.path_len = (size_t)(le - q);
				m.name_id = UINT32_MAX;
				if (g->nr_maps >= GPERF_MAX_MAPS)
					break;
				if (g->nr_maps == alloc) {
					size_t na = alloc ? alloc * 2 : 64;
					void *t = realloc(g->maps, na * sizeof(*g->maps));

					if (!t)
						return -ENOMEM;
					g->maps = t;
					alloc = na;
				}
				g->maps[g->nr_maps++] = m;
			}
		}
		if (!eol)
			break;
		s = eol + 1;
	}
	g->st->nr_maps = (unsigned int)g->nr_maps;
	return 0;
}

static const char *path_base(const char *path, size_t len, size_t *blen)
{
	const char *b = path;
	size_t i;

	for (i = 0; i < len; i++)
		if (path[i] == '/')
			b = path + i + 1;
	*blen = len - (size_t)(b - path);
	return b;
}

/* Root frame: the caller's, else the first file-backed map (the binary). */
static int setup_root(struct gperf *g)
{
	const char *name = "[unknown]";
	size_t len = strlen(name), i;
	struct fg_namer_opts no = { 0 };
	struct fg_buf b = FG_BUF_INIT;

	if (g->o && g->o->root_frame) {
		name = g->o->root_frame;
		len = strlen(name);
	} else {
		for (i = 0; i < g->nr_maps; i++) {
			if (g->maps[i].path_len && g->maps[i].path[0] == '/') {
				name = path_base(g->maps[i].path,
						 g->maps[i].path_len, &len);
				break;
			}
		}
	}
	/* the process frame, named as every input names it */
	g->root_id = UINT32_MAX;
	if (!fg_namer__process(&no, name, len, NULL, 0, NULL, 0, &b))
		g->root_id = fg_profile__intern(g->p, b.buf, b.len);
	fg_buf__release(&b);
	if (g->root_id == UINT32_MAX)
		return -ENOMEM;
	if (g->nr_maps)
		qsort(g->maps, g->nr_maps, sizeof(*g->maps), gmap_cmp);
	return 0;
}

static struct gmap *find_map(struct gperf *g, uint64_t pc)
{
	size_t lo = 0, hi = g->nr_maps;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (g->maps[mid].start <= pc)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (!lo || pc >= g->maps[lo - 1].end)
		return NULL;
	return &g->maps[lo - 1];
}

/* ---- symbolization ----------------------------------------------------- */

static uint32_t symbolize(struct gperf *g, uint64_t pc)
{
	struct gmap *m = find_map(g, pc);
	struct fg_namer_opts no = { .addrs = g->o && g->o->addrs };
	struct fg_frame_in f = { .addr = pc, .ctx = FG_CTX_USER };
	struct fg_buf b = FG_BUF_INIT;
	uint32_t id = UINT32_MAX;
	int kind;

	if (m) {
		f.dso = m->path;
		f.dso_len = m->path_len;
		f.addr = pc - m->start + m->off;	/* within the object */
	}
	if (m && m->path_len && m->path[0] == '/' &&
	    m->path_len < sizeof(g->path)) {
		memcpy(g->path, m->path, m->path_len);
		g->path[m->path_len] = '\0';
		f.sym = fg_elfsym__resolve(g->syms, g->path, f.addr, NULL);
		f.sym_len = f.sym ? strlen(f.sym) : 0;
	}
	/* one name per unresolved map, without addresses */
	if (!f.sym && m && !no.addrs && m->name_id != UINT32_MAX) {
		g->st->unresolved++;
		return m->name_id;
	}
	kind = fg_namer__frame(&no, &f, &b);
	if (kind >= 0)
		id = fg_profile__intern(g->p, b.buf, b.len);
	fg_buf__release(&b);
	if (kind > FG_FRAME_SYM) {
		g->st->unresolved++;
		if (m && !no.addrs)
			m->name_id = id;
	}
	return id;
}

/* Name id for pc, through a pc -> name cache. */
static uint32_t pc_name(struct gperf *g, uint64_t pc)
{
	struct pc_ent *e;
	uint32_t id;

	e = fg_hashmap__find(g->cache, fg_hash64(pc), &pc);
	if (e)
		return e->name;
	id = symbolize(g, pc);
	if (id == UINT32_MAX || !pc)
		return id;
	e = fg_hashmap__insert(g->cache, fg_hash64(pc), &pc, NULL);
	if (!e)
		return UINT32_MAX;
	e->pc = pc;
	e->name = id;
	return id;
}

/*
 * pcs leaf first; ret_from: index of the first return address (those are
 * looked up at pc - 1 so a call at a function's end names its caller).
 */
static int add_stack(struct gperf *g, const uint64_t *pcs, size_t n,
		     size_t ret_from, uint64_t weight)
{
	size_t i, k = 0;

	g->frames[k++] = g->root_id;
	for (i = n; i-- > 0;) {
		uint64_t pc = pcs[i];
		uint32_t id;

		if (i >= ret_from && pc)
			pc--;
		id = pc_name(g, pc);
		if (id == UINT32_MAX)
			return -ENOMEM;
		g->frames[k++] = id;
	}
	g->st->records++;
	g->st->samples += weight;
	g->st->frames += n;
	return fg_profile__add(g->p, g->frames, k, weight, 0);
}

/* ---- CPU profile -------------------------------------------------------- */

struct words {
	const unsigned char *b;
	size_t n;		/* number of words */
	unsigned int ws;	/* 4 or 8 */
	bool swap;
};

static uint64_t word(const struct words *w, size_t i)
{
	const unsigned char *p = w->b + i * w->ws;
	uint64_t v;

	if (w->ws == 8) {
		uint64_t x;

		memcpy(&x, p, 8);
		v = w->swap ? __builtin_bswap64(x) : x;
	} else {
		uint32_t x;

		memcpy(&x, p, 4);
		v = w->swap ? __builtin_bswap32(x) : x;
	}
	return v;
}

static int read_cpu(struct gperf *g, const unsigned char *data, size_t len)
{
	struct words w = { .b = data };
	uint64_t *pcs = NULL, hdr;
	size_t i, maps_at = len;
	int err;

	/* 64-bit when the first 8 bytes are zero, else 32-bit */
	w.ws = len >= 16 && !memcmp(data, "\0\0\0\0\0\0\0\0", 8) ? 8 : 4;
	w.n = len / w.ws;
	w.swap = false;
	if (w.n < 2)
		return -EINVAL;
	if (word(&w, 1) != 3) {
		w.swap = true;
		if (word(&w, 1) != 3)
			goto bad_header;
	}
	hdr = word(&w, 1);
	if (word(&w, 0) != 0 || w.n < 2 + hdr || word(&w, 2) != 0)
		goto bad_header;
	g->st->word_size = w.ws;
	g->st->period_us = word(&w, 3);

	pcs = malloc(GPERF_MAX_DEPTH * sizeof(*pcs));
	if (!pcs)
		return -ENOMEM;
	/* first pass: check the records, find the trailer; maps follow it */
	i = 2 + hdr;
	while (i + 2 <= w.n) {
		uint64_t count = word(&w, i), depth = word(&w, i + 1);

		if (count == 0 && depth == 1 && i + 3 <= w.n &&
		    word(&w, i + 2) == 0) {
			maps_at = (i + 3) * w.ws;
			break;
		}
		if (depth > GPERF_MAX_DEPTH || depth > w.n - i - 2) {
			pr_warn("gperf: malformed CPU profile: record at byte %zu has depth %" PRIu64 "\n",
				i * w.ws, depth);
			err = -EINVAL;
			goto out;
		}
		i += 2 + depth;
	}
	if (maps_at == len)
		pr_warn("gperf: CPU profile has no trailer (truncated?): no maps, frames stay unknown\n");
	else if ((err = parse_maps(g, (const char *)data + maps_at,
				   (const char *)data + len)))
		goto out;
	if ((err = setup_root(g)))
		goto out;

	/* second pass: symbolize, now that the maps are known */
	i = 2 + hdr;
	while (i + 2 <= w.n && i * w.ws < maps_at) {
		uint64_t count = word(&w, i), depth = word(&w, i + 1), k;

		if (count == 0 && depth == 1)
			break;
		for (k = 0; k < depth; k++)
			pcs[k] = word(&w, i + 2 + k);
		i += 2 + depth;
		if (!count || !depth)
			continue;
		err = add_stack(g, pcs, depth, 1, count);
		if (err)
			goto out;
	}
	err = 0;
out:
	free(pcs);
	return err;
bad_header:
	pr_warn("gperf: not a gperftools CPU profile (bad header words)\n");
	return -EINVAL;
}

/* ---- heap profile ------------------------------------------------------- */

static bool parse_u64(const char **sp, const char *end, uint64_t *v)
{
	const char *s = *sp;
	uint64_t x = 0;
	int n = 0;

	while (s < end && (*s == ' ' || *s == '\t'))
		s++;
	for (; s < end && *s >= '0' && *s <= '9'; s++, n++) {
		if (x > (UINT64_MAX - 9) / 10)
			return false;
		x = x * 10 + (uint64_t)(*s - '0');
	}
	if (!n)
		return false;
	*v = x;
	*sp = s;
	return true;
}

static bool expect(const char **sp, const char *end, char c)
{
	const char *s = *sp;

	while (s < end && (*s == ' ' || *s == '\t'))
		s++;
	if (s >= end || *s != c)
		return false;
	*sp = s + 1;
	return true;
}

/* "N: B [ N: B] @" -> v[4] */
static bool parse_counts(const char **sp, const char *end, uint64_t v[4])
{
	return parse_u64(sp, end, &v[0]) && expect(sp, end, ':') &&
	       parse_u64(sp, end, &v[1]) && expect(sp, end, '[') &&
	       parse_u64(sp, end, &v[2]) && expect(sp, end, ':') &&
	       parse_u64(sp, end, &v[3]) && expect(sp, end, ']') &&
	       expect(sp, end, '@');
}

static int read_heap(struct gperf *g, const char *data, size_t len)
{
	const char *end = data + len, *s, *maps = NULL, *recs;
	uint64_t *pcs = NULL, v[4], rate = 0, lineno = 1;
	int err = 0, which;

	/* header line */
	s = data + strlen("heap profile:");
	recs = memchr(data, '\n', len);
	if (!recs || !parse_counts(&s, recs, v)) {
		pr_warn("gperf: heap profile line 1: malformed header\n");
		return -EINVAL;
	}
	while (s < recs && *s == ' ')
		s++;
	if ((size_t)(recs - s) > 8 && !memcmp(s, "heap_v2/", 8)) {
		const char *q = s + 8;

		parse_u64(&q, recs, &rate);
	}
	recs++;
	/* the maps come after MAPPED_LIBRARIES: */
	for (s = recs; s < end;) {
		const char *eol = memchr(s, '\n', (size_t)(end - s));

		if ((size_t)(end - s) >= 17 && !memcmp(s, "MAPPED_LIBRARIES:", 17)) {
			maps = eol ? eol + 1 : end;
			break;
		}
		if (!eol)
			break;
		s = eol + 1;
	}
	if (maps && (err = parse_maps(g, maps, end)))
		return err;
	if (!maps)
		pr_warn("gperf: heap profile has no MAPPED_LIBRARIES section: frames stay unknown\n");
	if ((err = setup_root(g)))
		return err;

	pcs = malloc(GPERF_MAX_DEPTH * sizeof(*pcs));
	if (!pcs)
		return -ENOMEM;
	which = g->o ? (int)g->o->heap_value : 0;
	for (s = recs; s < end && s != maps;) {
		const char *eol = memchr(s, '\n', (size_t)(end - s));
		const char *le = eol ? eol : end, *q = s;
		size_t n = 0;
		uint64_t weight;

		lineno++;
		if ((size_t)(le - s) >= 17 && !memcmp(s, "MAPPED_LIBRARIES:", 17))
			break;
		while (q < le && (*q == ' ' || *q == '\t' || *q == '\r'))
			q++;
		if (q == le)
			goto next;
		if (!parse_counts(&q, le, v)) {
			if (!g->st->bad_records++)
				pr_warn("gperf: heap profile line %" PRIu64 ": malformed record skipped\n",
					lineno);
			goto next;
		}
		for (;;) {
			while (q < le && (*q == ' ' || *q == '\t' || *q == '\r'))
				q++;
			if (q >= le)
				break;
			if (n == GPERF_MAX_DEPTH || !parse_hex(&q, le, &pcs[n])) {
				n = 0;
				break;
			}
			n++;
		}
		if (!n) {
			if (!g->st->bad_records++)
				pr_warn("gperf: heap profile line %" PRIu64 ": malformed stack skipped\n",
					lineno);
			goto next;
		}
		if (rate > 1) {
			/* heap_v2 samples: undo the sampling (pprof's model) */
			uint64_t objs = which < 2 ? v[0] : v[2];
			uint64_t bytes = which < 2 ? v[1] : v[3];

			if (objs && bytes) {
				double avg = (double)bytes / (double)objs;
				double scale = 1.0 / (1.0 - exp(-avg / (double)rate));

				v[which < 2 ? 0 : 2] = (uint64_t)((double)objs * scale + 0.5);
				v[which < 2 ? 1 : 3] = (uint64_t)((double)bytes * scale + 0.5);
			}
		}
		switch (which) {
		case FG_GPERF_INUSE_OBJECTS: weight = v[0]; break;
		case FG_GPERF_ALLOC_SPACE: weight = v[3]; break;
		case FG_GPERF_ALLOC_OBJECTS: weight = v[2]; break;
		default: weight = v[1]; break;
		}
		if (!weight)
			goto next;
		/* every heap pc is a return address (the allocator's frames are
		 * already dropped by gperftools) */
		err = add_stack(g, pcs, n, 0, weight);
		if (err)
			break;
next:
		if (!eol)
			break;
		s = eol + 1;
	}
	free(pcs);
	return err;
}

/* ---- entry points ------------------------------------------------------- */

int fg_gperf__read_mem(struct fg_profile *p, const void *data, size_t len,
		       const struct fg_gperf_opts *o, struct fg_gperf_stats *st)
{
	struct fg_gperf_stats dummy;
	struct gperf g = { .p = p, .o = o };
	enum fg_gperf_kind kind = fg_gperf__detect(data, len);
	int err;

	if (!st)
		st = &dummy;
	memset(st, 0, sizeof(*st));
	g.st = st;
	st->kind = kind;
	if (kind == FG_GPERF_NONE) {
		pr_warn("gperf: input is neither a gperftools CPU nor heap profile\n");
		return -EINVAL;
	}
	g.syms = fg_elfsym__new(o ? o->root : NULL);
	g.frames = malloc((GPERF_MAX_DEPTH + 1) * sizeof(*g.frames));
	g.cache = fg_hashmap__new(sizeof(struct pc_ent), fg_hashmap__eq_u64);
	if (!g.syms || !g.frames || !g.cache) {
		err = g.syms ? -ENOMEM : -errno;
		goto out;
	}
	if (kind == FG_GPERF_CPU)
		err = read_cpu(&g, data, len);
	else
		err = read_heap(&g, data, len);
out:
	free(g.frames);
	fg_hashmap__delete(g.cache);
	free(g.maps);
	fg_elfsym__delete(g.syms);
	return err;
}

int fg_gperf__read_file(struct fg_profile *p, const char *path,
			const struct fg_gperf_opts *o,
			struct fg_gperf_stats *st)
{
	struct stat sb;
	char *data = NULL;
	size_t got = 0;
	int fd, err;

	fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC | O_NOCTTY);
	if (fd < 0)
		return -errno;
	if (fstat(fd, &sb) < 0) {
		err = -errno;
		goto out_close;
	}
	if (!S_ISREG(sb.st_mode)) {
		pr_warn("gperf: %s: not a regular file\n", path);
		err = -EINVAL;
		goto out_close;
	}
	if ((uint64_t)sb.st_size > GPERF_MAX_FILE) {
		pr_warn("gperf: %s: larger than 1 GiB\n", path);
		err = -EFBIG;
		goto out_close;
	}
	data = malloc((size_t)sb.st_size + 1);
	if (!data) {
		err = -ENOMEM;
		goto out_close;
	}
	while (got < (size_t)sb.st_size) {
		ssize_t r = read(fd, data + got, (size_t)sb.st_size - got);

		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			err = -errno;
			goto out_free;
		}
		if (!r)
			break;
		got += (size_t)r;
	}
	data[got] = '\0';
	err = fg_gperf__read_mem(p, data, got, o, st);
out_free:
	free(data);
out_close:
	close(fd);
	return err;
}
