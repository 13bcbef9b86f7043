#!/bin/bash
# bench_react.sh BUILDDIR: reaction time, threshold crossed -> knob written.
#
# A container allocates past a rule's memory threshold (`when memory > 32M
# do cpu quota 0.2 cores`), TRIALS times (default 100); bench_react times
# each from the crossing, as the kernel's usage counter shows it, to the
# quota in cgroupfs. Run twice in the same sandbox: cgovd with kernel
# notifications (its default), and with `notifications = off` (ticks
# alone, 1 s). DESIGN's target: p99 under 20 ms with notifications.
CGOV_BUILDDIR=$(cd "${1:-.}" && pwd)
CGOV_SRCDIR=$(cd "$(dirname "$0")/.." && pwd)
export CGOV_BUILDDIR CGOV_SRCDIR
. "$CGOV_SRCDIR/tests/lib/sandbox.sh"
sb_init
TRIALS=${BENCH_TRIALS:-100}
PROBE="$CGOV_BUILDDIR/bench/bench_react"
[ -x "$PROBE" ] || skip "build bench/bench_react first (make bench)"
DB="$SB_TMP/cgov.db"
POL="$SB_TMP/policies"
mkdir -p "$POL"
sb_mk r
QUOTA=$(sb_file r cpu.cfs_quota_us || sb_file r cpu.max) || skip "no CPU quota knob"
USAGE=$(sb_file r memory.usage_in_bytes || sb_file r memory.current) || skip "no memory usage"
PERIOD=$(cat "$(sb_file r cpu.cfs_period_us)" 2>/dev/null || cut -d' ' -f2 "$QUOTA")
WANT=$((PERIOD / 5))
PROCS=""
for m in $SB_MOUNTS; do PROCS="$PROCS $m$SB_BASE/r/cgroup.procs"; done
# v2 has no usage thresholds: memory.high at the threshold makes the
# kernel's "high" event the notification.
HIGH=""
[ -n "$(sb_file r memory.current)" ] && HIGH="memory high 32M"
cat > "$POL/10-react.policy" <<POLICY
policy "react" {
    match cgroup "$SB_BASE/r"
    cooldown 100ms
    $HIGH
    rule "grows" {
        when memory > 32M
        do cpu quota 0.2 cores
        until memory < 16M for 100ms
        cooldown 100ms
    }
}
POLICY

run() {
	local mode=$1 conf="$SB_TMP/$1.conf"
	echo "notifications = $mode" > "$conf"
	DAEMON_LOG="$SB_TMP/cgovd.$mode.log"
	"$CGOVD" --foreground ${BENCH_VERBOSE:+-v} --config "$conf" --policies "$POL" --db "$DB" --interval 1s \
		--rescan-interval 1s --containers "$SB_BASE/*" > "$DAEMON_LOG" 2>&1 &
	DAEMON_PID=$!
	wait_until 20 'test "$(db_q "select count(*) from tick")" -ge 1' || fail "cgovd did not start"
	"$PROBE" "$TRIALS" $((32 << 20)) "$USAGE" "$QUOTA" "$WANT" $PROCS > "$SB_TMP/$mode.ms" ||
		fail "probe failed"
	kill -TERM "$DAEMON_PID"; wait "$DAEMON_PID"; DAEMON_PID=""
	[ -n "${BENCH_KEEP_LOG:-}" ] && cp "$DAEMON_LOG" "$BENCH_KEEP_LOG.$mode"
	sort -n "$SB_TMP/$mode.ms" | awk -v mode="$mode" '
		/^[0-9.-]+$/ { v[n++] = $1; next } { bad++ }
		END {
			if (n == 0) { printf "%-14s no trial completed (%d failed)\n", mode, bad; exit }
			p50 = v[int(0.50 * (n - 1))]; p99 = v[int(0.99 * (n - 1))]
			printf "%-14s %6d %9.1f %9.1f %9.1f %9.1f %7d\n", mode, n, v[0], p50, p99, v[n-1], bad
		}'
}
printf "%-14s %6s %9s %9s %9s %9s %7s\n" "notifications" trials "min ms" "p50 ms" "p99 ms" "max ms" failed
run on
run off
