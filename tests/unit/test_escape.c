// SPDX-License-Identifier: GPL-2.0
/*
 * Escaping names for XML (SVG text and attributes) and for JSON inside an
 * HTML <script>: markup, "]]>", "</script>", control bytes, invalid UTF-8
 * (overlong, surrogates, out of range, truncated), truncation on character
 * boundaries and 100k-character names.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include <flame/flame.h>

#define FFFD "\xef\xbf\xbd"

static char *xml(const char *s, size_t len, size_t max)
{
	struct fg_buf b = FG_BUF_INIT;

	assert_int_equal(fg_buf__add_xml(&b, s, len, max), 0);
	assert_non_null(b.buf);
	assert_int_equal(strlen(b.buf), b.len);
	return b.buf;
}

static char *json(const char *s, size_t len)
{
	struct fg_buf b = FG_BUF_INIT;

	assert_int_equal(fg_buf__add_json(&b, s, len), 0);
	assert_non_null(b.buf);
	return b.buf;
}

#define XML_EQ(in, max, want) do {					\
	char *_o = xml(in, sizeof(in) - 1, max);			\
	assert_string_equal(_o, want);					\
	free(_o);							\
} while (0)

#define JSON_EQ(in, want) do {						\
	char *_o = json(in, sizeof(in) - 1);				\
	assert_string_equal(_o, want);					\
	free(_o);							\
} while (0)

/*
 * Strict checker: out is well-formed UTF-8 holding only XML 1.0 Chars, and
 * no raw markup characters. Returns the number of characters.
 */
static size_t check_xml_safe(const char *out, size_t len)
{
	const unsigned char *s = (const unsigned char *)out;
	size_t i = 0, n = 0;

	while (i < len) {
		unsigned char c = s[i];
		uint32_t cp;
		int k, need;

		if (c < 0x80) {
			assert_true(c >= 0x20);
			assert_true(c != '<' && c != '>' && c != '"' && c != '\'');
			if (c == '&') {
				/* only our entities */
				assert_true(!strncmp(out + i, "&amp;", 5) ||
					    !strncmp(out + i, "&lt;", 4) ||
					    !strncmp(out + i, "&gt;", 4) ||
					    !strncmp(out + i, "&quot;", 6) ||
					    !strncmp(out + i, "&#39;", 5) ||
					    !strncmp(out + i, "&#9;", 4) ||
					    !strncmp(out + i, "&#10;", 5) ||
					    !strncmp(out + i, "&#13;", 5));
				i = strchr(out + i, ';') - out + 1;
			} else {
				i++;
			}
			n++;
			continue;
		}
		need = c >= 0xf0 ? 3 : c >= 0xe0 ? 2 : 1;
		assert_true(c >= 0xc2 && c <= 0xf4);
		cp = c & (0x3f >> need);
		for (k = 1; k <= need; k++) {
			assert_true(i + k < len);
			assert_int_equal(s[i + k] & 0xc0, 0x80);
			cp = cp << 6 | (s[i + k] & 0x3f);
		}
		/* shortest form, no surrogates, in range, XML Char */
		assert_true(need != 1 || cp >= 0x80);
		assert_true(need != 2 || cp >= 0x800);
		assert_true(need != 3 || (cp >= 0x10000 && cp <= 0x10ffff));
		assert_false(cp >= 0xd800 && cp <= 0xdfff);
		assert_true(cp != 0xfffe && cp != 0xffff);
		i += need + 1;
		n++;
	}
	return n;
}

static void test_xml_markup(void **state)
{
	XML_EQ("<script>alert(\"x\" & 'y')</script>", 0,
	       "&lt;script&gt;alert(&quot;x&quot; &amp; &#39;y&#39;)&lt;/script&gt;");
	XML_EQ("]]>", 0, "]]&gt;");
	XML_EQ("a]]>b<![CDATA[c", 0, "a]]&gt;b&lt;![CDATA[c");
	XML_EQ("&amp;", 0, "&amp;amp;");
	XML_EQ("std::vector<int>::push_back", 0,
	       "std::vector&lt;int&gt;::push_back");
	XML_EQ("plain_name+0x10 [k]", 0, "plain_name+0x10 [k]");
	XML_EQ("", 0, "");
}

