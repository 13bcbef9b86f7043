/* Unit tests: pressure.* derived on cgroup v1 (v1press.c, cgparse_schedstat).
 *
 * The arithmetic on synthetic schedstat streams (threads that come, go and
 * reuse ids), then the whole derivation on a fake v1 tree with its own
 * /proc: a container with a sub-cgroup, memory.stat refaults, and the
 * blkio wait file present or not. */
#include "config.h"

#include <errno.h>
#include <ftw.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cmocka.h>

#include "cgfs.h"
#include "cgparse.h"
#include "sampler.h"
#include "v1press.h"

static void
test_schedstat_parse(void **state)
{
	uint64_t w;

	(void)state;
	assert_int_equal(cgparse_schedstat("1893481 20967539 2\n", &w), 0);
	assert_int_equal(w, 20967539);
	assert_int_equal(cgparse_schedstat("0 0 0", &w), 0);
	assert_int_equal(w, 0);
	assert_int_equal(cgparse_schedstat("18446744073709551615 7 1\n", &w), 0);
	assert_int_equal(w, 7);
	/* Two fields, four, words, signs, overflow, empty: refused, unknown. */
	assert_int_equal(cgparse_schedstat("1 2\n", &w), -EINVAL);
	assert_int_equal(w, CG_UNKNOWN);
	assert_int_equal(cgparse_schedstat("1 2 3 4\n", &w), -EINVAL);
	assert_int_equal(cgparse_schedstat("1 two 3\n", &w), -EINVAL);
	assert_int_equal(cgparse_schedstat("1 -2 3\n", &w), -EINVAL);
	assert_int_equal(cgparse_schedstat("1 18446744073709551616 3\n", &w), -EINVAL);
	assert_int_equal(cgparse_schedstat("", &w), -EINVAL);
	assert_int_equal(cgparse_schedstat("1 2 3\n\n", &w), -EINVAL);
}

/* Threads present in both reads count; born, exited and reused ids do
 * not make the sum jump or go negative. */
static void
test_wait_delta(void **state)
{
	const struct v1press_task prev[] = {
		{ 1, 100 }, { 2, 200 }, { 5, 5000 }, { 9, 10 },
	};
	const struct v1press_task cur[] = {
		{ 1, 150 },             /* +50 */
		{ 3, 1000000 },         /* born: its whole life is not this interval's */
		{ 5, 40 },              /* id reused: went backwards, counts 0 */
		{ 9, 10 },              /* idle */
		/* 2 exited: nothing subtracted */
	};

	(void)state;
	assert_int_equal(v1press_wait_delta(prev, 4, cur, 4), 50);
	assert_int_equal(v1press_wait_delta(NULL, 0, cur, 4), 0);
	assert_int_equal(v1press_wait_delta(prev, 4, NULL, 0), 0);
	assert_int_equal(v1press_wait_delta(prev, 4, prev, 4), 0);
	/* A stream of three reads: each step is the change of the survivors. */
	{
		const struct v1press_task a[] = { { 10, 0 }, { 11, 0 } };
		const struct v1press_task b[] = { { 10, 300 }, { 11, 100 }, { 12, 900 } };
		const struct v1press_task c[] = { { 11, 150 }, { 12, 1000 } };

		assert_int_equal(v1press_wait_delta(a, 2, b, 3), 400);
		assert_int_equal(v1press_wait_delta(b, 3, c, 2), 150);
	}
}

static void
test_level_decay(void **state)
{
	(void)state;
	assert_float_equal(v1press_level_at(40, 1000, 1000), 40, 1e-9);
	assert_float_equal(v1press_level_at(40, 1000, 6000), 20, 1e-9);
	assert_float_equal(v1press_level_at(90, 0, 9000), 9, 1e-9);
	assert_float_equal(v1press_level_at(90, 0, V1PRESS_LEVEL_DECAY_MS), 0, 1e-9);
	assert_float_equal(v1press_level_at(90, 0, 60000), 0, 1e-9);
	assert_float_equal(v1press_level_at(0, 0, 0), 0, 1e-9);
	/* A clock that stepped back reads as "just now", not above the level. */
	assert_float_equal(v1press_level_at(10, 5000, 4000), 10, 1e-9);
}

