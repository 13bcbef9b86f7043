#!/bin/bash
# run.sh: the integration tests on a cgroup v2 kernel, in a qemu guest
# (`make check-v2`; doc/v2-guest.md says how and why).
#
#   bash tests/v2/run.sh --srcdir DIR --builddir DIR TEST...
#
# Boots Debian's own kernel under qemu's software emulation (TCG: no
# /dev/kvm needed) with cgroup_no_v1=all, on a root filesystem made once by
# mkimage.sh and cached, with the source tree (and the build tree, when it
# is another directory) shared in read-only over 9p; the guest copies them
# onto its disk and runs each TEST as root (guest.sh), then powers off.
# Prints automake's lines, "PASS: v2/TEST" (SKIP, FAIL, ERROR) and the
# "# TOTAL:" block, which .ci/run counts. The guest's console, each test's
# log and the kernel's log stay in BUILDDIR/tests/v2/out/.
#
# Environment: CGOV_V2_CACHE (image cache, default /var/cache/cgov-v2),
# CGOV_V2_MEM (guest MiB, 3072), CGOV_V2_SMP (vCPUs, 2), CGOV_V2_TIMEOUT
# (the whole guest, seconds, 3600), CGOV_V2_TEST_TIMEOUT (one test, 900),
# CGOV_V2_MIRROR (Debian archive for the first image build).
#
# Exit status: 0 every test passed or skipped; 1 a test failed or the guest
# did not finish; 77 the guest cannot be had here (no qemu and no way to
# install it, not root for the first build, no network for it): the reason
# is printed and the summary counts one skipped test, never a pass.
set -u
SRCDIR="" BUILDDIR=""
while [ $# -gt 0 ]; do
	case $1 in
	--srcdir) SRCDIR=$2; shift 2 ;;
	--builddir) BUILDDIR=$2; shift 2 ;;
	--) shift; break ;;
	-*) echo "usage: run.sh --srcdir DIR --builddir DIR TEST..." >&2; exit 2 ;;
	*) break ;;
	esac
