// SPDX-License-Identifier: GPL-2.0
/*
 * Escaping names for the contexts they land in: XML text and attributes
 * (the SVG writer) and JSON string literals inside HTML <script> blocks
 * (the heatmap page).
 *
 * Both walk the input as UTF-8. A byte sequence that is not well-formed
 * UTF-8 (overlong forms, surrogates, code points above U+10FFFF, stray
 * continuation bytes, truncated sequences) becomes one U+FFFD per maximal
 * invalid subpart, as Unicode's "best practice" (chapter 3, U+FFFD
 * substitution) describes, so a truncated sequence never swallows the
 * byte that follows it.
 */
#include <errno.h>
#include <string.h>

#include "internal.h"

#define REPLACEMENT	0xfffdu

/*
 * Decode one character at s[0..len). Returns the number of bytes consumed
 * (>= 1) and stores the code point, or REPLACEMENT with *bad set.
 */
static size_t utf8_next(const unsigned char *s, size_t len, uint32_t *cp,
			bool *bad)
{
	unsigned char c = s[0], lo = 0x80, hi = 0xbf;
	size_t need, i;
	uint32_t v;

	*bad = false;
	if (c < 0x80) {
		*cp = c;
		return 1;
	}
	if (c >= 0xc2 && c <= 0xdf) {
		need = 1;
		v = c & 0x1f;
	} else if (c >= 0xe0 && c <= 0xef) {
		need = 2;
		v = c & 0x0f;
		if (c == 0xe0)
			lo = 0xa0;		/* no overlongs */
		else if (c == 0xed)
			hi = 0x9f;		/* no surrogates */
	} else if (c >= 0xf0 && c <= 0xf4) {
		need = 3;
		v = c & 0x07;
		if (c == 0xf0)
			lo = 0x90;		/* no overlongs */
		else if (c == 0xf4)
			hi = 0x8f;		/* <= U+10FFFF */
	} else {
		/* 0x80..0xc1 (continuation, overlong 2-byte), 0xf5..0xff */
		*bad = true;
		*cp = REPLACEMENT;
		return 1;
	}
	for (i = 1; i <= need; i++) {
		if (i >= len || s[i] < lo || s[i] > hi) {
			*bad = true;
			*cp = REPLACEMENT;
			return i;
		}
		v = (v << 6) | (s[i] & 0x3f);
		lo = 0x80;
		hi = 0xbf;
	}
	*cp = v;
	return need + 1;
}

/* XML 1.0 Char production: what may appear in a document at all. */
static bool xml_char_ok(uint32_t cp)
{
	if (cp < 0x20)
		return cp == 0x09 || cp == 0x0a || cp == 0x0d;
	if (cp >= 0xd800 && cp <= 0xdfff)
		return false;
	return cp != 0xfffe && cp != 0xffff;
}

/* Characters the string holds, counting each U+FFFD substitution as one. */
static size_t utf8_chars(const unsigned char *s, size_t len, size_t stop)
{
	size_t n = 0, i = 0;
	uint32_t cp;
	bool bad;

	while (i < len && n <= stop) {
		if (s[i] < 0x80)
			i++;
		else
			i += utf8_next(s + i, len - i, &cp, &bad);
		n++;
	}
	return n;
}

/*
 * What one character becomes: NULL to copy it as it is, else its
 * replacement (a literal, or built in esc); *adv is its length in bytes.
 */
typedef const char *(*escape_fn)(const unsigned char *s, size_t left,
				 size_t *adv, char esc[8]);

/*
 * The escapers' one loop: up to keep characters of s, runs of characters
 * kept as they are copied at once. Inlined into each escaper with its fn.
 */
