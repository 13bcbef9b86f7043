/* govern.c: the governor, turning metrics and policies into wanted knob values. */
#include "config.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "escape.h"
#include "govern.h"
#include "units.h"
#include "window.h"
#include "xmalloc.h"

#define GOV_DEFAULT_JVM_SWAP   (512LL << 20)
#define GOV_DEFAULT_V1_QUOTA   250
#define GOV_PAGE               4096
#define GOV_MIN_QUOTA          10          /* millicores */
#define GOV_SHARES_MIN         2
#define GOV_SHARES_MAX         262144
#define GOV_NEVER              INT64_MIN   /* no time recorded */
#define GOV_NO_RULE            SIZE_MAX
#define GOV_SIG_LINE           1024

/* A rung that fired: its value, resolved and frozen when it fired. */
struct gov_step {
	int64_t value;           /* GOV_UNKNOWN: skipped, or not in force */
	char *why;               /* owned; NULL when not in force */
};

struct gov_rstate {
	enum gov_state st;
	int rung;                /* highest rung fired while active, else -1 */
	int64_t since_ms;        /* when st (or the rung) began */
	int64_t held_ms;         /* since when WHEN holds; GOV_NEVER */
	int64_t until_ms;        /* since when UNTIL holds (active); GOV_NEVER */
	int64_t fired_ms;        /* when the current rung fired */
};

/* One container. Rule states are allocated the first time one of its rules
 * leaves idle: on a node of 10,000 quiet containers most never do. */
struct gov_ctr {
	struct gov_ctr *next;    /* hash chain */
	uint64_t key;
	int64_t first_ms;
	unsigned char *matched;  /* per policy of the set, as of the last eval */
	struct gov_rstate *rs;   /* per rule of the set, or NULL: all idle */
	struct gov_step *steps;  /* per step of the set, with rs */
	struct win **win;        /* per window of the set (nwin of them), each
	                            allocated the first time its rule is judged
	                            here: a container pays only for the windows
	                            of the policies that match it */
	size_t nwin;
};

/* One rule of the installed set. */
struct gov_rinfo {
	const struct policy *p;
	const struct pol_rule *r;
	size_t step0;            /* its first step in gov_ctr.steps */
	char *sig;               /* its text, to tell an unchanged rule on reload */
	size_t win0, nwin;       /* its windows in gov_ctr.win, and how many */
	const struct pol_cond **wleaf;  /* the comparisons they are of (when,
	                            then until) */
};

/* The windows of one rule on one container, as gov_cond_true reads them
 * through gov_metrics.wins. */
struct gov_wins {
	const struct pol_cond *const *leaf;
	struct win *const *w;    /* NULL: not fed yet */
	size_t n;
	int64_t now;
};

struct gov {
	struct gov_config cfg;
	const struct policy_set *ps;
	size_t npolicies;
	size_t *rule0;           /* per policy: its first rule in ri */
	struct gov_rinfo *ri;
	size_t nrules, nsteps;
	size_t nwin;             /* windows of the whole set */
	struct gov_ctr **bucket; /* nbuckets, a power of two */
	size_t nbuckets, nctrs;
	struct gov_want *wants;
	size_t nwants, wants_cap;
	struct gov_event *ev;
	size_t nev, ev_cap, ev_drained;
	struct buf scratch;      /* why texts */
};

/* What one gov_eval works with. */
struct gov_ctx {
	struct gov *g;
	struct gov_ctr *c;
	const struct gov_ct *ct;
	const struct gov_metrics *m;
	int64_t now;
	int64_t mem_limit;       /* effective memory limit: static, else base */
	struct gov_metrics mw;   /* a copy of *m that carries the rule's windows */
	struct gov_wins wins;
};

const char *
gov_state_name(enum gov_state s)
{
	switch (s) {
	case GS_IDLE:
		return "idle";
	case GS_PENDING:
		return "pending";
	case GS_ACTIVE:
		return "active";
	case GS_COOLING:
		return "cooling";
	}
	return "?";
}

/* --- containers ---------------------------------------------------------- */

static size_t
gov_hash(const struct gov *g, uint64_t key)
{
	/* Keys are the store's sequential ids: mix them (Fibonacci hashing). */
	return (size_t)((key * 0x9e3779b97f4a7c15ULL) >> 32) & (g->nbuckets - 1);
}

static struct gov_ctr *
gov_ctr_find(const struct gov *g, uint64_t key)
{
	struct gov_ctr *c;

	for (c = g->bucket[gov_hash(g, key)]; c != NULL; c = c->next)
		if (c->key == key)
			return c;
	return NULL;
}

static void
gov_grow(struct gov *g)
{
	struct gov_ctr **old = g->bucket, *c, *next;
	size_t n = g->nbuckets, i, h;

	g->nbuckets *= 2;
	g->bucket = xcalloc(g->nbuckets, sizeof *g->bucket);
	for (i = 0; i < n; i++) {
		for (c = old[i]; c != NULL; c = next) {
			next = c->next;
			h = gov_hash(g, c->key);
			c->next = g->bucket[h];
			g->bucket[h] = c;
		}
	}
	free(old);
}

static struct gov_ctr *
gov_ctr_get(struct gov *g, uint64_t key, int64_t now)
{
	struct gov_ctr *c = gov_ctr_find(g, key);
	size_t h;

	if (c != NULL)
		return c;
	if (g->nctrs >= g->nbuckets)
		gov_grow(g);
	c = xcalloc(1, sizeof *c);
	c->key = key;
	c->first_ms = now;
	c->matched = xcalloc(g->npolicies, 1);
	h = gov_hash(g, key);
	c->next = g->bucket[h];
	g->bucket[h] = c;
	g->nctrs++;
	return c;
}

static void
gov_steps_free(struct gov_step *v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(v[i].why);
	free(v);
}

static void
gov_ctr_free(const struct gov *g, struct gov_ctr *c)
{
	if (c->steps != NULL)
		gov_steps_free(c->steps, g->nsteps);
	free(c->rs);
	for (size_t i = 0; i < c->nwin; i++)
		free(c->win[i]);
	free(c->win);
	free(c->matched);
	free(c);
}

