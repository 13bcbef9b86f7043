/* store_journal.c: the journal of governing in the store (journal.h).
 *
 * The tables are created by schema step 2 in store.c; doc/store.md says
 * what each column holds. Statements are prepared per call: the journal
 * sees a handful of rows per tick, not thousands. Knob values follow the
 * store's limit convention: STORE_NULL is SQL NULL, POL_MAX is -1.
 */
#include "config.h"

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <sqlite3.h>

#include "buf.h"
#include "journal.h"
#include "policy.h"
#include "store.h"
#include "xmalloc.h"

static const char *const journal_kind_names[] = {
	[JK_APPLY] = "apply",
	[JK_RESTORE] = "restore",
	[JK_REASSERT] = "reassert",
	[JK_DRIFT] = "drift",
	[JK_KILL] = "kill",
	[JK_REFUSED] = "refused",
	[JK_FAILED] = "failed",
	[JK_OOM] = "oom",
	[JK_OOM_KILL] = "oom-kill",
};
#define JOURNAL_NKINDS	(sizeof journal_kind_names / sizeof journal_kind_names[0])

const char *
journal_kind_name(enum journal_kind k)
{
	return (unsigned)k < JOURNAL_NKINDS ? journal_kind_names[k] : "unknown";
}

/* A kind read back from the file; a name this cgov does not know (a newer
 * one wrote it) reads as JK_DRIFT, which restores nothing. */
static enum journal_kind
journal_kind_parse(const char *s)
{
	for (size_t i = 0; s != NULL && i < JOURNAL_NKINDS; i++)
		if (strcmp(s, journal_kind_names[i]) == 0)
			return (enum journal_kind)i;
	return JK_DRIFT;
}

/* --- statement helpers --------------------------------------------------- */

static int
journal_prepare(struct store *st, const char *sql, sqlite3_stmt **ret)
{
	int rc;

	rc = sqlite3_prepare_v2(store_sqlite(st), sql, -1, ret, NULL);
	if (rc != SQLITE_OK) {
		*ret = NULL;
		return store_error(st, rc, "journal");
	}
	return 0;
}

/* Steps a statement that returns no row, and finalizes it. */
static int
journal_step_done(struct store *st, sqlite3_stmt *stmt)
{
	int rc, err = 0;

	rc = sqlite3_step(stmt);
	if (rc != SQLITE_DONE && rc != SQLITE_ROW)
		err = store_error(st, rc, "journal");
	sqlite3_finalize(stmt);
	return err;
}

/* Runs one SQL statement without parameters. */
static int
journal_exec(struct store *st, const char *sql)
{
	sqlite3_stmt *stmt;
	int err;

	if ((err = journal_prepare(st, sql, &stmt)) != 0)
		return err;
	return journal_step_done(st, stmt);
}

/* Writes need a writable handle and no tick open: the journal is its own
 * transaction, and a tick's rollback must never take a decision with it. */
static int
journal_writable(struct store *st)
{
	if (sqlite3_db_readonly(store_sqlite(st), "main") == 1)
		return -EROFS;
	if (store_in_tick(st))
		return -EBUSY;
	return 0;
}

static void
journal_bind_i64(sqlite3_stmt *stmt, int idx, int64_t v)
{
	if (v == STORE_NULL)
		sqlite3_bind_null(stmt, idx);
	else
		sqlite3_bind_int64(stmt, idx, v);
}

/* A knob value: "max" is stored as -1, like the store's limits. */
static void
journal_bind_value(sqlite3_stmt *stmt, int idx, int64_t v)
{
	journal_bind_i64(stmt, idx, v == POL_MAX ? STORE_UNLIMITED : v);
}

static void
journal_bind_text(sqlite3_stmt *stmt, int idx, const char *s)
{
	if (s == NULL)
		sqlite3_bind_null(stmt, idx);
	else
		sqlite3_bind_text(stmt, idx, s, -1, SQLITE_STATIC);
}

static int64_t
journal_column_i64(sqlite3_stmt *stmt, int col)
{
	if (sqlite3_column_type(stmt, col) == SQLITE_NULL)
		return STORE_NULL;
	return sqlite3_column_int64(stmt, col);
}

