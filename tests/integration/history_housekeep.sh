#!/bin/bash
# Integration: cgovd's own housekeeping of history, on a real daemon.
#
# A database holds two hours of raw history that was never rolled up (as
# after an upgrade, or a daemon that was down): cgovd must roll every
# minute and hour up, then drop raw rows past retain-raw, one step per
# tick, while its own ticks go on at their cadence; the figures of a
# window must not change when it is answered from the tiers instead of the
# raw rows.
. "$(dirname "$0")/../lib/sandbox.sh"
need sqlite3
need jq
GEN="$CGOV_BUILDDIR/tests/helpers/cgov_gen"
[ -x "$GEN" ] || fail "no $GEN"
sb_init
DB="$SB_TMP/cgov.db"
sb_mk idle

# Two hours of raw ticks ending now, 10 s apart; then forget the rollups
# the generator made, so that cgovd has to make them.
now=$(date +%s)
start=$(( (now - 7200) / 60 * 60 ))
"$GEN" --db "$DB" --hours 2 --interval 10s --start "$start" --quiet ||
	fail "cgov_gen failed"
sqlite3 "$DB" "DELETE FROM roll1m; DELETE FROM roll1h; DELETE FROM node1m;
	DELETE FROM node1h; DELETE FROM roll_mark;" || fail "cannot reset the tiers"
raw_ticks=$(db_q "select count(*) from tick")
[ "$raw_ticks" -ge 700 ] || fail "generator wrote $raw_ticks ticks"
# The truth, from raw rows: one container's CPU time and samples.
cpu_raw=$(db_q "select sum(cpu_us) from sample_v where cid = 1")
n_raw=$(db_q "select count(*) from sample_v where cid = 1")

cat > "$SB_TMP/cgov.conf" <<EOF
retain-raw = 5m
EOF
daemon_start --config "$SB_TMP/cgov.conf" --db "$DB" --interval 100ms \
	--rescan-interval 1s -v
first=$(date +%s%3N)

# Every generated minute rolled up, both hours, and raw cut to 5 minutes.
wait_until 60 'test "$(db_q "select count(distinct key >> 22) from roll1m where key >> 22 < '"$(( (start + 7200) / 60 ))"'")" -ge 120' ||
	fail "cgovd rolled up $(db_q "select count(distinct key >> 22) from roll1m") minutes, want 120"
wait_until 30 'test "$(db_q "select count(*) from roll1h where (key >> 22) * 3600 < '"$((start + 3600))"'")" -ge 6' ||
	fail "the first generated hour was not rolled up"
cut=$(( (now - 300) * 1000 ))
wait_until 30 'test "$(db_q "select count(*) from tick where ts_ms < '"$((cut - 60000))"'")" = 0' ||
	fail "raw ticks older than retain-raw remain: $(db_q "select count(*) from tick where ts_ms < $((cut - 60000))")"
kill -0 "$DAEMON_PID" 2>/dev/null || fail "cgovd died"
pass "2 h of raw history rolled up and trimmed by cgovd in $(( $(date +%s%3N) - first )) ms"

# The daemon kept ticking: no gap between its own ticks over 1 s (ten
# ticks) while it caught up.
gap=$(db_q "select max(t2.ts_ms - t1.ts_ms) from tick t1 join tick t2 on t2.id = t1.id + 1
	where t1.ts_ms >= $first")
[ -n "$gap" ] && [ "$gap" -lt 1000 ] || fail "a tick came $gap ms after the previous one"
grep -q "history: minute rollup in" "$DAEMON_LOG" || fail "no housekeeping in the debug log"
pass "largest gap between ticks while catching up: $gap ms"

# The same window from the tiers: the samples and CPU time are the raw
# ones (the minute rows hold sums, not averages of averages).
n_tier=$(db_q "select sum(n) from roll1m_v where cid = 1 and ts_ms < $(( (start + 7200) * 1000 ))")
cpu_tier=$(db_q "select sum(cpu_us) from roll1m_v where cid = 1 and ts_ms < $(( (start + 7200) * 1000 ))")
[ "$n_tier" = "$n_raw" ] || fail "minute rows hold $n_tier samples, raw had $n_raw"
[ "$cpu_tier" = "$cpu_raw" ] || fail "minute rows hold $cpu_tier us of CPU, raw had $cpu_raw"
# And cgov top over the generated span reads them (the hour tier for most).
top=$("$CGOV" --db "$DB" top --since 3h --by cpu --format json) || fail "top failed"
web=$(echo "$top" | jq -r '.containers[] | select(.path == "/lxc/web") | .cpu_cores')
[ -n "$web" ] && awk -v c="$web" 'BEGIN { exit !(c > 0.3 && c < 0.7) }' ||
	fail "top over 3 h gives web $web cores, want about 0.5"
db_ok "$DB" || fail "integrity_check failed"
pass "tiers agree with raw: $n_tier samples, $cpu_tier us; top over 3 h: web $web cores"