static void
gov_ctr_states(const struct gov *g, struct gov_ctr *c)
{
	size_t i;

	c->rs = xcalloc(g->nrules, sizeof *c->rs);
	for (i = 0; i < g->nrules; i++) {
		c->rs[i].st = GS_IDLE;
		c->rs[i].rung = -1;
		c->rs[i].since_ms = c->first_ms;
		c->rs[i].held_ms = c->rs[i].until_ms = GOV_NEVER;
	}
	c->steps = xcalloc(g->nsteps, sizeof *c->steps);
	for (i = 0; i < g->nsteps; i++)
		c->steps[i].value = GOV_UNKNOWN;
}

void
gov_forget(struct gov *g, uint64_t key)
{
	struct gov_ctr **pp, *c;

	for (pp = &g->bucket[gov_hash(g, key)]; (c = *pp) != NULL; pp = &c->next) {
		if (c->key == key) {
			*pp = c->next;
			gov_ctr_free(g, c);
			g->nctrs--;
			return;
		}
	}
}

/* --- the installed set --------------------------------------------------- */

/* The text of a rule as the reload compares it. Cooldown and escalation
 * times are left out: changing them keeps a rule's state. */
static char *
gov_rule_sig(const struct pol_rule *r)
{
	char line[GOV_SIG_LINE];
	struct buf b;

	buf_init(&b);
	pol_cond_format(r->when, line, sizeof line);
	buf_printf(&b, "when %s for %llu", line, (unsigned long long)r->when_for_ms);
	if (r->until != NULL) {
		pol_cond_format(r->until, line, sizeof line);
		buf_printf(&b, " until %s", line);
	}
	buf_printf(&b, " for %llu", (unsigned long long)r->until_for_ms);
	for (size_t i = 0; i < r->nsteps; i++) {
		pol_set_knob_format(&r->steps[i], line, sizeof line);
		buf_printf(&b, " do %s", line);
	}
	return b.data;
}

/* The comparisons over a window of rule info (when, then until), and
 * their place among the set's windows. */
static void
gov_index_windows(struct gov *g, struct gov_rinfo *info)
{
	size_t nw = win_cond_count(info->r->when), nu = win_cond_count(info->r->until);

	info->win0 = g->nwin;
	info->nwin = nw + nu;
	if (info->nwin == 0)
		return;
	info->wleaf = xcalloc(info->nwin, sizeof *info->wleaf);
	win_cond_leaves(info->r->when, info->wleaf, nw);
	win_cond_leaves(info->r->until, info->wleaf + nw, nu);
	g->nwin += info->nwin;
}

static void
gov_index(struct gov *g, const struct policy_set *ps)
{
	size_t i, j, n = 0;

	g->ps = ps;
	g->npolicies = ps != NULL ? ps->n : 0;
	g->nrules = g->nsteps = g->nwin = 0;
	for (i = 0; i < g->npolicies; i++)
		g->nrules += ps->v[i].nrules;
	g->rule0 = xcalloc(g->npolicies, sizeof *g->rule0);
	g->ri = xcalloc(g->nrules, sizeof *g->ri);
	for (i = 0; i < g->npolicies; i++) {
		g->rule0[i] = n;
		for (j = 0; j < ps->v[i].nrules; j++, n++) {
			g->ri[n].p = &ps->v[i];
			g->ri[n].r = &ps->v[i].rules[j];
			g->ri[n].step0 = g->nsteps;
			g->ri[n].sig = gov_rule_sig(g->ri[n].r);
			g->nsteps += g->ri[n].r->nsteps;
			gov_index_windows(g, &g->ri[n]);
		}
	}
}

static void
gov_unindex(struct gov_rinfo *ri, size_t nrules, size_t *rule0)
{
	for (size_t i = 0; i < nrules; i++) {
		free(ri[i].sig);
		free(ri[i].wleaf);
	}
	free(ri);
	free(rule0);
}

/* The old rule each new rule takes its state from, or GOV_NO_RULE. */
static size_t *
gov_rule_map(const struct gov *g, const struct gov_rinfo *old, size_t nold)
{
	size_t *map = xcalloc(g->nrules, sizeof *map);
	const struct gov_rinfo *n;

	for (size_t j = 0; j < g->nrules; j++) {
		n = &g->ri[j];
		map[j] = GOV_NO_RULE;
		for (size_t i = 0; i < nold; i++) {
			if (strcmp(old[i].p->name, n->p->name) == 0 &&
			    strcmp(old[i].r->name, n->r->name) == 0 &&
			    strcmp(old[i].sig, n->sig) == 0) {
				map[j] = i;
				break;
			}
		}
	}
	return map;
}

/* Room for a window per windowed comparison of the set on container c,
 * none allocated yet. */
static void
gov_ctr_windows(const struct gov *g, struct gov_ctr *c)
{
	c->win = xcalloc(g->nwin > 0 ? g->nwin : 1, sizeof *c->win);
	c->nwin = g->nwin;
}

/* The windows of rules that survive a reload (same name, same text) keep
 * what they saw; the others start empty, unknown for their full length. */
static void
gov_ctr_remap_windows(struct gov *g, struct gov_ctr *c, const size_t *map,
    const struct gov_rinfo *old)
{
	struct win **ow = c->win;
	size_t nold = c->nwin;

	c->win = NULL;
	c->nwin = 0;
	if (ow != NULL && g->nwin > 0) {
		gov_ctr_windows(g, c);
		for (size_t j = 0; j < g->nrules; j++) {
			if (map[j] == GOV_NO_RULE)
				continue;
			for (size_t k = 0; k < g->ri[j].nwin && k < old[map[j]].nwin; k++) {
				c->win[g->ri[j].win0 + k] = ow[old[map[j]].win0 + k];
				ow[old[map[j]].win0 + k] = NULL;
			}
		}
	}
	for (size_t i = 0; i < nold; i++)
		free(ow[i]);
	free(ow);
}

/* Moves the states of container c from the old set's layout to the new
 * one's; the states of rules that did not survive are dropped. */
