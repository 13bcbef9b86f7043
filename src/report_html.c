/* report_html.c: `cgov report --format html`, the report for people: one
 * self-contained page (no script, no external resource) with inline SVG
 * charts, laid out to read on a phone.
 *
 * The page is built in one buffer and written at the end. Every string that
 * comes from a tenant or the host goes through html_esc(); the figures are
 * numbers printed by this file. The page carries a Content-Security-Policy
 * that forbids scripts and any fetch, so a mistake in escaping still cannot
 * run code or call home from an operator's browser.
 *
 * Hooks the browser test relies on (tests/integration/report_browser.sh):
 * <section id="node">, <table id="containers">, <table id="actions">, every
 * line chart is <svg class="chart" data-metric="..."> with one <polyline>
 * per run of known points, every bar chart <svg class="bars">.
 */
#include "config.h"

#include <sys/sysmacros.h>

#include <errno.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "buf.h"
#include "escape.h"
#include "journal.h"
#include "knob.h"
#include "policy.h"
#include "report.h"
#include "units.h"
#include "xmalloc.h"

/* Per-container charts beyond this many containers: only those among the
 * top offenders (the table still lists every container). A node with a
 * thousand tenants would otherwise make a page of tens of megabytes that a
 * phone cannot scroll. */
#define HTML_MAX_CTR_CHARTS 48

/* Segments of the CPU shares bar before the rest is "others". */
#define HTML_SHARES_SEGMENTS 7

enum html_unit { HU_BYTES, HU_CORES, HU_PCT };

/* --- text ------------------------------------------------------------------ */

/*
 * Tenant text for HTML. escape_term first, so control characters (ESC,
 * newline), C1 controls, bidirectional overrides (which would reorder the
 * rest of a table row) and invalid UTF-8 show as the same visible \xNN the
 * terminal and the logs show for this name; then escape_html for the markup
 * characters. escape_term's output holds no control byte, so escape_html
 * has only & < > " ' left to do, in text and in attribute values alike.
 */
static void
html_esc(struct buf *b, const char *s)
{
	struct buf t;

	if (s == NULL) {
		buf_puts(b, "-");
		return;
	}
	buf_init(&t);
	escape_term(&t, s);
	escape_html(b, t.data);
	buf_free(&t);
}

/* A container's display name: its name, else its path. */
static const char *
html_ctr_name(const struct report_ctr *c)
{
	return c->name != NULL && c->name[0] != '\0' ? c->name : c->path;
}

static void
html_bytes(char *out, size_t len, double v)
{
	if (isnan(v))
		snprintf(out, len, "-");
	else if (isinf(v))
		snprintf(out, len, "none");
	else
		units_format_size(v > 0 ? (uint64_t)llround(v) : 0, out, len);
}

static void
html_value(char *out, size_t len, double v, enum html_unit u)
{
	if (isnan(v)) {
		snprintf(out, len, "-");
		return;
	}
	if (isinf(v)) {
		snprintf(out, len, "none");
		return;
	}
	switch (u) {
	case HU_BYTES:
		html_bytes(out, len, v);
		break;
	case HU_CORES:
		snprintf(out, len, "%.*f", fabs(v) >= 10 ? 1 : 2, v);
		break;
	case HU_PCT:
		snprintf(out, len, "%.*f%%", fabs(v) >= 10 || v == 0 ? 0 : 1, v);
		break;
	}
}

static void
html_pct(char *out, size_t len, double v)
{
	html_value(out, len, v, HU_PCT);
}

static void
html_duration(char *out, size_t len, int64_t ms)
{
	if (ms < 0) {
		snprintf(out, len, "-");
		return;
	}
	/* Whole seconds: "1h4m59s993ms" is noise in a nightly report. */
	if (ms >= 1000)
		ms -= ms % 1000;
	units_format_duration((uint64_t)ms, out, len);
}

/* "2026-01-01 03:00 UTC"; the report never prints local time. */
static void
html_time(char *out, size_t len, int64_t ms, int seconds)
{
	units_format_utc(ms == STORE_NULL ? INT64_MIN : ms, seconds ?
	    "%Y-%m-%d %H:%M:%S UTC" : "%Y-%m-%d %H:%M UTC", out, len);
}

/* <time datetime="ISO">human</time> */
static void
html_time_el(struct buf *b, int64_t ms, int seconds)
{
	char iso[40], human[40];

	report_iso_time(ms, iso, sizeof iso);
	html_time(human, sizeof human, ms, seconds);
	if (strcmp(iso, "-") == 0)
		buf_puts(b, "-");
	else
		buf_printf(b, "<time datetime=\"%s\">%s</time>", iso, human);
}

/* --- the page frame ---------------------------------------------------------- */

/* The whole style sheet. Breakpoints are left to the grids (auto-fit with a
 * minimum column width) so a phone gets one column and a desktop several;
 * wide tables scroll inside their own box instead of widening the page. */
static const char html_css[] =
":root{color-scheme:light}\n"
"*{box-sizing:border-box}\n"
"body{margin:0;background:#f5f6f8;color:#1c232b;"
"font:15px/1.45 system-ui,-apple-system,\"Segoe UI\",Roboto,\"Noto Sans\",sans-serif;"
"-webkit-text-size-adjust:100%}\n"
"main{max-width:1120px;margin:0 auto;padding:10px 12px 40px}\n"
"h1{font-size:1.35em;margin:.3em 0 .1em}\n"
"h2{font-size:1.15em;margin:1.4em 0 .5em;padding-bottom:.2em;"
"border-bottom:2px solid #d5dbe2}\n"
"h3{font-size:1em;margin:0 0 .2em}\n"
"p{margin:.3em 0}\n"
".sub{color:#56616d;font-size:.9em}\n"
".name,h3,li,td.name{overflow-wrap:anywhere;word-break:break-word}\n"
".path{color:#56616d;font-size:.82em;overflow-wrap:anywhere;word-break:break-all}\n"
".cards{display:grid;grid-template-columns:repeat(auto-fill,minmax(158px,1fr));gap:8px}\n"
".card{background:#fff;border:1px solid #d5dbe2;border-radius:6px;padding:6px 10px}\n"
".card b{display:block;font-size:1.15em}\n"
".card span{display:block;color:#56616d;font-size:.82em}\n"
".card.warn{border-color:#d89b00;background:#fff8e1}\n"
".card.bad{border-color:#c62828;background:#fdecea}\n"
".grid{display:grid;grid-template-columns:repeat(auto-fill,minmax(min(100%,420px),1fr));"
"gap:10px;margin-top:10px}\n"
".grid.small{grid-template-columns:repeat(auto-fill,minmax(min(100%,300px),1fr))}\n"
"figure,.ct{margin:0;background:#fff;border:1px solid #d5dbe2;border-radius:6px;"
"padding:8px;min-width:0}\n"
"figcaption{font-size:.85em;color:#34404c;margin-bottom:4px}\n"
"figcaption b{color:#1c232b}\n"
"svg{display:block;width:100%;height:auto;overflow:visible}\n"
"svg text{fill:#4d5864;font-family:inherit}\n"
".ax{stroke:#9aa5b1;stroke-width:1}\n"
".gr{stroke:#e6eaee;stroke-width:1}\n"
".ln{fill:none;stroke-width:2;stroke-linejoin:round;stroke-linecap:round}\n"
".ref{fill:none;stroke-width:1.5;stroke-dasharray:6 4}\n"
".fut{fill:#f1f3f6}\n"
".k0{stroke:#1565c0;fill:#1565c0}.k1{stroke:#2e7d32;fill:#2e7d32}.k2{stroke:#c62828;"
"fill:#c62828}.k3{stroke:#ef6c00;fill:#ef6c00}.k4{stroke:#6a1b9a;fill:#6a1b9a}"
".k5{stroke:#00838f;fill:#00838f}.k6{stroke:#ad1457;fill:#ad1457}.k7{stroke:#8d6e63;"
"fill:#8d6e63}.kr{stroke:#78909c;fill:#78909c}\n"
"polyline.ln,polyline.ref{fill:none}\n"
".sw{display:inline-block;width:.9em;height:.9em;border-radius:2px;vertical-align:-.1em;"
"margin-right:.25em}\n"
".sw.k0{background:#1565c0}.sw.k1{background:#2e7d32}.sw.k2{background:#c62828}"
".sw.k3{background:#ef6c00}.sw.k4{background:#6a1b9a}.sw.k5{background:#00838f}"
".sw.k6{background:#ad1457}.sw.k7{background:#8d6e63}.sw.kr{background:#78909c}\n"
".legend{list-style:none;padding:0;margin:.3em 0 0;font-size:.85em}\n"
".legend li{margin:.1em 0}\n"
".scroll{overflow-x:auto;-webkit-overflow-scrolling:touch;background:#fff;"
"border:1px solid #d5dbe2;border-radius:6px}\n"
"table{border-collapse:collapse;font-size:.84em;width:100%}\n"
"th,td{padding:4px 8px;border-bottom:1px solid #edf0f3;text-align:right;"
"white-space:nowrap;vertical-align:top}\n"
"th{background:#eef1f4;font-weight:600}\n"
"th.l,td.l{text-align:left}\n"
"td.name{white-space:normal;min-width:9em;max-width:22em;text-align:left}\n"
"td.why{white-space:normal;min-width:14em;max-width:28em;text-align:left}\n"
"tr.force td{background:#fff8e1}\n"
".checks{list-style:none;padding:0;margin:0}\n"
".checks li{background:#fff;border:1px solid #d5dbe2;border-left:5px solid #2e7d32;"
"border-radius:4px;padding:6px 10px;margin:6px 0}\n"
".checks li.warn{border-left-color:#d89b00;background:#fff8e1}\n"
".checks li.unknown{border-left-color:#9aa5b1}\n"
".tag{display:inline-block;font-size:.75em;font-weight:700;letter-spacing:.03em;"
"padding:0 .4em;border-radius:3px;margin-right:.4em;background:#2e7d32;color:#fff}\n"
".warn>.tag{background:#b57f00}.unknown>.tag{background:#78909c}\n"
".top{display:grid;grid-template-columns:repeat(auto-fill,minmax(min(100%,250px),1fr));"
"gap:10px}\n"
".top ol{margin:.2em 0;padding-left:1.6em;font-size:.9em}\n"
".top li{margin:.15em 0}\n"
".bar{height:5px;background:#e6eaee;border-radius:3px;overflow:hidden}\n"
".bar i{display:block;height:100%;background:#1565c0}\n"
".gauge{max-width:260px;margin:.3em 0}\n"
".g-ok{fill:#2e7d32}.g-warn{fill:#d89b00}.g-bad{fill:#c62828}.g-bg{fill:#e6eaee}\n"
"footer{margin-top:2em;font-size:.82em;color:#56616d}\n";

