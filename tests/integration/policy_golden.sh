#!/bin/sh
# policy_golden.sh: the policy language's golden tests (cgov.policy(5)).
#
# For each NAME.policy in tests/policies, `cgov policy check --cgroup-version V NAME.policy`
# is run from that directory (V is 1 when the first line of the file is
# "# cgroup-version: 1", else 2); its stdout and stderr, and a last line
# "exit N", must equal NAME.ok. The shipped policies/ directory is a case too,
# for both versions (shipped-v1.ok, shipped-v2.ok): it must check OK.
# Failing cases pin the exact text of each message.
#
#   policy_golden.sh            run the cases; exit 0 (all pass), 1, or 77 (no cgov)
#   policy_golden.sh --update   rewrite every .ok from the current output (for
#                        people: read the diff before committing it)
: "${CGOV_SRCDIR:=$(cd "$(dirname "$0")/../.." && pwd)}"
: "${CGOV_BUILDDIR:=$CGOV_SRCDIR}"
CGOV=$CGOV_BUILDDIR/cgov
DIR=$CGOV_SRCDIR/tests/policies

[ -x "$CGOV" ] || { echo "SKIP: golden: no $CGOV"; exit 77; }
update=0
[ "${1:-}" = --update ] && update=1

# check VERSION DIR PATH: the output of `cgov policy check`, run in DIR, and
# its exit code.
check() {
	out=$(cd "$2" && "$CGOV" policy check --cgroup-version "$1" "$3" 2>&1)
	rc=$?
	printf '%s\nexit %s\n' "$out" "$rc"
}

# compare NAME VERSION DIR PATH
compare() {
	ok=$DIR/$1.ok
	if [ "$update" = 1 ]; then
		check "$2" "$3" "$4" > "$ok"
		return
	fi
	total=$((total + 1))
	if ! check "$2" "$3" "$4" | diff -u "$ok" - > "$TMP/diff"; then
		echo "FAIL: golden: $1"
		cat "$TMP/diff"
		failed=$((failed + 1))
	fi
}

TMP=$(mktemp -d /tmp/cgov-golden.XXXXXX) || exit 1
trap 'rm -rf "$TMP"' EXIT
total=0
failed=0
for f in "$DIR"/*.policy; do
	name=$(basename "$f" .policy)
	version=2
	[ "$(head -n 1 "$f")" = "# cgroup-version: 1" ] && version=1
	compare "$name" "$version" "$DIR" "$name.policy"
done
compare shipped-v2 2 "$CGOV_SRCDIR" policies
compare shipped-v1 1 "$CGOV_SRCDIR" policies

[ "$update" = 1 ] && { echo "golden: .ok files rewritten in $DIR"; exit 0; }
if [ "$failed" -gt 0 ]; then
	echo "FAIL: golden: $failed of $total cases"
	exit 1
fi
echo "ok: golden: $total cases"
exit 0
