#!/bin/bash
# bench/scenarios/run.sh: protection scenarios on the real kernel (issue 11,
# doc/protection-design.md section 5). `make bench-scenarios` runs it.
#
#   run.sh [--rounds N] [--tiny] [--only cpu,io,mem,overhead]
#          [--policies DIR] [--runtime NAME] [--json FILE] [--results FILE]
#          [--builddir DIR] [--logs DIR]
#
# Each scenario builds tenants (cgroups) in a sandbox under this process's
# own cgroup (tests/lib/sandbox.sh: never at a hierarchy root, removed at
# exit, Ctrl-C included), puts victims and a hog in them and measures the
# victims in four arms, interleaved round by round (a shared VM drifts, so
# each round sees the same weather in every arm):
#
#   solo    the victim alone;
#   none    beside the hog, no governor;
#   static  beside the hog, with the static limits the hardening guides
#           give: cpu.shares 2048 for the victim, a fixed memory+memsw limit
#           on the hog, a 20M/s write cap on the backup (flooding) tenant;
#   cgovd   beside the hog, cgovd running with the tree's policies/.
#
# The window starts when the hog starts, so a governor's reaction time
# counts. Each figure is the median of the rounds. Root only.
#
# The policies: cgovd finds the sandbox's tenants with --containers, which
# gives them runtime "cgroup"; no shipped policy matches that. The runner
# copies DIR (default policies/ of the tree) to a temporary directory and
# adds `cgroup` to every `match runtime` line that names RUNTIME (default
# lxc), as policies/README tells an operator to do for a copy of a
# noisy-neighbour file: the tenants are governed as LXC containers would
# be. Policies that match by process (the JVM's) apply unchanged; those
# that match cgroup globs (30-classic) match nothing in the sandbox, their
# settings being what the static arm applies by hand. The copies must pass
# `cgov policy check`.
#
# Scenarios (W: the window, 10-20 s, 2 s with --tiny):
#   cpu       victims, together in each arm, each in its own tenant:
#             `loadgen latency` (200 requests/s, p50/p99 latency) and
#             `loadgen ops` (one thread, ops/s), beside a hog (`loadgen
#             spin`): a spinner on every CPU (cores), twice as many (2x),
#             and one on every CPU in a tenant with cpu.shares 2048
#             (shares2048). Each figure also over the window's second half
#             (_late: the steady state once a governor has reacted), and
#             cgovd's reaction time (hog start to its first action).
#   io        fio 4 KiB random direct reads (IOPS, p99 completion latency)
#             beside 1 MiB direct sequential writes that pause 1 s in every
#             5, on scratch files on the real disk (removed at exit).
#   mem       a cgroup "node" with a memory limit and a zram swap device
#             (made and removed by the runner) holds a JVM (Alloc.java,
#             compiled with javac at run time), a Python worker (worker.py)
#             and a balloon (`loadgen balloon`: 400 MiB/s up to twice the
#             node and its swap); each victim does a fixed
#             amount of work. Figures: the victims' ops/s, whether each
#             finished, OOM kills per tenant (memory.oom_control or
#             memory.events).
#   overhead  the throughput victim alone, with and without cgovd.
#
# Output: raw figures and medians as JSON (--json, default
# bench/results/scenarios-DATE.json) and bench/RESULTS.md regenerated
# (--results), by report.py.
set -u
SRC=$(cd "$(dirname "$0")/../.." && pwd)
ROUNDS=3 TINY=0 ONLY="cpu,io,mem,overhead" POLSRC="$SRC/policies" RUNTIME=lxc
JSON="" RESULTS="$SRC/bench/RESULTS.md" BUILD=${CGOV_BUILDDIR:-$SRC} LOGS=""
usage() { sed -n '5,7p' "$0" | sed 's/^# *//' >&2; exit 2; }
while [ $# -gt 0 ]; do
	case "$1" in
	--rounds) ROUNDS=$2; shift ;;
	--tiny) TINY=1 ;;
	--only) ONLY=$2; shift ;;
	--policies) POLSRC=$(cd "$2" && pwd) || exit 2; shift ;;
	--runtime) RUNTIME=$2; shift ;;
	--json) JSON=$2; shift ;;
	--results) RESULTS=$2; shift ;;
	--builddir) BUILD=$2; shift ;;
	--logs) LOGS=$2; mkdir -p "$LOGS" || exit 2; shift ;;
	*) usage ;;
	esac
	shift
