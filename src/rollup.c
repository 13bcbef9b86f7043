/* rollup.c: the arithmetic of summaries: merging records, percentiles, and
 * a tier row's encoding in SQLite.
 *
 * One merge for everything: the minute row is the merge of its raw ticks,
 * the hour row the merge of its minutes, a report's figure the merge of
 * the rows a scan returns. The rules are spelled out in rollup.h.
 */
#include "config.h"

#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <sqlite3.h>

#include "pack.h"
#include "rollup.h"
#include "rollup_int.h"
#include "xmalloc.h"

static const int64_t roll_tier_len[ROLL_NTIERS] = { 0, 60000, 3600000 };
static const char *roll_tier_names[ROLL_NTIERS] = { "raw", "1m", "1h" };

int64_t
roll_tier_ms(enum roll_tier t)
{
	return (unsigned)t < ROLL_NTIERS ? roll_tier_len[t] : 0;
}

const char *
roll_table(enum roll_tier t)
{
	return t == ROLL_MINUTE ? "roll1m" : t == ROLL_HOUR ? "roll1h" : NULL;
}

const char *
roll_node_table(enum roll_tier t)
{
	return t == ROLL_MINUTE ? "node1m" : t == ROLL_HOUR ? "node1h" : NULL;
}

const char *
roll_tier_name(enum roll_tier t)
{
	return (unsigned)t < ROLL_NTIERS ? roll_tier_names[t] : "?";
}

/* --- percentiles -------------------------------------------------------- */

void
roll_pct_add(struct roll_pct *p, double v, uint32_t w)
{
	if (isnan(v) || w == 0)
		return;
	if (p->n == p->cap) {
		p->cap = p->cap ? p->cap * 2 : 16;
		p->v = xreallocarray(p->v, p->cap, sizeof *p->v);
		p->w = xreallocarray(p->w, p->cap, sizeof *p->w);
	}
	p->v[p->n] = (float)v;
	p->w[p->n] = w;
	p->n++;
}

void
roll_pct_free(struct roll_pct *p)
{
	free(p->v);
	free(p->w);
	memset(p, 0, sizeof *p);
}

struct roll_pair {
	float		 v;
	uint32_t	 w;
};

static int
roll_pair_cmp(const void *a, const void *b)
{
	const struct roll_pair	*x = a, *y = b;

	return (x->v > y->v) - (x->v < y->v);
}

/* Sorts the (value, weight) pairs by value: top over a day merges a few
 * hundred records per container, a month's report a few hundred hours. */
static void
roll_pct_sort(struct roll_pct *p)
{
	struct roll_pair	*t;
	size_t			 i;

	for (i = 1; i < p->n && p->v[i - 1] <= p->v[i]; i++)
		;
	if (i >= p->n)
		return;		/* already sorted: steady or rising series */
	t = xreallocarray(NULL, p->n, sizeof *t);
	for (i = 0; i < p->n; i++)
		t[i] = (struct roll_pair){ p->v[i], p->w[i] };
	qsort(t, p->n, sizeof *t, roll_pair_cmp);
	for (i = 0; i < p->n; i++) {
		p->v[i] = t[i].v;
		p->w[i] = t[i].w;
	}
	free(t);
}

double
roll_pct_get(struct roll_pct *p, double pct)
{
	uint64_t	 total = 0, cum = 0;
	double		 need;
	size_t		 i;

	if (p->n == 0)
		return NAN;
	roll_pct_sort(p);
	for (i = 0; i < p->n; i++)
		total += p->w[i];
	/* Nearest rank: the smallest value whose cumulative weight reaches
	 * ceil(pct% of the total) (at least the first). */
	need = ceil((double)total * pct / 100.0);
	if (need < 1)
		need = 1;
	for (i = 0; i < p->n; i++) {
		cum += p->w[i];
		if ((double)cum >= need)
			return p->v[i];
	}
	return p->v[p->n - 1];
}

