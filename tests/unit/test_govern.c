/* test_govern.c: the governor on synthetic sample streams: durations,
 * hysteresis, cooldown, the ladder, overlaps, the JVM swap floor, the v1
 * fallback, frozen relative values, unknown metrics, reloads, many
 * containers. Policies are written as text and parsed, as operators write
 * them; one tick is one second. */
#include "config.h"

#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "govern.h"
#include "knob.h"
#include "policy.h"

#define NITEMS(a) (sizeof (a) / sizeof (a)[0])
#define MiB (1024LL * 1024)
#define GiB (1024LL * MiB)
#define NONE (-1)                /* the knob is not wanted */
#define STEP 1000                /* ms per tick */
#define MAXEV 256
#define PAGE_DOWN(x) ((int64_t)(x) / 4096 * 4096)

struct fx {
	struct policy_set *ps;
	struct gov *g;
	struct gov_ct ct;
	struct gov_metrics m;
	int64_t now;                 /* time of the next tick */
	const struct gov_want *w;    /* of the last tick */
	size_t nw;
	struct gov_event ev[MAXEV];  /* every event drained, in order */
	size_t nev;
};

static struct policy_set *
parse(const char *text)
{
	struct policy_set *ps = NULL;
	struct pol_diags d = { 0 };
	size_t nerr = policy_parse_buffer("test.policy", text, strlen(text), &ps, &d);

	if (nerr != 0)
		pol_diags_print(&d, stderr);
	assert_int_equal(nerr, 0);
	pol_diags_free(&d);
	assert_non_null(ps);
	return ps;
}

/* Every metric unknown, a 4G memory limit, no cpu quota, other bases unknown. */
static void
fx_ct_init(struct gov_ct *ct, struct gov_metrics *m, uint64_t key, const char *path)
{
	memset(ct, 0, sizeof *ct);
	ct->key = key;
	ct->path = path;
	ct->runtime = "lxc";
	ct->procs_known = 1;
	for (int k = 0; k < PK__MAX; k++)
		ct->base[k] = GOV_UNKNOWN;
	ct->base[PK_MEM_LIMIT] = 4 * GiB;
	ct->base[PK_CPU_QUOTA] = POL_MAX;
	for (int i = 0; i < PM__MAX; i++)
		m->v[i] = m->limit[i] = NAN;
}

static void
fx_init_cfg(struct fx *f, const char *text, const struct gov_config *cfg)
{
	memset(f, 0, sizeof *f);
	f->ps = parse(text);
	f->g = gov_new(cfg);
	gov_set_policies(f->g, f->ps);
	fx_ct_init(&f->ct, &f->m, 1, "/lxc/web");
}

static void
fx_init(struct fx *f, const char *text)
{
	struct gov_config cfg = { .cgroup_version = 2 };

	fx_init_cfg(f, text, &cfg);
}

static void
fx_free(struct fx *f)
{
	gov_free(f->g);
	policy_set_free(f->ps);
}

static void
fx_drain(struct fx *f)
{
	const struct gov_event *ev;
	size_t n;

	gov_events(f->g, &ev, &n);
	for (size_t i = 0; i < n; i++) {
		assert_true(f->nev < MAXEV);
		f->ev[f->nev++] = ev[i];
	}
}

/* One tick at f->now, then the clock moves on. */
static void
tick(struct fx *f)
{
	gov_eval(f->g, &f->ct, &f->m, f->now, &f->w, &f->nw);
	fx_drain(f);
	f->now += STEP;
}

static const struct gov_want *
want_dev(const struct fx *f, enum pol_knob k, dev_t dev)
{
	for (size_t i = 0; i < f->nw; i++)
		if (f->w[i].knob == k && f->w[i].dev == dev)
			return &f->w[i];
	return NULL;
}

static int64_t
wanted(const struct fx *f, enum pol_knob k)
{
	const struct gov_want *w = want_dev(f, k, 0);

	return w != NULL ? w->value : NONE;
}

/* Feeds metric values tick by tick; got[i] is knob k's wanted value after
 * tick i. */
static void
feed(struct fx *f, enum pol_metric metric, const double *v, size_t n, enum pol_knob k,
    int64_t *got)
{
	for (size_t i = 0; i < n; i++) {
		f->m.v[metric] = v[i];
		tick(f);
		got[i] = wanted(f, k);
	}
}

static void
assert_series(const int64_t *got, const int64_t *exp, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		if (got[i] != exp[i])
			print_error("tick %zu: got %lld, expected %lld\n", i,
			    (long long)got[i], (long long)exp[i]);
		assert_int_equal(got[i], exp[i]);
	}
}

/* The last event, checked for its transition. */
static const struct gov_event *
last_event(const struct fx *f, enum gov_state from, enum gov_state to)
{
	assert_true(f->nev > 0);
	assert_string_equal(gov_state_name(f->ev[f->nev - 1].from), gov_state_name(from));
	assert_string_equal(gov_state_name(f->ev[f->nev - 1].to), gov_state_name(to));
	return &f->ev[f->nev - 1];
}

static const char cpu_hog[] =
    "policy \"tenants\" {\n"
    "    match cgroup \"/lxc/*\"\n"
    "    rule \"cpu-hog\" {\n"
    "        when cpu > 1.5 cores for 5s\n"
    "        do cpu quota 1 core\n"
    "        until cpu < 0.5 cores for 3s\n"
    "        cooldown 10s\n"
    "    }\n"
    "}\n";

/* Fires exactly at the tick where WHEN has held for 5 s, not before. */
static void
test_for_fires_on_time(void **state)
{
	struct fx f;
	int64_t got[7];
	static const int64_t exp[7] = { NONE, NONE, NONE, NONE, NONE, 1000, 1000 };
	const struct gov_event *e;

	fx_init(&f, cpu_hog);
	feed(&f, PM_CPU, (double[]){ 1.98, 1.98, 1.98, 1.98, 1.98, 1.98, 1.98 }, 7,
	    PK_CPU_QUOTA, got);
	assert_series(got, exp, 7);
	assert_int_equal(f.nev, 2);
	e = &f.ev[0];
	assert_int_equal(e->from, GS_IDLE);
	assert_int_equal(e->to, GS_PENDING);
	assert_int_equal(e->since_ms, 0);
	e = &f.ev[1];
	assert_int_equal(e->from, GS_PENDING);
	assert_int_equal(e->to, GS_ACTIVE);
	assert_int_equal(e->rung, 0);
	assert_int_equal(e->since_ms, 5000);
	assert_string_equal(e->why, "cpu 1.98 cores > 1.5 cores for 5s");
	assert_string_equal(want_dev(&f, PK_CPU_QUOTA, 0)->why,
	    "cpu 1.98 cores > 1.5 cores for 5s");
	assert_string_equal(want_dev(&f, PK_CPU_QUOTA, 0)->rule->name, "cpu-hog");
	assert_int_equal(want_dev(&f, PK_CPU_QUOTA, 0)->rung, 0);
	fx_free(&f);
}