done
case "$ROUNDS" in ''|*[!0-9]*|0) usage ;; esac
[ -n "$JSON" ] || { mkdir -p "$SRC/bench/results" && JSON="$SRC/bench/results/scenarios-$(date -u +%Y%m%dT%H%M%SZ).json"; }
CGOV_BUILDDIR=$(cd "$BUILD" && pwd) CGOV_SRCDIR=$SRC
export CGOV_BUILDDIR CGOV_SRCDIR
. "$SRC/tests/lib/sandbox.sh"
TEST_NAME=scenarios
want() { case ",$ONLY," in *",$1,"*) return 0 ;; esac; return 1; }
for t in "$CGOV" "$CGOVD" "$HOG"; do [ -x "$t" ] || skip "$t is not built (make; make check builds cgov_hog)"; done
need python3
want io && { need fio; need jq; }
want mem && { need javac; need java; need mkswap; need swapon; }
LOAD_AT_START=$(cut -d' ' -f1-3 /proc/loadavg)
[ "$(cat /proc/sys/kernel/sched_autogroup_enabled 2>/dev/null)" = 1 ] &&
	echo "warning: kernel.sched_autogroup_enabled is 1: other sessions on this machine each weigh as much as a tenant, whatever their nice value (sysctl kernel.sched_autogroup_enabled=0 for the run)" >&2
sb_init
# The sandbox first on a shared machine: on v1 its cgroup (and the ones
# sb_init made above it) get the highest CPU weight, so other work beside
# the run takes CPU from the arms as little as the scheduler allows (a
# bench run of other tenants' builds otherwise starved the hog below its
# share). Only cgroups the runner made; v2: cpu.weight of the sandbox.
if [ "$SB_VERSION" = 1 ]; then
	for d in $SB_CREATED; do [ -f "$d/cpu.shares" ] && echo 262144 > "$d/cpu.shares"; done
	for mnt in $SB_MOUNTS; do [ -f "$mnt$SB_BASE/cpu.shares" ] && echo 262144 > "$mnt$SB_BASE/cpu.shares"; done
else
	f=$(sb_file . cpu.weight 2>/dev/null) && echo 10000 > "$f"
fi

# The memory scenario's zram swap: removed at exit (after the tenants'
# processes are gone, so swapoff has nothing to bring back).
ZRAM=""
zram_down() {
	[ -n "$ZRAM" ] || return 0
	swapoff "/dev/zram$ZRAM" 2>/dev/null
	echo "$ZRAM" > /sys/class/zram-control/hot_remove 2>/dev/null ||
		echo 1 > "/sys/block/zram$ZRAM/reset" 2>/dev/null
	ZRAM=""
}
bench_cleanup() {
	local rc=$?
	[ -n "${DAEMON_PID:-}" ] && kill -TERM "$DAEMON_PID" 2>/dev/null
	for pid in $SB_PIDS; do kill -KILL "$pid" 2>/dev/null; done
	tenants_kill
	zram_down
	(exit "$rc")
	sb_cleanup
}
trap bench_cleanup EXIT

if [ "$TINY" = 1 ]; then
	CGOVD_WARM=${CGOVD_WARM:-1} W_CPU=2 W_IO=2 W_OVH=2 NODE_MB=256 SWAP_MB=128 JVM_HEAP=64 JVM_LIVE=24 JVM_OPS=4000 \
		PY_LIVE=24 PY_OPS=4000 MEM_LIMIT=30
else
	W_CPU=${W_CPU:-20} W_IO=${W_IO:-16} W_OVH=${W_OVH:-10} NODE_MB=768 SWAP_MB=384 JVM_HEAP=192 JVM_LIVE=96 JVM_OPS=400000 \
		PY_LIVE=96 PY_OPS=1000000 MEM_LIMIT=120