/* --- container summaries ---------------------------------------------- */

void
roll_rec_init(struct roll_rec *r, int64_t cid)
{
	memset(r, 0, sizeof *r);
	r->cid = cid;
	r->mem_min = r->mem_avg = r->mem_max = r->mem_p95 = NAN;
	r->swap_avg = r->swap_max = NAN;
	r->pids_avg = r->pids_max = NAN;
	r->cpu_us = NAN;
	r->nr_periods = r->nr_throttled = r->throttled_us = NAN;
	r->rbytes = r->wbytes = r->rios = r->wios = NAN;
	r->psi_cpu_us = r->psi_mem_us = r->psi_io_us = NAN;
	r->cpu_p95 = r->cpu_max = r->io_p95 = r->iops_p95 = NAN;
	r->oom = r->oom_kill = STORE_NULL;
	r->mem_limit = r->swap_limit = r->cpu_shares = NAN;
	r->cpu_limit_cores = r->pids_limit = NAN;
}

void
roll_sum_init(struct roll_sum *s, int64_t cid)
{
	memset(s, 0, sizeof *s);
	roll_rec_init(&s->r, cid);
	s->r.ts_ms = INT64_MAX;
	s->last_ts_ms = INT64_MIN;
}

void
roll_sum_free(struct roll_sum *s)
{
	roll_pct_free(&s->mem_p95);
	roll_pct_free(&s->mem_avg);
	roll_pct_free(&s->cpu_p95);
	roll_pct_free(&s->io_p95);
	roll_pct_free(&s->iops_p95);
}

static void
roll_min(double *acc, double v)
{
	if (!isnan(v) && (isnan(*acc) || v < *acc))
		*acc = v;
}

static void
roll_max(double *acc, double v)
{
	if (!isnan(v) && (isnan(*acc) || v > *acc))
		*acc = v;
}

static void
roll_add(double *acc, double v)
{
	if (isnan(v))
		return;
	*acc = isnan(*acc) ? v : *acc + v;
}

static void
roll_count(int64_t *acc, int64_t v)
{
	if (v == STORE_NULL)
		return;
	*acc = *acc == STORE_NULL ? v : *acc + v;
}

static void
roll_gauge(double *wsum, int64_t *n, double avg, int64_t w)
{
	if (isnan(avg))
		return;
	*wsum += avg * (double)w;
	*n += w;
}

/* A limit of the newest record that knows it. */
static void
roll_limit(double *acc, double v, int newer)
{
	if (!isnan(v) && (newer || isnan(*acc)))
		*acc = v;
}

