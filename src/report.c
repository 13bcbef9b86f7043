/* report.c: the nightly report's figures, from one scan of the history
 * (report.h). */
#include "config.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "buf.h"
#include "journal.h"
#include "metrics.h"
#include "audit.h"
#include "report.h"
#include "rollup.h"
#include "units.h"
#include "xmalloc.h"

/* Pids read per container for the JVM check: a tenant may fork 100k tasks,
 * and one java among the first few thousand is enough to tell. */
#define REPORT_MAX_PIDS  4096

const char report_forecast_method[] =
    "A least-squares line through the node's available memory over the "
    "window: one point per history record (the record's mean, at the middle "
    "of its span, weighted by the time it covers). The date is where that "
    "line reaches zero, counted from the end of the window; there is none "
    "when the line is flat or rising, or when the noise explains the points "
    "as well as the line does (the slope's t statistic, "
    "sqrt(R^2 (n - 2) / (1 - R^2)) for n points, under 2): \"not at the "
    "current trend\"; nor when it lies more than 365 days out. The slope is "
    "in bytes per day; R^2 (0..1) "
    "says how much of the variation the line explains: near 1 a steady trend, "
    "near 0 noise. Containers: the same fit of their mean memory against "
    "their memory limit. No trend is given at all (\"too-short\") from a "
    "history that covers less than 25% of the window or spans less than an "
    "hour: a slope per day from minutes of data overstates; a trend line is "
    "drawn only from the first instant that has data.";

static const char *const report_res_names[RES_NRES] = {
	"memory", "swap", "cpu", "throttle", "io", "iops"
};

const char *
report_res_name(enum report_res r)
{
	return (unsigned)r < RES_NRES ? report_res_names[r] : "?";
}

double
report_res_value(const struct report_ctr *c, enum report_res r)
{
	switch (r) {
	case RES_MEMORY:
		return c->mem_p95;
	case RES_SWAP:
		return c->swap_max;
	case RES_CPU:
		return c->cpu_avg;
	case RES_THROTTLE:
		return c->throttled_time_pct;
	case RES_IO:
		return metrics_sum(c->rbytes, c->wbytes);
	case RES_IOPS:
		return c->iops_p95;
	case RES_NRES:
		break;
	}
	return NAN;
}

void
report_iso_time(int64_t ms, char *buf, size_t len)
{
	units_format_utc(ms, "%Y-%m-%dT%H:%M:%SZ", buf, len);
}

/* --- the scan ------------------------------------------------------------ */

/* Per-point accumulators of a series: a time-weighted mean (mem) and a
 * rate (cpu: us over ms). */
enum { SER_MEM_WS, SER_MEM_W, SER_CPU_US, SER_CPU_MS, SER_N };

struct rb_ctr {
	struct roll_sum sum;
	struct forecast_acc fc;
	double *ser;                 /* SER_N * npoints, allocated on the first record */
	int64_t dfrom, dto;          /* instants its records cover, clipped */
	int seen;
};

struct rb {
	struct report *r;
	struct store_container *cv;  /* every container the history knows */
	size_t ncv;
	struct rb_ctr *acc;          /* parallel to cv */
	size_t *by_cid;              /* indices into cv, sorted by cid */
	size_t last;                 /* the last lookup's answer (records of one
	                                bucket come cid after cid) */
	size_t *ctr_of;              /* cv index -> report.ctrs index, SIZE_MAX */
	struct roll_node_sum node;
	struct forecast_acc node_fc;
	int64_t node_from, node_to;  /* instants the node's records cover, clipped */
	double node_cov;             /* ms of the window they cover */
	double *node_ser;            /* SER_N * npoints: avail ws/w, busy ms/total ms */
};

static const struct store_container *rb_sort_cv;

static int
rb_cmp_cid(const void *a, const void *b)
{
	int64_t x = rb_sort_cv[*(const size_t *)a].cid, y = rb_sort_cv[*(const size_t *)b].cid;

	return x < y ? -1 : x > y;
}

/* The container's index in cv, or SIZE_MAX for a cid the container list
 * did not have (registered after it was read: next report). */
static size_t
rb_find(struct rb *b, int64_t cid)
{
	size_t lo = 0, hi = b->ncv;

	if (b->last < b->ncv && b->cv[b->last].cid == cid)
		return b->last;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int64_t c = b->cv[b->by_cid[mid]].cid;

		if (c == cid)
			return b->last = b->by_cid[mid];
		if (c < cid)
			lo = mid + 1;
		else
			hi = mid;
	}
	return SIZE_MAX;
}

/* Where a record sits in time: a raw tick at its time, a tier's bucket at
 * its middle. */
static int64_t
rb_mid(enum roll_tier tier, int64_t ts_ms)
{
	return ts_ms + roll_tier_ms(tier) / 2;
}

