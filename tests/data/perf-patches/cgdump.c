// SPDX-License-Identifier: GPL-2.0
/*
 * A dlfilter that prints, for each sample, "CGROUP_ID PATH" where PATH is
 * what include/flame/perf_ext.h's fg_perf__cgroup_path() returns: "(null)"
 * when perf.data does not name the cgroup, "(no api)" on a perf without
 * perf-patches/0002. Keeps no sample. Used by tests/integ/perf_patched.sh.
 */
#include <stdio.h>
#include <perf/perf_dlfilter.h>
#include "flame/perf_ext.h"

struct perf_dlfilter_fns perf_dlfilter_fns;

int filter_event(void *data, const struct perf_dlfilter_sample *sample,
		 void *ctx)
{
	const char *path;

	if (!fg_perf__has_cgroup_path(&perf_dlfilter_fns)) {
		printf("%llu (no api)\n", (unsigned long long)sample->cgroup);
		return 1;
	}
	path = fg_perf__cgroup_path(&perf_dlfilter_fns, ctx, sample->cgroup);
	printf("%llu %s\n", (unsigned long long)sample->cgroup,
	       path ? path : "(null)");
	return 1;
}
