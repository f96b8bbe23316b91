// SPDX-License-Identifier: GPL-2.0
/*
 * Long-profile generator for bench/bench-heatmap.sh: takes the real stacks
 * of a folded profile (the recorded benchmark corpus) and lays them out as
 * SECONDS of sampling at HZ on CPUS CPUs (10 min x 1000 Hz x 2 = 1.2 M
 * samples), with a slowly varying load: a sample is idle (swapper ->
 * do_idle) with a probability that follows a few-minute wave plus short
 * bursts, so the heatmap has structure to look at. Stacks are drawn in
 * proportion to their weight in the corpus. Then writes the heatmap page
 * and prints how long the writer took.
 *
 * usage: heatmap_gen CORPUS.folded SECONDS HZ CPUS OUT.html
 */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <flame/flame.h>

static uint64_t rnd_state = 0x9e3779b97f4a7c15ull;

static uint64_t rnd(void)
{
	uint64_t x = rnd_state;

	x ^= x << 13;
	x ^= x >> 7;
	x ^= x << 17;
	return rnd_state = x;
}

static double now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

/* Copy node's path from src into dst; the dst node. */
static uint32_t copy_path(struct fg_profile *dst, const struct fg_profile *src,
			  uint32_t node)
{
	uint32_t frames[512], out = FG_ROOT;
	size_t n = fg_profile__path(src, node, frames, 512), i;

	if (n > 512)
		n = 512;
	for (i = 0; i < n; i++) {
		const char *s = fg_profile__name(src, frames[i]);

		out = fg_profile__child(dst, out,
					fg_profile__intern(dst, s, strlen(s)));
	}
	return out;
}

int main(int argc, char **argv)
{
	struct fg_profile *src, *dst;
	struct fg_reader *r;
	struct fg_opts o;
	uint32_t *cum_node, nr, idle, i;
	uint64_t *cum, total = 0, k, nsamples, nstacks, base = 1000000000000ull;
	const char *idle_names[] = { "swapper", "cpu_startup_entry_[k]",
				     "do_idle_[k]", "default_idle_call_[k]",
				     "default_idle_[k]" };
	unsigned int seconds, hz, cpus;
	double t0, t1;
	int err;

	if (argc != 6) {
		fprintf(stderr, "usage: heatmap_gen CORPUS.folded SECONDS HZ CPUS OUT.html\n");
		return 2;
	}
	seconds = atoi(argv[2]);
	hz = atoi(argv[3]);
	cpus = atoi(argv[4]);
	src = fg_profile__new();
	dst = fg_profile__new();
	r = fg_reader__open(argv[1]);
	if (!src || !dst || !r || fg_folded__read(src, r, NULL)) {
		fprintf(stderr, "heatmap_gen: cannot read %s\n", argv[1]);
		return 1;
	}
	fg_reader__close(r);
	fg_profile__keep_samples(dst, true);

	/* Cumulative weights of the corpus stacks, mapped into dst. */
	nr = fg_profile__nr_nodes(src);
	cum = malloc(nr * sizeof(*cum));
	cum_node = malloc(nr * sizeof(*cum_node));
	for (i = 0, k = 0; i < nr; i++) {
		const struct fg_node *nd = fg_profile__node(src, i);

		if (!nd->self[0])
			continue;
		total += nd->self[0];
		cum[k] = total;
		cum_node[k++] = copy_path(dst, src, i);
	}
	nstacks = k;
	if (!nstacks) {
		fprintf(stderr, "heatmap_gen: no stacks in %s\n", argv[1]);
		return 1;
	}
	idle = FG_ROOT;
	for (i = 0; i < 5; i++)
		idle = fg_profile__child(dst, idle, fg_profile__intern(dst,
				idle_names[i], strlen(idle_names[i])));

	nsamples = (uint64_t)seconds * hz * cpus;
	for (k = 0; k < nsamples; k++) {
		uint64_t tick = k / cpus, t = base + tick * 1000000000ull / hz +
			(k % cpus) * 1000;
		double sec = (double)tick / hz;
		double busy = 0.55 + 0.35 * sin(sec / 40.0) +
			(fmod(sec, 17.0) < 0.3 ? 0.4 : 0);
		uint32_t node = idle;

		if ((rnd() % 1000) < busy * 1000) {
			uint64_t w = rnd() % total, lo = 0, hi = nstacks - 1;

			/* the first stack whose cumulative weight exceeds w */
			while (lo < hi) {
				uint64_t mid = (lo + hi) / 2;

				if (cum[mid] <= w)
					lo = mid + 1;
				else
					hi = mid;
			}
			node = cum_node[lo];
		}
		err = fg_profile__add_node(dst, node, 1, t);
		if (err) {
			fprintf(stderr, "heatmap_gen: %s\n", strerror(-err));
			return 1;
		}
	}

	fg_opts__init(&o);
	o.title = strdup("Benchmark: 10 min at 1000 Hz on 2 CPUs (corpus stacks)");
	t0 = now_ms();
	err = fg_output__write_file(&fg_output_heatmap, argv[5], dst, &o);
	t1 = now_ms();
	if (err) {
		fprintf(stderr, "heatmap_gen: writing %s: %s\n", argv[5], strerror(-err));
		return 1;
	}
	printf("samples %llu stacks %u writer_ms %.0f\n",
	       (unsigned long long)nsamples, fg_profile__nr_stacks(dst), t1 - t0);
	fg_opts__release(&o);
	fg_profile__delete(src);
	fg_profile__delete(dst);
	free(cum);
	free(cum_node);
	return 0;
}
