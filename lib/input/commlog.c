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

#define REC_COMM		3
#define REC_EXIT		4
#define REC_FORK		7
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

struct fg_commlog {
	struct change *v;
	size_t nr, alloc;
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

/* One record: 0, or -errno to give up on the file. */
static int record(struct fg_commlog *l, const unsigned char *r, size_t size,
		  size_t tfe, size_t max)
{
	uint32_t type = rd32(r);
	size_t body;

	switch (type) {
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