static int64_t
journal_column_value(sqlite3_stmt *stmt, int col)
{
	int64_t v = journal_column_i64(stmt, col);

	return v == STORE_UNLIMITED ? POL_MAX : v;
}

static char *
journal_column_text(sqlite3_stmt *stmt, int col)
{
	const unsigned char *s = sqlite3_column_text(stmt, col);

	return s != NULL ? xstrdup((const char *)s) : NULL;
}

/* Makes room for one more element of size sz in *v (count n, capacity *cap). */
static void *
journal_grow(void *v, size_t n, size_t *cap, size_t sz)
{
	if (n < *cap)
		return v;
	*cap = *cap ? *cap * 2 : 16;
	return xreallocarray(v, *cap, sz);
}

/* --- transactions ------------------------------------------------------------ */

/* synchronous can only change outside a transaction (SQLite refuses it
 * inside one), hence FULL before BEGIN and NORMAL after COMMIT. */
int
journal_begin(struct store *st)
{
	int err;

	if ((err = journal_writable(st)) != 0)
		return err;
	if (!sqlite3_get_autocommit(store_sqlite(st)))
		return -EBUSY;          /* a journal transaction is open already */
	if ((err = journal_exec(st, "PRAGMA synchronous = FULL")) != 0)
		return err;
	sqlite3_busy_timeout(store_sqlite(st), JOURNAL_BUSY_MS);
	if ((err = journal_exec(st, "BEGIN IMMEDIATE")) != 0) {
		sqlite3_busy_timeout(store_sqlite(st), STORE_BUSY_WRITER_MS);
		journal_exec(st, "PRAGMA synchronous = NORMAL");
	}
	return err;
}

int
journal_commit(struct store *st)
{
	int err;

	if (store_in_tick(st) || sqlite3_get_autocommit(store_sqlite(st)))
		return -EINVAL;
	/* COMMIT may fail (disk full, busy) and leave the transaction open. */
	if ((err = journal_exec(st, "COMMIT")) != 0) {
		journal_abort(st);
		return err;
	}
	sqlite3_busy_timeout(store_sqlite(st), STORE_BUSY_WRITER_MS);
	return journal_exec(st, "PRAGMA synchronous = NORMAL");
}

void
journal_abort(struct store *st)
{
	if (store_in_tick(st))
		return;
	/* SQLite may have rolled back by itself already (FULL, IOERR). */
	if (!sqlite3_get_autocommit(store_sqlite(st)))
		journal_exec(st, "ROLLBACK");
	sqlite3_busy_timeout(store_sqlite(st), STORE_BUSY_WRITER_MS);
	journal_exec(st, "PRAGMA synchronous = NORMAL");
}

/* --- originals ------------------------------------------------------------------ */

/* SQLite integers are signed: inodes and cgroup ids are stored as their
 * two's complement (none comes near 2^63 today). */
static int64_t
journal_ino(const struct tenant_id *id)
{
	return id != NULL ? (int64_t)id->ino : 0;
}

static int64_t
journal_cgid(const struct tenant_id *id)
{
	return id != NULL ? (int64_t)id->cgid : 0;
}

int
journal_orig_put(struct store *st, int64_t cid, const struct tenant_id *id, int knob,
    int64_t dev, int64_t value, int64_t ts_ms)
{
	return journal_orig_put_exact(st, cid, id, knob, dev, value, NULL, ts_ms);
}

int
journal_orig_put_exact(struct store *st, int64_t cid, const struct tenant_id *id, int knob,
    int64_t dev, int64_t value, const char *exact, int64_t ts_ms)
{
	sqlite3_stmt *stmt;
	int err;

	if ((err = journal_writable(st)) != 0)
		return err;
	if ((err = journal_prepare(st, "INSERT INTO knob_orig(cid, ino, cgid, knob, dev,"
	    " value, ts_ms, exact) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)"
	    " ON CONFLICT DO NOTHING", &stmt)) != 0)
		return err;
	if (exact != NULL && exact[0] != '\0')
		sqlite3_bind_text(stmt, 8, exact, -1, SQLITE_TRANSIENT);
	else
		sqlite3_bind_null(stmt, 8);
	sqlite3_bind_int64(stmt, 1, cid);
	sqlite3_bind_int64(stmt, 2, journal_ino(id));
	sqlite3_bind_int64(stmt, 3, journal_cgid(id));
	sqlite3_bind_int(stmt, 4, knob);
	sqlite3_bind_int64(stmt, 5, dev);
	journal_bind_value(stmt, 6, value);
	sqlite3_bind_int64(stmt, 7, ts_ms);
	return journal_step_done(st, stmt);
}

