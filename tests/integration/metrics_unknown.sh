#!/bin/bash
# metrics_unknown.sh: `cgov top`, `history` and `report` agree on a figure
# that is unknown (cgov.policy(5), "UNKNOWN VALUES"): one container's bytes
# written are unknown all along (`cgov_gen --unknown-write`: "web"), its
# bytes read known. Read + write is then unknown in all three (null, never
# the read side alone, never 0), the read rate is the same number in all
# three, and a ranking by I/O puts the unknown last (top) or leaves it out
# (the report's offenders).
#
# Needs no root.
: "${CGOV_SRCDIR:=$(cd "$(dirname "$0")/../.." && pwd)}"
: "${CGOV_BUILDDIR:=$CGOV_SRCDIR}"
CGOV=$CGOV_BUILDDIR/cgov
GEN=$CGOV_BUILDDIR/tests/helpers/cgov_gen
TEST_NAME=metrics_unknown

skip() { echo "SKIP: $TEST_NAME: $*"; exit 77; }
fail() { echo "FAIL: $TEST_NAME: $*"; exit 1; }
pass() { echo "ok: $TEST_NAME: $*"; }

[ -x "$CGOV" ] || skip "no $CGOV"
[ -x "$GEN" ] || skip "no $GEN"
command -v python3 > /dev/null || skip "needs python3"
TMP=$(mktemp -d /tmp/cgov-metrics-unknown.XXXXXX) || fail "mktemp"
trap 'rm -rf "$TMP"' EXIT
DB=$TMP/h.db

# One hour of ticks; the rollup pass makes its minute rows too.
"$GEN" --db "$DB" --hours 1 --unknown-write --quiet > "$TMP/gen.out" 2>&1 ||
	fail "cgov_gen failed: $(cat "$TMP/gen.out")"

"$CGOV" --db "$DB" top --since 1h --by io --format json > "$TMP/top.json" ||
	fail "top failed"
"$CGOV" --db "$DB" top --since 1h --by io --format csv > "$TMP/top.csv" ||
	fail "top --format csv failed"
"$CGOV" --db "$DB" top --since 1h --by io > "$TMP/top.txt" || fail "top (table) failed"
for m in io io.read io.write; do
	"$CGOV" --db "$DB" history web --metric "$m" --since 1h --step 1h --format json \
		> "$TMP/hist-$m.json" || fail "history --metric $m failed"
	# The raw ticks alone (5 min), and the minute rows (a 10 min step).
	"$CGOV" --db "$DB" history web --metric "$m" --since 5m --step 10s --format json \
		> "$TMP/hist-$m-raw.json" || fail "history --metric $m --step 10s failed"
	"$CGOV" --db "$DB" history web --metric "$m" --since 1h --step 10m --format json \
		> "$TMP/hist-$m-1m.json" || fail "history --metric $m --step 10m failed"
done
"$CGOV" --db "$DB" report --since 1h --format json > "$TMP/report.json" ||
	fail "report failed"

python3 - "$TMP" <<'EOF' || fail "top, history and report disagree (above)"
import csv, json, os, sys

d = sys.argv[1]
load = lambda n: json.load(open(os.path.join(d, n)))
top = load("top.json")
rep = load("report.json")
hist = {m: load("hist-%s.json" % m) for m in ("io", "io.read", "io.write")}

# top: write rate unknown, read rate known; ranked by io the unknown comes last.
names = [c["name"] for c in top["containers"]]
assert names[-1] == "web", "top --by io: web (io unknown) not last: %r" % names
web = top["containers"][-1]
assert web["write_bytes_per_s"] is None, web
assert web["read_bytes_per_s"] > 0, web
read_top = web["read_bytes_per_s"]
# The others are known and ranked by read + write, highest first.
io = [c["read_bytes_per_s"] + c["write_bytes_per_s"] for c in top["containers"][:-1]]
assert io == sorted(io, reverse=True), io

# CSV: the unknown is an empty field, not 0.
rows = list(csv.DictReader(open(os.path.join(d, "top.csv"), newline="")))
w = [r for r in rows if r["name"] == "web"][0]
assert w["write_bytes_per_s"] == "" and float(w["read_bytes_per_s"]) == read_top, w

# history: read + write unknown at every point and every resolution; the
# read rate over the hour is top's.
for suffix in ("", "-raw", "-1m"):
    for m in ("io", "io.write"):
        h = load("hist-%s%s.json" % (m, suffix))
        assert h["points"], (m, suffix)
        for p in h["points"]:
            assert p["avg"] is None and p["p95"] is None, (m, suffix, p)
    h = load("hist-io.read%s.json" % suffix)
    assert all(p["avg"] is not None and p["avg"] > 0 for p in h["points"] if p["samples"]), \
        ("io.read", suffix, h["points"])
pts = hist["io.read"]["points"]
assert len(pts) == 1 and pts[0]["samples"] == web["samples"], (pts, web["samples"])
assert pts[0]["avg"] == read_top, ("history io.read", pts[0]["avg"], "top", read_top)

# report: write bytes, read + write per second and its p95 unknown; read
# bytes over the sampled time is the same rate; web is no I/O offender.
rw = [c for c in rep["containers"] if c["name"] == "web"][0]
assert rw["write_bytes"] is None and rw["io_avg_bytes_per_s"] is None, rw
assert rw["io_p95_bytes_per_s"] is None, rw
assert rw["sampled_ms"] > 0 and rw["read_bytes"] > 0, rw
read_rep = rw["read_bytes"] / (rw["sampled_ms"] / 1000.0)
assert abs(read_rep - read_top) <= 1, ("report", read_rep, "top", read_top)
assert "web" not in [x["name"] for x in rep["top"]["io"]], rep["top"]["io"]
assert len(rep["top"]["io"]) == len(rep["containers"]) - 1, rep["top"]["io"]
EOF
pass "read + write unknown in top, history and report; the read rate agrees ($(
	python3 -c 'import json,sys; print([c for c in json.load(open(sys.argv[1]))["containers"]
	    if c["name"] == "web"][0]["read_bytes_per_s"])' "$TMP/top.json") bytes/s)"

# The table shows the unknown as "-".
awk '$1 == "web" { found = 1; if ($11 != "-") exit 1 } END { exit !found }' "$TMP/top.txt" ||
	fail "top's table does not show web's WRITE/s as -: $(grep '^web' "$TMP/top.txt")"
pass "the table shows the unknown as -"
