/* test_cgparse.c: the cgroupfs and /proc parsers against the real snapshots
 * in $CGOV_FIXTURES (v1-hybrid, v2-unified) and against hostile text. */
#include "config.h"

#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "cgparse.h"

#define NITEMS(a) (sizeof (a) / sizeof (a)[0])
#define MiB(n) ((uint64_t)(n) * 1024 * 1024)

/* Reads $CGOV_FIXTURES/rel into a new NUL-terminated string. */
static char *
fixture_read(const char *rel)
{
	const char *dir = getenv("CGOV_FIXTURES");
	char path[4096], *data;
	size_t len = 0, cap = 4096, n;
	FILE *f;

	if (dir == NULL)
		fail_msg("CGOV_FIXTURES is not set (point it at tests/fixtures/cgroupfs)");
	snprintf(path, sizeof path, "%s/%s", dir, rel);
	if ((f = fopen(path, "r")) == NULL)
		fail_msg("cannot open fixture %s", path);
	data = malloc(cap);
	assert_non_null(data);
	while ((n = fread(data + len, 1, cap - len - 1, f)) > 0) {
		len += n;
		if (len + 1 == cap) {
			cap *= 2;
			data = realloc(data, cap);
			assert_non_null(data);
		}
	}
	fclose(f);
	data[len] = '\0';
	return data;
}

/* ---- single values --------------------------------------------------- */

struct u64_case {
	const char *file;
	uint64_t want;
};

static void
check_u64_files(const struct u64_case *c, size_t n)
{
	uint64_t v;
	char *buf;
	size_t i;

	for (i = 0; i < n; i++) {
		buf = fixture_read(c[i].file);
		v = 0;
		if (cgparse_u64(buf, &v) != 0)
			fail_msg("%s: cgparse_u64 failed on \"%s\"", c[i].file, buf);
		if (v != c[i].want)
			fail_msg("%s: got %llu, want %llu", c[i].file,
			    (unsigned long long)v, (unsigned long long)c[i].want);
		free(buf);
	}
}

static void
test_u64_v1_fixtures(void **state)
{
	static const struct u64_case cases[] = {
		{ "v1-hybrid/tenant/memory.limit_in_bytes", MiB(512) },
		{ "v1-hybrid/tenant/memory.memsw.limit_in_bytes", MiB(576) },
		{ "v1-hybrid/tenant/memory.usage_in_bytes", 217407488 },
		{ "v1-hybrid/tenant/memory.memsw.usage_in_bytes", 217407488 },
		{ "v1-hybrid/tenant/memory.max_usage_in_bytes", 217407488 },
		{ "v1-hybrid/tenant/memory.kmem.usage_in_bytes", 540672 },
		{ "v1-hybrid/tenant/memory.failcnt", 0 },
		{ "v1-hybrid/tenant/memory.swappiness", 60 },
		/* 0x7FFFFFFFFFFFF000: v1's "no limit" */
		{ "v1-hybrid/tenant/memory.soft_limit_in_bytes", CG_UNLIMITED },
		{ "v1-hybrid/tenant/memory.kmem.limit_in_bytes", CG_UNLIMITED },
		{ "v1-hybrid/tenant/memory.kmem.tcp.limit_in_bytes", CG_UNLIMITED },
		{ "v1-hybrid/tenant/cpu.shares", 2048 },
		{ "v1-hybrid/tenant/cpu.cfs_period_us", 100000 },
		{ "v1-hybrid/tenant/cpu.cfs_burst_us", 0 },
		{ "v1-hybrid/tenant/cpu.rt_period_us", 1000000 },
		{ "v1-hybrid/tenant/cpuacct.usage", 1534662501 },
		{ "v1-hybrid/tenant/cpuacct.usage_user", 1236860252 },
		{ "v1-hybrid/tenant/cpuacct.usage_sys", 411899110 },
		{ "v1-hybrid/tenant/pids.max", 1000 },
		{ "v1-hybrid/tenant/pids.current", 1 },
		{ "v1-hybrid/tenant/pids.peak", 6 },
		{ "v1-hybrid/tenant/blkio.bfq.weight", 100 },
	};

	(void)state;
	check_u64_files(cases, NITEMS(cases));
}

static void
test_u64_v2_fixtures(void **state)
{
	static const struct u64_case cases[] = {
		{ "v2-unified/tenant/memory.max", MiB(512) },
		{ "v2-unified/tenant/memory.high", MiB(400) },
		{ "v2-unified/tenant/memory.swap.max", MiB(64) },
		{ "v2-unified/tenant/memory.current", 220549120 },
		{ "v2-unified/tenant/memory.peak", 220778496 },
		{ "v2-unified/tenant/memory.low", 0 },
		{ "v2-unified/tenant/memory.min", 0 },
		{ "v2-unified/tenant/memory.swap.current", 0 },
		{ "v2-unified/tenant/memory.swap.high", CG_UNLIMITED },
		{ "v2-unified/tenant/memory.zswap.max", CG_UNLIMITED },
		{ "v2-unified/tenant/cpu.weight", 200 },
		{ "v2-unified/tenant/cpu.max.burst", 0 },
		{ "v2-unified/tenant/pids.max", 1000 },
		{ "v2-unified/tenant/pids.current", 1 },
		{ "v2-unified/tenant/pids.peak", 2 },
		{ "v2-unified/tenant/cgroup.max.depth", CG_UNLIMITED },
		{ "v2-unified/tenant/cgroup.freeze", 0 },
		{ "v2-unified/root/cgroup.max.descendants", CG_UNLIMITED },
	};

	(void)state;
	check_u64_files(cases, NITEMS(cases));
}

