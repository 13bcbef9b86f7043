#!/bin/bash
# The HTML report in a real browser (Debian's chromium, headless): the DOM it
# builds has the charts, no script and no external resource, and the
# hostile container name stays text; a phone-width screenshot shows a page
# with charts on it that does not overflow sideways.
#
# Skips (77) without chromium or python3; contrib/bootstrap.sh installs both.
. "$(dirname "$0")/../lib/sandbox.sh"
. "$(dirname "$0")/../lib/browser.sh"
browser_report cgov-browser

chrome --dump-dom "file://$T/r.html" > "$T/dom.html" ||
	fail "chromium --dump-dom failed: $(tail -n 20 "$T/chrome.log")"
[ -s "$T/dom.html" ] || fail "chromium dumped no DOM: $(tail -n 20 "$T/chrome.log")"

# (1) The DOM, as the browser built it. The expected figures come from the
# database itself (python's sqlite3 reads the raw names), never from here.
python3 - "$T/dom.html" "$T/h.db" <<'EOF' || fail "DOM checks failed (CGOV_KEEP=1 keeps $T/dom.html)"
import re, sqlite3, sys
from html.parser import HTMLParser

dom = open(sys.argv[1], encoding="utf-8").read()
db = sqlite3.connect(sys.argv[2])
db.text_factory = bytes
ctrs = db.execute("select id, path, name from container").fetchall()

def term(raw):
    """escape_term (src/escape.c): what a terminal shows for a name."""
    out, i = [], 0
    while i < len(raw):
        c = raw[i]
        if c == 0x5c:
            out.append("\\\\"); i += 1; continue
        if 0x20 <= c < 0x7f:
            out.append(chr(c)); i += 1; continue
        n = 2 if 0xc2 <= c <= 0xdf else 3 if 0xe0 <= c <= 0xef else 4 if 0xf0 <= c <= 0xf4 else 0
        try:
            ch = raw[i:i + n].decode("utf-8") if n else None
        except UnicodeDecodeError:
            ch = None
        if ch is None or len(ch) != 1:
            out.append("\\x%02x" % c); i += 1; continue
        cp = ord(ch)
        if 0x80 <= cp <= 0x9f or 0x202a <= cp <= 0x202e or 0x2066 <= cp <= 0x2069 or cp in (0x2028, 0x2029):
            out.append("".join("\\x%02x" % b for b in raw[i:i + n]))
        else:
            out.append(ch)
        i += n
    return "".join(out)

