/* store.h: the SQLite history of cgov.
 *
 * One database file in WAL mode. cgovd is the only writer: it writes one
 * transaction per tick (store_tick_begin .. store_tick_commit) through
 * prepared statements. The CLI opens the file read-only (STORE_RDONLY) and,
 * thanks to WAL, never blocks the daemon nor is blocked by it.
 *
 * Rows are kept compact (see doc/store.md for the schema and the measured
 * bytes per container-sample): counters are stored as deltas over the tick
 * (resets already handled by the sampler), timestamps live once per tick in
 * the `tick` table, and limits are stored only when they change.
 *
 * Integers: STORE_NULL means unknown (SQL NULL); STORE_UNLIMITED (-1 in the
 * database) means "max"/no limit and only appears in limit fields.
 *
 * Error contract: functions return 0 or a negative errno: -ENOSPC (disk or
 * quota full), -EROFS/-EACCES (read-only file), -EBUSY (locked), -EIO (any
 * other SQLite failure, logged with sqlite's message), -EINVAL (bad
 * argument), -ENOENT (no such database, with STORE_RDONLY).
 * A failing store never stops governing: the daemon logs and drops history.
 */
#ifndef CGOV_STORE_H
#define CGOV_STORE_H

#include <stddef.h>
#include <stdint.h>

#define STORE_NULL      INT64_MIN
#define STORE_UNLIMITED (-1)

/* Current schema version; store_open() migrates older files up to it, one
 * step at a time, each in its own transaction. */
#define STORE_SCHEMA_VERSION 6

/* The writer must not stall governing: a second writer (an operator's
 * sqlite3 shell) gets a short wait, then the history tick is dropped with
 * -EBUSY; the journal's transactions, which come before the knob writes,
 * wait JOURNAL_BUSY_MS only (journal.h). */
#define STORE_BUSY_WRITER_MS	250

struct store;

enum store_flags {
	STORE_RDONLY = 1 << 0,   /* open an existing file read-only (CLI) */
};

/* Opens (and with !STORE_RDONLY creates and migrates) the database at path.
 * On success *ret owns the handle; close it with store_close(). The file
 * must pass fsafe_check() (fsafe.h; the reason is logged): -EPERM when its
 * directory is writable by group or others or another user's, -ELOOP when
 * path is a symlink, -EINVAL when it is not a regular file (a FIFO). */
int store_open(const char *path, int flags, struct store **ret);
void store_close(struct store *st);

/* The schema version recorded in the file (PRAGMA user_version). */
int store_schema_version(struct store *st);

/* --- containers -------------------------------------------------------- */

/* Registers a container (or finds it again: path is unique), refreshes its
 * name, runtime and last_seen, and clears its gone mark. *ret_cid is stable
 * for the life of the database. Works inside or outside a tick. */
int store_container_upsert(struct store *st, const char *path, const char *name,
    const char *runtime, int64_t ts_ms, int64_t *ret_cid);

/* Marks a container as gone at ts_ms (it vanished from cgroupfs). */
int store_container_gone(struct store *st, int64_t cid, int64_t ts_ms);

/* --- one tick ------------------------------------------------------------ */

/* Per container and tick. "now" fields are the value at the tick; the others
 * are deltas over the tick (dt_ms of store_tick_begin). */
struct store_sample {
	int64_t cid;
	int64_t mem_bytes;                 /* now: memory.current / usage_in_bytes */
	int64_t swap_bytes;                /* now: swap in use */
	int64_t cpu_us;                    /* CPU time used */
	int64_t nr_periods, nr_throttled;  /* CFS periods elapsed / throttled */
	int64_t throttled_us;              /* time throttled */
	int64_t rbytes, wbytes;            /* block I/O bytes */
	int64_t rios, wios;                /* block I/O operations */
	int64_t pids;                      /* now: tasks */
	int64_t oom, oom_kill;             /* OOM events / OOM kills */
	int64_t psi_cpu_us, psi_mem_us, psi_io_us;  /* "some" stall time (v2) */
};

/* Limits and weights, stored only when one of them changed. */
struct store_limits {
	int64_t cid;
	int64_t mem_limit, mem_high, swap_limit;   /* bytes; swap_limit is the swap
	                                              the container may use */
	int64_t cpu_shares;                        /* v1 cpu.shares scale (1024 =
	                                              default); v2 weight converted */
	int64_t cpu_quota_us, cpu_period_us;
	int64_t pids_max;
};

