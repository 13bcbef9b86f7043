/* test_journal.c: the journal tables of the store (journal.h) on real
 * files: the migration from a version-1 file, originals, actions and their
 * filters, rule states, the daemon row, a reader beside the writer, and
 * durability across close and reopen. Each test uses its own file in one
 * temporary directory, removed at the end. */
#include "config.h"

#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>
#include <sqlite3.h>

#include "journal.h"
#include "log.h"
#include "policy.h"
#include "store.h"
#include "testdir.h"
#include "xmalloc.h"

#define T0		INT64_C(1700000000000)
#define TEST_UNUSED	__attribute__((unused))

static char test_dir[] = "/tmp/test_journal.XXXXXX";

static char *
test_path(const char *name)
{
	return xasprintf("%s/%s", test_dir, name);
}

static struct store *
test_open(const char *name, int flags)
{
	struct store *st;
	char *path = test_path(name);

	assert_int_equal(store_open(path, flags, &st), 0);
	free(path);
	return st;
}

static int64_t
test_sql_i64(struct store *st, const char *sql)
{
	sqlite3_stmt *stmt;
	int64_t v;

	assert_int_equal(sqlite3_prepare_v2(store_sqlite(st), sql, -1, &stmt, NULL), SQLITE_OK);
	assert_int_equal(sqlite3_step(stmt), SQLITE_ROW);
	v = sqlite3_column_type(stmt, 0) == SQLITE_NULL ? STORE_NULL :
	    sqlite3_column_int64(stmt, 0);
	sqlite3_finalize(stmt);
	return v;
}

static int64_t
test_container(struct store *st, const char *path, const char *name)
{
	int64_t cid = -1;

	assert_int_equal(store_container_upsert(st, path, name, "lxc", T0, &cid), 0);
	return cid;
}

/* An apply row of (cid, knob) at ts, old 1G -> new 512M. */
static struct journal_action
test_apply(int64_t cid, int knob, int64_t ts)
{
	struct journal_action a = {
		.ts_ms = ts, .cid = cid, .kind = JK_APPLY,
		.policy = "p", .rule = "r", .rung = 1, .knob = knob, .dev = 0,
		.old_value = 1 << 30, .new_value = 1 << 29,
		.observed = "memory 95% of limit for 10s",
		.restored_ms = STORE_NULL,
	};

	return a;
}

/* A file made by the version-1 schema (what cgov wrote before the journal
 * existed, with a container and a tick in it) migrates to 2, data kept. */
static void
test_migrate_v1(void **state TEST_UNUSED)
{
	struct store *st;
	sqlite3 *db;
	char *path = test_path("v1.db");
	struct journal_orig *o;
	size_t n;
	int64_t cid;

	st = test_open("v1.db", 0);
	cid = test_container(st, "/lxc/old", "old");
	assert_int_equal(store_tick_begin(st, T0, 1000), 0);
	assert_int_equal(store_tick_commit(st), 0);
	store_close(st);
	/* Back to exactly version 1: steps 2, 3 and 5 only add tables,
	 * views and indexes. */
	assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
	assert_int_equal(sqlite3_exec(db, "DROP TABLE knob_orig; DROP TABLE action;"
	    " DROP TABLE rule_state; DROP TABLE daemon; DROP TABLE roll1m;"
	    " DROP TABLE roll1h; DROP TABLE node1m; DROP TABLE node1h;"
	    " DROP TABLE roll_mark; DROP VIEW roll1m_v; DROP VIEW roll1h_v;"
	    " DROP VIEW temp_v; DROP TABLE temp;"
	    " PRAGMA user_version = 1",
	    NULL, NULL, NULL), SQLITE_OK);
	sqlite3_close(db);

	/* A reader refuses the old file; the writer upgrades it. */
	assert_int_equal(store_open(path, STORE_RDONLY, &st), -EINVAL);
	st = test_open("v1.db", 0);
	assert_int_equal(store_schema_version(st), STORE_SCHEMA_VERSION);
	assert_int_equal(test_sql_i64(st, "PRAGMA user_version"), STORE_SCHEMA_VERSION);
	assert_int_equal(test_sql_i64(st, "SELECT count(*) FROM sqlite_schema WHERE name IN"
	    " ('knob_orig', 'action', 'rule_state', 'daemon', 'action_ts', 'action_cid',"
	    " 'action_in_force')"), 7);
	assert_int_equal(test_sql_i64(st, "SELECT count(*) FROM tick"), 1);
	assert_int_equal(test_container(st, "/lxc/old", "old"), cid);
	assert_int_equal(journal_orig_put(st, cid, NULL, PK_MEM_LIMIT, 0, 1 << 30, T0), 0);
	assert_int_equal(journal_orig_list(st, &o, &n), 0);
	assert_int_equal(n, 1);
	assert_string_equal(o[0].path, "/lxc/old");
	journal_origs_free(o, n);
	store_close(st);
	free(path);
}

