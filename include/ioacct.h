/* ioacct.h: per-cgroup block I/O accounting on cgroup v1.
 *
 * Hazard: on current kernels (6.x) the v1 blkio.throttle.io_service_bytes
 * and io_serviced files stay at zero for every cgroup until blk-throttle has
 * been activated on the device, which happens the first time any cgroup
 * gets a throttle rule for it. Without that, `cgov top --by io` on a v1 host
 * would show nobody doing I/O. The fix is a no-op rule: "MAJ:MIN 0" written
 * to blkio.throttle.read_bps_device means "no read limit" but activates the
 * accounting for the whole device. cgovd writes it once per disk, to a
 * governed container that has no read rule on that disk, so no limit
 * changes anywhere. v2 (io.stat) always accounts and needs none of this.
 */
#ifndef CGOV_IOACCT_H
#define CGOV_IOACCT_H

#include "cgfs.h"

/* Activates v1 I/O accounting on every disk of /sys/block (non-empty ones)
 * through container `path`. dry_run: only logs what it would write.
 * Returns the number of disks activated (0 on v2 or without blkio), or
 * -errno when /sys/block cannot be read. */
int ioacct_enable(const struct cgfs *fs, const char *path, int dry_run);

#endif
