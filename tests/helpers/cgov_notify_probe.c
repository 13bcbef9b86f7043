/* cgov_notify_probe: the notification layer (notify.h) on a real cgroup,
 * for tests/integration/notify.sh.
 *
 *   cgov_notify_probe watch --path CGROUP [--root DIR --version 1|2]
 *       [--level BYTES]... [--oom] [--psi cpu|memory|io:STALL_US:WINDOW_US]...
 *       [--until KIND[,KIND...]] [--count N] [--until-fds N] [--timeout SECONDS]
 *       [--usage-file FILE]
 *     arms what is asked on CGROUP (the host's layout, or every controller
 *     at DIR with --root), prints one line
 *       armed levels=R oom=R psi-cpu=R psi-memory=R psi-io=R fds=N [psi-RES-trigger=S/W]...
 *     (R: "ok", "-" when not asked, or the error's name; S/W the stall and
 *     window of each PSI trigger in force, in us), then one line per
 *     callback
 *       event KIND mono_us=T [usage=BYTES]
 *     (CLOCK_MONOTONIC when the callback ran; FILE's value read in the
 *     callback, with --usage-file), flushed at once. Exits 0 once
 *     every KIND of --until has been seen and N callbacks have come
 *     (--count), or once notify holds no more than N descriptors
 *     (--until-fds: the container's were released, checked every 10 ms),
 *     3 at the timeout (default 30s), 1 when something asked could not be
 *     armed. Its last line is
 *       exit fds=N events=E
 *
 *   cgov_notify_probe ramp BYTES USAGE_FILE
 *     allocates and touches BYTES, 256 KiB at a time; after each step prints
 *       MONO_US USAGE
 *     (USAGE read from USAGE_FILE right after the touch: when the crossing
 *     of a level is seen), then "ready", and waits to be killed.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <event2/event.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cgfs.h"
#include "log.h"
#include "notify.h"

static int64_t
mono_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

static int
ramp(unsigned long long bytes, const char *usage_file)
{
	const size_t step = 256 << 10;
	char buf[64];
	int fd = open(usage_file, O_RDONLY | O_CLOEXEC);

	if (fd < 0) {
		perror(usage_file);
		return 1;
	}
	setvbuf(stdout, NULL, _IOLBF, 0);
	for (unsigned long long held = 0; held < bytes; held += step) {
		char *p = malloc(step);
		ssize_t n;

		if (p == NULL)
			return 1;
		for (size_t i = 0; i < step; i += 4096)
			p[i] = 1;
		n = pread(fd, buf, sizeof buf - 1, 0);
		buf[n > 0 ? n : 0] = '\0';
		printf("%lld %llu\n", (long long)mono_us(), strtoull(buf, NULL, 10));
	}
	printf("ready\n");
	for (;;)
		pause();
}

struct probe {
	struct event_base *base;
	int usage_fd;                   /* --usage-file, or -1 */
	unsigned want, seen;            /* bit masks of kinds */
	unsigned count, events;         /* --count, callbacks so far */
	int until_fds;                  /* --until-fds, or -1 */
	struct notify *n;
};

static int
probe_done(const struct probe *p)
{
	if (p->until_fds >= 0)
		return notify_fds(p->n) <= (size_t)p->until_fds;
	return (p->want != 0 || p->count != 0) && (p->seen & p->want) == p->want &&
	    p->events >= p->count;
}

static void
on_check(evutil_socket_t fd, short what, void *arg)
{
	struct probe *p = arg;

	if (probe_done(p))
		event_base_loopbreak(p->base);
}

static void
on_event(void *arg, uint64_t key, enum notify_kind kind, int64_t mono_ms)
{
	struct probe *p = arg;

	int64_t t = mono_us();
	char buf[64] = "";

	if (p->usage_fd >= 0) {
		ssize_t r = pread(p->usage_fd, buf + 7, sizeof buf - 8, 0);

		if (r > 0) {
			memcpy(buf, " usage=", 7);
			buf[7 + r] = '\0';
			buf[strcspn(buf, "\n")] = '\0';
		}
	}
	printf("event %s mono_us=%lld%s\n", notify_kind_name(kind), (long long)t, buf);
	fflush(stdout);
	p->seen |= 1u << kind;
	p->events++;
	if (probe_done(p))
		event_base_loopbreak(p->base);
}

static int
kind_lookup(const char *name)
{
	for (int k = 0; k < NOTIFY__MAX; k++)
		if (strcmp(name, notify_kind_name(k)) == 0)
			return k;
	return -1;
}

static const char *
result(int asked, int r)
{
	static char b[8][32];
	static int slot;
	char *s = b[slot++ % 8];

	if (!asked)
		return "-";
	if (r == 0)
		return "ok";
	snprintf(s, 32, "%s", strerrorname_np(-r) ? strerrorname_np(-r) : "error");
	return s;
}

static void
usage(void)
{
	fprintf(stderr, "usage: cgov_notify_probe watch --path CGROUP [--root DIR --version N] "
	    "[--level BYTES]... [--oom] [--psi RES:STALL_US:WINDOW_US]... [--until K,...] [--count N] [--until-fds N] "
	    "[--timeout S] [--usage-file FILE]\n       cgov_notify_probe ramp BYTES USAGE_FILE\n");
	exit(2);
}

