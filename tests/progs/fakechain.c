// SPDX-License-Identifier: GPL-2.0
/*
 * fakechain: spins with the frame pointer on a made-up chain of frames, so
 * that perf's frame-pointer walk (perf record -g) records return addresses
 * no mapping holds (as garbage frames from binaries built without frame
 * pointers), plus one into a real function between them.
 *   fakechain [MS] [map]
 * MS: CPU time to spin (default 1000). "map": also write
 * /tmp/perf-<pid>.map naming the first made-up address's range, as a JIT
 * would; like a JIT's, the map stays after exit. Prints its pid.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define FAKE_BASE	0x200000ull	/* below any mapping of a -no-pie program */
#define FRAMES		8

/* never called: its address is the real caller on the made-up chain */
__attribute__((noipa)) void fakechain_marker(void)
{
	__asm__ volatile("nop\n\tnop\n\tnop\n\tnop" ::: "memory");
}

static double cpu_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

/* Count down with rbp pointing at chain (restored before returning). */
static void spin(uint64_t *chain, uint64_t n)
{
	__asm__ volatile("push %%rbp\n\t"
			 "mov %1, %%rbp\n\t"
			 "1: dec %0\n\t"
			 "jnz 1b\n\t"
			 "pop %%rbp"
			 : "+r"(n)
			 : "r"(chain)
			 : "memory", "cc");
}

int main(int argc, char **argv)
{
	static uint64_t chain[2 * FRAMES];
	double ms = argc > 1 ? atof(argv[1]) : 1000, end;
	char map[64];
	int i;

	/* {next frame, return address} pairs; the last frame ends the walk */
	for (i = 0; i < FRAMES; i++) {
		chain[2 * i] = i + 1 < FRAMES ? (uint64_t)(uintptr_t)&chain[2 * i + 2] : 0;
		chain[2 * i + 1] = FAKE_BASE + 0x1000ull * i + 0x10;
	}
	/* one real caller among them (return address inside the function) */
	chain[2 * 3 + 1] = (uint64_t)(uintptr_t)fakechain_marker + 1;
	snprintf(map, sizeof(map), "/tmp/perf-%d.map", (int)getpid());
	printf("%d\n", (int)getpid());
	fflush(stdout);
	if (argc > 2 && !strcmp(argv[2], "map")) {
		FILE *f = fopen(map, "w");

		if (!f)
			return 1;
		fprintf(f, "%llx 1000 fake_jitted_frame\n",
			(unsigned long long)FAKE_BASE);
		fclose(f);
	}
	end = cpu_ms() + ms;
	while (cpu_ms() < end)
		spin(chain, 2000000);
	return 0;
}
