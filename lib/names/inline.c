// SPDX-License-Identifier: GPL-2.0
/*
 * --inline: the functions inlined at a frame's address, from the DWARF of
 * the frame's dso, read with libdw (what addr2line -i -f shows; no process
 * is spawned). Addresses come from the symbol and offset perf printed
 * (SYM+0xOFF), which work for executables and shared objects alike; the
 * printed address is the fallback.
 */
#include <dwarf.h>
#include <elfutils/libdw.h>
#include <elfutils/libdwfl.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <flame/collapse.h>
#include "internal.h"
#include <flame/inline.h>

struct inl_sym {
	char *name;
	uint64_t addr;
};

struct inl_mod {
	char *path;
	Dwfl *dwfl;
	Dwfl_Module *mod;	/* NULL: unusable */
	struct inl_sym *syms;	/* sorted by name */
	size_t nr_syms;
};

struct fg_inline {
	bool context;
	struct fg_strtab *paths;	/* dso path -> index into mods */
	struct inl_mod *mods;
	size_t nr_mods, alloc;
};

static const Dwfl_Callbacks offline_cb = {
	.find_debuginfo = dwfl_standard_find_debuginfo,
	.section_address = dwfl_offline_section_address,
};

struct fg_inline *fg_inline__new(bool context)
{
	struct fg_inline *in = calloc(1, sizeof(*in));

	if (!in)
		return NULL;
	in->context = context;
	in->paths = fg_strtab__new();
	if (!in->paths) {
		free(in);
		return NULL;
	}
	return in;
}

void fg_inline__delete(struct fg_inline *in)
{
	size_t i, j;

	if (!in)
		return;
	for (i = 0; i < in->nr_mods; i++) {
		struct inl_mod *m = &in->mods[i];

		for (j = 0; j < m->nr_syms; j++)
			free(m->syms[j].name);
		free(m->syms);
		if (m->dwfl)
			dwfl_end(m->dwfl);
		free(m->path);
	}
	free(in->mods);
	fg_strtab__delete(in->paths);
	free(in);
}

static int sym_cmp(const void *a, const void *b)
{
	return strcmp(((const struct inl_sym *)a)->name,
		      ((const struct inl_sym *)b)->name);
}

static void load_syms(struct inl_mod *m)
{
	int n = dwfl_module_getsymtab(m->mod), i;
	size_t k = 0;

	if (n <= 0)
		return;
	m->syms = calloc(n, sizeof(*m->syms));
	if (!m->syms)
		return;
	for (i = 0; i < n; i++) {
		GElf_Sym sym;
		GElf_Addr addr;
		const char *name = dwfl_module_getsym_info(m->mod, i, &sym, &addr,
							   NULL, NULL, NULL);

		if (!name || !*name || GELF_ST_TYPE(sym.st_info) != STT_FUNC ||
		    sym.st_shndx == SHN_UNDEF)
			continue;
		m->syms[k].name = strdup(name);
		if (!m->syms[k].name)
			break;
		m->syms[k++].addr = addr;
	}
	m->nr_syms = k;
	qsort(m->syms, k, sizeof(*m->syms), sym_cmp);
}

