/* report_text.c: the report for people at a terminal (text) and for
 * machines (JSON, CSV). Every tenant string goes through output.h's cells
 * or escape.h: names are hostile. Times are UTC (report_iso_time): a
 * report reads the same in every time zone. */
#include "config.h"

#include <sys/sysmacros.h>

#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "audit.h"
#include "buf.h"
#include "escape.h"
#include "knob.h"
#include "output.h"
#include "policy.h"
#include "report.h"
#include "units.h"
#include "xmalloc.h"

#define RT_WIDTH 76      /* text paragraphs wrap here */

/* --- figures as text ---------------------------------------------------- */

static const char *
rt_size(double v, char *buf, size_t len)
{
	if (isnan(v) || v < 0)
		snprintf(buf, len, "-");
	else if (isinf(v))
		snprintf(buf, len, "none");
	else
		units_format_size((uint64_t)llround(v), buf, len);
	return buf;
}

static const char *
rt_fixed(double v, int decimals, const char *suffix, char *buf, size_t len)
{
	if (isnan(v))
		snprintf(buf, len, "-");
	else if (isinf(v))
		snprintf(buf, len, "none");
	else
		snprintf(buf, len, "%.*f%s", decimals, v, suffix);
	return buf;
}

/* A duration for people: to the second under an hour, the minute under a
 * day, the hour beyond ("16d2h", not "16d2h3m4s5ms"). */
static const char *
rt_dur(int64_t ms, char *buf, size_t len)
{
	int64_t unit = ms < 3600000 ? 1000 : ms < 86400000 ? 60000 : 3600000;

	if (ms < 0) {
		snprintf(buf, len, "-");
		return buf;
	}
	if (ms >= 1000)
		ms = (ms + unit / 2) / unit * unit;
	units_format_duration((uint64_t)ms, buf, len);
	return buf;
}

static const char *
rt_time(int64_t ms, char *buf, size_t len)
{
	report_iso_time(ms, buf, len);
	return buf;
}

/* A container as people call it: its name, else its path. */
static const char *
rt_who(const struct report_ctr *c)
{
	return c->name != NULL && c->name[0] != '\0' ? c->name : c->path;
}

/* The same for a table row, "(gone)" after one that vanished before the
 * end of the window. The caller frees. */
static char *
rt_row_who(const struct report *r, const struct report_ctr *c)
{
	if (c->gone_ms != STORE_NULL && c->gone_ms <= r->to_ms)
		return xasprintf("%s (gone)", rt_who(c));
	return xstrdup(rt_who(c));
}

/* Appends s escaped for a terminal. */
static void
rt_term(struct buf *b, const char *s)
{
	escape_term(b, s != NULL ? s : "-");
}

/* Prints text wrapped at RT_WIDTH; the cursor is at column indent, and
 * each further line is indented as much. */
static void
rt_wrap(FILE *out, const char *text, int indent)
{
	int col = indent, fresh = 1;
	const char *p = text;

	for (;;) {
		size_t w;

		while (*p == ' ')
			p++;
		if (*p == '\0')
			break;
		w = strcspn(p, " ");
		if (!fresh && col + 1 + (int)w > RT_WIDTH) {
			fprintf(out, "\n%*s", indent, "");
			col = indent;
			fresh = 1;
		}
		if (!fresh) {
			fputc(' ', out);
			col++;
		}
		fwrite(p, 1, w, out);
		col += (int)w;
		p += w;
		fresh = 0;
	}
	fputc('\n', out);
}

static const char *
rt_verdict_text(enum forecast_verdict v)
{
	switch (v) {
	case FC_TOO_FEW:
		return "too few points to fit a trend";
	case FC_NO_TREND:
		return "not at the current trend";
	case FC_REACHED:
		return "already";
	case FC_REACHES:
		return "at";
	case FC_BEYOND:
		return "not within 365 days at the current trend";
	case FC_TOO_SHORT:
		return "no trend: the history covers too little of the window";
	}
	return "?";
}

/* --- text --------------------------------------------------------------- */

