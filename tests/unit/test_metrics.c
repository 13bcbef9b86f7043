/* test_metrics.c: the metrics the policy conditions see, computed from
 * synthetic sample streams (cumulative kernel counters, as the sampler
 * hands them over) and from stored history; the unknown-input rules of
 * metrics.h; the daemon's tick and the history's span of the same figures
 * give the same metrics. */
#include "config.h"

#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "metrics.h"
#include "rollup.h"
#include "store.h"
#include "testdir.h"
#include "xmalloc.h"

#define MiB (1024.0 * 1024.0)
#define TEST_UNUSED __attribute__((unused))

static char test_dir[] = "/tmp/test_metrics.XXXXXX";

/* Equal, or both unknown. */
#define assert_same(a, b, what, i) do {					\
	double _a = (a), _b = (b);					\
	if (!(_a == _b || (isnan(_a) && isnan(_b))))			\
		fail_msg("%s[%d]: %.17g != %.17g", (what), (i), _a, _b);	\
} while (0)

static struct cg_sample
sample(uint64_t cpu_us, uint64_t mem)
{
	struct cg_sample s;

	memset(&s, 0xff, sizeof s);             /* every field CG_UNKNOWN */
	s.cpu_usage_us = cpu_us;
	s.mem_current = mem;
	s.mem_limit = 400 << 20;
	s.cpu_quota_us = 50000;
	s.cpu_period_us = 100000;
	s.nr_periods = 0;
	s.nr_throttled = 0;
	s.io = (struct cg_io){ 0, 0, 0, 0 };
	s.pids_current = 7;
	s.pids_max = CG_UNLIMITED;
	return s;
}

static void
metrics(const struct cg_sample *a, const struct cg_sample *b, int64_t dt,
    struct metrics_growth *g, struct gov_metrics *m)
{
	for (int i = 0; i < PM__MAX; i++)
		m->v[i] = m->limit[i] = -1;     /* must be overwritten or left alone */
	metrics_from_samples(a, b, dt, g, m);
}

/* The first tick has levels but no rates. */
static void
test_first_tick(void **state)
{
	struct cg_sample a = sample(5000000, 100 << 20);
	struct metrics_growth g = { 0 };
	struct gov_metrics m;

	metrics(&a, NULL, 0, &g, &m);
	assert_true(m.v[PM_MEMORY] == 100 * MiB);
	assert_true(m.limit[PM_MEMORY] == 400 * MiB);
	assert_true(m.limit[PM_CPU] == 0.5);
	assert_true(isinf(m.limit[PM_PIDS]));
	assert_true(isnan(m.v[PM_CPU]));
	assert_true(isnan(m.v[PM_IO_WRITE]));
	assert_true(isnan(m.v[PM_MEMORY_ETA]));
	assert_true(isnan(m.v[PM_SWAP]));                 /* unknown stays unknown */
	assert_true(m.v[PM_NODE_CPU] == -1);              /* node metrics untouched */
}

/* Cores, throttling, io rates and PSI over a 500 ms tick. */
static void
test_rates(void **state)
{
	struct cg_sample b = sample(1000000, 100 << 20), a = b;
	struct metrics_growth g = { 0 };
	struct gov_metrics m;

	a.cpu_usage_us += 750000;                 /* 0.75 s of CPU in 0.5 s */
	b.nr_periods = 10, a.nr_periods = 15;
	b.nr_throttled = 2, a.nr_throttled = 6;   /* 4 of 5 periods throttled */
	a.io.wbytes = 50 << 20;                   /* from 0: 100M/s */
	a.io.wios = 400;
	b.psi_cpu_us = 1000, a.psi_cpu_us = 101000;   /* 0.1 s stalled in 0.5 s */
	metrics(&a, &b, 500, &g, &m);
	assert_true(fabs(m.v[PM_CPU] - 1.5) < 1e-9);
	assert_true(fabs(m.v[PM_THROTTLED] - 80.0) < 1e-9);
	assert_true(fabs(m.v[PM_IO_WRITE] - 100 * MiB) < 1);
	assert_true(fabs(m.v[PM_IO_WRITE_IOPS] - 800) < 1e-9);
	assert_true(fabs(m.v[PM_IO_READ]) < 1e-9);
	assert_true(fabs(m.v[PM_PRESSURE_CPU] - 20.0) < 1e-9);
	assert_true(isnan(m.v[PM_PRESSURE_IO]));          /* v1: no PSI */
}

/* No period elapsed (nothing ran): 0% throttled, not unknown. A counter
 * that went backwards was reset: the new value is the delta. */
static void
test_idle_and_reset(void **state)
{
	struct cg_sample b = sample(9000000, 100 << 20), a = b;
	struct metrics_growth g = { 0 };
	struct gov_metrics m;

	b.nr_periods = a.nr_periods = 40;
	b.nr_throttled = a.nr_throttled = 3;
	a.cpu_usage_us = 250000;                  /* reset: 0.25 s since */
	metrics(&a, &b, 1000, &g, &m);
	assert_true(m.v[PM_THROTTLED] == 0);
	assert_true(fabs(m.v[PM_CPU] - 0.25) < 1e-9);
}

