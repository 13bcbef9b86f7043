/* sampler.c: per-container reads of cgroupfs on cached descriptors. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "log.h"
#include "sampler.h"
#include "units.h"
#include "v1press.h"
#include "xmalloc.h"

/* The files a read may read. Each slot names its file on v1 and v2 (NULL:
 * not on that version), the controller whose hierarchy holds it, and
 * whether it is a setting (SLOW: read on full reads only, its last value
 * carried forward in between) or a counter or level (read every tick). */
enum sampler_slot {
	S_MEM_CUR, S_MEM_MAX, S_MEM_HIGH, S_SWAP_CUR, S_SWAP_MAX, S_MEM_EVENTS,
	S_CPU_USAGE, S_CPU_STAT, S_CPU_WEIGHT, S_CPU_QUOTA, S_CPU_PERIOD,
	S_IO_BYTES, S_IO_OPS, S_PIDS_CUR, S_PIDS_MAX,
	S_PSI_CPU, S_PSI_MEM, S_PSI_IO,
	S_NSLOTS
};

#define TICK 0
#define SLOW 1

static const struct {
	enum cg_ctrl ctrl;
	const char *v1, *v2;
	int slow;
} sampler_files[S_NSLOTS] = {
	[S_MEM_CUR]    = { CG_MEMORY,  "memory.usage_in_bytes", "memory.current", TICK },
	[S_MEM_MAX]    = { CG_MEMORY,  "memory.limit_in_bytes", "memory.max", SLOW },
	[S_MEM_HIGH]   = { CG_MEMORY,  NULL, "memory.high", SLOW },
	/* v1 accounts memory+swap together; swap is the difference. */
	[S_SWAP_CUR]   = { CG_MEMORY,  "memory.memsw.usage_in_bytes", "memory.swap.current", TICK },
	[S_SWAP_MAX]   = { CG_MEMORY,  "memory.memsw.limit_in_bytes", "memory.swap.max", SLOW },
	[S_MEM_EVENTS] = { CG_MEMORY,  "memory.oom_control", "memory.events", TICK },
	[S_CPU_USAGE]  = { CG_CPUACCT, "cpuacct.usage", NULL, TICK },
	[S_CPU_STAT]   = { CG_CPU,     "cpu.stat", "cpu.stat", TICK },
	[S_CPU_WEIGHT] = { CG_CPU,     "cpu.shares", "cpu.weight", SLOW },
	[S_CPU_QUOTA]  = { CG_CPU,     "cpu.cfs_quota_us", "cpu.max", SLOW },
	[S_CPU_PERIOD] = { CG_CPU,     "cpu.cfs_period_us", NULL, SLOW },
	/* The _recursive files: a container's own sub-cgroups (systemd
	 * inside LXC) do the I/O, not the container's top cgroup. */
	[S_IO_BYTES]   = { CG_IO,      "blkio.throttle.io_service_bytes_recursive", "io.stat", TICK },
	[S_IO_OPS]     = { CG_IO,      "blkio.throttle.io_serviced_recursive", NULL, TICK },
	[S_PIDS_CUR]   = { CG_PIDS,    "pids.current", "pids.current", TICK },
	[S_PIDS_MAX]   = { CG_PIDS,    "pids.max", "pids.max", SLOW },
	[S_PSI_CPU]    = { CG_CPU,     NULL, "cpu.pressure", TICK },
	[S_PSI_MEM]    = { CG_MEMORY,  NULL, "memory.pressure", TICK },
	[S_PSI_IO]     = { CG_IO,      NULL, "io.pressure", TICK },
};

#define FD_ABSENT   (-2)    /* the file does not exist on this host */
#define FD_UNCACHED (-1)    /* over budget: openat on each read */

