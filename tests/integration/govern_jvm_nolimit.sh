#!/bin/bash
# A JVM tenant WITHOUT a memory limit (issue 11, item 3). On v1 the swap
# buffer is memsw - limit: with no limit memsw is unlimited, so a buffer has
# nothing to keep. cgovd used to journal `apply memory swap-buffer max ->
# 512M`, write memsw "-1" (limit + buffer = unlimited), read unlimited back
# and journal `drift 512M -> max ... released`: a false pair on every JVM
# start. Now: memsw is never written, no apply and no drift are journaled,
# and one `refused` row says why (once, not each tick) for a policy that
# names a buffer; the JVM floor of a policy that names none journals nothing;
# and on a host without swap no "no swap to give" warning is logged for a
# buffer that is never written.
# Its swap is then bounded by its parent's memsw: the refused row says the
# parent's buffer, and a parent's buffer below the wanted one is warned
# about. On v2 memory.swap.max does not depend on memory.max: skipped there.
. "$(dirname "$0")/../lib/sandbox.sh"
sb_init
need java
need jq
[ "$SB_VERSION" = 1 ] || skip "v2: memory.swap.max is independent of memory.max"
DB="$SB_TMP/cgov.db"
POL="$SB_TMP/policies"
CONF="$SB_TMP/cgov.conf"
mkdir -p "$POL"
sb_mk big
sb_v1_memsw big

sb_idle_java
cat > "$CONF" <<EOF
jvm-swap-buffer = 64M
process-interval = 1s
EOF
sb_run big "$SB_TMP/big.out" java -Xmx32m -Xss512k -XX:TieredStopAtLevel=1 \
	-XX:+UseSerialGC "$SB_TMP/Idle.java"
wait_until 60 'grep -q ready "$SB_TMP/big.out"' || fail "java did not start: $(cat "$SB_TMP/big.out")"

rows() {
	"$CGOV" --db "$DB" actions --format json |
		jq "[.actions[] | select(.knob == \"memory swap-buffer\" and .kind == \"$1\")] | length"
}

# run_daemon LABEL REFUSED [WHY]: cgovd over the sandbox until REFUSED (0 or 1)
# refused rows are there and 6 more ticks have passed (the false drift came
# a tick after the apply), then SIGTERM; the kernel file and the journal
# are checked.
run_daemon() {
	local t want=$2
	DAEMON_LOG="$SB_TMP/cgovd-$1.log"
	"$CGOVD" --foreground -v --config "$CONF" --policies "$POL" --db "$DB" \
		--interval 500ms --rescan-interval 500ms --containers "$SB_BASE/*" > "$DAEMON_LOG" 2>&1 &
	DAEMON_PID=$!
	wait_until 20 'grep -q "a JVM runs in it" "$DAEMON_LOG"' || fail "$1: the JVM was not seen"
	wait_until 20 'test "$(rows refused)" -ge $want' ||
		fail "$1: no refused row; journal: $("$CGOV" --db "$DB" actions)"
	t=$(grep -c "debug: tick:" "$DAEMON_LOG")
	wait_until 20 'test "$(grep -c "debug: tick:" "$DAEMON_LOG")" -ge $((t + 6))' || fail "$1: cgovd stopped ticking"
	[ "$(rows apply)" = 0 ] || fail "$1: an apply was journaled: $("$CGOV" --db "$DB" actions)"
	[ "$(rows drift)" = 0 ] || fail "$1: a drift was journaled: $("$CGOV" --db "$DB" actions)"
	[ "$(rows refused)" = "$2" ] || fail "$1: not $2 refused row: $("$CGOV" --db "$DB" actions)"
	[ "$2" = 0 ] || "$CGOV" --db "$DB" actions --format json |
		jq -e --arg re "${3:-no memory limit}" '[.actions[] | select(.knob == "memory swap-buffer" and
		.kind == "refused")][0].why | test($re)' >/dev/null ||
		fail "$1: the refused row does not say ${3:-why}: $("$CGOV" --db "$DB" actions)"
	[ "$(cat "$MEMSW")" = "$ORIG_MEMSW" ] || fail "$1: memsw changed to $(cat "$MEMSW")"
	grep -q "apply.*swap-buffer\|swap-buffer.*behind cgov's back" "$DAEMON_LOG" &&
		fail "$1: the log says an apply or a drift: $(grep swap-buffer "$DAEMON_LOG")"
	# Nothing is written: a host without swap is nothing to warn about.
	grep -q "no swap to give" "$DAEMON_LOG" &&
		fail "$1: warned of no swap for a buffer never written: $(grep "no swap" "$DAEMON_LOG")"
	kill -TERM "$DAEMON_PID"; wait "$DAEMON_PID"; DAEMON_PID=""
	[ "$(rows restore)" = 0 ] || fail "$1: a restore was journaled for a knob never written"
	[ "$(cat "$MEMSW")" = "$ORIG_MEMSW" ] && [ "$(cat "$LIMIT")" = "$ORIG_LIMIT" ] ||
		fail "$1: exit changed memsw/limit"
}

# The shipped JVM policy's form: a buffer named, no limit.
cat > "$POL/20-jvm.policy" <<EOF
policy "jvm" {
    match cgroup "$SB_BASE/*"
    match process "java"
    memory swap-buffer 512M
}
EOF
run_daemon named 1
pass "a named buffer on a tenant without a limit: no apply, no drift, one refused row, memsw untouched"

# No buffer named: the JVM floor (64M here) has nothing to keep either, and
# wants nothing (an unlimited buffer is above any floor). The rule never
# fires: the policy only has to match.
rm -f "$DB" "$DB"-*
cat > "$POL/20-jvm.policy" <<EOF
policy "jvm" {
    match cgroup "$SB_BASE/*"
    match process "java"
    rule "never" {
        when memory > 1000G
        do cpu weight 100
    }
}
EOF
run_daemon floor 0
pass "the JVM floor on a tenant without a limit: no swap-buffer row at all, memsw untouched"

# The sandbox's own cgroup as "the node": a 2G limit and 128M of swap on
# top. The tenant still has no limit of its own: nothing is written to it,
# and the refused row says the parent's buffer is below the 512M wanted.
rm -f "$DB" "$DB"-*
cat > "$POL/20-jvm.policy" <<EOF
policy "jvm" {
    match cgroup "$SB_BASE/*"
    match process "java"
    memory swap-buffer 512M
}
EOF
PARENT_LIMIT=$(sb_file . memory.limit_in_bytes)
PARENT_MEMSW=$(sb_file . memory.memsw.limit_in_bytes)
echo $((2048 * 1024 * 1024)) > "$PARENT_LIMIT" || skip "cannot limit the sandbox's cgroup"
echo $((2176 * 1024 * 1024)) > "$PARENT_MEMSW" || fail "cannot set the sandbox's memsw"
run_daemon parent 1 "the parent's buffer is 128M \\(512M wanted\\)"
grep -q "warning: .*swap-buffer refused: no memory limit.*parent's buffer is 128M" "$DAEMON_LOG" ||
	fail "no warning about the parent's small buffer: $(grep swap-buffer "$DAEMON_LOG")"
[ "$(cat "$PARENT_MEMSW")" = $((2176 * 1024 * 1024)) ] || fail "the parent's memsw was written"
pass "inside a parent with a limit: the parent's 128M buffer is said and warned about, nothing written"
