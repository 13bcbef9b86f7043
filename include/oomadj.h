/* oomadj.h: the per-task knob oom-score-adj (PK_OOM_ADJ).
 *
 * Unlike the other knobs it is not a cgroup file: it is
 * /proc/PID/oom_score_adj of every task of a container's subtree (the
 * subtree walk of the kill rung, knob_tasks(): at most 4096 cgroups and
 * 65536 tasks). Values are the knob's biased form, adj + POL_OOM_BIAS
 * (0..2000), so that they are never negative in the actuator and journal.
 *
 * Semantics, as the actuator sees them (act.h):
 *  - read: the value shared by the subtree's tasks; when they differ, the
 *    lowest pid's value (the container's oldest task, which the others
 *    usually inherit from) is the knob's value, and oomadj_strays() tells
 *    how many differ from what cgov wrote. That single value is the
 *    original journaled and restored: per-task differences that existed
 *    before cgov took the knob over are not kept (cgov(8), cgov.policy(5)).
 *  - write: every task of the subtree; a task that exits meanwhile (ESRCH,
 *    ENOENT) is normal. Tasks are written in chunks: each task's /proc
 *    directory is opened (pinning the process), the subtree is listed
 *    again, and only a pinned task still in it is written, so a pid reused
 *    outside the container between listing and writing is never written. Tasks forked later inherit the value from their
 *    parent; a task moved in, or one that changed its own value, is put
 *    back by the actuator's re-assert on its next sync while the rule
 *    holds.
 * Tenants may write their own oom_score_adj (raising it needs no
 * privilege; lowering it below its minimum needs CAP_SYS_RESOURCE): while
 * cgov owns the knob it re-asserts its value over theirs.
 */
#ifndef CGOV_OOMADJ_H
#define CGOV_OOMADJ_H

#include <stddef.h>
#include <stdint.h>

#include "cgfs.h"

/* The knob's value for container path (see above). Returns 0, -ENOENT
 * (gone), -ESRCH (no task in the subtree: nothing to read) or -errno. */
int oomadj_read(const struct cgfs *fs, const char *path, int64_t *ret);

/* Writes value (biased) to every task of the subtree. Returns the number of
 * tasks written (0: none left), -EINVAL for a value out of range, -ENOENT
 * (gone) or the -errno of the first write that failed for another reason
 * than the task's exit (the other tasks are still written). */
int oomadj_write(const struct cgfs *fs, const char *path, int64_t value);

/* How many tasks of the subtree have a value other than value (biased):
 * tasks moved in, or whose value their owner changed. Returns the count
 * (one of them in *ret_other, biased, when not NULL) or -errno. */
int oomadj_strays(const struct cgfs *fs, const char *path, int64_t value, int64_t *ret_other);

#endif
