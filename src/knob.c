/* knob.c: reading and writing the knobs of knob.h on cgroup v1 and v2. */
#include "config.h"

#include <sys/stat.h>
#include <sys/sysmacros.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "escape.h"
#include "knob.h"
#include "log.h"
#include "oomadj.h"
#include "units.h"
#include "xmalloc.h"

/* v1 prints an unlimited memory limit as PAGE_COUNTER_MAX pages in bytes
 * (9223372036854771712 with 4 KiB pages); any value this large is "max". */
#define KNOB_V1_UNLIMITED	(INT64_C(1) << 62)
/* The smallest CFS quota the kernel takes is 1 ms. */
#define KNOB_MIN_QUOTA_US	1000
/* cgroup.procs grows to this before a container's task list is cut. */
#define KNOB_PROCS_MAX		(4 * 1024 * 1024)
/* Process names (knob_procs) are read over a container's cgroup and at
 * most this many cgroups below it. */
#define KNOB_TREE_CGROUPS	64
/* The kill walks a container's whole subtree: at most this many cgroups
 * and tasks per pass, and this many passes (each catches what a bounded
 * pass missed or what was forked or moved in meanwhile). */
#define KNOB_KILL_CGROUPS	4096
#define KNOB_KILL_TASKS		65536
#define KNOB_KILL_PASSES	10
/* How long each kill pass gives the subtree to empty (a frozen v1
 * container once thawed): KNOB_THAW_STEPS walks, KNOB_THAW_STEP_MS apart. */
#define KNOB_THAW_STEPS		50
#define KNOB_THAW_STEP_MS	10

/* Where a knob lives: one file per version (NULL: none), in controller
 * ctrl's hierarchy. The v1 swap buffer is memsw (minus the limit). */
struct knob_file {
	enum cg_ctrl ctrl;
	const char *v1, *v2;
};

static const struct knob_file knob_files[PK__MAX] = {
	[PK_MEM_LIMIT] = { CG_MEMORY, "memory.limit_in_bytes", "memory.max" },
	[PK_MEM_HIGH] = { CG_MEMORY, "memory.soft_limit_in_bytes", "memory.high" },
	[PK_SWAP_BUFFER] = { CG_MEMORY, "memory.memsw.limit_in_bytes", "memory.swap.max" },
	[PK_CPU_WEIGHT] = { CG_CPU, "cpu.shares", "cpu.weight" },
	[PK_CPU_QUOTA] = { CG_CPU, "cpu.cfs_quota_us", "cpu.max" },
	[PK_IO_RBPS] = { CG_IO, "blkio.throttle.read_bps_device", "io.max" },
	[PK_IO_WBPS] = { CG_IO, "blkio.throttle.write_bps_device", "io.max" },
	[PK_IO_RIOPS] = { CG_IO, "blkio.throttle.read_iops_device", "io.max" },
	[PK_IO_WIOPS] = { CG_IO, "blkio.throttle.write_iops_device", "io.max" },
	[PK_PIDS_MAX] = { CG_PIDS, "pids.max", "pids.max" },
	[PK_FREEZE] = { CG_FREEZER, "freezer.state", "cgroup.freeze" },
	[PK_KILL] = { CG_FREEZER, NULL, "cgroup.kill" },
	[PK_OOM_ADJ] = { CG_MEMORY, NULL, NULL },      /* /proc/PID: oomadj.c */
	[PK_MEM_LOW] = { CG_MEMORY, NULL, "memory.low" },
	[PK_MEM_MIN] = { CG_MEMORY, NULL, "memory.min" },
};

/* The io.max key of each io knob. */
static const char *
knob_io_key(enum pol_knob k)
{
	switch (k) {
	case PK_IO_RBPS:
		return "rbps";
	case PK_IO_WBPS:
		return "wbps";
	case PK_IO_RIOPS:
		return "riops";
	case PK_IO_WIOPS:
		return "wiops";
	default:
		return NULL;
	}
}

static int
knob_is_io(enum pol_knob k)
{
	return knob_io_key(k) != NULL;
}

static int
knob_version(const struct cgfs *fs, enum pol_knob k)
{
	return fs->ctrl[knob_files[k].ctrl].version;
}

static const char *
knob_file_name(const struct cgfs *fs, enum pol_knob k)
{
	return knob_version(fs, k) == 2 ? knob_files[k].v2 : knob_files[k].v1;
}

int
knob_available(const struct cgfs *fs, enum pol_knob k)
{
	struct stat sb;

	if ((unsigned)k >= PK__MAX)
		return 0;
	if (k == PK_KILL || k == PK_OOM_ADJ)   /* over the subtree's cgroup.procs */
		return fs->ctrl[fs->walk].version != 0;
	if (knob_version(fs, k) == 0)
		return 0;
	if (knob_version(fs, k) == 1 && knob_files[k].v1 == NULL)
		return 0;               /* v1 has no memory.low, memory.min */
	/* Swap accounting is optional on v1 (swapaccount=0, or built without
	 * it); memsw files are then missing everywhere, the root included. */
	if (k == PK_SWAP_BUFFER && knob_version(fs, k) == 1)
		return fstatat(fs->ctrl[CG_MEMORY].rootfd, knob_files[k].v1, &sb, 0) == 0;
	return 1;
}

/* -ENOENT of a file in an open cgroup directory: the cgroup is gone, or the
 * file does not exist on this host (cgroup.procs is in every cgroup). */
static int
knob_missing(int dirfd)
{
	return faccessat(dirfd, "cgroup.procs", F_OK, 0) == 0 ? -ENXIO : -ENOENT;
}

