#!/bin/bash
# The kill rung reaches a container's whole subtree: tasks a tenant moved
# into its own sub-cgroups (one and two levels down) die with the rest
# (v2: cgroup.kill; v1 and v2 before 5.14: frozen, every task of every
# sub-cgroup signalled, thawed, again until empty). The kill row of the
# journal counts the tasks killed, the log says the same, v1's freezer is
# left thawed as found, and a neighbour lives on.
. "$(dirname "$0")/../lib/sandbox.sh"
sb_init
need jq
sb_policy_dir
sb_mk ct
sb_mk ct/a
sb_mk ct/b
sb_mk ct/b/c
sb_mk calm
sb_file ct pids.current >/dev/null || skip "no pids controller"
if [ "$SB_VERSION" = 1 ]; then
	STATE=$(sb_file ct freezer.state) || skip "no freezer hierarchy"
	[ "$(cat "$STATE")" = THAWED ] || skip "the sandbox is frozen already"
fi

cat > "$POL/10-kill.policy" <<EOF
policy "forks" {
    match cgroup "$SB_BASE/*"
    allow kill
    rule "too-many" {
        when pids > 2
        do kill
    }
}
EOF
"$CGOV" policy check "$POL" > "$SB_TMP/check.out" 2>&1 || fail "the policy does not check: $(cat "$SB_TMP/check.out")"

sb_run calm "$SB_TMP/calm.out" sleep 600
CALM_PID=$SB_LAST_PID
# Three tasks, none of them in ct's own cgroup.procs on v2 (processes live
# in the leaves there); one in it on v1.
if [ "$SB_VERSION" = 1 ]; then
	sb_run ct "$SB_TMP/t0.out" sleep 600
else
	sb_run ct/a "$SB_TMP/t0.out" sleep 600
fi
P0=$SB_LAST_PID
sb_run ct/a "$SB_TMP/t1.out" sleep 600
P1=$SB_LAST_PID
sb_run ct/b/c "$SB_TMP/t2.out" sleep 600
P2=$SB_LAST_PID
PC=$(sb_file ct pids.current)
wait_until 10 'test "$(cat "$PC")" = 3' || fail "ct holds $(cat "$PC") tasks, not 3"

DAEMON_LOG="$SB_TMP/cgovd.log"
"$CGOVD" --foreground -v --config /dev/null --policies "$POL" --db "$DB" \
	--interval 300ms --rescan-interval 300ms --containers "$SB_BASE/*" > "$DAEMON_LOG" 2>&1 &
DAEMON_PID=$!
wait_until 30 'proc_exited "$P0" && proc_exited "$P1" && proc_exited "$P2"' ||
	fail "tasks of the subtree outlived the kill: $(for p in $P0 $P1 $P2; do proc_exited $p || echo -n "$p "; done)"
for p in $P0 $P1 $P2; do
	wait "$p"; rc=$?
	[ "$rc" = 137 ] || fail "task $p exited $rc, not by SIGKILL"
done
for d in ct ct/a ct/b ct/b/c; do
	for mnt in $SB_MOUNTS; do
		f="$mnt$SB_BASE/$d/cgroup.procs"
		[ -e "$f" ] || continue
		[ ! -s "$f" ] || fail "$d/cgroup.procs still lists $(cat "$f")"
	done
done
kill -0 "$CALM_PID" 2>/dev/null || fail "the neighbour was killed"
pass "v$SB_VERSION: every task of ct, ct/a and ct/b/c killed; the neighbour alive"

grep -q "error: KILL ct .*: 3 tasks killed" "$DAEMON_LOG" || fail "the log does not count 3 tasks killed"
kills() { "$CGOV" --db "$DB" actions --format json | jq -c '[.actions[] | select(.kind == "kill") | .new_value]'; }
wait_until 10 'test "$(kills)" = "[3]"' || fail "the journal's kill rows count $(kills), not [3]"
if [ "$SB_VERSION" = 1 ]; then
	[ "$(cat "$STATE")" = THAWED ] || fail "ct's freezer is left $(cat "$STATE")"
fi
kill -TERM "$DAEMON_PID"; wait "$DAEMON_PID"; rc=$?; DAEMON_PID=""
[ "$rc" = 0 ] || fail "cgovd exited $rc"
kill -0 "$CALM_PID" 2>/dev/null || fail "the neighbour was killed"
pass "journal and log count 3 tasks killed; freezer left as found"