struct sampler {
	const struct cgfs *fs;
	size_t fd_budget;
	size_t fds;             /* held by all containers */
	char *buf;              /* one read buffer: the loop is single-threaded */
	uint64_t limits_ms;     /* full-read cadence; 0: every read is full */
	unsigned gen;           /* bumped to make every next read full */
	int node_swap;          /* SwapTotal > 0: 1, 0, or -1 not known yet */
	unsigned opened;        /* containers opened: staggers their full reads */
	uint64_t reads;         /* files read, all containers */
};

struct sampler_ct {
	struct sampler *s;
	char *path;             /* to reopen directories not held */
	int has_memstat;        /* memory.stat exists (v2: memory enabled) */
	int dirfd[CG_CTRL_MAX]; /* -1: unavailable, or not held (see path) */
	int fd[S_NSLOTS];
	int version[S_NSLOTS];  /* cgroup version of each slot's file */
	/* The cadence: the last sample (its settings are carried forward
	 * until the next full read), when that is due, and whether it was
	 * asked for. */
	struct cg_sample last;
	int have_last;
	int last_full;          /* the last read was a full one */
	int refresh;            /* sampler_ct_refresh() */
	unsigned gen;           /* s->gen at the last full read */
	unsigned seq;           /* order of opening, for the stagger */
	int64_t next_full_ms;   /* monotonic; 0: not scheduled yet */
	struct v1press *press;  /* v1: the derived pressures; NULL on v2 */
};

/* Big enough for memory.stat of a 6.x kernel (about 1.5 KiB) and io.stat
 * with a few hundred devices. */
#define SAMPLER_BUFSZ 65536

struct sampler *
sampler_new(const struct cgfs *fs, size_t fd_budget)
{
	struct sampler *s = xcalloc(1, sizeof *s);

	s->fs = fs;
	s->fd_budget = fd_budget;
	s->buf = xmalloc(SAMPLER_BUFSZ);
	s->node_swap = -1;
	return s;
}

void
sampler_set_limits_interval(struct sampler *s, uint64_t ms)
{
	s->limits_ms = ms;
	sampler_refresh_all(s);
}

void
sampler_refresh_all(struct sampler *s)
{
	s->gen++;
}

uint64_t
sampler_reads(const struct sampler *s)
{
	return s->reads;
}

void
sampler_free(struct sampler *s)
{
	if (s == NULL)
		return;
	free(s->buf);
	free(s);
}

size_t
sampler_fds(const struct sampler *s)
{
	return s->fds;
}

static const char *
sampler_file(const struct sampler_ct *ct, int slot)
{
	return ct->version[slot] == 2 ? sampler_files[slot].v2 :
	    ct->version[slot] == 1 ? sampler_files[slot].v1 : NULL;
}

/* Closes the directory of each hierarchy whose files are all cached or
 * absent: on a v1 host that is four descriptors less per container. The
 * memory directory stays (memory.stat is opened from it) while the budget
 * allows; past the budget every directory is closed and reopened by path
 * when needed, so directories are bounded by the budget as files are. */
static void
sampler_ct_trim_dirs(struct sampler_ct *ct)
{
	for (int c = 0; c < CG_CTRL_MAX; c++) {
		int fd = ct->dirfd[c], needed = 0;

		if (fd < 0)
			continue;
		/* One descriptor may serve several controllers (co-mounted). */
		for (int o = 0; o < CG_CTRL_MAX; o++)
			if (ct->dirfd[o] == fd && o == CG_MEMORY && ct->has_memstat)
				needed = 1;
		for (int i = 0; i < S_NSLOTS; i++)
			if (ct->fd[i] == FD_UNCACHED && ct->dirfd[sampler_files[i].ctrl] == fd)
				needed = 1;
		if (needed && ct->s->fds <= ct->s->fd_budget)
			continue;
		close(fd);
		ct->s->fds--;
		for (int o = 0; o < CG_CTRL_MAX; o++)
			if (ct->dirfd[o] == fd)
				ct->dirfd[o] = -1;
	}
}

