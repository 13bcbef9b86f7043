/* test_act.c: the actuator on real cgroups: journal first, restore, drift,
 * rate limits, dry run, crash recovery, the memory floor.
 *
 * Runs as root on a live cgroup v1 (or hybrid) host, in a sandbox cgroup
 * made under this process's own cgroup in every hierarchy: one path under
 * the deepest own path, created everywhere, as tests/lib/sandbox.sh does.
 * Each test gets a fresh container cgroup and a fresh database, both
 * removed in its teardown. Skips (77) without root or without v1.
 */
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/types.h>
#include <sys/wait.h>

#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "act.h"
#include "journal.h"
#include "knob.h"
#include "log.h"

#define T0      INT64_C(1800000000000)
#define COOL    10000                    /* the test policy's cooldown, ms */
#define MIB     (1024 * 1024)

/* --- the sandbox ---------------------------------------------------------- */

static struct {
	struct cgfs *fs;
	char base[512];                  /* cgroup path of the sandbox */
	char ct[600];                    /* the test container: base/ct */
	char *made[64];                  /* directories created, in order */
	size_t nmade;
} sb;

/* This process's cgroup path in the v1 hierarchy holding controller name. */
static int
own_path(const char *name, char *buf, size_t len)
{
	char line[1024];
	FILE *fp = fopen("/proc/self/cgroup", "r");
	int found = 0;

	if (fp == NULL)
		return 0;
	while (!found && fgets(line, sizeof line, fp) != NULL) {
		char *ctrls = strchr(line, ':'), *path, *tok, *save;

		if (ctrls == NULL || (path = strchr(++ctrls, ':')) == NULL)
			continue;
		*path++ = '\0';
		path[strcspn(path, "\n")] = '\0';
		for (tok = strtok_r(ctrls, ",", &save); tok != NULL; tok = strtok_r(NULL, ",", &save))
			if (strcmp(tok, name) == 0) {
				snprintf(buf, len, "%s", path);
				found = 1;
			}
	}
	fclose(fp);
	return found;
}

static size_t
depth(const char *path)
{
	size_t n = 0;

	for (const char *p = path; *p != '\0'; p++)
		n += p[0] == '/' && p[1] != '\0';
	return n;
}

static int
mkdir_recorded(const char *dir)
{
	if (mkdir(dir, 0755) == 0) {
		if (sb.nmade == sizeof sb.made / sizeof sb.made[0])
			return -1;
		sb.made[sb.nmade++] = strdup(dir);
		return 0;
	}
	return errno == EEXIST ? 0 : -1;
}

/* Creates base in every hierarchy, each missing parent recorded. */
static int
sandbox_make(void)
{
	char deepest[512] = "/", own[512], dir[1200];

	for (int c = 0; c < CG_CTRL_MAX; c++) {
		if (sb.fs->ctrl[c].version == 0)
			continue;
		if (sb.fs->ctrl[c].version != 1)
			return -1;
		if (own_path(cgfs_ctrl_name(sb.fs, (enum cg_ctrl)c), own, sizeof own) &&
		    depth(own) > depth(deepest))
			snprintf(deepest, sizeof deepest, "%s", own);
	}
	snprintf(sb.base, sizeof sb.base, "%s/cgov-act.%d",
	    strcmp(deepest, "/") == 0 ? "" : deepest, (int)getpid());
	snprintf(sb.ct, sizeof sb.ct, "%s/ct", sb.base);
	for (int c = 0; c < CG_CTRL_MAX; c++) {
		if (sb.fs->ctrl[c].version == 0)
			continue;
		for (const char *p = strchr(sb.base + 1, '/'); ; p = strchr(p + 1, '/')) {
			size_t n = p != NULL ? (size_t)(p - sb.base) : strlen(sb.base);

			snprintf(dir, sizeof dir, "%s%.*s", sb.fs->ctrl[c].mount, (int)n, sb.base);
			if (mkdir_recorded(dir) < 0)
				return -1;
			if (p == NULL)
				break;
		}
	}
	return 0;
}

static void
sandbox_remove(void)
{
	while (sb.nmade > 0) {
		char *d = sb.made[--sb.nmade];

		if (rmdir(d) < 0)
			fprintf(stderr, "warning: %s left behind: %s\n", d, strerror(errno));
		free(d);
	}
}

static int
group_setup(void **state)
{
	log_init("test_act", 0, LOG_LEVEL_WARN);
	if (cgfs_open_host(&sb.fs) < 0 || sandbox_make() < 0) {
		sandbox_remove();
		fprintf(stderr, "cannot build a cgroup v1 sandbox\n");
		return -1;
	}
	return 0;
}

static int
group_teardown(void **state)
{
	sandbox_remove();
	cgfs_close(sb.fs);
	return 0;
}

static void
ct_file(enum cg_ctrl c, const char *file, char *buf, size_t len)
{
	snprintf(buf, len, "%s%s/%s", sb.fs->ctrl[c].mount, sb.ct, file);
}

/* The content of a file of the test container, without the newline. */
static const char *
ct_read(enum cg_ctrl c, const char *file)
{
	static char text[256];
	char path[1200];
	ssize_t n;
	int fd;

	ct_file(c, file, path, sizeof path);
	assert_true((fd = open(path, O_RDONLY)) >= 0);
	n = read(fd, text, sizeof text - 1);
	close(fd);
	assert_true(n >= 0);
	text[n] = '\0';
	text[strcspn(text, "\n")] = '\0';
	return text;
}

/* What an admin (or systemd) does behind cgov's back. */
static void
ct_write(enum cg_ctrl c, const char *file, const char *value)
{
	char path[1200];
	int fd;

	ct_file(c, file, path, sizeof path);
	assert_true((fd = open(path, O_WRONLY)) >= 0);
	assert_int_equal(write(fd, value, strlen(value)), (ssize_t)strlen(value));
	close(fd);
}

