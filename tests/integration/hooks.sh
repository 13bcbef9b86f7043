#!/bin/bash
# The on-action hook (cgovd(8), Hooks): a program run without a shell on
# each action, with the event in its environment. A static `pids max`
# applies at the first tick and is restored when a reload drops its
# policy: the hook records CGOV_EVENT, CGOV_KNOB and CGOV_NEW, which must be
# what cgovd really wrote to pids.max, and its arguments arrive split as
# cgov.conf quotes them. An OOM kill in a container with a 32M limit
# reaches the hook as `oom-kill`. A hook that never ends neither stops the ticks nor
# outlives on-action-timeout: its process group is killed.
. "$(dirname "$0")/../lib/sandbox.sh"
sb_init
DB="$SB_TMP/cgov.db"
POL="$SB_TMP/policies"
CONF="$SB_TMP/cgov.conf"
OUT="$SB_TMP/events"
mkdir -p "$POL" "$OUT"
sb_mk web
sb_mk oom
PIDS=$(sb_file web pids.max) || skip "no pids controller"
[ "$(cat "$PIDS")" = max ] || skip "the sandbox already has a pids limit ($(cat "$PIDS"))"

# The hook: its environment and arguments to one file per event (written
# aside, then renamed: the test never reads half a file); with $SB_TMP/hang
# present it never ends instead.
HOOK="$SB_TMP/hook.sh"
cat > "$HOOK" <<EOF
#!/bin/sh
f="$OUT/\$CGOV_EVENT.\$\$"
{ env | grep '^CGOV_' | sort; printf 'ARGS=%s|%s|%s\n' "\$#" "\$1" "\$2"; } > "\$f.tmp"
mv "\$f.tmp" "\$f.env"
if [ -e "$SB_TMP/hang" ]; then
	echo \$\$ > "$SB_TMP/hang.pid.tmp" && mv "$SB_TMP/hang.pid.tmp" "$SB_TMP/hang.pid"
	exec sleep 600
fi
EOF
chmod 755 "$HOOK"
cat > "$CONF" <<EOF
on-action = $HOOK 'one arg' "two \\"q\\""
on-action-timeout = 2s
EOF
cat > "$SB_TMP/limit.policy" <<EOF
policy "cap-pids" {
    match cgroup "$SB_BASE/web"
    cooldown 1s
    pids max 100
}
EOF
cp "$SB_TMP/limit.policy" "$POL/10-limit.policy"

DAEMON_LOG="$SB_TMP/cgovd.log"
"$CGOVD" --foreground -v --config "$CONF" --policies "$POL" --db "$DB" \
	--interval 500ms --rescan-interval 500ms --containers "$SB_BASE/*" > "$DAEMON_LOG" 2>&1 &
DAEMON_PID=$!
wait_until 20 'grep -q "debug: tick: 2 containers" "$DAEMON_LOG"' || fail "cgovd did not start"

# env_of EVENT: the newest recorded environment of that event.
env_of() { ls -t "$OUT"/"$1".*.env 2>/dev/null | head -n 1; }
val() { sed -n "s/^$2=//p" "$1"; }

# 1. apply: the value the hook is told is the value in pids.max.
wait_until 15 'test -n "$(env_of apply)"' || fail "no apply event reached the hook"
E=$(env_of apply)
[ "$(val "$E" CGOV_EVENT)" = apply ] || fail "CGOV_EVENT: $(cat "$E")"
[ "$(val "$E" CGOV_KNOB)" = "pids max" ] || fail "CGOV_KNOB: $(val "$E" CGOV_KNOB)"
[ "$(val "$E" CGOV_NEW)" = "$(cat "$PIDS")" ] ||
	fail "CGOV_NEW $(val "$E" CGOV_NEW) but pids.max holds $(cat "$PIDS")"
[ "$(cat "$PIDS")" = 100 ] || fail "pids.max is $(cat "$PIDS"), not 100"
[ "$(val "$E" CGOV_OLD)" = max ] || fail "CGOV_OLD: $(val "$E" CGOV_OLD)"
[ "$(val "$E" CGOV_CGROUP)" = "$SB_BASE/web" ] || fail "CGOV_CGROUP: $(val "$E" CGOV_CGROUP)"
[ "$(val "$E" CGOV_POLICY)" = cap-pids ] || fail "CGOV_POLICY: $(val "$E" CGOV_POLICY)"
[ -n "$(val "$E" CGOV_CONTAINER)" ] && [ -n "$(val "$E" CGOV_RUNTIME)" ] || fail "no container or runtime"
t=$(val "$E" CGOV_TIME); now=$(date +%s%3N)
[ "$t" -gt $((now - 60000)) ] && [ "$t" -le "$now" ] || fail "CGOV_TIME $t is not a recent time in ms"
[ "$(val "$E" ARGS)" = '2|one arg|two "q"' ] || fail "arguments not split as quoted: $(val "$E" ARGS)"
pass "apply: CGOV_KNOB=pids max, CGOV_NEW=$(val "$E" CGOV_NEW) = pids.max, arguments split"