int
sampler_ct_open(struct sampler *s, const char *path, struct sampler_ct **ret)
{
	struct sampler_ct *ct = xcalloc(1, sizeof *ct);
	int present = 0;

	ct->s = s;
	ct->path = xstrdup(path);
	ct->seq = s->opened++;
	for (int i = 0; i < S_NSLOTS; i++)
		ct->fd[i] = FD_ABSENT;
	for (int c = 0; c < CG_CTRL_MAX; c++)
		ct->dirfd[c] = -1;
	for (int c = 0; c < CG_CTRL_MAX; c++) {
		int fd, used = 0;

		if (s->fs->ctrl[c].version == 0)
			continue;
		for (int i = 0; i < S_NSLOTS; i++)
			used |= sampler_files[i].ctrl == (enum cg_ctrl)c;
		if (!used)
			continue;       /* the freezer: nothing to read there */
		/* Co-mounted controllers (v2, or v1 cpu,cpuacct) share one
		 * directory: open it once. */
		for (int p = 0; p < c; p++)
			if (ct->dirfd[p] >= 0 && s->fs->ctrl[p].mount != NULL &&
			    strcmp(s->fs->ctrl[p].mount, s->fs->ctrl[c].mount) == 0) {
				ct->dirfd[c] = ct->dirfd[p];
				break;
			}
		if (ct->dirfd[c] >= 0)
			continue;
		fd = cgfs_open_dir(s->fs, c, path);
		if (fd < 0 && !cgfs_gone(fd) && fd != -ENXIO) {
			sampler_ct_close(ct);   /* -EINVAL, -EMFILE: not "gone" */
			return fd;
		}
		if (fd < 0)
			continue;       /* not in this hierarchy */
		ct->dirfd[c] = fd;
		s->fds++;
		present++;
	}
	if (present == 0) {
		sampler_ct_close(ct);
		return -ENOENT;
	}
	for (int i = 0; i < S_NSLOTS; i++) {
		int dfd = ct->dirfd[sampler_files[i].ctrl];
		const char *name;
		int fd;

		ct->version[i] = s->fs->ctrl[sampler_files[i].ctrl].version;
		if (dfd < 0 || (name = sampler_file(ct, i)) == NULL)
			continue;
		fd = openat(dfd, name, O_RDONLY | O_CLOEXEC | O_NOCTTY);
		if (fd < 0)
			continue;       /* e.g. no memsw without swapaccount, no PSI */
		if (s->fds < s->fd_budget) {
			ct->fd[i] = fd;
			s->fds++;
		} else {
			close(fd);
			ct->fd[i] = FD_UNCACHED;
		}
	}
	if (ct->dirfd[CG_MEMORY] >= 0 &&
	    faccessat(ct->dirfd[CG_MEMORY], "memory.stat", R_OK, 0) == 0)
		ct->has_memstat = 1;
	sampler_ct_trim_dirs(ct);
	/* No per-cgroup PSI on v1: derived instead (v1press.h). Its three
	 * eventfds only while the budget has room. */
	if (ct->version[S_PSI_CPU] == 1) {
		ct->press = v1press_open(s->fs, path, s->fds + 3 <= s->fd_budget);
		s->fds += v1press_fds(ct->press);
	}
	*ret = ct;
	return 0;
}

void
sampler_ct_close(struct sampler_ct *ct)
{
	if (ct == NULL)
		return;
	for (int i = 0; i < S_NSLOTS; i++)
		if (ct->fd[i] >= 0) {
			close(ct->fd[i]);
			ct->s->fds--;
		}
	for (int c = 0; c < CG_CTRL_MAX; c++) {
		int shared = 0;

		if (ct->dirfd[c] < 0)
			continue;
		for (int p = 0; p < c; p++)
			if (ct->dirfd[p] == ct->dirfd[c])
				shared = 1;
		if (!shared) {
			close(ct->dirfd[c]);
			ct->s->fds--;
		}
	}
	if (ct->press != NULL) {
		ct->s->fds -= v1press_fds(ct->press);
		v1press_close(ct->press);
	}
	free(ct->path);
	free(ct);
}

