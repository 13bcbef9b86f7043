/* test_escape.c: hostile tenant strings through every escaper. */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "buf.h"
#include "escape.h"

#define NITEMS(a) (sizeof (a) / sizeof (a)[0])

struct esc_case {
	const char *in, *want;
};

static void
check_escaper(void (*fn)(struct buf *, const char *), const char *name,
    const struct esc_case *c, size_t n)
{
	struct buf b;
	size_t i;

	buf_init(&b);
	for (i = 0; i < n; i++) {
		buf_reset(&b);
		fn(&b, c[i].in);
		if (b.len != strlen(b.data) || strcmp(b.data, c[i].want) != 0)
			fail_msg("%s(case %zu): got \"%s\", want \"%s\"", name, i,
			    b.data, c[i].want);
	}
	buf_free(&b);
}

static void
test_buf(void **state)
{
	struct buf b;
	char big[5000];
	size_t i;

	(void)state;
	buf_init(&b);
	assert_non_null(b.data);
	assert_string_equal(b.data, "");
	assert_int_equal(b.len, 0);
	buf_puts(&b, "ab");
	buf_putc(&b, 'c');
	buf_append(&b, "dexx", 2);
	buf_append(&b, NULL, 0);
	buf_printf(&b, "-%d-%s", 42, "z");
	assert_string_equal(b.data, "abcde-42-z");
	assert_int_equal(b.len, 10);
	/* Growth past the first allocation, through every entry point. */
	memset(big, 'q', sizeof big - 1);
	big[sizeof big - 1] = '\0';
	buf_printf(&b, "%s", big);
	assert_int_equal(b.len, 10 + sizeof big - 1);
	assert_int_equal(strlen(b.data), b.len);
	assert_true(b.cap > b.len);
	for (i = 0; i < 10000; i++)
		buf_putc(&b, 'x');
	assert_int_equal(b.len, 10 + sizeof big - 1 + 10000);
	assert_int_equal(b.data[b.len], '\0');
	buf_reset(&b);
	assert_int_equal(b.len, 0);
	assert_string_equal(b.data, "");
	buf_free(&b);
	assert_null(b.data);
	/* Output that needs exactly the room left, then one byte more:
	 * vsnprintf cuts both, so both must be redone. */
	for (i = 60; i < 70; i++) {
		buf_init(&b);
		buf_printf(&b, "%.*s", (int)i, big);
		assert_int_equal(b.len, i);
		assert_int_equal(strlen(b.data), i);
		assert_int_equal(b.data[i - 1], 'q');
		buf_free(&b);
	}
	/* A freed buffer can be written again. */
	buf_puts(&b, "again");
	assert_string_equal(b.data, "again");
	buf_free(&b);
}

