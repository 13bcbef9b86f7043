/* test_knob.c: the knob layer on the real snapshots, on hostile files, on
 * this host's block devices and, as root, on real v1 cgroups.
 *
 * The live tests build one container cgroup, with one path in every v1
 * hierarchy (as LXC and Docker lay them out, and as tests/lib/sandbox.sh
 * does): <the deepest own cgroup>/cgov-knob.PID/ct. The group teardown
 * kills what runs there and removes every directory it made, also after a
 * failed assertion.
 */
#include "config.h"

#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/wait.h>

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <setjmp.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "cgfs.h"
#include "knob.h"
#include "log.h"
#include "xmalloc.h"

#define TEST_UNUSED	__attribute__((unused))
#define MiB		(INT64_C(1024) * 1024)
#define V1_UNLIMITED	"9223372036854771712"

static const char *
fixtures(void)
{
	const char *f = getenv("CGOV_FIXTURES");

	return f != NULL ? f : "tests/fixtures/cgroupfs";
}

static struct cgfs *
open_snapshot(const char *which, int version)
{
	struct cgfs *fs = NULL;
	char root[PATH_MAX];

	snprintf(root, sizeof root, "%s/%s", fixtures(), which);
	assert_int_equal(cgfs_open_root(root, version, root, 1, &fs), 0);
	return fs;
}

static int64_t
read_knob(struct cgfs *fs, const char *path, enum pol_knob k, dev_t dev)
{
	int64_t v = -42;

	assert_int_equal(knob_read(fs, path, k, dev, &v), 0);
	return v;
}

/* --- the snapshots ----------------------------------------------------------- */

static void
test_v1_snapshot(void **state TEST_UNUSED)
{
	struct cgfs *fs = open_snapshot("v1-hybrid", 1);
	dev_t vda = makedev(254, 0);
	int64_t v;

	assert_int_equal(read_knob(fs, "/tenant", PK_MEM_LIMIT, 0), 536870912);
	assert_int_equal(read_knob(fs, "/tenant", PK_MEM_HIGH, 0), POL_MAX);  /* soft limit */
	assert_int_equal(read_knob(fs, "/tenant", PK_SWAP_BUFFER, 0), 64 * MiB);  /* 576M - 512M */
	assert_int_equal(read_knob(fs, "/tenant", PK_CPU_WEIGHT, 0), 2048);
	assert_int_equal(read_knob(fs, "/tenant", PK_CPU_QUOTA, 0), 500);     /* 50000/100000 */
	assert_int_equal(read_knob(fs, "/tenant", PK_IO_WBPS, vda), 52428800);
	assert_int_equal(read_knob(fs, "/tenant", PK_IO_WBPS, makedev(8, 0)), POL_MAX);
	assert_int_equal(read_knob(fs, "/tenant", PK_PIDS_MAX, 0), 1000);
	assert_int_equal(read_knob(fs, "/tenant", PK_FREEZE, 0), 0);          /* THAWED */
	/* The snapshot has no read_bps file: not available, the cgroup is there. */
	assert_int_equal(knob_read(fs, "/tenant", PK_IO_RBPS, vda, &v), -ENXIO);
	assert_int_equal(knob_read(fs, "/gone", PK_MEM_LIMIT, 0, &v), -ENOENT);
	assert_int_equal(knob_read(fs, "/tenant", PK_KILL, 0, &v), -EINVAL);
	assert_int_equal(knob_read(fs, "/tenant", PK_IO_WBPS, 0, &v), -EINVAL);
	assert_int_equal(knob_read(fs, "/tenant/../..", PK_MEM_LIMIT, 0, &v), -EINVAL);
	/* v1 has no memory.low: neither read nor written, never available. */
	assert_false(knob_available(fs, PK_MEM_LOW));
	assert_int_equal(knob_read(fs, "/tenant", PK_MEM_LOW, 0, &v), -ENXIO);
	assert_int_equal(knob_write(fs, "/tenant", PK_MEM_LOW, 0, 64 * MiB), -ENXIO);
	assert_false(knob_available(fs, PK_MEM_MIN));
	assert_int_equal(knob_write(fs, "/tenant", PK_MEM_MIN, 0, 64 * MiB), -ENXIO);
	cgfs_close(fs);
}