/* The directory of controller c: the held one, or opened by path (then
 * *ret_tmp is set and the caller closes it). Returns the fd or -errno. */
static int
sampler_ct_dir(struct sampler_ct *ct, enum cg_ctrl c, int *ret_tmp)
{
	*ret_tmp = 0;
	if (ct->dirfd[c] >= 0)
		return ct->dirfd[c];
	*ret_tmp = 1;
	return cgfs_open_dir(ct->s->fs, c, ct->path);
}

/* Reads slot i into buf. Returns 1 when the file was read (its content may
 * be empty: an idle cgroup's io.stat is, and that means zero), 0 when the
 * file is absent on this host or unreadable, -ENODEV when the cgroup is
 * gone. */
static ssize_t
sampler_read_slot(struct sampler_ct *ct, int i, char *buf, size_t len)
{
	ssize_t n;

	if (ct->fd[i] == FD_ABSENT)
		return 0;
	ct->s->reads++;
	if (ct->fd[i] >= 0)
		n = cgfs_pread(ct->fd[i], buf, len);
	else {
		int tmp, dfd = sampler_ct_dir(ct, sampler_files[i].ctrl, &tmp);

		n = dfd < 0 ? dfd : cgfs_read_at(dfd, sampler_file(ct, i), buf, len);
		if (tmp && dfd >= 0)
			close(dfd);
	}
	if (n < 0 && cgfs_gone((int)n))
		return -ENODEV;
	/* A file larger than the buffer (io.stat of hundreds of devices)
	 * would parse cut: unknown this tick beats a wrong counter. */
	if (n < 0) {
		log_debug("reading %s: %s", sampler_file(ct, i), strerror((int)-n));
		return 0;
	}
	return 1;
}

/* Parses a single-value slot; CG_UNKNOWN when absent or malformed. */
static int
sampler_u64(struct sampler_ct *ct, int i, char *buf, uint64_t *ret)
{
	ssize_t n = sampler_read_slot(ct, i, buf, SAMPLER_BUFSZ);

	*ret = CG_UNKNOWN;
	if (n < 0)
		return (int)n;
	if (n > 0) {
		int r = i == S_CPU_QUOTA && ct->version[i] == 1 ? cgparse_quota_us(buf, ret) :
		    cgparse_u64(buf, ret);

		if (r < 0) {
			*ret = CG_UNKNOWN;
			log_debug("cannot parse %s", sampler_file(ct, i));
		}
	}
	return 0;
}

static uint64_t
sampler_sub(uint64_t a, uint64_t b)
{
	if (a == CG_UNKNOWN || b == CG_UNKNOWN || a >= CG_UNLIMITED || b >= CG_UNLIMITED)
		return CG_UNKNOWN;
	return a >= b ? a - b : 0;
}

static uint64_t
sampler_scale(uint64_t v, uint64_t div)
{
	return v == CG_UNKNOWN || v == CG_UNLIMITED ? v : v / div;
}

static int
sampler_psi(struct sampler_ct *ct, int i, char *buf, uint64_t *ret)
{
	struct cg_psi psi;
	ssize_t n = sampler_read_slot(ct, i, buf, SAMPLER_BUFSZ);

	*ret = CG_UNKNOWN;
	if (n < 0)
		return (int)n;
	if (n > 0 && cgparse_psi(buf, &psi) == 0)
		*ret = psi.some.total_us;
	return 0;
}

void
sampler_ct_refresh(struct sampler_ct *ct)
{
	ct->refresh = 1;
}

/* Whether this read is a full one, at monotonic time now. */
static int
sampler_ct_full_due(const struct sampler_ct *ct, int64_t now)
{
	return ct->s->limits_ms == 0 || !ct->have_last || ct->refresh ||
	    ct->gen != ct->s->gen || now >= ct->next_full_ms;
}