static struct inl_mod *get_mod(struct fg_inline *in, const char *dso,
			       size_t dlen)
{
	struct inl_mod *m;
	struct stat st;
	uint32_t id;
	int fd;

	/* hashed: a profile can name tens of thousands of dsos */
	id = fg_strtab__intern(in->paths, dso, dlen);
	if (id == UINT32_MAX)
		return NULL;
	if (id < in->nr_mods)
		return &in->mods[id];
	if (fg_grow(&in->mods, &in->alloc, in->nr_mods, sizeof(*in->mods), 64))
		return NULL;
	m = &in->mods[in->nr_mods];
	memset(m, 0, sizeof(*m));
	m->path = strndup(dso, dlen);
	if (!m->path)
		return NULL;
	in->nr_mods++;
	/* a regular file only: never block on a FIFO named in the input */
	fd = open(m->path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
	if (fd < 0)
		return m;
	if (fstat(fd, &st) || !S_ISREG(st.st_mode)) {
		close(fd);
		return m;
	}
	m->dwfl = dwfl_begin(&offline_cb);
	if (!m->dwfl) {
		close(fd);
		return m;
	}
	/* dwfl takes the fd */
	m->mod = dwfl_report_offline(m->dwfl, m->path, m->path, fd);
	dwfl_report_end(m->dwfl, NULL, NULL);
	if (m->mod)
		load_syms(m);
	return m;
}

static bool find_sym(struct inl_mod *m, const char *sym, size_t slen,
		     uint64_t *addr)
{
	size_t lo = 0, hi = m->nr_syms;
	char key[512];

	if (slen >= sizeof(key))
		return false;
	memcpy(key, sym, slen);
	key[slen] = '\0';
	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		int c = strcmp(m->syms[mid].name, key);

		if (!c) {
			*addr = m->syms[mid].addr;
			return true;
		}
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return false;
}

static const char *die_name(Dwarf_Die *die, struct fg_buf *tmp)
{
	Dwarf_Attribute attr;
	const char *name = NULL;

	if (dwarf_attr_integrate(die, DW_AT_linkage_name, &attr) ||
	    dwarf_attr_integrate(die, DW_AT_MIPS_linkage_name, &attr)) {
		name = dwarf_formstring(&attr);
		if (name) {
			fg_buf__reset(tmp);
			if (!fg_demangle(tmp, name, strlen(name)))
				return tmp->buf;
		}
	}
	if (dwarf_attr_integrate(die, DW_AT_name, &attr))
		name = dwarf_formstring(&attr);
	return name;
}

static const char *base_name(const char *path)
{
	const char *s = strrchr(path, '/');

	return s ? s + 1 : path;
}

static void add_context(struct fg_buf *out, const char *file, int line)
{
	fg_buf__addf(out, ":%s:%d", file ? base_name(file) : "??", line);
}

int fg_inline__lookup(struct fg_inline *in, const char *pc, size_t pclen,
		      const char *sym, size_t slen, const char *dso,
		      size_t dlen, struct fg_buf *out)
{
	Dwarf_Die *cudie, *scopes = NULL;
	struct fg_buf tmp = FG_BUF_INIT;
	struct inl_mod *m;
	Dwarf_Addr bias, addr = 0;
	const char *plus;
	char *endp;
	int n, i, nfunc = 0;
	int *idx = NULL;

	/* perl's rule: not for perf maps, kernel or bracketed dsos */
	if (!dlen || dso[0] != '/' || memmem(dso, dlen, "kernel.", 7) ||
	    memmem(dso, dlen, ".map", 4))
		return 0;
	m = get_mod(in, dso, dlen);
	if (!m)
		return -ENOMEM;
	if (!m->mod)
		return 0;
	/* sym may still carry "+0x..": fg_collapse strips it, so use pc and the
	 * symbol table's idea of the function start when possible */
	plus = memmem(sym, slen, "+0x", 3);
	if (plus && find_sym(m, sym, plus - sym, &addr)) {
		addr += strtoull(plus + 3, &endp, 16);
	} else {
		char buf[32];

		if (pclen >= sizeof(buf))
			return 0;
		memcpy(buf, pc, pclen);
		buf[pclen] = '\0';
		addr = strtoull(buf, &endp, 16);
		if (*endp)
			return 0;
		/* perf prints dso-relative addresses: add the module base */
		{
			Dwarf_Addr lo;

			dwfl_module_info(m->mod, NULL, &lo, NULL, NULL, NULL,
					 NULL, NULL);
			if (!dwfl_module_addrdie(m->mod, addr, &bias))
				addr += lo;
		}
	}
	cudie = dwfl_module_addrdie(m->mod, addr, &bias);
	if (!cudie)
		return 0;
	n = dwarf_getscopes(cudie, addr - bias, &scopes);
	if (n <= 0)
		return 0;
	/*
	 * dwarf_getscopes() continues from an inlined instance to the scopes
	 * of its abstract definition, which drops the function it was inlined
	 * into; the DIE's own parents give the containing chain (as
	 * eu-addr2line -i does).
	 */
	{
		Dwarf_Die inner = scopes[0], *phys = NULL;
		int pn = dwarf_getscopes_die(&inner, &phys);

		if (pn > 0) {
			free(scopes);
			scopes = phys;
			n = pn;
		} else {
			free(phys);
		}
	}
	idx = calloc(n, sizeof(*idx));
	if (!idx) {
		free(scopes);
		return -ENOMEM;
	}
	for (i = 0; i < n; i++) {
		int tag = dwarf_tag(&scopes[i]);

		if (tag == DW_TAG_subprogram || tag == DW_TAG_inlined_subroutine)
			idx[nfunc++] = i;
		if (tag == DW_TAG_subprogram)
			break;
	}
	/* outermost first */
	for (i = nfunc - 1; i >= 0; i--) {
		const char *name = die_name(&scopes[idx[i]], &tmp);

		if (out->len)
			fg_buf__addch(out, ';');
		fg_buf__adds(out, name ? name : "??");
		if (!in->context)
			continue;
		if (i == 0) {
			Dwfl_Line *l = dwfl_module_getsrc(m->mod, addr);
			int line = 0;
			const char *file = l ? dwfl_lineinfo(l, NULL, &line, NULL,
							     NULL, NULL) : NULL;

			add_context(out, file, line);
		} else {
			/* the call site of the function inlined into this one */
			Dwarf_Die *inner = &scopes[idx[i - 1]];
			Dwarf_Attribute attr;
			Dwarf_Word cl = 0, cf = 0;
			Dwarf_Files *files;
			const char *file = NULL;

			if (dwarf_formudata(dwarf_attr(inner, DW_AT_call_line, &attr), &cl))
				cl = 0;
			if (!dwarf_formudata(dwarf_attr(inner, DW_AT_call_file, &attr), &cf) &&
			    !dwarf_getsrcfiles(cudie, &files, NULL))
				file = dwarf_filesrc(files, cf, NULL, NULL);
			add_context(out, file, (int)cl);
		}
	}
	free(idx);
	free(scopes);
	fg_buf__release(&tmp);
	return out->len ? 1 : 0;
}