static void
gov_ctr_remap(struct gov *g, struct gov_ctr *c, const size_t *map,
    const struct gov_rinfo *old, size_t nold_steps)
{
	struct gov_rstate *ors = c->rs;
	struct gov_step *osteps = c->steps;
	const struct gov_rinfo *o;
	size_t j, k;

	free(c->matched);
	c->matched = xcalloc(g->npolicies, 1);
	gov_ctr_remap_windows(g, c, map, old);
	if (ors == NULL)
		return;
	gov_ctr_states(g, c);
	for (j = 0; j < g->nrules; j++) {
		if (map[j] == GOV_NO_RULE)
			continue;
		o = &old[map[j]];
		c->rs[j] = ors[map[j]];
		for (k = 0; k < g->ri[j].r->nsteps; k++) {
			c->steps[g->ri[j].step0 + k] = osteps[o->step0 + k];
			osteps[o->step0 + k].why = NULL;
		}
	}
	free(ors);
	gov_steps_free(osteps, nold_steps);
}

void
gov_set_policies(struct gov *g, const struct policy_set *ps)
{
	struct gov_rinfo *old = g->ri;
	size_t nold = g->nrules, nold_steps = g->nsteps, *old_rule0 = g->rule0, *map, i;
	struct gov_ctr *c;

	gov_index(g, ps);
	map = gov_rule_map(g, old, nold);
	for (i = 0; i < g->nbuckets; i++)
		for (c = g->bucket[i]; c != NULL; c = c->next)
			gov_ctr_remap(g, c, map, old, nold_steps);
	free(map);
	gov_unindex(old, nold, old_rule0);
	/* Queued events point into the old set, which the caller may free now. */
	g->nev = g->ev_drained = 0;
}

struct gov *
gov_new(const struct gov_config *cfg)
{
	struct gov *g = xcalloc(1, sizeof *g);

	g->cfg = *cfg;
	if (g->cfg.jvm_swap_buffer <= 0)
		g->cfg.jvm_swap_buffer = GOV_DEFAULT_JVM_SWAP;
	if (g->cfg.v1_high_cpu_millicores <= 0)
		g->cfg.v1_high_cpu_millicores = GOV_DEFAULT_V1_QUOTA;
	g->nbuckets = 64;
	g->bucket = xcalloc(g->nbuckets, sizeof *g->bucket);
	buf_init(&g->scratch);
	gov_index(g, NULL);
	return g;
}

void
gov_free(struct gov *g)
{
	struct gov_ctr *c, *next;

	if (g == NULL)
		return;
	for (size_t i = 0; i < g->nbuckets; i++) {
		for (c = g->bucket[i]; c != NULL; c = next) {
			next = c->next;
			gov_ctr_free(g, c);
		}
	}
	free(g->bucket);
	gov_unindex(g->ri, g->nrules, g->rule0);
	free(g->wants);
	free(g->ev);
	buf_free(&g->scratch);
	free(g);
}

/* --- conditions ---------------------------------------------------------- */

/* The threshold of a comparison; 0 when "% of limit" has no finite limit. */
static int
gov_threshold(const struct pol_cond *c, const struct gov_metrics *m, double *ret)
{
	double lim = m->limit[c->metric];

	if (!c->of_limit) {
		*ret = c->value;
		return 1;
	}
	if (!isfinite(lim))
		return 0;
	*ret = c->value / 100 * lim;
	return 1;
}

/* The value comparison c looks at: the metric, or the sensor node.temp
 * names (NAN when this node has no sensor of that name). */
static double
gov_cond_value(const struct pol_cond *c, const struct gov_metrics *m)
{
	if (c->metric != PM_NODE_TEMP || c->sensor == NULL)
		return m->v[c->metric];
	for (size_t i = 0; i < m->nsensors; i++)
		if (strcmp(m->sensors[i].name, c->sensor) == 0)
			return m->sensors[i].celsius;
	return NAN;
}

static int
gov_op_holds(enum pol_op op, double v, double t)
{
	switch (op) {
	case PO_GT:
		return v > t;
	case PO_GE:
		return v >= t;
	case PO_LT:
		return v < t;
	case PO_LE:
		return v <= t;
	}
	return 0;
}

/* What "N% of node|share|device" is of in m; NAN when unknown. */
static double
gov_of_base(const struct pol_cond *c, const struct gov_metrics *m)
{
	double d = NAN;

	switch (c->of) {
	case POF_NONE:
		return NAN;
	case POF_NODE:
		d = m->ncpu;
		break;
	case POF_SHARE:
		d = m->share;
		break;
	case POF_DEVICE:
		if (c->metric >= PM_IO_READ && c->metric <= PM_IO_WRITE_IOPS)
			d = m->dev[c->metric - PM_IO_READ];
		break;
	}
	return d > 0 && isfinite(d) ? d : NAN;
}

/* The figure comparison c looks at this tick, in the unit of its
 * threshold: the metric, or for "N% of node|share|device" the metric as a
 * percentage of that. NAN when unknown. */
static double
gov_level(const struct pol_cond *c, const struct gov_metrics *m)
{
	double v = gov_cond_value(c, m);

	if (c->of == POF_NONE || isnan(v))
		return v;
	return 100 * v / gov_of_base(c, m);
}

/* Whether comparison c holds this tick, ignoring its window: 1, 0, or -1
 * when unknown. */
static int
gov_cmp_tick(const struct pol_cond *c, const struct gov_metrics *m)
{
	double v = gov_level(c, m), t;

	if (isnan(v) || !gov_threshold(c, m, &t))
		return -1;
	return gov_op_holds(c->op, v, t);
}

/* What a window of comparison c takes this tick: the figure (avg), or 1/0
 * for "held" (during); NAN when unknown. */
static double
gov_win_figure(const struct pol_cond *c, const struct gov_metrics *m)
{
	int held;

	if (c->win == PW_AVG)
		return gov_level(c, m);
	held = gov_cmp_tick(c, m);
	return held < 0 ? NAN : held;
}

/* The mean of the window of comparison c in m->wins; NAN: none, or not
 * full yet. */
static double
gov_win_mean(const struct pol_cond *c, const struct gov_metrics *m)
{
	const struct gov_wins *w = m->wins;

	if (w == NULL)
		return NAN;
	for (size_t i = 0; i < w->n; i++)
		if (w->leaf[i] == c)
			return w->w[i] != NULL ? win_mean(w->w[i], w->now) : NAN;
	return NAN;
}

