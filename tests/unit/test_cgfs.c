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
#include <time.h>
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
	assert_int_equal(v.psi_cpu_us, CG_UNKNOWN);         /* v1: derived, no schedstat here */
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
	struct sampler *s = sampler_new(fs, 0);
	struct cg_node n;

	assert_int_equal(sampler_read_node(s, &n), 0);
	assert_int_equal(n.mem.mem_total, 24684096ULL * 1024);
	assert_int_equal(n.mem.mem_available, 24441248ULL * 1024);
	assert_int_equal(n.mem.swap_total, 0);
	assert_int_equal(n.cpu.ncpu, 2);
	/* busy = user+nice+system+irq+softirq+steal = 5352+0+3923+0+59+635 */
	assert_int_equal(n.cpu.busy, 5352 + 3923 + 59 + 635);
	assert_int_equal(n.load1, 3);
	assert_int_equal(n.psi_cpu_us, 19211812);
	sampler_free(s);
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

/* One number of one file: a value, "max", a file that holds no number, a
 * file or a cgroup that is not there. */
static void
test_read_u64(void **state)
{
	struct cgfs *fs = open_snapshot("v2-unified", 2);
	uint64_t v = 0;

	(void)state;
	assert_int_equal(cgfs_read_u64(fs, CG_MEMORY, "/tenant", "memory.max", &v), 0);
	assert_true(v == 536870912ULL);
	assert_int_equal(cgfs_read_u64(fs, CG_MEMORY, "/tenant", "memory.current", &v), 0);
	assert_true(v == 220549120ULL);
	assert_int_equal(cgfs_read_u64(fs, CG_MEMORY, "/tenant", "cgroup.max.depth", &v), 0);
	assert_true(v == CG_UNLIMITED);         /* "max" */
	assert_int_equal(cgfs_read_u64(fs, CG_CPU, "/tenant", "cpu.max", &v), -EINVAL);
	assert_int_equal(cgfs_read_u64(fs, CG_MEMORY, "/tenant", "memory.stat", &v), -EFBIG);
	assert_int_equal(cgfs_read_u64(fs, CG_MEMORY, "/tenant", "no.such.file", &v), -ENOENT);
	assert_int_equal(cgfs_read_u64(fs, CG_MEMORY, "/gone", "memory.max", &v), -ENOENT);
	assert_int_equal(cgfs_read_u64(fs, CG_MEMORY, "/tenant/..", "memory.max", &v), -EINVAL);
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

/* A cgroup of several files in a temporary root, with a proc/ directory
 * beside it for the node's files (see cgfs_open_root, flat 0). */
struct multi {
	char root[32], dir[1100];
	const char *names[16];
	size_t n;
	struct cgfs *fs;
	struct sampler *s;
	struct sampler_ct *ct;
};

static void
multi_put(const char *dir, const char *name, const char *content)
{
	char p[1200];
	FILE *fp;

	snprintf(p, sizeof p, "%s/%s", dir, name);
	assert_non_null(fp = fopen(p, "w"));        /* truncates: same inode */
	fputs(content, fp);
	fclose(fp);
}

/* files: name, content pairs, NULL-terminated. */
static void
multi_open(struct multi *m, int version, const char *const *files, uint64_t limits_ms)
{
	char proc[1100];

	memset(m, 0, sizeof *m);
	strcpy(m->root, "/tmp/cgov-cgfs-XXXXXX");
	assert_non_null(mkdtemp(m->root));
	snprintf(m->dir, sizeof m->dir, "%s/t", m->root);
	assert_int_equal(mkdir(m->dir, 0755), 0);
	snprintf(proc, sizeof proc, "%s/proc", m->root);
	assert_int_equal(mkdir(proc, 0755), 0);
	multi_put(proc, "stat", "cpu  1 0 1 10 0 0 0 0 0 0\ncpu0 1 0 1 10 0 0 0 0 0 0\n");
	multi_put(proc, "meminfo", "MemTotal: 1000 kB\nMemAvailable: 500 kB\n"
	    "SwapTotal: 1024 kB\nSwapFree: 1024 kB\n");
	for (; files[0] != NULL; files += 2) {
		multi_put(m->dir, files[0], files[1]);
		m->names[m->n++] = files[0];
	}
	assert_int_equal(cgfs_open_root(m->root, version, proc, 0, &m->fs), 0);
	m->s = sampler_new(m->fs, 64);
	sampler_set_limits_interval(m->s, limits_ms);
	assert_int_equal(sampler_ct_open(m->s, "/t", &m->ct), 0);
}

static void
multi_close(struct multi *m)
{
	char p[1200];

	sampler_ct_close(m->ct);
	sampler_free(m->s);
	cgfs_close(m->fs);
	for (size_t i = 0; i < m->n; i++) {
		snprintf(p, sizeof p, "%s/%s", m->dir, m->names[i]);
		unlink(p);
	}
	rmdir(m->dir);
	snprintf(p, sizeof p, "%s/proc/stat", m->root);
	unlink(p);
	snprintf(p, sizeof p, "%s/proc/meminfo", m->root);
	unlink(p);
	snprintf(p, sizeof p, "%s/proc", m->root);
	rmdir(p);
	rmdir(m->root);
}

/* Reads once; returns how many files that read read, and checks that the
 * file list said so beforehand. */
static uint64_t
multi_read(struct multi *m, struct cg_sample *v)
{
	enum cg_ctrl c[32];
	const char *names[32];
	size_t listed = sampler_ct_file_list(m->ct, 0, c, names, 32);
	uint64_t before = sampler_reads(m->s);

	assert_int_equal(sampler_ct_read(m->ct, v), 0);
	assert_int_equal(sampler_reads(m->s) - before, listed);
	return sampler_reads(m->s) - before;
}

static const char *const v2_files[] = {
	"memory.current", "1000\n", "memory.max", "8192\n", "memory.swap.current", "4096\n",
	"cpu.stat", "usage_usec 10\nnr_periods 0\nnr_throttled 0\nthrottled_usec 0\n",
	"cpu.max", "max 100000\n", "pids.current", "3\n", "pids.max", "max\n",
	NULL
};

/* Settings are carried between full reads; counters and levels are not.
 * A refresh, sampler_refresh_all and a new interval each force one full
 * read. */
static void
test_cadence_carries_settings(void **state)
{
	struct multi m;
	struct cg_sample v;

	multi_open(&m, 2, v2_files, 3600 * 1000);
	assert_int_equal(sampler_ct_last_full(m.ct), 0);    /* not read yet */
	assert_int_equal(multi_read(&m, &v), 7);            /* first: full */
	assert_int_equal(sampler_ct_last_full(m.ct), 1);
	assert_int_equal(v.mem_limit, 8192);
	assert_int_equal(v.cpu_quota_us, CG_UNLIMITED);
	multi_put(m.dir, "memory.max", "16384\n");
	multi_put(m.dir, "cpu.max", "50000 100000\n");
	multi_put(m.dir, "memory.current", "2000\n");
	multi_put(m.dir, "cpu.stat", "usage_usec 20\nnr_periods 1\nnr_throttled 0\n"
	    "throttled_usec 0\n");
	assert_int_equal(multi_read(&m, &v), 4);            /* no max, cpu.max, pids.max */
	assert_int_equal(sampler_ct_last_full(m.ct), 0);
	assert_int_equal(v.mem_current, 2000);
	assert_int_equal(v.cpu_usage_us, 20);
	assert_int_equal(v.mem_limit, 8192);                /* carried */
	assert_int_equal(v.cpu_quota_us, CG_UNLIMITED);
	assert_int_equal(v.pids_max, CG_UNLIMITED);
	sampler_ct_refresh(m.ct);
	assert_int_equal(multi_read(&m, &v), 7);
	assert_int_equal(v.mem_limit, 16384);
	assert_int_equal(v.cpu_quota_us, 50000);
	assert_int_equal(v.cpu_period_us, 100000);
	assert_int_equal(multi_read(&m, &v), 4);            /* once only */
	assert_int_equal(v.mem_limit, 16384);
	multi_put(m.dir, "memory.max", "max\n");
	sampler_refresh_all(m.s);
	assert_int_equal(multi_read(&m, &v), 7);
	assert_int_equal(v.mem_limit, CG_UNLIMITED);
	multi_put(m.dir, "pids.max", "99\n");
	sampler_set_limits_interval(m.s, 3600 * 1000);
	assert_int_equal(multi_read(&m, &v), 7);
	assert_int_equal(v.pids_max, 99);
	multi_close(&m);
}

/* Interval 0 (a new sampler's default): every read is full. */
static void
test_cadence_zero_reads_all(void **state)
{
	struct multi m;
	struct cg_sample v;

	multi_open(&m, 2, v2_files, 0);
	assert_int_equal(multi_read(&m, &v), 7);
	multi_put(m.dir, "memory.max", "16384\n");
	assert_int_equal(multi_read(&m, &v), 7);
	assert_int_equal(v.mem_limit, 16384);
	multi_close(&m);
}

/* Past the interval a setting changed behind the sampler's back is seen
 * without being asked for. Polls with a deadline: the first scheduled full
 * read falls within one interval of the first read. */
static void
test_cadence_interval_passes(void **state)
{
	struct multi m;
	struct cg_sample v;
	struct timespec ms = { 0, 1000000 };
	int i;

	multi_open(&m, 2, v2_files, 20);
	assert_int_equal(multi_read(&m, &v), 7);
	multi_put(m.dir, "memory.max", "16384\n");
	for (i = 0; i < 5000; i++) {
		assert_int_equal(sampler_ct_read(m.ct, &v), 0);
		if (v.mem_limit == 16384)
			break;
		nanosleep(&ms, NULL);
	}
	assert_int_equal(v.mem_limit, 16384);
	multi_close(&m);
}

/* A node without swap: the swap usage is 0 and its file is not read; with
 * swap back, it is read again. Full reads always read it. */
static void
test_cadence_no_swap(void **state)
{
	struct multi m;
	struct cg_sample v;
	struct cg_node n;
	char proc[1100];

	multi_open(&m, 2, v2_files, 3600 * 1000);
	snprintf(proc, sizeof proc, "%s/proc", m.root);
	assert_int_equal(multi_read(&m, &v), 7);
	assert_int_equal(v.swap_current, 4096);
	assert_int_equal(sampler_read_node(m.s, &n), 0);    /* SwapTotal 1024 kB */
	assert_int_equal(multi_read(&m, &v), 4);
	assert_int_equal(v.swap_current, 4096);
	multi_put(proc, "meminfo", "MemTotal: 1000 kB\nSwapTotal: 0 kB\nSwapFree: 0 kB\n");
	assert_int_equal(sampler_read_node(m.s, &n), 0);
	assert_int_equal(multi_read(&m, &v), 3);
	assert_int_equal(v.swap_current, 0);
	multi_put(proc, "meminfo", "MemTotal: 1000 kB\nSwapTotal: 8 kB\nSwapFree: 8 kB\n");
	assert_int_equal(sampler_read_node(m.s, &n), 0);
	assert_int_equal(multi_read(&m, &v), 4);
	assert_int_equal(v.swap_current, 4096);
	multi_close(&m);
}

/* v1 cpu.stat moves only under the cgroup's own quota: without one it is
 * carried, with one (seen at a full read) it is read every tick. */
static void
test_cadence_v1_throttling(void **state)
{
	static const char *const files[] = {
		"cpuacct.usage", "5000\n", "cpu.cfs_quota_us", "-1\n",
		"cpu.cfs_period_us", "100000\n",
		"cpu.stat", "nr_periods 5\nnr_throttled 1\nthrottled_time 3000\n",
		NULL
	};
	struct multi m;
	struct cg_sample v;

	multi_open(&m, 1, files, 3600 * 1000);
	assert_int_equal(multi_read(&m, &v), 4);
	assert_int_equal(v.nr_periods, 5);
	assert_int_equal(v.throttled_us, 3);
	multi_put(m.dir, "cpu.stat", "nr_periods 9\nnr_throttled 2\nthrottled_time 6000\n");
	multi_put(m.dir, "cpuacct.usage", "7000\n");
	assert_int_equal(multi_read(&m, &v), 1);            /* cpuacct.usage only */
	assert_int_equal(v.cpu_usage_us, 7);
	assert_int_equal(v.nr_periods, 5);                  /* carried */
	assert_int_equal(v.throttled_us, 3);
	multi_put(m.dir, "cpu.cfs_quota_us", "50000\n");
	sampler_ct_refresh(m.ct);
	assert_int_equal(multi_read(&m, &v), 4);
	assert_int_equal(v.cpu_quota_us, 50000);
	assert_int_equal(v.nr_periods, 9);                  /* the missed periods land here */
	multi_put(m.dir, "cpu.stat", "nr_periods 12\nnr_throttled 2\nthrottled_time 6000\n");
	assert_int_equal(multi_read(&m, &v), 2);
	assert_int_equal(v.nr_periods, 12);
	multi_close(&m);
}

/* On the real snapshots, a tick's read between two full reads gives the
 * same sample as a full read when nothing changed, from fewer files. */
static void
test_cadence_same_figures(void **state)
{
	static const struct { const char *which; int version; } snaps[] = {
		{ "v1-hybrid", 1 }, { "v2-unified", 2 },
	};

	for (size_t k = 0; k < 2; k++) {
		struct cgfs *fs = open_snapshot(snaps[k].which, snaps[k].version);
		struct sampler *s = sampler_new(fs, 64);
		struct sampler_ct *ct;
		struct cg_sample full, tick;
		uint64_t r0, r1;

		sampler_set_limits_interval(s, 3600 * 1000);
		assert_int_equal(sampler_ct_open(s, "/tenant", &ct), 0);
		assert_int_equal(sampler_ct_read(ct, &full), 0);
		r0 = sampler_reads(s);
		assert_int_equal(sampler_ct_read(ct, &tick), 0);
		r1 = sampler_reads(s) - r0;
		assert_memory_equal(&full, &tick, sizeof full);
		assert_true(r1 < r0);
		assert_true(r1 > 0);
		sampler_ct_close(ct);
		sampler_free(s);
		cgfs_close(fs);
	}
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
		cmocka_unit_test(test_read_u64),
		cmocka_unit_test(test_vanished_container),
		cmocka_unit_test(test_empty_io_stat_is_zero),
		cmocka_unit_test(test_cadence_carries_settings),
		cmocka_unit_test(test_cadence_zero_reads_all),
		cmocka_unit_test(test_cadence_interval_passes),
		cmocka_unit_test(test_cadence_no_swap),
		cmocka_unit_test(test_cadence_v1_throttling),
		cmocka_unit_test(test_cadence_same_figures),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
