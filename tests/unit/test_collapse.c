// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>
#include <cmocka.h>

#include <flame/collapse.h>
#include "collapse_int.h"

static void test_header(void **state)
{
	struct fg_collapse_header h;
	const char *l = "my prog 12/34 [001] 100.000000250:     250000 cpu-clock:u: ";

	assert_int_equal(fg_collapse__parse_header(l, strlen(l), &h), 0);
	assert_int_equal(h.comm_len, 7);
	assert_memory_equal(h.pid, "12", 2);
	assert_memory_equal(h.tid, "34", 2);
	assert_true(h.has_cpu);
	assert_true(h.has_time);
	assert_int_equal(h.time, 100000000250ULL);
	assert_int_equal(h.period, 250000);
	assert_int_equal(h.event_len, 11);
	assert_memory_equal(h.event, "cpu-clock:u", 11);

	l = "cw  9689   396.137461: cpu-clock: ";
	assert_int_equal(fg_collapse__parse_header(l, strlen(l), &h), 0);
	assert_memory_equal(h.pid, "?", 1);
	assert_memory_equal(h.tid, "9689", 4);
	assert_int_equal(h.time, 396137461000ULL);
	assert_int_equal(h.period, 0);

	l = "no numbers here";
	assert_int_equal(fg_collapse__parse_header(l, strlen(l), &h), -EINVAL);
}

static void test_frame(void **state)
{
	struct fg_collapse_frame f;
	const char *l = "\t    7f12 foo(int)+0x1f (/tmp/x (deleted))";

	assert_int_equal(fg_collapse__parse_frame(l, strlen(l), &f), 0);
	assert_int_equal(f.sym_len, 8);
	assert_memory_equal(f.sym, "foo(int)", 8);
	assert_int_equal(f.off_len, 5);
	assert_int_equal(f.dso_len, 16);
	assert_memory_equal(f.dso, "/tmp/x (deleted)", 16);

	l = "\t11a0 spin_a";	/* no dso */
	assert_int_equal(fg_collapse__parse_frame(l, strlen(l), &f), 0);
	assert_int_equal(f.sym_len, 6);
	assert_null(f.dso);

	l = "\t11a0  (/lib/libc.so.6)";	/* a nameless symbol */
	assert_int_equal(fg_collapse__parse_frame(l, strlen(l), &f), 0);
	assert_int_equal(f.sym_len, 0);
	assert_int_equal(f.dso_len, 14);

	l = "\tnonsense";
	assert_int_equal(fg_collapse__parse_frame(l, strlen(l), &f), -EINVAL);
}

static const char text[] =
	"p 1/1 [000] 1.000000001: 10 cpu-clock: \n"
	"\t1 leaf+0x1 (/bin/p)\n"
	"\t2 root (/bin/p)\n"
	"\n"
	"p 1/1 [000] 2.5: 30 cpu-clock: \n"
	"\t1 leaf+0x2 (/bin/p)\n"
	"\t2 root (/bin/p)\n"
	"\n"
	"p 1/1 [000] 3.0: 1 page-faults: \n"
	"\t2 root (/bin/p)\n"
	"\n";

static struct fg_reader *reader_for(const char *s, char *path)
{
	int fd;

	strcpy(path, "/tmp/test_collapse.XXXXXX");
	fd = mkstemp(path);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, s, strlen(s)), (ssize_t)strlen(s));
	close(fd);
	return fg_reader__open(path);
}

static void test_read_samples(void **state)
{
	struct fg_collapse_stats st;
	struct fg_collapse_opts o;
	const struct fg_sample *s;
	struct fg_profile *p = fg_profile__new();
	char path[64];
	struct fg_reader *r = reader_for(text, path);
	uint32_t frames[3];
	size_t nr;

	fg_collapse_opts__init(&o);
	o.weight = FG_WEIGHT_PERIOD;
	fg_profile__keep_samples(p, true);
	assert_int_equal(fg_collapse__read(p, r, &o, &st), 0);
	assert_int_equal(st.samples, 2);
	assert_int_equal(st.filtered, 1);
	assert_string_equal(st.first_event, "cpu-clock");
	assert_string_equal(st.other_event, "page-faults");
	assert_int_equal(fg_profile__total(p, 0), 40);
	s = fg_profile__samples(p, &nr);
	assert_int_equal(nr, 2);
	assert_int_equal(s[0].time, 1000000001ULL);
	assert_int_equal(s[1].time, 2500000000ULL);
	assert_int_equal(s[1].weight, 30);
	assert_int_equal(fg_profile__path(p, s[0].node, frames, 3), 3);
	assert_string_equal(fg_profile__name(p, frames[0]), "p");
	assert_string_equal(fg_profile__name(p, frames[1]), "root");
	assert_string_equal(fg_profile__name(p, frames[2]), "leaf");
	assert_int_equal(s[0].node, s[1].node);
	fg_reader__close(r);
	fg_profile__delete(p);
	unlink(path);
}