void
roll_sum_add(struct roll_sum *s, const struct roll_rec *r)
{
	uint32_t	 w = r->n > 0 ? (uint32_t)r->n : 1;
	int		 newer = r->ts_ms >= s->last_ts_ms;

	if (r->ts_ms < s->r.ts_ms) {
		s->r.ts_ms = r->ts_ms;
		s->r.tier = r->tier;
	}
	if (r->tier > s->r.tier)
		s->r.tier = r->tier;
	s->r.n += r->n;
	s->r.dt_ms += r->dt_ms;

	roll_min(&s->r.mem_min, r->mem_min);
	roll_max(&s->r.mem_max, r->mem_max);
	roll_gauge(&s->mem_wsum, &s->mem_n, r->mem_avg, w);
	if (!s->no_pct) {
		roll_pct_add(&s->mem_p95, r->mem_p95, w);
		roll_pct_add(&s->mem_avg, r->mem_avg, w);
		roll_pct_add(&s->cpu_p95, r->cpu_p95, w);
		roll_pct_add(&s->io_p95, r->io_p95, w);
		roll_pct_add(&s->iops_p95, r->iops_p95, w);
	}
	roll_max(&s->r.swap_max, r->swap_max);
	roll_gauge(&s->swap_wsum, &s->swap_n, r->swap_avg, w);
	roll_max(&s->r.pids_max, r->pids_max);
	roll_gauge(&s->pids_wsum, &s->pids_n, r->pids_avg, w);

	/* Counter families: the time each was known, for extrapolation. */
	if (!isnan(r->cpu_us)) {
		roll_add(&s->r.cpu_us, r->cpu_us);
		s->cpu_dt += r->dt_ms;
	}
	if (!isnan(r->nr_periods))
		s->thr_dt += r->dt_ms;
	roll_add(&s->r.nr_periods, r->nr_periods);
	roll_add(&s->r.nr_throttled, r->nr_throttled);
	roll_add(&s->r.throttled_us, r->throttled_us);
	if (!isnan(r->rbytes))
		s->io_dt += r->dt_ms;
	roll_add(&s->r.rbytes, r->rbytes);
	roll_add(&s->r.wbytes, r->wbytes);
	roll_add(&s->r.rios, r->rios);
	roll_add(&s->r.wios, r->wios);
	if (!isnan(r->psi_cpu_us))
		s->psi_dt += r->dt_ms;
	roll_add(&s->r.psi_cpu_us, r->psi_cpu_us);
	roll_add(&s->r.psi_mem_us, r->psi_mem_us);
	roll_add(&s->r.psi_io_us, r->psi_io_us);

	roll_max(&s->r.cpu_max, r->cpu_max);
	roll_count(&s->r.oom, r->oom);
	roll_count(&s->r.oom_kill, r->oom_kill);

	roll_limit(&s->r.mem_limit, r->mem_limit, newer);
	roll_limit(&s->r.swap_limit, r->swap_limit, newer);
	roll_limit(&s->r.cpu_shares, r->cpu_shares, newer);
	roll_limit(&s->r.cpu_limit_cores, r->cpu_limit_cores, newer);
	roll_limit(&s->r.pids_limit, r->pids_limit, newer);
	if (newer)
		s->last_ts_ms = r->ts_ms;
}

/* A family's sums scaled from the time it was known to the whole dt. */
static void
roll_extrapolate(double *v, int64_t known_dt, int64_t dt)
{
	if (!isnan(*v) && known_dt > 0 && known_dt < dt)
		*v = *v * (double)dt / (double)known_dt;
}

void
roll_sum_rec(struct roll_sum *s, struct roll_rec *ret)
{
	*ret = s->r;
	if (ret->ts_ms == INT64_MAX)
		ret->ts_ms = 0;
	ret->mem_avg = s->mem_n ? s->mem_wsum / (double)s->mem_n : NAN;
	ret->swap_avg = s->swap_n ? s->swap_wsum / (double)s->swap_n : NAN;
	ret->pids_avg = s->pids_n ? s->pids_wsum / (double)s->pids_n : NAN;
	ret->mem_p95 = roll_pct_get(&s->mem_p95, 95);
	ret->cpu_p95 = roll_pct_get(&s->cpu_p95, 95);
	ret->io_p95 = roll_pct_get(&s->io_p95, 95);
	ret->iops_p95 = roll_pct_get(&s->iops_p95, 95);
	roll_extrapolate(&ret->cpu_us, s->cpu_dt, ret->dt_ms);
	roll_extrapolate(&ret->nr_periods, s->thr_dt, ret->dt_ms);
	roll_extrapolate(&ret->nr_throttled, s->thr_dt, ret->dt_ms);
	roll_extrapolate(&ret->throttled_us, s->thr_dt, ret->dt_ms);
	roll_extrapolate(&ret->rbytes, s->io_dt, ret->dt_ms);
	roll_extrapolate(&ret->wbytes, s->io_dt, ret->dt_ms);
	roll_extrapolate(&ret->rios, s->io_dt, ret->dt_ms);
	roll_extrapolate(&ret->wios, s->io_dt, ret->dt_ms);
	roll_extrapolate(&ret->psi_cpu_us, s->psi_dt, ret->dt_ms);
	roll_extrapolate(&ret->psi_mem_us, s->psi_dt, ret->dt_ms);
	roll_extrapolate(&ret->psi_io_us, s->psi_dt, ret->dt_ms);
}

