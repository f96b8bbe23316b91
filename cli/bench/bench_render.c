// SPDX-License-Identifier: GPL-2.0
/*
 * flame bench: recognise what a profiling command produced (perf.data,
 * gperftools, perf script text, folded stacks) and render it into graphs.
 */
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <flame/collapse.h>
#include <flame/gperf.h>

#include "bench.h"
#include "cmd.h"

/* Safe in file names: [A-Za-z0-9._-], others become '_'. */
char *bench__file_part(const char *s)
{
	char *o = strdup(s && *s ? s : "x"), *p;

	if (!o)
		return NULL;
	for (p = o; *p; p++)
		if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
		      (*p >= '0' && *p <= '9') || *p == '.' || *p == '-' || *p == '_'))
			*p = '_';
	if (o[0] == '.')
		o[0] = '_';
	return o;
}

/* --flame-so wins; then the usual places (cli_find_flame_so). */
static char *find_flame_so(const struct bench *b)
{
	return b->flame_so ? strdup(b->flame_so) : cli_find_flame_so();
}

static int run_wait(char *const argv[], const char *out, const char *err)
{
	pid_t pid;
	int st, fd;

	fflush(NULL);
	pid = fork();
	if (pid < 0)
		return -errno;
	if (!pid) {
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		if (out && (fd = open(out, O_WRONLY | O_CREAT | O_TRUNC, 0644)) >= 0)
			dup2(fd, 1);
		if (err && (fd = open(err, O_WRONLY | O_CREAT | O_APPEND, 0644)) >= 0)
			dup2(fd, 2);
		execvp(argv[0], argv);
		_exit(127);
	}
	while (waitpid(pid, &st, 0) < 0)
		if (errno != EINTR)
			return -errno;
	return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}

static void collect_top(struct bench_profile *pr, const struct fg_profile *p)
{
	uint32_t nn = fg_profile__nr_nodes(p), nnames, i;
	uint64_t *self;
	int k;

	nnames = fg_strtab__count(fg_profile__names(p));
	self = calloc(nnames ? nnames : 1, sizeof(*self));
	if (!self)
		return;
	for (i = 1; i < nn; i++) {
		const struct fg_node *n = fg_profile__node(p, i);

		self[n->name] += n->self[0];
	}
	for (k = 0; k < BENCH_TOP; k++) {
		uint32_t best = UINT32_MAX;

		for (i = 0; i < nnames; i++)
			if (self[i] && (best == UINT32_MAX || self[i] > self[best]))
				best = i;
		if (best == UINT32_MAX)
			break;
		pr->top[k].name = strdup(fg_profile__name(p, best));
		pr->top[k].self = self[best];
		self[best] = 0;
	}
	pr->nr_top = k;
	pr->total = fg_profile__total(p, 0);
	pr->stacks = fg_profile__nr_stacks(p);
	free(self);
}

static int write_graphs(struct bench *b, struct bench_profile *pr,
			const struct fg_profile *p, bool html)
{
	static const struct { int idx; const char *fmt; } outs[] = {
		{ 1, "folded" }, { 0, "svg" }, { 2, "heatmap" },
	};
	struct fg_opts o = b->gopts;	/* shallow: only countname differs */
	size_t i;
	int err;

	if (!o.countname && pr->unit)
		o.countname = (char *)pr->unit;
	for (i = 0; i < sizeof(outs) / sizeof(outs[0]); i++) {
		const struct fg_output_ops *ops = fg_output__find(outs[i].fmt);

		if (outs[i].idx == 2 && !html)
			continue;
		if (!ops) {
			cli_warn("bench: %s: no %s writer in this build", pr->name, outs[i].fmt);
			continue;
		}
		err = fg_output__write_file(ops, pr->paths[outs[i].idx], p, &o);
		if (err) {
			if (outs[i].idx == 2) {
				cli_warn("bench: %s: heatmap: %s", pr->name, strerror(-err));
				continue;
			}
			return cli_error("bench: writing %s: %s", pr->paths[outs[i].idx],
					 strerror(-err));
		}
	}
	if (!html) {
		free(pr->paths[2]);
		pr->paths[2] = NULL;
	}
	return 0;
}

static int read_folded_file(struct fg_profile *p, const char *path)
{
	struct fg_reader *r = fg_reader__open(path);
	struct fg_folded_stats st;
	int err;

	if (!r)
		return -errno;
	err = fg_folded__read(p, r, &st);
	fg_reader__close(r);
	return err;
}

