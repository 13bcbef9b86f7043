/* test_window.c: relative, contention and windowed conditions (issue 11):
 * the window ring (fill, mean, unknown), the parser's new forms and their
 * diagnostics, gov_cond_true on "% of node|share|device" and others.*, and
 * the governor firing a windowed rule on a bursty writer where `for` does
 * not. One tick is one second. */
#include "config.h"

#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "contention.h"
#include "govern.h"
#include "policy.h"
#include "window.h"

#define MiB (1024.0 * 1024)

/* --- the ring ------------------------------------------------------------ */

static void
test_window_fill(void **state)
{
	struct win w;

	(void)state;
	win_init(&w, 10000);
	assert_true(isnan(win_mean(&w, 0)));
	win_push(&w, 0, 5);                     /* starts the window */
	for (int64_t t = 1000; t < 10000; t += 1000) {
		win_push(&w, t, 5);
		assert_true(isnan(win_mean(&w, t)));    /* not observed for 10s yet */
	}
	win_push(&w, 10000, 5);
	assert_float_equal(win_mean(&w, 10000), 5, 1e-9);
}

static void
test_window_mean_slides(void **state)
{
	struct win w;
	int64_t t;

	(void)state;
	win_init(&w, 60000);
	/* 40 s at 100, then 20 s at 0: the mean is two thirds of 100. */
	for (t = 0; t <= 40000; t += 1000)
		win_push(&w, t, 100);
	for (; t <= 60000; t += 1000)
		win_push(&w, t, 0);
	assert_float_equal(win_mean(&w, 60000), 40000.0 * 100 / 60000, 2);
	/* Another minute of 0: the 100s have slid out. */
	for (; t <= 121000; t += 1000)
		win_push(&w, t, 0);
	assert_float_equal(win_mean(&w, 121000), 0, 1e-9);
}

static void
test_window_time_weighted(void **state)
{
	struct win w;

	(void)state;
	win_init(&w, 10000);
	win_push(&w, 0, 0);
	win_push(&w, 9000, 10);                 /* 9 s at 10 */
	win_push(&w, 9010, 1000);               /* 10 ms at 1000: an event's extra look */
	win_push(&w, 9010, 1e9);                /* same time: ignored */
	win_push(&w, 10000, 10);
	assert_float_equal(win_mean(&w, 10000), (9990.0 * 10 + 10 * 1000) / 10000, 1e-6);
}

static void
test_window_unknown(void **state)
{
	struct win w;
	int64_t t;

	(void)state;
	win_init(&w, 10000);
	win_push(&w, 0, NAN);
	for (t = 1000; t <= 6000; t += 1000)
		win_push(&w, t, NAN);           /* 6 s unknown */
	for (; t <= 10000; t += 1000)
		win_push(&w, t, 7);             /* 4 s known: under half */
	assert_true(isnan(win_mean(&w, 10000)));
	win_push(&w, 11000, 7);
	win_push(&w, 12000, 7);                 /* 6 s known of 10 */
	assert_float_equal(win_mean(&w, 12000), 7, 1e-9);
	/* Reset (a policy stopped matching): unknown again. */
	win_init(&w, 10000);
	assert_true(isnan(win_mean(&w, 12000)));
}

static void
test_window_bounded(void **state)
{
	struct win w;

	(void)state;
	/* 10 minutes at 50 ms a push: still WIN_SLOTS + 1 slots, the mean exact. */
	win_init(&w, POL_MAX_WINDOW_MS);
	for (int64_t t = 0; t <= POL_MAX_WINDOW_MS + 5000; t += 50)
		win_push(&w, t, (t / 50) % 2 ? 3 : 1);
	assert_float_equal(win_mean(&w, POL_MAX_WINDOW_MS + 5000), 2, 0.01);
	assert_int_equal(sizeof w.slot / sizeof w.slot[0], WIN_SLOTS + 1);
}

