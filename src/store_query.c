/* store_query.c: reading the history back: containers and top over a window.
 *
 * Top reads the window through roll_scan (rollup.h), which answers from the
 * coarsest tier that covers each part of it, and aggregates in C per
 * container while the records stream by: SQLite's GROUP BY would sort the
 * whole window in a temporary b-tree first. The figures are spelled out
 * in store.h (struct store_top_row) and doc/store.md; their arithmetic is
 * metrics.h's.
 */
#include "config.h"

#include <errno.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <sqlite3.h>

#include "cidmap.h"
#include "log.h"
#include "metrics.h"
#include "rollup.h"
#include "store.h"
#include "xmalloc.h"

/* Strings from the database may be NULL (no name known): callers get "". */
static char *
query_text(sqlite3_stmt *stmt, int col)
{
	const unsigned char	*s = sqlite3_column_text(stmt, col);

	return xstrdup(s != NULL ? (const char *)s : "");
}

static int64_t
query_column_i64(sqlite3_stmt *stmt, int col)
{
	if (sqlite3_column_type(stmt, col) == SQLITE_NULL)
		return STORE_NULL;
	return sqlite3_column_int64(stmt, col);
}

static void
query_container_fill(struct store_container *c, sqlite3_stmt *stmt, int col)
{
	c->path = query_text(stmt, col);
	c->name = query_text(stmt, col + 1);
	c->runtime = query_text(stmt, col + 2);
	c->first_seen_ms = query_column_i64(stmt, col + 3);
	c->last_seen_ms = query_column_i64(stmt, col + 4);
	c->gone_ms = query_column_i64(stmt, col + 5);
}

static int
query_prepare(struct store *st, const char *sql, sqlite3_stmt **ret)
{
	int	 rc;

	rc = sqlite3_prepare_v2(store_sqlite(st), sql, -1, ret, NULL);
	if (rc != SQLITE_OK) {
		*ret = NULL;
		return store_error(st, rc, "query");
	}
	return 0;
}

int
store_query_containers(struct store *st, struct store_container **ret,
    size_t *ret_n)
{
	struct store_container	*v = NULL;
	sqlite3_stmt		*stmt;
	size_t			 n = 0, cap = 0;
	int			 rc, err;

	*ret = NULL;
	*ret_n = 0;
	if ((err = query_prepare(st, "SELECT id, path, name, runtime,"
	    " first_seen_ms, last_seen_ms, gone_ms FROM container"
	    " ORDER BY path", &stmt)) != 0)
		return err;
	while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
		if (n == cap) {
			cap = cap ? cap * 2 : 64;
			v = xreallocarray(v, cap, sizeof *v);
		}
		v[n].cid = sqlite3_column_int64(stmt, 0);
		query_container_fill(&v[n], stmt, 1);
		n++;
	}
	if (rc != SQLITE_DONE) {
		err = store_error(st, rc, "containers");
		sqlite3_finalize(stmt);
		store_containers_free(v, n);
		return err;
	}
	sqlite3_finalize(stmt);
	*ret = v;
	*ret_n = n;
	return 0;
}

void
store_containers_free(struct store_container *v, size_t n)
{
	size_t	 i;

	for (i = 0; i < n; i++) {
		free(v[i].path);
		free(v[i].name);
		free(v[i].runtime);
	}
	free(v);
}

/* Top and the node's figures read through roll_scan (rollup.h). Everything
 * they show merges exactly from any tier (sums over sampled time, means
 * weighted by samples, maxima, the newest values), so the step asked for
 * is the whole window: the coarsest tier that fits answers, finer ones
 * only fill the edges. Ten minutes read 8 or 9 minute rows and up to two
 * minutes of raw ticks per container instead of 600 ticks. */
#define QUERY_DAY_MS	(INT64_C(24) * 3600 * 1000)

struct query_top_acc {
	struct roll_sum	 sum;
	int64_t		 last_ts;
	double		 mem_last, swap_last, pids_last;
};

struct query_top {
	struct query_top_acc	*acc;
	size_t			 cap;
	struct cidmap		 map;
};