/* Schedules the next full read after one done at now. The first deadline
 * of a container falls somewhere in its first interval (sixteen phases by
 * order of opening), so the hundreds of containers found at start do not
 * all pay their settings in the same tick ever after; later deadlines keep
 * that phase (one interval apart, not one interval after the read, so a
 * tick's jitter does not drift it). A forced full read leaves the phase. */
static void
sampler_ct_full_done(struct sampler_ct *ct, int64_t now)
{
	int64_t iv = (int64_t)ct->s->limits_ms;

	ct->refresh = 0;
	ct->gen = ct->s->gen;
	if (iv == 0)
		return;
	if (ct->next_full_ms == 0)
		ct->next_full_ms = now + iv * (int64_t)(1 + ct->seq % 16) / 16;
	else if (now >= ct->next_full_ms) {
		ct->next_full_ms += iv;
		if (ct->next_full_ms <= now)    /* a long stall: restart the grid */
			ct->next_full_ms = now + iv;
	}
}

/* The memory (v1: memory+swap) figures. */
static int
sampler_ct_read_memory(struct sampler_ct *ct, int full, char *buf, struct cg_sample *ret)
{
	uint64_t memsw = CG_UNKNOWN, memsw_max = CG_UNKNOWN;
	/* With no swap on the node (SwapTotal 0 counts the pages that a
	 * running swapoff still has to bring back, so 0 means none in use)
	 * the swap usage is 0 in every cgroup: its file is not read. */
	int swap_skip = !full && ct->s->node_swap == 0 && ct->fd[S_SWAP_CUR] != FD_ABSENT;
	int r;

	if ((r = sampler_u64(ct, S_MEM_CUR, buf, &ret->mem_current)) < 0)
		return r;
	if (full && ((r = sampler_u64(ct, S_MEM_MAX, buf, &ret->mem_limit)) < 0 ||
	    (r = sampler_u64(ct, S_MEM_HIGH, buf, &ret->mem_high)) < 0))
		return r;
	if (ct->version[S_SWAP_CUR] == 2) {
		if (swap_skip)
			ret->swap_current = 0;
		else if ((r = sampler_u64(ct, S_SWAP_CUR, buf, &ret->swap_current)) < 0)
			return r;
		if (full && (r = sampler_u64(ct, S_SWAP_MAX, buf, &ret->swap_limit)) < 0)
			return r;
		return 0;
	}
	if (swap_skip)
		ret->swap_current = 0;
	else {
		if ((r = sampler_u64(ct, S_SWAP_CUR, buf, &memsw)) < 0)
			return r;
		ret->swap_current = sampler_sub(memsw, ret->mem_current);
	}
	if (full) {
		if ((r = sampler_u64(ct, S_SWAP_MAX, buf, &memsw_max)) < 0)
			return r;
		/* memsw.limit = memory limit + the swap the container may use. */
		if (memsw_max == CG_UNLIMITED)
			ret->swap_limit = CG_UNLIMITED;
		else
			ret->swap_limit = sampler_sub(memsw_max, ret->mem_limit);
	}
	return 0;
}

