#!/bin/bash
# make install DESTDIR=... from the build tree: the programs, cgov.conf and
# the shipped policies under SYSCONFDIR/cgov, the units with the configured
# paths put in (none of @...@ left but systemd's own @system-service sets),
# the report script, timer and cron line, bash completion, the state
# directory. The installed cgovd's default configuration is
# SYSCONFDIR/cgov/cgov.conf (/etc/cgov/cgov.conf with configure's defaults).
# A second install keeps a changed cgov.conf (ours goes beside it as
# cgov.conf.new); uninstall removes everything else. Needs no root; skips
# where make is missing or the build tree cannot be installed from as it is
# (the v2 guest copies it without objects: make would rebuild).
. "$(dirname "$0")/../lib/sandbox.sh"
B=$CGOV_BUILDDIR
command -v make > /dev/null 2>&1 || skip "needs make"
[ -f "$B/Makefile" ] || skip "no Makefile in $B"
[ -w "$B" ] || skip "the build tree $B is not writable"
# The parent make's jobserver and flags are not ours.
mk() { env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL make -C "$B" --no-print-directory "$@"; }
# The v2 guest's copy of the build tree has no objects: make would rebuild.
[ -f "$B/libcgov.a" ] || skip "no libcgov.a in $B (a copy without objects: make install would rebuild)"

T=$(mktemp -d /tmp/cgov-test.XXXXXX)
trap 'rm -rf "$T"' EXIT
D="$T/root"

var() { printf 'cgov-print-%%:\n\t@echo $($*)\n' | mk -s -f Makefile -f - "cgov-print-$1"; }
prefix=$(var prefix); sysconfdir=$(var sysconfdir); localstatedir=$(var localstatedir)
sbindir=$(var sbindir); bindir=$(var bindir); libexecdir=$(var libexecdir)
datadir=$(var datadir); mandir=$(var mandir); unitdir=$(var systemdunitdir)
[ -n "$sysconfdir" ] && [ -n "$unitdir" ] || fail "cannot read the configured directories from $B/Makefile"
case $prefix in
/usr|/usr/local) [ "$sysconfdir" = /etc ] && [ "$localstatedir" = /var ] ||
	fail "prefix $prefix but sysconfdir $sysconfdir, localstatedir $localstatedir (want /etc, /var)" ;;
esac

mk install DESTDIR="$D" > "$T/install.out" 2>&1 || fail "make install failed: $(tail -n 20 "$T/install.out")"

want="$sbindir/cgovd $bindir/cgov
$sysconfdir/cgov/cgov.conf
$sysconfdir/cgov/policies.d/10-docker-noisy.policy $sysconfdir/cgov/policies.d/10-kvm-noisy.policy
$sysconfdir/cgov/policies.d/10-lxc-noisy.policy $sysconfdir/cgov/policies.d/20-jvm.policy
$sysconfdir/cgov/policies.d/30-classic.policy
$unitdir/cgovd.service $unitdir/cgov-report.service $unitdir/cgov-report.timer
$libexecdir/cgov/cgov-report.sh $datadir/cgov/cgov-report.cron
$datadir/bash-completion/completions/cgov $datadir/bash-completion/completions/cgovd
$mandir/man8/cgovd.8 $mandir/man1/cgov.1 $mandir/man5/cgov.conf.5 $mandir/man5/cgov.policy.5"
for f in $want; do
	[ -f "$D$f" ] || fail "make install did not install $f; installed: $(cd "$D" && find . -type f | sort)"
done
# Nothing more than that (another helper's file would be named here).
n_want=$(echo $want | wc -w)
n_got=$(find "$D" -type f | wc -l)
[ "$n_got" = "$n_want" ] || fail "make install installed $n_got files, not $n_want: $(cd "$D" && find . -type f | sort)"
[ -d "$D$localstatedir/lib/cgov" ] || fail "no state directory $localstatedir/lib/cgov"
[ -x "$D$libexecdir/cgov/cgov-report.sh" ] || fail "the report script is not executable"
[ -x "$D$sbindir/cgovd" ] || fail "cgovd is not executable"