/* memory.eta: growth smoothed over ticks, time to the limit; unknown when
 * shrinking or unlimited. */
static void
test_memory_eta(void **state)
{
	struct cg_sample s0 = sample(0, 100 << 20), s1 = s0, s2 = s0, s3 = s0;
	struct metrics_growth g = { 0 };
	struct gov_metrics m;

	s1.mem_current = 200 << 20;               /* +100M in 1 s */
	metrics(&s1, &s0, 1000, &g, &m);
	/* 200M left at 100M/s: 2 s */
	assert_true(fabs(m.v[PM_MEMORY_ETA] - 2000) < 1e-6);
	s2.mem_current = 300 << 20;               /* +100M/s again */
	metrics(&s2, &s1, 1000, &g, &m);
	assert_true(fabs(m.v[PM_MEMORY_ETA] - 1000) < 1e-6);
	s3.mem_current = 300 << 20;               /* flat: rate halves to 50M/s */
	metrics(&s3, &s2, 1000, &g, &m);
	assert_true(fabs(m.v[PM_MEMORY_ETA] - 2000) < 1e-6);
	s0.mem_current = 100 << 20;               /* shrinking: no ETA */
	metrics(&s0, &s3, 1000, &g, &m);
	assert_true(g.rate < 0);
	assert_true(isnan(m.v[PM_MEMORY_ETA]));
	s1 = s0;
	s1.mem_limit = CG_UNLIMITED;
	s1.mem_current = 900 << 20;
	g = (struct metrics_growth){ 0 };
	metrics(&s1, &s0, 1000, &g, &m);
	assert_true(isinf(m.limit[PM_MEMORY]));
	assert_true(isnan(m.v[PM_MEMORY_ETA]));
}

/* memory.eta to the nearest enclosing limit (metrics_room_eta): the
 * container's own, an ancestor's or the node's, whichever is tightest at
 * the smoothed growth; unknown when not growing. */
static void
test_memory_eta_room(void **state TEST_UNUSED)
{
	struct cg_sample s0 = sample(0, 200 << 20), s1 = s0;
	struct metrics_growth g = { 0 };
	struct gov_metrics m;

	/* 100M/s; own limit 400M: 100M left, 1 s. */
	s1.mem_current = 300 << 20;
	metrics(&s1, &s0, 1000, &g, &m);
	assert_true(fabs(m.v[PM_MEMORY_ETA] - 1000) < 1e-6);
	/* Own limit tighter: an ancestor leaving 500M, the node 2G, change nothing. */
	metrics_room_eta(&m, &g, metrics_room_min(500 * MiB, 2048 * MiB));
	assert_true(fabs(m.v[PM_MEMORY_ETA] - 1000) < 1e-6);
	/* Ancestor tighter: 50M left there, 0.5 s. */
	metrics_room_eta(&m, &g, metrics_room_min(50 * MiB, 2048 * MiB));
	assert_true(fabs(m.v[PM_MEMORY_ETA] - 500) < 1e-6);

	/* No limit of its own: unknown, until the room above says. */
	s0.mem_limit = s1.mem_limit = CG_UNLIMITED;
	g = (struct metrics_growth){ 0 };
	metrics(&s1, &s0, 1000, &g, &m);
	assert_true(isnan(m.v[PM_MEMORY_ETA]));
	metrics_room_eta(&m, &g, INFINITY);               /* nothing above */
	assert_true(isnan(m.v[PM_MEMORY_ETA]));
	metrics_room_eta(&m, &g, NAN);                    /* unknown above */
	assert_true(isnan(m.v[PM_MEMORY_ETA]));
	/* Ancestor tighter than the node: 300M at 100M/s. */
	metrics_room_eta(&m, &g, metrics_room_min(300 * MiB, 1024 * MiB));
	assert_true(fabs(m.v[PM_MEMORY_ETA] - 3000) < 1e-6);
	/* Node tighter (an ancestor leaves 300M, the node 150M): 1.5 s. */
	metrics(&s1, &s0, 1000, &g, &m);
	metrics_room_eta(&m, &g, metrics_room_min(300 * MiB, 150 * MiB));
	assert_true(fabs(m.v[PM_MEMORY_ETA] - 1500) < 1e-6);
	/* An ancestor over its limit: 0. */
	metrics_room_eta(&m, &g, -(double)MiB);
	assert_true(m.v[PM_MEMORY_ETA] == 0);

	/* Not growing (flat then shrinking): unknown, whatever the room. */
	g = (struct metrics_growth){ 0 };
	metrics(&s0, &s0, 1000, &g, &m);
	assert_true(g.known && g.rate == 0);
	metrics_room_eta(&m, &g, 10 * MiB);
	assert_true(isnan(m.v[PM_MEMORY_ETA]));
	metrics(&s0, &s1, 1000, &g, &m);
	assert_true(g.rate < 0);
	metrics_room_eta(&m, &g, 10 * MiB);
	assert_true(isnan(m.v[PM_MEMORY_ETA]));
	/* No growth kept (history spans): unknown. */
	metrics_room_eta(&m, NULL, 10 * MiB);
	assert_true(isnan(m.v[PM_MEMORY_ETA]));

	/* Toward the room above, the footprint's last span counts (memory plus swap): a
	 * tenant refaulting 100M/s of what reclaim swapped out (memory up,
	 * swap down as much) is not growing; one that allocates is, into
	 * swap included. Its own limit still counts memory alone. */
	s0 = sample(0, 200 << 20);
	s0.mem_limit = CG_UNLIMITED;
	s0.swap_current = 300 << 20;
	s1 = s0;
	s1.mem_current = 300 << 20;
	s1.swap_current = 200 << 20;
	g = (struct metrics_growth){ 0 };
	metrics(&s1, &s0, 1000, &g, &m);
	assert_true(g.known && fabs(g.rate - 100 * MiB) < 1e-6);
	assert_true(g.foot_known && g.foot_rate == 0);
	metrics_room_eta(&m, &g, 10 * MiB);
	assert_true(isnan(m.v[PM_MEMORY_ETA]));
	s1.swap_current = 350 << 20;                      /* and 50M/s more into swap */
	g = (struct metrics_growth){ 0 };
	metrics(&s1, &s0, 1000, &g, &m);
	assert_true(fabs(g.foot_rate - 150 * MiB) < 1e-6);
	metrics_room_eta(&m, &g, 300 * MiB);
	assert_true(fabs(m.v[PM_MEMORY_ETA] - 2000) < 1e-6);
	/* The last span alone: a start-up that grew once and then held its
	 * ground is no grower a tick later (a smoothed rate would still be
	 * half of it), whatever little room the node has left. */
	metrics(&s1, &s1, 1000, &g, &m);
	assert_true(g.rate > 0 && g.foot_rate == 0);
	metrics_room_eta(&m, &g, 0);
	assert_true(isnan(m.v[PM_MEMORY_ETA]));
	/* Page jitter (under METRICS_FOOT_FLOOR) is no growth either. */
	s0 = s1;
	s1.mem_current += 512 << 10;
	metrics(&s1, &s0, 1000, &g, &m);
	metrics_room_eta(&m, &g, 0);
	assert_true(isnan(m.v[PM_MEMORY_ETA]));

	/* The least of those known; unknown only when none is. */
	assert_true(metrics_room_min(NAN, 5) == 5);
	assert_true(metrics_room_min(5, NAN) == 5);
	assert_true(isnan(metrics_room_min(NAN, NAN)));
	assert_true(metrics_room_min(INFINITY, 7) == 7);
	assert_true(isinf(metrics_room_min(INFINITY, NAN)));
	assert_true(metrics_room_min(-3, 7) == -3);
}

