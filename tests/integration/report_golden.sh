#!/bin/bash
# report_golden.sh: `cgov report` on a generated history, diffed with
# tests/golden/report.txt and report.json; the hostile container name is
# escaped in text, JSON, CSV and HTML; the output depends neither on the
# time zone nor on the run (two generations, one report).
#
# The history: `cgov_gen --actions --hostile` (6 containers, 3 hours from
# 2026-01-01T00:00:00Z, every 10 s, the journal's actions; container "db"
# renamed to a hostile name). The host checks read the fake root
# tests/fixtures/report-host (two disks, a loop device, no swap, a java task
# in /lxc/jvm), passed as a relative path so no absolute path of this
# machine reaches the output. With a --root other than / the report does
# not audit the live host (AUDIT says "not run"): the golden files do not
# depend on the machine.
#
#   CGOV_GOLDEN_UPDATE=1 report_golden.sh   rewrites the golden files from
#                                           the current output (read the
#                                           diff before committing it)
# Needs no root.
: "${CGOV_SRCDIR:=$(cd "$(dirname "$0")/../.." && pwd)}"
: "${CGOV_BUILDDIR:=$CGOV_SRCDIR}"
CGOV=$CGOV_BUILDDIR/cgov
GEN=$CGOV_BUILDDIR/tests/helpers/cgov_gen
GOLDEN=$CGOV_SRCDIR/tests/golden
FIXTURES=$CGOV_SRCDIR/tests/fixtures
TEST_NAME=report_golden

skip() { echo "SKIP: $TEST_NAME: $*"; exit 77; }
fail() { echo "FAIL: $TEST_NAME: $*"; exit 1; }
pass() { echo "ok: $TEST_NAME: $*"; }

[ -x "$CGOV" ] || skip "no $CGOV"
[ -x "$GEN" ] || skip "no $GEN"
TMP=$(mktemp -d /tmp/cgov-report-golden.XXXXXX) || fail "mktemp"
trap 'rm -rf "$TMP"' EXIT
HOSTILE=$(printf '<script>alert(1)</script>"'"'"'&\033[31mred\nline')

"$GEN" --db "$TMP/h.db" --actions --hostile --quiet > "$TMP/gen.out" 2>&1 ||
	fail "cgov_gen failed: $(cat "$TMP/gen.out")"

# report FORMAT [ARGS...]: the report of the whole generated span, run from
# the fixtures so --root is relative.
report() {
	local fmt=$1
	shift
	(cd "$FIXTURES" && "$CGOV" --db "$TMP/h.db" report --since 3h --root report-host \
		--format "$fmt" "$@")
}

report text > "$TMP/report.txt" || fail "report --format text failed"
report json > "$TMP/report.json" || fail "report --format json failed"
report csv > "$TMP/report.csv" || fail "report --format csv failed"
report html > "$TMP/report.html" || fail "report --format html failed"

if [ "${CGOV_GOLDEN_UPDATE:-0}" = 1 ]; then
	cp "$TMP/report.txt" "$GOLDEN/report.txt" && cp "$TMP/report.json" "$GOLDEN/report.json" ||
		fail "cannot write $GOLDEN"
	pass "golden files rewritten in $GOLDEN"
	exit 0
fi

# 1. The golden files.
diff -u "$GOLDEN/report.txt" "$TMP/report.txt" || fail "text differs from tests/golden/report.txt"
diff -u "$GOLDEN/report.json" "$TMP/report.json" || fail "json differs from tests/golden/report.json"
pass "text and json equal the golden files"

# 2. Neither the time zone nor the run changes a byte: another zone (UTC+5:45
# and UTC-10, no DST), a second history from the same arguments, -o.
TZ=Asia/Kathmandu report text | cmp -s - "$TMP/report.txt" || fail "text differs in TZ=Asia/Kathmandu"
TZ=Pacific/Honolulu report json | cmp -s - "$TMP/report.json" || fail "json differs in TZ=Pacific/Honolulu"
mv "$TMP/h.db" "$TMP/first.db"
rm -f "$TMP/h.db-wal" "$TMP/h.db-shm"
"$GEN" --db "$TMP/h.db" --actions --hostile --quiet > "$TMP/gen.out" 2>&1 || fail "second cgov_gen failed"
report json | cmp -s - "$TMP/report.json" || fail "a second generation gives another report"
report json -o "$TMP/out.json" && cmp -s "$TMP/out.json" "$TMP/report.json" ||
	fail "-o writes something else than stdout"
