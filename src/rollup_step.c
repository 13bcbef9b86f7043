/* rollup_step.c: the daemon's housekeeping of history: rolling complete
 * minutes and hours up, and dropping what is past its retention or over
 * the size cap, one small step at a time.
 *
 * Hazard: every step runs inside cgovd's single event loop, between two
 * ticks. A step is therefore one bounded unit of work in its own
 * transaction (a minute of raw rows, an hour of minute rows, or one batch
 * of deletions), never "catch up on everything": after a long stop the
 * daemon catches up one step per tick while sampling and governing go on.
 */
#include "config.h"

#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sqlite3.h>

#include "cidmap.h"
#include "log.h"
#include "rollup.h"
#include "rollup_int.h"
#include "store.h"
#include "xmalloc.h"

/* A bucket is complete when a tick after it exists, or when this long has
 * passed since its end without one (the daemon was idle or stopped). */
#define ROLL_GRACE_MS	10000

const char *
roll_work_name(enum roll_work w)
{
	static const char *const names[ROLL_NWORK] = {
		[ROLL_IDLE] = "idle",
		[ROLL_DID_MINUTE] = "minute rollup",
		[ROLL_DID_HOUR] = "hour rollup",
		[ROLL_DID_TRIM] = "trim batch",
		[ROLL_DID_PARTIAL] = "partial hour",
	};

	return (unsigned)w < ROLL_NWORK ? names[w] : "?";
}

void
roll_conf_defaults(struct roll_conf *c)
{
	c->keep_ms[ROLL_RAW] = INT64_C(24) * 3600 * 1000;
	c->keep_ms[ROLL_MINUTE] = INT64_C(14) * 86400 * 1000;
	c->keep_ms[ROLL_HOUR] = INT64_C(400) * 86400 * 1000;
	c->max_bytes = INT64_C(4) << 30;
	c->batch_rows = 20000;
}

static int
step_prepare(struct store *st, const char *sql, sqlite3_stmt **ret)
{
	int	 rc = sqlite3_prepare_v2(store_sqlite(st), sql, -1, ret, NULL);

	if (rc != SQLITE_OK) {
		*ret = NULL;
		return store_error(st, rc, "rollup");
	}
	return 0;
}

static int
step_exec(struct store *st, const char *sql)
{
	int	 rc = sqlite3_exec(store_sqlite(st), sql, NULL, NULL, NULL);

	return rc == SQLITE_OK ? 0 : store_error(st, rc, "rollup");
}

/* --- writing tier rows ------------------------------------------------- */

int
roll_begin(struct store *st)
{
	if (store_in_tick(st))
		return -EBUSY;
	return step_exec(st, "BEGIN IMMEDIATE");
}

int
roll_commit(struct store *st)
{
	int	 err = step_exec(st, "COMMIT");

	if (err != 0)
		sqlite3_exec(store_sqlite(st), "ROLLBACK", NULL, NULL, NULL);
	return err;
}

static int
step_put_one(struct store *st, const char *table, int ncols,
    void (*bind)(sqlite3_stmt *, const void *, int64_t), const void *rec,
    int64_t key)
{
	sqlite3_stmt	*stmt;
	char		 sql[256];
	int		 rc, err;

	snprintf(sql, sizeof sql, "INSERT OR REPLACE INTO %s VALUES (?%s)", table,
	    ncols == ROLL_REC_COLS ? ",?,?,?" : ",?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?");
	if ((err = store_stmt_cached(st, sql, &stmt)) != 0)
		return err;
	bind(stmt, rec, key);
	rc = sqlite3_step(stmt);
	err = rc == SQLITE_DONE ? 0 : store_error(st, rc, "rollup insert");
	sqlite3_reset(stmt);
	return err;
}

static void
step_bind_rec(sqlite3_stmt *stmt, const void *rec, int64_t key)
{
	roll_rec_bind(stmt, rec, key);
}

