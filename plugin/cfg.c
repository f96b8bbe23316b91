// SPDX-License-Identifier: GPL-2.0
/*
 * flame.so options. Two tables: the plugin's own (selection, naming,
 * containers) and the shared graph/output table (lib/model/opts.c). Both accept
 * "key=value" (--dlarg) and "--key value" (perf script -s flame.so ...).
 */
#include <errno.h>
#include <fcntl.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "frames.h"
#include "offcpu.h"

#define C(f) offsetof(struct flame_cfg, f)

/* the graph and output options flame.so has a use for (not diff's) */
#define PLUGIN_OUTPUT_GROUPS	FG_GRP_CMD_ANY_OUTPUT

const struct fg_opt_desc flame_cfg_opts[] = {
	{ "event", FG_OPT_STR, C(event), "first event",
	  "profile this event; samples of other events are counted and skipped",
	  FG_GRP_SELECT },
	{ "comm", FG_OPT_STR, C(comm), NULL, "keep only this process name",
	  FG_GRP_SELECT },
	{ "pid", FG_OPT_STR, C(pid_s), NULL,
	  "pid=1: root frame comm-PID (as stackcollapse --pid); pid=LIST (other numbers): keep these PIDs",
	  FG_GRP_SELECT | FG_GRP_NAMING },
	{ "tid", FG_OPT_STR, C(tid_s), NULL,
	  "tid=1: root frame comm-PID/TID; tid=LIST (other numbers): keep these TIDs",
	  FG_GRP_SELECT | FG_GRP_NAMING },
	{ "cpu", FG_OPT_STR, C(cpu_s), NULL, "keep these CPUs (comma list)",
	  FG_GRP_SELECT },
	{ "weight", FG_OPT_STR, C(weight_s), "samples", "samples (count) or period",
	  FG_GRP_INPUT },
	{ "group", FG_OPT_STR, C(group_s), "none",
	  "container: a root frame per container (from the cgroup)",
	  FG_GRP_SELECT },
	{ "container", FG_OPT_STR, C(container), NULL,
	  "keep only this container (id prefix or name; host = not in a container)",
	  FG_GRP_SELECT },
	{ "maps", FG_OPT_STR, C(maps), "<input>.maps",
	  "snapshot directory of perf maps (flame record / flame snapshot)",
	  FG_GRP_INPUT },
	{ "rootfs", FG_OPT_STRLIST, C(rootfs), NULL,
	  "PID:DIR, a container root left on disk, for maps of exited containers",
	  FG_GRP_INPUT },
	{ "no-live", FG_OPT_BOOL, C(no_live), "off", "never read maps of live processes",
	  FG_GRP_INPUT },
	{ "no-host", FG_OPT_BOOL, C(no_host), "off", "never read the host's /tmp/perf-PID.map",
	  FG_GRP_INPUT },
	{ "unwind", FG_OPT_STR, C(unwind_s), "auto",
	  "DWARF recordings (--call-graph dwarf): auto = perf's unwound callchain (patched perf), else refuse; raw = the recorded chain only (callers lost); check = exit 0 if this perf unwinds for flame.so, 3 if not",
	  FG_GRP_INPUT },
	{ "mode", FG_OPT_STR, C(mode_s), "cpu",
	  "cpu (samples of one event), offcpu, wakeup, offwake, wall, runq: time off the CPU from sched events (docs/offcpu.md)",
	  FG_GRP_INPUT },
	{ "state", FG_OPT_STR, C(state_s), "all",
	  "off-CPU modes: keep blocks of these states: S (sleep), D (uninterruptible), R (preempted), I, T, P, or all",
	  FG_GRP_SELECT },
	{ "min-block", FG_OPT_STR, C(min_block_s), "0",
	  "off-CPU modes: drop blocks shorter than this (500us, 2ms; a bare number is us)",
	  FG_GRP_SELECT },
	{ "unit", FG_OPT_STR, C(unit_s), "us", "off-CPU modes: weights in ns, us or ms",
	  FG_GRP_INPUT },
	{ "field", FG_OPT_STRLIST, C(fields), NULL,
	  "[SYS:EVENT:]FIELD OP VALUE: keep tracepoint samples whose field matches; OP: == != < <= > >= & (numbers), == != ~ !~ (strings; ~ glob); repeat to AND",
	  FG_GRP_SELECT, .arg = "EXPR" },
	{ "per-task", FG_OPT_BOOL, C(per_task), "off",
	  "off-CPU modes: draw a recording made without -a anyway (its times are not exact)",
	  FG_GRP_SELECT },
	{ NULL },
};

