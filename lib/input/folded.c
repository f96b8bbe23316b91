// SPDX-License-Identifier: GPL-2.0
/*
 * Folded stacks reader: "frame;frame;...;frame COUNT" per line, root first.
 * A line ending in two counts ("stack A B") is the differential form: A goes
 * to column 0, B to column 1. Counts may carry a fraction ("1.5", as
 * flamegraph.pl reads them): the profile then counts in 10^-N units
 * (fg_profile__set_decimals), so fractions are kept exactly.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

/*
 * Parse a trailing " NUMBER" of line[0..*len) ("12", "2.5", "5.", ".5");
 * shrink *len past it. The count is *out units of 10^-*dec: "2.50" is 25
 * with 1 decimal; past FG_DECIMALS_MAX decimals it is rounded half away
 * from zero. 1: parsed; 0: no count there; -ERANGE: a count over
 * FG_WEIGHT_MAX.
 */
static int take_count(const char *line, size_t *len, uint64_t *out,
		      unsigned int *dec)
{
	size_t end = *len, i = end, k, dot = 0;
	unsigned int nd = 0;
	uint64_t v = 0;

	while (i > 0 && ((line[i - 1] >= '0' && line[i - 1] <= '9') ||
			 (line[i - 1] == '.' && !dot))) {
		if (line[i - 1] == '.')
			dot = i - 1;
		i--;
	}
	if (i == end || i == 0 || (dot && end - i == 1) ||
	    (line[i - 1] != ' ' && line[i - 1] != '\t'))
		return 0;
	if (dot) {	/* significant decimals: trailing zeros carry none */
		size_t last = end;

		while (last > dot + 1 && line[last - 1] == '0')
			last--;
		end = last;
	}
	for (k = i; k < end; k++) {
		uint64_t d;

		if (k == dot)
			continue;
		if (dot && k > dot && nd == FG_DECIMALS_MAX) {
			if (line[k] >= '5' && v++ == FG_WEIGHT_MAX)
				return -ERANGE;
			break;
		}
		d = (uint64_t)(line[k] - '0');
		if (v > (FG_WEIGHT_MAX - d) / 10)
			return -ERANGE;
		v = v * 10 + d;
		if (dot && k > dot)
			nd++;
	}
	*out = v;
	*dec = nd;
	/* drop the separating blanks */
	while (i > 0 && (line[i - 1] == ' ' || line[i - 1] == '\t'))
		i--;
	*len = i;
	return 1;
}

/* v units of 10^-dec in the profile's units (rounded half away from zero
 * when it has fewer decimals). -ERANGE: too big. */
static int to_units(const struct fg_profile *p, uint64_t *v, unsigned int dec)
{
	unsigned int pd = fg_profile__decimals(p);

	for (; dec > pd; dec--)
		*v = *v / 10 + (*v % 10 >= 5);
	for (; dec < pd; dec++) {
		if (*v > FG_WEIGHT_MAX / 10)
			return -ERANGE;
		*v *= 10;
	}
	return 0;
}

/*
 * The previous stack's text and the node after each of its frames: a line
 * sharing a prefix of whole frames with the one before (sorted input, as
 * stackcollapse tools print) starts below the shared part, without
 * interning or looking up those frames again. Same nodes, same order of
 * creation as walking from the root.
 */
struct prev_stack {
	char *text;
	size_t len, alloc;
	size_t *end;		/* end offset of each non-empty frame */
	uint32_t *node;		/* node after that frame */
	size_t n, nalloc;
};

static void prev_stack__release(struct prev_stack *m)
{
	free(m->text);
	free(m->end);
	free(m->node);
}

/* Shared whole frames of s with the previous stack: how many to reuse. */
static size_t prev_stack__shared(const struct prev_stack *m, const char *s,
				 size_t len)
{
	size_t max = len < m->len ? len : m->len, l = 0, k;

	while (l + 8 <= max) {
		uint64_t a, b;

		memcpy(&a, m->text + l, 8);
		memcpy(&b, s + l, 8);
		if (a != b)
			break;
		l += 8;
	}
	while (l < max && m->text[l] == s[l])
		l++;
	/* frame k ends at end[k]: reusable when s holds the same bytes up
	 * to there and a frame of s ends there too */
	for (k = 0; k < m->n; k++) {
		size_t e = m->end[k];

		if (e > l || (e == l && e < len && s[e] != ';'))
			break;
	}
	return k;
}

static int prev_stack__push(struct prev_stack *m, size_t end, uint32_t node)
{
	if (m->n == m->nalloc) {
		size_t n = m->nalloc ? m->nalloc * 2 : 64;
		size_t *e = realloc(m->end, n * sizeof(*e));
		uint32_t *d;

		if (!e)
			return -ENOMEM;
		m->end = e;
		d = realloc(m->node, n * sizeof(*d));
		if (!d)
			return -ENOMEM;
		m->node = d;
		m->nalloc = n;
	}
	m->end[m->n] = end;
	m->node[m->n++] = node;
	return 0;
}