static void
rt_kv(FILE *out, const char *key, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

static void
rt_kv(FILE *out, const char *key, const char *fmt, ...)
{
	va_list ap;

	fprintf(out, "  %-20s", key);
	va_start(ap, fmt);
	vfprintf(out, fmt, ap);
	va_end(ap);
	fputc('\n', out);
}

static void
rt_text_forecast(FILE *out, const struct report *r)
{
	const struct report_node *n = &r->node;
	char a[32], b[32], c[32];
	struct buf line;

	buf_init(&line);
	switch (n->mem_verdict) {
	case FC_REACHES:
		buf_printf(&line, "runs out at %s, %s after the window",
		    rt_time(n->mem_out_ms, a, sizeof a), rt_dur(n->mem_out_ms - r->to_ms, b, sizeof b));
		break;
	case FC_REACHED:
		buf_printf(&line, "the trend line is already at zero");
		break;
	default:
		buf_printf(&line, "%s", rt_verdict_text(n->mem_verdict));
		break;
	}
	if (n->mem_fc.ok)
		buf_printf(&line, " (available %s %s/day, R^2 %s, %zu points)",
		    n->mem_fc.slope_per_day < 0 ? "falling" : "rising",
		    rt_size(fabs(n->mem_fc.slope_per_day), c, sizeof c),
		    rt_fixed(n->mem_fc.r2, 2, "", b, sizeof b), n->mem_fc.n);
	else
		buf_printf(&line, " (%zu point%s)", n->mem_fc.n, n->mem_fc.n == 1 ? "" : "s");
	fprintf(out, "  %-20s", "memory runs out");
	rt_wrap(out, line.data, 22);
	fprintf(out, "  %-20s", "how");
	rt_wrap(out, report_forecast_method, 22);
	buf_free(&line);
}

static void
rt_text_node(FILE *out, const struct report *r)
{
	const struct report_node *n = &r->node;
	char a[32], b[32], c[32], d[32];

	fprintf(out, "NODE\n");
	if (n->samples == 0) {
		fprintf(out, "  no node figures in the window\n\n");
		return;
	}
	rt_kv(out, "CPUs", "%s", rt_fixed(n->ncpu, 0, "", a, sizeof a));
	rt_kv(out, "CPU busy", "avg %s, p95 %s of all CPUs; headroom %s cores at p95",
	    rt_fixed(n->cpu_busy_avg, 1, "%", a, sizeof a),
	    rt_fixed(n->cpu_busy_p95, 1, "%", b, sizeof b),
	    rt_fixed(n->cpu_headroom_cores, 2, "", c, sizeof c));
	rt_kv(out, "load1", "avg %s, max %s", rt_fixed(n->load1_avg, 2, "", a, sizeof a),
	    rt_fixed(n->load1_max, 2, "", b, sizeof b));
	rt_kv(out, "memory", "%s total; available avg %s, min %s (headroom %s of RAM)",
	    rt_size(n->mem_total, a, sizeof a), rt_size(n->mem_avail_avg, b, sizeof b),
	    rt_size(n->mem_avail_min, c, sizeof c),
	    rt_fixed(n->mem_headroom_pct, 1, "%", d, sizeof d));
	if (isfinite(n->swap_total) && n->swap_total > 0)
		rt_kv(out, "swap", "%s total, at most %s used",
		    rt_size(n->swap_total, a, sizeof a), rt_size(n->swap_used_max, b, sizeof b));
	else
		rt_kv(out, "swap", "%s", isfinite(n->swap_total) ? "none" : "-");
	rt_kv(out, "memory committed", "%s in limits of %zu container%s: %sx RAM, %sx RAM+swap",
	    rt_size(n->mem_committed, a, sizeof a), n->ctrs_present - n->ctrs_no_limit,
	    n->ctrs_present - n->ctrs_no_limit == 1 ? "" : "s",
	    rt_fixed(n->overcommit_ram, 2, "", b, sizeof b),
	    rt_fixed(n->overcommit_ram_swap, 2, "", c, sizeof c));
	if (n->ctrs_no_limit > 0)
		rt_kv(out, "", "plus %zu container%s without a memory limit", n->ctrs_no_limit,
		    n->ctrs_no_limit == 1 ? "" : "s");
	rt_kv(out, "CPU committed", "%s cores in quotas; %s shares in all",
	    rt_fixed(n->cpu_committed_cores, 2, "", a, sizeof a),
	    rt_fixed(n->cpu_shares_total, 0, "", b, sizeof b));
	if (n->temp_sensors > 0) {
		struct buf e;

		buf_init(&e);
		escape_term(&e, n->temp_max_sensor);
		rt_kv(out, "temperature", "max %s (%s), newest hottest %s, %zu sensor%s",
		    rt_fixed(n->temp_max_c, 1, "C", a, sizeof a), e.len ? e.data : "-",
		    rt_fixed(n->temp_last_c, 1, "C", b, sizeof b), n->temp_sensors,
		    n->temp_sensors == 1 ? "" : "s");
		buf_free(&e);
	}
	rt_text_forecast(out, r);
	fputc('\n', out);
}

static void
rt_text_ctrs(FILE *out, const struct report *r)
{
	static const struct out_col mem_cols[] = {
		{ "name", "CONTAINER", 0, 24 }, { "p50", "MEM P50", 1, 0 },
		{ "p95", "P95", 1, 0 }, { "max", "MAX", 1, 0 }, { "limit", "LIMIT", 1, 0 },
		{ "pct", "P95%LIM", 1, 0 }, { "swap", "SWAP MAX", 1, 0 },
		{ "swaplim", "SWAP LIM", 1, 0 }, { "oom", "OOM", 1, 0 },
		{ "kill", "KILLS", 1, 0 }, { "fc", "REACHES LIMIT", 0, 0 },
	};
	static const struct out_col cpu_cols[] = {
		{ "name", "CONTAINER", 0, 24 }, { "avg", "CPU AVG", 1, 0 },
		{ "p95", "P95", 1, 0 }, { "quota", "QUOTA", 1, 0 }, { "sh", "SHARES%", 1, 0 },
		{ "thr", "THROTTLED", 1, 0 }, { "io", "IO", 1, 0 }, { "iop", "IO P95/s", 1, 0 },
		{ "iops", "IOPS P95", 1, 0 }, { "act", "ACTIONS", 1, 0 }, { "held", "HELD", 1, 0 },
	};
	struct out *m = out_new(OUT_TABLE, mem_cols, sizeof mem_cols / sizeof mem_cols[0]);
	struct out *c = out_new(OUT_TABLE, cpu_cols, sizeof cpu_cols / sizeof cpu_cols[0]);
	char a[48];

	if (r->nctrs == 0) {
		fputs("CONTAINERS\n  none in the window\n\n", out);
		out_free(m);
		out_free(c);
		return;
	}
	fprintf(out, "CONTAINERS (memory in bytes: p50 and p95 of the records' figures; "
	    "%% of the limit at the end)\n");
	for (size_t i = 0; i < r->nctrs; i++) {
		const struct report_ctr *x = &r->ctrs[i];
		char *who = rt_row_who(r, x);

		out_str(m, who);
		free(who);
		out_num(m, 0, 0, rt_size(x->mem_p50, a, sizeof a));
		out_num(m, 0, 0, rt_size(x->mem_p95, a, sizeof a));
		out_num(m, 0, 0, rt_size(x->mem_max, a, sizeof a));
		out_num(m, 0, 0, rt_size(x->mem_limit, a, sizeof a));
		out_num(m, 0, 0, rt_fixed(x->mem_p95_pct, 1, "%", a, sizeof a));
		out_num(m, 0, 0, rt_size(x->swap_max, a, sizeof a));
		out_num(m, 0, 0, rt_size(x->swap_limit, a, sizeof a));
		snprintf(a, sizeof a, "%lld", (long long)x->oom);
		out_num(m, 0, 0, x->oom == STORE_NULL ? "-" : a);
		snprintf(a, sizeof a, "%lld", (long long)x->oom_kill);
		out_num(m, 0, 0, x->oom_kill == STORE_NULL ? "-" : a);
		if (x->limit_verdict == FC_REACHES || x->limit_verdict == FC_REACHED)
			rt_time(x->limit_ms, a, sizeof a);
		else if (x->no_mem_limit)
			snprintf(a, sizeof a, "no limit");
		else if (x->limit_verdict == FC_NO_TREND)
			snprintf(a, sizeof a, "not at this trend");
		else if (x->limit_verdict == FC_BEYOND)
			snprintf(a, sizeof a, "not within 365d");
		else if (x->limit_verdict == FC_TOO_SHORT)
			snprintf(a, sizeof a, "too little data");
		else
			snprintf(a, sizeof a, "-");
		out_str(m, a);
	}
	out_print(m, out);
	fprintf(out, "\nCONTAINERS (CPU in cores; throttled: %% of its time; I/O: bytes read "
	    "+ written)\n");
	for (size_t i = 0; i < r->nctrs; i++) {
		const struct report_ctr *x = &r->ctrs[i];
		char *who = rt_row_who(r, x);

		out_str(c, who);
		free(who);
		out_num(c, 0, 0, rt_fixed(x->cpu_avg, 2, "", a, sizeof a));
		out_num(c, 0, 0, rt_fixed(x->cpu_p95, 2, "", a, sizeof a));
		out_num(c, 0, 0, rt_fixed(x->cpu_limit_cores, 2, "", a, sizeof a));
		out_num(c, 0, 0, rt_fixed(x->cpu_shares_pct, 1, "%", a, sizeof a));
		out_num(c, 0, 0, rt_fixed(x->throttled_time_pct, 1, "%", a, sizeof a));
		out_num(c, 0, 0, rt_size(report_res_value(x, RES_IO), a, sizeof a));
		out_num(c, 0, 0, rt_size(x->io_p95, a, sizeof a));
		out_num(c, 0, 0, rt_fixed(x->iops_p95, 1, "", a, sizeof a));
		snprintf(a, sizeof a, "%zu", x->nactions);
		out_num(c, 0, 0, a);
		out_num(c, 0, 0, x->nactions ? rt_dur(x->held_ms, a, sizeof a) : "-");
	}
	out_print(c, out);
	fputc('\n', out);
	out_free(m);
	out_free(c);
}

static const char *const rt_res_how[RES_NRES] = {
	"memory (p95)", "swap (max)", "CPU (avg cores)", "throttled (% time)",
	"I/O (bytes r+w)", "IOPS (p95)",
};

static const char *
rt_res_text(const struct report_ctr *c, enum report_res res, char *buf, size_t len)
{
	double v = report_res_value(c, res);

	switch (res) {
	case RES_MEMORY:
	case RES_SWAP:
	case RES_IO:
		return rt_size(v, buf, len);
	case RES_CPU:
		return rt_fixed(v, 2, "", buf, len);
	case RES_THROTTLE:
		return rt_fixed(v, 1, "%", buf, len);
	case RES_IOPS:
		return rt_fixed(v, 1, "/s", buf, len);
	case RES_NRES:
		break;
	}
	return "-";
}

static void
rt_text_tops(FILE *out, const struct report *r)
{
	char a[32];

	fprintf(out, "TOP OFFENDERS (at most %zu per resource)\n", r->top);
	for (int res = 0; res < RES_NRES; res++) {
		struct buf b;

		buf_init(&b);
		for (size_t i = 0; i < r->ntop[res]; i++) {
			const struct report_ctr *c = &r->ctrs[r->tops[res][i]];

			if (i > 0)
				buf_puts(&b, ", ");
			rt_term(&b, rt_who(c));
			buf_printf(&b, " %s", rt_res_text(c, (enum report_res)res, a, sizeof a));
		}
		fprintf(out, "  %-20s", rt_res_how[res]);
		rt_wrap(out, b.len > 0 ? b.data : "none", 22);
		buf_free(&b);
	}
	fputc('\n', out);
}

static const char *
rt_change(const struct journal_action *a, char *buf, size_t len)
{
	char o[32], n[32];

	if (a->knob < 0 || a->knob >= PK__MAX || (a->old_value == STORE_NULL &&
	    a->new_value == STORE_NULL))
		return NULL;
	if (a->old_value != STORE_NULL)
		knob_format((enum pol_knob)a->knob, a->old_value, o, sizeof o);
	if (a->new_value != STORE_NULL)
		knob_format((enum pol_knob)a->knob, a->new_value, n, sizeof n);
	snprintf(buf, len, "%s -> %s", a->old_value != STORE_NULL ? o : "?",
	    a->new_value != STORE_NULL ? n : "?");
	return buf;
}

static const char *
rt_knob(const struct journal_action *a, char *buf, size_t len)
{
	if (a->knob < 0 || a->knob >= PK__MAX)
		return NULL;
	if (a->dev != 0)
		snprintf(buf, len, "%s %u:%u", pol_knob_name((enum pol_knob)a->knob),
		    major((dev_t)a->dev), minor((dev_t)a->dev));
	else
		snprintf(buf, len, "%s", pol_knob_name((enum pol_knob)a->knob));
	return buf;
}

static void
rt_text_actions(FILE *out, const struct report *r)
{
	static const struct out_col cols[] = {
		{ "time", "TIME (UTC)", 0, 0 }, { "name", "CONTAINER", 0, 24 },
		{ "kind", "KIND", 0, 0 }, { "knob", "KNOB", 0, 0 }, { "change", "CHANGE", 0, 0 },
		{ "policy", "POLICY", 0, 20 }, { "rule", "RULE", 0, 20 }, { "held", "HELD", 0, 0 },
	};
	struct out *o;
	char a[64];

	fprintf(out, "ACTIONS (%zu in the window)\n", r->nactions);
	if (r->nactions == 0) {
		fputs("  none\n\n", out);
		return;
	}
	o = out_new(OUT_TABLE, cols, sizeof cols / sizeof cols[0]);
	for (size_t i = 0; i < r->nactions; i++) {
		const struct report_action *x = &r->actions[i];

		out_str(o, rt_time(x->a.ts_ms, a, sizeof a));
		out_str(o, x->a.name != NULL ? x->a.name : x->a.path);
		out_str(o, x->a.dry_run ? "dry-run" : journal_kind_name(x->a.kind));
		out_str(o, rt_knob(&x->a, a, sizeof a));
		out_str(o, rt_change(&x->a, a, sizeof a));
		out_str(o, x->a.policy);
		out_str(o, x->a.rule);
		if (x->held_ms < 0)
			out_str(o, "-");
		else if (x->in_force) {
			char d[32];

			snprintf(a, sizeof a, "%s, in force", rt_dur(x->held_ms, d, sizeof d));
			out_str(o, a);
		} else
			out_str(o, rt_dur(x->held_ms, a, sizeof a));
	}
	out_print(o, out);
	out_free(o);
	fputc('\n', out);
}

/* "name, name, name" of the present containers that pass test, or none. */
static void
rt_list(FILE *out, const char *key, const struct report *r,
    int (*test)(const struct report *, const struct report_ctr *))
{
	struct buf b;
	size_t n = 0;

	buf_init(&b);
	for (size_t i = 0; i < r->nctrs; i++) {
		if (!test(r, &r->ctrs[i]))
			continue;
		if (n++ > 0)
			buf_puts(&b, ", ");
		rt_term(&b, rt_who(&r->ctrs[i]));
	}
	fprintf(out, "  %-20s", key);
	rt_wrap(out, n > 0 ? b.data : "none", 22);
	buf_free(&b);
}

static int
rt_present(const struct report *r, const struct report_ctr *c)
{
	return c->gone_ms == STORE_NULL || c->gone_ms > r->to_ms;
}

static int
rt_is_nolimit(const struct report *r, const struct report_ctr *c)
{
	return rt_present(r, c) && c->no_mem_limit;
}

static int
rt_is_jvm(const struct report *r, const struct report_ctr *c)
{
	return rt_present(r, c) && c->jvm == 1;
}

static int
rt_is_jvm_noswap(const struct report *r, const struct report_ctr *c)
{
	return rt_present(r, c) && c->jvm_no_swap;
}

static int
rt_is_jvm_unknown(const struct report *r, const struct report_ctr *c)
{
	return rt_present(r, c) && c->jvm == -1;
}

static void
rt_text_checks(FILE *out, const struct report *r)
{
	const struct report_checks *k = &r->checks;
	struct buf b;
	char a[32];
	size_t unknown = 0;

	fputs("CHECKS (the live host under --root)\n", out);
	buf_init(&b);
	rt_term(&b, k->root);
	rt_kv(out, "root", "%s", b.data);
	rt_list(out, "no memory limit", r, rt_is_nolimit);
	rt_list(out, "JVM containers", r, rt_is_jvm);
	for (size_t i = 0; i < r->nctrs; i++)
		unknown += rt_is_jvm_unknown(r, &r->ctrs[i]);
	if (unknown > 0)
		rt_kv(out, "", "unknown for %zu container%s (cgroup not found under the root)",
		    unknown, unknown == 1 ? "" : "s");
	rt_list(out, "JVM without swap", r, rt_is_jvm_noswap);
	if (k->host_no_swap == 1)
		rt_kv(out, "host swap", "none: a JVM cannot be given swap on this host%s",
		    isfinite(k->host_swap_total) ? "" : " (from the history)");
	else if (k->host_no_swap == 0)
		rt_kv(out, "host swap", "%s", rt_size(isfinite(k->host_swap_total) ?
		    k->host_swap_total : r->node.swap_total, a, sizeof a));
	else
		rt_kv(out, "host swap", "unknown");
	if (!k->block_known)
		rt_kv(out, "I/O schedulers", "unknown (no sys/block under the root)");
	else if (k->nblock == 0)
		rt_kv(out, "I/O schedulers", "no block devices");
	for (size_t i = 0; i < k->nblock; i++) {
		buf_reset(&b);
		rt_term(&b, k->block[i].name);
		buf_puts(&b, ": ");
		rt_term(&b, k->block[i].scheduler != NULL ? k->block[i].scheduler : "unknown");
		if (k->block[i].available != NULL) {
			buf_puts(&b, " (of ");
			rt_term(&b, k->block[i].available);
			buf_puts(&b, ")");
		}
		rt_kv(out, i == 0 ? "I/O schedulers" : "", "%s", b.data);
	}
	buf_free(&b);
}

/* "covers 2m30s of the 1d window (0.2%), 2026-.. .. 2026-..; too little
 * for a trend". */
static void
rt_text_coverage(FILE *out, const struct report *r)
{
	char a[40], b[40], c[32], d[32];
	struct buf line;

	buf_init(&line);
	buf_printf(&line, "covers %s of the %s window (%s)",
	    rt_dur(r->covered_ms, a, sizeof a), rt_dur(r->since_ms, b, sizeof b),
	    rt_fixed(r->coverage_pct, 1, "%", c, sizeof c));
	if (r->data_from_ms != INT64_MIN)
		buf_printf(&line, ", %s .. %s", rt_time(r->data_from_ms, a, sizeof a),
		    rt_time(r->data_to_ms, d, sizeof d));
	if (r->node.mem_verdict == FC_TOO_SHORT || r->data_from_ms == INT64_MIN)
		buf_printf(&line, "; too little for a trend (one needs %.0f%% of the window over "
		    "at least 1h): none is given", REPORT_TREND_MIN_COVER_PCT);
	fprintf(out, "  %-20s", "history");
	rt_wrap(out, line.data, 22);
	buf_free(&line);
}

/* AUDIT: counts by severity and the most severe findings. */
static void
rt_text_audit(FILE *out, const struct report *r)
{
	const struct audit_result *a = r->audit;
	struct buf b;

	fprintf(out, "\nAUDIT\n");
	if (a == NULL) {
		fprintf(out, "  not run (%s)\n", r->audit_why_not != NULL ? r->audit_why_not : "-");
		return;
	}
	fprintf(out, "  %zu container%s audited:", a->ncontainers, a->ncontainers == 1 ? "" : "s");
	for (int s = AS__MAX - 1; s >= 0; s--)
		fprintf(out, " %zu %s%s", a->count[s], audit_sev_name((enum audit_sev)s), s ? "," : "\n");
	buf_init(&b);
	for (size_t i = 0; i < a->n && i < REPORT_AUDIT_TOP; i++) {
		const struct audit_finding *f = &a->v[i];

		buf_reset(&b);
		buf_printf(&b, "%-8s %s ", audit_sev_name(f->sev), f->check);
		if (f->path != NULL)
			escape_term(&b, f->name);
		else
			buf_puts(&b, "(node)");
		buf_puts(&b, ": ");
		escape_term(&b, f->detail);
		fprintf(out, "  ");
		rt_wrap(out, b.data, 2);
	}
	if (a->n > REPORT_AUDIT_TOP)
		fprintf(out, "  ... %zu more: cgov audit lists them all\n", a->n - REPORT_AUDIT_TOP);
	buf_free(&b);
}

int
report_text(const struct report *r, FILE *out)
{
	char a[40], b[40], c[32];

	fprintf(out, "cgov capacity report\n");
	fprintf(out, "  %-20s%s .. %s (%s)\n", "window (UTC)", rt_time(r->from_ms, a, sizeof a),
	    rt_time(r->to_ms, b, sizeof b), rt_dur(r->since_ms, c, sizeof c));
	fprintf(out, "  %-20s%zu containers, %lld history records\n", "read",
	    r->nctrs, (long long)r->records);
	rt_text_coverage(out, r);
	fputc('\n', out);
	rt_text_node(out, r);
	rt_text_ctrs(out, r);
	rt_text_tops(out, r);
	rt_text_actions(out, r);
	rt_text_checks(out, r);
	rt_text_audit(out, r);
	fflush(out);
	return ferror(out) ? -EIO : 0;
}

/* --- JSON and CSV ------------------------------------------------------------ */

/* Per container: the JSON keys and the CSV header, stable (cgov(1)). */
static const struct out_col rt_ctr_cols[] = {
	{ "name", NULL, 0, 0 },
	{ "path", NULL, 0, 0 },
	{ "runtime", NULL, 0, 0 },
	{ "gone_ms", NULL, 0, 0 },
	{ "samples", NULL, 0, 0 },
	{ "sampled_ms", NULL, 0, 0 },
	{ "mem_avg_bytes", NULL, 0, 0 },
	{ "mem_p50_bytes", NULL, 0, 0 },
	{ "mem_p95_bytes", NULL, 0, 0 },
	{ "mem_max_bytes", NULL, 0, 0 },
	{ "mem_limit_bytes", NULL, 0, 0 },
	{ "mem_p95_pct_of_limit", NULL, 0, 0 },
	{ "mem_max_pct_of_limit", NULL, 0, 0 },
	{ "no_mem_limit", NULL, 0, 0 },
	{ "swap_avg_bytes", NULL, 0, 0 },
	{ "swap_max_bytes", NULL, 0, 0 },
	{ "swap_limit_bytes", NULL, 0, 0 },
	{ "cpu_avg_cores", NULL, 0, 0 },
	{ "cpu_p95_cores", NULL, 0, 0 },
	{ "cpu_max_cores", NULL, 0, 0 },
	{ "cpu_limit_cores", NULL, 0, 0 },
	{ "cpu_shares", NULL, 0, 0 },
	{ "cpu_shares_pct", NULL, 0, 0 },
	{ "throttled_pct", NULL, 0, 0 },
	{ "throttled_time_pct", NULL, 0, 0 },
	{ "read_bytes", NULL, 0, 0 },
	{ "write_bytes", NULL, 0, 0 },
	{ "read_ios", NULL, 0, 0 },
	{ "write_ios", NULL, 0, 0 },
	{ "io_avg_bytes_per_s", NULL, 0, 0 },
	{ "io_p95_bytes_per_s", NULL, 0, 0 },
	{ "iops_p95", NULL, 0, 0 },
	{ "oom", NULL, 0, 0 },
	{ "oom_kill", NULL, 0, 0 },
	{ "actions", NULL, 0, 0 },
	{ "actions_held_ms", NULL, 0, 0 },
	{ "jvm", NULL, 0, 0 },
	{ "jvm_without_swap", NULL, 0, 0 },
	{ "mem_slope_bytes_per_day", NULL, 0, 0 },
	{ "mem_r2", NULL, 0, 0 },
	{ "mem_fit_points", NULL, 0, 0 },
	{ "limit_forecast", NULL, 0, 0 },
	{ "limit_reached_ms", NULL, 0, 0 },
	{ "limit_reached", NULL, 0, 0 },
};
#define RT_NCTR_COLS (sizeof rt_ctr_cols / sizeof rt_ctr_cols[0])

static void
rt_ms_or_null(struct out *o, int64_t ms)
{
	if (ms == INT64_MIN || ms == STORE_NULL)
		out_num(o, NAN, 0, "");
	else
		out_int(o, (long long)ms);
}

static void
rt_iso_or_null(struct out *o, int64_t ms)
{
	char t[40];

	if (ms == INT64_MIN || ms == STORE_NULL) {
		out_str(o, NULL);
		return;
	}
	report_iso_time(ms, t, sizeof t);
	out_str(o, t);
}

static void
rt_count(struct out *o, int64_t v)
{
	if (v == STORE_NULL)
		out_num(o, NAN, 0, "");
	else
		out_int(o, (long long)v);
}

static void
rt_ctr_row(struct out *o, const struct report *r, const struct report_ctr *c)
{
	int present = c->gone_ms == STORE_NULL || c->gone_ms > r->to_ms;

	out_str(o, c->name);
	out_str(o, c->path);
	out_str(o, c->runtime);
	rt_ms_or_null(o, c->gone_ms);
	out_int(o, (long long)c->samples);
	out_int(o, (long long)c->sampled_ms);
	out_num(o, c->mem_avg, 0, "");
	out_num(o, c->mem_p50, 0, "");
	out_num(o, c->mem_p95, 0, "");
	out_num(o, c->mem_max, 0, "");
	out_num(o, c->mem_limit, 0, "");
	out_num(o, c->mem_p95_pct, 2, "");
	out_num(o, c->mem_max_pct, 2, "");
	out_int(o, c->no_mem_limit);
	out_num(o, c->swap_avg, 0, "");
	out_num(o, c->swap_max, 0, "");
	out_num(o, c->swap_limit, 0, "");
	out_num(o, c->cpu_avg, 3, "");
	out_num(o, c->cpu_p95, 3, "");
	out_num(o, c->cpu_max, 3, "");
	out_num(o, c->cpu_limit_cores, 3, "");
	out_num(o, c->cpu_shares, 0, "");
	out_num(o, c->cpu_shares_pct, 2, "");
	out_num(o, c->throttled_pct, 2, "");
	out_num(o, c->throttled_time_pct, 2, "");
	out_num(o, c->rbytes, 0, "");
	out_num(o, c->wbytes, 0, "");
	out_num(o, c->rios, 0, "");
	out_num(o, c->wios, 0, "");
	out_num(o, c->io_avg, 0, "");
	out_num(o, c->io_p95, 0, "");
	out_num(o, c->iops_p95, 1, "");
	rt_count(o, c->oom);
	rt_count(o, c->oom_kill);
	out_int(o, (long long)c->nactions);
	out_int(o, (long long)c->held_ms);
	if (present && c->jvm >= 0)
		out_int(o, c->jvm);
	else
		out_num(o, NAN, 0, "");
	out_int(o, c->jvm_no_swap);
	out_num(o, c->mem_fc.slope_per_day, 0, "");
	out_num(o, c->mem_fc.r2, 4, "");
	out_int(o, (long long)c->mem_fc.n);
	out_str(o, forecast_verdict_name(c->limit_verdict));
	rt_ms_or_null(o, c->limit_ms);
	rt_iso_or_null(o, c->limit_ms);
}

static const struct out_col rt_action_cols[] = {
	{ "id", NULL, 0, 0 },
	{ "time_ms", NULL, 0, 0 },
	{ "time", NULL, 0, 0 },
	{ "name", NULL, 0, 0 },
	{ "path", NULL, 0, 0 },
	{ "kind", NULL, 0, 0 },
	{ "knob", NULL, 0, 0 },
	{ "dev", NULL, 0, 0 },
	{ "old_value", NULL, 0, 0 },
	{ "new_value", NULL, 0, 0 },
	{ "change", NULL, 0, 0 },
	{ "policy", NULL, 0, 0 },
	{ "rule", NULL, 0, 0 },
	{ "rung", NULL, 0, 0 },
	{ "dry_run", NULL, 0, 0 },
	{ "why", NULL, 0, 0 },
	{ "error", NULL, 0, 0 },
	{ "restored_ms", NULL, 0, 0 },
	{ "restored", NULL, 0, 0 },
	{ "in_force", NULL, 0, 0 },
	{ "held_ms", NULL, 0, 0 },
};
#define RT_NACTION_COLS (sizeof rt_action_cols / sizeof rt_action_cols[0])

static void
rt_action_row(struct out *o, const struct report_action *x)
{
	const struct journal_action *a = &x->a;
	char buf[96], dev[32];

	out_int(o, (long long)a->id);
	out_int(o, (long long)a->ts_ms);
	rt_iso_or_null(o, a->ts_ms);
	out_str(o, a->name);
	out_str(o, a->path);
	out_str(o, journal_kind_name(a->kind));
	out_str(o, a->knob >= 0 && a->knob < PK__MAX ? pol_knob_name((enum pol_knob)a->knob) :
	    NULL);
	snprintf(dev, sizeof dev, "%u:%u", major((dev_t)a->dev), minor((dev_t)a->dev));
	out_str(o, a->dev != 0 ? dev : NULL);
	/* "max" (unlimited) and unknown are both null here: `change` says which */
	if (a->old_value == STORE_NULL || a->old_value == POL_MAX)
		out_num(o, NAN, 0, "");
	else
		out_int(o, (long long)a->old_value);
	if (a->new_value == STORE_NULL || a->new_value == POL_MAX)
		out_num(o, NAN, 0, "");
	else
		out_int(o, (long long)a->new_value);
	out_str(o, rt_change(a, buf, sizeof buf));
	out_str(o, a->policy);
	out_str(o, a->rule);
	if (a->rung >= 0)
		out_int(o, a->rung);
	else
		out_num(o, NAN, 0, "");
	out_int(o, a->dry_run ? 1 : 0);
	out_str(o, a->observed);
	if (a->error != 0)
		out_int(o, a->error);
	else
		out_num(o, NAN, 0, "");
	rt_ms_or_null(o, a->restored_ms);
	rt_iso_or_null(o, a->restored_ms);
	out_int(o, x->in_force);
	if (x->held_ms >= 0)
		out_int(o, (long long)x->held_ms);
	else
		out_num(o, NAN, 0, "");
}

/* JSON scalars of the hand-written part of the object. */
static void
rj_num(FILE *out, const char *key, double v, int decimals, int last)
{
	if (isnan(v) || isinf(v))
		fprintf(out, "\"%s\": null%s", key, last ? "" : ", ");
	else
		fprintf(out, "\"%s\": %.*f%s", key, decimals, v, last ? "" : ", ");
}

static void
rj_int(FILE *out, const char *key, long long v, int last)
{
	fprintf(out, "\"%s\": %lld%s", key, v, last ? "" : ", ");
}

static void
rj_str(FILE *out, const char *key, const char *s, int last)
{
	struct buf b;

	buf_init(&b);
	if (s == NULL)
		buf_puts(&b, "null");
	else
		escape_json(&b, s);
	fprintf(out, "\"%s\": %s%s", key, b.data, last ? "" : ", ");
	buf_free(&b);
}

static void
rj_time(FILE *out, const char *key_ms, const char *key, int64_t ms, int last)
{
	char t[40];

	if (ms == INT64_MIN || ms == STORE_NULL) {
		fprintf(out, "\"%s\": null, \"%s\": null%s", key_ms, key, last ? "" : ", ");
		return;
	}
	report_iso_time(ms, t, sizeof t);
	fprintf(out, "\"%s\": %lld, \"%s\": \"%s\"%s", key_ms, (long long)ms, key, t,
	    last ? "" : ", ");
}

static void
rj_node(FILE *out, const struct report *r)
{
	const struct report_node *n = &r->node;

	fputs("\"node\": {\n  ", out);
	rj_int(out, "samples", (long long)n->samples, 0);
	rj_num(out, "ncpu", n->ncpu, 0, 0);
	rj_num(out, "mem_total_bytes", n->mem_total, 0, 0);
	fputs("\n  ", out);
	rj_num(out, "mem_available_avg_bytes", n->mem_avail_avg, 0, 0);
	rj_num(out, "mem_available_min_bytes", n->mem_avail_min, 0, 0);
	fputs("\n  ", out);
	rj_num(out, "swap_total_bytes", n->swap_total, 0, 0);
	rj_num(out, "swap_used_max_bytes", n->swap_used_max, 0, 0);
	fputs("\n  ", out);
	rj_num(out, "cpu_busy_avg_pct", n->cpu_busy_avg, 2, 0);
	rj_num(out, "cpu_busy_p95_pct", n->cpu_busy_p95, 2, 0);
	rj_num(out, "load1_avg", n->load1_avg, 2, 0);
	rj_num(out, "load1_max", n->load1_max, 2, 0);
	fputs("\n  ", out);
	rj_int(out, "containers_present", (long long)n->ctrs_present, 0);
	rj_int(out, "containers_without_mem_limit", (long long)n->ctrs_no_limit, 0);
	fputs("\n  ", out);
	rj_num(out, "mem_committed_bytes", n->mem_committed, 0, 0);
	rj_num(out, "overcommit_ram_ratio", n->overcommit_ram, 3, 0);
	rj_num(out, "overcommit_ram_swap_ratio", n->overcommit_ram_swap, 3, 0);
	fputs("\n  ", out);
	rj_num(out, "cpu_shares_total", n->cpu_shares_total, 0, 0);
	rj_num(out, "cpu_quota_committed_cores", n->cpu_committed_cores, 3, 0);
	fputs("\n  ", out);
	rj_num(out, "mem_headroom_bytes", n->mem_headroom, 0, 0);
	rj_num(out, "mem_headroom_pct", n->mem_headroom_pct, 2, 0);
	rj_num(out, "cpu_headroom_cores", n->cpu_headroom_cores, 3, 0);
	if (n->temp_sensors > 0) {
		fputs("\n  ", out);
		rj_int(out, "temp_sensors", (long long)n->temp_sensors, 0);
		rj_num(out, "temp_max_c", n->temp_max_c, 1, 0);
		rj_str(out, "temp_max_sensor", n->temp_max_sensor, 0);
		rj_num(out, "temp_last_c", n->temp_last_c, 1, 0);
	}
	fputs("\n  \"mem_forecast\": {", out);
	rj_str(out, "verdict", forecast_verdict_name(n->mem_verdict), 0);
	rj_time(out, "runs_out_ms", "runs_out", n->mem_out_ms, 0);
	fputs("\n    ", out);
	rj_int(out, "points", (long long)n->mem_fc.n, 0);
	rj_num(out, "slope_bytes_per_day", n->mem_fc.slope_per_day, 0, 0);
	rj_num(out, "r2", n->mem_fc.r2, 4, 0);
	rj_num(out, "fit_at_end_bytes", forecast_at(&n->mem_fc, r->to_ms), 0, 0);
	fputs("\n    ", out);
	rj_int(out, "horizon_ms", (long long)REPORT_HORIZON_MS, 0);
	rj_str(out, "method", report_forecast_method, 1);
	fputs("}},\n", out);
}

static void
rj_tops(FILE *out, const struct report *r)
{
	static const struct out_col cols[] = {
		{ "name", NULL, 0, 0 }, { "path", NULL, 0, 0 }, { "value", NULL, 0, 0 },
	};
	static const int decimals[RES_NRES] = { 0, 0, 3, 2, 0, 1 };

	fputs("\"top\": {", out);
	for (int res = 0; res < RES_NRES; res++) {
		struct out *o = out_new(OUT_JSON, cols, 3);

		for (size_t i = 0; i < r->ntop[res]; i++) {
			const struct report_ctr *c = &r->ctrs[r->tops[res][i]];

			out_str(o, c->name);
			out_str(o, c->path);
			out_num(o, report_res_value(c, (enum report_res)res), decimals[res], "");
		}
		fprintf(out, "%s\"%s\": ", res ? ",\n" : "\n", report_res_name((enum report_res)res));
		out_print(o, out);
		out_free(o);
	}
	fputs("},\n", out);
}

/* A JSON array of {name, path} of the present containers that pass test. */
static void
rj_list(FILE *out, const char *key, const struct report *r,
    int (*test)(const struct report *, const struct report_ctr *))
{
	static const struct out_col cols[] = { { "name", NULL, 0, 0 }, { "path", NULL, 0, 0 } };
	struct out *o = out_new(OUT_JSON, cols, 2);

	for (size_t i = 0; i < r->nctrs; i++)
		if (test(r, &r->ctrs[i])) {
			out_str(o, r->ctrs[i].name);
			out_str(o, r->ctrs[i].path);
		}
	fprintf(out, "\"%s\": ", key);
	out_print(o, out);
	out_free(o);
	fputs(",\n", out);
}

static void
rj_checks(FILE *out, const struct report *r)
{
	const struct report_checks *k = &r->checks;
	static const struct out_col cols[] = {
		{ "name", NULL, 0, 0 }, { "scheduler", NULL, 0, 0 }, { "available", NULL, 0, 0 },
	};
	struct out *o = out_new(OUT_JSON, cols, 3);

	fputs("\"checks\": {", out);
	rj_str(out, "root", k->root, 0);
	rj_num(out, "host_swap_total_bytes", k->host_swap_total, 0, 0);
	if (k->host_no_swap >= 0)
		rj_int(out, "host_no_swap", k->host_no_swap, 1);
	else
		fputs("\"host_no_swap\": null", out);
	fputs(",\n", out);
	rj_list(out, "no_mem_limit", r, rt_is_nolimit);
	rj_list(out, "jvm", r, rt_is_jvm);
	rj_list(out, "jvm_without_swap", r, rt_is_jvm_noswap);
	rj_list(out, "jvm_unknown", r, rt_is_jvm_unknown);
	for (size_t i = 0; i < k->nblock; i++) {
		out_str(o, k->block[i].name);
		out_str(o, k->block[i].scheduler);
		out_str(o, k->block[i].available);
	}
	fputs("\"block_devices\": ", out);
	if (k->block_known)
		out_print(o, out);
	else
		fputs("null", out);
	out_free(o);
	fputs("}\n", out);
}

/* "audit": null when not run (audit_not_run says why), else the counts
 * and the most severe findings with the keys of `cgov audit`. */
static void
rj_audit(FILE *out, const struct report *r)
{
	const struct audit_result *a = r->audit;
	struct out *o;

	if (a == NULL) {
		fputs("\"audit\": null, ", out);
		rj_str(out, "audit_not_run", r->audit_why_not, 1);
		fputs("\n", out);
		return;
	}
	fprintf(out, "\"audit\": {\"containers_audited\": %zu, \"findings_total\": %zu, "
	    "\"counts\": {", a->ncontainers, a->n);
	for (int s = 0; s < AS__MAX; s++)
		fprintf(out, "%s\"%s\": %zu", s ? ", " : "", audit_sev_name((enum audit_sev)s),
		    a->count[s]);
	fputs("}, \"top\": ", out);
	o = out_new(OUT_JSON, audit_cols, audit_ncols);
	for (size_t i = 0; i < a->n && i < REPORT_AUDIT_TOP; i++)
		audit_finding_row(o, &a->v[i]);
	out_print(o, out);
	out_free(o);
	fputs("}\n", out);
}

int
report_json(const struct report *r, FILE *out)
{
	struct out *o;

	fputs("{", out);
	rj_time(out, "from_ms", "from", r->from_ms, 0);
	rj_time(out, "to_ms", "to", r->to_ms, 0);
	fputs("\n", out);
	rj_int(out, "since_ms", (long long)r->since_ms, 0);
	rj_int(out, "scan_step_ms", (long long)r->scan_step_ms, 0);
	rj_int(out, "records", (long long)r->records, 0);
	rj_int(out, "top_n", (long long)r->top, 0);
	fputs("\n\"coverage\": {", out);
	rj_int(out, "covered_ms", (long long)r->covered_ms, 0);
	rj_num(out, "pct", r->coverage_pct, 2, 0);
	rj_time(out, "data_from_ms", "data_from", r->data_from_ms, 0);
	rj_time(out, "data_to_ms", "data_to", r->data_to_ms, 0);
	rj_num(out, "trend_min_pct", REPORT_TREND_MIN_COVER_PCT, 0, 0);
	rj_int(out, "trend_min_span_ms", (long long)REPORT_TREND_MIN_SPAN_MS, 1);
	fputs("},\n", out);
	rj_node(out, r);
	o = out_new(OUT_JSON, rt_ctr_cols, RT_NCTR_COLS);
	for (size_t i = 0; i < r->nctrs; i++)
		rt_ctr_row(o, r, &r->ctrs[i]);
	fputs("\"containers\": ", out);
	out_print(o, out);
	out_free(o);
	fputs(",\n", out);
	rj_tops(out, r);
	o = out_new(OUT_JSON, rt_action_cols, RT_NACTION_COLS);
	for (size_t i = 0; i < r->nactions; i++)
		rt_action_row(o, &r->actions[i]);
	fputs("\"actions\": ", out);
	out_print(o, out);
	out_free(o);
	fputs(",\n", out);
	rj_checks(out, r);
	fputs(",\n", out);
	rj_audit(out, r);
	fputs("}\n", out);
	fflush(out);
	return ferror(out) ? -EIO : 0;
}

/* One row per container, the JSON's container keys as the header. Node
 * figures are not repeated on every row: they are in the JSON. */
int
report_csv(const struct report *r, FILE *out)
{
	struct out *o = out_new(OUT_CSV, rt_ctr_cols, RT_NCTR_COLS);

	for (size_t i = 0; i < r->nctrs; i++)
		rt_ctr_row(o, r, &r->ctrs[i]);
	out_print(o, out);
	out_free(o);
	fflush(out);
	return ferror(out) ? -EIO : 0;
}
