# browser.sh: the HTML report in headless chromium, for report_browser.sh and
# report_layout.sh (sourced after sandbox.sh). browser_report PREFIX makes
# $T (removed at exit unless CGOV_KEEP is set), a synthetic history with
# actions and a hostile name in $T/h.db (cgov_gen) and its 3h HTML report
# in $T/r.html; skips (77) without python3, chromium or cgov_gen.
# chrome ARGS... runs chromium headless on them, stderr to $T/chrome.log
# (D-Bus and GPU complaints are noise, kept for a failure message).
browser_report() {
	need python3
	CHROMIUM=$(command -v chromium || command -v chromium-browser) ||
		skip "needs chromium (Debian package chromium; contrib/bootstrap.sh installs it)"
	GEN="$CGOV_BUILDDIR/tests/helpers/cgov_gen"
	[ -x "$GEN" ] || skip "needs $GEN (make check builds it)"
	T=$(mktemp -d "/tmp/$1.XXXXXX") || fail "cannot make a temporary directory"
	# CGOV_KEEP=1 keeps the report, the DOM and the screenshot for a look.
	[ -n "${CGOV_KEEP:-}" ] || trap 'rm -rf "$T"' EXIT
	mkdir -p "$T/home"
	"$GEN" --db "$T/h.db" --actions --hostile --quiet > "$T/gen.log" 2>&1 ||
		fail "cgov_gen failed: $(cat "$T/gen.log")"
	"$CGOV" --db "$T/h.db" report --since 3h --format html -o "$T/r.html" \
		--root "$CGOV_SRCDIR/tests/fixtures/report-host" > "$T/report.log" 2>&1 ||
		fail "cgov report --format html failed: $(cat "$T/report.log")"
	[ -s "$T/r.html" ] || fail "empty report"
}

# chromium wants a writable HOME and profile; no sandbox as root in CI.
chrome() {
	HOME="$T/home" timeout 60 "$CHROMIUM" --headless=new --no-sandbox --disable-gpu \
		--no-first-run --disable-extensions --hide-scrollbars \
		--user-data-dir="$T/profile" "$@" 2>> "$T/chrome.log"
}