static void
html_head(struct buf *b, const struct report *r)
{
	char from[40], to[40];

	html_time(from, sizeof from, r->from_ms, 0);
	html_time(to, sizeof to, r->to_ms, 0);
	buf_puts(b, "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n"
	    "<meta charset=\"utf-8\">\n"
	    "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
	    /* No script, no fetch, no form, no frame: belt and braces
	     * behind the escaping (styles are inline, charts inline SVG). */
	    "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; "
	    "style-src 'unsafe-inline'; img-src data:; base-uri 'none'; form-action 'none'\">\n"
	    "<meta name=\"referrer\" content=\"no-referrer\">\n"
	    "<meta name=\"generator\" content=\"cgov " PACKAGE_VERSION "\">\n");
	buf_printf(b, "<title>cgov report %s to %s</title>\n", from, to);
	buf_printf(b, "<style>\n%s</style>\n</head>\n<body>\n<main>\n", html_css);
}

/* --- chart geometry -------------------------------------------------------------- */

/* A chart's box in SVG user units; the CSS scales it to the page width. */
struct html_box {
	int w, h;                 /* viewBox */
	double l, r, t, bot;      /* plot area: x from l to r, y from t to bot */
	int font;                 /* text size, user units */
	int64_t x0, x1;           /* time range, ms */
	double y0, y1;            /* value range */
};

static double
html_x(const struct html_box *bx, int64_t t)
{
	if (bx->x1 <= bx->x0)
		return bx->l;
	return bx->l + (bx->r - bx->l) * (double)(t - bx->x0) / (double)(bx->x1 - bx->x0);
}

static double
html_y(const struct html_box *bx, double v)
{
	double y;

	if (bx->y1 <= bx->y0)
		return bx->bot;
	y = bx->bot - (bx->bot - bx->t) * (v - bx->y0) / (bx->y1 - bx->y0);
	/* Clamp: a stray value must not draw across the labels. */
	if (y < bx->t - 2)
		y = bx->t - 2;
	if (y > bx->bot)
		y = bx->bot;
	return y;
}

/*
 * A round step for about `want` intervals up to vmax: 1, 2, 2.5 or 5 times
 * a power of ten, or for bytes a power of two (512M, 1G, 4G read better
 * than 953.7M). Returns the step; *ret_top is the smallest multiple of it
 * at or above vmax.
 */
static double
html_nice_step(double vmax, int want, enum html_unit u, double *ret_top)
{
	static const double m[] = { 1, 2, 2.5, 5, 10 };
	double raw, p, step = 1;
	size_t i;

	if (!(vmax > 0) || !isfinite(vmax))
		vmax = u == HU_PCT ? 100 : u == HU_CORES ? 1 : 1024.0 * 1024 * 1024;
	raw = vmax / want;
	if (u == HU_BYTES) {
		step = 1024;
		while (step < raw)
			step *= 2;
	} else {
		p = pow(10, floor(log10(raw)));
		for (i = 0; i < sizeof m / sizeof m[0]; i++) {
			step = m[i] * p;
			if (step >= raw)
				break;
		}
	}
	*ret_top = ceil(vmax / step - 1e-9) * step;
	if (*ret_top <= 0)
		*ret_top = step;
	return step;
}

/* Ticks of the time axis, in UTC, at round steps; labels HH:MM, or MM-DD
 * for a tick at midnight and for steps of days. */
static void
html_time_axis(struct buf *b, const struct html_box *bx, int maxticks)
{
	static const int64_t steps[] = {
		60000, 120000, 300000, 600000, 900000, 1800000,
		3600000, 7200000, 10800000, 21600000, 43200000,
		86400000, 172800000, 604800000, 1209600000, 2592000000,
	};
	int64_t span = bx->x1 - bx->x0, step = steps[0], t;
	char lab[16];
	time_t secs;
	struct tm tm;
	size_t i;
	double x;

	if (span <= 0)
		return;
	for (i = 0; i < sizeof steps / sizeof steps[0]; i++) {
		step = steps[i];
		if (span / step <= maxticks)
			break;
	}
	buf_printf(b, "<line class=\"ax\" x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\"/>",
	    bx->l, bx->bot, bx->r, bx->bot);
	/* Multiples of the step since the epoch: UTC midnights for days. */
	t = bx->x0 % step == 0 ? bx->x0 : bx->x0 + (step - ((bx->x0 % step) + step) % step);
	for (; t <= bx->x1; t += step) {
		secs = (time_t)(t / 1000);
		if (gmtime_r(&secs, &tm) == NULL)
			continue;
		if (step >= 86400000 || (tm.tm_hour == 0 && tm.tm_min == 0))
			strftime(lab, sizeof lab, "%m-%d", &tm);
		else
			strftime(lab, sizeof lab, "%H:%M", &tm);
		x = html_x(bx, t);
		buf_printf(b, "<line class=\"ax\" x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\"/>",
		    x, bx->bot, x, bx->bot + 4);
		buf_printf(b, "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"middle\">%s</text>",
		    x, bx->bot + 4 + bx->font, lab);
	}
}

