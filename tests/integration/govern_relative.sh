#!/bin/bash
# Relative, contention and windowed conditions on the real kernel (issue 11):
#  1. a CPU hog beside a victim that wants CPU: `cpu > N% of node` and
#     `cpu > 150% of share` fire on the hog (its weight is low) and on
#     nobody else, and the kernel holds the knobs they set;
#     `others.pressure.cpu` fires where the others' pressure is known (PSI
#     on v2) and never where it is not (v1 today: unknown);
#  2. a writer that pauses between bursts, with the disk's capability stated
#     in cgov.conf: `during` and `avg(...) over` fire, a `for` on the same
#     stream does not (dry run: both judged on the same ticks), then for
#     real: the kernel holds the write limit.
. "$(dirname "$0")/../lib/sandbox.sh"
sb_init
need jq
DB="$SB_TMP/cgov.db"
POL="$SB_TMP/policies"
CONF="$SB_TMP/cgov.conf"
mkdir -p "$POL"
NCPU=$(nproc)
# 0.03 cores as a percentage of the node: the hog (2 spinning threads)
# passes it on any node, however loaded (the shared test machine gives it
# as little as 0.06 cores), the idle container never does.
NODE_PCT=$(awk -v n="$NCPU" 'BEGIN { printf "%.2f", 3 / n }')

sb_mk hog
sb_mk victim
sb_mk idle
# The hog's weight is the lowest there is: its fair share is a sliver of
# the node. The victim wants CPU (a spinner) but its quota keeps it at
# 0.06 cores, so the hog gets the CPU it asks for, far beyond its share.
if f=$(sb_file hog cpu.shares); then
	echo 16 > "$f" || fail "cannot set the hog's cpu.shares"
	SHARES() { cat "$(sb_file hog cpu.shares)"; }
else
	echo 1 > "$(sb_file hog cpu.weight)" || fail "cannot set the hog's cpu.weight"
	SHARES() { cat "$(sb_file hog cpu.weight)"; }
fi
QUOTA=$(sb_file hog cpu.cfs_quota_us || sb_file hog cpu.max) || skip "no CPU quota knob"
PERIOD=$(cat "$(sb_file hog cpu.cfs_period_us)" 2>/dev/null || cut -d' ' -f2 "$QUOTA")
if f=$(sb_file victim cpu.cfs_quota_us); then
	echo $((PERIOD * 6 / 100)) > "$f"
else
	echo "$((PERIOD * 6 / 100)) $PERIOD" > "$(sb_file victim cpu.max)"
fi || fail "cannot set the victim's quota"
SHARES0=$(SHARES)

actions() { "$CGOV" --db "$DB" actions --format json; }
# napplies RULE CONTAINER: apply rows of that rule on that container.
napplies() {
	actions | jq --arg r "$1" --arg c "$2" \
		'[.actions[] | select(.kind == "apply" and .rule == $r and
			(.path | endswith("/" + $c)))] | length'
}
why_of() {
	actions | jq -r --arg r "$1" '[.actions[] | select(.kind == "apply" and .rule == $r)][0].why'
}
ticks() { grep -c "debug: tick:" "$DAEMON_LOG"; }
# after_ticks N: N more ticks of the daemon (counted, not timed).
after_ticks() {
	local want
	want=$(($(ticks) + $1))
	wait_until 60 'test "$(ticks)" -ge "$want"' || fail "cgovd stopped ticking"
}
start() {
	DAEMON_LOG="$SB_TMP/cgovd.$1.log"
	shift
	"$CGOVD" --foreground -v --config "$CONF" --policies "$POL" --db "$DB" \
		--interval 500ms --rescan-interval 500ms --containers "$SB_BASE/*" "$@" \
		> "$DAEMON_LOG" 2>&1 &
	DAEMON_PID=$!
	wait_until 20 'grep -q "debug: tick: [0-9]* containers" "$DAEMON_LOG"' ||
		fail "cgovd did not start: $(tail -5 "$DAEMON_LOG")"
}
stop() {
	kill -TERM "$DAEMON_PID"; wait "$DAEMON_PID" 2>/dev/null; DAEMON_PID=""
}

