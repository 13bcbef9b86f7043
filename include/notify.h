/* notify.h: kernel notifications that wake the governor between ticks.
 *
 * A tick samples every container every interval; a notification says "look
 * at this container now". cgovd arms, per container, what its policies can
 * use, and on each callback samples and evaluates that container at once
 * (a rule's `for D` counts from the callback's time). Ticks stay the safety
 * net: a notification that cannot be armed only costs reaction time.
 *
 *   cgroup v1 (memory controller on v1)
 *     NOTIFY_MEM_LEVEL   memory.usage_in_bytes crossed an armed level, up
 *                        or down: one eventfd per level registered through
 *                        cgroup.event_control.
 *     NOTIFY_OOM         the memory cgroup hit its limit and went OOM:
 *                        memory.oom_control's eventfd.
 *     NOTIFY_OOM_KILL    memory.oom_control's oom_kill counter moved (read
 *                        at the OOM event, and again up to 150 ms later:
 *                        the kernel notifies before it kills).
 *   cgroup v2 (memory controller on v2)
 *     NOTIFY_MEM_HIGH, NOTIFY_MEM_MAX, NOTIFY_OOM, NOTIFY_OOM_KILL
 *                        the counters high, max, oom, oom_kill of
 *                        memory.events moved (inotify IN_MODIFY; one
 *                        callback per counter that moved).
 *     NOTIFY_POPULATED   cgroup.events' populated flag changed (the last
 *                        task left, or the first came).
 *     NOTIFY_PSI_CPU, NOTIFY_PSI_MEM, NOTIFY_PSI_IO
 *                        a PSI trigger written to cpu|memory|io.pressure
 *                        fired ("some" stall above its threshold in its
 *                        window; the kernel fires at most once per window).
 *
 * Descriptors. One epoll descriptor of notify's own holds every eventfd,
 * PSI trigger and the inotify descriptor, and is the one descriptor
 * registered with libevent (EV_READ): a PSI trigger signals POLLPRI, which
 * libevent 2.1 cannot wait for, and its poll consumes the event, so a
 * nested poll (libevent's on this epoll) would swallow which trigger fired.
 * notify registers each trigger EPOLLIN|EPOLLET instead: a PSI file always
 * polls readable, so edge-triggered it reports exactly once per kernel
 * wake-up, which is a firing (or the file's removal). One inotify descriptor
 * watches every v2 *.events file. Per container, at most
 * NOTIFY_CT_MAX_FDS descriptors, opened only when something is armed:
 *   v1: the memory directory (O_PATH) + NOTIFY_MAX_LEVELS level eventfds
 *       + 1 OOM eventfd = 6;
 *   v2: the directory + 3 PSI triggers = 4 (the inotify watches, 2 per
 *       container, count against fs.inotify.max_user_watches, not fds).
 * A PSI trigger armed by a privileged process also costs the kernel a
 * "psimon" thread per cgroup that has one: at most NOTIFY_MAX_PSI triggers
 * are armed in all (-ENOSPC beyond).
 *
 * Errors. Arming returns 0 or -errno and logs nothing: the caller logs a
 * failure once per container and kind (-EOPNOTSUPP: the layout has no such
 * notification, e.g. PSI on v1, levels on v2; -EACCES/-EPERM: no
 * permission; -EINVAL: the kernel refused the request). -ENOENT and
 * -ENODEV mean the cgroup went away, which is normal. A failed arming is
 * remembered: asking again for the same thing returns the same error
 * without a syscall, so callers may re-arm on every rescan. When a cgroup
 * is removed while armed, the kernel signals its v1 eventfds and PSI
 * triggers one last time: notify checks that the cgroup still exists before
 * calling back, and on the contrary closes that container's descriptors
 * (no callback); the owner frees the notify_ct when its own rescan notices.
 * A v2 container armed with inotify watches only hears nothing when it is
 * removed (kernfs sends no IN_IGNORED): its directory descriptor stays
 * until the owner's notify_ct_free, and no callback comes meanwhile.
 *
 * Writes. Arming writes to two kinds of files of the container itself,
 * never to an ancestor: cgroup.event_control (v1) and X.pressure (v2).
 * These writes carry descriptors or create a trigger bound to the open
 * file, so they go through write(2) on notify's own descriptors, not
 * through cgfs_write() (libcgroup opens its own). --dry-run does not
 * change them: they change no limit.
 *
 * Threading: none; everything runs in the libevent loop of `base`.
 */
#ifndef CGOV_NOTIFY_H
#define CGOV_NOTIFY_H

#include <stddef.h>
#include <stdint.h>

#include "policy.h"

struct event_base;
struct cgfs;

