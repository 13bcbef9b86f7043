/* tenant.h: who a container is: its cgroup identity, not its path.
 *
 * A runtime that destroys a container and creates another at the same path
 * (a restarted LXC container, a Docker container re-created under the same
 * name) makes a new tenant: new limits of its own, new originals to save.
 * cgov must never hand the old tenant's saved values to the new one (a
 * restore would free it of its own quota), so everything that governs keys
 * on the identity read here, and every original journaled carries it.
 *
 * The identity is the inode of the cgroup's directory in the hierarchy
 * discovery walks (kernfs gives every cgroup a 64-bit inode that is not
 * reused while the machine runs) and, on cgroup v2, the cgroup id that
 * name_to_handle_at(2) returns (the id the kernel's own tools print: bpf,
 * `systemd-cgls --xattr`, perf). v1 has no cgroup id: the inode alone.
 *
 * Hazard: cgov writes knobs by path (libcgroup). Between the identity check
 * and the write a tenant could be re-created; tenant_id_check() right before
 * a restore narrows that window to microseconds, it cannot close it.
 */
#ifndef CGOV_TENANT_H
#define CGOV_TENANT_H

#include <stdint.h>

#include "cgfs.h"

struct tenant_id {
	uint64_t ino;           /* the directory's inode; 0 unknown */
	uint64_t cgid;          /* v2 cgroup id; 0 unknown or v1 */
};

/* Reads the identity of cgroup `path` in the walked hierarchy of fs.
 * Returns 0, -ENOENT when the cgroup does not exist (gone), other -errno. */
int tenant_id_read(const struct cgfs *fs, const char *path, struct tenant_id *ret);

/* Reads the identity of an open directory (any fd of the cgroup's directory
 * in the walked hierarchy, O_PATH included). Same return. */
int tenant_id_read_fd(int dirfd, struct tenant_id *ret);

/* 1 when a and b are the same cgroup, 0 when they are not. An unknown part
 * (0) is not compared; two ids with nothing known compare equal (an old
 * journal without identities: the path is all there is). */
int tenant_id_same(const struct tenant_id *a, const struct tenant_id *b);

/* Is cgroup `path` still the tenant id? Returns 1 yes, 0 no (another
 * cgroup has the path now, or none), -errno when it cannot be told. */
int tenant_id_check(const struct cgfs *fs, const char *path, const struct tenant_id *id);

#endif
