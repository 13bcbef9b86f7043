/* test_rollup.c: rollup tiers on real SQLite files: percentile and merge
 * arithmetic, rates across counter resets and unknown ticks, containers
 * that come and go, the tier a window is read from, retention and the size
 * cap (small batches, a file that stops growing), and top answered from
 * the tiers agreeing with the raw samples. */
#include "config.h"

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

#include "pack.h"
#include "rollup.h"
#include "store.h"
#include "testdir.h"
#include "xmalloc.h"

#define MiB		(INT64_C(1024) * 1024)
#define MIN_MS		INT64_C(60000)
#define HOUR_MS		INT64_C(3600000)
/* A whole hour, so minutes and hours line up with the data. */
#define T0		INT64_C(1767225600000)
#define TEST_UNUSED	__attribute__((unused))

static char test_dir[] = "/tmp/test_rollup.XXXXXX";

#define assert_close(a, b, rel) do {					\
	double _a = (a), _b = (b);					\
	if (!(fabs(_a - _b) <= (rel) * fmax(fabs(_a), fabs(_b)) ||	\
	    _a == _b))							\
		fail_msg("%s = %.17g, want %.17g", #a, _a, _b);		\
} while (0)

static struct store *
test_open(const char *name)
{
	struct store	*st;
	char		*path = xasprintf("%s/%s", test_dir, name);

	unlink(path);
	assert_int_equal(store_open(path, 0, &st), 0);
	free(path);
	return st;
}

static int64_t
test_i64(struct store *st, const char *sql)
{
	sqlite3_stmt	*stmt;
	int64_t		 v;

	assert_int_equal(sqlite3_prepare_v2(store_sqlite(st), sql, -1, &stmt, NULL),
	    SQLITE_OK);
	assert_int_equal(sqlite3_step(stmt), SQLITE_ROW);
	v = sqlite3_column_int64(stmt, 0);
	sqlite3_finalize(stmt);
	return v;
}

static struct store_sample
test_sample(int64_t cid)
{
	struct store_sample	 s;

	memset(&s, 0, sizeof s);
	s.cid = cid;
	s.psi_cpu_us = s.psi_mem_us = s.psi_io_us = STORE_NULL;
	return s;
}

static int64_t
test_container(struct store *st, const char *path)
{
	int64_t	 cid;

	assert_int_equal(store_container_upsert(st, path, path + 1, "lxc", T0, &cid), 0);
	return cid;
}

/* Generates ticks [t0, t0 + n) at 1 s for the containers of cid[], the
 * i-th container's memory (i + 1) * 100 MiB + the second within the
 * minute in pages, CPU i+1 tenths of a core, and a node row. */
/* test_fill also writes a temperature every 10th tick (test_retention). */
static int test_fill_temps;

static void
test_fill(struct store *st, const int64_t *cid, size_t ncid, int64_t first, int64_t n)
{
	int64_t	 k, t;
	size_t	 i;

	for (k = first; k < first + n; k++) {
		t = T0 + k * 1000;
		assert_int_equal(store_tick_begin(st, t, 1000), 0);
		if (test_fill_temps && k % 10 == 0)
			assert_int_equal(store_tick_add_temp(st, "chip-virtual-0/temp1", 50000), 0);
		for (i = 0; i < ncid; i++) {
			struct store_sample s = test_sample(cid[i]);

			s.mem_bytes = (int64_t)(i + 1) * 100 * MiB + (k % 60) * 4096;
			s.cpu_us = (int64_t)(i + 1) * 100000;
			s.nr_periods = 10;
			s.nr_throttled = k % 2;
			s.wbytes = k % 10 == 0 ? 10 * MiB : 0;
			s.wios = k % 10 == 0 ? 100 : 0;
			s.pids = 5;
			assert_int_equal(store_tick_add_sample(st, &s), 0);
			if (k == first) {
				struct store_limits l = { .cid = cid[i],
				    .mem_limit = 1024 * MiB, .mem_high = STORE_UNLIMITED,
				    .swap_limit = 0, .cpu_shares = 1024,
				    .cpu_quota_us = 150000, .cpu_period_us = 100000,
				    .pids_max = STORE_UNLIMITED };

				assert_int_equal(store_tick_add_limits(st, &l), 0);
			}
		}
		{
			struct store_node nd = { .mem_total = 16384 * MiB,
			    .mem_available = 8192 * MiB - k * MiB, .swap_total = 0,
			    .swap_free = 0, .cpu_busy_ms = 1000, .cpu_total_ms = 4000,
			    .ncpu = 4, .load1 = 150, .psi_cpu_us = STORE_NULL,
			    .psi_mem_us = STORE_NULL, .psi_io_us = STORE_NULL };

			assert_int_equal(store_tick_add_node(st, &nd), 0);
		}
		assert_int_equal(store_tick_commit(st), 0);
	}
}