static void
test_node(void **state)
{
	struct cg_node b, a;
	struct gov_metrics m;

	memset(&b, 0, sizeof b);
	b.mem = (struct cg_meminfo){ 24ULL << 30, 20ULL << 30, 0, 0 };
	b.cpu = (struct cg_cpustat){ .busy = 1000, .total = 4000, .ncpu = 2 };
	b.psi_cpu_us = b.psi_mem_us = b.psi_io_us = CG_UNKNOWN;
	a = b;
	a.cpu.busy += 150;
	a.cpu.total += 200;                       /* 75% busy */
	for (int i = 0; i < PM__MAX; i++)
		m.v[i] = m.limit[i] = -1;
	metrics_node_from_samples(&a, &b, 1000, &m);
	assert_true(fabs(m.v[PM_NODE_CPU] - 75.0) < 1e-9);
	assert_true(m.v[PM_NODE_MEMORY_AVAILABLE] == (double)(20ULL << 30));
	assert_true(m.limit[PM_NODE_MEMORY_AVAILABLE] == (double)(24ULL << 30));
	assert_true(m.limit[PM_NODE_SWAP_FREE] == 0);      /* no swap: total 0 */
	assert_true(isnan(m.v[PM_NODE_PRESSURE_CPU]));
	assert_true(isnan(m.v[PM_NODE_TEMP]));             /* no sensors yet */
	assert_true(m.v[PM_MEMORY] == -1);                 /* container part untouched */
	metrics_node_from_samples(&a, NULL, 0, &m);
	assert_true(isnan(m.v[PM_NODE_CPU]));
}