static void
test_term(void **state)
{
	static const struct esc_case cases[] = {
		{ "", "" },
		{ "web1", "web1" },
		{ "/lxc.payload.web-1_a", "/lxc.payload.web-1_a" },
		{ "Z\xc3\xbcrich", "Z\xc3\xbcrich" },                     /* Zürich */
		{ "\xe6\x97\xa5\xe6\x9c\xac", "\xe6\x97\xa5\xe6\x9c\xac" }, /* 日本 */
		{ "\xf0\x9f\x90\xb3", "\xf0\x9f\x90\xb3" },               /* U+1F433 */
		/* Terminal attacks: clear screen, set title, OSC 8 link. */
		{ "\x1b[2J\x1b[H", "\\x1b[2J\\x1b[H" },
		{ "\x1b]0;pwned\x07", "\\x1b]0;pwned\\x07" },
		{ "a\nb\rc\td", "a\\x0ab\\x0dc\\x09d" },
		{ "del\x7f", "del\\x7f" },
		/* C1 CSI as UTF-8 (U+009B) and as a raw byte. */
		{ "\xc2\x9b" "31m", "\\xc2\\x9b31m" },
		{ "\x9b" "31m", "\\x9b31m" },
		{ "\xc2\x85", "\\xc2\\x85" },                              /* NEL */
		{ "\xc2\xa0", "\xc2\xa0" },                                /* NBSP */
		/* Trojan Source: RLO reverses what follows, isolates and the
		 * line separator reorder or break the line. */
		{ "abc\xe2\x80\xaexyz", "abc\\xe2\\x80\\xaexyz" },       /* U+202E */
		{ "\xe2\x81\xa6x", "\\xe2\\x81\\xa6x" },                 /* U+2066 */
		{ "\xe2\x80\xa8", "\\xe2\\x80\\xa8" },                   /* U+2028 */
		{ "\xe2\x80\x94", "\xe2\x80\x94" },                     /* em dash stays */
		/* The bidi marks, the Arabic letter mark, and characters that
		 * show nothing: "web" + U+200B is not "web". */
		{ "\xe2\x80\x8e", "\\xe2\\x80\\x8e" },                   /* U+200E LRM */
		{ "\xe2\x80\x8f", "\\xe2\\x80\\x8f" },                   /* U+200F RLM */
		{ "\xd8\x9c", "\\xd8\\x9c" },                               /* U+061C ALM */
		{ "\xe2\x80\xaa", "\\xe2\\x80\\xaa" },                   /* U+202A */
		{ "\xe2\x81\xa9", "\\xe2\\x81\\xa9" },                   /* U+2069 */
		{ "web\xe2\x80\x8b", "web\\xe2\\x80\\x8b" },             /* U+200B ZWSP */
		{ "\xe2\x80\x8c\xe2\x80\x8d", "\\xe2\\x80\\x8c\\xe2\\x80\\x8d" }, /* ZWNJ ZWJ */
		{ "\xe2\x81\xa0", "\\xe2\\x81\\xa0" },                   /* U+2060 WJ */
		{ "\xe2\x81\xa4", "\\xe2\\x81\\xa4" },                   /* U+2064 */
		{ "\xef\xbb\xbfweb", "\\xef\\xbb\\xbfweb" },             /* U+FEFF BOM */
		/* Their neighbours stay. */
		{ "\xe2\x80\x8a", "\xe2\x80\x8a" },                     /* U+200A hair space */
		{ "\xe2\x80\x90", "\xe2\x80\x90" },                     /* U+2010 hyphen */
		{ "\xe2\x81\xa5", "\xe2\x81\xa5" },                     /* U+2065 */
		{ "\xef\xbb\xbe", "\xef\xbb\xbe" },                     /* U+FEFE */
		{ "\xd8\x9b", "\xd8\x9b" },                               /* U+061B */
		/* A backslash is doubled, so "\x1b" typed by a tenant is not ESC. */
		{ "a\\x1b", "a\\\\x1b" },
		/* Invalid UTF-8: stray continuation, truncated, overlong '/',
		 * surrogate, past U+10FFFF, lone lead bytes. */
		{ "\x80", "\\x80" },
		{ "\xc3", "\\xc3" },
		{ "\xc3(", "\\xc3(" },
		{ "\xe6\x97", "\\xe6\\x97" },
		{ "\xc0\xaf", "\\xc0\\xaf" },
		{ "\xe0\x80\xaf", "\\xe0\\x80\\xaf" },
		{ "\xed\xa0\x80", "\\xed\\xa0\\x80" },
		{ "\xf4\x90\x80\x80", "\\xf4\\x90\\x80\\x80" },
		{ "\xf5\x80\x80\x80", "\\xf5\\x80\\x80\\x80" },
		{ "\xff\xfe", "\\xff\\xfe" },
	};
	struct buf b;
	size_t i;

	(void)state;
	check_escaper(escape_term, "escape_term", cases, NITEMS(cases));
	/* Nothing below 0x20 survives, whatever the input. */
	buf_init(&b);
	for (i = 1; i < 256; i++) {
		char in[3] = { (char)i, 'x', '\0' };

		buf_reset(&b);
		escape_term(&b, in);
		for (size_t j = 0; j < b.len; j++)
			assert_true((unsigned char)b.data[j] >= 0x20 &&
			    (unsigned char)b.data[j] != 0x7f);
	}
	/* Appends, never replaces. */
	buf_reset(&b);
	buf_puts(&b, "name=");
	escape_term(&b, "\x1b");
	assert_string_equal(b.data, "name=\\x1b");
	buf_free(&b);
}