/* The container's cgroup goes away (it has no tasks). */
static void
ct_remove(void)
{
	char dir[1200];

	for (int c = 0; c < CG_CTRL_MAX; c++) {
		if (sb.fs->ctrl[c].version == 0)
			continue;
		snprintf(dir, sizeof dir, "%s%s", sb.fs->ctrl[c].mount, sb.ct);
		assert_int_equal(rmdir(dir), 0);
	}
}

/* --- per test: a container and a database --------------------------------- */

static struct {
	char dir[64], db[96];
	struct store *st;
	int64_t cid;
	struct tenant_id id;
	pid_t child;
} t;

#define T_KEY 7       /* the tenant key (fleet_obs.key) of the test container */

static struct policy pol = { .name = "tenants", .cooldown_ms = COOL, .drift = PD_REASSERT };
static struct policy pol_log = { .name = "logging", .cooldown_ms = COOL, .drift = PD_LOG };
static struct policy pol_kill = { .name = "killer", .cooldown_ms = COOL, .allow_kill = 1 };
static struct pol_rule rule = { .name = "cpu-hog" };

static struct gov_want
want(enum pol_knob k, int64_t value, const struct policy *p, const struct pol_rule *r)
{
	struct gov_want w = { .knob = k, .value = value, .policy = p, .rule = r };

	snprintf(w.why, sizeof w.why, "cpu 1.98 cores > 1.5 cores for 10s");
	return w;
}

/* Makes the test container's cgroup in every hierarchy. */
static int
ct_create(void)
{
	char dir[1200];

	for (int c = 0; c < CG_CTRL_MAX; c++) {
		if (sb.fs->ctrl[c].version == 0)
			continue;
		snprintf(dir, sizeof dir, "%s%s", sb.fs->ctrl[c].mount, sb.ct);
		if (mkdir(dir, 0755) < 0 && errno != EEXIST)
			return -1;
	}
	return 0;
}

static int
test_setup(void **state)
{
	if (ct_create() < 0 || tenant_id_read(sb.fs, sb.ct, &t.id) < 0)
		return -1;
	snprintf(t.dir, sizeof t.dir, "/tmp/cgov-act-XXXXXX");
	if (mkdtemp(t.dir) == NULL)
		return -1;
	snprintf(t.db, sizeof t.db, "%s/cgov.db", t.dir);
	if (store_open(t.db, 0, &t.st) < 0 ||
	    store_container_upsert(t.st, sb.ct, "ct", "cgroup", T0, &t.cid) < 0)
		return -1;
	t.child = 0;
	return 0;
}

static int
test_teardown(void **state)
{
	char dir[1200];
	const char *ext[] = { "", "-wal", "-shm" };

	if (t.child > 0) {
		kill(t.child, SIGKILL);
		waitpid(t.child, NULL, 0);
	}
	for (int c = 0; c < CG_CTRL_MAX; c++) {
		if (sb.fs->ctrl[c].version == 0)
			continue;
		snprintf(dir, sizeof dir, "%s%s", sb.fs->ctrl[c].mount, sb.ct);
		if (rmdir(dir) < 0 && errno != ENOENT)
			fprintf(stderr, "warning: %s left behind: %s\n", dir, strerror(errno));
	}
	store_close(t.st);
	for (size_t i = 0; i < 3; i++) {
		snprintf(dir, sizeof dir, "%s%s", t.db, ext[i]);
		unlink(dir);
	}
	rmdir(t.dir);
	return 0;
}

static struct act *
new_act(int dry_run, uint64_t cap)
{
	struct act_config cfg = { .dry_run = dry_run, .max_actions_per_min = cap };

	return act_new(sb.fs, t.st, &cfg);
}

/* The test container as the actuator sees it. */
static struct act_tenant
tenant(void)
{
	return (struct act_tenant){
		.key = T_KEY, .cid = t.cid, .id = &t.id, .path = sb.ct, .name = "ct",
		.runtime = "cgroup",
	};
}

static int
sync1(struct act *a, const struct gov_want *w, size_t n, int64_t now)
{
	struct act_tenant at = tenant();

	act_sync(a, &at, w, n, now);
	return act_flush(a, now);
}

/* The journal of the test container, oldest first. */
static size_t
actions(struct journal_action **ret)
{
	struct journal_filter f = { .container = sb.ct };
	size_t n;

	assert_int_equal(journal_action_query(t.st, &f, ret, &n), 0);
	return n;
}

static size_t
count_kind(enum journal_kind kind)
{
	struct journal_action *v;
	size_t n = actions(&v), k = 0;

	for (size_t i = 0; i < n; i++)
		k += v[i].kind == kind;
	journal_actions_free(v, n);
	return k;
}

static size_t
origs(struct journal_orig **ret)
{
	size_t n;

	assert_int_equal(journal_orig_list(t.st, ret, &n), 0);
	return n;
}

static size_t
count_origs(void)
{
	struct journal_orig *v;
	size_t n = origs(&v);

	journal_origs_free(v, n);
	return n;
}

/* A task in the container that holds mib MiB of touched memory. */
static void
spawn_holder(size_t mib)
{
	int go[2], ready[2];
	char c = 0, path[1200], pid[32];

	assert_int_equal(pipe(go), 0);
	assert_int_equal(pipe(ready), 0);
	t.child = fork();
	assert_true(t.child >= 0);
	if (t.child == 0) {
		volatile char *p;       /* volatile: the compiler may not drop the writes */

		if (read(go[0], &c, 1) != 1 || (p = malloc(mib * MIB)) == NULL)
			_exit(1);
		for (size_t i = 0; i < mib * MIB; i += 4096)
			p[i] = 1;
		if (write(ready[1], "k", 1) != 1)
			_exit(1);
		for (;;)
			pause();
	}
	snprintf(pid, sizeof pid, "%d", (int)t.child);
	for (int i = 0; i < CG_CTRL_MAX; i++) {
		int fd;

		if (sb.fs->ctrl[i].version == 0)
			continue;
		snprintf(path, sizeof path, "%s%s/cgroup.procs", sb.fs->ctrl[i].mount, sb.ct);
		assert_true((fd = open(path, O_WRONLY)) >= 0);
		assert_int_equal(write(fd, pid, strlen(pid)), (ssize_t)strlen(pid));
		close(fd);
	}
	assert_int_equal(write(go[1], "g", 1), 1);
	assert_int_equal(read(ready[0], &c, 1), 1);
	assert_int_equal(c, 'k');
	close(go[0]);
	close(go[1]);
	close(ready[0]);
	close(ready[1]);
}

