#!/bin/bash
# cgov sql is for people reading the history, often as root: a query may
# read and compute, never reach into SQLite itself (fts3_tokenizer() hands
# out a function pointer, ATTACH opens other files), and never run away
# (an endless recursive CTE once grew cgov's memory until it ran out). The
# rows stream out; a row bound and a time bound stop the rest with an error.
. "$(dirname "$0")/../lib/sandbox.sh"
need jq
sb_init
sb_mk web
DB="$SB_TMP/cgov.db"
"$CGOVD" --once --db "$DB" --interval 200ms --containers "$SB_BASE/*" > "$SB_TMP/log" 2>&1 ||
	fail "cgovd --once failed: $(cat "$SB_TMP/log")"

# What people (and the tests' db_q) ask still works: views that need cgov's
# own functions, aggregates, recursive CTEs, date and string functions, the
# read-only pragmas.
[ "$(db_q "select count(*) from sample_v where cid = (select cid from container where path = '$SB_BASE/web')")" -ge 1 ] ||
	fail "sample_v does not read: $("$CGOV" --db "$DB" sql "select * from sample_v" 2>&1)"
q="with recursive c(x) as (select 1 union all select x + 1 from c where x < 5)
   select sum(x), max(x), group_concat(x, '-'), coalesce(null, 'n'), upper('a'), abs(-2),
          date(0, 'unixepoch'), printf('%03d', 7), length('abc') from c"
out=$("$CGOV" --db "$DB" sql --format csv "$q" | sed -n '2{s/\r$//;p}') || fail "a plain query failed"
[ "$out" = '15,5,"1-2-3-4-5","n","A",2,"1970-01-01","007",3' ] || fail "plain query gave: $out"
[ "$(db_q "pragma integrity_check")" = ok ] || fail "pragma integrity_check refused"
"$CGOV" --db "$DB" sql "pragma table_info(sample)" | grep -q cold || fail "pragma table_info refused"
[ "$(db_q "select group_concat(name) from pragma_table_info('tick')")" = "id,ts_ms,dt_ms" ] ||
	fail "pragma_table_info() refused"
[ "$(db_q "select (p.page_count - f.freelist_count) * s.page_size > 0
	from pragma_page_count p, pragma_freelist_count f, pragma_page_size s")" = 1 ] ||
	fail "the size query of bench/bench_history.sh refused"
[ "$(db_q "select sum(value) from json_each('[1, 2, 3]')")" = 6 ] || fail "json_each refused"

# Refused before anything runs, exit 2, naming what was refused.
refused() { # QUERY WORD
	local err rc
	err=$("$CGOV" --db "$DB" sql "$1" 2>&1 >/dev/null); rc=$?
	[ "$rc" = 2 ] || fail "sql '$1' exited $rc, want 2: $err"
	echo "$err" | grep -q "not allowed" || fail "sql '$1': no clear refusal: $err"
	echo "$err" | grep -qiF "$2" || fail "sql '$1': the refusal does not name $2: $err"
}
refused "select fts3_tokenizer('simple')" fts3_tokenizer
refused "select hex(fts3_tokenizer('simple'))" fts3_tokenizer
refused "select load_extension('/nonexistent')" load_extension
refused "select randomblob(10)" randomblob
refused "attach '$SB_TMP/other.db' as o" attach
[ ! -e "$SB_TMP/other.db" ] || fail "attach created a file"
refused "pragma journal_mode" journal_mode
refused "pragma writable_schema" writable_schema
refused "pragma user_version = 7" user_version
refused "create temp table t(x)" sqlite_temp_master
refused "delete from tick" tick
# Table-valued functions but json_each, json_tree and the allowed pragmas.
refused "select * from pragma_journal_mode" "table-valued function"
refused "select * from dbstat" "table-valued function"