/* Did perf record copy user stacks (--call-graph dwarf)? */
static bool has_user_stacks(struct bench *b, struct bench_profile *pr,
			    const char *data)
{
	char *args[] = { "perf", "evlist", "-v", "-i", (char *)data, NULL };
	char *path, line[1024];
	bool yes = false;
	FILE *fp;

	if (asprintf(&path, "%s/%s.evlist", b->rundir, pr->name) < 0)
		return false;
	if (run_wait(args, path, "/dev/null") == 0 && (fp = fopen(path, "re"))) {
		while (fgets(line, sizeof(line), fp))
			if (strstr(line, "STACK_USER"))
				yes = true;
		fclose(fp);
	}
	free(path);
	return yes;
}

/* perf.data: one perf script pass through flame.so writes every graph. */
static int render_perf_data(struct bench *b, struct bench_profile *pr,
			    struct fg_profile *p, const char *data)
{
	char *so = find_flame_so(b), *args[32], *a[8], *errpath = NULL;
	int n = 0, k = 0, rc, try;
	bool dwarf = false;

	if (asprintf(&errpath, "%s/%s.script.err", b->rundir, pr->name) < 0)
		errpath = NULL;
	/*
	 * DWARF call graphs (--call-graph dwarf) are unwound by perf script
	 * itself; a dlfilter only sees the raw (kernel + frame pointer) chain.
	 */
	if (so && has_user_stacks(b, pr, data)) {
		free(so);
		so = NULL;
		dwarf = true;
	}
	for (try = 0; so && try < 2; try++) {
		n = k = 0;
		args[n++] = "perf";
		args[n++] = "script";
		args[n++] = "-i";
		args[n++] = (char *)data;
		args[n++] = "--dlfilter";
		args[n++] = so;
		if (asprintf(&a[k], "out=%s", pr->paths[1]) > 0)
			args[n++] = "--dlarg", args[n++] = a[k++];
		if (asprintf(&a[k], "out=%s", pr->paths[0]) > 0)
			args[n++] = "--dlarg", args[n++] = a[k++];
		if (try == 0 && asprintf(&a[k], "out=%s", pr->paths[2]) > 0)
			args[n++] = "--dlarg", args[n++] = a[k++];
		if (asprintf(&a[k], "title=%s", b->gopts.title) > 0)
			args[n++] = "--dlarg", args[n++] = a[k++];
		args[n] = NULL;
		rc = run_wait(args, "/dev/null", errpath);
		while (k--)
			free(a[k]);
		if (!rc && !access(pr->paths[1], R_OK)) {
			if (try) {
				free(pr->paths[2]);
				pr->paths[2] = NULL;
			}
			free(so);
			free(errpath);
			pr->kind = "perf.data (flame.so)";
			return read_folded_file(p, pr->paths[1]);
		}
	}
	if (dwarf)
		;
	else if (!so)
		cli_warn("bench: no flame.so found (--flame-so or $FLAME_SO): using perf script text");
	else
		cli_warn("bench: perf script --dlfilter %s failed (see %s): using perf script text",
			 so, errpath ? errpath : "stderr");
	free(so);
	/* fallback: perf script text through the collapser */
	{
		char *txt = NULL;
		struct fg_collapse_opts co;
		struct fg_reader *r;

		if (asprintf(&txt, "%s/%s.script", b->rundir, pr->name) < 0) {
			free(errpath);
			return -ENOMEM;
		}
		n = 0;
		args[n++] = "perf";
		args[n++] = "script";
		args[n++] = "-i";
		args[n++] = (char *)data;
		args[n] = NULL;
		rc = run_wait(args, txt, errpath);
		free(errpath);
		if (rc) {
			free(txt);
			return -EIO;
		}
		fg_profile__keep_samples(p, true);
		fg_collapse_opts__init(&co);
		r = fg_reader__open(txt);
		free(txt);
		if (!r)
			return -errno;
		rc = fg_collapse__read(p, r, &co, NULL);
		fg_reader__close(r);
		pr->kind = dwarf ? "perf.data (DWARF, perf script text)" :
				   "perf.data (perf script text)";
		return rc ? rc : write_graphs(b, pr, p, true);
	}
}

/* If the command wrote its file inside the target, fetch it through the prefix. */
static void fetch_remote(struct bench *b, struct bench_profile *pr)
{
	char *prefix, *q, *cmd;

	if (!pr->remote || !b->exec_prefix)
		return;
	prefix = bench__subst(b->exec_prefix, b, NULL);
	q = bench__shell_quote(pr->remote);
	if (prefix && q && asprintf(&cmd, "%s cat %s > %s 2>/dev/null; %s rm -f %s",
				    prefix, q, pr->raw, prefix, q) > 0) {
		bench__shell(cmd);
		free(cmd);
	}
	free(prefix);
	free(q);
}

