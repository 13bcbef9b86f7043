/* simulate.c: replaying a policy set against stored history, through the
 * daemon's governor and metric arithmetic (contract in include/simulate.h). */
#include "config.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "knob.h"
#include "metrics.h"
#include "simulate.h"
#include "window.h"
#include "xmalloc.h"

#define SIM_NONE SIZE_MAX

/* The replay state of one governed container. */
struct sim_cst {
	struct metrics_growth growth;
	double mem_prev;                 /* memory level of the previous record */
	size_t armed;                    /* its rules that are not idle */
	size_t *open;                    /* per rule of the set: the firing in
	                                    force, SIM_NONE; NULL until needed */
	unsigned char *pmatch;           /* per policy of the set */
};

struct sim {
	const struct policy_set *set;
	struct gov *gov;
	struct gov_config cfg;
	size_t *rule0;                   /* per policy: its first rule */
	struct sim_result res;
	size_t firings_cap;
	uint32_t *byid;                  /* cid -> index in res.ct + 1; 0: none */
	int64_t maxcid;
	struct sim_cst *cs;              /* per res.ct */
	struct gov_metrics node;         /* the newest node record's metrics */
	int uses_node;                   /* a condition reads a node metric */
	/* With node metrics, the container records of one time wait for that
	 * time's node record, whichever order the scan hands them over in. */
	struct roll_rec *batch;
	size_t nbatch, batch_cap;
	int64_t batch_ts;
	int64_t last_ts[ROLL_NTIERS];
};

/* --- conditions ------------------------------------------------------------ */

static int
sim_cond_node(const struct pol_cond *c)
{
	if (c == NULL)
		return 0;
	if (c->kind != PC_CMP)
		return sim_cond_node(c->a) || sim_cond_node(c->b);
	return PM_IS_NODE(c->metric);
}

/* Could the governor change anything for container i with metrics m? */
static int
sim_may_change(const struct sim *s, size_t i, const struct gov_metrics *m)
{
	const struct sim_cst *c = &s->cs[i];
	const struct policy *p;

	if (c->armed > 0)
		return 1;
	for (size_t pi = 0; pi < s->set->n; pi++) {
		if (!c->pmatch[pi])
			continue;
		p = &s->set->v[pi];
		for (size_t j = 0; j < p->nrules; j++)
			/* A window must see every tick, true or not. */
			if (gov_cond_true(p->rules[j].when, m) ||
			    win_cond_count(p->rules[j].when) > 0 ||
			    win_cond_count(p->rules[j].until) > 0)
				return 1;
	}
	return 0;
}

/* --- firings --------------------------------------------------------------- */

static struct sim_firing *
sim_firing_new(struct sim *s, size_t ct, const struct gov_event *e)
{
	struct sim_result *r = &s->res;
	struct sim_firing *f;

	if (r->nfirings == s->firings_cap) {
		s->firings_cap = s->firings_cap ? s->firings_cap * 2 : 64;
		r->firings = xreallocarray(r->firings, s->firings_cap, sizeof *r->firings);
	}
	f = &r->firings[r->nfirings++];
	memset(f, 0, sizeof *f);
	f->ct = ct;
	f->policy = e->policy;
	f->rule = e->rule;
	f->start_ms = e->since_ms;
	f->end_ms = STORE_NULL;
	return f;
}

static struct sim_want *
sim_want_add(struct sim_firing *f)
{
	struct sim_want *w;

	if (f->nwants == f->cap) {
		f->cap = f->cap ? f->cap * 2 : 4;
		f->wants = xreallocarray(f->wants, f->cap, sizeof *f->wants);
	}
	w = &f->wants[f->nwants++];
	memset(w, 0, sizeof *w);
	return w;
}

/* Records what rung k of event e's rule wants, from the governor's wants
 * of this evaluation (w[0..nw)): the rung's own values (two for the v1
 * fallback), or why there is none. */