/* Reads file name of path's directory in controller c into buf. */
static int
knob_read_file(const struct cgfs *fs, enum cg_ctrl c, const char *path, const char *name,
    char *buf, size_t len)
{
	ssize_t n;
	int fd;

	if ((fd = cgfs_open_dir(fs, c, path)) < 0)
		return fd;
	n = cgfs_read_at(fd, name, buf, len);
	if (n == -ENOENT)
		n = knob_missing(fd);
	close(fd);
	if (n == -EFBIG)
		return -EIO;
	return n < 0 ? (int)n : 0;
}

/* Parses a decimal integer followed by optional white space. */
static int
knob_parse_i64(const char *s, int64_t *ret)
{
	char *end;
	long long v;

	errno = 0;
	v = strtoll(s, &end, 10);
	if (end == s || errno != 0)
		return -EIO;
	end += strspn(end, " \t\n");
	if (*end != '\0')
		return -EIO;
	*ret = v;
	return 0;
}

/* A limit: "max", -1 (v1 quota) and v1's huge "unlimited" mean POL_MAX. */
static int
knob_parse_limit(const char *s, int64_t *ret)
{
	int64_t v;

	s += strspn(s, " \t");
	if (strncmp(s, "max", 3) == 0 && s[3 + strspn(s + 3, " \t\n")] == '\0') {
		*ret = POL_MAX;
		return 0;
	}
	if (knob_parse_i64(s, &v) < 0 || v < -1)
		return -EIO;
	*ret = v == -1 || v >= KNOB_V1_UNLIMITED ? POL_MAX : v;
	return 0;
}

static int
knob_read_limit(const struct cgfs *fs, enum cg_ctrl c, const char *path, const char *name,
    int64_t *ret)
{
	char buf[128];
	int r;

	if ((r = knob_read_file(fs, c, path, name, buf, sizeof buf)) < 0)
		return r;
	return knob_parse_limit(buf, ret);
}

/* v2 cpu.max: "QUOTA PERIOD" or "max PERIOD". */
static int
knob_read_cpu_max(const struct cgfs *fs, const char *path, int64_t *ret_quota,
    int64_t *ret_period)
{
	char buf[128], *sp;
	int r;

	if ((r = knob_read_file(fs, CG_CPU, path, "cpu.max", buf, sizeof buf)) < 0)
		return r;
	if ((sp = strchr(buf, ' ')) == NULL)
		return -EIO;
	*sp++ = '\0';
	if (knob_parse_limit(buf, ret_quota) < 0 || knob_parse_i64(sp, ret_period) < 0 ||
	    *ret_period <= 0)
		return -EIO;
	return 0;
}

/* Quota and period in microseconds, on either version. */
static int
knob_read_quota_us(const struct cgfs *fs, const char *path, int64_t *ret_quota,
    int64_t *ret_period)
{
	int r;

	if (fs->ctrl[CG_CPU].version == 2)
		return knob_read_cpu_max(fs, path, ret_quota, ret_period);
	if ((r = knob_read_limit(fs, CG_CPU, path, "cpu.cfs_quota_us", ret_quota)) < 0 ||
	    (r = knob_read_limit(fs, CG_CPU, path, "cpu.cfs_period_us", ret_period)) < 0)
		return r;
	return *ret_period > 0 && *ret_period != POL_MAX ? 0 : -EIO;
}

/* Parses "MAJ:MIN" at s; returns the length consumed or -EIO. */
static int
knob_parse_devnum(const char *s, dev_t *ret)
{
	unsigned int maj, min;
	int n = 0;

	if (sscanf(s, "%u:%u%n", &maj, &min, &n) != 2 || n == 0)
		return -EIO;
	*ret = makedev(maj, min);
	return n;
}

/* The value of key (io.max) or of the single value (v1) on dev's line of
 * an io file; a device without a line has no limit. */
static int
knob_parse_io(const char *text, dev_t dev, const char *key, int64_t *ret)
{
	const char *line, *p;
	char tok[64];
	size_t klen = key != NULL ? strlen(key) : 0;

	*ret = POL_MAX;
	for (line = text; *line != '\0'; line = p + (*p == '\n')) {
		dev_t d;
		int n;

		p = line + strcspn(line, "\n");
		if (p == line)
			continue;
		if ((n = knob_parse_devnum(line, &d)) < 0)
			return -EIO;
		if (d != dev)
			continue;
		line += n;
		while (line < p) {
			size_t tlen;

			line += strspn(line, " \t");
			tlen = strcspn(line, " \t\n");
			if (tlen == 0)
				break;
			if (tlen >= sizeof tok)
				return -EIO;
			memcpy(tok, line, tlen);
			tok[tlen] = '\0';
			line += tlen;
			if (key == NULL)
				return knob_parse_limit(tok, ret);
			if (strncmp(tok, key, klen) == 0 && tok[klen] == '=')
				return knob_parse_limit(tok + klen + 1, ret);
		}
		return key == NULL ? -EIO : 0;
	}
	return 0;
}

static int
knob_read_io(const struct cgfs *fs, const char *path, enum pol_knob k, dev_t dev,
    int64_t *ret)
{
	char buf[16384];
	int r;

	if (dev == 0)
		return -EINVAL;
	if ((r = knob_read_file(fs, CG_IO, path, knob_file_name(fs, k), buf, sizeof buf)) < 0)
		return r;
	return knob_parse_io(buf, dev, knob_version(fs, k) == 2 ? knob_io_key(k) : NULL, ret);
}