static int add_stack(struct fg_profile *p, struct prev_stack *m,
		     const char *s, size_t len, uint64_t w, unsigned int col)
{
	uint32_t node = FG_ROOT;
	size_t i = 0, k = prev_stack__shared(m, s, len);

	if (k) {
		node = m->node[k - 1];
		i = m->end[k - 1] + 1;
	}
	m->n = k;
	if (len > m->alloc) {
		size_t n = len * 2;
		char *t = realloc(m->text, n);

		if (!t) {
			m->n = m->len = 0;
			return -ENOMEM;
		}
		m->text = t;
		m->alloc = n;
	}
	memcpy(m->text, s, len);
	m->len = len;
	while (i <= len) {
		const char *f = s + i;
		const char *semi = i < len ? memchr(f, ';', len - i) : NULL;
		size_t flen = semi ? (size_t)(semi - f) : len - i;
		uint32_t id;

		if (flen) {	/* ";;" and a trailing ";" carry no frame */
			id = fg_profile__intern(p, f, flen);
			node = fg_profile__child(p, node, id);
			if (node == FG_NO_NODE || prev_stack__push(m, i + flen, node)) {
				m->n = m->len = 0;
				return -ENOMEM;
			}
		}
		i += flen + 1;
	}
	if (node == FG_ROOT)
		return -EINVAL;
	fg_profile__set_column(p, col);
	return fg_profile__add_node(p, node, w, 0);
}

int fg_folded__read(struct fg_profile *p, struct fg_reader *r,
		    struct fg_folded_stats *st)
{
	struct fg_folded_stats local = { 0 };
	struct prev_stack prev = { 0 };
	uint64_t big = 0, first_big = 0, mal = 0, first_mal = 0;
	const char *line;
	size_t len;
	int ret;

	if (!st)
		st = &local;
	memset(st, 0, sizeof(*st));	/* callers may pass it uninitialised */
	while ((ret = fg_reader__getline(r, &line, &len)) > 0) {
		uint64_t a = 0, b;
		unsigned int da = 0, db = 0;
		int two = 0, one = 0;

		st->lines++;
		while (len && (line[len - 1] == ' ' || line[len - 1] == '\t'))
			len--;
		if (!len || line[0] == '#')
			continue;
		one = take_count(line, &len, &b, &db);
		if (one <= 0)
			goto bad_count;
		two = take_count(line, &len, &a, &da);
		if (two < 0)
			goto bad_count;
		if (!len)
			goto bad;
		/* a total too big for more decimals keeps fewer: rounded */
		if ((da > db ? da : db) > fg_profile__decimals(p))
			(void)fg_profile__set_decimals(p, da > db ? da : db);
		if (to_units(p, &a, da) || to_units(p, &b, db))
			goto too_big;
		/* sums past FG_WEIGHT_MAX: the line is refused, nothing wraps */
		if (two ? a > FG_WEIGHT_MAX - fg_profile__total(p, 0) ||
			  b > FG_WEIGHT_MAX - fg_profile__total(p, 1) :
			  b > FG_WEIGHT_MAX - fg_profile__total(p, 0))
			goto too_big;
		if (two) {
			if ((a && add_stack(p, &prev, line, len, a, 0)) ||
			    (b && add_stack(p, &prev, line, len, b, 1)))
				goto bad;
			/* keep zero-count stacks visible in both columns */
			if (!a && !b && add_stack(p, &prev, line, len, 0, 0))
				goto bad;
		} else if (add_stack(p, &prev, line, len, b, 0)) {
			goto bad;
		}
		continue;
bad_count:
		if (one != -ERANGE && two != -ERANGE)
			goto bad;
too_big:
		if (!big++)
			first_big = fg_reader__lineno(r);
		goto skipped;
bad:
		if (!mal++)
			first_mal = fg_reader__lineno(r);
skipped:
		if (!st->bad_lines++)
			st->first_bad_line = fg_reader__lineno(r);
	}
	fg_profile__set_column(p, 0);
	prev_stack__release(&prev);
	if (big)
		pr_warn("%s:%llu: skipped %llu line(s) whose count would take the total past 2^63-1\n",
			fg_reader__name(r), (unsigned long long)first_big,
			(unsigned long long)big);
	if (mal)
		pr_warn("%s: skipped %llu malformed line(s), first at line %llu\n",
			fg_reader__name(r), (unsigned long long)mal,
			(unsigned long long)first_mal);
	return ret < 0 ? ret : 0;
}
