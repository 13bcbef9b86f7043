/* Unit tests: the node pressure watch (nodewatch.c).
 *
 * The share over the ring on synthetic readings (the window, the ring's
 * wraparound, a late timer, a counter that goes back, spans too short),
 * then the poller on a fake proc directory: a missing file is not watched,
 * a file whose counter climbs calls back above the threshold and not
 * below it. Then governing's side: the thresholds the policies put on
 * node.pressure.*, and the wakes' doubling gaps, reset by a tick. */
#include "config.h"

#include <errno.h>
#include <event2/event.h>
#include <math.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cmocka.h>

#include "cgfs.h"
#include "conf.h"
#include "fleet.h"
#include "governing.h"
#include "nodewatch.h"
#include "policy.h"
#include "sampler.h"

#define assert_near(a, b) assert_true(fabs((a) - (b)) < 1e-6)

/* Readings every 100 ms, 30 ms stalled in each: 30%. */
static void
test_share_steady(void **state)
{
	struct nodewatch_ring r;

	(void)state;
	nodewatch_ring_reset(&r);
	assert_true(isnan(nodewatch_ring_share(&r)));
	nodewatch_ring_push(&r, 1000, 5000000);
	assert_true(isnan(nodewatch_ring_share(&r)));     /* one reading */
	nodewatch_ring_push(&r, 1100, 5030000);
	assert_true(isnan(nodewatch_ring_share(&r)));     /* 100 ms < 200 */
	nodewatch_ring_push(&r, 1200, 5060000);
	assert_near(nodewatch_ring_share(&r), 30.0);      /* 200 ms: enough */
	nodewatch_ring_push(&r, 1300, 5090000);
	assert_near(nodewatch_ring_share(&r), 30.0);
}

/* Only the last 500 ms count: an old stall does not hide a new one, and
 * readings keep coming past the ring's size (index wraparound). */
static void
test_share_window_wraps(void **state)
{
	struct nodewatch_ring r;
	uint64_t us = 0;
	int64_t t = 0;

	(void)state;
	nodewatch_ring_reset(&r);
	/* 3 s fully stalled: 30 readings, the ring wraps several times. */
	for (int i = 0; i < 30; i++) {
		nodewatch_ring_push(&r, t, us);
		t += 100;
		us += 100000;
	}
	assert_int_equal(r.n, NODEWATCH_RING);
	assert_near(nodewatch_ring_share(&r), 100.0);
	/* Then quiet: 300 ms later the window holds 200 ms stalled of 500. */
	us -= 100000;
	t -= 100;
	for (int i = 0; i < 3; i++) {
		t += 100;
		nodewatch_ring_push(&r, t, us);
	}
	assert_near(nodewatch_ring_share(&r), 40.0);
	/* 500 ms quiet: 0, whatever the older readings said. */
	for (int i = 0; i < 2; i++) {
		t += 100;
		nodewatch_ring_push(&r, t, us);
	}
	assert_near(nodewatch_ring_share(&r), 0.0);
}

/* A late timer: readings 120 ms apart still give a window of about
 * 500 ms (the slack), and a reading 600 ms before the newest is out. */
static void
test_share_late_timer(void **state)
{
	struct nodewatch_ring r;

	(void)state;
	nodewatch_ring_reset(&r);
	nodewatch_ring_push(&r, 0, 0);          /* 600 ms before: out */
	nodewatch_ring_push(&r, 120, 120000);   /* 480 ms before: in */
	nodewatch_ring_push(&r, 240, 120000);
	nodewatch_ring_push(&r, 360, 120000);
	nodewatch_ring_push(&r, 480, 120000);
	nodewatch_ring_push(&r, 600, 168000);
	/* 48 ms stalled in the 480 ms since the reading at 120. */
	assert_near(nodewatch_ring_share(&r), 10.0);
	/* A timer very late: the only older reading is out of the window. */
	nodewatch_ring_reset(&r);
	nodewatch_ring_push(&r, 0, 0);
	nodewatch_ring_push(&r, 2000, 1000000);
	assert_true(isnan(nodewatch_ring_share(&r)));
}

/* A counter that goes back, or a clock that stands still, restarts the
 * ring: no share across it (it would be negative, or a division by 0),
 * and a share again once 200 ms of new readings are in. */
static void
test_share_backwards(void **state)
{
	struct nodewatch_ring r;

	(void)state;
	nodewatch_ring_reset(&r);
	nodewatch_ring_push(&r, 0, 9000000);
	nodewatch_ring_push(&r, 100, 9050000);
	nodewatch_ring_push(&r, 200, 9100000);
	assert_near(nodewatch_ring_share(&r), 50.0);
	nodewatch_ring_push(&r, 300, 100);              /* went back */
	assert_int_equal(r.n, 1);
	assert_true(isnan(nodewatch_ring_share(&r)));
	nodewatch_ring_push(&r, 400, 100 + 20000);
	assert_true(isnan(nodewatch_ring_share(&r)));  /* 100 ms only */
	nodewatch_ring_push(&r, 500, 100 + 40000);
	assert_near(nodewatch_ring_share(&r), 20.0);
	nodewatch_ring_push(&r, 500, 100 + 90000);      /* same time */
	assert_int_equal(r.n, 1);
	assert_true(isnan(nodewatch_ring_share(&r)));
	/* More stalled than the wall time (per-CPU accounting): 100%. */
	nodewatch_ring_push(&r, 700, 100 + 90000 + 300000);
	assert_near(nodewatch_ring_share(&r), 100.0);
}