/*
 * A C++ function in an anonymous namespace, demangled by perf, is a
 * frame (a leading parenthesis otherwise marks a process name, skipped).
 * The plugin names such frames, so the text path must keep them too.
 */
static void test_anon_namespace(void **state)
{
	static const char anon[] =
		"node 123 [000] 1.000000: 1 cpu-clock: \n"
		"\t    7f0000001000 leaf_fn+0x10 (/usr/bin/node)\n"
		"\t    7f0000002000 (anonymous namespace)::_canonicalize+0x20 (/usr/bin/node)\n"
		"\t    7f0000004000 main+0x40 (/usr/bin/node)\n\n";
	struct fg_collapse_stats st;
	struct fg_collapse_opts o;
	const struct fg_sample *s;
	struct fg_profile *p = fg_profile__new();
	char path[64];
	struct fg_reader *r = reader_for(anon, path);
	uint32_t frames[5];
	size_t nr;

	(void)state;
	fg_collapse_opts__init(&o);
	fg_profile__keep_samples(p, true);
	assert_int_equal(fg_collapse__read(p, r, &o, &st), 0);
	s = fg_profile__samples(p, &nr);
	assert_int_equal(nr, 1);
	assert_int_equal(fg_profile__path(p, s[0].node, frames, 5), 4);
	assert_string_equal(fg_profile__name(p, frames[1]), "main");
	assert_string_equal(fg_profile__name(p, frames[2]),
			    "(anonymous namespace)::_canonicalize");
	assert_string_equal(fg_profile__name(p, frames[3]), "leaf_fn");
	fg_reader__close(r);
	fg_profile__delete(p);
	unlink(path);
}

/*
 * The reader memoizes a header's text before and after its time token and
 * parses the usual time token in one pass (collapse.c: parse_header with a
 * memo); fg_collapse__parse_header is the plain parser. On a text whose
 * headers repeat prefixes and tails in every mix, each kept sample must
 * carry what the plain parser makes of its header: time, period (weight),
 * process name, event (samples of other events filtered).
 */
