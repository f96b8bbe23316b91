// SPDX-License-Identifier: GPL-2.0
/*
 * The times at which perf script may rename a thread: its COMM, FORK and
 * EXIT records, read from perf.data (include/flame/commlog.h).
 *
 * perf.data (perf's Documentation/perf.data-file-format.txt): a header
 * with the attrs section (struct perf_event_attr, then an ids section, per
 * event) and the data section, a run of records that each start with
 * struct perf_event_header. With attr.sample_id_all, every non-sample
 * record ends with the sample's id fields in this order: TID, TIME, ID,
 * STREAM_ID, CPU, IDENTIFIER (those the sample_type has); so TIME sits at
 * 8 * (1 + number of later fields present) bytes from the record's end.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>

#include <flame/commlog.h>
#include <flame/perfdata.h>
#include "internal.h"

#define REC_MMAP		1
#define REC_COMM		3
#define REC_EXIT		4
#define REC_FORK		7
#define REC_MMAP2		10
#define REC_AUXTRACE		71
#define REC_COMPRESSED		81
#define ST_TIME			(1ULL << 2)
#define ST_ID			(1ULL << 6)
#define ST_CPU			(1ULL << 7)
#define ST_STREAM_ID		(1ULL << 9)
#define ST_IDENTIFIER		(1ULL << 16)
#define ATTR_SAMPLE_ID_ALL	(1ULL << 18)
#define BLOCK			(1u << 20)

struct change {
	int32_t tid;
	uint32_t pad;
	uint64_t time;
};

/* [start, end) of a mapping some process had, any time */
struct span {
	uint64_t start, end;
};

struct fg_commlog {
	struct change *v;
	size_t nr, alloc;
	struct span *maps;	/* sorted, disjoint, after the scan */
	size_t nr_maps, maps_alloc;
	bool maps_unknown;	/* too many: every address may be mapped */
};

static int cmp_change(const void *a, const void *b)
{
	const struct change *x = a, *y = b;

	if (x->tid != y->tid)
		return x->tid < y->tid ? -1 : 1;
	return x->time < y->time ? -1 : x->time > y->time;
}

static uint64_t rd64(const unsigned char *p)
{
	uint64_t v;

	memcpy(&v, p, sizeof(v));
	return v;
}

static uint32_t rd32(const unsigned char *p)
{
	uint32_t v;

	memcpy(&v, p, sizeof(v));
	return v;
}

/* TIME's distance from a record's end, the same for every attr; 0: none */
static size_t time_from_end(int fd, const struct fg_perf_header *h)
{
	unsigned char a[FG_ATTR_FLAGS + 8];
	size_t off = 0, n = fg_perf_header__nr_attrs(h), i;

	for (i = 0; i < n; i++) {
		uint64_t st, flags;
		size_t o;

		if (fg_perf_header__attr(fd, h, i, a, sizeof(a)))
			return 0;
		st = rd64(a + FG_ATTR_SAMPLE_TYPE);
		flags = rd64(a + FG_ATTR_FLAGS);
		if (!(flags & ATTR_SAMPLE_ID_ALL) || !(st & ST_TIME))
			return 0;
		o = 8 * (1 + !!(st & ST_ID) + !!(st & ST_STREAM_ID) +
			 !!(st & ST_CPU) + !!(st & ST_IDENTIFIER));
		if (off && o != off)
			return 0;
		off = o;
	}
	return off;
}

static int add(struct fg_commlog *l, int32_t tid, uint64_t time, size_t max)
{
	if (l->nr == l->alloc) {
		size_t na = l->alloc ? l->alloc * 2 : 1024;
		struct change *v;

		if (l->nr >= max)
			return -EFBIG;
		v = realloc(l->v, na * sizeof(*v));
		if (!v)
			return -ENOMEM;
		l->v = v;
		l->alloc = na;
	}
	l->v[l->nr++] = (struct change){ .tid = tid, .time = time };
	return 0;
}

/* A mapping: kept as an address range; past max of them, none are. */
static int add_map(struct fg_commlog *l, uint64_t start, uint64_t len,
		   size_t max)
{
	uint64_t end = start + len < start ? UINT64_MAX : start + len;

	if (l->maps_unknown || !len)
		return 0;
	if (l->nr_maps == l->maps_alloc) {
		size_t na = l->maps_alloc ? l->maps_alloc * 2 : 1024;
		struct span *v;

		if (l->nr_maps >= max) {
			l->maps_unknown = true;
			free(l->maps);
			l->maps = NULL;
			l->nr_maps = l->maps_alloc = 0;
			return 0;
		}
		v = realloc(l->maps, na * sizeof(*v));
		if (!v)
			return -ENOMEM;
		l->maps = v;
		l->maps_alloc = na;
	}
	l->maps[l->nr_maps++] = (struct span){ .start = start, .end = end };
	return 0;
}

/* One record: 0, or -errno to give up on the file. */
static int record(struct fg_commlog *l, const unsigned char *r, size_t size,
		  size_t tfe, size_t max)
{
	uint32_t type = rd32(r);
	size_t body;

	switch (type) {
	case REC_MMAP:
	case REC_MMAP2:
		/* pid, tid, start, len, pgoff, ..., the file name */
		if (size < 8 + 8 + 24)
			return -EINVAL;
		return add_map(l, rd64(r + 16), rd64(r + 24), max);
	case REC_COMM:
		body = 8 + 8;		/* pid, tid, then the name */
		break;
	case REC_FORK:
	case REC_EXIT:
		body = 8 + 24;		/* pid, ppid, tid, ptid, time */
		break;
	case REC_AUXTRACE:		/* data follows outside the record */
	case REC_COMPRESSED:		/* records inside, zstd */
		return -ENOTSUP;
	default:
		return 0;
	}
	if (size < body + tfe)
		return -EINVAL;
	return add(l, (int32_t)rd32(r + (type == REC_COMM ? 12 : 16)),
		   rd64(r + size - tfe), max);
}

