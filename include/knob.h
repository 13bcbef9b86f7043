/* knob.h: the knobs cgov sets on a container, on cgroup v1 and v2.
 *
 * One knob (enum pol_knob, plus a device for the io knobs) maps to one or
 * two files per cgroup version:
 *
 *   knob             v1                                   v2
 *   memory limit     memory.limit_in_bytes                memory.max
 *   memory high      memory.soft_limit_in_bytes (*)       memory.high
 *   swap buffer      memory.memsw.limit_in_bytes - limit  memory.swap.max
 *   cpu weight       cpu.shares                           cpu.weight (converted)
 *   cpu quota        cpu.cfs_quota_us / cfs_period_us     cpu.max
 *   io rbps ...      blkio.throttle.read_bps_device ...   io.max (rbps= ...)
 *   pids max         pids.max                             pids.max
 *   freeze           freezer.state                        cgroup.freeze
 *   memory low       (none: not available)                memory.low
 *   memory min       (none: not available)                memory.min
 *   oom-score-adj    /proc/PID/oom_score_adj of each task of the subtree
 *                    (oomadj.h; values biased by POL_OOM_BIAS)
 *
 * (*) v1 has no allocation throttle; the governor pairs the soft limit with
 * a CPU quota (doc/governor.md, "v1 fallback for memory.high").
 *
 * Values are int64 in the knob's unit (policy.h): bytes, v1 shares,
 * millicores, bytes/s, ops/s, tasks, 0/1; POL_MAX is "max"/unlimited. The
 * swap buffer on v1 is derived: memsw - limit, and writing it writes memsw =
 * current limit + buffer. Writing the memory limit on v1 keeps the buffer:
 * memsw and limit are written in the order the kernel accepts (memsw >=
 * limit at every step). Which of the two knobs goes first when both change
 * is the actuator's order (act.c: the limit first when set or raised).
 *
 * Writes go through cgfs_write() (libcgroup). Nothing here decides whether
 * a write is allowed: that is the actuator's job (act.h).
 */
#ifndef CGOV_KNOB_H
#define CGOV_KNOB_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "cgfs.h"
#include "policy.h"

/* Does this host have knob k (controller mounted, file present in the
 * version's interface)? PK_KILL: v2 cgroup.kill or v1 cgroup.procs. */
int knob_available(const struct cgfs *fs, enum pol_knob k);

/* Reads the current value of knob k (device dev for io knobs; 0 otherwise)
 * of container path. An io knob with no line for dev reads POL_MAX.
 * Returns 0, -ENOENT/-ENODEV (gone), -ENXIO (not available on this host),
 * -EIO (unparsable). */
int knob_read(const struct cgfs *fs, const char *path, enum pol_knob k, dev_t dev,
    int64_t *ret);

/* A value in the knob's unit may round the kernel's: a CPU quota in
 * millicores is QUOTA/PERIOD microseconds (301007/100000 reads 3010), so a
 * restore of the millicores would write 301000. The kernel's own value is
 * kept beside it as text, the "exact" form: "QUOTA PERIOD" ("max PERIOD"
 * when unlimited), cpu.max's form, on both versions; "" for every knob whose
 * unit is the kernel's (bytes, shares: v2's weight converts back exactly,
 * tasks, ...). KNOB_EXACT_LEN bytes always hold it. */
#define KNOB_EXACT_LEN 48

/* knob_read, and the kernel's exact form of the value into exact (len
 * bytes, NULL for none; "" where the value is exact), from the same read.
 * Returns as knob_read. */
int knob_read_exact(const struct cgfs *fs, const char *path, enum pol_knob k, dev_t dev,
    int64_t *ret, char *exact, size_t len);

/* Writes back a value read with knob_read_exact (a restore): exact's quota
 * and period as they were (v1 writes cfs_period_us only when it differs,
 * then cfs_quota_us; v2 cpu.max at once). exact NULL or "" is knob_write
 * of value; an exact form that is not value's (a damaged journal) is
 * logged and value is written. Returns 0 or the -errno of cgfs_write(). */
