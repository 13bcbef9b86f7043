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
 * /proc/PID/exe: at most 4 tasks. Built as a libFuzzer target and as a
 * replay over tests/fuzz/corpus/knob (fuzz_cgparse.c says how).
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

/* On tmpfs where there is one (fuzz_conf.c says why). */
static char fuzz_knob_root[64];
static struct cgfs *fuzz_knob_fs[3];

static void
fuzz_knob_put(const char *name, const void *data, size_t n)
{
	char path[PATH_MAX];
	int fd;

	snprintf(path, sizeof path, "%s/ct/%s", fuzz_knob_root, name);
	if ((fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600)) < 0 ||
	    (n > 0 && write(fd, data, n) != (ssize_t)n))
		abort();
	close(fd);
}

static void
fuzz_knob_cleanup(void)
{
	char path[PATH_MAX];

	for (size_t i = 0; i < FUZZ_KNOB_NFILES; i++) {
		snprintf(path, sizeof path, "%s/ct/%s", fuzz_knob_root, fuzz_knob_files[i].name);
		unlink(path);
	}
	snprintf(path, sizeof path, "%s/ct", fuzz_knob_root);
	rmdir(path);
	rmdir(fuzz_knob_root);
	cgfs_close(fuzz_knob_fs[1]);
	cgfs_close(fuzz_knob_fs[2]);
}

static void
fuzz_knob_setup(void)
{
	char path[PATH_MAX];

	log_init("fuzz_knob", 0, LOG_LEVEL_ERR);
	snprintf(fuzz_knob_root, sizeof fuzz_knob_root, "%s/cgov-fuzz-knob.XXXXXX",
	    access("/dev/shm", W_OK) == 0 ? "/dev/shm" : "/tmp");
	if (mkdtemp(fuzz_knob_root) == NULL)
		abort();
	snprintf(path, sizeof path, "%s/ct", fuzz_knob_root);
	if (mkdir(path, 0700) < 0)
		abort();
	for (size_t i = 0; i < FUZZ_KNOB_NFILES; i++)
		fuzz_knob_put(fuzz_knob_files[i].name, fuzz_knob_files[i].usual,
		    strlen(fuzz_knob_files[i].usual));
	if (cgfs_open_root(fuzz_knob_root, 1, "/proc", 0, &fuzz_knob_fs[1]) < 0 ||
	    cgfs_open_root(fuzz_knob_root, 2, "/proc", 0, &fuzz_knob_fs[2]) < 0)
		abort();
	atexit(fuzz_knob_cleanup);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const struct fuzz_knob_file *f;
	struct cgfs *fs;
	char **names;
	size_t n;
	int64_t v;

	if (fuzz_knob_fs[1] == NULL)
		fuzz_knob_setup();
	if (size == 0)
		return 0;
	f = &fuzz_knob_files[data[0] % FUZZ_KNOB_NFILES];
	fs = fuzz_knob_fs[f->version];
	fuzz_knob_put(f->name, data + 1, size - 1);
	if (f->k == PK__MAX) {
		if (knob_procs(fs, "/ct", 4, &names, &n) == 0)
			knob_procs_free(names, n);
	} else {
		knob_read(fs, "/ct", f->k, makedev(8, 0), &v);
	}
	fuzz_knob_put(f->name, f->usual, strlen(f->usual));
	return 0;
}

#ifdef FUZZ_REPLAY_MAIN
int
main(int argc, char **argv)
{
	return replay_main("knob", argc, argv);
}
#endif
