/* act.c: the actuator: journal first, then write; restore, drift, rate limits.
 *
 * Each act_sync() of a container runs in four steps: decide (compare the
 * wanted values with what the knobs hold, apply the safety rules and the
 * rate limits), journal the decisions in one durable step, carry them out,
 * and journal the outcome of what can only be known afterwards (restores
 * done, writes that failed). Restores are journaled after their write on
 * purpose: until a restore has really happened, the original stays in
 * knob_orig, so a crash in between restores it once more on restart.
 */
#include "config.h"

#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "act.h"
#include "cgparse.h"
#include "escape.h"
#include "hook.h"
#include "journal.h"
#include "knob.h"
#include "log.h"
#include "oomadj.h"
#include "tenant.h"
#include "units.h"
#include "xmalloc.h"

#define ACT_CAP_DEFAULT    60
#define ACT_CAP_WINDOW_MS  60000
#define ACT_MAX_DEVS       64       /* io wants without a device: disks at most */
#define ACT_DISKS_MS       60000    /* how long the list of disks is reused */
#define ACT_PEND_MAX       10000    /* decisions kept while the journal fails */

/* A knob of one container the actuator keeps track of: owned (changed by
 * cgov, not restored yet), or remembered after that for its cooldown, for a
 * row journaled once (refused, drift) or a kill already done. */
struct act_knob {
	enum pol_knob knob;
	dev_t dev;
	int owned;
	int journaled;          /* the original is durably in knob_orig */
	int is_static;          /* last set by a static limit (rule NULL) */
	int seen;               /* wanted in the sync under way */
	int released;           /* the admin set the original back while `last`
	                           was wanted: leave it alone while it still is */
	int64_t orig;           /* the value before cgov (owned only) */
	char orig_exact[KNOB_EXACT_LEN];   /* its kernel form where orig rounds
	                           it (a CPU quota, knob.h): what a restore
	                           writes back; "" when orig is exact */
	int64_t last;           /* what cgov wrote last (PK_KILL: 1 once killed);
	                           GOV_UNKNOWN after act_reconcile */
	int64_t cur;            /* read back in this sync; GOV_UNKNOWN unread */
	int64_t changed_ms;     /* last change by cgov; 0 never */
	int64_t refused;        /* wanted value refused and journaled; GOV_UNKNOWN */
	int64_t drifted;        /* value found behind cgov's back and journaled */
	int64_t seen_val;       /* last read by path while not owned; GOV_UNKNOWN */
	/* Who set it: copies, as the policy set's pointers die on reload. */
	char *policy, *rule;
	int rung;
	uint64_t cooldown_ms;
	enum pol_drift drift;
	int64_t action_id;      /* the journal row of the apply, 0 unknown */
	int nolimit_said;       /* v1 swap buffer: the "no memory limit" row is
	                           journaled (until a limit shows up) */
	int dropped;            /* wanted in the sync under way, but the want
	                           was dropped: nothing is written for it */
};

/* One decision of a sync. */
struct act_step {
	size_t k;                    /* index in the container's knobs */
	enum journal_kind kind;      /* apply, reassert, restore, kill, drift, refused */
	int64_t old, new;
	/* Applies and kills: a copy of the want, never a pointer into govern's
	 * wants, which the next container's gov_decide of the same batch
	 * reuses (and may move) before act_flush carries this step out. */
	struct gov_want want;
	int has_want;
	int first;                   /* an apply that takes the knob over */
	int release;                 /* a drift row that gives the knob up */
	int journaled;               /* the pre-write step committed */
	int err;                     /* -errno of the write, 0 */
	int64_t id;                  /* journal row of an apply */
	/* The kernel's exact form (knob.h) of the original: of `old` for an
	 * apply that takes the knob over (journaled with it), of `new` for a
	 * restore (written back); "" when the value is exact. */
	char exact[KNOB_EXACT_LEN];
	char why[192];
};

struct act_plan {
	struct act_step *v;
	size_t n, cap;
};

static void
act_step_want_set(struct act_step *s, const struct gov_want *w)
{
	s->want = *w;
	s->has_want = 1;
}

/* The want of an apply or a kill; NULL for every other step. */
static const struct gov_want *
act_step_want(const struct act_step *s)
{
	return s->has_want ? &s->want : NULL;
}

/* A tenant the actuator tracks: keyed by the tenant key (fleet_obs.key),
 * never by path or store id; orphans (a crashed cgovd's originals not yet
 * claimed by a tenant of the same identity) have key 0. */
struct act_ct {
	uint64_t key;
	int64_t cid;            /* the store's id for journal rows; <= 0 none */
	int registered;         /* cid taken in the journal transaction under way */
	struct tenant_id id;    /* whose knobs these are */
	char *path, *name;
	const char *runtime;    /* static string (discover.h) */
	int64_t synced_ms;      /* the last sync: when act_forget closes its rows */
	struct act_knob *k;
	size_t nk;
	struct act_plan plan;   /* decided, not yet carried out (act_flush) */
	int64_t retry_ms;       /* a change the last sync deferred (cooldown)
	                           can be made then; 0 none */
	/* The sync under way: its sample's knob values (act_sample_values),
	 * whether there is one, and whether its settings were read now. */
	int64_t sv[PK__MAX];
	int sv_ok, fresh;
	int queued;             /* in the batch */
};

/* What the caller wants, with io wants expanded to one per device. */
struct act_want {
	size_t k;
	int64_t value;
	const struct gov_want *w;
};

struct act {
	const struct cgfs *fs;
	struct store *st;
	int dry_run;
	uint64_t cap;                /* applies per window */
	int64_t cap_start_ms;        /* the window opened by the first apply in it */
	uint64_t cap_used;
	int cap_warned;              /* one refused row and warning per window */
	int journal_down;            /* warned that the journal cannot be written */
	uint64_t path_reads;         /* owned knobs read back by path */
	struct act_pend *pend;       /* decisions waiting for the journal */
	size_t npend;
	int pend_warned;
	struct act_ct **ct;          /* sorted by key */
	size_t nct;
	struct act_ct **orph;        /* reconciled, not yet claimed (key 0) */
	size_t norph;
	struct act_ct **batch;       /* planned since the last act_flush */
	size_t nbatch, batch_cap;
	/* Every disk, for io wants without a device: read from /sys once a
	 * minute, not on each sync of each container that has one. */
	dev_t disks[ACT_MAX_DEVS];
	size_t ndisks;
	int64_t disks_ms;            /* when read; 0 never */
	struct hook *hook;           /* on-action (borrowed); NULL */
	/* Steps carried out since start, by kind (a failed write counts as
	 * JK_FAILED, a vanished cgroup not at all) and knob: /metrics. */
	uint64_t counts[JK_OOM_KILL + 1][PK__MAX];
};

static void act_pend_done(struct act *a);

struct act *
act_new(const struct cgfs *fs, struct store *st, const struct act_config *cfg)
{
	struct act *a = xcalloc(1, sizeof *a);

	a->fs = fs;
	a->st = st;
	a->dry_run = cfg->dry_run;
	a->cap = cfg->max_actions_per_min != 0 ? cfg->max_actions_per_min : ACT_CAP_DEFAULT;
	return a;
}

static void
act_ct_free(struct act_ct *c)
{
	for (size_t i = 0; i < c->nk; i++) {
		free(c->k[i].policy);
		free(c->k[i].rule);
	}
	free(c->k);
	free(c->plan.v);
	free(c->path);
	free(c->name);
	free(c);
}

void
act_free(struct act *a)
{
	if (a == NULL)
		return;
	for (size_t i = 0; i < a->nct; i++)
		act_ct_free(a->ct[i]);
	for (size_t i = 0; i < a->norph; i++)
		act_ct_free(a->orph[i]);
	act_pend_done(a);
	free(a->pend);
	free(a->ct);
	free(a->orph);
	free(a->batch);
	free(a);
}

void
act_set_store(struct act *a, struct store *st)
{
	a->st = st;
}

/* --- containers and knobs ----------------------------------------------- */

/* Binary search; *ret_pos gets the insertion point when not found. */
static struct act_ct *
act_ct_find(const struct act *a, uint64_t key, size_t *ret_pos)
{
	size_t lo = 0, hi = a->nct;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (a->ct[mid]->key == key)
			return a->ct[mid];
		if (a->ct[mid]->key < key)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (ret_pos != NULL)
		*ret_pos = lo;
	return NULL;
}

static void
act_str_set(char **dst, const char *s)
{
	if (s == NULL || *dst == NULL || strcmp(*dst, s) != 0) {
		free(*dst);
		*dst = s != NULL ? xstrdup(s) : NULL;
	}
}

static void
act_ct_insert(struct act *a, struct act_ct *c)
{
	size_t pos = a->nct;

	/* Keys are never reused: a key already here would be a bug. */
	if (act_ct_find(a, c->key, &pos) != NULL)
		fatalx("act: tenant key %llu twice", (unsigned long long)c->key);
	a->ct = xreallocarray(a->ct, a->nct + 1, sizeof *a->ct);
	memmove(a->ct + pos + 1, a->ct + pos, (a->nct - pos) * sizeof *a->ct);
	a->ct[pos] = c;
	a->nct++;
}

