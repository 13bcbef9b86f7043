#!/bin/bash
# Governing a CPU hog on the real kernel: the quota is written within the
# rule's `for` plus one tick of the crossing the rule held (a busy machine
# may take the hog below the threshold: the rule starts its `for` again,
# and so does this test, on the container's own cpuacct figures as cgovd
# stored them), the original comes back when the hog stops;
# a reload with a broken file keeps the running rules; kill -9 of cgovd with
# a throttle in force, then a restart, leaves no stale throttle; --dry-run
# journals and writes nothing.
. "$(dirname "$0")/../lib/sandbox.sh"
sb_init
sb_policy_dir
sb_mk hog
sb_mk idle

QUOTA=$(sb_file hog cpu.cfs_quota_us || sb_file hog cpu.max) || skip "no CPU quota knob"
IDLEQ=$(sb_file idle cpu.cfs_quota_us || sb_file idle cpu.max)
quota() { cut -d' ' -f1 "$QUOTA"; }
ORIG=$(quota)
IDLE_ORIG=$(cat "$IDLEQ")
case "$ORIG" in -1|max) ;; *) skip "the sandbox already has a quota ($ORIG)" ;; esac
PERIOD=$(cat "$(sb_file hog cpu.cfs_period_us)" 2>/dev/null || cut -d' ' -f2 "$QUOTA")
WANT=$((PERIOD / 100))               # 0.01 cores

# The thresholds hold on a busy machine too (2 cores shared with a dozen
# spinners have given the hog 0.1 cores): above 0.02 cores it always is,
# and at 0.01 cores (1 ms a period, the kernel's least) it is throttled in
# nearly every period it runs in, so the rule does not let go while it
# spins. The idle container uses none.
cat > "$POL/10-hog.policy" <<EOF
# A CPU hog gets 0.01 cores until it has stopped being throttled for 2s.
policy "cpu-hog" {
    match cgroup "$SB_BASE/*"
    cooldown 1s
    rule "spin" {
        when cpu > 0.02 cores for 2s
        do cpu quota 0.01 cores
        until throttled < 5% for 2s
    }
}
EOF

start() {
	DAEMON_LOG="$SB_TMP/cgovd.$1.log"
	shift
	"$CGOVD" --foreground -v --config /dev/null --policies "$POL" --db "$DB" \
		--interval 500ms --rescan-interval 500ms --containers "$SB_BASE/*" "$@" \
		> "$DAEMON_LOG" 2>&1 &
	DAEMON_PID=$!
	wait_until 20 'grep -q "debug: tick: 2 containers" "$DAEMON_LOG"' || fail "cgovd did not start"
}
hog() {
	sb_run hog "$SB_TMP/hog.out" "$HOG" spin
	HOG_PID=$SB_LAST_PID
	wait_until 10 'grep -q ready "$SB_TMP/hog.out"' || fail "hog not ready"
}
stop_hog() { kill -KILL "$HOG_PID"; wait "$HOG_PID" 2>/dev/null; }
ticks() { grep -c "debug: tick:" "$DAEMON_LOG"; }
actions() { "$CGOV" --db "$DB" actions --format json; }
nactions() { actions | jq "[.actions[] | select($1)] | length"; }

