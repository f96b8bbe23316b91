// SPDX-License-Identifier: GPL-2.0
/*
 * Demangling of Itanium C++ and Rust symbols through Debian's libiberty
 * (libiberty-dev: the demangler of binutils and GCC, which also handles
 * Rust legacy (_ZN...17h<hash>E, hash dropped) and v0 (_R) symbols).
 * Names come out as perf shows them: no parameter lists, no return types.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <libiberty/demangle.h>

#include <flame/collapse.h>

bool fg_demangle__is_mangled(const char *name, size_t len)
{
	if (len >= 3 && name[0] == '_' && name[1] == 'Z')
		return true;
	if (len >= 4 && name[0] == '_' && name[1] == '_' && name[2] == 'Z')
		return true;	/* Mach-O style extra underscore */
	if (len >= 3 && name[0] == '_' && name[1] == 'R' &&
	    ((name[2] >= 'A' && name[2] <= 'Z') || (name[2] >= '0' && name[2] <= '9')))
		return true;
	return false;
}

int fg_demangle(struct fg_buf *out, const char *name, size_t len)
{
	char small[512], *tmp = small, *res;
	int ret = -EINVAL;

	if (!fg_demangle__is_mangled(name, len))
		return -EINVAL;
	if (len >= sizeof(small)) {
		tmp = malloc(len + 1);
		if (!tmp)
			return -ENOMEM;
	}
	memcpy(tmp, name, len);
	tmp[len] = '\0';
	if (tmp[0] == '_' && tmp[1] == '_' && tmp[2] == 'Z')
		res = cplus_demangle(tmp + 1, DMGL_AUTO);
	else
		res = cplus_demangle(tmp, DMGL_AUTO);
	if (res) {
		ret = fg_buf__adds(out, res);
		free(res);
	}
	if (tmp != small)
		free(tmp);
	return ret;
}
