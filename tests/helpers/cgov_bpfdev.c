/* cgov_bpfdev: attaches a BPF_CGROUP_DEVICE program to a cgroup v2
 * directory, as a container runtime does on cgroup v2 (runc, crun,
 * systemd's DevicePolicy=), so that tests can turn `cgov audit`'s
 * devices-unrestricted finding off on v2.
 *
 * usage: cgov_bpfdev CGROUP_DIR
 *
 * The program is the smallest there is: "return 1" (allow). What it
 * allows does not matter to the audit, which only asks the kernel whether
 * a device program is in effect (BPF_PROG_QUERY): the kernel gives no way
 * to read a program's policy back. The attachment (BPF_PROG_ATTACH with
 * BPF_F_ALLOW_MULTI) outlives this process and goes with the cgroup.
 * Exit 0 attached, 1 failed (the reason on stderr), 2 usage.
 */
#include "config.h"

#include <sys/syscall.h>

#include <linux/bpf.h>

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

static long
bpfdev_sys(int cmd, union bpf_attr *a)
{
	return syscall(__NR_bpf, cmd, a, sizeof *a);
}

int
main(int argc, char **argv)
{
	struct bpf_insn prog[2];
	union bpf_attr a;
	char log[4096] = "";
	int cg, pfd;

	if (argc != 2) {
		fprintf(stderr, "usage: cgov_bpfdev CGROUP_DIR\n");
		return 2;
	}
	if ((cg = open(argv[1], O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0) {
		fprintf(stderr, "cgov_bpfdev: %s: %s\n", argv[1], strerror(errno));
		return 1;
	}
	memset(prog, 0, sizeof prog);
	prog[0].code = BPF_ALU64 | BPF_MOV | BPF_K;    /* r0 = 1 */
	prog[0].dst_reg = BPF_REG_0;
	prog[0].imm = 1;
	prog[1].code = BPF_JMP | BPF_EXIT;             /* return r0 */
	memset(&a, 0, sizeof a);
	a.prog_type = BPF_PROG_TYPE_CGROUP_DEVICE;
	a.insns = (uint64_t)(uintptr_t)prog;
	a.insn_cnt = 2;
	a.license = (uint64_t)(uintptr_t)"GPL";
	a.log_buf = (uint64_t)(uintptr_t)log;
	a.log_size = sizeof log;
	a.log_level = 1;
	if ((pfd = (int)bpfdev_sys(BPF_PROG_LOAD, &a)) < 0) {
		fprintf(stderr, "cgov_bpfdev: BPF_PROG_LOAD: %s%s%s\n", strerror(errno),
		    log[0] ? ": " : "", log);
		return 1;
	}
	memset(&a, 0, sizeof a);
	a.target_fd = (uint32_t)cg;
	a.attach_bpf_fd = (uint32_t)pfd;
	a.attach_type = BPF_CGROUP_DEVICE;
	a.attach_flags = BPF_F_ALLOW_MULTI;
	if (bpfdev_sys(BPF_PROG_ATTACH, &a) < 0) {
		fprintf(stderr, "cgov_bpfdev: BPF_PROG_ATTACH to %s: %s\n", argv[1], strerror(errno));
		return 1;
	}
	close(pfd);
	close(cg);
	return 0;
}