/* A dip below the threshold resets the `for` clock. */
static void
test_for_dip_resets(void **state)
{
	struct fx f;
	int64_t got[10];
	static const int64_t exp[10] = { NONE, NONE, NONE, NONE, NONE, NONE, NONE, NONE, NONE,
	    1000 };

	fx_init(&f, cpu_hog);
	feed(&f, PM_CPU, (double[]){ 2, 2, 2, 1, 2, 2, 2, 2, 2, 2 }, 10, PK_CPU_QUOTA, got);
	assert_series(got, exp, 10);
	assert_int_equal(f.ev[1].from, GS_PENDING);
	assert_int_equal(f.ev[1].to, GS_IDLE);
	assert_string_equal(f.ev[1].why, "cpu 1 core <= 1.5 cores");
	assert_int_equal(f.ev[2].to, GS_PENDING);
	assert_int_equal(f.ev[2].since_ms, 4000);
	last_event(&f, GS_PENDING, GS_ACTIVE);
	fx_free(&f);
}

/* `for` left out: the first tick it holds fires, with no pending state. */
static void
test_for_zero(void **state)
{
	struct fx f;
	int64_t got[3];
	static const int64_t exp[3] = { NONE, 500, 500 };

	fx_init(&f, "policy \"p\" { rule \"r\" { when cpu > 1 core do cpu quota 0.5 core } }");
	feed(&f, PM_CPU, (double[]){ 0.5, 3, 3 }, 3, PK_CPU_QUOTA, got);
	assert_series(got, exp, 3);
	assert_int_equal(f.nev, 1);
	last_event(&f, GS_IDLE, GS_ACTIVE);
	fx_free(&f);
}

/* Explicit UNTIL ... for 3s: a value between the two thresholds keeps the
 * rung; an UNTIL that dips starts its clock again. */
static void
test_until_hysteresis(void **state)
{
	struct fx f;
	int64_t got[11];
	static const int64_t exp[11] = { 1000, 1000, 1000, 1000, 1000, 1000, 1000, 1000,
	    1000, NONE, NONE };
	const struct gov_event *e;

	fx_init(&f, cpu_hog);
	for (int i = 0; i < 6; i++) {
		f.m.v[PM_CPU] = 2;
		tick(&f);
	}
	assert_int_equal(wanted(&f, PK_CPU_QUOTA), 1000);
	/* 1 core: WHEN false, UNTIL false; then UNTIL for 2s, a dip, 3s. */
	feed(&f, PM_CPU, (double[]){ 1, 1, 1, 0.2, 0.2, 0.8, 0.2, 0.2, 0.2, 0.2, 0.2 }, 11,
	    PK_CPU_QUOTA, got);
	/* UNTIL holds again from t = 12 s: cooling at 12 + 3 = 15 s. */
	assert_series(got, exp, 11);
	e = last_event(&f, GS_ACTIVE, GS_COOLING);
	assert_int_equal(e->since_ms, 15000);
	assert_int_equal(e->rung, -1);
	assert_string_equal(e->why, "cpu 0.2 cores < 0.5 cores for 3s");
	fx_free(&f);
}

/* An UNTIL that holds while WHEN still holds does not clear the rule: the
 * first rung only lowers the weight, so the container is never throttled,
 * and "throttled < 5%" must not release and re-apply it every 2 s. */
static void
test_until_needs_when_false(void **state)
{
	struct fx f;
	int i;

	fx_init(&f, "policy \"p\" { cooldown 1s rule \"r\" { when cpu > 1 core "
	    "do cpu shares 512 until throttled < 5% for 2s } }");
	f.m.v[PM_THROTTLED] = 0;
	f.m.v[PM_CPU] = 1.5;
	for (i = 0; i < 10; i++) {
		tick(&f);
		assert_int_equal(wanted(&f, PK_CPU_WEIGHT), 512);
	}
	last_event(&f, GS_IDLE, GS_ACTIVE);     /* fired once, never cleared */
	f.m.v[PM_CPU] = 0.2;                    /* the hog stops: clears 2 s later */
	for (i = 0; i < 2; i++)
		tick(&f);
	assert_int_equal(wanted(&f, PK_CPU_WEIGHT), 512);
	tick(&f);
	assert_int_equal(wanted(&f, PK_CPU_WEIGHT), NONE);
	last_event(&f, GS_ACTIVE, GS_COOLING);
	fx_free(&f);
}

/* The default UNTIL: WHEN false (unknown counts as false) for 60 s. */
static void
test_until_default(void **state)
{
	struct fx f;
	int i;

	fx_init(&f, "policy \"p\" { rule \"r\" { when cpu > 1 core do cpu quota 0.5 core } }");
	f.m.v[PM_CPU] = 2;
	tick(&f);
	assert_int_equal(wanted(&f, PK_CPU_QUOTA), 500);
	/* 30 s of false, then true again: the clock restarts. */
	f.m.v[PM_CPU] = 0.1;
	for (i = 0; i < 30; i++)
		tick(&f);
	f.m.v[PM_CPU] = 2;
	tick(&f);
	/* Then unknown (a vanished counter) from t = 32 s: still throttled ... */
	f.m.v[PM_CPU] = NAN;
	for (i = 0; i < 60; i++) {
		tick(&f);
		assert_int_equal(wanted(&f, PK_CPU_QUOTA), 500);
	}
	/* ... until t = 92 s, 60 s after it went false. */
	tick(&f);
	assert_int_equal(wanted(&f, PK_CPU_QUOTA), NONE);
	assert_string_equal(last_event(&f, GS_ACTIVE, GS_COOLING)->why, "cpu unknown for 1m");
	assert_int_equal(f.ev[f.nev - 1].since_ms, 92000);
	fx_free(&f);
}

