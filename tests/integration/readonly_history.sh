#!/bin/bash
# Integration: the CLI reads a history it cannot write beside.
#
# A WAL database's readers create its -shm file when nobody has (cgovd
# stopped: its clean exit removes it). A sandboxed report job sees the
# history's directory read-only, so cgov must read the file as immutable
# there, not fail. A read-only bind mount in a private mount namespace
# stands for the sandbox; the same file read normally must give the same
# report.
. "$(dirname "$0")/../lib/sandbox.sh"
[ "$(id -u)" = 0 ] || skip "needs root"
need unshare
GEN="$CGOV_BUILDDIR/tests/helpers/cgov_gen"
T=$(mktemp -d /tmp/cgov-test-ro.XXXXXX)
trap 'rm -rf "$T"' EXIT
mkdir "$T/hist"
"$GEN" --db "$T/hist/cgov.db" --hours 1 --actions --quiet > /dev/null || fail "cgov_gen failed"
[ ! -e "$T/hist/cgov.db-shm" ] || fail "the generator left a -shm file"
unshare -m true 2>/dev/null || skip "no mount namespaces here"

"$CGOV" --db "$T/hist/cgov.db" report --since 1h --format json > "$T/rw.json" ||
	fail "report failed on a writable directory"
rm -f "$T/hist/cgov.db-shm" "$T/hist/cgov.db-wal"
unshare -m sh -c '
	mount --bind "$1/hist" "$1/hist" && mount -o remount,bind,ro "$1/hist" || exit 90
	touch "$1/hist/probe" 2>/dev/null && exit 91
	"$2" --db "$1/hist/cgov.db" report --since 1h --format json > "$1/ro.json" &&
	"$2" --db "$1/hist/cgov.db" top --since 1h --format json > "$1/top.json"' \
	sh "$T" "$CGOV" 2> "$T/err"
rc=$?
[ "$rc" = 90 ] && skip "cannot make a read-only bind mount"
[ "$rc" = 91 ] && fail "the bind mount is not read-only"
[ "$rc" = 0 ] || fail "cgov failed on a read-only directory ($rc): $(cat "$T/err")"
cmp -s "$T/rw.json" "$T/ro.json" || fail "the report differs when read as immutable"
grep -q '"containers"' "$T/top.json" || fail "top printed no containers: $(head -c 300 "$T/top.json")"
[ ! -e "$T/hist/cgov.db-shm" ] || fail "a -shm file appeared"
pass "report and top read a history in a read-only directory; same report as read-write"
