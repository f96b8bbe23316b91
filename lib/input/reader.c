// SPDX-License-Identifier: GPL-2.0
/*
 * Line reader over a file or stdin, plain or gzip (detected by content:
 * magic 1f 8b), with large reads and no per-line allocation.
 *
 * Lines are handed out as pointers into the reader's buffer, without the
 * trailing "\n" / "\r\n" and NUL terminated (the newline byte is replaced).
 * The buffer holds at least one whole line: it grows for long lines.
 *
 * gzip: concatenated members are read one after the other (as gzip -dc
 * does). An input that ends inside a member (truncated download, killed
 * writer) yields every complete line first; the incomplete last line is
 * dropped, and then getline returns -EIO. fg_reader__lineno() then tells
 * the last line read.
 *
 * Besides lines, fg_reader__block() (lib/input/reader.h) hands out large blocks
 * that end on a line boundary, for parsers that split work across threads.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#include "internal.h"
#include "reader.h"

#define RD_CHUNK	(256u << 10)	/* bytes asked of read()/inflate() at once: a
				 * block parsed right after it is read is still
				 * in the CPU cache (4 MiB was not) */
#define RD_ZIN		(1u << 20)	/* compressed input buffer */
#define RD_PEEK		(64u << 10)

struct fg_reader {
	int fd;
	bool own_fd;
	bool eof;		/* no more bytes will come into buf */
	bool gzip;
	bool gz_started;	/* inflate initialised */
	bool gz_in_member;	/* inside a gzip member: EOF now = truncated */
	bool gz_trailing;	/* bytes after the last member: -EIO at the end */
	bool sniffed;
	int err;		/* pending error, reported after the data */
	char *name;

	char *buf;		/* data: [pos, end) not consumed yet */
	size_t pos, end, alloc;

	z_stream zs;
	unsigned char *zin;
	bool zin_eof;

	uint64_t lineno;
	uint64_t offset;	/* decompressed bytes consumed before buf[0] */
};

static ssize_t read_full(int fd, void *p, size_t len)
{
	ssize_t n;

	do {
		n = read(fd, p, len);
	} while (n < 0 && errno == EINTR);
	return n < 0 ? -errno : n;
}

static struct fg_reader *reader_new(int fd, bool own, const char *name)
{
	struct fg_reader *r = calloc(1, sizeof(*r));

	if (!r)
		return NULL;
	r->fd = fd;
	r->own_fd = own;
	r->name = strdup(name ? name : "-");
	r->alloc = RD_CHUNK;
	r->buf = malloc(r->alloc + 1);
	if (!r->name || !r->buf) {
		free(r->name);
		free(r->buf);
		free(r);
		errno = ENOMEM;
		return NULL;
	}
	return r;
}

struct fg_reader *fg_reader__open(const char *path)
{
	struct fg_reader *r;
	struct stat st;
	int fd;

	if (!path || !strcmp(path, "-"))
		return fg_reader__fdopen(STDIN_FILENO, "-");
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return NULL;
	if (fstat(fd, &st) == 0 && S_ISDIR(st.st_mode)) {
		close(fd);
		errno = EISDIR;
		return NULL;
	}
	r = reader_new(fd, true, path);
	if (!r) {
		close(fd);
		errno = ENOMEM;
		return NULL;
	}
	return r;
}

/* The caller keeps ownership of fd: fg_reader__close() does not close it. */
struct fg_reader *fg_reader__fdopen(int fd, const char *name)
{
	struct fg_reader *r;

	if (fd < 0) {
		errno = EBADF;
		return NULL;
	}
	r = reader_new(fd, false, name);
	if (!r)
		errno = ENOMEM;
	return r;
}

void fg_reader__close(struct fg_reader *r)
{
	if (!r)
		return;
	if (r->gz_started)
		inflateEnd(&r->zs);
	if (r->own_fd)
		close(r->fd);
	free(r->zin);
	free(r->buf);
	free(r->name);
	free(r);
}

