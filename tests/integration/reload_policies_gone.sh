#!/bin/bash
# A SIGHUP whose policies path has vanished (the directory removed or
# renamed, with `policies` from cgov.conf, where a missing default directory
# at start means "monitoring only") keeps the running policy set and says so
# at error level, as a broken file does: it never drops governing and
# restores every throttle. Put back, the next SIGHUP loads it again.
. "$(dirname "$0")/../lib/sandbox.sh"
sb_init
DB="$SB_TMP/cgov.db"
POL="$SB_TMP/policies"
CONF="$SB_TMP/cgov.conf"
mkdir -p "$POL"
sb_mk web
PIDS=$(sb_file web pids.max) || skip "no pids controller"
[ "$(cat "$PIDS")" = max ] || skip "the sandbox already has a pids limit ($(cat "$PIDS"))"
cat > "$POL/10-limit.policy" <<EOF
policy "cap-pids" {
    match cgroup "$SB_BASE/web"
    pids max 100
}
EOF
cat > "$CONF" <<EOF
db = $DB
policies = $POL
interval = 200ms
rescan-interval = 200ms
containers = $SB_BASE/*
EOF
ticks() { grep -c "debug: tick:" "$DAEMON_LOG"; }
DAEMON_LOG="$SB_TMP/cgovd.log"
"$CGOVD" --foreground -v --config "$CONF" > "$DAEMON_LOG" 2>&1 &
DAEMON_PID=$!
wait_until 20 'test "$(cat "$PIDS")" = 100' || fail "pids max 100 not applied: $(cat "$PIDS")"
pass "pids.max 100 in force"

# Renamed away: the reload is refused, the rule stays in force.
mv "$POL" "$POL.away"
kill -HUP "$DAEMON_PID"
wait_until 20 'grep -q "keeping the running policies" "$DAEMON_LOG"' ||
	fail "the reload without a policies directory was not refused"
grep -q "error: .*policies.*$POL" "$DAEMON_LOG" || fail "no error names the vanished path"
n=$(ticks)
wait_until 20 'test "$(ticks)" -ge $((n + 5))' || fail "ticks stopped after the refused reload"
[ "$(cat "$PIDS")" = 100 ] || fail "pids.max is $(cat "$PIDS") after the policies vanished, not 100"
grep -q "configuration reloaded" "$DAEMON_LOG" && fail "the reload was applied"
pass "policies renamed away: running set kept, pids.max still 100 after 5 ticks"

# Put back: a reload takes it again, the rule still in force.
mv "$POL.away" "$POL"
kill -HUP "$DAEMON_PID"
wait_until 20 'grep -q "configuration reloaded" "$DAEMON_LOG"' || fail "reload after putting it back failed"
n=$(ticks)
wait_until 20 'test "$(ticks)" -ge $((n + 3))' || fail "ticks stopped"
[ "$(cat "$PIDS")" = 100 ] || fail "pids.max is $(cat "$PIDS") after putting the policies back"
kill -TERM "$DAEMON_PID"; wait "$DAEMON_PID"; rc=$?; DAEMON_PID=""
[ "$rc" = 0 ] || fail "cgovd exited $rc"
pass "put back: reloaded, pids.max 100"