static void
test_u64_hostile(void **state)
{
	static const char *const bad[] = {
		"", "\n", "-1", "-0", "+5", " 5", "5 ", "5\n\n", "5\r\n", "0x10",
		"12abc", "max5", "maxx", "Max", "18446744073709551616",
		"99999999999999999999999999999999", "1 2", "\n5",
	};
	uint64_t v;
	size_t i;
	char *buf;

	(void)state;
	for (i = 0; i < NITEMS(bad); i++) {
		v = 42;
		if (cgparse_u64(bad[i], &v) != -EINVAL)
			fail_msg("cgparse_u64 accepted \"%s\"", bad[i]);
		assert_int_equal(v, CG_UNKNOWN);
	}
	assert_int_equal(cgparse_u64("0", &v), 0);
	assert_int_equal(v, 0);
	assert_int_equal(cgparse_u64("007\n", &v), 0);
	assert_int_equal(v, 7);
	assert_int_equal(cgparse_u64("max", &v), 0);
	assert_int_equal(v, CG_UNLIMITED);
	/* Just under the v1 sentinel is a real value; at it, no limit. */
	assert_int_equal(cgparse_u64("9223372036837998591", &v), 0);
	assert_int_equal(v, CG_V1_UNLIMITED_MIN - 1);
	assert_int_equal(cgparse_u64("9223372036837998592", &v), 0);
	assert_int_equal(v, CG_UNLIMITED);
	/* UINT64_MAX fits, but must not read as CG_UNKNOWN. */
	assert_int_equal(cgparse_u64("18446744073709551615", &v), 0);
	assert_int_equal(v, CG_UNLIMITED);
	/* A signed file read by mistake is refused, not wrapped. */
	buf = fixture_read("v2-unified/tenant/cpu.weight.nice");
	assert_string_equal(buf, "-3\n");
	assert_int_equal(cgparse_u64(buf, &v), -EINVAL);
	free(buf);
	buf = fixture_read("v1-hybrid/tenant/freezer.state");
	assert_int_equal(cgparse_u64(buf, &v), -EINVAL);
	free(buf);
}

static void
test_quota(void **state)
{
	static const char *const bad[] = {
		"", "-2", "-1-1", "--1", "-", "-01", "max", "1.5", "-1 ",
		"18446744073709551616",
	};
	uint64_t v;
	size_t i;
	char *buf;

	(void)state;
	buf = fixture_read("v1-hybrid/tenant/cpu.cfs_quota_us");
	assert_int_equal(cgparse_quota_us(buf, &v), 0);
	assert_int_equal(v, 50000);
	free(buf);
	buf = fixture_read("v1-hybrid/tenant/cpu.rt_runtime_us");
	assert_int_equal(cgparse_quota_us(buf, &v), 0);
	assert_int_equal(v, 0);
	free(buf);
	assert_int_equal(cgparse_quota_us("-1\n", &v), 0);
	assert_int_equal(v, CG_UNLIMITED);
	assert_int_equal(cgparse_quota_us("0\n", &v), 0);
	assert_int_equal(v, 0);
	for (i = 0; i < NITEMS(bad); i++) {
		v = 42;
		if (cgparse_quota_us(bad[i], &v) != -EINVAL)
			fail_msg("cgparse_quota_us accepted \"%s\"", bad[i]);
		assert_int_equal(v, CG_UNKNOWN);
	}
}

static void
test_cpu_max(void **state)
{
	static const char *const bad[] = {
		"", "\n", "max", "50000", "50000 ", " 50000 100000", "50000 100000 1",
		"50000 max", "max max", "50000 0", "-1 100000", "50000 -100000",
		"50000,100000", "18446744073709551616 100000", "50000 100000\n\n",
	};
	uint64_t q, p;
	size_t i;
	char *buf;

	(void)state;
	buf = fixture_read("v2-unified/tenant/cpu.max");
	assert_int_equal(cgparse_cpu_max(buf, &q, &p), 0);
	assert_int_equal(q, 50000);
	assert_int_equal(p, 100000);
	free(buf);
	assert_int_equal(cgparse_cpu_max("max 100000\n", &q, &p), 0);
	assert_int_equal(q, CG_UNLIMITED);
	assert_int_equal(p, 100000);
	assert_int_equal(cgparse_cpu_max("150000\t100000", &q, &p), 0);
	assert_int_equal(q, 150000);
	for (i = 0; i < NITEMS(bad); i++) {
		q = p = 42;
		if (cgparse_cpu_max(bad[i], &q, &p) != -EINVAL)
			fail_msg("cgparse_cpu_max accepted \"%s\"", bad[i]);
		assert_int_equal(q, CG_UNKNOWN);
		assert_int_equal(p, CG_UNKNOWN);
	}
}

