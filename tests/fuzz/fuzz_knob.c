/* fuzz_knob: the limits read back from cgroupfs (knob_read: memory, swap,
 * CPU shares/weight and quota, the v1 blkio.throttle files and v2 io.max,
 * pids.max, the freezer) and a container's cgroup.procs (knob_procs), in
 * both cgroup versions. A tenant cannot write its own limits, but a kernel
 * may print what this reader has not seen, and a file is cut short when
 * the cgroup vanishes mid-read.
 *
 * The first byte of the input picks a file of a fake cgroup "/ct" under a
 * temporary root (a cgfs_open_root layout, as tests/unit/test_knob.c
 * uses); the rest becomes that file, is read through the public API, and
 * the file is put back to its usual content, so every input meets the
 * same tree. Reading a pid of cgroup.procs reads that task's
 * /proc/PID/exe, else its comm: at most 4 tasks, in a fake /proc under the
 * same root (tasks 1 to 4: an exe link, one marked "(deleted)", a comm
 * alone, nothing), so that an input reads the same names on every run
 * (the host's tasks come and go, and libFuzzer wants a deterministic
 * target) and a pid costs one readlink(2), not a failed readlink and a
 * /proc file. Each file of the fake cgroup stays open: an input is
 * written with pwrite and ftruncate (and so is the usual content after
 * it), not an open, a write and a close each time. Built as a libFuzzer
 * target and as a replay over tests/fuzz/corpus/knob (fuzz_cgparse.c says
 * how).
 */
#include "config.h"

#include <fcntl.h>
#include <limits.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "cgfs.h"
#include "knob.h"
#include "log.h"
#include "policy.h"
#ifdef FUZZ_REPLAY_MAIN
#include "replay.h"
#endif

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

struct fuzz_knob_file {
	int version;
	const char *name, *usual;
	enum pol_knob k;                /* PK__MAX: knob_procs */
};

static const struct fuzz_knob_file fuzz_knob_files[] = {
	{ 1, "memory.limit_in_bytes", "9223372036854771712\n", PK_MEM_LIMIT },
	{ 1, "memory.soft_limit_in_bytes", "9223372036854771712\n", PK_MEM_HIGH },
	{ 1, "memory.memsw.limit_in_bytes", "9223372036854771712\n", PK_SWAP_BUFFER },
	{ 1, "cpu.shares", "1024\n", PK_CPU_WEIGHT },
	{ 1, "cpu.cfs_quota_us", "-1\n", PK_CPU_QUOTA },
	{ 1, "cpu.cfs_period_us", "100000\n", PK_CPU_QUOTA },
	{ 1, "blkio.throttle.read_bps_device", "8:0 1048576\n", PK_IO_RBPS },
	{ 1, "blkio.throttle.write_iops_device", "", PK_IO_WIOPS },
	{ 1, "pids.max", "max\n", PK_PIDS_MAX },
	{ 1, "freezer.state", "THAWED\n", PK_FREEZE },
	{ 1, "cgroup.procs", "1\n", PK__MAX },
	{ 2, "memory.max", "max\n", PK_MEM_LIMIT },
	{ 2, "memory.high", "max\n", PK_MEM_HIGH },
	{ 2, "memory.swap.max", "max\n", PK_SWAP_BUFFER },
	{ 2, "cpu.weight", "100\n", PK_CPU_WEIGHT },
	{ 2, "cpu.max", "max 100000\n", PK_CPU_QUOTA },
	{ 2, "io.max", "8:0 rbps=1048576 wbps=max riops=max wiops=100\n", PK_IO_RBPS },
	{ 2, "io.max", "8:0 rbps=1048576 wbps=max riops=max wiops=100\n", PK_IO_WIOPS },
	{ 2, "pids.max", "max\n", PK_PIDS_MAX },
	{ 2, "cgroup.freeze", "0\n", PK_FREEZE },
	{ 2, "cgroup.procs", "1\n", PK__MAX },
};
#define FUZZ_KNOB_NFILES (sizeof fuzz_knob_files / sizeof fuzz_knob_files[0])

/* On tmpfs where there is one: a truncate and a write on a disk file cost
 * more than the read under test. */
static char fuzz_knob_root[64];
static struct cgfs *fuzz_knob_fs[3];
static int fuzz_knob_fd[FUZZ_KNOB_NFILES];

/* The fake /proc: PID/exe links and PID/comm files. */
static const struct {
	const char *name, *link, *comm;
} fuzz_knob_tasks[] = {
	{ "1", "/usr/lib/jvm/bin/java", NULL },
	{ "2", "/usr/bin/postgres (deleted)", "postgres\n" },
	{ "3", NULL, "kworker/0:1\n" },
	{ "4", NULL, NULL },
};
#define FUZZ_KNOB_NTASKS (sizeof fuzz_knob_tasks / sizeof fuzz_knob_tasks[0])

