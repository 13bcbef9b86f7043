#!/bin/bash
# LXC 5 (Debian's lxc) end to end: three real containers on a cached
# bookworm rootfs, governed by a cgovd that finds them by its built-in
# pattern (no --containers).
#  - two hardened (memory + memsw limits, cpu.shares 2048, a device
#    allow-list, cap.drop) and one without limits; names shown;
#  - cgov's figures against cgroupfs: memory, CPU (cpuacct), I/O bytes
#    (blkio / io.stat);
#  - a CPU hog, a write flood and a memory storm inside, governed by rules
#    matching runtime lxc, and everything restored after;
#  - a real JVM started inside with lxc-attach and moved into a sub-cgroup
#    (NAME/system.slice/x.service) gets the shipped jvm policy's swap
#    buffer; when it leaves, the buffer goes back by cgovd's exit;
#  - LXC's own limits are as LXC set them once cgovd has exited;
#  - a container restarted while a rule is in force is a new tenant: the
#    old one's throttle is not carried into it.
. "$(dirname "$0")/lib.sh"
sb_init
rt_apt lxc debootstrap jq
need lxc-start
need jq
ROOTFS=$(rt_rootfs) || exit $?
LXCP="$SB_TMP/lxc"
mkdir -p "$LXCP"
CTS=""

rt_cleanup() {
	local n
	for n in $CTS; do
		lxc-stop -P "$LXCP" -n "$n" -k > /dev/null 2>&1
		lxc-destroy -P "$LXCP" -n "$n" > /dev/null 2>&1
	done
}
trap 'rc=$?; rt_cleanup; (exit $rc); sb_cleanup' EXIT

H1=$RT_TAG-hard1
H2=$RT_TAG-hard2
S=$RT_TAG-soft
M=$((1024 * 1024))
# cgroup v1 or v2 spelling of the hardening guides' settings.
if rt_v2; then
	hard_conf() {
		cat <<-EOF
		lxc.cgroup2.memory.max = 512M
		lxc.cgroup2.memory.swap.max = 256M
		lxc.cgroup2.cpu.weight = 79
		lxc.cgroup2.devices.deny = a
		EOF
		for d in "c 1:3 rwm" "c 1:5 rwm" "c 1:8 rwm" "c 1:9 rwm" "c 5:0 rwm" "c 5:2 rwm" "c 136:* rwm"; do
			echo "lxc.cgroup2.devices.allow = $d"
		done
	}
else
	hard_conf() {
		cat <<-EOF
		lxc.cgroup.memory.limit_in_bytes = 512M
		lxc.cgroup.memory.memsw.limit_in_bytes = 768M
		lxc.cgroup.cpu.shares = 2048
		lxc.cgroup.devices.deny = a
		EOF
		for d in "c 1:3 rwm" "c 1:5 rwm" "c 1:8 rwm" "c 1:9 rwm" "c 5:0 rwm" "c 5:2 rwm" "c 136:* rwm"; do
			echo "lxc.cgroup.devices.allow = $d"
		done
	}
fi

