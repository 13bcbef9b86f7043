#!/bin/sh
# run.sh: `make fuzz`. Runs each libFuzzer target tests/fuzz/fuzz_NAME of
# the build directory (the current one) for SECONDS, one after the other,
# and prints one line per target from libFuzzer's final statistics:
#   fuzz_NAME: N executions in S s (R/s), C corpus inputs
# Usage: run.sh SECONDS SRCDIR NAME...
#
# Each target's working corpus is fuzz-out/NAME/corpus, seeded on every run
# from SRCDIR/tests/fuzz/corpus/NAME (and the cgroupfs snapshots for
# cgparse, the policies for policy) and kept between runs, so a longer run
# goes on from what the last one found. A crash, leak or sanitizer report
# stops that target: its input is kept as fuzz-out/NAME/crash-* (reproduce
# with ./tests/fuzz/fuzz_NAME_replay FILE's directory, or the libFuzzer
# binary and the file), the log's tail is printed and run.sh exits 1 after
# the other targets ran. Fix the bug, then commit the input under
# tests/fuzz/corpus/NAME/ as a regression seed: make check replays it.
set -u
secs=$1 src=$2
shift 2
failed=""
for t in "$@"; do
	out=fuzz-out/$t
	mkdir -p "$out/corpus"
	cp -f "$src/tests/fuzz/corpus/$t"/* "$out/corpus/" 2>/dev/null
	case $t in
	cgparse) find "$src/tests/fixtures/cgroupfs" -type f ! -name '*.md' |
		while read -r f; do cp -f "$f" "$out/corpus/snap-$(echo "$f" | cksum | cut -d' ' -f1)"; done ;;
	policy) for f in "$src"/policies/*.policy "$src"/tests/policies/*.policy; do
		cp -f "$f" "$out/corpus/$(basename "$f")"; done ;;
	esac
	# -close_fd_mask=1: the targets' own stdout is noise; libFuzzer and
	# the sanitizers report on stderr.
	./tests/fuzz/fuzz_"$t" -max_total_time="$secs" -max_len=8192 -timeout=10 \
		-rss_limit_mb=2048 -print_final_stats=1 -close_fd_mask=1 \
		-artifact_prefix="$out/" "$out/corpus" > "$out/log" 2>&1
	rc=$?
	runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$out/log" | tail -n 1)
	time=$(sed -n 's/^Done [0-9]* runs in \([0-9]*\) second.*/\1/p' "$out/log" | tail -n 1)
	[ -n "$time" ] && [ "$time" -gt 0 ] || time=$secs
	ninputs=$(find "$out/corpus" -type f | wc -l)
	if [ "$rc" != 0 ] || [ -z "$runs" ]; then
		echo "fuzz_$t: FAILED (exit $rc) after ${runs:-?} executions; input: $(ls "$out"/crash-* "$out"/leak-* "$out"/timeout-* "$out"/oom-* 2>/dev/null | head -n 1)"
		tail -n 40 "$out/log"
		failed="$failed $t"
	else
		echo "fuzz_$t: $runs executions in $time s ($((runs / time))/s), $ninputs corpus inputs"
	fi
done
[ -z "$failed" ] || { echo "fuzz: failed:$failed"; exit 1; }
