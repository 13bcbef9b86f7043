#!/bin/bash
# A first run on a node without a container runtime: cgovd, given patterns
# that match nothing, logs how to point it at cgroups (runtime "cgroup"),
# once; `cgov top` says it under an empty table (not in JSON). Then
# contrib/demo.sh with a short duration: its sandbox is governed (the hog
# gets its CPU quota from the `match runtime cgroup` policy), it shows top,
# actions and the report, and leaves nothing behind: no cgroup, no process,
# no temporary directory.
. "$(dirname "$0")/../lib/sandbox.sh"
[ "$(id -u)" = 0 ] || skip "needs root"
T=$(mktemp -d /tmp/cgov-test.XXXXXX)
trap 'rm -rf "$T"' EXIT

# ---- the hint ---------------------------------------------------------------
"$CGOVD" --once --config /dev/null --containers "/cgov-test-none.$$/*" --db "$T/x.db" \
	> "$T/once.log" 2>&1 || fail "cgovd --once failed: $(cat "$T/once.log")"
grep -q "no containers: no cgroup in the .* hierarchy at .* matches the container patterns /cgov-test-none.$$/\*; .*--containers '/PATH/\*'.*runtime \"cgroup\".*match runtime cgroup" "$T/once.log" ||
	fail "no hint in cgovd's log: $(cat "$T/once.log")"
[ "$(grep -c 'no containers:' "$T/once.log")" = 1 ] || fail "the hint was logged more than once: $(cat "$T/once.log")"
# A running cgovd rescans (here every 100 ms) and says it once.
"$CGOVD" --foreground --verbose --config /dev/null --containers "/cgov-test-none.$$/*" \
	--db "$T/run.db" --interval 100ms --rescan-interval 100ms > "$T/run.log" 2>&1 &
dpid=$!
wait_until 30 '[ "$(grep -c "debug: tick:" "$T/run.log")" -ge 15 ]' ||
	{ kill "$dpid"; fail "cgovd did not tick: $(tail -n 20 "$T/run.log")"; }
kill -TERM "$dpid"; wait "$dpid"
[ "$(grep -c 'no containers:' "$T/run.log")" = 1 ] ||
	fail "the hint was logged $(grep -c 'no containers:' "$T/run.log") times over 15 ticks and rescans"
"$CGOV" --db "$T/x.db" top > "$T/top" 2>&1 || fail "cgov top failed: $(cat "$T/top")"
grep -q "^No containers in the history" "$T/top" && grep -q "match runtime cgroup" "$T/top" ||
	fail "cgov top shows no hint: $(cat "$T/top")"
"$CGOV" --db "$T/x.db" --format json top > "$T/top.json" 2>&1 || fail "cgov top --format json failed"
grep -q "No containers" "$T/top.json" && fail "the hint is in top's JSON"
if command -v jq > /dev/null 2>&1; then
	jq -e '.containers == []' "$T/top.json" > /dev/null || fail "top's JSON: $(cat "$T/top.json")"
fi

# ---- contrib/demo.sh ----------------------------------------------------------
# 40 s at most (the v2 guest emulates its CPUs): it stops once the hog is
# throttled, after 4 s here.
CGOV_DEMO_SECONDS=40 CGOVD="$CGOVD" CGOV="$CGOV" bash "$CGOV_SRCDIR/contrib/demo.sh" > "$T/demo.out" 2>&1
rc=$?
[ "$rc" = 77 ] && skip "demo.sh cannot run here: $(grep 'cannot run' "$T/demo.out")"
[ "$rc" = 0 ] || fail "demo.sh exited $rc: $(tail -n 40 "$T/demo.out")"
base=$(sed -n 's/^demo: cgroup v[12] sandbox \(.*\) in .*; temporary files in .*/\1/p' "$T/demo.out")
tmp=$(sed -n 's/.*; temporary files in \(.*\)$/\1/p' "$T/demo.out")
[ -n "$base" ] && [ -n "$tmp" ] || fail "demo.sh does not say where its sandbox was: $(head -n 5 "$T/demo.out")"
for s in "=== cgov top --by cpu" "=== cgov actions" "=== cgov report --since 10m"; do
	grep -qxF "$s" "$T/demo.out" || fail "no \"$s\" in demo.sh's output"
done
# top: the tenants, runtime cgroup.
top=$(sed -n '/^=== cgov top/,/^=== cgov actions/p' "$T/demo.out")
for t in hog victim; do
	echo "$top" | grep -Eq "^$t +cgroup " || fail "top does not show $t with runtime cgroup: $top"
done
if command -v java > /dev/null 2>&1; then
	echo "$top" | grep -Eq "^jvm +cgroup " || fail "top does not show the JVM tenant: $top"
fi
# actions: the hog got its quota, the victim its shares.
acts=$(sed -n '/^=== cgov actions/,/^=== cgov report/p' "$T/demo.out")
echo "$acts" | grep -Eq "hog +apply +cpu quota +max -> 0.2 cores" ||
	fail "the hog was not throttled: $acts
$(sed -n '/cgovd.s log/,$p' "$T/demo.out")"
echo "$acts" | grep -Eq "victim +apply +cpu shares +1024 -> 2048" || fail "the victim's shares: $acts"
grep -q "^CONTAINERS" "$T/demo.out" || fail "no report in demo.sh's output"
grep -qF "demo: removed the sandbox $base and $tmp" "$T/demo.out" || fail "demo.sh did not say it cleaned up"

# Nothing left behind.
[ -e "$tmp" ] && fail "demo.sh left $tmp"
for m in $(awk '$3 == "cgroup" || $3 == "cgroup2" { print $2 }' /proc/mounts); do
	[ -e "$m$base" ] && fail "demo.sh left the cgroup $m$base"
done
left=$(grep -lF "$base" /proc/[0-9]*/cgroup 2>/dev/null)
[ -z "$left" ] && pass "hint logged once and shown by top; demo governed $base and left nothing" ||
	fail "processes left in the demo's cgroups: $left"
