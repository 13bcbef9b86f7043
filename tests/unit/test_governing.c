/* test_governing.c: what governing does apart from a live fleet: loading a
 * policy set for this host (the metric arithmetic it feeds the governor is
 * tested in test_metrics.c). */
#include "config.h"

#include <errno.h>
#include <limits.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <cmocka.h>

#include "governing.h"

static const char *
srcpath(char *buf, size_t len, const char *rel)
{
	const char *top = getenv("CGOV_SRCDIR");

	snprintf(buf, len, "%s/%s", top != NULL ? top : ".", rel);
	return buf;
}

static void
test_cgroup_version(void **state)
{
	struct cgfs fs = { .layout = CGFS_V2 };

	assert_int_equal(governing_cgroup_version(&fs), 2);
	fs.layout = CGFS_HYBRID;                  /* v1 controllers: v1 rules */
	assert_int_equal(governing_cgroup_version(&fs), 1);
	fs.layout = CGFS_V1;
	assert_int_equal(governing_cgroup_version(&fs), 1);
}

/* The shipped policies load on both versions; a broken file is -EINVAL with
 * no set; a missing path is -ENOENT. */
static void
test_load(void **state)
{
	char p[PATH_MAX];
	struct policy_set *ps = (struct policy_set *)&ps;

	assert_int_equal(governing_load(srcpath(p, sizeof p, "policies"), 2, &ps), 0);
	assert_non_null(ps);
	assert_true(ps->n > 0);
	policy_set_free(ps);
	assert_int_equal(governing_load(p, 1, &ps), 0);
	assert_true(ps->n > 0);
	policy_set_free(ps);
	assert_int_equal(governing_load(srcpath(p, sizeof p, "tests/policies/err-bad-unit.policy"),
	    2, &ps), -EINVAL);
	assert_null(ps);
	ps = (struct policy_set *)&ps;
	assert_int_equal(governing_load(srcpath(p, sizeof p, "tests/policies/no-such.policy"),
	    2, &ps), -ENOENT);
	assert_null(ps);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_cgroup_version),
		cmocka_unit_test(test_load),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
