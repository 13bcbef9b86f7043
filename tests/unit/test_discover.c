/* test_discover.c: container patterns, names and the bounded walk. */
#include <errno.h>
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

#include "discover.h"

static struct discover *
builtin(void)
{
	struct discover *d = NULL;
	char err[256];

	assert_int_equal(discover_new(NULL, 0, NULL, &d, err, sizeof err), 0);
	return d;
}

static void
expect(const struct discover *d, const char *path, const char *runtime, const char *name)
{
	const char *rt = NULL;
	char got[DISCOVER_MAX_NAME];

	if (runtime == NULL) {
		assert_int_equal(discover_match(d, path, &rt, got, sizeof got), 0);
		return;
	}
	assert_int_equal(discover_match(d, path, &rt, got, sizeof got), 1);
	assert_string_equal(rt, runtime);
	assert_string_equal(got, name);
}

static void
test_builtin_layouts(void **state)
{
	struct discover *d = builtin();

	expect(d, "/lxc/web1", "lxc", "web1");
	expect(d, "/lxc.payload.web1", "lxc", "web1");
	expect(d, "/lxc.payload/db", "lxc", "db");
	expect(d, "/docker/0123456789abcdef0123456789abcdef", "docker", "0123456789ab");
	expect(d, "/system.slice/docker-0123456789abcdef0123.scope", "docker", "0123456789ab");
	expect(d, "/machine.slice/libpod-fedcba9876543210fedc.scope", "podman", "fedcba987654");
	expect(d, "/machine.slice/machine-qemu\\x2d3\\x2dvm\\x2done.scope", "libvirt", "vm-one");
	expect(d, "/machine/guest7.libvirt-qemu", "libvirt", "guest7");
	expect(d, "/machine/qemu-1-guest7.libvirt-qemu", "libvirt", "guest7");
	expect(d, "/machine.slice/1b3c5d7e-0a2b-4c6d-8e0f-123456789abc", "openvz",
	    "1b3c5d7e-0a2b-4c6d-8e0f-123456789abc");
	expect(d, "/machine.slice/101", "openvz", "101");
	expect(d, "/machine.slice/machine-box.scope", "nspawn", "box");
	expect(d, "/kubepods.slice/kubepods-burstable.slice/"
	    "kubepods-burstable-pod12ab_34cd.slice", "kubernetes", "12ab-34cd");
	expect(d, "/kubepods.slice/kubepods-pod99_aa.slice", "kubernetes", "99-aa");
	expect(d, "/kubepods/besteffort/pod1234-5678", "kubernetes", "1234-5678");
	expect(d, "/kubepods/pod77", "kubernetes", "77");
	discover_free(d);
}

static void
test_builtin_rejects(void **state)
{
	struct discover *d = builtin();

	expect(d, "/", NULL, NULL);
	expect(d, "/lxc", NULL, NULL);                       /* the parent itself */
	expect(d, "/lxc/web1/init.scope", NULL, NULL);       /* inside a container */
	expect(d, "/lxc.monitor.web1", NULL, NULL);
	expect(d, "/system.slice/sshd.service", NULL, NULL); /* systemd: opt-in */
	expect(d, "/user.slice", NULL, NULL);
	expect(d, "/kubepods/besteffort", NULL, NULL);       /* a QoS class, not a pod */
	/* machine.slice holds more than Virtuozzo's containers. */
	expect(d, "/machine.slice/systemd-nspawn@box.service", NULL, NULL);
	expect(d, "/machine.slice/dead-beef.scope", NULL, NULL);
	expect(d, "/machine.slice/1b3c5d7e-0a2b-4c6d-8e0f-123456789abcd", NULL, NULL);
	expect(d, "/machine.slice/1b3c5d7e-0a2b-4c6d-8e0f-123456789abc/system.slice", NULL, NULL);
	expect(d, "/machine.slice/12345678901", NULL, NULL);
	discover_free(d);
}

