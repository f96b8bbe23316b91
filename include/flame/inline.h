/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Inlined frames from a DSO's DWARF (lib/names/inline.c, libdw): how the
 * text collapser's --inline expands a frame. One cache of opened DSOs per
 * fg_inline; not thread-safe.
 */
#ifndef FLAME_INLINE_H
#define FLAME_INLINE_H

#include <stdbool.h>
#include <stddef.h>
#include <flame/flame.h>

struct fg_inline;

/* context: name frames "func:file:line". NULL with errno on failure. */
struct fg_inline *fg_inline__new(bool context);
/* NULL is a no-op. */
void fg_inline__delete(struct fg_inline *in);
/*
 * Inlined frames at pc (hex text) in dso, as "outer;...;inner" appended to
 * out (the function containing pc last). 1 = names, 0 = none known, -errno.
 */
int fg_inline__lookup(struct fg_inline *in, const char *pc, size_t pclen,
		      const char *sym, size_t slen, const char *dso,
		      size_t dlen, struct fg_buf *out);

#endif /* FLAME_INLINE_H */