/* The orphan a crashed cgovd left for this tenant: same path, same
 * identity. Taken out of the orphans; NULL when there is none. */
static struct act_ct *
act_orphan_claim(struct act *a, const struct act_tenant *t)
{
	for (size_t i = 0; i < a->norph; i++) {
		struct act_ct *c = a->orph[i];

		if (c->path == NULL || strcmp(c->path, t->path) != 0 ||
		    !tenant_id_same(&c->id, t->id))
			continue;
		memmove(a->orph + i, a->orph + i + 1, (a->norph - i - 1) * sizeof *a->orph);
		a->norph--;
		/* Rows of unknown identity (an older journal) become this
		 * tenant's from now on. */
		c->id = *t->id;
		return c;
	}
	return NULL;
}

/* The container of tenant t, or the orphan a crashed cgovd left for it
 * (claimed now); NULL when there is neither. */
static struct act_ct *
act_ct_lookup(struct act *a, const struct act_tenant *t)
{
	struct act_ct *c = act_ct_find(a, t->key, NULL);

	if (c == NULL && a->norph > 0 && (c = act_orphan_claim(a, t)) != NULL) {
		c->key = t->key;
		act_ct_insert(a, c);
	}
	return c;
}

static struct act_ct *
act_ct_get(struct act *a, const struct act_tenant *t)
{
	struct act_ct *c = act_ct_find(a, t->key, NULL);

	if (c == NULL) {
		if ((c = act_orphan_claim(a, t)) == NULL) {
			c = xcalloc(1, sizeof *c);
			c->id = *t->id;
		}
		c->key = t->key;
		act_ct_insert(a, c);
	}
	/* The store's id may come late (history came back): an attribute,
	 * used for the journal rows from now on. */
	if (t->cid > 0)
		c->cid = t->cid;
	c->runtime = t->runtime;
	act_str_set(&c->path, t->path);
	act_str_set(&c->name, t->name);
	return c;
}

static void
act_ct_remove(struct act *a, struct act_ct *c)
{
	size_t pos;

	for (pos = 0; pos < a->nct && a->ct[pos] != c; pos++)
		;
	if (pos < a->nct) {
		memmove(a->ct + pos, a->ct + pos + 1, (a->nct - pos - 1) * sizeof *a->ct);
		a->nct--;
	} else {
		for (pos = 0; pos < a->norph && a->orph[pos] != c; pos++)
			;
		if (pos < a->norph) {
			memmove(a->orph + pos, a->orph + pos + 1,
			    (a->norph - pos - 1) * sizeof *a->orph);
			a->norph--;
		}
	}
	act_ct_free(c);
}

static size_t
act_knob_get(struct act_ct *c, enum pol_knob knob, dev_t dev)
{
	struct act_knob *e;

	for (size_t i = 0; i < c->nk; i++)
		if (c->k[i].knob == knob && c->k[i].dev == dev)
			return i;
	c->k = xreallocarray(c->k, c->nk + 1, sizeof *c->k);
	e = &c->k[c->nk];
	memset(e, 0, sizeof *e);
	e->knob = knob;
	e->dev = dev;
	e->orig = e->last = e->cur = e->seen_val = GOV_UNKNOWN;
	e->refused = e->drifted = GOV_UNKNOWN;
	e->cooldown_ms = POL_DEFAULT_COOLDOWN_MS;
	e->drift = PD_LOG;
	e->rung = -1;
	return c->nk++;
}

static const char *
act_policy_name(const struct gov_want *w)
{
	return w->policy != NULL ? w->policy->name : NULL;
}

static const char *
act_rule_name(const struct gov_want *w)
{
	return w->rule != NULL ? w->rule->name : NULL;
}

/* Records who wants the knob now: its cooldown and on-drift follow. */
/* Whose step s is: its want's policy and rule for an apply or a kill, the
 * knob's owner for every other step. */
static const char *
act_step_policy(const struct act_step *s, const struct act_knob *e)
{
	return s->has_want ? act_policy_name(&s->want) : e->policy;
}

static const char *
act_step_rule(const struct act_step *s, const struct act_knob *e)
{
	return s->has_want ? act_rule_name(&s->want) : e->rule;
}

static void
act_knob_adopt(struct act_knob *e, const struct gov_want *w)
{
	act_str_set(&e->policy, act_policy_name(w));
	act_str_set(&e->rule, act_rule_name(w));
	e->rung = w->rule != NULL ? w->rung : -1;
	e->is_static = w->rule == NULL;
	e->cooldown_ms = w->policy != NULL ? w->policy->cooldown_ms : POL_DEFAULT_COOLDOWN_MS;
	e->drift = w->policy != NULL ? w->policy->drift : PD_REASSERT;
}

static int
act_knob_is_io(enum pol_knob k)
{
	return k >= PK_IO_RBPS && k <= PK_IO_WIOPS;
}

/* "cpu quota", "io write-limit 8:16". */
static void
act_knob_label(const struct act_knob *e, char *buf, size_t len)
{
	if (act_knob_is_io(e->knob))
		snprintf(buf, len, "%s %u:%u", pol_knob_name(e->knob), major(e->dev),
		    minor(e->dev));
	else
		snprintf(buf, len, "%s", pol_knob_name(e->knob));
}

/* --- reading -------------------------------------------------------------- */

/* Memory in use (memory.current, v1 memory.usage_in_bytes): the floor no
 * memory limit is lowered under. Returns 0 or -errno (gone included). */
static int
act_mem_usage(const struct act *a, const char *path, int64_t *ret)
{
	const char *file = a->fs->ctrl[CG_MEMORY].version == 2 ? "memory.current" :
	    "memory.usage_in_bytes";
	uint64_t v;
	int r;

	if ((r = cgfs_read_u64(a->fs, CG_MEMORY, path, file, &v)) < 0)
		return r == -EINVAL ? -EIO : r;
	if (v >= CG_UNLIMITED)
		return -EIO;
	*ret = (int64_t)v;
	return 0;
}

/* A memory limit lowered from old to value must stay at or above usage.
 * Returns 1 when the change may go ahead, 0 when it would go below usage
 * (or usage cannot be read: no guessing with the OOM killer), -errno when
 * the container is gone. why explains a refusal. */
static int
act_floor_ok(const struct act *a, const struct act_ct *c, enum pol_knob k, int64_t old,
    int64_t value, char *why, size_t len)
{
	char u[32], v[32];
	int64_t usage = 0;
	int r;

	if (k != PK_MEM_LIMIT || value >= old)
		return 1;
	if ((r = act_mem_usage(a, c->path, &usage)) < 0) {
		if (cgfs_gone(r))
			return r;
		snprintf(why, len, "memory usage unknown (%s): limit not lowered", strerror(-r));
		return 0;
	}
	if (value >= usage)
		return 1;
	knob_format(PK_MEM_LIMIT, usage, u, sizeof u);
	knob_format(PK_MEM_LIMIT, value, v, sizeof v);
	snprintf(why, len, "memory usage %s above the limit %s: never lowered below usage",
	    u, v);
	return 0;
}

static void act_sample_values(const struct cg_sample *s, int64_t v[PK__MAX]);

/* Reads every owned knob back (dry run: as if cgov's writes had happened).
 * With this tick's sample s (may be NULL), a knob the sampler reads and
 * whose sampled value is what cgov wrote costs no read: the path is read
 * only when the sample says the value moved (to tell drift exactly: a
 * sample's settings may be a limits interval old, sampler.h) or when the
 * sampler does not read that knob (io limits, freeze, the v1 soft limit).
 * Returns 0, or -ENOENT when the container is gone. */
static int
act_read_owned(struct act *a, struct act_ct *c, const struct cg_sample *s, int fresh)
{
	int64_t sv[PK__MAX];

	if (s != NULL)
		act_sample_values(s, sv);
	for (size_t i = 0; i < c->nk; i++) {
		struct act_knob *e = &c->k[i];
		int r;

		e->cur = GOV_UNKNOWN;
		if (!e->owned)
			continue;
		if (a->dry_run) {
			e->cur = e->last;
			continue;
		}
		if (s != NULL && e->knob < PK__MAX && !act_knob_is_io(e->knob) &&
		    e->last != GOV_UNKNOWN && sv[e->knob] == e->last) {
			e->cur = e->last;
			continue;
		}
		/* What the sample does not carry (io limits, freeze, the v1
		 * soft limit) is read back on the sampler's cadence for
		 * settings: a change behind cgov's back shows within one
		 * limits-interval, as a changed limit does. */
		if (s != NULL && !fresh && e->last != GOV_UNKNOWN &&
		    (act_knob_is_io(e->knob) || sv[e->knob] == GOV_UNKNOWN)) {
			e->cur = e->last;
			continue;
		}
		a->path_reads++;
		if ((r = knob_read(a->fs, c->path, e->knob, e->dev, &e->cur)) < 0) {
			if (cgfs_gone(r))
				return -ENOENT;
			log_debug("%s: cannot read %s back: %s", escape_log(0, c->path),
			    pol_knob_name(e->knob), strerror(-r));
			e->cur = GOV_UNKNOWN;
			continue;
		}
		if (e->last == GOV_UNKNOWN)     /* reconciled: cgov's value is what is there */
			e->last = e->cur;
	}
	return 0;
}

