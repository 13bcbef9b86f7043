#!/bin/sh
# bench_history.sh BUILDDIR: history that lasts, at the size of a dense node.
#
# tests/helpers/cgov_gen writes DAYS days of history of N containers through
# cgovd's own code (the newest hour as 1 s raw ticks, the rest as minute
# rows, then cgovd's rollup pass makes the hours), then the table gives the
# time that took, the file's size (in all, and per container-hour of
# history), the rows of each tier, and the median of RUNS runs of the
# queries the targets name:
#   cgov top --since 24h                          target < 100 ms
#   cgov report --since 30d --format json         target < 5 s
#   cgov policy simulate --since 7d (shipped policies)   no target
# A command that fails shows "n/a (exit N)" and the bench goes on. Last,
# the same history again with minute rows kept KEEP (default 7d): what
# retention bounds the file to.
#
# Not a test: it prints a table and exits 0 whatever the figures (1 only
# when the build or the generator fails). Sizes: the file, and the pages in
# use (retention frees pages that later rows reuse; the file never shrinks
# without a VACUUM). Needs about 6 GB of free space in
# TMPDIR for the default 30 days x 1000 containers, and minutes.
# Smaller runs: BENCH_HISTORY_CONTAINERS (default 1000),
# BENCH_HISTORY_DAYS (30), BENCH_HISTORY_RUNS (5), BENCH_HISTORY_KEEP (7d),
# e.g. BENCH_HISTORY_CONTAINERS=100 BENCH_HISTORY_DAYS=3.
set -u
B=$(cd "${1:-.}" && pwd)
SRC=$(cd "$(dirname "$0")/.." && pwd)
N=${BENCH_HISTORY_CONTAINERS:-1000}
DAYS=${BENCH_HISTORY_DAYS:-30}
RUNS=${BENCH_HISTORY_RUNS:-5}
KEEP=${BENCH_HISTORY_KEEP:-7d}
GEN="$B/tests/helpers/cgov_gen"
CGOV="$B/cgov"

DIR=$(mktemp -d "${TMPDIR:-/tmp}/cgov-bench-history.XXXXXX") || exit 1
trap 'rm -rf "$DIR"' EXIT
trap 'exit 1' INT TERM
make -C "$B" tests/helpers/cgov_gen cgov > "$DIR/make.out" 2>&1 ||
	{ echo "bench_history: build failed:"; tail -n 20 "$DIR/make.out"; exit 1; }
DB="$DIR/cgov.db"

now_ns() { date +%s%N; }
median() { tr ' ' '\n' | grep . | sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }
# row WHAT VALUE [TARGET [PASS|FAIL]]
row() { printf '%-44s %18s %10s %6s\n' "$1" "$2" "${3:-}" "${4:-}"; }
# gen DB ARGS...: runs the generator; its summary line goes to $DIR/gen.out.
gen() {
	db=$1
	shift
	"$GEN" --db "$db" --quiet --containers "$N" --days "$DAYS" --raw 1h --interval 1s \
		"$@" > "$DIR/gen.out" 2> "$DIR/gen.err" || {
		echo "bench_history: cgov_gen failed:"
		cat "$DIR/gen.err"
		exit 1
	}
}
# gen_field WORD: the number before WORD in cgov_gen's summary line.
gen_field() { awk -v w="$1" '{ for (i = 2; i <= NF; i++) if ($i == w || $i == w ",") print $(i - 1) }' "$DIR/gen.out"; }
# size DB: the file's bytes (the generator closed it: WAL checkpointed).
size() { stat -c %s "$1"; }
# used DB: the bytes of the pages in use; retention frees pages inside the
# file (reused by later rows: the file stops growing) without shrinking it.
used() {
	"$CGOV" --db "$1" sql --format csv "select (p.page_count - f.freelist_count) * s.page_size from pragma_page_count p, pragma_freelist_count f, pragma_page_size s" 2>/dev/null |
		sed -n '2{s/"//g;s/\r//;p}' | grep . || echo n/a
}
# rows DB: raw samples, minute rows, hour rows (cgov sql), or "n/a".
rows() {
	"$CGOV" --db "$1" sql --format csv "select (select count(*) from sample), (select count(*) from roll1m), (select count(*) from roll1h)" 2>/dev/null |
		sed -n '2{s/"//g;s/\r//;p}' | grep . || echo "n/a,n/a,n/a"
}
# timed NAME TARGET_MS CMD...: the median of RUNS runs in ms, the target,
# PASS/FAIL; "n/a (exit N)" when a run fails.
timed() {
	name=$1 target=$2
	shift 2
	ts=""
	i=0
	while [ "$i" -lt "$RUNS" ]; do
		t0=$(now_ns)
		"$@" > /dev/null 2> "$DIR/cmd.err"
		rc=$?
		t1=$(now_ns)
		if [ "$rc" != 0 ]; then
			row "$name" "n/a (exit $rc)" "${target:+< $target ms}"
			sed -n '1,3s/^/    /p' "$DIR/cmd.err"
			return
		fi
		ts="$ts $(( (t1 - t0) / 1000 ))"
		i=$((i + 1))
	done
	m=$(echo "$ts" | median)
	ms=$(awk -v u="$m" 'BEGIN { printf "%.1f", u / 1000 }')
	if [ -z "$target" ]; then
		row "$name" "$ms ms"
	elif awk -v u="$m" -v t="$target" 'BEGIN { exit !(u < t * 1000) }'; then
		row "$name" "$ms ms" "< $target ms" PASS
	else
		row "$name" "$ms ms" "< $target ms" FAIL
	fi
}

echo "history: $N containers x $DAYS days (newest hour raw at 1 s, older minute rows), medians of $RUNS runs"
gen "$DB" --keep-minute "${DAYS}d"
secs=$(gen_field s)
bytes=$(size "$DB")
ch=$((N * DAYS * 24))
row "what" "measured" "target" ""
row "generate (cgov_gen, rollups included)" "$secs s"
row "database size" "$bytes B"
row "  in use" "$(used "$DB") B"
row "  per container-hour of history" "$(awk -v b="$bytes" -v h="$ch" 'BEGIN { printf "%.0f B", b / h }')"
r=$(rows "$DB")
row "  raw samples" "$(echo "$r" | cut -d, -f1)"
row "  minute rows" "$(echo "$r" | cut -d, -f2)"
row "  hour rows" "$(echo "$r" | cut -d, -f3)"
timed "top --since 24h" 100 "$CGOV" --db "$DB" top --since 24h
timed "report --since ${DAYS}d --format json" 5000 \
	"$CGOV" --db "$DB" report --since "${DAYS}d" --format json -o /dev/null
timed "policy simulate --since 7d --format json" "" \
	"$CGOV" --db "$DB" policy simulate --policies "$SRC/policies" --since 7d --format json
rm -f "$DB" "$DB-wal" "$DB-shm"

gen "$DB" --keep-minute "$KEEP"
bytes=$(size "$DB")
r=$(rows "$DB")
row "with minute rows kept $KEEP: generate" "$(gen_field s) s"
row "  database size" "$bytes B"
u=$(used "$DB")
row "  in use (the rest: free pages, reused)" "$u B"
row "  in use per container-hour" "$(awk -v b="$u" -v h="$ch" 'BEGIN { printf "%.0f B", b / h }')"
row "  raw / minute / hour rows" "$r"
exit 0
