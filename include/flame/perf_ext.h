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
 *  - resolved_callchain (perf-patches/0003): the sample's callchain as
 *    perf script prints it, after DWARF unwinding of user stacks (perf
 *    record --call-graph dwarf) and inline expansion. The slot before
 *    cgroup_path (reserved[118] in the 6.1 header); slots are counted from
 *    the end so the same index works on 6.1 and 6.12, whose header has one
 *    reserved slot fewer (al_cleanup) but ends at the same place.
 *  - tp_field (perf-patches/0004): a field of the sample's tracepoint,
 *    decoded by name with the format perf read from perf.data's header.
 *    The slot before resolved_callchain (reserved[117] in the 6.1 header).
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

/* ---- resolved_callchain (0003) ---- */

#define FG_PERF_RESOLVED_CALLCHAIN_SLOT	118

typedef __s32 (*fg_perf_resolved_callchain_fn)(void *ctx,
					       struct perf_dlfilter_al *al,
					       __u32 nr);

static inline fg_perf_resolved_callchain_fn
fg_perf__resolved_callchain_fn(const struct perf_dlfilter_fns *fns)
{
#ifdef PERF_DLFILTER_HAS_RESOLVED_CALLCHAIN
	return fns->resolved_callchain;
#else
	return (fg_perf_resolved_callchain_fn)(void (*)(void))
		fns->reserved[FG_PERF_RESOLVED_CALLCHAIN_SLOT];
#endif
}

/* True when this perf hands filters its unwound callchain. */
static inline bool fg_perf__has_resolved_callchain(const struct perf_dlfilter_fns *fns)
{
	return fg_perf__resolved_callchain_fn(fns) != NULL;
}

/*
 * The current sample's callchain as perf script prints it, leaf first:
 * fills at most nr entries of al (each sizeof(*al) bytes; al[0].size is set
 * here) and returns the number of frames the chain has (may exceed nr), or
 * -1 (no such function, no thread, no callchain). Strings are perf's, valid
 * until filter_event() returns. Callable from filter_event() only.
 */
static inline __s32 fg_perf__resolved_callchain(const struct perf_dlfilter_fns *fns,
						void *ctx,
						struct perf_dlfilter_al *al,
						__u32 nr)
{
	fg_perf_resolved_callchain_fn fn = fg_perf__resolved_callchain_fn(fns);

	if (!fn || !al)
		return -1;
	al[0].size = sizeof(*al);
	return fn(ctx, al, nr);
}

/* ---- tp_field (0004) ---- */

#define FG_PERF_TP_FIELD_SLOT	117

/*
 * Field name of the current sample's tracepoint: the size of its data,
 * or -1 (no such function, not a tracepoint, no such field, data outside
 * raw_data). *data (when not NULL): the data within sample->raw_data;
 * *val (when not NULL): a number field's value, host order, sign extended
 * when signed, 0 for arrays and strings. filter_event() only.
 */
typedef __s32 (*fg_perf_tp_field_fn)(void *ctx, const char *name, __u64 *val,
				     const void **data);

static inline fg_perf_tp_field_fn
fg_perf__tp_field_fn(const struct perf_dlfilter_fns *fns)
{
#ifdef PERF_DLFILTER_HAS_TP_FIELD
	return fns->tp_field;
#else
	return (fg_perf_tp_field_fn)(void (*)(void))
		fns->reserved[FG_PERF_TP_FIELD_SLOT];
#endif
}

#endif /* FLAME_PERF_EXT_H */