# mk_ct NAME HARD: a container on an overlay of the cached rootfs. No
# network (lxc.net.0.type = empty) and no AppArmor profile, as this
# non-systemd host needs; sleep is its init (minbase has none). The test's
# helpers, the host's JVM and a scratch directory on a block device (for
# direct I/O the kernel accounts to the container) are bind-mounted.
mk_ct() {
	local n=$1 dir="$LXCP/$1"
	mkdir -p "$dir/delta" "$dir/work" "$SB_TMP/scratch-$n"
	{
		echo "lxc.include = /usr/share/lxc/config/common.conf"
		echo "lxc.arch = linux64"
		echo "lxc.uts.name = $n"
		echo "lxc.rootfs.path = overlay:$ROOTFS:$dir/delta"
		echo "lxc.net.0.type = empty"
		echo "lxc.apparmor.profile = unconfined"
		echo "lxc.init.cmd = /bin/sleep infinity"
		echo "lxc.mount.entry = $CGOV_BUILDDIR/tests/helpers cgov none bind,ro,create=dir 0 0"
		echo "lxc.mount.entry = $SB_TMP/scratch-$n scratch none bind,create=dir 0 0"
		if [ -n "$JVM_DIR" ]; then
			echo "lxc.mount.entry = /usr/lib/jvm usr/lib/jvm none bind,ro,create=dir 0 0"
			[ -d /etc/java-17-openjdk ] &&
				echo "lxc.mount.entry = /etc/java-17-openjdk etc/java-17-openjdk none bind,ro,create=dir 0 0"
		fi
		if [ "$2" = hard ]; then
			hard_conf
			echo "lxc.cap.drop = sys_module sys_rawio sys_time mac_admin mac_override"
		fi
	} > "$dir/config"
	CTS="$CTS $n"
}
start_ct() {
	CT=$1
	lxc-start -P "$LXCP" -n "$CT" -d -l INFO -o "$SB_TMP/$CT.lxc.log" ||
		fail "lxc-start $CT: $(tail -3 "$SB_TMP/$CT.lxc.log")"
	wait_until 30 'test "$(lxc-info -P "$LXCP" -n "$CT" -sH)" = RUNNING' ||
		fail "$CT did not start: $(grep -E "ERROR" "$SB_TMP/$CT.lxc.log" | tail -5)"
}
# cg_of NAME: the container's cgroup path, from its init's /proc/PID/cgroup.
cg_of() {
	local pid
	pid=$(lxc-info -P "$LXCP" -n "$1" -pH)
	if rt_v2; then
		awk -F: '$1 == 0 { print $3 }' "/proc/$pid/cgroup"
	else
		awk -F: '$2 ~ /(^|,)memory(,|$)/ { print $3 }' "/proc/$pid/cgroup"
	fi
}
att() { local n=$1; shift; lxc-attach -P "$LXCP" -n "$n" --clear-env -- "$@"; }
# hogs_in PATH...: the pids of this test's loads (cgov_hog) in those
# containers' cgroups; kill_hogs PATH: SIGKILL them, by pid.
hogs_in() {
	local p f
	for p in "$@"; do
		for f in $(find "$(rt_cg memory "$p")" -name cgroup.procs); do
			for pid in $(cat "$f"); do
				[ "$(basename "$(readlink "/proc/$pid/exe" 2>/dev/null)")" = cgov_hog ] && echo "$pid"
			done
		done
	done
}
kill_hogs() { local pid; for pid in $(hogs_in "$1"); do kill -KILL "$pid" 2>/dev/null; done; }