static struct query_top_acc *
query_top_get(struct query_top *q, int64_t cid)
{
	int	 added;
	size_t	 i = cidmap_index(&q->map, cid, &added);

	if (added) {
		if (i == q->cap) {
			q->cap = q->cap ? q->cap * 2 : 1024;
			q->acc = xreallocarray(q->acc, q->cap, sizeof *q->acc);
		}
		roll_sum_init(&q->acc[i].sum, cid);
		q->acc[i].sum.no_pct = 1;	/* top shows means and maxima */
		q->acc[i].last_ts = INT64_MIN;
	}
	return &q->acc[i];
}

static int
query_top_rec(void *arg, const struct roll_rec *r)
{
	struct query_top_acc	*a = query_top_get(arg, r->cid);

	roll_sum_add(&a->sum, r);
	if (r->ts_ms >= a->last_ts) {
		/* The newest record's value (a tick's, or a bucket's mean). */
		a->last_ts = r->ts_ms;
		a->mem_last = r->mem_avg;
		a->swap_last = r->swap_avg;
		a->pids_last = r->pids_avg;
	}
	return 0;
}

/* The row's figures are those of the window's merged record, through the
 * metric arithmetic of the daemon's tick (metrics.h). */
static void
query_top_fill(struct store_top_row *v, struct query_top_acc *a)
{
	struct roll_rec		 r;
	struct gov_metrics	 m;

	roll_sum_rec(&a->sum, &r);
	metrics_from_rec(&r, &m);
	v->c.cid = r.cid;
	v->samples = r.n;
	v->mem_avg = r.mem_avg;
	v->mem_max = r.mem_max;
	v->mem_last = a->mem_last;
	v->swap_avg = r.swap_avg;
	v->swap_max = r.swap_max;
	v->swap_last = a->swap_last;
	v->cpu_cores = m.v[PM_CPU];
	v->throttled_pct = m.v[PM_THROTTLED];
	v->throttled_time_pct = metrics_time_pct(r.throttled_us, r.dt_ms);
	v->rbytes_s = m.v[PM_IO_READ];
	v->wbytes_s = m.v[PM_IO_WRITE];
	v->rios_s = m.v[PM_IO_READ_IOPS];
	v->wios_s = m.v[PM_IO_WRITE_IOPS];
	v->psi_cpu_pct = m.v[PM_PRESSURE_CPU];
	v->psi_mem_pct = m.v[PM_PRESSURE_MEMORY];
	v->psi_io_pct = m.v[PM_PRESSURE_IO];
	v->pids_last = a->pids_last;
	v->oom = r.oom;
	v->oom_kill = r.oom_kill;
	v->mem_limit = r.mem_limit;
	v->swap_limit = r.swap_limit;
	v->cpu_shares = r.cpu_shares;
	v->cpu_limit_cores = r.cpu_limit_cores;
	v->pids_max = r.pids_limit;
}

/* The container fields of each row. */
static int
query_top_describe(struct store *st, struct store_top_row *v, size_t n)
{
	sqlite3_stmt	*cs = NULL;
	size_t		 i;
	int		 rc = SQLITE_OK, err;

	if ((err = query_prepare(st, "SELECT path, name, runtime,"
	    " first_seen_ms, last_seen_ms, gone_ms FROM container"
	    " WHERE id = ?1", &cs)) != 0)
		return err;
	for (i = 0; i < n; i++) {
		sqlite3_reset(cs);
		sqlite3_bind_int64(cs, 1, v[i].c.cid);
		rc = sqlite3_step(cs);
		if (rc == SQLITE_ROW) {
			query_container_fill(&v[i].c, cs, 0);
			continue;
		}
		if (rc != SQLITE_DONE)
			break;
		/* A container row trimmed away while its history remains. */
		v[i].c.path = xstrdup("");
		v[i].c.name = xstrdup("");
		v[i].c.runtime = xstrdup("");
		v[i].c.first_seen_ms = v[i].c.last_seen_ms = STORE_NULL;
		v[i].c.gone_ms = STORE_NULL;
	}
	if (rc != SQLITE_ROW && rc != SQLITE_DONE && rc != SQLITE_OK)
		err = store_error(st, rc, "top");
	sqlite3_finalize(cs);
	return err;
}

