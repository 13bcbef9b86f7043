#!/bin/bash
# guest.sh: the test runner inside the cgroup v2 guest (see doc/v2-guest.md).
#
# Started by the image's pid 1 (/sbin/cgov-v2-init, from mkimage.sh) once it
# has mounted the source tree's 9p share (tag cgovsrc) read-only at
# /mnt/cgov-src. It makes the node look like a systemd host on the unified
# hierarchy, copies the tree onto the guest's own disk, runs the integration
# tests run.sh listed, one at a time, as automake would, and writes each
# result and log to the writable share (tag cgovout) as it goes, so that a
# hang still leaves what ran before it. When it returns, pid 1 powers off.
#
# What run.sh puts in the out share before the boot:
#   tests.list   the tests, one relative path a line (the Makefile's
#                INTEGRATION_TESTS)
#   config       shell assignments: TEST_TIMEOUT, SPLIT (1 when the build
#                tree is a separate share, tag cgovbuild)
# What this script writes there:
#   results      "RESULT TEST EXIT SECONDS" a line, as each test ends
#   logs/TEST.log  each test's output
#   guest        facts about the guest (kernel, controllers, swap, times)
#   dmesg        the kernel's log at the end
#   done         written last: the run was complete
export PATH=/usr/sbin:/usr/bin:/sbin:/bin
umask 022
OUT=/mnt/cgov-out
SRC_SHARE=/mnt/cgov-src
WORK=/root/cgov
CG=/sys/fs/cgroup

say() { echo "cgov-v2: $*"; }
die() { say "$*"; [ -d "$OUT" ] && echo "$*" > "$OUT/abort"; exit 1; }
booted_s() { cut -d' ' -f1 /proc/uptime; }
BOOTED=$(booted_s)
say "runner started $BOOTED s after the kernel"

# --- the filesystems a systemd host has mounted ----------------------------
mkdir -p /dev/pts /dev/shm /run "$CG"
mountpoint -q /dev/pts || mount -t devpts -o gid=5,mode=620,ptmxmode=666 devpts /dev/pts
mountpoint -q /dev/shm || mount -t tmpfs -o mode=1777,nosuid,nodev tmpfs /dev/shm
mountpoint -q /run || mount -t tmpfs -o mode=755,nosuid,nodev tmpfs /run
mount -t 9p -o trans=virtio,version=9p2000.L,msize=262144 cgovout "$OUT" ||
	die "cannot mount the out share (9p tag cgovout)"
# /tmp stays on the root filesystem (virtio disk vda): the I/O tests need a
# filesystem on a real block device, whose writes the kernel accounts and
# throttles per cgroup; a tmpfs has none.
chmod 1777 /tmp
ip link set lo up 2>/dev/null
. "$OUT/config" || die "no config in the out share"

# --- cgroup v2 as systemd sets it up ----------------------------------------
# The kernel boots with cgroup_no_v1=all: every controller is on the
# unified hierarchy. systemd mounts it with these options, enables every
# controller at the root, puts itself in /init.scope, and enables in
# user.slice what its units account by default (memory and pids); the
# tests run in a session scope, as an administrator's shell does.
mount -t cgroup2 -o nosuid,nodev,noexec,nsdelegate,memory_recursiveprot cgroup2 "$CG" ||
	die "cannot mount cgroup2 at $CG"
for c in $(cat "$CG/cgroup.controllers"); do
	echo "+$c" > "$CG/cgroup.subtree_control" || say "cannot enable $c at the root"
done
mkdir -p "$CG/init.scope" "$CG/system.slice" "$CG/user.slice/user-0.slice/session-1.scope"
for p in $(cat "$CG/cgroup.procs"); do
	echo "$p" > "$CG/init.scope/cgroup.procs" 2>/dev/null   # kernel threads stay
done
echo "+memory +pids" > "$CG/user.slice/cgroup.subtree_control"
echo "+memory +pids" > "$CG/user.slice/user-0.slice/cgroup.subtree_control"
echo $$ > "$CG/user.slice/user-0.slice/session-1.scope/cgroup.procs" ||
	die "cannot move into the session scope"

# --- swap, so that swap buffers have something to give ----------------------
if modprobe zram num_devices=1 && echo 1G > /sys/block/zram0/disksize &&
	mkswap /dev/zram0 >/dev/null && swapon /dev/zram0; then
	:
else
	say "no zram swap: the swap checks will say so"
fi

