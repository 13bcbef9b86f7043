/* fsafe.h: files cgovd and cgov open by a name an operator gave.
 *
 * Both run as root and open the database (with its -wal, -shm and .lock
 * files beside it), the pidfile and report files by names from the command
 * line or cgov.conf. Where another user can write the directory, that user
 * can plant a symlink under the name (root then writes through it: a
 * pidfile once overwrote the link's target), a FIFO (opening or reading it
 * blocks forever) or a device. The rules:
 *
 * - the directory that holds the file must be owned by root or by the
 *   caller and writable by neither group nor others; a sticky directory
 *   such as /tmp is refused too (a name planted there first stays the
 *   planter's). Only that directory is checked, not the ones above it.
 * - the name itself is never followed when it is a symlink, and it must be
 *   a regular file when it exists.
 */
#ifndef CGOV_FSAFE_H
#define CGOV_FSAFE_H

#include <sys/types.h>

/* Checks the directory that holds path (up to its last '/'; "." without
 * one). Returns 0 when it is safe, or when stat(2) fails on it (a missing
 * directory: the open that follows fails as usual); -EPERM when another
 * user owns it or group or others can write it. */
int fsafe_check_dir(const char *path);

/* Checks path itself, not following it. Returns 0 when it does not exist
 * or is a regular file; -ELOOP for a symlink; -EINVAL for anything else (a
 * FIFO, a socket, a device, a directory). */
int fsafe_check_file(const char *path);

/* Both, and logs why with log_warnx when path is refused ("WHAT PATH: its
 * directory DIR is writable by group or others ..."); `what` names the file
 * for a person ("database", "pidfile"). Returns 0, -EPERM, -ELOOP or
 * -EINVAL as above. */
int fsafe_check(const char *what, const char *path);

/* Creates path anew for writing, with mode (less the umask): a regular
 * file that is there is removed first; the create never follows a symlink
 * and never opens a file that is there (O_CREAT | O_EXCL | O_NOFOLLOW), so
 * a name planted between the check and the open fails it. Returns the
 * descriptor (close-on-exec) or -errno; fsafe_check() first for the
 * messages. */
int fsafe_create(const char *path, mode_t mode);

#endif
