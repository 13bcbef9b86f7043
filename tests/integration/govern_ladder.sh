#!/bin/bash
# The last rungs of the ladder on the real kernel: a container whose memory
# stays above the rule's threshold is frozen (v2: cgroup.freeze, the kernel
# confirming "frozen 1" in cgroup.events; v1: freezer.state FROZEN), then,
# `escalate after` later, killed (v2: cgroup.kill; v1: SIGKILL to each task
# of cgroup.procs). Its tasks are gone, its freeze is undone once the rule
# clears, the journal says each step, the kill is logged at error level, and
# a neighbour is neither frozen nor killed.
. "$(dirname "$0")/../lib/sandbox.sh"
sb_init
need jq
sb_policy_dir
sb_mk runaway
sb_mk calm
M=$((1024 * 1024))

if [ "$SB_VERSION" = 1 ]; then
	STATE=$(sb_file runaway freezer.state) || skip "no freezer hierarchy"
	CALM_STATE=$(sb_file calm freezer.state)
	frozen() { [ "$(cat "$1")" = FROZEN ]; }
	thawed() { [ "$(cat "$1")" = THAWED ]; }
else
	STATE=$(sb_file runaway cgroup.events) || skip "no cgroup.events"
	CALM_STATE=$(sb_file calm cgroup.events)
	sb_file runaway cgroup.freeze >/dev/null || skip "no cgroup.freeze (kernel before 5.2)"
	# What the kernel reports done, not only what was asked (cgroup.freeze).
	frozen() { grep -qx "frozen 1" "$1" && [ "$(cat "${1%/*}/cgroup.freeze")" = 1 ]; }
	thawed() { grep -qx "frozen 0" "$1" && [ "$(cat "${1%/*}/cgroup.freeze")" = 0 ]; }
fi
PROCS=$(sb_file runaway cgroup.procs)
thawed "$STATE" || skip "the sandbox is frozen already"

cat > "$POL/10-ladder.policy" <<EOF
# Above 64M the container is frozen; still above it 3s later, killed.
policy "ladder" {
    match cgroup "$SB_BASE/*"
    cooldown 1s
    allow kill
    rule "runaway" {
        when memory > 64M
        do freeze
        do kill
        escalate after 3s
        until memory < 16M for 1s
    }
}
EOF
"$CGOV" policy check "$POL" > "$SB_TMP/check.out" 2>&1 || fail "the policy does not check: $(cat "$SB_TMP/check.out")"

sb_run calm "$SB_TMP/calm.out" sleep 600
CALM_PID=$SB_LAST_PID
# Two tasks in the runaway: the holder and a sleeper, both must go.
sb_run runaway "$SB_TMP/sleeper.out" sleep 600
SLEEPER_PID=$SB_LAST_PID
DAEMON_LOG="$SB_TMP/cgovd.log"
"$CGOVD" --foreground -v --config /dev/null --policies "$POL" --db "$DB" \
	--interval 500ms --rescan-interval 500ms --containers "$SB_BASE/*" > "$DAEMON_LOG" 2>&1 &
DAEMON_PID=$!
wait_until 20 'grep -q "debug: tick: 2 containers" "$DAEMON_LOG"' || fail "cgovd did not start"
sb_run runaway "$SB_TMP/mem.out" "$HOG" mem $((100 * M))
MEM_PID=$SB_LAST_PID

# Rung 0: frozen, as the kernel says; the neighbour is not.
wait_until 30 'frozen "$STATE"' || fail "the runaway was not frozen: $(cat "$STATE")"
thawed "$CALM_STATE" || fail "the neighbour is frozen too"
actions() { "$CGOV" --db "$DB" actions --format json; }
nact() { actions | jq "[.actions[] | select($1)] | length"; }
wait_until 10 'test "$(nact '"'"'.kind == "apply" and .knob == "freeze"'"'"')" = 1' ||
	fail "no apply row for the freeze: $(actions | jq -c '[.actions[] | {kind, knob}]')"
pass "v$SB_VERSION: frozen above 64M, the neighbour thawed"

# Rung 1, `escalate after 3s` later: killed, every task of it.
wait_until 30 'proc_exited "$MEM_PID" && proc_exited "$SLEEPER_PID"' ||
	fail "the runaway's tasks were not killed ($(cat "$PROCS" | wc -l) left, state $(cat "$STATE"))"
wait "$MEM_PID"; rc=$?
[ "$rc" = 137 ] || fail "the holder exited $rc, not by SIGKILL"
wait_until 10 'test ! -s "$PROCS"' || fail "cgroup.procs still lists $(cat "$PROCS")"
kill -0 "$CALM_PID" 2>/dev/null || fail "the neighbour was killed"
wait_until 10 'test "$(nact '"'"'.kind == "kill"'"'"')" -ge 1' ||
	fail "no kill row: $(actions | jq -c '[.actions[] | {kind, knob}]')"
t_freeze=$(actions | jq '[.actions[] | select(.kind == "apply" and .knob == "freeze")][0].time_ms')
t_kill=$(actions | jq '[.actions[] | select(.kind == "kill")][0].time_ms')
[ $((t_kill - t_freeze)) -ge 2900 ] || fail "killed $((t_kill - t_freeze)) ms after the freeze, before escalate after 3s"
grep -q "error: KILL " "$DAEMON_LOG" || fail "the kill was not logged at error level"
pass "killed $((t_kill - t_freeze)) ms after the freeze (escalate after 3s), the neighbour alive"

# The memory is gone with the tasks: the rule clears, the freeze is undone.
wait_until 30 'thawed "$STATE"' || fail "the freeze was not undone: $(cat "$STATE")"
wait_until 10 'test "$(nact '"'"'.kind == "restore" and .knob == "freeze"'"'"')" -ge 1' ||
	fail "no restore row for the freeze"
kill -TERM "$DAEMON_PID"; wait "$DAEMON_PID"; rc=$?; DAEMON_PID=""
[ "$rc" = 0 ] || fail "cgovd exited $rc"
# The kill did not look like someone else thawing the container.
grep "behind cgov's back" "$DAEMON_LOG" && fail "the kill was taken for a drift of the freeze"
thawed "$CALM_STATE" && kill -0 "$CALM_PID" || fail "the neighbour was touched"
pass "thawed once the rule cleared; journal: freeze, kill, restore"