/* The window (latest - since, latest] as roll_scan's [from, to), and its
 * step; since 0 is the newest tick alone. A window of a day or more is
 * read at the hour tier's resolution: its old end is rounded to the
 * nearest hour, and its new end is the newest minute rolled up when the
 * rollups are current (the last seconds would cost a raw row per
 * container and tick, 60,000 rows at 1000 containers, to move a day's
 * average by nothing). */
static int
query_span(struct store *st, int64_t latest_ms, int64_t since_ms, int64_t *from,
    int64_t *to, int64_t *step)
{
	struct roll_tier_info	 info[ROLL_NTIERS];
	int64_t			 hour = roll_tier_ms(ROLL_HOUR);
	int			 err;

	*to = latest_ms + 1;
	*from = since_ms == 0 ? latest_ms : latest_ms - since_ms + 1;
	*step = since_ms;
	if (since_ms < QUERY_DAY_MS)
		return 0;
	if ((err = roll_info(st, 0, info)) != 0)
		return err;
	if (info[ROLL_MINUTE].end_ms > *from &&
	    latest_ms - info[ROLL_MINUTE].end_ms < 2 * roll_tier_ms(ROLL_MINUTE))
		*to = info[ROLL_MINUTE].end_ms;
	*from = (*from + hour / 2) / hour * hour;
	return 0;
}

int
store_query_top(struct store *st, int64_t since_ms, struct store_top_row **ret,
    size_t *ret_n, int64_t *ret_latest_ms)
{
	struct store_top_row	*v = NULL;
	struct query_top	 q;
	size_t			 i;
	int64_t			 latest_ms, from, to, step;
	int			 began, err;

	*ret = NULL;
	*ret_n = 0;
	if (ret_latest_ms != NULL)
		*ret_latest_ms = 0;
	if (since_ms < 0)
		return -EINVAL;
	memset(&q, 0, sizeof q);
	if ((err = store_read_begin(st, &began)) != 0)
		return err;
	if ((err = roll_latest_ms(st, &latest_ms)) != 0 || latest_ms == 0)
		goto out;
	if ((err = query_span(st, latest_ms, since_ms, &from, &to, &step)) != 0 ||
	    (err = roll_scan(st, from, to, step, 0, query_top_rec, NULL, &q)) != 0)
		goto out;
	if (q.map.n > 0) {
		v = xcalloc(q.map.n, sizeof *v);
		for (i = 0; i < q.map.n; i++)
			query_top_fill(&v[i], &q.acc[i]);
		if ((err = query_top_describe(st, v, q.map.n)) != 0) {
			store_top_free(v, q.map.n);
			goto out;
		}
	}
	*ret = v;
	*ret_n = q.map.n;
	if (ret_latest_ms != NULL)
		*ret_latest_ms = latest_ms;
out:
	store_read_end(st, began);
	for (i = 0; i < q.map.n; i++)
		roll_sum_free(&q.acc[i].sum);
	free(q.acc);
	cidmap_free(&q.map);
	return err;
}

void
store_top_free(struct store_top_row *v, size_t n)
{
	size_t	 i;

	for (i = 0; i < n; i++) {
		free(v[i].c.path);
		free(v[i].c.name);
		free(v[i].c.runtime);
	}
	free(v);
}

struct query_node {
	struct roll_node_sum	 sum;
	struct roll_node_rec	 last;
};

static int
query_node_rec(void *arg, const struct roll_node_rec *r)
{
	struct query_node	*q = arg;

	roll_node_sum_add(&q->sum, r);
	if (q->last.n == 0 || r->ts_ms >= q->last.ts_ms)
		q->last = *r;
	return 0;
}

