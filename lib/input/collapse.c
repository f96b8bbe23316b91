// SPDX-License-Identifier: GPL-2.0
/*
 * perf script text -> profile: the job of stackcollapse-perf.pl, streaming
 * and in C. See docs/collapse.md for the input grammar and every place we
 * differ from stackcollapse-perf.pl on purpose.
 *
 * Speed: no per-line allocation. Every distinct frame line (symbol without
 * its +0x offset, dso, annotations) is turned into names once and cached;
 * every distinct stack is a sequence of cached frame ids, interned once,
 * and the profile is built from the distinct stacks at the end, in the order
 * they first appeared. One thread: a two-thread version that handed blocks
 * to workers lost to this one on 2 CPUs (bench/bench-collapse.sh) and was
 * removed.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#ifdef __SSE2__
#include <emmintrin.h>
#endif

#include <flame/collapse.h>
#include <flame/namer.h>
#include "internal.h"
#include <flame/hashmap.h>
#include "reader.h"
#include "collapse_int.h"

#define NO_FRAME	UINT32_MAX
#define BLOCK_SIZE	(8u << 20)
#define ARENA_CHUNK	(1u << 20)

/* ---- small helpers ------------------------------------------------------ */

static inline uint64_t rd64(const unsigned char *p)
{
	uint64_t v;

	memcpy(&v, p, 8);
	return v;
}

/* One 8-byte step of the line and key hashes (every path takes the same). */
static inline uint64_t mix8(uint64_t h, uint64_t v)
{
	h = (h ^ v) * 0xff51afd7ed558ccdULL;
	return h ^ h >> 32;
}

/* Fast hash, 8 bytes a step; h chains several ranges. */
static inline uint64_t hash_more(uint64_t h, const void *data, size_t len)
{
	const unsigned char *p = data;
	uint64_t v;

	h ^= len * 0x9e3779b97f4a7c15ULL;
	while (len >= 8) {
		h = mix8(h, rd64(p));
		p += 8;
		len -= 8;
	}
	if (len) {
		v = 0;
		memcpy(&v, p, len);
		h = (h ^ v) * 0xc4ceb9fe1a85ec53ULL;
		h ^= h >> 29;
	}
	return h;
}

/*
 * Find the end of the line at p (the '\n', or end) and hash its bytes on
 * the way, 8 at a time: one pass over the text, no memchr then hash.
 */
static inline const char *scan_line_words(const char *p, const char *end,
					  uint64_t *hash)
{
	const uint64_t ones = 0x0101010101010101ULL, nls = ones * '\n';
	const char *s = p;
	uint64_t h = 0x9e3779b97f4a7c15ULL, v, x, t;

	if (__BYTE_ORDER__ != __ORDER_LITTLE_ENDIAN__) {
		const char *nl = memchr(p, '\n', end - p);

		if (!nl)
			nl = end;
		*hash = fg_hash64(hash_more(0, p, nl - p));
		return nl;
	}
	while (end - p >= 8) {
		v = rd64((const unsigned char *)p);
		x = v ^ nls;
		t = (x - ones) & ~x & (ones << 7);	/* 0x80 where a byte was '\n' */
		if (t) {
			unsigned int n = __builtin_ctzll(t) >> 3;

			if (n) {
				v &= ~0ULL >> (64 - 8 * n);
				h = mix8(h, v);
			}
			p += n;
			*hash = fg_hash64(h ^ (uint64_t)(p - s));
			return p;
		}
		h = mix8(h, v);
		p += 8;
	}
	v = 0;
	for (x = 0; p < end && *p != '\n'; p++, x++)
		v |= (uint64_t)(unsigned char)*p << (8 * x);
	if (x) {
		h = mix8(h, v);
	}
	*hash = fg_hash64(h ^ (uint64_t)(p - s));
	return p;
}

/*
 * scan_line with SSE2: the '\n' found 16 bytes a step first, then the same
 * hash over the words before it (scan_line_words finds and hashes in one
 * pass, at twice the instructions). test_scan_line pins the two together.
 */
static inline const char *scan_line(const char *p, const char *end,
				    uint64_t *hash)
{
#ifdef __SSE2__
	const char *s = p;
	uint64_t h = 0x9e3779b97f4a7c15ULL, v;

	if (end - p >= 16) {
		const __m128i nl16 = _mm_set1_epi8('\n');
		unsigned int m;
		size_t n;

		for (;;) {
			m = _mm_movemask_epi8(_mm_cmpeq_epi8(
				_mm_loadu_si128((const __m128i *)p), nl16));
			if (m || end - p < 32)
				break;
			p += 16;
		}
		if (!m) {
			/* the last 16 bytes (they may overlap those seen) */
			const char *l = end - 16;

			m = _mm_movemask_epi8(_mm_cmpeq_epi8(
				_mm_loadu_si128((const __m128i *)l), nl16));
			p = m ? l + __builtin_ctz(m) : end;
		} else {
			p += __builtin_ctz(m);
		}
		n = p - s;
		for (p = s; n >= 8; p += 8, n -= 8) {
			h = mix8(h, rd64((const unsigned char *)p));
		}
		if (n) {
			/* the n bytes at p, read from no further than end */
			if (end - p >= 8)
				v = rd64((const unsigned char *)p);
			else
				v = rd64((const unsigned char *)end - 8) >>
				    (8 * (p - (end - 8)));
			v &= ~0ULL >> (64 - 8 * n);
			h = mix8(h, v);
		}
		p += n;
		*hash = fg_hash64(h ^ (uint64_t)(p - s));
		return p;
	}
#endif
	return scan_line_words(p, end, hash);
}

/* memcmp(a, b, len) == 0, inlined: the keys are short and usually equal. */
static inline bool same_bytes(const char *a, const char *b, size_t len)
{
	size_t i;

#ifdef __SSE2__
	/* 16 bytes a step, the last step ending at len (it may overlap) */
	if (len >= 16) {
		for (i = 0; i + 16 < len; i += 16)
			if (_mm_movemask_epi8(_mm_cmpeq_epi8(
				_mm_loadu_si128((const __m128i *)(a + i)),
				_mm_loadu_si128((const __m128i *)(b + i)))) != 0xffff)
				return false;
		return _mm_movemask_epi8(_mm_cmpeq_epi8(
			_mm_loadu_si128((const __m128i *)(a + len - 16)),
			_mm_loadu_si128((const __m128i *)(b + len - 16)))) == 0xffff;
	}
#endif
	if (len >= 8) {
		for (i = 0; i + 8 <= len; i += 8)
			if (rd64((const unsigned char *)a + i) !=
			    rd64((const unsigned char *)b + i))
				return false;
		return rd64((const unsigned char *)a + len - 8) ==
		       rd64((const unsigned char *)b + len - 8);
	}
	for (i = 0; i < len; i++)
		if (a[i] != b[i])
			return false;
	return true;
}

static inline bool same_ids(const uint32_t *a, const uint32_t *b, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (a[i] != b[i])
			return false;
	return true;
}

static inline bool is_space(char c)
{
	return c == ' ' || c == '\t';
}

static inline bool is_digit(char c)
{
	return c >= '0' && c <= '9';
}

static inline bool is_word(char c)
{
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') ||
	       (c >= 'A' && c <= 'Z') || c == '_';
}

static inline bool is_hex(char c)
{
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f');
}

#define BYTES_01	0x0101010101010101ULL
#define BYTES_7F	0x7f7f7f7f7f7f7f7fULL
#define BYTES_80	0x8080808080808080ULL

/* 0x80 in each byte of v equal to c, 0 in the others (exact) */
static inline uint64_t bytes_eq(uint64_t v, unsigned char c)
{
	uint64_t y = v ^ (BYTES_01 * c);

	return ~(((y & BYTES_7F) + BYTES_7F) | y | BYTES_7F);
}

/* 0x80 in each byte of v within [lo, hi] (both below 0x80), 0 elsewhere */
static inline uint64_t bytes_in(uint64_t v, unsigned char lo, unsigned char hi)
{
	uint64_t t = v & BYTES_7F;	/* no carry from byte to byte */

	return (t + BYTES_01 * (0x80 - lo)) & ~(t + BYTES_01 * (0x7f - hi)) &
	       ~v & BYTES_80;
}

/*
 * The address of a frame line at p (a tab): after blanks, the word
 * characters up to a blank. 0: the address is [*a, *q) and *q is that
 * blank; -EINVAL: the line has not that shape.
 */
static inline int addr_scan(const char *p, const char *end, const char **a,
			    const char **q)
{
	const char *s = p + 1;

	while (s < end && *s == ' ')
		s++;
	*a = s;
	while (s < end && is_word(*s))
		s++;
	*q = s;
	return s == *a || s >= end || *s != ' ' ? -EINVAL : 0;
}

/*
 * The same for perf's usual frame line, the address right-aligned in 16
 * columns after the tab, 8 bytes at a time: blanks, then lowercase hex
 * digits up to the 16th column, then a blank. false: the line has not
 * that shape (addr_scan decides).
 */
static inline __attribute__((always_inline)) bool
addr_column_words(const char *p, const char *end, const char **a,
		  const char **q)
{
	uint64_t lo, hi, blo, bhi, f;

	if (__BYTE_ORDER__ != __ORDER_LITTLE_ENDIAN__ || end - p < 18 ||
	    p[17] != ' ')
		return false;
	lo = rd64((const unsigned char *)p + 1);
	hi = rd64((const unsigned char *)p + 9);
	blo = bytes_eq(lo, ' ');
	bhi = bytes_eq(hi, ' ');
	if ((blo | bytes_in(lo, '0', '9') | bytes_in(lo, 'a', 'f')) != BYTES_80 ||
	    (bhi | bytes_in(hi, '0', '9') | bytes_in(hi, 'a', 'f')) != BYTES_80)
		return false;
	/* the blanks come first (bytes from the low end), a digit last */
	if (bhi >> 63)
		return false;
	f = (blo >> 7) * 0xff;
	if (f & (f + 1))
		return false;
	if (bhi) {
		f = (bhi >> 7) * 0xff;
		if (blo != BYTES_80 || (f & (f + 1)))
			return false;
	}
	/* bhi's last byte is a digit, so ~bhi has a 0x80 */
	*a = p + 1 + (blo == BYTES_80 ?
		      8 + (__builtin_ctzll(~bhi & BYTES_80) >> 3) :
		      __builtin_ctzll(~blo & BYTES_80) >> 3);
	*q = p + 17;
	return true;
}

