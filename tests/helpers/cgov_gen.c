/* cgov_gen: a deterministic history database, written through cgovd's own
 * code paths, for the golden report tests, policy replay and the history
 * benchmark.
 *
 * usage: cgov_gen --db FILE [--containers N] [--hours H | --days D]
 *            [--raw DUR] [--interval DUR] [--start UNIX_SECONDS] [--seed N]
 *            [--hostile] [--actions] [--swap] [--keep-minute DUR]
 *            [--keep-raw DUR] [--unknown-write] [--quiet]
 *
 *   --db FILE          the database to create (refused when it exists)
 *   --containers N     containers, default 6: the six shapes below, then
 *                      the same shapes again ("web-1", "db-1", ...)
 *   --hours H, --days D   the span of history, default 3 hours
 *   --span DUR         the span as a duration (150s: a short history)
 *   --raw DUR          the newest DUR is written as raw ticks (rounded up
 *                      to whole minutes), what is older as minute rows;
 *                      default: the whole span is raw
 *   --interval DUR     the tick, default 10s; must divide a minute
 *   --start SECONDS    the first tick, default 1767225600
 *                      (2026-01-01T00:00:00Z); a whole minute when minute
 *                      rows are written
 *   --seed N           default 1
 *   --hostile          container 1 ("db") gets a hostile name and path:
 *                      markup, quotes, an ampersand, ESC and a newline
 *   --actions          journal rows as cgovd writes them (see below), and
 *                      their effect on the samples; needs 6 containers
 *   --swap             the host has 2G of swap (default: none)
 *   --keep-minute DUR, --keep-raw DUR
 *                      retention of those tiers for the rollup pass
 *                      (default 0: forever)
 *   --unknown-write    container 0 ("web") has no figure for the bytes it
 *                      writes (as when the kernel's counter overflowed):
 *                      unknown in every tick and minute, the rest known
 *   --quiet            no progress on stderr
 *
 * Exit 0; 1 on a store error (with a message); 2 on a usage error.
 *
 * Everything comes from the arguments: values are integer functions of the
 * seed, the container and the minute (no wall clock, no host reads, no
 * libm), so the same arguments give the same database on any host.
 *
 * Tick k is at start + k * interval and covers the interval before it (its
 * dt is the interval); minute m holds the ticks of [start + m min, start +
 * (m + 1) min). Within a minute of n ticks every value is
 *     level + unit * (2 * rank(i) - (n - 1))
 * where rank is a permutation of the ticks (rank(i) = (a i + b) mod n, a
 * coprime to n, both drawn per container and minute): a sawtooth around
 * the level whose sum over the minute is exactly n * level and whose min,
 * max and nearest-rank p95 are known without looking at the ticks. So a
 * minute row written for old history (roll_put) is exactly the row that
 * rolling its raw ticks up would have made, and costs O(1) to build: the
 * bench writes 43 million of them.
 *
 * Then the rollup pass of cgovd (roll_step until ROLL_IDLE, now = the end
 * of the span) makes the minutes of the raw ticks, every hour, and trims
 * what retention drops.
 *
 * The shapes (paths /lxc/NAME, runtime "lxc"):
 *   0 web      ~0.5 cores, memory 400-600M of a 1G limit, swap limit 256M
 *   1 db       memory growing linearly over the span (1.5G to 3.2G of a 4G
 *              limit: a forecast finds a date), cpu shares 2048, reads
 *   2 batch    bursts of 2 cores of demand (minutes 30-59 of every two
 *              hours) under a quota of 1.5 cores: throttled periods
 *   3 backup   I/O floods (minutes 60-99 of every three hours)
 *   4 jvm      memory ~85% of a 2G limit, swap limit 0
 *   5 nolimit  no memory limit; one OOM event and one OOM kill at 3/5 of
 *              the span
 * Containers past the first six vary in size (memory and CPU x0.8..1.2)
 * and phase; only the first six are what the journal rows talk about.
 * The node: 4 CPUs, 16G of memory whose available part falls by 10M an
 * hour from 12G (plus noise), no swap (2G with --swap), busy ~40% and ~85%
 * while "batch" bursts.
 *
 * --actions (only those that fall inside the span):
 *   +40 min  apply: batch cpu quota 1.5 -> 1 core, lxc-noisy/cpu-hog
 *   +50 min  refused: jvm memory limit 2G -> 1.5G (below usage)
 *   +65 min  restore: batch cpu quota back to 1.5 cores
 *   +70 min  apply: backup io write-limit 40M/s on 254:0, lxc-noisy/io-flood,
 *            still in force at the end
 * and the samples show them: batch runs at 1 core while its quota is 1
 * core (limits rows record both changes), backup writes at 40M/s once
 * capped.
 */
#include "config.h"

#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "journal.h"
#include "log.h"
#include "metrics.h"
#include "policy.h"
#include "rollup.h"
#include "store.h"
#include "units.h"
#include "xmalloc.h"

#define GEN_K		INT64_C(1024)
#define GEN_M		(GEN_K * GEN_K)
#define GEN_G		(GEN_K * GEN_M)
#define GEN_MIN_MS	INT64_C(60000)
#define GEN_HOUR_MS	(60 * GEN_MIN_MS)
#define GEN_DAY_MS	(24 * GEN_HOUR_MS)
#define GEN_PAGE	INT64_C(4096)
#define GEN_PERIOD_US	INT64_C(100000)
#define GEN_NCPU	4
#define GEN_SHAPES	6
/* Minute rows per transaction while writing old history. */
#define GEN_BATCH_ROWS	50000

enum gen_shape { GS_WEB, GS_DB, GS_BATCH, GS_BACKUP, GS_JVM, GS_NOLIMIT };

static const char *const gen_shape_names[GEN_SHAPES] = {
	"web", "db", "batch", "backup", "jvm", "nolimit"
};

/* Everything a user of the helper may paste into a terminal or a browser. */
static const char gen_hostile_name[] =
    "<script>alert(1)</script>\"'&\x1b[31mred\nline";

/* When the journal rows happen, minutes into the span. */
#define GEN_ACT_QUOTA_MIN	40
#define GEN_ACT_REFUSED_MIN	50
#define GEN_ACT_RESTORE_MIN	65
#define GEN_ACT_IO_MIN		70
#define GEN_ACT_QUOTA_MC	1000           /* the quota the rule sets */
#define GEN_ACT_WBPS		(40 * GEN_M)   /* the write limit */

