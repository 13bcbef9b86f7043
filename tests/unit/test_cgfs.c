/* test_cgfs.c: the sampler and the cgroupfs layer on the real snapshots.
 *
 * The snapshots in tests/fixtures/cgroupfs hold every controller's files of
 * one container ("tenant") in one directory, which is what cgfs_open_root()
 * models. Values pinned here were read from those files; what is tested is
 * the mapping: units (ns -> us), v1 memsw arithmetic, v2 "max", shares vs
 * weight, and which file feeds which figure.
 */
#include <errno.h>
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

#include "cgfs.h"
#include "sampler.h"

static const char *
fixtures(void)
{
	const char *f = getenv("CGOV_FIXTURES");

	return f != NULL ? f : "tests/fixtures/cgroupfs";
}

static void fake_cgroup(char *tmpl, const char *name, const char *fname, const char *content,
    char *dir, size_t dirlen, char *file, size_t filelen);

static struct cgfs *
open_snapshot(const char *which, int version)
{
	char root[1024];
	struct cgfs *fs = NULL;

	snprintf(root, sizeof root, "%s/%s", fixtures(), which);
	assert_int_equal(cgfs_open_root(root, version, root, 1, &fs), 0);
	return fs;
}

static void
test_v1_sample(void **state)
{
	struct cgfs *fs = open_snapshot("v1-hybrid", 1);
	struct sampler *s = sampler_new(fs, 64);
	struct sampler_ct *ct;
	struct cg_sample v;

	assert_int_equal(sampler_ct_open(s, "/tenant", &ct), 0);
	assert_int_equal(sampler_ct_read(ct, &v), 0);
	assert_int_equal(v.mem_current, 217407488);
	assert_int_equal(v.mem_limit, 536870912);
	assert_int_equal(v.mem_high, CG_UNKNOWN);           /* no such knob on v1 */
	assert_int_equal(v.swap_current, 0);                /* memsw == usage */
	assert_int_equal(v.swap_limit, 603979776 - 536870912);  /* the 64M buffer */
	assert_int_equal(v.cpu_usage_us, 1534662);          /* ns -> us */
	assert_int_equal(v.nr_periods, 41);
	assert_int_equal(v.nr_throttled, 28);
	assert_int_equal(v.throttled_us, 1375620);          /* ns -> us */
	assert_int_equal(v.cpu_shares, 2048);
	assert_int_equal(v.cpu_weight, 200);                /* the kernel's 1024 = 100 */
	assert_int_equal(v.cpu_quota_us, 50000);
	assert_int_equal(v.cpu_period_us, 100000);
	assert_int_equal(v.io.rbytes, 62914560);
	assert_int_equal(v.io.wbytes, 62914560);
	assert_int_equal(v.io.rios, 120);
	assert_int_equal(v.io.wios, 120);
	assert_int_equal(v.pids_current, 1);
	assert_int_equal(v.pids_max, 1000);
	assert_int_equal(v.oom, CG_UNKNOWN);                /* v1 has no event count */
	assert_int_equal(v.oom_kill, 0);
	assert_int_equal(v.psi_cpu_us, CG_UNKNOWN);         /* no PSI files on v1 */
	sampler_ct_close(ct);
	assert_int_equal(sampler_fds(s), 0);                /* everything given back */
	sampler_free(s);
	cgfs_close(fs);
}

static void
test_v1_memstat(void **state)
{
	struct cgfs *fs = open_snapshot("v1-hybrid", 1);
	struct sampler *s = sampler_new(fs, 64);
	struct sampler_ct *ct;
	struct cg_memstat m;

	assert_int_equal(sampler_ct_open(s, "/tenant", &ct), 0);
	assert_int_equal(sampler_ct_read_memstat(ct, &m), 0);
	assert_int_equal(m.anon, 216743936);                /* total_rss */
	assert_int_equal(m.file, 4096);                     /* total_cache */
	assert_int_equal(m.shmem, 0);
	assert_int_equal(m.kernel, CG_UNKNOWN);
	assert_int_equal(m.pgmajfault, 0);
	sampler_ct_close(ct);
	sampler_free(s);
	cgfs_close(fs);
}

