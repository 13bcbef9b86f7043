/* governing.h: the governing half of cgovd's tick.
 *
 * Glue between the fleet (what was sampled), the governor (govern.h: what
 * the policies want) and the actuator (act.h: journal, write, restore).
 * Per tick, fleet_tick() hands every container's samples to the observer
 * registered here, which turns them into the metrics the conditions see
 * (cores, rates, % throttled, PSI %, memory growth); governing_run() then,
 * outside the store's tick transaction, evaluates and acts, and journals the
 * rule state changes and the daemon's heartbeat.
 *
 * Process names (for `match process` and JVM detection) are read every
 * process-interval, at most GOVERNING_MAX_TASKS tasks per container, and
 * only while a policy set is loaded: a node without policies pays nothing.
 */
#ifndef CGOV_GOVERNING_H
#define CGOV_GOVERNING_H

#include <stdint.h>

#include "act.h"
#include "cgfs.h"
#include "conf.h"
#include "fleet.h"
#include "govern.h"
#include "policy.h"
#include "store.h"

#define GOVERNING_MAX_TASKS 32

/* --- metrics: what the conditions see, from two samples ---------------- */

/* A container's memory growth, smoothed across ticks (half the weight on
 * the newest tick) so one burst does not make an ETA of milliseconds. */
struct governing_growth {
	double rate;                     /* bytes/s */
	int known;
};

/* Fills the container metrics of m (node metrics untouched) from the
 * cumulative samples cur and prev (NULL on the first tick), dt ms apart:
 * cores from cpu usage, % of CFS periods throttled, io bytes/s and ops/s
 * (a counter that went backwards was reset: it counts from zero), PSI
 * "some" as % of wall time, memory.eta from the smoothed growth (unknown
 * when not growing or unlimited). Unknown figures are NAN; limits are
 * INFINITY when unlimited. The arithmetic is governing_span_metrics'. */
void governing_metrics(const struct cg_sample *cur, const struct cg_sample *prev, int64_t dt,
    struct governing_growth *growth, struct gov_metrics *m);

/* One container over one span: a tick (the daemon: deltas of two samples)
 * or a stored record (`cgov policy simulate`: a tick, a minute, an hour).
 * Every figure is a double, NAN when unknown; limits INFINITY when
 * unlimited. */
struct governing_span {
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

/* The metric arithmetic shared by the daemon and the replay, so both see
 * the same values from the same figures: fills the container metrics of m
 * (node metrics untouched) and updates the smoothed growth. */
void governing_span_metrics(const struct governing_span *s, struct governing_growth *growth,
    struct gov_metrics *m);

/* Fills the node metrics of m (PM_NODE_*): % of all CPUs busy, memory and
 * swap available with their totals as limits, PSI %; node.temp unknown. */
void governing_node_metrics(const struct cg_node *cur, const struct cg_node *prev, int64_t dt,
    struct gov_metrics *m);

/* The node over one span, as governing_span. cpu_busy and cpu_total are
 * deltas in any one unit (NAN unknown; busy % is NAN unless total > 0). */
struct governing_node_span {
	int64_t dt_ms;
	double mem_total, mem_available, swap_total, swap_free;   /* bytes */
	double cpu_busy, cpu_total;
	double psi_cpu_us, psi_mem_us, psi_io_us;                 /* deltas */
};
void governing_node_span_metrics(const struct governing_node_span *s, struct gov_metrics *m);

struct governing;

/* A governor for the containers of fleet f (borrowed; the observer is
 * registered on it), writing through fs, journaling to st (may be NULL). */
struct governing *governing_new(const struct cgfs *fs, struct fleet *f, struct store *st,
    const struct conf *c, int dry_run);
/* Unregisters the observer and frees; does not restore (governing_exit). */
void governing_free(struct governing *g);

/* A new (or no longer any) history: reconciles with what a previous cgovd
 * left in its journal the first time a store is given. */
void governing_set_store(struct governing *g, struct store *st, int64_t now_ms);

/* The host's cgroup version for policy checks: 2 on a pure v2 host, else 1. */
int governing_cgroup_version(const struct cgfs *fs);

/* Loads the policy set at path for this host, logging every diagnostic as
 * "file:line:col: ...". Returns 0 and *ret, -ENOENT when path does not
 * exist, -EINVAL when it has errors (logged), other -errno. */
int governing_load(const char *path, int cgroup_version, struct policy_set **ret);

/* Installs ps (ownership taken; NULL: no policies). Knobs that the new set
 * no longer wants are restored on the next governing_run(). */
void governing_set_policies(struct governing *g, struct policy_set *ps);

/* Applies the settings a reload may change: the cadences, the policy path
 * and exit-restore. The rate cap, the JVM buffer and v1-high-cpu are read
 * at start only (cgov.conf(5)). */
void governing_set_conf(struct governing *g, const struct conf *c);

/* Evaluates and acts for every container sampled by the last fleet_tick. */
void governing_run(struct governing *g, int64_t now_ms);

/* Clean exit: restores what the rules set (and the static limits when the
 * configuration says exit-restore all), records the daemon's stop. */
void governing_exit(struct governing *g, int64_t now_ms);

#endif
