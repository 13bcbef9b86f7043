#!/bin/bash
# `cgov history`: a container's metric over time.
#
# 1. Real cgroups: a container whose memory grows while cgovd samples it
#    must show a rising series that ends where the kernel's usage counter
#    is; a spinner's CPU must average what cpuacct (cpu.stat) counted.
#    Two containers with one name are ambiguous; an unknown one exits 1.
# 2. Tiers, on a deterministic history (tests/helpers/cgov_gen): a 3 h
#    window answers from the minute and hour rollups, 5 min from raw ticks,
#    and every step gives the same samples and the same overall mean.
# 3. A hostile container name is escaped in the table, JSON and CSV.
# 4. A sparkline is drawn on a terminal (UTF-8 blocks, or ASCII in the C
#    locale), never into a pipe.
. "$(dirname "$0")/../lib/sandbox.sh"
need jq
sb_init
GEN="$CGOV_BUILDDIR/tests/helpers/cgov_gen"
ESC=$'\033'
hist() { "$CGOV" --db "$DB" history "$@"; }
# num JSON FILTER: one number out of the JSON on stdin.
num() { jq -r "$1"; }
# within A B PCT: |A - B| <= PCT% of B.
within() { awk -v a="$1" -v b="$2" -v p="$3" 'BEGIN { d = a - b; if (d < 0) d = -d; exit !(d <= b * p / 100) }'; }

# --- 1. a real run -------------------------------------------------------------
DB="$SB_TMP/cgov.db"
GROW_BYTES=$((160 * 1024 * 1024))
sb_mk grow
sb_mk spin
sb_run spin "$SB_TMP/spin.out" "$HOG" spin
wait_until 5 'grep -q ready "$SB_TMP/spin.out"' || fail "spinner never got ready"
daemon_start --config /dev/null --db "$DB" --interval 500ms --rescan-interval 500ms
wait_until 20 'test "$(db_q "select count(*) from tick")" -ge 3' || fail "no ticks stored"

# The growth starts once cgovd samples, so the series starts low.
sb_run grow "$SB_TMP/grow.out" "$HOG" grow "$GROW_BYTES"
USAGE=$(sb_file grow memory.usage_in_bytes || sb_file grow memory.current) || fail "no usage file"
CPUACCT=$(sb_file spin cpuacct.usage || sb_file spin cpu.stat) || fail "no CPU usage file"
# cpu_ns: the spinner's CPU time in ns, from the kernel.
cpu_ns() {
	case "$CPUACCT" in
	*cpu.stat) awk '$1 == "usage_usec" { printf "%.0f", $2 * 1000 }' "$CPUACCT" ;;
	*) cat "$CPUACCT" ;;
	esac
}
wall_ms() { date +%s%3N; }
# A trace of the kernel's count every 0.1 s while the test waits, to set
# beside the history's points (a record, not a wait); 6 s at least, so
# that 3 whole points lie inside it with a second spare at each end.
( while :; do echo "$(wall_ms) $(cpu_ns)"; sleep 0.1; done ) > "$SB_TMP/cpu.trace" &
TRACE_PID=$!
SB_PIDS="$SB_PIDS $TRACE_PID"
w0=$(wall_ms)
wait_until 10 'test "$(wall_ms)" -ge $((w0 + 6000))' || fail "the clock stopped"
wait_until 30 'test "$(cat "$USAGE")" -ge "$GROW_BYTES"' || fail "grow reached only $(cat "$USAGE") bytes"
kern_mem=$(cat "$USAGE")
# Three more ticks once the growth is done: the last points hold the peak.
t0=$(db_q 'select max(id) from tick')
wait_until 20 'test "$(db_q "select max(id) from tick")" -ge $((t0 + 3))' || fail "ticks stopped"
kill "$TRACE_PID"; wait "$TRACE_PID" 2>/dev/null
kill -0 "$DAEMON_PID" 2>/dev/null || fail "cgovd died"

