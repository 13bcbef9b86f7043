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

static int
oomadj_task_write(pid_t pid, int adj)
{
	char file[64], text[16];
	ssize_t n;
	int fd, len;

	snprintf(file, sizeof file, "/proc/%d/oom_score_adj", (int)pid);
	if ((fd = open(file, O_WRONLY | O_CLOEXEC | O_NOFOLLOW)) < 0)
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

	if ((r = knob_tasks(fs, path, OOMADJ_CGROUPS, OOMADJ_TASKS, &pids, &n)) < 0)
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

int
oomadj_write(const struct cgfs *fs, const char *path, int64_t value)
{
	pid_t *pids;
	size_t n;
	int r, err = 0, done = 0, cur;

	if (value < 0 || value > 2 * POL_OOM_BIAS)
		return -EINVAL;
	if ((r = knob_tasks(fs, path, OOMADJ_CGROUPS, OOMADJ_TASKS, &pids, &n)) < 0)
		return r;
	for (size_t i = 0; i < n; i++) {
		/* Unchanged tasks are not written: a write is a syscall per
		 * task and most keep the value between re-asserts. */
		if (oomadj_task_read(pids[i], &cur) == 0 && cur + POL_OOM_BIAS == value) {
			done++;
			continue;
		}
		r = oomadj_task_write(pids[i], (int)(value - POL_OOM_BIAS));
		if (r == 0)
			done++;
		else if (!oomadj_gone(r) && err == 0)
			err = r;
	}
	free(pids);
	return err != 0 ? err : done;
}

int
oomadj_strays(const struct cgfs *fs, const char *path, int64_t value, int64_t *ret_other)
{
	pid_t *pids;
	size_t n;
	int r, adj, strays = 0;

	if ((r = knob_tasks(fs, path, OOMADJ_CGROUPS, OOMADJ_TASKS, &pids, &n)) < 0)
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