struct gen_opts {
	const char *db;
	int64_t containers;
	int64_t span_ms, raw_ms, interval_ms, start_ms;
	uint64_t seed;
	int hostile, actions, swap, quiet, unknown_write;
	int64_t keep_minute_ms, keep_raw_ms;
};

/* level + unit * k, k in [-(n - 1), n - 1] in steps of 2. */
struct gen_lin {
	int64_t l, u;
};

/* One container over one minute. Memory in pages. */
struct gen_min {
	uint64_t a, b;
	struct gen_lin mem4k, swap4k, pids, cpu_us, periods, thr, thr_us;
	struct gen_lin rb, wb, ri, wi, psi_cpu, psi_mem, psi_io;
	int64_t oom_tick;               /* tick of the minute with the OOM, -1 */
	struct store_limits lim;
};

/* The node over one minute. */
struct gen_node_min {
	uint64_t a, b;
	struct gen_lin avail, swap_free, busy_ms, load1, psi_cpu, psi_mem, psi_io;
	int64_t swap_total, total_ms;
};

struct gen_ct {
	int64_t cid;
	enum gen_shape shape;
	int64_t f;                      /* size, per mille */
	int64_t phase;                  /* minutes */
	char *path, *name;
	struct gen_min cur;             /* the minute being written as ticks */
	struct store_limits last_lim;
	int have_lim;
};

struct gen {
	struct gen_opts o;
	struct store *st;
	struct gen_ct *ct;
	int64_t n;                      /* ticks per minute */
	int64_t minutes;                /* in the span */
	int64_t old_minutes;            /* written as minute rows */
	int64_t raw_ticks, minute_rows;
	int64_t t0_ms;                  /* monotonic, for the time taken */
	int64_t progress_ms;
};

/* --- deterministic numbers ------------------------------------------------ */