static void
step_bind_node(sqlite3_stmt *stmt, const void *rec, int64_t key)
{
	roll_node_bind(stmt, rec, key);
}

int
roll_put(struct store *st, const struct roll_rec *r)
{
	int64_t	 len = roll_tier_ms(r->tier), bucket;
	int	 err;

	if (roll_table(r->tier) == NULL || r->cid <= 0 || r->cid > STORE_CID_MAX ||
	    r->ts_ms < 0)
		return -EINVAL;
	bucket = r->ts_ms / len;
	if ((err = step_put_one(st, roll_table(r->tier), ROLL_REC_COLS,
	    step_bind_rec, r, STORE_KEY(bucket, r->cid))) != 0)
		return err;
	return roll_mark_set(st, r->tier, (bucket + 1) * len);
}

int
roll_put_node(struct store *st, const struct roll_node_rec *r)
{
	int64_t	 len = roll_tier_ms(r->tier), bucket;
	int	 err;

	if (roll_node_table(r->tier) == NULL || r->ts_ms < 0)
		return -EINVAL;
	bucket = r->ts_ms / len;
	if ((err = step_put_one(st, roll_node_table(r->tier), ROLL_NODE_COLS,
	    step_bind_node, r, bucket)) != 0)
		return err;
	return roll_mark_set(st, r->tier, (bucket + 1) * len);
}

/* --- rolling one bucket up ----------------------------------------------- */

/* The containers of a bucket: a summary each, found by cid. */
struct step_acc {
	struct roll_sum		*sum;
	size_t			 cap;
	struct cidmap		 map;
	struct roll_node_sum	 node;
};

static struct roll_sum *
step_acc_get(struct step_acc *a, int64_t cid)
{
	int	 added;
	size_t	 i = cidmap_index(&a->map, cid, &added);

	if (added) {
		if (i == a->cap) {
			a->cap = a->cap ? a->cap * 2 : 256;
			a->sum = xreallocarray(a->sum, a->cap, sizeof *a->sum);
		}
		roll_sum_init(&a->sum[i], cid);
	}
	return &a->sum[i];
}

static void
step_acc_free(struct step_acc *a)
{
	for (size_t i = 0; i < a->map.n; i++)
		roll_sum_free(&a->sum[i]);
	free(a->sum);
	cidmap_free(&a->map);
	roll_node_sum_free(&a->node);
}

static int
step_acc_rec(void *arg, const struct roll_rec *r)
{
	roll_sum_add(step_acc_get(arg, r->cid), r);
	return 0;
}

static int
step_acc_node(void *arg, const struct roll_node_rec *r)
{
	struct step_acc	*a = arg;

	roll_node_sum_add(&a->node, r);
	return 0;
}

/* Rolls [start, end) of tier src up into the row of dst's bucket at start,
 * and moves roll_mark's `mark` to end, in one transaction. */
static int
step_roll(struct store *st, enum roll_tier src, enum roll_tier dst, int64_t start,
    int64_t end, int mark)
{
	struct step_acc		 acc;
	struct roll_rec		 rec;
	struct roll_node_rec	 nrec;
	int64_t			 len = roll_tier_ms(dst);
	size_t			 i;
	int			 err;

	memset(&acc, 0, sizeof acc);
	roll_node_sum_init(&acc.node);
	if ((err = roll_begin(st)) != 0)
		goto out;
	err = roll_read_tier(st, src, start, end, 0, step_acc_rec, step_acc_node, &acc);
	for (i = 0; err == 0 && i < acc.map.n; i++) {
		roll_sum_rec(&acc.sum[i], &rec);
		rec.tier = dst;
		rec.ts_ms = start;
		err = step_put_one(st, roll_table(dst), ROLL_REC_COLS, step_bind_rec,
		    &rec, STORE_KEY(start / len, rec.cid));
	}
	if (err == 0 && acc.node.r.n > 0) {
		roll_node_sum_rec(&acc.node, &nrec);
		nrec.tier = dst;
		nrec.ts_ms = start;
		err = step_put_one(st, roll_node_table(dst), ROLL_NODE_COLS,
		    step_bind_node, &nrec, start / len);
	}
	if (err == 0)
		err = roll_mark_set(st, mark, end);
	if (err == 0)
		err = roll_commit(st);
	else
		sqlite3_exec(store_sqlite(st), "ROLLBACK", NULL, NULL, NULL);
	if (err == 0)
		log_debug("rollup: %s %lld%s: %zu containers", roll_tier_name(dst),
		    (long long)start, end < start + len ? " (partial)" : "", acc.map.n);
out:
	step_acc_free(&acc);
	return err;
}

