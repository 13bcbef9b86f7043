/* cmd_history.c: `cgov history`, one container's metric over time.
 *
 * The window is (latest - since, latest] where latest is the newest tick,
 * cut into step-wide points aligned on multiples of the step since the
 * epoch, so a step that is a whole number of minutes or hours falls on the
 * rollup tiers' buckets. Its start moves forward to the first boundary, so
 * the first point is whole: an aligned window would begin with a point of
 * one tick, or none (ticks on whole seconds, the tick `since` ago left
 * out); only the last point, holding the newest tick, is partial. roll_scan() hands out the records of the tier
 * that answers the step, in time order; each point is the roll_sum of the
 * records that start in it, emitted as soon as a record of a later point
 * arrives, so memory holds one merge at a time however long the window.
 */
#include "config.h"

#include <sys/ioctl.h>

#include <errno.h>
#include <getopt.h>
#include <langinfo.h>
#include <locale.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include "buf.h"
#include "cmd.h"
#include "escape.h"
#include "metrics.h"
#include "rollup.h"
#include "sparkline.h"
#include "units.h"
#include "xmalloc.h"

/* What one metric is made of, and which figures of a point it has. */
enum hist_unit { HU_BYTES, HU_TASKS, HU_CORES, HU_PERCENT, HU_BYTES_S, HU_OPS_S, HU_EVENTS };

enum hist_fig {
	HF_MIN = 1 << 0, HF_AVG = 1 << 1, HF_P95 = 1 << 2, HF_MAX = 1 << 3,
	HF_COUNT = 1 << 4,
};

enum hist_metric {
	HM_MEMORY, HM_SWAP, HM_PIDS, HM_CPU, HM_THROTTLED, HM_IO_READ, HM_IO_WRITE,
	HM_IO_READ_IOPS, HM_IO_WRITE_IOPS, HM_IO, HM_PSI_CPU, HM_PSI_MEM, HM_PSI_IO,
	HM_OOM, HM_OOM_KILL, HM__MAX
};

/* Names as in the policy language (cgov.policy(5)) where it has them. */
static const struct {
	const char *name;
	enum hist_unit unit;
	int figs;
} hist_metrics[HM__MAX] = {
	[HM_MEMORY] = { "memory", HU_BYTES, HF_MIN | HF_AVG | HF_P95 | HF_MAX },
	[HM_SWAP] = { "swap", HU_BYTES, HF_MIN | HF_AVG | HF_P95 | HF_MAX },
	[HM_PIDS] = { "pids", HU_TASKS, HF_MIN | HF_AVG | HF_P95 | HF_MAX },
	[HM_CPU] = { "cpu", HU_CORES, HF_AVG | HF_P95 | HF_MAX },
	[HM_THROTTLED] = { "throttled", HU_PERCENT, HF_AVG },
	[HM_IO_READ] = { "io.read", HU_BYTES_S, HF_AVG },
	[HM_IO_WRITE] = { "io.write", HU_BYTES_S, HF_AVG },
	[HM_IO_READ_IOPS] = { "io.read-iops", HU_OPS_S, HF_AVG },
	[HM_IO_WRITE_IOPS] = { "io.write-iops", HU_OPS_S, HF_AVG },
	[HM_IO] = { "io", HU_BYTES_S, HF_AVG | HF_P95 },
	[HM_PSI_CPU] = { "pressure.cpu", HU_PERCENT, HF_AVG },
	[HM_PSI_MEM] = { "pressure.memory", HU_PERCENT, HF_AVG },
	[HM_PSI_IO] = { "pressure.io", HU_PERCENT, HF_AVG },
	[HM_OOM] = { "oom", HU_EVENTS, HF_COUNT },
	[HM_OOM_KILL] = { "oom.kill", HU_EVENTS, HF_COUNT },
};

static const char *const hist_unit_names[] = {
	[HU_BYTES] = "bytes", [HU_TASKS] = "tasks", [HU_CORES] = "cores",
	[HU_PERCENT] = "percent", [HU_BYTES_S] = "bytes/s", [HU_OPS_S] = "ops/s",
	[HU_EVENTS] = "events",
};

