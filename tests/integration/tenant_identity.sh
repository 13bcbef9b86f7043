#!/bin/bash
# A tenant is a cgroup identity, not a path (DESIGN.md, safety rule 9): a
# container removed and re-created at the same path, both while cgovd runs
# and across a kill -9 of cgovd, never receives the old tenant's saved
# original. The old tenant had its own shares (2048) when cgov took them
# over; the new one comes with the kernel's default: after cgovd lets go,
# the new tenant must hold the default, never 2048.
. "$(dirname "$0")/../lib/sandbox.sh"
sb_init
DB="$SB_TMP/cgov.db"
POL="$SB_TMP/policies"
EMPTY="$SB_TMP/no-policies"
mkdir -p "$POL" "$EMPTY"
CONF="$SB_TMP/cgov.conf"
echo "exit-restore = all" > "$CONF"
sb_mk ct-a

if KNOB=$(sb_file ct-a cpu.shares); then OLD_OWN=2048; else
	KNOB=$(sb_file ct-a cpu.weight) || skip "no cpu shares or weight knob"
	OLD_OWN=200
fi
DEFAULT=$(cat "$KNOB")
[ "$DEFAULT" != "$OLD_OWN" ] || skip "the kernel's default shares are $OLD_OWN"
knob() { cat "$(sb_file ct-a "$(basename "$KNOB")")" 2>/dev/null; }
own_old() { echo "$OLD_OWN" > "$(sb_file ct-a "$(basename "$KNOB")")" || fail "cannot set shares"; }

cat > "$POL/10-shares.policy" <<POLICY
policy "tenants" {
    match cgroup "$SB_BASE/ct-*"
    cpu shares 512
}
POLICY

start() {
	DAEMON_LOG="$SB_TMP/cgovd.$1.log"
	"$CGOVD" --foreground -v --config "$CONF" --policies "$2" --db "$DB" \
		--interval 300ms --rescan-interval 300ms --containers "$SB_BASE/ct-*" \
		> "$DAEMON_LOG" 2>&1 &
	DAEMON_PID=$!
}
stop() {
	kill -"$1" "$DAEMON_PID"; wait "$DAEMON_PID" 2>/dev/null; DAEMON_PID=""
}
governed() { v=$(knob); [ -n "$v" ] && [ "$v" != "$DEFAULT" ] && [ "$v" != "$OLD_OWN" ]; }

# 1. While cgovd runs: the tenant is re-created between two ticks.
own_old
start run1 "$POL"
wait_until 20 governed || fail "static shares not applied (knob $(knob))"
sb_rm ct-a
sb_mk ct-a
# The kernel gives the new cgroup its default; cgovd may have governed it
# already (a rescan between the mkdir and this read, on a busy machine).
v=$(knob)
[ "$v" = "$DEFAULT" ] || [ "$v" = 512 ] || fail "a fresh cgroup has $v, neither the default $DEFAULT nor the policy's 512"
# The new tenant is governed afresh: its own value saved, the limit set.
wait_until 20 'governed && grep -q "container .*ct-a.* found" "$DAEMON_LOG" &&
	test "$(grep -c "container .*ct-a.* found" "$DAEMON_LOG")" -ge 2' ||
	fail "the re-created tenant was not governed afresh (knob $(knob))"
stop TERM
[ "$(knob)" = "$DEFAULT" ] ||
	fail "after exit the new tenant holds $(knob): the old tenant's original $OLD_OWN leaked, want $DEFAULT"
pass "re-created while running: the new tenant got its own $DEFAULT back at exit"

# 2. Across a kill -9: the old tenant is throttled, cgovd dies, the runtime
# re-creates the container, a cgovd without policies starts.
sb_rm ct-a
sb_mk ct-a
own_old
start run2 "$POL"
wait_until 20 governed || fail "static shares not applied after restart (knob $(knob))"
stop KILL
[ "$(db_q "select count(*) from knob_orig")" -ge 1 ] || fail "no original journaled"
sb_rm ct-a
sb_mk ct-a
start run3 "$EMPTY"
wait_until 20 'test "$(grep -c "debug: tick:" "$DAEMON_LOG")" -ge 2' || fail "cgovd did not tick"
wait_until 20 'test "$(db_q "select count(*) from knob_orig")" = 0' ||
	fail "the old tenant's original is still journaled"
[ "$(knob)" = "$DEFAULT" ] ||
	fail "after a crash and re-creation the new tenant holds $(knob), not its own $DEFAULT"
grep -q "re-created as another" "$DAEMON_LOG" || fail "the drop was not logged"
stop TERM
[ "$(knob)" = "$DEFAULT" ] || fail "exit changed the new tenant's shares to $(knob)"

# 3. The control: a crash WITHOUT re-creation restores the original.
own_old
start run4 "$POL"
wait_until 20 governed || fail "static shares not applied (run 4)"
stop KILL
start run5 "$EMPTY"
wait_until 20 'test "$(knob)" = "$OLD_OWN"' ||
	fail "a crash's leftover was not restored to $OLD_OWN (knob $(knob))"
stop TERM
pass "kill -9 then re-creation: nothing restored into the new tenant; same tenant: restored"
