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
#include <flame/input.h>

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

char *bench__out_base(const struct bench *b, const struct bench_sidecar *sc,
		      const char *what)
{
	const char *parts[3] = { b->label, sc ? sc->role : NULL, what };
	char *last = NULL, *o = NULL;
	struct fg_buf n = FG_BUF_INIT;
	int i;

	for (i = 0; i < 3; i++) {
		char *p;

		if (!parts[i] || !*parts[i])
			continue;
		p = bench__file_part(parts[i]);
		if (!p)
			goto out;
		/* "envoy" + "envoy": once */
		if (last && !strcmp(last, p)) {
			free(p);
			continue;
		}
		if (last)
			fg_buf__addch(&n, '-');
		fg_buf__adds(&n, p);
		free(last);
		last = p;
	}
	if (asprintf(&o, "%s/%s_%s", b->outdir, b->stamp, n.buf ? n.buf : "x") < 0)
		o = NULL;
out:
	free(last);
	fg_buf__release(&n);
	return o;
}

/* --flame-so wins; then the usual places (cli_find_flame_so). */
static char *find_flame_so(const struct bench *b)
{
	return b->flame_so ? strdup(b->flame_so) : cli_find_flame_so();
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

/* Append a remark to the profile's note ("; " between them). */
static void note(struct bench_profile *pr, const char *msg)
{
	char *n;

	if (pr->note ? asprintf(&n, "%s; %s", pr->note, msg) < 0 :
		       !(n = strdup(msg)))
		return;
	free(pr->note);
	pr->note = n;
}

/* The last non-empty line of a (small) text file, trimmed; "" if none. */
static void last_line(const char *path, char *buf, size_t size)
{
	char line[512];
	FILE *fp = path ? fopen(path, "re") : NULL;

	buf[0] = '\0';
	if (!fp)
		return;
	while (fgets(line, sizeof(line), fp)) {
		size_t n;

		line[strcspn(line, "\r\n")] = '\0';
		n = strlen(line);
		if (!n)
			continue;
		if (n >= size)
			n = size - 1;
		memcpy(buf, line, n);
		buf[n] = '\0';
	}
	fclose(fp);
}

static bool file_has(const char *path, const char *needle)
{
	char line[512];
	FILE *fp = path ? fopen(path, "re") : NULL;
	bool yes = false;

	if (!fp)
		return false;
	while (!yes && fgets(line, sizeof(line), fp))
		yes = strstr(line, needle) != NULL;
	fclose(fp);
	return yes;
}

/* Append a file to a log, under a heading. */
static void log_append(FILE *log, const char *heading, const char *path)
{
	char buf[4096];
	FILE *fp = path ? fopen(path, "re") : NULL;
	size_t n, total = 0;

	if (!fp)
		return;
	fprintf(log, "--- %s ---\n", heading);
	while ((n = fread(buf, 1, sizeof(buf), fp)) > 0 && total < (1u << 20)) {
		fwrite(buf, 1, n, log);
		total += n;
	}
	fclose(fp);
}

/* Did perf record copy user stacks (--call-graph dwarf)? */
static bool has_user_stacks(struct bench *b, struct bench_profile *pr,
			    const char *data)
{
	char *args[] = { "perf", "evlist", "-v", "-i", (char *)data, NULL };
	char *path, line[1024];
	bool yes = false;
	FILE *fp;

	if (asprintf(&path, "%s/%s.evlist", b->rundir, pr->key) < 0)
		return false;
	if (bench__run_wait(args, path, "/dev/null") == 0 && (fp = fopen(path, "re"))) {
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

	if (asprintf(&errpath, "%s/%s.script.err", b->rundir, pr->key) < 0)
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
		/* sched events (perf-offcpu): time off the CPU, not switch counts */
		if (pr->cmd && strstr(pr->cmd, "sched:sched_switch")) {
			args[n++] = "--dlarg", args[n++] = "mode=offcpu";
			/* a custom command recording one task: drawn, said inexact */
			if (!strstr(pr->cmd, " -a") && !strstr(pr->cmd, "--all-cpus")) {
				args[n++] = "--dlarg", args[n++] = "per-task=1";
				if (!try)
					note(pr, "recorded per task (no -a): off-CPU times miss the idle task's switch-ins and are not exact");
			}
			if (b->sidecar_pid &&
			    asprintf(&a[k], "pid=%d", (int)b->sidecar_pid) > 0)
				args[n++] = "--dlarg", args[n++] = a[k++];
			pr->unit = "us";
		}
		args[n] = NULL;
		rc = bench__run_wait(args, "/dev/null", errpath);
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
		note(pr, "no flame.so found (--flame-so or $FLAME_SO): rendered from perf script text");
	else
		note(pr, "perf script --dlfilter flame.so failed: rendered from perf script text");
	free(so);
	/* fallback: perf script text through the collapser */
	{
		char *txt = NULL;
		struct fg_collapse_opts co;
		struct fg_reader *r;

		if (asprintf(&txt, "%s/%s.script", b->rundir, pr->key) < 0) {
			free(errpath);
			return -ENOMEM;
		}
		n = 0;
		args[n++] = "perf";
		args[n++] = "script";
		args[n++] = "-i";
		args[n++] = (char *)data;
		args[n] = NULL;
		rc = bench__run_wait(args, txt, errpath);
		if (rc) {
			char last[256];

			free(txt);
			last_line(errpath, last, sizeof(last));
			/* perf record stopped before writing a sample */
			if (strstr(last, "data size field is 0") ||
			    file_has(errpath, "data size field is 0")) {
				pr->empty = true;
				free(pr->note);
				pr->note = NULL;
				note(pr, "perf script: the file's data size is 0 (no sample was written)");
				free(errpath);
				return 0;
			}
			if (asprintf(&pr->error, "perf script failed (exit %d)%s%s", rc,
				     last[0] ? ": " : "", last) < 0)
				pr->error = NULL;
			free(errpath);
			return -EIO;
		}
		free(errpath);
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
	prefix = bench__subst(b->exec_prefix, b, &b->sc[pr->sc], NULL);
	q = bench__shell_quote(pr->remote);
	if (prefix && q && asprintf(&cmd, "%s cat %s > %s 2>/dev/null; %s rm -f %s",
				    prefix, q, pr->raw, prefix, q) > 0) {
		bench__shell(cmd);
		free(cmd);
	}
	free(prefix);
	free(q);
}

/* The profiling command's exit status, -1 when there is none. */
static int cmd_status(const struct bench *b, const struct bench_profile *pr)
{
	int st;

	if (pr->proc < 0 || pr->proc >= b->nr_procs || !b->procs[pr->proc].done)
		return -1;
	st = b->procs[pr->proc].status;
	return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}

/*
 * Why a profile is empty or failed, from what is known: the command's exit
 * status and its last message (perf's own words), and the sidecar's CPU
 * time over the run (an idle sidecar gives an on-CPU profile no sample).
 */
static void explain(struct bench *b, struct bench_profile *pr, const char *what)
{
	const struct bench_sidecar *sc = pr->sc < b->nr_sc ? &b->sc[pr->sc] : NULL;
	struct fg_buf m = FG_BUF_INIT;
	int st = cmd_status(b, pr);
	char last[256];

	fg_buf__adds(&m, what);
	if (pr->note)
		fg_buf__addf(&m, "; %s", pr->note);
	if (pr->cmd && st >= 0) {
		last_line(pr->out_stderr, last, sizeof(last));
		/* the run directory is gone by the time this is read */
		if (!b->keep_raw && b->rundir[0]) {
			char *at = strstr(last, b->rundir);
			size_t rl = strlen(b->rundir);

			if (at) {
				static const char tag[] = "<run dir>";
				size_t head = (size_t)(at - last), rest = strlen(at + rl);

				if (head + sizeof(tag) + rest < sizeof(last)) {
					memmove(at + sizeof(tag) - 1, at + rl, rest + 1);
					memcpy(at, tag, sizeof(tag) - 1);
				}
			}
		}
		fg_buf__addf(&m, "; the command exited %d", st);
		if (last[0])
			fg_buf__addf(&m, ", its last message: \"%s\"", last);
		else
			fg_buf__adds(&m, " with no message");
	}
	if (sc && sc->cpu_known && !b->convert) {
		double share = sc->cpu_s / (b->duration > 0 ? b->duration : 1);

		fg_buf__addf(&m, "; the sidecar (pid %d) used %.2f s of CPU in the %d s run (/proc/%d/stat)%s",
			     (int)sc->pid, sc->cpu_s, b->duration, (int)sc->pid,
			     share < 0.01 ? ": it was idle" : "");
	} else if (sc && sc->pid && !b->convert) {
		fg_buf__addf(&m, "; the sidecar (pid %d) was gone at the end of the run",
			     (int)sc->pid);
	}
	free(pr->error);
	pr->error = m.buf;
}

/*
 * Keep what the command and perf script said next to the outputs
 * (<base>.log), since the run directory goes away.
 */
static void keep_log(struct bench *b, struct bench_profile *pr, const char *base)
{
	char *path, *serr = NULL;
	FILE *log;
	int st = cmd_status(b, pr);

	if (asprintf(&path, "%s.log", base) < 0)
		return;
	log = fopen(path, "we");
	if (!log) {
		free(path);
		return;
	}
	fprintf(log, "flame bench %s: profile %s\n", b->stamp, pr->name);
	if (pr->cmd)
		fprintf(log, "command: %s\nexit status: %d\n", pr->cmd, st);
	if (pr->error)
		fprintf(log, "%s: %s\n", pr->empty ? "empty" : "failed", pr->error);
	log_append(log, "its standard error", pr->out_stderr);
	if (asprintf(&serr, "%s/%s.script.err", b->rundir, pr->key) > 0)
		log_append(log, "perf script's standard error", serr);
	free(serr);
	if (fclose(log)) {
		free(path);
		return;
	}
	free(pr->log);
	pr->log = path;
}

int bench__render(struct bench *b, struct bench_profile *pr)
{
	struct fg_profile *p = fg_profile__new();
	const char *src = pr->raw, *data;
	struct bench_sidecar *sc = pr->sc < b->nr_sc ? &b->sc[pr->sc] : NULL;
	const struct fg_input_ops *ops;
	struct fg_reader *r = NULL;
	struct stat st;
	size_t len;
	char head[16] = { 0 };
	int fd, err = 0, i;
	char *base = bench__out_base(b, sc, pr->name);
	static const char *const ext[3] = { "svg", "folded", "html" };

	if (!p || !base) {
		err = -ENOMEM;
		goto out;
	}
	for (i = 0; i < 3; i++)
		if (asprintf(&pr->paths[i], "%s.%s", base, ext[i]) < 0) {
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
	if (!src || stat(src, &st) || !S_ISREG(st.st_mode) || !st.st_size) {
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

		if (sc && sc->pid) {
			snprintf(root, sizeof(root), "/proc/%d/root", (int)sc->pid);
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
			note(pr, "no frame could be symbolized");
		if (!fg_profile__total(p, 0)) {
			pr->empty = true;
			goto out;
		}
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
	/* text formats through the input table (include/flame/input.h) */
	ops = fg_input__probe(r);
	if (ops && (!strcmp(ops->name, "perf-script") || !strcmp(ops->name, "folded"))) {
		struct fg_input_opts io;
		struct fg_input_stats ist = { 0 };

		fg_input_opts__init(&io);
		pr->kind = ops->desc;
		if (ops->has_times)
			fg_profile__keep_samples(p, true);
		err = ops->read(p, r, &io, &ist);
		if (!err && !fg_profile__total(p, 0))
			pr->empty = true;
		else if (!err)
			err = write_graphs(b, pr, p, ops->has_times);
	} else if (fg_reader__peek(r, &data, &len) == 0 && len == 0) {
		err = -ENODATA;
	} else {
		err = -EPROTONOSUPPORT;
	}
	if (!err && !pr->empty)
		collect_top(pr, p);
out:
	fg_reader__close(r);
	fg_profile__delete(p);
	/* the command ran fine and gave nothing: empty, not failed */
	if (err == -ENODATA && (!pr->cmd || cmd_status(b, pr) == 0)) {
		err = 0;
		pr->empty = true;
		note(pr, "the command produced no output");
	}
	if (!err && !pr->empty && !pr->total)
		pr->empty = true;
	if (pr->empty) {
		pr->total = 0;
		explain(b, pr, "0 samples");
	} else if (err) {
		const char *why = pr->error ? pr->error :
				  err == -ENODATA ? "the command produced nothing" :
				  err == -EPROTONOSUPPORT ? "unrecognised output (not perf.data, folded, perf script text or gperftools)" :
				  strerror(-err);
		char *w = strdup(why);

		if (w)
			explain(b, pr, w);
		free(w);
	}
	if (pr->empty || err) {
		/* no graph for what has no sample: none is listed as written */
		for (i = 0; i < 3; i++) {
			if (pr->paths[i])
				unlink(pr->paths[i]);
			free(pr->paths[i]);
			pr->paths[i] = NULL;
		}
	}
	if ((pr->empty || err || pr->note) && base && !b->convert)
		keep_log(b, pr, base);
	free(base);
	return err ? err : pr->empty ? -ENODATA : 0;
}
