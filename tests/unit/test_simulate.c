/* test_simulate.c: `cgov policy simulate`'s engine on a recorded history.
 *
 * One history, 10 minutes at 1 s: container A (/lxc/a) uses 0.1 cores but
 * 0.8 cores for 30 ticks from t = 100 s (WHEN held for 29 s as the
 * governor measures it: one tick short of `for 30s`) and for 60 ticks from
 * t = 300 s; container B (/docker/b) uses 0.2 cores all along; the node is
 * 75% busy for 20 ticks from t = 300 s, else 25%. The expected times are
 * derived from the rule semantics of doc/governor.md, and checked against
 * the daemon's own path (cumulative samples -> metrics_from_samples ->
 * gov_eval at each tick) fed with the same figures.
 */
#include "config.h"

#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "metrics.h"
#include "log.h"
#include "policy.h"
#include "rollup.h"
#include "simulate.h"
#include "store.h"
#include "testdir.h"
#include "xmalloc.h"

#define TEST_UNUSED __attribute__((unused))
#define MiB (INT64_C(1024) * 1024)
#define SEC INT64_C(1000)
#define T0 INT64_C(1767225600000)   /* 2026-01-01 00:00:00 UTC: a whole minute */
#define NTICKS 600
#define LO_US 100000                /* cpu per 1 s tick: 0.1 cores */
#define HI_US 800000                /* 0.8 cores */
#define B_US 200000                 /* 0.2 cores */
#define BURST1 100                  /* 30 ticks: WHEN held 29 s, no firing */
#define BURST1_TICKS 30
#define BURST2 300                  /* 60 ticks: fires */
#define BURST2_TICKS 60
#define NODE_BUSY 300               /* node 75% busy for 20 ticks */
#define NODE_BUSY_TICKS 20
/* The rules' durations, as written in POLICIES below. */
#define HOG_FOR (30 * SEC)
#define HOG_ESCALATE (10 * SEC)
#define BUSY_FOR (10 * SEC)
#define MINUTE (60 * SEC)

static const char POLICIES[] =
    "policy \"tenants\" {\n"
    "    match cgroup \"/lxc/*\" \"/docker/*\"\n"
    "    rule \"hog\" {\n"
    "        when cpu > 0.5 cores for 30s\n"
    "        do   cpu shares 50% of current\n"
    "        do   cpu quota 1 core\n"
    "        escalate after 10s\n"
    "    }\n"
    "}\n"
    "policy \"docker-only\" {\n"
    "    match runtime docker\n"
    "    rule \"small\" {\n"
    "        when cpu > 0.15 cores for 10s\n"   /* A would fire it at once */
    "        do   cpu quota 0.5 cores\n"
    "        until cpu < 0.01 cores\n"
    "    }\n"
    "}\n"
    "policy \"busy-node\" {\n"
    "    match cgroup \"/lxc/*\"\n"
    "    rule \"busy\" {\n"
    "        when cpu > 0.5 cores and node.cpu > 50% for 10s\n"
    "        do   io write-limit 10M/s\n"
    "    }\n"
    "}\n"
    "policy \"jvm\" {\n"
    "    match process \"java\"\n"
    "    rule \"any\" {\n"
    "        when cpu > 0.01 cores\n"
    "        do   cpu shares 128\n"
    "    }\n"
    "}\n";

static char test_dir[] = "/tmp/test_simulate.XXXXXX";

/* --- the history ------------------------------------------------------------- */

static int
in_burst(int k, int start, int n)
{
	return k >= start && k < start + n;
}

/* CPU time of A over tick k (the tick at T0 + k s, covering the second
 * before it). */
static int64_t
a_cpu_us(int k)
{
	return in_burst(k, BURST1, BURST1_TICKS) || in_burst(k, BURST2, BURST2_TICKS) ?
	    HI_US : LO_US;
}

static int64_t
node_busy_ms(int k)
{
	return in_burst(k, NODE_BUSY, NODE_BUSY_TICKS) ? 3000 : 1000;    /* of 4000 */
}

static char *
test_path(const char *name)
{
	return xasprintf("%s/%s", test_dir, name);
}