const char *fg_reader__name(const struct fg_reader *r)
{
	return r->name;
}

uint64_t fg_reader__lineno(const struct fg_reader *r)
{
	return r->lineno;
}

/* Read raw bytes (before decompression) into dst. */
static ssize_t raw_read(struct fg_reader *r, void *dst, size_t len)
{
	return read_full(r->fd, dst, len);
}

static int gz_init(struct fg_reader *r)
{
	r->zin = malloc(RD_ZIN);
	if (!r->zin)
		return -ENOMEM;
	memset(&r->zs, 0, sizeof(r->zs));
	if (inflateInit2(&r->zs, 16 + MAX_WBITS) != Z_OK)
		return -ENOMEM;
	r->gz_started = true;
	return 0;
}

/*
 * Decompress into dst (up to len bytes). Returns bytes produced, 0 at a
 * clean end, -EIO when the input ends inside a member or is corrupt.
 */
/* Is the rest of the compressed input zero bytes (padding gzip accepts)? */
static bool zeros_to_eof(struct fg_reader *r)
{
	z_stream *zs = &r->zs;
	size_t i;

	for (;;) {
		ssize_t n;

		for (i = 0; i < zs->avail_in; i++)
			if (zs->next_in[i])
				return false;
		zs->avail_in = 0;
		n = raw_read(r, r->zin, RD_ZIN);
		if (n <= 0)
			return n == 0;
		zs->next_in = r->zin;
		zs->avail_in = n;
	}
}

static ssize_t gz_read(struct fg_reader *r, unsigned char *dst, size_t len)
{
	z_stream *zs = &r->zs;
	int ret;

	zs->next_out = dst;
	zs->avail_out = len;
	while (zs->avail_out == len) {
		if (zs->avail_in == 0 && !r->zin_eof) {
			ssize_t n = raw_read(r, r->zin, RD_ZIN);

			if (n < 0)
				return n;
			if (n == 0)
				r->zin_eof = true;
			zs->next_in = r->zin;
			zs->avail_in = n;
		}
		if (zs->avail_in == 0 && r->zin_eof)
			return r->gz_in_member || r->gz_trailing ? -EIO : 0;
		if (!r->gz_in_member) {
			/*
			 * Between members: anything but another member (zero
			 * padding, garbage) ends the data; gzip -d warns and
			 * exits 2, so say so and fail after the last line.
			 */
			if (zs->next_in[0] != 0x1f) {
				if (!zeros_to_eof(r)) {
					pr_warn("%s: bytes after the last gzip member ignored (gzip -d warns too)\n",
						r->name);
					r->gz_trailing = true;
				}
				zs->avail_in = 0;
				r->zin_eof = true;
				continue;
			}
			inflateReset(zs);
			r->gz_in_member = true;
		}
		ret = inflate(zs, Z_NO_FLUSH);
		if (ret == Z_STREAM_END) {
			r->gz_in_member = false;
		} else if (ret == Z_BUF_ERROR) {
			/* needs more input; loop reads it */
			if (r->zin_eof && zs->avail_in == 0)
				return len - zs->avail_out ? (ssize_t)(len - zs->avail_out)
							   : -EIO;
		} else if (ret != Z_OK) {
			return -EIO;
		}
	}
	return len - zs->avail_out;
}

/* Get the first bytes and decide plain or gzip. */
static int sniff(struct fg_reader *r)
{
	ssize_t n;
	int ret;

	r->sniffed = true;
	n = raw_read(r, r->buf, 2);
	if (n < 0)
		return n;
	if (n == 1) {
		ssize_t m = raw_read(r, r->buf + 1, 1);

		if (m < 0)
			return m;
		n += m;
	}
	if (n == 2 && (unsigned char)r->buf[0] == 0x1f &&
	    (unsigned char)r->buf[1] == 0x8b) {
		r->gzip = true;
		ret = gz_init(r);
		if (ret)
			return ret;
		memcpy(r->zin, r->buf, 2);
		r->zs.next_in = r->zin;
		r->zs.avail_in = 2;
		return 0;
	}
	r->end = n;
	if (n == 0)
		r->eof = true;
	return 0;
}