/* The figures the other tests build on, each rule of metrics.h once. */
static void
test_helpers(void **state TEST_UNUSED)
{
	assert_true(isnan(metrics_num(CG_UNKNOWN)));
	assert_true(metrics_num(0) == 0);
	assert_true(isnan(metrics_limit(CG_UNKNOWN)));
	assert_true(isinf(metrics_limit(CG_UNLIMITED)));
	assert_true(metrics_limit(4096) == 4096);
	/* A reset counter counts from zero; an unknown end is unknown. */
	assert_true(metrics_delta(150, 100) == 50);
	assert_true(metrics_delta(30, 100) == 30);
	assert_true(isnan(metrics_delta(CG_UNKNOWN, 100)));
	assert_true(isnan(metrics_delta(100, CG_UNKNOWN)));
	/* No rate over a span that did not pass. */
	assert_true(metrics_rate(500, 250) == 2000);
	assert_true(isnan(metrics_rate(500, 0)));
	assert_true(isnan(metrics_rate(500, -1000)));
	assert_true(isnan(metrics_rate(NAN, 1000)));
	assert_true(metrics_time_pct(250000, 1000) == 25);
	assert_true(isnan(metrics_time_pct(250000, 0)));
	/* Parts: unknown when any part is. */
	assert_true(metrics_sum(1, 2) == 3);
	assert_true(isnan(metrics_sum(1, NAN)));
	assert_true(isnan(metrics_sum(NAN, 1)));
	assert_true(metrics_max(1, 2) == 2);
	assert_true(isnan(metrics_max(5, NAN)));
	assert_true(isnan(metrics_max(NAN, 5)));
	/* % of a limit: unknown for an unknown, unlimited or zero one. */
	assert_true(metrics_pct(50, 200) == 25);
	assert_true(isnan(metrics_pct(50, INFINITY)));
	assert_true(isnan(metrics_pct(50, NAN)));
	assert_true(isnan(metrics_pct(50, 0)));
	assert_true(isnan(metrics_pct(NAN, 200)));
	/* Throttled: 0 when no period elapsed, not unknown. */
	assert_true(metrics_throttled_pct(0, 0) == 0);
	assert_true(metrics_throttled_pct(8, 2) == 25);
	assert_true(isnan(metrics_throttled_pct(NAN, 0)));
	assert_true(isnan(metrics_throttled_pct(8, NAN)));
	/* Busy %: part of the total, or unknown. */
	assert_true(metrics_busy_pct(50, 200) == 25);
	assert_true(metrics_busy_pct(0, 200) == 0);
	assert_true(isnan(metrics_busy_pct(50, 0)));
	assert_true(isnan(metrics_busy_pct(250, 200)));
	assert_true(isnan(metrics_busy_pct(NAN, 200)));
	assert_true(isnan(metrics_busy_pct(50, NAN)));
}

/* An unknown figure at either end stays unknown, never 0; the rest of the
 * span is unaffected. */
static void
test_unknown_fields(void **state TEST_UNUSED)
{
	struct cg_sample b = sample(1000000, 100 << 20), a = b;
	struct metrics_growth g = { 0 };
	struct gov_metrics m;

	a.cpu_usage_us += 500000;
	b.io.rbytes = 0, a.io.rbytes = 1 << 20;
	b.io.wbytes = 0, a.io.wbytes = CG_UNKNOWN;    /* overflowed, say */
	a.io.rios = a.io.wios = 10;
	b.nr_periods = 10, a.nr_periods = 20;
	b.nr_throttled = 1, a.nr_throttled = CG_UNKNOWN;
	a.mem_limit = CG_UNKNOWN;
	a.swap_current = CG_UNKNOWN;
	a.cpu_period_us = CG_UNKNOWN;                 /* quota without period */
	metrics(&a, &b, 1000, &g, &m);
	assert_true(fabs(m.v[PM_CPU] - 0.5) < 1e-9);
	assert_true(m.v[PM_IO_READ] == 1 << 20);
	assert_true(isnan(m.v[PM_IO_WRITE]));
	assert_true(isnan(metrics_sum(m.v[PM_IO_READ], m.v[PM_IO_WRITE])));
	assert_true(m.v[PM_IO_WRITE_IOPS] == 10);
	assert_true(isnan(m.v[PM_THROTTLED]));
	assert_true(isnan(m.limit[PM_MEMORY]));
	assert_true(isnan(metrics_pct(m.v[PM_MEMORY], m.limit[PM_MEMORY])));
	assert_true(isnan(m.v[PM_MEMORY_ETA]));       /* no limit known */
	assert_true(isnan(m.v[PM_SWAP]));
	assert_true(isnan(m.limit[PM_CPU]));
	assert_true(isnan(m.v[PM_PRESSURE_CPU]));     /* v1: no PSI */
	/* Unlimited is infinite, not unknown. */
	a.cpu_quota_us = CG_UNLIMITED;
	metrics(&a, &b, 1000, &g, &m);
	assert_true(isinf(m.limit[PM_CPU]));
}

/* A span with dt <= 0 has levels and limits but no rates, and leaves the
 * smoothed growth alone; throttled, a ratio of two counts, needs no time. */
