// SPDX-License-Identifier: GPL-2.0
/*
 * Options and output plumbing: fg_opt__set over fg_output_opts for every
 * option type (string, list, int, u64, double, pixel-or-percent, bool),
 * '-'/'_' spelling, errors and their messages, help text, a caller's own
 * table; fg_output__find / __for_path; fg_output__write_file writing
 * through a temporary file renamed into place, leaving nothing behind on
 * failure (a failing backend, a failing write(), a missing directory).
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include <cmocka.h>

#include <flame/flame.h>

static int set(struct fg_opts *o, const char *k, const char *v,
	       const char **err)
{
	*err = NULL;
	return fg_opt__set(fg_output_opts, o, k, v, err);
}

static void test_defaults(void **state)
{
	struct fg_opts o;

	(void)state;
	memset(&o, 0x5a, sizeof(o));
	fg_opts__init(&o);
	assert_int_equal(o.width, 1200);
	assert_int_equal(o.height, 16);
	assert_true(o.fontsize == 12.0);
	assert_true(o.fontwidth == 0.59);
	assert_true(o.minwidth == 0.1);
	assert_true(o.minwidth_pct == 0.0);
	assert_true(o.hash);
	assert_false(o.random);
	assert_false(o.inverted);
	assert_true(o.factor == 1.0);
	assert_int_equal(o.rows, 0);	/* follow the sample rate */
	assert_int_equal(o.total, 0);
	assert_null(o.title);
	assert_null(o.out.v);
	assert_int_equal(o.out.n, 0);
	fg_opts__release(&o);
}

static void test_strings_and_lists(void **state)
{
	struct fg_opts o;
	const char *err;

	(void)state;
	fg_opts__init(&o);
	assert_int_equal(set(&o, "title", "first", &err), 0);
	assert_int_equal(set(&o, "title", "My <graph> & \"x\"", &err), 0);
	assert_string_equal(o.title, "My <graph> & \"x\"");
	assert_int_equal(set(&o, "title", "", &err), 0);
	assert_string_equal(o.title, "");
	assert_int_equal(set(&o, "out", "a.svg", &err), 0);
	assert_int_equal(set(&o, "out", "b.folded", &err), 0);
	assert_int_equal(set(&o, "out", "-", &err), 0);
	assert_int_equal(o.out.n, 3);
	assert_string_equal(o.out.v[0], "a.svg");
	assert_string_equal(o.out.v[1], "b.folded");
	assert_string_equal(o.out.v[2], "-");
	/* strings need a value */
	assert_int_equal(set(&o, "title", NULL, &err), -EINVAL);
	assert_string_equal(err, "needs a value");
	assert_string_equal(o.title, "");
	assert_int_equal(set(&o, "out", NULL, &err), -EINVAL);
	assert_int_equal(o.out.n, 3);
	fg_opts__release(&o);
	assert_null(o.title);
	assert_null(o.out.v);
	assert_int_equal(o.out.n, 0);
}

static void test_int(void **state)
{
	static const char *const bad[] = {
		"-1", "", "12abc", "2147483648", "1.5", "abc", "99999999999999999999",
	};
	struct fg_opts o;
	const char *err;
	size_t i;

	(void)state;
	fg_opts__init(&o);
	assert_int_equal(set(&o, "width", "800", &err), 0);
	assert_int_equal(o.width, 800);
	assert_int_equal(set(&o, "width", "0", &err), 0);
	assert_int_equal(o.width, 0);
	assert_int_equal(set(&o, "width", "2147483647", &err), 0);
	assert_int_equal(o.width, 2147483647);
	assert_int_equal(set(&o, "height", "0x10", &err), 0);
	assert_int_equal(o.height, 16);
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		assert_int_equal(set(&o, "width", bad[i], &err), -EINVAL);
		assert_string_equal(err,
			"expects a whole number from 0 to 2147483647");
		/* a refused value leaves the old one */
		assert_int_equal(o.width, 2147483647);
	}
	assert_int_equal(set(&o, "rows", NULL, &err), -EINVAL);
	assert_string_equal(err, "needs a value");
	fg_opts__release(&o);
}

/* FG_OPT_U64 through a table of its own (no output option is one) */
struct u64_holder {
	uint64_t n;
};

static const struct fg_opt_desc u64_opts[] = {
	{ "n", FG_OPT_U64, offsetof(struct u64_holder, n), NULL, "a count", 0 },
	{ NULL },
};

