/* SPDX-License-Identifier: GPL-2.0 */
/* Block access to struct fg_reader (lib/input/reader.c) for fast parsers. */
#ifndef FLAME_LIB_READER_H
#define FLAME_LIB_READER_H

#include <flame/flame.h>

/*
 * Hand out the next block of whole lines: at least min bytes when the input
 * has them (capped at a few MiB), ending right after a '\n' or at the end of
 * the input (last line without newline). The block is not NUL terminated and
 * stays valid until the next call on r. Lines in a block are not counted:
 * the caller adds them with fg_reader__add_lines() so lineno stays right.
 * Returns 1 = block, 0 = end, -errno (truncated gzip: -EIO, after every
 * complete line was handed out).
 */
int fg_reader__block(struct fg_reader *r, size_t min, const char **data,
		     size_t *len);
void fg_reader__add_lines(struct fg_reader *r, uint64_t n);

#endif
