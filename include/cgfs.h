/* cgfs.h: where the cgroup controllers live, and reading their files.
 *
 * A host is cgroup v1 (one hierarchy per controller or group of
 * controllers), v2 (one unified hierarchy) or hybrid (some controllers on
 * v1, others on the unified mount). cgov models all three the same way: each
 * controller it reads has a version and a mount. A container is one cgroup
 * path (as in /proc/PID/cgroup, e.g. "/lxc/web1") that exists under each
 * controller's mount, exactly as LXC and Docker lay them out.
 *
 * The root is injectable: cgfs_open_root() puts every controller at one
 * directory, which is how the real snapshots in tests/fixtures/cgroupfs are
 * laid out, and /proc files can come from that snapshot too.
 */
#ifndef CGOV_CGFS_H
#define CGOV_CGFS_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

enum cg_ctrl {
	CG_MEMORY,
	CG_CPU,
	CG_CPUACCT,     /* v1 only; on v2 CPU usage is in cpu.stat */
	CG_IO,          /* "blkio" on v1, "io" on v2 */
	CG_PIDS,
	CG_FREEZER,
	CG_CTRL_MAX
};

enum cgfs_layout { CGFS_V1 = 1, CGFS_V2 = 2, CGFS_HYBRID = 3 };

struct cgfs_ctrl {
	int version;            /* 0: not available, 1 or 2 */
	char *mount;            /* absolute mount point, NULL when unavailable */
	int rootfd;             /* O_PATH directory fd of the mount, or -1 */
};

struct cgfs {
	struct cgfs_ctrl ctrl[CG_CTRL_MAX];
	enum cgfs_layout layout;
	enum cg_ctrl walk;      /* the hierarchy discovery walks */
	char *proc_dir;         /* "/proc", or a snapshot directory */
	int proc_flat;          /* snapshot naming: "pressure/cpu" -> "proc-pressure-cpu" */
};

/* Finds the live host's controllers. Mount points come from libcgroup
 * (cgroup_init + its controller iterator), which already parses the mount
 * table for every layout; the version of each mount comes from statfs(2)
 * (CGROUP2_SUPER_MAGIC), which libcgroup 2.0 does not export in its headers.
 * Returns 0, or -ENOENT when no usable controller is mounted, -EIO when
 * libcgroup cannot read the mount table. */
int cgfs_open_host(struct cgfs **ret);

/* A layout with every controller at `root` with `version` (1 or 2) and /proc
 * files read from proc_dir ("/proc" style when flat is 0, the snapshot's
 * "proc-NAME" style when flat is 1). For tests and benchmarks. */
int cgfs_open_root(const char *root, int version, const char *proc_dir, int flat,
    struct cgfs **ret);

void cgfs_close(struct cgfs *fs);

const char *cgfs_layout_name(enum cgfs_layout layout);
const char *cgfs_ctrl_name(const struct cgfs *fs, enum cg_ctrl c);

/* Opens the directory of cgroup `path` (absolute, "/" = the root) in
 * controller c's hierarchy: O_PATH|O_DIRECTORY|O_CLOEXEC. "..", "." and
 * empty components are refused (-EINVAL): a cgroup name never walks out of
 * its hierarchy. Returns the fd, or -errno (-ENOENT: no such cgroup,
 * -ENXIO: controller not available). */
int cgfs_open_dir(const struct cgfs *fs, enum cg_ctrl c, const char *path);

/* Reads file `name` relative to dirfd into buf (NUL-terminated, at most
 * len - 1 bytes; a longer file is truncated and -EFBIG returned). Returns
 * the byte count or -errno; -ENOENT/-ENODEV mean the cgroup went away. */
ssize_t cgfs_read_at(int dirfd, const char *name, char *buf, size_t len);

/* Reads file `file` of cgroup `path` in controller c's hierarchy as one
 * number (cgparse_u64: "max" and the v1 sentinels are CG_UNLIMITED), for
 * an occasional read (it opens and closes the directory). Returns 0 and
 * *ret, -errno of cgfs_open_dir/cgfs_read_at (-ENOENT/-ENODEV: gone;
 * -EFBIG: far longer than a number), or -EINVAL when the file holds no
 * such number. */
int cgfs_read_u64(const struct cgfs *fs, enum cg_ctrl c, const char *path, const char *file,
    uint64_t *ret);

/* Reads a cached descriptor from offset 0, the sampling hot path: one
 * pread(2) per file per tick, no open/close. Same return as cgfs_read_at. */
ssize_t cgfs_pread(int fd, char *buf, size_t len);

/* Reads a /proc file ("meminfo", "pressure/cpu", ...) of the layout's proc
 * directory. Same return as cgfs_read_at. */
ssize_t cgfs_read_proc(const struct cgfs *fs, const char *name, char *buf, size_t len);
/* Opens that /proc file read-only (O_CLOEXEC), for a reader that comes
 * back often (cgfs_pread). Returns the descriptor (the caller closes it)
 * or -errno; -ENOENT: the kernel has no such file (e.g. no PSI). */
int cgfs_open_proc(const struct cgfs *fs, const char *name);

/* Writes value to knob `file` of cgroup `path` in controller c's hierarchy,
 * through libcgroup (cgroup_modify_cgroup), the one write path of cgov.
 * On v2, the core files "cgroup.*" (cgroup.freeze, cgroup.kill: no
 * controller's) go through libcgroup's "cgroup" pseudo-controller; pass
 * CG_FREEZER, whose v2 mount is the unified one.
 * Callers are responsible for the safety rules: only governed containers,
 * never a root or an ancestor. Refuses path "/" and non-canonical paths
 * (-EINVAL). Returns 0, -ENXIO (controller or file not available),
 * -ENOENT (gone), the errno of the kernel's refusal of the value (-EINVAL,
 * -EBUSY, ...), or -EIO; the reason is logged at debug level. Live hosts
 * only. */
int cgfs_write(const struct cgfs *fs, enum cg_ctrl c, const char *path, const char *file,
    const char *value);

/* True (1) for errors that mean "the cgroup vanished": normal, not an error. */
int cgfs_gone(int err);

#endif
