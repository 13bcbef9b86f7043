/* store.c: the SQLite history: open, migrate, and one transaction per tick.
 *
 * The schema and why it is shaped so are in doc/store.md. In short: one
 * `tick` row per tick holds the time; `sample` rows are keyed by
 * STORE_KEY(tick, cid) in the rowid b-tree, which SQLite appends to with
 * full pages and which a time window scans as one range; every value is a
 * small varint, zeros and NULLs cost one header byte, and the eight
 * counters that are zero most of the time share one `cold` column.
 */
#include "config.h"

#include <sys/stat.h>

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sqlite3.h>

#include "fsafe.h"
#include "log.h"
#include "pack.h"
#include "store.h"
#include "xmalloc.h"

/* Readers may wait longer than the writer (store.h); in WAL mode they
 * only ever wait for recovery. */
#define STORE_BUSY_READER_MS	2000
/* WAL pages before an automatic checkpoint (SQLite's default), and the
 * size the WAL file is cut back to after each reset: without the limit the
 * file keeps the size of its largest burst forever. */
#define STORE_WAL_AUTOCHECKPOINT	1000
#define STORE_JOURNAL_SIZE_LIMIT	(16 * 1024 * 1024)

enum store_stmt_id {
	STORE_STMT_BEGIN,
	STORE_STMT_COMMIT,
	STORE_STMT_ROLLBACK,
	STORE_STMT_TICK,
	STORE_STMT_SAMPLE,
	STORE_STMT_LIMITS,
	STORE_STMT_MEMSTAT,
	STORE_STMT_NODE,
	STORE_STMT_UPSERT,
	STORE_STMT_UNREGISTER,
	STORE_STMT_GONE,
	STORE_STMT_TEMP,
	STORE_STMT_COUNT
};

static const char *store_stmt_sql[STORE_STMT_COUNT] = {
	/* IMMEDIATE: take the write lock now, so a busy database fails the
	 * tick at its start rather than after a thousand inserts. */
	[STORE_STMT_BEGIN] = "BEGIN IMMEDIATE",
	[STORE_STMT_COMMIT] = "COMMIT",
	[STORE_STMT_ROLLBACK] = "ROLLBACK",
	[STORE_STMT_TICK] = "INSERT INTO tick(ts_ms, dt_ms) VALUES (?1, ?2)",
	[STORE_STMT_SAMPLE] = "INSERT INTO sample VALUES "
	    "(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
	[STORE_STMT_LIMITS] = "INSERT OR REPLACE INTO limits VALUES "
	    "(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
	[STORE_STMT_MEMSTAT] = "INSERT OR REPLACE INTO memstat VALUES "
	    "(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
	[STORE_STMT_NODE] = "INSERT OR REPLACE INTO node VALUES "
	    "(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)",
	[STORE_STMT_UPSERT] = "INSERT INTO container"
	    "(path, name, runtime, first_seen_ms, last_seen_ms) "
	    "VALUES (?1, ?2, ?3, ?4, ?4) ON CONFLICT(path) DO UPDATE SET "
	    "name = excluded.name, runtime = excluded.runtime, "
	    "last_seen_ms = excluded.last_seen_ms, gone_ms = NULL "
	    "RETURNING id",
	[STORE_STMT_UNREGISTER] = "DELETE FROM container WHERE id = ?1",
	[STORE_STMT_GONE] = "UPDATE container SET gone_ms = ?2 WHERE id = ?1",
	[STORE_STMT_TEMP] = "INSERT OR REPLACE INTO temp VALUES (?1, ?2, ?3)",
};

struct store {
	sqlite3		*db;
	char		*path;
	int		 flags;
	int		 version;

	sqlite3_stmt	*stmt[STORE_STMT_COUNT];

	int		 in_tick;
	int64_t		 tick_id;
	/* First failure of the open tick. A failed statement may have rolled
	 * the transaction back already (SQLITE_FULL, IOERR, BUSY can), so the
	 * rest of the tick is refused and commit rolls back and reports. */
	int		 tick_error;
};

/* One migration step: the SQL that takes the file from version to - 1 to
 * version `to`. Steps are append-only: never edit a shipped one, add the
 * next. See doc/store.md for the meaning of each column. */
struct store_migration {
	int		 to;
	const char	*sql;
};

/* The view of a rollup tier: its packed fields by name, in the order of
 * ROLL_FIELDS (rollup.c). */
#define STORE_ROLL_VIEW(t, len)						\
	"CREATE VIEW " t "_v AS SELECT (key >> 22) * " len " AS ts_ms,"	\
	" key & 4194303 AS cid, n, dt_ms,"					\
	" cgov_field(v, 0) AS mem_min4k, cgov_field(v, 1) AS mem_avg4k,"	\
	" cgov_field(v, 2) AS mem_max4k, cgov_field(v, 3) AS mem_p954k,"	\
	" cgov_field(v, 4) AS swap_avg4k, cgov_field(v, 5) AS swap_max4k,"	\
	" cgov_field(v, 6) AS pids_avg100, cgov_field(v, 7) AS pids_max,"	\
	" cgov_field(v, 8) AS cpu_us, cgov_field(v, 9) AS cpu_p95_mc,"	\
	" cgov_field(v, 10) AS cpu_max_mc, cgov_field(v, 11) AS nr_periods,"	\
	" cgov_field(v, 12) AS nr_throttled,"				\
	" cgov_field(v, 13) AS throttled_us, cgov_field(v, 14) AS rbytes,"	\
	" cgov_field(v, 15) AS wbytes, cgov_field(v, 16) AS rios,"		\
	" cgov_field(v, 17) AS wios, cgov_field(v, 18) AS io_p95,"		\
	" cgov_field(v, 19) AS iops_p95_milli, cgov_field(v, 20) AS oom,"	\
	" cgov_field(v, 21) AS oom_kill, cgov_field(v, 22) AS psi_cpu_us,"	\
	" cgov_field(v, 23) AS psi_mem_us, cgov_field(v, 24) AS psi_io_us,"	\
	" cgov_field(v, 25) AS mem_limit, cgov_field(v, 26) AS swap_limit,"	\
	" cgov_field(v, 27) AS cpu_shares, cgov_field(v, 28) AS cpu_limit_mc,"	\
	" cgov_field(v, 29) AS pids_limit FROM " t ";"

/* The node's rows of a tier: one per bucket (ts_ms / the tier's length),
 * few enough to keep plain columns. */
