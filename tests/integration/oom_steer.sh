#!/bin/bash
# oom_steer.sh: the shipped policies steer the OOM killer to the tenant that
# balloons without a memory limit of its own (issue 11, item 3).
#
# A parent cgroup "lxc" stands for the node slice an LXC or Docker host
# gives its containers: it has a memory limit of 512M, its children have
# none. "victim" holds 300M (touched, then asleep: a JVM's heap); "grower"
# allocates 1 MiB at a time until the parent is full. The kernel's memcg OOM
# killer picks by size. Two arms, each with fresh cgroups, checked through
# the kernel's per-cgroup oom_kill counter (memory.oom_control) and which
# pid is gone:
#  - control, no cgovd: the victim, the larger one, is killed: the scenario
#    is real;
#  - cgovd with the shipped policies (matches moved into the sandbox, as
#    shipped_policies.sh does): memory.eta of the grower counts down to the
#    parent's limit, lxc-noisy's memory-grower gives it oom_score_adj +500
#    (read in /proc before it dies; the apply row is journaled), and the
#    kernel kills the grower; the victim lives.
. "$(dirname "$0")/../lib/sandbox.sh"
sb_init
need jq
sb_policy_dir
[ "$SB_VERSION" = 1 ] || skip "written for the v1 memory controller (memory.oom_control)"
M=$((1024 * 1024))
NODE_LIMIT=$((512 * M))
VICTIM=$((300 * M))

sb_mk lxc
LIM=$(sb_file lxc memory.limit_in_bytes) || skip "no memory controller"
[ "$(cat "$(sb_file lxc memory.use_hierarchy)")" = 1 ] || skip "memory.use_hierarchy is 0 here"
avail=$(( $(awk '$1 == "MemAvailable:" { print $2 }' /proc/meminfo) * 1024 ))
[ "$avail" -gt $((3 * NODE_LIMIT)) ] || skip "the node has only $avail bytes available"
echo "$NODE_LIMIT" > "$LIM" || fail "cannot set the parent's limit"
# With swap the kernel would swap the victim out rather than kill: hold
# memory+swap to the same limit where the kernel accounts it, else skip.
if [ "$(awk '$1 == "SwapTotal:" { print $2 }' /proc/meminfo)" != 0 ]; then
	MEMSW=$(sb_file lxc memory.memsw.limit_in_bytes) || skip "swap on, without memsw accounting"
	echo "$NODE_LIMIT" > "$MEMSW" || fail "cannot set the parent's memsw limit"
fi
ORIG_ADJ=$(cat /proc/self/oom_score_adj)
[ "$ORIG_ADJ" -lt 500 ] || skip "the test's own oom_score_adj is $ORIG_ADJ"

oomk() { awk '$1 == "oom_kill" { print $2 }' "$(sb_file "lxc/$1" memory.oom_control)"; }
kills() { echo $(( $(oomk "$1") + $(oomk "$2") )); }
usage() { cat "$(sb_file lxc memory.usage_in_bytes)"; }

# arm VICTIM GROWER MIB_S: both started (the victim first, settled), their
# pids in VPID and GPID.
arm_start() {
	sb_mk "lxc/$1"
	sb_mk "lxc/$2"
	local vout="$SB_TMP/$1.out"
	sb_run "lxc/$1" "$vout" "$HOG" mem "$VICTIM"
	VPID=$SB_LAST_PID
	# (wait_until's eval sees its own $1: the name goes in a variable)
	wait_until 20 'grep -q ready "$vout"' || fail "$1 not ready: $(cat "$vout")"
	[ "$(usage)" -ge "$VICTIM" ] || fail "the parent holds only $(usage) bytes with $1 ready"
}
arm_grow() {
	sb_run "lxc/$1" "$SB_TMP/$1.out" "$HOG" pace "$2" $((2048 * M))
	GPID=$SB_LAST_PID
}
# arm_stop NAME...: kills what is left of the arm's tasks, waits, removes
# the cgroups.
arm_stop() {
	local n p
	for n in "$@"; do
		for p in $(cat "$(sb_file "lxc/$n" cgroup.procs)"); do kill -KILL "$p" 2>/dev/null; done
	done
	for n in "$@"; do
		wait_until 10 'test -z "$(cat "$(sb_file "lxc/$n" cgroup.procs)")"' || fail "lxc/$n does not empty"
	done
	for n in "$@"; do
		wait_until 10 'rm_cg "$n"' || fail "cannot remove lxc/$n"
	done
}
# rm_cg NAME: removes lxc/NAME in every hierarchy (a memcg may take a
# moment to let go of its last charges); 1 while one is left.
rm_cg() {
	local mnt
	for mnt in $SB_MOUNTS; do
		[ ! -d "$mnt$SB_BASE/lxc/$1" ] || rmdir "$mnt$SB_BASE/lxc/$1" 2>/dev/null || return 1
	done
}

# --- control: no governor -------------------------------------------------
arm_start victim-a grower-a
arm_grow grower-a 50
wait_until 60 'test "$(kills victim-a grower-a)" -ge 1' ||
	fail "control: no OOM kill in 60 s (parent at $(usage) bytes)"