int
main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "path", required_argument, NULL, 'p' },
		{ "root", required_argument, NULL, 'r' },
		{ "version", required_argument, NULL, 'V' },
		{ "level", required_argument, NULL, 'l' },
		{ "oom", no_argument, NULL, 'o' },
		{ "psi", required_argument, NULL, 's' },
		{ "until", required_argument, NULL, 'u' },
		{ "timeout", required_argument, NULL, 't' },
		{ "count", required_argument, NULL, 'n' },
		{ "until-fds", required_argument, NULL, 'F' },
		{ "usage-file", required_argument, NULL, 'f' },
		{ NULL, 0, NULL, 0 }
	};
	const char *path = NULL, *root = NULL;
	uint64_t levels[16], psi_stall[3] = { 0 }, psi_window[3] = { 0 };
	size_t nlevels = 0;
	int version = 2, oom = 0, timeout = 30, ch, r, rl = 0, ro = 0, rp[3] = { 0 };
	struct probe p = { .usage_fd = -1, .until_fds = -1 };
	struct event *check = NULL;
	struct cgfs *fs;
	struct notify *n;
	struct notify_ct *c;
	struct timeval tv;

	if (argc == 4 && strcmp(argv[1], "ramp") == 0)
		return ramp(strtoull(argv[2], NULL, 10), argv[3]);
	if (argc < 2 || strcmp(argv[1], "watch") != 0)
		usage();
	optind = 2;
	while ((ch = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (ch) {
		case 'p': path = optarg; break;
		case 'r': root = optarg; break;
		case 'V': version = atoi(optarg); break;
		case 'l':
			if (nlevels == 16)
				usage();
			levels[nlevels++] = strtoull(optarg, NULL, 10);
			break;
		case 'o': oom = 1; break;
		case 's': {
			char res[16];
			unsigned long long s, w;
			int i;

			if (sscanf(optarg, "%15[a-z]:%llu:%llu", res, &s, &w) != 3)
				usage();
			i = strcmp(res, "cpu") == 0 ? 0 : strcmp(res, "memory") == 0 ? 1 :
			    strcmp(res, "io") == 0 ? 2 : -1;
			if (i < 0)
				usage();
			psi_stall[i] = s;
			psi_window[i] = w;
			break;
		}
		case 'u':
			for (char *tok = strtok(optarg, ","); tok != NULL; tok = strtok(NULL, ",")) {
				int k = kind_lookup(tok);

				if (k < 0)
					usage();
				p.want |= 1u << k;
			}
			break;
		case 't': timeout = atoi(optarg); break;
		case 'n': p.count = (unsigned)atoi(optarg); break;
		case 'F': p.until_fds = atoi(optarg); break;
		case 'f':
			if ((p.usage_fd = open(optarg, O_RDONLY | O_CLOEXEC)) < 0) {
				perror(optarg);
				return 1;
			}
			break;
		default: usage();
		}
	}
	if (path == NULL)
		usage();
	log_init("cgov_notify_probe", 0, LOG_LEVEL_WARN);
	r = root != NULL ? cgfs_open_root(root, version, "/proc", 0, &fs) : cgfs_open_host(&fs);
	if (r < 0) {
		fprintf(stderr, "cgov_notify_probe: no cgroupfs: %s\n", strerror(-r));
		return 1;
	}
	p.base = event_base_new();
	if (p.base == NULL || notify_new(p.base, fs, on_event, &p, &n) < 0) {
		fprintf(stderr, "cgov_notify_probe: cannot start the loop\n");
		return 1;
	}
	p.n = n;
	c = notify_ct_new(n, 1, path);
	if (nlevels > 0)
		rl = notify_ct_mem_levels(c, levels, nlevels);
	if (oom)
		ro = notify_ct_oom(c);
	for (int i = 0; i < 3; i++)
		if (psi_stall[i] != 0)
			rp[i] = notify_ct_psi(c, NOTIFY_PSI_CPU + i, psi_stall[i], psi_window[i]);
	printf("armed levels=%s oom=%s psi-cpu=%s psi-memory=%s psi-io=%s fds=%zu",
	    result(nlevels > 0, rl), result(oom, ro), result(psi_stall[0] != 0, rp[0]),
	    result(psi_stall[1] != 0, rp[1]), result(psi_stall[2] != 0, rp[2]), notify_fds(n));
	for (int i = 0; i < 3; i++) {
		uint64_t s, w;

		if (notify_ct_psi_armed(c, NOTIFY_PSI_CPU + i, &s, &w))
			printf(" %s-trigger=%llu/%llu", notify_kind_name(NOTIFY_PSI_CPU + i),
			    (unsigned long long)s, (unsigned long long)w);
	}
	printf("\n");
	fflush(stdout);
	/* A refused arming is an answer, not a crash: everything is freed on
	 * the way out (the sanitizer pass checks the helpers for leaks too). */
	if ((nlevels > 0 && rl < 0) || (oom && ro < 0) || rp[0] < 0 || rp[1] < 0 || rp[2] < 0) {
		r = 1;
		goto out;
	}
	if (p.until_fds >= 0) {
		struct timeval every = { 0, 10000 };

		check = event_new(p.base, -1, EV_PERSIST, on_check, &p);
		event_add(check, &every);
	}
	tv.tv_sec = timeout;
	tv.tv_usec = 0;
	event_base_loopexit(p.base, &tv);
	event_base_dispatch(p.base);
	r = probe_done(&p) ? 0 : 3;
	printf("exit fds=%zu events=%u\n", notify_fds(n), p.events);
out:
	if (check != NULL)
		event_free(check);
	notify_ct_free(c);
	notify_free(n);
	event_base_free(p.base);
	cgfs_close(fs);
	return r;
}
