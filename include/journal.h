/* journal.h: the journal of governing actions, in the store.
 *
 * Three tables (schema version 2, doc/store.md):
 *   knob_orig   the original value of every knob cgov has changed and not
 *               restored yet: what a restart reconciles after a crash;
 *   action      one row per decision: apply, restore, reassert, drift, kill,
 *               refused, with policy, rule, observed values, old -> new;
 *   rule_state  the state of each armed rule per container (explain/status);
 *   daemon      one row: the running cgovd (pid, start, last tick).
 *
 * Durability: the journal is written in its own transaction, separate from
 * the tick's samples, and committed with synchronous=FULL (journal_commit)
 * BEFORE the actuator writes to cgroupfs, so the original value is on disk
 * in the same durable step as the decision. The caller batches all the
 * decisions of one tick between journal_begin and journal_commit.
 *
 * Same error contract as store.h. When the journal cannot be written (disk
 * full, or locked by another writer: the journal waits JOURNAL_BUSY_MS for
 * the lock, not the history's STORE_BUSY_WRITER_MS, so a locked database
 * never holds a decision up), the actuator still governs with the
 * originals it keeps in memory and retries the journal later (act.h).
 */
#define JOURNAL_BUSY_MS 10
#ifndef CGOV_JOURNAL_H
#define CGOV_JOURNAL_H

#include <stddef.h>
#include <stdint.h>

#include "store.h"
#include "tenant.h"

enum journal_kind {
	JK_APPLY,       /* a rule or static limit set a knob */
	JK_RESTORE,     /* a knob went back to its original */
	JK_REASSERT,    /* a knob changed behind cgov's back was set again */
	JK_DRIFT,       /* a knob changed behind cgov's back (logged, not reasserted) */
	JK_KILL,        /* the kill rung */
	JK_REFUSED,     /* a decision cgov would not carry out (safety rule, rate cap) */
	JK_FAILED,      /* the write failed (errno in `error`) */
	JK_OOM,         /* the kernel's OOM handling ran in the container (an event) */
	JK_OOM_KILL,    /* the kernel's OOM killer killed a task in it (an event) */
};
const char *journal_kind_name(enum journal_kind k);   /* "apply", "restore", ... */

int journal_begin(struct store *st);
/* Commits durably (synchronous=FULL for this commit). */
int journal_commit(struct store *st);
void journal_abort(struct store *st);

/* --- originals --------------------------------------------------------- */

/* Originals are the tenant's: keyed by (cid, identity, knob, dev). id NULL,
 * or an identity with ino 0, is "unknown" (tests, a v1 hierarchy that
 * cannot be stat'ed); rows journaled before schema 4 have ino 0 and match
 * any tenant at their path. */
struct journal_orig {
	int64_t cid;
	struct tenant_id id;     /* whose original it is */
	char *path;              /* the container's path (joined), tenant-controlled */
	int knob;                /* enum pol_knob */
	int64_t dev;             /* MAJ:MIN as makedev() value, 0 for non-io knobs */
	int64_t value;           /* knob unit, POL_MAX unlimited */
	char *exact;             /* the kernel's own form where value rounds it
	                            (knob.h: a CPU quota); NULL: value is exact */
	int64_t ts_ms;           /* when cgov first changed it */
};

/* Records the original of (cid, knob, dev) unless one is already recorded
 * (the first original is the true one). */
int journal_orig_put(struct store *st, int64_t cid, const struct tenant_id *id, int knob,
    int64_t dev, int64_t value, int64_t ts_ms);
/* The same with the kernel's exact form of value (knob_read_exact; NULL or
 * "": value is exact), what a restore writes back (schema 6). */
int journal_orig_put_exact(struct store *st, int64_t cid, const struct tenant_id *id,
    int knob, int64_t dev, int64_t value, const char *exact, int64_t ts_ms);
/* Forgets it (after a restore, or when the container is gone for good). */
int journal_orig_del(struct store *st, int64_t cid, const struct tenant_id *id, int knob,
    int64_t dev);
