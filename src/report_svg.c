/* report_svg.c: the inline SVG of the HTML report (report_html.c): chart
 * geometry (a box in user units, round axis steps, UTC time ticks), the
 * drawing primitives every line chart is made of, and the node's charts
 * (memory available with its forecast, CPU busy, memory committed, CPU
 * shares).
 *
 * Apart from report_html.c so the page's text and tables and the
 * arithmetic of drawing can each be read on their own; what the two share
 * is in report_html_int.h. Everything here writes into the page's buffer
 * and prints only numbers it computed, fixed markup, and (CPU shares)
 * container names through html_esc(). The hooks the browser test relies on
 * (class="chart" with data-metric, one <polyline> per run of known points,
 * class="bars") are described at the top of report_html.c.
 */
#include "config.h"

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "buf.h"
#include "report.h"
#include "report_html_int.h"
#include "xmalloc.h"

/* Segments of the CPU shares bar before the rest is "others". */
#define HTML_SHARES_SEGMENTS 7

/* --- chart geometry -------------------------------------------------------------- */

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
double
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
void
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
void
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
void
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
void
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
double
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

void
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
void
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
 * forecast: the fitted line drawn over the span with data and on into a shaded
 * stretch of future a quarter of the window long, down to where it meets
 * zero if it does so there.
 */
void
html_chart_node_mem(struct buf *b, const struct report *r)
{
	const struct report_node *n = &r->node;
	struct html_box bx;
	double top, step, mx, v0, v1, x, y, xe;
	int64_t span = r->to_ms - r->from_ms, end, t0;
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
		/* From the first instant with data, never from the start of a
		 * window the history does not reach back to (report.h). */
		t0 = r->data_from_ms != INT64_MIN && r->data_from_ms > r->from_ms ?
		    r->data_from_ms : r->from_ms;
		v0 = forecast_at(&n->mem_fc, t0);
		v1 = forecast_at(&n->mem_fc, end);
		if (isfinite(v0) && isfinite(v1)) {
			xe = html_x(&bx, end);
			y = html_y(&bx, v1);
			buf_printf(b, "<polyline class=\"ref k3\" data-series=\"forecast\" "
			    "points=\"%.1f,%.1f %.1f,%.1f\"/>", html_x(&bx, t0),
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

void
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
void
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
void
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
