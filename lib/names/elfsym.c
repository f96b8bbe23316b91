// SPDX-License-Identifier: GPL-2.0
/*
 * ELF symbols by file offset (see include/flame/elfsym.h).
 *
 * Each binary is opened once: its PT_LOAD headers map file offsets to
 * virtual addresses, and its function symbols (.symtab, else .dynsym) are
 * copied into one sorted array so libelf can be closed right away.
 */
#include <errno.h>
#include <fcntl.h>
#include <gelf.h>
#include <libelf.h>
#include <limits.h>
#include <linux/openat2.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <flame/elfsym.h>
#include "internal.h"

#define ELFSYM_MAX_FILE		(4ULL << 30)	/* larger binaries are refused */
#define ELFSYM_MAX_SYMS		(8u << 20)

struct load_seg {
	uint64_t off;
	uint64_t filesz;
	uint64_t vaddr;
};

struct sym {
	uint64_t addr;
	uint64_t end;		/* exclusive */
	uint32_t name;		/* offset in dso->names */
	uint8_t global;
};

struct dso {
	char *path;
	bool failed;
	struct load_seg *segs;
	size_t nr_segs;
	struct sym *syms;
	size_t nr_syms;
	struct fg_buf names;
	uint8_t build_id[20];
	uint8_t build_id_size;
};

struct fg_elfsym {
	int root_fd;		/* -1: the caller's root */
	struct dso *dsos;
	size_t nr_dsos, alloc_dsos;
	size_t last;		/* index of the last dso used */
	unsigned int nr_opened, nr_failed;
};

struct fg_elfsym *fg_elfsym__new(const char *root)
{
	struct fg_elfsym *s = calloc(1, sizeof(*s));

	if (!s)
		return NULL;
	s->root_fd = -1;
	if (root && strcmp(root, "/") != 0) {
		s->root_fd = open(root, O_PATH | O_DIRECTORY | O_CLOEXEC);
		if (s->root_fd < 0) {
			int err = errno;

			free(s);
			errno = err;
			return NULL;
		}
	}
	if (elf_version(EV_CURRENT) == EV_NONE) {
		if (s->root_fd >= 0)
			close(s->root_fd);
		free(s);
		errno = ENOSYS;
		return NULL;
	}
	return s;
}

static void dso__release(struct dso *d)
{
	free(d->path);
	free(d->segs);
	free(d->syms);
	fg_buf__release(&d->names);
}

void fg_elfsym__delete(struct fg_elfsym *s)
{
	size_t i;

	if (!s)
		return;
	for (i = 0; i < s->nr_dsos; i++)
		dso__release(&s->dsos[i]);
	free(s->dsos);
	if (s->root_fd >= 0)
		close(s->root_fd);
	free(s);
}

unsigned int fg_elfsym__nr_opened(const struct fg_elfsym *s)
{
	return s->nr_opened;
}

unsigned int fg_elfsym__nr_failed(const struct fg_elfsym *s)
{
	return s->nr_failed;
}

/* Open path read-only, never blocking, never escaping root. */
static int open_binary(const struct fg_elfsym *s, const char *path)
{
	struct open_how how = {
		.flags = O_RDONLY | O_NONBLOCK | O_CLOEXEC | O_NOCTTY,
		.resolve = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS,
	};
	struct stat st;
	int fd;

	if (s->root_fd < 0) {
		fd = open(path, (int)how.flags);
	} else {
		while (*path == '/')
			path++;
		fd = (int)syscall(SYS_openat2, s->root_fd, path, &how,
				  sizeof(how));
	}
	if (fd < 0)
		return -errno;
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode) ||
	    (uint64_t)st.st_size > ELFSYM_MAX_FILE) {
		close(fd);
		return -EINVAL;
	}
	return fd;
}

int fg_elfsym__open(const struct fg_elfsym *s, const char *path)
{
	return open_binary(s, path);
}

static int sym_cmp(const void *a, const void *b)
{
	const struct sym *x = a, *y = b;

	if (x->addr != y->addr)
		return x->addr < y->addr ? -1 : 1;
	if (x->global != y->global)
		return x->global ? -1 : 1;
	/* larger first, so a sized symbol wins over a zero-sized alias */
	if (x->end != y->end)
		return x->end > y->end ? -1 : 1;
	return 0;
}

