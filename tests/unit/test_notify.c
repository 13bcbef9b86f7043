/* test_notify.c: the notification layer on the real snapshots.
 *
 * The pure helpers (event_control line, PSI trigger clamping, the *.events
 * parsers and "which counter moved") against the v1 and v2 snapshots and
 * hostile variants. Then the layer itself on copies of the snapshots in a
 * temporary directory, driven through a real libevent loop: on v2 the
 * inotify path sees the copy of memory.events and cgroup.events rewritten
 * as the kernel would; on v1 the test plays the kernel's part of
 * cgroup.event_control: it reads the line notify wrote there (the eventfd
 * number is in it) and signals that eventfd. PSI triggers need a real
 * kernel: tests/integration/notify.sh.
 */
#include <errno.h>
#include <event2/event.h>
#include <fcntl.h>
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cmocka.h>

#include "cgfs.h"
#include "cgparse.h"
#include "notify.h"
#include "policy.h"

static const char *
fixtures(void)
{
	const char *f = getenv("CGOV_FIXTURES");

	return f != NULL ? f : "tests/fixtures/cgroupfs";
}

static char *
slurp(const char *path)
{
	static char buf[8192];
	FILE *fp = fopen(path, "r");
	size_t n;

	assert_non_null(fp);
	n = fread(buf, 1, sizeof buf - 1, fp);
	buf[n] = '\0';
	fclose(fp);
	return buf;
}

static char *
fixture(const char *rel)
{
	char path[1024];

	snprintf(path, sizeof path, "%s/%s", fixtures(), rel);
	return slurp(path);
}

/* dir/name, in a static buffer. */
static const char *
fpath(const char *dir, const char *name)
{
	static char path[1024];

	snprintf(path, sizeof path, "%s%s", dir, name);
	return path;
}

static void
put(const char *dir, const char *name, const char *content)
{
	char path[1024];
	int fd;

	snprintf(path, sizeof path, "%s/%s", dir, name);
	/* In place (O_TRUNC, no rename): an inotify watch is on the inode. */
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, content, strlen(content)), (ssize_t)strlen(content));
	close(fd);
}

/* ---- pure helpers ---------------------------------------------------------- */

static void
test_kind_names(void **state)
{
	assert_string_equal(notify_kind_name(NOTIFY_MEM_LEVEL), "mem-level");
	assert_string_equal(notify_kind_name(NOTIFY_OOM_KILL), "oom-kill");
	assert_string_equal(notify_kind_name(NOTIFY_PSI_MEM), "psi-memory");
	assert_string_equal(notify_kind_name(NOTIFY_POPULATED), "populated");
	assert_string_equal(notify_kind_name(NOTIFY__MAX), "unknown");
}

static void
test_event_control_line(void **state)
{
	char buf[64];

	assert_int_equal(notify_event_control_line(buf, sizeof buf, 7, 9, 471859200), 13);
	assert_string_equal(buf, "7 9 471859200");
	/* OOM: no level. */
	assert_int_equal(notify_event_control_line(buf, sizeof buf, 12, 3, 0), 4);
	assert_string_equal(buf, "12 3");
	assert_int_equal(notify_event_control_line(buf, sizeof buf, 1, 2, UINT64_MAX - 1), 24);
	assert_string_equal(buf, "1 2 18446744073709551614");
	assert_int_equal(notify_event_control_line(buf, 5, 7, 9, 471859200), -ENAMETOOLONG);
}

static void
psi(uint64_t stall, uint64_t window, int priv, const char *want, uint64_t want_s,
    uint64_t want_w)
{
	char buf[64];
	uint64_t s = 0, w = 0;

	assert_int_equal(notify_psi_trigger(buf, sizeof buf, stall, window, priv, &s, &w),
	    (int)strlen(want));
	assert_string_equal(buf, want);
	assert_int_equal(s, want_s);
	assert_int_equal(w, want_w);
}

