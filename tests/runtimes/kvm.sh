#!/bin/bash
# A libvirt guest (Debian's libvirt-daemon-system and qemu-system-x86) end
# to end: the test starts libvirtd where none runs, boots a tiny guest
# (Debian's kernel and an initramfs of busybox whose init spins one vCPU)
# with software emulation (TCG) when there is no /dev/kvm, and has cgovd
# find its cgroup by the built-in pattern (/machine/qemu-N-NAME.libvirt-qemu
# without systemd, /machine.slice/machine-qemu...scope with it), measure
# its memory against the kernel, hold it to a CPU quota of 0.2 cores (the
# parent of the vcpu threads' cgroups: the kernel counts the throttling and
# the qemu process's CPU time falls) and give libvirt's value back at exit.
. "$(dirname "$0")/lib.sh"
sb_init
rt_apt libvirt-daemon-system qemu-system-x86 jq
need libvirtd
need virsh
need qemu-system-x86_64
M=$((1024 * 1024))
VM=$RT_TAG-vm
KD="$RT_CACHE/kvm"
VIRSH="virsh -c qemu:///system"
STARTED_LIBVIRTD=""
STARTED_VIRTLOGD=""

rt_cleanup() {
	$VIRSH destroy "$VM" > /dev/null 2>&1
	[ -n "$STARTED_LIBVIRTD" ] && kill -TERM "$STARTED_LIBVIRTD" 2>/dev/null
	[ -n "$STARTED_VIRTLOGD" ] && kill -TERM "$STARTED_VIRTLOGD" 2>/dev/null
	rt_parent_drop /machine
}
rt_parent_note /machine
trap 'rc=$?; rt_cleanup; (exit $rc); sb_cleanup' EXIT