static void
test_no_time(void **state TEST_UNUSED)
{
	struct cg_sample b = sample(1000000, 100 << 20), a = b;
	struct metrics_growth g = { 0 };
	struct gov_metrics m;
	int64_t dts[] = { 0, -1000 };

	a.cpu_usage_us += 500000;
	a.mem_current = 200 << 20;
	b.nr_periods = 10, a.nr_periods = 20;
	b.nr_throttled = 0, a.nr_throttled = 5;
	b.psi_cpu_us = 0, a.psi_cpu_us = 1000;
	for (size_t i = 0; i < sizeof dts / sizeof dts[0]; i++) {
		metrics(&a, &b, dts[i], &g, &m);
		assert_true(m.v[PM_MEMORY] == 200 * MiB);
		assert_true(m.limit[PM_MEMORY] == 400 * MiB);
		assert_true(m.v[PM_PIDS] == 7);
		assert_true(isnan(m.v[PM_CPU]));
		assert_true(m.v[PM_THROTTLED] == 50);
		assert_true(isnan(m.v[PM_IO_READ]));
		assert_true(isnan(m.v[PM_IO_WRITE_IOPS]));
		assert_true(isnan(m.v[PM_PRESSURE_CPU]));
		assert_true(isnan(m.v[PM_MEMORY_ETA]));
		assert_int_equal(g.known, 0);
	}
}

/* PSI: stalled microseconds per second of wall time, as %. */
static void
test_psi(void **state TEST_UNUSED)
{
	struct cg_sample b = sample(0, 100 << 20), a = b;
	struct cg_node nb, na;
	struct metrics_growth g = { 0 };
	struct gov_metrics m;

	b.psi_cpu_us = 0, a.psi_cpu_us = 2000000;        /* 2 s of 4 s: 50% */
	b.psi_mem_us = 100, a.psi_mem_us = 40100;        /* 1% */
	b.psi_io_us = 7, a.psi_io_us = 7;                /* 0%, known */
	metrics(&a, &b, 4000, &g, &m);
	assert_true(m.v[PM_PRESSURE_CPU] == 50);
	assert_true(m.v[PM_PRESSURE_MEMORY] == 1);
	assert_true(m.v[PM_PRESSURE_IO] == 0);
	/* A stall read a millisecond longer than the tick (the v1
	 * derivations cap on their own clock): 100%, never above. */
	b.psi_cpu_us = 0, a.psi_cpu_us = 1009000;
	metrics(&a, &b, 1008, &g, &m);
	assert_true(m.v[PM_PRESSURE_CPU] == 100);
	memset(&nb, 0, sizeof nb);
	nb.psi_cpu_us = 1000, nb.psi_mem_us = 0, nb.psi_io_us = CG_UNKNOWN;
	na = nb;
	na.psi_cpu_us += 100000;                          /* 0.1 s of 1 s */
	metrics_node_from_samples(&na, &nb, 1000, &m);
	assert_true(fabs(m.v[PM_NODE_PRESSURE_CPU] - 10) < 1e-9);
	assert_true(m.v[PM_NODE_PRESSURE_MEMORY] == 0);
	assert_true(isnan(m.v[PM_NODE_PRESSURE_IO]));
}

/* /proc/stat's counters never reset: one that went backwards (or an
 * unknown one) gives no node.cpu, where a container counter would count
 * from zero. */
static void
test_node_unknown(void **state TEST_UNUSED)
{
	struct cg_node b, a;
	struct gov_metrics m;

	memset(&b, 0, sizeof b);
	b.cpu = (struct cg_cpustat){ .busy = 1000, .total = 4000, .ncpu = 2 };
	b.mem = (struct cg_meminfo){ CG_UNKNOWN, CG_UNKNOWN, 0, 0 };
	b.psi_cpu_us = b.psi_mem_us = b.psi_io_us = CG_UNKNOWN;
	a = b;
	a.cpu.busy = 900;                             /* backwards */
	a.cpu.total = 4200;
	metrics_node_from_samples(&a, &b, 1000, &m);
	assert_true(isnan(m.v[PM_NODE_CPU]));
	a.cpu.busy = 1100;
	a.cpu.total = CG_UNKNOWN;
	metrics_node_from_samples(&a, &b, 1000, &m);
	assert_true(isnan(m.v[PM_NODE_CPU]));
	a.cpu.total = 4000;                           /* no time counted */
	metrics_node_from_samples(&a, &b, 1000, &m);
	assert_true(isnan(m.v[PM_NODE_CPU]));
	a.cpu.total = 4200;
	metrics_node_from_samples(&a, &b, 1000, &m);
	assert_true(fabs(m.v[PM_NODE_CPU] - 50) < 1e-9);
	/* No MemTotal: available unknown, and so is a % of the total. */
	assert_true(isnan(m.v[PM_NODE_MEMORY_AVAILABLE]));
	assert_true(isnan(m.limit[PM_NODE_MEMORY_AVAILABLE]));
	/* No swap: a total of 0, known; a % of it is unknown. */
	assert_true(m.limit[PM_NODE_SWAP_FREE] == 0);
	assert_true(isnan(metrics_pct(m.v[PM_NODE_SWAP_FREE], m.limit[PM_NODE_SWAP_FREE])));
	/* A stored span whose busy time went backwards and was kept as
	 * counting from zero (busy since boot, more than the span's total):
	 * unknown too, not thousands of %. */
	{
		struct roll_node_rec r;

		roll_node_rec_init(&r);
		r.dt_ms = 1000;
		r.cpu_busy_ms = 9000000;
		r.cpu_total_ms = 2000;
		metrics_node_from_rec(&r, &m);
		assert_true(isnan(m.v[PM_NODE_CPU]));
		r.cpu_busy_ms = 500;
		metrics_node_from_rec(&r, &m);
		assert_true(m.v[PM_NODE_CPU] == 25);
		assert_true(isnan(m.v[PM_NODE_PRESSURE_CPU]));
	}
}