/* JSON and CSV decimals per unit: whole bytes, three decimals for the
 * fractional units (as `cgov top` prints them). */
static const int hist_unit_decimals[] = {
	[HU_BYTES] = 0, [HU_TASKS] = 2, [HU_CORES] = 3, [HU_PERCENT] = 3,
	[HU_BYTES_S] = 0, [HU_OPS_S] = 3, [HU_EVENTS] = 0,
};

/* Points beyond this are refused: a typo like --step 1ms --since 30d
 * would print for minutes. */
#define HIST_MAX_POINTS 1000000

/* The JSON/CSV keys are stable: cgov(1) documents each. CSV rows carry the
 * container and metric (the first five columns); JSON puts them once
 * around the points. */
static const struct out_col hist_cols_all[] = {
	{ "path", NULL, 0, 0 },
	{ "name", NULL, 0, 0 },
	{ "runtime", NULL, 0, 0 },
	{ "metric", NULL, 0, 0 },
	{ "unit", NULL, 0, 0 },
	{ "ts_ms", NULL, 1, 0 },
	{ "time", "TIME", 0, 0 },
	{ "min", "MIN", 1, 0 },
	{ "avg", "AVG", 1, 0 },
	{ "p95", "P95", 1, 0 },
	{ "max", "MAX", 1, 0 },
	{ "count", "EVENTS", 1, 0 },
	{ "samples", "SAMPLES", 1, 0 },
	{ "tier", "TIER", 0, 0 },
};
#define HIST_NCOLS_ALL (sizeof hist_cols_all / sizeof hist_cols_all[0])
#define HIST_NCOLS_CT 5                 /* the container and metric columns */

struct hist_ct {
	int64_t cid;
	char *path, *name, *runtime;
};

/* One point being merged. */
struct hist_point {
	struct roll_sum sum;
	int nrecs;
	int64_t samples;                /* ticks merged */
	int tier;                       /* coarsest tier merged; -1: none */
	/* swap and pids: a record has their mean and max only, so the minimum
	 * and p95 are known when every record is a raw tick (one value). */
	int all_raw;
	double g_min;
	struct roll_pct g_pct;
};

struct hist_run {
	enum hist_metric metric;
	int64_t p0_ms, step_ms;         /* first point's start, width */
	size_t npoints;
	size_t cur;                     /* point being merged */
	struct hist_point pt;
	struct out *o;
	const struct hist_ct *ct;
	enum out_format fmt;
	double *chart;                  /* the figure the sparkline draws, per point */
	unsigned tiers;                 /* bit per tier that answered */
	int64_t samples;
	int msec;                       /* times need milliseconds */
};

static void
hist_usage(FILE *out)
{
	fprintf(out,
"usage: cgov history CONTAINER [--metric METRIC] [--since DURATION] [--step DURATION]\n"
"                    [--format table|json|csv]\n"
"One container's metric over the window ending at the newest sample, in points of\n"
"--step (default: about 60 points, whole minutes or hours when the window allows).\n"
"CONTAINER is a cgroup path or a name. METRIC (default memory) is one of:\n");
	for (int i = 0, col = 0; i < HM__MAX; i++) {
		if (col > 60) {
			fputc('\n', out);
			col = 0;
		}
		col += fprintf(out, " %s", hist_metrics[i].name);
	}
	fputc('\n', out);
}

static void
hist_ct_free(struct hist_ct *c)
{
	free(c->path);
	free(c->name);
	free(c->runtime);
}

/* Finds CONTAINER by path, else by name, as `cgov actions --container`
 * matches it (exactly). A path is unique; a name need not be, and then
 * the candidates are listed, escaped: they are tenant-chosen. Returns a
 * CMD_ code, the message printed. */