/* File i of the fake cgroup now holds exactly n bytes of data. */
static void
fuzz_knob_put(size_t i, const void *data, size_t n)
{
	if ((n > 0 && pwrite(fuzz_knob_fd[i], data, n, 0) != (ssize_t)n) ||
	    ftruncate(fuzz_knob_fd[i], (off_t)n) < 0)
		abort();
}

static void
fuzz_knob_path(char *path, size_t len, const char *dir, const char *name)
{
	snprintf(path, len, "%s/%s/%s", fuzz_knob_root, dir, name);
}

static void
fuzz_knob_cleanup(void)
{
	char path[PATH_MAX], dir[64];

	for (size_t i = 0; i < FUZZ_KNOB_NFILES; i++) {
		close(fuzz_knob_fd[i]);
		fuzz_knob_path(path, sizeof path, "ct", fuzz_knob_files[i].name);
		unlink(path);
	}
	for (size_t i = 0; i < FUZZ_KNOB_NTASKS; i++) {
		snprintf(dir, sizeof dir, "proc/%s", fuzz_knob_tasks[i].name);
		fuzz_knob_path(path, sizeof path, dir, "exe");
		unlink(path);
		fuzz_knob_path(path, sizeof path, dir, "comm");
		unlink(path);
		fuzz_knob_path(path, sizeof path, "proc", fuzz_knob_tasks[i].name);
		rmdir(path);
	}
	fuzz_knob_path(path, sizeof path, "ct", "");
	rmdir(path);
	fuzz_knob_path(path, sizeof path, "proc", "");
	rmdir(path);
	rmdir(fuzz_knob_root);
	cgfs_close(fuzz_knob_fs[1]);
	cgfs_close(fuzz_knob_fs[2]);
}

static void
fuzz_knob_setup(void)
{
	char path[PATH_MAX], dir[64];
	int fd;

	log_init("fuzz_knob", 0, LOG_LEVEL_ERR);
	snprintf(fuzz_knob_root, sizeof fuzz_knob_root, "%s/cgov-fuzz-knob.XXXXXX",
	    access("/dev/shm", W_OK) == 0 ? "/dev/shm" : "/tmp");
	if (mkdtemp(fuzz_knob_root) == NULL)
		abort();
	fuzz_knob_path(path, sizeof path, "ct", "");
	if (mkdir(path, 0700) < 0)
		abort();
	for (size_t i = 0; i < FUZZ_KNOB_NFILES; i++) {
		fuzz_knob_path(path, sizeof path, "ct", fuzz_knob_files[i].name);
		if ((fuzz_knob_fd[i] = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0600)) < 0)
			abort();
		fuzz_knob_put(i, fuzz_knob_files[i].usual, strlen(fuzz_knob_files[i].usual));
	}
	fuzz_knob_path(path, sizeof path, "proc", "");
	if (mkdir(path, 0700) < 0)
		abort();
	for (size_t i = 0; i < FUZZ_KNOB_NTASKS; i++) {
		snprintf(dir, sizeof dir, "proc/%s", fuzz_knob_tasks[i].name);
		fuzz_knob_path(path, sizeof path, dir, "");
		if (mkdir(path, 0700) < 0)
			abort();
		fuzz_knob_path(path, sizeof path, dir, "exe");
		if (fuzz_knob_tasks[i].link != NULL && symlink(fuzz_knob_tasks[i].link, path) < 0)
			abort();
		fuzz_knob_path(path, sizeof path, dir, "comm");
		if (fuzz_knob_tasks[i].comm != NULL &&
		    ((fd = open(path, O_WRONLY | O_CREAT | O_CLOEXEC, 0600)) < 0 ||
		    write(fd, fuzz_knob_tasks[i].comm, strlen(fuzz_knob_tasks[i].comm)) < 0 ||
		    close(fd) < 0))
			abort();
	}
	fuzz_knob_path(path, sizeof path, "proc", "");
	if (cgfs_open_root(fuzz_knob_root, 1, path, 0, &fuzz_knob_fs[1]) < 0 ||
	    cgfs_open_root(fuzz_knob_root, 2, path, 0, &fuzz_knob_fs[2]) < 0)
		abort();
	atexit(fuzz_knob_cleanup);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const struct fuzz_knob_file *f;
	struct cgfs *fs;
	char **names;
	size_t i, n;
	int64_t v;

	if (fuzz_knob_fs[1] == NULL)
		fuzz_knob_setup();
	if (size == 0)
		return 0;
	i = data[0] % FUZZ_KNOB_NFILES;
	f = &fuzz_knob_files[i];
	fs = fuzz_knob_fs[f->version];
	fuzz_knob_put(i, data + 1, size - 1);
	if (f->k == PK__MAX) {
		if (knob_procs(fs, "/ct", 4, &names, &n) == 0)
			knob_procs_free(names, n);
	} else {
		knob_read(fs, "/ct", f->k, makedev(8, 0), &v);
	}
	fuzz_knob_put(i, f->usual, strlen(f->usual));
	return 0;
}

#ifdef FUZZ_REPLAY_MAIN
int
main(int argc, char **argv)
{
	return replay_main("knob", argc, argv);
}
#endif