bool idlist__has(const struct idlist *l, int id)
{
	size_t i;

	for (i = 0; i < l->n; i++)
		if (l->v[i] == id)
			return true;
	return false;
}

void flame_cfg__init(struct flame_cfg *c)
{
	memset(c, 0, sizeof(*c));
}

void flame_cfg__release(struct flame_cfg *c)
{
	const struct fg_opt_desc *d;
	size_t i;

	for (d = flame_cfg_opts; d->name; d++) {
		char *f = (char *)c + d->offset;

		if (d->type == FG_OPT_STR || d->type == FG_OPT_OPTSTR)
			free(*(char **)f);
	}
	for (i = 0; i < c->rootfs.n; i++)
		free(c->rootfs.v[i]);
	free(c->rootfs.v);
	for (i = 0; i < c->fields.n; i++)
		free(c->fields.v[i]);
	free(c->fields.v);
	fg_tpf__delete(c->tpf);
	fg_naming_args__release(&c->sel);
	free(c->pids.v);
	free(c->tids.v);
	free(c->cpus.v);
	memset(c, 0, sizeof(*c));
}

/* Plugin options, then the shared naming ones, then graphs and outputs. */
#define NSETS 3
static void optsets(struct flame_cfg *c, struct fg_opts *o,
		    struct fg_optset sets[NSETS])
{
	sets[0] = (struct fg_optset){ flame_cfg_opts, c, FG_GRP_ALL,
				      "Samples and naming:" };
	sets[1] = (struct fg_optset){ fg_naming_opts, &c->sel, FG_GRP_ALL };
	sets[2] = (struct fg_optset){ fg_output_opts, o, PLUGIN_OUTPUT_GROUPS,
				      "\nOutputs and graphs:" };
}

void flame_cfg__help(FILE *fp)
{
	struct fg_optset sets[NSETS];
	struct flame_cfg c;
	struct fg_opts o;

	memset(&c, 0, sizeof(c));
	memset(&o, 0, sizeof(o));
	fprintf(fp,
		"flame.so — flame graphs from perf.data in one perf script pass\n\n"
		"usage: perf script --dlfilter flame.so [--dlarg KEY=VALUE]...\n"
		"       perf script -s flame.so [KEY=VALUE | --KEY VALUE]...   (patched perf)\n\n");
	optsets(&c, &o, sets);
	fg_optset__help(sets, NSETS, "", fp);
	fprintf(fp,
		"\nWith no out=, writes flame.svg in the current directory.\n"
		"perf's own --time, --cpu, --pid, --tid, --comm filter before flame.so sees samples.\n"
		"Docs: docs/plugin.md\n");
}

/* The index of value among words (NULL-terminated), else one line and
 * -EINVAL. */
static int pick(const char *opt, const char *value, const char *const *words,
		const char *expects)
{
	int i;

	for (i = 0; words[i]; i++)
		if (!strcmp(value, words[i]))
			return i;
	fprintf(stderr, "flame.so: option '%s=%s': expects %s\n", opt, value,
		expects);
	return -EINVAL;
}

