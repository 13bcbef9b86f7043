#!/bin/bash
# Integration: real cgroups, real loads, real kernel figures.
#
# Three containers (a 200 MiB memory holder, a CPU spinner, a direct-I/O
# writer) and an idle one that is removed mid-run. cgovd, restricted to the
# sandbox, samples them; the database and `cgov top --format json` must rank
# them right with figures within tolerance of what was really done.
. "$(dirname "$0")/../lib/sandbox.sh"
need jq
sb_init
DB="$SB_TMP/cgov.db"
MEM_BYTES=$((200 * 1024 * 1024))
IO_BYTES=$((64 * 1024 * 1024))

for c in mem cpu io doomed; do sb_mk "$c"; done

sb_run mem "$SB_TMP/mem.out" "$HOG" mem "$MEM_BYTES"
MEM_PID=$SB_LAST_PID
sb_run cpu "$SB_TMP/cpu.out" "$HOG" spin
wait_until 20 'grep -q ready "$SB_TMP/mem.out"' || fail "memory holder never got ready"
wait_until 5 'grep -q ready "$SB_TMP/cpu.out"' || fail "spinner never got ready"

daemon_start --db "$DB" --interval 500ms --rescan-interval 500ms --memstat-interval 1s
# All four containers registered and at least two ticks stored.
wait_until 20 'test "$(db_q "select count(*) from container")" -ge 4' ||
	fail "cgovd did not register the 4 containers"
wait_until 20 'test "$(db_q "select count(*) from tick")" -ge 2' || fail "no ticks stored"

# The writer starts after cgovd has its baseline, so every byte is seen. It
# needs a filesystem on a block device: on a tmpfs/overlay-only host there
# is no block I/O to account, and the I/O checks are skipped (said below).
IO_DIR=$(block_dir) || IO_DIR=""
if [ -n "$IO_DIR" ]; then
	IO_FILE="$IO_DIR/cgov-test-io.$$"
	sb_run io "$SB_TMP/io.out" "$HOG" write "$IO_FILE" "$IO_BYTES"
	IO_PID=$SB_LAST_PID
	wait "$IO_PID"; rc=$?
	rm -f "$IO_FILE"
	[ "$rc" = 77 ] && IO_DIR=""
	[ "$rc" = 0 ] || [ "$rc" = 77 ] || fail "direct-I/O writer failed ($rc): $(cat "$SB_TMP/io.out")"
fi

# Remove a container while cgovd runs: it must be dropped without an error.
sb_rm doomed
wait_until 20 'test "$(db_q "select count(*) from container where gone_ms is not null and path like '"'"'%/doomed'"'"'")" = 1' ||
	fail "the removed container was not marked gone"

# Let the spinner run over at least 3 more seconds of ticks.
t0=$(db_q 'select max(id) from tick')
wait_until 20 'test "$(db_q "select count(*) from tick where id > $t0")" -ge 6' ||
	fail "ticks stopped"
kill -0 "$DAEMON_PID" 2>/dev/null || fail "cgovd died"

# --- the database ---------------------------------------------------------
cid() { db_q "select id from container where path = '$(sb_path "$1")'"; }
io_w=$(db_q "select coalesce(sum(wbytes), 0) from sample_v where cid = $(cid io)")
[ -z "$IO_DIR" ] || [ "$io_w" -ge "$IO_BYTES" ] ||
	fail "database has $io_w bytes written by io, expected >= $IO_BYTES"
kern_w=$(awk '$2 == "Write" { s += $3 } /wbytes=/ { for (i = 1; i <= NF; i++) if ($i ~ /^wbytes=/) { sub("wbytes=", "", $i); s += $i } } END { print s + 0 }' \
	"$(sb_file io blkio.throttle.io_service_bytes_recursive || sb_file io io.stat)")