/* --- the poller on a fake /proc ------------------------------------------ */

static char tmpdir[] = "/tmp/cgov-nodewatch-XXXXXX";

struct calls {
	int n[NODEWATCH__MAX];
	double last;
};

static void
on_wake(void *arg, enum nodewatch_res res, double pct, int64_t mono_ms)
{
	struct calls *c = arg;

	(void)mono_ms;
	c->n[res]++;
	c->last = pct;
}

static void
write_psi(const char *res, uint64_t some_us)
{
	char path[256];
	FILE *f;

	snprintf(path, sizeof path, "%s/proc/pressure/%s", tmpdir, res);
	assert_non_null(f = fopen(path, "w"));
	fprintf(f, "some avg10=0.00 avg60=0.00 avg300=0.00 total=%llu\n"
	    "full avg10=0.00 avg60=0.00 avg300=0.00 total=0\n", (unsigned long long)some_us);
	fclose(f);
}

/* The timer runs only while something is watched; a file that cannot be
 * had is not watched; above the threshold the callback comes, below it
 * not. The counter's steps are synthetic, the time is real: each step
 * adds 100 ms stalled per poll of at least 100 ms (about 100%; a poll
 * made late by a busy machine lowers it, so the threshold is low). */
static void
test_poller(void **state)
{
	struct event_base *base = event_base_new();
	struct cgfs *fs = NULL;
	struct nodewatch *w = NULL;
	struct calls c = { { 0 }, NAN };
	char path[512], proc[256];
	double thr[NODEWATCH__MAX] = { NAN, NAN, NAN };
	uint64_t us = 1000000;

	(void)state;
	assert_non_null(base);
	assert_non_null(mkdtemp(tmpdir));
	snprintf(proc, sizeof proc, "%s/proc", tmpdir);
	snprintf(path, sizeof path, "%s/pressure", proc);
	assert_int_equal(mkdir(proc, 0700), 0);
	assert_int_equal(mkdir(path, 0700), 0);
	snprintf(path, sizeof path, "%s/root", tmpdir);
	assert_int_equal(mkdir(path, 0700), 0);
	assert_int_equal(cgfs_open_root(path, 2, proc, 0, &fs), 0);
	write_psi("io", us);
	assert_int_equal(nodewatch_new(base, fs, on_wake, &c, &w), 0);

	/* Nothing watched: no timer, the loop has nothing to wait for. */
	assert_int_equal(nodewatch_set(w, thr), 0);
	assert_int_equal(event_base_loop(base, EVLOOP_NONBLOCK), 1);
	/* cpu is missing (a kernel without PSI): not watched. */
	thr[NODEWATCH_CPU] = 10;
	assert_int_equal(nodewatch_set(w, thr), 0);
	thr[NODEWATCH_IO] = 30;
	assert_int_equal(nodewatch_set(w, thr), 1);

	/* Above 30%: a call within a few polls (200 ms of readings). */
	for (int i = 0; i < 10 && c.n[NODEWATCH_IO] == 0; i++) {
		us += 100000;
		write_psi("io", us);
		assert_int_equal(event_base_loop(base, EVLOOP_ONCE), 0);
	}
	assert_true(c.n[NODEWATCH_IO] > 0);
	assert_true(c.last > 30.0 && c.last <= 100.0);
	assert_int_equal(c.n[NODEWATCH_CPU], 0);

	/* Quiet for a window: no call. */
	for (int i = 0; i < 6; i++)
		assert_int_equal(event_base_loop(base, EVLOOP_ONCE), 0);
	c.n[NODEWATCH_IO] = 0;
	for (int i = 0; i < 5; i++)
		assert_int_equal(event_base_loop(base, EVLOOP_ONCE), 0);
	assert_int_equal(c.n[NODEWATCH_IO], 0);

	/* Unwatched again: the timer stops. */
	thr[NODEWATCH_IO] = NAN;
	assert_int_equal(nodewatch_set(w, thr), 0);
	assert_int_equal(event_base_loop(base, EVLOOP_NONBLOCK), 1);

	nodewatch_free(w);
	cgfs_close(fs);
	event_base_free(base);
	snprintf(path, sizeof path, "%s/proc/pressure/io", tmpdir);
	unlink(path);
	snprintf(path, sizeof path, "%s/proc/pressure", tmpdir);
	rmdir(path);
	snprintf(path, sizeof path, "%s/proc", tmpdir);
	rmdir(path);
	snprintf(path, sizeof path, "%s/root", tmpdir);
	rmdir(path);
	rmdir(tmpdir);
}

/* --- governing's side ------------------------------------------------------ */

/* The lowest `>`/`>=` threshold of any rule's when, per resource; `<`,
 * until and container pressure do not count. */