# --- the tree, copied onto the guest's disk ----------------------------------
# Copied, not used in place: tests then run from an ordinary writable ext4
# tree, the same way they do in a checkout.
t0=$(date +%s)
mkdir -p "$WORK"
copy_tree() {   # copy_tree FROM TO
	mkdir -p "$2"
	tar -C "$1" --exclude=./.git --exclude=./autom4te.cache --exclude='*.o' --exclude='*.a' \
		--exclude=.deps \
		--exclude=./tests/v2/out --exclude=./fuzz-corpus --exclude=./fuzz-corpus-policy \
		-cf - . | tar -C "$2" -xf -
}
copy_tree "$SRC_SHARE" "$WORK/src" || die "cannot copy the source tree"
if [ "${SPLIT:-0}" = 1 ]; then
	mkdir -p /mnt/cgov-build
	mount -t 9p -o trans=virtio,version=9p2000.L,ro,msize=262144 cgovbuild /mnt/cgov-build ||
		die "cannot mount the build tree (9p tag cgovbuild)"
	copy_tree /mnt/cgov-build "$WORK/build" || die "cannot copy the build tree"
	umount /mnt/cgov-build
	BUILD=$WORK/build
else
	BUILD=$WORK/src
fi
# The source share stays mounted: this script is read from it.
say "tree copied in $(( $(date +%s) - t0 )) s"

{
	echo "kernel $(uname -r)"
	echo "cmdline $(cat /proc/cmdline)"
	echo "cpus $(nproc)"
	echo "memory_kib $(awk '/^MemTotal:/ { print $2 }' /proc/meminfo)"
	echo "controllers $(cat "$CG/cgroup.controllers")"
	echo "v1_hierarchies $(awk '$3 == "cgroup" { n++ } END { print n + 0 }' /proc/mounts)"
	echo "own_cgroup $(sed -n 's/^0:://p' /proc/self/cgroup)"
	echo "swap $(awk 'NR > 1 { print $1, $3 }' /proc/swaps | tr '\n' ' ')"
	echo "psi $(cat /proc/pressure/cpu 2>/dev/null | head -n 1)"
	echo "booted_s $BOOTED"
	echo "copy_s $(( $(date +%s) - t0 ))"
} > "$OUT/guest"

# --- the tests ---------------------------------------------------------------
: > "$OUT/results"
mapfile -t TESTS < "$OUT/tests.list"
n=0
run0=$(date +%s)
for t in "${TESTS[@]}"; do
	[ -n "$t" ] || continue
	n=$((n + 1))
	mkdir -p "$OUT/logs/$(dirname "$t")"
	log="$OUT/logs/$t.log"
	s0=$(date +%s%N)
	# The environment automake's harness gives them (Makefile.am's
	# AM_TESTS_ENVIRONMENT and srcdir), from the build directory.
	(
		cd "$BUILD" &&
		exec env srcdir="$WORK/src" CGOV_FIXTURES="$WORK/src/tests/fixtures/cgroupfs" \
			CGOV_BUILDDIR="$BUILD" CGOV_SRCDIR="$WORK/src" \
			timeout -k 20 "${TEST_TIMEOUT:-900}" "$WORK/src/$t"
	) > "$log" 2>&1 < /dev/null
	rc=$?
	secs=$(( ($(date +%s%N) - s0) / 1000000000 ))
	case $rc in
	0) res=PASS ;;
	77) res=SKIP ;;
	99) res=ERROR ;;
	124|137) res=ERROR; echo "cgov-v2: killed after ${TEST_TIMEOUT:-900} s" >> "$log" ;;
	*) res=FAIL ;;
	esac
	# A test must leave no cgroup behind.
	left=$(find "$CG" -mindepth 1 -type d -name 'cgov-test.*' 2>/dev/null)
	if [ -n "$left" ]; then
		echo "cgov-v2: cgroups left behind: $left" >> "$log"
		[ "$res" = PASS ] && res=FAIL
		# Not blamed on the next test.
		for d in $left; do find "$d" -depth -type d -exec rmdir {} + 2>/dev/null; done
	fi
	echo "$res $t $rc $secs" >> "$OUT/results"
	say "[$n/${#TESTS[@]}] $res: $t ($secs s)"
done
echo "run_s $(( $(date +%s) - run0 ))" >> "$OUT/guest"
dmesg > "$OUT/dmesg" 2>/dev/null
echo ok > "$OUT/done"
sync
say "all tests ran in $(( $(date +%s) - run0 )) s"