static void test_u64(void **state)
{
	static const char *const bad[] = {
		"-1", "", "18446744073709551616", "12 ", "1e3", "x",
	};
	struct u64_holder h = { 0 };
	const char *err;
	size_t i;

	(void)state;
	assert_int_equal(fg_opt__set(u64_opts, &h, "n", "18446744073709551615", &err), 0);
	assert_true(h.n == UINT64_MAX);
	assert_int_equal(fg_opt__set(u64_opts, &h, "n", "4294967296", &err), 0);
	assert_true(h.n == 4294967296ULL);
	assert_int_equal(fg_opt__set(u64_opts, &h, "n", "0", &err), 0);
	assert_true(h.n == 0);
	assert_int_equal(fg_opt__set(u64_opts, &h, "n", "12345", &err), 0);
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		assert_int_equal(fg_opt__set(u64_opts, &h, "n", bad[i], &err), -EINVAL);
		assert_string_equal(err, "expects a whole number");
		assert_true(h.n == 12345);
	}
}

static void test_double(void **state)
{
	static const char *const bad[] = {
		"-0.1", "", "nan", "inf", "1,5", "0.5%", "1e999",
	};
	struct fg_opts o;
	const char *err;
	size_t i;

	(void)state;
	fg_opts__init(&o);
	assert_int_equal(set(&o, "fontsize", "9.5", &err), 0);
	assert_true(o.fontsize == 9.5);
	assert_int_equal(set(&o, "factor", "1e3", &err), 0);
	assert_true(o.factor == 1000.0);
	assert_int_equal(set(&o, "factor", "0", &err), 0);
	assert_true(o.factor == 0.0);
	/* --total takes what flamegraph.pl takes: a count, fractional too */
	assert_int_equal(set(&o, "total", "1234.5", &err), 0);
	assert_true(o.total == 1234.5);
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		assert_int_equal(set(&o, "fontsize", bad[i], &err), -EINVAL);
		assert_string_equal(err, "expects a non-negative number");
		assert_true(o.fontsize == 9.5);
	}
	fg_opts__release(&o);
}

static void test_pct(void **state)
{
	static const char *const bad[] = {
		"-1", "", "%", "5%%", "100.5%", "abc", "0.5px", "nan", "inf%",
		"-0.1%",
	};
	struct fg_opts o;
	const char *err;
	size_t i;

	(void)state;
	fg_opts__init(&o);
	/* pixels: first double, percentage cleared */
	assert_int_equal(set(&o, "minwidth", "0.5", &err), 0);
	assert_true(o.minwidth == 0.5);
	assert_true(o.minwidth_pct == 0.0);
	/* percentage: second double, pixels cleared */
	assert_int_equal(set(&o, "minwidth", "0.1%", &err), 0);
	assert_true(o.minwidth == 0.0);
	assert_true(o.minwidth_pct == 0.1);
	assert_int_equal(set(&o, "minwidth", "100%", &err), 0);
	assert_true(o.minwidth_pct == 100.0);
	assert_int_equal(set(&o, "minwidth", "250", &err), 0);
	assert_true(o.minwidth == 250.0);
	assert_true(o.minwidth_pct == 0.0);
	assert_int_equal(set(&o, "minwidth", "3%", &err), 0);
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		assert_int_equal(set(&o, "minwidth", bad[i], &err), -EINVAL);
		assert_string_equal(err,
			"expects pixels (0.5) or a percentage (0.1%)");
		assert_true(o.minwidth == 0.0);
		assert_true(o.minwidth_pct == 3.0);
	}
	fg_opts__release(&o);
}

static void test_bool(void **state)
{
	static const char *const yes[] = { "on", "yes", "1", "true", "y" };
	static const char *const no[] = { "off", "no", "0", "false", "n" };
	static const char *const bad[] = { "", "maybe", "2", "onn", "-1" };
	struct fg_opts o;
	const char *err;
	size_t i;

	(void)state;
	fg_opts__init(&o);
	for (i = 0; i < 5; i++) {
		assert_int_equal(set(&o, "inverted", yes[i], &err), 0);
		assert_true(o.inverted);
		assert_int_equal(set(&o, "inverted", no[i], &err), 0);
		assert_false(o.inverted);
	}
	/* a bare flag means on */
	assert_int_equal(set(&o, "reverse", NULL, &err), 0);
	assert_true(o.reverse);
	assert_int_equal(set(&o, "hash", "off", &err), 0);
	assert_false(o.hash);
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		assert_int_equal(set(&o, "reverse", bad[i], &err), -EINVAL);
		assert_string_equal(err, "expects on/off, yes/no, 1/0");
		assert_true(o.reverse);
	}
	fg_opts__release(&o);
}