# 2. restore: a reload without the policy.
rm "$POL/10-limit.policy"
kill -HUP "$DAEMON_PID"
wait_until 15 'test -n "$(env_of restore)"' || fail "no restore event reached the hook"
E=$(env_of restore)
[ "$(val "$E" CGOV_NEW)" = max ] && [ "$(cat "$PIDS")" = max ] ||
	fail "restore: CGOV_NEW $(val "$E" CGOV_NEW), pids.max $(cat "$PIDS")"
[ "$(val "$E" CGOV_OLD)" = 100 ] || fail "restore: CGOV_OLD $(val "$E" CGOV_OLD)"
pass "restore: CGOV_OLD=100 CGOV_NEW=max, pids.max back to max"

# 3. The kernel's OOM killer in a container: the oom-kill event reaches the
# hook (kernel notifications, journaled as `oom-kill`).
M=$((1024 * 1024))
if [ "$SB_VERSION" = 1 ]; then
	echo $((32 * M)) > "$(sb_file oom memory.limit_in_bytes)" || fail "cannot set a 32M limit"
	MEMSW=$(sb_file oom memory.memsw.limit_in_bytes) && echo $((32 * M)) > "$MEMSW"
else
	echo $((32 * M)) > "$(sb_file oom memory.max)" || fail "cannot set a 32M limit"
	SWMAX=$(sb_file oom memory.swap.max) && echo 0 > "$SWMAX"
fi
[ -x "$HOG" ] || fail "no $HOG (make check builds it)"
sb_run oom "$SB_TMP/hog.out" "$HOG" mem $((96 * M))
HOGPID=$SB_LAST_PID
{ wait_until 20 'proc_exited "$HOGPID"'; } 2>/dev/null || fail "the hog survived its OOM"
wait_until 15 'test -n "$(env_of oom-kill)"' ||
	fail "no oom-kill event reached the hook: $(grep -i oom "$DAEMON_LOG" | tail -3)"
E=$(env_of oom-kill)
[ "$(val "$E" CGOV_CGROUP)" = "$SB_BASE/oom" ] || fail "oom-kill: CGOV_CGROUP $(val "$E" CGOV_CGROUP)"
[ -n "$(val "$E" CGOV_REASON)" ] && [ -z "$(val "$E" CGOV_KNOB)" ] || fail "oom-kill: $(cat "$E")"
pass "oom-kill: the hook was told ($(val "$E" CGOV_REASON))"

# 4. A hook that never ends: the ticks go on, and it is killed at 2s.
touch "$SB_TMP/hang"
ticks() { grep -c "debug: tick:" "$DAEMON_LOG"; }
cp "$SB_TMP/limit.policy" "$POL/10-limit.policy"
kill -HUP "$DAEMON_PID"
wait_until 15 'test -s "$SB_TMP/hang.pid"' || fail "the hanging hook did not start"
HP=$(cat "$SB_TMP/hang.pid")
t0=$(ticks)
wait_until 10 'test "$(ticks)" -ge $((t0 + 2))' || fail "ticks stopped while a hook ran ($(ticks) after $t0)"
kill -0 "$HP" 2>/dev/null || fail "the hook ended before the test saw ticks beside it"
pass "$(( $(ticks) - t0 )) ticks while the hook ran"
wait_until 15 'grep -q "on-action: the hook for apply (pid $HP) still ran after 2000 ms: killed" "$DAEMON_LOG"' ||
	fail "the hook was not killed at its timeout"
wait_until 5 'proc_exited "$HP"' || fail "the hook (pid $HP) outlived its timeout"
# Reaped by cgovd: no zombie of it left under cgovd.
wait_until 5 '! grep -qs "^PPid:[[:space:]]*$DAEMON_PID\$" /proc/[0-9]*/status' ||
	fail "a child of cgovd is left: $(grep -ls "^PPid:[[:space:]]*$DAEMON_PID\$" /proc/[0-9]*/status)"
rm "$SB_TMP/hang"
kill -TERM "$DAEMON_PID"; wait "$DAEMON_PID"; rc=$?; DAEMON_PID=""
[ "$rc" = 0 ] || fail "cgovd exited $rc"
pass "the hanging hook was killed after on-action-timeout and reaped"