/* --- the language ----------------------------------------------------------- */

static struct policy_set *
parse_ok(const char *when)
{
	char text[1024];
	struct policy_set *ps = NULL;
	struct pol_diags d = { 0 };
	size_t nerr;

	snprintf(text, sizeof text, "policy \"p\" {\n\trule \"r\" {\n\t\twhen %s\n"
	    "\t\tdo cpu quota 1 core\n\t}\n}\n", when);
	nerr = policy_parse_buffer("t.policy", text, strlen(text), &ps, &d);
	if (nerr == 0)
		nerr = policy_check(ps, 2, &d);
	if (nerr != 0)
		pol_diags_print(&d, stderr);
	assert_int_equal(nerr, 0);
	pol_diags_free(&d);
	return ps;
}

/* The first diagnostic of `when W` as "line:col: msg". */
static void
parse_err(const char *when, const char *want)
{
	char text[1024], got[512];
	struct policy_set *ps = NULL;
	struct pol_diags d = { 0 };
	size_t nerr;

	snprintf(text, sizeof text, "policy \"p\" {\n\trule \"r\" {\n\t\twhen %s\n"
	    "\t\tdo cpu quota 1 core\n\t}\n}\n", when);
	nerr = policy_parse_buffer("t.policy", text, strlen(text), &ps, &d);
	if (nerr == 0)
		nerr = policy_check(ps, 2, &d);
	assert_true(nerr > 0);
	snprintf(got, sizeof got, "%d:%d: %s", d.v[0].line, d.v[0].col, d.v[0].msg);
	assert_string_equal(got, want);
	pol_diags_free(&d);
	policy_set_free(ps);
}

static void
test_parse_forms(void **state)
{
	static const struct {
		const char *in, *out;
		enum pol_metric m;
		enum pol_of of;
		enum pol_win win;
		uint64_t win_ms;
	} cases[] = {
		{ "cpu > 50% of node", "cpu > 50% of node", PM_CPU, POF_NODE, PW_NONE, 0 },
		{ "cpu >= 150% of share", "cpu >= 150% of share", PM_CPU, POF_SHARE, PW_NONE, 0 },
		{ "io.write > 60% of device", "io.write > 60% of device", PM_IO_WRITE, POF_DEVICE,
		  PW_NONE, 0 },
		{ "io.read-iops > 30% of device", "io.read-iops > 30% of device", PM_IO_READ_IOPS,
		  POF_DEVICE, PW_NONE, 0 },
		{ "avg(io.write) over 60s > 60% of device", "avg(io.write) over 1m > 60% of device",
		  PM_IO_WRITE, POF_DEVICE, PW_AVG, 60000 },
		{ "avg(cpu) over 30s > 1.5 cores", "avg(cpu) over 30s > 1.5 cores", PM_CPU, POF_NONE,
		  PW_AVG, 30000 },
		{ "io.write > 60% of device during 50% of 1m",
		  "io.write > 60% of device during 50% of 1m", PM_IO_WRITE, POF_DEVICE, PW_DURING,
		  60000 },
		{ "others.pressure.cpu > 20%", "others.pressure.cpu > 20%", PM_OTHERS_PRESSURE_CPU,
		  POF_NONE, PW_NONE, 0 },
		{ "avg(others.pressure.io) over 10m >= 5%", "avg(others.pressure.io) over 10m >= 5%",
		  PM_OTHERS_PRESSURE_IO, POF_NONE, PW_AVG, 600000 },
	};

	(void)state;
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		struct policy_set *ps = parse_ok(cases[i].in), *again;
		const struct pol_cond *c = ps->v[0].rules[0].when;
		char buf[256];

		assert_int_equal(c->kind, PC_CMP);
		assert_int_equal(c->metric, cases[i].m);
		assert_int_equal(c->of, cases[i].of);
		assert_int_equal(c->win, cases[i].win);
		assert_int_equal(c->win_ms, cases[i].win_ms);
		assert_int_equal(c->of_limit, 0);
		pol_cond_format(c, buf, sizeof buf);
		assert_string_equal(buf, cases[i].out);
		again = parse_ok(buf);                  /* format -> parse -> same */
		pol_cond_format(again->v[0].rules[0].when, buf, sizeof buf);
		assert_string_equal(buf, cases[i].out);
		policy_set_free(again);
		policy_set_free(ps);
	}
}