[ "$io_w" -le "$kern_w" ] || fail "database claims $io_w bytes written, kernel says $kern_w"
mem_last=$(db_q "select mem_bytes from sample_v where cid = $(cid mem) order by tick desc limit 1")
kern_mem=$(cat "$(sb_file mem memory.usage_in_bytes || sb_file mem memory.current)")
# Against the kernel's own figure (the holder's allocator and, in the
# sanitizer build, ASan's shadow add to what it holds): the last stored
# sample within 10% of what the kernel says now, which holds at least the
# held bytes.
[ $((kern_mem * 10)) -ge $((MEM_BYTES * 9)) ] || fail "the kernel says mem holds $kern_mem, under the $MEM_BYTES held"
[ $((mem_last * 10)) -ge $((kern_mem * 9)) ] && [ $((mem_last * 10)) -le $((kern_mem * 11)) ] ||
	fail "database memory of mem is $mem_last, the kernel says $kern_mem (held $MEM_BYTES)"
memstat_rows=$(db_q "select count(*) from memstat")
[ "$memstat_rows" -ge 3 ] || fail "memory.stat breakdown not stored ($memstat_rows rows)"
node_rows=$(db_q "select count(*) from node where mem_total > 0")
[ "$node_rows" -ge 2 ] || fail "node rows missing"

# --- cgov top, JSON ---------------------------------------------------------
top() { "$CGOV" --db "$DB" top --format json "$@"; }
first() { top --by "$1" --since 3s | jq -r '.containers[0].name'; }
[ "$(first memory)" = mem ] || fail "top --by memory ranks $(first memory) first"
[ "$(first cpu)" = cpu ] || fail "top --by cpu ranks $(first cpu) first"
if [ -n "$IO_DIR" ]; then
	[ "$(top --by io --since 1h | jq -r '.containers[0].name')" = io ] || fail "top --by io over 1h"
fi

mem_json=$(top --by memory --since 3s | jq '.containers[] | select(.name == "mem") | .mem_bytes')
awk -v m="$mem_json" -v h="$kern_mem" 'BEGIN { exit !(m >= 0.9 * h && m <= 1.1 * h) }' ||
	fail "top: mem_bytes $mem_json not within 10% of the kernel's $kern_mem"
cores=$(top --by cpu --since 3s | jq '.containers[] | select(.name == "cpu") | .cpu_cores')
# One spinning thread can use at most one core, whatever the machine does
# beside it (history.sh checks the stored figure against cpuacct itself;
# a busy machine gives the spinner less than a core, an idle one about 1).
awk -v c="$cores" 'BEGIN { exit !(c > 0 && c <= 1.15) }' ||
	fail "top: spinner uses $cores cores, expected above 0 and at most 1"
