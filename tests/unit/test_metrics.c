/* test_metrics.c: the metrics the policy conditions see, computed from
 * synthetic sample streams (cumulative kernel counters, as the sampler
 * hands them over). */
#include "config.h"

#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "metrics.h"

#define MiB (1024.0 * 1024.0)

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

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_first_tick),
		cmocka_unit_test(test_rates),
		cmocka_unit_test(test_idle_and_reset),
		cmocka_unit_test(test_memory_eta),
		cmocka_unit_test(test_node),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
