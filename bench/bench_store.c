/* bench_store.c: insert rate, bytes per sample and top latency of the store.
 *
 * usage: bench_store [containers [ticks [dbpath]]]
 *
 * Writes `ticks` ticks of `containers` samples through the store API as
 * cgovd does: one transaction per tick holding the tick's samples, a node
 * row, memory.stat every 10th tick, and limits when they change (all at the
 * first tick, then a few per tick). Values come from a fixed PRNG shaped
 * like a dense node: memory in the hundreds of MiB drifting a little,
 * mostly idle CPUs, a third of the containers under a CFS quota, I/O and
 * swap zero most of the time. Then it times store_query_top over the last
 * 10 minutes and over the newest tick. Without dbpath the database lives in
 * a temporary directory, removed at the end. Not a test: it prints a table
 * and exits 0 whether the targets are met or not.
 */
#include "config.h"

#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <sqlite3.h>

#include "log.h"
#include "rollup.h"
#include "store.h"
#include "xmalloc.h"

#define BENCH_TARGET_RATE	500000.0	/* samples per second */
#define BENCH_TARGET_BYTES	40.0		/* bytes per sample */
#define BENCH_TARGET_TOP_MS	100.0		/* top, any window (issue 4) */
#define BENCH_TICK_MS		1000
#define BENCH_MEMSTAT_EVERY	10
#define BENCH_MIB		(1024 * 1024)
/* First tick id of the aged run: 2^22 ticks, 48.5 days at 1 Hz. */
#define BENCH_AGED_TICK		(INT64_C(1) << 22)

struct bench_container {
	int64_t		 cid;
	int64_t		 mem_base;	/* bytes */
	int64_t		 swap;		/* bytes, 0 for most */
	double		 load;		/* cores */
	int		 quota;		/* under a CFS quota */
	int		 io;		/* does some I/O */
	int64_t		 pids;
};

static uint64_t bench_rng = 0x9e3779b97f4a7c15ULL;