static void
test_json(void **state)
{
	static const struct esc_case cases[] = {
		{ "", "\"\"" },
		{ "web1", "\"web1\"" },
		{ "Z\xc3\xbcrich", "\"Z\xc3\xbcrich\"" },
		{ "\xf0\x9f\x90\xb3", "\"\xf0\x9f\x90\xb3\"" },
		{ "say \"hi\"", "\"say \\\"hi\\\"\"" },
		{ "C:\\path", "\"C:\\\\path\"" },
		{ "a\nb\rc\td\be\ff", "\"a\\nb\\rc\\td\\be\\ff\"" },
		{ "\x1b[2J", "\"\\u001b[2J\"" },
		{ "\x01\x1f\x7f", "\"\\u0001\\u001f\\u007f\"" },
		{ "\xc2\x9b", "\"\\u009b\"" },
		{ "a\xe2\x80\xa8" "b", "\"a\\u2028b\"" },
		{ "/</script>", "\"/</script>\"" },
		/* Bidi controls and invisible characters as \uXXXX: the
		 * decoded name is the same, the raw text shows them. */
		{ "abc\xe2\x80\xaexyz", "\"abc\\u202exyz\"" },
		{ "\xe2\x81\xa6x\xe2\x81\xa9", "\"\\u2066x\\u2069\"" },
		{ "\xe2\x80\x8e\xe2\x80\x8f\xd8\x9c", "\"\\u200e\\u200f\\u061c\"" },
		{ "web\xe2\x80\x8b", "\"web\\u200b\"" },
		{ "\xe2\x81\xa0\xef\xbb\xbf", "\"\\u2060\\ufeff\"" },
		{ "\xe2\x80\x94", "\"\xe2\x80\x94\"" },
		/* Invalid UTF-8 becomes U+FFFD, one per byte. */
		{ "\xff", "\"\\ufffd\"" },
		{ "a\x80z", "\"a\\ufffdz\"" },
		{ "\xc0\xaf", "\"\\ufffd\\ufffd\"" },
		{ "\xe6\x97", "\"\\ufffd\\ufffd\"" },
		{ "\xed\xa0\x80", "\"\\ufffd\\ufffd\\ufffd\"" },
	};

	(void)state;
	check_escaper(escape_json, "escape_json", cases, NITEMS(cases));
}

static void
test_csv(void **state)
{
	static const struct esc_case cases[] = {
		{ "", "\"\"" },
		{ "web1", "\"web1\"" },
		{ "a,b", "\"a,b\"" },
		{ "say \"hi\"", "\"say \"\"hi\"\"\"" },
		{ "\"", "\"\"\"\"" },
		{ "Z\xc3\xbcrich", "\"Z\xc3\xbcrich\"" },
		/* Formula injection. */
		{ "=HYPERLINK(\"http://x\")", "\"'=HYPERLINK(\"\"http://x\"\")\"" },
		{ "=1+1", "\"'=1+1\"" },
		{ "+1", "\"'+1\"" },
		{ "-1", "\"'-1\"" },
		{ "@SUM(A1)", "\"'@SUM(A1)\"" },
		{ "\tx", "\"'\\x09x\"" },
		{ "\rx", "\"'\\x0dx\"" },
		{ "a=1", "\"a=1\"" },
		{ "a-b", "\"a-b\"" },
		/* Controls and invalid UTF-8 as escape_term writes them. */
		{ "a\nb", "\"a\\x0ab\"" },
		{ "\x1b[31m", "\"\\x1b[31m\"" },
		{ "\xc2\x9b", "\"\\xc2\\x9b\"" },
		{ "\xff", "\"\\xff\"" },
		{ "a\\b", "\"a\\b\"" },
		/* Bidi controls and invisible characters, as escape_term. */
		{ "abc\xe2\x80\xaexyz", "\"abc\\xe2\\x80\\xaexyz\"" },
		{ "\xe2\x81\xa7x", "\"\\xe2\\x81\\xa7x\"" },
		{ "\xd8\x9c", "\"\\xd8\\x9c\"" },
		{ "web\xe2\x80\x8b", "\"web\\xe2\\x80\\x8b\"" },
		{ "\xef\xbb\xbf", "\"\\xef\\xbb\\xbf\"" },
	};

	(void)state;
	check_escaper(escape_csv, "escape_csv", cases, NITEMS(cases));
}

