/* hook.h: the on-action hook, a program cgovd runs on what it does.
 *
 * cgov.conf `on-action = /path/to/program [args]` names a program run on
 * each apply, reassert, restore and kill cgovd carries out, and on each
 * OOM and OOM kill the kernel reports (the journal's kinds, journal.h),
 * with what happened in its environment (CGOV_EVENT, CGOV_CONTAINER, ...;
 * cgovd(8) lists them), as earlyoom's -N and systemd-oomd's kill
 * notifications are used: to page someone, to tell an orchestrator.
 *
 * The loop never waits on a hook. No shell: the setting is split into an
 * argument vector here (hook_split) and run with posix_spawn, in its own
 * process group, stdin/stdout/stderr on /dev/null, no descriptor of cgovd
 * inherited, signals at their defaults. Bounds, so that a slow or hung
 * hook and a storm of events cost cgovd nothing:
 *   - at most HOOK_MAX_RUNNING run at once; events past that wait in a
 *     queue of HOOK_MAX_QUEUED, in order, and past that are dropped;
 *   - at most HOOK_MAX_PER_MIN start per minute, the rest are dropped;
 *   - a hook still running after the timeout (on-action-timeout, 10 s)
 *     gets SIGKILL, its whole process group with it.
 * Drops are counted and logged at most once a minute. Children are reaped
 * from a libevent SIGCHLD handler, by their pids only.
 *
 * Container names and cgroup paths in the environment are the tenants'
 * (hostile): passed as they are, never through a shell; the hook must
 * treat them as data.
 */
#ifndef CGOV_HOOK_H
#define CGOV_HOOK_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#define HOOK_MAX_RUNNING        4
#define HOOK_MAX_QUEUED         64
#define HOOK_MAX_PER_MIN        60
#define HOOK_MAX_ARGS           64

struct event_base;
struct hook;

/* What happened, for the environment. Strings may be NULL (unset, or
 * empty for the container's); values in the knob's unit, POL_MAX "max",
 * negative unknown (""). */
struct hook_event {
	const char *event;               /* "apply", "restore", "kill", "oom", ... */
	const char *container, *cgroup, *runtime;
	const char *policy, *rule;
	int knob;                        /* enum pol_knob, -1 none */
	dev_t dev;                       /* io knobs; 0 none */
	int64_t old_value, new_value;
	const char *why;
	int dry_run;
	int64_t ts_ms;                   /* wall clock, ms since the epoch */
};

/* Splits cmd into *ret_argv (NULL-terminated, owned: hook_argv_free):
 * words separated by blanks; '...' quotes literally, "..." quotes with \"
 * and \\ as escapes, a backslash outside quotes takes the next character
 * as it is. The first word must be an absolute path. Returns 0, or
 * -EINVAL with the reason in err (unbalanced quote, empty, relative
 * program, more than HOOK_MAX_ARGS words). */
int hook_split(const char *cmd, char ***ret_argv, char *err, size_t errlen);
void hook_argv_free(char **argv);

/* A hook runner on loop base (borrowed; a SIGCHLD event is added to it).
 * It runs nothing until hook_configure gives it a command. */
struct hook *hook_new(struct event_base *base);
/* Kills (SIGKILL to the process group) and reaps the hooks still running,
 * drops the queue, and frees. NULL is fine. */
void hook_free(struct hook *h);

/* Sets the command (cmd NULL: none, events are ignored) and the timeout.
 * Running hooks keep theirs. Returns 0 or -EINVAL (logged). */
int hook_configure(struct hook *h, const char *cmd, uint64_t timeout_ms);

/* Runs the command on event e now, or queues it (see above); never
 * blocks. NULL h, or no command: nothing. */
void hook_fire(struct hook *h, const struct hook_event *e);

/* Counters, for tests and status: started, dropped, killed on timeout,
 * running now. */
struct hook_stats {
	uint64_t started, dropped, timed_out;
	size_t running, queued;
};
void hook_stats(const struct hook *h, struct hook_stats *ret);

#endif
