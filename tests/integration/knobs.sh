#!/bin/bash
# Every static knob on the real kernel: one policy sets them all on one
# container; each is read back from the file of this host's cgroup version
# (v1: memory.limit_in_bytes, memory.soft_limit_in_bytes, memsw, cpu.shares,
# cpu.cfs_quota_us, blkio.throttle.*, pids.max; v2: memory.max, memory.high,
# memory.swap.max, cpu.weight, cpu.max, io.max, pids.max), the kernel
# enforces the CPU quota, the task limit and, where the host has swap, the
# swap buffer; a neighbour is untouched; a reload that drops the policy
# puts every original value back.
. "$(dirname "$0")/../lib/sandbox.sh"
sb_init
need jq
need python3
sb_policy_dir
sb_mk box
sb_mk plain
M=$((1024 * 1024))

# The disk under a block-device directory, for the io knobs (skipped, and
# said so, where there is none).
DISKDEV=""
if DIR=$(block_dir); then
	read -r DISK DISKDEV <<EOF
$(disk_of "$DIR")
EOF
fi

# knob NAME CONTAINER: the knob's value as the kernel shows it, in the
# policy's units (bytes, v1 shares, microseconds of quota per period, ops).
if [ "$SB_VERSION" = 1 ]; then
	v1max() { v=$(cat "$1") || return 1; [ "$v" -ge $((1 << 62)) ] && echo max || echo "$v"; }
	knob() {
		case $1 in
		limit) v1max "$(sb_file "$2" memory.limit_in_bytes)" ;;
		high) v1max "$(sb_file "$2" memory.soft_limit_in_bytes)" ;;
		swap) sw=$(v1max "$(sb_file "$2" memory.memsw.limit_in_bytes)") || return 1
			[ "$sw" = max ] && echo max || echo $((sw - $(knob limit "$2"))) ;;
		shares) cat "$(sb_file "$2" cpu.shares)" ;;
		quota) q=$(cat "$(sb_file "$2" cpu.cfs_quota_us)"); [ "$q" = -1 ] && echo max || echo "$q" ;;
		period) cat "$(sb_file "$2" cpu.cfs_period_us)" ;;
		rbps|wbps|riops|wiops)
			f=$(case $1 in rbps) echo read_bps ;; wbps) echo write_bps ;;
				riops) echo read_iops ;; wiops) echo write_iops ;; esac)
			awk -v d="$DISKDEV" '$1 == d { print $2 }' "$(sb_file "$2" "blkio.throttle.${f}_device")" ;;
		pids) cat "$(sb_file "$2" pids.max)" ;;
		esac
	}
	SWAPFILE=memory.memsw.limit_in_bytes
	WANT_SHARES=3072        # cpu weight 300 on the v1 scale (x 1024 / 100)
else
	knob() {
		case $1 in
		limit) cat "$(sb_file "$2" memory.max)" ;;
		high) cat "$(sb_file "$2" memory.high)" ;;
		swap) cat "$(sb_file "$2" memory.swap.max)" ;;
		shares) cat "$(sb_file "$2" cpu.weight)" ;;
		quota) cut -d' ' -f1 "$(sb_file "$2" cpu.max)" ;;
		period) cut -d' ' -f2 "$(sb_file "$2" cpu.max)" ;;
		rbps|wbps|riops|wiops) awk -v d="$DISKDEV" -v k="$1" '$1 == d { for (i = 2; i <= NF; i++)
			if (index($i, k "=") == 1) print substr($i, length(k) + 2) }' "$(sb_file "$2" io.max)" ;;
		pids) cat "$(sb_file "$2" pids.max)" ;;
		esac
	}
	SWAPFILE=memory.swap.max
	WANT_SHARES=300
fi
KNOBS="limit high shares quota pids"
HAVE_SWAP=""
sb_file box "$SWAPFILE" >/dev/null && HAVE_SWAP=1 && KNOBS="$KNOBS swap"
[ -n "$DISKDEV" ] && KNOBS="$KNOBS rbps wbps riops wiops"
declare -A ORIG PLAIN
for k in $KNOBS; do
	ORIG[$k]=$(knob "$k" box) || fail "cannot read $k of box"
	PLAIN[$k]=$(knob "$k" plain)