static void
test_v2_snapshot(void **state TEST_UNUSED)
{
	struct cgfs *fs = open_snapshot("v2-unified", 2);
	dev_t vda = makedev(254, 0);
	int64_t v;

	assert_int_equal(read_knob(fs, "/tenant", PK_MEM_LIMIT, 0), 536870912);
	assert_int_equal(read_knob(fs, "/tenant", PK_MEM_HIGH, 0), 419430400);
	assert_int_equal(read_knob(fs, "/tenant", PK_SWAP_BUFFER, 0), 67108864);
	assert_int_equal(read_knob(fs, "/tenant", PK_CPU_WEIGHT, 0), 2048);   /* weight 200 */
	assert_int_equal(read_knob(fs, "/tenant", PK_CPU_QUOTA, 0), 500);
	assert_int_equal(read_knob(fs, "/tenant", PK_IO_RBPS, vda), POL_MAX); /* rbps=max */
	assert_int_equal(read_knob(fs, "/tenant", PK_IO_WBPS, vda), 52428800);
	assert_int_equal(read_knob(fs, "/tenant", PK_IO_RIOPS, vda), 5000);
	assert_int_equal(read_knob(fs, "/tenant", PK_IO_WIOPS, vda), POL_MAX);
	assert_int_equal(read_knob(fs, "/tenant", PK_IO_WBPS, makedev(8, 16)), POL_MAX);
	assert_int_equal(read_knob(fs, "/tenant", PK_PIDS_MAX, 0), 1000);
	assert_int_equal(read_knob(fs, "/tenant", PK_FREEZE, 0), 0);
	/* The root cgroup has none of these files. */
	assert_int_equal(knob_read(fs, "/root", PK_MEM_LIMIT, 0, &v), -ENXIO);
	for (int k = 0; k < PK__MAX; k++)
		assert_true(knob_available(fs, k));
	cgfs_close(fs);
}

/* --- hostile and edge-case files ------------------------------------------------- */

static char fake_root[] = "/tmp/test_knob.XXXXXX";

/* Writes /ct/NAME = content under fake_root (and the cgroup.procs every
 * cgroup has), and opens it as a layout of version `version`. */
static struct cgfs *
fake(int version, const char *name, const char *content)
{
	char path[PATH_MAX + 64];
	struct cgfs *fs;
	FILE *f;

	snprintf(path, sizeof path, "%s/ct", fake_root);
	mkdir(path, 0755);
	snprintf(path, sizeof path, "%s/ct/cgroup.procs", fake_root);
	assert_non_null(f = fopen(path, "w"));
	fclose(f);
	snprintf(path, sizeof path, "%s/ct/%s", fake_root, name);
	assert_non_null(f = fopen(path, "w"));
	fputs(content, f);
	fclose(f);
	assert_int_equal(cgfs_open_root(fake_root, version, "/proc", 0, &fs), 0);
	return fs;
}

static void
unfake(struct cgfs *fs, const char *name)
{
	char path[PATH_MAX];

	cgfs_close(fs);
	snprintf(path, sizeof path, "%s/ct/%s", fake_root, name);
	unlink(path);
}

/* knob_read of knob k (device 8:0) on a fake file; returns the result. */
static int
fake_read(int version, const char *name, const char *content, enum pol_knob k,
    int64_t *ret)
{
	struct cgfs *fs = fake(version, name, content);
	int r;

	*ret = -42;
	r = knob_read(fs, "/ct", k, makedev(8, 0), ret);
	unfake(fs, name);
	return r;
}

