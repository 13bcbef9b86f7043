/* rollup_scan.c: reading a window of history at the coarsest tier that
 * answers it.
 *
 * A window is cut into segments, each read from one tier (roll_scan in
 * rollup.h says which); each segment is one range scan of that tier's
 * b-tree (samples and tier rows are keyed by time << 22 | cid), or, for
 * one container, one point lookup per tick or bucket. Raw rows are turned
 * into records of one tick, so every reader sees one kind of thing.
 */
#include "config.h"

#include <errno.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <sqlite3.h>

#include "log.h"
#include "metrics.h"
#include "rollup.h"
#include "rollup_int.h"
#include "store.h"
#include "xmalloc.h"

static int
scan_prepare(struct store *st, const char *sql, sqlite3_stmt **ret)
{
	int	 rc = sqlite3_prepare_v2(store_sqlite(st), sql, -1, ret, NULL);

	if (rc != SQLITE_OK) {
		*ret = NULL;
		return store_error(st, rc, "history scan");
	}
	return 0;
}

/* --- raw ticks ------------------------------------------------------------ */

struct scan_tick {
	int64_t		 id, ts_ms, dt_ms;
};

/* Limits in force per container while the raw scan moves forward. */
struct scan_limits {
	double		*v;		/* ROLL_NLIM per cid */
	size_t		 ncid;
};
enum { LIM_MEM, LIM_SWAP, LIM_SHARES, LIM_CPU, LIM_PIDS, ROLL_NLIM };

static double *
scan_limits_of(struct scan_limits *l, int64_t cid)
{
	size_t	 i;

	if ((size_t)cid >= l->ncid) {
		size_t n = (size_t)cid + 256;
		l->v = xreallocarray(l->v, n, ROLL_NLIM * sizeof *l->v);
		for (i = l->ncid * ROLL_NLIM; i < n * ROLL_NLIM; i++)
			l->v[i] = NAN;
		l->ncid = n;
	}
	return &l->v[(size_t)cid * ROLL_NLIM];
}

static double
scan_limit_col(sqlite3_stmt *stmt, int col)
{
	int64_t	 v;

	if (sqlite3_column_type(stmt, col) == SQLITE_NULL)
		return NAN;
	v = sqlite3_column_int64(stmt, col);
	return v == STORE_UNLIMITED ? INFINITY : (double)v;
}

/* Applies the limits rows up to tick `upto` (the cursor is ordered by
 * tick); *have says whether the cursor holds an unconsumed row. */
static int
scan_limits_advance(struct store *st, sqlite3_stmt *stmt, int *have,
    struct scan_limits *l, int64_t upto)
{
	double	*v, quota, period;
	int	 rc;

	for (;;) {
		if (!*have) {
			rc = sqlite3_step(stmt);
			if (rc == SQLITE_DONE)
				return 0;
			if (rc != SQLITE_ROW)
				return store_error(st, rc, "history limits");
			*have = 1;
		}
		if (sqlite3_column_int64(stmt, 1) > upto)
			return 0;
		v = scan_limits_of(l, sqlite3_column_int64(stmt, 0));
		v[LIM_MEM] = scan_limit_col(stmt, 2);
		v[LIM_SWAP] = scan_limit_col(stmt, 3);
		v[LIM_SHARES] = scan_limit_col(stmt, 4);
		quota = scan_limit_col(stmt, 5);
		period = scan_limit_col(stmt, 6);
		v[LIM_CPU] = isinf(quota) ? INFINITY :
		    (!isnan(quota) && period > 0 ? quota / period : NAN);
		v[LIM_PIDS] = scan_limit_col(stmt, 7);
		*have = 0;
	}
}

static double
scan_val(sqlite3_value *v, double scale)
{
	if (sqlite3_value_type(v) == SQLITE_NULL)
		return NAN;
	return (double)sqlite3_value_int64(v) * scale;
}

static double
scan_cold(const int64_t cold[STORE_COLD_N], int i)
{
	return cold[i] == STORE_NULL ? NAN : (double)cold[i];
}

/* A sample row (key, mem4k, swap4k, cpu_us, nr_periods, pids, psi x3,
 * cold) of a tick as a one-tick record. */
static int
scan_raw_rec(sqlite3_stmt *stmt, const struct scan_tick *t, const double *lim,
    struct roll_rec *r)
{
	int64_t	 cold[STORE_COLD_N];
	double	 mem, swap;
	sqlite3_value *v;
	int	 err;

