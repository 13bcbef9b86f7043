#!/bin/bash
# `make check-deb`: the Debian package, built as a distribution tarball's
# tree would build it (`make distdir` into a temporary directory, then
# `dpkg-buildpackage -us -uc -b` there: the source tree is not touched),
# installs to /usr, /etc and /var only: cgovd and cgov, cgov.conf and the
# shipped policies as conffiles, the units under /lib/systemd/system with
# /usr paths, the report script, bash completion, the man pages; lintian
# finds no error (its warnings are printed). Minutes of work: not part of
# make check. Skips (exit 77) without dpkg-dev, debhelper or the build
# dependencies.
. "$(dirname "$0")/../lib/sandbox.sh"
B=$CGOV_BUILDDIR
for t in dpkg-buildpackage dpkg-checkbuilddeps dh make; do need "$t"; done
T=$(mktemp -d /tmp/cgov-test.XXXXXX)
trap 'rm -rf "$T"' EXIT
mk() { env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL make -C "$B" --no-print-directory "$@"; }
ver=$(dpkg-parsechangelog -l "$CGOV_SRCDIR/debian/changelog" -S Version) || fail "cannot read debian/changelog"
D="$T/cgov-$ver"
mk distdir distdir="$D" > "$T/distdir.out" 2>&1 || fail "make distdir failed: $(tail -n 20 "$T/distdir.out")"
(cd "$D" && dpkg-checkbuilddeps) > "$T/deps.out" 2>&1 || skip "$(cat "$T/deps.out")"
(cd "$D" && dpkg-buildpackage -us -uc -b) > "$T/build.out" 2>&1 ||
	fail "dpkg-buildpackage failed: $(tail -n 40 "$T/build.out")"
deb=$(ls "$T"/cgov_"$ver"_*.deb 2>/dev/null | head -n 1)
[ -n "$deb" ] || fail "no .deb in $T: $(ls "$T")"
dpkg -c "$deb" | awk '{ print $6 }' | sed 's|^\./|/|' | sort > "$T/files"

# Only /usr, /etc, /var (and /lib for systemd units on Debian 12).
bad=$(grep -Ev '^/(usr|etc|var)(/|$)|^/lib/(systemd/(system/.*)?)?$' "$T/files" | grep -v '^/$')
[ -z "$bad" ] || fail "the package installs outside /usr, /etc, /var: $bad"
for f in /usr/sbin/cgovd /usr/bin/cgov /etc/cgov/cgov.conf \
	/etc/cgov/policies.d/10-lxc-noisy.policy /etc/cgov/policies.d/20-jvm.policy \
	/lib/systemd/system/cgovd.service /lib/systemd/system/cgov-report.service \
	/lib/systemd/system/cgov-report.timer /usr/libexec/cgov/cgov-report.sh \
	/usr/share/cgov/cgov-report.cron /usr/share/bash-completion/completions/cgov \
	/usr/share/man/man8/cgovd.8.gz /usr/share/man/man1/cgov.1.gz /usr/share/man/man5/cgov.conf.5.gz \
	/var/lib/cgov/; do
	grep -qx -- "$f" "$T/files" || fail "$f is not in the package: $(cat "$T/files")"
done
grep -q '^/usr/local' "$T/files" && fail "the package installs under /usr/local"

# The package's own view: conffiles, paths in the unit, the programs' defaults.
mkdir "$T/x"
dpkg-deb -e "$deb" "$T/x/DEBIAN"
dpkg-deb -x "$deb" "$T/x"
grep -qx /etc/cgov/cgov.conf "$T/x/DEBIAN/conffiles" || fail "cgov.conf is not a conffile: $(cat "$T/x/DEBIAN/conffiles")"
grep -qx /etc/cgov/policies.d/20-jvm.policy "$T/x/DEBIAN/conffiles" || fail "the policies are not conffiles"
grep -qx 'ExecStart=/usr/sbin/cgovd --foreground' "$T/x/lib/systemd/system/cgovd.service" ||
	fail "cgovd.service: $(grep ExecStart "$T/x/lib/systemd/system/cgovd.service")"
grep -q 'ReadWritePaths=.* /var/lib/cgov$' "$T/x/lib/systemd/system/cgovd.service" || fail "cgovd.service does not make /var/lib/cgov writable"
"$T/x/usr/sbin/cgovd" --help 2>&1 | grep -qF '(default /etc/cgov/cgov.conf)' ||
	fail "the packaged cgovd does not read /etc/cgov/cgov.conf: $("$T/x/usr/sbin/cgovd" --help 2>&1 | grep config)"
grep -q 'install -d -m 0750 /var/lib/cgov' "$T/x/DEBIAN/postinst" || fail "postinst does not create /var/lib/cgov"
grep -q 'cgov-report.timer' "$T/x/DEBIAN/postinst" || fail "postinst does not enable the report timer"

if command -v lintian > /dev/null 2>&1; then
	lintian --tag-display-limit 0 -I "$deb" > "$T/lintian.out" 2>&1
	echo "--- lintian:"; cat "$T/lintian.out"
	grep -q '^E: ' "$T/lintian.out" && fail "lintian errors: $(grep '^E: ' "$T/lintian.out")"
else
	echo "lintian not installed: not run"
fi
[ -n "${CGOV_DEB_KEEP:-}" ] && cp "$deb" "$CGOV_DEB_KEEP/" && echo "kept $CGOV_DEB_KEEP/$(basename "$deb")"
pass "$(basename "$deb"): $(wc -l < "$T/files") entries under /usr, /etc, /var, /lib/systemd"