static void
test_hostile_files(void **state TEST_UNUSED)
{
	int64_t v;

	/* Values */
	assert_int_equal(fake_read(2, "memory.max", "max\n", PK_MEM_LIMIT, &v), 0);
	assert_int_equal(v, POL_MAX);
	assert_int_equal(fake_read(1, "memory.limit_in_bytes", "4611686018427387904\n",
	    PK_MEM_LIMIT, &v), 0);
	assert_int_equal(v, POL_MAX);                   /* >= 2^62: unlimited */
	assert_int_equal(fake_read(1, "cpu.shares", "2\n", PK_CPU_WEIGHT, &v), 0);
	assert_int_equal(v, 2);
	assert_int_equal(fake_read(2, "cpu.max", "max 50000\n", PK_CPU_QUOTA, &v), 0);
	assert_int_equal(v, POL_MAX);
	assert_int_equal(fake_read(2, "cpu.max", "33333 100000\n", PK_CPU_QUOTA, &v), 0);
	assert_int_equal(v, 333);                       /* nearest millicore */
	assert_int_equal(fake_read(1, "freezer.state", "FREEZING\n", PK_FREEZE, &v), 0);
	assert_int_equal(v, 1);
	assert_int_equal(fake_read(2, "io.max", "8:16 wbps=1\n8:0 rbps=7 wbps=max\n",
	    PK_IO_RBPS, &v), 0);
	assert_int_equal(v, 7);
	assert_int_equal(fake_read(2, "io.max", "8:0 rbps=7\n", PK_IO_WBPS, &v), 0);
	assert_int_equal(v, POL_MAX);                   /* key absent */
	assert_int_equal(fake_read(1, "blkio.throttle.write_iops_device", "8:0 300\n",
	    PK_IO_WIOPS, &v), 0);
	assert_int_equal(v, 300);
	assert_int_equal(fake_read(1, "blkio.throttle.write_iops_device", "",
	    PK_IO_WIOPS, &v), 0);
	assert_int_equal(v, POL_MAX);

	/* Garbage is -EIO, never a number */
	assert_int_equal(fake_read(2, "memory.max", "banana\n", PK_MEM_LIMIT, &v), -EIO);
	assert_int_equal(fake_read(2, "memory.max", "", PK_MEM_LIMIT, &v), -EIO);
	assert_int_equal(fake_read(2, "memory.max", "12 34\n", PK_MEM_LIMIT, &v), -EIO);
	assert_int_equal(fake_read(2, "memory.max", "-5\n", PK_MEM_LIMIT, &v), -EIO);
	assert_int_equal(fake_read(2, "memory.max", "99999999999999999999\n", PK_MEM_LIMIT,
	    &v), -EIO);
	assert_int_equal(fake_read(2, "pids.max", "maximum\n", PK_PIDS_MAX, &v), -EIO);
	assert_int_equal(fake_read(2, "cpu.max", "50000\n", PK_CPU_QUOTA, &v), -EIO);
	assert_int_equal(fake_read(2, "cpu.max", "50000 0\n", PK_CPU_QUOTA, &v), -EIO);
	/* Millicores past int64: -EIO, not an overflow (fuzz_knob found it). */
	assert_int_equal(fake_read(2, "cpu.max", "9230227368547711 100000\n", PK_CPU_QUOTA,
	    &v), -EIO);
	assert_int_equal(fake_read(2, "cpu.weight", "0\n", PK_CPU_WEIGHT, &v), -EIO);
	assert_int_equal(fake_read(2, "cgroup.freeze", "2\n", PK_FREEZE, &v), -EIO);
	assert_int_equal(fake_read(1, "freezer.state", "MELTED\n", PK_FREEZE, &v), -EIO);
	assert_int_equal(fake_read(2, "io.max", "8:0 rbps=lots\n", PK_IO_RBPS, &v), -EIO);
	assert_int_equal(fake_read(2, "io.max", "sda rbps=1\n", PK_IO_RBPS, &v), -EIO);
	assert_int_equal(fake_read(1, "blkio.throttle.read_bps_device", "8:0\n", PK_IO_RBPS,
	    &v), -EIO);
}

/* Values a knob cannot take are refused before anything is written. */
static void
test_write_refusals(void **state TEST_UNUSED)
{
	struct cgfs *fs = fake(1, "memory.limit_in_bytes", "0\n");

	assert_int_equal(knob_write(fs, "/ct", PK_KILL, 0, 1), -EINVAL);
	assert_int_equal(knob_write(fs, "/ct", PK_MEM_LIMIT, 0, -5), -EINVAL);
	assert_int_equal(knob_write(fs, "/ct", PK_FREEZE, 0, 2), -EINVAL);
	assert_int_equal(knob_write(fs, "/ct", PK_CPU_WEIGHT, 0, POL_MAX), -EINVAL);
	assert_int_equal(knob_write(fs, "/ct", PK_CPU_QUOTA, 0, 0), -EINVAL);
	/* v1 reads "MAJ:MIN 0" as no limit: a zero limit must not pass. */
	assert_int_equal(knob_write(fs, "/ct", PK_IO_WBPS, makedev(8, 0), 0), -EINVAL);
	assert_int_equal(knob_write(fs, "/ct", PK_IO_WBPS, 0, 100), -EINVAL);
	assert_int_equal(knob_write(fs, "/", PK_PIDS_MAX, 0, 10), -EINVAL);
	assert_int_equal(knob_write(fs, "/ct/../ct", PK_PIDS_MAX, 0, 10), -EINVAL);
	unfake(fs, "memory.limit_in_bytes");
}

static void
test_format(void **state TEST_UNUSED)
{
	static const struct {
		enum pol_knob k;
		int64_t v;
		const char *want;
	} cases[] = {
		{ PK_MEM_LIMIT, 4 * 1024 * MiB, "4G" },
		{ PK_MEM_HIGH, 1536 * MiB, "1.5G" },
		{ PK_SWAP_BUFFER, 512 * MiB, "512M" },
		{ PK_MEM_LIMIT, POL_MAX, "max" },
		{ PK_CPU_QUOTA, 1500, "1.5 cores" },
		{ PK_CPU_QUOTA, 1000, "1 core" },
		{ PK_CPU_QUOTA, 250, "0.25 cores" },
		{ PK_CPU_QUOTA, 2000, "2 cores" },
		{ PK_CPU_QUOTA, POL_MAX, "max" },
		{ PK_IO_WBPS, 40 * MiB, "40M/s" },
		{ PK_IO_RIOPS, 500, "500 iops" },
		{ PK_CPU_WEIGHT, 2048, "2048" },
		{ PK_PIDS_MAX, 100, "100" },
		{ PK_FREEZE, 1, "frozen" },
		{ PK_FREEZE, 0, "thawed" },
		{ PK_MEM_LIMIT, -7, "unknown" },
		{ PK_MEM_LOW, 256 * MiB, "256M" },
		{ PK_MEM_MIN, 64 * MiB, "64M" },
		{ PK_OOM_ADJ, POL_OOM_BIAS + 500, "+500" },
		{ PK_OOM_ADJ, POL_OOM_BIAS - 1000, "-1000" },
		{ PK_OOM_ADJ, POL_OOM_BIAS, "+0" },
	};
	char buf[64];

	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		knob_format(cases[i].k, cases[i].v, buf, sizeof buf);
		assert_string_equal(buf, cases[i].want);
	}
	knob_format(PK_CPU_QUOTA, 1500, buf, 4);
	assert_string_equal(buf, "1.5");                /* cut, terminated */
}