#define STORE_NODE_TIER(t)						\
	"CREATE TABLE " t " ("						\
	" bucket INTEGER PRIMARY KEY, n, dt_ms, ncpu, mem_total, avail_min,"	\
	" avail_avg, swap_total, swap_free_min, swap_free_avg, cpu_busy_ms,"	\
	" cpu_total_ms, busy_p95_milli, load1_avg100, load1_max100,"	\
	" psi_cpu_us, psi_mem_us, psi_io_us);"

static const struct store_migration store_migrations[] = {
	{ 1,
	  "CREATE TABLE container ("
	  " id INTEGER PRIMARY KEY,"
	  " path TEXT NOT NULL UNIQUE,"
	  " name TEXT, runtime TEXT,"
	  " first_seen_ms INTEGER NOT NULL,"
	  " last_seen_ms INTEGER NOT NULL,"
	  " gone_ms INTEGER);"
	  "CREATE TABLE tick ("
	  " id INTEGER PRIMARY KEY,"
	  " ts_ms INTEGER NOT NULL,"
	  " dt_ms INTEGER NOT NULL);"
	  "CREATE INDEX tick_ts ON tick(ts_ms, dt_ms);"
	  /* key = STORE_KEY(tick, cid); *4k: see store_mem_encode(); cold:
	   * see store_cold_encode(). */
	  "CREATE TABLE sample ("
	  " key INTEGER PRIMARY KEY,"
	  " mem4k, swap4k, cpu_us, nr_periods, pids,"
	  " psi_cpu_us, psi_mem_us, psi_io_us, cold);"
	  "CREATE TABLE limits ("
	  " cid INTEGER NOT NULL, tick INTEGER NOT NULL,"
	  " mem_limit, mem_high, swap_limit, cpu_shares, cpu_quota_us,"
	  " cpu_period_us, pids_max,"
	  " PRIMARY KEY (cid, tick)) WITHOUT ROWID;"
	  "CREATE TABLE memstat ("
	  " key INTEGER PRIMARY KEY,"
	  " anon4k, file4k, kernel4k, shmem4k, file_dirty4k,"
	  " file_writeback4k, pgmajfault);"
	  "CREATE TABLE node ("
	  " tick INTEGER PRIMARY KEY,"
	  " mem_total, mem_available, swap_total, swap_free,"
	  " cpu_busy_ms, cpu_total_ms, ncpu, load1,"
	  " psi_cpu_us, psi_mem_us, psi_io_us);"
	  /* For people at the sqlite3 prompt: the samples in plain units.
	   * cgov_cold() exists on cgov's own connections only. */
	  "CREATE VIEW sample_v AS SELECT"
	  " s.key >> 22 AS tick, s.key & 4194303 AS cid, t.ts_ms, t.dt_ms,"
	  " CASE WHEN mem4k >= 0 THEN mem4k * 4096 ELSE -1 - mem4k END"
	  "  AS mem_bytes,"
	  " CASE WHEN swap4k >= 0 THEN swap4k * 4096 ELSE -1 - swap4k END"
	  "  AS swap_bytes,"
	  " cpu_us, nr_periods,"
	  " cgov_cold(cold, 0) AS nr_throttled,"
	  " cgov_cold(cold, 1) AS throttled_us,"
	  " cgov_cold(cold, 2) AS rbytes, cgov_cold(cold, 3) AS wbytes,"
	  " cgov_cold(cold, 4) AS rios, cgov_cold(cold, 5) AS wios,"
	  " pids, cgov_cold(cold, 6) AS oom, cgov_cold(cold, 7) AS oom_kill,"
	  " psi_cpu_us, psi_mem_us, psi_io_us"
	  " FROM sample s JOIN tick t ON t.id = s.key >> 22;" },
	/* The journal of governing (journal.h, store_journal.c). Knob values
	 * use the limit convention: NULL unknown, -1 "max". */
	{ 2,
	  "CREATE TABLE knob_orig ("
	  " cid INTEGER NOT NULL, knob INTEGER NOT NULL, dev INTEGER NOT NULL,"
	  " value INTEGER NOT NULL, ts_ms INTEGER NOT NULL,"
	  " PRIMARY KEY (cid, knob, dev)) WITHOUT ROWID;"
	  "CREATE TABLE action ("
	  " id INTEGER PRIMARY KEY,"
	  " ts_ms INTEGER NOT NULL, cid INTEGER NOT NULL,"
	  " kind TEXT NOT NULL, policy TEXT, rule TEXT, rung INTEGER NOT NULL,"
	  " knob INTEGER NOT NULL, dev INTEGER NOT NULL,"
	  " old_value INTEGER, new_value INTEGER, observed TEXT,"
	  " dry_run INTEGER NOT NULL, error INTEGER NOT NULL,"
	  " restored_ms INTEGER);"
	  "CREATE INDEX action_ts ON action(ts_ms);"
	  "CREATE INDEX action_cid ON action(cid, ts_ms);"
	  /* What is in force: small, and what restores and status look up. */
	  "CREATE INDEX action_in_force ON action(cid, knob, dev)"
	  " WHERE restored_ms IS NULL AND kind IN ('apply', 'reassert');"
	  "CREATE TABLE rule_state ("
	  " cid INTEGER NOT NULL, policy TEXT NOT NULL, rule TEXT NOT NULL,"
	  " state TEXT NOT NULL, rung INTEGER NOT NULL, since_ms INTEGER NOT NULL,"
	  " why TEXT,"
	  " PRIMARY KEY (cid, policy, rule)) WITHOUT ROWID;"
	  "CREATE TABLE daemon ("
	  " id INTEGER PRIMARY KEY CHECK (id = 1),"
	  " pid INTEGER NOT NULL, started_ms INTEGER NOT NULL,"
	  " beat_ms INTEGER NOT NULL, interval_ms INTEGER NOT NULL,"
	  " containers INTEGER NOT NULL, governed INTEGER NOT NULL,"
	  " dry_run INTEGER NOT NULL, policies TEXT, stopped_ms INTEGER);" },
	/* Rollup tiers (rollup.h, rollup_step.c): one row per container and
	 * minute or hour, keyed like samples by bucket << 22 | cid, the
	 * bucket being ts_ms / the tier's length; the figures packed into
	 * one blob (pack.h, ROLL_FIELDS in rollup.c), read by name through
	 * the views. Memory in 4 KiB units, rates per tick in millicores,
	 * bytes/s and milli-operations/s. */
	{ 3,
	  "CREATE TABLE roll1m (key INTEGER PRIMARY KEY, n INTEGER NOT NULL,"
	  " dt_ms INTEGER NOT NULL, v BLOB NOT NULL);"
	  "CREATE TABLE roll1h (key INTEGER PRIMARY KEY, n INTEGER NOT NULL,"
	  " dt_ms INTEGER NOT NULL, v BLOB NOT NULL);"
	  STORE_ROLL_VIEW("roll1m", "60000")
	  STORE_ROLL_VIEW("roll1h", "3600000")
	  STORE_NODE_TIER("node1m")
	  STORE_NODE_TIER("node1h")
	  /* The end of the newest bucket rolled up, per tier (1: minute,
	  * 2: hour): rollups resume there. */
	  "CREATE TABLE roll_mark (tier INTEGER PRIMARY KEY,"
	  " done_ms INTEGER NOT NULL);" },
	/* Tenants are cgroup identities, not paths (tenant.h): an original is
	 * keyed by the container's cgroup inode too (0: unknown, journaled by
	 * a cgov before version 4), so a cgroup re-created at the same path
	 * never inherits the original of the one before; actions say whose
	 * they were. */
	{ 4,
	  "CREATE TABLE knob_orig4 ("
	  " cid INTEGER NOT NULL, ino INTEGER NOT NULL, cgid INTEGER NOT NULL,"
	  " knob INTEGER NOT NULL, dev INTEGER NOT NULL,"
	  " value INTEGER NOT NULL, ts_ms INTEGER NOT NULL,"
	  " PRIMARY KEY (cid, ino, knob, dev)) WITHOUT ROWID;"
	  "INSERT INTO knob_orig4 SELECT cid, 0, 0, knob, dev, value, ts_ms FROM knob_orig;"
	  "DROP TABLE knob_orig;"
	  "ALTER TABLE knob_orig4 RENAME TO knob_orig;"
	  "ALTER TABLE action ADD COLUMN ino INTEGER NOT NULL DEFAULT 0;" },
	/* The node's temperatures (temp.h), on the sensors' own cadence: one
	 * row per sensor in the ticks that read them, in millidegrees C
	 * (NULL: the sensor failed). The sensor's name is text: a few rows
	 * every ten seconds, and no id table to keep in step. Retention
	 * deletes them with their tick (rollup_step.c). */
	{ 5,
	  "CREATE TABLE temp ("
	  " tick INTEGER NOT NULL, sensor TEXT NOT NULL, mc INTEGER,"
	  " PRIMARY KEY (tick, sensor)) WITHOUT ROWID;"
	  "CREATE VIEW temp_v AS SELECT t.tick, k.ts_ms, t.sensor,"
	  " t.mc / 1000.0 AS celsius FROM temp t JOIN tick k ON k.id = t.tick;" },
	/* An original whose knob unit rounds the kernel's value (a CPU quota
	 * in millicores is quota/period) keeps the kernel's own form too,
	 * "QUOTA PERIOD" (knob.h): a restore writes back exactly what was
	 * there. NULL: value is exact. */
	{ 6,
	  "ALTER TABLE knob_orig ADD COLUMN exact TEXT;" },
};

