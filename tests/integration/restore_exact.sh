#!/bin/bash
# A restore writes back exactly what the kernel held, not its value in the
# knob's unit: a CPU quota of 301007 us per 100000 us is 3.010 cores in
# millicores, which would go back as 301000. The original is taken over by
# a static `cpu quota`, then restored (1) by a reload that drops the policy
# and (2) by a cgovd restarted after kill -9, from the original journaled in
# knob_orig (whose exact column keeps the kernel's form); each time the
# kernel's file must read 301007 again, its period unchanged.
. "$(dirname "$0")/../lib/sandbox.sh"
sb_init
need jq
sb_policy_dir
sb_mk box

if [ "$SB_VERSION" = 1 ]; then
	QF=$(sb_file box cpu.cfs_quota_us) || skip "no CPU quota knob"
	PERIOD=$(cat "$(sb_file box cpu.cfs_period_us)")
	echo 301007 > "$QF" || skip "cannot set a quota of 301007 us (the parent's quota is lower?)"
	quota() { echo "$(cat "$QF") $(cat "$(sb_file box cpu.cfs_period_us)")"; }
else
	QF=$(sb_file box cpu.max) || skip "no CPU quota knob"
	PERIOD=$(cut -d' ' -f2 "$QF")
	echo "301007 $PERIOD" > "$QF" || skip "cannot set a quota of 301007 us"
	quota() { cat "$QF"; }
fi
ORIG="301007 $PERIOD"
WANT="$((PERIOD / 2)) $PERIOD"
[ "$(quota)" = "$ORIG" ] || fail "the quota reads $(quota) after writing $ORIG"

cat > "$SB_TMP/10-quota.policy" <<EOF
policy "quota" {
    match cgroup "$SB_BASE/box"
    cooldown 1s
    cpu quota 0.5 cores
}
EOF
cp "$SB_TMP/10-quota.policy" "$POL/"
start() {
	DAEMON_LOG="$SB_TMP/cgovd.$1.log"
	"$CGOVD" --foreground -v --config /dev/null --policies "$POL" --db "$DB" \
		--interval 500ms --rescan-interval 500ms --containers "$SB_BASE/*" > "$DAEMON_LOG" 2>&1 &
	DAEMON_PID=$!
}
stop() { kill "-$1" "$DAEMON_PID"; wait "$DAEMON_PID" 2>/dev/null; DAEMON_PID=""; }

# 1. Taken over, then a reload without the policy puts it back.
start run1
wait_until 20 'test "$(quota)" = "$WANT"' || fail "quota not applied ($(quota))"
mv "$POL/10-quota.policy" "$SB_TMP/dropped.policy"
kill -HUP "$DAEMON_PID"
wait_until 20 'test "$(quota)" != "$WANT"' || fail "dropping the policy restored nothing"
[ "$(quota)" = "$ORIG" ] || fail "the reload restored $(quota), want $ORIG"
pass "a reload restored the quota exactly: $(quota)"

# 2. Taken over again; cgovd killed -9 with it in force; the journal holds
# the exact original; a cgovd without the policy restores it from there.
cp "$SB_TMP/10-quota.policy" "$POL/"
kill -HUP "$DAEMON_PID"
wait_until 20 'test "$(quota)" = "$WANT"' || fail "quota not applied again ($(quota))"
stop KILL
[ "$(db_q 'select count(*) from knob_orig')" = 1 ] || fail "not one original journaled"
exact=$(db_q 'select exact from knob_orig')
[ "$exact" = "$ORIG" ] || fail "knob_orig keeps \"$exact\" for the quota, want \"$ORIG\""
rm "$POL/10-quota.policy"
start run2
wait_until 20 'test "$(quota)" != "$WANT"' || fail "the restart restored nothing"
[ "$(quota)" = "$ORIG" ] || fail "the restart restored $(quota), want $ORIG"
[ "$(db_q 'select count(*) from knob_orig')" = 0 ] || fail "originals left in the journal"
stop TERM
pass "after kill -9, the journaled original went back exactly: $(quota)"