/* ---- keyed files ----------------------------------------------------- */

struct keyed_case {
	const char *file;
	const char *keys[8];
	uint64_t want[8];
	int found;
};

static void
check_keyed_files(const struct keyed_case *c, size_t n)
{
	uint64_t got[8];
	size_t i, k, nkeys;
	char *buf;
	int r;

	for (i = 0; i < n; i++) {
		for (nkeys = 0; nkeys < 8 && c[i].keys[nkeys] != NULL; nkeys++)
			;
		buf = fixture_read(c[i].file);
		r = cgparse_keyed(buf, c[i].keys, nkeys, got);
		if (r != c[i].found)
			fail_msg("%s: found %d keys, want %d", c[i].file, r, c[i].found);
		for (k = 0; k < nkeys; k++) {
			if (got[k] != c[i].want[k])
				fail_msg("%s: %s = %llu, want %llu", c[i].file,
				    c[i].keys[k], (unsigned long long)got[k],
				    (unsigned long long)c[i].want[k]);
		}
		free(buf);
	}
}

static void
test_keyed_v1_fixtures(void **state)
{
	static const struct keyed_case cases[] = {
		{ "v1-hybrid/tenant/memory.stat",
		  { "rss", "cache", "swap", "hierarchical_memory_limit",
		    "hierarchical_memsw_limit", "total_rss", "pgfault", "anon" },
		  { 216743936, 4096, 0, MiB(512), MiB(576), 216743936, 62784,
		    CG_UNKNOWN }, 7 },
		{ "v1-hybrid/tenant/memory.oom_control",
		  { "oom_kill_disable", "under_oom", "oom_kill" },
		  { 0, 0, 0 }, 3 },
		{ "v1-hybrid/tenant/cpu.stat",
		  { "nr_periods", "nr_throttled", "throttled_time", "throttled_usec" },
		  { 41, 28, 1375620968, CG_UNKNOWN }, 3 },
		{ "v1-hybrid/tenant/cpu.stat.local",
		  { "throttled_time" }, { 1375620968 }, 1 },
		{ "v1-hybrid/tenant/cpuacct.stat",
		  { "user", "system" }, { 114, 38 }, 2 },
		{ "v1-hybrid/tenant/pids.events", { "max" }, { 0 }, 1 },
	};

	(void)state;
	check_keyed_files(cases, NITEMS(cases));
}

static void
test_keyed_v2_fixtures(void **state)
{
	static const struct keyed_case cases[] = {
		{ "v2-unified/tenant/memory.stat",
		  { "anon", "file", "kernel", "shmem", "file_dirty", "pgmajfault",
		    "slab", "rss" },
		  { 218173440, 1245184, 659456, 0, 28672, 1, 148088, CG_UNKNOWN },
		  7 },
		{ "v2-unified/root/memory.stat",
		  { "anon", "file", "pgfault" },
		  { 220372992, 983937024, 196588 }, 3 },
		{ "v2-unified/tenant/cpu.stat",
		  { "usage_usec", "user_usec", "system_usec", "nr_periods",
		    "nr_throttled", "throttled_usec" },
		  { 1456505, 1314777, 141728, 40, 27, 1338976 }, 6 },
		{ "v2-unified/root/cpu.stat",
		  { "usage_usec", "nr_throttled" }, { 7744122, 0 }, 2 },
		{ "v2-unified/tenant/memory.events",
		  { "low", "high", "max", "oom", "oom_kill", "oom_group_kill" },
		  { 0, 0, 0, 0, 0, 0 }, 6 },
		{ "v2-unified/tenant/memory.swap.events",
		  { "high", "max", "fail" }, { 0, 0, 0 }, 3 },
		{ "v2-unified/tenant/pids.events", { "max" }, { 0 }, 1 },
		{ "v2-unified/tenant/cgroup.events",
		  { "populated", "frozen" }, { 1, 0 }, 2 },
		{ "v2-unified/root/cgroup.stat",
		  { "nr_descendants", "nr_dying_descendants", "nr_subsys_memory" },
		  { 5, 12, 6 }, 3 },
	};

	(void)state;
	check_keyed_files(cases, NITEMS(cases));
}

