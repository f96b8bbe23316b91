// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer target: a container's /tmp/perf-PID.map (hostile bytes) through
 * the perf-map parser, the index and lookups at addresses taken from the
 * input; memory stays within what fg_perfmap__mem() says.
 */
#include <stdint.h>
#include <string.h>

#include <flame/containers.h>
#include <flame/perfmap.h>

static int quiet(enum fg_print_level l, const char *fmt, va_list ap)
{
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fg_perfmap_stats st;
	struct fg_perfmap *m;
	uint64_t start, len, a;
	const char *name;
	size_t nlen, i;

	fg_set_print(quiet);
	(void)fg_perfmap__parse_line((const char *)data, size, &start, &len,
				     &name, &nlen);
	m = fg_perfmap__new();
	if (!m)
		return 0;
	memset(&st, 0, sizeof(st));
	/* twice: a runtime appends to its map, the reader loads it again */
	if (!fg_perfmap__load(m, (const char *)data, size, &st) &&
	    !fg_perfmap__load(m, (const char *)data, size / 2, &st) &&
	    !fg_perfmap__finish(m)) {
		for (i = 0; i + 8 <= size && i < 64 * 8; i += 8) {
			memcpy(&a, data + i, 8);
			name = fg_perfmap__lookup(m, a);
			if (name)
				(void)strlen(name);
			(void)fg_perfmap__lookup(m, a & 0xffffff);
		}
		(void)fg_perfmap__nr_entries(m);
		(void)fg_perfmap__mem(m);
	}
	fg_perfmap__delete(m);
	return 0;
}