/* Cooling wants nothing and cannot fire again before its cooldown. */
static void
test_cooldown(void **state)
{
	struct fx f;
	int64_t got[13];
	static const int64_t exp[13] = { NONE, NONE, NONE, NONE, NONE, NONE, NONE, NONE,
	    NONE, 250, NONE, NONE, NONE };

	fx_init(&f, "policy \"p\" { rule \"r\" {\n"
	    "when cpu > 1 core\n"
	    "do cpu quota 0.25 core\n"
	    "until cpu < 0.5 cores\n"
	    "cooldown 10s\n} }");
	f.m.v[PM_CPU] = 2;
	tick(&f);                                  /* t = 0: fires */
	f.m.v[PM_CPU] = 0.1;
	tick(&f);                                  /* t = 1: cooling */
	last_event(&f, GS_ACTIVE, GS_COOLING);
	/* Hot again at once (t = 2): nothing until t = 11 (cooling since 1,
	 * plus 10 s), where it cools down and fires in the same tick; cleared
	 * at t = 12, the hot t = 14 is in the next cooldown. */
	feed(&f, PM_CPU, (double[]){ 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 0, 0, 2 }, 13,
	    PK_CPU_QUOTA, got);
	assert_series(got, exp, 13);
	assert_int_equal(f.ev[2].from, GS_COOLING);
	assert_int_equal(f.ev[2].to, GS_IDLE);
	assert_int_equal(f.ev[2].since_ms, 11000);
	assert_string_equal(f.ev[2].why, "cooldown 10s elapsed");
	assert_int_equal(f.ev[3].to, GS_ACTIVE);
	fx_free(&f);
}

/* Ladder: each rung after `escalate` with WHEN still true; rungs accumulate;
 * a WHEN that goes false holds the ladder where it is. */
static void
test_ladder(void **state)
{
	struct fx f;
	int i;

	fx_init(&f, "policy \"p\" { rule \"r\" {\n"
	    "when cpu > 1 core\n"
	    "do cpu shares 512\n"
	    "do cpu quota 1 core\n"
	    "do freeze\n"
	    "escalate after 10s\n"
	    "until cpu < 0.1 cores for 30s\n} }");
	f.m.v[PM_CPU] = 2;
	tick(&f);                                   /* t = 0 */
	assert_int_equal(wanted(&f, PK_CPU_WEIGHT), 512);
	assert_int_equal(wanted(&f, PK_CPU_QUOTA), NONE);
	for (i = 1; i < 10; i++)
		tick(&f);                           /* t = 1..9 */
	assert_int_equal(wanted(&f, PK_CPU_QUOTA), NONE);
	tick(&f);                                   /* t = 10 */
	assert_int_equal(wanted(&f, PK_CPU_WEIGHT), 512);
	assert_int_equal(wanted(&f, PK_CPU_QUOTA), 1000);
	assert_int_equal(want_dev(&f, PK_CPU_QUOTA, 0)->rung, 1);
	assert_int_equal(last_event(&f, GS_ACTIVE, GS_ACTIVE)->rung, 1);
	assert_string_equal(f.ev[f.nev - 1].why, "cpu 2 cores > 1 core for 10s");
	/* WHEN false for 15 s: no escalation, the rungs stay. */
	f.m.v[PM_CPU] = 0.8;
	for (i = 0; i < 15; i++)
		tick(&f);                           /* t = 11..25 */
	assert_int_equal(wanted(&f, PK_FREEZE), NONE);
	assert_int_equal(wanted(&f, PK_CPU_QUOTA), 1000);
	f.m.v[PM_CPU] = 2;
	tick(&f);                                   /* t = 26 */
	assert_int_equal(wanted(&f, PK_FREEZE), 1);
	assert_int_equal(wanted(&f, PK_CPU_WEIGHT), 512);
	assert_int_equal(wanted(&f, PK_CPU_QUOTA), 1000);
	assert_int_equal(f.ev[f.nev - 1].rung, 2);
	/* No rung 3: it stays at 2. */
	for (i = 0; i < 20; i++)
		tick(&f);
	assert_int_equal(f.ev[f.nev - 1].rung, 2);
	assert_int_equal(f.nev, 3);
	fx_free(&f);
}

static const char two_policies[] =
    "policy \"low\" {\n"
    "    match cgroup \"/lxc/*\"\n"
    "    priority 5\n"
    "    rule \"q\" { when cpu > 1 core do cpu quota 0.5 core do cpu shares 2048 }\n"
    "}\n"
    "policy \"high\" {\n"
    "    match cgroup \"/lxc/*\"\n"
    "    priority 10\n"
    "    rule \"q\" { when cpu > 1 core do cpu quota 2 cores }\n"
    "    rule \"w\" { when cpu > 1 core do cpu shares 4096 }\n"
    "}\n";

/* Per knob, the higher priority wins even when it is less restrictive. */
static void
test_priority(void **state)
{
	struct fx f;

	fx_init(&f, "policy \"low\" {\n"
	    "    priority 5\n"
	    "    rule \"q\" { when cpu > 1 core do cpu quota 0.5 core }\n"
	    "    rule \"w\" { when cpu > 1 core do cpu shares 256 }\n"
	    "}\n"
	    "policy \"high\" {\n"
	    "    priority 10\n"
	    "    rule \"q\" { when cpu > 1 core do cpu quota 2 cores }\n"
	    "}\n");
	f.m.v[PM_CPU] = 3;
	tick(&f);
	assert_int_equal(wanted(&f, PK_CPU_QUOTA), 2000);
	assert_string_equal(want_dev(&f, PK_CPU_QUOTA, 0)->policy->name, "high");
	/* Only "low" has shares: it is wanted, from "low". */
	assert_int_equal(wanted(&f, PK_CPU_WEIGHT), 256);
	assert_string_equal(want_dev(&f, PK_CPU_WEIGHT, 0)->policy->name, "low");
	assert_int_equal(f.nw, 2);
	fx_free(&f);
}

/* Equal priorities: the lowest (most restrictive) value wins, per knob. */
static void
test_priority_tie(void **state)
{
	struct fx f;

	fx_init(&f, "policy \"a\" {\n"
	    "    rule \"q\" { when cpu > 1 core do cpu quota 0.5 core }\n"
	    "    rule \"s\" { when cpu > 1 core do cpu shares 4096 }\n"
	    "}\n"
	    "policy \"b\" {\n"
	    "    rule \"q\" { when cpu > 1 core do cpu quota 2 cores }\n"
	    "    rule \"s\" { when cpu > 1 core do cpu shares 128 }\n"
	    "}\n");
	f.m.v[PM_CPU] = 3;
	tick(&f);
	assert_int_equal(wanted(&f, PK_CPU_QUOTA), 500);
	assert_string_equal(want_dev(&f, PK_CPU_QUOTA, 0)->policy->name, "a");
	assert_int_equal(wanted(&f, PK_CPU_WEIGHT), 128);
	assert_string_equal(want_dev(&f, PK_CPU_WEIGHT, 0)->policy->name, "b");
	fx_free(&f);
}

