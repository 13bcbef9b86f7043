/* audit.h: the hardening checklist of `cgov audit`, per container and for
 * the node, read from the live cgroupfs and /proc.
 *
 * Each finding has a check (a stable name), a severity and a detail in
 * words. The checks and their severities (cgov(1), `audit`):
 *
 *   check                 severity  what
 *   devices-unrestricted  high      v1: devices.list of the container (or,
 *                                   when the container has no devices
 *                                   cgroup, of its first task's) holds
 *                                   "a *:* rwm"; v2: no BPF_CGROUP_DEVICE
 *                                   program is in effect for it
 *   devices-unknown       info      neither could be read
 *   no-memory-limit       medium    memory limit "max"
 *   jvm-zero-swap         high      a task runs java (comm or exe basename)
 *                                   and the swap allowed beyond the limit is
 *                                   0 (v1 memsw == limit, v2 swap.max 0)
 *   cpu-shares-default    medium    a policy that matches the container sets
 *                                   `cpu shares` above the default 1024 (the
 *                                   tenant is critical to someone) and the
 *                                   live value is still the default
 *   no-pids-limit         medium    pids.max "max"
 *   no-io-limit           low       the container did I/O on a disk that
 *                                   another audited container also used,
 *                                   and has no throttle on that disk
 *   dangerous-caps        critical  a task holds one of cap_sys_module,
 *                                   cap_sys_rawio, cap_sys_admin,
 *                                   cap_sys_time, cap_sys_boot,
 *                                   cap_mac_admin, cap_net_admin in CapEff,
 *                                   in a user namespace that maps its uid 0
 *                                   to the host's uid 0 (caps of another
 *                                   user namespace act on that namespace's
 *                                   resources only)
 *   root-is-host-root     high      a task's uid_map maps uid 0 to host uid 0
 *                                   (no user namespace, or one that keeps
 *                                   root)
 *   proc-sys-writable     medium    /proc or /sys is mounted read-write in a
 *                                   task's mount namespace
 *   io-scheduler          node: low for "none"/"noop" on a rotational disk,
 *                                   info otherwise
 *   host-no-swap          node: medium when a JVM runs and the host has
 *                                   no swap
 *
 * The tasks of a container are those of its whole subtree (cgroup.procs
 * of every cgroup below it in the hierarchy discovery walks), at most
 * opts.max_tasks of them and AUDIT_MAX_DIRS directories: a tenant that
 * forks 100k tasks costs the audit a bounded amount. Tasks and cgroups
 * that vanish during the audit are skipped. Findings with task details
 * name one example task (its comm: tenant-controlled).
 */
#ifndef CGOV_AUDIT_H
#define CGOV_AUDIT_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "cgfs.h"
#include "output.h"
#include "policy.h"

#define AUDIT_MAX_TASKS 4096
#define AUDIT_MAX_DIRS  1024

enum audit_sev { AS_INFO, AS_LOW, AS_MEDIUM, AS_HIGH, AS_CRITICAL, AS__MAX };

/* "info", "low", "medium", "high", "critical": stable (JSON, CSV). */
const char *audit_sev_name(enum audit_sev s);

struct out;
struct audit_finding;

/* The columns of a finding (`cgov audit`'s table, CSV and JSON keys, and the
 * report's "top" findings): severity, check, scope, name, runtime, path,
 * detail; and one finding written as a row of them. */
extern const struct out_col audit_cols[];
extern const size_t audit_ncols;
void audit_finding_row(struct out *o, const struct audit_finding *f);
/* Parses one of those names. Returns 0 or -EINVAL. */
int audit_sev_parse(const char *s, enum audit_sev *ret);

struct audit_target {
	const char *path;               /* cgroup path; hostile */
	const char *name;               /* hostile; NULL: last component */
	const char *runtime;            /* NULL: "cgroup" */
};

struct audit_finding {
	enum audit_sev sev;
	const char *check;              /* static: "no-memory-limit" */
	char *path, *name, *runtime;    /* NULL for a node finding; hostile */
	char *detail;                   /* may hold a comm or a device name: hostile */
};

struct audit_result {
	struct audit_finding *v;        /* most severe first, then by path and check */
	size_t n;
	size_t ncontainers;             /* containers audited (those gone
	                                   meanwhile not counted) */
	size_t count[AS__MAX];          /* findings per severity */
};

struct audit_opts {
	const struct policy_set *ps;    /* for cpu-shares-default; NULL: skipped */
	size_t max_tasks;               /* per container; 0: AUDIT_MAX_TASKS */
};

/* Audits containers t[0..n) and the node on fs (a live host: the checks
 * read fs->proc_dir and /sys/block). Fills *ret (free with
 * audit_result_free). Returns 0; a container that vanished is skipped,
 * a file that cannot be read skips its check. */
int audit_run(const struct cgfs *fs, const struct audit_target *t, size_t n,
    const struct audit_opts *o, struct audit_result *ret);
void audit_result_free(struct audit_result *r);

/* --- the parsers, pure (tests/unit/test_audit.c) ------------------------- */

/* /proc/PID/uid_map text: does a line map uid 0 to host uid 0? Returns 1
 * (and *ret_full 1 for the whole range "0 0 4294967295", which only the
 * initial user namespace has) or 0 (an empty map, root unmapped or mapped
 * elsewhere). */
int audit_parse_uid_map(const char *text, int *ret_full);
/* /proc/PID/mountinfo text: sets *proc_rw / *sys_rw to 1 when the mount at
 * /proc or /sys has the per-mount option rw (field 6, what `mount -o
 * remount,bind,ro` changes); leaves them alone otherwise. */
void audit_parse_mountinfo(const char *text, int *proc_rw, int *sys_rw);
/* /proc/PID/status text: the CapEff mask. Returns 0, -ENOENT (no CapEff
 * line), -EINVAL (not a hex number). */
int audit_parse_capeff(const char *status, uint64_t *ret);
/* The bits of capeff that are dangerous capabilities (dangerous-caps above). */
uint64_t audit_dangerous_caps(uint64_t capeff);
/* v1 devices.list text: 1 when a line is "a *:* rwm" (every device), else 0. */
int audit_parse_devices_list(const char *text);
/* The disks with I/O in v1 blkio.throttle.io_service_bytes (version 1:
 * "MAJ:MIN Read|Write N" with N > 0) or v2 io.stat (version 2: rbytes or
 * wbytes > 0): up to max distinct device numbers into ret; returns how many. */
size_t audit_parse_io_devs(const char *text, int version, dev_t *ret, size_t max);
/* A queue/scheduler line: the active one ("[mq-deadline] none" ->
 * "mq-deadline"; a line without brackets: its first word). */
void audit_parse_scheduler(const char *text, char *buf, size_t len);

#endif
