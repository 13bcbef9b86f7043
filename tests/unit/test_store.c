/* test_store.c: the SQLite store on real files: round trips, migrations,
 * WAL readers beside the writer, rollback, NULLs, limits, top arithmetic,
 * a full disk. Each test works in its own file of one temporary directory,
 * removed at the end. */
#include "config.h"

#include <sys/stat.h>

#include <errno.h>
#include <math.h>
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

#include "log.h"
#include "store.h"
#include "testdir.h"
#include "xmalloc.h"

#define MiB	(INT64_C(1024) * 1024)
#define T0	INT64_C(1700000000000)	/* ms: the first tick's time */
#define TEST_UNUSED	__attribute__((unused))	/* cmocka's state */

static char test_dir[] = "/tmp/test_store.XXXXXX";

/* Doubles: equal within a relative 1e-9, or both NAN, or same infinity. */
#define assert_near(a, b) do {						\
	double _a = (a), _b = (b);					\
	if (!((isnan(_a) && isnan(_b)) || _a == _b ||			\
	    fabs(_a - _b) <= 1e-9 * fmax(fabs(_a), fabs(_b))))		\
		fail_msg("%s = %.17g, want %.17g", #a, _a, _b);		\
} while (0)

static char *
test_path(const char *name)
{
	return xasprintf("%s/%s", test_dir, name);
}

/* A fresh writer on test_dir/name. */
static struct store *
test_open(const char *name)
{
	struct store	*st;
	char		*path = test_path(name);

	assert_int_equal(store_open(path, 0, &st), 0);
	free(path);
	return st;
}

static struct store *
test_open_ro(const char *name)
{
	struct store	*st;
	char		*path = test_path(name);

	assert_int_equal(store_open(path, STORE_RDONLY, &st), 0);
	free(path);
	return st;
}

/* A sample with every field unknown. */
static struct store_sample
test_sample_null(int64_t cid)
{
	struct store_sample	 s;

	s.cid = cid;
	s.mem_bytes = s.swap_bytes = s.cpu_us = STORE_NULL;
	s.nr_periods = s.nr_throttled = s.throttled_us = STORE_NULL;
	s.rbytes = s.wbytes = s.rios = s.wios = STORE_NULL;
	s.pids = s.oom = s.oom_kill = STORE_NULL;
	s.psi_cpu_us = s.psi_mem_us = s.psi_io_us = STORE_NULL;
	return s;
}

static struct store_limits
test_limits_null(int64_t cid)
{
	struct store_limits	 l;

	l.cid = cid;
	l.mem_limit = l.mem_high = l.swap_limit = STORE_NULL;
	l.cpu_shares = l.cpu_quota_us = l.cpu_period_us = STORE_NULL;
	l.pids_max = STORE_NULL;
	return l;
}

static int64_t
test_upsert(struct store *st, const char *path, int64_t ts)
{
	int64_t	 cid = -1;

	assert_int_equal(store_container_upsert(st, path, path + 1, "lxc", ts,
	    &cid), 0);
	assert_true(cid > 0);
	return cid;
}

/* One integer from SQL on the store's own connection. */
static int64_t
test_sql_i64(struct store *st, const char *sql)
{
	sqlite3_stmt	*stmt;
	int64_t		 v;

	assert_int_equal(sqlite3_prepare_v2(store_sqlite(st), sql, -1, &stmt,
	    NULL), SQLITE_OK);
	assert_int_equal(sqlite3_step(stmt), SQLITE_ROW);
	v = sqlite3_column_type(stmt, 0) == SQLITE_NULL ? STORE_NULL :
	    sqlite3_column_int64(stmt, 0);
	sqlite3_finalize(stmt);
	return v;
}

static void
test_sql_fails(struct store *st, const char *sql)
{
	sqlite3_stmt	*stmt;

	assert_int_equal(sqlite3_prepare_v2(store_sqlite(st), sql, -1, &stmt,
	    NULL), SQLITE_OK);
	assert_int_equal(sqlite3_step(stmt), SQLITE_ERROR);
	sqlite3_finalize(stmt);
}

/* One text value from SQL, compared with want. */
static void
test_sql_text(struct store *st, const char *sql, const char *want)
{
	sqlite3_stmt	*stmt;

	assert_int_equal(sqlite3_prepare_v2(store_sqlite(st), sql, -1, &stmt,
	    NULL), SQLITE_OK);
	assert_int_equal(sqlite3_step(stmt), SQLITE_ROW);
	assert_string_equal((const char *)sqlite3_column_text(stmt, 0), want);
	sqlite3_finalize(stmt);
}

static const struct store_top_row *
test_find(const struct store_top_row *v, size_t n, int64_t cid)
{
	size_t	 i;

	for (i = 0; i < n; i++)
		if (v[i].c.cid == cid)
			return &v[i];
	fail_msg("cid %lld not in top", (long long)cid);
	return NULL;
}

static int
test_file_exists(const char *name)
{
	struct stat	 sb;
	char		*path = test_path(name);
	int		 r;

	r = stat(path, &sb) == 0;
	free(path);
	return r;
}

/* Whole file contents, for "not touched" checks. */
static char *
test_slurp(const char *name, size_t *ret_len)
{
	FILE	*f;
	char	*path = test_path(name), *buf;
	long	 len;

	assert_non_null(f = fopen(path, "rb"));
	assert_int_equal(fseek(f, 0, SEEK_END), 0);
	len = ftell(f);
	rewind(f);
	buf = xmalloc(len + 1);
	assert_int_equal(fread(buf, 1, len, f), (size_t)len);
	fclose(f);
	free(path);
	*ret_len = len;
	return buf;
}