# --- 1. CPU: share of the node, fair share, others waiting -----------------
: > "$CONF"
cat > "$POL/10-cpu.policy" <<EOF
policy "contention" {
    match cgroup "$SB_BASE/*"
    cooldown 1s
    rule "big" {
        when cpu > $NODE_PCT% of node for 1s
        do io read-limit 1G/s
    }
    rule "over-share" {
        when cpu > 150% of share for 1s
        do cpu shares 100
    }
    rule "waiting" {
        when cpu > 150% of share and others.pressure.cpu >= 0% for 1s
        do io write-iops 100000/s
    }
}
EOF
"$CGOV" policy check "$POL" > /dev/null || fail "the test's policy does not check"
start cpu
sb_run hog "$SB_TMP/hog1.out" "$HOG" spin
sb_run hog "$SB_TMP/hog2.out" "$HOG" spin
sb_run victim "$SB_TMP/victim.out" "$HOG" spin
wait_until 10 'grep -q ready "$SB_TMP/hog1.out" && grep -q ready "$SB_TMP/hog2.out" &&
	grep -q ready "$SB_TMP/victim.out"' || fail "the loads are not running"

RLIMIT=$(sb_file hog blkio.throttle.read_bps_device || sb_file hog io.max) || skip "no io limits"
wait_until 20 'grep -Eq "(^| |rbps=)1073741824( |$)" "$RLIMIT"' ||
	fail "cpu > $NODE_PCT% of node did not set the hog's read limit ($(cat "$RLIMIT")); $(actions | jq -c .actions)"
why=$(why_of big)
case "$why" in *"% of node ($NCPU cores)"*|*"% of node ($NCPU core)"*) ;;
	*) fail "the why does not name the node's $NCPU CPUs: $why" ;; esac
pass "cpu > $NODE_PCT% of node: the kernel holds the hog's 1G/s read limit (\"$why\")"

wait_until 20 'test "$(napplies over-share hog)" -ge 1' ||
	fail "cpu > 150% of share did not fire on the hog: $(actions | jq -c '.actions')"
wait_until 10 'test "$(SHARES)" != "$SHARES0"' || fail "the hog's weight was not written"
why=$(why_of over-share)
case "$why" in *"% of share ("*) ;; *) fail "the why does not name the share: $why" ;; esac
pass "cpu > 150% of share: the low-weight hog's weight $SHARES0 -> $(SHARES) (\"$why\")"

after_ticks 6
[ "$(napplies big idle)" = 0 ] || fail "cpu > $NODE_PCT% of node fired on the idle container"
[ "$(napplies over-share idle)" = 0 ] || fail "cpu > 150% of share fired on the idle container"
[ "$(napplies over-share victim)" = 0 ] || fail "cpu > 150% of share fired on the victim"
pass "not on the idle container, and the share rule not on the victim (under its share)"

# others.pressure.cpu is known exactly when the other containers' pressure
# is (PSI on v2): `>= 0%` then holds, and the rule fires; unknown, never.
victim_psi=$("$CGOV" --db "$DB" top --format json |
	jq -r '[.. | objects | select(.name? == "victim") | .psi_cpu_pct][0]')
n=$(napplies waiting hog)
if [ "$victim_psi" = null ]; then
	[ "$n" = 0 ] || fail "others.pressure.cpu fired while no other container's pressure is known"
	pass "others.pressure.cpu unknown (no per-cgroup pressure here): the rule did not fire"
else
	wait_until 20 'test "$(napplies waiting hog)" -ge 1' ||
		fail "others.pressure.cpu known (victim $victim_psi%) but the rule did not fire"
	pass "others.pressure.cpu known: fired on the hog ($(why_of waiting))"
