/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Symbols of live processes (lib/names/livesym.c), for `flame profile`:
 * the process and thread table kept from the sampler's side-band records
 * (COMM, MMAP2, FORK, EXIT) and /proc for processes older than the session;
 * user frames from the ELF files seen through each process's own root
 * (openat2 RESOLVE_IN_ROOT, never following a container's symlink out of
 * it), build id checked against the MMAP2 record, .gnu_debuglink and
 * /usr/lib/debug/.build-id honoured (lib/names/elfsym.c); kernel frames from
 * /proc/kallsyms; JIT frames through fg_jit (perf maps read while the
 * process lives).
 */
#ifndef FLAME_LIVESYM_H
#define FLAME_LIVESYM_H

#include <stdbool.h>
#include <stdint.h>

struct fg_jit;
struct fg_live_mmap;

struct fg_livesym_opts {
	struct fg_jit *jit;	/* JIT names (may be NULL); not owned */
};

enum fg_livesym_kind {
	FG_LIVESYM_SYM,		/* an ELF or kernel symbol */
	FG_LIVESYM_JIT,		/* a perf map entry */
	FG_LIVESYM_DSO,		/* in a known file, no symbol covers it */
	FG_LIVESYM_UNKNOWN,	/* no mapping covers the address */
};

/* What one frame resolves to. Strings live until fg_livesym__delete(). */
struct fg_livesym_frame {
	enum fg_livesym_kind kind;
	const char *name;	/* symbol (SYM, JIT); NULL otherwise */
	const char *dso;	/* file, "[kernel.kallsyms]", "[vdso]"...; may be NULL */
	uint64_t addr;		/* the address asked */
	uint64_t map_start;	/* mapping (DSO kind or better; 0 otherwise) */
	uint64_t map_end;
	uint64_t map_pgoff;
	const uint8_t *build_id;	/* of the mapping's file, when known */
	uint8_t build_id_size;
	bool retry;		/* may resolve later (JIT code not in the map
				 * yet): do not cache this answer */
};

struct fg_livesym_stats {
	uint64_t procs, threads;	/* in the table now */
	uint64_t maps_read;		/* /proc/PID/maps reads */
	uint64_t maps_reread;		/* ... of those, for an address no
					 * known mapping covered */
	uint64_t build_id_mismatch;	/* files that changed since mapped */
	uint64_t freed;			/* exited processes dropped */
	uint64_t unwinds, unwind_short;	/* DWARF unwinds; those with 1 frame */
	uint64_t dwfl_built;		/* per-process Dwfl (re)built */
};

struct fg_livesym;

struct fg_livesym *fg_livesym__new(const struct fg_livesym_opts *o);
void fg_livesym__delete(struct fg_livesym *s);

/*
 * Close every binary and root directory read so far (they are opened again
 * when needed): continuous profiling calls it each window, so containers
 * that come and go do not pile up.
 */
void fg_livesym__drop_files(struct fg_livesym *s);

/* Use another fg_jit from now on (continuous profiling renews it). */
void fg_livesym__set_jit(struct fg_livesym *s, struct fg_jit *jit);

/*
 * Side band, in time order with the samples (fg_live__drain merges the
 * CPUs' rings): every executable mapping made after a process's maps were
 * read or inherited arrives as an MMAP2 record before the samples in it,
 * so an address no mapping covers is not code and /proc/PID/maps is not
 * read again for it, unless records were lost (fg_livesym__records_lost).
 * 0 or -ENOMEM.
 */
int fg_livesym__comm(struct fg_livesym *s, uint32_t pid, uint32_t tid,
		     const char *comm, bool exec);
int fg_livesym__mmap(struct fg_livesym *s, const struct fg_live_mmap *m);
int fg_livesym__fork(struct fg_livesym *s, uint32_t pid, uint32_t ppid,
		     uint32_t tid);
int fg_livesym__exit(struct fg_livesym *s, uint32_t pid, uint32_t tid);
/*
 * Forget processes and threads that exited before the previous call
 * (records of a drain may still name them until the next one). Bounds
 * memory for continuous profiling.
 */
void fg_livesym__gc(struct fg_livesym *s);

/*
 * The kernel dropped records (LOST): an MMAP2 record may be missing, so
 * from now on an address no mapping covers makes /proc/PID/maps be read
 * again (at most every 50 ms, backing off to 3.2 s while nothing is found).
 */
void fg_livesym__records_lost(struct fg_livesym *s);

/* Thread name ("swapper" for pid 0); read from /proc at first sight. */
const char *fg_livesym__thread_comm(struct fg_livesym *s, uint32_t pid,
				    uint32_t tid);
/*
 * A number that changes when pid runs a new program (exec) or is reused:
 * part of any cache key over (pid, address).
 */
uint32_t fg_livesym__generation(struct fg_livesym *s, uint32_t pid);

/* Resolve addr of process pid (kernel: a kernel address). Never fails:
 * out->kind says how far it got. */
void fg_livesym__resolve(struct fg_livesym *s, uint32_t pid, uint64_t time,
			 uint64_t addr, bool kernel,
			 struct fg_livesym_frame *out);

/*
 * x86_64 user registers as PERF_SAMPLE_REGS_USER gives them for
 * FG_LIVESYM_REGS_MASK (what perf record --call-graph dwarf asks): 20 values
 * in perf_regs order, AX BX CX DX SI DI BP SP IP FLAGS CS SS R8..R15.
 */
#define FG_LIVESYM_REGS_MASK	0xff0fffull
#define FG_LIVESYM_NR_REGS	20

/*
 * Unwind the user stack of a sample with libdw (dwfl_getthread_frames):
 * regs as above, stack the copy of the user stack from the sampled SP.
 * Frame addresses, leaf first, into ips (callers as return address - 1,
 * as perf's libdw unwinder gives them). Memory outside the stack copy is
 * read from the process's mapped ELF files (opened through its root),
 * never from the process. One Dwfl per process, cached until its
 * mappings change. Returns the number of frames (>= 1 when regs has a
 * user IP), or -errno.
 */
int fg_livesym__unwind(struct fg_livesym *s, uint32_t pid, uint32_t tid,
		       const uint64_t *regs, const void *stack,
		       size_t stack_size, uint64_t *ips, size_t max);

const struct fg_livesym_stats *fg_livesym__stats(const struct fg_livesym *s);

#endif /* FLAME_LIVESYM_H */