static void
test_v2_sample(void **state)
{
	struct cgfs *fs = open_snapshot("v2-unified", 2);
	struct sampler *s = sampler_new(fs, 64);
	struct sampler_ct *ct;
	struct cg_sample v;

	assert_int_equal(fs->layout, CGFS_V2);
	assert_int_equal(sampler_ct_open(s, "/tenant", &ct), 0);
	assert_int_equal(sampler_ct_read(ct, &v), 0);
	assert_int_equal(v.mem_current, 220549120);
	assert_int_equal(v.mem_limit, 536870912);
	assert_int_equal(v.mem_high, 419430400);
	assert_int_equal(v.swap_current, 0);
	assert_int_equal(v.swap_limit, 67108864);
	assert_int_equal(v.cpu_usage_us, 1456505);
	assert_int_equal(v.nr_periods, 40);
	assert_int_equal(v.nr_throttled, 27);
	assert_int_equal(v.throttled_us, 1338976);
	assert_int_equal(v.cpu_weight, 200);
	assert_int_equal(v.cpu_shares, 2048);
	assert_int_equal(v.cpu_quota_us, 50000);
	assert_int_equal(v.cpu_period_us, 100000);
	assert_int_equal(v.io.rbytes, 64155648);
	assert_int_equal(v.io.wbytes, 62914560);
	assert_int_equal(v.io.rios, 172);
	assert_int_equal(v.io.wios, 60);
	assert_int_equal(v.pids_max, 1000);
	assert_int_equal(v.oom, 0);
	assert_int_equal(v.oom_kill, 0);
	assert_int_equal(v.psi_cpu_us, 1157918);
	assert_int_equal(v.psi_mem_us, 0);
	assert_int_equal(v.psi_io_us, 606932);
	sampler_ct_close(ct);
	sampler_free(s);
	cgfs_close(fs);
}

static void
test_v2_memstat(void **state)
{
	struct cgfs *fs = open_snapshot("v2-unified", 2);
	struct sampler *s = sampler_new(fs, 64);
	struct sampler_ct *ct;
	struct cg_memstat m;

	assert_int_equal(sampler_ct_open(s, "/tenant", &ct), 0);
	assert_int_equal(sampler_ct_read_memstat(ct, &m), 0);
	assert_int_equal(m.anon, 218173440);
	assert_int_equal(m.file, 1245184);
	assert_int_equal(m.kernel, 659456);
	assert_int_equal(m.file_dirty, 28672);
	assert_int_equal(m.pgmajfault, 1);
	sampler_ct_close(ct);
	sampler_free(s);
	cgfs_close(fs);
}

static void
test_node(void **state)
{
	struct cgfs *fs = open_snapshot("v1-hybrid", 1);
	struct cg_node n;

	assert_int_equal(sampler_read_node(fs, &n), 0);
	assert_int_equal(n.mem.mem_total, 24684096ULL * 1024);
	assert_int_equal(n.mem.mem_available, 24441248ULL * 1024);
	assert_int_equal(n.mem.swap_total, 0);
	assert_int_equal(n.cpu.ncpu, 2);
	/* busy = user+nice+system+irq+softirq+steal = 5352+0+3923+0+59+635 */
	assert_int_equal(n.cpu.busy, 5352 + 3923 + 59 + 635);
	assert_int_equal(n.load1, 3);
	assert_int_equal(n.psi_cpu_us, 19211812);
	cgfs_close(fs);
}

/* With no descriptor budget every read opens and closes the file: the
 * figures must be the same as with cached descriptors. */
static void
test_uncached_same_figures(void **state)
{
	struct cgfs *fs = open_snapshot("v2-unified", 2);
	struct sampler *cached = sampler_new(fs, 1000), *bare = sampler_new(fs, 0);
	struct sampler_ct *a, *b;
	struct cg_sample va, vb;

	assert_int_equal(sampler_ct_open(cached, "/tenant", &a), 0);
	assert_int_equal(sampler_ct_open(bare, "/tenant", &b), 0);
	assert_true(sampler_fds(cached) > 10);
	assert_int_equal(sampler_fds(bare), 0);             /* not even the directory */
	assert_int_equal(sampler_ct_read(a, &va), 0);
	assert_int_equal(sampler_ct_read(b, &vb), 0);
	assert_memory_equal(&va, &vb, sizeof va);
	sampler_ct_close(a);
	sampler_ct_close(b);
	sampler_free(cached);
	sampler_free(bare);
	cgfs_close(fs);
}

/* The budget bounds directories too: fifty opens of the same container
 * with room for twenty descriptors hold at most twenty, and every one
 * reads the same figures. */
static void
test_budget_bounds_directories(void **state)
{
	struct cgfs *fs = open_snapshot("v2-unified", 2);
	struct sampler *s = sampler_new(fs, 20);
	struct sampler_ct *ct[50];
	struct cg_sample first, v;
	struct cg_memstat m;

	for (int i = 0; i < 50; i++) {
		assert_int_equal(sampler_ct_open(s, "/tenant", &ct[i]), 0);
		assert_true(sampler_fds(s) <= 20);
	}
	assert_int_equal(sampler_ct_read(ct[0], &first), 0);
	for (int i = 1; i < 50; i++) {
		assert_int_equal(sampler_ct_read(ct[i], &v), 0);
		assert_memory_equal(&first, &v, sizeof v);
		assert_int_equal(sampler_ct_read_memstat(ct[i], &m), 0);
		assert_int_equal(m.anon, 218173440);
	}
	for (int i = 0; i < 50; i++)
		sampler_ct_close(ct[i]);
	assert_int_equal(sampler_fds(s), 0);
	sampler_free(s);
	cgfs_close(fs);
}