/* --- deciding ------------------------------------------------------------- */

static struct act_step *
act_plan_add(struct act_plan *p, size_t k, enum journal_kind kind, int64_t old, int64_t new)
{
	struct act_step *s;

	if (p->n == p->cap) {
		p->cap = p->cap ? p->cap * 2 : 8;
		p->v = xreallocarray(p->v, p->cap, sizeof *p->v);
	}
	s = &p->v[p->n++];
	memset(s, 0, sizeof *s);
	s->k = k;
	s->kind = kind;
	s->old = old;
	s->new = new;
	return s;
}

static int
act_plan_has(const struct act_plan *p, size_t k)
{
	for (size_t i = 0; i < p->n; i++)
		if (p->v[i].k == k)
			return 1;
	return 0;
}

/* The node-wide cap: a window of a minute opened by its first apply. One
 * refused row and one warning per window that overflows, not per tick: the
 * deferred decisions are retried on each sync and go through once the next
 * window opens. Returns 1 when an apply may go ahead. */
static int
act_cap_take(struct act *a, struct act_plan *p, size_t k, int64_t now_ms)
{
	struct act_step *s;

	if (a->cap_start_ms == 0 || now_ms - a->cap_start_ms >= ACT_CAP_WINDOW_MS) {
		a->cap_start_ms = now_ms;
		a->cap_used = 0;
		a->cap_warned = 0;
	}
	if (a->cap_used < a->cap) {
		a->cap_used++;
		return 1;
	}
	if (!a->cap_warned) {
		a->cap_warned = 1;
		log_warnx("rate cap: %llu knob changes in the last minute; further changes "
		    "are deferred", (unsigned long long)a->cap);
		s = act_plan_add(p, k, JK_REFUSED, STORE_NULL, STORE_NULL);
		snprintf(s->why, sizeof s->why, "rate cap of %llu changes per minute reached: "
		    "changes deferred", (unsigned long long)a->cap);
	}
	return 0;
}

/* A change deferred by a cooldown can be made at `when`. */
static void
act_retry_at(struct act_ct *c, int64_t when)
{
	if (c->retry_ms == 0 || when < c->retry_ms)
		c->retry_ms = when;
}

static int
act_cooling(const struct act_knob *e, uint64_t cooldown_ms, int64_t now_ms)
{
	return e->changed_ms != 0 && now_ms - e->changed_ms < (int64_t)cooldown_ms;
}

static int
act_same_origin(const struct act_knob *e, const struct gov_want *w)
{
	const char *p = act_policy_name(w), *r = act_rule_name(w);

	return (p == NULL ? e->policy == NULL : e->policy != NULL && strcmp(p, e->policy) == 0) &&
	    (r == NULL ? e->rule == NULL : e->rule != NULL && strcmp(r, e->rule) == 0);
}

/* The kill rung: once per firing of a rule (the want stays while the rung
 * is in force; the entry is dropped once it is no longer wanted). */
static void
act_plan_kill(struct act *a, struct act_ct *c, const struct act_want *x, int64_t now_ms,
    struct act_plan *p)
{
	struct act_knob *e = &c->k[x->k];
	struct act_step *s;

	if (e->last == 1 && act_same_origin(e, x->w))
		return;
	/* Opt-in: never without the policy's `allow kill`, whatever asks. */
	if (x->w->policy == NULL || !x->w->policy->allow_kill) {
		if (e->refused != 1) {
			e->refused = 1;
			s = act_plan_add(p, x->k, JK_REFUSED, STORE_NULL, STORE_NULL);
			act_step_want_set(s, x->w);
			snprintf(s->why, sizeof s->why, "kill refused: the policy does not say "
			    "\"allow kill\"");
			log_err("%s (%s): kill refused: the policy does not allow it",
			    escape_log(0, c->name), escape_log(1, c->path));
		}
		return;
	}
	if (!act_cap_take(a, p, x->k, now_ms))
		return;
	s = act_plan_add(p, x->k, JK_KILL, STORE_NULL, STORE_NULL);
	act_step_want_set(s, x->w);
	snprintf(s->why, sizeof s->why, "%s", x->w->why);
}

/* Does a knob cgov does not own already hold the wanted value, as far as
 * this sync's sample tells (no read)? A sampled value answers for the knobs
 * the sampler reads; for the others (io limits) the value last read by
 * path answers until the sample's settings are read afresh. Only "yes"
 * saves the read: a change is always decided on a value read by path, the
 * one journaled as the original. */
static int
act_want_holds(const struct act_ct *c, const struct act_knob *e, int64_t value)
{
	if (!c->sv_ok || e->knob >= PK__MAX)
		return 0;
	if (!act_knob_is_io(e->knob) && c->sv[e->knob] != GOV_UNKNOWN)
		return c->sv[e->knob] == value;
	return !c->fresh && e->seen_val != GOV_UNKNOWN && e->seen_val == value;
}

/* One wanted value. Returns 0, or -ENOENT when the container is gone. */
static int
act_plan_want(struct act *a, struct act_ct *c, const struct act_want *x, int64_t now_ms,
    struct act_plan *p)
{
	struct act_knob *e = &c->k[x->k];
	uint64_t cooldown = x->w->policy != NULL ? x->w->policy->cooldown_ms :
	    POL_DEFAULT_COOLDOWN_MS;
	struct act_step *s;
	char why[192], exact[KNOB_EXACT_LEN] = "";
	int64_t cur;
	int r;

	if (e->knob == PK_KILL) {
		act_plan_kill(a, c, x, now_ms, p);
		return 0;
	}
	if (e->released) {
		if (x->value == e->last)
			return 0;
		e->released = 0;
	}
	if (e->owned && x->value == e->last) {
		act_knob_adopt(e, x->w);
		return 0;               /* held: act_plan_drift reads it back */
	}
	if (!e->owned && act_want_holds(c, e, x->value)) {
		e->refused = GOV_UNKNOWN;
		return 0;               /* no read: the sample says it is so */
	}
	/* Read by path: the kernel's exact form of the value comes with it,
	 * the original a restore writes back if cgov takes the knob over. */
	if (e->owned)
		cur = e->cur;
	else if ((r = knob_read_exact(a->fs, c->path, e->knob, e->dev, &cur, exact,
	    sizeof exact)) < 0) {
		if (cgfs_gone(r))
			return -ENOENT;
		log_debug("%s: cannot read %s: %s", escape_log(0, c->path),
		    pol_knob_name(e->knob), strerror(-r));
		return 0;
	} else {
		a->path_reads++;
		e->seen_val = cur;
	}
	if (cur == GOV_UNKNOWN)
		return 0;
	if (cur == x->value) {
		e->refused = GOV_UNKNOWN;
		return 0;
	}
	if (act_cooling(e, cooldown, now_ms)) {
		act_retry_at(c, e->changed_ms + (int64_t)cooldown);
		return 0;
	}
	if ((r = act_floor_ok(a, c, e->knob, cur, x->value, why, sizeof why)) <= 0) {
		if (r < 0)
			return r;
		if (e->refused != x->value) {
			log_info("%s (%s): %s refused: %s", escape_log(0, c->name),
			    escape_log(1, c->path), pol_knob_name(e->knob), why);
			e->refused = x->value;
			s = act_plan_add(p, x->k, JK_REFUSED, cur, x->value);
			act_step_want_set(s, x->w);
			snprintf(s->why, sizeof s->why, "%s", why);
		}
		return 0;
	}
	if (!act_cap_take(a, p, x->k, now_ms))
		return 0;
	s = act_plan_add(p, x->k, JK_APPLY, cur, x->value);
	act_step_want_set(s, x->w);
	s->first = !e->owned;
	if (s->first && e->knob != PK_FREEZE)   /* a freeze always ends thawed */
		snprintf(s->exact, sizeof s->exact, "%s", exact);
	snprintf(s->why, sizeof s->why, "%s", x->w->why);
	return 0;
}

/* oom-score-adj is per task: the knob's value read back is the oldest
 * task's, so the others are checked here, on every sync while cgov owns
 * the knob (tasks forked since inherit cgov's value; a task moved in, or
 * one whose owner wrote its own value, does not). The first stray value
 * found becomes e->cur: the drift rules below re-assert it or journal it.
 * Returns 0 or -ENOENT (gone). */
static int
act_oomadj_strays(struct act *a, struct act_ct *c, struct act_knob *e)
{
	int64_t other = GOV_UNKNOWN;
	int r;

	a->path_reads++;
	if ((r = oomadj_strays(a->fs, c->path, e->last, &other)) < 0)
		return cgfs_gone(r) ? -ENOENT : 0;
	if (r > 0)
		e->cur = other;
	return 0;
}

/* An owned knob still wanted, not changed in this sync: was it changed
 * behind cgov's back? Returns 0 or -ENOENT (gone). */
