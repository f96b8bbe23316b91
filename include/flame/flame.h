/* SPDX-License-Identifier: GPL-2.0 */
/*
 * perf-flame core: the profile model shared by flame.so and the flame CLI.
 *
 * One model, many inputs (perf samples, perf script text, folded stacks,
 * gperftools profiles), many outputs (folded, svg, heatmap html).
 *
 * Conventions (libperf / libbpf style):
 *  - object__verb() names; __new() returns NULL and sets errno on failure;
 *    every __new() has a __delete(), and __delete(NULL) is a no-op.
 *  - actions return 0 or -errno; predicates return bool.
 *  - the library never prints: messages go through fg_set_print().
 */
#ifndef FLAME_FLAME_H
#define FLAME_FLAME_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

/* ---- messages ---------------------------------------------------------- */

enum fg_print_level {
	FG_WARN,
	FG_INFO,
	FG_DEBUG,
};

typedef int (*fg_print_fn)(enum fg_print_level level, const char *fmt,
			   va_list ap);

/* Install the message sink; NULL restores the default (warnings to stderr). */
void fg_set_print(fg_print_fn fn);

/* ---- growable buffer (git strbuf style) -------------------------------- */

/* buf is always NUL terminated once anything was added; buf == NULL before. */
struct fg_buf {
	char *buf;
	size_t len;
	size_t alloc;
	/*
	 * Set (rarely): a buffer that streams. When it would have to grow,
	 * flush(b) takes buf[0..len) away (len = 0 after) instead; 0 or
	 * -errno. Whoever appends must not keep offsets into buf across calls.
	 */
	int (*flush)(struct fg_buf *b);
	void *flush_arg;
};

#define FG_BUF_INIT { NULL, 0, 0 }

int fg_buf__grow(struct fg_buf *b, size_t extra);

/*
 * Appends: inline, as writers call them a dozen times a frame; only a
 * buffer that must grow (or flush) leaves the fast path. 0 or -ENOMEM (or
 * a streaming buffer's flush error).
 */
static inline __attribute__((always_inline)) int
fg_buf__add(struct fg_buf *b, const void *data, size_t len)
{
	if (len >= b->alloc - b->len) {	/* no room for len bytes and NUL */
		int err = fg_buf__grow(b, len);

		if (err)
			return err;
	}
	memcpy(b->buf + b->len, data, len);
	b->len += len;
	b->buf[b->len] = '\0';
	return 0;
}

/* always inlined: strlen of a literal folds to a constant */
static inline __attribute__((always_inline)) int
fg_buf__adds(struct fg_buf *b, const char *s)
{
	return fg_buf__add(b, s, strlen(s));
}

static inline int fg_buf__addch(struct fg_buf *b, char c)
{
	if (b->len + 1 >= b->alloc) {
		int err = fg_buf__grow(b, 1);

		if (err)
			return err;
	}
	b->buf[b->len++] = c;
	b->buf[b->len] = '\0';
	return 0;
}
/* v units of 10^-decimals as a decimal number: "12", "1.5" (no trailing
 * zeros), the way fractional folded counts are written back. */
int fg_buf__add_fixed(struct fg_buf *b, uint64_t v, unsigned int decimals);
/* v as printf's "%.2f" writes it (the SVG's percentages), mostly without
 * printf. */