static int64_t
step_floor(int64_t v, int64_t len)
{
	return v >= 0 ? v / len * len : -((-v + len - 1) / len) * len;
}

/* The oldest complete minute with raw ticks not rolled up: *ret_start, or
 * -1 when there is none. */
static int
step_next_minute(struct store *st, int64_t now_ms, int64_t *ret_start)
{
	int64_t	 done, next, latest, b;
	int	 err;

	*ret_start = -1;
	if ((err = roll_mark_get(st, ROLL_MINUTE, &done)) != 0)
		return err;
	if ((err = store_i64(st, "SELECT min(ts_ms) FROM tick WHERE ts_ms >= ?1",
	    done, 0, &next)) != 0 || next == STORE_NULL)
		return err;
	if ((err = store_i64(st, "SELECT max(ts_ms) FROM tick", 0, 0, &latest)) != 0)
		return err;
	b = step_floor(next, roll_tier_ms(ROLL_MINUTE));
	if (latest >= b + roll_tier_ms(ROLL_MINUTE) ||
	    now_ms >= b + roll_tier_ms(ROLL_MINUTE) + ROLL_GRACE_MS)
		*ret_start = b;
	return 0;
}

static int
step_next_hour(struct store *st, int64_t now_ms, int64_t *ret_start)
{
	int64_t	 done_h, done_m, key, h, hour = roll_tier_ms(ROLL_HOUR);
	int	 err;

	*ret_start = -1;
	if ((err = roll_mark_get(st, ROLL_HOUR, &done_h)) != 0 ||
	    (err = roll_mark_get(st, ROLL_MINUTE, &done_m)) != 0)
		return err;
	if ((err = store_i64(st, "SELECT min(key) FROM roll1m WHERE key >= ?1",
	    STORE_KEY(done_h / roll_tier_ms(ROLL_MINUTE), 0), 0, &key)) != 0 ||
	    key == STORE_NULL)
		return err;
	h = step_floor(STORE_KEY_TICK(key) * roll_tier_ms(ROLL_MINUTE), hour);
	if (done_m >= h + hour || now_ms >= h + hour + ROLL_GRACE_MS)
		*ret_start = h;
	return 0;
}

/* The current hour's partial row is due when minutes of an hour that is
 * not complete were rolled up after it was last made, and the rollups are
 * current (within two minutes of now: catching up after a stop, the
 * complete hours come soon enough). *ret_start is -1 when not due. */
static int
step_next_partial(struct store *st, int64_t now_ms, int64_t *ret_start,
    int64_t *ret_end)
{
	int64_t	 done_m, done_h, part, h, hour = roll_tier_ms(ROLL_HOUR);
	int	 err;

	*ret_start = -1;
	if ((err = roll_mark_get(st, ROLL_MINUTE, &done_m)) != 0 ||
	    (err = roll_mark_get(st, ROLL_HOUR, &done_h)) != 0 ||
	    (err = roll_mark_get(st, ROLL_MARK_PARTIAL, &part)) != 0)
		return err;
	if (done_m <= 0 || done_m <= part || now_ms - done_m >= 2 * roll_tier_ms(ROLL_MINUTE))
		return 0;
	h = step_floor(done_m - 1, hour);
	if (done_m >= h + hour || done_h > h)
		return 0;	/* the hour is complete: its real row comes next */
	*ret_start = h;
	*ret_end = done_m;
	return 0;
}