/* The chart bucket of a time. Records of a coarser tier kept by retention
 * may start before the window: they go to the first bucket; the newest
 * tick (at to_ms itself) to the last. */
static size_t
rb_point(const struct report *r, int64_t t_ms)
{
	int64_t i;

	if (r->npoints == 0 || t_ms < r->from_ms)
		return 0;
	i = (t_ms - r->from_ms) / r->step_ms;
	return i >= (int64_t)r->npoints ? r->npoints - 1 : (size_t)i;
}

/* The part of the window [from_ms, to_ms] a record covers: a raw tick the
 * dt_ms before it, a tier's bucket its whole span. Fills *s and *e (e < s:
 * none) and returns the ms of sampled time inside the window (dt_ms
 * scaled by the part of the span inside). */
static double
rb_cover(const struct report *r, enum roll_tier tier, int64_t ts_ms, int64_t dt_ms,
    int64_t *s, int64_t *e)
{
	int64_t len = tier == ROLL_RAW ? dt_ms : roll_tier_ms(tier);
	int64_t a = tier == ROLL_RAW ? ts_ms - dt_ms : ts_ms, b = a + len;

	*s = a < r->from_ms ? r->from_ms : a;
	*e = b > r->to_ms ? r->to_ms : b;
	if (len <= 0 || dt_ms <= 0 || *e < *s)
		return 0;
	return (double)dt_ms * (double)(*e - *s) / (double)len;
}

static void
rb_extend(int64_t *from, int64_t *to, int64_t s, int64_t e)
{
	if (e < s)
		return;
	if (*from == INT64_MIN || s < *from)
		*from = s;
	if (*to == INT64_MIN || e > *to)
		*to = e;
}

static int
rb_on_rec(void *arg, const struct roll_rec *rec)
{
	struct rb *b = arg;
	struct rb_ctr *c;
	size_t i = rb_find(b, rec->cid), p;
	int64_t mid;
	double *s;

	if (i == SIZE_MAX)
		return 0;
	b->r->records++;
	c = &b->acc[i];
	if (!c->seen) {
		roll_sum_init(&c->sum, rec->cid);
		forecast_init(&c->fc);
		c->ser = xcalloc((size_t)SER_N * (b->r->npoints ? b->r->npoints : 1),
		    sizeof *c->ser);
		c->dfrom = c->dto = INT64_MIN;
		c->seen = 1;
	}
	roll_sum_add(&c->sum, rec);
	{
		int64_t s0, e0;

		if (rb_cover(b->r, rec->tier, rec->ts_ms, rec->dt_ms, &s0, &e0) > 0)
			rb_extend(&c->dfrom, &c->dto, s0, e0);
	}
	mid = rb_mid(rec->tier, rec->ts_ms);
	forecast_add(&c->fc, mid, rec->mem_avg, (double)rec->dt_ms);
	if (b->r->npoints == 0 || rec->dt_ms <= 0)
		return 0;
	p = rb_point(b->r, mid);
	s = c->ser + (size_t)SER_N * p;
	if (isfinite(rec->mem_avg)) {
		s[SER_MEM_WS] += rec->mem_avg * (double)rec->dt_ms;
		s[SER_MEM_W] += (double)rec->dt_ms;
	}
	if (isfinite(rec->cpu_us)) {
		s[SER_CPU_US] += rec->cpu_us;
		s[SER_CPU_MS] += (double)rec->dt_ms;
	}
	return 0;
}

static int
rb_on_node(void *arg, const struct roll_node_rec *rec)
{
	struct rb *b = arg;
	int64_t mid = rb_mid(rec->tier, rec->ts_ms);
	double *s;

	int64_t s0, e0;
	double cov;

	roll_node_sum_add(&b->node, rec);
	forecast_add(&b->node_fc, mid, rec->mem_avail_avg, (double)rec->dt_ms);
	if ((cov = rb_cover(b->r, rec->tier, rec->ts_ms, rec->dt_ms, &s0, &e0)) > 0) {
		b->node_cov += cov;
		rb_extend(&b->node_from, &b->node_to, s0, e0);
	}
	if (b->r->npoints == 0 || rec->dt_ms <= 0)
		return 0;
	s = b->node_ser + (size_t)SER_N * rb_point(b->r, mid);
	if (isfinite(rec->mem_avail_avg)) {
		s[SER_MEM_WS] += rec->mem_avail_avg * (double)rec->dt_ms;
		s[SER_MEM_W] += (double)rec->dt_ms;
	}
	if (isfinite(rec->cpu_busy_ms) && isfinite(rec->cpu_total_ms) && rec->cpu_total_ms > 0) {
		s[SER_CPU_US] += rec->cpu_busy_ms;
		s[SER_CPU_MS] += rec->cpu_total_ms;
	}
	return 0;
}

/* --- the figures ------------------------------------------------------- */

