# sandbox.sh: container cgroups for integration tests, on a real kernel.
#
# Sourced by tests/integration/*.sh. Builds a sandbox of container cgroups
# under this process's own cgroup (cgroup v1: the deepest own path, created
# in every hierarchy so each test container has one path everywhere, as LXC
# and Docker do; cgroup v2: beside its own cgroup, see sb_init_v2), runs
# loads in them and always removes everything: cleanup runs from an EXIT
# trap. Tests skip (exit 77) without root or
# cgroupfs. Waits poll a condition; they never sleep in its place.

: "${CGOV_BUILDDIR:=$(cd "$(dirname "$0")/../.." && pwd)}"
: "${CGOV_SRCDIR:=$(cd "$(dirname "$0")/../.." && pwd)}"
CGOV="$CGOV_BUILDDIR/cgov"
CGOVD="$CGOV_BUILDDIR/cgovd"
HOG="$CGOV_BUILDDIR/tests/helpers/cgov_hog"
TEST_NAME=$(basename "$0" .sh)

skip() { echo "SKIP: $TEST_NAME: $*"; exit 77; }
fail() {
	echo "FAIL: $TEST_NAME: $*"
	[ -n "${DAEMON_LOG:-}" ] && [ -f "$DAEMON_LOG" ] &&
		{ echo "--- cgovd log (ticks left out):"; grep -v "debug: tick:" "$DAEMON_LOG" | tail -n 40; }
	exit 1
}
pass() { echo "ok: $TEST_NAME: $*"; }
need() { command -v "$1" >/dev/null 2>&1 || skip "needs $1"; }

# wait_until SECONDS 'SHELL CONDITION': evaluates the condition every 0.1 s
# (quote it: command substitutions inside must run on every poll).
wait_until() {
	local limit=$(( $1 * 10 )) i=0
	shift
	while ! eval "$*" >/dev/null 2>&1; do
		i=$((i + 1))
		[ "$i" -ge "$limit" ] && return 1
		sleep 0.1
	done
	return 0
}

SB_MOUNTS=""        # hierarchies the sandbox lives in
SB_BASE=""          # the sandbox's cgroup path, same in every hierarchy
SB_VERSION=""
SB_TMP=""
SB_PIDS=""
SB_CREATED=""       # directories sb_init made above the sandbox, deepest last
SB_FILES=""         # files outside SB_TMP a test made (removed at exit)
SB_MOUNTED=""       # tmpfs mounts sb_tmpfs made (unmounted at exit)

# sb_init: finds the hierarchies and creates the sandbox root.
sb_init() {
	[ "$(id -u)" = 0 ] || skip "needs root"
	SB_TMP=$(mktemp -d /tmp/cgov-test.XXXXXX)
	trap sb_cleanup EXIT
	trap 'exit 1' INT TERM
	local mnt2
	mnt2=$(awk '{ for (i = 7; i <= NF; i++) if ($i == "-") { if ($(i+1) == "cgroup2") print $5; break } }' \
		/proc/self/mountinfo | head -n 1)
	if [ -n "$mnt2" ] && grep -qw memory "$mnt2/cgroup.controllers" 2>/dev/null; then
		sb_init_v2 "$mnt2"
		return
	fi
	SB_VERSION=1
	local deepest="/" c mnt own
	for c in memory cpu cpuacct blkio pids freezer; do
		mnt=$(awk -v c="$c" '{ for (i = 1; i <= NF; i++) if ($i == "-") {
			if ($(i+1) == "cgroup" && index("," $(i+3) ",", "," c ",")) print $5; break } }' \
			/proc/self/mountinfo | head -n 1)
		[ -n "$mnt" ] || continue
		case " $SB_MOUNTS " in *" $mnt "*) ;; *) SB_MOUNTS="$SB_MOUNTS $mnt" ;; esac
		own=$(awk -F: -v c="$c" '{ n = split($2, a, ","); for (i = 1; i <= n; i++)
			if (a[i] == c) print $3 }' /proc/self/cgroup | head -n 1)
		[ "$(echo "$own" | tr -cd / | wc -c)" -gt "$(echo "$deepest" | tr -cd / | wc -c)" ] &&
			deepest=$own
	done
	[ -n "$SB_MOUNTS" ] || skip "no cgroup v1 hierarchies mounted"
	SB_BASE="${deepest%/}/cgov-test.$$"
	# The own path exists in some hierarchies only (memory is nested, cpu
	# is "/"): create it where it is missing and remember to remove it.
	local d p
	for mnt in $SB_MOUNTS; do
		p=""
		for d in $(echo "${SB_BASE%/*}" | tr / ' '); do
			p="$p/$d"
			[ -d "$mnt$p" ] && continue
			mkdir "$mnt$p" || skip "cannot create $mnt$p"
			SB_CREATED="$SB_CREATED $mnt$p"
		done
		mkdir -p "$mnt$SB_BASE" || skip "cannot create $mnt$SB_BASE"
	done
}

