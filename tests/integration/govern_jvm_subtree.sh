#!/bin/bash
# JVM detection over a container's whole subtree, by the executable:
#  - a JVM run as a service, in a sub-cgroup (NAME/system.slice/x.service,
#    as systemd inside an LXC container puts it), makes its container match
#    `match process "java"` and get the policy's limit and swap buffer;
#  - a task whose comm says "java" but whose executable is not (a renamed
#    sleep) matches nothing;
#  - when the JVM leaves, the policy stops matching and what it set goes
#    back: a SIGTERM inside the knob's cooldown restores it at the clean exit
#    (journaled restores), rather than leaving it to the next cgovd.
. "$(dirname "$0")/../lib/sandbox.sh"
sb_init
need java
need jq
DB="$SB_TMP/cgov.db"
POL="$SB_TMP/policies"
CONF="$SB_TMP/cgov.conf"
mkdir -p "$POL"
sb_mk app
# One level at a time: on v2 each enables the controllers in its parent.
sb_mk app/system.slice
sb_mk app/system.slice/x.service
sb_mk fake
M=$((1024 * 1024))

if [ "$SB_VERSION" = 1 ]; then
	sb_file app memory.memsw.limit_in_bytes >/dev/null || skip "no swap accounting (memsw)"
	limit() { cat "$(sb_file "$1" memory.limit_in_bytes)"; }
	swapbuf() { echo $(( $(cat "$(sb_file "$1" memory.memsw.limit_in_bytes)") - $(limit "$1") )); }
	swapfile() { cat "$(sb_file "$1" memory.memsw.limit_in_bytes)"; }
else
	sb_file app memory.swap.max >/dev/null || skip "no memory.swap.max"
	limit() { cat "$(sb_file "$1" memory.max)"; }
	swapbuf() { cat "$(sb_file "$1" memory.swap.max)"; }
	swapfile() { swapbuf "$1"; }
fi
APP_LIMIT=$(limit app)
APP_SWAP=$(swapfile app)
FAKE_LIMIT=$(limit fake)

sb_idle_java
# A long cooldown: the JVM leaves and cgovd is stopped inside it.
cat > "$POL/20-jvm.policy" <<EOF
policy "jvm" {
    match cgroup "$SB_BASE/*"
    match process "java"
    cooldown 10m
    memory limit 256M
    memory swap-buffer 128M
}
EOF
cat > "$CONF" <<EOF
jvm-swap-buffer = 64M
process-interval = 1s
EOF

sb_run app/system.slice/x.service "$SB_TMP/app.out" java -Xmx32m -Xss512k \
	-XX:TieredStopAtLevel=1 -XX:+UseSerialGC "$SB_TMP/Idle.java"
JVM_PID=$SB_LAST_PID
# comm "java", executable sleep: a task that calls itself java.
ln -s "$(command -v sleep)" "$SB_TMP/java"
sb_run fake "$SB_TMP/fake.out" "$SB_TMP/java" 600
FAKE_PID=$SB_LAST_PID
wait_until 60 'grep -q ready "$SB_TMP/app.out"' || fail "java did not start: $(cat "$SB_TMP/app.out")"
[ "$(cat /proc/$FAKE_PID/comm)" = java ] || fail "the fake's comm is $(cat /proc/$FAKE_PID/comm)"
[ -s "$(sb_file app cgroup.procs)" ] && fail "the container's own cgroup has tasks: the JVM must be below it"

DAEMON_LOG="$SB_TMP/cgovd.log"
"$CGOVD" --foreground -v --config "$CONF" --policies "$POL" --db "$DB" \
	--interval 500ms --rescan-interval 500ms --containers "$SB_BASE/*" > "$DAEMON_LOG" 2>&1 &
DAEMON_PID=$!

wait_until 20 'test "$(swapbuf app)" = $((128 * M))' || fail "app swap buffer $(swapbuf app): the JVM in app/system.slice/x.service was not seen"
[ "$(limit app)" = $((256 * M)) ] || fail "app limit $(limit app)"
pass "a JVM in a sub-cgroup: app got the 256M limit and the 128M buffer"
# Two more process reads: the fake had its chance to match.
t=$(grep -c "debug: tick:" "$DAEMON_LOG")
wait_until 15 'test "$(grep -c "debug: tick:" "$DAEMON_LOG")" -ge $((t + 6))' || fail "cgovd stopped ticking"
[ "$(limit fake)" = "$FAKE_LIMIT" ] || fail "a task renamed java (executable sleep) matched: limit $(limit fake)"
grep -q "container .*fake.*JVM runs" "$DAEMON_LOG" && fail "the renamed task was taken for a JVM"
pass "a task whose comm says java (executable sleep) is not a JVM"

# The report's JVM check reads the tasks the same way.
"$CGOV" --db "$DB" report --since 10m --format json > "$SB_TMP/r.json" || fail "cgov report failed"
jvm_of() { jq -r ".containers[] | select(.name == \"$1\") | .jvm" "$SB_TMP/r.json"; }
[ "$(jvm_of app)" = 1 ] && [ "$(jvm_of fake)" = 0 ] ||
	fail "report: jvm of app $(jvm_of app), of fake $(jvm_of fake)"
pass "the report finds the JVM in app's sub-cgroup, and none in fake"

# The JVM leaves, well inside the 10m cooldown.
kill -KILL "$JVM_PID"; wait "$JVM_PID" 2>/dev/null
wait_until 20 'grep -q "app: no JVM runs in it any more" "$DAEMON_LOG"' || fail "the JVM's exit was not seen"
t=$(grep -c "debug: tick:" "$DAEMON_LOG")
wait_until 10 'test "$(grep -c "debug: tick:" "$DAEMON_LOG")" -ge $((t + 2))' || fail "cgovd stopped ticking"
[ "$(limit app)" = $((256 * M)) ] || fail "restored inside the cooldown ($(limit app))"
kill -TERM "$DAEMON_PID"; wait "$DAEMON_PID"; rc=$?; DAEMON_PID=""
[ "$rc" = 0 ] || fail "cgovd exited $rc"
[ "$(limit app)" = "$APP_LIMIT" ] && [ "$(swapfile app)" = "$APP_SWAP" ] ||
	fail "the policy no longer matches, yet exit left limit $(limit app) / swap $(swapfile app) (originals $APP_LIMIT / $APP_SWAP)"
n=$("$CGOV" --db "$DB" actions --format json |
	jq '[.actions[] | select(.kind == "restore" and (.why // "" | test("no longer wanted")))] | length')
[ "$n" -ge 2 ] || fail "$n restore rows saying why: $("$CGOV" --db "$DB" actions)"
[ "$("$CGOV" --db "$DB" status --format json | jq '.in_force | length')" = 0 ] ||
	fail "status still shows knobs in force"
pass "the JVM left inside the cooldown: the clean exit gave limit and swap back, journaled"