#define STORE_NMIGRATIONS \
	(sizeof store_migrations / sizeof store_migrations[0])

/* The view above spells STORE_CID_BITS and STORE_MEM_UNIT out. */
_Static_assert(STORE_CID_BITS == 22 && STORE_CID_MAX == 4194303,
    "sample_v hardcodes the key split");
_Static_assert(STORE_MEM_UNIT == 4096, "sample_v hardcodes the unit");

/* syserr is the errno of the failing system call, as SQLite saw it: a
 * full disk may come back as SQLITE_FULL or as an IOERR of a truncate. */
static int
store_errno(int rc, int syserr)
{
	if (syserr == ENOSPC || syserr == EDQUOT)
		return -ENOSPC;
	switch (rc & 0xff) {
	case SQLITE_OK:
	case SQLITE_ROW:
	case SQLITE_DONE:
		return 0;
	case SQLITE_FULL:
		return -ENOSPC;
	case SQLITE_READONLY:
		return -EROFS;
	case SQLITE_PERM:
	case SQLITE_AUTH:
		return -EACCES;
	case SQLITE_BUSY:
	case SQLITE_LOCKED:
		return -EBUSY;
	case SQLITE_CANTOPEN:
		return syserr == EACCES || syserr == EPERM || syserr == EROFS ?
		    -EACCES : -ENOENT;
	case SQLITE_MISUSE:
	case SQLITE_RANGE:
		return -EINVAL;
	default:
		return -EIO;
	}
}

int
store_error(struct store *st, int rc, const char *what)
{
	int	 syserr = 0;

	if (st->db != NULL)
		syserr = sqlite3_system_errno(st->db);
	log_warnx("store: %s: %s: %s", st->path, what,
	    st->db != NULL ? sqlite3_errmsg(st->db) : sqlite3_errstr(rc));
	return store_errno(rc, syserr);
}

struct sqlite3 *
store_sqlite(struct store *st)
{
	return st->db;
}

int
store_read_begin(struct store *st, int *ret_began)
{
	int	 rc;

	*ret_began = 0;
	if (!sqlite3_get_autocommit(st->db))
		return 0;
	rc = sqlite3_exec(st->db, "BEGIN", NULL, NULL, NULL);
	if (rc != SQLITE_OK)
		return store_error(st, rc, "begin");
	*ret_began = 1;
	return 0;
}

void
store_read_end(struct store *st, int began)
{
	if (began)
		sqlite3_exec(st->db, "COMMIT", NULL, NULL, NULL);
}

int
store_i64(struct store *st, const char *sql, int64_t p1, int64_t p2, int64_t *ret)
{
	sqlite3_stmt	*stmt;
	int		 rc, err = 0;

	*ret = STORE_NULL;
	if ((err = store_stmt_cached(st, sql, &stmt)) != 0)
		return err;
	if (sqlite3_bind_parameter_count(stmt) >= 1)
		sqlite3_bind_int64(stmt, 1, p1);
	if (sqlite3_bind_parameter_count(stmt) >= 2)
		sqlite3_bind_int64(stmt, 2, p2);
	rc = sqlite3_step(stmt);
	if (rc == SQLITE_ROW && sqlite3_column_type(stmt, 0) != SQLITE_NULL)
		*ret = sqlite3_column_int64(stmt, 0);
	else if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		err = store_error(st, rc, "query");
	sqlite3_reset(stmt);
	return err;
}

