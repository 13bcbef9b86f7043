/* act.h: the actuator, carrying out what the governor wants, safely.
 *
 * The governor (govern.h) says which knob values are wanted now; the
 * actuator owns every write to cgroupfs that follows, and the safety rules
 * of DESIGN.md live here:
 *
 *  - Journal first, in batches: act_sync() only decides; act_flush() then
 *    commits every decision of every container planned since the last
 *    flush (and the originals of the knobs taken over) in ONE durable
 *    transaction, writes, and records the outcomes in one more. A storm
 *    over N containers costs two fsyncs, not 2N. If the journal cannot be
 *    written (disk full, locked) the writes still happen (governing never
 *    waits on storage), the originals are kept in memory, logged, and
 *    journaled on a later flush.
 *  - Tenants, not paths: containers are keyed by the tenant key (fleet.h)
 *    and carry their cgroup identity (tenant.h). Originals are journaled
 *    with it, and an original is written back only into the cgroup it was
 *    saved from: checked right before every restore, at reconciliation and
 *    when a container is forgotten. The store's id is an attribute for
 *    the journal's rows, never a key.
 *  - Owned knobs: a knob cgov changed is "owned" until it is restored. An
 *    owned knob that is no longer wanted goes back to its original: a rule
 *    cleared, a reload dropped the policy, or (act_restore_all) cgovd exits.
 *    The original goes back as the kernel held it: where the knob's unit
 *    rounds it (a CPU quota's millicores), its exact form (knob.h) is read
 *    with it, journaled beside it and written back.
 *  - Never lower a memory limit below current usage (the write is refused
 *    and journaled as refused), never give a JVM container zero swap (the
 *    governor already ensures it; the actuator re-asserts the buffer when
 *    something else changes it, whatever the policy's on-drift says). On
 *    v1 a tenant without a memory limit has no buffer to keep (memsw =
 *    limit + buffer is unlimited): its swap buffer want is dropped, one
 *    refused row says so, and nothing is written (no false drift). When a
 *    v1 limit and buffer both change, the limit is written first when set
 *    or raised, the buffer first when the limit is lowered, whatever order
 *    the wants came in.
 *  - oom-score-adj is per task (oomadj.h): while owned, every task of the
 *    subtree is checked on each sync and a stray value is drift; a task
 *    set back to the original is never taken as a release.
 *  - Rate limits: a knob changes at most once per its policy's cooldown
 *    (restores included: a knob just throttled is not released in the same
 *    breath); at most max_actions_per_min applies per minute over the whole
 *    node (restores are never capped: going back to the original is always
 *    safe). Deferred changes are retried on the next sync.
 *  - Drift: each sync reads the owned knobs back; a value that is neither
 *    what cgov wrote nor the original is "changed behind cgov's back": it is
 *    journaled (drift), and re-asserted when the policy says on-drift
 *    reassert. A value changed behind cgov's back to its original is taken
 *    as the admin taking the knob back: cgov releases it (drift).
 *  - Dry run: decisions are made and journaled (dry_run = 1) but nothing is
 *    written and no original is recorded; the in-memory state behaves as if
 *    the writes had happened, so a decision is journaled once, not each tick.
 *  - Kill (the last rung) signals every task once per firing and is logged
 *    at error level: it is opt-in (`allow kill`) and loud.
 *
 * Crash recovery: act_reconcile() loads the originals a killed cgovd left
 * in the journal, dropping those whose cgroup is gone or is another cgroup
 * now; the others wait as orphans until the first sync of a tenant with
 * the same path and identity claims them (its knobs are owned again, and
 * what the current policies no longer want is restored), or act_settle()
 * restores those no tenant claimed.
 */
#ifndef CGOV_ACT_H
#define CGOV_ACT_H

#include <stddef.h>
#include <stdint.h>

#include "cgfs.h"
#include "govern.h"
#include "journal.h"
#include "sampler.h"
#include "store.h"
#include "tenant.h"

struct act_config {
	int dry_run;
	uint64_t max_actions_per_min;    /* node-wide cap on applies; default 60 */
};

struct act;

/* fs is borrowed; st may be NULL (no journal: originals live in memory). */
struct act *act_new(const struct cgfs *fs, struct store *st, const struct act_config *cfg);
void act_free(struct act *a);
void act_set_store(struct act *a, struct store *st);
/* The on-action hook (hook.h; borrowed, NULL none): fired for each apply,
 * reassert, restore and kill carried out, after the write succeeded, with
 * the values written. */
