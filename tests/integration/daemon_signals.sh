#!/bin/bash
# The daemon's life: SIGHUP reloads (a broken file keeps the running
# settings), SIGTERM exits cleanly, a database that cannot be opened or a
# disk that fills up degrades history and never stops sampling.
. "$(dirname "$0")/../lib/sandbox.sh"
sb_init
DB="$SB_TMP/cgov.db"
sb_mk a
sb_mk b
mkdir -p "$SB_TMP/conf"
CONF="$SB_TMP/conf/cgov.conf"
ticks() { grep -c "debug: tick:" "$DAEMON_LOG"; }

cat > "$CONF" <<CONF
db = $DB
interval = 200ms
rescan-interval = 200ms
containers = $SB_BASE/a
CONF
DAEMON_LOG="$SB_TMP/cgovd.log"
"$CGOVD" --foreground -v --config "$CONF" > "$DAEMON_LOG" 2>&1 &
DAEMON_PID=$!
wait_until 20 'test "$(db_q "select count(*) from tick")" -ge 2' || fail "no ticks"
[ "$(db_q "select count(*) from container")" = 1 ] || fail "expected 1 container before reload"

# A broken file: every error logged, the running settings kept.
echo "interval = fast" >> "$CONF"
kill -HUP "$DAEMON_PID"
wait_until 20 'grep -q "keeping the running settings" "$DAEMON_LOG"' || fail "broken reload not reported"
grep -q 'cgov.conf:5:12: interval: bad duration "fast"' "$DAEMON_LOG" || fail "reload error lacks file:line:col"
n=$(ticks)
wait_until 20 'test "$(ticks)" -ge $((n + 3))' || fail "sampling stopped after a broken reload"

