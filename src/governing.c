/* governing.c: samples -> metrics -> governor -> actuator, once per tick. */
#include "config.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "contention.h"
#include "escape.h"
#include "govern.h"
#include "governing.h"
#include "hook.h"
#include "journal.h"
#include "knob.h"
#include "log.h"
#include "memroom.h"
#include "metrics.h"
#include "notify.h"
#include "units.h"
#include "xmalloc.h"

/* What governing keeps per container between ticks, sorted by key. The
 * fleet reports containers in path order, which is key order only when
 * one rescan found them all: two rescans before a tick (a SIGHUP right
 * after the rescan timer) interleave, so a new entry is inserted in place,
 * not appended. */
struct gv_ct {
	uint64_t key;                   /* the tenant (fleet_obs.key): the key of
	                                   the governor and the actuator alike */
	struct tenant_id id;
	int64_t cid;                    /* the store's, 0 until registered: an
	                                   attribute for journal rows */
	char *path, *name;
	const char *runtime;
	uint64_t seen;                  /* tick number of the last observation */
	struct cg_sample cur, prev;     /* the last two ticks' samples */
	int cur_full;                   /* cur's settings were read now */
	int have_prev;
	int64_t cur_mono, prev_mono;    /* when they were taken (monotonic ms) */
	struct cg_sample *woke;         /* the last node pressure wake's; NULL */
	int64_t woke_mono;
	struct notify_ct *nt;           /* its kernel notifications; NULL none */
	int arm_stale;                  /* what to arm must be recomputed */
	int event_driven;               /* levels or PSI triggers are armed */
	uint64_t armed_limit;           /* the memory limit the levels are for */
	int64_t due_ms;                 /* a pending rule is due (gov clock); 0 */
	int64_t event_ms;               /* the last decision on an event */
	int64_t oom_ms[2];              /* the last OOM / OOM kill journaled */
	struct gov_metrics m;
	struct metrics_growth growth;
	struct memroom_set anc;         /* ancestors with a memory limit */
	int anc_found;                  /* anc was looked for */
	double room;                    /* the least headroom above it (bytes;
	                                   NAN unknown): memory.eta's */
	char **procs;                   /* the names of the last two reads */
	size_t nprocs;
	char **last;                    /* the names of the last read alone */
	size_t nlast;
	int procs_known, jvm, governed;
	int match_stale;                /* governed must be recomputed */
	int64_t procs_ms;               /* when the names were read */
	unsigned node_psi;              /* bit per nodewatch_res: its rules'
	                                   when compares node.pressure.* */
};

/* One container's sample at a node wake, between its two passes. */
struct gv_wake {
	size_t i;                       /* its index in governing.ct */
	struct cg_sample s;
	int64_t mono;
	int full;
};

struct gv_state_arg {
	struct governing *g;
	int64_t cid;
	int idle;
};

struct governing {
	const struct cgfs *fs;
	struct fleet *fleet;
	struct store *st;
	struct gov *gov;
	struct act *act;
	struct policy_set *ps;
	int reconciled, settled, dry_run, exit_restore_all;
	int noswap_warned;
	int states_stale;               /* rule_state rows to rewrite (reload) */
	uint64_t procs_interval_ms, interval_ms;
	char *policies_path;
	int64_t started_ms;

	struct gv_ct *ct;
	size_t n, cap;
	uint64_t tick;
	struct gov_metrics node;        /* node metrics of the last tick */
	struct gov_sensor sensors[TEMP_MAX];  /* node.temp, from governing_set_temps */
	size_t nsensors;
	double temp_hottest;            /* NAN: no sensor known */
	struct hook *hook;              /* on-action (borrowed); NULL */
	struct memroom *mr;             /* the limits above the containers */

	/* What relative conditions are of (cgov.policy(5)): the node's CPUs,
	 * the stated disk capabilities, and this tick's contention. */
	double ncpu;                    /* NAN unknown */
	double dev[4];                  /* the largest stated per figure; NAN none */
	struct contention cont;         /* this tick's shares and pressures */
	struct contention wcont;        /* the same at the last node wake */
	struct gv_wake *wk;             /* a node wake's samples (reused) */
	size_t wkcap;

	struct notify *nt;              /* kernel notifications (borrowed); NULL */
	unsigned arm_warned;            /* bit per notify kind: failure logged */
	uint64_t nevents;               /* notifications handled */
	/* Node pressure wakes, per resource: the tick (+ 1; 0 none) of the
	 * last, when the next may come, and the gap after that one. */
	uint64_t node_wake_tick[NODEWATCH__MAX];
	int64_t node_wake_next[NODEWATCH__MAX];
	int64_t node_wake_gap[NODEWATCH__MAX];
	uint64_t node_said_tick[NODEWATCH__MAX];
	double node_tick_psi[NODEWATCH__MAX];   /* the last tick's shares (%);
	                                           NAN unknown */
	uint64_t nnodewakes;            /* node pressure wakes handled */
};

int
governing_cgroup_version(const struct cgfs *fs)
{
	return fs->layout == CGFS_V2 ? 2 : 1;
}

/* The entry of key, or NULL with *ret_pos (optional) where it belongs. */
static struct gv_ct *
gv_find_pos(struct governing *g, uint64_t key, size_t *ret_pos)
{
	size_t lo = 0, hi = g->n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (g->ct[mid].key == key)
			return &g->ct[mid];
		if (g->ct[mid].key < key)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (ret_pos != NULL)
		*ret_pos = lo;
	return NULL;
}

static struct gv_ct *
gv_find(struct governing *g, uint64_t key)
{
	return gv_find_pos(g, key, NULL);
}

static void
gv_ct_clear(struct gv_ct *c)
{
	free(c->path);
	free(c->name);
	knob_procs_free(c->procs, c->nprocs);
	knob_procs_free(c->last, c->nlast);
	notify_ct_free(c->nt);
	memroom_set_clear(&c->anc);
	free(c->woke);
	memset(c, 0, sizeof *c);
}

/* memory.eta counts down to the nearest limit that encloses c, not only
 * its own: a tenant without a limit balloons into its parent's (an LXC
 * or Docker "node" slice) or the node's, and the OOM killer then picks by
 * size. The ancestors are found on c's full reads (the limits cadence),
 * their usage read once a tick for all containers below them; the node's
 * MemAvailable is this tick's (gv_on_node runs first). Only while
 * policies are loaded: a node without them pays nothing. */
static void
gv_room(struct governing *g, struct gv_ct *c, int full)
{
	c->room = NAN;
	if (g->ps == NULL) {
		c->anc_found = 0;
		return;
	}
	if (full || !c->anc_found) {
		memroom_find(g->mr, c->path, g->tick + 1, &c->anc);
		c->anc_found = 1;
	}
	c->room = metrics_room_min(memroom_left(g->mr, &c->anc, g->tick + 1),
	    g->node.v[PM_NODE_MEMORY_AVAILABLE]);
	metrics_room_eta(&c->m, &c->growth, c->room);
}