/* memory.stat breakdown, on a slower cadence. */
struct store_memstat {
	int64_t cid;
	int64_t anon, file, kernel, shmem, file_dirty, file_writeback;  /* bytes, now */
	int64_t pgmajfault;                                             /* delta */
};

/* Node-wide figures, once per tick. */
struct store_node {
	int64_t mem_total, mem_available, swap_total, swap_free;  /* bytes */
	int64_t cpu_busy_ms, cpu_total_ms;  /* deltas, summed over all CPUs */
	int64_t ncpu;
	int64_t load1;                      /* load average x 100 */
	int64_t psi_cpu_us, psi_mem_us, psi_io_us;  /* "some" deltas */
};

/* Starts the tick's transaction and records its time (ms since the epoch)
 * and length (ms since the previous tick). */
int store_tick_begin(struct store *st, int64_t ts_ms, int64_t dt_ms);
int store_tick_add_sample(struct store *st, const struct store_sample *s);
int store_tick_add_limits(struct store *st, const struct store_limits *l);
int store_tick_add_memstat(struct store *st, const struct store_memstat *m);
int store_tick_add_node(struct store *st, const struct store_node *n);
/* One temperature sensor of the node in this tick (temp.h): sensor is
 * its "CHIP/LABEL" name (copied), mc millidegrees C or STORE_NULL when it
 * could not be read. Returns 0 or -errno as above. */
int store_tick_add_temp(struct store *st, const char *sensor, int64_t mc);
/* Commits the tick. On failure the whole tick is rolled back (containers
 * registered in it included) and the error returned. */
int store_tick_commit(struct store *st);
/* Rolls the tick back; safe to call when no tick is open. */
void store_tick_abort(struct store *st);

/* --- queries (read-only handles welcome) -------------------------------- */

struct store_container {
	int64_t cid;
	char *path, *name, *runtime;     /* as discovered: tenant-controlled */
	int64_t first_seen_ms, last_seen_ms;
	int64_t gone_ms;                 /* STORE_NULL while present */
};

/* All containers known to the database, ordered by path. The caller frees
 * with store_containers_free(). */
int store_query_containers(struct store *st, struct store_container **ret, size_t *ret_n);
void store_containers_free(struct store_container *v, size_t n);

/* Aggregates of one container over a window. Doubles are NAN when unknown
 * (no data in the window, or the metric does not exist on this cgroup
 * version). Rates are per second of the ticks where the container was
 * sampled, so a container born mid-window is not diluted. */
struct store_top_row {
	struct store_container c;
	int64_t samples;                 /* rows in the window */
	double mem_avg, mem_max, mem_last;       /* bytes */
	double mem_limit;                /* bytes, latest known; INFINITY = no limit */
	double swap_avg, swap_max, swap_last;    /* bytes */
	double swap_limit;               /* bytes; INFINITY = no limit */
	double cpu_cores;                /* average cores used */
	double cpu_limit_cores;          /* quota/period; INFINITY = no quota */
	double cpu_shares;               /* latest, v1 scale */
	double throttled_pct;            /* % of CFS periods throttled */
	double throttled_time_pct;       /* % of wall time throttled */
	double rbytes_s, wbytes_s;       /* bytes per second */
	double rios_s, wios_s;           /* operations per second */
	double psi_cpu_pct, psi_mem_pct, psi_io_pct;  /* % of time some task stalled */
	double pids_last, pids_max;      /* pids_max INFINITY = no limit */
	int64_t oom, oom_kill;           /* events in the window; STORE_NULL unknown */
};

/* Aggregates every container sampled in the window (latest_ts - since_ms,
 * latest_ts], where latest_ts is the newest tick. since_ms == 0 means the
 * newest tick alone ("now"). Rows are in no particular order; the caller
 * sorts. *ret_latest_ms receives the newest tick's time (0 if none).
 * Free with store_top_free(). */
int store_query_top(struct store *st, int64_t since_ms, struct store_top_row **ret,
    size_t *ret_n, int64_t *ret_latest_ms);
void store_top_free(struct store_top_row *v, size_t n);

/* The node over the same window as store_query_top. Doubles are NAN when
 * unknown (no node row in the window, no PSI on this kernel). */
struct store_node_row {
	int64_t samples;                 /* node rows in the window */
	double ncpu;
	double cpu_busy_pct;             /* % of all CPUs' time busy */
	double load1;                    /* newest, as the kernel prints it */
	double mem_total, mem_available; /* bytes, newest */
	double mem_available_min;        /* bytes, lowest in the window */
	double swap_total, swap_used;    /* bytes, newest */
	double psi_cpu_pct, psi_mem_pct, psi_io_pct;  /* % of time "some" stalled */
};

