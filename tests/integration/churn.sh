#!/bin/bash
# Churn: cgroups appear and vanish all the time, also between a rescan and
# the next read. cgovd must take that as normal (no warning), and leak
# neither descriptors nor memory.
. "$(dirname "$0")/../lib/sandbox.sh"
sb_init
DB="$SB_TMP/cgov.db"
for i in 1 2 3 4 5; do sb_mk "steady$i"; done
daemon_start --db "$DB" --interval 100ms --rescan-interval 100ms -v
wait_until 20 'test "$(db_q "select count(*) from container")" -ge 5' || fail "steady containers not found"
fds() { ls "/proc/$DAEMON_PID/fd" | wc -l; }
rss() { awk '/^VmRSS:/ { print $2 }' "/proc/$DAEMON_PID/status"; }
fd0=$(fds)
rss0=$(rss)

# Rounds where cgovd surely opens the new cgroups before they go.
total=5
for round in $(seq 1 10); do
	for i in $(seq 1 20); do sb_mk "r$round-$i"; done
	total=$((total + 20))
	wait_until 20 'test "$(db_q "select count(*) from container")" -ge $total' ||
		fail "round $round: new containers not found"
	for i in $(seq 1 20); do sb_rm "r$round-$i"; done
	wait_until 20 'test "$(db_q "select count(*) from container where gone_ms is not null")" -ge $((total - 5))' ||
		fail "round $round: removed containers not marked gone"
done
# And a burst with no waiting at all: some are read while being removed.
for i in $(seq 1 300); do sb_mk "fast$i"; sb_rm "fast$i"; done
# The hundred go in one rmdir per hierarchy, so that a rescan (every 100
# ms) surely sees more than ten changes at once however loaded the host.
for i in $(seq 1 100); do sb_mk "half$i"; done
wait_until 20 'test "$(db_q "select count(*) from container where path like '"'"'%/half%'"'"'")" -ge 100' ||
	fail "the hundred half containers were not all found"
for mnt in $SB_MOUNTS; do
	(cd "$mnt$SB_BASE" && rmdir half*) || fail "rmdir of the half containers in $mnt"
done

wait_until 20 'test "$(fds)" -le "$fd0"' || fail "descriptors leak: $fd0 before, $(fds) after"
kill -0 "$DAEMON_PID" || fail "cgovd died"
rss1=$(rss)
# ASan keeps freed memory in quarantine: RSS says nothing there (its leak
# checker does, at exit).
if ldd "$CGOVD" 2>/dev/null | grep -q libasan; then
	echo "note: RSS check skipped, cgovd is built with AddressSanitizer"
else
	[ "$rss1" -le $((rss0 + 2048)) ] || fail "RSS grew from $rss0 KiB to $rss1 KiB"
fi
wait_until 20 'test "$(db_q "select count(*) from container where gone_ms is null")" = 5' ||
	fail "containers left present: $(db_q "select count(*) from container where gone_ms is null")"
grep -iE "warning|error|sanitizer" "$DAEMON_LOG" && fail "churn made cgovd complain"
# A burst: ten lines at info, the rest at debug and one summary line.
grep -q "info: .*containers found, .* gone (.* not logged one by one)" "$DAEMON_LOG" ||
	fail "no summary line for a burst of changes"
fd1=$(fds)
kill -TERM "$DAEMON_PID"; wait "$DAEMON_PID"; rc=$?; DAEMON_PID=""
[ "$rc" = 0 ] || fail "cgovd exited $rc (a sanitizer report?): $(tail -n 20 "$DAEMON_LOG")"
pass "$((total - 5)) containers came and went, then 400 more in bursts; fds $fd0 -> $fd1, RSS $rss0 -> $rss1 KiB"