/* Every field through the API and back, by query and by plain SQL. */
static void
test_round_trip(void **state TEST_UNUSED)
{
	struct store		*st, *ro;
	struct store_container	*cs;
	struct store_top_row	*top;
	struct store_sample	 s;
	struct store_limits	 l;
	struct store_memstat	 m;
	struct store_node	 node;
	const struct store_top_row *r;
	size_t			 n;
	int64_t			 a, b, latest, samples, bytes;

	st = test_open("round.db");
	assert_int_equal(store_schema_version(st), STORE_SCHEMA_VERSION);
	b = test_upsert(st, "/lxc/b", T0);
	assert_int_equal(store_tick_begin(st, T0, 0), 0);
	a = test_upsert(st, "/lxc/a", T0);
	assert_true(a != b);

	memset(&s, 0, sizeof s);
	s.cid = a;
	s.mem_bytes = 123456789;	/* not page-aligned: kept exact */
	s.swap_bytes = 512 * MiB;
	s.cpu_us = 250000;
	s.nr_periods = 10;
	s.nr_throttled = 3;
	s.throttled_us = 70000;
	s.rbytes = INT64_MAX;		/* largest cold value */
	s.wbytes = 1 << 20;
	s.rios = -5;			/* deltas are never negative; kept */
	s.wios = 0;
	s.pids = 42;
	s.oom = STORE_NULL;		/* a cold field unknown, others not */
	s.oom_kill = 1;
	s.psi_cpu_us = 1000;
	s.psi_mem_us = 0;
	s.psi_io_us = STORE_NULL;
	assert_int_equal(store_tick_add_sample(st, &s), 0);
	s.cid = b;
	s.mem_bytes = 4096;
	s.rbytes = s.wbytes = s.rios = s.wios = 0;
	s.nr_throttled = s.throttled_us = s.oom = s.oom_kill = 0;
	assert_int_equal(store_tick_add_sample(st, &s), 0);

	l = test_limits_null(a);
	l.mem_limit = 1024 * MiB;
	l.mem_high = STORE_UNLIMITED;
	l.swap_limit = 0;
	l.cpu_shares = 2048;
	l.cpu_quota_us = 150000;
	l.cpu_period_us = 100000;
	l.pids_max = 500;
	assert_int_equal(store_tick_add_limits(st, &l), 0);

	m.cid = a;
	m.anon = 100 * MiB;
	m.file = 50 * MiB + 1;
	m.kernel = STORE_NULL;
	m.shmem = 0;
	m.file_dirty = 8192;
	m.file_writeback = 0;
	m.pgmajfault = 7;
	assert_int_equal(store_tick_add_memstat(st, &m), 0);

	memset(&node, 0, sizeof node);
	node.mem_total = 64 * 1024 * MiB;
	node.ncpu = 8;
	node.load1 = 150;
	node.psi_io_us = STORE_NULL;
	assert_int_equal(store_tick_add_node(st, &node), 0);
	assert_int_equal(store_tick_commit(st), 0);

	/* Plain SQL, through the view that decodes units and cold. */
	assert_int_equal(test_sql_i64(st, "SELECT count(*) FROM sample_v"), 2);
	assert_int_equal(test_sql_i64(st, "SELECT mem_bytes FROM sample_v"
	    " WHERE cid = (SELECT id FROM container WHERE path = '/lxc/a')"),
	    123456789);
	assert_int_equal(test_sql_i64(st, "SELECT swap_bytes FROM sample_v"
	    " WHERE cid = (SELECT id FROM container WHERE path = '/lxc/a')"),
	    512 * MiB);
	assert_int_equal(test_sql_i64(st, "SELECT rbytes FROM sample_v"
	    " JOIN container c ON c.id = cid WHERE c.path = '/lxc/a'"),
	    INT64_MAX);
	assert_int_equal(test_sql_i64(st, "SELECT rios FROM sample_v"
	    " JOIN container c ON c.id = cid WHERE c.path = '/lxc/a'"), -5);
	assert_int_equal(test_sql_i64(st, "SELECT oom FROM sample_v"
	    " JOIN container c ON c.id = cid WHERE c.path = '/lxc/a'"),
	    STORE_NULL);
	assert_int_equal(test_sql_i64(st, "SELECT oom_kill FROM sample_v"
	    " JOIN container c ON c.id = cid WHERE c.path = '/lxc/a'"), 1);
	assert_int_equal(test_sql_i64(st, "SELECT psi_io_us IS NULL"
	    " FROM sample_v JOIN container c ON c.id = cid"
	    " WHERE c.path = '/lxc/a'"), 1);
	/* All-zero cold fields take the one-byte form. */
	assert_int_equal(test_sql_i64(st, "SELECT count(*) FROM sample"
	    " WHERE cold = 0"), 1);
	/* cgov_cold() on each form, and on damage. */
	assert_int_equal(test_sql_i64(st, "SELECT cgov_cold(0, 7)"), 0);
	assert_int_equal(test_sql_i64(st, "SELECT cgov_cold(NULL, 0)"),
	    STORE_NULL);
	assert_int_equal(test_sql_i64(st, "SELECT cgov_cold(x'030105', 1)"), 0);
	assert_int_equal(test_sql_i64(st, "SELECT cgov_cold(x'030103', 0)"),
	    -2);
	test_sql_fails(st, "SELECT cgov_cold(x'0301', 0)");	/* no value */
	test_sql_fails(st, "SELECT cgov_cold(x'010300', 0)");	/* 0x02 unknown */
	test_sql_fails(st, "SELECT cgov_cold(x'03010304', 0)");	/* trailing */
	test_sql_fails(st, "SELECT cgov_cold(0, 8)");
	assert_int_equal(test_sql_i64(st, "SELECT file_dirty4k * 4096"
	    " FROM memstat"), 8192);
	assert_int_equal(test_sql_i64(st, "SELECT -1 - file4k FROM memstat"),
	    50 * MiB + 1);
	assert_int_equal(test_sql_i64(st, "SELECT kernel4k FROM memstat"),
	    STORE_NULL);
	assert_int_equal(test_sql_i64(st, "SELECT load1 FROM node"), 150);
	assert_int_equal(test_sql_i64(st, "SELECT mem_high FROM limits"),
	    STORE_UNLIMITED);
	test_sql_text(st, "PRAGMA journal_mode", "wal");
	test_sql_text(st, "PRAGMA synchronous", "1");	/* NORMAL */
	assert_int_equal(store_stats(st, &samples, &bytes), 0);
	assert_int_equal(samples, 2);
	assert_true(bytes > 0 && bytes % 4096 == 0);
	assert_int_equal(store_checkpoint(st), 0);

	/* And back through the queries, on a read-only handle. */
	ro = test_open_ro("round.db");
	assert_int_equal(store_query_containers(ro, &cs, &n), 0);
	assert_int_equal(n, 2);
	assert_string_equal(cs[0].path, "/lxc/a");
	assert_string_equal(cs[0].name, "lxc/a");
	assert_string_equal(cs[0].runtime, "lxc");
	assert_int_equal(cs[0].cid, a);
	assert_int_equal(cs[0].first_seen_ms, T0);
	assert_int_equal(cs[0].gone_ms, STORE_NULL);
	assert_string_equal(cs[1].path, "/lxc/b");
	store_containers_free(cs, n);

	assert_int_equal(store_query_top(ro, 0, &top, &n, &latest), 0);
	assert_int_equal(n, 2);
	assert_int_equal(latest, T0);
	r = test_find(top, n, a);
	assert_int_equal(r->samples, 1);
	assert_near(r->mem_last, 123456789);
	assert_near(r->swap_max, 512 * MiB);
	/* dt 0 (the first tick): rates are unknown, not infinite. */
	assert_near(r->cpu_cores, NAN);
	assert_near(r->throttled_pct, 30);
	assert_near(r->mem_limit, 1024 * MiB);
	assert_near(r->swap_limit, 0);
	assert_near(r->cpu_limit_cores, 1.5);
	assert_near(r->cpu_shares, 2048);
	assert_near(r->pids_last, 42);
	assert_near(r->pids_max, 500);
	assert_int_equal(r->oom, STORE_NULL);
	assert_int_equal(r->oom_kill, 1);
	assert_string_equal(r->c.path, "/lxc/a");
	r = test_find(top, n, b);
	assert_near(r->mem_limit, NAN);		/* no limits row at all */
	assert_int_equal(r->oom, 0);
	store_top_free(top, n);

	/* Writes on a read-only handle are refused. */
	assert_int_equal(store_tick_begin(ro, T0 + 1000, 1000), -EROFS);
	assert_int_equal(store_container_upsert(ro, "/x", "x", "lxc", T0, &a),
	    -EROFS);
	store_close(ro);
	store_close(st);
}

