/* governing.h: the governing half of cgovd's tick.
 *
 * Glue between the fleet (what was sampled), the governor (govern.h: what
 * the policies want) and the actuator (act.h: journal, write, restore).
 * Per tick, fleet_tick() hands every container's samples to the observer
 * registered here, which turns them into the metrics the conditions see
 * (metrics.h: cores, rates, % throttled, PSI %, memory growth; memory.eta
 * to the nearest limit enclosing the container, memroom.h, while policies
 * are loaded);
 * governing_run() then, outside the store's tick transaction, evaluates
 * and acts, and journals the rule state changes and the daemon's heartbeat.
 *
 * Process names (for `match process` and JVM detection) are read every
 * process-interval over the container's subtree (its cgroup and at most 64
 * cgroups below it: services in sub-cgroups count), at most
 * GOVERNING_MAX_TASKS tasks per container, and only while a policy set is
 * loaded: a node without policies pays nothing.
 */
#ifndef CGOV_GOVERNING_H
#define CGOV_GOVERNING_H

#include <stddef.h>
#include <stdint.h>

#include "act.h"
#include "cgfs.h"
#include "conf.h"
#include "fleet.h"
#include "govern.h"
#include "nodewatch.h"
#include "notify.h"
#include "policy.h"
#include "store.h"
#include "temp.h"

#define GOVERNING_MAX_TASKS 4096

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

/* The node's temperatures (temp.h; copied, at most TEMP_MAX): node.temp
 * is the hottest, node.temp "CHIP/LABEL" that sensor, for every decision
 * from now on. Without a call node.temp is unknown. NULL g: no-op. */
void governing_set_temps(struct governing *g, const struct temp_reading *v, size_t n);

/* The on-action hook (hook.h; borrowed, NULL none): the actuator's
 * applies, reasserts, restores and kills, and the OOM events journaled. */
struct hook;
void governing_set_hook(struct governing *g, struct hook *h);

/* Evaluates and acts for every container sampled by the last fleet_tick. */
void governing_run(struct governing *g, int64_t now_ms);

/* Kernel notifications (notify.h; borrowed, NULL: none). Each container is
 * armed for OOM events, and when a policy governs it for the memory levels
 * (v1) and PSI triggers (v2) its rules' conditions name, re-armed when the
 * policies, the match or the memory limit change. */
void governing_set_notify(struct governing *g, struct notify *n);

/* A notification for container key at now_ms (the governor's clock): OOM
 * events are journaled; a governed container is sampled and decided at
 * once, its writes done before this returns. */
void governing_event(struct governing *g, uint64_t key, enum notify_kind kind, int64_t now_ms);

/* The earliest time (the governor's clock) a pending rule of an
 * event-driven container comes due, its `for` counted from the event; 0:
 * none. governing_run_due() decides the containers due by now_ms. */
int64_t governing_next_due(const struct governing *g);
void governing_run_due(struct governing *g, int64_t now_ms);

/* Notifications handled since start. */
uint64_t governing_events(const struct governing *g);

/* The node pressure watch (nodewatch.h). governing_node_thresholds: for
 * each resource, the lowest percentage that a rule's `when` of the policy
 * set compares node.pressure.<res> with (> or >=); NAN where none does:
 * what nodewatch_set wants, again after every governing_set_policies.
 * governing_node_wake: the node's "some" share of res is pct (percent,
 * fresh): unless it comes too soon after the last (per resource, the
 * first wake after a tick at once, then after gaps of 200, 400, 800 ms
 * and so on until the next tick),
 * node.pressure.<res> becomes pct until the next tick, and every governed
 * container seen by the last tick whose rules' `when` names it is sampled
 * and decided now (rates since the last tick), its writes done before
 * this returns. Returns how many were decided. governing_node_wakes: the
 * wakes handled since start (those not folded). */
void governing_node_thresholds(const struct governing *g, double ret[NODEWATCH__MAX]);
size_t governing_node_wake(struct governing *g, enum nodewatch_res res, double pct,
    int64_t now_ms);
uint64_t governing_node_wakes(const struct governing *g);

/* The state of every rule of every policy governing each container, as of
 * the last decision (/metrics): fn is called once per (container, policy,
 * rule), containers in key order. path and name are tenant-controlled. */
typedef void (*governing_rule_fn)(void *arg, const char *path, const char *name,
    const char *runtime, const struct policy *p, const struct pol_rule *r, enum gov_state s,
    int rung);
void governing_rules_foreach(const struct governing *g, governing_rule_fn fn, void *arg);

/* act_count() of the actuator: steps of kind on knob since start. */
uint64_t governing_actions(const struct governing *g, enum journal_kind kind,
    enum pol_knob knob);

/* Clean exit: restores what the rules set (and the static limits when the
 * configuration says exit-restore all), records the daemon's stop. */
void governing_exit(struct governing *g, int64_t now_ms);

#endif