static void
test_keyed_hostile(void **state)
{
	static const char *const keys[] = { "a", "b", "c" };
	uint64_t v[3];
	char *buf;

	(void)state;
	/* Truncated mid-key, no trailing newline: the rest is still read. */
	assert_int_equal(cgparse_keyed("a 1\nb 2\nc", keys, 3, v), 2);
	assert_int_equal(v[0], 1);
	assert_int_equal(v[1], 2);
	assert_int_equal(v[2], CG_UNKNOWN);
	/* Overflow spoils just that key. */
	assert_int_equal(cgparse_keyed("a 18446744073709551616\nb 2\nc 3\n",
	    keys, 3, v), 2);
	assert_int_equal(v[0], CG_UNKNOWN);
	assert_int_equal(v[1], 2);
	assert_int_equal(v[2], 3);
	/* Garbage, negatives, keys without values and extra fields are
	 * skipped; "max" and the v1 sentinel mean no limit. */
	assert_int_equal(cgparse_keyed("junk\n\n  \na -5\nb\nb 1 2\nc max\nb 9223372036854771712\n",
	    keys, 3, v), 2);
	assert_int_equal(v[0], CG_UNKNOWN);
	assert_int_equal(v[1], CG_UNLIMITED);
	assert_int_equal(v[2], CG_UNLIMITED);
	/* Prefixes do not match, the first occurrence wins, and tabs or
	 * trailing blanks are fine. */
	assert_int_equal(cgparse_keyed("aa 1\na\t7  \na 8\n", keys, 3, v), 1);
	assert_int_equal(v[0], 7);
	/* No line of the form at all. */
	v[0] = 0;
	assert_int_equal(cgparse_keyed("", keys, 3, v), -EINVAL);
	assert_int_equal(v[0], CG_UNKNOWN);
	assert_int_equal(cgparse_keyed("\n\n", keys, 3, v), -EINVAL);
	assert_int_equal(cgparse_keyed("a\nb\n", keys, 3, v), -EINVAL);
	assert_int_equal(cgparse_keyed("a b\n", keys, 3, v), -EINVAL);
	/* A well-formed file with none of the keys is not an error. */
	assert_int_equal(cgparse_keyed("x 1\n", keys, 3, v), 0);
	assert_int_equal(v[1], CG_UNKNOWN);
	/* memory.numa_stat is not a flat keyed file. */
	buf = fixture_read("v2-unified/tenant/memory.numa_stat");
	assert_int_equal(cgparse_keyed(buf, keys, 3, v), -EINVAL);
	free(buf);
}

/* ---- block I/O ------------------------------------------------------- */

static void
test_io_stat_fixtures(void **state)
{
	struct cg_io io;
	char *buf;

	(void)state;
	buf = fixture_read("v2-unified/tenant/io.stat");
	assert_int_equal(cgparse_io_stat(buf, &io), 0);
	assert_int_equal(io.rbytes, 64155648);
	assert_int_equal(io.wbytes, MiB(60));
	assert_int_equal(io.rios, 172);
	assert_int_equal(io.wios, 60);
	free(buf);
	/* The root lists idle devices bare ("253:0 ") and sums two disks. */
	buf = fixture_read("v2-unified/root/io.stat");
	assert_int_equal(cgparse_io_stat(buf, &io), 0);
	assert_int_equal(io.rbytes, 127950848ULL + 723100672ULL);
	assert_int_equal(io.wbytes, 63168512);
	assert_int_equal(io.rios, 2305 + 2973);
	assert_int_equal(io.wios, 96);
	free(buf);
}

static void
test_io_stat_hostile(void **state)
{
	static const char *const bad[] = {
		"garbage\n", "254:0 rbytes\n", "254:0 rbytes=\n", "254:0 rbytes=-1\n",
		"254:0 rbytes=12x\n", "254 rbytes=1\n", ":0 rbytes=1\n",
		"254:0 =5\n", "8:0 rbytes=1\nnope\n", "254:x wbytes=1\n",
	};
	struct cg_io io;
	size_t i;

	(void)state;
	assert_int_equal(cgparse_io_stat("", &io), 0);
	assert_int_equal(io.rbytes, 0);
	assert_int_equal(io.wios, 0);
	/* Unknown keys (blk-iolatency's depth=max) are skipped unread. */
	assert_int_equal(cgparse_io_stat("8:0 rbytes=10 depth=max avg_lat=1.5 wios=2\n"
	    "8:16 rbytes=5", &io), 0);
	assert_int_equal(io.rbytes, 15);
	assert_int_equal(io.wios, 2);
	assert_int_equal(io.wbytes, 0);
	/* An overflowing value or sum makes that field unknown only. */
	assert_int_equal(cgparse_io_stat("8:0 rbytes=18446744073709551616 wbytes=1\n",
	    &io), 0);
	assert_int_equal(io.rbytes, CG_UNKNOWN);
	assert_int_equal(io.wbytes, 1);
	assert_int_equal(cgparse_io_stat("8:0 rios=18446744073709551000\n"
	    "8:1 rios=1000\n8:2 rios=1\n", &io), 0);
	assert_int_equal(io.rios, CG_UNKNOWN);
	for (i = 0; i < NITEMS(bad); i++) {
		io.rbytes = io.wbytes = 0;
		if (cgparse_io_stat(bad[i], &io) != -EINVAL)
			fail_msg("cgparse_io_stat accepted \"%s\"", bad[i]);
		assert_int_equal(io.rbytes, CG_UNKNOWN);
		assert_int_equal(io.wbytes, CG_UNKNOWN);
		assert_int_equal(io.rios, CG_UNKNOWN);
		assert_int_equal(io.wios, CG_UNKNOWN);
	}
}