/* Containers: found again by path, refreshed, gone and back. */
static void
test_containers(void **state TEST_UNUSED)
{
	struct store		*st;
	struct store_container	*cs;
	size_t			 n;
	int64_t			 a, again;

	st = test_open("containers.db");
	a = test_upsert(st, "/docker/abc", T0);
	assert_int_equal(store_container_gone(st, a, T0 + 5000), 0);
	assert_int_equal(store_query_containers(st, &cs, &n), 0);
	assert_int_equal(n, 1);
	assert_int_equal(cs[0].gone_ms, T0 + 5000);
	store_containers_free(cs, n);

	assert_int_equal(store_container_upsert(st, "/docker/abc", "web",
	    "docker", T0 + 9000, &again), 0);
	assert_int_equal(again, a);
	assert_int_equal(store_query_containers(st, &cs, &n), 0);
	assert_int_equal(n, 1);
	assert_string_equal(cs[0].name, "web");
	assert_string_equal(cs[0].runtime, "docker");
	assert_int_equal(cs[0].first_seen_ms, T0);
	assert_int_equal(cs[0].last_seen_ms, T0 + 9000);
	assert_int_equal(cs[0].gone_ms, STORE_NULL);
	store_containers_free(cs, n);

	/* NULL name and runtime come back as "". */
	assert_int_equal(store_container_upsert(st, "/docker/def", NULL, NULL,
	    T0, &again), 0);
	assert_int_equal(store_query_containers(st, &cs, &n), 0);
	assert_int_equal(n, 2);
	assert_string_equal(cs[1].name, "");
	store_containers_free(cs, n);
	/* An unknown cid is no error: nothing to mark. */
	assert_int_equal(store_container_gone(st, 999, T0), 0);

	/* The last cid a sample key can hold, then no more. */
	assert_int_equal(sqlite3_exec(store_sqlite(st), "INSERT INTO container"
	    "(id, path, first_seen_ms, last_seen_ms) VALUES (4194303, '/max',"
	    " 0, 0)", NULL, NULL, NULL), SQLITE_OK);
	assert_int_equal(store_container_upsert(st, "/max", "max", "lxc", T0,
	    &again), 0);
	assert_int_equal(again, STORE_CID_MAX);
	assert_int_equal(store_container_upsert(st, "/one-too-many", "x",
	    "lxc", T0, &again), -ENOSPC);
	assert_int_equal(test_sql_i64(st, "SELECT count(*) FROM container"), 3);
	store_close(st);
}

/* A new file, an empty file and a version-0 database all migrate. */
static void
test_migrate(void **state TEST_UNUSED)
{
	struct store	*st;
	sqlite3		*db;
	char		*path;
	FILE		*f;

	st = test_open("fresh.db");
	assert_int_equal(store_schema_version(st), STORE_SCHEMA_VERSION);
	store_close(st);
	/* Reopening a current file changes nothing. */
	st = test_open("fresh.db");
	assert_int_equal(store_schema_version(st), STORE_SCHEMA_VERSION);
	store_close(st);

	path = test_path("empty.db");
	assert_non_null(f = fopen(path, "w"));
	fclose(f);
	free(path);
	st = test_open("empty.db");
	assert_int_equal(store_schema_version(st), STORE_SCHEMA_VERSION);
	assert_int_equal(test_sql_i64(st, "PRAGMA user_version"),
	    STORE_SCHEMA_VERSION);
	assert_int_equal(test_sql_i64(st, "SELECT count(*) FROM sqlite_schema"
	    " WHERE name IN ('tick', 'sample', 'container', 'limits',"
	    " 'memstat', 'node')"), 6);
	store_close(st);

	/* Version 0 with a table of someone else's: left alone, ours added. */
	path = test_path("v0.db");
	assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
	assert_int_equal(sqlite3_exec(db, "CREATE TABLE other(x);"
	    "INSERT INTO other VALUES (1)", NULL, NULL, NULL), SQLITE_OK);
	sqlite3_close(db);
	free(path);
	st = test_open("v0.db");
	assert_int_equal(store_schema_version(st), STORE_SCHEMA_VERSION);
	assert_int_equal(test_sql_i64(st, "SELECT x FROM other"), 1);
	test_sql_text(st, "PRAGMA journal_mode", "wal");
	store_close(st);
}