CV=$(oomk victim-a)
CG=$(oomk grower-a)
proc_exited "$VPID" && v_gone=1 || v_gone=0
proc_exited "$GPID" && g_gone=1 || g_gone=0
echo "control: oom_kill victim $CV grower $CG; victim gone $v_gone, grower gone $g_gone"
[ "$CV" = 1 ] && [ "$CG" = 0 ] && [ "$v_gone" = 1 ] && [ "$g_gone" = 0 ] ||
	fail "control: the kernel did not kill the larger victim (oom_kill victim $CV grower $CG; gone $v_gone/$g_gone)"
arm_stop victim-a grower-a
pass "control: without cgovd the kernel killed the 300M victim, not the grower (oom_kill 1 / 0)"

# --- cgovd with the shipped policies ---------------------------------------
for f in "$CGOV_SRCDIR"/policies/*.policy; do
	sed -e "s|match runtime lxc|match cgroup \"$SB_BASE/lxc/*\"|" \
	    -e "s|\"/lxc/|\"$SB_BASE/lxc/|g" -e "s|\"/lxc.payload.|\"$SB_BASE/lxc.payload.|g" \
	    "$f" > "$POL/$(basename "$f")"
done
"$CGOV" policy check "$POL" > "$SB_TMP/check.out" 2>&1 ||
	fail "the adapted policies do not check: $(cat "$SB_TMP/check.out")"
grep -q 'rule "memory-grower"' "$POL/10-lxc-noisy.policy" || fail "10-lxc-noisy.policy has no memory-grower rule"

arm_start victim-b grower-b
DAEMON_LOG="$SB_TMP/cgovd.log"
"$CGOVD" --foreground -v --config /dev/null --policies "$POL" --db "$DB" \
	--interval 500ms --rescan-interval 500ms --containers "$SB_BASE/lxc/*" > "$DAEMON_LOG" 2>&1 &
DAEMON_PID=$!
# The victim was settled before cgovd saw it: its start-up touch is no
# growth. The grower starts once cgovd samples the victim.
wait_until 20 'grep -q "victim-b" "$DAEMON_LOG"' || fail "cgovd does not see the victim"
arm_grow grower-b 10
T_GROW=$(date +%s.%N)
# Poll: the grower's oom_score_adj (read while it lives) until a kill.
ADJ_SEEN=""
watch_adj() {
	local a
	a=$(cat "/proc/$GPID/oom_score_adj" 2>/dev/null) && [ "$a" = 500 ] && [ -z "$ADJ_SEEN" ] &&
		ADJ_SEEN=500 && T_ADJ=$(date +%s.%N)
	[ "$(kills victim-b grower-b)" -ge 1 ]
}
# wait_until evaluates in this shell: ADJ_SEEN survives.
wait_until 120 watch_adj || fail "no OOM kill in 120 s (parent at $(usage) bytes, grower adj $(cat "/proc/$GPID/oom_score_adj" 2>/dev/null))"
GV=$(oomk victim-b)
GG=$(oomk grower-b)
proc_exited "$VPID" && v_gone=1 || v_gone=0
proc_exited "$GPID" && g_gone=1 || g_gone=0
T_KILL=$(date +%s.%N)
echo "cgovd: oom_kill victim $GV grower $GG; victim gone $v_gone, grower gone $g_gone; grower's oom_score_adj seen: ${ADJ_SEEN:-never 500}"
[ "$ADJ_SEEN" = 500 ] || fail "the grower's oom_score_adj never read 500 before the kill"
awk -v g="$T_GROW" -v a="$T_ADJ" -v k="$T_KILL" 'BEGIN {
	printf "cgovd: the grower started at 0 s, read +500 at %.1f s, was killed by %.1f s\n", a - g, k - g }'
[ "$GG" = 1 ] && [ "$GV" = 0 ] && [ "$g_gone" = 1 ] && [ "$v_gone" = 0 ] ||
	fail "cgovd: the kernel did not kill the grower (oom_kill victim $GV grower $GG; gone $v_gone/$g_gone)"
[ "$(cat "/proc/$VPID/oom_score_adj")" = "$ORIG_ADJ" ] || fail "the victim's oom_score_adj changed"
pass "cgovd: the grower read oom_score_adj 500 and was killed (oom_kill 1), the victim lives (oom_kill 0)"

rows() {
	"$CGOV" --db "$DB" actions --container "$SB_BASE/lxc/grower-b" --format json |
		jq '[.actions[] | select(.knob == "oom-score-adj" and .kind == "apply" and
			.policy == "lxc-noisy" and .rule == "memory-grower")] | length'
}
wait_until 10 'test "$(rows)" -ge 1' || fail "no apply row: $("$CGOV" --db "$DB" actions)"
"$CGOV" --db "$DB" actions --container "$SB_BASE/lxc/victim-b" --format json |
	jq -e '[.actions[] | select(.knob == "oom-score-adj")] | length == 0' >/dev/null ||
	fail "the victim was steered: $("$CGOV" --db "$DB" actions)"
pass "journal: lxc-noisy/memory-grower applied oom-score-adj to the grower, nothing to the victim"
arm_stop victim-b grower-b
