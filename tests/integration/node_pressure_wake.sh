#!/bin/bash
# A rule on node pressure is decided between ticks: with a 20 s tick, a
# direct-I/O flood that starts right after cgovd's first tick is capped by
# `io.write > 20M/s and node.pressure.io > 10%` long before the second
# tick, because cgovd polls /proc/pressure/io every 100 ms (nodewatch.h)
# and decides the containers whose rules name it at once. The cap is the
# kernel's: blkio.throttle.write_bps_device (v1) / io.max (v2) holds 5M/s.
. "$(dirname "$0")/../lib/sandbox.sh"
sb_init
need jq
[ -r /proc/pressure/io ] || skip "no /proc/pressure/io (a kernel without PSI)"
grep -q "^some .*total=" /proc/pressure/io || skip "/proc/pressure/io has no some total"
sb_policy_dir
sb_mk flood
sb_block_disk

if [ "$SB_VERSION" = 1 ]; then
	LIMIT_FILE=$(sb_file flood blkio.throttle.write_bps_device) || skip "no blkio throttling"
	limit() { awk -v d="$DISKDEV" '$1 == d { print $2 }' "$LIMIT_FILE"; }
else
	LIMIT_FILE=$(sb_file flood io.max) || skip "no io.max"
	limit() { awk -v d="$DISKDEV" '$1 == d { for (i = 2; i <= NF; i++)
		if ($i ~ /^wbps=/) { sub("wbps=", "", $i); print $i } }' "$LIMIT_FILE"; }
fi
[ -z "$(limit)" ] || skip "the sandbox already has a write limit on $DISKDEV"

INTERVAL_MS=20000
# The writer's own wait on the disk is I/O stall: on this 2-core VM one
# direct writer keeps node.pressure.io well over 10% (a 20% threshold,
# the shipped one, is passed too, but not on every run of a busy host).
cat > "$POL/10-io.policy" <<EOF
policy "node-io" {
    match cgroup "$SB_BASE/*"
    rule "flood" {
        when io.write > 20M/s and node.pressure.io > 10%
        do io write-limit 5M/s
        until io.write < 1M/s for 60s
    }
}
EOF
daemon_start -v --config /dev/null --policies "$POL" --db "$DB" \
	--interval "${INTERVAL_MS}ms" --rescan-interval "${INTERVAL_MS}ms"
ticks() { grep -c "debug: tick: " "$DAEMON_LOG"; }
wait_until 20 'grep -q "debug: tick: 1 containers" "$DAEMON_LOG"' || fail "cgovd did not start"
grep -q "node pressure: 1 resource polled every 100 ms" "$DAEMON_LOG" ||
	fail "the node pressure watch is not polling /proc/pressure/io"

# Go: the writer starts after the first tick, its start time on the wall
# clock (the journal's time_ms is the governor's wall-based clock).
start_ms=$(date +%s%3N)
sb_run flood "$SB_TMP/flood.out" "$HOG" flood "$DIR/cgov-wake.$$"
SB_FILES="$SB_FILES $DIR/cgov-wake.$$"
wait_until 10 'grep -q ready "$SB_TMP/flood.out"' || {
	grep -q "Invalid argument" "$SB_TMP/flood.out" && skip "no O_DIRECT on $DIR"
	fail "flood not ready: $(cat "$SB_TMP/flood.out")"
}
applied() {
	"$CGOV" --db "$DB" actions --format json |
		jq -e '[.actions[] | select(.kind == "apply")] | length >= 1'
}
wait_until 15 'test "$(limit)" = 5242880' || fail "no 5M/s write limit on $DISKDEV ($(limit))"
seen_ms=$(date +%s%3N)
n=$(ticks)
[ "$n" = 1 ] || fail "the limit came with tick $n, not between the ticks"
wait_until 5 applied || fail "no apply row in the journal"
apply_ms=$("$CGOV" --db "$DB" actions --format json |
	jq -r '[.actions[] | select(.kind == "apply")][0].time_ms')
lat=$((apply_ms - start_ms))
[ "$lat" -ge 0 ] && [ "$lat" -lt $((INTERVAL_MS / 2)) ] ||
	fail "apply ${lat} ms after the writer started (tick ${INTERVAL_MS} ms)"
grep -q "debug: node pressure: io at .*: 1 container decided now" "$DAEMON_LOG" ||
	fail "no node pressure wake in the log"
# Still the first tick's: the second would be $INTERVAL_MS after the first.
[ "$(ticks)" = 1 ] || fail "a second tick came before the check ended"
first=$(grep -m1 -o "node pressure: io at [0-9.]*%" "$DAEMON_LOG")
pass "${first#node pressure: }: writer start -> apply row ${lat} ms (limit seen after $((seen_ms - start_ms)) ms), tick ${INTERVAL_MS} ms; $(limit) bytes/s on $DISK ($DISKDEV)"