/* A file from a newer cgov: refused, by writer and reader, untouched. */
static void
test_newer_version(void **state TEST_UNUSED)
{
	struct store	*st;
	sqlite3		*db;
	char		*path, *before, *after, *sql;
	size_t		 nbefore, nafter;

	path = test_path("newer.db");
	assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
	sql = xasprintf("CREATE TABLE future(x); PRAGMA user_version = %d",
	    STORE_SCHEMA_VERSION + 1);
	assert_int_equal(sqlite3_exec(db, sql, NULL, NULL, NULL), SQLITE_OK);
	free(sql);
	sqlite3_close(db);
	before = test_slurp("newer.db", &nbefore);

	st = (struct store *)1;
	assert_int_equal(store_open(path, 0, &st), -EINVAL);
	assert_null(st);
	assert_int_equal(store_open(path, STORE_RDONLY, &st), -EINVAL);
	assert_null(st);

	after = test_slurp("newer.db", &nafter);
	assert_int_equal(nafter, nbefore);
	assert_memory_equal(after, before, nbefore);
	assert_false(test_file_exists("newer.db-wal"));
	free(before);
	free(after);
	free(path);
}

/* Read-only: a missing file is -ENOENT and stays missing. */
/* Temperatures: rows in their tick, a failed sensor NULL, the window
 * folded per sensor (newest and highest), none before any reading. */
static void
test_temps(void **state TEST_UNUSED)
{
	struct store *st = test_open("temps.db"), *ro;
	struct store_temp_row *t;
	size_t n;

	assert_int_equal(store_tick_begin(st, T0, 1000), 0);
	assert_int_equal(store_tick_commit(st), 0);
	assert_int_equal(store_query_temps(st, 0, &t, &n), 0);
	assert_int_equal(n, 0);
	assert_int_equal(store_tick_add_temp(st, "x/y", 1000), -EINVAL);    /* no tick */
	assert_int_equal(store_tick_begin(st, T0 + 1000, 1000), 0);
	assert_int_equal(store_tick_add_temp(st, "chip-virtual-0/Package id 0", 71500), 0);
	assert_int_equal(store_tick_add_temp(st, "chip-virtual-0/evil\x1b[31m", STORE_NULL), 0);
	assert_int_equal(store_tick_commit(st), 0);
	assert_int_equal(store_tick_begin(st, T0 + 2000, 1000), 0);      /* no reading */
	assert_int_equal(store_tick_commit(st), 0);
	assert_int_equal(store_tick_begin(st, T0 + 11000, 9000), 0);
	assert_int_equal(store_tick_add_temp(st, "chip-virtual-0/Package id 0", 64000), 0);
	assert_int_equal(store_tick_add_temp(st, "chip-virtual-0/evil\x1b[31m", 30000), 0);
	assert_int_equal(store_tick_commit(st), 0);
	store_close(st);

	ro = test_open_ro("temps.db");
	test_sql_text(ro, "SELECT celsius FROM temp_v WHERE sensor LIKE '%Package%'"
	    " ORDER BY tick LIMIT 1", "71.5");
	/* Now: the newest reading alone. */
	assert_int_equal(store_query_temps(ro, 0, &t, &n), 0);
	assert_int_equal(n, 2);
	assert_string_equal(t[0].sensor, "chip-virtual-0/Package id 0");
	assert_near(t[0].last_c, 64.0);
	assert_near(t[0].max_c, 64.0);
	assert_int_equal(t[0].last_ms, T0 + 11000);
	store_temps_free(t, n);
	/* A window: the highest and the newest; a failed read is unknown. */
	assert_int_equal(store_query_temps(ro, 60000, &t, &n), 0);
	assert_int_equal(n, 2);
	assert_near(t[0].max_c, 71.5);
	assert_near(t[0].last_c, 64.0);
	assert_string_equal(t[1].sensor, "chip-virtual-0/evil\x1b[31m");
	assert_near(t[1].max_c, 30.0);
	store_temps_free(t, n);
	/* 5 s back from the newest reading: the older one is outside. */
	assert_int_equal(store_query_temps(ro, 5000, &t, &n), 0);
	assert_near(t[0].max_c, 64.0);
	store_temps_free(t, n);
	assert_int_equal(store_query_temps(ro, -1, &t, &n), -EINVAL);
	store_close(ro);
}

static void
test_rdonly_missing(void **state TEST_UNUSED)
{
	struct store	*st;
	char		*path = test_path("missing.db");

	assert_int_equal(store_open(path, STORE_RDONLY, &st), -ENOENT);
	assert_null(st);
	assert_false(test_file_exists("missing.db"));
	assert_int_equal(store_open("", 0, &st), -EINVAL);
	free(path);
}

static void
test_write_tick(struct store *st, int64_t ts, int64_t dt, int64_t cid,
    int64_t cpu_us)
{
	struct store_sample	 s = test_sample_null(cid);

	s.cpu_us = cpu_us;
	assert_int_equal(store_tick_begin(st, ts, dt), 0);
	assert_int_equal(store_tick_add_sample(st, &s), 0);
	assert_int_equal(store_tick_commit(st), 0);
}

/* WAL: a reader sees what was committed while the writer holds a tick
 * open, and a reader in a long transaction does not stop commits. */