class Dom(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.stack, self.tags, self.texts = [], [], []
        self.svgs, self.cur = [], None
        self.ids, self.rows, self.attrs = set(), {}, []
    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        self.tags.append(tag)
        self.attrs.append((tag, attrs))
        if "id" in a:
            self.ids.add(a["id"])
        if tag == "svg":
            self.cur = {"class": (a.get("class") or "").split(), "metric": a.get("data-metric"),
                        "cid": a.get("data-cid"), "viewbox": a.get("viewbox"), "lines": [], "rects": 0}
            self.svgs.append(self.cur)
        elif self.cur is not None and tag == "polyline":
            self.cur["lines"].append(a.get("points", ""))
        elif self.cur is not None and tag == "path":
            self.cur["lines"].append(re.sub(r"[MLml]", " ", a.get("d", "")))
        elif self.cur is not None and tag == "rect":
            if float(a.get("width", "0")) > 0:
                self.cur["rects"] += 1
        if tag == "tr" and "data-cid" in a and "containers" in self.stack_ids():
            self.rows[a["data-cid"]] = self.rows.get(a["data-cid"], 0) + 1
        if tag not in ("polyline", "rect", "circle", "line", "meta", "br", "path"):
            self.stack.append((tag, a.get("id")))
    def handle_endtag(self, tag):
        if tag == "svg":
            self.cur = None
        if any(t == tag for t, _ in self.stack):
            while self.stack.pop()[0] != tag:
                pass
    def stack_ids(self):
        return [i for _, i in self.stack if i]
    def handle_data(self, d):
        self.texts.append(d)

p = Dom()
p.feed(dom)
errs = []

# No script at all, no element that fetches or runs anything.
for bad in ("script", "iframe", "object", "embed", "img", "link", "base", "form", "frame", "audio", "video"):
    if bad in p.tags:
        errs.append("a <%s> element exists" % bad)
for tag, attrs in p.attrs:
    for k, v in attrs:
        if k.startswith("on"):
            errs.append("event handler attribute %s on <%s>" % (k, tag))
        if k in ("src", "href", "xlink:href", "srcset", "action", "formaction", "poster", "background", "data"):
            errs.append("resource attribute %s=%r on <%s>" % (k, v, tag))
        if tag == "meta" and k == "http-equiv" and v.lower() == "refresh":
            errs.append("a meta refresh")
        if k != "xmlns" and re.search(r"(https?:)?//", v or ""):
            errs.append("URL in %s=%r on <%s>" % (k, v, tag))
if re.search(r"url\s*\(|@import", dom, re.I):
    errs.append("the style sheet loads something (url() or @import)")

# The hooks: the node section first, the containers table with one row per
# container of the database, the actions table.
for want in ("node", "containers", "actions", "checks", "offenders"):
    if want not in p.ids:
        errs.append("no element with id=%s" % want)
if "section" not in p.tags or dom.find('id="node"') > dom.find('id="containers"'):
    errs.append("the node section does not come before the containers table")
cids = sorted(str(c[0]) for c in ctrs)
if sorted(p.rows) != cids or any(n != 1 for n in p.rows.values()):
    errs.append("containers table rows %r, want one per container %r" % (p.rows, cids))

# Every line chart has a series of >= 2 finite points inside its viewBox;
# the node's charts and each container's two are there.
charts = [s for s in p.svgs if "chart" in s["class"]]
metrics = {}
for s in charts:
    metrics.setdefault(s["metric"], []).append(s["cid"])
    w, h = [float(x) for x in (s["viewbox"] or "0 0 0 0").split()[2:]]
    best = 0
    for pts in s["lines"]:
        nums = [float(x) for x in re.split(r"[ ,]+", pts.strip()) if x]
        xy = list(zip(nums[0::2], nums[1::2]))
        if any(not (-5 <= x <= w + 5 and -5 <= y <= h + 5) for x, y in xy):
            errs.append("chart %s: a point outside its viewBox %r" % (s["metric"], xy[:3]))
        best = max(best, len(xy))
    if best < 2:
        errs.append("chart %s (cid %s) has no series of 2 points or more" % (s["metric"], s["cid"]))
for m in ("node-mem-available", "node-cpu-busy"):
    if m not in metrics:
        errs.append("no chart %s" % m)
for m in ("ctr-mem", "ctr-cpu"):
    if sorted(metrics.get(m, [])) != cids:
        errs.append("%s charts for cids %r, want %r" % (m, metrics.get(m), cids))
bars = [s for s in p.svgs if "bars" in s["class"]]
if len(bars) < 2 or any(s["rects"] < 2 for s in bars):
    errs.append("bar charts missing or empty: %r" % bars)

# Tenant strings: the hostile name and path are text, shown as the
# terminal shows them, never markup, never raw controls.
hostile = [(term(path), term(name or path)) for _, path, name in ctrs if b"<" in (name or path)]
if not hostile:
    errs.append("the database has no hostile container (cgov_gen --hostile)")
text = "".join(p.texts)
if "\x1b" in text:
    errs.append("a raw ESC in the page's text")
for tpath, tname in hostile:
    shown = [t for t in p.texts if "alert(1)" in t]
    wrong = [t for t in shown if t not in (tname, tpath)]
    if wrong:
        errs.append("hostile name shown as %r, want %r" % (wrong[:3], tname))
    if sum(1 for t in shown if t == tname) < 4:
        errs.append("hostile name %r shown %d times, want it in the table, charts, offenders, shares"
                    % (tname, sum(1 for t in shown if t == tname)))
    if "\n" in tname or "\x1b" in tname:
        errs.append("term() kept a control character: %r" % tname)

for e in errs:
    print("DOM:", e)
print("DOM: %d charts, %d bar charts, %d containers, hostile shown as %r"
      % (len(charts), len(bars), len(cids), hostile[0][1] if hostile else None))
sys.exit(1 if errs else 0)
EOF

# (2) A phone's width: the page renders (ink, colours, the charts' own
# colours), and nothing is wider than the phone. For the second, a copy of
# the page is drawn shrunk to a fifth by a transform, which leaves the
# layout at 390 px: the whole page fits one screenshot, and anything wider
# than the phone paints past the shrunk page's right edge.
chrome --screenshot="$T/phone.png" --window-size=390,2000 "file://$T/r.html" > /dev/null ||
	fail "chromium --screenshot failed: $(tail -n 20 "$T/chrome.log")"
sed 's|</head>|<style>main{transform:scale(.2);transform-origin:0 0}</style></head>|' \
	"$T/r.html" > "$T/shrunk.html"
chrome --screenshot="$T/shrunk.png" --window-size=390,2000 "file://$T/shrunk.html" > /dev/null ||
	fail "chromium --screenshot failed: $(tail -n 20 "$T/chrome.log")"
python3 - "$T/phone.png" "$T/shrunk.png" "$CGOV_SRCDIR/src/report_html.c" <<'EOF' ||
import re, struct, sys, zlib

def png_rows(path):
    """Decodes an 8-bit RGB(A) PNG, stdlib only: (width, height, rows of RGB bytes)."""
    data = open(path, "rb").read()
    if data[:8] != b"\x89PNG\r\n\x1a\n":
        sys.exit("%s: not a PNG" % path)
    pos, idat, hdr = 8, [], None
    while pos < len(data):
        n, kind = struct.unpack(">I4s", data[pos:pos + 8])
        if kind == b"IHDR":
            hdr = struct.unpack(">IIBBBBB", data[pos + 8:pos + 8 + n])
        elif kind == b"IDAT":
            idat.append(data[pos + 8:pos + 8 + n])
        pos += 12 + n
    w, h, depth, ctype, _, _, interlace = hdr
    if depth != 8 or ctype not in (2, 6) or interlace:
        sys.exit("%s: unexpected PNG format %r" % (path, hdr))
    bpp = 3 if ctype == 2 else 4
    raw = zlib.decompress(b"".join(idat))
    stride = w * bpp
    rows, prev = [], bytes(stride)
    for y in range(h):
        off = y * (stride + 1)
        f, line = raw[off], bytearray(raw[off + 1:off + 1 + stride])
        if f == 1:
            for i in range(bpp, stride):
                line[i] = (line[i] + line[i - bpp]) & 255
        elif f == 2:
            line = bytearray(map(lambda a, b: (a + b) & 255, line, prev))
        elif f == 3:
            for i in range(stride):
                line[i] = (line[i] + (((line[i - bpp] if i >= bpp else 0) + prev[i]) >> 1)) & 255
        elif f == 4:
            for i in range(stride):
                if i < bpp:
                    line[i] = (line[i] + prev[i]) & 255
                    continue
                a, b, c = line[i - bpp], prev[i], prev[i - bpp]
                pa, pb, pc = abs(b - c), abs(a - c), abs(a + b - 2 * c)
                line[i] = (line[i] + (a if pa <= pb and pa <= pc else b if pb <= pc else c)) & 255
        elif f != 0:
            sys.exit("%s: bad PNG filter %d" % (path, f))
        prev = bytes(line)
        rows.append(prev if bpp == 3 else b"".join(prev[x:x + 3] for x in range(0, stride, 4)))
    return w, h, rows

errs = []
w, h, rows = png_rows(sys.argv[1])
counts = {}
for r in rows:
    for x in range(0, 3 * w, 3):
        c = r[x:x + 3]
        counts[c] = counts.get(c, 0) + 1
# The page's background: what the left margin (12 px of padding) shows.
left = {}
for r in rows:
    left[r[:3]] = left.get(r[:3], 0) + 1
bg = max(left.items(), key=lambda kv: kv[1])[0]
ink = w * h - counts.get(bg, 0)
if w != 390:
    errs.append("screenshot is %d px wide, asked 390" % w)
if ink < 0.01 * w * h:
    errs.append("blank page: %d of %d pixels differ from the background" % (ink, w * h))
if len(counts) < 3:
    errs.append("only %d colours" % len(counts))
# The series colours of the charts, read from the style sheet, must be
# painted (the SVGs rendered, not just the text around them).
css = open(sys.argv[3], encoding="utf-8").read()
for cls in ("k0", "k1"):
    m = re.search(r"\.%s\{stroke:#([0-9a-f]{6})" % cls, css)
    if not m:
        errs.append("no colour for .%s in report_html.c" % cls)
        continue
    want = bytes.fromhex(m.group(1))
    near = sum(n for c, n in counts.items() if all(abs(a - b) <= 24 for a, b in zip(c, want)))
    if near < 200:
        errs.append("series colour #%s painted on %d pixels only" % (m.group(1), near))
print("PNG: %dx%d, %d colours, %.1f%% ink, background #%s"
      % (w, h, len(counts), 100.0 * ink / (w * h), bg.hex()))

# The shrunk page: 390 px of layout are 78 px on screen; right of that
# (a few pixels more for antialiasing) only the background may show.
w, h, rows = png_rows(sys.argv[2])
edge = 390 // 5 + 3
page = [y for y in range(h) if rows[y][:3 * edge] != bg * edge]
over = [y for y in range(h) if rows[y][3 * edge:] != bg * (w - edge)]
if len(page) < 500:
    errs.append("the shrunk page is %d rows tall: not drawn?" % len(page))
if over:
    errs.append("%d rows (first y=%d, %d px of layout) paint past 390 px: the page overflows"
                % (len(over), over[0], over[0] * 5))
print("PNG: the page is about %d px tall at 390 px, %d of its rows wider than that"
      % (len(page) * 5, len(over)))
for e in errs:
    print("PNG:", e)
sys.exit(1 if errs else 0)
EOF
	fail "screenshot checks failed (CGOV_KEEP=1 keeps $T/phone.png and $T/shrunk.png)"
[ -n "${CGOV_KEEP:-}" ] && echo "kept $T"
pass "HTML report: DOM and phone screenshots"
