#!/bin/bash
# demo.sh: cgov on a node without a container runtime, in one minute.
#
# usage: contrib/demo.sh [SECONDS]        (as root; default 60, or $CGOV_DEMO_SECONDS)
#
# Makes a sandbox of tenant cgroups under the caller's own cgroup (cgroup
# v1: in every hierarchy, under the caller's deepest path; v2: beside the
# caller's own cgroup, in its parent, with the controllers enabled down to
# it), runs a CPU hog, a victim doing a little work now and then, and a JVM
# when java is installed, and governs them with cgovd on a policy set made
# for them: cgroups found by --containers have runtime "cgroup", which the
# policies match with `match runtime cgroup`. The hog gets a CPU quota once
# it has used more than 0.3 cores for 3 s; the victim keeps a higher CPU
# weight; the JVM keeps a swap buffer. After SECONDS (or as soon as the hog
# was throttled, when SECONDS is at least 10), it shows `cgov top`, `cgov
# actions` and the text report, then stops cgovd (which restores what its
# rules changed) and removes the tenants, their cgroups and its temporary
# directory: on exit, Ctrl-C or failure alike.
#
# cgovd and cgov are $CGOVD and $CGOV, else the ones built in this tree,
# else the installed ones. Set CGOV_DEMO_REPORT=FILE to keep the HTML
# report. Exits 0, 1 on failure, 77 where it cannot run (not root, no
# cgroupfs): the reason is printed.
set -u
umask 022

secs=${1:-${CGOV_DEMO_SECONDS:-60}}
case $secs in ''|*[!0-9]*) echo "usage: demo.sh [SECONDS]" >&2; exit 2 ;; esac
tree=$(cd "$(dirname "$0")/.." && pwd)
pick() {        # pick VAR NAME: $VAR, else the tree's, else PATH's
	local v=$1 name=$2
	if [ -n "${!v:-}" ]; then echo "${!v}"
	elif [ -x "$tree/$name" ]; then echo "$tree/$name"
	else command -v "$name"
	fi
}
CGOVD=$(pick CGOVD cgovd)
CGOV=$(pick CGOV cgov)
cannot() { echo "demo: cannot run: $*" >&2; exit 77; }
die() { echo "demo: $*" >&2; exit 1; }
[ -n "$CGOVD" ] && [ -n "$CGOV" ] || cannot "no cgovd or cgov (build the tree, or set CGOVD and CGOV)"
[ "$(id -u)" = 0 ] || cannot "needs root (it creates cgroups)"

MOUNTS=""        # the hierarchies the sandbox is in
BASE=""          # its cgroup path, the same in each
CREATED=""       # parents it made, to remove
PIDS=""
DPID=""
TMP=$(mktemp -d /tmp/cgov-demo.XXXXXX) || die "mktemp failed"

cleanup() {
	local rc=$? m f p i d
	trap - EXIT INT TERM
	# SIGTERM: cgovd restores what its rules changed and exits.
	if [ -n "$DPID" ] && kill -TERM "$DPID" 2>/dev/null; then
		for i in $(seq 200); do kill -0 "$DPID" 2>/dev/null || break; sleep 0.1; done
		kill -KILL "$DPID" 2>/dev/null
		wait "$DPID" 2>/dev/null
	fi
	# (bash reports each killed job on stderr: not news here)
	{
		for p in $PIDS; do kill -KILL "$p"; done
		for m in $MOUNTS; do
			[ -n "$BASE" ] || break
			for f in $(find "$m$BASE" -name cgroup.procs); do
				for p in $(cat "$f"); do kill -KILL "$p"; done
			done
		done
		wait
	} 2>/dev/null
	if [ -n "$BASE" ]; then
		for m in $MOUNTS; do
			for i in $(seq 50); do
				[ -d "$m$BASE" ] || break
				find "$m$BASE" -depth -type d -exec rmdir {} \; 2>/dev/null
				[ -d "$m$BASE" ] && sleep 0.1
			done
			[ -d "$m$BASE" ] && { echo "demo: warning: $m$BASE left behind" >&2; rc=1; }
		done
		for d in $(echo "$CREATED" | tr ' ' '\n' | sort -r); do rmdir "$d" 2>/dev/null; done
	fi
	rm -rf "$TMP"
	echo "demo: removed the sandbox $BASE and $TMP"
	exit "$rc"
}
trap cleanup EXIT
trap 'exit 1' INT TERM