static int
knob_read_freeze(const struct cgfs *fs, const char *path, int64_t *ret)
{
	char buf[64];
	int r;

	if ((r = knob_read_file(fs, CG_FREEZER, path, knob_file_name(fs, PK_FREEZE), buf,
	    sizeof buf)) < 0)
		return r;
	if (knob_version(fs, PK_FREEZE) == 2)
		return knob_parse_i64(buf, ret) == 0 && (*ret == 0 || *ret == 1) ? 0 : -EIO;
	/* FREEZING is on its way to FROZEN: what was asked is frozen. */
	if (strcmp(buf, "FROZEN\n") == 0 || strcmp(buf, "FREEZING\n") == 0)
		*ret = 1;
	else if (strcmp(buf, "THAWED\n") == 0)
		*ret = 0;
	else
		return -EIO;
	return 0;
}

/* v1 limit and memsw; memsw is POL_MAX when unlimited. */
static int
knob_read_memsw(const struct cgfs *fs, const char *path, int64_t *ret_limit,
    int64_t *ret_memsw)
{
	int r;

	if ((r = knob_read_limit(fs, CG_MEMORY, path, "memory.memsw.limit_in_bytes",
	    ret_memsw)) < 0)
		return r;
	return knob_read_limit(fs, CG_MEMORY, path, "memory.limit_in_bytes", ret_limit);
}

/* Millicores of QUOTA/PERIOD microseconds, to the nearest (33333/100000
 * reads 333); an unlimited quota is POL_MAX. A quota too large for the
 * arithmetic (no kernel holds one: it caps them near 2^44 us) reads -1,
 * which matches no knob value: callers check it or compare with a value. */
static int64_t
knob_quota_mc(int64_t quota, int64_t period)
{
	if (quota == POL_MAX)
		return POL_MAX;
	if (quota < 0 || period <= 0 || quota > (INT64_MAX - period / 2) / 1000)
		return -1;
	return (quota * 1000 + period / 2) / period;
}

int
knob_read(const struct cgfs *fs, const char *path, enum pol_knob k, dev_t dev, int64_t *ret)
{
	return knob_read_exact(fs, path, k, dev, ret, NULL, 0);
}

int
knob_read_exact(const struct cgfs *fs, const char *path, enum pol_knob k, dev_t dev,
    int64_t *ret, char *exact, size_t len)
{
	int64_t a, b;
	int r;

	if (exact != NULL && len > 0)
		exact[0] = '\0';
	if ((unsigned)k >= PK__MAX || k == PK_KILL)
		return -EINVAL;
	if (k == PK_OOM_ADJ)
		return oomadj_read(fs, path, ret);
	if (knob_version(fs, k) == 0 || (knob_version(fs, k) == 1 && knob_files[k].v1 == NULL))
		return -ENXIO;
	if (knob_is_io(k))
		return knob_read_io(fs, path, k, dev, ret);
	switch (k) {
	case PK_SWAP_BUFFER:
		if (knob_version(fs, k) == 2)
			break;
		if ((r = knob_read_memsw(fs, path, &a, &b)) < 0)
			return r;
		/* The kernel keeps memsw >= limit; an unlimited limit leaves
		 * memsw unlimited too. */
		*ret = b == POL_MAX ? POL_MAX : b >= a ? b - a : 0;
		return 0;
	case PK_CPU_WEIGHT:
		if ((r = knob_read_limit(fs, CG_CPU, path, knob_file_name(fs, k), &a)) < 0)
			return r;
		if (a == POL_MAX || a <= 0)
			return -EIO;
		*ret = knob_version(fs, k) == 2 ? (int64_t)units_weight_to_shares((uint64_t)a) : a;
		return 0;
	case PK_CPU_QUOTA:
		if ((r = knob_read_quota_us(fs, path, &a, &b)) < 0)
			return r;
		/* A quota the millicores cannot hold is no value the kernel
		 * writes (it caps a quota near 2^44 us): a * 1000 would
		 * overflow (found by fuzz_knob). */
		if (a != POL_MAX && a > (INT64_MAX - b / 2) / 1000)
			return -EIO;
		/* Nearest millicore: 33333/100000 reads 333. */
		*ret = knob_quota_mc(a, b);
		if (exact != NULL && len > 0) {
			if (a == POL_MAX)
				snprintf(exact, len, "max %" PRId64, b);
			else
				snprintf(exact, len, "%" PRId64 " %" PRId64, a, b);
		}
		return 0;
	case PK_FREEZE:
		return knob_read_freeze(fs, path, ret);
	default:
		break;
	}
	return knob_read_limit(fs, knob_files[k].ctrl, path, knob_file_name(fs, k), ret);
}

/* --- writes ------------------------------------------------------------------ */

/* How knob k's file spells "no limit": "max" on v2 and in v1's pids.max,
 * "-1" in the other v1 files. */
static const char *
knob_unlimited(const struct cgfs *fs, enum pol_knob k)
{
	return knob_version(fs, k) == 2 || k == PK_PIDS_MAX ? "max" : "-1";
}

static void
knob_limit_text(const struct cgfs *fs, enum pol_knob k, int64_t v, char *buf, size_t len)
{
	if (v == POL_MAX)
		snprintf(buf, len, "%s", knob_unlimited(fs, k));
	else
		snprintf(buf, len, "%" PRId64, v);
}

static int
knob_write_limit(const struct cgfs *fs, enum pol_knob k, const char *path, const char *file,
    int64_t v)
{
	char text[32];

	knob_limit_text(fs, k, v, text, sizeof text);
	return cgfs_write(fs, knob_files[k].ctrl, path, file, text);
}

/* memsw = limit + buffer, unlimited when either is (or the sum would be). */
static int64_t
knob_memsw_sum(int64_t limit, int64_t buffer)
{
	if (limit == POL_MAX || buffer == POL_MAX || buffer >= KNOB_V1_UNLIMITED - limit)
		return POL_MAX;
	return limit + buffer;
}

