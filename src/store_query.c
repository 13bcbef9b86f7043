/* store_query.c: reading the history back: containers and top over a window.
 *
 * Top is one range scan of the sample b-tree over the window's ticks,
 * aggregated here in C per container: SQLite's GROUP BY would sort the
 * whole window in a temporary b-tree first. The arithmetic is spelled out
 * in store.h (struct store_top_row) and doc/store.md.
 */
#include "config.h"

#include <errno.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <sqlite3.h>

#include "log.h"
#include "store.h"
#include "xmalloc.h"

/* A tick of the window. */
struct query_tick {
	int64_t		 id;
	int64_t		 dt_ms;
};

/* A metric summed over the ticks where it was known, with their length:
 * rates divide by the time the container was sampled, not the window. */
struct query_rate {
	int64_t		 sum;
	int64_t		 dt_ms;
};

/* Events summed over the rows where they were known. */
struct query_count {
	int64_t		 sum;
	int64_t		 n;
};

/* A "now" value: average, maximum and the newest row's value. */
struct query_gauge {
	double		 sum;
	int64_t		 n;
	int64_t		 max;
	int64_t		 last;		/* STORE_NULL when the newest is */
};

struct query_acc {
	int64_t			 cid;
	int64_t			 samples;
	struct query_gauge	 mem, swap;
	struct query_rate	 cpu, thr_time, rbytes, wbytes, rios, wios;
	struct query_rate	 psi_cpu, psi_mem, psi_io;
	struct query_count	 periods, throttled, oom, oom_kill;
	int64_t			 pids_last;
};

/* Open addressing from cid to accumulator: a window holds the containers
 * of the node (hundreds to thousands), cids are spread over the life of
 * the database. */
struct query_map {
	struct query_acc	*acc;
	size_t			 n, cap;	/* cap: a power of two */
	uint32_t		*slot;		/* index + 1 into acc, 0 = free */
};

static uint32_t
query_hash(int64_t cid)
{
	return (uint32_t)(((uint64_t)cid * UINT64_C(0x9e3779b97f4a7c15)) >> 32);
}

static void
query_map_grow(struct query_map *m)
{
	size_t	 cap = m->cap ? m->cap * 2 : 1024, i, j;

	free(m->slot);
	m->slot = xcalloc(cap, sizeof *m->slot);
	m->cap = cap;
	m->acc = xreallocarray(m->acc, cap / 2, sizeof *m->acc);
	for (i = 0; i < m->n; i++) {
		j = query_hash(m->acc[i].cid) & (cap - 1);
		while (m->slot[j] != 0)
			j = (j + 1) & (cap - 1);
		m->slot[j] = i + 1;
	}
}

static void
query_gauge_init(struct query_gauge *g)
{
	g->sum = 0;
	g->n = 0;
	g->max = INT64_MIN;
	g->last = STORE_NULL;
}

static struct query_acc *
query_map_get(struct query_map *m, int64_t cid)
{
	struct query_acc	*a;
	size_t			 j;

	if (m->n >= m->cap / 2)
		query_map_grow(m);
	j = query_hash(cid) & (m->cap - 1);
	while (m->slot[j] != 0) {
		a = &m->acc[m->slot[j] - 1];
		if (a->cid == cid)
			return a;
		j = (j + 1) & (m->cap - 1);
	}
	a = &m->acc[m->n++];
	m->slot[j] = m->n;
	memset(a, 0, sizeof *a);
	a->cid = cid;
	query_gauge_init(&a->mem);
	query_gauge_init(&a->swap);
	a->pids_last = STORE_NULL;
	return a;
}

static void
query_map_free(struct query_map *m)
{
	free(m->slot);
	free(m->acc);
}

/* The scan reads each column once as an sqlite3_value: a column_type and a
 * column_int64 call each would take the connection's mutex and error
 * bookkeeping, which cost more than the decoding itself. */
