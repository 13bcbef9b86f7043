#!/bin/bash
# The shipped policies (policies/*.policy) govern a sandbox of LXC-like
# containers as their comments say. The sandbox lives under the test's own
# cgroup, so the files are copied with their LXC matches moved under the
# sandbox's prefix ("/lxc/..." -> "$SB_BASE/lxc/...", `match runtime lxc`
# -> that prefix's glob), which is what an operator does when adapting
# them; nothing else in them changes.
. "$(dirname "$0")/../lib/sandbox.sh"
sb_init
need jq
sb_policy_dir
M=$((1024 * 1024))
G=$((1024 * M))
for f in "$CGOV_SRCDIR"/policies/*.policy; do
	sed -e "s|match runtime lxc|match cgroup \"$SB_BASE/lxc/*\"|" \
	    -e "s|\"/lxc/|\"$SB_BASE/lxc/|g" -e "s|\"/lxc.payload.|\"$SB_BASE/lxc.payload.|g" \
	    "$f" > "$POL/$(basename "$f")"
done
"$CGOV" policy check "$POL" > "$SB_TMP/check.out" 2>&1 || fail "the adapted policies do not check: $(cat "$SB_TMP/check.out")"
grep -q "policies OK" "$SB_TMP/check.out" || fail "no 'policies OK'"

sb_mk lxc
sb_mk lxc/critical-db
sb_mk lxc/backup-1
sb_mk lxc/web
sb_block_disk

if [ "$SB_VERSION" = 1 ]; then
	limit() { cat "$(sb_file "$1" memory.limit_in_bytes)"; }
	swapbuf() { echo $(( $(cat "$(sb_file "$1" memory.memsw.limit_in_bytes)") - $(limit "$1") )); }
	shares() { cat "$(sb_file "$1" cpu.shares)"; }
	iolim() { awk -v d="$DISKDEV" '$1 == d { print $2 }' "$(sb_file "$1" "blkio.throttle.$2_bps_device")"; }
	WANT_SHARES=2048
else
	limit() { cat "$(sb_file "$1" memory.max)"; }
	swapbuf() { cat "$(sb_file "$1" memory.swap.max)"; }
	shares() { cat "$(sb_file "$1" cpu.weight)"; }
	iolim() { awk -v d="$DISKDEV" -v k="$([ "$2" = read ] && echo rbps || echo wbps)" '$1 == d {
		for (i = 2; i <= NF; i++) if (index($i, k "=") == 1) print substr($i, length(k) + 2) }' \
		"$(sb_file "$1" io.max)"; }
	WANT_SHARES=200
fi
WEB_SHARES=$(shares lxc/web)

DAEMON_LOG="$SB_TMP/cgovd.log"
"$CGOVD" --foreground -v --config /dev/null --policies "$POL" --db "$DB" \
	--interval 500ms --rescan-interval 500ms --containers "$SB_BASE/lxc/*" > "$DAEMON_LOG" 2>&1 &
DAEMON_PID=$!

# 30-classic: the critical tenant and the backup job.
wait_until 15 'test "$(limit lxc/critical-db)" = $((4 * G))' || fail "critical: memory limit $(limit lxc/critical-db)"
[ "$(shares lxc/critical-db)" = "$WANT_SHARES" ] || fail "critical: cpu shares $(shares lxc/critical-db)"
if sb_file lxc/critical-db memory.memsw.limit_in_bytes >/dev/null || sb_file lxc/critical-db memory.swap.max >/dev/null; then
	wait_until 5 'test "$(swapbuf lxc/critical-db)" = $((2 * G))' || fail "critical: swap buffer $(swapbuf lxc/critical-db)"
fi
pass "critical-db: memory 4G, swap buffer 2G, cpu shares 2048 (v$SB_VERSION files)"
wait_until 10 'test "$(iolim lxc/backup-1 write)" = $((20 * M))' || fail "backup: write limit $(iolim lxc/backup-1 write)"
[ "$(iolim lxc/backup-1 read)" = $((50 * M)) ] || fail "backup: read limit $(iolim lxc/backup-1 read)"
pass "backup-1: reads 50M/s, writes 20M/s on $DISK"
[ "$(shares lxc/web)" = "$WEB_SHARES" ] && [ -z "$(iolim lxc/web write)" ] || fail "web changed while quiet"

# 10-lxc-noisy: web floods the disk above 100M/s (no disk capability is
# stated: the fallback) while the node's I/O stalls, or in half of a 30s
# window: capped at 20M/s.
sb_run lxc/web "$SB_TMP/flood.out" "$HOG" flood "$DIR/cgov-shipped.$$"
SB_FILES="$SB_FILES $DIR/cgov-shipped.$$"
FLOOD_PID=$SB_LAST_PID
wait_until 10 'grep -q ready "$SB_TMP/flood.out"' || fail "flood not ready: $(cat "$SB_TMP/flood.out")"
wait_until 60 'test "$(iolim lxc/web write)" = $((20 * M))' || fail "io-flood: write limit $(iolim lxc/web write)"
"$CGOV" --db "$DB" actions --container "$SB_BASE/lxc/web" --format json |
	jq -e '[.actions[] | select(.policy == "lxc-noisy" and .rule == "io-flood" and .kind == "apply")] | length == 1' \
	>/dev/null || fail "the journal does not name lxc-noisy/io-flood"
# The rule's state is journaled after the write, in the same tick: poll.
explain() { "$CGOV" --db "$DB" policy explain "$SB_BASE/lxc/web" --policies "$POL"; }
wait_until 10 'explain | grep -q "io-flood *active"' ||
	fail "explain does not show io-flood active: $(explain)"
kill -KILL "$FLOOD_PID"; wait "$FLOOD_PID" 2>/dev/null
pass "web: io-flood rule capped writes at 20M/s; actions and explain say why"