static void
test_parse_errors(void **state)
{
	(void)state;
	parse_err("cpu > 50%", "3:14: a percentage of cpu needs \"of limit\", \"of node\" or "
	    "\"of share\"");
	parse_err("cpu > 50% of device", "3:21: cpu takes a percentage \"of limit\", \"of node\" "
	    "or \"of share\", not of \"device\"");
	parse_err("io.write > 60%", "3:19: a percentage of io.write needs \"of device\"");
	parse_err("io.write > 60% of node", "3:26: io.write takes a percentage \"of device\", "
	    "not of \"node\"");
	parse_err("memory > 90% of node", "3:24: memory takes a percentage \"of limit\", not of "
	    "\"node\"");
	parse_err("avg(io.write) over 11m > 1M/s", "3:27: a window must be above 0 and at most 10m");
	parse_err("avg(io.write) > 1M/s", "3:22: expected \"over\" and the window after "
	    "avg(io.write) (\"avg(io.write) over 60s\"), found \">\"");
	parse_err("avg io.write > 1M/s", "3:12: expected \"(\" after avg (\"avg(io.write) over "
	    "60s > 40M/s\"), found \"io.write\"");
	parse_err("io.write > 1M/s during 0% of 1m", "3:31: \"during\" takes a share of the window "
	    "above 0% and at most 100%");
	parse_err("io.write > 1M/s during 50% 1m", "3:35: expected \"of\" and the window "
	    "(\"during 50% of 60s\"), found \"1m\"");
	parse_err("avg(io.write) over 1m > 1M/s during 50% of 1m", "3:37: avg(...) over a window "
	    "and \"during\" do not combine: write one or the other");
	parse_err("cpu > 120% of node", "3:8: rule \"r\" can never fire: \"cpu > 120% of node\": "
	    "cpu never passes 100%");
	parse_err("others.pressure.mem > 1%", "3:8: unknown metric \"others.pressure.mem\"");
}

/* --- evaluation ------------------------------------------------------------- */

static void
metrics_unknown(struct gov_metrics *m)
{
	memset(m, 0, sizeof *m);
	for (int i = 0; i < PM__MAX; i++)
		m->v[i] = m->limit[i] = NAN;
	m->ncpu = m->share = NAN;
	for (int i = 0; i < 4; i++)
		m->dev[i] = NAN;
}

static int
holds(const char *when, const struct gov_metrics *m)
{
	struct policy_set *ps = parse_ok(when);
	int r = gov_cond_true(ps->v[0].rules[0].when, m);

	policy_set_free(ps);
	return r;
}