fi
NCPU=$(nproc)
FIG="$SB_TMP/figures"   # "scenario arm round metric value" lines
: > "$FIG"
fig() { echo "$1 $2 $3 $4 $5" >> "$FIG"; }
# kv OUT KEY: the value of KEY=value in file OUT.
kv() { tr ' ' '\n' < "$1" | sed -n "s/^$2=//p" | tail -n 1; }
# The load generator: built by make (`make check` or `make bench-scenarios`),
# else here; a node without either (the v2 guest has no compiler) skips.
LOADGEN="$CGOV_BUILDDIR/bench/scenarios/loadgen"
if [ ! -x "$LOADGEN" ]; then
	command -v "${CC:-cc}" > /dev/null || skip "bench/scenarios/loadgen is not built and there is no compiler"
	LOADGEN="$SB_TMP/loadgen"
	${CC:-cc} -O2 -o "$LOADGEN" "$SRC/bench/scenarios/loadgen.c" || fail "cannot build loadgen"
fi

# ---- tenants and their knobs (v1 and v2) ------------------------------------
TENANTS=""
mk() { sb_mk "$1"; TENANTS="$1 $TENANTS"; }
# tenants_kill: every process in the sandbox killed, every tenant removed
# (deepest first: TENANTS holds the newest first).
tenants_kill() {
	local mnt f pid t
	[ -n "$SB_BASE" ] || return 0
	# stderr closed: bash reports every job killed by a signal otherwise.
	{
		for mnt in $SB_MOUNTS; do
			for f in $(find "$mnt$SB_BASE" -mindepth 2 -name cgroup.procs); do
				for pid in $(cat "$f"); do kill -KILL "$pid"; done
			done
		done
		wait_until 20 sb_procs_empty
		for pid in $SB_PIDS; do wait "$pid"; done
	} 2>/dev/null
	sb_procs_empty || echo "warning: processes left in the sandbox" >&2
	SB_PIDS=""
	for t in $TENANTS; do
		for mnt in $SB_MOUNTS; do [ -d "$mnt$SB_BASE/$t" ] && rmdir "$mnt$SB_BASE/$t"; done
	done
	TENANTS=""
}
knob() { local f; f=$(sb_file "$1" "$2") || fail "no $2 in $1"; echo "$3" > "$f" || fail "cannot write $3 to $1/$2"; }
# cpu_shares T SHARES: v1 cpu.shares, v2 cpu.weight (1024 shares = 100).
cpu_shares() {
	if [ "$SB_VERSION" = 2 ]; then knob "$1" cpu.weight $(( $2 * 100 / 1024 )); else knob "$1" cpu.shares "$2"; fi
}
# mem_limit T MB SWAP_MB: memory limit and swap on top (v1: memsw = both).
mem_limit() {
	if [ "$SB_VERSION" = 2 ]; then
		knob "$1" memory.max "$(( $2 << 20 ))"; knob "$1" memory.swap.max "$(( $3 << 20 ))"
	else
		knob "$1" memory.limit_in_bytes "$(( $2 << 20 ))"
		knob "$1" memory.memsw.limit_in_bytes "$(( ($2 + $3) << 20 ))"
	fi
}
# io_write_cap T MAJ:MIN BYTES_PER_S
io_write_cap() {
	if [ "$SB_VERSION" = 2 ]; then knob "$1" io.max "$2 wbps=$3"; else knob "$1" blkio.throttle.write_bps_device "$2 $3"; fi
}
# oom_kills T: the tenant's OOM kill count.
oom_kills() {
	local f
	if f=$(sb_file "$1" memory.events); then sed -n 's/^oom_kill //p' "$f"
	elif f=$(sb_file "$1" memory.oom_control); then sed -n 's/^oom_kill //p' "$f"
	else echo 0; fi | grep . || echo 0
}

