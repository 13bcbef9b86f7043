/* metrics.h: the metrics of the policy language, from figures.
 *
 * One place turns what was measured into what the conditions see (cores,
 * % of CFS periods throttled, I/O bytes/s and ops/s, PSI % of wall time,
 * memory.eta, the node's busy %), and what `cgov top`, `history` and
 * `report` show: the daemon's tick (two samples) and a span of history (a
 * stored tick, a minute, an hour, or the merge of a window) go through the
 * same span arithmetic, metrics_span_eval. Pure: no I/O, no store, no
 * logging, no allocation.
 *
 * Every figure is a double: NAN when unknown, and a limit is INFINITY when
 * there is none. The rules for unknown inputs, decided here once (and in
 * cgov.policy(5), "UNKNOWN VALUES"):
 *   - unknown in, unknown out: an unknown figure is never taken as 0, and
 *     a figure made of parts (read + write, a % of a limit) is unknown
 *     when any part is (`cgov top`'s PSI% is the exception: the largest
 *     of the pressures known, so that v1 without I/O wait shows one);
 *   - a span with dt <= 0 (the first sample) has no rates: cpu, io.*,
 *     pressure.* and memory growth are unknown (throttled, a ratio of two
 *     counts of the span, needs no time: known when both counts are);
 *   - a container's counter that went backwards was reset (the cgroup was
 *     re-created, the counter wrapped): it counts from zero. The node's
 *     /proc/stat counters are since boot and never reset: one that went
 *     backwards gives no node.cpu;
 *   - % of CFS periods throttled is 0 when no period elapsed (no quota, or
 *     nothing ran): both counts are known, nothing was throttled;
 *   - no limit is INFINITY; a % of a limit that is unknown, unlimited or 0
 *     is unknown (a condition "N% of limit" on it is false);
 *   - memory.eta is unknown unless memory and a finite limit are known and
 *     the smoothed growth is positive; 0 at or over the limit. That is
 *     the container's own limit; the daemon then counts down to the
 *     nearest limit enclosing it (metrics_room_eta: an ancestor cgroup's
 *     limit, the node's MemAvailable), so a tenant without a limit of its
 *     own has an ETA too. A span of history knows only its own limit.
 */
#ifndef CGOV_METRICS_H
#define CGOV_METRICS_H

#include <stdint.h>

#include "govern.h"
#include "rollup.h"
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

/* A counter's delta over dt_ms of wall time as a % of that time (PSI
 * stall microseconds, throttled microseconds); NAN as metrics_rate. */
double metrics_time_pct(double us, int64_t dt_ms);

/* --- combining figures --------------------------------------------------- */

/* a + b (read + write); NAN when either is unknown. */
double metrics_sum(double a, double b);

/* The larger of a and b; NAN when either is unknown. */
double metrics_max(double a, double b);

/* 100 * part / whole; NAN when either is unknown, or whole is infinite
 * (no limit) or not > 0. */
double metrics_pct(double part, double whole);

/* % of CFS periods throttled, from the counts of one span: 0 when no
 * period elapsed, NAN when either count is unknown. */
double metrics_throttled_pct(double nr_periods, double nr_throttled);

/* % of the CPUs' time busy, from the deltas of one span in any one unit:
 * NAN when either is unknown, total is not > 0, or busy is not within
 * 0..total (a counter that went backwards and was stored as counting from
 * zero: /proc/stat's counters are since boot, busy is part of total). */
double metrics_busy_pct(double busy, double total);

/* --- a container -------------------------------------------------------- */

/* A container's memory growth, smoothed across spans (half the weight on
 * the newest span) so one burst does not make an ETA of milliseconds.
 * Zero it before the first span. */
struct metrics_growth {
	double rate;                     /* bytes/s of memory */
	int known;
	/* The footprint's growth over the last span alone: memory plus swap
	 * (memory alone where swap is not known). What counts toward an
	 * enclosing limit: there the room runs out for everyone at once (a
	 * full node leaves each tenant ~0), so a smoothed rate, which decays
	 * but never reaches 0, would give a tenant that grew once, at its
	 * start, an eta of milliseconds for ever after; and a tenant that
	 * refaults what reclaim swapped out moves pages from swap back to
	 * memory: its memory grows, its footprint does not. */
	double foot_rate;                /* bytes/s */
	int foot_known;
};

/* A footprint growing slower than this is not growing (page jitter). */
#define METRICS_FOOT_FLOOR (1024.0 * 1024.0)    /* bytes/s */

/* One container over one span: a tick (the daemon: deltas of two samples)
 * or a stored record (`cgov policy simulate`: a tick, a minute, an hour). */
