/* bench_govern: what deciding costs per tick, apart from sampling.
 *
 * Loads a policy set (the shipped policies/ by default), makes N synthetic
 * LXC containers (a tenth run "java"), feeds the governor T ticks of
 * metrics in which a few containers cross the rules' thresholds and come
 * back, and prints the cost of gov_eval per container and per tick, and
 * what that is in % of one core at 1 Hz. No cgroupfs, no store: the knob
 * writes are rare and measured by the integration tests, not here.
 *
 *   bench_govern [--policies PATH] [--containers N] [--ticks T]
 */
#include "config.h"

#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "govern.h"
#include "policy.h"
#include "xmalloc.h"

static double
now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Metrics of container i at tick t: quiet, except that every 50th
 * container storms (CPU, writes, memory) for 40 ticks out of 100. */
static void
bench_metrics(size_t i, int t, struct gov_metrics *m)
{
	int storm = i % 50 == 0 && t % 100 < 40;

	for (int k = 0; k < PM__MAX; k++) {
		m->v[k] = NAN;
		m->limit[k] = NAN;
	}
	m->v[PM_MEMORY] = (storm ? 3.8 : 1.0) * 1073741824.0;
	m->limit[PM_MEMORY] = 4.0 * 1073741824.0;
	m->v[PM_SWAP] = 0;
	m->limit[PM_SWAP] = INFINITY;
	m->v[PM_CPU] = storm ? 1.9 : 0.2;
	m->limit[PM_CPU] = INFINITY;
	m->v[PM_THROTTLED] = 0;
	m->v[PM_IO_READ] = 1e6;
	m->v[PM_IO_WRITE] = storm ? 200e6 : 1e6;
	m->v[PM_IO_READ_IOPS] = 100;
	m->v[PM_IO_WRITE_IOPS] = 100;
	m->v[PM_PIDS] = 40;
	m->limit[PM_PIDS] = INFINITY;
	m->v[PM_NODE_CPU] = 90;
	m->v[PM_NODE_MEMORY_AVAILABLE] = 8.0 * 1073741824.0;
	m->limit[PM_NODE_MEMORY_AVAILABLE] = 24.0 * 1073741824.0;
}

int
main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "policies", required_argument, NULL, 'p' },
		{ "containers", required_argument, NULL, 'n' },
		{ "ticks", required_argument, NULL, 't' },
		{ NULL, 0, NULL, 0 }
	};
	const char *path = "policies";
	size_t n = 1000, wants = 0;
	int ticks = 300, ch;
	struct pol_diags d = { 0 };
	struct policy_set *ps;
	struct gov_config cfg = { .cgroup_version = 2, .jvm_swap_buffer = 512 << 20 };
	struct gov *g;
	char **paths;
	const char *plain[] = { "bash", "nginx" }, *jvm[] = { "bash", "java" };
	double t0, dt;

	while ((ch = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (ch) {
		case 'p': path = optarg; break;
		case 'n': n = strtoul(optarg, NULL, 10); break;
		case 't': ticks = atoi(optarg); break;
		default:
			fprintf(stderr, "usage: bench_govern [--policies PATH] [--containers N] "
			    "[--ticks T]\n");
			return 2;
		}
	}
	if (policy_load(path, 2, &d, &ps) < 0) {
		pol_diags_print(&d, stderr);
		return 1;
	}
	pol_diags_free(&d);
	g = gov_new(&cfg);
	gov_set_policies(g, ps);
	paths = xcalloc(n, sizeof *paths);
	for (size_t i = 0; i < n; i++)
		paths[i] = xasprintf("/lxc/ct-%zu", i);

	t0 = now_s();
	for (int t = 0; t < ticks; t++) {
		for (size_t i = 0; i < n; i++) {
			struct gov_ct ct = {
				.key = i + 1, .path = paths[i], .runtime = "lxc",
				.procs = i % 10 == 0 ? jvm : plain, .nprocs = 2, .procs_known = 1,
				.jvm = i % 10 == 0,
			};
			struct gov_metrics m;
			const struct gov_want *w;
			size_t nw;

			for (int k = 0; k < PK__MAX; k++)
				ct.base[k] = POL_MAX;
			ct.base[PK_CPU_WEIGHT] = 1024;
			bench_metrics(i, t, &m);
			gov_eval(g, &ct, &m, (int64_t)t * 1000, &w, &nw);
			wants += nw;
		}
		{
			const struct gov_event *ev;
			size_t nev;

			gov_events(g, &ev, &nev);
		}
	}
	dt = now_s() - t0;
	printf("policies %s: %zu policies; %zu containers x %d ticks\n", path, ps->n, n, ticks);
	printf("gov_eval: %.2f us per container, %.3f ms per tick, %.3f%% of one core at 1 Hz "
	    "(%zu wants in all)\n", dt * 1e6 / ((double)n * ticks), dt * 1e3 / ticks,
	    dt * 100.0 / ticks, wants);
	gov_free(g);
	policy_set_free(ps);
	for (size_t i = 0; i < n; i++)
		free(paths[i]);
	free(paths);
	return 0;
}