# A good file: the new pattern takes effect without a restart.
cat > "$CONF" <<CONF
db = $DB
interval = 200ms
rescan-interval = 200ms
containers = $SB_BASE/*
CONF
kill -HUP "$DAEMON_PID"
wait_until 20 'grep -q "configuration reloaded: 2 containers" "$DAEMON_LOG"' || fail "reload not applied"
wait_until 20 'test "$(db_q "select count(*) from container")" = 2' || fail "new container not stored"
kill -TERM "$DAEMON_PID"
wait "$DAEMON_PID"; rc=$?; DAEMON_PID=""
[ "$rc" = 0 ] || fail "SIGTERM: exit $rc"
grep -q "SIGTERM: exiting" "$DAEMON_LOG" || fail "SIGTERM not logged"
db_ok "$DB" || fail "integrity_check after SIGTERM"
[ ! -s "$DB-wal" ] || fail "WAL not checkpointed on exit ($(stat -c %s "$DB-wal") bytes)"

[ "$(stat -c %a "$DB")" = 640 ] || fail "database mode is $(stat -c %a "$DB"), want 640"

# kill -9 at arbitrary moments: the database stays consistent and the next
# cgovd goes on writing it.
for i in 1 2 3 4 5; do
	DAEMON_LOG="$SB_TMP/cgovd-kill$i.log"
	"$CGOVD" --foreground -v --config /dev/null --db "$DB" --interval 100ms \
		--memstat-interval 100ms --containers "$SB_BASE/*" > "$DAEMON_LOG" 2>&1 &
	DAEMON_PID=$!
	n=$(db_q "select count(*) from tick")
	wait_until 20 'test "$(db_q "select count(*) from tick")" -gt $((n + i))' ||
		fail "no ticks after restart $i"
	kill -KILL "$DAEMON_PID"; wait "$DAEMON_PID" 2>/dev/null; DAEMON_PID=""
	db_ok "$DB" || fail "integrity_check after kill -9 number $i"
done

# Detached (no --foreground): relative paths are taken from the start
# directory, the pid file appears, SIGTERM removes it.
(cd "$SB_TMP" && "$CGOVD" --config /dev/null --db bg.db --pidfile bg.pid --interval 100ms \
	--containers "$SB_BASE/*" 2> bg.log) || fail "cgovd did not detach: $(cat "$SB_TMP/bg.log")"
wait_until 20 'test -s "$SB_TMP/bg.pid"' || fail "no pid file"
DAEMON_PID=$(cat "$SB_TMP/bg.pid")
kill -0 "$DAEMON_PID" || fail "detached cgovd not running"
wait_until 20 'test "$(DB=$SB_TMP/bg.db db_q "select count(*) from tick")" -ge 3' ||
	fail "detached cgovd stores nothing in $SB_TMP/bg.db"
kill -TERM "$DAEMON_PID"
wait_until 20 '! kill -0 "$DAEMON_PID"' || fail "detached cgovd ignores SIGTERM"
DAEMON_PID=""
[ ! -e "$SB_TMP/bg.pid" ] || fail "pid file left behind"

# No database at all: monitoring goes on.
DAEMON_LOG="$SB_TMP/cgovd-nodb.log"
"$CGOVD" --foreground -v --config /dev/null --db /proc/no/such/dir/cgov.db --interval 100ms \
	--containers "$SB_BASE/*" > "$DAEMON_LOG" 2>&1 &
DAEMON_PID=$!
wait_until 20 'test "$(ticks)" -ge 5' || fail "no sampling without a database"
grep -q "cannot open history database" "$DAEMON_LOG" || fail "missing database not reported"
kill -TERM "$DAEMON_PID"; wait "$DAEMON_PID"; rc=$?; DAEMON_PID=""
[ "$rc" = 0 ] || fail "exit $rc without a database"

# A full disk: history stops, sampling does not; freeing space resumes it.
FULL="$SB_TMP/full"
sb_tmpfs "$FULL" 1m || skip "cannot mount a tmpfs"
for i in $(seq 1 40); do sb_mk "many$i"; done
DAEMON_LOG="$SB_TMP/cgovd-full.log"
"$CGOVD" --foreground -v --config /dev/null --db "$FULL/cgov.db" --interval 100ms \
	--memstat-interval 100ms --containers "$SB_BASE/*" > "$DAEMON_LOG" 2>&1 &
DAEMON_PID=$!
# Fill the disk only once history is open and storing ticks: filled
# earlier (the open is slow in the qemu guest), the open itself fails and
# that is the "no database" case above, not a disk that fills up.
wait_until 30 'test "$(DB=$FULL/cgov.db db_q "select count(*) from tick")" -ge 1' ||
	fail "no tick stored on the tmpfs"
dd if=/dev/zero of="$FULL/filler" bs=4k 2>/dev/null   # fill what is left
wait_until 30 'grep -q "history store failed" "$DAEMON_LOG"' ||
	fail "full disk not reported: $(df -k "$FULL" | tail -1); $(ls -l "$FULL" | tr '\n' ' ')"
n=$(ticks)
wait_until 20 'test "$(ticks)" -ge $((n + 5))' || fail "sampling stopped on a full disk"
kill -0 "$DAEMON_PID" || fail "cgovd died on a full disk"
# Containers that go while history is down are recorded as gone later.
for i in $(seq 1 10); do sb_rm "many$i"; done
wait_until 20 'grep -q "many10 is gone" "$DAEMON_LOG"' || fail "removal not noticed on a full disk"
rm -f "$FULL/filler"
wait_until 30 'grep -q "history store works again" "$DAEMON_LOG"' || fail "history did not resume"
wait_until 20 'test "$(DB=$FULL/cgov.db db_q "select count(*) from container where gone_ms is not null and path like '"'"'%/many%'"'"'")" = 10' ||
	fail "containers removed during the full disk are not marked gone"
kill -TERM "$DAEMON_PID"; wait "$DAEMON_PID"; rc=$?; DAEMON_PID=""
[ "$rc" = 0 ] || fail "exit $rc after a full disk"
db_ok "$FULL/cgov.db" || fail "integrity_check after a full disk"
pass "reload, SIGTERM, kill -9, detached, no database, full disk"