int bench__render(struct bench *b, struct bench_profile *pr)
{
	struct fg_profile *p = fg_profile__new();
	const char *src = pr->raw, *data;
	struct fg_reader *r = NULL;
	struct stat st;
	size_t len;
	char head[16] = { 0 };
	int fd, err = 0, i;
	char *label = bench__file_part(b->label), *name = bench__file_part(pr->name);
	static const char *const ext[3] = { "svg", "folded", "html" };

	if (!p || !label || !name) {
		err = -ENOMEM;
		goto out;
	}
	for (i = 0; i < 3; i++)
		if (asprintf(&pr->paths[i], "%s/%s_%s-%s.%s", b->outdir, b->stamp,
			     label, name, ext[i]) < 0) {
			err = -ENOMEM;
			goto out;
		}
	if (pr->cmd) {
		if (pr->remote)
			fetch_remote(b, pr);
		/*
		 * No {output} in the command: its standard output is the
		 * result; also when {output} stayed empty but stdout did not.
		 */
		if (!strstr(pr->cmd, "{output}") ||
		    ((stat(src, &st) || !st.st_size) &&
		     !stat(pr->out_stdout, &st) && st.st_size))
			src = pr->out_stdout;
	}
	if (stat(src, &st) || !S_ISREG(st.st_mode) || !st.st_size) {
		err = -ENODATA;
		goto out;
	}
	fd = open(src, O_RDONLY | O_CLOEXEC);
	if (fd >= 0) {
		if (read(fd, head, sizeof(head)) < 0)
			head[0] = '\0';
		close(fd);
	}
	if (!memcmp(head, "PERFILE2", 8)) {
		err = render_perf_data(b, pr, p, src);
		if (!err)
			collect_top(pr, p);
		goto out;
	}
	if (fg_gperf__detect(head, sizeof(head)) != FG_GPERF_NONE) {
		struct fg_gperf_opts go = { .heap_value = b->heap_value };
		struct fg_gperf_stats gs;
		char root[64];

		if (b->sidecar_pid) {
			snprintf(root, sizeof(root), "/proc/%d/root", (int)b->sidecar_pid);
			if (!access(root, X_OK))
				go.root = root;
		}
		err = fg_gperf__read_file(p, src, &go, &gs);
		if (err)
			goto out;
		pr->kind = gs.kind == FG_GPERF_CPU ? "gperftools CPU profile" :
						      "gperftools heap profile";
		if (gs.kind == FG_GPERF_HEAP)
			pr->unit = b->heap_value == FG_GPERF_INUSE_OBJECTS ||
				   b->heap_value == FG_GPERF_ALLOC_OBJECTS ? "objects" : "bytes";
		if (gs.records && gs.unresolved == gs.frames)
			cli_warn("bench: %s: no frame could be symbolized", pr->name);
		err = write_graphs(b, pr, p, false);
		if (!err)
			collect_top(pr, p);
		goto out;
	}
	r = fg_reader__open(src);
	if (!r) {
		err = -errno;
		goto out;
	}
	switch (fg_input__guess(r)) {
	case FG_INPUT_PERF_SCRIPT: {
		struct fg_collapse_opts co;

		fg_collapse_opts__init(&co);
		fg_profile__keep_samples(p, true);
		pr->kind = "perf script text";
		err = fg_collapse__read(p, r, &co, NULL);
		if (!err)
			err = write_graphs(b, pr, p, true);
		break;
	}
	case FG_INPUT_FOLDED: {
		struct fg_folded_stats fs;

		pr->kind = "folded stacks";
		err = fg_folded__read(p, r, &fs);
		if (!err && !fs.lines)
			err = -ENODATA;
		if (!err)
			err = write_graphs(b, pr, p, false);
		break;
	}
	default:
		if (fg_reader__peek(r, &data, &len) == 0 && len == 0)
			err = -ENODATA;
		else
			err = -EPROTONOSUPPORT;
	}
	if (!err)
		collect_top(pr, p);
out:
	fg_reader__close(r);
	fg_profile__delete(p);
	free(label);
	free(name);
	if (err) {
		const char *why = err == -ENODATA ? "the command produced nothing" :
				  err == -EPROTONOSUPPORT ? "unrecognised output (not perf.data, folded, perf script text or gperftools)" :
				  strerror(-err);

		if (asprintf(&pr->error, "%s", why) < 0)
			pr->error = NULL;
		for (i = 0; i < 3; i++) {
			if (pr->paths[i] && access(pr->paths[i], F_OK)) {
				free(pr->paths[i]);
				pr->paths[i] = NULL;
			}
		}
	}
	return err;
}