	roll_rec_init(r, STORE_KEY_CID(sqlite3_column_int64(stmt, 0)));
	r->tier = ROLL_RAW;
	r->ts_ms = t->ts_ms;
	r->n = 1;
	r->dt_ms = t->dt_ms;
	v = sqlite3_column_value(stmt, 1);
	if (sqlite3_value_type(v) != SQLITE_NULL) {
		mem = (double)store_mem_decode(sqlite3_value_int64(v));
		r->mem_min = r->mem_avg = r->mem_max = r->mem_p95 = mem;
	}
	v = sqlite3_column_value(stmt, 2);
	if (sqlite3_value_type(v) != SQLITE_NULL) {
		swap = (double)store_mem_decode(sqlite3_value_int64(v));
		r->swap_avg = r->swap_max = swap;
	}
	r->cpu_us = scan_val(sqlite3_column_value(stmt, 3), 1);
	r->nr_periods = scan_val(sqlite3_column_value(stmt, 4), 1);
	r->pids_avg = r->pids_max = scan_val(sqlite3_column_value(stmt, 5), 1);
	r->psi_cpu_us = scan_val(sqlite3_column_value(stmt, 6), 1);
	r->psi_mem_us = scan_val(sqlite3_column_value(stmt, 7), 1);
	r->psi_io_us = scan_val(sqlite3_column_value(stmt, 8), 1);
	if ((err = store_cold_value(sqlite3_column_value(stmt, 9), cold)) != 0)
		return err;
	r->nr_throttled = scan_cold(cold, 0);
	r->throttled_us = scan_cold(cold, 1);
	r->rbytes = scan_cold(cold, 2);
	r->wbytes = scan_cold(cold, 3);
	r->rios = scan_cold(cold, 4);
	r->wios = scan_cold(cold, 5);
	r->oom = cold[6];
	r->oom_kill = cold[7];
	/* The tick's rates, for the percentiles of the tiers: the metric
	 * arithmetic of metrics.h (read + write unknown when either is). */
	r->cpu_p95 = r->cpu_max = metrics_rate(r->cpu_us, t->dt_ms) / 1e6;
	r->io_p95 = metrics_rate(metrics_sum(r->rbytes, r->wbytes), t->dt_ms);
	r->iops_p95 = metrics_rate(metrics_sum(r->rios, r->wios), t->dt_ms);
	if (lim != NULL) {
		r->mem_limit = lim[LIM_MEM];
		r->swap_limit = lim[LIM_SWAP];
		r->cpu_shares = lim[LIM_SHARES];
		r->cpu_limit_cores = lim[LIM_CPU];
		r->pids_limit = lim[LIM_PIDS];
	}
	return 0;
}

/* A node row (tick, mem_total, mem_available, swap_total, swap_free,
 * cpu_busy_ms, cpu_total_ms, ncpu, load1, psi x3) as a one-tick record. */
static void
scan_raw_node(sqlite3_stmt *stmt, const struct scan_tick *t, struct roll_node_rec *r)
{
	sqlite3_value	*(*col)(sqlite3_stmt *, int) = sqlite3_column_value;

	roll_node_rec_init(r);
	r->tier = ROLL_RAW;
	r->ts_ms = t->ts_ms;
	r->n = 1;
	r->dt_ms = t->dt_ms;
	r->mem_total = scan_val(col(stmt, 1), 1);
	r->mem_avail_min = r->mem_avail_avg = scan_val(col(stmt, 2), 1);
	r->swap_total = scan_val(col(stmt, 3), 1);
	r->swap_free_min = r->swap_free_avg = scan_val(col(stmt, 4), 1);
	r->cpu_busy_ms = scan_val(col(stmt, 5), 1);
	r->cpu_total_ms = scan_val(col(stmt, 6), 1);
	r->cpu_busy_p95 = metrics_busy_pct(r->cpu_busy_ms, r->cpu_total_ms);
	r->ncpu = scan_val(col(stmt, 7), 1);
	r->load1_avg = r->load1_max = scan_val(col(stmt, 8), 0.01);
	r->psi_cpu_us = scan_val(col(stmt, 9), 1);
	r->psi_mem_us = scan_val(col(stmt, 10), 1);
	r->psi_io_us = scan_val(col(stmt, 11), 1);
}

static int
scan_tick_cmp(const void *a, const void *b)
{
	const struct scan_tick	*x = a, *y = b;

	return (x->id > y->id) - (x->id < y->id);
}