/* Growth smoothing through spans: half the weight on the newest span;
 * without a growth to keep (NULL), memory.eta is unknown. */
static void
test_growth_spans(void **state TEST_UNUSED)
{
	struct metrics_span s = {
		.dt_ms = 2000, .mem = 300 * MiB, .swap = NAN, .pids = NAN,
		.mem_prev = 100 * MiB, .mem_limit = 700 * MiB, .swap_limit = NAN,
		.pids_max = NAN, .cpu_limit_cores = NAN, .cpu_us = NAN,
		.nr_periods = NAN, .nr_throttled = NAN, .rbytes = NAN, .wbytes = NAN,
		.rios = NAN, .wios = NAN, .psi_cpu_us = NAN, .psi_mem_us = NAN,
		.psi_io_us = NAN,
	};
	struct metrics_growth g = { 0 };
	struct gov_metrics m;

	metrics_span_eval(&s, &g, &m);            /* +200M in 2 s: 100M/s */
	assert_true(g.known && fabs(g.rate - 100 * MiB) < 1e-6);
	assert_true(fabs(m.v[PM_MEMORY_ETA] - 4000) < 1e-6);    /* 400M left */
	s.mem_prev = s.mem;
	s.mem = 500 * MiB;                        /* 100M/s again */
	metrics_span_eval(&s, &g, &m);
	assert_true(fabs(m.v[PM_MEMORY_ETA] - 2000) < 1e-6);
	s.mem_prev = s.mem;
	s.mem = 900 * MiB;                        /* 200M/s, over the limit */
	metrics_span_eval(&s, &g, &m);
	assert_true(fabs(g.rate - 150 * MiB) < 1e-6);
	assert_true(m.v[PM_MEMORY_ETA] == 0);
	s.mem_prev = NAN;                         /* no earlier span: kept */
	metrics_span_eval(&s, &g, &m);
	assert_true(fabs(g.rate - 150 * MiB) < 1e-6);
	metrics_span_eval(&s, NULL, &m);
	assert_true(isnan(m.v[PM_MEMORY_ETA]));
	assert_true(m.v[PM_MEMORY] == 900 * MiB);
}

/* --- the daemon's tick and the history's span ----------------------------- */

#define EQ_TICKS 10
#define EQ_T0 INT64_C(1767225600000)
#define EQ_DT 1000

/* As cgovd stores a tick (fleet.c): levels, and counters as deltas over
 * the tick (a reset counts from zero), unknown as STORE_NULL. */
static int64_t
eq_now(uint64_t v)
{
	return v == CG_UNKNOWN || v == CG_UNLIMITED ? STORE_NULL : (int64_t)v;
}

static int64_t
eq_limit(uint64_t v)
{
	return v == CG_UNKNOWN ? STORE_NULL : v == CG_UNLIMITED ? STORE_UNLIMITED : (int64_t)v;
}

static int64_t
eq_delta(int have_prev, uint64_t cur, uint64_t prev)
{
	if (!have_prev || cur == CG_UNKNOWN || prev == CG_UNKNOWN)
		return STORE_NULL;
	return cur >= prev ? (int64_t)(cur - prev) : (int64_t)cur;
}

/* Tick k's cumulative samples: CPU, I/O, throttling, growing memory, a CPU
 * counter reset at tick 4, bytes written unknown at ticks 5 and 6, PSI
 * for cpu only, a limit that changes at tick 3. */
static void
eq_sample(int k, struct cg_sample *s)
{
	memset(s, 0xff, sizeof *s);                   /* CG_UNKNOWN */
	s->mem_current = (100 << 20) + (uint64_t)k * k * 4096 * 64;
	s->mem_limit = k < 3 ? 512 << 20 : 384 << 20;
	s->swap_limit = CG_UNLIMITED;
	s->cpu_usage_us = k < 4 ? 5000000 + (uint64_t)k * 700000 : (uint64_t)(k - 3) * 300000;
	s->nr_periods = 100 + (uint64_t)k * 10;
	s->nr_throttled = 7 + (uint64_t)k * k;
	s->cpu_shares = 1024;
	s->cpu_quota_us = 150000;
	s->cpu_period_us = 100000;
	s->io = (struct cg_io){ (uint64_t)k * 3 << 20, (uint64_t)k << 20, (uint64_t)k * 30,
	    (uint64_t)k * 11 };
	if (k == 5 || k == 6)
		s->io.wbytes = CG_UNKNOWN;
	s->pids_current = 10 + (uint64_t)k;
	s->pids_max = 512;
	s->psi_cpu_us = (uint64_t)k * k * 1000;
}