hist "$(sb_path grow)" --metric memory --since 1m --format json > "$SB_TMP/mem.json" ||
	fail "history --metric memory failed"
jq -e '.metric == "memory" and .unit == "bytes" and .step_ms == 1000 and
	(.points | length) >= 60 and (.points | length) <= 61 and .tiers == ["raw"]' \
	"$SB_TMP/mem.json" >/dev/null || fail "memory history header wrong: $(jq -c 'del(.points)' "$SB_TMP/mem.json")"
# Known points only (the window starts before cgovd did).
avgs=$(jq -r '[.points[] | select(.avg != null) | .avg] | @tsv' "$SB_TMP/mem.json")
first=$(echo "$avgs" | awk '{ print $1 }')
last=$(echo "$avgs" | awk '{ print $NF }')
peak=$(jq '[.points[].max | select(. != null)] | max' "$SB_TMP/mem.json")
[ "$(echo "$avgs" | wc -w)" -ge 5 ] || fail "only $(echo "$avgs" | wc -w) points with data: $avgs"
# Rising: it starts below half of what it ends with and never drops by
# more than 4 MiB from one point to the next.
awk -v f="$first" -v l="$last" 'BEGIN { exit !(f < l / 2) }' || fail "memory does not rise: first $first, last $last"
echo "$avgs" | awk '{ for (i = 2; i <= NF; i++) if ($i < $(i - 1) - 4194304) exit 1 }' ||
	fail "memory series falls: $avgs"
within "$peak" "$kern_mem" 5 || fail "history's peak $peak is not within 5% of the kernel's $kern_mem"
jq -e '[.points[] | select(.samples > 0) | .min <= .avg and .avg <= .max and .p95 <= .max and
	.p95 >= .min and .tier == "raw"] | all' "$SB_TMP/mem.json" >/dev/null ||
	fail "a point has min/avg/p95/max out of order: $(jq -c '.points[-3:]' "$SB_TMP/mem.json")"