static double
rb_ratio(double num, double den)
{
	if (!isfinite(num) || !isfinite(den))
		return NAN;
	return den > 0 ? num / den : NAN;
}

/* What a chart's series shows per point. */
enum rb_ser { RS_MEAN, RS_CORES, RS_BUSY_PCT };

static float *
rb_series(const double *ser, size_t npoints, enum rb_ser kind)
{
	float *v = xcalloc(npoints ? npoints : 1, sizeof *v);

	for (size_t p = 0; p < npoints; p++) {
		const double *s = ser + (size_t)SER_N * p;
		double x;

		/* Each point over the time its figures were known (metrics.h:
		 * cores from CPU µs over ms, busy % of the CPUs' time). */
		if (kind == RS_MEAN)
			x = s[SER_MEM_W] > 0 ? s[SER_MEM_WS] / s[SER_MEM_W] : NAN;
		else if (kind == RS_CORES)
			x = metrics_rate(s[SER_CPU_US], (int64_t)s[SER_CPU_MS]) / 1e6;
		else
			x = metrics_busy_pct(s[SER_CPU_US], s[SER_CPU_MS]);
		v[p] = (float)x;
	}
	return v;
}

/* The trend rule (report.h): enough of the window covered, over a long
 * enough span, by enough points? */
static int
rb_trend_ok(const struct report *r, double covered_ms, int64_t from, int64_t to, size_t n)
{
	return r->since_ms > 0 && from != INT64_MIN && n >= FORECAST_MIN_POINTS &&
	    covered_ms * 100 >= REPORT_TREND_MIN_COVER_PCT * (double)r->since_ms &&
	    to - from >= REPORT_TREND_MIN_SPAN_MS;
}

/* Withholds a fit the rule refuses: no slope, no line, no date. */
static void
rb_withhold(struct forecast *f)
{
	f->ok = 0;
	f->v0 = f->slope = f->slope_per_day = f->r2 = NAN;
}

static void
rb_fill_ctr(struct report *r, struct report_ctr *c, const struct store_container *sc,
    struct rb_ctr *a)
{
	struct roll_rec m;
	struct gov_metrics x;

	roll_sum_rec(&a->sum, &m);
	/* The window's rates: the daemon's arithmetic on the merged record. */
	metrics_from_rec(&m, &x);
	c->cid = sc->cid;
	c->path = xstrdup(sc->path ? sc->path : "");
	c->name = sc->name ? xstrdup(sc->name) : NULL;
	c->runtime = sc->runtime ? xstrdup(sc->runtime) : NULL;
	c->first_seen_ms = sc->first_seen_ms;
	c->last_seen_ms = sc->last_seen_ms;
	c->gone_ms = sc->gone_ms;
	c->samples = m.n;
	c->sampled_ms = m.dt_ms;
	c->data_from_ms = a->dfrom;
	c->data_to_ms = a->dto;

	c->mem_avg = m.mem_avg;
	c->mem_p50 = roll_sum_mem_p50(&a->sum);
	c->mem_p95 = roll_pct_get(&a->sum.mem_p95, 95);
	c->mem_max = m.mem_max;
	c->mem_limit = m.mem_limit;
	c->no_mem_limit = isinf(m.mem_limit) && m.mem_limit > 0;
	c->mem_p95_pct = metrics_pct(c->mem_p95, m.mem_limit);
	c->mem_max_pct = metrics_pct(c->mem_max, m.mem_limit);
	c->swap_avg = m.swap_avg;
	c->swap_max = m.swap_max;
	c->swap_limit = m.swap_limit;

	/* Counter sums cover dt_ms (rollup.h extrapolates partly unknown
	 * spans), so sum / dt is the rate over the sampled time. */
	c->cpu_avg = x.v[PM_CPU];
	c->cpu_p95 = roll_pct_get(&a->sum.cpu_p95, 95);
	c->cpu_max = m.cpu_max;
	c->cpu_limit_cores = m.cpu_limit_cores;
	c->cpu_shares = m.cpu_shares;
	c->cpu_shares_pct = NAN;
	c->throttled_pct = x.v[PM_THROTTLED];
	c->throttled_time_pct = metrics_time_pct(m.throttled_us, m.dt_ms);

	c->rbytes = m.rbytes;
	c->wbytes = m.wbytes;
	c->rios = m.rios;
	c->wios = m.wios;
	c->io_avg = metrics_sum(x.v[PM_IO_READ], x.v[PM_IO_WRITE]);
	c->io_p95 = roll_pct_get(&a->sum.io_p95, 95);
	c->iops_p95 = roll_pct_get(&a->sum.iops_p95, 95);
	c->oom = m.oom;
	c->oom_kill = m.oom_kill;
	c->jvm = -1;

