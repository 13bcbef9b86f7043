/* v1press.c: pressure.* derived on cgroup v1 (contract in include/v1press.h). */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include "cgparse.h"
#include "escape.h"
#include "knob.h"
#include "log.h"
#include "v1press.h"
#include "xmalloc.h"

#define V1PRESS_NLEVELS 3

static const struct {
	const char *name;
	int pct;
} v1press_levels[V1PRESS_NLEVELS] = {
	{ "low", 10 }, { "medium", 40 }, { "critical", 90 },
};

/* The blkio files of queue wait, by scheduler; the first that exists at
 * open is read ever after. */
static const char *const v1press_io_files[] = {
	"blkio.io_wait_time_recursive",         /* CFQ (kernels before 5.0) */
	"blkio.bfq.io_wait_time_recursive",     /* BFQ, CONFIG_BFQ_CGROUP_DEBUG */
};

/* One derived pressure: its cumulative stall, when it was last read (the
 * interval that caps the next step), and the stall over that cap still to
 * count (cpu only, at most V1PRESS_CARRY_MS). */
struct v1press_acc {
	uint64_t us;
	int64_t at_ms;
	int have;               /* a previous read to step from */
	uint64_t carry_us;
};

struct v1press {
	const struct cgfs *fs;
	char *path;
	/* cpu: the previous read's waits, sorted by tid */
	struct v1press_task *tasks;
	size_t ntasks;
	struct v1press_acc cpu;
	/* memory: the eventfds of low/medium/critical (-1: none), the last
	 * level notified and when, the refault counter's last value */
	int efd[V1PRESS_NLEVELS];
	int level_pct;
	int64_t level_ms;
	uint64_t faults;
	struct v1press_acc mem;
	/* io: which of v1press_io_files (-1: none), its last value (ns) */
	int io_file;
	uint64_t io_wait_ns;
	struct v1press_acc io;
};

uint64_t
v1press_wait_delta(const struct v1press_task *prev, size_t nprev, const struct v1press_task *cur,
    size_t ncur)
{
	uint64_t sum = 0;
	size_t i = 0, j = 0;

	/* A merge of two lists sorted by tid: a thread in one list only was
	 * born or exited in between, and adds nothing. */
	while (i < nprev && j < ncur) {
		if (prev[i].tid < cur[j].tid)
			i++;
		else if (prev[i].tid > cur[j].tid)
			j++;
		else {
			if (cur[j].wait_ns > prev[i].wait_ns)
				sum += cur[j].wait_ns - prev[i].wait_ns;
			i++;
			j++;
		}
	}
	return sum;
}

double
v1press_level_at(int level_pct, int64_t since_ms, int64_t now_ms)
{
	int64_t age = now_ms - since_ms;

	if (level_pct <= 0 || age >= V1PRESS_LEVEL_DECAY_MS)
		return 0;
	if (age < 0)
		age = 0;
	return level_pct * (1.0 - (double)age / V1PRESS_LEVEL_DECAY_MS);
}

uint64_t
v1press_mem_stall_us(double level_pct, uint64_t faults, uint64_t elapsed_us)
{
	double by_level = level_pct / 100.0 * (double)elapsed_us;
	uint64_t by_faults = faults > elapsed_us / V1PRESS_FAULT_US ? elapsed_us :
	    faults * V1PRESS_FAULT_US;
	uint64_t v = by_level > (double)by_faults ? (uint64_t)by_level : by_faults;

	return v < elapsed_us ? v : elapsed_us;
}

/* Adds the stall of the interval since a's last read, at most that
 * interval, and returns the new total. With carry, what is over the cap
 * is counted in the next intervals instead (at most V1PRESS_CARRY_MS of
 * it). The first read only sets the start. */
static uint64_t
v1press_step(struct v1press_acc *a, uint64_t stall_us, int64_t now_ms, int carry)
{
	if (!a->have)
		a->carry_us = 0;
	else if (now_ms > a->at_ms) {
		uint64_t el = (uint64_t)(now_ms - a->at_ms) * 1000, add;

		stall_us += a->carry_us;
		add = stall_us < el ? stall_us : el;
		a->us += add;
		a->carry_us = carry ? stall_us - add : 0;
		if (a->carry_us > (uint64_t)V1PRESS_CARRY_MS * 1000)
			a->carry_us = (uint64_t)V1PRESS_CARRY_MS * 1000;
	}
	a->have = 1;
	a->at_ms = now_ms;
	return a->us;
}

/* The interval since a's last read in microseconds (0 on the first). */
static uint64_t
v1press_elapsed_us(const struct v1press_acc *a, int64_t now_ms)
{
	return a->have && now_ms > a->at_ms ? (uint64_t)(now_ms - a->at_ms) * 1000 : 0;
}

