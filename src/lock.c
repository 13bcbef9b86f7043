/* lock.c: the exclusive lock beside the database (lock.h). */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "fsafe.h"
#include "lock.h"
#include "log.h"
#include "xmalloc.h"

struct lock {
	int fd;
	char *path;
};

/* The pid written in the file, or 0 when it holds none (yet). */
static pid_t
lock_read_pid(int fd)
{
	char buf[32];
	ssize_t n;
	long pid;
	char *end;

	n = pread(fd, buf, sizeof buf - 1, 0);
	if (n <= 0)
		return 0;
	buf[n] = '\0';
	errno = 0;
	pid = strtol(buf, &end, 10);
	if (errno != 0 || end == buf || (*end != '\n' && *end != '\0') || pid <= 0)
		return 0;
	return (pid_t)pid;
}

/* Writes the pid, then cuts what a longer old pid left behind: a reader in
 * between sees the new pid followed by a stale tail after the newline, which
 * lock_read_pid ignores. */
static int
lock_write_pid(int fd)
{
	char buf[32];
	int len = snprintf(buf, sizeof buf, "%ld\n", (long)getpid());

	errno = 0;
	if (pwrite(fd, buf, (size_t)len, 0) != len)
		return errno != 0 ? -errno : -EIO;
	if (ftruncate(fd, len) < 0)
		return -errno;
	return 0;
}

int
lock_take(const char *db, struct lock **ret, pid_t *ret_holder)
{
	struct lock *l;
	struct stat st;
	char *path;
	int fd, r;

	*ret = NULL;
	*ret_holder = 0;
	path = xasprintf("%s.lock", db);
	/* The database's rules (fsafe.h): a directory others can write is
	 * refused; O_NONBLOCK so that a FIFO or device there cannot hold the
	 * open (flock and pread/pwrite of a regular file ignore it). */
	if ((r = fsafe_check_dir(path)) < 0) {
		free(path);
		return r;
	}
	fd = open(path, O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC | O_NOCTTY | O_NONBLOCK, 0640);
	if (fd < 0) {
		r = -errno;
		free(path);
		return r;
	}
	/* A FIFO or a device planted there would block or misbehave. */
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
		close(fd);
		free(path);
		return -EINVAL;
	}
	if (flock(fd, LOCK_EX | LOCK_NB) < 0) {
		r = errno == EWOULDBLOCK ? -EWOULDBLOCK : -errno;
		/* The holder writes its pid right after locking; give it a
		 * moment (polled, bounded) before saying "no pid". */
		for (int i = 0; r == -EWOULDBLOCK && i < 20; i++) {
			struct timespec ts = { 0, 10 * 1000 * 1000 };

			if ((*ret_holder = lock_read_pid(fd)) != 0)
				break;
			nanosleep(&ts, NULL);
		}
		close(fd);
		free(path);
		return r;
	}
	if ((r = lock_write_pid(fd)) < 0) {
		close(fd);
		free(path);
		return r;
	}
	l = xmalloc(sizeof *l);
	l->fd = fd;
	l->path = path;
	*ret = l;
	return 0;
}

int
lock_daemon(const char *db, struct lock **ret)
{
	pid_t holder;
	int r;

	r = lock_take(db, ret, &holder);
	if (r == -EWOULDBLOCK && holder > 0)
		log_err("another cgovd (pid %ld) runs on %s", (long)holder, db);
	else if (r == -EWOULDBLOCK)
		log_err("another cgovd runs on %s (%s.lock names no pid)", db, db);
	else if (r < 0)
		log_warnx("cannot lock %s.lock (%s): a second cgovd on this database would "
		    "not be refused", db, strerror(-r));
	return r == -EWOULDBLOCK ? r : 0;
}

int
lock_set_pid(struct lock *l)
{
	return l != NULL ? lock_write_pid(l->fd) : 0;
}

const char *
lock_path(const struct lock *l)
{
	return l->path;
}

void
lock_release(struct lock *l)
{
	if (l == NULL)
		return;
	close(l->fd);
	free(l->path);
	free(l);
}