	/* Its memory against its limit. A container gone by the end of the
	 * window has no future to forecast. */
	forecast_fit(&a->fc, &c->mem_fc);
	c->limit_ms = INT64_MIN;
	if (c->mem_fc.ok && !rb_trend_ok(r, (double)m.dt_ms, a->dfrom, a->dto, c->mem_fc.n)) {
		rb_withhold(&c->mem_fc);
		c->limit_verdict = FC_TOO_SHORT;
	} else if (isfinite(m.mem_limit) && m.mem_limit > 0 &&
	    (sc->gone_ms == STORE_NULL || sc->gone_ms > r->to_ms))
		c->limit_verdict = forecast_reach(&c->mem_fc, m.mem_limit, 0, r->to_ms,
		    REPORT_HORIZON_MS, &c->limit_ms);
	else
		c->limit_verdict = FC_TOO_FEW;

	c->mem = rb_series(a->ser, r->npoints, RS_MEAN);
	c->cpu = rb_series(a->ser, r->npoints, RS_CORES);
}

static int
rb_present(const struct report *r, const struct report_ctr *c)
{
	return c->gone_ms == STORE_NULL || c->gone_ms > r->to_ms;
}

/* The node's temperatures over the window; a failure leaves them out
 * (a side dish: the rest of the report stands). */
static void
rb_temps(struct store *st, struct report *r)
{
	struct report_node *n = &r->node;
	struct store_temp_row *t;
	size_t nt;

	n->temp_max_c = n->temp_last_c = NAN;
	if (r->to_ms == 0 || store_query_temps(st, r->since_ms, &t, &nt) < 0)
		return;
	n->temp_sensors = nt;
	for (size_t i = 0; i < nt; i++) {
		if (!isnan(t[i].max_c) && (isnan(n->temp_max_c) || t[i].max_c > n->temp_max_c)) {
			n->temp_max_c = t[i].max_c;
			snprintf(n->temp_max_sensor, sizeof n->temp_max_sensor, "%s", t[i].sensor);
		}
		if (!isnan(t[i].last_c) && (isnan(n->temp_last_c) || t[i].last_c > n->temp_last_c))
			n->temp_last_c = t[i].last_c;
	}
	store_temps_free(t, nt);
}

static void
rb_fill_node(struct report *r, struct rb *b)
{
	struct report_node *n = &r->node;
	struct roll_node_rec m;
	struct gov_metrics x;
	double swap;

	roll_node_sum_rec(&b->node, &m);
	n->samples = m.n;
	n->ncpu = m.ncpu;
	n->mem_total = m.mem_total;
	n->mem_avail_avg = m.mem_avail_avg;
	n->mem_avail_min = m.mem_avail_min;
	n->swap_total = m.swap_total;
	n->swap_free_min = m.swap_free_min;
	n->swap_used_max = m.swap_total - m.swap_free_min;
	metrics_node_from_rec(&m, &x);
	n->cpu_busy_avg = x.v[PM_NODE_CPU];
	n->cpu_busy_p95 = roll_pct_get(&b->node.busy_p95, 95);
	n->load1_avg = m.load1_avg;
	n->load1_max = m.load1_max;

	n->mem_committed = 0;
	n->cpu_shares_total = 0;
	n->cpu_committed_cores = 0;
	for (size_t i = 0; i < r->nctrs; i++) {
		struct report_ctr *c = &r->ctrs[i];

		if (!rb_present(r, c))
			continue;
		n->ctrs_present++;
		if (c->no_mem_limit)
			n->ctrs_no_limit++;
		else if (isfinite(c->mem_limit))
			n->mem_committed += c->mem_limit;
		if (isfinite(c->cpu_shares))
			n->cpu_shares_total += c->cpu_shares;
		if (isfinite(c->cpu_limit_cores))
			n->cpu_committed_cores += c->cpu_limit_cores;
	}
	for (size_t i = 0; i < r->nctrs; i++) {
		struct report_ctr *c = &r->ctrs[i];

		if (rb_present(r, c) && isfinite(c->cpu_shares))
			c->cpu_shares_pct = metrics_pct(c->cpu_shares, n->cpu_shares_total);
	}
	n->overcommit_ram = rb_ratio(n->mem_committed, n->mem_total);
	swap = isfinite(n->swap_total) ? n->swap_total : 0;
	n->overcommit_ram_swap = rb_ratio(n->mem_committed, n->mem_total + swap);
	n->mem_headroom = n->mem_avail_min;
	n->mem_headroom_pct = metrics_pct(n->mem_avail_min, n->mem_total);
	n->cpu_headroom_cores = isfinite(n->cpu_busy_p95) && isfinite(n->ncpu) ?
	    n->ncpu * (100 - n->cpu_busy_p95) / 100 : NAN;

	r->covered_ms = (int64_t)(b->node_cov < (double)r->since_ms ? b->node_cov :
	    (double)r->since_ms);
	r->coverage_pct = r->since_ms > 0 ? 100.0 * (double)r->covered_ms / (double)r->since_ms : NAN;
	r->data_from_ms = b->node_from;
	r->data_to_ms = b->node_to;
	forecast_fit(&b->node_fc, &n->mem_fc);
	if (n->mem_fc.ok && !rb_trend_ok(r, b->node_cov, b->node_from, b->node_to, n->mem_fc.n)) {
		rb_withhold(&n->mem_fc);
		n->mem_verdict = FC_TOO_SHORT;
		n->mem_out_ms = INT64_MIN;
	} else
		n->mem_verdict = forecast_reach(&n->mem_fc, 0, 1, r->to_ms, REPORT_HORIZON_MS,
		    &n->mem_out_ms);

	r->node_mem_avail = rb_series(b->node_ser, r->npoints, RS_MEAN);
	r->node_cpu_busy = rb_series(b->node_ser, r->npoints, RS_BUSY_PCT);
}

