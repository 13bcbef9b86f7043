/* govern.h: the governor, turning samples into wanted knob values.
 *
 * Pure logic: no I/O, no clock. Each tick the daemon hands it, per
 * container, what it knows (path, runtime, process names, metrics, the base
 * value of each knob) and the time; it returns the knob values the policies
 * want now. Everything not in that list should be at its base value (the
 * original, before cgov): the actuator (act.h) compares, journals, writes
 * and restores. This split is what makes restore and crash recovery simple:
 * a rule that clears, a policy that a reload drops and a cgovd that restarts
 * all come down to "this knob is no longer wanted".
 *
 * Rules, per container and rule:
 *   idle     --WHEN held for `for`-->              active (rung 0)
 *   active k --WHEN still true `escalate` after
 *              rung k was applied, k+1 exists-->   active k+1 (rungs accumulate)
 *   active   --UNTIL held for `until for`,
 *              WHEN false all along-->             cooling (wants nothing)
 *   cooling  --`cooldown` elapsed-->               idle
 * A condition on an unknown metric (NAN: gone counters, PSI on v1,
 * node.temp without sensors) is false, for WHEN and UNTIL alike; the
 * default UNTIL is "WHEN is false" for 60 s. Relative values ("85% of
 * limit", "50% of current") are resolved once, when a rung fires, against
 * the base values, so a rung in force never ratchets.
 *
 * Overlaps (documented in cgov.policy(5)): per knob, a firing rule beats a
 * static limit; among rules, or among static limits, the policy with the
 * higher priority wins, and at equal priority the most restrictive value
 * (the lowest) wins. The swap buffer is the exception: the largest buffer of
 * all matching policies wins, and a container running a JVM that no policy
 * gives a buffer gets at least the configured JVM default; a buffer a policy
 * states (0 included) wins over that floor.
 *
 * On cgroup v1, `memory high X` becomes the v1 fallback: memory soft limit
 * X plus a CPU quota of `v1_high_cpu_millicores` (unless a rule already
 * wants a lower quota) that slows the allocating tasks down.
 */
#ifndef CGOV_GOVERN_H
#define CGOV_GOVERN_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "policy.h"

struct gov_config {
	int cgroup_version;              /* 1 or 2 (v1 fallback on 1) */
	int64_t jvm_swap_buffer;         /* bytes; default 512M */
	int64_t v1_high_cpu_millicores;  /* v1 fallback quota; default 250 */
};

/* Metrics of one container and the node, as the conditions see them.
 * v[m] is in the metric's base unit (policy.h), NAN when unknown;
 * limit[m] the limit "N% of limit" refers to (memory limit, swap allowed,
 * quota cores, pids.max; MemTotal/SwapTotal for node metrics), INFINITY
 * when unlimited, NAN when unknown. */
struct gov_wins;                         /* govern.c */
struct gov_sensor {
	char name[128];                  /* "CHIP/LABEL" (temp.h) */
	double celsius;                  /* NAN unknown */
};
struct gov_metrics {
	double v[PM__MAX];
	double limit[PM__MAX];
	/* The node's temperature sensors, for node.temp "CHIP/LABEL"
	 * (borrowed; v[PM_NODE_TEMP] is the hottest). The metrics_* fill
	 * functions set none; whoever copies the node metrics in copies
	 * these with them. */
	const struct gov_sensor *sensors;
	size_t nsensors;
	/* What "N% of node|share|device" is of (cgov.policy(5), "RELATIVE
	 * CONDITIONS"); 0 or NAN: unknown, the comparison is false.
	 * metrics_span_eval sets them unknown; governing.c fills them. */
	double ncpu;                     /* the node's CPUs */
	double share;                    /* cores: this container's fair share */
	double dev[4];                   /* a disk's capability, for io.read,
	                                    io.write (bytes/s), io.read-iops,
	                                    io.write-iops (ops/s) */
	/* The windows of the rule being judged (govern.c sets it on its own
	 * copy); NULL: a comparison over a window is unknown. */
	const struct gov_wins *wins;
};

/* What the governor knows of one container this tick. */
struct gov_ct {
	uint64_t key;                    /* stable id (the store's cid) */
	const char *path, *runtime;
	const char *const *procs;        /* process names (comm, exe basename) */
	size_t nprocs;
	int procs_known;                 /* 0 until its tasks were read */
	int jvm;                         /* a task is a JVM */
	int64_t base[PK__MAX];           /* value of each knob before cgov
	                                    (non-io knobs), POL_MAX unlimited,
	                                    STORE_NULL-like INT64_MIN unknown */
};
#define GOV_UNKNOWN INT64_MIN

/* One knob value wanted now, and why. */
struct gov_want {
	enum pol_knob knob;
	dev_t dev;                       /* io knobs; 0 = every disk (knob_dev_all) */
	int64_t value;                   /* knob unit, POL_MAX unlimited */
	const struct policy *policy;
	const struct pol_rule *rule;     /* NULL: a static limit */
	int rung;                        /* index of the rule's `do` step;
	                                    -1 for a static limit */
	char why[192];                   /* "memory 3.9G > 90% of limit (4G) for 10s",
	                                    tenant-free text */
};

enum gov_state { GS_IDLE, GS_PENDING, GS_ACTIVE, GS_COOLING };
const char *gov_state_name(enum gov_state s);

/* A change of a rule's state on one container, for the journal and logs. */
struct gov_event {
	uint64_t key;
	const struct policy *policy;
	const struct pol_rule *rule;
	enum gov_state from, to;
	int rung;                        /* rung in force after the change, -1 none */
	int64_t since_ms;
	char why[192];
};

struct gov;

struct gov *gov_new(const struct gov_config *cfg);
void gov_free(struct gov *g);

/* Whether condition c holds on metrics m, as gov_eval judges WHEN and
 * UNTIL: an unknown metric (NAN), or a relative threshold without a finite
 * limit, makes a comparison false whatever its operator. So does "N% of
 * node|share|device" without that figure in m, and a comparison over a
 * window unless m->wins holds it and the window is full (window.h). */
int gov_cond_true(const struct pol_cond *c, const struct gov_metrics *m);

/* Installs a policy set (borrowed: it must outlive its use). Rule states
 * survive a reload when the policy and rule keep their names and the rule's
 * text is unchanged; other states are dropped (without events), so their
 * knobs fall back to base and get restored. Events not yet drained are
 * discarded: they point into the old set. NULL: no policies. */
void gov_set_policies(struct gov *g, const struct policy_set *ps);

/* Evaluates every matching policy for container ct at now_ms and returns the
 * wanted knob values in *ret (n in *ret_n), valid until the next call. State
 * changes are queued for gov_events(). */
void gov_eval(struct gov *g, const struct gov_ct *ct, const struct gov_metrics *m,
    int64_t now_ms, const struct gov_want **ret, size_t *ret_n);

/* Forgets a container (it is gone). */
void gov_forget(struct gov *g, uint64_t key);

/* Drains the state changes queued since the last call, by every gov_eval
 * (the daemon evaluates all containers, then drains once per tick). The
 * array is valid until the next gov_eval or gov_set_policies. */
void gov_events(struct gov *g, const struct gov_event **ret, size_t *ret_n);

/* The state of every rule of every matching policy of container key, as of
 * the last gov_eval, for `cgov policy explain` and status: calls fn once per
 * (policy, rule). */
typedef void (*gov_rule_fn)(void *arg, const struct policy *p, const struct pol_rule *r,
    enum gov_state s, int rung, int64_t since_ms);
void gov_rules_foreach(const struct gov *g, uint64_t key, gov_rule_fn fn, void *arg);

#endif