/* --- dropping ---------------------------------------------------------- */

/* Deletes the oldest raw ticks with ts_ms < cut, at most about batch_rows
 * samples; *ret_did says whether anything was there to delete. */
static int
step_trim_raw(struct store *st, int64_t cut, int64_t batch_rows, int *ret_did)
{
	sqlite3_stmt	*stmt;
	int64_t		 first, per_tick, last, k;
	int		 rc, err;

	*ret_did = 0;
	/* Raw history starts on a whole minute, so that the minute tier
	 * covers exactly what is gone (a read never sees a ragged gap). */
	cut = step_floor(cut, roll_tier_ms(ROLL_MINUTE));
	if ((err = store_i64(st, "SELECT min(id) FROM tick", 0, 0, &first)) != 0 ||
	    first == STORE_NULL)
		return err;
	if ((err = store_i64(st, "SELECT count(*) FROM sample WHERE key >= ?1"
	    " AND key < ?2", STORE_KEY(first, 0), STORE_KEY(first + 1, 0),
	    &per_tick)) != 0)
		return err;
	k = batch_rows / (per_tick > 0 ? per_tick : 1);
	if (k < 1)
		k = 1;
	if ((err = store_i64(st, "SELECT max(id) FROM (SELECT id FROM tick"
	    " WHERE ts_ms < ?1 ORDER BY id LIMIT ?2)", cut, k, &last)) != 0 ||
	    last == STORE_NULL)
		return err;
	if ((err = roll_begin(st)) != 0)
		return err;
	if ((err = step_prepare(st,
	    "DELETE FROM sample WHERE key >= ?1 AND key < ?2;", &stmt)) != 0)
		goto fail;
	sqlite3_bind_int64(stmt, 1, STORE_KEY(first, 0));
	sqlite3_bind_int64(stmt, 2, STORE_KEY(last + 1, 0));
	rc = sqlite3_step(stmt);
	sqlite3_finalize(stmt);
	if (rc != SQLITE_DONE) {
		err = store_error(st, rc, "rollup trim");
		goto fail;
	}
	{
		static const char *const sqls[] = {
			"DELETE FROM memstat WHERE key >= ?1 AND key < ?2",
			"DELETE FROM node WHERE tick >= ?3 AND tick <= ?4",
			"DELETE FROM temp WHERE tick >= ?3 AND tick <= ?4",
			"DELETE FROM tick WHERE id >= ?3 AND id <= ?4",
			/* Keep each container's newest limits at or before
			 * the cut: they are in force after it. */
			"DELETE FROM limits WHERE tick <= ?4 AND EXISTS (SELECT 1"
			" FROM limits l2 WHERE l2.cid = limits.cid AND"
			" l2.tick > limits.tick AND l2.tick <= ?4)",
		};
		for (size_t i = 0; i < sizeof sqls / sizeof sqls[0]; i++) {
			if ((err = step_prepare(st, sqls[i], &stmt)) != 0)
				goto fail;
			/* ?1 ?2: the batch's key range; ?3 ?4: its ticks. */
			for (int p = 1; p <= sqlite3_bind_parameter_count(stmt); p++)
				sqlite3_bind_int64(stmt, p, p == 1 ? STORE_KEY(first, 0) :
				    p == 2 ? STORE_KEY(last + 1, 0) : p == 3 ? first : last);
			rc = sqlite3_step(stmt);
			sqlite3_finalize(stmt);
			if (rc != SQLITE_DONE) {
				err = store_error(st, rc, "rollup trim");
				goto fail;
			}
		}
	}
	if ((err = roll_commit(st)) != 0)
		return err;
	*ret_did = 1;
	return 0;
fail:
	sqlite3_exec(store_sqlite(st), "ROLLBACK", NULL, NULL, NULL);
	return err;
}

