/* metrics.c: figures -> the policy language's metrics (contract in
 * include/metrics.h). Pure arithmetic. */
#include "config.h"

#include <math.h>

#include "metrics.h"

double
metrics_num(uint64_t v)
{
	return v == CG_UNKNOWN ? NAN : (double)v;
}

double
metrics_limit(uint64_t v)
{
	return v == CG_UNKNOWN ? NAN : v == CG_UNLIMITED ? INFINITY : (double)v;
}

double
metrics_delta(uint64_t cur, uint64_t prev)
{
	if (cur == CG_UNKNOWN || prev == CG_UNKNOWN)
		return NAN;
	return (double)(cur >= prev ? cur - prev : cur);
}

double
metrics_rate(double delta, int64_t dt_ms)
{
	if (isnan(delta) || dt_ms <= 0)
		return NAN;
	return delta * 1000.0 / (double)dt_ms;
}

double
metrics_time_pct(double us, int64_t dt_ms)
{
	/* Microseconds per second of wall time are a fraction of 1e6. */
	return metrics_rate(us, dt_ms) / 1e4;
}

/* A stall time as a % of the span, at most 100: the v1 derivations cap
 * each interval on their own clock, which can read a millisecond longer
 * than the tick's (a bench log showed "pressure.cpu 100.1%"), and PSI's
 * counters are read a few microseconds apart from the clock. NAN stays. */
static double
metrics_stall_pct(double us, int64_t dt_ms)
{
	double v = metrics_time_pct(us, dt_ms);

	return v > 100 ? 100 : v;
}

double
metrics_sum(double a, double b)
{
	return a + b;                   /* NAN in, NAN out */
}

double
metrics_max(double a, double b)
{
	if (isnan(a) || isnan(b))
		return NAN;
	return a > b ? a : b;
}

double
metrics_pct(double part, double whole)
{
	if (isnan(part) || !isfinite(whole) || whole <= 0)
		return NAN;
	return 100.0 * part / whole;
}

double
metrics_throttled_pct(double nr_periods, double nr_throttled)
{
	if (isnan(nr_periods) || isnan(nr_throttled))
		return NAN;
	return nr_periods > 0 ? 100.0 * nr_throttled / nr_periods : 0;
}

double
metrics_busy_pct(double busy, double total)
{
	if (isnan(busy) || isnan(total) || total <= 0 || busy < 0 || busy > total)
		return NAN;
	return 100.0 * busy / total;
}

void
metrics_span_eval(const struct metrics_span *s, struct metrics_growth *gr, struct gov_metrics *m)
{
	struct metrics_growth none = { 0 };
	int64_t dt = s->dt_ms;
	double growth;

	for (int i = 0; i < PM_NODE_CPU; i++) {
		m->v[i] = NAN;
		m->limit[i] = NAN;
	}
	m->sensors = NULL;
	m->nsensors = 0;
	/* What relative conditions are of: the caller knows them (governing.c). */
	m->ncpu = m->share = NAN;
	for (size_t i = 0; i < sizeof m->dev / sizeof m->dev[0]; i++)
		m->dev[i] = NAN;
	m->wins = NULL;
	m->v[PM_MEMORY] = s->mem;
	m->limit[PM_MEMORY] = s->mem_limit;
	m->v[PM_SWAP] = s->swap;
	m->limit[PM_SWAP] = s->swap_limit;
	m->v[PM_PIDS] = s->pids;
	m->limit[PM_PIDS] = s->pids_max;
	m->limit[PM_CPU] = s->cpu_limit_cores;
	m->v[PM_CPU] = metrics_rate(s->cpu_us, dt) / 1e6;
	/* A ratio of two counts of the same span, not a rate: it needs no
	 * time (a stored tick of dt 0 with known counts has one). */
	m->v[PM_THROTTLED] = metrics_throttled_pct(s->nr_periods, s->nr_throttled);
	m->v[PM_IO_READ] = metrics_rate(s->rbytes, dt);
	m->v[PM_IO_WRITE] = metrics_rate(s->wbytes, dt);
	m->v[PM_IO_READ_IOPS] = metrics_rate(s->rios, dt);
	m->v[PM_IO_WRITE_IOPS] = metrics_rate(s->wios, dt);
	/* PSI totals are microseconds stalled. */
	m->v[PM_PRESSURE_CPU] = metrics_stall_pct(s->psi_cpu_us, dt);
	m->v[PM_PRESSURE_MEMORY] = metrics_stall_pct(s->psi_mem_us, dt);
	m->v[PM_PRESSURE_IO] = metrics_stall_pct(s->psi_io_us, dt);
	/* Memory growth, smoothed over a few spans so one burst does not make
	 * an ETA of milliseconds. */
	if (gr == NULL)
		gr = &none;
	if (!isnan(s->mem) && !isnan(s->mem_prev) && dt > 0) {
		growth = (s->mem - s->mem_prev) * 1000.0 / (double)dt;
		gr->rate = gr->known ? 0.5 * gr->rate + 0.5 * growth : growth;
		gr->known = 1;
		if (!isnan(s->swap) && !isnan(s->swap_prev))
			growth += (s->swap - s->swap_prev) * 1000.0 / (double)dt;
		gr->foot_rate = growth;
		gr->foot_known = 1;
	}
	if (gr->known && gr->rate > 0 && isfinite(m->limit[PM_MEMORY]) &&
	    !isnan(m->v[PM_MEMORY])) {
		double left = m->limit[PM_MEMORY] - m->v[PM_MEMORY];

		m->v[PM_MEMORY_ETA] = left > 0 ? left / gr->rate * 1000.0 : 0;
	}
}

