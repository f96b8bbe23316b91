// SPDX-License-Identifier: GPL-2.0
/*
 * A dlfilter that prints, for each sample, what
 * perf_dlfilter_fns.resolved_callchain (perf-patches/0003) returns:
 *   "N leaf;caller;...;root"  N = number of frames, then their symbols
 * after checking the calling convention on the same sample: nr=0 counts,
 * a short array is filled only up to nr, and an array of entries of an
 * older, smaller perf_dlfilter_al is filled at that stride. A failed check
 * prints "BAD <what>". "(no api)" on a perf without the patch.
 * Keeps no sample. Used by tests/integ/perf_patched_dwarf.sh.
 */
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <perf/perf_dlfilter.h>
#include "flame/perf_ext.h"

#define MAX 512
/* perf_dlfilter_al as old headers end it: no comm, no priv */
#define OLD_SIZE offsetof(struct perf_dlfilter_al, comm)

struct perf_dlfilter_fns perf_dlfilter_fns;

static struct perf_dlfilter_al al[MAX], two[3];
static unsigned char small[MAX * OLD_SIZE];

static const char *name(const struct perf_dlfilter_al *a)
{
	return a->sym ? a->sym : "[unknown]";
}

int filter_event(void *data, const struct perf_dlfilter_sample *sample,
		 void *ctx)
{
	fg_perf_resolved_callchain_fn fn = fg_perf__resolved_callchain_fn(&perf_dlfilter_fns);
	int n, i, m;

	if (!fn) {
		printf("(no api)\n");
		return 1;
	}
	n = fg_perf__resolved_callchain(&perf_dlfilter_fns, ctx, al, MAX);
	if (n < 0 || n > MAX) {
		printf("BAD count %d\n", n);
		return 1;
	}
	if (fn(ctx, NULL, 0) != n)
		printf("BAD nr=0 count\n");
	memset(two, 0x5a, sizeof(two));
	two[0].size = sizeof(two[0]);
	m = fn(ctx, two, 2);
	if (m != n)
		printf("BAD nr=2 count %d\n", m);
	if (two[2].size != 0x5a5a5a5a)
		printf("BAD nr=2 wrote past the array\n");
	for (i = 0; i < n && i < 2; i++)
		if (strcmp(name(&two[i]), name(&al[i])))
			printf("BAD nr=2 entry %d\n", i);
	((struct perf_dlfilter_al *)small)->size = OLD_SIZE;
	if (fn(ctx, (struct perf_dlfilter_al *)small, MAX) != n)
		printf("BAD small count\n");
	for (i = 0; i < n; i++) {
		struct perf_dlfilter_al e;

		memcpy(&e, small + i * OLD_SIZE, OLD_SIZE);
		if (e.size != OLD_SIZE || strcmp(name(&e), name(&al[i])) ||
		    e.is_kernel_ip != al[i].is_kernel_ip)
			printf("BAD small entry %d\n", i);
	}
	printf("%d ", n);
	for (i = 0; i < n; i++)
		printf("%s%s", i ? ";" : "", name(&al[i]));
	printf("\n");
	return 1;
}
