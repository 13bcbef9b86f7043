#!/bin/bash
# Kernel notifications (notify.h) on the real kernel, through
# tests/helpers/cgov_notify_probe, which arms them on a sandbox container
# and prints each callback with its CLOCK_MONOTONIC time.
#
#   v1 (memory on v1): a memory threshold armed through
#     cgroup.event_control fires when a real process allocates past it
#     (the latency from the crossing is reported); an OOM in a container
#     with a small limit fires the OOM and OOM-kill notifications.
#   v2: the OOM, OOM kill and max counters of memory.events, memory.high
#     events, populated in cgroup.events, PSI triggers on cpu.pressure and
#     memory.pressure.
#   A hybrid host (v1 controllers plus a cgroup2 mount with pressure files,
#   like this project's build host) runs the PSI and cgroup.events part in
#   the cgroup2 hierarchy as well: PSI accounts every task there whatever
#   the v1 controllers do.
# Each part is skipped (with a line saying so) where the kernel lacks it.
. "$(dirname "$0")/../lib/sandbox.sh"
PROBE="$CGOV_BUILDDIR/tests/helpers/cgov_notify_probe"
[ -x "$PROBE" ] || skip "no $PROBE"
sb_init
M=$((1024 * 1024))

# probe NAME ARGS...: the probe in the background ($PROBE_PID, output in
# $PROBE_OUT); returns once it has printed what it armed.
probe() {
	local name=$1
	shift
	PROBE_OUT="$SB_TMP/$name.probe"
	"$PROBE" watch "$@" > "$PROBE_OUT" 2>&1 &
	PROBE_PID=$!
	SB_PIDS="$SB_PIDS $PROBE_PID"
	wait_until 10 'grep -q "^armed" "$PROBE_OUT" || proc_exited "$PROBE_PID"'
	grep -q "^armed" "$PROBE_OUT" || fail "$name: probe did not arm: $(cat "$PROBE_OUT")"
}
# armed KEY=VALUE...: the probe's armed line says so.
armed() {
	local kv
	for kv in "$@"; do
		grep -q "^armed.* $kv\( \|$\)" "$PROBE_OUT" || fail "want $kv: $(head -n 1 "$PROBE_OUT")"
	done
}
# trigger KIND: the stall/window (us) of the PSI trigger armed for KIND.
trigger() { sed -n "1s/.* $1-trigger=\([0-9]*\/[0-9]*\).*/\1/p" "$PROBE_OUT"; }
# probe_done WHAT: the probe saw every --until kind and exited 0.
probe_done() {
	local rc
	# (stderr: bash reports the OOM killer's victims as "Killed" here)
	wait "$PROBE_PID" 2>/dev/null; rc=$?
	[ "$rc" = 0 ] || fail "$1: probe exit $rc: $(cat "$PROBE_OUT")"
}
# ev_us KIND: time of the first callback of KIND.
ev_us() { awk -v k="$1" '$1 == "event" && $2 == k { sub("mono_us=", "", $3); print $3; exit }' "$PROBE_OUT"; }
ms() { awk -v us="$1" 'BEGIN { printf "%.1f", us / 1000 }'; }
stop() { kill -KILL "$@" 2>/dev/null; wait "$@" 2>/dev/null; }