/* v1: the kernel refuses memsw < limit (EINVAL) at every step, so a raise
 * writes memsw first and a lowering writes the limit first; the buffer
 * (memsw - limit) is kept. Without swap accounting, or with an unlimited
 * buffer, the limit alone is written. */
static int
knob_write_v1_limit(const struct cgfs *fs, const char *path, int64_t v)
{
	const char *lf = "memory.limit_in_bytes", *sf = "memory.memsw.limit_in_bytes";
	int64_t limit, memsw, to;
	int r;

	r = knob_read_memsw(fs, path, &limit, &memsw);
	if (r == -ENXIO || (r == 0 && memsw == POL_MAX))
		return knob_write_limit(fs, PK_MEM_LIMIT, path, lf, v);
	if (r < 0)
		return r;
	to = knob_memsw_sum(v, memsw - limit);
	if (v == POL_MAX || v > limit) {
		if ((r = knob_write_limit(fs, PK_MEM_LIMIT, path, sf, to)) < 0)
			return r;
		return knob_write_limit(fs, PK_MEM_LIMIT, path, lf, v);
	}
	if ((r = knob_write_limit(fs, PK_MEM_LIMIT, path, lf, v)) < 0)
		return r;
	return knob_write_limit(fs, PK_MEM_LIMIT, path, sf, to);
}

static int
knob_write_v1_buffer(const struct cgfs *fs, const char *path, int64_t v)
{
	int64_t limit, memsw;
	int r;

	if ((r = knob_read_memsw(fs, path, &limit, &memsw)) < 0)
		return r;
	return knob_write_limit(fs, PK_SWAP_BUFFER, path, "memory.memsw.limit_in_bytes",
	    knob_memsw_sum(limit, v));
}

/* The period is kept; the quota is at least the kernel's 1 ms. */
static int
knob_write_quota(const struct cgfs *fs, const char *path, int64_t mc)
{
	int64_t quota, period, us;
	char text[64];
	int r;

	if ((r = knob_read_quota_us(fs, path, &quota, &period)) < 0)
		return r;
	if (mc != POL_MAX) {
		us = mc > INT64_MAX / period ? INT64_MAX / 1000 : mc * period / 1000;
		if (us < KNOB_MIN_QUOTA_US)
			us = KNOB_MIN_QUOTA_US;
	} else
		us = POL_MAX;
	if (fs->ctrl[CG_CPU].version == 1)
		return knob_write_limit(fs, PK_CPU_QUOTA, path, "cpu.cfs_quota_us", us);
	knob_limit_text(fs, PK_CPU_QUOTA, us, text, sizeof text);
	snprintf(text + strlen(text), sizeof text - strlen(text), " %" PRId64, period);
	return cgfs_write(fs, CG_CPU, path, "cpu.max", text);
}

/* Parses the exact form of a CPU quota, "QUOTA PERIOD" or "max PERIOD" in
 * microseconds (knob_read_exact). Returns 0 or -EINVAL. */
static int
knob_parse_exact_quota(const char *exact, int64_t *ret_quota, int64_t *ret_period)
{
	char buf[KNOB_EXACT_LEN], *sp;

	if (strlen(exact) >= sizeof buf)
		return -EINVAL;
	memcpy(buf, exact, strlen(exact) + 1);
	if ((sp = strchr(buf, ' ')) == NULL)
		return -EINVAL;
	*sp++ = '\0';
	if (knob_parse_limit(buf, ret_quota) < 0 || knob_parse_i64(sp, ret_period) < 0 ||
	    *ret_period <= 0 || *ret_period > INT64_MAX / 1000 ||
	    (*ret_quota != POL_MAX && (*ret_quota <= 0 || *ret_quota > INT64_MAX / 1000)))
		return -EINVAL;
	return 0;
}

/* Puts a quota and its period back as they were. On v1 the period is
 * written first, and only when it differs (cgov keeps the period: it
 * differs only when someone changed it since); v2 takes both at once. */
static int
knob_write_quota_us(const struct cgfs *fs, const char *path, int64_t quota, int64_t period)
{
	int64_t q, cur;
	char text[64];
	int r;

	if (fs->ctrl[CG_CPU].version == 2) {
		knob_limit_text(fs, PK_CPU_QUOTA, quota, text, sizeof text);
		snprintf(text + strlen(text), sizeof text - strlen(text), " %" PRId64, period);
		return cgfs_write(fs, CG_CPU, path, "cpu.max", text);
	}
	if ((r = knob_read_quota_us(fs, path, &q, &cur)) < 0)
		return r;
	if (cur != period) {
		snprintf(text, sizeof text, "%" PRId64, period);
		if ((r = cgfs_write(fs, CG_CPU, path, "cpu.cfs_period_us", text)) < 0)
			return r;
	}
	return knob_write_limit(fs, PK_CPU_QUOTA, path, "cpu.cfs_quota_us", quota);
}

int
knob_write_exact(const struct cgfs *fs, const char *path, enum pol_knob k, dev_t dev,
    int64_t value, const char *exact)
{
	int64_t quota, period;

	if (exact == NULL || exact[0] == '\0')
		return knob_write(fs, path, k, dev, value);
	/* Only the CPU quota has an exact form. One that is not the value it
	 * stands for (a damaged journal) is not trusted: the value goes back,
	 * rounded, rather than no restore at all. */
	if (k != PK_CPU_QUOTA || knob_parse_exact_quota(exact, &quota, &period) < 0 ||
	    knob_quota_mc(quota, period) != value) {
		log_warnx("%s: %s: exact original \"%s\" does not match; writing the rounded "
		    "value", escape_log(0, path), pol_knob_name(k), escape_log(1, exact));
		return knob_write(fs, path, k, dev, value);
	}
	if (knob_version(fs, k) == 0)
		return -ENXIO;
	return knob_write_quota_us(fs, path, quota, period);
}