/* --- offenders ------------------------------------------------------------ */

static const struct report *rb_sort_r;
static enum report_res rb_sort_res;

static int
rb_cmp_top(const void *a, const void *b)
{
	const struct report_ctr *x = &rb_sort_r->ctrs[*(const size_t *)a];
	const struct report_ctr *y = &rb_sort_r->ctrs[*(const size_t *)b];
	double vx = report_res_value(x, rb_sort_res), vy = report_res_value(y, rb_sort_res);

	if (vx != vy)
		return vx > vy ? -1 : 1;
	return strcmp(x->path, y->path);
}

static void
rb_tops(struct report *r)
{
	for (int res = 0; res < RES_NRES; res++) {
		size_t *v = xcalloc(r->nctrs ? r->nctrs : 1, sizeof *v), n = 0;

		for (size_t i = 0; i < r->nctrs; i++) {
			double x = report_res_value(&r->ctrs[i], (enum report_res)res);

			if (isfinite(x) && x > 0)
				v[n++] = i;
		}
		rb_sort_r = r;
		rb_sort_res = (enum report_res)res;
		qsort(v, n, sizeof *v, rb_cmp_top);
		r->tops[res] = v;
		r->ntop[res] = n < r->top ? n : r->top;
	}
}

/* --- actions ------------------------------------------------------------- */

static char *
rb_dup(const char *s)
{
	return s ? xstrdup(s) : NULL;
}

static int
rb_actions(struct store *st, struct rb *b)
{
	struct report *r = b->r;
	struct journal_filter f = { 0 };
	struct journal_action *v;
	size_t n;
	int e;

	f.since_ms = r->from_ms;
	if ((e = journal_action_query(st, &f, &v, &n)) < 0)
		return e;
	r->actions = xcalloc(n ? n : 1, sizeof *r->actions);
	for (size_t i = 0; i < n; i++) {
		struct report_action *a = &r->actions[r->nactions];
		size_t k = rb_find(b, v[i].cid);

		/* The journal may be newer than the last tick (cgovd commits
		 * the journal before the tick): the window ends at to_ms. */
		if (v[i].ts_ms > r->to_ms)
			continue;
		a->a = v[i];
		a->a.path = rb_dup(v[i].path);
		a->a.name = rb_dup(v[i].name);
		a->a.policy = rb_dup(v[i].policy);
		a->a.rule = rb_dup(v[i].rule);
		a->a.observed = rb_dup(v[i].observed);
		a->ctr = k != SIZE_MAX ? b->ctr_of[k] : SIZE_MAX;
		a->held_ms = -1;
		if (v[i].kind == JK_APPLY || v[i].kind == JK_REASSERT) {
			/* In force means what `cgov status` says: not restored.
			 * The window always ends at the newest tick, so a restore
			 * after to_ms happened after it (cgovd restores at its
			 * exit, after its last tick): the knob held until then
			 * and is not in force now. */
			if (v[i].restored_ms == STORE_NULL) {
				a->in_force = 1;
				a->held_ms = r->to_ms - v[i].ts_ms;
			} else
				a->held_ms = v[i].restored_ms - v[i].ts_ms;
			if (a->held_ms < 0)
				a->held_ms = 0;
		}
		if (a->ctr != SIZE_MAX) {
			r->ctrs[a->ctr].nactions++;
			if (a->held_ms > 0)
				r->ctrs[a->ctr].held_ms += a->held_ms;
		}
		r->nactions++;
	}
	journal_actions_free(v, n);
	return 0;
}

/* --- the host checks -------------------------------------------------------- */

/* Reads root/rel into buf (NUL-terminated, at most len - 1 bytes).
 * Returns the length or -errno. */
static ssize_t
rb_read(const char *root, const char *rel, char *buf, size_t len)
{
	char *p = xasprintf("%s/%s", root, rel);
	ssize_t n, got = 0;
	int fd = open(p, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);

	free(p);
	if (fd < 0)
		return -errno;
	while ((size_t)got < len - 1 && (n = read(fd, buf + got, len - 1 - (size_t)got)) != 0) {
		if (n < 0) {
			if (errno == EINTR)
				continue;
			n = -errno;
			close(fd);
			return n;
		}
		got += n;
	}
	buf[got] = '\0';
	close(fd);
	return got;
}