/* --- block devices ----------------------------------------------------------------- */

/* The disk holding "/", found through stat(2) and /sys: its MAJ:MIN and
 * kernel name; 0 when "/" is not on a block device (overlay, tmpfs). */
static dev_t
root_disk(char *name, size_t len)
{
	char link[64], real[PATH_MAX], file[PATH_MAX + 16], buf[64];
	unsigned maj, min;
	struct stat sb;
	FILE *f;

	assert_int_equal(stat("/", &sb), 0);
	snprintf(link, sizeof link, "/sys/dev/block/%u:%u", major(sb.st_dev), minor(sb.st_dev));
	if (major(sb.st_dev) == 0 || realpath(link, real) == NULL)
		return 0;
	snprintf(file, sizeof file, "%s/partition", real);
	if (access(file, F_OK) == 0)
		*strrchr(real, '/') = '\0';             /* the partition's disk */
	snprintf(name, len, "%s", strrchr(real, '/') + 1);
	snprintf(file, sizeof file, "%s/dev", real);
	assert_non_null(f = fopen(file, "r"));
	assert_non_null(fgets(buf, sizeof buf, f));
	fclose(f);
	assert_int_equal(sscanf(buf, "%u:%u", &maj, &min), 2);
	return makedev(maj, min);
}

static void
test_dev_resolve(void **state TEST_UNUSED)
{
	char name[256], spec[300];
	dev_t disk, dev, all[64];
	struct stat sb;
	size_t n, i;
	int found = 0;

	assert_int_equal(knob_dev_resolve("/dev/null", &dev), -ENOTBLK);
	assert_int_equal(knob_dev_resolve("/dev/no-such-disk", &dev), -ENOENT);
	assert_int_equal(knob_dev_resolve("no-such-disk", &dev), -ENOENT);
	assert_int_equal(knob_dev_resolve("../../../dev/null", &dev), -ENOENT);
	assert_int_equal(knob_dev_resolve("..", &dev), -ENOENT);
	assert_int_equal(knob_dev_resolve("", &dev), -ENOENT);
	assert_int_equal(knob_dev_resolve("4095:1048575", &dev), -ENOENT);

	if ((disk = root_disk(name, sizeof name)) == 0) {
		print_message("\"/\" is not on a block device: name resolution not tested\n");
		return;
	}
	assert_int_equal(knob_dev_resolve(name, &dev), 0);
	assert_int_equal(dev, disk);
	snprintf(spec, sizeof spec, "%u:%u", major(disk), minor(disk));
	assert_int_equal(knob_dev_resolve(spec, &dev), 0);
	assert_int_equal(dev, disk);
	/* The device of "/" itself, a partition or the disk: the disk. */
	assert_int_equal(stat("/", &sb), 0);
	snprintf(spec, sizeof spec, "%u:%u", major(sb.st_dev), minor(sb.st_dev));
	assert_int_equal(knob_dev_resolve(spec, &dev), 0);
	assert_int_equal(dev, disk);
	snprintf(spec, sizeof spec, "/dev/%s", name);
	if (stat(spec, &sb) == 0) {
		assert_int_equal(knob_dev_resolve(spec, &dev), 0);
		assert_int_equal(dev, disk);
	}

	n = knob_dev_all(all, sizeof all / sizeof all[0]);
	assert_true(n >= 1);
	for (i = 0; i < n && i < sizeof all / sizeof all[0]; i++) {
		assert_int_not_equal(major(all[i]), 7);         /* loop */
		assert_int_not_equal(major(all[i]), 1);         /* ram */
		if (all[i] == disk)
			found = 1;
	}
	assert_true(found);
	if (knob_dev_resolve("zram0", &dev) == 0)
		for (i = 0; i < n; i++)
			assert_int_not_equal(all[i], dev);
	assert_int_equal(knob_dev_all(all, 0), n);      /* counts without filling */
}

/* --- the live host ------------------------------------------------------------------ */