ls "$TMP" | grep -q '\.tmp\.' && fail "-o left its temporary file behind"
pass "same bytes in other time zones, from a second generation, and with -o"

# 3. The hostile name, escaped everywhere. Text: no control character but
# newline, the name shown with \x escapes, never split over two lines.
LC_ALL=C grep -q "$(printf '[\001-\011\013-\037\177]')" "$TMP/report.txt" &&
	fail "raw control characters in the text report"
grep -qF '<script>alert(1)</script>"'"'"'&\x1b[31mred\x0aline' "$TMP/report.txt" ||
	fail "the text report does not show the escaped name"
grep -q '^line' "$TMP/report.txt" && fail "the hostile newline split a text line"
pass "text: hostile name escaped"

# HTML (report_html.c): no tag of the tenant's, no raw escape.
grep -qF '<script>alert(1)' "$TMP/report.html" && fail "raw <script> of the tenant in the HTML"
LC_ALL=C grep -q "$(printf '\033')" "$TMP/report.html" && fail "raw ESC in the HTML"
pass "html: hostile name escaped"

command -v python3 > /dev/null || skip "needs python3 for the JSON and CSV checks"
HOSTILE="$HOSTILE" python3 - "$TMP/report.json" "$TMP/report.csv" <<'EOF' || fail "json/csv checks (above)"
import csv, io, json, os, sys

hostile = os.environ["HOSTILE"]
raw = open(sys.argv[1], "rb").read()
assert b"\x1b" not in raw, "raw ESC in the JSON"
d = json.loads(raw)
names = [c["name"] for c in d["containers"]]
assert hostile in names, "decoded JSON name differs from the raw one: %r" % names
c = d["containers"][names.index(hostile)]
assert c["path"] == "/lxc/" + hostile, c["path"]
assert any(t["name"] == hostile for t in d["top"]["memory"]), "hostile not in top memory"

# the figures the generator was built to show
by = {c["name"]: c for c in d["containers"]}
assert by["nolimit"]["no_mem_limit"] == 1 and by["nolimit"]["mem_limit_bytes"] is None
assert [x["name"] for x in d["checks"]["no_mem_limit"]] == ["nolimit"]
assert [x["name"] for x in d["checks"]["jvm_without_swap"]] == ["jvm"]
assert d["checks"]["host_no_swap"] == 1
assert [(b["name"], b["scheduler"]) for b in d["checks"]["block_devices"]] == \
    [("sda", "bfq"), ("vda", "mq-deadline")], d["checks"]["block_devices"]
assert by["batch"]["throttled_time_pct"] > 0 and by["web"]["throttled_time_pct"] == 0
assert d["top"]["throttle"][0]["name"] == "batch"
assert d["top"]["io"][0]["name"] == "backup"
assert by["nolimit"]["oom_kill"] >= 1
held = [a for a in d["actions"] if a["kind"] == "apply" and a["rule"] == "cpu-hog"]
assert held and held[0]["held_ms"] == 25 * 60 * 1000, held
assert d["node"]["mem_forecast"]["verdict"] in ("reaches", "beyond"), d["node"]["mem_forecast"]
assert d["node"]["mem_forecast"]["slope_bytes_per_day"] < 0
# a fake --root: the live host is not audited (the output stays this
# history's, whatever machine runs the test)
assert d["audit"] is None and d["audit_not_run"].startswith("--root is not /"), d["audit_not_run"]
assert d["coverage"]["pct"] == 100 and d["coverage"]["data_from"] == "2026-01-01T00:00:00Z"

# CSV: RFC 4180, a header and one row per container, every row as wide as
# the header, no raw control character inside a field.
text = open(sys.argv[2], "rb").read().decode("utf-8")
assert "\x1b" not in text, "raw ESC in the CSV"
rows = list(csv.reader(io.StringIO(text, newline="")))
assert len(rows) == 1 + len(d["containers"]), len(rows)
for r in rows:
    assert len(r) == len(rows[0]), r
    for f in r:
        assert not any(ord(ch) < 0x20 for ch in f), "control character in CSV field %r" % f
assert any(r[0].startswith("<script>alert(1)</script>") and "\\x1b[31mred\\x0aline" in r[0]
    for r in rows[1:]), "the CSV does not hold the escaped name"
EOF
pass "json: the decoded name equals the raw one; csv: one row per container, no raw control character"
