/* policy_check.c: the checks of a parsed policy set that need more than one
 * statement: names, contradictory limits, the JVM swap rule, the action
 * ladder, what this cgroup version lacks, rules that can never fire
 * (policy.h). */
#include "config.h"

#include <fnmatch.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "escape.h"
#include "policy.h"

#define CHECK_MAX_DIAGS  100    /* per file, as the parser */
#define CHECK_MAX_LEAVES 64     /* comparisons in a condition (the parser's cap) */

struct check {
	struct pol_diags *d;
	int version;                /* 0 unknown, 1, 2 */
	const char *file;           /* the file being checked, for the cap */
	size_t nfile;
	size_t nerrors;
	const struct pol_loc *v1_high_at;   /* the first rung setting memory high on v1 */
	size_t v1_high_rungs;               /* how many: warned once per load */
};

static void __attribute__((format(printf, 6, 7)))
check_diag(struct check *c, enum pol_severity sev, const struct pol_loc *at,
    const struct pol_loc *note_at, const char *note, const char *fmt, ...)
{
	char msg[512];
	va_list ap;

	if (c->file != at->file) {
		c->file = at->file;
		c->nfile = 0;
	}
	if (c->nfile > CHECK_MAX_DIAGS)
		return;
	if (c->nfile++ == CHECK_MAX_DIAGS) {
		c->nerrors++;
		pol_diags_add(c->d, PS_ERROR, at, NULL, NULL,
		    "too many errors, the rest of this file is not checked");
		return;
	}
	if (sev == PS_ERROR)
		c->nerrors++;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	pol_diags_add(c->d, sev, at, note_at, note, "%s", msg);
}

#define check_error(c, at, ...) check_diag(c, PS_ERROR, at, NULL, NULL, __VA_ARGS__)
#define check_warn(c, at, ...) check_diag(c, PS_WARNING, at, NULL, NULL, __VA_ARGS__)

/* ---- conditions -------------------------------------------------------------- */

/* A metric that cannot pass 100% of what its percentage is of. */
static int
check_bounded(const struct pol_cond *c)
{
	if (pol_metric_unit(c->metric) == PU_PERCENT)
		return 1;
	if (c->of == POF_NODE)
		return 1;               /* no container uses more CPUs than the node has */
	return c->of_limit && c->metric != PM_CPU;
}

static void
check_leaf_text(const struct pol_cond *c, char *buf, size_t len)
{
	char t[128];

	pol_cond_format(c, t, sizeof t);
	snprintf(buf, len, "\"%s\"", t);
}

/* Can two comparisons on one quantity hold at once? (Two bounds of one
 * interval: only a lower and an upper bound can exclude each other.) */
static int
check_disjoint(const struct pol_cond *x, const struct pol_cond *y)
{
	const struct pol_cond *lo, *hi;

	if (x->metric != y->metric || x->of_limit != y->of_limit)
		return 0;
	/* A mean is another figure than the tick's, and two "during" shares
	 * of one window may hold in different ticks. */
	if (x->of != y->of || x->win != y->win || x->win_ms != y->win_ms ||
	    x->win == PW_DURING)
		return 0;
	/* Two sensors are two figures (node.temp "A" > 90C and "B" < 50C). */
	if ((x->sensor == NULL) != (y->sensor == NULL) ||
	    (x->sensor != NULL && strcmp(x->sensor, y->sensor) != 0))
		return 0;
	lo = x->op == PO_GT || x->op == PO_GE ? x : y;
	hi = lo == x ? y : x;
	if (lo->op == PO_LT || lo->op == PO_LE || hi->op == PO_GT || hi->op == PO_GE)
		return 0;
	return lo->value > hi->value ||
	    (lo->value == hi->value && (lo->op == PO_GT || hi->op == PO_LT));
}

static void
check_leaves(const struct pol_cond *c, const struct pol_cond **v, size_t *n)
{
	if (c->kind == PC_AND) {
		check_leaves(c->a, v, n);
		check_leaves(c->b, v, n);
	} else if (c->kind == PC_CMP && *n < CHECK_MAX_LEAVES) {
		v[(*n)++] = c;
	}
}

/*
 * Is condition c never true, whatever the samples? Writes why. Conservative:
 * it knows bounds (a percentage of a limit is at most 100, nothing is below
 * zero) and that an AND of comparisons of one metric is an intersection of
 * intervals, which is empty exactly when two of them are disjoint.
 */
