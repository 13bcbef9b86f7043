#!/bin/bash
# Docker (Debian's docker.io) end to end, with a daemon of the test's own
# (private data-root, exec-root and socket; no bridge, no iptables) and an
# image from no registry: `docker import` of the cached debootstrap rootfs.
# For each cgroup driver this host allows (cgroupfs always; systemd only
# where systemd runs): two containers, one with Docker's limits (memory,
# cpu-shares) and one without; cgovd finds them by its built-in pattern
# (no --containers), shows them by their Docker names (cgov.conf
# docker-root: the private data-root), measures them against cgroupfs, caps a CPU hog inside and
# restores it, and leaves Docker's own limits as Docker set them.
. "$(dirname "$0")/lib.sh"
sb_init
rt_apt docker.io jq
need dockerd
need jq
DOCKER=/usr/bin/docker
[ -x "$DOCKER" ] || DOCKER=$(command -v docker) || skip "no docker client"
TAR=$(rt_tarball) || exit $?
M=$((1024 * 1024))

DROOT="$SB_TMP/docker"
SOCK="$SB_TMP/docker.sock"
DOCKERD_PID=""
CIDS=""
dk() { "$DOCKER" -H "unix://$SOCK" "$@"; }

rt_cleanup() {
	local c
	for c in $CIDS; do dk rm -f "$c" > /dev/null 2>&1; done
	if [ -n "$DOCKERD_PID" ]; then
		kill -TERM "$DOCKERD_PID" 2>/dev/null
		wait_until 30 'proc_exited "$DOCKERD_PID"' || kill -KILL "$DOCKERD_PID" 2>/dev/null
		wait "$DOCKERD_PID" 2>/dev/null
	fi
	# Mounts left under the data-root would keep rm -rf from it.
	grep -o " $DROOT[^ ]*" /proc/self/mounts 2>/dev/null | sort -r | while read -r m; do umount -l "$m"; done
	rm -rf "$DROOT" 2>/dev/null
	rt_parent_drop /docker
}
rt_parent_note /docker
trap 'rc=$?; rt_cleanup; (exit $rc); sb_cleanup' EXIT

# start_dockerd DRIVER
start_dockerd() {
	mkdir -p "$DROOT/data" "$DROOT/exec"
	dockerd --data-root "$DROOT/data" --exec-root "$DROOT/exec" -H "unix://$SOCK" \
		--pidfile "$DROOT/docker.pid" --bridge=none --iptables=false --ip-masq=false \
		--exec-opt "native.cgroupdriver=$1" > "$SB_TMP/dockerd.log" 2>&1 &
	DOCKERD_PID=$!
	wait_until 60 'dk info > /dev/null 2>&1' ||
		skip "dockerd does not start here: $(grep -iE "level=(error|fatal)|failed" "$SB_TMP/dockerd.log" | tail -2)"
}

# cg_of CONTAINER: its cgroup path, from its init's /proc/PID/cgroup.
cg_of() {
	local pid
	pid=$(dk inspect -f '{{.State.Pid}}' "$1")
	if rt_v2; then awk -F: '$1 == 0 { print $3 }' "/proc/$pid/cgroup"
	else awk -F: '$2 ~ /(^|,)memory(,|$)/ { print $3 }' "/proc/$pid/cgroup"; fi
}
cpu_kern_us() {
	if rt_v2; then awk '$1 == "usage_usec" { print $2 }' "$(rt_cg cpu "$1")/cpu.stat"
	else echo $(( $(cat "$(rt_cg cpuacct "$1")/cpuacct.usage") / 1000 )); fi
}
if rt_v2; then
	quota() { awk '{ print $1 }' "$(rt_cg cpu "$1")/cpu.max"; }
	dk_limits() { cat "$(rt_cg memory "$1")/memory.max" "$(rt_cg cpu "$1")/cpu.weight" "$(rt_cg cpu "$1")/cpu.max"; }
	memlimit() { cat "$(rt_cg memory "$1")/memory.max"; }
else
	quota() { cat "$(rt_cg cpu "$1")/cpu.cfs_quota_us"; }
	dk_limits() { cat "$(rt_cg memory "$1")/memory.limit_in_bytes" "$(rt_cg cpu "$1")/cpu.shares" \
		"$(rt_cg cpu "$1")/cpu.cfs_quota_us"; }
	memlimit() { cat "$(rt_cg memory "$1")/memory.limit_in_bytes"; }
fi
db_name() { db_q "select name || ',' || runtime from container where path = '$1' and gone_ms is null"; }
ticks() { db_q "select count(*) from tick"; }
wait_ticks() { WT=$(( $(ticks) + $1 )); wait_until 20 'test "$(ticks)" -ge $WT' || fail "ticks stopped"; }

