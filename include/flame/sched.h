/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Tracepoint payloads decoded by field name (libtraceevent), and run-queue
 * latency statistics.
 *
 * Event formats come from the perf.data header's tracing-data section
 * (HEADER_TRACING_DATA), so a recording decodes on a machine with another
 * kernel; live tracefs formats are the fallback when the file has none.
 */
#ifndef FLAME_SCHED_H
#define FLAME_SCHED_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <flame/flame.h>

/* ---- tracepoint formats ------------------------------------------------ */

struct fg_tp;

struct fg_tp_opts {
	const char *path;	/* perf.data; NULL = none (tracefs only) */
	/* tracefs directories to try, NULL ended; NULL = the usual two */
	const char *const *tracefs;
	bool no_tracefs;	/* never fall back to tracefs */
	/*
	 * Do not parse the formats (perf decodes fields itself, perf-patches
	 * 0004): only the command line and whether tracing data is there.
	 */
	bool no_formats;
};

/*
 * Read the event formats stored in path's header. A file without a
 * tracing-data section (or no file) is not an error: formats then come
 * from tracefs when asked for. NULL and errno on a malformed header (ENODATA:
 * data size 0, perf record did not finish the file);
 * fg_tp__error() is not available then, the caller names the file.
 */
struct fg_tp *fg_tp__new(const struct fg_tp_opts *o);
void fg_tp__delete(struct fg_tp *t);
/* "perf.data header", "tracefs" or "none": where formats came from. */
const char *fg_tp__source(const struct fg_tp *t);
/* Number of event formats found in the perf.data header. */
int fg_tp__nr_header_events(const struct fg_tp *t);
/* Has the perf.data header a tracing-data section (parsed or not)? */
bool fg_tp__has_tracing_data(const struct fg_tp *t);
/*
 * perf record's command line from the header (HEADER_CMDLINE), words
 * separated by spaces; NULL when absent. Owned by t.
 */
const char *fg_tp__cmdline(const struct fg_tp *t);
/* Did perf record trace every CPU (-a, -C, --all-cpus, --cpu)? -1 unknown. */
int fg_tp__system_wide(const struct fg_tp *t);

/* One field of one event, resolved once and read many times. */
struct fg_tp_field {
	int offset, size;
	bool is_signed, is_string;
	void *tep_field;	/* struct tep_format_field * */
};

struct fg_tp_event {
	char name[128];		/* "sys:event" */
	void *tep_event;	/* struct tep_event * */
};

/*
 * Find "sys:event" (perf's event name). 0, or -ENOENT with a one-line
 * reason in fg_tp__error() naming the event.
 */
int fg_tp__event(struct fg_tp *t, const char *name, struct fg_tp_event *ev);
/*
 * Resolve a field by name. -ENOENT when absent, -EINVAL when its layout is
 * not the expected one (want_string: a char array; else a number of 1, 2,
 * 4 or 8 bytes); fg_tp__error() names event and field.
 */
int fg_tp__field(struct fg_tp *t, const struct fg_tp_event *ev,
		 const char *field, bool want_string, struct fg_tp_field *f);
/* Read a number field from raw (raw_size bytes): 0 or -ERANGE. */
int fg_tp_field__u64(const struct fg_tp_field *f, const void *raw,
		     size_t raw_size, uint64_t *val);
int fg_tp_field__s64(const struct fg_tp_field *f, const void *raw,
		     size_t raw_size, int64_t *val);
/* Copy a string field (NUL terminated, truncated to len - 1). */
int fg_tp_field__str(const struct fg_tp_field *f, const void *raw,
		     size_t raw_size, char *buf, size_t len);
/* The last error, one line. */
const char *fg_tp__error(const struct fg_tp *t);
/*
 * Every format loaded so far (all of the header's, for a recording): their
 * number, and the i-th as an event ("sys:event"); -ENOENT past the end.
 */
size_t fg_tp__nr_formats(const struct fg_tp *t);
int fg_tp__format_at(const struct fg_tp *t, size_t i, struct fg_tp_event *ev);

/* ---- sched_switch prev_state ------------------------------------------ */

/*
 * The state a task left the CPU in, as sched_switch reports it (kernel
 * 4.14+: a one-hot TASK_REPORT bit, 0x100 = preempted while running).
 */
enum fg_task_state {
	FG_TASK_R,	/* runnable: preempted or yielded */
	FG_TASK_S,	/* interruptible sleep */
	FG_TASK_D,	/* uninterruptible */
	FG_TASK_I,	/* idle kernel thread (TASK_IDLE) */
	FG_TASK_T,	/* stopped or traced */
	FG_TASK_P,	/* parked */
	FG_TASK_X,	/* dead or zombie: its last switch-out */
	FG_TASK__MAX,
};

enum fg_task_state fg_task_state__from_prev_state(uint64_t prev_state);
const char *fg_task_state__name(enum fg_task_state s);

/* ---- run-queue latency --------------------------------------------------- */

/*
 * Latencies (ns) in log-linear buckets: 16 sub-buckets per power of two, so
 * percentiles are within 1/16 of the true value and memory is fixed per
 * key whatever the number of events. Keys are (group label, pid, comm).
 */
struct fg_runq;

struct fg_runq_stats {
	uint64_t count, sum, max;
	uint64_t p50, p90, p99;
	uint64_t log2[64];	/* log2[i]: count of latencies in [2^i, 2^(i+1)) ns, [0] also 0 */
};

struct fg_runq *fg_runq__new(void);
void fg_runq__delete(struct fg_runq *r);
/* group may be NULL (no container). 0 or -ENOMEM. */
int fg_runq__add(struct fg_runq *r, const char *group, int pid,
		 const char *comm, uint64_t ns);
/* Totals per group (pid < 0) or per process; -ENOENT when unknown. */
int fg_runq__stats(const struct fg_runq *r, const char *group, int pid,
		   struct fg_runq_stats *st);
/* Number of groups; group names by index (NULL for "no container"). */
size_t fg_runq__nr_groups(const struct fg_runq *r);
const char *fg_runq__group(const struct fg_runq *r, size_t i);
/*
 * The text summary: per group, then its top max_procs processes by count;
 * with hist, a log2 histogram per group (runqlat style).
 */
int fg_runq__summary(const struct fg_runq *r, struct fg_buf *b,
		     size_t max_procs, bool hist);

#endif /* FLAME_SCHED_H */
