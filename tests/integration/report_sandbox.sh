#!/bin/bash
# A report from the integration sandbox's own history reads right: cgovd
# watches two containers, "hog" spinning under a CPU rule and "idle" with
# a memory limit; after the rule fired and the hog ran, the hog stops and
# cgovd exits cleanly. Then `cgov report --format json`: the hog is the top
# CPU offender and its CPU time matches what the kernel counted (cpuacct);
# idle used ~0 CPU; idle's limit and its % are the ones set; the action is
# there with its rule and a held duration > 0; the java task in idle is
# found by the JVM check; the text names them all.
. "$(dirname "$0")/../lib/sandbox.sh"
need jq
sb_init
sb_policy_dir
sb_mk hog
sb_mk idle
LIMIT=$((256 * 1024 * 1024))

MEMMAX=$(sb_file idle memory.limit_in_bytes || sb_file idle memory.max) || skip "no memory limit knob"
echo "$LIMIT" > "$MEMMAX" || fail "cannot set idle's memory limit"
CPUACCT=$(sb_file hog cpuacct.usage || sb_file hog cpu.stat) || skip "no CPU usage file"
# cpu_ns: the hog's CPU time in ns, as the kernel counts it.
cpu_ns() {
	case "$CPUACCT" in
	*cpu.stat) awk '$1 == "usage_usec" { printf "%.0f", $2 * 1000 }' "$CPUACCT" ;;
	*) cat "$CPUACCT" ;;
	esac
}

cat > "$POL/10-hog.policy" <<EOF
policy "cpu-hog" {
    match cgroup "$SB_BASE/*"
    rule "spin" {
        when cpu > 0.2 cores for 1s
        do cpu quota 0.6 cores
    }
}
EOF

daemon_start -v --config /dev/null --policies "$POL" --db "$DB" --interval 500ms \
	--rescan-interval 500ms
# idle holds a sleeping task named java (a copy of sleep(1)): a little
# memory to compare with its limit, and a JVM for the checks to find.
cp "$(command -v sleep)" "$SB_TMP/java" || fail "cannot copy sleep"
sb_run idle /dev/null "$SB_TMP/java" 600
wait_until 20 'test "$(db_q "select count(*) from tick")" -ge 2' || fail "cgovd stores no ticks"
# The hog starts after cgovd's first ticks: all of its CPU time falls in
# ticks the history has (the first tick of a container has no delta).
k0=$(cpu_ns)
sb_run hog "$SB_TMP/hog.out" "$HOG" spin
HOG_PID=$SB_LAST_PID
wait_until 10 'grep -q ready "$SB_TMP/hog.out"' || fail "hog not ready"
applied() { "$CGOV" --db "$DB" actions --format json |
	jq '[.actions[] | select(.kind == "apply" and .rule == "spin")] | length'; }
wait_until 15 'test "$(applied)" -ge 1' || fail "the rule never fired"
# Three more seconds of spinning under the quota.
t=$(db_q 'select max(ts_ms) from tick')
wait_until 10 'test "$(db_q "select max(ts_ms) from tick")" -ge $((t + 3000))' || fail "ticks stopped"
kill -KILL "$HOG_PID"; wait "$HOG_PID" 2>/dev/null
# Two ticks after the hog's death hold its last CPU time.
n=$(db_q 'select max(id) from tick')
wait_until 10 'test "$(db_q "select max(id) from tick")" -ge $((n + 2))' || fail "ticks stopped"
kill -TERM "$DAEMON_PID"; wait "$DAEMON_PID"; rc=$?; DAEMON_PID=""
[ "$rc" = 0 ] || fail "cgovd exited $rc"
kern_ns=$(( $(cpu_ns) - k0 ))

"$CGOV" --db "$DB" report --since 10m --format json > "$SB_TMP/r.json" || fail "report --format json failed"
jq -e . "$SB_TMP/r.json" > /dev/null || fail "report JSON does not parse"
q() { jq -r "$1" "$SB_TMP/r.json"; }
# within A B PCT: |A - B| <= PCT% of B.
within() { awk -v a="$1" -v b="$2" -v p="$3" 'BEGIN { d = a - b; if (d < 0) d = -d; exit !(d <= b * p / 100) }'; }
hog='.containers[] | select(.name == "hog")'
idle='.containers[] | select(.name == "idle")'

[ "$(q '.top.cpu[0].name')" = hog ] || fail "top CPU offender is $(q '.top.cpu[0].name'), not hog"
# The hog's CPU time in the report (mean cores x time sampled) against the
# kernel's count. The mean is over the ticks whose delta is known; the
# container's first tick has none, and is extrapolated over: 15%.
rep_ns=$(q "$hog | .cpu_avg_cores * .sampled_ms * 1000000")
within "$rep_ns" "$kern_ns" 15 ||
	fail "hog CPU time: report $rep_ns ns, kernel $kern_ns ns ($(q "$hog | .cpu_avg_cores") cores over $(q "$hog | .sampled_ms") ms)"