static struct policy_set *
load_text(const char *text)
{
	struct policy_set *ps = NULL;
	struct pol_diags d = { 0 };

	if (policy_parse_buffer("test.policy", text, strlen(text), &ps, &d) == 0)
		policy_check(ps, 2, &d);
	if (d.nerrors != 0)
		pol_diags_print(&d, stderr);
	assert_int_equal(d.nerrors, 0);
	pol_diags_free(&d);
	return ps;
}

static struct policy_set *
load_policies(void)
{
	return load_text(POLICIES);
}

static struct store_sample
sample(int64_t cid, int k, int64_t cpu_us)
{
	struct store_sample s = {
		.cid = cid, .mem_bytes = 200 * MiB, .swap_bytes = 0,
		.cpu_us = k == 0 ? STORE_NULL : cpu_us,     /* no delta at the first tick */
		.nr_periods = STORE_NULL, .nr_throttled = STORE_NULL,
		.throttled_us = STORE_NULL, .rbytes = STORE_NULL, .wbytes = STORE_NULL,
		.rios = STORE_NULL, .wios = STORE_NULL, .pids = 5, .oom = STORE_NULL,
		.oom_kill = STORE_NULL, .psi_cpu_us = STORE_NULL, .psi_mem_us = STORE_NULL,
		.psi_io_us = STORE_NULL,
	};

	return s;
}

static struct store_limits
limits(int64_t cid)
{
	struct store_limits l = {
		.cid = cid, .mem_limit = 1024 * MiB, .mem_high = STORE_UNLIMITED,
		.swap_limit = 256 * MiB, .cpu_shares = 1024, .cpu_quota_us = STORE_UNLIMITED,
		.cpu_period_us = 100000, .pids_max = STORE_UNLIMITED,
	};

	return l;
}

/* Writes the raw history (ticks 0 .. NTICKS - 1) to a new file. */
static char *
write_history(const char *name, int64_t *ret_a, int64_t *ret_b)
{
	char *path = test_path(name);
	struct store *st;
	int64_t a, b;

	assert_int_equal(store_open(path, 0, &st), 0);
	assert_int_equal(store_container_upsert(st, "/lxc/a", "a", "lxc", T0, &a), 0);
	assert_int_equal(store_container_upsert(st, "/docker/b", "b", "docker", T0, &b), 0);
	for (int k = 0; k < NTICKS; k++) {
		struct store_sample sa = sample(a, k, a_cpu_us(k)), sb = sample(b, k, B_US);
		struct store_node n = {
			.mem_total = 16384 * MiB, .mem_available = 8192 * MiB,
			.swap_total = 0, .swap_free = 0,
			.cpu_busy_ms = k == 0 ? STORE_NULL : node_busy_ms(k),
			.cpu_total_ms = k == 0 ? STORE_NULL : 4000,
			.ncpu = 4, .load1 = 100, .psi_cpu_us = STORE_NULL,
			.psi_mem_us = STORE_NULL, .psi_io_us = STORE_NULL,
		};

		assert_int_equal(store_tick_begin(st, T0 + k * SEC, k == 0 ? 0 : SEC), 0);
		assert_int_equal(store_tick_add_sample(st, &sa), 0);
		assert_int_equal(store_tick_add_sample(st, &sb), 0);
		if (k == 0) {
			struct store_limits la = limits(a), lb = limits(b);

			assert_int_equal(store_tick_add_limits(st, &la), 0);
			assert_int_equal(store_tick_add_limits(st, &lb), 0);
		}
		assert_int_equal(store_tick_add_node(st, &n), 0);
		assert_int_equal(store_tick_commit(st), 0);
	}
	store_close(st);
	*ret_a = a;
	*ret_b = b;
	return path;
}

static struct store *
open_ro(const char *path)
{
	struct store *st;

	assert_int_equal(store_open(path, STORE_RDONLY, &st), 0);
	return st;
}

/* --- looking at a result ------------------------------------------------------ */

static const struct sim_rule *
rule_of(const struct sim_result *r, const char *rule)
{
	for (size_t i = 0; i < r->nrules; i++)
		if (strcmp(r->rules[i].rule->name, rule) == 0)
			return &r->rules[i];
	fail_msg("no rule %s", rule);
	return NULL;
}