/* The first original is the true one; "max" and devices round-trip. */
static void
test_originals(void **state TEST_UNUSED)
{
	struct store *st = test_open("orig.db", 0);
	struct journal_orig *o;
	int64_t a = test_container(st, "/lxc/a", "a"), b = test_container(st, "/lxc/b", "b");
	int64_t sda = (8 << 8) | 0;
	size_t n;

	assert_int_equal(journal_orig_put(st, b, NULL, PK_CPU_QUOTA, 0, POL_MAX, T0), 0);
	assert_int_equal(journal_orig_put(st, a, NULL, PK_IO_WBPS, sda, POL_MAX, T0 + 1), 0);
	assert_int_equal(journal_orig_put(st, a, NULL, PK_MEM_LIMIT, 0, 1 << 30, T0 + 2), 0);
	/* A second change of the same knob: the original stays. */
	assert_int_equal(journal_orig_put(st, a, NULL, PK_MEM_LIMIT, 0, 1 << 29, T0 + 3), 0);
	assert_int_equal(test_sql_i64(st, "SELECT value FROM knob_orig WHERE knob = 4"), -1);

	assert_int_equal(journal_orig_list(st, &o, &n), 0);
	assert_int_equal(n, 3);
	assert_int_equal(o[0].cid, a);                  /* by cid, knob, dev */
	assert_int_equal(o[0].knob, PK_MEM_LIMIT);
	assert_int_equal(o[0].value, 1 << 30);
	assert_int_equal(o[0].ts_ms, T0 + 2);
	assert_int_equal(o[1].knob, PK_IO_WBPS);
	assert_int_equal(o[1].dev, sda);
	assert_int_equal(o[1].value, POL_MAX);
	assert_string_equal(o[2].path, "/lxc/b");
	assert_int_equal(o[2].value, POL_MAX);
	journal_origs_free(o, n);

	assert_int_equal(journal_orig_del(st, a, NULL, PK_MEM_LIMIT, 0), 0);
	assert_int_equal(journal_orig_del(st, a, NULL, PK_MEM_LIMIT, 0), 0);   /* twice: no error */
	assert_int_equal(journal_orig_list(st, &o, &n), 0);
	assert_int_equal(n, 2);
	assert_int_equal(o[0].knob, PK_IO_WBPS);
	journal_origs_free(o, n);
	/* Deleted, a knob's next change records a new original. */
	assert_int_equal(journal_orig_put(st, a, NULL, PK_MEM_LIMIT, 0, 1 << 28, T0 + 4), 0);
	assert_int_equal(test_sql_i64(st, "SELECT value FROM knob_orig WHERE knob = 0"),
	    1 << 28);
	store_close(st);
}

/* An original whose value rounds the kernel's (a CPU quota in millicores)
 * keeps the kernel's exact form; one without has NULL. A file of schema 5,
 * from before the column, migrates with its originals kept. */