/* A firing rule beats a static limit of any priority; when it clears, the
 * static limit is wanted again. Statics overlap by priority too. */
static void
test_static_vs_rule(void **state)
{
	struct fx f;

	fx_init(&f, "policy \"pinned\" {\n"
	    "    priority 100\n"
	    "    cpu quota 0.5 core\n"
	    "    pids max 100\n"
	    "}\n"
	    "policy \"other\" {\n"
	    "    priority 1\n"
	    "    pids max 50\n"
	    "    memory limit 2G\n"
	    "    rule \"burst\" { when cpu > 0.4 cores do cpu quota 2 cores until cpu < 0.1 cores }\n"
	    "}\n");
	f.m.v[PM_CPU] = 0.2;
	tick(&f);
	assert_int_equal(wanted(&f, PK_CPU_QUOTA), 500);
	assert_null(want_dev(&f, PK_CPU_QUOTA, 0)->rule);
	assert_string_equal(want_dev(&f, PK_CPU_QUOTA, 0)->why, "static limit");
	assert_int_equal(wanted(&f, PK_PIDS_MAX), 100);
	assert_int_equal(wanted(&f, PK_MEM_LIMIT), 2 * GiB);
	f.m.v[PM_CPU] = 0.5;
	tick(&f);
	assert_int_equal(wanted(&f, PK_CPU_QUOTA), 2000);
	assert_non_null(want_dev(&f, PK_CPU_QUOTA, 0)->rule);
	assert_int_equal(wanted(&f, PK_PIDS_MAX), 100);
	f.m.v[PM_CPU] = 0.05;
	tick(&f);
	assert_int_equal(wanted(&f, PK_CPU_QUOTA), 500);
	assert_int_equal(f.nw, 3);
	fx_free(&f);
}

/* Swap buffer: the largest of all matching policies, whatever priority. */
static void
test_swap_buffer_max(void **state)
{
	struct fx f;

	fx_init(&f, "policy \"a\" { priority 50 memory swap-buffer 256M }\n"
	    "policy \"b\" { memory swap-buffer 1G }\n"
	    "policy \"c\" { match cgroup \"/docker/*\" memory swap-buffer 4G }\n");
	tick(&f);
	assert_int_equal(wanted(&f, PK_SWAP_BUFFER), 1 * GiB);
	assert_string_equal(want_dev(&f, PK_SWAP_BUFFER, 0)->policy->name, "b");
	/* A JVM above the floor keeps the policies' 1G. */
	f.ct.jvm = 1;
	tick(&f);
	assert_int_equal(wanted(&f, PK_SWAP_BUFFER), 1 * GiB);
	fx_free(&f);
}

/* A JVM under policies that name no buffer gets the configured one; a
 * buffer a policy states (0 included) wins over that floor (issue 12: a
 * process named java must not override the operator); without a matching
 * policy cgov does not govern the container at all. */
static void
test_jvm_floor(void **state)
{
	struct gov_config cfg = { .cgroup_version = 2, .jvm_swap_buffer = 768 * MiB };
	struct fx f;

	fx_init(&f, "policy \"zero\" { match cgroup \"/lxc/*\" memory swap-buffer 0B }\n"
	    "policy \"quiet\" { match cgroup \"/docker/*\" }\n");
	tick(&f);
	assert_int_equal(wanted(&f, PK_SWAP_BUFFER), 0);
	f.ct.jvm = 1;
	tick(&f);
	assert_int_equal(wanted(&f, PK_SWAP_BUFFER), 0);          /* the policy's */
	assert_string_equal(want_dev(&f, PK_SWAP_BUFFER, 0)->why, "static limit");
	f.ct.path = "/docker/abc";
	f.ct.base[PK_SWAP_BUFFER] = 0;
	tick(&f);
	assert_int_equal(wanted(&f, PK_SWAP_BUFFER), 512 * MiB);  /* the default */
	assert_string_equal(want_dev(&f, PK_SWAP_BUFFER, 0)->why, "JVM swap buffer floor (512M)");
	fx_free(&f);

	/* A buffer below the floor, stated by a policy, is what is wanted. */
	fx_init(&f, "policy \"small\" { memory swap-buffer 64M }\n");
	f.ct.jvm = 1;
	f.ct.base[PK_SWAP_BUFFER] = 0;
	tick(&f);
	assert_int_equal(wanted(&f, PK_SWAP_BUFFER), 64 * MiB);
	fx_free(&f);

	fx_init_cfg(&f, "policy \"quiet\" { match cgroup \"/docker/*\" }\n", &cfg);
	f.ct.jvm = 1;
	tick(&f);
	assert_int_equal(f.nw, 0);                 /* /lxc/web: not matched */
	f.ct.path = "/docker/abc";
	tick(&f);
	assert_int_equal(wanted(&f, PK_SWAP_BUFFER), 768 * MiB);
	assert_string_equal(want_dev(&f, PK_SWAP_BUFFER, 0)->policy->name, "quiet");
	assert_int_equal(f.nw, 1);
	fx_free(&f);
}

/* The JVM floor only ever raises: a container whose own buffer is at or
 * above it (unlimited included) and that no policy gives a buffer keeps
 * its own; one below it (zero) gets the floor. */
static void
test_jvm_floor_never_lowers(void **state)
{
	struct fx f;

	fx_init(&f, "policy \"quiet\" { cpu shares 512 }\n");
	f.ct.jvm = 1;
	f.ct.base[PK_SWAP_BUFFER] = POL_MAX;
	tick(&f);
	assert_int_equal(wanted(&f, PK_SWAP_BUFFER), NONE);
	f.ct.base[PK_SWAP_BUFFER] = 1 * GiB;
	tick(&f);
	assert_int_equal(wanted(&f, PK_SWAP_BUFFER), NONE);
	f.ct.base[PK_SWAP_BUFFER] = 0;
	tick(&f);
	assert_int_equal(wanted(&f, PK_SWAP_BUFFER), 512 * MiB);
	fx_free(&f);
}