static const struct scan_tick *
scan_tick_find(const struct scan_tick *v, size_t n, int64_t id)
{
	struct scan_tick	 k = { .id = id };

	return bsearch(&k, v, n, sizeof *v, scan_tick_cmp);
}

/* Emits the node rows the cursor stmt (ordered by its first column: the
 * tick id, or the bucket) holds up to `upto`. Raw rows need their tick in
 * ticks[] (a tick outside the window has none); tier rows stand alone.
 * *have says whether the cursor holds a row not emitted yet, *done that
 * it is exhausted. */
static int
scan_node_advance(struct store *st, sqlite3_stmt *stmt, int *have, int *done,
    enum roll_tier tier, const struct scan_tick *ticks, size_t nticks,
    int64_t upto, roll_node_cb node_cb, void *arg)
{
	struct roll_node_rec	 nr;
	const struct scan_tick	*t;
	int			 rc, r;

	while (!*done) {
		if (!*have) {
			rc = sqlite3_step(stmt);
			if (rc == SQLITE_DONE) {
				*done = 1;
				return 0;
			}
			if (rc != SQLITE_ROW)
				return store_error(st, rc, "history node");
			*have = 1;
		}
		if (sqlite3_column_int64(stmt, 0) > upto)
			return 0;
		*have = 0;
		if (tier == ROLL_RAW) {
			t = scan_tick_find(ticks, nticks, sqlite3_column_int64(stmt, 0));
			if (t == NULL)
				continue;
			scan_raw_node(stmt, t, &nr);
		} else {
			roll_node_rec_init(&nr);
			roll_node_read(stmt, tier, &nr);
		}
		if ((r = node_cb(arg, &nr)) != 0)
			return r;
	}
	return 0;
}