static int
hist_find(struct store *st, const char *arg, struct hist_ct *ret)
{
	struct store_container *v;
	const struct store_container *hit = NULL;
	size_t n, names = 0;
	int r;

	if ((r = store_query_containers(st, &v, &n)) < 0) {
		fprintf(stderr, "cgov: history: cannot list containers: %s\n", strerror(-r));
		return CMD_FAILURE;
	}
	for (size_t i = 0; i < n; i++) {
		if (strcmp(v[i].path, arg) == 0) {
			hit = &v[i];
			names = 0;
			break;
		}
		if (v[i].name != NULL && strcmp(v[i].name, arg) == 0 && names++ == 0)
			hit = &v[i];
	}
	if (names > 1) {
		struct buf b;

		buf_init(&b);
		for (size_t i = 0; i < n; i++) {
			if (v[i].name == NULL || strcmp(v[i].name, arg) != 0)
				continue;
			buf_puts(&b, "\n  ");
			escape_term(&b, v[i].path);
		}
		fprintf(stderr, "cgov: history: %zu containers are named \"%s\"; give one of "
		    "their paths:%s\n", names, escape_log(0, arg), b.data);
		buf_free(&b);
		store_containers_free(v, n);
		return CMD_USAGE;
	}
	if (hit == NULL) {
		fprintf(stderr, "cgov: history: no container \"%s\" in the history (see "
		    "cgov containers --all)\n", escape_log(0, arg));
		store_containers_free(v, n);
		return CMD_FAILURE;
	}
	ret->cid = hit->cid;
	ret->path = xstrdup(hit->path);
	ret->name = xstrdup(hit->name != NULL ? hit->name : "");
	ret->runtime = xstrdup(hit->runtime != NULL ? hit->runtime : "");
	store_containers_free(v, n);
	return CMD_OK;
}

/* --- figures ---------------------------------------------------------------- */

struct hist_figs {
	double min, avg, p95, max, count;
};

/* The point's figures for the metric, NAN where unknown. */
static void
hist_figures(enum hist_metric m, struct hist_point *p, struct hist_figs *f)
{
	struct roll_rec r;
	struct gov_metrics x;
	int figs = hist_metrics[m].figs;

	f->min = f->avg = f->p95 = f->max = f->count = NAN;
	if (p->nrecs == 0)
		return;
	roll_sum_rec(&p->sum, &r);
	/* The means over the point: the daemon's arithmetic on its merge. */
	metrics_from_rec(&r, &x);
	switch (m) {
	case HM_MEMORY:
		f->min = r.mem_min, f->avg = r.mem_avg, f->p95 = r.mem_p95, f->max = r.mem_max;
		break;
	case HM_SWAP:
	case HM_PIDS:
		f->avg = m == HM_SWAP ? r.swap_avg : r.pids_avg;
		f->max = m == HM_SWAP ? r.swap_max : r.pids_max;
		if (p->all_raw) {
			f->min = p->g_min;
			f->p95 = roll_pct_get(&p->g_pct, 95);
		}
		break;
	case HM_CPU:
		f->avg = x.v[PM_CPU];
		f->p95 = r.cpu_p95, f->max = r.cpu_max;
		break;
	case HM_THROTTLED: f->avg = x.v[PM_THROTTLED]; break;
	case HM_IO_READ: f->avg = x.v[PM_IO_READ]; break;
	case HM_IO_WRITE: f->avg = x.v[PM_IO_WRITE]; break;
	case HM_IO_READ_IOPS: f->avg = x.v[PM_IO_READ_IOPS]; break;
	case HM_IO_WRITE_IOPS: f->avg = x.v[PM_IO_WRITE_IOPS]; break;
	case HM_IO:
		f->avg = metrics_sum(x.v[PM_IO_READ], x.v[PM_IO_WRITE]);
		f->p95 = r.io_p95;
		break;
	case HM_PSI_CPU: f->avg = x.v[PM_PRESSURE_CPU]; break;
	case HM_PSI_MEM: f->avg = x.v[PM_PRESSURE_MEMORY]; break;
	case HM_PSI_IO: f->avg = x.v[PM_PRESSURE_IO]; break;
	case HM_OOM:
		f->count = r.oom == STORE_NULL ? NAN : (double)r.oom;
		break;
	case HM_OOM_KILL:
		f->count = r.oom_kill == STORE_NULL ? NAN : (double)r.oom_kill;
		break;
	case HM__MAX:
		break;
	}
	/* Only the figures the metric has; an infinite one is unknown too. */
	if (!(figs & HF_MIN) || !isfinite(f->min)) f->min = NAN;
	if (!(figs & HF_AVG) || !isfinite(f->avg)) f->avg = NAN;
	if (!(figs & HF_P95) || !isfinite(f->p95)) f->p95 = NAN;
	if (!(figs & HF_MAX) || !isfinite(f->max)) f->max = NAN;
	if (!(figs & HF_COUNT) || !isfinite(f->count)) f->count = NAN;
}