static int
check_never(const struct pol_cond *c, char *why, size_t len)
{
	const struct pol_cond *leaves[CHECK_MAX_LEAVES];
	char t1[160], t2[160];
	size_t n = 0;

	switch (c->kind) {
	case PC_OR:
		return check_never(c->a, why, len) && check_never(c->b, why, len);
	case PC_AND:
		if (check_never(c->a, why, len) || check_never(c->b, why, len))
			return 1;
		check_leaves(c, leaves, &n);
		for (size_t i = 0; i < n; i++) {
			for (size_t j = 0; j < i; j++) {
				if (!check_disjoint(leaves[j], leaves[i]))
					continue;
				check_leaf_text(leaves[j], t1, sizeof t1);
				check_leaf_text(leaves[i], t2, sizeof t2);
				snprintf(why, len, "%s and %s cannot both be true", t1, t2);
				return 1;
			}
		}
		return 0;
	case PC_CMP:
		check_leaf_text(c, t1, sizeof t1);
		if (check_bounded(c) && ((c->op == PO_GT && c->value >= 100) ||
		    (c->op == PO_GE && c->value > 100))) {
			snprintf(why, len, "%s: %s never passes 100%%", t1, pol_metric_name(c->metric));
			return 1;
		}
		if ((c->op == PO_LT && c->value <= 0) || (c->op == PO_LE && c->value < 0)) {
			snprintf(why, len, "%s: %s is never below 0", t1, pol_metric_name(c->metric));
			return 1;
		}
		return 0;
	}
	return 0;
}

/* Metrics this host cannot give: the condition on them is never true. */
static void
check_metrics(struct check *c, const struct pol_cond *cond)
{
	if (cond->kind != PC_CMP) {
		check_metrics(c, cond->a);
		check_metrics(c, cond->b);
		return;
	}
	/* v1 pressure.cpu and pressure.memory are derived (v1press.h);
	 * pressure.io only where the I/O scheduler keeps queue wait. */
	if (c->version == 1 && cond->metric == PM_PRESSURE_IO)
		check_warn(c, &cond->loc, "cgroup v1 has no PSI: pressure.io is known only where "
		    "the I/O scheduler keeps wait times (CFQ, BFQ), elsewhere never true");
}

/* ---- knobs ------------------------------------------------------------------------- */

/*
 * v1 has no memory.low nor anything like it (the soft limit caps the
 * container it is set on, it protects nobody): a `memory low` is ignored
 * there. A warning, not an error, so that one policy set serves v1 and v2
 * nodes alike.
 */
static void
check_v1_low(struct check *c, const struct pol_set_knob *k)
{
	if (c->version == 1 && (k->knob == PK_MEM_LOW || k->knob == PK_MEM_MIN))
		check_warn(c, &k->loc, "cgroup v1 has no %s: this %s is ignored on this "
		    "host (on v1, slow the grower with memory high instead)",
		    k->knob == PK_MEM_LOW ? "memory.low" : "memory.min", pol_knob_name(k->knob));
}

/*
 * On v1, memory high is the governor's fallback (govern.h): the soft limit
 * plus a CPU quota of v1-high-cpu. As a static limit, that quota holds for
 * as long as the policy matches, which is rarely what the author meant.
 */
static void
check_v1_high(struct check *c, const struct pol_set_knob *k, int in_rule)
{
	check_v1_low(c, k);
	if (c->version != 1 || k->knob != PK_MEM_HIGH)
		return;
	if (in_rule) {
		/* The shipped set has one such rung per file: said once, at the
		 * first, with the count (policy_check). */
		if (c->v1_high_rungs++ == 0)
			c->v1_high_at = &k->loc;
	} else
		check_warn(c, &k->loc, "cgroup v1 has no memory.high: as a static limit, the v1 "
		    "fallback (memory.soft_limit_in_bytes plus a cpu quota of v1-high-cpu) holds "
		    "for as long as the policy matches; write it as a rule's do");
}

static int
check_same_knob(const struct pol_set_knob *a, const struct pol_set_knob *b)
{
	if (a->knob != b->knob)
		return 0;
	if (a->dev.spec == NULL || b->dev.spec == NULL)
		return a->dev.spec == b->dev.spec;
	return a->dev.dev == b->dev.dev;
}

static int
check_matches_java(const struct policy *p)
{
	for (size_t i = 0; i < p->nprocesses; i++)
		if (fnmatch(p->processes[i], "java", 0) == 0)
			return 1;
	return 0;
}

static int
check_is_abs(const struct pol_set_knob *k)
{
	return k != NULL && k->rel == PR_ABS && k->value < (double)POL_MAX;
}