static double
rb_meminfo_swap(const char *root)
{
	char buf[8192], *p;
	unsigned long long kb;

	if (rb_read(root, "proc/meminfo", buf, sizeof buf) < 0)
		return NAN;
	for (p = buf; p != NULL && *p; p = strchr(p, '\n'), p = p ? p + 1 : NULL)
		if (strncmp(p, "SwapTotal:", 10) == 0 && sscanf(p + 10, "%llu", &kb) == 1)
			return (double)kb * 1024;
	return NAN;
}

/* Virtual and stacked devices: loop and ram disks, zram, device-mapper
 * (dm-*: the scheduler that matters is the one of the disk below). */
static int
rb_block_skipped(const char *name)
{
	return strncmp(name, "loop", 4) == 0 || strncmp(name, "ram", 3) == 0 ||
	    strncmp(name, "zram", 4) == 0 || strncmp(name, "dm-", 3) == 0 ||
	    name[0] == '.';
}

static int
rb_cmp_block(const void *a, const void *b)
{
	return strcmp(((const struct report_blockdev *)a)->name,
	    ((const struct report_blockdev *)b)->name);
}

/* "mq-deadline kyber [bfq] none": the active one is in brackets. A line
 * of one word without brackets (old kernels, single-queue "none") is that
 * word. */
static void
rb_scheduler(struct report_blockdev *d, char *line)
{
	char *o = strchr(line, '['), *c = o ? strchr(o, ']') : NULL, *w;
	struct buf all;

	line[strcspn(line, "\n")] = '\0';
	if (o != NULL && c != NULL)
		d->scheduler = xstrndup(o + 1, (size_t)(c - o - 1));
	buf_init(&all);
	for (w = strtok(line, " \t"); w != NULL; w = strtok(NULL, " \t")) {
		size_t l = strlen(w);

		if (w[0] == '[' && l > 1 && w[l - 1] == ']') {
			w++;
			l -= 2;
		}
		if (all.len > 0)
			buf_putc(&all, ' ');
		buf_append(&all, w, l);
	}
	d->available = xstrdup(all.len > 0 ? all.data : "");
	if (d->scheduler == NULL && all.len > 0 && strchr(all.data, ' ') == NULL)
		d->scheduler = xstrdup(all.data);
	buf_free(&all);
}

static void
rb_block(struct report_checks *k)
{
	char *dir = xasprintf("%s/sys/block", k->root);
	DIR *d = opendir(dir);
	struct dirent *e;
	size_t cap = 0;

	free(dir);
	if (d == NULL)
		return;
	k->block_known = 1;
	while ((e = readdir(d)) != NULL) {
		struct report_blockdev *b;
		char *rel, line[512];

		if (rb_block_skipped(e->d_name))
			continue;
		if (k->nblock == cap) {
			cap = cap ? cap * 2 : 8;
			k->block = xreallocarray(k->block, cap, sizeof *k->block);
		}
		b = &k->block[k->nblock++];
		memset(b, 0, sizeof *b);
		b->name = xstrdup(e->d_name);
		rel = xasprintf("sys/block/%s/queue/scheduler", e->d_name);
		if (rb_read(k->root, rel, line, sizeof line) >= 0)
			rb_scheduler(b, line);
		free(rel);
	}
	closedir(d);
	if (k->nblock > 1)
		qsort(k->block, k->nblock, sizeof *k->block, rb_cmp_block);
}

/* Is task pid a JVM? Its executable's base name when the link can be read
 * (a task may rename its comm), else its comm. */
static int
rb_task_java(const char *root, long pid)
{
	char comm[64], exe[4096], *rel;
	const char *base;
	ssize_t l;

	rel = xasprintf("%s/proc/%ld/exe", root, pid);
	l = readlink(rel, exe, sizeof exe - 1);
	free(rel);
	if (l > 0) {
		exe[l] = '\0';
		base = strrchr(exe, '/');
		return strcmp(base ? base + 1 : exe, "java") == 0;
	}
	rel = xasprintf("proc/%ld/comm", pid);
	l = rb_read(root, rel, comm, sizeof comm);
	free(rel);
	if (l <= 0)
		return 0;
	comm[strcspn(comm, "\n")] = '\0';
	return strcmp(comm, "java") == 0;
}

/* The JVM search of rb_jvm in directory dir (a cgroup) and, depth-first,
 * the cgroups below it while *left cgroups and *npids tasks remain. */