/* The figure the sparkline draws: the mean, or the count of events. */
static double
hist_chart_value(enum hist_metric m, const struct hist_figs *f)
{
	return hist_metrics[m].figs & HF_COUNT ? f->count : f->avg;
}

/* A value as the table shows it, with its unit; "-" when unknown. */
static void
hist_text(enum hist_unit u, double v, int mean, char *t, size_t len)
{
	if (isnan(v)) {
		snprintf(t, len, "-");
		return;
	}
	switch (u) {
	case HU_BYTES:
		units_format_size(v < 0 ? 0 : (uint64_t)llround(v), t, len);
		break;
	case HU_BYTES_S:
		units_format_size(v < 0 ? 0 : (uint64_t)llround(v), t, len);
		strncat(t, "/s", len - strlen(t) - 1);
		break;
	case HU_TASKS: snprintf(t, len, "%.*f", mean ? 1 : 0, v); break;
	case HU_CORES: snprintf(t, len, "%.2f", v); break;
	case HU_PERCENT: snprintf(t, len, "%.1f%%", v); break;
	case HU_OPS_S: snprintf(t, len, "%.1f/s", v); break;
	case HU_EVENTS: snprintf(t, len, "%.0f", v); break;
	}
}

/* ISO-8601 UTC, with milliseconds when the step needs them. */
static void
hist_iso(int64_t ms, int msec, char *t, size_t len)
{
	char base[32];

	if (units_format_utc(ms, "%Y-%m-%dT%H:%M:%S", base, sizeof base) < 0)
		snprintf(t, len, "-");
	else if (msec)
		snprintf(t, len, "%s.%03dZ", base, (int)(((ms % 1000) + 1000) % 1000));
	else
		snprintf(t, len, "%sZ", base);
}

/* --- points ------------------------------------------------------------------ */

static void
hist_point_reset(struct hist_run *h)
{
	struct hist_point *p = &h->pt;

	roll_sum_init(&p->sum, h->ct->cid);
	memset(&p->g_pct, 0, sizeof p->g_pct);
	p->nrecs = 0;
	p->samples = 0;
	p->tier = -1;
	p->all_raw = 1;
	p->g_min = NAN;
}

static void
hist_num(struct out *o, enum hist_unit u, double v, int mean)
{
	char t[48];

	hist_text(u, v, mean, t, sizeof t);
	out_num(o, v, hist_unit_decimals[u], t);
}

/* Adds the current point's row, then frees its merge. */
static void
hist_point_emit(struct hist_run *h)
{
	enum hist_unit u = hist_metrics[h->metric].unit;
	struct hist_point *p = &h->pt;
	int64_t ts = h->p0_ms + (int64_t)h->cur * h->step_ms;
	struct hist_figs f;
	char t[48];

	hist_figures(h->metric, p, &f);
	h->chart[h->cur] = hist_chart_value(h->metric, &f);
	if (h->fmt == OUT_CSV) {
		out_str(h->o, h->ct->path);
		out_str(h->o, h->ct->name);
		out_str(h->o, h->ct->runtime);
		out_str(h->o, hist_metrics[h->metric].name);
		out_str(h->o, hist_unit_names[u]);
	}
	out_int(h->o, (long long)ts);
	hist_iso(ts, h->msec, t, sizeof t);
	out_str(h->o, t);
	hist_num(h->o, u, f.min, 0);
	hist_num(h->o, u, f.avg, 1);
	hist_num(h->o, u, f.p95, 0);
	hist_num(h->o, u, f.max, 0);
	hist_num(h->o, HU_EVENTS, f.count, 0);
	out_int(h->o, (long long)p->samples);
	out_str(h->o, p->tier >= 0 ? roll_tier_name((enum roll_tier)p->tier) : NULL);
	roll_sum_free(&p->sum);
	roll_pct_free(&p->g_pct);
}