double
metrics_room_min(double a, double b)
{
	if (isnan(a))
		return b;
	if (isnan(b))
		return a;
	return a < b ? a : b;
}

void
metrics_room_eta(struct gov_metrics *m, const struct metrics_growth *gr, double room)
{
	double eta;

	if (isnan(room) || isinf(room) || gr == NULL || !gr->foot_known ||
	    !(gr->foot_rate > METRICS_FOOT_FLOOR))
		return;
	eta = room > 0 ? room / gr->foot_rate * 1000.0 : 0;
	if (isnan(m->v[PM_MEMORY_ETA]) || eta < m->v[PM_MEMORY_ETA])
		m->v[PM_MEMORY_ETA] = eta;
}

void
metrics_span_from_samples(const struct cg_sample *a, const struct cg_sample *b, int64_t dt,
    struct metrics_span *s)
{
	*s = (struct metrics_span){
		.dt_ms = dt,
		.mem = metrics_num(a->mem_current),
		.swap = metrics_num(a->swap_current),
		.pids = metrics_num(a->pids_current),
		.mem_prev = NAN, .swap_prev = NAN,
		.mem_limit = metrics_limit(a->mem_limit),
		.swap_limit = metrics_limit(a->swap_limit),
		.pids_max = metrics_limit(a->pids_max),
		.cpu_limit_cores = NAN,
		.cpu_us = NAN, .nr_periods = NAN, .nr_throttled = NAN,
		.rbytes = NAN, .wbytes = NAN, .rios = NAN, .wios = NAN,
		.psi_cpu_us = NAN, .psi_mem_us = NAN, .psi_io_us = NAN,
	};
	if (a->cpu_quota_us == CG_UNLIMITED)
		s->cpu_limit_cores = INFINITY;
	else if (a->cpu_quota_us != CG_UNKNOWN && a->cpu_period_us != CG_UNKNOWN &&
	    a->cpu_period_us > 0)
		s->cpu_limit_cores = (double)a->cpu_quota_us / (double)a->cpu_period_us;
	if (b == NULL)
		return;
	s->mem_prev = metrics_num(b->mem_current);
	s->swap_prev = metrics_num(b->swap_current);
	s->cpu_us = metrics_delta(a->cpu_usage_us, b->cpu_usage_us);
	s->nr_periods = metrics_delta(a->nr_periods, b->nr_periods);
	s->nr_throttled = metrics_delta(a->nr_throttled, b->nr_throttled);
	s->rbytes = metrics_delta(a->io.rbytes, b->io.rbytes);
	s->wbytes = metrics_delta(a->io.wbytes, b->io.wbytes);
	s->rios = metrics_delta(a->io.rios, b->io.rios);
	s->wios = metrics_delta(a->io.wios, b->io.wios);
	s->psi_cpu_us = metrics_delta(a->psi_cpu_us, b->psi_cpu_us);
	s->psi_mem_us = metrics_delta(a->psi_mem_us, b->psi_mem_us);
	s->psi_io_us = metrics_delta(a->psi_io_us, b->psi_io_us);
}

void
metrics_from_samples(const struct cg_sample *cur, const struct cg_sample *prev, int64_t dt_ms,
    struct metrics_growth *gr, struct gov_metrics *m)
{
	struct metrics_span s;

	metrics_span_from_samples(cur, prev, dt_ms, &s);
	metrics_span_eval(&s, gr, m);
}