static int
rb_jvm_dir(const char *root, const char *dir, int *left, int *npids)
{
	char *procs = xasprintf("%s/cgroup.procs", dir);
	struct dirent *de;
	FILE *fp;
	DIR *d;
	long pid;
	int found = 0;

	if ((fp = fopen(procs, "re")) != NULL) {
		while (!found && (*npids)-- > 0 && fscanf(fp, "%ld", &pid) == 1)
			found = pid > 0 && rb_task_java(root, pid);
		fclose(fp);
	}
	free(procs);
	if (found || (d = opendir(dir)) == NULL)
		return found;
	while (!found && *left > 0 && *npids > 0 && (de = readdir(d)) != NULL) {
		char *sub;

		if (de->d_type != DT_DIR || strcmp(de->d_name, ".") == 0 ||
		    strcmp(de->d_name, "..") == 0)
			continue;
		(*left)--;
		sub = xasprintf("%s/%s", dir, de->d_name);
		found = rb_jvm_dir(root, sub, left, npids);
		free(sub);
	}
	closedir(d);
	return found;
}

/* Does a task of the container run java? Its tasks are read from the
 * memory hierarchy on v1 (every container has a memory cgroup there), else
 * from the unified one (v2: /sys/fs/cgroup, hybrid: /sys/fs/cgroup/unified),
 * over its subtree as cgovd reads them (its cgroup and at most 64 below:
 * a JVM run as a service inside counts), REPORT_MAX_PIDS tasks at most.
 * 1 yes, 0 no, -1 the cgroup is not there. */
static int
rb_jvm(const char *root, const char *path)
{
	static const char *const hier[] = {
		"sys/fs/cgroup/memory", "sys/fs/cgroup", "sys/fs/cgroup/unified",
	};
	char *dir = NULL, *procs;
	int left = 64, npids = REPORT_MAX_PIDS, there = 0, found;

	/* The path names a real cgroup, but it is a tenant's: never let it
	 * climb out of the hierarchy. */
	if (path[0] != '/' || strstr(path, "/../") != NULL || strstr(path, "/./") != NULL ||
	    (strlen(path) >= 3 && strcmp(path + strlen(path) - 3, "/..") == 0))
		return -1;
	for (size_t i = 0; i < sizeof hier / sizeof hier[0] && !there; i++) {
		free(dir);
		dir = xasprintf("%s/%s%s", root, hier[i], path);
		procs = xasprintf("%s/cgroup.procs", dir);
		there = access(procs, R_OK) == 0;
		free(procs);
	}
	if (!there) {
		free(dir);
		return -1;
	}
	found = rb_jvm_dir(root, dir, &left, &npids);
	free(dir);
	return found;
}

static void
rb_checks(struct report *r, const char *root)
{
	struct report_checks *k = &r->checks;

	k->root = root;
	k->host_swap_total = rb_meminfo_swap(root);
	if (isfinite(k->host_swap_total))
		k->host_no_swap = k->host_swap_total == 0;
	else if (isfinite(r->node.swap_total))
		k->host_no_swap = r->node.swap_total == 0;
	else
		k->host_no_swap = -1;
	rb_block(k);
	for (size_t i = 0; i < r->nctrs; i++) {
		struct report_ctr *c = &r->ctrs[i];

		if (!rb_present(r, c))
			continue;
		c->jvm = rb_jvm(root, c->path);
		c->jvm_no_swap = c->jvm == 1 && (c->swap_limit == 0 || k->host_no_swap == 1);
	}
}

/* --- the whole ---------------------------------------------------------------- */

/* Chart step: the smallest round step that keeps the points under
 * REPORT_MAX_POINTS and is no finer than the tier the scan reads (a finer
 * step would leave every other point empty). */
static int64_t
rb_step(int64_t since_ms, int64_t scan_step_ms)
{
	static const int64_t steps[] = {
		1000, 2000, 5000, 10000, 15000, 30000, 60000, 120000, 300000, 600000,
		900000, 1800000, 3600000, 7200000, 10800000, 21600000, 43200000,
		86400000, 172800000, 604800000,
	};
	int64_t floor_ms = (since_ms + REPORT_MAX_POINTS - 1) / REPORT_MAX_POINTS;
	int64_t tier = 0;

	for (int t = ROLL_NTIERS - 1; t > ROLL_RAW; t--)
		if (roll_tier_ms((enum roll_tier)t) <= scan_step_ms) {
			tier = roll_tier_ms((enum roll_tier)t);
			break;
		}
	if (tier > floor_ms)
		floor_ms = tier;
	for (size_t i = 0; i < sizeof steps / sizeof steps[0]; i++)
		if (steps[i] >= floor_ms)
			return steps[i];
	/* a window of years: whole weeks */
	return (floor_ms + 604800000 - 1) / 604800000 * 604800000;
}