/* An unknown metric (NAN) makes a comparison false, whatever its operator. */
int
gov_cond_true(const struct pol_cond *c, const struct gov_metrics *m)
{
	double v, t;

	switch (c->kind) {
	case PC_AND:
		return gov_cond_true(c->a, m) && gov_cond_true(c->b, m);
	case PC_OR:
		return gov_cond_true(c->a, m) || gov_cond_true(c->b, m);
	case PC_CMP:
		break;
	}
	if (c->win == PW_DURING) {
		v = gov_win_mean(c, m);
		return !isnan(v) && v * 100 >= c->during_pct;
	}
	v = c->win == PW_AVG ? gov_win_mean(c, m) : gov_level(c, m);
	if (isnan(v) || !gov_threshold(c, m, &t))
		return 0;
	return gov_op_holds(c->op, v, t);
}

/* "%.2f" without trailing zeros: 1.5, 2, 0.25. */
static void
gov_fmt_number(double v, const char *suffix, char *buf, size_t len)
{
	char num[64];
	size_t n;

	snprintf(num, sizeof num, "%.2f", v);
	n = strlen(num);
	while (n > 0 && num[n - 1] == '0')
		num[--n] = '\0';
	if (n > 0 && num[n - 1] == '.')
		num[--n] = '\0';
	snprintf(buf, len, "%s%s", num, suffix);
}

static void
gov_fmt_value(enum pol_unit u, double v, char *buf, size_t len)
{
	char size[32];

	if (isnan(v)) {
		snprintf(buf, len, "unknown");
		return;
	}
	if (isinf(v)) {
		snprintf(buf, len, "max");
		return;
	}
	switch (u) {
	case PU_BYTES:
	case PU_BYTES_S:
		units_format_size(v > 0 ? (uint64_t)v : 0, size, sizeof size);
		snprintf(buf, len, "%s%s", size, u == PU_BYTES_S ? "/s" : "");
		return;
	case PU_CORES:
		gov_fmt_number(v, v == 1 ? " core" : " cores", buf, len);
		return;
	case PU_PERCENT:
		gov_fmt_number(v, "%", buf, len);
		return;
	case PU_OPS_S:
		gov_fmt_number(v, "/s", buf, len);
		return;
	case PU_MS:
		units_format_duration(v > 0 ? (uint64_t)v : 0, buf, len);
		return;
	case PU_COUNT:
		gov_fmt_number(v, "", buf, len);
		return;
	case PU_CELSIUS:
		gov_fmt_number(v, "C", buf, len);
		return;
	}
	snprintf(buf, len, "%g", v);
}

static const char *
gov_op_name(enum pol_op op, int truth)
{
	static const char *const names[] = { ">", ">=", "<", "<=" };
	static const char *const negated[] = { "<=", "<", ">=", ">" };

	return truth ? names[op] : negated[op];
}

/* A relative or windowed comparison: "cpu 1.2 cores (60%) > 50% of node
 * (2 cores)", "avg(io.write) over 1m 62% > 60% of device (500M/s)",
 * "io.write > 60% of device (500M/s) during 72% of 1m (>= 50%)". */
static void
gov_why_rel(struct buf *b, const struct pol_cond *c, const struct gov_metrics *m, int truth)
{
	enum pol_unit u = pol_metric_unit(c->metric);
	const char *name = pol_metric_name(c->metric);
	double v = gov_cond_value(c, m), d = gov_of_base(c, m), mean = gov_win_mean(c, m);
	char val[48], thr[128], base[48], win[32];

	units_format_duration(c->win_ms, win, sizeof win);
	if (c->of != POF_NONE) {
		gov_fmt_value(c->of == POF_DEVICE ? u : PU_CORES, d, base, sizeof base);
		gov_fmt_number(c->value, "", val, sizeof val);
		snprintf(thr, sizeof thr, "%s%% of %s (%s)", val, pol_of_name(c->of), base);
	} else {
		gov_fmt_value(u, c->value, thr, sizeof thr);
	}
	if (c->win == PW_DURING) {
		buf_printf(b, "%s %s %s during ", name, gov_op_name(c->op, 1), thr);
		if (isnan(mean)) {
			buf_printf(b, "an unknown share of %s (window not full)", win);
			return;
		}
		gov_fmt_number(mean * 100, "%", val, sizeof val);
		buf_printf(b, "%s of %s (%s ", val, win, truth ? ">=" : "<");
		gov_fmt_number(c->during_pct, "%)", val, sizeof val);
		buf_puts(b, val);
		return;
	}
	if (c->win == PW_AVG) {
		buf_printf(b, "avg(%s) over %s ", name, win);
		if (isnan(mean)) {
			buf_puts(b, "unknown (window not full)");
			return;
		}
		gov_fmt_value(c->of != POF_NONE ? PU_PERCENT : u, mean, val, sizeof val);
		buf_printf(b, "%s %s %s", val, gov_op_name(c->op, truth), thr);
		return;
	}
	if (isnan(v)) {
		buf_printf(b, "%s unknown", name);
		return;
	}
	gov_fmt_value(u, v, val, sizeof val);
	buf_printf(b, "%s %s", name, val);
	if (!isnan(d)) {
		gov_fmt_number(gov_level(c, m), "%", base, sizeof base);
		buf_printf(b, " (%s)", base);
	}
	buf_printf(b, " %s %s", gov_op_name(c->op, truth), thr);
}

/* "memory 3.9G > 90% of limit (4G)": a comparison, with the operator that
 * holds (negated when it is described as false). */
static void
gov_why_cmp(struct buf *b, const struct pol_cond *c, const struct gov_metrics *m, int truth)
{
	enum pol_unit u = pol_metric_unit(c->metric);
	double v = gov_cond_value(c, m);
	char val[48], thr[48], lim[48];

	if (c->of != POF_NONE || c->win != PW_NONE) {
		gov_why_rel(b, c, m, truth);
		return;
	}

	if (c->sensor != NULL) {
		/* The name matches a sysfs label: escaped, never raw. */
		buf_printf(b, "%s \"", pol_metric_name(c->metric));
		escape_term(b, c->sensor);
		buf_printf(b, "\" %s", isnan(v) ? "unknown" : "");
		if (isnan(v))
			return;
		gov_fmt_value(u, v, val, sizeof val);
		gov_fmt_value(u, c->value, thr, sizeof thr);
		buf_printf(b, "%s %s %s", val, gov_op_name(c->op, truth), thr);
		return;
	}
	gov_fmt_value(u, v, val, sizeof val);
	if (isnan(v)) {
		buf_printf(b, "%s unknown", pol_metric_name(c->metric));
		return;
	}
	if (c->of_limit) {
		gov_fmt_number(c->value, "%", thr, sizeof thr);
		gov_fmt_value(u, m->limit[c->metric], lim, sizeof lim);
		buf_printf(b, "%s %s %s %s of %s (%s)", pol_metric_name(c->metric), val,
		    gov_op_name(c->op, truth), thr,
		    PM_IS_NODE(c->metric) ? "total" : "limit", lim);
		return;
	}
	gov_fmt_value(u, c->value, thr, sizeof thr);
	buf_printf(b, "%s %s %s %s", pol_metric_name(c->metric), val,
	    gov_op_name(c->op, truth), thr);
}