static void
query_gauge_add(struct query_gauge *g, sqlite3_stmt *stmt, int col)
{
	sqlite3_value	*val = sqlite3_column_value(stmt, col);
	int64_t		 v;

	if (sqlite3_value_type(val) == SQLITE_NULL) {
		g->last = STORE_NULL;
		return;
	}
	v = store_mem_decode(sqlite3_value_int64(val));
	g->sum += (double)v;
	g->n++;
	if (v > g->max)
		g->max = v;
	g->last = v;
}

static void
query_rate_add(struct query_rate *r, sqlite3_stmt *stmt, int col,
    int64_t dt_ms)
{
	sqlite3_value	*val = sqlite3_column_value(stmt, col);

	if (sqlite3_value_type(val) == SQLITE_NULL)
		return;
	r->sum += sqlite3_value_int64(val);
	r->dt_ms += dt_ms;
}

static void
query_count_add(struct query_count *c, sqlite3_stmt *stmt, int col)
{
	sqlite3_value	*val = sqlite3_column_value(stmt, col);

	if (sqlite3_value_type(val) == SQLITE_NULL)
		return;
	c->sum += sqlite3_value_int64(val);
	c->n++;
}

/* Sum per second of sampled time, times scale; NAN when never known. */
static double
query_rate_get(const struct query_rate *r, double scale)
{
	if (r->dt_ms == 0)
		return NAN;
	return (double)r->sum * scale / ((double)r->dt_ms / 1000.0);
}

static double
query_gauge_avg(const struct query_gauge *g)
{
	return g->n ? g->sum / (double)g->n : NAN;
}

static double
query_gauge_max(const struct query_gauge *g)
{
	return g->n ? (double)g->max : NAN;
}

static double
query_i64(int64_t v)
{
	return v == STORE_NULL ? NAN : (double)v;
}

/* A limit column: NULL unknown, STORE_UNLIMITED none. */
static double
query_limit(sqlite3_stmt *stmt, int col)
{
	int64_t	 v;

	if (sqlite3_column_type(stmt, col) == SQLITE_NULL)
		return NAN;
	v = sqlite3_column_int64(stmt, col);
	return v == STORE_UNLIMITED ? INFINITY : (double)v;
}

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

/* Queries read one snapshot: on a handle with no transaction open, a read
 * transaction keeps the ticks and the samples consistent while the daemon
 * commits beside us. Inside the writer's open tick, that tick is the
 * snapshot. *ret_began says whether query_end() has one to end. */
static int
query_begin(struct store *st, int *ret_began)
{
	sqlite3	*db = store_sqlite(st);
	int	 rc;

	*ret_began = 0;
	if (!sqlite3_get_autocommit(db))
		return 0;
	rc = sqlite3_exec(db, "BEGIN", NULL, NULL, NULL);
	if (rc != SQLITE_OK)
		return store_error(st, rc, "begin");
	*ret_began = 1;
	return 0;
}