/* Grid lines and labels of the value axis, from y0 to y1 by step. */
static void
html_value_axis(struct buf *b, const struct html_box *bx, double step, enum html_unit u)
{
	char lab[32];
	double v, y;
	int i;

	for (i = 0; i <= 12; i++) {
		v = bx->y0 + i * step;
		if (v > bx->y1 + step * 1e-6)
			break;
		y = html_y(bx, v);
		buf_printf(b, "<line class=\"gr\" x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\"/>",
		    bx->l, y, bx->r, y);
		/* Round steps: as many digits as the step has, no more. */
		if (u == HU_BYTES)
			html_bytes(lab, sizeof lab, v);
		else
			snprintf(lab, sizeof lab, "%.4g%s", v, u == HU_PCT ? "%" : "");
		buf_printf(b, "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"end\">%s</text>",
		    bx->l - 4, y + bx->font * 0.35, lab);
	}
}

static int
html_cmp_size(const void *a, const void *b)
{
	size_t x = *(const size_t *)a, y = *(const size_t *)b;

	return x < y ? -1 : x > y;
}

/*
 * How many buckets apart two known points may be and still be joined: a
 * little more than twice the usual spacing. Buckets can be finer than the
 * data (a 1-minute window of 10-second ticks has one known bucket in ten),
 * which must still draw a line; a longer hole (cgovd stopped, a container
 * not there yet) is a real gap and must not be drawn across.
 */
static size_t
html_join_span(const float *v, size_t n)
{
	size_t *d, nd = 0, i, last = SIZE_MAX, med;

	d = xcalloc(n + 1, sizeof *d);
	for (i = 0; i < n; i++) {
		if (!isfinite(v[i]))
			continue;
		if (last != SIZE_MAX)
			d[nd++] = i - last;
		last = i;
	}
	med = 1;
	if (nd > 0) {
		qsort(d, nd, sizeof *d, html_cmp_size);
		med = d[nd / 2];
	}
	free(d);
	return 2 * med + 1;
}

/*
 * One series as polylines: known points joined (see html_join_span), a
 * new <polyline> after a gap, a dot for a point alone. Points sit at the
 * middle of their bucket.
 */
static void
html_series(struct buf *b, const struct html_box *bx, const struct report *r,
    const float *v, const char *cls)
{
	size_t i, run = 0, last = 0, join = html_join_span(v, r->npoints);
	double x, y;

	for (i = 0; i <= r->npoints; i++) {
		if (i < r->npoints && !isfinite(v[i]))
			continue;
		if (run > 0 && (i == r->npoints || i - last > join)) {
			buf_puts(b, "\"/>");
			if (run == 1) {
				/* A 1-point polyline is invisible. */
				x = html_x(bx, r->t_ms[last] + r->step_ms / 2);
				y = html_y(bx, v[last]);
				buf_printf(b, "<circle class=\"%s\" cx=\"%.1f\" cy=\"%.1f\" r=\"2\"/>",
				    cls, x, y);
			}
			run = 0;
		}
		if (i == r->npoints)
			break;
		x = html_x(bx, r->t_ms[i] + r->step_ms / 2);
		y = html_y(bx, v[i]);
		if (run == 0)
			buf_printf(b, "<polyline class=\"ln %s\" points=\"", cls);
		buf_printf(b, "%s%.1f,%.1f", run > 0 ? " " : "", x, y);
		run++;
		last = i;
	}
}

/* A horizontal reference line (a limit, the RAM) with its label. */
static void
html_ref_line(struct buf *b, const struct html_box *bx, double v, const char *cls,
    const char *label)
{
	double y;

	if (!isfinite(v) || v < bx->y0 || v > bx->y1)
		return;
	y = html_y(bx, v);
	buf_printf(b, "<polyline class=\"ref %s\" points=\"%.1f,%.1f %.1f,%.1f\"/>",
	    cls, bx->l, y, bx->r, y);
	buf_printf(b, "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"end\">%s</text>",
	    bx->r - 2, y - 3, label);
}

/* The largest finite value of a series (NAN when none). */
static double
html_series_max(const float *v, size_t n, double *ret_min)
{
	double mx = NAN, mn = NAN;
	size_t i;

	for (i = 0; i < n; i++) {
		if (!isfinite(v[i]))
			continue;
		if (isnan(mx) || v[i] > mx)
			mx = v[i];
		if (isnan(mn) || v[i] < mn)
			mn = v[i];
	}
	if (ret_min != NULL)
		*ret_min = mn;
	return mx;
}

static void
html_box_init(struct html_box *bx, int w, int h, int font, int left)
{
	bx->w = w;
	bx->h = h;
	bx->font = font;
	bx->l = left;
	bx->r = w - 6;
	bx->t = font;
	bx->bot = h - font - 8;
}

static void
html_svg_open(struct buf *b, const struct html_box *bx, const char *cls,
    const char *metric, const char *label)
{
	buf_printf(b, "<svg class=\"%s\" data-metric=\"%s\" viewBox=\"0 0 %d %d\" "
	    "role=\"img\" aria-label=\"%s\" font-size=\"%d\" "
	    "xmlns=\"http://www.w3.org/2000/svg\">", cls, metric, bx->w, bx->h,
	    label, bx->font);
}

/* Min and max of a series for a caption: "min 1.2G, max 3.4G". */
static void
html_minmax(struct buf *b, const float *v, size_t n, enum html_unit u)
{
	char a[32], c[32];
	double mn, mx = html_series_max(v, n, &mn);

	if (isnan(mx)) {
		buf_puts(b, "no data");
		return;
	}
	html_value(a, sizeof a, mn, u);
	html_value(c, sizeof c, mx, u);
	buf_printf(b, "min %s, max %s", a, c);
}

/* --- node charts ----------------------------------------------------------------- */

/*
 * Available memory over the window, the RAM as a reference, and the
 * forecast: the fitted line drawn over the window and on into a shaded
 * stretch of future a quarter of the window long, down to where it meets
 * zero if it does so there.
 */