static int
scan_raw(struct store *st, int64_t from_ms, int64_t to_ms, int64_t cid,
    roll_cb cb, roll_node_cb node_cb, void *arg)
{
	struct scan_tick	*ticks = NULL;
	const struct scan_tick	*t;
	struct scan_limits	 lim = { NULL, 0 };
	struct roll_rec		 rec;
	sqlite3_stmt		*stmt = NULL, *lstmt = NULL, *nstmt = NULL;
	size_t			 n = 0, cap = 0, i;
	int64_t			 minid, maxid;
	int			 rc, err, lhave = 0, nhave = 0, ndone = 0;

	if ((err = scan_prepare(st, "SELECT id, ts_ms, dt_ms FROM tick"
	    " WHERE ts_ms >= ?1 AND ts_ms < ?2", &stmt)) != 0)
		return err;
	sqlite3_bind_int64(stmt, 1, from_ms);
	sqlite3_bind_int64(stmt, 2, to_ms);
	while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
		if (n == cap) {
			cap = cap ? cap * 2 : 256;
			ticks = xreallocarray(ticks, cap, sizeof *ticks);
		}
		ticks[n].id = sqlite3_column_int64(stmt, 0);
		ticks[n].ts_ms = sqlite3_column_int64(stmt, 1);
		ticks[n].dt_ms = sqlite3_column_int64(stmt, 2);
		n++;
	}
	sqlite3_finalize(stmt);
	stmt = NULL;
	if (rc != SQLITE_DONE) {
		err = store_error(st, rc, "history ticks");
		goto out;
	}
	if (n == 0)
		goto out;
	/* The index gives time order; the b-trees are in id order, which
	 * is the same unless the clock stepped back. */
	qsort(ticks, n, sizeof *ticks, scan_tick_cmp);
	minid = ticks[0].id;
	maxid = ticks[n - 1].id;

	if ((err = scan_prepare(st, cid == 0 ?
	    "SELECT cid, tick, mem_limit, swap_limit, cpu_shares, cpu_quota_us,"
	    " cpu_period_us, pids_max FROM limits WHERE tick <= ?1 ORDER BY tick" :
	    "SELECT cid, tick, mem_limit, swap_limit, cpu_shares, cpu_quota_us,"
	    " cpu_period_us, pids_max FROM limits WHERE cid = ?2 AND tick <= ?1"
	    " ORDER BY tick", &lstmt)) != 0)
		goto out;
	sqlite3_bind_int64(lstmt, 1, maxid);
	if (cid != 0)
		sqlite3_bind_int64(lstmt, 2, cid);
	if (node_cb != NULL) {
		if ((err = scan_prepare(st, "SELECT tick, mem_total, mem_available,"
		    " swap_total, swap_free, cpu_busy_ms, cpu_total_ms, ncpu, load1,"
		    " psi_cpu_us, psi_mem_us, psi_io_us FROM node"
		    " WHERE tick >= ?1 AND tick <= ?2 ORDER BY tick", &nstmt)) != 0)
			goto out;
		sqlite3_bind_int64(nstmt, 1, minid);
		sqlite3_bind_int64(nstmt, 2, maxid);
	}
	if ((err = scan_prepare(st, "SELECT key, mem4k, swap4k, cpu_us, nr_periods,"
	    " pids, psi_cpu_us, psi_mem_us, psi_io_us, cold FROM sample"
	    " WHERE key >= ?1 AND key < ?2", &stmt)) != 0)
		goto out;

	if (cb == NULL)
		;	/* the node alone: the last advance below */
	else if (cid == 0) {
		int64_t cur = -1;

		sqlite3_bind_int64(stmt, 1, STORE_KEY(minid, 0));
		sqlite3_bind_int64(stmt, 2, STORE_KEY(maxid + 1, 0));
		t = NULL;
		while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
			int64_t tick = STORE_KEY_TICK(sqlite3_column_int64(stmt, 0));

			if (tick != cur) {
				cur = tick;
				t = scan_tick_find(ticks, n, tick);
				if (nstmt != NULL && (err = scan_node_advance(st,
				    nstmt, &nhave, &ndone, ROLL_RAW, ticks, n, tick,
				    node_cb, arg)) != 0)
					goto out;
				if ((err = scan_limits_advance(st, lstmt, &lhave,
				    &lim, tick)) != 0)
					goto out;
			}
			if (t == NULL)
				continue;	/* a tick outside the window */
			if ((err = scan_raw_rec(stmt, t, scan_limits_of(&lim,
			    STORE_KEY_CID(sqlite3_column_int64(stmt, 0))), &rec)) != 0)
				goto out;
			if ((err = cb(arg, &rec)) != 0)
				goto out;
		}
		if (rc != SQLITE_DONE) {
			err = store_error(st, rc, "history samples");
			goto out;
		}
	} else {
		for (i = 0; i < n; i++) {
			t = &ticks[i];
			if (nstmt != NULL && (err = scan_node_advance(st, nstmt,
			    &nhave, &ndone, ROLL_RAW, ticks, n, t->id, node_cb,
			    arg)) != 0)
				goto out;
			if ((err = scan_limits_advance(st, lstmt, &lhave, &lim,
			    t->id)) != 0)
				goto out;
			sqlite3_reset(stmt);
			sqlite3_bind_int64(stmt, 1, STORE_KEY(t->id, cid));
			sqlite3_bind_int64(stmt, 2, STORE_KEY(t->id, cid) + 1);
			rc = sqlite3_step(stmt);
			if (rc == SQLITE_DONE)
				continue;
			if (rc != SQLITE_ROW) {
				err = store_error(st, rc, "history samples");
				goto out;
			}
			if ((err = scan_raw_rec(stmt, t, scan_limits_of(&lim, cid),
			    &rec)) != 0)
				goto out;
			if ((err = cb(arg, &rec)) != 0)
				goto out;
		}
	}
	if (nstmt != NULL)
		err = scan_node_advance(st, nstmt, &nhave, &ndone, ROLL_RAW, ticks,
		    n, maxid, node_cb, arg);
out:
	sqlite3_finalize(stmt);
	sqlite3_finalize(lstmt);
	sqlite3_finalize(nstmt);
	free(ticks);
	free(lim.v);
	return err;
}

/* --- tier rows --------------------------------------------------------- */

static int64_t
scan_ceil_div(int64_t a, int64_t b)
{
	return a >= 0 ? (a + b - 1) / b : -((-a) / b);
}