static void
test_rdonly_beside_writer(void **state TEST_UNUSED)
{
	struct store		*st, *ro;
	struct store_top_row	*top;
	struct store_sample	 s;
	sqlite3_stmt		*stmt;
	size_t			 n;
	int64_t			 a, latest;

	st = test_open("wal.db");
	a = test_upsert(st, "/lxc/a", T0);
	test_write_tick(st, T0, 1000, a, 100000);

	/* The writer's tick is open (and holds the write lock). */
	assert_int_equal(store_tick_begin(st, T0 + 1000, 1000), 0);
	s = test_sample_null(a);
	s.cpu_us = 900000;
	assert_int_equal(store_tick_add_sample(st, &s), 0);

	ro = test_open_ro("wal.db");
	assert_int_equal(store_query_top(ro, 0, &top, &n, &latest), 0);
	assert_int_equal(latest, T0);
	assert_int_equal(n, 1);
	assert_near(top[0].cpu_cores, 0.1);
	store_top_free(top, n);
	/* The writer's own handle sees its open tick. */
	assert_int_equal(store_query_top(st, 0, &top, &n, &latest), 0);
	assert_int_equal(latest, T0 + 1000);
	assert_near(top[0].cpu_cores, 0.9);
	store_top_free(top, n);
	assert_int_equal(store_tick_commit(st), 0);

	assert_int_equal(store_query_top(ro, 0, &top, &n, &latest), 0);
	assert_int_equal(latest, T0 + 1000);
	store_top_free(top, n);

	/* A reader parked in a read transaction: the writer goes on. */
	assert_int_equal(sqlite3_prepare_v2(store_sqlite(ro),
	    "SELECT id FROM tick", -1, &stmt, NULL), SQLITE_OK);
	assert_int_equal(sqlite3_step(stmt), SQLITE_ROW);
	test_write_tick(st, T0 + 2000, 1000, a, 100000);
	assert_int_equal(store_checkpoint(st), 0);
	sqlite3_finalize(stmt);
	assert_int_equal(store_query_top(ro, 0, &top, &n, &latest), 0);
	assert_int_equal(latest, T0 + 2000);
	store_top_free(top, n);

	/* The reader outlives the writer, which removes the WAL. */
	store_close(st);
	assert_int_equal(store_query_top(ro, 1000000, &top, &n, &latest), 0);
	assert_int_equal(top[0].samples, 3);
	store_top_free(top, n);
	store_close(ro);
	/* And a reader opens a file no writer holds. */
	ro = test_open_ro("wal.db");
	assert_int_equal(store_query_top(ro, 0, &top, &n, &latest), 0);
	assert_int_equal(latest, T0 + 2000);
	store_top_free(top, n);
	store_close(ro);
}

/* Abort and failed ticks roll back everything, registrations included. */
static void
test_abort(void **state TEST_UNUSED)
{
	struct store		*st;
	struct store_sample	 s;
	struct store_container	*cs;
	size_t			 n;
	int64_t			 a, b;

	st = test_open("abort.db");
	store_tick_abort(st);			/* no tick: harmless */
	assert_int_equal(store_tick_commit(st), -EINVAL);
	a = test_upsert(st, "/lxc/a", T0);
	test_write_tick(st, T0, 1000, a, 1);

	assert_int_equal(store_tick_begin(st, T0 + 1000, 1000), 0);
	assert_int_equal(store_tick_begin(st, T0 + 1000, 1000), -EINVAL);
	b = test_upsert(st, "/lxc/b", T0 + 1000);
	s = test_sample_null(a);
	assert_int_equal(store_tick_add_sample(st, &s), 0);
	s.cid = b;
	assert_int_equal(store_tick_add_sample(st, &s), 0);
	store_tick_abort(st);

	assert_int_equal(test_sql_i64(st, "SELECT count(*) FROM tick"), 1);
	assert_int_equal(test_sql_i64(st, "SELECT count(*) FROM sample"), 1);
	assert_int_equal(store_query_containers(st, &cs, &n), 0);
	assert_int_equal(n, 1);
	store_containers_free(cs, n);

	/* Bad arguments write nothing and do not spoil the tick. */
	assert_int_equal(store_tick_add_sample(st, &s), -EINVAL); /* no tick */
	assert_int_equal(store_tick_begin(st, T0 + 2000, 1000), 0);
	s = test_sample_null(a);
	s.mem_bytes = -4096;
	assert_int_equal(store_tick_add_sample(st, &s), -EINVAL);
	s = test_sample_null(0);
	assert_int_equal(store_tick_add_sample(st, &s), -EINVAL);
	s = test_sample_null(STORE_CID_MAX + 1);
	assert_int_equal(store_tick_add_sample(st, &s), -EINVAL);
	s = test_sample_null(a);
	assert_int_equal(store_tick_add_sample(st, &s), 0);
	assert_int_equal(store_tick_add_sample(st, &s), -EINVAL); /* twice */
	assert_int_equal(store_tick_commit(st), 0);
	assert_int_equal(test_sql_i64(st, "SELECT count(*) FROM sample"), 2);
	store_close(st);
}

