/* loadgen.c: the CPU victims of the scenario runner (bench/scenarios/run.sh).
 *
 *   loadgen latency RATE SECONDS WORK   requests at a fixed RATE per second
 *       for SECONDS, each WORK iterations of CPU work; prints
 *       "p50_us=.. p99_us=.. p50_late_us=.. p99_late_us=.. requests=N", the
 *       late figures over the requests due in the second half of the run
 *       (after a governor has had time to react: the steady state)
 *   loadgen ops SECONDS                 one thread doing blocks of CPU work
 *       for SECONDS; prints "ops_per_s=.. ops_late_per_s=..", the late
 *       rate over the second half of the run
 *   loadgen spin THREADS                THREADS processes spinning until
 *       killed (the CPU hog; a process each, so no -pthread is needed)
 *   loadgen balloon MB_PER_S MAX_MB     allocates and touches 1 MiB at a time,
 *       MB_PER_S a second, until it holds MAX_MB, then waits (the memory
 *       hog: it balloons past whatever limit is above it)
 *
 * The latency of a request runs from the moment it was due, not from the
 * moment the loop got round to it: a victim held off the CPU for 50 ms
 * sees every request due in those 50 ms late (open loop, no coordinated
 * omission). The work is a dependent integer chain the compiler cannot
 * fold, so one iteration costs about the same on every run.
 */
#define _GNU_SOURCE
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define LOADGEN_BLOCK 100000UL   /* iterations per op of the ops mode */

static volatile uint64_t loadgen_sink;

static uint64_t
loadgen_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

static void
loadgen_work(unsigned long iters)
{
	uint64_t x = loadgen_sink | 1;

	for (unsigned long i = 0; i < iters; i++) {
		x ^= x << 13;
		x ^= x >> 7;
		x ^= x << 17;
	}
	loadgen_sink = x;
}

static int
loadgen_cmp(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

/* Nearest-rank percentile of a sorted array of n > 0 values. */
static uint64_t
loadgen_pct(const uint64_t *v, size_t n, double p)
{
	size_t k = (size_t)(p / 100.0 * (double)n + 0.999999);

	if (k < 1)
		k = 1;
	return v[k > n ? n - 1 : k - 1];
}

static int
loadgen_latency(double rate, double seconds, unsigned long work)
{
	size_t n = (size_t)(rate * seconds), i;
	uint64_t *lat, period = (uint64_t)(1e9 / rate), t0, p50, p99;

	if (n < 2 || rate <= 0) {
		fprintf(stderr, "loadgen: no requests to make\n");
		return 2;
	}
	lat = calloc(n, sizeof *lat);
	if (lat == NULL) {
		perror("calloc");
		return 1;
	}
	t0 = loadgen_now_ns();
	for (i = 0; i < n; i++) {
		uint64_t due = t0 + i * period, now = loadgen_now_ns();

		if (now < due) {
			struct timespec ts = { (time_t)(due / 1000000000ULL),
					       (long)(due % 1000000000ULL) };

			clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, NULL);
		}
		loadgen_work(work);
		lat[i] = loadgen_now_ns() - due;
	}
	/* The second half first (lat[] is still in the order requests were
	 * due), then the whole run. */
	qsort(lat + n / 2, n - n / 2, sizeof *lat, loadgen_cmp);
	p50 = loadgen_pct(lat + n / 2, n - n / 2, 50);
	p99 = loadgen_pct(lat + n / 2, n - n / 2, 99);
	qsort(lat, n, sizeof *lat, loadgen_cmp);
	printf("p50_us=%.1f p99_us=%.1f p50_late_us=%.1f p99_late_us=%.1f requests=%zu\n",
	       loadgen_pct(lat, n, 50) / 1e3, loadgen_pct(lat, n, 99) / 1e3, p50 / 1e3,
	       p99 / 1e3, n);
	free(lat);
	return 0;
}

static int
loadgen_ops(double seconds)
{
	uint64_t t0 = loadgen_now_ns(), end = t0 + (uint64_t)(seconds * 1e9), now;
	uint64_t half = t0 + (uint64_t)(seconds * 0.5e9), t_half = 0;
	unsigned long ops = 0, ops_half = 0;

	do {
		loadgen_work(LOADGEN_BLOCK);
		ops++;
		now = loadgen_now_ns();
		if (t_half == 0 && now >= half) {
			t_half = now;
			ops_half = ops;
		}
	} while (now < end);
	printf("ops_per_s=%.1f ops_late_per_s=%.1f\n", ops / ((now - t0) / 1e9),
	       now > t_half ? (ops - ops_half) / ((now - t_half) / 1e9) : 0.0);
	return 0;
}

static int
loadgen_spin(unsigned long threads)
{
	for (unsigned long i = 1; i < threads; i++) {
		pid_t pid = fork();

		if (pid < 0) {
			perror("fork");
			return 1;
		}
		if (pid == 0)
			break;
	}
	for (;;)
		loadgen_work(LOADGEN_BLOCK);
}

static int
loadgen_balloon(double mb_per_s, unsigned long max_mb)
{
	uint64_t t0 = loadgen_now_ns(), period = (uint64_t)(1e9 / mb_per_s);

	for (unsigned long i = 0; i < max_mb; i++) {
		uint64_t due = t0 + i * period;
		struct timespec ts = { (time_t)(due / 1000000000ULL), (long)(due % 1000000000ULL) };
		char *p = malloc(1UL << 20);

		if (p == NULL) {
			perror("malloc");
			return 1;
		}
		/* Touched now, so charged to the cgroup now; no page same-filled,
		 * which zram would store for nothing. */
		memset(p, (int)(i | 1), 1UL << 20);
		for (size_t off = 0; off < (1UL << 20); off += 4096)
			memcpy(p + off, &off, sizeof off);
		clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, NULL);
	}
	for (;;)
		pause();
}

int
main(int argc, char **argv)
{
	if (argc == 5 && strcmp(argv[1], "latency") == 0)
		return loadgen_latency(atof(argv[2]), atof(argv[3]), strtoul(argv[4], NULL, 10));
	if (argc == 3 && strcmp(argv[1], "ops") == 0)
		return loadgen_ops(atof(argv[2]));
	if (argc == 3 && strcmp(argv[1], "spin") == 0)
		return loadgen_spin(strtoul(argv[2], NULL, 10));
	if (argc == 4 && strcmp(argv[1], "balloon") == 0)
		return loadgen_balloon(atof(argv[2]), strtoul(argv[3], NULL, 10));
	fprintf(stderr, "usage: loadgen latency RATE SECONDS WORK | loadgen ops SECONDS | "
		"loadgen spin THREADS | loadgen balloon MB_PER_S MAX_MB\n");
	return 2;
}
