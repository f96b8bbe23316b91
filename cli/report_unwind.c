// SPDX-License-Identifier: GPL-2.0
/*
 * DWARF recordings (perf record --call-graph dwarf) in flame report and
 * flame FILE.data: see docs/dwarf.md.
 *
 * Such a recording's raw callchain holds the kernel part and the user leaf
 * only; the callers must be unwound from the sampled user stack. A perf
 * with perf-patches/0003 hands flame.so the unwound chain; any other perf
 * only unwinds for its own output, so flame report reads that output (the
 * perf script text path, lib/input/collapse.c) instead.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>
#include <linux/perf_event.h>

#include <flame/perfdata.h>

#include "cmd.h"
#include "collapse_cli.h"
#include "report_unwind.h"

int cli_perf_data_user_stacks(int fd)
{
	unsigned char attr[FG_ATTR_SAMPLE_TYPE + 8];
	struct fg_perf_header h;
	uint64_t type;
	size_t i, nr;

	if (fg_perf_header__read(fd, &h))
		return 0;	/* not perf.data, pipe mode, other byte order:
				 * flame.so checks */
	nr = fg_perf_header__nr_attrs(&h);
	for (i = 0; i < nr; i++) {
		if (fg_perf_header__attr(fd, &h, i, attr, sizeof(attr)))
			return -EINVAL;
		memcpy(&type, attr + FG_ATTR_SAMPLE_TYPE, sizeof(type));
		if (type & PERF_SAMPLE_STACK_USER)
			return 1;
	}
	return 0;
}

int cli_perf_unwinds(const char *perf, const char *input, const char *so)
{
	char *argv[] = { (char *)perf, "script", "-i", (char *)input,
			 "--dlfilter", (char *)so, "--dlarg", "unwind=check", NULL };
	int status, null;
	pid_t pid;

	pid = fork();
	if (pid < 0)
		return -errno;
	if (pid == 0) {
		null = open("/dev/null", O_RDWR | O_CLOEXEC);
		if (null >= 0) {
			dup2(null, STDOUT_FILENO);
			dup2(null, STDERR_FILENO);
		}
		execvp(perf, argv);
		_exit(127);
	}
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR)
			return -errno;
	if (!WIFEXITED(status))
		return -EINTR;
	switch (WEXITSTATUS(status)) {
	case 0:
		return 1;
	case 3:		/* FLAME_EXIT_NO_UNWIND: flame.so's unwind=check */
		return 0;
	default:
		return -ENOEXEC;
	}
}

static bool is_true(const char *v)
{
	return !strcmp(v, "1") || !strcmp(v, "on") || !strcmp(v, "true") ||
	       !strcmp(v, "yes");
}

/* One flame.so KEY=VALUE as the collapse / output options of the text path. */
static int text_opt(const char *kv, struct fg_collapse_opts *co, struct fg_opts *o)
{
	const char *eq = strchr(kv, '=');
	const char *v = eq ? eq + 1 : "1";
	size_t kl = eq ? (size_t)(eq - kv) : strlen(kv);
	char key[64], *arg = NULL;
	char *argv[1];
	int i = 0, ret;

	if (kl >= sizeof(key))
		goto unsupported;
	memcpy(key, kv, kl);
	key[kl] = '\0';
	if (!strcmp(key, "annotate")) {
		co->kernel = !strcmp(v, "kernel") || !strcmp(v, "all");
		co->jit = !strcmp(v, "jit") || !strcmp(v, "all");
		return 0;
	}
	if (!strcmp(key, "show-pid") || (!strcmp(key, "pid") && !strcmp(v, "1"))) {
		co->pid = is_true(v);
		return 0;
	}
	if (!strcmp(key, "show-tid") || (!strcmp(key, "tid") && !strcmp(v, "1"))) {
		co->tid = is_true(v);
		return 0;
	}
	if (!strcmp(key, "addrs")) {
		co->addrs = is_true(v);
		return 0;
	}
	if (!strcmp(key, "event")) {
		co->event_filter = v;
		return 0;
	}
	if (!strcmp(key, "maps"))	/* perf names JIT frames from /tmp maps */
		return 0;
	if (!strcmp(key, "weight"))
		key[0] = '\0';	/* same spelling in both */
	if (asprintf(&arg, "--%s", kv) < 0)
		return -ENOMEM;
	argv[0] = arg;
	ret = key[0] ? cli_output_opt(1, argv, &i, o) : cli_collapse_opt(1, argv, &i, co);
	free(arg);
	if (ret > 0)
		return 0;
	if (ret < 0)
		return -EINVAL;
unsupported:
	cli_error("report: option %.*s is flame.so's only and this recording goes through perf script text (DWARF user stacks); use a perf with perf-patches/0003 (make perf-patched, --perf PATH)",
		  (int)kl, kv);
	return -EINVAL;
}

int cli_report_text(int fd, char **dlargv, int n)
{
	struct fg_collapse_opts co;
	struct fg_collapse_stats st;
	struct fg_profile *p = NULL;
	struct fg_reader *r = NULL;
	char path[64];
	struct fg_opts o;
	int i, ret, rc = 1;

	fg_opts__init(&o);
	fg_collapse_opts__init(&co);
	for (i = 0; i + 1 < n; i += 2)
		if (!strcmp(dlargv[i], "--dlarg") && text_opt(dlargv[i + 1], &co, &o))
			goto out;
	p = fg_profile__new();
	if (!p) {
		cli_error("report: out of memory");
		goto out;
	}
	if (o.flamechart)
		fg_profile__keep_samples(p, true);
	snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	r = fg_reader__open(path);
	if (!r) {
		cli_error("report: reading perf script: %s", strerror(errno));
		goto out;
	}
	ret = fg_collapse__read(p, r, &co, &st);
	if (ret) {
		cli_error("report: reading perf script: %s", strerror(-ret));
		goto out;
	}
	if (!st.samples) {
		cli_error("report: perf script printed no samples");
		goto out;
	}
	rc = cli_write_outputs(p, &o, "svg");
	if (!rc)
		fprintf(stderr, "flame: report: %llu samples, user stacks unwound by perf script\n",
			(unsigned long long)st.samples);
out:
	if (r)
		fg_reader__close(r);
	fg_profile__delete(p);
	fg_opts__release(&o);
	return rc;
}