/* --- the tests ------------------------------------------------------------------ */

/* The original and the decision are in the journal, and the knob is
 * written. */
static void
test_apply_journals_original(void **state)
{
	struct act *a = new_act(0, 0);
	struct gov_want w = want(PK_CPU_WEIGHT, 512, &pol, &rule);
	struct journal_action *v;
	struct journal_orig *o;
	size_t n;

	assert_string_equal(ct_read(CG_CPU, "cpu.shares"), "1024");
	assert_int_equal(sync1(a, &w, 1, T0), 1);
	assert_string_equal(ct_read(CG_CPU, "cpu.shares"), "512");
	assert_int_equal(act_owned(a), 1);

	assert_int_equal(n = origs(&o), 1);
	assert_int_equal(o[0].cid, t.cid);
	assert_int_equal(o[0].knob, PK_CPU_WEIGHT);
	assert_int_equal(o[0].value, 1024);
	journal_origs_free(o, n);

	assert_int_equal(n = actions(&v), 1);
	assert_int_equal(v[0].kind, JK_APPLY);
	assert_int_equal(v[0].old_value, 1024);
	assert_int_equal(v[0].new_value, 512);
	assert_string_equal(v[0].policy, "tenants");
	assert_string_equal(v[0].rule, "cpu-hog");
	assert_string_equal(v[0].observed, "cpu 1.98 cores > 1.5 cores for 10s");
	assert_int_equal(v[0].dry_run, 0);
	assert_true(v[0].restored_ms == STORE_NULL);
	journal_actions_free(v, n);

	/* Wanted again: nothing to do, nothing journaled. */
	assert_int_equal(sync1(a, &w, 1, T0 + 1000), 0);
	assert_int_equal(count_kind(JK_APPLY), 1);
	act_free(a);
}

/* The wants passed to act_sync are the caller's scratch (govern reuses its
 * array for the next container of the same batch, before act_flush): a
 * step journals the want it was planned from, not what the array holds by
 * the time the batch is carried out. */
static void
test_step_keeps_its_want(void **state)
{
	struct act *a = new_act(0, 0);
	struct gov_want w = want(PK_CPU_WEIGHT, 512, &pol, &rule);
	struct act_tenant at = tenant();
	struct journal_action *v;
	size_t n;

	act_sync(a, &at, &w, 1, T0);
	w = want(PK_CPU_WEIGHT, 2048, &pol_log, NULL);    /* the next container's */
	snprintf(w.why, sizeof w.why, "someone else's reason");
	assert_int_equal(act_flush(a, T0), 1);
	assert_string_equal(ct_read(CG_CPU, "cpu.shares"), "512");
	assert_int_equal(n = actions(&v), 1);
	assert_string_equal(v[0].policy, "tenants");
	assert_string_equal(v[0].rule, "cpu-hog");
	assert_string_equal(v[0].observed, "cpu 1.98 cores > 1.5 cores for 10s");
	journal_actions_free(v, n);
	act_free(a);
}

/* A write the kernel (or knob) refuses: the apply row was journaled before
 * the attempt, the failure follows it, and the knob is not owned. */
static void
test_failed_write(void **state)
{
	struct act *a = new_act(0, 0);
	struct gov_want w = want(PK_CPU_WEIGHT, 0, &pol, &rule);
	struct journal_action *v;
	size_t n;

	assert_int_equal(sync1(a, &w, 1, T0), 0);
	assert_int_equal(act_owned(a), 0);
	assert_int_equal(n = actions(&v), 2);
	assert_int_equal(v[0].kind, JK_APPLY);
	assert_true(v[0].restored_ms != STORE_NULL);       /* closed: never in force */
	assert_int_equal(v[1].kind, JK_FAILED);
	assert_int_equal(v[1].error, EINVAL);
	journal_actions_free(v, n);
	assert_int_equal(count_origs(), 0);
	assert_string_equal(ct_read(CG_CPU, "cpu.shares"), "1024");
	act_free(a);
}

static void
test_restore(void **state)
{
	struct act *a = new_act(0, 0);
	struct gov_want w = want(PK_CPU_WEIGHT, 512, &pol, &rule);
	struct journal_action *v;
	size_t n;

	assert_int_equal(sync1(a, &w, 1, T0), 1);
	assert_int_equal(sync1(a, NULL, 0, T0 + COOL), 1);
	assert_string_equal(ct_read(CG_CPU, "cpu.shares"), "1024");
	assert_int_equal(act_owned(a), 0);
	assert_int_equal(count_origs(), 0);
	assert_int_equal(n = actions(&v), 2);
	assert_int_equal(v[0].kind, JK_APPLY);
	assert_int_equal(v[0].restored_ms, T0 + COOL);
	assert_int_equal(v[1].kind, JK_RESTORE);
	assert_int_equal(v[1].old_value, 512);
	assert_int_equal(v[1].new_value, 1024);
	journal_actions_free(v, n);
	act_free(a);
}

/* A knob changes at most once per cooldown: a new value and a restore
 * wait for it. */