done
[ "${ORIG[limit]}" = max ] && [ "${ORIG[quota]}" = max ] && [ "${ORIG[pids]}" = max ] ||
	skip "the sandbox already has limits (memory ${ORIG[limit]}, quota ${ORIG[quota]}, pids ${ORIG[pids]})"
PERIOD=$(knob period box)

{
	echo 'policy "knobs" {'
	echo "    match cgroup \"$SB_BASE/box\""
	echo '    memory limit 300M'
	echo '    memory high 250M'
	[ -n "$HAVE_SWAP" ] && echo '    memory swap-buffer 100M'
	echo '    cpu weight 300'
	echo '    cpu quota 0.5 cores'
	if [ -n "$DISKDEV" ]; then
		echo "    io read-limit \"$DISKDEV\" 30M/s"
		echo "    io write-limit \"$DISKDEV\" 20M/s"
		echo "    io read-iops \"$DISKDEV\" 300/s"
		echo "    io write-iops \"$DISKDEV\" 200/s"
	fi
	echo '    pids max 123'
	echo '}'
} > "$POL/10-knobs.policy"
"$CGOV" policy check "$POL" > "$SB_TMP/check.out" 2>&1 || fail "the policy does not check: $(cat "$SB_TMP/check.out")"

declare -A WANT=([limit]=$((300 * M)) [high]=$((250 * M)) [swap]=$((100 * M))
	[shares]=$WANT_SHARES [quota]=$((PERIOD / 2)) [pids]=123
	[rbps]=$((30 * M)) [wbps]=$((20 * M)) [riops]=300 [wiops]=200)
all_set() {
	local k
	for k in $KNOBS; do [ "$(knob "$k" box)" = "${WANT[$k]}" ] || return 1; done
}
DAEMON_LOG="$SB_TMP/cgovd.log"
"$CGOVD" --foreground -v --config /dev/null --policies "$POL" --db "$DB" \
	--interval 500ms --rescan-interval 500ms --containers "$SB_BASE/*" > "$DAEMON_LOG" 2>&1 &
DAEMON_PID=$!
wait_until 20 all_set || {
	for k in $KNOBS; do echo "$k: $(knob "$k" box), want ${WANT[$k]}"; done
	fail "not every knob was written"
}
for k in $KNOBS; do
	[ "$(knob "$k" plain)" = "${PLAIN[$k]}" ] || fail "the neighbour's $k changed to $(knob "$k" plain)"
done
napply=$("$CGOV" --db "$DB" actions --format json | jq '[.actions[] | select(.kind == "apply")] | length')
[ "$napply" = "$(echo $KNOBS | wc -w)" ] || fail "$napply apply rows for $(echo $KNOBS | wc -w) knobs"
pass "v$SB_VERSION: written and read back: $(for k in $KNOBS; do printf '%s=%s ' "$k" "$(knob "$k" box)"; done)"

# The kernel enforces them. CPU: a spinner under 0.5 cores, from the
# kernel's own usage counter over a 3 s measurement window.
if [ "$SB_VERSION" = 1 ]; then
	cpu_us() { echo $(( $(cat "$(sb_file box cpuacct.usage)") / 1000 )); }
else
	cpu_us() { awk '$1 == "usage_usec" { print $2 }' "$(sb_file box cpu.stat)"; }
fi
sb_run box "$SB_TMP/spin.out" "$HOG" spin
SPIN_PID=$SB_LAST_PID
wait_until 10 'grep -q ready "$SB_TMP/spin.out"' || fail "spinner not ready"
c0=$(cpu_us); t0=$(date +%s%N)
sleep 3
c1=$(cpu_us); t1=$(date +%s%N)
kill -KILL "$SPIN_PID"; wait "$SPIN_PID" 2>/dev/null
milli=$(( (c1 - c0) * 1000 / ((t1 - t0) / 1000) ))   # thousandths of a core
# At most the quota (and a little for the window's edges); more than 0, so
# the spinner ran. No lower bound near the quota: on a busy machine the
# spinner may get less than the quota allows.
[ "$milli" -le 600 ] && [ "$milli" -gt 0 ] || fail "the spinner used $milli/1000 cores under a 0.5-core quota"