static void
query_end(struct store *st, int began)
{
	if (began)
		sqlite3_exec(store_sqlite(st), "COMMIT", NULL, NULL, NULL);
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

static int
query_tick_cmp(const void *a, const void *b)
{
	const struct query_tick	*x = a, *y = b;

	return (x->id > y->id) - (x->id < y->id);
}

/* The window's ticks in id order into *ret (*ret_n of them): the newest
 * alone for since_ms == 0, else those with ts_ms in (latest - since,
 * latest]. By time, not id: after the clock steps back, ticks stamped
 * later than the newest stay out. */
static int
query_window(struct store *st, int64_t since_ms, int64_t *ret_latest_ms,
    struct query_tick **ret, size_t *ret_n)
{
	struct query_tick	*v = NULL;
	sqlite3_stmt		*stmt;
	size_t			 n = 0, cap = 0;
	int64_t			 latest_id, latest_ms, dt_ms;
	int			 rc, err, sorted = 1;

	*ret = NULL;
	*ret_n = 0;
	*ret_latest_ms = 0;
	if ((err = query_prepare(st, "SELECT id, ts_ms, dt_ms FROM tick"
	    " WHERE id = (SELECT max(id) FROM tick)", &stmt)) != 0)
		return err;
	rc = sqlite3_step(stmt);
	if (rc == SQLITE_DONE) {
		sqlite3_finalize(stmt);
		return 0;
	}
	if (rc != SQLITE_ROW) {
		err = store_error(st, rc, "top");
		sqlite3_finalize(stmt);
		return err;
	}
	latest_id = sqlite3_column_int64(stmt, 0);
	latest_ms = sqlite3_column_int64(stmt, 1);
	dt_ms = sqlite3_column_int64(stmt, 2);
	sqlite3_finalize(stmt);
	*ret_latest_ms = latest_ms;

	if (since_ms == 0) {
		v = xmalloc(sizeof *v);
		v->id = latest_id;
		v->dt_ms = dt_ms;
		*ret = v;
		*ret_n = 1;
		return 0;
	}
	/* tick_ts covers (ts_ms, dt_ms, id): no lookup into tick itself.
	 * Time order is id order unless the clock stepped back: sort then. */
	if ((err = query_prepare(st, "SELECT id, dt_ms FROM tick"
	    " WHERE ts_ms > ?1 AND ts_ms <= ?2", &stmt)) != 0)
		return err;
	sqlite3_bind_int64(stmt, 1, latest_ms < INT64_MIN + since_ms ?
	    INT64_MIN : latest_ms - since_ms);
	sqlite3_bind_int64(stmt, 2, latest_ms);
	while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
		if (n == cap) {
			cap = cap ? cap * 2 : 1024;
			v = xreallocarray(v, cap, sizeof *v);
		}
		v[n].id = sqlite3_column_int64(stmt, 0);
		v[n].dt_ms = sqlite3_column_int64(stmt, 1);
		if (n > 0 && v[n].id < v[n - 1].id)
			sorted = 0;
		n++;
	}
	if (rc != SQLITE_DONE) {
		err = store_error(st, rc, "top");
		sqlite3_finalize(stmt);
		free(v);
		return err;
	}
	sqlite3_finalize(stmt);
	if (!sorted)
		qsort(v, n, sizeof *v, query_tick_cmp);
	*ret = v;
	*ret_n = n;
	return 0;
}

/* Events summed over the rows where they were known (a cold field). */
static void
query_count_cold(struct query_count *c, int64_t v)
{
	if (v == STORE_NULL)
		return;
	c->sum += v;
	c->n++;
}

static void
query_rate_cold(struct query_rate *r, int64_t v, int64_t dt_ms)
{
	if (v == STORE_NULL)
		return;
	r->sum += v;
	r->dt_ms += dt_ms;
}

/* One pass over sample rows with keys in the window's tick range. */
static int
query_scan(struct store *st, const struct query_tick *ticks, size_t nticks,
    struct query_map *m)
{
	struct query_acc	*a;
	sqlite3_stmt		*stmt;
	size_t			 t = 0;
	int64_t			 key, tick, dt, cold[STORE_COLD_N];
	int			 rc, err;

