/* SPDX-License-Identifier: GPL-2.0 */
/* Internals of the perf script collapser shared with its unit test. */
#ifndef FLAME_LIB_COLLAPSE_INT_H
#define FLAME_LIB_COLLAPSE_INT_H

#include <flame/collapse.h>
#include <flame/inline.h>

/* A sample header line, pointers into the line. */
struct fg_collapse_header {
	const char *comm;
	size_t comm_len;
	const char *pid;	/* "?" when the line has only one number */
	size_t pid_len;
	const char *tid;
	size_t tid_len;
	bool has_cpu;
	bool has_time;
	uint64_t time;		/* ns */
	uint64_t period;	/* 0 = absent */
	const char *event;	/* without the ':'; NULL = absent */
	size_t event_len;
	const char *rest;	/* after the event */
	size_t rest_len;
};

/* A callchain line "ADDR SYM+OFF (DSO)"; dso NULL when absent. */
struct fg_collapse_frame {
	const char *pc;
	size_t pc_len;
	const char *sym;	/* without "+0x..." */
	size_t sym_len;
	size_t off_len;		/* "+0x1f" right after sym; 0 = none */
	const char *dso;
	size_t dso_len;
};

int fg_collapse__parse_header(const char *line, size_t len,
			      struct fg_collapse_header *h);
int fg_collapse__parse_frame(const char *line, size_t len,
			     struct fg_collapse_frame *f);
/*
 * The address of the frame line at p (a tab) in [p, end), as the hot path
 * finds it: the general scan (0, or -EINVAL when not a frame line's
 * shape), and the 8-bytes-at-a-time one for perf's 16 columns (false: it
 * does not know, ask the scan).
 */
int fg_collapse__addr_scan(const char *p, const char *end, const char **a,
			   const char **q);
bool fg_collapse__addr_column(const char *p, const char *end, const char **a,
			      const char **q);
/* The same 8 bytes at a time (what addr_column is without SSE2). */
bool fg_collapse__addr_column_words(const char *p, const char *end,
				    const char **a, const char **q);
/*
 * The end of the line at p (its '\n', or end) and the line table's hash of
 * its bytes: as the hot path finds them (SSE2 where there is SSE2), and one
 * word at a time.
 */
const char *fg_collapse__scan_line(const char *p, const char *end,
				   uint64_t *hash);
const char *fg_collapse__scan_line_words(const char *p, const char *end,
					 uint64_t *hash);
/* memcmp(a, b, len) == 0 as the hot path compares keys */
bool fg_collapse__same_bytes(const char *a, const char *b, size_t len);
/* How many digits start s, at most max (<= 16), not past end. */
unsigned int fg_collapse__digit_run(const char *s, const char *end,
				    unsigned int max);
/* The same as two words (what digit_run is without SSE2). */
unsigned int fg_collapse__digit_run_words(const char *s, const char *end,
					  unsigned int max);

struct collapse_ctx;
struct worker;

/* Inlined frames through lib/names/inline.c (<flame/inline.h>). */
int fg_inline__names(struct collapse_ctx *ctx, struct worker *w,
		     const char *pc, size_t pclen, const char *sym, size_t slen,
		     const char *dso, size_t dlen, struct fg_buf *out);

#endif