/* Says why condition c is `truth` now: the comparisons that make it so. */
static void
gov_why_cond(struct buf *b, const struct pol_cond *c, const struct gov_metrics *m, int truth)
{
	const struct pol_cond *deciding;

	if (c->kind == PC_CMP) {
		gov_why_cmp(b, c, m, truth);
		return;
	}
	/* "a and b" true and "a or b" false need both sides; otherwise one
	 * side decides: the first that is false (and) or true (or). */
	if ((c->kind == PC_AND) == (truth != 0)) {
		gov_why_cond(b, c->a, m, truth);
		buf_puts(b, " and ");
		gov_why_cond(b, c->b, m, truth);
		return;
	}
	deciding = gov_cond_true(c->a, m) == truth ? c->a : c->b;
	gov_why_cond(b, deciding, m, truth);
}

static void
gov_why_for(struct buf *b, int64_t ms)
{
	char d[32];

	if (ms <= 0)
		return;
	units_format_duration((uint64_t)ms, d, sizeof d);
	buf_printf(b, " for %s", d);
}

/* --- values -------------------------------------------------------------- */

static int64_t
gov_to_int(double v)
{
	if (!(v < 9.2e18))
		return POL_MAX;
	return v > 0 ? (int64_t)v : 0;
}

/* Relative values land on what the kernel takes: whole pages, at least 10
 * millicores, rates and counts of at least 1, shares in their range. */
static int64_t
gov_round(enum pol_knob k, double v)
{
	int64_t n = gov_to_int(v);

	if (n == POL_MAX)
		return n;
	switch (k) {
	case PK_MEM_LIMIT:
	case PK_MEM_HIGH:
	case PK_SWAP_BUFFER:
	case PK_MEM_LOW:
	case PK_MEM_MIN:
		n -= n % GOV_PAGE;
		return n < GOV_PAGE ? GOV_PAGE : n;
	case PK_CPU_QUOTA:
		return n < GOV_MIN_QUOTA ? GOV_MIN_QUOTA : n;
	case PK_CPU_WEIGHT:
		return n < GOV_SHARES_MIN ? GOV_SHARES_MIN :
		    n > GOV_SHARES_MAX ? GOV_SHARES_MAX : n;
	default:
		return n < 1 ? 1 : n;
	}
}

/* A knob value as the base of a percentage: NAN, with the reason in note,
 * when it is unknown or unlimited. */
static double
gov_base_of(int64_t v, const char *what, char *note, size_t len)
{
	if (v == GOV_UNKNOWN || v == POL_MAX) {
		snprintf(note, len, "%s is %s", what, v == POL_MAX ? "unlimited" : "unknown");
		return NAN;
	}
	return (double)v;
}

static double
gov_metric_of(const struct gov_metrics *m, enum pol_metric metric, double scale,
    char *note, size_t len)
{
	if (isnan(m->v[metric])) {
		snprintf(note, len, "%s is unknown", pol_metric_name(metric));
		return NAN;
	}
	return m->v[metric] * scale;
}

/* What a relative value of step s is a percentage of (NAN: see note). */
static double
gov_relative_to(const struct gov_ctx *x, const struct pol_set_knob *s, char *note, size_t len)
{
	const int64_t *base = x->ct->base;
	int cur = s->rel == PR_OF_CURRENT;

	switch (s->knob) {
	case PK_MEM_LIMIT:
	case PK_MEM_HIGH:
		if (cur)
			return gov_metric_of(x->m, PM_MEMORY, 1, note, len);
		return gov_base_of(x->mem_limit, "the memory limit", note, len);
	case PK_CPU_QUOTA:
		if (cur && base[PK_CPU_QUOTA] == POL_MAX)
			return gov_metric_of(x->m, PM_CPU, 1000, note, len);
		return gov_base_of(base[PK_CPU_QUOTA], "the cpu quota", note, len);
	case PK_IO_RBPS:
		if (cur)
			return gov_metric_of(x->m, PM_IO_READ, 1, note, len);
		break;
	case PK_MEM_LOW:        /* "100% of current": the memory in use now */
	case PK_MEM_MIN:
		return gov_metric_of(x->m, PM_MEMORY, 1, note, len);
	case PK_IO_WBPS:
		if (cur)
			return gov_metric_of(x->m, PM_IO_WRITE, 1, note, len);
		break;
	case PK_IO_RIOPS:
		if (cur)
			return gov_metric_of(x->m, PM_IO_READ_IOPS, 1, note, len);
		break;
	case PK_IO_WIOPS:
		if (cur)
			return gov_metric_of(x->m, PM_IO_WRITE_IOPS, 1, note, len);
		break;
	default:
		break;
	}
	return gov_base_of(base[s->knob], pol_knob_name(s->knob), note, len);
}

/* The value step s wants now, or GOV_UNKNOWN when a relative value has
 * nothing to be relative to (the reason in note). */
static int64_t
gov_resolve(const struct gov_ctx *x, const struct pol_set_knob *s, char *note, size_t len)
{
	double of;

	if (s->knob == PK_KILL)
		return 1;
	if (s->knob == PK_FREEZE)
		return s->value != 0;
	if (s->rel == PR_ABS)
		return gov_to_int(s->value);
	of = gov_relative_to(x, s, note, len);
	if (isnan(of))
		return GOV_UNKNOWN;
	return gov_round(s->knob, s->value / 100 * of);
}

/* --- wants --------------------------------------------------------------- */