static void
test_user_patterns(void **state)
{
	const char *globs[] = { "/tenants/*", "/docker/*", "systemd" };
	struct discover *d = NULL;
	char err[256];

	assert_int_equal(discover_new(globs, 3, NULL, &d, err, sizeof err), 0);
	expect(d, "/tenants/acme", "cgroup", "acme");
	/* A user pattern that a built-in one also matches keeps its naming. */
	expect(d, "/docker/0123456789abcdef0123", "docker", "0123456789ab");
	expect(d, "/system.slice/nginx.service", "systemd", "nginx");
	expect(d, "/lxc/web1", NULL, NULL);                  /* replaced, not added */
	expect(d, "/tenants/acme/sub", NULL, NULL);          /* '*' never crosses '/' */
	discover_free(d);
}

static void
test_bad_patterns(void **state)
{
	const char *rel[] = { "lxc/*" }, *root[] = { "/" }, *dots[] = { "/a/../b" },
	    *dbl[] = { "/a//b" };
	struct discover *d = NULL;
	char err[256];

	assert_int_equal(discover_new(rel, 1, NULL, &d, err, sizeof err), -EINVAL);
	assert_non_null(strstr(err, "must start with '/'"));
	assert_int_equal(discover_new(root, 1, NULL, &d, err, sizeof err), -EINVAL);
	assert_non_null(strstr(err, "hierarchy root"));
	assert_int_equal(discover_new(dots, 1, NULL, &d, err, sizeof err), -EINVAL);
	assert_int_equal(discover_new(dbl, 1, NULL, &d, err, sizeof err), -EINVAL);
}

/* A fake hierarchy in a temporary directory: the walk finds containers,
 * never enters them, and stops at its bounds. */
static char tree[64];

static void
mk(const char *rel)
{
	char p[512];

	snprintf(p, sizeof p, "%s%s", tree, rel);
	assert_int_equal(mkdir(p, 0755), 0);
}

static int
setup_tree(void **state)
{
	strcpy(tree, "/tmp/cgov-disc-XXXXXX");
	assert_non_null(mkdtemp(tree));
	mk("/lxc");
	mk("/lxc/web1");
	mk("/lxc/web1/init.scope");
	mk("/lxc/db");
	mk("/docker");
	mk("/docker/0123456789abcdef0123");
	mk("/lxc.payload.mail");
	mk("/user.slice");
	mk("/user.slice/deep");
	/* A tenant that creates many cgroups inside its container. */
	for (int i = 0; i < 200; i++) {
		char p[64];

		snprintf(p, sizeof p, "/lxc/web1/t%d", i);
		mk(p);
	}
	return 0;
}

static int
teardown_tree(void **state)
{
	char cmd[128];

	snprintf(cmd, sizeof cmd, "rm -rf '%s'", tree);
	return system(cmd);
}

static void
test_walk(void **state)
{
	struct discover *d = builtin();
	struct discover_found *found;
	struct cgfs *fs;
	size_t n;
	int truncated;

	assert_int_equal(cgfs_open_root(tree, 2, "/proc", 0, &fs), 0);
	assert_int_equal(discover_scan(d, fs, &found, &n, &truncated), 0);
	assert_int_equal(truncated, 0);
	assert_int_equal(n, 4);
	/* Sorted by path, each once although "/" and "/lxc" roots overlap. */
	assert_string_equal(found[0].path, "/docker/0123456789abcdef0123");
	assert_string_equal(found[1].path, "/lxc.payload.mail");
	assert_string_equal(found[1].name, "mail");
	assert_string_equal(found[2].path, "/lxc/db");
	assert_string_equal(found[3].path, "/lxc/web1");
	assert_string_equal(found[3].runtime, "lxc");
	discover_found_free(found, n);
	discover_free(d);
	cgfs_close(fs);
}

/* Scans the tree with globs (n == 0: built-ins) and a container bound;
 * returns how many were found and whether the walk says it was cut. */
static size_t
scan_bounded(const char *const *globs, size_t nglobs, size_t max, int *ret_truncated)
{
	struct discover_limits lim = { .max_containers = max };
	struct discover *d = NULL;
	struct discover_found *found;
	struct cgfs *fs;
	char err[256];
	size_t n;

	assert_int_equal(discover_new(globs, nglobs, &lim, &d, err, sizeof err), 0);
	assert_int_equal(cgfs_open_root(tree, 2, "/proc", 0, &fs), 0);
	assert_int_equal(discover_scan(d, fs, &found, &n, ret_truncated), 0);
	discover_found_free(found, n);
	discover_free(d);
	cgfs_close(fs);
	return n;
}