static void
test_cooldown(void **state)
{
	struct act *a = new_act(0, 0);
	struct gov_want w1 = want(PK_CPU_WEIGHT, 512, &pol, &rule);
	struct gov_want w2 = want(PK_CPU_WEIGHT, 256, &pol, &rule);

	assert_int_equal(sync1(a, &w1, 1, T0), 1);
	assert_int_equal(sync1(a, &w2, 1, T0 + COOL - 1), 0);
	assert_string_equal(ct_read(CG_CPU, "cpu.shares"), "512");
	assert_int_equal(sync1(a, &w2, 1, T0 + COOL), 1);
	assert_string_equal(ct_read(CG_CPU, "cpu.shares"), "256");

	assert_int_equal(sync1(a, NULL, 0, T0 + 2 * COOL - 1), 0);
	assert_string_equal(ct_read(CG_CPU, "cpu.shares"), "256");
	assert_int_equal(sync1(a, NULL, 0, T0 + 2 * COOL), 1);
	assert_string_equal(ct_read(CG_CPU, "cpu.shares"), "1024");
	/* The original is the first one, not the value before the second change. */
	assert_int_equal(count_kind(JK_APPLY), 2);
	assert_int_equal(count_kind(JK_RESTORE), 1);
	act_free(a);
}

/* The node-wide cap defers applies past it, with one refused row per
 * window, not one per sync; restores are never capped. */
static void
test_global_cap(void **state)
{
	struct act *a = new_act(0, 1);
	struct gov_want w[2] = {
		want(PK_CPU_WEIGHT, 512, &pol, &rule), want(PK_PIDS_MAX, 100, &pol, &rule),
	};

	assert_int_equal(sync1(a, w, 2, T0), 1);
	assert_string_equal(ct_read(CG_CPU, "cpu.shares"), "512");
	assert_string_equal(ct_read(CG_PIDS, "pids.max"), "max");
	assert_int_equal(count_kind(JK_REFUSED), 1);
	assert_int_equal(sync1(a, w, 2, T0 + 1000), 0);
	assert_int_equal(count_kind(JK_REFUSED), 1);

	assert_int_equal(sync1(a, w, 2, T0 + 60000), 1);
	assert_string_equal(ct_read(CG_PIDS, "pids.max"), "100");
	/* Both restores go through although the window's one apply is spent. */
	assert_int_equal(sync1(a, NULL, 0, T0 + 60000 + COOL), 2);
	assert_string_equal(ct_read(CG_CPU, "cpu.shares"), "1024");
	assert_string_equal(ct_read(CG_PIDS, "pids.max"), "max");
	act_free(a);
}

/* Dry run: decisions journaled once with dry_run = 1, nothing written, no
 * original recorded. */
static void
test_dry_run(void **state)
{
	struct act *a = new_act(1, 0);
	struct gov_want w = want(PK_CPU_WEIGHT, 512, &pol, &rule);
	struct journal_action *v;
	size_t n;

	assert_int_equal(sync1(a, &w, 1, T0), 1);
	assert_int_equal(sync1(a, &w, 1, T0 + 1000), 0);
	assert_string_equal(ct_read(CG_CPU, "cpu.shares"), "1024");
	assert_int_equal(count_origs(), 0);
	assert_int_equal(n = actions(&v), 1);
	assert_int_equal(v[0].kind, JK_APPLY);
	assert_int_equal(v[0].dry_run, 1);
	journal_actions_free(v, n);

	assert_int_equal(sync1(a, NULL, 0, T0 + COOL), 1);
	assert_string_equal(ct_read(CG_CPU, "cpu.shares"), "1024");
	assert_int_equal(n = actions(&v), 2);
	assert_int_equal(v[1].kind, JK_RESTORE);
	assert_int_equal(v[1].dry_run, 1);
	journal_actions_free(v, n);
	act_free(a);
}

/* Changed behind cgov's back: on-drift reassert writes it again (after the
 * cooldown), on-drift log journals it once and leaves it. */
static void
test_drift_reassert(void **state)
{
	struct act *a = new_act(0, 0);
	struct gov_want w = want(PK_CPU_WEIGHT, 512, &pol, &rule);
	struct journal_action *v;
	size_t n;

	assert_int_equal(sync1(a, &w, 1, T0), 1);
	ct_write(CG_CPU, "cpu.shares", "700");
	assert_int_equal(sync1(a, &w, 1, T0 + 1000), 0);      /* cooling down */
	assert_string_equal(ct_read(CG_CPU, "cpu.shares"), "700");
	assert_int_equal(sync1(a, &w, 1, T0 + COOL), 1);
	assert_string_equal(ct_read(CG_CPU, "cpu.shares"), "512");
	/* The drift is journaled when seen, the reassert when the cooldown
	 * allows it. */
	assert_int_equal(n = actions(&v), 3);
	assert_int_equal(v[1].kind, JK_DRIFT);
	assert_int_equal(v[1].old_value, 512);
	assert_int_equal(v[1].new_value, 700);
	assert_int_equal(v[2].kind, JK_REASSERT);
	assert_int_equal(v[2].old_value, 700);
	assert_int_equal(v[2].new_value, 512);
	journal_actions_free(v, n);
	assert_int_equal(sync1(a, &w, 1, T0 + 2 * COOL), 0);
	act_free(a);
}

static void
test_drift_log(void **state)
{
	struct act *a = new_act(0, 0);
	struct gov_want w = want(PK_CPU_WEIGHT, 512, &pol_log, &rule);
	struct journal_action *v;
	size_t n;

	assert_int_equal(sync1(a, &w, 1, T0), 1);
	ct_write(CG_CPU, "cpu.shares", "700");
	assert_int_equal(sync1(a, &w, 1, T0 + COOL), 0);
	assert_int_equal(sync1(a, &w, 1, T0 + 2 * COOL), 0);
	assert_string_equal(ct_read(CG_CPU, "cpu.shares"), "700");
	assert_int_equal(n = actions(&v), 2);
	assert_int_equal(v[1].kind, JK_DRIFT);
	assert_int_equal(v[1].old_value, 512);
	assert_int_equal(v[1].new_value, 700);
	journal_actions_free(v, n);
	assert_int_equal(act_owned(a), 1);     /* still restored when no longer wanted */
	act_free(a);
}