static void
eq_node(int k, struct cg_node *n)
{
	memset(n, 0, sizeof *n);
	n->mem = (struct cg_meminfo){ 16ULL << 30, (8ULL << 30) - (uint64_t)k * 4096, 0, 0 };
	n->cpu = (struct cg_cpustat){ .busy = 1000 + (uint64_t)k * 37, .total = 4000 +
	    (uint64_t)k * 200, .ncpu = 2 };
	n->load1 = 100;
	n->psi_cpu_us = n->psi_mem_us = n->psi_io_us = CG_UNKNOWN;
}

struct eq_read {
	struct roll_rec rec[EQ_TICKS];
	struct roll_node_rec node[EQ_TICKS];
	int nrec, nnode;
};

static int
eq_on_rec(void *arg, const struct roll_rec *r)
{
	struct eq_read *e = arg;

	assert_true(e->nrec < EQ_TICKS);
	e->rec[e->nrec++] = *r;
	return 0;
}

static int
eq_on_node(void *arg, const struct roll_node_rec *r)
{
	struct eq_read *e = arg;

	assert_true(e->nnode < EQ_TICKS);
	e->node[e->nnode++] = *r;
	return 0;
}

/* The same figures through both entry points: the daemon's tick
 * (metrics_from_samples on two cumulative samples) and the history's span
 * (the tick stored as cgovd stores it, read back by roll_scan, through
 * metrics_span_from_rec) give the same metrics, memory.eta included. */
