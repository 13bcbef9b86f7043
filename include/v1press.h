/* v1press.h: pressure.cpu, pressure.memory and pressure.io on cgroup v1.
 *
 * cgroup v1 has no per-cgroup PSI (the kernel keeps pressure node-wide
 * only, /proc/pressure/). The sampler derives the closest equivalents and
 * hands them on as the PSI totals of struct cg_sample: cumulative
 * microseconds of "stall", which only ever grow and which never advance
 * faster than wall time, so that every consumer of PSI totals (the
 * metrics' % of wall time, the stored history, its rollups) takes them
 * unchanged. What one microsecond means differs per resource:
 *
 *   - cpu: the run-queue wait of the container's tasks. /proc/TID/schedstat
 *     keeps, per thread, the nanoseconds it was runnable but not running;
 *     the sum of their increase over the tasks of the container's subtree
 *     (v1 `tasks`, at most V1PRESS_CGROUPS cgroups and V1PRESS_TASKS
 *     threads, the lowest ids: past that a lower bound), capped at the
 *     wall time between two reads. The kernel adds a thread's wait when
 *     the wait ends, so a thread starved for seconds adds them all at
 *     once: what is over the cap is carried into the next intervals, at
 *     most V1PRESS_CARRY_MS of it (the reading lags, the sum is kept;
 *     many threads waiting at once read 100% that much longer). Two waiting
 *     tasks count twice (capped): closer to PSI's "full" than to "some"
 *     for a one-task tenant, larger than "some" for many tasks.
 *   - memory: the larger of two signals, each as a % of the interval: the
 *     last v1 memory.pressure_level notification (low, medium, critical:
 *     10, 40, 90 %), decaying linearly to 0 over V1PRESS_LEVEL_DECAY_MS;
 *     and refaults (memory.stat total_workingset_refault_*, or
 *     total_pgmajfault on kernels without them), each counted as
 *     V1PRESS_FAULT_US of stall, capped at the interval.
 *   - io: the time the subtree's requests waited in the I/O scheduler's
 *     queues, blkio.io_wait_time_recursive (CFQ) or
 *     blkio.bfq.io_wait_time_recursive (BFQ with its cgroup debug stats),
 *     capped at the interval. Where neither file exists (mq-deadline,
 *     kyber, none: most kernels now) it is unknown, never 0.
 *
 * Hazards of the cpu walk, handled here: tasks come and go between two
 * reads. Only a thread present in both reads counts (the walk keeps the
 * previous read's waits, sorted by thread id), so a new thread never adds
 * its whole lifetime's wait and a thread that exited never subtracts. The
 * cost: a thread born and gone between two reads is not seen, and one
 * born during an interval counts from its first read on (a fork-heavy
 * tenant of short tasks reads low). A thread id reused by a new thread
 * within one interval is taken for the old one; a wait that went
 * backwards (that reuse, nearly always) counts 0.
 */
#ifndef CGOV_V1PRESS_H
#define CGOV_V1PRESS_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "cgfs.h"

#define V1PRESS_CGROUPS 64                /* cgroups walked below a container */
#define V1PRESS_TASKS 1024                /* threads read per container */
#define V1PRESS_LEVEL_DECAY_MS 10000      /* a notification fades out in 10 s */
#define V1PRESS_FAULT_US 100              /* one refault "stalls" 0.1 ms */
#define V1PRESS_CARRY_MS 2000             /* cpu wait over 100% counted later */

/* One thread's cumulative run-queue wait. */
struct v1press_task {
	pid_t tid;
	uint64_t wait_ns;
};

/* The increase of run-queue wait from prev to cur (both sorted by tid):
 * the sum over the threads present in both of cur - prev, a thread whose
 * wait went backwards counting 0. Nanoseconds. */
uint64_t v1press_wait_delta(const struct v1press_task *prev, size_t nprev,
    const struct v1press_task *cur, size_t ncur);

/* A memory.pressure_level notification of level_pct (10, 40, 90) at
 * since_ms, as a % at now_ms: decays linearly to 0 over
 * V1PRESS_LEVEL_DECAY_MS. 0 when level_pct is 0. */
double v1press_level_at(int level_pct, int64_t since_ms, int64_t now_ms);

/* The stall microseconds of an interval of elapsed_us in which the level
 * was level_pct and `faults` refaults happened: the larger of
 * level_pct % of the interval and faults * V1PRESS_FAULT_US, at most
 * elapsed_us. */
uint64_t v1press_mem_stall_us(double level_pct, uint64_t faults, uint64_t elapsed_us);

struct v1press;

/* Derives the pressures of the container at cgroup path. With events set,
 * registers three eventfds for its memory.pressure_level (low, medium,
 * critical, in hierarchy mode: the subtree's reclaim counts); without, or
 * where that fails, memory pressure comes from refaults alone. Borrows fs.
 * Never fails: what cannot be read is unknown. */
struct v1press *v1press_open(const struct cgfs *fs, const char *path, int events);
void v1press_close(struct v1press *p);

/* The descriptors p holds (its eventfds, 0 or 3). */
size_t v1press_fds(const struct v1press *p);

/* Reads the files at monotonic time now_ms, and sets the cumulative stall
 * microseconds of cpu, memory and io (CG_UNKNOWN where a source is
 * missing or could not be read this time; see above). The first read of
 * each source sets 0. Reads the walk hierarchy's tasks, /proc/TID/
 * schedstat of the layout's proc directory, memory.stat and the blkio
 * wait files, into the caller's buf of len bytes (the sampler's one
 * buffer: 64 KiB holds memory.stat and the blkio files of hundreds of
 * devices). A vanished cgroup gives unknowns: the caller's own reads tell
 * it is gone. Returns the number of files read.
 *
 * The walk is the costly part (three syscalls a thread: about 60 us a
 * thread on a loaded 2-core VM). With cpu_idle set (the container used
 * no CPU time since the last read) it is skipped and the interval counts
 * no new wait: the kernel adds to a thread's wait only when the thread
 * is scheduled in, so in an interval in which none of the container's
 * threads ran, a walk would read the same waits (a thread starved that
 * long shows its wait when it runs, as it would without the skip). */
uint64_t v1press_read(struct v1press *p, int64_t now_ms, int cpu_idle, char *buf, size_t len,
    uint64_t *ret_cpu_us, uint64_t *ret_mem_us, uint64_t *ret_io_us);

#endif