/* Fills *ret; a database without ticks gives samples 0. */
int store_query_node(struct store *st, int64_t since_ms, struct store_node_row *ret);

/* The node's temperature sensors over the window (latest_ts - since_ms,
 * latest_ts], latest_ts being the newest tick with readings (temperatures
 * are read every sensors-interval, not every tick); since_ms 0: that
 * reading alone. One row per sensor, in the order first seen; none when
 * the node has no sensors or the history none in the window. Raw rows
 * only: they last as long as raw ticks (retain-raw). Free with
 * store_temps_free(). Returns 0 or -errno. */
struct store_temp_row {
	char *sensor;                    /* "CHIP/LABEL" from sysfs: untrusted */
	double last_c, max_c;            /* degrees C; NAN unknown */
	int64_t last_ms;                 /* time of last_c */
};
int store_query_temps(struct store *st, int64_t since_ms, struct store_temp_row **ret,
    size_t *ret_n);
void store_temps_free(struct store_temp_row *v, size_t n);

/* Rows counted in the sample table (a full scan: pass NULL to skip it),
 * and the database's size in bytes (page_count * page_size). */
int store_stats(struct store *st, int64_t *ret_samples, int64_t *ret_bytes);

/* Runs a passive WAL checkpoint and truncates the WAL to its size limit.
 * The daemon calls it from a timer; autocheckpoint covers the rest. */
int store_checkpoint(struct store *st);

/* --- internals shared by store.c and store_query.c ---------------------- */

/* Samples and memstat rows are keyed by one integer, tick << STORE_CID_BITS
 * | cid, so that a time window is a range scan of the rowid b-tree and the
 * key costs one varint (see doc/store.md). Hence container ids stop at
 * STORE_CID_MAX: store_container_upsert() returns -ENOSPC past it. */
#define STORE_CID_BITS  22
#define STORE_CID_MAX   ((INT64_C(1) << STORE_CID_BITS) - 1)
#define STORE_KEY(tick, cid)  (((int64_t)(tick) << STORE_CID_BITS) | (cid))
#define STORE_KEY_TICK(key)   ((key) >> STORE_CID_BITS)
#define STORE_KEY_CID(key)    ((key) & STORE_CID_MAX)

/* Memory and swap are stored in 4 KiB units when page-aligned (always, for
 * kernel figures: one byte less per value), else as -1 - bytes. */
#define STORE_MEM_UNIT  4096
static inline int64_t
store_mem_decode(int64_t v)
{
	return v >= 0 ? v * STORE_MEM_UNIT : -1 - v;
}

/* The eight mostly-zero counters of a sample (nr_throttled, throttled_us,
 * rbytes, wbytes, rios, wios, oom, oom_kill, in this order) share the one
 * column `cold`: 0 when all are zero, NULL when all are unknown, else a
 * blob (format in store.c). store_cold_value() unpacks one into ret
 * (STORE_NULL for unknown); it returns 0, or -EIO for a damaged blob. */
#define STORE_COLD_N    8
struct sqlite3_value;
int store_cold_value(struct sqlite3_value *val, int64_t ret[STORE_COLD_N]);

struct sqlite3;
/* The connection, for store_query.c and store_journal.c only. */
struct sqlite3 *store_sqlite(struct store *st);
/* A prepared statement for sql, reused when the connection already has an
 * idle one with the same text (reset, bindings cleared), else prepared;
 * never finalize it: store_close() does. For statements run in loops
 * outside the tick's own set (rollup_step.c). */
struct sqlite3_stmt;
int store_stmt_cached(struct store *st, const char *sql, struct sqlite3_stmt **ret);
/* Queries read one snapshot: on a handle with no transaction open, a read
 * transaction keeps the tables consistent while the daemon commits beside
 * us; inside the writer's open transaction, that is the snapshot.
 * *ret_began says whether store_read_end() has one to end. */
int store_read_begin(struct store *st, int *ret_began);
void store_read_end(struct store *st, int began);
/* One integer of a one-row query binding up to two parameters (?1, ?2);
 * *ret is STORE_NULL for no row or a NULL. The statement is cached. */
int store_i64(struct store *st, const char *sql, int64_t p1, int64_t p2, int64_t *ret);
/* Whether a tick's transaction is open: the journal keeps out of it
 * (store_journal.c). */
int store_in_tick(struct store *st);
/* Logs "store: PATH: what: sqlite's message" and maps the SQLite result
 * code rc to the negative errno of the contract above. */
int store_error(struct store *st, int rc, const char *what);

#endif