static void
test_eval_relative(void **state)
{
	struct gov_metrics m;

	(void)state;
	metrics_unknown(&m);
	m.v[PM_CPU] = 1.2;
	assert_false(holds("cpu > 50% of node", &m));        /* node size unknown */
	assert_false(holds("cpu < 50% of node", &m));        /* unknown is false both ways */
	m.ncpu = 2;
	assert_true(holds("cpu > 50% of node", &m));         /* 60% */
	assert_false(holds("cpu > 60% of node", &m));
	m.ncpu = 4;
	assert_false(holds("cpu > 50% of node", &m));        /* 30% of a bigger node */
	assert_false(holds("cpu > 150% of share", &m));      /* no share: nobody wants CPU */
	m.share = 0.75;
	assert_true(holds("cpu > 150% of share", &m));       /* 160% */
	m.share = 1;
	assert_false(holds("cpu > 150% of share", &m));
	/* Device capability: unknown until stated. */
	m.v[PM_IO_WRITE] = 300 * MiB;
	m.v[PM_IO_READ_IOPS] = 9000;
	assert_false(holds("io.write > 50% of device", &m));
	assert_false(holds("io.write < 50% of device", &m));
	m.dev[PM_IO_WRITE - PM_IO_READ] = 500 * MiB;
	m.dev[PM_IO_READ_IOPS - PM_IO_READ] = 20000;
	assert_true(holds("io.write > 50% of device", &m));  /* 60% */
	assert_false(holds("io.write > 60% of device", &m));
	assert_true(holds("io.read-iops >= 45% of device", &m));
	assert_false(holds("io.read > 1% of device", &m));   /* read capability unknown */
	m.v[PM_IO_WRITE] = NAN;
	assert_false(holds("io.write > 1% of device", &m));
	/* A window without the governor's ring is unknown. */
	m.v[PM_IO_WRITE] = 300 * MiB;
	assert_false(holds("avg(io.write) over 10s > 1% of device", &m));
	assert_false(holds("io.write > 1% of device during 10% of 10s", &m));
}

static void
test_eval_others(void **state)
{
	struct gov_metrics m;

	(void)state;
	metrics_unknown(&m);
	assert_false(holds("others.pressure.cpu > 20%", &m));
	assert_false(holds("others.pressure.cpu < 20%", &m));
	m.v[PM_OTHERS_PRESSURE_CPU] = 35;
	m.v[PM_CPU] = 1.8;
	m.share = 1;
	assert_true(holds("cpu > 150% of share and others.pressure.cpu > 20%", &m));
	m.v[PM_OTHERS_PRESSURE_CPU] = 5;
	assert_false(holds("cpu > 150% of share and others.pressure.cpu > 20%", &m));
}

/* --- contention: fair share, others' pressure ----------------------------------- */

static void
ct_metrics(struct gov_metrics *m, double cores, double psi_cpu, double psi_io)
{
	metrics_unknown(m);
	m->v[PM_CPU] = cores;
	m->v[PM_PRESSURE_CPU] = psi_cpu;
	m->v[PM_PRESSURE_IO] = psi_io;
}

