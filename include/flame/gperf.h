/* SPDX-License-Identifier: GPL-2.0 */
/*
 * gperftools profiles (what Envoy's /cpuprofiler and /heapprofiler write)
 * into the profile model.
 *
 * CPU profile (binary, native machine words; 32- and 64-bit, either byte
 * order are detected): header 0, 3, 0, period_us, 0; then records
 * "count, depth, pc[depth]" (pc[0] is the interrupted pc, the rest are
 * return addresses); trailer 0, 1, 0; then the text of /proc/self/maps.
 *
 * Heap profile (text): "heap profile: N: B [ N: B] @ heapprofile" (or
 * "@ heap_v2/RATE"), then one line per stack "N: B [ N: B] @ 0xADDR ...",
 * then "MAPPED_LIBRARIES:" and /proc/self/maps.
 *
 * Addresses are symbolized with the binaries the embedded maps name
 * (include/flame/elfsym.h); stacks become root-first frame paths under a
 * root frame named after the main binary (or opts->root_frame).
 */
#ifndef FLAME_GPERF_H
#define FLAME_GPERF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <flame/flame.h>

enum fg_gperf_kind {
	FG_GPERF_NONE,
	FG_GPERF_CPU,
	FG_GPERF_HEAP,
};

/* Which number of a heap profile becomes the weight. */
enum fg_gperf_heap_value {
	FG_GPERF_INUSE_SPACE,		/* default: live bytes */
	FG_GPERF_INUSE_OBJECTS,
	FG_GPERF_ALLOC_SPACE,
	FG_GPERF_ALLOC_OBJECTS,
};

struct fg_gperf_opts {
	const char *root;		/* resolve binaries under this dir (NULL = /) */
	const char *root_frame;		/* NULL: basename of the main binary */
	enum fg_gperf_heap_value heap_value;
	bool addrs;			/* unknown frames as [dso+0xOFF] */
};

struct fg_gperf_stats {
	enum fg_gperf_kind kind;
	unsigned int word_size;		/* CPU: 4 or 8 */
	uint64_t period_us;		/* CPU: sampling period */
	uint64_t records;		/* stacks read */
	uint64_t samples;		/* CPU: sum of counts; heap: sum of weights */
	uint64_t frames;
	uint64_t unresolved;		/* frames with no symbol */
	uint64_t bad_records;		/* heap: malformed lines skipped */
	unsigned int nr_maps;
};

/* What the first bytes look like. */
enum fg_gperf_kind fg_gperf__detect(const void *data, size_t len);

/*
 * Add the profile in data (len bytes) to p. -EINVAL with a pr_warn naming
 * the offset (CPU) or line (heap) for malformed input; -ENOMEM.
 */
int fg_gperf__read_mem(struct fg_profile *p, const void *data, size_t len,
		       const struct fg_gperf_opts *o, struct fg_gperf_stats *st);

/* Same from a regular file (no FIFOs, at most 1 GiB). */
int fg_gperf__read_file(struct fg_profile *p, const char *path,
			const struct fg_gperf_opts *o,
			struct fg_gperf_stats *st);

#endif
