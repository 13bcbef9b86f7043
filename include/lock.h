/* lock.h: one cgovd per database.
 *
 * Two daemons on one database would fight over the same knobs and restore
 * each other's originals wrongly (each journals what the other wrote as the
 * "original"). cgovd therefore holds an exclusive flock(2) on the file
 * "DB.lock" beside the database for its whole life, taken before it governs
 * or writes anything. The file holds the holder's pid, so a second cgovd can
 * name it. The kernel drops a flock when its last descriptor closes, so a
 * lock left by a dead process (kill -9, a crash) is simply free: the next
 * cgovd takes it over; there is no stale-pid guessing.
 *
 * The file is never removed: unlinking it at exit would let a third cgovd
 * lock a new inode while a second still waits on the old one. It is the
 * lock that counts, not the file; its content is the last holder's pid.
 */
#ifndef CGOV_LOCK_H
#define CGOV_LOCK_H

#include <sys/types.h>

struct lock;

/* Takes the lock of database `db` (path of the database file): opens or
 * creates "DB.lock" (O_NOFOLLOW: a symlink there is refused with -ELOOP;
 * mode 0640 before the umask; close-on-exec), locks it without waiting and
 * writes the caller's pid into it. Returns 0 and *ret; -EWOULDBLOCK when
 * another process holds it, with its pid in *ret_holder (0 when the file
 * names none, e.g. a holder that has not written it yet after 200 ms);
 * -EPERM when its directory is writable by group or others or another
 * user's (fsafe.h); -EINVAL when it is not a regular file;
 * another -errno when the file cannot be opened or locked (missing
 * directory, read-only filesystem): the caller decides (cgovd warns and
 * goes on: a database that cannot hold a lock cannot hold history either). */
int lock_take(const char *db, struct lock **ret, pid_t *ret_holder);

/* cgovd's use of lock_take(), with its messages: -EWOULDBLOCK (logged as
 * "another cgovd (pid N) runs on DB"): the caller exits 1; 0 otherwise, *ret
 * NULL when the file could not be opened or locked (logged as a warning:
 * cgovd goes on, as it does when the database itself cannot be opened). */
int lock_daemon(const char *db, struct lock **ret);

/* Writes the caller's pid into the lock file again: after daemon(3), whose
 * child inherits the lock (flock belongs to the open file, which the fork
 * shares) under another pid. Returns 0 or -errno; l NULL: 0. */
int lock_set_pid(struct lock *l);

/* The lock file's path ("DB.lock"). */
const char *lock_path(const struct lock *l);

/* Releases the lock and frees l (NULL is fine). Release it after the
 * database is closed, so the next cgovd finds it checkpointed. */
void lock_release(struct lock *l);

#endif