int
store_stmt_cached(struct store *st, const char *sql, sqlite3_stmt **ret)
{
	sqlite3_stmt	*stmt = NULL;
	int		 rc;

	while ((stmt = sqlite3_next_stmt(st->db, stmt)) != NULL) {
		if (!sqlite3_stmt_busy(stmt) && strcmp(sqlite3_sql(stmt), sql) == 0) {
			sqlite3_reset(stmt);
			sqlite3_clear_bindings(stmt);
			*ret = stmt;
			return 0;
		}
	}
	rc = sqlite3_prepare_v3(st->db, sql, -1, SQLITE_PREPARE_PERSISTENT, ret,
	    NULL);
	if (rc != SQLITE_OK) {
		*ret = NULL;
		return store_error(st, rc, "prepare");
	}
	return 0;
}

int
store_in_tick(struct store *st)
{
	return st->in_tick;
}

/* Returns the cached statement, reset and unbound, or NULL after logging
 * (the caller returns *ret_err). */
static sqlite3_stmt *
store_stmt(struct store *st, enum store_stmt_id id, int *ret_err)
{
	sqlite3_stmt	*stmt = st->stmt[id];
	int		 rc;

	if (stmt != NULL) {
		sqlite3_reset(stmt);
		sqlite3_clear_bindings(stmt);
		return stmt;
	}
	rc = sqlite3_prepare_v3(st->db, store_stmt_sql[id], -1,
	    SQLITE_PREPARE_PERSISTENT, &stmt, NULL);
	if (rc != SQLITE_OK) {
		*ret_err = store_error(st, rc, "prepare");
		return NULL;
	}
	st->stmt[id] = stmt;
	return stmt;
}

/* Steps a statement that returns no row and resets it. */
static int
store_step_done(struct store *st, sqlite3_stmt *stmt, const char *what)
{
	int	 rc;

	rc = sqlite3_step(stmt);
	if (rc == SQLITE_ROW)
		rc = SQLITE_DONE;
	if (rc != SQLITE_DONE) {
		rc = store_error(st, rc, what);
		sqlite3_reset(stmt);
		return rc;
	}
	sqlite3_reset(stmt);
	return 0;
}

static int
store_run(struct store *st, enum store_stmt_id id, const char *what)
{
	sqlite3_stmt	*stmt;
	int		 err = 0;

	if ((stmt = store_stmt(st, id, &err)) == NULL)
		return err;
	return store_step_done(st, stmt, what);
}

static void
store_bind_i64(sqlite3_stmt *stmt, int idx, int64_t v)
{
	if (v == STORE_NULL)
		sqlite3_bind_null(stmt, idx);
	else
		sqlite3_bind_int64(stmt, idx, v);
}

static void
store_bind_text(sqlite3_stmt *stmt, int idx, const char *s)
{
	if (s == NULL)
		sqlite3_bind_null(stmt, idx);
	else
		sqlite3_bind_text(stmt, idx, s, -1, SQLITE_STATIC);
}

/* Bytes to the stored form: 4 KiB units when aligned, which kernel figures
 * always are (memory is charged in pages); anything else stays exact as the
 * negative -1 - bytes. Negative byte counts have no encoding: -EINVAL. */
static int
store_mem_encode(int64_t bytes, int64_t *ret)
{
	if (bytes == STORE_NULL) {
		*ret = STORE_NULL;
		return 0;
	}
	if (bytes < 0)
		return -EINVAL;
	if (bytes % STORE_MEM_UNIT == 0)
		*ret = bytes / STORE_MEM_UNIT;
	else
		*ret = -1 - bytes;
	return 0;
}

/*
 * The cold column. Throttling, block I/O and OOM counters are zero in most
 * ticks of most containers, yet eight columns cost eight record-header
 * bytes per row even when zero: a fifth of a sample. Packed, a row with
 * all of them zero costs one byte. Forms:
 *   integer 0   all eight zero
 *   NULL        all eight unknown
 *   blob        byte 0: bit i set = field i known; byte 1: bit i set =
 *               field i nonzero (a subset of byte 0); then, for each
 *               nonzero field in order, the value zigzag-encoded as a
 *               little-endian base-128 varint (LEB128).
 * Field order is STORE_COLD_N's in store.h. Shipped files hold this
 * format: change it only through a migration.
 */
#define STORE_COLD_MAX	(2 + STORE_COLD_N * 10)

static void
store_cold_fields(const struct store_sample *s, int64_t v[STORE_COLD_N])
{
	v[0] = s->nr_throttled;
	v[1] = s->throttled_us;
	v[2] = s->rbytes;
	v[3] = s->wbytes;
	v[4] = s->rios;
	v[5] = s->wios;
	v[6] = s->oom;
	v[7] = s->oom_kill;
}

/* Fills buf and returns its length; 0 and 1 mean the integer 0 and NULL
 * forms (a blob is never shorter than 2). */
static int
store_cold_encode(const struct store_sample *s, uint8_t buf[STORE_COLD_MAX])
{
	int64_t		 v[STORE_COLD_N];
	uint8_t		 known = 0, nonzero = 0;
	int		 i, n = 2;

	store_cold_fields(s, v);
	for (i = 0; i < STORE_COLD_N; i++) {
		if (v[i] == STORE_NULL)
			continue;
		known |= 1 << i;
		if (v[i] == 0)
			continue;
		nonzero |= 1 << i;
		n += (int)pack_varint_put(buf + n, v[i]);
	}
	if (known == 0)
		return 1;
	if (known == 0xff && nonzero == 0)
		return 0;
	buf[0] = known;
	buf[1] = nonzero;
	return n;
}

int
store_cold_value(struct sqlite3_value *val, int64_t ret[STORE_COLD_N])
{
	const uint8_t	*p;
	size_t		 off = 2;
	int		 i, n;

	switch (sqlite3_value_type(val)) {
	case SQLITE_NULL:
		for (i = 0; i < STORE_COLD_N; i++)
			ret[i] = STORE_NULL;
		return 0;
	case SQLITE_INTEGER:
		if (sqlite3_value_int64(val) != 0)
			return -EIO;
		for (i = 0; i < STORE_COLD_N; i++)
			ret[i] = 0;
		return 0;
	case SQLITE_BLOB:
		break;
	default:
		return -EIO;
	}
	p = sqlite3_value_blob(val);
	n = sqlite3_value_bytes(val);
	if (p == NULL || n < 2 || (p[1] & ~p[0]) != 0)
		return -EIO;
	for (i = 0; i < STORE_COLD_N; i++) {
		if (!(p[0] & (1 << i))) {
			ret[i] = STORE_NULL;
			continue;
		}
		if (!(p[1] & (1 << i))) {
			ret[i] = 0;
			continue;
		}
		if (pack_varint_get(p, (size_t)n, &off, &ret[i]) != 0)
			return -EIO;
	}
	return off == (size_t)n ? 0 : -EIO;
}