static int
scan_tier(struct store *st, enum roll_tier tier, int64_t from_ms, int64_t to_ms,
    int64_t cid, roll_cb cb, roll_node_cb node_cb, void *arg)
{
	int64_t		 len = roll_tier_ms(tier), b0, b1, b, cur = -1, bucket;
	sqlite3_stmt	*stmt = NULL, *nstmt = NULL;
	struct roll_rec	 rec;
	size_t		 damaged = 0;
	char		*sql;
	int		 rc, err, nhave = 0, ndone = 0;

	b0 = scan_ceil_div(from_ms, len);
	b1 = scan_ceil_div(to_ms, len);
	if (b0 >= b1)
		return 0;
	sql = xasprintf("SELECT * FROM %s WHERE key >= ?1 AND key < ?2",
	    roll_table(tier));
	err = scan_prepare(st, sql, &stmt);
	free(sql);
	if (err != 0)
		return err;
	if (node_cb != NULL) {
		sql = xasprintf("SELECT * FROM %s WHERE bucket >= ?1 AND bucket < ?2"
		    " ORDER BY bucket", roll_node_table(tier));
		err = scan_prepare(st, sql, &nstmt);
		free(sql);
		if (err != 0)
			goto out;
		sqlite3_bind_int64(nstmt, 1, b0);
		sqlite3_bind_int64(nstmt, 2, b1);
	}
	if (cb == NULL)
		;	/* the node alone: the last advance below */
	else if (cid == 0) {
		sqlite3_bind_int64(stmt, 1, STORE_KEY(b0, 0));
		sqlite3_bind_int64(stmt, 2, STORE_KEY(b1, 0));
		while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
			bucket = STORE_KEY_TICK(sqlite3_column_int64(stmt, 0));
			if (bucket != cur) {
				cur = bucket;
				if (nstmt != NULL && (err = scan_node_advance(st,
				    nstmt, &nhave, &ndone, tier, NULL, 0, bucket,
				    node_cb, arg)) != 0)
					goto out;
			}
			/* A damaged row costs itself, not the whole read. */
			if (roll_rec_read(stmt, tier, &rec) != 0) {
				damaged++;
				continue;
			}
			if ((err = cb(arg, &rec)) != 0)
				goto out;
		}
		if (rc != SQLITE_DONE) {
			err = store_error(st, rc, "history tier");
			goto out;
		}
	} else {
		/* One container: a point lookup per bucket beats scanning
		 * every container's rows. */
		for (b = b0; b < b1; b++) {
			if (nstmt != NULL && (err = scan_node_advance(st,
			    nstmt, &nhave, &ndone, tier, NULL, 0, b, node_cb,
			    arg)) != 0)
				goto out;
			sqlite3_reset(stmt);
			sqlite3_bind_int64(stmt, 1, STORE_KEY(b, cid));
			sqlite3_bind_int64(stmt, 2, STORE_KEY(b, cid) + 1);
			rc = sqlite3_step(stmt);
			if (rc == SQLITE_DONE)
				continue;
			if (rc != SQLITE_ROW) {
				err = store_error(st, rc, "history tier");
				goto out;
			}
			/* A damaged row costs itself, not the whole read. */
			if (roll_rec_read(stmt, tier, &rec) != 0) {
				damaged++;
				continue;
			}
			if ((err = cb(arg, &rec)) != 0)
				goto out;
		}
	}
	if (nstmt != NULL)
		err = scan_node_advance(st, nstmt, &nhave, &ndone, tier, NULL, 0,
		    INT64_MAX, node_cb, arg);
out:
	if (damaged > 0)
		log_warnx("store: %zu damaged %s rows skipped", damaged,
		    roll_table(tier));
	sqlite3_finalize(stmt);
	sqlite3_finalize(nstmt);
	return err;
}

int
roll_read_tier(struct store *st, enum roll_tier tier, int64_t from_ms,
    int64_t to_ms, int64_t cid, roll_cb cb, roll_node_cb node_cb, void *arg)
{
	if (from_ms >= to_ms)
		return 0;
	if (tier == ROLL_RAW)
		return scan_raw(st, from_ms, to_ms, cid, cb, node_cb, arg);
	return scan_tier(st, tier, from_ms, to_ms, cid, cb, node_cb, arg);
}

/* --- marks and coverage ------------------------------------------------- */

int
roll_mark_get(struct store *st, int t, int64_t *ret_ms)
{
	int	 err;

	err = store_i64(st, "SELECT done_ms FROM roll_mark WHERE tier = ?1", t, 0,
	    ret_ms);
	if (*ret_ms == STORE_NULL)
		*ret_ms = 0;
	return err;
}