static void
gv_on_ct(void *arg, const struct fleet_obs *o)
{
	struct governing *g = arg;
	size_t pos = 0;
	struct gv_ct *c = gv_find_pos(g, o->key, &pos);

	if (c == NULL) {
		if (g->n == g->cap) {
			g->cap = g->cap ? g->cap * 2 : 64;
			g->ct = xreallocarray(g->ct, g->cap, sizeof *g->ct);
		}
		memmove(&g->ct[pos + 1], &g->ct[pos], (g->n - pos) * sizeof *g->ct);
		g->n++;
		c = &g->ct[pos];
		memset(c, 0, sizeof *c);
		c->key = o->key;
		c->id = *o->id;
		c->path = xstrdup(o->path);
		c->name = xstrdup(o->name);
		c->runtime = o->runtime;
		c->match_stale = 1;
		c->arm_stale = 1;
	} else {
		c->prev = c->cur;
		c->prev_mono = c->cur_mono;
		c->have_prev = 1;
	}
	if (o->cid != 0)
		c->cid = o->cid;        /* 0 until history registers it: act does then */
	c->seen = g->tick;
	c->cur = *o->cur;
	c->cur_full = o->full;
	c->cur_mono = units_mono_ms();
	metrics_from_samples(o->cur, o->prev, o->dt_ms, &c->growth, &c->m);
	gv_room(g, c, o->full);
}

static void
gv_on_node(void *arg, const struct cg_node *a, const struct cg_node *b, int64_t dt)
{
	struct governing *g = arg;

	metrics_node_from_samples(a, b, dt, &g->node);
	for (int k = 0; k < NODEWATCH__MAX; k++)
		g->node_tick_psi[k] = g->node.v[PM_NODE_PRESSURE_CPU + k];
	g->ncpu = a->cpu.ncpu > 0 && a->cpu.ncpu != UINT32_MAX ? (double)a->cpu.ncpu : NAN;
	g->node.v[PM_NODE_TEMP] = g->temp_hottest;
	g->node.sensors = g->sensors;
	g->node.nsensors = g->nsensors;
}

static void gv_set_devices(struct governing *g, const struct conf *c);

void
governing_set_hook(struct governing *g, struct hook *h)
{
	if (g == NULL)
		return;
	g->hook = h;
	act_set_hook(g->act, h);
}

_Static_assert(sizeof(((struct gov_sensor *)0)->name) == TEMP_NAME_MAX,
    "a sensor's name fits both");

void
governing_set_temps(struct governing *g, const struct temp_reading *v, size_t n)
{
	if (g == NULL)
		return;
	if (n > TEMP_MAX)
		n = TEMP_MAX;
	/* In place: the containers' metrics point at this array. */
	for (size_t i = 0; i < n; i++) {
		snprintf(g->sensors[i].name, sizeof g->sensors[i].name, "%s", v[i].name);
		g->sensors[i].celsius = v[i].celsius;
	}
	g->nsensors = n;
	g->temp_hottest = temp_hottest(v, n);
	g->node.v[PM_NODE_TEMP] = g->temp_hottest;
	g->node.sensors = g->sensors;
	g->node.nsensors = n;
}

struct governing *
governing_new(const struct cgfs *fs, struct fleet *f, struct store *st, const struct conf *c,
    int dry_run)
{
	struct governing *g = xcalloc(1, sizeof *g);
	struct act_config ac = { .dry_run = dry_run };
	struct gov_config gc = { .cgroup_version = governing_cgroup_version(fs) };

	g->fs = fs;
	g->fleet = f;
	g->dry_run = dry_run;
	gc.jvm_swap_buffer = (int64_t)c->jvm_swap_buffer;
	gc.v1_high_cpu_millicores = (int64_t)c->v1_high_cpu_millicores;
	ac.max_actions_per_min = c->max_actions_per_min;
	g->gov = gov_new(&gc);
	g->act = act_new(fs, NULL, &ac);
	g->mr = memroom_new(fs);
	for (int k = 0; k < NODEWATCH__MAX; k++)
		g->node_tick_psi[k] = NAN;
	g->procs_interval_ms = c->procs_ms;
	g->interval_ms = c->interval_ms;
	g->exit_restore_all = c->exit_restore_all;
	g->policies_path = xstrdup(c->policies);
	for (int i = PM_NODE_CPU; i < PM__MAX; i++)
		g->node.v[i] = g->node.limit[i] = NAN;
	g->temp_hottest = NAN;
	g->ncpu = NAN;
	contention_reset(&g->cont);
	gv_set_devices(g, c);
	fleet_set_observer(f, gv_on_ct, gv_on_node, g);
	governing_set_store(g, st, 0);
	return g;
}

void
governing_free(struct governing *g)
{
	if (g == NULL)
		return;
	fleet_set_observer(g->fleet, NULL, NULL, NULL);
	for (size_t i = 0; i < g->n; i++)
		gv_ct_clear(&g->ct[i]);
	free(g->ct);
	free(g->wk);
	act_free(g->act);
	gov_free(g->gov);
	memroom_free(g->mr);
	policy_set_free(g->ps);
	free(g->policies_path);
	free(g);
}

/* "% of device": container I/O is summed over disks, so it is compared
 * with the largest capability stated for each figure (one data disk: that
 * disk's). */
static void
gv_set_devices(struct governing *g, const struct conf *c)
{
	for (size_t k = 0; k < 4; k++)
		g->dev[k] = NAN;
	for (size_t i = 0; i < c->ndevices; i++) {
		const struct conf_device *d = &c->devices[i];
		uint64_t v[4] = { d->rbps, d->wbps, d->riops, d->wiops };

		for (size_t k = 0; k < 4; k++)
			if (v[k] > 0 && !(g->dev[k] >= (double)v[k]))
				g->dev[k] = (double)v[k];
	}
}

void
governing_set_conf(struct governing *g, const struct conf *c)
{
	gv_set_devices(g, c);
	/* The governor and actuator take their settings at creation; only
	 * the cadences and the policy path change on a reload. The rest is
	 * documented in cgov.conf(5) as needing a restart. */
	g->procs_interval_ms = c->procs_ms;
	g->interval_ms = c->interval_ms;
	g->exit_restore_all = c->exit_restore_all;
	free(g->policies_path);
	g->policies_path = xstrdup(c->policies);
}

