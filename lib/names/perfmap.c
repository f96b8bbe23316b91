// SPDX-License-Identifier: GPL-2.0
/*
 * Strict perf-map parser and address index. Grammar and the duplicate rule
 * are in include/flame/perfmap.h; the input is hostile (container files), so
 * every field is checked and every size is capped.
 *
 * Index: entries keep file order (their sequence number); when entries are
 * sorted and disjoint (the usual case) they are the index. Otherwise a sweep
 * over all boundaries with a max-heap on the sequence number cuts the
 * address space into disjoint segments, each owned by the latest entry
 * covering it: O(n log n), lookups are one binary search.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <unistd.h>
#include <stdlib.h>
#include <string.h>
#include "internal.h"
#include <flame/jit.h>
#include <flame/perfmap.h>

struct pm_entry {
	uint64_t start;
	uint64_t end;		/* exclusive */
	uint32_t name;		/* offset into names */
	uint32_t pad;
};

struct pm_seg {
	uint64_t start;
	uint64_t end;
	uint32_t entry;
	uint32_t pad;
};

struct fg_perfmap {
	struct pm_entry *e;
	size_t nr, alloc;
	struct fg_buf names;
	struct pm_seg *seg;
	size_t nr_seg;
	bool ready;
};

struct fg_perfmap *fg_perfmap__new(void)
{
	return calloc(1, sizeof(struct fg_perfmap));
}

void fg_perfmap__delete(struct fg_perfmap *m)
{
	if (!m)
		return;
	free(m->e);
	free(m->seg);
	fg_buf__release(&m->names);
	free(m);
}