# The guest's kernel and initramfs, cached: Debian's kernel package and
# busybox-static, unpacked without installing them.
mkdir -p "$KD"
(
	flock 9
	[ -s "$KD/vmlinuz" ] && [ -s "$KD/initrd.gz" ] && exit 0
	cd "$KD" || exit 1
	rm -rf x ./*.deb
	kpkg=$(apt-cache depends linux-image-amd64 2>/dev/null | awk '/Depends: linux-image-/ { print $2; exit }')
	[ -n "$kpkg" ] || exit 1
	apt-get download "$kpkg" busybox-static cpio > dl.log 2>&1 || exit 1
	mkdir -p x/ir/bin x/ir/proc x/ir/dev &&
	dpkg-deb -x linux-image-*.deb x/k && dpkg-deb -x busybox-static_*.deb x/b &&
	dpkg-deb -x cpio_*.deb x/c || exit 1
	cp x/b/bin/busybox x/ir/bin/ && cp x/k/boot/vmlinuz-* vmlinuz.tmp || exit 1
	cat > x/ir/init <<-'EOF'
	#!/bin/busybox sh
	/bin/busybox mount -t proc proc /proc
	/bin/busybox mount -t devtmpfs dev /dev
	echo cgov-guest-up > /dev/ttyS0
	while :; do :; done
	EOF
	chmod +x x/ir/init
	(cd x/ir && find . | ../c/bin/cpio -o -H newc 2> /dev/null | gzip > ../../initrd.tmp) || exit 1
	mv vmlinuz.tmp vmlinuz && mv initrd.tmp initrd.gz && rm -rf x ./*.deb
) 9> "$KD/.lock" || skip "cannot build the guest's kernel and initramfs (no network to the archive?): $(tail -1 "$KD/dl.log" 2>/dev/null)"

if ! $VIRSH version > /dev/null 2>&1; then
	pgrep -x virtlogd > /dev/null || {
		virtlogd -d -p "$SB_TMP/virtlogd.pid" && STARTED_VIRTLOGD=$(cat "$SB_TMP/virtlogd.pid" 2>/dev/null)
	}
	libvirtd -d -p "$SB_TMP/libvirtd.pid" > "$SB_TMP/libvirtd.out" 2>&1 ||
		skip "libvirtd does not start here: $(tail -2 "$SB_TMP/libvirtd.out")"
	STARTED_LIBVIRTD=$(cat "$SB_TMP/libvirtd.pid")
	wait_until 30 '$VIRSH version > /dev/null 2>&1' || skip "libvirtd does not answer on qemu:///system"
fi
[ -e /dev/kvm ] && vtype=kvm || vtype=qemu
cat > "$SB_TMP/vm.xml" <<EOF
<domain type='$vtype'>
  <name>$VM</name>
  <memory unit='MiB'>128</memory>
  <vcpu>1</vcpu>
  <os>
    <type arch='x86_64' machine='pc'>hvm</type>
    <kernel>$KD/vmlinuz</kernel>
    <initrd>$KD/initrd.gz</initrd>
    <cmdline>console=ttyS0 quiet panic=-1</cmdline>
  </os>
  <on_poweroff>destroy</on_poweroff>
  <on_crash>destroy</on_crash>
  <devices>
    <serial type='file'><source path='$SB_TMP/console.log'/><target port='0'/></serial>
    <memballoon model='none'/>
  </devices>
</domain>
EOF
$VIRSH create "$SB_TMP/vm.xml" > "$SB_TMP/create.out" 2>&1 ||
	skip "libvirt cannot start a $vtype guest here: $(tail -2 "$SB_TMP/create.out")"
wait_until 180 'grep -q cgov-guest-up "$SB_TMP/console.log"' ||
	fail "the guest did not boot: $(tail -5 "$SB_TMP/console.log")"
QPID=$(pgrep -f "guest=$VM," | head -1)
[ -n "$QPID" ] || fail "no qemu process for $VM"
if rt_v2; then P=$(awk -F: '$1 == 0 { print $3 }' "/proc/$QPID/cgroup")
else P=$(awk -F: '$2 ~ /(^|,)memory(,|$)/ { print $3 }' "/proc/$QPID/cgroup"); fi
# qemu itself runs in the emulator cgroup (below libvirt/ with systemd).
P=${P%/emulator}
P=${P%/libvirt}
case "$P" in
/machine/qemu-*-$VM.libvirt-qemu|/machine.slice/machine-qemu*.scope) ;;
*) fail "the guest's cgroup is $P: not a layout cgov knows" ;;
esac
[ -n "$(find "$(rt_cg cpu "$P")" -maxdepth 2 -type d -name vcpu0)" ] || fail "no vcpu0 cgroup below $P"
pass "$vtype guest booted, cgroup $P (vcpu0 and emulator below it)"

if rt_v2; then
	quota() { awk '{ print $1 }' "$(rt_cg cpu "$P")/cpu.max"; }
	want_q=20000
else
	quota() { cat "$(rt_cg cpu "$P")/cpu.cfs_quota_us"; }
	want_q=20000
fi
throttled() { awk '$1 == "nr_throttled" { print $2 }' "$(rt_cg cpu "$P")/cpu.stat"; }
qemu_ticks() { awk '{ print $14 + $15 }' "/proc/$QPID/stat"; }
HZ=$(getconf CLK_TCK)
Q0=$(quota)
a=$(qemu_ticks); sleep 3; b=$(qemu_ticks)
before=$(awk -v d=$((b - a)) -v hz="$HZ" 'BEGIN { printf "%.2f", d / hz / 3 }')

POL="$SB_TMP/policies"
mkdir -p "$POL"
cat > "$POL/10-rt-kvm.policy" <<EOF
policy "rt-kvm" {
    match runtime libvirt
    match cgroup "/machine/*$RT_TAG-vm.libvirt-qemu" "/machine.slice/machine-qemu*$RT_TAG*.scope"
    cpu quota 0.2 cores
}
EOF
echo "exit-restore = all" > "$SB_TMP/cgov.conf"
rt_daemon --config "$SB_TMP/cgov.conf" --policies "$POL" --interval 500ms --rescan-interval 1s
wait_until 20 'test -n "$(db_q "select name from container where path = '"'$P'"'")"' ||
	fail "the guest was not discovered: $(db_q "select group_concat(path) from container")"
got=$(db_q "select name || ',' || runtime from container where path = '$P'")
[ "$got" = "$VM,libvirt" ] || fail "the guest is shown as $got, not $VM,libvirt"
pass "discovered without --containers as $got"

wait_until 20 'test "$(quota)" = $want_q' || fail "quota of the guest is $(quota), want $want_q"
t0=$(throttled)
a=$(qemu_ticks); sleep 4; b=$(qemu_ticks)
after=$(awk -v d=$((b - a)) -v hz="$HZ" 'BEGIN { printf "%.2f", d / hz / 4 }')
t1=$(throttled)
echo "figures: qemu CPU $before cores before, $after cores under the 0.2-core quota; nr_throttled +$((t1 - t0))"
[ $((t1 - t0)) -gt 0 ] || fail "the kernel did not throttle the guest's cgroup"
awk -v c="$after" 'BEGIN { exit !(c <= 0.3) }' || fail "qemu used $after cores under a 0.2-core quota"
pass "CPU quota 0.2 cores on the guest: the kernel throttled it ($((t1 - t0)) periods), qemu used $after cores (was $before)"

c=$(db_q "select id from container where path = '$P'")
kern=$(cat "$(rt_cg memory "$P")/memory.usage_in_bytes" 2>/dev/null || cat "$(rt_cg memory "$P")/memory.current")
mine=$(db_q "select mem_bytes from sample_v where cid = $c order by tick desc limit 1")
echo "figures: guest memory cgov $mine kernel $kern"
within "$mine" "$kern" 5 || fail "guest memory: cgov $mine, kernel $kern"
cpu=$(db_q "select coalesce(sum(cpu_us), -1) from sample_v where cid = $c")
echo "figures: guest CPU as cgov stored it: $cpu us (cpuacct of $P: $(cat "$(rt_cg cpuacct "$P")/cpuacct.usage" 2>/dev/null || echo none))"
pass "guest memory within 5% of the kernel's"

rt_daemon_stop
[ "$(quota)" = "$Q0" ] || fail "quota after cgovd's exit is $(quota), libvirt set $Q0"
pass "exit-restore all: the guest's quota is libvirt's again ($Q0)"