static int
hist_on_rec(void *arg, const struct roll_rec *r)
{
	struct hist_run *h = arg;
	struct hist_point *p = &h->pt;
	size_t idx;
	double g;

	if (r->cid != h->ct->cid)
		return 0;
	/* A coarser bucket that sticks out of the window's old end (its finer
	 * rows are gone) counts in the first point; nothing can lie past the
	 * last point, which holds the newest tick, but be safe. */
	idx = r->ts_ms <= h->p0_ms ? 0 : (size_t)((r->ts_ms - h->p0_ms) / h->step_ms);
	if (idx >= h->npoints)
		idx = h->npoints - 1;
	/* Records come in time order; one that does not (it would be a bug of
	 * the scan) joins the point being merged rather than be lost. */
	while (idx > h->cur) {
		hist_point_emit(h);
		h->cur++;
		hist_point_reset(h);
	}
	roll_sum_add(&p->sum, r);
	p->nrecs++;
	p->samples += r->n;
	if ((int)r->tier > p->tier)
		p->tier = (int)r->tier;
	h->tiers |= 1u << r->tier;
	h->samples += r->n;
	if (h->metric == HM_SWAP || h->metric == HM_PIDS) {
		g = h->metric == HM_SWAP ? r->swap_avg : r->pids_avg;
		if (r->tier != ROLL_RAW)
			p->all_raw = 0;
		else if (!isnan(g)) {
			if (isnan(p->g_min) || g < p->g_min)
				p->g_min = g;
			roll_pct_add(&p->g_pct, g, 1);
		}
	}
	return 0;
}

/* --- the window ---------------------------------------------------------------- */

static int
hist_on_first(void *arg, const struct roll_rec *r)
{
	*(int64_t *)arg = r->dt_ms;
	return 1;
}

/* The sampling interval: the length of the newest tick, to whole seconds
 * (ticks jitter by a few ms); 1 s when unknown. */
static int64_t
hist_interval(struct store *st, int64_t latest)
{
	int64_t dt = 0;

	if (roll_scan(st, latest, latest + 1, 0, 0, hist_on_first, NULL, &dt) < 0 || dt <= 0)
		return 1000;
	dt = (dt + 500) / 1000 * 1000;
	return dt < 1000 ? 1000 : dt;
}

/* The default step: about 60 points. From one minute up, rounded up to a
 * whole number of the tier's bucket (minutes, or hours from one hour), so
 * points fall on the rollups; below, to whole seconds and never finer than
 * the sampling interval (finer points would alternate with gaps). */
static int64_t
hist_default_step(int64_t since, int64_t interval)
{
	int64_t step = (since + 59) / 60, b;

	if (step >= roll_tier_ms(ROLL_MINUTE)) {
		b = step >= roll_tier_ms(ROLL_HOUR) ? roll_tier_ms(ROLL_HOUR) :
		    roll_tier_ms(ROLL_MINUTE);
		return (step + b - 1) / b * b;
	}
	step = (step + 999) / 1000 * 1000;
	return step < interval ? interval : step;
}

static int64_t
hist_floor(int64_t a, int64_t b)
{
	return (a >= 0 ? a / b : -((-a + b - 1) / b)) * b;
}

/* --- output -------------------------------------------------------------------- */

static void
hist_json_ct(struct buf *b, const struct hist_ct *c)
{
	buf_puts(b, "{\"path\": ");
	escape_json(b, c->path);
	buf_puts(b, ", \"name\": ");
	escape_json(b, c->name);
	buf_puts(b, ", \"runtime\": ");
	escape_json(b, c->runtime);
	buf_putc(b, '}');
}

