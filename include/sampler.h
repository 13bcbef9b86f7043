/* sampler.h: reading one container's (or the node's) figures from cgroupfs.
 *
 * The hot path of cgovd. A container is opened once: one directory fd per
 * distinct hierarchy, and one cached descriptor per file read every tick,
 * re-read with a single pread(2) from offset 0 (cgroup files regenerate
 * their content on each read from offset 0). libcgroup is not used here:
 * its read API opens, fopen()s and closes the file on every call and walks
 * its mount table under a lock, several times the syscalls of a pread.
 *
 * Descriptors, files and directories alike, are bounded by a budget shared
 * by all containers: past it, a container's files (and their directories)
 * are opened by path and closed on each read (slower, same results), so
 * 10,000 containers never exhaust RLIMIT_NOFILE.
 *
 * All values are the kernel's cumulative figures, normalised to one unit
 * per quantity (bytes, microseconds, v1 share scale) whatever the cgroup
 * version; CG_UNKNOWN where this host does not provide them. On v1, where
 * cgroups have no PSI, the pressure totals are derived on every read
 * (v1press.h: a walk of the container's threads' schedstat, memory.stat,
 * the pressure_level eventfds, the blkio wait files).
 *
 * Cadence. A file is read as often as its value can change a decision.
 * Counters and levels (CPU usage and cpu.stat, I/O counters, memory and
 * swap usage, pids.current, OOM counters, PSI) are read on every read.
 * Settings (memory limit and high, swap limit, CPU shares/weight, quota
 * and period, pids.max) change only when someone writes them: they are
 * read on a container's "full" reads and carried forward in between. A
 * read is full when it is the container's first, when the limits
 * interval (sampler_set_limits_interval) has passed since its last
 * scheduled full read, after sampler_ct_refresh or sampler_refresh_all,
 * or always when the interval is 0 (the default of a new sampler).
 * Two per-tick files are skipped where their figures cannot move: the
 * swap usage while the node has no swap at all (swap_current is then 0),
 * and v1 cpu.stat of a cgroup without a CPU quota (its throttling
 * counters are those of its own quota: carried forward).
 *
 * The trade-off: a setting changed behind cgov's back (by an admin, a
 * runtime, systemd) shows in the samples within one limits interval (plus
 * a tick), and so do the quota-dependent v1 throttling counters. A caller
 * that writes a knob itself, or hears from the kernel that one changed,
 * calls sampler_ct_refresh: otherwise the next samples still carry the
 * value from before the write.
 */
#ifndef CGOV_SAMPLER_H
#define CGOV_SAMPLER_H

#include <stddef.h>
#include <stdint.h>

#include "cgfs.h"
#include "cgparse.h"

struct cg_sample {
	uint64_t mem_current, mem_limit, mem_high;   /* bytes (v1 has no high) */
	uint64_t swap_current, swap_limit;           /* bytes of swap, v1: memsw - mem */
	uint64_t cpu_usage_us;
	uint64_t nr_periods, nr_throttled, throttled_us;
	uint64_t cpu_shares;                         /* v1 scale; v2 weight converted */
	uint64_t cpu_weight;                         /* v2 scale; v1 shares converted */
	uint64_t cpu_quota_us, cpu_period_us;        /* quota CG_UNLIMITED: no quota */
	struct cg_io io;
	uint64_t pids_current, pids_max;
	uint64_t oom, oom_kill;                      /* v1 has no oom event count */
	/* "some" totals on v2; on v1 derived stall totals (v1press.h) */
	uint64_t psi_cpu_us, psi_mem_us, psi_io_us;
};

struct cg_memstat {
	uint64_t anon, file, kernel, shmem, file_dirty, file_writeback;  /* bytes */
	uint64_t pgmajfault;                                              /* cumulative */
};

struct cg_node {
	struct cg_meminfo mem;
	struct cg_cpustat cpu;
	uint32_t load1;                              /* x 100 */
	uint64_t psi_cpu_us, psi_mem_us, psi_io_us;  /* "some" totals; CG_UNKNOWN without PSI */
};

struct sampler;
struct sampler_ct;

/* A sampler for fs with at most fd_budget cached file descriptors in all
 * (0: no caching at all). The sampler borrows fs. Its limits interval is
 * 0: every read is full until sampler_set_limits_interval says otherwise. */
struct sampler *sampler_new(const struct cgfs *fs, size_t fd_budget);
void sampler_free(struct sampler *s);
/* Descriptors held now (directories and cached files). */
size_t sampler_fds(const struct sampler *s);

/* Sets how often each container's settings are re-read (milliseconds of
 * the monotonic clock; 0: on every read), and makes every container's next
 * read a full one (a reload is a moment to see everything afresh). Each
 * container keeps its own phase inside the interval, staggered by the
 * order of opening, so full reads spread over the ticks. */
void sampler_set_limits_interval(struct sampler *s, uint64_t ms);
/* Makes every container's next read a full one. O(1). */
void sampler_refresh_all(struct sampler *s);
/* cgroup files read so far by all containers (samples and memory.stat;
 * not the node's /proc files, nor what v1 pressure's derivation reads),
 * for tests and benchmarks. */
uint64_t sampler_reads(const struct sampler *s);

/* Opens the container at cgroup path. Returns 0, -ENOENT when the cgroup
 * does not exist (or vanished), -EINVAL for a bad path, -EMFILE/-ENFILE
 * when the process is out of descriptors (an error, not a vanishing). */
int sampler_ct_open(struct sampler *s, const char *path, struct sampler_ct **ret);
void sampler_ct_close(struct sampler_ct *ct);

/* Fills every field of ret: the per-tick figures read now, the settings
 * read now on a full read (see "Cadence" above) or carried from the last
 * one. Returns 0, or -ENODEV when the cgroup went away (normal: drop the
 * container). A file that cannot be parsed leaves its fields CG_UNKNOWN
 * (until the next full read, for a setting) and is logged at debug level. */
int sampler_ct_read(struct sampler_ct *ct, struct cg_sample *ret);

/* Makes the container's next read a full one, without moving its phase:
 * call it after writing one of its knobs, or when the kernel notifies a
 * change. */
void sampler_ct_refresh(struct sampler_ct *ct);

/* 1 when the container's last successful read was a full one, else 0: a
 * caller that keeps settings of its own (the governor's owned knobs, I/O
 * limits the sample does not carry) can re-read them on the same cadence. */
int sampler_ct_last_full(const struct sampler_ct *ct);

/* Reads the memory.stat breakdown (the costly file, read less often).
 * Same return as sampler_ct_read; a cgroup without memory.stat (v2 with
 * the memory controller off) gives CG_UNKNOWN fields, not -ENODEV. */
int sampler_ct_read_memstat(struct sampler_ct *ct, struct cg_memstat *ret);

/* The files the container's next read reads (full: those of a full read,
 * whatever is due), for benchmarks and docs: fills up to max entries of
 * ret_ctrl/ret_name (static strings) and returns how many there are. The
 * skips that depend on figures (no swap, no v1 quota) follow the last read:
 * list after one. */
size_t sampler_ct_file_list(const struct sampler_ct *ct, int full, enum cg_ctrl *ret_ctrl,
    const char **ret_name, size_t max);

/* Reads the node's /proc figures, and notes for the containers' reads
 * whether the node has swap at all. Returns 0 or -errno when /proc/meminfo
 * or /proc/stat cannot be read; PSI and loadavg are optional. */
int sampler_read_node(struct sampler *s, struct cg_node *ret);

#endif