static void
test_missing_and_hostile_paths(void **state)
{
	struct cgfs *fs = open_snapshot("v2-unified", 2);
	struct sampler *s = sampler_new(fs, 64);
	struct sampler_ct *ct;

	assert_int_equal(sampler_ct_open(s, "/no-such-tenant", &ct), -ENOENT);
	assert_int_equal(sampler_ct_open(s, "/../v1-hybrid/tenant", &ct), -EINVAL);
	assert_int_equal(sampler_ct_open(s, "/tenant/..", &ct), -EINVAL);
	assert_int_equal(sampler_ct_open(s, "tenant", &ct), -EINVAL);
	assert_int_equal(sampler_ct_open(s, "//tenant", &ct), -EINVAL);
	assert_int_equal(sampler_fds(s), 0);
	sampler_free(s);
	cgfs_close(fs);
}

/* A one-file cgroup in a new temporary root: tmpl receives the root,
 * dir the cgroup, file the file's path. */
static void
fake_cgroup(char *tmpl, const char *name, const char *fname, const char *content,
    char *dir, size_t dirlen, char *file, size_t filelen)
{
	FILE *fp;

	assert_non_null(mkdtemp(tmpl));
	snprintf(dir, dirlen, "%s/%s", tmpl, name);
	assert_int_equal(mkdir(dir, 0755), 0);
	snprintf(file, filelen, "%s/%s", dir, fname);
	assert_non_null(fp = fopen(file, "w"));
	fputs(content, fp);
	fclose(fp);
}

/* A sampler over a one-file fake cgroup root (see fake_cgroup). */
struct fake {
	char tmpl[32], dir[1100], file[1200];
	struct cgfs *fs;
	struct sampler *s;
	struct sampler_ct *ct;
};

static void
fake_open(struct fake *f, const char *name, const char *fname, const char *content,
    size_t budget)
{
	char path[64];

	strcpy(f->tmpl, "/tmp/cgov-cgfs-XXXXXX");
	fake_cgroup(f->tmpl, name, fname, content, f->dir, sizeof f->dir, f->file,
	    sizeof f->file);
	assert_int_equal(cgfs_open_root(f->tmpl, 2, "/proc", 0, &f->fs), 0);
	f->s = sampler_new(f->fs, budget);
	snprintf(path, sizeof path, "/%s", name);
	assert_int_equal(sampler_ct_open(f->s, path, &f->ct), 0);
}

/* Closes everything and removes what is left of the fake root. */
static void
fake_close(struct fake *f)
{
	sampler_ct_close(f->ct);
	sampler_free(f->s);
	cgfs_close(f->fs);
	unlink(f->file);
	rmdir(f->dir);
	rmdir(f->tmpl);
}

/* memory.stat missing (v2 without the memory controller) is unknown, and
 * the container stays. */
static void
test_no_memstat_is_not_gone(void **state)
{
	struct fake f;
	struct cg_memstat m;
	struct cg_sample v;

	fake_open(&f, "nomem", "cpu.stat", "usage_usec 5\n", 64);
	assert_int_equal(sampler_ct_read_memstat(f.ct, &m), 0);
	assert_int_equal(m.anon, CG_UNKNOWN);
	assert_int_equal(sampler_ct_read(f.ct, &v), 0);
	assert_int_equal(v.cpu_usage_us, 5);
	fake_close(&f);
}

/* A container deleted while its descriptors are cached: reading says gone. */
static void
test_vanished_container(void **state)
{
	struct fake f;
	struct cg_sample v;

	fake_open(&f, "gone", "memory.current", "4096\n", 0);   /* uncached: re-opens */
	assert_int_equal(sampler_ct_read(f.ct, &v), 0);
	assert_int_equal(v.mem_current, 4096);
	assert_int_equal(unlink(f.file), 0);
	assert_int_equal(rmdir(f.dir), 0);
	assert_int_equal(sampler_ct_read(f.ct, &v), -ENODEV);
	fake_close(&f);
}

/* An idle v2 cgroup has an empty io.stat: that is zero I/O, not unknown
 * (else the first I/O after a quiet start would be lost from the deltas). */
static void
test_empty_io_stat_is_zero(void **state)
{
	struct fake f;
	struct cg_sample v;

	fake_open(&f, "idle", "io.stat", "", 64);
	assert_int_equal(sampler_ct_read(f.ct, &v), 0);
	assert_int_equal(v.io.wbytes, 0);
	assert_int_equal(v.io.rios, 0);
	assert_int_equal(v.mem_current, CG_UNKNOWN);        /* absent file: unknown */
	fake_close(&f);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_v1_sample),
		cmocka_unit_test(test_v1_memstat),
		cmocka_unit_test(test_v2_sample),
		cmocka_unit_test(test_v2_memstat),
		cmocka_unit_test(test_node),
		cmocka_unit_test(test_uncached_same_figures),
		cmocka_unit_test(test_budget_bounds_directories),
		cmocka_unit_test(test_no_memstat_is_not_gone),
		cmocka_unit_test(test_missing_and_hostile_paths),
		cmocka_unit_test(test_vanished_container),
		cmocka_unit_test(test_empty_io_stat_is_zero),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
