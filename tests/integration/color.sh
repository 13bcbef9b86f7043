#!/bin/bash
# Colour on a terminal only: `cgov actions` colours its KIND column (apply
# yellow, restore green) when standard output is a terminal (util-linux's
# script gives it one) and NO_COLOR is unset or empty; NO_COLOR=1, a pipe
# and JSON get no escape at all; the columns stay aligned (the colour wraps
# the text, not the padding). Needs no root.
. "$(dirname "$0")/../lib/sandbox.sh"
need script
GEN="$CGOV_BUILDDIR/tests/helpers/cgov_gen"
T=$(mktemp -d /tmp/cgov-test.XXXXXX)
trap 'rm -rf "$T"' EXIT
"$GEN" --db "$T/g.db" --quiet --actions --hostile > "$T/gen.out" 2>&1 || fail "cgov_gen: $(cat "$T/gen.out")"
on_tty() { script -qec "$*" /dev/null | tr -d '\r'; }
E=$'\033'

env -u NO_COLOR bash -c "$(declare -f on_tty); on_tty '$CGOV' --db '$T/g.db' actions --since 400d" > "$T/tty" 2>&1
grep -qF "${E}[33mapply${E}[0m" "$T/tty" || fail "no yellow apply on a terminal: $(cat -v "$T/tty" | head -5)"
grep -qF "${E}[32mrestore${E}[0m" "$T/tty" || fail "no green restore on a terminal: $(cat -v "$T/tty" | head -5)"
# Aligned: without the escapes, the terminal's table is the pipe's.
"$CGOV" --db "$T/g.db" actions --since 400d > "$T/pipe" 2>&1
grep -q "$E" "$T/pipe" && fail "escapes in a pipe: $(cat -v "$T/pipe" | head -5)"
sed "s/${E}\[[0-9;]*m//g" "$T/tty" | diff - "$T/pipe" > "$T/diff" || fail "the coloured table differs: $(cat "$T/diff")"

NO_COLOR= bash -c "$(declare -f on_tty); on_tty '$CGOV' --db '$T/g.db' actions --since 400d" > "$T/empty" 2>&1
grep -q "$E" "$T/empty" || fail "an empty NO_COLOR turned the colour off"
NO_COLOR=1 bash -c "$(declare -f on_tty); on_tty '$CGOV' --db '$T/g.db' actions --since 400d" > "$T/nc" 2>&1
grep -q "$E" "$T/nc" && fail "NO_COLOR=1 on a terminal still coloured: $(cat -v "$T/nc" | head -5)"
env -u NO_COLOR bash -c "$(declare -f on_tty); on_tty '$CGOV' --db '$T/g.db' --format json actions --since 400d" > "$T/json" 2>&1
grep -q "$E" "$T/json" && fail "escapes in JSON on a terminal"
pass "coloured on a terminal, aligned; none with NO_COLOR=1, in a pipe or in JSON"