/*
 * addr_column_words with SSE2 (x86-64's baseline): the 16 columns in one
 * vector, a bit per byte for the blanks and one for the lowercase hex
 * digits (c - lo as an unsigned byte is at most hi - lo). A quarter of the
 * instructions, and the same answer (test_addr_column pins both to
 * addr_scan).
 */
static inline __attribute__((always_inline)) bool
addr_column(const char *p, const char *end, const char **a, const char **q)
{
#ifdef __SSE2__
	__m128i v, d, x;
	unsigned int sp, ok;

	if (end - p < 18 || p[17] != ' ')
		return false;
	v = _mm_loadu_si128((const __m128i *)(p + 1));
	d = _mm_sub_epi8(v, _mm_set1_epi8('0'));
	x = _mm_sub_epi8(v, _mm_set1_epi8('a'));
	d = _mm_cmpeq_epi8(_mm_min_epu8(d, _mm_set1_epi8(9)), d);
	x = _mm_cmpeq_epi8(_mm_min_epu8(x, _mm_set1_epi8(5)), x);
	sp = _mm_movemask_epi8(_mm_cmpeq_epi8(v, _mm_set1_epi8(' ')));
	ok = _mm_movemask_epi8(_mm_or_si128(d, x));
	/* blanks first (the low bits), then digits, the last a digit */
	if ((sp | ok) != 0xffff || (sp & (sp + 1)) || sp == 0xffff)
		return false;
	*a = p + 1 + __builtin_ctz(~sp);
	*q = p + 17;
	return true;
#else
	return addr_column_words(p, end, a, q);
#endif
}

/*
 * How many digits start s, at most max (<= 16), not past end: 16 bytes
 * at a time when 16 are there, as two words.
 */
static inline unsigned int digit_run_words(const char *s, const char *end,
					   unsigned int max)
{
	unsigned int n = 0;
	uint64_t d;

	if (__BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__ && end - s >= 16) {
		d = bytes_in(rd64((const unsigned char *)s), '0', '9');
		if (d == BYTES_80) {
			n = 8;
			d = bytes_in(rd64((const unsigned char *)s + 8), '0', '9');
		}
		n += d == BYTES_80 ? 8 : __builtin_ctzll(~d & BYTES_80) >> 3;
		return n < max ? n : max;
	}
	while (n < max && s + n < end && is_digit(s[n]))
		n++;
	return n;
}

/* The same, the 16 bytes in one SSE2 vector when there is SSE2. */
static inline unsigned int digit_run(const char *s, const char *end,
				     unsigned int max)
{
#ifdef __SSE2__
	if (end - s >= 16) {
		/* a bit per digit (c - '0' as an unsigned byte at most 9) */
		__m128i v = _mm_sub_epi8(_mm_loadu_si128((const __m128i *)s),
					 _mm_set1_epi8('0'));
		unsigned int n = __builtin_ctz(~_mm_movemask_epi8(_mm_cmpeq_epi8(
			_mm_min_epu8(v, _mm_set1_epi8(9)), v)));

		return n < max ? n : max;
	}
#endif
	return digit_run_words(s, end, max);
}

unsigned int fg_collapse__digit_run(const char *s, const char *end,
				    unsigned int max)
{
	return digit_run(s, end, max);
}

unsigned int fg_collapse__digit_run_words(const char *s, const char *end,
					  unsigned int max)
{
	return digit_run_words(s, end, max);
}

int fg_collapse__addr_scan(const char *p, const char *end, const char **a,
			   const char **q)
{
	return addr_scan(p, end, a, q);
}

bool fg_collapse__addr_column(const char *p, const char *end, const char **a,
			      const char **q)
{
	return addr_column(p, end, a, q);
}

bool fg_collapse__addr_column_words(const char *p, const char *end,
				    const char **a, const char **q)
{
	return addr_column_words(p, end, a, q);
}

const char *fg_collapse__scan_line(const char *p, const char *end,
				   uint64_t *hash)
{
	return scan_line(p, end, hash);
}

const char *fg_collapse__scan_line_words(const char *p, const char *end,
					 uint64_t *hash)
{
	return scan_line_words(p, end, hash);
}

bool fg_collapse__same_bytes(const char *a, const char *b, size_t len)
{
	return same_bytes(a, b, len);
}

struct collapse_ctx {
	const struct fg_collapse_opts *o;
	struct fg_namer_opts names;	/* from o */
	char event_buf[64];
	const char *event;	/* the event kept; NULL = not known yet */
	size_t event_len;
	struct fg_inline *inl;
	bool event_scanned;
};

/* ---- tables -------------------------------------------------- */

struct arena {
	char *cur;
	size_t left;
	char **chunks;
	size_t nr_chunks;
};

static void *arena_alloc(struct arena *a, size_t len)
{
	void *p;

	len = (len + 7) & ~(size_t)7;
	if (len > a->left) {
		size_t sz = len > ARENA_CHUNK ? len : ARENA_CHUNK;
		char **nc = realloc(a->chunks, (a->nr_chunks + 1) * sizeof(*nc));

		if (!nc)
			return NULL;
		a->chunks = nc;
		a->cur = malloc(sz);
		if (!a->cur) {
			a->left = 0;
			return NULL;
		}
		a->chunks[a->nr_chunks++] = a->cur;
		a->left = sz;
	}
	p = a->cur;
	a->cur += len;
	a->left -= len;
	return p;
}

static void arena_release(struct arena *a)
{
	size_t i;

	for (i = 0; i < a->nr_chunks; i++)
		free(a->chunks[i]);
	free(a->chunks);
	memset(a, 0, sizeof(*a));
}

/* A distinct frame line: its key and the names it turns into. */
struct frame {
	uint64_t hash;
	const char *key;	/* kind byte, sym, '\0', dso, '\0', extra */
	uint32_t keylen;
	uint32_t first;		/* index into pieces */
	uint32_t n;		/* number of names (0: frame is dropped) */
};

struct piece {
	const char *s;
	uint32_t len;
};

/*
 * A distinct frame line, byte for byte after its address (symbol+offset,
 * dso; the address too with --addrs): the hot path finds a line here by its
 * hash and gets its frame id without parsing it. The id depends on two
 * things besides the text: whether the process is Java (part of the key)
 * and whether the address is a kernel-half one seen before any user frame
 * of the sample (id[1]) or not (id[0]). The text follows the entry.
 */
#define LINE_NEW	UINT32_MAX		/* id not made yet */
#define LINE_DROPPED	(UINT32_MAX - 1)	/* the frame has no names */

struct line {
	struct line *next;	/* the line after this one the last time */
	uint32_t len;
	uint32_t id[2];
	bool java;
	char text[];
};

struct line_slot {
	uint64_t hash;
	struct line *line;	/* NULL: empty */
};

struct stack {
	uint64_t hash;
	uint64_t weight;
	uint32_t off;		/* into stack_ids */
	uint32_t n;
};

/*
 * A thread seen lately: its header's comm, pid and tid, back to back, and
 * its process name frame. Samples of the CPUs interleave, so the thread
 * changes at most headers; without this each change named the process again.
 */
#define PROC_SLOTS	256
#define PROC_KEY	58

struct proc_slot {
	uint32_t pname;		/* NO_FRAME: empty */
	uint8_t clen, plen, tlen;
	char key[PROC_KEY + 1];
};

/*
 * What the fields after a header's time token ("    250000 cpu-clock: ")
 * parsed into last time. They follow the time token with the same state
 * (time seen, no event yet), so the same bytes parse the same: a thread's
 * headers differ in their time, seldom in what follows it.
 */
#define HDR_TAIL	64

struct hdr_memo {
	uint32_t len;		/* 0: none */
	bool has_period, has_event;
	uint8_t ev_off, ev_len;
	uint64_t period;
	char tail[HDR_TAIL];
	/*
	 * And what came before the time token (comm, pid/tid, [cpu]) for the
	 * last two such prefixes (the CPUs' samples alternate): the same
	 * bytes, followed by the same non-blank, leave the parse in the same
	 * state there. The same comm, pid and tid bytes also name the same
	 * process: its name frame is kept with them.
	 */
	struct hdr_prefix {
		uint32_t len;	/* 0: none */
		bool has_cpu, pid_q;
		uint8_t comm_off, comm_len, pid_off, pid_len, tid_off, tid_len;
		uint32_t pname;	/* NO_FRAME: not named yet */
		uint64_t period;
		char text[HDR_TAIL];
	} pre[2];
	unsigned int pre_last;	/* the slot used last */
	struct hdr_prefix *cur;	/* the last header's prefix, or NULL */
	bool need_time;		/* the time's value is kept (with the samples) */
};

struct sample_rec {
	uint64_t time;
	uint64_t weight;
	uint32_t stack;
};

/*
 * A sample read and not counted yet. Its stack is interned PENDING - 1
 * samples later, in the order the samples were read; meanwhile the table
 * memory it needs is fetched into the cache, one step a sample (its slot,
 * the stack the slot names, that stack's ids): three cache misses a
 * sample that were waited for one after the other.
 */
#define PENDING	4