void
governing_set_store(struct governing *g, struct store *st, int64_t now_ms)
{
	struct journal_daemon prev = { 0 };
	int r, clean;

	if (g->st != NULL && st != g->st) {
		/* Another history, or none: the originals journaled in this one
		 * would be out of reach of the next, so everything cgov set goes
		 * back now, journaled here, and is taken again under the ids of
		 * the new store. */
		r = act_restore_all(g->act, now_ms, 1);
		if (r > 0)
			log_info("history changes: %d knob%s restored", r, r == 1 ? "" : "s");
		for (size_t i = 0; i < g->n; i++) {
			act_forget(g->act, g->ct[i].key);
			g->ct[i].cid = 0;
		}
		journal_rule_state_clear(g->st);
	}
	g->st = st;
	act_set_store(g->act, st);
	if (st == NULL || g->reconciled)
		return;
	g->reconciled = 1;
	/* A clean exit keeps static limits (their originals stay journaled);
	 * anything else left in the journal is a crash's. */
	clean = journal_daemon_get(st, &prev) == 0 && prev.stopped_ms != STORE_NULL;
	journal_daemon_clear(&prev);
	journal_rule_state_clear(st);
	r = act_reconcile(g->act, now_ms);
	if (r > 0 && clean)
		log_info("%d knob%s kept by the previous cgovd (static limits): restoring "
		    "what the policies no longer want", r, r == 1 ? "" : "s");
	else if (r > 0)
		log_warnx("%d knob%s changed by a previous cgovd that did not exit cleanly: "
		    "restoring what the policies no longer want", r, r == 1 ? "" : "s");
	else if (r < 0)
		log_warnx("cannot read the journal of a previous cgovd (%s): knobs it left "
		    "changed are not restored", strerror(-r));
}

int
governing_load(const char *path, int cgroup_version, struct policy_set **ret)
{
	struct pol_diags d = { 0 };
	int r;

	*ret = NULL;
	r = policy_load(path, cgroup_version, &d, ret);
	for (size_t i = 0; i < d.n; i++) {
		const struct pol_diag *x = &d.v[i];

		if (x->sev == PS_ERROR)
			log_err("%s:%d:%d: %s%s%s", x->file, x->line, x->col, x->msg,
			    x->hint ? "; " : "", x->hint ? x->hint : "");
		else
			log_warnx("%s:%d:%d: %s%s%s", x->file, x->line, x->col, x->msg,
			    x->hint ? "; " : "", x->hint ? x->hint : "");
	}
	pol_diags_free(&d);
	return r;
}

void
governing_set_policies(struct governing *g, struct policy_set *ps)
{
	gov_set_policies(g->gov, ps);
	policy_set_free(g->ps);
	g->ps = ps;
	/* Dropped states leave no event: the journal's rule states are
	 * rewritten from the governor after the next evaluation. */
	g->states_stale = 1;
	for (size_t i = 0; i < g->n; i++) {
		g->ct[i].procs_ms = 0;          /* re-read: matches may change */
		g->ct[i].match_stale = 1;
		g->ct[i].arm_stale = 1;
	}
}

static int
gv_needs_procs(const struct governing *g)
{
	return g->ps != NULL && g->ps->n > 0;
}

static void
gv_read_procs(struct governing *g, struct gv_ct *c, int64_t now_ms)
{
	char **v;
	size_t n;
	int r, was;

	if (c->procs_ms != 0 && now_ms - c->procs_ms < (int64_t)g->procs_interval_ms)
		return;
	c->procs_ms = now_ms;
	r = knob_procs(g->fs, c->path, GOVERNING_MAX_TASKS, &v, &n);
	if (r < 0) {
		if (!cgfs_gone(r))
			log_debug("container %s: cannot read its tasks: %s",
			    escape_log(0, c->path), strerror(-r));
		return;
	}
	/* A name counts until a read has missed it twice: a JVM restarting
	 * within a process-interval keeps its policies and its swap buffer
	 * (no restore and re-apply in a row, each waiting on the knob's
	 * cooldown); one that is gone stops matching one to two intervals
	 * after it left, and what its policies set goes back. */
	knob_procs_free(c->procs, c->nprocs);
	c->procs = xcalloc(n + c->nlast + 1, sizeof *c->procs);
	c->nprocs = 0;
	for (size_t i = 0; i < n; i++)
		c->procs[c->nprocs++] = xstrdup(v[i]);
	for (size_t i = 0; i < c->nlast; i++) {
		size_t j;

		for (j = 0; j < n && strcmp(v[j], c->last[i]) != 0; j++)
			;
		if (j == n)
			c->procs[c->nprocs++] = xstrdup(c->last[i]);
	}
	knob_procs_free(c->last, c->nlast);
	c->last = v;
	c->nlast = n;
	c->procs_known = 1;
	c->match_stale = 1;
	c->arm_stale = 1;
	was = c->jvm;
	c->jvm = 0;
	for (size_t i = 0; i < c->nprocs; i++)
		if (strcmp(c->procs[i], "java") == 0)
			c->jvm = 1;
	if (c->jvm != was)
		log_info("container %s: %s", escape_log(0, c->path),
		    c->jvm ? "a JVM runs in it" : "no JVM runs in it any more");
}

static int
gv_governed(const struct governing *g, const struct gv_ct *c)
{
	for (size_t i = 0; g->ps != NULL && i < g->ps->n; i++)
		if (policy_match(&g->ps->v[i], c->path, c->runtime,
		    (const char *const *)c->procs, c->nprocs, c->procs_known))
			return 1;
	return 0;
}

static void
gv_put_state(void *arg, const struct policy *p, const struct pol_rule *r, enum gov_state s,
    int rung, int64_t since_ms)
{
	struct gv_state_arg *a = arg;

	if (s != GS_IDLE || a->idle)
		journal_rule_state_put(a->g->st, a->cid, p->name, r->name,
		    a->idle ? gov_state_name(GS_IDLE) : gov_state_name(s), rung, since_ms, NULL);
}

/* The journal's rule states of container c: deleted (idle != 0, it is
 * going) or written afresh. Inside a journal transaction. */
static void
gv_journal_states(struct governing *g, const struct gv_ct *c, int idle)
{
	struct gv_state_arg a = { .g = g, .cid = c->cid, .idle = idle };

	if (c->cid != 0)
		gov_rules_foreach(g->gov, c->key, gv_put_state, &a);
}

/* After a reload, every row again from the governor's states. */
static void
gv_resync_states(struct governing *g)
{
	if (!g->states_stale || g->st == NULL || journal_begin(g->st) < 0)
		return;
	journal_rule_state_clear(g->st);
	for (size_t i = 0; i < g->n; i++)
		gv_journal_states(g, &g->ct[i], 0);
	if (journal_commit(g->st) < 0)
		journal_abort(g->st);
	else
		g->states_stale = 0;
}