# run_driver DRIVER: the whole check under one cgroup driver.
run_driver() {
	local drv=$1
	start_dockerd "$drv"
	dk import "$TAR" "cgov-rt-$RT_TAG:bookworm" > /dev/null || fail "docker import of $TAR"
	A=$(dk run -d --name "$RT_TAG-$drv-lim" --network none --memory 256m --cpu-shares 512 \
		-v "$CGOV_BUILDDIR/tests/helpers:/cgov:ro" "cgov-rt-$RT_TAG:bookworm" sleep infinity) ||
		fail "docker run: $(tail -3 "$SB_TMP/dockerd.log")"
	CIDS="$CIDS $A"
	B=$(dk run -d --name "$RT_TAG-$drv-free" --network none \
		"cgov-rt-$RT_TAG:bookworm" sleep infinity) || fail "docker run (no limits)"
	CIDS="$CIDS $B"
	PA=$(cg_of "$A"); PB=$(cg_of "$B")
	case "$drv:$PA" in
	cgroupfs:/docker/$A|systemd:/system.slice/docker-$A.scope) ;;
	*) fail "$drv driver put the container at $PA" ;;
	esac
	pass "$drv driver: containers at $PA and $PB"
	LIM0=$(dk_limits "$PA")
	[ "$(memlimit "$PA")" = $((256 * M)) ] || fail "Docker's memory limit is $(memlimit "$PA")"

	POL="$SB_TMP/policies-$drv"
	mkdir -p "$POL"
	cat > "$POL/10-rt-docker.policy" <<-EOF
	policy "rt-docker" {
	    match runtime docker
	    match cgroup "$PA" "$PB"
	    cooldown 2s
	    rule "cpu-hog" {
	        when  cpu > 0.25 cores for 2s
	        do    cpu quota 0.15 cores
	        until cpu < 0.05 cores for 2s
	    }
	}
	EOF
	rm -f "$SB_TMP/cgov.db"*
	# The private data-root holds the names (cgov.conf docker-root).
	printf 'docker-root = %s\n' "$DROOT/data" > "$SB_TMP/cgov-$drv.conf"
	rt_daemon --config "$SB_TMP/cgov-$drv.conf" --policies "$POL" --interval 500ms \
		--rescan-interval 1s
	wait_until 20 'test -n "$(db_name "$PA")" && test -n "$(db_name "$PB")"' ||
		fail "not discovered by the built-in pattern: $(db_q "select group_concat(path) from container")"
	for c in "$A:$PA:$RT_TAG-$drv-lim" "$B:$PB:$RT_TAG-$drv-free"; do
		id=${c%%:*}; rest=${c#*:}; p=${rest%%:*}; dname=${rest#*:}
		got=$(db_name "$p")
		case "$got" in
		"$dname,docker") pass "$p shown by its Docker name $dname" ;;
		*) fail "$p shown as $got (Docker name $dname, id ${id:0:12})" ;;
		esac
	done

	wait_ticks 3
	for p in "$PA" "$PB"; do
		c=$(db_q "select id from container where path = '$p' and gone_ms is null")
		kern=$(cat "$(rt_cg memory "$p")/memory.usage_in_bytes" 2>/dev/null || cat "$(rt_cg memory "$p")/memory.current")
		mine=$(db_q "select mem_bytes from sample_v where cid = $c order by tick desc limit 1")
		echo "figures: docker $drv $p memory cgov $mine kernel $kern"
		within "$mine" "$kern" 2 || fail "memory of $p: cgov $mine, kernel $kern"
	done
	pass "memory within 2% of the kernel's"

	CA=$(db_q "select id from container where path = '$PA' and gone_ms is null")
	k0=$(cpu_kern_us "$PA"); t0=$(db_q "select max(tick) from sample_v where cid = $CA")
	Q0=$(quota "$PA")
	dk exec -d "$A" /cgov/cgov_hog spin || fail "docker exec"
	wait_until 60 'test "$(quota "$PA")" = 15000' || fail "cpu-hog: quota $(quota "$PA")"
	pass "cpu-hog: the hog in $PA capped at 0.15 cores"
	for pid in $(cat "$(rt_cg memory "$PA")/cgroup.procs"); do
		[ "$(basename "$(readlink "/proc/$pid/exe" 2>/dev/null)")" = cgov_hog ] && kill -KILL "$pid"
	done
	wait_until 60 'test "$(quota "$PA")" = "$Q0"' || fail "quota not restored ($(quota "$PA"), was $Q0)"
	wait_ticks 2
	k=$(( $(cpu_kern_us "$PA") - k0 ))
	mine=$(db_q "select sum(cpu_us) from sample_v where cid = $CA and tick > $t0")
	echo "figures: docker $drv $PA cpu cgov $mine us kernel $k us"
	within "$mine" "$k" 5 || fail "CPU of $PA: cgov $mine us, kernel $k us"
	pass "quota restored; CPU within 5% of the kernel's"

	rt_daemon_stop
	[ "$(dk_limits "$PA")" = "$LIM0" ] || fail "Docker's limits after cgovd: $(dk_limits "$PA" | tr '\n' ' '), were $(echo $LIM0)"
	pass "$drv driver: Docker's own limits intact after cgovd's exit"
	for c in $CIDS; do dk rm -f "$c" > /dev/null 2>&1; done
	CIDS=""
	kill -TERM "$DOCKERD_PID"; wait "$DOCKERD_PID" 2>/dev/null; DOCKERD_PID=""
}

if [ "$(pgrep -x dockerd | wc -l)" -gt 0 ]; then
	echo "note: another dockerd runs on this host; this test's daemon is private"
fi
run_driver cgroupfs
if [ -d /run/systemd/system ]; then
	run_driver systemd
else
	echo "note: the systemd cgroup driver needs systemd as init, which this host does not run: that half is skipped"
fi