struct hook;
void act_set_hook(struct act *a, struct hook *h);

/* Loads the originals still journaled (a previous cgovd did not restore
 * them: it crashed). Returns how many knobs are owned again, or -errno. */
int act_reconcile(struct act *a, int64_t now_ms);

/* Restores what reconciliation loaded and no tenant claimed (the cgroup is
 * there but no longer a governed container), once discovery has run.
 * Returns the number of restores. */
int act_settle(struct act *a, int64_t now_ms);

/* A container as the actuator sees it. */
struct act_tenant {
	uint64_t key;                    /* fleet_obs.key */
	int64_t cid;                     /* the store's id; 0: none (no journal rows) */
	const struct tenant_id *id;
	const char *path;
	const char *name;                /* tenant-controlled: escaped in the log */
	const char *runtime;             /* static (discover.h) */
	const struct cg_sample *sample;  /* this tick's (or event's) sample, NULL:
	                                    owned knobs are read back by path */
	int settings_fresh;              /* the sample's settings were read now
	                                    (a full read, sampler.h): the knobs it
	                                    does not carry are read back too */
};

/* Decides how to bring tenant t to the wanted state w[0..n) at now_ms:
 * apply wanted values, restore owned knobs no longer wanted, detect drift
 * (from the knobs' values read back). Nothing is written until act_flush.
 * A tenant synced twice before a flush is decided once. Returns the number
 * of steps planned. */
int act_sync(struct act *a, const struct act_tenant *t, const struct gov_want *w, size_t n,
    int64_t now_ms);

/* Carries out everything planned since the last flush: one durable journal
 * commit for the whole batch, the writes, one commit of the outcomes.
 * Returns the number of knob writes made (or that would be, in dry run). */
int act_flush(struct act *a, int64_t now_ms);

/* The base value of each knob for the governor (gov_ct.base): the original
 * when cgov owns the knob, else the current value from this tick's sample s
 * (no extra reads: the sampler already reads the limits), GOV_UNKNOWN when
 * the sample does not have it (v1 soft limit, io knobs). */
void act_base(struct act *a, const struct act_tenant *t, const struct cg_sample *s,
    int64_t base[PK__MAX]);

/* Tenant key is gone, or no longer governed: its knobs go back if its
 * cgroup is still there and still the same cgroup; then its journaled
 * originals are dropped (there is nothing left to restore). */
void act_forget(struct act *a, uint64_t key);

/* Restores every owned knob of every container (clean exit). Knobs set by
 * static limits are restored too when statics is nonzero; otherwise they
 * stay, and their originals stay journaled, so a later cgovd whose policies
 * no longer set them restores them; but a static the tenant's last sync no
 * longer wanted (its policy stopped matching, the restore waited on the
 * knob's cooldown) goes back now, cooldown or not. Returns the number of
 * restores. */
int act_restore_all(struct act *a, int64_t now_ms, int statics);

/* Does tenant key's last act_sync keep wanting knob k (device 0)? A want
 * it dropped does not count: nothing is written for it (v1: the swap
 * buffer of a tenant without a memory limit). For the daemon's warnings
 * about what is written (a swap buffer on a host without swap). */
int act_wanted(const struct act *a, uint64_t key, enum pol_knob k);

/* When a change that tenant key's last sync deferred (a knob's cooldown)
 * can be made, 0: none. The daemon decides an event-driven container
 * again then, rather than at the next tick. */
int64_t act_retry(const struct act *a, uint64_t key);

/* Owned knobs read back by path so far (drift checks the sample could not
 * settle), for benchmarks. */
uint64_t act_path_reads(const struct act *a);

/* Knobs owned now (in force), for status and logs. */
size_t act_owned(const struct act *a);

/* Steps of `kind` on `knob` carried out since act_new (/metrics): apply,
 * restore, reassert, drift, kill, refused, and JK_FAILED for a write that
 * failed (a cgroup that vanished meanwhile is not counted). In dry run,
 * what would have been done. 0 for an out-of-range kind or knob. */
uint64_t act_count(const struct act *a, enum journal_kind kind, enum pol_knob knob);

#endif