int knob_write_exact(const struct cgfs *fs, const char *path, enum pol_knob k, dev_t dev,
    int64_t value, const char *exact);

/* Writes value to knob k of container path (see the ordering rules above).
 * Returns 0 or the -errno of cgfs_write(); -EINVAL for a value the knob
 * cannot take (PK_KILL is not written with knob_write). */
int knob_write(const struct cgfs *fs, const char *path, enum pol_knob k, dev_t dev,
    int64_t value);

/* Kills every task of container path and of every cgroup below it (a
 * tenant's sub-cgroups included): v2 writes cgroup.kill (kernel 5.14);
 * otherwise the container is frozen where it can be, each task of the
 * subtree's cgroup.procs gets SIGKILL, the freeze is undone for v1 to let
 * the signals act, and the pass repeats until the subtree is empty (at
 * most 10 passes of 4096 cgroups and 65536 tasks each, each waiting up to
 * half a second). A container frozen before is frozen again once empty.
 * Blocks the caller for those waits. Returns the number of tasks killed
 * (on v2 with cgroup.kill, those in the subtree just before) or -errno. */
int knob_kill(const struct cgfs *fs, const char *path);

/* The pids of container path's subtree: its cgroup.procs, then at most
 * `cgroups` cgroups below it depth-first (opened relative to their parent,
 * no links followed), cut at max pids; sorted and deduplicated (*ret
 * malloc'd, may be NULL when *ret_n is 0). The walk of the kill rung.
 * Returns 0 or -errno of the container's own list (-ENOENT: gone). */
int knob_procs_tree(const struct cgfs *fs, const char *path, size_t cgroups, size_t max,
    pid_t **ret, size_t *ret_n);

/* Formats a value for people and the journal: "4G", "max", "1.5 cores",
 * "40M/s", "2048", "frozen". buf is always NUL-terminated. */
void knob_format(enum pol_knob k, int64_t value, char *buf, size_t len);

/* Resolves a device as written in a policy ("/dev/sda", "sda", "8:0") to
 * its MAJ:MIN. Partitions resolve to their whole disk (the kernel throttles
 * whole disks). Returns 0 or -ENOENT (no such block device), -ENOTBLK. */
int knob_dev_resolve(const char *spec, dev_t *ret);

/* Every block device an io action without a device applies to: the whole
 * disks of /sys/block except loop*, ram* and zram* devices. Fills up to max
 * entries, returns how many there are. */
size_t knob_dev_all(dev_t *ret, size_t max);

/* The process names of a container's tasks: for at most max_tasks pids of
 * its whole subtree (its cgroup.procs, then at most 64 cgroups below it,
 * depth-first, in the hierarchy fs->walk), the base name of each task's
 * executable, or its comm where the exe link cannot be read (a comm alone
 * is forgeable: a task renamed "java" is not a JVM), deduplicated. Names
 * are tenant-controlled. *ret is an array of malloc'd strings (free with
 * knob_procs_free). Returns 0 or -errno (-ENOENT: gone). */
int knob_procs(const struct cgfs *fs, const char *path, size_t max_tasks, char ***ret,
    size_t *ret_n);
void knob_procs_free(char **v, size_t n);

/* The thread ids of a container's subtree (v1 tasks, v2 cgroup.threads):
 * its own, then at most `cgroups` cgroups below it, depth-first, in the
 * hierarchy fs->walk, cut at max ids, sorted and deduplicated. *ret is
 * malloc'd (NULL when empty). Returns 0 or -errno of the container's own
 * list (-ENOENT: gone). */
int knob_tasks(const struct cgfs *fs, const char *path, size_t cgroups, size_t max, pid_t **ret,
    size_t *ret_n);

#endif