	if ((err = query_prepare(st, "SELECT key, mem4k, swap4k, cpu_us,"
	    " nr_periods, pids, psi_cpu_us, psi_mem_us, psi_io_us, cold"
	    " FROM sample WHERE key >= ?1 AND key <= ?2", &stmt)) != 0)
		return err;
	sqlite3_bind_int64(stmt, 1, STORE_KEY(ticks[0].id, 0));
	sqlite3_bind_int64(stmt, 2, STORE_KEY(ticks[nticks - 1].id,
	    STORE_CID_MAX));
	while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
		key = sqlite3_column_int64(stmt, 0);
		tick = STORE_KEY_TICK(key);
		/* Rows come in key order, hence tick order: walk the window
		 * along, skipping ticks left out by time. */
		while (t < nticks && ticks[t].id < tick)
			t++;
		if (t == nticks)
			break;
		if (ticks[t].id != tick)
			continue;
		if (store_cold_value(sqlite3_column_value(stmt, 9), cold) != 0) {
			log_warnx("store: damaged sample (key %lld), skipped",
			    (long long)key);
			continue;
		}
		dt = ticks[t].dt_ms;
		a = query_map_get(m, STORE_KEY_CID(key));
		a->samples++;
		query_gauge_add(&a->mem, stmt, 1);
		query_gauge_add(&a->swap, stmt, 2);
		query_rate_add(&a->cpu, stmt, 3, dt);
		query_count_add(&a->periods, stmt, 4);
		a->pids_last = query_column_i64(stmt, 5);
		query_rate_add(&a->psi_cpu, stmt, 6, dt);
		query_rate_add(&a->psi_mem, stmt, 7, dt);
		query_rate_add(&a->psi_io, stmt, 8, dt);
		query_count_cold(&a->throttled, cold[0]);
		query_rate_cold(&a->thr_time, cold[1], dt);
		query_rate_cold(&a->rbytes, cold[2], dt);
		query_rate_cold(&a->wbytes, cold[3], dt);
		query_rate_cold(&a->rios, cold[4], dt);
		query_rate_cold(&a->wios, cold[5], dt);
		query_count_cold(&a->oom, cold[6]);
		query_count_cold(&a->oom_kill, cold[7]);
	}
	if (rc != SQLITE_DONE && rc != SQLITE_ROW) {
		err = store_error(st, rc, "top");
		sqlite3_finalize(stmt);
		return err;
	}
	sqlite3_finalize(stmt);
	return 0;
}

static void
query_top_fill(struct store_top_row *r, const struct query_acc *a)
{
	r->c.cid = a->cid;
	r->samples = a->samples;
	r->mem_avg = query_gauge_avg(&a->mem);
	r->mem_max = query_gauge_max(&a->mem);
	r->mem_last = query_i64(a->mem.last);
	r->swap_avg = query_gauge_avg(&a->swap);
	r->swap_max = query_gauge_max(&a->swap);
	r->swap_last = query_i64(a->swap.last);
	r->cpu_cores = query_rate_get(&a->cpu, 1e-6);
	/* No CFS period elapsed (no quota set): nothing was throttled. */
	if (a->periods.n == 0 || a->throttled.n == 0)
		r->throttled_pct = NAN;
	else if (a->periods.sum == 0)
		r->throttled_pct = 0;
	else
		r->throttled_pct = 100.0 * (double)a->throttled.sum /
		    (double)a->periods.sum;
	r->throttled_time_pct = query_rate_get(&a->thr_time, 100e-6);
	r->rbytes_s = query_rate_get(&a->rbytes, 1);
	r->wbytes_s = query_rate_get(&a->wbytes, 1);
	r->rios_s = query_rate_get(&a->rios, 1);
	r->wios_s = query_rate_get(&a->wios, 1);
	r->psi_cpu_pct = query_rate_get(&a->psi_cpu, 100e-6);
	r->psi_mem_pct = query_rate_get(&a->psi_mem, 100e-6);
	r->psi_io_pct = query_rate_get(&a->psi_io, 100e-6);
	r->pids_last = query_i64(a->pids_last);
	r->oom = a->oom.n ? a->oom.sum : STORE_NULL;
	r->oom_kill = a->oom_kill.n ? a->oom_kill.sum : STORE_NULL;
	r->mem_limit = r->swap_limit = r->cpu_limit_cores = NAN;
	r->cpu_shares = r->pids_max = NAN;
}

