// SPDX-License-Identifier: GPL-2.0
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <errno.h>
#include <string.h>
#include <cmocka.h>

#include <flame/collapse.h>

static void check(const char *in, const char *want)
{
	struct fg_buf b = FG_BUF_INIT;

	assert_int_equal(fg_demangle(&b, in, strlen(in)), 0);
	assert_string_equal(b.buf, want);
	fg_buf__release(&b);
}

static void test_itanium(void **state)
{
	check("_ZN3foo3barEv", "foo::bar");
	check("_ZN6shapes4AreaIdE7computeERKSt6vectorIdSaIdEE",
	      "shapes::Area<double>::compute");
	check("_ZN6shapes12_GLOBAL__N_16helperEl",
	      "shapes::(anonymous namespace)::helper");
	check("__ZN3foo3barEv", "foo::bar");
}

static void test_rust(void **state)
{
	/* legacy: the hash is dropped */
	check("_ZN4core3fmt5write17h0123456789abcdefE", "core::fmt::write");
	/* v0 */
	check("_RNvCs1234_7mycrate3foo", "mycrate::foo");
}

static void test_not_mangled(void **state)
{
	struct fg_buf b = FG_BUF_INIT;

	assert_int_equal(fg_demangle(&b, "main", 4), -EINVAL);
	assert_int_equal(fg_demangle(&b, "_Zfoo!!", 7), -EINVAL);
	assert_null(b.buf);
	assert_false(fg_demangle__is_mangled("_", 1));
	assert_true(fg_demangle__is_mangled("_ZN1aE", 6));
}

static void test_long(void **state)
{
	/* longer than the on-stack copy */
	struct fg_buf in = FG_BUF_INIT, out = FG_BUF_INIT;
	int i;

	fg_buf__adds(&in, "_ZN");
	for (i = 0; i < 200; i++)
		fg_buf__adds(&in, "3abc");
	fg_buf__adds(&in, "Ev");
	assert_int_equal(fg_demangle(&out, in.buf, in.len), 0);
	assert_int_equal(out.len, 200 * 3 + 199 * 2);
	fg_buf__release(&in);
	fg_buf__release(&out);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_itanium),
		cmocka_unit_test(test_rust),
		cmocka_unit_test(test_not_mangled),
		cmocka_unit_test(test_long),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