/* splitmix64: deterministic and fast. */
static uint64_t
bench_next(void)
{
	uint64_t	 z = (bench_rng += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

/* Uniform in [lo, hi]. */
static int64_t
bench_range(int64_t lo, int64_t hi)
{
	return lo + (int64_t)(bench_next() % (uint64_t)(hi - lo + 1));
}

static double
bench_unit(void)
{
	return (double)(bench_next() >> 11) / 9007199254740992.0;
}

static double
bench_now(void)
{
	struct timespec	 ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static long
bench_arg(int argc, char **argv, int i, long def)
{
	char	*end;
	long	 v;

	if (argc <= i)
		return def;
	errno = 0;
	v = strtol(argv[i], &end, 10);
	if (errno != 0 || *end != '\0' || v < 1 || v > STORE_CID_MAX)
		fatalx("bad number: %s", argv[i]);
	return v;
}

static void
bench_check(int err, const char *what)
{
	if (err != 0)
		fatalx("%s: %s", what, strerror(-err));
}

static void
bench_sample(const struct bench_container *c, struct store_sample *s)
{
	int64_t	 jitter = c->mem_base / 10;

	memset(s, 0, sizeof *s);
	s->cid = c->cid;
	/* The kernel charges whole pages. */
	s->mem_bytes = (c->mem_base + bench_range(-jitter, jitter)) & ~4095LL;
	s->swap_bytes = c->swap;
	s->cpu_us = (int64_t)(c->load * 1e6 * (0.5 + bench_unit()));
	if (c->quota) {
		s->nr_periods = 10;
		if (bench_unit() < 0.05) {
			s->nr_throttled = 1;
			s->throttled_us = bench_range(1000, 90000);
		}
	}
	if (c->io && bench_unit() < 0.3) {
		s->rbytes = bench_range(1, 64) * 4096;
		s->wbytes = bench_range(1, 256) * 4096;
		s->rios = s->rbytes / 4096;
		s->wios = s->wbytes / 16384 + 1;
	}
	s->pids = c->pids;
	s->psi_cpu_us = bench_unit() < 0.2 ? bench_range(1, 50000) : 0;
	s->psi_mem_us = bench_unit() < 0.2 ? bench_range(1, 50000) : 0;
	s->psi_io_us = bench_unit() < 0.2 ? bench_range(1, 50000) : 0;
}

static void
bench_limits(const struct bench_container *c, struct store_limits *l)
{
	l->cid = c->cid;
	l->mem_limit = (c->mem_base * 2) & ~4095LL;
	l->mem_high = STORE_UNLIMITED;
	l->swap_limit = c->swap ? 512 * BENCH_MIB : 0;
	l->cpu_shares = 1024;
	l->cpu_quota_us = c->quota ? 100000 : STORE_UNLIMITED;
	l->cpu_period_us = 100000;
	l->pids_max = 4096;
}

static void
bench_memstat(const struct bench_container *c, struct store_memstat *m)
{
	m->cid = c->cid;
	m->anon = (c->mem_base * 6 / 10) & ~4095LL;
	m->file = (c->mem_base * 3 / 10) & ~4095LL;
	m->kernel = (c->mem_base / 20) & ~4095LL;
	m->shmem = 0;
	m->file_dirty = bench_range(0, 64) * 4096;
	m->file_writeback = 0;
	m->pgmajfault = bench_unit() < 0.1 ? bench_range(1, 20) : 0;
}

static const char *
bench_met(int ok)
{
	return ok ? "met" : "NOT met";
}

/* Median of three calls of store_query_top, in ms. */
static double
bench_top(struct store *st, int64_t since_ms, size_t *ret_n)
{
	struct store_top_row	*rows;
	double			 t[3], x;
	int64_t			 latest;
	int			 i, j;

	for (i = 0; i < 3; i++) {
		t[i] = bench_now();
		bench_check(store_query_top(st, since_ms, &rows, ret_n,
		    &latest), "store_query_top");
		t[i] = (bench_now() - t[i]) * 1e3;
		store_top_free(rows, *ret_n);
	}
	for (i = 0; i < 3; i++)
		for (j = i + 1; j < 3; j++)
			if (t[j] < t[i]) {
				x = t[i];
				t[i] = t[j];
				t[j] = x;
			}
	return t[1];
}

struct bench_result {
	int64_t		 samples, bytes;
	double		 secs, upsert_us;
};

/* Writes ncont x nticks samples into a new database at path, tick ids
 * starting at first_tick, and leaves it open in *ret_st. */
static void
bench_fill(const char *path, long ncont, long nticks, int64_t first_tick,
    struct store **ret_st, struct bench_result *r)
{
	struct bench_container	*cs;
	struct store		*st;
	struct store_sample	 s;
	struct store_limits	 l;
	struct store_memstat	 m;
	struct store_node	 node;
	char			 cpath[64], cname[32], *sql;
	int64_t			 ts;
	double			 t0;
	long			 i, t;

	bench_rng = 0x9e3779b97f4a7c15ULL;
	unlink(path);
	bench_check(store_open(path, 0, &st), "store_open");
	if (first_tick > 1) {
		/* A placeholder tick, long before the others: the next ids
		 * and so the sample keys are those of an old database. */
		sql = xasprintf("INSERT INTO tick VALUES (%" PRId64 ", 0, 0)",
		    first_tick - 1);
		if (sqlite3_exec(store_sqlite(st), sql, NULL, NULL, NULL) !=
		    SQLITE_OK)
			fatalx("%s", sqlite3_errmsg(store_sqlite(st)));
		free(sql);
	}

	cs = xcalloc(ncont, sizeof *cs);
	ts = INT64_C(1700000000000);
	t0 = bench_now();
	for (i = 0; i < ncont; i++) {
		cs[i].mem_base = bench_range(20, 1500) * BENCH_MIB;
		cs[i].swap = bench_unit() < 0.2 ? bench_range(1, 50) * BENCH_MIB :
		    0;
		cs[i].load = (double[]){ 0.001, 0.01, 0.05, 0.2, 0.5 }
		    [bench_range(0, 4)];
		cs[i].quota = bench_unit() < 0.3;
		cs[i].io = bench_unit() < 0.2;
		cs[i].pids = bench_range(1, 200);
		snprintf(cpath, sizeof cpath, "/lxc.payload.tenant%ld", i);
		snprintf(cname, sizeof cname, "tenant%ld", i);
		bench_check(store_container_upsert(st, cpath, cname, "lxc", ts,
		    &cs[i].cid), "store_container_upsert");
	}
	r->upsert_us = (bench_now() - t0) * 1e6 / (double)ncont;

	memset(&node, 0, sizeof node);
	node.mem_total = INT64_C(256) * 1024 * BENCH_MIB;
	node.ncpu = 64;
	t0 = bench_now();
	for (t = 0; t < nticks; t++) {
		ts += BENCH_TICK_MS;
		bench_check(store_tick_begin(st, ts, BENCH_TICK_MS),
		    "store_tick_begin");
		for (i = 0; i < ncont; i++) {
			bench_sample(&cs[i], &s);
			bench_check(store_tick_add_sample(st, &s),
			    "store_tick_add_sample");
			/* All limits at first, then a rare change. */
			if (t == 0 || bench_unit() < 0.001) {
				bench_limits(&cs[i], &l);
				bench_check(store_tick_add_limits(st, &l),
				    "store_tick_add_limits");
			}
			if (t % BENCH_MEMSTAT_EVERY == 0) {
				bench_memstat(&cs[i], &m);
				bench_check(store_tick_add_memstat(st, &m),
				    "store_tick_add_memstat");
			}
		}
		node.mem_available = node.mem_total / 2 +
		    bench_range(0, 1024) * BENCH_MIB;
		node.cpu_total_ms = node.ncpu * BENCH_TICK_MS;
		node.cpu_busy_ms = bench_range(0, node.cpu_total_ms);
		node.load1 = bench_range(0, 6400);
		node.psi_cpu_us = bench_range(0, 100000);
		node.psi_mem_us = node.psi_io_us = 0;
		bench_check(store_tick_add_node(st, &node), "store_tick_add_node");
		bench_check(store_tick_commit(st), "store_tick_commit");
	}
	r->secs = bench_now() - t0;
	bench_check(store_checkpoint(st), "store_checkpoint");
	bench_check(store_stats(st, &r->samples, &r->bytes), "store_stats");
	free(cs);
	*ret_st = st;
}

/* Housekeeping as cgovd runs it, one roll_step per tick: the longest step
 * is the most a tick can be delayed by it. Rolls the filled minutes up,
 * then an hour made of ncont x 60 minute rows (written with roll_put, the
 * daemon's encoding), then trims raw down to one minute in batches. */
struct bench_steps {
	int	 n[ROLL_NWORK];
	double	 max_ms[ROLL_NWORK], sum_ms[ROLL_NWORK];
};

static void
bench_housekeep(struct store *st, long ncont, int64_t end_ms, struct bench_steps *b)
{
	struct roll_conf	 c;
	struct roll_rec		 r;
	enum roll_work		 w;
	int64_t			 hour0;
	double			 t0, ms;
	long			 i, m;

	memset(b, 0, sizeof *b);
	roll_conf_defaults(&c);
	c.keep_ms[ROLL_MINUTE] = c.keep_ms[ROLL_HOUR] = 0;
	c.max_bytes = 0;
	c.keep_ms[ROLL_RAW] = 60 * 1000;
	/* An hour, a day before the raw ticks. */
	hour0 = (end_ms - INT64_C(86400000)) / 3600000 * 3600000;
	bench_check(roll_begin(st), "roll_begin");
	for (m = 0; m < 60; m++)
		for (i = 0; i < ncont; i++) {
			roll_rec_init(&r, i + 1);
			r.tier = ROLL_MINUTE;
			r.ts_ms = hour0 + m * 60000;
			r.n = 60;
			r.dt_ms = 60000;
			r.mem_min = r.mem_avg = r.mem_max = r.mem_p95 =
			    (double)bench_range(20, 1500) * BENCH_MIB;
			r.cpu_us = (double)bench_range(0, 60000000);
			r.cpu_p95 = r.cpu_max = r.cpu_us / 60e6;
			r.nr_periods = r.nr_throttled = r.throttled_us = 0;
			r.rbytes = r.wbytes = r.rios = r.wios = 0;
			r.io_p95 = r.iops_p95 = 0;
			r.mem_limit = 2048.0 * BENCH_MIB;
			bench_check(roll_put(st, &r), "roll_put");
		}
	bench_check(roll_commit(st), "roll_commit");
	do {
		t0 = bench_now();
		bench_check(roll_step(st, &c, end_ms + 11000, &w), "roll_step");
		ms = (bench_now() - t0) * 1000;
		b->n[w]++;
		b->sum_ms[w] += ms;
		if (ms > b->max_ms[w])
			b->max_ms[w] = ms;
	} while (w != ROLL_IDLE);
}

int
main(int argc, char **argv)
{
	struct store		*st, *ro;
	struct bench_result	 r, aged;
	char			 dir[] = "/tmp/bench_store.XXXXXX";
	char			*path, *aged_path;
	long			 ncont, nticks;
	double			 rate, bps, aged_bps, top10, top0, top10r;
	struct bench_steps	 hk;
	size_t			 n10, n0, n10r;
	int			 tmpdir = 0;

	log_init("bench_store", 0, LOG_LEVEL_WARN);
	ncont = bench_arg(argc, argv, 1, 1000);
	nticks = bench_arg(argc, argv, 2, 600);
	if (argc > 3)
		path = xstrdup(argv[3]);
	else {
		if (mkdtemp(dir) == NULL)
			fatal("mkdtemp");
		path = xasprintf("%s/cgov.db", dir);
		tmpdir = 1;
	}
	aged_path = xasprintf("%s.aged", path);

	/* Keys grow with the tick id: an old database pays two bytes more
	 * per key than a new one, so the size target is checked there. */
	bench_fill(aged_path, ncont, nticks, BENCH_AGED_TICK, &st, &aged);
	store_close(st);
	unlink(aged_path);
	aged_bps = (double)aged.bytes / (double)aged.samples;

	bench_fill(path, ncont, nticks, 1, &st, &r);
	rate = (double)r.samples / r.secs;
	bps = (double)r.bytes / (double)r.samples;

	/* Top as the CLI runs it: a read-only handle beside the writer. */
	bench_check(store_open(path, STORE_RDONLY, &ro), "store_open ro");
	top10 = bench_top(ro, 10 * 60 * 1000, &n10);
	top0 = bench_top(ro, 0, &n0);
	store_close(ro);
	bench_housekeep(st, ncont, INT64_C(1700000000000) + nticks * BENCH_TICK_MS, &hk);
	/* Again once the minutes are rolled up, as in a running cgovd. */
	bench_check(store_open(path, STORE_RDONLY, &ro), "store_open ro");
	top10r = bench_top(ro, 10 * 60 * 1000, &n10r);
	store_close(ro);
	store_close(st);

	printf("store benchmark: %ld containers x %ld ticks, SQLite %s\n",
	    ncont, nticks, sqlite3_libversion());
	printf("%-30s %14s %10s\n", "measure", "value", "target");
	printf("%-30s %14" PRId64 "\n", "samples inserted", r.samples);
	printf("%-30s %14.3f\n", "insert seconds", r.secs);
	printf("%-30s %14.0f %10.0f  %s\n", "samples/s", rate,
	    BENCH_TARGET_RATE, bench_met(rate >= BENCH_TARGET_RATE));
	printf("%-30s %14" PRId64 "\n", "database bytes", r.bytes);
	printf("%-30s %14.2f\n", "bytes/sample, new db", bps);
	printf("%-30s %14.2f %10.0f  %s\n", "bytes/sample, 48-day-old db",
	    aged_bps, BENCH_TARGET_BYTES,
	    bench_met(aged_bps <= BENCH_TARGET_BYTES &&
	    bps <= BENCH_TARGET_BYTES));
	printf("%-30s %14.2f\n", "upsert us, own transaction", r.upsert_us);
	printf("%-30s %14.2f %10s  (%zu rows; raw ticks only)\n",
	    "top --since 10m ms, raw", top10, "", n10);
	printf("%-30s %14.2f %10.0f  %s (%zu rows; minutes rolled up; 24h: "
	    "bench_history.sh)\n", "top --since 10m ms", top10r, BENCH_TARGET_TOP_MS,
	    bench_met(top10r <= BENCH_TARGET_TOP_MS), n10r);
	printf("%-30s %14.2f %10.0f  %s (%zu rows)\n", "top now ms", top0,
	    BENCH_TARGET_TOP_MS, bench_met(top0 <= BENCH_TARGET_TOP_MS), n0);
	/* A housekeeping step runs between two ticks: a tenth of a 1 s tick.
	 * Each row is the longest step of its kind, in ms. */
	for (int k = 1; k < ROLL_NWORK; k++)
		printf("%-17s max ms %14.2f %10.0f  %s (%d steps, mean %.2f ms)\n",
		    roll_work_name((enum roll_work)k), hk.max_ms[k], 100.0,
		    bench_met(hk.max_ms[k] <= 100.0), hk.n[k],
		    hk.n[k] ? hk.sum_ms[k] / hk.n[k] : 0.0);

	if (tmpdir) {
		unlink(path);
		rmdir(dir);
	}
	free(aged_path);
	free(path);
	return 0;
}