/* NULL stays NULL; "max" is INFINITY, unknown limits NAN. */
static void
test_null_unlimited(void **state TEST_UNUSED)
{
	struct store		*st;
	struct store_top_row	*top;
	struct store_sample	 s;
	struct store_limits	 l;
	size_t			 n;
	int64_t			 a, b, latest;

	st = test_open("null.db");
	a = test_upsert(st, "/lxc/a", T0);
	b = test_upsert(st, "/lxc/b", T0);
	assert_int_equal(store_tick_begin(st, T0, 1000), 0);
	s = test_sample_null(a);
	assert_int_equal(store_tick_add_sample(st, &s), 0);
	s.cid = b;
	assert_int_equal(store_tick_add_sample(st, &s), 0);
	l = test_limits_null(a);
	l.mem_limit = l.swap_limit = l.cpu_quota_us = STORE_UNLIMITED;
	l.pids_max = STORE_UNLIMITED;
	l.cpu_period_us = 100000;
	assert_int_equal(store_tick_add_limits(st, &l), 0);
	l = test_limits_null(b);
	l.cpu_quota_us = 50000;		/* period unknown: no core count */
	assert_int_equal(store_tick_add_limits(st, &l), 0);
	assert_int_equal(store_tick_commit(st), 0);

	assert_int_equal(test_sql_i64(st, "SELECT count(*) FROM sample"
	    " WHERE mem4k IS NULL AND swap4k IS NULL AND cpu_us IS NULL"
	    " AND nr_periods IS NULL AND pids IS NULL AND psi_cpu_us IS NULL"
	    " AND psi_mem_us IS NULL AND psi_io_us IS NULL"
	    " AND cold IS NULL"), 2);
	assert_int_equal(test_sql_i64(st, "SELECT count(*) FROM sample_v"
	    " WHERE coalesce(mem_bytes, swap_bytes, cpu_us, nr_periods,"
	    " nr_throttled, throttled_us, rbytes, wbytes, rios, wios, pids,"
	    " oom, oom_kill, psi_cpu_us, psi_mem_us, psi_io_us) IS NULL"), 2);

	assert_int_equal(store_query_top(st, 0, &top, &n, &latest), 0);
	assert_int_equal(n, 2);
	{
		const struct store_top_row *r = test_find(top, n, a);

		assert_int_equal(r->samples, 1);
		assert_near(r->mem_avg, NAN);
		assert_near(r->mem_max, NAN);
		assert_near(r->mem_last, NAN);
		assert_near(r->swap_avg, NAN);
		assert_near(r->cpu_cores, NAN);
		assert_near(r->throttled_pct, NAN);
		assert_near(r->throttled_time_pct, NAN);
		assert_near(r->rbytes_s, NAN);
		assert_near(r->wios_s, NAN);
		assert_near(r->psi_mem_pct, NAN);
		assert_near(r->pids_last, NAN);
		assert_int_equal(r->oom, STORE_NULL);
		assert_int_equal(r->oom_kill, STORE_NULL);
		assert_true(isinf(r->mem_limit) && r->mem_limit > 0);
		assert_true(isinf(r->swap_limit));
		assert_true(isinf(r->cpu_limit_cores));
		assert_true(isinf(r->pids_max));
		assert_near(r->cpu_shares, NAN);
		r = test_find(top, n, b);
		assert_near(r->mem_limit, NAN);
		assert_near(r->cpu_limit_cores, NAN);
	}
	store_top_free(top, n);
	store_close(st);
}

/*
 * Top over a synthetic stream with known answers. Ticks 1..10 at T0 +
 * 1000 * i, dt 1000 ms (tick 1: dt 2000, so weighting by dt shows).
 *   A: every tick. cpu 0.5 core, 10 periods of which 2 throttled, 100 ms
 *      throttled, 4096 B read, 10 ms of cpu stall; memory (i * 100) MiB;
 *      one OOM kill at tick 4. Limits 1 GiB / 0.5 core at tick 1, 2 GiB
 *      at tick 5.
 *   B: born at tick 6: 1 core. Not diluted by the ticks before it.
 *   C: cpu unknown on odd ticks, 0.25 core on even ones.
 */
static void
test_top_arithmetic(void **state TEST_UNUSED)
{
	struct store		*st;
	struct store_top_row	*top;
	struct store_sample	 s;
	struct store_limits	 l;
	const struct store_top_row *r;
	size_t			 n;
	int64_t			 a, b = 0, c, latest, i, dt;

	st = test_open("top.db");
	a = test_upsert(st, "/lxc/a", T0);
	c = test_upsert(st, "/lxc/c", T0);
	for (i = 1; i <= 10; i++) {
		dt = i == 1 ? 2000 : 1000;
		assert_int_equal(store_tick_begin(st, T0 + 1000 * i, dt), 0);
		memset(&s, 0, sizeof s);
		s.cid = a;
		s.mem_bytes = i * 100 * MiB;
		s.cpu_us = dt * 500;
		s.nr_periods = dt / 100;
		s.nr_throttled = dt / 500;
		s.throttled_us = dt * 100;
		s.rbytes = dt * 4096 / 1000;
		s.rios = dt / 1000;
		s.pids = i;
		s.oom_kill = i == 4;
		s.psi_cpu_us = dt * 10;
		s.psi_mem_us = s.psi_io_us = STORE_NULL;
		assert_int_equal(store_tick_add_sample(st, &s), 0);
		if (i == 1 || i == 5) {
			l = test_limits_null(a);
			l.mem_limit = (i == 1 ? 1024 : 2048) * MiB;
			l.cpu_quota_us = 50000;
			l.cpu_period_us = 100000;
			assert_int_equal(store_tick_add_limits(st, &l), 0);
		}
		if (i == 6)
			b = test_upsert(st, "/lxc/b", T0 + 1000 * i);
		if (i >= 6) {
			s = test_sample_null(b);
			s.cpu_us = 1000000;
			assert_int_equal(store_tick_add_sample(st, &s), 0);
		}
		s = test_sample_null(c);
		s.cpu_us = i % 2 ? STORE_NULL : 250000;
		assert_int_equal(store_tick_add_sample(st, &s), 0);
		assert_int_equal(store_tick_commit(st), 0);
	}

	/* The whole stream. */
	assert_int_equal(store_query_top(st, 60000, &top, &n, &latest), 0);
	assert_int_equal(latest, T0 + 10000);
	assert_int_equal(n, 3);
	r = test_find(top, n, a);
	assert_int_equal(r->samples, 10);
	assert_near(r->cpu_cores, 0.5);
	assert_near(r->throttled_pct, 20);
	assert_near(r->throttled_time_pct, 10);
	assert_near(r->rbytes_s, 4096);
	assert_near(r->rios_s, 1);
	assert_near(r->wbytes_s, 0);
	assert_near(r->psi_cpu_pct, 1);
	assert_near(r->psi_mem_pct, NAN);
	assert_near(r->mem_avg, 550 * MiB);
	assert_near(r->mem_max, 1000 * MiB);
	assert_near(r->mem_last, 1000 * MiB);
	assert_near(r->swap_avg, 0);
	assert_near(r->mem_limit, 2048 * MiB);
	assert_near(r->cpu_limit_cores, 0.5);
	assert_near(r->pids_last, 10);
	assert_int_equal(r->oom_kill, 1);
	assert_int_equal(r->oom, 0);
	r = test_find(top, n, b);
	assert_int_equal(r->samples, 5);
	assert_near(r->cpu_cores, 1);
	assert_int_equal(r->c.first_seen_ms, T0 + 6000);
	r = test_find(top, n, c);
	assert_int_equal(r->samples, 10);
	assert_near(r->cpu_cores, 0.25);
	store_top_free(top, n);

	/* The last 3 s: ticks 8, 9, 10 (ts in (T0 + 7000, T0 + 10000]). */
	assert_int_equal(store_query_top(st, 3000, &top, &n, &latest), 0);
	r = test_find(top, n, a);
	assert_int_equal(r->samples, 3);
	assert_near(r->mem_avg, 900 * MiB);
	assert_int_equal(r->oom_kill, 0);
	store_top_free(top, n);

	/* since 0: the newest tick alone. */
	assert_int_equal(store_query_top(st, 0, &top, &n, &latest), 0);
	assert_int_equal(n, 3);
	r = test_find(top, n, a);
	assert_int_equal(r->samples, 1);
	assert_near(r->mem_avg, 1000 * MiB);
	r = test_find(top, n, c);
	assert_near(r->cpu_cores, 0.25);
	store_top_free(top, n);

	/* The limits in force at the newest tick, not the newest row: a
	 * query inside an open tick with a new limit sees the new one. */
	assert_int_equal(store_tick_begin(st, T0 + 11000, 1000), 0);
	l = test_limits_null(a);
	l.mem_limit = 4096 * MiB;
	assert_int_equal(store_tick_add_limits(st, &l), 0);
	s = test_sample_null(a);
	assert_int_equal(store_tick_add_sample(st, &s), 0);
	assert_int_equal(store_query_top(st, 0, &top, &n, &latest), 0);
	assert_near(test_find(top, n, a)->mem_limit, 4096 * MiB);
	assert_near(test_find(top, n, a)->cpu_limit_cores, NAN);
	store_top_free(top, n);
	store_tick_abort(st);

	assert_int_equal(store_query_top(st, -1, &top, &n, &latest), -EINVAL);
	store_close(st);
}

