#!/bin/bash
# Least privilege: once started, the running cgovd holds exactly the
# capabilities cgovd(8) documents (PRIVILEGES; those the test itself holds:
# a capability missing from our bounding set cannot be kept), in its
# effective, permitted and bounding sets, none inheritable or ambient, and
# no_new_privs is set. An on-action hook gets no more. And it still governs
# what each kept capability is there for, against tenants running as
# another user (nobody): a static limit written, `match process` matching
# by the executable (CAP_SYS_PTRACE: the comm differs), the kill rung
# (CAP_KILL), and a SIGHUP reload that reads the changed policy.
. "$(dirname "$0")/../lib/sandbox.sh"
sb_init
DB="$SB_TMP/cgov.db"
POL="$SB_TMP/policies"
CONF="$SB_TMP/cgov.conf"
mkdir -p "$POL"
need setpriv
NOBODY=$(id -u nobody 2>/dev/null) || skip "no user nobody"
sb_mk box
sb_mk prog
sb_mk hog
LIMIT=$(sb_file box memory.limit_in_bytes || sb_file box memory.max) || skip "no memory controller"
PLIMIT=$(sb_file prog memory.limit_in_bytes || sb_file prog memory.max)
sb_file hog pids.current >/dev/null || skip "no pids controller"
if [ "$SB_VERSION" = 1 ]; then
	STATE=$(sb_file hog freezer.state) || skip "no freezer hierarchy"
	[ "$(cat "$STATE")" = THAWED ] || skip "the sandbox is frozen already"
fi

# The documented set, from the man page: one `.It Dv CAP_...` per kept
# capability in the Privileges section.
declare -A CAPNO=([CAP_CHOWN]=0 [CAP_DAC_OVERRIDE]=1 [CAP_DAC_READ_SEARCH]=2 [CAP_FOWNER]=3
	[CAP_KILL]=5 [CAP_SETGID]=6 [CAP_SETUID]=7 [CAP_SETPCAP]=8 [CAP_NET_BIND_SERVICE]=10
	[CAP_IPC_LOCK]=14 [CAP_SYS_PTRACE]=19 [CAP_SYS_ADMIN]=21 [CAP_SYS_NICE]=23
	[CAP_SYS_RESOURCE]=24)
DOC=$(sed -n '/^\.Ss Privileges/,/^\.Ss /{s/^\.It Dv \(CAP_[A-Z_]*\).*/\1/p}' "$CGOV_SRCDIR/man/cgovd.8")
[ -n "$DOC" ] || fail "man/cgovd.8 documents no kept capability"
doc_mask=0
for c in $DOC; do
	[ -n "${CAPNO[$c]:-}" ] || fail "$c: add its number to this test's table"
	doc_mask=$(( doc_mask | (1 << ${CAPNO[$c]}) ))