/* Steps until idle; returns how many steps did each kind of work. */
static void
test_roll_all(struct store *st, const struct roll_conf *c, int64_t now, int counts[ROLL_NWORK])
{
	enum roll_work	 w;
	int		 guard = 0;

	memset(counts, 0, ROLL_NWORK * sizeof *counts);
	do {
		assert_int_equal(roll_step(st, c, now, &w), 0);
		counts[w]++;
		assert_true(++guard < 100000);
	} while (w != ROLL_IDLE);
}

static struct roll_conf
test_keep_all(void)
{
	struct roll_conf	 c;

	roll_conf_defaults(&c);
	c.keep_ms[ROLL_RAW] = c.keep_ms[ROLL_MINUTE] = c.keep_ms[ROLL_HOUR] = 0;
	c.max_bytes = 0;
	return c;
}

/* --- arithmetic ------------------------------------------------------------ */

static void
test_pct(void **state TEST_UNUSED)
{
	struct roll_pct	 p = { 0 };
	int		 i;

	assert_true(isnan(roll_pct_get(&p, 95)));
	for (i = 100; i >= 1; i--)		/* unsorted on purpose */
		roll_pct_add(&p, i, 1);
	roll_pct_add(&p, NAN, 1);		/* unknown: ignored */
	assert_close(roll_pct_get(&p, 95), 95, 0);
	assert_close(roll_pct_get(&p, 50), 50, 0);
	assert_close(roll_pct_get(&p, 100), 100, 0);
	assert_close(roll_pct_get(&p, 0), 1, 0);
	roll_pct_free(&p);

	/* Weights: 10 at weight 94, 1000 at weight 6: p95 is 1000, p94 10. */
	roll_pct_add(&p, 10, 94);
	roll_pct_add(&p, 1000, 6);
	assert_close(roll_pct_get(&p, 95), 1000, 0);
	assert_close(roll_pct_get(&p, 94), 10, 0);
	roll_pct_free(&p);
}

static struct roll_rec
test_raw_rec(int64_t cid, int64_t ts, double mem, double cpu_us, int64_t dt)
{
	struct roll_rec	 r;

	roll_rec_init(&r, cid);
	r.tier = ROLL_RAW;
	r.ts_ms = ts;
	r.n = 1;
	r.dt_ms = dt;
	r.mem_min = r.mem_avg = r.mem_max = r.mem_p95 = mem;
	r.cpu_us = cpu_us;
	if (!isnan(cpu_us))
		r.cpu_p95 = r.cpu_max = cpu_us / ((double)dt * 1000);
	return r;
}