static void
test_mem_stall(void **state)
{
	(void)state;
	assert_int_equal(v1press_mem_stall_us(40, 0, 1000000), 400000);
	assert_int_equal(v1press_mem_stall_us(0, 1000, 1000000), 1000 * V1PRESS_FAULT_US);
	/* The larger of the two, never more than the interval. */
	assert_int_equal(v1press_mem_stall_us(10, 2000, 1000000), 2000 * V1PRESS_FAULT_US);
	assert_int_equal(v1press_mem_stall_us(90, 1, 1000000), 900000);
	assert_int_equal(v1press_mem_stall_us(0, UINT64_MAX / 2, 1000000), 1000000);
	assert_int_equal(v1press_mem_stall_us(100, 0, 1000000), 1000000);
	assert_int_equal(v1press_mem_stall_us(90, 5, 0), 0);
}

/* --- a fake v1 tree with its own /proc ------------------------------------ */

struct tree {
	char root[32];
	struct cgfs *fs;
};

static void
put(const struct tree *t, const char *rel, const char *content)
{
	char p[512];
	FILE *fp;

	snprintf(p, sizeof p, "%s/%s", t->root, rel);
	assert_non_null(fp = fopen(p, "w"));
	fputs(content, fp);
	fclose(fp);
}

static void
mk(const struct tree *t, const char *rel)
{
	char p[512];

	snprintf(p, sizeof p, "%s/%s", t->root, rel);
	assert_int_equal(mkdir(p, 0755), 0);
}

static void
task(const struct tree *t, int tid, uint64_t wait_ns)
{
	char rel[64], content[96];

	snprintf(rel, sizeof rel, "proc/%d", tid);
	(void)mkdir((snprintf(content, sizeof content, "%s/%s", t->root, rel), content), 0755);
	snprintf(rel, sizeof rel, "proc/%d/schedstat", tid);
	snprintf(content, sizeof content, "123 %llu 4\n", (unsigned long long)wait_ns);
	put(t, rel, content);
}

static void
untask(const struct tree *t, int tid)
{
	char p[512];

	snprintf(p, sizeof p, "%s/proc/%d/schedstat", t->root, tid);
	assert_int_equal(unlink(p), 0);
}

static void
tree_open(struct tree *t, int with_io)
{
	char proc[64];

	strcpy(t->root, "/tmp/cgov-v1p-XXXXXX");
	assert_non_null(mkdtemp(t->root));
	mk(t, "proc");
	mk(t, "t");
	mk(t, "t/sub");
	put(t, "t/tasks", "10\n20\n");
	put(t, "t/cgroup.procs", "10\n");
	put(t, "t/sub/tasks", "30\n");
	put(t, "t/sub/cgroup.procs", "30\n");
	put(t, "t/memory.stat", "cache 0\ntotal_workingset_refault_anon 5\n"
	    "total_workingset_refault_file 5\ntotal_pgmajfault 99\n");
	if (with_io)
		put(t, "t/blkio.io_wait_time_recursive", "8:0 Read 0\n8:0 Write 0\n"
		    "8:0 Sync 0\n8:0 Async 0\n8:0 Total 0\nTotal 0\n");
	task(t, 10, 1000000);
	task(t, 20, 2000000);
	task(t, 30, 0);
	snprintf(proc, sizeof proc, "%s/proc", t->root);
	assert_int_equal(cgfs_open_root(t->root, 1, proc, 0, &t->fs), 0);
}

static int
tree_rm_one(const char *p, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	return remove(p);
}

static void
tree_close(struct tree *t)
{
	cgfs_close(t->fs);
	assert_int_equal(nftw(t->root, tree_rm_one, 16, FTW_DEPTH | FTW_PHYS), 0);
}

static char buf[65536];