static void
test_blkio_fixtures(void **state)
{
	static const struct {
		const char *file;
		uint64_t read, write;
	} cases[] = {
		{ "v1-hybrid/tenant/blkio.throttle.io_service_bytes", MiB(60), MiB(60) },
		{ "v1-hybrid/tenant/blkio.throttle.io_service_bytes_recursive",
		  MiB(60), MiB(60) },
		{ "v1-hybrid/tenant/blkio.throttle.io_serviced", 120, 120 },
		{ "v1-hybrid/tenant/blkio.throttle.io_serviced_recursive", 120, 120 },
		{ "v1-hybrid/tenant/blkio.bfq.io_service_bytes", 0, 0 },
		{ "v1-hybrid/tenant/blkio.bfq.io_serviced", 0, 0 },
	};
	uint64_t r, w;
	size_t i;
	char *buf;

	(void)state;
	for (i = 0; i < NITEMS(cases); i++) {
		buf = fixture_read(cases[i].file);
		r = w = 42;
		if (cgparse_blkio(buf, &r, &w) != 0)
			fail_msg("%s: cgparse_blkio failed", cases[i].file);
		if (r != cases[i].read || w != cases[i].write)
			fail_msg("%s: read %llu write %llu", cases[i].file,
			    (unsigned long long)r, (unsigned long long)w);
		free(buf);
	}
}

static void
test_blkio_hostile(void **state)
{
	static const char *const bad[] = {
		"Total\n", "Total x\n", "Total 1 2\n", "254:0 Read\n", "254:0 Read -1\n",
		"254:0 Read 1 2\n", "Read 5\n", "254:0\n", "254:0 Read 5x\n",
		"8:0 Read 1\n8:0 Write\n",
	};
	uint64_t r, w;
	size_t i;

	(void)state;
	assert_int_equal(cgparse_blkio("", &r, &w), 0);
	assert_int_equal(r, 0);
	assert_int_equal(w, 0);
	/* Two devices, no trailing newline, Total ignored. */
	assert_int_equal(cgparse_blkio("8:0 Read 10\n8:0 Write 3\n8:16 Read 5\n"
	    "8:16 Write 4\n8:16 Total 22\nTotal 999", &r, &w), 0);
	assert_int_equal(r, 15);
	assert_int_equal(w, 7);
	assert_int_equal(cgparse_blkio("8:0 Read 18446744073709551616\n8:0 Write 3\n",
	    &r, &w), 0);
	assert_int_equal(r, CG_UNKNOWN);
	assert_int_equal(w, 3);
	for (i = 0; i < NITEMS(bad); i++) {
		r = w = 0;
		if (cgparse_blkio(bad[i], &r, &w) != -EINVAL)
			fail_msg("cgparse_blkio accepted \"%s\"", bad[i]);
		assert_int_equal(r, CG_UNKNOWN);
		assert_int_equal(w, CG_UNKNOWN);
	}
}

/* ---- pressure -------------------------------------------------------- */

struct psi_case {
	const char *file;
	uint32_t s10, s60, s300;
	uint64_t stotal;
	uint32_t f10, f60, f300;
	uint64_t ftotal;
};

static void
test_psi_fixtures(void **state)
{
	static const struct psi_case cases[] = {
		{ "v1-hybrid/proc-pressure-cpu", 1604, 1037, 342, 19211812, 0, 0, 0, 0 },
		{ "v1-hybrid/proc-pressure-io", 205, 146, 46, 3612817,
		  201, 142, 44, 3396917 },
		{ "v1-hybrid/proc-pressure-memory", 0, 0, 0, 0, 0, 0, 0, 0 },
		{ "v2-unified/proc-pressure-cpu", 58, 56, 14, 935113, 0, 0, 0, 0 },
		{ "v2-unified/proc-pressure-io", 517, 102, 21, 700579,
		  517, 102, 21, 696199 },
		{ "v2-unified/proc-pressure-memory", 0, 0, 0, 0, 0, 0, 0, 0 },
		{ "v2-unified/tenant/cpu.pressure", 991, 182, 38, 1157918,
		  991, 182, 38, 1157918 },
		{ "v2-unified/tenant/io.pressure", 430, 91, 19, 606932,
		  430, 91, 19, 606932 },
		{ "v2-unified/tenant/memory.pressure", 0, 0, 0, 0, 0, 0, 0, 0 },
		{ "v2-unified/root/cpu.pressure", 329, 104, 25, 2075040, 0, 0, 0, 0 },
		{ "v2-unified/root/io.pressure", 849, 194, 42, 1328998,
		  849, 194, 42, 1324226 },
	};
	const struct psi_case *c;
	struct cg_psi psi;
	size_t i;
	char *buf;

	(void)state;
	for (i = 0; i < NITEMS(cases); i++) {
		c = &cases[i];
		buf = fixture_read(c->file);
		if (cgparse_psi(buf, &psi) != 0)
			fail_msg("%s: cgparse_psi failed", c->file);
		if (psi.some.avg10 != c->s10 || psi.some.avg60 != c->s60 ||
		    psi.some.avg300 != c->s300 || psi.some.total_us != c->stotal ||
		    psi.full.avg10 != c->f10 || psi.full.avg60 != c->f60 ||
		    psi.full.avg300 != c->f300 || psi.full.total_us != c->ftotal)
			fail_msg("%s: some %u %u %u %llu full %u %u %u %llu", c->file,
			    psi.some.avg10, psi.some.avg60, psi.some.avg300,
			    (unsigned long long)psi.some.total_us, psi.full.avg10,
			    psi.full.avg60, psi.full.avg300,
			    (unsigned long long)psi.full.total_us);
		free(buf);
	}
}

