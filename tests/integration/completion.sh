#!/bin/bash
# contrib/cgov.bash-completion, sourced into a plain bash (no
# bash-completion package needed): `cgov <TAB>` offers every command that
# `cgov --help` lists, `cgov top --<TAB>` top's options, `cgov top --by
# <TAB>` the rankings, `cgov policy <TAB>` its subcommands, `cgovd --<TAB>`
# cgovd's options; with the programs not runnable, the built-in lists.
# Needs no root.
. "$(dirname "$0")/../lib/sandbox.sh"
COMP="$CGOV_SRCDIR/contrib/cgov.bash-completion"
[ -f "$COMP" ] || fail "no $COMP"

# complete WORD...: the completions of the command line "WORD... " (the last
# word is the one being completed), one per line, sorted.
complete_line() {
	"$BASH" --norc --noprofile -c '
		. "$1" || exit 3
		shift
		COMP_WORDS=("$@")
		COMP_CWORD=$(( ${#COMP_WORDS[@]} - 1 ))
		fn=$(complete -p "${COMP_WORDS[0]##*/}" | sed -n "s/.*-F \([^ ]*\) .*/\1/p")
		[ -n "$fn" ] || exit 4
		"$fn"
		printf "%s\n" "${COMPREPLY[@]}" | sort' complete "$COMP" "$@"
}
has() { echo "$1" | grep -qx -- "$2" || fail "$3: no \"$2\" in: $(echo $1)"; }

export PATH="$CGOV_BUILDDIR:$PATH"
out=$(complete_line cgov "") || fail "the completion failed (exit $?)"
want=$("$CGOV" --help 2>&1 | awk '/^commands:/ { on = 1; next } on && /^  [a-z]/ { print $1 }')
[ -n "$want" ] || fail "cgov --help lists no commands"
for c in $want top report actions policy status sql; do has "$out" "$c" "cgov <TAB>"; done
[ "$(echo "$out" | wc -l)" = "$(echo "$want" | wc -l)" ] || fail "cgov <TAB> offers more than the commands: $(echo $out)"
out=$(complete_line cgov re)
[ "$out" = report ] || fail "cgov re<TAB>: $(echo $out)"
out=$(complete_line cgov --db x.db top --)
for o in --by --since --limit --live --format; do has "$out" "$o" "cgov top --<TAB>"; done
echo "$out" | grep -qx -- --metric && fail "cgov top --<TAB> offers history's --metric"
out=$(complete_line cgov top --by "")
for o in memory swap cpu throttle io pressure; do has "$out" "$o" "cgov top --by <TAB>"; done
out=$(complete_line cgov policy "")
for o in check explain simulate; do has "$out" "$o" "cgov policy <TAB>"; done
out=$(complete_line cgov policy simulate --)
has "$out" --policies "cgov policy simulate --<TAB>"
out=$(complete_line cgovd --)
for o in --foreground --check --config --policies --containers --db; do has "$out" "$o" "cgovd --<TAB>"; done
# A file after --db.
T=$(mktemp -d /tmp/cgov-test.XXXXXX)
trap 'rm -rf "$T"' EXIT
touch "$T/hist.db"
out=$(complete_line cgov --db "$T/hi")
[ "$out" = "$T/hist.db" ] || fail "cgov --db FILE<TAB>: $(echo $out)"

# Without runnable programs: the built-in lists.
out=$(complete_line /nonexistent/cgov "")
for c in top containers history report actions policy status sql; do has "$out" "$c" "fallback cgov <TAB>"; done
out=$(complete_line /nonexistent/cgovd --c)
has "$out" --check "fallback cgovd --c<TAB>"
pass "commands, options, values and files complete"