static void
html_chart_node_mem(struct buf *b, const struct report *r)
{
	const struct report_node *n = &r->node;
	struct html_box bx;
	double top, step, mx, v0, v1, x, y, xe;
	int64_t span = r->to_ms - r->from_ms, end;
	int fc = n->mem_fc.ok;
	char lab[32], when[40];

	html_box_init(&bx, 400, 190, 12, 44);
	bx.x0 = r->from_ms;
	bx.x1 = fc ? r->to_ms + span / 4 : r->to_ms;
	mx = html_series_max(r->node_mem_avail, r->npoints, NULL);
	if (isfinite(n->mem_total) && (isnan(mx) || n->mem_total > mx))
		mx = n->mem_total;
	step = html_nice_step(mx, 4, HU_BYTES, &top);
	bx.y0 = 0;
	bx.y1 = top;

	buf_puts(b, "<figure>\n<figcaption><b>Memory available</b> ");
	html_minmax(b, r->node_mem_avail, r->npoints, HU_BYTES);
	html_bytes(lab, sizeof lab, n->mem_total);
	buf_printf(b, "; RAM %s", lab);
	buf_puts(b, "<ul class=\"legend\"><li><span class=\"sw k0\"></span>available, mean per "
	    "bucket</li><li><span class=\"sw kr\"></span>RAM</li>");
	if (fc)
		buf_puts(b, "<li><span class=\"sw k3\"></span>trend (least-squares fit), "
		    "shaded: the future</li>");
	buf_puts(b, "</ul></figcaption>\n");
	html_svg_open(b, &bx, "chart", "node-mem-available",
	    "node memory available over time, with its trend");
	if (fc)
		buf_printf(b, "<rect class=\"fut\" x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\"/>",
		    html_x(&bx, r->to_ms), bx.t, bx.r - html_x(&bx, r->to_ms), bx.bot - bx.t);
	html_value_axis(b, &bx, step, HU_BYTES);
	html_time_axis(b, &bx, 5);
	html_ref_line(b, &bx, n->mem_total, "kr", "RAM");
	/* The trend first, so the data is drawn over it. */
	if (fc) {
		end = bx.x1;
		if ((n->mem_verdict == FC_REACHES || n->mem_verdict == FC_REACHED) &&
		    n->mem_out_ms != INT64_MIN && n->mem_out_ms < end && n->mem_out_ms > r->from_ms)
			end = n->mem_out_ms;
		v0 = forecast_at(&n->mem_fc, r->from_ms);
		v1 = forecast_at(&n->mem_fc, end);
		if (isfinite(v0) && isfinite(v1)) {
			xe = html_x(&bx, end);
			y = html_y(&bx, v1);
			buf_printf(b, "<polyline class=\"ref k3\" data-series=\"forecast\" "
			    "points=\"%.1f,%.1f %.1f,%.1f\"/>", html_x(&bx, r->from_ms),
			    html_y(&bx, v0), xe, y);
			if (end < bx.x1) {
				/* Where it runs out, inside the chart. */
				buf_printf(b, "<circle class=\"k2\" cx=\"%.1f\" cy=\"%.1f\" r=\"3.5\"/>", xe, y);
				html_time(when, sizeof when, n->mem_out_ms, 0);
				x = xe > bx.l + (bx.r - bx.l) / 2 ? xe - 5 : xe + 5;
				buf_printf(b, "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"%s\">out %s</text>",
				    x, y - 6, xe > bx.l + (bx.r - bx.l) / 2 ? "end" : "start", when);
			}
		}
	}
	html_series(b, &bx, r, r->node_mem_avail, "k0");
	buf_puts(b, "</svg>\n</figure>\n");
}

static void
html_chart_node_cpu(struct buf *b, const struct report *r)
{
	struct html_box bx;
	double top, step, mx;

	html_box_init(&bx, 400, 190, 12, 44);
	bx.x0 = r->from_ms;
	bx.x1 = r->to_ms;
	mx = html_series_max(r->node_cpu_busy, r->npoints, NULL);
	/* Whole scale when busy, zoomed on a quiet node (a flat line at the
	 * bottom of 0..100% says nothing). */
	step = html_nice_step(isfinite(mx) && mx > 25 ? 100 : mx, 4, HU_PCT, &top);
	bx.y0 = 0;
	bx.y1 = top > 100 ? 100 : top;

	buf_puts(b, "<figure>\n<figcaption><b>CPU busy</b>, % of all CPUs: ");
	html_minmax(b, r->node_cpu_busy, r->npoints, HU_PCT);
	buf_puts(b, "<ul class=\"legend\"><li><span class=\"sw k1\"></span>busy, mean per "
	    "bucket</li></ul></figcaption>\n");
	html_svg_open(b, &bx, "chart", "node-cpu-busy", "node CPU busy over time");
	html_value_axis(b, &bx, step, HU_PCT);
	html_time_axis(b, &bx, 5);
	html_series(b, &bx, r, r->node_cpu_busy, "k1");
	buf_puts(b, "</svg>\n</figure>\n");
}

/* A labelled horizontal bar made of segments (value, class). */
struct html_seg {
	double v;
	const char *cls;
};

static void
html_bar_row(struct buf *b, double x, double y, double w, double h, double scale,
    const struct html_seg *seg, size_t nseg)
{
	double sx = x, sw;
	size_t i;

	buf_printf(b, "<rect class=\"g-bg\" x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\"/>",
	    x, y, w, h);
	for (i = 0; i < nseg; i++) {
		if (!(seg[i].v > 0) || !isfinite(seg[i].v) || !(scale > 0))
			continue;
		sw = w * seg[i].v / scale;
		if (sx + sw > x + w)
			sw = x + w - sx;
		if (sw <= 0)
			break;
		buf_printf(b, "<rect class=\"%s\" x=\"%.1f\" y=\"%.1f\" width=\"%.2f\" height=\"%.1f\"/>",
		    seg[i].cls, sx, y, sw, h);
		sx += sw;
	}
}

/*
 * Memory committed (the sum of the limits of the containers present at the
 * end) against RAM and RAM + swap, on one scale: a committed bar longer
 * than the RAM bar is overcommitment, which is fine until the tenants use
 * what they were promised.
 */
static void
html_chart_committed(struct buf *b, const struct report *r)
{
	const struct report_node *n = &r->node;
	double ram = n->mem_total, swap = isfinite(n->swap_total) ? n->swap_total : 0;
	double scale = 0, y;
	struct html_seg seg[2];
	char a[32], c[32], d[32];
	const int w = 400, rowh = 40, left = 8, barw = w - 2 * left;

	if (isfinite(n->mem_committed) && n->mem_committed > scale)
		scale = n->mem_committed;
	if (isfinite(ram) && ram + swap > scale)
		scale = ram + swap;
	html_bytes(a, sizeof a, n->mem_committed);
	html_bytes(c, sizeof c, ram);
	html_bytes(d, sizeof d, swap);

	buf_printf(b, "<figure>\n<figcaption><b>Memory committed</b> (sum of the memory limits of "
	    "the %zu containers present at the end) against RAM and swap", n->ctrs_present);
	if (n->ctrs_no_limit > 0)
		buf_printf(b, "; <b>%zu without a limit</b> are not counted: they may take "
		    "everything", n->ctrs_no_limit);
	buf_puts(b, "</figcaption>\n");
	buf_printf(b, "<svg class=\"bars\" data-metric=\"node-mem-committed\" viewBox=\"0 0 %d %d\" "
	    "role=\"img\" aria-label=\"memory committed against RAM and swap\" font-size=\"12\" "
	    "xmlns=\"http://www.w3.org/2000/svg\">", w, 2 * rowh + 4);
	y = 16;
	buf_printf(b, "<text x=\"%d\" y=\"%.0f\">committed %s</text>", left, y - 4, a);
	seg[0].v = n->mem_committed;
	seg[0].cls = isfinite(ram) && n->mem_committed > ram + swap ? "k2" :
	    isfinite(ram) && n->mem_committed > ram ? "k3" : "k0";
	html_bar_row(b, left, y, barw, 14, scale, seg, 1);
	y += rowh;
	buf_printf(b, "<text x=\"%d\" y=\"%.0f\">RAM %s + swap %s</text>", left, y - 4, c, d);
	seg[0].v = ram;
	seg[0].cls = "kr";
	seg[1].v = swap;
	seg[1].cls = "k5";
	html_bar_row(b, left, y, barw, 14, scale, seg, 2);
	buf_puts(b, "</svg>\n");
	buf_puts(b, "<ul class=\"legend\"><li><span class=\"sw k0\"></span>committed (orange: more "
	    "than RAM, red: more than RAM + swap)</li><li><span class=\"sw kr\"></span>RAM "
	    "<span class=\"sw k5\"></span>swap</li></ul>\n</figure>\n");
}

/* Containers by cpu_shares_pct, largest first, then by path. */
static int
html_cmp_shares(const void *a, const void *b)
{
	const struct report_ctr *x = *(const struct report_ctr *const *)a;
	const struct report_ctr *y = *(const struct report_ctr *const *)b;

	if (x->cpu_shares_pct != y->cpu_shares_pct)
		return x->cpu_shares_pct < y->cpu_shares_pct ? 1 : -1;
	return strcmp(x->path, y->path);
}

/*
 * How the CPU shares (weights) of the containers present at the end divide
 * the node under contention: one bar of 100%, the largest holders first,
 * the rest as "others".
 */