static void
check_limits(struct check *c, const struct policy *p)
{
	const struct pol_set_knob *limit = NULL, *high = NULL;
	char t1[64], t2[64];

	for (size_t i = 0; i < p->nlimits; i++) {
		const struct pol_set_knob *k = &p->limits[i];

		for (size_t j = 0; j < i; j++) {
			if (check_same_knob(k, &p->limits[j])) {
				check_diag(c, PS_ERROR, &k->loc, &p->limits[j].loc, "first set here",
				    "%s set twice in policy \"%s\"", pol_knob_name(k->knob),
				    escape_log(0, p->name));
				break;
			}
		}
		check_v1_high(c, k, 0);
		if (k->knob == PK_MEM_LIMIT)
			limit = k;
		else if (k->knob == PK_MEM_HIGH)
			high = k;
		else if (k->knob == PK_SWAP_BUFFER && k->value == 0 && check_matches_java(p))
			check_error(c, &k->loc, "a JVM must keep swap: policy \"%s\" matches \"java\" "
			    "processes, so its memory swap-buffer must be above 0 (e.g. 512M)",
			    escape_log(0, p->name));
	}
	if (check_is_abs(limit) && check_is_abs(high) && high->value >= limit->value) {
		pol_set_knob_format(high, t1, sizeof t1);
		pol_set_knob_format(limit, t2, sizeof t2);
		check_error(c, &high->loc, "%s is not below %s: it would never throttle", t1, t2);
	}
}

static void
check_rule(struct check *c, const struct policy *p, const struct pol_rule *r)
{
	char why[400];

	if (r->when == NULL)
		check_error(c, &r->loc, "rule \"%s\" has no \"when\": it would never fire",
		    escape_log(0, r->name));
	if (r->nsteps == 0)
		check_error(c, &r->loc, "rule \"%s\" has no \"do\": it would change nothing",
		    escape_log(0, r->name));
	for (size_t i = 0; i < r->nsteps; i++) {
		const struct pol_set_knob *k = &r->steps[i];

		if (k->knob == PK_KILL && !p->allow_kill)
			check_error(c, &k->loc, "\"kill\" needs \"allow kill\" in policy \"%s\": "
			    "killing is opt-in", escape_log(0, p->name));
		check_v1_high(c, k, 1);
		if (i > 0 && pol_knob_rung(k->knob) < pol_knob_rung(r->steps[i - 1].knob))
			check_error(c, &k->loc, "ladder out of order: %s comes after %s (the "
			    "ladder goes cpu shares, cpu quota, io limits, memory high, freeze, "
			    "kill)", pol_knob_name(k->knob), pol_knob_name(r->steps[i - 1].knob));
	}
	if (r->when != NULL) {
		check_metrics(c, r->when);
		if (check_never(r->when, why, sizeof why))
			check_error(c, &r->when->loc, "rule \"%s\" can never fire: %s",
			    escape_log(0, r->name), why);
	}
	if (r->until != NULL) {
		check_metrics(c, r->until);
		if (check_never(r->until, why, sizeof why))
			check_warn(c, &r->until->loc, "the \"until\" of rule \"%s\" is never true, "
			    "so it never restores: %s", escape_log(0, r->name), why);
	}
}

static void
check_policy(struct check *c, const struct policy_set *set, size_t i)
{
	const struct policy *p = &set->v[i];

	for (size_t j = 0; j < i; j++) {
		if (strcmp(set->v[j].name, p->name) == 0) {
			check_diag(c, PS_ERROR, &p->loc, &set->v[j].loc, "first defined here",
			    "duplicate policy name \"%s\"", escape_log(0, p->name));
			break;
		}
	}
	check_limits(c, p);
	for (size_t k = 0; k < p->nrules; k++) {
		for (size_t j = 0; j < k; j++) {
			if (strcmp(p->rules[j].name, p->rules[k].name) == 0) {
				check_diag(c, PS_ERROR, &p->rules[k].loc, &p->rules[j].loc,
				    "first defined here", "duplicate rule name \"%s\" in policy \"%s\"",
				    escape_log(0, p->rules[k].name), escape_log(1, p->name));
				break;
			}
		}
		check_rule(c, p, &p->rules[k]);
	}
}

size_t
policy_check(const struct policy_set *set, int cgroup_version, struct pol_diags *d)
{
	struct check c = { .d = d, .version = cgroup_version };

	if (set == NULL)
		return 0;
	for (size_t i = 0; i < set->n; i++)
		check_policy(&c, set, i);
	if (c.v1_high_rungs == 1)
		check_warn(&c, c.v1_high_at, "cgroup v1 has no memory.high: while this rung is in "
		    "force, cgov applies the v1 fallback (memory.soft_limit_in_bytes plus a cpu "
		    "quota of v1-high-cpu, cgov.policy(5))");
	else if (c.v1_high_rungs > 1)
		check_warn(&c, c.v1_high_at, "cgroup v1 has no memory.high: while this rung or any "
		    "of the %zu others that set it is in force, cgov applies the v1 fallback "
		    "(memory.soft_limit_in_bytes plus a cpu quota of v1-high-cpu, cgov.policy(5)); "
		    "said once for the policy set", c.v1_high_rungs - 1);
	return c.nerrors;
}
