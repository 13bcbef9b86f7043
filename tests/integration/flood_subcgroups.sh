#!/bin/bash
# A tenant that creates FLOOD_N sub-cgroups inside its container (5,000 in
# make check; `make check-flood` makes 100,000): discovery never descends
# into a container and the process walk reads at most 64 cgroups below
# it, so cgovd's cost per tick stays bounded and the tenant stays governed.
#
# cgovd's CPU time comes from the kernel (/proc/PID/task/*/schedstat, in
# ns) over FLOOD_TICKS ticks before the flood and as many after it; the
# flooded figure must stay within 2x + 2 ms a tick of the other. Then the
# flooding tenant's static `pids max` is still in force, its rule (whose
# policy matches a process name, read over the subtree) still throttles a
# hog in it, and a container made after the flood is still found.
#
# Where the sub-cgroups go: on cgroup v1 into every hierarchy of the
# sandbox (cpu, cpuacct, pids, blkio, freezer take 100,000), except the
# memory hierarchy, which the kernel limits to 65,535 cgroups node-wide:
# there FLOOD_MEM_N at most (10,000 by default). On v2, FLOOD_N into the
# unified hierarchy. FLOOD_HIER="pids cpu memory" floods those alone. The figures printed say how many went where.
. "$(dirname "$0")/../lib/sandbox.sh"
sb_init
sb_policy_dir
N=${FLOOD_N:-5000}
MEM_N=${FLOOD_MEM_N:-10000}
TICKS=${FLOOD_TICKS:-20}
sb_mk flood
for i in 1 2 3 4 5 6 7 8; do sb_mk "calm$i"; done
PIDSF=$(sb_file flood pids.max) || skip "no pids controller"
QUOTA=$(sb_file flood cpu.cfs_quota_us || sb_file flood cpu.max) || skip "no CPU quota knob"
quota() { cut -d' ' -f1 "$QUOTA"; }
PERIOD=$(cat "$(sb_file flood cpu.cfs_period_us)" 2>/dev/null || cut -d' ' -f2 "$QUOTA")
WANT=$((PERIOD / 20))
ORIGQ=$(quota)

# The sub-cgroups are removed here, in bulk (a find that forks an rmdir a
# directory would take minutes), before the sandbox's own cleanup; on
# failure too.
flood_rm() {
	local mnt
	for mnt in $SB_MOUNTS; do
		[ -d "$mnt$SB_BASE/flood" ] &&
			find "$mnt$SB_BASE/flood" -mindepth 1 -depth -type d -print0 2>/dev/null |
			xargs -0 -r rmdir 2>/dev/null
	done
}
trap 'rc=$?; flood_rm; (exit $rc); sb_cleanup' EXIT

cat > "$POL/10-flood.policy" <<EOF
policy "flood" {
    match cgroup "$SB_BASE/flood"
    match process "cgov_hog" "sleep"
    pids max 4321
    cooldown 500ms
    rule "spin" {
        when cpu > 0.1 cores for 500ms
        do cpu quota 0.05 cores
        until cpu < 0.02 cores for 500ms
    }
}
policy "calm" {
    match cgroup "$SB_BASE/calm*" "$SB_BASE/late"
    pids max 1234
}
EOF
"$CGOV" policy check "$POL" > "$SB_TMP/check.out" 2>&1 || fail "policies do not check: $(cat "$SB_TMP/check.out")"
# A task in the flooding tenant, for `match process`.
sb_run flood "$SB_TMP/sleep.out" sleep 3600
# Every cost a flood could inflate falls inside the measured windows: the
# process walk each second (its shortest), memory.stat every tick.
printf 'process-interval = 1s\nmemstat-interval = 200ms\n' > "$SB_TMP/cgov.conf"
DAEMON_LOG="$SB_TMP/cgovd.log"
"$CGOVD" --foreground -v --config "$SB_TMP/cgov.conf" --policies "$POL" --db "$DB" \
	--interval 200ms --rescan-interval 200ms --containers "$SB_BASE/*" > "$DAEMON_LOG" 2>&1 &