static void
test_originals_exact(void **state TEST_UNUSED)
{
	struct store *st = test_open("exact.db", 0);
	struct journal_orig *o;
	int64_t a = test_container(st, "/lxc/a", "a");
	char *path = test_path("exact.db");
	sqlite3 *db;
	size_t n;

	assert_int_equal(journal_orig_put_exact(st, a, NULL, PK_CPU_QUOTA, 0, 3010,
	    "301007 100000", T0), 0);
	assert_int_equal(journal_orig_put_exact(st, a, NULL, PK_MEM_LIMIT, 0, 1 << 30, "", T0), 0);
	assert_int_equal(journal_orig_list(st, &o, &n), 0);
	assert_int_equal(n, 2);
	assert_int_equal(o[0].knob, PK_MEM_LIMIT);
	assert_null(o[0].exact);
	assert_int_equal(o[1].knob, PK_CPU_QUOTA);
	assert_int_equal(o[1].value, 3010);
	assert_string_equal(o[1].exact, "301007 100000");
	journal_origs_free(o, n);
	store_close(st);

	/* Back to schema 5: the column goes, the rows stay. */
	assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
	assert_int_equal(sqlite3_exec(db, "ALTER TABLE knob_orig DROP COLUMN exact;"
	    " PRAGMA user_version = 5", NULL, NULL, NULL), SQLITE_OK);
	sqlite3_close(db);
	st = test_open("exact.db", 0);
	assert_int_equal(store_schema_version(st), STORE_SCHEMA_VERSION);
	assert_int_equal(journal_orig_list(st, &o, &n), 0);
	assert_int_equal(n, 2);
	assert_int_equal(o[1].value, 3010);
	assert_null(o[1].exact);
	journal_origs_free(o, n);
	store_close(st);
	free(path);
}