idle=$(top --by cpu --since 3s | jq '.containers[] | select(.name == "mem") | .cpu_cores')
awk -v c="$idle" 'BEGIN { exit !(c < 0.1) }' || fail "top: the memory holder uses $idle cores"
# The window's write rate times its length covers the bytes written.
wr=$(top --by io --since 1h | jq '.containers[] | select(.name == "io") | .write_bytes_per_s')
[ -z "$IO_DIR" ] || [ "$(echo "$wr" | cut -d. -f1)" -gt 0 ] || fail "top: no write rate for io"
# The node: its size as /proc says, and busy at least by the spinner's core;
# its figures are over every tick stored in the window (3 s back from the
# newest tick: 6 ticks at 500 ms, fewer where the machine is slow, as an
# emulated guest on a busy host is).
all=$(top --since 3s)
node=$(echo "$all" | jq -c .node)
latest=$(echo "$all" | jq .latest_ms)
nticks=$(db_q "select count(*) from node join tick on tick.id = node.tick
	where ts_ms > $latest - 3000 and ts_ms <= $latest")
ncpu=$(grep -c '^cpu[0-9]' /proc/stat)
memtotal=$(awk '/^MemTotal:/ { printf "%.0f", $2 * 1024 }' /proc/meminfo)
echo "$node" | jq -e --argjson c "$ncpu" --argjson m "$memtotal" --argjson n "$nticks" \
	'.ncpu == $c and .mem_total_bytes == $m and .mem_available_bytes > 0 and
	.samples == $n and $n >= 3' >/dev/null ||
	fail "node figures wrong: $node (ncpu $ncpu, MemTotal $memtotal, $nticks ticks in the window)"
echo "$node" | jq -e --argjson c "$ncpu" '.cpu_busy_pct >= 80 / $c and .cpu_busy_pct <= 100' \
	>/dev/null || fail "node CPU busy $(echo "$node" | jq .cpu_busy_pct)% with a spinner on $ncpu CPUs"
top --since 3s | jq -e '.containers | length == 3' >/dev/null ||
	fail "top lists gone containers: $(top --since 3s | jq -c '[.containers[].name]')"
"$CGOV" --db "$DB" containers --all --format json |
	jq -e '[.containers[] | select(.name == "doomed")][0].state == "gone"' >/dev/null ||
	fail "containers --all does not show doomed as gone"

# --- cgovd --once: a baseline, one interval, the tick with rates ------------
# The spinner's CPU time in that interval is what the kernel counted for its
# container (cpuacct on v1, cpu.stat on v2) between the two reads: within
# what it counted over the whole run of --once, and short of it by no more
# than one core (one thread) over the time --once spent outside the
# interval. A busy machine gives the spinner less than a core: the figure
# must follow the kernel, not an idle machine.
if [ "$SB_VERSION" = 1 ]; then
	spin_us() { echo $(( $(cat "$(sb_file cpu cpuacct.usage)") / 1000 )); }
else
	spin_us() { awk '$1 == "usage_usec" { print $2 }' "$(sb_file cpu cpu.stat)"; }
fi
k0=$(spin_us); w0=$(date +%s%N)
"$CGOVD" --once --config /dev/null --db "$SB_TMP/once.db" --interval 1s \
	--containers "$SB_BASE/*" > "$SB_TMP/once.log" 2>&1 || fail "--once: $(cat "$SB_TMP/once.log")"
k1=$(spin_us); w1=$(date +%s%N)
once=$("$CGOV" --db "$SB_TMP/once.db" top --by cpu --format json)
echo "$once" | jq -e '.containers[0].name == "cpu" and .containers[0].cpu_cores > 0' >/dev/null ||
	fail "--once: cpu ranking wrong: $once"
ONCE_CID="(select id from container where path = '$(sb_path cpu)')"
once_us=$(DB="$SB_TMP/once.db" db_q "select cpu_us from sample_v where cid = $ONCE_CID and dt_ms > 0")
once_dt=$(DB="$SB_TMP/once.db" db_q "select dt_ms from sample_v where cid = $ONCE_CID and dt_ms > 0")
[ -n "$once_us" ] && [ -n "$once_dt" ] || fail "--once stored no interval for the spinner"
run_us=$(( (w1 - w0) / 1000 ))
# (50 ms of slack: the counter and the clock are read one after the other,
# by two processes, at each end.)
[ "$once_us" -le $((k1 - k0)) ] && [ "$once_us" -ge $((k1 - k0 - (run_us - once_dt * 1000) - 50000)) ] ||
	fail "--once: the spinner used $once_us us in $once_dt ms; the kernel counted $((k1 - k0)) us over the $run_us us of the run"
kern_mem=$(cat "$(sb_file mem memory.usage_in_bytes || sb_file mem memory.current)")
echo "$once" | jq -e --argjson h "$kern_mem" '[.containers[] | select(.name == "mem")][0].mem_bytes |
	. > 0.9 * $h and . < 1.1 * $h' >/dev/null || fail "--once: memory of mem wrong (the kernel says $kern_mem): $once"

# --- the daemon stayed quiet about the vanished cgroup -----------------------
grep -iE "error|warning|sanitizer" "$DAEMON_LOG" && fail "cgovd logged errors or warnings"
kill -TERM "$DAEMON_PID"
wait "$DAEMON_PID"; rc=$?
DAEMON_PID=""
[ "$rc" = 0 ] || fail "cgovd exited $rc on SIGTERM"
db_ok "$DB" || fail "integrity_check"
where=${IO_DIR:+in $IO_DIR}
pass "mem=$mem_json bytes, cpu=$cores cores, io=$io_w bytes written (kernel $kern_w) ${where:-(no block device here: I/O checks skipped)}"
