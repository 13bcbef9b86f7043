/* nodewatch.h: the node's pressure, polled between ticks.
 *
 * A rule such as `io.write > 100M/s and node.pressure.io > 20%` is decided
 * on the sampling tick (1 s by default), so a write flood beside a reader
 * that waits on the disk would be capped a second or two after it began,
 * and those seconds make the reader's tail latency. The kernel's own
 * answer, a PSI trigger on /proc/pressure/X, is not to be had everywhere:
 * a system-wide trigger needs CAP_SYS_RESOURCE for windows that are not a
 * multiple of 2 s, some kernels refuse a trigger on /proc/pressure/io
 * (EINVAL), and a trigger costs a kernel thread. A poll works wherever the
 * file can be read, and costs little.
 *
 * What it reads: /proc/pressure/cpu|memory|io of the layout's proc
 * directory (cgfs_open_proc; "some ... total=N", microseconds stalled),
 * only the resources given a threshold by nodewatch_set(). It writes
 * nothing.
 *
 * How often: every NODEWATCH_PERIOD_MS on one libevent timer, only while
 * a resource is watched (no timer, no descriptor otherwise). Each reading
 * goes into a small ring per resource; the "some" share of the last
 * NODEWATCH_WINDOW_MS (or of the span the ring holds, when at least
 * NODEWATCH_MIN_SPAN_MS) is compared with the threshold, and above it the
 * callback is called with that share, at every poll while it stays above:
 * the caller decides how often it acts on it (governing.c: on the onset
 * of a storm, nodewatch_onset, at once after a tick, then after doubling
 * gaps from 200 ms).
 *
 * Cost: one pread(2) of a small seq_file per watched resource per period,
 * on a descriptor opened once: 10 to 30 reads a second, a few microseconds
 * each.
 *
 * Errors: a resource whose file cannot be opened or read when it is first
 * watched (a kernel without PSI, or booted with psi=0: -ENOENT; a file
 * that does not parse: -EINVAL) is not watched, said once at info level;
 * governing goes on at the tick. A read that fails later is
 * skipped (said at debug level) and leaves the ring as it was.
 *
 * Threading: none; everything runs in the libevent loop of `base`.
 */
#ifndef CGOV_NODEWATCH_H
#define CGOV_NODEWATCH_H

#include <stdint.h>

#include "cgfs.h"

struct event_base;

#define NODEWATCH_PERIOD_MS    100
#define NODEWATCH_WINDOW_MS    500
#define NODEWATCH_MIN_SPAN_MS  200
/* Readings kept per resource: the window and some slack for a late timer. */
#define NODEWATCH_RING         8

/* In the order of PM_NODE_PRESSURE_CPU, _MEMORY, _IO (policy.h). */
enum nodewatch_res { NODEWATCH_CPU, NODEWATCH_MEMORY, NODEWATCH_IO, NODEWATCH__MAX };

/* "cpu", "memory", "io": the file's name under /proc/pressure. */
const char *nodewatch_res_name(enum nodewatch_res res);

/* --- the share computation, apart from any I/O (unit-tested) ---------- */

struct nodewatch_ring {
	int64_t t_ms[NODEWATCH_RING];   /* monotonic ms of each reading */
	uint64_t us[NODEWATCH_RING];    /* its "some" total, microseconds */
	unsigned head;                  /* where the next reading goes */
	unsigned n;                     /* readings held, <= NODEWATCH_RING */
};

void nodewatch_ring_reset(struct nodewatch_ring *r);

/* Adds a reading taken at t_ms. A counter below the newest reading's (a
 * kernel quirk, or a snapshot swapped under a test) or a clock that did
 * not move forward starts the ring afresh from this reading: a share is
 * never computed across it. */
void nodewatch_ring_push(struct nodewatch_ring *r, int64_t t_ms, uint64_t total_us);

/* The share of wall time (percent, 0..100) some task stalled between the
 * newest reading and the oldest one at most NODEWATCH_WINDOW_MS (plus half
 * a period of timer slack) before it. NAN when that span is shorter than
 * NODEWATCH_MIN_SPAN_MS (too few readings yet, or a ring just restarted). */
double nodewatch_ring_share(const struct nodewatch_ring *r);

/* Points (percent of wall time) by which a share must rise above the
 * last tick's to be a new storm on a node that was already over the
 * threshold at that tick. */
#define NODEWATCH_RISE         10.0

/* Whether a share pct over threshold thr is the onset of a storm, worth a
 * decision between ticks: the last tick's share tick_pct (NAN: unknown)
 * was at or under thr, or pct is NODEWATCH_RISE points above it. A node
 * that stays contended (CPU "some" over 20% is common on a busy node) is
 * left to the ticks: its containers are not sampled up to four times a
 * tick for as long as it lasts, while a new hog that makes it worse still
 * wakes them. */
int nodewatch_onset(double tick_pct, double thr, double pct);

/* --- the poller ------------------------------------------------------- */

struct nodewatch;

/* Called from the loop when resource res's share (percent) is above its
 * threshold; mono_ms: when the reading was taken (monotonic). */
typedef void (*nodewatch_fn)(void *arg, enum nodewatch_res res, double pct, int64_t mono_ms);

/* A poller for fs's proc directory (borrowed; must outlive the poller) in
 * loop base, calling fn(arg, ...). Watches nothing until nodewatch_set.
 * Returns 0 and *ret, or -ENOMEM when libevent cannot make the timer. */
int nodewatch_new(struct event_base *base, const struct cgfs *fs, nodewatch_fn fn, void *arg,
    struct nodewatch **ret);
/* Stops the timer, closes the descriptors, frees. NULL: no-op. */
void nodewatch_free(struct nodewatch *w);

/* Watches resource i when thr[i] is a number (percent; NAN: not
 * watched): opens what is newly watched (a failure is logged once, see
 * above), closes what no longer is, and runs the timer only while
 * something is watched. Safe to call on every reload. Returns how many
 * resources are watched now. */
int nodewatch_set(struct nodewatch *w, const double thr[NODEWATCH__MAX]);

#endif
