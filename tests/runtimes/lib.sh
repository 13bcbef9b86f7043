# lib.sh: shared by tests/runtimes/*.sh (make check-runtimes).
#
# Each test makes its own tenants on a real runtime (LXC, Docker, libvirt)
# from Debian's archive, governs them with the cgovd under test and
# destroys them; it skips (exit 77, with the reason) where the runtime
# cannot run here. Sourcing tests/lib/sandbox.sh gives skip/fail/pass,
# wait_until and a private $SB_TMP; its sandbox cgroups are not used.
#
# The rootfs all runtimes share (Debian bookworm, minbase) is built once
# with debootstrap and cached under $RT_CACHE (/var/cache/cgov-runtimes):
# a cold cache costs a download of about 40 MB and 2-3 minutes, a warm
# one nothing.
. "$(dirname "$0")/../lib/sandbox.sh"

RT_CACHE=${CGOV_RUNTIMES_CACHE:-/var/cache/cgov-runtimes}
RT_SUITE=bookworm
RT_MIRROR=${CGOV_DEBIAN_MIRROR:-http://deb.debian.org/debian}
# A per-run tag in every tenant name: parallel runs and leftovers of a
# killed run never collide with this run's tenants.
RT_TAG=cgovrt$$

[ "$(id -u)" = 0 ] || skip "needs root"

# rt_apt PACKAGE...: installs what is missing (skips when it cannot).
rt_apt() {
	local p missing=""
	for p in "$@"; do
		dpkg-query -W -f '${Status}' "$p" 2>/dev/null | grep -q "install ok installed" ||
			missing="$missing $p"
	done
	[ -z "$missing" ] && return 0
	command -v apt-get >/dev/null || skip "no apt-get to install$missing"
	DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=900 install -y \
		--no-install-recommends $missing > "$SB_TMP/apt.log" 2>&1 ||
		{ apt-get -o DPkg::Lock::Timeout=900 update > /dev/null 2>&1 &&
		DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=900 install -y \
			--no-install-recommends $missing > "$SB_TMP/apt.log" 2>&1; } ||
		skip "cannot install$missing: $(tail -1 "$SB_TMP/apt.log")"
}

# rt_rootfs: the cached rootfs directory (built on first use, under a
# lock: tests running side by side build it once).
rt_rootfs() {
	local dir="$RT_CACHE/$RT_SUITE-rootfs"
	mkdir -p "$RT_CACHE" || skip "cannot create $RT_CACHE"
	(
		flock 9
		[ -e "$dir/.complete" ] && exit 0
		rm -rf "$dir.tmp"
		debootstrap --variant=minbase "$RT_SUITE" "$dir.tmp" "$RT_MIRROR" \
			> "$RT_CACHE/debootstrap.log" 2>&1 || exit 1
		rm -rf "$dir" && mv "$dir.tmp" "$dir" && touch "$dir/.complete"
	) 9> "$RT_CACHE/.lock" ||
		skip "debootstrap $RT_SUITE failed (no network to $RT_MIRROR?): $(tail -1 "$RT_CACHE/debootstrap.log")"
	echo "$dir"
}

# rt_tarball: the rootfs as a tarball (for `docker import`), cached too.
rt_tarball() {
	local dir tar="$RT_CACHE/$RT_SUITE-rootfs.tar"
	dir=$(rt_rootfs) || exit $?
	(
		flock 9
		[ -s "$tar" ] && exit 0
		tar -C "$dir" --exclude ./.complete -cf "$tar.tmp" . && mv "$tar.tmp" "$tar"
	) 9> "$RT_CACHE/.lock" || fail "cannot make $tar"
	echo "$tar"
}

# rt_cg CTRL PATH: the host directory of cgroup PATH in controller CTRL's
# hierarchy (v1: /sys/fs/cgroup/CTRL; v2: /sys/fs/cgroup).
rt_cg() {
	if [ -e /sys/fs/cgroup/cgroup.controllers ]; then
		echo "/sys/fs/cgroup$2"
	else
		echo "/sys/fs/cgroup/$1$2"
	fi
}
rt_v2() { [ -e /sys/fs/cgroup/cgroup.controllers ]; }

# within A B PCT: |A - B| <= PCT% of B.
within() { awk -v a="$1" -v b="$2" -v p="$3" 'BEGIN { d = a - b; if (d < 0) d = -d; exit !(d <= b * p / 100) }'; }

# rt_daemon ARGS...: cgovd in the foreground on the whole host (built-in
# discovery patterns, no --containers), logging to $DAEMON_LOG; its
# history in $DB. The sandbox's cleanup stops it.
rt_daemon() {
	DAEMON_LOG="$SB_TMP/cgovd.log"
	DB="$SB_TMP/cgov.db"
	"$CGOVD" --foreground -v --db "$DB" "$@" > "$DAEMON_LOG" 2>&1 &
	DAEMON_PID=$!
}

# rt_daemon_stop: SIGTERM, and its exit status checked.
rt_daemon_stop() {
	local rc
	kill -TERM "$DAEMON_PID"; wait "$DAEMON_PID"; rc=$?; DAEMON_PID=""
	[ "$rc" = 0 ] || fail "cgovd exited $rc: $(tail -5 "$DAEMON_LOG")"
}

# rt_parent_note PATH: remembers whether the runtime's parent cgroup PATH
# (/docker, /machine) was there before the test; rt_parent_drop PATH then
# removes it from every hierarchy when the test's runtime made it and it is
# empty again (rmdir refuses one that is not).
rt_parent_note() {
	local v
	v=RT_HAD_$(echo "$1" | tr -c 'a-zA-Z0-9\n' _)
	if [ -d "$(rt_cg memory "$1")" ]; then eval "$v=1"; else eval "$v=0"; fi
}
rt_parent_drop() {
	local v m
	v=RT_HAD_$(echo "$1" | tr -c 'a-zA-Z0-9\n' _)
	[ "${!v:-1}" = 0 ] || return 0
	for m in /sys/fs/cgroup/*/ /sys/fs/cgroup/; do
		[ -d "${m%/}$1" ] && rmdir "${m%/}$1" 2>/dev/null
	done
	return 0
}
