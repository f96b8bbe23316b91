// SPDX-License-Identifier: GPL-2.0
/* perf.data's file header (include/flame/perfdata.h). */
#include <errno.h>
#include <unistd.h>

#include <flame/perfdata.h>
#include "internal.h"

#define MAX_ATTRS	4096

static int pread_full(int fd, void *buf, size_t len, uint64_t off)
{
	size_t done = 0;
	ssize_t n;

	while (done < len) {
		n = pread(fd, (char *)buf + done, len - done, (off_t)(off + done));
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return n ? -errno : -EINVAL;
		done += (size_t)n;
	}
	return 0;
}

int fg_perf_header__read(int fd, struct fg_perf_header *h)
{
	int err = pread_full(fd, h, 16, 0);

	if (err)
		return err;
	if (h->magic != FG_PERF_MAGIC2)
		return -EINVAL;
	if (h->size < sizeof(*h))
		return -ENOTSUP;	/* pipe mode: a 16-byte header */
	return pread_full(fd, h, sizeof(*h), 0);
}

int fg_perf_header__feature(int fd, const struct fg_perf_header *h,
			    unsigned int bit, struct fg_perf_section *sec)
{
	unsigned int b, idx = 0;

	if (bit >= 256 || !(h->features[bit / 64] >> (bit % 64) & 1))
		return -ENOENT;
	for (b = 0; b < bit; b++)
		idx += h->features[b / 64] >> (b % 64) & 1;
	return pread_full(fd, sec, sizeof(*sec),
			  h->data.offset + h->data.size + idx * sizeof(*sec));
}

int fg_perf_header__section(int fd, const struct fg_perf_section *sec,
			    void *buf)
{
	return pread_full(fd, buf, sec->size, sec->offset);
}

size_t fg_perf_header__nr_attrs(const struct fg_perf_header *h)
{
	if (!h->attr_size || !h->attrs.size || h->attrs.size % h->attr_size ||
	    h->attrs.size / h->attr_size > MAX_ATTRS)
		return 0;
	return h->attrs.size / h->attr_size;
}

int fg_perf_header__attr(int fd, const struct fg_perf_header *h, size_t i,
			 void *buf, size_t len)
{
	if (len > h->attr_size)
		return -EINVAL;
	return pread_full(fd, buf, len, h->attrs.offset + i * h->attr_size);
}
