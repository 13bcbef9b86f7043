#!/bin/bash
# Files root opens by a name the operator gave (--db, --pidfile, report -o)
# in a directory another user can write: a symlink planted under the name
# must not be followed (the pidfile once overwrote the link's target), a
# FIFO must not hang cgov (it did, forever), and reports are not readable
# by everyone. See fsafe.h for the rules.
. "$(dirname "$0")/../lib/sandbox.sh"
sb_init
sb_mk web
PUB="$SB_TMP/pub"               # like /tmp: anyone may create names in it
SAFE="$SB_TMP/safe"             # root's alone
mkdir "$PUB" "$SAFE"
chmod 1777 "$PUB"
chmod 0755 "$SAFE"
echo precious > "$SB_TMP/target"
untouched() { [ "$(cat "$SB_TMP/target")" = precious ] || fail "$1 wrote through the link"; }
run_d() { timeout 20 "$CGOVD" --config /dev/null --interval 200ms --containers "$SB_BASE/*" "$@"; }

# A pidfile planted as a link in a world-writable directory: refused before
# anything runs, the target untouched.
ln -s "$SB_TMP/target" "$PUB/cgovd.pid"
run_d --foreground --db "$SAFE/cgov.db" --pidfile "$PUB/cgovd.pid" > "$SB_TMP/log" 2>&1; rc=$?
untouched "--pidfile"
[ "$rc" = 1 ] || fail "cgovd with a planted pidfile exited $rc, want 1: $(cat "$SB_TMP/log")"
grep -q "pidfile $PUB/cgovd.pid: its directory $PUB is writable by group or others" "$SB_TMP/log" ||
	fail "no clear message for the pidfile: $(cat "$SB_TMP/log")"
# The same link where only root writes: still not followed.
ln -s "$SB_TMP/target" "$SAFE/link.pid"
run_d --foreground --db "$SAFE/cgov.db" --pidfile "$SAFE/link.pid" > "$SB_TMP/log" 2>&1; rc=$?
untouched "--pidfile in a safe directory"
[ "$rc" = 1 ] && grep -q "pidfile $SAFE/link.pid is a symbolic link" "$SB_TMP/log" ||
	fail "a pidfile link: exit $rc, $(cat "$SB_TMP/log")"

# A database planted as a link in a world-writable directory: cgovd and
# cgov refuse it, nothing is written through it or beside it.
ln -s "$SB_TMP/target" "$PUB/cgov.db"
run_d --once --db "$PUB/cgov.db" > "$SB_TMP/log" 2>&1; rc=$?
untouched "--db"
[ "$rc" = 1 ] || fail "cgovd with a planted database exited $rc, want 1: $(cat "$SB_TMP/log")"
grep -q "database $PUB/cgov.db: its directory $PUB is writable" "$SB_TMP/log" ||
	fail "no clear message for the database: $(cat "$SB_TMP/log")"
[ -z "$(ls "$PUB" | grep -v '^cgov.db$\|^cgovd.pid$')" ] || fail "files appeared beside it: $(ls "$PUB")"
err=$("$CGOV" --db "$PUB/cgov.db" top 2>&1); rc=$?
[ "$rc" = 1 ] && echo "$err" | grep -q "writable by group or others" || fail "cgov top on it: exit $rc, $err"
ln -s "$SB_TMP/target" "$SAFE/link.db"
err=$("$CGOV" --db "$SAFE/link.db" top 2>&1); rc=$?
[ "$rc" = 1 ] && echo "$err" | grep -q "is a symbolic link" || fail "cgov top on a link: exit $rc, $err"
untouched "cgov top"

# A FIFO as the database: an error at once, not a hang.
mkfifo "$SAFE/fifo.db"
err=$(timeout 5 "$CGOV" --db "$SAFE/fifo.db" top 2>&1); rc=$?
[ "$rc" = 1 ] && echo "$err" | grep -q "not a regular file" || fail "cgov top on a FIFO: exit $rc, $err"
err=$(timeout 5 "$CGOVD" --once --config /dev/null --db "$SAFE/fifo.db" --containers "$SB_BASE/*" 2>&1); rc=$?
[ "$rc" = 1 ] && echo "$err" | grep -q "not a regular file" || fail "cgovd on a FIFO: exit $rc, $err"

# Where root alone writes, all works: a stale pidfile is replaced, named
# with the daemon's pid, and removed at exit.
echo 999999 > "$SAFE/cgovd.pid"
DAEMON_LOG="$SB_TMP/daemon.log"
"$CGOVD" --foreground --config /dev/null --interval 200ms --containers "$SB_BASE/*" \
	--db "$SAFE/cgov.db" --pidfile "$SAFE/cgovd.pid" > "$DAEMON_LOG" 2>&1 &
DAEMON_PID=$!
wait_until 20 '[ "$(cat "$SAFE/cgovd.pid")" = "$DAEMON_PID" ]' || fail "the pidfile does not name cgovd"
wait_until 20 '[ "$("$CGOV" --db "$SAFE/cgov.db" sql --format csv "select count(*) from tick" | sed -n "2{s/\r//;p}")" -ge 2 ]' ||
	fail "cgovd wrote no history"
kill -TERM "$DAEMON_PID"; wait "$DAEMON_PID"; DAEMON_PID=""
[ ! -e "$SAFE/cgovd.pid" ] || fail "the pidfile stayed"

# report -o: 0640, never world-readable (it names every tenant).
( umask 022; "$CGOV" --db "$SAFE/cgov.db" report --since 1h -o "$SAFE/r.txt" ) || fail "report -o failed"
[ "$(stat -c %a "$SAFE/r.txt")" = 640 ] || fail "report -o made mode $(stat -c %a "$SAFE/r.txt"), want 640"
# A link planted as the report, naming a FIFO (or a device): not opened.
ln -s "$SAFE/fifo.db" "$PUB/r.txt"
err=$(timeout 5 "$CGOV" --db "$SAFE/cgov.db" report --since 1h -o "$PUB/r.txt" 2>&1); rc=$?
[ "$rc" = 1 ] && echo "$err" | grep -q "directory others can write" || fail "report -o through a planted link: exit $rc, $err"
pass "links and FIFOs planted as pidfile, database and report refused with a reason; report -o 0640"
