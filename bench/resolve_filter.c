// SPDX-License-Identifier: GPL-2.0
/*
 * Benchmark reference: drops every sample after resolving every callchain
 * address through perf's resolver, with no cache: what naming every frame
 * once per sample costs.
 */
#include <perf/perf_dlfilter.h>

struct perf_dlfilter_fns perf_dlfilter_fns;
static volatile unsigned long sink;

int filter_event(void *data, const struct perf_dlfilter_sample *s, void *ctx)
{
	struct perf_dlfilter_al al;
	__u64 i;

	for (i = 0; i < s->raw_callchain_nr; i++) {
		if (s->raw_callchain[i] >= (__u64)PERF_CONTEXT_MAX)
			continue;
		al.size = sizeof(al);
		if (!perf_dlfilter_fns.resolve_address(ctx, s->raw_callchain[i], &al) && al.sym)
			sink += al.sym[0];
	}
	return 1;
}