/* "MAJ:MIN N" on v1, where 0 removes the rule; "MAJ:MIN key=N|max" on v2.
 * A limit of 0 is refused: v1 would read it as "no limit". */
static int
knob_write_io(const struct cgfs *fs, const char *path, enum pol_knob k, dev_t dev,
    int64_t v)
{
	char text[96], num[32];

	if (dev == 0 || v <= 0)
		return -EINVAL;
	if (knob_version(fs, k) == 2) {
		knob_limit_text(fs, k, v, num, sizeof num);
		snprintf(text, sizeof text, "%u:%u %s=%s", major(dev), minor(dev),
		    knob_io_key(k), num);
	} else
		snprintf(text, sizeof text, "%u:%u %" PRId64, major(dev), minor(dev),
		    v == POL_MAX ? 0 : v);
	return cgfs_write(fs, CG_IO, path, knob_file_name(fs, k), text);
}

int
knob_write(const struct cgfs *fs, const char *path, enum pol_knob k, dev_t dev,
    int64_t value)
{
	int version;

	if ((unsigned)k >= PK__MAX || k == PK_KILL || (value < 0 && value != POL_MAX))
		return -EINVAL;
	if (k == PK_OOM_ADJ)
		return (version = oomadj_write(fs, path, value)) < 0 ? version : 0;
	if (knob_version(fs, k) == 1 && knob_files[k].v1 == NULL)
		return -ENXIO;          /* memory.low, memory.min */
	if ((version = knob_version(fs, k)) == 0)
		return -ENXIO;
	if (knob_is_io(k))
		return knob_write_io(fs, path, k, dev, value);
	switch (k) {
	case PK_MEM_LIMIT:
		if (version == 1)
			return knob_write_v1_limit(fs, path, value);
		break;
	case PK_SWAP_BUFFER:
		if (version == 1)
			return knob_write_v1_buffer(fs, path, value);
		break;
	case PK_CPU_WEIGHT:
		if (value == POL_MAX || value == 0)
			return -EINVAL;
		if (version == 2)
			value = (int64_t)units_shares_to_weight((uint64_t)value);
		break;
	case PK_CPU_QUOTA:
		return value == 0 ? -EINVAL : knob_write_quota(fs, path, value);
	case PK_FREEZE:
		if (value != 0 && value != 1)
			return -EINVAL;
		return cgfs_write(fs, CG_FREEZER, path, knob_file_name(fs, k),
		    version == 2 ? (value ? "1" : "0") : (value ? "FROZEN" : "THAWED"));
	default:
		break;
	}
	return knob_write_limit(fs, k, path, knob_file_name(fs, k), value);
}

/* --- tasks ------------------------------------------------------------------------ */

static int
knob_pid_cmp(const void *a, const void *b)
{
	pid_t x = *(const pid_t *)a, y = *(const pid_t *)b;

	return (x > y) - (x < y);
}

/* Appends the ids in file (cgroup.procs: processes; v1 tasks, v2
 * cgroup.threads: threads) of directory fd to v[0..*n). The
 * read grows its buffer for big containers up to KNOB_PROCS_MAX; past it
 * the list is cut at the last whole line. Returns 0 or -errno. */
static int
knob_pids_at(int fd, const char *file, pid_t **v, size_t *n)
{
	size_t len = 4096;
	char *buf, *p, *end;
	ssize_t r;

	for (;;) {
		buf = xmalloc(len);
		r = cgfs_read_at(fd, file, buf, len);
		if (r != -EFBIG || len >= KNOB_PROCS_MAX)
			break;
		free(buf);
		len *= 4;
	}
	if (r == -EFBIG && (p = strrchr(buf, '\n')) != NULL)
		p[1] = '\0';
	else if (r < 0) {
		free(buf);
		return (int)r;
	}
	for (p = buf; *p != '\0'; p = end + (*end != '\0')) {
		long pid = strtol(p, &end, 10);

		if (end == p || (*end != '\n' && *end != '\0'))
			break;
		if (pid <= 0 || pid > INT32_MAX)
			continue;
		*v = xreallocarray(*v, *n + 1, sizeof **v);
		(*v)[(*n)++] = (pid_t)pid;
	}
	free(buf);
	return 0;
}

/* Sorts and deduplicates v[0..*n) (v1 promises neither). */
static void
knob_pids_uniq(pid_t *v, size_t *n)
{
	size_t m = 0;

	if (*n > 1)
		qsort(v, *n, sizeof *v, knob_pid_cmp);
	for (size_t i = 0; i < *n; i++)
		if (i == 0 || v[i] != v[i - 1])
			v[m++] = v[i];
	*n = m;
}

/* The walk of knob_pids_tree below the cgroup open at fd (closed here):
 * each child's cgroup.procs, then its own children, depth-first, while
 * *left cgroups remain and fewer than max pids are read. Children are
 * opened relative to their parent, never by a path built from tenant
 * names, and without following links; one that vanishes meanwhile
 * (ENOENT, ENODEV) is skipped. */