static void
sim_rung(struct sim_firing *f, const struct gov_event *e, const struct gov_want *w, size_t nw)
{
	const struct pol_set_knob *step = &e->rule->steps[e->rung];
	dev_t dev = step->knob >= PK_IO_RBPS && step->knob <= PK_IO_WIOPS ? step->dev.dev : 0;
	const struct gov_want *other = NULL;
	struct sim_want *sw;
	const char *skip;
	char val[48];
	size_t found = 0;

	for (size_t i = 0; i < nw; i++) {
		if (w[i].rule == e->rule && w[i].policy == e->policy && w[i].rung == e->rung) {
			sw = sim_want_add(f);
			sw->rung = e->rung;
			sw->knob = w[i].knob;
			sw->dev = w[i].dev;
			sw->value = w[i].value;
			sw->start_ms = e->since_ms;
			snprintf(sw->why, sizeof sw->why, "%s", w[i].why);
			found++;
		} else if (w[i].knob == step->knob && w[i].dev == dev) {
			other = &w[i];
		}
	}
	if (found > 0)
		return;
	sw = sim_want_add(f);
	sw->rung = e->rung;
	sw->knob = step->knob;
	sw->dev = dev;
	sw->value = GOV_UNKNOWN;
	sw->start_ms = e->since_ms;
	snprintf(sw->why, sizeof sw->why, "%s", e->why);
	if ((skip = strstr(e->why, "skipped: ")) != NULL) {
		snprintf(sw->note, sizeof sw->note, "skipped: %s", skip + strlen("skipped: "));
	} else if (other != NULL) {
		knob_format(other->knob, other->value, val, sizeof val);
		snprintf(sw->note, sizeof sw->note, "%s of policy \"%s\" %s%s%s wins",
		    val, other->policy->name, other->rule ? "rule \"" : "(static limit)",
		    other->rule ? other->rule->name : "", other->rule ? "\"" : "");
	} else {
		snprintf(sw->note, sizeof sw->note, "nothing wanted");
	}
}

static size_t
sim_rule_index(const struct sim *s, const struct gov_event *e)
{
	size_t pi = (size_t)(e->policy - s->set->v);

	return s->rule0[pi] + (size_t)(e->rule - e->policy->rules);
}

/* The state changes of container i's last evaluation. */
static void
sim_events(struct sim *s, size_t i, const struct gov_want *w, size_t nw)
{
	struct sim_cst *c = &s->cs[i];
	const struct gov_event *ev;
	struct sim_firing *f;
	size_t nev, ri;

	gov_events(s->gov, &ev, &nev);
	for (size_t k = 0; k < nev; k++) {
		const struct gov_event *e = &ev[k];

		c->armed += e->to != GS_IDLE;
		c->armed -= e->from != GS_IDLE;
		if (e->to != GS_ACTIVE && e->from != GS_ACTIVE)
			continue;
		ri = sim_rule_index(s, e);
		if (c->open == NULL) {
			c->open = xreallocarray(NULL, s->res.nrules, sizeof *c->open);
			for (size_t j = 0; j < s->res.nrules; j++)
				c->open[j] = SIM_NONE;
		}
		if (e->to == GS_ACTIVE) {
			if (e->from != GS_ACTIVE || c->open[ri] == SIM_NONE) {
				f = sim_firing_new(s, i, e);
				c->open[ri] = (size_t)(f - s->res.firings);
			}
			f = &s->res.firings[c->open[ri]];
			if (e->rung >= 0 && (size_t)e->rung < e->rule->nsteps)
				sim_rung(f, e, w, nw);
		} else if (c->open[ri] != SIM_NONE) {
			f = &s->res.firings[c->open[ri]];
			f->end_ms = e->since_ms;
			snprintf(f->end_why, sizeof f->end_why, "%s", e->why);
			c->open[ri] = SIM_NONE;
		}
	}
}

/* --- records --------------------------------------------------------------- */

static int64_t
sim_base(double v)
{
	if (isnan(v))
		return GOV_UNKNOWN;
	if (isinf(v) || v >= 9.2e18)
		return POL_MAX;
	return v > 0 ? (int64_t)v : 0;
}

static void
sim_eval(struct sim *s, size_t i, const struct gov_ct *gc, const struct gov_metrics *m,
    int64_t now_ms)
{
	const struct gov_want *w;
	size_t nw;

	if (!sim_may_change(s, i, m))
		return;
	gov_eval(s->gov, gc, m, now_ms, &w, &nw);
	s->res.evals++;
	sim_events(s, i, w, nw);
}