double
roll_sum_mem_p50(struct roll_sum *s)
{
	return roll_pct_get(&s->mem_avg, 50);
}

/* --- node summaries ----------------------------------------------------- */

void
roll_node_rec_init(struct roll_node_rec *r)
{
	memset(r, 0, sizeof *r);
	r->ncpu = r->mem_total = r->mem_avail_min = r->mem_avail_avg = NAN;
	r->swap_total = r->swap_free_min = r->swap_free_avg = NAN;
	r->cpu_busy_ms = r->cpu_total_ms = r->cpu_busy_p95 = NAN;
	r->load1_avg = r->load1_max = NAN;
	r->psi_cpu_us = r->psi_mem_us = r->psi_io_us = NAN;
}

void
roll_node_sum_init(struct roll_node_sum *s)
{
	memset(s, 0, sizeof *s);
	roll_node_rec_init(&s->r);
	s->r.ts_ms = INT64_MAX;
	s->last_ts_ms = INT64_MIN;
}

void
roll_node_sum_free(struct roll_node_sum *s)
{
	roll_pct_free(&s->busy_p95);
}

void
roll_node_sum_add(struct roll_node_sum *s, const struct roll_node_rec *r)
{
	uint32_t	 w = r->n > 0 ? (uint32_t)r->n : 1;
	int		 newer = r->ts_ms >= s->last_ts_ms;

	if (r->ts_ms < s->r.ts_ms)
		s->r.ts_ms = r->ts_ms;
	if (r->tier > s->r.tier)
		s->r.tier = r->tier;
	s->r.n += r->n;
	s->r.dt_ms += r->dt_ms;
	roll_limit(&s->r.ncpu, r->ncpu, newer);
	roll_limit(&s->r.mem_total, r->mem_total, newer);
	roll_limit(&s->r.swap_total, r->swap_total, newer);
	roll_min(&s->r.mem_avail_min, r->mem_avail_min);
	roll_gauge(&s->avail_wsum, &s->avail_n, r->mem_avail_avg, w);
	roll_min(&s->r.swap_free_min, r->swap_free_min);
	roll_gauge(&s->swap_wsum, &s->swap_n, r->swap_free_avg, w);
	roll_add(&s->r.cpu_busy_ms, r->cpu_busy_ms);
	roll_add(&s->r.cpu_total_ms, r->cpu_total_ms);
	roll_pct_add(&s->busy_p95, r->cpu_busy_p95, w);
	roll_gauge(&s->load_wsum, &s->load_n, r->load1_avg, w);
	roll_max(&s->r.load1_max, r->load1_max);
	roll_add(&s->r.psi_cpu_us, r->psi_cpu_us);
	roll_add(&s->r.psi_mem_us, r->psi_mem_us);
	roll_add(&s->r.psi_io_us, r->psi_io_us);
	if (newer)
		s->last_ts_ms = r->ts_ms;
}

void
roll_node_sum_rec(struct roll_node_sum *s, struct roll_node_rec *ret)
{
	*ret = s->r;
	if (ret->ts_ms == INT64_MAX)
		ret->ts_ms = 0;
	ret->mem_avail_avg = s->avail_n ? s->avail_wsum / (double)s->avail_n : NAN;
	ret->swap_free_avg = s->swap_n ? s->swap_wsum / (double)s->swap_n : NAN;
	ret->load1_avg = s->load_n ? s->load_wsum / (double)s->load_n : NAN;
	ret->cpu_busy_p95 = roll_pct_get(&s->busy_p95, 95);
}

/* --- encoding ------------------------------------------------------------ */

/* A tier row is key, n, dt_ms and one blob (pack.h) of these figures, as
 * integers: STORE_NULL for unknown, the limit convention (-1 "max") for
 * limits, memory in 4 KiB units (to the nearest page: the kernel's figures
 * are pages anyway), fractional rates scaled. The order is the file's:
 * fields are only ever added at the end (the views in store.c name them). */
