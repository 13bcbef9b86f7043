/* test_conf.c: cgov.conf settings, defaults and the all-or-nothing load. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "conf.h"

static char path[64];

static void
write_conf(const char *text)
{
	FILE *fp;

	strcpy(path, "/tmp/cgov-conf-XXXXXX");
	assert_int_not_equal(mkstemp(path), -1);
	assert_non_null(fp = fopen(path, "w"));
	fputs(text, fp);
	fclose(fp);
}

static void
test_defaults(void **state)
{
	struct conf c;

	conf_defaults(&c);
	assert_int_equal(c.interval_ms, 1000);
	assert_int_equal(c.rescan_ms, 10000);
	assert_int_equal(c.limits_ms, 10000);
	assert_int_equal(c.ncontainers, 0);
	assert_non_null(strstr(c.db, "cgov.db"));
	assert_int_equal(conf_validate(&c), 0);
	conf_free(&c);
}

static void
test_load_good(void **state)
{
	struct conf c;

	write_conf("# cgov\n\ndb = /tmp/x.db  # where\ninterval=250ms\n"
	    "containers = /lxc/*\ncontainers = /docker/*\nlog-level = debug\n"
	    "max-containers = 10\n");
	conf_defaults(&c);
	assert_int_equal(conf_load(&c, path), 0);
	assert_string_equal(c.db, "/tmp/x.db");
	assert_int_equal(c.interval_ms, 250);
	assert_int_equal(c.ncontainers, 2);
	assert_string_equal(c.containers[1], "/docker/*");
	assert_int_equal(c.log_level, LOG_LEVEL_DEBUG);
	assert_int_equal(c.max_containers, 10);
	conf_free(&c);
	unlink(path);
}

/* A file with an error changes nothing, not even its valid lines. */
static void
test_load_bad_is_atomic(void **state)
{
	struct conf c;

	write_conf("interval = 5s\ncontainers = /a/*\nmax-containers = lots\n");
	conf_defaults(&c);
	assert_int_equal(conf_load(&c, path), -EINVAL);
	assert_int_equal(c.interval_ms, 1000);
	assert_int_equal(c.ncontainers, 0);
	conf_free(&c);
	unlink(path);
}

static void
test_set_errors(void **state)
{
	struct conf c;
	char err[256];

	conf_defaults(&c);
	assert_int_equal(conf_set(&c, "interval", "5", err, sizeof err), -EINVAL);
	assert_non_null(strstr(err, "bad duration"));
	assert_int_equal(conf_set(&c, "interval", "10ms", err, sizeof err), -EINVAL);
	assert_non_null(strstr(err, "minimum"));
	assert_int_equal(conf_set(&c, "nope", "1", err, sizeof err), -EINVAL);
	assert_string_equal(err, "unknown setting");
	assert_int_equal(conf_set(&c, "db", "", err, sizeof err), -EINVAL);
	assert_int_equal(conf_set(&c, "max-containers", "0", err, sizeof err), -EINVAL);
	assert_int_equal(conf_set(&c, "containers", "relative/*", err, sizeof err), -EINVAL);
	/* 0s reads the settings every tick; a bare 0 is no duration. */
	assert_int_equal(conf_set(&c, "limits-interval", "0s", err, sizeof err), 0);
	assert_int_equal(c.limits_ms, 0);
	assert_int_equal(conf_set(&c, "limits-interval", "0", err, sizeof err), -EINVAL);
	assert_int_equal(conf_set(&c, "limits-interval", "2m", err, sizeof err), 0);
	assert_int_equal(c.limits_ms, 120000);
	assert_int_equal(conf_set(&c, "interval", "20s", err, sizeof err), 0);
	assert_int_equal(conf_validate(&c), -EINVAL);   /* tick longer than the rescan */
	conf_free(&c);
}

static void
test_missing_file(void **state)
{
	struct conf c;

	conf_defaults(&c);
	assert_int_equal(conf_load(&c, "/nonexistent/cgov.conf"), -ENOENT);
	conf_free(&c);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_defaults),
		cmocka_unit_test(test_load_good),
		cmocka_unit_test(test_load_bad_is_atomic),
		cmocka_unit_test(test_set_errors),
		cmocka_unit_test(test_missing_file),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