if [ "$SB_VERSION" = 1 ]; then
	# ---- v1: memory thresholds, crossed by a real allocation -----------
	# Four levels (NOTIFY_MAX_LEVELS), one eventfd each; a process ramps
	# its memory up in 256K steps, printing the time and the kernel's usage
	# after each: a level was crossed between the last step below it and
	# the first above. The kernel checks thresholds every 128 page charges
	# per CPU (512K), which the latency below includes.
	sb_mk level
	USAGE=$(sb_file level memory.usage_in_bytes) || skip "no v1 memory controller"
	[ -e "$(sb_file level cgroup.event_control)" ] || skip "no cgroup.event_control (memcg v1 events off)"
	LEVELS="$((16 * M)) $((32 * M)) $((48 * M)) $((64 * M))"
	[ "$(cat "$USAGE")" -lt $((16 * M)) ] || fail "the new container already uses $(cat "$USAGE") bytes"
	# shellcheck disable=SC2046
	probe level --path "$(sb_path level)" $(for l in $LEVELS; do echo --level "$l"; done) \
		--usage-file "$USAGE" --count 4 --timeout 60
	armed levels=ok fds=6                  # the epoll, the directory, four eventfds
	sb_run level "$SB_TMP/ramp.out" "$PROBE" ramp $((80 * M)) "$USAGE"
	RAMP=$SB_LAST_PID
	probe_done "four thresholds"
	stop "$RAMP"
	i=0; lat=""
	for l in $LEVELS; do
		i=$((i + 1))
		ev=$(awk -v i="$i" '$1 == "event" && ++n == i { sub("mono_us=", "", $3); print $3 }' "$PROBE_OUT")
		at=$(awk -v i="$i" '$1 == "event" && ++n == i { sub("usage=", "", $4); print $4 }' "$PROBE_OUT")
		grep "^event" "$PROBE_OUT" | sed -n "${i}p" | grep -q "^event mem-level " || fail "callback $i is not mem-level: $(cat "$PROBE_OUT")"
		# Usage only grows: at the i-th callback it is past the i-th level.
		[ -n "$at" ] && [ "$at" -ge "$l" ] || fail "callback $i with usage $at, below the level $l"
		below=$(awk -v l="$l" '$2 ~ /^[0-9]+$/ && $2 < l { t = $1 } END { print t }' "$SB_TMP/ramp.out")
		above=$(awk -v l="$l" '$2 ~ /^[0-9]+$/ && $2 >= l { print $1; exit }' "$SB_TMP/ramp.out")
		[ -n "$below" ] && [ -n "$above" ] || fail "the ramp did not go from below $l to above: $(head -n 3 "$SB_TMP/ramp.out")"
		[ "$ev" -ge "$below" ] || fail "callback $i at $ev, before the usage reached $l (at $below it was below)"
		lat="$lat $((l / M))M: $(ms $((ev - below)))..$(ms $((ev - above)))"
	done
	pass "v1 thresholds, callback ms after the last step below..first step above each level:$lat"

	# ---- v1: OOM and OOM kill --------------------------------------------
	sb_mk oom
	echo $((32 * M)) > "$(sb_file oom memory.limit_in_bytes)" || fail "cannot set a 32M limit"
	# With swap on the host, the hog would swap instead of being killed.
	MEMSW=$(sb_file oom memory.memsw.limit_in_bytes) && echo $((32 * M)) > "$MEMSW"
	OOMCTL=$(sb_file oom memory.oom_control)
	probe oom --path "$(sb_path oom)" --oom --until oom,oom-kill --timeout 60
	armed oom=ok fds=3                     # the epoll, the directory, the eventfd
	sb_run oom "$SB_TMP/hog.out" "$HOG" mem $((96 * M))
	HOGPID=$SB_LAST_PID
	probe_done "v1 OOM"
	{ wait_until 10 'proc_exited "$HOGPID"'; } 2>/dev/null || fail "the hog survived its OOM"
	wait "$HOGPID" 2>/dev/null
	[ "$(awk '$1 == "oom_kill" { print $2 }' "$OOMCTL")" -ge 1 ] || fail "the kernel counted no OOM kill"
	oom=$(ev_us oom); kill=$(ev_us oom-kill)
	[ "$kill" -ge "$oom" ] || fail "oom-kill ($kill) before oom ($oom)"
	stop "$HOGPID"
	pass "v1 OOM: oom then oom-kill $(ms $((kill - oom))) ms later"

	# ---- v1: a container removed while armed ---------------------------
	# The kernel signals every eventfd of a removed cgroup once: not an
	# event. No callback, and the container's descriptors are released.
	sb_mk gone
	probe gone --path "$(sb_path gone)" --level $((16 * M)) --oom --until-fds 1 --timeout 30
	armed levels=ok oom=ok fds=4
	sb_rm gone
	probe_done "v1 removal"
	grep -q "^exit fds=1 events=0$" "$PROBE_OUT" || fail "v1 removal: $(cat "$PROBE_OUT")"
	pass "v1: removing an armed cgroup calls nothing back and releases its 3 descriptors"