# CPU: the spinner's points within the trace average what the kernel
# counted over the same time: the ticks of those points cover (first tick
# - its dt, last tick], read from the database, and the trace is
# interpolated there. A busy host may give the spinner far less than a
# core: the kernel's figure is the reference, not 1.
hist spin --metric cpu --since 1m --format json > "$SB_TMP/cpu.json" || fail "history --metric cpu failed"
tr0=$(head -n 1 "$SB_TMP/cpu.trace" | cut -d' ' -f1)
tr1=$(tail -n 1 "$SB_TMP/cpu.trace" | cut -d' ' -f1)
read -r p1 pk hist_cores npts < <(jq -r --argjson a "$((tr0 + 1000))" --argjson b "$((tr1 - 2000))" \
	'[.points[] | select(.ts_ms >= $a and .ts_ms <= $b and .avg != null)] |
	[.[0].ts_ms, .[-1].ts_ms, (map(.avg) | add / length), length] | @tsv' "$SB_TMP/cpu.json")
[ "${npts:-0}" -ge 3 ] || fail "only ${npts:-0} cpu points within the trace ($tr0 .. $tr1)"
span=$(db_q "select min(ts_ms - dt_ms) || ' ' || max(ts_ms) from tick where ts_ms >= $p1 and ts_ms < $pk + 1000")
kern_cores=$(awk -v a="${span% *}" -v b="${span#* }" '
	function at(x,  i) {
		for (i = 2; i <= NR; i++)
			if (t[i] >= x && t[i] > t[i - 1])
				return c[i - 1] + (c[i] - c[i - 1]) * (x - t[i - 1]) / (t[i] - t[i - 1])
		return c[NR]
	}
	{ t[NR] = $1; c[NR] = $2 }
	END { printf "%.4f", (at(b) - at(a)) / 1e6 / (b - a) }' "$SB_TMP/cpu.trace")
awk -v c="$hist_cores" 'BEGIN { exit !(c > 0.02) }' && within "$hist_cores" "$kern_cores" 5 ||
	fail "spinner: history says $hist_cores cores, the kernel $kern_cores over $span"
jq -e '.unit == "cores" and ([.points[] | select(.samples > 0)] | all(.min == null and .max >= .avg))' \
	"$SB_TMP/cpu.json" >/dev/null || fail "cpu points: $(jq -c '.points[-2:]' "$SB_TMP/cpu.json")"

# CSV: a header and one line per point; the table names the resolution.
n=$(jq '.points | length' "$SB_TMP/mem.json")
csv=$(hist grow --metric memory --since 1m --format csv) || fail "csv failed"
[ "$(printf '%s\n' "$csv" | wc -l)" -ge "$n" ] && [ "$(printf '%s\n' "$csv" | wc -l)" -le $((n + 2)) ] ||
	fail "csv has $(printf '%s\n' "$csv" | wc -l) lines for about $n points"
printf '%s\n' "$csv" | head -n 1 | grep -q '^path,name,runtime,metric,unit,ts_ms,time,min,avg,p95,max,count,samples,tier' ||
	fail "csv header: $(printf '%s\n' "$csv" | head -n 1)"
hist grow --since 1m | head -n 1 | grep -q 'resolution: raw' || fail "table header: $(hist grow --since 1m | head -n 1)"

# Usage errors and unknown containers.
hist grow --metric mem > "$SB_TMP/err" 2>&1; rc=$?
[ "$rc" = 2 ] && grep -q 'pressure.memory' "$SB_TMP/err" || fail "unknown metric: exit $rc: $(cat "$SB_TMP/err")"
hist no-such-container > "$SB_TMP/err" 2>&1; rc=$?
[ "$rc" = 1 ] && grep -q 'no container' "$SB_TMP/err" || fail "unknown container: exit $rc: $(cat "$SB_TMP/err")"
hist grow --since 0s > /dev/null 2>&1; [ $? = 2 ] || fail "--since 0s accepted"
hist grow --since 30d --step 1ms > /dev/null 2>&1; [ $? = 2 ] || fail "billions of points accepted"

# Two containers named "dup" under different parents: the name is
# ambiguous and both paths are listed; a path still works.
for d in a b a/dup b/dup; do sb_mk "$d"; done
"$CGOVD" --once --config /dev/null --db "$SB_TMP/dup.db" --interval 200ms \
	--containers "$SB_BASE/a/*" --containers "$SB_BASE/b/*" > "$SB_TMP/once.log" 2>&1 ||
	fail "cgovd --once: $(cat "$SB_TMP/once.log")"
"$CGOV" --db "$SB_TMP/dup.db" history dup > "$SB_TMP/err" 2>&1; rc=$?
[ "$rc" = 2 ] && grep -qF "$(sb_path a/dup)" "$SB_TMP/err" && grep -qF "$(sb_path b/dup)" "$SB_TMP/err" ||
	fail "ambiguous name: exit $rc: $(cat "$SB_TMP/err")"
"$CGOV" --db "$SB_TMP/dup.db" history "$(sb_path b/dup)" --format json |
	jq -e --arg p "$(sb_path b/dup)" '.container.path == $p and .container.name == "dup"' >/dev/null ||
	fail "history by path of an ambiguous name"
kill -TERM "$DAEMON_PID"; wait "$DAEMON_PID"; rc=$?; DAEMON_PID=""
[ "$rc" = 0 ] || fail "cgovd exited $rc"

# --- 2. tiers on a generated history -----------------------------------------
[ -x "$GEN" ] || fail "no $GEN"
DB="$SB_TMP/gen.db"
"$GEN" --db "$DB" --hours 3 --raw 30m --quiet > "$SB_TMP/gen.log" 2>&1 || fail "cgov_gen: $(cat "$SB_TMP/gen.log")"
h3=$(hist web --metric cpu --since 3h --format json) || fail "history --since 3h failed"
# 3 minutes a point; the minute tier answers all but the newest minute,
# which may still be raw ticks.
echo "$h3" | jq -e '.step_ms == 180000 and (.points | length) <= 62 and (.tiers | index("1m")) != null
	and ([.points[] | select(.samples > 0) | .tier] | all(. == "1m" or . == "raw"))
	and ([.points[] | select(.tier == "1m")] | length) >= 55' >/dev/null ||
	fail "--since 3h: $(echo "$h3" | jq -c '{step_ms, tiers, n: (.points | length), t: [.points[].tier]}')"
h1h=$(hist web --metric cpu --since 3h --step 1h --format json) || fail "--step 1h failed"
echo "$h1h" | jq -e '(.tiers | index("1h")) != null and ([.points[] | select(.tier == "1h")] | length) >= 2' \
	>/dev/null || fail "--step 1h: $(echo "$h1h" | jq -c '{tiers, t: [.points[].tier]}')"
h5=$(hist web --metric memory --since 5m --format json) || fail "--since 5m failed"
# 5 minutes at 10 s ticks: points of one tick each, raw.
echo "$h5" | jq -e '.step_ms == 10000 and .tiers == ["raw"] and
	([.points[] | select(.samples > 0)] | length) >= 29 and
	([.points[] | select(.samples > 0)] | all(.tier == "raw" and .samples == 1))' >/dev/null ||
	fail "--since 5m: $(echo "$h5" | jq -c '{step_ms, tiers, p: [.points[] | [.tier, .samples]]}')"
# The same window at three steps (raw, minutes, hours): the same ticks, and
# the same overall mean, weighted by samples.
mean() { jq '[.points[] | select(.samples > 0) | [.avg * .samples, .samples]] | transpose |
	map(add) | .[0] / .[1]'; }
for m in cpu memory; do
	for s in 10s 1m 1h; do
		hist web --metric $m --since 3h --step $s --format json > "$SB_TMP/s.$m.$s" ||
			fail "--metric $m --step $s failed"
	done
	n10=$(num .samples < "$SB_TMP/s.$m.10s"); n1m=$(num .samples < "$SB_TMP/s.$m.1m")
	n1h=$(num .samples < "$SB_TMP/s.$m.1h")
	[ "$n10" -ge 1000 ] && [ "$n10" = "$n1m" ] && [ "$n1m" = "$n1h" ] ||
		fail "$m: samples differ across steps: 10s $n10, 1m $n1m, 1h $n1h"
	a10=$(mean < "$SB_TMP/s.$m.10s"); a1m=$(mean < "$SB_TMP/s.$m.1m"); a1h=$(mean < "$SB_TMP/s.$m.1h")
	within "$a1m" "$a10" 1 && within "$a1h" "$a10" 1 ||
		fail "$m: means differ across steps: 10s $a10, 1m $a1m, 1h $a1h"
done
jq -e '.tiers == ["raw"] or .tiers == ["1m", "raw"]' "$SB_TMP/s.cpu.10s" >/dev/null ||
	fail "--step 10s over 3h: tiers $(jq -c .tiers "$SB_TMP/s.cpu.10s")"

# --- 3. a hostile name ---------------------------------------------------------
DB="$SB_TMP/hostile.db"
"$GEN" --db "$DB" --hours 1 --hostile --quiet > "$SB_TMP/gen.log" 2>&1 || fail "cgov_gen --hostile: $(cat "$SB_TMP/gen.log")"
"$CGOV" --db "$DB" containers --format json > "$SB_TMP/cts.json" || fail "containers"
bad=$(jq -r '.containers[] | select(.name | contains("<script>")) | .path' "$SB_TMP/cts.json")
want=$(jq -r '.containers[] | select(.name | contains("<script>")) | .name' "$SB_TMP/cts.json")
case "$want" in *"$ESC"*) ;; *) fail "cgov_gen --hostile made no ESC in a name" ;; esac
case "$want" in *"
"*) ;; *) fail "cgov_gen --hostile made no newline in a name" ;; esac
json=$(hist "$bad" --since 10m --format json) || fail "hostile: json failed"
echo "$json" | grep -q "$ESC" && fail "hostile json carries a raw ESC"
[ "$(echo "$json" | jq -r .container.name)" = "$want" ] || fail "hostile json does not round-trip the name"
[ "$(echo "$json" | jq -r .container.path)" = "$bad" ] || fail "hostile json does not round-trip the path"
np=$(echo "$json" | jq '.points | length')
[ "$np" -ge 60 ] || fail "hostile: $np points"
# The table: a title, the column headers, one line per point: the newline
# in the name did not make one more.
table=$(hist "$bad" --since 10m) || fail "hostile: table failed"
echo "$table" | grep -q "$ESC" && fail "hostile table carries a raw ESC: $(echo "$table" | cat -v)"
echo "$table" | head -n 1 | grep -qF '\x1b[' || fail "hostile table title not escaped: $(echo "$table" | head -n 2 | cat -v)"
[ "$(printf '%s\n' "$table" | wc -l)" = $((np + 2)) ] ||
	fail "hostile table: $(printf '%s\n' "$table" | wc -l) lines for $np points: $(echo "$table" | head -n 3 | cat -v)"
csv=$(hist "$bad" --since 10m --format csv) || fail "hostile: csv failed"
echo "$csv" | grep -q "$ESC" && fail "hostile csv carries a raw ESC"
[ "$(printf '%s\n' "$csv" | wc -l)" = $((np + 1)) ] ||
	fail "hostile csv: the newline broke a row: $(echo "$csv" | head -n 3 | cat -v)"
row=$(printf '%s\n' "$csv" | sed -n 2p)
echo "$row" | grep -qF '\x1b[' || fail "hostile csv not escaped: $(echo "$row" | cat -v)"
case "$want" in *'"'*) echo "$row" | grep -qF '""' || fail "hostile csv: a quote not doubled: $row" ;; esac