enum notify_kind {
	NOTIFY_MEM_LEVEL,
	NOTIFY_OOM,
	NOTIFY_OOM_KILL,
	NOTIFY_MEM_HIGH,
	NOTIFY_MEM_MAX,
	NOTIFY_PSI_CPU,
	NOTIFY_PSI_MEM,
	NOTIFY_PSI_IO,
	NOTIFY_POPULATED,
	NOTIFY__MAX
};

#define NOTIFY_MAX_LEVELS  4          /* v1 memory levels per container */
#define NOTIFY_CT_MAX_FDS  (1 + NOTIFY_MAX_LEVELS + 1)
#define NOTIFY_MAX_PSI     512        /* PSI triggers in all */

/* The kernel's PSI window bounds, and the unprivileged granularity: without
 * CAP_SYS_RESOURCE (kernel 6.5 and later) a window must be a multiple of 2s. */
#define NOTIFY_PSI_WINDOW_MIN_US   500000ULL
#define NOTIFY_PSI_WINDOW_MAX_US 10000000ULL
#define NOTIFY_PSI_UNPRIV_STEP_US 2000000ULL

/* "mem-level", "oom", "oom-kill", "mem-high", "mem-max", "psi-cpu",
 * "psi-memory", "psi-io", "populated". */
const char *notify_kind_name(enum notify_kind k);

/* Called from the event loop once per event. key is notify_ct_new()'s;
 * mono_ms is units_mono_ms() when the event was read. The callback may
 * arm, re-arm or free any notify_ct (its own included), never the notify. */
typedef void (*notify_fn)(void *arg, uint64_t key, enum notify_kind kind, int64_t mono_ms);

struct notify;
struct notify_ct;

/* A notification layer on `base` for the containers of fs (borrowed: it
 * must outlive the notify). Creates the epoll descriptor and registers it
 * with base; the inotify descriptor comes with the first v2 watch.
 * Returns 0 and *ret, or -errno (epoll_create1 or libevent failed). */
int notify_new(struct event_base *base, const struct cgfs *fs, notify_fn fn, void *arg,
    struct notify **ret);

/* Closes everything, every notify_ct included (they must not be used
 * afterwards). NULL is fine. */
void notify_free(struct notify *n);

/* A container, by cgroup path (as cgfs_open_dir takes it). Opens nothing
 * until something is armed; the path is copied. One per cgroup: two on
 * the same cgroup would share (and remove each other's) inotify watches. */
struct notify_ct *notify_ct_new(struct notify *n, uint64_t key, const char *cgroup_path);

/* v1: arms one eventfd per level (bytes of memory.usage_in_bytes; 0s are
 * ignored, duplicates merged, order does not matter): each crossing, up
 * or down, calls back NOTIFY_MEM_LEVEL. Levels already armed stay armed;
 * the set changes only when it differs from the last call's. n = 0
 * disarms. Returns 0, -E2BIG (more than NOTIFY_MAX_LEVELS distinct levels;
 * nothing changes), -EOPNOTSUPP (memory not on v1), or -errno of the
 * arming (levels armed before the failure stay). */
int notify_ct_mem_levels(struct notify_ct *c, const uint64_t *bytes, size_t n);

/* OOM and friends. v1: memory.oom_control's eventfd (NOTIFY_OOM, then
 * NOTIFY_OOM_KILL when its counter moved). v2: inotify on memory.events
 * and cgroup.events (NOTIFY_MEM_HIGH, _MEM_MAX, _OOM, _OOM_KILL,
 * _POPULATED); when memory.events is absent (memory controller not
 * enabled for the cgroup) only cgroup.events is watched and 0 is
 * returned. Idempotent. Returns 0, -EOPNOTSUPP (no memory controller), or
 * -errno (-ENOSPC: inotify watches exhausted). */
int notify_ct_oom(struct notify_ct *c);

/* v2: a PSI trigger on the container's cpu.pressure (kind NOTIFY_PSI_CPU),
 * memory.pressure (NOTIFY_PSI_MEM) or io.pressure (NOTIFY_PSI_IO): fires
 * when tasks stalled ("some") more than stall_us within window_us. The
 * window is clamped to 500ms..10s and the stall to 1us..window (see
 * notify_psi_trigger); when the kernel refuses a window that is not a
 * multiple of 2s (no CAP_SYS_RESOURCE), the request is retried with the
 * window rounded up to one, the stall scaled in proportion. Such an
 * unprivileged trigger is checked by the kernel's 2s averaging work, not
 * by a polling thread: it fires about 2s after the stall begins where a
 * privileged one fires within a tenth of its window (measured on 6.18;
 * cgovd.service keeps CAP_SYS_RESOURCE for this). stall_us 0
 * disarms. Re-arms only when the clamped request changed. Returns 0,
 * -EINVAL (kind not a PSI kind), -EOPNOTSUPP (that controller is not on v2,
 * or the kernel has no PSI: the file is missing or psi=0), -ENOSPC
 * (NOTIFY_MAX_PSI reached), or -errno. */