static void
test_read_tree(void **state)
{
	struct tree t;
	struct v1press *p;
	uint64_t cpu, mem, io;

	(void)state;
	tree_open(&t, 1);
	p = v1press_open(t.fs, "/t", 1);
	/* A plain directory has no cgroup.event_control: no eventfds held. */
	assert_int_equal(v1press_fds(p), 0);
	v1press_read(p, 1000, 0, buf, sizeof buf, &cpu, &mem, &io);
	assert_int_equal(cpu, 0);               /* the first read: the start */
	assert_int_equal(mem, 0);
	assert_int_equal(io, 0);

	/* One second: 10 waited 300 ms, 30 (in the sub-cgroup) 200 ms, 20
	 * exited, 40 was born with 5 s of wait behind it. */
	task(&t, 10, 301000000);
	task(&t, 30, 200000000);
	untask(&t, 20);
	task(&t, 40, 5000000000ULL);
	put(&t, "t/tasks", "10\n20\n40\n");
	put(&t, "t/memory.stat", "total_workingset_refault_anon 505\n"
	    "total_workingset_refault_file 1005\ntotal_pgmajfault 99\n");
	put(&t, "t/blkio.io_wait_time_recursive", "8:0 Read 150000000\n8:0 Write 50000000\n"
	    "8:0 Total 200000000\nTotal 200000000\n");
	v1press_read(p, 2000, 0, buf, sizeof buf, &cpu, &mem, &io);
	assert_int_equal(cpu, 500000);          /* 30% + 20% of the second */
	assert_int_equal(mem, 1500 * V1PRESS_FAULT_US);
	assert_int_equal(io, 200000);

	/* Another second: 10 and 40 waited 900 ms each: capped at the 1 s,
	 * the 800 ms over it carried to the next second. */
	task(&t, 10, 1201000000);
	task(&t, 40, 5900000000ULL);
	put(&t, "t/blkio.io_wait_time_recursive", "8:0 Read 5000000000\n8:0 Write 0\nTotal 1\n");
	v1press_read(p, 3000, 0, buf, sizeof buf, &cpu, &mem, &io);
	assert_int_equal(cpu, 1500000);
	assert_int_equal(mem, 150000);          /* no new refaults */
	assert_int_equal(io, 1200000);          /* capped, nothing carried */
	v1press_read(p, 3500, 0, buf, sizeof buf, &cpu, &mem, &io);
	assert_int_equal(cpu, 2000000);         /* 500 ms of the 800 */
	assert_int_equal(io, 1200000);

	/* No thread readable (no schedstat on this kernel): unknown, never 0;
	 * the next read starts afresh and the total does not jump. */
	untask(&t, 10);
	untask(&t, 30);
	untask(&t, 40);
	v1press_read(p, 4000, 0, buf, sizeof buf, &cpu, &mem, &io);
	assert_int_equal(cpu, CG_UNKNOWN);
	task(&t, 10, 9000000000ULL);
	v1press_read(p, 5000, 0, buf, sizeof buf, &cpu, &mem, &io);
	assert_int_equal(cpu, 2000000);         /* the 300 ms left dropped */
	task(&t, 10, 9100000000ULL);
	v1press_read(p, 6000, 0, buf, sizeof buf, &cpu, &mem, &io);
	assert_int_equal(cpu, 2100000);

	/* An interval that used no CPU time: no walk (nothing is read), no
	 * wait, still known. A wait that shows at the next walk counts
	 * against that walk's interval only. */
	untask(&t, 10);
	v1press_read(p, 6500, 1, buf, sizeof buf, &cpu, &mem, &io);
	assert_int_equal(cpu, 2100000);
	task(&t, 10, 9900000000ULL);    /* +800 ms since the last walk */
	v1press_read(p, 7000, 0, buf, sizeof buf, &cpu, &mem, &io);
	assert_int_equal(cpu, 2600000);         /* capped at 6500..7000 */

	/* An empty container waits for nothing: only the 300 ms carried. */
	put(&t, "t/tasks", "");
	put(&t, "t/sub/tasks", "");
	v1press_read(p, 8000, 0, buf, sizeof buf, &cpu, &mem, &io);
	assert_int_equal(cpu, 2900000);
	v1press_read(p, 9000, 0, buf, sizeof buf, &cpu, &mem, &io);
	assert_int_equal(cpu, 2900000);

	/* A lump of 9 s of wait in one second (a thread starved that long
	 * runs at last): 1 s now, the carry bounded by V1PRESS_CARRY_MS. */
	put(&t, "t/tasks", "10\n");
	v1press_read(p, 10000, 0, buf, sizeof buf, &cpu, &mem, &io);
	task(&t, 10, 18900000000ULL);
	v1press_read(p, 11000, 0, buf, sizeof buf, &cpu, &mem, &io);
	assert_int_equal(cpu, 3900000);
	v1press_read(p, 12000, 0, buf, sizeof buf, &cpu, &mem, &io);
	assert_int_equal(cpu, 4900000);
	v1press_read(p, 13000, 0, buf, sizeof buf, &cpu, &mem, &io);
	assert_int_equal(cpu, 5900000);
	v1press_read(p, 14000, 0, buf, sizeof buf, &cpu, &mem, &io);
	assert_int_equal(cpu, 5900000);         /* V1PRESS_CARRY_MS spent */
	v1press_close(p);
	tree_close(&t);
}