/* One record of governed container i: its metrics through the daemon's
 * arithmetic, then one evaluation at a tick's time, or two (the bucket's
 * start and end) for a rolled-up span. */
static void
sim_apply(struct sim *s, size_t i, const struct roll_rec *r)
{
	struct sim_cst *c = &s->cs[i];
	const struct sim_ct *ct = &s->res.ct[i];
	struct metrics_span sp;
	struct gov_metrics m;
	struct gov_ct gc = {
		.key = (uint64_t)ct->cid, .path = ct->path, .runtime = ct->runtime,
		.procs = NULL, .nprocs = 0, .procs_known = 0, .jvm = 0,
	};

	metrics_span_from_rec(r, c->mem_prev, &sp);
	metrics_span_eval(&sp, &c->growth, &m);
	c->mem_prev = r->mem_avg;
	for (int k = PM_NODE_CPU; k < PM__MAX; k++) {
		m.v[k] = s->node.v[k];
		m.limit[k] = s->node.limit[k];
	}
	/* History keeps the node's size, not the other tenants' weights and
	 * pressures of each tick nor a disk's capability: "% of node" is
	 * replayed, "% of share", "% of device" and others.* are unknown. */
	m.ncpu = s->node.ncpu;
	for (int k = 0; k < PK__MAX; k++)
		gc.base[k] = GOV_UNKNOWN;
	gc.base[PK_MEM_LIMIT] = sim_base(r->mem_limit);
	gc.base[PK_SWAP_BUFFER] = sim_base(r->swap_limit);
	gc.base[PK_CPU_WEIGHT] = sim_base(r->cpu_shares);
	/* millicores, rounded as the daemon rounds quota / period */
	gc.base[PK_CPU_QUOTA] = isnan(r->cpu_limit_cores) ? GOV_UNKNOWN :
	    sim_base(floor(r->cpu_limit_cores * 1000 + 0.5));
	if (r->tier == ROLL_RAW) {
		sim_eval(s, i, &gc, &m, r->ts_ms);
		return;
	}
	sim_eval(s, i, &gc, &m, r->ts_ms);
	sim_eval(s, i, &gc, &m, r->ts_ms + roll_tier_ms(r->tier));
}

static void
sim_flush(struct sim *s)
{
	for (size_t k = 0; k < s->nbatch; k++)
		sim_apply(s, s->byid[s->batch[k].cid] - 1, &s->batch[k]);
	s->nbatch = 0;
}

/* Counts the distinct times of each tier and where the replay ends. */
static void
sim_step(struct sim *s, enum roll_tier tier, int64_t ts)
{
	struct sim_result *r = &s->res;
	int64_t end = ts + (tier == ROLL_RAW ? 0 : roll_tier_ms(tier));

	if ((unsigned)tier >= ROLL_NTIERS)
		return;
	if (r->steps[tier] == 0 || s->last_ts[tier] != ts) {
		r->steps[tier]++;
		s->last_ts[tier] = ts;
	}
	if (r->first_ms == 0 || ts < r->first_ms)
		r->first_ms = ts;
	if (ts > r->last_ms)
		r->last_ms = ts;
	if (end > r->end_ms)
		r->end_ms = end;
}

int
sim_rec(void *arg, const struct roll_rec *r)
{
	struct sim *s = arg;
	struct sim_ct *ct;
	size_t i;

	sim_step(s, r->tier, r->ts_ms);
	if (r->cid <= 0 || r->cid > s->maxcid || s->byid[r->cid] == 0)
		return 0;
	i = s->byid[r->cid] - 1;
	ct = &s->res.ct[i];
	if ((unsigned)r->tier < ROLL_NTIERS)
		s->res.records[r->tier]++;
	ct->records++;
	if (ct->first_ms == 0)
		ct->first_ms = r->ts_ms;
	ct->last_ms = r->ts_ms;
	if (!ct->governed)
		return 0;
	if (!s->uses_node) {
		sim_apply(s, i, r);
		return 0;
	}
	if (s->nbatch > 0 && r->ts_ms != s->batch_ts)
		sim_flush(s);
	if (s->nbatch == s->batch_cap) {
		s->batch_cap = s->batch_cap ? s->batch_cap * 2 : 256;
		s->batch = xreallocarray(s->batch, s->batch_cap, sizeof *s->batch);
	}
	s->batch[s->nbatch++] = *r;
	s->batch_ts = r->ts_ms;
	return 0;
}

