// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer target: the snapshot index (<perf.data>.maps/index, written by
 * flame record but read from a directory anyone may have edited) through
 * fg_snapidx__load() and its lookups.
 */
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <flame/containers.h>

static char dir[] = "/tmp/fuzz_snapidx.XXXXXX";
static char path[64];

static int quiet(enum fg_print_level l, const char *fmt, va_list ap)
{
	return 0;
}

static void cleanup(void)
{
	unlink(path);
	rmdir(dir);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const struct fg_snap_entry *e;
	struct fg_snapidx *x;
	size_t nr, i;
	int fd;

	fg_set_print(quiet);
	if (!path[0]) {
		if (!mkdtemp(dir))
			abort();
		snprintf(path, sizeof(path), "%s/index", dir);
		atexit(cleanup);
	}
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (fd < 0)
		abort();
	if (write(fd, data, size) != (ssize_t)size)
		abort();
	close(fd);
	x = fg_snapidx__load(dir);
	if (!x)
		return 0;
	for (i = 0; i < x->nr; i++) {
		e = fg_snapidx__find(x, x->e[i].pid, &nr);
		if (!e || !nr)
			abort();	/* a loaded pid must be found */
		(void)strlen(e->map);
		(void)strlen(e->comm);
	}
	for (i = 0; i < x->nr_cg; i++)
		if (!fg_snapidx__cgroup(x, x->cg[i].ino))
			abort();
	(void)fg_snapidx__find(x, 1, &nr);
	(void)fg_snapidx__cgroup(x, 0);
	fg_snapidx__delete(x);
	return 0;
}