/* Deletes up to batch rows of a tier with buckets starting before cut. */
static int
step_trim_tier(struct store *st, enum roll_tier t, int64_t cut, int64_t batch,
    int *ret_did)
{
	int64_t	 first, bcut = cut / roll_tier_ms(t);
	char	*sql;
	int	 err;

	*ret_did = 0;
	sql = xasprintf("SELECT min(key) FROM %s", roll_table(t));
	err = store_i64(st, sql, 0, 0, &first);
	free(sql);
	if (err != 0 || first == STORE_NULL || STORE_KEY_TICK(first) >= bcut)
		return err;
	if ((err = roll_begin(st)) != 0)
		return err;
	sql = xasprintf("DELETE FROM %s WHERE key IN (SELECT key FROM %s"
	    " WHERE key < %" PRId64 " ORDER BY key LIMIT %" PRId64 ");"
	    "DELETE FROM %s WHERE bucket < %" PRId64 ";",
	    roll_table(t), roll_table(t), STORE_KEY(bcut, 0), batch,
	    roll_node_table(t), bcut);
	err = step_exec(st, sql);
	free(sql);
	if (err != 0) {
		sqlite3_exec(store_sqlite(st), "ROLLBACK", NULL, NULL, NULL);
		return err;
	}
	if ((err = roll_commit(st)) != 0)
		return err;
	*ret_did = 1;
	return 0;
}

/* Journal rows older than the hour tier keeps, except what is in force. */
static int
step_trim_actions(struct store *st, int64_t cut, int64_t batch, int *ret_did)
{
	int64_t	 n;
	char	*sql;
	int	 err;

	*ret_did = 0;
	if ((err = store_i64(st, "SELECT count(*) FROM (SELECT 1 FROM action"
	    " WHERE ts_ms < ?1 LIMIT 1)", cut, 0, &n)) != 0 || n <= 0)
		return err;
	sql = xasprintf("DELETE FROM action WHERE id IN (SELECT id FROM action"
	    " WHERE ts_ms < %" PRId64 " AND NOT (restored_ms IS NULL AND kind IN"
	    " ('apply', 'reassert')) ORDER BY ts_ms LIMIT %" PRId64 ")", cut, batch);
	if ((err = roll_begin(st)) == 0) {
		err = step_exec(st, sql);
		if (err == 0)
			err = roll_commit(st);
		else
			sqlite3_exec(store_sqlite(st), "ROLLBACK", NULL, NULL, NULL);
	}
	free(sql);
	/* In-force rows stay: only say there was work when rows went. */
	*ret_did = err == 0 && sqlite3_changes(store_sqlite(st)) > 0;
	return err;
}

/* Bytes in use: pages minus the free list (freed pages are reused before
 * the file grows, so this is what the cap compares). */
static int
step_used_bytes(struct store *st, int64_t *ret)
{
	int64_t	 pages, freel, size;
	int	 err;

	if ((err = store_i64(st, "PRAGMA page_count", 0, 0, &pages)) != 0 ||
	    (err = store_i64(st, "PRAGMA freelist_count", 0, 0, &freel)) != 0 ||
	    (err = store_i64(st, "PRAGMA page_size", 0, 0, &size)) != 0)
		return err;
	*ret = (pages - freel) * size;
	return 0;
}