struct pending {
	uint32_t *ids;		/* frame ids, leaf first, the process name last */
	size_t alloc;
	uint32_t n;
	uint64_t hash;
	uint64_t weight;
	uint64_t time;
};

struct worker {
	const struct fg_collapse_opts *o;
	struct collapse_ctx *ctx;
	struct arena arena;

	struct frame *frames;
	uint32_t nr_frames, frames_alloc;
	struct fg_htab fslots;	/* of uint32_t: frame ids + 1, 0 = empty */

	bool fast;		/* the line cache is used (not with --inline) */
	struct fg_htab lslots;	/* of struct line_slot */
	uint32_t nr_lines;
	struct line *prev_line;	/* the sample's last frame line, or NULL */

	struct piece *pieces;
	uint32_t nr_pieces, pieces_alloc;

	struct stack *stacks;
	uint32_t nr_stacks, stacks_alloc;
	struct fg_htab sslots;	/* of uint32_t: stack ids + 1, 0 = empty */
	uint32_t *stack_ids;
	size_t nr_stack_ids, stack_ids_alloc;

	bool keep_samples;
	struct sample_rec *samples;
	size_t nr_samples, samples_alloc;

	/* the sample being read */
	bool in_sample;		/* a header was read, frames may follow */
	bool skipping;		/* header of a filtered event: drop frames */
	bool java;		/* the process name starts with "java" */
	bool user_seen;		/* a user frame was read: the rest are user */
	size_t off_len;		/* length of "+0x.." after the frame's symbol */
	uint32_t pname;		/* frame id of the process name */
	uint64_t weight;
	uint64_t time;
	uint32_t *cur;		/* frame ids, leaf first: pend[fill].ids */
	size_t nr_cur, cur_alloc;
	uint64_t shash;		/* running hash of cur */
	struct pending pend[PENDING];
	unsigned int fill;	/* pend[fill] is the sample being read */
	unsigned int nr_pend;	/* samples read, not counted yet */
	struct proc_slot *procs;	/* PROC_SLOTS recent threads */
	struct hdr_memo hdr;		/* the last header's fields after its time */

	struct fg_buf tmp;
	struct fg_buf tmp2;

	/* counters */
	uint64_t lines;
	uint64_t nr_added;
	uint64_t filtered;
	uint64_t bad;
	uint64_t first_bad_line;	/* 1-based */
	char first_bad_text[96];
	uint64_t room;			/* weight this worker may still add */
	uint64_t big;			/* samples refused: sum past the room */
	uint64_t first_big_line;
	char other_event[64];

	/* for merging */
	uint32_t *name_ids;	/* pieces -> profile name ids */
};

static int worker_init(struct worker *w, const struct fg_collapse_opts *o,
		       struct collapse_ctx *ctx, bool keep_samples)
{
	unsigned int i;

	memset(w, 0, sizeof(*w));
	w->o = o;
	w->ctx = ctx;
	w->keep_samples = keep_samples;
	w->hdr.need_time = keep_samples;
	w->fast = !o->inline_;
	w->room = FG_WEIGHT_MAX;
	w->procs = malloc(PROC_SLOTS * sizeof(*w->procs));
	if (!w->procs)
		return -ENOMEM;
	for (i = 0; i < PROC_SLOTS; i++)
		w->procs[i].pname = NO_FRAME;
	if (fg_htab__init(&w->fslots, 4096, sizeof(uint32_t)) ||
	    fg_htab__init(&w->sslots, 4096, sizeof(uint32_t)) ||
	    fg_htab__init(&w->lslots, 16384, sizeof(struct line_slot)))
		return -ENOMEM;
	return 0;
}

static void worker_release(struct worker *w)
{
	unsigned int i;

	arena_release(&w->arena);
	free(w->frames);
	fg_htab__release(&w->fslots, sizeof(uint32_t));
	fg_htab__release(&w->lslots, sizeof(struct line_slot));
	free(w->procs);
	free(w->pieces);
	free(w->stacks);
	fg_htab__release(&w->sslots, sizeof(uint32_t));
	free(w->stack_ids);
	free(w->samples);
	for (i = 0; i < PENDING; i++)
		free(w->pend[i].ids);
	free(w->name_ids);
	fg_buf__release(&w->tmp);
	fg_buf__release(&w->tmp2);
}

static int grow(void **arr, uint32_t *alloc, size_t need, size_t size)
{
	size_t n = *alloc ? *alloc : 1024;
	void *p;

	if (need <= *alloc)
		return 0;
	while (n < need)
		n *= 2;
	if (n > UINT32_MAX)
		return -ENOMEM;
	p = realloc(*arr, n * size);
	if (!p)
		return -ENOMEM;
	*arr = p;
	*alloc = n;
	return 0;
}

/* the frame table's key: what frame_get hashed */
struct fkey {
	unsigned char kind;
	const char *sym, *dso, *extra;
	size_t slen, dlen, elen;
	uint32_t keylen;
};

static inline bool frame_empty(const uint32_t *slot)
{
	return !*slot;
}

static inline bool frame_live(const uint32_t *slot)
{
	return *slot;
}

static inline bool frame_match(const struct worker *w, const uint32_t *slot,
			       uint64_t h, const struct fkey *k)
{
	const struct frame *f = &w->frames[*slot - 1];

	return f->hash == h && f->keylen == k->keylen && f->key[0] == k->kind &&
	       !memcmp(f->key + 1, k->sym, k->slen) && !f->key[1 + k->slen] &&
	       !memcmp(f->key + 2 + k->slen, k->dso, k->dlen) &&
	       !memcmp(f->key + 3 + k->slen + k->dlen, k->extra, k->elen);
}

static inline uint64_t frame_hash(const struct worker *w, const uint32_t *slot)
{
	return w->frames[*slot - 1].hash;
}

FG_HTAB_DEFINE(frame, uint32_t, const struct fkey *, const struct worker *)

static int add_piece(struct worker *w, const char *s, size_t len)
{
	char *c;

	if (grow((void **)&w->pieces, &w->pieces_alloc, w->nr_pieces + 1,
		 sizeof(*w->pieces)))
		return -ENOMEM;
	c = arena_alloc(&w->arena, len + 1);
	if (!c)
		return -ENOMEM;
	memcpy(c, s, len);
	c[len] = '\0';
	w->pieces[w->nr_pieces].s = c;
	w->pieces[w->nr_pieces].len = len;
	w->nr_pieces++;
	return 0;
}

/* ---- frame names -------------------------------------------------------- */

enum key_kind {
	KEY_FRAME = 1,
	KEY_FRAME_JAVA,		/* the process name starts with "java" */
	KEY_PNAME,
	KEY_KERNEL_ADDR = 8,	/* flag: the address is in the kernel half */
};

/* Hex address text -> value (perf prints it without 0x). */
static uint64_t parse_pc(const char *pc, size_t len)
{
	uint64_t v = 0;
	size_t i = 0;

	if (len > 2 && pc[0] == '0' && (pc[1] == 'x' || pc[1] == 'X'))
		i = 2;
	for (; i < len; i++) {
		char c = pc[i];

		if (c >= '0' && c <= '9')
			v = v << 4 | (c - '0');
		else if (c >= 'a' && c <= 'f')
			v = v << 4 | (c - 'a' + 10);
		else if (c >= 'A' && c <= 'F')
			v = v << 4 | (c - 'A' + 10);
		else
			break;
	}
	return v;
}

/* One piece of a symbol ("a->b" gives two) to its final name, in w->tmp. */
static int name_piece(struct worker *w, const char *sym, size_t len,
		      const char *dso, size_t dlen, const char *pc, size_t pclen,
		      bool java, bool kernel, size_t index)
{
	struct fg_frame_in f = {
		.addr = parse_pc(pc, pclen),
		.sym = sym, .sym_len = len,
		.dso = dlen ? dso : NULL, .dso_len = dlen,
		.ctx = kernel || fg_namer__is_kernel_dso(dso, dlen) ?
		       FG_CTX_KERNEL : FG_CTX_USER,
		.inlined = index > 0,
		.java = java,
	};
	int ret = fg_namer__frame(&w->ctx->names, &f, &w->tmp);

	return ret < 0 ? ret : 0;
}

/* Fill the pieces of a new frame from its symbol and dso. */
static int frame_names(struct worker *w, struct frame *f, const char *sym,
		       size_t slen, const char *dso, size_t dlen,
		       const char *pc, size_t pclen, bool java, bool kernel)
{
	const char *p = sym, *end = sym + slen;
	size_t index = 0;
	int ret;

	f->first = w->nr_pieces;
	f->n = 0;
	/* a process name in parentheses: skipped; a C++ function in an
	 * anonymous namespace, as perf demangles it, is a frame (the plugin
	 * names it so; dropping it here made the two paths differ) */
	if (slen && sym[0] == '(' &&
	    !(slen > 21 && !memcmp(sym, "(anonymous namespace)", 21)))
		return 0;
	if (w->o->inline_) {
		ret = fg_inline__names(w->ctx, w, pc, pclen, sym,
				       slen + w->off_len, dso, dlen, &w->tmp2);
		if (ret > 0) {
			/* tmp2 holds ';'-separated names, outermost first */
			const char *q = w->tmp2.buf, *qe = q + w->tmp2.len;

			while (q < qe) {
				const char *sc = memchr(q, ';', qe - q);
				size_t l = sc ? (size_t)(sc - q) : (size_t)(qe - q);

				if (add_piece(w, q, l))
					return -ENOMEM;
				f->n++;
				q += l + 1;
			}
			return 0;
		}
	}
	for (;;) {
		const char *arrow = memmem(p, end - p, "->", 2);
		const char *pe = arrow ? arrow : end;

		ret = name_piece(w, p, pe - p, dso, dlen, pc, pclen, java,
				 kernel, index);
		if (ret)
			return ret;
		if (add_piece(w, w->tmp.buf, w->tmp.len))
			return -ENOMEM;
		f->n++;
		index++;
		if (!arrow)
			break;
		p = arrow + 2;
	}
	return 0;
}