static void
test_merge(void **state TEST_UNUSED)
{
	struct roll_sum	 s, h;
	struct roll_rec	 r, m;
	int		 i;

	/* 100 ticks, memory 1..100 MiB, CPU 0.5 cores, but unknown in 20
	 * ticks (a reset): the rate is over the 80 known seconds. */
	roll_sum_init(&s, 7);
	for (i = 1; i <= 100; i++) {
		r = test_raw_rec(7, T0 + i * 1000, i * MiB, i % 5 == 0 ? NAN : 500000,
		    1000);
		r.mem_limit = i < 100 ? 200 * MiB : 300 * MiB;	/* newest wins */
		roll_sum_add(&s, &r);
	}
	roll_sum_rec(&s, &m);
	assert_int_equal(m.n, 100);
	assert_int_equal(m.dt_ms, 100000);
	assert_close(m.mem_min, 1 * MiB, 0);
	assert_close(m.mem_max, 100 * MiB, 0);
	assert_close(m.mem_avg, 50.5 * MiB, 1e-12);
	assert_close(m.mem_p95, 95 * MiB, 0);
	assert_close(roll_sum_mem_p50(&s), 50 * MiB, 0);
	/* Extrapolated to the whole 100 s: sum / dt is 0.5 cores. */
	assert_close(m.cpu_us / (m.dt_ms * 1000.0), 0.5, 1e-12);
	assert_close(m.mem_limit, 300 * MiB, 0);
	assert_true(isnan(m.swap_avg));
	assert_int_equal(m.oom, STORE_NULL);

	/* An hour of minutes: steady within each minute, so the p95 of the
	 * minutes' p95s is the p95 of the samples. 60 minutes, minute k at
	 * k MiB: samples p95 = 57 MiB (nearest rank of 3600 equal groups). */
	roll_sum_init(&h, 7);
	for (i = 0; i < 60; i++) {
		struct roll_sum mm;
		struct roll_rec rec;

		roll_sum_init(&mm, 7);
		for (int k = 0; k < 60; k++) {
			r = test_raw_rec(7, T0 + (i * 60 + k) * 1000, (i + 1) * MiB,
			    100000, 1000);
			roll_sum_add(&mm, &r);
		}
		roll_sum_rec(&mm, &rec);
		rec.tier = ROLL_MINUTE;
		roll_sum_add(&h, &rec);
		roll_sum_free(&mm);
	}
	roll_sum_rec(&h, &m);
	assert_int_equal(m.n, 3600);
	assert_int_equal(m.tier, ROLL_MINUTE);
	assert_close(m.mem_p95, 57 * MiB, 0);
	assert_close(m.mem_avg, 30.5 * MiB, 1e-12);
	assert_close(m.cpu_p95, 0.1, 1e-6);
	roll_sum_free(&s);
	roll_sum_free(&h);
}

/* The packed row: round trips, and a damaged blob is refused. */
static void
test_pack(void **state TEST_UNUSED)
{
	int64_t	 v[8] = { 0, STORE_NULL, 1, -1, INT64_MAX, INT64_MIN + 1, 300, 0 };
	int64_t	 w[10];
	uint8_t	 buf[PACK_MAXLEN(8)];
	size_t	 n;
	int	 i;

	n = pack_encode(v, 8, buf);
	/* The known bitmap (253: 2 bytes), the nonzero one (124: 1), then
	 * 1, -1 and 300 in 1, 1 and 2 bytes, the extremes in 10 each. */
	assert_int_equal(n, 2 + 1 + 1 + 1 + 10 + 10 + 2);
	assert_int_equal(pack_decode(buf, n, w, 10), 0);
	for (i = 0; i < 8; i++)
		assert_true(w[i] == v[i]);
	/* Fields the blob does not have are unknown. */
	assert_true(w[8] == STORE_NULL && w[9] == STORE_NULL);
	/* A reader of fewer fields skips the rest. */
	assert_int_equal(pack_decode(buf, n, w, 3), 0);
	assert_true(w[2] == 1);
	/* Truncated, or a nonzero field that is not known: damaged. */
	assert_int_equal(pack_decode(buf, n - 1, w, 8), -EIO);
	assert_int_equal(pack_decode(buf, 1, w, 8), -EIO);
	buf[2] |= 0x02;			/* nonzero bitmap: field 1, unknown */
	assert_int_equal(pack_decode(buf, n, w, 8), -EIO);
	/* All zero: the two bitmaps alone (255 takes 2 bytes). */
	memset(v, 0, sizeof v);
	assert_int_equal(pack_encode(v, 8, buf), 3);
}