/* memory low: "100% of current" is the memory in use when the rung fires,
 * in whole pages, frozen while in force; at equal priority the larger
 * protection wins; on v1 (no memory.low) it is not wanted at all. */
static void
test_mem_low(void **state)
{
	static const char text[] =
	    "policy \"victim\" {\n"
	    "    memory low 256M\n"
	    "    rule \"protect\" {\n"
	    "        when node.memory.available < 10% of total\n"
	    "        do memory low 100% of current\n"
	    "    }\n"
	    "}\n"
	    "policy \"other\" { memory low 128M memory min 64M }\n";
	struct gov_config v1 = { .cgroup_version = 1 };
	struct fx f;

	(void)state;
	fx_init(&f, text);
	f.m.v[PM_MEMORY] = 1.5 * GiB + 100;
	f.m.v[PM_NODE_MEMORY_AVAILABLE] = 8.0 * GiB;
	f.m.limit[PM_NODE_MEMORY_AVAILABLE] = 16.0 * GiB;
	tick(&f);
	assert_int_equal(wanted(&f, PK_MEM_LOW), 256 * MiB);     /* the larger static */
	assert_int_equal(wanted(&f, PK_MEM_MIN), 64 * MiB);
	f.m.v[PM_NODE_MEMORY_AVAILABLE] = 1.0 * GiB;
	tick(&f);
	assert_int_equal(wanted(&f, PK_MEM_LOW), (int64_t)(1.5 * GiB));
	assert_non_null(want_dev(&f, PK_MEM_LOW, 0)->rule);
	f.m.v[PM_MEMORY] = 3.0 * GiB;                            /* frozen when fired */
	tick(&f);
	assert_int_equal(wanted(&f, PK_MEM_LOW), (int64_t)(1.5 * GiB));
	fx_free(&f);

	fx_init_cfg(&f, text, &v1);
	f.m.v[PM_MEMORY] = 1.5 * GiB;
	f.m.v[PM_NODE_MEMORY_AVAILABLE] = 1.0 * GiB;
	f.m.limit[PM_NODE_MEMORY_AVAILABLE] = 16.0 * GiB;
	tick(&f);
	tick(&f);
	assert_int_equal(wanted(&f, PK_MEM_LOW), NONE);
	assert_int_equal(wanted(&f, PK_MEM_MIN), NONE);
	fx_free(&f);
}

/* oom-score-adj: the biased value is wanted as written, negative ones
 * included; a firing rule beats the static value. */
static void
test_oom_adj(void **state)
{
	struct fx f;

	(void)state;
	fx_init(&f, "policy \"p\" {\n"
	    "    oom-score-adj -300\n"
	    "    rule \"grower\" {\n"
	    "        when memory > 1G\n"
	    "        do oom-score-adj +500\n"
	    "    }\n"
	    "}\n");
	f.m.v[PM_MEMORY] = 0.5 * GiB;
	tick(&f);
	assert_int_equal(wanted(&f, PK_OOM_ADJ), POL_OOM_BIAS - 300);
	f.m.v[PM_MEMORY] = 2.0 * GiB;
	tick(&f);
	assert_int_equal(wanted(&f, PK_OOM_ADJ), POL_OOM_BIAS + 500);
	fx_free(&f);
}

static const char mem_storm[] =
    "policy \"jvm\" {\n"
    "    rule \"storm\" {\n"
    "        when memory > 90% of limit for 2s\n"
    "        do memory high 85% of limit\n"
    "    }\n"
    "}\n";

/* v1: memory high brings a CPU quota along, unless a lower one is wanted. */
static void
test_v1_fallback(void **state)
{
	struct gov_config v1 = { .cgroup_version = 1 };
	struct gov_config v1q = { .cgroup_version = 1, .v1_high_cpu_millicores = 400 };
	struct fx f;

	fx_init_cfg(&f, mem_storm, &v1);
	f.m.v[PM_MEMORY] = 3.9 * GiB;
	f.m.limit[PM_MEMORY] = 4 * GiB;
	for (int i = 0; i < 3; i++)
		tick(&f);
	assert_int_equal(wanted(&f, PK_MEM_HIGH), PAGE_DOWN(0.85 * 4 * GiB));
	assert_int_equal(wanted(&f, PK_CPU_QUOTA), 250);
	assert_string_equal(want_dev(&f, PK_CPU_QUOTA, 0)->why, "v1 fallback for memory high");
	assert_string_equal(want_dev(&f, PK_CPU_QUOTA, 0)->rule->name, "storm");
	assert_int_equal(f.nw, 2);
	fx_free(&f);

	/* A configured quota; a lower rule quota stays; v2 has no fallback. */
	fx_init_cfg(&f, "policy \"p\" { rule \"r\" { when memory > 1G do memory high 1G } }\n"
	    "policy \"q\" { rule \"r\" { when memory > 1G do cpu quota 0.1 core } }\n", &v1q);
	f.m.v[PM_MEMORY] = 2.0 * GiB;
	tick(&f);
	assert_int_equal(wanted(&f, PK_CPU_QUOTA), 100);
	fx_free(&f);
	fx_init_cfg(&f, "policy \"p\" { cpu quota 2 cores rule \"r\" { when memory > 1G "
	    "do memory high 1G } }\n", &v1q);
	f.m.v[PM_MEMORY] = 2.0 * GiB;
	tick(&f);
	assert_int_equal(wanted(&f, PK_CPU_QUOTA), 400);
	fx_free(&f);
	/* A container already held below the fallback quota keeps its own:
	 * the fallback never raises a quota. */
	fx_init_cfg(&f, mem_storm, &v1);
	f.ct.base[PK_CPU_QUOTA] = 100;
	f.m.v[PM_MEMORY] = 3.9 * GiB;
	f.m.limit[PM_MEMORY] = 4 * GiB;
	for (int i = 0; i < 3; i++)
		tick(&f);
	assert_int_not_equal(wanted(&f, PK_MEM_HIGH), NONE);
	assert_int_equal(wanted(&f, PK_CPU_QUOTA), NONE);
	fx_free(&f);
	fx_init(&f, mem_storm);
	f.m.v[PM_MEMORY] = 3.9 * GiB;
	f.m.limit[PM_MEMORY] = 4 * GiB;
	for (int i = 0; i < 3; i++)
		tick(&f);
	assert_int_not_equal(wanted(&f, PK_MEM_HIGH), NONE);
	assert_int_equal(wanted(&f, PK_CPU_QUOTA), NONE);
	fx_free(&f);
}