static void
test_walk_bounded(void **state)
{
	const char *globs[] = { "/lxc/*/*" };   /* would reach the tenant's 200 */
	int truncated;

	assert_int_equal(scan_bounded(globs, 1, 50, &truncated), 50);
	assert_int_equal(truncated, 1);
	/* Exactly as many containers as the bound of each root: nothing
	 * left out, no truncation reported (the built-in patterns find 4 in
	 * the tree, at most 2 under one root: /lxc). */
	assert_int_equal(scan_bounded(NULL, 0, 2, &truncated), 4);
	assert_int_equal(truncated, 0);
	assert_int_equal(scan_bounded(NULL, 0, 1, &truncated), 3);
	assert_int_equal(truncated, 1);
}

/* Each pattern root has a budget of its own: the 201 cgroups under
 * /lxc/web1, walked first, use up theirs and leave /docker's whole (a
 * single budget let them starve it: 50 found, /docker never reached). */
static void
test_walk_root_budgets(void **state)
{
	const char *globs[] = { "/lxc/web1/*", "/docker/*" };
	struct discover_limits lim = { .max_containers = 50 };
	struct discover *d = NULL;
	struct discover_found *found;
	struct cgfs *fs;
	char err[256];
	size_t n;
	int truncated;

	assert_int_equal(discover_new(globs, 2, &lim, &d, err, sizeof err), 0);
	assert_int_equal(cgfs_open_root(tree, 2, "/proc", 0, &fs), 0);
	assert_int_equal(discover_scan(d, fs, &found, &n, &truncated), 0);
	assert_int_equal(truncated, 1);
	assert_int_equal(n, 51);
	assert_string_equal(found[0].path, "/docker/0123456789abcdef0123");
	discover_found_free(found, n);
	discover_free(d);
	cgfs_close(fs);
}

/* A Virtuozzo 7 node's memory hierarchy (tests/fixtures/openvz-vz7, from
 * libvzctl's sources): its two containers, by CTID, and nothing else of
 * machine.slice, nor the cgroups inside a container. */
static void
test_walk_openvz(void **state)
{
	const char *src = getenv("CGOV_SRCDIR");
	struct discover *d = builtin();
	struct discover_found *found;
	struct cgfs *fs;
	char root[1024];
	size_t n;
	int truncated;

	snprintf(root, sizeof root, "%s/tests/fixtures/openvz-vz7/memory", src ? src : ".");
	assert_int_equal(cgfs_open_root(root, 2, "/proc", 0, &fs), 0);
	assert_int_equal(discover_scan(d, fs, &found, &n, &truncated), 0);
	assert_int_equal(truncated, 0);
	assert_int_equal(n, 2);
	assert_string_equal(found[0].path, "/machine.slice/101");
	assert_string_equal(found[0].runtime, "openvz");
	assert_string_equal(found[0].name, "101");
	assert_string_equal(found[1].path, "/machine.slice/1b3c5d7e-0a2b-4c6d-8e0f-123456789abc");
	assert_string_equal(found[1].runtime, "openvz");
	assert_string_equal(found[1].name, "1b3c5d7e-0a2b-4c6d-8e0f-123456789abc");
	discover_found_free(found, n);
	discover_free(d);
	cgfs_close(fs);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_builtin_layouts),
		cmocka_unit_test(test_builtin_rejects),
		cmocka_unit_test(test_user_patterns),
		cmocka_unit_test(test_bad_patterns),
		cmocka_unit_test_setup_teardown(test_walk, setup_tree, teardown_tree),
		cmocka_unit_test_setup_teardown(test_walk_bounded, setup_tree, teardown_tree),
		cmocka_unit_test_setup_teardown(test_walk_root_budgets, setup_tree, teardown_tree),
		cmocka_unit_test(test_walk_openvz),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