static void
html_chart_shares(struct buf *b, const struct report *r)
{
	static const char *const cls[] = { "k0", "k1", "k2", "k3", "k4", "k5", "k6", "k7" };
	struct html_seg seg[HTML_SHARES_SEGMENTS + 1];
	const struct report_ctr **v, *c;
	size_t n = 0, i, k;
	double rest = 0;
	char p[32];

	v = xcalloc(r->nctrs + 1, sizeof *v);
	for (i = 0; i < r->nctrs; i++)
		if (r->ctrs[i].gone_ms == STORE_NULL && isfinite(r->ctrs[i].cpu_shares_pct) &&
		    r->ctrs[i].cpu_shares_pct > 0)
			v[n++] = &r->ctrs[i];
	qsort(v, n, sizeof *v, html_cmp_shares);

	buf_puts(b, "<figure>\n<figcaption><b>CPU shares</b>: how the containers' CPU weights "
	    "divide the node when it is busy");
	if (n == 0) {
		buf_puts(b, ": no container with known shares</figcaption>\n</figure>\n");
		free(v);
		return;
	}
	buf_puts(b, "</figcaption>\n");
	/* One segment per container when they all fit, else the largest
	 * and "others" (the legend must stay readable on a phone). */
	k = n > HTML_SHARES_SEGMENTS + 1 ? HTML_SHARES_SEGMENTS : n;
	for (i = 0; i < k; i++) {
		seg[i].v = v[i]->cpu_shares_pct;
		seg[i].cls = cls[i];
	}
	for (i = k; i < n; i++)
		rest += v[i]->cpu_shares_pct;
	if (k < n) {
		seg[k].v = rest;
		seg[k].cls = "kr";
	}
	buf_puts(b, "<svg class=\"bars\" data-metric=\"node-cpu-shares\" viewBox=\"0 0 400 26\" "
	    "role=\"img\" aria-label=\"CPU shares distribution\" "
	    "xmlns=\"http://www.w3.org/2000/svg\">");
	html_bar_row(b, 0, 2, 400, 22, 100, seg, k < n ? k + 1 : k);
	buf_puts(b, "</svg>\n<ul class=\"legend\">");
	for (i = 0; i < k; i++) {
		c = v[i];
		html_pct(p, sizeof p, c->cpu_shares_pct);
		buf_printf(b, "<li><span class=\"sw %s\"></span>%s <span class=\"name\">", cls[i], p);
		html_esc(b, html_ctr_name(c));
		buf_printf(b, "</span> (%.0f shares)</li>", c->cpu_shares);
	}
	if (k < n) {
		html_pct(p, sizeof p, rest);
		buf_printf(b, "<li><span class=\"sw kr\"></span>%s: %zu others</li>", p, n - k);
	}
	buf_puts(b, "</ul>\n</figure>\n");
	free(v);
}

/* --- sections ---------------------------------------------------------------------- */

static void
html_card(struct buf *b, const char *cls, const char *value, const char *label,
    const char *detail)
{
	buf_printf(b, "<div class=\"card%s%s\"><span>%s</span><b>%s</b>", cls ? " " : "",
	    cls ? cls : "", label, value);
	if (detail != NULL && detail[0] != '\0')
		buf_printf(b, "<span>%s</span>", detail);
	buf_puts(b, "</div>\n");
}

/* The node's verdict on running out of memory, for a card. */
static void
html_forecast_text(char *out, size_t len, enum forecast_verdict v, int64_t when)
{
	switch (v) {
	case FC_TOO_FEW:
		snprintf(out, len, "too little history");
		break;
	case FC_NO_TREND:
		snprintf(out, len, "not at the current trend");
		break;
	case FC_REACHED:
		snprintf(out, len, "already");
		break;
	case FC_REACHES:
		html_time(out, len, when, 0);
		break;
	case FC_BEYOND:
		snprintf(out, len, "not within a year");
		break;
	default:
		snprintf(out, len, "-");
	}
}

static void
html_node(struct buf *b, const struct report *r)
{
	const struct report_node *n = &r->node;
	char v[128], d[128], x[32], y[32];
	const char *cls;

	buf_puts(b, "<section id=\"node\">\n<h2>Node</h2>\n");
	if (n->samples == 0) {
		buf_puts(b, "<p>No node history in this window.</p>\n</section>\n");
		return;
	}
	buf_puts(b, "<div class=\"cards\">\n");
	html_bytes(v, sizeof v, n->mem_total);
	html_bytes(x, sizeof x, n->mem_avail_avg);
	snprintf(d, sizeof d, "available: mean %s", x);
	html_card(b, NULL, v, "RAM", d);

	html_bytes(v, sizeof v, n->mem_headroom);
	html_pct(x, sizeof x, n->mem_headroom_pct);
	snprintf(d, sizeof d, "least available: %s of RAM", x);
	cls = n->mem_headroom_pct < 5 ? "bad" : n->mem_headroom_pct < 15 ? "warn" : NULL;
	html_card(b, cls, v, "Memory headroom", d);

	html_bytes(v, sizeof v, n->swap_total);
	html_bytes(x, sizeof x, n->swap_used_max);
	snprintf(d, sizeof d, "most used: %s", x);
	html_card(b, n->swap_total == 0 ? "warn" : NULL, n->swap_total == 0 ? "none" : v,
	    "Swap", n->swap_total == 0 ? "a host without swap" : d);

	html_bytes(x, sizeof x, n->mem_committed);
	if (isfinite(n->overcommit_ram))
		snprintf(v, sizeof v, "%.2f&times; RAM", n->overcommit_ram);
	else
		snprintf(v, sizeof v, "-");
	if (isfinite(n->overcommit_ram_swap))
		snprintf(d, sizeof d, "%.2f&times; RAM + swap; committed %s", n->overcommit_ram_swap, x);
	else
		snprintf(d, sizeof d, "committed %s", x);
	cls = n->overcommit_ram_swap > 1 ? "bad" : n->overcommit_ram > 1 ? "warn" : NULL;
	html_card(b, cls, v, "Overcommit", d);

	html_forecast_text(v, sizeof v, n->mem_verdict, n->mem_out_ms);
	html_bytes(x, sizeof x, fabs(n->mem_fc.slope_per_day));
	if (n->mem_fc.ok)
		snprintf(d, sizeof d, "trend %s%s/day, R&sup2; %.2f, %zu points",
		    n->mem_fc.slope_per_day < 0 ? "-" : "+", x,
		    isfinite(n->mem_fc.r2) ? n->mem_fc.r2 : 0.0, n->mem_fc.n);
	else
		snprintf(d, sizeof d, "%zu points", n->mem_fc.n);
	cls = n->mem_verdict == FC_REACHED ? "bad" : n->mem_verdict == FC_REACHES ? "warn" : NULL;
	html_card(b, cls, v, "Memory runs out", d);

	snprintf(v, sizeof v, "%.0f", n->ncpu);
	html_pct(x, sizeof x, n->cpu_busy_avg);
	html_pct(y, sizeof y, n->cpu_busy_p95);
	snprintf(d, sizeof d, "busy: mean %s, p95 %s", x, y);
	html_card(b, NULL, v, "CPUs", d);

	html_value(v, sizeof v, n->cpu_headroom_cores, HU_CORES);
	strncat(v, " cores", sizeof v - strlen(v) - 1);
	html_value(x, sizeof x, n->cpu_committed_cores, HU_CORES);
	snprintf(d, sizeof d, "at p95 busy; quotas sum to %s cores", x);
	html_card(b, n->cpu_busy_p95 > 90 ? "warn" : NULL, v, "CPU headroom", d);

	snprintf(v, sizeof v, "%.2f", n->load1_avg);
	snprintf(d, sizeof d, "1-minute load, max %.2f", n->load1_max);
	html_card(b, NULL, v, "Load (mean)", d);
	buf_puts(b, "</div>\n<div class=\"grid\">\n");
	html_chart_node_mem(b, r);
	html_chart_node_cpu(b, r);
	html_chart_committed(b, r);
	html_chart_shares(b, r);
	buf_puts(b, "</div>\n</section>\n");
}