static void
test_psi_trigger(void **state)
{
	char buf[64];

	/* Inside the kernel's bounds, privileged: as asked. */
	psi(150000, 1000000, 1, "some 150000 1000000", 150000, 1000000);
	psi(500000, 500000, 1, "some 500000 500000", 500000, 500000);
	/* A window below 500ms grows to 500ms, the stall keeps its share. */
	psi(10000, 100000, 1, "some 50000 500000", 50000, 500000);
	/* Above 10s: 10s, same share (10%). */
	psi(2000000, 20000000, 1, "some 1000000 10000000", 1000000, 10000000);
	/* Unprivileged: a multiple of 2s, rounded up, share kept. */
	psi(100000, 1000000, 0, "some 200000 2000000", 200000, 2000000);
	psi(300000, 3000000, 0, "some 400000 4000000", 400000, 4000000);
	psi(900000, 9000000, 0, "some 1000000 10000000", 1000000, 10000000);
	psi(1000000, 10000000, 0, "some 1000000 10000000", 1000000, 10000000);
	psi(1000, 100000, 0, "some 20000 2000000", 20000, 2000000);
	/* A stall longer than the window is the whole window; a stall that
	 * scales below 1us is 1us. */
	psi(3000000, 1000000, 1, "some 1000000 1000000", 1000000, 1000000);
	psi(1, 20000000, 1, "some 1 10000000", 1, 10000000);
	/* Absurd inputs do not overflow. */
	psi(UINT64_MAX, UINT64_MAX, 1, "some 10000000 10000000", 10000000, 10000000);
	assert_int_equal(notify_psi_trigger(buf, sizeof buf, 0, 1000000, 1, NULL, NULL), -EINVAL);
	assert_int_equal(notify_psi_trigger(buf, sizeof buf, 1000, 0, 1, NULL, NULL), -EINVAL);
	assert_int_equal(notify_psi_trigger(buf, 8, 1000, 1000000, 1, NULL, NULL), -ENAMETOOLONG);
}

static void
test_parse_snapshots(void **state)
{
	struct notify_counts c;

	notify_counts_init(&c);
	assert_int_equal(notify_parse_events(fixture("v2-unified/tenant/memory.events"), &c), 4);
	assert_int_equal(c.high, 0);
	assert_int_equal(c.max, 0);
	assert_int_equal(c.oom, 0);
	assert_int_equal(c.oom_kill, 0);
	assert_int_equal(c.populated, CG_UNKNOWN);
	assert_int_equal(notify_parse_events(fixture("v2-unified/tenant/cgroup.events"), &c), 1);
	assert_int_equal(c.populated, 1);
	assert_int_equal(c.oom_kill, 0);        /* kept from memory.events */
	assert_int_equal(notify_parse_events(fixture("v2-unified/tenant/memory.events.local"), &c), 4);

	/* v1: oom_kill only; oom_kill_disable and under_oom are not counters. */
	notify_counts_init(&c);
	assert_int_equal(notify_parse_events(fixture("v1-hybrid/tenant/memory.oom_control"), &c), 1);
	assert_int_equal(c.oom_kill, 0);
	assert_int_equal(c.oom, CG_UNKNOWN);
	assert_int_equal(c.max, CG_UNKNOWN);
}

static void
test_parse_hostile(void **state)
{
	struct notify_counts c;

	notify_counts_init(&c);
	/* Half-written files (an inotify event between truncate and write in
	 * the tests; a torn read) change nothing. */
	assert_int_equal(notify_parse_events("", &c), -EINVAL);
	assert_int_equal(notify_parse_events("oom_k", &c), -EINVAL);
	assert_int_equal(notify_parse_events("garbage\n\x1b[31m\n", &c), -EINVAL);
	assert_int_equal(notify_parse_events("frozen 0\n", &c), -EINVAL);
	assert_int_equal(c.oom_kill, CG_UNKNOWN);
	/* A truncated last line, an overflowing value, unknown keys. */
	assert_int_equal(notify_parse_events("low 0\nhigh 7\nmax 99999999999999999999999\noom 2\noo", &c), 2);
	assert_int_equal(c.high, 7);
	assert_int_equal(c.max, CG_UNKNOWN);
	assert_int_equal(c.oom, 2);
	/* First occurrence wins, as in every keyed file. */
	assert_int_equal(notify_parse_events("oom_kill 3\noom_kill 9\n", &c), 1);
	assert_int_equal(c.oom_kill, 3);
}