/* The tiers that answered, coarsest first: "1h, 1m" or a JSON array. */
static void
hist_tiers(struct buf *b, unsigned tiers, int json)
{
	int first = 1;

	if (json)
		buf_putc(b, '[');
	for (int t = ROLL_NTIERS - 1; t >= 0; t--) {
		if (!(tiers & (1u << t)))
			continue;
		buf_puts(b, first ? "" : ", ");
		buf_printf(b, json ? "\"%s\"" : "%s", roll_tier_name((enum roll_tier)t));
		first = 0;
	}
	if (json)
		buf_putc(b, ']');
	else if (first)
		buf_puts(b, "none (no data in the window)");
}

static size_t
hist_columns(void)
{
	const char *e = getenv("COLUMNS");
	struct winsize ws;
	char *end;
	long l;

	if (e != NULL && *e != '\0') {
		l = strtol(e, &end, 10);
		if (*end == '\0' && l > 0 && l < 10000)
			return (size_t)l;
	}
	if (ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_col > 0)
		return ws.ws_col;
	return 80;
}

/* Whether the terminal's character set is UTF-8: the locale's codeset, as
 * the environment (LANG, LC_ALL, LC_CTYPE) sets it. */
static int
hist_utf8(void)
{
	char *saved = xstrdup(setlocale(LC_CTYPE, NULL));
	const char *cs;
	int utf8 = 0;

	if (setlocale(LC_CTYPE, "") != NULL) {
		cs = nl_langinfo(CODESET);
		utf8 = strcasecmp(cs, "UTF-8") == 0 || strcasecmp(cs, "utf8") == 0;
	}
	setlocale(LC_CTYPE, saved);
	free(saved);
	return utf8;
}

/* "min 400M ▁▂▃▅▇█ max 600M over 1h", resampled to the terminal's width. */
static void
hist_sparkline(const struct hist_run *h, int64_t since, FILE *fp)
{
	enum hist_unit u = hist_metrics[h->metric].unit;
	char lo_t[48], hi_t[48], span[32];
	struct buf left, right, line;
	size_t cols = hist_columns(), width;
	double lo, hi;

	if (sparkline_range(h->chart, h->npoints, &lo, &hi) < 0) {
		fputs("(no data in the window)\n", fp);
		return;
	}
	hist_text(u, lo, 1, lo_t, sizeof lo_t);
	hist_text(u, hi, 1, hi_t, sizeof hi_t);
	units_format_duration((uint64_t)since, span, sizeof span);
	buf_init(&left);
	buf_init(&right);
	buf_init(&line);
	buf_printf(&left, "min %s ", lo_t);
	buf_printf(&right, " max %s over %s", hi_t, span);
	width = cols > left.len + right.len + 8 ? cols - left.len - right.len : 8;
	buf_puts(&line, left.data);
	sparkline_render(h->chart, h->npoints, width, hist_utf8(), &line);
	buf_puts(&line, right.data);
	fprintf(fp, "%s\n", line.data);
	buf_free(&left);
	buf_free(&right);
	buf_free(&line);
}

static void
hist_print(struct hist_run *h, int64_t since, int64_t latest, FILE *fp)
{
	enum hist_unit u = hist_metrics[h->metric].unit;
	struct buf b;
	char when[48], win[32], step[32];

	buf_init(&b);
	if (h->fmt == OUT_JSON) {
		buf_puts(&b, "{\"container\": ");
		hist_json_ct(&b, h->ct);
		buf_printf(&b, ", \"metric\": \"%s\", \"unit\": \"%s\", \"since_ms\": %lld, "
		    "\"step_ms\": %lld, \"from_ms\": %lld, \"latest_ms\": %lld, \"samples\": %lld, "
		    "\"tiers\": ", hist_metrics[h->metric].name, hist_unit_names[u],
		    (long long)since, (long long)h->step_ms, (long long)h->p0_ms,
		    (long long)latest, (long long)h->samples);
		hist_tiers(&b, h->tiers, 1);
		buf_puts(&b, ", \"points\": ");
		fputs(b.data, fp);
		out_print(h->o, fp);
		fputs("}\n", fp);
	} else if (h->fmt == OUT_CSV)
		out_print(h->o, fp);
	else {
		units_format_duration((uint64_t)since, win, sizeof win);
		units_format_duration((uint64_t)h->step_ms, step, sizeof step);
		if (latest > 0)
			hist_iso(latest, 0, when, sizeof when);
		buf_printf(&b, "%s of ", hist_metrics[h->metric].name);
		escape_term(&b, h->ct->name);
		buf_puts(&b, " (");
		escape_term(&b, h->ct->path);
		if (latest > 0)
			buf_printf(&b, "), %s, %s up to %s, points of %s, resolution: ",
			    hist_unit_names[u], win, when, step);
		else
			buf_puts(&b, "): no samples yet");
		if (latest > 0)
			hist_tiers(&b, h->tiers, 0);
		fprintf(fp, "%s\n", b.data);
		if (latest > 0 && isatty(STDOUT_FILENO))
			hist_sparkline(h, since, fp);
		out_print(h->o, fp);
	}
	buf_free(&b);
}