int
sim_node(void *arg, const struct roll_node_rec *r)
{
	struct sim *s = arg;

	sim_step(s, r->tier, r->ts_ms);
	/* Records of an earlier time go first, with their own node figures. */
	if (s->nbatch > 0 && r->ts_ms != s->batch_ts)
		sim_flush(s);
	metrics_node_from_rec(r, &s->node);
	s->node.ncpu = r->ncpu;         /* "% of node"; the node metrics leave it */
	return 0;
}

/* --- the replay ------------------------------------------------------------ */

struct sim *
sim_new(const struct policy_set *set, const struct gov_config *cfg,
    const struct store_container *cts, size_t n, int64_t from_ms, int64_t to_ms)
{
	struct sim *s = xcalloc(1, sizeof *s);
	struct sim_result *r = &s->res;
	struct gov_config def = { .cgroup_version = 2 };
	size_t ri = 0;

	s->set = set;
	s->cfg = cfg != NULL ? *cfg : def;
	s->gov = gov_new(&s->cfg);
	gov_set_policies(s->gov, set);
	r->from_ms = from_ms;
	r->to_ms = to_ms;
	r->npolicies = set != NULL ? set->n : 0;
	s->rule0 = xcalloc(r->npolicies + 1, sizeof *s->rule0);
	for (size_t pi = 0; pi < r->npolicies; pi++) {
		s->rule0[pi] = r->nrules;
		r->nrules += set->v[pi].nrules;
		if (set->v[pi].nprocesses > 0)
			r->nproc++;
	}
	r->rules = xcalloc(r->nrules + 1, sizeof *r->rules);
	for (size_t pi = 0; pi < r->npolicies; pi++) {
		for (size_t j = 0; j < set->v[pi].nrules; j++, ri++) {
			r->rules[ri].policy = &set->v[pi];
			r->rules[ri].rule = &set->v[pi].rules[j];
			s->uses_node |= sim_cond_node(set->v[pi].rules[j].when) ||
			    sim_cond_node(set->v[pi].rules[j].until);
		}
	}
	for (int k = 0; k < PM__MAX; k++)
		s->node.v[k] = s->node.limit[k] = NAN;
	s->node.ncpu = NAN;

	r->ct = xcalloc(n + 1, sizeof *r->ct);
	s->cs = xcalloc(n + 1, sizeof *s->cs);
	for (size_t i = 0; i < n; i++)
		if (cts[i].cid > s->maxcid)
			s->maxcid = cts[i].cid;
	s->byid = xcalloc((size_t)s->maxcid + 1, sizeof *s->byid);
	for (size_t i = 0; i < n; i++) {
		struct sim_ct *ct;
		struct sim_cst *c;

		if (cts[i].cid <= 0 || s->byid[cts[i].cid] != 0)
			continue;
		ct = &r->ct[r->nct];
		c = &s->cs[r->nct];
		ct->cid = cts[i].cid;
		ct->path = xstrdup(cts[i].path != NULL ? cts[i].path : "");
		ct->name = xstrdup(cts[i].name != NULL ? cts[i].name : "");
		ct->runtime = xstrdup(cts[i].runtime != NULL ? cts[i].runtime : "");
		ct->gone_ms = cts[i].gone_ms;
		c->mem_prev = NAN;
		c->pmatch = xcalloc(r->npolicies + 1, 1);
		/* Matched once: paths and runtimes do not change, and the
		 * process names are unknown (a `match process` never matches,
		 * as in the daemon before it has read the tasks). */
		ri = 0;
		for (size_t pi = 0; pi < r->npolicies; pi++) {
			c->pmatch[pi] = policy_match(&set->v[pi], ct->path, ct->runtime,
			    NULL, 0, 0) != 0;
			ct->governed |= c->pmatch[pi];
			for (size_t j = 0; j < set->v[pi].nrules; j++, ri++)
				r->rules[ri].matched += c->pmatch[pi];
		}
		r->ngoverned += ct->governed != 0;
		s->byid[ct->cid] = (uint32_t)(++r->nct);
	}
	return s;
}

