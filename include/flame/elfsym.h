/* SPDX-License-Identifier: GPL-2.0 */
/*
 * ELF symbol lookup by file offset, for profiles that carry their own
 * memory maps (gperftools) and for live processes (flame profile). Symbols
 * come from .symtab, else the separate debug file (.build-id path or
 * .gnu_debuglink), else .dynsym (libelf).
 *
 * A process map entry "start-end perms offset ... path" turns a runtime
 * address into a file offset (addr - start + offset); the resolver turns
 * that offset into a virtual address with the PT_LOAD headers, which takes
 * care of PIE and shared-library load bias without knowing it.
 */
#ifndef FLAME_ELFSYM_H
#define FLAME_ELFSYM_H

#include <stddef.h>
#include <stdint.h>

struct fg_elfsym;

/*
 * root: NULL for the caller's root, else a directory (e.g. /proc/PID/root)
 * under which every path is resolved with RESOLVE_IN_ROOT: a container's
 * symlinks never escape to the host. The resolver owns its caches.
 */
struct fg_elfsym *fg_elfsym__new(const char *root);
void fg_elfsym__delete(struct fg_elfsym *s);

/*
 * Symbol containing file offset file_off of the binary at path: returns the
 * name (valid until fg_elfsym__delete) or NULL when the file cannot be read
 * or no symbol covers it. *sym_off (may be NULL) gets the offset into it.
 * A binary that cannot be opened is reported once (pr_warn) and remembered.
 */
const char *fg_elfsym__resolve(struct fg_elfsym *s, const char *path,
			       uint64_t file_off, uint64_t *sym_off);

/*
 * NT_GNU_BUILD_ID of the binary at path (opened as for resolve): 0 and
 * *id / *len (valid until fg_elfsym__delete), -ENODATA when the file has
 * none, -ENOENT when it cannot be read.
 */
int fg_elfsym__build_id(struct fg_elfsym *s, const char *path,
			const uint8_t **id, size_t *len);

/*
 * NT_GNU_BUILD_ID of the ELF file open on fd (read with pread, never
 * mmap): 0 and id[0..*len), -ENODATA when it has none, -EINVAL when fd is
 * not ELF.
 */
int fg_elf__build_id_fd(int fd, uint8_t id[20], size_t *len);

/* Number of binaries opened successfully / failed so far. */
/*
 * Open path (a regular file of bounded size) read-only through the root,
 * as the resolver does: a new fd, or -errno.
 */
int fg_elfsym__open(const struct fg_elfsym *s, const char *path);
unsigned int fg_elfsym__nr_opened(const struct fg_elfsym *s);
unsigned int fg_elfsym__nr_failed(const struct fg_elfsym *s);

#endif