static void test_names(void **state)
{
	struct fg_opts o;
	const char *err;

	(void)state;
	fg_opts__init(&o);
	/* '-' and '_' are the same character in keys, either way round */
	assert_int_equal(set(&o, "search_color", "red", &err), 0);
	assert_string_equal(o.search_color, "red");
	assert_int_equal(set(&o, "search-color", "blue", &err), 0);
	assert_string_equal(o.search_color, "blue");
	assert_int_equal(set(&o, "strip_hex", NULL, &err), 0);
	assert_true(o.strip_hex);
	assert_ptr_equal(fg_opt__find(fg_output_opts, "strip_hex"),
			 fg_opt__find(fg_output_opts, "strip-hex"));
	assert_non_null(fg_opt__find(fg_output_opts, "strip-hex"));
	/* no prefixes, no extensions, no case folding, no other punctuation */
	assert_null(fg_opt__find(fg_output_opts, "search"));
	assert_null(fg_opt__find(fg_output_opts, "search-colorx"));
	assert_null(fg_opt__find(fg_output_opts, "Width"));
	assert_null(fg_opt__find(fg_output_opts, "search.color"));
	assert_null(fg_opt__find(fg_output_opts, ""));
	assert_int_equal(set(&o, "nosuch", "1", &err), -ENOENT);
	assert_string_equal(err, "unknown option");
	assert_int_equal(set(&o, "widt", "1", &err), -ENOENT);
	/* err may be NULL */
	assert_int_equal(fg_opt__set(fg_output_opts, &o, "width", "x", NULL),
			 -EINVAL);
	assert_int_equal(fg_opt__set(fg_output_opts, &o, "zz", "x", NULL),
			 -ENOENT);
	fg_opts__release(&o);
}

struct mine {
	int n;
	char *s;
	bool b;
};

static void test_own_table(void **state)
{
	static const struct fg_opt_desc tab[] = {
		{ "my_n", FG_OPT_INT, offsetof(struct mine, n), "3", "a number",
		  FG_GRP_GRAPH },
		{ "my-s", FG_OPT_STR, offsetof(struct mine, s), NULL, "text",
		  FG_GRP_DIFF },
		{ "flag", FG_OPT_BOOL, offsetof(struct mine, b), "off", "a flag", 0 },
		{ NULL },
	};
	struct mine m = { 0 };
	const char *err = NULL;
	char buf[2048] = { 0 };
	FILE *fp;

	/* groups: a command sees only its own; 0 = every command */
	assert_non_null(fg_opt__find_in(tab, FG_GRP_GRAPH, "my_n"));
	assert_null(fg_opt__find_in(tab, FG_GRP_GRAPH, "my-s"));
	assert_non_null(fg_opt__find_in(tab, FG_GRP_DIFF | FG_GRP_GRAPH, "my-s"));
	assert_non_null(fg_opt__find_in(tab, FG_GRP_HEATMAP, "flag"));
	fp = fmemopen(buf, sizeof(buf), "w");
	fg_opt__help_groups(tab, FG_GRP_DIFF, "--", fp);
	fclose(fp);
	assert_null(strstr(buf, "--my_n"));
	assert_non_null(strstr(buf, "--my-s"));
	assert_non_null(strstr(buf, "--flag"));
	memset(buf, 0, sizeof(buf));

	(void)state;
	assert_int_equal(fg_opt__set(tab, &m, "my-n", "42", &err), 0);
	assert_int_equal(m.n, 42);
	assert_int_equal(fg_opt__set(tab, &m, "my_s", "hi", &err), 0);
	assert_string_equal(m.s, "hi");
	assert_int_equal(fg_opt__set(tab, &m, "flag", NULL, &err), 0);
	assert_true(m.b);
	/* the output table's keys are not in this one */
	assert_int_equal(fg_opt__set(tab, &m, "width", "1", &err), -ENOENT);
	free(m.s);

	fp = tmpfile();
	assert_non_null(fp);
	fg_opt__help(tab, "", fp);
	rewind(fp);
	assert_true(fread(buf, 1, sizeof(buf) - 1, fp) > 0);
	fclose(fp);
	assert_string_equal(buf,
		"  my_n=N                 a number [default: 3]\n"
		"  my-s=TEXT              text\n"
		"  flag=0|1               a flag [default: off]\n");

	memset(buf, 0, sizeof(buf));
	fp = tmpfile();
	fg_opt__help(tab, "--", fp);
	rewind(fp);
	assert_true(fread(buf, 1, sizeof(buf) - 1, fp) > 0);
	fclose(fp);
	assert_string_equal(buf,
		"  --my_n N               a number [default: 3]\n"
		"  --my-s TEXT            text\n"
		"  --flag                 a flag [default: off]\n");
}

