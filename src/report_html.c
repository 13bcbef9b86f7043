/* report_html.c: `cgov report --format html`, the report for people: one
 * self-contained page (no script, no external resource) with inline SVG
 * charts, laid out to read on a phone.
 *
 * This file holds the page: its frame and style sheet, the text helpers,
 * the sections and tables, and the per-container charts; the chart
 * geometry, the SVG drawing primitives and the node's charts are in
 * report_svg.c, and report_html_int.h is what the two share.
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

#include "audit.h"
#include "buf.h"
#include "escape.h"
#include "journal.h"
#include "knob.h"
#include "policy.h"
#include "report.h"
#include "report_html_int.h"
#include "units.h"
#include "xmalloc.h"

/* Per-container charts beyond this many containers: only those among the
 * top offenders (the table still lists every container). A node with a
 * thousand tenants would otherwise make a page of tens of megabytes that a
 * phone cannot scroll. */
#define HTML_MAX_CTR_CHARTS 48

/* --- text ------------------------------------------------------------------ */

/*
 * Tenant text for HTML. escape_term first, so control characters (ESC,
 * newline), C1 controls, bidirectional overrides (which would reorder the
 * rest of a table row) and invalid UTF-8 show as the same visible \xNN the
 * terminal and the logs show for this name; then escape_html for the markup
 * characters. escape_term's output holds no control byte, so escape_html
 * has only & < > " ' left to do, in text and in attribute values alike.
 */
void
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
const char *
html_ctr_name(const struct report_ctr *c)
{
	return c->name != NULL && c->name[0] != '\0' ? c->name : c->path;
}

void
html_bytes(char *out, size_t len, double v)
{
	if (isnan(v))
		snprintf(out, len, "-");
	else if (isinf(v))
		snprintf(out, len, "none");
	else
		units_format_size(v > 0 ? (uint64_t)llround(v) : 0, out, len);
}

void
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

void
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
void
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
/* The containers table has twenty columns: wider than 1,200 px and than any
 * phone. It scrolls inside .scroll, and its first column stays put, so the
 * figures scrolled into view always sit beside the name they belong to;
 * a long (hostile) name wraps anywhere inside it instead of widening it. */
"#containers th.name,#containers td.name{position:sticky;left:0;z-index:1;"
"background:#fff;box-shadow:inset -1px 0 0 #d5dbe2}\n"
"#containers th.name{background:#eef1f4}\n"
/* Its headers wrap ("p95 % of limit" on two lines) so that the columns
 * are as wide as their figures, and up to 1,280 px the cells are packed
 * closer: at 1,200 px the whole table fits beside the name column. */
"#containers th{white-space:normal;min-width:3.2em;vertical-align:bottom}\n"
"@media (max-width:1280px){#containers{font-size:.76em}#containers th,"
"#containers td{padding:4px 4px}}\n"
"@media (max-width:640px){main{padding:8px 6px 30px}table{font-size:.78em}"
"th,td{padding:3px 5px}td.name{min-width:6.5em;max-width:10em}"
".path{font-size:.75em}}\n"
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
	case FC_TOO_SHORT:
		snprintf(out, len, "no trend: too little of the window has data");
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

	if (n->temp_sensors > 0 && !isnan(n->temp_max_c)) {
		struct buf e;

		/* The sensor's name comes from sysfs: HTML-escaped. */
		buf_init(&e);
		escape_html(&e, n->temp_max_sensor);
		snprintf(v, sizeof v, "%.1f&deg;C", n->temp_max_c);
		html_card(b, n->temp_max_c >= 90 ? "bad" : n->temp_max_c >= 80 ? "warn" : NULL, v,
		    "Hottest sensor", e.len ? e.data : "-");
		buf_free(&e);
	}
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

/* The audit summary: counts by severity and the most severe findings. */
static void
html_audit(struct buf *b, const struct report *r)
{
	const struct audit_result *a = r->audit;

	buf_puts(b, "<section id=\"audit\">\n<h2>Audit</h2>\n");
	if (a == NULL) {
		buf_puts(b, "<p class=\"sub\">Not run (");
		html_esc(b, r->audit_why_not != NULL ? r->audit_why_not : "-");
		buf_puts(b, ").</p>\n</section>\n");
		return;
	}
	buf_printf(b, "<p class=\"sub\">%zu container%s audited on this host:", a->ncontainers,
	    a->ncontainers == 1 ? "" : "s");
	for (int s = AS__MAX - 1; s >= 0; s--)
		buf_printf(b, " %zu %s%s", a->count[s], audit_sev_name((enum audit_sev)s),
		    s ? "," : ".");
	if (a->n > REPORT_AUDIT_TOP)
		buf_printf(b, " The %d most severe below; <code>cgov audit</code> lists them all.",
		    REPORT_AUDIT_TOP);
	buf_puts(b, "</p>\n<ul class=\"checks\">\n");
	for (size_t i = 0; i < a->n && i < REPORT_AUDIT_TOP; i++) {
		const struct audit_finding *f = &a->v[i];
		int warn = f->sev >= AS_MEDIUM;

		buf_printf(b, "<li class=\"%s\" data-severity=\"%s\"><span class=\"tag\">%s</span>",
		    warn ? "warn" : "ok", audit_sev_name(f->sev), audit_sev_name(f->sev));
		buf_printf(b, "<b>%s</b> ", f->check);
		if (f->path != NULL) {
			buf_puts(b, "<span class=\"name\">");
			html_esc(b, f->name);
			buf_puts(b, "</span>");
		} else
			buf_puts(b, "node");
		buf_puts(b, ": ");
		html_esc(b, f->detail);
		buf_puts(b, "</li>\n");
	}
	buf_puts(b, "</ul>\n</section>\n");
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
	    "<th class=\"l name\">container</th><th class=\"l\">runtime</th>"
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

/* How much of the window has data, and whether that allows a trend. */
static void
html_coverage(struct buf *b, const struct report *r)
{
	char cov[32], win[32];

	units_format_duration((uint64_t)(r->covered_ms > 0 ? r->covered_ms : 0), cov, sizeof cov);
	units_format_duration((uint64_t)(r->since_ms > 0 ? r->since_ms : 0), win, sizeof win);
	buf_printf(b, "</p>\n<p class=\"sub\" data-coverage-pct=\"%.1f\">History covers %s of "
	    "the %s window (%.1f%%)", isfinite(r->coverage_pct) ? r->coverage_pct : 0.0, cov, win,
	    isfinite(r->coverage_pct) ? r->coverage_pct : 0.0);
	if (r->data_from_ms != INT64_MIN) {
		buf_puts(b, ", from ");
		html_time_el(b, r->data_from_ms, 0);
		buf_puts(b, " to ");
		html_time_el(b, r->data_to_ms, 0);
	}
	if (r->node.mem_verdict == FC_TOO_SHORT || r->data_from_ms == INT64_MIN)
		buf_printf(b, ": too little for a trend (one needs %.0f%% of the window over at "
		    "least 1h), so none is given.", REPORT_TREND_MIN_COVER_PCT);
	else
		buf_puts(b, ".");
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
		html_coverage(&b, r);
	}
	buf_puts(&b, "</p>\n</header>\n");

	html_node(&b, r);
	html_offenders(&b, r);
	html_checks(&b, r);
	html_audit(&b, r);
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
