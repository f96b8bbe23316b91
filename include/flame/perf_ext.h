/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Extensions to perf's dlfilter API made by perf-patches/, for a filter that
 * must run on any perf >= 5.14: each one is found at run time and answers
 * "absent" on a perf without it. Include after <perf/perf_dlfilter.h>.
 *
 *  - cgroup_path (perf-patches/0002): the cgroup path perf.data records
 *    (PERF_RECORD_CGROUP, perf record --all-cgroups) for sample->cgroup.
 *    It lives in the LAST slot of perf_dlfilter_fns (reserved[119] in the
 *    stock header); mainline perf fills reserved slots from the front
 *    (al_cleanup took reserved[0] after 6.1), so the last slot is NULL on
 *    every perf without the patch.
 */
#ifndef FLAME_PERF_EXT_H
#define FLAME_PERF_EXT_H

#include <stdbool.h>
#include <stddef.h>
#include <perf/perf_dlfilter.h>

#define FG_PERF_CGROUP_PATH_SLOT	119

typedef const char *(*fg_perf_cgroup_path_fn)(void *ctx, __u64 id);

static inline fg_perf_cgroup_path_fn
fg_perf__cgroup_path_fn(const struct perf_dlfilter_fns *fns)
{
#ifdef PERF_DLFILTER_HAS_CGROUP_PATH
	return fns->cgroup_path;
#else
	/* through void (*)(void): the slot is typed void *(*)(void *) */
	return (fg_perf_cgroup_path_fn)(void (*)(void))
		fns->reserved[FG_PERF_CGROUP_PATH_SLOT];
#endif
}

/* True when this perf can name cgroups (valid from start() on). */
static inline bool fg_perf__has_cgroup_path(const struct perf_dlfilter_fns *fns)
{
	return fg_perf__cgroup_path_fn(fns) != NULL;
}

/*
 * The path of cgroup id as recorded in perf.data ("/", "/system.slice/
 * docker-<id>.scope", ...), or NULL when perf lacks the function or
 * perf.data does not name id. The string is perf's: valid until stop()
 * returns; copy it to keep it longer. Callable from start(), filter_event()
 * and stop().
 */
static inline const char *fg_perf__cgroup_path(const struct perf_dlfilter_fns *fns,
					       void *ctx, __u64 id)
{
	fg_perf_cgroup_path_fn fn = fg_perf__cgroup_path_fn(fns);

	return fn ? fn(ctx, id) : NULL;
}

#endif /* FLAME_PERF_EXT_H */
