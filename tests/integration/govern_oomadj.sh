#!/bin/bash
# oom-score-adj, the per-task knob (issue 11, item 3): a rule steers the OOM
# killer towards a container by writing /proc/PID/oom_score_adj of every
# task of its subtree (tasks of two sub-cgroups). What the kernel
# reports for each task is checked, and what cgovd journaled:
#  - the rung fires: every task of the subtree gets +500, a neighbour's
#    task keeps its value (apply row);
#  - a task moved in later and a task whose owner writes its own value back
#    are put back to +500 while the rule holds (reassert rows);
#  - the rule clears: every task gets its original back (restore row);
#  - fired again, then SIGTERM: the clean exit restores the tasks too.
. "$(dirname "$0")/../lib/sandbox.sh"
sb_init
need jq
sb_policy_dir
sb_mk grow
# Tasks live in leaves only (v2 allows none in a cgroup with enabled
# controllers below it): grow/top stands for the container's own tasks.
sb_mk grow/top
sb_mk grow/sub
sb_mk calm
sb_file grow pids.current >/dev/null || sb_file grow pids.max >/dev/null || skip "no pids controller"
[ -w /proc/self/oom_score_adj ] || skip "cannot write oom_score_adj"

adj() { cat "/proc/$1/oom_score_adj" 2>/dev/null; }
# all_adj V PID...: every task has oom_score_adj V.
all_adj() {
	local v=$1 p
	shift
	for p in "$@"; do [ "$(adj "$p")" = "$v" ] || return 1; done
}
rows() {
	"$CGOV" --db "$DB" actions --format json |
		jq "[.actions[] | select(.knob == \"oom-score-adj\" and .kind == \"$1\")] | length"
}

# The rung fires while the container has more than 3 tasks.
cat > "$POL/10-steer.policy" <<PEOF
policy "steer" {
    match cgroup "$SB_BASE/grow"
    cooldown 1s
    rule "grower" {
        when pids > 3
        do oom-score-adj +500
        until pids <= 3 for 1s
        cooldown 1s
    }
}
PEOF
"$CGOV" policy check "$POL" > "$SB_TMP/check.out" 2>&1 || fail "the policy does not check: $(cat "$SB_TMP/check.out")"

sb_run grow/top "$SB_TMP/g1.out" sleep 600; G1=$SB_LAST_PID
sb_run grow/sub "$SB_TMP/g2.out" sleep 600; G2=$SB_LAST_PID
sb_run calm "$SB_TMP/c1.out" sleep 600; C1=$SB_LAST_PID
ORIG=$(adj "$G1")
[ "$ORIG" != 500 ] || skip "the test's own oom_score_adj is already 500"
wait_until 5 'all_adj "$ORIG" $G1 $G2 $C1' || fail "tasks do not start at $ORIG"

daemon_start -v --policies "$POL" --db "$DB" --interval 500ms --rescan-interval 500ms

# More than 3 tasks: two more in the container, the rule fires.
sb_run grow/top "$SB_TMP/g3.out" sleep 600; G3=$SB_LAST_PID
sb_run grow/sub "$SB_TMP/g4.out" sleep 600; G4=$SB_LAST_PID
wait_until 20 'all_adj 500 $G1 $G2 $G3 $G4' ||
	fail "oom_score_adj: $(adj $G1) $(adj $G2) $(adj $G3) $(adj $G4); log: $(grep -v tick "$DAEMON_LOG" | tail -5)"
[ "$(adj "$C1")" = "$ORIG" ] || fail "the neighbour's task was changed to $(adj "$C1")"
wait_until 10 'test "$(rows apply)" -ge 1' || fail "no apply row"
"$CGOV" --db "$DB" actions --format json | jq -e --arg o "$ORIG" '[.actions[] | select(.knob == "oom-score-adj"
	and .kind == "apply")][0] | .new == "+500" and .rule == "grower"' >/dev/null ||
	fail "the apply row: $("$CGOV" --db "$DB" actions)"
pass "the rung wrote +500 to every task of the subtree (two sub-cgroups), not to the neighbour"

# A task moved in (it did not inherit +500) and a tenant writing its own
# value back: both are put back while the rule holds.
sb_run grow/sub "$SB_TMP/g5.out" sleep 600; G5=$SB_LAST_PID
echo "$ORIG" > "/proc/$G3/oom_score_adj"
wait_until 20 'all_adj 500 $G1 $G2 $G3 $G4 $G5' ||
	fail "not re-asserted: $(adj $G3) $(adj $G5)"
wait_until 10 'test "$(rows reassert)" -ge 1' || fail "no reassert row: $("$CGOV" --db "$DB" actions)"
pass "a task moved in and a task that wrote its own value are put back to +500, journaled"

# The rule clears: back to the original.
kill "$G3" "$G4" "$G5"
wait_until 20 'all_adj "$ORIG" $G1 $G2' || fail "not restored at clear: $(adj $G1) $(adj $G2)"
wait_until 10 'test "$(rows restore)" -ge 1' || fail "no restore row"
"$CGOV" --db "$DB" actions --format json | jq -e '[.actions[] | select(.knob == "oom-score-adj"
	and .kind == "restore")][0] | .old == "+500"' >/dev/null ||
	fail "the restore row: $("$CGOV" --db "$DB" actions)"
pass "the rule cleared: every task got its original $ORIG back (restore row)"

# Fired again, then SIGTERM: the exit restores.
sb_run grow/top "$SB_TMP/g6.out" sleep 600; G6=$SB_LAST_PID
sb_run grow/top "$SB_TMP/g7.out" sleep 600; G7=$SB_LAST_PID
wait_until 30 'all_adj 500 $G1 $G2 $G6 $G7' || fail "did not fire again: $(adj $G1) $(adj $G6)"
n=$(rows restore)
kill -TERM "$DAEMON_PID"; wait "$DAEMON_PID"; DAEMON_PID=""
all_adj "$ORIG" $G1 $G2 $G6 $G7 || fail "not restored at exit: $(adj $G1) $(adj $G2) $(adj $G6) $(adj $G7)"
[ "$(rows restore)" -gt "$n" ] || fail "no restore row at exit"
[ "$(adj "$C1")" = "$ORIG" ] || fail "the neighbour's task changed"
pass "SIGTERM restored every task's oom_score_adj (restore row)"