void
metrics_span_from_rec(const struct roll_rec *r, double mem_prev, struct metrics_span *s)
{
	*s = (struct metrics_span){
		.dt_ms = r->dt_ms,
		.mem = r->mem_avg, .swap = r->swap_avg, .pids = r->pids_avg,
		.mem_prev = mem_prev, .swap_prev = NAN,
		.mem_limit = r->mem_limit, .swap_limit = r->swap_limit,
		.pids_max = r->pids_limit,
		.cpu_limit_cores = r->cpu_limit_cores,
		.cpu_us = r->cpu_us, .nr_periods = r->nr_periods,
		.nr_throttled = r->nr_throttled,
		.rbytes = r->rbytes, .wbytes = r->wbytes, .rios = r->rios, .wios = r->wios,
		.psi_cpu_us = r->psi_cpu_us, .psi_mem_us = r->psi_mem_us,
		.psi_io_us = r->psi_io_us,
	};
}

void
metrics_from_rec(const struct roll_rec *r, struct gov_metrics *m)
{
	struct metrics_span s;

	metrics_span_from_rec(r, NAN, &s);
	metrics_span_eval(&s, NULL, m);
}

void
metrics_node_span_eval(const struct metrics_node_span *s, struct gov_metrics *m)
{
	for (int i = PM_NODE_CPU; i < PM__MAX; i++) {
		m->v[i] = NAN;
		m->limit[i] = NAN;
	}
	m->v[PM_NODE_MEMORY_AVAILABLE] = s->mem_available;
	m->limit[PM_NODE_MEMORY_AVAILABLE] = s->mem_total;
	m->v[PM_NODE_SWAP_FREE] = s->swap_free;
	m->limit[PM_NODE_SWAP_FREE] = s->swap_total;
	m->v[PM_NODE_CPU] = metrics_busy_pct(s->cpu_busy, s->cpu_total);
	m->v[PM_NODE_PRESSURE_CPU] = metrics_time_pct(s->psi_cpu_us, s->dt_ms);
	m->v[PM_NODE_PRESSURE_MEMORY] = metrics_time_pct(s->psi_mem_us, s->dt_ms);
	m->v[PM_NODE_PRESSURE_IO] = metrics_time_pct(s->psi_io_us, s->dt_ms);
	/* node.temp comes from the sensors' own cadence, not from the
	 * tick's samples: the caller sets it (governing.c). */
	m->sensors = NULL;
	m->nsensors = 0;
}

void
metrics_node_span_from_samples(const struct cg_node *a, const struct cg_node *b, int64_t dt,
    struct metrics_node_span *s)
{
	*s = (struct metrics_node_span){
		.dt_ms = dt,
		.mem_total = metrics_num(a->mem.mem_total),
		.mem_available = metrics_num(a->mem.mem_available),
		.swap_total = metrics_num(a->mem.swap_total),
		.swap_free = metrics_num(a->mem.swap_free),
		.cpu_busy = NAN, .cpu_total = NAN,
		.psi_cpu_us = NAN, .psi_mem_us = NAN, .psi_io_us = NAN,
	};
	if (b == NULL)
		return;
	/* Counted since boot, never reset: backwards is a kernel quirk, and
	 * counting from zero would make a busy % of thousands. */
	if (a->cpu.busy != CG_UNKNOWN && b->cpu.busy != CG_UNKNOWN &&
	    a->cpu.total != CG_UNKNOWN && b->cpu.total != CG_UNKNOWN &&
	    a->cpu.busy >= b->cpu.busy && a->cpu.total > b->cpu.total) {
		s->cpu_busy = (double)(a->cpu.busy - b->cpu.busy);
		s->cpu_total = (double)(a->cpu.total - b->cpu.total);
	}
	s->psi_cpu_us = metrics_delta(a->psi_cpu_us, b->psi_cpu_us);
	s->psi_mem_us = metrics_delta(a->psi_mem_us, b->psi_mem_us);
	s->psi_io_us = metrics_delta(a->psi_io_us, b->psi_io_us);
}

void
metrics_node_from_samples(const struct cg_node *cur, const struct cg_node *prev, int64_t dt_ms,
    struct gov_metrics *m)
{
	struct metrics_node_span s;

	metrics_node_span_from_samples(cur, prev, dt_ms, &s);
	metrics_node_span_eval(&s, m);
}

void
metrics_node_span_from_rec(const struct roll_node_rec *r, struct metrics_node_span *s)
{
	*s = (struct metrics_node_span){
		.dt_ms = r->dt_ms,
		.mem_total = r->mem_total, .mem_available = r->mem_avail_avg,
		.swap_total = r->swap_total, .swap_free = r->swap_free_avg,
		.cpu_busy = r->cpu_busy_ms, .cpu_total = r->cpu_total_ms,
		.psi_cpu_us = r->psi_cpu_us, .psi_mem_us = r->psi_mem_us,
		.psi_io_us = r->psi_io_us,
	};
}

void
metrics_node_from_rec(const struct roll_node_rec *r, struct gov_metrics *m)
{
	struct metrics_node_span s;

	metrics_node_span_from_rec(r, &s);
	metrics_node_span_eval(&s, m);
}
