/* test_prom.c: /metrics label escaping, the line writer, the listen address. */
#include "config.h"

#include <errno.h>
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "buf.h"
#include "prom.h"

static void
check_label(const char *in, const char *want)
{
	struct buf b;

	buf_init(&b);
	prom_escape_label(&b, in);
	if (strcmp(b.data, want) != 0)
		fail_msg("prom_escape_label(%s): got \"%s\", want \"%s\"", in, b.data, want);
	buf_free(&b);
}

/* The format's escapes (\\, \", \n) on top of escape_term's form: what a
 * scraper reads back is what `cgov top` shows. */
static void
test_escape_label(void **state)
{
	(void)state;
	check_label("web1", "web1");
	check_label("q\"uote", "q\\\"uote");
	/* a backslash: escape_term doubles it, the format doubles both */
	check_label("a\\b", "a\\\\\\\\b");
	/* a newline never reaches the output raw: \x0a, its backslash escaped */
	check_label("a\nb", "a\\\\x0ab");
	check_label("\033[31m", "\\\\x1b[31m");
	/* invalid UTF-8 byte: \xff as text, valid UTF-8 */
	check_label("bad\xffutf8", "bad\\\\xffutf8");
	/* a bidirectional override (U+202E) is shown as its bytes */
	check_label("a\xe2\x80\xae" "b", "a\\\\xe2\\\\x80\\\\xaeb");
	/* valid UTF-8 passes through */
	check_label("caf\xc3\xa9", "caf\xc3\xa9");
	check_label("", "");
}

static void
test_label_list(void **state)
{
	struct buf b;

	(void)state;
	buf_init(&b);
	prom_label(&b, "container", "x\"y");
	prom_label(&b, "runtime", "lxc");
	assert_string_equal(b.data, "container=\"x\\\"y\",runtime=\"lxc\"");
	buf_free(&b);
}

static void
test_sample_lines(void **state)
{
	struct buf b;
	struct prom_out o;

	(void)state;
	buf_init(&b);
	o = (struct prom_out){ .b = &b, .max = 1 << 20 };
	prom_family(&o, "cgov_x_bytes", "gauge", "Help.");
	prom_sample(&o, "cgov_x_bytes", "a=\"1\"", 4294967296.0);
	prom_sample(&o, "cgov_x_bytes", "a=\"2\"", NAN);          /* unknown: left out */
	prom_sample(&o, "cgov_x_bytes", "a=\"3\"", INFINITY);     /* no limit */
	prom_sample(&o, "cgov_x_bytes", NULL, 0.25);
	prom_sample(&o, "cgov_x_bytes", "", 0);
	assert_string_equal(b.data,
	    "# HELP cgov_x_bytes Help.\n# TYPE cgov_x_bytes gauge\n"
	    "cgov_x_bytes{a=\"1\"} 4294967296\n"
	    "cgov_x_bytes{a=\"3\"} +Inf\n"
	    "cgov_x_bytes 0.25\n"
	    "cgov_x_bytes 0\n");
	assert_int_equal(o.full, 0);
	buf_free(&b);
}

/* A line that does not fit is not written at all, nor anything after. */
static void
test_bound(void **state)
{
	struct buf b;
	struct prom_out o;

	(void)state;
	buf_init(&b);
	o = (struct prom_out){ .b = &b, .max = 20 };
	prom_sample(&o, "cgov_a", NULL, 1);             /* 9 bytes */
	prom_sample(&o, "cgov_bbbbbbbbbbbb", NULL, 1);  /* 20: no room */
	prom_sample(&o, "cgov_c", NULL, 1);             /* would fit, but after a cut */
	assert_string_equal(b.data, "cgov_a 1\n");
	assert_int_equal(o.full, 1);
	buf_free(&b);
}

static void
test_parse_listen(void **state)
{
	char addr[64];
	uint16_t port = 0;

	(void)state;
	assert_int_equal(prom_parse_listen("9464", addr, sizeof addr, &port), 0);
	assert_string_equal(addr, "127.0.0.1");
	assert_int_equal(port, 9464);
	assert_int_equal(prom_parse_listen(":9100", addr, sizeof addr, &port), 0);
	assert_string_equal(addr, "127.0.0.1");
	assert_int_equal(port, 9100);
	assert_int_equal(prom_parse_listen("0.0.0.0:80", addr, sizeof addr, &port), 0);
	assert_string_equal(addr, "0.0.0.0");
	assert_int_equal(port, 80);
	assert_int_equal(prom_parse_listen("[::1]:9464", addr, sizeof addr, &port), 0);
	assert_string_equal(addr, "::1");
	assert_int_equal(prom_parse_listen("", addr, sizeof addr, &port), -EINVAL);
	assert_int_equal(prom_parse_listen("0", addr, sizeof addr, &port), -EINVAL);
	assert_int_equal(prom_parse_listen("65536", addr, sizeof addr, &port), -EINVAL);
	assert_int_equal(prom_parse_listen("localhost:9464", addr, sizeof addr, &port), -EINVAL);
	assert_int_equal(prom_parse_listen("::1:9464", addr, sizeof addr, &port), -EINVAL);
	assert_int_equal(prom_parse_listen("1.2.3.4:", addr, sizeof addr, &port), -EINVAL);
	assert_int_equal(prom_parse_listen("1.2.3.4:12x", addr, sizeof addr, &port), -EINVAL);
	assert_int_equal(prom_parse_listen("[::1]9464", addr, sizeof addr, &port), -EINVAL);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_escape_label),
		cmocka_unit_test(test_label_list),
		cmocka_unit_test(test_sample_lines),
		cmocka_unit_test(test_bound),
		cmocka_unit_test(test_parse_listen),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