static const char *const html_res_title[RES_NRES] = {
	[RES_MEMORY] = "Memory (p95)",
	[RES_SWAP] = "Swap (max)",
	[RES_CPU] = "CPU (mean cores)",
	[RES_THROTTLE] = "CPU throttled (% of time)",
	[RES_IO] = "I/O (bytes read + written)",
	[RES_IOPS] = "IOPS (p95)",
};

static void
html_res_value(char *out, size_t len, enum report_res res, double v)
{
	switch (res) {
	case RES_MEMORY:
	case RES_SWAP:
	case RES_IO:
		html_bytes(out, len, v);
		break;
	case RES_CPU:
		html_value(out, len, v, HU_CORES);
		break;
	case RES_THROTTLE:
		html_pct(out, len, v);
		break;
	case RES_IOPS:
		if (isfinite(v))
			snprintf(out, len, "%.0f/s", v);
		else
			html_value(out, len, v, HU_CORES);
		break;
	default:
		snprintf(out, len, "-");
	}
}

static void
html_offenders(struct buf *b, const struct report *r)
{
	const struct report_ctr *c;
	double v, best;
	char val[32];
	size_t i, k;
	int res;

	buf_puts(b, "<section id=\"offenders\">\n<h2>Top offenders</h2>\n<div class=\"top\">\n");
	for (res = 0; res < RES_NRES; res++) {
		buf_printf(b, "<div class=\"card\" data-resource=\"%s\"><h3>%s</h3>",
		    report_res_name((enum report_res)res), html_res_title[res]);
		if (r->ntop[res] == 0) {
			buf_puts(b, "<p class=\"sub\">none above zero</p></div>\n");
			continue;
		}
		best = report_res_value(&r->ctrs[r->tops[res][0]], (enum report_res)res);
		buf_puts(b, "<ol>");
		for (k = 0; k < r->ntop[res]; k++) {
			i = r->tops[res][k];
			c = &r->ctrs[i];
			v = report_res_value(c, (enum report_res)res);
			html_res_value(val, sizeof val, (enum report_res)res, v);
			buf_printf(b, "<li><b>%s</b> <span class=\"name\">", val);
			html_esc(b, html_ctr_name(c));
			buf_printf(b, "</span><div class=\"bar\"><i style=\"width:%.1f%%\"></i></div></li>",
			    best > 0 && isfinite(v) ? 100 * v / best : 0);
		}
		buf_puts(b, "</ol></div>\n");
	}
	buf_puts(b, "</div>\n</section>\n");
}

static void
html_check(struct buf *b, const char *cls, const char *tag)
{
	buf_printf(b, "<li class=\"%s\"><span class=\"tag\">%s</span>", cls, tag);
}

/* A list of container names, escaped, comma separated. */
static void
html_name_list(struct buf *b, const struct report *r, int (*pick)(const struct report_ctr *))
{
	size_t i, k = 0;

	for (i = 0; i < r->nctrs; i++) {
		if (!pick(&r->ctrs[i]))
			continue;
		buf_puts(b, k++ > 0 ? ", <span class=\"name\">" : "<span class=\"name\">");
		html_esc(b, html_ctr_name(&r->ctrs[i]));
		buf_puts(b, "</span>");
	}
}

static int
html_pick_no_limit(const struct report_ctr *c)
{
	return c->no_mem_limit;
}

static int
html_pick_jvm_no_swap(const struct report_ctr *c)
{
	return c->jvm_no_swap;
}

static int
html_pick_jvm(const struct report_ctr *c)
{
	return c->jvm == 1;
}

static void
html_checks(struct buf *b, const struct report *r)
{
	const struct report_checks *k = &r->checks;
	size_t i, nolimit = 0, jvm = 0, jvmnoswap = 0, jvmunknown = 0;
	char s[32];

	for (i = 0; i < r->nctrs; i++) {
		nolimit += r->ctrs[i].no_mem_limit != 0;
		jvm += r->ctrs[i].jvm == 1;
		jvmnoswap += r->ctrs[i].jvm_no_swap != 0;
		jvmunknown += r->ctrs[i].jvm == -1;
	}
	buf_puts(b, "<section id=\"checks\">\n<h2>Checks</h2>\n<ul class=\"checks\">\n");

	if (k->host_no_swap == 1) {
		html_check(b, "warn", "WARN");
		buf_puts(b, "The host has <b>no swap</b>: no container can be given a swap buffer, "
		    "and a JVM's memory spike goes straight to the OOM killer.</li>\n");
	} else if (k->host_no_swap == 0) {
		html_check(b, "ok", "OK");
		html_bytes(s, sizeof s, k->host_swap_total);
		buf_printf(b, "The host has swap (%s).</li>\n", isfinite(k->host_swap_total) ? s :
		    "per the history");
	} else {
		html_check(b, "unknown", "?");
		buf_puts(b, "Whether the host has swap is unknown.</li>\n");
	}

	if (nolimit > 0) {
		html_check(b, "warn", "WARN");
		buf_printf(b, "%zu container%s without a memory limit: ", nolimit,
		    nolimit == 1 ? "" : "s");
		html_name_list(b, r, html_pick_no_limit);
		buf_puts(b, ".</li>\n");
	} else {
		html_check(b, "ok", "OK");
		buf_puts(b, "Every container has a memory limit.</li>\n");
	}

	if (jvmnoswap > 0) {
		html_check(b, "warn", "WARN");
		buf_printf(b, "%zu JVM container%s without swap: ", jvmnoswap,
		    jvmnoswap == 1 ? "" : "s");
		html_name_list(b, r, html_pick_jvm_no_swap);
		buf_puts(b, ". A JVM's heap grows in bursts; without swap a burst past the limit "
		    "is an OOM kill.</li>\n");
	} else if (jvm > 0) {
		html_check(b, "ok", "OK");
		buf_printf(b, "%zu JVM container%s, each with swap: ", jvm, jvm == 1 ? "" : "s");
		html_name_list(b, r, html_pick_jvm);
		buf_puts(b, ".</li>\n");
	} else {
		html_check(b, jvmunknown > 0 ? "unknown" : "ok", jvmunknown > 0 ? "?" : "OK");
		buf_puts(b, "No container runs a JVM");
		if (jvmunknown > 0)
			buf_printf(b, " that could be seen (%zu container%s not found on this host)",
			    jvmunknown, jvmunknown == 1 ? "" : "s");
		buf_puts(b, ".</li>\n");
	}

	if (!k->block_known) {
		html_check(b, "unknown", "?");
		buf_puts(b, "The I/O schedulers are unknown (no sys/block under ");
		html_esc(b, k->root);
		buf_puts(b, ").</li>\n");
	} else {
		html_check(b, "ok", "INFO");
		buf_printf(b, "I/O schedulers of %zu block device%s (loop, ram, zram and dm "
		    "devices left out):</li>\n", k->nblock, k->nblock == 1 ? "" : "s");
	}
	buf_puts(b, "</ul>\n");
	if (k->block_known && k->nblock > 0) {
		buf_puts(b, "<div class=\"scroll\"><table id=\"schedulers\">\n<thead><tr>"
		    "<th class=\"l\">device</th><th class=\"l\">active</th>"
		    "<th class=\"l\">available</th></tr></thead>\n<tbody>\n");
		for (i = 0; i < k->nblock; i++) {
			buf_puts(b, "<tr><td class=\"l\">");
			html_esc(b, k->block[i].name);
			buf_puts(b, "</td><td class=\"l\"><b>");
			html_esc(b, k->block[i].scheduler != NULL ? k->block[i].scheduler : "unknown");
			buf_puts(b, "</b></td><td class=\"l\">");
			html_esc(b, k->block[i].available);
			buf_puts(b, "</td></tr>\n");
		}
		buf_puts(b, "</tbody></table></div>\n");
	}
	buf_puts(b, "</section>\n");
}

