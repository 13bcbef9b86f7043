/* cgfs.c: controller discovery and the raw reads of cgroupfs files. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <libcgroup.h>
#include <linux/magic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/statfs.h>
#include <unistd.h>

#include "cgfs.h"
#include "cgparse.h"
#include "escape.h"
#include "log.h"
#include "xmalloc.h"

/* The v1 names first; v2 calls blkio "io" and has no cpuacct. */
static const char *const cgfs_v1_names[CG_CTRL_MAX] = {
	"memory", "cpu", "cpuacct", "blkio", "pids", "freezer"
};
static const char *const cgfs_v2_names[CG_CTRL_MAX] = {
	"memory", "cpu", NULL, "io", "pids", "freezer"
};

static struct cgfs *
cgfs_alloc(void)
{
	struct cgfs *fs = xcalloc(1, sizeof *fs);

	for (int c = 0; c < CG_CTRL_MAX; c++)
		fs->ctrl[c].rootfd = -1;
	return fs;
}

/* Records controller c at mount; returns 0 or -errno. */
static int
cgfs_set_ctrl(struct cgfs *fs, enum cg_ctrl c, const char *mount, int version)
{
	struct cgfs_ctrl *ct = &fs->ctrl[c];
	int fd;

	fd = open(mount, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	ct->version = version;
	ct->mount = xstrdup(mount);
	ct->rootfd = fd;
	return 0;
}

static int
cgfs_ctrl_from_name(const char *name)
{
	for (int c = 0; c < CG_CTRL_MAX; c++)
		if (strcmp(name, cgfs_v1_names[c]) == 0 ||
		    (cgfs_v2_names[c] != NULL && strcmp(name, cgfs_v2_names[c]) == 0))
			return c;
	return -1;
}

static int
cgfs_mount_version(const char *mount)
{
	struct statfs sfs;

	if (statfs(mount, &sfs) < 0)
		return -errno;
	if (sfs.f_type == CGROUP2_SUPER_MAGIC)
		return 2;
	if (sfs.f_type == CGROUP_SUPER_MAGIC)
		return 1;
	return -EINVAL;
}

static void
cgfs_finish(struct cgfs *fs)
{
	int v1 = 0, v2 = 0;

	for (int c = 0; c < CG_CTRL_MAX; c++) {
		if (fs->ctrl[c].version == 1)
			v1++;
		else if (fs->ctrl[c].version == 2)
			v2++;
	}
	if (fs->layout == 0)
		fs->layout = v1 && v2 ? CGFS_HYBRID : v2 ? CGFS_V2 : CGFS_V1;
	/* Discovery walks the memory hierarchy when there is one: it is the
	 * controller every container runtime enables. */
	fs->walk = CG_MEMORY;
	if (fs->ctrl[CG_MEMORY].version == 0)
		for (int c = 0; c < CG_CTRL_MAX; c++)
			if (fs->ctrl[c].version != 0) {
				fs->walk = c;
				break;
			}
}

static int
cgfs_libcgroup_log_silenced(void)
{
	/* libcgroup prints to stderr by default; cgov has one log API. */
	cgroup_set_loglevel(CGROUP_LOG_ERROR);
	return 0;
}

int
cgfs_open_host(struct cgfs **ret)
{
	struct cgroup_mount_point mp;
	struct cgfs *fs;
	char *unified = NULL;
	void *h = NULL;
	int r, found = 0;

	cgfs_libcgroup_log_silenced();
	r = cgroup_init();
	if (r != 0) {
		log_warnx("libcgroup cannot read the cgroup mounts: %s", cgroup_strerror(r));
		return -EIO;
	}
	fs = cgfs_alloc();
	for (r = cgroup_get_controller_begin(&h, &mp); r == 0;
	    r = cgroup_get_controller_next(&h, &mp)) {
		int c = cgfs_ctrl_from_name(mp.name);
		int v = cgfs_mount_version(mp.path);

		if (v == 2 && unified == NULL)
			unified = xstrdup(mp.path);
		if (c < 0 || v < 0 || fs->ctrl[c].version != 0)
			continue;
		if (v == 2 && cgfs_v2_names[c] == NULL)
			continue;
		if (cgfs_set_ctrl(fs, c, mp.path, v) == 0)
			found++;
	}
	cgroup_get_controller_end(&h);

	/* On v2 the freezer is part of the core (cgroup.freeze), so libcgroup
	 * does not list it; it exists wherever the unified mount does. */
	if (fs->ctrl[CG_FREEZER].version == 0 && unified != NULL &&
	    cgfs_set_ctrl(fs, CG_FREEZER, unified, 2) == 0)
		found++;
	/* Likewise cpu.stat (usage_usec) exists on v2 without the cpu
	 * controller enabled. */
	if (fs->ctrl[CG_CPU].version == 0 && unified != NULL &&
	    fs->ctrl[CG_MEMORY].version == 2 && cgfs_set_ctrl(fs, CG_CPU, unified, 2) == 0)
		found++;
	if (unified != NULL && (fs->ctrl[CG_MEMORY].version == 1 || fs->ctrl[CG_CPU].version == 1))
		fs->layout = CGFS_HYBRID;
	free(unified);
	fs->proc_dir = xstrdup("/proc");
	if (found == 0) {
		cgfs_close(fs);
		return -ENOENT;
	}
	cgfs_finish(fs);
	*ret = fs;
	return 0;
}

int
cgfs_open_root(const char *root, int version, const char *proc_dir, int flat,
    struct cgfs **ret)
{
	struct cgfs *fs;
	int r;

	if (version != 1 && version != 2)
		return -EINVAL;
	fs = cgfs_alloc();
	for (int c = 0; c < CG_CTRL_MAX; c++) {
		if (version == 2 && cgfs_v2_names[c] == NULL)
			continue;
		if ((r = cgfs_set_ctrl(fs, c, root, version)) < 0) {
			cgfs_close(fs);
			return r;
		}
	}
	fs->proc_dir = xstrdup(proc_dir != NULL ? proc_dir : "/proc");
	fs->proc_flat = flat;
	cgfs_finish(fs);
	*ret = fs;
	return 0;
}

void
cgfs_close(struct cgfs *fs)
{
	if (fs == NULL)
		return;
	for (int c = 0; c < CG_CTRL_MAX; c++) {
		if (fs->ctrl[c].rootfd >= 0)
			close(fs->ctrl[c].rootfd);
		free(fs->ctrl[c].mount);
	}
	free(fs->proc_dir);
	free(fs);
}

const char *
cgfs_layout_name(enum cgfs_layout layout)
{
	switch (layout) {
	case CGFS_V1:
		return "v1";
	case CGFS_V2:
		return "v2";
	case CGFS_HYBRID:
		return "hybrid";
	}
	return "unknown";
}

const char *
cgfs_ctrl_name(const struct cgfs *fs, enum cg_ctrl c)
{
	if (fs->ctrl[c].version == 2 && cgfs_v2_names[c] != NULL)
		return cgfs_v2_names[c];
	return cgfs_v1_names[c];
}

/* Refuses paths that could leave the hierarchy or are not canonical. */
static int
cgfs_path_ok(const char *path)
{
	const char *p = path;

	if (path[0] != '/')
		return 0;
	while (*p == '/') {
		const char *comp = ++p;
		size_t n;

		p += strcspn(p, "/");
		n = (size_t)(p - comp);
		if (n == 0)
			return *p == '\0' && comp == path + 1;   /* "/" alone */
		if ((n == 1 && comp[0] == '.') || (n == 2 && comp[0] == '.' && comp[1] == '.'))
			return 0;
	}
	return 1;
}

int
cgfs_open_dir(const struct cgfs *fs, enum cg_ctrl c, const char *path)
{
	const char *rel;
	int fd;

	if (fs->ctrl[c].rootfd < 0)
		return -ENXIO;
	if (!cgfs_path_ok(path))
		return -EINVAL;
	rel = path[1] == '\0' ? "." : path + 1;
	fd = openat(fs->ctrl[c].rootfd, rel, O_PATH | O_DIRECTORY | O_CLOEXEC);
	return fd < 0 ? -errno : fd;
}

/* Reads fd from offset 0 until EOF. seq_file-backed cgroup files may hand
 * back a large file in several chunks, so one read is not enough. */
static ssize_t
cgfs_read_all(int fd, char *buf, size_t len, int positional)
{
	size_t off = 0;

	if (len == 0)
		return -EINVAL;
	for (;;) {
		ssize_t n;

		if (off == len - 1) {
			buf[off] = '\0';
			return -EFBIG;
		}
		n = positional ? pread(fd, buf + off, len - 1 - off, (off_t)off)
		    : read(fd, buf + off, len - 1 - off);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			buf[off] = '\0';
			return -errno;
		}
		if (n == 0)
			break;
		off += (size_t)n;
		/* A cgroup file is produced by one show() call, so a short
		 * read is the end: stopping here saves the second syscall
		 * that would only return 0 (it is half the cost of a tick). */
		if (positional && off < len - 1)
			break;
	}
	buf[off] = '\0';
	return (ssize_t)off;
}

