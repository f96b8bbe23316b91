// SPDX-License-Identifier: GPL-2.0
/*
 * A dlfilter that reports what reached it: one line per argument from
 * perf_dlfilter_fns.args(), "argdump: arg[N]=<WORD>", then the number of
 * samples it saw, "argdump: samples=N". Keeps no sample (perf prints none).
 * Used by tests/integ/perf_patched.sh to compare -s FILE.so with --dlarg.
 */
#include <stdio.h>
#include <perf/perf_dlfilter.h>

struct perf_dlfilter_fns perf_dlfilter_fns;

static unsigned long nr_samples;

int start(void **data, void *ctx)
{
	char **argv;
	int argc = 0;
	int i;

	argv = perf_dlfilter_fns.args(ctx, &argc);
	for (i = 0; i < argc; i++)
		fprintf(stderr, "argdump: arg[%d]=<%s>\n", i, argv[i]);
	return 0;
}

int filter_event(void *data, const struct perf_dlfilter_sample *sample,
		 void *ctx)
{
	nr_samples++;
	return 1;
}

int stop(void *data, void *ctx)
{
	fprintf(stderr, "argdump: samples=%lu\n", nr_samples);
	return 0;
}