struct live {
	struct cgfs *fs;
	char *mounts[CG_CTRL_MAX];      /* distinct v1 mounts */
	size_t nmounts;
	char base[PATH_MAX / 2];        /* <deepest own>/cgov-knob.PID */
	char ct[PATH_MAX / 2 + 8];      /* base/ct: the container */
	char *made[64];                 /* directories made, in order */
	size_t nmade;
	pid_t child;
};

static struct live live;

/* This process's cgroup in the v1 hierarchy holding controller `name`. */
static int
own_path(const char *name, char *buf, size_t len)
{
	char line[4096];
	FILE *f;
	int found = 0;

	if ((f = fopen("/proc/self/cgroup", "r")) == NULL)
		return 0;
	while (!found && fgets(line, sizeof line, f) != NULL) {
		char *ctrls = strchr(line, ':'), *path, *c, *save;

		if (ctrls == NULL || (path = strchr(++ctrls, ':')) == NULL)
			continue;
		*path++ = '\0';
		path[strcspn(path, "\n")] = '\0';
		for (c = strtok_r(ctrls, ",", &save); c != NULL; c = strtok_r(NULL, ",", &save))
			if (strcmp(c, name) == 0) {
				snprintf(buf, len, "%s", path);
				found = 1;
			}
	}
	fclose(f);
	return found;
}

static int
depth(const char *path)
{
	int d = 0;

	for (; *path != '\0'; path++)
		d += *path == '/' && path[1] != '\0';
	return d;
}

/* mkdir -p of rel under mount, remembering what it made. */
static int
live_mkdir(const char *mount, const char *rel)
{
	char dir[PATH_MAX];
	const char *p = rel;

	while (*p != '\0') {
		p += strspn(p, "/");
		p += strcspn(p, "/");
		snprintf(dir, sizeof dir, "%s%.*s", mount, (int)(p - rel), rel);
		if (mkdir(dir, 0755) == 0) {
			if (live.nmade == sizeof live.made / sizeof live.made[0])
				return -1;
			live.made[live.nmade++] = xstrdup(dir);
		} else if (errno != EEXIST)
			return -1;
	}
	return 0;
}

static int
live_setup(void **state TEST_UNUSED)
{
	char own[PATH_MAX / 4], deepest[PATH_MAX / 4] = "/";

	memset(&live, 0, sizeof live);
	if (geteuid() != 0 || cgfs_open_host(&live.fs) != 0)
		return 0;
	if (live.fs->ctrl[CG_MEMORY].version != 1) {
		/* A v2 host: its sandbox belongs in the integration tests. */
		cgfs_close(live.fs);
		live.fs = NULL;
		return 0;
	}
	for (int c = 0; c < CG_CTRL_MAX; c++) {
		const struct cgfs_ctrl *ct = &live.fs->ctrl[c];
		size_t i;

		if (ct->version != 1)
			continue;
		if (own_path(cgfs_ctrl_name(live.fs, c), own, sizeof own) &&
		    depth(own) > depth(deepest))
			snprintf(deepest, sizeof deepest, "%s", own);
		for (i = 0; i < live.nmounts && strcmp(live.mounts[i], ct->mount) != 0; i++)
			;
		if (i == live.nmounts)
			live.mounts[live.nmounts++] = ct->mount;
	}
	snprintf(live.base, sizeof live.base, "%s/cgov-knob.%d",
	    strcmp(deepest, "/") == 0 ? "" : deepest, (int)getpid());
	snprintf(live.ct, sizeof live.ct, "%s/ct", live.base);
	for (size_t i = 0; i < live.nmounts; i++)
		if (live_mkdir(live.mounts[i], live.ct) < 0) {
			print_message("cannot create %s%s: %s\n", live.mounts[i], live.ct,
			    strerror(errno));
			return -1;
		}
	return 0;
}

static void
live_kill_child(void)
{
	if (live.child > 0) {
		kill(live.child, SIGKILL);
		waitpid(live.child, NULL, 0);
		live.child = 0;
	}
}

static int
live_teardown(void **state TEST_UNUSED)
{
	int ok = 0;

	live_kill_child();
	/* Deepest first; a v1 cgroup is removable once its tasks are gone
	 * (the killed child has been reaped above). */
	while (live.nmade > 0) {
		char *dir = live.made[--live.nmade];

		if (rmdir(dir) < 0) {
			print_message("cannot remove %s: %s\n", dir, strerror(errno));
			ok = -1;
		}
		free(dir);
	}
	cgfs_close(live.fs);
	return ok;
}

#define LIVE_OR_SKIP() do {						\
	if (live.fs == NULL) {						\
		print_message("needs root on a cgroup v1 host\n");	\
		skip();							\
	}								\
} while (0)

/* The raw text of file in the container's directory of controller c. */
static void
raw(enum cg_ctrl c, const char *file, char *buf, size_t len)
{
	char path[PATH_MAX];
	FILE *f;
	size_t n;

	snprintf(path, sizeof path, "%s%s/%s", live.fs->ctrl[c].mount, live.ct, file);
	assert_non_null(f = fopen(path, "r"));
	n = fread(buf, 1, len - 1, f);
	buf[n] = '\0';
	fclose(f);
}

