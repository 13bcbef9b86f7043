#!/bin/bash
# Governing never waits on storage (DESIGN.md, safety rule 10): while
# another connection holds the database's write lock for 6 s, a rule still
# fires on time (the knob is written while the lock is held), and once the
# lock is gone the journal gets the decision and the original.
. "$(dirname "$0")/../lib/sandbox.sh"
sb_init
need python3
sb_policy_dir
sb_mk m
QUOTA=$(sb_file m cpu.cfs_quota_us || sb_file m cpu.max) || skip "no CPU quota knob"
quota() { cut -d' ' -f1 "$QUOTA"; }
case "$(quota)" in -1|max) ;; *) skip "the sandbox already has a quota ($(quota))" ;; esac
PERIOD=$(cat "$(sb_file m cpu.cfs_period_us)" 2>/dev/null || cut -d' ' -f2 "$QUOTA")
WANT=$((PERIOD / 5))

cat > "$POL/10-big.policy" <<POLICY
policy "big" {
    match cgroup "$SB_BASE/*"
    rule "grows" {
        when memory > 16M
        do cpu quota 0.2 cores
    }
}
POLICY
DAEMON_LOG="$SB_TMP/cgovd.log"
"$CGOVD" --foreground -v --config /dev/null --policies "$POL" --db "$DB" --interval 1s \
	--containers "$SB_BASE/*" > "$DAEMON_LOG" 2>&1 &
DAEMON_PID=$!
wait_until 20 'test "$(db_q "select count(*) from tick")" -ge 2' || fail "cgovd stores no ticks"

# Another writer takes the lock and keeps it for 6 s.
python3 - "$DB" > "$SB_TMP/locker.out" 2>&1 <<'PY' &
import sqlite3, sys, time
con = sqlite3.connect(sys.argv[1], isolation_level=None, timeout=10)
con.execute("BEGIN IMMEDIATE")
print("locked", flush=True)
time.sleep(6)
con.execute("ROLLBACK")
PY
LOCKER=$!
SB_PIDS="$SB_PIDS $LOCKER"
wait_until 10 'grep -q locked "$SB_TMP/locker.out"' || fail "locker: $(cat "$SB_TMP/locker.out")"
t0=$(date +%s%N)

sb_run m "$SB_TMP/hog.out" "$HOG" mem $((64 << 20))
wait_until 10 'grep -q ready "$SB_TMP/hog.out"' || fail "hog not ready"
wait_until 5 'test "$(quota)" = "$WANT"' || fail "the rule did not fire while history was locked"
ms=$(( ($(date +%s%N) - t0) / 1000000 ))
kill -0 "$LOCKER" 2>/dev/null || fail "the lock was gone before the knob was written (${ms} ms)"
pass "knob written ${ms} ms after the lock was taken, while it was still held"

# The lock goes; the decision and the original reach the journal.
wait "$LOCKER"
wait_until 15 'test "$(db_q "select count(*) from action where kind = '"'apply'"'")" -ge 1' ||
	fail "the apply was never journaled after the lock went"
wait_until 15 'test "$(db_q "select count(*) from knob_orig")" -ge 1' ||
	fail "the original was never journaled after the lock went"
grep -q "journal: cannot record actions" "$DAEMON_LOG" || fail "the journal's failure was not logged"
kill -TERM "$DAEMON_PID"; wait "$DAEMON_PID"; DAEMON_PID=""
case "$(quota)" in -1|max) ;; *) fail "quota not restored at exit ($(quota))" ;; esac
pass "journaled once the lock went, restored at exit"