static void
test_counts_moved(void **state)
{
	struct notify_counts old, now;
	enum notify_kind k[8];

	notify_counts_init(&old);
	notify_parse_events(fixture("v2-unified/tenant/memory.events"), &old);
	notify_parse_events(fixture("v2-unified/tenant/cgroup.events"), &old);
	now = old;
	assert_int_equal(notify_counts_moved(&old, &now, k, 8), 0);

	notify_parse_events("low 0\nhigh 12\nmax 3\noom 1\noom_kill 1\noom_group_kill 0\n", &now);
	notify_parse_events("populated 0\nfrozen 0\n", &now);
	assert_int_equal(notify_counts_moved(&old, &now, k, 8), 5);
	assert_int_equal(k[0], NOTIFY_MEM_HIGH);
	assert_int_equal(k[1], NOTIFY_MEM_MAX);
	assert_int_equal(k[2], NOTIFY_OOM);
	assert_int_equal(k[3], NOTIFY_OOM_KILL);
	assert_int_equal(k[4], NOTIFY_POPULATED);
	/* Bounded by max. */
	assert_int_equal(notify_counts_moved(&old, &now, k, 2), 2);
	assert_int_equal(k[1], NOTIFY_MEM_MAX);
	/* populated back to 1 is a move too; counters going down are not
	 * (a cgroup re-created at the path). */
	assert_int_equal(notify_counts_moved(&now, &old, k, 8), 1);
	assert_int_equal(k[0], NOTIFY_POPULATED);
	/* Unknown on either side: no move. */
	notify_counts_init(&old);
	assert_int_equal(notify_counts_moved(&old, &now, k, 8), 0);
}

static struct policy_set *
parse_policy(const char *text)
{
	struct policy_set *ps = NULL;
	struct pol_diags d = { 0 };

	assert_int_equal(policy_parse_buffer("t.policy", text, strlen(text), &ps, &d), 0);
	pol_diags_free(&d);
	assert_non_null(ps);
	return ps;
}

static void
test_cond_levels(void **state)
{
	struct policy_set *ps = parse_policy(
	    "policy \"p\" {\n"
	    "    match cgroup \"/lxc/*\"\n"
	    "    rule \"storm\" {\n"
	    "        when memory > 90% of limit for 10s and cpu > 1 core or memory > 3G\n"
	    "        do memory high 85% of limit\n"
	    "        until memory < 75% of limit for 60s\n"
	    "    }\n"
	    "    rule \"cpu\" {\n"
	    "        when cpu > 1.5 cores and memory > 90% of limit\n"
	    "        do cpu quota 1 core\n"
	    "    }\n"
	    "}\n");
	const struct pol_rule *r = &ps->v[0].rules[0];
	double lv[4];
	size_t n = 0;
	double limit = 5.0 * 1024 * 1024 * 1024;

	assert_int_equal(notify_cond_levels(r->when, PM_MEMORY, limit, lv, &n, 4), 0);
	assert_int_equal(n, 2);
	assert_true(fabs(lv[0] - 0.9 * limit) < 1);
	assert_true(lv[1] == 3.0 * 1024 * 1024 * 1024);
	assert_int_equal(notify_cond_levels(r->until, PM_MEMORY, limit, lv, &n, 4), 0);
	assert_int_equal(n, 3);
	assert_true(fabs(lv[2] - 0.75 * limit) < 1);
	/* The second rule's 90% is already there. */
	assert_int_equal(notify_cond_levels(ps->v[0].rules[1].when, PM_MEMORY, limit, lv, &n, 4), 0);
	assert_int_equal(n, 3);
	/* Another metric names no memory level. */
	assert_int_equal(notify_cond_levels(r->when, PM_CPU, limit, lv, &n, 4), 0);
	assert_int_equal(n, 4);                 /* "cpu > 1 core" */

	/* Full: what does not fit is counted. */
	n = 0;
	assert_int_equal(notify_cond_levels(r->when, PM_MEMORY, limit, lv, &n, 1), 1);
	assert_int_equal(n, 1);

	/* No limit (NaN, infinity, v1's huge "unlimited"): "% of limit" names
	 * nothing, absolute levels remain. */
	n = 0;
	assert_int_equal(notify_cond_levels(r->when, PM_MEMORY, NAN, lv, &n, 4), 0);
	assert_int_equal(n, 1);
	assert_true(lv[0] == 3.0 * 1024 * 1024 * 1024);
	n = 0;
	notify_cond_levels(r->when, PM_MEMORY, (double)0x7FFFFFFFFFFFF000ULL, lv, &n, 4);
	assert_int_equal(n, 1);
	n = 0;
	assert_int_equal(notify_cond_levels(NULL, PM_MEMORY, limit, lv, &n, 4), 0);
	assert_int_equal(n, 0);
	policy_set_free(ps);
}