/* Set back to the original behind cgov's back: the admin took the knob
 * back, cgov lets go and does not fight while the want lasts. */
static void
test_release(void **state)
{
	struct act *a = new_act(0, 0);
	struct gov_want w = want(PK_CPU_WEIGHT, 512, &pol, &rule);
	struct journal_action *v;
	size_t n;

	assert_int_equal(sync1(a, &w, 1, T0), 1);
	ct_write(CG_CPU, "cpu.shares", "1024");
	assert_int_equal(sync1(a, &w, 1, T0 + 1000), 0);
	assert_int_equal(act_owned(a), 0);
	assert_int_equal(count_origs(), 0);
	assert_int_equal(n = actions(&v), 2);
	assert_true(v[0].restored_ms != STORE_NULL);
	assert_int_equal(v[1].kind, JK_DRIFT);
	assert_non_null(strstr(v[1].observed, "released"));
	journal_actions_free(v, n);
	assert_int_equal(sync1(a, &w, 1, T0 + 5 * COOL), 0);
	assert_string_equal(ct_read(CG_CPU, "cpu.shares"), "1024");
	assert_int_equal(count_kind(JK_APPLY), 1);
	act_free(a);
}

/* A journal that cannot be written does not stop governing: the knob is
 * written, and its original is journaled once the journal works again. */
static void
test_journal_down(void **state)
{
	struct act *a = new_act(0, 0);
	struct gov_want w = want(PK_CPU_WEIGHT, 512, &pol, &rule);
	struct journal_orig *o;
	struct store *ro;
	size_t n;

	assert_int_equal(store_open(t.db, STORE_RDONLY, &ro), 0);
	act_set_store(a, ro);
	assert_int_equal(sync1(a, &w, 1, T0), 1);
	assert_string_equal(ct_read(CG_CPU, "cpu.shares"), "512");
	assert_int_equal(count_origs(), 0);
	act_set_store(a, t.st);
	store_close(ro);
	assert_int_equal(sync1(a, &w, 1, T0 + 1000), 0);
	assert_int_equal(n = origs(&o), 1);
	assert_int_equal(o[0].value, 1024);
	journal_origs_free(o, n);
	assert_int_equal(sync1(a, NULL, 0, T0 + COOL), 1);
	assert_string_equal(ct_read(CG_CPU, "cpu.shares"), "1024");
	assert_int_equal(count_origs(), 0);
	act_free(a);
}

/* A cgovd that died with a knob changed: the next one finds the original
 * in the journal and restores it at its first sync. */
static void
test_reconcile_after_crash(void **state)
{
	struct act *a = new_act(0, 0);
	struct gov_want w = want(PK_CPU_WEIGHT, 512, &pol, &rule);

	assert_int_equal(sync1(a, &w, 1, T0), 1);
	act_free(a);                             /* the crash: no restore */
	assert_string_equal(ct_read(CG_CPU, "cpu.shares"), "512");

	a = new_act(0, 0);
	assert_int_equal(act_reconcile(a, T0 + 1000), 1);
	assert_int_equal(act_owned(a), 1);
	assert_int_equal(sync1(a, NULL, 0, T0 + 1000), 1);
	assert_string_equal(ct_read(CG_CPU, "cpu.shares"), "1024");
	assert_int_equal(count_origs(), 0);
	assert_int_equal(count_kind(JK_RESTORE), 1);
	act_free(a);
}

/* A CPU quota's original is the kernel's quota and period, not its
 * millicores: 301007 us per period goes back as 301007, not 301000, both
 * from memory and from the journal after a crash. */
static void
test_restore_exact_quota(void **state)
{
	struct act *a = new_act(0, 0);
	struct gov_want w = want(PK_CPU_QUOTA, 500, &pol, NULL);
	struct journal_orig *o;
	char period[32], orig[64], half[32];
	size_t n;

	snprintf(period, sizeof period, "%s", ct_read(CG_CPU, "cpu.cfs_period_us"));
	snprintf(orig, sizeof orig, "301007 %s", period);
	snprintf(half, sizeof half, "%lld", atoll(period) / 2);
	ct_write(CG_CPU, "cpu.cfs_quota_us", "301007");

	assert_int_equal(sync1(a, &w, 1, T0), 1);
	assert_string_equal(ct_read(CG_CPU, "cpu.cfs_quota_us"), half);
	assert_int_equal(n = origs(&o), 1);
	assert_int_equal(o[0].value, (301007 * 1000 + atoll(period) / 2) / atoll(period));
	assert_string_equal(o[0].exact, orig);
	journal_origs_free(o, n);
	assert_int_equal(sync1(a, NULL, 0, T0 + COOL), 1);
	assert_string_equal(ct_read(CG_CPU, "cpu.cfs_quota_us"), "301007");
	assert_string_equal(ct_read(CG_CPU, "cpu.cfs_period_us"), period);

	assert_int_equal(sync1(a, &w, 1, T0 + 2 * COOL), 1);
	act_free(a);                             /* the crash: no restore */
	assert_string_equal(ct_read(CG_CPU, "cpu.cfs_quota_us"), half);
	a = new_act(0, 0);
	assert_int_equal(act_reconcile(a, T0 + 3 * COOL), 1);
	assert_int_equal(act_settle(a, T0 + 3 * COOL), 1);
	assert_string_equal(ct_read(CG_CPU, "cpu.cfs_quota_us"), "301007");
	assert_string_equal(ct_read(CG_CPU, "cpu.cfs_period_us"), period);
	assert_int_equal(count_origs(), 0);
	act_free(a);
	ct_write(CG_CPU, "cpu.cfs_quota_us", "-1");
}

/* v1: a swap buffer wanted before the memory limit of a tenant without
 * one is written after it (memsw = unlimited + buffer would stay
 * unlimited), and the next sync finds no drift; lowered, both come down. */