/* Registers the three memory.pressure_level eventfds. Best effort: a
 * kernel without them (or a cgroup not in the memory hierarchy) leaves
 * the refaults as the only memory signal. */
static void
v1press_events(struct v1press *p)
{
	int dir, cfd = -1, ecfd = -1, n = 0;
	char line[96];

	if ((dir = cgfs_open_dir(p->fs, CG_MEMORY, p->path)) < 0)
		return;
	if ((cfd = openat(dir, "memory.pressure_level", O_RDONLY | O_CLOEXEC)) < 0 ||
	    (ecfd = openat(dir, "cgroup.event_control", O_WRONLY | O_CLOEXEC)) < 0)
		goto out;
	for (int i = 0; i < V1PRESS_NLEVELS; i++) {
		int efd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK), len;

		if (efd < 0)
			break;
		/* "hierarchy": reclaim in the container's sub-cgroups counts
		 * too, whoever else listens (kernels before 4.13 know no
		 * mode: the default then, which a listener below would hide). */
		len = snprintf(line, sizeof line, "%d %d %s,hierarchy", efd, cfd,
		    v1press_levels[i].name);
		if (write(ecfd, line, (size_t)len) != len) {
			len = snprintf(line, sizeof line, "%d %d %s", efd, cfd,
			    v1press_levels[i].name);
			if (write(ecfd, line, (size_t)len) != len) {
				close(efd);
				break;
			}
		}
		p->efd[i] = efd;
		n++;
	}
	if (n < V1PRESS_NLEVELS)        /* all or none: the level needs all three */
		for (int i = 0; i < V1PRESS_NLEVELS; i++)
			if (p->efd[i] >= 0) {
				close(p->efd[i]);
				p->efd[i] = -1;
			}
out:
	if (n < V1PRESS_NLEVELS)
		log_debug("%s: no memory.pressure_level events: refaults only",
		    escape_log(0, p->path));
	if (cfd >= 0)
		close(cfd);
	if (ecfd >= 0)
		close(ecfd);
	close(dir);
}

struct v1press *
v1press_open(const struct cgfs *fs, const char *path, int events)
{
	struct v1press *p = xcalloc(1, sizeof *p);
	int dir;

	p->fs = fs;
	p->path = xstrdup(path);
	p->faults = CG_UNKNOWN;
	p->io_file = -1;
	for (int i = 0; i < V1PRESS_NLEVELS; i++)
		p->efd[i] = -1;
	if (events)
		v1press_events(p);
	if ((dir = cgfs_open_dir(fs, CG_IO, path)) >= 0) {
		for (size_t i = 0; i < sizeof v1press_io_files / sizeof v1press_io_files[0]; i++)
			if (faccessat(dir, v1press_io_files[i], R_OK, 0) == 0) {
				p->io_file = (int)i;
				break;
			}
		close(dir);
	}
	return p;
}

void
v1press_close(struct v1press *p)
{
	if (p == NULL)
		return;
	for (int i = 0; i < V1PRESS_NLEVELS; i++)
		if (p->efd[i] >= 0)
			close(p->efd[i]);
	free(p->tasks);
	free(p->path);
	free(p);
}

size_t
v1press_fds(const struct v1press *p)
{
	return p != NULL && p->efd[0] >= 0 ? V1PRESS_NLEVELS : 0;
}

/* The run-queue wait of the subtree's threads. Returns the files read. */
static uint64_t
v1press_read_cpu(struct v1press *p, int64_t now_ms, int idle, char *buf, size_t len,
    uint64_t *ret)
{
	struct v1press_task *cur;
	pid_t *tids;
	size_t n, m = 0;
	char name[32];

	/* A container that ran nothing had no thread scheduled in, and the
	 * kernel adds to a thread's wait only when it is scheduled in: a walk
	 * would read the same waits. */
	if (idle && p->cpu.have) {
		*ret = v1press_step(&p->cpu, 0, now_ms, 1);
		return 0;
	}
	*ret = CG_UNKNOWN;
	if (knob_tasks(p->fs, p->path, V1PRESS_CGROUPS, V1PRESS_TASKS, &tids, &n) < 0) {
		p->cpu.have = 0;
		return 1;
	}
	cur = xreallocarray(NULL, n > 0 ? n : 1, sizeof *cur);
	for (size_t i = 0; i < n; i++) {
		uint64_t w;

		/* A thread that exited since the list was read is normal. */
		snprintf(name, sizeof name, "%d/schedstat", (int)tids[i]);
		if (cgfs_read_proc(p->fs, name, buf, len) > 0 &&
		    cgparse_schedstat(buf, &w) == 0) {
			cur[m].tid = tids[i];
			cur[m++].wait_ns = w;
		}
	}
	free(tids);
	if (n > 0 && m == 0) {
		/* Not one thread readable: a kernel without schedstats
		 * (CONFIG_SCHED_INFO), or all of them gone at once. */
		free(cur);
		p->cpu.have = 0;
		return 1 + n;
	}
	/* tids came sorted and unique, so cur is. */
	*ret = v1press_step(&p->cpu, v1press_wait_delta(p->tasks, p->ntasks, cur, m) / 1000,
	    now_ms, 1);
	free(p->tasks);
	p->tasks = cur;
	p->ntasks = m;
	return 1 + n;
}

