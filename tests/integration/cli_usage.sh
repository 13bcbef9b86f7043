#!/bin/bash
# The command-line contract: exit codes 0/1/2, messages that say what is
# wrong, configuration errors with file:line:column. Needs no cgroups.
. "$(dirname "$0")/../lib/sandbox.sh"
T=$(mktemp -d /tmp/cgov-cli.XXXXXX)
trap 'rm -rf "$T"' EXIT

# expect RC PATTERN COMMAND...: exit code RC and PATTERN in stdout+stderr.
expect() {
	local want=$1 pat=$2 out rc
	shift 2
	out=$("$@" 2>&1); rc=$?
	[ "$rc" = "$want" ] || fail "'$*' exited $rc, expected $want: $out"
	echo "$out" | grep -qE -- "$pat" || fail "'$*' does not say /$pat/: $out"
}

expect 2 'unknown command "frobnicate"' "$CGOV" frobnicate
expect 2 'usage: cgov' "$CGOV"
expect 2 'usage: cgov' "$CGOV" --no-such-option top
expect 2 'bad duration "5" for --since' "$CGOV" --db "$T/x.db" top --since 5
expect 2 'bad duration "ten minutes"' "$CGOV" --db "$T/x.db" top --since "ten minutes"
expect 2 'unknown --by "mem"' "$CGOV" --db "$T/x.db" top --by mem
expect 2 'unknown format "xml"' "$CGOV" --db "$T/x.db" top --format xml
expect 2 'positive number' "$CGOV" --db "$T/x.db" top --limit 0
expect 2 'usage: cgov top' "$CGOV" --db "$T/x.db" top --bogus
expect 2 'needs a terminal' "$CGOV" --db "$T/x.db" top --live
expect 1 'cannot open database .*x.db' "$CGOV" --db "$T/x.db" top
expect 1 'cannot open database' "$CGOV" --db "$T/x.db" containers
expect 0 'usage: cgov top' "$CGOV" top --help
expect 0 '^cgov [0-9]' "$CGOV" --version

expect 2 'unrecognized option' "$CGOVD" --no-such-option
expect 2 'bad duration "5"' "$CGOVD" --check --config /dev/null --interval 5
expect 2 'must be an absolute cgroup path' "$CGOVD" --check --config /dev/null --containers 'lxc/*'
expect 2 'no such file' "$CGOVD" --check --config "$T/missing.conf"
expect 0 '^configuration OK$' "$CGOVD" --check --config /dev/null --interval 2s
expect 0 'docker' "$CGOVD" --list-patterns

# Every error of a configuration file, each with file:line:column.
cat > "$T/bad.conf" <<'CONF'
# a comment
interval = 1s
intervall = 2s
rescan-interval = soon
containers = lxc/*
log-level = loud
just words
CONF
out=$("$CGOVD" --check --config "$T/bad.conf" 2>&1); rc=$?
[ "$rc" = 2 ] || fail "bad config: exit $rc"
for want in "bad.conf:3:1: intervall: unknown setting" \
	'bad.conf:4:19: rescan-interval: bad duration "soon"' \
	'bad.conf:5:14: containers: pattern "lxc/\*" must be' \
	'bad.conf:6:13: log-level: unknown level "loud"' \
	'bad.conf:7:1: expected "key = value"'; do
	echo "$out" | grep -q -- "$want" || fail "bad config: missing /$want/ in: $out"
done
cat > "$T/good.conf" <<'CONF'
db = /tmp/somewhere.db   # trailing comment
interval = 500ms
rescan-interval = 5s
containers = /lxc/*
containers = systemd
CONF
expect 0 '^configuration OK$' "$CGOVD" --check --config "$T/good.conf"
expect 2 'rescan-interval must not be shorter' "$CGOVD" --check --config "$T/good.conf" --interval 10s
pass "exit codes and messages"
