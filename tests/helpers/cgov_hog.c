/* cgov_hog: the loads of the integration tests, with known sizes.
 *
 *   cgov_hog mem BYTES          allocate and touch BYTES, then wait
 *   cgov_hog spin               burn one CPU until killed
 *   cgov_hog write FILE BYTES   write BYTES to FILE with O_DIRECT, fsync, exit
 *   cgov_hog grow BYTES         allocate and touch 1 MiB, then burn 10 ms of
 *                               CPU, until BYTES are held, then wait: an
 *                               allocation storm whose pace CPU throttling
 *                               slows (prints "ready" at once)
 *   cgov_hog count THREADS MS   THREADS threads count in a loop for MS ms of
 *                               wall time; prints the total (a victim's CPU
 *                               throughput)
 *   cgov_hog read FILE MS       O_DIRECT 1 MiB reads over the first 64 MiB
 *                               of FILE (written first) for MS ms; prints
 *                               bytes/s (a victim's disk throughput)
 *   cgov_hog flood FILE         rewrite the first 32 MiB of FILE with O_DIRECT
 *                               1 MiB writes until killed
 *   cgov_hog pace MIB_S BYTES   allocate and touch 1 MiB at a time, MIB_S
 *                               MiB a second on the clock, until BYTES are
 *                               held, then wait: a steady balloon (prints
 *                               "ready" at once)
 *
 * "mem" and "spin" write "ready\n" to stdout once the load is in place,
 * so a test can wait on that instead of sleeping.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static void
ready(void)
{
	fputs("ready\n", stdout);
	fflush(stdout);
}

static int
hog_mem(unsigned long long bytes)
{
	char *p = malloc(bytes);

	if (p == NULL) {
		perror("malloc");
		return 1;
	}
	/* Touch every page so it is really charged to the cgroup. */
	for (unsigned long long i = 0; i < bytes; i += 4096)
		p[i] = (char)i | 1;
	ready();
	for (;;)
		pause();
}

static int
hog_spin(void)
{
	volatile unsigned long n = 0;

	ready();
	for (;;)
		n++;
	return 0;
}

static int
hog_write(const char *path, unsigned long long bytes)
{
	const size_t chunk = 1 << 20;
	void *buf;
	int fd;

	if (posix_memalign(&buf, 4096, chunk) != 0)
		return 1;
	memset(buf, 0x5a, chunk);
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_DIRECT, 0600);
	if (fd < 0) {
		fprintf(stderr, "open %s: %s\n", path, strerror(errno));
		return 77;      /* no O_DIRECT on this filesystem */
	}
	for (unsigned long long done = 0; done < bytes; done += chunk)
		if (write(fd, buf, chunk) != (ssize_t)chunk) {
			perror("write");
			return 1;
		}
	fsync(fd);
	close(fd);
	free(buf);
	return 0;
}

static void
spin_ms(long ms)
{
	struct timespec a, b;

	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &a);
	do
		clock_gettime(CLOCK_THREAD_CPUTIME_ID, &b);
	while ((b.tv_sec - a.tv_sec) * 1000 + (b.tv_nsec - a.tv_nsec) / 1000000 < ms);
}

static int
hog_grow(unsigned long long bytes)
{
	const size_t chunk = 1 << 20;

	ready();
	for (unsigned long long held = 0; held < bytes; held += chunk) {
		char *p = malloc(chunk);

		if (p == NULL)
			return 1;
		for (size_t i = 0; i < chunk; i += 4096)
			p[i] = 1;
		spin_ms(10);
	}
	for (;;)
		pause();
}

struct count_arg {
	volatile int *stop;
	unsigned long long n;
};

static void *
count_thread(void *p)
{
	struct count_arg *a = p;
	unsigned long long n = 0;

	while (!*a->stop)
		n++;
	a->n = n;
	return NULL;
}

static int
hog_count(int threads, long ms)
{
	volatile int stop = 0;
	struct count_arg args[64];
	pthread_t tid[64];
	unsigned long long total = 0;
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000 };

	if (threads < 1 || threads > 64)
		return 2;
	for (int i = 0; i < threads; i++) {
		args[i] = (struct count_arg){ .stop = &stop };
		pthread_create(&tid[i], NULL, count_thread, &args[i]);
	}
	nanosleep(&ts, NULL);
	stop = 1;
	for (int i = 0; i < threads; i++) {
		pthread_join(tid[i], NULL);
		total += args[i].n;
	}
	printf("%llu\n", total);
	return 0;
}