int fg_buf__add_fix2(struct fg_buf *b, double v);
int fg_buf__addf(struct fg_buf *b, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
void fg_buf__reset(struct fg_buf *b);
/* Frees the storage; the buffer is FG_BUF_INIT afterwards. */
void fg_buf__release(struct fg_buf *b);

/*
 * The one growth rule for arrays: *v (a T **) holds *alloc elements of size
 * bytes, nr of them used; make room for one more, doubling (min the first
 * time). 0, or -ENOMEM with *v and *alloc untouched.
 */
int fg_grow(void *v, size_t *alloc, size_t nr, size_t size, size_t min);
/* The same rule for room for need elements in all: doubling (from min the
 * first time) until they fit. 0, or -ENOMEM with *v and *alloc untouched. */
int fg_reserve(void *v, size_t *alloc, size_t need, size_t size, size_t min);

/* write(2) all of p (EINTR retried): 0, or -errno (-EIO for a 0-byte write). */
int fg_write_all(int fd, const void *p, size_t len);

/*
 * Escaping for the contexts names can land in. Invalid UTF-8 becomes U+FFFD,
 * XML-forbidden control characters become U+FFFD; max_chars > 0 truncates
 * on a character boundary and appends "..".
 */
/* XML text and attribute values (escapes & < > " '). */
int fg_buf__add_xml(struct fg_buf *b, const char *s, size_t len,
		    size_t max_chars);
/*
 * A JSON string literal (with quotes) that is also safe inside an HTML
 * <script> block: '<', '>', '&', U+2028 and U+2029 are \u-escaped.
 */
int fg_buf__add_json(struct fg_buf *b, const char *s, size_t len);

/* Write b to fp; 0 or -EIO. */
int fg_buf__write(const struct fg_buf *b, FILE *fp);

/* ---- string interning -------------------------------------------------- */

/*
 * Interns byte strings (not necessarily NUL free) into dense ids 0..count-1.
 * Returned strings live as long as the table and are NUL terminated.
 */
struct fg_strtab;

struct fg_strtab *fg_strtab__new(void);
void fg_strtab__delete(struct fg_strtab *t);
/* Returns the id, or UINT32_MAX on allocation failure. */
uint32_t fg_strtab__intern(struct fg_strtab *t, const char *s, size_t len);
/* Lookup without inserting: UINT32_MAX if absent. */
uint32_t fg_strtab__find(const struct fg_strtab *t, const char *s, size_t len);
const char *fg_strtab__str(const struct fg_strtab *t, uint32_t id);
size_t fg_strtab__len(const struct fg_strtab *t, uint32_t id);
uint32_t fg_strtab__count(const struct fg_strtab *t);

/* ---- the profile model ------------------------------------------------- */

/*
 * A profile is a call tree (a trie of frame names): every unique stack is a
 * node; weights are "self" weights of the node the stack ends in. Two weight
 * columns exist so a differential profile is one model (column 0 = before,
 * column 1 = after); everything else uses column 0.
 *
 * Node 0 is the invisible root ("all"). A node's parent id is always smaller
 * than its own id, so a forward loop visits parents before children.
 */
#define FG_ROOT		0u
#define FG_NO_NODE	UINT32_MAX
#define FG_NCOLS	2

struct fg_node {
	uint32_t parent;
	uint32_t name;		/* id in fg_profile__names() */
	uint32_t depth;		/* 0 for the root, 1 for the first frame */
	uint32_t pad;
	uint64_t self[FG_NCOLS];
};

/* Kept only after fg_profile__keep_samples(p, true): times for heatmaps
 * and flame charts. */
struct fg_sample {
	uint64_t time;		/* ns, as perf reports it */
	uint64_t weight;
	uint32_t node;
	uint32_t col;
};

struct fg_profile;

struct fg_profile *fg_profile__new(void);
void fg_profile__delete(struct fg_profile *p);

void fg_profile__keep_samples(struct fg_profile *p, bool keep);
bool fg_profile__keeps_samples(const struct fg_profile *p);
/* Column further adds go to (0 or 1). */
void fg_profile__set_column(struct fg_profile *p, unsigned int col);

/* Intern a frame name; UINT32_MAX on allocation failure. */
uint32_t fg_profile__intern(struct fg_profile *p, const char *name, size_t len);
const struct fg_strtab *fg_profile__names(const struct fg_profile *p);
const char *fg_profile__name(const struct fg_profile *p, uint32_t name_id);

/* Child of parent named name_id, created when absent. FG_NO_NODE on ENOMEM. */
uint32_t fg_profile__child(struct fg_profile *p, uint32_t parent,
			   uint32_t name_id);
/* Free the child index (memory) once done adding; rebuilt on next use. */
void fg_profile__drop_index(struct fg_profile *p);
/* Existing child or FG_NO_NODE. */
uint32_t fg_profile__find_child(const struct fg_profile *p, uint32_t parent,
				uint32_t name_id);

/*
 * A column's total never exceeds FG_WEIGHT_MAX (pprof's int64 values; every
 * sum of weights in a column fits in it).
 */
#define FG_WEIGHT_MAX	((uint64_t)INT64_MAX)
/*
 * Add weight to the stack ending at node (and a sample when kept).
 * -EOVERFLOW, adding nothing, when the column total would pass FG_WEIGHT_MAX.
 */
/* A hint: node's weights will be added to soon (loads its cache line). */
void fg_profile__prefetch(const struct fg_profile *p, uint32_t node);
int fg_profile__add_node(struct fg_profile *p, uint32_t node, uint64_t weight,
			 uint64_t time);
/*
 * Divide every weight by div, rounding each stack's total (and each kept
 * sample) to nearest: weights summed in ns, shown in us or ms.
 */
void fg_profile__scale(struct fg_profile *p, uint64_t div);
/*
 * Fractional counts (folded "a;b 1.5"): weights are then whole units of
 * 10^-decimals (at most FG_DECIMALS_MAX); 0 decimals = plain counts.
 * fg_profile__unit() is 10^decimals. Raising the decimals multiplies every
 * weight; -EOVERFLOW (nothing changed) when a total would pass FG_WEIGHT_MAX.
 */
#define FG_DECIMALS_MAX	6
unsigned int fg_profile__decimals(const struct fg_profile *p);
uint64_t fg_profile__unit(const struct fg_profile *p);
int fg_profile__set_decimals(struct fg_profile *p, unsigned int d);
/*
 * A copy of p with every stack cut below its leaf-most frame named in
 * skip_after (that frame becomes the root; stacks without one are kept
 * whole, as inferno-collapse-perf's --skip-after), then, when base names
 * any, cut the same way at its leaf-most frame named in base, stacks
 * without one dropped (inferno-flamegraph's --base). A name matches with
 * or without its _[k]/_[j]/_[i]/_[w] annotation. NULL with errno set on
 * failure.
 */
struct fg_strlist;
struct fg_profile *fg_profile__cut(const struct fg_profile *p,
				   const struct fg_strlist *skip_after,
				   const struct fg_strlist *base);
/* Convenience: frames are name ids, root first. */
int fg_profile__add(struct fg_profile *p, const uint32_t *frames, size_t n,
		    uint64_t weight, uint64_t time);

uint32_t fg_profile__nr_nodes(const struct fg_profile *p);
const struct fg_node *fg_profile__node(const struct fg_profile *p, uint32_t id);
uint64_t fg_profile__total(const struct fg_profile *p, unsigned int col);
/* Number of add calls (samples or folded lines) per column. */
uint64_t fg_profile__nr_adds(const struct fg_profile *p, unsigned int col);
const struct fg_sample *fg_profile__samples(const struct fg_profile *p,
					    size_t *nr);
/* Number of non-empty stacks (nodes with self weight in any column). */
uint32_t fg_profile__nr_stacks(const struct fg_profile *p);

/*
 * Frames of node, root first, into out (at most max); returns the depth.
 * out may be NULL to just get the depth.
 */
size_t fg_profile__path(const struct fg_profile *p, uint32_t node,
			uint32_t *out, size_t max);

/* ---- input: folded stacks ---------------------------------------------- */

/*
 * Line reader over a file, "-" (stdin), plain or gzip (detected by content).
 * Lines are returned without the trailing "\n" (and "\r"), NUL terminated;
 * valid until the next call.
 */
struct fg_reader;

struct fg_reader *fg_reader__open(const char *path);
/* Reads fd; fg_reader__close() does not close it (the caller owns fd). */
struct fg_reader *fg_reader__fdopen(int fd, const char *name);
void fg_reader__close(struct fg_reader *r);
/* 1 = a line, 0 = end of input, -errno = read error (truncated gzip: -EIO). */
int fg_reader__getline(struct fg_reader *r, const char **line, size_t *len);
uint64_t fg_reader__lineno(const struct fg_reader *r);
const char *fg_reader__name(const struct fg_reader *r);
/* Peek at the first bytes of the (decompressed) input without consuming. */
int fg_reader__peek(struct fg_reader *r, const char **data, size_t *len);

struct fg_folded_stats {
	uint64_t lines;
	uint64_t bad_lines;
	uint64_t first_bad_line;
};

/*
 * Parse folded stacks ("a;b;c 12", also "a;b;c 12 15" two-column diff
 * input: with two counts, col A goes to column 0 and B to column 1).
 * Malformed lines are skipped and counted; *st (may be NULL) is reset first.
 */
int fg_folded__read(struct fg_profile *p, struct fg_reader *r,
		    struct fg_folded_stats *st);

/* ---- options shared by every output ------------------------------------ */

enum fg_opt_type {
	FG_OPT_STR,
	FG_OPT_INT,
	FG_OPT_BOOL,
	FG_OPT_DOUBLE,
	FG_OPT_STRLIST,		/* repeatable: appends */
	FG_OPT_U64,
	/* two doubles side by side: "N" sets the first, "N%" the second */
	FG_OPT_PCT,
	/* a string whose value is optional: "--cp" alone stores "" */
	FG_OPT_OPTSTR,
};

/*
 * Option groups, one per stage: a command accepts and lists only the
 * groups it uses (lib/model/opts.c says how to add one).
 */
#define FG_GRP_INPUT	(1u << 0)	/* reading inputs */
#define FG_GRP_NAMING	(1u << 1)	/* frame names (lib/names/namer.c) */
#define FG_GRP_SELECT	(1u << 2)	/* which samples */
#define FG_GRP_OUTPUT	(1u << 3)	/* out=, format= */
#define FG_GRP_GRAPH	(1u << 4)	/* flame graph SVG */
#define FG_GRP_HEATMAP	(1u << 5)	/* heatmap page */
#define FG_GRP_DIFF	(1u << 6)	/* differential profiles */
#define FG_GRP_RECORD	(1u << 7)	/* flame record / snapshot */
#define FG_GRP_BENCH	(1u << 8)	/* flame bench */
#define FG_GRP_ALL	(~0u)

/* One option: the same table drives plugin key=value and CLI --key value. */
struct fg_opt_desc {
	const char *name;
	enum fg_opt_type type;
	size_t offset;		/* into the options struct */
	const char *defval;	/* text shown by help; NULL = none */
	const char *help;
	unsigned int groups;	/* FG_GRP_*; 0 = every command of the table */
	/*
	 * Optional: set the option instead of storing by type (the type still
	 * says whether it takes a value). value: as given, NULL for a flag
	 * without one, "off" for --no-flag. 0 or -EINVAL with *err set.
	 */
	int (*set)(void *base, const char *value, const char **err);
	const char *arg;	/* help's name of the value; NULL: by type */
	char short_name;	/* CLI "-x"; 0 = none */
	int min, max;		/* FG_OPT_INT: the range when max > min */
};

/* The tables a command (or flame.so) takes, each with its struct. */
struct fg_optset {
	const struct fg_opt_desc *table;
	void *base;		/* the struct the table's offsets point into */
	unsigned int groups;	/* FG_GRP_* of the table it takes */
	const char *heading;	/* help: a line before its options; NULL none */
};

/*
 * The option key in the first of sets that has it (in its groups); short
 * (a letter, key "") by short_name. NULL when none; *set gets its set.
 */
const struct fg_opt_desc *fg_optset__find(const struct fg_optset *sets,
					  size_t n, const char *key, char short_name,
					  const struct fg_optset **set);
/* Help lines of every option of sets, in order, each set after its
 * heading. */
void fg_optset__help(const struct fg_optset *sets, size_t n,
		     const char *prefix, FILE *fp);
/* "on"/"off", "1"/"0", "yes"/"no", "true"/"false"; NULL = on. */
bool fg_opt__bool(const char *value, bool *out);
/* Free what fg_opt__set stored in base for table (strings, lists; not
 * what a row's own set() stored). */
void fg_opt__release(const struct fg_opt_desc *table, void *base);

/* A repeatable string option. */
struct fg_strlist {
	char **v;
	size_t n;
};

struct fg_cpuseries;

struct fg_opts {
	/* outputs */
	struct fg_strlist out;	/* output files, format by extension */
	char *format;		/* force a format for every out */
	/* graph */
	char *title;
	char *subtitle;
	int width;
	int height;		/* frame height */
	double fontsize;
	char *fonttype;
	double fontwidth;
	double minwidth;	/* pixels; "0.1%" style handled by minwidth_pct */
	double minwidth_pct;
	char *countname;
	char *nametype;
	char *colors;		/* palette */
	char *bgcolors;
	bool hash;
	bool random;
	bool reverse;
	bool inverted;
	bool flamechart;
	bool negate;		/* diff: colour by shrink instead of growth */
	double factor;
	double total;		/* override the total (0 = computed) */
	char *notes;
	char *nameattr;		/* file: name\tattr=value... */
	char *cp;		/* consistent palette file */
	char *search_color;
	char *stroke_color;	/* frame outline (none when NULL) */
	char *encoding;		/* XML declaration; UTF-8 only */
	struct fg_strlist skip_after;	/* cut stacks below these frames */
	struct fg_strlist base;		/* keep stacks through these, cut there */
	/* heatmap */
	int rows;		/* subsecond rows per second */
	bool idle;		/* keep idle stacks in the heatmap */
	/* diff */
	bool normalize;
	bool strip_hex;
	/* pprof metadata, set by the producer (0: unknown) */
	uint64_t period_ns;	/* what one sample stands for (cpu time) */
	uint64_t time_ns;	/* profile start, ns since the epoch */
	uint64_t duration_ns;
	/* heatmap: CPU strips from the snapshot's series (not owned) */
	const struct fg_cpuseries *cpu;
	const char *cpu_only;	/* container= of the selection, or NULL */
};

/* The output option table, NULL-name terminated. */
extern const struct fg_opt_desc fg_output_opts[];

void fg_opts__init(struct fg_opts *o);
void fg_opts__release(struct fg_opts *o);

/*
 * Set option key from a table (fg_output_opts or the caller's own, with the
 * caller's struct as base). value may be NULL for booleans ("on").
 * -ENOENT unknown key, -EINVAL bad value; *err gets a one-line reason.
 */
int fg_opt__set(const struct fg_opt_desc *table, void *base, const char *key,
		const char *value, const char **err);
const struct fg_opt_desc *fg_opt__find(const struct fg_opt_desc *table,
				       const char *key);
/* Print "  key=DEFAULT  help" lines; prefix "" for plugin, "--" for CLI. */
void fg_opt__help(const struct fg_opt_desc *table, const char *prefix,
		  FILE *fp);
/* The same for the options in any of groups. */
void fg_opt__help_groups(const struct fg_opt_desc *table, unsigned int groups,
			 const char *prefix, FILE *fp);
/* fg_opt__find limited to groups. */
const struct fg_opt_desc *fg_opt__find_in(const struct fg_opt_desc *table,
					  unsigned int groups, const char *key);
/* What a command of these groups may use from fg_output_opts. */
#define FG_GRP_CMD_SVG		(FG_GRP_OUTPUT | FG_GRP_GRAPH)
#define FG_GRP_CMD_HEATMAP	(FG_GRP_OUTPUT | FG_GRP_HEATMAP)
#define FG_GRP_CMD_ANY_OUTPUT	(FG_GRP_OUTPUT | FG_GRP_GRAPH | FG_GRP_HEATMAP)
#define FG_GRP_CMD_DIFF		(FG_GRP_OUTPUT | FG_GRP_GRAPH | FG_GRP_DIFF)

/* ---- outputs ----------------------------------------------------------- */

struct fg_output_ops {
	const char *name;		/* "folded", "svg", "heatmap" */
	const char *const *exts;	/* ".folded", ".txt"... NULL ended */
	bool needs_samples;		/* needs fg_profile__keep_samples() */
	bool uses_samples;		/* uses sample times when kept, works without */
	/* Render the whole profile into buf. */
	int (*write)(struct fg_buf *buf, const struct fg_profile *p,
		     const struct fg_opts *o);
};

const struct fg_output_ops *fg_output__find(const char *name);
/* By file name extension; NULL when unknown. */
const struct fg_output_ops *fg_output__for_path(const char *path);

/*
 * Render p with ops into path through fg_file__write(): a failure never
 * leaves a partial regular file, and nothing at path is ever replaced by
 * anything but a regular file.
 */
int fg_output__write_file(const struct fg_output_ops *ops, const char *path,
			  const struct fg_profile *p, const struct fg_opts *o);

/*
 * The one safe writer for every file the tree writes (docs/security.md).
 * fg_outfile__new(path) decides how path is written:
 *  - "-", or a name of this process's stdout/stderr (/dev/stdout,
 *    /proc/self/fd/1, ...): that descriptor, written in place;
 *  - an existing device, FIFO or socket (also through symbolic links):
 *    opened and written in place, never replaced (a FIFO waits for a reader);
 *  - a directory: -EISDIR;
 *  - a regular file or a new name: symbolic links are resolved by hand
 *    (a dangling one to the name it points at) and the data goes to a
 *    temporary file with a short random name in the final directory
 *    (O_CREAT|O_EXCL|O_NOFOLLOW, mode 0600 until done), renamed over the
 *    final name by __commit; the file keeps an old file's mode, else
 *    0666 & ~umask. A link itself is never replaced.
 * __new returns NULL and sets errno; __commit closes and renames (0 or
 * -errno); __delete discards an uncommitted temporary file.
 */
struct fg_outfile;
struct fg_outfile *fg_outfile__new(const char *path);
int fg_outfile__fd(const struct fg_outfile *f);
int fg_outfile__write(struct fg_outfile *f, const void *p, size_t len);
int fg_outfile__commit(struct fg_outfile *f);
void fg_outfile__delete(struct fg_outfile *f);
/* new + write + commit + delete */
int fg_file__write(const char *path, const void *data, size_t len);
/* Would fg_file__write(path) be allowed to start? 0 or -errno (no I/O). */
int fg_file__check(const char *path);

/*
 * Before any input is read: every output of o has a known format (from
 * format=, the extension, or default_fmt when not NULL), a non-empty name
 * and a writable place (fg_file__check), and the options are in range.
 * 0, or -errno with one line (no newline) appended to msg.
 */
int fg_output__check(const struct fg_opts *o, const char *default_fmt,
		     struct fg_buf *msg);

/* Format backends (one file each under lib/). */
extern const struct fg_output_ops fg_output_folded;
extern const struct fg_output_ops fg_output_svg;
extern const struct fg_output_ops fg_output_heatmap;
extern const struct fg_output_ops fg_output_pprof;
extern const struct fg_output_ops fg_output_speedscope;

#endif /* FLAME_FLAME_H */