/* ---- the layer on snapshot copies ------------------------------------------- */

struct seen {
	struct event_base *base;
	uint64_t key[32];
	enum notify_kind kind[32];
	int64_t ms[32];
	size_t n, want;
	struct notify_ct **free_on_first;       /* freed by the first callback */
};

static void
on_event(void *arg, uint64_t key, enum notify_kind kind, int64_t mono_ms)
{
	struct seen *s = arg;

	if (s->n < 32) {
		s->key[s->n] = key;
		s->kind[s->n] = kind;
		s->ms[s->n] = mono_ms;
	}
	s->n++;
	if (s->free_on_first != NULL) {
		notify_ct_free(*s->free_on_first);
		*s->free_on_first = NULL;
		s->free_on_first = NULL;
	}
	if (s->n >= s->want)
		event_base_loopbreak(s->base);
}

/* Runs the loop until `want` callbacks in all have come, or ms passed. */
static void
run_until(struct seen *s, size_t want, int ms)
{
	struct timeval tv = { ms / 1000, (ms % 1000) * 1000 };

	s->want = want;
	if (s->n >= want)
		return;
	event_base_loopexit(s->base, &tv);
	event_base_dispatch(s->base);
}

/* A copy of the snapshot's tenant: tmp/tenant, with the files listed. */
static void
copy_tenant(char *tmp, const char *which, const char *const *files)
{
	char dir[1024], src[1024];

	strcpy(tmp, "/tmp/cgov-notify.XXXXXX");
	assert_non_null(mkdtemp(tmp));
	snprintf(dir, sizeof dir, "%s/tenant", tmp);
	assert_int_equal(mkdir(dir, 0700), 0);
	for (; *files != NULL; files++) {
		snprintf(src, sizeof src, "%s/%s/tenant/%s", fixtures(), which, *files);
		put(dir, *files, access(src, F_OK) == 0 ? slurp(src) : "");
	}
}

static void
remove_tree(const char *tmp, const char *const *files)
{
	char path[1024];

	for (; *files != NULL; files++) {
		snprintf(path, sizeof path, "%s/tenant/%s", tmp, *files);
		unlink(path);
	}
	snprintf(path, sizeof path, "%s/tenant", tmp);
	rmdir(path);
	rmdir(tmp);
}

static const char *const v2_files[] = {
	"memory.events", "cgroup.events", "cgroup.procs", "cpu.pressure", NULL
};