static void
test_actions(void **state TEST_UNUSED)
{
	struct store *st = test_open("actions.db", 0);
	int64_t a = test_container(st, "/lxc/a", "web"), b = test_container(st, "/lxc/b", "db");
	struct journal_action x, *v;
	struct journal_filter f = { 0 };
	int64_t id, first;
	size_t n;

	x = test_apply(a, PK_MEM_HIGH, T0);
	assert_int_equal(journal_action_add(st, &x, &first), 0);
	x = test_apply(a, PK_CPU_QUOTA, T0 + 1000);
	x.old_value = POL_MAX;
	x.new_value = 1000;
	x.dry_run = 1;
	assert_int_equal(journal_action_add(st, &x, NULL), 0);
	x = test_apply(b, PK_CPU_QUOTA, T0 + 2000);
	x.kind = JK_FAILED;
	x.error = EINVAL;
	x.policy = x.rule = x.observed = NULL;
	x.old_value = STORE_NULL;
	assert_int_equal(journal_action_add(st, &x, NULL), 0);
	x = test_apply(b, PK_CPU_WEIGHT, T0 + 3000);
	x.kind = JK_REASSERT;
	x.rung = -1;
	assert_int_equal(journal_action_add(st, &x, &id), 0);
	assert_true(id > first);

	/* Everything, oldest first, every field back. */
	assert_int_equal(journal_action_query(st, &f, &v, &n), 0);
	assert_int_equal(n, 4);
	assert_int_equal(v[0].id, first);
	assert_int_equal(v[0].ts_ms, T0);
	assert_int_equal(v[0].cid, a);
	assert_string_equal(v[0].path, "/lxc/a");
	assert_string_equal(v[0].name, "web");
	assert_int_equal(v[0].kind, JK_APPLY);
	assert_string_equal(v[0].policy, "p");
	assert_string_equal(v[0].rule, "r");
	assert_int_equal(v[0].rung, 1);
	assert_int_equal(v[0].knob, PK_MEM_HIGH);
	assert_int_equal(v[0].old_value, 1 << 30);
	assert_int_equal(v[0].new_value, 1 << 29);
	assert_string_equal(v[0].observed, "memory 95% of limit for 10s");
	assert_int_equal(v[0].dry_run, 0);
	assert_int_equal(v[0].error, 0);
	assert_int_equal(v[0].restored_ms, STORE_NULL);
	assert_int_equal(v[1].old_value, POL_MAX);
	assert_int_equal(v[1].dry_run, 1);
	assert_int_equal(v[2].kind, JK_FAILED);
	assert_int_equal(v[2].error, EINVAL);
	assert_null(v[2].policy);
	assert_null(v[2].observed);
	assert_int_equal(v[2].old_value, STORE_NULL);
	assert_int_equal(v[3].kind, JK_REASSERT);
	assert_int_equal(v[3].id, id);
	journal_actions_free(v, n);

	/* since */
	f.since_ms = T0 + 1000;
	assert_int_equal(journal_action_query(st, &f, &v, &n), 0);
	assert_int_equal(n, 3);
	assert_int_equal(v[0].ts_ms, T0 + 1000);
	journal_actions_free(v, n);
	/* container by path, by name; an unknown one matches nothing */
	f.since_ms = 0;
	f.container = "/lxc/b";
	assert_int_equal(journal_action_query(st, &f, &v, &n), 0);
	assert_int_equal(n, 2);
	assert_int_equal(v[0].cid, b);
	assert_int_equal(v[1].cid, b);
	journal_actions_free(v, n);
	f.container = "web";
	assert_int_equal(journal_action_query(st, &f, &v, &n), 0);
	assert_int_equal(n, 2);
	assert_int_equal(v[1].knob, PK_CPU_QUOTA);
	journal_actions_free(v, n);
	f.container = "nobody";
	assert_int_equal(journal_action_query(st, &f, &v, &n), 0);
	assert_int_equal(n, 0);
	assert_null(v);
	/* limit: the newest N, still oldest first */
	f.container = NULL;
	f.limit = 2;
	assert_int_equal(journal_action_query(st, &f, &v, &n), 0);
	assert_int_equal(n, 2);
	assert_int_equal(v[0].ts_ms, T0 + 2000);
	assert_int_equal(v[1].ts_ms, T0 + 3000);
	journal_actions_free(v, n);

	/* in force: apply and reassert rows not restored */
	f.limit = 0;
	f.in_force_only = 1;
	assert_int_equal(journal_action_query(st, &f, &v, &n), 0);
	assert_int_equal(n, 3);                         /* not the failed one */
	journal_actions_free(v, n);
	assert_int_equal(journal_action_restored(st, a, NULL, PK_MEM_HIGH, 0, T0 + 5000, 0), 0);
	assert_int_equal(journal_action_restored(st, b, NULL, PK_CPU_QUOTA, 0, T0 + 5000, 0), 0);
	assert_int_equal(journal_action_query(st, &f, &v, &n), 0);
	assert_int_equal(n, 2);
	assert_int_equal(v[0].knob, PK_CPU_QUOTA);
	assert_int_equal(v[1].knob, PK_CPU_WEIGHT);
	journal_actions_free(v, n);
	f.in_force_only = 0;
	f.container = "web";
	assert_int_equal(journal_action_query(st, &f, &v, &n), 0);
	assert_int_equal(v[0].restored_ms, T0 + 5000);
	assert_int_equal(v[1].restored_ms, STORE_NULL);
	journal_actions_free(v, n);
	/* The failed row is never marked restored. */
	assert_int_equal(test_sql_i64(st, "SELECT restored_ms FROM action"
	    " WHERE kind = 'failed'"), STORE_NULL);

	/* A dry run and a real cgovd never close each other's rows. */
	{
		struct journal_action dry = { .ts_ms = T0 + 6000, .cid = a, .kind = JK_APPLY,
		    .rung = 0, .knob = PK_PIDS_MAX, .old_value = STORE_NULL, .new_value = 100,
		    .dry_run = 1, .restored_ms = STORE_NULL };
		struct journal_action real = dry;

		real.dry_run = 0;
		assert_int_equal(journal_action_add(st, &dry, NULL), 0);
		assert_int_equal(journal_action_add(st, &real, NULL), 0);
		assert_int_equal(journal_action_restored(st, a, NULL, PK_PIDS_MAX, 0, T0 + 7000, 1), 0);
		assert_int_equal(test_sql_i64(st, "SELECT count(*) FROM action WHERE new_value = 100"
		    " AND restored_ms IS NULL AND dry_run = 0"), 1);
		assert_int_equal(journal_action_restored(st, a, NULL, PK_PIDS_MAX, 0, T0 + 8000, 0), 0);
		assert_int_equal(test_sql_i64(st, "SELECT count(*) FROM action WHERE new_value = 100"
		    " AND restored_ms IS NULL"), 0);
	}
	store_close(st);
}

