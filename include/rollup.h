/* rollup.h: history that lasts: 1-minute and 1-hour tiers, retention, and
 * reading any window back at the coarsest tier that answers it.
 *
 * Raw samples (store.h, one row per container and tick) are rolled up by
 * cgovd into a minute tier (from the raw rows) and an hour tier (from the
 * minute rows). Every tier row, and every raw row as the reader hands it
 * out, is a `struct roll_rec`: a summary of one container over a span (one
 * tick, one minute, one hour). Summaries merge (roll_sum): the minute row
 * is the merge of its ticks, the hour row the merge of its minutes, and a
 * report's figure over 30 days the merge of the rows the scan returns.
 *
 * Arithmetic (doc/store.md, "Rollups", says it in words):
 *   - gauges (memory, swap, pids): min, time-weighted mean, max, and p95;
 *   - counters (CPU time, throttling, I/O, PSI stall time) are deltas
 *     summed over the span; a rate is sum / dt. Where a counter was unknown
 *     in some ticks of the span (a reset, a new container) its sum is
 *     extrapolated to the span's dt from the ticks where it was known, so
 *     sum / dt stays the rate over the known time;
 *   - p95 of a span: the 95th percentile by nearest rank, weighted by
 *     samples, of the p95 values of the merged records. From raw rows
 *     (a raw record's p95 is its value) this is the exact p95 of the
 *     samples; the hour's p95 is the 95th percentile of its minutes' p95s,
 *     which equals the exact figure for load that is steady within each
 *     minute and is bounded by the minutes' p95 range otherwise;
 *   - p50 (roll_sum_get only): the weighted median of the records' means;
 *   - limits: the values in force at the end of the span.
 *
 * Error contract: the store's (store.h): 0 or a negative errno.
 */
#ifndef CGOV_ROLLUP_H
#define CGOV_ROLLUP_H

#include <stddef.h>
#include <stdint.h>

#include "store.h"

enum roll_tier {
	ROLL_RAW = 0,
	ROLL_MINUTE = 1,
	ROLL_HOUR = 2,
	ROLL_NTIERS
};

/* Length of a tier's bucket in ms (ROLL_RAW: 0, a tick is its own span). */
int64_t roll_tier_ms(enum roll_tier t);
const char *roll_tier_name(enum roll_tier t);     /* "raw", "1m", "1h" */

/* One container over one span. Doubles are NAN when unknown; limits are
 * INFINITY when there is none. */
struct roll_rec {
	int64_t cid;
	enum roll_tier tier;
	int64_t ts_ms;             /* raw: the tick's time; tiers: bucket start */
	int64_t n;                 /* samples (ticks) merged */
	int64_t dt_ms;             /* sampled time: the sum of the ticks' lengths */
	/* gauges, bytes / tasks */
	double mem_min, mem_avg, mem_max, mem_p95;
	double swap_avg, swap_max;
	double pids_avg, pids_max;
	/* counter sums over dt_ms (extrapolated where partly unknown) */
	double cpu_us;
	double nr_periods, nr_throttled, throttled_us;
	double rbytes, wbytes, rios, wios;
	double psi_cpu_us, psi_mem_us, psi_io_us;
	/* per-tick rates within the span */
	double cpu_p95, cpu_max;   /* cores */
	double io_p95;             /* bytes/s, read + write */
	double iops_p95;           /* operations/s, read + write */
	/* events: counts, not extrapolated */
	int64_t oom, oom_kill;     /* STORE_NULL when unknown */
	/* limits in force at the end of the span */
	double mem_limit, swap_limit;      /* bytes */
	double cpu_shares;                 /* v1 scale, 1024 = default */
	double cpu_limit_cores;            /* quota / period */
	double pids_limit;                 /* pids.max */
};

/* A record with nothing known yet: NAN doubles, STORE_NULL counts, zero
 * n and dt. Fill what you know (generators, tests). */
void roll_rec_init(struct roll_rec *r, int64_t cid);

/* The node over one span. */
struct roll_node_rec {
	enum roll_tier tier;
	int64_t ts_ms, n, dt_ms;
	double ncpu;
	double mem_total;                      /* bytes, at the end of the span */
	double mem_avail_min, mem_avail_avg;   /* bytes */
	double swap_total;                     /* bytes, at the end */
	double swap_free_min, swap_free_avg;   /* bytes */
	double cpu_busy_ms, cpu_total_ms;      /* sums: busy % = 100 * busy / total */
	double cpu_busy_p95;                   /* % of all CPUs, per-tick p95 */
	double load1_avg, load1_max;           /* as the kernel prints it */
	double psi_cpu_us, psi_mem_us, psi_io_us;
};

void roll_node_rec_init(struct roll_node_rec *r);

/* --- merging ------------------------------------------------------------ */

/* The merge of any number of records of one container (or of the node's).
 * Zero it with roll_sum_init; free with roll_sum_free. */
struct roll_pct {            /* weighted values for a percentile */
	float *v;
	uint32_t *w;
	size_t n, cap;
};

struct roll_sum {
	struct roll_rec r;       /* running: sums, min/max, last limits */
	double mem_wsum, swap_wsum, pids_wsum;       /* for the means */
	int64_t mem_n, swap_n, pids_n;
	/* ms over which each counter family was known, for extrapolation */
	int64_t cpu_dt, thr_dt, io_dt, psi_dt;
	struct roll_pct mem_p95, mem_avg, cpu_p95, io_p95, iops_p95;
	int64_t last_ts_ms;
	int no_pct;              /* set after init: skip percentiles (NAN) */
};