DAEMON_PID=$!
wait_until 30 'test "$(cat "$PIDSF")" = 4321' || fail "pids max 4321 not applied before the flood"
ticks() { grep -c "debug: tick:" "$DAEMON_LOG"; }
cpu_ns() { cat /proc/"$DAEMON_PID"/task/*/schedstat | awk '{ s += $1 } END { printf "%d\n", s }'; }
# measure: cgovd's CPU ns per tick over TICKS ticks, in $PER (and the
# window's wall ms in $WALL).
measure() {
	local n0 c0 t0 n1
	n0=$(ticks) c0=$(cpu_ns) t0=$(date +%s%N)
	wait_until 120 'test "$(ticks)" -ge $((n0 + TICKS))' || fail "cgovd stopped ticking"
	n1=$(ticks)
	PER=$(( ($(cpu_ns) - c0) / (n1 - n0) ))
	WALL=$(( ($(date +%s%N) - t0) / 1000000 ))
}
measure
base=$PER base_wall=$WALL
echo "before the flood: cgovd ${base} ns CPU a tick over $TICKS ticks ($base_wall ms)"

# The flood: N sub-cgroups (MEM_N in the v1 memory hierarchy), in bulk.
t=$(date +%s%N)
made=""
for mnt in $SB_MOUNTS; do
	n=$N
	# FLOOD_HIER (v1: hierarchy names, "pids cpu") limits the flood to
	# those, for a long run in less time; the others get none.
	[ -n "${FLOOD_HIER:-}" ] && case " $FLOOD_HIER " in *" ${mnt##*/} "*) ;; *) continue ;; esac
	[ "$SB_VERSION" = 1 ] && [ -e "$mnt$SB_BASE/flood/memory.limit_in_bytes" ] &&
		[ "$MEM_N" -lt "$n" ] && n=$MEM_N
	(cd "$mnt$SB_BASE/flood" && seq -f "f%.0f" 1 "$n" | xargs mkdir) ||
		fail "cannot create $n sub-cgroups in $mnt"
	made="$made ${mnt##*/}:$n"
done
mk_ms=$(( ($(date +%s%N) - t) / 1000000 ))
echo "flood made in $mk_ms ms:$made"
measure
flood=$PER flood_wall=$WALL
echo "with the flood: cgovd ${flood} ns CPU a tick over $TICKS ticks ($flood_wall ms)"
[ "$flood" -le $((2 * base + 2000000)) ] ||
	fail "a tick costs $flood ns with the flood, $base ns without (bound 2x + 2 ms)"

# Still governed: the static limit, the rule, the discovery of a newcomer.
[ "$(cat "$PIDSF")" = 4321 ] || fail "the flooding tenant's pids.max is $(cat "$PIDSF")"
sb_run flood "$SB_TMP/hog.out" "$HOG" spin
wait_until 30 'test "$(quota)" = "$WANT"' ||
	fail "the flooding tenant's hog was not throttled (quota $(quota), want $WANT)"
sb_mk late
LATE=$(sb_file late pids.max)
wait_until 30 'test "$(cat "$LATE")" = 1234' || fail "a container made after the flood was not governed"
kill -0 "$DAEMON_PID" || fail "cgovd died"
kill -TERM "$DAEMON_PID"; wait "$DAEMON_PID"; rc=$?; DAEMON_PID=""
[ "$rc" = 0 ] || fail "cgovd exited $rc"
[ "$(quota)" = "$ORIGQ" ] || fail "the hog's quota was not restored at exit ($(quota))"
t=$(date +%s%N)
flood_rm
rm_ms=$(( ($(date +%s%N) - t) / 1000000 ))
pass "flood of$made sub-cgroups (made in $mk_ms ms, removed in $rm_ms ms): cgovd $base ns CPU a tick before, $flood ns with it; the tenant still limited and throttled, a newcomer governed"