static void
test_rule_states(void **state TEST_UNUSED)
{
	struct store *st = test_open("rules.db", 0);
	int64_t a = test_container(st, "/lxc/a", "web"), b = test_container(st, "/lxc/b", "db");
	struct journal_rule_state *v;
	size_t n;

	assert_int_equal(journal_rule_state_put(st, a, "p", "storm", "pending", 0, T0,
	    "memory 91% of limit"), 0);
	assert_int_equal(journal_rule_state_put(st, b, "p", "hog", "active", 1, T0, NULL), 0);
	/* Upsert: the row changes, no second one. */
	assert_int_equal(journal_rule_state_put(st, a, "p", "storm", "active", 2, T0 + 10,
	    "memory 95% of limit for 10s"), 0);
	assert_int_equal(journal_rule_state_list(st, NULL, &v, &n), 0);
	assert_int_equal(n, 2);
	assert_string_equal(v[0].path, "/lxc/a");
	assert_string_equal(v[0].name, "web");
	assert_string_equal(v[0].policy, "p");
	assert_string_equal(v[0].rule, "storm");
	assert_string_equal(v[0].state, "active");
	assert_int_equal(v[0].rung, 2);
	assert_int_equal(v[0].since_ms, T0 + 10);
	assert_string_equal(v[0].why, "memory 95% of limit for 10s");
	assert_null(v[1].why);
	journal_rule_states_free(v, n);
	assert_int_equal(journal_rule_state_list(st, "db", &v, &n), 0);
	assert_int_equal(n, 1);
	assert_string_equal(v[0].rule, "hog");
	journal_rule_states_free(v, n);
	assert_int_equal(journal_rule_state_list(st, "/lxc/a", &v, &n), 0);
	assert_int_equal(n, 1);
	journal_rule_states_free(v, n);

	/* idle deletes the row */
	assert_int_equal(journal_rule_state_put(st, a, "p", "storm", "idle", 0, T0 + 20,
	    NULL), 0);
	assert_int_equal(journal_rule_state_list(st, "/lxc/a", &v, &n), 0);
	assert_int_equal(n, 0);
	journal_rule_states_free(v, n);
	assert_int_equal(journal_rule_state_put(st, a, NULL, "x", "active", 0, T0, NULL),
	    -EINVAL);
	assert_int_equal(journal_rule_state_clear(st), 0);
	assert_int_equal(test_sql_i64(st, "SELECT count(*) FROM rule_state"), 0);
	store_close(st);
}