static int
act_plan_drift(struct act *a, struct act_ct *c, size_t k, int64_t now_ms, struct act_plan *p)
{
	struct act_knob *e = &c->k[k];
	char found[32], why[192];
	struct act_step *s;
	int r;

	if (e->knob == PK_OOM_ADJ && e->cur != GOV_UNKNOWN && e->cur == e->last &&
	    (r = act_oomadj_strays(a, c, e)) < 0)
		return r;
	if (e->cur == GOV_UNKNOWN || e->cur == e->last) {
		e->drifted = GOV_UNKNOWN;
		return 0;
	}
	knob_format(e->knob, e->cur, found, sizeof found);
	/* A tenant may write its own tasks' oom_score_adj back to what it
	 * was: that is not the administrator taking the knob back. */
	if (e->cur == e->orig && e->knob != PK_OOM_ADJ) {
		s = act_plan_add(p, k, JK_DRIFT, e->last, e->cur);
		s->release = 1;
		snprintf(s->why, sizeof s->why, "set back to its original %s behind cgov's back: "
		    "released", found);
		return 0;
	}
	/* A JVM must never be left without swap: the buffer is re-asserted
	 * whatever the policy's on-drift says. */
	if (e->drift == PD_REASSERT || e->knob == PK_SWAP_BUFFER) {
		if (act_cooling(e, e->cooldown_ms, now_ms)) {
			act_retry_at(c, e->changed_ms + (int64_t)e->cooldown_ms);
			/* Seen now, said now; put back when the cooldown ends. */
			if (e->drifted != e->cur) {
				s = act_plan_add(p, k, JK_DRIFT, e->last, e->cur);
				snprintf(s->why, sizeof s->why, "changed to %s behind cgov's "
				    "back: reasserted when the knob's cooldown ends", found);
			}
			return 0;
		}
		if ((r = act_floor_ok(a, c, e->knob, e->cur, e->last, why, sizeof why)) <= 0)
			return r;
		if (!act_cap_take(a, p, k, now_ms))
			return 0;
		s = act_plan_add(p, k, JK_REASSERT, e->cur, e->last);
		snprintf(s->why, sizeof s->why, "changed to %s behind cgov's back: reasserted",
		    found);
		return 0;
	}
	if (e->drifted != e->cur) {
		s = act_plan_add(p, k, JK_DRIFT, e->last, e->cur);
		snprintf(s->why, sizeof s->why, "changed to %s behind cgov's back (on-drift log)",
		    found);
	}
	return 0;
}

/* An owned knob no longer wanted goes back to its original, unless that
 * would lower a memory limit below usage (it waits, and is retried on each
 * sync). force skips the cooldown (cgovd is exiting). Returns 0 or -ENOENT. */
static int
act_plan_restore(struct act *a, struct act_ct *c, size_t k, int64_t now_ms, int force,
    const char *why, struct act_plan *p)
{
	struct act_knob *e = &c->k[k];
	char floor[192];
	struct act_step *s;
	int r;

	if (e->cur == GOV_UNKNOWN)
		return 0;
	if (!force && act_cooling(e, e->cooldown_ms, now_ms)) {
		act_retry_at(c, e->changed_ms + (int64_t)e->cooldown_ms);
		return 0;
	}
	if ((r = act_floor_ok(a, c, e->knob, e->cur, e->orig, floor, sizeof floor)) <= 0) {
		if (r == 0)
			log_debug("%s: restore of %s waits: %s", escape_log(0, c->path),
			    pol_knob_name(e->knob), floor);
		return r;
	}
	s = act_plan_add(p, k, JK_RESTORE, e->cur, e->orig);
	snprintf(s->exact, sizeof s->exact, "%s", e->orig_exact);
	snprintf(s->why, sizeof s->why, "%s", why);
	return 0;
}

/* --- journaling ----------------------------------------------------------- */

/* A container is journaled when there is a store; one it does not know
 * yet (cid <= 0: found since the last history tick) is registered in the
 * journal's own transaction (act_journal_batch), so its first decision is
 * durable before its first write, whatever history does. */
static int
act_journal_ok(const struct act *a, const struct act_ct *c)
{
	return a->st != NULL && (c->cid > 0 || c->path != NULL);
}

static void
act_journal_result(struct act *a, int r)
{
	if (r < 0 && !a->journal_down) {
		a->journal_down = 1;
		log_warnx("journal: cannot record actions (%s): governing goes on, originals "
		    "are kept in memory and journaled later", strerror(-r));
	} else if (r == 0 && a->journal_down) {
		a->journal_down = 0;
		log_info("journal: recording actions again");
	}
}

/* The journal row of step s (strings borrowed from s and the knob). */
static struct journal_action
act_row_of(const struct act *a, const struct act_ct *c, const struct act_step *s,
    enum journal_kind kind, int error, int64_t now_ms)
{
	const struct act_knob *e = &c->k[s->k];

	return (struct journal_action){
		.ts_ms = now_ms, .cid = c->cid, .ino = c->id.ino, .kind = kind,
		.policy = (char *)act_step_policy(s, e), .rule = (char *)act_step_rule(s, e),
		.rung = s->has_want ? (s->want.rule != NULL ? s->want.rung : -1) : e->rung,
		.knob = (int)e->knob, .dev = (int64_t)e->dev,
		.old_value = s->old, .new_value = s->new,
		.observed = (char *)s->why, .dry_run = a->dry_run, .error = error,
		.restored_ms = STORE_NULL,
	};
}

static int
act_row(struct act *a, const struct act_ct *c, const struct act_step *s, enum journal_kind kind,
    int error, int64_t now_ms, int64_t *ret_id)
{
	struct journal_action j = act_row_of(a, c, s, kind, error, now_ms);

	return journal_action_add(a->st, &j, ret_id);
}

/* A decision the journal could not take when it was made (the database
 * locked or full) waits here, with copies of its strings, and is written
 * first in the next journal transaction that goes through: the journal
 * says why every knob changed, late rather than never. */
struct act_pend {
	struct journal_action j;
	char *path, *name;
	const char *runtime;
};

static void
act_pend_clear(struct act_pend *p)
{
	free(p->j.policy);
	free(p->j.rule);
	free(p->j.observed);
	free(p->path);
	free(p->name);
}

static void
act_pend_add(struct act *a, const struct act_ct *c, const struct journal_action *j)
{
	struct act_pend *p;

	if (a->npend == ACT_PEND_MAX) {
		if (!a->pend_warned)
			log_warnx("journal: %d decisions wait for the journal: the oldest are "
			    "dropped", ACT_PEND_MAX);
		a->pend_warned = 1;
		act_pend_clear(&a->pend[0]);
		memmove(a->pend, a->pend + 1, (a->npend - 1) * sizeof *a->pend);
		a->npend--;
	}
	a->pend = xreallocarray(a->pend, a->npend + 1, sizeof *a->pend);
	p = &a->pend[a->npend++];
	p->j = *j;
	p->j.policy = j->policy != NULL ? xstrdup(j->policy) : NULL;
	p->j.rule = j->rule != NULL ? xstrdup(j->rule) : NULL;
	p->j.observed = j->observed != NULL ? xstrdup(j->observed) : NULL;
	p->path = c->path != NULL ? xstrdup(c->path) : NULL;
	p->name = c->name != NULL ? xstrdup(c->name) : NULL;
	p->runtime = c->runtime;
}

/* Writes the waiting rows inside the transaction under way. */
static int
act_pend_write(struct act *a)
{
	int r = 0;

	for (size_t i = 0; i < a->npend && r == 0; i++) {
		struct act_pend *p = &a->pend[i];

		if (p->j.cid <= 0 && p->path != NULL)
			r = store_container_upsert(a->st, p->path, p->name, p->runtime,
			    p->j.ts_ms, &p->j.cid);
		if (r == 0 && p->j.cid > 0)
			r = journal_action_add(a->st, &p->j, NULL);
	}
	return r;
}

static void
act_pend_done(struct act *a)
{
	for (size_t i = 0; i < a->npend; i++)
		act_pend_clear(&a->pend[i]);
	a->npend = 0;
	a->pend_warned = 0;
}

static int64_t
act_orig_of(enum pol_knob k, int64_t cur)
{
	return k == PK_FREEZE ? 0 : cur;     /* a freeze always ends thawed */
}

/* The rows container c needs before its writes: the originals of the knobs
 * taken over (and those a failing journal could not record before) and
 * every decision but restores. */
static size_t
act_pre_rows(const struct act *a, const struct act_ct *c)
{
	size_t rows = 0;

	if (!act_journal_ok(a, c))
		return 0;
	for (size_t i = 0; i < c->plan.n; i++)
		rows += c->plan.v[i].kind != JK_RESTORE;
	for (size_t i = 0; i < c->nk; i++)
		rows += c->k[i].owned && !c->k[i].journaled && !a->dry_run;
	return rows;
}