JVM_DIR=""
command -v java > /dev/null && JVM_DIR=$(dirname "$(dirname "$(readlink -f "$(command -v java)")")")
case "$JVM_DIR" in /usr/lib/jvm/*) ;; *) JVM_DIR="" ;; esac

mk_ct "$H1" hard
mk_ct "$H2" hard
mk_ct "$S" soft
for n in $CTS; do start_ct "$n"; done
P1=$(cg_of "$H1"); P2=$(cg_of "$H2"); PS=$(cg_of "$S")
# cgov's built-in pattern is /lxc.payload.*: an LXC that nests its
# containers elsewhere (lxc.cgroup.relative) is not this test's case.
case "$P1" in /lxc.payload.$H1) ;; *) skip "LXC put $H1 at $P1, not /lxc.payload.$H1" ;; esac
pass "three containers running: $P1 $P2 $PS"

# What LXC set, to compare after cgovd has gone.
lxc_limits() {
	local p=$1
	if rt_v2; then
		cat "$(rt_cg memory "$p")/memory.max" "$(rt_cg memory "$p")/memory.swap.max" \
			"$(rt_cg cpu "$p")/cpu.weight"
	else
		cat "$(rt_cg memory "$p")/memory.limit_in_bytes" \
			"$(rt_cg memory "$p")/memory.memsw.limit_in_bytes" \
			"$(rt_cg cpu "$p")/cpu.shares" "$(rt_cg devices "$p")/devices.list" \
			"$(rt_cg cpu "$p")/cpu.cfs_quota_us" "$(rt_cg memory "$p")/memory.soft_limit_in_bytes"
		cat "$(rt_cg blkio "$p")/blkio.throttle.write_bps_device"
	fi
}
LIM_H1=$(lxc_limits "$P1"); LIM_H2=$(lxc_limits "$P2"); LIM_S=$(lxc_limits "$PS")
if ! rt_v2; then
	[ "$(cat "$(rt_cg memory "$P1")/memory.limit_in_bytes")" = $((512 * M)) ] &&
		[ "$(cat "$(rt_cg cpu "$P1")/cpu.shares")" = 2048 ] ||
		fail "LXC did not apply the hardening: $LIM_H1"
fi

# Policies: rules for runtime lxc with short durations (the shipped
# 10-lxc-noisy.policy waits 30 s; its shape is kept), and the shipped jvm
# policy, both narrowed to this run's containers.
POL="$SB_TMP/policies"
mkdir -p "$POL"
cat > "$POL/10-rt-lxc.policy" <<EOF
policy "rt-lxc" {
    match runtime lxc
    match cgroup "/lxc.payload.$RT_TAG-*"
    cooldown 2s
    rule "cpu-hog" {
        when  cpu > 0.25 cores for 2s
        do    cpu quota 0.15 cores
        until cpu < 0.05 cores for 2s
    }
    rule "io-flood" {
        when  io.write > 15M/s for 2s
        do    io write-limit 8M/s
        until io.write < 4M/s for 2s
    }
    rule "memory-storm" {
        when  memory > 80% of limit for 2s
        do    memory high 70% of limit
        until memory < 50% of limit for 2s
    }
}
EOF
sed "s|^\(\s*\)match process \"java\"|\1match cgroup \"/lxc.payload.$RT_TAG-*\"\n\1match process \"java\"|" \
	"$CGOV_SRCDIR/policies/20-jvm.policy" > "$POL/20-jvm.policy"
grep -q "match cgroup" "$POL/20-jvm.policy" || fail "could not narrow the shipped jvm policy"
"$CGOV" policy check "$POL" > "$SB_TMP/check.out" 2>&1 || fail "policies: $(cat "$SB_TMP/check.out")"
cat > "$SB_TMP/cgov.conf" <<EOF
process-interval = 1s
EOF

rt_daemon --config "$SB_TMP/cgov.conf" --policies "$POL" --interval 500ms --rescan-interval 1s
for n in "$H1" "$H2" "$S"; do
	wait_until 20 'test "$(db_q "select name || \",\" || runtime from container where path = '"'/lxc.payload.$n'"'")" = "'"$n"',lxc"' ||
		fail "$n not discovered by the built-in pattern: $(db_q "select group_concat(path) from container")"
done
top_names=$("$CGOV" --db "$DB" top --format json | jq -r '[.containers[].name] | sort | join(",")')
for n in "$H1" "$H2" "$S"; do
	case ",$top_names," in *",$n,"*) ;; *) fail "cgov top shows $top_names, not $n" ;; esac
done
pass "discovered without --containers, runtime lxc, names shown: $H1 $H2 $S"

cid() { db_q "select id from container where path = '$1' and gone_ms is null"; }
ticks() { db_q "select count(*) from tick"; }
wait_ticks() { WT=$(( $(ticks) + $1 )); wait_until 20 'test "$(ticks)" -ge $WT' || fail "ticks stopped"; }

# --- figures against cgroupfs (idle containers) ---------------------------
wait_ticks 3
for n in H1 H2 S; do
	eval "p=\$P${n#H}"
	c=$(cid "$p")
	kern=$(cat "$(rt_cg memory "$p")/memory.usage_in_bytes" 2>/dev/null || cat "$(rt_cg memory "$p")/memory.current")
	mine=$(db_q "select mem_bytes from sample_v where cid = $c order by tick desc limit 1")
	within "$mine" "$kern" 2 || fail "memory of $p: cgov $mine, kernel $kern"
	echo "figures: $p memory cgov $mine kernel $kern"
done
pass "memory of the three containers within 2% of the kernel's"

cpu_kern_us() {
	if rt_v2; then awk '$1 == "usage_usec" { print $2 }' "$(rt_cg cpu "$1")/cpu.stat"
	else echo $(( $(cat "$(rt_cg cpuacct "$1")/cpuacct.usage") / 1000 )); fi
}
wbytes_kern() {
	if rt_v2; then
		awk '{ for (i = 2; i <= NF; i++) if ($i ~ /^wbytes=/) { sub("wbytes=", "", $i); s += $i } } END { printf "%.0f\n", s }' "$(rt_cg io "$1")/io.stat"
	else
		awk '$2 == "Write" { s += $3 } END { printf "%.0f\n", s }' "$(rt_cg blkio "$1")/blkio.throttle.io_service_bytes_recursive"
	fi
}
C1=$(cid "$P1"); C2=$(cid "$P2"); CS=$(cid "$PS")
k_cpu0=$(cpu_kern_us "$P1"); k_io0=$(wbytes_kern "$PS")
t_cpu0=$(db_q "select max(tick) from sample_v where cid = $C1")
t_io0=$(db_q "select max(tick) from sample_v where cid = $CS")

# --- a CPU hog, a write flood and a memory storm at once ------------------
att "$H1" /cgov/cgov_hog spin > "$SB_TMP/spin.out" 2>&1 &
SB_PIDS="$SB_PIDS $!"
att "$S" /cgov/cgov_hog flood /scratch/flood > "$SB_TMP/flood.out" 2>&1 &
SB_PIDS="$SB_PIDS $!"
att "$H2" /cgov/cgov_hog grow $((440 * M)) > "$SB_TMP/grow.out" 2>&1 &
SB_PIDS="$SB_PIDS $!"
if rt_v2; then
	quota() { awk '{ print $1 }' "$(rt_cg cpu "$1")/cpu.max"; }
	wlimit() { grep -o 'wbps=[0-9]*' "$(rt_cg io "$1")/io.max" | head -1 | cut -d= -f2; }
	high() { cat "$(rt_cg memory "$1")/memory.high"; }
else
	quota() { cat "$(rt_cg cpu "$1")/cpu.cfs_quota_us"; }
	wlimit() { awk '{ print $2; exit }' "$(rt_cg blkio "$1")/blkio.throttle.write_bps_device"; }
	high() { cat "$(rt_cg memory "$1")/memory.soft_limit_in_bytes"; }
fi
Q0=$(quota "$P1"); H0=$(high "$P2"); QB=$(quota "$P2")
wait_until 60 'test "$(quota "$P1")" = 15000' || fail "cpu-hog: quota of $H1 is $(quota "$P1")"
pass "cpu-hog: $H1 capped at 0.15 cores (cfs quota 15000)"
wait_until 60 'test "$(wlimit "$PS")" = $((8 * M))' || fail "io-flood: write limit of $S is $(wlimit "$PS")"
# The kernel's own counter over 4 s under the limit.
a=$(wbytes_kern "$PS"); sleep 4; b=$(wbytes_kern "$PS")
rate=$(( (b - a) / 4 ))
[ "$rate" -le $((12 * M)) ] || fail "io-flood: $S still writes $rate B/s under an 8M/s limit"
pass "io-flood: $S limited to 8M/s, the kernel counts $rate B/s"
wait_until 60 'test "$(high "$P2")" != "$H0"' || fail "memory-storm: memory high of $H2 unchanged ($(high "$P2"))"
pass "memory-storm: $H2 memory high $(high "$P2") (70% of 512M is $((512 * M * 7 / 10)))"

# Stop the loads; the figures against the kernel's counters over the loads.
for p in "$P1" "$P2" "$PS"; do kill_hogs "$p"; done
wait_until 20 'test -z "$(hogs_in "$P1" "$P2" "$PS")"' || fail "loads still running"
wait_ticks 3
k_cpu=$(( $(cpu_kern_us "$P1") - k_cpu0 )); k_io=$(( $(wbytes_kern "$PS") - k_io0 ))
c_cpu=$(db_q "select sum(cpu_us) from sample_v where cid = $C1 and tick > $t_cpu0")
c_io=$(db_q "select sum(wbytes) from sample_v where cid = $CS and tick > $t_io0")
echo "figures: $H1 cpu cgov ${c_cpu} us kernel ${k_cpu} us; $S written cgov $c_io B kernel $k_io B"
within "$c_cpu" "$k_cpu" 5 || fail "CPU of $H1: cgov $c_cpu us, cpuacct $k_cpu us"
within "$c_io" "$k_io" 1 || fail "bytes written by $S: cgov $c_io, kernel $k_io"
pass "CPU within 5% of cpuacct, bytes written within 1% of the kernel's counter"

wait_until 60 'test "$(quota "$P1")" = "$Q0"' || fail "quota of $H1 not restored ($(quota "$P1"), was $Q0)"
wait_until 60 'test -z "$(wlimit "$PS")"' || fail "write limit of $S not restored ($(wlimit "$PS"))"
wait_until 60 'test "$(high "$P2")" = "$H0"' || fail "memory high of $H2 not restored ($(high "$P2"))"
pass "the three rules cleared and their knobs are back"

# --- a JVM as a service, in a sub-cgroup -------------------------------------
if [ -n "$JVM_DIR" ]; then
	cat > "$SB_TMP/scratch-$H1/Idle.java" <<-'EOF'
	public class Idle {
		public static void main(String[] args) throws Exception {
			System.out.println("ready");
			Thread.sleep(Long.MAX_VALUE);
		}
	}
	EOF
	svc=system.slice/x.service
	# Compiled on the host where javac is: the source launcher costs
	# seconds of CPU, which the cpu-hog rule would cap.
	jmain=/scratch/Idle.java
	if [ -x "$JVM_DIR/bin/javac" ] && "$JVM_DIR/bin/javac" -d "$SB_TMP/scratch-$H1" "$SB_TMP/scratch-$H1/Idle.java"; then
		jmain="-cp /scratch Idle"
	fi
	if rt_v2; then mounts=/sys/fs/cgroup; else mounts=$(ls -d /sys/fs/cgroup/*/); fi
	for m in $mounts; do [ -d "${m%/}$P1" ] && mkdir -p "${m%/}$P1/$svc"; done
	if rt_v2; then swapbuf() { cat "$(rt_cg memory "$1")/memory.swap.max"; }
	else swapbuf() { echo $(( $(cat "$(rt_cg memory "$1")/memory.memsw.limit_in_bytes") - $(cat "$(rt_cg memory "$1")/memory.limit_in_bytes") )); }; fi
	B0=$(swapbuf "$P1")
	[ "$B0" = $((256 * M)) ] || fail "$H1's swap buffer before the JVM is $B0, LXC set 256M"
	# The service's shell is moved into the sub-cgroup (as systemd inside
	# would start it there) and only then becomes the JVM: it waits for
	# /scratch/go, and is found on the host by its pid in the container's
	# pid namespace (NSpid).
	att "$H1" /bin/sh -c 'echo $$ > /scratch/svc.pid; while [ ! -e /scratch/go ]; do sleep 0.1; done; exec "$0" "$@"' \
		"$JVM_DIR/bin/java" -Xmx32m -Xss512k -XX:TieredStopAtLevel=1 -XX:+UseSerialGC \
		$jmain > "$SB_TMP/jvm.out" 2>&1 &
	SB_PIDS="$SB_PIDS $!"
	wait_until 30 'test -s "$SB_TMP/scratch-$H1/svc.pid"' || fail "the service shell did not start"
	nspid=$(cat "$SB_TMP/scratch-$H1/svc.pid")
	spid=""
	for p in $(cat "$(rt_cg memory "$P1")/cgroup.procs"); do
		[ "$(awk '$1 == "NSpid:" { print $NF }' "/proc/$p/status" 2>/dev/null)" = "$nspid" ] && spid=$p
	done
	[ -n "$spid" ] || fail "the service shell (pid $nspid inside) is not in $P1"
	for m in $mounts; do [ -d "${m%/}$P1/$svc" ] && echo "$spid" > "${m%/}$P1/$svc/cgroup.procs"; done
	touch "$SB_TMP/scratch-$H1/go"
	wait_until 180 'grep -q ready "$SB_TMP/jvm.out"' || fail "java did not start in $H1: $(cat "$SB_TMP/jvm.out")"
	jpid=$(for p in $(cat "$(rt_cg memory "$P1/$svc")/cgroup.procs"); do
		[ "$(basename "$(readlink "/proc/$p/exe")")" = java ] && echo "$p"; done | head -1)
	[ -n "$jpid" ] || fail "the JVM is not in $P1/$svc"
	for p in $(cat "$(rt_cg memory "$P1")/cgroup.procs"); do
		[ "$(basename "$(readlink "/proc/$p/exe")")" = java ] && fail "a JVM in $P1's own cgroup"
	done
	wait_until 30 'test "$(swapbuf "$P1")" = $((512 * M))' ||
		fail "the JVM in $P1/$svc: swap buffer $(swapbuf "$P1"), want the jvm policy's 512M"
	pass "a real JVM in $P1/$svc: swap buffer 512M (was $B0)"
	kill -KILL "$jpid"
	wait_until 20 'grep -q "lxc.payload.$H1: no JVM runs in it any more" "$DAEMON_LOG"' ||
		fail "the JVM's exit was not seen"
