/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The frame namer: THE place a frame gets its name, for every input
 * (flame.so's callchain walk, the perf script text collapser, the
 * gperftools reader, the live sampler). Rules, in order (docs/design.md):
 *
 *  1. A symbol (not empty, not "[unknown]") is the name: demangled when
 *     it is an Itanium C++ / Rust symbol, then sanitised (';' -> ':',
 *     argument list dropped unless "(anonymous namespace)" or a Go
 *     receiver ".(*T).", quotes dropped, control characters -> '?'),
 *     Java class names of a JVM lose the leading 'L' ("Ljava/lang/X;").
 *  2. No symbol but an object: "[basename]" (" (deleted)" dropped, a name
 *     already in brackets such as "[vdso]" is not bracketed again).
 *  3. Nothing: "[unknown]".
 *  With addrs, 2 and 3 become "[basename <ADDR>]" / "[unknown <ADDR>]",
 *  ADDR in lower-case hex without 0x: the address within the object when
 *  the object is known (perf's map-relative address, what perf script
 *  prints; stable across runs despite ASLR), else the raw address.
 *
 * Classification:
 *  - kernel: the caller's context says so (perf's PERF_CONTEXT_KERNEL);
 *    FG_CTX_GUESS: the address has its top bit set (x86-64, arm64 kernel
 *    half) or the object is [kernel.kallsyms], [guest.kernel.kallsyms...]
 *    or a path ending in vmlinux or .ko. The text collapser knows more: a
 *    sample's kernel frames come before its user frames, so a kernel-half
 *    address after a user frame (a broken user stack walk) is user.
 *  - JIT: the name came from a JIT map the caller read (jit flag), or the
 *    object is a perf map as perf names it: ".../tmp/perf-<digits>.map".
 *  Annotations: "_[k]" (kernel, with FG_ANNOTATE_KERNEL), else "_[j]"
 *  (JIT, with FG_ANNOTATE_JIT); inlined frames always end in "_[i]".
 *
 * The process (root) frame: "comm", "comm-PID" or "comm-PID/TID", blanks
 * and ';' in comm turned into '_'.
 */
#ifndef FLAME_NAMER_H
#define FLAME_NAMER_H

#include <flame/flame.h>

#define FG_ANNOTATE_KERNEL	1u
#define FG_ANNOTATE_JIT		2u
#define FG_ANNOTATE_ALL		(FG_ANNOTATE_KERNEL | FG_ANNOTATE_JIT)

/* The naming options (the "naming" option group). */
struct fg_namer_opts {
	unsigned int annotate;	/* FG_ANNOTATE_* */
	bool addrs;		/* unresolved frames carry their address */
	bool pid;		/* root frame comm-PID */
	bool tid;		/* root frame comm-PID/TID */
	bool no_demangle;	/* keep _Z / _R symbols as they are */
};

/* Where a frame ran. */
enum fg_frame_ctx {
	FG_CTX_GUESS = 0,	/* unknown (text inputs): from address and object */
	FG_CTX_USER,
	FG_CTX_KERNEL,
};

/* What an input knows about one frame. Strings need not be NUL ended. */
struct fg_frame_in {
	uint64_t addr;		/* within dso when known (see above), else raw */
	const char *sym;	/* NULL, "" or "[unknown]": no symbol */
	size_t sym_len;
	const char *dso;	/* object path or "[name]"; NULL: unknown */
	size_t dso_len;
	enum fg_frame_ctx ctx;
	bool jit;		/* sym came from a JIT map the caller read */
	bool inlined;		/* an inlined function (not the outermost) */
	bool java;		/* the process is a JVM */
};

enum fg_frame_kind {
	FG_FRAME_SYM = 0,	/* named by a symbol */
	FG_FRAME_DSO,		/* only the object is known */
	FG_FRAME_UNKNOWN,	/* nothing is known */
};

/*
 * Name f into out (reset first, NUL terminated). Returns the frame's kind
 * (enum fg_frame_kind, >= 0) or -ENOMEM.
 */
int fg_namer__frame(const struct fg_namer_opts *o, const struct fg_frame_in *f,
		    struct fg_buf *out);

/*
 * The root frame of a process: comm (NULL or "" = "[unknown]"), with the
 * pid/tid text when o->pid / o->tid ask for it. Returns 0 or -ENOMEM.
 */
int fg_namer__process(const struct fg_namer_opts *o, const char *comm,
		      size_t comm_len, const char *pid, size_t pid_len,
		      const char *tid, size_t tid_len, struct fg_buf *out);

/* Same with numbers. */
int fg_namer__process_ids(const struct fg_namer_opts *o, const char *comm,
			  int pid, int tid, struct fg_buf *out);

/* The kernel rule above. */
bool fg_namer__is_kernel(const struct fg_frame_in *f);
/* The object is the kernel or a module: [kernel.kallsyms], ...vmlinux, .ko */
bool fg_namer__is_kernel_dso(const char *dso, size_t len);
/* The object is a perf map as perf names it: ".../tmp/perf-<digits>.map". */
bool fg_namer__is_perf_map(const char *dso, size_t len);
/*
 * Memory without symbols of its own where JIT code lives (anonymous maps,
 * memfd, heap, a perf map, no object at all): worth asking JIT sources.
 */
bool fg_namer__is_anon(const char *dso);

/* "annotate" option values: none, kernel, jit, all. -EINVAL otherwise. */
int fg_namer__parse_annotate(const char *s, unsigned int *annotate);

/*
 * Naming and frame selection options that every stack source shares
 * (flame.so, flame profile): one table, fg_naming_opts (groups
 * FG_GRP_NAMING and FG_GRP_SELECT), over this struct.
 */
struct fg_naming_args {
	char *annotate;		/* kernel, jit, all, none */
	bool show_pid, show_tid;
	bool addrs;
	bool kernel_only, user_only;
};
extern const struct fg_opt_desc fg_naming_opts[];

/*
 * a into o (annotate, addrs, pid, tid; no_demangle is left alone).
 * 0, or -EINVAL with *err a one-line reason.
 */
int fg_naming_args__derive(const struct fg_naming_args *a,
			   struct fg_namer_opts *o, const char **err);
void fg_naming_args__release(struct fg_naming_args *a);

#endif /* FLAME_NAMER_H */