/* The CPU figures: usage, throttling, and (full reads) weight and quota. */
static int
sampler_ct_read_cpu(struct sampler_ct *ct, int full, char *buf, struct cg_sample *ret)
{
	uint64_t v[4];
	ssize_t n;
	int r;

	if (ct->version[S_CPU_USAGE] == 1) {
		if ((r = sampler_u64(ct, S_CPU_USAGE, buf, &ret->cpu_usage_us)) < 0)
			return r;
		ret->cpu_usage_us = sampler_scale(ret->cpu_usage_us, 1000);   /* ns */
	}
	/* The settings first: on v1 they say whether cpu.stat can change. */
	if (full) {
		if ((r = sampler_u64(ct, S_CPU_WEIGHT, buf, &v[0])) < 0)
			return r;
		if (v[0] != CG_UNKNOWN && v[0] != CG_UNLIMITED) {
			if (ct->version[S_CPU_WEIGHT] == 2) {
				ret->cpu_weight = v[0];
				ret->cpu_shares = units_weight_to_shares(v[0]);
			} else {
				ret->cpu_shares = v[0];
				ret->cpu_weight = units_shares_to_weight(v[0]);
			}
		}
		if (ct->version[S_CPU_QUOTA] == 2) {
			if ((n = sampler_read_slot(ct, S_CPU_QUOTA, buf, SAMPLER_BUFSZ)) < 0)
				return (int)n;
			if (n > 0 && cgparse_cpu_max(buf, &v[0], &v[1]) == 0) {
				ret->cpu_quota_us = v[0];
				ret->cpu_period_us = v[1];
			}
		} else if ((r = sampler_u64(ct, S_CPU_QUOTA, buf, &ret->cpu_quota_us)) < 0 ||
		    (r = sampler_u64(ct, S_CPU_PERIOD, buf, &ret->cpu_period_us)) < 0)
			return r;
	}
	/* v1 cpu.stat holds only the throttling of the cgroup's own quota:
	 * without one its counters cannot move, and the carried values are
	 * exact. A quota set behind cgov's back is seen at the next full
	 * read, and the throttling of the meantime lands in that tick's
	 * delta (the counters are cumulative). v2 cpu.stat is the usage too:
	 * always read. */
	if (!full && ct->version[S_CPU_STAT] == 1 && ret->cpu_quota_us == CG_UNLIMITED)
		return 0;
	ret->nr_periods = ret->nr_throttled = ret->throttled_us = CG_UNKNOWN;
	if (ct->version[S_CPU_STAT] == 2)
		ret->cpu_usage_us = CG_UNKNOWN;
	if ((n = sampler_read_slot(ct, S_CPU_STAT, buf, SAMPLER_BUFSZ)) < 0)
		return (int)n;
	if (n > 0) {
		static const char *const k1[] = { "nr_periods", "nr_throttled", "throttled_time" };
		static const char *const k2[] = { "nr_periods", "nr_throttled", "throttled_usec",
			"usage_usec" };

		if (ct->version[S_CPU_STAT] == 2 && cgparse_keyed(buf, k2, 4, v) >= 0) {
			ret->nr_periods = v[0];
			ret->nr_throttled = v[1];
			ret->throttled_us = v[2];
			ret->cpu_usage_us = v[3];
		} else if (ct->version[S_CPU_STAT] == 1 && cgparse_keyed(buf, k1, 3, v) >= 0) {
			ret->nr_periods = v[0];
			ret->nr_throttled = v[1];
			ret->throttled_us = sampler_scale(v[2], 1000);      /* ns */
		}
	}
	return 0;
}

static int
sampler_ct_read_io(struct sampler_ct *ct, char *buf, struct cg_sample *ret)
{
	ssize_t n;

	memset(&ret->io, 0xff, sizeof ret->io);
	if ((n = sampler_read_slot(ct, S_IO_BYTES, buf, SAMPLER_BUFSZ)) < 0)
		return (int)n;
	if (n > 0 && ct->version[S_IO_BYTES] == 2) {
		if (cgparse_io_stat(buf, &ret->io) < 0)
			memset(&ret->io, 0xff, sizeof ret->io);
	} else if (n > 0) {
		if (cgparse_blkio(buf, &ret->io.rbytes, &ret->io.wbytes) < 0)
			ret->io.rbytes = ret->io.wbytes = CG_UNKNOWN;
		if ((n = sampler_read_slot(ct, S_IO_OPS, buf, SAMPLER_BUFSZ)) < 0)
			return (int)n;
		if (n > 0 && cgparse_blkio(buf, &ret->io.rios, &ret->io.wios) < 0)
			ret->io.rios = ret->io.wios = CG_UNKNOWN;
	}
	return 0;
}