enum {
	RF_MEM_MIN, RF_MEM_AVG, RF_MEM_MAX, RF_MEM_P95, RF_SWAP_AVG, RF_SWAP_MAX,
	RF_PIDS_AVG, RF_PIDS_MAX, RF_CPU_US, RF_CPU_P95, RF_CPU_MAX,
	RF_PERIODS, RF_THROTTLED, RF_THR_US, RF_RBYTES, RF_WBYTES, RF_RIOS,
	RF_WIOS, RF_IO_P95, RF_IOPS_P95, RF_OOM, RF_OOM_KILL, RF_PSI_CPU,
	RF_PSI_MEM, RF_PSI_IO, RF_MEM_LIMIT, RF_SWAP_LIMIT, RF_SHARES,
	RF_CPU_LIMIT, RF_PIDS_LIMIT,
	ROLL_FIELDS
};

#define ROLL_MEM	(1.0 / STORE_MEM_UNIT)

static int64_t
roll_enc(double v, double scale)
{
	return isnan(v) ? STORE_NULL : llround(v * scale);
}

static int64_t
roll_enc_limit(double v, double scale)
{
	return isinf(v) ? STORE_UNLIMITED : roll_enc(v, scale);
}

static double
roll_dec(int64_t v, double scale)
{
	return v == STORE_NULL ? NAN : (double)v * scale;
}

static double
roll_dec_limit(int64_t v, double scale)
{
	return v == STORE_UNLIMITED ? INFINITY : roll_dec(v, scale);
}

void
roll_rec_bind(sqlite3_stmt *stmt, const struct roll_rec *r, int64_t key)
{
	int64_t	 f[ROLL_FIELDS];
	uint8_t	 blob[PACK_MAXLEN(ROLL_FIELDS)];
	size_t	 len;

	f[RF_MEM_MIN] = roll_enc(r->mem_min, ROLL_MEM);
	f[RF_MEM_AVG] = roll_enc(r->mem_avg, ROLL_MEM);
	f[RF_MEM_MAX] = roll_enc(r->mem_max, ROLL_MEM);
	f[RF_MEM_P95] = roll_enc(r->mem_p95, ROLL_MEM);
	f[RF_SWAP_AVG] = roll_enc(r->swap_avg, ROLL_MEM);
	f[RF_SWAP_MAX] = roll_enc(r->swap_max, ROLL_MEM);
	f[RF_PIDS_AVG] = roll_enc(r->pids_avg, 100);
	f[RF_PIDS_MAX] = roll_enc(r->pids_max, 1);
	f[RF_CPU_US] = roll_enc(r->cpu_us, 1);
	f[RF_CPU_P95] = roll_enc(r->cpu_p95, 1000);
	f[RF_CPU_MAX] = roll_enc(r->cpu_max, 1000);
	f[RF_PERIODS] = roll_enc(r->nr_periods, 1);
	f[RF_THROTTLED] = roll_enc(r->nr_throttled, 1);
	f[RF_THR_US] = roll_enc(r->throttled_us, 1);
	f[RF_RBYTES] = roll_enc(r->rbytes, 1);
	f[RF_WBYTES] = roll_enc(r->wbytes, 1);
	f[RF_RIOS] = roll_enc(r->rios, 1);
	f[RF_WIOS] = roll_enc(r->wios, 1);
	f[RF_IO_P95] = roll_enc(r->io_p95, 1);
	f[RF_IOPS_P95] = roll_enc(r->iops_p95, 1000);
	f[RF_OOM] = r->oom;
	f[RF_OOM_KILL] = r->oom_kill;
	f[RF_PSI_CPU] = roll_enc(r->psi_cpu_us, 1);
	f[RF_PSI_MEM] = roll_enc(r->psi_mem_us, 1);
	f[RF_PSI_IO] = roll_enc(r->psi_io_us, 1);
	f[RF_MEM_LIMIT] = roll_enc_limit(r->mem_limit, 1);
	f[RF_SWAP_LIMIT] = roll_enc_limit(r->swap_limit, 1);
	f[RF_SHARES] = roll_enc_limit(r->cpu_shares, 1);
	f[RF_CPU_LIMIT] = roll_enc_limit(r->cpu_limit_cores, 1000);
	f[RF_PIDS_LIMIT] = roll_enc_limit(r->pids_limit, 1);
	len = pack_encode(f, ROLL_FIELDS, blob);
	sqlite3_bind_int64(stmt, 1, key);
	sqlite3_bind_int64(stmt, 2, r->n);
	sqlite3_bind_int64(stmt, 3, r->dt_ms);
	sqlite3_bind_blob(stmt, 4, blob, (int)len, SQLITE_TRANSIENT);
}