static void
gv_journal_events(struct governing *g)
{
	const struct gov_event *ev;
	size_t nev;
	int jr = -1;

	gov_events(g->gov, &ev, &nev);
	if (nev == 0)
		return;
	if (g->st != NULL)
		jr = journal_begin(g->st);
	for (size_t i = 0; i < nev; i++) {
		const struct gov_event *e = &ev[i];
		struct gv_ct *c = gv_find(g, e->key);
		const char *path = c != NULL ? c->path : "?";

		if (e->to == GS_ACTIVE || e->to == GS_COOLING || e->from == GS_ACTIVE)
			log_info("container %s: policy \"%s\" rule \"%s\": %s -> %s%s%s",
			    escape_log(0, path), e->policy->name, e->rule->name,
			    gov_state_name(e->from), gov_state_name(e->to),
			    e->why[0] ? ": " : "", e->why);
		else
			log_debug("container %s: policy \"%s\" rule \"%s\": %s -> %s",
			    escape_log(0, path), e->policy->name, e->rule->name,
			    gov_state_name(e->from), gov_state_name(e->to));
		/* A container found since the last history tick has no id yet:
		 * an event between two ticks (a notification, a node pressure
		 * wake) registers it here, as the actuator does, or its rule's
		 * state would never be journaled (only changes are). */
		if (jr == 0 && c != NULL && c->cid == 0 &&
		    store_container_upsert(g->st, c->path, c->name, c->runtime, units_now_ms(),
		    &c->cid) < 0)
			c->cid = 0;
		if (jr == 0 && c != NULL && c->cid != 0)
			journal_rule_state_put(g->st, c->cid, e->policy->name, e->rule->name,
			    gov_state_name(e->to), e->rung, e->since_ms, e->why);
	}
	if (jr == 0 && journal_commit(g->st) < 0)
		journal_abort(g->st);
}

static void
gv_heartbeat(struct governing *g, int64_t now_ms, size_t governed, int64_t stopped_ms)
{
	struct journal_daemon d = {
		.pid = getpid(), .started_ms = g->started_ms, .beat_ms = now_ms,
		.interval_ms = (int64_t)g->interval_ms, .containers = (int64_t)g->n,
		.governed = (int64_t)governed, .dry_run = g->dry_run,
		.policies = g->policies_path, .stopped_ms = stopped_ms,
	};

	if (g->st != NULL)
		journal_daemon_put(g->st, &d);
}

static void gv_decide(struct governing *g, struct gv_ct *c, const struct cg_sample *s,
    int full, const struct gov_metrics *m, int64_t now_ms);
static void gv_fill_relative(const struct governing *g, const struct contention *cont,
    const struct gv_ct *c, int counted, struct gov_metrics *m);
static void gv_contention(const struct governing *g, struct contention *cont, uint64_t seen,
    const struct gv_wake *wk, size_t nwk);

/* --- kernel notifications ---------------------------------------------------- */

#define GV_PSI_WINDOW_US 2000000ULL     /* a multiple of 2s: no CAP_SYS_RESOURCE needed */
/* memory.events and PSI events of one container are decided at most once
 * per GV_EVENT_GAP_MS; those in between are folded into one decision at
 * the end of the gap. A container sitting above memory.high makes the
 * kernel bump "high" on every reclaim, hundreds of times a second: without
 * the gap each would cost a sample and a decision. The first event of a
 * burst is decided at once, so reaction time does not pay for it. */
#define GV_EVENT_GAP_MS 50
/* The first gap between two node pressure wakes of a tick (doubling). */
#define GV_NODE_WAKE_GAP_MS 200
/* The least span since the last wake that gives a wake's rates: the
 * first gap less the poll timer's slack (a wake "200 ms" after the last
 * is often 199 ms by the monotonic clock). */
#define GV_NODE_WAKE_SPAN_MS (GV_NODE_WAKE_GAP_MS * 3 / 4)
/* OOM events of one kind journaled at most once a second per container
 * (an OOM storm must not become a storm of durable commits). */
#define GV_OOM_GAP_MS 1000

/* The lowest threshold (a percentage) that a condition tree puts on PSI
 * metric m with > or >=; NAN when it puts none. */
static double
gv_cond_psi(const struct pol_cond *c, enum pol_metric m)
{
	double a, b;

	if (c == NULL)
		return NAN;
	if (c->kind != PC_CMP) {
		a = gv_cond_psi(c->a, m);
		b = gv_cond_psi(c->b, m);
		return isnan(a) ? b : isnan(b) ? a : fmin(a, b);
	}
	if (c->metric != m || (c->op != PO_GT && c->op != PO_GE))
		return NAN;
	return c->value;
}

/* A failure to arm is said once per kind for the whole daemon (1,000
 * containers on an old kernel must not make 1,000 lines); what the layout
 * does not have (levels on v2, PSI on v1) is not a failure. */
static void
gv_arm_result(struct governing *g, const struct gv_ct *c, enum notify_kind kind, int r)
{
	if (r >= 0 || r == -EOPNOTSUPP || cgfs_gone(r) || (g->arm_warned & (1u << kind)))
		return;
	g->arm_warned |= 1u << kind;
	log_warnx("container %s: cannot arm %s notifications (%s): ticks alone see it, "
	    "said once for every container", escape_log(0, c->path), notify_kind_name(kind),
	    strerror(-r));
}

/* Arms what container c's policies can use: OOM events for every container
 * (journaled), and for governed ones the memory levels (v1) and PSI
 * triggers (v2) their rules' conditions name. Recomputed only when the
 * policies, the match or the memory limit changed. */