# --- 4. the sparkline ------------------------------------------------------------
need script
DB="$SB_TMP/gen.db"
BLOCKS='[▁▂▃▄▅▆▇█]'
tty_out=$(LC_ALL=C.UTF-8 COLUMNS=100 script -qec "'$CGOV' --db '$DB' history db --since 3h" /dev/null) ||
	fail "history on a terminal failed: $tty_out"
spark=$(printf '%s\n' "$tty_out" | grep "^min .* max .* over 3h" | tr -d '\r')
[ -n "$spark" ] || fail "no sparkline on a terminal: $tty_out"
echo "$spark" | LC_ALL=C.UTF-8 grep -q "$BLOCKS$BLOCKS$BLOCKS" || fail "sparkline without blocks: $spark"
# db's memory grows steadily: after the empty first point (before the
# history began), the line starts at the bottom and ends at the top.
bars=$(echo "$spark" | sed 's/^min [^ ]* *//; s/ max .*//')
case "$bars" in ▁*[▇█]|▂*[▇█]) ;; *) fail "db's growth does not draw low to high: $bars" ;; esac
[ "$(printf '%s' "$spark" | LC_ALL=C.UTF-8 wc -m)" -le 100 ] || fail "sparkline wider than COLUMNS=100: $spark"
ascii=$(LC_ALL=C COLUMNS=100 script -qec "'$CGOV' --db '$DB' history db --since 3h" /dev/null | tr -d '\r' |
	grep "^min .* max")
echo "$ascii" | grep -q '^min [^ ]*  *[_.][_.:=+*#-]*[*#] max' || fail "ASCII sparkline in the C locale: $ascii"
piped=$(LC_ALL=C.UTF-8 hist db --since 3h)
printf '%s\n' "$piped" | LC_ALL=C.UTF-8 grep -q "$BLOCKS\|^min " && fail "a sparkline went into a pipe: $piped"
printf '%s\n' "$piped" | grep -q '^TIME' || fail "piped table has no header: $piped"

pass "memory rose to $peak bytes (kernel $kern_mem), spinner $hist_cores cores (kernel $kern_cores), tiers agree: $a10 / $a1m / $a1h bytes"