/* --- the command ---------------------------------------------------------------- */

static int
hist_run(struct store *st, const struct cmd_ctx *ctx, const struct hist_ct *ct,
    enum hist_metric m, int64_t since, int64_t step)
{
	struct out_col cols[HIST_NCOLS_ALL];
	struct hist_run h = { .metric = m, .ct = ct, .fmt = ctx->format };
	int64_t latest, to, from;
	size_t off;
	int r, rc = CMD_OK;

	if ((r = roll_latest_ms(st, &latest)) < 0) {
		fprintf(stderr, "cgov: history: cannot read the newest tick: %s\n", strerror(-r));
		return CMD_FAILURE;
	}
	if (step == 0)
		step = hist_default_step(since, latest > 0 ? hist_interval(st, latest) : 1000);
	h.step_ms = step;
	h.msec = step % 1000 != 0;
	/* The window ends with the newest tick, included: scans are [from, to). */
	to = latest + 1;
	/* Whole points: the window starts on the first point boundary in it
	 * (less than a step late), unless that leaves no point at all. */
	from = to - since > 0 ? to - since : 0;
	h.p0_ms = -hist_floor(-from, step);
	if (h.p0_ms >= to)
		h.p0_ms = hist_floor(from, step);
	else
		from = h.p0_ms;
	h.npoints = latest > 0 ? (size_t)((to - h.p0_ms + step - 1) / step) : 0;
	if (h.npoints > HIST_MAX_POINTS) {
		fprintf(stderr, "cgov: history: --since / --step makes %zu points, more than %d: "
		    "give a longer --step\n", h.npoints, HIST_MAX_POINTS);
		return CMD_USAGE;
	}

	/* The table hides the figures the metric does not have; JSON and CSV
	 * keep every key (null), so their shape never depends on the metric. */
	memcpy(cols, hist_cols_all, sizeof cols);
	for (size_t i = 0; i < HIST_NCOLS_ALL; i++) {
		const char *k = cols[i].key;
		int figs = hist_metrics[m].figs;

		if ((strcmp(k, "min") == 0 && !(figs & HF_MIN)) ||
		    (strcmp(k, "avg") == 0 && !(figs & HF_AVG)) ||
		    (strcmp(k, "p95") == 0 && !(figs & HF_P95)) ||
		    (strcmp(k, "max") == 0 && !(figs & HF_MAX)) ||
		    (strcmp(k, "count") == 0 && !(figs & HF_COUNT)))
			cols[i].header = NULL;
	}
	off = ctx->format == OUT_CSV ? 0 : HIST_NCOLS_CT;
	h.o = out_new(ctx->format, cols + off, HIST_NCOLS_ALL - off);
	h.chart = xcalloc(h.npoints > 0 ? h.npoints : 1, sizeof *h.chart);

