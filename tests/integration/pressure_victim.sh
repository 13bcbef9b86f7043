#!/bin/bash
# Integration: a victim's pressure.cpu rises when a CPU hog starts beside it.
#
# On cgroup v1 pressure.cpu is derived from the run-queue wait of the
# container's threads (/proc/TID/schedstat, v1press.h); on v2 it is the
# cgroup's own PSI. Either way it must follow what the kernel says the
# victim's thread waited. The victim spins in a sub-cgroup (the walk covers
# the subtree) beside an idle task in another; the hog spins in its own
# container. Both spinners are pinned to the same CPU, so the hog takes run
# time from the victim whatever else loads the machine. The figures are
# compared with the victim thread's own schedstat over the same windows,
# never with fixed wall-clock thresholds. A tenant thrashing its page cache
# must show memory pressure above the victim's, and I/O pressure must be
# known or unknown as the host allows (v1: only with CFQ/BFQ wait
# counters), never a made-up 0.
. "$(dirname "$0")/../lib/sandbox.sh"
need jq
need taskset
sb_init
DB="$SB_TMP/cgov.db"
[ -r /proc/self/schedstat ] || skip "the kernel keeps no schedstat (CONFIG_SCHED_INFO)"
# The first CPU this test may run on.
CPU=$(taskset -cp $$ | sed 's/.*: *//; s/[,-].*//')
[ -n "$CPU" ] || skip "cannot tell which CPU to pin to"

sb_mk victim
sb_mk victim/work
sb_mk victim/idle
sb_mk hog
# The hog's tenant weighs 8 times the victim's, so that once it runs the
# victim's thread waits most of the time even on a machine whose other load
# already keeps it waiting. Not more: a thread that gets the CPU too rarely
# adds its wait to schedstat in big late lumps (the kernel counts a wait
# when it ends), and the windows below would cut them.
if f=$(sb_file hog cpu.shares); then echo 8192 > "$f"
else echo 800 > "$(sb_file hog cpu.weight)"; fi || fail "cannot weigh the hog"
sb_run victim/idle "$SB_TMP/idle.out" sleep 600
sb_run victim/work "$SB_TMP/victim.out" taskset -c "$CPU" "$HOG" spin
VICTIM_PID=$SB_LAST_PID
wait_until 10 'grep -q ready "$SB_TMP/victim.out"' || fail "victim never got ready"

daemon_start --db "$DB" --interval 500ms --rescan-interval 500ms
VPATH=$(sb_path victim)
wait_until 20 'test -n "$(db_q "select id from container where path = '"'$VPATH'"'")"' ||
	fail "cgovd did not register the victim"
CID=$(db_q "select id from container where path = '$VPATH'")

# The victim thread's run-queue wait so far (ns), as the kernel keeps it.
kern_wait() { cut -d' ' -f2 "/proc/$VICTIM_PID/schedstat"; }
now_ms() { date +%s%3N; }

# window NAME: over at least 10 ticks that lie wholly after its start, sets
# NAME_kern (the kernel's wait as % of the window) and NAME_db (cgovd's
# stored pressure.cpu over those ticks, % of their time), both per mille.
window() {
	local w0 t0 w1 t1 q
	w0=$(kern_wait); t0=$(now_ms)
	wait_until 30 'test "$(db_q "select count(*) from tick where ts_ms - dt_ms >= '"$t0"'")" -ge 10' ||
		fail "$1: ticks stopped"
	w1=$(kern_wait); t1=$(now_ms)
	eval "${1}_kern=$(( (w1 - w0) / ((t1 - t0) * 1000) ))"
	q="select cast(sum(psi_cpu_us) / sum(dt_ms) as integer) from sample_v
	   where cid = $CID and ts_ms - dt_ms >= $t0 and ts_ms <= $t1 and psi_cpu_us is not null"
	eval "${1}_db=$(db_q "$q")"
	eval "[ -n \"\$${1}_db\" ]" || fail "$1: no pressure.cpu stored for the victim (unknown)"
	eval "echo \"$1: kernel says the victim waited \$${1}_kern, cgovd stored \$${1}_db (per mille)\""
}