static void
assert_raw(enum cg_ctrl c, const char *file, const char *want)
{
	char buf[4096];

	raw(c, file, buf, sizeof buf);
	buf[strcspn(buf, "\n")] = '\0';
	assert_string_equal(buf, want);
}

/* Writes and reads back through knob.h. */
static void
set(enum pol_knob k, dev_t dev, int64_t v, int64_t want)
{
	assert_int_equal(knob_write(live.fs, live.ct, k, dev, v), 0);
	assert_int_equal(read_knob(live.fs, live.ct, k, dev), want);
}

/* The controller each knob needs, as the kernel documents them. */
static enum cg_ctrl
ctrl_of(enum pol_knob k)
{
	switch (k) {
	case PK_MEM_LIMIT:
	case PK_MEM_HIGH:
	case PK_SWAP_BUFFER:
		return CG_MEMORY;
	case PK_CPU_WEIGHT:
	case PK_CPU_QUOTA:
		return CG_CPU;
	case PK_PIDS_MAX:
		return CG_PIDS;
	case PK_FREEZE:
	case PK_KILL:
		return CG_FREEZER;
	default:
		return CG_IO;
	}
}

/* Skips the current test when controller c is not mounted. */
#define NEED(c) do {							\
	if (live.fs->ctrl[c].version == 0) {				\
		print_message("no %s controller\n", cgfs_ctrl_name(live.fs, c)); \
		skip();							\
	}								\
} while (0)

static void
test_live_available(void **state TEST_UNUSED)
{
	char memsw[PATH_MAX];

	LIVE_OR_SKIP();
	for (int k = 0; k < PK__MAX; k++)
		if (k != PK_SWAP_BUFFER && k != PK_KILL && k != PK_MEM_LOW && k != PK_OOM_ADJ &&
		    k != PK_MEM_MIN)
			assert_int_equal(knob_available(live.fs, k),
			    live.fs->ctrl[ctrl_of(k)].version != 0);
	assert_int_equal(knob_available(live.fs, PK_MEM_LOW),
	    live.fs->ctrl[CG_MEMORY].version == 2);
	assert_int_equal(knob_available(live.fs, PK_MEM_MIN),
	    live.fs->ctrl[CG_MEMORY].version == 2);
	assert_true(knob_available(live.fs, PK_OOM_ADJ));
	snprintf(memsw, sizeof memsw, "%s/memory.memsw.limit_in_bytes",
	    live.fs->ctrl[CG_MEMORY].mount);
	assert_int_equal(knob_available(live.fs, PK_SWAP_BUFFER), access(memsw, F_OK) == 0);
	assert_true(knob_available(live.fs, PK_KILL));
}

/* The memory limit, with and without a swap buffer: memsw follows as
 * limit + buffer, and each step is one the kernel accepts (it refuses
 * memsw < limit with EINVAL, so a wrong order fails the write). */
static void
test_live_memory(void **state TEST_UNUSED)
{
	int64_t v;

	LIVE_OR_SKIP();
	NEED(CG_MEMORY);
	set(PK_MEM_LIMIT, 0, 256 * MiB, 256 * MiB);
	assert_raw(CG_MEMORY, "memory.limit_in_bytes", "268435456");
	set(PK_MEM_HIGH, 0, 100 * MiB, 100 * MiB);
	assert_raw(CG_MEMORY, "memory.soft_limit_in_bytes", "104857600");
	set(PK_MEM_HIGH, 0, POL_MAX, POL_MAX);
	assert_raw(CG_MEMORY, "memory.soft_limit_in_bytes", V1_UNLIMITED);
	if (!knob_available(live.fs, PK_SWAP_BUFFER)) {
		assert_int_equal(knob_read(live.fs, live.ct, PK_SWAP_BUFFER, 0, &v), -ENXIO);
		print_message("no swap accounting: memsw not tested\n");
		return;
	}
	/* An unlimited buffer: only the limit moves. */
	assert_int_equal(read_knob(live.fs, live.ct, PK_SWAP_BUFFER, 0), POL_MAX);
	set(PK_MEM_LIMIT, 0, 200 * MiB, 200 * MiB);
	assert_raw(CG_MEMORY, "memory.memsw.limit_in_bytes", V1_UNLIMITED);

	set(PK_SWAP_BUFFER, 0, 64 * MiB, 64 * MiB);
	assert_raw(CG_MEMORY, "memory.memsw.limit_in_bytes", "276824064");    /* 264M */
	set(PK_MEM_LIMIT, 0, 512 * MiB, 512 * MiB);                           /* raise */
	assert_raw(CG_MEMORY, "memory.memsw.limit_in_bytes", "603979776");    /* 576M */
	assert_int_equal(read_knob(live.fs, live.ct, PK_SWAP_BUFFER, 0), 64 * MiB);
	set(PK_MEM_LIMIT, 0, 128 * MiB, 128 * MiB);                           /* lower */
	assert_raw(CG_MEMORY, "memory.memsw.limit_in_bytes", "201326592");    /* 192M */
	assert_raw(CG_MEMORY, "memory.limit_in_bytes", "134217728");
	set(PK_SWAP_BUFFER, 0, 0, 0);
	assert_raw(CG_MEMORY, "memory.memsw.limit_in_bytes", "134217728");
	set(PK_SWAP_BUFFER, 0, 32 * MiB, 32 * MiB);
	set(PK_MEM_LIMIT, 0, POL_MAX, POL_MAX);         /* memsw goes first, to max */
	assert_raw(CG_MEMORY, "memory.limit_in_bytes", V1_UNLIMITED);
	assert_raw(CG_MEMORY, "memory.memsw.limit_in_bytes", V1_UNLIMITED);
	assert_int_equal(read_knob(live.fs, live.ct, PK_SWAP_BUFFER, 0), POL_MAX);
	/* The kernel's own refusal comes back as its errno. */
	assert_int_equal(knob_write(live.fs, live.ct, PK_MEM_LIMIT, 0, 64 * MiB), 0);
	assert_int_equal(cgfs_write(live.fs, CG_MEMORY, live.ct,
	    "memory.memsw.limit_in_bytes", "1048576"), -EINVAL);
	set(PK_MEM_LIMIT, 0, POL_MAX, POL_MAX);
}