static void test_header_memo(void **state)
{
	static const char *const comms[] = { "p", "my prog", "a b", "java" };
	static const char *const ids[] = { "12/34", "12/35", "9689", "7/7" };
	static const char *const cpus[] = { "", "[000] ", "[001] " };
	static const char *const evs[] = { "cpu-clock:", "cpu-clock:u:",
					   "page-faults:" };
	static const char *const fracs[] = { "000000250", "5", "", "1234567891",
					     "123456", "0" };
	enum { N = 4000 };
	struct fg_collapse_header h;
	struct fg_collapse_stats st;
	struct fg_collapse_opts o;
	const struct fg_sample *s;
	struct fg_profile *p = fg_profile__new();
	char path[64], line[256];
	struct fg_buf txt = FG_BUF_INIT;
	struct fg_reader *r;
	uint64_t *want_time, *want_w;
	char (*want_comm)[16];
	unsigned int seed = 1;
	size_t i, nr, kept = 0;
	char *c;
	uint32_t frames[3];

	(void)state;
	want_time = calloc(N, sizeof(*want_time));
	want_w = calloc(N, sizeof(*want_w));
	want_comm = calloc(N, sizeof(*want_comm));
	assert_non_null(want_time);
	assert_non_null(want_w);
	assert_non_null(want_comm);
	for (i = 0; i < N; i++) {
		int n;

		/* few distinct prefixes and tails, so the memo hits often */
		n = snprintf(line, sizeof(line), "%s %s %s%llu.%s: %8u %s ",
			     comms[rand_r(&seed) % 4], ids[rand_r(&seed) % 4],
			     cpus[rand_r(&seed) % 3],
			     rand_r(&seed) % 8 ? (unsigned long long)i / 7 :
			     12345678901ULL + i,
			     fracs[rand_r(&seed) % 6],
			     rand_r(&seed) % 3 ? 250000u : 1u + (unsigned)i,
			     evs[!i || rand_r(&seed) % 5 ? 0 : rand_r(&seed) % 3]);
		assert_true(n > 0 && n < (int)sizeof(line));
		assert_int_equal(fg_collapse__parse_header(line, (size_t)n, &h), 0);
		assert_true(h.has_time);
		assert_non_null(h.event);
		if (h.event_len == 9 && !memcmp(h.event, "cpu-clock", 9)) {
			assert_true(h.comm_len < sizeof(want_comm[0]));
			want_time[kept] = h.time;
			want_w[kept] = h.period;
			memcpy(want_comm[kept], h.comm, h.comm_len);
			/* the namer's process frame: blanks become '_' */
			for (c = want_comm[kept]; *c; c++)
				if (*c == ' ')
					*c = '_';
			kept++;
		}
		assert_int_equal(fg_buf__add(&txt, line, (size_t)n), 0);
		assert_int_equal(fg_buf__addf(&txt, "\n\t1 f%zu (/bin/x)\n\n",
					      i % 5), 0);
	}
	assert_int_equal(fg_buf__add(&txt, "", 1), 0);
	r = reader_for(txt.buf, path);
	fg_collapse_opts__init(&o);
	o.weight = FG_WEIGHT_PERIOD;
	fg_profile__keep_samples(p, true);
	assert_int_equal(fg_collapse__read(p, r, &o, &st), 0);
	s = fg_profile__samples(p, &nr);
	assert_int_equal(nr, kept);
	assert_int_equal(st.samples, kept);
	for (i = 0; i < nr; i++) {
		assert_int_equal(s[i].time, want_time[i]);
		assert_int_equal(s[i].weight, want_w[i]);
		assert_int_equal(fg_profile__path(p, s[i].node, frames, 3), 2);
		assert_string_equal(fg_profile__name(p, frames[0]), want_comm[i]);
	}
	fg_reader__close(r);
	fg_profile__delete(p);
	fg_buf__release(&txt);
	free(want_time);
	free(want_w);
	free(want_comm);
	unlink(path);
}

static void test_guess(void **state)
{
	char path[64];
	struct fg_reader *r = reader_for(text, path);

	assert_int_equal(fg_input__guess(r), FG_INPUT_PERF_SCRIPT);
	fg_reader__close(r);
	unlink(path);
	r = reader_for("a;b;c 12\na;b 3\n", path);
	assert_int_equal(fg_input__guess(r), FG_INPUT_FOLDED);
	fg_reader__close(r);
	unlink(path);
	r = reader_for("hello\nworld\n", path);
	assert_int_equal(fg_input__guess(r), FG_INPUT_UNKNOWN);
	fg_reader__close(r);
	unlink(path);
}

static char warned[512];

static int capture(enum fg_print_level level, const char *fmt, va_list ap)
{
	if (level == FG_WARN)
		vsnprintf(warned, sizeof(warned), fmt, ap);
	return 0;
}