int
journal_orig_del(struct store *st, int64_t cid, const struct tenant_id *id, int knob,
    int64_t dev)
{
	sqlite3_stmt *stmt;
	int err;

	if ((err = journal_writable(st)) != 0)
		return err;
	if ((err = journal_prepare(st, "DELETE FROM knob_orig"
	    " WHERE cid = ?1 AND ino = ?2 AND knob = ?3 AND dev = ?4", &stmt)) != 0)
		return err;
	sqlite3_bind_int64(stmt, 1, cid);
	sqlite3_bind_int64(stmt, 2, journal_ino(id));
	sqlite3_bind_int(stmt, 3, knob);
	sqlite3_bind_int64(stmt, 4, dev);
	return journal_step_done(st, stmt);
}

int
journal_orig_list(struct store *st, struct journal_orig **ret, size_t *ret_n)
{
	struct journal_orig *v = NULL;
	sqlite3_stmt *stmt;
	size_t n = 0, cap = 0;
	int rc, err;

	*ret = NULL;
	*ret_n = 0;
	if ((err = journal_prepare(st, "SELECT o.cid, c.path, o.knob, o.dev, o.value,"
	    " o.ts_ms, o.ino, o.cgid, o.exact FROM knob_orig o LEFT JOIN container c ON c.id = o.cid"
	    " ORDER BY o.cid, o.ino, o.knob, o.dev", &stmt)) != 0)
		return err;
	while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
		struct journal_orig *o;

		v = journal_grow(v, n, &cap, sizeof *v);
		o = &v[n++];
		o->cid = sqlite3_column_int64(stmt, 0);
		o->path = journal_column_text(stmt, 1);
		o->knob = sqlite3_column_int(stmt, 2);
		o->dev = sqlite3_column_int64(stmt, 3);
		o->value = journal_column_value(stmt, 4);
		o->ts_ms = sqlite3_column_int64(stmt, 5);
		o->id.ino = (uint64_t)sqlite3_column_int64(stmt, 6);
		o->id.cgid = (uint64_t)sqlite3_column_int64(stmt, 7);
		o->exact = journal_column_text(stmt, 8);
	}
	if (rc != SQLITE_DONE) {
		err = store_error(st, rc, "journal originals");
		journal_origs_free(v, n);
		sqlite3_finalize(stmt);
		return err;
	}
	sqlite3_finalize(stmt);
	*ret = v;
	*ret_n = n;
	return 0;
}

void
journal_origs_free(struct journal_orig *v, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free(v[i].path);
		free(v[i].exact);
	}
	free(v);
}

/* --- actions ----------------------------------------------------------------------- */

int
journal_action_add(struct store *st, const struct journal_action *a, int64_t *ret_id)
{
	sqlite3_stmt *stmt;
	int err;

	if ((err = journal_writable(st)) != 0)
		return err;
	if ((err = journal_prepare(st, "INSERT INTO action(ts_ms, cid, kind, policy, rule,"
	    " rung, knob, dev, old_value, new_value, observed, dry_run, error, restored_ms,"
	    " ino) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15)",
	    &stmt)) != 0)
		return err;
	sqlite3_bind_int64(stmt, 1, a->ts_ms);
	sqlite3_bind_int64(stmt, 2, a->cid);
	sqlite3_bind_text(stmt, 3, journal_kind_name(a->kind), -1, SQLITE_STATIC);
	journal_bind_text(stmt, 4, a->policy);
	journal_bind_text(stmt, 5, a->rule);
	sqlite3_bind_int(stmt, 6, a->rung);
	sqlite3_bind_int(stmt, 7, a->knob);
	sqlite3_bind_int64(stmt, 8, a->dev);
	journal_bind_value(stmt, 9, a->old_value);
	journal_bind_value(stmt, 10, a->new_value);
	journal_bind_text(stmt, 11, a->observed);
	sqlite3_bind_int(stmt, 12, a->dry_run != 0);
	sqlite3_bind_int(stmt, 13, a->error);
	journal_bind_i64(stmt, 14, a->restored_ms);
	sqlite3_bind_int64(stmt, 15, (int64_t)a->ino);
	if ((err = journal_step_done(st, stmt)) != 0)
		return err;
	if (ret_id != NULL)
		*ret_id = sqlite3_last_insert_rowid(store_sqlite(st));
	return 0;
}