static int scan(struct fg_commlog *l, int fd, const struct fg_perf_header *h,
		size_t tfe, size_t max)
{
	unsigned char *buf = malloc(BLOCK);
	uint64_t pos = h->data.offset, end = h->data.offset + h->data.size;
	size_t have = 0, at = 0;
	int ret = 0;

	if (!buf)
		return -ENOMEM;
	while (!ret) {
		ssize_t got;
		size_t size;

		/* keep the unparsed tail, fill the rest of the block */
		if (at) {
			memmove(buf, buf + at, have - at);
			have -= at;
			at = 0;
		}
		if (pos < end && have < BLOCK) {
			size_t want = BLOCK - have;

			if (want > end - pos)
				want = end - pos;
			got = pread(fd, buf + have, want, (off_t)pos);
			if (got <= 0) {
				ret = got ? -errno : -EINVAL;
				break;
			}
			have += (size_t)got;
			pos += (uint64_t)got;
		}
		if (have - at < 8)
			break;
		while (have - at >= 8) {
			size = buf[at + 6] | buf[at + 7] << 8;
			if (size < 8) {
				ret = -EINVAL;
				break;
			}
			if (size > have - at)
				break;
			ret = record(l, buf + at, size, tfe, max);
			if (ret)
				break;
			at += size;
		}
		if (!ret && at == 0 && pos >= end)
			ret = -EINVAL;		/* a record cut by the end */
	}
	if (!ret && have != at)
		ret = -EINVAL;
	free(buf);
	return ret;
}

static int cmp_span(const void *a, const void *b)
{
	const struct span *x = a, *y = b;

	return x->start < y->start ? -1 : x->start > y->start;
}

/* Sorted by start, overlapping and touching ranges joined. */
static void merge_maps(struct fg_commlog *l)
{
	size_t i, n = 0;

	if (!l->nr_maps)
		return;
	qsort(l->maps, l->nr_maps, sizeof(*l->maps), cmp_span);
	for (i = 1; i < l->nr_maps; i++) {
		if (l->maps[i].start <= l->maps[n].end) {
			if (l->maps[i].end > l->maps[n].end)
				l->maps[n].end = l->maps[i].end;
		} else {
			l->maps[++n] = l->maps[i];
		}
	}
	l->nr_maps = n + 1;
}

struct fg_commlog *fg_commlog__new(const char *path, size_t max_records)
{
	struct fg_commlog *l = NULL;
	struct fg_perf_header h;
	struct stat st;
	size_t tfe;
	int fd, ret = -EINVAL;

	fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
	if (fd < 0)
		return NULL;
	if (fstat(fd, &st) || !S_ISREG(st.st_mode) ||
	    fg_perf_header__read(fd, &h) || !h.data.size ||
	    h.data.offset > (uint64_t)st.st_size ||
	    h.data.size > (uint64_t)st.st_size - h.data.offset)
		goto out;	/* not perf.data, pipe mode, unfinished, cut */
	ret = -ENOTSUP;
	tfe = time_from_end(fd, &h);
	if (!tfe)
		goto out;
	ret = -ENOMEM;
	l = calloc(1, sizeof(*l));
	if (!l)
		goto out;
	ret = scan(l, fd, &h, tfe, max_records);
	if (!ret && l->nr)
		qsort(l->v, l->nr, sizeof(*l->v), cmp_change);
	if (!ret)
		merge_maps(l);
out:
	close(fd);
	if (ret) {
		fg_commlog__delete(l);
		errno = -ret;
		return NULL;
	}
	return l;
}

void fg_commlog__delete(struct fg_commlog *l)
{
	if (!l)
		return;
	free(l->v);
	free(l->maps);
	free(l);
}

uint64_t fg_commlog__next(const struct fg_commlog *l, int tid, uint64_t from)
{
	size_t lo = 0, hi = l->nr;

	/* the first (tid, time) >= (tid, from) */
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		const struct change *c = &l->v[mid];

		if (c->tid < tid || (c->tid == tid && c->time < from))
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo < l->nr && l->v[lo].tid == tid)
		return l->v[lo].time;
	return UINT64_MAX;
}

size_t fg_commlog__nr(const struct fg_commlog *l)
{
	return l->nr;
}

bool fg_commlog__maybe_mapped(const struct fg_commlog *l, uint64_t addr)
{
	const struct span *base = l->maps;
	size_t n = l->nr_maps;

	/* no mapping recorded at all: not a recording to guess about */
	if (l->maps_unknown || !n)
		return true;
	/* the last range starting at or before addr (or the first range);
	 * without branches on the data: frame addresses are random */
	while (n > 1) {
		size_t half = n / 2;

		base = base[half].start <= addr ? base + half : base;
		n -= half;
	}
	return base->start <= addr && addr < base->end;
}

size_t fg_commlog__nr_maps(const struct fg_commlog *l)
{
	return l->maps_unknown ? SIZE_MAX : l->nr_maps;
}