static int
gov_is_io(enum pol_knob k)
{
	return k == PK_IO_RBPS || k == PK_IO_WBPS || k == PK_IO_RIOPS || k == PK_IO_WIOPS;
}

/* Does candidate a beat b, which holds the same knob (and device)? */
static int
gov_beats(const struct gov_want *a, const struct gov_want *b)
{
	if (a->knob == PK_SWAP_BUFFER)
		return a->value > b->value;
	if ((a->rule != NULL) != (b->rule != NULL))
		return a->rule != NULL;
	if (a->policy->priority != b->policy->priority)
		return a->policy->priority > b->policy->priority;
	/* memory low is a protection: the larger one is the stricter. */
	if (a->knob == PK_MEM_LOW || a->knob == PK_MEM_MIN)
		return a->value > b->value;
	return a->value < b->value;
}

static struct gov_want *
gov_want_find(struct gov *g, enum pol_knob k, dev_t dev)
{
	for (size_t i = 0; i < g->nwants; i++)
		if (g->wants[i].knob == k && g->wants[i].dev == dev)
			return &g->wants[i];
	return NULL;
}

static struct gov_want *
gov_want_add(struct gov *g)
{
	if (g->nwants == g->wants_cap) {
		g->wants_cap = g->wants_cap ? g->wants_cap * 2 : 16;
		g->wants = xreallocarray(g->wants, g->wants_cap, sizeof *g->wants);
	}
	return &g->wants[g->nwants++];
}

/* Offers one value for a knob; it becomes the want when it beats the
 * current holder of that knob (and device). */
static void
gov_offer(struct gov *g, const struct pol_set_knob *s, int64_t value,
    const struct policy *p, const struct pol_rule *r, int rung, const char *why)
{
	dev_t dev = gov_is_io(s->knob) ? s->dev.dev : 0;
	struct gov_want cand, *w;

	cand.knob = s->knob;
	cand.dev = dev;
	cand.value = value;
	cand.policy = p;
	cand.rule = r;
	cand.rung = rung;
	w = gov_want_find(g, s->knob, dev);
	if (w != NULL && !gov_beats(&cand, w))
		return;
	if (w == NULL)
		w = gov_want_add(g);
	*w = cand;
	snprintf(w->why, sizeof w->why, "%s", why);
}

/* The memory limit "% of limit" refers to: the winning static `memory
 * limit` of the matching policies, else the container's own. */
static int64_t
gov_mem_limit(const struct gov_ctx *x)
{
	const struct policy *p, *best = NULL;
	int64_t v, bestv = x->ct->base[PK_MEM_LIMIT];
	char note[96];

	for (size_t i = 0; i < x->g->npolicies; i++) {
		if (!x->c->matched[i])
			continue;
		p = &x->g->ps->v[i];
		for (size_t j = 0; j < p->nlimits; j++) {
			if (p->limits[j].knob != PK_MEM_LIMIT)
				continue;
			v = gov_resolve(x, &p->limits[j], note, sizeof note);
			if (v == GOV_UNKNOWN)
				continue;
			if (best == NULL || p->priority > best->priority ||
			    (p->priority == best->priority && v < bestv)) {
				best = p;
				bestv = v;
			}
		}
	}
	return bestv;
}

static void
gov_offer_static(struct gov_ctx *x, const struct policy *p)
{
	int64_t v;
	char note[96];

	for (size_t j = 0; j < p->nlimits; j++) {
		v = gov_resolve(x, &p->limits[j], note, sizeof note);
		if (v != GOV_UNKNOWN)
			gov_offer(x->g, &p->limits[j], v, p, NULL, -1, "static limit");
	}
}

static void
gov_offer_rule(struct gov_ctx *x, size_t ri)
{
	const struct gov_rinfo *info = &x->g->ri[ri];
	const struct gov_rstate *s;
	const struct gov_step *st;

	if (x->c->rs == NULL || x->c->rs[ri].st != GS_ACTIVE)
		return;
	s = &x->c->rs[ri];
	for (int k = 0; k <= s->rung; k++) {
		st = &x->c->steps[info->step0 + (size_t)k];
		if (st->value != GOV_UNKNOWN)
			gov_offer(x->g, &info->r->steps[k], st->value, info->p, info->r, k,
			    st->why);
	}
}

/* A container running a JVM keeps a swap buffer when the policies say
 * nothing of it: a JVM that finds no swap dies by the OOM killer at its
 * first heap spike. A buffer a policy states (static or a rule's rung, 0
 * included) wins over the floor: the operator decides, not a tenant's
 * process (issue 12: whoever runs an executable named java would otherwise
 * undo an explicit `memory swap-buffer 0`). policy_check() still refuses a
 * 0 in a policy that matches "java" processes by name. */
static void
gov_jvm_floor(struct gov_ctx *x, const struct policy *first)
{
	struct gov *g = x->g;
	struct gov_want *w = gov_want_find(g, PK_SWAP_BUFFER, 0);
	int64_t base = x->ct->base[PK_SWAP_BUFFER];
	char size[32];

	if (w != NULL)
		return;
	/* A floor, not a cut: a buffer at or above it (unlimited included)
	 * that no policy changes stays as it is. */
	if (base != GOV_UNKNOWN && base >= g->cfg.jvm_swap_buffer)
		return;
	w = gov_want_add(g);
	w->knob = PK_SWAP_BUFFER;
	w->dev = 0;
	w->policy = first;
	w->value = g->cfg.jvm_swap_buffer;
	w->rule = NULL;
	w->rung = -1;
	units_format_size((uint64_t)g->cfg.jvm_swap_buffer, size, sizeof size);
	snprintf(w->why, sizeof w->why, "JVM swap buffer floor (%s)", size);
}

/* cgroup v1 has no memory.high: the soft limit only bites under global
 * pressure, so while a RULE wants memory high a CPU quota slows the
 * allocating tasks down. A static memory high is the soft limit alone: a
 * permanent CPU quota would be a surprise nobody asked for. */
