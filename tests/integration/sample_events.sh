#!/bin/bash
# Sampling what the kernel counts as events and stalls: an OOM kill
# (v2 memory.events, v1 memory.oom_control) and, on v2, the pressure (PSI)
# of CPU, memory and I/O of containers made to stall on each (cpu.pressure,
# memory.pressure, io.pressure). cgovd's stored deltas must add up to the
# kernel's own totals. v1 has no per-cgroup pressure: that part is skipped
# there, and said so.
. "$(dirname "$0")/../lib/sandbox.sh"
sb_init
need jq
DB="$SB_TMP/cgov.db"
M=$((1024 * 1024))
sb_mk oomy
PSI=""
if [ "$SB_VERSION" = 2 ]; then
	sb_file oomy cpu.pressure >/dev/null && PSI=1
	OOMK() { awk '$1 == "oom_kill" { print $2 }' "$(sb_file oomy memory.events)"; }
	echo $((40 * M)) > "$(sb_file oomy memory.max)" || fail "cannot limit oomy"
	# No swap for it: over its limit it meets the OOM killer.
	echo 0 > "$(sb_file oomy memory.swap.max)" 2>/dev/null
else
	OOMK() { awk '$1 == "oom_kill" { print $2 }' "$(sb_file oomy memory.oom_control)"; }
	echo $((40 * M)) > "$(sb_file oomy memory.limit_in_bytes)" || fail "cannot limit oomy"
	MEMSW=$(sb_file oomy memory.memsw.limit_in_bytes) && echo $((40 * M)) > "$MEMSW"
fi
[ -n "$(OOMK)" ] || skip "this kernel counts no OOM kills per cgroup"

if [ -n "$PSI" ]; then
	# cpu: two spinning threads under a 0.2-core quota. memory: 64M
	# wanted under memory.high 24M without swap, so the kernel throttles
	# the allocation. io: a direct-I/O flood under a 2M/s write limit.
	sb_mk cpu
	sb_mk mem
	echo "20000 100000" > "$(sb_file cpu cpu.max)"
	echo $((24 * M)) > "$(sb_file mem memory.high)"
	echo 0 > "$(sb_file mem memory.swap.max)" 2>/dev/null
	DIR=$(block_dir) && read -r DISK DISKDEV <<EOF
$(disk_of "$DIR")
EOF
	if [ -n "${DISKDEV:-}" ]; then
		sb_mk io
		echo "$DISKDEV wbps=$((2 * M))" > "$(sb_file io io.max)" || fail "cannot limit io on $DISKDEV"
	fi
	psi_total() { awk '$1 == "some" { for (i = 2; i <= NF; i++) if ($i ~ /^total=/) {
		sub("total=", "", $i); print $i } }' "$(sb_file "$1" "$2.pressure")"; }
fi

daemon_start --config /dev/null --db "$DB" --interval 500ms --rescan-interval 500ms
wait_until 20 'test "$(db_q "select count(*) from tick")" -ge 2' || fail "no ticks stored"
cid() { db_q "select id from container where path = '$(sb_path "$1")'"; }
# The loads start after cgovd's first ticks, so every stall falls in ticks
# it stored (the first sample of a container has no delta).
wait_until 20 'test -n "$(cid oomy)"' || fail "oomy not registered"

OOM0=$(OOMK)
sb_run oomy "$SB_TMP/oomy.out" "$HOG" mem $((100 * M))
OOMY_PID=$SB_LAST_PID
wait_until 60 'proc_exited "$OOMY_PID"' || fail "100M under a 40M limit did not die"
wait "$OOMY_PID"; rc=$?
[ "$rc" = 137 ] || fail "the holder exited $rc, not killed"
[ "$(OOMK)" = $((OOM0 + 1)) ] || fail "the kernel counts $(OOMK) OOM kills, want $((OOM0 + 1))"
wait_until 20 'test "$(db_q "select coalesce(sum(oom_kill), 0) from sample_v where cid = $(cid oomy)")" = 1' ||
	fail "cgov stored $(db_q "select sum(oom_kill) from sample_v where cid = $(cid oomy)") OOM kills, the kernel counted 1"
if [ "$SB_VERSION" = 2 ]; then
	# memory.events "oom": the limit was hit and reclaim failed, at least once.
	wait_until 10 'test "$(db_q "select coalesce(sum(oom), 0) from sample_v where cid = $(cid oomy)")" -ge 1' ||
		fail "cgov stored no OOM event"
fi
pass "v$SB_VERSION: an OOM kill, counted by the kernel and by cgov"
[ -n "$PSI" ] || { pass "no per-cgroup pressure on cgroup v$SB_VERSION: PSI checks skipped"; exit 0; }

# --- pressure (v2) --------------------------------------------------------------
wait_until 20 'test -n "$(cid cpu)" && test -n "$(cid mem)"' || fail "cpu, mem not registered"
STALLS="cpu:cpu mem:memory"
sb_run cpu "$SB_TMP/cpu.out" "$HOG" count 2 600000
sb_run mem "$SB_TMP/mem.out" "$HOG" mem $((64 * M))
if [ -n "${DISKDEV:-}" ]; then
	STALLS="$STALLS io:io"
	SB_FILES="$SB_FILES $DIR/cgov-psi.$$"
	sb_run io "$SB_TMP/io.out" "$HOG" flood "$DIR/cgov-psi.$$"
fi
# Each container stalls for at least 2 s of "some" time, as the kernel
# counts it (polled: an emulated machine gets there slowly).
for s in $STALLS; do
	c=${s%%:*} f=${s#*:}
	wait_until 60 'test "$(psi_total '"$c $f"')" -ge 2000000' ||
		fail "$c: $f.pressure some total only $(psi_total "$c" "$f") us"
done
# Stop the loads, let two ticks see the last of it, then compare.
for pid in $SB_PIDS; do kill -KILL "$pid" 2>/dev/null; done
t0=$(db_q 'select max(id) from tick')
wait_until 20 'test "$(db_q "select max(id) from tick")" -ge $((t0 + 2))' || fail "ticks stopped"
kill -TERM "$DAEMON_PID"; wait "$DAEMON_PID"; DAEMON_PID=""
out=""
for s in $STALLS; do
	c=${s%%:*} f=${s#*:}
	col=$(case $f in cpu) echo psi_cpu_us ;; memory) echo psi_mem_us ;; io) echo psi_io_us ;; esac)
	kern=$(psi_total "$c" "$f")
	got=$(db_q "select coalesce(sum($col), 0) from sample_v where cid = $(cid "$c")")
	# cgov's deltas cover the container's life less its first tick and
	# what came after cgovd's last one: within 10% of the kernel's total.
	[ "$got" -le "$kern" ] && [ $((got * 10)) -ge $((kern * 9)) ] ||
		fail "$c: cgov stored $got us of $f stall, the kernel counts $kern"
	out="$out $f $((got / 1000)) ms (kernel $((kern / 1000)));"
done
# The container stalled on its CPU quota ranks first by pressure.
first=$("$CGOV" --db "$DB" top --by pressure --since 1h --format json | jq -r '.containers[0].name')
[ "$first" = cpu ] || [ "$first" = mem ] || [ "$first" = io ] ||
	fail "top --by pressure ranks $first first"
db_ok "$DB" || fail "integrity_check"
pass "pressure stored:$out top --by pressure ranks $first first"