int
sampler_ct_read(struct sampler_ct *ct, struct cg_sample *ret)
{
	char *buf = ct->s->buf;
	int64_t now = ct->s->limits_ms != 0 ? units_mono_ms() : 0;
	int full = sampler_ct_full_due(ct, now);
	uint64_t v[2];
	ssize_t n;
	int r;

	/* A full read starts from every field CG_UNKNOWN; a tick's read from
	 * the last sample, whose settings (and, for v1 without a quota, the
	 * throttling counters) stand until the next full read. Everything a
	 * tick reads is overwritten below. */
	if (full)
		memset(ret, 0xff, sizeof *ret);
	else
		*ret = ct->last;
	if ((r = sampler_ct_read_memory(ct, full, buf, ret)) < 0)
		return r;

	if ((n = sampler_read_slot(ct, S_MEM_EVENTS, buf, SAMPLER_BUFSZ)) < 0)
		return (int)n;
	ret->oom = ret->oom_kill = CG_UNKNOWN;
	if (n > 0) {
		static const char *const keys[] = { "oom", "oom_kill" };

		if (cgparse_keyed(buf, keys, 2, v) >= 0) {
			/* v1 oom_control has no event count: "oom" stays unknown. */
			ret->oom = ct->version[S_MEM_EVENTS] == 2 ? v[0] : CG_UNKNOWN;
			ret->oom_kill = v[1];
		}
	}

	if ((r = sampler_ct_read_cpu(ct, full, buf, ret)) < 0 ||
	    (r = sampler_ct_read_io(ct, buf, ret)) < 0 ||
	    (r = sampler_u64(ct, S_PIDS_CUR, buf, &ret->pids_current)) < 0 ||
	    (full && (r = sampler_u64(ct, S_PIDS_MAX, buf, &ret->pids_max)) < 0) ||
	    (r = sampler_psi(ct, S_PSI_CPU, buf, &ret->psi_cpu_us)) < 0 ||
	    (r = sampler_psi(ct, S_PSI_MEM, buf, &ret->psi_mem_us)) < 0 ||
	    (r = sampler_psi(ct, S_PSI_IO, buf, &ret->psi_io_us)) < 0)
		return r;
	if (ct->press != NULL)
		(void)v1press_read(ct->press, units_mono_ms(), ct->have_last &&
		    ret->cpu_usage_us != CG_UNKNOWN && ret->cpu_usage_us == ct->last.cpu_usage_us,
		    buf, SAMPLER_BUFSZ, &ret->psi_cpu_us, &ret->psi_mem_us, &ret->psi_io_us);
	if (full)
		sampler_ct_full_done(ct, now);
	ct->last = *ret;
	ct->have_last = 1;
	ct->last_full = full;
	return 0;
}

int
sampler_ct_last_full(const struct sampler_ct *ct)
{
	return ct->have_last && ct->last_full;
}

