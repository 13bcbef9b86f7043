/* cgov_churn: cgroups created and destroyed at a steady rate (the churn
 * soak, tests/integration/soak_churn.sh).
 *
 *   cgov_churn RATE SECONDS LIVE DIR...
 *
 * RATE times a second, on an absolute schedule, makes the cgroup c<N> in
 * every DIR (one per hierarchy: the same container everywhere) and, once
 * LIVE of them exist, removes the oldest from every DIR: RATE created and
 * RATE destroyed per second, each living LIVE/RATE seconds. After SECONDS
 * (or SIGTERM/SIGINT) it removes what is left and prints
 *
 *   churn: created N removed M failed F behind B ms
 *
 * where F counts mkdir/rmdir failures and B is how far behind its
 * schedule it fell at worst. Exits 0, or 1 when anything failed.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

static volatile sig_atomic_t churn_stop;

static void
churn_on_signal(int sig)
{
	(void)sig;
	churn_stop = 1;
}

static long long
churn_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

static unsigned long churn_failed;

static void
churn_op(char **dirs, int ndirs, unsigned long n, int make)
{
	char path[4096];

	for (int i = 0; i < ndirs; i++) {
		snprintf(path, sizeof path, "%s/c%lu", dirs[i], n);
		if ((make ? mkdir(path, 0755) : rmdir(path)) < 0) {
			if (churn_failed++ < 5)
				fprintf(stderr, "churn: %s %s: %s\n", make ? "mkdir" : "rmdir", path,
				    strerror(errno));
		}
	}
}

int
main(int argc, char **argv)
{
	struct sigaction sa = { .sa_handler = churn_on_signal };
	long long step, t0, next, behind = 0;
	unsigned long made = 0, gone = 0;
	double rate, secs;
	long live;

	if (argc < 5) {
		fprintf(stderr, "usage: cgov_churn RATE SECONDS LIVE DIR...\n");
		return 2;
	}
	rate = atof(argv[1]);
	secs = atof(argv[2]);
	live = atol(argv[3]);
	if (rate <= 0 || secs <= 0 || live < 1) {
		fprintf(stderr, "cgov_churn: RATE and SECONDS > 0, LIVE >= 1\n");
		return 2;
	}
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	step = (long long)(1e9 / rate);
	t0 = next = churn_now_ns();
	while (!churn_stop && next - t0 < (long long)(secs * 1e9)) {
		long long now = churn_now_ns();

		if (now < next) {
			struct timespec ts = { (time_t)((next - now) / 1000000000LL),
				(long)((next - now) % 1000000000LL) };

			nanosleep(&ts, NULL);
			continue;
		}
		if (now - next > behind)
			behind = now - next;
		churn_op(argv + 4, argc - 4, made++, 1);
		if ((long)(made - gone) > live)
			churn_op(argv + 4, argc - 4, gone++, 0);
		next += step;
	}
	while (gone < made)
		churn_op(argv + 4, argc - 4, gone++, 0);
	printf("churn: created %lu removed %lu failed %lu behind %lld ms\n", made, gone,
	    churn_failed, behind / 1000000);
	return churn_failed != 0;
}