static size_t
count_firings(const struct sim_result *r, const char *path, const char *rule)
{
	size_t n = 0;

	for (size_t k = 0; k < r->nfirings; k++)
		if ((path == NULL || strcmp(r->ct[r->firings[k].ct].path, path) == 0) &&
		    (rule == NULL || strcmp(r->firings[k].rule->name, rule) == 0))
			n++;
	return n;
}

static const struct sim_firing *
firing_of(const struct sim_result *r, const char *path, const char *rule)
{
	for (size_t k = 0; k < r->nfirings; k++)
		if (strcmp(r->ct[r->firings[k].ct].path, path) == 0 &&
		    strcmp(r->firings[k].rule->name, rule) == 0)
			return &r->firings[k];
	fail_msg("%s never fired %s", path, rule);
	return NULL;
}

/* The replay at raw resolution: the exact tick the governor fires at. */
static void
check_raw(const struct sim_result *r)
{
	const struct sim_firing *f;
	/* `for 30s` fires at the first tick where now - (first tick WHEN was
	 * true) >= 30 s; the default UNTIL clears once WHEN has been false for
	 * 60 s, counted from the first tick it was false. */
	int64_t fire = T0 + BURST2 * SEC + HOG_FOR;
	int64_t clear = T0 + (BURST2 + BURST2_TICKS) * SEC + POL_DEFAULT_UNTIL_FOR_MS;

	assert_int_equal(r->steps[ROLL_RAW], NTICKS);
	assert_int_equal(r->steps[ROLL_MINUTE], 0);
	assert_int_equal(r->nct, 2);
	assert_int_equal(r->ngoverned, 2);
	assert_int_equal(r->nproc, 1);

	/* The 29 s burst never fired; the 60 s one exactly once. */
	assert_int_equal(count_firings(r, "/lxc/a", "hog"), 1);
	f = firing_of(r, "/lxc/a", "hog");
	assert_int_equal(f->start_ms, fire);
	assert_int_equal(f->end_ms, clear);
	assert_int_equal(f->gone, 0);
	/* The ladder: shares halved at once (1024 -> 512), the quota when
	 * WHEN still holds `escalate` later. */
	assert_int_equal(f->nwants, 2);
	assert_int_equal(f->wants[0].rung, 0);
	assert_int_equal(f->wants[0].knob, PK_CPU_WEIGHT);
	assert_int_equal(f->wants[0].value, 512);
	assert_int_equal(f->wants[0].start_ms, fire);
	assert_non_null(strstr(f->wants[0].why, "cpu 0.8 cores > 0.5 cores for 30s"));
	assert_int_equal(f->wants[1].rung, 1);
	assert_int_equal(f->wants[1].knob, PK_CPU_QUOTA);
	assert_int_equal(f->wants[1].value, 1000);
	assert_int_equal(f->wants[1].start_ms, fire + HOG_ESCALATE);
	assert_non_null(strstr(f->end_why, "for 1m"));

	/* Node metrics of the same tick: the node turns busy at BURST2 too. */
	assert_int_equal(count_firings(r, NULL, "busy"), 1);
	f = firing_of(r, "/lxc/a", "busy");
	assert_int_equal(f->start_ms, T0 + NODE_BUSY * SEC + BUSY_FOR);
	assert_int_equal(f->end_ms, T0 + (NODE_BUSY + NODE_BUSY_TICKS) * SEC +
	    POL_DEFAULT_UNTIL_FOR_MS);

	/* B never above 0.5; the docker policy matches B alone and B stays
	 * at 0.2 > 0.15 cores all along: it fires once, from the first tick
	 * with a rate, and never clears. A, above 0.15 too, is never touched. */
	assert_int_equal(count_firings(r, "/docker/b", "hog"), 0);
	assert_int_equal(count_firings(r, "/lxc/a", "small"), 0);
	assert_int_equal(count_firings(r, "/docker/b", "small"), 1);
	f = firing_of(r, "/docker/b", "small");
	assert_int_equal(f->start_ms, T0 + 1 * SEC + 10 * SEC);
	assert_true(f->end_ms == STORE_NULL);
	assert_int_equal(rule_of(r, "small")->matched, 1);
	assert_int_equal(rule_of(r, "hog")->matched, 2);
	assert_int_equal(rule_of(r, "busy")->matched, 1);
	/* `match process` cannot be replayed: nothing matched, nothing fired. */
	assert_int_equal(rule_of(r, "any")->matched, 0);
	assert_int_equal(count_firings(r, NULL, "any"), 0);
	/* The summary per rule. */
	assert_int_equal(rule_of(r, "hog")->firings, 1);
	assert_int_equal(rule_of(r, "hog")->fired, 1);
	assert_int_equal(rule_of(r, "hog")->held_ms, clear - fire);
	assert_int_equal(r->end_ms, T0 + (NTICKS - 1) * SEC);
	assert_int_equal(rule_of(r, "small")->held_ms, r->end_ms - (T0 + 11 * SEC));
}

