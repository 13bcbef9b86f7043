/* ioacct.c: the no-op throttle rule that turns on v1 I/O accounting. */
#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "escape.h"
#include "ioacct.h"
#include "log.h"

/* Reads a short sysfs attribute into buf, newline stripped. */
static int
ioacct_attr(const char *disk, const char *attr, char *buf, size_t len)
{
	char path[512];
	FILE *fp;

	snprintf(path, sizeof path, "/sys/block/%s/%s", disk, attr);
	if ((fp = fopen(path, "re")) == NULL)
		return -errno;
	if (fgets(buf, (int)len, fp) == NULL) {
		fclose(fp);
		return -EIO;
	}
	fclose(fp);
	buf[strcspn(buf, "\n")] = '\0';
	return 0;
}

/* Does the container already have a read rule on dev? Then writing
 * "dev 0" would remove it: never. */
static int
ioacct_has_rule(const struct cgfs *fs, const char *path, const char *dev)
{
	char buf[4096];
	int dfd = cgfs_open_dir(fs, CG_IO, path);
	ssize_t n;
	size_t dl = strlen(dev);

	if (dfd < 0)
		return 1;       /* cannot tell: do nothing */
	n = cgfs_read_at(dfd, "blkio.throttle.read_bps_device", buf, sizeof buf);
	close(dfd);
	if (n < 0)
		return 1;
	for (char *l = buf; *l != '\0'; l += strcspn(l, "\n"), l += *l == '\n') {
		if (strncmp(l, dev, dl) == 0 && l[dl] == ' ')
			return 1;
	}
	return 0;
}

int
ioacct_enable(const struct cgfs *fs, const char *path, int dry_run)
{
	DIR *dir;
	struct dirent *de;
	int done = 0;

	if (fs->ctrl[CG_IO].version != 1)
		return 0;
	if ((dir = opendir("/sys/block")) == NULL)
		return -errno;
	while ((de = readdir(dir)) != NULL) {
		char dev[32], size[32], value[64];
		int r;

		if (de->d_name[0] == '.')
			continue;
		if (ioacct_attr(de->d_name, "dev", dev, sizeof dev) < 0 ||
		    ioacct_attr(de->d_name, "size", size, sizeof size) < 0 ||
		    strcmp(size, "0") == 0)
			continue;       /* unused loop devices and the like */
		if (ioacct_has_rule(fs, path, dev))
			continue;
		snprintf(value, sizeof value, "%s 0", dev);
		if (dry_run) {
			log_info("dry run: would write \"%s\" to blkio.throttle.read_bps_device "
			    "of %s to turn on v1 I/O accounting", value, escape_log(0, path));
			continue;
		}
		r = cgfs_write(fs, CG_IO, path, "blkio.throttle.read_bps_device", value);
		if (r < 0) {
			log_debug("cannot turn on I/O accounting for %s (%s): %s", de->d_name, dev,
			    strerror(-r));
			continue;
		}
		done++;
	}
	closedir(dir);
	if (done > 0)
		log_info("v1 I/O accounting on for %d disk%s (a no-op \"MAJ:MIN 0\" read rule "
		    "written to %s; no limit changed)", done, done == 1 ? "" : "s",
		    escape_log(0, path));
	return done;
}
