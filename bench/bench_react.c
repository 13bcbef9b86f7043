/* bench_react: reaction time of cgovd, from a container crossing a memory
 * threshold (the kernel's own usage counter) to the knob written.
 *
 *   bench_react TRIALS THRESHOLD_BYTES USAGE_FILE QUOTA_FILE WANT PROCS...
 *
 * Runs TRIALS trials. In each, a child that moved itself into the container
 * (it writes its pid to every PROCS file, one per hierarchy) touches memory
 * in 256 KiB steps and reads USAGE_FILE after each step; the first reading
 * above THRESHOLD is the crossing, timed on CLOCK_MONOTONIC (then it grows
 * 2 MiB more, as a growing tenant does). The parent,
 * outside the container (a quota on the container must not slow the
 * clock), polls QUOTA_FILE every 50 us until its first field is WANT: the
 * write. The child then frees everything and the parent waits until the
 * quota is gone again (the rule cleared and cgovd restored it), and 300 ms
 * more (past the knob's cooldown), before the next trial. Prints one latency per line in milliseconds; bench_react.sh
 * turns them into p50/p99/max. A trial whose write does not come within
 * 10 s prints "timeout".
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define STEP (256UL << 10)

static double
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

static void
die(const char *what)
{
	fprintf(stderr, "bench_react: %s: %s\n", what, strerror(errno));
	exit(1);
}

/* The first field of a cgroup file read through fd ("-1", "max", a number). */
static void
first_field(int fd, char *buf, size_t len)
{
	ssize_t n = pread(fd, buf, len - 1, 0);

	buf[n > 0 ? n : 0] = '\0';
	buf[strcspn(buf, " \n")] = '\0';
}

static unsigned long long
read_u64(int fd)
{
	char buf[64];

	first_field(fd, buf, sizeof buf);
	return strtoull(buf, NULL, 10);
}

/* The child: waits for a byte on `go`, allocates past the threshold,
 * reports the crossing time on `out`, waits for a byte, frees; again. */
static void
child(int go, int out, const char *usage, unsigned long long threshold, char **procs, int nprocs)
{
	int ufd = open(usage, O_RDONLY | O_CLOEXEC);
	char pid[32], c;

	if (ufd < 0)
		die(usage);
	snprintf(pid, sizeof pid, "%ld\n", (long)getpid());
	for (int i = 0; i < nprocs; i++) {
		int fd = open(procs[i], O_WRONLY | O_CLOEXEC);

		if (fd < 0 || write(fd, pid, strlen(pid)) < 0)
			die(procs[i]);
		close(fd);
	}
	while (read(go, &c, 1) == 1) {
		size_t cap = (size_t)threshold * 2 + (64UL << 20), used = 0;
		char *p = mmap(NULL, cap, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		double t = -1;

		if (p == MAP_FAILED)
			die("mmap");
		while (used + STEP <= cap) {
			memset(p + used, 1, STEP);
			used += STEP;
			if (read_u64(ufd) > threshold) {
				t = now_ms();
				break;
			}
		}
		/* A growing tenant goes on growing: 2 MiB more. (The kernel
		 * checks v1 thresholds every 128 pages charged per CPU; an
		 * allocation that stopped the moment it crossed might never
		 * reach the check that notices.) */
		for (size_t more = 0; more < (2UL << 20) && used + STEP <= cap; more += STEP) {
			memset(p + used, 1, STEP);
			used += STEP;
		}
		if (write(out, &t, sizeof t) != sizeof t)
			die("pipe");
		if (read(go, &c, 1) != 1)
			break;
		munmap(p, cap);
		if (write(out, &t, sizeof t) != sizeof t)
			die("pipe");
	}
	exit(0);
}

/* Polls the quota until `pred` holds for its first field; the time, or a
 * negative number after `limit_ms`. */
static double
poll_quota(int fd, const char *want, int equal, double limit_ms)
{
	double t0 = now_ms(), t;
	struct timespec ts = { 0, 50000 };
	char buf[64];

	for (;;) {
		first_field(fd, buf, sizeof buf);
		t = now_ms();
		if ((strcmp(buf, want) == 0) == equal)
			return t;
		if (t - t0 > limit_ms)
			return -1;
		nanosleep(&ts, NULL);
	}
}

int
main(int argc, char **argv)
{
	int go[2], back[2], trials, qfd;
	unsigned long long threshold;
	pid_t pid;
	double t;

	if (argc < 7) {
		fprintf(stderr, "usage: bench_react TRIALS THRESHOLD USAGE QUOTA WANT PROCS...\n");
		return 2;
	}
	trials = atoi(argv[1]);
	threshold = strtoull(argv[2], NULL, 10);
	if ((qfd = open(argv[4], O_RDONLY | O_CLOEXEC)) < 0)
		die(argv[4]);
	if (pipe(go) < 0 || pipe(back) < 0)
		die("pipe");
	if ((pid = fork()) < 0)
		die("fork");
	if (pid == 0) {
		close(go[1]);
		close(back[0]);
		child(go[0], back[1], argv[3], threshold, argv + 6, argc - 6);
	}
	close(go[0]);
	close(back[1]);
	for (int i = 0; i < trials; i++) {
		struct timespec settle = { 0, 300 * 1000000L };
		double cross, write_t, t_go;
		char c = 'g';

		/* The quota is gone (restored) before a trial starts, and the
		 * knob's cooldown (100 ms in the bench's policy) is over: a
		 * change within it waits for its end by design (DESIGN.md,
		 * safety rule 5), which is not reaction time. */
		if (poll_quota(qfd, argv[5], 0, 30000) < 0) {
			printf("stuck\n");
			break;
		}
		nanosleep(&settle, NULL);
		t_go = now_ms();
		if (write(go[1], &c, 1) != 1)
			die("pipe");
		write_t = poll_quota(qfd, argv[5], 1, 10000);
		if (read(back[0], &cross, sizeof cross) != sizeof cross)
			die("pipe");
		if (getenv("BENCH_REACT_DEBUG") != NULL)
			fprintf(stderr, "trial %d: go %.1f cross %.1f write %.1f\n", i, t_go, cross,
			    write_t);
		if (write_t < 0 || cross < 0)
			printf("timeout\n");
		else
			printf("%.3f\n", write_t - cross);
		fflush(stdout);
		if (write(go[1], &c, 1) != 1 || read(back[0], &t, sizeof t) != sizeof t)
			die("pipe");
	}
	close(go[1]);
	waitpid(pid, NULL, 0);
	return 0;
}
