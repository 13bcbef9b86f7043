/* test_hook.c: the on-action runner (hook.h) in a real libevent loop, with
 * real children: the environment and arguments, no inherited descriptor,
 * the bounds (running, queued, rate), the timeout, the reaping. */
#include "config.h"

#include <errno.h>
#include <event2/event.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cmocka.h>

#include "hook.h"
#include "policy.h"
#include "units.h"
#include "xmalloc.h"

static char dir[] = "/tmp/test_hook.XXXXXX";

/* Runs the loop until no hook runs or waits, or limit_ms passes. */
static void
run_until_idle(struct event_base *base, struct hook *h, int64_t limit_ms)
{
	int64_t end = units_mono_ms() + limit_ms;
	struct hook_stats s;

	for (;;) {
		hook_stats(h, &s);
		if (s.running == 0 && s.queued == 0)
			return;
		assert_true(units_mono_ms() < end);
		event_base_loop(base, EVLOOP_ONCE);
	}
}

static char *
slurp(const char *path)
{
	static char buf[4096];
	ssize_t n;
	int fd = open(path, O_RDONLY);

	assert_true(fd >= 0);
	n = read(fd, buf, sizeof buf - 1);
	assert_true(n >= 0);
	buf[n] = '\0';
	close(fd);
	return buf;
}

static const struct hook_event ev_apply = {
	.event = "apply", .container = "web;$(reboot)", .cgroup = "/lxc/web",
	.runtime = "lxc", .policy = "p", .rule = "r", .knob = PK_PIDS_MAX,
	.old_value = POL_MAX, .new_value = 100, .why = "pids 5 > 1", .ts_ms = 1700000000123,
};

/* The environment and arguments arrive; stdin is /dev/null and a
 * descriptor cgov left open without close-on-exec is not inherited. */
static void
test_env_and_fds(void **state)
{
	struct event_base *base = event_base_new();
	struct hook *h = hook_new(base);
	char *cmd, *out = xasprintf("%s/env", dir), *txt;
	int leak = open("/dev/null", O_RDONLY);

	(void)state;
	assert_true(leak >= 0);
	assert_true(dup2(leak, 37) == 37);       /* no O_CLOEXEC on purpose */
	cmd = xasprintf("/bin/sh -c 'env | grep ^CGOV_ | sort > %s.tmp; echo \"ARGS=$#|$1\" >> %s.tmp;"
	    " ls /proc/$$/fd | tr \"\\n\" \" \" | sed \"s/^/FDS=/\" >> %s.tmp;"
	    " echo >> %s.tmp; readlink /proc/$$/fd/0 | sed \"s/^/STDIN=/\" >> %s.tmp;"
	    " mv %s.tmp %s' x \"a b\"", out, out, out, out, out, out, out);
	assert_int_equal(hook_configure(h, cmd, 5000), 0);
	hook_fire(h, &ev_apply);
	run_until_idle(base, h, 5000);
	txt = slurp(out);
	assert_non_null(strstr(txt, "CGOV_EVENT=apply\n"));
	assert_non_null(strstr(txt, "CGOV_CONTAINER=web;$(reboot)\n"));
	assert_non_null(strstr(txt, "CGOV_KNOB=pids max\n"));
	assert_non_null(strstr(txt, "CGOV_OLD=max\n"));
	assert_non_null(strstr(txt, "CGOV_NEW=100\n"));
	assert_non_null(strstr(txt, "CGOV_NEW_TEXT=100\n"));
	assert_non_null(strstr(txt, "CGOV_TIME=1700000000123\n"));
	assert_non_null(strstr(txt, "CGOV_DRY_RUN=0\n"));
	assert_non_null(strstr(txt, "ARGS=1|a b\n"));
	assert_non_null(strstr(txt, "STDIN=/dev/null\n"));
	assert_null(strstr(txt, " 37 "));
	close(37);
	close(leak);
	free(cmd);
	free(out);
	hook_free(h);
	event_base_free(base);
}

/* 4 run, the rest queue, past 60 a minute events are dropped; hook_free
 * kills what still runs without waiting for it. */
static void
test_bounds(void **state)
{
	struct event_base *base = event_base_new();
	struct hook *h = hook_new(base);
	struct hook_stats s;
	int64_t t0;

	(void)state;
	hook_fire(h, &ev_apply);                 /* no command: nothing */
	hook_stats(h, &s);
	assert_int_equal(s.started + s.dropped + s.queued, 0);
	assert_int_equal(hook_configure(h, "/bin/sleep 30", 60000), 0);
	for (int i = 0; i < 70; i++)
		hook_fire(h, &ev_apply);
	hook_stats(h, &s);
	assert_int_equal(s.running, HOOK_MAX_RUNNING);
	assert_int_equal(s.started, HOOK_MAX_RUNNING);
	assert_int_equal(s.queued, HOOK_MAX_PER_MIN - HOOK_MAX_RUNNING);
	assert_int_equal(s.dropped, 70 - HOOK_MAX_PER_MIN);
	t0 = units_mono_ms();
	hook_free(h);
	assert_true(units_mono_ms() - t0 < 5000);
	event_base_free(base);
}

/* A hook past its timeout is killed, reaped, and the next one starts. */
static void
test_timeout(void **state)
{
	struct event_base *base = event_base_new();
	struct hook *h = hook_new(base);
	struct hook_stats s;
	int64_t t0 = units_mono_ms();

	(void)state;
	assert_int_equal(hook_configure(h, "/bin/sh -c 'sleep 30; :'", 200), 0);
	hook_fire(h, &ev_apply);
	hook_fire(h, &ev_apply);
	run_until_idle(base, h, 10000);
	hook_stats(h, &s);
	assert_int_equal(s.started, 2);
	assert_int_equal(s.timed_out, 2);
	assert_true(units_mono_ms() - t0 < 10000);
	hook_free(h);
	event_base_free(base);
}

static int
setup(void **state)
{
	(void)state;
	return mkdtemp(dir) == NULL ? -1 : 0;
}

static int
teardown(void **state)
{
	char *cmd = xasprintf("rm -rf %s", dir);

	(void)state;
	if (system(cmd) != 0)
		return -1;
	free(cmd);
	return 0;
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_env_and_fds),
		cmocka_unit_test(test_bounds),
		cmocka_unit_test(test_timeout),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
