// SPDX-License-Identifier: GPL-2.0
/*
 * jitsim: a tiny JIT for tests. Writes one x86-64 function per name given
 * (a counted loop with a frame: push rbp; mov rbp,rsp; ...; pop rbp; ret)
 * into an anonymous executable mapping, describes them in
 * /tmp/perf-<getpid()>.map (inside a PID namespace that is the NSpid, as
 * real runtimes do), then calls them in turn for the given time, each about
 * the same share.
 *
 * usage: jitsim [-t SECONDS] [-n] [-o MAPFILE] NAME...
 *   -n        do not write a map (a JIT with no map)
 *   -o FILE   write the map there instead
 *   -d SECS   write the map only after SECS of running
 *   -p FILE   copy FILE's bytes into the map before the entries
 *   -c SECS   run on after -t until SECS of CPU time were used (at most 60 s
 *             of wall time): samples on a loaded machine
 * Prints "jitsim pid=P code=0xADDR" on stdout once the map exists.
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#define SLOT 64

static const unsigned char loop_code[] = {
	0x55,			/* push %rbp */
	0x48, 0x89, 0xe5,	/* mov %rsp,%rbp */
	0x48, 0x89, 0xf8,	/* mov %rdi,%rax */
	0x48, 0xff, 0xc8,	/* 1: dec %rax */
	0x75, 0xfb,		/* jnz 1b */
	0x5d,			/* pop %rbp */
	0xc3,			/* ret */
};

typedef void (*jit_fn)(uint64_t iterations);

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static double cpu_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static const char *prefix;

static int write_map(const char *path, unsigned char *code, int n, char **names)
{
	char tmp[4200], buf[65536];
	FILE *fp, *in;
	size_t got;
	int i;

	snprintf(tmp, sizeof(tmp), "%s.tmp", path);
	fp = fopen(tmp, "w");
	if (!fp)
		return -1;
	if (prefix) {
		in = fopen(prefix, "r");
		if (!in)
			return -1;
		while ((got = fread(buf, 1, sizeof(buf), in)) > 0)
			fwrite(buf, 1, got, fp);
		fclose(in);
	}
	for (i = 0; i < n; i++)
		fprintf(fp, "%lx %x %s\n", (unsigned long)(uintptr_t)(code + i * SLOT),
			SLOT, names[i]);
	if (fclose(fp))
		return -1;
	return rename(tmp, path);
}

/* The caller frame every JIT function is called from. */
__attribute__((noinline)) static void run_jit(jit_fn f, uint64_t it)
{
	f(it);
	__asm__ volatile("" ::: "memory");
}

int main(int argc, char **argv)
{
	double secs = 1, delay = 0, cpu = 0, end, t0;
	const char *mapfile = NULL;
	bool nomap = false, written = false;
	char path[4096];
	unsigned char *code;
	int opt, n, i;

	while ((opt = getopt(argc, argv, "t:no:d:p:c:")) != -1) {
		switch (opt) {
		case 't': secs = atof(optarg); break;
		case 'c': cpu = atof(optarg); break;
		case 'n': nomap = true; break;
		case 'o': mapfile = optarg; break;
		case 'd': delay = atof(optarg); break;
		case 'p': prefix = optarg; break;
		default:
			fprintf(stderr, "usage: jitsim [-t S] [-c S] [-n] [-o MAP] [-d S] NAME...\n");
			return 2;
		}
	}
	n = argc - optind;
	if (n <= 0 || n > 1000) {
		fprintf(stderr, "jitsim: give 1..1000 function names\n");
		return 2;
	}
	code = mmap(NULL, (size_t)n * SLOT, PROT_READ | PROT_WRITE,
		    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (code == MAP_FAILED) {
		perror("jitsim: mmap");
		return 1;
	}
	memset(code, 0xcc, (size_t)n * SLOT);
	for (i = 0; i < n; i++)
		memcpy(code + i * SLOT, loop_code, sizeof(loop_code));
	if (mprotect(code, (size_t)n * SLOT, PROT_READ | PROT_EXEC)) {
		perror("jitsim: mprotect");
		return 1;
	}
	if (!mapfile) {
		snprintf(path, sizeof(path), "/tmp/perf-%d.map", (int)getpid());
		mapfile = path;
	}
	t0 = now();
	if (!nomap && delay <= 0) {
		if (write_map(mapfile, code, n, argv + optind)) {
			perror("jitsim: writing the map");
			return 1;
		}
		written = true;
	}
	printf("jitsim pid=%d code=%p\n", (int)getpid(), (void *)code);
	fflush(stdout);
	end = t0 + secs;
	while (now() < end || (cpu_now() < cpu && now() < t0 + 60)) {
		for (i = 0; i < n; i++)
			run_jit((jit_fn)(void *)(code + i * SLOT), 200000);
		if (!nomap && !written && now() - t0 >= delay) {
			if (write_map(mapfile, code, n, argv + optind))
				return 1;
			written = true;
		}
	}
	return 0;
}