	if (h.npoints > 0) {
		hist_point_reset(&h);
		r = roll_scan(st, from, to, step, ct->cid, hist_on_rec, NULL, &h);
		if (r < 0) {
			fprintf(stderr, "cgov: history: reading the history failed: %s\n",
			    strerror(-r));
			roll_sum_free(&h.pt.sum);
			roll_pct_free(&h.pt.g_pct);
			rc = CMD_FAILURE;
			goto out;
		}
		for (;;) {
			hist_point_emit(&h);
			if (++h.cur == h.npoints)
				break;
			hist_point_reset(&h);
		}
	}
	hist_print(&h, since, latest, stdout);
out:
	free(h.chart);
	out_free(h.o);
	return rc;
}

int
cmd_history(struct cmd_ctx *ctx, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "metric", required_argument, NULL, 'm' },
		{ "since", required_argument, NULL, 's' },
		{ "step", required_argument, NULL, 'S' },
		{ "db", required_argument, NULL, 'D' },
		{ "format", required_argument, NULL, 'F' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	enum hist_metric m = HM_MEMORY;
	uint64_t since = 3600000, step = 0;
	struct hist_ct ct = { 0 };
	struct store *st;
	int ch, rc, metric_set = 0;

	while ((ch = getopt_long(argc, argv, "m:s:S:h", opts, NULL)) != -1) {
		int i;

		switch (ch) {
		case 'm':
			for (i = 0; i < HM__MAX; i++)
				if (strcmp(optarg, hist_metrics[i].name) == 0)
					break;
			/* The policy language says io.read-iops; accept a dot too. */
			if (i == HM__MAX && strcmp(optarg, "io.read.iops") == 0)
				i = HM_IO_READ_IOPS;
			if (i == HM__MAX && strcmp(optarg, "io.write.iops") == 0)
				i = HM_IO_WRITE_IOPS;
			if (i == HM__MAX) {
				fprintf(stderr, "cgov: history: unknown metric \"%s\"; one of:",
				    escape_log(0, optarg));
				for (i = 0; i < HM__MAX; i++)
					fprintf(stderr, " %s", hist_metrics[i].name);
				fputc('\n', stderr);
				return CMD_USAGE;
			}
			if (metric_set++ && (enum hist_metric)i != m) {
				fprintf(stderr, "cgov: history: one --metric at a time\n");
				return CMD_USAGE;
			}
			m = (enum hist_metric)i;
			break;
		case 's':
			if (units_parse_duration(optarg, &since) < 0 || since == 0) {
				fprintf(stderr, "cgov: history: bad duration \"%s\" for --since "
				    "(e.g. 30s, 10m, 24h, 7d)\n", escape_log(0, optarg));
				return CMD_USAGE;
			}
			break;
		case 'S':
			if (units_parse_duration(optarg, &step) < 0 || step == 0) {
				fprintf(stderr, "cgov: history: bad duration \"%s\" for --step "
				    "(e.g. 10s, 1m, 1h)\n", escape_log(0, optarg));
				return CMD_USAGE;
			}
			break;
		case 'h':
			hist_usage(stdout);
			return CMD_OK;
		default:
			if (cmd_common_option(ctx, ch, optarg) == 1)
				break;
			hist_usage(stderr);
			return CMD_USAGE;
		}
	}
	if (optind >= argc) {
		fprintf(stderr, "cgov: history: which container? (a path or a name)\n");
		hist_usage(stderr);
		return CMD_USAGE;
	}
	if (optind + 1 < argc) {
		fprintf(stderr, "cgov: history: unexpected argument \"%s\"\n",
		    escape_log(0, argv[optind + 1]));
		return CMD_USAGE;
	}
	/* Durations beyond a century are typos; keeping them there also keeps
	 * the window arithmetic far from overflow. */
	if (since > UINT64_C(3155760000000) || step > UINT64_C(3155760000000)) {
		fprintf(stderr, "cgov: history: --since and --step stop at 36524d\n");
		return CMD_USAGE;
	}
	if ((st = cmd_open_store(ctx)) == NULL)
		return CMD_FAILURE;
	if ((rc = hist_find(st, argv[optind], &ct)) == CMD_OK)
		rc = hist_run(st, ctx, &ct, m, (int64_t)since, (int64_t)step);
	hist_ct_free(&ct);
	store_close(st);
	return rc;
}