fi
stop
for pid in $SB_PIDS; do kill -KILL "$pid" 2>/dev/null; done
wait_until 10 'test -z "$(cat "$(sb_file hog cgroup.procs)" "$(sb_file victim cgroup.procs)")"' ||
	fail "the CPU loads did not exit"
rm -f "$POL/10-cpu.policy"

# --- 2. a writer with pauses: windows vs for ----------------------------------
sb_block_disk
sb_mk backup
if [ "$SB_VERSION" = 1 ]; then
	LIMIT_FILE=$(sb_file backup blkio.throttle.write_bps_device) || skip "no blkio throttling"
	limit() { awk -v d="$DISKDEV" '$1 == d { print $2 }' "$LIMIT_FILE"; }
else
	LIMIT_FILE=$(sb_file backup io.max) || skip "no io.max"
	limit() { awk -v d="$DISKDEV" '$1 == d { for (i = 2; i <= NF; i++)
		if ($i ~ /^wbps=/) { sub("wbps=", "", $i); print $i } }' "$LIMIT_FILE"; }
fi
[ -z "$(limit)" ] || skip "the sandbox already has a write limit on $DISKDEV"

# The capability as an operator states it: 20M/s, so "50% of device" is
# 10M/s, far below what a direct writer does in a burst.
echo "device = $DISK write 20M/s" > "$CONF"
cat > "$POL/20-io.policy" <<EOF
policy "backup" {
    match cgroup "$SB_BASE/backup"
    cooldown 1s
    rule "steady" {
        when io.write > 50% of device for 4s
        do cpu shares 512
    }
    rule "during" {
        when io.write > 50% of device during 30% of 8s
        do io write-limit 5M/s
    }
    rule "mean" {
        when avg(io.write) over 8s > 10% of device
        do cpu quota 4 cores
    }
}
EOF
"$CGOV" policy check "$POL" > /dev/null || fail "the io policy does not check"
# Bursts of 2 s, pauses of 2 s: every pause restarts `for 4s`.
sb_run backup "$SB_TMP/backup.out" sh -c \
	'while :; do timeout 2 "$0" flood "$1"; sleep 2; done' "$HOG" "$DIR/cgov-backup.$$"
SB_FILES="$SB_FILES $DIR/cgov-backup.$$"
wait_until 10 'grep -q ready "$SB_TMP/backup.out"' || {
	grep -q "Invalid argument" "$SB_TMP/backup.out" && skip "no O_DIRECT on $DIR"
	fail "writer not ready: $(cat "$SB_TMP/backup.out")"
}

# Dry run: every rule judged on the same ticks, nothing written.
start io-dry --dry-run
wait_until 40 'test "$(napplies during backup)" -ge 1 && test "$(napplies mean backup)" -ge 1' ||
	fail "the windowed rules did not fire on the bursty writer: $(actions | jq -c '.actions')"
# Two more windows' worth of ticks with bursts and pauses.
after_ticks 32
[ "$(grep -c ready "$SB_TMP/backup.out")" -ge 4 ] || fail "the writer did not burst and pause"
[ "$(napplies steady backup)" = 0 ] || fail "for 4s fired: the pauses did not restart it"
[ -z "$(limit)" ] || fail "the dry run wrote a limit"
why=$(why_of during)
case "$why" in *"of device (20M/s) during "*" of 8s (>= 30%)"*) ;;
	*) fail "the why of during: $why" ;; esac
case "$(why_of mean)" in "avg(io.write) over 8s "*"% > 10% of device (20M/s)"*) ;;
	*) fail "the why of avg: $(why_of mean)" ;; esac
pass "bursty writer: during and avg fired, for 4s did not (\"$why\")"
stop

# For real: the kernel holds the limit.
start io
wait_until 30 'test "$(limit)" = 5242880' || fail "no write limit on $DISKDEV ($(limit))"
pass "during 30% of 8s: the kernel holds a 5M/s write limit on $DISKDEV for the writer"
stop
[ -z "$(limit)" ] || fail "the write limit was not restored at exit ($(limit))"
pass "restored at exit"