/* cgov_field(blob, i): field i of a packed row (pack.h), for the views of
 * the rollup tiers; NULL when unknown or damaged. */
static void
store_sql_field(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
	int64_t	 v[PACK_MAXFIELDS];
	int	 i = sqlite3_value_int(argv[1]);

	(void)argc;
	if (sqlite3_value_type(argv[0]) != SQLITE_BLOB || i < 0 || i >= PACK_MAXFIELDS ||
	    pack_decode(sqlite3_value_blob(argv[0]), (size_t)sqlite3_value_bytes(argv[0]),
	    v, i + 1) != 0 || v[i] == STORE_NULL) {
		sqlite3_result_null(ctx);
		return;
	}
	sqlite3_result_int64(ctx, v[i]);
}

/* cgov_cold(cold, i): field i of a cold column, for sample_v. */
static void
store_sql_cold(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
	int64_t	 v[STORE_COLD_N];
	int	 i;

	(void)argc;	/* registered with two */
	i = sqlite3_value_int(argv[1]);
	if (i < 0 || i >= STORE_COLD_N) {
		sqlite3_result_error(ctx, "cgov_cold: no such field", -1);
		return;
	}
	if (store_cold_value(argv[0], v) != 0) {
		sqlite3_result_error(ctx, "cgov_cold: damaged value", -1);
		return;
	}
	if (v[i] == STORE_NULL)
		sqlite3_result_null(ctx);
	else
		sqlite3_result_int64(ctx, v[i]);
}

static int
store_exec(struct store *st, const char *sql, const char *what)
{
	int	 rc;

	rc = sqlite3_exec(st->db, sql, NULL, NULL, NULL);
	if (rc != SQLITE_OK)
		return store_error(st, rc, what);
	return 0;
}

static int
store_read_version(struct store *st, int *ret)
{
	sqlite3_stmt	*stmt;
	int		 rc;

	rc = sqlite3_prepare_v2(st->db, "PRAGMA user_version", -1, &stmt, NULL);
	if (rc != SQLITE_OK)
		return store_error(st, rc, "user_version");
	rc = sqlite3_step(stmt);
	if (rc != SQLITE_ROW) {
		rc = store_error(st, rc, "user_version");
		sqlite3_finalize(stmt);
		return rc;
	}
	*ret = sqlite3_column_int(stmt, 0);
	sqlite3_finalize(stmt);
	return 0;
}

/* Runs each missing step in its own transaction with the new user_version,
 * so a crash or a full disk leaves the file at the last complete step. */
static int
store_migrate(struct store *st)
{
	const struct store_migration	*m;
	char				*sql;
	size_t				 i;
	int				 err;

	for (i = 0; i < STORE_NMIGRATIONS; i++) {
		m = &store_migrations[i];
		if (m->to <= st->version)
			continue;
		if ((err = store_exec(st, "BEGIN IMMEDIATE", "migrate")) != 0)
			return err;
		sql = xasprintf("%s; PRAGMA user_version = %d;", m->sql, m->to);
		err = store_exec(st, sql, "migrate");
		free(sql);
		if (err == 0)
			err = store_exec(st, "COMMIT", "migrate");
		if (err != 0) {
			sqlite3_exec(st->db, "ROLLBACK", NULL, NULL, NULL);
			log_warnx("store: %s: migration to version %d failed",
			    st->path, m->to);
			return err;
		}
		log_info("store: %s: schema version %d", st->path, m->to);
		st->version = m->to;
	}
	return 0;
}

/* Session settings of the writer. journal_mode=WAL is recorded in the file
 * and lets readers run beside the writer; synchronous=NORMAL syncs at
 * checkpoints only: a power cut may lose the last ticks, never integrity. */
static int
store_setup_writer(struct store *st)
{
	sqlite3_stmt	*stmt;
	char		*sql;
	int		 rc, err, wal;

	rc = sqlite3_prepare_v2(st->db, "PRAGMA journal_mode = WAL", -1, &stmt,
	    NULL);
	if (rc != SQLITE_OK)
		return store_error(st, rc, "journal_mode");
	rc = sqlite3_step(stmt);
	if (rc != SQLITE_ROW) {
		err = store_error(st, rc, "journal_mode");
		sqlite3_finalize(stmt);
		return err;
	}
	wal = strcmp((const char *)sqlite3_column_text(stmt, 0), "wal") == 0;
	sqlite3_finalize(stmt);
	if (!wal) {
		log_warnx("store: %s: cannot switch to WAL mode", st->path);
		return -EIO;
	}
	sql = xasprintf("PRAGMA synchronous = NORMAL;"
	    "PRAGMA journal_size_limit = %d;"
	    "PRAGMA wal_autocheckpoint = %d;"
	    "PRAGMA temp_store = MEMORY;",
	    STORE_JOURNAL_SIZE_LIMIT, STORE_WAL_AUTOCHECKPOINT);
	err = store_exec(st, sql, "pragma");
	free(sql);
	return err;
}

/* Whether a read-only open must be immutable (see store_open): no -shm
 * file, and a directory that cannot be written (access(2) says EROFS on a
 * read-only mount even to root). */
static int
store_needs_immutable(const char *path)
{
	struct stat	 sb;
	char		*shm = xasprintf("%s-shm", path), *dir = xstrdup(path);
	char		*slash = strrchr(dir, '/');
	int		 need;

	if (slash == dir)
		slash[1] = '\0';
	else if (slash != NULL)
		*slash = '\0';
	need = stat(shm, &sb) == -1 && errno == ENOENT &&
	    access(slash != NULL ? dir : ".", W_OK) == -1;
	free(shm);
	free(dir);
	return need;
}