/* Any bytes at all decode to figures or -EIO, never past the blob (run
 * under ASan by --enable-asan), and whatever decodes encodes back to a
 * blob that decodes to the same figures. */
static void
test_pack_garbage(void **state TEST_UNUSED)
{
	uint8_t		 blob[40], again[PACK_MAXLEN(30)];
	int64_t		 v[30], w[30];
	uint64_t	 x = 0x9e3779b97f4a7c15ULL;
	size_t		 len, n;
	int		 i, k, ok = 0;

	for (i = 0; i < 200000; i++) {
		for (n = 0; n <= sizeof blob; n++) {
			x ^= x << 13;
			x ^= x >> 7;
			x ^= x << 17;
			if (n < sizeof blob)
				blob[n] = (uint8_t)x;
		}
		len = (size_t)(x % sizeof blob);
		/* Plausible bitmaps half the time, to reach the values. */
		if (len >= 2 && (x & 1)) {
			blob[0] &= 0x7f;
			blob[1] &= blob[0];
		}
		uint8_t *copy = malloc(len ? len : 1);	/* exact size for ASan */
		memcpy(copy, blob, len);
		if (pack_decode(copy, len, v, 30) == 0) {
			ok++;
			n = pack_encode(v, 30, again);
			assert_int_equal(pack_decode(again, n, w, 30), 0);
			for (k = 0; k < 30; k++)
				assert_true(v[k] == w[k]);
		}
		free(copy);
	}
	if (ok <= 1000)
		fail_msg("only %d of 200000 decoded", ok);
}

/* --- through the database ------------------------------------------------ */

struct test_collect {
	int64_t		 n[ROLL_NTIERS];	/* records per tier */
	int64_t		 nodes[ROLL_NTIERS];
	int64_t		 samples;		/* sum of n */
	double		 cpu_us, mem_wsum;
	int64_t		 dt_ms, last_ts;
	int		 ordered;
};

static int
test_collect_rec(void *arg, const struct roll_rec *r)
{
	struct test_collect	*c = arg;

	c->n[r->tier]++;
	c->samples += r->n;
	c->cpu_us += r->cpu_us;
	c->dt_ms += r->dt_ms;
	c->mem_wsum += r->mem_avg * (double)r->n;
	if (r->ts_ms < c->last_ts)
		c->ordered = 0;
	c->last_ts = r->ts_ms;
	return 0;
}

static int
test_collect_node(void *arg, const struct roll_node_rec *r)
{
	struct test_collect	*c = arg;

	c->nodes[r->tier]++;
	return 0;
}

static void
test_scan(struct store *st, int64_t from, int64_t to, int64_t step, int64_t cid,
    struct test_collect *c)
{
	memset(c, 0, sizeof *c);
	c->ordered = 1;
	c->last_ts = INT64_MIN;
	assert_int_equal(roll_scan(st, from, to, step, cid, test_collect_rec,
	    test_collect_node, c), 0);
}

