/* SPDX-License-Identifier: GPL-2.0 */
/*
 * perf.data's file header, read in one place (perf's struct
 * perf_file_header and Documentation/perf.data-file-format.txt): the
 * attrs section (one struct perf_event_attr, then an ids section, per
 * event), the data section (the records), and the feature sections that
 * follow the data, one {offset, size} per feature bit set, in bit order.
 * Files of this machine's byte order only.
 */
#ifndef FLAME_PERFDATA_H
#define FLAME_PERFDATA_H

#include <stddef.h>
#include <stdint.h>

#define FG_PERF_MAGIC2		0x32454c4946524550ULL	/* "PERFILE2" */

struct fg_perf_section {
	uint64_t offset, size;
};

struct fg_perf_header {
	uint64_t magic, size, attr_size;
	struct fg_perf_section attrs, data, event_types;
	uint64_t features[4];		/* HEADER_* bits 0..255 */
};

/*
 * 0 and *h; -EINVAL: not perf.data (or the other byte order); -ENOTSUP: a
 * pipe-mode file (no sections: everything is a record); -errno of a read.
 */
int fg_perf_header__read(int fd, struct fg_perf_header *h);
/* Feature bit's section: 0; -ENOENT: the file has no such section. */
int fg_perf_header__feature(int fd, const struct fg_perf_header *h,
			    unsigned int bit, struct fg_perf_section *sec);
/* A section's sec->size bytes into buf: 0, -EINVAL if the file ends
 * first, -errno of a read. */
int fg_perf_header__section(int fd, const struct fg_perf_section *sec,
			    void *buf);
/* Number of events (attrs); 0 when the attrs section is malformed. */
size_t fg_perf_header__nr_attrs(const struct fg_perf_header *h);
/*
 * The first len bytes of event i's struct perf_event_attr into buf: 0,
 * -EINVAL when the file's attrs are shorter, -errno of a read.
 */
int fg_perf_header__attr(int fd, const struct fg_perf_header *h, size_t i,
			 void *buf, size_t len);

/* offsets in struct perf_event_attr */
#define FG_ATTR_SAMPLE_TYPE	24
#define FG_ATTR_FLAGS		40

#endif