static int
step_trim(struct store *st, const struct roll_conf *c, int64_t now_ms, int *ret_did)
{
	int64_t	 done_m, done_h, cut, used;
	int	 err;
	static int over_cap;	/* warn once per episode */

	*ret_did = 0;
	if ((err = roll_mark_get(st, ROLL_MINUTE, &done_m)) != 0 ||
	    (err = roll_mark_get(st, ROLL_HOUR, &done_h)) != 0)
		return err;
	/* Retention; never what the next tier has not taken yet. */
	if (c->keep_ms[ROLL_RAW] > 0) {
		cut = now_ms - c->keep_ms[ROLL_RAW];
		if (cut > done_m)
			cut = done_m;
		if ((err = step_trim_raw(st, cut, c->batch_rows, ret_did)) != 0 ||
		    *ret_did)
			return err;
	}
	if (c->keep_ms[ROLL_MINUTE] > 0) {
		cut = now_ms - c->keep_ms[ROLL_MINUTE];
		if (cut > done_h)
			cut = done_h;
		if ((err = step_trim_tier(st, ROLL_MINUTE, cut, c->batch_rows,
		    ret_did)) != 0 || *ret_did)
			return err;
	}
	if (c->keep_ms[ROLL_HOUR] > 0) {
		cut = now_ms - c->keep_ms[ROLL_HOUR];
		if ((err = step_trim_tier(st, ROLL_HOUR, cut, c->batch_rows,
		    ret_did)) != 0 || *ret_did)
			return err;
		if ((err = step_trim_actions(st, cut, c->batch_rows, ret_did)) != 0 ||
		    *ret_did)
			return err;
	}
	/* The size cap: the oldest raw rows already rolled up go first, then
	 * minutes already in hours, then the oldest hours. */
	if (c->max_bytes <= 0)
		return 0;
	if ((err = step_used_bytes(st, &used)) != 0)
		return err;
	if (used <= c->max_bytes) {
		if (over_cap)
			log_info("history back under its size cap (%" PRId64 " bytes)",
			    used);
		over_cap = 0;
		return 0;
	}
	if (!over_cap)
		log_warnx("history uses %" PRId64 " bytes, over its size cap of %"
		    PRId64 ": dropping the oldest samples before their retention",
		    used, c->max_bytes);
	over_cap = 1;
	if ((err = step_trim_raw(st, done_m, c->batch_rows, ret_did)) != 0 || *ret_did)
		return err;
	if ((err = step_trim_tier(st, ROLL_MINUTE, done_h, c->batch_rows,
	    ret_did)) != 0 || *ret_did)
		return err;
	return step_trim_tier(st, ROLL_HOUR, INT64_MAX / 2, c->batch_rows, ret_did);
}

int
roll_step(struct store *st, const struct roll_conf *c, int64_t now_ms,
    enum roll_work *ret_work)
{
	int64_t	 start, end;
	int	 err, did;

	*ret_work = ROLL_IDLE;
	if (store_in_tick(st))
		return -EBUSY;
	if ((err = step_next_minute(st, now_ms, &start)) != 0)
		return err;
	if (start >= 0) {
		if ((err = step_roll(st, ROLL_RAW, ROLL_MINUTE, start,
		    start + roll_tier_ms(ROLL_MINUTE), ROLL_MINUTE)) == 0)
			*ret_work = ROLL_DID_MINUTE;
		return err;
	}
	if ((err = step_next_partial(st, now_ms, &start, &end)) != 0)
		return err;
	if (start >= 0) {
		if ((err = step_roll(st, ROLL_MINUTE, ROLL_HOUR, start, end,
		    ROLL_MARK_PARTIAL)) == 0)
			*ret_work = ROLL_DID_PARTIAL;
		return err;
	}
	if ((err = step_next_hour(st, now_ms, &start)) != 0)
		return err;
	if (start >= 0) {
		if ((err = step_roll(st, ROLL_MINUTE, ROLL_HOUR, start,
		    start + roll_tier_ms(ROLL_HOUR), ROLL_HOUR)) == 0)
			*ret_work = ROLL_DID_HOUR;
		return err;
	}
	if ((err = step_trim(st, c, now_ms, &did)) == 0 && did)
		*ret_work = ROLL_DID_TRIM;
	return err;
}