int
report_build(struct store *st, const struct report_opts *o, struct report **ret)
{
	struct report *r = xcalloc(1, sizeof *r);
	struct rb b;
	int64_t latest;
	size_t nr = 0;
	int e;

	memset(&b, 0, sizeof b);
	*ret = NULL;
	b.node_from = b.node_to = INT64_MIN;
	r->data_from_ms = r->data_to_ms = INT64_MIN;
	r->since_ms = o->since_ms;
	r->top = o->top;
	r->node.mem_verdict = FC_TOO_FEW;
	r->node.mem_out_ms = INT64_MIN;
	forecast_init(&b.node_fc);
	forecast_fit(&b.node_fc, &r->node.mem_fc);
	if ((e = roll_latest_ms(st, &latest)) < 0)
		goto fail;
	r->to_ms = latest;
	r->from_ms = latest - o->since_ms;
	r->scan_step_ms = o->since_ms / REPORT_SCAN_DIV;
	r->step_ms = rb_step(o->since_ms, r->scan_step_ms);
	r->npoints = latest > 0 ? (size_t)((o->since_ms + r->step_ms - 1) / r->step_ms) : 0;
	r->t_ms = xcalloc(r->npoints ? r->npoints : 1, sizeof *r->t_ms);
	for (size_t p = 0; p < r->npoints; p++)
		r->t_ms[p] = r->from_ms + (int64_t)p * r->step_ms;

	if ((e = store_query_containers(st, &b.cv, &b.ncv)) < 0)
		goto fail;
	b.r = r;
	b.acc = xcalloc(b.ncv ? b.ncv : 1, sizeof *b.acc);
	b.by_cid = xcalloc(b.ncv ? b.ncv : 1, sizeof *b.by_cid);
	for (size_t i = 0; i < b.ncv; i++)
		b.by_cid[i] = i;
	rb_sort_cv = b.cv;
	qsort(b.by_cid, b.ncv, sizeof *b.by_cid, rb_cmp_cid);
	b.last = SIZE_MAX;
	b.node_ser = xcalloc((size_t)SER_N * (r->npoints ? r->npoints : 1), sizeof *b.node_ser);
	roll_node_sum_init(&b.node);

	/* One scan, one snapshot: [from, to] inclusive of the newest tick. */
	if (latest > 0 && (e = roll_scan(st, r->from_ms, latest + 1, r->scan_step_ms, 0,
	    rb_on_rec, rb_on_node, &b)) < 0)
		goto fail;

	for (size_t i = 0; i < b.ncv; i++)
		nr += b.acc[i].seen;
	r->ctrs = xcalloc(nr ? nr : 1, sizeof *r->ctrs);
	b.ctr_of = xcalloc(b.ncv ? b.ncv : 1, sizeof *b.ctr_of);
	for (size_t i = 0; i < b.ncv; i++) {
		b.ctr_of[i] = SIZE_MAX;
		if (!b.acc[i].seen)
			continue;
		b.ctr_of[i] = r->nctrs;
		rb_fill_ctr(r, &r->ctrs[r->nctrs++], &b.cv[i], &b.acc[i]);
		roll_sum_free(&b.acc[i].sum);
		free(b.acc[i].ser);
		b.acc[i].seen = 0;
	}
	rb_fill_node(r, &b);
	rb_temps(st, r);
	rb_tops(r);
	if ((e = rb_actions(st, &b)) < 0)
		goto fail;
	rb_checks(r, o->root ? o->root : "/");
	e = 0;
	*ret = r;
	r = NULL;
fail:
	for (size_t i = 0; i < b.ncv; i++)
		if (b.acc[i].seen) {
			roll_sum_free(&b.acc[i].sum);
			free(b.acc[i].ser);
		}
	roll_node_sum_free(&b.node);
	free(b.acc);
	free(b.by_cid);
	free(b.ctr_of);
	free(b.node_ser);
	if (b.cv != NULL)
		store_containers_free(b.cv, b.ncv);
	report_free(r);
	return e;
}

void
report_free(struct report *r)
{
	if (r == NULL)
		return;
	for (size_t i = 0; i < r->nctrs; i++) {
		struct report_ctr *c = &r->ctrs[i];

		free(c->path);
		free(c->name);
		free(c->runtime);
		free(c->mem);
		free(c->cpu);
	}
	free(r->ctrs);
	for (size_t i = 0; i < r->nactions; i++) {
		struct journal_action *a = &r->actions[i].a;

		free(a->path);
		free(a->name);
		free(a->policy);
		free(a->rule);
		free(a->observed);
	}
	free(r->actions);
	if (r->audit != NULL) {
		audit_result_free(r->audit);
		free(r->audit);
	}
	for (size_t i = 0; i < r->checks.nblock; i++) {
		free(r->checks.block[i].name);
		free(r->checks.block[i].scheduler);
		free(r->checks.block[i].available);
	}
	free(r->checks.block);
	for (int i = 0; i < RES_NRES; i++)
		free(r->tops[i]);
	free(r->t_ms);
	free(r->node_mem_avail);
	free(r->node_cpu_busy);
	free(r);
}