static void test_help_lists_every_option(void **state)
{
	const struct fg_opt_desc *d;
	char *buf = NULL;
	size_t len = 0, n = 0;
	FILE *fp = open_memstream(&buf, &len);

	(void)state;
	assert_non_null(fp);
	fg_opt__help(fg_output_opts, "", fp);
	fclose(fp);
	for (d = fg_output_opts; d->name; d++) {
		char want[80];

		snprintf(want, sizeof(want), "\n  %s=", d->name);
		/* the first line has no leading newline */
		if (d == fg_output_opts)
			assert_memory_equal(buf, want + 1, strlen(want + 1));
		else
			assert_non_null(strstr(buf, want));
		n++;
	}
	assert_non_null(strstr(buf, "  width=N "));
	assert_non_null(strstr(buf, "[default: 1200]"));
	assert_non_null(strstr(buf, "  minwidth=X[%] "));
	assert_non_null(strstr(buf, "(repeatable)"));
	/* one line per option */
	{
		size_t lines = 0;
		char *p;

		for (p = buf; *p; p++)
			lines += *p == '\n';
		assert_int_equal(lines, n);
	}
	free(buf);
}

static void test_find_format(void **state)
{
	(void)state;
	assert_ptr_equal(fg_output__find("folded"), &fg_output_folded);
	assert_ptr_equal(fg_output__find("svg"), &fg_output_svg);
	assert_ptr_equal(fg_output__find("heatmap"), &fg_output_heatmap);
	assert_ptr_equal(fg_output__find("html"), &fg_output_heatmap);
	assert_null(fg_output__find("png"));
	assert_null(fg_output__find(""));

	assert_ptr_equal(fg_output__for_path("cpu.folded"), &fg_output_folded);
	assert_ptr_equal(fg_output__for_path("/a/b.c/cpu.txt"), &fg_output_folded);
	assert_ptr_equal(fg_output__for_path("x.collapsed"), &fg_output_folded);
	assert_ptr_equal(fg_output__for_path("-"), &fg_output_folded);
	assert_ptr_equal(fg_output__for_path("cpu.svg"), &fg_output_svg);
	assert_ptr_equal(fg_output__for_path("CPU.SVG"), &fg_output_svg);
	assert_ptr_equal(fg_output__for_path("h.html"), &fg_output_heatmap);
	assert_ptr_equal(fg_output__for_path("h.htm"), &fg_output_heatmap);
	assert_null(fg_output__for_path(".svg"));	/* extension only */
	assert_null(fg_output__for_path("cpu"));
	assert_null(fg_output__for_path("cpu.svg.gz"));
	assert_null(fg_output__for_path("cpusvg"));
	assert_null(fg_output__for_path("svg.png"));
	assert_null(fg_output__for_path(""));
	assert_false(fg_output_folded.needs_samples);
	assert_false(fg_output_svg.needs_samples);
	assert_true(fg_output_heatmap.needs_samples);
}

/* ---- atomic writes ---- */

static char dir[64];

static int dir_setup(void **state)
{
	(void)state;
	strcpy(dir, "/tmp/test_opts.XXXXXX");
	return mkdtemp(dir) ? 0 : -1;
}

static int dir_teardown(void **state)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	char p[512];

	(void)state;
	while (d && (e = readdir(d))) {
		if (e->d_name[0] == '.')
			continue;
		snprintf(p, sizeof(p), "%s/%s", dir, e->d_name);
		unlink(p);
	}
	if (d)
		closedir(d);
	return rmdir(dir);
}