static void
test_v2_events(void **state)
{
	char tmp[64], dir[128];
	struct seen s = { 0 };
	struct cgfs *fs;
	struct notify *n;
	struct notify_ct *c, *c2;
	uint64_t lv = 1 << 20;

	copy_tenant(tmp, "v2-unified", v2_files);
	snprintf(dir, sizeof dir, "%s/tenant", tmp);
	assert_int_equal(cgfs_open_root(tmp, 2, tmp, 1, &fs), 0);
	s.base = event_base_new();
	assert_int_equal(notify_new(s.base, fs, on_event, &s, &n), 0);
	assert_int_equal(notify_fds(n), 1);                     /* the epoll */
	c = notify_ct_new(n, 42, "/tenant");
	assert_int_equal(notify_fds(n), 1);                     /* nothing armed yet */
	assert_int_equal(notify_ct_mem_levels(c, &lv, 1), -EOPNOTSUPP);
	assert_int_equal(notify_ct_oom(c), 0);
	assert_int_equal(notify_ct_oom(c), 0);                  /* idempotent */
	assert_int_equal(notify_fds(n), 3);                     /* + directory, inotify */

	/* The kernel bumps high, oom and oom_kill: three callbacks, in order. */
	put(dir, "memory.events", "low 0\nhigh 4\nmax 0\noom 1\noom_kill 1\noom_group_kill 0\n");
	run_until(&s, 3, 2000);
	assert_int_equal(s.n, 3);
	assert_int_equal(s.key[0], 42);
	assert_int_equal(s.kind[0], NOTIFY_MEM_HIGH);
	assert_int_equal(s.kind[1], NOTIFY_OOM);
	assert_int_equal(s.kind[2], NOTIFY_OOM_KILL);
	assert_true(s.ms[0] > 0);
	/* The same counts written again: nothing moved, no callback; then
	 * the last task leaves. */
	put(dir, "memory.events", "low 0\nhigh 4\nmax 0\noom 1\noom_kill 1\noom_group_kill 0\n");
	put(dir, "cgroup.events", "populated 0\nfrozen 0\n");
	run_until(&s, 4, 2000);
	assert_int_equal(s.n, 4);
	assert_int_equal(s.kind[3], NOTIFY_POPULATED);

	/* PSI on a file that is not a kernel pressure file: the kernel's
	 * part cannot be played (epoll refuses regular files), but the
	 * failure is remembered: the same request touches nothing. */
	assert_true(notify_ct_psi(c, NOTIFY_PSI_CPU, 100000, 1000000) < 0);
	assert_string_equal(slurp(fpath(dir, "/cpu.pressure")),
	    "some 100000 1000000");
	put(dir, "cpu.pressure", "untouched");
	assert_true(notify_ct_psi(c, NOTIFY_PSI_CPU, 100000, 1000000) < 0);
	assert_string_equal(slurp(fpath(dir, "/cpu.pressure")), "untouched");
	/* A new request is tried again. */
	assert_true(notify_ct_psi(c, NOTIFY_PSI_CPU, 200000, 1000000) < 0);
	assert_string_equal(slurp(fpath(dir, "/cpu.pressure")),
	    "some 200000 1000000");
	assert_int_equal(notify_ct_psi(c, NOTIFY_OOM, 1, 1), -EINVAL);
	/* No io.pressure in the copy: the cgroup is there, PSI is not. */
	assert_int_equal(notify_ct_psi(c, NOTIFY_PSI_IO, 100000, 1000000), -EOPNOTSUPP);
	assert_int_equal(notify_fds(n), 3);

	/* A callback that frees its own container: the moves already read
	 * are still delivered (by key), nothing touches the freed one. */
	s.free_on_first = &c;
	put(dir, "memory.events", "low 0\nhigh 5\nmax 1\noom 2\noom_kill 2\noom_group_kill 0\n");
	run_until(&s, 8, 2000);
	assert_int_equal(s.n, 8);
	assert_null(c);
	assert_int_equal(s.kind[4], NOTIFY_MEM_HIGH);
	assert_int_equal(s.kind[7], NOTIFY_OOM_KILL);
	assert_int_equal(s.key[7], 42);
	assert_int_equal(notify_fds(n), 2);                     /* epoll + inotify */
	put(dir, "memory.events", "low 0\nhigh 6\nmax 1\noom 2\noom_kill 2\noom_group_kill 0\n");
	run_until(&s, 9, 200);
	assert_int_equal(s.n, 8);                               /* freed: silent */

	/* A container without memory.events (memory not enabled for it):
	 * populated alone. */
	c2 = notify_ct_new(n, 7, "/tenant");
	unlink(fpath(dir, "/memory.events"));
	assert_int_equal(notify_ct_oom(c2), 0);
	put(dir, "cgroup.events", "populated 1\nfrozen 0\n");
	run_until(&s, 9, 2000);
	assert_int_equal(s.n, 9);
	assert_int_equal(s.key[8], 7);
	assert_int_equal(s.kind[8], NOTIFY_POPULATED);
	notify_ct_free(c2);
	/* On a filesystem that says when a watched file goes (kernfs does
	 * not), a container whose two files and cgroup went is released. */
	c2 = notify_ct_new(n, 9, "/tenant");
	put(dir, "memory.events", "low 0\nhigh 0\nmax 0\noom 0\noom_kill 0\n");
	assert_int_equal(notify_ct_oom(c2), 0);
	assert_int_equal(notify_fds(n), 3);
	unlink(fpath(dir, "/cgroup.procs"));
	unlink(fpath(dir, "/memory.events"));
	unlink(fpath(dir, "/cgroup.events"));
	for (int i = 0; i < 200 && notify_fds(n) > 2; i++) {
		event_base_loop(s.base, EVLOOP_NONBLOCK);
		usleep(10000);
	}
	assert_int_equal(notify_fds(n), 2);
	assert_int_equal(s.n, 9);
	assert_int_equal(notify_ct_oom(c2), -ENOENT);
	notify_ct_free(c2);
	/* A container that is not there. */
	c2 = notify_ct_new(n, 8, "/nope");
	assert_int_equal(notify_ct_oom(c2), -ENOENT);
	assert_int_equal(notify_ct_oom(c2), -ENOENT);
	notify_ct_free(c2);

	notify_free(n);
	event_base_free(s.base);
	cgfs_close(fs);
	remove_tree(tmp, v2_files);
}