static void
test_psi_hostile(void **state)
{
	static const char *const bad[] = {
		"", "\n", "garbage\n", "full avg10=0.00 avg60=0.00 avg300=0.00 total=0\n",
		"some avg10=1.00 avg60=1.00 avg300=1.00\n",
		"some avg10=1.00 avg60=1.00 avg300=1.00 total=\n",
		"some avg10=1.00 avg60=1.00 avg300=1.00 total=-1\n",
		"some avg10=-1.00 avg60=1.00 avg300=1.00 total=1\n",
		"some avg10=1. avg60=1.00 avg300=1.00 total=1\n",
		"some avg10=.5 avg60=1.00 avg300=1.00 total=1\n",
		"some avg10=1.0x avg60=1.00 avg300=1.00 total=1\n",
		"some avg10=99999999999.00 avg60=1.00 avg300=1.00 total=1\n",
		"some avg10 avg60=1.00 avg300=1.00 total=1\n",
		"some avg10=1.00 avg60=1.00 avg300=1.00 total=1\nfull avg10=1.00",
	};
	struct cg_psi psi;
	size_t i;

	(void)state;
	/* cpu on kernels before 5.13 has no "full" line. */
	assert_int_equal(cgparse_psi("some avg10=1.23 avg60=0.5 avg300=100.00 total=77",
	    &psi), 0);
	assert_int_equal(psi.some.avg10, 123);
	assert_int_equal(psi.some.avg60, 50);
	assert_int_equal(psi.some.avg300, 10000);
	assert_int_equal(psi.some.total_us, 77);
	assert_int_equal(psi.full.total_us, CG_UNKNOWN);
	/* Keys in any order, unknown keys and lines skipped, extra decimals cut. */
	assert_int_equal(cgparse_psi("new 1 2 3\nsome total=5 avg300=0.019 avg60=2 "
	    "avg10=3.456 extra=x\n", &psi), 0);
	assert_int_equal(psi.some.avg10, 345);
	assert_int_equal(psi.some.avg60, 200);
	assert_int_equal(psi.some.avg300, 1);
	assert_int_equal(psi.some.total_us, 5);
	/* An overflowing total is unknown, the averages still read. */
	assert_int_equal(cgparse_psi("some avg10=1.00 avg60=1.00 avg300=1.00 "
	    "total=99999999999999999999\n", &psi), 0);
	assert_int_equal(psi.some.total_us, CG_UNKNOWN);
	assert_int_equal(psi.some.avg10, 100);
	for (i = 0; i < NITEMS(bad); i++) {
		memset(&psi, 0x5a, sizeof psi);
		if (cgparse_psi(bad[i], &psi) != -EINVAL)
			fail_msg("cgparse_psi accepted \"%s\"", bad[i]);
		assert_int_equal(psi.some.total_us, CG_UNKNOWN);
		assert_int_equal(psi.full.total_us, CG_UNKNOWN);
		assert_int_equal(psi.some.avg10, 0);
		assert_int_equal(psi.full.avg300, 0);
	}
}

/* ---- /proc ----------------------------------------------------------- */

static void
test_meminfo_fixtures(void **state)
{
	struct cg_meminfo mi;
	char *buf;

	(void)state;
	buf = fixture_read("v1-hybrid/proc-meminfo");
	assert_int_equal(cgparse_meminfo(buf, &mi), 0);
	assert_int_equal(mi.mem_total, 24684096ULL * 1024);
	assert_int_equal(mi.mem_available, 24441248ULL * 1024);
	assert_int_equal(mi.swap_total, 0);
	assert_int_equal(mi.swap_free, 0);
	free(buf);
	buf = fixture_read("v2-unified/proc-meminfo");
	assert_int_equal(cgparse_meminfo(buf, &mi), 0);
	assert_int_equal(mi.mem_total, 131981020ULL * 1024);
	assert_int_equal(mi.mem_available, 131495776ULL * 1024);
	assert_int_equal(mi.swap_total, 0);
	assert_int_equal(mi.swap_free, 0);
	free(buf);
}

static void
test_meminfo_hostile(void **state)
{
	struct cg_meminfo mi;

	(void)state;
	/* Kernels before 3.14 have no MemAvailable; truncated last line. */
	assert_int_equal(cgparse_meminfo("MemTotal:  1000 kB\nSwapTotal: 2 kB\nSwapFr",
	    &mi), 0);
	assert_int_equal(mi.mem_total, 1024000);
	assert_int_equal(mi.mem_available, CG_UNKNOWN);
	assert_int_equal(mi.swap_total, 2048);
	assert_int_equal(mi.swap_free, CG_UNKNOWN);
	/* No unit, a wrong unit, a negative or huge value: unknown. */
	assert_int_equal(cgparse_meminfo("MemTotal: 1000\nMemAvailable: 5 MB\n"
	    "SwapTotal: -1 kB\nSwapFree: 99999999999999999999 kB\nHugePages_Total: 0\n",
	    &mi), 0);
	assert_int_equal(mi.mem_total, CG_UNKNOWN);
	assert_int_equal(mi.mem_available, CG_UNKNOWN);
	assert_int_equal(mi.swap_total, CG_UNKNOWN);
	assert_int_equal(mi.swap_free, CG_UNKNOWN);
	/* A value that overflows once turned into bytes. */
	assert_int_equal(cgparse_meminfo("MemTotal: 18014398509481984 kB\n", &mi), 0);
	assert_int_equal(mi.mem_total, CG_UNKNOWN);
	/* Prefixed keys do not match, the first occurrence wins. */
	assert_int_equal(cgparse_meminfo("MemTotalX: 1 kB\nMemTotal: 2 kB\n"
	    "MemTotal: 3 kB\n", &mi), 0);
	assert_int_equal(mi.mem_total, 2048);
	assert_int_equal(cgparse_meminfo("", &mi), -EINVAL);
	assert_int_equal(cgparse_meminfo("garbage\n:\nMemTotal:\n", &mi), -EINVAL);
	assert_int_equal(mi.mem_total, CG_UNKNOWN);
}