static void
test_tiers(void **state TEST_UNUSED)
{
	struct store		*st = test_open("tiers.db");
	struct roll_conf	 c = test_keep_all();
	struct test_collect	 col;
	int64_t			 cid[3], end;
	int			 counts[ROLL_NWORK];

	cid[0] = test_container(st, "/lxc/a");
	cid[1] = test_container(st, "/lxc/b");
	cid[2] = test_container(st, "/lxc/c");
	/* Two hours and 90 seconds: 120 complete minutes, 2 hours, a tail. */
	test_fill(st, cid, 3, 0, 2 * 3600 + 90);
	end = T0 + (2 * 3600 + 89) * 1000;
	test_roll_all(st, &c, end, counts);
	assert_int_equal(counts[ROLL_DID_MINUTE], 121);
	assert_int_equal(counts[ROLL_DID_HOUR], 2);
	/* The third hour has one minute so far: a partial row for it. */
	assert_int_equal(counts[ROLL_DID_PARTIAL], 1);
	assert_int_equal(test_i64(st, "SELECT count(*) FROM roll1m"), 121 * 3);
	assert_int_equal(test_i64(st, "SELECT count(*) FROM roll1h"), 3 * 3);
	assert_int_equal(test_i64(st, "SELECT n FROM roll1h_v WHERE ts_ms = "
	    "1767232800000 AND cid = 1"), 60);
	assert_int_equal(test_i64(st, "SELECT count(*) FROM node1m"), 121);
	assert_int_equal(test_i64(st, "SELECT count(*) FROM node1h"), 3);
	/* Idempotent: nothing left, nothing redone. */
	test_roll_all(st, &c, end, counts);
	assert_int_equal(counts[ROLL_DID_MINUTE] + counts[ROLL_DID_HOUR] +
	    counts[ROLL_DID_PARTIAL], 0);
	/* The hour row of b: 3600 samples, 0.2 cores, p95 of the memory. */
	assert_int_equal(test_i64(st, "SELECT n FROM roll1h ORDER BY key LIMIT 1 OFFSET 1"),
	    3600);

	/* The whole span at each step: the same samples and CPU time. */
	test_scan(st, T0, end + 1, 0, 0, &col);
	assert_int_equal(col.n[ROLL_RAW], (2 * 3600 + 90) * 3);
	assert_int_equal(col.n[ROLL_MINUTE] + col.n[ROLL_HOUR], 0);
	assert_int_equal(col.nodes[ROLL_RAW], 2 * 3600 + 90);
	assert_true(col.ordered);
	{
		double cpu = col.cpu_us, mem = col.mem_wsum;
		int64_t samples = col.samples;

		/* Two hours, the third's partial row (its minute 120),
		 * raw for the tail. */
		test_scan(st, T0, end + 1, HOUR_MS, 0, &col);
		assert_int_equal(col.n[ROLL_HOUR], 9);
		assert_int_equal(col.n[ROLL_MINUTE], 0);
		assert_int_equal(col.n[ROLL_RAW], 30 * 3);
		assert_int_equal(col.nodes[ROLL_HOUR], 3);
		assert_true(col.ordered);
		assert_int_equal(col.samples, samples);
		assert_close(col.cpu_us, cpu, 1e-12);
		/* Memory to the page in the tiers. */
		assert_close(col.mem_wsum, mem, 1e-4);

		test_scan(st, T0, end + 1, MIN_MS, 0, &col);
		assert_int_equal(col.n[ROLL_MINUTE], 121 * 3);
		assert_int_equal(col.n[ROLL_HOUR], 0);
		assert_int_equal(col.samples, samples);
	}
	/* A window starting inside the third hour cannot use its partial
	 * row (it holds the whole hour so far): minutes, then raw. */
	test_scan(st, T0 + 2 * HOUR_MS + 1, end + 1, HOUR_MS, 0, &col);
	assert_int_equal(col.n[ROLL_HOUR], 0);
	assert_int_equal(col.samples, (90 - 1) * 3);
	/* A window that starts mid-minute: raw for the ragged edge. */
	test_scan(st, T0 + 30000, T0 + 3 * MIN_MS, MIN_MS, 0, &col);
	assert_int_equal(col.n[ROLL_RAW], 30 * 3);
	assert_int_equal(col.n[ROLL_MINUTE], 2 * 3);
	/* One container: the same figures by point lookups. */
	test_scan(st, T0, end + 1, HOUR_MS, cid[1], &col);
	assert_int_equal(col.n[ROLL_HOUR], 3);	/* the partial one too */
	assert_int_equal(col.samples, 2 * 3600 + 90);
	assert_close(col.cpu_us / (double)col.dt_ms / 1000, 0.2, 1e-12);
	store_close(st);
}