/* The why says the observed value, the threshold and its limit. */
static void
test_why_of_limit(void **state)
{
	struct fx f;

	fx_init(&f, "policy \"p\" { rule \"storm\" {\n"
	    "when memory > 90% of limit for 10s\n"
	    "do memory high 85% of limit\n} }\n");
	f.m.v[PM_MEMORY] = 3.95 * GiB;
	f.m.limit[PM_MEMORY] = 4 * GiB;
	for (int i = 0; i < 11; i++)
		tick(&f);
	assert_string_equal(want_dev(&f, PK_MEM_HIGH, 0)->why,
	    "memory 3.9G > 90% of limit (4G) for 10s");
	fx_free(&f);
}

/* "% of limit" of memory is of the winning static `memory limit`: the
 * higher priority, however large. */
static void
test_relative_static_limit(void **state)
{
	struct fx f;

	fx_init(&f, "policy \"small\" { priority 1 memory limit 1G }\n"
	    "policy \"big\" { priority 2 memory limit 3G\n"
	    "rule \"r\" { when memory > 100M do memory high 50% of limit } }\n");
	f.m.v[PM_MEMORY] = 200 * MiB;
	tick(&f);
	assert_int_equal(wanted(&f, PK_MEM_LIMIT), 3 * GiB);
	assert_int_equal(wanted(&f, PK_MEM_HIGH), 1536 * MiB);
	fx_free(&f);
}

/* Conditions with and / or; the why names the comparisons that decide. */
static void
test_and_or(void **state)
{
	struct fx f;

	fx_init(&f, "policy \"p\" {\n"
	    "rule \"and\" { when cpu > 1.5 cores and node.cpu > 80% do cpu quota 1 core }\n"
	    "rule \"or\" { when throttled > 50% or pressure.cpu > 20% do cpu shares 4096 }\n"
	    "}\n");
	f.m.v[PM_CPU] = 2;
	f.m.v[PM_NODE_CPU] = 50;
	f.m.v[PM_THROTTLED] = 10;
	tick(&f);
	assert_int_equal(f.nw, 0);
	f.m.v[PM_NODE_CPU] = 90;
	f.m.v[PM_PRESSURE_CPU] = 25;
	tick(&f);
	assert_int_equal(wanted(&f, PK_CPU_QUOTA), 1000);
	assert_string_equal(want_dev(&f, PK_CPU_QUOTA, 0)->why,
	    "cpu 2 cores > 1.5 cores and node.cpu 90% > 80%");
	assert_int_equal(wanted(&f, PK_CPU_WEIGHT), 4096);
	assert_string_equal(want_dev(&f, PK_CPU_WEIGHT, 0)->why, "pressure.cpu 25% > 20%");
	fx_free(&f);
}

/* Relative values resolve when the rung fires and stay frozen. */
static void
test_relative_frozen(void **state)
{
	struct fx f;

	fx_init(&f, "policy \"p\" { rule \"r\" {\n"
	    "when memory > 1G\n"
	    "do memory high 85% of limit\n"
	    "do cpu quota 50% of current\n"
	    "escalate after 1s\n} }\n");
	f.m.v[PM_MEMORY] = 3 * GiB;
	f.m.v[PM_CPU] = 2;
	tick(&f);                                   /* rung 0: 85% of 4G */
	assert_int_equal(wanted(&f, PK_MEM_HIGH), PAGE_DOWN(0.85 * 4 * GiB));
	f.ct.base[PK_MEM_LIMIT] = 8 * GiB;
	tick(&f);                                   /* rung 1: half of 2 cores */
	assert_int_equal(wanted(&f, PK_MEM_HIGH), PAGE_DOWN(0.85 * 4 * GiB));
	assert_int_equal(wanted(&f, PK_CPU_QUOTA), 1000);
	f.m.v[PM_CPU] = 0.5;
	f.ct.base[PK_MEM_LIMIT] = 1 * GiB;
	for (int i = 0; i < 5; i++)
		tick(&f);
	assert_int_equal(wanted(&f, PK_MEM_HIGH), PAGE_DOWN(0.85 * 4 * GiB));
	assert_int_equal(wanted(&f, PK_CPU_QUOTA), 1000);
	fx_free(&f);

	/* Of a static `memory limit`, and of a known quota. */
	fx_init(&f, "policy \"p\" { memory limit 2G rule \"r\" {\n"
	    "when memory > 1G\n"
	    "do memory high 50% of limit\n"
	    "do cpu quota 10% of current\n"
	    "escalate after 0s\n} }\n");
	f.ct.base[PK_CPU_QUOTA] = 1500;
	f.m.v[PM_MEMORY] = 1.5 * GiB;
	tick(&f);
	tick(&f);
	assert_int_equal(wanted(&f, PK_MEM_HIGH), 1 * GiB);
	assert_int_equal(wanted(&f, PK_CPU_QUOTA), 150);
	assert_int_equal(wanted(&f, PK_MEM_LIMIT), 2 * GiB);
	fx_free(&f);
}

/* A relative value with nothing to be relative to skips its rung, says so,
 * and the ladder goes on. */
static void
test_relative_unknown(void **state)
{
	struct fx f;

	fx_init(&f, "policy \"p\" { rule \"r\" {\n"
	    "when memory > 1G\n"
	    "do memory high 85% of limit\n"
	    "do cpu quota 0.5 core\n"
	    "escalate after 1s\n} }\n");
	f.ct.base[PK_MEM_LIMIT] = POL_MAX;
	f.m.v[PM_MEMORY] = 3 * GiB;
	tick(&f);
	assert_int_equal(f.nw, 0);
	assert_non_null(strstr(last_event(&f, GS_IDLE, GS_ACTIVE)->why,
	    "memory 3G > 1G; rung 0 (memory high) skipped: the memory limit is unlimited"));
	tick(&f);
	assert_int_equal(f.nw, 1);
	assert_int_equal(wanted(&f, PK_CPU_QUOTA), 500);
	fx_free(&f);
}

/* Unknown metrics are false for WHEN and for an explicit UNTIL; "% of limit"
 * of an unlimited resource is false. */