static int parse_idlist(const char *opt, const char *s, struct idlist *l)
{
	const char *p = s;

	while (*p) {
		char *end;
		long v = strtol(p, &end, 10);
		int *nv;

		if (end == p || v < -1 || v > 0x7fffffff || (*end && *end != ',')) {
			fprintf(stderr, "flame.so: option '%s=%s': expects a comma-separated list of numbers\n",
				opt, s);
			return -EINVAL;
		}
		nv = realloc(l->v, (l->n + 1) * sizeof(*nv));
		if (!nv)
			return -ENOMEM;
		l->v = nv;
		l->v[l->n++] = (int)v;
		p = *end ? end + 1 : end;
	}
	return 0;
}

static bool is_boolish(const char *s)
{
	static const char *const w[] = { "1", "0", "on", "off", "yes", "no",
					 "true", "false" };
	size_t i;

	for (i = 0; i < sizeof(w) / sizeof(w[0]); i++)
		if (!strcmp(s, w[i]))
			return true;
	return false;
}

/* pid=1 / tid=1: naming (stackcollapse's --pid/--tid); other values select. */
static int pid_or_naming(const char *opt, const char *s, bool *flag,
			 struct idlist *l)
{
	if (is_boolish(s)) {
		*flag = !strcmp(s, "1") || !strcmp(s, "on") ||
			!strcmp(s, "yes") || !strcmp(s, "true");
		return 0;
	}
	return parse_idlist(opt, s, l);
}

/*
 * The events whose samples draw stacks in an off-CPU mode: a field= filter
 * on another event would select nothing (offcpu.c reads them for times).
 */
static bool draws_stacks(const struct flame_cfg *c, const char *ev)
{
	if (!strcmp(ev, "sched:sched_switch"))
		return true;
	if (!strcmp(ev, "sched:sched_waking") || !strcmp(ev, "sched:sched_wakeup"))
		return c->off.mode == FG_MODE_WAKEUP || c->off.mode == FG_MODE_OFFWAKE;
	return c->off.mode == FG_MODE_WALL && strncmp(ev, "sched:", 6);
}

static int parse_fields(struct flame_cfg *c)
{
	struct fg_buf err = FG_BUF_INIT;
	size_t i;
	int ret;

	c->tpf = fg_tpf__new();
	if (!c->tpf)
		return -ENOMEM;
	for (i = 0; i < c->fields.n; i++) {
		const char *ev;

		ret = fg_tpf__add(c->tpf, c->fields.v[i], &err);
		if (ret == -EINVAL)
			fprintf(stderr, "flame.so: option 'field=%s': %s\n",
				c->fields.v[i], err.buf);
		fg_buf__release(&err);
		if (ret)
			return ret;
		ev = fg_tpf__event(c->tpf, i);
		if (c->off.mode == FG_MODE_CPU && ev && !c->event) {
			/* the graph is of the event the filter names */
			c->event = strdup(ev);
			if (!c->event)
				return -ENOMEM;
		} else if (c->off.mode == FG_MODE_CPU && ev && strcmp(ev, c->event)) {
			fprintf(stderr, "flame.so: option 'field=%s': the graph is of event=%s only, whose samples this filter never sees\n",
				c->fields.v[i], c->event);
			return -EINVAL;
		}
		if (c->off.mode != FG_MODE_CPU && ev && !draws_stacks(c, ev)) {
			fprintf(stderr, "flame.so: option 'field=%s': mode=%s draws no stack from %s samples (filter sched:sched_switch for blocks%s)\n",
				c->fields.v[i], c->mode_s, ev,
				c->off.mode == FG_MODE_WAKEUP || c->off.mode == FG_MODE_OFFWAKE ?
				", sched:sched_waking or sched:sched_wakeup for wakers" :
				"; wakers in mode=wakeup or offwake");
			return -EINVAL;
		}
	}
	return 0;
}