static void
gov_v1_fallback(struct gov_ctx *x)
{
	struct gov *g = x->g;
	int64_t base = x->ct->base[PK_CPU_QUOTA];
	struct gov_want *high = gov_want_find(g, PK_MEM_HIGH, 0), *q;
	const struct policy *p;
	const struct pol_rule *r;
	int rung;

	if (g->cfg.cgroup_version != 1 || high == NULL || high->rule == NULL)
		return;
	p = high->policy;
	r = high->rule;
	rung = high->rung;
	q = gov_want_find(g, PK_CPU_QUOTA, 0);
	if (q != NULL && q->value <= g->cfg.v1_high_cpu_millicores)
		return;
	/* The fallback slows a tenant down; it never raises a quota that is
	 * already at or below its own. */
	if (q == NULL && base != GOV_UNKNOWN && base <= g->cfg.v1_high_cpu_millicores)
		return;
	if (q == NULL)
		q = gov_want_add(g);
	q->knob = PK_CPU_QUOTA;
	q->dev = 0;
	q->value = g->cfg.v1_high_cpu_millicores;
	q->policy = p;
	q->rule = r;
	q->rung = rung;
	snprintf(q->why, sizeof q->why, "v1 fallback for memory high");
}

/* cgroup v1 has no memory.low nor memory.min: a `memory low` or `memory
 * min` is not wanted there at all. policy_check() warns at load time. */
static void
gov_v1_no_low(struct gov_ctx *x)
{
	struct gov *g = x->g;
	size_t out = 0;

	if (g->cfg.cgroup_version != 1)
		return;
	for (size_t i = 0; i < g->nwants; i++)
		if (g->wants[i].knob != PK_MEM_LOW && g->wants[i].knob != PK_MEM_MIN)
			g->wants[out++] = g->wants[i];
	g->nwants = out;
}

/* --- rule states --------------------------------------------------------- */

static void
gov_event(struct gov_ctx *x, size_t ri, enum gov_state from, const char *why)
{
	struct gov *g = x->g;
	const struct gov_rstate *s = &x->c->rs[ri];
	struct gov_event *e;

	if (g->nev == g->ev_cap) {
		g->ev_cap = g->ev_cap ? g->ev_cap * 2 : 16;
		g->ev = xreallocarray(g->ev, g->ev_cap, sizeof *g->ev);
	}
	e = &g->ev[g->nev++];
	e->key = x->c->key;
	e->policy = g->ri[ri].p;
	e->rule = g->ri[ri].r;
	e->from = from;
	e->to = s->st;
	e->rung = s->st == GS_ACTIVE ? s->rung : -1;
	e->since_ms = s->since_ms;
	snprintf(e->why, sizeof e->why, "%s", why);
}

static void
gov_enter(struct gov_ctx *x, size_t ri, enum gov_state to, const char *why)
{
	struct gov_rstate *s = &x->c->rs[ri];
	enum gov_state from = s->st;

	s->st = to;
	s->since_ms = x->now;
	if (to != GS_ACTIVE)
		s->rung = -1;
	gov_event(x, ri, from, why);
}

/* Leaves the active state: the rungs stop being wanted. */
static void
gov_release(struct gov_ctx *x, size_t ri)
{
	const struct gov_rinfo *info = &x->g->ri[ri];
	struct gov_step *st;

	for (size_t k = 0; k < info->r->nsteps; k++) {
		st = &x->c->steps[info->step0 + k];
		free(st->why);
		st->why = NULL;
		st->value = GOV_UNKNOWN;
	}
	x->c->rs[ri].held_ms = x->c->rs[ri].until_ms = GOV_NEVER;
}

/* Rung k fires: its value is resolved now and frozen while in force. */
static void
gov_fire(struct gov_ctx *x, size_t ri, int k)
{
	const struct gov_rinfo *info = &x->g->ri[ri];
	struct gov_rstate *s = &x->c->rs[ri];
	struct gov_step *st = &x->c->steps[info->step0 + (size_t)k];
	struct buf *b = &x->g->scratch;
	char note[96];

	buf_reset(b);
	gov_why_cond(b, info->r->when, x->m, 1);
	gov_why_for(b, x->now - s->held_ms);
	st->value = gov_resolve(x, &info->r->steps[k], note, sizeof note);
	free(st->why);
	st->why = NULL;
	if (st->value == GOV_UNKNOWN)
		buf_printf(b, "; rung %d (%s) skipped: %s", k,
		    pol_knob_name(info->r->steps[k].knob), note);
	else
		st->why = xstrdup(b->data);
	s->rung = k;
	s->fired_ms = x->now;
	gov_enter(x, ri, GS_ACTIVE, b->data);
}

static void
gov_active_tick(struct gov_ctx *x, size_t ri, int when)
{
	const struct pol_rule *r = x->g->ri[ri].r;
	struct gov_rstate *s = &x->c->rs[ri];
	struct buf *b = &x->g->scratch;
	/* A rule never clears while its WHEN still holds: an UNTIL that can be
	 * true at the same time (throttled < 5% while the first rung only
	 * lowers the weight) would otherwise apply, release and re-apply the
	 * same rung every `for` + cooldown. */
	int until = !when && (r->until != NULL ? gov_cond_true(r->until, x->m) : 1);

	/* held_ms goes on tracking WHEN, for the why of an escalation. */
	if (!when)
		s->held_ms = GOV_NEVER;
	else if (s->held_ms == GOV_NEVER)
		s->held_ms = x->now;
	if (!until) {
		s->until_ms = GOV_NEVER;
	} else {
		if (s->until_ms == GOV_NEVER)
			s->until_ms = x->now;
		if (x->now - s->until_ms >= (int64_t)r->until_for_ms) {
			buf_reset(b);
			if (r->until != NULL)
				gov_why_cond(b, r->until, x->m, 1);
			else
				gov_why_cond(b, r->when, x->m, 0);
			gov_why_for(b, (int64_t)r->until_for_ms);
			gov_release(x, ri);
			gov_enter(x, ri, GS_COOLING, b->data);
			return;
		}
	}
	if (when && (size_t)s->rung + 1 < r->nsteps &&
	    x->now - s->fired_ms >= (int64_t)r->escalate_ms)
		gov_fire(x, ri, s->rung + 1);
}

/* Pushes this tick's figures into the windows of rule ri and shows them
 * to the conditions (x->mw.wins): before WHEN and UNTIL are judged. */
