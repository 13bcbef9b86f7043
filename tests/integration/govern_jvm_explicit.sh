#!/bin/bash
# An explicit `memory swap-buffer` wins over the JVM floor (issue 12, hole
# 3). The operator's policy says swap-buffer 0 for a container (it matches
# by cgroup, not by process name, so `cgov policy check` lets the 0 pass);
# a real JVM (Debian's openjdk, its executable named java) runs in it. The
# JVM is seen, and still no 512M buffer is written: the kernel files keep
# memsw = limit (v1) / memory.swap.max 0 (v2), and the journal has no apply
# of the floor.
. "$(dirname "$0")/../lib/sandbox.sh"
sb_init
need java
need jq
DB="$SB_TMP/cgov.db"
POL="$SB_TMP/policies"
CONF="$SB_TMP/cgov.conf"
mkdir -p "$POL"
sb_mk ops
M=$((1024 * 1024))

if [ "$SB_VERSION" = 1 ]; then
	sb_file ops memory.memsw.limit_in_bytes >/dev/null || skip "no swap accounting (memsw)"
	limit() { cat "$(sb_file "$1" memory.limit_in_bytes)"; }
	swapbuf() { echo $(( $(cat "$(sb_file "$1" memory.memsw.limit_in_bytes)") - $(limit "$1") )); }
else
	sb_file ops memory.swap.max >/dev/null || skip "no memory.swap.max"
	limit() { cat "$(sb_file "$1" memory.max)"; }
	swapbuf() { cat "$(sb_file "$1" memory.swap.max)"; }
fi

sb_idle_java
# The memory limit first: on v1 the buffer is written against it.
cat > "$POL/20-ops.policy" <<PEOF
policy "ops" {
    match cgroup "$SB_BASE/ops"
    memory limit 256M
    memory swap-buffer 0
}
PEOF
"$CGOV" policy check "$POL" > "$SB_TMP/check.out" 2>&1 || fail "the policy does not check: $(cat "$SB_TMP/check.out")"
# No jvm-swap-buffer: the floor would be the 512M default.
cat > "$CONF" <<CEOF
process-interval = 1s
CEOF
sb_run ops "$SB_TMP/ops.out" java -Xmx32m -Xss512k -XX:TieredStopAtLevel=1 \
	-XX:+UseSerialGC "$SB_TMP/Idle.java"
JVM_PID=$SB_LAST_PID
wait_until 60 'grep -q ready "$SB_TMP/ops.out"' || fail "java did not start: $(cat "$SB_TMP/ops.out")"
[ "$(basename "$(readlink /proc/$JVM_PID/exe)")" = java ] || fail "the JVM's executable is $(readlink /proc/$JVM_PID/exe)"

DAEMON_LOG="$SB_TMP/cgovd.log"
"$CGOVD" --foreground -v --config "$CONF" --policies "$POL" --db "$DB" \
	--interval 500ms --rescan-interval 500ms --containers "$SB_BASE/*" > "$DAEMON_LOG" 2>&1 &
DAEMON_PID=$!
wait_until 20 'test "$(limit ops)" = $((256 * M))' || fail "limit $(limit ops), want 256M"
wait_until 20 'grep -q "a JVM runs in it" "$DAEMON_LOG"' || fail "the JVM was not seen"
t=$(grep -c "debug: tick:" "$DAEMON_LOG")
wait_until 20 'test "$(grep -c "debug: tick:" "$DAEMON_LOG")" -ge $((t + 6))' || fail "cgovd stopped ticking"
[ "$(swapbuf ops)" = 0 ] || fail "swap buffer $(swapbuf ops): the JVM floor overrode the policy's 0"
"$CGOV" --db "$DB" actions --format json > "$SB_TMP/actions.json"
jq -e --argjson b $((512 * M)) '[.actions[] | select(.knob == "memory swap-buffer" and .new_value == $b)] | length == 0' \
	"$SB_TMP/actions.json" >/dev/null || fail "a 512M buffer was journaled: $("$CGOV" --db "$DB" actions)"
grep -q "JVM swap buffer floor" "$DAEMON_LOG" && fail "the floor was applied: $(grep floor "$DAEMON_LOG")"
pass "policy swap-buffer 0 with a real JVM: buffer 0 in the kernel, no floor journaled"