static void
test_daemon(void **state TEST_UNUSED)
{
	struct store *st = test_open("daemon.db", 0);
	struct journal_daemon d = {
		.pid = 4242, .started_ms = T0, .beat_ms = T0 + 5000, .interval_ms = 1000,
		.containers = 12, .governed = 7, .dry_run = 1, .policies = "/etc/cgov/policies.d",
		.stopped_ms = STORE_NULL,
	}, r;

	assert_int_equal(journal_daemon_get(st, &r), -ENOENT);
	assert_int_equal(journal_daemon_put(st, &d), 0);
	d.beat_ms = T0 + 6000;
	d.stopped_ms = T0 + 6500;
	d.policies = NULL;
	assert_int_equal(journal_daemon_put(st, &d), 0);  /* replaces */
	assert_int_equal(test_sql_i64(st, "SELECT count(*) FROM daemon"), 1);
	assert_int_equal(journal_daemon_get(st, &r), 0);
	assert_int_equal(r.pid, 4242);
	assert_int_equal(r.started_ms, T0);
	assert_int_equal(r.beat_ms, T0 + 6000);
	assert_int_equal(r.interval_ms, 1000);
	assert_int_equal(r.containers, 12);
	assert_int_equal(r.governed, 7);
	assert_int_equal(r.dry_run, 1);
	assert_null(r.policies);
	assert_int_equal(r.stopped_ms, T0 + 6500);
	journal_daemon_clear(&r);
	d.policies = "/srv/p";
	d.stopped_ms = STORE_NULL;
	assert_int_equal(journal_daemon_put(st, &d), 0);
	assert_int_equal(journal_daemon_get(st, &r), 0);
	assert_string_equal(r.policies, "/srv/p");
	assert_int_equal(r.stopped_ms, STORE_NULL);
	journal_daemon_clear(&r);
	assert_null(r.policies);
	store_close(st);
}

/* The CLI's read-only handle queries beside the daemon, even while a
 * journal transaction is open, and sees only what was committed. */
static void
test_reader_beside_writer(void **state TEST_UNUSED)
{
	struct store *st = test_open("ro.db", 0), *ro;
	int64_t a = test_container(st, "/lxc/a", "web");
	struct journal_action x = test_apply(a, PK_MEM_HIGH, T0), *v;
	struct journal_filter f = { 0 };
	struct journal_daemon d = { .pid = 1, .stopped_ms = STORE_NULL }, r;
	struct journal_rule_state *rs;
	struct journal_orig *o;
	size_t n;

	assert_int_equal(journal_begin(st), 0);
	assert_int_equal(journal_orig_put(st, a, NULL, PK_MEM_HIGH, 0, POL_MAX, T0), 0);
	assert_int_equal(journal_action_add(st, &x, NULL), 0);
	assert_int_equal(journal_commit(st), 0);
	assert_int_equal(journal_daemon_put(st, &d), 0);

	ro = test_open("ro.db", STORE_RDONLY);
	assert_int_equal(journal_begin(st), 0);
	assert_int_equal(journal_action_add(st, &x, NULL), 0);     /* not committed yet */
	assert_int_equal(journal_action_query(ro, &f, &v, &n), 0);
	assert_int_equal(n, 1);
	journal_actions_free(v, n);
	assert_int_equal(journal_commit(st), 0);
	assert_int_equal(journal_action_query(ro, &f, &v, &n), 0);
	assert_int_equal(n, 2);
	journal_actions_free(v, n);
	assert_int_equal(journal_orig_list(ro, &o, &n), 0);
	assert_int_equal(n, 1);
	journal_origs_free(o, n);
	assert_int_equal(journal_rule_state_list(ro, NULL, &rs, &n), 0);
	assert_int_equal(n, 0);
	assert_int_equal(journal_daemon_get(ro, &r), 0);
	assert_int_equal(r.pid, 1);
	journal_daemon_clear(&r);
	/* A read-only handle writes nothing. */
	assert_int_equal(journal_begin(ro), -EROFS);
	assert_int_equal(journal_action_add(ro, &x, NULL), -EROFS);
	assert_int_equal(journal_orig_put(ro, a, NULL, PK_CPU_QUOTA, 0, 1, T0), -EROFS);
	assert_int_equal(journal_rule_state_clear(ro), -EROFS);
	store_close(ro);
	store_close(st);
}