/* Names in dir, sorted, ' '-separated. */
static void list_dir(char *out, size_t size)
{
	struct dirent **ents;
	int n, i;

	out[0] = '\0';
	n = scandir(dir, &ents, NULL, alphasort);
	assert_true(n >= 0);
	for (i = 0; i < n; i++) {
		if (ents[i]->d_name[0] != '.') {
			if (out[0])
				strncat(out, " ", size - strlen(out) - 1);
			strncat(out, ents[i]->d_name, size - strlen(out) - 1);
		}
		free(ents[i]);
	}
	free(ents);
}

static char *slurp(const char *path)
{
	FILE *fp = fopen(path, "r");
	char *b = calloc(1, 65536);

	assert_non_null(fp);
	assert_non_null(b);
	assert_true(fread(b, 1, 65535, fp) < 65535);
	fclose(fp);
	return b;
}

static struct fg_profile *small_profile(void)
{
	struct fg_profile *p = fg_profile__new();
	uint32_t f[2];

	f[0] = fg_profile__intern(p, "main", 4);
	f[1] = fg_profile__intern(p, "work", 4);
	assert_int_equal(fg_profile__add(p, f, 2, 7, 0), 0);
	assert_int_equal(fg_profile__add(p, f, 1, 2, 0), 0);
	return p;
}

static int nr_fds(void)
{
	DIR *d = opendir("/proc/self/fd");
	struct dirent *e;
	int n = 0;

	assert_non_null(d);
	while ((e = readdir(d)))
		n += e->d_name[0] != '.';
	closedir(d);
	return n;
}

static void test_write_file_ok(void **state)
{
	struct fg_profile *p = small_profile();
	char path[128], names[512], *got;
	struct stat before, after;
	struct fg_opts o;
	int oldfd, fds;
	char oldbuf[16] = { 0 };
	FILE *fp;

	(void)state;
	fg_opts__init(&o);
	snprintf(path, sizeof(path), "%s/cpu.folded", dir);
	fds = nr_fds();
	assert_int_equal(fg_output__write_file(&fg_output_folded, path, p, &o), 0);
	got = slurp(path);
	assert_string_equal(got, "main 2\nmain;work 7\n");
	free(got);
	list_dir(names, sizeof(names));
	assert_string_equal(names, "cpu.folded");	/* no temp left */
	assert_int_equal(nr_fds(), fds);

	/* replace an existing file: a new inode renamed over the old one,
	 * while a reader of the old file still sees the old bytes */
	fp = fopen(path, "w");
	fputs("OLD\n", fp);
	fclose(fp);
	oldfd = open(path, O_RDONLY);
	assert_true(oldfd >= 0);
	assert_int_equal(fstat(oldfd, &before), 0);
	assert_int_equal(fg_output__write_file(&fg_output_folded, path, p, &o), 0);
	assert_int_equal(stat(path, &after), 0);
	assert_true(before.st_ino != after.st_ino);
	assert_int_equal(pread(oldfd, oldbuf, sizeof(oldbuf) - 1, 0), 4);
	assert_string_equal(oldbuf, "OLD\n");
	close(oldfd);
	got = slurp(path);
	assert_string_equal(got, "main 2\nmain;work 7\n");
	free(got);
	assert_int_equal(after.st_mode & 0777, 0644 & ~umask(022));
	list_dir(names, sizeof(names));
	assert_string_equal(names, "cpu.folded");
	unlink(path);
	fg_profile__delete(p);
	fg_opts__release(&o);
}

static int failing_write(struct fg_buf *buf, const struct fg_profile *p,
			 const struct fg_opts *o)
{
	(void)p;
	(void)o;
	/* half a graph, then an error */
	fg_buf__adds(buf, "<svg partial");
	return -EIO;
}

static const struct fg_output_ops failing_ops = {
	.name = "failing",
	.write = failing_write,
};