done
status_hex() { awk -v k="$1:" '$1 == k { print $2 }' "$2"; }
own_bnd=$((16#$(status_hex CapBnd /proc/self/status)))
want=$(( doc_mask & own_bnd ))
own_setpcap=$(( (own_bnd >> 8) & 1 ))

# A program whose executable's name is longer than comm's 15 bytes: comm
# is "cgovprivsleeper", the executable "cgovprivsleeper-PID"; only the
# executable matches the policy's glob. Outside $SB_TMP (0700): nobody runs it.
EXE="/tmp/cgovprivsleeper-$$"
cp "$(command -v sleep)" "$EXE" && chmod 755 "$EXE" || fail "cannot copy sleep to $EXE"
SB_FILES="$SB_FILES $EXE"

HOOK="$SB_TMP/hook.sh"
cat > "$HOOK" <<EOF
#!/bin/sh
grep -E '^(CapInh|CapPrm|CapEff|CapBnd|CapAmb|NoNewPrivs):' /proc/self/status > "$SB_TMP/hook.\$\$.tmp" &&
	mv "$SB_TMP/hook.\$\$.tmp" "$SB_TMP/hook.status"
EOF
chmod 700 "$HOOK"
cat > "$CONF" <<EOF
process-interval = 1s
on-action = $HOOK
EOF
# cooldown 1s: the reload's new limit is not held back by the 30 s default
# cooldown of the first write (the test may reach its SIGHUP sooner).
policy_box() {
	cat > "$POL/10-box.policy" <<EOF
policy "box" {
    match cgroup "$SB_BASE/box"
    cooldown 1s
    memory limit $1
}
EOF
}
policy_box 300M
cat > "$POL/20-prog.policy" <<EOF
policy "prog" {
    match cgroup "$SB_BASE/*"
    match process "cgovprivsleeper-*"
    memory limit 200M
}
policy "hog" {
    match cgroup "$SB_BASE/hog"
    allow kill
    rule "too-many" {
        when pids > 2
        do kill
    }
}
EOF
"$CGOV" policy check "$POL" > "$SB_TMP/check.out" 2>&1 || fail "the policies do not check: $(cat "$SB_TMP/check.out")"

sb_run box "$SB_TMP/box.out" setpriv --reuid="$NOBODY" --regid="$(id -g nobody)" --clear-groups -- sleep 600
sb_run prog "$SB_TMP/prog.out" setpriv --reuid="$NOBODY" --regid="$(id -g nobody)" --clear-groups -- "$EXE" 600
PROG_PID=$SB_LAST_PID
HOGS=""
for i in 1 2 3; do
	sb_run hog "$SB_TMP/hog$i.out" setpriv --reuid="$NOBODY" --regid="$(id -g nobody)" --clear-groups -- sleep 600
	HOGS="$HOGS $SB_LAST_PID"
done
wait_until 10 'test "$(cut -c1-15 /proc/$PROG_PID/comm)" = cgovprivsleeper' ||
	fail "the sleeper's comm is $(cat /proc/$PROG_PID/comm)"
[ "$(stat -c %u /proc/$PROG_PID)" = "$NOBODY" ] || fail "the sleeper does not run as nobody"

daemon_start -v --config "$CONF" --policies "$POL" --db "$DB" --interval 300ms --rescan-interval 300ms
wait_until 20 'grep -q "privileges: kept" "$DAEMON_LOG"' || fail "cgovd did not drop its privileges"
S="$SB_TMP/cgovd.status"
cp "/proc/$DAEMON_PID/status" "$S" || fail "cgovd is gone"
check_caps() {  # FILE WHO
	local eff prm bnd inh amb
	eff=$((16#$(status_hex CapEff "$1"))); prm=$((16#$(status_hex CapPrm "$1")))
	bnd=$((16#$(status_hex CapBnd "$1"))); inh=$((16#$(status_hex CapInh "$1")))
	amb=$((16#$(status_hex CapAmb "$1")))
	[ "$eff" = "$want" ] || fail "$2: CapEff $(printf %x $eff), want $(printf %x $want) ($DOC)"
	[ "$prm" = "$want" ] || fail "$2: CapPrm $(printf %x $prm), want $(printf %x $want)"
	[ "$inh" = 0 ] && [ "$amb" = 0 ] || fail "$2: CapInh $(printf %x $inh), CapAmb $(printf %x $amb)"
	[ "$own_setpcap" = 0 ] || [ "$bnd" = "$want" ] || fail "$2: CapBnd $(printf %x $bnd), want $(printf %x $want)"
	[ "$(status_hex NoNewPrivs "$1")" = 1 ] || fail "$2: no_new_privs not set"
}
check_caps "$S" cgovd
pass "cgovd keeps $(printf %x "$want") ($(echo $DOC)), bounding set the same, no_new_privs"

# It governs tenants that run as nobody.
v1max() { local v; v=$(cat "$1"); [ "$v" -ge $((1 << 60)) ] 2>/dev/null && echo max || echo "$v"; }
wait_until 20 'test "$(v1max "$LIMIT")" = $((300 << 20))' || fail "box's limit is $(cat "$LIMIT"), not 300M"
wait_until 20 'test "$(v1max "$PLIMIT")" = $((200 << 20))' ||
	fail "prog's limit is $(cat "$PLIMIT"): its task was not matched by its executable"
hogs_gone() { local p; for p in $HOGS; do proc_exited "$p" || return 1; done; }
wait_until 30 hogs_gone ||
	fail "the kill rung left tasks of nobody alive"
for p in $HOGS; do wait "$p"; rc=$?; [ "$rc" = 137 ] || fail "hog task $p exited $rc, not by SIGKILL"; done
pass "a limit written, a task matched by its executable, nobody's tasks killed"

# The hook ran with no more than cgovd holds.
wait_until 20 'test -s "$SB_TMP/hook.status"' || fail "the on-action hook did not run"
check_caps "$SB_TMP/hook.status" "the hook"

# A reload reads the changed policy and applies it.
policy_box 250M
kill -HUP "$DAEMON_PID"
wait_until 20 'grep -q "configuration reloaded" "$DAEMON_LOG"' || fail "the reload did not complete"
wait_until 20 'test "$(v1max "$LIMIT")" = $((250 << 20))' || fail "after SIGHUP box's limit is $(cat "$LIMIT"), not 250M"
check_caps "/proc/$DAEMON_PID/status" "cgovd after SIGHUP"
pass "SIGHUP reload applied a changed policy with the reduced set"