int
journal_action_restored(struct store *st, int64_t cid, const struct tenant_id *id, int knob,
    int64_t dev, int64_t ts_ms, int dry_run)
{
	sqlite3_stmt *stmt;
	int err;

	if ((err = journal_writable(st)) != 0)
		return err;
	/* The WHERE is action_in_force's, so the update walks that index. */
	if ((err = journal_prepare(st, "UPDATE action SET restored_ms = ?4"
	    " WHERE cid = ?1 AND knob = ?2 AND dev = ?3 AND restored_ms IS NULL"
	    " AND kind IN ('apply', 'reassert') AND dry_run = ?5 AND ino IN (0, ?6)",
	    &stmt)) != 0)
		return err;
	sqlite3_bind_int64(stmt, 6, journal_ino(id));
	sqlite3_bind_int(stmt, 5, dry_run != 0);
	sqlite3_bind_int64(stmt, 1, cid);
	sqlite3_bind_int(stmt, 2, knob);
	sqlite3_bind_int64(stmt, 3, dev);
	sqlite3_bind_int64(stmt, 4, ts_ms);
	return journal_step_done(st, stmt);
}

int
journal_action_killed(struct store *st, int64_t id, int64_t tasks)
{
	sqlite3_stmt *stmt;
	int err;

	if ((err = journal_writable(st)) != 0)
		return err;
	if ((err = journal_prepare(st, "UPDATE action SET new_value = ?2"
	    " WHERE id = ?1 AND kind = 'kill'", &stmt)) != 0)
		return err;
	sqlite3_bind_int64(stmt, 1, id);
	sqlite3_bind_int64(stmt, 2, tasks);
	return journal_step_done(st, stmt);
}

static void
journal_action_fill(struct journal_action *a, sqlite3_stmt *stmt)
{
	char *kind;

	a->id = sqlite3_column_int64(stmt, 0);
	a->ts_ms = sqlite3_column_int64(stmt, 1);
	a->cid = sqlite3_column_int64(stmt, 2);
	a->path = journal_column_text(stmt, 3);
	a->name = journal_column_text(stmt, 4);
	kind = journal_column_text(stmt, 5);
	a->kind = journal_kind_parse(kind);
	free(kind);
	a->policy = journal_column_text(stmt, 6);
	a->rule = journal_column_text(stmt, 7);
	a->rung = sqlite3_column_int(stmt, 8);
	a->knob = sqlite3_column_int(stmt, 9);
	a->dev = sqlite3_column_int64(stmt, 10);
	a->old_value = journal_column_value(stmt, 11);
	a->new_value = journal_column_value(stmt, 12);
	a->observed = journal_column_text(stmt, 13);
	a->dry_run = sqlite3_column_int(stmt, 14);
	a->error = sqlite3_column_int(stmt, 15);
	a->restored_ms = journal_column_i64(stmt, 16);
	a->ino = (uint64_t)sqlite3_column_int64(stmt, 17);
}

/* The newest rows first (so LIMIT keeps the newest), reversed after. The
 * container filter is a subquery so that action_cid serves it. */
int
journal_action_query(struct store *st, const struct journal_filter *f,
    struct journal_action **ret, size_t *ret_n)
{
	struct journal_action *v = NULL;
	sqlite3_stmt *stmt;
	struct buf sql;
	size_t n = 0, cap = 0;
	int rc, err;

