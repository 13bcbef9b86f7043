#!/bin/sh
# cgov-report.sh: the nightly capacity report, kept for a while.
#
# usage: cgov-report.sh [-d DIR] [-k DAYS] [-s SINCE] [--db FILE] [--cgov PATH]
#
#   -d DIR       where reports go (default /var/lib/cgov/reports)
#   -k DAYS      delete dated directories more than DAYS days old (default 30)
#   -s SINCE     the report's window (default 24h), as `cgov report --since`
#   --db FILE    the history (default /var/lib/cgov/cgov.db), read-only
#   --cgov PATH  the cgov program (default: $CGOV, else cgov from PATH)
#
# Writes DIR/YYYY-MM-DD/report.html and report.json (today's date in UTC,
# like every time in the report). Both are written into a temporary
# directory inside DIR first and then renamed into place, so a web server
# or a collector reading DIR never sees half a report; a second run on the
# same day replaces each file the same way. Then deletes the dated
# directories (names exactly YYYY-MM-DD, real directories, not links) more
# than DAYS days old; nothing else in DIR is touched.
#
# Run from cgov-report.timer or cgov-report.cron. Exits 0; 1 when cgov
# fails (its message is on stderr) or a file cannot be written; 2 on a
# usage error.
set -eu

dir=/var/lib/cgov/reports
keep=30
since=24h
db=/var/lib/cgov/cgov.db
cgov=${CGOV:-cgov}

usage() {
	[ $# -gt 0 ] && echo "cgov-report: $*" >&2
	echo "usage: cgov-report.sh [-d DIR] [-k DAYS] [-s SINCE] [--db FILE] [--cgov PATH]" >&2
	exit 2
}
die() { echo "cgov-report: $*" >&2; exit 1; }

while [ $# -gt 0 ]; do
	case $1 in
	-d|--dir) [ $# -ge 2 ] || usage "$1 needs a directory"; dir=$2; shift 2 ;;
	-k|--keep) [ $# -ge 2 ] || usage "$1 needs a number of days"; keep=$2; shift 2 ;;
	-s|--since) [ $# -ge 2 ] || usage "$1 needs a duration"; since=$2; shift 2 ;;
	--db) [ $# -ge 2 ] || usage "--db needs a file"; db=$2; shift 2 ;;
	--cgov) [ $# -ge 2 ] || usage "--cgov needs a program"; cgov=$2; shift 2 ;;
	-h|--help) usage ;;
	*) usage "unknown argument: $1" ;;
	esac
done
case $keep in
''|*[!0-9]*) usage "-k wants a number of days, not \"$keep\"" ;;
esac
[ -n "$dir" ] || usage "-d wants a directory"

# The reports name every tenant: not for other users' eyes.
umask 027
[ -d "$dir" ] || mkdir -p "$dir" || die "cannot create $dir"
[ -r "$db" ] || die "cannot read the history $db"

today=$(date -u +%Y-%m-%d)
out="$dir/$today"
tmp=$(mktemp -d "$dir/.cgov-report.XXXXXX") || die "cannot create a temporary directory in $dir"
trap 'rm -rf "$tmp"' EXIT
trap 'exit 1' HUP INT TERM

"$cgov" --db "$db" report --since "$since" --format html -o "$tmp/report.html" ||
	die "cgov report --format html failed (exit $?)"
"$cgov" --db "$db" report --since "$since" --format json -o "$tmp/report.json" ||
	die "cgov report --format json failed (exit $?)"
chmod 0750 "$tmp"

if [ -e "$out" ] || [ -L "$out" ]; then
	# Today's reports exist (a second run): replace each file by a rename.
	[ -d "$out" ] && [ ! -L "$out" ] || die "$out exists and is not a directory"
	mv -f "$tmp/report.html" "$out/report.html" || die "cannot rename into $out"
	mv -f "$tmp/report.json" "$out/report.json" || die "cannot rename into $out"
else
	mv "$tmp" "$out" || die "cannot rename $tmp to $out"
fi

# Retention: date-named directories only, compared as YYYY-MM-DD strings
# (they sort as dates); the cutoff is DAYS days before today.
now=$(date -u +%s)
cutoff=$(date -u -d "@$((now - keep * 86400))" +%Y-%m-%d) || die "date(1) cannot count back $keep days"
for d in "$dir"/[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]; do
	[ -d "$d" ] && [ ! -L "$d" ] || continue
	name=${d##*/}
	if expr "$name" \< "$cutoff" > /dev/null; then
		rm -rf -- "$d" || die "cannot delete $d"
	fi
done
exit 0