/* Container fields and the limits in force at the newest tick. */
static int
query_top_describe(struct store *st, struct store_top_row *v, size_t n,
    int64_t latest_tick)
{
	sqlite3_stmt	*cs = NULL, *ls = NULL;
	double		 quota, period;
	size_t		 i;
	int		 rc = SQLITE_OK, err;

	if ((err = query_prepare(st, "SELECT path, name, runtime,"
	    " first_seen_ms, last_seen_ms, gone_ms FROM container"
	    " WHERE id = ?1", &cs)) != 0)
		return err;
	if ((err = query_prepare(st, "SELECT mem_limit, swap_limit,"
	    " cpu_shares, cpu_quota_us, cpu_period_us, pids_max FROM limits"
	    " WHERE cid = ?1 AND tick <= ?2 ORDER BY tick DESC LIMIT 1",
	    &ls)) != 0)
		goto out;
	for (i = 0; i < n; i++) {
		sqlite3_reset(cs);
		sqlite3_bind_int64(cs, 1, v[i].c.cid);
		rc = sqlite3_step(cs);
		if (rc == SQLITE_ROW)
			query_container_fill(&v[i].c, cs, 0);
		else if (rc == SQLITE_DONE) {
			/* Cannot happen through the API: samples and their
			 * container are written and rolled back together. */
			v[i].c.path = xstrdup("");
			v[i].c.name = xstrdup("");
			v[i].c.runtime = xstrdup("");
			v[i].c.first_seen_ms = v[i].c.last_seen_ms = STORE_NULL;
			v[i].c.gone_ms = STORE_NULL;
		} else
			break;

		sqlite3_reset(ls);
		sqlite3_bind_int64(ls, 1, v[i].c.cid);
		sqlite3_bind_int64(ls, 2, latest_tick);
		rc = sqlite3_step(ls);
		if (rc == SQLITE_DONE)
			continue;
		if (rc != SQLITE_ROW)
			break;
		v[i].mem_limit = query_limit(ls, 0);
		v[i].swap_limit = query_limit(ls, 1);
		v[i].cpu_shares = query_limit(ls, 2);
		quota = query_limit(ls, 3);
		period = query_limit(ls, 4);
		if (isinf(quota))
			v[i].cpu_limit_cores = INFINITY;
		else if (!isnan(quota) && isfinite(period) && period > 0)
			v[i].cpu_limit_cores = quota / period;
		v[i].pids_max = query_limit(ls, 5);
		rc = SQLITE_OK;
	}
	if (rc != SQLITE_OK && rc != SQLITE_DONE && rc != SQLITE_ROW)
		err = store_error(st, rc, "top");
out:
	sqlite3_finalize(cs);
	sqlite3_finalize(ls);
	return err;
}

int
store_query_top(struct store *st, int64_t since_ms, struct store_top_row **ret,
    size_t *ret_n, int64_t *ret_latest_ms)
{
	struct store_top_row	*v = NULL;
	struct query_tick	*ticks = NULL;
	struct query_map	 m;
	size_t			 nticks, i;
	int64_t			 latest_ms;
	int			 began, err;

	*ret = NULL;
	*ret_n = 0;
	if (ret_latest_ms != NULL)
		*ret_latest_ms = 0;
	if (since_ms < 0)
		return -EINVAL;
	memset(&m, 0, sizeof m);
	if ((err = query_begin(st, &began)) != 0)
		return err;
	if ((err = query_window(st, since_ms, &latest_ms, &ticks,
	    &nticks)) != 0 || nticks == 0)
		goto out;
	if ((err = query_scan(st, ticks, nticks, &m)) != 0)
		goto out;
	if (m.n > 0) {
		v = xcalloc(m.n, sizeof *v);
		for (i = 0; i < m.n; i++)
			query_top_fill(&v[i], &m.acc[i]);
		/* ticks is in id order: the last is the newest. */
		if ((err = query_top_describe(st, v, m.n,
		    ticks[nticks - 1].id)) != 0) {
			store_top_free(v, m.n);
			goto out;
		}
	}
	*ret = v;
	*ret_n = m.n;
	if (ret_latest_ms != NULL)
		*ret_latest_ms = latest_ms;
out:
	query_end(st, began);
	free(ticks);
	query_map_free(&m);
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

/* Is tick id in the window (sorted by id)? */
static int
query_tick_find(const struct query_tick *v, size_t n, int64_t id, int64_t *ret_dt_ms)
{
	size_t lo = 0, hi = n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (v[mid].id == id) {
			*ret_dt_ms = v[mid].dt_ms;
			return 1;
		}
		if (v[mid].id < id)
			lo = mid + 1;
		else
			hi = mid;
	}
	return 0;
}