/*
 * Frame id for (kind, sym, dso, extra): cached; names made on first use.
 * extra is the address when it matters for the name (--addrs).
 */
static uint32_t frame_get(struct worker *w, unsigned int kind,
			  const char *sym, size_t slen, const char *dso,
			  size_t dlen, const char *pc, size_t pclen,
			  const char *extra, size_t elen)
{
	unsigned char k = kind;
	uint64_t h = hash_more(kind, sym, slen);
	uint32_t id, keylen, *slot;
	struct fkey fk;
	struct frame *f;
	char *key;
	bool found;

	h = hash_more(h, dso, dlen);
	if (elen)
		h = hash_more(h, extra, elen);
	keylen = 1 + slen + 1 + dlen + 1 + elen;
	fk = (struct fkey){ k, sym, dso, extra, slen, dlen, elen, keylen };
	slot = frame__lookup(&w->fslots, w, h, &fk, &found);
	if (found)
		return *slot - 1;
	/* new frame */
	if (grow((void **)&w->frames, &w->frames_alloc, w->nr_frames + 1,
		 sizeof(*w->frames)))
		return NO_FRAME;
	key = arena_alloc(&w->arena, keylen);
	if (!key)
		return NO_FRAME;
	key[0] = k;
	memcpy(key + 1, sym, slen);
	key[1 + slen] = '\0';
	memcpy(key + 2 + slen, dso, dlen);
	key[2 + slen + dlen] = '\0';
	if (elen)	/* extra may be NULL */
		memcpy(key + 3 + slen + dlen, extra, elen);
	f = &w->frames[w->nr_frames];
	f->hash = h;
	f->key = key;
	f->keylen = keylen;
	if (kind == KEY_PNAME) {
		f->first = w->nr_pieces;
		f->n = 1;
		if (add_piece(w, sym, slen))
			return NO_FRAME;
	} else if (frame_names(w, f, sym, slen, dso, dlen, pc, pclen,
			       (kind & ~KEY_KERNEL_ADDR) == KEY_FRAME_JAVA,
			       kind & KEY_KERNEL_ADDR)) {
		return NO_FRAME;
	}
	id = w->nr_frames++;
	*slot = id + 1;
	if (frame__added(&w->fslots, w, w->nr_frames))
		return NO_FRAME;
	return id;
}

/* ---- stacks ------------------------------------------------------------- */

struct skey {
	const uint32_t *ids;
	uint32_t n;
};

static inline bool stk_empty(const uint32_t *slot)
{
	return !*slot;
}

static inline bool stk_live(const uint32_t *slot)
{
	return *slot;
}

static inline bool stk_match(const struct worker *w, const uint32_t *slot,
			     uint64_t h, const struct skey *k)
{
	const struct stack *s = &w->stacks[*slot - 1];

	return s->hash == h && s->n == k->n &&
	       same_ids(w->stack_ids + s->off, k->ids, k->n);
}

static inline uint64_t stk_hash(const struct worker *w, const uint32_t *slot)
{
	return w->stacks[*slot - 1].hash;
}

FG_HTAB_DEFINE(stk, uint32_t, const struct skey *, const struct worker *)

static int cur_grow(struct worker *w)
{
	size_t na = w->cur_alloc ? w->cur_alloc * 2 : 256;
	uint32_t *nc = realloc(w->cur, na * sizeof(*nc));

	if (!nc)
		return -ENOMEM;
	w->cur = w->pend[w->fill].ids = nc;
	w->cur_alloc = w->pend[w->fill].alloc = na;
	return 0;
}

/* Add a frame to the sample being read (leaf first). */
static inline int push_frame(struct worker *w, uint32_t id)
{
	/* room for the process name too, at flush */
	if (w->nr_cur + 1 >= w->cur_alloc && cur_grow(w))
		return -ENOMEM;
	w->cur[w->nr_cur++] = id;
	w->shash = (w->shash ^ id) * 0x9e3779b97f4a7c15ULL;
	w->shash ^= w->shash >> 29;
	return 0;
}

/* Intern the stack of a sample read earlier and count the sample. */
static int count_sample(struct worker *w, const struct pending *ps)
{
	const uint32_t *ids = ps->ids;
	uint32_t id, n = ps->n, *slot;
	uint64_t h = ps->hash;
	struct skey sk;
	bool found;

	sk = (struct skey){ ids, n };
	slot = stk__lookup(&w->sslots, w, h, &sk, &found);
	if (found) {
		id = *slot;
		goto found;
	}
	if (grow((void **)&w->stacks, &w->stacks_alloc, w->nr_stacks + 1,
		 sizeof(*w->stacks)))
		return -ENOMEM;
	if (w->nr_stack_ids + n > w->stack_ids_alloc) {
		size_t na = w->stack_ids_alloc ? w->stack_ids_alloc : 65536;
		uint32_t *nsi;

		while (na < w->nr_stack_ids + n)
			na *= 2;
		nsi = realloc(w->stack_ids, na * sizeof(*nsi));
		if (!nsi)
			return -ENOMEM;
		w->stack_ids = nsi;
		w->stack_ids_alloc = na;
	}
	memcpy(w->stack_ids + w->nr_stack_ids, ids, n * sizeof(*ids));
	w->stacks[w->nr_stacks] = (struct stack){
		.hash = h, .weight = 0, .off = w->nr_stack_ids, .n = n,
	};
	w->nr_stack_ids += n;
	id = ++w->nr_stacks;
	*slot = id;
	if (stk__added(&w->sslots, w, w->nr_stacks))
		return -ENOMEM;
found:
	w->stacks[id - 1].weight += ps->weight;
	w->nr_added++;
	if (w->keep_samples) {
		if (w->nr_samples == w->samples_alloc) {
			size_t na = w->samples_alloc ? w->samples_alloc * 2 : 65536;
			struct sample_rec *ns = realloc(w->samples, na * sizeof(*ns));

			if (!ns)
				return -ENOMEM;
			w->samples = ns;
			w->samples_alloc = na;
		}
		w->samples[w->nr_samples++] = (struct sample_rec){
			.time = ps->time, .weight = ps->weight, .stack = id - 1,
		};
	}
	return 0;
}

/*
 * The stack a pending sample will likely meet in the table, one step
 * further than the last time (step 0: its slot). Only a hint: the table
 * may change before the sample is counted, which looks it up again.
 * Inlined always: gcc finds a function that only prefetches pure, and
 * drops the calls whose (no) result is unused.
 */
static inline __attribute__((always_inline)) void
prefetch_stack(const struct worker *w, const struct pending *ps,
	       unsigned int step)
{
	const uint32_t *slot = (const uint32_t *)w->sslots.slots +
			       (ps->hash & w->sslots.mask);
	const struct stack *st;
	uint32_t v;

	if (!step) {
		__builtin_prefetch(slot);
		return;
	}
	v = *slot;
	if (!v || v > w->nr_stacks)
		return;
	st = &w->stacks[v - 1];
	if (step == 1)
		__builtin_prefetch(st);
	else
		__builtin_prefetch(w->stack_ids + st->off);
}

/* Count the samples still pending, in order. */
static int drain_samples(struct worker *w)
{
	unsigned int i;
	int ret;

	while (w->nr_pend) {
		i = (w->fill + PENDING - w->nr_pend) % PENDING;
		w->nr_pend--;
		ret = count_sample(w, &w->pend[i]);
		if (ret)
			return ret;
	}
	return 0;
}

/*
 * The sample just read is complete: its stack (leaf first, the process
 * name last) waits in pend[] to be counted, and the oldest waiting one is
 * counted.
 */
static int flush_sample(struct worker *w)
{
	struct pending *ps;
	unsigned int i;
	int ret = 0;

	if (!w->in_sample)
		return 0;
	w->in_sample = false;
	if (w->nr_cur + 1 > w->cur_alloc && cur_grow(w))
		return -ENOMEM;
	ps = &w->pend[w->fill];
	ps->ids[w->nr_cur] = w->pname;
	ps->n = w->nr_cur + 1;
	ps->hash = fg_hash64(w->shash ^ ((uint64_t)w->pname << 32 | ps->n));
	ps->weight = w->weight;
	ps->time = w->time;
	w->nr_cur = 0;
	w->shash = 0;
	/* pend[fill + 1] is the oldest sample waiting: count it, reuse it */
	w->fill = (w->fill + 1) % PENDING;
	if (w->nr_pend == PENDING - 1) {
		ret = count_sample(w, &w->pend[w->fill]);
		w->nr_pend--;
	}
	w->nr_pend++;
	for (i = 0; i < w->nr_pend; i++)
		prefetch_stack(w, &w->pend[(w->fill + PENDING - 1 - i) % PENDING],
			       i);
	w->cur = w->pend[w->fill].ids;
	w->cur_alloc = w->pend[w->fill].alloc;
	return ret;
}

/* ---- line parsing ------------------------------------------------------- */

static void note_bad(struct worker *w, uint64_t lineno, const char *line,
		     size_t len)
{
	if (!w->bad++) {
		size_t n = len < sizeof(w->first_bad_text) - 1 ?
			   len : sizeof(w->first_bad_text) - 1;

		w->first_bad_line = lineno;
		memcpy(w->first_bad_text, line, n);
		w->first_bad_text[n] = '\0';
	}
}

/* "123.456789" -> ns; -ERANGE past 2^64-1 ns */
static int parse_time(const char *s, const char *e, uint64_t *ns)
{
	uint64_t sec = 0, frac = 0;
	int digits = 0;

	while (s < e && is_digit(*s)) {
		sec = sec * 10 + (*s++ - '0');
		if (sec > UINT64_MAX / 1000000000ULL)
			return -ERANGE;
	}
	if (s < e && *s == '.')
		s++;
	while (s < e && is_digit(*s)) {
		if (digits < 9) {
			frac = frac * 10 + (*s - '0');
			digits++;
		}
		s++;
	}
	while (digits++ < 9)
		frac *= 10;
	if (sec * 1000000000ULL > UINT64_MAX - frac)
		return -ERANGE;
	*ns = sec * 1000000000ULL + frac;
	return 0;
}