# ---- the sandbox (the logic of tests/lib/sandbox.sh, standalone) --------
ctrl_mount() {  # the v1 mount of controller $1
	awk -v c="$1" '{ for (i = 1; i <= NF; i++) if ($i == "-") {
		if ($(i+1) == "cgroup" && index("," $(i+3) ",", "," c ",")) print $5; break } }' \
		/proc/self/mountinfo | head -n 1
}
mnt2=$(awk '{ for (i = 7; i <= NF; i++) if ($i == "-") { if ($(i+1) == "cgroup2") print $5; break } }' \
	/proc/self/mountinfo | head -n 1)
if [ -n "$mnt2" ] && grep -qw memory "$mnt2/cgroup.controllers" 2>/dev/null; then
	VERSION=2
	MOUNTS=" $mnt2"
	own=$(sed -n 's/^0:://p' /proc/self/cgroup)
	parent=${own%/*}
	BASE="$parent/cgov-demo.$$"
	p=""
	# v2: no process may live in a cgroup whose children have controllers:
	# the sandbox goes beside our own cgroup, the controllers enabled down
	# to its parent (as systemd leaves them: enabled).
	for d in "" $(echo "${parent#/}" | tr / ' '); do
		[ -n "$d" ] && p="$p/$d"
		for c in memory cpu io pids; do
			grep -qw "$c" "$mnt2$p/cgroup.subtree_control" && continue
			echo "+$c" > "$mnt2$p/cgroup.subtree_control" 2>/dev/null ||
				cannot "cannot enable $c for the children of ${p:-/}"
		done
	done
	mkdir "$mnt2$BASE" || cannot "cannot create $BASE"
	echo "+memory +cpu +io +pids" > "$mnt2$BASE/cgroup.subtree_control" || die "cannot enable controllers in $BASE"
else
	VERSION=1
	deepest=/
	for c in memory cpu cpuacct blkio pids freezer; do
		m=$(ctrl_mount "$c")
		[ -n "$m" ] || continue
		case " $MOUNTS " in *" $m "*) ;; *) MOUNTS="$MOUNTS $m" ;; esac
		own=$(awk -F: -v c="$c" '{ n = split($2, a, ","); for (i = 1; i <= n; i++)
			if (a[i] == c) print $3 }' /proc/self/cgroup | head -n 1)
		[ "$(echo "$own" | tr -cd / | wc -c)" -gt "$(echo "$deepest" | tr -cd / | wc -c)" ] &&
			deepest=$own
	done
	[ -n "$MOUNTS" ] || cannot "no cgroup v1 hierarchy and no cgroup v2 with memory mounted"
	BASE="${deepest%/}/cgov-demo.$$"
	for m in $MOUNTS; do
		p=""
		for d in $(echo "${BASE%/*}" | tr / ' '); do
			p="$p/$d"
			[ -d "$m$p" ] && continue
			mkdir "$m$p" || cannot "cannot create $m$p"
			CREATED="$CREATED $m$p"
		done
		mkdir "$m$BASE" || cannot "cannot create $m$BASE"
	done
fi
echo "demo: cgroup v$VERSION sandbox $BASE in$MOUNTS; temporary files in $TMP"

# tenant NAME COMMAND...: a cgroup NAME in the sandbox, COMMAND in it.
tenant() {
	local name=$1 m
	shift
	for m in $MOUNTS; do mkdir "$m$BASE/$name" || die "cannot create $m$BASE/$name"; done
	(
		for m in $MOUNTS; do echo "$BASHPID" > "$m$BASE/$name/cgroup.procs" || exit 97; done
		exec "$@"
	) > "$TMP/$name.out" 2>&1 &
	PIDS="$PIDS $!"
}
tenant hog sh -c 'while :; do :; done'
tenant victim sh -c 'while :; do i=0; while [ $i -lt 3000 ]; do i=$((i + 1)); done; sleep 0.5; done'
jvm=""
if command -v java > /dev/null 2>&1; then
	cat > "$TMP/Idle.java" <<'EOF'
public class Idle {
    public static void main(String[] a) throws Exception {
        byte[] heap = new byte[8 << 20];
        System.out.println("ready " + heap.length);
        Thread.sleep(Long.MAX_VALUE);
    }
}
EOF
	tenant jvm java -Xmx32m -Xss512k -XX:TieredStopAtLevel=1 -XX:+UseSerialGC "$TMP/Idle.java"
	jvm=" and jvm (java)"
else
	echo "demo: no java: the JVM tenant is left out"
fi
echo "demo: tenants hog (a CPU spinner), victim (a little work every 0.5 s)$jvm"

# ---- the policies: cgroups found by --containers have runtime "cgroup" ----
mkdir "$TMP/policies"
cat > "$TMP/policies/demo.policy" <<EOF
# Every tenant of the sandbox (runtime "cgroup": found by --containers).
policy "demo-tenants" {
    match runtime cgroup

    rule "cpu-hog" {
        when  cpu > 0.3 cores for 3s
        do    cpu quota 0.2 cores
        until cpu < 0.05 cores for 60s
    }
}

# The victim's CPU weight above the others'.
policy "demo-victim" {
    match runtime cgroup
    match cgroup "$BASE/victim"
    cpu shares 2048
}

# A container running a JVM keeps a swap buffer (cgov.policy(5)).
policy "demo-jvm" {
    match runtime cgroup
    match process "java"
    memory swap-buffer 128M
}
EOF
"$CGOV" policy check "$TMP/policies" || die "the demo's policies do not check"

# ---- cgovd, restricted to the sandbox ------------------------------------
DB="$TMP/cgov.db"
"$CGOVD" --foreground --config /dev/null --containers "$BASE/*" --policies "$TMP/policies" \
	--db "$DB" --interval 500ms --rescan-interval 1s > "$TMP/cgovd.log" 2>&1 &
DPID=$!
echo "demo: cgovd (pid $DPID) governs $BASE/* for up to $secs s"
hog_throttled() {
	"$CGOV" --db "$DB" sql --format csv \
		"select count(*) from action a join container c on c.id = a.cid where c.name = 'hog' and a.kind = 'apply'" \
		2>/dev/null | sed -n '2p' | grep -q '^"*[1-9]'
}
t=0
while [ "$t" -lt $((secs * 2)) ]; do
	kill -0 "$DPID" 2>/dev/null || die "cgovd exited: $(tail -n 20 "$TMP/cgovd.log")"
	[ "$secs" -ge 10 ] && [ "$t" -ge 8 ] && hog_throttled && { sleep 1; break; }
	sleep 0.5
	t=$((t + 1))
done

echo
echo "=== cgov top --by cpu"
"$CGOV" --db "$DB" top --by cpu
echo
echo "=== cgov actions"
"$CGOV" --db "$DB" actions
echo
echo "=== cgov report --since 10m"
"$CGOV" --db "$DB" report --since 10m --format text
if [ -n "${CGOV_DEMO_REPORT:-}" ]; then
	"$CGOV" --db "$DB" report --since 10m --format html -o "$CGOV_DEMO_REPORT" &&
		echo "demo: the HTML report is in $CGOV_DEMO_REPORT"
fi
echo
echo "=== cgovd's log (ticks left out)"
grep -v 'debug: tick' "$TMP/cgovd.log" | tail -n 15