static int load_symtab(struct dso *d, Elf *elf, Elf_Scn *scn, GElf_Shdr *sh)
{
	Elf_Data *data = elf_getdata(scn, NULL);
	size_t i, n, alloc = 0;

	if (!data || !sh->sh_entsize)
		return 0;
	n = sh->sh_size / sh->sh_entsize;
	/* room for every name at once: no copy on each growth */
	{
		GElf_Shdr strsh;
		Elf_Scn *str = elf_getscn(elf, sh->sh_link);

		if (str && gelf_getshdr(str, &strsh) &&
		    strsh.sh_size < UINT32_MAX - 4096 &&
		    fg_buf__grow(&d->names, strsh.sh_size))
			return -ENOMEM;
	}
	for (i = 0; i < n; i++) {
		GElf_Sym sym;
		const char *name;
		int type;
		struct sym *e;

		if (!gelf_getsym(data, (int)i, &sym))
			break;
		type = GELF_ST_TYPE(sym.st_info);
		if ((type != STT_FUNC && type != STT_GNU_IFUNC) ||
		    sym.st_shndx == SHN_UNDEF || !sym.st_value)
			continue;
		name = elf_strptr(elf, sh->sh_link, sym.st_name);
		if (!name || !*name)
			continue;
		if (d->nr_syms >= ELFSYM_MAX_SYMS)
			break;
		if (d->nr_syms == alloc) {
			size_t na = alloc ? alloc * 2 : 1024;
			void *t = realloc(d->syms, na * sizeof(*d->syms));

			if (!t)
				return -ENOMEM;
			d->syms = t;
			alloc = na;
		}
		e = &d->syms[d->nr_syms];
		e->addr = sym.st_value;
		e->end = sym.st_value + sym.st_size;
		e->global = GELF_ST_BIND(sym.st_info) != STB_LOCAL;
		if (d->names.len > UINT32_MAX - 4096)
			break;
		e->name = (uint32_t)d->names.len;
		if (fg_buf__add(&d->names, name, strlen(name) + 1))
			return -ENOMEM;
		d->nr_syms++;
	}
	return 0;
}

/* Sort, drop duplicates, give zero-sized symbols the room to the next. */
static void finish_syms(struct dso *d)
{
	size_t i, out = 0;

	if (!d->nr_syms)
		return;
	qsort(d->syms, d->nr_syms, sizeof(*d->syms), sym_cmp);
	for (i = 0; i < d->nr_syms; i++) {
		if (out && d->syms[out - 1].addr == d->syms[i].addr)
			continue;
		d->syms[out++] = d->syms[i];
	}
	d->nr_syms = out;
	for (i = 0; i < d->nr_syms; i++) {
		struct sym *e = &d->syms[i];

		if (e->end <= e->addr)
			e->end = i + 1 < d->nr_syms ? d->syms[i + 1].addr :
				 e->addr + 4096;
	}
}

/* NT_GNU_BUILD_ID of elf into d (first 20 bytes). */
static void read_build_id(Elf *elf, uint8_t *id, uint8_t *size)
{
	Elf_Scn *scn = NULL;

	*size = 0;
	while ((scn = elf_nextscn(elf, scn)) != NULL) {
		GElf_Shdr sh;
		Elf_Data *data;
		GElf_Nhdr nh;
		size_t off = 0, name_off, desc_off;

		if (!gelf_getshdr(scn, &sh) || sh.sh_type != SHT_NOTE)
			continue;
		data = elf_getdata(scn, NULL);
		if (!data)
			continue;
		while ((off = gelf_getnote(data, off, &nh, &name_off,
					   &desc_off)) > 0) {
			if (nh.n_type == NT_GNU_BUILD_ID && nh.n_namesz == 4 &&
			    !memcmp((char *)data->d_buf + name_off, "GNU", 4) &&
			    nh.n_descsz) {
				*size = nh.n_descsz > 20 ? 20 : (uint8_t)nh.n_descsz;
				memcpy(id, (char *)data->d_buf + desc_off, *size);
				return;
			}
		}
	}
}

