#!/bin/bash
# Discovery cannot be flooded. With max-containers 3, a tenant who creates
# many cgroups under the pattern root walked first (flood/) must not use up
# the walk of another root (good/): each root has its own budget, and a new
# container there is still found. And a walk that stops at its bound inside
# good/ itself, before reaching a governed container, must not take it for
# gone: it is checked directly and stays governed (its `pids max 100` never
# restored), while one that really went is still found gone. The
# truncation is logged once per burst.
. "$(dirname "$0")/../lib/sandbox.sh"
sb_init
sb_policy_dir
sb_mk flood
sb_mk good
sb_mk good/web
WEB=$(sb_file good/web pids.max) || skip "no pids controller"
[ "$(cat "$WEB")" = max ] || skip "the sandbox already has a pids limit ($(cat "$WEB"))"
cat > "$POL/10-cap.policy" <<EOF
policy "cap-pids" {
    match cgroup "$SB_BASE/good/*"
    pids max 100
}
EOF
DAEMON_LOG="$SB_TMP/cgovd.log"
"$CGOVD" --foreground -v --config /dev/null --policies "$POL" --db "$DB" \
	--interval 200ms --rescan-interval 200ms --max-containers 3 \
	--containers "$SB_BASE/flood/*" --containers "$SB_BASE/good/*" > "$DAEMON_LOG" 2>&1 &
DAEMON_PID=$!
wait_until 20 'test "$(cat "$WEB")" = 100' || fail "pids max 100 not applied to good/web"
ticks() { grep -c "debug: tick:" "$DAEMON_LOG"; }
gone_web() { grep -q "container .*/good/web is gone" "$DAEMON_LOG"; }
# The directory the walk reads (v1: the memory hierarchy).
WALK=$(sed -n 's/.*containers are found in the [a-z]* hierarchy at \([^ ]*\).*/\1/p' "$DAEMON_LOG" | head -n 1)
[ -n "$WALK" ] || WALK=$SB_MOUNTS
[ -d "$WALK$SB_BASE/good/web" ] || fail "cannot find the walked hierarchy ($WALK)"

# 1. A flood under the root walked first: 12 cgroups, 4 times the bound.
for i in $(seq 1 12); do sb_mk "flood/f$i"; done
wait_until 20 'grep -q "discovery stopped at its bound" "$DAEMON_LOG"' || fail "the truncated walk was not logged"
sb_mk good/new
NEW=$(sb_file good/new pids.max)
wait_until 20 'test "$(cat "$NEW")" = 100' ||
	fail "good/new was not found behind the flood of flood/ (pids.max $(cat "$NEW"))"
n=$(ticks)
wait_until 20 'test "$(ticks)" -ge $((n + 5))' || fail "ticks stopped"
[ "$(cat "$WEB")" = 100 ] || fail "good/web's pids.max is $(cat "$WEB") after flood/ was flooded"
gone_web && fail "good/web was marked gone"
pass "a flood of flood/ starves neither good/web nor the new good/new"

# 2. A flood inside good/ itself, until the walk (readdir order) reaches
# web only after the bound: the walk cannot see it, a direct check must.
pos() { find "$WALK$SB_BASE/good" -mindepth 1 -maxdepth 1 -type d | grep -n "/$1\$" | cut -d: -f1; }
i=0
while [ "$(pos web)" -le 3 ] || [ "$(pos new)" -le 3 ]; do
	i=$((i + 1))
	[ "$i" -le 300 ] || fail "web stays among the first 3 directories of good/"
	sb_mk "good/g$i"
done
pass "good/ flooded with $i cgroups: web is directory $(pos web), new $(pos new) in the walk's order"
nlog=$(grep -c "discovery stopped at its bound" "$DAEMON_LOG")
n=$(ticks)
wait_until 20 'test "$(ticks)" -ge $((n + 8))' || fail "ticks stopped"
[ "$(cat "$WEB")" = 100 ] || fail "good/web's pids.max was restored to $(cat "$WEB") by a truncated walk"
[ "$(cat "$NEW")" = 100 ] || fail "good/new's pids.max was restored to $(cat "$NEW") by a truncated walk"
gone_web && fail "good/web was marked gone by a truncated walk"
[ "$(grep -c "discovery stopped at its bound" "$DAEMON_LOG")" = "$nlog" ] ||
	fail "the truncation is logged on every walk, not once per burst"
pass "walks truncated before good/web: web and new still governed, logged once"

# 3. One the truncated walk did not reach that really goes is gone: the
# direct check keeps no ghost.
sb_rm good/new
wait_until 20 'grep -q "container .*/good/new is gone" "$DAEMON_LOG"' ||
	fail "good/new, removed beyond the bound, was not found gone"
[ "$(cat "$WEB")" = 100 ] || fail "good/web's pids.max is $(cat "$WEB")"
kill -TERM "$DAEMON_PID"; wait "$DAEMON_PID"; rc=$?; DAEMON_PID=""
[ "$rc" = 0 ] || fail "cgovd exited $rc"
pass "good/new removed beyond the bound: found gone, web still governed"