static void
test_live_cpu(void **state TEST_UNUSED)
{
	LIVE_OR_SKIP();
	NEED(CG_CPU);
	set(PK_CPU_WEIGHT, 0, 512, 512);
	assert_raw(CG_CPU, "cpu.shares", "512");
	assert_raw(CG_CPU, "cpu.cfs_period_us", "100000");
	set(PK_CPU_QUOTA, 0, 1500, 1500);
	assert_raw(CG_CPU, "cpu.cfs_quota_us", "150000");
	set(PK_CPU_QUOTA, 0, 500, 500);
	assert_raw(CG_CPU, "cpu.cfs_quota_us", "50000");
	set(PK_CPU_QUOTA, 0, 1, 10);                    /* at least 1 ms per period */
	assert_raw(CG_CPU, "cpu.cfs_quota_us", "1000");
	set(PK_CPU_QUOTA, 0, POL_MAX, POL_MAX);
	assert_raw(CG_CPU, "cpu.cfs_quota_us", "-1");
	set(PK_CPU_WEIGHT, 0, 1024, 1024);
}

static void
test_live_io(void **state TEST_UNUSED)
{
	static const struct {
		enum pol_knob k;
		const char *file;
	} io[] = {
		{ PK_IO_RBPS, "blkio.throttle.read_bps_device" },
		{ PK_IO_WBPS, "blkio.throttle.write_bps_device" },
		{ PK_IO_RIOPS, "blkio.throttle.read_iops_device" },
		{ PK_IO_WIOPS, "blkio.throttle.write_iops_device" },
	};
	char name[256], want[64], text[4096];
	dev_t disk;

	LIVE_OR_SKIP();
	NEED(CG_IO);
	if ((disk = root_disk(name, sizeof name)) == 0) {
		dev_t all[1];

		if (knob_dev_all(all, 1) == 0)
			skip();
		disk = all[0];
	}
	for (size_t i = 0; i < sizeof io / sizeof io[0]; i++) {
		assert_int_equal(read_knob(live.fs, live.ct, io[i].k, disk), POL_MAX);
		set(io[i].k, disk, 40 * MiB + i, 40 * MiB + i);
		snprintf(want, sizeof want, "%u:%u %lld", major(disk), minor(disk),
		    (long long)(40 * MiB + i));
		assert_raw(CG_IO, io[i].file, want);
		set(io[i].k, disk, POL_MAX, POL_MAX);   /* the rule is removed */
		raw(CG_IO, io[i].file, text, sizeof text);
		assert_string_equal(text, "");
	}
}

static void
test_live_pids(void **state TEST_UNUSED)
{
	LIVE_OR_SKIP();
	NEED(CG_PIDS);
	set(PK_PIDS_MAX, 0, 50, 50);
	assert_raw(CG_PIDS, "pids.max", "50");
	set(PK_PIDS_MAX, 0, POL_MAX, POL_MAX);
	assert_raw(CG_PIDS, "pids.max", "max");
}

/* Starts `sleep 600` in the container, in every hierarchy. The pipe closes
 * on exec (O_CLOEXEC), so EOF means the child is sleep already. */