/* Writes them, inside the batch's transaction. Returns 0 or -errno. */
static int
act_pre_write(struct act *a, struct act_ct *c, int64_t now_ms)
{
	struct act_plan *p = &c->plan;
	int r = 0;

	for (size_t i = 0; i < c->nk && r == 0; i++) {
		struct act_knob *e = &c->k[i];

		if (e->owned && !e->journaled && !a->dry_run)
			r = journal_orig_put_exact(a->st, c->cid, &c->id, (int)e->knob,
			    (int64_t)e->dev, e->orig, e->orig_exact, e->changed_ms);
	}
	for (size_t i = 0; i < p->n && r == 0; i++) {
		struct act_step *s = &p->v[i];
		struct act_knob *e = &c->k[s->k];

		if (s->kind == JK_RESTORE)
			continue;
		if (s->first && !a->dry_run)
			r = journal_orig_put_exact(a->st, c->cid, &c->id, (int)e->knob,
			    (int64_t)e->dev, act_orig_of(e->knob, s->old), s->exact, now_ms);
		if (r == 0)
			r = act_row(a, c, s, s->kind, 0, now_ms, &s->id);
		if (r == 0 && s->release)
			r = journal_action_restored(a->st, c->cid, &c->id, (int)e->knob,
			    (int64_t)e->dev, now_ms, a->dry_run);
		if (r == 0 && s->release && e->journaled)
			r = journal_orig_del(a->st, c->cid, &c->id, (int)e->knob, (int64_t)e->dev);
	}
	return r;
}

static void
act_pre_done(struct act *a, struct act_ct *c)
{
	if (!act_journal_ok(a, c))
		return;
	for (size_t i = 0; i < c->nk; i++)
		if (c->k[i].owned && !a->dry_run)
			c->k[i].journaled = 1;
	for (size_t i = 0; i < c->plan.n; i++)
		c->plan.v[i].journaled = 1;
}

/* A kill done whose row was written: its count of tasks goes into it. */
static int
act_kill_counted(const struct act *a, const struct act_step *s)
{
	return s->kind == JK_KILL && s->err == 0 && s->id != 0 && !a->dry_run &&
	    s->new != STORE_NULL;
}

/* After the writes: restores done (the original leaves knob_orig only now),
 * the count of a kill and writes that failed. A failed write of a knob cgov
 * did not own leaves it unowned: its original and its apply row are closed. */
static size_t
act_post_rows(const struct act *a, const struct act_ct *c)
{
	size_t rows = 0;

	if (!act_journal_ok(a, c))
		return 0;
	for (size_t i = 0; i < c->plan.n; i++) {
		const struct act_step *s = &c->plan.v[i];

		rows += (s->kind == JK_RESTORE && s->err == 0) ||
		    (s->err != 0 && !cgfs_gone(s->err)) || act_kill_counted(a, s);
	}
	return rows;
}

static int
act_post_write(struct act *a, struct act_ct *c, int64_t now_ms)
{
	struct act_plan *p = &c->plan;
	int r = 0;

	for (size_t i = 0; i < p->n && r == 0; i++) {
		struct act_step *s = &p->v[i];
		struct act_knob *e = &c->k[s->k];
		int close_row = (s->kind == JK_RESTORE && s->err == 0) || (s->first && s->err != 0);

		if (s->err != 0 && cgfs_gone(s->err))
			continue;
		if (s->err != 0)
			r = act_row(a, c, s, JK_FAILED, -s->err, now_ms, NULL);
		else if (act_kill_counted(a, s))
			r = journal_action_killed(a->st, s->id, s->new);
		else if (s->kind == JK_RESTORE)
			r = act_row(a, c, s, JK_RESTORE, 0, now_ms, NULL);
		if (r == 0 && close_row)
			r = journal_action_restored(a->st, c->cid, &c->id, (int)e->knob,
			    (int64_t)e->dev, now_ms, a->dry_run);
		if (r == 0 && close_row && !a->dry_run)
			r = journal_orig_del(a->st, c->cid, &c->id, (int)e->knob, (int64_t)e->dev);
	}
	return r;
}

/* The decisions of a batch whose journal failed, kept for later. */
static void
act_pend_batch(struct act *a, struct act_ct **v, size_t n, int64_t now_ms)
{
	for (size_t i = 0; i < n; i++) {
		const struct act_ct *c = v[i];

		if (a->st == NULL)
			continue;
		for (size_t k = 0; k < c->plan.n; k++) {
			const struct act_step *s = &c->plan.v[k];
			struct journal_action j;

			if (s->kind == JK_RESTORE)
				continue;
			j = act_row_of(a, c, s, s->kind, 0, now_ms);
			act_pend_add(a, c, &j);
		}
	}
}

/* One transaction, committed durably, for the rows of every container of
 * the batch v[0..n): `pre` the decisions before the writes, else the
 * outcomes after them. Returns 0, or -errno (nothing recorded: logged once
 * by act_journal_result). */
static int
act_journal_batch(struct act *a, struct act_ct **v, size_t n, int pre, int64_t now_ms)
{
	size_t rows = 0;
	int r;

	for (size_t i = 0; i < n; i++)
		rows += pre ? act_pre_rows(a, v[i]) : act_post_rows(a, v[i]);
	if (rows == 0 && (a->npend == 0 || a->st == NULL))
		return 0;
	if ((r = journal_begin(a->st)) == 0) {
		r = act_pend_write(a);
		for (size_t i = 0; i < n && r == 0; i++) {
			struct act_ct *c = v[i];

			if (!act_journal_ok(a, c) ||
			    (pre ? act_pre_rows(a, c) : act_post_rows(a, c)) == 0)
				continue;
			if (c->cid <= 0) {
				r = store_container_upsert(a->st, c->path, c->name, c->runtime,
				    now_ms, &c->cid);
				c->registered = r == 0;
				if (r < 0)
					break;
			}
			r = pre ? act_pre_write(a, c, now_ms) : act_post_write(a, c, now_ms);
		}
		if (r == 0)
			r = journal_commit(a->st);
		else
			journal_abort(a->st);
	}
	/* A registration rolled back is no id. */
	for (size_t i = 0; i < n; i++) {
		if (r < 0 && v[i]->registered)
			v[i]->cid = 0;
		v[i]->registered = 0;
	}
	if (r == 0)
		act_pend_done(a);
	else if (pre)
		act_pend_batch(a, v, n, now_ms);
	act_journal_result(a, r);
	return r;
}

/* --- carrying out ---------------------------------------------------------- */

static void
act_log_step(const struct act *a, const struct act_ct *c, const struct act_step *s)
{
	const struct act_knob *e = &c->k[s->k];
	const char *policy = act_step_policy(s, e), *rule = act_step_rule(s, e);
	char label[64], old[32], new[32];

	act_knob_label(e, label, sizeof label);
	knob_format(e->knob, s->old, old, sizeof old);
	knob_format(e->knob, s->new, new, sizeof new);
	log_info("%s%s (%s): %s %s %s -> %s, policy %s %s%s: %s", a->dry_run ? "dry run: " : "",
	    escape_log(0, c->name), escape_log(1, c->path), journal_kind_name(s->kind), label,
	    old, new, policy != NULL ? escape_log(2, policy) : "-",
	    rule != NULL ? "rule " : "", rule != NULL ? escape_log(3, rule) : "static limit",
	    s->why);
}

static void
act_log_failure(const struct act_ct *c, const struct act_step *s)
{
	char label[64];

	act_knob_label(&c->k[s->k], label, sizeof label);
	if (cgfs_gone(s->err))
		log_debug("%s: gone while writing %s", escape_log(0, c->path), label);
	else
		log_warnx("%s (%s): cannot %s %s: %s", escape_log(0, c->name),
		    escape_log(1, c->path), journal_kind_name(s->kind), label, strerror(-s->err));
}

void
act_set_hook(struct act *a, struct hook *h)
{
	a->hook = h;
}

/* The on-action hook of a step carried out (its write succeeded). */
static void
act_fire_hook(const struct act *a, const struct act_ct *c, const struct act_step *s,
    int64_t now_ms)
{
	const struct act_knob *e = &c->k[s->k];
	struct hook_event ev = {
		.event = journal_kind_name(s->kind), .container = c->name, .cgroup = c->path,
		.runtime = c->runtime,
		.policy = act_step_policy(s, e), .rule = act_step_rule(s, e),
		.knob = (int)e->knob, .dev = e->dev, .old_value = s->old, .new_value = s->new,
		.why = s->why, .dry_run = a->dry_run,
		/* The journal's clock is the governor's; the hook gets the wall. */
		.ts_ms = units_now_ms(),
	};

	(void)now_ms;
	if (a->hook == NULL)
		return;
	if (s->kind == JK_KILL)
		ev.old_value = ev.new_value = -1;
	hook_fire(a->hook, &ev);
}

/* Kill is the last rung, opt-in, and loud: an error line whatever the
 * log level, dry run included. */
static void
act_kill(struct act *a, struct act_ct *c, struct act_step *s, int64_t now_ms)
{
	struct act_knob *e = &c->k[s->k];
	const char *policy, *rule;
	int r = a->dry_run ? 0 : knob_kill(a->fs, c->path);

	act_knob_adopt(e, act_step_want(s));
	e->last = 1;
	e->changed_ms = now_ms;
	if (r < 0) {
		s->err = r;
		act_log_failure(c, s);
		return;
	}
	/* The count goes into the kill row once the kill is done. */
	if (!a->dry_run)
		s->new = r;
	policy = escape_log(2, e->policy != NULL ? e->policy : "-");
	rule = escape_log(3, e->rule != NULL ? e->rule : "-");
	if (a->dry_run)
		log_err("dry run: KILL %s (%s) would be killed, policy %s rule %s: %s",
		    escape_log(0, c->name), escape_log(1, c->path), policy, rule, s->why);
	else
		log_err("KILL %s (%s): %d task%s killed, policy %s rule %s: %s",
		    escape_log(0, c->name), escape_log(1, c->path), r, r == 1 ? "" : "s",
		    policy, rule, s->why);
	act_fire_hook(a, c, s, now_ms);
}

