#!/bin/bash
# contrib/cgov-report.sh, the nightly job, with the real cgov on a history
# from cgov_gen (hostile names, actions): today's report.html and
# report.json land in DIR/YYYY-MM-DD (UTC), atomically (no temporary
# directory left, a second run replaces them), dated directories more than
# -k days old go, and nothing else in DIR does: other names, a file named
# like a date, a link named like a date (nor what it points to). A failing
# cgov makes the job fail and leaves no dated directory. Needs no root.
. "$(dirname "$0")/../lib/sandbox.sh"
GEN="$CGOV_BUILDDIR/tests/helpers/cgov_gen"
JOB="$CGOV_SRCDIR/contrib/cgov-report.sh"
TMP=$(mktemp -d /tmp/cgov-test.XXXXXX)
trap 'rm -rf "$TMP"' EXIT
DB="$TMP/cgov.db"
R="$TMP/reports"

ago() { date -u -d "@$(( $(date -u +%s) - $1 * 86400 ))" +%Y-%m-%d; }

"$GEN" --db "$DB" --quiet --actions --hostile > "$TMP/gen.out" 2>&1 ||
	fail "cgov_gen failed: $(cat "$TMP/gen.out")"
"$CGOV" --db "$DB" report --since 1h --format json > /dev/null 2>&1 ||
	fail "cgov report does not work on a generated history"

mkdir -p "$R/$(ago 10)" "$R/$(ago 4)" "$R/$(ago 3)" "$R/$(ago 1)" "$R/notes" \
	"$R/$(ago 40).bak" "$TMP/elsewhere"
echo old > "$R/$(ago 10)/report.html"
echo keep > "$R/notes/readme"
echo keep > "$R/$(ago 50)"                      # a file, not a directory
echo keep > "$TMP/elsewhere/precious"
ln -s "$TMP/elsewhere" "$R/$(ago 60)"           # a link named like a date

before=$(date -u +%Y-%m-%d)
sh "$JOB" -d "$R" -k 3 -s 3h --db "$DB" --cgov "$CGOV" > "$TMP/job.out" 2>&1 ||
	fail "the job failed: $(cat "$TMP/job.out")"
today=$(date -u +%Y-%m-%d)
[ "$before" = "$today" ] || skip "the UTC date changed during the run"

for f in report.html report.json; do
	[ -s "$R/$today/$f" ] || fail "no $f in $R/$today: $(ls -la "$R/$today" 2>&1)"
done
grep -q '<html' "$R/$today/report.html" || fail "report.html is not HTML"
grep -qF '<script>alert(1)' "$R/$today/report.html" && fail "report.html carries a raw hostile name"
if command -v jq > /dev/null 2>&1; then
	jq -e . "$R/$today/report.json" > /dev/null || fail "report.json is not valid JSON"
fi
[ "$(stat -c %a "$R/$today")" = 750 ] || fail "$R/$today is mode $(stat -c %a "$R/$today"), not 750"
# The reports name every tenant: not world-readable.
[ "$(stat -c %a "$R/$today/report.json")" = 640 ] ||
	fail "report.json is mode $(stat -c %a "$R/$today/report.json"), not 640"

[ -e "$R/$(ago 10)" ] && fail "$(ago 10) (10 days old) was kept with -k 3"
[ -e "$R/$(ago 4)" ] && fail "$(ago 4) (4 days old) was kept with -k 3"
[ -d "$R/$(ago 3)" ] || fail "$(ago 3) (3 days old) was deleted with -k 3"
[ -d "$R/$(ago 1)" ] || fail "$(ago 1) was deleted"
[ -f "$R/notes/readme" ] || fail "a directory not named like a date was deleted"
[ -d "$R/$(ago 40).bak" ] || fail "a directory named date.bak was deleted"
[ -f "$R/$(ago 50)" ] || fail "a file named like a date was deleted"
[ -L "$R/$(ago 60)" ] || fail "a link named like a date was deleted"
[ -f "$TMP/elsewhere/precious" ] || fail "the target of a link named like a date was deleted"
left=$(find "$R" -name '.cgov-report.*')
[ -z "$left" ] || fail "temporary directories left: $left"

# A second run the same day replaces the files.
echo stale > "$R/$today/report.html"
sh "$JOB" -d "$R" -k 3 -s 3h --db "$DB" --cgov "$CGOV" > "$TMP/job.out" 2>&1 ||
	fail "the second run failed: $(cat "$TMP/job.out")"
grep -q '<html' "$R/$today/report.html" || fail "the second run did not replace report.html"
left=$(find "$R" -name '.cgov-report.*')
[ -z "$left" ] || fail "temporary directories left by the second run: $left"

# cgov fails (not a database): the job fails and writes no dated directory.
echo "not a database" > "$TMP/bad.db"
sh "$JOB" -d "$TMP/r2" -k 3 --db "$TMP/bad.db" --cgov "$CGOV" > "$TMP/job.out" 2>&1 &&
	fail "the job succeeded on a broken database"
grep -q "cgov report" "$TMP/job.out" || fail "the job's error does not say what failed: $(cat "$TMP/job.out")"
[ -z "$(ls -A "$TMP/r2")" ] || fail "a failed run left files: $(ls -A "$TMP/r2")"
sh "$JOB" -d "$TMP/r3" --db "$TMP/missing.db" --cgov "$CGOV" > /dev/null 2>&1 &&
	fail "the job succeeded without a database"
sh "$JOB" -k many --db "$DB" > /dev/null 2>&1
[ $? = 2 ] || fail "-k many is not a usage error (exit 2)"
pass "today's reports written, 2 old dated directories deleted, 7 other entries kept"
