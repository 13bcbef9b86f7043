/* tenant.c: cgroup identities (tenant.h). */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "tenant.h"

/* The cgroup id of a v2 cgroup: name_to_handle_at on the directory gives a
 * handle whose 8 bytes are the kernfs node id (cgroupfs' own encoding,
 * FILEID_KERNFS). 0 when the filesystem gives no such handle (v1). */
static uint64_t
tenant_cgid(int dirfd)
{
	struct {
		struct file_handle fh;
		unsigned char bytes[64];
	} h;
	uint64_t id = 0;
	int mnt;

	h.fh.handle_bytes = sizeof h.bytes;
	if (name_to_handle_at(dirfd, "", &h.fh, &mnt, AT_EMPTY_PATH) < 0)
		return 0;
	if (h.fh.handle_bytes < sizeof id)
		return 0;
	memcpy(&id, h.fh.f_handle, sizeof id);
	return id;
}

int
tenant_id_read_fd(int dirfd, struct tenant_id *ret)
{
	struct stat st;

	if (fstat(dirfd, &st) < 0)
		return -errno;
	ret->ino = (uint64_t)st.st_ino;
	ret->cgid = tenant_cgid(dirfd);
	return 0;
}

int
tenant_id_read(const struct cgfs *fs, const char *path, struct tenant_id *ret)
{
	int fd = cgfs_open_dir(fs, fs->walk, path), r;

	if (fd < 0)
		return fd;
	r = tenant_id_read_fd(fd, ret);
	/* Only the v2 hierarchy gives cgroup ids: a v1 handle is opaque. */
	if (fs->ctrl[fs->walk].version != 2)
		ret->cgid = 0;
	close(fd);
	return r;
}

int
tenant_id_same(const struct tenant_id *a, const struct tenant_id *b)
{
	if (a->ino != 0 && b->ino != 0 && a->ino != b->ino)
		return 0;
	if (a->cgid != 0 && b->cgid != 0 && a->cgid != b->cgid)
		return 0;
	return 1;
}

int
tenant_id_check(const struct cgfs *fs, const char *path, const struct tenant_id *id)
{
	struct tenant_id now;
	int r = tenant_id_read(fs, path, &now);

	if (r < 0)
		return cgfs_gone(r) ? 0 : r;
	return tenant_id_same(&now, id);
}