void roll_sum_init(struct roll_sum *s, int64_t cid);
void roll_sum_free(struct roll_sum *s);
/* Adds a record. Records may come in any order; limits are those of the
 * newest record (by ts_ms) that knows them. */
void roll_sum_add(struct roll_sum *s, const struct roll_rec *r);
/* The merged record (its tier, ts_ms: the earliest record's). */
void roll_sum_rec(struct roll_sum *s, struct roll_rec *ret);
/* Figures over the merged records: p50 memory is the median of the
 * records' means, p95s as above. NAN when no record knew them. */
double roll_sum_mem_p50(struct roll_sum *s);

struct roll_node_sum {
	struct roll_node_rec r;
	double avail_wsum, swap_wsum, load_wsum;
	int64_t avail_n, swap_n, load_n;
	struct roll_pct busy_p95;
	int64_t last_ts_ms;
};
void roll_node_sum_init(struct roll_node_sum *s);
void roll_node_sum_free(struct roll_node_sum *s);
void roll_node_sum_add(struct roll_node_sum *s, const struct roll_node_rec *r);
void roll_node_sum_rec(struct roll_node_sum *s, struct roll_node_rec *ret);

/* Weighted percentile by nearest rank (p in 0..100): the smallest value v
 * such that the weight of values <= v is at least p% of the total. NAN when
 * empty. Sorts p in place. */
double roll_pct_get(struct roll_pct *p, double pct);
void roll_pct_add(struct roll_pct *p, double v, uint32_t w);
void roll_pct_free(struct roll_pct *p);

/* --- reading a window --------------------------------------------------- */

/* Calls cb for every container record of the window [from_ms, to_ms)
 * (pass to_ms = latest + 1 to include the newest tick)
 * cid 0: every container; else that one), and node_cb (may be NULL) for
 * the node's, in time order. step_ms picks the tier: the coarsest whose
 * bucket is at most step_ms (step 0: raw). The window is covered by:
 *   - that tier's complete buckets inside the window;
 *   - finer tiers for the edges and for the newest buckets not rolled up
 *     yet (down to raw ticks);
 *   - coarser tiers where the finer data was already dropped by retention
 *     (those buckets may stick out of the window at its old end).
 * A callback returning nonzero stops the scan and is returned. Reads one
 * snapshot. Times are ms since the epoch; raw ticks belong to the span
 * their ts_ms falls in. */
typedef int (*roll_cb)(void *arg, const struct roll_rec *r);
typedef int (*roll_node_cb)(void *arg, const struct roll_node_rec *r);
int roll_scan(struct store *st, int64_t from_ms, int64_t to_ms, int64_t step_ms,
    int64_t cid, roll_cb cb, roll_node_cb node_cb, void *arg);

/* The newest tick's time (ms since the epoch), 0 when there is none. The
 * end of every window the CLI asks for ("--since D" is [latest - D,
 * latest]). */
int roll_latest_ms(struct store *st, int64_t *ret_ms);

/* What each tier holds: its oldest bucket start and the end of its newest
 * complete bucket (0, 0 when empty), and its rows. */
struct roll_tier_info {
	int64_t first_ms, end_ms;
	int64_t partial_ms;        /* hour tier: the row of the bucket at end_ms
	                              covers [end_ms, partial_ms); 0: none */
	int64_t rows;              /* -1 when not counted */
};
int roll_info(struct store *st, int count_rows, struct roll_tier_info ret[ROLL_NTIERS]);

/* --- the writer's side (cgovd) ------------------------------------------- */

struct roll_conf {
	int64_t keep_ms[ROLL_NTIERS];   /* retention per tier; 0: forever */
	int64_t max_bytes;              /* size cap of the database; 0: none */
	int64_t batch_rows;             /* rows deleted per batch (default 20000) */
};
void roll_conf_defaults(struct roll_conf *c);

/* One step of housekeeping, small enough for the tick's loop: rolls up the
 * oldest complete minute not rolled up yet, or else brings the current
 * hour's partial row up to the newest minute (while rollups are current:
 * a day's window then reads 24 hour rows, not 23 and up to 59 minutes),
 * or else rolls up the oldest complete hour, or else deletes one batch of
 * data past its retention or over the size cap (oldest raw first, then
 * minutes, then hours; never rows not yet rolled up into the next tier).
 * *ret_work says what was done (ROLL_IDLE: nothing left to do, the caller
 * may idle until the next minute). Each step is its own transaction; call
 * it outside a tick. now_ms is the wall clock. */
enum roll_work {
	ROLL_IDLE = 0,
	ROLL_DID_MINUTE,
	ROLL_DID_HOUR,
	ROLL_DID_TRIM,
	ROLL_DID_PARTIAL,       /* the current hour's row brought up to date */
	ROLL_NWORK
};
int roll_step(struct store *st, const struct roll_conf *c, int64_t now_ms,
    enum roll_work *ret_work);
/* What a step did, for logs and benchmarks: "idle", "minute rollup",
 * "hour rollup", "trim batch", "partial hour". */
const char *roll_work_name(enum roll_work w);

/* Writes one tier row (minute or hour) for a container or the node, as
 * roll_step does: for generators of synthetic history (tests, bench) that
 * must go through the daemon's encoding. Inside a transaction of the
 * caller's (roll_begin/roll_commit) or alone. Also marks the bucket rolled
 * up: a later roll_step will not redo it. */
int roll_begin(struct store *st);
int roll_commit(struct store *st);
int roll_put(struct store *st, const struct roll_rec *r);
int roll_put_node(struct store *st, const struct roll_node_rec *r);

#endif