# ---- cgovd with the tree's policies, pointed at the sandbox -----------------
POL="$SB_TMP/policies"
mkdir "$POL"
cp "$POLSRC"/*.policy "$POL"/ 2>/dev/null
REWRITTEN=$(awk -v rt="$RUNTIME" '$1 == "match" && $2 == "runtime" {
	for (i = 3; i <= NF && $i !~ /^#/; i++) if ($i == rt) { n++; break } } END { print n + 0 }' "$POL"/*.policy 2>/dev/null)
for f in "$POL"/*.policy; do
	[ -e "$f" ] || continue
	awk -v rt="$RUNTIME" '$1 == "match" && $2 == "runtime" {
		hit = 0; has = 0
		for (i = 3; i <= NF && $i !~ /^#/; i++) { if ($i == rt) hit = 1; if ($i == "cgroup") has = 1 }
		if (hit && !has) { sub(/[ \t]*$/, ""); sub(/match[ \t]+runtime/, "& cgroup") }
	} { print }' "$f" > "$f.new" && mv "$f.new" "$f"
done
[ "${REWRITTEN:-0}" -gt 0 ] || echo "warning: no policy in $POLSRC matches runtime $RUNTIME: the cgovd arm has only the process-matching policies" >&2
"$CGOV" policy check "$POL" > "$SB_TMP/policy-check.out" 2>&1 ||
	fail "the policies do not check: $(cat "$SB_TMP/policy-check.out")"
# cgovd_start PATTERN N: cgovd governing the tenants PATTERN finds, once it
# has seen N of them (it runs as an operator's daemon does: default
# intervals, before the hog starts).
cgovd_start() {
	DAEMON_LOG="$SB_TMP/cgovd.log"
	rm -f "$SB_TMP"/arm.db*
	"$CGOVD" --foreground -v --config /dev/null --policies "$POL" --db "$SB_TMP/arm.db" \
		--containers "$SB_BASE/$1" > "$DAEMON_LOG" 2>&1 &
	DAEMON_PID=$!
	wait_until 60 "grep -q 'debug: tick: $2 containers' \"\$DAEMON_LOG\"" || fail "cgovd did not find the $2 tenants"
	# On a node cgovd runs long before a hog starts: its windows (the
	# shipped rules' `avg(...) over 5s`) are full. Wait until they are
	# (CGOVD_WARM ticks, 6 by default), or a window that has not filled
	# yet would count as the governor's reaction time.
	wait_until 60 "[ \"\$(grep -c 'debug: tick: $2 containers' \"\$DAEMON_LOG\")\" -ge ${CGOVD_WARM:-6} ]" ||
		fail "cgovd did not tick ${CGOVD_WARM:-6} times"
}
# cgovd_stop SCENARIO ARM ROUND [T0_MS]: stops cgovd (if running) and
# records how many actions it applied in the window (did it react at all?)
# and, given the hog's start (ms since the epoch), how long it took to the
# first (reaction_s, from the journal's timestamps).
cgovd_stop() {
	[ -n "${DAEMON_PID:-}" ] || return 0
	kill -TERM "$DAEMON_PID"
	wait_until 20 'proc_exited "$DAEMON_PID"' || kill -KILL "$DAEMON_PID"
	wait "$DAEMON_PID" 2>/dev/null
	DAEMON_PID=""
	[ -n "$LOGS" ] && cp "$DAEMON_LOG" "$LOGS/cgovd.$1.$2.$3.log" &&
		cp "$SB_TMP/arm.db" "$LOGS/history.$1.$2.$3.db"
	grep ' apply ' "$DAEMON_LOG" | sed 's/^/  cgovd: /' | head -n 3 >&2
	fig "$1" "$2" "$3" cgovd_actions "$(grep -c ' apply ' "$DAEMON_LOG")"
	local first
	first=$(sqlite3 "$SB_TMP/arm.db" "SELECT min(ts_ms) FROM action WHERE kind = 'apply'" 2>/dev/null)
	[ -n "${4:-}" ] && [ -n "$first" ] &&
		fig "$1" "$2" "$3" reaction_s "$(awk -v a="$first" -v b="$4" 'BEGIN { printf "%.1f", (a - b) / 1000 }')"
}

# victim T OUT CMD...: runs CMD in tenant T and waits for it; 0 if it
# succeeded.
victim() {
	local t=$1 out=$2
	shift 2
	sb_run "$t" "$out" "$@"
	wait "$SB_LAST_PID"
}

# ---- cpu ---------------------------------------------------------------------
# Both victims run in every arm, each in its own tenant (one window serves
# both, so the window can be long enough for a governor's reaction to
# count): `lat`, the latency victim (200 requests/s of ~0.5 ms of work,
# about 0.1 core: the tenant a hog hurts even when CFS gives it its share),
# and `ops`, the throughput victim (one thread, one core: its demand fits
# its fair share on a node of 2 CPUs or more).
# cpu_arm HOG ARM ROUND: HOG is cores (a spinner on every CPU), 2x (twice
# as many spinners as CPUs) or shares2048 (every CPU, in a tenant with
# cpu.shares 2048, as the seeds give "critical" tenants).
cpu_arm() {
	local hog=$1 arm=$2 r=$3 threads=$NCPU sc lp op t0
	mk lat
	mk ops
	if [ "$arm" != solo ]; then
		mk hog
		[ "$hog" = 2x ] && threads=$(( NCPU * 2 ))
		[ "$hog" = shares2048 ] && cpu_shares hog 2048
	fi
	if [ "$arm" = static ]; then cpu_shares lat 2048; cpu_shares ops 2048; fi
	[ "$arm" = cgovd ] && cgovd_start "*" 3
	sc=cpu.$hog
	[ "$arm" = solo ] && sc=cpu
	t0=$(date +%s%3N)
	[ "$arm" != solo ] && sb_run hog "$SB_TMP/hog.out" "$LOADGEN" spin "$threads"
	sb_run lat "$SB_TMP/lat.out" "$LOADGEN" latency 200 "$W_CPU" 200000
	lp=$SB_LAST_PID
	sb_run ops "$SB_TMP/ops.out" "$LOADGEN" ops "$W_CPU"
	op=$SB_LAST_PID
	wait "$lp" || fail "latency victim: $(cat "$SB_TMP/lat.out")"
	wait "$op" || fail "throughput victim: $(cat "$SB_TMP/ops.out")"
	for m in p50_us p99_us p50_late_us p99_late_us; do fig "$sc" "$arm" "$r" "$m" "$(kv "$SB_TMP/lat.out" "$m")"; done
	for m in ops_per_s ops_late_per_s; do fig "$sc" "$arm" "$r" "$m" "$(kv "$SB_TMP/ops.out" "$m")"; done
	cgovd_stop "$sc" "$arm" "$r" "$t0"
	tenants_kill
}
run_cpu() {
	local r hog arm
	for r in $(seq "$ROUNDS"); do
		echo "cpu: round $r" >&2
		cpu_arm - solo "$r"
		for hog in ${CPU_HOGS:-cores 2x shares2048}; do
			for arm in ${ARMS:-none static cgovd}; do cpu_arm "$hog" "$arm" "$r"; done
		done
	done
}

# ---- io ----------------------------------------------------------------------
# io_figures LOG SECONDS: IOPS and p99 completion latency of fio's
# per-request log (time ms, latency ns, ...), over the window and over its
# second half (_late).
io_figures() {
	python3 - "$1" "$2" <<'PY'
import sys
rows = []
with open(sys.argv[1]) as f:
    for line in f:
        p = line.split(",")
        if len(p) >= 2:
            rows.append((int(p[0]), int(p[1])))
w = float(sys.argv[2])
def p99(v):
    v = sorted(v)
    return v[max(0, min(len(v) - 1, int(0.99 * len(v) + 0.999999) - 1))] / 1000 if v else 0
late = [l for t, l in rows if t >= w * 500]
print("iops %.1f" % (len(rows) / w))
print("p99_us %.1f" % p99([l for _, l in rows]))
print("iops_late %.1f" % (len(late) / (w / 2)))
print("p99_late_us %.1f" % p99(late))
PY
}
run_io() {
	local dir disk r arm out t0
	dir=$(block_dir) || { echo "io: no block-device-backed directory: skipped" >&2; return 0; }
	disk=$(disk_of "$dir") || { echo "io: no disk under $dir: skipped" >&2; return 0; }
	disk=${disk#* }
	IO_R="$dir/cgov-scenario-r.$$" IO_W="$dir/cgov-scenario-w.$$"
	SB_FILES="$SB_FILES $IO_R $IO_W"
	for r in $(seq "$ROUNDS"); do
		echo "io: round $r" >&2
		for arm in ${ARMS_IO:-solo none static cgovd}; do
			mk victim
			[ "$arm" != solo ] && mk backup
			[ "$arm" = static ] && io_write_cap backup "$disk" $(( 20 << 20 ))
			[ "$arm" = cgovd ] && cgovd_start "*" 2
			t0=$(date +%s%3N)
			# The flood: 4 s of 1 MiB direct writes, a 1 s pause, again.
			[ "$arm" != solo ] && sb_run backup "$SB_TMP/backup.out" bash -c \
				'while :; do timeout 4 "$0" flood "$1"; sleep 1; done' "$HOG" "$IO_W"
			out="$SB_TMP/fio.json"
			rm -f "$SB_TMP"/fiolat_*.log
			victim victim "$out" fio --name=victim --filename="$IO_R" --rw=randread --bs=4k \
				--direct=1 --ioengine=psync --size=$(( TINY ? 64 : 256 ))M --runtime="$W_IO" \
				--time_based --write_lat_log="$SB_TMP/fiolat" --log_avg_msec=0 \
				--output-format=json || fail "fio: $(tail -n 5 "$out")"
			io_figures "$SB_TMP/fiolat_clat.1.log" "$W_IO" | while read -r m v; do fig io "$arm" "$r" "$m" "$v"; done
			cgovd_stop io "$arm" "$r" "$t0"
			tenants_kill
		done
	done
}

# ---- memory ------------------------------------------------------------------
zram_up() {
	[ -w /sys/class/zram-control/hot_add ] || modprobe zram num_devices=0 2>/dev/null
	ZRAM=$(cat /sys/class/zram-control/hot_add) || fail "no zram device (modprobe zram)"
	echo "$(( SWAP_MB << 20 ))" > "/sys/block/zram$ZRAM/disksize" || fail "zram$ZRAM disksize"
	mkswap "/dev/zram$ZRAM" > /dev/null || fail "mkswap zram$ZRAM"
	swapon -p 32767 "/dev/zram$ZRAM" || fail "swapon zram$ZRAM"
}
# node_full: 1 if the node ran out of memory and swap during the arm, else
# 0 (v2: memory.events counts an "oom" of the node; v1: the peak of its
# memory+swap, memory.memsw.max_usage_in_bytes, reached 98% of its memsw
# limit: v1 counts an OOM kill in the killed task's cgroup only and no
# failcnt on that path). Without it, "no victim was OOM-killed" would say
# nothing: the balloon may not have filled the node before the victims
# finished (on a busy node it grows far slower than its 400 MiB/s).
node_full() {
	local f n peak lim
	if f=$(sb_file node memory.events); then
		n=$(sed -n 's/^oom //p' "$f")
		[ "${n:-0}" -gt 0 ] && echo 1 || echo 0
		return
	fi
	peak=$(cat "$(sb_file node memory.memsw.max_usage_in_bytes)" 2>/dev/null)
	lim=$(cat "$(sb_file node memory.memsw.limit_in_bytes)" 2>/dev/null)
	[ -n "$peak" ] && [ -n "$lim" ] && [ "$peak" -ge $(( lim / 100 * 98 )) ] && echo 1 || echo 0
}
mem_arm() {
	local arm=$1 r=$2 jp pp t rc
	mk node
	mem_limit node "$NODE_MB" "$SWAP_MB"
	mk node/jvm
	mk node/py
	[ "$arm" != solo ] && mk node/hog
	[ "$arm" = static ] && mem_limit node/hog "$(( NODE_MB / 2 ))" "$(( SWAP_MB / 2 ))"
	[ "$arm" = cgovd ] && cgovd_start "node/*" 3
	[ "$arm" != solo ] && sb_run node/hog "$SB_TMP/hog.out" "$LOADGEN" balloon 400 $(( (NODE_MB + SWAP_MB) * 2 ))
	sb_run node/jvm "$SB_TMP/jvm.out" timeout "$MEM_LIMIT" java -Xms${JVM_HEAP}m -Xmx${JVM_HEAP}m \
		-XX:+UseSerialGC -cp "$SB_TMP/java" Alloc "$JVM_LIVE" "$JVM_OPS"
	jp=$SB_LAST_PID
	sb_run node/py "$SB_TMP/py.out" timeout "$MEM_LIMIT" python3 "$SRC/bench/scenarios/worker.py" \
		"$PY_LIVE" "$PY_OPS"
	pp=$SB_LAST_PID
	for t in jvm py; do
		if [ "$t" = jvm ]; then wait "$jp" 2>/dev/null; else wait "$pp" 2>/dev/null; fi
		rc=$?
		fig memory "$arm" "$r" "${t}_finished" "$([ "$rc" = 0 ] && echo 1 || echo 0)"
		fig memory "$arm" "$r" "${t}_ops_per_s" "$(kv "$SB_TMP/$t.out" ops_per_s | grep . || echo 0)"
		fig memory "$arm" "$r" "oom_$t" "$(oom_kills "node/$t")"
	done
	fig memory "$arm" "$r" oom_hog "$([ "$arm" = solo ] && echo 0 || oom_kills node/hog)"
	fig memory "$arm" "$r" node_full "$(node_full)"
	cgovd_stop memory "$arm" "$r"
	tenants_kill
}
run_mem() {
	local r arm
	mkdir "$SB_TMP/java"
	javac -d "$SB_TMP/java" "$SRC/bench/scenarios/Alloc.java" || fail "javac Alloc.java"
	zram_up
	for r in $(seq "$ROUNDS"); do
		echo "mem: round $r" >&2
		for arm in solo none static cgovd; do mem_arm "$arm" "$r"; done
	done
	zram_down
}

# ---- overhead ----------------------------------------------------------------
run_overhead() {
	local r arm out="$SB_TMP/victim.out"
	for r in $(seq "$ROUNDS"); do
		echo "overhead: round $r" >&2
		for arm in without with; do
			mk victim
			[ "$arm" = with ] && cgovd_start "*" 1
			victim victim "$out" "$LOADGEN" ops "$W_OVH" || fail "victim: $(cat "$out")"
			fig overhead "$arm" "$r" ops_per_s "$(kv "$out" ops_per_s)"
			cgovd_stop overhead "$arm" "$r"
			tenants_kill
		done
	done
}

T0=$(date +%s)
want cpu && run_cpu
want io && run_io
want mem && run_mem
want overhead && run_overhead
ELAPSED=$(( $(date +%s) - T0 ))

META="$SB_TMP/meta"
{
	echo "date=$(date -u +%Y-%m-%dT%H:%M:%SZ)"
	echo "host=$(uname -n)"
	echo "kernel=$(uname -r)"
	echo "cpu=$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -n 1) x $NCPU"
	echo "memory=$(awk '/^MemTotal/ { printf "%.1f GiB", $2 / 1048576 }' /proc/meminfo)"
	echo "cgroup=v$SB_VERSION"
	echo "load_at_start=$LOAD_AT_START"
	echo "autogroup=$(cat /proc/sys/kernel/sched_autogroup_enabled 2>/dev/null || echo n/a)"
	echo "load_at_end=$(cut -d' ' -f1-3 /proc/loadavg)"
	echo "rounds=$ROUNDS"
	echo "tiny=$TINY"
	echo "elapsed_s=$ELAPSED"
	echo "policies=$POLSRC (match runtime $RUNTIME + cgroup; $REWRITTEN line(s) rewritten)"
	echo "windows=cpu ${W_CPU}s, io ${W_IO}s, overhead ${W_OVH}s; memory node ${NODE_MB}M + zram ${SWAP_MB}M"
	echo "commit=$(git -C "$SRC" rev-parse --short HEAD 2>/dev/null || echo unknown)"
} > "$META"
mkdir -p "$(dirname "$JSON")" "$(dirname "$RESULTS")"
python3 "$SRC/bench/scenarios/report.py" "$META" "$FIG" "$JSON" "$RESULTS" || fail "report.py failed"
echo "scenarios: $JSON, $RESULTS (${ELAPSED}s)"