struct metrics_span {
	int64_t dt_ms;                   /* the span's length; <= 0: no rates */
	double mem, swap, pids;          /* bytes, bytes, tasks: the level */
	double mem_prev;                 /* the level one span earlier (growth);
	                                    NAN: none */
	double swap_prev;                /* the same of swap (footprint growth) */
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
 * unlimited). growth may be NULL: no growth is kept, memory.eta is
 * unknown. */
void metrics_span_eval(const struct metrics_span *s, struct metrics_growth *growth,
    struct gov_metrics *m);

/* The lesser of two headrooms in bytes (what a limit leaves: limit less
 * usage, the node's MemAvailable): INFINITY is no limit, NAN unknown. The
 * least of those known: an unknown part (an ancestor that vanished, a
 * meminfo not read) is left out, not taken for 0 nor for the whole
 * answer; NAN only when both are. A lower bound does not need every part:
 * the container reaches the least known one no later than it says. */
double metrics_room_min(double a, double b);

/* Lowers m's memory.eta (as metrics_span_eval left it, of the container's
 * own limit) to the time until the container's footprint growth of the
 * last span (gr->foot_rate, memory plus swap: see struct metrics_growth)
 * uses up room: the least headroom of the limits that enclose the container above
 * its own (its ancestors' limits less their usage, the node's
 * MemAvailable; metrics_room_min). 0 when room <= 0. Leaves memory.eta as
 * it is when room is NAN or INFINITY, or gr is NULL, unknown or growing
 * by METRICS_FOOT_FLOOR or less (unknown stays unknown). */
void metrics_room_eta(struct gov_metrics *m, const struct metrics_growth *gr, double room);

/* The span between the cumulative samples cur and prev (NULL on the first
 * tick: levels and limits, no rates), dt_ms apart. */
void metrics_span_from_samples(const struct cg_sample *cur, const struct cg_sample *prev,
    int64_t dt_ms, struct metrics_span *ret);

/* metrics_span_from_samples, then metrics_span_eval: the daemon's tick. */
void metrics_from_samples(const struct cg_sample *cur, const struct cg_sample *prev,
    int64_t dt_ms, struct metrics_growth *growth, struct gov_metrics *m);

/* The span of one history record (roll_rec: a stored tick, a minute, an
 * hour, or roll_sum_rec's merge of a window): levels are its means, counter
 * deltas its sums over r->dt_ms of sampled time, limits those in force at
 * its end. mem_prev: the mean of the record one span earlier (memory
 * growth), NAN when none. A stored tick gives the span the daemon saw at
 * that tick (its counters are the same deltas). */
void metrics_span_from_rec(const struct roll_rec *r, double mem_prev, struct metrics_span *ret);

/* metrics_span_from_rec without growth, then metrics_span_eval: what
 * `cgov top`, `history` and `report` show of a span (memory.eta unknown). */
void metrics_from_rec(const struct roll_rec *r, struct gov_metrics *m);

/* --- the node ----------------------------------------------------------- */

/* The node over one span. cpu_busy and cpu_total are deltas in any one
 * unit (NAN unknown; busy % as metrics_busy_pct). */
struct metrics_node_span {
	int64_t dt_ms;
	double mem_total, mem_available, swap_total, swap_free;   /* bytes */
	double cpu_busy, cpu_total;
	double psi_cpu_us, psi_mem_us, psi_io_us;                 /* deltas */
};

/* Fills the node metrics of m (PM_NODE_*; container metrics untouched): %
 * of all CPUs busy, memory and swap available with their totals as limits,
 * PSI %; node.temp unknown and no sensors (the daemon adds them). */
void metrics_node_span_eval(const struct metrics_node_span *s, struct gov_metrics *m);

/* The node's span between samples cur and prev (NULL: the first tick),
 * dt_ms apart. /proc/stat's counters only grow: one that went backwards,
 * or an unknown one, gives no busy %. */
void metrics_node_span_from_samples(const struct cg_node *cur, const struct cg_node *prev,
    int64_t dt_ms, struct metrics_node_span *ret);

/* metrics_node_span_from_samples, then metrics_node_span_eval. */
void metrics_node_from_samples(const struct cg_node *cur, const struct cg_node *prev,
    int64_t dt_ms, struct gov_metrics *m);

/* The node's span of one history record (roll_node_rec), as
 * metrics_span_from_rec: memory and swap available are the means, their
 * totals those at the end, the CPU and PSI counters the sums. */
void metrics_node_span_from_rec(const struct roll_node_rec *r, struct metrics_node_span *ret);

/* metrics_node_span_from_rec, then metrics_node_span_eval. */
void metrics_node_from_rec(const struct roll_node_rec *r, struct gov_metrics *m);

#endif
