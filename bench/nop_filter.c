// SPDX-License-Identifier: GPL-2.0
/*
 * Benchmark floor: drops every sample and does nothing else, i.e. perf's
 * own cost of decoding samples and calling a dlfilter.
 */
#include <perf/perf_dlfilter.h>

struct perf_dlfilter_fns perf_dlfilter_fns;

int filter_event(void *data, const struct perf_dlfilter_sample *s, void *ctx)
{
	return 1;
}