static inline __attribute__((always_inline)) int
escape(struct fg_buf *b, const unsigned char *s, size_t len, size_t keep,
       escape_fn fn)
{
	size_t i = 0, run = 0, n = 0, adv;
	char esc[8];
	int err;

	while (i < len && n < keep) {
		const char *rep = fn(s + i, len - i, &adv, esc);

		if (rep) {
			if (run && (err = fg_buf__add(b, s + i - run, run)))
				return err;
			run = 0;
			if ((err = fg_buf__adds(b, rep)))
				return err;
		} else {
			run += adv;
		}
		i += adv;
		n++;
	}
	if (run && (err = fg_buf__add(b, s + i - run, run)))
		return err;
	return 0;
}

static inline const char *xml_rep(const unsigned char *s, size_t left,
				  size_t *adv, char esc[8])
{
	uint32_t cp;
	bool bad;

	(void)esc;
	if (s[0] >= 0x80) {
		*adv = utf8_next(s, left, &cp, &bad);
		return bad || !xml_char_ok(cp) ? "\xef\xbf\xbd" : NULL;
	}
	*adv = 1;
	switch (s[0]) {
	case '&': return "&amp;";
	case '<': return "&lt;";
	case '>': return "&gt;";
	case '"': return "&quot;";
	case '\'': return "&#39;";
	case '\t': return "&#9;";
	case '\n': return "&#10;";
	case '\r': return "&#13;";
	default:
		return s[0] < 0x20 ? "\xef\xbf\xbd" : NULL;
	}
}

/*
 * max_chars > 0: at most max_chars characters come out; a longer name
 * keeps its first max_chars - 2 characters followed by "..".
 */
int fg_buf__add_xml(struct fg_buf *b, const char *str, size_t len,
		    size_t max_chars)
{
	const unsigned char *s = (const unsigned char *)str;
	size_t keep = (size_t)-1;
	bool cut = false;
	int err;

	if (max_chars > 0 && len > max_chars &&
	    utf8_chars(s, len, max_chars) > max_chars) {
		cut = true;
		keep = max_chars >= 2 ? max_chars - 2 : 0;
	}
	/* worst case is "&quot;" (6) per byte; grow once for typical input */
	if (fg_buf__grow(b, len + len / 8 + 8))
		return -ENOMEM;
	if ((err = escape(b, s, len, keep, xml_rep)))
		return err;
	if (cut)
		return fg_buf__add(b, "..", max_chars >= 2 ? 2 : max_chars);
	/* make sure the buffer is a string even for an empty name */
	return fg_buf__add(b, "", 0);
}

static inline const char *json_rep(const unsigned char *s, size_t left,
				   size_t *adv, char esc[8])
{
	static const char hex[] = "0123456789abcdef";
	unsigned char c = s[0];
	uint32_t cp;
	bool bad;

	*adv = 1;
	if (c >= 0x80) {
		*adv = utf8_next(s, left, &cp, &bad);
		if (bad)
			return "\\ufffd";
		if (cp == 0x2028)
			return "\\u2028";
		if (cp == 0x2029)
			return "\\u2029";
		return NULL;
	}
	switch (c) {
	case '"': return "\\\"";
	case '\\': return "\\\\";
	case '\n': return "\\n";
	case '\t': return "\\t";
	case '\r': return "\\r";
	}
	if (c < 0x20 || c == 0x7f || c == '<' || c == '>' || c == '&' ||
	    c == '\'') {
		esc[0] = '\\';
		esc[1] = 'u';
		esc[2] = '0';
		esc[3] = '0';
		esc[4] = hex[c >> 4];
		esc[5] = hex[c & 15];
		esc[6] = '\0';
		return esc;
	}
	return NULL;
}

int fg_buf__add_json(struct fg_buf *b, const char *str, size_t len)
{
	int err;

	if (fg_buf__grow(b, len + len / 8 + 8))
		return -ENOMEM;
	if ((err = fg_buf__addch(b, '"')))
		return err;
	if ((err = escape(b, (const unsigned char *)str, len, (size_t)-1,
			  json_rep)))
		return err;
	return fg_buf__addch(b, '"');
}