window quiet

sb_run hog "$SB_TMP/hog.out" taskset -c "$CPU" "$HOG" spin
wait_until 10 'grep -q ready "$SB_TMP/hog.out"' || fail "hog never got ready"
window busy
kill -0 "$DAEMON_PID" 2>/dev/null || fail "cgovd died"

# The hog on the same CPU must have made the victim wait more: the kernel's
# own figure says so, or the setup is broken (not the code under test).
rise_kern=$((busy_kern - quiet_kern))
if [ "$rise_kern" -lt 50 ]; then
	[ "$quiet_kern" -ge 850 ] &&
		skip "the victim waited $quiet_kern per mille before the hog: no room to rise on this load"
	fail "the kernel shows no contention: wait $quiet_kern -> $busy_kern per mille"
fi
# cgovd's figure follows the kernel's, in both windows: within 10 points or
# a third of it (the windows differ by up to a tick at each end).
close_to() {
	local d=$(($1 - $2)) tol=$(($2 / 3))
	d=${d#-}
	[ "$tol" -ge 100 ] || tol=100
	[ "$d" -le "$tol" ]
}
close_to "$quiet_db" "$quiet_kern" ||
	fail "pressure.cpu $quiet_db per mille before the hog, the kernel's wait is $quiet_kern"
close_to "$busy_db" "$busy_kern" ||
	fail "pressure.cpu $busy_db per mille beside the hog, the kernel's wait is $busy_kern"
rise_db=$((busy_db - quiet_db))
[ $((rise_db * 2)) -ge "$rise_kern" ] ||
	fail "pressure.cpu rose by $rise_db per mille, the kernel's wait by $rise_kern"

# cgov top shows it, and ranks by it in the PSI% column (v1: derived).
top_v=$("$CGOV" --db "$DB" top --format json --since 2s |
	jq -r '.containers[] | select(.name == "victim") | "\(.psi_cpu_pct) \(.pressure_pct)"')
case "$top_v" in
"" | *null*) fail "cgov top shows no pressure for the victim: $top_v" ;;
esac
# The policy language sees it (one rule for both versions): a rule on
# pressure.cpu at half of what the busy window stored, replayed on the
# stored history, fires on the victim.
mkdir -p "$SB_TMP/pol"
cat > "$SB_TMP/pol/victim.policy" <<EOF
policy "victims" {
    match cgroup "$VPATH"
    rule "waits" {
        when pressure.cpu > $((busy_db / 20))% for 1s
        do cpu shares 2048
    }
}
EOF
"$CGOV" --db "$DB" policy simulate --policies "$SB_TMP/pol" --since 1h \
	--cgroup-version "$SB_VERSION" --format json > "$SB_TMP/sim.json" 2> "$SB_TMP/sim.err" ||
	fail "policy simulate: $(cat "$SB_TMP/sim.err")"
fired=$(jq '[.firings[] | select(.name == "victim" and .rule == "waits")] | length' "$SB_TMP/sim.json")
[ "$fired" -ge 1 ] || fail "a rule on pressure.cpu > $((busy_db / 20))% never fired on the victim"
# ... and so does cgov history, from the same stored ticks.
hist=$("$CGOV" --db "$DB" history "$VPATH" --metric pressure.cpu --since 10s --format json |
	jq '[.points[].avg | select(. != null)] | max // 0')
awk -v v="$hist" 'BEGIN { exit !(v > 0) }' || fail "cgov history shows no pressure.cpu for the victim"

