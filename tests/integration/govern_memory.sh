#!/bin/bash
# OOM avoidance on the real kernel: an allocation storm crossing 50% of its
# memory limit gets `memory high 45% of limit`. On cgroup v2 that is
# memory.high; on v1 it is the fallback: memory.soft_limit_in_bytes plus a
# CPU quota (v1-high-cpu) that slows the allocating task. Either way the
# storm is slowed, measured from the kernel's counters (memory and swap,
# and the CPU time it was given: a busy machine gives it less than a core
# before any throttle, so its pace alone says little), nothing is
# OOM-killed, and everything is restored when it ends. v1: the kernel kept
# the storm under its quota of 1/4 core and its pace under what that
# quarter core buys at the storm's own cost per byte (bytes per CPU-second
# while free); v2: the kernel reports memory.high events and the pace drops
# by at least half (memory.high throttles with reclaim and sleeps, not with
# CPU).
. "$(dirname "$0")/../lib/sandbox.sh"
sb_init
sb_policy_dir
sb_mk storm
M=$((1024 * 1024))

if [ "$SB_VERSION" = 1 ]; then
	# What the storm holds, in memory and in swap (memsw, where the
	# kernel accounts swap): under a throttle, pages go to swap, and the
	# growth goes on there.
	USAGE=$(sb_file storm memory.memsw.usage_in_bytes || sb_file storm memory.usage_in_bytes)
	usage() { cat "$USAGE"; }
	HIGH=$(sb_file storm memory.soft_limit_in_bytes)
	QUOTA=$(sb_file storm cpu.cfs_quota_us) || skip "no CPU quota"
	OOMK() { awk '$1 == "oom_kill" { print $2 }' "$(sb_file storm memory.oom_control)"; }
	high() { v=$(cat "$HIGH"); [ "$v" -ge $((1 << 62)) ] && echo max || echo "$v"; }
	CPUACCT=$(sb_file storm cpuacct.usage) || skip "no cpuacct"
	cpu_us() { echo $(( $(cat "$CPUACCT") / 1000 )); }
	HIGHEV() { echo 0; }
else
	USAGE=$(sb_file storm memory.current)
	SWAPPED=$(sb_file storm memory.swap.current)
	usage() { echo $(( $(cat "$USAGE") + $(cat "$SWAPPED" 2>/dev/null || echo 0) )); }
	HIGH=$(sb_file storm memory.high)
	QUOTA=$(sb_file storm cpu.max)
	# The throttle is measured without swap: with swap, memory.high sends
	# the excess there as fast as the device takes it (zram: about as fast
	# as the storm allocates) rather than slowing the allocation, which is
	# the kernel's choice, not cgov's (knobs.sh has a tenant live on swap).
	echo 0 > "$(sb_file storm memory.swap.max)" 2>/dev/null
	OOMK() { awk '$1 == "oom_kill" { print $2 }' "$(sb_file storm memory.events)"; }
	high() { cat "$HIGH"; }
	cpu_us() { awk '$1 == "usage_usec" { print $2 }' "$(sb_file storm cpu.stat)"; }
	HIGHEV() { awk '$1 == "high" { print $2 }' "$(sb_file storm memory.events)"; }
fi
bound=""
throttled() { awk '$1 == "nr_throttled" { print $2 }' "$(sb_file storm cpu.stat)"; }
quota() { cut -d' ' -f1 "$QUOTA"; }
ORIG_HIGH=$(high)
ORIG_QUOTA=$(quota)
[ "$ORIG_HIGH" = max ] || skip "the sandbox already has a memory high/soft limit"
OOM0=$(OOMK)

cat > "$POL/10-storm.policy" <<EOF
policy "storm" {
    match cgroup "$SB_BASE/*"
    memory limit 600M
    cooldown 1s
    rule "allocation-storm" {
        when memory > 50% of limit
        do memory high 45% of limit
        until memory < 25% of limit for 1s
    }
}
EOF
DAEMON_LOG="$SB_TMP/cgovd.log"
"$CGOVD" --foreground -v --config /dev/null --policies "$POL" --db "$DB" \
	--interval 500ms --rescan-interval 500ms --containers "$SB_BASE/*" > "$DAEMON_LOG" 2>&1 &
DAEMON_PID=$!
wait_until 15 'test "$(cat "$(sb_file storm memory.limit_in_bytes || sb_file storm memory.max)")" = $((600 * M))' ||
	fail "static memory limit not applied"