/* "file:PATH?immutable=1", PATH percent-encoded but for its plain bytes. */
static char *
store_immutable_uri(const char *path)
{
	static const char hex[] = "0123456789ABCDEF";
	size_t		 n = strlen(path), i, k = 0;
	char		*uri = xmalloc(5 + 3 * n + sizeof "?immutable=1");

	memcpy(uri, "file:", 5);
	k = 5;
	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)path[i];

		if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		    (c >= '0' && c <= '9') || strchr("/._~-", c) != NULL) {
			uri[k++] = (char)c;
			continue;
		}
		uri[k++] = '%';
		uri[k++] = hex[c >> 4];
		uri[k++] = hex[c & 15];
	}
	memcpy(uri + k, "?immutable=1", sizeof "?immutable=1");
	return uri;
}

int
store_open(const char *path, int flags, struct store **ret)
{
	struct store	*st;
	struct stat	 sb;
	int		 rc, err, oflags;

	*ret = NULL;
	if (path == NULL || *path == '\0' || (flags & ~STORE_RDONLY) != 0)
		return -EINVAL;
	/* Root opens it, and SQLite creates the -wal and -shm files beside
	 * it through any link planted there: a directory others can write is
	 * refused, and so is a link or a FIFO (opening one blocks) under the
	 * name (fsafe.h). SQLITE_OPEN_NOFOLLOW holds between check and open. */
	if ((rc = fsafe_check("database", path)) < 0)
		return rc;
	if (flags & STORE_RDONLY) {
		/* SQLite would say CANTOPEN; the CLI wants to say "no
		 * database yet" precisely. */
		if (stat(path, &sb) == -1)
			return -errno;
		oflags = SQLITE_OPEN_READONLY;
	} else
		oflags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE;
	oflags |= SQLITE_OPEN_NOMUTEX | SQLITE_OPEN_NOFOLLOW;

	st = xcalloc(1, sizeof *st);
	st->path = xstrdup(path);
	st->flags = flags;

	/* A reader of a WAL database creates its -shm file when nobody has:
	 * with cgovd stopped (a clean exit removes it) in a directory this
	 * reader cannot write (a sandboxed report job, a read-only mount),
	 * SQLite cannot open it. Nothing can be writing it then either:
	 * read it as immutable. */
	if ((flags & STORE_RDONLY) && store_needs_immutable(path)) {
		char *uri = store_immutable_uri(path);

		log_debug("store: %s: no -shm file and a read-only directory: "
		    "reading it as immutable", path);
		rc = sqlite3_open_v2(uri, &st->db, oflags | SQLITE_OPEN_URI, NULL);
		free(uri);
	} else
		rc = sqlite3_open_v2(path, &st->db, oflags, NULL);
	if (rc != SQLITE_OK) {
		err = store_error(st, rc, "open");
		goto fail;
	}
	sqlite3_extended_result_codes(st->db, 1);
	rc = sqlite3_create_function_v2(st->db, "cgov_cold", 2, SQLITE_UTF8 |
	    SQLITE_DETERMINISTIC | SQLITE_INNOCUOUS, NULL, store_sql_cold, NULL,
	    NULL, NULL);
	if (rc == SQLITE_OK)
		rc = sqlite3_create_function_v2(st->db, "cgov_field", 2, SQLITE_UTF8 |
		    SQLITE_DETERMINISTIC | SQLITE_INNOCUOUS, NULL, store_sql_field, NULL,
		    NULL, NULL);
	if (rc != SQLITE_OK) {
		err = store_error(st, rc, "function");
		goto fail;
	}
	/* SQLite quietly opens a write-protected file read-only. */
	if (!(flags & STORE_RDONLY) && sqlite3_db_readonly(st->db, "main")) {
		log_warnx("store: %s: read-only file", st->path);
		err = -EROFS;
		goto fail;
	}
	sqlite3_busy_timeout(st->db, (flags & STORE_RDONLY) ?
	    STORE_BUSY_READER_MS : STORE_BUSY_WRITER_MS);

	/* Read the version before anything writes: a file from a newer cgov
	 * must be left exactly as it is (even journal_mode writes). */
	if ((err = store_read_version(st, &st->version)) != 0)
		goto fail;
	if (st->version > STORE_SCHEMA_VERSION) {
		log_warnx("store: %s: schema version %d is newer than this "
		    "cgov knows (%d)", st->path, st->version,
		    STORE_SCHEMA_VERSION);
		err = -EINVAL;
		goto fail;
	}
	if (flags & STORE_RDONLY) {
		if (st->version < STORE_SCHEMA_VERSION) {
			log_warnx("store: %s: schema version %d is older than "
			    "%d; cgovd upgrades it when it starts", st->path,
			    st->version, STORE_SCHEMA_VERSION);
			err = -EINVAL;
			goto fail;
		}
	} else {
		if ((err = store_setup_writer(st)) != 0)
			goto fail;
		if ((err = store_migrate(st)) != 0)
			goto fail;
	}
	*ret = st;
	return 0;

fail:
	store_close(st);
	return err;
}

void
store_close(struct store *st)
{
	size_t	 i;

	if (st == NULL)
		return;
	if (st->in_tick)
		store_tick_abort(st);
	for (i = 0; i < STORE_STMT_COUNT; i++)
		sqlite3_finalize(st->stmt[i]);
	/* Statements cached by store_stmt_cached() (rollups). */
	if (st->db != NULL) {
		sqlite3_stmt *stmt;

		while ((stmt = sqlite3_next_stmt(st->db, NULL)) != NULL)
			sqlite3_finalize(stmt);
	}
	/* The last connection to close checkpoints and removes the WAL. */
	if (st->db != NULL && sqlite3_close(st->db) != SQLITE_OK)
		log_warnx("store: %s: close: %s", st->path,
		    sqlite3_errmsg(st->db));
	free(st->path);
	free(st);
}

int
store_schema_version(struct store *st)
{
	return st->version;
}

/* Refuses writes on a read-only handle before SQLite does, quietly. */
static int
store_writable(struct store *st)
{
	return (st->flags & STORE_RDONLY) ? -EROFS : 0;
}

