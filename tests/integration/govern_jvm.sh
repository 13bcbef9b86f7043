#!/bin/bash
# A container running a real JVM (Debian's openjdk) keeps a swap buffer:
# v1 memsw = limit + buffer, v2 memory.swap.max = buffer. A policy's buffer
# is applied; a JVM under a policy that sets none gets the configured
# default; when something else takes the swap away, cgovd puts it back; a
# container without a JVM is not touched by a `match process "java"` policy.
. "$(dirname "$0")/../lib/sandbox.sh"
sb_init
need java
need jq
DB="$SB_TMP/cgov.db"
POL="$SB_TMP/policies"
CONF="$SB_TMP/cgov.conf"
mkdir -p "$POL"
sb_mk jvm1
sb_mk jvm2
sb_mk plain
M=$((1024 * 1024))

if [ "$SB_VERSION" = 1 ]; then
	sb_file jvm1 memory.memsw.limit_in_bytes >/dev/null || skip "no swap accounting (memsw)"
	limit() { cat "$(sb_file "$1" memory.limit_in_bytes)"; }
	swapbuf() { echo $(( $(cat "$(sb_file "$1" memory.memsw.limit_in_bytes)") - $(limit "$1") )); }
	take_swap() { cat "$(sb_file "$1" memory.limit_in_bytes)" > "$(sb_file "$1" memory.memsw.limit_in_bytes)"; }
	# jvm2 starts with no swap at all: a 300M limit and memsw equal to it.
	no_swap() { echo $((300 * 1024 * 1024)) > "$(sb_file "$1" memory.limit_in_bytes)" &&
		echo $((300 * 1024 * 1024)) > "$(sb_file "$1" memory.memsw.limit_in_bytes)"; }
else
	sb_file jvm1 memory.swap.max >/dev/null || skip "no memory.swap.max"
	limit() { cat "$(sb_file "$1" memory.max)"; }
	swapbuf() { cat "$(sb_file "$1" memory.swap.max)"; }
	take_swap() { echo 0 > "$(sb_file "$1" memory.swap.max)"; }
	no_swap() { take_swap "$1"; }
fi
PLAIN_LIMIT=$(limit plain)
no_swap jvm2 || fail "cannot take jvm2's swap away for the test"

sb_idle_java
cat > "$POL/20-jvm.policy" <<EOF
# JVM tenants: a 256M limit and 128M of swap they always keep.
policy "jvm" {
    match cgroup "$SB_BASE/jvm1" "$SB_BASE/plain"
    match process "java"
    cooldown 2s
    memory limit 256M
    memory swap-buffer 128M
}
# jvm2 gets a limit but names no buffer, and starts without swap: the JVM
# default buffer applies (a JVM whose own buffer is larger keeps its own).
policy "jvm2" {
    match cgroup "$SB_BASE/jvm2"
    priority 10
    memory limit 200M
}
EOF
cat > "$CONF" <<EOF
jvm-swap-buffer = 64M
process-interval = 1s
EOF

for c in jvm1 jvm2; do
	sb_run $c "$SB_TMP/$c.out" java -Xmx32m -Xss512k -XX:TieredStopAtLevel=1 \
		-XX:+UseSerialGC "$SB_TMP/Idle.java"
	eval "${c}_PID=\$SB_LAST_PID"
done
sb_run plain "$SB_TMP/plain.out" sleep 600
for c in jvm1 jvm2; do
	wait_until 60 'grep -q ready "$SB_TMP/'$c'.out"' || fail "$c: java did not start: $(cat "$SB_TMP/$c.out")"
done
[ "$(cat /proc/$jvm1_PID/comm)" = java ] || fail "the JVM's comm is $(cat /proc/$jvm1_PID/comm)"

DAEMON_LOG="$SB_TMP/cgovd.log"
"$CGOVD" --foreground -v --config "$CONF" --policies "$POL" --db "$DB" \
	--interval 500ms --rescan-interval 500ms --containers "$SB_BASE/*" > "$DAEMON_LOG" 2>&1 &
DAEMON_PID=$!

wait_until 15 'test "$(swapbuf jvm1)" = $((128 * M))' || fail "jvm1 swap buffer $(swapbuf jvm1)"
[ "$(limit jvm1)" = $((256 * M)) ] || fail "jvm1 limit $(limit jvm1)"
pass "jvm1: limit 256M, swap buffer 128M (kernel files)"
wait_until 15 'test "$(swapbuf jvm2)" = $((64 * M))' || fail "jvm2 swap buffer $(swapbuf jvm2), want the 64M default"
[ "$(limit jvm2)" = $((200 * M)) ] || fail "jvm2 limit $(limit jvm2)"
pass "jvm2: limit 200M and the default 64M buffer"
[ "$(limit plain)" = "$PLAIN_LIMIT" ] || fail "the container without a JVM was changed"

# Something else takes jvm1's swap away: cgovd re-asserts the buffer.
take_swap jvm1
wait_until 15 'test "$(swapbuf jvm1)" = $((128 * M))' || fail "swap buffer not re-asserted ($(swapbuf jvm1))"
grep -q "swap-buffer.*behind cgov's back" "$DAEMON_LOG" || fail "the drift was not logged"
"$CGOV" --db "$DB" actions --format json |
	jq -e '[.actions[] | select(.kind == "reassert" and .knob == "memory swap-buffer")] | length >= 1' \
	>/dev/null || fail "no reassert row in the journal"
pass "swap taken behind cgov's back was re-asserted and journaled"

if [ "$(awk 'NR > 1' /proc/swaps | wc -l)" = 0 ]; then
	grep -q "no swap" "$DAEMON_LOG" || fail "no warning that the host has no swap to give"
	pass "warned that the host has no swap"
fi

# A clean exit keeps static limits (exit-restore rules), so the JVM keeps its swap.
kill -TERM "$DAEMON_PID"; wait "$DAEMON_PID"; DAEMON_PID=""
[ "$(swapbuf jvm1)" = $((128 * M)) ] || fail "exit took the swap buffer away"
pass "clean exit kept the static limits"

# The next cgovd takes the kept limits over without touching them, and does
# not call the clean exit a crash.
"$CGOVD" --foreground -v --config "$CONF" --policies "$POL" --db "$DB" \
	--interval 500ms --rescan-interval 500ms --containers "$SB_BASE/*" > "$DAEMON_LOG" 2>&1 &
DAEMON_PID=$!
wait_until 15 'grep -q "kept by the previous cgovd" "$DAEMON_LOG"' || fail "kept limits not taken over"
t=$(grep -c "debug: tick:" "$DAEMON_LOG")
wait_until 10 'test "$(grep -c "debug: tick:" "$DAEMON_LOG")" -ge $((t + 4))' || fail "cgovd stopped ticking"
grep -q "did not exit cleanly" "$DAEMON_LOG" && fail "a clean exit was taken for a crash"
grep -q "apply\|restore" "$DAEMON_LOG" && fail "the restart rewrote kept limits: $(grep "apply\|restore" "$DAEMON_LOG")"
[ "$(swapbuf jvm1)" = $((128 * M)) ] && [ "$(limit jvm1)" = $((256 * M)) ] || fail "jvm1 changed on restart"
pass "a restart takes the kept limits over without rewriting them"