static int derive(struct flame_cfg *c)
{
	const char *err = NULL;
	int ret;

	c->show_pid = c->sel.show_pid;
	c->show_tid = c->sel.show_tid;
	c->kernel_only = c->sel.kernel_only;
	c->user_only = c->sel.user_only;
	c->addrs = c->sel.addrs;
	if (c->pid_s && (ret = pid_or_naming("pid", c->pid_s, &c->show_pid, &c->pids)))
		return ret;
	if (c->tid_s && (ret = pid_or_naming("tid", c->tid_s, &c->show_tid, &c->tids)))
		return ret;
	if (c->cpu_s && (ret = parse_idlist("cpu", c->cpu_s, &c->cpus)))
		return ret;
	if (fg_naming_args__derive(&c->sel, &c->names, &err)) {
		fprintf(stderr, "flame.so: %s\n", err);
		return -EINVAL;
	}
	if (c->weight_s) {
		static const char *const w[] = { "samples", "count", "period", NULL };

		if ((ret = pick("weight", c->weight_s, w, "samples or period")) < 0)
			return ret;
		c->weight_period = ret == 2;
	}
	if (c->group_s) {
		static const char *const g[] = { "none", "container", NULL };

		if ((ret = pick("group", c->group_s, g, "container or none")) < 0)
			return ret;
		c->group_container = ret == 1;
	}
	if (c->unwind_s) {
		/* in enum unwind's order */
		static const char *const u[] = { "auto", "raw", "check", NULL };

		if ((ret = pick("unwind", c->unwind_s, u, "auto, raw or check")) < 0)
			return ret;
		c->unwind = ret;
	}
	if ((ret = offcpu_cfg__derive(c)))	/* mode=wall sets show_tid */
		return ret;
	if (c->fields.n && (ret = parse_fields(c)))
		return ret;
	c->names.addrs = c->addrs;
	c->names.pid = c->show_pid || c->show_tid;
	c->names.tid = c->show_tid;
	c->jit.maps_dir = c->maps;
	c->jit.rootfs = c->rootfs;
	c->jit.no_live = c->no_live;
	c->jit.no_host = c->no_host;
	return 0;
}


static int set_one(const struct fg_optset *sets, const char *key,
		   const char *val, const char *word)
{
	const struct fg_optset *set;
	const char *err = NULL;
	int ret = -ENOENT;

	if (fg_optset__find(sets, NSETS, key, 0, &set))
		ret = fg_opt__set(set->table, set->base, key, val, &err);
	if (ret == -ENOENT) {
		fprintf(stderr, "flame.so: unknown option '%s' (--dlarg help lists the options)\n",
			word);
		return -EINVAL;
	}
	if (ret) {
		fprintf(stderr, "flame.so: option '%s': %s\n", word,
			err ? err : strerror(-ret));
		return -EINVAL;
	}
	return 0;
}

int flame_cfg__parse(struct flame_cfg *c, struct fg_opts *o, int argc,
		     char **argv)
{
	struct fg_optset sets[NSETS];
	int i, ret;

	optsets(c, o, sets);
	for (i = 0; i < argc; i++) {
		const char *a = argv[i], *eq;
		char key[64];
		size_t klen;

		if (!strcmp(a, "help") || !strcmp(a, "--help") || !strcmp(a, "-h"))
			return FLAME_HELP;
		if (a[0] == '-' && a[1] == '-') {	/* -s style */
			const struct fg_opt_desc *d;
			const char *val = NULL;

			a += 2;
			eq = strchr(a, '=');
			klen = eq ? (size_t)(eq - a) : strlen(a);
			if (klen >= sizeof(key))
				goto unknown;
			memcpy(key, a, klen);
			key[klen] = '\0';
			d = fg_optset__find(sets, NSETS, key, 0, NULL);
			if (!d && !eq && !strncmp(key, "no-", 3)) {
				d = fg_optset__find(sets, NSETS, key + 3, 0, NULL);
				if (!d || d->type != FG_OPT_BOOL)
					goto unknown;
				ret = set_one(sets, key + 3, "off", argv[i]);
				if (ret)
					return ret;
				continue;
			}
			if (!d)
				goto unknown;
			if (eq)
				val = eq + 1;
			else if (d->type != FG_OPT_BOOL && d->type != FG_OPT_OPTSTR) {
				if (i + 1 >= argc) {
					fprintf(stderr, "flame.so: option '%s' needs a value\n",
						argv[i]);
					return -EINVAL;
				}
				val = argv[++i];
			}
			ret = set_one(sets, key, val, argv[i]);
		} else {
			eq = strchr(a, '=');
			klen = eq ? (size_t)(eq - a) : strlen(a);
			if (klen >= sizeof(key) || !klen)
				goto unknown;
			memcpy(key, a, klen);
			key[klen] = '\0';
			if (!eq) {
				const struct fg_opt_desc *d =
					fg_optset__find(sets, NSETS, key, 0, NULL);

				if (!d || (d->type != FG_OPT_BOOL && d->type != FG_OPT_OPTSTR)) {
					fprintf(stderr, "flame.so: malformed option '%s': expects key=value\n",
						a);
					return -EINVAL;
				}
			}
			ret = set_one(sets, key, eq ? eq + 1 : NULL, a);
		}
		if (ret)
			return ret;
		continue;
unknown:
		fprintf(stderr, "flame.so: unknown option '%s' (--dlarg help lists the options)\n",
			argv[i]);
		return -EINVAL;
	}
	return derive(c);
}