/* --- the engine alone, fed the records roll_scan would hand over ---------- */

static struct roll_rec
raw_rec(int64_t cid, int k, int64_t cpu_us)
{
	struct roll_rec r;

	memset(&r, 0, sizeof r);
	r.cid = cid;
	r.tier = ROLL_RAW;
	r.ts_ms = T0 + k * SEC;
	r.n = 1;
	r.dt_ms = k == 0 ? 0 : SEC;
	r.mem_min = r.mem_avg = r.mem_max = r.mem_p95 = 200.0 * MiB;
	r.swap_avg = r.swap_max = 0;
	r.pids_avg = r.pids_max = 5;
	r.cpu_us = k == 0 ? NAN : (double)cpu_us;
	r.nr_periods = r.nr_throttled = r.throttled_us = NAN;
	r.rbytes = r.wbytes = r.rios = r.wios = NAN;
	r.psi_cpu_us = r.psi_mem_us = r.psi_io_us = NAN;
	r.cpu_p95 = r.cpu_max = r.cpu_us / 1e6;
	r.io_p95 = r.iops_p95 = NAN;
	r.oom = r.oom_kill = STORE_NULL;
	r.mem_limit = 1024.0 * MiB;
	r.swap_limit = 256.0 * MiB;
	r.cpu_shares = 1024;
	r.cpu_limit_cores = INFINITY;
	return r;
}

static struct roll_node_rec
raw_node(int k)
{
	struct roll_node_rec n;

	memset(&n, 0, sizeof n);
	n.tier = ROLL_RAW;
	n.ts_ms = T0 + k * SEC;
	n.n = 1;
	n.dt_ms = k == 0 ? 0 : SEC;
	n.ncpu = 4;
	n.mem_total = 16384.0 * MiB;
	n.mem_avail_min = n.mem_avail_avg = 8192.0 * MiB;
	n.swap_total = n.swap_free_min = n.swap_free_avg = 0;
	n.cpu_busy_ms = k == 0 ? NAN : (double)node_busy_ms(k);
	n.cpu_total_ms = k == 0 ? NAN : 4000;
	n.cpu_busy_p95 = 100 * n.cpu_busy_ms / 4000;
	n.load1_avg = n.load1_max = 1;
	n.psi_cpu_us = n.psi_mem_us = n.psi_io_us = NAN;
	return n;
}

static void
feed(struct sim *s, int node_first)
{
	for (int k = 0; k < NTICKS; k++) {
		struct roll_rec a = raw_rec(1, k, a_cpu_us(k)), b = raw_rec(2, k, B_US);
		struct roll_node_rec n = raw_node(k);

		if (node_first)
			assert_int_equal(sim_node(s, &n), 0);
		assert_int_equal(sim_rec(s, &a), 0);
		assert_int_equal(sim_rec(s, &b), 0);
		if (!node_first)
			assert_int_equal(sim_node(s, &n), 0);
	}
}

static void
test_engine(void **state TEST_UNUSED)
{
	struct store_container cts[] = {
		{ .cid = 2, .path = "/docker/b", .name = "b", .runtime = "docker",
		  .gone_ms = STORE_NULL },
		{ .cid = 1, .path = "/lxc/a", .name = "a", .runtime = "lxc",
		  .gone_ms = STORE_NULL },
	};
	struct policy_set *ps = load_policies();
	struct sim_result r;
	struct sim *s;

	/* The node record of a tick may come before or after the containers'
	 * of the same tick: the replay gives the same answer either way. */
	for (int node_first = 0; node_first < 2; node_first++) {
		s = sim_new(ps, NULL, cts, 2, T0, T0 + NTICKS * SEC);
		feed(s, node_first);
		sim_finish(s, &r);
		check_raw(&r);
		/* Quiet ticks are not evaluated: B (always arming "small")
		 * and A while a rule is armed. */
		assert_true(r.evals < NTICKS + NTICKS / 2);
		sim_result_free(&r);
	}
	policy_set_free(ps);
}

