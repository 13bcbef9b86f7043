/* metrics.h: the metrics of the policy language, from figures.
 *
 * One place turns what was measured into what the conditions see (cores,
 * % of CFS periods throttled, I/O bytes/s and ops/s, PSI % of wall time,
 * memory.eta, the node's busy %), so the daemon's tick and a replay of
 * stored history judge the same figures alike. Pure: no I/O, no store, no
 * logging, no allocation.
 *
 * Every figure is a double: NAN when unknown, and a limit is INFINITY when
 * there is none.
 */
#ifndef CGOV_METRICS_H
#define CGOV_METRICS_H

#include <stdint.h>

#include "govern.h"
#include "sampler.h"

/* --- figures from the sampler's counters -------------------------------- */

/* A sampled value: NAN when CG_UNKNOWN. */
double metrics_num(uint64_t v);

/* A sampled limit: NAN when CG_UNKNOWN, INFINITY when CG_UNLIMITED. */
double metrics_limit(uint64_t v);

/* A cumulative counter's delta between two samples; NAN when either end is
 * unknown. A counter that went backwards was reset: it counts from zero. */
double metrics_delta(uint64_t cur, uint64_t prev);

/* A delta's rate per second over dt_ms; NAN when the delta is unknown or
 * dt_ms is not > 0. */
double metrics_rate(double delta, int64_t dt_ms);

/* --- a container -------------------------------------------------------- */

/* A container's memory growth, smoothed across spans (half the weight on
 * the newest span) so one burst does not make an ETA of milliseconds.
 * Zero it before the first span. */
struct metrics_growth {
	double rate;                     /* bytes/s */
	int known;
};

/* One container over one span: a tick (the daemon: deltas of two samples)
 * or a stored record (`cgov policy simulate`: a tick, a minute, an hour). */
struct metrics_span {
	int64_t dt_ms;                   /* the span's length; <= 0: no rates */
	double mem, swap, pids;          /* bytes, bytes, tasks: the level */
	double mem_prev;                 /* the level one span earlier (growth);
	                                    NAN: none */
	double mem_limit, swap_limit, pids_max;
	double cpu_limit_cores;          /* quota / period */
	/* counter deltas over the span */
	double cpu_us, nr_periods, nr_throttled;
	double rbytes, wbytes, rios, wios;
	double psi_cpu_us, psi_mem_us, psi_io_us;
};

/* Fills the container metrics of m (node metrics untouched) from span s and
 * updates the smoothed growth: cores from CPU time, % of CFS periods
 * throttled (0 when no period elapsed), I/O rates, PSI "some" as % of wall
 * time, memory.eta from the smoothed growth (unknown when not growing or
 * unlimited). */
void metrics_span_eval(const struct metrics_span *s, struct metrics_growth *growth,
    struct gov_metrics *m);

/* The span between the cumulative samples cur and prev (NULL on the first
 * tick: levels and limits, no rates), dt_ms apart. */
void metrics_span_from_samples(const struct cg_sample *cur, const struct cg_sample *prev,
    int64_t dt_ms, struct metrics_span *ret);

/* metrics_span_from_samples, then metrics_span_eval: the daemon's tick. */
void metrics_from_samples(const struct cg_sample *cur, const struct cg_sample *prev,
    int64_t dt_ms, struct metrics_growth *growth, struct gov_metrics *m);

/* --- the node ----------------------------------------------------------- */

/* The node over one span. cpu_busy and cpu_total are deltas in any one
 * unit (NAN unknown; busy % is NAN unless total > 0). */
struct metrics_node_span {
	int64_t dt_ms;
	double mem_total, mem_available, swap_total, swap_free;   /* bytes */
	double cpu_busy, cpu_total;
	double psi_cpu_us, psi_mem_us, psi_io_us;                 /* deltas */
};

/* Fills the node metrics of m (PM_NODE_*; container metrics untouched): %
 * of all CPUs busy, memory and swap available with their totals as limits,
 * PSI %; node.temp unknown. */
void metrics_node_span_eval(const struct metrics_node_span *s, struct gov_metrics *m);

/* The node's span between samples cur and prev (NULL: the first tick),
 * dt_ms apart. /proc/stat's counters only grow: one that went backwards,
 * or an unknown one, gives no busy %. */
void metrics_node_span_from_samples(const struct cg_node *cur, const struct cg_node *prev,
    int64_t dt_ms, struct metrics_node_span *ret);

/* metrics_node_span_from_samples, then metrics_node_span_eval. */
void metrics_node_from_samples(const struct cg_node *cur, const struct cg_node *prev,
    int64_t dt_ms, struct gov_metrics *m);

#endif