# The units carry the install's paths, and nothing unsubstituted.
u="$D$unitdir/cgovd.service"
grep -qx "ExecStart=$sbindir/cgovd --foreground" "$u" || fail "cgovd.service: $(grep ExecStart "$u")"
grep -q "^ReadWritePaths=.* $localstatedir/lib/cgov\$" "$u" ||
	fail "cgovd.service does not make $localstatedir/lib/cgov writable: $(grep ReadWritePaths "$u")"
grep -qx "ProtectSystem=strict" "$u" || fail "cgovd.service lost ProtectSystem=strict"
r="$D$unitdir/cgov-report.service"
grep -q "^ExecStart=$libexecdir/cgov/cgov-report.sh .*--db $localstatedir/lib/cgov/cgov.db" "$r" ||
	fail "cgov-report.service: $(grep ExecStart "$r")"
grep -qx "Environment=CGOV=$bindir/cgov" "$r" || fail "cgov-report.service: $(grep Environment "$r")"
grep -q "$libexecdir/cgov/cgov-report.sh" "$D$datadir/cgov/cgov-report.cron" || fail "the cron line names another script"
left=$(grep -ho '@[a-z]*@' "$u" "$r" "$D$datadir/cgov/cgov-report.cron" | sort -u)
[ -z "$left" ] || fail "unsubstituted in the units: $left"
grep -qx 'SystemCallFilter=@system-service' "$u" || fail "systemd's @system-service set was substituted away"

# The installed programs look where the install put things.
"$D$sbindir/cgovd" --help > "$T/help" 2>&1
grep -qF "(default $sysconfdir/cgov/cgov.conf)" "$T/help" ||
	fail "installed cgovd's default config is not $sysconfdir/cgov/cgov.conf: $(grep -- --config "$T/help")"
grep -qF "(default $localstatedir/lib/cgov/cgov.db)" "$T/help" ||
	fail "installed cgovd's default db: $(grep -- --db "$T/help")"
"$D$bindir/cgov" --help 2>&1 | grep -qF "$localstatedir/lib/cgov/cgov.db" || fail "installed cgov's default db is not in its --help"
# The shipped cgov.conf is accepted, with the installed policies.
"$D$sbindir/cgovd" --check --config "$D$sysconfdir/cgov/cgov.conf" \
	--policies "$D$sysconfdir/cgov/policies.d" > "$T/check" 2>&1 ||
	fail "cgovd --check on the installed configuration: $(cat "$T/check")"

# A changed cgov.conf survives a second install; ours goes beside it.
echo "interval = 2s   # the operator's" >> "$D$sysconfdir/cgov/cgov.conf"
cp "$D$sysconfdir/cgov/cgov.conf" "$T/changed.conf"
mk install DESTDIR="$D" > "$T/install2.out" 2>&1 || fail "second make install failed: $(tail -n 20 "$T/install2.out")"
cmp -s "$T/changed.conf" "$D$sysconfdir/cgov/cgov.conf" || fail "the second install overwrote a changed cgov.conf"
cmp -s "$CGOV_SRCDIR/contrib/cgov.conf" "$D$sysconfdir/cgov/cgov.conf.new" || fail "no cgov.conf.new beside the changed one"
grep -q "cgov.conf was changed: kept" "$T/install2.out" || fail "the second install does not say it kept cgov.conf"
cmp -s "$CGOV_SRCDIR/policies/20-jvm.policy" "$D$sysconfdir/cgov/policies.d/20-jvm.policy" ||
	fail "an unchanged policy differs after the second install"
[ -e "$D$sysconfdir/cgov/policies.d/20-jvm.policy.new" ] && fail "a .new beside an unchanged policy"

# Uninstall takes everything but the changed cgov.conf.
mk uninstall DESTDIR="$D" > "$T/uninstall.out" 2>&1 || fail "make uninstall failed: $(tail -n 20 "$T/uninstall.out")"
left=$(cd "$D" && find . -type f | sort)
[ "$left" = ".$sysconfdir/cgov/cgov.conf" ] || fail "after uninstall, left: $left (want the changed cgov.conf only)"
pass "$n_want files under $prefix, $sysconfdir/cgov, $unitdir; a changed cgov.conf kept"