static void
test_tick_vs_history(void **state TEST_UNUSED)
{
	char *path = xasprintf("%s/eq.db", test_dir);
	struct store *st;
	struct cg_sample cur, prev;
	struct cg_node ncur, nprev;
	struct metrics_growth gd = { 0 }, gh = { 0 };
	struct gov_metrics daemon[EQ_TICKS], node[EQ_TICKS], mh, nh;
	struct store_limits last = { 0 };
	struct eq_read *e = xcalloc(1, sizeof *e);
	double mem_prev = NAN;
	int64_t cid;

	assert_int_equal(store_open(path, 0, &st), 0);
	assert_int_equal(store_container_upsert(st, "/lxc/a", "a", "lxc", EQ_T0, &cid), 0);
	for (int k = 0; k < EQ_TICKS; k++) {
		int p = k > 0;
		struct store_sample row;
		struct store_limits lim;
		struct store_node nrow;

		prev = cur;
		nprev = ncur;
		eq_sample(k, &cur);
		eq_node(k, &ncur);
		metrics_from_samples(&cur, p ? &prev : NULL, EQ_DT, &gd, &daemon[k]);
		metrics_node_from_samples(&ncur, p ? &nprev : NULL, EQ_DT, &node[k]);

		assert_int_equal(store_tick_begin(st, EQ_T0 + k * EQ_DT, EQ_DT), 0);
		row = (struct store_sample){
			.cid = cid, .mem_bytes = eq_now(cur.mem_current),
			.swap_bytes = eq_now(cur.swap_current),
			.cpu_us = eq_delta(p, cur.cpu_usage_us, prev.cpu_usage_us),
			.nr_periods = eq_delta(p, cur.nr_periods, prev.nr_periods),
			.nr_throttled = eq_delta(p, cur.nr_throttled, prev.nr_throttled),
			.throttled_us = eq_delta(p, cur.throttled_us, prev.throttled_us),
			.rbytes = eq_delta(p, cur.io.rbytes, prev.io.rbytes),
			.wbytes = eq_delta(p, cur.io.wbytes, prev.io.wbytes),
			.rios = eq_delta(p, cur.io.rios, prev.io.rios),
			.wios = eq_delta(p, cur.io.wios, prev.io.wios),
			.pids = eq_now(cur.pids_current),
			.oom = STORE_NULL, .oom_kill = STORE_NULL,
			.psi_cpu_us = eq_delta(p, cur.psi_cpu_us, prev.psi_cpu_us),
			.psi_mem_us = eq_delta(p, cur.psi_mem_us, prev.psi_mem_us),
			.psi_io_us = eq_delta(p, cur.psi_io_us, prev.psi_io_us),
		};
		assert_int_equal(store_tick_add_sample(st, &row), 0);
		lim = (struct store_limits){
			.cid = cid, .mem_limit = eq_limit(cur.mem_limit),
			.mem_high = eq_limit(cur.mem_high), .swap_limit = eq_limit(cur.swap_limit),
			.cpu_shares = eq_limit(cur.cpu_shares),
			.cpu_quota_us = eq_limit(cur.cpu_quota_us),
			.cpu_period_us = eq_limit(cur.cpu_period_us),
			.pids_max = eq_limit(cur.pids_max),
		};
		if (k == 0 || memcmp(&lim, &last, sizeof lim) != 0) {
			assert_int_equal(store_tick_add_limits(st, &lim), 0);
			last = lim;
		}
		/* /proc/stat counts USER_HZ ticks; the store keeps ms. */
		nrow = (struct store_node){
			.mem_total = eq_now(ncur.mem.mem_total),
			.mem_available = eq_now(ncur.mem.mem_available),
			.swap_total = eq_now(ncur.mem.swap_total),
			.swap_free = eq_now(ncur.mem.swap_free),
			.cpu_busy_ms = p ? (int64_t)(ncur.cpu.busy - nprev.cpu.busy) * 10 : STORE_NULL,
			.cpu_total_ms = p ? (int64_t)(ncur.cpu.total - nprev.cpu.total) * 10 :
			    STORE_NULL,
			.ncpu = 2, .load1 = 100,
			.psi_cpu_us = STORE_NULL, .psi_mem_us = STORE_NULL, .psi_io_us = STORE_NULL,
		};
		assert_int_equal(store_tick_add_node(st, &nrow), 0);
		assert_int_equal(store_tick_commit(st), 0);
	}
	assert_int_equal(roll_scan(st, EQ_T0, EQ_T0 + EQ_TICKS * EQ_DT, 0, cid, eq_on_rec,
	    eq_on_node, e), 0);
	assert_int_equal(e->nrec, EQ_TICKS);
	assert_int_equal(e->nnode, EQ_TICKS);
	for (int k = 0; k < EQ_TICKS; k++) {
		struct metrics_span sp;

		assert_int_equal(e->rec[k].ts_ms, EQ_T0 + k * EQ_DT);
		metrics_span_from_rec(&e->rec[k], mem_prev, &sp);
		metrics_span_eval(&sp, &gh, &mh);
		mem_prev = e->rec[k].mem_avg;
		metrics_node_from_rec(&e->node[k], &nh);
		for (int i = 0; i < PM_NODE_CPU; i++) {
			assert_same(mh.v[i], daemon[k].v[i], "v", i);
			assert_same(mh.limit[i], daemon[k].limit[i], "limit", i);
		}
		for (int i = PM_NODE_CPU; i < PM__MAX; i++) {
			assert_same(nh.v[i], node[k].v[i], "node v", i);
			assert_same(nh.limit[i], node[k].limit[i], "node limit", i);
		}
	}
	/* The figures were worth comparing: rates from tick 1, the reset
	 * counted from zero, the unknown write side, a growing memory. */
	assert_true(isnan(daemon[0].v[PM_CPU]) && daemon[1].v[PM_CPU] > 0.69);
	assert_true(fabs(daemon[4].v[PM_CPU] - 0.3) < 1e-9);
	assert_true(isnan(daemon[5].v[PM_IO_WRITE]) && isnan(daemon[6].v[PM_IO_WRITE]));
	assert_true(isnan(daemon[7].v[PM_IO_WRITE]));             /* from unknown */
	assert_true(daemon[8].v[PM_IO_WRITE] == 1 << 20);
	assert_true(daemon[3].limit[PM_MEMORY] == 384 * MiB);
	assert_true(daemon[9].v[PM_MEMORY_ETA] > 0 && isfinite(daemon[9].v[PM_MEMORY_ETA]));
	assert_true(daemon[9].v[PM_THROTTLED] > 0 && daemon[9].v[PM_PRESSURE_CPU] > 0);
	assert_true(fabs(node[1].v[PM_NODE_CPU] - 18.5) < 1e-9);
	/* A merged span goes through the same function: the whole window's
	 * CPU is its CPU time over its sampled time. */
	{
		struct roll_sum sum;
		struct roll_rec all;

		roll_sum_init(&sum, cid);
		for (int k = 1; k < EQ_TICKS; k++)
			roll_sum_add(&sum, &e->rec[k]);
		roll_sum_rec(&sum, &all);
		metrics_from_rec(&all, &mh);
		assert_true(fabs(mh.v[PM_CPU] - (3 * 0.7 + 6 * 0.3) / 9) < 1e-9);
		assert_true(isnan(mh.v[PM_MEMORY_ETA]));
		roll_sum_free(&sum);
	}
	store_close(st);
	free(e);
	free(path);
}

static int
test_setup(void **state TEST_UNUSED)
{
	assert_non_null(mkdtemp(test_dir));
	return 0;
}

static int
test_teardown(void **state TEST_UNUSED)
{
	return testdir_remove(test_dir);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_first_tick),
		cmocka_unit_test(test_rates),
		cmocka_unit_test(test_idle_and_reset),
		cmocka_unit_test(test_memory_eta),
		cmocka_unit_test(test_memory_eta_room),
		cmocka_unit_test(test_node),
		cmocka_unit_test(test_helpers),
		cmocka_unit_test(test_unknown_fields),
		cmocka_unit_test(test_no_time),
		cmocka_unit_test(test_psi),
		cmocka_unit_test(test_node_unknown),
		cmocka_unit_test(test_growth_spans),
		cmocka_unit_test(test_tick_vs_history),
	};

	return cmocka_run_group_tests(tests, test_setup, test_teardown);
}
