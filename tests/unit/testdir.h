/* testdir.h: the temporary directory a unit test keeps its files in.
 *
 * Each test file makes one directory with mkdtemp(3) in its group setup
 * and removes it in its teardown; the databases (and their -wal/-shm
 * files) inside are plain files, no subdirectories.
 */
#ifndef CGOV_TESTDIR_H
#define CGOV_TESTDIR_H

/* Removes every file of dir, then dir. 0, or -1 with errno. */
int testdir_remove(const char *dir);

#endif