ssize_t
cgfs_read_at(int dirfd, const char *name, char *buf, size_t len)
{
	ssize_t r;
	int fd;

	fd = openat(dirfd, name, O_RDONLY | O_CLOEXEC | O_NOCTTY);
	if (fd < 0)
		return -errno;
	r = cgfs_read_all(fd, buf, len, 0);
	close(fd);
	return r;
}

int
cgfs_read_u64(const struct cgfs *fs, enum cg_ctrl c, const char *path, const char *file,
    uint64_t *ret)
{
	char buf[64];
	ssize_t n;
	int fd;

	if ((fd = cgfs_open_dir(fs, c, path)) < 0)
		return fd;
	n = cgfs_read_at(fd, file, buf, sizeof buf);
	close(fd);
	if (n < 0)
		return (int)n;
	return cgparse_u64(buf, ret) < 0 ? -EINVAL : 0;
}

ssize_t
cgfs_pread(int fd, char *buf, size_t len)
{
	return cgfs_read_all(fd, buf, len, 1);
}

/* The path of /proc file `name` of fs's proc directory, in either naming. */
static void
cgfs_proc_path(const struct cgfs *fs, const char *name, char *path, size_t len)
{
	if (fs->proc_flat) {
		char flat[128];

		snprintf(flat, sizeof flat, "%s", name);
		for (char *p = flat; *p != '\0'; p++)
			if (*p == '/')
				*p = '-';
		snprintf(path, len, "%s/proc-%s", fs->proc_dir, flat);
	} else
		snprintf(path, len, "%s/%s", fs->proc_dir, name);
}