static void
knob_pids_walk(int fd, const char *file, size_t *left, size_t max, pid_t **v, size_t *n)
{
	struct dirent *de;
	DIR *d;
	int rfd;

	/* cgfs hands out O_PATH descriptors, which cannot be listed. */
	rfd = openat(fd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	close(fd);
	if (rfd < 0)
		return;
	if ((d = fdopendir(rfd)) == NULL) {
		close(rfd);
		return;
	}
	while (*left > 0 && *n < max && (de = readdir(d)) != NULL) {
		int cfd;

		if (de->d_type != DT_DIR || strcmp(de->d_name, ".") == 0 ||
		    strcmp(de->d_name, "..") == 0)
			continue;
		cfd = openat(dirfd(d), de->d_name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		if (cfd < 0)
			continue;
		(*left)--;
		(void)knob_pids_at(cfd, file, v, n);
		knob_pids_walk(cfd, file, left, max, v, n);
	}
	closedir(d);
}

/* The pids of a container's whole subtree: its own cgroup.procs, then the
 * cgroups below it depth-first, at most `cgroups` of them (a
 * container's services live in sub-cgroups: /lxc.payload.NAME/system.slice/
 * x.service), cut at max pids. Sorted and deduplicated. Returns 0 or
 * -errno of the container's own list (-ENOENT: gone). */
static int
knob_ids_tree(const struct cgfs *fs, const char *path, const char *file, size_t cgroups,
    size_t max, pid_t **ret, size_t *ret_n)
{
	size_t left = cgroups, n = 0;
	pid_t *v = NULL;
	int fd, r;

	*ret = NULL;
	*ret_n = 0;
	if ((fd = cgfs_open_dir(fs, fs->walk, path)) < 0)
		return fd;
	if ((r = knob_pids_at(fd, file, &v, &n)) < 0) {
		close(fd);
		free(v);
		return r;
	}
	knob_pids_walk(fd, file, &left, max, &v, &n);
	knob_pids_uniq(v, &n);
	if (n > max)
		n = max;
	*ret = v;
	*ret_n = n;
	return 0;
}

static int
knob_pids_tree(const struct cgfs *fs, const char *path, size_t cgroups, size_t max,
    pid_t **ret, size_t *ret_n)
{
	return knob_ids_tree(fs, path, "cgroup.procs", cgroups, max, ret, ret_n);
}

int
knob_procs_tree(const struct cgfs *fs, const char *path, size_t cgroups, size_t max,
    pid_t **ret, size_t *ret_n)
{
	return knob_pids_tree(fs, path, cgroups, max, ret, ret_n);
}

int
knob_tasks(const struct cgfs *fs, const char *path, size_t cgroups, size_t max, pid_t **ret,
    size_t *ret_n)
{
	const char *file = fs->ctrl[fs->walk].version == 2 ? "cgroup.threads" : "tasks";

	return knob_ids_tree(fs, path, file, cgroups, max, ret, ret_n);
}

/* Writes the freezer of container path: v1 freezer.state, v2
 * cgroup.freeze. Returns 0 or -errno. */
static int
knob_kill_freeze(const struct cgfs *fs, const char *path, int frozen)
{
	if (knob_version(fs, PK_FREEZE) == 0)
		return -ENXIO;
	return knob_write(fs, path, PK_FREEZE, 0, frozen);
}

/* Polls the subtree of container path until it has no task left, at most
 * KNOB_THAW_STEPS times KNOB_THAW_STEP_MS (the signalled tasks take a
 * moment to exit). Returns the tasks left (0: empty or gone). */
static size_t
knob_kill_wait(const struct cgfs *fs, const char *path)
{
	const struct timespec step = { 0, KNOB_THAW_STEP_MS * 1000000L };
	size_t n = 1;
	pid_t *pids;

	for (int i = 0; i < KNOB_THAW_STEPS; i++) {
		if (knob_pids_tree(fs, path, KNOB_KILL_CGROUPS, KNOB_KILL_TASKS, &pids, &n) < 0)
			return 0;       /* gone with its tasks */
		free(pids);
		if (n == 0)
			return 0;
		nanosleep(&step, NULL);
	}
	return n;
}

/* v1, and v2 without cgroup.kill: every task of the container's subtree
 * (a tenant's sub-cgroups included: a task one level down must not
 * outlive the kill) gets SIGKILL, pass after pass, until the subtree is
 * empty or KNOB_KILL_PASSES ran out. The container is frozen first where
 * it can be, so that no task forks between the walk and the signal; v1's
 * freezer holds a SIGKILL back until the task thaws (v2's lets fatal
 * signals through), so each pass thaws after signalling and waits for the
 * subtree to empty. A container that was frozen before (the freeze rung)
 * is frozen again once empty, so that the freeze cgov holds is still
 * what it wrote (no false "changed behind cgov's back"); one cgov froze
 * here is left thawed. A pid is signalled once; one that exited first
 * (ESRCH) is not counted. Returns the tasks killed, or -errno of the
 * container's own list (-ENOENT: gone, and nothing killed). */
static int
knob_kill_tree(const struct cgfs *fs, const char *path)
{
	pid_t *seen = NULL;
	size_t nseen = 0, left = 0;
	int64_t was = -1;
	int killed = 0, froze = 0, v1 = knob_version(fs, PK_FREEZE) == 1, r = 0;

	if (knob_version(fs, PK_FREEZE) != 0 && knob_read_freeze(fs, path, &was) < 0)
		was = -1;
	for (int pass = 0; pass < KNOB_KILL_PASSES; pass++) {
		size_t before = nseen, n;
		pid_t *pids;

		if (was != 1 && knob_kill_freeze(fs, path, 1) == 0)
			froze = 1;
		if ((r = knob_pids_tree(fs, path, KNOB_KILL_CGROUPS, KNOB_KILL_TASKS, &pids,
		    &n)) < 0)
			break;
		for (size_t i = 0; i < n; i++) {
			if (before > 0 && bsearch(&pids[i], seen, before, sizeof *seen,
			    knob_pid_cmp) != NULL)
				continue;
			seen = xreallocarray(seen, nseen + 1, sizeof *seen);
			seen[nseen++] = pids[i];
			if (kill(pids[i], SIGKILL) == 0)
				killed++;
		}
		free(pids);
		/* seen is NULL while no task was seen: qsort's arguments must
		 * not be (UBSan). */
		if (nseen > 1)
			qsort(seen, nseen, sizeof *seen, knob_pid_cmp);
		/* v1: the signals take effect only thawed. */
		if (v1 && (froze || was == 1))
			(void)knob_kill_freeze(fs, path, 0);
		if ((left = knob_kill_wait(fs, path)) == 0 || nseen == before)
			break;
	}
	free(seen);
	if (froze && !v1)
		(void)knob_kill_freeze(fs, path, 0);
	else if (v1 && was == 1 && left == 0 && r == 0)
		(void)knob_kill_freeze(fs, path, 1);
	if (left > 0)
		log_warnx("kill: %zu task%s of %s still there after %d passes", left,
		    left == 1 ? "" : "s", escape_log(0, path), KNOB_KILL_PASSES);
	/* Gone after some kills: the container died with its tasks. */
	return r < 0 && !(cgfs_gone(r) && killed > 0) ? r : killed;
}

int
knob_kill(const struct cgfs *fs, const char *path)
{
	pid_t *pids;
	size_t n;
	int r;

	/* cgroup.kill where the container's tasks live in the v2 hierarchy:
	 * the kernel kills the whole subtree at once, forks included. The
	 * count is of the tasks there just before. */
	if (fs->ctrl[fs->walk].version == 2 && fs->ctrl[CG_FREEZER].version == 2) {
		if (knob_pids_tree(fs, path, KNOB_KILL_CGROUPS, KNOB_KILL_TASKS, &pids, &n) < 0)
			n = 0;
		else
			free(pids);
		r = cgfs_write(fs, CG_FREEZER, path, "cgroup.kill", "1");
		if (r != -ENXIO)        /* kernels before 5.14 have no cgroup.kill */
			return r < 0 ? r : (int)(n < INT_MAX ? n : INT_MAX);
	}
	if (fs->ctrl[fs->walk].version == 0)
		return -ENXIO;
	return knob_kill_tree(fs, path);
}

/* Adds name to v (deduplicated); empty names are skipped. */
static void
knob_procs_add(char ***v, size_t *n, const char *name)
{
	if (*name == '\0')
		return;
	for (size_t i = 0; i < *n; i++)
		if (strcmp((*v)[i], name) == 0)
			return;
	*v = xreallocarray(*v, *n + 1, sizeof **v);
	(*v)[(*n)++] = xstrdup(name);
}

/* The basename of /proc/PID/exe into buf ("" when unreadable). The kernel
 * marks a replaced binary "PATH (deleted)": a JVM upgraded under a running
 * tenant is still "java". */
static void
knob_exe_name(const struct cgfs *fs, pid_t pid, char *buf, size_t len)
{
	static const char deleted[] = " (deleted)";
	char link[64], target[4096], *base;
	size_t tl;
	ssize_t n;

	snprintf(link, sizeof link, "%s/%d/exe", fs->proc_dir, (int)pid);
	buf[0] = '\0';
	if ((n = readlink(link, target, sizeof target - 1)) <= 0)
		return;
	target[n] = '\0';
	tl = (size_t)n;
	if (tl > sizeof deleted - 1 && strcmp(target + tl - (sizeof deleted - 1), deleted) == 0)
		target[tl - (sizeof deleted - 1)] = '\0';
	base = strrchr(target, '/');
	snprintf(buf, len, "%s", base != NULL ? base + 1 : target);
}

int
knob_procs(const struct cgfs *fs, const char *path, size_t max_tasks, char ***ret,
    size_t *ret_n)
{
	char **v = NULL, name[4096];
	size_t n = 0, npids;
	pid_t *pids;
	int r;

	*ret = NULL;
	*ret_n = 0;
	if (fs->ctrl[fs->walk].version == 0)
		return -ENXIO;
	if ((r = knob_pids_tree(fs, path, KNOB_TREE_CGROUPS, max_tasks, &pids, &npids)) < 0)
		return r;
	for (size_t i = 0; i < npids; i++) {
		char comm[64];
		ssize_t len;

		/* The executable is the witness a tenant cannot forge: any
		 * task may rename its comm to "java". comm only stands in
		 * when the exe link cannot be read (a zombie, a task that
		 * may not be looked at). A task that exits meanwhile
		 * (ENOENT, ESRCH) is skipped. */
		knob_exe_name(fs, pids[i], name, sizeof name);
		if (name[0] != '\0') {
			knob_procs_add(&v, &n, name);
			continue;
		}
		snprintf(comm, sizeof comm, "%d/comm", (int)pids[i]);
		len = cgfs_read_proc(fs, comm, name, sizeof name);
		if (len > 0 && name[len - 1] == '\n')
			name[len - 1] = '\0';
		if (len > 0)
			knob_procs_add(&v, &n, name);
	}
	free(pids);
	*ret = v;
	*ret_n = n;
	return 0;
}

void
knob_procs_free(char **v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(v[i]);
	free(v);
}

/* --- formatting ---------------------------------------------------------------------- */

/* Millicores as "1 core", "1.5 cores", "0.25 cores". */
static void
knob_format_cores(int64_t mc, char *buf, size_t len)
{
	char frac[8];
	int64_t whole = mc / 1000, rest = mc % 1000;

	if (rest == 0) {
		snprintf(buf, len, "%" PRId64 " core%s", whole, whole == 1 ? "" : "s");
		return;
	}
	snprintf(frac, sizeof frac, "%03d", (int)rest);
	for (size_t i = strlen(frac); i > 0 && frac[i - 1] == '0'; i--)
		frac[i - 1] = '\0';
	snprintf(buf, len, "%" PRId64 ".%s cores", whole, frac);
}

void
knob_format(enum pol_knob k, int64_t value, char *buf, size_t len)
{
	char size[32];

	if (len == 0)
		return;
	if (k == PK_KILL) {
		snprintf(buf, len, "kill");
		return;
	}
	if (value == POL_MAX) {
		snprintf(buf, len, "max");
		return;
	}
	if (value < 0) {
		snprintf(buf, len, "unknown");
		return;
	}
	switch (k) {
	case PK_MEM_LIMIT:
	case PK_MEM_HIGH:
	case PK_SWAP_BUFFER:
		units_format_size((uint64_t)value, buf, len);
		break;
	case PK_CPU_QUOTA:
		knob_format_cores(value, buf, len);
		break;
	case PK_IO_RBPS:
	case PK_IO_WBPS:
		units_format_size((uint64_t)value, size, sizeof size);
		snprintf(buf, len, "%s/s", size);
		break;
	case PK_IO_RIOPS:
	case PK_IO_WIOPS:
		snprintf(buf, len, "%" PRId64 " iops", value);
		break;
	case PK_FREEZE:
		snprintf(buf, len, "%s", value ? "frozen" : "thawed");
		break;
	case PK_MEM_LOW:
	case PK_MEM_MIN:
		units_format_size((uint64_t)value, buf, len);
		break;
	case PK_OOM_ADJ:
		snprintf(buf, len, "%+d", (int)(value - POL_OOM_BIAS));
		break;
	default:
		snprintf(buf, len, "%" PRId64, value);
		break;
	}
}

/* --- devices ------------------------------------------------------------------------- */

/* Reads a sysfs "MAJ:MIN\n" file. */
static int
knob_sysfs_dev(const char *file, dev_t *ret)
{
	char buf[64];
	ssize_t n;

	if ((n = cgfs_read_at(AT_FDCWD, file, buf, sizeof buf)) < 0)
		return (int)n;
	return knob_parse_devnum(buf, ret) < 0 ? -EIO : 0;
}

/* A partition's whole disk: /sys/dev/block/M:m links to .../sda/sda1,
 * whose parent directory is the disk. */
static int
knob_whole_disk(dev_t dev, dev_t *ret)
{
	char dir[64], file[96];
	struct stat sb;

	snprintf(dir, sizeof dir, "/sys/dev/block/%u:%u", major(dev), minor(dev));
	if (stat(dir, &sb) < 0)
		return -ENOENT;
	snprintf(file, sizeof file, "%s/partition", dir);
	if (stat(file, &sb) < 0) {
		*ret = dev;
		return 0;
	}
	snprintf(file, sizeof file, "%s/../dev", dir);
	return knob_sysfs_dev(file, ret);
}

/* Is spec exactly "MAJ:MIN"? */
static int
knob_spec_devnum(const char *spec, dev_t *ret)
{
	int n = knob_parse_devnum(spec, ret);

	return n > 0 && spec[n] == '\0';
}

int
knob_dev_resolve(const char *spec, dev_t *ret)
{
	char file[512];
	struct stat sb;
	dev_t dev;
	int r;

	if (spec == NULL || *spec == '\0')
		return -ENOENT;
	if (spec[0] == '/') {
		if (stat(spec, &sb) < 0)
			return -errno;
		if (!S_ISBLK(sb.st_mode))
			return -ENOTBLK;
		dev = sb.st_rdev;
	} else if (!knob_spec_devnum(spec, &dev)) {
		/* A kernel device name: no path may sneak in. */
		if (strchr(spec, '/') != NULL || strcmp(spec, ".") == 0 ||
		    strcmp(spec, "..") == 0 || strlen(spec) > 255)
			return -ENOENT;
		snprintf(file, sizeof file, "/sys/class/block/%s/dev", spec);
		if ((r = knob_sysfs_dev(file, &dev)) < 0)
			return r;
	}
	return knob_whole_disk(dev, ret);
}

static int
knob_dev_cmp(const void *a, const void *b)
{
	dev_t x = *(const dev_t *)a, y = *(const dev_t *)b;

	return (x > y) - (x < y);
}

size_t
knob_dev_all(dev_t *ret, size_t max)
{
	struct dirent *de;
	dev_t *all = NULL;
	size_t n = 0;
	DIR *d;

	if ((d = opendir("/sys/block")) == NULL)
		return 0;
	while ((de = readdir(d)) != NULL) {
		char file[300];
		dev_t dev;

		if (de->d_name[0] == '.' || strncmp(de->d_name, "loop", 4) == 0 ||
		    strncmp(de->d_name, "ram", 3) == 0 || strncmp(de->d_name, "zram", 4) == 0)
			continue;
		snprintf(file, sizeof file, "/sys/block/%s/dev", de->d_name);
		if (knob_sysfs_dev(file, &dev) < 0)
			continue;
		all = xreallocarray(all, n + 1, sizeof *all);
		all[n++] = dev;
	}
	closedir(d);
	/* In MAJ:MIN order, so the caller's first max are always the same. */
	if (n > 0)
		qsort(all, n, sizeof *all, knob_dev_cmp);
	for (size_t i = 0; i < n && i < max; i++)
		ret[i] = all[i];
	free(all);
	return n;
}