/* Transactions: separate from ticks, durable, and undone by abort. */
static void
test_durable(void **state TEST_UNUSED)
{
	struct store *st = test_open("durable.db", 0);
	int64_t a = test_container(st, "/lxc/a", "web");
	struct journal_action x = test_apply(a, PK_CPU_QUOTA, T0);
	struct journal_filter f = { 0 };
	struct journal_action *v;
	struct journal_orig *o;
	size_t n;

	/* synchronous is FULL for the journal's commit only. */
	assert_int_equal(test_sql_i64(st, "PRAGMA synchronous"), 1);       /* NORMAL */
	assert_int_equal(journal_begin(st), 0);
	assert_int_equal(test_sql_i64(st, "PRAGMA synchronous"), 2);       /* FULL */
	assert_int_equal(journal_begin(st), -EBUSY);
	assert_int_equal(journal_orig_put(st, a, NULL, PK_CPU_QUOTA, 0, POL_MAX, T0), 0);
	assert_int_equal(journal_action_add(st, &x, NULL), 0);
	assert_int_equal(journal_commit(st), 0);
	assert_int_equal(test_sql_i64(st, "PRAGMA synchronous"), 1);
	assert_int_equal(journal_commit(st), -EINVAL);                     /* none open */

	/* Aborted: nothing of it stays. */
	assert_int_equal(journal_begin(st), 0);
	assert_int_equal(journal_orig_del(st, a, NULL, PK_CPU_QUOTA, 0), 0);
	assert_int_equal(journal_action_add(st, &x, NULL), 0);
	journal_abort(st);
	assert_int_equal(test_sql_i64(st, "PRAGMA synchronous"), 1);

	/* Not inside a tick: the journal keeps out of its transaction. */
	assert_int_equal(store_tick_begin(st, T0, 1000), 0);
	assert_int_equal(journal_begin(st), -EBUSY);
	assert_int_equal(journal_action_add(st, &x, NULL), -EBUSY);
	journal_abort(st);                              /* leaves the tick alone */
	assert_int_equal(store_tick_commit(st), 0);
	assert_int_equal(test_sql_i64(st, "SELECT count(*) FROM tick"), 1);
	store_close(st);

	st = test_open("durable.db", 0);
	assert_int_equal(journal_orig_list(st, &o, &n), 0);
	assert_int_equal(n, 1);
	assert_int_equal(o[0].value, POL_MAX);
	journal_origs_free(o, n);
	assert_int_equal(journal_action_query(st, &f, &v, &n), 0);
	assert_int_equal(n, 1);
	assert_int_equal(v[0].new_value, 1 << 29);
	journal_actions_free(v, n);
	assert_int_equal(test_sql_i64(st, "SELECT count(*) FROM pragma_integrity_check"
	    " WHERE integrity_check = 'ok'"), 1);
	store_close(st);
}

static void
test_kind_names(void **state TEST_UNUSED)
{
	static const char *const want[] = {
		"apply", "restore", "reassert", "drift", "kill", "refused", "failed", "oom",
		"oom-kill",
	};

	for (int k = JK_APPLY; k <= JK_OOM_KILL; k++)
		assert_string_equal(journal_kind_name(k), want[k]);
	assert_string_equal(journal_kind_name(JK_OOM_KILL + 1), "unknown");
}

static int
test_setup(void **state TEST_UNUSED)
{
	log_init("test_journal", 0, LOG_LEVEL_ERR);
	return mkdtemp(test_dir) == NULL ? -1 : 0;
}

static int
test_teardown(void **state TEST_UNUSED)
{
	return testdir_remove(test_dir);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_migrate_v1),
		cmocka_unit_test(test_originals),
		cmocka_unit_test(test_originals_exact),
		cmocka_unit_test(test_actions),
		cmocka_unit_test(test_rule_states),
		cmocka_unit_test(test_daemon),
		cmocka_unit_test(test_reader_beside_writer),
		cmocka_unit_test(test_durable),
		cmocka_unit_test(test_kind_names),
	};

	return cmocka_run_group_tests(tests, test_setup, test_teardown);
}
