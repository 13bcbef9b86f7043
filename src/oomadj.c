/* oomadj.c: oom-score-adj, a per-task knob over a container's subtree. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "knob.h"
#include "oomadj.h"
#include "policy.h"

#define OOMADJ_CGROUPS 4096
#define OOMADJ_TASKS   65536
#define OOMADJ_CHUNK   256      /* tasks pinned (one fd each) at a time */

/* /proc/PID/oom_score_adj of one task, unbiased. -ESRCH/-ENOENT: it exited. */
static int
oomadj_task_read(pid_t pid, int *ret)
{
	char file[64], buf[32], *end;
	ssize_t n;
	long v;
	int fd;

	snprintf(file, sizeof file, "/proc/%d/oom_score_adj", (int)pid);
	if ((fd = open(file, O_RDONLY | O_CLOEXEC | O_NOFOLLOW)) < 0)
		return -errno;
	n = read(fd, buf, sizeof buf - 1);
	if (n < 0) {
		n = -errno;
		close(fd);
		return (int)n;
	}
	close(fd);
	buf[n] = '\0';
	v = strtol(buf, &end, 10);
	if (end == buf || (*end != '\n' && *end != '\0') || v < -1000 || v > 1000)
		return -EIO;
	*ret = (int)v;
	return 0;
}

/* Writes through dirfd, the task's /proc/PID directory opened before its
 * membership was checked: a pid reused by another process since refers to
 * a new /proc entry, never to this one (ESRCH once the task is gone). */
static int
oomadj_task_write(int dirfd, int adj)
{
	char text[16];
	ssize_t n;
	int fd, len;

	if ((fd = openat(dirfd, "oom_score_adj", O_WRONLY | O_CLOEXEC | O_NOFOLLOW)) < 0)
		return -errno;
	len = snprintf(text, sizeof text, "%d\n", adj);
	n = write(fd, text, (size_t)len);
	if (n < 0) {
		n = -errno;
		close(fd);
		return (int)n;
	}
	close(fd);
	return 0;
}

static int
oomadj_gone(int r)
{
	return r == -ESRCH || r == -ENOENT;
}

int
oomadj_read(const struct cgfs *fs, const char *path, int64_t *ret)
{
	pid_t *pids;
	size_t n;
	int r, adj;

	if ((r = knob_procs_tree(fs, path, OOMADJ_CGROUPS, OOMADJ_TASKS, &pids, &n)) < 0)
		return r;
	r = -ESRCH;
	/* Sorted: the first readable is the oldest task still there. */
	for (size_t i = 0; i < n && r == -ESRCH; i++) {
		if ((r = oomadj_task_read(pids[i], &adj)) == 0)
			*ret = adj + POL_OOM_BIAS;
		else if (oomadj_gone(r))
			r = -ESRCH;
	}
	free(pids);
	return r;
}

static int
oomadj_pid_cmp(const void *a, const void *b)
{
	pid_t x = *(const pid_t *)a, y = *(const pid_t *)b;

	return (x > y) - (x < y);
}

/* Writes tasks v[0..n) of container path: each task's /proc directory is
 * opened first (pinning that process), then the subtree is listed again,
 * and only a pinned task still in it is written. A pid that exited
 * between the first listing and the write and was reused outside the
 * container is thus never written: cgovd writes only into the containers
 * it governs. Returns the tasks written or -errno (-ENOENT: gone). */
static int
oomadj_write_chunk(const struct cgfs *fs, const char *path, const pid_t *v, size_t n,
    int adj, int *err)
{
	int fds[OOMADJ_CHUNK], r, done = 0;
	char dir[64];
	pid_t *now;
	size_t nnow;

	for (size_t j = 0; j < n; j++) {
		snprintf(dir, sizeof dir, "%s/%d", fs->proc_dir != NULL ? fs->proc_dir : "/proc",
		    (int)v[j]);
		fds[j] = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW);
	}
	if ((r = knob_procs_tree(fs, path, OOMADJ_CGROUPS, OOMADJ_TASKS, &now, &nnow)) < 0) {
		for (size_t j = 0; j < n; j++)
			if (fds[j] >= 0)
				close(fds[j]);
		return r;
	}
	for (size_t j = 0; j < n; j++) {
		if (fds[j] < 0)
			continue;
		if (nnow > 0 && bsearch(&v[j], now, nnow, sizeof *now, oomadj_pid_cmp) != NULL) {
			r = oomadj_task_write(fds[j], adj);
			if (r == 0)
				done++;
			else if (!oomadj_gone(r) && *err == 0)
				*err = r;
		}
		close(fds[j]);
	}
	free(now);
	return done;
}

int
oomadj_write(const struct cgfs *fs, const char *path, int64_t value)
{
	pid_t *pids, batch[OOMADJ_CHUNK];
	size_t n, m = 0;
	int r, err = 0, done = 0, cur;

	if (value < 0 || value > 2 * POL_OOM_BIAS)
		return -EINVAL;
	if ((r = knob_procs_tree(fs, path, OOMADJ_CGROUPS, OOMADJ_TASKS, &pids, &n)) < 0)
		return r;
	for (size_t i = 0; i <= n && r >= 0; i++) {
		if (m == OOMADJ_CHUNK || (i == n && m > 0)) {
			if ((r = oomadj_write_chunk(fs, path, batch, m, (int)(value - POL_OOM_BIAS),
			    &err)) >= 0)
				done += r;
			m = 0;
		}
		if (i == n)
			break;
		/* Unchanged tasks are not written: a write is a syscall per
		 * task and most keep the value between re-asserts. */
		if (oomadj_task_read(pids[i], &cur) == 0 && cur + POL_OOM_BIAS == value)
			done++;
		else
			batch[m++] = pids[i];
	}
	free(pids);
	if (r < 0)
		return r;
	return err != 0 ? err : done;
}

int
oomadj_strays(const struct cgfs *fs, const char *path, int64_t value, int64_t *ret_other)
{
	pid_t *pids;
	size_t n;
	int r, adj, strays = 0;

	if ((r = knob_procs_tree(fs, path, OOMADJ_CGROUPS, OOMADJ_TASKS, &pids, &n)) < 0)
		return r;
	for (size_t i = 0; i < n; i++) {
		if (oomadj_task_read(pids[i], &adj) < 0 || adj + POL_OOM_BIAS == value)
			continue;
		if (strays++ == 0 && ret_other != NULL)
			*ret_other = adj + POL_OOM_BIAS;
	}
	free(pids);
	return strays;
}