static void test_xml_control(void **state)
{
	/* NUL, C0 controls -> U+FFFD; tab/newline/CR become references so
	 * attribute normalisation cannot eat them; DEL is a legal Char */
	XML_EQ("a\x01" "b\x1f" "c", 0, "a" FFFD "b" FFFD "c");
	XML_EQ("x\0y", 0, "x" FFFD "y");
	XML_EQ("\t\n\r", 0, "&#9;&#10;&#13;");
	XML_EQ("\x7f", 0, "\x7f");
	XML_EQ("\x0b\x0c", 0, FFFD FFFD);
	/* U+FFFE, U+FFFF are not XML Chars */
	XML_EQ("\xef\xbf\xbe\xef\xbf\xbf", 0, FFFD FFFD);
}

static void test_xml_utf8(void **state)
{
	/* valid: 2, 3, 4 byte forms pass through */
	XML_EQ("caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x94\xa5", 0,
	       "caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x94\xa5");
	XML_EQ("\xf4\x8f\xbf\xbd", 0, "\xf4\x8f\xbf\xbd");	/* U+10FFFD */
	/* overlong '/' (2 and 3 bytes): every byte is its own bad subpart */
	XML_EQ("\xc0\xaf", 0, FFFD FFFD);
	XML_EQ("\xe0\x80\xaf", 0, FFFD FFFD FFFD);
	XML_EQ("\xf0\x80\x80\xaf", 0, FFFD FFFD FFFD FFFD);
	/* surrogates U+D800, U+DFFF */
	XML_EQ("\xed\xa0\x80", 0, FFFD FFFD FFFD);
	XML_EQ("\xed\xbf\xbf", 0, FFFD FFFD FFFD);
	/* above U+10FFFF, impossible bytes */
	XML_EQ("\xf4\x90\x80\x80", 0, FFFD FFFD FFFD FFFD);
	XML_EQ("\xf8\x88\x80\x80\x80", 0, FFFD FFFD FFFD FFFD FFFD);
	XML_EQ("\xfe\xff", 0, FFFD FFFD);
	/* truncated sequences: one U+FFFD, the next byte survives */
	XML_EQ("\xe2\x82<", 0, FFFD "&lt;");
	XML_EQ("\xf0\x9f\x94", 0, FFFD);
	XML_EQ("a\xc3", 0, "a" FFFD);
	/* stray continuation bytes */
	XML_EQ("\x80\xbf", 0, FFFD FFFD);
}

static void test_xml_truncate(void **state)
{
	XML_EQ("abcdef", 4, "ab..");
	XML_EQ("abcd", 4, "abcd");
	XML_EQ("abcde", 5, "abcde");
	XML_EQ("abcdef", 3, "a..");
	XML_EQ("abcdef", 2, "..");
	XML_EQ("abcdef", 1, ".");
	/* characters, not bytes: never split a sequence */
	XML_EQ("\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9", 3, "\xc3\xa9..");
	XML_EQ("\xc3\xa9\xc3\xa9\xc3\xa9", 3, "\xc3\xa9\xc3\xa9\xc3\xa9");
	XML_EQ("\xf0\x9f\x94\xa5\xf0\x9f\x94\xa5\xf0\x9f\x94\xa5x", 3,
	       "\xf0\x9f\x94\xa5..");
	/* an entity is one character */
	XML_EQ("<<<<<", 4, "&lt;&lt;..");
	/* a replaced byte is one character */
	XML_EQ("\xff\xff\xff\xff", 3, FFFD "..");
}

static void test_xml_huge(void **state)
{
	size_t n = 100000, i;
	char *in = malloc(n * 2), *out;
	uint32_t rnd = 12345;

	assert_non_null(in);
	/* 100k two-byte characters, whole and cut */
	for (i = 0; i < n; i++)
		memcpy(in + 2 * i, "\xc3\xa9", 2);
	out = xml(in, 2 * n, 0);
	assert_int_equal(strlen(out), 2 * n);
	assert_int_equal(check_xml_safe(out, strlen(out)), n);
	free(out);
	out = xml(in, 2 * n, 50);
	assert_int_equal(check_xml_safe(out, strlen(out)), 50);
	assert_int_equal(strlen(out), 48 * 2 + 2);
	free(out);
	/* 100k markup characters */
	memset(in, '<', n);
	out = xml(in, n, 0);
	assert_int_equal(strlen(out), 4 * n);
	free(out);
	/* 200k random bytes: always safe, whatever comes in */
	for (i = 0; i < 2 * n; i++) {
		rnd = rnd * 1103515245 + 12345;
		in[i] = (char)(rnd >> 16);
	}
	out = xml(in, 2 * n, 0);
	check_xml_safe(out, strlen(out));
	free(out);
	out = xml(in, 2 * n, 1000);
	assert_true(check_xml_safe(out, strlen(out)) <= 1000);
	free(out);
	free(in);
}

