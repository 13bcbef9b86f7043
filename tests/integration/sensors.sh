#!/bin/bash
# Temperatures through libsensors, on a fake hwmon chip: in a private mount
# namespace a tmpfs over /sys/class holds /sys/class/hwmon/hwmon0 (name,
# tempN_input in millidegrees, tempN_label), which libsensors reads as the
# virtual chip "cgovtest-virtual-0" (sysfs itself stays mounted, as
# libsensors checks). Nothing of it is seen outside the namespace, and it
# goes with the test's process.
#
# Asserts: a node without sensors says so once and stores none; the values
# are read and stored (temp_v); `node.temp > 50C` and `node.temp "CHIP/LABEL"
# > 60C` fire when temp1_input changes, writing the CPU quota, and their
# knobs come back when it cools; `cgov top` shows the hottest sensor, the
# hostile label escaped.
if [ -z "${CGOV_SENSORS_NS:-}" ]; then
	[ "$(id -u)" = 0 ] || { echo "SKIP: sensors: needs root"; exit 77; }
	command -v unshare >/dev/null 2>&1 || { echo "SKIP: sensors: needs unshare"; exit 77; }
	unshare -m true 2>/dev/null || { echo "SKIP: sensors: no private mount namespace"; exit 77; }
	CGOV_SENSORS_NS=1 exec unshare -m --propagation private "$0" "$@"
fi
. "$(dirname "$0")/../lib/sandbox.sh"
need jq
[ "$(stat -f -c %T /sys)" = sysfs ] || skip "/sys is not sysfs"
mount -t tmpfs -o mode=755 cgov-test-sensors /sys/class || skip "cannot mount a tmpfs over /sys/class"
sb_init
DB="$SB_TMP/cgov.db"
POL="$SB_TMP/policies"
CONF="$SB_TMP/cgov.conf"
mkdir -p "$POL"
sb_mk warm
sb_mk pkg
CHIP=cgovtest-virtual-0
PKG="$CHIP/Package id 0"

# 1. No sensors: said once, nothing stored, node.temp unknown.
"$CGOVD" --once -v --config /dev/null --db "$SB_TMP/none.db" --interval 200ms \
	--containers "$SB_BASE/*" > "$SB_TMP/none.log" 2>&1 || fail "cgovd --once failed: $(cat "$SB_TMP/none.log")"
[ "$(grep -c "no temperature sensors" "$SB_TMP/none.log")" = 1 ] ||
	fail "a node without sensors did not say so once: $(grep -i temp "$SB_TMP/none.log")"
[ "$(DB=$SB_TMP/none.db db_q 'select count(*) from temp')" = 0 ] || fail "temperatures stored without sensors"
pass "no sensors: logged once, none stored"

# The fake chip: temp1 "Package id 0", temp2 with a hostile label.
HW=/sys/class/hwmon/hwmon0
mkdir -p "$HW"
echo cgovtest > "$HW/name"
echo 42000 > "$HW/temp1_input"
echo "Package id 0" > "$HW/temp1_label"
echo 35000 > "$HW/temp2_input"
printf 'evil\033[31m\n' > "$HW/temp2_label"
settemp() { echo "$1" > "$HW/temp1_input.new" && mv "$HW/temp1_input.new" "$HW/temp1_input"; }

WQ=$(sb_file warm cpu.cfs_quota_us || sb_file warm cpu.max) || skip "no CPU quota knob"
PQ=$(sb_file pkg cpu.cfs_quota_us || sb_file pkg cpu.max)
q() { cut -d' ' -f1 "$1"; }
ORIG=$(q "$WQ")
case "$ORIG" in -1|max) ;; *) skip "the sandbox already has a quota ($ORIG)" ;; esac
PERIOD=$(cat "$(sb_file warm cpu.cfs_period_us)" 2>/dev/null || cut -d' ' -f2 "$WQ")

cat > "$CONF" <<EOF
sensors-interval = 1s
EOF
cat > "$POL/10-hot.policy" <<EOF
# The hottest sensor above 50C slows "warm"; the package sensor by name
# above 60C slows "pkg". Both come back once it is below 40C for 1s.
policy "hot" {
    match cgroup "$SB_BASE/warm"
    cooldown 1s
    rule "hot-node" {
        when node.temp > 50C
        do cpu quota 0.5 cores
        until node.temp < 40C for 1s
    }
}
policy "hot-package" {
    match cgroup "$SB_BASE/pkg"
    cooldown 1s
    rule "hot-pkg" {
        when node.temp "$PKG" > 60C
        do cpu quota 0.25 cores
        until node.temp "$PKG" < 40C for 1s
    }
}
EOF
"$CGOV" policy check "$POL" > "$SB_TMP/check.out" 2>&1 || fail "the policy does not check: $(cat "$SB_TMP/check.out")"