/* A counter reset: the sampler stores the new value as the delta (or NULL
 * when unknown); a container that comes and goes is not diluted. */
static void
test_come_and_go(void **state TEST_UNUSED)
{
	struct store		*st = test_open("comego.db");
	struct roll_conf	 c = test_keep_all();
	struct store_top_row	*top;
	size_t			 n, i;
	int64_t			 a, b, latest;
	int			 k, counts[ROLL_NWORK];

	a = test_container(st, "/lxc/a");
	b = test_container(st, "/lxc/b");
	for (k = 0; k < 180; k++) {
		assert_int_equal(store_tick_begin(st, T0 + k * 1000, 1000), 0);
		if (k < 30) {		/* a lives 30 s, at 1 core */
			struct store_sample s = test_sample(a);
			s.mem_bytes = 10 * MiB;
			s.cpu_us = k == 10 ? STORE_NULL : 1000000;
			assert_int_equal(store_tick_add_sample(st, &s), 0);
		}
		if (k >= 20) {		/* b from 20 s, at 0.25 cores */
			struct store_sample s = test_sample(b);
			s.mem_bytes = 20 * MiB;
			s.cpu_us = 250000;
			assert_int_equal(store_tick_add_sample(st, &s), 0);
		}
		assert_int_equal(store_tick_commit(st), 0);
	}
	test_roll_all(st, &c, T0 + 180000 + 10000, counts);
	assert_int_equal(counts[ROLL_DID_MINUTE], 3);
	/* a's minute: 30 samples over 30 s; the unknown tick extrapolated. */
	assert_int_equal(test_i64(st, "SELECT n FROM roll1m WHERE key & 4194303 = 1"), 30);
	assert_int_equal(test_i64(st, "SELECT dt_ms FROM roll1m WHERE key & 4194303 = 1"),
	    30000);
	assert_int_equal(test_i64(st, "SELECT cpu_us FROM roll1m_v WHERE cid = 1"),
	    30000000);
	assert_int_equal(test_i64(st, "SELECT count(*) FROM roll1m WHERE key & 4194303 = 1"),
	    1);
	/* Top over the 3 minutes read from the minute tier. */
	assert_int_equal(store_query_top(st, 3 * MIN_MS, &top, &n, &latest), 0);
	assert_int_equal(n, 2);
	for (i = 0; i < n; i++) {
		if (top[i].c.cid == a) {
			assert_close(top[i].cpu_cores, 1.0, 1e-12);
			assert_int_equal(top[i].samples, 30);
		} else {
			assert_close(top[i].cpu_cores, 0.25, 1e-12);
			assert_int_equal(top[i].samples, 160);
			assert_close(top[i].mem_avg, 20 * MiB, 0);
		}
	}
	store_top_free(top, n);
	store_close(st);
}

/* Retention drops the oldest rows in batches, never rows the next tier
 * has not taken, and the coarser tier still answers the old part. */
