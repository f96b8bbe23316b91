// SPDX-License-Identifier: GPL-2.0
/*
 * flame bench: does a sidecar's executable keep frame pointers? Without
 * them, perf's frame-pointer call graphs stop at the first function of the
 * binary, and only DWARF unwinding (perf-oncpu-dwarf) shows its code paths.
 *
 * x86-64 only: the share of the binary's functions (its .symtab, else
 * .dynsym) whose code starts with "push %rbp; mov %rsp,%rbp" (55 48 89 e5),
 * after an optional endbr64 (f3 0f 1e fa). gcc -fno-omit-frame-pointer
 * gives that prologue to nearly every function; -O2 without it to few
 * (leaf and tiny functions aside).
 */
#include <errno.h>
#include <fcntl.h>
#include <gelf.h>
#include <libelf.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "bench.h"

#define FP_MAX_FUNCS	20000

static bool fp_prologue(const unsigned char *c)
{
	static const unsigned char endbr[4] = { 0xf3, 0x0f, 0x1e, 0xfa };
	static const unsigned char fp[4] = { 0x55, 0x48, 0x89, 0xe5 };

	if (!memcmp(c, endbr, 4))
		c += 4;
	return !memcmp(c, fp, 4);
}

static int scan(Elf *elf, int fd, Elf_Scn *symscn, int *with, int *total)
{
	Elf_Data *data = elf_getdata(symscn, NULL);
	GElf_Shdr sh;
	size_t i, n;

	if (!data || !gelf_getshdr(symscn, &sh) || !sh.sh_entsize)
		return -EINVAL;
	n = sh.sh_size / sh.sh_entsize;
	for (i = 0; i < n && *total < FP_MAX_FUNCS; i++) {
		unsigned char code[8];
		GElf_Shdr tsh;
		Elf_Scn *text;
		GElf_Sym sym;

		if (!gelf_getsym(data, (int)i, &sym) || GELF_ST_TYPE(sym.st_info) != STT_FUNC ||
		    sym.st_shndx == SHN_UNDEF || sym.st_shndx >= SHN_LORESERVE ||
		    sym.st_size < 8)
			continue;
		text = elf_getscn(elf, sym.st_shndx);
		if (!text || !gelf_getshdr(text, &tsh) || tsh.sh_type != SHT_PROGBITS ||
		    sym.st_value < tsh.sh_addr || sym.st_value + 8 > tsh.sh_addr + tsh.sh_size)
			continue;
		if (pread(fd, code, sizeof(code),
			  (off_t)(sym.st_value - tsh.sh_addr + tsh.sh_offset)) != sizeof(code))
			continue;
		(*total)++;
		*with += fp_prologue(code);
	}
	return 0;
}

int bench__frame_pointers(pid_t pid, int *with, int *total)
{
	Elf_Scn *scn = NULL, *symtab = NULL, *dynsym = NULL;
	char path[64];
	GElf_Ehdr eh;
	Elf *elf;
	int fd, err = 0;

	*with = *total = 0;
	snprintf(path, sizeof(path), "/proc/%d/exe", (int)pid);
	fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	elf_version(EV_CURRENT);
	elf = elf_begin(fd, ELF_C_READ_MMAP, NULL);
	if (!elf || !gelf_getehdr(elf, &eh)) {
		err = -ENOEXEC;
		goto out;
	}
	if (eh.e_machine != EM_X86_64) {
		err = -EOPNOTSUPP;
		goto out;
	}
	while ((scn = elf_nextscn(elf, scn)) != NULL) {
		GElf_Shdr sh;

		if (!gelf_getshdr(scn, &sh))
			continue;
		if (sh.sh_type == SHT_SYMTAB)
			symtab = scn;
		else if (sh.sh_type == SHT_DYNSYM)
			dynsym = scn;
	}
	if (symtab)
		err = scan(elf, fd, symtab, with, total);
	if (!*total && dynsym)
		err = scan(elf, fd, dynsym, with, total);
	if (!err && *total < 3)
		err = -ENODATA;		/* too few functions to tell */
out:
	if (elf)
		elf_end(elf);
	close(fd);
	return err;
}