ssize_t
cgfs_read_proc(const struct cgfs *fs, const char *name, char *buf, size_t len)
{
	char path[512];

	cgfs_proc_path(fs, name, path, sizeof path);
	return cgfs_read_at(AT_FDCWD, path, buf, len);
}

int
cgfs_open_proc(const struct cgfs *fs, const char *name)
{
	char path[512];
	int fd;

	cgfs_proc_path(fs, name, path, sizeof path);
	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) < 0)
		return -errno;
	return fd;
}

/* libcgroup's result as a negative errno. A failed write(2) of the value
 * (EINVAL for a value the kernel refuses, EBUSY) comes back as ECGOTHER with
 * the errno kept aside; a missing file as ECGROUPVALUENOTEXIST, which means
 * "gone" only when the cgroup itself went away meanwhile. */
static int
cgfs_write_errno(const struct cgfs *fs, enum cg_ctrl c, const char *path, int r)
{
	int fd;

	switch (r) {
	case ECGOTHER:
		return cgroup_get_last_errno() > 0 ? -cgroup_get_last_errno() : -EIO;
	case ECGROUPNOTEXIST:
		return -ENOENT;
	case ECGROUPSUBSYSNOTMOUNTED:
		return -ENXIO;
	case ECGROUPVALUENOTEXIST:
		if ((fd = cgfs_open_dir(fs, c, path)) < 0)
			return fd;
		close(fd);
		return -ENXIO;
	}
	return -EIO;
}

int
cgfs_write(const struct cgfs *fs, enum cg_ctrl c, const char *path, const char *file,
    const char *value)
{
	struct cgroup_controller *ctrl;
	struct cgroup *cg;
	const char *name;
	int r, fd;

	if (fs->ctrl[c].version == 0)
		return -ENXIO;
	if (!cgfs_path_ok(path) || strcmp(path, "/") == 0)
		return -EINVAL;
	/* libcgroup would create a missing cgroup's file silently fail; check
	 * that the cgroup is there first so a vanished one reads as gone. */
	if ((fd = cgfs_open_dir(fs, c, path)) < 0)
		return fd;
	close(fd);
	/* v2 core files (cgroup.freeze, cgroup.kill) belong to no controller:
	 * libcgroup writes them through its "cgroup" pseudo-controller and
	 * refuses them under a controller's name. */
	name = fs->ctrl[c].version == 2 && strncmp(file, "cgroup.", 7) == 0 ? "cgroup" :
	    cgfs_ctrl_name(fs, c);
	if ((cg = cgroup_new_cgroup(path)) == NULL)
		return -ENOMEM;
	ctrl = cgroup_add_controller(cg, name);
	if (ctrl == NULL || cgroup_add_value_string(ctrl, file, value) != 0) {
		cgroup_free(&cg);
		return -EIO;
	}
	r = cgroup_modify_cgroup(cg);
	cgroup_free(&cg);
	if (r != 0) {
		r = cgfs_write_errno(fs, c, path, r);
		log_debug("libcgroup: writing \"%s\" to %s of %s: %s", escape_log(0, value),
		    file, escape_log(1, path), strerror(-r));
		return r;
	}
	return 0;
}

int
cgfs_gone(int err)
{
	if (err < 0)
		err = -err;
	return err == ENOENT || err == ENODEV || err == ESRCH;
}
