#!/bin/bash
# cgovd --metrics: Prometheus /metrics over HTTP, from a real daemon on real
# cgroups. Values are checked against what the kernel says (usage within a
# tolerance, limits exactly as written), hostile container names come out
# escaped and valid, `promtool check metrics` accepts the scrape, stalled
# clients do not stop the ticks, and every metric the shipped Grafana
# dashboard queries is served.
#
# The scrape uses curl when there is one, else bash's /dev/tcp (the v2
# guest has no curl); promtool (Debian: prometheus) is checked when
# installed, and said to be skipped when not.
. "$(dirname "$0")/../lib/sandbox.sh"
need jq
sb_init
DB="$SB_TMP/cgov.db"
POL="$SB_TMP/policies"
DASH="$CGOV_SRCDIR/contrib/grafana/cgov-dashboard.json"
MEM_BYTES=$((64 * 1024 * 1024))
LIMIT=268435456
PIDS_MAX=77
# Quote, backslash, a right-to-left override, a zero-width joiner, a C1
# control and an invalid byte: no newline (cgroupfs allows one, but the
# other tests cover it, and a path with one confuses this shell).
HOSTILE=$'q"uote\\back\xe2\x80\xaeevil\xe2\x80\x8d\xc2\x9b\xff'
# What a scraper reads back: escape_term's form (cgov top's: the joiner
# shows nothing, so it is escaped too), then the exposition format's own
# escapes of \ and ".
HOSTILE_RAW='q\"uote\\\\back\\xe2\\x80\\xaeevil\\xe2\\x80\\x8d\\xc2\\x9b\\xff'

for c in mem idle; do sb_mk "$c"; done
sb_mk "$HOSTILE"
echo "$LIMIT" > "$(sb_file mem memory.limit_in_bytes || sb_file mem memory.max)" ||
	fail "cannot set the memory limit"
echo "$PIDS_MAX" > "$(sb_file mem pids.max)" || fail "cannot set pids.max"
sb_run mem "$SB_TMP/mem.out" "$HOG" mem "$MEM_BYTES"
wait_until 20 'grep -q ready "$SB_TMP/mem.out"' || fail "memory holder never got ready"
sb_run "$HOSTILE" "$SB_TMP/hostile.out" sleep 600

mkdir -p "$POL"
cat > "$POL/10-metrics.policy" <<EOF
policy "metrics" {
    match cgroup "$SB_BASE/mem"
    pids max 1000
    rule "holds-memory" {
        when memory > 16M
        do cpu quota 2 cores
        until memory < 1M for 1s
    }
}
EOF

# GET PATH: the body (HTTP/1.1 through curl, else HTTP/1.0 through
# /dev/tcp, headers stripped); fails on anything but 200.
get() {
	if command -v curl >/dev/null 2>&1; then
		curl -sf --max-time 10 "http://127.0.0.1:$PORT$1"
		return
	fi
	local fd status
	exec {fd}<>"/dev/tcp/127.0.0.1/$PORT" || return 1
	printf 'GET %s HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n' "$1" >&"$fd"
	timeout 10 cat <&"$fd" > "$SB_TMP/get.raw"
	exec {fd}>&-
	status=$(head -n 1 "$SB_TMP/get.raw" | tr -d '\r')
	case "$status" in "HTTP/1."?" 200 "*) ;; *) return 1 ;; esac
	sed '1,/^\r$/d' "$SB_TMP/get.raw"
}
# metric FILE NAME LABELMATCH: the value of the first sample of NAME whose
# label set contains LABELMATCH (fixed string).
metric() {
	awk -v n="$2" -v m="$3" 'index($0, n "{") == 1 || index($0, n " ") == 1 {
		if (m == "" || index($0, m)) { print $NF; exit } }' "$1"
}
scrape() { get /metrics > "$1" || fail "scrape failed"; }

# A free port: cgovd says so when it cannot listen, and another is tried.
for try in 1 2 3 4 5; do
	PORT=$((20000 + RANDOM % 30000))
	daemon_start --config /dev/null --policies "$POL" --db "$DB" --interval 200ms \
		--rescan-interval 1s --metrics "127.0.0.1:$PORT"
	wait_until 20 'get /metrics >/dev/null || ! kill -0 $DAEMON_PID' || fail "/metrics never answered"
	kill -0 "$DAEMON_PID" 2>/dev/null && break
	wait "$DAEMON_PID"; rc=$?
	DAEMON_PID=""
	[ "$rc" = 1 ] && grep -q "cannot listen" "$DAEMON_LOG" || fail "cgovd exited $rc"