static void
test_contention(void **state)
{
	struct contention c;
	struct gov_metrics hog, victim, idle, m;

	(void)state;
	/* A 4-CPU node: the hog (weight 512) and the victim (1024) want CPU,
	 * the idle one (1024) does not. */
	ct_metrics(&hog, 3.5, 0, 2);
	ct_metrics(&victim, 0.5, 40, NAN);
	ct_metrics(&idle, 0, 0, 7);
	contention_reset(&c);
	contention_add(&c, 1, &hog, 512, 0);
	contention_add(&c, 2, &victim, 1024, 0);
	contention_add(&c, 3, &idle, 1024, 0);
	m = hog;
	contention_fill(&c, 1, 512, contention_wants_cpu(&m), 4, &m);
	assert_float_equal(m.ncpu, 4, 1e-9);
	assert_float_equal(m.share, 4.0 * 512 / 1536, 1e-9);
	assert_float_equal(m.v[PM_OTHERS_PRESSURE_CPU], 40, 1e-9);     /* the victim waits */
	assert_float_equal(m.v[PM_OTHERS_PRESSURE_IO], 7, 1e-9);       /* not its own 2 */
	assert_true(isnan(m.v[PM_OTHERS_PRESSURE_MEMORY]));            /* nobody's known */
	assert_true(holds("cpu > 150% of share and others.pressure.cpu > 20%", &m));
	m = victim;
	contention_fill(&c, 2, 1024, contention_wants_cpu(&m), 4, &m);
	assert_float_equal(m.share, 4.0 * 1024 / 1536, 1e-9);
	assert_float_equal(m.v[PM_OTHERS_PRESSURE_CPU], 0, 1e-9);      /* its own 40 left out */
	assert_float_equal(m.v[PM_OTHERS_PRESSURE_IO], 7, 1e-9);
	/* The idle one is counted as if it joined. */
	m = idle;
	contention_fill(&c, 3, 1024, contention_wants_cpu(&m), 4, &m);
	assert_float_equal(m.share, 4.0 * 1024 / 2560, 1e-9);
	assert_float_equal(m.v[PM_OTHERS_PRESSURE_CPU], 40, 1e-9);
	assert_float_equal(m.v[PM_OTHERS_PRESSURE_IO], 2, 1e-9);       /* its own 7 left out */
	/* Unknown weight: the default; unknown node size: no share. */
	m = hog;
	contention_fill(&c, 1, 0, contention_wants_cpu(&m), NAN, &m);
	assert_true(isnan(m.share) && isnan(m.ncpu));
	/* Nobody wants CPU: no share. Nobody's pressure known: unknown. */
	ct_metrics(&idle, 0.01, NAN, NAN);
	contention_reset(&c);
	contention_add(&c, 3, &idle, 1024, 0);
	m = idle;
	contention_fill(&c, 3, 1024, contention_wants_cpu(&m), 4, &m);
	assert_true(isnan(m.share));
	assert_true(isnan(m.v[PM_OTHERS_PRESSURE_CPU]));
	/* Alone with a known pressure: the others are nobody, unknown. */
	ct_metrics(&hog, 2, 5, NAN);
	contention_reset(&c);
	contention_add(&c, 1, &hog, 1024, 0);
	m = hog;
	contention_fill(&c, 1, 1024, contention_wants_cpu(&m), 2, &m);
	assert_true(isnan(m.v[PM_OTHERS_PRESSURE_CPU]));
	assert_float_equal(m.share, 2, 1e-9);
	/* A hog cgov holds back on CPU waits (its cut weight) but is no
	 * "other" for CPU: the victim beside it sees no one waiting, and is not
	 * cut in turn. Its I/O pressure, not held, still counts; its weight
	 * still counts in the victim's share. */
	ct_metrics(&hog, 1, 100, 30);
	ct_metrics(&victim, 1, 0, 0);
	contention_reset(&c);
	contention_add(&c, 1, &hog, 256, CONTENTION_HELD_CPU);
	contention_add(&c, 2, &victim, 1024, 0);
	m = victim;
	contention_fill(&c, 2, 1024, contention_wants_cpu(&m), 2, &m);
	assert_true(isnan(m.v[PM_OTHERS_PRESSURE_CPU]));
	assert_float_equal(m.v[PM_OTHERS_PRESSURE_IO], 30, 1e-9);
	assert_float_equal(m.share, 2.0 * 1024 / 1280, 1e-9);
	assert_false(holds("cpu > 120% of share and others.pressure.cpu > 10%", &m));
	m = hog;
	contention_fill(&c, 1, 256, contention_wants_cpu(&m), 2, &m);
	assert_float_equal(m.v[PM_OTHERS_PRESSURE_CPU], 0, 1e-9);      /* the victim's */
	/* Between two ticks (a node pressure wake): a tenant that wanted no
	 * CPU at the tick spins now. It is counted in as joining: its share
	 * is half the node beside the victim, not the whole node. */
	ct_metrics(&idle, 0, 0, NAN);
	ct_metrics(&victim, 1, 5, NAN);
	contention_reset(&c);
	contention_add(&c, 1, &idle, 1024, 0);
	contention_add(&c, 2, &victim, 1024, 0);
	ct_metrics(&m, 1.5, 60, NAN);
	contention_fill(&c, 1, 1024, 0, 2, &m);
	assert_float_equal(m.share, 1, 1e-9);
	assert_true(holds("cpu > 100% of share", &m));
	/* Nobody wanted CPU at the tick, it does now: the node is its share. */
	contention_reset(&c);
	contention_add(&c, 1, &idle, 1024, 0);
	contention_fill(&c, 1, 1024, 0, 2, &m);
	assert_float_equal(m.share, 2, 1e-9);
	/* It wanted CPU at the tick and wants none now: counted once. */
	contention_reset(&c);
	contention_add(&c, 1, &victim, 1024, 0);
	contention_add(&c, 2, &victim, 1024, 0);
	ct_metrics(&m, 0, 0, NAN);
	contention_fill(&c, 1, 1024, 1, 2, &m);
	assert_float_equal(m.share, 1, 1e-9);
}