static void
live_start_sleep(void)
{
	char path[PATH_MAX], pid[32], c;
	int fds[2];
	FILE *f;

	assert_int_equal(pipe2(fds, O_CLOEXEC), 0);
	live.child = fork();
	assert_true(live.child >= 0);
	if (live.child == 0) {
		close(fds[0]);
		execlp("sleep", "sleep", "600", (char *)NULL);
		_exit(127);
	}
	close(fds[1]);
	assert_int_equal(read(fds[0], &c, 1), 0);
	close(fds[0]);
	snprintf(pid, sizeof pid, "%d", (int)live.child);
	for (size_t i = 0; i < live.nmounts; i++) {
		snprintf(path, sizeof path, "%s%s/cgroup.procs", live.mounts[i], live.ct);
		assert_non_null(f = fopen(path, "w"));
		assert_true(fputs(pid, f) >= 0);
		assert_int_equal(fclose(f), 0);
	}
}

/* Polls freezer.state until it reads want (the kernel freezes tasks one
 * by one; FREEZING is the way there). */
static int
live_wait_freezer(const char *want)
{
	char buf[64];

	for (int i = 0; i < 100000; i++) {
		raw(CG_FREEZER, "freezer.state", buf, sizeof buf);
		buf[strcspn(buf, "\n")] = '\0';
		if (strcmp(buf, want) == 0)
			return 1;
		sched_yield();
	}
	return 0;
}

/* One real task: its names, frozen and thawed, then killed. */
static void
test_live_tasks(void **state TEST_UNUSED)
{
	char **names;
	size_t n, i;
	int status, has_sleep = 0;

	LIVE_OR_SKIP();
	live_start_sleep();

	assert_int_equal(knob_procs(live.fs, live.ct, 100, &names, &n), 0);
	for (i = 0; i < n; i++)
		has_sleep |= strcmp(names[i], "sleep") == 0;
	assert_true(has_sleep);
	assert_int_equal(n, 1);                         /* comm and exe agree */
	knob_procs_free(names, n);
	assert_int_equal(knob_procs(live.fs, live.ct, 0, &names, &n), 0);
	assert_int_equal(n, 0);                         /* bounded by max_tasks */
	knob_procs_free(names, n);

	if (live.fs->ctrl[CG_FREEZER].version != 0) {
		assert_int_equal(knob_write(live.fs, live.ct, PK_FREEZE, 0, 1), 0);
		assert_true(live_wait_freezer("FROZEN"));
		assert_int_equal(read_knob(live.fs, live.ct, PK_FREEZE, 0), 1);
		set(PK_FREEZE, 0, 0, 0);
		assert_raw(CG_FREEZER, "freezer.state", "THAWED");
	}

	assert_int_equal(knob_kill(live.fs, live.ct), 1);
	assert_int_equal(waitpid(live.child, &status, 0), live.child);
	live.child = 0;
	assert_true(WIFSIGNALED(status));
	assert_int_equal(WTERMSIG(status), SIGKILL);
	assert_int_equal(knob_kill(live.fs, live.ct), 0);       /* nobody left */
}

/* A vanished cgroup reads and writes as gone. */
static void
test_live_gone(void **state TEST_UNUSED)
{
	char path[PATH_MAX];
	int64_t v;

	LIVE_OR_SKIP();
	snprintf(path, sizeof path, "%s/no-such-ct", live.base);
	assert_int_equal(knob_read(live.fs, path, PK_PIDS_MAX, 0, &v), -ENOENT);
	assert_int_equal(knob_write(live.fs, path, PK_PIDS_MAX, 0, 5), -ENOENT);
	assert_int_equal(knob_write(live.fs, path, PK_MEM_LIMIT, 0, 64 * MiB), -ENOENT);
	assert_int_equal(knob_kill(live.fs, path), -ENOENT);
}

static int
group_setup(void **state TEST_UNUSED)
{
	log_init("test_knob", 0, LOG_LEVEL_ERR);
	if (mkdtemp(fake_root) == NULL)
		return -1;
	return live_setup(state);
}

static int
group_teardown(void **state TEST_UNUSED)
{
	char path[PATH_MAX];

	snprintf(path, sizeof path, "%s/ct/cgroup.procs", fake_root);
	unlink(path);
	snprintf(path, sizeof path, "%s/ct", fake_root);
	rmdir(path);
	rmdir(fake_root);
	return live_teardown(state);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_v1_snapshot),
		cmocka_unit_test(test_v2_snapshot),
		cmocka_unit_test(test_hostile_files),
		cmocka_unit_test(test_write_refusals),
		cmocka_unit_test(test_format),
		cmocka_unit_test(test_dev_resolve),
		cmocka_unit_test(test_live_available),
		cmocka_unit_test(test_live_memory),
		cmocka_unit_test(test_live_cpu),
		cmocka_unit_test(test_live_io),
		cmocka_unit_test(test_live_pids),
		cmocka_unit_test(test_live_tasks),
		cmocka_unit_test(test_live_gone),
	};

	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