/* Carries one step out and updates the knob's state. Returns 1 when a
 * knob was written (or would be, in dry run). */
static int
act_do(struct act *a, struct act_ct *c, struct act_step *s, int64_t now_ms)
{
	struct act_knob *e = &c->k[s->k];
	int r = 0;

	switch (s->kind) {
	case JK_KILL:
		act_kill(a, c, s, now_ms);
		return s->err == 0;
	case JK_REFUSED:         /* logged when decided */
		return 0;
	case JK_DRIFT:
		act_log_step(a, c, s);
		if (s->release) {
			e->owned = 0;
			e->released = 1;
			e->journaled = 0;
		} else
			e->drifted = s->new;
		return 0;
	default:
		break;
	}
	/* An original goes back only into the cgroup it was saved from: a
	 * tenant re-created at the path since has limits of its own. */
	if (!a->dry_run && s->kind == JK_RESTORE && tenant_id_check(a->fs, c->path, &c->id) == 0)
		r = -ENOENT;
	else if (!a->dry_run)
		r = knob_write_exact(a->fs, c->path, e->knob, e->dev, s->new,
		    s->kind == JK_RESTORE ? s->exact : NULL);
	e->changed_ms = now_ms;
	if (r < 0) {
		s->err = r;
		act_log_failure(c, s);
		return 0;
	}
	act_log_step(a, c, s);
	act_fire_hook(a, c, s, now_ms);
	if (s->kind == JK_RESTORE) {
		e->owned = 0;
		e->journaled = 0;
		return 1;
	}
	if (s->first) {
		e->owned = 1;
		e->orig = act_orig_of(e->knob, s->old);
		snprintf(e->orig_exact, sizeof e->orig_exact, "%s", s->exact);
		e->journaled = s->journaled && !a->dry_run;
	}
	if (act_step_want(s) != NULL)
		act_knob_adopt(e, act_step_want(s));
	if (s->id != 0)
		e->action_id = s->id;
	e->last = s->new;
	e->refused = e->drifted = GOV_UNKNOWN;
	return 1;
}

/* Does step s write its knob (rather than journal a finding)? */
static int
act_step_writes(const struct act_step *s)
{
	return s->kind == JK_APPLY || s->kind == JK_REASSERT || s->kind == JK_RESTORE;
}

/* v1: the swap buffer is memsw - limit, and knob_write keeps each of the
 * two across a write of the other. So the order of a tenant's two writes
 * decides what the buffer becomes: written while the limit is still
 * unlimited, memsw = unlimited + buffer stays unlimited (read back next
 * sync: a drift nobody made). The limit goes first when it is set or
 * raised, the buffer first when the limit is lowered (memsw shrinks over
 * the old limit, then both come down together), whatever order the
 * policy's lines, and so the wants, came in. Reorders c's plan, and so its
 * journal rows, to that. */
static void
act_plan_order_memory(const struct act *a, struct act_ct *c)
{
	struct act_plan *p = &c->plan;
	size_t lim = p->n, buf = p->n;
	struct act_step tmp;
	int raise;

	if (a->fs->ctrl[CG_MEMORY].version != 1)
		return;
	for (size_t i = 0; i < p->n; i++) {
		if (!act_step_writes(&p->v[i]))
			continue;
		if (c->k[p->v[i].k].knob == PK_MEM_LIMIT && lim == p->n)
			lim = i;
		else if (c->k[p->v[i].k].knob == PK_SWAP_BUFFER && buf == p->n)
			buf = i;
	}
	if (lim == p->n || buf == p->n)
		return;
	raise = p->v[lim].old == POL_MAX || p->v[lim].old == GOV_UNKNOWN ||
	    p->v[lim].old == STORE_NULL || p->v[lim].new == POL_MAX ||
	    p->v[lim].new > p->v[lim].old;
	if ((raise && lim > buf) || (!raise && buf > lim)) {
		tmp = p->v[lim];
		p->v[lim] = p->v[buf];
		p->v[buf] = tmp;
	}
}

/* Carries out the plans of the batch v[0..n): every decision journaled in
 * one durable commit, then every write, then one commit of the outcomes.
 * The plans are emptied. Returns the number of knob writes made. */
static int
act_carry_out_batch(struct act *a, struct act_ct **v, size_t n, int64_t now_ms)
{
	int done = 0;

	for (size_t i = 0; i < n; i++)
		act_plan_order_memory(a, v[i]);
	if (act_journal_batch(a, v, n, 1, now_ms) == 0)
		for (size_t i = 0; i < n; i++)
			act_pre_done(a, v[i]);
	for (size_t i = 0; i < n; i++)
		for (size_t k = 0; k < v[i]->plan.n; k++) {
			struct act_step *s = &v[i]->plan.v[k];

			done += act_do(a, v[i], s, now_ms);
			if (s->err == 0 || !cgfs_gone(s->err))
				a->counts[s->err != 0 ? JK_FAILED : s->kind][v[i]->k[s->k].knob]++;
		}
	act_journal_batch(a, v, n, 0, now_ms);
	for (size_t i = 0; i < n; i++)
		v[i]->plan.n = 0;
	return done;
}

static int
act_carry_out(struct act *a, struct act_ct *c, int64_t now_ms)
{
	return act_carry_out_batch(a, &c, 1, now_ms);
}

/* Drops what is no longer worth remembering: knobs neither owned nor
 * wanted once their cooldown is over (a kill as soon as it is no longer
 * wanted), and the container when nothing is left. */
static void
act_gc(struct act *a, struct act_ct *c, int64_t now_ms)
{
	size_t out = 0;

	for (size_t i = 0; i < c->nk; i++) {
		struct act_knob *e = &c->k[i];

		if (!e->owned && !e->seen &&
		    (e->knob == PK_KILL || !act_cooling(e, e->cooldown_ms, now_ms))) {
			free(e->policy);
			free(e->rule);
			continue;
		}
		c->k[out++] = *e;
	}
	c->nk = out;
	if (c->nk == 0)
		act_ct_remove(a, c);
}

/* The disks an io want without a device applies to (a disk plugged in
 * shows up within ACT_DISKS_MS). */
static const dev_t *
act_disks(struct act *a, int64_t now_ms, size_t *ret_n)
{
	if (a->disks_ms == 0 || now_ms - a->disks_ms >= ACT_DISKS_MS || now_ms < a->disks_ms) {
		size_t n = knob_dev_all(a->disks, ACT_MAX_DEVS);

		a->ndisks = n < ACT_MAX_DEVS ? n : ACT_MAX_DEVS;
		a->disks_ms = now_ms;
	}
	*ret_n = a->ndisks;
	return a->disks;
}

/* Marks the wanted knobs seen and lists the wanted values, io wants without
 * a device expanded to every disk. The first want of a knob wins. */
static size_t
act_expand(struct act *a, struct act_ct *c, const struct gov_want *w, size_t n, int64_t now_ms,
    struct act_want **ret)
{
	struct act_want *v = NULL;
	size_t nv = 0;

	for (size_t i = 0; i < c->nk; i++)
		c->k[i].seen = c->k[i].dropped = 0;
	/* Two passes: a want for one device beats an every-disk want of the
	 * same knob on that device (the more specific line wins), whatever
	 * order the governor listed them in. */
	for (size_t pass = 0; pass < 2 * n; pass++) {
		size_t i = pass % n, ndev = 1;
		const dev_t *devs = &w[i].dev;

		if ((act_knob_is_io(w[i].knob) && w[i].dev == 0) != (pass >= n))
			continue;
		if (act_knob_is_io(w[i].knob) && w[i].dev == 0)
			devs = act_disks(a, now_ms, &ndev);
		for (size_t d = 0; d < ndev; d++) {
			size_t k = act_knob_get(c, w[i].knob, act_knob_is_io(w[i].knob) ? devs[d] : 0);

			if (c->k[k].seen)
				continue;
			c->k[k].seen = 1;
			if (!c->k[k].owned && c->k[k].changed_ms == 0)
				act_knob_adopt(&c->k[k], &w[i]);
			v = xreallocarray(v, nv + 1, sizeof *v);
			v[nv++] = (struct act_want){ .k = k, .value = w[i].value, .w = &w[i] };
		}
	}
	*ret = v;
	return nv;
}

/* The memory limit the tenant will have once this sync is carried out:
 * the wanted one, else the sampled one, else read by path. Returns 0 or
 * -errno (gone included). */
static int
act_mem_limit_after(struct act *a, const struct act_ct *c, const struct act_want *v, size_t nv,
    int64_t *ret)
{
	const struct act_knob *e;

	for (size_t i = 0; i < nv; i++) {
		if (c->k[v[i].k].knob == PK_MEM_LIMIT) {
			*ret = v[i].value;
			return 0;
		}
	}
	for (size_t i = 0; i < c->nk; i++) {
		e = &c->k[i];
		/* An owned limit no longer wanted goes back to its original. */
		if (e->knob == PK_MEM_LIMIT && e->owned && e->orig != GOV_UNKNOWN) {
			*ret = e->orig;
			return 0;
		}
	}
	if (c->sv_ok && c->sv[PK_MEM_LIMIT] != GOV_UNKNOWN) {
		*ret = c->sv[PK_MEM_LIMIT];
		return 0;
	}
	a->path_reads++;
	return knob_read(a->fs, c->path, PK_MEM_LIMIT, 0, ret);
}