static const char *const v1_files[] = {
	"memory.usage_in_bytes", "memory.oom_control", "cgroup.procs", "cgroup.event_control",
	NULL
};

/* The kernel's part: the eventfd number notify wrote to the (fake)
 * cgroup.event_control, with its level. */
static int
registered_efd(const char *dir, uint64_t *ret_level)
{
	char path[256];
	unsigned long long level = 0;
	int efd = -1, cfd = -1, k;

	snprintf(path, sizeof path, "%s/cgroup.event_control", dir);
	k = sscanf(slurp(path), "%d %d %llu", &efd, &cfd, &level);
	assert_true(k >= 2);
	if (ret_level != NULL)
		*ret_level = k == 3 ? level : 0;
	return efd;
}

static void
kernel_signal(int efd)
{
	uint64_t one = 1;

	assert_int_equal(write(efd, &one, sizeof one), (ssize_t)sizeof one);
}

static void
test_v1_eventfd(void **state)
{
	char tmp[64], dir[128];
	struct seen s = { 0 };
	struct cgfs *fs;
	struct notify *n;
	struct notify_ct *c;
	uint64_t lv[7] = {
		300 << 20, 100 << 20, 0, 300 << 20, 200 << 20, 400 << 20, 500 << 20
	};
	uint64_t level;
	int efd, efd_oom;

	copy_tenant(tmp, "v1-hybrid", v1_files);
	snprintf(dir, sizeof dir, "%s/tenant", tmp);
	assert_int_equal(cgfs_open_root(tmp, 1, tmp, 1, &fs), 0);
	s.base = event_base_new();
	assert_int_equal(notify_new(s.base, fs, on_event, &s, &n), 0);
	c = notify_ct_new(n, 5, "/tenant");
	assert_int_equal(notify_ct_psi(c, NOTIFY_PSI_MEM, 100000, 1000000), -EOPNOTSUPP);

	/* One level: the line names an eventfd, the usage file and the level. */
	assert_int_equal(notify_ct_mem_levels(c, &lv[1], 1), 0);
	efd = registered_efd(dir, &level);
	assert_int_equal(level, 100 << 20);
	assert_int_equal(notify_fds(n), 3);                     /* epoll, dir, eventfd */
	kernel_signal(efd);
	run_until(&s, 1, 2000);
	assert_int_equal(s.n, 1);
	assert_int_equal(s.key[0], 5);
	assert_int_equal(s.kind[0], NOTIFY_MEM_LEVEL);

	/* The same set in another order, with a 0 and a duplicate: nothing
	 * registered again (the fake file keeps its old line). */
	put(dir, "cgroup.event_control", "");
	assert_int_equal(notify_ct_mem_levels(c, (uint64_t[]){ 0, 100 << 20, 100 << 20 }, 3), 0);
	assert_string_equal(slurp(fpath(dir, "/cgroup.event_control")), "");
	/* More than NOTIFY_MAX_LEVELS distinct levels: refused as a whole. */
	assert_int_equal(notify_ct_mem_levels(c, lv, 7), -E2BIG);
	assert_int_equal(notify_fds(n), 3);
	/* Four distinct (0 and a duplicate dropped): three new registrations,
	 * 100M stays as it is. */
	assert_int_equal(notify_ct_mem_levels(c, lv, 6), 0);
	assert_int_equal(notify_fds(n), 6);
	/* Down to one level, 200M: the others are closed (the kernel drops
	 * their registrations when the eventfds close). */
	assert_int_equal(notify_ct_mem_levels(c, &lv[4], 1), 0);
	assert_int_equal(notify_fds(n), 3);
	efd = registered_efd(dir, &level);
	assert_int_equal(level, 400 << 20);             /* the last one written */
	(void)efd;

	/* OOM: NOTIFY_OOM at once; the kill counted a moment later comes as
	 * NOTIFY_OOM_KILL from the re-read. */
	put(dir, "cgroup.event_control", "");
	assert_int_equal(notify_ct_oom(c), 0);
	efd_oom = registered_efd(dir, &level);
	assert_int_equal(level, 0);
	assert_int_equal(notify_fds(n), 4);
	kernel_signal(efd_oom);
	run_until(&s, 2, 2000);
	assert_int_equal(s.n, 2);
	assert_int_equal(s.kind[1], NOTIFY_OOM);
	put(dir, "memory.oom_control", "oom_kill_disable 0\nunder_oom 0\noom_kill 1\n");
	run_until(&s, 3, 2000);
	assert_int_equal(s.n, 3);
	assert_int_equal(s.kind[2], NOTIFY_OOM_KILL);
	/* Killed before notify reads: both at once. */
	put(dir, "memory.oom_control", "oom_kill_disable 0\nunder_oom 1\noom_kill 2\n");
	kernel_signal(efd_oom);
	run_until(&s, 5, 2000);
	assert_int_equal(s.n, 5);
	assert_int_equal(s.kind[3], NOTIFY_OOM);
	assert_int_equal(s.kind[4], NOTIFY_OOM_KILL);
	assert_true(s.ms[4] >= s.ms[0]);

	/* The cgroup goes: the kernel signals its eventfds one last time.
	 * No callback, and the container's descriptors are released. */
	unlink(fpath(dir, "/cgroup.procs"));
	kernel_signal(efd_oom);
	run_until(&s, 6, 300);
	assert_int_equal(s.n, 5);
	assert_int_equal(notify_fds(n), 1);
	assert_int_equal(notify_ct_oom(c), -ENOENT);
	assert_int_equal(notify_ct_mem_levels(c, &lv[1], 1), -ENOENT);
	notify_ct_free(c);

	/* A kernel without cgroup.event_control (memcg v1 events off). */
	unlink(fpath(dir, "/cgroup.event_control"));
	put(dir, "cgroup.procs", "");
	c = notify_ct_new(n, 6, "/tenant");
	assert_int_equal(notify_ct_mem_levels(c, &lv[1], 1), -EOPNOTSUPP);
	assert_int_equal(notify_ct_oom(c), -EOPNOTSUPP);
	notify_ct_free(c);
	assert_int_equal(notify_fds(n), 1);

	notify_free(n);
	event_base_free(s.base);
	cgfs_close(fs);
	remove_tree(tmp, v1_files);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_kind_names),
		cmocka_unit_test(test_event_control_line),
		cmocka_unit_test(test_psi_trigger),
		cmocka_unit_test(test_parse_snapshots),
		cmocka_unit_test(test_parse_hostile),
		cmocka_unit_test(test_counts_moved),
		cmocka_unit_test(test_cond_levels),
		cmocka_unit_test(test_v2_events),
		cmocka_unit_test(test_v1_eventfd),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