# An endless query stops at the row bound: exactly that many rows come
# out, streamed (memory stays small, whatever the bound), exit 1 with a
# message naming the option.
# peak_rss OUT CMD...: runs CMD (its output and exit status passed on) and
# writes the peak resident size of it and its children, in KiB, to OUT.
# python3's getrusage, not GNU time: the v2 guest has no /usr/bin/time.
peak_rss() {
	local out=$1
	shift
	python3 -c 'import resource, subprocess, sys
rc = subprocess.call(sys.argv[2:])
open(sys.argv[1], "w").write("%d\n" % resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)
sys.exit(rc)' "$out" "$@"
}
need python3
endless="with recursive c(x) as (select 1 union all select x + 1 from c) select x from c"
# Under AddressSanitizer (.ci/run's second pass) the shadow memory needs
# terabytes of address space and freed memory sits in a quarantine: no
# address-space limit then, and the resident sizes are ASan's, not cgov's
# (the plain pass checks them).
asan=0 vlim=
if grep -q __asan_init "$CGOV"; then asan=1 vlim=unlimited; fi
( ulimit -v ${vlim:-262144}; exec timeout 120 "$CGOV" --db "$DB" sql --format csv "$endless" ) \
	> "$SB_TMP/rows" 2> "$SB_TMP/err"; rc=$?
[ "$rc" = 1 ] || fail "endless query exited $rc, want 1: $(head -c 300 "$SB_TMP/err")"
grep -q -- "--max-rows" "$SB_TMP/err" || fail "no row-bound message: $(head -c 300 "$SB_TMP/err")"
[ "$(wc -l < "$SB_TMP/rows")" = 100001 ] || fail "want 100000 rows and a header, got $(wc -l < "$SB_TMP/rows") lines"
[ "$(tail -n 1 "$SB_TMP/rows" | tr -d '\r')" = 100000 ] || fail "last row is $(tail -n 1 "$SB_TMP/rows")"
peak_rss "$SB_TMP/rss" "$CGOV" --db "$DB" sql --max-rows 1000000 "$endless" > /dev/null 2>&1
[ "$asan" = 1 ] || [ "$(tail -n 1 "$SB_TMP/rss")" -lt 32768 ] || fail "a million streamed rows took $(tail -n 1 "$SB_TMP/rss") KiB"
out=$("$CGOV" --db "$DB" sql --format json --max-rows 3 "$endless" 2>/dev/null)
[ "$(echo "$out" | jq -c '[.rows[].x]')" = "[1,2,3]" ] || fail "json cut at the bound is not whole: $out"

# Rows that never come (an endless aggregate) stop at the time bound.
( ulimit -v ${vlim:-262144}; exec timeout 60 "$CGOV" --db "$DB" sql --timeout 1s \
	"with recursive c(x) as (select 1 union all select x + 1 from c) select count(*) from c" ) \
	> /dev/null 2> "$SB_TMP/err"; rc=$?
[ "$rc" = 1 ] || fail "endless aggregate exited $rc, want 1: $(head -c 300 "$SB_TMP/err")"
grep -q -- "--timeout" "$SB_TMP/err" || fail "no time-bound message: $(cat "$SB_TMP/err")"
# An aggregate that grows a string without end meets SQLite's memory bound
# in cgov (64 MiB; SQLite then drops what comes) long before the machine's,
# and the time bound ends it.
( ulimit -v ${vlim:-524288}; peak_rss "$SB_TMP/rss" timeout 60 "$CGOV" --db "$DB" sql --timeout 3s \
	"with recursive c(x) as (select 1 union all select x + 1 from c)
	 select length(group_concat(printf('%01000d', x))) from c" ) > /dev/null 2> "$SB_TMP/err"; rc=$?
[ "$rc" = 1 ] || fail "endless group_concat exited $rc, want 1: $(head -c 300 "$SB_TMP/err")"
grep -q -- "--timeout" "$SB_TMP/err" || fail "no time-bound message: $(cat "$SB_TMP/err")"
[ "$asan" = 1 ] || [ "$(tail -n 1 "$SB_TMP/rss")" -lt 131072 ] || fail "endless group_concat grew to $(tail -n 1 "$SB_TMP/rss") KiB"
# One value too big for the bound: refused at once, saying so.
err=$("$CGOV" --db "$DB" sql "select length(printf('%0100000000d', 1))" 2>&1 >/dev/null); rc=$?
[ "$rc" = 1 ] && echo "$err" | grep -q "64 MiB" || fail "a 100 MB value: exit $rc, $err"
pass "sql reads, refuses fts3_tokenizer/attach/pragma writes, stops endless queries at the row, time and memory bounds"