	*ret = NULL;
	*ret_n = 0;
	buf_init(&sql);
	buf_puts(&sql, "SELECT a.id, a.ts_ms, a.cid, c.path, c.name, a.kind, a.policy,"
	    " a.rule, a.rung, a.knob, a.dev, a.old_value, a.new_value, a.observed,"
	    " a.dry_run, a.error, a.restored_ms, a.ino"
	    " FROM action a LEFT JOIN container c ON c.id = a.cid WHERE a.ts_ms >= ?1");
	if (f->container != NULL)
		buf_puts(&sql, " AND a.cid IN (SELECT id FROM container"
		    " WHERE path = ?2 OR name = ?2)");
	if (f->in_force_only)
		buf_puts(&sql, " AND a.restored_ms IS NULL AND a.kind IN ('apply', 'reassert')");
	buf_puts(&sql, " ORDER BY a.ts_ms DESC, a.id DESC LIMIT ?3");
	err = journal_prepare(st, sql.data, &stmt);
	buf_free(&sql);
	if (err != 0)
		return err;
	sqlite3_bind_int64(stmt, 1, f->since_ms);
	journal_bind_text(stmt, 2, f->container);
	sqlite3_bind_int64(stmt, 3, f->limit > 0 && f->limit <= INT64_MAX ?
	    (int64_t)f->limit : -1);
	while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
		v = journal_grow(v, n, &cap, sizeof *v);
		journal_action_fill(&v[n++], stmt);
	}
	if (rc != SQLITE_DONE) {
		err = store_error(st, rc, "journal actions");
		journal_actions_free(v, n);
		sqlite3_finalize(stmt);
		return err;
	}
	sqlite3_finalize(stmt);
	for (size_t i = 0; i < n / 2; i++) {
		struct journal_action t = v[i];

		v[i] = v[n - 1 - i];
		v[n - 1 - i] = t;
	}
	*ret = v;
	*ret_n = n;
	return 0;
}

void
journal_actions_free(struct journal_action *v, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free(v[i].path);
		free(v[i].name);
		free(v[i].policy);
		free(v[i].rule);
		free(v[i].observed);
	}
	free(v);
}

/* --- rule states ---------------------------------------------------------------------- */

int
journal_rule_state_put(struct store *st, int64_t cid, const char *policy, const char *rule,
    const char *state, int rung, int64_t since_ms, const char *why)
{
	sqlite3_stmt *stmt;
	int err, idle;

	if (policy == NULL || rule == NULL || state == NULL)
		return -EINVAL;
	if ((err = journal_writable(st)) != 0)
		return err;
	idle = strcmp(state, "idle") == 0;
	err = journal_prepare(st, idle ? "DELETE FROM rule_state"
	    " WHERE cid = ?1 AND policy = ?2 AND rule = ?3" :
	    "INSERT INTO rule_state VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)"
	    " ON CONFLICT DO UPDATE SET state = excluded.state, rung = excluded.rung,"
	    " since_ms = excluded.since_ms, why = excluded.why", &stmt);
	if (err != 0)
		return err;
	sqlite3_bind_int64(stmt, 1, cid);
	sqlite3_bind_text(stmt, 2, policy, -1, SQLITE_STATIC);
	sqlite3_bind_text(stmt, 3, rule, -1, SQLITE_STATIC);
	if (!idle) {
		sqlite3_bind_text(stmt, 4, state, -1, SQLITE_STATIC);
		sqlite3_bind_int(stmt, 5, rung);
		sqlite3_bind_int64(stmt, 6, since_ms);
		journal_bind_text(stmt, 7, why);
	}
	return journal_step_done(st, stmt);
}

int
journal_rule_state_clear(struct store *st)
{
	int err;

	if ((err = journal_writable(st)) != 0)
		return err;
	return journal_exec(st, "DELETE FROM rule_state");
}

int
journal_rule_state_list(struct store *st, const char *container,
    struct journal_rule_state **ret, size_t *ret_n)
{
	struct journal_rule_state *v = NULL;
	sqlite3_stmt *stmt;
	size_t n = 0, cap = 0;
	int rc, err;

	*ret = NULL;
	*ret_n = 0;
	if ((err = journal_prepare(st, "SELECT r.cid, c.path, c.name, r.policy, r.rule,"
	    " r.state, r.rung, r.since_ms, r.why"
	    " FROM rule_state r LEFT JOIN container c ON c.id = r.cid"
	    " WHERE ?1 IS NULL OR c.path = ?1 OR c.name = ?1"
	    " ORDER BY c.path, r.policy, r.rule", &stmt)) != 0)
		return err;
	journal_bind_text(stmt, 1, container);
	while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
		struct journal_rule_state *r;