/* Without the CFQ/BFQ wait files io is unknown; without memory.stat
 * refaults or major faults (and no events) memory is too. */
static void
test_read_unknowns(void **state)
{
	struct tree t;
	struct v1press *p;
	uint64_t cpu, mem, io;

	(void)state;
	tree_open(&t, 0);
	put(&t, "t/memory.stat", "cache 0\n");
	p = v1press_open(t.fs, "/t", 0);
	v1press_read(p, 1000, 0, buf, sizeof buf, &cpu, &mem, &io);
	assert_int_equal(cpu, 0);
	assert_int_equal(mem, CG_UNKNOWN);
	assert_int_equal(io, CG_UNKNOWN);
	/* A kernel before 5.9: no refault counters, major faults instead. */
	put(&t, "t/memory.stat", "total_pgmajfault 7\n");
	v1press_read(p, 2000, 0, buf, sizeof buf, &cpu, &mem, &io);
	assert_int_equal(mem, 0);
	put(&t, "t/memory.stat", "total_pgmajfault 107\n");
	v1press_read(p, 3000, 0, buf, sizeof buf, &cpu, &mem, &io);
	assert_int_equal(mem, 100 * V1PRESS_FAULT_US);
	v1press_close(p);
	tree_close(&t);
}

/* Through the sampler: v1 samples carry the derived totals as their PSI
 * totals; a v2 tree keeps its own files. */
static void
test_sampler_v1(void **state)
{
	struct tree t;
	struct sampler *s;
	struct sampler_ct *ct;
	struct cg_sample v;

	(void)state;
	tree_open(&t, 0);
	put(&t, "t/memory.usage_in_bytes", "4096\n");
	s = sampler_new(t.fs, 64);
	assert_int_equal(sampler_ct_open(s, "/t", &ct), 0);
	assert_int_equal(sampler_ct_read(ct, &v), 0);
	assert_int_equal(v.psi_cpu_us, 0);
	assert_int_equal(v.psi_mem_us, 0);
	assert_int_equal(v.psi_io_us, CG_UNKNOWN);
	task(&t, 10, 51000000);
	/* The sampler's clock is the real one: wait for the 50 ms to fit. */
	usleep(120000);
	assert_int_equal(sampler_ct_read(ct, &v), 0);
	assert_int_equal(v.psi_cpu_us, 50000);
	sampler_ct_close(ct);
	assert_int_equal(sampler_fds(s), 0);
	sampler_free(s);
	tree_close(&t);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_schedstat_parse),
		cmocka_unit_test(test_wait_delta),
		cmocka_unit_test(test_level_decay),
		cmocka_unit_test(test_mem_stall),
		cmocka_unit_test(test_read_tree),
		cmocka_unit_test(test_read_unknowns),
		cmocka_unit_test(test_sampler_v1),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