/* A header's tail as the memo has it: its fields set from the memo. */
static inline bool tail_memo(const struct hdr_memo *m,
			     struct fg_collapse_header *h, const char *s,
			     const char *end)
{
	if (!m->len || m->len != (size_t)(end - s) ||
	    !same_bytes(m->tail, s, m->len))
		return false;
	if (m->has_period)
		h->period = m->period;
	if (m->has_event) {
		h->event = s + m->ev_off;
		h->event_len = m->ev_len;
		h->rest = s + m->ev_off + m->ev_len + 1;
		h->rest_len = end - h->rest;
	}
	return true;
}

/* A header starting with a prefix the memo has: its fields set. */
static inline bool prefix_memo(struct hdr_memo *m,
			       struct fg_collapse_header *h, const char *line,
			       const char *end)
{
	const struct hdr_prefix *e;
	unsigned int i;

	for (i = 0; i < 2; i++) {
		e = &m->pre[m->pre_last ^ i];
		if (e->len && (size_t)(end - line) > e->len &&
		    !is_space(line[e->len]) &&
		    same_bytes(e->text, line, e->len))
			break;
	}
	if (i == 2)
		return false;
	m->pre_last ^= i;
	h->comm = line + e->comm_off;
	h->comm_len = e->comm_len;
	h->pid = e->pid_q ? "?" : line + e->pid_off;
	h->pid_len = e->pid_len;
	h->tid = line + e->tid_off;
	h->tid_len = e->tid_len;
	h->has_cpu = e->has_cpu;
	h->period = e->period;
	return true;
}

/* The header's state before its time token at t, kept for the next ones. */
static inline void prefix_keep(struct hdr_memo *m,
			       const struct fg_collapse_header *h,
			       const char *line, const char *t)
{
	struct hdr_prefix *e;
	size_t len = t - line;

	if (len > HDR_TAIL || h->event)
		return;
	m->pre_last ^= 1;
	e = &m->pre[m->pre_last];
	memcpy(e->text, line, len);
	e->len = len;
	e->pname = NO_FRAME;
	m->cur = e;
	e->has_cpu = h->has_cpu;
	e->pid_q = h->pid_len == 1 && h->pid[0] == '?' &&
		   !(h->pid >= line && h->pid < t);
	e->comm_off = h->comm - line;
	e->comm_len = h->comm_len;
	e->pid_off = e->pid_q ? 0 : h->pid - line;
	e->pid_len = h->pid_len;
	e->tid_off = h->tid - line;
	e->tid_len = h->tid_len;
	e->period = h->period;
}

static int parse_header(const char *line, size_t len,
			struct fg_collapse_header *h, struct hdr_memo *m)
{
	const char *s = line, *end = line + len, *p, *t, *te, *tail = NULL;
	bool tail_period = false, known = false;

	memset(h, 0, sizeof(*h));
	if (m)
		m->cur = NULL;
	if (m && prefix_memo(m, h, line, end)) {
		m->cur = &m->pre[m->pre_last];
		s = line + m->cur->len;
		known = true;
		goto tokens;
	}
	while (s < end && is_space(*s))
		s++;
	/* comm: shortest prefix followed by blanks, digits[/digits], blank */
	for (p = s + 1; p < end; p++) {
		const char *q, *d;

		if (!is_space(*p))
			continue;
		q = p;
		while (q < end && is_space(*q))
			q++;
		d = q;
		while (q < end && is_digit(*q))
			q++;
		if (q == d)
			continue;
		h->pid = d;
		h->pid_len = q - d;
		if (q < end && *q == '/') {
			const char *t0 = ++q;

			while (q < end && is_digit(*q))
				q++;
			if (q == t0)
				continue;
			h->tid = t0;
			h->tid_len = q - t0;
		} else {
			h->tid = NULL;
		}
		if (q < end && !is_space(*q))
			continue;
		h->comm = s;
		h->comm_len = p - s;
		s = q;
		break;
	}
	if (!h->comm)
		return -EINVAL;
	/* one number is the TID (perf script's default) */
	if (!h->tid) {
		h->tid = h->pid;
		h->tid_len = h->pid_len;
		h->pid = "?";
		h->pid_len = 1;
	}
	/* optional [cpu], time:, period, event: */
tokens:
	for (;;) {
		while (s < end && is_space(*s))
			s++;
		if (s >= end)
			break;
		t = s;
		/*
		 * The usual time token, up to 10 digits '.' up to 9 digits ':',
		 * in one pass: what the general path below makes of it, where
		 * nothing can overflow.
		 */
		if (m && !h->has_time && !h->event && is_digit(*t)) {
			static const uint64_t scale[10] = {
				1000000000, 100000000, 10000000, 1000000, 100000,
				10000, 1000, 100, 10, 1,
			};
			const char *q = t, *f = NULL;
			uint64_t sec = 0, frac = 0;
			unsigned int ns, nd = 0, i;

			ns = digit_run(t, end, 10);
			q = t + ns;
			if (q < end && *q == '.') {
				f = q + 1;
				nd = digit_run(f, end, 9);
				q = f + nd;
			}
			if (q < end && *q == ':' && (q + 1 == end || is_space(q[1]))) {
				if (!known)
					prefix_keep(m, h, line, t);
				/* the value only matters to samples kept */
				for (i = 0; m->need_time && i < ns; i++)
					sec = sec * 10 + (t[i] - '0');
				for (i = 0; m->need_time && i < nd; i++)
					frac = frac * 10 + (f[i] - '0');
				h->time = sec * 1000000000ULL + frac * scale[nd];
				h->has_time = true;
				s = q + 1;
				if (tail_memo(m, h, s, end))
					return 0;
				tail = s;
				continue;
			}
		}
		while (s < end && !is_space(*s))
			s++;
		te = s;
		if (*t == '[' && te[-1] == ']' && !h->has_time && !h->event) {
			h->has_cpu = true;
			continue;
		}
		if (!h->has_time && !h->event && te[-1] == ':' && is_digit(*t)) {
			const char *q = t;

			while (q < te - 1 && (is_digit(*q) || *q == '.'))
				q++;
			if (q == te - 1) {
				if (m && !known)
					prefix_keep(m, h, line, t);
				if (parse_time(t, te - 1, &h->time))
					return -ERANGE;
				h->has_time = true;
				if (!m)
					continue;
				if (tail_memo(m, h, s, end))
					return 0;
				tail = s;
				continue;
			}
		}
		if (!h->event && is_digit(*t)) {
			const char *q = t;
			uint64_t v = 0;

			while (q < te && is_digit(*q)) {
				uint64_t d = (uint64_t)(*q++ - '0');

				if (v > (UINT64_MAX - d) / 10)
					return -ERANGE;
				v = v * 10 + d;
			}
			if (q == te) {
				h->period = v;
				tail_period = tail;
				continue;
			}
		}
		if (!h->event && te[-1] == ':' && te - t > 1) {
			h->event = t;
			h->event_len = te - 1 - t;
			h->rest = te;
			h->rest_len = end - te;
		}
		break;
	}
	if (tail && end > tail && end - tail <= HDR_TAIL &&
	    (!h->event || h->event_len < 256)) {
		m->len = end - tail;
		memcpy(m->tail, tail, m->len);
		m->has_period = tail_period;
		m->period = h->period;
		m->has_event = h->event;
		if (h->event) {
			m->ev_off = h->event - tail;
			m->ev_len = h->event_len;
		}
	}
	return 0;
}

int fg_collapse__parse_header(const char *line, size_t len,
			      struct fg_collapse_header *h)
{
	return parse_header(line, len, h, NULL);
}

int fg_collapse__parse_frame(const char *line, size_t len,
			     struct fg_collapse_frame *f)
{
	const char *s = line, *end = line + len, *p;

	while (s < end && is_space(*s))
		s++;
	f->pc = s;
	while (s < end && is_word(*s))
		s++;
	f->pc_len = s - f->pc;
	if (!f->pc_len || s >= end || !is_space(*s))
		return -EINVAL;
	while (s < end && is_space(*s))
		s++;
	while (end > s && is_space(end[-1]))
		end--;
	if (s >= end)
		return -EINVAL;
	f->dso = NULL;
	f->dso_len = 0;
	if (end[-1] == ')') {
		int depth = 0;

		for (p = end - 1; p > s; p--) {
			if (*p == ')')
				depth++;
			else if (*p == '(' && --depth == 0)
				break;
		}
		if (p == s && *p == '(' && depth == 1) {
			/* "ADDR  (DSO)": a symbol without a name */
			f->dso = p + 1;
			f->dso_len = end - 1 - f->dso;
			f->sym = s;
			f->sym_len = 0;
			f->off_len = 0;
			return 0;
		}
		if (p > s && depth == 0 && is_space(p[-1])) {
			f->dso = p + 1;
			f->dso_len = end - 1 - f->dso;
			end = p - 1;
			while (end > s && is_space(end[-1]))
				end--;
		}
	}
	if (end <= s)
		return -EINVAL;
	/* drop "+0x1f" */
	p = end;
	while (p > s && is_hex(p[-1]))
		p--;
	f->off_len = 0;
	if (p < end && p - s >= 4 && p[-1] == 'x' && p[-2] == '0' && p[-3] == '+') {
		f->off_len = end - (p - 3);
		end = p - 3;
	}
	f->sym = s;
	f->sym_len = end - s;
	return 0;
}