/* A gauge: the share of a limit used, green / amber from 75% / red from
 * 90%, the bar capped at 100% and the text saying the real figure. */
static void
html_gauge(struct buf *b, double pct, const char *label)
{
	char p[32];
	double w = isfinite(pct) ? (pct < 0 ? 0 : pct > 100 ? 100 : pct) : 0;
	const char *cls = !isfinite(pct) ? "g-bg" : pct >= 90 ? "g-bad" : pct >= 75 ? "g-warn" : "g-ok";

	html_pct(p, sizeof p, pct);
	buf_printf(b, "<svg class=\"gauge\" viewBox=\"0 0 260 24\" role=\"img\" "
	    "aria-label=\"%s %s\" font-size=\"11\" xmlns=\"http://www.w3.org/2000/svg\">"
	    "<rect class=\"g-bg\" x=\"0\" y=\"14\" width=\"260\" height=\"9\" rx=\"3\"/>"
	    "<rect class=\"%s\" x=\"0\" y=\"14\" width=\"%.1f\" height=\"9\" rx=\"3\"/>"
	    "<text x=\"0\" y=\"10\">%s: %s</text></svg>", label, p, cls, 2.6 * w, label,
	    isfinite(pct) ? p : "no limit");
}

static void
html_td_value(struct buf *b, double v, enum html_unit u)
{
	char s[32];

	html_value(s, sizeof s, v, u);
	buf_printf(b, "<td>%s</td>", s);
}

static void
html_containers_table(struct buf *b, const struct report *r)
{
	const struct report_ctr *c;
	char s[64], t[32];
	size_t i;

	buf_puts(b, "<section id=\"per-container\">\n<h2>Containers</h2>\n");
	if (r->nctrs == 0) {
		buf_puts(b, "<p>No container has history in this window.</p>\n</section>\n");
		return;
	}
	buf_printf(b, "<p class=\"sub\">%zu containers. Memory in bytes (K, M, G: powers of 1024), "
	    "CPU in cores, %% of limit where there is one; I/O over the whole window.</p>\n",
	    r->nctrs);
	buf_puts(b, "<div class=\"scroll\"><table id=\"containers\">\n<thead><tr>"
	    "<th class=\"l\">container</th><th class=\"l\">runtime</th>"
	    "<th>mem p50</th><th>mem p95</th><th>mem max</th><th>limit</th><th>p95 % of limit</th>"
	    "<th>swap max</th><th>swap limit</th>"
	    "<th>CPU mean</th><th>CPU p95</th><th>CPU limit</th><th>shares</th><th>throttled</th>"
	    "<th>read</th><th>written</th><th>IOPS p95</th><th>OOM / kills</th>"
	    "<th>actions</th><th>held</th></tr></thead>\n<tbody>\n");
	for (i = 0; i < r->nctrs; i++) {
		c = &r->ctrs[i];
		buf_printf(b, "<tr data-cid=\"%lld\"><td class=\"name\">", (long long)c->cid);
		html_esc(b, html_ctr_name(c));
		if (c->name != NULL && c->name[0] != '\0') {
			buf_puts(b, "<div class=\"path\">");
			html_esc(b, c->path);
			buf_puts(b, "</div>");
		}
		if (c->gone_ms != STORE_NULL)
			buf_puts(b, "<div class=\"sub\">gone</div>");
		buf_puts(b, "</td><td class=\"l\">");
		html_esc(b, c->runtime);
		buf_puts(b, "</td>");
		html_td_value(b, c->mem_p50, HU_BYTES);
		html_td_value(b, c->mem_p95, HU_BYTES);
		html_td_value(b, c->mem_max, HU_BYTES);
		html_td_value(b, c->mem_limit, HU_BYTES);
		html_td_value(b, c->mem_p95_pct, HU_PCT);
		html_td_value(b, c->swap_max, HU_BYTES);
		html_td_value(b, c->swap_limit, HU_BYTES);
		html_td_value(b, c->cpu_avg, HU_CORES);
		html_td_value(b, c->cpu_p95, HU_CORES);
		html_td_value(b, c->cpu_limit_cores, HU_CORES);
		html_pct(t, sizeof t, c->cpu_shares_pct);
		if (isfinite(c->cpu_shares))
			snprintf(s, sizeof s, "%.0f (%s)", c->cpu_shares, t);
		else
			snprintf(s, sizeof s, "-");
		buf_printf(b, "<td>%s</td>", s);
		html_td_value(b, c->throttled_time_pct, HU_PCT);
		html_td_value(b, c->rbytes, HU_BYTES);
		html_td_value(b, c->wbytes, HU_BYTES);
		if (isfinite(c->iops_p95))
			buf_printf(b, "<td>%.0f/s</td>", c->iops_p95);
		else
			buf_puts(b, "<td>-</td>");
		if (c->oom == STORE_NULL && c->oom_kill == STORE_NULL)
			buf_puts(b, "<td>-</td>");
		else
			buf_printf(b, "<td>%lld / %lld</td>",
			    c->oom == STORE_NULL ? 0LL : (long long)c->oom,
			    c->oom_kill == STORE_NULL ? 0LL : (long long)c->oom_kill);
		buf_printf(b, "<td>%zu</td>", c->nactions);
		html_duration(s, sizeof s, c->nactions > 0 ? c->held_ms : -1);
		buf_printf(b, "<td>%s</td></tr>\n", s);
	}
	buf_puts(b, "</tbody></table></div>\n</section>\n");
}

/* Is container i among the top offenders of any resource? */
static int
html_is_offender(const struct report *r, size_t i)
{
	size_t k;
	int res;

	for (res = 0; res < RES_NRES; res++)
		for (k = 0; k < r->ntop[res]; k++)
			if (r->tops[res][k] == i)
				return 1;
	return 0;
}

/* Memory against its limit (the limit drawn when there is one, and in the
 * scale: usage far below it is the point), and CPU against its quota. */
static void
html_ctr_charts(struct buf *b, const struct report *r, const struct report_ctr *c)
{
	struct html_box bx;
	double top, step, mx;
	char lab[32];

	html_box_init(&bx, 300, 130, 12, 42);
	bx.x0 = r->from_ms;
	bx.x1 = r->to_ms;

	mx = html_series_max(c->mem, r->npoints, NULL);
	if (isfinite(c->mem_limit) && (isnan(mx) || c->mem_limit > mx))
		mx = c->mem_limit;
	step = html_nice_step(mx, 3, HU_BYTES, &top);
	bx.y0 = 0;
	bx.y1 = top;
	buf_puts(b, "<p class=\"sub\">memory: ");
	html_minmax(b, c->mem, r->npoints, HU_BYTES);
	html_bytes(lab, sizeof lab, c->mem_limit);
	buf_printf(b, "; limit %s</p>", lab);
	buf_printf(b, "<svg class=\"chart\" data-metric=\"ctr-mem\" data-cid=\"%lld\" "
	    "viewBox=\"0 0 %d %d\" role=\"img\" aria-label=\"memory against its limit\" "
	    "font-size=\"%d\" xmlns=\"http://www.w3.org/2000/svg\">", (long long)c->cid,
	    bx.w, bx.h, bx.font);
	html_value_axis(b, &bx, step, HU_BYTES);
	html_time_axis(b, &bx, 3);
	html_ref_line(b, &bx, c->mem_limit, "k2", "limit");
	html_series(b, &bx, r, c->mem, "k0");
	buf_puts(b, "</svg>");

	mx = html_series_max(c->cpu, r->npoints, NULL);
	if (isfinite(c->cpu_limit_cores) && (isnan(mx) || c->cpu_limit_cores > mx))
		mx = c->cpu_limit_cores;
	step = html_nice_step(mx, 3, HU_CORES, &top);
	bx.y1 = top;
	buf_puts(b, "<p class=\"sub\">CPU, cores: ");
	html_minmax(b, c->cpu, r->npoints, HU_CORES);
	html_value(lab, sizeof lab, c->cpu_limit_cores, HU_CORES);
	buf_printf(b, "; quota %s</p>", lab);
	buf_printf(b, "<svg class=\"chart\" data-metric=\"ctr-cpu\" data-cid=\"%lld\" "
	    "viewBox=\"0 0 %d %d\" role=\"img\" aria-label=\"CPU against its quota\" "
	    "font-size=\"%d\" xmlns=\"http://www.w3.org/2000/svg\">", (long long)c->cid,
	    bx.w, bx.h, bx.font);
	html_value_axis(b, &bx, step, HU_CORES);
	html_time_axis(b, &bx, 3);
	html_ref_line(b, &bx, c->cpu_limit_cores, "k2", "quota");
	html_series(b, &bx, r, c->cpu, "k1");
	buf_puts(b, "</svg>");
}

