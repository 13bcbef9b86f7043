#!/bin/bash
# report_layout.sh: the HTML report's table of containers, measured in a
# real browser (Debian's chromium, headless) at 1,200 px and at a phone's
# 390 px: at 1,200 px the table fits its box whole (no sideways scroll); on
# the phone it scrolls inside its box, the page itself does not, the name
# column stays in view when the table is scrolled to its right end, and the
# hostile name wraps inside that column.
#
# The report forbids scripts (its Content-Security-Policy): the test
# measures a copy with that one meta tag removed and a measuring script
# added, which writes what it found into the DOM that --dump-dom prints.
# Skips (77) without chromium or python3.
. "$(dirname "$0")/../lib/sandbox.sh"
. "$(dirname "$0")/../lib/browser.sh"
browser_report cgov-layout

python3 - "$T/r.html" "$T/m.html" <<'EOF' || fail "cannot make the measuring copy"
import re, sys
s = open(sys.argv[1], encoding="utf-8").read()
s, n = re.subn(r'<meta http-equiv="Content-Security-Policy"[^>]*>', "", s)
assert n == 1, "no CSP meta tag"
probe = """<script>
(function () {
  var t = document.getElementById("containers"), box = t.parentElement;
  var name = t.querySelector("tbody td.name"), r = {};
  r.vw = document.documentElement.clientWidth;
  r.page_sw = document.documentElement.scrollWidth;
  r.box_sw = box.scrollWidth; r.box_cw = box.clientWidth;
  r.name_w = name.getBoundingClientRect().width;
  box.scrollLeft = box.scrollWidth;
  r.scrolled = box.scrollLeft;
  r.name_dx = name.getBoundingClientRect().left - box.getBoundingClientRect().left;
  var wide = 0;
  t.querySelectorAll("tbody td.name").forEach(function (c) {
    if (c.scrollWidth > c.clientWidth + 1) wide++;
  });
  r.name_overflow = wide;
  document.body.setAttribute("data-layout", JSON.stringify(r));
})();
</script>"""
s = s.replace("</body>", probe + "</body>")
open(sys.argv[2], "w", encoding="utf-8").write(s)
EOF

# measure WIDTH: the probe's findings as JSON.
measure() {
	chrome --window-size="$1,900" --dump-dom "file://$T/m.html" |
		python3 -c 'import html, re, sys
m = re.search(r"data-layout=\"([^\"]*)\"", sys.stdin.read())
print(html.unescape(m.group(1)) if m else "")'
}

L=$(measure 1200)
[ -n "$L" ] || fail "no measurement at 1200 px: $(tail -n 5 "$T/chrome.log")"
python3 - "$L" <<'EOF' || fail "at 1,200 px: $L"
import json, sys
r = json.loads(sys.argv[1])
assert r["box_sw"] <= r["box_cw"] + 1, "the table scrolls sideways at 1,200 px"
assert r["page_sw"] <= r["vw"], "the page overflows"
assert r["name_overflow"] == 0, "a name overflows its cell"
EOF
pass "1,200 px: the containers table fits whole ($L)"

L=$(measure 390)
[ -n "$L" ] || fail "no measurement at 390 px: $(tail -n 5 "$T/chrome.log")"
python3 - "$L" <<'EOF' || fail "at 390 px: $L"
import json, sys
r = json.loads(sys.argv[1])
assert r["page_sw"] <= r["vw"], "the page itself scrolls sideways on a phone"
assert r["box_sw"] > r["box_cw"], "expected the table to scroll inside its box"
assert r["scrolled"] > 0, "the box did not scroll"
assert abs(r["name_dx"]) <= 2, "the name column left the view when scrolled (%s px)" % r["name_dx"]
assert r["name_w"] <= r["vw"] * 0.4, "the name column takes %s px of %s" % (r["name_w"], r["vw"])
assert r["name_overflow"] == 0, "a name overflows its cell"
EOF
pass "390 px: the table scrolls in its box, the name column stays in view and holds its names"