awk -v c="$(q "$hog | .cpu_avg_cores")" 'BEGIN { exit !(c > 0.1) }' ||
	fail "hog averaged $(q "$hog | .cpu_avg_cores") cores"
pass "hog: top CPU offender, $(q "$hog | .cpu_avg_cores") cores, CPU time within 15% of cpuacct"

awk -v c="$(q "$idle | .cpu_avg_cores")" 'BEGIN { exit !(c >= 0 && c < 0.02) }' ||
	fail "idle used $(q "$idle | .cpu_avg_cores") cores"
[ "$(q "$idle | .mem_limit_bytes")" = "$LIMIT" ] || fail "idle's limit is $(q "$idle | .mem_limit_bytes")"
p95=$(q "$idle | .mem_p95_bytes")
pct=$(q "$idle | .mem_p95_pct_of_limit")
awk -v m="$p95" -v p="$pct" -v l="$LIMIT" 'BEGIN { d = 100 * m / l - p; exit !(d < 0.01 && d > -0.01) }' ||
	fail "idle: p95 $p95 bytes is not $pct% of $LIMIT"
[ "$(q "$idle | .no_mem_limit")" = 0 ] && [ "$(q "$hog | .no_mem_limit")" = 1 ] ||
	fail "no_mem_limit: idle $(q "$idle | .no_mem_limit"), hog $(q "$hog | .no_mem_limit")"
q '.checks.no_mem_limit[].name' | grep -qx hog || fail "hog not among the containers without a limit"
pass "idle: ~0 cores, limit $LIMIT, p95 at $pct% of it"

act='[.actions[] | select(.kind == "apply" and .rule == "spin")][0]'
[ "$(q "$act | .name")" = hog ] && [ "$(q "$act | .policy")" = cpu-hog ] &&
	[ "$(q "$act | .knob")" = "cpu quota" ] || fail "the apply row: $(q "$act")"
held=$(q "$act | .held_ms")
[ "$held" != null ] && [ "$held" -gt 0 ] || fail "held_ms $held"
# The quota held from its apply until cgovd restored it, at its exit: after
# the last tick. It is not in force, as `cgov status` says (issue 14: the
# report once called it in force beside its restored_ms).
[ "$(q "$act | .restored_ms")" != null ] || fail "the quota was not restored"
[ "$(q "$act | .restored_ms - .time_ms")" = "$held" ] || fail "held_ms $held is not until the restore"
[ "$(q "$act | .in_force")" = 0 ] || fail "in_force $(q "$act | .in_force") beside restored_ms $(q "$act | .restored_ms")"
st_n=$("$CGOV" --db "$DB" status --format json | jq '.in_force | length')
rep_n=$(q '[.actions[] | select(.in_force == 1)] | length')
[ "$st_n" = "$rep_n" ] || fail "status shows $st_n knobs in force, the report $rep_n"
[ "$(q "$hog | .actions")" -ge 1 ] && [ "$(q "$hog | .actions_held_ms")" -ge "$held" ] ||
	fail "the hog's row does not count its action"
pass "action: cpu quota by cpu-hog/spin, held ${held} ms"

# The JVM check reads the live host: idle's cgroup.procs, /proc/PID/comm.
[ "$(q '[.checks.jvm[].name] | join(",")')" = idle ] || fail "JVMs found: $(q '.checks.jvm')"
[ "$(q "$idle | .jvm")" = 1 ] && [ "$(q "$hog | .jvm")" = 0 ] ||
	fail "jvm: idle $(q "$idle | .jvm"), hog $(q "$hog | .jvm")"
if [ "$(q '.checks.host_no_swap')" = 1 ]; then want=idle; else want=""; fi
[ "$(q '[.checks.jvm_without_swap[].name] | join(",")')" = "$want" ] ||
	fail "jvm_without_swap: $(q '.checks.jvm_without_swap') (host_no_swap $(q '.checks.host_no_swap'))"
pass "the JVM check found the java task in idle"

"$CGOV" --db "$DB" report --since 10m > "$SB_TMP/r.txt" || fail "report --format text failed"
for want in '^CONTAINERS' '^hog ' '^idle ' 'CPU \(avg cores\) +hog' 'cpu-hog +spin'; do
	grep -Eq "$want" "$SB_TMP/r.txt" || { cat "$SB_TMP/r.txt"; fail "the text lacks /$want/"; }
done
pass "the text report names hog, idle and the rule"