static void
test_v1_limit_before_buffer(void **state)
{
	struct act *a = new_act(0, 0);
	struct gov_want w[2] = {
		want(PK_SWAP_BUFFER, 64 * MIB, &pol, NULL),
		want(PK_MEM_LIMIT, 256 * MIB, &pol, NULL),
	};
	char mem[600];

	snprintf(mem, sizeof mem, "%s%s/memory.memsw.limit_in_bytes",
	    sb.fs->ctrl[CG_MEMORY].mount, sb.ct);
	if (access(mem, F_OK) < 0)
		skip();
	assert_int_equal(sync1(a, w, 2, T0), 2);
	assert_string_equal(ct_read(CG_MEMORY, "memory.limit_in_bytes"), "268435456");
	assert_string_equal(ct_read(CG_MEMORY, "memory.memsw.limit_in_bytes"), "335544320");
	assert_int_equal(sync1(a, w, 2, T0 + 1000), 0);
	assert_int_equal(count_kind(JK_DRIFT), 0);
	w[0].value = 32 * MIB;
	w[1].value = 128 * MIB;
	assert_int_equal(sync1(a, w, 2, T0 + COOL), 2);
	assert_string_equal(ct_read(CG_MEMORY, "memory.limit_in_bytes"), "134217728");
	assert_string_equal(ct_read(CG_MEMORY, "memory.memsw.limit_in_bytes"), "167772160");
	assert_int_equal(sync1(a, w, 2, T0 + COOL + 1000), 0);
	assert_int_equal(count_kind(JK_DRIFT), 0);
	assert_int_equal(count_kind(JK_REASSERT), 0);
	act_free(a);
}

/* Originals of a container that is gone are dropped at reconcile. */
static void
test_reconcile_gone(void **state)
{
	struct act *a = new_act(0, 0);
	struct gov_want w = want(PK_CPU_WEIGHT, 512, &pol, &rule);
	int64_t cid;

	assert_int_equal(store_container_upsert(t.st, "/no/such/cgroup", "x", "cgroup", T0,
	    &cid), 0);
	assert_int_equal(sync1(a, &w, 1, T0), 1);
	act_free(a);
	assert_int_equal(journal_begin(t.st), 0);
	assert_int_equal(journal_orig_put(t.st, cid, NULL, PK_CPU_WEIGHT, 0, 1024, T0), 0);
	assert_int_equal(journal_commit(t.st), 0);
	assert_int_equal(count_origs(), 2);

	a = new_act(0, 0);
	assert_int_equal(act_reconcile(a, T0 + 1000), 1);
	assert_int_equal(count_origs(), 1);
	act_free(a);
}

/* A tenant re-created at the same path while no cgovd ran (a crash, then
 * the runtime re-made the container with limits of its own) never gets
 * the old tenant's original: reconcile drops it, the new value stays. */
static void
test_reconcile_recreated(void **state)
{
	struct act *a = new_act(0, 0);
	struct gov_want w = want(PK_CPU_WEIGHT, 512, &pol, &rule);
	struct tenant_id id;

	assert_int_equal(sync1(a, &w, 1, T0), 1);
	act_free(a);                             /* the crash: no restore */
	ct_remove();
	assert_int_equal(ct_create(), 0);
	ct_write(CG_CPU, "cpu.shares", "2048");  /* the new tenant's own */
	assert_int_equal(tenant_id_read(sb.fs, sb.ct, &id), 0);
	assert_false(tenant_id_same(&id, &t.id));
	assert_int_equal(count_origs(), 1);

	a = new_act(0, 0);
	assert_int_equal(act_reconcile(a, T0 + 1000), 0);
	assert_int_equal(count_origs(), 0);
	t.id = id;                               /* the new tenant syncs */
	assert_int_equal(sync1(a, NULL, 0, T0 + 1000), 0);
	assert_int_equal(act_settle(a, T0 + 1000), 0);
	assert_string_equal(ct_read(CG_CPU, "cpu.shares"), "2048");
	assert_int_equal(count_kind(JK_RESTORE), 0);
	act_free(a);
}

/* Between two syncs: the tenant's cgroup is removed and another made at
 * the path. Forgetting the old tenant restores nothing into the new one. */
static void
test_forget_recreated(void **state)
{
	struct act *a = new_act(0, 0);
	struct gov_want w = want(PK_CPU_WEIGHT, 512, &pol, &rule);

	assert_int_equal(sync1(a, &w, 1, T0), 1);
	ct_remove();
	assert_int_equal(ct_create(), 0);
	ct_write(CG_CPU, "cpu.shares", "2048");
	act_forget(a, T_KEY);
	assert_string_equal(ct_read(CG_CPU, "cpu.shares"), "2048");
	assert_int_equal(act_owned(a), 0);
	assert_int_equal(count_origs(), 0);
	assert_int_equal(count_kind(JK_RESTORE), 0);
	/* And an exit restores nothing into it either. */
	assert_int_equal(act_restore_all(a, T0 + COOL, 1), 0);
	assert_string_equal(ct_read(CG_CPU, "cpu.shares"), "2048");
	act_free(a);
}

/* The originals a crash left for a cgroup that is still there but that no
 * tenant claims (no longer a container) go back at act_settle. */
static void
test_settle_unclaimed(void **state)
{
	struct act *a = new_act(0, 0);
	struct gov_want w = want(PK_CPU_WEIGHT, 512, &pol, &rule);

	assert_int_equal(sync1(a, &w, 1, T0), 1);
	act_free(a);
	a = new_act(0, 0);
	assert_int_equal(act_reconcile(a, T0 + 1000), 1);
	assert_int_equal(act_settle(a, T0 + 1000), 1);
	assert_string_equal(ct_read(CG_CPU, "cpu.shares"), "1024");
	assert_int_equal(act_owned(a), 0);
	assert_int_equal(count_origs(), 0);
	act_free(a);
}