done
[ -n "$SRCDIR" ] && [ -n "$BUILDDIR" ] && [ $# -gt 0 ] ||
	{ echo "usage: run.sh --srcdir DIR --builddir DIR TEST..." >&2; exit 2; }
SRCDIR=$(cd "$SRCDIR" && pwd) && BUILDDIR=$(cd "$BUILDDIR" && pwd) || exit 2
HERE=$SRCDIR/tests/v2
CACHE=${CGOV_V2_CACHE:-/var/cache/cgov-v2}
MEM=${CGOV_V2_MEM:-3072}
SMP=${CGOV_V2_SMP:-2}
TIMEOUT=${CGOV_V2_TIMEOUT:-3600}
TEST_TIMEOUT=${CGOV_V2_TEST_TIMEOUT:-900}
OUT=$BUILDDIR/tests/v2/out
T_START=$(date +%s)

summary() {   # summary TOTAL PASS SKIP FAIL ERROR
	echo "============================================================================"
	echo "Testsuite summary for cgov on a cgroup v2 kernel (qemu guest)"
	echo "============================================================================"
	echo "# TOTAL: $1"
	echo "# PASS:  $2"
	echo "# SKIP:  $3"
	echo "# XFAIL: 0"
	echo "# FAIL:  $4"
	echo "# XPASS: 0"
	echo "# ERROR: $5"
	echo "============================================================================"
}
# The whole v2 suite cannot run here: one skipped test, and why.
skip_all() {
	echo "SKIP: v2/check-v2: $*"
	summary 1 0 1 0 0
	exit 77
}
# It could not run for a reason that is a failure (a broken image build,
# a guest that does not boot): one error.
error_all() {
	echo "ERROR: v2/check-v2: $*"
	summary 1 0 0 0 1
	exit 1
}

# --- what the host needs ------------------------------------------------------
NEED_PKGS=""
command -v qemu-system-x86_64 >/dev/null 2>&1 || NEED_PKGS="$NEED_PKGS qemu-system-x86"
command -v debootstrap >/dev/null 2>&1 || NEED_PKGS="$NEED_PKGS debootstrap"
command -v mkfs.ext4 >/dev/null 2>&1 || NEED_PKGS="$NEED_PKGS e2fsprogs"
command -v wget >/dev/null 2>&1 || NEED_PKGS="$NEED_PKGS wget"
command -v flock >/dev/null 2>&1 || NEED_PKGS="$NEED_PKGS util-linux"
if [ -n "$NEED_PKGS" ]; then
	[ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1 ||
		skip_all "needs$NEED_PKGS (Debian packages), and cannot install them (not root, or no apt-get)"
	echo "v2: installing$NEED_PKGS"
	export DEBIAN_FRONTEND=noninteractive
	{ apt-get update -qq && apt-get install -y -qq --no-install-recommends $NEED_PKGS; } \
		> "${TMPDIR:-/tmp}/cgov-v2-apt.log" 2>&1 ||
		skip_all "cannot install$NEED_PKGS: $(tail -n 3 "${TMPDIR:-/tmp}/cgov-v2-apt.log" | tr '\n' ' ')"
fi
for f in cgov cgovd tests/helpers/cgov_hog tests/helpers/cgov_gen; do
	[ -x "$BUILDDIR/$f" ] || error_all "$BUILDDIR/$f is not built (make check-v2 builds it)"
done

# --- the image: cached under a hash of mkimage.sh ------------------------------
KEY=$(cat "$HERE/mkimage.sh" | sha256sum | cut -c1-16)
IMG=$CACHE/images/$KEY
mkdir -p "$CACHE/images" 2>/dev/null
if [ ! -f "$IMG/root.img" ]; then
	[ "$(id -u)" = 0 ] || skip_all "the guest image $IMG is not built yet, and building it (debootstrap) needs root"
	[ -w "$CACHE/images" ] || skip_all "cannot write the image cache $CACHE (set CGOV_V2_CACHE)"
fi
# One build at a time; a second run waits for the first one's image.
exec 9> "$CACHE/lock" 2>/dev/null || exec 9> /dev/null
flock 9
BUILT=""
if [ ! -f "$IMG/root.img" ]; then
	echo "v2: building the guest image $IMG (once; a few minutes)"
	rm -rf "$IMG" "$IMG.tmp"
	b0=$(date +%s)
	sh "$HERE/mkimage.sh" "$IMG" > "$CACHE/mkimage.log" 2>&1
	rc=$?
	if [ "$rc" != 0 ]; then
		tail -n 30 "$CACHE/mkimage.log"
		rm -rf "$IMG" "$IMG.tmp"
		[ "$rc" = 77 ] && skip_all "no guest image: $(grep -m 1 'cannot be reached' "$CACHE/mkimage.log")"
		error_all "building the guest image failed (exit $rc; $CACHE/mkimage.log)"
	fi
	BUILT=$(( $(date +%s) - b0 ))
	echo "v2: image built in $BUILT s: $(tail -n 1 "$CACHE/mkimage.log")"
	# Older images (another mkimage.sh) go, but the newest other one stays:
	# two branches side by side do not rebuild each other's every time.
	ls -1td "$CACHE"/images/*/ 2>/dev/null | tail -n +3 | while read -r old; do rm -rf "$old"; done
fi
touch "$IMG"
flock -u 9

# --- the guest -----------------------------------------------------------------
rm -rf "$OUT"
mkdir -p "$OUT" || error_all "cannot create $OUT"
printf '%s\n' "$@" > "$OUT/tests.list"
SPLIT=0
[ "$SRCDIR" = "$BUILDDIR" ] || SPLIT=1
printf 'TEST_TIMEOUT=%s\nSPLIT=%s\n' "$TEST_TIMEOUT" "$SPLIT" > "$OUT/config"
CONSOLE=$OUT/console.log
: > "$CONSOLE"

# mitigations=off: the guest runs only these tests, and the page-table
# switches of the speculation mitigations are very slow under emulation.
APPEND="root=/dev/vda rw rootfstype=ext4 fsck.mode=skip console=ttyS0 loglevel=4
	cgroup_no_v1=all psi=1 init=/sbin/cgov-v2-init panic=1 mitigations=off"
QARGS=(-accel tcg,thread=multi -machine q35 -cpu max -smp "$SMP" -m "$MEM" \
	-nodefaults -no-user-config -display none -no-reboot \
	-serial "file:$CONSOLE" \
	-kernel "$IMG/vmlinuz" -initrd "$IMG/initrd.img" -append "$(echo $APPEND)" \
	-drive "file=$IMG/root.img,if=virtio,format=raw,snapshot=on,cache=unsafe" \
	-virtfs "local,path=$SRCDIR,mount_tag=cgovsrc,security_model=none,readonly=on" \
	-virtfs "local,path=$OUT,mount_tag=cgovout,security_model=none")
[ "$SPLIT" = 1 ] &&
	QARGS+=(-virtfs "local,path=$BUILDDIR,mount_tag=cgovbuild,security_model=none,readonly=on")

echo "v2: booting $(cat "$IMG/kernel") under qemu (TCG, $SMP vCPUs, $MEM MiB); console in $CONSOLE"
g0=$(date +%s)
# The snapshot's writes go to a temporary file in TMPDIR: the cache stays pristine.
TMPDIR=${TMPDIR:-/var/tmp} timeout -k 10 "$TIMEOUT" qemu-system-x86_64 "${QARGS[@]}" > "$OUT/qemu.log" 2>&1 &
QEMU=$!
# The guest's progress lines, as they come.
tail -n +1 -F --pid="$QEMU" "$CONSOLE" 2>/dev/null | grep --line-buffered '^cgov-v2: ' | sed -u 's/^cgov-v2: /v2: guest: /' &
TAIL=$!
wait "$QEMU"
QRC=$?
wait "$TAIL" 2>/dev/null
GUEST_S=$(( $(date +%s) - g0 ))

# --- the results, as automake prints them --------------------------------------
total=0 pass=0 skip=0 fail=0 error=0
declare -A seen
if [ -f "$OUT/results" ]; then
	while read -r res t rc secs; do
		seen[$t]=1
		total=$((total + 1))
		case $res in
		PASS) pass=$((pass + 1)) ;;
		SKIP) skip=$((skip + 1)) ;;
		FAIL) fail=$((fail + 1)) ;;
		*) error=$((error + 1)); res=ERROR ;;
		esac
		echo "$res: v2/$t ($secs s)"
	done < "$OUT/results"
fi
# A test the guest never finished: a hang past the timeout, or a crash.
while read -r t; do
	[ -n "$t" ] && [ -z "${seen[$t]:-}" ] || continue
	total=$((total + 1)) error=$((error + 1))
	echo "ERROR: v2/$t (no result: the guest stopped first)"
done < "$OUT/tests.list"
if [ ! -f "$OUT/done" ]; then
	total=$((total + 1)) error=$((error + 1))
	why="the guest did not finish"
	[ "$QRC" = 124 ] || [ "$QRC" = 137 ] && why="the guest ran past $TIMEOUT s and was killed"
	[ -s "$OUT/abort" ] && why="the guest's runner stopped: $(cat "$OUT/abort")"
	echo "ERROR: v2/guest: $why (qemu exit $QRC)"
fi

# Failures: each failed test's log, and the console's end when the guest
# itself went wrong (all of it is in $OUT).
if [ $((fail + error)) -gt 0 ]; then
	[ -f "$OUT/results" ] && while read -r res t rc secs; do
		case $res in FAIL|ERROR) echo "=== v2/$t (exit $rc)"; tail -n 40 "$OUT/logs/$t.log" ;; esac
	done < "$OUT/results"
	# The test that was running when the guest stopped, as far as it got.
	while read -r t; do
		[ -n "$t" ] && [ -z "${seen[$t]:-}" ] && [ -s "$OUT/logs/$t.log" ] || continue
		echo "=== v2/$t (no result; its log so far)"
		tail -n 20 "$OUT/logs/$t.log"
	done < "$OUT/tests.list"
	if [ ! -f "$OUT/done" ]; then
		echo "=== the guest's console (last 60 lines of $CONSOLE)"
		tail -n 60 "$CONSOLE"
		[ -s "$OUT/qemu.log" ] && { echo "=== qemu"; tail -n 20 "$OUT/qemu.log"; }
	fi
fi

boot=$(awk '$1 == "booted_s" { print $2 }' "$OUT/guest" 2>/dev/null)
run=$(awk '$1 == "run_s" { print $2 }' "$OUT/guest" 2>/dev/null)
echo "v2: kernel $(awk '$1 == "kernel" { print $2 }' "$OUT/guest" 2>/dev/null); ${BUILT:+image built in $BUILT s, }boot to runner ${boot:-?} s, tests ${run:-?} s, guest ${GUEST_S} s, total $(( $(date +%s) - T_START )) s"
summary "$total" "$pass" "$skip" "$fail" "$error"
[ $((fail + error)) = 0 ]