/* Every original still recorded, ordered by cid, knob, dev. Free with
 * journal_origs_free. */
int journal_orig_list(struct store *st, struct journal_orig **ret, size_t *ret_n);
void journal_origs_free(struct journal_orig *v, size_t n);

/* --- actions ------------------------------------------------------------- */

struct journal_action {
	int64_t id;
	int64_t ts_ms;
	int64_t cid;
	uint64_t ino;            /* the tenant's cgroup inode; 0 unknown */
	char *path, *name;       /* the container's (joined on query), tenant-controlled */
	enum journal_kind kind;
	char *policy, *rule;     /* NULL for restores at exit, drift, ... */
	int rung;                /* -1: a static limit or no rule */
	int knob;                /* enum pol_knob */
	int64_t dev;
	int64_t old_value, new_value;   /* knob unit; STORE_NULL unknown */
	char *observed;          /* why, in words: "cpu 1.98 cores > 1.5 cores for 5s" */
	int dry_run;
	int error;               /* errno of a failed write, 0 */
	int64_t restored_ms;     /* apply rows: when restored; STORE_NULL while in force */
};

/* Appends an action; *ret_id (optional) gets its id. Strings may be NULL. */
int journal_action_add(struct store *st, const struct journal_action *a, int64_t *ret_id);
/* Records the outcome of kill row id: new_value = the tasks it killed.
 * Returns 0 or -errno (-EROFS: read-only history). */
int journal_action_killed(struct store *st, int64_t id, int64_t tasks);
/* Marks every apply/reassert row of (cid, tenant id, knob, dev) still in
 * force as restored at ts_ms (rows of unknown identity, ino 0, included):
 * the dry-run rows when dry_run is set, else the real ones (a dry run never
 * closes what a real cgovd changed, nor the other way round). */
int journal_action_restored(struct store *st, int64_t cid, const struct tenant_id *id,
    int knob, int64_t dev, int64_t ts_ms, int dry_run);

struct journal_filter {
	int64_t since_ms;        /* rows with ts_ms >= since_ms; 0: all */
	const char *container;   /* path or name (exact), NULL: all */
	int in_force_only;       /* only apply/reassert rows not restored */
	size_t limit;            /* newest N rows; 0: all */
};
/* Actions in time order (oldest first). Free with journal_actions_free. */
int journal_action_query(struct store *st, const struct journal_filter *f,
    struct journal_action **ret, size_t *ret_n);
void journal_actions_free(struct journal_action *v, size_t n);

/* --- rule states and the daemon -------------------------------------------- */

struct journal_rule_state {
	int64_t cid;
	char *path, *name;       /* joined on query */
	char *policy, *rule;
	char *state;             /* "pending", "active", "cooling" (idle rows are deleted) */
	int rung;
	int64_t since_ms;
	char *why;
};
/* Upserts (cid, policy, rule); state "idle" deletes the row. */
int journal_rule_state_put(struct store *st, int64_t cid, const char *policy,
    const char *rule, const char *state, int rung, int64_t since_ms, const char *why);
/* Drops every rule state (at daemon start and exit: states live in memory). */
int journal_rule_state_clear(struct store *st);
/* All rows, or those of one container (path or name) when container != NULL. */
int journal_rule_state_list(struct store *st, const char *container,
    struct journal_rule_state **ret, size_t *ret_n);
void journal_rule_states_free(struct journal_rule_state *v, size_t n);

struct journal_daemon {
	int64_t pid;
	int64_t started_ms, beat_ms;   /* start, last tick */
	int64_t interval_ms;
	int64_t containers, governed;  /* watched / matched by a policy */
	int dry_run;
	char *policies;                /* the policy path loaded */
	int64_t stopped_ms;            /* clean exit time, STORE_NULL while running */
};
/* Writes the one daemon row (replacing it). */
int journal_daemon_put(struct store *st, const struct journal_daemon *d);
/* Reads it; -ENOENT when no cgovd ever ran on this database. */
int journal_daemon_get(struct store *st, struct journal_daemon *ret);
void journal_daemon_clear(struct journal_daemon *d);

#endif