static int hexval(unsigned char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/*
 * An optional "0x"/"0X", then 1..16 hex digits up to the next ' ' (perf
 * reads the field with strtoull(base 16), which takes both spellings);
 * *pos advanced past the space.
 */
static int parse_hex(const char *s, size_t len, size_t *pos, uint64_t *out)
{
	size_t i = *pos, n = 0;
	uint64_t v = 0;
	int d;

	if (i + 1 < len && s[i] == '0' && (s[i + 1] == 'x' || s[i + 1] == 'X'))
		i += 2;
	while (i < len && s[i] != ' ') {
		d = hexval((unsigned char)s[i]);
		if (d < 0 || ++n > 16)
			return -EINVAL;
		v = v << 4 | (uint64_t)d;
		i++;
	}
	if (n == 0 || i >= len)
		return -EINVAL;
	*pos = i + 1;
	*out = v;
	return 0;
}

int fg_perfmap__parse_line(const char *line, size_t len, uint64_t *start,
			   uint64_t *size, const char **name, size_t *name_len)
{
	size_t pos = 0;

	if (len && line[len - 1] == '\r')
		len--;
	if (len > FG_PERFMAP_MAX_LINE)
		return -EINVAL;
	if (parse_hex(line, len, &pos, start) ||
	    parse_hex(line, len, &pos, size))
		return -EINVAL;
	if (*start + *size < *start)
		return -EINVAL;
	if (pos >= len || memchr(line + pos, '\0', len - pos))
		return -EINVAL;
	*name = line + pos;
	*name_len = len - pos;
	return *size ? 0 : -ENODATA;
}

int fg_perfmap__canonical(const char *data, size_t len, struct fg_buf *out)
{
	const char *p = data, *end = data + len, *nl, *name;
	uint64_t start, size;
	size_t nlen;

	for (; p < end && (nl = memchr(p, '\n', (size_t)(end - p))); p = nl + 1) {
		if (fg_perfmap__parse_line(p, (size_t)(nl - p), &start, &size,
					   &name, &nlen))
			continue;
		if (fg_buf__addf(out, "%" PRIx64 " %" PRIx64 " %.*s\n", start,
				 size, (int)nlen, name))
			return -ENOMEM;
	}
	return 0;
}

int fg_perfmap__add(struct fg_perfmap *m, uint64_t start, uint64_t size,
		    const char *name, size_t name_len)
{
	struct pm_entry *e;
	size_t off = m->names.len;

	if (m->nr >= FG_PERFMAP_MAX_ENTRIES || off > UINT32_MAX - name_len - 1)
		return -E2BIG;
	if (fg_grow(&m->e, &m->alloc, m->nr, sizeof(*m->e), 256))
		return -ENOMEM;
	if (fg_buf__add(&m->names, name, name_len) ||
	    fg_buf__addch(&m->names, '\0'))
		return -ENOMEM;
	e = &m->e[m->nr++];
	e->start = start;
	e->end = start + size;
	e->name = (uint32_t)off;
	e->pad = 0;
	m->ready = false;
	return 0;
}

int fg_perfmap__load(struct fg_perfmap *m, const char *data, size_t len,
		     struct fg_perfmap_stats *st)
{
	const char *p = data, *end = data + len, *nl, *name;
	uint64_t start, size;
	size_t nlen;
	int err;

	while (p < end) {
		nl = memchr(p, '\n', (size_t)(end - p));
		if (!nl) {
			st->partial_line = true;
			break;
		}
		st->lines++;
		err = (size_t)(nl - p) > FG_PERFMAP_MAX_LINE + 1 ? -EINVAL :
		      fg_perfmap__parse_line(p, (size_t)(nl - p), &start,
					     &size, &name, &nlen);
		if (err == -ENODATA) {
			st->empty++;
		} else if (err) {
			if ((size_t)(nl - p) > FG_PERFMAP_MAX_LINE)
				st->too_long++;
			if (!st->bad++)
				st->first_bad = st->lines;
		} else {
			err = fg_perfmap__add(m, start, size, name, nlen);
			if (err == -E2BIG)
				st->dropped++;
			else if (err)
				return err;
			else
				st->entries++;
		}
		p = nl + 1;
	}
	return 0;
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

static int cmp_by_start(const void *a, const void *b, void *arg)
{
	const struct pm_entry *base = arg;
	const struct pm_entry *x = &base[*(const uint32_t *)a];
	const struct pm_entry *y = &base[*(const uint32_t *)b];

	if (x->start != y->start)
		return x->start < y->start ? -1 : 1;
	return *(const uint32_t *)a < *(const uint32_t *)b ? -1 : 1;
}

/* max-heap of entry indices (later entries win) */
static void heap_push(uint32_t *h, size_t *n, uint32_t v)
{
	size_t i = (*n)++, parent;

	while (i > 0) {
		parent = (i - 1) / 2;
		if (h[parent] >= v)
			break;
		h[i] = h[parent];
		i = parent;
	}
	h[i] = v;
}

static void heap_pop(uint32_t *h, size_t *n)
{
	uint32_t v = h[--(*n)];
	size_t i = 0, c;

	while ((c = 2 * i + 1) < *n) {
		if (c + 1 < *n && h[c + 1] > h[c])
			c++;
		if (h[c] <= v)
			break;
		h[i] = h[c];
		i = c;
	}
	if (*n)
		h[i] = v;
}

static int add_seg(struct fg_perfmap *m, uint64_t start, uint64_t end,
		   uint32_t entry)
{
	struct pm_seg *s = m->nr_seg ? &m->seg[m->nr_seg - 1] : NULL;

	if (s && s->entry == entry && s->end == start) {
		s->end = end;
		return 0;
	}
	s = &m->seg[m->nr_seg++];
	s->start = start;
	s->end = end;
	s->entry = entry;
	s->pad = 0;
	return 0;
}

static int sweep(struct fg_perfmap *m)
{
	uint32_t *order = NULL, *heap = NULL;
	uint64_t *pts = NULL;
	size_t nr_pts = 0, i, k, o = 0, nh = 0;
	int err = -ENOMEM;

	order = malloc(m->nr * sizeof(*order));
	heap = malloc(m->nr * sizeof(*heap));
	pts = malloc(2 * m->nr * sizeof(*pts));
	/* at most one segment per boundary interval */
	m->seg = malloc(2 * m->nr * sizeof(*m->seg));
	if (!order || !heap || !pts || !m->seg)
		goto out_free;
	for (i = 0; i < m->nr; i++) {
		order[i] = (uint32_t)i;
		pts[nr_pts++] = m->e[i].start;
		pts[nr_pts++] = m->e[i].end;
	}
	qsort_r(order, m->nr, sizeof(*order), cmp_by_start, m->e);
	qsort(pts, nr_pts, sizeof(*pts), cmp_u64);
	for (i = 0, k = 0; i < nr_pts; i++)
		if (!k || pts[k - 1] != pts[i])
			pts[k++] = pts[i];
	nr_pts = k;

	for (k = 0; k + 1 < nr_pts; k++) {
		while (o < m->nr && m->e[order[o]].start == pts[k])
			heap_push(heap, &nh, order[o++]);
		while (nh && m->e[heap[0]].end <= pts[k])
			heap_pop(heap, &nh);
		if (nh)
			add_seg(m, pts[k], pts[k + 1], heap[0]);
	}
	err = 0;
out_free:
	free(order);
	free(heap);
	free(pts);
	return err;
}

int fg_perfmap__finish(struct fg_perfmap *m)
{
	bool simple = true;
	size_t i;

	free(m->seg);
	m->seg = NULL;
	m->nr_seg = 0;
	for (i = 1; i < m->nr && simple; i++)
		if (m->e[i].start < m->e[i - 1].end)
			simple = false;
	if (simple) {
		m->seg = malloc((m->nr ? m->nr : 1) * sizeof(*m->seg));
		if (!m->seg)
			return -ENOMEM;
		for (i = 0; i < m->nr; i++) {
			m->seg[i].start = m->e[i].start;
			m->seg[i].end = m->e[i].end;
			m->seg[i].entry = (uint32_t)i;
			m->seg[i].pad = 0;
		}
		m->nr_seg = m->nr;
	} else if (sweep(m)) {
		return -ENOMEM;
	}
	m->ready = true;
	return 0;
}

const char *fg_perfmap__lookup(const struct fg_perfmap *m, uint64_t addr)
{
	size_t lo = 0, hi, mid;

	if (!m || !m->ready)
		return NULL;
	hi = m->nr_seg;
	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		if (m->seg[mid].end <= addr)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo < m->nr_seg && m->seg[lo].start <= addr &&
	    addr < m->seg[lo].end)
		return m->names.buf + m->e[m->seg[lo].entry].name;
	return NULL;
}

size_t fg_perfmap__nr_entries(const struct fg_perfmap *m)
{
	return m ? m->nr : 0;
}

size_t fg_perfmap__mem(const struct fg_perfmap *m)
{
	if (!m)
		return 0;
	return m->alloc * sizeof(*m->e) + m->names.alloc +
	       m->nr_seg * sizeof(*m->seg);
}

int fg_perfmap__file_pid(const char *name, size_t len)
{
	const char *p = name + 5, *end = name + len;
	long pid = 0;

	if (len < 10 || memcmp(name, "perf-", 5) || memcmp(end - 4, ".map", 4))
		return -1;
	/* perf opens "perf-%d.map": no leading zero, so "perf-07.map" is not 7's */
	if (*p == '0')
		return -1;
	for (; p < end - 4 && *p >= '0' && *p <= '9'; p++) {
		pid = pid * 10 + (*p - '0');
		if (pid > INT_MAX)
			return -1;
	}
	if (p != end - 4 || pid <= 0)
		return -1;
	return (int)pid;
}

int fg_perfmap__scan_dir(int dirfd, const char *rel,
			 int (*fn)(void *arg, int pid), void *arg)
{
	struct dirent *de;
	int fd, ret = 0;
	DIR *d;

	fd = openat(dirfd, rel, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	d = fdopendir(fd);
	if (!d) {
		ret = -errno;
		close(fd);
		return ret;
	}
	while (!ret && (de = readdir(d))) {
		int pid = fg_perfmap__file_pid(de->d_name, strlen(de->d_name));

		if (pid > 0)
			ret = fn(arg, pid);
	}
	closedir(d);
	return ret;
}