/* A container that vanishes while a rule holds: the firing ends with it. */
static void
test_engine_gone(void **state TEST_UNUSED)
{
	struct store_container ct = { .cid = 1, .path = "/lxc/a", .name = "a",
	    .runtime = "lxc", .gone_ms = T0 + 340 * SEC };
	struct policy_set *ps = load_policies();
	const struct sim_firing *f;
	struct sim_result r;
	struct sim *s = sim_new(ps, NULL, &ct, 1, T0, T0 + NTICKS * SEC);

	for (int k = 0; k < NTICKS; k++) {
		struct roll_rec a = raw_rec(1, k, a_cpu_us(k));
		struct roll_node_rec n = raw_node(k);

		if (k <= 340)
			assert_int_equal(sim_rec(s, &a), 0);
		assert_int_equal(sim_node(s, &n), 0);
	}
	sim_finish(s, &r);
	f = firing_of(&r, "/lxc/a", "hog");
	assert_int_equal(f->start_ms, T0 + BURST2 * SEC + HOG_FOR);
	assert_int_equal(f->end_ms, T0 + 340 * SEC);
	assert_int_equal(f->gone, 1);
	sim_result_free(&r);
	policy_set_free(ps);
}

/* Two rules on one knob: the lower value wins (doc/governor.md,
 * "Overlaps"); the rung that loses says which value holds the knob. */
static void
test_engine_overlap(void **state TEST_UNUSED)
{
	struct store_container ct = { .cid = 1, .path = "/lxc/a", .name = "a",
	    .runtime = "lxc", .gone_ms = STORE_NULL };
	struct policy_set *ps = load_text(
	    "policy \"p\" {\n"
	    "    rule \"soft\" { when cpu > 0.5 cores do cpu shares 256 }\n"
	    "    rule \"late\" { when cpu > 0.7 cores for 5s do cpu shares 512 }\n"
	    "}\n");
	const struct sim_firing *f;
	struct sim_result r;
	struct sim *s = sim_new(ps, NULL, &ct, 1, T0, T0 + NTICKS * SEC);

	for (int k = 0; k < NTICKS; k++) {
		struct roll_rec a = raw_rec(1, k, a_cpu_us(k));

		assert_int_equal(sim_rec(s, &a), 0);
	}
	sim_finish(s, &r);
	f = firing_of(&r, "/lxc/a", "soft");
	assert_int_equal(f->start_ms, T0 + BURST1 * SEC);    /* no `for`: at once */
	assert_int_equal(f->wants[0].value, 256);
	assert_string_equal(f->wants[0].note, "");
	f = firing_of(&r, "/lxc/a", "late");
	assert_int_equal(f->start_ms, T0 + BURST1 * SEC + 5 * SEC);
	assert_int_equal(f->nwants, 1);
	assert_true(f->wants[0].value == GOV_UNKNOWN);
	assert_int_equal(f->wants[0].knob, PK_CPU_WEIGHT);
	assert_non_null(strstr(f->wants[0].note, "256 of policy \"p\" rule \"soft\" wins"));
	/* Both bursts fire both rules. */
	assert_int_equal(rule_of(&r, "soft")->firings, 2);
	assert_int_equal(rule_of(&r, "late")->firings, 2);
	sim_result_free(&r);
	policy_set_free(ps);
}

/* --- the daemon's own path on the same figures ---------------------------------- */

struct ref_ev {
	uint64_t key;
	char rule[32];
	int rung;                       /* -1: cleared */
	int64_t ms;
};

static int
ref_cmp(const void *a, const void *b)
{
	const struct ref_ev *x = a, *y = b;
	int c;

	if (x->key != y->key)
		return x->key < y->key ? -1 : 1;
	if ((c = strcmp(x->rule, y->rule)) != 0)
		return c;
	if (x->ms != y->ms)
		return x->ms < y->ms ? -1 : 1;
	return x->rung - y->rung;
}