static uint64_t
gen_mix(uint64_t z)
{
	z += 0x9e3779b97f4a7c15ULL;
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

/* A stream of its own for (seed, container, minute, what). */
static uint64_t
gen_key(uint64_t seed, int64_t c, int64_t m, uint64_t what)
{
	return gen_mix(gen_mix(gen_mix(gen_mix(seed) ^ (uint64_t)c) ^ (uint64_t)m) ^ what);
}

static uint64_t
gen_next(uint64_t *s)
{
	*s += 0x9e3779b97f4a7c15ULL;
	return gen_mix(*s);
}

/* Uniform integer in [-r, r]. */
static int64_t
gen_jit(uint64_t *s, int64_t r)
{
	if (r <= 0)
		return 0;
	return (int64_t)(gen_next(s) % (uint64_t)(2 * r + 1)) - r;
}

/* A triangle wave in per mille, -1000 .. 1000, of period minutes. */
static int64_t
gen_tri(int64_t x, int64_t period)
{
	int64_t p = x % period, half = period / 2;

	if (p < half)
		return -1000 + 2000 * p / half;
	return 1000 - 2000 * (p - half) / (period - half);
}

static int64_t
gen_gcd(int64_t a, int64_t b)
{
	while (b != 0) {
		int64_t t = a % b;

		a = b;
		b = t;
	}
	return a;
}

/* The rank permutation of a minute: a coprime to n. */
static void
gen_perm(uint64_t *s, int64_t n, uint64_t *ret_a, uint64_t *ret_b)
{
	int64_t a = 1;

	if (n > 2) {
		a = 1 + (int64_t)(gen_next(s) % (uint64_t)(n - 1));
		while (gen_gcd(a, n) != 1)
			a = a % (n - 1) + 1;
	}
	*ret_a = (uint64_t)a;
	*ret_b = gen_next(s) % (uint64_t)n;
}

static int64_t
gen_k(uint64_t a, uint64_t b, int64_t n, int64_t i)
{
	return 2 * (int64_t)((a * (uint64_t)i + b) % (uint64_t)n) - (n - 1);
}

/* The k of the nearest-rank p95 of n ticks: rank ceil(0.95 n), 1-based. */
static int64_t
gen_k95(int64_t n)
{
	return 2 * ((95 * n + 99) / 100 - 1) - (n - 1);
}

/* A level with ticks spread over [level - amp, level + amp], never below 0. */
static struct gen_lin
gen_lin(int64_t level, int64_t amp, int64_t n)
{
	struct gen_lin v = { level < 0 ? 0 : level, 0 };

	if (n > 1 && amp > 0) {
		if (amp > v.l)
			amp = v.l;
		v.u = amp / (n - 1);
	}
	return v;
}

static int64_t
gen_at(struct gen_lin v, int64_t k)
{
	return v.l + v.u * k;
}

/* --- the model ------------------------------------------------------------- */

/* What a shape does in one minute, in plain units. */
struct gen_level {
	int64_t cpu_mc, cpu_amp_mc;            /* millicores */
	int64_t mem, mem_amp, swap;            /* bytes */
	int64_t pids, pids_amp;
	int64_t rbps, wbps, riops, wiops;      /* per second */
	int64_t io_amp_pct;
	int64_t thr_pm;                        /* throttled periods, per mille */
	int64_t psi_cpu_pm, psi_mem_pm, psi_io_pm;  /* of the time */
	int oom;
	struct store_limits lim;
};

static int
gen_batch_burst(int64_t m)
{
	return m % 120 >= 30 && m % 120 < 60;
}

static int
gen_backup_flood(int64_t m)
{
	return m % 180 >= 60 && m % 180 < 100;
}

static int64_t
gen_mib(int64_t bytes)
{
	return bytes / GEN_M * GEN_M;
}

static void
gen_shape(const struct gen *g, const struct gen_ct *c, int64_t ci, int64_t m, uint64_t *s,
    struct gen_level *v)
{
	int64_t f = c->f, x = m + c->phase;

	memset(v, 0, sizeof *v);
	v->lim = (struct store_limits){
		.cid = c->cid, .mem_high = STORE_UNLIMITED, .cpu_shares = 1024,
		.cpu_quota_us = STORE_UNLIMITED, .cpu_period_us = GEN_PERIOD_US,
		.pids_max = 1024,
	};
	v->io_amp_pct = 30;
	switch (c->shape) {
	case GS_WEB:
		v->cpu_mc = 500 * f / 1000 + 50 * gen_tri(x, 60) / 1000 + gen_jit(s, 20);
		v->cpu_amp_mc = 100;
		v->mem = (500 * GEN_M + 70 * GEN_M * gen_tri(x, 120) / 1000) * f / 1000 +
		    gen_jit(s, 5 * GEN_M);
		v->mem_amp = 20 * GEN_M;
		v->swap = g->o.swap ? 16 * GEN_M : 0;
		v->pids = 40 + gen_jit(s, 3);
		v->pids_amp = 3;
		v->rbps = 20 * GEN_K;
		v->wbps = 50 * GEN_K;
		v->riops = 5;
		v->wiops = 10;
		v->psi_cpu_pm = 10;
		v->lim.mem_limit = gen_mib(GEN_G * f / 1000);
		v->lim.swap_limit = 256 * GEN_M;
		break;
	case GS_DB:
		v->cpu_mc = 300 * f / 1000 + gen_jit(s, 30);
		v->cpu_amp_mc = 100;
		/* Linear over the span, whatever its length: it reaches its
		 * limit about half a span after the end. */
		v->mem = (3 * GEN_G / 2 + (17 * GEN_G / 10) * m / g->minutes) * f / 1000 +
		    gen_jit(s, 2 * GEN_M);
		v->mem_amp = 8 * GEN_M;
		v->pids = 60 + gen_jit(s, 2);
		v->pids_amp = 2;
		v->rbps = 2 * GEN_M;
		v->wbps = GEN_M;
		v->riops = 150;
		v->wiops = 80;
		v->psi_io_pm = 20;
		v->lim.mem_limit = gen_mib(4 * GEN_G * f / 1000);
		v->lim.swap_limit = GEN_G;
		v->lim.cpu_shares = 2048;
		break;
	case GS_BATCH:
		v->lim.cpu_quota_us = 150000;
		if (g->o.actions && ci == GS_BATCH && m >= GEN_ACT_QUOTA_MIN &&
		    m < GEN_ACT_RESTORE_MIN)
			v->lim.cpu_quota_us = GEN_ACT_QUOTA_MC * GEN_PERIOD_US / 1000;
		if (gen_batch_burst(x)) {
			/* A demand of 2 cores: the group runs at its quota
			 * (CFS bandwidth lets it overrun by a hair: quota
			 * slack at period edges) and most periods throttle. */
			v->cpu_mc = v->lim.cpu_quota_us * 1000 / GEN_PERIOD_US * 102 / 100;
			v->cpu_amp_mc = 20;
			v->thr_pm = v->lim.cpu_quota_us < 150000 ? 850 : 700;
			v->psi_cpu_pm = v->lim.cpu_quota_us < 150000 ? 400 : 250;
		} else {
			v->cpu_mc = 100 * f / 1000 + gen_jit(s, 10);
			v->cpu_amp_mc = 50;
			v->psi_cpu_pm = 5;
		}
		v->mem = 800 * GEN_M * f / 1000 + gen_jit(s, 10 * GEN_M);
		v->mem_amp = 30 * GEN_M;
		v->pids = 20;
		v->rbps = 100 * GEN_K;
		v->wbps = 100 * GEN_K;
		v->riops = 10;
		v->wiops = 10;
		v->lim.mem_limit = gen_mib(2 * GEN_G * f / 1000);
		v->lim.swap_limit = 512 * GEN_M;
		break;
	case GS_BACKUP:
		if (gen_backup_flood(x)) {
			v->cpu_mc = 400 * f / 1000 + gen_jit(s, 20);
			v->rbps = 60 * GEN_M * f / 1000;
			v->wbps = 150 * GEN_M * f / 1000;
			v->riops = 500;
			v->wiops = 1200;
			v->io_amp_pct = 10;
			v->psi_io_pm = 400;
			if (g->o.actions && ci == GS_BACKUP && m >= GEN_ACT_IO_MIN) {
				/* Capped: writes at the limit, ops alike. */
				v->wiops = v->wiops * (GEN_ACT_WBPS - GEN_M) / v->wbps;
				v->wbps = GEN_ACT_WBPS - GEN_M;
				v->io_amp_pct = 2;
				v->psi_io_pm = 700;
			}
		} else {
			v->cpu_mc = 200 * f / 1000 + gen_jit(s, 20);
			v->rbps = 100 * GEN_K;
			v->wbps = 200 * GEN_K;
			v->riops = 20;
			v->wiops = 30;
			v->psi_io_pm = 10;
		}
		v->cpu_amp_mc = 50;
		v->mem = 300 * GEN_M * f / 1000 + gen_jit(s, 5 * GEN_M);
		v->mem_amp = 10 * GEN_M;
		v->pids = 12;
		v->lim.mem_limit = gen_mib(GEN_G * f / 1000);
		v->lim.swap_limit = 256 * GEN_M;
		v->lim.cpu_shares = 512;
		break;
	case GS_JVM:
		v->cpu_mc = 800 * f / 1000 + 100 * gen_tri(x, 20) / 1000 + gen_jit(s, 30);
		v->cpu_amp_mc = 300;
		v->mem = (1700 * GEN_M + 50 * GEN_M * gen_tri(x, 30) / 1000) * f / 1000 +
		    gen_jit(s, 10 * GEN_M);
		v->mem_amp = 20 * GEN_M;
		v->pids = 120 + gen_jit(s, 5);
		v->pids_amp = 4;
		v->rbps = 200 * GEN_K;
		v->wbps = 300 * GEN_K;
		v->riops = 20;
		v->wiops = 40;
		v->psi_mem_pm = 20;
		v->lim.mem_limit = gen_mib(2 * GEN_G * f / 1000);
		v->lim.swap_limit = 0;          /* a JVM without swap */
		v->lim.pids_max = 4096;
		break;
	case GS_NOLIMIT:
		v->cpu_mc = 250 * f / 1000 + gen_jit(s, 20);
		v->cpu_amp_mc = 80;
		v->mem = 700 * GEN_M * f / 1000 + gen_jit(s, 10 * GEN_M);
		v->mem_amp = 20 * GEN_M;
		v->swap = g->o.swap ? 64 * GEN_M : 0;
		v->pids = 25;
		v->rbps = 50 * GEN_K;
		v->wbps = 50 * GEN_K;
		v->riops = 5;
		v->wiops = 5;
		v->oom = m == (g->minutes * 3 / 5 + c->phase) % g->minutes;
		v->lim.mem_limit = STORE_UNLIMITED;
		v->lim.swap_limit = STORE_UNLIMITED;
		v->lim.pids_max = STORE_UNLIMITED;
		break;
	}
	if (v->cpu_mc < 0)
		v->cpu_mc = 0;
}

/* Container ci (index from 0) in minute m. */
static void
gen_minute(const struct gen *g, const struct gen_ct *c, int64_t ci, int64_t m,
    struct gen_min *r)
{
	int64_t n = g->n, iv = g->o.interval_ms, periods;
	uint64_t s = gen_key(g->o.seed, ci, m, 1);
	struct gen_level v;

	gen_perm(&s, n, &r->a, &r->b);
	gen_shape(g, c, ci, m, &s, &v);
	r->mem4k = gen_lin(v.mem / GEN_PAGE, v.mem_amp / GEN_PAGE, n);
	r->swap4k = gen_lin(v.swap / GEN_PAGE, 0, n);
	r->pids = gen_lin(v.pids, v.pids_amp, n);
	r->cpu_us = gen_lin(v.cpu_mc * iv, v.cpu_amp_mc * iv, n);
	/* v1's nr_periods only counts under a quota. */
	periods = v.lim.cpu_quota_us > 0 ? iv * 1000 / v.lim.cpu_period_us : 0;
	r->periods = gen_lin(periods, 0, n);
	r->thr = gen_lin(periods * v.thr_pm / 1000, periods / 10, n);
	/* A throttled period waits out the rest of it: a quarter, say. */
	r->thr_us = (struct gen_lin){ r->thr.l * (GEN_PERIOD_US / 4),
	    r->thr.u * (GEN_PERIOD_US / 4) };
	r->rb = gen_lin(v.rbps * iv / 1000, v.rbps * iv / 1000 * v.io_amp_pct / 100, n);
	r->wb = gen_lin(v.wbps * iv / 1000, v.wbps * iv / 1000 * v.io_amp_pct / 100, n);
	r->ri = gen_lin(v.riops * iv / 1000, v.riops * iv / 1000 * v.io_amp_pct / 100, n);
	r->wi = gen_lin(v.wiops * iv / 1000, v.wiops * iv / 1000 * v.io_amp_pct / 100, n);
	r->psi_cpu = gen_lin(iv * v.psi_cpu_pm, iv * v.psi_cpu_pm / 4, n);
	r->psi_mem = gen_lin(iv * v.psi_mem_pm, iv * v.psi_mem_pm / 4, n);
	r->psi_io = gen_lin(iv * v.psi_io_pm, iv * v.psi_io_pm / 4, n);
	r->oom_tick = v.oom ? n / 2 : -1;
	r->lim = v.lim;
}

static void
gen_node_minute(const struct gen *g, int64_t m, struct gen_node_min *r)
{
	int64_t n = g->n, iv = g->o.interval_ms, avail, busy_pm;
	uint64_t s = gen_key(g->o.seed, -1, m, 2);

	gen_perm(&s, n, &r->a, &r->b);
	/* Falls by a fixed amount an hour: the capacity forecast's date. */
	avail = 12 * GEN_G - 10 * GEN_M * m / 60 + gen_jit(&s, 32 * GEN_M);
	if (avail < 256 * GEN_M)
		avail = 256 * GEN_M;
	r->avail = gen_lin(avail / GEN_PAGE * GEN_PAGE, 16 * GEN_M, n);
	r->avail.u = r->avail.u / GEN_PAGE * GEN_PAGE;
	r->swap_total = g->o.swap ? 2 * GEN_G : 0;
	r->swap_free = gen_lin(g->o.swap ? r->swap_total - 80 * GEN_M : 0, 0, n);
	busy_pm = 400 + 100 * gen_tri(m, 1440) / 1000 + gen_jit(&s, 20);
	if (gen_batch_burst(m))
		busy_pm += 450;
	if (busy_pm > 970)
		busy_pm = 970;
	r->total_ms = GEN_NCPU * iv;
	r->busy_ms = gen_lin(r->total_ms * busy_pm / 1000, r->total_ms * 30 / 1000, n);
	r->load1 = gen_lin(busy_pm * GEN_NCPU * 110 / 1000, 20, n);
	r->psi_cpu = gen_lin(iv * (busy_pm > 800 ? 50 : 5), iv, n);
	r->psi_mem = gen_lin(iv * 2, iv / 2, n);
	r->psi_io = gen_lin(iv * (gen_backup_flood(m) ? 100 : 5), iv, n);
}

/* --- raw ticks -------------------------------------------------------------- */

static void
gen_sample(const struct gen *g, const struct gen_ct *c, int64_t i, struct store_sample *s)
{
	const struct gen_min *r = &c->cur;
	int64_t k = gen_k(r->a, r->b, g->n, i);

	*s = (struct store_sample){
		.cid = c->cid,
		.mem_bytes = gen_at(r->mem4k, k) * GEN_PAGE,
		.swap_bytes = gen_at(r->swap4k, k) * GEN_PAGE,
		.cpu_us = gen_at(r->cpu_us, k),
		.nr_periods = gen_at(r->periods, k),
		.nr_throttled = gen_at(r->thr, k),
		.throttled_us = gen_at(r->thr_us, k),
		.rbytes = gen_at(r->rb, k), .wbytes = gen_at(r->wb, k),
		.rios = gen_at(r->ri, k), .wios = gen_at(r->wi, k),
		.pids = gen_at(r->pids, k),
		.oom = i == r->oom_tick, .oom_kill = i == r->oom_tick,
		.psi_cpu_us = gen_at(r->psi_cpu, k),
		.psi_mem_us = gen_at(r->psi_mem, k),
		.psi_io_us = gen_at(r->psi_io, k),
	};
	if (g->o.unknown_write && c == &g->ct[0])
		s->wbytes = STORE_NULL;
}

static void
gen_node(const struct gen *g, const struct gen_node_min *r, int64_t i, struct store_node *s)
{
	int64_t k = gen_k(r->a, r->b, g->n, i);

	*s = (struct store_node){
		.mem_total = 16 * GEN_G,
		.mem_available = gen_at(r->avail, k),
		.swap_total = r->swap_total,
		.swap_free = gen_at(r->swap_free, k),
		.cpu_busy_ms = gen_at(r->busy_ms, k),
		.cpu_total_ms = r->total_ms,
		.ncpu = GEN_NCPU,
		.load1 = gen_at(r->load1, k),
		.psi_cpu_us = gen_at(r->psi_cpu, k),
		.psi_mem_us = gen_at(r->psi_mem, k),
		.psi_io_us = gen_at(r->psi_io, k),
	};
}

/* --- minute rows ------------------------------------------------------------ */

/* Percentiles are kept as floats (struct roll_pct): a p95 rolled up from
 * ticks has a float's precision, and so must ours. */
static double
gen_pct(double v)
{
	return (double)(float)v;
}

static double
gen_limit(int64_t v)
{
	return v == STORE_UNLIMITED ? INFINITY : (double)v;
}

/* The minute row the raw ticks of minute m would have rolled up into. */
static void
gen_minute_rec(const struct gen *g, const struct gen_ct *c, const struct gen_min *r,
    int64_t m, struct roll_rec *rec)
{
	int64_t n = g->n, k95 = gen_k95(n), hi = n - 1;
	int64_t iv = g->o.interval_ms;
	int oom = r->oom_tick >= 0;

	roll_rec_init(rec, c->cid);
	rec->tier = ROLL_MINUTE;
	rec->ts_ms = g->o.start_ms + m * GEN_MIN_MS;
	rec->n = n;
	rec->dt_ms = n * g->o.interval_ms;
	rec->mem_min = (double)(gen_at(r->mem4k, -hi) * GEN_PAGE);
	rec->mem_avg = (double)(r->mem4k.l * GEN_PAGE);
	rec->mem_max = (double)(gen_at(r->mem4k, hi) * GEN_PAGE);
	rec->mem_p95 = gen_pct((double)(gen_at(r->mem4k, k95) * GEN_PAGE));
	rec->swap_avg = (double)(r->swap4k.l * GEN_PAGE);
	rec->swap_max = (double)(gen_at(r->swap4k, hi) * GEN_PAGE);
	rec->pids_avg = (double)r->pids.l;
	rec->pids_max = (double)gen_at(r->pids, hi);
	/* The k's sum to zero over a minute: every sum is n * level. */
	rec->cpu_us = (double)(n * r->cpu_us.l);
	rec->nr_periods = (double)(n * r->periods.l);
	rec->nr_throttled = (double)(n * r->thr.l);
	rec->throttled_us = (double)(n * r->thr_us.l);
	rec->rbytes = (double)(n * r->rb.l);
	rec->wbytes = (double)(n * r->wb.l);
	rec->rios = (double)(n * r->ri.l);
	rec->wios = (double)(n * r->wi.l);
	rec->psi_cpu_us = (double)(n * r->psi_cpu.l);
	rec->psi_mem_us = (double)(n * r->psi_mem.l);
	rec->psi_io_us = (double)(n * r->psi_io.l);
	/* A tick's rates, as the scan computes them (metrics.h). */
	rec->cpu_p95 = gen_pct(metrics_rate((double)gen_at(r->cpu_us, k95), iv) / 1e6);
	rec->cpu_max = metrics_rate((double)gen_at(r->cpu_us, hi), iv) / 1e6;
	rec->io_p95 = gen_pct(metrics_rate((double)(gen_at(r->rb, k95) + gen_at(r->wb, k95)),
	    iv));
	rec->iops_p95 = gen_pct(metrics_rate((double)(gen_at(r->ri, k95) + gen_at(r->wi, k95)),
	    iv));
	rec->oom = oom;
	rec->oom_kill = oom;
	rec->mem_limit = gen_limit(r->lim.mem_limit);
	rec->swap_limit = gen_limit(r->lim.swap_limit);
	rec->cpu_shares = (double)r->lim.cpu_shares;
	rec->cpu_limit_cores = r->lim.cpu_quota_us == STORE_UNLIMITED ? INFINITY :
	    (double)r->lim.cpu_quota_us / (double)r->lim.cpu_period_us;
	rec->pids_limit = gen_limit(r->lim.pids_max);
	if (g->o.unknown_write && c == &g->ct[0]) {
		rec->wbytes = NAN;
		rec->io_p95 = NAN;              /* read + write: unknown */
	}
}

static void
gen_node_rec(const struct gen *g, const struct gen_node_min *r, int64_t m,
    struct roll_node_rec *rec)
{
	int64_t n = g->n, k95 = gen_k95(n), hi = n - 1;

	roll_node_rec_init(rec);
	rec->tier = ROLL_MINUTE;
	rec->ts_ms = g->o.start_ms + m * GEN_MIN_MS;
	rec->n = n;
	rec->dt_ms = n * g->o.interval_ms;
	rec->ncpu = GEN_NCPU;
	rec->mem_total = (double)(16 * GEN_G);
	rec->mem_avail_min = (double)gen_at(r->avail, -hi);
	rec->mem_avail_avg = (double)r->avail.l;
	rec->swap_total = (double)r->swap_total;
	rec->swap_free_min = (double)gen_at(r->swap_free, -hi);
	rec->swap_free_avg = (double)r->swap_free.l;
	rec->cpu_busy_ms = (double)(n * r->busy_ms.l);
	rec->cpu_total_ms = (double)(n * r->total_ms);
	rec->cpu_busy_p95 = gen_pct(100.0 * (double)gen_at(r->busy_ms, k95) /
	    (double)r->total_ms);
	rec->load1_avg = (double)r->load1.l / 100.0;
	rec->load1_max = (double)gen_at(r->load1, hi) / 100.0;
	rec->psi_cpu_us = (double)(n * r->psi_cpu.l);
	rec->psi_mem_us = (double)(n * r->psi_mem.l);
	rec->psi_io_us = (double)(n * r->psi_io.l);
}

/* --- writing ----------------------------------------------------------------- */

static void
gen_fail(struct gen *g, int err, const char *what)
{
	fprintf(stderr, "cgov_gen: %s: %s: %s\n", g->o.db, what, strerror(-err));
	store_close(g->st);
	exit(1);
}

static void
gen_progress(struct gen *g, const char *what, int64_t done, int64_t total)
{
	int64_t now = units_mono_ms();

	if (g->o.quiet || (now - g->progress_ms < 1000 && done < total))
		return;
	g->progress_ms = now;
	fprintf(stderr, "cgov_gen: %s %" PRId64 "/%" PRId64 " (%.1f s)\n", what, done, total,
	    (double)(now - g->t0_ms) / 1000.0);
}

static void
gen_containers(struct gen *g)
{
	char buf[64];
	int r;

	g->ct = xcalloc((size_t)g->o.containers, sizeof *g->ct);
	for (int64_t i = 0; i < g->o.containers; i++) {
		struct gen_ct *c = &g->ct[i];
		uint64_t s = gen_key(g->o.seed, i, -1, 3);

		c->shape = (enum gen_shape)(i % GEN_SHAPES);
		if (i < GEN_SHAPES) {
			c->f = 1000;
			c->phase = 0;
			snprintf(buf, sizeof buf, "%s", gen_shape_names[c->shape]);
		} else {
			c->f = 800 + (int64_t)(gen_next(&s) % 401);
			c->phase = (int64_t)(gen_next(&s) % 360);
			snprintf(buf, sizeof buf, "%s-%" PRId64, gen_shape_names[c->shape],
			    i / GEN_SHAPES);
		}
		c->name = xstrdup(g->o.hostile && i == GS_DB ? gen_hostile_name : buf);
		/* The hostile name goes into the path as it is: its '/'
		 * makes the path deeper than a real cgroup's would be, which
		 * no output may care about. */
		if (asprintf(&c->path, "/lxc/%s", c->name) == -1)
			fatal("asprintf");
		if ((r = store_container_upsert(g->st, c->path, c->name, "lxc", g->o.start_ms,
		    &c->cid)) < 0)
			gen_fail(g, r, "container");
	}
}

static void
gen_write_minutes(struct gen *g)
{
	struct gen_node_min nm;
	struct roll_node_rec nrec;
	struct roll_rec rec;
	struct gen_min mr;
	int64_t rows = 0;
	int r, open = 0;

	for (int64_t m = 0; m < g->old_minutes; m++) {
		if (!open) {
			if ((r = roll_begin(g->st)) < 0)
				gen_fail(g, r, "roll_begin");
			open = 1;
		}
		for (int64_t i = 0; i < g->o.containers; i++) {
			gen_minute(g, &g->ct[i], i, m, &mr);
			gen_minute_rec(g, &g->ct[i], &mr, m, &rec);
			if ((r = roll_put(g->st, &rec)) < 0)
				gen_fail(g, r, "roll_put");
		}
		gen_node_minute(g, m, &nm);
		gen_node_rec(g, &nm, m, &nrec);
		if ((r = roll_put_node(g->st, &nrec)) < 0)
			gen_fail(g, r, "roll_put_node");
		rows += g->o.containers + 1;
		g->minute_rows += g->o.containers;
		if (rows >= GEN_BATCH_ROWS || m + 1 == g->old_minutes) {
			if ((r = roll_commit(g->st)) < 0)
				gen_fail(g, r, "roll_commit");
			open = 0;
			rows = 0;
			gen_progress(g, "minutes", m + 1, g->old_minutes);
		}
	}
}

static void
gen_write_ticks(struct gen *g)
{
	int64_t first = g->old_minutes * g->n, last = g->minutes * g->n;
	struct gen_node_min nm;
	struct store_sample s;
	struct store_node nd;
	int r;

	for (int64_t k = first; k < last; k++) {
		int64_t m = k / g->n, i = k % g->n;
		int64_t ts = g->o.start_ms + k * g->o.interval_ms;

		if (k == first || i == 0) {
			for (int64_t c = 0; c < g->o.containers; c++)
				gen_minute(g, &g->ct[c], c, m, &g->ct[c].cur);
			gen_node_minute(g, m, &nm);
		}
		if ((r = store_tick_begin(g->st, ts, g->o.interval_ms)) < 0)
			gen_fail(g, r, "tick");
		for (int64_t c = 0; c < g->o.containers; c++) {
			struct gen_ct *ct = &g->ct[c];

			/* The last tick refreshes last_seen, as a rescan does. */
			if (k + 1 == last && (r = store_container_upsert(g->st, ct->path,
			    ct->name, "lxc", ts, &ct->cid)) < 0)
				gen_fail(g, r, "container");
			gen_sample(g, ct, i, &s);
			if ((r = store_tick_add_sample(g->st, &s)) < 0)
				gen_fail(g, r, "sample");
			if (!ct->have_lim || memcmp(&ct->last_lim, &ct->cur.lim,
			    sizeof ct->last_lim) != 0) {
				if ((r = store_tick_add_limits(g->st, &ct->cur.lim)) < 0)
					gen_fail(g, r, "limits");
				ct->last_lim = ct->cur.lim;
				ct->have_lim = 1;
			}
		}
		gen_node(g, &nm, i, &nd);
		if ((r = store_tick_add_node(g->st, &nd)) < 0)
			gen_fail(g, r, "node");
		if ((r = store_tick_commit(g->st)) < 0)
			gen_fail(g, r, "commit");
		g->raw_ticks++;
		gen_progress(g, "ticks", k + 1 - first, last - first);
	}
}

/* --- the journal --------------------------------------------------------------- */

static void
gen_action(struct gen *g, const struct journal_action *a)
{
	int r;

	if ((r = journal_action_add(g->st, a, NULL)) < 0)
		gen_fail(g, r, "journal");
}

static void
gen_journal_step(struct gen *g, int64_t minute, int what)
{
	int64_t ts = g->o.start_ms + minute * GEN_MIN_MS;
	int64_t batch = g->ct[GS_BATCH].cid, backup = g->ct[GS_BACKUP].cid;
	int64_t dev = (int64_t)makedev(254, 0);
	int r;

	if (minute >= g->minutes)
		return;                 /* past the end of the span */
	if ((r = journal_begin(g->st)) < 0)
		gen_fail(g, r, "journal_begin");
	switch (what) {
	case 0:         /* the cpu-hog rule's second rung: a quota */
		if ((r = journal_orig_put(g->st, batch, NULL, PK_CPU_QUOTA, 0, 1500, ts)) < 0)
			gen_fail(g, r, "journal_orig_put");
		gen_action(g, &(struct journal_action){
			.ts_ms = ts, .cid = batch, .kind = JK_APPLY,
			.policy = "lxc-noisy", .rule = "cpu-hog",
			.rung = pol_knob_rung(PK_CPU_QUOTA), .knob = PK_CPU_QUOTA,
			.old_value = 1500, .new_value = GEN_ACT_QUOTA_MC,
			.observed = "cpu 1.53 cores > 1.5 cores and node.cpu 85% > 80%",
			.restored_ms = STORE_NULL,
		});
		break;
	case 1:         /* a static limit below usage is never written */
		gen_action(g, &(struct journal_action){
			.ts_ms = ts, .cid = g->ct[GS_JVM].cid, .kind = JK_REFUSED,
			.policy = "tenant-limits", .rung = -1, .knob = PK_MEM_LIMIT,
			.old_value = 2 * GEN_G, .new_value = 3 * GEN_G / 2,
			.observed = "memory usage 1.7G above the limit 1.5G: never lowered "
			    "below usage",
			.restored_ms = STORE_NULL,
		});
		break;
	case 2:         /* the rule cleared: the original goes back */
		gen_action(g, &(struct journal_action){
			.ts_ms = ts, .cid = batch, .kind = JK_RESTORE,
			.policy = "lxc-noisy", .rule = "cpu-hog",
			.rung = pol_knob_rung(PK_CPU_QUOTA), .knob = PK_CPU_QUOTA,
			.old_value = GEN_ACT_QUOTA_MC, .new_value = 1500,
			.observed = "no longer wanted", .restored_ms = STORE_NULL,
		});
		if ((r = journal_action_restored(g->st, batch, NULL, PK_CPU_QUOTA, 0, ts, 0)) < 0)
			gen_fail(g, r, "journal_action_restored");
		if ((r = journal_orig_del(g->st, batch, NULL, PK_CPU_QUOTA, 0)) < 0)
			gen_fail(g, r, "journal_orig_del");
		break;
	case 3:         /* io-flood: still in force at the end */
		if ((r = journal_orig_put(g->st, backup, NULL, PK_IO_WBPS, dev, POL_MAX, ts)) < 0)
			gen_fail(g, r, "journal_orig_put");
		gen_action(g, &(struct journal_action){
			.ts_ms = ts, .cid = backup, .kind = JK_APPLY,
			.policy = "lxc-noisy", .rule = "io-flood",
			.rung = pol_knob_rung(PK_IO_WBPS), .knob = PK_IO_WBPS, .dev = dev,
			.old_value = POL_MAX, .new_value = GEN_ACT_WBPS,
			.observed = "io.write 150M/s > 100M/s for 10s",
			.restored_ms = STORE_NULL,
		});
		break;
	}
	if ((r = journal_commit(g->st)) < 0)
		gen_fail(g, r, "journal_commit");
}

static void
gen_journal(struct gen *g)
{
	if (!g->o.actions)
		return;
	gen_journal_step(g, GEN_ACT_QUOTA_MIN, 0);
	gen_journal_step(g, GEN_ACT_REFUSED_MIN, 1);
	gen_journal_step(g, GEN_ACT_RESTORE_MIN, 2);
	gen_journal_step(g, GEN_ACT_IO_MIN, 3);
}

/* --- rollups and retention ------------------------------------------------------ */

static void
gen_rollup(struct gen *g)
{
	int64_t end = g->o.start_ms + g->o.span_ms, steps[ROLL_NWORK] = { 0 };
	struct roll_conf conf;
	enum roll_work w;
	int r;

	roll_conf_defaults(&conf);
	conf.keep_ms[ROLL_RAW] = g->o.keep_raw_ms;
	conf.keep_ms[ROLL_MINUTE] = g->o.keep_minute_ms;
	conf.max_bytes = 0;             /* a size cap would trim what we just wrote */
	do {
		if ((r = roll_step(g->st, &conf, end, &w)) < 0)
			gen_fail(g, r, "roll_step");
		steps[w]++;
		if (!g->o.quiet && units_mono_ms() - g->progress_ms >= 1000) {
			g->progress_ms = units_mono_ms();
			fprintf(stderr, "cgov_gen: rollup: %" PRId64 " minutes, %" PRId64
			    " hours, %" PRId64 " trims (%.1f s)\n", steps[ROLL_DID_MINUTE],
			    steps[ROLL_DID_HOUR], steps[ROLL_DID_TRIM],
			    (double)(g->progress_ms - g->t0_ms) / 1000.0);
		}
	} while (w != ROLL_IDLE);
	if (!g->o.quiet)
		fprintf(stderr, "cgov_gen: rollup done: %" PRId64 " minutes, %" PRId64
		    " hours, %" PRId64 " trims\n", steps[ROLL_DID_MINUTE],
		    steps[ROLL_DID_HOUR], steps[ROLL_DID_TRIM]);
}

/* --- the command line ------------------------------------------------------------ */

static __attribute__((noreturn)) void
gen_usage(const char *why)
{
	if (why != NULL)
		fprintf(stderr, "cgov_gen: %s\n", why);
	fprintf(stderr, "usage: cgov_gen --db FILE [--containers N] [--hours H | --days D] "
	    "[--raw DUR]\n"
	    "           [--interval DUR] [--start UNIX_SECONDS] [--seed N] [--hostile] "
	    "[--actions]\n"
	    "           [--swap] [--keep-minute DUR] [--keep-raw DUR] [--unknown-write] "
	    "[--quiet]\n");
	exit(2);
}

static int64_t
gen_num(const char *opt, const char *s, int64_t min, int64_t max)
{
	char *end;
	long long v;

	errno = 0;
	v = strtoll(s, &end, 10);
	if (errno != 0 || end == s || *end != '\0' || v < min || v > max) {
		fprintf(stderr, "cgov_gen: %s: not a number in %" PRId64 "..%" PRId64 ": %s\n",
		    opt, min, max, s);
		gen_usage(NULL);
	}
	return v;
}

static int64_t
gen_dur(const char *opt, const char *s)
{
	uint64_t ms;

	if (units_parse_duration(s, &ms) < 0 || ms > (uint64_t)INT64_MAX / 2) {
		fprintf(stderr, "cgov_gen: %s: not a duration (10s, 5m, 2h, 30d): %s\n", opt, s);
		gen_usage(NULL);
	}
	return (int64_t)ms;
}

static void
gen_args(int argc, char **argv, struct gen_opts *o)
{
	enum { O_DB = 256, O_CONTAINERS, O_HOURS, O_DAYS, O_RAW, O_INTERVAL, O_START,
	    O_SEED, O_HOSTILE, O_ACTIONS, O_SWAP, O_KEEP_MINUTE, O_KEEP_RAW, O_UNKNOWN_WRITE,
	    O_QUIET, O_SPAN };
	static const struct option opts[] = {
		{ "db", required_argument, NULL, O_DB },
		{ "containers", required_argument, NULL, O_CONTAINERS },
		{ "hours", required_argument, NULL, O_HOURS },
		{ "days", required_argument, NULL, O_DAYS },
		{ "raw", required_argument, NULL, O_RAW },
		{ "interval", required_argument, NULL, O_INTERVAL },
		{ "start", required_argument, NULL, O_START },
		{ "seed", required_argument, NULL, O_SEED },
		{ "hostile", no_argument, NULL, O_HOSTILE },
		{ "actions", no_argument, NULL, O_ACTIONS },
		{ "swap", no_argument, NULL, O_SWAP },
		{ "keep-minute", required_argument, NULL, O_KEEP_MINUTE },
		{ "keep-raw", required_argument, NULL, O_KEEP_RAW },
		{ "unknown-write", no_argument, NULL, O_UNKNOWN_WRITE },
		{ "quiet", no_argument, NULL, O_QUIET },
		{ "span", required_argument, NULL, O_SPAN },
		{ NULL, 0, NULL, 0 },
	};
	int ch, spans = 0;

	*o = (struct gen_opts){
		.containers = 6, .span_ms = 3 * GEN_HOUR_MS, .raw_ms = -1,
		.interval_ms = 10000, .start_ms = INT64_C(1767225600) * 1000, .seed = 1,
	};
	while ((ch = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (ch) {
		case O_DB:
			o->db = optarg;
			break;
		case O_CONTAINERS:
			o->containers = gen_num("--containers", optarg, 1, STORE_CID_MAX);
			break;
		case O_HOURS:
			o->span_ms = gen_num("--hours", optarg, 1, 24 * 3660) * GEN_HOUR_MS;
			spans++;
			break;
		case O_DAYS:
			o->span_ms = gen_num("--days", optarg, 1, 3660) * GEN_DAY_MS;
			spans++;
			break;
		case O_SPAN:
			o->span_ms = gen_dur("--span", optarg);
			spans++;
			break;
		case O_RAW:
			o->raw_ms = gen_dur("--raw", optarg);
			break;
		case O_INTERVAL:
			o->interval_ms = gen_dur("--interval", optarg);
			break;
		case O_START:
			o->start_ms = gen_num("--start", optarg, 0, INT64_C(1) << 40) * 1000;
			break;
		case O_SEED:
			o->seed = (uint64_t)gen_num("--seed", optarg, 0, INT64_MAX);
			break;
		case O_HOSTILE:
			o->hostile = 1;
			break;
		case O_ACTIONS:
			o->actions = 1;
			break;
		case O_SWAP:
			o->swap = 1;
			break;
		case O_KEEP_MINUTE:
			o->keep_minute_ms = gen_dur("--keep-minute", optarg);
			break;
		case O_KEEP_RAW:
			o->keep_raw_ms = gen_dur("--keep-raw", optarg);
			break;
		case O_UNKNOWN_WRITE:
			o->unknown_write = 1;
			break;
		case O_QUIET:
			o->quiet = 1;
			break;
		default:
			gen_usage(NULL);
		}
	}
	if (optind != argc)
		gen_usage("unexpected arguments");
	if (o->db == NULL)
		gen_usage("--db FILE is required");
	if (spans > 1)
		gen_usage("--hours, --days and --span exclude each other");
	if (o->actions && o->containers < GEN_SHAPES)
		gen_usage("--actions needs the first six containers (--containers 6 or more)");
	/* Whole ticks in a minute, and at least one CFS period per tick. */
	if (o->interval_ms < 100 || GEN_MIN_MS % o->interval_ms != 0)
		gen_usage("--interval must divide a minute (100ms at least): 1s, 5s, 10s, 1m");
	if (o->raw_ms == 0)
		gen_usage("--raw must be at least one minute");
	if (o->raw_ms < 0 || o->raw_ms > o->span_ms)
		o->raw_ms = o->span_ms;
	o->raw_ms = (o->raw_ms + GEN_MIN_MS - 1) / GEN_MIN_MS * GEN_MIN_MS;
	if (o->raw_ms < o->span_ms && o->start_ms % GEN_MIN_MS != 0)
		gen_usage("--start must be a whole minute when --raw is shorter than the span");
}

int
main(int argc, char **argv)
{
	struct gen g = { 0 };
	struct stat sb;
	int64_t bytes = 0, samples;
	int r;

	log_init("cgov_gen", 0, LOG_LEVEL_WARN);
	gen_args(argc, argv, &g.o);
	g.t0_ms = units_mono_ms();
	g.n = GEN_MIN_MS / g.o.interval_ms;
	g.minutes = g.o.span_ms / GEN_MIN_MS;
	g.old_minutes = (g.o.span_ms - g.o.raw_ms) / GEN_MIN_MS;
	/* A helper must never add fake history to a real database. */
	if (stat(g.o.db, &sb) == 0) {
		fprintf(stderr, "cgov_gen: %s exists: remove it first\n", g.o.db);
		return 2;
	}
	if ((r = store_open(g.o.db, 0, &g.st)) < 0) {
		fprintf(stderr, "cgov_gen: %s: %s\n", g.o.db, strerror(-r));
		return 1;
	}
	gen_containers(&g);
	gen_write_minutes(&g);
	gen_write_ticks(&g);
	gen_journal(&g);
	gen_rollup(&g);
	if ((r = store_stats(g.st, &samples, &bytes)) < 0)
		gen_fail(&g, r, "stats");
	store_close(g.st);
	printf("cgov_gen: %" PRId64 " containers, %" PRId64 " raw ticks, %" PRId64
	    " minute rows, DB %" PRId64 " bytes, %.1f s\n", g.o.containers, g.raw_ticks,
	    g.minute_rows, bytes, (double)(units_mono_ms() - g.t0_ms) / 1000.0);
	for (int64_t i = 0; i < g.o.containers; i++) {
		free(g.ct[i].path);
		free(g.ct[i].name);
	}
	free(g.ct);
	return 0;
}