static void
gv_arm(struct governing *g, struct gv_ct *c)
{
	static const struct { enum pol_metric m; enum notify_kind k; } psi[] = {
		{ PM_PRESSURE_CPU, NOTIFY_PSI_CPU },
		{ PM_PRESSURE_MEMORY, NOTIFY_PSI_MEM },
		{ PM_PRESSURE_IO, NOTIFY_PSI_IO },
	};
	double lv[NOTIFY_MAX_LEVELS], pct[3] = { NAN, NAN, NAN };
	double limit = c->cur.mem_limit == CG_UNKNOWN || c->cur.mem_limit == CG_UNLIMITED ?
	    INFINITY : (double)c->cur.mem_limit;
	uint64_t levels[NOTIFY_MAX_LEVELS];
	size_t nlv = 0, over = 0;
	int r;

	if (g->nt == NULL)
		return;
	if (c->nt == NULL) {
		c->nt = notify_ct_new(g->nt, c->key, c->path);
		c->arm_stale = 1;
	}
	if (c->cur.mem_limit != c->armed_limit)
		c->arm_stale = 1;
	if (!c->arm_stale)
		return;
	c->arm_stale = 0;
	c->armed_limit = c->cur.mem_limit;
	gv_arm_result(g, c, NOTIFY_OOM, notify_ct_oom(c->nt));
	for (size_t i = 0; c->governed && g->ps != NULL && i < g->ps->n; i++) {
		const struct policy *p = &g->ps->v[i];

		if (!policy_match(p, c->path, c->runtime, (const char *const *)c->procs,
		    c->nprocs, c->procs_known))
			continue;
		for (size_t j = 0; j < p->nrules; j++) {
			const struct pol_rule *ru = &p->rules[j];

			over += notify_cond_levels(ru->when, PM_MEMORY, limit, lv, &nlv,
			    NOTIFY_MAX_LEVELS);
			over += notify_cond_levels(ru->until, PM_MEMORY, limit, lv, &nlv,
			    NOTIFY_MAX_LEVELS);
			for (size_t k = 0; k < 3; k++) {
				double v = gv_cond_psi(ru->when, psi[k].m);

				if (!isnan(v) && (isnan(pct[k]) || v < pct[k]))
					pct[k] = v;
			}
		}
	}
	if (over > 0)
		log_debug("container %s: %zu memory levels beyond the %d armed: ticks see them",
		    escape_log(0, c->path), over, NOTIFY_MAX_LEVELS);
	for (size_t i = 0; i < nlv; i++)
		levels[i] = lv[i] > 0 ? (uint64_t)lv[i] : 0;
	r = notify_ct_mem_levels(c->nt, levels, nlv);
	gv_arm_result(g, c, NOTIFY_MEM_LEVEL, r);
	c->event_driven = nlv > 0 && r == 0;
	for (size_t k = 0; k < 3; k++) {
		/* "> N%" of time stalled: N% of the window. */
		double stall = isnan(pct[k]) ? 0 :
		    fmax(pct[k], 1.0) / 100.0 * (double)GV_PSI_WINDOW_US;

		r = notify_ct_psi(c->nt, psi[k].k, (uint64_t)stall, GV_PSI_WINDOW_US);
		gv_arm_result(g, c, psi[k].k, r);
		c->event_driven |= stall > 0 && r == 0;
	}
}

struct gv_due_arg {
	const struct governing *g;
	int64_t due;
};

static void
gv_due_of(void *arg, const struct policy *p, const struct pol_rule *r, enum gov_state s,
    int rung, int64_t since_ms)
{
	struct gv_due_arg *a = arg;
	int64_t due;

	(void)p;
	(void)rung;
	if (s != GS_PENDING || r->when_for_ms == 0)
		return;
	due = since_ms + (int64_t)r->when_for_ms;
	if (a->due == 0 || due < a->due)
		a->due = due;
}

/* When a pending rule of an event-driven container comes due: its `for`
 * counts from the event, so it must not wait for the next tick. */
static void
gv_update_due(struct governing *g, struct gv_ct *c)
{
	struct gv_due_arg a = { .g = g, .due = 0 };
	int64_t retry;

	gov_rules_foreach(g->gov, c->key, gv_due_of, &a);
	/* A change the actuator deferred to the end of a knob's cooldown. */
	retry = act_retry(g->act, c->key);
	if (retry != 0 && (a.due == 0 || retry < a.due))
		a.due = retry;
	c->due_ms = a.due;
}

/* The journal's row of an OOM event (kind JK_OOM or JK_OOM_KILL). */
static void
gv_journal_oom(struct governing *g, struct gv_ct *c, enum notify_kind kind,
    int64_t now_ms)
{
	int kill = kind == NOTIFY_OOM_KILL;
	struct journal_action j = {
		.ts_ms = now_ms, .cid = c->cid, .ino = c->id.ino,
		.kind = kill ? JK_OOM_KILL : JK_OOM, .rung = -1, .knob = PK_MEM_LIMIT,
		.old_value = STORE_NULL, .new_value = STORE_NULL,
		.observed = kill ? "the kernel's OOM killer killed a task" :
		    "the kernel ran out of memory for the container (OOM)",
		.dry_run = g->dry_run, .restored_ms = STORE_NULL,
	};
	int r;

	if (c->oom_ms[kill] != 0 && now_ms - c->oom_ms[kill] < GV_OOM_GAP_MS) {
		log_debug("container %s: %s (again)", escape_log(0, c->path), j.observed);
		return;
	}
	c->oom_ms[kill] = now_ms;
	log_warnx("container %s: %s", escape_log(0, c->path), j.observed);
	if (g->hook != NULL) {
		struct hook_event ev = {
			.event = journal_kind_name(j.kind), .container = c->name,
			.cgroup = c->path, .runtime = c->runtime, .knob = -1,
			.old_value = -1, .new_value = -1, .why = j.observed,
			.dry_run = g->dry_run, .ts_ms = units_now_ms(),
		};

		hook_fire(g->hook, &ev);
	}
	if (g->st == NULL)
		return;
	/* A container found since the last history tick has no id yet: it is
	 * registered in the same transaction (as the actuator does). */
	if ((r = journal_begin(g->st)) == 0) {
		if (j.cid <= 0)
			r = store_container_upsert(g->st, c->path, c->name, c->runtime, now_ms,
			    &j.cid);
		if (r == 0)
			r = journal_action_add(g->st, &j, NULL);
		if (r == 0)
			r = journal_commit(g->st);
		else
			journal_abort(g->st);
	}
	if (r < 0)
		log_debug("journal: OOM event of %s not recorded: %s", escape_log(0, c->path),
		    strerror(-r));
}

/* The sample container c's rates at mono are taken from, and when it
 * was taken (*base_mono); NULL: none. A decision on an event is over the
 * span since the tick before the last, so a few milliseconds since the
 * last tick make no noisy figure. A node wake (since_last) comes at any
 * time: its rates are over the span since the newest of the last tick
 * that is NODEWATCH_MIN_SPAN_MS old and the last wake that is
 * GV_NODE_WAKE_SPAN_MS old, so a storm that began after the last tick is
 * not diluted over two ticks (and the first tick, which has none before
 * it, gives rates too). The last wake matters for a CPU hog: a wake comes
 * ~0.1 s into a storm, when the hog's cores since the tick are still a
 * fraction of what it takes; the next wake, 0.2 s later, sees it whole. */
static const struct cg_sample *
gv_base(const struct gv_ct *c, int64_t mono, int since_last, int64_t *base_mono)
{
	if (since_last) {
		if (c->woke != NULL && c->woke_mono > c->cur_mono &&
		    mono - c->woke_mono >= GV_NODE_WAKE_SPAN_MS) {
			*base_mono = c->woke_mono;
			return c->woke;
		}
		if (mono - c->cur_mono >= NODEWATCH_MIN_SPAN_MS) {
			*base_mono = c->cur_mono;
			return &c->cur;
		}
	}
	*base_mono = c->prev_mono;
	return c->have_prev ? &c->prev : NULL;
}

/* Container c's metrics from sample s taken at mono (gv_base), but for
 * the relative ones (gv_fill_relative). The ticks' smoothing of memory
 * growth stays theirs; the limits above are the last tick's. */