# Memory: the level notifications or refaults on v1, PSI on v2: known.
last() { db_q "select $1 from sample_v where cid = $CID order by tick desc limit 1"; }
[ -n "$(last psi_mem_us)" ] || fail "pressure.memory unknown for the victim"
# A tenant re-reading a file three times its memory limit thrashes: the
# kernel counts refaults (v1 total_, v2 plain memory.stat keys), and its
# pressure.memory must rise above the unlimited victim's. The file is
# written from inside the cgroup, so its page cache is charged there.
MEM_MB=16
if DIR=$(block_dir); then
	sb_mk thrash
	if f=$(sb_file thrash memory.limit_in_bytes); then echo $((MEM_MB << 20)) > "$f"
	else echo $((MEM_MB << 20)) > "$(sb_file thrash memory.max)"; fi ||
		fail "cannot limit the thrasher's memory"
	TFILE="$DIR/cgov-test-thrash.$$"
	SB_FILES="$SB_FILES $TFILE"
	sb_run thrash "$SB_TMP/thrash.out" sh -c 'dd if=/dev/zero of="$1" bs=1M count="$2" status=none &&
		echo ready && while :; do cat "$1" > /dev/null; done' sh "$TFILE" $((MEM_MB * 3))
	wait_until 30 'grep -q ready "$SB_TMP/thrash.out"' || fail "thrasher never got ready"
	TPATH=$(sb_path thrash)
	wait_until 20 'test -n "$(db_q "select id from container where path = '"'$TPATH'"'")"' ||
		fail "cgovd did not register the thrasher"
	TCID=$(db_q "select id from container where path = '$TPATH'")
	refaults() { awk '$1 ~ /^(total_)?workingset_refault(_file|_anon)?$/ { s += $2 } END { print s + 0 }' \
		"$(sb_file thrash memory.stat)"; }
	r0=$(refaults); t0=$(now_ms)
	wait_until 30 'test "$(db_q "select count(*) from tick where ts_ms - dt_ms >= '"$t0"'")" -ge 6' ||
		fail "thrash: ticks stopped"
	r1=$(refaults); t1=$(now_ms)
	[ $((r1 - r0)) -ge 1000 ] || skip "the thrasher made only $((r1 - r0)) refaults: no thrashing here"
	mem_q() { db_q "select coalesce(cast(sum(psi_mem_us) / sum(dt_ms) as integer), -1) from sample_v
		where cid = $1 and ts_ms - dt_ms >= $t0 and ts_ms <= $t1 and psi_mem_us is not null"; }
	thrash_mem=$(mem_q "$TCID"); victim_mem=$(mem_q "$CID")
	echo "thrash: $((r1 - r0)) refaults in $((t1 - t0)) ms; pressure.memory $thrash_mem per mille (victim $victim_mem)"
	[ "$thrash_mem" -gt 0 ] && [ "$thrash_mem" -gt "$victim_mem" ] ||
		fail "pressure.memory $thrash_mem per mille for a thrasher, $victim_mem for the victim"
else
	echo "note: $TEST_NAME: no block device to thrash a page cache on: memory rise not exercised"
fi
# I/O: v2 PSI is known; v1 only where CFQ or BFQ keep the queue wait.
io_known=1
if [ "$SB_VERSION" = 1 ]; then
	io_known=0
	for f in blkio.io_wait_time_recursive blkio.bfq.io_wait_time_recursive; do
		sb_file victim "$f" >/dev/null && io_known=1
	done
fi
# One query for both counts: cgovd keeps storing ticks meanwhile.
read -r io_nulls io_rows <<EOF_Q
$(db_q "select sum(psi_io_us is null) || ' ' || count(*) from sample_v where cid = $CID and
	tick > (select min(tick) from sample_v where cid = $CID)")
EOF_Q
if [ "$io_known" = 1 ]; then
	[ "$io_nulls" = 0 ] || fail "pressure.io unknown in $io_nulls of $io_rows ticks"
else
	[ "$io_nulls" = "$io_rows" ] || fail "pressure.io stored where the host keeps no I/O wait"
	top_io=$("$CGOV" --db "$DB" top --format json --since 2s |
		jq -r '.containers[] | select(.name == "victim") | .psi_io_pct')
	[ "$top_io" = null ] || fail "cgov top shows pressure.io $top_io, which the host cannot know"
fi
pass "pressure.cpu $quiet_db -> $busy_db per mille as the kernel's wait went $quiet_kern -> $busy_kern; io known: $io_known"
