#!/bin/bash
# cgroup v1: a tenant's memory limit and swap buffer are written in an
# order the kernel takes and that converges, whatever order the policy
# lists them in. The buffer is memsw - limit: written before the limit of
# a tenant without one, memsw = unlimited + buffer stayed unlimited, the
# next sync read the buffer back as "max" and journaled a drift (then a
# reassert). Here the policy names the buffer first: set from no limit,
# then lowered, then raised, the kernel's files must read limit and
# limit + buffer at once, the journal must hold no drift and no reassert,
# and a reload without the policy puts both back to unlimited.
. "$(dirname "$0")/../lib/sandbox.sh"
sb_init
need jq
[ "$SB_VERSION" = 1 ] || skip "v2: memory.swap.max does not depend on memory.max"
sb_policy_dir
sb_mk box
sb_v1_memsw box
M=$((1024 * 1024))

# policy BUFFER LIMIT: the buffer's line first, the "bad" order.
policy() {
	cat > "$POL/10-order.policy" <<EOF
policy "order" {
    match cgroup "$SB_BASE/box"
    cooldown 1s
    memory swap-buffer $1
    memory limit $2
}
EOF
}
rows() {
	"$CGOV" --db "$DB" actions --format json | jq "[.actions[] | select(.kind == \"$1\")] | length"
}
ticks() { grep -c "debug: tick:" "$DAEMON_LOG"; }
# settled LIMIT_BYTES MEMSW_BYTES WHAT: the files read both values, and
# 4 more ticks (drift showed on the sync after the write) journal no drift.
settled() {
	local t want_l=$1 want_s=$2
	wait_until 20 'test "$(cat "$LIMIT")" = "$want_l" && test "$(cat "$MEMSW")" = "$want_s"' ||
		fail "$3: limit $(cat "$LIMIT") memsw $(cat "$MEMSW"), want $1 and $2; journal: $("$CGOV" --db "$DB" actions)"
	t=$(ticks)
	wait_until 20 'test "$(ticks)" -ge $((t + 4))' || fail "cgovd stopped ticking"
	[ "$(cat "$LIMIT")" = "$1" ] && [ "$(cat "$MEMSW")" = "$2" ] ||
		fail "$3: then limit $(cat "$LIMIT") memsw $(cat "$MEMSW")"
	[ "$(rows drift)" = 0 ] && [ "$(rows reassert)" = 0 ] && [ "$(rows failed)" = 0 ] ||
		fail "$3: drift, reassert or failed rows: $("$CGOV" --db "$DB" actions)"
}

policy 64M 256M
DAEMON_LOG="$SB_TMP/cgovd.log"
"$CGOVD" --foreground -v --config /dev/null --policies "$POL" --db "$DB" \
	--interval 500ms --rescan-interval 500ms --containers "$SB_BASE/*" > "$DAEMON_LOG" 2>&1 &
DAEMON_PID=$!
settled $((256 * M)) $((320 * M)) "set from no limit"
[ "$(rows apply)" = 2 ] || fail "$(rows apply) apply rows, want 2: $("$CGOV" --db "$DB" actions)"
# A buffer written on a host without swap is warned about (a tenant
# without a limit, whose buffer is not written, is not: govern_jvm_nolimit).
if [ "$(awk 'NR > 1' /proc/swaps | wc -l)" = 0 ]; then
	grep -q "box keeps a swap buffer, but this host has no swap to give" "$DAEMON_LOG" ||
		fail "no warning of a swap buffer written on a host without swap"
fi
pass "set from no limit: limit 256M, memsw 320M, no drift"

# Lowered (the tenant uses nothing: no floor in the way), then raised;
# settled waited out the 1s cooldown.
policy 32M 128M
kill -HUP "$DAEMON_PID"
settled $((128 * M)) $((160 * M)) "lowered"
pass "lowered: limit 128M, memsw 160M, no drift"
policy 128M 512M
kill -HUP "$DAEMON_PID"
settled $((512 * M)) $((640 * M)) "raised"
pass "raised: limit 512M, memsw 640M, no drift"

# Dropped: both back to unlimited.
rm "$POL/10-order.policy"
kill -HUP "$DAEMON_PID"
wait_until 20 'test "$(cat "$LIMIT")" = "$ORIG_LIMIT" && test "$(cat "$MEMSW")" = "$ORIG_MEMSW"' ||
	fail "not restored: limit $(cat "$LIMIT") memsw $(cat "$MEMSW"); journal: $("$CGOV" --db "$DB" actions)"
kill -TERM "$DAEMON_PID"; wait "$DAEMON_PID"; DAEMON_PID=""
[ "$(rows drift)" = 0 ] && [ "$(rows failed)" = 0 ] || fail "drift or failed rows: $("$CGOV" --db "$DB" actions)"
pass "a reload without the policy restored limit and memsw"
