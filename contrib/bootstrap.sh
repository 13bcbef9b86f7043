#!/bin/sh
# bootstrap.sh: install what cgov needs from Debian's archive, then build it
# in place. Run as root from the top of the tree on Debian 12 (bookworm).
# Installs only what is missing, so it works offline once everything is in.
set -eu
cd "$(dirname "$0")/.."

# Build: toolchain, autotools, the four libraries. Tests: cmocka, sqlite3
# (integrity checks), jq (reads `cgov --format json`), iconv is in libc-bin,
# a real JVM (the swap-buffer test runs a java process in a container),
# python3 and a headless chromium with a font (the HTML report is loaded
# in a real browser: its DOM is checked and a screenshot decoded), strace
# (policy simulate must not touch cgroupfs) and util-linux's script (a
# terminal for the sparkline and top --live), ansible-core (the role in
# contrib/ansible is run against localhost).
PKGS="build-essential autoconf automake libtool pkg-config
libcgroup-dev libevent-dev libsqlite3-dev libsensors-dev libcap-ng-dev
libcmocka-dev sqlite3 jq openjdk-17-jre-headless
python3 chromium fonts-dejavu-core strace util-linux
ansible-core"
PKGS="$PKGS curl prometheus"   # /metrics: scraped with curl, linted by promtool
PKGS="$PKGS fio stress-ng openjdk-17-jdk-headless"   # bench/scenarios and its smoke test
PKGS="$PKGS systemd"   # systemd-analyze security rates cgovd.service (unit_hardening.sh)

missing=""
for p in $PKGS; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" || missing="$missing $p"
done
if [ -n "$missing" ]; then
	echo "bootstrap: installing$missing"
	export DEBIAN_FRONTEND=noninteractive
	apt-get update -qq
	# shellcheck disable=SC2086
	apt-get install -y -qq --no-install-recommends $missing
fi

[ -x configure ] && [ configure -nt configure.ac ] && [ Makefile.in -nt Makefile.am ] ||
	autoreconf -fi
[ -f Makefile ] && [ Makefile -nt configure ] || ./configure --quiet
make -j"$(nproc)" --quiet
mkdir -p run
echo "bootstrap: built ./cgovd and ./cgov"