static bool event_matches(struct worker *w, const struct fg_collapse_header *h)
{
	const char *want = w->ctx->event;
	size_t wl = w->ctx->event_len;

	if (!h->event || !want)
		return true;
	if (h->event_len == wl && !memcmp(h->event, want, wl))
		return true;
	if (!w->other_event[0]) {
		size_t n = h->event_len < sizeof(w->other_event) - 1 ?
			   h->event_len : sizeof(w->other_event) - 1;

		memcpy(w->other_event, h->event, n);
		w->other_event[n] = '\0';
	}
	return false;
}

static int do_header(struct worker *w, const struct fg_collapse_header *h)
{
	const struct fg_collapse_opts *o = w->o;
	struct hdr_prefix *pre = w->hdr.cur;	/* h's comm, pid and tid */
	struct fg_buf *b = &w->tmp;
	struct proc_slot *ps = NULL;
	size_t klen;
	int ret = 0;

	if (!event_matches(w, h)) {
		w->filtered++;
		w->skipping = true;
		return 0;
	}
	if (pre && pre->pname != NO_FRAME) {
		w->pname = pre->pname;
		goto named;
	}
	/* a thread seen lately: the same process name */
	klen = h->comm_len + h->pid_len + h->tid_len;
	if (klen <= PROC_KEY) {
		uint64_t hh = hash_more(hash_more(hash_more(0, h->comm,
			h->comm_len), h->pid, h->pid_len), h->tid, h->tid_len);

		ps = &w->procs[fg_hash64(hh) & (PROC_SLOTS - 1)];
		if (ps->pname != NO_FRAME && ps->clen == h->comm_len &&
		    ps->plen == h->pid_len && ps->tlen == h->tid_len &&
		    same_bytes(ps->key, h->comm, h->comm_len) &&
		    same_bytes(ps->key + h->comm_len, h->pid, h->pid_len) &&
		    same_bytes(ps->key + h->comm_len + h->pid_len, h->tid,
			       h->tid_len)) {
			w->pname = ps->pname;
			goto named;
		}
	}
	ret = fg_namer__process(&w->ctx->names, h->comm, h->comm_len,
				h->pid, h->pid_len, h->tid, h->tid_len, b);
	if (ret)
		return ret;
	w->pname = frame_get(w, KEY_PNAME, b->buf, b->len, "", 0, "", 0, "", 0);
	if (w->pname == NO_FRAME)
		return -ENOMEM;
	if (ps) {
		memcpy(ps->key, h->comm, h->comm_len);
		memcpy(ps->key + h->comm_len, h->pid, h->pid_len);
		memcpy(ps->key + h->comm_len + h->pid_len, h->tid, h->tid_len);
		ps->clen = h->comm_len;
		ps->plen = h->pid_len;
		ps->tlen = h->tid_len;
		ps->pname = w->pname;
	}
named:
	if (pre)
		pre->pname = w->pname;
	w->java = h->comm_len >= 4 && !memcmp(h->comm, "java", 4);
	w->in_sample = true;
	w->prev_line = NULL;
	w->user_seen = false;
	w->nr_cur = 0;
	w->shash = 0;
	w->time = h->time;
	if (o->weight == FG_WEIGHT_PERIOD)
		w->weight = h->period ? h->period : 1;
	else
		w->weight = 1;
	if (w->weight > w->room) {
		w->in_sample = false;
		return 1;	/* the caller counts and skips it */
	}
	w->room -= w->weight;
	return 0;
}

/*
 * The frame id of a parsed frame line; kern: a kernel-half address before
 * any user frame of the sample (see do_frame). NO_FRAME: out of memory.
 */
static uint32_t frame_id(struct worker *w, const struct fg_collapse_frame *f,
			 bool kern)
{
	const char *extra = "";
	size_t elen = 0;
	unsigned int kind = w->java ? KEY_FRAME_JAVA : KEY_FRAME;

	if (w->o->addrs && (!f->sym_len ||
			    memmem(f->sym, f->sym_len, "[unknown]", 9))) {
		extra = f->pc;
		elen = f->pc_len;
	} else if (w->o->inline_) {
		extra = f->pc;	/* inlining depends on the address */
		elen = f->pc_len;
	}
	if (kern && w->ctx->names.annotate)
		kind |= KEY_KERNEL_ADDR;
	w->off_len = f->off_len;
	return frame_get(w, kind, f->sym, f->sym_len, f->dso ? f->dso : "",
			 f->dso_len, f->pc, f->pc_len, extra, elen);
}

static inline bool frame_khalf(const struct fg_collapse_frame *f)
{
	return f->pc_len == 16 && f->pc[0] >= '8';
}

static int do_frame(struct worker *w, const struct fg_collapse_frame *f)
{
	bool kern = false;
	uint32_t id;

	/*
	 * Kernel or user, as perf's context markers would say: perf prints
	 * a sample's kernel frames (kernel-half addresses) before its user
	 * frames; after the first user frame, garbage addresses of a broken
	 * user stack walk are still user frames.
	 */
	if (!w->user_seen && frame_khalf(f))
		kern = true;
	else
		w->user_seen = true;
	id = frame_id(w, f, kern);
	if (id == NO_FRAME)
		return -ENOMEM;
	if (!w->frames[id].n)
		return 0;
	return push_frame(w, id);
}

/* ---- the line cache: the hot path --------------------------------------- */

struct lkey {
	const char *text;
	size_t len;
	bool java;
};

static inline bool lslot_empty(const struct line_slot *s)
{
	return !s->line;
}

static inline bool lslot_live(const struct line_slot *s)
{
	return s->line;
}

static inline bool lslot_match(const void *c, const struct line_slot *s,
			       uint64_t h, const struct lkey *k)
{
	(void)c;
	return s->hash == h && s->line->len == k->len &&
	       s->line->java == k->java &&
	       same_bytes(s->line->text, k->text, k->len);
}

static inline uint64_t lslot_hash(const void *c, const struct line_slot *s)
{
	(void)c;
	return s->hash;
}

FG_HTAB_DEFINE(lslot, struct line_slot, const struct lkey *, const void *)

/*
 * A frame line (starts with a tab) of a sample being kept, up to its '\n'
 * (or end): 0 done, 1 not a frame line (the caller parses it the slow
 * way), -errno. *nl is set to the end of the line.
 */
static inline int fast_frame(struct worker *w, const char *p, const char *end,
			     const char **nl)
{
	struct fg_collapse_frame f;
	const char *q, *a, *key;
	struct line_slot *slot;
	struct lkey lk;
	struct line *e;
	uint32_t id;
	unsigned int k;
	size_t len;
	uint64_t h;
	bool khalf, found, parsed = false;

	/* "\t   ADDR " */
	if (!addr_column(p, end, &a, &q) && addr_scan(p, end, &a, &q)) {
		*nl = memchr(p, '\n', end - p) ?: end;
		return 1;
	}
	khalf = q - a == 16 && *a >= '8';
	key = w->o->addrs ? p : q;
	/*
	 * A caller's line mostly follows the same callee line each time:
	 * try the line that came after the previous one last time, byte for
	 * byte, before hashing and probing the table (two cache misses).
	 */
	e = w->prev_line ? w->prev_line->next : NULL;
	if (e && e->java == w->java && (size_t)(end - key) > e->len &&
	    key[e->len] == '\n' && same_bytes(e->text, key, e->len)) {
		*nl = key + e->len;
		goto found;
	}
	*nl = scan_line(key, end, &h);
	len = *nl - key;
	h ^= w->java;
	lk = (struct lkey){ key, len, w->java };
	slot = lslot__lookup(&w->lslots, NULL, h, &lk, &found);
	if (found) {
		e = slot->line;
		goto found;
	}
	/* a line not seen yet: the same parse as do_line's */
	len = *nl - p;
	if (len && p[len - 1] == '\r')
		len--;
	if (fg_collapse__parse_frame(p, len, &f) || f.pc != a ||
	    f.pc_len != (size_t)(q - a))
		return 1;
	parsed = true;	/* f serves below too */
	len = *nl - key;
	e = arena_alloc(&w->arena, sizeof(*e) + len);
	if (!e)
		return -ENOMEM;
	memcpy(e->text, key, len);
	e->next = NULL;
	e->len = len;
	e->id[0] = e->id[1] = LINE_NEW;
	e->java = w->java;
	slot->hash = h;
	slot->line = e;
	if (lslot__added(&w->lslots, NULL, ++w->nr_lines))
		return -ENOMEM;
found:
	if (w->prev_line)
		w->prev_line->next = e;
	w->prev_line = e;
	/* as do_frame decides kernel or user */
	if (!w->user_seen && khalf) {
		k = 1;
	} else {
		w->user_seen = true;
		k = 0;
	}
	id = e->id[k];
	if (__builtin_expect(id == LINE_NEW, 0)) {
		len = *nl - p;
		if (len && p[len - 1] == '\r')
			len--;
		if (!parsed && fg_collapse__parse_frame(p, len, &f))
			return -EINVAL;	/* cannot be: the same text parsed */
		id = frame_id(w, &f, k);
		if (id == NO_FRAME)
			return -ENOMEM;
		if (!w->frames[id].n)
			id = LINE_DROPPED;
		e->id[k] = id;
	}
	if (id == LINE_DROPPED)
		return 0;
	return push_frame(w, id);
}

/* One line (no '\n'). */
/* The shape of a -F+srcline line: two spaces, then text without a tab. */
static bool is_srcline(const char *line, size_t len)
{
	return len > 2 && line[0] == ' ' && line[1] == ' ' &&
	       !is_space(line[2]) && !memchr(line, '\t', len);
}

