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
#include "hook.h"

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

/* conf_load's parser on a stream (the fuzz target's way in): the same
 * settings, the same all-or-nothing on an error, and the stream left open. */
static void
test_load_stream(void **state)
{
	static const char good[] = "interval = 250ms\ncontainers = /lxc/*\n# x\n";
	static const char bad[] = "interval = 5s\nmax-containers = lots\n";
	struct conf c;
	FILE *fp;

	conf_defaults(&c);
	assert_non_null(fp = fmemopen((void *)good, sizeof good - 1, "r"));
	assert_int_equal(conf_load_stream(&c, "mem.conf", fp), 0);
	assert_int_equal(fgetc(fp), EOF);       /* read to its end, still open */
	fclose(fp);
	assert_int_equal(c.interval_ms, 250);
	assert_int_equal(c.ncontainers, 1);
	assert_string_equal(c.containers[0], "/lxc/*");
	assert_non_null(fp = fmemopen((void *)bad, sizeof bad - 1, "r"));
	assert_int_equal(conf_load_stream(&c, "mem.conf", fp), -EINVAL);
	fclose(fp);
	assert_int_equal(c.interval_ms, 250);   /* unchanged by the bad text */
	conf_free(&c);
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

/* A broken value is echoed in the error, escaped: a cgov.conf shipped by
 * config management may hold anything, and the message reaches a terminal
 * (cgovd --check) or the log. */
static void
test_set_errors_escaped(void **state)
{
	static const char *const keys[] = {
		"interval", "max-containers", "jvm-swap-buffer", "v1-high-cpu",
		"exit-restore", "notifications", "max-db-size", "containers",
		"log-level", "docker-root", "metrics-listen", "on-action",
	};
	const char *hostile = "\x1b]0;owned\x07\xe2\x80\xaeweb\xe2\x80\x8b";
	struct conf c;
	char err[256];

	(void)state;
	conf_defaults(&c);
	for (size_t i = 0; i < sizeof keys / sizeof keys[0]; i++) {
		err[0] = '\0';
		if (conf_set(&c, keys[i], hostile, err, sizeof err) != -EINVAL)
			fail_msg("%s: a hostile value was accepted", keys[i]);
		for (const char *p = err; *p != '\0'; p++)
			if ((unsigned char)*p < 0x20)
				fail_msg("%s: a raw control byte in \"%s\"", keys[i], err);
		if (strstr(err, "\xe2\x80\xae") != NULL || strstr(err, "\xe2\x80\x8b") != NULL)
			fail_msg("%s: a raw U+202E or U+200B in the error", keys[i]);
		if (strstr(err, "\\x1b]0;owned\\x07\\xe2\\x80\\xaeweb\\xe2\\x80\\x8b") == NULL)
			fail_msg("%s: the value is not shown escaped: \"%s\"", keys[i], err);
	}
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

/* on-action: no shell, so cgov splits the words; quotes and errors. */
static void
test_on_action_split(void **state)
{
	static const struct {
		const char *in;
		const char *want[5];           /* NULL-terminated; want[0] NULL: error */
	} cases[] = {
		{ "/bin/echo a  b\t c", { "/bin/echo", "a", "b", "c", NULL } },
		{ "/x 'one arg' \"two \\\"q\\\"\"", { "/x", "one arg", "two \"q\"", NULL } },
		{ "/x a\\ b '' c", { "/x", "a b", "", "c", NULL } },
		{ "/x 'it\"s'", { "/x", "it\"s", NULL } },
		{ "/x 'open", { NULL } },
		{ "/x \"open", { NULL } },
		{ "relative/prog", { NULL } },
		{ "   ", { NULL } },
	};
	struct conf c;
	char err[256];

	(void)state;
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		char **argv;
		int r = hook_split(cases[i].in, &argv, err, sizeof err);

		if (cases[i].want[0] == NULL) {
			assert_int_equal(r, -EINVAL);
			assert_null(argv);
			continue;
		}
		assert_int_equal(r, 0);
		for (size_t k = 0; cases[i].want[k] != NULL; k++) {
			assert_non_null(argv[k]);
			assert_string_equal(argv[k], cases[i].want[k]);
		}
		hook_argv_free(argv);
	}
	conf_defaults(&c);
	assert_null(c.on_action);
	assert_int_equal(c.on_action_timeout_ms, 10000);
	assert_int_equal(c.sensors_ms, 10000);
	assert_int_equal(conf_set(&c, "on-action", "notify.sh", err, sizeof err), -EINVAL);
	assert_non_null(strstr(err, "absolute path"));
	assert_int_equal(conf_set(&c, "on-action", "/usr/bin/logger -t cgov", err, sizeof err), 0);
	assert_string_equal(c.on_action, "/usr/bin/logger -t cgov");
	assert_int_equal(conf_set(&c, "on-action", "none", err, sizeof err), 0);
	assert_null(c.on_action);
	assert_int_equal(conf_set(&c, "sensors-interval", "off", err, sizeof err), 0);
	assert_int_equal(c.sensors_ms, 0);
	assert_int_equal(conf_set(&c, "sensors-interval", "500ms", err, sizeof err), -EINVAL);
	assert_int_equal(conf_set(&c, "on-action-timeout", "2s", err, sizeof err), 0);
	assert_int_equal(c.on_action_timeout_ms, 2000);
	conf_free(&c);
}

/* `device = DISK ...`: the capability "% of device" is of (issue 11). */
static void
test_device(void **state)
{
	struct conf c, d;
	char err[256];

	(void)state;
	conf_defaults(&c);
	assert_int_equal(c.ndevices, 0);
	assert_int_equal(conf_set(&c, "device", "sda write 500M/s read 1G/s iops 20000", err,
	    sizeof err), 0);
	assert_int_equal(conf_set(&c, "device", "nvme0n1 write-iops 90000", err, sizeof err), 0);
	assert_int_equal(c.ndevices, 2);
	assert_string_equal(c.devices[0].name, "sda");
	assert_int_equal(c.devices[0].wbps, 500ULL << 20);
	assert_int_equal(c.devices[0].rbps, 1ULL << 30);
	assert_int_equal(c.devices[0].riops, 20000);
	assert_int_equal(c.devices[0].wiops, 20000);
	assert_int_equal(c.devices[1].riops, 0);
	assert_int_equal(c.devices[1].wiops, 90000);
	/* The same disk again: the last line wins. */
	assert_int_equal(conf_set(&c, "device", "sda write 200M/s", err, sizeof err), 0);
	assert_int_equal(c.ndevices, 2);
	assert_int_equal(c.devices[0].wbps, 200ULL << 20);
	assert_int_equal(c.devices[0].rbps, 0);
	conf_copy(&d, &c);
	assert_int_equal(d.ndevices, 2);
	assert_string_equal(d.devices[1].name, "nvme0n1");
	conf_free(&d);
	assert_int_equal(conf_set(&c, "device", "", err, sizeof err), -EINVAL);
	assert_int_equal(conf_set(&c, "device", "sda", err, sizeof err), -EINVAL);
	assert_non_null(strstr(err, "states no capability"));
	assert_int_equal(conf_set(&c, "device", "sda write 500M", err, sizeof err), -EINVAL);
	assert_string_equal(err, "write takes a rate such as \"500M/s\" above 0, not \"500M\"");
	assert_int_equal(conf_set(&c, "device", "sda iops", err, sizeof err), -EINVAL);
	assert_int_equal(conf_set(&c, "device", "sda speed 1G/s", err, sizeof err), -EINVAL);
	assert_non_null(strstr(err, "unknown word \"speed\""));
	assert_int_equal(c.ndevices, 2);
	conf_free(&c);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_defaults),
		cmocka_unit_test(test_load_good),
		cmocka_unit_test(test_load_bad_is_atomic),
		cmocka_unit_test(test_load_stream),
		cmocka_unit_test(test_set_errors),
		cmocka_unit_test(test_set_errors_escaped),
		cmocka_unit_test(test_missing_file),
		cmocka_unit_test(test_on_action_split),
		cmocka_unit_test(test_device),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