static void
test_proc_stat_fixtures(void **state)
{
	struct cg_cpustat cs;
	char *buf;

	(void)state;
	/* cpu  5352 0 3923 158188 426 0 59 635 0 0 */
	buf = fixture_read("v1-hybrid/proc-stat");
	assert_int_equal(cgparse_proc_stat(buf, &cs), 0);
	assert_int_equal(cs.busy, 5352 + 0 + 3923 + 0 + 59 + 635);
	assert_int_equal(cs.total, 5352 + 0 + 3923 + 0 + 59 + 635 + 158188 + 426);
	assert_int_equal(cs.ncpu, 2);
	free(buf);
	/* cpu  69 0 505 36838 132 0 22 129 0 0 */
	buf = fixture_read("v2-unified/proc-stat");
	assert_int_equal(cgparse_proc_stat(buf, &cs), 0);
	assert_int_equal(cs.busy, 69 + 505 + 22 + 129);
	assert_int_equal(cs.total, 69 + 505 + 22 + 129 + 36838 + 132);
	assert_int_equal(cs.ncpu, 16);
	free(buf);
}

static void
test_proc_stat_hostile(void **state)
{
	static const char *const bad[] = {
		"", "intr 1 2 3\n", "cpu\n", "cpu 1 2 3\n", "cpu 1 2 3 x\n",
		"cpu 1 2 3 -4\n", "cpu 1 2 3 18446744073709551616\n",
		"cpu 18446744073709551000 0 18446744073709551000 0\n", "cpu0 1 2 3 4\n",
	};
	struct cg_cpustat cs;
	size_t i;

	(void)state;
	/* Four fields (2.4 kernels), guest and extra fields ignored. */
	assert_int_equal(cgparse_proc_stat("cpu 1 2 3 4\ncpu0 1 2 3 4\n", &cs), 0);
	assert_int_equal(cs.busy, 6);
	assert_int_equal(cs.total, 10);
	assert_int_equal(cs.ncpu, 1);
	assert_int_equal(cgparse_proc_stat("cpu  1 0 0 1 0 0 0 0 500 500 7 8\n"
	    "cpux 1\ncpu\ncpu7 1\ncpu12 1", &cs), 0);
	assert_int_equal(cs.busy, 1);
	assert_int_equal(cs.total, 2);
	assert_int_equal(cs.ncpu, 2);
	for (i = 0; i < NITEMS(bad); i++) {
		cs.busy = cs.total = 0;
		if (cgparse_proc_stat(bad[i], &cs) != -EINVAL)
			fail_msg("cgparse_proc_stat accepted \"%s\"", bad[i]);
		assert_int_equal(cs.busy, CG_UNKNOWN);
		assert_int_equal(cs.total, CG_UNKNOWN);
	}
}

static void
test_loadavg(void **state)
{
	static const char *const bad[] = {
		"", "\n", "0.03 0.04", "0.03 0.04\n0.03", "0.03,0.04,0.03", "a b c",
		"-1.00 0.00 0.00", "0.03 0.04 0.03x 1/2", "99999999.00 0 0",
		" 0.03 0.04 0.03",
	};
	uint32_t l1, l5, l15;
	size_t i;
	char *buf;

	(void)state;
	buf = fixture_read("v1-hybrid/proc-loadavg");
	assert_int_equal(cgparse_loadavg(buf, &l1, &l5, &l15), 0);
	assert_int_equal(l1, 3);
	assert_int_equal(l5, 4);
	assert_int_equal(l15, 3);
	free(buf);
	buf = fixture_read("v2-unified/proc-loadavg");
	assert_int_equal(cgparse_loadavg(buf, &l1, &l5, &l15), 0);
	assert_int_equal(l1, 8);
	assert_int_equal(l5, 2);
	assert_int_equal(l15, 1);
	free(buf);
	assert_int_equal(cgparse_loadavg("12.57 3.00 1000.99", &l1, &l5, &l15), 0);
	assert_int_equal(l1, 1257);
	assert_int_equal(l5, 300);
	assert_int_equal(l15, 100099);
	for (i = 0; i < NITEMS(bad); i++) {
		l1 = l5 = l15 = 42;
		if (cgparse_loadavg(bad[i], &l1, &l5, &l15) != -EINVAL)
			fail_msg("cgparse_loadavg accepted \"%s\"", bad[i]);
		assert_int_equal(l1, 0);
		assert_int_equal(l15, 0);
	}
}