int
store_container_upsert(struct store *st, const char *path, const char *name,
    const char *runtime, int64_t ts_ms, int64_t *ret_cid)
{
	sqlite3_stmt	*stmt;
	int64_t		 cid;
	int		 rc, err = 0;

	if (path == NULL || ret_cid == NULL)
		return -EINVAL;
	if ((err = store_writable(st)) != 0)
		return err;
	if (st->in_tick && st->tick_error != 0)
		return st->tick_error;
	if ((stmt = store_stmt(st, STORE_STMT_UPSERT, &err)) == NULL)
		goto fail;
	store_bind_text(stmt, 1, path);
	store_bind_text(stmt, 2, name);
	store_bind_text(stmt, 3, runtime);
	sqlite3_bind_int64(stmt, 4, ts_ms);
	rc = sqlite3_step(stmt);
	if (rc != SQLITE_ROW) {
		err = store_error(st, rc, "container");
		sqlite3_reset(stmt);
		goto fail;
	}
	cid = sqlite3_column_int64(stmt, 0);
	sqlite3_reset(stmt);
	if (cid > STORE_CID_MAX) {
		/* Ids are max + 1, so taking the row back keeps them dense;
		 * only a database that met 4M containers gets here. The tick
		 * goes on without this container. */
		log_warnx("store: %s: more than %lld containers, not recorded",
		    st->path, (long long)STORE_CID_MAX);
		if ((stmt = store_stmt(st, STORE_STMT_UNREGISTER, &err)) == NULL)
			goto fail;
		sqlite3_bind_int64(stmt, 1, cid);
		if ((err = store_step_done(st, stmt, "container")) != 0)
			goto fail;
		return -ENOSPC;
	}
	*ret_cid = cid;
	return 0;

fail:
	if (st->in_tick)
		st->tick_error = err;
	return err;
}

int
store_container_gone(struct store *st, int64_t cid, int64_t ts_ms)
{
	sqlite3_stmt	*stmt;
	int		 err = 0;

	if ((err = store_writable(st)) != 0)
		return err;
	if (st->in_tick && st->tick_error != 0)
		return st->tick_error;
	if ((stmt = store_stmt(st, STORE_STMT_GONE, &err)) == NULL)
		goto out;
	sqlite3_bind_int64(stmt, 1, cid);
	sqlite3_bind_int64(stmt, 2, ts_ms);
	/* An unknown cid (its registration rolled back with a failed tick)
	 * changes nothing and is not an error. */
	err = store_step_done(st, stmt, "container gone");
out:
	if (st->in_tick && err != 0)
		st->tick_error = err;
	return err;
}

int
store_tick_begin(struct store *st, int64_t ts_ms, int64_t dt_ms)
{
	sqlite3_stmt	*stmt;
	int		 err = 0;

	if ((err = store_writable(st)) != 0)
		return err;
	if (st->in_tick || dt_ms < 0)
		return -EINVAL;
	if ((err = store_run(st, STORE_STMT_BEGIN, "begin")) != 0)
		return err;
	st->in_tick = 1;
	st->tick_error = 0;
	if ((stmt = store_stmt(st, STORE_STMT_TICK, &err)) == NULL)
		goto fail;
	sqlite3_bind_int64(stmt, 1, ts_ms);
	sqlite3_bind_int64(stmt, 2, dt_ms);
	if ((err = store_step_done(st, stmt, "tick")) != 0)
		goto fail;
	st->tick_id = sqlite3_last_insert_rowid(st->db);
	return 0;

fail:
	store_tick_abort(st);
	return err;
}

/* Common prologue of the store_tick_add_* functions. */
static int
store_tick_check(struct store *st, int64_t cid)
{
	if (!st->in_tick)
		return -EINVAL;
	if (st->tick_error != 0)
		return st->tick_error;
	if (cid < 1 || cid > STORE_CID_MAX)
		return -EINVAL;
	return 0;
}

/* Steps an insert of the open tick; a failure poisons the tick, except a
 * constraint (a cid twice in one tick), which only undoes its statement. */
static int
store_tick_step(struct store *st, sqlite3_stmt *stmt, const char *what)
{
	int	 rc, err;

	rc = sqlite3_step(stmt);
	if (rc == SQLITE_DONE) {
		sqlite3_reset(stmt);
		return 0;
	}
	if ((rc & 0xff) == SQLITE_CONSTRAINT) {
		log_warnx("store: %s: %s: %s", st->path, what,
		    sqlite3_errmsg(st->db));
		sqlite3_reset(stmt);
		return -EINVAL;
	}
	err = store_error(st, rc, what);
	sqlite3_reset(stmt);
	st->tick_error = err;
	return err;
}

int
store_tick_add_sample(struct store *st, const struct store_sample *s)
{
	sqlite3_stmt	*stmt;
	uint8_t		 cold[STORE_COLD_MAX];
	int64_t		 mem, swap;
	int		 err = 0, ncold;

	if ((err = store_tick_check(st, s->cid)) != 0)
		return err;
	if (store_mem_encode(s->mem_bytes, &mem) != 0 ||
	    store_mem_encode(s->swap_bytes, &swap) != 0)
		return -EINVAL;
	if ((stmt = store_stmt(st, STORE_STMT_SAMPLE, &err)) == NULL)
		return st->tick_error = err;
	sqlite3_bind_int64(stmt, 1, STORE_KEY(st->tick_id, s->cid));
	store_bind_i64(stmt, 2, mem);
	store_bind_i64(stmt, 3, swap);
	store_bind_i64(stmt, 4, s->cpu_us);
	store_bind_i64(stmt, 5, s->nr_periods);
	store_bind_i64(stmt, 6, s->pids);
	store_bind_i64(stmt, 7, s->psi_cpu_us);
	store_bind_i64(stmt, 8, s->psi_mem_us);
	store_bind_i64(stmt, 9, s->psi_io_us);
	ncold = store_cold_encode(s, cold);
	if (ncold == 0)
		sqlite3_bind_int(stmt, 10, 0);
	else if (ncold == 1)
		sqlite3_bind_null(stmt, 10);
	else
		sqlite3_bind_blob(stmt, 10, cold, ncold, SQLITE_STATIC);
	return store_tick_step(st, stmt, "sample");
}

int
store_tick_add_limits(struct store *st, const struct store_limits *l)
{
	sqlite3_stmt	*stmt;
	int		 err = 0;

	if ((err = store_tick_check(st, l->cid)) != 0)
		return err;
	if ((stmt = store_stmt(st, STORE_STMT_LIMITS, &err)) == NULL)
		return st->tick_error = err;
	sqlite3_bind_int64(stmt, 1, l->cid);
	sqlite3_bind_int64(stmt, 2, st->tick_id);
	store_bind_i64(stmt, 3, l->mem_limit);
	store_bind_i64(stmt, 4, l->mem_high);
	store_bind_i64(stmt, 5, l->swap_limit);
	store_bind_i64(stmt, 6, l->cpu_shares);
	store_bind_i64(stmt, 7, l->cpu_quota_us);
	store_bind_i64(stmt, 8, l->cpu_period_us);
	store_bind_i64(stmt, 9, l->pids_max);
	return store_tick_step(st, stmt, "limits");
}