static void
test_thresholds(void **state)
{
	static const char text[] =
	    "policy \"a\" {\n"
	    "    rule \"r1\" {\n"
	    "        when io.write > 20M/s and node.pressure.io > 30%\n"
	    "        do io write-limit 5M/s\n"
	    "    }\n"
	    "    rule \"r2\" {\n"
	    "        when io.write > 90M/s or node.pressure.io >= 12.5% and cpu > 1 core\n"
	    "        do io write-limit 5M/s\n"
	    "        until node.pressure.cpu > 1%\n"
	    "    }\n"
	    "}\n"
	    "policy \"b\" {\n"
	    "    rule \"r3\" {\n"
	    "        when node.pressure.memory < 5% and pressure.cpu > 3%\n"
	    "        do cpu shares 512\n"
	    "    }\n"
	    "    rule \"r4\" {\n"
	    "        when avg(node.pressure.memory) over 10s > 40%\n"
	    "        do cpu shares 512\n"
	    "    }\n"
	    "}\n";
	char root[] = "/tmp/cgov-nodewatch-gov-XXXXXX";
	struct policy_set *ps = NULL;
	struct pol_diags d = { 0 };
	struct cgfs *fs = NULL;
	struct sampler *sa;
	struct fleet *f;
	struct governing *g;
	struct conf c;
	double thr[NODEWATCH__MAX];

	(void)state;
	assert_int_equal(policy_parse_buffer("t.policy", text, strlen(text), &ps, &d), 0);
	pol_diags_free(&d);
	assert_non_null(mkdtemp(root));
	assert_int_equal(cgfs_open_root(root, 2, root, 0, &fs), 0);
	sa = sampler_new(fs, 64);
	f = fleet_new(sa, fs, NULL);
	conf_defaults(&c);
	g = governing_new(fs, f, NULL, &c, 1);

	governing_node_thresholds(g, thr);              /* no policies */
	for (int i = 0; i < NODEWATCH__MAX; i++)
		assert_true(isnan(thr[i]));
	governing_set_policies(g, ps);
	governing_node_thresholds(g, thr);
	assert_true(isnan(thr[NODEWATCH_CPU]));        /* in an until only */
	assert_near(thr[NODEWATCH_MEMORY], 40.0);      /* `<` does not count */
	assert_near(thr[NODEWATCH_IO], 12.5);

	/* Per resource: the first wake after a tick at once, then after
	 * gaps of 200, 400, 800 ms...; the others' are their own. */
	assert_int_equal(governing_node_wakes(g), 0);
	assert_int_equal(governing_node_wake(g, NODEWATCH_IO, 50, 10000), 0);
	assert_int_equal(governing_node_wakes(g), 1);
	governing_node_wake(g, NODEWATCH_IO, 50, 10100);        /* within 200 ms */
	assert_int_equal(governing_node_wakes(g), 1);
	governing_node_wake(g, NODEWATCH_IO, 50, 10200);        /* 200 ms on */
	assert_int_equal(governing_node_wakes(g), 2);
	governing_node_wake(g, NODEWATCH_IO, 50, 10500);        /* within 400 ms */
	assert_int_equal(governing_node_wakes(g), 2);
	governing_node_wake(g, NODEWATCH_IO, 90, 10600);        /* 400 ms on */
	assert_int_equal(governing_node_wakes(g), 3);
	governing_node_wake(g, NODEWATCH_IO, 90, 11300);        /* within 800 ms */
	assert_int_equal(governing_node_wakes(g), 3);
	governing_node_wake(g, NODEWATCH_MEMORY, 50, 10100);
	assert_int_equal(governing_node_wakes(g), 4);
	governing_run(g, 11350);                        /* a tick: at once again */
	governing_node_wake(g, NODEWATCH_IO, 50, 11400);
	assert_int_equal(governing_node_wakes(g), 5);

	governing_free(g);
	fleet_free(f);
	sampler_free(sa);
	conf_free(&c);
	cgfs_close(fs);
	rmdir(root);
}

/* A wake is for the onset of a storm: the last tick under the threshold
 * (or unknown), or a rise of NODEWATCH_RISE points over it. */
static void
test_onset(void **state)
{
	(void)state;
	assert_true(nodewatch_onset(NAN, 20, 25));      /* no tick yet */
	assert_true(nodewatch_onset(5, NAN, 25));       /* no threshold known */
	assert_true(nodewatch_onset(5, 20, 25));        /* quiet at the tick */
	assert_true(nodewatch_onset(20, 20, 21));       /* at it is not over it */
	assert_false(nodewatch_onset(50, 20, 55));      /* contended all along */
	assert_false(nodewatch_onset(50, 20, 59.9));
	assert_true(nodewatch_onset(50, 20, 60));       /* a new hog made it worse */
	assert_false(nodewatch_onset(95, 20, 100));     /* saturated: the ticks */
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_share_steady),
		cmocka_unit_test(test_share_window_wraps),
		cmocka_unit_test(test_share_late_timer),
		cmocka_unit_test(test_share_backwards),
		cmocka_unit_test(test_poller),
		cmocka_unit_test(test_thresholds),
		cmocka_unit_test(test_onset),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
