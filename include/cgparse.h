/* cgparse.h: pure parsers of the cgroupfs and /proc formats cgov reads.
 *
 * Every parser takes a NUL-terminated buffer holding a file's content as the
 * kernel produced it (the sampler reads, these only parse), so they can be
 * tested on real snapshots and fuzzed. Contracts shared by all of them:
 *
 *   - Return 0 on success, -EINVAL when the text is malformed. A malformed
 *     file never leaves half-written garbage: fields that could not be read
 *     are CG_UNKNOWN.
 *   - A key that is absent leaves its field CG_UNKNOWN (kernels add and drop
 *     keys between versions; absence is not an error).
 *   - "max" (v2), the v1 "unlimited" sentinels (memory limits at or above
 *     CG_V1_UNLIMITED_MIN, a cfs quota of -1) become CG_UNLIMITED.
 *   - Values that overflow uint64 are -EINVAL for single-value files and
 *     make just that key CG_UNKNOWN in keyed files.
 */
#ifndef CGOV_CGPARSE_H
#define CGOV_CGPARSE_H

#include <stddef.h>
#include <stdint.h>

#define CG_UNKNOWN   UINT64_MAX          /* not available: NULL in the store */
#define CG_UNLIMITED (UINT64_MAX - 1)    /* "max": no limit */
/* v1 reports "no memory limit" as PAGE_COUNTER_MAX * PAGE_SIZE, which is
 * 0x7FFFFFFFFFFFF000 on x86-64 and differs with page size; anything this big
 * is no limit at all. */
#define CG_V1_UNLIMITED_MIN 0x7FFFFFFFFF000000ULL

/* A file holding one unsigned integer or "max" (memory.current, pids.max,
 * memory.limit_in_bytes, cpu.shares, cpu.weight, ...). Trailing newline
 * allowed, nothing else. */
int cgparse_u64(const char *buf, uint64_t *ret);

/* A file holding one signed integer where -1 means unlimited
 * (cpu.cfs_quota_us). Other negatives are -EINVAL. */
int cgparse_quota_us(const char *buf, uint64_t *ret);

/* v2 cpu.max: "QUOTA PERIOD" or "max PERIOD" (microseconds). */
int cgparse_cpu_max(const char *buf, uint64_t *ret_quota_us, uint64_t *ret_period_us);

/* Flat keyed files, "key value" per line (memory.stat, cpu.stat,
 * memory.events, memory.oom_control, pids.events, cpuacct.stat):
 * for each i, ret[i] = value of keys[i] or CG_UNKNOWN. Lines that do not
 * parse are skipped (the remaining keys are still read). Returns the number
 * of keys found, or -EINVAL when no line at all has the "key value" form. */
int cgparse_keyed(const char *buf, const char *const *keys, size_t nkeys, uint64_t *ret);

/* Block I/O totals summed over all devices. */
struct cg_io {
	uint64_t rbytes, wbytes;  /* bytes read / written */
	uint64_t rios, wios;      /* read / write operations */
};

/* v2 io.stat: "MAJ:MIN rbytes=N wbytes=N rios=N wios=N dbytes=N dios=N"
 * lines; unknown keys ignored; an empty file is all zeros. */
int cgparse_io_stat(const char *buf, struct cg_io *ret);

/* v1 blkio.throttle.io_service_bytes (or io_serviced): "MAJ:MIN Read N",
 * "... Write N", ... and "Total N" lines. Sums Read and Write over devices
 * into *ret_read and *ret_write; "Total" lines are ignored. An empty file or
 * "Total 0" alone gives zeros. */
int cgparse_blkio(const char *buf, uint64_t *ret_read, uint64_t *ret_write);

/* Pressure stall information (/proc/pressure/X, X.pressure). */
struct cg_psi_line {
	uint32_t avg10, avg60, avg300;    /* hundredths of a percent: 1.23% -> 123 */
	uint64_t total_us;                /* cumulative stall time */
};
struct cg_psi {
	struct cg_psi_line some;
	struct cg_psi_line full;          /* full.total_us CG_UNKNOWN if absent (cpu on old kernels) */
};
int cgparse_psi(const char *buf, struct cg_psi *ret);

/* /proc/meminfo, in bytes (the file says kB). */
struct cg_meminfo {
	uint64_t mem_total, mem_available, swap_total, swap_free;
};
int cgparse_meminfo(const char *buf, struct cg_meminfo *ret);

/* /proc/stat: the aggregate "cpu" line in USER_HZ ticks, and the number of
 * "cpuN" lines. busy = user+nice+system+irq+softirq+steal; total = busy +
 * idle + iowait (guest time is already inside user). */
struct cg_cpustat {
	uint64_t busy, total;
	uint32_t ncpu;
};
int cgparse_proc_stat(const char *buf, struct cg_cpustat *ret);

/* /proc/loadavg: the three load averages, times 100 (0.57 -> 57). */
int cgparse_loadavg(const char *buf, uint32_t *ret_load1, uint32_t *ret_load5, uint32_t *ret_load15);

/* /proc/PID/schedstat (or /proc/PID/task/TID/schedstat): "RUN_NS WAIT_NS
 * TIMESLICES", one task's time on a CPU, time runnable on a run queue but
 * not running, and its count of timeslices, since the task began. Sets
 * *ret_wait_ns, the second field (CG_UNKNOWN on error). */
int cgparse_schedstat(const char *buf, uint64_t *ret_wait_ns);

/* One line of /proc/PID/cgroup ("ID:CONTROLLERS:PATH"). Finds the path of
 * `controller` (v1 name such as "memory"), or of the v2 unified entry
 * ("0::PATH") when controller is "" or NULL. Copies it into ret (size len).
 * Returns 0, -ENOENT when absent, -EINVAL when malformed, -ENAMETOOLONG. */
int cgparse_proc_cgroup(const char *buf, const char *controller, char *ret, size_t len);

#endif