/* Never lower a memory limit below usage: refused once, file unchanged. */
static void
test_memory_floor(void **state)
{
	struct act *a = new_act(0, 0);
	struct gov_want w = want(PK_MEM_LIMIT, 4 * MIB, &pol, &rule);
	char before[64];
	struct journal_action *v;
	size_t n;

	spawn_holder(20);
	snprintf(before, sizeof before, "%s", ct_read(CG_MEMORY, "memory.limit_in_bytes"));
	assert_int_equal(sync1(a, &w, 1, T0), 0);
	assert_int_equal(sync1(a, &w, 1, T0 + COOL), 0);
	assert_string_equal(ct_read(CG_MEMORY, "memory.limit_in_bytes"), before);
	assert_int_equal(act_owned(a), 0);
	assert_int_equal(n = actions(&v), 1);
	assert_int_equal(v[0].kind, JK_REFUSED);
	assert_int_equal(v[0].new_value, 4 * MIB);
	assert_non_null(strstr(v[0].observed, "below usage"));
	journal_actions_free(v, n);
	assert_int_equal(kill(t.child, 0), 0);   /* not OOM-killed */
	act_free(a);
}

/* A restore that would lower the limit below usage waits until it can. */
static void
test_memory_floor_restore(void **state)
{
	struct act *a = new_act(0, 0);
	struct gov_want w = want(PK_MEM_LIMIT, 64 * MIB, &pol, &rule);
	char limit[32];

	snprintf(limit, sizeof limit, "%d", 32 * MIB);
	ct_write(CG_MEMORY, "memory.limit_in_bytes", limit);
	assert_int_equal(sync1(a, &w, 1, T0), 1);        /* raised to 64M */
	spawn_holder(40);
	assert_int_equal(sync1(a, NULL, 0, T0 + COOL), 0);
	snprintf(limit, sizeof limit, "%d", 64 * MIB);
	assert_string_equal(ct_read(CG_MEMORY, "memory.limit_in_bytes"), limit);
	assert_int_equal(count_kind(JK_RESTORE), 0);
	assert_int_equal(count_origs(), 1);

	kill(t.child, SIGKILL);
	waitpid(t.child, NULL, 0);
	t.child = 0;
	ct_write(CG_MEMORY, "memory.force_empty", "0");
	assert_int_equal(sync1(a, NULL, 0, T0 + COOL + 1000), 1);
	snprintf(limit, sizeof limit, "%d", 32 * MIB);
	assert_string_equal(ct_read(CG_MEMORY, "memory.limit_in_bytes"), limit);
	assert_int_equal(count_origs(), 0);
	act_free(a);
}

/* The kill rung kills once per firing, loudly journaled. */
static void
test_kill_once(void **state)
{
	struct act *a = new_act(0, 0);
	struct gov_want w = want(PK_KILL, 1, &pol_kill, &rule);
	int status;

	spawn_holder(1);
	assert_int_equal(sync1(a, &w, 1, T0), 1);
	assert_int_equal(waitpid(t.child, &status, 0), t.child);
	t.child = 0;
	assert_true(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL);
	assert_int_equal(sync1(a, &w, 1, T0 + COOL), 0);
	assert_int_equal(count_kind(JK_KILL), 1);
	/* The rung cleared, then fired again: a new firing, a new kill. */
	assert_int_equal(sync1(a, NULL, 0, T0 + 2 * COOL), 0);
	assert_int_equal(sync1(a, &w, 1, T0 + 3 * COOL), 1);
	assert_int_equal(count_kind(JK_KILL), 2);
	act_free(a);
}

/* Without `allow kill` the kill rung is refused (journaled once): no task
 * is signalled, whoever asks. */
static void
test_kill_needs_allow(void **state)
{
	struct act *a = new_act(0, 0);
	struct gov_want w = want(PK_KILL, 1, &pol, &rule);

	spawn_holder(1);
	assert_int_equal(sync1(a, &w, 1, T0), 0);
	assert_int_equal(sync1(a, &w, 1, T0 + COOL), 0);
	assert_int_equal(kill(t.child, 0), 0);   /* alive */
	assert_int_equal(count_kind(JK_KILL), 0);
	assert_int_equal(count_kind(JK_REFUSED), 1);
	act_free(a);
}

/* A container gone for good: its originals and rows in force are closed. */
static void
test_forget(void **state)
{
	struct act *a = new_act(0, 0);
	struct gov_want w = want(PK_CPU_WEIGHT, 512, &pol, &rule);
	struct journal_filter f = { .in_force_only = 1 };
	struct journal_action *v;
	size_t n;

	assert_int_equal(sync1(a, &w, 1, T0), 1);
	ct_remove();
	act_forget(a, T_KEY);
	assert_int_equal(act_owned(a), 0);
	assert_int_equal(count_origs(), 0);
	assert_int_equal(journal_action_query(t.st, &f, &v, &n), 0);
	assert_int_equal(n, 0);
	journal_actions_free(v, n);
	assert_int_equal(count_kind(JK_RESTORE), 0);
	/* Nothing left to restore at exit. */
	assert_int_equal(act_restore_all(a, T0 + COOL, 1), 0);
	act_free(a);
}

/* A container forgotten while its cgroup is still there (no longer
 * watched) gets its knobs back first: nothing stays throttled with its
 * original dropped from the journal. */
static void
test_forget_still_there(void **state)
{
	struct act *a = new_act(0, 0);
	struct gov_want w = want(PK_CPU_WEIGHT, 512, &pol, &rule);

	assert_int_equal(sync1(a, &w, 1, T0), 1);
	act_forget(a, T_KEY);
	assert_string_equal(ct_read(CG_CPU, "cpu.shares"), "1024");
	assert_int_equal(act_owned(a), 0);
	assert_int_equal(count_origs(), 0);
	assert_int_equal(count_kind(JK_RESTORE), 1);
	act_free(a);
}