done
kill -0 "${DAEMON_PID:-0}" 2>/dev/null || fail "no free port found"
grep -q "metrics: Prometheus /metrics on 127.0.0.1:$PORT" "$DAEMON_LOG" || fail "no log line for /metrics"

# The rule fired and history has ticks: everything below is in place.
wait_until 20 'test "$(db_q "select count(*) from action where kind = '"'"'apply'"'"'")" -ge 2' ||
	fail "the policy did not apply (pids max and cpu quota)"
M="$SB_TMP/m1"
scrape "$M"
mem_path=$(sb_path mem)
sel="cgroup=\"$mem_path\""

# --- values against the kernel ----------------------------------------------
kfile=$(sb_file mem memory.usage_in_bytes || sb_file mem memory.current)
kmem=$(cat "$kfile")
got=$(metric "$M" cgov_container_memory_usage_bytes "$sel")
[ -n "$got" ] || fail "no memory usage for mem"
# The holder holds its pages: the figures differ by what moved between the
# tick and the read (page cache of the test's own files, a few pages).
diff=$(( got > kmem ? got - kmem : kmem - got ))
[ "$diff" -le $((4 * 1024 * 1024)) ] || fail "memory usage $got, kernel says $kmem"
[ "$got" -ge "$MEM_BYTES" ] || fail "memory usage $got below the $MEM_BYTES held"
[ "$(metric "$M" cgov_container_memory_limit_bytes "$sel")" = "$LIMIT" ] ||
	fail "memory limit $(metric "$M" cgov_container_memory_limit_bytes "$sel"), wrote $LIMIT"
# pids max as written before cgovd started, or 1000 once the policy's
# static limit is in force (and read back on the next full read).
pm=$(metric "$M" cgov_container_pids_max "$sel")
[ "$pm" = "$PIDS_MAX" ] || [ "$pm" = 1000 ] || fail "pids max $pm, wrote $PIDS_MAX (policy: 1000)"
kpids=$(cat "$(sb_file mem pids.current)")
[ "$(metric "$M" cgov_container_pids "$sel")" = "$kpids" ] ||
	fail "pids $(metric "$M" cgov_container_pids "$sel"), kernel says $kpids"
[ "$(metric "$M" cgov_container_memory_limit_bytes "cgroup=\"$(sb_path idle)\"")" = "+Inf" ] ||
	fail "no limit is not +Inf"
# CPU seconds: the holder is idle now, so the counter cgovd read lately is
# the kernel's within the last tick.
if kf=$(sb_file mem cpuacct.usage); then kcpu_us=$(( $(cat "$kf") / 1000 ))
else kcpu_us=$(awk '$1 == "usage_usec" { print $2 }' "$(sb_file mem cpu.stat)"); fi
awk -v g="$(metric "$M" cgov_container_cpu_usage_seconds_total "$sel")" -v k="$kcpu_us" \
	'BEGIN { d = k / 1e6 - g; exit !(g > 0 && d >= -0.001 && d < 0.5) }' ||
	fail "cpu seconds $(metric "$M" cgov_container_cpu_usage_seconds_total "$sel"), kernel ${kcpu_us}us"
# Unknown is left out, never 0: v1 has no memory.high and no PSI per cgroup;
# its pressure is derived (cgov.policy(5)): cpu always, io only where CFQ or
# BFQ keep the queue wait.
if [ "$SB_VERSION" = 1 ]; then
	grep -q '^cgov_container_memory_high_bytes{' "$M" && fail "v1 has no memory.high, yet it is served"
	grep -q '^cgov_container_pressure_some_seconds_total{.*resource="cpu"}' "$M" ||
		fail "the derived v1 pressure.cpu is not served"
	if ! sb_file mem blkio.io_wait_time_recursive >/dev/null &&
	    ! sb_file mem blkio.bfq.io_wait_time_recursive >/dev/null; then
		grep -q '^cgov_container_pressure_some_seconds_total{.*resource="io"}' "$M" &&
			fail "no I/O wait counters on this v1 host, yet I/O pressure is served"
	fi