int
store_tick_add_memstat(struct store *st, const struct store_memstat *m)
{
	sqlite3_stmt	*stmt;
	int		 err = 0;

	const int64_t	 bytes[] = { m->anon, m->file, m->kernel, m->shmem,
	    m->file_dirty, m->file_writeback };
	int64_t		 v;
	size_t		 i;

	if ((err = store_tick_check(st, m->cid)) != 0)
		return err;
	for (i = 0; i < sizeof bytes / sizeof bytes[0]; i++)
		if (store_mem_encode(bytes[i], &v) != 0)
			return -EINVAL;
	if ((stmt = store_stmt(st, STORE_STMT_MEMSTAT, &err)) == NULL)
		return st->tick_error = err;
	sqlite3_bind_int64(stmt, 1, STORE_KEY(st->tick_id, m->cid));
	for (i = 0; i < sizeof bytes / sizeof bytes[0]; i++) {
		store_mem_encode(bytes[i], &v);
		store_bind_i64(stmt, 2 + i, v);
	}
	store_bind_i64(stmt, 8, m->pgmajfault);
	return store_tick_step(st, stmt, "memstat");
}

int
store_tick_add_node(struct store *st, const struct store_node *n)
{
	sqlite3_stmt	*stmt;
	int		 err = 0;

	/* The node has no cid: pass any valid one. */
	if ((err = store_tick_check(st, 1)) != 0)
		return err;
	if ((stmt = store_stmt(st, STORE_STMT_NODE, &err)) == NULL)
		return st->tick_error = err;
	sqlite3_bind_int64(stmt, 1, st->tick_id);
	store_bind_i64(stmt, 2, n->mem_total);
	store_bind_i64(stmt, 3, n->mem_available);
	store_bind_i64(stmt, 4, n->swap_total);
	store_bind_i64(stmt, 5, n->swap_free);
	store_bind_i64(stmt, 6, n->cpu_busy_ms);
	store_bind_i64(stmt, 7, n->cpu_total_ms);
	store_bind_i64(stmt, 8, n->ncpu);
	store_bind_i64(stmt, 9, n->load1);
	store_bind_i64(stmt, 10, n->psi_cpu_us);
	store_bind_i64(stmt, 11, n->psi_mem_us);
	store_bind_i64(stmt, 12, n->psi_io_us);
	return store_tick_step(st, stmt, "node");
}

int
store_tick_add_temp(struct store *st, const char *sensor, int64_t mc)
{
	sqlite3_stmt	*stmt;
	int		 err = 0;

	if (sensor == NULL)
		return -EINVAL;
	if ((err = store_tick_check(st, 1)) != 0)
		return err;
	if ((stmt = store_stmt(st, STORE_STMT_TEMP, &err)) == NULL)
		return st->tick_error = err;
	sqlite3_bind_int64(stmt, 1, st->tick_id);
	sqlite3_bind_text(stmt, 2, sensor, -1, SQLITE_TRANSIENT);
	store_bind_i64(stmt, 3, mc);
	return store_tick_step(st, stmt, "temp");
}

int
store_tick_commit(struct store *st)
{
	int	 err;

	if (!st->in_tick)
		return -EINVAL;
	if ((err = st->tick_error) != 0) {
		store_tick_abort(st);
		return err;
	}
	/* COMMIT may fail (SQLITE_FULL while growing the WAL, BUSY): the
	 * transaction is then still open and must be rolled back here. */
	if ((err = store_run(st, STORE_STMT_COMMIT, "commit")) != 0) {
		store_tick_abort(st);
		return err;
	}
	st->in_tick = 0;
	return 0;
}

void
store_tick_abort(struct store *st)
{
	int	 err;

	if (!st->in_tick)
		return;
	st->in_tick = 0;
	st->tick_error = 0;
	/* SQLite may have rolled back by itself already (FULL, IOERR). */
	if (sqlite3_get_autocommit(st->db))
		return;
	if ((err = store_run(st, STORE_STMT_ROLLBACK, "rollback")) != 0)
		log_warnx("store: %s: rollback failed (%d)", st->path, err);
}

int
store_stats(struct store *st, int64_t *ret_samples, int64_t *ret_bytes)
{
	sqlite3_stmt	*stmt;
	int		 rc, err;

	/* count(*) walks every leaf page: for the benchmark, never for a
	 * tick nor a CLI command (seconds on a day of 1000 containers). */
	rc = sqlite3_prepare_v2(st->db, ret_samples != NULL ?
	    "SELECT (SELECT count(*) FROM sample),"
	    " (SELECT page_count FROM pragma_page_count),"
	    " (SELECT page_size FROM pragma_page_size)" :
	    "SELECT 0, (SELECT page_count FROM pragma_page_count),"
	    " (SELECT page_size FROM pragma_page_size)", -1, &stmt, NULL);
	if (rc != SQLITE_OK)
		return store_error(st, rc, "stats");
	rc = sqlite3_step(stmt);
	if (rc != SQLITE_ROW) {
		err = store_error(st, rc, "stats");
		sqlite3_finalize(stmt);
		return err;
	}
	if (ret_samples != NULL)
		*ret_samples = sqlite3_column_int64(stmt, 0);
	if (ret_bytes != NULL)
		*ret_bytes = sqlite3_column_int64(stmt, 1) *
		    sqlite3_column_int64(stmt, 2);
	sqlite3_finalize(stmt);
	return 0;
}

int
store_checkpoint(struct store *st)
{
	int	 rc, nlog, nckpt;

	if (st->flags & STORE_RDONLY)
		return -EROFS;
	/* PASSIVE never waits for readers: it copies what it can. The next
	 * writer after a complete checkpoint restarts the WAL from its start
	 * and cuts the file to journal_size_limit. */
	rc = sqlite3_wal_checkpoint_v2(st->db, NULL, SQLITE_CHECKPOINT_PASSIVE,
	    &nlog, &nckpt);
	if (rc != SQLITE_OK)
		return store_error(st, rc, "checkpoint");
	log_debug("store: %s: checkpoint: %d of %d WAL frames", st->path,
	    nckpt, nlog);
	return 0;
}