int
store_query_node(struct store *st, int64_t since_ms, struct store_node_row *ret)
{
	struct query_node	 q;
	struct roll_node_rec	 r;
	struct gov_metrics	 m;
	int64_t			 latest_ms, from, to, step;
	int			 began, err;

	memset(ret, 0, sizeof *ret);
	ret->ncpu = ret->cpu_busy_pct = ret->load1 = NAN;
	ret->mem_total = ret->mem_available = ret->mem_available_min = NAN;
	ret->swap_total = ret->swap_used = NAN;
	ret->psi_cpu_pct = ret->psi_mem_pct = ret->psi_io_pct = NAN;
	if (since_ms < 0)
		return -EINVAL;
	memset(&q, 0, sizeof q);
	roll_node_sum_init(&q.sum);
	if ((err = store_read_begin(st, &began)) != 0)
		goto out;
	if ((err = roll_latest_ms(st, &latest_ms)) != 0 || latest_ms == 0)
		goto out;
	if ((err = query_span(st, latest_ms, since_ms, &from, &to, &step)) != 0 ||
	    (err = roll_scan(st, from, to, step, 0, NULL, query_node_rec, &q)) != 0 ||
	    q.sum.r.n == 0)
		goto out;
	roll_node_sum_rec(&q.sum, &r);
	ret->samples = r.n;
	ret->ncpu = q.last.ncpu;
	ret->mem_total = q.last.mem_total;
	ret->mem_available = q.last.mem_avail_avg;
	ret->mem_available_min = r.mem_avail_min;
	ret->swap_total = q.last.swap_total;
	ret->swap_used = q.last.swap_total - q.last.swap_free_avg;
	ret->load1 = q.last.load1_avg;
	metrics_node_from_rec(&r, &m);
	ret->cpu_busy_pct = m.v[PM_NODE_CPU];
	ret->psi_cpu_pct = m.v[PM_NODE_PRESSURE_CPU];
	ret->psi_mem_pct = m.v[PM_NODE_PRESSURE_MEMORY];
	ret->psi_io_pct = m.v[PM_NODE_PRESSURE_IO];
out:
	roll_node_sum_free(&q.sum);
	store_read_end(st, began);
	return err;
}

/* The window's temperature rows, oldest first, folded per sensor in C:
 * a few sensors every ten seconds, a day at most (raw retention). */
int
store_query_temps(struct store *st, int64_t since_ms, struct store_temp_row **ret,
    size_t *ret_n)
{
	struct store_temp_row	*v = NULL;
	sqlite3_stmt		*stmt = NULL;
	size_t			 n = 0, cap = 0;
	int64_t			 newest;
	int			 rc, err, began;

	*ret = NULL;
	*ret_n = 0;
	if (since_ms < 0)
		return -EINVAL;
	if ((err = store_read_begin(st, &began)) != 0)
		return err;
	/* The newest reading's time: "now" is the newest reading, not the
	 * newest tick (sensors are read every few ticks). */
	if ((err = store_i64(st, "SELECT k.ts_ms FROM tick k WHERE k.id ="
	    " (SELECT max(tick) FROM temp)", 0, 0, &newest)) != 0 || newest == STORE_NULL)
		goto out;
	if ((err = query_prepare(st, "SELECT t.sensor, t.mc, k.ts_ms FROM temp t"
	    " JOIN tick k ON k.id = t.tick WHERE k.ts_ms > ?1 AND k.ts_ms <= ?2"
	    " ORDER BY t.tick", &stmt)) != 0)
		goto out;
	sqlite3_bind_int64(stmt, 1, since_ms == 0 ? newest - 1 : newest - since_ms);
	sqlite3_bind_int64(stmt, 2, newest);
	while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
		const char *name = (const char *)sqlite3_column_text(stmt, 0);
		double c = sqlite3_column_type(stmt, 1) == SQLITE_NULL ? NAN :
		    (double)sqlite3_column_int64(stmt, 1) / 1000;
		struct store_temp_row *r = NULL;

		if (name == NULL)
			continue;
		for (size_t i = 0; i < n; i++)
			if (strcmp(v[i].sensor, name) == 0) {
				r = &v[i];
				break;
			}
		if (r == NULL) {
			if (n == cap) {
				cap = cap ? cap * 2 : 16;
				v = xreallocarray(v, cap, sizeof *v);
			}
			r = &v[n++];
			r->sensor = xstrdup(name);
			r->max_c = NAN;
		}
		r->last_c = c;
		r->last_ms = sqlite3_column_int64(stmt, 2);
		if (!isnan(c) && (isnan(r->max_c) || c > r->max_c))
			r->max_c = c;
	}
	if (rc != SQLITE_DONE)
		err = store_error(st, rc, "temperature query");
out:
	sqlite3_finalize(stmt);
	store_read_end(st, began);
	if (err != 0) {
		store_temps_free(v, n);
		return err;
	}
	*ret = v;
	*ret_n = n;
	return 0;
}

void
store_temps_free(struct store_temp_row *v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(v[i].sensor);
	free(v);
}
