/* cgov_hog: the loads of the integration tests, with known sizes.
 *
 *   cgov_hog mem BYTES          allocate and touch BYTES, then wait
 *   cgov_hog spin               burn one CPU until killed
 *   cgov_hog write FILE BYTES   write BYTES to FILE with O_DIRECT, fsync, exit
 *
 * "mem" and "spin" write "ready\n" to stdout once the load is in place,
 * so a test can wait on that instead of sleeping.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
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

int
main(int argc, char **argv)
{
	if (argc == 3 && strcmp(argv[1], "mem") == 0)
		return hog_mem(strtoull(argv[2], NULL, 10));
	if (argc == 2 && strcmp(argv[1], "spin") == 0)
		return hog_spin();
	if (argc == 4 && strcmp(argv[1], "write") == 0)
		return hog_write(argv[2], strtoull(argv[3], NULL, 10));
	fprintf(stderr, "usage: cgov_hog mem BYTES | spin | write FILE BYTES\n");
	return 2;
}