/* Contents of .gnu_debuglink (the debug file's name), or NULL. */
static const char *debuglink(Elf *elf)
{
	Elf_Scn *scn = NULL;
	size_t shstrndx;

	if (elf_getshdrstrndx(elf, &shstrndx))
		return NULL;
	while ((scn = elf_nextscn(elf, scn)) != NULL) {
		GElf_Shdr sh;
		const char *name;
		Elf_Data *data;

		if (!gelf_getshdr(scn, &sh))
			continue;
		name = elf_strptr(elf, shstrndx, sh.sh_name);
		if (!name || strcmp(name, ".gnu_debuglink"))
			continue;
		data = elf_getdata(scn, NULL);
		if (!data || !data->d_size ||
		    !memchr(data->d_buf, '\0', data->d_size))
			return NULL;
		return data->d_buf;
	}
	return NULL;
}

/*
 * Symbols from the separate debug file, as gdb and perf look for it:
 * /usr/lib/debug/.build-id/xx/rest.debug, then the .gnu_debuglink name
 * next to the binary, in its .debug/ and under /usr/lib/debug (all inside
 * the same root). A debug file with another build id is not used.
 */
static int load_debug_file(const struct fg_elfsym *s, struct dso *d,
			   const char *link)
{
	char cand[4][PATH_MAX];
	const char *slash = strrchr(d->path, '/');
	int dir_len = slash ? (int)(slash - d->path) : 0;
	size_t n = 0, i, k;
	int ret = -ENOENT;

	if (d->build_id_size) {
		int o = snprintf(cand[n], sizeof(cand[n]),
				 "/usr/lib/debug/.build-id/%02x/", d->build_id[0]);

		for (k = 1; k < d->build_id_size && o < PATH_MAX - 3; k++)
			o += snprintf(cand[n] + o, sizeof(cand[n]) - o, "%02x",
				      d->build_id[k]);
		snprintf(cand[n] + o, sizeof(cand[n]) - o, ".debug");
		n++;
	}
	if (link && !strchr(link, '/')) {
		snprintf(cand[n++], PATH_MAX, "%.*s/%s", dir_len, d->path, link);
		snprintf(cand[n++], PATH_MAX, "%.*s/.debug/%s", dir_len,
			 d->path, link);
		snprintf(cand[n++], PATH_MAX, "/usr/lib/debug%.*s/%s", dir_len,
			 d->path, link);
	}
	for (i = 0; i < n && ret; i++) {
		Elf_Scn *scn = NULL;
		uint8_t id[20], id_size;
		Elf *elf;
		int fd;

		if (!strcmp(cand[i], d->path))
			continue;
		fd = open_binary(s, cand[i]);
		if (fd < 0)
			continue;
		elf = elf_begin(fd, ELF_C_READ, NULL);
		if (elf && elf_kind(elf) == ELF_K_ELF) {
			read_build_id(elf, id, &id_size);
			if (!d->build_id_size || (id_size == d->build_id_size &&
			    !memcmp(id, d->build_id, id_size))) {
				while ((scn = elf_nextscn(elf, scn)) != NULL) {
					GElf_Shdr sh;

					if (!gelf_getshdr(scn, &sh) ||
					    sh.sh_type != SHT_SYMTAB)
						continue;
					d->nr_syms = 0;
					fg_buf__reset(&d->names);
					ret = load_symtab(d, elf, scn, &sh);
					if (!ret && !d->nr_syms)
						ret = -ENOENT;
					break;
				}
			}
		}
		if (elf)
			elf_end(elf);
		close(fd);
	}
	return ret;
}