static double
query_pct(int64_t part, int64_t whole)
{
	return whole > 0 ? 100.0 * (double)part / (double)whole : NAN;
}

int
store_query_node(struct store *st, int64_t since_ms, struct store_node_row *ret)
{
	struct query_tick *ticks = NULL;
	struct query_rate psi[3];
	sqlite3_stmt *stmt = NULL;
	int64_t latest_ms, busy = 0, total = 0, newest = -1, minavail = INT64_MAX;
	size_t n = 0;
	int began, err, rc;

	memset(ret, 0, sizeof *ret);
	ret->ncpu = ret->cpu_busy_pct = ret->load1 = NAN;
	ret->mem_total = ret->mem_available = ret->mem_available_min = NAN;
	ret->swap_total = ret->swap_used = NAN;
	ret->psi_cpu_pct = ret->psi_mem_pct = ret->psi_io_pct = NAN;
	memset(psi, 0, sizeof psi);
	if (since_ms < 0)
		return -EINVAL;
	if ((err = query_begin(st, &began)) != 0)
		return err;
	if ((err = query_window(st, since_ms, &latest_ms, &ticks, &n)) != 0 || n == 0)
		goto out;
	/* The window's ticks are sorted by id: one range scan of node. */
	if ((err = query_prepare(st, "SELECT tick, mem_total, mem_available, swap_total,"
	    " swap_free, cpu_busy_ms, cpu_total_ms, ncpu, load1, psi_cpu_us, psi_mem_us,"
	    " psi_io_us FROM node WHERE tick >= ?1 AND tick <= ?2 ORDER BY tick", &stmt)) != 0)
		goto out;
	sqlite3_bind_int64(stmt, 1, ticks[0].id);
	sqlite3_bind_int64(stmt, 2, ticks[n - 1].id);
	while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
		int64_t id = sqlite3_column_int64(stmt, 0), dt_ms;

		if (!query_tick_find(ticks, n, id, &dt_ms))
			continue;
		ret->samples++;
		if (sqlite3_column_type(stmt, 2) != SQLITE_NULL &&
		    sqlite3_column_int64(stmt, 2) < minavail)
			minavail = sqlite3_column_int64(stmt, 2);
		if (sqlite3_column_type(stmt, 5) != SQLITE_NULL &&
		    sqlite3_column_type(stmt, 6) != SQLITE_NULL) {
			busy += sqlite3_column_int64(stmt, 5);
			total += sqlite3_column_int64(stmt, 6);
		}
		for (int i = 0; i < 3; i++)
			query_rate_add(&psi[i], stmt, 9 + i, dt_ms);
		if (id > newest) {
			newest = id;
			ret->mem_total = query_limit(stmt, 1);
			ret->mem_available = query_limit(stmt, 2);
			ret->swap_total = query_limit(stmt, 3);
			ret->swap_used = ret->swap_total - query_limit(stmt, 4);
			ret->ncpu = query_limit(stmt, 7);
			ret->load1 = query_limit(stmt, 8) / 100.0;
		}
	}
	if (rc != SQLITE_DONE)
		err = store_error(st, rc, "node");
	if (minavail != INT64_MAX)
		ret->mem_available_min = (double)minavail;
	ret->cpu_busy_pct = query_pct(busy, total);
	/* Microseconds stalled per second of sampled time, as a percent. */
	ret->psi_cpu_pct = query_rate_get(&psi[0], 100e-6);
	ret->psi_mem_pct = query_rate_get(&psi[1], 100e-6);
	ret->psi_io_pct = query_rate_get(&psi[2], 100e-6);
out:
	sqlite3_finalize(stmt);
	free(ticks);
	query_end(st, began);
	return err;
}