static double
now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int
hog_read(const char *path, long ms)
{
	const size_t chunk = 1 << 20, span = 64;
	unsigned long long bytes = 0;
	double t0, t;
	void *buf;
	int fd;

	if (posix_memalign(&buf, 4096, chunk) != 0)
		return 1;
	memset(buf, 0x3c, chunk);
	fd = open(path, O_RDWR | O_CREAT | O_TRUNC | O_DIRECT, 0600);
	if (fd < 0) {
		fprintf(stderr, "open %s: %s\n", path, strerror(errno));
		return 77;
	}
	for (size_t i = 0; i < span; i++)
		if (pwrite(fd, buf, chunk, (off_t)(i * chunk)) != (ssize_t)chunk)
			return 1;
	fsync(fd);
	t0 = now_s();
	for (unsigned long i = 0; (t = now_s()) - t0 < ms / 1000.0; i++) {
		if (pread(fd, buf, chunk, (off_t)((i % span) * chunk)) != (ssize_t)chunk)
			return 1;
		bytes += chunk;
	}
	printf("%.0f\n", (double)bytes / (t - t0));
	close(fd);
	unlink(path);
	return 0;
}

static int
hog_flood(const char *path)
{
	const size_t chunk = 1 << 20;
	void *buf;
	int fd;

	if (posix_memalign(&buf, 4096, chunk) != 0)
		return 1;
	memset(buf, 0xa5, chunk);
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_DIRECT, 0600);
	if (fd < 0) {
		fprintf(stderr, "open %s: %s\n", path, strerror(errno));
		return 77;
	}
	for (unsigned long n = 0;; n++) {
		if (pwrite(fd, buf, chunk, (off_t)(n % 32) * (off_t)chunk) != (ssize_t)chunk) {
			perror("write");
			return 1;
		}
		if (n == 0)
			ready();
	}
}

static int
hog_pace(double mib_s, unsigned long long bytes)
{
	const size_t chunk = 1 << 20;
	struct timespec t0, due;
	unsigned long long i = 0;

	if (!(mib_s > 0))
		return 2;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	ready();
	for (unsigned long long held = 0; held < bytes; held += chunk, i++) {
		char *p = malloc(chunk);
		double at = (double)(i + 1) / mib_s;

		if (p == NULL)
			return 1;
		for (size_t off = 0; off < chunk; off += 4096)
			p[off] = 1;
		due.tv_sec = t0.tv_sec + (time_t)at;
		due.tv_nsec = t0.tv_nsec + (long)((at - (double)(time_t)at) * 1e9);
		if (due.tv_nsec >= 1000000000L) {
			due.tv_sec++;
			due.tv_nsec -= 1000000000L;
		}
		clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &due, NULL);
	}
	for (;;)
		pause();
}

int
main(int argc, char **argv)
{
	if (argc == 3 && strcmp(argv[1], "mem") == 0)
		return hog_mem(strtoull(argv[2], NULL, 10));
	if (argc == 2 && strcmp(argv[1], "spin") == 0)
		return hog_spin();
	if (argc == 4 && strcmp(argv[1], "write") == 0)
		return hog_write(argv[2], strtoull(argv[3], NULL, 10));
	if (argc == 3 && strcmp(argv[1], "grow") == 0)
		return hog_grow(strtoull(argv[2], NULL, 10));
	if (argc == 4 && strcmp(argv[1], "count") == 0)
		return hog_count(atoi(argv[2]), atol(argv[3]));
	if (argc == 4 && strcmp(argv[1], "read") == 0)
		return hog_read(argv[2], atol(argv[3]));
	if (argc == 3 && strcmp(argv[1], "flood") == 0)
		return hog_flood(argv[2]);
	if (argc == 4 && strcmp(argv[1], "pace") == 0)
		return hog_pace(atof(argv[2]), strtoull(argv[3], NULL, 10));
	fprintf(stderr, "usage: cgov_hog mem BYTES | spin | write FILE BYTES | grow BYTES | count THREADS MS | read FILE MS | flood FILE | pace MIB_S BYTES\n");
	return 2;
}
