#!/bin/bash
# Tenant-chosen cgroup names are hostile: terminal escapes, quotes, commas,
# markup, spreadsheet formulas, invalid UTF-8. Real cgroups with such names
# are sampled; no output format and no log line may carry them raw.
. "$(dirname "$0")/../lib/sandbox.sh"
need jq
sb_init
DB="$SB_TMP/cgov.db"
ESC=$'\033'
names=(
	"${ESC}[31mred${ESC}[0m${ESC}]0;owned${ESC}\\"
	'<script>alert(1)<\script>&amp;'
	"q\"uote's,comma"
	'=1+2'
	$'bad\xffutf8'
	$'tab\there'
	'back\slash'
	$'rlo\xe2\x80\xaetxt.exe'
	$'web\xe2\x80\x8b'
)
# Bidi controls and characters that show nothing (U+202E, U+200B, U+FEFF,
# U+2066, U+061C): in no table, CSV, JSON text or log line raw.
DECEPTIVE=$'\xe2\x80\xae\|\xe2\x80\x8b\|\xef\xbb\xbf\|\xe2\x81\xa6\|\xd8\x9c'
deceptive() { LC_ALL=C grep -qa "$DECEPTIVE" "$@"; }
for n in "${names[@]}"; do sb_mk "$n"; done

"$CGOVD" --once -v --db "$DB" --interval 200ms --containers "$SB_BASE/*" > "$SB_TMP/log" 2>&1 ||
	fail "cgovd --once failed: $(cat -v "$SB_TMP/log")"
grep -q "$ESC" "$SB_TMP/log" && fail "cgovd log carries a raw ESC: $(cat -v "$SB_TMP/log")"
# LC_ALL=C: in a UTF-8 locale PCRE's \xff is U+00FF, not the byte.
LC_ALL=C grep -qaP '\xff' "$SB_TMP/log" && fail "cgovd log carries invalid UTF-8"
deceptive "$SB_TMP/log" && fail "cgovd log carries a raw bidi control or invisible character"