/* Windows go by time: after the clock steps back, ticks stamped later
 * than the newest are outside every window. And no ticks: nothing. */
static void
test_top_clock_step(void **state TEST_UNUSED)
{
	struct store		*st;
	struct store_top_row	*top;
	size_t			 n;
	int64_t			 a, latest;

	st = test_open("clock.db");
	assert_int_equal(store_query_top(st, 0, &top, &n, &latest), 0);
	assert_int_equal(n, 0);
	assert_null(top);
	assert_int_equal(latest, 0);

	a = test_upsert(st, "/lxc/a", T0);
	test_write_tick(st, T0 + 1000, 1000, a, 1000000);
	test_write_tick(st, T0 + 2000, 1000, a, 1000000);
	test_write_tick(st, T0 + 3000, 1000, a, 1000000);
	test_write_tick(st, T0 + 1500, 1000, a, 0);	/* stepped back */
	assert_int_equal(store_query_top(st, 1000, &top, &n, &latest), 0);
	assert_int_equal(latest, T0 + 1500);
	assert_int_equal(n, 1);
	assert_int_equal(top[0].samples, 2);		/* T0+1000, T0+1500 */
	assert_near(top[0].cpu_cores, 0.5);
	store_top_free(top, n);
	store_close(st);
}

/* A full disk (max_page_count) fails the tick with -ENOSPC, rolls it
 * back whole, and the next tick is written once there is room again. */
static void
test_full_disk(void **state TEST_UNUSED)
{
	struct store		*st;
	struct store_sample	 s;
	struct store_top_row	*top;
	char			 path[64], *sql;
	size_t			 n;
	int64_t			 cids[200], pages, i, latest;
	int			 err = 0, rc;

	st = test_open("full.db");
	for (i = 0; i < 200; i++) {
		snprintf(path, sizeof path, "/lxc/c%lld", (long long)i);
		cids[i] = test_upsert(st, path, T0);
	}
	test_write_tick(st, T0, 1000, cids[0], 1);
	pages = test_sql_i64(st, "PRAGMA page_count");
	sql = xasprintf("PRAGMA max_page_count = %lld", (long long)pages);
	assert_int_equal(sqlite3_exec(store_sqlite(st), sql, NULL, NULL, NULL),
	    SQLITE_OK);
	free(sql);

	assert_int_equal(store_tick_begin(st, T0 + 1000, 1000), 0);
	for (i = 0; i < 200 && err == 0; i++) {
		memset(&s, 0, sizeof s);
		s.cid = cids[i];
		s.mem_bytes = (i + 1) * 4096 * 1000003;
		s.cpu_us = 123456;
		err = store_tick_add_sample(st, &s);
	}
	if (err == 0)
		err = store_tick_commit(st);
	else {
		/* The tick is spoiled: the rest is refused, commit reports. */
		assert_int_equal(store_tick_add_sample(st, &s), err);
		assert_int_equal(store_tick_commit(st), err);
	}
	assert_int_equal(err, -ENOSPC);
	assert_int_equal(test_sql_i64(st, "SELECT count(*) FROM tick"), 1);
	assert_int_equal(test_sql_i64(st, "SELECT count(*) FROM sample"), 1);

	rc = sqlite3_exec(store_sqlite(st), "PRAGMA max_page_count = 1000000",
	    NULL, NULL, NULL);
	assert_int_equal(rc, SQLITE_OK);
	test_write_tick(st, T0 + 2000, 1000, cids[1], 500000);
	assert_int_equal(store_query_top(st, 0, &top, &n, &latest), 0);
	assert_int_equal(latest, T0 + 2000);
	assert_int_equal(n, 1);
	assert_near(top[0].cpu_cores, 0.5);
	store_top_free(top, n);
	test_sql_text(st, "PRAGMA integrity_check", "ok");
	store_close(st);
}

