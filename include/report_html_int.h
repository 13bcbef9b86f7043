/* report_html_int.h: what report_html.c (the page, its text and tables)
 * and report_svg.c (chart geometry and the inline SVG) share; not an API
 * for anyone else (use report.h: report_html).
 *
 * Every function appends to the page's buffer and cannot fail (xmalloc).
 * Values follow report.h: NAN is unknown, INFINITY is "no limit"; series
 * are struct report arrays of r->npoints floats, NAN where a bucket has no
 * data.
 */
#ifndef CGOV_REPORT_HTML_INT_H
#define CGOV_REPORT_HTML_INT_H

#include <stddef.h>
#include <stdint.h>

#include "buf.h"
#include "report.h"

/* How a figure is printed and how an axis is stepped. */
enum html_unit { HU_BYTES, HU_CORES, HU_PCT };

/* --- text (report_html.c) ------------------------------------------------ */

/* Appends tenant or host text (s may be NULL: "-"), safe in HTML text and
 * in attribute values alike: escape_term's visible \xNN for control bytes,
 * bidirectional overrides and invalid UTF-8, then escape_html. */
void html_esc(struct buf *b, const char *s);

/* A container's display name: its name, else its path; not escaped. */
const char *html_ctr_name(const struct report_ctr *c);

/* Formats v into out: "-" for NAN, "none" for INFINITY, else bytes as a
 * size ("1.5G"), cores with two decimals (one from 10 up), percent with
 * a "%" (html_pct: html_value with HU_PCT). Always NUL-terminated. */
void html_bytes(char *out, size_t len, double v);
void html_value(char *out, size_t len, double v, enum html_unit u);
void html_pct(char *out, size_t len, double v);

/* Formats ms since the epoch as "2026-01-01 03:00 UTC" (with seconds when
 * seconds is non-zero); STORE_NULL prints as "-". Never local time. */
void html_time(char *out, size_t len, int64_t ms, int seconds);

/* --- chart geometry (report_svg.c) ------------------------------------------- */

/* A chart's box in SVG user units; the CSS scales it to the page width. The
 * caller sets the ranges (x0, x1, y0, y1) after html_box_init. */
struct html_box {
	int w, h;                 /* viewBox */
	double l, r, t, bot;      /* plot area: x from l to r, y from t to bot */
	int font;                 /* text size, user units */
	int64_t x0, x1;           /* time range, ms */
	double y0, y1;            /* value range */
};

/* Sets the viewBox (w by h), the text size, and a plot area with `left`
 * units for the value labels and room below for the time labels; leaves
 * the ranges alone. */
void html_box_init(struct html_box *bx, int w, int h, int font, int left);

/* The largest finite value of a series of n, NAN when none; the smallest
 * into *ret_min when ret_min is not NULL. */
double html_series_max(const float *v, size_t n, double *ret_min);

/* A round step for about `want` intervals up to vmax (1, 2, 2.5 or 5 times
 * a power of ten; a power of two for bytes); a default scale when vmax is
 * not a positive finite number. Returns the step; *ret_top is the smallest
 * multiple of it at or above vmax. */
double html_nice_step(double vmax, int want, enum html_unit u, double *ret_top);

/* Appends "min X, max Y" of a series of n, or "no data". */
void html_minmax(struct buf *b, const float *v, size_t n, enum html_unit u);

/* --- drawing, inside an <svg> the caller opened (report_svg.c) ---------------- */

/* Grid lines and labels of the value axis, from bx->y0 to bx->y1 by step
 * (at most 13 lines). */
void html_value_axis(struct buf *b, const struct html_box *bx, double step,
    enum html_unit u);

/* The time axis with ticks at round UTC steps, at most about maxticks;
 * labels HH:MM, or MM-DD at midnight and for steps of days. Nothing when
 * the box has no time range. */
void html_time_axis(struct buf *b, const struct html_box *bx, int maxticks);

/* A dashed horizontal line at v with label (markup, not escaped) at its
 * right end, of class cls; nothing when v is not finite or off the
 * value range. */
void html_ref_line(struct buf *b, const struct html_box *bx, double v,
    const char *cls, const char *label);

/* A series of r->npoints values, one point per bucket of r, as
 * <polyline class="ln cls">: one per run of known points (a gap of more
 * than about twice the usual spacing starts a new one), a <circle> for a
 * point alone. */
void html_series(struct buf *b, const struct html_box *bx, const struct report *r,
    const float *v, const char *cls);

/* --- node charts (report_svg.c) ---------------------------------------------- */

/* Each appends one <figure> of the node section: memory available with
 * the RAM and the forecast (data-metric "node-mem-available"), CPU busy
 * ("node-cpu-busy"), memory committed against RAM and swap (bars,
 * "node-mem-committed"), and how the CPU shares of the containers present
 * at the end divide the node (bars, "node-cpu-shares"). */
void html_chart_node_mem(struct buf *b, const struct report *r);
void html_chart_node_cpu(struct buf *b, const struct report *r);
void html_chart_committed(struct buf *b, const struct report *r);
void html_chart_shares(struct buf *b, const struct report *r);

#endif