else
	# ---- v2: memory.events and cgroup.events ----------------------------
	sb_mk oom
	[ -e "$(sb_file oom memory.events)" ] || skip "no memory.events"
	echo $((32 * M)) > "$(sb_file oom memory.max)" || fail "cannot set memory.max"
	SWAPMAX=$(sb_file oom memory.swap.max) && echo 0 > "$SWAPMAX"
	"$PROBE" watch --path "$(sb_path oom)" --level $((16 * M)) > "$SB_TMP/lv.out" 2>&1
	grep -q "levels=EOPNOTSUPP" "$SB_TMP/lv.out" || fail "v2 levels: $(cat "$SB_TMP/lv.out")"
	probe oom --path "$(sb_path oom)" --oom --until populated,mem-max,oom,oom-kill --timeout 60
	armed oom=ok fds=3                     # the epoll, the directory, inotify
	sb_run oom "$SB_TMP/hog.out" "$HOG" mem $((96 * M))
	HOGPID=$SB_LAST_PID
	probe_done "v2 OOM"
	{ wait_until 10 'proc_exited "$HOGPID"'; } 2>/dev/null || fail "the hog survived its OOM"
	wait "$HOGPID" 2>/dev/null
	[ "$(awk '$1 == "oom_kill" { print $2 }' "$(sb_file oom memory.events)")" -ge 1 ] ||
		fail "memory.events counts no OOM kill"
	stop "$HOGPID"
	pass "v2 memory.events: populated, max, oom, oom-kill ($(ms $(( $(ev_us oom-kill) - $(ev_us populated) ))) ms from the first task to the kill)"

	# memory.high: reclaim at the high boundary counts "high" and stalls
	# the allocating task (memory pressure).
	sb_mk high
	echo $((16 * M)) > "$(sb_file high memory.high)" || fail "cannot set memory.high"
	SWAPMAX=$(sb_file high memory.swap.max) && echo 0 > "$SWAPMAX"
	if [ -e "$(sb_file high memory.pressure)" ]; then
		probe high --path "$(sb_path high)" --oom --psi memory:50000:1000000 \
			--until mem-high,psi-memory --timeout 60
		armed oom=ok psi-memory=ok fds=4
		what="mem-high and a memory PSI trigger (stall/window $(trigger psi-memory) us)"
	else
		probe high --path "$(sb_path high)" --oom --until mem-high --timeout 60
		armed oom=ok fds=3
		what="mem-high (no PSI in this kernel)"
	fi
	sb_run high "$SB_TMP/high.out" "$HOG" mem $((64 * M))
	HOGPID=$SB_LAST_PID
	probe_done "memory.high"
	stop "$HOGPID"
	pass "v2 memory.high: $what fired"
fi

# ---- PSI triggers and populated, on cgroup v2 (or the cgroup2 mount of a
# hybrid host) -----------------------------------------------------------
PSI_ROOT=""
if [ "$SB_VERSION" = 2 ]; then
	sb_mk psi
	PSI_PATH=$(sb_path psi)
	PSI_DIR=$SB_MOUNTS$PSI_PATH           # one mount on v2
	echo "10000 100000" > "$PSI_DIR/cpu.max" || fail "cannot set cpu.max"
	run_spinner() { sb_run psi "$SB_TMP/spin$1.out" "$HOG" spin; }
