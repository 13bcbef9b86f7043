#!/bin/bash
# bench_noisy.sh BUILDDIR: noisy-neighbour scenarios on the real kernel.
#
# A victim container measures its throughput alone, beside a noisy
# neighbour, and beside the same neighbour once cgovd governs it with a
# rule; the table gives the victim's share of its solo throughput in each
# case (DESIGN's target: at least 90% when governed). Root only; the
# containers live in a sandbox under this process's own cgroup and are
# removed at the end. The rules match the neighbour only (a victim that
# gets its CPU back would cross a CPU rule's threshold itself). Each figure
# is the median of ROUNDS rounds (default 3): a shared VM drifts. Scenarios:
#   cpu  victim: 2 threads counting; hog: 2 spinning threads
#   io   victim: O_DIRECT 1 MiB reads; hog: O_DIRECT 1 MiB write flood
CGOV_BUILDDIR=$(cd "${1:-.}" && pwd)
CGOV_SRCDIR=$(cd "$(dirname "$0")/.." && pwd)
export CGOV_BUILDDIR CGOV_SRCDIR
. "$CGOV_SRCDIR/tests/lib/sandbox.sh"
sb_init
MS=${BENCH_MS:-3000}
ROUNDS=${BENCH_ROUNDS:-3}
DB="$SB_TMP/cgov.db"
POL="$SB_TMP/policies"
mkdir -p "$POL"
DIR=$(block_dir) || skip "no block-device-backed directory"
SB_FILES="$DIR/cgov-noisy-r.$$ $DIR/cgov-noisy-w.$$"

# run_victim CMD...: the victim's measurement, in container victim.
run_victim() {
	sb_run victim "$SB_TMP/victim.out" "$@"
	wait "$SB_LAST_PID" || fail "victim failed: $(cat "$SB_TMP/victim.out")"
	cat "$SB_TMP/victim.out"
}
# start_hog N CMD...: N copies of CMD in container hog.
start_hog() {
	local i
	HOG_PIDS=""
	for i in $(seq "$1"); do
		sb_run hog "$SB_TMP/hog.$i.out" "${@:2}"
		HOG_PIDS="$HOG_PIDS $SB_LAST_PID"
	done
}
stop_hog() { for p in $HOG_PIDS; do kill -KILL "$p" 2>/dev/null; wait "$p" 2>/dev/null; done; HOG_PIDS=""; }
start_cgovd() {
	DAEMON_LOG="$SB_TMP/cgovd.log"
	"$CGOVD" --foreground --config /dev/null --policies "$POL" --db "$DB" --interval 500ms \
		--rescan-interval 500ms --containers "$SB_BASE/*" > "$DAEMON_LOG" 2>&1 &
	DAEMON_PID=$!
}
stop_cgovd() { kill -TERM "$DAEMON_PID"; wait "$DAEMON_PID"; DAEMON_PID=""; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", a / b }'; }
median() { echo $* | tr ' ' '\n' | sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }
# row NAME SOLOS NOISYS GOVERNEDS: one line of the table, medians.
row() {
	local s n g
	s=$(median $2); n=$(median $3); g=$(median $4)
	printf '%-5s %16s %16s %16s %8s %8s\n' "$1" "$s" "$n" "$g" "$(ratio "$n" "$s")" "$(ratio "$g" "$s")"
}

sb_mk victim
sb_mk hog
printf '%-5s %16s %16s %16s %8s %8s\n' scenario solo noisy governed noisy% governed%

# --- cpu ---------------------------------------------------------------------
cat > "$POL/cpu.policy" <<EOF
policy "cpu-hog" {
    match cgroup "$SB_BASE/hog"
    cooldown 1s
    rule "hog" {
        when cpu > 1.5 cores for 2s
        do cpu quota 0.2 cores
        until throttled < 5% for 5s
    }
}
EOF
QUOTA=$(sb_file hog cpu.cfs_quota_us || sb_file hog cpu.max)
S=""; N=""; G=""
for r in $(seq "$ROUNDS"); do
	S="$S $(run_victim "$HOG" count 2 "$MS")"
	start_hog 2 "$HOG" spin
	N="$N $(run_victim "$HOG" count 2 "$MS")"
	stop_hog
	start_cgovd
	start_hog 2 "$HOG" spin
	wait_until 20 '[ "$(cut -d" " -f1 "$QUOTA")" != -1 ] && [ "$(cut -d" " -f1 "$QUOTA")" != max ]' ||
		fail "the hog was not throttled"
	G="$G $(run_victim "$HOG" count 2 "$MS")"
	stop_hog
	stop_cgovd
done
row cpu "$S" "$N" "$G"
rm -f "$POL/cpu.policy"

# --- io ----------------------------------------------------------------------
cat > "$POL/io.policy" <<EOF
policy "io-flood" {
    match cgroup "$SB_BASE/hog"
    cooldown 1s
    rule "flood" {
        when io.write > 100M/s for 2s
        do io write-limit 20M/s
        until io.write < 1M/s for 5s
    }
}
EOF
S=""; N=""; G=""
for r in $(seq "$ROUNDS"); do
	S="$S $(run_victim "$HOG" read "$DIR/cgov-noisy-r.$$" "$MS")"
	start_hog 1 "$HOG" flood "$DIR/cgov-noisy-w.$$"
	N="$N $(run_victim "$HOG" read "$DIR/cgov-noisy-r.$$" "$MS")"
	stop_hog
	start_cgovd
	start_hog 1 "$HOG" flood "$DIR/cgov-noisy-w.$$"
	wait_until 20 'grep -q "apply io write-limit" "$DAEMON_LOG"' || fail "the flood was not limited"
	G="$G $(run_victim "$HOG" read "$DIR/cgov-noisy-r.$$" "$MS")"
	stop_hog
	stop_cgovd
	rm -f "$DB" "$DB-wal" "$DB-shm"
done
row io "$S" "$N" "$G"
echo "(cpu: loop iterations in ${MS} ms; io: bytes/s read; medians of $ROUNDS rounds; ratios are of solo)"