/* The level notified since the last read, decayed, and the refaults. */
static uint64_t
v1press_read_mem(struct v1press *p, int64_t now_ms, char *buf, size_t len, uint64_t *ret)
{
	static const char *const keys[] = { "total_workingset_refault_anon",
		"total_workingset_refault_file", "total_workingset_refault", "total_pgmajfault" };
	uint64_t v[4], faults = CG_UNKNOWN, d = 0, el = v1press_elapsed_us(&p->mem, now_ms);
	double level;
	int dir, fired = 0;
	ssize_t r;

	*ret = CG_UNKNOWN;
	if ((dir = cgfs_open_dir(p->fs, CG_MEMORY, p->path)) < 0) {
		p->mem.have = 0;
		return 0;
	}
	r = cgfs_read_at(dir, "memory.stat", buf, len);
	close(dir);
	if (r < 0 && cgfs_gone((int)r)) {
		/* Gone: removal signals every eventfd, which is no pressure. */
		p->mem.have = 0;
		return 1;
	}
	if (r > 0 && cgparse_keyed(buf, keys, 4, v) > 0) {
		/* Refaults where the kernel counts them (5.9 split them by
		 * anon and file); major faults before. */
		if (v[0] != CG_UNKNOWN && v[1] != CG_UNKNOWN)
			faults = v[0] + v[1];
		else if (v[2] != CG_UNKNOWN)
			faults = v[2];
		else
			faults = v[3];
	}
	/* The eventfds: "low" also fires for medium and critical, so the
	 * highest one that fired is the level. */
	for (int i = 0; i < V1PRESS_NLEVELS; i++) {
		uint64_t cnt;

		if (p->efd[i] >= 0 && read(p->efd[i], &cnt, sizeof cnt) == sizeof cnt && cnt > 0)
			fired = v1press_levels[i].pct;
	}
	level = v1press_level_at(p->level_pct, p->level_ms, now_ms);
	if (fired > 0 && fired >= level) {
		p->level_pct = fired;
		p->level_ms = now_ms;
		level = fired;
	}
	if (p->efd[0] < 0 && faults == CG_UNKNOWN) {
		p->mem.have = 0;        /* neither signal */
		p->faults = CG_UNKNOWN;
		return 1;
	}
	if (faults != CG_UNKNOWN && p->faults != CG_UNKNOWN && faults > p->faults)
		d = faults - p->faults;
	p->faults = faults;
	*ret = v1press_step(&p->mem, v1press_mem_stall_us(level, d, el), now_ms, 0);
	return 1;
}

/* The queue wait of the subtree's requests, where the scheduler keeps it. */
static uint64_t
v1press_read_io(struct v1press *p, int64_t now_ms, char *buf, size_t len, uint64_t *ret)
{
	uint64_t rd, wr, ns;
	int dir;
	ssize_t r;

	*ret = CG_UNKNOWN;
	if (p->io_file < 0)
		return 0;
	if ((dir = cgfs_open_dir(p->fs, CG_IO, p->path)) < 0) {
		p->io.have = 0;
		return 0;
	}
	r = cgfs_read_at(dir, v1press_io_files[p->io_file], buf, len);
	close(dir);
	if (r < 0 || cgparse_blkio(buf, &rd, &wr) < 0 || rd == CG_UNKNOWN || wr == CG_UNKNOWN) {
		p->io.have = 0;
		return 1;
	}
	ns = rd + wr;
	*ret = v1press_step(&p->io, ns > p->io_wait_ns && p->io.have ?
	    (ns - p->io_wait_ns) / 1000 : 0, now_ms, 0);
	p->io_wait_ns = ns;
	return 1;
}

uint64_t
v1press_read(struct v1press *p, int64_t now_ms, int cpu_idle, char *buf, size_t len,
    uint64_t *ret_cpu_us, uint64_t *ret_mem_us, uint64_t *ret_io_us)
{
	uint64_t reads;

	reads = v1press_read_cpu(p, now_ms, cpu_idle, buf, len, ret_cpu_us);
	reads += v1press_read_mem(p, now_ms, buf, len, ret_mem_us);
	reads += v1press_read_io(p, now_ms, buf, len, ret_io_us);
	return reads;
}