static void
gov_win_feed(struct gov_ctx *x, size_t ri)
{
	const struct gov_rinfo *info = &x->g->ri[ri];
	struct win **w;

	x->mw.wins = NULL;
	if (info->nwin == 0)
		return;
	if (x->c->win == NULL)
		gov_ctr_windows(x->g, x->c);
	w = &x->c->win[info->win0];
	for (size_t k = 0; k < info->nwin; k++) {
		if (w[k] == NULL) {
			w[k] = xmalloc(sizeof *w[k]);
			win_init(w[k], info->wleaf[k]->win_ms);
		}
		win_push(w[k], x->now, gov_win_figure(info->wleaf[k], &x->mw));
	}
	x->wins.leaf = info->wleaf;
	x->wins.w = w;
	x->wins.n = info->nwin;
	x->wins.now = x->now;
	x->mw.wins = &x->wins;
}

static void
gov_rule_tick(struct gov_ctx *x, size_t ri)
{
	const struct pol_rule *r = x->g->ri[ri].r;
	struct gov_rstate *s;
	struct buf *b = &x->g->scratch;
	char d[32];
	int when;

	gov_win_feed(x, ri);
	when = gov_cond_true(r->when, x->m);

	if (x->c->rs == NULL) {
		if (!when)
			return;
		gov_ctr_states(x->g, x->c);
	}
	s = &x->c->rs[ri];
	switch (s->st) {
	case GS_COOLING:
		if (x->now - s->since_ms < (int64_t)r->cooldown_ms)
			return;
		units_format_duration(r->cooldown_ms, d, sizeof d);
		buf_reset(b);
		buf_printf(b, "cooldown %s elapsed", d);
		gov_enter(x, ri, GS_IDLE, b->data);
		/* Cooled down: it may arm again in this very tick. */
		/* FALLTHROUGH */
	case GS_IDLE:
		if (!when)
			return;
		s->held_ms = x->now;
		if (r->when_for_ms == 0) {
			gov_fire(x, ri, 0);
			return;
		}
		buf_reset(b);
		gov_why_cond(b, r->when, x->m, 1);
		gov_enter(x, ri, GS_PENDING, b->data);
		return;
	case GS_PENDING:
		if (!when) {
			buf_reset(b);
			gov_why_cond(b, r->when, x->m, 0);
			s->held_ms = GOV_NEVER;
			gov_enter(x, ri, GS_IDLE, b->data);
		} else if (x->now - s->held_ms >= (int64_t)r->when_for_ms) {
			gov_fire(x, ri, 0);
		}
		return;
	case GS_ACTIVE:
		gov_active_tick(x, ri, when);
		return;
	}
}

/* A policy that stopped matching (a JVM exited, a reload changed its
 * globs) takes its rules back to idle at once: nothing of it is wanted. */
static void
gov_unmatch(struct gov_ctx *x, size_t pi)
{
	const struct policy *p = &x->g->ps->v[pi];
	size_t ri;

	/* Its windows start afresh if it matches again. */
	for (size_t j = 0; x->c->win != NULL && j < p->nrules; j++) {
		const struct gov_rinfo *info = &x->g->ri[x->g->rule0[pi] + j];

		for (size_t k = 0; k < info->nwin; k++) {
			free(x->c->win[info->win0 + k]);
			x->c->win[info->win0 + k] = NULL;
		}
	}
	if (x->c->rs == NULL)
		return;
	for (size_t j = 0; j < p->nrules; j++) {
		ri = x->g->rule0[pi] + j;
		if (x->c->rs[ri].st == GS_IDLE)
			continue;
		gov_release(x, ri);
		gov_enter(x, ri, GS_IDLE, "policy no longer matches");
	}
}

void
gov_eval(struct gov *g, const struct gov_ct *ct, const struct gov_metrics *m,
    int64_t now_ms, const struct gov_want **ret, size_t *ret_n)
{
	struct gov_ctx x = { .g = g, .ct = ct, .m = m, .now = now_ms };
	const struct policy *p, *first = NULL;
	size_t i, j;

	if (g->ev_drained > 0 && g->ev_drained == g->nev)
		g->nev = g->ev_drained = 0;
	g->nwants = 0;
	x.mw = *m;
	x.mw.wins = NULL;
	x.m = &x.mw;
	x.c = gov_ctr_get(g, ct->key, now_ms);
	for (i = 0; i < g->npolicies; i++) {
		p = &g->ps->v[i];
		x.c->matched[i] = policy_match(p, ct->path, ct->runtime, ct->procs,
		    ct->nprocs, ct->procs_known) != 0;
		if (!x.c->matched[i])
			gov_unmatch(&x, i);
		else if (first == NULL || p->priority > first->priority)
			first = p;
	}
	x.mem_limit = gov_mem_limit(&x);
	for (i = 0; i < g->npolicies; i++) {
		if (!x.c->matched[i])
			continue;
		gov_offer_static(&x, &g->ps->v[i]);
		for (j = 0; j < g->ps->v[i].nrules; j++) {
			gov_rule_tick(&x, g->rule0[i] + j);
			gov_offer_rule(&x, g->rule0[i] + j);
		}
	}
	if (ct->jvm && first != NULL)
		gov_jvm_floor(&x, first);
	gov_v1_fallback(&x);
	gov_v1_no_low(&x);
	*ret = g->wants;
	*ret_n = g->nwants;
}

void
gov_events(struct gov *g, const struct gov_event **ret, size_t *ret_n)
{
	*ret = g->ev + g->ev_drained;
	*ret_n = g->nev - g->ev_drained;
	g->ev_drained = g->nev;
}

void
gov_rules_foreach(const struct gov *g, uint64_t key, gov_rule_fn fn, void *arg)
{
	const struct gov_ctr *c = gov_ctr_find(g, key);
	const struct gov_rstate *s;
	const struct gov_rinfo *info;

	if (c == NULL)
		return;
	for (size_t ri = 0; ri < g->nrules; ri++) {
		info = &g->ri[ri];
		if (!c->matched[info->p - g->ps->v])
			continue;
		if (c->rs == NULL) {
			fn(arg, info->p, info->r, GS_IDLE, -1, c->first_ms);
			continue;
		}
		s = &c->rs[ri];
		fn(arg, info->p, info->r, s->st, s->st == GS_ACTIVE ? s->rung : -1,
		    s->since_ms);
	}
}
