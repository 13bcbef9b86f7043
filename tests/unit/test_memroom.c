/* test_memroom.c: the memory limits above a container (memroom.h), on a
 * cgroupfs laid out in a temporary directory: which ancestors enclose it,
 * what they leave, usage read once per generation and shared, a limit
 * found on the next walk, v1 without hierarchy, v2 file names. */
#include "config.h"

#include <math.h>
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

#include "cgfs.h"
#include "memroom.h"
#include "xmalloc.h"

#define MiB (1024ULL * 1024ULL)
#define TEST_UNUSED __attribute__((unused))
#define V1_NONE "9223372036854771712"   /* v1's "no limit" on x86-64 */

static char root[] = "/tmp/test_memroom.XXXXXX";

static void
put(const char *cg, const char *file, const char *fmt, ...)
{
	char *dir = xasprintf("%s%s", root, cg), *path = xasprintf("%s/%s", dir, file);
	char *cmd = xasprintf("mkdir -p '%s'", dir);
	va_list ap;
	FILE *fp;

	assert_int_equal(system(cmd), 0);
	assert_non_null(fp = fopen(path, "w"));
	va_start(ap, fmt);
	vfprintf(fp, fmt, ap);
	va_end(ap);
	fputc('\n', fp);
	fclose(fp);
	free(cmd);
	free(path);
	free(dir);
}

/* Removes cgroup cg (a directory of the tree, "" the whole) with its files. */
static int
rm_cg(const char *cg)
{
	char *cmd = xasprintf("rm -rf '%s%s'", root, cg);
	int r = system(cmd);

	free(cmd);
	return r;
}

static struct cgfs *
open_fs(int version)
{
	struct cgfs *fs = NULL;

	assert_int_equal(cgfs_open_root(root, version, "/proc", 0, &fs), 0);
	return fs;
}

/* v1: /node has a limit of 512M and holds 300M; /node/pod has none; the
 * container is /node/pod/ct. */
static void
test_v1_ancestors(void **state TEST_UNUSED)
{
	struct cgfs *fs;
	struct memroom *mr;
	struct memroom_set set = { 0 };

	put("/node", "memory.limit_in_bytes", "%llu", 512 * MiB);
	put("/node", "memory.usage_in_bytes", "%llu", 300 * MiB);
	put("/node", "memory.use_hierarchy", "1");
	put("/node/pod", "memory.limit_in_bytes", V1_NONE);
	put("/node/pod", "memory.usage_in_bytes", "%llu", 200 * MiB);
	put("/node/pod", "memory.use_hierarchy", "1");
	put("/node/pod/ct", "memory.limit_in_bytes", V1_NONE);
	fs = open_fs(1);
	mr = memroom_new(fs);

	assert_int_equal(memroom_find(mr, "/node/pod/ct", 1, &set), 1);
	assert_string_equal(set.path[0], "/node");
	assert_true(memroom_left(mr, &set, 1) == (double)(212 * MiB));
	/* Usage is read once per generation, for every container below. */
	put("/node", "memory.usage_in_bytes", "%llu", 400 * MiB);
	assert_true(memroom_left(mr, &set, 1) == (double)(212 * MiB));
	assert_true(memroom_left(mr, &set, 2) == (double)(112 * MiB));

	/* A limit set on /node/pod shows on the next walk (a full read),
	 * nearest first; the tightest wins. */
	put("/node/pod", "memory.limit_in_bytes", "%llu", 250 * MiB);
	assert_int_equal(memroom_find(mr, "/node/pod/ct", 3, &set), 2);
	assert_string_equal(set.path[0], "/node/pod");
	assert_string_equal(set.path[1], "/node");
	assert_true(memroom_left(mr, &set, 3) == (double)(50 * MiB));
	/* Over the limit: negative headroom. */
	put("/node", "memory.usage_in_bytes", "%llu", 513 * MiB);
	assert_true(memroom_left(mr, &set, 4) == -(double)MiB);

	/* Without hierarchy a v1 limit does not enclose the children. */
	put("/flat", "memory.limit_in_bytes", "%llu", 64 * MiB);
	put("/flat", "memory.usage_in_bytes", "%llu", 60 * MiB);
	put("/flat", "memory.use_hierarchy", "0");
	put("/flat/ct", "memory.limit_in_bytes", V1_NONE);
	assert_int_equal(memroom_find(mr, "/flat/ct", 5, &set), 0);
	assert_true(isinf(memroom_left(mr, &set, 5)));
	/* A container right under the root, or vanished ancestors: none. */
	assert_int_equal(memroom_find(mr, "/ct", 5, &set), 0);
	assert_int_equal(memroom_find(mr, "/gone/ct", 5, &set), 0);

	/* An ancestor that vanished after the walk: unknown, not 0. */
	assert_int_equal(memroom_find(mr, "/node/pod/ct", 6, &set), 2);
	assert_int_equal(rm_cg("/node/pod"), 0);
	assert_true(memroom_left(mr, &set, 7) == -(double)MiB);   /* /node still there */
	assert_int_equal(rm_cg("/node"), 0);
	assert_true(isnan(memroom_left(mr, &set, 8)));

	/* The cache forgets what nobody asks for. */
	assert_true(memroom_cached(mr) > 0);
	memroom_sweep(mr, 9);
	assert_int_equal(memroom_cached(mr), 0);
	memroom_set_clear(&set);
	assert_int_equal(set.n, 0);
	memroom_free(mr);
	cgfs_close(fs);
}

/* v2: memory.max and memory.current; "max" is no limit. */
static void
test_v2_ancestors(void **state TEST_UNUSED)
{
	struct cgfs *fs;
	struct memroom *mr;
	struct memroom_set set = { 0 };

	put("/slice", "memory.max", "%llu", 1024 * MiB);
	put("/slice", "memory.current", "%llu", 1000 * MiB);
	put("/slice/inner", "memory.max", "max");
	put("/slice/inner", "memory.current", "%llu", 900 * MiB);
	put("/slice/inner/ct", "memory.max", "max");
	fs = open_fs(2);
	mr = memroom_new(fs);
	assert_int_equal(memroom_find(mr, "/slice/inner/ct", 1, &set), 1);
	assert_string_equal(set.path[0], "/slice");
	assert_true(memroom_left(mr, &set, 1) == (double)(24 * MiB));
	memroom_set_clear(&set);
	memroom_free(mr);
	cgfs_close(fs);
}

static int
test_setup(void **state TEST_UNUSED)
{
	assert_non_null(mkdtemp(root));
	return 0;
}

static int
test_teardown(void **state TEST_UNUSED)
{
	return rm_cg("") == 0 ? 0 : -1;
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_v1_ancestors),
		cmocka_unit_test(test_v2_ancestors),
	};

	return cmocka_run_group_tests(tests, test_setup, test_teardown);
}