/* What cgovd decides for this history: cumulative counters as the sampler
 * reads them, metrics by metrics_from_samples, the governor at each tick. */
static size_t
daemon_events(const struct policy_set *ps, int64_t a, int64_t b, struct ref_ev *out, size_t max)
{
	struct gov_config cfg = { .cgroup_version = 2 };
	struct gov *g = gov_new(&cfg);
	struct cg_sample cur[2], prev[2];
	struct metrics_growth gr[2] = { { 0 } };
	struct cg_node ncur, nprev;
	struct gov_metrics node, m;
	const char *paths[2] = { "/lxc/a", "/docker/b" };
	const char *rts[2] = { "lxc", "docker" };
	int64_t keys[2] = { a, b };
	size_t n = 0;

	gov_set_policies(g, ps);
	memset(&ncur, 0xff, sizeof ncur);
	ncur.mem.mem_total = 16384 * MiB;
	ncur.mem.mem_available = 8192 * MiB;
	ncur.mem.swap_total = ncur.mem.swap_free = 0;
	ncur.cpu.busy = 1000000;
	ncur.cpu.total = 4000000;
	for (int i = 0; i < 2; i++) {
		memset(&cur[i], 0xff, sizeof cur[i]);     /* CG_UNKNOWN */
		cur[i].mem_current = 200 * MiB;
		cur[i].mem_limit = 1024 * MiB;
		cur[i].swap_current = 0;
		cur[i].swap_limit = 256 * MiB;
		cur[i].cpu_usage_us = 5000000000ULL;
		cur[i].cpu_shares = 1024;
		cur[i].cpu_quota_us = CG_UNLIMITED;
		cur[i].cpu_period_us = 100000;
		cur[i].pids_current = 5;
		cur[i].pids_max = CG_UNLIMITED;
	}
	for (int k = 0; k < NTICKS; k++) {
		int64_t now = T0 + k * SEC;

		if (k > 0) {
			nprev = ncur;
			ncur.cpu.busy += (uint64_t)node_busy_ms(k) / 10;   /* USER_HZ ticks */
			ncur.cpu.total += 400;
		}
		metrics_node_from_samples(&ncur, k > 0 ? &nprev : NULL, k > 0 ? SEC : 0, &node);
		for (int i = 0; i < 2; i++) {
			const struct gov_want *w;
			const struct gov_event *ev;
			size_t nw, nev;
			struct gov_ct ct = { .key = (uint64_t)keys[i], .path = paths[i],
			    .runtime = rts[i] };

			if (k > 0) {
				prev[i] = cur[i];
				cur[i].cpu_usage_us += (uint64_t)(i == 0 ? a_cpu_us(k) : B_US);
			}
			metrics_from_samples(&cur[i], k > 0 ? &prev[i] : NULL, k > 0 ? SEC : 0,
			    &gr[i], &m);
			for (int j = PM_NODE_CPU; j < PM__MAX; j++) {
				m.v[j] = node.v[j];
				m.limit[j] = node.limit[j];
			}
			for (int j = 0; j < PK__MAX; j++)
				ct.base[j] = GOV_UNKNOWN;
			ct.base[PK_MEM_LIMIT] = 1024 * MiB;
			ct.base[PK_SWAP_BUFFER] = 256 * MiB;
			ct.base[PK_CPU_WEIGHT] = 1024;
			ct.base[PK_CPU_QUOTA] = POL_MAX;
			ct.base[PK_PIDS_MAX] = POL_MAX;
			gov_eval(g, &ct, &m, now, &w, &nw);
			gov_events(g, &ev, &nev);
			for (size_t e = 0; e < nev; e++) {
				if (ev[e].to != GS_ACTIVE && ev[e].from != GS_ACTIVE)
					continue;
				assert_true(n < max);
				out[n].key = ev[e].key;
				snprintf(out[n].rule, sizeof out[n].rule, "%s", ev[e].rule->name);
				out[n].rung = ev[e].to == GS_ACTIVE ? ev[e].rung : -1;
				out[n].ms = ev[e].since_ms;
				n++;
			}
		}
	}
	gov_free(g);
	qsort(out, n, sizeof *out, ref_cmp);
	return n;
}

