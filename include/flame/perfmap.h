/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The perf-map parser (lib/names/perfmap.c): the grammar and limits of a
 * JIT's /tmp/perf-PID.map. The JIT symbol source (lib/names/jit.c) loads
 * maps with it; lib/containers checks a map line by it before copying it
 * into a snapshot (snapshot.c) and bounds reads by its size limit
 * (safefile.c). The CLI re-emits a map through fg_perfmap__canonical()
 * (<flame/jit.h>). See docs/containers.md.
 */
#ifndef FLAME_PERFMAP_H
#define FLAME_PERFMAP_H

#include <stdbool.h>
#include <stdint.h>
#include <flame/flame.h>

/* ---- perf maps ---------------------------------------------------------- */

/*
 * Grammar, one entry a line ("\n" ends a line, one trailing "\r" is dropped):
 *	line  = START " " SIZE " " NAME
 *	START = ["0x" / "0X"] 1*16 HEXDIG	(no sign, no spaces)
 *	SIZE  = ["0x" / "0X"] 1*16 HEXDIG	(START + SIZE must not overflow)
 *	NAME  = 1*(any byte but NUL and LF), at most FG_PERFMAP_MAX_LINE in all
 * This is what perf accepts (strtoull base 16 for both numbers, the name to
 * the end of the line) minus what no runtime writes: signs, leading or
 * doubled blanks, tabs. Writers: node --perf-basic-prof and perf-map-agent
 * "7f2d8c01b8a0 180 LazyCompile:*f a.js:1"; the JDK (Compiler.perfmap,
 * -XX:+DumpPerfMapAtExit) "0x00007fdd30ec7600 0x00000000000000b8 long
 * Hot.work(long)"; Erlang/OTP BeamAsm "0x7f87fdce0000 68 $global::x"; .NET
 * "00007FFA1B2C3D40 2A instance void [Lib] C::M()[Optimized]"; CPython 3.12
 * "7f7c5a4b1000 b py::f:/x.py"; LuaJIT, wasmtime lower-case hex.
 * SIZE 0 covers no address: such a line is well-formed but not kept
 * (fg_perfmap__parse_line() returns -ENODATA, counted in stats.empty).
 * Duplicates and overlaps: the entry that comes later in the file wins for
 * the addresses it covers (runtimes append as they recompile).
 */
#define FG_PERFMAP_MAX_LINE	4096u
#define FG_PERFMAP_MAX_ENTRIES	(4u << 20)
#define FG_PERFMAP_MAX_BYTES	(256ull << 20)

struct fg_perfmap_stats {
	uint64_t lines;		/* lines seen */
	uint64_t entries;	/* entries kept */
	uint64_t bad;		/* lines rejected by the grammar */
	uint64_t too_long;	/* of those, over FG_PERFMAP_MAX_LINE */
	uint64_t first_bad;	/* line number of the first rejected line */
	uint64_t empty;		/* well-formed lines of SIZE 0 (not kept) */
	uint64_t dropped;	/* entries over FG_PERFMAP_MAX_ENTRIES */
	bool partial_line;	/* data did not end with "\n" (ignored tail) */
};

struct fg_perfmap;

struct fg_perfmap *fg_perfmap__new(void);
void fg_perfmap__delete(struct fg_perfmap *m);

/* 0 when line (no "\n") follows the grammar, -ENODATA when it does with
 * SIZE 0, -EINVAL otherwise. name points into line. */
int fg_perfmap__parse_line(const char *line, size_t len, uint64_t *start,
			   uint64_t *size, const char **name, size_t *name_len);
/*
 * Parse complete lines of data (a trailing line without "\n" is ignored
 * and reported in st->partial_line). Names are copied. st accumulates.
 */
int fg_perfmap__load(struct fg_perfmap *m, const char *data, size_t len,
		     struct fg_perfmap_stats *st);
int fg_perfmap__add(struct fg_perfmap *m, uint64_t start, uint64_t size,
		    const char *name, size_t name_len);
/* Build the lookup index; needed after adds, before lookups. */
int fg_perfmap__finish(struct fg_perfmap *m);
/* Name covering addr or NULL (NUL terminated, lives with m). */
const char *fg_perfmap__lookup(const struct fg_perfmap *m, uint64_t addr);
size_t fg_perfmap__nr_entries(const struct fg_perfmap *m);
/* Bytes of memory held (names, entries, index). */
size_t fg_perfmap__mem(const struct fg_perfmap *m);

/* ---- perf map files ----------------------------------------------------- */

/*
 * The pid of a perf map's file name, the len bytes at name: "perf-" PID
 * ".map", PID decimal digits only, 1..INT_MAX (what perf opens:
 * /tmp/perf-%d.map). -1 for any other name. The one rule: the namer's JIT
 * classification, the snapshot's /tmp listing and jit.c's left-over roots.
 */
int fg_perfmap__file_pid(const char *name, size_t len);
/*
 * fn(arg, pid) for each perf map file name in the directory rel under dirfd
 * (not followed when a symlink), in directory order, until fn returns
 * non-zero: that value; 0 when all were seen, -errno when the directory
 * cannot be read.
 */
int fg_perfmap__scan_dir(int dirfd, const char *rel,
			 int (*fn)(void *arg, int pid), void *arg);

#endif /* FLAME_PERFMAP_H */
