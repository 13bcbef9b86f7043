/* simulate.h: replaying a policy set against stored history (`cgov policy
 * simulate`).
 *
 * The replay feeds the daemon's own governor (govern.h) with what the
 * history recorded, and reports when each rule would have fired, on which
 * container, which knob values its rungs would have wanted, and when it
 * would have cleared. Nothing here touches cgroupfs: it reads the store
 * and runs the pure engine, nothing else.
 *
 * Semantics, so that a replay of raw ticks is the daemon's decision tick
 * for tick:
 *   - every record is one step of the governor, with the record's time as
 *     the clock; its metric values come from the record through the
 *     daemon's arithmetic (metrics_span_eval: cores = cpu_us / dt, %
 *     throttled = nr_throttled / nr_periods, rates = sum / dt, PSI %,
 *     memory.eta from the smoothed growth between records);
 *   - a raw tick is evaluated once, at its time (the end of the tick, as
 *     the daemon evaluates it);
 *   - a rolled-up record (a minute or an hour, where only those remain or
 *     when a coarser resolution is asked for) is a span whose figures held
 *     all along: its means (memory, swap and pids: mem_avg, swap_avg,
 *     pids_avg; rates: sums / dt) are evaluated at the bucket's start and
 *     again at its end. A `for 30s` that holds over a whole minute thus
 *     fires at the end of that minute: times are exact to the resolution
 *     replayed, and a mean can hide a short storm (or stretch one);
 *   - node metrics (node.cpu, ...) come from the node record of the same
 *     time (the daemon reads the node before it evaluates containers);
 *   - containers are matched once, by cgroup glob and runtime, with the
 *     process names unknown: the history does not record them, so a
 *     policy with `match process` matches nothing here (sim_result.nproc
 *     counts them, for a warning);
 *   - the base value of each knob ("50% of current", "85% of limit") is
 *     the limit the history recorded at the record (memory limit, swap
 *     allowed, cpu shares, cpu quota); pids.max and memory.high are not in
 *     the rolled-up records and are unknown. Limits that a running cgovd
 *     had changed are in the history as changed.
 *
 * Costs: the containers are matched once; per record, one array lookup,
 * the metric arithmetic and the governor's evaluation, no allocation and
 * no SQL. A container that no policy matches costs the lookup alone, and
 * one whose rules are all idle and whose WHEN conditions are all false is
 * not evaluated at all (the governor would not change a thing).
 */
#ifndef CGOV_SIMULATE_H
#define CGOV_SIMULATE_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "govern.h"
#include "policy.h"
#include "rollup.h"
#include "store.h"

/* One knob value a rung would have wanted. */
struct sim_want {
	int rung;                        /* the `do` step (0 = first) */
	enum pol_knob knob;
	dev_t dev;                       /* io knobs; 0 = every disk */
	int64_t value;                   /* knob unit, POL_MAX "max"; GOV_UNKNOWN:
	                                    nothing wanted, see note */
	int64_t start_ms;                /* when the rung fired */
	char note[160];                  /* "" or why nothing is wanted: the rung
	                                    was skipped (no base to be relative
	                                    to) or another rule's value wins */
	char why[192];                   /* the governor's reason, with the
	                                    observed values: "cpu 0.8 cores > 0.5
	                                    cores for 30s" (tenant-free text) */
};

/* One firing: a rule of a policy became active on a container, climbed its
 * ladder and (perhaps) cleared. */
struct sim_firing {
	size_t ct;                       /* index in sim_result.ct */
	const struct policy *policy;     /* borrowed from the set */
	const struct pol_rule *rule;
	int64_t start_ms;                /* rung 0 fired */
	int64_t end_ms;                  /* the rule cleared (restore); STORE_NULL:
	                                    still active at the end of the replay */
	int gone;                        /* ended because the container vanished */
	char end_why[192];               /* "cpu 0.1 cores <= 0.5 cores for 1m" */
	struct sim_want *wants;          /* in firing order; a rung may want two
	                                    knobs (the v1 fallback), or none */
	size_t nwants, cap;
};

struct sim_ct {
	int64_t cid;
	char *path, *name, *runtime;     /* tenant-controlled: escape on output */
	int64_t gone_ms;                 /* STORE_NULL while present */
	int governed;                    /* a policy of the set matches it */
	int64_t records;                 /* records replayed */
	int64_t first_ms, last_ms;       /* first and last record (0: none) */
};

struct sim_rule {
	const struct policy *policy;
	const struct pol_rule *rule;
	size_t matched;                  /* containers its policy matches */
	size_t fired;                    /* containers it fired on */
	size_t firings;
	int64_t held_ms;                 /* total time in force (until the end of
	                                    the replay for a firing still active) */
};

struct sim_result {
	int64_t from_ms, to_ms;          /* the window asked, [from, to) */
	int64_t first_ms, last_ms;       /* the first and last record replayed
	                                    (record times; 0 when none) */
	int64_t end_ms;                  /* where the replay ends: the end of the
	                                    last step (last_ms, or a bucket's end) */
	int64_t steps[ROLL_NTIERS];      /* distinct times replayed per tier:
	                                    raw ticks, 1m and 1h buckets */
	int64_t records[ROLL_NTIERS];    /* container records per tier */
	int64_t evals;                   /* governor evaluations run */
	size_t npolicies, nrules;
	size_t nproc;                    /* policies with `match process`: not
	                                    replayed */
	struct sim_ct *ct;               /* every container of the history */
	size_t nct, ngoverned;
	struct sim_rule *rules;          /* every rule of the set, in set order */
	struct sim_firing *firings;      /* by start, then container path */
	size_t nfirings;
};

/* --- the replay on a store ----------------------------------------------- */

/* Replays set (checked, borrowed: it must outlive *ret) against the history
 * of st over [from_ms, to_ms), at the finest resolution the history holds
 * (step_ms 0) or at the coarsest tier whose bucket is at most step_ms
 * (roll_scan's rule). cfg: the governor's settings (NULL: cgroup v2 and the
 * defaults; cgroup_version 1 replays the v1 fallback of memory high). On
 * success *ret is filled (free with sim_result_free); on error it is
 * empty. Returns 0 or a negative errno (the store's, or roll_scan's). */
int simulate_run(struct store *st, const struct policy_set *set, const struct gov_config *cfg,
    int64_t from_ms, int64_t to_ms, int64_t step_ms, struct sim_result *ret);
void sim_result_free(struct sim_result *r);

/* --- the engine alone (simulate_run is these four) ------------------------- */

struct sim;

/* A replay of set over containers cts[0..n) (copied), for records in
 * [from_ms, to_ms). */
struct sim *sim_new(const struct policy_set *set, const struct gov_config *cfg,
    const struct store_container *cts, size_t n, int64_t from_ms, int64_t to_ms);
/* Feeds one record, in time order (roll_scan's callbacks: they return 0).
 * Records of containers not given to sim_new are ignored. */
int sim_rec(void *sim, const struct roll_rec *r);
int sim_node(void *sim, const struct roll_node_rec *r);
/* Ends the replay, fills *ret and frees s. */
void sim_finish(struct sim *s, struct sim_result *ret);

#endif