static void
test_unknown_metrics(void **state)
{
	struct fx f;
	int i;

	fx_init(&f, "policy \"p\" {\n"
	    "rule \"psi\" { when pressure.memory > 10% do cpu quota 1 core "
	    "until pressure.memory < 5% }\n"
	    "rule \"lim\" { when memory > 50% of limit do cpu shares 100 }\n"
	    "rule \"lt\" { when node.temp < 200C do freeze }\n"
	    "rule \"sw\" { when swap < 10% of limit do freeze }\n"
	    "}\n");
	f.m.v[PM_MEMORY] = 100 * GiB;
	f.m.limit[PM_MEMORY] = INFINITY;
	f.m.v[PM_SWAP] = 0;
	f.m.limit[PM_SWAP] = INFINITY;
	for (i = 0; i < 5; i++)
		tick(&f);
	assert_int_equal(f.nw, 0);
	assert_int_equal(f.nev, 0);
	/* Fired, then the metric vanishes: an explicit UNTIL never holds. */
	f.m.v[PM_PRESSURE_MEMORY] = 20;
	tick(&f);
	assert_int_equal(wanted(&f, PK_CPU_QUOTA), 1000);
	f.m.v[PM_PRESSURE_MEMORY] = NAN;
	for (i = 0; i < 600; i++)
		tick(&f);
	assert_int_equal(wanted(&f, PK_CPU_QUOTA), 1000);
	f.m.v[PM_PRESSURE_MEMORY] = 1;
	tick(&f);
	assert_int_equal(wanted(&f, PK_CPU_QUOTA), NONE);
	fx_free(&f);
}

/* Kill passes through, wanted as 1. */
static void
test_kill(void **state)
{
	struct fx f;

	fx_init(&f, "policy \"p\" { allow kill rule \"r\" { when pids > 1000 do kill } }\n");
	f.m.v[PM_PIDS] = 5000;
	tick(&f);
	assert_int_equal(wanted(&f, PK_KILL), 1);
	assert_int_equal(f.nw, 1);
	fx_free(&f);
}

/* io knobs are per device: one want per (knob, device). */
static void
test_io_per_device(void **state)
{
	struct fx f;
	const struct gov_want *w;
	dev_t a, b;

	/* Devices are resolved when parsed: two loop devices, where they exist. */
	if (knob_dev_resolve("loop0", &a) < 0 || knob_dev_resolve("loop1", &b) < 0)
		skip();
	fx_init(&f, "policy \"p\" {\n"
	    "io write-limit loop0 100M/s\n"
	    "io write-limit loop1 50M/s\n"
	    "rule \"r\" { when io.write > 100M/s do io write-limit loop0 40M/s "
	    "do io write-limit 20M/s }\n"
	    "rule \"s\" { when io.write > 100M/s do io write-limit loop0 30M/s }\n"
	    "}\n");
	f.m.v[PM_IO_WRITE] = 200.0 * MiB;
	tick(&f);
	assert_non_null(w = want_dev(&f, PK_IO_WBPS, a));
	assert_int_equal(w->value, 30 * MiB);
	assert_non_null(w = want_dev(&f, PK_IO_WBPS, b));
	assert_int_equal(w->value, 50 * MiB);
	assert_null(want_dev(&f, PK_IO_WBPS, 0));
	assert_int_equal(f.nw, 2);
	fx_free(&f);
}

/* A policy that stops matching takes its rules back to idle. */
static void
test_unmatch(void **state)
{
	struct fx f;
	const char *procs[] = { "java" };

	fx_init(&f, "policy \"jvm\" { match process \"java\" memory swap-buffer 1G\n"
	    "rule \"r\" { when cpu > 1 core do cpu quota 1 core } }\n");
	f.m.v[PM_CPU] = 2;
	f.ct.procs_known = 0;
	tick(&f);
	assert_int_equal(f.nw, 0);
	f.ct.procs_known = 1;
	f.ct.procs = procs;
	f.ct.nprocs = 1;
	tick(&f);
	assert_int_equal(wanted(&f, PK_SWAP_BUFFER), 1 * GiB);
	assert_int_equal(wanted(&f, PK_CPU_QUOTA), 1000);
	f.ct.nprocs = 0;
	tick(&f);
	assert_int_equal(f.nw, 0);
	assert_string_equal(last_event(&f, GS_ACTIVE, GS_IDLE)->why, "policy no longer matches");
	fx_free(&f);
}

struct seen {
	char names[8][64];
	enum gov_state st[8];
	int rung[8];
	size_t n;
};

static void
collect(void *arg, const struct policy *p, const struct pol_rule *r, enum gov_state s,
    int rung, int64_t since_ms)
{
	struct seen *v = arg;

	assert_true(v->n < 8);
	snprintf(v->names[v->n], sizeof v->names[0], "%s/%s", p->name, r->name);
	v->st[v->n] = s;
	v->rung[v->n++] = rung;
}

/* gov_rules_foreach: every rule of the matching policies, idle ones too. */
static void
test_rules_foreach(void **state)
{
	struct fx f;
	struct seen v = { 0 };

	fx_init(&f, two_policies);
	gov_rules_foreach(f.g, 1, collect, &v);
	assert_int_equal(v.n, 0);                  /* never evaluated */
	f.m.v[PM_CPU] = 0.5;
	tick(&f);
	gov_rules_foreach(f.g, 1, collect, &v);
	assert_int_equal(v.n, 3);
	assert_string_equal(v.names[0], "low/q");
	assert_string_equal(v.names[2], "high/w");
	assert_int_equal(v.st[1], GS_IDLE);
	f.m.v[PM_CPU] = 2;
	tick(&f);
	v.n = 0;
	gov_rules_foreach(f.g, 1, collect, &v);
	assert_int_equal(v.st[0], GS_ACTIVE);
	assert_int_equal(v.rung[0], 0);
	f.ct.path = "/docker/x";                   /* no longer matched */
	tick(&f);
	v.n = 0;
	gov_rules_foreach(f.g, 1, collect, &v);
	assert_int_equal(v.n, 0);
	fx_free(&f);
}

