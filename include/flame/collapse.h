/* SPDX-License-Identifier: GPL-2.0 */
/*
 * perf script text -> profile (the stackcollapse-perf.pl replacement), input
 * guessing, and symbol demangling. See docs/collapse.md.
 *
 * fg_collapse__read() streams: memory grows with unique frames and stacks,
 * never with the input size (except the per-sample log a profile keeps
 * after fg_profile__keep_samples(p, true)).
 *
 * Sample times: the time field of each sample header ("comm 12/12 [001]
 * 1234.567890: ...") is parsed and handed to the profile in nanoseconds, so
 * heatmaps and flame charts work from perf script text:
 *	fg_profile__keep_samples(p, true);
 *	fg_collapse__read(p, reader, &opts, &stats);
 * With samples kept, the input is parsed on one thread so the sample log
 * stays in input order. Headers without a time get time 0.
 */
#ifndef FLAME_COLLAPSE_H
#define FLAME_COLLAPSE_H

#include <flame/flame.h>

enum fg_collapse_weight {
	FG_WEIGHT_SAMPLES = 0,	/* each sample weighs 1 (default) */
	FG_WEIGHT_PERIOD,	/* the period field (1 when absent) */
};

struct fg_collapse_opts {
	bool pid;		/* root frame "comm-PID" */
	bool tid;		/* root frame "comm-PID/TID" */
	bool kernel;		/* "_[k]" on kernel frames */
	bool jit;		/* "_[j]" on perf-map (JIT) frames */
	bool addrs;		/* "[dso <addr>]" for unresolved frames */
	bool inline_;		/* expand inlined frames with libdw */
	bool context;		/* with inline_: ":file:line" on those frames */
	bool no_demangle;	/* keep _Z / _R symbols as they are */
	const char *event_filter; /* NULL: the first event seen */
	enum fg_collapse_weight weight;
};

/* Set the defaults (all false, sample weight). */
void fg_collapse_opts__init(struct fg_collapse_opts *o);

struct fg_collapse_stats {
	uint64_t lines;
	uint64_t samples;		/* samples added to the profile */
	uint64_t filtered;		/* samples of other events, skipped */
	uint64_t bad_lines;		/* malformed lines, skipped */
	uint64_t first_bad_line;	/* 1-based; 0 = none */
	char first_event[64];		/* the event kept (filter or first seen) */
	char other_event[64];		/* first event skipped, "" = none */
};

/*
 * Parse perf script text from r and add every sample's stack (root first:
 * process name, then callers, leaf last) to p's current column. Lines
 * starting with '#' (perf script --header) are ignored.
 *
 * Malformed lines are skipped and counted in st; one pr_warn names the
 * first of them with its line number, and one names the events skipped.
 * Returns 0, or -errno on a read error (truncated gzip: -EIO) after adding
 * everything read before it; -ENOMEM. st may be NULL.
 */
int fg_collapse__read(struct fg_profile *p, struct fg_reader *r,
		      const struct fg_collapse_opts *o,
		      struct fg_collapse_stats *st);

/* ---- input guessing ---------------------------------------------------- */

enum fg_input_kind {
	FG_INPUT_UNKNOWN = 0,
	FG_INPUT_PERF_SCRIPT,	/* perf script text (with or without --header) */
	FG_INPUT_FOLDED,	/* "a;b;c 12" lines (also bcc -f, two columns) */
};

/* Look at the first bytes (fg_reader__peek) and guess; consumes nothing. */
enum fg_input_kind fg_input__guess(struct fg_reader *r);
/* Same on the first bytes of an input. */
enum fg_input_kind fg_input__guess_data(const char *data, size_t len);
const char *fg_input__kind_name(enum fg_input_kind k);

/* ---- demangling -------------------------------------------------------- */

/* True when name looks like an Itanium C++ (_Z) or Rust (_R, _ZN..17h<hash>E)
 * mangled symbol. */
bool fg_demangle__is_mangled(const char *name, size_t len);

/*
 * Demangle an Itanium C++ or Rust (legacy and v0) symbol, without parameter
 * lists (as perf shows names): "_ZN3foo3barEv" -> "foo::bar",
 * "_ZN4core3fmt5write17h0123456789abcdefE" -> "core::fmt::write".
 * Appends the result to out and returns 0; -EINVAL when name is not a
 * mangled symbol (out untouched); -ENOMEM.
 */
int fg_demangle(struct fg_buf *out, const char *name, size_t len);

#endif /* FLAME_COLLAPSE_H */