		v = journal_grow(v, n, &cap, sizeof *v);
		r = &v[n++];
		r->cid = sqlite3_column_int64(stmt, 0);
		r->path = journal_column_text(stmt, 1);
		r->name = journal_column_text(stmt, 2);
		r->policy = journal_column_text(stmt, 3);
		r->rule = journal_column_text(stmt, 4);
		r->state = journal_column_text(stmt, 5);
		r->rung = sqlite3_column_int(stmt, 6);
		r->since_ms = sqlite3_column_int64(stmt, 7);
		r->why = journal_column_text(stmt, 8);
	}
	if (rc != SQLITE_DONE) {
		err = store_error(st, rc, "journal rule states");
		journal_rule_states_free(v, n);
		sqlite3_finalize(stmt);
		return err;
	}
	sqlite3_finalize(stmt);
	*ret = v;
	*ret_n = n;
	return 0;
}

void
journal_rule_states_free(struct journal_rule_state *v, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free(v[i].path);
		free(v[i].name);
		free(v[i].policy);
		free(v[i].rule);
		free(v[i].state);
		free(v[i].why);
	}
	free(v);
}

/* --- the daemon ---------------------------------------------------------------------------- */

int
journal_daemon_put(struct store *st, const struct journal_daemon *d)
{
	sqlite3_stmt *stmt;
	int err;

	if ((err = journal_writable(st)) != 0)
		return err;
	if ((err = journal_prepare(st, "INSERT OR REPLACE INTO daemon VALUES"
	    " (1, ?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)", &stmt)) != 0)
		return err;
	/* The heartbeat of every tick: a locked database skips a beat rather
	 * than hold the loop. */
	if (sqlite3_get_autocommit(store_sqlite(st)))
		sqlite3_busy_timeout(store_sqlite(st), JOURNAL_BUSY_MS);
	sqlite3_bind_int64(stmt, 1, d->pid);
	sqlite3_bind_int64(stmt, 2, d->started_ms);
	sqlite3_bind_int64(stmt, 3, d->beat_ms);
	sqlite3_bind_int64(stmt, 4, d->interval_ms);
	sqlite3_bind_int64(stmt, 5, d->containers);
	sqlite3_bind_int64(stmt, 6, d->governed);
	sqlite3_bind_int(stmt, 7, d->dry_run != 0);
	journal_bind_text(stmt, 8, d->policies);
	journal_bind_i64(stmt, 9, d->stopped_ms);
	err = journal_step_done(st, stmt);
	if (sqlite3_get_autocommit(store_sqlite(st)))
		sqlite3_busy_timeout(store_sqlite(st), STORE_BUSY_WRITER_MS);
	return err;
}

int
journal_daemon_get(struct store *st, struct journal_daemon *ret)
{
	sqlite3_stmt *stmt;
	int rc, err;

	memset(ret, 0, sizeof *ret);
	if ((err = journal_prepare(st, "SELECT pid, started_ms, beat_ms, interval_ms,"
	    " containers, governed, dry_run, policies, stopped_ms FROM daemon WHERE id = 1",
	    &stmt)) != 0)
		return err;
	rc = sqlite3_step(stmt);
	if (rc == SQLITE_ROW) {
		ret->pid = sqlite3_column_int64(stmt, 0);
		ret->started_ms = sqlite3_column_int64(stmt, 1);
		ret->beat_ms = sqlite3_column_int64(stmt, 2);
		ret->interval_ms = sqlite3_column_int64(stmt, 3);
		ret->containers = sqlite3_column_int64(stmt, 4);
		ret->governed = sqlite3_column_int64(stmt, 5);
		ret->dry_run = sqlite3_column_int(stmt, 6);
		ret->policies = journal_column_text(stmt, 7);
		ret->stopped_ms = journal_column_i64(stmt, 8);
		err = 0;
	} else if (rc == SQLITE_DONE)
		err = -ENOENT;
	else
		err = store_error(st, rc, "journal daemon");
	sqlite3_finalize(stmt);
	return err;
}

void
journal_daemon_clear(struct journal_daemon *d)
{
	free(d->policies);
	d->policies = NULL;
}
