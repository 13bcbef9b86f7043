/* priv.h: least privilege for cgovd once it has started.
 *
 * cgovd runs as root among hostile tenants. Everything that needs more than
 * the few capabilities below happens before the event loop starts: the
 * configuration and policies are read, the database, lock and pidfile are
 * opened, the /metrics port is bound (a port below 1024 needs
 * CAP_NET_BIND_SERVICE), the descriptor limit is raised, the kernel
 * notifications are registered. Then priv_drop() keeps, of all of root's
 * capabilities, only (cgovd(8) says the same):
 *
 *   CAP_DAC_OVERRIDE  write the limits of a container whose cgroup files
 *                     belong to the tenant (a delegated subtree: rootless
 *                     Podman on cgroup v2, a chowned LXC cgroup) and the
 *                     /proc/PID/oom_score_adj of another user's task; read
 *                     a policy or database file its owner keeps 0600.
 *   CAP_KILL          the kill rung: SIGKILL to tenants' tasks, which run
 *                     under other uids.
 *   CAP_SYS_PTRACE    read /proc/PID/exe of another user's task (and of a
 *                     root task holding capabilities cgovd dropped): the
 *                     JVM detection trusts the executable, not the comm a
 *                     tenant can rename (knob_procs).
 *   CAP_SYS_RESOURCE  lower a task's oom_score_adj below the value its
 *                     owner set (the kernel's oom_score_adj_min).
 *
 * uid 0 stays: cgroupfs files belong to root and are written as their
 * owner; setuid/setgid are not needed and are dropped. The bounding set is
 * cut to the same capabilities, and no_new_privs is set, so no program
 * cgovd starts (the on-action hook, hook.h) can get more: a hook runs as
 * root with these four capabilities at most, and a setuid program (sudo,
 * su) in it does not gain its owner's rights.
 *
 * Hazard: a capability the daemon was started without (a container's
 * bounding set, systemd's CapabilityBoundingSet=) cannot be kept; it is
 * left out, not an error, and the line logged at start says which.
 */
#ifndef CGOV_PRIV_H
#define CGOV_PRIV_H

#include <stdint.h>

/* The capabilities priv_drop() keeps, as a CapEff-style bit mask
 * (1 << CAP_x), for the log and the tests. */
uint64_t priv_kept_mask(void);

/* Sets no_new_privs, then reduces the effective, permitted and inheritable
 * sets (the ambient set with them) to the capabilities above that the
 * process holds, and the bounding set to the same when CAP_SETPCAP is held
 * (without it, no_new_privs alone keeps exec from regaining any). Call
 * once, after start-up and before the first container is governed; logs
 * what it kept. Returns 0, or -errno (EPERM: the kernel refused a change;
 * the process may then hold more than the documented set and must not go
 * on; EBUSY: the process has a second thread, which would keep all of
 * root's capabilities, since capset(2) changes the calling thread only). */
int priv_drop(void);

#endif