static void
html_ctr_cards(struct buf *b, const struct report *r)
{
	const struct report_ctr *c;
	size_t i;
	int all = r->nctrs <= HTML_MAX_CTR_CHARTS;

	if (r->nctrs == 0 || r->npoints == 0)
		return;
	buf_puts(b, "<section id=\"container-charts\">\n<h2>Container charts</h2>\n");
	if (!all)
		buf_printf(b, "<p class=\"sub\">Charts of the top offenders only (%zu containers: "
		    "the table above lists every one).</p>\n", r->nctrs);
	buf_puts(b, "<div class=\"grid small\">\n");
	for (i = 0; i < r->nctrs; i++) {
		c = &r->ctrs[i];
		if (!all && !html_is_offender(r, i))
			continue;
		buf_printf(b, "<div class=\"ct\" data-cid=\"%lld\"><h3>", (long long)c->cid);
		html_esc(b, html_ctr_name(c));
		buf_puts(b, "</h3><div class=\"path\">");
		html_esc(b, c->path);
		buf_puts(b, "</div>");
		html_gauge(b, c->mem_p95_pct, "memory p95, % of limit");
		html_ctr_charts(b, r, c);
		buf_puts(b, "</div>\n");
	}
	buf_puts(b, "</div>\n</section>\n");
}

static void
html_actions(struct buf *b, const struct report *r)
{
	const struct report_action *ra;
	const struct journal_action *a;
	char old[32], new[32], held[48];
	size_t i;
	int known;

	buf_puts(b, "<section id=\"actions-section\">\n<h2>Actions</h2>\n");
	if (r->nactions == 0) {
		buf_puts(b, "<p>cgov took no action in this window.</p>\n</section>\n");
		return;
	}
	buf_printf(b, "<p class=\"sub\">%zu actions, oldest first. Highlighted: still in force at "
	    "the end of the window.</p>\n", r->nactions);
	buf_puts(b, "<div class=\"scroll\"><table id=\"actions\">\n<thead><tr>"
	    "<th class=\"l\">time</th><th class=\"l\">container</th><th class=\"l\">kind</th>"
	    "<th class=\"l\">knob</th><th class=\"l\">change</th><th class=\"l\">policy / rule</th>"
	    "<th class=\"l\">why</th><th>held</th></tr></thead>\n<tbody>\n");
	for (i = 0; i < r->nactions; i++) {
		ra = &r->actions[i];
		a = &ra->a;
		known = a->knob >= 0 && a->knob < PK__MAX;
		buf_printf(b, "<tr%s><td class=\"l\">", ra->in_force ? " class=\"force\"" : "");
		html_time_el(b, a->ts_ms, 1);
		buf_puts(b, "</td><td class=\"name\">");
		html_esc(b, a->name != NULL && a->name[0] != '\0' ? a->name : a->path);
		buf_printf(b, "</td><td class=\"l\">%s%s</td><td class=\"l\">%s",
		    journal_kind_name(a->kind), a->dry_run ? " (dry run)" : "",
		    known ? pol_knob_name((enum pol_knob)a->knob) : "-");
		if (a->dev != 0)
			buf_printf(b, " %u:%u", major((dev_t)a->dev), minor((dev_t)a->dev));
		buf_puts(b, "</td><td class=\"l\">");
		if (known && (a->old_value != STORE_NULL || a->new_value != STORE_NULL)) {
			if (a->old_value != STORE_NULL)
				knob_format((enum pol_knob)a->knob, a->old_value, old, sizeof old);
			if (a->new_value != STORE_NULL)
				knob_format((enum pol_knob)a->knob, a->new_value, new, sizeof new);
			/* knob_format prints plain ASCII figures ("4G", "max"),
			 * but escape anyway: it is cheap and keeps the rule
			 * "every string through html_esc" without exceptions. */
			html_esc(b, a->old_value != STORE_NULL ? old : "?");
			buf_puts(b, " &rarr; ");
			html_esc(b, a->new_value != STORE_NULL ? new : "?");
		} else
			buf_puts(b, "-");
		buf_puts(b, "</td><td class=\"l\">");
		html_esc(b, a->policy);
		buf_puts(b, " / ");
		html_esc(b, a->rule);
		buf_puts(b, "</td><td class=\"why\">");
		html_esc(b, a->observed);
		if (a->error != 0)
			buf_printf(b, " <b>(failed: %s)</b>", strerror(a->error));
		buf_puts(b, "</td><td>");
		if (ra->held_ms >= 0) {
			html_duration(held, sizeof held, ra->held_ms);
			buf_printf(b, "%s%s", held, ra->in_force ? " <b>in force</b>" : "");
		} else
			buf_puts(b, "-");
		buf_puts(b, "</td></tr>\n");
	}
	buf_puts(b, "</tbody></table></div>\n</section>\n");
}

static void
html_footer(struct buf *b, const struct report *r)
{
	char step[32], pstep[32];

	units_format_duration((uint64_t)(r->scan_step_ms > 0 ? r->scan_step_ms : 0), step, sizeof step);
	units_format_duration((uint64_t)(r->step_ms > 0 ? r->step_ms : 0), pstep, sizeof pstep);
	buf_puts(b, "<footer>\n<p><b>How the memory forecast is computed.</b> ");
	html_esc(b, report_forecast_method);
	buf_printf(b, "</p>\n<p>Read from %lld history records (scan step %s); charts show the "
	    "mean of each %s bucket, times in UTC. Generated by cgov " PACKAGE_VERSION ".</p>\n"
	    "</footer>\n", (long long)r->records, step, pstep);
}

int
report_html(const struct report *r, FILE *out)
{
	struct buf b;
	char since[32];

	buf_init(&b);
	html_head(&b, r);
	units_format_duration((uint64_t)(r->since_ms > 0 ? r->since_ms : 0), since, sizeof since);
	buf_puts(&b, "<header>\n<h1>cgov capacity report</h1>\n<p class=\"sub\">");
	if (r->to_ms <= 0)
		/* roll_latest_ms: 0 when the history has no tick at all. */
		buf_printf(&b, "The history holds no sample yet (window: %s).", since);
	else {
		buf_printf(&b, "The %s ending with the newest sample: ", since);
		html_time_el(&b, r->from_ms, 0);
		buf_puts(&b, " to ");
		html_time_el(&b, r->to_ms, 0);
		buf_printf(&b, "; %zu containers, %zu actions.", r->nctrs, r->nactions);
	}
	buf_puts(&b, "</p>\n</header>\n");

	html_node(&b, r);
	html_offenders(&b, r);
	html_checks(&b, r);
	html_containers_table(&b, r);
	html_ctr_cards(&b, r);
	html_actions(&b, r);
	html_footer(&b, r);
	buf_puts(&b, "</main>\n</body>\n</html>\n");

	if (fwrite(b.data, 1, b.len, out) != b.len || fflush(out) != 0 || ferror(out)) {
		buf_free(&b);
		return -EIO;
	}
	buf_free(&b);
	return 0;
}