/* At exit, rule-set knobs go back; static limits only when asked. */
static void
test_restore_all(void **state)
{
	struct act *a = new_act(0, 0);
	struct gov_want w[2] = {
		want(PK_CPU_WEIGHT, 512, &pol, &rule), want(PK_PIDS_MAX, 100, &pol, NULL),
	};

	assert_int_equal(sync1(a, w, 2, T0), 2);
	assert_int_equal(act_restore_all(a, T0 + 1, 0), 1);  /* no cooldown at exit */
	assert_string_equal(ct_read(CG_CPU, "cpu.shares"), "1024");
	assert_string_equal(ct_read(CG_PIDS, "pids.max"), "100");
	assert_int_equal(count_origs(), 1);                  /* the static one stays */
	assert_int_equal(act_restore_all(a, T0 + 2, 1), 1);
	assert_string_equal(ct_read(CG_PIDS, "pids.max"), "max");
	assert_int_equal(count_origs(), 0);
	act_free(a);
}

/* A static limit whose policy stopped matching waits on the knob's
 * cooldown; an exit inside it still gives the knob back (statics 0 keeps
 * only the statics still wanted), journaled as a restore. */
static void
test_restore_all_unwanted_static(void **state)
{
	struct act *a = new_act(0, 0);
	struct gov_want w[2] = {
		want(PK_PIDS_MAX, 100, &pol, NULL), want(PK_CPU_WEIGHT, 512, &pol, NULL),
	};
	struct journal_action *v;
	size_t n, restores = 0;

	assert_int_equal(sync1(a, w, 2, T0), 2);
	/* Only the weight is still wanted; pids.max waits on its cooldown. */
	assert_int_equal(sync1(a, &w[1], 1, T0 + 1), 0);
	assert_string_equal(ct_read(CG_PIDS, "pids.max"), "100");
	assert_int_equal(act_restore_all(a, T0 + 2, 0), 1);
	assert_string_equal(ct_read(CG_PIDS, "pids.max"), "max");
	assert_string_equal(ct_read(CG_CPU, "cpu.shares"), "512");   /* still wanted: kept */
	assert_int_equal(count_origs(), 1);
	n = actions(&v);
	for (size_t i = 0; i < n; i++)
		if (v[i].kind == JK_RESTORE) {
			restores++;
			assert_int_equal(v[i].knob, PK_PIDS_MAX);
			assert_non_null(strstr(v[i].observed, "no longer wanted"));
		}
	assert_int_equal(restores, 1);
	journal_actions_free(v, n);
	assert_int_equal(act_restore_all(a, T0 + 3, 1), 1);
	act_free(a);
}

/* The governor's base values: the original while cgov owns a knob. */
/* A want for one disk beats an every-disk want of the same knob on that
 * disk, whichever the governor lists first. */
static void
test_io_device_beats_all(void **state)
{
	struct act *a = new_act(0, 0);
	struct gov_want w[2];
	dev_t devs[8];
	char line[64];
	size_t nd = knob_dev_all(devs, 8);

	if (nd == 0 || sb.fs->ctrl[CG_IO].version != 1) {
		act_free(a);
		skip();
	}
	w[0] = want(PK_IO_WBPS, 10 << 20, &pol, &rule);         /* every disk */
	w[1] = want(PK_IO_WBPS, 20 << 20, &pol, &rule);         /* one disk */
	w[1].dev = devs[0];
	assert_true(sync1(a, w, 2, T0) >= 1);
	snprintf(line, sizeof line, "%u:%u %d", major(devs[0]), minor(devs[0]), 20 << 20);
	assert_non_null(strstr(ct_read(CG_IO, "blkio.throttle.write_bps_device"), line));
	act_restore_all(a, T0 + COOL, 1);
	act_free(a);
}

static void
test_base(void **state)
{
	struct act *a = new_act(0, 0);
	struct gov_want w = want(PK_CPU_WEIGHT, 512, &pol, &rule);
	struct act_tenant at = tenant();
	struct cg_sample s;
	int64_t base[PK__MAX];

	memset(&s, 0xff, sizeof s);              /* CG_UNKNOWN everywhere */
	s.cpu_shares = 512;
	s.cpu_quota_us = 50000;
	s.cpu_period_us = 100000;
	s.mem_limit = CG_UNLIMITED;
	act_base(a, &at, &s, base);
	assert_int_equal(base[PK_CPU_WEIGHT], 512);
	assert_int_equal(base[PK_CPU_QUOTA], 500);
	assert_true(base[PK_MEM_LIMIT] == POL_MAX);
	assert_true(base[PK_MEM_HIGH] == GOV_UNKNOWN);
	assert_true(base[PK_IO_WBPS] == GOV_UNKNOWN);
	assert_int_equal(sync1(a, &w, 1, T0), 1);
	act_base(a, &at, &s, base);
	assert_int_equal(base[PK_CPU_WEIGHT], 1024);
	act_free(a);
}

#define T(f) cmocka_unit_test_setup_teardown(f, test_setup, test_teardown)

int
main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_apply_journals_original),
		T(test_step_keeps_its_want),
		T(test_failed_write),
		T(test_restore),
		T(test_cooldown),
		T(test_global_cap),
		T(test_dry_run),
		T(test_drift_reassert),
		T(test_drift_log),
		T(test_release),
		T(test_journal_down),
		T(test_reconcile_after_crash),
		T(test_restore_exact_quota),
		T(test_v1_limit_before_buffer),
		T(test_reconcile_gone),
		T(test_memory_floor),
		T(test_memory_floor_restore),
		T(test_kill_once),
		T(test_kill_needs_allow),
		T(test_forget),
		T(test_reconcile_recreated),
		T(test_forget_recreated),
		T(test_settle_unclaimed),
		T(test_forget_still_there),
		T(test_restore_all),
		T(test_restore_all_unwanted_static),
		T(test_base),
		T(test_io_device_beats_all),
	};

	if (geteuid() != 0) {
		printf("SKIP: test_act needs root (real cgroups)\n");
		return 77;
	}
	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