static void test_write_file_backend_fails(void **state)
{
	struct fg_profile *p = small_profile();
	char path[128], names[512], *got;
	struct fg_opts o;
	FILE *fp;

	(void)state;
	fg_opts__init(&o);
	snprintf(path, sizeof(path), "%s/g.svg", dir);
	assert_int_equal(fg_output__write_file(&failing_ops, path, p, &o), -EIO);
	list_dir(names, sizeof(names));
	assert_string_equal(names, "");		/* no file, no temp */

	/* an existing graph survives a failed run untouched */
	fp = fopen(path, "w");
	fputs("good old graph\n", fp);
	fclose(fp);
	assert_int_equal(fg_output__write_file(&failing_ops, path, p, &o), -EIO);
	got = slurp(path);
	assert_string_equal(got, "good old graph\n");
	free(got);
	list_dir(names, sizeof(names));
	assert_string_equal(names, "g.svg");
	unlink(path);

	/* a missing directory: an error, nothing created */
	snprintf(path, sizeof(path), "%s/nodir/g.folded", dir);
	assert_int_equal(fg_output__write_file(&fg_output_folded, path, p, &o),
			 -ENOENT);
	list_dir(names, sizeof(names));
	assert_string_equal(names, "");
	fg_profile__delete(p);
	fg_opts__release(&o);
}

static int big_write(struct fg_buf *buf, const struct fg_profile *p,
		     const struct fg_opts *o)
{
	(void)p;
	(void)o;
	/* 256 KiB: more than the file size limit set below */
	if (fg_buf__grow(buf, 256 * 1024))
		return -ENOMEM;
	memset(buf->buf, 'x', 256 * 1024);
	buf->len = 256 * 1024;
	buf->buf[buf->len] = '\0';
	return 0;
}

static const struct fg_output_ops big_ops = {
	.name = "big",
	.write = big_write,
};

/*
 * write() itself fails half way (file size limit: EFBIG): the call fails,
 * the temporary file is removed, no file appears, no descriptor leaks.
 * Run in a child so the limit does not outlive the test.
 */
static void test_write_file_write_fails(void **state)
{
	char path[128], names[512];
	pid_t pid;
	int status;

	(void)state;
	snprintf(path, sizeof(path), "%s/big.folded", dir);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		struct rlimit rl = { 64 * 1024, 64 * 1024 };
		struct fg_profile *p = fg_profile__new();
		struct fg_opts o;
		int fds, ret;

		fg_opts__init(&o);
		signal(SIGXFSZ, SIG_IGN);
		if (setrlimit(RLIMIT_FSIZE, &rl))
			_exit(10);
		fds = nr_fds();
		ret = fg_output__write_file(&big_ops, path, p, &o);
		if (ret != -EFBIG)
			_exit(11);
		if (nr_fds() != fds)
			_exit(12);	/* the temp file's fd leaked */
		fg_profile__delete(p);
		fg_opts__release(&o);
		_exit(0);
	}
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 0);
	list_dir(names, sizeof(names));
	assert_string_equal(names, "");
}

static void test_write_stdout(void **state)
{
	struct fg_profile *p = small_profile();
	struct fg_opts o;
	char got[128] = { 0 };
	int saved, fd;
	FILE *tmp = tmpfile();

	(void)state;
	fg_opts__init(&o);
	assert_non_null(tmp);
	fflush(stdout);
	saved = dup(STDOUT_FILENO);
	fd = fileno(tmp);
	assert_true(dup2(fd, STDOUT_FILENO) >= 0);
	assert_int_equal(fg_output__write_file(&fg_output_folded, "-", p, &o), 0);
	assert_true(dup2(saved, STDOUT_FILENO) >= 0);
	close(saved);
	assert_int_equal(pread(fd, got, sizeof(got) - 1, 0), 19);
	assert_string_equal(got, "main 2\nmain;work 7\n");
	fclose(tmp);
	fg_profile__delete(p);
	fg_opts__release(&o);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_defaults),
		cmocka_unit_test(test_strings_and_lists),
		cmocka_unit_test(test_int),
		cmocka_unit_test(test_u64),
		cmocka_unit_test(test_double),
		cmocka_unit_test(test_pct),
		cmocka_unit_test(test_bool),
		cmocka_unit_test(test_names),
		cmocka_unit_test(test_own_table),
		cmocka_unit_test(test_help_lists_every_option),
		cmocka_unit_test(test_find_format),
		cmocka_unit_test(test_write_file_ok),
		cmocka_unit_test(test_write_file_backend_fails),
		cmocka_unit_test(test_write_file_write_fails),
		cmocka_unit_test(test_write_stdout),
	};

	umask(022);
	return cmocka_run_group_tests(tests, dir_setup, dir_teardown);
}