fi

# --- a container restarted while a rule is in force ---------------------------
att "$H2" /cgov/cgov_hog spin > "$SB_TMP/spin2.out" 2>&1 &
SB_PIDS="$SB_PIDS $!"
wait_until 60 'test "$(quota "$P2")" = 15000' || fail "cpu-hog in $H2: quota $(quota "$P2")"
ino_old=$(stat -c %i "$(rt_cg cpu "$P2")")
lxc-stop -P "$LXCP" -n "$H2" -k || fail "lxc-stop $H2"
start_ct "$H2"
[ "$(cg_of "$H2")" = "$P2" ] || fail "$H2 came back at $(cg_of "$H2")"
[ "$(stat -c %i "$(rt_cg cpu "$P2")")" != "$ino_old" ] || fail "the restarted $H2 has the same cgroup inode"
wait_ticks 6
[ "$(quota "$P2")" = "$QB" ] || fail "the old tenant's quota $(quota "$P2") was carried into the restarted $H2"
[ "$(db_q "select count(*) from container where path = '$P2' and gone_ms is null")" = 1 ] ||
	fail "container rows for $P2: $(db_q "select group_concat(id || ':' || coalesce(gone_ms, 'live')) from container where path = '$P2'")"
pass "restarted while cpu-hog was in force: a new tenant with LXC's own quota ($QB)"

# --- cgovd exits: LXC's own limits are LXC's again ---------------------------
rt_daemon_stop
LIM_H1b=$(lxc_limits "$P1"); LIM_Sb=$(lxc_limits "$PS")
[ "$LIM_H1b" = "$LIM_H1" ] || fail "$H1's limits after cgovd: $(echo $LIM_H1b), LXC set $(echo $LIM_H1)"
[ "$LIM_Sb" = "$LIM_S" ] || fail "$S's limits after cgovd: $(echo $LIM_Sb), LXC set $(echo $LIM_S)"
[ "$(lxc_limits "$P2")" = "$LIM_H2" ] || fail "$H2's limits after cgovd: $(lxc_limits "$P2" | tr '\n' ' ')"
n=$("$CGOV" --db "$DB" status --format json | jq '.in_force | length')
[ "$n" = 0 ] || fail "status: $n knobs still in force after the exit"
pass "after cgovd's exit every limit is as LXC set it (memory, memsw, shares, devices, quota, io)"