elif [ -e "$(sb_file mem cpu.pressure)" ]; then
	[ -n "$(metric "$M" cgov_container_pressure_some_seconds_total "$sel")" ] ||
		fail "the kernel has PSI for mem, /metrics does not"
fi
# Governing: the rule is active on mem, its actions are counted.
rule_sel="cgroup=\"$mem_path\",policy=\"metrics\",rule=\"holds-memory\""
[ "$(metric "$M" cgov_rule_active "$rule_sel")" = 1 ] || fail "rule holds-memory is not active on mem"
[ "$(metric "$M" cgov_actions_total 'knob="cpu quota",kind="apply"')" -ge 1 ] || fail "cpu quota apply not counted"
[ "$(metric "$M" cgov_actions_total 'knob="pids max",kind="apply"')" -ge 1 ] || fail "pids max apply not counted"
for n in cgov_tick_duration_seconds cgov_last_tick_age_seconds cgov_history_lag_seconds \
	cgov_node_memory_total_bytes cgov_node_cpu_seconds_total; do
	[ -n "$(metric "$M" $n '')" ] || fail "$n is missing"
done
awk -v a="$(metric "$M" cgov_last_tick_age_seconds '')" 'BEGIN { exit !(a >= 0 && a < 5) }' ||
	fail "last tick age $(metric "$M" cgov_last_tick_age_seconds '')"

# --- hostile names -------------------------------------------------------------
grep -qF "container=\"$HOSTILE_RAW\"" "$M" || fail "hostile name not escaped as expected: $(grep -a uote "$M" | head -n 2 | cat -v)"
LC_ALL=C grep -qaP '\xff' "$M" && fail "the scrape carries invalid UTF-8"
iconv -f UTF-8 -t UTF-8 "$M" >/dev/null 2>&1 || fail "the scrape is not valid UTF-8"
grep -qaP '\xe2\x80\xae' "$M" && fail "the scrape carries a raw bidi override"
if command -v promtool >/dev/null 2>&1; then
	promtool check metrics < "$M" > "$SB_TMP/promtool.out" 2>&1 ||
		fail "promtool check metrics: $(cat "$SB_TMP/promtool.out")"
	PROMTOOL="promtool check metrics passed"
else
	echo "note: promtool not installed (Debian: prometheus): the exposition lint is skipped"
	PROMTOOL="promtool skipped"
fi

# --- HTTP details ------------------------------------------------------------------
if command -v curl >/dev/null 2>&1; then
	ct=$(curl -s -o /dev/null -w '%{content_type}' "http://127.0.0.1:$PORT/metrics")
	[ "$ct" = "text/plain; version=0.0.4; charset=utf-8" ] || fail "content type $ct"
	[ "$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$PORT/nothing")" = 404 ] ||
		fail "an unknown path is not 404"
	code=$(curl -s -o /dev/null -w '%{http_code}' -X POST -d x "http://127.0.0.1:$PORT/metrics")
	[ "$code" = 405 ] || [ "$code" = 501 ] || fail "POST answered $code"
fi

# --- stalled clients never stop a tick -------------------------------------------
# Connections that send nothing: a few are served beside, more than the
# bound wait in the kernel's backlog; ticks go on in both cases, and the
# server closes the silent ones after its timeout (10 s).
STALL=()
for i in 1 2 3; do exec {fd}<>"/dev/tcp/127.0.0.1/$PORT" || fail "connect $i"; STALL+=("$fd"); done
t1=$(metric "$M" cgov_ticks_total '')
scrape "$SB_TMP/m2"
t2=$(metric "$SB_TMP/m2" cgov_ticks_total '')
[ "$t2" -gt "$t1" ] || fail "ticks did not advance beside 3 stalled clients ($t1 -> $t2)"
for i in $(seq 4 24); do exec {fd}<>"/dev/tcp/127.0.0.1/$PORT" 2>/dev/null && STALL+=("$fd"); done
db0=$(db_q 'select max(id) from tick')
wait_until 10 'test "$(db_q "select count(*) from tick where id > $db0")" -ge 5' ||
	fail "ticks stopped with ${#STALL[@]} stalled clients"
# The first silent connection is closed by the server: EOF within the
# timeout (and a little more for the sweep).
timeout 20 cat <&"${STALL[0]}" > /dev/null || fail "a silent client was not closed within 20 s"
for fd in "${STALL[@]}"; do exec {fd}>&-; done
wait_until 20 'get /metrics > "$SB_TMP/m3"' || fail "no scrape after the stalled clients went"
[ "$(metric "$SB_TMP/m3" cgov_ticks_total '')" -gt "$t2" ] || fail "ticks did not advance"
kill -0 "$DAEMON_PID" || fail "cgovd died"

