#!/bin/bash
# Governing an I/O flood on the real kernel: a container writing far above
# the rule's threshold gets an I/O write limit on every disk, the kernel
# really enforces it (throughput measured from the kernel's own counters),
# and the limit goes away when the flood stops.
. "$(dirname "$0")/../lib/sandbox.sh"
sb_init
need jq
sb_policy_dir
sb_mk flood
sb_block_disk

if [ "$SB_VERSION" = 1 ]; then
	LIMIT_FILE=$(sb_file flood blkio.throttle.write_bps_device) || skip "no blkio throttling"
	STAT_FILE=$(sb_file flood blkio.throttle.io_service_bytes)
	limit() { awk -v d="$DISKDEV" '$1 == d { print $2 }' "$LIMIT_FILE"; }
	written() { awk -v d="$DISKDEV" '$1 == d && $2 == "Write" { print $3 }' "$STAT_FILE"; }
else
	LIMIT_FILE=$(sb_file flood io.max) || skip "no io.max"
	STAT_FILE=$(sb_file flood io.stat)
	limit() { awk -v d="$DISKDEV" '$1 == d { for (i = 2; i <= NF; i++)
		if ($i ~ /^wbps=/) { sub("wbps=", "", $i); print $i } }' "$LIMIT_FILE"; }
	written() { awk -v d="$DISKDEV" '$1 == d { for (i = 2; i <= NF; i++)
		if ($i ~ /^wbytes=/) { sub("wbytes=", "", $i); print $i } }' "$STAT_FILE"; }
fi
[ -z "$(limit)" ] || skip "the sandbox already has a write limit on $DISKDEV"

cat > "$POL/10-io.policy" <<EOF
# A writer above 20M/s for 1s gets 5M/s on every disk until it is quiet.
policy "io-flood" {
    match cgroup "$SB_BASE/*"
    cooldown 1s
    rule "flood" {
        when io.write > 20M/s for 1s
        do io write-limit 5M/s
        until io.write < 1M/s for 2s
    }
}
EOF
DAEMON_LOG="$SB_TMP/cgovd.log"
"$CGOVD" --foreground -v --config /dev/null --policies "$POL" --db "$DB" \
	--interval 500ms --rescan-interval 500ms --containers "$SB_BASE/*" > "$DAEMON_LOG" 2>&1 &
DAEMON_PID=$!
wait_until 20 'grep -q "debug: tick: 1 containers" "$DAEMON_LOG"' || fail "cgovd did not start"

sb_run flood "$SB_TMP/flood.out" "$HOG" flood "$DIR/cgov-flood.$$"
FLOOD_PID=$SB_LAST_PID
SB_FILES="$SB_FILES $DIR/cgov-flood.$$"
wait_until 10 'grep -q ready "$SB_TMP/flood.out"' || {
	grep -q "Invalid argument" "$SB_TMP/flood.out" && skip "no O_DIRECT on $DIR"
	fail "flood not ready: $(cat "$SB_TMP/flood.out")"
}
wait_until 15 'test "$(limit)" = 5242880' || fail "no write limit on $DISKDEV ($(limit))"
before=$(db_q "select max(wbytes * 1000 / dt_ms) from sample_v where wbytes is not null")
[ "${before:-0}" -gt $((20 << 20)) ] || fail "the flood wrote only ${before:-0} bytes/s before the limit"

# The kernel enforces it: measure the flood's own counter over 3 s (a
# measurement window, not a wait for something to happen).
w0=$(written); t0=$(date +%s%N)
sleep 3
w1=$(written); t1=$(date +%s%N)
rate=$(( (w1 - w0) * 1000000000 / (t1 - t0) ))
[ "$rate" -le $((5 * 1024 * 1024 * 13 / 10)) ] ||
	fail "throughput $rate bytes/s under a 5M/s limit"
[ "$rate" -gt 0 ] || fail "the flood stopped altogether"
pass "flood $before bytes/s -> $rate bytes/s under the 5M/s limit on $DISK ($DISKDEV)"

kill -KILL "$FLOOD_PID"; wait "$FLOOD_PID" 2>/dev/null
wait_until 15 'test -z "$(limit)"' || fail "write limit not removed ($(limit))"
"$CGOV" --db "$DB" actions --format json | jq -e '[.actions[] | select(.kind == "restore")] | length >= 1' \
	>/dev/null || fail "no restore in the journal"
pass "limit removed after the flood stopped"