static void
test_retention(void **state TEST_UNUSED)
{
	struct store		*st = test_open("keep.db");
	struct roll_conf	 c = test_keep_all();
	struct test_collect	 col;
	int64_t			 cid[20], end, before, after, maxdrop = 0;
	enum roll_work		 w;
	char			 path[32];
	int			 i, counts[ROLL_NWORK];

	for (i = 0; i < 20; i++) {
		snprintf(path, sizeof path, "/lxc/c%d", i);
		cid[i] = test_container(st, path);
	}
	test_fill_temps = 1;
	test_fill(st, cid, 20, 0, 3 * 3600 + 30);
	test_fill_temps = 0;
	end = T0 + (3 * 3600 + 29) * 1000;
	/* Keep 30 minutes of raw and 1 hour of minutes, in batches of 1000. */
	c.keep_ms[ROLL_RAW] = 30 * MIN_MS;
	c.keep_ms[ROLL_MINUTE] = HOUR_MS;
	c.batch_rows = 1000;
	/* Nothing may go before it is rolled up: roll first, by hand. */
	do {
		before = test_i64(st, "SELECT count(*) FROM sample");
		assert_int_equal(roll_step(st, &c, end, &w), 0);
		after = test_i64(st, "SELECT count(*) FROM sample");
		if (before - after > maxdrop)
			maxdrop = before - after;
	} while (w != ROLL_IDLE);
	/* Batches: at most batch_rows (whole ticks of 20 rows). */
	assert_true(maxdrop > 0);
	assert_true(maxdrop <= 1000);
	/* Raw starts on the minute of the cut. */
	assert_int_equal(test_i64(st, "SELECT min(ts_ms) FROM tick"),
	    (end - 30 * MIN_MS) / MIN_MS * MIN_MS);
	/* Minutes: the last hour, and the hours stay. */
	assert_int_equal(test_i64(st, "SELECT min(key) >> 22 FROM roll1m") * MIN_MS,
	    (end - HOUR_MS) / MIN_MS * MIN_MS);
	assert_int_equal(test_i64(st, "SELECT count(*) FROM roll1h"), 3 * 20);
	/* Limits in force survive the trim (each container's newest). */
	assert_int_equal(test_i64(st, "SELECT count(*) FROM limits"), 20);
	/* Temperatures go with their ticks, and only those. */
	assert_int_equal(test_i64(st, "SELECT count(*) FROM temp WHERE tick NOT IN"
	    " (SELECT id FROM tick)"), 0);
	assert_int_equal(test_i64(st, "SELECT count(*) FROM temp"),
	    test_i64(st, "SELECT count(*) FROM tick WHERE ts_ms / 1000 % 10 = 0"));
	assert_true(test_i64(st, "SELECT count(*) FROM temp") > 0);
	/* A raw read of the whole span falls back to hours, then minutes. */
	test_scan(st, T0, end + 1, 0, 0, &col);
	assert_true(col.n[ROLL_HOUR] > 0);
	assert_true(col.n[ROLL_MINUTE] > 0);
	assert_true(col.n[ROLL_RAW] > 0);
	assert_true(col.ordered);
	assert_int_equal(col.samples, (3 * 3600 + 30) * 20);
	(void)counts;
	store_close(st);
}

static int64_t
test_file_bytes(struct store *st)
{
	return test_i64(st, "PRAGMA page_count") * test_i64(st, "PRAGMA page_size");
}

/* The size cap: over it, the oldest rolled-up rows go first, and the file
 * stops growing while new ticks keep coming. */
static void
test_size_cap(void **state TEST_UNUSED)
{
	struct store		*st = test_open("cap.db");
	struct roll_conf	 c = test_keep_all();
	int64_t			 cid[50], size1, size2, used;
	char			 path[32];
	int			 i, round, counts[ROLL_NWORK];

	for (i = 0; i < 50; i++) {
		snprintf(path, sizeof path, "/lxc/c%d", i);
		cid[i] = test_container(st, path);
	}
	c.max_bytes = 2 * MiB;
	size1 = 0;
	for (round = 0; round < 4; round++) {
		test_fill(st, cid, 50, round * 1800, 1800);
		test_roll_all(st, &c, T0 + (round + 1) * 1800 * 1000 + 20000, counts);
		if (round == 0)
			assert_true(counts[ROLL_DID_TRIM] > 0);
		used = (test_i64(st, "PRAGMA page_count") -
		    test_i64(st, "PRAGMA freelist_count")) * test_i64(st, "PRAGMA page_size");
		assert_true(used <= c.max_bytes);
		if (round == 1)
			size1 = test_file_bytes(st);
	}
	size2 = test_file_bytes(st);
	/* Rounds 2 and 3 wrote as much again as 0 and 1: the file reused
	 * the freed pages instead of growing by that much. */
	assert_true(size1 > 0);
	assert_true(size2 <= size1 + size1 / 4);
	/* What is left of raw is the newest; the minutes still cover. */
	assert_true(test_i64(st, "SELECT max(ts_ms) FROM tick") >=
	    T0 + (4 * 1800 - 1) * 1000);
	assert_true(test_i64(st, "SELECT count(*) FROM roll1m") > 0);
	store_close(st);
}