/* --- the governor ------------------------------------------------------------- */

struct gfx {
	struct policy_set *ps;
	struct gov *g;
	struct gov_ct ct;
	struct gov_metrics m;
};

static void
gfx_init(struct gfx *f, const char *when)
{
	struct gov_config cfg = { .cgroup_version = 2 };
	char text[512];
	struct pol_diags d = { 0 };

	memset(f, 0, sizeof *f);
	snprintf(text, sizeof text, "policy \"backup\" {\n\trule \"flood\" {\n\t\twhen %s\n"
	    "\t\tdo io write-limit 20M/s\n\t\tcooldown 1s\n\t}\n}\n", when);
	assert_int_equal(policy_parse_buffer("t.policy", text, strlen(text), &f->ps, &d), 0);
	pol_diags_free(&d);
	f->g = gov_new(&cfg);
	gov_set_policies(f->g, f->ps);
	f->ct.key = 7;
	f->ct.path = "/lxc/backup";
	f->ct.runtime = "lxc";
	f->ct.procs_known = 1;
	for (int k = 0; k < PK__MAX; k++)
		f->ct.base[k] = GOV_UNKNOWN;
	metrics_unknown(&f->m);
	f->m.dev[PM_IO_WRITE - PM_IO_READ] = 500 * MiB;
}

static void
gfx_free(struct gfx *f)
{
	gov_free(f->g);
	policy_set_free(f->ps);
}

/* A backup writing 4 s at 400M/s, then pausing 1 s, for `secs` seconds;
 * returns the second the write limit was first wanted, or -1. */
static int
gfx_run_backup(struct gfx *f, int secs)
{
	const struct gov_want *w;
	size_t nw;

	for (int t = 0; t <= secs; t++) {
		f->m.v[PM_IO_WRITE] = t % 5 == 4 ? 1 * MiB : 400 * MiB;
		gov_eval(f->g, &f->ct, &f->m, (int64_t)t * 1000, &w, &nw);
		for (size_t i = 0; i < nw; i++)
			if (w[i].knob == PK_IO_WBPS)
				return t;
	}
	return -1;
}

static void
test_gov_for_misses_bursts(void **state)
{
	struct gfx f;

	(void)state;
	/* The every-tick form with `for 10s`: each pause restarts it. */
	gfx_init(&f, "io.write > 60% of device for 10s");
	assert_int_equal(gfx_run_backup(&f, 120), -1);
	gfx_free(&f);
}

static void
test_gov_window_avg(void **state)
{
	struct gfx f;
	const struct gov_want *w;
	size_t nw;

	(void)state;
	/* Mean of 4/5 x 400M/s + 1/5 x 1M/s = 320M/s = 64% of 500M/s. */
	gfx_init(&f, "avg(io.write) over 30s > 60% of device");
	/* Unknown until 30 s were observed, then fires at once. */
	assert_int_equal(gfx_run_backup(&f, 120), 30);
	gfx_free(&f);
	/* Without a stated capability it never fires. */
	gfx_init(&f, "avg(io.write) over 30s > 60% of device");
	f.m.dev[PM_IO_WRITE - PM_IO_READ] = NAN;
	assert_int_equal(gfx_run_backup(&f, 120), -1);
	gfx_free(&f);
	/* 70%: the mean (64%) stays below. */
	gfx_init(&f, "avg(io.write) over 30s > 70% of device");
	assert_int_equal(gfx_run_backup(&f, 120), -1);
	/* Its why names the window. */
	gov_eval(f.g, &f.ct, &f.m, 121000, &w, &nw);
	gfx_free(&f);
}