# 1. The hog gets its quota within `for` (2s) plus one tick (0.5s) of the
# crossing the rule held: the last run of stored samples over 0.02 cores
# (cpuacct's delta over each tick) that led up to the write.
start run1
hog
wait_until 15 'test "$(quota)" = "$WANT"' || fail "quota not applied (cpu.cfs_quota_us $(quota))"
applied=$(actions | jq '[.actions[] | select(.kind == "apply" and .knob == "cpu quota")][0].time_ms')
observed=$(actions | jq -r '[.actions[] | select(.kind == "apply" and .knob == "cpu quota")][0].why')
[ "$applied" != null ] || fail "no apply row"
HOGCID="(select id from container where path = '$SB_BASE/hog')"
# The tick that wrote it: the last one stored at or before the write (a
# slow machine delays the ticks and the write within one, not the rule).
t_dec=$(db_q "select max(ts_ms) from tick where ts_ms <= $applied")
t_pre=$(db_q "select max(ts_ms) from tick where ts_ms < $t_dec")
last_low=$(db_q "select coalesce(max(ts_ms), 0) from sample_v where cid = $HOGCID
	and ts_ms <= $t_dec and cpu_us <= dt_ms * 20")
first=$(db_q "select min(ts_ms) from sample_v where cid = $HOGCID and ts_ms > $last_low
	and cpu_us > dt_ms * 20")
[ -n "$first" ] || fail "no stored sample over 0.02 cores before the write at $applied"
lag=$((applied - first))
# `for 2s`: written at the first tick where the hog had been above 0.02
# cores for 2 s, neither before nor a tick later. The rule reads the
# monotonic clock, the stored ticks the wall clock it is anchored to: 50 ms
# of slack, a tenth of a tick, for the two. cgovd's own view of the
# crossing has been seen one tick before the first stored sample over the
# threshold (once, on v1, not explained yet): a tick of slack below `for`,
# none above it.
held=$((t_dec - first)) held_pre=$((t_pre - first))
if ! [ "$held" -ge 1450 ] || ! [ "$held_pre" -lt 2050 ]; then
	"$CGOV" --db "$DB" sql --format csv "select s.ts_ms, s.dt_ms, s.cpu_us from sample_v s
		where s.cid = $HOGCID order by s.ts_ms" >&2
	echo "applied $applied first $first (after $last_low) t_dec $t_dec t_pre $t_pre" >&2
	fail "quota written at a tick ${held} ms after cpu last crossed 0.02 cores, the tick before at ${held_pre} ms (want the first tick at 2000 ms or later)"
fi
# What the rule journaled it saw is over the threshold, and no more than
# one core (one spinning thread; cpuacct says what it had).
awk -v o="$observed" 'BEGIN { if (match(o, /^cpu [0-9.]+ cores > 0\.02 cores/) == 0) exit 1
	split(o, w, " "); exit !(w[2] > 0.02 && w[2] <= 1.05) }' ||
	fail "the apply row observed \"$observed\", want cpu between 0.02 and 1 cores"
pass "quota $WANT written ${lag} ms after the hog last crossed 0.02 cores, at the first tick ${held} ms past it ($observed)"
[ "$(cat "$IDLEQ")" = "$IDLE_ORIG" ] || fail "the idle container's quota changed"
"$CGOV" --db "$DB" status | grep -q "^cgovd: running" || fail "cgov status does not say running"

# 2. The hog stops: the original quota comes back, the journal says so.
stop_hog
wait_until 15 'test "$(quota)" = "$ORIG"' || fail "quota not restored ($(quota))"
[ "$(nactions '.kind == "restore" and .knob == "cpu quota"')" -ge 1 ] || fail "no restore row"
[ "$(actions | jq '[.actions[] | select(.kind == "apply")][0].restored_ms != null')" = true ] ||
	fail "the apply row is not marked restored"
pass "original quota $ORIG restored after the hog stopped"

# 3. A reload with a broken file keeps the running rules.
printf 'policy "broken" {\n    match cgroup "/x/*"\n    memroy limit 1G\n}\n' > "$POL/20-broken.policy"
kill -HUP "$DAEMON_PID"
wait_until 10 'grep -q "keeping the running policies" "$DAEMON_LOG"' || fail "broken reload not refused"
grep -q "20-broken.policy:3:5: " "$DAEMON_LOG" || fail "reload error lacks file:line:col"
hog
wait_until 15 'test "$(quota)" = "$WANT"' || fail "old rules not kept after a broken reload"
pass "broken reload refused with file:line:col, the running rule still throttles"
rm -f "$POL/20-broken.policy"

# A reload that drops the policy restores what its rule set; putting it
# back arms the rule again.
mv "$POL/10-hog.policy" "$SB_TMP/10-hog.policy"
kill -HUP "$DAEMON_PID"
wait_until 15 'test "$(quota)" = "$ORIG"' || fail "dropping the policy did not restore the quota ($(quota))"
armed() { "$CGOV" --db "$DB" status --format json | jq -r 'if has("rules") then (.rules | length) else "no rules key" end'; }
wait_until 5 'test "$(armed)" = 0' || fail "status still shows $(armed) armed rules of a dropped policy"
mv "$SB_TMP/10-hog.policy" "$POL/10-hog.policy"
kill -HUP "$DAEMON_PID"
wait_until 15 'test "$(quota)" = "$WANT"' || fail "the policy put back does not throttle again"
pass "a reload that drops the policy restored the quota"

# 4. kill -9 with the throttle in force, hog stopped, restart: no stale throttle.
kill -KILL "$DAEMON_PID"; wait "$DAEMON_PID" 2>/dev/null; DAEMON_PID=""
stop_hog
[ "$(quota)" = "$WANT" ] || fail "the throttle vanished with cgovd (test premise)"
db_ok "$DB" || fail "integrity_check after kill -9"
start run2
wait_until 10 'test "$(quota)" = "$ORIG"' || fail "stale throttle after restart ($(quota))"
grep -q "did not exit cleanly" "$DAEMON_LOG" || fail "reconcile not logged"
pass "restart after kill -9 restored the quota"

# 5. SIGTERM with a throttle in force restores it.
hog
wait_until 15 'test "$(quota)" = "$WANT"' || fail "quota not applied in run 2"
kill -TERM "$DAEMON_PID"; wait "$DAEMON_PID"; DAEMON_PID=""
[ "$(quota)" = "$ORIG" ] || fail "SIGTERM left the throttle ($(quota))"
pass "clean exit restored the quota"

# 6. --dry-run decides and journals, writes nothing.
before=$(nactions '.dry_run == 1')
start dry --dry-run
wait_until 15 'test "$(nactions ".dry_run == 1 and .kind == \"apply\"")" -gt "$before"' ||
	fail "dry run journaled nothing"
# Six more ticks with the hog spinning: the knob never moves.
for i in 1 2 3 4 5 6; do
	t=$(ticks)
	wait_until 5 'test "$(ticks)" -gt "$t"' || fail "cgovd stopped ticking"
	[ "$(quota)" = "$ORIG" ] || fail "dry run wrote the quota"
done
n=$(nactions '.dry_run == 1 and .kind == "apply"')
[ "$n" = 1 ] || fail "dry run journaled the decision $n times"
stop_hog
pass "dry run: one journaled decision, cpu.cfs_quota_us untouched"