static int do_line(struct worker *w, const char *line, size_t len,
		   uint64_t lineno)
{
	struct fg_collapse_header h;
	struct fg_collapse_frame f;
	size_t i;
	int ret;

	if (len && line[len - 1] == '\r')
		len--;
	for (i = 0; i < len && is_space(line[i]); i++)
		;
	if (i == len) {
		/* blank: end of sample */
		w->skipping = false;
		return flush_sample(w);
	}
	if (line[0] == '#')
		return 0;
	/*
	 * perf indents frames with a tab; a header starts with the comm,
	 * which perf pads with spaces when there is no callchain.
	 */
	if (line[0] == ' ' && parse_header(line, len, &h, &w->hdr) == 0 &&
	    (h.has_time || h.has_cpu))
		goto header;
	if (is_space(line[0])) {
		if (fg_collapse__parse_frame(line, len, &f) == 0) {
			if (w->skipping || !w->in_sample)
				return 0;
			return do_frame(w, &f);
		}
		/*
		 * perf script -F+srcline prints each frame's source line
		 * ("  file.c:12", "  ??:0", "  [kernel.kallsyms][addr]") on
		 * the line after it, indented with two spaces: not a frame.
		 */
		if (is_srcline(line, len) && (w->in_sample || w->skipping))
			return 0;
		note_bad(w, lineno, line, len);
		return 0;
	}
	/* a header; the previous sample ends here if no blank line did */
	if (parse_header(line, len, &h, &w->hdr)) {
		/* old perf versions did not indent frames */
		if ((w->in_sample || w->skipping) &&
		    fg_collapse__parse_frame(line, len, &f) == 0)
			return w->skipping ? 0 : do_frame(w, &f);
		note_bad(w, lineno, line, len);
		ret = flush_sample(w);
		w->skipping = true;	/* its frames belong to nothing */
		return ret;
	}
header:
	ret = flush_sample(w);
	if (ret)
		return ret;
	w->skipping = false;
	ret = do_header(w, &h);
	if (ret == 1) {
		/* its weight would take the column total past FG_WEIGHT_MAX */
		if (!w->big++)
			w->first_big_line = lineno;
		w->skipping = true;
		ret = 0;
	}
	return ret;
}

/* Parse whole lines in [data, data+len); the last may lack '\n'. */
static int worker_parse(struct worker *w, const char *data, size_t len,
			uint64_t base)
{
	const char *p = data, *end = data + len, *nl;
	uint64_t local = base;
	int ret;

	while (p < end) {
		local++;
		if (*p == '\t' && w->fast && w->in_sample && !w->skipping) {
			ret = fast_frame(w, p, end, &nl);
			if (ret == 1)
				ret = do_line(w, p, nl - p, local);
		} else if (*p == '\n' && !w->skipping) {
			nl = p;
			ret = flush_sample(w);	/* a blank line ends a sample */
		} else {
			nl = memchr(p, '\n', end - p);
			if (!nl)
				nl = end;
			ret = do_line(w, p, nl - p, local);
		}
		if (ret) {
			w->lines += local - base;
			return ret;
		}
		p = nl + 1;
	}
	w->lines += local - base;
	return 0;
}

/* ---- the whole input ---------------------------------------------------- */

int fg_inline__names(struct collapse_ctx *ctx, struct worker *w,
		     const char *pc, size_t pclen, const char *sym, size_t slen,
		     const char *dso, size_t dlen, struct fg_buf *out)
{
	if (!ctx->inl)
		return 0;
	fg_buf__reset(out);
	return fg_inline__lookup(ctx->inl, pc, pclen, sym, slen, dso, dlen,
				 out);
}

void fg_collapse_opts__init(struct fg_collapse_opts *o)
{
	memset(o, 0, sizeof(*o));
}

static void set_event(struct collapse_ctx *ctx, const char *ev, size_t len)
{
	if (len >= sizeof(ctx->event_buf))
		len = sizeof(ctx->event_buf) - 1;
	memcpy(ctx->event_buf, ev, len);
	ctx->event_buf[len] = '\0';
	ctx->event = ctx->event_buf;
	ctx->event_len = strlen(ctx->event_buf);	/* what event_matches compared */
}

/* The first event in data, as stackcollapse-perf.pl keeps it. */
static void detect_event(struct collapse_ctx *ctx, const char *data, size_t len)
{
	const char *p = data, *end = data + len, *nl;
	struct fg_collapse_header h;

	while (p < end && !ctx->event) {
		nl = memchr(p, '\n', end - p);
		if (!nl)
			nl = end;
		if (nl > p && *p != '#' && *p != '\t' &&
		    !fg_collapse__parse_header(p, nl - p, &h) && h.event &&
		    (h.has_time || h.has_cpu || *p != ' '))
			set_event(ctx, h.event, h.event_len);
		p = nl + 1;
	}
}

static int read_single(struct collapse_ctx *ctx, struct worker *w,
		       struct fg_reader *r)
{
	const char *d;
	size_t l;
	int rc;

	while ((rc = fg_reader__block(r, BLOCK_SIZE, &d, &l)) > 0) {
		if (!ctx->event_scanned) {
			if (!ctx->o->event_filter)
				detect_event(ctx, d, l);
			ctx->event_scanned = true;
		}
		rc = worker_parse(w, d, l, w->lines);
		if (rc)
			return rc;
	}
	if (rc == 0 || rc == -EIO)
		return flush_sample(w) ?: rc;
	return rc;
}

/* A stack's frame id at depth d from the root, plus one; 0 past its end. */
static inline uint32_t path_id(const struct worker *w, uint32_t stack,
			       uint32_t d)
{
	const struct stack *s = &w->stacks[stack];

	return d < s->n ? w->stack_ids[s->off + s->n - 1 - d] + 1 : 0;
}

struct path_item {
	uint32_t key;
	uint32_t stack;
};

struct path_run {
	uint32_t start, len, depth;
};

/* it[0..len) by key (at most max): insertion sort, or 8-bit radix passes */
static void sort_items(struct path_item *it, struct path_item *tmp,
		       uint32_t len, uint32_t max)
{
	uint32_t i, j, shift, count[257];
	struct path_item x;

	if (len <= 32) {
		for (i = 1; i < len; i++) {
			x = it[i];
			for (j = i; j && it[j - 1].key > x.key; j--)
				it[j] = it[j - 1];
			it[j] = x;
		}
		return;
	}
	for (shift = 0; shift < 32 && max >> shift; shift += 8) {
		memset(count, 0, sizeof(count));
		for (i = 0; i < len; i++)
			count[((it[i].key >> shift) & 255) + 1]++;
		for (i = 1; i < 257; i++)
			count[i] += count[i - 1];
		for (i = 0; i < len; i++)
			tmp[count[(it[i].key >> shift) & 255]++] = it[i];
		memcpy(it, tmp, len * sizeof(*it));
	}
}

/*
 * The stacks in path order (by their frame ids from the root, a stack
 * before the ones it is a prefix of): sorted by their first frame, then
 * each run of equal first frames by the second, and so on. Each stack's id
 * at a depth is read once, not once per compare.
 */
static int sort_paths(const struct worker *w, uint32_t *order)
{
	uint32_t n = w->nr_stacks, nr = 0, i, j;
	struct path_item *items, *tmp, *it;
	struct path_run *runs, r;

	items = malloc(((size_t)n + 1) * sizeof(*items));
	tmp = malloc(((size_t)n + 1) * sizeof(*tmp));
	/* the runs waiting are disjoint, two stacks or more each */
	runs = malloc(((size_t)n / 2 + 1) * sizeof(*runs));
	if (!items || !tmp || !runs) {
		free(items);
		free(tmp);
		free(runs);
		return -ENOMEM;
	}
	for (i = 0; i < n; i++)
		items[i] = (struct path_item){ 0, i };
	if (n > 1)
		runs[nr++] = (struct path_run){ 0, n, 0 };
	while (nr) {
		r = runs[--nr];
		it = items + r.start;
		for (i = 0; i < r.len; i++)
			it[i].key = path_id(w, it[i].stack, r.depth);
		sort_items(it, tmp, r.len, w->nr_frames);
		for (i = 0; i < r.len; i = j) {
			for (j = i + 1; j < r.len && it[j].key == it[i].key; j++)
				;
			/* key 0: the stacks end here (distinct: one at most) */
			if (j - i > 1 && it[i].key)
				runs[nr++] = (struct path_run){ r.start + i, j - i,
								r.depth + 1 };
		}
	}
	for (i = 0; i < n; i++)
		order[i] = items[i].stack;
	free(items);
	free(tmp);
	free(runs);
	return 0;
}

/* How many frames from the root stacks a and b share. */
static uint32_t path_lcp(const struct worker *w, uint32_t a, uint32_t b)
{
	const struct stack *x = &w->stacks[a], *y = &w->stacks[b];
	const uint32_t *xe = w->stack_ids + x->off + x->n;
	const uint32_t *ye = w->stack_ids + y->off + y->n;
	uint32_t m = x->n < y->n ? x->n : y->n, k = 0;

	while (k < m && *--xe == *--ye)
		k++;
	return k;
}

/*
 * For each stack, the stack before it (in the order they appeared) that
 * shares the most frames with it from the root, and how many (0: none).
 * In path order the stacks sharing a prefix are neighbours: the best one
 * before i is the nearest one before i on either side, and what they share
 * is the least of what the neighbours between share (a stack of positions
 * in increasing stack order, each with the least shared since it).
 */