/* Times, periods and period sums past 64 bits are refused, never wrapped. */
static void test_overflow(void **state)
{
	struct fg_collapse_header h;
	struct fg_collapse_stats st;
	struct fg_collapse_opts o;
	struct fg_profile *p;
	struct fg_reader *r;
	char path[64], want[128];
	const char *l;

	l = "p 1/1 [000] 18446744073.709551615: 1 cpu-clock: ";
	assert_int_equal(fg_collapse__parse_header(l, strlen(l), &h), 0);
	assert_int_equal(h.time, UINT64_MAX);
	l = "p 1/1 [000] 18446744074.000000: 1 cpu-clock: ";
	assert_int_equal(fg_collapse__parse_header(l, strlen(l), &h), -ERANGE);
	l = "p 1/1 [000] 1.0: 18446744073709551615 cpu-clock: ";
	assert_int_equal(fg_collapse__parse_header(l, strlen(l), &h), 0);
	assert_int_equal(h.period, UINT64_MAX);
	l = "p 1/1 [000] 1.0: 18446744073709551616 cpu-clock: ";
	assert_int_equal(fg_collapse__parse_header(l, strlen(l), &h), -ERANGE);

	fg_set_print(capture);
	p = fg_profile__new();
	r = reader_for("p 1/1 [000] 1.0: 4611686018427387000 cpu-clock: \n"
		       "\t1 a (/bin/p)\n"
		       "\n"
		       "p 1/1 [000] 2.0: 18446744073709551615 cpu-clock: \n"
		       "\t1 b (/bin/p)\n"
		       "\n"
		       "p 1/1 [000] 3.0: 5 cpu-clock: \n"
		       "\t1 c (/bin/p)\n"
		       "\n", path);
	fg_collapse_opts__init(&o);
	o.weight = FG_WEIGHT_PERIOD;
	warned[0] = '\0';
	assert_int_equal(fg_collapse__read(p, r, &o, &st), 0);
	assert_int_equal(st.samples, 2);
	assert_int_equal(fg_profile__total(p, 0), 4611686018427387005ULL);
	snprintf(want, sizeof(want), "%s:4: skipped 1 sample ", path);
	assert_non_null(strstr(warned, want));
	fg_reader__close(r);
	fg_profile__delete(p);
	unlink(path);
	fg_set_print(NULL);
}

/*
 * Samples are counted a few samples after they are read (their stacks
 * fetched into the cache meanwhile): every count of samples, around and
 * past that delay, with and without a closing blank line, still gives
 * every sample, in the order read, with its own stack and weight.
 */
static void test_pending_order(void **state)
{
	static const char *const leaf[] = { "a", "b", "a", "c", "a", "b", "d" };
	const unsigned int nleaf = sizeof(leaf) / sizeof(leaf[0]);
	struct fg_collapse_stats st;
	struct fg_collapse_opts o;
	const struct fg_sample *s;
	unsigned int n, i, blank;
	char path[64], buf[2048];
	uint32_t frames[3];
	size_t nr, len;

	for (blank = 0; blank < 2; blank++) {
		for (n = 1; n <= 2 * nleaf; n++) {
			struct fg_profile *p = fg_profile__new();
			struct fg_reader *r;
			uint64_t total = 0;

			len = 0;
			for (i = 0; i < n; i++) {
				len += snprintf(buf + len, sizeof(buf) - len,
					"p 1/1 [000] %u.0: %u cpu-clock: \n"
					"\t1 %s (/bin/p)\n\t2 root (/bin/p)\n%s",
					i + 1, i + 10, leaf[i % nleaf],
					i + 1 < n || blank ? "\n" : "");
				total += i + 10;
			}
			r = reader_for(buf, path);
			fg_collapse_opts__init(&o);
			o.weight = FG_WEIGHT_PERIOD;
			fg_profile__keep_samples(p, true);
			assert_int_equal(fg_collapse__read(p, r, &o, &st), 0);
			assert_int_equal(st.samples, n);
			assert_int_equal(fg_profile__total(p, 0), total);
			s = fg_profile__samples(p, &nr);
			assert_int_equal(nr, n);
			for (i = 0; i < n; i++) {
				assert_int_equal(s[i].time, (i + 1) * 1000000000ULL);
				assert_int_equal(s[i].weight, i + 10);
				assert_int_equal(fg_profile__path(p, s[i].node,
								  frames, 3), 3);
				assert_string_equal(fg_profile__name(p, frames[1]),
						    "root");
				assert_string_equal(fg_profile__name(p, frames[2]),
						    leaf[i % nleaf]);
			}
			fg_reader__close(r);
			fg_profile__delete(p);
			unlink(path);
		}
	}
}

/*
 * The address of a frame line, read 16 columns at a time for perf's 16
 * columns (SSE2, and 8 bytes at a time without it: both are checked), lands
 * where the byte-by-byte scan lands: every padding and length around the 16
 * columns, odd characters at every place (the neighbours of every range
 * taken among them), cut lines. And it is taken for perf's usual shape.
 */