/* roll_put writes what roll_step would, and marks the bucket done, so a
 * generator's minutes are rolled into hours by the daemon's code. */
static void
test_put(void **state TEST_UNUSED)
{
	struct store		*st = test_open("put.db");
	struct roll_conf	 c = test_keep_all();
	struct roll_rec		 r;
	struct roll_node_rec	 nr;
	struct test_collect	 col;
	int64_t			 a = test_container(st, "/lxc/a"), latest;
	int			 m, counts[ROLL_NWORK];

	assert_int_equal(roll_begin(st), 0);
	for (m = 0; m < 120; m++) {
		roll_rec_init(&r, a);
		r.tier = ROLL_MINUTE;
		r.ts_ms = T0 + m * MIN_MS;
		r.n = 60;
		r.dt_ms = MIN_MS;
		r.mem_min = r.mem_avg = r.mem_max = r.mem_p95 = (m + 1) * MiB;
		r.cpu_us = 30e6;
		r.cpu_p95 = r.cpu_max = 0.5;
		r.mem_limit = INFINITY;
		assert_int_equal(roll_put(st, &r), 0);
		roll_node_rec_init(&nr);
		nr.tier = ROLL_MINUTE;
		nr.ts_ms = r.ts_ms;
		nr.n = 60;
		nr.dt_ms = MIN_MS;
		nr.mem_avail_min = nr.mem_avail_avg = 1000 * MiB;
		assert_int_equal(roll_put_node(st, &nr), 0);
	}
	assert_int_equal(roll_commit(st), 0);
	test_roll_all(st, &c, T0 + 2 * HOUR_MS, counts);
	assert_int_equal(counts[ROLL_DID_HOUR], 2);
	assert_int_equal(counts[ROLL_DID_MINUTE], 0);
	assert_int_equal(roll_latest_ms(st, &latest), 0);
	assert_int_equal(latest, T0 + 2 * HOUR_MS - 1);
	test_scan(st, T0, T0 + 2 * HOUR_MS, HOUR_MS, 0, &col);
	assert_int_equal(col.n[ROLL_HOUR], 2);
	assert_int_equal(col.samples, 7200);
	assert_close(col.cpu_us / (double)col.dt_ms / 1000, 0.5, 1e-12);
	assert_int_equal(test_i64(st, "SELECT mem_limit FROM roll1h_v LIMIT 1"), -1);
	/* A bad record is refused. */
	r.tier = ROLL_RAW;
	assert_int_equal(roll_put(st, &r), -EINVAL);
	store_close(st);
}

static int
test_setup(void **state TEST_UNUSED)
{
	assert_non_null(mkdtemp(test_dir));
	return 0;
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
		cmocka_unit_test(test_pct),
		cmocka_unit_test(test_merge),
		cmocka_unit_test(test_pack),
		cmocka_unit_test(test_pack_garbage),
		cmocka_unit_test(test_tiers),
		cmocka_unit_test(test_come_and_go),
		cmocka_unit_test(test_retention),
		cmocka_unit_test(test_size_cap),
		cmocka_unit_test(test_put),
	};

	return cmocka_run_group_tests(tests, test_setup, test_teardown);
}