# --- the Grafana dashboard's metrics exist ----------------------------------------
[ -f "$DASH" ] || fail "no $DASH"
jq -e . "$DASH" >/dev/null || fail "the dashboard is not valid JSON"
served=$(awk '$1 == "#" && $2 == "TYPE" { print $3 }' "$SB_TMP/m3" | sort -u)
used=$(jq -r '.. | objects | select(has("expr")) | .expr' "$DASH" | grep -o 'cgov_[a-z0-9_]*' | sort -u)
[ -n "$used" ] || fail "the dashboard queries no cgov metric"
for n in $used; do
	echo "$served" | grep -qx "$n" || fail "the dashboard queries $n, which /metrics does not serve"
done
# Every query parses as PromQL: promtool checks them as recording rules,
# Grafana's variables replaced by what they expand to.
if command -v promtool >/dev/null 2>&1; then
	jq -r '[.. | objects | select(has("expr")) | .expr] | to_entries[] |
		"  - record: cgov:dashboard_\(.key)\n    expr: \(.value | @json)"' "$DASH" |
		sed -e 's/\$__rate_interval/1m/g' -e 's/\$instance/.*/g' -e 's/\$container/.*/g' \
		> "$SB_TMP/rules.body"
	{ printf 'groups:\n- name: dashboard\n  rules:\n'; cat "$SB_TMP/rules.body"; } > "$SB_TMP/rules.yml"
	promtool check rules "$SB_TMP/rules.yml" > "$SB_TMP/rules.out" 2>&1 ||
		fail "a dashboard query is not valid PromQL: $(cat "$SB_TMP/rules.out")"
fi
# ... and its template variables query served metrics too.
for n in $(jq -r '.templating.list[]? | (.query | if type == "object" then .query else . end) // empty' "$DASH" |
	grep -o 'cgov_[a-z0-9_]*' | sort -u); do
	echo "$served" | grep -qx "$n" || fail "a dashboard variable queries $n, which /metrics does not serve"
done

# --- cgovd(8) lists every metric served, and serves every metric it lists ---
documented=$(grep -o 'cgov_[a-z0-9_]*' "$CGOV_SRCDIR/man/cgovd.8" | sort -u)
for n in $served; do
	echo "$documented" | grep -qx "$n" || fail "$n is served but not in cgovd(8)"
done
for n in $documented; do
	[ "$n" = cgov_scrape_truncated ] && continue     # only in a cut response
	echo "$served" | grep -qx "$n" || fail "cgovd(8) lists $n, which /metrics does not serve"
done

# --- configuration -------------------------------------------------------------------
kill -TERM "$DAEMON_PID"; wait "$DAEMON_PID"; DAEMON_PID=""
"$CGOVD" --check --config /dev/null --metrics nonsense > "$SB_TMP/bad.out" 2>&1 && fail "--metrics nonsense accepted"
grep -q "metrics-listen" "$SB_TMP/bad.out" || fail "bad --metrics not explained: $(cat "$SB_TMP/bad.out")"
printf 'metrics-listen = :%s\n' "$PORT" > "$SB_TMP/cgov.conf"
"$CGOVD" --check --config "$SB_TMP/cgov.conf" > /dev/null 2>&1 || fail "metrics-listen = :PORT rejected"
# A port already taken: exit 1, said on the terminal.
daemon_start --config "$SB_TMP/cgov.conf" --db "$DB" --interval 200ms
wait_until 20 'get /metrics >/dev/null' || fail "metrics-listen from cgov.conf: no answer"
"$CGOVD" --foreground --config /dev/null --db "$SB_TMP/other.db" --metrics "127.0.0.1:$PORT" \
	--containers "$SB_BASE/*" > "$SB_TMP/busy.out" 2>&1; rc=$?
[ "$rc" = 1 ] && grep -q "cannot listen on 127.0.0.1:$PORT" "$SB_TMP/busy.out" ||
	fail "a busy port: exit $rc, $(cat "$SB_TMP/busy.out")"

pass "values match the kernel, hostile names escaped, $PROMTOOL, ticks go on beside stalled clients, $(echo "$used" | wc -l) dashboard metrics served"