int
roll_rec_read(sqlite3_stmt *stmt, enum roll_tier tier, struct roll_rec *r)
{
	int64_t	 key = sqlite3_column_int64(stmt, 0), f[ROLL_FIELDS];
	int	 err;

	/* The blob before anything else: column_bytes after column_blob. */
	err = pack_decode(sqlite3_column_blob(stmt, 3),
	    (size_t)sqlite3_column_bytes(stmt, 3), f, ROLL_FIELDS);
	if (err != 0)
		return err;
	r->cid = STORE_KEY_CID(key);
	r->tier = tier;
	r->ts_ms = STORE_KEY_TICK(key) * roll_tier_ms(tier);
	r->n = sqlite3_column_int64(stmt, 1);
	r->dt_ms = sqlite3_column_int64(stmt, 2);
	r->mem_min = roll_dec(f[RF_MEM_MIN], STORE_MEM_UNIT);
	r->mem_avg = roll_dec(f[RF_MEM_AVG], STORE_MEM_UNIT);
	r->mem_max = roll_dec(f[RF_MEM_MAX], STORE_MEM_UNIT);
	r->mem_p95 = roll_dec(f[RF_MEM_P95], STORE_MEM_UNIT);
	r->swap_avg = roll_dec(f[RF_SWAP_AVG], STORE_MEM_UNIT);
	r->swap_max = roll_dec(f[RF_SWAP_MAX], STORE_MEM_UNIT);
	r->pids_avg = roll_dec(f[RF_PIDS_AVG], 0.01);
	r->pids_max = roll_dec(f[RF_PIDS_MAX], 1);
	r->cpu_us = roll_dec(f[RF_CPU_US], 1);
	r->cpu_p95 = roll_dec(f[RF_CPU_P95], 0.001);
	r->cpu_max = roll_dec(f[RF_CPU_MAX], 0.001);
	r->nr_periods = roll_dec(f[RF_PERIODS], 1);
	r->nr_throttled = roll_dec(f[RF_THROTTLED], 1);
	r->throttled_us = roll_dec(f[RF_THR_US], 1);
	r->rbytes = roll_dec(f[RF_RBYTES], 1);
	r->wbytes = roll_dec(f[RF_WBYTES], 1);
	r->rios = roll_dec(f[RF_RIOS], 1);
	r->wios = roll_dec(f[RF_WIOS], 1);
	r->io_p95 = roll_dec(f[RF_IO_P95], 1);
	r->iops_p95 = roll_dec(f[RF_IOPS_P95], 0.001);
	r->oom = f[RF_OOM];
	r->oom_kill = f[RF_OOM_KILL];
	r->psi_cpu_us = roll_dec(f[RF_PSI_CPU], 1);
	r->psi_mem_us = roll_dec(f[RF_PSI_MEM], 1);
	r->psi_io_us = roll_dec(f[RF_PSI_IO], 1);
	r->mem_limit = roll_dec_limit(f[RF_MEM_LIMIT], 1);
	r->swap_limit = roll_dec_limit(f[RF_SWAP_LIMIT], 1);
	r->cpu_shares = roll_dec_limit(f[RF_SHARES], 1);
	r->cpu_limit_cores = roll_dec_limit(f[RF_CPU_LIMIT], 0.001);
	r->pids_limit = roll_dec_limit(f[RF_PIDS_LIMIT], 1);
	return 0;
}

