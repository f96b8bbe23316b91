// SPDX-License-Identifier: GPL-2.0
/*
 * Benchmark reference: drops every sample in filter_event_early(), before
 * perf resolves its thread, map and symbol (machine__resolve). What perf
 * costs to read, order and decode the samples for a dlfilter that takes
 * them early, as flame.so does: the floor under the floor (nop_filter.c).
 */
#include <perf/perf_dlfilter.h>

struct perf_dlfilter_fns perf_dlfilter_fns;

int filter_event_early(void *data, const struct perf_dlfilter_sample *s,
		       void *ctx)
{
	(void)data;
	(void)s;
	(void)ctx;
	return 1;
}