/* A reload keeps the state of an unchanged rule and drops a changed one. */
static void
test_reload(void **state)
{
	struct fx f;
	struct policy_set *ps2, *ps3;
	const struct gov_event *ev;
	size_t nev;

	fx_init(&f, two_policies);
	f.m.v[PM_CPU] = 2;
	tick(&f);
	assert_int_equal(wanted(&f, PK_CPU_QUOTA), 2000);
	assert_int_equal(wanted(&f, PK_CPU_WEIGHT), 4096);
	/* "high"/"q" changes its action, "high"/"w" is the same text (its
	 * policy moved and changed priority), "low"/"q" is gone. */
	ps2 = parse("policy \"high\" {\n"
	    "    match cgroup \"/lxc/*\"\n"
	    "    priority 3\n"
	    "    rule \"w\" { when cpu > 1 core do cpu shares 4096 }\n"
	    "    rule \"q\" { when cpu > 1 core do cpu quota 3 cores }\n"
	    "}\n");
	gov_set_policies(f.g, ps2);
	policy_set_free(f.ps);
	f.ps = ps2;
	f.m.v[PM_CPU] = 0.5;                       /* WHEN false: nothing fires */
	f.nev = 0;
	tick(&f);
	assert_int_equal(wanted(&f, PK_CPU_WEIGHT), 4096);
	assert_string_equal(want_dev(&f, PK_CPU_WEIGHT, 0)->policy->name, "high");
	assert_int_equal(wanted(&f, PK_CPU_QUOTA), NONE);
	assert_int_equal(f.nw, 1);
	assert_int_equal(f.nev, 0);
	/* No policies at all: nothing is wanted. */
	gov_set_policies(f.g, NULL);
	tick(&f);
	assert_int_equal(f.nw, 0);
	/* Events not drained before a reload are dropped with the old set. */
	ps3 = parse(two_policies);
	gov_set_policies(f.g, ps3);
	policy_set_free(f.ps);
	f.ps = ps3;
	f.m.v[PM_CPU] = 2;
	gov_eval(f.g, &f.ct, &f.m, f.now, &f.w, &f.nw);
	assert_int_equal(f.nw, 2);
	gov_set_policies(f.g, ps3);
	gov_events(f.g, &ev, &nev);
	assert_int_equal(nev, 0);
	fx_free(&f);
}

/* Forgetting a container drops its states: it starts from idle. */
static void
test_forget(void **state)
{
	struct fx f;
	struct seen v = { 0 };

	fx_init(&f, cpu_hog);
	f.m.v[PM_CPU] = 2;
	for (int i = 0; i < 6; i++)
		tick(&f);
	assert_int_equal(wanted(&f, PK_CPU_QUOTA), 1000);
	gov_forget(f.g, 1);
	gov_forget(f.g, 99);                       /* unknown: nothing */
	gov_rules_foreach(f.g, 1, collect, &v);
	assert_int_equal(v.n, 0);
	f.nev = 0;
	tick(&f);
	assert_int_equal(wanted(&f, PK_CPU_QUOTA), NONE);
	last_event(&f, GS_IDLE, GS_PENDING);
	fx_free(&f);
}

/* Events are drained once: a second gov_events returns nothing new. */
static void
test_events_drain(void **state)
{
	struct fx f;
	const struct gov_event *ev;
	size_t n;

	fx_init(&f, cpu_hog);
	f.m.v[PM_CPU] = 2;
	gov_eval(f.g, &f.ct, &f.m, 0, &f.w, &f.nw);
	f.ct.key = 2;
	gov_eval(f.g, &f.ct, &f.m, 0, &f.w, &f.nw);
	gov_events(f.g, &ev, &n);
	assert_int_equal(n, 2);
	assert_int_equal(ev[0].key, 1);
	assert_int_equal(ev[1].key, 2);
	gov_events(f.g, &ev, &n);
	assert_int_equal(n, 0);
	fx_free(&f);
}

/* 10,000 containers, every third hot: each gets its own state. */
static void
test_many_containers(void **state)
{
	enum { N = 10000 };
	struct fx f;
	struct gov_ct ct;
	struct gov_metrics m;
	const struct gov_want *w;
	const struct gov_event *ev;
	size_t nw, nev, hot = 0;
	int64_t t;
	uint64_t k;

	fx_init(&f, cpu_hog);
	for (t = 0; t <= 5000; t += STEP) {
		for (k = 1; k <= N; k++) {
			fx_ct_init(&ct, &m, k * 7919, "/lxc/c");
			m.v[PM_CPU] = k % 3 == 0 ? 2 : 0.1;
			gov_eval(f.g, &ct, &m, t, &w, &nw);
			if (t == 5000) {
				assert_int_equal(nw, k % 3 == 0 ? 1 : 0);
				hot += nw;
			}
		}
		gov_events(f.g, &ev, &nev);
		/* idle -> pending at 0 s, pending -> active at 5 s */
		assert_int_equal(nev, t == 0 || t == 5000 ? N / 3 : 0);
	}
	assert_int_equal(hot, N / 3);
	for (k = 1; k <= N; k += 2)
		gov_forget(f.g, k * 7919);
	for (k = 1; k <= N; k++) {
		struct seen v = { 0 };

		gov_rules_foreach(f.g, k * 7919, collect, &v);
		assert_int_equal(v.n, k % 2 ? 0 : 1);
		if (v.n == 1)
			assert_int_equal(v.st[0], k % 3 == 0 ? GS_ACTIVE : GS_IDLE);
	}
	fx_free(&f);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_for_fires_on_time),
		cmocka_unit_test(test_for_dip_resets),
		cmocka_unit_test(test_for_zero),
		cmocka_unit_test(test_until_hysteresis),
		cmocka_unit_test(test_until_default),
		cmocka_unit_test(test_until_needs_when_false),
		cmocka_unit_test(test_cooldown),
		cmocka_unit_test(test_ladder),
		cmocka_unit_test(test_priority),
		cmocka_unit_test(test_priority_tie),
		cmocka_unit_test(test_static_vs_rule),
		cmocka_unit_test(test_swap_buffer_max),
		cmocka_unit_test(test_jvm_floor),
		cmocka_unit_test(test_jvm_floor_never_lowers),
		cmocka_unit_test(test_mem_low),
		cmocka_unit_test(test_oom_adj),
		cmocka_unit_test(test_v1_fallback),
		cmocka_unit_test(test_why_of_limit),
		cmocka_unit_test(test_relative_static_limit),
		cmocka_unit_test(test_and_or),
		cmocka_unit_test(test_relative_frozen),
		cmocka_unit_test(test_relative_unknown),
		cmocka_unit_test(test_unknown_metrics),
		cmocka_unit_test(test_kill),
		cmocka_unit_test(test_io_per_device),
		cmocka_unit_test(test_unmatch),
		cmocka_unit_test(test_rules_foreach),
		cmocka_unit_test(test_reload),
		cmocka_unit_test(test_forget),
		cmocka_unit_test(test_events_drain),
		cmocka_unit_test(test_many_containers),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