static int
test_setup(void **state TEST_UNUSED)
{
	log_init("test_store", 0, LOG_LEVEL_ERR);
	if (mkdtemp(test_dir) == NULL)
		return -1;
	return 0;
}

static int
test_teardown(void **state TEST_UNUSED)
{
	return testdir_remove(test_dir);
}

/* The node over a window: busy share of all CPU time, PSI per sampled
 * second, the newest gauges, the lowest available memory. */
static void
test_node_window(void **state TEST_UNUSED)
{
	struct store		*st = test_open("node.db");
	struct store_node_row	 r;
	int64_t			 i;

	assert_int_equal(store_query_node(st, 0, &r), 0);
	assert_int_equal(r.samples, 0);
	assert_true(isnan(r.cpu_busy_pct));
	for (i = 1; i <= 10; i++) {
		struct store_node n = {
			.mem_total = 1000 * MiB,
			.mem_available = (i == 3 ? 100 : 500 + i) * MiB,
			.swap_total = 0, .swap_free = 0,
			.cpu_busy_ms = i <= 5 ? 500 : 1500,  /* of 2000: 25%, then 75% */
			.cpu_total_ms = 2000,
			.ncpu = 2, .load1 = 100 + i,
			.psi_cpu_us = 10000,                 /* 10 ms a second: 1% */
			.psi_mem_us = STORE_NULL, .psi_io_us = 0,
		};

		assert_int_equal(store_tick_begin(st, T0 + 1000 * i, 1000), 0);
		assert_int_equal(store_tick_add_node(st, &n), 0);
		assert_int_equal(store_tick_commit(st), 0);
	}
	assert_int_equal(store_query_node(st, 0, &r), 0);      /* newest tick */
	assert_int_equal(r.samples, 1);
	assert_near(r.cpu_busy_pct, 75.0);
	assert_near(r.load1, 1.10);
	assert_near(r.mem_available, 510.0 * MiB);
	assert_near(r.psi_cpu_pct, 1.0);
	assert_true(isnan(r.psi_mem_pct));
	assert_near(r.psi_io_pct, 0.0);
	assert_near(r.swap_used, 0.0);
	assert_int_equal(store_query_node(st, 100000, &r), 0);  /* all ten */
	assert_int_equal(r.samples, 10);
	assert_near(r.cpu_busy_pct, 50.0);
	assert_near(r.mem_available_min, 100.0 * MiB);
	assert_near(r.mem_total, 1000.0 * MiB);
	assert_near(r.ncpu, 2.0);
	assert_int_equal(store_query_node(st, 4500, &r), 0);    /* ticks 6..10 */
	assert_int_equal(r.samples, 5);
	assert_near(r.cpu_busy_pct, 75.0);
	store_close(st);
}

/* The WAL stays bounded while the database grows, with a reader coming
 * and going as the CLI does: autocheckpoint and journal_size_limit work. */
static void
test_wal_bounded(void **state TEST_UNUSED)
{
	struct store	*st = test_open("wal.db"), *ro;
	char		*wal = test_path("wal.db-wal"), *db = test_path("wal.db");
	int64_t		 cids[200], max_wal = 0;
	struct stat	 sb;

	for (int i = 0; i < 200; i++) {
		char name[32];

		snprintf(name, sizeof name, "/lxc/c%d", i);
		cids[i] = test_upsert(st, name, 1000);
	}
	for (int t = 1; t <= 4000; t++) {
		assert_int_equal(store_tick_begin(st, 1000 + t * 1000LL, 1000), 0);
		for (int i = 0; i < 200; i++) {
			struct store_sample s = test_sample_null(cids[i]);

			s.mem_bytes = 4096LL * (1000 + (t * 7 + i) % 5000);
			s.cpu_us = (t * 13 + i) % 1000000;
			assert_int_equal(store_tick_add_sample(st, &s), 0);
		}
		assert_int_equal(store_tick_commit(st), 0);
		if (t % 100 == 0) {     /* a CLI query now and then */
			struct store_top_row *top;
			size_t n;
			int64_t latest;

			assert_int_equal(store_open(db, STORE_RDONLY, &ro), 0);
			assert_int_equal(store_query_top(ro, 10000, &top, &n, &latest), 0);
			assert_int_equal(n, 200);
			store_top_free(top, n);
			store_close(ro);
		}
		if (stat(wal, &sb) == 0 && sb.st_size > max_wal)
			max_wal = sb.st_size;
	}
	assert_int_equal(stat(db, &sb), 0);
	print_message("database %lld bytes, largest WAL %lld bytes\n", (long long)sb.st_size,
	    (long long)max_wal);
	assert_true(max_wal > 0);
	assert_true(max_wal < 8 * 1024 * 1024);         /* ~1000 pages + a tick */
	assert_true(sb.st_size > 2 * max_wal);          /* it did not follow the file */
	store_close(st);
	free(wal);
	free(db);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_round_trip),
		cmocka_unit_test(test_containers),
		cmocka_unit_test(test_migrate),
		cmocka_unit_test(test_newer_version),
		cmocka_unit_test(test_rdonly_missing),
		cmocka_unit_test(test_temps),
		cmocka_unit_test(test_rdonly_beside_writer),
		cmocka_unit_test(test_abort),
		cmocka_unit_test(test_null_unlimited),
		cmocka_unit_test(test_top_arithmetic),
		cmocka_unit_test(test_top_clock_step),
		cmocka_unit_test(test_full_disk),
		cmocka_unit_test(test_node_window),
		cmocka_unit_test(test_wal_bounded),
	};

	return cmocka_run_group_tests(tests, test_setup, test_teardown);
}