int
sampler_ct_read_memstat(struct sampler_ct *ct, struct cg_memstat *ret)
{
	/* v1 memory.stat has the cgroup's own figures and, prefixed total_,
	 * those of its whole subtree: a container is its subtree. */
	static const char *const k1[] = { "total_rss", "total_cache", "total_shmem",
		"total_dirty", "total_writeback", "total_pgmajfault" };
	static const char *const k2[] = { "anon", "file", "shmem", "file_dirty",
		"file_writeback", "pgmajfault", "kernel", "kernel_stack", "slab" };
	int version = ct->s->fs->ctrl[CG_MEMORY].version;
	char *buf = ct->s->buf;
	uint64_t v[9];
	ssize_t n;
	int dfd, tmp;

	memset(ret, 0xff, sizeof *ret);
	/* No memory.stat when the memory controller is not enabled for the
	 * cgroup (v2): that is "unknown", never "gone". */
	if (!ct->has_memstat)
		return 0;
	dfd = sampler_ct_dir(ct, CG_MEMORY, &tmp);
	ct->s->reads++;
	n = dfd < 0 ? dfd : cgfs_read_at(dfd, "memory.stat", buf, SAMPLER_BUFSZ);
	if (tmp && dfd >= 0)
		close(dfd);
	if (n < 0 && cgfs_gone((int)n))
		return -ENODEV;
	if (n > 0 && cgparse_keyed(buf, version == 2 ? k2 : k1, version == 2 ? 9 : 6, v) > 0) {
		ret->anon = v[0];
		ret->file = v[1];
		ret->shmem = v[2];
		ret->file_dirty = v[3];
		ret->file_writeback = v[4];
		ret->pgmajfault = v[5];
		if (version == 2) {
			/* "kernel" appeared in 5.18; before, stack + slab is
			 * most of it. */
			if (v[6] != CG_UNKNOWN)
				ret->kernel = v[6];
			else if (v[7] != CG_UNKNOWN && v[8] != CG_UNKNOWN)
				ret->kernel = v[7] + v[8];
		}
	}
	return 0;
}

size_t
sampler_ct_file_list(const struct sampler_ct *ct, int full, enum cg_ctrl *ret_ctrl,
    const char **ret_name, size_t max)
{
	size_t n = 0;

	full = full || sampler_ct_full_due(ct, ct->s->limits_ms != 0 ? units_mono_ms() : 0);
	for (int i = 0; i < S_NSLOTS; i++) {
		if (ct->fd[i] == FD_ABSENT)
			continue;
		if (!full && (sampler_files[i].slow ||
		    (i == S_SWAP_CUR && ct->s->node_swap == 0) ||
		    (i == S_CPU_STAT && ct->version[i] == 1 &&
		    ct->last.cpu_quota_us == CG_UNLIMITED)))
			continue;
		if (i == S_IO_OPS && ct->fd[S_IO_BYTES] == FD_ABSENT)
			continue;
		if (n < max) {
			ret_ctrl[n] = sampler_files[i].ctrl;
			ret_name[n] = sampler_file(ct, i);
		}
		n++;
	}
	return n;
}

int
sampler_read_node(struct sampler *s, struct cg_node *ret)
{
	static const char *const psi[3] = { "pressure/cpu", "pressure/memory", "pressure/io" };
	uint64_t *psi_out[3] = { &ret->psi_cpu_us, &ret->psi_mem_us, &ret->psi_io_us };
	const struct cgfs *fs = s->fs;
	char *buf = s->buf;
	uint32_t l5, l15;
	ssize_t n;

	memset(ret, 0xff, sizeof *ret);
	if ((n = cgfs_read_proc(fs, "meminfo", buf, SAMPLER_BUFSZ)) < 0 && n != -EFBIG)
		return (int)n;
	cgparse_meminfo(buf, &ret->mem);
	if (ret->mem.swap_total != CG_UNKNOWN)
		s->node_swap = ret->mem.swap_total > 0;
	/* /proc/stat lists interrupts after the cpu lines: on a big machine
	 * it outgrows the buffer, and -EFBIG with the cpu lines read is fine. */
	if ((n = cgfs_read_proc(fs, "stat", buf, SAMPLER_BUFSZ)) < 0 && n != -EFBIG)
		return (int)n;
	if (cgparse_proc_stat(buf, &ret->cpu) < 0)
		memset(&ret->cpu, 0xff, sizeof ret->cpu);
	if (cgfs_read_proc(fs, "loadavg", buf, SAMPLER_BUFSZ) > 0)
		cgparse_loadavg(buf, &ret->load1, &l5, &l15);
	for (int i = 0; i < 3; i++) {
		struct cg_psi p;

		if (cgfs_read_proc(fs, psi[i], buf, SAMPLER_BUFSZ) > 0 && cgparse_psi(buf, &p) == 0)
			*psi_out[i] = p.some.total_us;
	}
	return 0;
}