for cmd in "top" "top --since 1h" "containers --all"; do
	table=$("$CGOV" --db "$DB" $cmd)
	echo "$table" | grep -q "$ESC" && fail "$cmd table carries a raw ESC: $(echo "$table" | cat -v)"
	echo "$table" | grep -qP '\t' && fail "$cmd table carries a raw tab"
	echo "$table" | LC_ALL=C grep -qaP '\xff' && fail "$cmd table carries invalid UTF-8"
	echo "$table" | grep -qF '\x1b[31mred' || fail "$cmd table does not show the ESC escaped: $(echo "$table" | cat -v)"
	echo "$table" | deceptive && fail "$cmd table carries a raw bidi control or invisible character"
	echo "$table" | grep -qF 'web\xe2\x80\x8b' || fail "$cmd table does not show U+200B escaped"

	# JSON: valid, and the names come back exactly (invalid UTF-8 as U+FFFD).
	json=$("$CGOV" --db "$DB" $cmd --format json) || fail "$cmd --format json failed"
	echo "$json" | grep -q "$ESC" && fail "$cmd json carries a raw ESC"
	echo "$json" | deceptive && fail "$cmd json carries a raw bidi control or invisible character"
	echo "$json" | grep -qF 'rlo\u202etxt.exe' || fail "$cmd json does not show U+202E as \\u202e"
	got=$(echo "$json" | jq -r '.containers[].name' | sort) || fail "$cmd: invalid JSON: $json"
	for n in "${names[@]}"; do
		want=$(printf '%s' "$n" | iconv -f utf-8 -t utf-8 -c 2>/dev/null)
		[ "$n" = $'bad\xffutf8' ] && want=$'bad\xef\xbf\xbdutf8'
		echo "$got" | grep -qxF -- "$want" || fail "$cmd json lost the name $(printf '%q' "$n")"
	done

	# CSV: one line per container plus the header, formulas defused.
	csv=$("$CGOV" --db "$DB" $cmd --format csv)
	[ "$(printf '%s\n' "$csv" | wc -l)" = $(( ${#names[@]} + 1 )) ] ||
		fail "$cmd csv has extra lines: $(echo "$csv" | cat -v)"
	echo "$csv" | grep -q "$ESC" && fail "$cmd csv carries a raw ESC"
	echo "$csv" | deceptive && fail "$cmd csv carries a raw bidi control or invisible character"
	echo "$csv" | grep -qF "\"'=1+2\"" || fail "$cmd csv does not defuse a formula: $csv"
	echo "$csv" | grep -qF '"q""uote'"'"'s,comma"' || fail "$cmd csv quoting: $csv"
done
# Governed: each gets a static pids limit, so the journal names them all.
POL="$SB_TMP/policies"
mkdir -p "$POL"
printf 'policy "all" {\n    match cgroup "%s/*"\n    pids max 4000\n}\n' "$SB_BASE" > "$POL/all.policy"
DAEMON_LOG="$SB_TMP/gov.log"
"$CGOVD" --foreground -v --config /dev/null --policies "$POL" --db "$DB" --interval 200ms \
	--containers "$SB_BASE/*" > "$DAEMON_LOG" 2>&1 &
DAEMON_PID=$!
wait_until 20 'test "$(db_q "select count(*) from action")" -ge ${#names[@]}' || fail "not every container was governed"
kill -TERM "$DAEMON_PID"; wait "$DAEMON_PID"; DAEMON_PID=""
grep -q "$ESC" "$DAEMON_LOG" && fail "cgovd log carries a raw ESC while governing"
LC_ALL=C grep -qaP '\xff' "$DAEMON_LOG" && fail "cgovd log carries invalid UTF-8 while governing"
deceptive "$DAEMON_LOG" && fail "cgovd log carries a raw bidi control or invisible character while governing"
for cmd in "actions" "status"; do
	for fmt in table json csv; do
		out=$("$CGOV" --db "$DB" $cmd --format $fmt) || fail "$cmd --format $fmt failed"
		echo "$out" | grep -q "$ESC" && fail "$cmd $fmt carries a raw ESC: $(echo "$out" | cat -v)"
		echo "$out" | LC_ALL=C grep -qaP '\xff' && fail "$cmd $fmt carries invalid UTF-8"
		echo "$out" | deceptive && fail "$cmd $fmt carries a raw bidi control or invisible character"
	done
done
got=$("$CGOV" --db "$DB" actions --format json | jq -r '.actions[].name' | sort -u) || fail "actions: invalid JSON"
echo "$got" | grep -qxF "${names[0]}" || fail "actions json lost the ESC name exactly"
"$CGOV" --db "$DB" actions | grep -qF '\x1b[31mred' || fail "actions table does not show the ESC escaped"
red="$SB_BASE/${names[0]}"
out=$("$CGOV" --db "$DB" policy explain --policies "$POL" "$red") || fail "explain failed"
echo "$out" | grep -q "$ESC" && fail "explain carries a raw ESC: $(echo "$out" | cat -v)"
echo "$out" | grep -q "pids max 4000" || fail "explain does not show the limit: $out"
[ "$("$CGOV" --db "$DB" policy explain --format json --policies "$POL" "$red" | jq -r .container)" = "$red" ] ||
	fail "explain json does not round-trip the path"

# cgov sql: read-only, one statement, integers exact.
out=$("$CGOV" --db "$DB" sql --format json "select 9007199254740993 as big") || fail "sql failed"
echo "$out" | grep -q '"big": 9007199254740993' || fail "sql integer not exact: $out"
"$CGOV" --db "$DB" sql "select 1; select 2" 2>&1 | grep -q "one statement" || fail "sql ran two statements"
"$CGOV" --db "$DB" sql "delete from tick" >/dev/null 2>&1 && fail "sql wrote to the database"
for q in "begin" "vacuum into '$SB_TMP/copy.db'" "create temp table t(x)"; do
	"$CGOV" --db "$DB" sql "$q" >/dev/null 2>&1; rc=$?
	[ "$rc" = 2 ] || fail "sql '$q' exited $rc, want 2"
done
[ ! -e "$SB_TMP/copy.db" ] || fail "sql vacuum into wrote a copy of the history"
[ "$("$CGOV" --db "$DB" sql --format csv "select count(*) from tick" | sed -n '2{s/\r//;p}')" -ge 2 ] ||
	fail "sql delete was not refused"

# top --live on a (pseudo) terminal: draws once, 'q' quits, exit 0.
if command -v script >/dev/null 2>&1; then
	live=$(printf q | TERM=xterm script -qec "$CGOV --db $DB top --live --refresh 10s" /dev/null) ||
		fail "top --live exited $?: $live"
	echo "$live" | grep -q "q to quit" || fail "top --live drew nothing: $live"
	echo "$live" | grep -q "$ESC\[2J" || fail "top --live does not clear the screen"
	[ "$(echo "$live" | grep -o "cgov top by memory" | wc -l)" = 1 ] || fail "top --live did not quit at once"
fi

pass "${#names[@]} hostile names escaped in table, JSON, CSV and the log; in actions, status and explain"