static size_t
sim_events_of(const struct sim_result *r, struct ref_ev *out, size_t max)
{
	size_t n = 0;

	for (size_t k = 0; k < r->nfirings; k++) {
		const struct sim_firing *f = &r->firings[k];

		for (size_t j = 0; j < f->nwants; j++) {
			if (j > 0 && f->wants[j].rung == f->wants[j - 1].rung)
				continue;
			assert_true(n < max);
			out[n].key = (uint64_t)r->ct[f->ct].cid;
			snprintf(out[n].rule, sizeof out[n].rule, "%s", f->rule->name);
			out[n].rung = f->wants[j].rung;
			out[n].ms = f->wants[j].start_ms;
			n++;
		}
		if (f->end_ms != STORE_NULL && !f->gone) {
			assert_true(n < max);
			out[n].key = (uint64_t)r->ct[f->ct].cid;
			snprintf(out[n].rule, sizeof out[n].rule, "%s", f->rule->name);
			out[n].rung = -1;
			out[n].ms = f->end_ms;
			n++;
		}
	}
	qsort(out, n, sizeof *out, ref_cmp);
	return n;
}

/* --- on a store -------------------------------------------------------------------- */

static void
test_store_raw(void **state TEST_UNUSED)
{
	struct policy_set *ps = load_policies();
	struct ref_ev want[64], got[64];
	struct sim_result r;
	struct store *st;
	int64_t a, b, latest;
	char *path = write_history("raw.db", &a, &b);
	size_t nwant, ngot;

	st = open_ro(path);
	assert_int_equal(roll_latest_ms(st, &latest), 0);
	assert_int_equal(latest, T0 + (NTICKS - 1) * SEC);
	assert_int_equal(simulate_run(st, ps, NULL, T0, latest + 1, 0, &r), 0);
	check_raw(&r);
	assert_int_equal(r.records[ROLL_RAW], 2 * NTICKS);

	/* The same decisions, at the same times, as the daemon's path. */
	nwant = daemon_events(ps, a, b, want, 64);
	ngot = sim_events_of(&r, got, 64);
	assert_true(nwant >= 5);
	assert_int_equal(ngot, nwant);
	for (size_t i = 0; i < nwant; i++) {
		assert_int_equal(got[i].key, want[i].key);
		assert_string_equal(got[i].rule, want[i].rule);
		assert_int_equal(got[i].rung, want[i].rung);
		assert_int_equal(got[i].ms, want[i].ms);
	}
	sim_result_free(&r);

	/* A window that starts after the storm: nothing of A's fires. */
	assert_int_equal(simulate_run(st, ps, NULL, T0 + 400 * SEC, latest + 1, 0, &r), 0);
	assert_int_equal(count_firings(&r, "/lxc/a", NULL), 0);
	assert_int_equal(r.steps[ROLL_RAW], NTICKS - 400);
	sim_result_free(&r);
	store_close(st);
	free(path);
	policy_set_free(ps);
}

/* The firing at minute resolution: a minute whose mean holds WHEN for the
 * whole minute fires at its end; the restore comes at the end of the
 * minute where the default UNTIL has held 60 s. */
static void
check_minute(const struct sim_result *r)
{
	int64_t bucket = (T0 + BURST2 * SEC) / MINUTE * MINUTE;
	int64_t drop = (T0 + (BURST2 + BURST2_TICKS) * SEC) / MINUTE * MINUTE;
	const struct sim_firing *f;

	assert_true(r->steps[ROLL_MINUTE] >= NTICKS / 60 - 1);
	assert_int_equal(count_firings(r, "/lxc/a", "hog"), 1);
	f = firing_of(r, "/lxc/a", "hog");
	assert_int_equal(f->start_ms, bucket + MINUTE);
	assert_int_equal(f->end_ms, drop + POL_DEFAULT_UNTIL_FOR_MS);
	assert_int_equal(f->wants[0].value, 512);
	assert_int_equal(count_firings(r, "/docker/b", "hog"), 0);
	assert_int_equal(count_firings(r, "/lxc/a", "small"), 0);
}

