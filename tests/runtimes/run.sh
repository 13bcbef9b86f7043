#!/bin/bash
# run.sh: `make check-runtimes`. Runs each test script given (from
# tests/runtimes/) with the environment of make check, one after the other
# (they share the machine's runtimes), prints automake's lines (PASS:,
# SKIP: with the test's reason, FAIL:) and its "# TOTAL:" summary block,
# which .ci/run counts, and keeps each test's output in
# BUILDDIR/tests/runtimes/NAME.log (a failure's tail is printed too).
# Exit 0 unless a test failed.
SRCDIR=$1 BUILDDIR=$2
shift 2
export CGOV_SRCDIR="$SRCDIR" CGOV_BUILDDIR="$BUILDDIR"
export CGOV_FIXTURES="$SRCDIR/tests/fixtures/cgroupfs"
mkdir -p "$BUILDDIR/tests/runtimes"
total=0 pass=0 skip=0 fail=0
for t in "$@"; do
	name=tests/runtimes/$(basename "$t")
	log="$BUILDDIR/$name.log"
	total=$((total + 1))
	start=$(date +%s)
	bash "$SRCDIR/$t" > "$log" 2>&1
	rc=$?
	secs=$(( $(date +%s) - start ))
	case $rc in
	0) pass=$((pass + 1)); echo "PASS: $name (${secs}s)" ;;
	77) skip=$((skip + 1)); echo "SKIP: $name: $(grep '^SKIP:' "$log" | tail -1 | sed 's/^SKIP: [^:]*: //')" ;;
	*) fail=$((fail + 1)); echo "FAIL: $name (exit $rc, ${secs}s)"; tail -n 40 "$log" ;;
	esac
	grep '^figures:\|^note:' "$log" | sed 's/^/    /'
done
echo "============================================================================"
echo "Testsuite summary for cgov on real runtimes (tests/runtimes)"
echo "============================================================================"
echo "# TOTAL: $total"
echo "# PASS:  $pass"
echo "# SKIP:  $skip"
echo "# XFAIL: 0"
echo "# FAIL:  $fail"
echo "# XPASS: 0"
echo "# ERROR: 0"
echo "============================================================================"
[ "$fail" = 0 ]