static int
sim_firing_cmp(const void *a, const void *b, void *arg)
{
	const struct sim_firing *x = a, *y = b;
	const struct sim_result *r = arg;
	int c;

	if (x->start_ms != y->start_ms)
		return x->start_ms < y->start_ms ? -1 : 1;
	if ((c = strcmp(r->ct[x->ct].path, r->ct[y->ct].path)) != 0)
		return c;
	if (x->policy->order != y->policy->order)
		return x->policy->order < y->policy->order ? -1 : 1;
	return x->rule < y->rule ? -1 : x->rule > y->rule;
}

void
sim_finish(struct sim *s, struct sim_result *ret)
{
	struct sim_result *r = &s->res;
	unsigned char *seen;

	sim_flush(s);
	/* A firing still open: the container vanished (it ends where its
	 * history does), or it is still in force at the end. */
	for (size_t k = 0; k < r->nfirings; k++) {
		struct sim_firing *f = &r->firings[k];
		const struct sim_ct *ct = &r->ct[f->ct];

		if (f->end_ms != STORE_NULL || ct->gone_ms == STORE_NULL ||
		    ct->gone_ms > r->end_ms)
			continue;
		f->end_ms = ct->gone_ms > ct->last_ms ? ct->gone_ms : ct->last_ms;
		if (f->end_ms < f->start_ms)
			f->end_ms = f->start_ms;
		f->gone = 1;
		snprintf(f->end_why, sizeof f->end_why, "container gone");
	}
	qsort_r(r->firings, r->nfirings, sizeof *r->firings, sim_firing_cmp, r);
	seen = xcalloc(r->nct * r->nrules + 1, 1);
	for (size_t k = 0; k < r->nfirings; k++) {
		const struct sim_firing *f = &r->firings[k];
		size_t ri = s->rule0[f->policy - s->set->v] + (size_t)(f->rule - f->policy->rules);
		struct sim_rule *sr = &r->rules[ri];
		int64_t end = f->end_ms != STORE_NULL ? f->end_ms : r->end_ms;

		sr->firings++;
		if (!seen[f->ct * r->nrules + ri]) {
			seen[f->ct * r->nrules + ri] = 1;
			sr->fired++;
		}
		sr->held_ms += end > f->start_ms ? end - f->start_ms : 0;
	}
	free(seen);
	*ret = *r;
	for (size_t i = 0; i < r->nct; i++) {
		free(s->cs[i].open);
		free(s->cs[i].pmatch);
	}
	free(s->cs);
	free(s->byid);
	free(s->batch);
	free(s->rule0);
	gov_free(s->gov);
	free(s);
}

void
sim_result_free(struct sim_result *r)
{
	if (r == NULL)
		return;
	for (size_t i = 0; i < r->nct; i++) {
		free(r->ct[i].path);
		free(r->ct[i].name);
		free(r->ct[i].runtime);
	}
	for (size_t k = 0; k < r->nfirings; k++)
		free(r->firings[k].wants);
	free(r->ct);
	free(r->rules);
	free(r->firings);
	memset(r, 0, sizeof *r);
}

int
simulate_run(struct store *st, const struct policy_set *set, const struct gov_config *cfg,
    int64_t from_ms, int64_t to_ms, int64_t step_ms, struct sim_result *ret)
{
	struct store_container *cts;
	struct sim *s;
	size_t n;
	int r;

	memset(ret, 0, sizeof *ret);
	if ((r = store_query_containers(st, &cts, &n)) < 0)
		return r;
	s = sim_new(set, cfg, cts, n, from_ms, to_ms);
	store_containers_free(cts, n);
	r = roll_scan(st, from_ms, to_ms, step_ms, 0, sim_rec, sim_node, s);
	sim_finish(s, ret);
	if (r != 0) {
		sim_result_free(ret);
		return r < 0 ? r : -EIO;
	}
	return 0;
}