static void test_addr_column(void **state)
{
	/* and the neighbours of the ranges taken: '/', ':', '`', 'g' */
	static const char odd[] = { 'g', 'A', '_', '.', '\t', 'x', (char)0xe9, ' ',
				    '/', ':', '`', '@', 'F', '\n', (char)0x80,
				    (char)0xb0, (char)0xff };
	unsigned int pad, n, at, o, cut, column = 0;

	for (pad = 0; pad <= 18; pad++) {
		for (n = 0; n <= 18; n++) {
			for (at = 0; at <= pad + n + 1; at++) {
				for (o = 0; o <= sizeof(odd); o++) {
					char line[64];
					size_t len = 0;
					unsigned int i;

					line[len++] = '\t';
					for (i = 0; i < pad; i++)
						line[len++] = ' ';
					for (i = 0; i < n; i++)
						line[len++] = "0123456789abcdef"[(i * 7 + pad) % 16];
					line[len++] = ' ';
					memcpy(line + len, "f (/x)\n", 7);
					len += 7;
					/* one odd character (o == sizeof(odd): none) */
					if (o < sizeof(odd))
						line[1 + at] = odd[o];
					for (cut = 1; cut <= len; cut++) {
						const char *a1, *q1, *a2, *q2, *a3, *q3;
						char *buf = malloc(cut);
						bool col;
						int scan;

						assert_non_null(buf);
						memcpy(buf, line, cut);
						col = fg_collapse__addr_column(buf, buf + cut,
									       &a1, &q1);
						scan = fg_collapse__addr_scan(buf, buf + cut,
									      &a2, &q2);
						/* the portable one, the same answer */
						assert_int_equal(fg_collapse__addr_column_words(
							buf, buf + cut, &a3, &q3), col);
						if (col) {
							assert_ptr_equal(a1, a3);
							assert_ptr_equal(q1, q3);
						}
						if (col) {
							assert_int_equal(scan, 0);
							assert_ptr_equal(a1, a2);
							assert_ptr_equal(q1, q2);
							column++;
						} else if (o == sizeof(odd) && cut == len &&
							   pad + n == 16 && n) {
							fail_msg("perf's shape not taken: pad %u len %u",
								 pad, n);
						}
						free(buf);
					}
				}
			}
		}
	}
	assert_true(column > 0);
}

/*
 * size bytes that end where an unreadable page begins: a read past them
 * faults.
 */