int
roll_mark_set(struct store *st, int t, int64_t done_ms)
{
	sqlite3_stmt	*stmt;
	int		 rc, err;

	if ((err = store_stmt_cached(st, "INSERT INTO roll_mark VALUES (?1, ?2)"
	    " ON CONFLICT(tier) DO UPDATE SET done_ms = max(done_ms, excluded.done_ms)",
	    &stmt)) != 0)
		return err;
	sqlite3_bind_int64(stmt, 1, t);
	sqlite3_bind_int64(stmt, 2, done_ms);
	rc = sqlite3_step(stmt);
	sqlite3_reset(stmt);
	return rc == SQLITE_DONE ? 0 : store_error(st, rc, "rollup mark");
}

int
roll_info(struct store *st, int count_rows, struct roll_tier_info ret[ROLL_NTIERS])
{
	int64_t	 v, w;
	char	*sql;
	int	 err, t;

	memset(ret, 0, sizeof *ret * ROLL_NTIERS);
	for (t = 0; t < ROLL_NTIERS; t++)
		ret[t].rows = -1;
	if ((err = store_i64(st, "SELECT min(ts_ms) FROM tick", 0, 0, &v)) != 0)
		return err;
	if ((err = store_i64(st, "SELECT max(ts_ms) FROM tick", 0, 0, &w)) != 0)
		return err;
	if (v != STORE_NULL) {
		ret[ROLL_RAW].first_ms = v;
		ret[ROLL_RAW].end_ms = w + 1;
	}
	if (count_rows && (err = store_i64(st, "SELECT count(*) FROM sample", 0, 0,
	    &ret[ROLL_RAW].rows)) != 0)
		return err;
	for (t = ROLL_MINUTE; t < ROLL_NTIERS; t++) {
		sql = xasprintf("SELECT min(key) FROM %s", roll_table(t));
		err = store_i64(st, sql, 0, 0, &v);
		free(sql);
		if (err != 0)
			return err;
		if ((err = roll_mark_get(st, t, &w)) != 0)
			return err;
		if (v != STORE_NULL) {
			ret[t].first_ms = STORE_KEY_TICK(v) * roll_tier_ms(t);
			ret[t].end_ms = w;
		}
		if (t == ROLL_HOUR && v != STORE_NULL) {
			if ((err = roll_mark_get(st, ROLL_MARK_PARTIAL, &w)) != 0)
				return err;
			/* Only while it is ahead of the complete hours. */
			ret[t].partial_ms = w > ret[t].end_ms ? w : 0;
		}
		if (count_rows) {
			sql = xasprintf("SELECT count(*) FROM %s", roll_table(t));
			err = store_i64(st, sql, 0, 0, &ret[t].rows);
			free(sql);
			if (err != 0)
				return err;
		}
	}
	return 0;
}

int
roll_latest_ms(struct store *st, int64_t *ret_ms)
{
	int64_t	 v, m;
	int	 err, t;

	*ret_ms = 0;
	if ((err = store_i64(st, "SELECT ts_ms FROM tick WHERE id ="
	    " (SELECT max(id) FROM tick)", 0, 0, &v)) != 0)
		return err;
	if (v != STORE_NULL) {
		*ret_ms = v;
		return 0;
	}
	/* No raw tick at all (a generated history): the newest rollup. */
	for (t = ROLL_MINUTE; t < ROLL_NTIERS; t++) {
		if ((err = roll_mark_get(st, t, &m)) != 0)
			return err;
		if (m > 0 && m - 1 > *ret_ms)
			*ret_ms = m - 1;
	}
	return 0;
}

/* --- the plan ------------------------------------------------------------ */

#define SCAN_MAXSEG	32

struct scan_seg {
	int64_t		 from, to;
	int		 tier;		/* -1: not covered yet */
};

struct scan_plan {
	struct scan_seg	 v[SCAN_MAXSEG];
	size_t		 n;
};

static int64_t
scan_floor(int64_t v, int64_t len)
{
	int64_t	 q = v / len;

	if (v % len != 0 && v < 0)
		q--;
	return q * len;
}

static int64_t
scan_ceil(int64_t v, int64_t len)
{
	return -scan_floor(-v, len);
}

/* Gives [lo, hi) of segment i to tier, splitting what is left of it. */
static void
scan_plan_assign(struct scan_plan *p, size_t i, int64_t lo, int64_t hi, int tier)
{
	struct scan_seg	 s = p->v[i], parts[3];
	size_t		 k = 0, j;

	if (lo > s.from)
		parts[k++] = (struct scan_seg){ s.from, lo, -1 };
	parts[k++] = (struct scan_seg){ lo, hi, tier };
	if (hi < s.to)
		parts[k++] = (struct scan_seg){ hi, s.to, -1 };
	if (p->n + k - 1 > SCAN_MAXSEG)
		return;		/* cannot happen: at most 2 splits per tier pass */
	memmove(&p->v[i + k], &p->v[i + 1], (p->n - i - 1) * sizeof p->v[0]);
	for (j = 0; j < k; j++)
		p->v[i + j] = parts[j];
	p->n += k - 1;
}