# sb_init_v2 MOUNT: the sandbox on the unified hierarchy. v2 lets no
# process live in a cgroup whose controllers are enabled for its children
# (the root excepted), and the test's own cgroup holds the test (on a
# systemd host, the whole login session or service too): the sandbox goes
# beside it, in its parent, which on a systemd host is a slice and holds no
# process. The controllers the tests use are enabled from the root down to
# that parent where they are not yet (systemd enables only what its units
# account: memory and pids in user.slice); they stay enabled, as systemd
# leaves them.
SB_CTRLS="memory cpu io pids"
sb_init_v2() {
	local mnt=$1 own parent p d c
	SB_VERSION=2
	SB_MOUNTS=$mnt
	own=$(sed -n 's/^0:://p' /proc/self/cgroup)
	[ -n "$own" ] || skip "no cgroup v2 path in /proc/self/cgroup"
	parent=${own%/*}
	SB_BASE="$parent/cgov-test.$$"
	p=""
	for d in "" $(echo "${parent#/}" | tr / ' '); do
		[ -n "$d" ] && p="$p/$d"
		for c in $SB_CTRLS; do
			grep -qw "$c" "$mnt$p/cgroup.controllers" || skip "cgroup v2 lacks $c in ${p:-/}"
			grep -qw "$c" "$mnt$p/cgroup.subtree_control" && continue
			echo "+$c" > "$mnt$p/cgroup.subtree_control" 2>/dev/null ||
				skip "cannot enable $c for the children of ${p:-/} (processes live there?)"
		done
	done
	mkdir "$mnt$SB_BASE" || skip "cannot create $SB_BASE"
	echo "$SB_CTRLS" | sed 's/\([a-z]*\)/+\1/g' > "$mnt$SB_BASE/cgroup.subtree_control" ||
		fail "cannot enable the controllers in $SB_BASE"
}

# sb_mk NAME: a container cgroup NAME in the sandbox, in every hierarchy.
# On v2 a nested NAME (lxc/web) gets the controllers enabled in the cgroups
# above it, as a runtime does for its containers (processes run in the
# leaves only).
sb_mk() {
	local mnt d
	for mnt in $SB_MOUNTS; do
		mkdir -p "$mnt$SB_BASE/$1" || fail "mkdir $mnt$SB_BASE/$1"
	done
	if [ "$SB_VERSION" = 2 ]; then
		d=$1
		while [ "${d%/*}" != "$d" ]; do
			d=${d%/*}
			echo "$SB_CTRLS" | sed 's/\([a-z]*\)/+\1/g' > "$SB_MOUNTS$SB_BASE/$d/cgroup.subtree_control" ||
				fail "cannot enable the controllers in $SB_BASE/$d"
		done
	fi
}

# sb_rm NAME: removes an empty container cgroup.
sb_rm() {
	local mnt
	for mnt in $SB_MOUNTS; do
		rmdir "$mnt$SB_BASE/$1" || fail "rmdir $mnt$SB_BASE/$1"
	done
}

sb_path() { echo "$SB_BASE/$1"; }

# sb_file NAME FILE: the path of a cgroup file of container NAME (first
# hierarchy that has it).
sb_file() {
	local mnt
	for mnt in $SB_MOUNTS; do
		[ -e "$mnt$SB_BASE/$1/$2" ] && { echo "$mnt$SB_BASE/$1/$2"; return 0; }
	done
	return 1
}

# sb_run NAME OUT COMMAND...: runs COMMAND in container NAME in the
# background, stdout to OUT; the pid is in $SB_LAST_PID.
sb_run() {
	local name=$1 out=$2
	shift 2
	(
		for mnt in $SB_MOUNTS; do
			echo "$BASHPID" > "$mnt$SB_BASE/$name/cgroup.procs" || exit 97
		done
		exec "$@"
	) > "$out" 2>&1 &
	SB_LAST_PID=$!
	SB_PIDS="$SB_PIDS $!"
}

# sb_idle_java: writes $SB_TMP/Idle.java, a JVM that says "ready" and
# sleeps (run it as `java ... "$SB_TMP/Idle.java"`: a real JVM whose
# executable is java, for the tests of JVM detection and its buffer).
sb_idle_java() {
	cat > "$SB_TMP/Idle.java" <<'EOF'
public class Idle {
	public static void main(String[] args) throws Exception {
		System.out.println("ready");
		Thread.sleep(Long.MAX_VALUE);
	}
}
EOF
}

sb_procs_empty() {
	# cgroupfs files have size 0 whatever they hold: read them ([ -s ] is
	# always false there).
	! find $(for m in $SB_MOUNTS; do echo "$m$SB_BASE"; done) -name cgroup.procs \
		-exec cat {} + 2>/dev/null | grep -q .
}

# proc_exited PID: the process is gone or a zombie waiting for our wait.
proc_exited() { [ ! -e "/proc/$1" ] || [ "$(cut -d' ' -f3 "/proc/$1/stat" 2>/dev/null)" = Z ]; }

sb_cleanup() {
	local rc=$? mnt pid f
	# A cgovd that does not exit on SIGTERM within 20 s is killed: the
	# cleanup must not hang (the test has failed by then anyway).
	if [ -n "${DAEMON_PID:-}" ] && kill -TERM "$DAEMON_PID" 2>/dev/null; then
		wait_until 20 'proc_exited "$DAEMON_PID"' || kill -KILL "$DAEMON_PID" 2>/dev/null
		wait "$DAEMON_PID" 2>/dev/null
	fi
	for pid in $SB_PIDS; do kill -KILL "$pid" 2>/dev/null; done
	if [ -n "$SB_BASE" ]; then
		for mnt in $SB_MOUNTS; do
			for f in $(find "$mnt$SB_BASE" -name cgroup.procs 2>/dev/null); do
				for pid in $(cat "$f" 2>/dev/null); do kill -KILL "$pid" 2>/dev/null; done
			done
		done
		wait_until 10 sb_procs_empty
		for mnt in $SB_MOUNTS; do
			[ -d "$mnt$SB_BASE" ] && find "$mnt$SB_BASE" -depth -type d -exec rmdir {} + 2>/dev/null
			[ -d "$mnt$SB_BASE" ] && echo "warning: $mnt$SB_BASE left behind" >&2
		done
		# Parents we made, deepest first; one still in use stays.
		for d in $(echo "$SB_CREATED" | tr ' ' '\n' | sort -r); do
			rmdir "$d" 2>/dev/null
		done
	fi
	wait 2>/dev/null
	# Only now: a daemon that had a database open on it is gone.
	for f in $SB_MOUNTED; do umount "$f" 2>/dev/null || umount -l "$f"; done
	for f in $SB_FILES; do rm -f "$f"; done
	[ -n "$SB_TMP" ] && rm -rf "$SB_TMP"
	exit $rc
}

# sb_policy_dir: DB (a history database) and POL (an empty policies
# directory) in the test's temporary directory, for a cgovd the test runs.
sb_policy_dir() {
	DB="$SB_TMP/cgov.db"
	POL="$SB_TMP/policies"
	mkdir -p "$POL" || fail "mkdir $POL"
}

# sb_v1_memsw NAME: on v1, container NAME's memory.limit_in_bytes and
# memory.memsw.limit_in_bytes as LIMIT and MEMSW, their values as
# ORIG_LIMIT and ORIG_MEMSW; skips without swap accounting, or when the
# limit is not unlimited (the tests start from a tenant without one).
sb_v1_memsw() {
	MEMSW=$(sb_file "$1" memory.memsw.limit_in_bytes) || skip "no swap accounting (memsw)"
	LIMIT=$(sb_file "$1" memory.limit_in_bytes)
	ORIG_MEMSW=$(cat "$MEMSW")
	ORIG_LIMIT=$(cat "$LIMIT")
	[ "$ORIG_LIMIT" -ge $((1 << 60)) ] || skip "the sandbox's memory limit is not unlimited ($ORIG_LIMIT)"
}

# sb_tmpfs DIR SIZE: a tmpfs of SIZE on DIR (made if missing; mode 0755, as
# cgovd wants the database directory), unmounted by
# sb_cleanup after the daemon has exited. Fails if it cannot be mounted.
sb_tmpfs() {
	mkdir -p "$1" && mount -t tmpfs -o "size=$2,mode=0755" cgov-test "$1" || return 1
	SB_MOUNTED="$SB_MOUNTED $1"
}

# daemon_start ARGS...: cgovd in the foreground (background job), restricted
# to the sandbox, logging to $DAEMON_LOG.
daemon_start() {
	DAEMON_LOG="$SB_TMP/cgovd.log"
	"$CGOVD" --foreground --containers "$SB_BASE/*" "$@" > "$DAEMON_LOG" 2>&1 &
	DAEMON_PID=$!
}

# db_q SQL: one value from the database ($DB), read-only, through `cgov sql`
# (cgov's connection knows the packed columns of the sample_v view).
db_q() { "$CGOV" --db "$DB" sql --format csv "$1" 2>/dev/null | sed -n '2{s/\r$//;s/^"//;s/"$//;p}'; }

# db_ok FILE: PRAGMA integrity_check of a database says ok.
db_ok() { [ "$(DB=$1 db_q 'pragma integrity_check')" = ok ]; }

# block_dir: a writable directory on a block device (for direct I/O that
# the kernel accounts to a cgroup), or nothing on tmpfs/overlay-only hosts.
block_dir() {
	local d src
	for d in "$SB_TMP" /var/tmp /root /srv /; do
		[ -d "$d" ] && [ -w "$d" ] || continue
		src=$(findmnt -no SOURCE -T "$d" 2>/dev/null)
		case "$src" in /dev/*) echo "$d"; return 0 ;; esac
	done
	return 1
}

# disk_of DIR: "NAME MAJ:MIN" of the whole disk under DIR's filesystem (the
# kernel throttles whole disks, not partitions).
disk_of() {
	local dev sys
	dev=$(mountpoint -d "$(findmnt -no TARGET -T "$1")" 2>/dev/null) || return 1
	sys=$(readlink -f "/sys/dev/block/$dev") || return 1
	[ -e "$sys/partition" ] && sys=$(dirname "$sys")
	echo "$(basename "$sys") $(cat "$sys/dev")"
}

# sb_block_disk: sets DIR (block_dir), DISK and DISKDEV (disk_of DIR) for
# a test of direct I/O, or skips the test when the host has none.
sb_block_disk() {
	DIR=$(block_dir) || skip "no block-device-backed directory for direct I/O"
	read -r DISK DISKDEV <<EOF
$(disk_of "$DIR")
EOF
	[ -n "$DISKDEV" ] || skip "no disk under $DIR"
}