DAEMON_LOG="$SB_TMP/cgovd.log"
MPORT=$((20000 + RANDOM % 30000))
"$CGOVD" --foreground -v --config "$CONF" --policies "$POL" --db "$DB" \
	--interval 500ms --rescan-interval 500ms --containers "$SB_BASE/*" \
	--metrics "127.0.0.1:$MPORT" > "$DAEMON_LOG" 2>&1 &
DAEMON_PID=$!
wait_until 20 'grep -q "debug: tick: 2 containers" "$DAEMON_LOG"' || fail "cgovd did not start"
grep -q "temperature: 2 sensors" "$DAEMON_LOG" || fail "the fake chip was not found: $(grep -i temp "$DAEMON_LOG")"

# 2. Read and stored, per sensor, in degrees.
stored() { db_q "select mc from temp where sensor = '$PKG' order by tick desc limit 1"; }
wait_until 15 'test "$(stored)" = 42000' || fail "temp1 not stored as 42000 mC ($(stored))"
[ "$(db_q "select count(distinct sensor) from temp")" = 2 ] || fail "not both sensors stored"
# /metrics serves the reading (bash's /dev/tcp: the v2 guest has no curl).
scrape_temp() {
	local fd
	exec {fd}<>"/dev/tcp/127.0.0.1/$MPORT" || return 1
	printf 'GET /metrics HTTP/1.0\r\n\r\n' >&"$fd"
	timeout 10 cat <&"$fd" | grep "^cgov_node_temperature_celsius{sensor=\"$PKG\"}"
	exec {fd}>&-
}
wait_until 15 'scrape_temp | grep -q " 42$"' || fail "/metrics lacks the reading: $(scrape_temp)"
pass "both sensors read and stored (Package id 0: $(stored) mC, temp_v $(db_q "select celsius from temp_v limit 1"))"

# 3. The rules fire on the value read: 55C trips the hottest, not the package.
[ "$(q "$WQ")" = "$ORIG" ] || fail "the quota moved at 42C"
settemp 55000
wait_until 15 'test "$(q "$WQ")" = $((PERIOD / 2))' || fail "node.temp > 50C did not fire ($(q "$WQ"))"
[ "$(q "$PQ")" = "$ORIG" ] || fail "the package rule fired at 55C"
why=$("$CGOV" --db "$DB" actions --format json | jq -r '[.actions[] | select(.kind == "apply")][0].why')
case "$why" in *"node.temp 55"*) ;; *) fail "the journal does not say why: $why" ;; esac
settemp 65000
wait_until 15 'test "$(q "$PQ")" = $((PERIOD / 4))' || fail "node.temp \"$PKG\" > 60C did not fire ($(q "$PQ"))"
pass "node.temp > 50C fired at 55C, the named sensor at 65C (quotas $(q "$WQ") and $(q "$PQ"))"

# 4. cgov top: the hottest, named; the hostile label escaped (JSON too).
top=$("$CGOV" --db "$DB" top)
echo "$top" | grep -q "temp 65.0C ($PKG, hottest of 2)" || fail "top does not show the temperature: $(echo "$top" | head -3)"
json=$("$CGOV" --db "$DB" top --format json)
echo "$json" | jq -e '.node.temp_c == 65 and (.node.temps | length) == 2' >/dev/null ||
	fail "top json: $(echo "$json" | jq -c .node)"
echo "$json" | jq -e '.node.temps[] | select(.sensor == "'"$CHIP"'/evil\u001b[31m")' >/dev/null ||
	fail "the hostile label did not round-trip through JSON"
"$CGOV" --db "$DB" top --since 1m | grep -q "max 65.0C" || fail "top --since does not show the max"
printf '%s' "$top" | grep -q "$(printf '\033')" && fail "a raw escape byte reached the terminal"
"$CGOV" --db "$DB" report --since 1h --format text 2>/dev/null | grep -q "temperature.*max 65.0C" ||
	fail "the report has no temperature line"
pass "top and the report show 65.0C; the hostile label escaped"

# 5. Cooling restores both.
settemp 30000
wait_until 20 'test "$(q "$WQ")" = "$ORIG" && test "$(q "$PQ")" = "$ORIG"' ||
	fail "not restored after cooling ($(q "$WQ"), $(q "$PQ"))"
kill -TERM "$DAEMON_PID"; wait "$DAEMON_PID"; rc=$?; DAEMON_PID=""
[ "$rc" = 0 ] || fail "cgovd exited $rc"
db_ok "$DB" || fail "integrity check"
pass "restored at 30C"
