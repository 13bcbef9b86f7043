#!/bin/bash
# One cgovd per database: a second cgovd on the same database (in the
# foreground, detached, or --once) exits 1 naming the first one's pid and
# leaves the first one's limit in force; --check still runs; kill -9 of the
# first frees the lock and a new cgovd takes it over.
. "$(dirname "$0")/../lib/sandbox.sh"
sb_init
sb_policy_dir
sb_mk web
M=$((1024 * 1024))
LIMIT=$(sb_file web memory.limit_in_bytes || sb_file web memory.max) || skip "no memory limit knob"
[ "$(cat "$LIMIT")" != $((300 * M)) ] || skip "the sandbox already has a 300M limit"

cat > "$POL/10-web.policy" <<EOF
policy "web" {
    match cgroup "$SB_BASE/*"
    memory limit 300M
}
EOF
ticks() { grep -c "debug: tick:" "$DAEMON_LOG"; }
start() {
	DAEMON_LOG="$SB_TMP/cgovd.$1.log"
	"$CGOVD" --foreground -v --config /dev/null --policies "$POL" --db "$DB" \
		--interval 200ms --rescan-interval 200ms --containers "$SB_BASE/*" > "$DAEMON_LOG" 2>&1 &
	DAEMON_PID=$!
}
# second NAME ARGS...: another cgovd on the same database; must exit 1 and
# name the first one's pid.
second() {
	local name=$1 rc
	shift
	timeout 20 "$CGOVD" "$@" --config /dev/null --policies "$POL" --db "$DB" --interval 200ms \
		--containers "$SB_BASE/*" > "$SB_TMP/$name.out" 2>&1
	rc=$?
	[ "$rc" = 1 ] || fail "$name: exit $rc, want 1: $(cat "$SB_TMP/$name.out")"
	grep -q "another cgovd (pid $DAEMON_PID) runs on $DB" "$SB_TMP/$name.out" ||
		fail "$name does not name pid $DAEMON_PID: $(cat "$SB_TMP/$name.out")"
}

start first
wait_until 20 'test "$(cat "$LIMIT")" = $((300 * M))' || fail "static limit not applied ($(cat "$LIMIT"))"
[ "$(cat "$DB.lock")" = "$DAEMON_PID" ] || fail "$DB.lock holds '$(cat "$DB.lock")', want $DAEMON_PID"
[ "$(stat -c %a "$DB.lock")" = 640 ] || fail "lock file mode $(stat -c %a "$DB.lock"), want 640"

second fg --foreground
second detached
second once --once
"$CGOVD" --check --config /dev/null --policies "$POL" > "$SB_TMP/check.out" 2>&1 ||
	fail "--check refused while a cgovd runs: $(cat "$SB_TMP/check.out")"
# The first one still runs, still governs, and its limit is in force.
n=$(ticks)
wait_until 10 'test "$(ticks)" -ge $((n + 3))' || fail "the first cgovd stopped ticking"
kill -0 "$DAEMON_PID" || fail "the first cgovd died"
[ "$(cat "$LIMIT")" = $((300 * M)) ] || fail "the limit moved to $(cat "$LIMIT") after a refused second cgovd"
pass "second cgovd (foreground, detached, --once) exits 1 naming pid $DAEMON_PID; the 300M limit stays"

# kill -9: the kernel drops the lock; the file still names the dead pid and
# the next cgovd takes over.
FIRST=$DAEMON_PID
kill -KILL "$DAEMON_PID"; wait "$DAEMON_PID" 2>/dev/null; DAEMON_PID=""
[ "$(cat "$DB.lock")" = "$FIRST" ] || fail "lock file changed by kill -9 (test premise)"
start takeover
wait_until 20 'test "$(ticks)" -ge 2' || fail "cgovd did not take a dead cgovd's lock over: $(cat "$DAEMON_LOG")"
[ "$(cat "$DB.lock")" = "$DAEMON_PID" ] || fail "$DB.lock holds '$(cat "$DB.lock")' after takeover, want $DAEMON_PID"
grep -q "another cgovd" "$DAEMON_LOG" && fail "takeover refused"
[ "$(cat "$LIMIT")" = $((300 * M)) ] || fail "limit $(cat "$LIMIT") after takeover"
second after-takeover --foreground
kill -TERM "$DAEMON_PID"; wait "$DAEMON_PID"; rc=$?; DAEMON_PID=""
[ "$rc" = 0 ] || fail "SIGTERM: exit $rc"
# Static limits stay at a clean exit (cgovd(8)); the lock goes.
[ "$(cat "$LIMIT")" = $((300 * M)) ] || fail "limit $(cat "$LIMIT") after a clean exit"
pass "kill -9 frees the lock: pid $FIRST's lock taken over, then released at a clean exit"

# A detached cgovd writes its own pid (the child of daemon(3), not the
# parent that exited) into the lock file.
"$CGOVD" --config /dev/null --policies "$POL" --db "$DB" --pidfile "$SB_TMP/bg.pid" \
	--interval 200ms --containers "$SB_BASE/*" 2> "$SB_TMP/bg.err" || fail "detached cgovd: $(cat "$SB_TMP/bg.err")"
wait_until 20 'test -s "$SB_TMP/bg.pid"' || fail "no pid file"
DAEMON_PID=$(cat "$SB_TMP/bg.pid")
wait_until 5 'test "$(cat "$DB.lock")" = "$DAEMON_PID"' || fail "detached: lock names $(cat "$DB.lock"), want $DAEMON_PID"
second while-detached --foreground
kill -TERM "$DAEMON_PID"
wait_until 20 '! kill -0 "$DAEMON_PID"' || fail "detached cgovd ignores SIGTERM"
DAEMON_PID=""

# A symlink planted at DB.lock is not followed: cgovd warns and goes on.
rm -f "$DB.lock"
ln -s "$SB_TMP/elsewhere" "$DB.lock"
DAEMON_LOG="$SB_TMP/cgovd.symlink.log"
timeout 20 "$CGOVD" --once --config /dev/null --db "$DB" --interval 200ms \
	--containers "$SB_BASE/*" > "$DAEMON_LOG" 2>&1 || fail "--once with a symlinked lock: $(cat "$DAEMON_LOG")"
grep -q "cannot lock $DB.lock" "$DAEMON_LOG" || fail "symlinked lock not reported"
[ ! -e "$SB_TMP/elsewhere" ] || fail "the symlink was followed"
pass "detached cgovd names its own pid; a symlinked lock file is not followed"