static void
gv_fresh_metrics(const struct governing *g, const struct gv_ct *c, const struct cg_sample *s,
    int64_t mono, int since_last, struct gov_metrics *m)
{
	struct metrics_growth gr = c->growth;
	int64_t base_mono;
	const struct cg_sample *base = gv_base(c, mono, since_last, &base_mono);

	metrics_from_samples(s, base, base != NULL ? mono - base_mono : 0, &gr, m);
	metrics_room_eta(m, &gr, c->room);
	for (int i = PM_NODE_CPU; i < PM__MAX; i++) {
		m->v[i] = g->node.v[i];
		m->limit[i] = g->node.limit[i];
	}
	m->sensors = g->node.sensors;
	m->nsensors = g->node.nsensors;
}

static void
gv_log_decided(const struct gv_ct *c, const struct gov_metrics *m, int64_t mono)
{
	log_debug("container %s: decided now (memory %.0f bytes, cpu %.2f cores, "
	    "pressure.cpu %.1f%%, share %.2f cores) in %lld ms",
	    escape_log(0, c->path), m->v[PM_MEMORY], m->v[PM_CPU], m->v[PM_PRESSURE_CPU], m->share,
	    (long long)(units_mono_ms() - mono));
}

/* Samples container c now and decides, without acting yet (gv_eval_now
 * acts): a notification or a rule's `for` come due. */
static void
gv_eval_sample(struct governing *g, struct gv_ct *c, int64_t now_ms)
{
	struct gov_metrics m;
	struct cg_sample s;
	int64_t mono = units_mono_ms();
	int full;

	if (fleet_sample_one(g->fleet, c->key, &s, &full) < 0)
		return;                 /* gone: the next tick drops it */
	gv_fresh_metrics(g, c, &s, mono, 0, &m);
	/* Contention as of the last tick, c counted as it was then. */
	gv_fill_relative(g, &g->cont, c, contention_wants_cpu(&c->m), &m);
	gv_decide(g, c, &s, full, &m, now_ms);
	gv_log_decided(c, &m, mono);
}

/* gv_eval_sample, then what it decided is journaled and written. */
static void
gv_eval_now(struct governing *g, struct gv_ct *c, int64_t now_ms)
{
	gv_eval_sample(g, c, now_ms);
	act_flush(g->act, now_ms);
	gv_journal_events(g);
}

void
governing_set_notify(struct governing *g, struct notify *n)
{
	g->nt = n;
	for (size_t i = 0; i < g->n; i++) {
		notify_ct_free(g->ct[i].nt);
		g->ct[i].nt = NULL;
		g->ct[i].event_driven = 0;
	}
}

void
governing_event(struct governing *g, uint64_t key, enum notify_kind kind, int64_t now_ms)
{
	struct gv_ct *c = gv_find(g, key);

	if (c == NULL)
		return;
	g->nevents++;
	log_debug("container %s: %s notification", escape_log(0, c->path),
	    notify_kind_name(kind));
	if (kind == NOTIFY_OOM || kind == NOTIFY_OOM_KILL)
		gv_journal_oom(g, c, kind, now_ms);
	if (kind == NOTIFY_POPULATED || !c->governed)
		return;
	/* v1 thresholds fire once per crossing: never folded. memory.events
	 * and PSI can repeat hundreds of times a second: folded. */
	if (kind != NOTIFY_MEM_LEVEL && c->event_ms != 0 &&
	    now_ms - c->event_ms < GV_EVENT_GAP_MS) {
		int64_t at = c->event_ms + GV_EVENT_GAP_MS;

		if (c->due_ms == 0 || at < c->due_ms)
			c->due_ms = at;         /* folded: decided at the gap's end */
		return;
	}
	c->event_ms = now_ms;
	gv_eval_now(g, c, now_ms);
	/* A second look at the gap's end: a v1 threshold is checked every
	 * few hundred pages charged, and an allocation goes on after the
	 * event, so the level a rule names may be passed a moment later. */
	if (c->due_ms == 0 || now_ms + GV_EVENT_GAP_MS < c->due_ms)
		c->due_ms = now_ms + GV_EVENT_GAP_MS;
}

int64_t
governing_next_due(const struct governing *g)
{
	int64_t due = 0;

	for (size_t i = 0; i < g->n; i++)
		if (g->ct[i].due_ms != 0 && (due == 0 || g->ct[i].due_ms < due))
			due = g->ct[i].due_ms;
	return due;
}

void
governing_run_due(struct governing *g, int64_t now_ms)
{
	for (size_t i = 0; i < g->n; i++) {
		struct gv_ct *c = &g->ct[i];

		if (c->due_ms != 0 && c->due_ms <= now_ms) {
			c->due_ms = 0;
			gv_eval_now(g, c, now_ms);
		}
	}
}

uint64_t
governing_events(const struct governing *g)
{
	return g->nevents;
}

/* --- node pressure wakes (nodewatch.h) --------------------------------------- */

_Static_assert(PM_NODE_PRESSURE_MEMORY == PM_NODE_PRESSURE_CPU + NODEWATCH_MEMORY &&
    PM_NODE_PRESSURE_IO == PM_NODE_PRESSURE_CPU + NODEWATCH_IO,
    "nodewatch's resources are in the order of the node.pressure.* metrics");

/* The NODEWATCH_* bits of the node.pressure.* metrics that the `when` of
 * a rule of a policy governing c compares with > or >=. */
static unsigned
gv_node_psi(const struct governing *g, const struct gv_ct *c)
{
	unsigned bits = 0;

	for (size_t i = 0; g->ps != NULL && i < g->ps->n; i++) {
		const struct policy *p = &g->ps->v[i];

		if (!policy_match(p, c->path, c->runtime, (const char *const *)c->procs,
		    c->nprocs, c->procs_known))
			continue;
		for (size_t j = 0; j < p->nrules; j++)
			for (int k = 0; k < NODEWATCH__MAX; k++)
				if (!isnan(gv_cond_psi(p->rules[j].when, PM_NODE_PRESSURE_CPU + k)))
					bits |= 1u << k;
	}
	return bits;
}

void
governing_node_thresholds(const struct governing *g, double ret[NODEWATCH__MAX])
{
	for (int k = 0; k < NODEWATCH__MAX; k++)
		ret[k] = NAN;
	for (size_t i = 0; g->ps != NULL && i < g->ps->n; i++) {
		const struct policy *p = &g->ps->v[i];

		for (size_t j = 0; j < p->nrules; j++)
			for (int k = 0; k < NODEWATCH__MAX; k++) {
				double v = gv_cond_psi(p->rules[j].when, PM_NODE_PRESSURE_CPU + k);

				if (!isnan(v) && (isnan(ret[k]) || v < ret[k]))
					ret[k] = v;
			}
	}
}