/*
 * Append more data after r->end, compacting and growing as needed so at
 * least RD_CHUNK / 2 bytes are free. Returns bytes added, 0 at end of
 * input, -errno on error (r->eof is set on 0 and errors).
 */
static ssize_t fill(struct fg_reader *r)
{
	ssize_t n;

	if (!r->sniffed) {
		int ret = sniff(r);

		if (ret < 0) {
			r->eof = true;
			r->err = ret;
			return ret;
		}
		if (r->end)
			return r->end;
	}
	if (r->eof)
		return 0;
	if (r->pos > 0) {
		memmove(r->buf, r->buf + r->pos, r->end - r->pos);
		r->offset += r->pos;
		r->end -= r->pos;
		r->pos = 0;
	}
	if (r->alloc - r->end < RD_CHUNK / 2) {
		size_t na = r->alloc * 2;
		char *nb = realloc(r->buf, na + 1);

		if (!nb) {
			r->eof = true;
			r->err = -ENOMEM;
			return -ENOMEM;
		}
		r->buf = nb;
		r->alloc = na;
	}
	if (r->gzip)
		n = gz_read(r, (unsigned char *)r->buf + r->end,
			    r->alloc - r->end);
	else
		n = raw_read(r, r->buf + r->end, r->alloc - r->end);
	if (n <= 0) {
		r->eof = true;
		if (n < 0)
			r->err = n;
		return n;
	}
	r->end += n;
	return n;
}

int fg_reader__getline(struct fg_reader *r, const char **line, size_t *len)
{
	size_t scanned = 0;
	char *s, *nl;
	size_t l;

	for (;;) {
		s = r->buf + r->pos;
		nl = memchr(s + scanned, '\n', r->end - r->pos - scanned);
		if (nl)
			break;
		scanned = r->end - r->pos;
		if (r->eof) {
			if (r->err) {
				/* A line cut by an error is not trusted. */
				r->pos = r->end;
				return r->err;
			}
			if (r->pos == r->end)
				return 0;
			/* last line without a newline */
			nl = r->buf + r->end;
			break;
		}
		fill(r);
	}
	l = nl - s;
	r->pos += l + (nl < r->buf + r->end);
	if (l && s[l - 1] == '\r')
		l--;
	s[l] = '\0';
	r->lineno++;
	*line = s;
	*len = l;
	return 1;
}

int fg_reader__peek(struct fg_reader *r, const char **data, size_t *len)
{
	while (!r->eof && r->end - r->pos < RD_PEEK)
		if (fill(r) <= 0)
			break;
	*data = r->buf + r->pos;
	*len = r->end - r->pos;
	if (*len == 0 && r->err)
		return r->err;
	return 0;
}

int fg_reader__block(struct fg_reader *r, size_t min, const char **data,
		     size_t *len)
{
	char *s, *last;
	size_t avail;

	if (min > RD_CHUNK)
		min = RD_CHUNK;
	while (!r->eof && r->end - r->pos < min)
		if (fill(r) <= 0)
			break;
	avail = r->end - r->pos;
	s = r->buf + r->pos;
	if (!avail)
		return r->err ? r->err : 0;
	last = memrchr(s, '\n', avail);
	while (!last && !r->eof) {
		/* one line longer than what we hold: read on */
		fill(r);
		s = r->buf + r->pos;
		avail = r->end - r->pos;
		last = memrchr(s, '\n', avail);
	}
	if (!last) {
		if (r->err) {
			r->pos = r->end;
			return r->err;
		}
		last = s + avail - 1;	/* final line without newline */
	}
	*data = s;
	*len = last + 1 - s;
	r->pos += *len;
	return 1;
}

void fg_reader__add_lines(struct fg_reader *r, uint64_t n)
{
	r->lineno += n;
}
