/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Tracepoint field filters: keep the samples of a tracepoint whose field,
 * decoded by name, matches ("--dlarg field=EXPR", docs/plugin.md).
 *
 *   EXPR   := [SYS:EVENT:]FIELD OP VALUE
 *   OP     := == != < <= > >= &      a number field (& : any bit in common)
 *           | == != ~ !~             a string field (~ : glob, fnmatch(3))
 *
 * The operators are those of ftrace's event filters (perf record --filter).
 * With SYS:EVENT the condition applies to that event's samples only; without,
 * to the samples of every tracepoint whose format has FIELD. Conditions are
 * ANDed. == and != compare numbers when VALUE is an integer (42, -1, 0x1f)
 * and the field a number, else strings; a quoted VALUE ("42") is a string.
 *
 * Formats come from fg_tp (the perf.data header, or tracefs); field values
 * from the payload with those formats, or from perf's own decoder
 * (perf-patches/0004 tp_field) when the caller passes it.
 */
#ifndef FLAME_TPFILTER_H
#define FLAME_TPFILTER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <flame/flame.h>
#include <flame/sched.h>

struct fg_tpf;

/*
 * A decoder for the current sample's fields (perf's tp_field): the size of
 * field name's data, or -1 when the event has no such field (or the data
 * lies outside the payload). *val: a number field's value, sign extended;
 * *data: the field's bytes (a string's, for __data_loc strings).
 */
typedef int32_t (*fg_tp_getter)(void *arg, const char *name, uint64_t *val,
				const void **data);

/* One tracepoint sample as the filter sees it. */
struct fg_tp_sample {
	const char *event;	/* "sys:event"; perf hands one pointer per event */
	const void *raw;	/* the payload (raw_data) */
	size_t raw_size;
	fg_tp_getter get;	/* NULL: decode raw with the formats */
	void *get_arg;
};

struct fg_tpf *fg_tpf__new(void);
/* Frees f and the formats handed to fg_tpf__bind(). NULL is a no-op. */
void fg_tpf__delete(struct fg_tpf *f);
/*
 * Parse one EXPR. 0, -EINVAL (err: why, one line, without the expression),
 * or -ENOMEM.
 */
int fg_tpf__add(struct fg_tpf *f, const char *expr, struct fg_buf *err);
/* Number of conditions. */
size_t fg_tpf__nr(const struct fg_tpf *f);
/* Condition i: its text, and the event it names (NULL: any tracepoint). */
const char *fg_tpf__text(const struct fg_tpf *f, size_t i);
const char *fg_tpf__event(const struct fg_tpf *f, size_t i);
/*
 * Check every condition against the formats in tp, which f then owns (NULL
 * or no formats in it: each event is checked at its first sample, through
 * the samples' getter, which perf_decodes promises). With the perf.data
 * header's formats, an event not recorded, an unknown field or a field of
 * the wrong type fails here. 0 or -errno, err naming the condition, the
 * event and the field.
 */
int fg_tpf__bind(struct fg_tpf *f, struct fg_tp *tp, bool perf_decodes,
		 struct fg_buf *err);
/* Where formats came from: "perf.data header", "tracefs", "perf, tp_field". */
const char *fg_tpf__source(const struct fg_tpf *f);
/*
 * Does the sample pass every condition that applies to its event? 1 keep,
 * 0 drop, -errno with err (a field missing or of the wrong type, found only
 * now; a payload shorter than its format).
 */
int fg_tpf__match(struct fg_tpf *f, const struct fg_tp_sample *s,
		  struct fg_buf *err);
/*
 * After the last sample: -ENOENT (err) when a condition never met an event
 * it could apply to and no format said so at bind time.
 */
int fg_tpf__finish(const struct fg_tpf *f, struct fg_buf *err);
/* "field=EXPR kept K of N sys:event samples; ..." into b (nothing when empty). */
void fg_tpf__summary(const struct fg_tpf *f, struct fg_buf *b);

#endif /* FLAME_TPFILTER_H */
