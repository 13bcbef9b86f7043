#!/bin/bash
# memory low (issue 11, item 3): a rule protects a victim with v2
# memory.low. v2: the rung writes memory.low (the kernel file says 48M),
# journaled; the rule clears and the original comes back (restore row);
# fired again, SIGTERM restores it. v1 has no memory.low: `cgov policy
# check` warns, and the rule fires without writing or journaling anything
# about it.
. "$(dirname "$0")/../lib/sandbox.sh"
sb_init
need jq
sb_policy_dir
sb_mk victim
sb_file victim pids.current >/dev/null || sb_file victim pids.max >/dev/null || skip "no pids controller"
M=$((1024 * 1024))
rows() {
	"$CGOV" --db "$DB" actions --format json |
		jq "[.actions[] | select(.knob == \"memory low\" and .kind == \"$1\")] | length"
}
allrows() {
	"$CGOV" --db "$DB" actions --format json |
		jq '[.actions[] | select(.knob == "memory low")] | length'
}

cat > "$POL/10-protect.policy" <<PEOF
policy "protect" {
    match cgroup "$SB_BASE/victim"
    cooldown 1s
    rule "victim" {
        when pids > 2
        do memory low 48M
        until pids <= 2 for 1s
        cooldown 1s
    }
}
PEOF
"$CGOV" policy check "$POL" > "$SB_TMP/check.out" 2>&1 || fail "the policy does not check: $(cat "$SB_TMP/check.out")"
sb_run victim "$SB_TMP/v1.out" sleep 600; V1=$SB_LAST_PID

if [ "$SB_VERSION" = 1 ]; then
	grep -q "warning: cgroup v1 has no memory.low" "$SB_TMP/check.out" ||
		fail "no v1 warning at check: $(cat "$SB_TMP/check.out")"
	sb_file victim memory.low >/dev/null && fail "a v1 memory.low file exists"
	daemon_start -v --policies "$POL" --db "$DB" --interval 500ms --rescan-interval 500ms
	sb_run victim "$SB_TMP/v2.out" sleep 600
	sb_run victim "$SB_TMP/v3.out" sleep 600
	wait_until 20 'grep -q "rule \"victim\": .*-> active" "$DAEMON_LOG"' ||
		fail "the rule did not fire: $(grep -v tick "$DAEMON_LOG" | tail -5)"
	t=$(grep -c "debug: tick:" "$DAEMON_LOG")
	wait_until 20 'test "$(grep -c "debug: tick:" "$DAEMON_LOG")" -ge $((t + 4))' || fail "cgovd stopped ticking"
	[ "$(allrows)" = 0 ] || fail "memory low journaled on v1: $("$CGOV" --db "$DB" actions)"
	pass "v1: check warns, the rule fires, nothing written or journaled for memory low"
	exit 0
fi

LOW=$(sb_file victim memory.low) || skip "no memory.low"
ORIG=$(cat "$LOW")
[ "$ORIG" != $((48 * M)) ] || skip "memory.low is already 48M"
grep -q "memory.low" "$SB_TMP/check.out" && fail "a warning on v2: $(cat "$SB_TMP/check.out")"
daemon_start -v --policies "$POL" --db "$DB" --interval 500ms --rescan-interval 500ms

sb_run victim "$SB_TMP/v2.out" sleep 600; V2=$SB_LAST_PID
sb_run victim "$SB_TMP/v3.out" sleep 600; V3=$SB_LAST_PID
wait_until 20 'test "$(cat "$LOW")" = $((48 * M))' || fail "memory.low $(cat "$LOW"), want 48M"
wait_until 10 'test "$(rows apply)" -ge 1' || fail "no apply row: $("$CGOV" --db "$DB" actions)"
pass "v2: the rung wrote memory.low 48M (apply row)"

kill "$V2" "$V3"
wait_until 20 'test "$(cat "$LOW")" = "$ORIG"' || fail "not restored at clear: $(cat "$LOW")"
wait_until 10 'test "$(rows restore)" -ge 1' || fail "no restore row"
pass "v2: the rule cleared, memory.low back to $ORIG (restore row)"

sb_run victim "$SB_TMP/v4.out" sleep 600
sb_run victim "$SB_TMP/v5.out" sleep 600
wait_until 30 'test "$(cat "$LOW")" = $((48 * M))' || fail "did not fire again: $(cat "$LOW")"
n=$(rows restore)
kill -TERM "$DAEMON_PID"; wait "$DAEMON_PID"; DAEMON_PID=""
[ "$(cat "$LOW")" = "$ORIG" ] || fail "not restored at exit: $(cat "$LOW")"
[ "$(rows restore)" -gt "$n" ] || fail "no restore row at exit"
pass "v2: SIGTERM restored memory.low (restore row)"