static void test_json_basic(void **state)
{
	JSON_EQ("main", "\"main\"");
	JSON_EQ("", "\"\"");
	JSON_EQ("a\"b\\c", "\"a\\\"b\\\\c\"");
	JSON_EQ("</script><script>alert(1)</script>",
		"\"\\u003c/script\\u003e\\u003cscript\\u003ealert(1)\\u003c/script\\u003e\"");
	JSON_EQ("<!-- a && b -->", "\"\\u003c!-- a \\u0026\\u0026 b --\\u003e\"");
	JSON_EQ("]]>", "\"]]\\u003e\"");
	JSON_EQ("\n\t\r\x01\x1f\x7f", "\"\\n\\t\\r\\u0001\\u001f\\u007f\"");
	JSON_EQ("x\0y", "\"x\\u0000y\"");
	/* U+2028, U+2029 end JavaScript lines */
	JSON_EQ("a\xe2\x80\xa8" "b\xe2\x80\xa9", "\"a\\u2028b\\u2029\"");
	/* valid UTF-8 stays, invalid becomes \ufffd per bad subpart */
	JSON_EQ("caf\xc3\xa9", "\"caf\xc3\xa9\"");
	JSON_EQ("\xc0\xaf", "\"\\ufffd\\ufffd\"");
	JSON_EQ("\xed\xa0\x80", "\"\\ufffd\\ufffd\\ufffd\"");
	JSON_EQ("\xe2\x82", "\"\\ufffd\"");
	JSON_EQ("\xf4\x90\x80\x80", "\"\\ufffd\\ufffd\\ufffd\\ufffd\"");
}

static void test_json_huge(void **state)
{
	size_t n = 100000, i;
	char *in = malloc(n), *out;
	uint32_t rnd = 777;

	assert_non_null(in);
	for (i = 0; i < n; i++) {
		rnd = rnd * 1103515245 + 12345;
		in[i] = (char)(rnd >> 16);
	}
	out = json(in, n);
	assert_int_equal(out[0], '"');
	assert_int_equal(out[strlen(out) - 1], '"');
	for (i = 1; out[i + 1]; i++) {
		unsigned char c = out[i];

		assert_true(c >= 0x20 && c != '<' && c != '>' && c != '&');
		if (c == '\\') {
			i++;	/* escaped character, e.g. \" */
			continue;
		}
		assert_true(c != '"');
		/* no raw U+2028 / U+2029 */
		assert_false(c == 0xe2 && (unsigned char)out[i + 1] == 0x80 &&
			     ((unsigned char)out[i + 2] & 0xfe) == 0xa8);
	}
	free(out);
	free(in);
}

/* Appending keeps what was there: the escapers are used mid-document. */
static void test_append(void **state)
{
	struct fg_buf b = FG_BUF_INIT;

	assert_int_equal(fg_buf__adds(&b, "<t>"), 0);
	assert_int_equal(fg_buf__add_xml(&b, "a&b", 3, 0), 0);
	assert_int_equal(fg_buf__adds(&b, "</t>"), 0);
	assert_int_equal(fg_buf__add_json(&b, "x", 1), 0);
	assert_string_equal(b.buf, "<t>a&amp;b</t>\"x\"");
	fg_buf__release(&b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_xml_markup),
		cmocka_unit_test(test_xml_control),
		cmocka_unit_test(test_xml_utf8),
		cmocka_unit_test(test_xml_truncate),
		cmocka_unit_test(test_xml_huge),
		cmocka_unit_test(test_json_basic),
		cmocka_unit_test(test_json_huge),
		cmocka_unit_test(test_append),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