static void
test_store_minute(void **state TEST_UNUSED)
{
	struct policy_set *ps = load_policies();
	struct roll_conf conf;
	enum roll_work work;
	struct sim_result r;
	struct store *st;
	int64_t a, b;
	char *path = write_history("minute.db", &a, &b);
	int steps = 0;

	/* The daemon's rollup, up to an hour after the history. */
	assert_int_equal(store_open(path, 0, &st), 0);
	roll_conf_defaults(&conf);
	do {
		assert_int_equal(roll_step(st, &conf, T0 + 3600 * SEC, &work), 0);
	} while (work != ROLL_IDLE && ++steps < 1000);
	assert_int_equal(work, ROLL_IDLE);
	store_close(st);

	st = open_ro(path);
	assert_int_equal(simulate_run(st, ps, NULL, T0, T0 + NTICKS * SEC, MINUTE, &r), 0);
	assert_int_equal(r.steps[ROLL_MINUTE], NTICKS / 60);
	assert_int_equal(r.steps[ROLL_RAW], 0);
	check_minute(&r);
	sim_result_free(&r);
	/* The finest resolution is still the raw one. */
	assert_int_equal(simulate_run(st, ps, NULL, T0, T0 + NTICKS * SEC, 0, &r), 0);
	check_raw(&r);
	sim_result_free(&r);
	store_close(st);
	free(path);
	policy_set_free(ps);
}

/* Only minute rows (raw history gone): they are what a raw replay gets. */
static void
test_put_minute(void **state TEST_UNUSED)
{
	struct policy_set *ps = load_policies();
	char *path = test_path("put.db");
	struct sim_result r;
	struct store *st;
	int64_t a, b;

	assert_int_equal(store_open(path, 0, &st), 0);
	assert_int_equal(store_container_upsert(st, "/lxc/a", "a", "lxc", T0, &a), 0);
	assert_int_equal(store_container_upsert(st, "/docker/b", "b", "docker", T0, &b), 0);
	assert_int_equal(roll_begin(st), 0);
	for (int m = 0; m < NTICKS / 60; m++) {
		struct roll_node_rec n = raw_node(1);
		double acpu = 0, abusy = 0;

		for (int k = m * 60; k < m * 60 + 60; k++) {
			acpu += (double)a_cpu_us(k);
			abusy += (double)node_busy_ms(k);
		}
		for (int i = 0; i < 2; i++) {
			struct roll_rec rec = raw_rec(i == 0 ? a : b, 1, 0);

			rec.tier = ROLL_MINUTE;
			rec.ts_ms = T0 + m * MINUTE;
			rec.n = 60;
			rec.dt_ms = MINUTE;
			rec.cpu_us = i == 0 ? acpu : 60.0 * B_US;
			rec.cpu_p95 = rec.cpu_max = rec.cpu_us / 60e6;
			assert_int_equal(roll_put(st, &rec), 0);
		}
		n.tier = ROLL_MINUTE;
		n.ts_ms = T0 + m * MINUTE;
		n.n = 60;
		n.dt_ms = MINUTE;
		n.cpu_busy_ms = abusy;
		n.cpu_total_ms = 60 * 4000.0;
		assert_int_equal(roll_put_node(st, &n), 0);
	}
	assert_int_equal(roll_commit(st), 0);
	store_close(st);

	st = open_ro(path);
	assert_int_equal(simulate_run(st, ps, NULL, T0, T0 + NTICKS * SEC, 0, &r), 0);
	assert_int_equal(r.steps[ROLL_MINUTE], NTICKS / 60);
	assert_int_equal(r.steps[ROLL_RAW], 0);
	check_minute(&r);
	sim_result_free(&r);
	store_close(st);
	free(path);
	policy_set_free(ps);
}

static int
test_setup(void **state TEST_UNUSED)
{
	log_init("test_simulate", 0, LOG_LEVEL_ERR);
	return mkdtemp(test_dir) == NULL ? -1 : 0;
}

static int
test_teardown(void **state TEST_UNUSED)
{
	return testdir_remove(test_dir);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_engine),
		cmocka_unit_test(test_engine_gone),
		cmocka_unit_test(test_engine_overlap),
		cmocka_unit_test(test_store_raw),
		cmocka_unit_test(test_store_minute),
		cmocka_unit_test(test_put_minute),
	};

	return cmocka_run_group_tests(tests, test_setup, test_teardown);
}