size_t
governing_node_wake(struct governing *g, enum nodewatch_res res, double pct, int64_t now_ms)
{
	size_t n = 0;
	double thr[NODEWATCH__MAX];

	if ((unsigned)res >= NODEWATCH__MAX)
		return 0;
	governing_node_thresholds(g, thr);
	if (!nodewatch_onset(g->node_tick_psi[res], thr[res], pct)) {
		if (g->node_said_tick[res] != g->tick + 1) {   /* said once a tick */
			g->node_said_tick[res] = g->tick + 1;
			log_debug("node pressure: %s at %.1f%%, %.1f%% at the last tick: "
			    "no storm's onset, left to the ticks", nodewatch_res_name(res), pct,
			    g->node_tick_psi[res]);
		}
		return 0;
	}
	/* The wake is there to see the first moments of a storm before the
	 * tick would: not a node that was over the threshold at the last
	 * tick already and has not grown worse (nodewatch_onset), which the
	 * ticks see. A wake per 100 ms poll would sample every container
	 * concerned ten times a second while the node stays above; one wake
	 * per tick can come too early (the pressure of another source, a
	 * writer whose bytes are not counted yet) and leave the storm to the
	 * tick. So: the first wake after a tick at once, the next ones after
	 * gaps that double from GV_NODE_WAKE_GAP_MS (200, 400, 800 ms...):
	 * at most 3 wakes in a 1 s tick. */
	if (g->node_wake_tick[res] != g->tick + 1) {
		g->node_wake_tick[res] = g->tick + 1;
		g->node_wake_next[res] = 0;
		g->node_wake_gap[res] = GV_NODE_WAKE_GAP_MS;
	}
	if (now_ms < g->node_wake_next[res])
		return 0;
	g->node_wake_next[res] = now_ms + g->node_wake_gap[res];
	g->node_wake_gap[res] *= 2;
	g->nnodewakes++;
	/* The fresh share until the next tick computes the tick's own. */
	g->node.v[PM_NODE_PRESSURE_CPU + res] = pct;
	/* Pass 1: sample every container concerned (seen by the last tick:
	 * the others are gone or not yet judged). */
	for (size_t i = 0; i < g->n; i++) {
		struct gv_ct *c = &g->ct[i];

		if (!c->governed || !(c->node_psi & (1u << res)) || c->seen + 1 != g->tick)
			continue;
		if (n == g->wkcap) {
			g->wkcap = g->wkcap ? g->wkcap * 2 : 16;
			g->wk = xreallocarray(g->wk, g->wkcap, sizeof *g->wk);
		}
		g->wk[n].i = i;
		g->wk[n].mono = units_mono_ms();
		if (fleet_sample_one(g->fleet, c->key, &g->wk[n].s, &g->wk[n].full) < 0)
			continue;       /* gone: the next tick drops it */
		n++;
	}
	/* The shares and the others' pressure as they are now: a hog and
	 * its victims that started together since the last tick were not
	 * wanting CPU then, and the hog's share would be the whole node. */
	gv_contention(g, &g->wcont, g->tick - 1, g->wk, n);
	/* Pass 2: decide each with them. */
	for (size_t j = 0; j < n; j++) {
		const struct gv_wake *w = &g->wk[j];
		struct gv_ct *c = &g->ct[w->i];
		struct gov_metrics m;

		gv_fresh_metrics(g, c, &w->s, w->mono, 1, &m);
		gv_fill_relative(g, &g->wcont, c, contention_wants_cpu(&m), &m);
		gv_decide(g, c, &w->s, w->full, &m, now_ms);
		if (c->woke == NULL)
			c->woke = xmalloc(sizeof *c->woke);
		*c->woke = w->s;
		c->woke_mono = w->mono;
		gv_log_decided(c, &m, w->mono);
	}
	/* One durable journal commit for all of them, then the writes. */
	if (n > 0) {
		act_flush(g->act, now_ms);
		gv_journal_events(g);
	}
	log_debug("node pressure: %s at %.1f%%: %zu container%s decided now",
	    nodewatch_res_name(res), pct, n, n == 1 ? "" : "s");
	return n;
}

uint64_t
governing_node_wakes(const struct governing *g)
{
	return g->nnodewakes;
}

/* A swap buffer on a host without swap protects nothing: say so loudly,
 * once (again if swap comes and goes). Only for a buffer the actuator
 * keeps (after act_sync): the want of a v1 tenant without a memory limit
 * is dropped, nothing is written for it, and there is nothing to warn of. */
static void
gv_check_swap(struct governing *g, const struct gv_ct *c, const struct gov_want *w, size_t n)
{
	double total = g->node.limit[PM_NODE_SWAP_FREE];

	if (total > 0) {
		g->noswap_warned = 0;
		return;
	}
	if (g->noswap_warned || isnan(total) || !act_wanted(g->act, c->key, PK_SWAP_BUFFER))
		return;
	for (size_t i = 0; i < n; i++) {
		if (w[i].knob != PK_SWAP_BUFFER || w[i].value <= 0)
			continue;
		log_warnx("container %s%s keeps a swap buffer, but this host has no swap to "
		    "give: under memory pressure it will meet the OOM killer instead "
		    "(add swap, e.g. zram)", escape_log(0, c->path), c->jvm ? " (a JVM)" : "");
		g->noswap_warned = 1;
		return;
	}
}

/* Evaluates container c on metrics m (s: the sample they come from, for
 * the knobs' base values) at now_ms and plans what the actuator must do;
 * act_flush carries it out. */
static void
gv_decide(struct governing *g, struct gv_ct *c, const struct cg_sample *s, int full,
    const struct gov_metrics *m, int64_t now_ms)
{
	struct gov_ct gc = {
		.key = c->key, .path = c->path, .runtime = c->runtime,
		.procs = (const char *const *)c->procs, .nprocs = c->nprocs,
		.procs_known = c->procs_known, .jvm = c->jvm,
	};
	struct act_tenant at = {
		.key = c->key, .cid = c->cid, .id = &c->id, .path = c->path, .name = c->name,
		.runtime = c->runtime, .sample = s, .settings_fresh = full,
	};
	const struct gov_want *w;
	size_t nw;

	act_base(g->act, &at, s, gc.base);
	gov_eval(g->gov, &gc, m, now_ms, &w, &nw);
	/* A knob about to be written: the container's next sample reads its
	 * settings afresh (sampler.h), or drift would be judged on a value
	 * from before the write. */
	if (act_sync(g->act, &at, w, nw, now_ms) > 0)
		fleet_refresh(g->fleet, c->key);
	gv_check_swap(g, c, w, nw);
	if (c->event_driven)
		gv_update_due(g, c);
}

/* --- contention: fair share and others' pressure (contention.h) -------- */

/* The container's CPU weight (v1 shares scale); 0: unknown, the default. */
static double
gv_weight(const struct gv_ct *c)
{
	return c->cur.cpu_shares == CG_UNKNOWN ? 0 : (double)c->cur.cpu_shares;
}