static void
test_html(void **state)
{
	static const struct esc_case cases[] = {
		{ "", "" },
		{ "web1", "web1" },
		{ "<script>alert('x')</script>",
		  "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;" },
		{ "a&b", "a&amp;b" },
		{ "\" onmouseover=\"x", "&quot; onmouseover=&quot;x" },
		{ "&amp;", "&amp;amp;" },
		{ "Z\xc3\xbcrich", "Z\xc3\xbcrich" },
		{ "a\x1b[2Jb", "a&#xfffd;[2Jb" },
		{ "a\nb\x7f", "a&#xfffd;b&#xfffd;" },
		{ "\xc2\x9b", "&#xfffd;" },
		{ "\xff\xfe", "&#xfffd;&#xfffd;" },
		/* A page shows bidi controls and invisible characters as
		 * a terminal would: one U+FFFD each, as for controls. */
		{ "abc\xe2\x80\xaexyz", "abc&#xfffd;xyz" },
		{ "web\xe2\x80\x8b", "web&#xfffd;" },
		{ "\xef\xbb\xbf\xd8\x9c\xe2\x81\xa6", "&#xfffd;&#xfffd;&#xfffd;" },
		{ "\xe2\x80\x94", "\xe2\x80\x94" },
	};

	(void)state;
	check_escaper(escape_html, "escape_html", cases, NITEMS(cases));
}

static void
test_log(void **state)
{
	char longname[1000], ubig[600];
	const char *a, *b, *c, *d, *p;
	size_t i;

	(void)state;
	a = escape_log(0, "web\x1b[2J");
	b = escape_log(1, "second\n");
	c = escape_log(2, "Z\xc3\xbcrich");
	d = escape_log(3, NULL);
	/* Four slots at once, as in one log message. */
	assert_string_equal(a, "web\\x1b[2J");
	assert_string_equal(b, "second\\x0a");
	assert_string_equal(c, "Z\xc3\xbcrich");
	assert_string_equal(d, "(null)");
	assert_true(a != b && b != c && c != d);
	/* Reusing a slot replaces only that slot. */
	assert_ptr_equal(escape_log(0, "again"), a);
	assert_string_equal(a, "again");
	assert_string_equal(b, "second\\x0a");
	/* A bad slot wraps instead of writing out of bounds. */
	assert_ptr_equal(escape_log(5, "x"), b);
	assert_ptr_equal(escape_log(-1, "y"), d);
	/* Exactly 255 bytes: whole, no marker. */
	memset(longname, 'n', 255);
	longname[255] = '\0';
	p = escape_log(0, longname);
	assert_int_equal(strlen(p), 255);
	assert_null(strstr(p, "..."));
	/* Longer: cut to fit a marker that says how many bytes are left
	 * out, within 255 bytes (229 shown). */
	memset(longname, 'n', sizeof longname - 1);
	longname[sizeof longname - 1] = '\0';
	p = escape_log(0, longname);
	assert_true(strlen(p) <= 255);
	assert_int_equal(strspn(p, "n"), 229);
	assert_string_equal(p + 229, "...[+770]");
	longname[256] = '\0';
	assert_string_equal(escape_log(0, longname) + 229, "...[+27]");
	/* ...never inside an escape: 57 escapes are 228 bytes, the 58th
	 * would pass 229. */
	memset(longname, '\x1b', sizeof longname - 1);
	p = escape_log(0, longname);
	assert_memory_equal(p + 224, "\\x1b...[+942]", 14);
	assert_int_equal(strlen(p), 228 + 9);
	/* ...nor inside a UTF-8 character: 114 two-byte characters fit in
	 * 228 bytes, the 115th would not. */
	for (i = 0; i + 2 < sizeof ubig; i += 2)
		memcpy(ubig + i, "\xc3\xbc", 2);
	ubig[i] = '\0';
	p = escape_log(0, ubig);
	assert_memory_equal(p + 226, "\xc3\xbc...[+370]", 11);
	assert_int_equal(strlen(p), 228 + 9);
	/* The largest marker still fits. */
	assert_true(strlen("...[+18446744073709551615]") <= 26);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_buf),
		cmocka_unit_test(test_term),
		cmocka_unit_test(test_json),
		cmocka_unit_test(test_csv),
		cmocka_unit_test(test_html),
		cmocka_unit_test(test_log),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