static char *guarded(size_t size, void **map, size_t *maplen)
{
	long pg = sysconf(_SC_PAGESIZE);
	size_t len = ((size + pg - 1) / pg + 1) * pg;
	char *m = mmap(NULL, len, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	assert_true(m != MAP_FAILED);
	assert_int_equal(mprotect(m + len - pg, pg, PROT_NONE), 0);
	*map = m;
	*maplen = len;
	return m + len - pg - size;
}

/*
 * A line's end and hash, 16 bytes a step (SSE2), are what the one-word
 * loop finds: every line length from 0 to 80, with its '\n' or cut at the
 * end of the data, more bytes after it or none, other '\n's after it, the
 * data ending right before an unreadable page (no read past it).
 */
static void test_scan_line(void **state)
{
	unsigned int len, after, nls, checked = 0;

	for (len = 0; len <= 80; len++) {
		for (after = 0; after <= 40; after++) {
			for (nls = 0; nls < 3; nls++) {
				size_t size = len + after, maplen, i;
				const char *e1, *e2;
				uint64_t h1, h2;
				void *map;
				char *buf;

				if (!size)
					continue;
				buf = guarded(size, &map, &maplen);
				for (i = 0; i < size; i++)
					buf[i] = 'a' + (i * 7 + len) % 26;
				if (len < size)
					buf[len] = '\n';	/* else cut: no '\n' */
				if (nls && len + 1 + nls * 5 < size)
					buf[len + 1 + nls * 5] = '\n';
				if (nls == 2 && len > 3)
					buf[len - 3] = ' ';
				e1 = fg_collapse__scan_line(buf, buf + size, &h1);
				e2 = fg_collapse__scan_line_words(buf, buf + size, &h2);
				assert_ptr_equal(e1, e2);
				assert_ptr_equal(e1, buf + (len < size ? len : size));
				assert_true(h1 == h2);
				checked++;
				munmap(map, maplen);
			}
		}
	}
	assert_true(checked > 1000);
}

/*
 * The key compare is memcmp: every length from 0 to 100, equal, and one
 * byte different at every place, the data ending before an unreadable
 * page.
 */
static void test_same_bytes(void **state)
{
	unsigned int len, at;

	for (len = 0; len <= 100; len++) {
		size_t la, lb, i;
		void *ma, *mb;
		char *a = guarded(len ? len : 1, &ma, &la);
		char *b = guarded(len ? len : 1, &mb, &lb);

		for (i = 0; i < len; i++)
			a[i] = b[i] = 'A' + (i * 11 + len) % 50;
		assert_true(fg_collapse__same_bytes(a, b, len));
		for (at = 0; at < len; at++) {
			b[at] ^= 0x20;
			assert_false(fg_collapse__same_bytes(a, b, len));
			assert_false(fg_collapse__same_bytes(b, a, len));
			b[at] ^= 0x20;
		}
		assert_true(fg_collapse__same_bytes(b, a, len));
		munmap(ma, la);
		munmap(mb, lb);
	}
}

/*
 * A header whose comm, pid/tid and [cpu] match a memoized prefix takes the
 * process name kept with it; a prefix replaced in the memo names its own
 * process: threads alternating on two CPUs, one leaving a CPU to another
 * thread of the same comm, the event of another type in between.
 */
static void test_header_pname(void **state)
{
	static const char *const want[] = {
		"p-1/1", "q-2/2", "p-1/1", "p-1/3", "q-2/2", "p-1/1", "p-1/3",
		"q-2/2",
	};
	struct fg_collapse_stats st;
	struct fg_collapse_opts o;
	const struct fg_sample *s;
	struct fg_profile *p = fg_profile__new();
	struct fg_reader *r;
	uint32_t frames[2];
	char path[64];
	size_t nr, i;

	r = reader_for("p 1/1 [000] 1.0: 1 cpu-clock: \n\t1 a (/bin/p)\n\n"
		       "q 2/2 [001] 2.0: 1 cpu-clock: \n\t1 a (/bin/p)\n\n"
		       "p 1/1 [000] 3.0: 1 cpu-clock: \n\t1 a (/bin/p)\n\n"
		       "p 1/3 [000] 4.0: 1 cpu-clock: \n\t1 a (/bin/p)\n\n"
		       "q 2/2 [001] 5.0: 1 cpu-clock: \n\t1 a (/bin/p)\n\n"
		       "q 2/2 [001] 5.5: 1 page-faults: \n\t1 a (/bin/p)\n\n"
		       "p 1/1 [000] 6.0: 1 cpu-clock: \n\t1 a (/bin/p)\n\n"
		       "p 1/3 [000] 7.0: 1 cpu-clock: \n\t1 a (/bin/p)\n\n"
		       "q 2/2 [001] 8.0: 1 cpu-clock: \n\t1 a (/bin/p)\n\n",
		       path);
	fg_collapse_opts__init(&o);
	o.pid = true;
	o.tid = true;
	fg_profile__keep_samples(p, true);
	assert_int_equal(fg_collapse__read(p, r, &o, &st), 0);
	assert_int_equal(st.filtered, 1);
	s = fg_profile__samples(p, &nr);
	assert_int_equal(nr, sizeof(want) / sizeof(want[0]));
	for (i = 0; i < nr; i++) {
		assert_int_equal(fg_profile__path(p, s[i].node, frames, 2), 2);
		assert_string_equal(fg_profile__name(p, frames[0]), want[i]);
	}
	fg_reader__close(r);
	fg_profile__delete(p);
	unlink(path);
}

/*
 * The digits starting a time token, 16 bytes at a time when 16 are there
 * (one SSE2 vector, or two words without SSE2: both are checked): the count
 * a byte-by-byte loop gives, for every run length, stopping character, cap
 * and length left in the buffer.
 */
static void test_digit_run(void **state)
{
	static const char stop[] = { '.', ':', ' ', '/', 'a', (char)0xb9, '\0' };
	unsigned int run, o, max, left, i, want;

	for (run = 0; run <= 20; run++) {
		for (o = 0; o < sizeof(stop); o++) {
			char tok[40];

			for (i = 0; i < run; i++)
				tok[i] = '0' + (i * 3 + o) % 10;
			tok[run] = stop[o];
			for (i = run + 1; i < sizeof(tok); i++)
				tok[i] = '7';
			for (max = 0; max <= 16; max++) {
				for (left = 0; left <= sizeof(tok); left++) {
					char *buf = malloc(left ? left : 1);

					assert_non_null(buf);
					memcpy(buf, tok, left);
					for (want = 0; want < max && want < left &&
					     buf[want] >= '0' && buf[want] <= '9'; want++)
						;
					assert_int_equal(fg_collapse__digit_run(buf,
							 buf + left, max), want);
					assert_int_equal(fg_collapse__digit_run_words(
							 buf, buf + left, max), want);
					free(buf);
				}
			}
		}
	}
}

/*
 * The tree is built from the distinct stacks, each sharing the nodes of the
 * stack before it that shares the most from the root: the nodes must be the
 * ones, and in the order, that a child lookup for every frame of every
 * stack in the order they appeared makes. Random walks in a small tree,
 * two processes, stacks that are prefixes of others, repeats.
 */
#define TREE_SAMPLES	400
#define TREE_DEPTH	9

static void test_merge_order(void **state)
{
	static char buf[TREE_SAMPLES * (TREE_DEPTH * 32 + 40)];
	/* expected nodes: parent and name, made in first-appearance order */
	static uint32_t want_parent[TREE_SAMPLES * TREE_DEPTH + 2];
	static char want_name[TREE_SAMPLES * TREE_DEPTH + 2][8];
	static char prefix[TREE_SAMPLES * TREE_DEPTH + 2][TREE_DEPTH * 8 + 8];
	struct fg_collapse_stats st;
	struct fg_collapse_opts o;
	struct fg_profile *p = fg_profile__new();
	struct fg_reader *r;
	uint32_t nr_want = 1, seed = 12345, i, k, d, id, node;
	char path[64], walk[TREE_DEPTH + 1][8];
	size_t len = 0;

	for (i = 0; i < TREE_SAMPLES; i++) {
		char key[TREE_DEPTH * 8 + 8] = "";

		seed = seed * 1103515245 + 12345;
		d = 1 + (seed >> 16) % TREE_DEPTH;
		snprintf(walk[0], sizeof(walk[0]), "%s", (seed >> 8) & 1 ? "p" : "q");
		for (k = 1; k <= d; k++) {
			seed = seed * 1103515245 + 12345;
			snprintf(walk[k], sizeof(walk[k]), "f%u_%u", k,
				 (seed >> 16) % 3);
		}
		/* perf prints the leaf first */
		len += snprintf(buf + len, sizeof(buf) - len,
				"%s %s [000] %u.0: 1 cpu-clock: \n",
				walk[0], walk[0][0] == 'p' ? "1/1" : "2/2", i + 1);
		for (k = d; k >= 1; k--)
			len += snprintf(buf + len, sizeof(buf) - len,
					"\t%16x %s (/bin/p)\n", 0x1000 + k, walk[k]);
		len += snprintf(buf + len, sizeof(buf) - len, "\n");
		/* the nodes a lookup per frame makes, root first */
		node = 0;
		for (k = 0; k <= d; k++) {
			strcat(key, walk[k]);
			strcat(key, ";");
			for (id = 1; id < nr_want && strcmp(prefix[id], key); id++)
				;
			if (id == nr_want) {
				strcpy(prefix[id], key);
				want_parent[id] = node;
				strcpy(want_name[id], walk[k]);
				nr_want++;
			}
			node = id;
		}
	}
	r = reader_for(buf, path);
	fg_collapse_opts__init(&o);
	assert_int_equal(fg_collapse__read(p, r, &o, &st), 0);
	assert_int_equal(st.samples, TREE_SAMPLES);
	assert_int_equal(fg_profile__nr_nodes(p), nr_want);
	for (id = 1; id < nr_want; id++) {
		const struct fg_node *n = fg_profile__node(p, id);

		assert_int_equal(n->parent, want_parent[id]);
		assert_string_equal(fg_profile__name(p, n->name), want_name[id]);
	}
	fg_reader__close(r);
	fg_profile__delete(p);
	unlink(path);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_header),
		cmocka_unit_test(test_frame),
		cmocka_unit_test(test_read_samples),
		cmocka_unit_test(test_anon_namespace),
		cmocka_unit_test(test_header_memo),
		cmocka_unit_test(test_guess),
		cmocka_unit_test(test_overflow),
		cmocka_unit_test(test_pending_order),
		cmocka_unit_test(test_addr_column),
		cmocka_unit_test(test_scan_line),
		cmocka_unit_test(test_same_bytes),
		cmocka_unit_test(test_header_pname),
		cmocka_unit_test(test_digit_run),
		cmocka_unit_test(test_merge_order),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