static int merge_donors(struct worker *w, uint32_t *donor, uint32_t *shared)
{
	uint32_t n = w->nr_stacks, i, p, *order, *lcp, *st, *val, top;
	int dir;

	order = malloc(((size_t)n + 1) * sizeof(*order));
	lcp = malloc(((size_t)n + 1) * sizeof(*lcp));
	st = malloc(((size_t)n + 1) * sizeof(*st));
	val = malloc(((size_t)n + 1) * sizeof(*val));
	if (!order || !lcp || !st || !val || sort_paths(w, order)) {
		free(order);
		free(lcp);
		free(st);
		free(val);
		return -ENOMEM;
	}
	for (i = 0; i < n; i++) {
		shared[i] = 0;
		donor[i] = i;
	}
	for (p = 1; p < n; p++)
		lcp[p] = path_lcp(w, order[p - 1], order[p]);
	for (dir = 0; dir < 2; dir++) {
		top = 0;
		for (i = 0; i < n; i++) {
			/* left to right, then right to left */
			p = dir ? n - 1 - i : i;
			if (top) {
				uint32_t l = dir ? lcp[p + 1] : lcp[p];

				if (l < val[top - 1])
					val[top - 1] = l;
			}
			while (top && order[st[top - 1]] > order[p]) {
				top--;
				if (top && val[top] < val[top - 1])
					val[top - 1] = val[top];
			}
			if (top && val[top - 1] > shared[order[p]]) {
				shared[order[p]] = val[top - 1];
				donor[order[p]] = order[st[top - 1]];
			}
			st[top] = p;
			val[top] = UINT32_MAX;
			top++;
		}
	}
	free(order);
	free(lcp);
	free(st);
	free(val);
	return 0;
}

/*
 * Move the stacks into the profile, in the order they appeared. A stack
 * shares the nodes of the longest prefix (from the root) it has in common
 * with any stack before it (merge_donors): those child lookups, which
 * would find the nodes, are not made, so the nodes and names are made in
 * the same order as with a lookup for every frame.
 */
static int merge(struct fg_profile *p, struct worker *w)
{
	uint32_t *nodes = NULL, *donor = NULL, *shared = NULL, *pnodes = NULL;
	uint32_t i, k, j;
	size_t s;
	int ret = -ENOMEM;

	w->name_ids = malloc((w->nr_pieces + 1) * sizeof(*w->name_ids));
	if (!w->name_ids)
		return -ENOMEM;
	for (i = 0; i < w->nr_pieces; i++)
		w->name_ids[i] = UINT32_MAX;
	if (w->keep_samples) {
		nodes = malloc((w->nr_stacks + 1) * sizeof(*nodes));
		if (!nodes)
			goto out;
	}
	/* the nodes of each stack, root first, beside its ids */
	pnodes = malloc((w->nr_stack_ids + 1) * sizeof(*pnodes));
	donor = malloc((w->nr_stacks + 1) * sizeof(*donor));
	shared = malloc((w->nr_stacks + 1) * sizeof(*shared));
	if (!pnodes || !donor || !shared || merge_donors(w, donor, shared))
		goto out;
	ret = 0;
	for (i = 0; i < w->nr_stacks; i++) {
		const struct stack *st = &w->stacks[i];
		const uint32_t *ids = w->stack_ids + st->off;
		uint32_t *pnode = pnodes + st->off, node = FG_ROOT, c = shared[i];

		/* root first: ids[n - 1] (the process name) down to ids[0] */
		if (c) {
			memcpy(pnode, pnodes + w->stacks[donor[i]].off,
			       c * sizeof(*pnode));
			node = pnode[c - 1];
		}
		for (k = c; k < st->n; k++) {
			uint32_t fid = ids[st->n - 1 - k];
			const struct frame *f = &w->frames[fid];

			for (j = f->first; j < f->first + f->n; j++) {
				if (w->name_ids[j] == UINT32_MAX) {
					w->name_ids[j] = fg_profile__intern(p,
						w->pieces[j].s, w->pieces[j].len);
					if (w->name_ids[j] == UINT32_MAX) {
						ret = -ENOMEM;
						goto out;
					}
				}
				node = fg_profile__child(p, node, w->name_ids[j]);
				if (node == FG_NO_NODE) {
					ret = -ENOMEM;
					goto out;
				}
			}
			pnode[k] = node;
		}
		if (nodes)
			nodes[i] = node;
		else if ((ret = fg_profile__add_node(p, node, st->weight, 0)))
			goto out;
	}
	for (s = 0; nodes && s < w->nr_samples; s++) {
		const struct sample_rec *sr = &w->samples[s];

		ret = fg_profile__add_node(p, nodes[sr->stack], sr->weight,
					   sr->time);
		if (ret)
			break;
	}
out:
	free(pnodes);
	free(donor);
	free(shared);
	free(nodes);
	return ret;
}

int fg_collapse__read(struct fg_profile *p, struct fg_reader *r,
		      const struct fg_collapse_opts *o,
		      struct fg_collapse_stats *st)
{
	struct fg_collapse_opts defaults;
	struct collapse_ctx ctx = { 0 };
	struct worker w;
	bool keep = fg_profile__keeps_samples(p);
	struct fg_collapse_stats local;
	int ret = 0, rret;

	if (!o) {
		fg_collapse_opts__init(&defaults);
		o = &defaults;
	}
	if (!st)
		st = &local;
	memset(st, 0, sizeof(*st));
	ctx.o = o;
	ctx.names = (struct fg_namer_opts){
		.annotate = (o->kernel ? FG_ANNOTATE_KERNEL : 0) |
			    (o->jit ? FG_ANNOTATE_JIT : 0),
		.addrs = o->addrs,
		.pid = o->pid,
		.tid = o->tid,
		.no_demangle = o->no_demangle,
	};
	if (o->event_filter)
		set_event(&ctx, o->event_filter, strlen(o->event_filter));
	if (o->inline_) {
		ctx.inl = fg_inline__new(o->context);
		if (!ctx.inl)
			return -errno;
	}
	ret = worker_init(&w, o, &ctx, keep);
	if (ret)
		goto out;
	w.room = FG_WEIGHT_MAX - (fg_profile__total(p, 0) > fg_profile__total(p, 1) ?
				  fg_profile__total(p, 0) : fg_profile__total(p, 1));
	rret = read_single(&ctx, &w, r);
	ret = drain_samples(&w);
	if (!rret)
		rret = ret;

	st->lines = w.lines;
	st->samples = w.nr_added;
	st->filtered = w.filtered;
	st->bad_lines = w.bad;
	memcpy(st->other_event, w.other_event, sizeof(st->other_event));
	if (w.bad) {
		st->first_bad_line = w.first_bad_line;
		pr_warn("%s:%llu: skipped %llu malformed line%s, the first: \"%s\"\n",
			fg_reader__name(r), (unsigned long long)w.first_bad_line,
			(unsigned long long)st->bad_lines,
			st->bad_lines == 1 ? "" : "s", w.first_bad_text);
	}
	if (w.big)
		pr_warn("%s:%llu: skipped %llu sample%s whose weight would take the total past 2^63-1\n",
			fg_reader__name(r), (unsigned long long)w.first_big_line,
			(unsigned long long)w.big, w.big == 1 ? "" : "s");
	if (ctx.event)
		snprintf(st->first_event, sizeof(st->first_event), "%s", ctx.event);
	if (st->filtered)
		pr_warn("%s: kept events of type %s; skipped %llu samples of other events (%s%s)\n",
			fg_reader__name(r), ctx.event,
			(unsigned long long)st->filtered, st->other_event,
			o->event_filter ? "" : "; choose with --event-filter");
	fg_reader__add_lines(r, st->lines);

	ret = merge(p, &w);
	if (!ret)
		ret = rret;
out:
	worker_release(&w);
	fg_inline__delete(ctx.inl);
	return ret;
}

/* ---- input guessing ----------------------------------------------------- */

static bool folded_line(const char *s, size_t len)
{
	const char *e = s + len;
	int nums = 0;

	while (e > s && is_space(e[-1]))
		e--;
	/* one or two trailing counts */
	while (nums < 2) {
		const char *d = e;

		while (d > s && (is_digit(d[-1]) || d[-1] == '.'))
			d--;
		if (d == e || d == s || !is_space(d[-1]))
			break;
		nums++;
		e = d - 1;
		while (e > s && is_space(e[-1]))
			e--;
	}
	return nums > 0 && e > s && !is_space(*s);
}

enum fg_input_kind fg_input__guess(struct fg_reader *r)
{
	const char *data;
	size_t len;

	if (fg_reader__peek(r, &data, &len) || !len)
		return FG_INPUT_UNKNOWN;
	return fg_input__guess_data(data, len);
}

enum fg_input_kind fg_input__guess_data(const char *data, size_t len)
{
	const char *p, *end, *nl;
	struct fg_collapse_header h;
	struct fg_collapse_frame f;
	int perf = 0, folded = 0, lines = 0;
	bool after_frame = false;

	if (!len)
		return FG_INPUT_UNKNOWN;
	p = data;
	end = data + len;
	while (p < end && lines < 200) {
		size_t l;

		nl = memchr(p, '\n', end - p);
		if (!nl) {
			if (p != data)
				break;	/* a cut line: ignore */
			nl = end;
		}
		l = nl - p;
		if (l && p[l - 1] == '\r')
			l--;
		if (l && *p != '#') {
			lines++;
			bool frame = *p == '\t' &&
				     !fg_collapse__parse_frame(p, l, &f);

			if (frame || (after_frame && is_srcline(p, l)))
				perf++;
			else if (!is_space(*p) &&
				 !fg_collapse__parse_header(p, l, &h) &&
				 (h.has_time || h.has_cpu || h.event))
				perf++;
			else if (folded_line(p, l))
				folded++;
			after_frame = frame;
		}
		p = nl + 1;
	}
	if (!lines)
		return FG_INPUT_UNKNOWN;
	if (perf * 2 > lines)
		return FG_INPUT_PERF_SCRIPT;
	if (folded * 2 > lines)
		return FG_INPUT_FOLDED;
	return FG_INPUT_UNKNOWN;
}

const char *fg_input__kind_name(enum fg_input_kind k)
{
	switch (k) {
	case FG_INPUT_PERF_SCRIPT:
		return "perf script text";
	case FG_INPUT_FOLDED:
		return "folded stacks";
	default:
		return "unknown";
	}
}