/*
 * perf script options that neither drop nor change a sample between
 * filter_event_early() and filter_event() (builtin-script.c's
 * process_sample_event: --time, --cpu, --comms, --pid, --tid, --dsos,
 * --symbols, --graph-function, --switch-on/off, -D... all act there).
 * The second column: the option takes the next word as its value.
 */
static const struct {
	const char *name;
	bool value;
} early_safe[] = {
	{ "-i", true }, { "--input", true }, { "--dlfilter", true },
	{ "--dlarg", true }, { "-k", true }, { "--vmlinux", true },
	{ "--kallsyms", true }, { "--symfs", true }, { "-F", true },
	{ "--fields", true }, { "--max-stack", true },
	{ "-f", false }, { "--force", false }, { "-v", false },
	{ "--verbose", false }, { "-q", false }, { "--quiet", false },
	{ "-G", false }, { "--hide-call-graph", false }, { "-I", false },
	{ "--show-info", false }, { "--ns", false }, { "--reltime", false },
	{ "--deltatime", false }, { "--demangle", false },
	{ "--no-demangle", false }, { "--demangle-kernel", false },
	{ "--no-demangle-kernel", false }, { "--inline", false },
	{ "--no-inline", false }, { "--full-source-path", false },
	{ "-a", false }, { "--all-cpus", false },
};

static bool early_word(const char *w, bool *value)
{
	size_t i, n = strcspn(w, "=");

	for (i = 0; i < sizeof(early_safe) / sizeof(early_safe[0]); i++) {
		const char *o = early_safe[i].name;

		if (strlen(o) == n && !strncmp(w, o, n)) {
			*value = early_safe[i].value && !w[n];
			return true;
		}
		/* -iFILE, -Fip,sym, -kVMLINUX */
		if (early_safe[i].value && o[1] != '-' && !strncmp(w, o, 2) && w[2]) {
			*value = false;
			return true;
		}
	}
	return false;
}

bool flame_perf_filters_nothing(void)
{
	char buf[65536], *p, *end;
	bool in_script = false, value;
	ssize_t n;
	int fd = open("/proc/self/cmdline", O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return false;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0 || n == sizeof(buf) - 1)
		return false;
	buf[n] = '\0';
	end = buf + n;
	for (p = buf + strlen(buf) + 1; p < end; p += strlen(p) + 1) {
		if (!in_script) {	/* perf's own options come first */
			in_script = !strcmp(p, "script");
			continue;
		}
		/* perf-patches 0001: the words after -s FILE.so are ours */
		if (!strcmp(p, "-s") || !strcmp(p, "--script"))
			return true;
		if (!early_word(p, &value))
			return false;
		if (value)
			p += strlen(p) + 1;
	}
	return in_script;
}