else
	UNI=$(awk '$9 == "cgroup2" { print $5; exit }' /proc/self/mountinfo)
	OWN=$(sed -n 's/^0:://p' /proc/self/cgroup)
	if [ -n "$UNI" ] && [ -n "$OWN" ] && [ -e "$UNI/cpu.pressure" ]; then
		PSI_ROOT="--root $UNI --version 2"
		PSI_PATH="${OWN%/}/cgov-test.$$.notify"
		PSI_DIR=$UNI$PSI_PATH
		mkdir "$PSI_DIR" || fail "cannot create $PSI_DIR"
		# Removed after its tasks, before the sandbox goes.
		trap 'rc=$?; for p in $(cat "$PSI_DIR/cgroup.procs" 2>/dev/null); do kill -KILL "$p"; done;
			wait_until 10 "! test -s \"$PSI_DIR/cgroup.procs\""; rmdir "$PSI_DIR" 2>/dev/null; (exit $rc); sb_cleanup' EXIT
		# The spinners also sit in a v1 container with 0.1 core of quota.
		sb_mk psi
		echo 10000 > "$(sb_file psi cpu.cfs_quota_us)" || fail "cannot set a v1 quota"
		run_spinner() {
			sb_run psi "$SB_TMP/spin$1.out" sh -c 'echo $$ > "$0/cgroup.procs" && exec "$1" spin' \
				"$PSI_DIR" "$HOG"
		}
	fi
fi
if [ -z "${PSI_DIR:-}" ] || [ ! -e "$PSI_DIR/cpu.pressure" ]; then
	echo "note: $TEST_NAME: no cgroup2 pressure files: PSI triggers not exercised"
	exit 0
fi
# shellcheck disable=SC2086
"$PROBE" watch $PSI_ROOT --path "$PSI_PATH" --level $((16 * M)) > "$SB_TMP/lv2.out" 2>&1
grep -q "levels=EOPNOTSUPP" "$SB_TMP/lv2.out" || fail "levels on cgroup2: $(cat "$SB_TMP/lv2.out")"
# shellcheck disable=SC2086
probe psi $PSI_ROOT --path "$PSI_PATH" --oom --psi cpu:100000:1000000 --psi io:100000:2000000 \
	--until populated,psi-cpu --timeout 60
armed oom=ok psi-cpu=ok psi-io=ok fds=5          # epoll, directory, inotify, 2 triggers
# The kernel's window: 1s as asked with CAP_SYS_RESOURCE, else 2s (the
# unprivileged granularity; notify retries with it), the stall scaled.
case "$(trigger psi-cpu)" in
100000/1000000|200000/2000000) ;;
*) fail "cpu trigger $(trigger psi-cpu), want 100000/1000000 or 200000/2000000" ;;
esac
# Nothing happens in an empty cgroup: in particular the report epoll makes
# when a trigger is added, handled as soon as the loop runs, is not a
# firing. Two seconds of silence are looked at.
sleep 2
grep -q "^event" "$PROBE_OUT" && fail "events from an empty cgroup: $(cat "$PROBE_OUT")"
run_spinner 1; S1=$SB_LAST_PID
run_spinner 2; S2=$SB_LAST_PID
probe_done "PSI cpu"
grep -q "^event psi-io" "$PROBE_OUT" && fail "an io trigger fired for spinners"
stop "$S1" "$S2"
pass "PSI cpu trigger (stall/window $(trigger psi-cpu) us) fired $(ms $(( $(ev_us psi-cpu) - $(ev_us populated) ))) ms after the first spinner came in (populated)"

# ---- cgroup2: a container removed while armed -------------------------
# The kernel wakes the PSI trigger of a removed cgroup with EPOLLERR: no
# callback, and the container's descriptors are released (down to the
# probe's epoll). Its inotify watches hear nothing (kernfs sends no
# IN_IGNORED on removal): those wait for their owner's notify_ct_free.
wait_until 10 '! test -s "$PSI_DIR/cgroup.procs"' || fail "the spinners did not leave"
# shellcheck disable=SC2086
probe gone $PSI_ROOT --path "$PSI_PATH" --psi memory:100000:1000000 --until-fds 1 --timeout 30
armed psi-memory=ok fds=2
if [ "$SB_VERSION" = 2 ]; then sb_rm psi; else rmdir "$PSI_DIR" || fail "rmdir $PSI_DIR"; fi
probe_done "PSI trigger of a removed cgroup"
grep -q "^exit fds=1 events=0$" "$PROBE_OUT" || fail "PSI removal: $(cat "$PROBE_OUT")"
pass "cgroup2: removing a cgroup with a PSI trigger calls nothing back and releases the trigger"