static int dso__load(struct fg_elfsym *s, struct dso *d)
{
	Elf_Scn *scn = NULL, *dynsym = NULL;
	GElf_Shdr dynsh;
	size_t i, nph;
	bool have_symtab = false;
	int fd, err = 0;
	Elf *elf;

	fd = open_binary(s, d->path);
	if (fd < 0)
		return fd;
	elf = elf_begin(fd, ELF_C_READ, NULL);
	if (!elf || elf_kind(elf) != ELF_K_ELF) {
		err = -ENOEXEC;
		goto out_elf;
	}
	if (elf_getphdrnum(elf, &nph) < 0) {
		err = -ENOEXEC;
		goto out_elf;
	}
	for (i = 0; i < nph; i++) {
		GElf_Phdr ph;
		void *t;

		if (!gelf_getphdr(elf, (int)i, &ph) || ph.p_type != PT_LOAD)
			continue;
		t = realloc(d->segs, (d->nr_segs + 1) * sizeof(*d->segs));
		if (!t) {
			err = -ENOMEM;
			goto out_elf;
		}
		d->segs = t;
		d->segs[d->nr_segs++] = (struct load_seg){
			.off = ph.p_offset,
			.filesz = ph.p_filesz,
			.vaddr = ph.p_vaddr,
		};
	}
	while ((scn = elf_nextscn(elf, scn)) != NULL) {
		GElf_Shdr sh;

		if (!gelf_getshdr(scn, &sh))
			continue;
		if (sh.sh_type == SHT_SYMTAB) {
			err = load_symtab(d, elf, scn, &sh);
			if (err)
				goto out_elf;
			have_symtab = true;
		} else if (sh.sh_type == SHT_DYNSYM) {
			dynsym = scn;
			dynsh = sh;
		}
	}
	read_build_id(elf, d->build_id, &d->build_id_size);
	/* A stripped binary: its debug file, else .dynsym (a stripped
	 * .symtab may exist yet hold no functions). */
	if ((!have_symtab || !d->nr_syms) &&
	    load_debug_file(s, d, debuglink(elf)) && dynsym) {
		d->nr_syms = 0;
		fg_buf__reset(&d->names);
		err = load_symtab(d, elf, dynsym, &dynsh);
	}
	finish_syms(d);
out_elf:
	if (elf)
		elf_end(elf);
	close(fd);
	return err;
}

static struct dso *find_dso(struct fg_elfsym *s, const char *path)
{
	struct dso *d;
	size_t i;
	int err;

	if (s->last < s->nr_dsos && !strcmp(s->dsos[s->last].path, path))
		return &s->dsos[s->last];
	for (i = 0; i < s->nr_dsos; i++) {
		if (!strcmp(s->dsos[i].path, path)) {
			s->last = i;
			return &s->dsos[i];
		}
	}
	if (fg_grow(&s->dsos, &s->alloc_dsos, s->nr_dsos, sizeof(*s->dsos), 16))
		return NULL;
	d = &s->dsos[s->nr_dsos];
	memset(d, 0, sizeof(*d));
	d->path = strdup(path);
	if (!d->path)
		return NULL;
	s->last = s->nr_dsos++;
	err = dso__load(s, d);
	if (err) {
		pr_warn("cannot read symbols of %s: %s\n", path,
			strerror(-err));
		d->failed = true;
		s->nr_failed++;
	} else {
		s->nr_opened++;
	}
	return d;
}

int fg_elfsym__build_id(struct fg_elfsym *s, const char *path,
			const uint8_t **id, size_t *len)
{
	struct dso *d = find_dso(s, path);

	if (!d || d->failed)
		return -ENOENT;
	if (!d->build_id_size)
		return -ENODATA;
	*id = d->build_id;
	*len = d->build_id_size;
	return 0;
}

int fg_elf__build_id_fd(int fd, uint8_t id[20], size_t *len)
{
	uint8_t size = 0;
	Elf *elf;

	if (elf_version(EV_CURRENT) == EV_NONE)
		return -EINVAL;
	elf = elf_begin(fd, ELF_C_READ, NULL);
	if (!elf)
		return -EINVAL;
	if (elf_kind(elf) != ELF_K_ELF) {
		elf_end(elf);
		return -EINVAL;
	}
	read_build_id(elf, id, &size);
	elf_end(elf);
	*len = size;
	return size ? 0 : -ENODATA;
}

const char *fg_elfsym__resolve(struct fg_elfsym *s, const char *path,
			       uint64_t file_off, uint64_t *sym_off)
{
	struct dso *d = find_dso(s, path);
	uint64_t vaddr = 0;
	size_t i, lo, hi;
	bool mapped = false;

	if (!d || d->failed || !d->nr_syms)
		return NULL;
	for (i = 0; i < d->nr_segs; i++) {
		const struct load_seg *g = &d->segs[i];

		if (file_off >= g->off && file_off - g->off < g->filesz) {
			vaddr = file_off - g->off + g->vaddr;
			mapped = true;
			break;
		}
	}
	if (!mapped)
		return NULL;
	/* last symbol with addr <= vaddr */
	lo = 0;
	hi = d->nr_syms;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (d->syms[mid].addr <= vaddr)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (!lo)
		return NULL;
	i = lo - 1;
	if (vaddr >= d->syms[i].end)
		return NULL;
	if (sym_off)
		*sym_off = vaddr - d->syms[i].addr;
	return d->names.buf + d->syms[i].name;
}