/* Node rows keep plain columns (one per bucket, not per container). */
static void
roll_bind_scaled(sqlite3_stmt *stmt, int col, double v, double scale)
{
	if (isnan(v))
		sqlite3_bind_null(stmt, col);
	else
		sqlite3_bind_int64(stmt, col, llround(v * scale));
}

static double
roll_col(sqlite3_stmt *stmt, int col, double scale)
{
	sqlite3_value	*v = sqlite3_column_value(stmt, col);

	if (sqlite3_value_type(v) == SQLITE_NULL)
		return NAN;
	return (double)sqlite3_value_int64(v) * scale;
}

void
roll_node_bind(sqlite3_stmt *stmt, const struct roll_node_rec *r, int64_t bucket)
{
	int	 c = 1;

	sqlite3_bind_int64(stmt, c++, bucket);
	sqlite3_bind_int64(stmt, c++, r->n);
	sqlite3_bind_int64(stmt, c++, r->dt_ms);
	roll_bind_scaled(stmt, c++, r->ncpu, 1);
	roll_bind_scaled(stmt, c++, r->mem_total, 1);
	roll_bind_scaled(stmt, c++, r->mem_avail_min, 1);
	roll_bind_scaled(stmt, c++, r->mem_avail_avg, 1);
	roll_bind_scaled(stmt, c++, r->swap_total, 1);
	roll_bind_scaled(stmt, c++, r->swap_free_min, 1);
	roll_bind_scaled(stmt, c++, r->swap_free_avg, 1);
	roll_bind_scaled(stmt, c++, r->cpu_busy_ms, 1);
	roll_bind_scaled(stmt, c++, r->cpu_total_ms, 1);
	roll_bind_scaled(stmt, c++, r->cpu_busy_p95, 1000);
	roll_bind_scaled(stmt, c++, r->load1_avg, 100);
	roll_bind_scaled(stmt, c++, r->load1_max, 100);
	roll_bind_scaled(stmt, c++, r->psi_cpu_us, 1);
	roll_bind_scaled(stmt, c++, r->psi_mem_us, 1);
	roll_bind_scaled(stmt, c++, r->psi_io_us, 1);
}

void
roll_node_read(sqlite3_stmt *stmt, enum roll_tier tier, struct roll_node_rec *r)
{
	int	 c = 1;

	r->tier = tier;
	r->ts_ms = sqlite3_column_int64(stmt, 0) * roll_tier_ms(tier);
	r->n = sqlite3_column_int64(stmt, c++);
	r->dt_ms = sqlite3_column_int64(stmt, c++);
	r->ncpu = roll_col(stmt, c++, 1);
	r->mem_total = roll_col(stmt, c++, 1);
	r->mem_avail_min = roll_col(stmt, c++, 1);
	r->mem_avail_avg = roll_col(stmt, c++, 1);
	r->swap_total = roll_col(stmt, c++, 1);
	r->swap_free_min = roll_col(stmt, c++, 1);
	r->swap_free_avg = roll_col(stmt, c++, 1);
	r->cpu_busy_ms = roll_col(stmt, c++, 1);
	r->cpu_total_ms = roll_col(stmt, c++, 1);
	r->cpu_busy_p95 = roll_col(stmt, c++, 0.001);
	r->load1_avg = roll_col(stmt, c++, 0.01);
	r->load1_max = roll_col(stmt, c++, 0.01);
	r->psi_cpu_us = roll_col(stmt, c++, 1);
	r->psi_mem_us = roll_col(stmt, c++, 1);
	r->psi_io_us = roll_col(stmt, c++, 1);
}
