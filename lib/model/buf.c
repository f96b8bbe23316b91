// SPDX-License-Identifier: GPL-2.0
/* Growable byte buffer, always NUL terminated once used. */
#include <errno.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "internal.h"

int fg_buf__grow(struct fg_buf *b, size_t extra)
{
	size_t want = b->len + extra + 1, n;
	char *p;

	if (want <= b->len)	/* len + extra + 1 wrapped */
		return -ENOMEM;
	if (want <= b->alloc)
		return 0;
	if (b->flush && b->len) {
		int err = b->flush(b);

		if (err)
			return err;
		want = extra + 1;
		if (want <= b->alloc)
			return 0;
	}
	n = b->alloc ? b->alloc : 64;
	while (n < want)
		n = n < SIZE_MAX / 3 ? n * 3 / 2 + 64 : want;
	p = realloc(b->buf, n);
	if (!p)
		return -ENOMEM;
	b->buf = p;
	b->alloc = n;
	return 0;
}

int fg_buf__add_fixed(struct fg_buf *b, uint64_t v, unsigned int decimals)
{
	char tmp[48], *p = tmp + sizeof(tmp);
	unsigned int d;
	bool digits = false;

	for (d = 0; d < decimals && d < 20; d++) {
		char c = '0' + v % 10;

		v /= 10;
		if (c != '0' || digits) {
			*--p = c;
			digits = true;
		}
	}
	if (digits)
		*--p = '.';
	do {
		*--p = '0' + v % 10;
		v /= 10;
	} while (v);
	return fg_buf__add(b, p, tmp + sizeof(tmp) - p);
}

int fg_buf__add_fix2(struct fg_buf *b, double v)
{
	char tmp[32], *p = tmp + sizeof(tmp);
	double t = v * 100.0, r = floor(t);
	uint64_t u;
	int i;

	/*
	 * printf rounds the exact binary value of v (ties to even). For
	 * 0 <= v < 10^6, v * 100 is within 10^-8 of 100 v, so when it is more
	 * than 10^-6 away from a tie, rounding it gives printf's digits; the
	 * SVG writer spent a fifth of its instructions in printf for these.
	 * Anything else (near a tie, negative, -0, huge, NaN): printf.
	 */
	if (!(v >= 0 && v < 1e6) || signbit(v) || fabs(t - r - 0.5) <= 1e-6)
		return fg_buf__addf(b, "%.2f", v);
	u = (uint64_t)r + (t - r > 0.5);
	for (i = 0; i < 2; i++, u /= 10)
		*--p = (char)('0' + u % 10);
	*--p = '.';
	do {
		*--p = (char)('0' + u % 10);
	} while (u /= 10);
	return fg_buf__add(b, p, tmp + sizeof(tmp) - p);
}

int fg_buf__addf(struct fg_buf *b, const char *fmt, ...)
{
	va_list ap;
	size_t room;
	int n;

	if (fg_buf__grow(b, 64))
		return -ENOMEM;
	room = b->alloc - b->len;
	va_start(ap, fmt);
	n = vsnprintf(b->buf + b->len, room, fmt, ap);
	va_end(ap);
	if (n < 0)
		return -EINVAL;
	if ((size_t)n >= room) {
		if (fg_buf__grow(b, n))
			return -ENOMEM;
		va_start(ap, fmt);
		vsnprintf(b->buf + b->len, n + 1, fmt, ap);
		va_end(ap);
	}
	b->len += n;
	return 0;
}

void fg_buf__reset(struct fg_buf *b)
{
	b->len = 0;
	if (b->buf)
		b->buf[0] = '\0';
}

void fg_buf__release(struct fg_buf *b)
{
	free(b->buf);
	b->buf = NULL;
	b->len = b->alloc = 0;
}

int fg_buf__write(const struct fg_buf *b, FILE *fp)
{
	if (b->len && fwrite(b->buf, 1, b->len, fp) != b->len)
		return -EIO;
	return 0;
}

int fg_write_all(int fd, const void *p, size_t len)
{
	const char *c = p;

	while (len) {
		ssize_t n = write(fd, c, len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return n < 0 ? -errno : -EIO;
		c += n;
		len -= (size_t)n;
	}
	return 0;
}

int fg_reserve(void *v, size_t *alloc, size_t need, size_t size, size_t min)
{
	void **pp = v, *np;
	size_t n;

	if (need <= *alloc)
		return 0;
	n = *alloc ? *alloc : (min ? min : 1);
	while (n < need) {
		if (n > SIZE_MAX / 2)
			return -ENOMEM;
		n *= 2;
	}
	if (n > SIZE_MAX / size)
		return -ENOMEM;
	np = realloc(*pp, n * size);
	if (!np)
		return -ENOMEM;
	*pp = np;
	*alloc = n;
	return 0;
}

int fg_grow(void *v, size_t *alloc, size_t nr, size_t size, size_t min)
{
	return fg_reserve(v, alloc, nr + 1, size, min);
}
