/* fsafe.c: files opened by a name an operator gave (fsafe.h). */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "buf.h"
#include "escape.h"
#include "fsafe.h"
#include "log.h"
#include "xmalloc.h"

/* The directory part of path: "." without a '/', "/" for "/name". */
static char *
fsafe_dirname(const char *path)
{
	const char *slash = strrchr(path, '/');

	if (slash == NULL)
		return xstrdup(".");
	if (slash == path)
		return xstrdup("/");
	return xstrndup(path, (size_t)(slash - path));
}

static int
fsafe_dir_ok(const struct stat *sb)
{
	return (sb->st_uid == 0 || sb->st_uid == geteuid()) &&
	    (sb->st_mode & (S_IWGRP | S_IWOTH)) == 0;
}

int
fsafe_check_dir(const char *path)
{
	char *dir = fsafe_dirname(path);
	struct stat sb;
	int r = 0;

	if (stat(dir, &sb) == 0 && !fsafe_dir_ok(&sb))
		r = -EPERM;
	free(dir);
	return r;
}

int
fsafe_check_file(const char *path)
{
	struct stat sb;

	if (lstat(path, &sb) < 0)
		return 0;
	if (S_ISLNK(sb.st_mode))
		return -ELOOP;
	return S_ISREG(sb.st_mode) ? 0 : -EINVAL;
}

int
fsafe_check(const char *what, const char *path)
{
	struct buf b;
	int r;

	if ((r = fsafe_check_dir(path)) == 0)
		r = fsafe_check_file(path);
	if (r == 0)
		return 0;
	buf_init(&b);
	escape_term(&b, path);
	if (r == -EPERM) {
		char *dir = fsafe_dirname(path);
		struct buf d;

		buf_init(&d);
		escape_term(&d, dir);
		log_warnx("%s %s: its directory %s is writable by group or others or "
		    "owned by another user, who could plant a link there; refused "
		    "(chmod go-w it, or choose a directory only root can write)", what,
		    b.data, d.data);
		buf_free(&d);
		free(dir);
	} else if (r == -ELOOP)
		log_warnx("%s %s is a symbolic link: refused (give the real path)", what, b.data);
	else
		log_warnx("%s %s is not a regular file (a FIFO, device or directory): "
		    "refused", what, b.data);
	buf_free(&b);
	return r;
}

int
fsafe_create(const char *path, mode_t mode)
{
	struct stat sb;
	int fd;

	if (lstat(path, &sb) == 0 && S_ISREG(sb.st_mode) && unlink(path) < 0 && errno != ENOENT)
		return -errno;
	fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC | O_NOCTTY, mode);
	return fd < 0 ? -errno : fd;
}
