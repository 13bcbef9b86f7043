#!/bin/bash
# report_coverage.sh: the report never overstates. A 1-day report over
# 150 s of history says how little of the window has data and gives no
# trend, no forecast and no trend line (text, JSON, HTML); over 8 hours of
# a day (a third of it) the trend is there and its line starts where the
# data starts, not at the start of the window; over 30 hours it spans the
# window. The rule (report.h, cgov(1)): at least 25% of the window covered,
# over at least an hour.
# Needs no root.
: "${CGOV_SRCDIR:=$(cd "$(dirname "$0")/../.." && pwd)}"
: "${CGOV_BUILDDIR:=$CGOV_SRCDIR}"
CGOV=$CGOV_BUILDDIR/cgov
GEN=$CGOV_BUILDDIR/tests/helpers/cgov_gen
TEST_NAME=report_coverage

skip() { echo "SKIP: $TEST_NAME: $*"; exit 77; }
fail() { echo "FAIL: $TEST_NAME: $*"; exit 1; }
pass() { echo "ok: $TEST_NAME: $*"; }

[ -x "$CGOV" ] || skip "no $CGOV"
[ -x "$GEN" ] || skip "no $GEN"
command -v jq > /dev/null || skip "needs jq"
TMP=$(mktemp -d /tmp/cgov-report-coverage.XXXXXX) || fail "mktemp"
trap 'rm -rf "$TMP"' EXIT

gen() { "$GEN" --db "$TMP/$1.db" "${@:2}" --quiet > "$TMP/gen.out" 2>&1 || fail "cgov_gen $*: $(cat "$TMP/gen.out")"; }
# report NAME FORMAT: the 1-day report of history NAME; the host checks
# read an empty root (nothing of this machine in the output).
mkdir -p "$TMP/root"
report() { "$CGOV" --db "$TMP/$1.db" report --since 1d --root "$TMP/root" --format "$2"; }

# --- 150 s of history in a 1-day window ----------------------------------
gen short --span 150s
report short text > "$TMP/short.txt" || fail "report text failed"
report short json > "$TMP/short.json" || fail "report json failed"
report short html > "$TMP/short.html" || fail "report html failed"
grep -q '^  history  *covers 2m of the 1d window (0\.1%)' "$TMP/short.txt" ||
	fail "the text does not say how much of the window has data: $(sed -n 1,8p "$TMP/short.txt")"
# (the text wraps long lines: join them to look for words)
tr '\n' ' ' < "$TMP/short.txt" | tr -s ' ' | grep -q 'too little for a trend' ||
	fail "the text does not say why there is no trend"
grep -q '/day' "$TMP/short.txt" && fail "a per-day trend from 150 s: $(grep '/day' "$TMP/short.txt")"
grep -q 'runs out at' "$TMP/short.txt" && fail "a forecast date from 150 s"
jq -e '.coverage.covered_ms <= 150000 and .coverage.covered_ms > 0 and .coverage.pct < 1 and
	.coverage.trend_min_pct == 25 and .coverage.trend_min_span_ms == 3600000 and
	.coverage.data_from != null' "$TMP/short.json" > /dev/null ||
	fail "JSON coverage: $(jq -c .coverage "$TMP/short.json")"
jq -e '.node.mem_forecast.verdict == "too-short" and .node.mem_forecast.slope_bytes_per_day == null
	and .node.mem_forecast.runs_out == null and .node.mem_forecast.fit_at_end_bytes == null' \
	"$TMP/short.json" > /dev/null || fail "JSON node forecast: $(jq -c '.node.mem_forecast | del(.method)' "$TMP/short.json")"
jq -e '[.containers[] | select(.limit_forecast != "too-short" and .limit_forecast != "too-few")] |
	length == 0' "$TMP/short.json" > /dev/null ||
	fail "a container got a trend from 150 s: $(jq -c '[.containers[].limit_forecast]' "$TMP/short.json")"
grep -q 'data-series="forecast"' "$TMP/short.html" && fail "the HTML draws a trend line from 150 s"
grep -q 'History covers 2m of the 1d window (0.1%)' "$TMP/short.html" || fail "the HTML does not say the coverage"
grep -q '/day' "$TMP/short.html" && fail "the HTML gives a per-day trend from 150 s"
pass "150 s of a day: coverage said, no trend, no forecast, no line"

# --- 8 hours of a day: a trend, drawn from where the data starts -------------
gen third --hours 8 --raw 1h
report third json > "$TMP/third.json" || fail "report json failed"
report third html > "$TMP/third.html" || fail "report html failed"
jq -e '.coverage.pct > 33 and .coverage.pct < 34' "$TMP/third.json" > /dev/null ||
	fail "8h of 1d: coverage $(jq -c .coverage.pct "$TMP/third.json")"
jq -e '.node.mem_forecast.verdict != "too-short" and .node.mem_forecast.slope_bytes_per_day != null' \
	"$TMP/third.json" > /dev/null || fail "no trend from 8h of a day: $(jq -c '.node.mem_forecast | del(.method)' "$TMP/third.json")"
# first_x FILE: the x of the trend line's first point.
first_x() { sed -n 's/.*data-series="forecast" points="\([0-9.]*\),.*/\1/p' "$1" | head -n 1; }
x3=$(first_x "$TMP/third.html")
[ -n "$x3" ] || fail "no trend line in the HTML from 8h of history"

# --- 30 hours: the window is full ----------------------------------------------
gen full --hours 30 --raw 1h
report full json > "$TMP/full.json" || fail "report json failed"
report full html > "$TMP/full.html" || fail "report html failed"
jq -e '.coverage.pct > 99.9 and .node.mem_forecast.verdict != "too-short"' "$TMP/full.json" > /dev/null ||
	fail "30h of history: $(jq -c '.coverage, .node.mem_forecast.verdict' "$TMP/full.json")"
jq -e '[.containers[] | select(.limit_forecast == "too-short")] | length == 0' "$TMP/full.json" > /dev/null ||
	fail "a container without a trend over a full window"
x1=$(first_x "$TMP/full.html")
[ -n "$x1" ] || fail "no trend line over a full window"
# Two thirds of the day have no data: the line starts well right of the
# full window's start (the chart is the same width in both).
awk -v a="$x3" -v b="$x1" 'BEGIN { exit !(a > b + 100) }' ||
	fail "the 8h trend line starts at x=$x3, the full one at x=$x1: drawn across the empty part"
pass "8h of a day: trend, its line from x=$x3 (full window: x=$x1); 30h: trend"
