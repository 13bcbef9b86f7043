#!/bin/bash
# scenarios_smoke.sh: the scenario runner (bench/scenarios/run.sh) with
# --tiny sizes and one round: every arm of every scenario produced its
# figures (numbers, throughputs above zero), the JSON and a RESULTS-style
# table were written where asked (a temporary path: the tree's
# bench/RESULTS.md is left alone), and the runner left no zram swap and no
# sandbox behind. The figures themselves are not judged: a few seconds per
# arm on a shared machine say nothing (issue 11's targets are measured by
# a full run, `make bench-scenarios`).
. "$(dirname "$0")/../lib/sandbox.sh"
[ "$(id -u)" = 0 ] || skip "needs root"
for t in python3 jq sqlite3 fio javac java mkswap; do need "$t"; done
[ -e /sys/class/zram-control/hot_add ] || modprobe zram num_devices=0 2>/dev/null
[ -e /sys/class/zram-control/hot_add ] || skip "no zram (modprobe zram)"
OUT=$(mktemp -d /tmp/cgov-scenarios.XXXXXX)
trap 'rm -rf "$OUT"' EXIT
TREE_RESULTS="$CGOV_SRCDIR/bench/RESULTS.md"
before=$(cat "$TREE_RESULTS" 2>/dev/null | md5sum)
swaps_before=$(swapon --noheadings --show=NAME | sort)

bash "$CGOV_SRCDIR/bench/scenarios/run.sh" --tiny --rounds 1 --builddir "$CGOV_BUILDDIR" \
	--json "$OUT/run.json" --results "$OUT/RESULTS.md" > "$OUT/log" 2>&1
rc=$?
[ "$rc" = 77 ] && skip "the runner skipped: $(tail -n 1 "$OUT/log")"
[ "$rc" = 0 ] || fail "the runner failed ($rc): $(tail -n 20 "$OUT/log")"

[ "$(swapon --noheadings --show=NAME | sort)" = "$swaps_before" ] || fail "the runner left swap behind"
[ "$(cat "$TREE_RESULTS" 2>/dev/null | md5sum)" = "$before" ] || fail "the tree's bench/RESULTS.md was written"
jq -e . "$OUT/run.json" > /dev/null || fail "the JSON does not parse"

# expect SCENARIO "ARMS" "METRICS": each arm's median of each metric is a
# number; ops and IOPS above zero.
n=0
expect() {
	local arm metric v
	for arm in $2; do
		for metric in $3; do
			v=$(jq -r --arg s "$1" --arg a "$arm" --arg m "$metric" \
				'.medians[$s][$a][$m].value | if type == "number" then . else "missing" end' "$OUT/run.json")
			[ "$v" != missing ] || fail "$1/$arm: no numeric $metric ($(grep -F "$1 $arm" "$OUT/log" | head -n 3))"
			case "$metric" in
			*ops_per_s|iops) awk -v v="$v" 'BEGIN { exit !(v > 0) }' || fail "$1/$arm: $metric is $v" ;;
			esac
			n=$((n + 1))
		done
	done
}
ARMS="none static cgovd"
CPU_METRICS="p50_us p99_us p50_late_us p99_late_us ops_per_s ops_late_per_s"
expect cpu solo "$CPU_METRICS"
for hog in cores 2x shares2048; do expect "cpu.$hog" "$ARMS" "$CPU_METRICS"; done
if grep -q '^io: .*skipped' "$OUT/log"; then
	echo "note: io skipped by the runner: $(grep '^io: ' "$OUT/log")"
else
	expect io "solo $ARMS" "iops p99_us"
fi
expect memory "solo $ARMS" "jvm_ops_per_s py_ops_per_s jvm_finished py_finished oom_jvm oom_py oom_hog node_full"
expect overhead "without with" ops_per_s

# The table: a row per scenario and metric, the targets with a verdict.
grep -qE '^\| cpu.cores \| ops_per_s \| [0-9.]+ \| [0-9.]+ \([0-9.]+x\)' "$OUT/RESULTS.md" || fail "no cpu row in RESULTS.md"
grep -q '^| memory | oom_jvm | ' "$OUT/RESULTS.md" || fail "no memory row in RESULTS.md"
grep -q '^## Targets of issue 11' "$OUT/RESULTS.md" || fail "no targets in RESULTS.md"
[ "$(grep -cE '^\| .* \| (met|\*\*not met\*\*|n/a) \|$' "$OUT/RESULTS.md")" -ge 7 ] || fail "targets without a verdict"
grep -q "^| cgroup | v[12] |" "$OUT/RESULTS.md" || fail "no cgroup version in RESULTS.md"
pass "$n figures, every arm numeric; RESULTS at a temporary path"