/* Without a limit of its own, a tenant's swap is bounded by its parent's
 * memsw: says in why what the parent's buffer (memsw - limit) is against
 * the wanted one. Returns 1 when the parent's buffer is finite and below
 * it (a warning), else 0. Only read, never written: the parent is not a
 * governed container. */
static int
act_parent_buffer(struct act *a, const struct act_ct *c, int64_t want, char *why, size_t len)
{
	char parent[PATH_MAX], have[32], wanted[32];
	const char *slash = strrchr(c->path, '/');
	int64_t buf;

	snprintf(why, len, "no memory limit: no swap buffer to keep (v1 memsw = limit + "
	    "buffer is unlimited)");
	if (slash == NULL || slash == c->path || (size_t)(slash - c->path) >= sizeof parent)
		return 0;
	memcpy(parent, c->path, (size_t)(slash - c->path));
	parent[slash - c->path] = '\0';
	a->path_reads++;
	if (knob_read(a->fs, parent, PK_SWAP_BUFFER, 0, &buf) < 0 || buf == POL_MAX)
		return 0;
	knob_format(PK_SWAP_BUFFER, buf, have, sizeof have);
	knob_format(PK_SWAP_BUFFER, want, wanted, sizeof wanted);
	snprintf(why, len, "no memory limit: no swap buffer to keep; the parent's buffer is %s "
	    "(%s wanted)", have, wanted);
	return buf < want;
}

/* v1: the swap buffer is memsw - limit, so a tenant without a memory limit
 * has no buffer to keep: memsw = unlimited + buffer is unlimited, and
 * writing it would read back "max", journaled as a drift nobody made. Its
 * swap buffer want is dropped here (one refused row says so, not one per
 * tick); a buffer cgov owns from when there was a limit is no longer wanted
 * and goes back. Its swap is bounded only by the parents' memsw (v2's
 * memory.swap.max does not depend on memory.max: nothing to drop there).
 * Returns the number of wants left in v, or -errno (gone). */
static int
act_drop_nolimit_buffer(struct act *a, struct act_ct *c, struct act_want *v, size_t nv,
    struct act_plan *p)
{
	struct act_knob *e;
	struct act_step *s;
	int64_t limit;
	size_t i, out = 0;
	int r;

	for (i = 0; i < nv && c->k[v[i].k].knob != PK_SWAP_BUFFER; i++)
		;
	if (i == nv || a->fs->ctrl[CG_MEMORY].version != 1)
		return (int)nv;
	e = &c->k[v[i].k];
	if ((r = act_mem_limit_after(a, c, v, nv, &limit)) < 0) {
		if (cgfs_gone(r))
			return -ENOENT;
		return (int)nv;         /* unknown: decided as before */
	}
	if (limit != POL_MAX) {
		e->nolimit_said = 0;
		return (int)nv;
	}
	e->dropped = 1;
	if (e->owned) {
		e->seen = 0;            /* restored as no longer wanted */
	} else if (!e->nolimit_said) {
		e->nolimit_said = 1;
		s = act_plan_add(p, v[i].k, JK_REFUSED, POL_MAX, v[i].value);
		act_step_want_set(s, v[i].w);
		if (act_parent_buffer(a, c, v[i].value, s->why, sizeof s->why))
			log_warnx("%s (%s): %s refused: %s", escape_log(0, c->name),
			    escape_log(1, c->path), pol_knob_name(e->knob), s->why);
		else
			log_info("%s (%s): %s refused: %s", escape_log(0, c->name),
			    escape_log(1, c->path), pol_knob_name(e->knob), s->why);
	}
	for (size_t j = 0; j < nv; j++)
		if (j != i)
			v[out++] = v[j];
	return (int)out;
}

int
act_sync(struct act *a, const struct act_tenant *t, const struct gov_want *w, size_t n,
    int64_t now_ms)
{
	struct act_ct *c = act_ct_find(a, t->key, NULL);
	struct act_want *v;
	size_t nv, before;
	int r;

	if (c == NULL && n == 0 && act_ct_lookup(a, t) == NULL)
		return 0;
	c = act_ct_get(a, t);
	if (c->queued)                  /* planned twice before a flush: once is enough */
		return 0;
	c->synced_ms = now_ms;
	c->retry_ms = 0;
	c->sv_ok = t->sample != NULL;
	c->fresh = t->settings_fresh;
	if (c->sv_ok)
		act_sample_values(t->sample, c->sv);
	nv = act_expand(a, c, w, n, now_ms, &v);
	r = act_read_owned(a, c, t->sample, t->settings_fresh);
	if (r == 0 && (r = act_drop_nolimit_buffer(a, c, v, nv, &c->plan)) >= 0) {
		nv = (size_t)r;
		r = 0;
	}
	for (size_t i = 0; i < nv && r == 0; i++)
		r = act_plan_want(a, c, &v[i], now_ms, &c->plan);
	for (size_t i = 0; i < c->nk && r == 0; i++) {
		if (!c->k[i].owned || act_plan_has(&c->plan, i))
			continue;
		if (!c->k[i].seen)
			r = act_plan_restore(a, c, i, now_ms, 0, "no longer wanted", &c->plan);
		else if (!a->dry_run)
			r = act_plan_drift(a, c, i, now_ms, &c->plan);
	}
	free(v);
	if (r < 0) {
		log_debug("%s: gone while governing", escape_log(0, t->path));
		c->plan.n = 0;
	}
	before = c->plan.n;
	if (a->nbatch == a->batch_cap) {
		a->batch_cap = a->batch_cap ? a->batch_cap * 2 : 16;
		a->batch = xreallocarray(a->batch, a->batch_cap, sizeof *a->batch);
	}
	a->batch[a->nbatch++] = c;
	c->queued = 1;
	return (int)before;
}

int
act_flush(struct act *a, int64_t now_ms)
{
	int done;

	if (a->nbatch == 0)
		return 0;
	done = act_carry_out_batch(a, a->batch, a->nbatch, now_ms);
	for (size_t i = 0; i < a->nbatch; i++)
		a->batch[i]->queued = 0;
	/* Collected after the batch: act_gc may free a container. */
	for (size_t i = 0; i < a->nbatch; i++)
		act_gc(a, a->batch[i], now_ms);
	a->nbatch = 0;
	return done;
}

/* --- the rest of the contract ---------------------------------------------- */

static size_t
act_owned_in(const struct act_ct *c)
{
	size_t n = 0;

	for (size_t i = 0; i < c->nk; i++)
		n += c->k[i].owned != 0;
	return n;
}

static int64_t
act_u64(uint64_t v)
{
	if (v == CG_UNKNOWN)
		return GOV_UNKNOWN;
	if (v == CG_UNLIMITED || v > (uint64_t)INT64_MAX)
		return POL_MAX;
	return (int64_t)v;
}

/* Each knob's value as sample s has it, in the knob's unit (knob_read's
 * rounding); GOV_UNKNOWN for what the sampler does not read. */
static void
act_sample_values(const struct cg_sample *s, int64_t base[PK__MAX])
{
	for (int k = 0; k < PK__MAX; k++)
		base[k] = GOV_UNKNOWN;
	base[PK_MEM_LIMIT] = act_u64(s->mem_limit);
	base[PK_MEM_HIGH] = act_u64(s->mem_high);
	base[PK_SWAP_BUFFER] = act_u64(s->swap_limit);
	base[PK_CPU_WEIGHT] = act_u64(s->cpu_shares);
	base[PK_PIDS_MAX] = act_u64(s->pids_max);
	if (s->cpu_quota_us == CG_UNLIMITED)
		base[PK_CPU_QUOTA] = POL_MAX;
	else if (s->cpu_quota_us != CG_UNKNOWN && s->cpu_period_us != CG_UNKNOWN &&
	    s->cpu_period_us != 0)
		base[PK_CPU_QUOTA] = act_u64((s->cpu_quota_us * 1000 + s->cpu_period_us / 2) /
		    s->cpu_period_us);      /* rounded as knob_read does */
}

void
act_base(struct act *a, const struct act_tenant *t, const struct cg_sample *s,
    int64_t base[PK__MAX])
{
	/* An orphan is claimed here already: a knob a crashed (or cleanly
	 * exited) cgovd set has its original as base, not cgov's own value. */
	const struct act_ct *c = act_ct_lookup(a, t);

	act_sample_values(s, base);
	if (c == NULL)
		return;
	for (size_t i = 0; i < c->nk; i++)
		if (c->k[i].owned && !act_knob_is_io(c->k[i].knob))
			base[c->k[i].knob] = c->k[i].orig;
}

/* Drops the originals of containers whose cgroup is gone (gone[i] set):
 * there is nothing left to restore. */