# Tasks: 200 sleepers asked for, 123 tasks at most: fork fails beyond
# (python, because bash retries a refused fork for minutes).
sb_run box "$SB_TMP/fork.out" python3 -c '
import os, signal
n = 0
for i in range(200):
    try:
        pid = os.fork()
    except OSError:
        continue
    if pid == 0:
        os.execv("/bin/sleep", ["sleep", "600"])
    n += 1
print("started", n, flush=True)
signal.pause()
'
FORK_PID=$SB_LAST_PID
PIDS_CUR=$(sb_file box pids.current)
wait_until 60 'grep -q started "$SB_TMP/fork.out"' || fail "the forking task did not finish: $(tail -n 3 "$SB_TMP/fork.out")"
npids=$(cat "$PIDS_CUR")
[ "$npids" = 123 ] || fail "pids.current $npids under pids max 123 ($(cat "$SB_TMP/fork.out"))"
EVENTS=$(sb_file box pids.events) && { grep -q "^max [1-9]" "$EVENTS" ||
	fail "pids.events counts no refused fork: $(cat "$EVENTS")"; }
kill -KILL "$FORK_PID"; wait "$FORK_PID" 2>/dev/null
for p in $(cat "$(sb_file box cgroup.procs)"); do kill -KILL "$p" 2>/dev/null; done
wait_until 20 'test "$(cat "$PIDS_CUR")" = 0' || fail "the sleepers did not go"

# Swap: a task holding 320M under a 300M limit lives on the buffer (100M)
# where the host has swap; the kernel's swap counter says it swapped.
swap_note="no swap on this host: the buffer was written, not used"
if [ -n "$HAVE_SWAP" ] && [ "$(awk 'NR > 1' /proc/swaps | wc -l)" -gt 0 ]; then
	if [ "$SB_VERSION" = 1 ]; then
		swapped() { echo $(( $(cat "$(sb_file box memory.memsw.usage_in_bytes)") -
			$(cat "$(sb_file box memory.usage_in_bytes)") )); }
		OOMK() { awk '$1 == "oom_kill" { print $2 + 0 }' "$(sb_file box memory.oom_control)"; }
	else
		swapped() { cat "$(sb_file box memory.swap.current)"; }
		OOMK() { awk '$1 == "oom_kill" { print $2 }' "$(sb_file box memory.events)"; }
	fi
	oom0=$(OOMK)
	sb_run box "$SB_TMP/mem.out" "$HOG" mem $((320 * M))
	MEM_PID=$SB_LAST_PID
	wait_until 120 'grep -q ready "$SB_TMP/mem.out"' ||
		fail "320M under a 300M limit with a 100M buffer: $(cat "$SB_TMP/mem.out"), swapped $(swapped)"
	kill -0 "$MEM_PID" || fail "the holder died"
	[ "$(OOMK)" = "$oom0" ] || fail "the OOM killer fired"
	sw=$(swapped)
	[ "$sw" -ge $((20 * M)) ] && [ "$sw" -le $((100 * M)) ] || fail "$sw bytes swapped, want 20M to 100M"
	kill -KILL "$MEM_PID"; wait "$MEM_PID" 2>/dev/null
	swap_note="320M held on a 300M limit with $((sw / M))M in swap"
fi
pass "enforced: $milli/1000 cores under a 0.5-core quota, $npids tasks under pids max 123, $swap_note"

# A reload without the policy: every original value is back.
mv "$POL/10-knobs.policy" "$SB_TMP/"
kill -HUP "$DAEMON_PID"
orig_back() {
	local k
	for k in $KNOBS; do [ "$(knob "$k" box)" = "${ORIG[$k]}" ] || return 1; done
}
wait_until 20 orig_back || {
	for k in $KNOBS; do echo "$k: $(knob "$k" box), was ${ORIG[$k]}"; done
	fail "dropping the policy did not restore every knob"
}
kill -TERM "$DAEMON_PID"; wait "$DAEMON_PID"; rc=$?; DAEMON_PID=""
[ "$rc" = 0 ] || fail "cgovd exited $rc"
grep -iE "error|sanitizer" "$DAEMON_LOG" && fail "cgovd logged errors"
pass "a reload that dropped the policy restored all $(echo $KNOBS | wc -w) knobs"