static void
test_gov_window_during(void **state)
{
	struct gfx f;
	const struct gov_want *w;
	size_t nw;

	(void)state;
	/* Above 60% in 4 of every 5 s: 80% of the window. */
	gfx_init(&f, "io.write > 60% of device during 75% of 20s");
	assert_int_equal(gfx_run_backup(&f, 120), 20);
	gov_eval(f.g, &f.ct, &f.m, 121000, &w, &nw);
	assert_int_equal(nw, 1);
	assert_non_null(strstr(w[0].why, "io.write > 60% of device (500M/s) during 80% of 20s"));
	gfx_free(&f);
	gfx_init(&f, "io.write > 60% of device during 85% of 20s");
	assert_int_equal(gfx_run_backup(&f, 120), -1);
	gfx_free(&f);
	/* `for` keeps its meaning on top of a window: true at every tick for 5 s. */
	gfx_init(&f, "io.write > 60% of device during 75% of 20s for 5s");
	assert_int_equal(gfx_run_backup(&f, 120), 25);
	gfx_free(&f);
}

static void
test_gov_window_reload_keeps(void **state)
{
	struct gfx f;
	struct policy_set *ps2 = NULL;
	struct pol_diags d = { 0 };
	const struct gov_want *w;
	size_t nw;
	/* Another windowed rule first: the kept window moves in the layout. */
	const char *text = "policy \"other\" {\n\trule \"x\" {\n\t\twhen avg(cpu) over 5s > "
	    "8 cores\n\t\tdo cpu quota 1 core\n\t}\n}\n"
	    "policy \"backup\" {\n\trule \"flood\" {\n\t\twhen io.write > 60% of "
	    "device during 75% of 20s\n\t\tdo io write-limit 20M/s\n\t\tcooldown 1s\n\t}\n}\n";

	(void)state;
	gfx_init(&f, "io.write > 60% of device during 75% of 20s");
	assert_int_equal(gfx_run_backup(&f, 15), -1);
	/* A reload that keeps the rule's text keeps its window: it still fires
	 * at 20 s, not 20 s after the reload. */
	assert_int_equal(policy_parse_buffer("t2.policy", text, strlen(text), &ps2, &d), 0);
	pol_diags_free(&d);
	gov_set_policies(f.g, ps2);
	for (int t = 16; t <= 20; t++) {
		f.m.v[PM_IO_WRITE] = t % 5 == 4 ? 1 * MiB : 400 * MiB;
		gov_eval(f.g, &f.ct, &f.m, (int64_t)t * 1000, &w, &nw);
	}
	assert_int_equal(nw, 1);
	assert_int_equal(w[0].knob, PK_IO_WBPS);
	gov_free(f.g);
	policy_set_free(f.ps);
	policy_set_free(ps2);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_window_fill),
		cmocka_unit_test(test_window_mean_slides),
		cmocka_unit_test(test_window_time_weighted),
		cmocka_unit_test(test_window_unknown),
		cmocka_unit_test(test_window_bounded),
		cmocka_unit_test(test_parse_forms),
		cmocka_unit_test(test_parse_errors),
		cmocka_unit_test(test_eval_relative),
		cmocka_unit_test(test_eval_others),
		cmocka_unit_test(test_contention),
		cmocka_unit_test(test_gov_for_misses_bursts),
		cmocka_unit_test(test_gov_window_avg),
		cmocka_unit_test(test_gov_window_during),
		cmocka_unit_test(test_gov_window_reload_keeps),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