# The storm's free pace, from the kernel's counter, below the threshold.
sb_run storm "$SB_TMP/storm.out" "$HOG" grow $((500 * M))
STORM_PID=$SB_LAST_PID
wait_until 10 'grep -q ready "$SB_TMP/storm.out"' || fail "storm not ready"
u0=$(usage); t0=$(date +%s%N); c0=$(cpu_us)
wait_until 30 'test "$(usage)" -gt $((150 * M))' || fail "the storm does not grow"
u1=$(usage); t1=$(date +%s%N); c1=$(cpu_us)
free_rate=$(( (u1 - u0) * 1000 / ((t1 - t0) / 1000000) ))
# Bytes per CPU-second, free: what the storm costs the CPU (it burns 10 ms
# of its own CPU time a MiB, whatever the machine does beside it).
[ "$c1" -gt "$c0" ] || fail "the kernel counted no CPU time for the storm"
per_cpu_s=$(( (u1 - u0) * 1000000 / (c1 - c0) ))
free_milli=$(( (c1 - c0) * 1000 / ((t1 - t0) / 1000) ))

wait_until 30 'test "$(high)" = $((270 * M))' || fail "memory high not set ($(high))"
if [ "$SB_VERSION" = 1 ]; then
	want=$(( $(cat "$(sb_file storm cpu.cfs_period_us)") / 4 ))
	wait_until 5 'test "$(quota)" = "$want"' || fail "v1 fallback: CPU quota $(quota), want $want"
fi
# Its pace under the throttle, over a 3 s measurement window.
u2=$(usage); t2=$(date +%s%N); c2=$(cpu_us); n2=$(throttled); h2=$(HIGHEV)
sleep 3
u3=$(usage); t3=$(date +%s%N); c3=$(cpu_us); n3=$(throttled); h3=$(HIGHEV)
slow_rate=$(( (u3 - u2) * 1000 / ((t3 - t2) / 1000000) ))
slow_milli=$(( (c3 - c2) * 1000 / ((t3 - t2) / 1000) ))
# Still growing at the end of the window, or the pace says nothing.
[ "$slow_rate" -gt 0 ] && [ "$u3" -lt $((490 * M)) ] ||
	fail "the storm was over before its pace under the throttle was measured ($u3 bytes)"
if [ "$SB_VERSION" = 1 ]; then
	# The kernel held it to its quarter core (a fifth of slack for the
	# periods the window cuts), throttling it whenever it got that much.
	[ "$slow_milli" -le 300 ] ||
		fail "the storm used $slow_milli/1000 cores under a quota of 1/4 core"
	[ "$n3" -gt "$n2" ] || [ "$slow_milli" -lt 200 ] ||
		fail "the kernel throttled the storm in no period ($slow_milli/1000 cores)"
	# And a quarter core buys at most a quarter core's bytes (half again
	# for the noise of two short windows). An idle machine gives the free
	# storm a whole core: that is its pace cut to 3/8 or less.
	bound=$(( per_cpu_s * 375 / 1000 ))
	[ "$slow_rate" -le "$bound" ] ||
		fail "the storm grew $slow_rate bytes/s under the throttle; a quarter core buys $((per_cpu_s / 4)) (free: $free_rate bytes/s on $free_milli/1000 cores)"
else
	[ "$h3" -gt "$h2" ] || fail "the kernel reports no memory.high event in the window"
	[ "$slow_rate" -le $((free_rate / 2)) ] ||
		fail "the storm went from $free_rate to $slow_rate bytes/s: not slowed by half"
fi
kill -0 "$STORM_PID" || fail "the storm died"
[ "$(OOMK)" = "$OOM0" ] || fail "the OOM killer fired"
pass "v$SB_VERSION: storm free $((free_rate / M)) MiB/s on $free_milli/1000 cores, throttled $((slow_rate / M)) MiB/s on $slow_milli/1000 cores (${bound:+at most $((bound / M)) MiB/s, }$((per_cpu_s / M)) MiB a CPU-second), no OOM kill"

kill -KILL "$STORM_PID"; wait "$STORM_PID" 2>/dev/null
wait_until 15 'test "$(high)" = max' || fail "memory high not restored ($(high))"
wait_until 5 'test "$(quota)" = "$ORIG_QUOTA"' || fail "CPU quota not restored ($(quota))"
pass "memory high (and the v1 CPU quota) restored after the storm"