static void
test_proc_cgroup_fixtures(void **state)
{
	char path[256], *buf;

	(void)state;
	buf = fixture_read("v1-hybrid/proc-self-cgroup");
	assert_int_equal(cgparse_proc_cgroup(buf, "memory", path, sizeof path), 0);
	assert_string_equal(path, "/lxc.payload.web1");
	assert_int_equal(cgparse_proc_cgroup(buf, "cpu", path, sizeof path), 0);
	assert_string_equal(path, "/");
	assert_int_equal(cgparse_proc_cgroup(buf, "pids", path, sizeof path), 0);
	assert_string_equal(path, "/");
	assert_int_equal(cgparse_proc_cgroup(buf, "name=systemd", path, sizeof path), 0);
	assert_string_equal(path, "/");
	/* The empty v2 mount of a hybrid host. */
	assert_int_equal(cgparse_proc_cgroup(buf, NULL, path, sizeof path), 0);
	assert_string_equal(path, "/");
	assert_int_equal(cgparse_proc_cgroup(buf, "hugetlb", path, sizeof path),
	    -ENOENT);
	assert_string_equal(path, "");
	assert_int_equal(cgparse_proc_cgroup(buf, "mem", path, sizeof path), -ENOENT);
	/* Exactly fits, one byte short. */
	assert_int_equal(cgparse_proc_cgroup(buf, "memory", path, 18), 0);
	assert_int_equal(cgparse_proc_cgroup(buf, "memory", path, 17), -ENAMETOOLONG);
	free(buf);

	buf = fixture_read("v2-unified/proc-self-cgroup");
	assert_int_equal(cgparse_proc_cgroup(buf, "", path, sizeof path), 0);
	assert_string_equal(path, "/lxc.payload.web1");
	assert_int_equal(cgparse_proc_cgroup(buf, NULL, path, sizeof path), 0);
	assert_string_equal(path, "/lxc.payload.web1");
	assert_int_equal(cgparse_proc_cgroup(buf, "memory", path, sizeof path),
	    -ENOENT);
	free(buf);
}

static void
test_proc_cgroup_hostile(void **state)
{
	static const char *const bad[] = {
		"garbage\n", "0:/x\n", "x::/x\n", "-1::/x\n", ":memory:/x\n",
		"0::\n", "0::relative\n", "1:cpu:/\n0:", "18446744073709551616::/\n",
	};
	char path[64];
	size_t i;

	(void)state;
	/* Co-mounted controllers, a path holding ':', no trailing newline. */
	assert_int_equal(cgparse_proc_cgroup("3:cpu,cpuacct:/a:b\n0::/u", "cpuacct",
	    path, sizeof path), 0);
	assert_string_equal(path, "/a:b");
	assert_int_equal(cgparse_proc_cgroup("3:cpu,cpuacct:/a:b\n0::/u", "cpu",
	    path, sizeof path), 0);
	assert_string_equal(path, "/a:b");
	assert_int_equal(cgparse_proc_cgroup("3:cpu,cpuacct:/a:b\n0::/u", "", path,
	    sizeof path), 0);
	assert_string_equal(path, "/u");
	/* A v1 line with an empty controller list is not the v2 entry. */
	assert_int_equal(cgparse_proc_cgroup("5::/v1\n", NULL, path, sizeof path),
	    -ENOENT);
	assert_int_equal(cgparse_proc_cgroup("0:memory:/v1\n", NULL, path, sizeof path),
	    -ENOENT);
	assert_int_equal(cgparse_proc_cgroup("", "memory", path, sizeof path), -ENOENT);
	assert_int_equal(cgparse_proc_cgroup("0::/x", NULL, path, 0), -ENAMETOOLONG);
	for (i = 0; i < NITEMS(bad); i++) {
		strcpy(path, "stale");
		if (cgparse_proc_cgroup(bad[i], NULL, path, sizeof path) != -EINVAL)
			fail_msg("cgparse_proc_cgroup accepted \"%s\"", bad[i]);
		assert_string_equal(path, "");
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_u64_v1_fixtures),
		cmocka_unit_test(test_u64_v2_fixtures),
		cmocka_unit_test(test_u64_hostile),
		cmocka_unit_test(test_quota),
		cmocka_unit_test(test_cpu_max),
		cmocka_unit_test(test_keyed_v1_fixtures),
		cmocka_unit_test(test_keyed_v2_fixtures),
		cmocka_unit_test(test_keyed_hostile),
		cmocka_unit_test(test_io_stat_fixtures),
		cmocka_unit_test(test_io_stat_hostile),
		cmocka_unit_test(test_blkio_fixtures),
		cmocka_unit_test(test_blkio_hostile),
		cmocka_unit_test(test_psi_fixtures),
		cmocka_unit_test(test_psi_hostile),
		cmocka_unit_test(test_meminfo_fixtures),
		cmocka_unit_test(test_meminfo_hostile),
		cmocka_unit_test(test_proc_stat_fixtures),
		cmocka_unit_test(test_proc_stat_hostile),
		cmocka_unit_test(test_loadavg),
		cmocka_unit_test(test_proc_cgroup_fixtures),
		cmocka_unit_test(test_proc_cgroup_hostile),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