static void
scan_plan_make(struct scan_plan *p, int64_t from, int64_t to, int target,
    const struct roll_tier_info *info)
{
	int64_t	 len, lo, hi;
	size_t	 i;
	int	 t;

	p->n = 1;
	p->v[0] = (struct scan_seg){ from, to, -1 };
	/* The target tier's whole buckets, then finer tiers for the rest. */
	for (t = target; t >= ROLL_RAW; t--) {
		if (info[t].end_ms <= info[t].first_ms)
			continue;
		for (i = 0; i < p->n; i++) {
			if (p->v[i].tier != -1)
				continue;
			if (t == ROLL_RAW) {
				lo = p->v[i].from > info[t].first_ms ? p->v[i].from :
				    info[t].first_ms;
				hi = p->v[i].to;
			} else {
				len = roll_tier_ms(t);
				lo = scan_ceil(p->v[i].from, len);
				hi = scan_floor(p->v[i].to, len);
				if (lo < info[t].first_ms)
					lo = info[t].first_ms;
				if (hi > info[t].end_ms)
					hi = info[t].end_ms;
				/* The current hour's partial row stands for
				 * [end_ms, partial_ms), when the segment holds
				 * all of that. */
				if (info[t].partial_ms > 0 && hi == info[t].end_ms &&
				    lo <= hi && p->v[i].to >= info[t].partial_ms)
					hi = info[t].partial_ms;
			}
			if (lo < hi)
				scan_plan_assign(p, i, lo, hi, t);
		}
	}
	/* What finer data no longer covers (retention dropped it): coarser
	 * buckets, which may stick out of the window at its old end. */
	for (t = ROLL_MINUTE; t < ROLL_NTIERS; t++) {
		if (info[t].end_ms <= info[t].first_ms)
			continue;
		len = roll_tier_ms(t);
		for (i = 0; i < p->n; i++) {
			if (p->v[i].tier != -1)
				continue;
			lo = p->v[i].from == from ? scan_floor(p->v[i].from, len) :
			    scan_ceil(p->v[i].from, len);
			hi = scan_floor(p->v[i].to, len);
			if (lo < info[t].first_ms)
				lo = info[t].first_ms;
			if (hi > info[t].end_ms)
				hi = info[t].end_ms;
			if (lo >= hi)
				continue;
			if (lo < p->v[i].from) {
				p->v[i].from = lo;	/* at the window's old end only */
			}
			scan_plan_assign(p, i, lo, hi, t);
		}
	}
}

int
roll_scan(struct store *st, int64_t from_ms, int64_t to_ms, int64_t step_ms,
    int64_t cid, roll_cb cb, roll_node_cb node_cb, void *arg)
{
	struct roll_tier_info	 info[ROLL_NTIERS];
	struct scan_plan	 plan;
	size_t			 i;
	int			 err, began, target;

	if (from_ms >= to_ms || cid < 0 || cid > STORE_CID_MAX)
		return from_ms >= to_ms ? 0 : -EINVAL;
	if ((err = store_read_begin(st, &began)) != 0)
		return err;
	if ((err = roll_info(st, 0, info)) != 0)
		goto out;
	target = step_ms >= roll_tier_ms(ROLL_HOUR) ? ROLL_HOUR :
	    step_ms >= roll_tier_ms(ROLL_MINUTE) ? ROLL_MINUTE : ROLL_RAW;
	scan_plan_make(&plan, from_ms, to_ms, target, info);
	for (i = 0; i < plan.n; i++) {
		if (plan.v[i].tier < 0)
			continue;
		log_debug("history scan: %s [%lld, %lld)",
		    roll_tier_name(plan.v[i].tier), (long long)plan.v[i].from,
		    (long long)plan.v[i].to);
		if ((err = roll_read_tier(st, plan.v[i].tier, plan.v[i].from,
		    plan.v[i].to, cid, cb, node_cb, arg)) != 0)
			break;
	}
out:
	store_read_end(st, began);
	return err;
}