/* The CONTENTION_HELD_* bits of the knobs rung 0..rung of r turn down. */
static unsigned
gv_held_bits(const struct pol_rule *r, int rung)
{
	unsigned bits = 0;

	for (int i = 0; i <= rung && (size_t)i < r->nsteps; i++) {
		switch (r->steps[i].knob) {
		case PK_CPU_WEIGHT:
		case PK_CPU_QUOTA:
			bits |= CONTENTION_HELD_CPU;
			break;
		case PK_MEM_LIMIT:
		case PK_MEM_HIGH:
		case PK_SWAP_BUFFER:
			bits |= CONTENTION_HELD_MEMORY;
			break;
		case PK_IO_RBPS:
		case PK_IO_WBPS:
		case PK_IO_RIOPS:
		case PK_IO_WIOPS:
			bits |= CONTENTION_HELD_IO;
			break;
		case PK_FREEZE:
			bits |= CONTENTION_HELD_CPU | CONTENTION_HELD_MEMORY | CONTENTION_HELD_IO;
			break;
		default:
			break;
		}
	}
	return bits;
}

static void
gv_held_rule(void *arg, const struct policy *p, const struct pol_rule *r, enum gov_state s,
    int rung, int64_t since_ms)
{
	unsigned *held = arg;

	(void)p;
	(void)since_ms;
	if (s == GS_ACTIVE)
		*held |= gv_held_bits(r, rung);
}

/* Into cont, the containers seen by tick `seen`: once per tick with
 * their metrics of that tick (wk NULL), or at a node wake with the fresh
 * metrics of the nwk containers it sampled (wk, in the order of g->ct)
 * and the tick's of the others. What cgov holds back (the rules in force)
 * is no other's contention (contention.h). */
static void
gv_contention(const struct governing *g, struct contention *cont, uint64_t seen,
    const struct gv_wake *wk, size_t nwk)
{
	size_t j = 0;

	contention_reset(cont);
	for (size_t i = 0; i < g->n; i++) {
		const struct gv_ct *c = &g->ct[i];
		unsigned held = 0;

		if (c->seen != seen)
			continue;
		gov_rules_foreach(g->gov, c->key, gv_held_rule, &held);
		while (j < nwk && wk[j].i < i)
			j++;
		if (j < nwk && wk[j].i == i) {
			struct gov_metrics m;

			gv_fresh_metrics(g, c, &wk[j].s, wk[j].mono, 1, &m);
			contention_add(cont, c->key, &m, gv_weight(c), held);
		} else {
			contention_add(cont, c->key, &c->m, gv_weight(c), held);
		}
	}
}

/* Fills what relative conditions and others.pressure.* need into m, for
 * container c, from contention cont; counted: whether the metrics c was
 * added to cont with wanted CPU (contention_fill). */
static void
gv_fill_relative(const struct governing *g, const struct contention *cont,
    const struct gv_ct *c, int counted, struct gov_metrics *m)
{
	contention_fill(cont, c->key, gv_weight(c), counted, g->ncpu, m);
	for (size_t k = 0; k < 4; k++)
		m->dev[k] = g->dev[k];
}

void
governing_run(struct governing *g, int64_t now_ms)
{
	size_t out = 0, governed = 0;

	if (g->started_ms == 0)
		g->started_ms = now_ms;
	gv_contention(g, &g->cont, g->tick, NULL, 0);
	for (size_t i = 0; i < g->n; i++) {
		struct gv_ct *c = &g->ct[i];
		if (c->seen != g->tick) {        /* gone, or no longer a container */
			/* Its armed rules leave the journal with it. */
			if (g->st != NULL && journal_begin(g->st) == 0) {
				gv_journal_states(g, c, 1);
				if (journal_commit(g->st) < 0)
					journal_abort(g->st);
			}
			gov_forget(g->gov, c->key);
			act_forget(g->act, c->key);
			gv_ct_clear(c);
			continue;
		}
		if (out != i)
			g->ct[out] = *c;
		c = &g->ct[out++];
		for (int m = PM_NODE_CPU; m < PM__MAX; m++) {
			c->m.v[m] = g->node.v[m];
			c->m.limit[m] = g->node.limit[m];
		}
		c->m.sensors = g->node.sensors;
		c->m.nsensors = g->node.nsensors;
		gv_fill_relative(g, &g->cont, c, contention_wants_cpu(&c->m), &c->m);
		if (gv_needs_procs(g))
			gv_read_procs(g, c, now_ms);
		/* Matching changes only with the names or the policies. */
		if (c->match_stale) {
			c->governed = gv_governed(g, c);
			c->node_psi = c->governed ? gv_node_psi(g, c) : 0;
			c->match_stale = 0;
		}
		governed += c->governed != 0;
		gv_arm(g, c);
		gv_decide(g, c, &c->cur, c->cur_full, &c->m, now_ms);
	}
	g->n = out;
	memroom_sweep(g->mr, g->tick + 1);
	g->tick++;
	/* Every decision of the tick: one durable journal commit, then the
	 * writes. Then what a crashed cgovd left that no tenant claimed. */
	act_flush(g->act, now_ms);
	if (!g->settled && g->reconciled) {
		act_settle(g->act, now_ms);
		g->settled = 1;
	}
	gv_journal_events(g);
	gv_resync_states(g);
	gv_heartbeat(g, now_ms, governed, STORE_NULL);
}

void
governing_exit(struct governing *g, int64_t now_ms)
{
	int r = act_restore_all(g->act, now_ms, g->exit_restore_all);

	if (r > 0)
		log_info("exit: %d knob%s restored", r, r == 1 ? "" : "s");
	if (g->st != NULL)
		journal_rule_state_clear(g->st);
	gv_heartbeat(g, now_ms, 0, now_ms);
}

struct gv_rules_arg {
	const struct gv_ct *c;
	governing_rule_fn fn;
	void *arg;
};

static void
gv_rules_one(void *arg, const struct policy *p, const struct pol_rule *r, enum gov_state st,
    int rung, int64_t since_ms)
{
	struct gv_rules_arg *x = arg;

	(void)since_ms;
	x->fn(x->arg, x->c->path, x->c->name, x->c->runtime, p, r, st, rung);
}

void
governing_rules_foreach(const struct governing *g, governing_rule_fn fn, void *arg)
{
	for (size_t i = 0; i < g->n; i++) {
		struct gv_rules_arg x = { .c = &g->ct[i], .fn = fn, .arg = arg };

		if (g->ct[i].governed)
			gov_rules_foreach(g->gov, g->ct[i].key, gv_rules_one, &x);
	}
}

uint64_t
governing_actions(const struct governing *g, enum journal_kind kind, enum pol_knob knob)
{
	return act_count(g->act, kind, knob);
}
