// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer target: gperftools CPU profiles (binary, 4- or 8-byte words)
 * and heap profiles (text) through fg_gperf__read_mem(). Binaries named by
 * the profile's maps are looked up under an empty root, never on the host.
 */
#include <stdint.h>
#include <stdlib.h>
#include <unistd.h>

#include <flame/gperf.h>

static char root[] = "/tmp/fuzz_gperf.XXXXXX";

static int quiet(enum fg_print_level l, const char *fmt, va_list ap)
{
	return 0;
}

static void cleanup(void)
{
	rmdir(root);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fg_gperf_opts o = { 0 };
	struct fg_gperf_stats st;
	struct fg_profile *p;
	static int init;

	fg_set_print(quiet);
	if (!init) {
		if (!mkdtemp(root))
			abort();
		atexit(cleanup);
		init = 1;
	}
	o.root = root;
	o.addrs = size & 1;
	o.heap_value = (size >> 1) % 4;
	(void)fg_gperf__detect(data, size);
	p = fg_profile__new();
	if (p)
		(void)fg_gperf__read_mem(p, data, size, &o, &st);
	fg_profile__delete(p);
	return 0;
}