int notify_ct_psi(struct notify_ct *c, enum notify_kind kind, uint64_t stall_us,
    uint64_t window_us);

/* The PSI trigger in force for kind: 1 with the stall and window written
 * (after clamping, and after the unprivileged fallback: a caller logs when
 * the window grew), 0 when none is armed. */
int notify_ct_psi_armed(const struct notify_ct *c, enum notify_kind kind, uint64_t *ret_stall_us,
    uint64_t *ret_window_us);

/* Disarms everything and frees c (NULL is fine). v1 events are
 * unregistered by the kernel when their eventfd closes. */
void notify_ct_free(struct notify_ct *c);

/* Descriptors held now, the epoll and inotify ones included. */
size_t notify_fds(const struct notify *n);

/* Times the kernel's inotify queue overflowed (events were lost and every
 * watched container was read again), for /metrics. */
uint64_t notify_overflows(const struct notify *n);

/* ---- pure helpers (unit-tested) ------------------------------------- */

/* The line written to cgroup.event_control: "EFD CFD LEVEL" for a memory
 * threshold (cfd: memory.usage_in_bytes), "EFD CFD" for an OOM
 * notification (level 0; cfd: memory.oom_control). Returns its length, or
 * -ENAMETOOLONG when len is too small. */
int notify_event_control_line(char *buf, size_t len, int efd, int cfd, uint64_t level);

/* The PSI trigger for `stall_us` within `window_us`: the window clamped to
 * [NOTIFY_PSI_WINDOW_MIN_US, NOTIFY_PSI_WINDOW_MAX_US] and, when
 * !privileged, rounded up to a multiple of NOTIFY_PSI_UNPRIV_STEP_US (so
 * 2s..10s); the stall scaled by the same factor as the window (a
 * percentage is kept), then clamped to [1, window]. Writes "some STALL
 * WINDOW" to buf and the values used to *ret_stall_us, *ret_window_us
 * (either may be NULL). Returns the length, -EINVAL for a zero stall or
 * window, -ENAMETOOLONG. */
int notify_psi_trigger(char *buf, size_t len, uint64_t stall_us, uint64_t window_us,
    int privileged, uint64_t *ret_stall_us, uint64_t *ret_window_us);

/* The counters notify follows. A field is CG_UNKNOWN (cgparse.h) until
 * read. oom is v2's counter; v1 has none (its eventfd is the event). */
struct notify_counts {
	uint64_t high, max, oom, oom_kill;   /* memory.events; oom_kill also v1 */
	uint64_t populated;                  /* cgroup.events: 0 or 1 */
};

/* All fields CG_UNKNOWN. */
void notify_counts_init(struct notify_counts *c);

/* Parses memory.events, cgroup.events or v1 memory.oom_control and sets
 * the fields that file has (high max oom oom_kill / populated / oom_kill),
 * leaving the others as they are. Returns the number of fields set, or
 * -EINVAL when the text has none (a file caught half-written). */
int notify_parse_events(const char *buf, struct notify_counts *c);

/* Which kinds moved from `old` to `now`: a counter that grew (or a
 * populated flag that changed) and is known in both. Kinds in the order
 * NOTIFY_MEM_HIGH, NOTIFY_MEM_MAX, NOTIFY_OOM, NOTIFY_OOM_KILL,
 * NOTIFY_POPULATED; at most max written. A counter that went down (the
 * cgroup was re-created under the same path) is not a move. Returns the
 * number of kinds that moved. */
size_t notify_counts_moved(const struct notify_counts *old, const struct notify_counts *now,
    enum notify_kind *kinds, size_t max);

/* The levels a condition tree names for metric m (PC_CMP nodes of m under
 * any AND/OR): absolute values as they are, "N% of limit" as N% of `limit`
 * (skipped when limit is not a finite positive number). Appends the
 * values not already in levels[0..*n) while *n < max; returns how many
 * distinct values the tree names beyond what fit (0: all fit). For memory
 * levels: notify_cond_levels(rule->when, PM_MEMORY, limit, ...), then the
 * rule's `until`, then notify_ct_mem_levels(). */
size_t notify_cond_levels(const struct pol_cond *cond, enum pol_metric m, double limit,
    double *levels, size_t *n, size_t max);

#endif