static void
act_drop_gone(struct act *a, const struct journal_orig *v, const unsigned char *gone,
    size_t n, size_t ngone, int64_t now_ms)
{
	int r;

	if ((r = journal_begin(a->st)) == 0) {
		for (size_t i = 0; i < n && r == 0; i++) {
			if (!gone[i])
				continue;
			r = journal_orig_del(a->st, v[i].cid, &v[i].id, v[i].knob, v[i].dev);
			if (r == 0)
				r = journal_action_restored(a->st, v[i].cid, &v[i].id, v[i].knob,
				    v[i].dev, now_ms, 0);
		}
		if (r == 0)
			r = journal_commit(a->st);
		else
			journal_abort(a->st);
	}
	act_journal_result(a, r);
	log_info("%zu original%s of containers gone since (or re-created as another "
	    "cgroup) dropped from the journal", ngone, ngone == 1 ? "" : "s");
}

/* The orphan holding the originals of tenant (cid, id), made on first use. */
static struct act_ct *
act_orphan_get(struct act *a, const struct journal_orig *o)
{
	struct act_ct *c;

	for (size_t i = 0; i < a->norph; i++) {
		c = a->orph[i];
		if (c->cid == o->cid && c->id.ino == o->id.ino && c->id.cgid == o->id.cgid)
			return c;
	}
	c = xcalloc(1, sizeof *c);
	c->cid = o->cid;
	c->id = o->id;
	c->path = xstrdup(o->path);
	c->name = xstrdup(o->path);
	a->orph = xreallocarray(a->orph, a->norph + 1, sizeof *a->orph);
	a->orph[a->norph++] = c;
	return c;
}

int
act_reconcile(struct act *a, int64_t now_ms)
{
	struct journal_orig *v;
	unsigned char *gone;
	size_t n, ngone = 0;
	int r, owned = 0;

	if (a->st == NULL)
		return 0;
	if ((r = journal_orig_list(a->st, &v, &n)) < 0)
		return r;
	if (a->dry_run) {
		/* A dry run writes nothing, restores included: the originals stay
		 * for the next real cgovd. */
		if (n > 0)
			log_info("dry run: %zu knob%s left changed by a previous cgovd stay as "
			    "they are", n, n == 1 ? "" : "s");
		journal_origs_free(v, n);
		return 0;
	}
	gone = xcalloc(n + 1, 1);
	for (size_t i = 0; i < n; i++) {
		const struct journal_orig *o = &v[i];
		struct act_ct *c;
		struct act_knob *e;
		size_t k;

		/* Gone, or another cgroup at the path now (a runtime re-created
		 * the container while no cgovd ran): nothing of ours to restore. */
		if (o->path == NULL || tenant_id_check(a->fs, o->path, &o->id) == 0) {
			gone[i] = 1;
			ngone++;
			continue;
		}
		c = act_orphan_get(a, o);
		k = act_knob_get(c, (enum pol_knob)o->knob, (dev_t)o->dev);
		e = &c->k[k];
		if (e->owned)
			continue;
		e->owned = e->journaled = 1;
		e->orig = o->value;
		snprintf(e->orig_exact, sizeof e->orig_exact, "%s",
		    o->exact != NULL ? o->exact : "");
		e->last = GOV_UNKNOWN;  /* read back on the first sync */
		owned++;
	}
	if (ngone > 0)
		act_drop_gone(a, v, gone, n, ngone, now_ms);
	free(gone);
	journal_origs_free(v, n);
	return owned;
}

int
act_settle(struct act *a, int64_t now_ms)
{
	size_t n = a->norph;
	int done;

	if (n == 0)
		return 0;
	/* Their cgroups are there but not (or no longer) containers cgov
	 * governs: everything goes back, now rather than at exit. */
	for (size_t i = 0; i < a->norph; i++) {
		struct act_ct *c = a->orph[i];
		int r = act_read_owned(a, c, NULL, 1);

		for (size_t k = 0; k < c->nk && r == 0; k++)
			if (c->k[k].owned)
				r = act_plan_restore(a, c, k, now_ms, 1, "no longer governed",
				    &c->plan);
	}
	done = act_carry_out_batch(a, a->orph, a->norph, now_ms);
	/* What could not go back (memory floor, gone) stays an orphan for
	 * act_restore_all or, through the journal, the next cgovd. */
	for (size_t i = 0; i < a->norph;) {
		if (act_owned_in(a->orph[i]) == 0)
			act_ct_remove(a, a->orph[i]);
		else
			i++;
	}
	return done;
}

/* Is the container's cgroup still there, the same cgroup (only no longer
 * watched)? */
static int
act_ct_exists(const struct act *a, const struct act_ct *c)
{
	return c->path != NULL && tenant_id_check(a->fs, c->path, &c->id) == 1;
}

void
act_forget(struct act *a, uint64_t key)
{
	struct act_ct *c = act_ct_find(a, key, NULL);
	int r;

	if (c == NULL)
		return;
	/* Not gone after all: its knobs go back before cgov lets go of it. A
	 * restore that must wait (memory floor) keeps the container, for
	 * act_restore_all or, through the journal, the next cgovd. */
	if (act_owned_in(c) > 0 && act_ct_exists(a, c)) {
		r = act_read_owned(a, c, NULL, 1);
		c->plan.n = 0;
		for (size_t k = 0; k < c->nk && r == 0; k++)
			if (c->k[k].owned)
				r = act_plan_restore(a, c, k, c->synced_ms, 1, "no longer governed",
				    &c->plan);
		if (r == 0)
			act_carry_out(a, c, c->synced_ms);
		c->plan.n = 0;
		if (r == 0 && act_owned_in(c) > 0)
			return;
	}
	if (act_journal_ok(a, c) && act_owned_in(c) > 0 && (r = journal_begin(a->st)) == 0) {
		for (size_t i = 0; i < c->nk && r == 0; i++) {
			struct act_knob *e = &c->k[i];

			if (!e->owned)
				continue;
			r = journal_action_restored(a->st, c->cid, &c->id, (int)e->knob,
			    (int64_t)e->dev, c->synced_ms, a->dry_run);
			if (r == 0 && e->journaled)
				r = journal_orig_del(a->st, c->cid, &c->id, (int)e->knob,
				    (int64_t)e->dev);
		}
		if (r == 0)
			r = journal_commit(a->st);
		else
			journal_abort(a->st);
		act_journal_result(a, r);
	}
	act_ct_remove(a, c);
}

/* Plans the restore of every owned knob of the containers v[0..n). A
 * static limit stays when statics is 0, unless the last sync of a tenant
 * (synced: seen is its verdict; orphans have none) no longer wanted it:
 * its policy stopped matching and the restore waited on the knob's
 * cooldown. Kept, it would outlive the policy until a later cgovd. */
static void
act_plan_restore_all(struct act *a, struct act_ct **v, size_t n, int64_t now_ms, int statics,
    int synced)
{
	for (size_t i = 0; i < n; i++) {
		struct act_ct *c = v[i];
		int r = act_read_owned(a, c, NULL, 1);

		c->plan.n = 0;
		for (size_t k = 0; k < c->nk && r == 0; k++) {
			struct act_knob *e = &c->k[k];

			if (!e->owned)
				continue;
			if (statics || !e->is_static)
				r = act_plan_restore(a, c, k, now_ms, 1, "cgovd exiting", &c->plan);
			else if (synced && !e->seen)
				r = act_plan_restore(a, c, k, now_ms, 1,
				    "cgovd exiting: no longer wanted", &c->plan);
		}
		if (r < 0)
			c->plan.n = 0;
	}
}

int
act_restore_all(struct act *a, int64_t now_ms, int statics)
{
	int total;

	act_flush(a, now_ms);
	act_plan_restore_all(a, a->ct, a->nct, now_ms, statics, 1);
	act_plan_restore_all(a, a->orph, a->norph, now_ms, statics, 0);
	total = act_carry_out_batch(a, a->ct, a->nct, now_ms);
	total += act_carry_out_batch(a, a->orph, a->norph, now_ms);
	return total;
}

int
act_wanted(const struct act *a, uint64_t key, enum pol_knob k)
{
	const struct act_ct *c = act_ct_find(a, key, NULL);

	if (c == NULL)
		return 0;
	for (size_t i = 0; i < c->nk; i++)
		if (c->k[i].knob == k && c->k[i].dev == 0)
			return c->k[i].seen && !c->k[i].dropped;
	return 0;
}

int64_t
act_retry(const struct act *a, uint64_t key)
{
	const struct act_ct *c = act_ct_find(a, key, NULL);

	return c != NULL ? c->retry_ms : 0;
}

uint64_t
act_path_reads(const struct act *a)
{
	return a->path_reads;
}

size_t
act_owned(const struct act *a)
{
	size_t n = 0;

	for (size_t i = 0; i < a->nct; i++)
		n += act_owned_in(a->ct[i]);
	for (size_t i = 0; i < a->norph; i++)
		n += act_owned_in(a->orph[i]);
	return n;
}

uint64_t
act_count(const struct act *a, enum journal_kind kind, enum pol_knob knob)
{
	if ((unsigned)kind > JK_OOM_KILL || (unsigned)knob >= PK__MAX)
		return 0;
	return a->counts[kind][knob];
}
